// Overlay mounts of unpacked layers (needs root). Everything runs in a forked child with its own
// mount namespace, on a tmpfs mounted there, so nothing can leak into the host's mount table;
// the parent checks that afterwards.
#include "snapshot/overlay.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <functional>

#include "archive/hostile_tar.h"
#include "content/sha256.h"
#include "snapshot/chain_id.h"
#include "snapshot/layer_store.h"
#include "sys/file.h"
#include "sys/mount.h"

namespace hako::snapshot {
namespace {

using archive::testing::TarBuilder;

constexpr int kLayers = 200;

bool require_caps() {
  const char* v = std::getenv("HAKO_REQUIRE_CAPS");
  return v != nullptr && std::string(v) == "1";
}

bool mounted_under(const std::string& path) {
  auto info = sys::read_file("/proc/self/mountinfo");
  return info && info->find(" " + path) != std::string::npos;
}

bool is_whiteout(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0);
}

#define CHECK_OR_RETURN(cond, msg) \
  if (!(cond)) return std::string(msg) + " (" #cond ")"

std::string write_fails_with_erofs(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd >= 0) {
    ::close(fd);
    return "created " + path + " on a read-only mount";
  }
  if (errno != EROFS) return "create " + path + ": want EROFS, got errno " + std::to_string(errno);
  return "";
}

// Layer 0 holds "gone" and dir/old; layer 10 whites out "gone" and makes dir opaque.
std::string layer_tar(int i) {
  TarBuilder b;
  b.file("f" + std::to_string(i), std::to_string(i));
  if (i == 0) b.file("gone", "x").dir("dir").file("dir/old", "old");
  if (i == 10) b.file(".wh.gone", "").dir("dir").file("dir/.wh..wh..opq", "").file("dir/new", "n");
  return b.finish();
}

// The child's whole test; returns "" on success, "skip: why" or a failure message.
std::string overlay_scenario(const std::string& base) {
  if (::unshare(CLONE_NEWNS) != 0) return "skip: unshare(CLONE_NEWNS): " + std::to_string(errno);
  if (::mount("", "/", "", MS_REC | MS_PRIVATE, "") != 0) return "make / private failed";
  if (::mount("tmpfs", base.c_str(), "tmpfs", 0, "mode=0700") != 0) return "mount tmpfs failed";
  if (auto fs = sys::fs_open("overlay"); !fs) return "skip: " + fs.error().message();

  auto blobs = content::Store::open(base + "/content");
  auto store = LayerStore::open(base);
  CHECK_OR_RETURN(blobs && store, "open stores");
  std::vector<LayerToUnpack> layers;
  std::optional<oci::Digest> parent;
  for (int i = 0; i < kLayers; ++i) {
    std::string tar = layer_tar(i);
    auto blob = blobs->ingest_bytes(tar);
    CHECK_OR_RETURN(blob, "ingest");
    oci::Digest diff = content::Sha256::of(tar);
    layers.push_back({*blob, diff, chain_id(parent, diff), parent});
    parent = layers.back().chain_id;
  }
  auto r = store->unpack(*blobs, layers);
  if (!r) return "unpack: " + r.error().message();
  auto lowers = store->lower_dirs(layers.back().chain_id);
  if (!lowers) return "lower dirs: " + lowers.error().message();
  CHECK_OR_RETURN(lowers->size() == kLayers, "lower dir count");
  auto rw = prepare_rw_dirs(base + "/rw");
  CHECK_OR_RETURN(rw, "prepare rw dirs");
  const std::string target = base + "/mnt";
  CHECK_OR_RETURN(sys::make_dirs(target), "mkdir target");

  {
    auto m = mount_overlay(*lowers, rw->upper, rw->work, target);
    if (!m) return "mount_overlay: " + m.error().message();
    for (int i = 0; i < kLayers; ++i) {
      auto data = sys::read_file(target + "/f" + std::to_string(i));
      CHECK_OR_RETURN(data && *data == std::to_string(i), "file f" + std::to_string(i));
    }
    CHECK_OR_RETURN(!sys::exists(target + "/gone"), "whiteout in a lower hides gone");
    CHECK_OR_RETURN(!sys::exists(target + "/dir/old"), "opaque dir in a lower hides dir/old");
    CHECK_OR_RETURN(sys::exists(target + "/dir/new"), "dir/new");
    CHECK_OR_RETURN(sys::write_file_atomic(target + "/written", "w"), "write into the overlay");
    CHECK_OR_RETURN(sys::exists(rw->upper + "/written"), "the write lands in the upper dir");
    for (const auto& l : *lowers)
      CHECK_OR_RETURN(!sys::exists(l + "/written"), "the write stays out of " + l);
    CHECK_OR_RETURN(::unlink((target + "/f0").c_str()) == 0, "delete f0");
    CHECK_OR_RETURN(is_whiteout(rw->upper + "/f0"), "deleting f0 leaves a whiteout in upper");
    CHECK_OR_RETURN(sys::exists(lowers->back() + "/f0"), "the lower keeps f0");
    CHECK_OR_RETURN(mounted_under(target), "mounted");
    auto s = m->unmount();
    if (!s) return "unmount: " + s.error().message();
    CHECK_OR_RETURN(!mounted_under(target), "unmounted by unmount()");
  }
  {
    std::vector<std::string> three(lowers->end() - 3, lowers->end());
    auto m = mount_overlay(three, std::nullopt, std::nullopt, target);
    if (!m) return "read-only mount_overlay: " + m.error().message();
    CHECK_OR_RETURN(sys::exists(target + "/f2") && !sys::exists(target + "/f3"), "3 lowers");
    if (auto e = write_fails_with_erofs(target + "/x"); !e.empty()) return e;
  }
  CHECK_OR_RETURN(!mounted_under(target), "unmounted by the guard's destructor");
  {
    auto m = mount_overlay({lowers->back()}, std::nullopt, std::nullopt, target);
    if (!m) return "single-lower mount: " + m.error().message();
    CHECK_OR_RETURN(sys::exists(target + "/f0") && sys::exists(target + "/gone"), "1 lower");
    if (auto e = write_fails_with_erofs(target + "/x"); !e.empty()) return e;
    CHECK_OR_RETURN(!sys::exists(lowers->back() + "/x"), "nothing written through the bind");
    MountGuard moved = std::move(*m);
    CHECK_OR_RETURN(!m->active() && moved.active(), "move");
  }
  CHECK_OR_RETURN(!mounted_under(target), "unmounted by the moved guard");
  {
    auto bad = mount_overlay(*lowers, rw->upper, std::nullopt, target);
    CHECK_OR_RETURN(!bad, "upper without work refused");
    auto missing =
        mount_overlay({base + "/nope", lowers->back()}, std::nullopt, std::nullopt, target);
    CHECK_OR_RETURN(!missing, "missing lower refused");
    CHECK_OR_RETURN(missing.error().message().find(base + "/nope") != std::string::npos,
                    "the error names the missing lower: " + missing.error().message());
  }
  CHECK_OR_RETURN(!mounted_under(target), "nothing left mounted");
  ::umount2(base.c_str(), MNT_DETACH);
  return "";
}

// Runs fn in a forked child and returns what it returned; a 120 s deadline.
std::string run_in_child(const std::function<std::string()>& fn) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return "pipe failed";
  pid_t pid = ::fork();
  if (pid < 0) return "fork failed";
  if (pid == 0) {
    ::close(fds[0]);
    std::string msg = fn();
    (void)sys::write_all(fds[1], msg, "pipe");
    ::_exit(0);
  }
  ::close(fds[1]);
  std::string msg;
  pollfd p{fds[0], POLLIN, 0};
  bool timed_out = false;
  while (true) {
    int n = ::poll(&p, 1, 120'000);
    if (n == 0) {
      timed_out = true;
      ::kill(pid, SIGKILL);
      break;
    }
    char buf[512];
    ssize_t got = ::read(fds[0], buf, sizeof buf);
    if (got <= 0) break;
    msg.append(buf, static_cast<size_t>(got));
  }
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (timed_out) return "timed out after 120 s";
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return "child died (status " + std::to_string(status) + "): " + msg;
  return msg;
}

TEST(Overlay, TwoHundredLowersUpperWhiteoutsAndUnmount) {
  if (::geteuid() != 0) {
    if (require_caps()) FAIL() << "HAKO_REQUIRE_CAPS=1 but not root";
    GTEST_SKIP() << "needs root (mount namespace, overlay mounts)";
  }
  char tmpl[] = "/tmp/hako-overlay-test-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::string base = tmpl;
  std::string msg = run_in_child([&] { return overlay_scenario(base); });
  // The child's mounts lived in its own namespace: none may be visible here.
  EXPECT_FALSE(mounted_under(base));
  ASSERT_TRUE(sys::remove_all(base));
  if (msg.starts_with("skip: ")) {
    if (require_caps()) FAIL() << "HAKO_REQUIRE_CAPS=1: " << msg;
    GTEST_SKIP() << msg.substr(6);
  }
  EXPECT_EQ(msg, "");
}

}  // namespace
}  // namespace hako::snapshot
