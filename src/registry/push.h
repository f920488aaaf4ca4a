// Pushing an image from the store to a registry (OCI distribution spec). The blobs (layers and
// config) go on up to PushOptions::jobs threads at once; each is checked with HEAD and, when
// missing, either mounted from another repository of the same registry that the image is known
// to be in (a repo digest "name@sha256:…" recorded by a pull or push: POST ?mount=&from=, 201 =
// mounted, a 202 is an upload session used as below) or uploaded: monolithically (POST, then one
// PUT of the whole blob with ?digest=) or, above PushOptions::chunk_size, in chunks (PATCHes
// with Content-Range, then an empty PUT ?digest=). Then the manifest is PUT under the tag with
// its own media type. The manifest's bytes are the stored ones, so the digest the registry
// answers is the one hako already records (checked against Docker-Content-Digest), and recorded
// as the image's repo digest as Docker does. Failed requests are retried with backoff; an upload
// restarts from a new session (without the mount). A mount the registry refuses (401/403/404)
// falls back to an upload. Under Bearer auth the push's token covers
// "repository:NAME:pull,push repository:FROM:pull" when there is a repository to mount from;
// when that is refused (a token service that denies the whole request for one scope), the
// blobs go again under "repository:NAME:pull,push" alone, uploaded.
// Thread safety: one call at a time per store; the progress callback is called from the
// worker threads and the caller's, one call at a time (registry/progress.h).
#pragma once

#include <functional>
#include <string_view>

#include "base/result.h"
#include "image/store.h"
#include "oci/reference.h"
#include "registry/progress.h"
#include "registry/session.h"

namespace hako::registry {

struct PushOptions {
  // Per-layer events, Docker's words and bytes (registry/progress.h).
  ProgressFn progress;
  // Blobs in flight at once (HEAD + upload), like Docker's max-concurrent-uploads.
  int jobs = 4;
  // Blobs bigger than this go in PATCHes of this size; 0: always one PUT.
  uint64_t chunk_size = uint64_t{64} << 20;
};

struct PushResult {
  oci::Digest manifest;
  uint64_t size = 0;  // manifest bytes, as Docker prints them
};

// Pushes the image that `ref` names in the store to `ref` on the session's registry.
Result<PushResult> push(image::ImageStore& store, const Session& session, const oci::Reference& ref,
                        const PushOptions& options = {});

}  // namespace hako::registry
