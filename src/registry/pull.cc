#include "registry/pull.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <future>
#include <mutex>
#include <set>
#include <thread>

#include "base/strings.h"
#include "base/unique_fd.h"
#include "content/sha256.h"
#include "json/reader.h"
#include "oci/media_types.h"
#include "oci/platform.h"
#include "snapshot/chain_id.h"
#include "sys/file.h"

namespace hako::registry {
namespace {

// The media type of a manifest: its own mediaType field wins over Content-Type (some servers
// send application/json).
std::string media_type_of(const std::string& bytes, const std::optional<std::string>& header) {
  auto doc = json::parse(bytes, "manifest");
  if (doc && doc->is_object()) {
    auto it = doc->find("mediaType");
    if (it != doc->end() && it->is_string()) return it->get<std::string>();
  }
  return header ? std::string(trim(header->substr(0, header->find(';')))) : std::string();
}

}  // namespace

std::string manifest_accept() {
  return std::string(oci::kMediaTypeImageManifest) + ", " + std::string(oci::kMediaTypeImageIndex) +
         ", " + std::string(oci::kMediaTypeDockerManifest) + ", " +
         std::string(oci::kMediaTypeDockerManifestList);
}

Result<FetchedManifest> fetch_manifest(const Session& session, std::string_view path,
                                       std::string_view tag_or_digest) {
  http::Request r;
  r.url = "/v2/" + std::string(path) + "/manifests/" + std::string(tag_or_digest);
  r.headers = {{"Accept", manifest_accept()}};
  r.max_body = oci::kMaxDocumentBytes;
  HAKO_TRY_ASSIGN(http::Response resp, session.send_retrying(r, repository_scope(path, false)));
  FetchedManifest m;
  m.bytes = std::move(resp.body);
  m.digest = content::Sha256::of(m.bytes);
  std::string what =
      session.endpoint().domain + "/" + std::string(path) + ":" + std::string(tag_or_digest);
  if (auto h = resp.header("Docker-Content-Digest")) {
    auto d = oci::Digest::parse(*h);
    if (d && d->algorithm() == "sha256" && *d != m.digest)
      return invalid_argument("manifest " + what + ": the registry says its digest is " + *h +
                              ", but its content hashes to " + m.digest.to_string());
  }
  if (tag_or_digest.substr(0, 7) == "sha256:" && m.digest.to_string() != tag_or_digest)
    return invalid_argument("manifest " + what + ": content hashes to " + m.digest.to_string() +
                            ", not the digest asked for");
  m.media_type = media_type_of(m.bytes, resp.header("Content-Type"));
  if (m.media_type == oci::kMediaTypeDockerSchema1Manifest ||
      m.media_type == oci::kMediaTypeDockerSchema1SignedManifest)
    return invalid_argument("manifest " + what +
                            ": Docker image manifest schema 1 is not supported (deprecated since "
                            "2017); push the image again with a current client");
  return m;
}

std::optional<std::string> next_link(std::string_view header) {
  auto lower = [](std::string_view v) {
    std::string out(v);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
  };
  for (size_t open = header.find('<'); open != std::string_view::npos;) {
    size_t close = header.find('>', open);
    if (close == std::string_view::npos) return std::nullopt;
    // The link's parameters run up to the next link (a URL never holds a raw '<').
    size_t next = header.find('<', close);
    std::string_view params =
        header.substr(close + 1, next == std::string_view::npos ? next : next - close - 1);
    for (const std::string& param : split(params, ';')) {
      std::string p = lower(trim(param));
      if (p.rfind("rel=", 0) != 0) continue;
      std::string rel = p.substr(4);
      std::erase(rel, '"');
      std::erase(rel, ',');
      // rel may list several relation types, space separated.
      for (const std::string& type : split(rel, ' '))
        if (type == "next") return std::string(header.substr(open + 1, close - open - 1));
    }
    open = next;
  }
  return std::nullopt;
}

Result<std::vector<std::string>> list_tags(const Session& session, std::string_view path,
                                           int page_size, int max_pages) {
  std::string what = "tags of " + session.endpoint().domain + "/" + std::string(path);
  HAKO_TRY_ASSIGN(std::string base, http::url_origin(session.base_url()));
  std::string url = "/v2/" + std::string(path) + "/tags/list?n=" + std::to_string(page_size);
  std::vector<std::string> tags;
  std::set<std::string> seen;
  for (int pages = 1;; ++pages) {
    http::Request r;
    r.url = url;
    HAKO_TRY_ASSIGN(http::Response resp, session.send_retrying(r, repository_scope(path, false)));
    HAKO_TRY_ASSIGN(json::Value doc, json::parse(resp.body, what));
    std::vector<std::string> page;
    HAKO_TRY(json::read_field(doc, "", "tags", page));
    tags.insert(tags.end(), page.begin(), page.end());
    if (tags.size() > kMaxTags)
      return invalid_argument(what + ": more than " + std::to_string(kMaxTags) +
                              " tags; pull the tags wanted by name");
    auto link = resp.header("Link");
    auto next = link ? next_link(*link) : std::nullopt;
    // An empty page ends the list whatever its Link says: a next page could only loop.
    if (!next || page.empty()) return tags;
    if (pages >= max_pages)
      return invalid_argument(what + ": more than " + std::to_string(max_pages) +
                              " pages; pull the tags wanted by name");
    HAKO_TRY_ASSIGN(url, http::resolve_url(resp.url, *next));
    // The session's token goes with the request: never to another origin, nor in cleartext
    // to the same host.
    auto origin = http::url_origin(url);
    if (!origin || *origin != base)
      return invalid_argument(what + ": the next page is on another origin (" + url +
                              "); the registry's Link header is wrong");
    if (!seen.insert(url).second)
      return invalid_argument(what + ": the pages lead back to " + url +
                              "; the registry's Link header is wrong");
  }
}

namespace {

// download_blob, also writing the body of a first, whole, attempt to `tee_fd` (if >= 0) as it
// arrives; *teed_all says whether the tee got every byte of the committed blob: a resumed or
// restarted download (or a failed tee write) stops the tee, the blob is still downloaded.
// With a reporter: "Downloading" with bytes (throttled), then "Verifying Checksum".
Status download_blob_tee(const Session& session, const content::Store& blobs, std::string_view path,
                         const oci::Descriptor& blob, int tee_fd, bool* teed_all,
                         ProgressReporter* reporter) {
  if (blobs.has(blob.digest)) return ok();
  std::optional<ByteProgress> bytes;
  if (reporter && reporter->enabled())
    bytes.emplace(*reporter, blob.digest, "Downloading",
                  blob.size > 0 ? static_cast<uint64_t>(blob.size) : 0);
  bool teeing = false;
  std::optional<uint64_t> size;
  if (blob.size >= 0) size = static_cast<uint64_t>(blob.size);
  std::optional<content::Writer> w;
  std::string scope = repository_scope(path, false);
  std::string what = "blob " + blob.digest.to_string();
  for (int attempt = 1;; ++attempt) {
    if (!w) {
      HAKO_TRY_ASSIGN(content::Writer fresh, blobs.begin_ingest(blob.digest, size));
      w.emplace(std::move(fresh));
    }
    std::optional<Error> write_error;
    http::Request r;
    r.url = "/v2/" + std::string(path) + "/blobs/" + blob.digest.to_string();
    if (w->written() > 0) r.range_from = w->written();
    teeing = tee_fd >= 0 && attempt == 1 && !r.range_from;
    r.on_start = [&](long status) -> Status {
      if (status == 206 || !r.range_from) return ok();
      // The server sends everything again: so does the writer.
      w.reset();
      HAKO_TRY_ASSIGN(content::Writer fresh, blobs.begin_ingest(blob.digest, size));
      w.emplace(std::move(fresh));
      return ok();
    };
    r.on_body = [&](std::string_view chunk) -> Status {
      auto st = w->write(chunk);
      if (!st) write_error = st.error();
      if (st && teeing && !sys::write_all(tee_fd, chunk, "layer stream")) teeing = false;
      if (st && bytes) bytes->update(w->written());
      return st;
    };
    auto resp = session.send(r, scope);
    bool last = attempt >= kMaxAttempts;
    if (write_error) return std::move(*write_error).context(what);
    if (!resp) {
      if (!is_transient(resp.error()) || last) return std::move(resp).error().context(what);
    } else if (resp->ok()) {
      if (bytes) reporter->report(blob.digest, "Verifying Checksum");
      HAKO_TRY(w->commit());
      if (teed_all) *teed_all = teeing;
      return ok();
    } else if (resp->status == 416) {
      w.reset();  // our offset is past what the server has: start over
    } else if (resp->status == 401 || resp->status == 403) {
      return auth_error(*resp, session.endpoint().domain);
    } else if (!is_transient_status(resp->status) || last) {
      return http::status_error(*resp);
    }
    std::this_thread::sleep_for(backoff_delay(attempt));
  }
}

}  // namespace

Status download_blob(const Session& session, const content::Store& blobs, std::string_view path,
                     const oci::Descriptor& blob) {
  return download_blob_tee(session, blobs, path, blob, -1, nullptr, nullptr);
}

namespace {

// Reads `fd` to its end (the write end closed), so that the writer never blocks on a reader that
// stopped early.
void drain(int fd) {
  char buf[64 * 1024];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n == 0 || (n < 0 && errno != EINTR)) return;
  }
}

// Downloads a layer blob and, in another thread, unpacks the same bytes through a pipe as they
// arrive, so the layer is ready shortly after its last byte. The unpacked layer is published
// only if the whole blob went through the pipe and its digest verified; otherwise (a resumed
// download, a failed unpack) it is dropped and add_image unpacks the blob from the store, as
// without streaming - so streaming errors are not the pull's errors. *streamed says which.
Status download_and_unpack(const Session& session, const content::Store& blobs,
                           std::string_view path, const oci::Descriptor& blob,
                           const snapshot::LayerStore& layers, const snapshot::LayerToUnpack& layer,
                           ProgressReporter& reporter, bool* streamed) {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) {
    Status st = download_blob_tee(session, blobs, path, blob, -1, nullptr, &reporter);
    if (st) reporter.report(blob.digest, "Download complete");
    return st;
  }
  UniqueFd rd(p[0]);
  UniqueFd wr(p[1]);
  // A bigger pipe lets the download run ahead of the tar parser a little (best effort).
  (void)::fcntl(wr.get(), F_SETPIPE_SZ, 1 << 20);
  std::promise<bool> verified;
  std::shared_future<bool> verified_future = verified.get_future().share();
  std::thread unpacker([&layers, &layer, fd = rd.get(), verified_future] {
    auto confirm = [&]() -> Status {
      drain(fd);
      if (!verified_future.get())
        return failed_precondition("the streamed blob was not verified whole; unpack it again");
      return ok();
    };
    (void)layers.unpack_stream(fd, layer, confirm);
    drain(fd);
  });
  bool teed_all = false;
  Status st = download_blob_tee(session, blobs, path, blob, wr.get(), &teed_all, &reporter);
  wr.reset();
  verified.set_value(st && teed_all);
  if (st) {
    // The unpacker is behind the download by at most the pipe's contents now.
    reporter.report(blob.digest, "Download complete");
    if (teed_all) reporter.report(blob.digest, "Extracting");
  }
  unpacker.join();
  *streamed = st && teed_all;
  return st;
}

struct FetchedLayer {
  oci::Digest digest;
  bool unpacked = false;  // streamed into its layer as it downloaded
};

// Every layer at once, bounded; the first error wins, the others still finish (what they
// wrote is valid and will be used by the next attempt). Layers with an entry in `unpack` (same
// order as `layers`; empty: none) are unpacked as they download.
Result<std::vector<FetchedLayer>> download_layers(
    const Session& session, const content::Store& blobs, std::string_view path,
    const std::vector<oci::Descriptor>& layers,
    const std::vector<std::optional<snapshot::LayerToUnpack>>& unpack,
    const snapshot::LayerStore& layer_store, const PullOptions& o, ProgressReporter& reporter) {
  std::mutex mu;
  std::vector<const oci::Descriptor*> todo;
  for (const auto& l : layers) {
    if (blobs.has(l.digest)) {
      reporter.report(l.digest, "Already exists");
    } else if (std::none_of(todo.begin(), todo.end(),
                            [&](const auto* t) { return t->digest == l.digest; })) {
      reporter.report(l.digest, "Pulling fs layer");
      todo.push_back(&l);
    }
  }
  size_t n = std::min<size_t>(std::max(1u, o.parallel), todo.size());
  for (size_t i = n; i < todo.size(); ++i) reporter.report(todo[i]->digest, "Waiting");
  std::vector<FetchedLayer> done(todo.size());
  std::atomic<size_t> next{0};
  std::optional<Error> first;
  auto worker = [&] {
    for (size_t i; (i = next.fetch_add(1)) < todo.size();) {
      size_t index = static_cast<size_t>(todo[i] - layers.data());
      done[i].digest = todo[i]->digest;
      Status st = ok();
      if (index < unpack.size() && unpack[index]) {
        st = download_and_unpack(session, blobs, path, *todo[i], layer_store, *unpack[index],
                                 reporter, &done[i].unpacked);
      } else {
        st = download_blob_tee(session, blobs, path, *todo[i], -1, nullptr, &reporter);
        if (st) reporter.report(todo[i]->digest, "Download complete");
      }
      if (st) continue;
      std::lock_guard lock(mu);
      if (!first) first = std::move(st).error();
    }
  };
  std::vector<std::thread> threads;
  for (size_t i = 1; i < n; ++i) threads.emplace_back(worker);
  if (n > 0) worker();
  for (auto& t : threads) t.join();
  if (first) return std::move(*first);
  return done;
}

// What to unpack while downloading, from the config (downloaded first): every layer whose blob
// is not in the store yet and whose layer is not unpacked yet. None when the config does not
// fit the manifest: add_image says why.
Result<std::vector<std::optional<snapshot::LayerToUnpack>>> layers_to_unpack(
    image::ImageStore& store, const oci::Manifest& m) {
  std::vector<std::optional<snapshot::LayerToUnpack>> out;
  HAKO_TRY_ASSIGN(std::string bytes,
                  store.blobs().read_blob(m.config.digest, oci::kMaxDocumentBytes));
  auto config = oci::parse_image_config(bytes);
  if (!config || config->rootfs.diff_ids.size() != m.layers.size()) return out;
  std::vector<oci::Digest> chains = snapshot::chain_ids(config->rootfs.diff_ids);
  out.resize(m.layers.size());
  for (size_t i = 0; i < m.layers.size(); ++i) {
    if (store.blobs().has(m.layers[i].digest) || store.layers().has(chains[i])) continue;
    snapshot::LayerToUnpack l;
    l.blob = m.layers[i].digest;
    l.diff_id = config->rootfs.diff_ids[i];
    l.chain_id = chains[i];
    if (i > 0) l.parent = chains[i - 1];
    out[i] = std::move(l);
  }
  return out;
}

}  // namespace

Result<PullResult> pull(image::ImageStore& store, const Session& session, const oci::Reference& ref,
                        const PullOptions& o) {
  const content::Store& blobs = store.blobs();
  std::string tag_or_digest = ref.digest ? ref.digest->to_string() : ref.tag;
  std::string path = ref.path;
  HAKO_TRY_ASSIGN(FetchedManifest top, fetch_manifest(session, path, tag_or_digest));
  PullResult out;
  out.repo_digest = top.digest;
  FetchedManifest chosen = top;
  if (oci::is_index_media_type(top.media_type)) {
    HAKO_TRY_ASSIGN(oci::Index idx, oci::parse_index(top.bytes));
    oci::Platform want = o.platform ? *o.platform : oci::host_platform();
    auto pick = oci::find_platform_manifest(idx, want);
    if (!pick)
      return not_found("no matching manifest for " + oci::platform_string(want) +
                       " in the manifest list entries of " + ref.familiar_string());
    HAKO_TRY_ASSIGN(chosen, fetch_manifest(session, path, idx.manifests[*pick].digest.to_string()));
  }
  HAKO_TRY_ASSIGN(oci::Manifest m, oci::parse_manifest(chosen.bytes));
  out.manifest = chosen.digest;
  out.id = m.config.digest;
  for (const auto& l : m.layers)
    if (!oci::find_layer_type(l.media_type))
      return invalid_argument("layer " + l.digest.to_string() + ": unsupported media type \"" +
                              l.media_type + "\"");

  oci::Reference digest_ref{ref.domain, ref.path, "", top.digest};
  if (!ref.tag.empty() && !ref.digest) out.refs.push_back(ref.to_string());
  out.refs.push_back(digest_ref.to_string());
  HAKO_TRY_ASSIGN(auto named, store.metadata().find_ref(out.refs.front()));
  out.up_to_date = named && *named == out.id && blobs.has(out.manifest);

  HAKO_TRY_ASSIGN(image::PendingMark mark, store.mark_pending());
  HAKO_TRY(blobs.ingest_bytes(top.bytes));
  if (chosen.digest != top.digest) HAKO_TRY(blobs.ingest_bytes(chosen.bytes));
  HAKO_TRY(download_blob(session, blobs, path, m.config));
  ProgressReporter reporter(o.progress);
  std::vector<FetchedLayer> fetched;
  if (!out.up_to_date) {
    HAKO_TRY_ASSIGN(auto unpack, layers_to_unpack(store, m));
    HAKO_TRY_ASSIGN(fetched, download_layers(session, blobs, path, m.layers, unpack, store.layers(),
                                             o, reporter));
  }
  // add_image unpacks what did not stream (in parallel, with no byte counts to show).
  for (const auto& f : fetched)
    if (!f.unpacked) reporter.report(f.digest, "Extracting");
  HAKO_TRY_ASSIGN(image::ImageRecord rec, store.add_image(out.manifest, out.refs));
  (void)rec;
  for (const auto& f : fetched) reporter.report(f.digest, "Pull complete");
  mark.done();
  return out;
}

}  // namespace hako::registry
