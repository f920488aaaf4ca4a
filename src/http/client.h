// http::Client: the HTTP client hako talks to registries with, over libcurl's easy API.
//
// A request names a method, URL, headers and an optional body (bytes in memory or a reader
// callback for uploads of known size); the response body is either collected (bounded) or
// streamed to a callback as it arrives, so a blob is hashed and written while it downloads.
// The streaming callback only ever sees the body of a 2xx response: error bodies are collected
// (bounded) for the error message, so a 401 or 404 never reaches a blob writer. Redirects are
// followed here rather than by libcurl, so the rule is ours and visible: an Authorization
// header is dropped as soon as a redirect leaves the original origin (scheme, host and port:
// registries redirect blob GETs to storage URLs that must not see the registry's token, and a
// token must not go in cleartext to http:// on the same host), and a request whose body carries
// a secret (Request::secret_body) is not redirected to another origin at all. HTTP/1.1 and HTTP/2
// (over TLS, CURL_HTTP_VERSION_2TLS); TLS verified against the system store or a CA file; connect
// and low-speed timeouts instead of a total one (a big layer may take long, a stalled one may not).
//
// Errors: a transport failure is kUnavailable ("GET https://h/v2/: couldn't connect to server"),
// which retry logic treats as transient. A response with any status is a Response, not an
// error; status_error() turns a non-2xx one into the one-line `GET https://h/v2/x: 404 Not
// Found` message (plus the registry's error text when the body carries one).
//
// Ownership and thread safety: a Client owns a libcurl share handle (DNS cache, TLS sessions,
// connections) guarded by its own locks, and every send() uses its own easy handle, so one
// Client may be used from many threads at once. Clients are movable, not copyable.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"

namespace hako::http {

using Headers = std::vector<std::pair<std::string, std::string>>;

// Case-insensitive lookup of the first header of that name.
std::optional<std::string> find_header(const Headers& headers, std::string_view name);

struct Request {
  std::string method = "GET";
  std::string url;
  Headers headers;
  // Request body for PUT/POST/PATCH: `body` in memory, or `read_body` (fills buf, returns the
  // bytes given, 0 at the end) of `body_size` bytes.
  std::string body;
  std::function<Result<size_t>(char* buf, size_t size)> read_body;
  uint64_t body_size = 0;
  // "Range: bytes=N-" to resume a download; a server that ignores it answers 200 with the whole
  // body, which the caller sees in Response::status.
  std::optional<uint64_t> range_from;
  // Body of a 2xx response goes here when set; its error stops the transfer and is returned.
  std::function<Status(std::string_view chunk)> on_body;
  // Called once with the status of a 2xx response before its first body chunk reaches
  // on_body (a resumed download learns here whether the server honoured the Range: 206, or
  // sends everything again: 200).
  std::function<Status(long status)> on_start;
  // Bound of a collected body (2xx without on_body, or any error body).
  size_t max_body = 4 << 20;
  int max_redirects = 10;
  // The body carries a credential (an OAuth2 refresh token): a redirect to another origin is
  // an error rather than a hop that would take the body along.
  bool secret_body = false;
};

struct Response {
  long status = 0;
  Headers headers;     // of the final response
  std::string body;    // collected body (see Request::on_body)
  std::string url;     // final URL after redirects
  std::string method;  // as sent, for messages
  bool ok() const { return status >= 200 && status < 300; }
  std::optional<std::string> header(std::string_view name) const {
    return find_header(headers, name);
  }
};

struct ClientOptions {
  std::string user_agent = "hako/0.1.0";
  std::string ca_file;     // empty: the system's trust store
  bool verify_tls = true;  // false only for registries configured as insecure
  bool http2 = true;
  std::chrono::seconds connect_timeout{30};
  // A transfer slower than 1 byte/s for this long is cut (kUnavailable, so retried).
  std::chrono::seconds stall_timeout{60};
};

// "Not Found" for 404, "" for codes without a standard phrase (HTTP/2 sends none).
std::string_view reason_phrase(long status);

// `GET https://h/v2/x: 404 Not Found`, plus `: <message>` from a registry error body
// ({"errors":[{"code":…,"message":…}]}) or a short plain-text body.
Error status_error(const Response& response);

// Resolves a Location header against the URL it came from. Pure (libcurl's URL parser).
Result<std::string> resolve_url(const std::string& base, const std::string& location);
// "scheme://host:port" of an absolute URL, lower-cased, with the scheme's default port made
// explicit, so "https://h/" and "https://h:443/" are the same origin and "http://h:443/" is
// another. Pure.
Result<std::string> url_origin(const std::string& url);

class Client {
 public:
  static Result<Client> create(ClientOptions options = {});
  Client(Client&&) noexcept;
  Client& operator=(Client&&) noexcept;
  ~Client();

  const ClientOptions& options() const;

  // Sends, following redirects; see the header comment for what is an error.
  Result<Response> send(const Request& request) const;

 private:
  struct Impl;
  explicit Client(std::unique_ptr<Impl> impl);
  Result<Response> send_once(const Request& request, const std::string& url,
                             const Headers& headers) const;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hako::http
