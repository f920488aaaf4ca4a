#include "runtime/seccomp_setup.h"

#include "seccomp/cache.h"
#include "seccomp/filter.h"
#include "seccomp/profile.h"

namespace hako::runtime {

Result<std::function<Result<UniqueFd>()>> prepare_seccomp(
    const oci::Seccomp& profile, const std::vector<std::string>& capabilities,
    const std::string& state_root) {
  oci::Seccomp resolved;
  const oci::Seccomp* use = &profile;
  if (!profile.docker_profile.empty()) {
    HAKO_TRY_ASSIGN(seccomp::ProfileContext ctx, seccomp::host_profile_context(capabilities));
    HAKO_TRY_ASSIGN(resolved, seccomp::parse_profile(profile.docker_profile, ctx));
    use = &resolved;
  }
  auto filter = seccomp::compile_cached(*use, state_root + "/.seccomp-cache");
  if (!filter) return std::move(filter).error().context("linux.seccomp");
  return std::function<Result<UniqueFd>()>(
      [f = std::move(*filter)]() -> Result<UniqueFd> { return seccomp::install(f); });
}

}  // namespace hako::runtime
