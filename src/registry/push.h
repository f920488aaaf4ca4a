// Pushing an image from the store to a registry (OCI distribution spec): each blob (layers,
// then the config) is checked with HEAD and, when missing, uploaded monolithically (POST to
// open an upload session, PUT of the whole blob to its Location with ?digest=); then the
// manifest is PUT under the tag with its own media type. The manifest's bytes are the stored
// ones, so the digest the registry answers is the one hako already records (checked against
// Docker-Content-Digest), and recorded as the image's repo digest "name@sha256:…" as Docker
// does. Failed requests are retried with backoff; an upload restarts from a
// new session. Chunked uploads and cross-repository mounts are not done yet.
// Thread safety: one call at a time per store; the progress callback runs on the caller's
// thread.
#pragma once

#include <functional>
#include <string_view>

#include "base/result.h"
#include "image/store.h"
#include "oci/reference.h"
#include "registry/session.h"

namespace hako::registry {

struct PushOptions {
  // (short id, status): "Preparing", "Layer already exists", "Pushed".
  std::function<void(std::string_view short_id, std::string_view status)> progress;
};

struct PushResult {
  oci::Digest manifest;
  uint64_t size = 0;  // manifest bytes, as Docker prints them
};

// Pushes the image that `ref` names in the store to `ref` on the session's registry.
Result<PushResult> push(image::ImageStore& store, const Session& session, const oci::Reference& ref,
                        const PushOptions& options = {});

}  // namespace hako::registry
