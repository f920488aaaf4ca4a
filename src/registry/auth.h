// Registry authentication, the pure parts: WWW-Authenticate challenges (RFC 7235, as
// registries send them: `Bearer realm="https://auth.docker.io/token",service="registry.docker.io",
// scope="repository:library/busybox:pull"`, `Basic realm="Registry Realm"`), scopes, base64,
// and credentials from Docker-format files (~/.config/hako/auth.json, ~/.docker/config.json):
//   {"auths": {"HOST": {"auth": base64("user:password"), "identitytoken": "..."}}}
// A key may be written as "host", "https://host" or "https://host/v1/"; Docker Hub's key is
// "https://index.docker.io/v1/". An identitytoken is an OAuth2 refresh token the registry's
// token service gave at login (the password is then not stored: "auth" is base64("user:")).
// credsStore / credHelpers name external helper programs (cred_helper.h) that hold the
// secrets instead of the file.
// Values and pure functions, except the file readers and writers; thread safe.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace hako::registry {

struct Challenge {
  std::string scheme;                         // lower case: "bearer", "basic"
  std::map<std::string, std::string> params;  // keys lower case: realm, service, scope, error
};

// Every challenge of a header value (several may be listed, comma separated).
Result<std::vector<Challenge>> parse_www_authenticate(std::string_view header);

// "repository:test/busybox:pull", "repository:test/busybox:pull,push".
std::string repository_scope(std::string_view path, bool push);

std::string base64_encode(std::string_view data);
Result<std::string> base64_decode(std::string_view text);

struct Credentials {
  std::string username;
  std::string password;
  std::string identity_token;  // OAuth2 refresh token; then password is usually empty
};

// The key a registry's credentials are stored under: "https://index.docker.io/v1/" for
// docker.io (as Docker writes it), else the domain.
std::string credentials_key(std::string_view domain);

// The credentials for `domain` in one auth file's text; nullopt when it has none.
Result<std::optional<Credentials>> parse_auth_file(std::string_view text, std::string_view domain,
                                                   std::string_view what);

// The files searched, in order: $HOME/.config/hako/auth.json (hako's own), then
// $DOCKER_CONFIG/config.json or $HOME/.docker/config.json.
std::vector<std::string> auth_file_paths();
// The file `hako login` writes: $HOME/.config/hako/auth.json.
std::string hako_auth_file();

// What `hako login SERVER` names: "https://index.docker.io/v1/", "index.docker.io" and an
// empty server are "docker.io"; a scheme and path are dropped ("http://h:5000/v2/" → "h:5000").
std::string normalise_server(std::string_view server);

// The first credentials found for `domain` in auth_file_paths(); missing files are skipped.
Result<std::optional<Credentials>> find_credentials(std::string_view domain);

// The credential helper the auth files name for `domain` (the first of auth_file_paths() that
// names one), which hako login stores into and logout erases from instead of the file.
Result<std::optional<std::string>> find_configured_helper(std::string_view domain);

// Sets (creds) or removes (nullopt) the entry of `domain` in the auth file at `path`, keeping
// every other key; written atomically with mode 0600. Returns false for a removal that found
// nothing to remove.
Result<bool> update_auth_file(const std::string& path, std::string_view domain,
                              const std::optional<Credentials>& creds);

}  // namespace hako::registry
