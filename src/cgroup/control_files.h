// ControlFiles: reads and writes the control files of one cgroup directory, with errors that name
// the spec field being applied and say when the kernel does not offer a file.
//
// Borrows a directory fd owned by the Manager (or a test); it never closes it. A ControlFiles made
// with missing(controller) stands for a controller that is not mounted: every write fails with an
// error saying so, and has() is false. Writes open the file O_APPEND and issue one write() of the
// value plus a newline: cgroupfs treats each write as one command whatever the flags, and a test's
// fake file then keeps the whole sequence of writes, one per line. Stateless apart from the
// borrowed fd; thread safe.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"

namespace hako::cgroup {

class ControlFiles {
 public:
  ControlFiles(int dir_fd, std::string path) : fd_(dir_fd), path_(std::move(path)) {}
  static ControlFiles missing(std::string controller) {
    ControlFiles f(-1, "");
    f.controller_ = std::move(controller);
    return f;
  }

  bool present() const { return fd_ >= 0; }
  int fd() const { return fd_; }
  const std::string& path() const { return path_; }

  // Writes `value` to `file`. `field` is the spec field being applied
  // ("linux.resources.pids.limit"). A file that does not exist means this kernel does not offer the
  // setting: kNotImplemented.
  Status write(std::string_view file, std::string_view value, std::string_view field) const;
  Result<std::string> read(std::string_view file) const;
  bool has(std::string_view file) const;

 private:
  int fd_;
  std::string path_;
  std::string controller_;  // for missing(): the controller that is not mounted
};

}  // namespace hako::cgroup
