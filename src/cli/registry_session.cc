#include "cli/registry_session.h"

namespace hako::cli {

Result<registry::Session> open_registry_session(const std::string& domain,
                                                std::optional<registry::Credentials> credentials) {
  HAKO_TRY_ASSIGN(registry::Config config, registry::load_config());
  registry::Endpoint ep = registry::resolve_endpoint(domain, config);
  if (!credentials) {
    HAKO_TRY_ASSIGN(credentials, registry::find_credentials(domain));
  }
  return registry::Session::open(ep, std::move(credentials));
}

}  // namespace hako::cli
