// Health, metrics, login/logout/me and the chat's static files.
#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

#include "api/api.h"

namespace wissen::server {

void Api::Healthz(Call& call) {
  // Up, unless the database has been away for longer than the watch's grace period: then
  // systemd's watchdog or a load balancer should take this replica out, while the watch
  // keeps trying to bring the embedded cluster back.
  if (!database_.Healthy()) {
    Send(call, JsonResponse(503, {{"status", "database_unreachable"}}));
    return;
  }
  Send(call, JsonResponse(200, {{"status", "ok"}}));
}

void Api::Readyz(Call& call) {
  nlohmann::json checks;
  bool ready = true;
  auto catalog = call.worker.catalog();
  if (catalog) {
    auto state = (*catalog)->GetIndexState();
    if (!state) {
      call.worker.Reset();
      catalog = Fail(state.error());
    }
  }
  checks["database"] = catalog ? "ok" : "unreachable";
  ready = ready && catalog.has_value();
  const auto snapshot = index_.Current();
  const std::string index_error = index_.last_error();
  checks["index"] = {{"generation", snapshot->generation},
                     {"state", !index_error.empty()       ? "load_failed"
                               : snapshot->generation > 0 ? "loaded"
                                                          : "empty"}};
  ready = ready && index_error.empty();
  if (const engine::OpenAiGenerator* model = pipeline_->model()) {
    const engine::ModelHealth health = model->Health();
    checks["model"] = {{"backend", model->Name()},
                       {"breaker", engine::BreakerStateName(health.breaker)}};
  } else {
    checks["model"] = {{"backend", "extractive"}, {"breaker", "closed"}};
  }
  // A model that is down does not make Wissen unready: answers fall back to extractive.
  Send(call, JsonResponse(ready ? 200 : 503, {{"ready", ready}, {"checks", checks}}));
}

void Api::Metrics(Call& call) {
  // The series name no role or document, but request rates, users' activity and index
  // sizes are still not for everyone.
  const std::string& token = config_.server.metrics_token;
  const std::string& authorization = call.request.Header("authorization");
  const bool token_ok = !token.empty() && authorization.size() == token.size() + 7 &&
                        authorization.starts_with("Bearer ") &&
                        ConstantTimeEquals(std::string_view(authorization).substr(7), token);
  if (!token_ok && !AnyContains(metrics_clients_, call.request.remote_address)) {
    SendError(call, 403, "forbidden",
              "metrics are for the addresses in server.metrics_allow_cidrs or with "
              "server.metrics_token");
    return;
  }
  Response response;
  response.content_type = "text/plain; version=0.0.4; charset=utf-8";
  response.body = metrics_.Render();
  Send(call, std::move(response));
}

void Api::Login(Call& call) {
  auto body = JsonBody(call);
  if (!body) return;
  const auto name = body->find("username");
  const auto password = body->find("password");
  if (name == body->end() || !name->is_string() || password == body->end() ||
      !password->is_string()) {
    SendError(call, 400, "invalid_argument", "expected {\"username\": ..., \"password\": ...}");
    return;
  }
  auto accounts = call.worker.accounts();
  if (!accounts) {
    call.worker.Reset();
    SendResultError(call, accounts.error());
    return;
  }
  auto user_name = app::NormalizeUserName(name->get<std::string>());
  if (!user_name) {
    SendError(call, 400, "invalid_argument", user_name.error().message);
    return;
  }
  int retry_after = 0;
  auto login =
      authenticator_.Login(*user_name, password->get<std::string>(),
                           ClientAddress(call.request, trusted_proxies_), **accounts, &retry_after);
  if (!login) {
    if (login.error().code == ErrorCode::kResourceExhausted) {
      metrics_.RateLimited();
      Response response = ErrorResponse(
          429, "rate_limited",
          "too many failed logins; try again in " + std::to_string(retry_after) + " seconds");
      response.AddHeader("Retry-After", std::to_string(retry_after));
      Send(call, std::move(response));
      return;
    }
    SendResultError(call, login.error());
    return;
  }
  const Identity& identity = login->identity;
  Response response = JsonResponse(200, {{"user", identity.name},
                                         {"roles", identity.principal.roles.roles()},
                                         {"admin", identity.admin},
                                         {"csrf_token", identity.csrf_token}});
  response.AddHeader("Set-Cookie", authenticator_.SessionCookie(login->session_token));
  Send(call, std::move(response));
}

void Api::Logout(Call& call) {
  auto accounts = call.worker.accounts();
  if (!accounts) {
    SendResultError(call, accounts.error());
    return;
  }
  if (auto ended = authenticator_.Logout(*call.identity, **accounts); !ended) {
    SendResultError(call, ended.error());
    return;
  }
  Response response = JsonResponse(200, {{"logged_out", true}});
  response.AddHeader("Set-Cookie", authenticator_.ClearedSessionCookie());
  Send(call, std::move(response));
}

void Api::AuthCheck(Call& call) {
  // nginx's auth_request asks this, without the body, before it reads the body of a request
  // that needs a login (deploy/nginx/wissen.conf): the answer is the status alone. A public
  // route, so that the check does not count against the user's request rate; it says no
  // more than any other route would (valid credentials or not).
  // OPTIONS needs no credentials on any route (the router answers it with Allow).
  if (call.request.Header("x-original-method") != "OPTIONS") {
    Result<std::optional<Identity>> identity = IdentifyCaller(call);
    if (!identity) {
      SendResultError(call, identity.error());  // 503 when the database is down
      return;
    }
    if (!*identity) {
      SendError(call, 401, "unauthenticated", "log in or send an API key");
      return;
    }
  }
  Response no_content;
  no_content.status = 204;
  Send(call, std::move(no_content));
}

void Api::Me(Call& call) {
  const Identity& identity = *call.identity;
  static constexpr const char* kVia[] = {"session", "api_key", "sso"};
  nlohmann::json me = {
      {"user", identity.name},
      {"roles", identity.principal.roles.roles()},
      {"admin", identity.admin},
      {"via", kVia[static_cast<int>(identity.via)]},
      {"generator", pipeline_->model() ? pipeline_->model()->Name() : std::string("extractive")}};
  if (!identity.csrf_token.empty()) me["csrf_token"] = identity.csrf_token;
  Send(call, JsonResponse(200, me));
}

namespace {

const char* StaticContentType(const std::string& name) {
  auto ends = [&](std::string_view suffix) {
    return name.size() >= suffix.size() &&
           name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  if (ends(".html")) return "text/html; charset=utf-8";
  if (ends(".js") || ends(".mjs")) return "text/javascript; charset=utf-8";
  if (ends(".css")) return "text/css; charset=utf-8";
  if (ends(".svg")) return "image/svg+xml";
  if (ends(".png")) return "image/png";
  if (ends(".ico")) return "image/x-icon";
  if (ends(".json")) return "application/json";
  return nullptr;
}

}  // namespace

void Api::Static(Call& call) {
  std::string name = call.request.params.contains("file") ? call.request.params["file"]
                                                          : std::string("index.html");
  const char* type = StaticContentType(name);
  // One path segment of a known type, of letters, digits, '-', '_' and '.': no "..", no
  // hidden files, nothing outside web_dir, and no NUL ("index.html\0.js" would open
  // index.html and serve it as JavaScript).
  const bool plain_name = std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
  });
  if (type == nullptr || name.empty() || name.front() == '.' || !plain_name) {
    SendError(call, 404, "not_found", "no such file");
    return;
  }
  std::ifstream in(web_dir_ / name, std::ios::binary);
  if (!in) {
    SendError(call, 404, "not_found", "no such file");
    return;
  }
  std::stringstream content;
  content << in.rdbuf();
  Response response;
  response.content_type = type;
  response.body = content.str();
  response.AddHeader("Cache-Control", "no-cache");
  Send(call, std::move(response));
}

}  // namespace wissen::server
