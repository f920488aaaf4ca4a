// Session: one registry, reached and authenticated. open() picks the base URL (https first,
// http for loopback and insecure registries only, see endpoint.h) by pinging /v2/, which also
// tells how the registry wants to be authenticated. send() adds the Authorization a request
// needs for its scope and, on a 401, answers the challenge and retries once:
//   Basic:  the stored credentials (no credentials: the 401 is the answer);
//   Bearer: a token from the challenge's realm for (service, scope), cached per scope until
//           shortly before it expires. With an identity token (an OAuth2 refresh token, what
//           Docker stores as "identitytoken") it is a POST of grant_type=refresh_token&
//           client_id=hako (form-encoded); a realm that answers that with 404 or 405 is asked
//           as below instead. Otherwise a GET, with the credentials as Basic when there are
//           any (anonymous otherwise).
// send_retrying() also retries transient failures (connection errors, 5xx, 429) with
// exponential backoff; it is for requests whose body callback can be replayed (the blob
// download resumes by itself instead, see pull.cc).
//
// Thread safety: send() may be called from several threads at once (the token cache has a
// lock; the http::Client is thread safe). Ownership: a Session owns its client and state;
// movable, not copyable.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "base/result.h"
#include "http/client.h"
#include "registry/auth.h"
#include "registry/endpoint.h"

namespace hako::registry {

// Delay before retry number `attempt` (1-based): 250 ms doubling, capped at 8 s. Pure.
std::chrono::milliseconds backoff_delay(int attempt);
// Whether a failure is worth retrying: a transport error, 5xx, 408 or 429. Pure.
bool is_transient(const Error& e);
bool is_transient_status(long status);

inline constexpr int kMaxAttempts = 5;

class Session {
 public:
  static Result<Session> open(const Endpoint& endpoint, std::optional<Credentials> credentials,
                              http::ClientOptions options = {});
  Session(Session&&) noexcept;
  Session& operator=(Session&&) noexcept;
  ~Session();

  const std::string& base_url() const;  // "https://registry-1.docker.io"
  const Endpoint& endpoint() const;

  // `request.url` may be a path ("/v2/...") relative to base_url(). `scope` is what a Bearer
  // token must cover ("repository:test/busybox:pull"); several scopes are separated by spaces,
  // as OAuth2 writes them, and one token covering all of them is asked for (a cross-repository
  // mount needs "repository:B:pull,push repository:A:pull"). Returns the response whatever its
  // status; a 401 that remains after authenticating is returned too.
  Result<http::Response> send(http::Request request, const std::string& scope) const;
  // send(), retried with backoff on transient failures; a non-2xx final status is an error
  // (http::status_error, with a hint to log in for a 401), except 404 with `allow_not_found`
  // (HEAD of a blob that is not there yet).
  Result<http::Response> send_retrying(const http::Request& request, const std::string& scope,
                                       bool allow_not_found = false) const;
  // What `hako login` checks: GET /v2/ authenticated with the session's credentials (for a
  // Bearer registry the token service checks them, asked with offline_token=true&
  // client_id=hako as Docker does). Returns the refresh_token the token service answered with,
  // if any: Docker stores it as the identity token instead of the password.
  Result<std::optional<std::string>> login() const;

 private:
  struct State;
  explicit Session(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

// A 401/403 in Docker's words plus what to do: `... 401 Unauthorized: authentication required
// (run hako login HOST)`.
Error auth_error(const http::Response& response, const std::string& domain);

}  // namespace hako::registry
