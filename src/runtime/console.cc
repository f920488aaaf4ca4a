#include "runtime/console.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

namespace hako::runtime {

// The pty is created inside the container's own devpts instance, so the slave's owner and
// path are the container's; the master goes to the parent, which hands it on.
Result<UniqueFd> open_console(const oci::Process& process) {
  UniqueFd master(::open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!master) return sys_error("open /dev/ptmx in the container");
  if (::unlockpt(master.get()) != 0) return sys_error("unlock pty");
  int slave = ::ioctl(master.get(), TIOCGPTPEER, O_RDWR | O_NOCTTY);
  if (slave < 0) return sys_error("open pty slave");
  if (process.console_size) {
    winsize ws{static_cast<unsigned short>(process.console_size->height),
               static_cast<unsigned short>(process.console_size->width), 0, 0};
    ::ioctl(master.get(), TIOCSWINSZ, &ws);
  }
  for (int fd = 0; fd < 3; ++fd) {
    if (::dup2(slave, fd) < 0) return sys_error("dup pty slave");
  }
  if (::ioctl(0, TIOCSCTTY, 0) != 0) return sys_error("set controlling terminal");
  ::close(slave);
  return master;
}

}  // namespace hako::runtime
