// Docker's views of an image: `docker image inspect` JSON (the Engine API's ImageInspect shape)
// and `docker history` rows, built from the stored config and metadata. Pure functions over
// values; thread safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "image/store.h"
#include "json/reader.h"

namespace hako::image {

// Id, RepoTags, RepoDigests, Parent, Comment, Created, Author, Config, Architecture, Variant,
// Os, Size, VirtualSize, GraphDriver (overlay: the layer dirs), RootFS, Metadata.
json::Value inspect_json(const LoadedImage& image, const std::vector<std::string>& lower_dirs);

struct HistoryRow {
  std::string id;  // the image id on the newest row, "<missing>" below it, as Docker
  std::string created;
  std::string created_by;
  int64_t size = 0;
  std::string comment;
  bool empty_layer = false;
};

// Newest first.
std::vector<HistoryRow> history_rows(const LoadedImage& image);

// The Engine API's ContainerConfig object for the config's "config" (Cmd, Entrypoint, Env, ...).
json::Value run_defaults_json(const oci::RunDefaults& run);

}  // namespace hako::image
