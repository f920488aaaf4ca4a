// Store: the content-addressed blob store. Blobs live at <root>/blobs/sha256/<hex>; a blob is
// written under <root>/ingest/ and becomes visible only by an atomic rename after its size and
// digest have been checked and the file fsynced, so a reader never sees a partial or wrong blob,
// and a crash at any point leaves at most an unreferenced temp file in ingest/.
//
// Concurrency: any number of threads and processes may use one store. Each Writer has its own
// temp file (random name, O_EXCL) holding an flock for its lifetime; two writers of the same
// blob race harmlessly (the second rename finds the blob present and succeeds). cleanup_ingest()
// removes only temp files whose flock it can take, i.e. whose writer is gone. A Store value is
// cheap to copy (it shares two directory fds) and is thread safe; a Writer belongs to one
// thread. Only sha256 blobs can be ingested; a sha512 digest is refused as not implemented.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/unique_fd.h"
#include "content/sha256.h"
#include "oci/digest.h"

namespace hako::content {

// The store's two directory fds, shared by the Store and its Writers (store.cc).
struct StoreDirs;

// One blob being written. Lifecycle: begin_ingest() → write()* → commit(); destroyed without
// a successful commit (or after any failed call) it removes its temp file.
class Writer {
 public:
  Writer(Writer&& other) noexcept;
  Writer& operator=(Writer&&) = delete;
  Writer(const Writer&) = delete;
  ~Writer();

  // Appends; fails as soon as the expected size would be exceeded.
  Status write(std::string_view data);
  // Checks size and digest, fsyncs, renames into blobs/ and fsyncs the directory. Succeeds if an
  // identical blob appeared meanwhile. A writer from begin_ingest_unknown() checks no digest. On a
  // mismatch: `blob sha256:…: digest mismatch: got sha256:…` and the temp file is gone.
  Status commit();

  uint64_t written() const { return written_; }
  // The digest asked for; for an unknown-digest writer, empty until commit() computed it.
  const oci::Digest& expected() const { return expected_; }

 private:
  friend class Store;
  Writer(std::shared_ptr<const StoreDirs> dirs, std::string temp_name, UniqueFd fd,
         oci::Digest expected, std::optional<uint64_t> expected_size);
  Status fail(Error e);
  void abort();

  std::shared_ptr<const StoreDirs> dirs_;
  std::string temp_name_;
  UniqueFd fd_;
  oci::Digest expected_;
  std::optional<uint64_t> expected_size_;
  std::optional<uint64_t> max_size_;  // unknown-digest writers: a bound, not an exact size
  Sha256 hash_;
  uint64_t written_ = 0;
  bool done_ = false;
};

class Store {
 public:
  // Creates <root>/blobs/sha256 and <root>/ingest as needed.
  static Result<Store> open(const std::string& root);

  const std::string& root() const { return root_; }
  std::string blob_path(const oci::Digest& d) const;

  Result<Writer> begin_ingest(const oci::Digest& expected,
                              std::optional<uint64_t> expected_size = std::nullopt) const;
  // For content whose digest is only known once read (a layer.tar inside a docker-archive,
  // whose manifest comes last): commit() stores it under the digest it computed, which
  // Writer::expected() returns afterwards. The caller checks it against what names it.
  Result<Writer> begin_ingest_unknown(uint64_t max_size) const;
  // Copies everything readable from fd into the blob (at most expected_size + 1 bytes are
  // read). Returns without reading if the blob is already present.
  Status ingest_fd(int fd, const oci::Digest& expected,
                   std::optional<uint64_t> expected_size = std::nullopt) const;
  Status ingest_file(const std::string& path, const oci::Digest& expected,
                     std::optional<uint64_t> expected_size = std::nullopt) const;
  // For documents hako creates (configs, manifests): hashes, stores, returns the digest.
  Result<oci::Digest> ingest_bytes(std::string_view data) const;

  bool has(const oci::Digest& d) const;
  Result<uint64_t> size(const oci::Digest& d) const;
  Result<UniqueFd> open_blob(const oci::Digest& d) const;
  // Whole blob, refused above `limit` bytes, re-hashed before it is returned: manifests and
  // configs are small and decide what gets unpacked, so they are verified on every read.
  Result<std::string> read_blob(const oci::Digest& d, size_t limit = 4 << 20) const;
  // Re-hashes a blob of any size (`hako system check`).
  Status verify_blob(const oci::Digest& d) const;
  Status remove(const oci::Digest& d) const;
  // Every stored blob, sorted. Names that are not a sha256 hex are skipped.
  Result<std::vector<oci::Digest>> list() const;
  // Removes temp files of ingests whose writer has gone (crash, kill -9) and that were last
  // written more than `older_than` ago. Returns how many were removed.
  Result<size_t> cleanup_ingest(std::chrono::seconds older_than) const;

 private:
  Store(std::string root, std::shared_ptr<const StoreDirs> dirs)
      : root_(std::move(root)), dirs_(std::move(dirs)) {}

  std::string root_;
  std::shared_ptr<const StoreDirs> dirs_;
};

}  // namespace hako::content
