#include "http/request_limits.h"

#include <algorithm>

namespace wissen::server {
namespace {

// Path segments of an undecoded target, counting "%2F" as a separator too: cpprestsdk and
// the router decode it into one.
size_t PathSegments(std::string_view target) {
  const std::string_view path = target.substr(0, target.find('?'));
  size_t segments = std::count(path.begin(), path.end(), '/');
  for (size_t at = path.find('%'); at != std::string_view::npos; at = path.find('%', at + 1)) {
    if (at + 2 < path.size() && path[at + 1] == '2' &&
        (path[at + 2] == 'F' || path[at + 2] == 'f')) {
      ++segments;
    }
  }
  return segments;
}

bool ValidLength(const std::string& text, int64_t* value) {
  if (text.empty() || text.size() > 18) return false;
  int64_t parsed = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return false;
    parsed = parsed * 10 + (c - '0');
  }
  *value = parsed;
  return true;
}

}  // namespace

std::optional<Rejection> CheckRequestHead(const RequestHead& head, const RequestLimits& limits) {
  if (head.target.size() > limits.max_target_bytes) {
    return Rejection{
        414, "uri_too_long",
        "the request target is longer than " + std::to_string(limits.max_target_bytes) + " bytes"};
  }
  // The router counts the pieces between slashes: a target without a leading '/' has one
  // more than its slashes (found by fuzzing).
  if (!head.target.starts_with('/') && !head.target.empty()) {
    return Rejection{400, "bad_request", "the request target must start with /"};
  }
  if (PathSegments(head.target) > limits.max_path_segments) {
    return Rejection{
        414, "uri_too_long",
        "the path has more than " + std::to_string(limits.max_path_segments) + " segments"};
  }
  size_t header_bytes = 0;
  for (const auto& [name, value] : *head.headers) header_bytes += name.size() + value.size();
  if (header_bytes > limits.max_header_bytes) {
    return Rejection{431, "headers_too_large",
                     "the request headers are larger than " +
                         std::to_string(limits.max_header_bytes) + " bytes"};
  }
  const auto length = head.headers->find("content-length");
  const bool chunked = head.headers->contains("transfer-encoding");
  if (chunked && length != head.headers->end()) {
    return Rejection{400, "bad_request",
                     "a request may not carry both Content-Length and Transfer-Encoding"};
  }
  if (chunked) {
    return Rejection{411, "length_required", "send the body with a Content-Length"};
  }
  if (length != head.headers->end()) {
    int64_t bytes = 0;
    if (!ValidLength(length->second, &bytes)) {
      return Rejection{400, "bad_request", "the Content-Length is not a number"};
    }
    if (bytes > limits.max_body_bytes) {
      return Rejection{
          413, "payload_too_large",
          "the request body is larger than " + std::to_string(limits.max_body_bytes) + " bytes"};
    }
  }
  return std::nullopt;
}

}  // namespace wissen::server
