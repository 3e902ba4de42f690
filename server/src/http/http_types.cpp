#include "http/http_types.h"

namespace wissen::server {

const std::string& Request::Header(const std::string& name) const {
  static const std::string kEmpty;
  auto it = headers.find(name);
  return it == headers.end() ? kEmpty : it->second;
}

std::string Request::Cookie(std::string_view name) const {
  std::string_view cookies = Header("cookie");
  while (!cookies.empty()) {
    const size_t end = cookies.find(';');
    std::string_view pair = cookies.substr(0, end);
    cookies = end == std::string_view::npos ? std::string_view() : cookies.substr(end + 1);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    const size_t equals = pair.find('=');
    if (equals != std::string_view::npos && pair.substr(0, equals) == name) {
      return std::string(pair.substr(equals + 1));
    }
  }
  return "";
}

Response ErrorResponse(int status, std::string_view code, std::string_view message) {
  Response response;
  response.status = status;
  response.body =
      nlohmann::json{{"error", {{"code", std::string(code)}, {"message", std::string(message)}}}}
          .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return response;
}

Response JsonResponse(int status, const nlohmann::json& body) {
  Response response;
  response.status = status;
  response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return response;
}

std::string SseEvent(std::string_view name, const nlohmann::json& data) {
  std::string event;
  if (!name.empty()) event += "event: " + std::string(name) + "\n";
  // dump() escapes newlines, so the payload is always one data line.
  event += "data: " + data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  event += "\n\n";
  return event;
}

}  // namespace wissen::server
