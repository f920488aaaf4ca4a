// check_store: `hako system check` — verifies the store against itself and, with repair,
// puts it right: the database's integrity, every blob re-hashed, every image's manifest,
// config, layer blobs and unpacked layers present, and what no image uses (garbage) or a
// crash left (debris). Repair removes corrupt blobs, images that lost a part, garbage and
// debris; it never touches a sound image. Holds the store lock exclusively while it runs.
#pragma once

#include <string>
#include <vector>

#include "image/store.h"

namespace hako::image {

struct CheckReport {
  size_t images = 0, blobs = 0, layers = 0;
  std::vector<std::string> problems;  // one line each, for the user
  GcReport garbage;                   // what was (repair) or would be removed
  bool repaired = false;
  bool clean() const { return problems.empty() && garbage.blobs == 0 && garbage.layers == 0; }
};

Result<CheckReport> check_store(ImageStore& store, bool repair);

}  // namespace hako::image
