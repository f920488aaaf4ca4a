#include "image/spool.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

namespace hako::image {

Result<UniqueFd> open_spool(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDWR | O_TMPFILE | O_CLOEXEC, 0600);
  if (fd >= 0) return UniqueFd(fd);
  std::string tmpl = dir + "/.spool-XXXXXX";
  fd = ::mkostemp(tmpl.data(), O_CLOEXEC);
  if (fd < 0) return sys_error("create a temp file in " + dir);
  ::unlink(tmpl.c_str());
  return UniqueFd(fd);
}

}  // namespace hako::image
