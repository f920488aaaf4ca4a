// compile(): oci::Seccomp → libseccomp context → classic BPF bytes.
//
// libseccomp 2.5 can only export a program to an fd (seccomp_export_bpf_mem is 2.6), so the
// program goes through a memfd: no file on disk, nothing to clean up.
#include <linux/filter.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

#include "seccomp/filter.h"
#include "seccomp/names.h"
#include "seccomp/profile.h"
#include "sys/file.h"

namespace hako::seccomp {
namespace {

struct ContextDeleter {
  void operator()(void* ctx) const { seccomp_release(ctx); }
};
using Context = std::unique_ptr<void, ContextDeleter>;  // scmp_filter_ctx is a void*

// libseccomp returns -errno.
Error seccomp_error(int rc, std::string_view what) { return Error::from_errno(-rc, what); }

Result<uint32_t> collect_flags(const std::vector<std::string>& flags) {
  uint32_t out = 0;
  for (size_t i = 0; i < flags.size(); ++i) {
    FlagInfo info = *find_flag(flags[i]);  // validate_profile checked the name
    if (!info.supported)
      return Error(ErrorCode::kNotImplemented,
                   "flags[" + std::to_string(i) + "]: seccomp flag " + flags[i] +
                       " is not supported by this build (libseccomp 2.5)");
    out |= info.kernel_value;
  }
  return out;
}

Status add_rules(scmp_filter_ctx ctx, uint32_t action, const oci::SeccompSyscall& call,
                 const std::string& path) {
  std::vector<scmp_arg_cmp> conditions;
  conditions.reserve(call.args.size());
  unsigned seen = 0;
  bool same_arg_twice = false;
  for (const oci::SeccompArg& arg : call.args) {
    // OCI's value/valueTwo are libseccomp's datum_a/datum_b; for MASKED_EQ that is mask, value.
    conditions.push_back({arg.index, *find_op(arg.op), arg.value, arg.value_two});
    if (seen & (1u << arg.index)) same_arg_twice = true;
    seen |= 1u << arg.index;
  }
  for (const std::string& name : call.names) {
    // Resolved for the native arch; names that exist only on another arch of the filter
    // (chown32 on x86_64) get a negative pseudo number that libseccomp translates per arch.
    int nr = seccomp_syscall_resolve_name(name.c_str());
    if (nr == __NR_SCMP_ERROR) continue;  // unknown to this libseccomp: skipped, as runc does
    int rc = 0;
    if (same_arg_twice) {
      // libseccomp rejects two comparisons of one argument in a rule (EINVAL).
      for (const scmp_arg_cmp& c : conditions)
        if ((rc = seccomp_rule_add_array(ctx, action, nr, 1, &c)) < 0) break;
    } else {
      rc = seccomp_rule_add_array(ctx, action, nr, static_cast<unsigned>(conditions.size()),
                                  conditions.data());
    }
    if (rc < 0) return seccomp_error(rc, path + ": add rule for " + name);
  }
  return ok();
}

Result<std::string> export_program(scmp_filter_ctx ctx) {
  int fd = ::memfd_create("hako-seccomp-bpf", MFD_CLOEXEC);
  if (fd < 0) return sys_error("memfd_create");
  UniqueFd mem(fd);
  if (int rc = seccomp_export_bpf(ctx, mem.get()); rc < 0)
    return seccomp_error(rc, "export seccomp filter");
  if (::lseek(mem.get(), 0, SEEK_SET) < 0) return sys_error("lseek seccomp filter");
  HAKO_TRY_ASSIGN(std::string program, sys::read_fd(mem.get(), 1 << 20));
  if (program.empty() || program.size() % sizeof(sock_filter) != 0)
    return internal_error("export seccomp filter: malformed program of " +
                          std::to_string(program.size()) + " bytes");
  // The kernel refuses longer classic BPF programs; say so here rather than as EINVAL later.
  if (program.size() / sizeof(sock_filter) > BPF_MAXINSNS)
    return Error(ErrorCode::kResourceExhausted,
                 "seccomp filter has " + std::to_string(program.size() / sizeof(sock_filter)) +
                     " instructions, more than the kernel's limit of " +
                     std::to_string(BPF_MAXINSNS));
  return program;
}

}  // namespace

Result<Filter> compile(const oci::Seccomp& profile) {
  HAKO_TRY(validate_profile(profile));
  Filter filter;
  HAKO_TRY_ASSIGN(filter.flags, collect_flags(profile.flags));

  uint32_t default_action =
      action_value(*find_action(profile.default_action), profile.default_errno_ret);
  Context ctx(seccomp_init(default_action));
  if (!ctx) return invalid_argument("defaultAction: libseccomp refused " + profile.default_action);
  // The native arch is always in a new context; the profile adds the ones it also runs (x86 and
  // x32 on x86_64). A syscall from an arch not in the filter gets the kill action.
  for (size_t i = 0; i < profile.architectures.size(); ++i) {
    int rc = seccomp_arch_add(ctx.get(), *find_arch(profile.architectures[i]));
    // EDOM: the other byte order (ppc64 on x86_64), which one BPF program cannot check. Such
    // syscalls cannot occur on this kernel (its compat ABIs share its byte order), so skipping
    // lets one profile list every arch it supports, as Docker-derived profiles do.
    if (rc < 0 && rc != -EEXIST && rc != -EDOM)
      return seccomp_error(
          rc, "architectures[" + std::to_string(i) + "]: add " + profile.architectures[i]);
  }

  for (size_t i = 0; i < profile.syscalls.size(); ++i) {
    const oci::SeccompSyscall& call = profile.syscalls[i];
    Action kind = *find_action(call.action);
    if (kind == Action::kNotify) filter.uses_notify = true;
    uint32_t action = action_value(kind, call.errno_ret);
    // libseccomp refuses (EACCES) a rule that repeats the default action; it would change nothing.
    if (action == default_action) continue;
    HAKO_TRY(add_rules(ctx.get(), action, call, "syscalls[" + std::to_string(i) + "]"));
  }

  HAKO_TRY_ASSIGN(filter.program, export_program(ctx.get()));
  return filter;
}

}  // namespace hako::seccomp
