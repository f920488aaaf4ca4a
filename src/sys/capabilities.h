// Linux capabilities by name, and applying the five OCI sets to the calling process.
// Stateless; call apply from the single-threaded container init only.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/result.h"

namespace hako::sys {

struct CapSets {
  uint64_t bounding = 0, effective = 0, permitted = 0, inheritable = 0, ambient = 0;
};

// "CAP_NET_ADMIN" → 12. Unknown names are an error naming the capability.
Result<int> capability_number(const std::string& name);
const char* capability_name(int number);  // nullptr if unknown
int last_capability();                    // highest number this kernel knows
Result<uint64_t> capability_mask(const std::vector<std::string>& names, const std::string& field);

// Drops bounding-set capabilities not in `bounding`. Needs CAP_SETPCAP, so it runs before the
// uid switch (which clears the effective set).
Status drop_bounding_capabilities(uint64_t bounding);
// Sets permitted, effective and inheritable with capset(2), then raises the ambient ones. Runs
// after the uid switch (made with PR_SET_KEEPCAPS so the permitted set survives it).
Status set_capabilities(const CapSets& sets);

}  // namespace hako::sys
