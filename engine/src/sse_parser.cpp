#include "sse_parser.h"

#include <utility>

namespace wissen::engine::internal {

SseParser::SseParser(size_t max_line_bytes) : max_line_bytes_(max_line_bytes) {}

bool SseParser::Feed(std::string_view bytes, const EventHandler& handler) {
  if (overflow_) return false;
  size_t i = 0;
  while (i < bytes.size()) {
    if (skip_lf_) {
      skip_lf_ = false;
      if (bytes[i] == '\n') {
        ++i;
        continue;
      }
    }
    size_t end = bytes.find_first_of("\r\n", i);
    if (end == std::string_view::npos) {
      line_.append(bytes.substr(i));
      if (line_.size() > max_line_bytes_) {
        overflow_ = true;
        return false;
      }
      return true;
    }
    line_.append(bytes.substr(i, end - i));
    if (line_.size() > max_line_bytes_) {
      overflow_ = true;
      return false;
    }
    skip_lf_ = bytes[end] == '\r';
    i = end + 1;
    std::string line = std::move(line_);
    line_.clear();
    if (!ProcessLine(line, handler)) return false;
  }
  return true;
}

bool SseParser::Finish(const EventHandler& handler) {
  if (overflow_) return false;
  if (!line_.empty()) {
    std::string line = std::move(line_);
    line_.clear();
    if (!ProcessLine(line, handler)) return false;
  }
  return Dispatch(handler);
}

bool SseParser::ProcessLine(std::string_view line, const EventHandler& handler) {
  if (line.empty()) return Dispatch(handler);
  if (line.front() == ':') {
    ++comment_count_;
    return true;
  }
  std::string_view field = line;
  std::string_view value;
  if (size_t colon = line.find(':'); colon != std::string_view::npos) {
    field = line.substr(0, colon);
    value = line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  }
  if (field == "data") {
    if (has_data_) pending_.data.push_back('\n');
    pending_.data.append(value);
    has_data_ = true;
    if (pending_.data.size() > max_line_bytes_) {
      overflow_ = true;
      return false;
    }
  } else if (field == "event") {
    pending_.event.assign(value);
  } else if (field == "id") {
    pending_.id.assign(value);
  }
  // "retry" and unknown fields are ignored, as the standard says.
  return true;
}

bool SseParser::Dispatch(const EventHandler& handler) {
  if (!has_data_) {
    pending_.event.clear();
    return true;
  }
  SseEvent event = std::move(pending_);
  pending_ = SseEvent{};
  pending_.id = event.id;  // the last event id persists across events
  has_data_ = false;
  return handler(event);
}

}  // namespace wissen::engine::internal
