#include "registry/push.h"

#include <unistd.h>

#include <thread>

#include "oci/image_spec.h"
#include "oci/media_types.h"

namespace hako::registry {
namespace {

std::string short_id(const oci::Digest& d) { return std::string(d.hex().substr(0, 12)); }

Result<bool> blob_exists(const Session& session, std::string_view path, const oci::Digest& d,
                         const std::string& scope) {
  http::Request r;
  r.method = "HEAD";
  r.url = "/v2/" + std::string(path) + "/blobs/" + d.to_string();
  HAKO_TRY_ASSIGN(http::Response resp, session.send_retrying(r, scope, true));
  return resp.status == 200;
}

// One upload: POST opens the session, PUT sends the whole blob and closes it.
Result<http::Response> upload_once(const Session& session, const content::Store& blobs,
                                   std::string_view path, const oci::Descriptor& d,
                                   const std::string& scope) {
  http::Request post;
  post.method = "POST";
  post.url = "/v2/" + std::string(path) + "/blobs/uploads/";
  HAKO_TRY_ASSIGN(http::Response opened, session.send(post, scope));
  if (opened.status != 202) return opened;
  auto location = opened.header("Location");
  if (!location)
    return invalid_argument("POST " + opened.url + ": 202 without a Location for the upload");
  HAKO_TRY_ASSIGN(std::string url, http::resolve_url(opened.url, *location));
  url += (url.find('?') == std::string::npos ? "?" : "&") + std::string("digest=") +
         d.digest.to_string();
  HAKO_TRY_ASSIGN(UniqueFd fd, blobs.open_blob(d.digest));
  HAKO_TRY_ASSIGN(uint64_t size, blobs.size(d.digest));
  off_t offset = 0;
  http::Request put;
  put.method = "PUT";
  put.url = url;
  put.headers = {{"Content-Type", "application/octet-stream"}};
  put.body_size = size;
  put.read_body = [&](char* buf, size_t n) -> Result<size_t> {
    ssize_t got = ::pread(fd.get(), buf, n, offset);
    if (got < 0) return sys_error("read blob " + d.digest.to_string());
    offset += got;
    return static_cast<size_t>(got);
  };
  return session.send(put, scope);
}

Status upload_blob(const Session& session, const content::Store& blobs, std::string_view path,
                   const oci::Descriptor& d, const std::string& scope) {
  for (int attempt = 1;; ++attempt) {
    auto resp = upload_once(session, blobs, path, d, scope);
    bool last = attempt >= kMaxAttempts;
    if (!resp) {
      if (!is_transient(resp.error()) || last) return std::move(resp).error();
    } else if (resp->status == 201) {
      return ok();
    } else if (resp->status == 401 || resp->status == 403) {
      return auth_error(*resp, session.endpoint().domain);
    } else if (!is_transient_status(resp->status) || last) {
      return http::status_error(*resp);
    }
    std::this_thread::sleep_for(backoff_delay(attempt));
  }
}

}  // namespace

Result<PushResult> push(image::ImageStore& store, const Session& session, const oci::Reference& ref,
                        const PushOptions& o) {
  const content::Store& blobs = store.blobs();
  HAKO_TRY_ASSIGN(image::ImageRecord rec, store.resolve(ref.to_string()));
  HAKO_TRY_ASSIGN(std::string bytes, blobs.read_blob(rec.manifest, oci::kMaxDocumentBytes));
  HAKO_TRY_ASSIGN(oci::Manifest m, oci::parse_manifest(bytes));
  std::string scope = repository_scope(ref.path, true);
  std::vector<oci::Descriptor> todo = m.layers;
  todo.push_back(m.config);
  auto report = [&](const oci::Digest& d, std::string_view s) {
    if (o.progress) o.progress(short_id(d), s);
  };
  for (const auto& l : m.layers) report(l.digest, "Preparing");
  for (const auto& d : todo) {
    auto what = "blob " + d.digest.to_string();
    auto exists = blob_exists(session, ref.path, d.digest, scope);
    if (!exists) return std::move(exists).error().context(what);
    bool layer = &d != &todo.back();
    if (*exists) {
      if (layer) report(d.digest, "Layer already exists");
      continue;
    }
    auto st = upload_blob(session, blobs, ref.path, d, scope);
    if (!st) return std::move(st).error().context("upload " + what);
    if (layer) report(d.digest, "Pushed");
  }
  http::Request put;
  put.method = "PUT";
  put.url =
      "/v2/" + ref.path + "/manifests/" + (ref.tag.empty() ? rec.manifest.to_string() : ref.tag);
  std::string type = !m.media_type.empty()              ? m.media_type
                     : !rec.manifest_media_type.empty() ? rec.manifest_media_type
                                                        : std::string(oci::kMediaTypeImageManifest);
  put.headers = {{"Content-Type", type}};
  put.body = bytes;
  HAKO_TRY_ASSIGN(http::Response resp, session.send_retrying(put, scope));
  if (auto h = resp.header("Docker-Content-Digest"); h && *h != rec.manifest.to_string())
    return internal_error("PUT " + resp.url + ": the registry stored the manifest as " + *h +
                          ", not " + rec.manifest.to_string());
  // As Docker: the image now has a repo digest in this repository.
  oci::Reference digest_ref{ref.domain, ref.path, "", rec.manifest};
  HAKO_TRY(store.metadata().set_ref(digest_ref.to_string(), rec.id));
  return PushResult{rec.manifest, bytes.size()};
}

}  // namespace hako::registry
