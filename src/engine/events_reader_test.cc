#include "engine/events_reader.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>
#include <vector>

#include "shim/event_log.h"
#include "sys/file.h"

namespace hako::engine {
namespace {

class EventDir {
 public:
  EventDir() {
    char tmpl[] = "/tmp/hako-evread-XXXXXX";
    path_ = ::mkdtemp(tmpl);
  }
  ~EventDir() { (void)sys::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

constexpr int64_t kSec = 1'000'000'000;

void add(const std::string& root, const std::string& action, int64_t t, int64_t max = 0) {
  auto ev = shim::make_event("container", action, "c1", {{"name", "web"}, {"image", "busybox"}}, t);
  ASSERT_TRUE(shim::append_event(root, ev, max));
}

std::vector<std::string> actions(const std::string& root, EventQuery q, int64_t now) {
  std::vector<std::string> out;
  Status s = read_events(root, q, now, [&](const json::Value& ev) {
    out.push_back(ev["Action"]);
    return ok();
  });
  EXPECT_TRUE(s.has_value()) << (s ? "" : s.error().message());
  return out;
}

TEST(EventsReader, PastWindowAcrossRotation) {
  EventDir d;
  // A small bound: the first events end up in events.log.1.
  for (int i = 0; i < 40; ++i) add(d.path(), "e" + std::to_string(i), (100 + i) * kSec, 2048);
  ASSERT_TRUE(sys::exists(shim::rotated_event_log_path(d.path())));
  EventQuery all;
  all.since_ns = 0;
  all.until_ns = 1000 * kSec;
  auto got = actions(d.path(), all, 2000 * kSec);
  ASSERT_FALSE(got.empty());
  EXPECT_EQ(got.back(), "e39");
  for (size_t i = 1; i < got.size(); ++i)
    EXPECT_EQ(std::stoi(got[i].substr(1)), std::stoi(got[i - 1].substr(1)) + 1);

  EventQuery window;
  window.since_ns = 130 * kSec;
  window.until_ns = 132 * kSec;
  EXPECT_EQ(actions(d.path(), window, 2000 * kSec),
            (std::vector<std::string>{"e30", "e31", "e32"}));
}

TEST(EventsReader, FiltersAndSkipsBrokenLines) {
  EventDir d;
  add(d.path(), "create", 10 * kSec);
  int fd = ::open(shim::event_log_path(d.path()).c_str(), O_WRONLY | O_APPEND);
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(sys::write_all(fd, "{\"Type\":\"conta\n", "test"));
  ::close(fd);
  add(d.path(), "start", 11 * kSec);
  EventQuery q;
  q.until_ns = 20 * kSec;
  auto f = EventFilter::parse({"event=start"});
  ASSERT_TRUE(f.has_value());
  q.filter = *f;
  EXPECT_EQ(actions(d.path(), q, 30 * kSec), (std::vector<std::string>{"start"}));
}

TEST(EventsReader, FollowSeesNewEventsAndRotation) {
  EventDir d;
  int64_t now = shim::event_now_ns();
  add(d.path(), "old", now - kSec);
  EventQuery q;  // a window from now on: "old" is out
  q.since_ns = now;
  q.until_ns = now + 3 * kSec;
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    for (int i = 0; i < 30; ++i) {
      auto ev = shim::container_event("n" + std::to_string(i), "c1", {});
      if (!shim::append_event(d.path(), ev, 1024)) ::_exit(1);
      if (i % 10 == 9) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ::_exit(0);
  }
  std::vector<std::string> got;
  Status s = read_events(d.path(), q, now, [&](const json::Value& ev) -> Status {
    got.push_back(ev["Action"]);
    // Done once the last one arrives: end the follow early.
    if (got.size() == 30) return Error(ErrorCode::kUnavailable, "enough");
    return ok();
  });
  int status = 0;
  ::waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  ASSERT_FALSE(s.has_value()) << got.size();
  EXPECT_EQ(s.error().message(), "enough");
  ASSERT_EQ(got.size(), 30u);
  for (int i = 0; i < 30; ++i) EXPECT_EQ(got[i], "n" + std::to_string(i));
}

TEST(EventsReader, DefaultLine) {
  setenv("TZ", "UTC", 1);
  tzset();
  auto ev = shim::make_event("container", "start", "abc", {{"name", "web"}, {"image", "busybox"}},
                             1'700'000'000'123'456'789);
  EXPECT_EQ(format_event_line(ev),
            "2023-11-14T22:13:20.123456789Z container start abc (image=busybox, name=web)");
  json::Value t = event_template_value(ev);
  EXPECT_EQ(t["Status"], "start");
  EXPECT_EQ(t["From"], "busybox");
  EXPECT_EQ(t["Actor"]["Attributes"]["name"], "web");
}

}  // namespace
}  // namespace hako::engine
