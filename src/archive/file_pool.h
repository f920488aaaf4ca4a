// FilePool: worker threads that fill in regular files the parser has already created.
//
// The parser keeps every namespace operation (create, replace, link, whiteout) in tar order on
// its own thread, which is what keeps duplicates, hardlinks and whiteouts correct; it opens
// each new file (O_CREAT|O_EXCL|O_NOFOLLOW) and hands the fd plus a copy of the data to the
// pool. Workers write the data, apply owner/mode/xattrs/times and close: the syscalls that
// dominate small-file extraction then run in parallel. No fsync: the caller syncs the
// filesystem once.
//
// The queue is bounded in bytes (ExtractOptions::queue_bytes) and in jobs (each holds an fd),
// so memory stays flat whatever the layer. The first error stops the pool; submit and finish
// report it. submit/finish are called from one thread (the parser).
#pragma once

#include <sys/types.h>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "archive/extract.h"
#include "archive/metadata.h"
#include "base/result.h"
#include "base/unique_fd.h"

namespace hako::archive {

// One regular file's contents: data segments at offsets (holes between them stay holes), and
// the final size (the file is extended with ftruncate past the last segment).
struct FileJob {
  std::string name;  // the entry name, for errors
  UniqueFd fd;
  std::string data;
  std::vector<std::pair<uint64_t, size_t>> segments;  // (file offset, length) within data
  uint64_t size = 0;
  uint64_t written = 0;  // end of data the parser already wrote itself (large files)
  EntryMeta meta;
};

// pwrite of all of data at offset, retrying short writes and EINTR.
Status write_data_at(int fd, const char* data, size_t len, uint64_t offset);

// Writes the job's data and metadata, then closes the fd. Used by workers and, with no
// workers, by the parser itself.
Status run_file_job(FileJob& job, const ExtractOptions& options);

class FilePool {
 public:
  FilePool(unsigned workers, const ExtractOptions& options);
  ~FilePool();  // finishes (joins) if finish() was not called
  FilePool(const FilePool&) = delete;
  FilePool& operator=(const FilePool&) = delete;

  // Queues a job, waiting while the queue is full. Fails with the first worker error.
  Status submit(FileJob job);
  // Waits for all queued jobs and joins the workers; returns the first error.
  Status finish();

 private:
  void work();

  const ExtractOptions& options_;
  const size_t max_bytes_;
  static constexpr size_t kMaxJobs = 512;  // open fds waiting in the queue

  std::mutex mu_;
  std::condition_variable not_empty_;
  std::condition_variable not_full_;
  std::deque<FileJob> queue_;
  size_t queued_bytes_ = 0;
  bool closing_ = false;
  std::optional<Error> error_;
  std::vector<std::thread> threads_;
};

}  // namespace hako::archive
