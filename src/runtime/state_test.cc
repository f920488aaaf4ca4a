#include "runtime/state.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "sys/file.h"
#include "sys/process.h"

namespace hako::runtime {
namespace {

TEST(State, ContainerIds) {
  EXPECT_TRUE(validate_container_id("web-1.a_b+c"));
  EXPECT_FALSE(validate_container_id(""));
  EXPECT_FALSE(validate_container_id(".."));
  EXPECT_FALSE(validate_container_id("a/b"));
  EXPECT_FALSE(validate_container_id("a b"));
}

TEST(State, RoundTripAndStatus) {
  char tmpl[] = "/tmp/hako-state-test-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  std::string root = tmpl;
  ASSERT_TRUE(sys::make_dirs(root + "/c1"));
  ContainerState s;
  s.id = "c1";
  s.pid = getpid();
  s.pid_start_time = *sys::process_start_time(getpid());
  s.bundle = "/b";
  s.cgroups.push_back({"memory", "/sys/fs/cgroup/memory/hako/c1", 2});
  s.poststop_hooks.push_back({"/bin/true", {"true"}, {}, 3});
  ASSERT_TRUE(save_state(state_paths(root, "c1"), s));
  auto loaded = load_state(root, "c1");
  ASSERT_TRUE(loaded) << loaded.error().message();
  EXPECT_EQ(loaded->cgroups[0].path, "/sys/fs/cgroup/memory/hako/c1");
  EXPECT_EQ(loaded->cgroups[0].created_levels, 2);
  EXPECT_EQ(loaded->poststop_hooks[0].timeout, 3);
  // Alive and no fifo: running. A wrong start time: the pid was reused, so stopped.
  EXPECT_EQ(container_status(*loaded, state_paths(root, "c1")), ContainerStatus::kRunning);
  loaded->pid_start_time += 1;
  EXPECT_EQ(container_status(*loaded, state_paths(root, "c1")), ContainerStatus::kStopped);
  auto missing = load_state(root, "nope");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message(), "container nope does not exist");
  ASSERT_TRUE(sys::remove_all(root));
}

}  // namespace
}  // namespace hako::runtime
