#include "image/default_image.h"

#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>

#include <algorithm>
#include <memory>
#include <set>

#include "base/strings.h"
#include "oci/platform.h"
#include "sys/file.h"

namespace hako::image {
namespace {

// Docker's busybox image was created at a fixed time too; any fixed value keeps ids stable.
constexpr const char* kCreated = "2000-01-01T00:00:00Z";
constexpr int64_t kMtime = 946684800;  // the same instant
constexpr size_t kMaxBusyboxBytes = 64 << 20;

struct WriteFree {
  void operator()(struct archive* a) const { archive_write_free(a); }
};
struct EntryFree {
  void operator()(struct archive_entry* e) const { archive_entry_free(e); }
};

class TarBuilder {
 public:
  Status open() {
    a_.reset(archive_write_new());
    if (!a_ || archive_write_set_format_ustar(a_.get()) != ARCHIVE_OK ||
        archive_write_open(a_.get(), this, nullptr, &TarBuilder::on_write, nullptr) != ARCHIVE_OK)
      return internal_error("default image: cannot start the layer tar");
    return ok();
  }
  Status add(const std::string& name, mode_t type, mode_t perm, std::string_view data = {},
             const std::string& link = {}) {
    std::unique_ptr<struct archive_entry, EntryFree> e(archive_entry_new());
    archive_entry_set_pathname(e.get(), name.c_str());
    archive_entry_set_filetype(e.get(), type);
    archive_entry_set_perm(e.get(), perm);
    archive_entry_set_uid(e.get(), 0);
    archive_entry_set_gid(e.get(), 0);
    archive_entry_set_mtime(e.get(), kMtime, 0);
    if (type == AE_IFLNK) archive_entry_set_symlink(e.get(), link.c_str());
    archive_entry_set_size(e.get(), type == AE_IFREG ? static_cast<la_int64_t>(data.size()) : 0);
    if (archive_write_header(a_.get(), e.get()) != ARCHIVE_OK)
      return internal_error("default image: tar entry " + name + ": " +
                            archive_error_string(a_.get()));
    if (!data.empty() && archive_write_data(a_.get(), data.data(), data.size()) < 0)
      return internal_error("default image: tar data " + name);
    return ok();
  }
  Result<std::string> finish() {
    if (archive_write_close(a_.get()) != ARCHIVE_OK)
      return internal_error("default image: cannot finish the layer tar");
    return std::move(out_);
  }

 private:
  static la_ssize_t on_write(struct archive*, void* self, const void* buf, size_t n) {
    static_cast<TarBuilder*>(self)->out_.append(static_cast<const char*>(buf), n);
    return static_cast<la_ssize_t>(n);
  }
  std::unique_ptr<struct archive, WriteFree> a_;
  std::string out_;
};

// "usr/bin/[" ... : where busybox installs each applet.
Result<std::vector<std::string>> list_applets(const std::string& busybox) {
  std::string cmd = "'" + busybox + "' --list-full";
  FILE* p = ::popen(cmd.c_str(), "re");
  if (!p) return sys_error("run " + busybox + " --list-full");
  std::string text;
  char buf[4096];
  size_t n;
  while ((n = ::fread(buf, 1, sizeof buf, p)) > 0) text.append(buf, n);
  int status = ::pclose(p);
  if (status != 0 || text.empty())
    return failed_precondition(busybox + " --list-full failed: install busybox-static");
  std::vector<std::string> out;
  for (auto& line : split(text, '\n')) {
    std::string_view l = trim(line);
    if (l.empty() || l.find("..") != l.npos || l.front() == '/') continue;
    out.emplace_back(l);
  }
  std::sort(out.begin(), out.end());
  return out;
}

Result<std::string> busybox_layer(const std::string& busybox) {
  HAKO_TRY_ASSIGN(std::string binary, sys::read_file(busybox, kMaxBusyboxBytes));
  if (binary.size() < 4 || binary.compare(0, 4,
                                          "\x7f"
                                          "ELF") != 0)
    return failed_precondition(busybox + " is not an ELF binary: install busybox-static");
  HAKO_TRY_ASSIGN(auto applets, list_applets(busybox));
  std::set<std::string> dirs = {"bin",      "dev",  "etc", "home",      "proc",
                                "root",     "sys",  "tmp", "usr",       "usr/bin",
                                "usr/sbin", "sbin", "var", "var/spool", "var/www"};
  for (const auto& a : applets) {
    auto slash = a.rfind('/');
    if (slash != a.npos) dirs.insert(a.substr(0, slash));
  }
  TarBuilder tar;
  HAKO_TRY(tar.open());
  for (const auto& d : dirs) HAKO_TRY(tar.add(d + "/", AE_IFDIR, d == "tmp" ? 01777 : 0755));
  HAKO_TRY(tar.add("bin/busybox", AE_IFREG, 0755, binary));
  HAKO_TRY(tar.add("etc/group", AE_IFREG, 0644, "root:x:0:\ndaemon:x:1:\nnogroup:x:65534:\n"));
  HAKO_TRY(tar.add("etc/passwd", AE_IFREG, 0644,
                   "root:x:0:0:root:/root:/bin/sh\n"
                   "daemon:x:1:1:daemon:/usr/sbin:/bin/false\n"
                   "nobody:x:65534:65534:nobody:/home:/bin/false\n"));
  for (const auto& a : applets) {
    if (a == "bin/busybox") continue;
    // Relative to the applet's directory, so the layer works wherever it is mounted.
    size_t depth = static_cast<size_t>(std::count(a.begin(), a.end(), '/'));
    std::string target;
    for (size_t i = 0; i < depth; ++i) target += "../";
    HAKO_TRY(tar.add(a, AE_IFLNK, 0777, {}, target + "bin/busybox"));
  }
  return tar.finish();
}

}  // namespace

Result<ImageRecord> create_default_image(ImageStore& store, const std::string& busybox_path,
                                         const std::string& reference) {
  HAKO_TRY_ASSIGN(PendingMark mark, store.mark_pending());
  HAKO_TRY_ASSIGN(std::string layer, busybox_layer(busybox_path));
  const content::Store& blobs = store.blobs();
  HAKO_TRY_ASSIGN(oci::Digest layer_digest, blobs.ingest_bytes(layer));

  oci::Platform host = oci::host_platform();
  oci::ImageConfig config;
  config.created = kCreated;
  config.architecture = host.architecture;
  config.variant = host.variant;
  config.os = "linux";
  oci::RunDefaults run;
  run.env = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"};
  run.cmd = std::vector<std::string>{"sh"};
  config.config = run;
  config.rootfs.diff_ids = {layer_digest};
  oci::History h;
  h.created = kCreated;
  h.created_by = "hako image default (busybox from " + busybox_path + ")";
  config.history = {h};
  std::string config_json = oci::to_json(config);
  HAKO_TRY_ASSIGN(oci::Digest config_digest, blobs.ingest_bytes(config_json));

  oci::Manifest m;
  m.media_type = std::string(oci::kMediaTypeDockerManifest);
  m.config.media_type = std::string(oci::kMediaTypeDockerConfig);
  m.config.digest = config_digest;
  m.config.size = static_cast<int64_t>(config_json.size());
  oci::Descriptor l;
  l.media_type = std::string(oci::kMediaTypeDockerLayer);
  l.digest = layer_digest;
  l.size = static_cast<int64_t>(layer.size());
  m.layers = {l};
  HAKO_TRY_ASSIGN(oci::Digest manifest_digest, blobs.ingest_bytes(oci::to_json(m)));
  HAKO_TRY_ASSIGN(auto rec, store.add_image(manifest_digest, {reference}));
  mark.done();
  return rec;
}

}  // namespace hako::image
