// Docker credential helpers: `credHelpers` (per registry) and `credsStore` (for all) in an auth
// file name a program docker-credential-<name> on PATH that keeps the secrets, as
// docker-credential-pass, -secretservice or -ecr-login do. Its protocol: `get` with the server
// on stdin answers {"ServerURL", "Username", "Secret"} on stdout; a non-zero exit with
// "credentials not found" means none. `store` reads that JSON on stdin, `erase` the server.
// An identity token is kept as Username "<token>" with the token as Secret (Docker's rule).
//
// The helper's name comes from a file the user controls but hako treats as hostile input: it
// must be a plain word ([A-Za-z0-9._-]), so no path can be smuggled in; its output is bounded
// and it gets a deadline. Stateless; thread safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "registry/auth.h"

namespace hako::registry {

// The helper an auth file's text names for `domain`: credHelpers[domain], else credsStore.
Result<std::optional<std::string>> find_credential_helper(std::string_view text,
                                                          std::string_view domain,
                                                          std::string_view what);

// Runs `docker-credential-<helper> get` for `server`; nullopt when it has no credentials.
Result<std::optional<Credentials>> helper_get(const std::string& helper, const std::string& server);

// `docker-credential-<helper> store`: the identity token when there is one, else the password.
Status helper_store(const std::string& helper, const std::string& server, const Credentials& c);

// `docker-credential-<helper> erase`; false when it had nothing stored for `server`.
Result<bool> helper_erase(const std::string& helper, const std::string& server);

}  // namespace hako::registry
