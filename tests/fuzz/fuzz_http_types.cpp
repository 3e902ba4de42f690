// Fuzz target: the pieces of http_types.h that handle client bytes. Input: a first line and
// the rest. Request::Cookie looks up the first line (and the session cookie) in a Cookie
// header holding the rest; SseEvent sends the rest as a token and, when it is JSON, as an
// event's data, under every event name the API uses; ErrorResponse carries the first line
// as code and the rest as message.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "http/http_types.h"
#include "wissen/core/json.h"
#include "wissen/core/text.h"

namespace {

using nlohmann::json;

// The event names of api_answers.cpp and api_openai.cpp ("" for the OpenAI stream).
constexpr std::string_view kEventNames[] = {"", "start", "token", "citations", "done", "error"};

// RFC 6265 §4.2.1 as http_types.cpp reads it: pairs split on ';', leading spaces dropped,
// the first pair whose name is `name` wins.
std::string ExpectedCookie(std::string_view header, std::string_view name) {
  for (size_t start = 0; start <= header.size();) {
    size_t end = header.find(';', start);
    if (end == std::string_view::npos) end = header.size();
    std::string_view pair = header.substr(start, end - start);
    start = end + 1;
    const size_t first = pair.find_first_not_of(' ');
    if (first == std::string_view::npos) continue;
    pair.remove_prefix(first);
    const size_t equals = pair.find('=');
    if (equals != std::string_view::npos && pair.substr(0, equals) == name) {
      return std::string(pair.substr(equals + 1));
    }
  }
  return "";
}

void CheckCookie(const wissen::server::Request& request, std::string_view name) {
  const std::string value = request.Cookie(name);
  WISSEN_FUZZ_CHECK(value.find(';') == std::string::npos);
  WISSEN_FUZZ_CHECK(value == ExpectedCookie(request.Header("cookie"), name));
}

void CheckSse(std::string_view name, const json& data) {
  const std::string event = wissen::server::SseEvent(name, data);
  std::string_view rest = event;
  if (!name.empty()) {
    const std::string event_line = "event: " + std::string(name) + "\n";
    WISSEN_FUZZ_CHECK(rest.starts_with(event_line));
    rest.remove_prefix(event_line.size());
  }
  WISSEN_FUZZ_CHECK(rest.starts_with("data: ") && rest.ends_with("\n\n"));
  const std::string_view payload = rest.substr(6, rest.size() - 8);
  // One data line: a raw CR or LF in it would end the event early or start a forged one.
  WISSEN_FUZZ_CHECK(payload.find_first_of("\r\n") == std::string_view::npos);
  WISSEN_FUZZ_CHECK(wissen::IsValidUtf8(payload));
  const json reparsed = json::parse(payload, nullptr, /*allow_exceptions=*/false);
  WISSEN_FUZZ_CHECK(!reparsed.is_discarded());
  WISSEN_FUZZ_CHECK(reparsed.dump() == data.dump(-1, ' ', false, json::error_handler_t::replace));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t line_end = input.find('\n');
  const std::string_view first = input.substr(0, line_end);
  const std::string_view rest =
      line_end == std::string_view::npos ? std::string_view() : input.substr(line_end + 1);

  wissen::server::Request request;
  request.headers["cookie"] = std::string(rest);
  CheckCookie(request, first);
  CheckCookie(request, "wissen_session");

  const json token = {{"text", std::string(rest)}};
  auto body = wissen::ParseUntrustedJson(rest);
  for (const std::string_view name : kEventNames) {
    CheckSse(name, token);
    if (body) CheckSse(name, *body);
  }
  if (wissen::IsValidUtf8(rest)) {
    const json parsed_token = json::parse(wissen::server::SseEvent("token", token).substr(19));
    WISSEN_FUZZ_CHECK(parsed_token.at("text") == std::string(rest));
  }

  const int status = 400 + static_cast<int>(size % 200);
  const wissen::server::Response error = wissen::server::ErrorResponse(status, first, rest);
  WISSEN_FUZZ_CHECK(error.status == status && error.content_type == "application/json");
  auto error_body = wissen::ParseUntrustedJson(error.body);
  WISSEN_FUZZ_CHECK(error_body && error_body->is_object() && error_body->size() == 1 &&
                    error_body->contains("error"));
  const json& fields = error_body->at("error");
  WISSEN_FUZZ_CHECK(fields.is_object() && fields.size() == 2 && fields.contains("code") &&
                    fields.contains("message"));
  WISSEN_FUZZ_CHECK(fields.at("code").is_string() && fields.at("message").is_string());
  if (wissen::IsValidUtf8(first)) WISSEN_FUZZ_CHECK(fields.at("code") == std::string(first));
  if (wissen::IsValidUtf8(rest)) WISSEN_FUZZ_CHECK(fields.at("message") == std::string(rest));
  WISSEN_FUZZ_CHECK(error.body.find_first_of("\r\n") == std::string::npos);
  return 0;
}
