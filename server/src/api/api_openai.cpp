// The OpenAI-compatible facade: Open WebUI, LibreChat or any OpenAI client can use Wissen
// as a model called "wissen". The last user message is answered through the same
// role-filtered pipeline as /api/v1/ask, with the sources appended to the answer.
#include <ctime>

#include "api/api.h"

namespace wissen::server {

namespace {

constexpr const char* kModelName = "wissen";
constexpr size_t kMaxHistoryTurns = 6;

std::string SourcesFooter(const app::Answer& answer) {
  if (answer.citations.empty()) return "";
  std::string footer = answer.language == "de" ? "\n\nQuellen:" : "\n\nSources:";
  for (const auto& c : answer.citations) {
    footer += "\n[" + std::to_string(c.id) + "] " + (c.title.empty() ? c.path : c.title);
    if (!c.title.empty() && !c.path.empty()) footer += " (" + c.path + ")";
    if (c.page > 0)
      footer += (answer.language == "de" ? ", S. " : ", p. ") + std::to_string(c.page);
  }
  return footer;
}

// OpenAI clients expect {"error":{"message","type","code"}}; "code" and "message" are the
// fields every Wissen error has.
Response OpenAiError(int status, const std::string& code, const std::string& message) {
  return JsonResponse(status, {{"error", {{"message", message}, {"type", code}, {"code", code}}}});
}

std::string TextContent(const nlohmann::json& content) {
  if (content.is_string()) return content.get<std::string>();
  // The array form: [{"type":"text","text":"..."}, ...]; other parts are ignored.
  std::string text;
  if (content.is_array()) {
    for (const auto& part : content) {
      if (part.is_object() && part.value("type", nlohmann::json()) == "text" &&
          part.contains("text") && part["text"].is_string()) {
        if (!text.empty()) text += "\n";
        text += part["text"].get<std::string>();
      }
    }
  }
  return text;
}

}  // namespace

void Api::Models(Call& call) {
  Send(call, JsonResponse(200, {{"object", "list"},
                                {"data", nlohmann::json::array({{{"id", kModelName},
                                                                 {"object", "model"},
                                                                 {"created", 0},
                                                                 {"owned_by", "wissen"}}})}}));
}

void Api::ChatCompletions(Call& call) {
  auto body = JsonBody(call);
  if (!body) return;
  const auto messages = body->find("messages");
  if (messages == body->end() || !messages->is_array() || messages->empty()) {
    Send(call, OpenAiError(400, "invalid_request_error", "messages must be a non-empty array"));
    return;
  }
  std::vector<engine::ChatTurn> turns;
  for (const auto& message : *messages) {
    if (!message.is_object() || !message.contains("role") || !message["role"].is_string()) {
      Send(call, OpenAiError(400, "invalid_request_error", "every message needs a role"));
      return;
    }
    const std::string role = message["role"].get<std::string>();
    // The client's own system prompt is not passed on: Wissen's prompt and guards decide.
    if (role != "user" && role != "assistant") continue;
    turns.push_back({role, TextContent(message.value("content", nlohmann::json()))});
  }
  if (turns.empty() || turns.back().role != "user") {
    Send(call, OpenAiError(400, "invalid_request_error", "the last message must be the user's"));
    return;
  }
  auto question = app::ValidateQuestion(turns.back().content, config_.answer.max_question_chars);
  if (!question) {
    Send(call, OpenAiError(400, "invalid_request_error", question.error().message));
    return;
  }
  turns.pop_back();
  if (turns.size() > kMaxHistoryTurns) turns.erase(turns.begin(), turns.end() - kMaxHistoryTurns);
  bool stream = false;
  if (auto flag = body->find("stream"); flag != body->end() && !flag->is_null()) {
    if (!flag->is_boolean()) {
      Send(call, OpenAiError(400, "invalid_request_error", "stream must be true or false"));
      return;
    }
    stream = flag->get<bool>();
  }
  if (!WithinQuota(call)) return;

  const std::string id = "chatcmpl-" + app::RandomHex(12);
  const int64_t created = static_cast<int64_t>(std::time(nullptr));
  auto chunk = [&](const nlohmann::json& delta, const nlohmann::json& finish) {
    return nlohmann::json{
        {"id", id},
        {"object", "chat.completion.chunk"},
        {"created", created},
        {"model", kModelName},
        {"choices", {{{"index", 0}, {"delta", delta}, {"finish_reason", finish}}}}};
  };
  ResponseStream* sse = nullptr;
  engine::TokenCallback on_token;
  if (stream) {
    sse = &call.exchange.Stream();
    sse->Start(200, "text/event-stream; charset=utf-8",
               {{"Cache-Control", "no-store"}, {"X-Accel-Buffering", "no"}});
    call.status = 200;
    sse->Write(SseEvent("", chunk({{"role", "assistant"}, {"content", ""}}, nullptr)));
    on_token = [&](std::string_view delta) {
      return sse->Write(SseEvent("", chunk({{"content", std::string(delta)}}, nullptr)));
    };
  }
  auto answer = RunAnswer(call, *question, turns, on_token, "chat_completions");
  if (!answer) {
    if (sse == nullptr) {
      const int status = answer.error().code == ErrorCode::kInvalidArgument ? 400 : 503;
      Send(call,
           OpenAiError(status, status == 400 ? "invalid_request_error" : "unavailable",
                       status == 400 ? answer.error().message : "the answer failed; try again"));
    } else {
      sse->Write(SseEvent("", {{"error",
                                {{"message", "the answer failed; try again"},
                                 {"type", "unavailable"},
                                 {"code", "unavailable"}}}}));
      sse->Write("data: [DONE]\n\n");
      sse->End();
    }
    return;
  }
  const std::string footer = SourcesFooter(*answer);
  nlohmann::json usage = {{"prompt_tokens", answer->prompt_tokens},
                          {"completion_tokens", answer->completion_tokens},
                          {"total_tokens", answer->prompt_tokens + answer->completion_tokens}};
  if (sse != nullptr) {
    if (!footer.empty()) sse->Write(SseEvent("", chunk({{"content", footer}}, nullptr)));
    nlohmann::json last = chunk(nlohmann::json::object(), "stop");
    last["usage"] = usage;
    sse->Write(SseEvent("", last));
    sse->Write("data: [DONE]\n\n");
    sse->End();
    return;
  }
  Send(call, JsonResponse(
                 200, {{"id", id},
                       {"object", "chat.completion"},
                       {"created", created},
                       {"model", kModelName},
                       {"choices",
                        {{{"index", 0},
                          {"message", {{"role", "assistant"}, {"content", answer->text + footer}}},
                          {"finish_reason", "stop"}}}},
                       {"usage", usage}}));
}

}  // namespace wissen::server
