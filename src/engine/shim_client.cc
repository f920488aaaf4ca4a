#include "engine/shim_client.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

#include "sys/file.h"
#include "sys/socket.h"

extern char** environ;

namespace hako::engine {

Result<UniqueFd> spawn_shim(const std::string& shim_exe, const std::string& run_dir,
                            const std::string& config, shim::Msg first_type,
                            const std::string& first_payload) {
  UniqueFd memfd(static_cast<int>(::syscall(SYS_memfd_create, "hako-shim-config", MFD_CLOEXEC)));
  if (!memfd) return sys_error("memfd_create");
  // Above 4: the spawn's dup2 to 3 must not overwrite it before its own dup2 to 4.
  UniqueFd config_fd(::fcntl(memfd.get(), F_DUPFD_CLOEXEC, 5));
  if (!config_fd) return sys_error("dup the shim config");
  memfd.reset();
  HAKO_TRY(sys::write_all(config_fd.get(), config, "shim config"));
  if (::lseek(config_fd.get(), 0, SEEK_SET) != 0) return sys_error("lseek shim config");
  HAKO_TRY_ASSIGN(auto pair, sys::seqpacket_pair());
  HAKO_TRY(shim::send_msg(pair.first.get(), first_type, first_payload));
  posix_spawn_file_actions_t fa;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&fa);
  posix_spawnattr_init(&attr);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, pair.second.get(), 3);
  posix_spawn_file_actions_adddup2(&fa, config_fd.get(), 4);
  // A new session: the shim outlives this terminal and its signals.
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  sigset_t all;
  sigfillset(&all);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  std::string exe = shim_exe;
  std::string dir = run_dir;
  char fd_arg[] = "3";
  char flag[] = "--creator-fd";
  char config_arg[] = "4";
  char config_flag[] = "--config-fd";
  char* argv[] = {exe.data(), dir.data(), flag, fd_arg, config_flag, config_arg, nullptr};
  pid_t pid = 0;
  int rc = ::posix_spawn(&pid, exe.c_str(), &fa, &attr, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) return Error::from_errno(rc, "start " + shim_exe);
  return std::move(pair.first);
}

Result<UniqueFd> connect_shim(const std::string& run_dir) {
  HAKO_TRY_ASSIGN(UniqueFd dir, sys::open_path(run_dir, O_PATH | O_DIRECTORY));
  std::string path = "/proc/self/fd/" + std::to_string(dir.get()) + "/shim.sock";
  int fd = ::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
  if (fd < 0) return sys_error("socket");
  UniqueFd sock(fd);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    if (errno == ECONNREFUSED || errno == ENOENT)
      return Error(ErrorCode::kUnavailable, "the container's shim is not running");
    return sys_error("connect to the shim in " + run_dir);
  }
  return sock;
}

Result<std::pair<shim::Msg, std::string>> shim_call(int fd, shim::Msg type,
                                                    const std::string& payload) {
  HAKO_TRY(shim::send_msg(fd, type, payload));
  std::string reply;
  HAKO_TRY_ASSIGN(shim::Msg t, shim::recv_msg(fd, &reply));
  return std::pair{t, std::move(reply)};
}

void wait_for_close(int fd) {
  std::string ignored;
  while (shim::recv_msg(fd, &ignored)) {
  }
}

}  // namespace hako::engine
