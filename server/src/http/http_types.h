// The server's own view of an HTTP exchange, independent of cpprestsdk: the listener
// adapter (http_server.cpp) copies each request into a Request and sends back what the
// handlers produce, so the handlers and their tests never touch cpprest types.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace wissen::server {

struct Request {
  std::string method;                          // upper case
  std::string path;                            // decoded path, without the query
  std::map<std::string, std::string> query;    // decoded query parameters
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  std::string remote_address;  // the TCP peer
  // Filled by the router: {name} segments of the matched route template.
  std::map<std::string, std::string> params;

  // The header's value, or "" when absent. `name` in lower case.
  const std::string& Header(const std::string& name) const;
  // A cookie's value from the Cookie header, or "".
  std::string Cookie(std::string_view name) const;
};

struct Response {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string content_type = "application/json";
  std::string body;
  // When set, the body is this file's content, streamed from disk (body is ignored).
  std::filesystem::path file;

  void AddHeader(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
  }
};

// A response sent in pieces (Server-Sent Events). Start must be called once before Write.
// Write returns false once the client has gone away; the handler should then stop work.
// Thread-compatible: one handler writes.
class ResponseStream {
 public:
  virtual ~ResponseStream() = default;
  virtual void Start(int status, const std::string& content_type,
                     const std::vector<std::pair<std::string, std::string>>& headers) = 0;
  virtual bool Write(std::string_view bytes) = 0;
  virtual void End() = 0;
};

// {"error":{"code":..., "message":...}} with the status. `code` is a stable machine word
// (e.g. "unauthenticated"); `message` a sentence for a person, never internal detail.
Response ErrorResponse(int status, std::string_view code, std::string_view message);
Response JsonResponse(int status, const nlohmann::json& body);

// One SSE event: "event: <name>\ndata: <json>\n\n" (no event line when name is empty).
std::string SseEvent(std::string_view name, const nlohmann::json& data);

}  // namespace wissen::server
