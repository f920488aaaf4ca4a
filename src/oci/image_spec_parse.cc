// JSON → image-spec structs. One read_value overload per type, keyed by the spec's JSON names,
// passing the field path down so errors point at the exact field.
#include "json/reader.h"
#include "oci/image_spec.h"

namespace hako::oci {

using json::read_field;
using json::read_required;
using json::read_value;
using json::Value;

#define HAKO_OBJ(v, path) HAKO_TRY(json::require_object(v, path))

// Static in hako::oci rather than in an unnamed namespace: json::read_field finds these
// overloads by argument-dependent lookup, which ignores unnamed namespaces.
static Status read_value(const Value& v, std::string_view p, Digest& out) {
  std::string text;
  HAKO_TRY(json::read_value(v, p, text));
  auto d = Digest::parse(text);
  if (!d) return std::move(d).error().context(p);
  out = std::move(*d);
  return ok();
}

// Docker's "set" encoding: {"80/tcp": {}, "443/tcp": {}}.
static Status read_set(const Value& obj, std::string_view p, const char* key,
                       std::set<std::string>& out) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return ok();
  std::string path = json::child_path(p, key);
  if (!it->is_object()) return json::type_error(path, "object");
  for (auto e = it->begin(); e != it->end(); ++e) out.insert(e.key());
  return ok();
}

static Status read_value(const Value& v, std::string_view p, Platform& out) {
  HAKO_OBJ(v, p);
  HAKO_TRY(read_required(v, p, "architecture", out.architecture));
  HAKO_TRY(read_required(v, p, "os", out.os));
  HAKO_TRY(read_field(v, p, "os.version", out.os_version));
  HAKO_TRY(read_field(v, p, "os.features", out.os_features));
  HAKO_TRY(read_field(v, p, "variant", out.variant));
  HAKO_TRY(read_field(v, p, "features", out.features));
  return ok();
}

static Status read_value(const Value& v, std::string_view p, Descriptor& out) {
  HAKO_OBJ(v, p);
  HAKO_TRY(read_required(v, p, "mediaType", out.media_type));
  HAKO_TRY(read_required(v, p, "digest", out.digest));
  HAKO_TRY(read_required(v, p, "size", out.size));
  if (out.size < 0) return invalid_argument(json::child_path(p, "size") + ": negative size");
  HAKO_TRY(read_field(v, p, "urls", out.urls));
  HAKO_TRY(read_field(v, p, "annotations", out.annotations));
  HAKO_TRY(read_field(v, p, "platform", out.platform));
  HAKO_TRY(read_field(v, p, "artifactType", out.artifact_type));
  HAKO_TRY(read_field(v, p, "data", out.data));
  return ok();
}

static Status read_value(const Value& v, std::string_view p, Healthcheck& out) {
  HAKO_OBJ(v, p);
  HAKO_TRY(read_field(v, p, "Test", out.test));
  HAKO_TRY(read_field(v, p, "Interval", out.interval));
  HAKO_TRY(read_field(v, p, "Timeout", out.timeout));
  HAKO_TRY(read_field(v, p, "StartPeriod", out.start_period));
  HAKO_TRY(read_field(v, p, "StartInterval", out.start_interval));
  HAKO_TRY(read_field(v, p, "Retries", out.retries));
  return ok();
}

static Status read_value(const Value& v, std::string_view p, RunDefaults& out) {
  HAKO_OBJ(v, p);
  HAKO_TRY(read_field(v, p, "User", out.user));
  HAKO_TRY(read_set(v, p, "ExposedPorts", out.exposed_ports));
  HAKO_TRY(read_field(v, p, "Env", out.env));
  HAKO_TRY(read_field(v, p, "Entrypoint", out.entrypoint));
  HAKO_TRY(read_field(v, p, "Cmd", out.cmd));
  HAKO_TRY(read_set(v, p, "Volumes", out.volumes));
  HAKO_TRY(read_field(v, p, "WorkingDir", out.working_dir));
  HAKO_TRY(read_field(v, p, "Labels", out.labels));
  HAKO_TRY(read_field(v, p, "StopSignal", out.stop_signal));
  HAKO_TRY(read_field(v, p, "ArgsEscaped", out.args_escaped));
  HAKO_TRY(read_field(v, p, "Healthcheck", out.healthcheck));
  HAKO_TRY(read_field(v, p, "OnBuild", out.on_build));
  HAKO_TRY(read_field(v, p, "Shell", out.shell));
  return ok();
}

static Status read_value(const Value& v, std::string_view p, RootFs& out) {
  HAKO_OBJ(v, p);
  HAKO_TRY(read_required(v, p, "type", out.type));
  if (out.type != "layers")
    return invalid_argument(json::child_path(p, "type") + ": unsupported rootfs type \"" +
                            out.type + "\" (want \"layers\")");
  HAKO_TRY(read_field(v, p, "diff_ids", out.diff_ids));
  return ok();
}

static Status read_value(const Value& v, std::string_view p, History& out) {
  HAKO_OBJ(v, p);
  HAKO_TRY(read_field(v, p, "created", out.created));
  HAKO_TRY(read_field(v, p, "author", out.author));
  HAKO_TRY(read_field(v, p, "created_by", out.created_by));
  HAKO_TRY(read_field(v, p, "comment", out.comment));
  HAKO_TRY(read_field(v, p, "empty_layer", out.empty_layer));
  return ok();
}

static Result<Value> parse_document(std::string_view bytes, std::string_view what) {
  if (bytes.size() > kMaxDocumentBytes)
    return Error(ErrorCode::kResourceExhausted, std::string(what) + ": larger than " +
                                                    std::to_string(kMaxDocumentBytes) + " bytes");
  HAKO_TRY_ASSIGN(Value doc, json::parse(bytes, what));
  if (!doc.is_object()) return invalid_argument(std::string(what) + ": expected a json object");
  return doc;
}

static Status check_schema_version(const Value& doc, int32_t& out) {
  HAKO_TRY(read_required(doc, "", "schemaVersion", out));
  if (out != 2)
    return invalid_argument("schemaVersion: unsupported version " + std::to_string(out) +
                            " (want 2)");
  return ok();
}

static Status read_media_type(const Value& doc, std::string& out, std::string_view fallback,
                              bool (*accept)(std::string_view), std::string_view kind) {
  HAKO_TRY(read_field(doc, "", "mediaType", out));
  if (out.empty()) {
    out = std::string(fallback);
    return ok();
  }
  if (!accept(out))
    return invalid_argument("mediaType: \"" + out + "\" is not an " + std::string(kind));
  return ok();
}

static Result<Manifest> manifest_from(const Value& doc) {
  Manifest m;
  HAKO_TRY(check_schema_version(doc, m.schema_version));
  HAKO_TRY(read_media_type(doc, m.media_type, kMediaTypeImageManifest, is_manifest_media_type,
                           "image manifest"));
  HAKO_TRY(read_field(doc, "", "artifactType", m.artifact_type));
  HAKO_TRY(read_required(doc, "", "config", m.config));
  // An image with no layers is legal (`FROM scratch` + metadata), but the key is required.
  if (!doc.contains("layers")) return invalid_argument("layers: required");
  HAKO_TRY(read_field(doc, "", "layers", m.layers));
  HAKO_TRY(read_field(doc, "", "subject", m.subject));
  HAKO_TRY(read_field(doc, "", "annotations", m.annotations));
  return m;
}

static Result<Index> index_from(const Value& doc) {
  Index x;
  HAKO_TRY(check_schema_version(doc, x.schema_version));
  HAKO_TRY(
      read_media_type(doc, x.media_type, kMediaTypeImageIndex, is_index_media_type, "image index"));
  HAKO_TRY(read_field(doc, "", "artifactType", x.artifact_type));
  HAKO_TRY(read_required(doc, "", "manifests", x.manifests));
  HAKO_TRY(read_field(doc, "", "subject", x.subject));
  HAKO_TRY(read_field(doc, "", "annotations", x.annotations));
  return x;
}

Result<Manifest> parse_manifest(std::string_view bytes) {
  HAKO_TRY_ASSIGN(Value doc, parse_document(bytes, "manifest"));
  return manifest_from(doc);
}

Result<Index> parse_index(std::string_view bytes) {
  HAKO_TRY_ASSIGN(Value doc, parse_document(bytes, "index"));
  return index_from(doc);
}

Result<std::variant<Manifest, Index>> parse_manifest_or_index(std::string_view bytes) {
  using Out = std::variant<Manifest, Index>;
  HAKO_TRY_ASSIGN(Value doc, parse_document(bytes, "manifest"));
  std::string media_type;
  HAKO_TRY(read_field(doc, "", "mediaType", media_type));
  if (media_type == kMediaTypeDockerSchema1Manifest ||
      media_type == kMediaTypeDockerSchema1SignedManifest ||
      (media_type.empty() && doc.contains("fsLayers")))
    return invalid_argument(
        "manifest: docker image manifest schema 1 is not supported; re-push the image with a "
        "current docker or registry");
  bool index = media_type.empty() ? doc.contains("manifests") : is_index_media_type(media_type);
  if (index) {
    HAKO_TRY_ASSIGN(Index x, index_from(doc));
    return Out(std::move(x));
  }
  HAKO_TRY_ASSIGN(Manifest m, manifest_from(doc));
  return Out(std::move(m));
}

Result<ImageConfig> parse_image_config(std::string_view bytes) {
  HAKO_TRY_ASSIGN(Value doc, parse_document(bytes, "image config"));
  ImageConfig c;
  HAKO_TRY(read_field(doc, "", "created", c.created));
  HAKO_TRY(read_field(doc, "", "author", c.author));
  HAKO_TRY(read_required(doc, "", "architecture", c.architecture));
  HAKO_TRY(read_required(doc, "", "os", c.os));
  HAKO_TRY(read_field(doc, "", "os.version", c.os_version));
  HAKO_TRY(read_field(doc, "", "os.features", c.os_features));
  HAKO_TRY(read_field(doc, "", "variant", c.variant));
  HAKO_TRY(read_field(doc, "", "config", c.config));
  HAKO_TRY(read_required(doc, "", "rootfs", c.rootfs));
  HAKO_TRY(read_field(doc, "", "history", c.history));
  return c;
}

}  // namespace hako::oci
