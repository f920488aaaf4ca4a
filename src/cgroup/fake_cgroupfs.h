// FakeCgroupFs (tests only, header-only): a temporary directory laid out like mounted cgroup
// hierarchies, with the control files a kernel would show pre-created as empty regular files. A
// write to a file that is not there is what a kernel without that feature does (ENOENT).
// ControlFiles appends, so a file's content is the sequence of writes, one per line. Removed with
// the object.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <initializer_list>
#include <string>

#include "cgroup/layout.h"
#include "sys/file.h"

namespace hako::cgroup {

class FakeCgroupFs {
 public:
  FakeCgroupFs() {
    const char* base = ::getenv("TMPDIR");
    std::string tmpl = std::string(base && *base ? base : "/tmp") + "/hako-cgroup-test.XXXXXX";
    root_ = ::mkdtemp(tmpl.data()) ? tmpl : std::string();
    EXPECT_FALSE(root_.empty());
  }
  ~FakeCgroupFs() { (void)sys::remove_all(root_); }
  FakeCgroupFs(const FakeCgroupFs&) = delete;
  FakeCgroupFs& operator=(const FakeCgroupFs&) = delete;

  const std::string& root() const { return root_; }
  std::string path(const std::string& rel) const { return root_ + "/" + rel; }

  void dir(const std::string& rel) { ASSERT_TRUE(sys::make_dirs(path(rel))); }
  void file(const std::string& rel, const std::string& content = "") {
    auto slash = rel.find_last_of('/');
    if (slash != std::string::npos) dir(rel.substr(0, slash));
    // Plain create + write: write_file_atomic's fsync would make each test take seconds.
    auto fd = sys::open_path(path(rel), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ASSERT_TRUE(fd) << fd.error().message();
    ASSERT_TRUE(sys::write_all(fd->get(), content, rel));
  }
  // Creates dir `rel` with each of `files`, empty.
  void files(const std::string& rel, std::initializer_list<const char*> names) {
    dir(rel);
    for (const char* n : names) file(rel + "/" + n);
  }
  std::string read(const std::string& rel) const {
    auto r = sys::read_file(path(rel));
    return r ? *r : "<missing: " + rel + ">";
  }
  bool exists(const std::string& rel) const { return sys::exists(path(rel)); }

  // A v1 hierarchy mounted at <root>/<mount> holding `controllers`; the caller sits in `own`.
  Hierarchy v1(const std::string& mount, std::initializer_list<const char*> controllers,
               const std::string& own = "/") {
    dir(mount);
    Hierarchy h;
    for (const char* c : controllers) h.controllers.emplace_back(c);
    h.mount_point = path(mount);
    h.mount_root = "/";
    h.own_path = own;
    return h;
  }
  Hierarchy v2(const std::string& mount, const std::string& own = "/") {
    dir(mount);
    Hierarchy h;
    h.is_v2 = true;
    h.mount_point = path(mount);
    h.mount_root = "/";
    h.own_path = own;
    return h;
  }

 private:
  std::string root_;
};

}  // namespace hako::cgroup
