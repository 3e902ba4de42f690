#include "wissen/engine/openai_client.h"

#include <algorithm>
#include <mutex>
#include <nlohmann/json.hpp>
#include <utility>

#include "http_client.h"
#include "openai_wire.h"
#include "sse_parser.h"
#include "wissen/core/log.h"
#include "wissen/core/retry.h"
#include "wissen/core/text.h"

namespace wissen::engine {
namespace {

using Clock = std::chrono::steady_clock;
using internal::HttpEnd;
using internal::HttpOutcome;
using nlohmann::json;

// Error bodies are short; keeping more than this of one only costs memory.
constexpr size_t kMaxErrorBodyBytes = 64 * 1024;

using internal::ErrorMessageOf;
using internal::IsErrorObject;
using internal::RetryableStatus;

std::string Lower(std::string_view text) { return LowerAscii(text); }
std::string Quote(std::string_view text) { return internal::QuoteServerText(text); }

// Reads a token count; absent, null or nonsense gives -1.
int CountField(const json& holder, const char* name) {
  if (!holder.is_object()) return -1;
  auto it = holder.find(name);
  if (it == holder.end() || !it->is_number()) return -1;
  double value = it->get<double>();
  if (value < 0 || value > 1e9) return -1;
  return static_cast<int>(value);
}

using internal::AttemptFailure;

// Reads one HTTP response: SSE stream, JSON body or error body. One per attempt.
class ChatResponseReader : public internal::HttpResponseHandler {
 public:
  ChatResponseReader(const OpenAiOptions& options, Clock::time_point attempt_start,
                     Clock::time_point total_deadline, const TokenCallback& on_token)
      : options_(options),
        first_token_deadline_(
            std::min(total_deadline,
                     attempt_start + std::chrono::milliseconds(options.first_token_timeout_ms))),
        total_deadline_(total_deadline),
        on_token_(on_token),
        parser_(static_cast<size_t>(std::max<int64_t>(options.max_response_bytes, 1))) {}

  bool OnStart(long status, std::string_view content_type) override {
    status_ = status;
    if (status != 200) {
      mode_ = Mode::kError;
    } else if (Lower(content_type).starts_with("text/event-stream")) {
      mode_ = Mode::kSse;
    } else {
      mode_ = Mode::kJson;  // also when a server ignores "stream": true
    }
    return true;
  }

  bool OnBody(std::string_view bytes) override {
    received_bytes_ += static_cast<int64_t>(bytes.size());
    if (received_bytes_ > options_.max_response_bytes) {
      Fail(ErrorCode::kParse,
           "the model server's response exceeded " + std::to_string(options_.max_response_bytes) +
               " bytes",
           "too_large");
      return false;
    }
    switch (mode_) {
      case Mode::kSse: {
        bool go_on =
            parser_.Feed(bytes, [this](const internal::SseEvent& e) { return OnEvent(e); });
        if (parser_.overflow() && !failure_) {
          Fail(ErrorCode::kParse, "the model server sent an over-long stream line", "too_large");
        }
        return go_on;
      }
      case Mode::kError:
        if (body_.size() < kMaxErrorBodyBytes) {
          body_.append(bytes.substr(0, kMaxErrorBodyBytes - body_.size()));
        }
        return true;
      case Mode::kJson:
        body_.append(bytes);
        return true;
    }
    return true;
  }

  Clock::time_point Deadline() const override {
    if (options_.stream && !first_token_) return first_token_deadline_;
    return total_deadline_;
  }

  // Turns the transfer's end into the attempt's result.
  std::expected<GenerationResult, AttemptFailure> Finish(const HttpOutcome& outcome) {
    if (outcome.end == HttpEnd::kComplete && mode_ == Mode::kSse && !failure_ &&
        !stopped_by_caller_) {
      parser_.Finish([this](const internal::SseEvent& e) { return OnEvent(e); });
    }
    if (stopped_by_caller_) return Success();
    if (failure_) return Broken(std::move(*failure_));
    switch (outcome.end) {
      case HttpEnd::kComplete:
        break;
      case HttpEnd::kDeadline:
        if (options_.stream && !first_token_ && first_token_deadline_ < total_deadline_) {
          return Broken(
              {{ErrorCode::kTimeout, "the model server sent no answer token within " +
                                         std::to_string(options_.first_token_timeout_ms) + " ms"},
               true,
               "first_token_timeout"});
        }
        return Broken({{ErrorCode::kTimeout, "the model server did not finish the answer within " +
                                                 std::to_string(options_.total_timeout_ms) + " ms"},
                       false,
                       "total_timeout"});
      case HttpEnd::kConnectFailed:
        return Broken({{ErrorCode::kUnavailable,
                        "cannot connect to the model server: " + Quote(outcome.detail)},
                       true,
                       "connect_failed"});
      case HttpEnd::kConnectTimeout:
        return Broken(
            {{ErrorCode::kTimeout, "no connection to the model server within " +
                                       std::to_string(options_.connect_timeout_ms) + " ms"},
             true,
             "connect_timeout"});
      case HttpEnd::kBroken:
        return Broken({{ErrorCode::kUnavailable,
                        "the connection to the model server broke: " + Quote(outcome.detail)},
                       true,
                       "connection_lost"});
      case HttpEnd::kStopped:
        return Broken(
            {{ErrorCode::kInternal, "the model response was abandoned"}, false, "internal"});
      case HttpEnd::kFailed:
        return Broken({{ErrorCode::kUnavailable,
                        "the request to the model server failed: " + Quote(outcome.detail)},
                       false,
                       "request_failed"});
    }
    if (mode_ == Mode::kError || status_ != 200) return StatusFailure();
    if (mode_ == Mode::kJson) return FinishJson();
    if (!done_ && !finished_) {
      return Broken({{ErrorCode::kUnavailable,
                      "the model server ended the stream before the answer was complete"},
                     true,
                     "stream_truncated"});
    }
    return Success();
  }

  int pieces() const { return pieces_; }

 private:
  enum class Mode { kSse, kJson, kError };

  void Fail(ErrorCode code, std::string message, std::string kind, bool retryable = false) {
    if (!failure_)
      failure_ = AttemptFailure{{code, std::move(message)}, retryable, std::move(kind)};
  }

  // A failure, retryable only while nothing has reached the caller; after that the error
  // says how much of the answer the caller already has.
  std::unexpected<AttemptFailure> Broken(AttemptFailure failure) {
    if (pieces_ > 0) {
      failure.retryable = false;
      failure.error.message = "the answer broke off after " + std::to_string(text_.size()) +
                              " bytes in " + std::to_string(pieces_) +
                              " pieces had been streamed: " + failure.error.message;
    }
    return std::unexpected(std::move(failure));
  }

  bool OnEvent(const internal::SseEvent& event) {
    if (done_) return true;
    std::string_view data = TrimAscii(event.data);
    if (data == "[DONE]") {
      done_ = true;
      return true;
    }
    json chunk = internal::ParseServerJson(data);
    if (chunk.is_discarded() || !chunk.is_object()) {
      Fail(ErrorCode::kParse, "the model server sent a stream event that is not a JSON object",
           "bad_json");
      return false;
    }
    if (IsErrorObject(chunk) || event.event == "error") {
      std::string message = ErrorMessageOf(chunk);
      Fail(ErrorCode::kUnavailable,
           "the model server reported an error in the stream" +
               (message.empty() ? std::string() : ": " + message),
           "stream_error", /*retryable=*/true);
      return false;
    }
    ReadUsage(chunk);
    auto choices = chunk.find("choices");
    if (choices == chunk.end() || choices->is_null()) return true;
    if (!choices->is_array()) {
      Fail(ErrorCode::kParse, "the model server sent \"choices\" that is not a list", "bad_shape");
      return false;
    }
    if (choices->empty()) return true;  // the usage-only last chunk
    const json& choice = choices->front();
    if (!choice.is_object()) {
      Fail(ErrorCode::kParse, "the model server sent a choice that is not an object", "bad_shape");
      return false;
    }
    if (auto reason = choice.find("finish_reason"); reason != choice.end() && reason->is_string()) {
      finished_ = true;
    }
    auto delta = choice.find("delta");
    if (delta == choice.end() || delta->is_null()) return true;
    if (!delta->is_object()) {
      Fail(ErrorCode::kParse, "the model server sent a delta that is not an object", "bad_shape");
      return false;
    }
    // Reasoning models think before they answer; thinking is progress but not answer text.
    if (auto thinking = delta->find("reasoning_content");
        thinking != delta->end() && thinking->is_string() &&
        !thinking->get_ref<const std::string&>().empty()) {
      first_token_ = true;
    }
    auto content = delta->find("content");
    if (content == delta->end() || content->is_null()) return true;
    if (!content->is_string()) {
      Fail(ErrorCode::kParse, "the model server sent content that is not a string", "bad_shape");
      return false;
    }
    return Deliver(content->get<std::string>());
  }

  // Appends answer text and hands it to the caller; false when the caller stops.
  bool Deliver(std::string piece) {
    std::erase(piece, '\0');  // a NUL would end the text in C APIs and PostgreSQL
    if (piece.empty()) return true;
    first_token_ = true;
    text_ += piece;
    ++pieces_;
    if (on_token_ && !on_token_(piece)) {
      stopped_by_caller_ = true;
      return false;
    }
    return true;
  }

  void ReadUsage(const json& chunk) {
    if (auto usage = chunk.find("usage"); usage != chunk.end() && usage->is_object()) {
      if (int n = CountField(*usage, "prompt_tokens"); n >= 0) prompt_tokens_ = n;
      if (int n = CountField(*usage, "completion_tokens"); n >= 0) completion_tokens_ = n;
    }
    // llama.cpp's last chunk carries timings; older versions send no usage.
    if (auto timings = chunk.find("timings"); timings != chunk.end() && timings->is_object()) {
      if (int n = CountField(*timings, "predicted_n"); n >= 0) predicted_n_ = n;
    }
  }

  std::expected<GenerationResult, AttemptFailure> StatusFailure() {
    json body = internal::ParseServerJson(body_);
    std::string message = body.is_discarded() ? "" : ErrorMessageOf(body);
    std::string what = "HTTP " + std::to_string(status_);
    ErrorCode code = ErrorCode::kUnavailable;
    std::string prefix = "the model server answered " + what;
    if (status_ == 401 || status_ == 403) {
      prefix = "the model server rejected the API key (" + what + ")";
    } else if (status_ == 404) {
      prefix = "the model server does not know this model or endpoint (" + what + ")";
    } else if (status_ == 408 || status_ == 504) {
      code = ErrorCode::kTimeout;
    }
    return Broken({{code, prefix + (message.empty() ? "" : ": " + message)},
                   RetryableStatus(status_),
                   "http_" + std::to_string(status_)});
  }

  std::expected<GenerationResult, AttemptFailure> FinishJson() {
    json body = internal::ParseServerJson(body_);
    if (body.is_discarded() || !body.is_object()) {
      return Broken({{ErrorCode::kParse, "the model server's response is not a JSON object"},
                     false,
                     "bad_json"});
    }
    if (IsErrorObject(body)) {
      std::string message = ErrorMessageOf(body);
      return Broken(
          {{ErrorCode::kUnavailable, "the model server reported an error" +
                                         (message.empty() ? std::string() : ": " + message)},
           true,
           "server_error"});
    }
    ReadUsage(body);
    auto choices = body.find("choices");
    if (choices == body.end() || !choices->is_array() || choices->empty() ||
        !choices->front().is_object()) {
      return Broken(
          {{ErrorCode::kParse, "the model server's response has no choices"}, false, "bad_shape"});
    }
    const json& choice = choices->front();
    std::string content;
    if (auto message = choice.find("message"); message != choice.end() && message->is_object()) {
      auto it = message->find("content");
      if (it != message->end() && it->is_string()) {
        content = it->get<std::string>();
      } else if (it != message->end() && !it->is_null()) {
        return Broken({{ErrorCode::kParse, "the model server sent content that is not a string"},
                       false,
                       "bad_shape"});
      }
    } else {
      return Broken(
          {{ErrorCode::kParse, "the model server's choice has no message"}, false, "bad_shape"});
    }
    Deliver(std::move(content));
    return Success();
  }

  GenerationResult Success() const {
    GenerationResult result;
    result.text = SanitizeUtf8(text_);
    result.prompt_tokens = prompt_tokens_;
    result.completion_tokens =
        completion_tokens_ >= 0 ? completion_tokens_ : (predicted_n_ >= 0 ? predicted_n_ : pieces_);
    return result;
  }

  const OpenAiOptions& options_;
  const Clock::time_point first_token_deadline_;
  const Clock::time_point total_deadline_;
  const TokenCallback& on_token_;
  internal::SseParser parser_;
  Mode mode_ = Mode::kJson;
  long status_ = 0;
  int64_t received_bytes_ = 0;
  std::string body_;
  std::string text_;
  int pieces_ = 0;
  bool first_token_ = false;
  bool done_ = false;
  bool finished_ = false;
  bool stopped_by_caller_ = false;
  int prompt_tokens_ = -1;
  int completion_tokens_ = -1;
  int predicted_n_ = -1;
  std::optional<AttemptFailure> failure_;
};

}  // namespace

struct OpenAiGenerator::Impl {
  enum class Admission { kAllow, kProbe, kReject };

  explicit Impl(OpenAiOptions o) : options(std::move(o)) {
    if (auto valid = ValidateOpenAiOptions(options); !valid) config_error = valid.error().message;
    if (!options.build_messages) options.build_messages = &DefaultChatMessages;
    if (!options.now) options.now = [] { return Clock::now(); };
    std::string base = options.base_url;
    while (!base.empty() && base.back() == '/') base.pop_back();
    url = base + "/chat/completions";
  }

  Admission Admit(ModelHealth* snapshot) {
    std::lock_guard lock(mutex);
    ++health.calls;
    Admission admission = Admission::kAllow;
    if (health.breaker == BreakerState::kHalfOpen) {
      admission = Admission::kReject;  // a probe is already under way
    } else if (health.breaker == BreakerState::kOpen) {
      if (options.now() - opened_at >= std::chrono::milliseconds(options.breaker_cooldown_ms)) {
        health.breaker = BreakerState::kHalfOpen;
        admission = Admission::kProbe;
      } else {
        admission = Admission::kReject;
      }
    }
    if (admission == Admission::kReject) ++health.rejected;
    *snapshot = health;
    return admission;
  }

  void Record(const Error* error, bool probe) {
    std::lock_guard lock(mutex);
    if (error == nullptr) {
      health.consecutive_failures = 0;
      health.breaker = BreakerState::kClosed;
      return;
    }
    ++health.failures;
    ++health.consecutive_failures;
    health.last_error = error->ToString();
    if (probe || health.consecutive_failures >= options.breaker_failures) {
      if (health.breaker != BreakerState::kOpen) {
        log::Warn("model_breaker_open", {{"generator", "openai:" + options.model},
                                         {"consecutive_failures", health.consecutive_failures},
                                         {"cooldown_ms", options.breaker_cooldown_ms}});
      }
      health.breaker = BreakerState::kOpen;
      opened_at = options.now();
    }
  }

  void CountRequest() {
    std::lock_guard lock(mutex);
    ++health.server_requests;
  }

  internal::HttpPostRequest BuildRequest(const GenerationRequest& request,
                                         int64_t* prompt_bytes) const {
    json messages = json::array();
    *prompt_bytes = 0;
    for (const ChatTurn& turn : options.build_messages(request)) {
      messages.push_back({{"role", turn.role}, {"content", turn.content}});
      *prompt_bytes += static_cast<int64_t>(turn.content.size());
    }
    json body = {{"model", options.model},
                 {"messages", std::move(messages)},
                 {"temperature", options.temperature},
                 {"max_tokens", options.max_tokens},
                 {"stream", options.stream}};
    if (options.seed) body["seed"] = *options.seed;
    if (options.stream) body["stream_options"] = {{"include_usage", true}};

    internal::HttpPostRequest post;
    post.url = url;
    post.connect_timeout_ms = options.connect_timeout_ms;
    post.headers = {"Content-Type: application/json",
                    options.stream ? "Accept: text/event-stream" : "Accept: application/json"};
    if (!options.api_key.empty())
      post.headers.push_back("Authorization: Bearer " + options.api_key);
    // Passages may hold ill-formed UTF-8 that slipped through; replace rather than throw.
    post.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
    return post;
  }

  Result<GenerationResult> Generate(const GenerationRequest& request,
                                    const TokenCallback& on_token) {
    if (!config_error.empty()) return Fail(ErrorCode::kConfig, config_error);
    ModelHealth snapshot;
    const Admission admission = Admit(&snapshot);
    if (admission == Admission::kReject) {
      return Fail(ErrorCode::kUnavailable,
                  "the model server is marked unavailable after " +
                      std::to_string(snapshot.consecutive_failures) +
                      " failed calls (circuit breaker open); last error: " + snapshot.last_error);
    }
    int64_t prompt_bytes = 0;
    internal::HttpPostRequest post = BuildRequest(request, &prompt_bytes);
    const Clock::time_point total_deadline =
        Clock::now() + std::chrono::milliseconds(options.total_timeout_ms);

    int attempts = 0;
    auto result = Retry(
        RetryPolicy{options.retries, options.retry_backoff_ms, total_deadline},
        [&] {
          CountRequest();
          ChatResponseReader reader(options, Clock::now(), total_deadline, on_token);
          const HttpOutcome outcome = internal::PerformPost(post, reader);
          return reader.Finish(outcome);
        },
        [](const auto& result) { return internal::WorthRetrying(result); }, &attempts);
    if (result) {
      Record(nullptr, admission == Admission::kProbe);
      result->generator = "openai:" + options.model;
      if (result->prompt_tokens <= 0) {
        // Ollama reports 0 after a prompt-cache hit; the prompt was still that long.
        result->prompt_tokens = static_cast<int>((prompt_bytes + 3) / 4);
      }
      return std::move(*result);
    }
    AttemptFailure last = std::move(result.error());
    log::Warn("model_call_failed", {{"generator", "openai:" + options.model},
                                    {"code", ErrorCodeName(last.error.code)},
                                    {"kind", last.kind},
                                    {"attempts", attempts}});
    Record(&last.error, admission == Admission::kProbe);
    return Fail(std::move(last.error));
  }

  OpenAiOptions options;
  std::string url;
  std::string config_error;
  mutable std::mutex mutex;
  ModelHealth health;             // guarded by mutex
  Clock::time_point opened_at{};  // guarded by mutex
};

OpenAiGenerator::OpenAiGenerator(OpenAiOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

OpenAiGenerator::~OpenAiGenerator() = default;

Result<GenerationResult> OpenAiGenerator::Generate(const GenerationRequest& request,
                                                   const TokenCallback& on_token) {
  return impl_->Generate(request, on_token);
}

std::string OpenAiGenerator::Name() const { return "openai:" + impl_->options.model; }

BreakerState OpenAiGenerator::breaker_state() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->health.breaker;
}

ModelHealth OpenAiGenerator::Health() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->health;
}

std::unique_ptr<OpenAiGenerator> MakeOpenAiGenerator(OpenAiOptions options) {
  return std::make_unique<OpenAiGenerator>(std::move(options));
}

}  // namespace wissen::engine
