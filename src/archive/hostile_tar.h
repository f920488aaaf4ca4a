// TarBuilder: writes tar streams for tests, hostile ones included.
//
// Names, link targets and xattrs are written exactly as given (libarchive's writer does not
// sanitise them; that is bsdtar's job), so tests can build the "../", absolute-name, symlink
// and hardlink attacks a malicious layer would carry. Test-only; not thread safe.
#pragma once

#include <sys/types.h>

#include <archive.h>
#include <archive_entry.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace hako::archive::testing {

enum class Compression { kNone, kGzip, kZstd };

struct Attrs {
  mode_t perm = 0644;
  int64_t uid = 0;
  int64_t gid = 0;
  time_t mtime = 1'600'000'000;
  long mtime_nsec = 0;
  std::vector<std::pair<std::string, std::string>> xattrs;
};

class TarBuilder {
 public:
  explicit TarBuilder(Compression compression = Compression::kNone);
  ~TarBuilder();
  TarBuilder(const TarBuilder&) = delete;
  TarBuilder& operator=(const TarBuilder&) = delete;

  TarBuilder& file(const std::string& name, const std::string& data, Attrs attrs = {});
  TarBuilder& dir(const std::string& name, Attrs attrs = {.perm = 0755});
  TarBuilder& symlink(const std::string& name, const std::string& target);
  TarBuilder& hardlink(const std::string& name, const std::string& target);
  // type: AE_IFCHR, AE_IFBLK or AE_IFIFO.
  TarBuilder& node(const std::string& name, mode_t type, unsigned major, unsigned minor,
                   Attrs attrs = {});
  // A sparse file of `size` bytes whose only data are `chunks` (offset, bytes); the rest are
  // holes, which cost nothing in the stream.
  TarBuilder& sparse(const std::string& name, int64_t size,
                     const std::vector<std::pair<int64_t, std::string>>& chunks);

  // Finishes the stream and returns it; the builder is spent.
  std::string finish();

 private:
  void header(struct archive_entry* e);
  struct archive* a_;
  std::string out_;
};

}  // namespace hako::archive::testing
