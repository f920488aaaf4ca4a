#include "image/load.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>

#include "image/archive_index.h"
#include "json/reader.h"
#include "oci/platform.h"

namespace hako::image {
namespace {

// One image to record: its manifest is in the content store already.
struct Pending {
  oci::Digest manifest;
  std::vector<std::string> refs;
};

// The media type a docker-archive layer blob really has, from its first bytes: Docker writes
// plain tars, but `docker load` also takes compressed ones.
Result<std::string> sniff_layer_type(const content::Store& blobs, const oci::Digest& blob) {
  HAKO_TRY_ASSIGN(UniqueFd fd, blobs.open_blob(blob));
  unsigned char magic[4] = {};
  ssize_t n = ::pread(fd.get(), magic, sizeof magic, 0);
  if (n >= 2 && magic[0] == 0x1f && magic[1] == 0x8b)
    return std::string(oci::kMediaTypeDockerLayerGzip);
  if (n == 4 && magic[0] == 0x28 && magic[1] == 0xb5 && magic[2] == 0x2f && magic[3] == 0xfd)
    return std::string(oci::kMediaTypeDockerLayerZstd);
  return std::string(oci::kMediaTypeDockerLayer);
}

Result<std::string> normalise_tag(const std::string& tag) {
  auto ref = oci::parse_reference(tag);
  if (!ref) return std::move(ref).error().context("manifest.json: RepoTags");
  return ref->to_string();
}

// A docker-archive has no manifest in the registry sense: hako writes the Docker schema 2
// manifest a registry would hold for it, so save and push work from one shape.
Result<Pending> docker_entry(const content::Store& blobs, const ArchiveIndex& index,
                             const json::Value& entry, const std::string& path) {
  std::string config_path;
  std::vector<std::string> tags, layer_paths;
  HAKO_TRY(json::require_object(entry, path));
  HAKO_TRY(json::read_required(entry, path, "Config", config_path));
  HAKO_TRY(json::read_field(entry, path, "RepoTags", tags));
  HAKO_TRY(json::read_field(entry, path, "Layers", layer_paths));
  HAKO_TRY_ASSIGN(std::string config_bytes, index.document(config_path));
  HAKO_TRY_ASSIGN(oci::ImageConfig config, oci::parse_image_config(config_bytes));
  const auto& diff_ids = config.rootfs.diff_ids;
  if (diff_ids.size() != layer_paths.size())
    return invalid_argument(path + ": " + std::to_string(layer_paths.size()) +
                            " layers, but its config lists " + std::to_string(diff_ids.size()) +
                            " diff ids");
  oci::Manifest m;
  m.media_type = std::string(oci::kMediaTypeDockerManifest);
  m.config.media_type = std::string(oci::kMediaTypeDockerConfig);
  HAKO_TRY_ASSIGN(m.config.digest, blobs.ingest_bytes(config_bytes));
  m.config.size = static_cast<int64_t>(config_bytes.size());
  for (size_t i = 0; i < layer_paths.size(); ++i) {
    oci::Descriptor d;
    HAKO_TRY_ASSIGN(d.digest, index.blob(layer_paths[i]));
    HAKO_TRY_ASSIGN(d.media_type, sniff_layer_type(blobs, d.digest));
    HAKO_TRY_ASSIGN(uint64_t size, blobs.size(d.digest));
    d.size = static_cast<int64_t>(size);
    // A plain tar is its own diff id: check it now rather than after unpacking it.
    if (d.media_type == oci::kMediaTypeDockerLayer && d.digest != diff_ids[i])
      return invalid_argument(path + ".Layers[" + std::to_string(i) + "] (" + layer_paths[i] +
                              "): digest mismatch: the tar is " + d.digest.to_string() +
                              ", the config says " + diff_ids[i].to_string());
    m.layers.push_back(std::move(d));
  }
  Pending p;
  HAKO_TRY_ASSIGN(p.manifest, blobs.ingest_bytes(oci::to_json(m)));
  for (const auto& t : tags) {
    HAKO_TRY_ASSIGN(auto n, normalise_tag(t));
    p.refs.push_back(std::move(n));
  }
  return p;
}

Result<std::vector<Pending>> docker_archive(const content::Store& blobs,
                                            const ArchiveIndex& index) {
  HAKO_TRY_ASSIGN(std::string text, index.document("manifest.json"));
  HAKO_TRY_ASSIGN(json::Value doc, json::parse(text, "manifest.json"));
  if (!doc.is_array()) return json::type_error("manifest.json", "array");
  std::vector<Pending> out;
  for (size_t i = 0; i < doc.size(); ++i) {
    HAKO_TRY_ASSIGN(auto p,
                    docker_entry(blobs, index, doc[i], "manifest.json[" + std::to_string(i) + "]"));
    out.push_back(std::move(p));
  }
  return out;
}

// The name an OCI index entry gives its image: containerd's full name, else the OCI ref name
// when it is a whole reference (skopeo writes "busybox:latest" when asked to; a bare tag like
// "latest" names no repository, and the image is loaded without a name).
std::optional<std::string> oci_entry_name(const oci::Descriptor& d) {
  for (const char* key : {"io.containerd.image.name", "org.opencontainers.image.ref.name"}) {
    auto it = d.annotations.find(key);
    if (it == d.annotations.end()) continue;
    const std::string& v = it->second;
    if (std::string_view(key) != "io.containerd.image.name" &&
        v.find_first_of(":/@") == std::string::npos)
      continue;
    if (auto ref = oci::parse_reference(v)) return ref->to_string();
  }
  return std::nullopt;
}

// An index entry → the manifest to load: nested indexes pick the host's platform.
Result<oci::Digest> select_manifest(const content::Store& blobs, const oci::Descriptor& d,
                                    int depth = 0) {
  if (depth > 4) return invalid_argument("index.json: indexes nested too deeply");
  if (!blobs.has(d.digest))
    return invalid_argument("index.json: it names " + d.digest.to_string() +
                            ", which the archive does not contain");
  if (oci::is_manifest_media_type(d.media_type)) return d.digest;
  HAKO_TRY_ASSIGN(std::string bytes, blobs.read_blob(d.digest, oci::kMaxDocumentBytes));
  HAKO_TRY_ASSIGN(auto doc, oci::parse_manifest_or_index(bytes));
  if (std::holds_alternative<oci::Manifest>(doc)) return d.digest;
  const auto& idx = std::get<oci::Index>(doc);
  auto host = oci::host_platform();
  auto pick = oci::find_platform_manifest(idx, host);
  if (!pick)
    return not_found("index " + d.digest.to_string() + " has no manifest for " +
                     oci::platform_string(host));
  return select_manifest(blobs, idx.manifests[*pick], depth + 1);
}

Result<std::vector<Pending>> oci_layout(const content::Store& blobs, const ArchiveIndex& index) {
  HAKO_TRY_ASSIGN(std::string text, index.document("index.json"));
  HAKO_TRY_ASSIGN(oci::Index idx, oci::parse_index(text));
  std::vector<Pending> out;
  for (const auto& d : idx.manifests) {
    HAKO_TRY_ASSIGN(oci::Digest m, select_manifest(blobs, d));
    auto name = oci_entry_name(d);
    // Several entries for one manifest (two tags) become one image with both names.
    auto same =
        std::find_if(out.begin(), out.end(), [&](const Pending& p) { return p.manifest == m; });
    if (same == out.end()) {
      out.push_back(Pending{m, {}});
      same = out.end() - 1;
    }
    if (name) same->refs.push_back(*name);
  }
  return out;
}

// Every blob a manifest names must have come with the archive.
Status check_complete(const content::Store& blobs, const oci::Digest& manifest) {
  HAKO_TRY_ASSIGN(std::string bytes, blobs.read_blob(manifest));
  HAKO_TRY_ASSIGN(oci::Manifest m, oci::parse_manifest(bytes));
  auto missing = [&](const oci::Descriptor& d) -> Status {
    if (blobs.has(d.digest)) return ok();
    return invalid_argument("manifest " + manifest.to_string() + " names " + d.digest.to_string() +
                            ", which the archive does not contain");
  };
  HAKO_TRY(missing(m.config));
  for (const auto& l : m.layers) HAKO_TRY(missing(l));
  return ok();
}

}  // namespace

Result<std::vector<LoadedEntry>> load_archive(ImageStore& store, archive::Reader& input) {
  HAKO_TRY_ASSIGN(PendingMark mark, store.mark_pending());
  const content::Store& blobs = store.blobs();
  HAKO_TRY_ASSIGN(ArchiveIndex index, ArchiveIndex::read(blobs, input));
  std::vector<Pending> pending;
  // An OCI layout wins over the manifest.json that Docker 25 and hako add beside it: its index
  // keeps the manifests' own digests.
  if (index.has("index.json") && index.has("oci-layout")) {
    HAKO_TRY_ASSIGN(pending, oci_layout(blobs, index));
  } else if (index.has("manifest.json")) {
    HAKO_TRY_ASSIGN(pending, docker_archive(blobs, index));
  } else {
    return invalid_argument(
        "load: the archive has neither manifest.json (docker-archive) nor index.json (OCI "
        "layout); give the output of `docker save`, `hako save` or an oci-archive");
  }
  for (const auto& p : pending) HAKO_TRY(check_complete(blobs, p.manifest));

  std::vector<oci::Digest> added;  // new images, removed again if a later one fails
  std::vector<LoadedEntry> out;
  for (const auto& p : pending) {
    std::optional<ImageRecord> before;
    auto add = [&]() -> Result<ImageRecord> {
      HAKO_TRY_ASSIGN(std::string bytes, blobs.read_blob(p.manifest));
      HAKO_TRY_ASSIGN(oci::Manifest m, oci::parse_manifest(bytes));
      HAKO_TRY_ASSIGN(before, store.metadata().find_image(m.config.digest));
      return store.add_image(p.manifest, p.refs);
    };
    auto rec = add();
    if (!rec) {
      for (const auto& id : added) (void)store.metadata().remove_image(id);
      return std::move(rec).error();
    }
    if (!before) added.push_back(rec->id);
    out.push_back(LoadedEntry{rec->id, p.refs});
  }
  mark.done();
  return out;
}

}  // namespace hako::image
