#include "http/client.h"

#include "http/curl_api.h"

#include <curl/curl.h>

#include <array>
#include <cctype>
#include <mutex>

#include "base/strings.h"

namespace hako::http {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

// What one transfer's callbacks fill in.
struct Transfer {
  const Request* request = nullptr;
  CURL* easy = nullptr;
  Response response;
  std::optional<Error> callback_error;  // from on_body or a bound: not a transport failure
  uint64_t uploaded = 0;
  bool started = false;
  size_t body_offset = 0;  // into Request::body, for in-memory uploads
};

long response_code(CURL* easy) {
  long code = 0;
  curl().easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &code);
  return code;
}

size_t on_header(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::string_view line(data, size * n);
  if (starts_with(line, "HTTP/")) {
    // A new status line (after 100 Continue, or an auth round): start the headers over.
    t->response.headers.clear();
    return size * n;
  }
  auto colon = line.find(':');
  if (colon == std::string_view::npos) return size * n;
  std::string name(trim(line.substr(0, colon)));
  std::string value(trim(line.substr(colon + 1)));
  t->response.headers.emplace_back(std::move(name), std::move(value));
  return size * n;
}

size_t on_write(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t len = size * n;
  std::string_view chunk(data, len);
  long code = response_code(t->easy);
  bool success = code >= 200 && code < 300;
  if (success && t->request->on_body) {
    if (!t->started && t->request->on_start) {
      t->started = true;
      auto st = t->request->on_start(code);
      if (!st) {
        t->callback_error = std::move(st).error();
        return 0;
      }
    }
    auto st = t->request->on_body(chunk);
    if (!st) {
      t->callback_error = std::move(st).error();
      return 0;  // CURLE_WRITE_ERROR: stops the transfer
    }
    return len;
  }
  std::string& body = t->response.body;
  size_t room = t->request->max_body > body.size() ? t->request->max_body - body.size() : 0;
  if (len > room) {
    if (success) {
      t->callback_error =
          Error(ErrorCode::kResourceExhausted,
                "response body exceeds " + std::to_string(t->request->max_body) + " bytes");
      return 0;
    }
    body.append(data, room);  // an error body is only for the message: keep its start
    return len;
  }
  body.append(data, len);
  return len;
}

size_t on_read(char* buf, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t want = size * n;
  const Request& r = *t->request;
  if (r.read_body) {
    auto got = r.read_body(buf, want);
    if (!got) {
      t->callback_error = std::move(got).error();
      return CURL_READFUNC_ABORT;
    }
    t->uploaded += *got;
    return *got;
  }
  size_t left = r.body.size() - t->body_offset;
  size_t give = std::min(left, want);
  std::copy_n(r.body.data() + t->body_offset, give, buf);
  t->body_offset += give;
  return give;
}

bool is_redirect(long code) {
  return code == 301 || code == 302 || code == 303 || code == 307 || code == 308;
}

// The registry's own words from an error body: {"errors":[{"code":"X","message":"y"}]}.
std::string registry_message(std::string_view body) {
  // Minimal scan rather than a JSON dependency: the first "message" string value.
  auto key = body.find("\"message\"");
  if (key == std::string_view::npos) return {};
  auto colon = body.find(':', key + 9);
  if (colon == std::string_view::npos) return {};
  auto open = body.find('"', colon);
  if (open == std::string_view::npos) return {};
  std::string out;
  for (size_t i = open + 1; i < body.size() && out.size() < 200; ++i) {
    if (body[i] == '\\' && i + 1 < body.size()) {
      out += body[++i];
      continue;
    }
    if (body[i] == '"') return out;
    out += body[i];
  }
  return out;
}

}  // namespace

std::optional<std::string> find_header(const Headers& headers, std::string_view name) {
  for (const auto& [k, v] : headers)
    if (iequals(k, name)) return v;
  return std::nullopt;
}

std::string_view reason_phrase(long status) {
  switch (status) {
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 206:
      return "Partial Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 303:
      return "See Other";
    case 307:
      return "Temporary Redirect";
    case 308:
      return "Permanent Redirect";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 409:
      return "Conflict";
    case 413:
      return "Payload Too Large";
    case 416:
      return "Range Not Satisfiable";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "";
  }
}

Error status_error(const Response& r) {
  std::string msg = r.method + " " + r.url + ": " + std::to_string(r.status);
  auto phrase = reason_phrase(r.status);
  if (!phrase.empty()) msg += " " + std::string(phrase);
  std::string detail = registry_message(r.body);
  if (detail.empty() && !r.body.empty() && r.body.size() < 200 && r.body.find('<') == r.body.npos)
    detail = std::string(trim(r.body));
  if (!detail.empty() && detail != phrase) msg += ": " + detail;
  ErrorCode code = ErrorCode::kUnavailable;
  if (r.status == 404) code = ErrorCode::kNotFound;
  if (r.status == 401 || r.status == 403) code = ErrorCode::kPermissionDenied;
  if (r.status >= 400 && r.status < 500 && r.status != 404 && r.status != 401 && r.status != 403 &&
      r.status != 429 && r.status != 408)
    code = ErrorCode::kInvalidArgument;
  return Error(code, msg);
}

Result<std::string> resolve_url(const std::string& base, const std::string& location) {
  HAKO_TRY(load_curl());
  CURLU* u = curl().url();
  if (!u) return internal_error("resolve URL: out of memory");
  std::string out;
  if (curl().url_set(u, CURLUPART_URL, base.c_str(), 0) == CURLUE_OK &&
      curl().url_set(u, CURLUPART_URL, location.c_str(), 0) == CURLUE_OK) {
    char* full = nullptr;
    if (curl().url_get(u, CURLUPART_URL, &full, 0) == CURLUE_OK) {
      out = full;
      curl().free(full);
    }
  }
  curl().url_cleanup(u);
  if (out.empty()) return invalid_argument("invalid redirect location \"" + location + "\"");
  return out;
}

Result<std::string> url_origin(const std::string& url) {
  HAKO_TRY(load_curl());
  CURLU* u = curl().url();
  if (!u) return internal_error("parse URL: out of memory");
  std::string out;
  if (curl().url_set(u, CURLUPART_URL, url.c_str(), 0) == CURLUE_OK) {
    char* scheme = nullptr;
    char* host = nullptr;
    char* port = nullptr;
    if (curl().url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
        curl().url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
        curl().url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK) {
      out = std::string(scheme) + "://" + host + ":" + port;
      for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    curl().free(scheme);
    curl().free(host);
    curl().free(port);
  }
  curl().url_cleanup(u);
  if (out.empty()) return invalid_argument("invalid URL \"" + url + "\"");
  return out;
}

namespace {
// libcurl's share handle asks the application to lock each kind of shared data.
struct ShareLocks {
  std::array<std::mutex, CURL_LOCK_DATA_LAST> m;
};
void share_lock(CURL*, curl_lock_data data, curl_lock_access, void* user) {
  static_cast<ShareLocks*>(user)->m[data].lock();
}
void share_unlock(CURL*, curl_lock_data data, void* user) {
  static_cast<ShareLocks*>(user)->m[data].unlock();
}
}  // namespace

struct Client::Impl {
  ClientOptions options;
  CURLSH* share = nullptr;
  ShareLocks locks;

  ~Impl() {
    if (share) curl().share_cleanup(share);
  }
};

Client::Client(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Client::Client(Client&&) noexcept = default;
Client& Client::operator=(Client&&) noexcept = default;
Client::~Client() = default;

const ClientOptions& Client::options() const { return impl_->options; }

Result<Client> Client::create(ClientOptions options) {
  // libcurl is loaded (and globally initialised, once) by the first client.
  HAKO_TRY(load_curl());
  auto impl = std::make_unique<Impl>();
  impl->options = std::move(options);
  impl->share = curl().share_init();
  if (!impl->share) return internal_error("http client: curl_share_init failed");
  curl().share_setopt(impl->share, CURLSHOPT_LOCKFUNC, share_lock);
  curl().share_setopt(impl->share, CURLSHOPT_UNLOCKFUNC, share_unlock);
  curl().share_setopt(impl->share, CURLSHOPT_USERDATA, &impl->locks);
  curl().share_setopt(impl->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
  curl().share_setopt(impl->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
  curl().share_setopt(impl->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
  return Client(std::move(impl));
}

Result<Response> Client::send(const Request& request) const {
  std::string url = request.url;
  Headers headers = request.headers;
  HAKO_TRY_ASSIGN(std::string origin, url_origin(url));
  for (int hop = 0;; ++hop) {
    HAKO_TRY_ASSIGN(Response r, send_once(request, url, headers));
    if (!is_redirect(r.status)) return r;
    auto location = r.header("Location");
    if (!location) return r;
    if (hop >= request.max_redirects)
      return Error(ErrorCode::kUnavailable, request.method + " " + request.url + ": more than " +
                                                std::to_string(request.max_redirects) +
                                                " redirects");
    HAKO_TRY_ASSIGN(std::string next_url, resolve_url(url, *location));
    HAKO_TRY_ASSIGN(std::string next, url_origin(next_url));
    if (next != origin && request.secret_body)
      return Error(
          ErrorCode::kPermissionDenied,
          request.method + " " + url + ": redirect to " + next_url +
              " not followed: the request carries credentials another origin must not get");
    url = std::move(next_url);
    if (next != origin) {
      // Storage URLs are pre-signed: the registry's credentials must not travel there.
      std::erase_if(headers, [](const auto& h) { return iequals(h.first, "Authorization"); });
    }
  }
}

Result<Response> Client::send_once(const Request& request, const std::string& url,
                                   const Headers& headers) const {
  const ClientOptions& o = impl_->options;
  CURL* easy = curl().easy_init();
  if (!easy) return internal_error("http client: curl_easy_init failed");
  Transfer t;
  t.request = &request;
  t.easy = easy;
  t.response.method = request.method;
  t.response.url = url;
  char errbuf[CURL_ERROR_SIZE] = {};
  curl_slist* list = nullptr;
  for (const auto& [k, v] : headers) list = curl().slist_append(list, (k + ": " + v).c_str());
  bool has_body = !request.body.empty() || request.read_body;
  // libcurl's 100-continue wait costs a round trip per upload for nothing.
  if (has_body || request.method == "PUT" || request.method == "POST")
    list = curl().slist_append(list, "Expect:");

  curl().easy_setopt(easy, CURLOPT_URL, url.c_str());
  curl().easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
  curl().easy_setopt(easy, CURLOPT_SHARE, impl_->share);
  curl().easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl().easy_setopt(easy, CURLOPT_ERRORBUFFER, errbuf);
  curl().easy_setopt(easy, CURLOPT_USERAGENT, o.user_agent.c_str());
  curl().easy_setopt(easy, CURLOPT_HTTPHEADER, list);
  curl().easy_setopt(easy, CURLOPT_HEADERFUNCTION, on_header);
  curl().easy_setopt(easy, CURLOPT_HEADERDATA, &t);
  curl().easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_write);
  curl().easy_setopt(easy, CURLOPT_WRITEDATA, &t);
  curl().easy_setopt(easy, CURLOPT_HTTP_VERSION,
                     o.http2 ? CURL_HTTP_VERSION_2TLS : CURL_HTTP_VERSION_1_1);
  curl().easy_setopt(easy, CURLOPT_CONNECTTIMEOUT, static_cast<long>(o.connect_timeout.count()));
  curl().easy_setopt(easy, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl().easy_setopt(easy, CURLOPT_LOW_SPEED_TIME, static_cast<long>(o.stall_timeout.count()));
  if (!o.ca_file.empty()) curl().easy_setopt(easy, CURLOPT_CAINFO, o.ca_file.c_str());
  if (!o.verify_tls) {
    curl().easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 0L);
    curl().easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  std::string range;
  if (request.range_from) {
    range = std::to_string(*request.range_from) + "-";
    curl().easy_setopt(easy, CURLOPT_RANGE, range.c_str());
  }
  if (request.method == "HEAD") {
    curl().easy_setopt(easy, CURLOPT_NOBODY, 1L);
  } else if (has_body) {
    curl().easy_setopt(easy, CURLOPT_UPLOAD, 1L);
    curl().easy_setopt(easy, CURLOPT_READFUNCTION, on_read);
    curl().easy_setopt(easy, CURLOPT_READDATA, &t);
    uint64_t size = request.read_body ? request.body_size : request.body.size();
    curl().easy_setopt(easy, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(size));
    curl().easy_setopt(easy, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  } else if (request.method == "POST" || request.method == "PUT" || request.method == "PATCH") {
    curl().easy_setopt(easy, CURLOPT_POSTFIELDS, "");
    curl().easy_setopt(easy, CURLOPT_POSTFIELDSIZE, 0L);
    curl().easy_setopt(easy, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  } else if (request.method != "GET") {
    curl().easy_setopt(easy, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }

  CURLcode rc = curl().easy_perform(easy);
  t.response.status = response_code(easy);
  curl().slist_free_all(list);
  curl().easy_cleanup(easy);
  if (t.callback_error) return std::move(*t.callback_error);
  if (rc != CURLE_OK) {
    std::string why = errbuf[0] ? errbuf : curl().easy_strerror(rc);
    while (!why.empty() && (why.back() == '\n' || why.back() == '.')) why.pop_back();
    // Lower case as hako's errors are, but not an acronym ("SSL certificate problem").
    if (why.size() > 1 && !std::isupper(static_cast<unsigned char>(why[1])))
      why[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(why[0])));
    return Error(ErrorCode::kUnavailable, request.method + " " + url + ": " + why);
  }
  return std::move(t.response);
}

}  // namespace hako::http
