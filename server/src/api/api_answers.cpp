// Asking, searching, conversations and feedback.
#include "api/api.h"
#include "wissen/core/log.h"
#include "wissen/core/text.h"

namespace wissen::server {

namespace {

constexpr int kHistoryMessages = 6;  // the last three exchanges go to the generator
constexpr size_t kTitleBytes = 80;

// A conversation's title: the question's first `kTitleBytes`, "…" when it was cut.
std::string TitleOf(const std::string& question) {
  const std::string_view title = Utf8Prefix(question, kTitleBytes);
  return title.size() == question.size() ? question : std::string(title) + "…";
}

std::vector<AuditDocument> AuditDocuments(const app::Answer& answer) {
  std::vector<AuditDocument> documents;
  for (const auto& [id, acl] : answer.context_documents) documents.push_back({id, acl});
  return documents;
}

}  // namespace

std::optional<std::vector<engine::ChatTurn>> Api::ConversationHistory(
    Call& call, const std::string& conversation_id) {
  auto conversations = call.worker.conversations();
  if (!conversations) {
    SendResultError(call, conversations.error());
    return std::nullopt;
  }
  auto exists = (*conversations)->Exists(call.identity->user_id, conversation_id);
  if (!exists) {
    SendResultError(call, exists.error());
    return std::nullopt;
  }
  if (!*exists) {
    SendError(call, 404, "not_found", "no such conversation");
    return std::nullopt;
  }
  auto recent =
      (*conversations)->RecentMessages(call.identity->user_id, conversation_id, kHistoryMessages);
  if (!recent) {
    SendResultError(call, recent.error());
    return std::nullopt;
  }
  std::vector<engine::ChatTurn> history;
  for (const auto& message : *recent) history.push_back({message.role, message.text});
  return history;
}

bool Api::WithinQuota(Call& call) {
  // The quota protects the model; extractive answers cost no model tokens.
  if (pipeline_->model() == nullptr) return true;
  const int wait = token_quota_.RetryAfter(std::to_string(call.identity->user_id));
  if (wait == 0) return true;
  metrics_.RateLimited();
  Response response =
      ErrorResponse(429, "quota_exceeded",
                    "your daily allowance of model tokens is used up; it renews at midnight UTC");
  response.AddHeader("Retry-After", std::to_string(wait));
  Send(call, std::move(response));
  return false;
}

Result<app::Answer> Api::RunAnswer(Call& call, const std::string& question,
                                   const std::vector<engine::ChatTurn>& history,
                                   const engine::TokenCallback& on_token,
                                   const std::string& action) {
  auto catalog = call.worker.catalog();
  if (!catalog) return Fail(catalog.error());
  const auto snapshot = index_.Current();
  auto answer =
      pipeline_->Ask(*snapshot, **catalog, call.identity->principal, question, history, on_token);
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - call.started)
          .count();
  AuditEvent event;
  event.user = call.identity->name;
  event.action = action;
  event.query = question;
  event.latency_ms = ms;
  if (!answer) {
    if (answer.error().code == ErrorCode::kUnavailable) call.worker.Reset();
    event.status = "error";
    audit_.Record(event);
    return answer;
  }
  if (answer->generator != "extractive" && !answer->cached) {
    token_quota_.Add(std::to_string(call.identity->user_id),
                     int64_t{answer->prompt_tokens} + answer->completion_tokens);
  }
  metrics_.ObserveAnswer(*answer);
  event.documents = AuditDocuments(*answer);
  event.generator = answer->generator;
  event.status = "ok";
  event.injection_flag = answer->injection_suspected;
  audit_.Record(event);
  return answer;
}

void Api::Ask(Call& call) {
  auto body = JsonBody(call);
  if (!body) return;
  const auto question_field = body->find("question");
  if (question_field == body->end() || !question_field->is_string()) {
    SendError(call, 400, "invalid_argument", "expected {\"question\": \"...\"}");
    return;
  }
  auto question =
      app::ValidateQuestion(question_field->get<std::string>(), config_.answer.max_question_chars);
  if (!question) {
    SendResultError(call, question.error());
    return;
  }
  std::string conversation_id;
  if (auto id = body->find("conversation_id"); id != body->end() && !id->is_null()) {
    if (!id->is_string()) {
      SendError(call, 400, "invalid_argument", "conversation_id must be a string");
      return;
    }
    conversation_id = id->get<std::string>();
  }
  bool stream = call.request.Header("accept").find("text/event-stream") != std::string::npos;
  if (auto flag = body->find("stream"); flag != body->end()) {
    if (!flag->is_boolean()) {
      SendError(call, 400, "invalid_argument", "stream must be true or false");
      return;
    }
    stream = flag->get<bool>();
  }
  if (!WithinQuota(call)) return;

  std::vector<engine::ChatTurn> history;
  if (!conversation_id.empty()) {
    auto found = ConversationHistory(call, conversation_id);
    if (!found) return;
    history = std::move(*found);
  }
  auto conversations = call.worker.conversations();
  if (!conversations) {
    SendResultError(call, conversations.error());
    return;
  }
  if (conversation_id.empty()) {
    auto created = (*conversations)->Create(call.identity->user_id, TitleOf(*question));
    if (!created) {
      SendResultError(call, created.error());
      return;
    }
    conversation_id = *created;
  }

  ResponseStream* sse = nullptr;
  if (stream) {
    sse = &call.exchange.Stream();
    sse->Start(200, "text/event-stream; charset=utf-8",
               {{"Cache-Control", "no-store"}, {"X-Accel-Buffering", "no"}});
    call.status = 200;
    sse->Write(SseEvent("start", {{"conversation_id", conversation_id}}));
  }
  engine::TokenCallback on_token;
  if (sse != nullptr) {
    on_token = [sse](std::string_view delta) {
      return sse->Write(SseEvent("token", {{"text", std::string(delta)}}));
    };
  }
  auto answer = RunAnswer(call, *question, history, on_token, "ask");
  if (!answer) {
    if (sse == nullptr) {
      SendResultError(call, answer.error());
    } else {
      const int status = answer.error().code == ErrorCode::kInvalidArgument ? 400 : 503;
      sse->Write(
          SseEvent("error", {{"error",
                              {{"code", status == 400 ? "invalid_argument" : "unavailable"},
                               {"message", status == 400 ? answer.error().message
                                                         : "the answer failed; try again"}}}}));
      sse->End();
    }
    return;
  }
  const std::string answer_id = app::RandomHex(16);
  nlohmann::json json = app::AnswerJson(*answer);
  json["answer_id"] = answer_id;
  json["conversation_id"] = conversation_id;
  nlohmann::json details = {{"citations", json["citations"]},
                            {"related", json["related"]},
                            {"generator", answer->generator},
                            {"no_answer", answer->no_answer},
                            {"fallback", answer->fallback}};
  if (auto stored = (*conversations)
                        ->AppendExchange(call.identity->user_id, conversation_id, *question,
                                         answer->text, answer_id, details.dump());
      !stored) {
    // The answer is still worth showing; only the history misses it.
    log::Warn("server.conversation_store_failed", {{"error", stored.error().ToString()}});
  }
  if (sse == nullptr) {
    Send(call, JsonResponse(200, json));
    return;
  }
  sse->Write(SseEvent("citations", {{"citations", json["citations"]}}));
  sse->Write(SseEvent("done", json));
  sse->End();
}

void Api::Search(Call& call) {
  auto body = JsonBody(call);
  if (!body) return;
  const auto query_field = body->find("query");
  if (query_field == body->end() || !query_field->is_string()) {
    SendError(call, 400, "invalid_argument", "expected {\"query\": \"...\"}");
    return;
  }
  // The same checks as a question: trimmed, not empty, bounded, no control characters.
  auto query =
      app::ValidateQuestion(query_field->get<std::string>(), config_.answer.max_question_chars);
  if (!query) {
    SendResultError(call, query.error());
    return;
  }
  int k = 10;
  if (auto field = body->find("k"); field != body->end()) {
    if (!field->is_number_integer() || field->get<int64_t>() < 1 || field->get<int64_t>() > 100) {
      SendError(call, 400, "invalid_argument", "k must be an integer from 1 to 100");
      return;
    }
    k = field->get<int>();
  }
  auto catalog = call.worker.catalog();
  if (!catalog) {
    SendResultError(call, catalog.error());
    return;
  }
  const auto snapshot = index_.Current();
  const auto started = std::chrono::steady_clock::now();
  auto passages = retriever_.Search(*snapshot, **catalog, call.identity->principal, *query, k);
  metrics_.ObserveStage(
      PipelineStage::kRetrieve,
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  AuditEvent event;
  event.user = call.identity->name;
  event.action = "search";
  event.query = *query;
  if (!passages) {
    if (passages.error().code == ErrorCode::kUnavailable) call.worker.Reset();
    event.status = "error";
    audit_.Record(event);
    SendResultError(call, passages.error());
    return;
  }
  nlohmann::json out = {{"passages", nlohmann::json::array()}};
  int rank = 0;
  for (const auto& passage : *passages) {
    out["passages"].push_back(app::PassageJson(passage, ++rank));
    event.documents.push_back({passage.document_id, passage.acl});
  }
  event.status = "ok";
  event.latency_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - call.started)
          .count();
  audit_.Record(event);
  Send(call, JsonResponse(200, out));
}

void Api::Feedback(Call& call) {
  auto body = JsonBody(call);
  if (!body) return;
  const auto answer_id = body->find("answer_id");
  const auto rating = body->find("rating");
  if (answer_id == body->end() || !answer_id->is_string() || rating == body->end() ||
      !rating->is_string() || (*rating != "up" && *rating != "down")) {
    SendError(call, 400, "invalid_argument",
              "expected {\"answer_id\": \"...\", \"rating\": \"up\" or \"down\"}");
    return;
  }
  std::string comment;
  if (auto field = body->find("comment"); field != body->end() && !field->is_null()) {
    if (!field->is_string() || field->get<std::string>().size() > 4000 ||
        !IsValidUtf8(field->get<std::string>())) {
      SendError(call, 400, "invalid_argument", "comment must be text of at most 4000 bytes");
      return;
    }
    comment = field->get<std::string>();
  }
  auto conversations = call.worker.conversations();
  if (!conversations) {
    SendResultError(call, conversations.error());
    return;
  }
  auto stored = (*conversations)
                    ->SetFeedback(call.identity->user_id, answer_id->get<std::string>(),
                                  rating->get<std::string>(), comment);
  if (!stored) {
    SendResultError(call, stored.error());
  } else if (!*stored) {
    SendError(call, 404, "not_found", "no such answer");
  } else {
    Send(call, JsonResponse(200, {{"recorded", true}}));
  }
}

void Api::ListConversations(Call& call) {
  auto conversations = call.worker.conversations();
  if (!conversations) {
    SendResultError(call, conversations.error());
    return;
  }
  auto list = (*conversations)->List(call.identity->user_id, 200);
  if (!list) {
    SendResultError(call, list.error());
    return;
  }
  nlohmann::json out = {{"conversations", nlohmann::json::array()}};
  for (const auto& c : *list) {
    out["conversations"].push_back({{"id", c.id},
                                    {"title", c.title},
                                    {"created", c.created_unix},
                                    {"updated", c.updated_unix},
                                    {"messages", c.messages}});
  }
  Send(call, JsonResponse(200, out));
}

void Api::GetConversation(Call& call) {
  auto conversations = call.worker.conversations();
  if (!conversations) {
    SendResultError(call, conversations.error());
    return;
  }
  auto messages = (*conversations)->Messages(call.identity->user_id, call.request.params["id"]);
  if (!messages) {
    SendResultError(call, messages.error());
    return;
  }
  if (!*messages) {
    SendError(call, 404, "not_found", "no such conversation");
    return;
  }
  nlohmann::json out = {{"id", call.request.params["id"]}, {"messages", nlohmann::json::array()}};
  for (const auto& m : **messages) {
    nlohmann::json message = {{"role", m.role}, {"text", m.text}, {"created", m.created_unix}};
    if (!m.answer_id.empty()) message["answer_id"] = m.answer_id;
    auto details = nlohmann::json::parse(m.details_json, nullptr, false);
    if (details.is_object()) {
      // Answers stored before 2026-12-07 carry absolute file:// URIs; show the path instead.
      if (auto citations = details.find("citations");
          citations != details.end() && citations->is_array()) {
        for (auto& citation : *citations) {
          if (citation.is_object() && citation.value("uri", "").starts_with("file:")) {
            citation["uri"] = citation.value("path", "");
          }
        }
      }
      message.update(details);
    }
    out["messages"].push_back(std::move(message));
  }
  Send(call, JsonResponse(200, out));
}

void Api::DeleteConversation(Call& call) {
  auto conversations = call.worker.conversations();
  if (!conversations) {
    SendResultError(call, conversations.error());
    return;
  }
  auto deleted = (*conversations)->Delete(call.identity->user_id, call.request.params["id"]);
  if (!deleted) {
    SendResultError(call, deleted.error());
  } else if (!*deleted) {
    SendError(call, 404, "not_found", "no such conversation");
  } else {
    Send(call, JsonResponse(200, {{"deleted", true}}));
  }
}

}  // namespace wissen::server
