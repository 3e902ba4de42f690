#include "wissen/engine/openai_embedder.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <expected>
#include <nlohmann/json.hpp>
#include <utility>

#include "http_client.h"
#include "openai_wire.h"
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

using internal::AttemptFailure;

// Collects one response body, bounded.
class BodyCollector : public internal::HttpResponseHandler {
 public:
  BodyCollector(int64_t max_bytes, Clock::time_point deadline)
      : max_bytes_(max_bytes), deadline_(deadline) {}

  bool OnStart(long status, std::string_view /*content_type*/) override {
    status_ = status;
    return true;
  }
  bool OnBody(std::string_view bytes) override {
    if (status_ != 200) {
      if (body_.size() < kMaxErrorBodyBytes) {
        body_.append(bytes.substr(0, kMaxErrorBodyBytes - body_.size()));
      }
      return true;
    }
    if (static_cast<int64_t>(body_.size() + bytes.size()) > max_bytes_) {
      too_large_ = true;
      return false;
    }
    body_.append(bytes);
    return true;
  }
  Clock::time_point Deadline() const override { return deadline_; }

  long status() const { return status_; }
  bool too_large() const { return too_large_; }
  const std::string& body() const { return body_; }

 private:
  int64_t max_bytes_;
  Clock::time_point deadline_;
  long status_ = 0;
  bool too_large_ = false;
  std::string body_;
};

// Cuts `text` to at most `max_bytes` without splitting a UTF-8 sequence.
std::string CutUtf8(std::string text, size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  size_t cut = max_bytes;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  text.resize(cut);
  return text;
}

class OpenAiEmbedder final : public Embedder {
 public:
  explicit OpenAiEmbedder(OpenAiEmbedderOptions options) : options_(std::move(options)) {
    if (auto valid = ValidateOpenAiEmbedderOptions(options_); !valid) {
      config_error_ = valid.error().message;
    }
    std::string base = options_.base_url;
    while (!base.empty() && base.back() == '/') base.pop_back();
    url_ = base + "/embeddings";
  }

  EmbedderInfo Info() const override {
    return {"openai:" + options_.model, options_.version, options_.dimension};
  }

  Result<std::vector<float>> Embed(const std::vector<std::string>& texts,
                                   EmbedPurpose purpose) const override {
    if (!config_error_.empty()) return Fail(ErrorCode::kConfig, config_error_);
    const size_t dim = static_cast<size_t>(options_.dimension);
    std::vector<float> out(texts.size() * dim, 0.0f);
    const std::string& prefix =
        purpose == EmbedPurpose::kQuery ? options_.query_prefix : options_.passage_prefix;

    // Text without anything to embed gets the zero row the interface promises; servers
    // reject empty input or return a meaningless vector for it.
    std::vector<size_t> rows;
    std::vector<std::string> inputs;
    for (size_t i = 0; i < texts.size(); ++i) {
      std::string clean = SanitizeUtf8(texts[i]);
      if (TrimAscii(clean).empty()) continue;
      rows.push_back(i);
      inputs.push_back(CutUtf8(prefix + clean, static_cast<size_t>(options_.max_input_chars)));
    }
    const size_t batch = static_cast<size_t>(options_.batch_size);
    for (size_t start = 0; start < inputs.size(); start += batch) {
      const size_t end = std::min(inputs.size(), start + batch);
      std::vector<std::string> slice(inputs.begin() + static_cast<ptrdiff_t>(start),
                                     inputs.begin() + static_cast<ptrdiff_t>(end));
      auto vectors = EmbedBatch(slice);
      if (!vectors) return Fail(std::move(vectors.error()));
      for (size_t j = 0; j < slice.size(); ++j) {
        std::copy_n(vectors->begin() + static_cast<ptrdiff_t>(j * dim), dim,
                    out.begin() + static_cast<ptrdiff_t>(rows[start + j] * dim));
      }
    }
    return out;
  }

 private:
  // One batch with retries; row-major vectors in the order of `inputs`.
  Result<std::vector<float>> EmbedBatch(const std::vector<std::string>& inputs) const {
    internal::HttpPostRequest post;
    post.url = url_;
    post.connect_timeout_ms = options_.connect_timeout_ms;
    post.headers = {"Content-Type: application/json", "Accept: application/json"};
    if (!options_.api_key.empty()) {
      post.headers.push_back("Authorization: Bearer " + options_.api_key);
    }
    const json body = {{"model", options_.model}, {"input", inputs}};
    post.body = body.dump(-1, ' ', false, json::error_handler_t::replace);

    int attempts = 0;
    auto vectors = Retry(
        RetryPolicy{options_.retries, options_.retry_backoff_ms},
        [&] {
          BodyCollector collector(
              options_.max_response_bytes,
              Clock::now() + std::chrono::milliseconds(options_.request_timeout_ms));
          const HttpOutcome outcome = internal::PerformPost(post, collector);
          return Finish(outcome, collector, inputs.size());
        },
        [](const auto& result) { return internal::WorthRetrying(result); }, &attempts);
    if (vectors) return std::move(*vectors);
    AttemptFailure last = std::move(vectors.error());
    log::Warn("embedding_call_failed", {{"embedder", "openai:" + options_.model},
                                        {"code", ErrorCodeName(last.error.code)},
                                        {"kind", last.kind},
                                        {"attempts", attempts},
                                        {"texts", inputs.size()}});
    return Fail(std::move(last.error));
  }

  std::expected<std::vector<float>, AttemptFailure> Finish(const HttpOutcome& outcome,
                                                           const BodyCollector& collector,
                                                           size_t expected) const {
    using Failure = std::unexpected<AttemptFailure>;
    if (collector.too_large()) {
      return Failure(
          {{ErrorCode::kParse, "the embedding server's response exceeded " +
                                   std::to_string(options_.max_response_bytes) + " bytes"},
           false,
           "too_large"});
    }
    switch (outcome.end) {
      case HttpEnd::kComplete:
        break;
      case HttpEnd::kDeadline:
        return Failure(
            {{ErrorCode::kTimeout, "the embedding server did not answer within " +
                                       std::to_string(options_.request_timeout_ms) + " ms"},
             true,
             "timeout"});
      case HttpEnd::kConnectFailed:
        return Failure({{ErrorCode::kUnavailable, "cannot connect to the embedding server: " +
                                                      internal::QuoteServerText(outcome.detail)},
                        true,
                        "connect_failed"});
      case HttpEnd::kConnectTimeout:
        return Failure(
            {{ErrorCode::kTimeout, "no connection to the embedding server within " +
                                       std::to_string(options_.connect_timeout_ms) + " ms"},
             true,
             "connect_timeout"});
      case HttpEnd::kBroken:
        return Failure({{ErrorCode::kUnavailable, "the connection to the embedding server broke: " +
                                                      internal::QuoteServerText(outcome.detail)},
                        true,
                        "connection_lost"});
      case HttpEnd::kStopped:
      case HttpEnd::kFailed:
        return Failure({{ErrorCode::kUnavailable, "the request to the embedding server failed: " +
                                                      internal::QuoteServerText(outcome.detail)},
                        false,
                        "request_failed"});
    }
    const long status = collector.status();
    json body = internal::ParseServerJson(collector.body());
    if (status != 200) {
      const std::string message = body.is_discarded() ? "" : internal::ErrorMessageOf(body);
      std::string prefix = "the embedding server answered HTTP " + std::to_string(status);
      if (status == 401 || status == 403) {
        prefix = "the embedding server rejected the API key (HTTP " + std::to_string(status) + ")";
      } else if (status == 404) {
        prefix =
            "the embedding server does not know this model or endpoint (HTTP 404; is it "
            "started with embeddings enabled?)";
      }
      const ErrorCode code =
          status == 408 || status == 504 ? ErrorCode::kTimeout : ErrorCode::kUnavailable;
      return Failure({{code, prefix + (message.empty() ? "" : ": " + message)},
                      internal::RetryableStatus(status),
                      "http_" + std::to_string(status)});
    }
    if (body.is_discarded() || !body.is_object()) {
      return Failure({{ErrorCode::kParse, "the embedding server's response is not a JSON object"},
                      false,
                      "bad_json"});
    }
    if (internal::IsErrorObject(body)) {
      const std::string message = internal::ErrorMessageOf(body);
      return Failure(
          {{ErrorCode::kUnavailable, "the embedding server reported an error" +
                                         (message.empty() ? std::string() : ": " + message)},
           true,
           "server_error"});
    }
    return ParseVectors(body, expected);
  }

  // Reads data[].{index, embedding} into rows ordered by index, each L2-normalized.
  std::expected<std::vector<float>, AttemptFailure> ParseVectors(const json& body,
                                                                 size_t expected) const {
    auto bad = [](std::string message) {
      return std::unexpected<AttemptFailure>(
          {{ErrorCode::kParse, "the embedding server's response " + std::move(message)},
           false,
           "bad_shape"});
    };
    auto data = body.find("data");
    if (data == body.end() || !data->is_array()) return bad("has no \"data\" list");
    if (data->size() != expected) {
      return bad("holds " + std::to_string(data->size()) + " vectors for " +
                 std::to_string(expected) + " inputs");
    }
    const size_t dim = static_cast<size_t>(options_.dimension);
    std::vector<float> out(expected * dim, 0.0f);
    std::vector<bool> seen(expected, false);
    for (size_t position = 0; position < data->size(); ++position) {
      const json& item = (*data)[position];
      if (!item.is_object()) return bad("has an entry that is not an object");
      size_t index = position;  // a server that omits "index" answers in input order
      if (auto it = item.find("index"); it != item.end() && !it->is_null()) {
        if (!it->is_number_unsigned() || it->get<uint64_t>() >= expected) {
          return bad("has an index outside 0.." + std::to_string(expected - 1));
        }
        index = static_cast<size_t>(it->get<uint64_t>());
      }
      if (seen[index]) return bad("has index " + std::to_string(index) + " twice");
      seen[index] = true;
      auto vector = item.find("embedding");
      if (vector == item.end() || !vector->is_array()) return bad("has an entry without a vector");
      if (!vector->empty() && vector->front().is_array()) {
        return bad(
            "holds one vector per token instead of one per text (start the server with "
            "pooling, e.g. llama-server --pooling mean)");
      }
      if (vector->size() != dim) {
        return std::unexpected<AttemptFailure>(
            {{ErrorCode::kConfig,
              "the embedding model returned vectors of " + std::to_string(vector->size()) +
                  " dimensions, but " + std::to_string(dim) +
                  " are configured; set [embedding] dimension = " + std::to_string(vector->size()) +
                  " and run `wissen reindex`"},
             false,
             "dimension"});
      }
      float* row = out.data() + index * dim;
      double norm = 0;
      for (size_t k = 0; k < dim; ++k) {
        const json& value = (*vector)[k];
        if (!value.is_number()) return bad("has a vector component that is not a number");
        const double x = value.get<double>();
        if (!std::isfinite(x) || std::abs(x) > 1e30) {
          return bad("has a vector component that is not finite");
        }
        row[k] = static_cast<float>(x);
        norm += x * x;
      }
      // The index compares by inner product; only unit vectors make that a cosine.
      if (norm > 0) {
        const float scale = static_cast<float>(1.0 / std::sqrt(norm));
        for (size_t k = 0; k < dim; ++k) row[k] *= scale;
      }
    }
    return out;
  }

  OpenAiEmbedderOptions options_;
  std::string url_;
  std::string config_error_;
};

}  // namespace

Result<void> ValidateOpenAiEmbedderOptions(const OpenAiEmbedderOptions& o) {
  auto bad = [](std::string what) { return Fail(ErrorCode::kConfig, "embedding: " + what); };
  const std::string url = LowerAscii(o.base_url);
  if (!url.starts_with("http://") && !url.starts_with("https://")) {
    return bad("base_url must start with http:// or https://");
  }
  if (o.model.empty()) return bad("model must be set (the name the embedding server expects)");
  if (o.dimension < 1 || o.dimension > 65536) {
    return bad("dimension must be set to the model's vector size (1..65536)");
  }
  if (o.version.empty()) return bad("version must not be empty");
  if (o.batch_size < 1 || o.batch_size > 4096) return bad("batch_size must be in 1..4096");
  if (o.max_input_chars < 16) return bad("max_input_chars must be at least 16");
  if (static_cast<size_t>(o.max_input_chars) <=
      std::max(o.query_prefix.size(), o.passage_prefix.size())) {
    return bad("max_input_chars must be longer than the prefixes");
  }
  if (o.connect_timeout_ms < 1 || o.request_timeout_ms < 1) {
    return bad("timeouts must be positive");
  }
  if (o.retries < 0 || o.retries > 10) return bad("retries must be in 0..10");
  if (o.retry_backoff_ms < 0) return bad("retry_backoff_ms must not be negative");
  if (o.max_response_bytes < 1024) return bad("max_response_bytes must be at least 1024");
  for (char c : o.api_key) {
    if (c == '\r' || c == '\n') return bad("api_key must not contain line breaks");
  }
  return {};
}

std::unique_ptr<Embedder> MakeOpenAiEmbedder(OpenAiEmbedderOptions options) {
  return std::make_unique<OpenAiEmbedder>(std::move(options));
}

}  // namespace wissen::engine
