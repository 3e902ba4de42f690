// Api: every route of `wissen serve`, independent of the HTTP library. The listener hands
// each request to Api::Handle on a worker thread; Handle authenticates, checks the route's
// access level, CSRF and rate limits, runs the handler and records metrics and the audit
// trail. Errors are always {"error":{"code","message"}} with no internals in them.
// Thread-safe.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "auth/auth.h"
#include "auth/rate_limiter.h"
#include "http/http_types.h"
#include "http/router.h"
#include "http/worker_pool.h"
#include "wissen/app/answer_pipeline.h"
#include "wissen/app/database_watch.h"
#include "wissen/app/runtime.h"
#include "wissen/retriever/index_holder.h"
#include "wissen/server/audit.h"
#include "wissen/server/metrics.h"

namespace wissen::server {

// How a handler answers: once with a whole response, or as a stream (SSE).
class Exchange {
 public:
  virtual ~Exchange() = default;
  virtual void Reply(Response response) = 0;
  virtual ResponseStream& Stream() = 0;
};

// What a handler works with.
struct Call {
  Request& request;
  Exchange& exchange;
  WorkerContext& worker;
  std::optional<Identity> identity;
  std::string route;  // the matched template, for metrics and audit
  int status = 0;     // what was sent, for metrics
  std::chrono::steady_clock::time_point started;
};

class Api {
 public:
  // `runtime` must outlive the Api; its catalog connection is used for crawls started
  // through the API (one at a time).
  // `database` says whether PostgreSQL answers, for /healthz.
  Api(app::Runtime& runtime, retriever::IndexHolder& index, WissenMetrics& metrics,
      AuditTrail& audit, const app::DatabaseWatch& database);
  ~Api();

  // Runs on a worker thread; replies exactly once (or streams).
  void Handle(Request request, Exchange& exchange, WorkerContext& worker);
  // Answers a request refused before it reached a worker (queue full, body too large).
  void CountRejected(const std::string& route, const std::string& method, int status);

  // Every route as {method, template}, for the OpenAPI check.
  static std::vector<std::pair<std::string, std::string>> RouteList();

  const app::AnswerPipeline& pipeline() const { return *pipeline_; }
  // Waits for a crawl started through the API to finish (shutdown).
  void JoinCrawl();

 private:
  using Handler = void (Api::*)(Call&);
  static const std::vector<Route<Handler>>& Routes();

  void Send(Call& call, Response response);
  void SendError(Call& call, int status, std::string_view code, std::string_view message);
  void SendResultError(Call& call, const Error& error);
  // Parses the JSON object body; replies 400/415 and returns nullopt when it is not one.
  std::optional<nlohmann::json> JsonBody(Call& call);
  // Token bucket per user; replies 429 and returns false when exhausted.
  // Who sent the request (session, API key or SSO); nullopt when no valid credentials.
  Result<std::optional<Identity>> IdentifyCaller(Call& call);
  bool WithinRate(Call& call);
  // Daily model-token quota; replies 429 and returns false when used up.
  bool WithinQuota(Call& call);
  // The recent turns of the caller's conversation; replies 404 and returns nullopt when it
  // is not theirs.
  std::optional<std::vector<engine::ChatTurn>> ConversationHistory(
      Call& call, const std::string& conversation_id);
  // The document named by {id} when the caller may read it (audited); otherwise replies 404
  // and returns nullopt.
  std::optional<store::DocumentView> ReadableDocument(Call& call, const char* action);
  // Runs the answer pipeline for the caller and records quota, metrics and audit.
  Result<wissen::app::Answer> RunAnswer(Call& call, const std::string& question,
                                        const std::vector<engine::ChatTurn>& history,
                                        const engine::TokenCallback& on_token,
                                        const std::string& action);

  // Handlers (api_*.cpp).
  void Healthz(Call& call);
  void Readyz(Call& call);
  void Metrics(Call& call);
  void Login(Call& call);
  void Logout(Call& call);
  void Me(Call& call);
  void AuthCheck(Call& call);
  void Ask(Call& call);
  void Search(Call& call);
  void GetDocument(Call& call);
  void GetDocumentFile(Call& call);
  void ListSources(Call& call);
  void StartCrawl(Call& call);
  void ListCrawlRuns(Call& call);
  void Feedback(Call& call);
  void ListConversations(Call& call);
  void GetConversation(Call& call);
  void DeleteConversation(Call& call);
  void Models(Call& call);
  void ChatCompletions(Call& call);
  void Static(Call& call);

  app::Runtime& runtime_;
  const app::Config& config_;
  retriever::IndexHolder& index_;
  WissenMetrics& metrics_;
  AuditTrail& audit_;
  const app::DatabaseWatch& database_;
  std::unique_ptr<app::AnswerPipeline> pipeline_;
  retriever::Retriever retriever_;
  Authenticator authenticator_;
  std::vector<CidrRange> metrics_clients_;  // server.metrics_allow_cidrs
  std::vector<CidrRange> trusted_proxies_;  // server.trusted_proxies
  RequestLimiter request_limiter_;
  TokenQuota token_quota_;
  std::vector<std::pair<std::string, std::string>> patterns_;
  std::filesystem::path web_dir_;  // [server] web_dir, or the chat shipped with Wissen

  std::mutex crawl_mutex_;
  std::thread crawl_thread_;
  std::atomic<bool> crawl_running_{false};
};

}  // namespace wissen::server
