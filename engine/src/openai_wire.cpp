#include "openai_wire.h"

#include <cctype>

#include "wissen/core/json.h"
#include "wissen/core/text.h"

namespace wissen::engine::internal {
namespace {

// How much of a server's own error message an Error quotes.
constexpr size_t kMaxServerMessageBytes = 300;

}  // namespace

nlohmann::json ParseServerJson(std::string_view text) {
  auto parsed = ParseUntrustedJson(SanitizeUtf8(text));
  return parsed ? std::move(*parsed) : nlohmann::json(nlohmann::json::value_t::discarded);
}

std::string QuoteServerText(std::string_view text) {
  std::string clean = CollapseWhitespace(SanitizeUtf8(text));
  if (clean.size() > kMaxServerMessageBytes) {
    clean = std::string(Utf8Prefix(clean, kMaxServerMessageBytes)) + "…";
  }
  return clean;
}

std::string ErrorMessageOf(const nlohmann::json& body) {
  if (!body.is_object()) return "";
  const nlohmann::json* holder = &body;
  if (auto it = body.find("error"); it != body.end()) {
    if (it->is_string()) return QuoteServerText(it->get<std::string>());
    if (it->is_object()) holder = &*it;
  } else if (auto detail = body.find("detail"); detail != body.end() && detail->is_string()) {
    return QuoteServerText(detail->get<std::string>());
  }
  std::string message;
  if (auto it = holder->find("message"); it != holder->end() && it->is_string()) {
    message = QuoteServerText(it->get<std::string>());
  }
  if (auto it = holder->find("type"); it != holder->end() && it->is_string()) {
    std::string type = QuoteServerText(it->get<std::string>());
    if (!type.empty()) message = message.empty() ? type : message + " (" + type + ")";
  }
  return message;
}

bool IsErrorObject(const nlohmann::json& body) {
  if (!body.is_object()) return false;
  if (auto it = body.find("error"); it != body.end() && !it->is_null()) return true;
  auto object = body.find("object");
  return object != body.end() && object->is_string() && object->get<std::string>() == "error";
}

bool RetryableStatus(long status) {
  return status == 408 || status == 425 || status == 429 || status >= 500;
}

}  // namespace wissen::engine::internal
