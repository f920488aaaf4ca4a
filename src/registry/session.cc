#include "registry/session.h"

#include <map>
#include <mutex>
#include <string_view>
#include <thread>
#include <vector>

#include "json/reader.h"

namespace hako::registry {
namespace {

using Clock = std::chrono::steady_clock;

// Who hako says it is to OAuth2 token services (Docker says "docker").
constexpr const char* kClientId = "hako";

struct Token {
  std::string value;
  std::string refresh;  // only when asked for offline (login) and the service gave one
  Clock::time_point expires;
};

std::vector<std::string> split_scopes(std::string_view scope) {
  std::vector<std::string> out;
  for (size_t i = 0; i < scope.size();) {
    size_t end = scope.find(' ', i);
    if (end == std::string_view::npos) end = scope.size();
    if (end > i) out.emplace_back(scope.substr(i, end - i));
    i = end + 1;
  }
  return out;
}

std::string query_escape(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace

std::chrono::milliseconds backoff_delay(int attempt) {
  if (attempt < 1) attempt = 1;
  int64_t ms = 250;
  for (int i = 1; i < attempt && ms < 8000; ++i) ms *= 2;
  return std::chrono::milliseconds(std::min<int64_t>(ms, 8000));
}

bool is_transient_status(long status) { return status >= 500 || status == 408 || status == 429; }

bool is_transient(const Error& e) { return e.code() == ErrorCode::kUnavailable; }

Error auth_error(const http::Response& response, const std::string& domain) {
  Error e = http::status_error(response);
  return Error(ErrorCode::kPermissionDenied,
               e.message() + " (check the credentials: hako login " + domain + ")");
}

struct Session::State {
  Endpoint endpoint;
  std::string base;
  std::optional<Credentials> creds;
  http::Client client;
  mutable std::mutex mu;
  // Held while a token is fetched, so that the blobs a push starts at once share one token
  // rather than each asking the token service (taken before mu, never inside it).
  mutable std::mutex fetch_mu;
  mutable std::optional<Challenge> challenge;   // from the ping or the latest 401
  mutable std::map<std::string, Token> tokens;  // by scope

  State(Endpoint e, std::string b, std::optional<Credentials> c, http::Client cl)
      : endpoint(std::move(e)), base(std::move(b)), creds(std::move(c)), client(std::move(cl)) {}

  std::string basic() const {
    return "Basic " + base64_encode(creds->username + ":" + creds->password);
  }

  // The Authorization value to send for `scope` now; empty for none. Fetches a token when the
  // registry asked for Bearer and none is cached.
  Result<std::string> authorization(const std::string& scope, bool refresh) const {
    std::optional<Challenge> ch;
    {
      std::lock_guard lock(mu);
      ch = challenge;
      if (ch && ch->scheme == "bearer" && !refresh) {
        auto it = tokens.find(scope);
        if (it != tokens.end() && Clock::now() < it->second.expires)
          return "Bearer " + it->second.value;
      }
    }
    if (!ch) return std::string();
    if (ch->scheme == "basic") return creds ? basic() : std::string();
    if (ch->scheme != "bearer")
      return not_implemented("registry " + endpoint.domain + " asks for \"" + ch->scheme +
                             "\" authentication, which hako does not speak");
    std::lock_guard fetching(fetch_mu);
    if (!refresh) {
      std::lock_guard lock(mu);
      auto it = tokens.find(scope);
      if (it != tokens.end() && Clock::now() < it->second.expires)
        return "Bearer " + it->second.value;
    }
    HAKO_TRY_ASSIGN(Token t, fetch_token(*ch, scope, false));
    std::lock_guard lock(mu);
    tokens[scope] = t;
    return "Bearer " + t.value;
  }

  // A token for `scope` (space-separated scopes) from the challenge's realm; `offline` asks
  // for a refresh token too (login).
  Result<Token> fetch_token(const Challenge& ch, const std::string& scope, bool offline) const {
    auto realm = ch.params.find("realm");
    if (realm == ch.params.end() || realm->second.empty())
      return invalid_argument("registry " + endpoint.domain + ": Bearer challenge without a realm");
    auto service_it = ch.params.find("service");
    std::string service = service_it == ch.params.end() ? "" : service_it->second;
    std::optional<http::Response> answer;
    if (creds && !creds->identity_token.empty()) {
      auto sent = client.send(oauth_request(realm->second, service, scope));
      if (!sent) return std::move(sent).error().context("token for registry " + endpoint.domain);
      answer = std::move(*sent);
      // A token service without the OAuth2 endpoint: the GET below (Docker and containerd
      // fall back the same way).
      if (answer->status == 404 || answer->status == 405) answer.reset();
    }
    if (!answer) {
      HAKO_TRY_ASSIGN(answer, client.send(get_request(realm->second, service, scope, offline)));
    }
    const http::Response& resp = *answer;
    if (resp.status == 401 || resp.status == 403) return auth_error(resp, endpoint.domain);
    if (!resp.ok()) return http::status_error(resp);
    HAKO_TRY_ASSIGN(json::Value doc,
                    json::parse(resp.body, "token response from " + realm->second));
    Token t;
    int64_t expires_in = 60;
    HAKO_TRY(json::read_field(doc, "", "access_token", t.value));
    if (t.value.empty()) HAKO_TRY(json::read_field(doc, "", "token", t.value));
    HAKO_TRY(json::read_field(doc, "", "expires_in", expires_in));
    HAKO_TRY(json::read_field(doc, "", "refresh_token", t.refresh));
    if (t.value.empty())
      return invalid_argument("token response from " + realm->second + " has no token");
    // Ask again a little early rather than send a token that expires on the way.
    t.expires = Clock::now() + std::chrono::seconds(std::max<int64_t>(expires_in - 10, 1));
    return t;
  }

  // Docker's token GET: ?service=S&scope=A&scope=B, Basic credentials when there are any.
  http::Request get_request(std::string url, const std::string& service, const std::string& scope,
                            bool offline) const {
    char sep = url.find('?') == std::string::npos ? '?' : '&';
    auto add = [&](std::string_view name, std::string_view value) {
      url += sep + std::string(name) + "=" + query_escape(value);
      sep = '&';
    };
    if (!service.empty()) add("service", service);
    for (const auto& one : split_scopes(scope)) add("scope", one);
    if (offline) {
      add("offline_token", "true");
      add("client_id", kClientId);
    }
    http::Request r;
    r.url = std::move(url);
    if (creds) {
      // Only an identity token: as containerd, it goes as the password.
      const std::string& secret = creds->password.empty() ? creds->identity_token : creds->password;
      r.headers.emplace_back("Authorization",
                             "Basic " + base64_encode(creds->username + ":" + secret));
    }
    return r;
  }

  // OAuth2 (RFC 6749 section 6): the refresh token exchanged for an access token; the scopes
  // go space-separated in one field.
  http::Request oauth_request(const std::string& realm, const std::string& service,
                              const std::string& scope) const {
    http::Request r;
    r.method = "POST";
    r.url = realm;
    r.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
    // The refresh token is in the body, which a redirect would carry along.
    r.secret_body = true;
    r.body = "grant_type=refresh_token&refresh_token=" + query_escape(creds->identity_token) +
             "&service=" + query_escape(service) + "&client_id=" + kClientId;
    if (!scope.empty()) r.body += "&scope=" + query_escape(scope);
    return r;
  }
};

Session::Session(std::unique_ptr<State> state) : state_(std::move(state)) {}
Session::Session(Session&&) noexcept = default;
Session& Session::operator=(Session&&) noexcept = default;
Session::~Session() = default;

const std::string& Session::base_url() const { return state_->base; }
const Endpoint& Session::endpoint() const { return state_->endpoint; }

Result<Session> Session::open(const Endpoint& endpoint, std::optional<Credentials> credentials,
                              http::ClientOptions options) {
  if (!endpoint.ca_file.empty()) options.ca_file = endpoint.ca_file;
  std::optional<Error> first;
  for (const auto& cand : endpoint.candidates) {
    http::ClientOptions o = options;
    o.verify_tls = cand.verify_tls;
    HAKO_TRY_ASSIGN(http::Client client, http::Client::create(o));
    http::Request ping;
    ping.url = cand.url + "/v2/";
    auto resp = client.send(ping);
    if (!resp) {
      // https on a plain-http port fails in the handshake: try the next candidate.
      if (!first) {
        first = std::move(resp).error();
        // A verified handshake that fails on the certificate: say where a private CA goes.
        if (cand.verify_tls && first->message().find("certificate") != std::string::npos)
          *first = Error(first->code(),
                         first->message() + " (a registry signed by a private CA: " +
                             (endpoint.ca_file.empty() ? "put the CA in " : "check the CA in ") +
                             endpoint.ca_path + ")");
      }
      continue;
    }
    auto st =
        std::make_unique<State>(endpoint, cand.url, std::move(credentials), std::move(client));
    if (resp->status == 401) {
      if (auto h = resp->header("WWW-Authenticate")) {
        auto chs = parse_www_authenticate(*h);
        if (chs && !chs->empty()) st->challenge = chs->front();
      }
    } else if (resp->status == 404) {
      return invalid_argument(endpoint.domain + " does not speak the registry API (GET " +
                              ping.url + ": 404 Not Found)");
    }
    return Session(std::move(st));
  }
  return std::move(*first).context("reach registry " + endpoint.domain);
}

Result<http::Response> Session::send(http::Request request, const std::string& scope) const {
  if (!request.url.empty() && request.url.front() == '/') request.url = state_->base + request.url;
  auto base_headers = request.headers;
  for (int round = 0;; ++round) {
    HAKO_TRY_ASSIGN(std::string auth, state_->authorization(scope, round > 0));
    request.headers = base_headers;
    if (!auth.empty()) request.headers.emplace_back("Authorization", auth);
    HAKO_TRY_ASSIGN(http::Response resp, state_->client.send(request));
    if (resp.status != 401 || round > 0) return resp;
    auto h = resp.header("WWW-Authenticate");
    if (!h) return resp;
    auto chs = parse_www_authenticate(*h);
    if (!chs || chs->empty()) return resp;
    bool had = !auth.empty();
    {
      std::lock_guard lock(state_->mu);
      state_->challenge = chs->front();
    }
    // Basic with nothing to offer, or the same credentials refused: the 401 stands.
    if (chs->front().scheme == "basic" && (!state_->creds || had)) return resp;
  }
}

Result<std::optional<std::string>> Session::login() const {
  std::optional<Challenge> ch;
  {
    std::lock_guard lock(state_->mu);
    ch = state_->challenge;
  }
  std::optional<std::string> refresh;
  if (ch && ch->scheme == "bearer") {
    HAKO_TRY_ASSIGN(Token t, state_->fetch_token(*ch, "", true));
    if (!t.refresh.empty()) refresh = t.refresh;
    std::lock_guard lock(state_->mu);
    state_->tokens[""] = std::move(t);
  }
  http::Request r;
  r.url = "/v2/";
  HAKO_TRY_ASSIGN(http::Response resp, send(r, ""));
  if (resp.status == 401 || resp.status == 403) return auth_error(resp, state_->endpoint.domain);
  if (!resp.ok()) return http::status_error(resp);
  return refresh;
}

Result<http::Response> Session::send_retrying(const http::Request& request,
                                              const std::string& scope,
                                              bool allow_not_found) const {
  for (int attempt = 1;; ++attempt) {
    auto resp = send(request, scope);
    bool last = attempt >= kMaxAttempts;
    if (!resp) {
      if (!is_transient(resp.error()) || last) return std::move(resp).error();
    } else if (resp->ok() || (allow_not_found && resp->status == 404)) {
      return resp;
    } else if (resp->status == 401 || resp->status == 403) {
      return auth_error(*resp, state_->endpoint.domain);
    } else if (!is_transient_status(resp->status) || last) {
      return http::status_error(*resp);
    }
    std::this_thread::sleep_for(backoff_delay(attempt));
  }
}

}  // namespace hako::registry
