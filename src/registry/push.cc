#include "registry/push.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <optional>
#include <thread>

#include "oci/image_spec.h"
#include "oci/media_types.h"

namespace hako::registry {
namespace {

std::string with_query(std::string url, std::string_view query) {
  url += url.find('?') == std::string::npos ? '?' : '&';
  url += query;
  return url;
}

Result<bool> blob_exists(const Session& session, std::string_view path, const oci::Digest& d,
                         const std::string& scope) {
  http::Request r;
  r.method = "HEAD";
  r.url = "/v2/" + std::string(path) + "/blobs/" + d.to_string();
  HAKO_TRY_ASSIGN(http::Response resp, session.send_retrying(r, scope, true));
  return resp.status == 200;
}

// Where the next request of an upload goes: the Location of the last answer, resolved.
Result<std::string> upload_location(const http::Response& resp) {
  auto location = resp.header("Location");
  if (!location)
    return invalid_argument(resp.method + " " + resp.url + ": " + std::to_string(resp.status) +
                            " without a Location for the upload");
  return http::resolve_url(resp.url, *location);
}

// A request whose body is `size` bytes of the blob from `offset` on; `bytes` (if any) hears
// how far into the blob it got.
http::Request blob_body(std::string method, std::string url, int fd, uint64_t offset, uint64_t size,
                        const oci::Digest& digest, ByteProgress* bytes) {
  http::Request r;
  r.method = std::move(method);
  r.url = std::move(url);
  r.headers = {{"Content-Type", "application/octet-stream"}};
  r.body_size = size;
  auto pos = std::make_shared<uint64_t>(offset);
  uint64_t end = offset + size;
  r.read_body = [fd, pos, end, digest, bytes](char* buf, size_t n) -> Result<size_t> {
    n = static_cast<size_t>(std::min<uint64_t>(n, end - *pos));
    if (n == 0) return size_t{0};
    ssize_t got = ::pread(fd, buf, n, static_cast<off_t>(*pos));
    if (got < 0) return sys_error("read blob " + digest.to_string());
    *pos += static_cast<uint64_t>(got);
    if (bytes) bytes->update(*pos);
    return static_cast<size_t>(got);
  };
  return r;
}

// Sends the blob into the upload session `opened` (a 202 to the POST) and closes it: one PUT
// with the whole blob, or, above the threshold, PATCHes of `chunk` bytes with Content-Range
// then an empty PUT ?digest=. Returns the final answer (201 when stored).
Result<http::Response> send_blob(const Session& session, const content::Store& blobs,
                                 const http::Response& opened, const oci::Descriptor& d,
                                 const PushOptions& o, const std::string& scope,
                                 ProgressReporter* reporter) {
  HAKO_TRY_ASSIGN(std::string url, upload_location(opened));
  HAKO_TRY_ASSIGN(UniqueFd fd, blobs.open_blob(d.digest));
  HAKO_TRY_ASSIGN(uint64_t size, blobs.size(d.digest));
  std::optional<ByteProgress> bytes;
  if (reporter) bytes.emplace(*reporter, d.digest, "Pushing", size);
  ByteProgress* shown = bytes ? &*bytes : nullptr;
  std::string digest_query = "digest=" + d.digest.to_string();
  if (o.chunk_size == 0 || size <= o.chunk_size)
    return session.send(
        blob_body("PUT", with_query(url, digest_query), fd.get(), 0, size, d.digest, shown), scope);
  for (uint64_t off = 0; off < size; off += o.chunk_size) {
    uint64_t n = std::min(o.chunk_size, size - off);
    http::Request patch = blob_body("PATCH", url, fd.get(), off, n, d.digest, shown);
    patch.headers.emplace_back("Content-Range",
                               std::to_string(off) + "-" + std::to_string(off + n - 1));
    HAKO_TRY_ASSIGN(http::Response resp, session.send(patch, scope));
    if (resp.status != 202) return resp;
    HAKO_TRY_ASSIGN(url, upload_location(resp));
  }
  http::Request put;
  put.method = "PUT";
  put.url = with_query(url, digest_query);
  put.headers = {{"Content-Type", "application/octet-stream"}};
  return session.send(put, scope);
}

// One attempt: POST opens the session (asking to mount the blob from `from` when given: 201
// means mounted, 202 is a plain upload session), then send_blob(). `mounted` tells which.
Result<http::Response> upload_once(const Session& session, const content::Store& blobs,
                                   std::string_view path, const oci::Descriptor& d,
                                   const std::string& from, const PushOptions& o,
                                   const std::string& scope, ProgressReporter* reporter,
                                   bool& mounted) {
  http::Request post;
  post.method = "POST";
  post.url = "/v2/" + std::string(path) + "/blobs/uploads/";
  if (!from.empty()) post.url += "?mount=" + d.digest.to_string() + "&from=" + from;
  HAKO_TRY_ASSIGN(http::Response opened, session.send(post, scope));
  if (!from.empty() && opened.status == 201) {
    mounted = true;
    return opened;
  }
  if (!from.empty() && (opened.status == 401 || opened.status == 403 || opened.status == 404)) {
    // No pull access to the other repository (or a registry without mounts): upload instead.
    post.url = "/v2/" + std::string(path) + "/blobs/uploads/";
    HAKO_TRY_ASSIGN(opened, session.send(post, scope));
  }
  if (opened.status != 202) return opened;
  return send_blob(session, blobs, opened, d, o, scope, reporter);
}

// Uploads one blob, retrying from a new session; the mount is tried on the first attempt only.
Result<bool> upload_blob(const Session& session, const content::Store& blobs, std::string_view path,
                         const oci::Descriptor& d, const std::string& from, const PushOptions& o,
                         const std::string& scope, ProgressReporter* reporter) {
  for (int attempt = 1;; ++attempt) {
    bool mounted = false;
    auto resp =
        upload_once(session, blobs, path, d, attempt == 1 ? from : "", o, scope, reporter, mounted);
    bool last = attempt >= kMaxAttempts;
    if (!resp) {
      if (!is_transient(resp.error()) || last) return std::move(resp).error();
    } else if (resp->status == 201) {
      return mounted;
    } else if (resp->status == 401 || resp->status == 403) {
      return auth_error(*resp, session.endpoint().domain);
    } else if (!is_transient_status(resp->status) || last) {
      return http::status_error(*resp);
    }
    std::this_thread::sleep_for(backoff_delay(attempt));
  }
}

// Other repositories of this registry the image is known to be in (its repo digests), to
// mount blobs from; the first is used.
std::vector<std::string> mount_sources(image::ImageStore& store, const image::ImageRecord& rec,
                                       const oci::Reference& ref) {
  std::vector<std::string> out;
  auto refs = store.metadata().refs_of(rec.id);
  if (!refs) return out;  // no mount then: an optimisation only
  for (const auto& r : *refs) {
    auto parsed = oci::parse_reference(r, oci::DefaultTag::kNone);
    if (!parsed || !parsed->digest || parsed->domain != ref.domain || parsed->path == ref.path)
      continue;
    if (std::find(out.begin(), out.end(), parsed->path) == out.end()) out.push_back(parsed->path);
  }
  return out;
}

// HEAD, then mount or upload, every blob of `todo` on up to o.jobs threads; the first error
// stops the others from starting new blobs and is returned.
Status push_blobs(const Session& session, const content::Store& blobs, const oci::Reference& ref,
                  const std::vector<oci::Descriptor>& todo, const oci::Digest& config,
                  const std::string& from, const PushOptions& o, const std::string& scope,
                  ProgressReporter& reporter) {
  std::mutex mu;  // guards first_error
  Status first_error = ok();
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  // The config is no layer: Docker shows none of its progress.
  auto report = [&](const oci::Digest& d, std::string_view s) {
    if (d != config) reporter.report(d, s);
  };
  auto one = [&](const oci::Descriptor& d) -> Status {
    auto what = "blob " + d.digest.to_string();
    auto exists = blob_exists(session, ref.path, d.digest, scope);
    if (!exists) return std::move(exists).error().context(what);
    if (*exists) {
      report(d.digest, "Layer already exists");
      return ok();
    }
    bool shown = reporter.enabled() && d.digest != config;
    auto mounted =
        upload_blob(session, blobs, ref.path, d, from, o, scope, shown ? &reporter : nullptr);
    if (!mounted) return std::move(mounted).error().context("upload " + what);
    report(d.digest, *mounted ? "Mounted from " + from : std::string("Pushed"));
    return ok();
  };
  auto worker = [&] {
    for (size_t i; !failed && (i = next++) < todo.size();) {
      Status st = one(todo[i]);
      if (st) continue;
      std::lock_guard lock(mu);
      if (!failed.exchange(true)) first_error = std::move(st);
    }
  };
  size_t n = std::clamp<size_t>(o.jobs, 1, std::max<size_t>(todo.size(), 1));
  for (size_t i = n; i < todo.size(); ++i) report(todo[i].digest, "Waiting");
  std::vector<std::jthread> threads;
  for (size_t i = 1; i < n; ++i) threads.emplace_back(worker);
  worker();
  threads.clear();  // joins
  return first_error;
}

}  // namespace

Result<PushResult> push(image::ImageStore& store, const Session& session, const oci::Reference& ref,
                        const PushOptions& o) {
  const content::Store& blobs = store.blobs();
  HAKO_TRY_ASSIGN(image::ImageRecord rec, store.resolve(ref.to_string()));
  HAKO_TRY_ASSIGN(std::string bytes, blobs.read_blob(rec.manifest, oci::kMaxDocumentBytes));
  HAKO_TRY_ASSIGN(oci::Manifest m, oci::parse_manifest(bytes));
  std::vector<oci::Descriptor> todo = m.layers;
  todo.push_back(m.config);
  ProgressReporter reporter(o.progress);
  for (const auto& l : m.layers) reporter.report(l.digest, "Preparing");
  auto sources = mount_sources(store, rec, ref);
  std::string from = sources.empty() ? "" : sources.front();
  // A mount needs pull access to the source too, and the registry checks it in the same
  // token: Docker asks for both scopes at once, and so does hako, for the whole push.
  std::string scope = repository_scope(ref.path, true);
  std::string mount_scope = from.empty() ? scope : scope + " " + repository_scope(from, false);
  Status pushed =
      push_blobs(session, blobs, ref, todo, m.config.digest, from, o, mount_scope, reporter);
  bool refused = !pushed && (pushed.error().code() == ErrorCode::kPermissionDenied ||
                             pushed.error().code() == ErrorCode::kInvalidArgument);
  if (!from.empty() && refused) {
    // Most token services grant the subset of the scopes they may, but some refuse the whole
    // request when one is denied (pull on the source): then the push's own scope, no mount.
    pushed = push_blobs(session, blobs, ref, todo, m.config.digest, "", o, scope, reporter);
  } else {
    scope = std::move(mount_scope);
  }
  HAKO_TRY(pushed);
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
