#include "image/save.h"

#include <archive.h>
#include <archive_entry.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <optional>
#include <set>

#include "content/sha256.h"
#include "image/spool.h"
#include "json/reader.h"
#include "oci/reference.h"
#include "snapshot/layer_reader.h"
#include "sys/file.h"

namespace hako::image {
namespace {

constexpr size_t kChunk = 1 << 20;

// A deterministic tar stream through libarchive into an archive::Writer.
class TarOut {
 public:
  explicit TarOut(archive::Writer& out) : out_(out), a_(archive_write_new()) {}
  ~TarOut() { archive_write_free(a_); }
  TarOut(const TarOut&) = delete;
  TarOut& operator=(const TarOut&) = delete;

  Status open() {
    // pax restricted: plain ustar headers unless a name or size needs a pax record.
    if (archive_write_set_format_pax_restricted(a_) != ARCHIVE_OK ||
        archive_write_open(a_, this, nullptr, &TarOut::write_cb, nullptr) != ARCHIVE_OK)
      return failure("open the tar stream");
    return ok();
  }

  Status dir(const std::string& path, int64_t mtime) {
    return header(path, AE_IFDIR, 0755, 0, mtime);
  }

  Status bytes(const std::string& path, std::string_view data, int64_t mtime) {
    HAKO_TRY(header(path, AE_IFREG, 0644, static_cast<int64_t>(data.size()), mtime));
    return data_chunk(path, data);
  }

  // Exactly `size` bytes of fd from its current offset.
  Status file(const std::string& path, int fd, uint64_t size, int64_t mtime) {
    HAKO_TRY(header(path, AE_IFREG, 0644, static_cast<int64_t>(size), mtime));
    auto buf = std::make_unique<char[]>(kChunk);
    uint64_t left = size;
    while (left > 0) {
      ssize_t n = ::read(fd, buf.get(), std::min<uint64_t>(left, kChunk));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return sys_error("read " + path);
      if (n == 0) return internal_error("read " + path + ": the file shrank while it was saved");
      HAKO_TRY(data_chunk(path, std::string_view(buf.get(), static_cast<size_t>(n))));
      left -= static_cast<uint64_t>(n);
    }
    return ok();
  }

  Status close() {
    if (archive_write_close(a_) != ARCHIVE_OK) return failure("finish the tar stream");
    return ok();
  }

 private:
  static la_ssize_t write_cb(struct archive*, void* opaque, const void* buf, size_t n) {
    auto* self = static_cast<TarOut*>(opaque);
    auto st = self->out_.write(std::string_view(static_cast<const char*>(buf), n));
    if (!st) {
      self->error_ = std::move(st).error();
      return -1;
    }
    return static_cast<la_ssize_t>(n);
  }

  Error failure(const std::string& what) {
    if (error_) return Error(*error_).context(what);
    const char* msg = archive_error_string(a_);
    return internal_error(what + ": " + (msg ? msg : "libarchive error"));
  }

  Status header(const std::string& path, int type, int perm, int64_t size, int64_t mtime) {
    struct archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, path.c_str());
    archive_entry_set_filetype(e, static_cast<unsigned>(type));
    archive_entry_set_perm(e, static_cast<mode_t>(perm));
    archive_entry_set_uid(e, 0);
    archive_entry_set_gid(e, 0);
    archive_entry_set_mtime(e, mtime, 0);
    archive_entry_set_size(e, size);
    int r = archive_write_header(a_, e);
    archive_entry_free(e);
    if (r != ARCHIVE_OK) return failure("write tar entry " + path);
    return ok();
  }

  Status data_chunk(const std::string& path, std::string_view d) {
    while (!d.empty()) {
      la_ssize_t n = archive_write_data(a_, d.data(), d.size());
      if (n <= 0) return failure("write tar entry " + path);
      d.remove_prefix(static_cast<size_t>(n));
    }
    return ok();
  }

  archive::Writer& out_;
  struct archive* a_;
  std::optional<Error> error_;
};

// Unix seconds of an RFC 3339 time ("2024-05-01T12:34:56.789+02:00"); 0 if it does not parse.
int64_t unix_seconds(const std::string& rfc3339) {
  struct tm tm = {};
  int consumed = 0;
  if (std::sscanf(rfc3339.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon,
                  &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &consumed) != 6)
    return 0;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  int64_t t = ::timegm(&tm);
  std::string_view rest = std::string_view(rfc3339).substr(static_cast<size_t>(consumed));
  if (!rest.empty() && rest[0] == '.') {
    size_t i = 1;
    while (i < rest.size() && rest[i] >= '0' && rest[i] <= '9') ++i;
    rest.remove_prefix(i);
  }
  int oh = 0, om = 0;
  if (rest.size() >= 6 && (rest[0] == '+' || rest[0] == '-') &&
      std::sscanf(std::string(rest.substr(1)).c_str(), "%2d:%2d", &oh, &om) == 2) {
    int64_t off = (oh * 60 + om) * 60;
    t += rest[0] == '+' ? -off : off;
  }
  return t < 0 ? 0 : t;
}

std::string sha256_hex(std::string_view data) {
  content::Sha256 h;
  h.update(data);
  return std::string(h.finish().hex());
}

// hako's v1 layer id: a digest of the chain id and the parent's v1 id. Docker's own ids also
// hash a v1 config; loaders only need them unique and stable, which the chain makes them.
std::string v1_id(const oci::Digest& chain_id, const std::string& parent) {
  json::Value v = {{"layer_id", chain_id.to_string()}};
  if (!parent.empty()) v["parent"] = "sha256:" + parent;
  return sha256_hex(v.dump());
}

struct SaveItem {
  LoadedImage image;
  std::vector<std::string> tags;  // normalised "docker.io/library/busybox:latest"
  int64_t mtime = 0;
};

void add_item(std::vector<SaveItem>& items, LoadedImage image, std::optional<std::string> tag) {
  auto it = std::find_if(items.begin(), items.end(),
                         [&](const SaveItem& s) { return s.image.record.id == image.record.id; });
  if (it == items.end()) {
    SaveItem item;
    item.mtime = unix_seconds(image.record.created);
    item.image = std::move(image);
    items.push_back(std::move(item));
    it = items.end() - 1;
  }
  if (tag && std::find(it->tags.begin(), it->tags.end(), *tag) == it->tags.end())
    it->tags.push_back(*tag);
}

// Every name resolved, before anything is written.
Result<std::vector<SaveItem>> plan(ImageStore& store, const std::vector<std::string>& names) {
  if (names.empty()) return invalid_argument("save: give at least one image to save");
  std::vector<SaveItem> items;
  for (const auto& name : names) {
    auto ref = oci::parse_reference(name, oci::DefaultTag::kNone);
    if (ref && ref->tag.empty() && !ref->digest) {
      // A repository alone saves all of its tags, as `docker save busybox` does.
      HAKO_TRY_ASSIGN(auto all, store.metadata().list_refs());
      bool found = false;
      for (const auto& r : all) {
        if (r.is_digest()) continue;
        auto parsed = oci::parse_reference(r.name, oci::DefaultTag::kNone);
        if (!parsed || parsed->name() != ref->name()) continue;
        HAKO_TRY_ASSIGN(auto rec, store.resolve(r.image.to_string()));
        HAKO_TRY_ASSIGN(auto loaded, store.load(rec));
        add_item(items, std::move(loaded), r.name);
        found = true;
      }
      if (found) continue;
    }
    HAKO_TRY_ASSIGN(auto rec, store.resolve(name));
    std::optional<std::string> tag;
    if (auto tagged = oci::parse_reference(name); tagged && !tagged->digest) {
      HAKO_TRY_ASSIGN(auto id, store.metadata().find_ref(tagged->to_string()));
      if (id && *id == rec.id) tag = tagged->to_string();
    }
    HAKO_TRY_ASSIGN(auto loaded, store.load(rec));
    add_item(items, std::move(loaded), tag);
  }
  return items;
}

// layer.tar: the stored blob when it is the uncompressed tar, else its decompressed stream,
// spooled first because the tar header needs the size.
Status write_layer_tar(TarOut& tar, ImageStore& store, const LayerRecord& layer,
                       const std::string& path, int64_t mtime) {
  HAKO_TRY_ASSIGN(UniqueFd blob, store.blobs().open_blob(layer.blob));
  if (layer.blob == layer.diff_id) {
    HAKO_TRY_ASSIGN(uint64_t size, store.blobs().size(layer.blob));
    return tar.file(path, blob.get(), size, mtime);
  }
  HAKO_TRY_ASSIGN(UniqueFd spool, open_spool(store.root()));
  snapshot::LayerReader reader(blob.get());
  auto buf = std::make_unique<char[]>(kChunk);
  for (;;) {
    auto n = reader.read(buf.get(), kChunk);
    if (!n) return std::move(n).error().context("save: decompress layer " + layer.blob.to_string());
    if (*n == 0) break;
    HAKO_TRY(sys::write_all(spool.get(), std::string_view(buf.get(), *n), "write the save spool"));
  }
  oci::Digest got = reader.digest();
  if (got != layer.diff_id)
    return failed_precondition("save: layer " + layer.blob.to_string() + ": uncompressed digest " +
                               got.to_string() + " does not match its diff id " +
                               layer.diff_id.to_string() + "; run `hako system check`");
  if (::lseek(spool.get(), 0, SEEK_SET) != 0) return sys_error("rewind the save spool");
  return tar.file(path, spool.get(), reader.bytes_out(), mtime);
}

json::Value repo_tags(const SaveItem& item) {
  if (item.tags.empty()) return nullptr;  // Docker writes null for an image saved by id
  json::Value tags = json::Value::array();
  for (const auto& t : item.tags) tags.push_back(familiar(t));
  return tags;
}

Status write_docker_archive(TarOut& tar, ImageStore& store, const std::vector<SaveItem>& items) {
  std::set<std::string> written;
  json::Value manifest = json::Value::array();
  json::Value repositories = json::Value::object();
  for (const auto& item : items) {
    const ImageRecord& rec = item.image.record;
    json::Value layers = json::Value::array();
    std::string parent;
    for (const auto& layer : rec.layers) {
      std::string id = v1_id(layer.chain_id, parent);
      if (written.insert(id).second) {
        json::Value v1 = {
            {"id", id}, {"created", "1970-01-01T00:00:00Z"}, {"os", item.image.config.os}};
        if (!parent.empty()) v1["parent"] = parent;
        HAKO_TRY(tar.dir(id + "/", item.mtime));
        HAKO_TRY(tar.bytes(id + "/VERSION", "1.0", item.mtime));
        HAKO_TRY(tar.bytes(id + "/json", v1.dump(), item.mtime));
        HAKO_TRY(write_layer_tar(tar, store, layer, id + "/layer.tar", item.mtime));
      }
      layers.push_back(id + "/layer.tar");
      parent = id;
    }
    std::string config_name = std::string(rec.id.hex()) + ".json";
    HAKO_TRY(tar.bytes(config_name, item.image.config_bytes, item.mtime));
    manifest.push_back(
        {{"Config", config_name}, {"RepoTags", repo_tags(item)}, {"Layers", std::move(layers)}});
    for (const auto& t : item.tags) {
      auto ref = oci::parse_reference(t);
      if (ref) repositories[ref->familiar_name()][ref->tag] = parent;
    }
  }
  HAKO_TRY(tar.bytes("manifest.json", manifest.dump(), 0));
  if (!repositories.empty()) HAKO_TRY(tar.bytes("repositories", repositories.dump(), 0));
  return ok();
}

Status write_blob(TarOut& tar, ImageStore& store, const oci::Digest& d, int64_t mtime,
                  std::set<oci::Digest>& written) {
  if (!written.insert(d).second) return ok();
  HAKO_TRY_ASSIGN(UniqueFd fd, store.blobs().open_blob(d));
  HAKO_TRY_ASSIGN(uint64_t size, store.blobs().size(d));
  return tar.file("blobs/sha256/" + std::string(d.hex()), fd.get(), size, mtime);
}

std::string_view oci_layer_type(std::string_view docker_type) {
  if (docker_type == oci::kMediaTypeDockerLayer) return oci::kMediaTypeLayer;
  if (docker_type == oci::kMediaTypeDockerLayerGzip) return oci::kMediaTypeLayerGzip;
  if (docker_type == oci::kMediaTypeDockerLayerZstd) return oci::kMediaTypeLayerZstd;
  if (docker_type == oci::kMediaTypeDockerForeignLayerGzip)
    return oci::kMediaTypeLayerNondistributableGzip;
  return docker_type;
}

// The manifest an OCI layout names. An OCI manifest goes as stored; a Docker schema 2 one is
// rewritten with the OCI media types (same config bytes, same layer blobs, so the image id is
// kept), as `docker save` 25 and `skopeo copy docker-archive: oci-archive:` do: the OCI layout
// readers of containers/image (skopeo, podman) skip index entries of Docker media types.
Result<oci::Descriptor> manifest_for_layout(TarOut& tar, ImageStore& store, const ImageRecord& rec,
                                            int64_t mtime, std::set<oci::Digest>& written) {
  oci::Descriptor desc;
  desc.media_type = rec.manifest_media_type;
  desc.digest = rec.manifest;
  if (rec.manifest_media_type != oci::kMediaTypeDockerManifest) {
    HAKO_TRY_ASSIGN(uint64_t size, store.blobs().size(rec.manifest));
    desc.size = static_cast<int64_t>(size);
    HAKO_TRY(write_blob(tar, store, rec.manifest, mtime, written));
    return desc;
  }
  HAKO_TRY_ASSIGN(std::string bytes, store.blobs().read_blob(rec.manifest, oci::kMaxDocumentBytes));
  HAKO_TRY_ASSIGN(oci::Manifest m, oci::parse_manifest(bytes));
  m.media_type = std::string(oci::kMediaTypeImageManifest);
  m.config.media_type = std::string(oci::kMediaTypeImageConfig);
  for (auto& l : m.layers) l.media_type = std::string(oci_layer_type(l.media_type));
  std::string converted = oci::to_json(m);
  desc.media_type = m.media_type;
  desc.digest = *oci::Digest::parse("sha256:" + sha256_hex(converted));
  desc.size = static_cast<int64_t>(converted.size());
  if (written.insert(desc.digest).second)
    HAKO_TRY(tar.bytes("blobs/sha256/" + std::string(desc.digest.hex()), converted, mtime));
  return desc;
}

Status write_oci_layout(TarOut& tar, ImageStore& store, const std::vector<SaveItem>& items) {
  HAKO_TRY(tar.dir("blobs/", 0));
  HAKO_TRY(tar.dir("blobs/sha256/", 0));
  std::set<oci::Digest> written;
  oci::Index index;
  index.media_type = std::string(oci::kMediaTypeImageIndex);
  json::Value manifest = json::Value::array();
  for (const auto& item : items) {
    const ImageRecord& rec = item.image.record;
    HAKO_TRY_ASSIGN(oci::Descriptor desc,
                    manifest_for_layout(tar, store, rec, item.mtime, written));
    HAKO_TRY(write_blob(tar, store, rec.id, item.mtime, written));
    json::Value layers = json::Value::array();
    for (const auto& layer : rec.layers) {
      HAKO_TRY(write_blob(tar, store, layer.blob, item.mtime, written));
      layers.push_back("blobs/sha256/" + std::string(layer.blob.hex()));
    }
    manifest.push_back({{"Config", "blobs/sha256/" + std::string(rec.id.hex())},
                        {"RepoTags", repo_tags(item)},
                        {"Layers", std::move(layers)}});
    if (item.tags.empty()) index.manifests.push_back(desc);
    for (const auto& t : item.tags) {
      oci::Descriptor tagged = desc;
      auto ref = oci::parse_reference(t);
      tagged.annotations["io.containerd.image.name"] = t;
      if (ref) tagged.annotations["org.opencontainers.image.ref.name"] = ref->tag;
      index.manifests.push_back(std::move(tagged));
    }
  }
  HAKO_TRY(tar.bytes("index.json", oci::to_json(index), 0));
  HAKO_TRY(tar.bytes("manifest.json", manifest.dump(), 0));
  HAKO_TRY(tar.bytes("oci-layout", R"({"imageLayoutVersion":"1.0.0"})", 0));
  return ok();
}

}  // namespace

Status save_images(ImageStore& store, const std::vector<std::string>& names, SaveFormat format,
                   archive::Writer& out) {
  HAKO_TRY_ASSIGN(std::vector<SaveItem> items, plan(store, names));
  TarOut tar(out);
  HAKO_TRY(tar.open());
  if (format == SaveFormat::kDockerArchive) {
    HAKO_TRY(write_docker_archive(tar, store, items));
  } else {
    HAKO_TRY(write_oci_layout(tar, store, items));
  }
  return tar.close();
}

}  // namespace hako::image
