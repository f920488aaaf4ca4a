// `commit`: a container's changes as a new image, as Docker's commit makes it.
//
// The new image is the container's image plus one layer: the container's upper dir as a layer
// tar (archive::write_tar: overlay whiteouts become .wh. entries; deterministic), stored
// UNCOMPRESSED like `hako import`'s, so its digest is its diff id. Its config is the image's,
// with the run defaults replaced by the container's merged Config (Env, Cmd, Entrypoint,
// WorkingDir, User, Labels, ExposedPorts, Volumes, StopSignal, Healthcheck), then the --change
// instructions applied (image/change.h), "author" and "container" set and one history entry
// appended (created_by: the container's Cmd joined by spaces, as Docker shows it). The manifest
// keeps the image's layer descriptors and its media type family (OCI or Docker).
//
// A running container is frozen while its upper dir is read (pause = true, Docker's default)
// and thawed after, whatever happens. The store's pending mark covers the blobs written before
// the image is recorded: a failed commit leaves no image and no trace the next open() keeps.
// Borrows the engine; one thread.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "engine/engine.h"

namespace hako::engine {

struct CommitOptions {
  std::optional<std::string> reference;  // REPOSITORY[:TAG]; none: a dangling image
  std::string author;
  std::string message;
  std::vector<std::string> changes;  // Dockerfile instructions
  bool pause = true;
};

Result<image::ImageRecord> commit_container(Engine& eng, const ContainerRecord& c,
                                            const CommitOptions& o);

}  // namespace hako::engine
