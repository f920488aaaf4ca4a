#include "image/check.h"

#include <set>

namespace hako::image {

Result<CheckReport> check_store(ImageStore& store, bool repair) {
  CheckReport report;
  HAKO_TRY(store.metadata().check_integrity());
  HAKO_TRY_ASSIGN(auto blobs, store.blobs().list());
  std::set<oci::Digest> corrupt;
  for (const auto& d : blobs) {
    ++report.blobs;
    if (!store.blobs().verify_blob(d)) {
      corrupt.insert(d);
      report.problems.push_back("blob " + d.to_string() + ": content does not match its digest");
      if (repair) (void)store.blobs().remove(d);
    }
  }
  HAKO_TRY_ASSIGN(auto images, store.metadata().list_images());
  for (const auto& img : images) {
    ++report.images;
    std::vector<std::string> missing;
    auto need_blob = [&](const oci::Digest& d, const char* what) {
      if (!store.blobs().has(d) || corrupt.count(d))
        missing.push_back(std::string(what) + " " + d.to_string());
    };
    need_blob(img.manifest, "manifest");
    need_blob(img.id, "config");
    for (const auto& l : img.layers) {
      need_blob(l.blob, "layer blob");
      if (!store.layers().has(l.chain_id)) missing.push_back("layer " + l.chain_id.to_string());
    }
    report.layers += img.layers.size();
    if (missing.empty()) continue;
    std::string line = "image " + img.id.to_string() + ": missing";
    for (const auto& m : missing) line += " " + m;
    report.problems.push_back(line);
    if (repair) HAKO_TRY(store.metadata().remove_image(img.id));
  }
  HAKO_TRY_ASSIGN(report.garbage, store.collect_garbage(!repair));
  report.repaired = repair;
  return report;
}

}  // namespace hako::image
