// ArchiveIndex: what load_archive learned from one pass over an image archive — which entry
// names became which blobs in the content store, the small JSON documents kept in memory, and
// the links between entries — with lookups that follow links inside the archive only.
// Internal to the image module. Value type; one thread.
#pragma once

#include <map>
#include <string>

#include "archive/reader.h"
#include "base/result.h"
#include "content/store.h"
#include "oci/digest.h"

namespace hako::image {

class ArchiveIndex {
 public:
  // Reads the whole archive, ingesting blobs into `blobs`.
  static Result<ArchiveIndex> read(const content::Store& blobs, archive::Reader& input);

  bool has(const std::string& name) const;
  // A document's bytes (JSON files up to kMaxDocumentBytes), following links; for a name that
  // became a blob, the blob's bytes (bounded the same way).
  Result<std::string> document(const std::string& name) const;
  // The blob an entry became; documents are stored on demand.
  Result<oci::Digest> blob(const std::string& name) const;

 private:
  explicit ArchiveIndex(const content::Store& blobs) : blobs_(&blobs) {}
  Result<std::string> follow(const std::string& name) const;

  const content::Store* blobs_;
  std::map<std::string, oci::Digest> blob_entries_;
  std::map<std::string, std::string> documents_;
  std::map<std::string, std::string> links_;  // entry → the entry it points at (cleaned)
};

}  // namespace hako::image
