#include "engine/commit.h"

#include <set>

#include "archive/tar_writer.h"
#include "base/scope_exit.h"
#include "engine/container_events.h"
#include "engine/diff.h"
#include "engine/userns_remap.h"
#include "image/change.h"
#include "image/import.h"
#include "json/reader.h"
#include "oci/reference.h"
#include "runtime/lifecycle.h"

namespace hako::engine {
namespace {

// The layer tar goes straight into the content store.
class BlobWriter final : public archive::Writer {
 public:
  explicit BlobWriter(content::Writer& w) : w_(w) {}
  Status write(std::string_view data) override { return w_.write(data); }

 private:
  content::Writer& w_;
};

const json::Value& field(const json::Value& v, const char* key) {
  static const json::Value kNull;
  if (!v.is_object()) return kNull;
  auto it = v.find(key);
  return it == v.end() ? kNull : *it;
}

// The container's merged Config as an image's run defaults, on top of the image's own (which
// keep what a container does not change: OnBuild, Shell, ArgsEscaped).
Result<oci::RunDefaults> run_defaults(const json::Value& image_config, const json::Value& merged) {
  json::Value cfg = field(image_config, "config");
  if (!cfg.is_object()) cfg = json::Value::object();
  for (const char* k : {"Env", "Cmd", "Entrypoint", "WorkingDir", "User", "Labels", "ExposedPorts",
                        "Volumes", "StopSignal", "Healthcheck"}) {
    const json::Value& v = field(merged, k);
    if (v.is_null()) {
      cfg.erase(k);
    } else {
      cfg[k] = v;
    }
  }
  // Parsed through the image config parser, so the result is what an image would carry.
  json::Value doc = {{"architecture", "amd64"},
                     {"os", "linux"},
                     {"rootfs", {{"type", "layers"}, {"diff_ids", json::Value::array()}}},
                     {"config", cfg}};
  HAKO_TRY_ASSIGN(oci::ImageConfig parsed, oci::parse_image_config(doc.dump()));
  return parsed.config.value_or(oci::RunDefaults{});
}

std::string created_by(const json::Value& merged) {
  std::string out;
  const json::Value& cmd = field(merged, "Cmd");
  if (!cmd.is_array()) return out;
  for (const auto& a : cmd) {
    if (!a.is_string()) continue;
    if (!out.empty()) out += ' ';
    out += a.get<std::string>();
  }
  return out;
}

std::string layer_media_type(const std::string& manifest_media_type) {
  if (manifest_media_type == oci::kMediaTypeDockerManifest)
    return std::string(oci::kMediaTypeDockerLayer);
  return std::string(oci::kMediaTypeLayer);
}

struct Layer {
  oci::Digest digest;
  uint64_t size = 0;
};

Result<Layer> store_layer(Engine& eng, const ContainerRecord& c) {
  HAKO_TRY_ASSIGN(content::Writer w, eng.images().blobs().begin_ingest_unknown(uint64_t{1} << 40));
  BlobWriter out(w);
  // Not the empty mount points the runtime made (/etc/hosts, ...): Docker keeps those in its
  // init layer, which commit leaves out.
  std::set<std::string> skip;
  for (const std::string& p : mount_stand_ins(eng.paths(c.id))) skip.insert(p.substr(1));
  // A remapped container's upper dir holds host ids; the layer holds the container's.
  auto remap = remap_of_definition(c.definition);
  HAKO_TRY(archive::write_tar(eng.paths(c.id).upper(), out, skip, remap ? &*remap : nullptr));
  HAKO_TRY_CTX(w.commit(), "store the layer");
  return Layer{w.expected(), w.written()};
}

}  // namespace

Result<image::ImageRecord> commit_container(Engine& eng, const ContainerRecord& c,
                                            const CommitOptions& o) {
  // What can be refused without work is refused first.
  std::vector<std::string> refs;
  std::string familiar;  // the events' imageRef / the tag event's name
  if (o.reference) {
    HAKO_TRY_ASSIGN(oci::Reference ref, oci::parse_reference(*o.reference));
    if (ref.digest)
      return invalid_argument("invalid reference format: " + *o.reference +
                              " contains a digest; give REPOSITORY[:TAG]");
    refs.push_back(ref.to_string());
    familiar = ref.familiar_string();
  }
  image::ImageStore& store = eng.images();
  HAKO_TRY_ASSIGN(auto image_id, oci::Digest::parse(c.image));
  HAKO_TRY_ASSIGN(image::ImageRecord base, store.resolve(image_id.to_string()));
  HAKO_TRY_ASSIGN(image::LoadedImage loaded, store.load(base));
  HAKO_TRY_ASSIGN(json::Value image_json, json::parse(loaded.config_bytes, "image config"));
  const json::Value& merged = field(c.definition, "Config");
  HAKO_TRY_ASSIGN(oci::RunDefaults run, run_defaults(image_json, merged));
  for (const auto& change : o.changes) HAKO_TRY(image::apply_change(run, change));
  HAKO_TRY_ASSIGN(std::string manifest_bytes, store.blobs().read_blob(base.manifest));
  HAKO_TRY_ASSIGN(oci::Manifest manifest, oci::parse_manifest(manifest_bytes));

  HAKO_TRY_ASSIGN(image::PendingMark mark, store.mark_pending());
  // dockerd freezes a running container for the whole commit and thaws it in a deferred call,
  // after the commit event: its events read pause, (tag,) commit, unpause.
  std::string rt = runtime_root(eng.state());
  bool freeze = o.pause && eng.state_of(c.id).status == "running";
  if (freeze) {
    HAKO_TRY_CTX(runtime::pause_container(rt, c.id), "pause container " + c.id);
    record_container_event(eng.root(), c, "pause");
  }
  ScopeExit thaw([&] {
    if (freeze && runtime::resume_container(rt, c.id))
      record_container_event(eng.root(), c, "unpause");
  });
  HAKO_TRY_ASSIGN(Layer layer, store_layer(eng, c));

  oci::ImageConfig config = loaded.config;
  config.created = image::now_rfc3339_nano();
  config.author = o.author;
  config.config = std::move(run);
  config.rootfs.diff_ids.push_back(layer.digest);
  oci::History h;
  h.created = config.created;
  h.author = o.author;
  h.created_by = created_by(merged);
  h.comment = o.message;
  config.history.push_back(std::move(h));
  // oci::ImageConfig has no "container"; Docker's commit names the container there.
  HAKO_TRY_ASSIGN(json::Value doc, json::parse(oci::to_json(config), "new image config"));
  doc["container"] = c.id;
  std::string config_json = doc.dump();
  HAKO_TRY_ASSIGN(oci::Digest config_digest, store.blobs().ingest_bytes(config_json));

  manifest.config.digest = config_digest;
  manifest.config.size = static_cast<int64_t>(config_json.size());
  oci::Descriptor l;
  l.media_type = layer_media_type(manifest.media_type);
  l.digest = layer.digest;
  l.size = static_cast<int64_t>(layer.size);
  manifest.layers.push_back(std::move(l));
  manifest.annotations.clear();
  manifest.subject.reset();
  HAKO_TRY_ASSIGN(oci::Digest manifest_digest, store.blobs().ingest_bytes(oci::to_json(manifest)));
  HAKO_TRY_ASSIGN(image::ImageRecord rec, store.add_image(manifest_digest, refs));
  mark.done();
  // dockerd's order: the new reference's image "tag", then the container's "commit".
  if (!familiar.empty()) record_image_event(eng.root(), store, "tag", rec.id.to_string(), familiar);
  record_container_event(
      eng.root(), c, "commit",
      {{"comment", o.message}, {"imageID", rec.id.to_string()}, {"imageRef", familiar}});
  if (freeze) {
    thaw.dismiss();
    HAKO_TRY_CTX(runtime::resume_container(rt, c.id), "unpause container " + c.id);
    record_container_event(eng.root(), c, "unpause");
  }
  return rec;
}

}  // namespace hako::engine
