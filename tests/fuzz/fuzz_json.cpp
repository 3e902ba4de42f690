// Fuzz target: a request body as the API handlers see it. ParseUntrustedJson with the
// production depth limit, then the field accesses of Api::JsonBody and the handlers that read
// a body (ask, search, feedback, login, crawl, /v1/chat/completions), copied from
// server/src/api/*.cpp because Api itself needs a database. A handler that throws on a body
// it should refuse with a 4xx is a finding: the worker pool catches it, but the client gets
// no answer and the worker drops its database connections.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fuzz_check.h"
#include "wissen/app/answer_pipeline.h"
#include "wissen/app/credentials.h"
#include "wissen/core/json.h"
#include "wissen/core/text.h"

namespace {

using nlohmann::json;

constexpr int kMaxQuestionChars = 2000;  // app::AnswerOptions default

// Nesting depth of a parsed value without recursion (the value may be as deep as the limit).
int DepthOf(const json& root) {
  int deepest = 0;
  std::vector<std::pair<const json*, int>> pending = {{&root, 0}};
  while (!pending.empty()) {
    const auto [value, depth] = pending.back();
    pending.pop_back();
    if (!value->is_structured()) continue;
    deepest = std::max(deepest, depth + 1);
    for (const auto& child : *value) pending.emplace_back(&child, depth + 1);
  }
  return deepest;
}

void CheckQuestion(const std::string& question) {
  auto valid = wissen::app::ValidateQuestion(question, kMaxQuestionChars);
  if (!valid) return;
  const std::string& text = *valid;
  WISSEN_FUZZ_CHECK(!text.empty() && text.size() <= kMaxQuestionChars);
  WISSEN_FUZZ_CHECK(wissen::IsValidUtf8(text));
  WISSEN_FUZZ_CHECK(wissen::TrimAscii(text) == text);
  for (const unsigned char c : text) {
    WISSEN_FUZZ_CHECK((c >= 0x20 || c == '\n' || c == '\t') && c != 0x7F);
  }
  // A conversation's title (api_answers.cpp TitleOf) must stay valid UTF-8.
  WISSEN_FUZZ_CHECK(wissen::IsValidUtf8(wissen::Utf8Prefix(text, 80)));
}

// api_openai.cpp TextContent, verbatim.
std::string TextContent(const json& content) {
  if (content.is_string()) return content.get<std::string>();
  std::string text;
  if (content.is_array()) {
    for (const auto& part : content) {
      if (part.is_object() && part.value("type", json()) == "text" && part.contains("text") &&
          part["text"].is_string()) {
        if (!text.empty()) text += "\n";
        text += part["text"].get<std::string>();
      }
    }
  }
  return text;
}

// Api::ChatCompletions up to the point where it would call the answer pipeline.
void ChatCompletions(const json& body) {
  const auto messages = body.find("messages");
  if (messages == body.end() || !messages->is_array() || messages->empty()) return;
  std::vector<std::pair<std::string, std::string>> turns;
  for (const auto& message : *messages) {
    if (!message.is_object() || !message.contains("role") || !message["role"].is_string()) return;
    const std::string role = message["role"].get<std::string>();
    if (role != "user" && role != "assistant") continue;
    turns.emplace_back(role, TextContent(message.value("content", json())));
  }
  if (turns.empty() || turns.back().first != "user") return;
  CheckQuestion(turns.back().second);
  if (auto flag = body.find("stream"); flag != body.end() && !flag->is_null()) {
    if (!flag->is_boolean()) return;
    (void)flag->get<bool>();
  }
}

// Api::Ask, Api::Search, Api::Feedback, Api::Login and Api::StartCrawl: the body checks.
void Ask(const json& body) {
  const auto question = body.find("question");
  if (question == body.end() || !question->is_string()) return;
  CheckQuestion(question->get<std::string>());
  if (auto id = body.find("conversation_id"); id != body.end() && !id->is_null()) {
    if (!id->is_string()) return;
    (void)id->get<std::string>();
  }
  if (auto flag = body.find("stream"); flag != body.end()) {
    if (!flag->is_boolean()) return;
    (void)flag->get<bool>();
  }
}

void Search(const json& body) {
  const auto query = body.find("query");
  if (query == body.end() || !query->is_string()) return;
  CheckQuestion(query->get<std::string>());
  if (auto field = body.find("k"); field != body.end()) {
    if (!field->is_number_integer() || field->get<int64_t>() < 1 || field->get<int64_t>() > 100) {
      return;
    }
    const int k = field->get<int>();
    WISSEN_FUZZ_CHECK(k >= 1 && k <= 100);
  }
}

void Feedback(const json& body) {
  const auto answer_id = body.find("answer_id");
  const auto rating = body.find("rating");
  if (answer_id == body.end() || !answer_id->is_string() || rating == body.end() ||
      !rating->is_string() || (*rating != "up" && *rating != "down")) {
    return;
  }
  if (auto field = body.find("comment"); field != body.end() && !field->is_null()) {
    if (!field->is_string() || field->get<std::string>().size() > 4000 ||
        !wissen::IsValidUtf8(field->get<std::string>())) {
      return;
    }
  }
}

void Login(const json& body) {
  const auto name = body.find("username");
  const auto password = body.find("password");
  if (name == body.end() || !name->is_string() || password == body.end() ||
      !password->is_string()) {
    return;
  }
  (void)wissen::app::NormalizeUserName(name->get<std::string>());
}

void StartCrawl(const json& body) {
  if (auto source = body.find("source"); source != body.end() && !source->is_null()) {
    if (!source->is_string()) return;
    (void)source->get<std::string>();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = wissen::ParseUntrustedJson(text);
  // A smaller limit too, so inputs of a few bytes reach the limit's edge.
  const int small_limit = 1 + static_cast<int>(size % 4);
  auto shallow = wissen::ParseUntrustedJson(text, small_limit);
  if (shallow) {
    WISSEN_FUZZ_CHECK(parsed.has_value());
    WISSEN_FUZZ_CHECK(DepthOf(*shallow) <= small_limit);
    WISSEN_FUZZ_CHECK(*shallow == *parsed);
  }
  if (!parsed) {
    WISSEN_FUZZ_CHECK(parsed.error().code == wissen::ErrorCode::kInvalidArgument);
    return 0;
  }
  const json& value = *parsed;
  WISSEN_FUZZ_CHECK(DepthOf(value) <= wissen::kMaxJsonDepth);
  // What the depth limit is for: copying and comparing recurse once per level.
  const json copy = value;
  WISSEN_FUZZ_CHECK(copy == value);
  // Responses echo parts of bodies; dumping must not throw, and must parse again.
  const std::string dumped = value.dump(-1, ' ', false, json::error_handler_t::replace);
  WISSEN_FUZZ_CHECK(wissen::ParseUntrustedJson(dumped).has_value());

  if (!value.is_object()) return 0;  // Api::JsonBody answers 400 here
  try {
    ChatCompletions(value);
    Ask(value);
    Search(value);
    Feedback(value);
    Login(value);
    StartCrawl(value);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "a handler's body access threw: %s\n", e.what());
    std::abort();
  }
  return 0;
}
