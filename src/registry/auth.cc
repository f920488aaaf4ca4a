#include "registry/auth.h"

#include <cctype>
#include <cstdlib>

#include "json/reader.h"
#include "registry/cred_helper.h"
#include "sys/file.h"

namespace hako::registry {
namespace {

bool is_token_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

void skip_space(std::string_view s, size_t& i) {
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
}

std::string read_token(std::string_view s, size_t& i) {
  size_t start = i;
  while (i < s.size() && is_token_char(s[i])) ++i;
  return std::string(s.substr(start, i - start));
}

// "https://index.docker.io/v1/" → "index.docker.io"; "http://h:5000/v2" → "h:5000".
std::string key_host(std::string_view key) {
  for (std::string_view scheme : {"https://", "http://"})
    if (key.substr(0, scheme.size()) == scheme) key.remove_prefix(scheme.size());
  auto slash = key.find('/');
  return std::string(key.substr(0, slash));
}

bool same_registry(std::string_view key, std::string_view domain) {
  std::string host = key_host(key);
  auto hub = [](std::string_view h) {
    return h == "docker.io" || h == "index.docker.io" || h == "registry-1.docker.io";
  };
  if (hub(domain)) return hub(host);
  return host == domain;
}

std::string home() {
  const char* h = std::getenv("HOME");
  return h && *h ? h : "/root";
}

}  // namespace

Result<std::vector<Challenge>> parse_www_authenticate(std::string_view s) {
  std::vector<Challenge> out;
  size_t i = 0;
  auto bad = [&](const std::string& why) {
    return invalid_argument("invalid WWW-Authenticate header \"" + std::string(s) + "\": " + why);
  };
  while (true) {
    skip_space(s, i);
    while (i < s.size() && (s[i] == ',' || s[i] == ' ')) ++i;
    if (i >= s.size()) break;
    std::string scheme = read_token(s, i);
    if (scheme.empty()) return bad("expected an auth scheme at offset " + std::to_string(i));
    Challenge c;
    c.scheme = lower(scheme);
    // Parameters: name=value or name="quoted", comma separated, until the next scheme (a token
    // followed by a space rather than '=').
    while (true) {
      skip_space(s, i);
      size_t save = i;
      std::string name = read_token(s, i);
      skip_space(s, i);
      if (name.empty() || i >= s.size() || s[i] != '=') {
        i = save;
        break;
      }
      ++i;
      skip_space(s, i);
      std::string value;
      if (i < s.size() && s[i] == '"') {
        ++i;
        bool closed = false;
        while (i < s.size()) {
          char ch = s[i++];
          if (ch == '\\' && i < s.size()) {
            value += s[i++];
          } else if (ch == '"') {
            closed = true;
            break;
          } else {
            value += ch;
          }
        }
        if (!closed) return bad("unterminated quoted value of " + name);
      } else {
        // Unquoted: up to the next separator (servers write URLs unquoted too).
        size_t start = i;
        while (i < s.size() && s[i] != ',' && s[i] != ' ' && s[i] != '\t') ++i;
        value = std::string(s.substr(start, i - start));
      }
      c.params[lower(name)] = std::move(value);
      skip_space(s, i);
      if (i < s.size() && s[i] == ',') ++i;
    }
    out.push_back(std::move(c));
  }
  if (out.empty()) return bad("no challenge");
  return out;
}

std::string repository_scope(std::string_view path, bool push) {
  return "repository:" + std::string(path) + (push ? ":pull,push" : ":pull");
}

std::string base64_encode(std::string_view data) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < data.size(); i += 3) {
    uint32_t v = (uint8_t(data[i]) << 16) | (uint8_t(data[i + 1]) << 8) | uint8_t(data[i + 2]);
    for (int k = 18; k >= 0; k -= 6) out += kAlphabet[(v >> k) & 63];
  }
  if (i < data.size()) {
    uint32_t v = uint8_t(data[i]) << 16;
    if (i + 1 < data.size()) v |= uint8_t(data[i + 1]) << 8;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += i + 1 < data.size() ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

Result<std::string> base64_decode(std::string_view text) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+' || c == '-') return 62;
    if (c == '/' || c == '_') return 63;
    return -1;
  };
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    if (c == '=' || c == '\n' || c == '\r') continue;
    int v = value(c);
    if (v < 0) return invalid_argument("invalid base64: unexpected character");
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  return out;
}

std::string credentials_key(std::string_view domain) {
  if (domain == "docker.io" || domain == "index.docker.io" || domain == "registry-1.docker.io")
    return "https://index.docker.io/v1/";
  return std::string(domain);
}

Result<std::optional<Credentials>> parse_auth_file(std::string_view text, std::string_view domain,
                                                   std::string_view what) {
  HAKO_TRY_ASSIGN(json::Value doc, json::parse(text, what));
  HAKO_TRY(json::require_object(doc, what));
  auto auths = doc.find("auths");
  if (auths == doc.end() || auths->is_null()) return std::optional<Credentials>();
  if (!auths->is_object()) return json::type_error("auths", "object");
  for (auto it = auths->begin(); it != auths->end(); ++it) {
    if (!same_registry(it.key(), domain)) continue;
    std::string path = "auths." + it.key();
    HAKO_TRY(json::require_object(*it, path));
    std::string auth;
    Credentials c;
    HAKO_TRY(json::read_field(*it, path, "auth", auth));
    HAKO_TRY(json::read_field(*it, path, "username", c.username));
    HAKO_TRY(json::read_field(*it, path, "password", c.password));
    HAKO_TRY(json::read_field(*it, path, "identitytoken", c.identity_token));
    if (!auth.empty()) {
      auto decoded = base64_decode(auth);
      if (!decoded) return std::move(decoded).error().context(std::string(what) + ": " + path);
      auto colon = decoded->find(':');
      if (colon == std::string::npos)
        return invalid_argument(std::string(what) + ": " + path +
                                ".auth: expected base64 of \"user:password\"");
      c.username = decoded->substr(0, colon);
      c.password = decoded->substr(colon + 1);
    }
    // An empty entry ({}) is what Docker leaves beside a credsStore: the helper has them.
    if (c.username.empty() && c.identity_token.empty()) continue;
    return std::optional<Credentials>(std::move(c));
  }
  return std::optional<Credentials>();
}

std::string normalise_server(std::string_view server) {
  std::string host = key_host(server);
  if (host.empty() || host == "index.docker.io" || host == "registry-1.docker.io")
    return "docker.io";
  return host;
}

std::string hako_auth_file() { return home() + "/.config/hako/auth.json"; }

std::vector<std::string> auth_file_paths() {
  std::vector<std::string> out{hako_auth_file()};
  const char* dc = std::getenv("DOCKER_CONFIG");
  out.push_back(dc && *dc ? std::string(dc) + "/config.json" : home() + "/.docker/config.json");
  return out;
}

Result<std::optional<Credentials>> find_credentials(std::string_view domain) {
  for (const auto& path : auth_file_paths()) {
    if (!sys::exists(path)) continue;
    HAKO_TRY_ASSIGN(std::string text, sys::read_file(path, 4 << 20));
    // A helper named for the registry (credHelpers, else credsStore) is asked first, as
    // Docker does; the file's own entry is the fallback when the helper has none.
    HAKO_TRY_ASSIGN(auto helper, find_credential_helper(text, domain, path));
    if (helper) {
      HAKO_TRY_ASSIGN(auto from_helper, helper_get(*helper, credentials_key(domain)));
      if (from_helper) return from_helper;
    }
    HAKO_TRY_ASSIGN(auto creds, parse_auth_file(text, domain, path));
    if (creds) return creds;
  }
  return std::optional<Credentials>();
}

Result<std::optional<std::string>> find_configured_helper(std::string_view domain) {
  for (const auto& path : auth_file_paths()) {
    if (!sys::exists(path)) continue;
    HAKO_TRY_ASSIGN(std::string text, sys::read_file(path, 4 << 20));
    HAKO_TRY_ASSIGN(auto helper, find_credential_helper(text, domain, path));
    if (helper) return helper;
  }
  return std::optional<std::string>();
}

Result<bool> update_auth_file(const std::string& path, std::string_view domain,
                              const std::optional<Credentials>& creds) {
  json::Value doc = json::Value::object();
  if (sys::exists(path)) {
    HAKO_TRY_ASSIGN(std::string text, sys::read_file(path, 4 << 20));
    HAKO_TRY_ASSIGN(doc, json::parse(text, path));
    HAKO_TRY(json::require_object(doc, path));
  }
  if (!doc.contains("auths") || !doc["auths"].is_object()) doc["auths"] = json::Value::object();
  json::Value& auths = doc["auths"];
  bool changed = false;
  // Every spelling of this registry's key goes, so the new entry is the one found.
  for (auto it = auths.begin(); it != auths.end();) {
    if (same_registry(it.key(), domain)) {
      it = auths.erase(it);
      changed = true;
    } else {
      ++it;
    }
  }
  if (creds) {
    json::Value entry = json::Value::object();
    if (!creds->username.empty() || !creds->password.empty())
      entry["auth"] = base64_encode(creds->username + ":" + creds->password);
    if (!creds->identity_token.empty()) entry["identitytoken"] = creds->identity_token;
    auths[credentials_key(domain)] = std::move(entry);
    changed = true;
  }
  if (!changed) return false;
  auto slash = path.rfind('/');
  if (slash != std::string::npos && slash > 0)
    HAKO_TRY(sys::make_dirs(path.substr(0, slash), 0700));
  HAKO_TRY(sys::write_file_atomic(path, doc.dump(1, '\t') + "\n", 0600));
  return true;
}

}  // namespace hako::registry
