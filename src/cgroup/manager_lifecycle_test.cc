// Manager's lifecycle on fake trees: mkdir and rollback, add_process, load, pids, destroy.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup/fake_cgroupfs.h"
#include "cgroup/manager.h"

namespace hako::cgroup {
namespace {

// Bare hierarchies without control files: mkdir works, writes do not.
struct BareHost {
  FakeCgroupFs fs;
  Layout layout;
  BareHost() {
    layout.mode = Mode::kV1;
    layout.hierarchies.push_back(fs.v1("memory", {"memory"}, "/user.slice"));
    layout.hierarchies.push_back(fs.v1("pids", {"pids"}, "/user.slice"));
  }
};

TEST(ManagerLifecycle, CreatesParentsAndDestroyLeavesThem) {
  BareHost host;
  auto m =
      Manager::create(host.layout, *parse_cgroup_path("/hako-dev/x/y", "c1"), oci::Resources{});
  ASSERT_TRUE(m) << m.error().message();
  EXPECT_TRUE(host.fs.exists("memory/hako-dev/x/y"));
  EXPECT_TRUE(host.fs.exists("pids/hako-dev/x/y"));
  EXPECT_EQ(m->paths()[0], (CgroupDir{"memory", host.fs.path("memory/hako-dev/x/y"), 3}));
  ASSERT_TRUE(m->destroy());
  EXPECT_FALSE(host.fs.exists("memory/hako-dev/x/y"));
  EXPECT_FALSE(host.fs.exists("pids/hako-dev/x/y"));
  EXPECT_TRUE(host.fs.exists("memory/hako-dev/x"));  // parents stay, as runc leaves them
  EXPECT_TRUE(m->destroy());                         // idempotent
}

TEST(ManagerLifecycle, DestroyKeepsParentsThatWereThereOrAreInUse) {
  BareHost host;
  host.fs.dir("memory/machine");
  host.fs.dir("pids/machine");
  host.fs.dir("memory/hako/other");  // another container under the default parent
  auto a = Manager::create(host.layout, *parse_cgroup_path("/machine/a", "a"), oci::Resources{});
  auto b = Manager::create(host.layout, *parse_cgroup_path("", "b"), oci::Resources{});
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->paths()[0].created_levels, 1);
  EXPECT_EQ(b->paths()[0].created_levels, 2);  // /hako existed in memory, but is hako's
  ASSERT_TRUE(a->destroy());
  ASSERT_TRUE(b->destroy());
  EXPECT_TRUE(host.fs.exists("memory/machine"));
  EXPECT_FALSE(host.fs.exists("memory/machine/a"));
  EXPECT_TRUE(host.fs.exists("memory/hako/other"));
  EXPECT_FALSE(host.fs.exists("memory/hako/b"));
  EXPECT_FALSE(host.fs.exists("pids/hako/b"));
  EXPECT_TRUE(host.fs.exists("pids/hako"));  // the default parent stays, as Docker's /docker
}

TEST(ManagerLifecycle, RelativePathIsUnderTheCallersCgroup) {
  BareHost host;
  auto m = Manager::create(host.layout, *parse_cgroup_path("ctr/c1", "c1"), oci::Resources{});
  ASSERT_TRUE(m) << m.error().message();
  EXPECT_EQ(m->paths()[1].path, host.fs.path("pids/user.slice/ctr/c1"));
  EXPECT_EQ(m->paths()[1].created_levels, 3);  // user.slice did not exist in the fake
}

TEST(ManagerLifecycle, FailedCreateRemovesWhatItMade) {
  BareHost host;
  oci::Resources r;
  r.pids_limit = 5;  // pids.max does not exist in a bare tree
  auto m = Manager::create(host.layout, *parse_cgroup_path("/hako-dev/x", "c1"), r);
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().code(), ErrorCode::kNotImplemented);
  EXPECT_NE(m.error().message().find("linux.resources.pids.limit: this kernel offers no pids.max"),
            std::string::npos);
  EXPECT_FALSE(host.fs.exists("memory/hako-dev"));
  EXPECT_FALSE(host.fs.exists("pids/hako-dev"));
}

TEST(ManagerLifecycle, FailureHalfwayThroughAWalkRemovesItsDirectories) {
  BareHost host;
  // A cpuset hierarchy whose new directories show no cpuset files: populating them fails.
  host.layout.hierarchies.push_back(host.fs.v1("cpuset", {"cpuset"}));
  host.fs.file("cpuset/cpuset.cpus", "0-3\n");
  host.fs.file("cpuset/cpuset.mems", "0\n");
  auto m = Manager::create(host.layout, *parse_cgroup_path("/hako-dev/x", "c1"), oci::Resources{});
  ASSERT_FALSE(m);
  EXPECT_NE(m.error().message().find("create cgroup " + host.fs.path("cpuset/hako-dev/x")),
            std::string::npos)
      << m.error().message();
  for (const char* h : {"memory", "pids", "cpuset"})
    EXPECT_FALSE(host.fs.exists(std::string(h) + "/hako-dev")) << h;
}

TEST(ManagerLifecycle, FailedCreateKeepsAPreexistingLeaf) {
  BareHost host;
  host.fs.dir("pids/shared");
  host.fs.dir("memory/shared");
  oci::Resources r;
  r.pids_limit = 5;
  ASSERT_FALSE(Manager::create(host.layout, *parse_cgroup_path("/shared", "c1"), r));
  EXPECT_TRUE(host.fs.exists("pids/shared"));
}

TEST(ManagerLifecycle, AddProcessWritesEveryHierarchy) {
  BareHost host;
  host.fs.files("memory/hako/c1", {"cgroup.procs"});
  host.fs.files("pids/hako/c1", {"cgroup.procs"});
  auto m = Manager::create(host.layout, *parse_cgroup_path("", "c1"), oci::Resources{});
  ASSERT_TRUE(m);
  ASSERT_TRUE(m->add_process(4242));
  EXPECT_EQ(host.fs.read("memory/hako/c1/cgroup.procs"), "4242\n");
  EXPECT_EQ(host.fs.read("pids/hako/c1/cgroup.procs"), "4242\n");
}

TEST(ManagerLifecycle, JoinFromChildWritesZeroToEveryV1Tasks) {
  BareHost host;
  host.layout.mode = Mode::kHybrid;
  host.layout.hierarchies.push_back(host.fs.v2("unified"));
  for (const char* d : {"memory/hako/c1", "pids/hako/c1"})
    host.fs.files(d, {"tasks", "cgroup.procs"});
  host.fs.files("unified/hako/c1", {"cgroup.procs"});
  CreateOptions o;
  o.skip_devices = true;  // no v1 devices hierarchy here, and the eBPF program needs a real cgroup2
  auto m = Manager::create(host.layout, *parse_cgroup_path("", "c1"), oci::Resources{}, o);
  ASSERT_TRUE(m) << m.error().message();
  EXPECT_EQ(m->join_from_child(), 0);
  EXPECT_EQ(host.fs.read("memory/hako/c1/tasks"), "0\n");
  EXPECT_EQ(host.fs.read("pids/hako/c1/tasks"), "0\n");
  EXPECT_EQ(host.fs.read("unified/hako/c1/cgroup.procs"), "");  // CLONE_INTO_CGROUP's job
  EXPECT_GE(m->clone_into_fd(), 0);
  ASSERT_TRUE(sys::remove_all(host.fs.path("pids/hako/c1/tasks")));
  EXPECT_EQ(m->join_from_child(), ENOENT);
}

TEST(ManagerLifecycle, LoadAndListProcessesRecursively) {
  BareHost host;
  host.fs.file("memory/hako/c1/cgroup.procs", "30\n10\n");
  host.fs.file("memory/hako/c1/sub/cgroup.procs", "20\n");
  host.fs.file("pids/hako/c1/cgroup.procs", "10\n30\n");
  std::vector<CgroupDir> stored = {{"memory", host.fs.path("memory/hako/c1"), 2},
                                   {"pids", host.fs.path("pids/hako/c1"), 2}};
  auto m = Manager::load(stored);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->paths(), stored);
  auto pids = m->pids();
  ASSERT_TRUE(pids) << pids.error().message();
  EXPECT_EQ(*pids, (std::vector<pid_t>{10, 20, 30}));
}

TEST(ManagerLifecycle, LoadOfAGoneCgroupDestroysFine) {
  BareHost host;
  auto m = Manager::load({{"memory", host.fs.path("memory/hako/gone"), 2}});
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->pids()->empty());
  EXPECT_TRUE(m->destroy());
  EXPECT_FALSE(m->add_process(1));
  EXPECT_FALSE(Manager::load({{"memory", "relative/path", 0}}));
}

TEST(ManagerLifecycle, DestroyKillsWhatIsLeftAndGivesUpAtTheDeadline) {
  BareHost host;
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::pause();
    ::_exit(0);
  }
  // The fake cgroup.procs never empties, so destroy kills, retries, then reports the deadline.
  host.fs.file("memory/hako/c1/cgroup.procs", std::to_string(child) + "\n");
  auto m = Manager::load({{"memory", host.fs.path("memory/hako/c1"), 2}});
  ASSERT_TRUE(m);
  auto s = m->destroy(std::chrono::milliseconds(50));
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code(), ErrorCode::kUnavailable);
  EXPECT_NE(s.error().message().find("still holds 1 process"), std::string::npos)
      << s.error().message();
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(WTERMSIG(status), SIGKILL);
}

TEST(ManagerLifecycle, DestroyRefusesAHierarchyRoot) {
  BareHost host;
  host.fs.file("memory/cgroup.sane_behavior");
  auto m = Manager::load({{"memory", host.fs.path("memory"), 0}});
  ASSERT_TRUE(m);
  auto s = m->destroy();
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message().find("root of a cgroup hierarchy"), std::string::npos);
  EXPECT_TRUE(host.fs.exists("memory/cgroup.sane_behavior"));
}

}  // namespace
}  // namespace hako::cgroup
