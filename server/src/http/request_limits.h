// The limits every request must meet before it is routed or its body is read: sizes of the
// request target and headers, path depth, and an unambiguous body length (RFC 9112 §6.3).
//
// cpprestsdk has already read the request line and headers when these run, and its own
// request handling costs time that grows with the square of the path's segments; the
// production layout puts nginx in front, which enforces the same limits before cpprestsdk
// sees a byte (docs/SECURITY.md, deploy/nginx/wissen.conf). Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace wissen::server {

struct RequestLimits {
  size_t max_target_bytes = 8 * 1024;   // path and query as sent; more gets 414
  size_t max_path_segments = 64;        // "/a/b/c" has 3; more gets 414
  size_t max_header_bytes = 16 * 1024;  // names and values together; more gets 431
  int64_t max_body_bytes = 1 << 20;     // Content-Length above it gets 413
};

// Why a request was refused: the HTTP status, a stable code word and a sentence.
struct Rejection {
  int status = 400;
  std::string code;
  std::string message;
};

// The head of a request as received: the target undecoded, header names lower-cased.
struct RequestHead {
  std::string_view target;
  const std::map<std::string, std::string>* headers = nullptr;
};

// nullopt when the head is within the limits; otherwise the first limit it breaks.
// A body must come with exactly one Content-Length and no Transfer-Encoding: chunked
// bodies (411) and both headers at once (400, a request-smuggling vector) are refused, so
// no body is read whose size is not known before reading it.
std::optional<Rejection> CheckRequestHead(const RequestHead& head, const RequestLimits& limits);

}  // namespace wissen::server
