// Incremental parser for Server-Sent Events (text/event-stream), as OpenAI-compatible model
// servers stream chat completions.
//
// Follows the WHATWG event-stream rules: lines end in "\n", "\r\n" or "\r" (also when a
// "\r\n" pair is split between two reads); lines starting with ':' are comments (keep-alive
// pings); "field: value" with at most one space stripped after the colon; several data lines
// of one event are joined with "\n"; a blank line dispatches the event. Events without data
// are dropped. Thread-compatible.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace wissen::engine::internal {

struct SseEvent {
  std::string event;  // the "event:" field; empty means "message"
  std::string data;
  std::string id;
};

class SseParser {
 public:
  // Receives each complete event; returning false stops parsing (the rest of the bytes
  // are dropped and Feed returns false).
  using EventHandler = std::function<bool(const SseEvent& event)>;

  // `max_line_bytes` bounds one line and one event's data: a peer that never sends a line
  // end cannot make the parser buffer without limit. Default: 1 MiB.
  explicit SseParser(size_t max_line_bytes = size_t{1} << 20);

  // Parses `bytes`, calling `handler` for every event completed by them. Returns false when
  // the handler stopped parsing or a line or event grew past the limit (overflow() is then
  // true).
  bool Feed(std::string_view bytes, const EventHandler& handler);

  // Dispatches an event left unterminated when the stream ended (some servers omit the last
  // blank line). Returns false when the handler stopped.
  bool Finish(const EventHandler& handler);

  bool overflow() const { return overflow_; }
  // Number of comment lines seen (": ping"), for tests and diagnostics.
  size_t comment_count() const { return comment_count_; }

 private:
  // Handles one complete line; returns false when the handler stopped.
  bool ProcessLine(std::string_view line, const EventHandler& handler);
  bool Dispatch(const EventHandler& handler);

  size_t max_line_bytes_;
  std::string line_;      // the current unterminated line
  bool skip_lf_ = false;  // the last byte was '\r': a following '\n' belongs to it
  SseEvent pending_;
  bool has_data_ = false;
  bool overflow_ = false;
  size_t comment_count_ = 0;
};

}  // namespace wissen::engine::internal
