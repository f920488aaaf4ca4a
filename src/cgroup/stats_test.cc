// read_stats and OomWatch against fake v1, v2 and hybrid trees.
#include "cgroup/stats.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <unistd.h>

#include <limits>

#include "base/strings.h"
#include "cgroup/fake_cgroupfs.h"
#include "sys/file.h"

namespace hako::cgroup {
namespace {

constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();

void write_v1(FakeCgroupFs& fs) {
  fs.file("cpuacct/c/cpuacct.usage", "5000\n");
  fs.file("cpuacct/c/cpuacct.usage_percpu", "3000 2000 \n");
  fs.file("cpuacct/c/cpuacct.stat", "user 3\nsystem 2\n");
  fs.file("cpuacct/c/cpuacct.usage_all", "cpu user system\n0 2500 500\n1 1500 500\n");
  fs.file("cpu/c/cpu.stat", "nr_periods 10\nnr_throttled 4\nthrottled_time 777\n");
  fs.file("memory/c/memory.stat", "cache 4096\nrss 8192\ntotal_cache 4096\n");
  fs.file("memory/c/memory.usage_in_bytes", "12288\n");
  fs.file("memory/c/memory.max_usage_in_bytes", "20000\n");
  fs.file("memory/c/memory.failcnt", "3\n");
  fs.file("memory/c/memory.limit_in_bytes", "9223372036854771712\n");
  fs.file("memory/c/memory.memsw.usage_in_bytes", "13000\n");
  fs.file("memory/c/memory.memsw.limit_in_bytes", "1048576\n");
  fs.file("memory/c/memory.kmem.usage_in_bytes", "100\n");
  fs.file("pids/c/pids.current", "2\n");
  fs.file("pids/c/pids.max", "max\n");
  fs.file("blkio/c/blkio.throttle.io_service_bytes_recursive",
          "8:0 Read 4096\n8:0 Write 8192\n8:0 Total 12288\nTotal 12288\n");
  fs.file("blkio/c/blkio.throttle.io_serviced_recursive", "8:0 Read 1\n8:0 Write 2\nTotal 3\n");
  fs.file("blkio/c/blkio.io_service_bytes_recursive", "Total 0\n");
}

std::vector<CgroupDir> v1_dirs(FakeCgroupFs& fs) {
  std::vector<CgroupDir> dirs;
  for (const char* h : {"cpu", "cpuacct", "memory", "pids", "blkio"})
    dirs.push_back({h, fs.path(std::string(h) + "/c"), 1});
  return dirs;
}

TEST(Stats, ReadsV1Files) {
  FakeCgroupFs fs;
  write_v1(fs);
  auto s = read_stats(v1_dirs(fs));
  ASSERT_TRUE(s) << s.error().message();
  EXPECT_EQ(s->cpu.total, 5000u);
  EXPECT_EQ(s->cpu.percpu, (std::vector<uint64_t>{3000, 2000}));
  EXPECT_EQ(s->cpu.percpu_user, (std::vector<uint64_t>{2500, 1500}));
  EXPECT_EQ(s->cpu.percpu_kernel, (std::vector<uint64_t>{500, 500}));
  uint64_t tick = 1000000000ull / static_cast<uint64_t>(::sysconf(_SC_CLK_TCK));
  EXPECT_EQ(s->cpu.user, 3 * tick);
  EXPECT_EQ(s->cpu.kernel, 2 * tick);
  EXPECT_EQ(s->cpu.periods, 10u);
  EXPECT_EQ(s->cpu.throttled_periods, 4u);
  EXPECT_EQ(s->cpu.throttled_time, 777u);
  EXPECT_EQ(s->memory.cache, 4096u);
  EXPECT_EQ(s->memory.raw.at("rss"), 8192u);
  EXPECT_EQ(s->memory.usage.usage, 12288u);
  EXPECT_EQ(s->memory.usage.max, 20000u);
  EXPECT_EQ(s->memory.usage.failcnt, 3u);
  EXPECT_EQ(s->memory.usage.limit, 9223372036854771712u);
  EXPECT_EQ(s->memory.swap.usage, 13000u);
  EXPECT_EQ(s->memory.swap.limit, 1048576u);
  EXPECT_EQ(s->memory.kernel.usage, 100u);
  EXPECT_EQ(s->pids.current, 2u);
  EXPECT_EQ(s->pids.limit, 0u);  // "max"
  // CFQ's file holds only the total: the throttle layer's counts are used.
  EXPECT_EQ(s->blkio.service_bytes,
            (std::vector<BlkioEntry>{
                {8, 0, "Read", 4096}, {8, 0, "Write", 8192}, {8, 0, "Total", 12288}}));
  EXPECT_EQ(s->blkio.serviced, (std::vector<BlkioEntry>{{8, 0, "Read", 1}, {8, 0, "Write", 2}}));
  EXPECT_TRUE(s->hugetlb.empty());
}

void write_v2(FakeCgroupFs& fs) {
  fs.file("u/c/cpu.stat",
          "usage_usec 7\nuser_usec 5\nsystem_usec 2\nnr_periods 9\nnr_throttled 1\n"
          "throttled_usec 3\n");
  fs.file("u/c/memory.current", "1000\n");
  fs.file("u/c/memory.max", "4000\n");
  fs.file("u/c/memory.peak", "1500\n");
  fs.file("u/c/memory.events", "low 0\nhigh 0\nmax 6\noom 1\noom_kill 1\n");
  fs.file("u/c/memory.stat", "anon 600\nfile 400\n");
  fs.file("u/c/memory.swap.current", "10\n");
  fs.file("u/c/memory.swap.max", "max\n");
  fs.file("u/c/pids.current", "3\n");
  fs.file("u/c/pids.max", "64\n");
  fs.file("u/c/io.stat", "8:16 rbytes=100 wbytes=200 rios=1 wios=2 dbytes=0 dios=0\n");
  fs.file("u/c/hugetlb.2MB.current", "2097152\n");
  fs.file("u/c/hugetlb.2MB.events", "max 2\n");
  fs.file("u/c/hugetlb.2MB.rsvd.current", "0\n");
  fs.file("u/c/hugetlb.1GB.current", "0\n");
}

TEST(Stats, ReadsV2Files) {
  FakeCgroupFs fs;
  write_v2(fs);
  auto s = read_stats({{"", fs.path("u/c"), 1}});
  ASSERT_TRUE(s) << s.error().message();
  EXPECT_EQ(s->cpu.total, 7000u);
  EXPECT_EQ(s->cpu.user, 5000u);
  EXPECT_EQ(s->cpu.kernel, 2000u);
  EXPECT_EQ(s->cpu.periods, 9u);
  EXPECT_EQ(s->cpu.throttled_periods, 1u);
  EXPECT_EQ(s->cpu.throttled_time, 3000u);
  EXPECT_TRUE(s->cpu.percpu.empty());
  EXPECT_EQ(s->memory.usage.usage, 1000u);
  EXPECT_EQ(s->memory.usage.limit, 4000u);
  EXPECT_EQ(s->memory.usage.max, 1500u);
  EXPECT_EQ(s->memory.usage.failcnt, 6u);
  EXPECT_EQ(s->memory.cache, 400u);
  EXPECT_EQ(s->memory.raw.at("anon"), 600u);
  // Swap as v1 reports it: memory + swap; no limit stays "max".
  EXPECT_EQ(s->memory.swap.usage, 1010u);
  EXPECT_EQ(s->memory.swap.limit, kMax);
  EXPECT_EQ(s->pids.current, 3u);
  EXPECT_EQ(s->pids.limit, 64u);
  EXPECT_EQ(s->blkio.service_bytes,
            (std::vector<BlkioEntry>{
                {8, 16, "Read", 100}, {8, 16, "Write", 200}, {8, 16, "Discard", 0}}));
  EXPECT_EQ(
      s->blkio.serviced,
      (std::vector<BlkioEntry>{{8, 16, "Read", 1}, {8, 16, "Write", 2}, {8, 16, "Discard", 0}}));
  ASSERT_EQ(s->hugetlb.size(), 2u);  // rsvd.current is not a page size
  EXPECT_EQ(s->hugetlb.at("2MB").usage, 2097152u);
  EXPECT_EQ(s->hugetlb.at("2MB").failcnt, 2u);
  EXPECT_EQ(s->hugetlb.at("1GB").usage, 0u);
}

TEST(Stats, HybridTakesHugetlbFromCgroup2AndTheRestFromV1) {
  FakeCgroupFs fs;
  write_v1(fs);
  fs.file("u/c/hugetlb.2MB.current", "4194304\n");
  // cgroup2 offers cpu.stat without the cpu controller: v1's values must win.
  fs.file("u/c/cpu.stat", "usage_usec 999999\n");
  auto dirs = v1_dirs(fs);
  dirs.push_back({"", fs.path("u/c"), 1});
  auto s = read_stats(dirs);
  ASSERT_TRUE(s) << s.error().message();
  EXPECT_EQ(s->cpu.total, 5000u);
  EXPECT_EQ(s->memory.usage.usage, 12288u);
  EXPECT_EQ(s->hugetlb.at("2MB").usage, 4194304u);
}

TEST(Stats, MissingFilesAreZeroAndAGoneCgroupIsAnError) {
  FakeCgroupFs fs;
  fs.dir("memory/c");
  auto s = read_stats({{"memory", fs.path("memory/c"), 1}});
  ASSERT_TRUE(s);
  EXPECT_EQ(s->memory.usage.usage, 0u);
  EXPECT_TRUE(s->memory.raw.empty());
  auto gone = read_stats({{"memory", fs.path("memory/nope"), 1}});
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code(), ErrorCode::kNotFound);
}

bool readable(int fd) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, 1000) == 1;
}

TEST(OomWatch, V2CountsNewOomKills) {
  FakeCgroupFs fs;
  fs.file("u/c/memory.events", "oom 1\noom_kill 1\n");
  auto w = OomWatch::open({{"", fs.path("u/c"), 1}});
  ASSERT_TRUE(w) << w.error().message();
  fs.file("u/c/memory.events", "oom 3\noom_kill 3\n");
  ASSERT_TRUE(readable(w->fd()));
  auto n = w->consume();
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 2u);  // the kill before the watch started is not reported
  fs.file("u/c/memory.events", "oom 3\noom_kill 3\n");
  ASSERT_TRUE(readable(w->fd()));
  EXPECT_EQ(*w->consume(), 0u);
}

TEST(OomWatch, V1RegistersAnEventfdForOomControl) {
  FakeCgroupFs fs;
  fs.file("memory/c/memory.oom_control", "oom_kill_disable 0\n");
  fs.file("memory/c/cgroup.event_control");
  auto w = OomWatch::open({{"memory", fs.path("memory/c"), 1}});
  ASSERT_TRUE(w) << w.error().message();
  // "<eventfd> <fd of memory.oom_control>", as the kernel's cgroup.event_control wants it.
  auto fields = split(trim(fs.read("memory/c/cgroup.event_control")), ' ');
  ASSERT_EQ(fields.size(), 2u);
  EXPECT_EQ(fields[0], std::to_string(w->fd()));
  auto target = sys::read_file("/proc/self/fdinfo/" + fields[1]);
  EXPECT_TRUE(target);
  char link[256] = {};
  ASSERT_GT(::readlink(("/proc/self/fd/" + fields[1]).c_str(), link, sizeof link - 1), 0);
  EXPECT_EQ(std::string(link), fs.path("memory/c/memory.oom_control"));
}

TEST(OomWatch, NoMemoryControllerIsNotImplemented) {
  FakeCgroupFs fs;
  fs.dir("pids/c");
  auto w = OomWatch::open({{"pids", fs.path("pids/c"), 1}});
  ASSERT_FALSE(w);
  EXPECT_EQ(w.error().code(), ErrorCode::kNotImplemented);
}

}  // namespace
}  // namespace hako::cgroup
