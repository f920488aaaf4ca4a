// The XAR writer, left out of hako's static libarchive (see CMakeLists.txt): libarchive's table
// of writers names it, and the real one needs libxml2. hako never writes XAR.
#include <archive.h>
#include <errno.h>

int archive_write_set_format_xar(struct archive* a) {
  archive_set_error(a, ENOTSUP, "XAR archives are not supported by hako");
  return ARCHIVE_FATAL;
}
