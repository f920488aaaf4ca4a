// Docker's `--user user[:group]` resolution against a container's own /etc/passwd and
// /etc/group (runc's libcontainer/user rules, as dockerd applies them):
//   - a name must be in passwd ("unable to find user foo: no matching entries in passwd file");
//     a number need not be (uid N, gid 0 unless passwd has N);
//   - an explicit group (name or number) sets the gid and no supplementary groups are taken
//     from /etc/group; without one, every group listing the user by name is added;
//   - additional gids are the primary gid first (moby, since CVE-2022-36109), then those groups,
//     then --group-add (names looked up in /etc/group, numbers as they are).
// The files are read inside the rootfs with openat2(RESOLVE_IN_ROOT), so an image's symlink
// cannot make the engine read a host file. Missing files are fine for numeric ids.
// Pure over the rootfs; thread safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/result.h"

namespace hako::engine {

struct ResolvedUser {
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::vector<uint32_t> additional_gids;
  std::string home = "/";  // from passwd, for HOME (runc sets it the same way)
};

Result<ResolvedUser> resolve_user(const std::string& rootfs, const std::string& user_spec,
                                  const std::vector<std::string>& group_add);

// The same rules over the files' contents (empty: file missing), for tests and callers that
// already read them.
Result<ResolvedUser> resolve_user_from(const std::string& passwd, const std::string& group,
                                       const std::string& user_spec,
                                       const std::vector<std::string>& group_add);

}  // namespace hako::engine
