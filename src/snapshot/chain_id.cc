#include "snapshot/chain_id.h"

#include "content/sha256.h"

namespace hako::snapshot {

oci::Digest chain_id(const std::optional<oci::Digest>& parent_chain, const oci::Digest& diff_id) {
  if (!parent_chain) return diff_id;
  return content::Sha256::of(parent_chain->to_string() + " " + diff_id.to_string());
}

std::vector<oci::Digest> chain_ids(const std::vector<oci::Digest>& diff_ids) {
  std::vector<oci::Digest> out;
  out.reserve(diff_ids.size());
  std::optional<oci::Digest> parent;
  for (const auto& diff : diff_ids) {
    out.push_back(chain_id(parent, diff));
    parent = out.back();
  }
  return out;
}

}  // namespace hako::snapshot
