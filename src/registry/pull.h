// Pulling an image from a registry into the image store (OCI distribution spec, Docker's
// manifest v2 and manifest lists).
//
// Order, so that a failed pull leaves no image visible: the manifest (and index) is fetched
// and verified (its sha256 must equal the Docker-Content-Digest header and, for a digest
// reference, the digest asked for); an index picks the manifest for the wanted platform; the
// store is marked pending (image::PendingMark: what is written until the image is recorded is
// garbage if the pull dies); manifest, config and then all layers at once (up to
// PullOptions::parallel downloads, one thread each) are streamed into the content store, each
// verified against its digest and size as it arrives; blobs already present are skipped; only
// then ImageStore::add_image unpacks the layers (in parallel) and records the image under the
// tag reference and the repository digest reference ("name@sha256:…", Docker's RepoDigests).
//
// Transient failures (connection errors, 5xx, 429) are retried with backoff; a blob download
// cut in the middle resumes with a Range request from what the writer already holds, and
// starts the blob over when the server ignores the range.
//
// Thread safety: pull() uses the store from the calling thread only; the progress callback is
// called from download threads and the caller's, one call at a time (registry/progress.h).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "image/store.h"
#include "oci/image_spec.h"
#include "oci/reference.h"
#include "registry/progress.h"
#include "registry/session.h"

namespace hako::registry {

// The media types a pull accepts, for the Accept header.
std::string manifest_accept();

struct FetchedManifest {
  std::string bytes;
  std::string media_type;
  oci::Digest digest;  // sha256 of bytes, checked against the header and the reference
};

// GET /v2/<path>/manifests/<tag or digest>, verified.
Result<FetchedManifest> fetch_manifest(const Session& session, std::string_view path,
                                       std::string_view tag_or_digest);

// The page size list_tags asks for; a registry may send fewer per page (or all at once).
inline constexpr int kTagsPageSize = 100;

// Bounds of a tag list, against a registry whose Link headers never end.
inline constexpr int kMaxTagPages = 10000;
inline constexpr size_t kMaxTags = 1000000;

// GET /v2/<path>/tags/list?n=PAGE_SIZE, then every page that a `Link: <URL>; rel="next"`
// header names (the distribution spec's pagination), on the same origin (scheme, host, port)
// only; an empty page ends the list. More than max_pages pages or kMaxTags tags is an error.
Result<std::vector<std::string>> list_tags(const Session& session, std::string_view path,
                                           int page_size = kTagsPageSize,
                                           int max_pages = kMaxTagPages);

// The target of the rel="next" link of a Link header value (RFC 8288: `<URL>; rel="next"`,
// several links comma separated); nullopt when there is none. Pure.
std::optional<std::string> next_link(std::string_view header);

struct PullOptions {
  std::optional<oci::Platform> platform;  // default: the host's
  unsigned parallel = 6;
  // Per-layer events, Docker's words and bytes (registry/progress.h).
  ProgressFn progress;
};

struct PullResult {
  oci::Digest repo_digest;        // what the registry calls the tag (an index's digest for lists)
  oci::Digest manifest;           // the image manifest stored
  oci::Digest id;                 // config digest
  std::vector<std::string> refs;  // normalised references recorded
  bool up_to_date = false;        // the reference already named this image
};

Result<PullResult> pull(image::ImageStore& store, const Session& session, const oci::Reference& ref,
                        const PullOptions& options = {});

// Downloads one blob into the store, verified, resuming after a cut (exposed for push's
// cross-repository fallback and tests).
Status download_blob(const Session& session, const content::Store& blobs, std::string_view path,
                     const oci::Descriptor& blob);

}  // namespace hako::registry
