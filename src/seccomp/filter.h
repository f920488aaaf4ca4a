// Compiled seccomp filters: an oci::Seccomp turned into a classic BPF program by libseccomp,
// and the installation of that program with the seccomp(2) syscall.
//
// compile() runs in the runtime before the container's init is cloned (it allocates, reads
// libseccomp's tables and can fail with a message for the user); install() runs in the init
// just before execve, after capabilities are dropped and no_new_privs is set, and needs
// nothing but the bytes: no libseccomp, no files. Without no_new_privs the kernel requires
// CAP_SYS_ADMIN in the caller's user namespace.
//
// A Filter is a value (copyable; the cache stores and reloads it byte for byte). The listener
// fd returned by install() is owned by the caller, who hands it to the seccomp agent (see
// listener.h) and closes it. Thread safe; install() affects the calling thread only, or the
// whole process with SECCOMP_FILTER_FLAG_TSYNC.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "base/result.h"
#include "base/unique_fd.h"
#include "oci/spec.h"

namespace hako::seccomp {

struct Filter {
  // struct sock_filter[], host byte order, as seccomp_export_bpf wrote it.
  std::string program;
  // SECCOMP_FILTER_FLAG_* from the profile's `flags`; install() adds NEW_LISTENER itself.
  uint32_t flags = 0;
  // Some rule uses SCMP_ACT_NOTIFY: install() asks for a listener fd.
  bool uses_notify = false;

  size_t instruction_count() const { return program.size() / 8; }
  friend bool operator==(const Filter&, const Filter&) = default;
};

// Validates the profile (validate_profile) and compiles it. Syscall names libseccomp does not
// know are skipped, as runc and crun do, so one profile serves several kernel and libseccomp
// versions. A rule whose action equals the default action is dropped (it changes nothing).
// Conditions on different arguments are ANDed in one rule; when one entry compares the same
// argument more than once, each condition becomes its own rule (OR), which is runc's reading of
// such entries and the only one libseccomp can express.
// Flags other than TSYNC, LOG and SPEC_ALLOW fail with kNotImplemented.
Result<Filter> compile(const oci::Seccomp& profile);

// seccomp(SECCOMP_SET_MODE_FILTER, flags, program). Returns the notification listener fd
// (O_CLOEXEC) when filter.uses_notify, an invalid UniqueFd otherwise.
Result<UniqueFd> install(const Filter& filter);

}  // namespace hako::seccomp
