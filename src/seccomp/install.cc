// install(): the seccomp(2) call in the container's init. No libseccomp here: the program was
// compiled (or loaded from the cache) in the runtime before the init was cloned.
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "seccomp/filter.h"

namespace hako::seccomp {

Result<UniqueFd> install(const Filter& filter) {
  size_t count = filter.instruction_count();
  if (count == 0 || count > BPF_MAXINSNS || filter.program.size() % sizeof(sock_filter) != 0)
    return invalid_argument("install seccomp filter: malformed program of " +
                            std::to_string(filter.program.size()) + " bytes");
  // The kernel copies the program; it never writes through the pointer.
  sock_fprog prog{static_cast<unsigned short>(count),
                  reinterpret_cast<sock_filter*>(const_cast<char*>(filter.program.data()))};

  unsigned long flags = filter.flags;
  if (filter.uses_notify) {
    flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
    // With TSYNC, a thread that cannot be synchronised is reported by returning its tid, which
    // is ambiguous with the listener fd: the kernel refuses TSYNC|NEW_LISTENER unless
    // TSYNC_ESRCH (5.7) turns that case into -ESRCH. libseccomp 2.5 adds it the same way.
    if (flags & SECCOMP_FILTER_FLAG_TSYNC) flags |= SECCOMP_FILTER_FLAG_TSYNC_ESRCH;
  }

  long rc = ::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
  if (rc < 0) {
    if (errno == EACCES)
      return Error(ErrorCode::kPermissionDenied,
                   "install seccomp filter: permission denied: set no_new_privs first, or keep "
                   "CAP_SYS_ADMIN until the filter is installed",
                   EACCES);
    return sys_error("install seccomp filter");
  }
  if (filter.uses_notify) return UniqueFd(static_cast<int>(rc));
  if (rc != 0)
    return Error(ErrorCode::kFailedPrecondition,
                 "install seccomp filter: thread " + std::to_string(rc) +
                     " could not be synchronised (SECCOMP_FILTER_FLAG_TSYNC)");
  return UniqueFd();
}

}  // namespace hako::seccomp
