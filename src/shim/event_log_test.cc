#include "shim/event_log.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "shim/container_events.h"
#include "shim/shim_config.h"
#include "sys/file.h"

namespace hako::shim {
namespace {

class EventDir {
 public:
  EventDir() {
    char tmpl[] = "/tmp/hako-events-XXXXXX";
    path_ = ::mkdtemp(tmpl);
  }
  ~EventDir() { (void)sys::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::vector<json::Value> read_lines(const std::string& path) {
  std::vector<json::Value> out;
  auto text = sys::read_file(path);
  if (!text) return out;
  std::istringstream in(*text);
  for (std::string line; std::getline(in, line);) {
    auto v = json::parse(line, "line");
    EXPECT_TRUE(v.has_value()) << "not whole JSON: " << line.substr(0, 80);
    if (v) out.push_back(*v);
  }
  EXPECT_TRUE(text->empty() || text->back() == '\n');
  return out;
}

TEST(EventLog, MessageHasDockersShape) {
  json::Value ev = make_event("container", "start", "abc", {{"image", "busybox"}, {"name", "web"}},
                              1'700'000'000'123'456'789);
  EXPECT_EQ(ev["status"], "start");
  EXPECT_EQ(ev["id"], "abc");
  EXPECT_EQ(ev["from"], "busybox");
  EXPECT_EQ(ev["Type"], "container");
  EXPECT_EQ(ev["Action"], "start");
  EXPECT_EQ(ev["Actor"]["ID"], "abc");
  EXPECT_EQ(ev["Actor"]["Attributes"]["name"], "web");
  EXPECT_EQ(ev["scope"], "local");
  EXPECT_EQ(ev["time"], 1'700'000'000);
  EXPECT_EQ(ev["timeNano"], 1'700'000'000'123'456'789);

  json::Value vol = make_event("volume", "create", "data", {{"driver", "local"}}, 1);
  EXPECT_FALSE(vol.contains("status"));
  EXPECT_FALSE(vol.contains("id"));
  EXPECT_FALSE(vol.contains("from"));
  json::Value img = make_event("image", "tag", "sha256:x", {{"name", "a:b"}}, 1);
  EXPECT_EQ(img["id"], "sha256:x");
  EXPECT_FALSE(img.contains("from"));
}

TEST(EventLog, AppendsOneLinePerEvent) {
  EventDir d;
  ASSERT_TRUE(append_event(d.path(), container_event("create", "a", {{"name", "x"}})));
  ASSERT_TRUE(append_event(d.path(), container_event("start", "a", {{"name", "x\xff"}})));
  auto lines = read_lines(event_log_path(d.path()));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["Action"], "create");
  EXPECT_EQ(lines[1]["Action"], "start");
  EXPECT_LE(lines[0]["timeNano"].get<int64_t>(), lines[1]["timeNano"].get<int64_t>());
}

TEST(EventLog, ConcurrentAppendersFromProcessesNeverInterleave) {
  EventDir d;
  constexpr int kProcs = 6, kEach = 60;
  // Lines well over PIPE_BUF and the page size: O_APPEND alone would not keep them whole.
  std::string big(20000, 'v');
  std::vector<pid_t> kids;
  for (int p = 0; p < kProcs; ++p) {
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      for (int i = 0; i < kEach; ++i) {
        auto s = append_event(
            d.path(),
            container_event("start", std::to_string(p), {{"seq", std::to_string(i)}, {"big", big}}),
            0);
        if (!s) ::_exit(1);
      }
      ::_exit(0);
    }
    kids.push_back(pid);
  }
  for (pid_t pid : kids) {
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  auto lines = read_lines(event_log_path(d.path()));
  ASSERT_EQ(lines.size(), size_t{kProcs * kEach});
  // Each process's events are whole and in its own order.
  std::map<std::string, int> next;
  for (const auto& ev : lines) {
    std::string who = ev["Actor"]["ID"];
    EXPECT_EQ(ev["Actor"]["Attributes"]["big"].get<std::string>().size(), big.size());
    EXPECT_EQ(ev["Actor"]["Attributes"]["seq"], std::to_string(next[who]++));
  }
}

TEST(EventLog, RotatesToOneOldFile) {
  EventDir d;
  constexpr int64_t kMax = 4096;
  for (int i = 0; i < 200; ++i)
    ASSERT_TRUE(
        append_event(d.path(), container_event("start", "c", {{"seq", std::to_string(i)}}), kMax));
  auto cur = read_lines(event_log_path(d.path()));
  auto old = read_lines(rotated_event_log_path(d.path()));
  ASSERT_FALSE(cur.empty());
  ASSERT_FALSE(old.empty());
  EXPECT_FALSE(sys::exists(d.path() + "/events.log.2"));
  auto size = [](const std::string& p) { return sys::read_file(p)->size(); };
  EXPECT_LE(size(event_log_path(d.path())), size_t{kMax});
  EXPECT_LE(size(rotated_event_log_path(d.path())), size_t{kMax});
  // The newest events are kept, in order across the two files.
  EXPECT_EQ(cur.back()["Actor"]["Attributes"]["seq"], "199");
  int first_cur = std::stoi(cur.front()["Actor"]["Attributes"]["seq"].get<std::string>());
  int last_old = std::stoi(old.back()["Actor"]["Attributes"]["seq"].get<std::string>());
  EXPECT_EQ(last_old + 1, first_cur);
}

TEST(ContainerEvents, ExecActionIsDockersCommandLine) {
  EXPECT_EQ(exec_action("exec_create", {"sh", "-c", "echo hi"}), "exec_create: sh -c echo hi");
  // dockerd joins entrypoint and arguments with a space even when there are none.
  EXPECT_EQ(exec_action("exec_start", {"ps"}), "exec_start: ps ");
}

TEST(ContainerEvents, VolumeMountsRoundTripAndRecordDockersAttributes) {
  EventDir d;
  ShimConfig c;
  c.id = "c1";
  c.bundle = c.run_dir = c.runtime_root = "/x";
  c.root = d.path();
  c.volume_mounts = {{"data", "/data", true}, {"conf", "/etc/app", false}};
  auto back = parse_shim_config(shim_config_json(c).dump());
  ASSERT_TRUE(back.has_value()) << back.error().message();
  ASSERT_EQ(back->volume_mounts.size(), 2u);
  EXPECT_EQ(back->volume_mounts[1].name, "conf");
  EXPECT_EQ(back->volume_mounts[1].destination, "/etc/app");
  EXPECT_FALSE(back->volume_mounts[1].rw);
  EXPECT_FALSE(shim_config_json(ShimConfig{}).contains("volume_mounts"));

  Logger log;
  record_volume_events(*back, "mount", log);
  record_volume_events(*back, "unmount", log);
  auto lines = read_lines(event_log_path(d.path()));
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0]["Type"], "volume");
  EXPECT_EQ(lines[0]["Action"], "mount");
  EXPECT_EQ(lines[0]["Actor"]["ID"], "data");
  EXPECT_EQ(lines[0]["Actor"]["Attributes"]["container"], "c1");
  EXPECT_EQ(lines[0]["Actor"]["Attributes"]["destination"], "/data");
  EXPECT_EQ(lines[0]["Actor"]["Attributes"]["read/write"], "true");
  EXPECT_EQ(lines[1]["Actor"]["Attributes"]["read/write"], "false");
  EXPECT_FALSE(lines[0].contains("status"));  // not a container or image event
  EXPECT_EQ(lines[3]["Action"], "unmount");
  EXPECT_EQ(lines[3]["Actor"]["ID"], "conf");
  EXPECT_FALSE(lines[3]["Actor"]["Attributes"].contains("destination"));
}

}  // namespace
}  // namespace hako::shim
