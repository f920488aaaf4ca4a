#include "archive/file_pool.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace hako::archive {
Status write_data_at(int fd, const char* data, size_t len, uint64_t offset) {
  while (len > 0) {
    ssize_t n = ::pwrite(fd, data, len, static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      return sys_error("write data");
    }
    data += n;
    len -= static_cast<size_t>(n);
    offset += static_cast<uint64_t>(n);
  }
  return ok();
}

Status run_file_job(FileJob& job, const ExtractOptions& options) {
  auto fail = [&](Error e) { return std::move(e).context("layer entry \"" + job.name + "\""); };
  size_t consumed = 0;
  uint64_t end_of_data = 0;
  for (auto [offset, len] : job.segments) {
    auto st = write_data_at(job.fd.get(), job.data.data() + consumed, len, offset);
    if (!st) return fail(std::move(st).error());
    consumed += len;
    end_of_data = offset + len;
  }
  // Sparse tails and files that are all hole: ftruncate extends without allocating blocks.
  if (job.size > std::max(end_of_data, job.written) &&
      ::ftruncate(job.fd.get(), static_cast<off_t>(job.size)) != 0)
    return fail(sys_error("extend file"));
  auto st = apply_meta_fd(job.fd.get(), job.meta, options);
  if (!st) return fail(std::move(st).error());
  job.fd.reset();
  return ok();
}

FilePool::FilePool(unsigned workers, const ExtractOptions& options)
    : options_(options), max_bytes_(options.queue_bytes) {
  threads_.reserve(workers);
  for (unsigned i = 0; i < workers; ++i) threads_.emplace_back([this] { work(); });
}

FilePool::~FilePool() { (void)finish(); }

Status FilePool::submit(FileJob job) {
  std::unique_lock lock(mu_);
  // A job larger than the whole budget still goes through, alone, so progress is guaranteed.
  not_full_.wait(lock, [&] {
    return error_ || queue_.empty() ||
           (queue_.size() < kMaxJobs && queued_bytes_ + job.data.size() <= max_bytes_);
  });
  if (error_) return *error_;
  queued_bytes_ += job.data.size();
  queue_.push_back(std::move(job));
  not_empty_.notify_one();
  return ok();
}

Status FilePool::finish() {
  {
    std::lock_guard lock(mu_);
    closing_ = true;
  }
  not_empty_.notify_all();
  for (auto& t : threads_) t.join();
  threads_.clear();
  std::lock_guard lock(mu_);
  if (error_) return *error_;
  return ok();
}

void FilePool::work() {
  for (;;) {
    FileJob job;
    {
      std::unique_lock lock(mu_);
      not_empty_.wait(lock, [&] { return closing_ || !queue_.empty(); });
      if (queue_.empty()) return;
      job = std::move(queue_.front());
      queue_.pop_front();
      queued_bytes_ -= job.data.size();
      // After an error the rest of the queue is dropped (fds closed): the layer is discarded.
      if (error_) continue;
    }
    not_full_.notify_one();
    auto st = run_file_job(job, options_);
    if (!st) {
      std::lock_guard lock(mu_);
      if (!error_) error_ = std::move(st).error();
      not_full_.notify_all();
    }
  }
}

}  // namespace hako::archive
