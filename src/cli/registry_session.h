// How the registry commands (pull, push, login) reach a registry: /etc/hako/hako.json (or
// $HAKO_CONFIG), the endpoint rules of registry/endpoint.h, and the credentials stored for
// the registry (or the ones given). Stateless helpers; thread safe.
#pragma once

#include <optional>
#include <string>

#include "base/result.h"
#include "registry/session.h"

namespace hako::cli {

// With `credentials` unset, the stored ones are used (registry::find_credentials).
Result<registry::Session> open_registry_session(
    const std::string& domain, std::optional<registry::Credentials> credentials = std::nullopt);

}  // namespace hako::cli
