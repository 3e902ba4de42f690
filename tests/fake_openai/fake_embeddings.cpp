#include "fake_embeddings.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>

namespace wissen::fake_openai {
namespace {

bool IsWordByte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
}

uint64_t Fnv1a(const std::string& word) {
  uint64_t hash = 1469598103934665603ULL;
  for (unsigned char c : word) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  return hash;
}

// Shortest form that reads back as the same float, as servers print them.
std::string Number(float value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.9g", static_cast<double>(value));
  return buffer;
}

std::string VectorJson(const std::vector<float>& vector) {
  std::string out = "[";
  for (size_t i = 0; i < vector.size(); ++i) {
    if (i > 0) out += ',';
    out += Number(vector[i]);
  }
  return out + "]";
}

}  // namespace

std::vector<float> FakeEmbeddingVector(const std::string& text, int dimension) {
  std::vector<float> vector(static_cast<size_t>(std::max(dimension, 1)), 0.0f);
  std::string word;
  auto flush = [&] {
    if (word.empty()) return;
    const uint64_t hash = Fnv1a(word);
    vector[hash % vector.size()] += (hash >> 63) != 0 ? -1.0f : 1.0f;
    word.clear();
  };
  for (unsigned char c : text) {
    if (!IsWordByte(c)) {
      flush();
      continue;
    }
    word += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : static_cast<char>(c);
  }
  flush();
  return vector;
}

EmbeddingsReply AnswerEmbeddingsRequest(const RecordedRequest& request, EmbeddingBehavior behavior,
                                        int dimension) {
  EmbeddingsReply reply;
  switch (behavior) {
    case EmbeddingBehavior::kHang:
      reply.hang = true;
      return reply;
    case EmbeddingBehavior::kError500:
      reply.status = 500;
      reply.reason = "Internal Server Error";
      reply.body =
          R"({"error":{"code":500,"message":"llama_decode failed: out of memory","type":"server_error"}})";
      return reply;
    case EmbeddingBehavior::kError500Legacy:
      reply.status = 500;
      reply.reason = "Internal Server Error";
      reply.body =
          R"({"object":"error","message":"The engine is dead.","type":"InternalServerError","param":null,"code":500})";
      return reply;
    case EmbeddingBehavior::kError400:
      reply.status = 400;
      reply.reason = "Bad Request";
      reply.body =
          R"({"error":{"code":400,"message":"input is too large to process. increase the physical batch size","type":"invalid_request_error"}})";
      return reply;
    case EmbeddingBehavior::kGarbage:
      reply.body = "<html><body><h1>502 Bad Gateway</h1></body></html>";
      return reply;
    case EmbeddingBehavior::kOk:
    case EmbeddingBehavior::kReversed:
    case EmbeddingBehavior::kWrongDimension:
    case EmbeddingBehavior::kPerToken:
      break;
  }

  const nlohmann::json body = request.Json();
  std::vector<std::string> inputs;
  std::string model;
  if (body.is_object()) {
    if (auto it = body.find("model"); it != body.end() && it->is_string()) model = *it;
    if (auto it = body.find("input"); it != body.end()) {
      if (it->is_string()) inputs.push_back(*it);
      if (it->is_array()) {
        for (const auto& item : *it) {
          if (item.is_string()) inputs.push_back(item);
        }
      }
    }
  }
  if (inputs.empty()) {
    reply.status = 400;
    reply.reason = "Bad Request";
    reply.body =
        R"({"error":{"code":400,"message":"\"input\" must be a string or a list of strings","type":"invalid_request_error"}})";
    return reply;
  }
  const int dim = behavior == EmbeddingBehavior::kWrongDimension ? dimension + 1 : dimension;
  std::vector<std::string> items;
  size_t tokens = 0;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const std::vector<float> vector = FakeEmbeddingVector(inputs[i], dim);
    std::string embedding = VectorJson(vector);
    if (behavior == EmbeddingBehavior::kPerToken)
      embedding = "[" + embedding + "," + embedding + "]";
    items.push_back(R"({"object":"embedding","index":)" + std::to_string(i) + R"(,"embedding":)" +
                    embedding + "}");
    tokens += inputs[i].size() / 4 + 1;
  }
  if (behavior == EmbeddingBehavior::kReversed) std::reverse(items.begin(), items.end());
  std::string data;
  for (const std::string& item : items) data += (data.empty() ? "" : ",") + item;
  nlohmann::json model_json = model;
  reply.body = R"({"object":"list","data":[)" + data + R"(],"model":)" + model_json.dump() +
               R"(,"usage":{"prompt_tokens":)" + std::to_string(tokens) + R"(,"total_tokens":)" +
               std::to_string(tokens) + "}}";
  return reply;
}

void FakeOpenAiServer::SetEmbeddingDimension(int dimension) {
  std::lock_guard lock(mutex_);
  embedding_dimension_ = dimension;
}

void FakeOpenAiServer::SetEmbeddingDefault(EmbeddingBehavior behavior) {
  std::lock_guard lock(mutex_);
  embedding_default_ = behavior;
}

void FakeOpenAiServer::EnqueueEmbedding(EmbeddingBehavior behavior) {
  std::lock_guard lock(mutex_);
  embedding_queue_.push_back(behavior);
}

EmbeddingsReply FakeOpenAiServer::AnswerEmbeddings(const RecordedRequest& request) {
  EmbeddingBehavior behavior;
  int dimension;
  {
    std::lock_guard lock(mutex_);
    behavior = embedding_default_;
    if (!embedding_queue_.empty()) {
      behavior = embedding_queue_.front();
      embedding_queue_.pop_front();
    }
    dimension = embedding_dimension_;
  }
  return AnswerEmbeddingsRequest(request, behavior, dimension);
}

}  // namespace wissen::fake_openai
