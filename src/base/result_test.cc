#include "base/result.h"

#include <fcntl.h>
#include <gtest/gtest.h>

#include "base/scope_exit.h"
#include "base/unique_fd.h"

namespace hako {
namespace {

Result<int> parse_positive(int v) {
  if (v <= 0) return invalid_argument("expected a positive number");
  return v;
}

Result<int> doubled(int v) {
  HAKO_TRY_ASSIGN(int x, parse_positive(v));
  return x * 2;
}

Status chained(int v) {
  HAKO_TRY_CTX(parse_positive(v), "check value");
  return ok();
}

TEST(Result, PropagatesValueAndError) {
  EXPECT_EQ(*doubled(4), 8);
  auto r = doubled(-1);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
}

TEST(Result, ContextPrefixesTheMessage) {
  auto s = chained(0);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().message(), "check value: expected a positive number");
}

TEST(Error, FromErrnoIsLowerCaseAndCategorised) {
  Error e = Error::from_errno(ENOENT, "open /nope");
  EXPECT_EQ(e.message(), "open /nope: no such file or directory");
  EXPECT_EQ(e.code(), ErrorCode::kNotFound);
  EXPECT_EQ(e.sys_errno(), ENOENT);
  EXPECT_EQ(Error::from_errno(EPERM, "x").code(), ErrorCode::kPermissionDenied);
}

TEST(ScopeExit, RunsUnlessDismissed) {
  int runs = 0;
  {
    ScopeExit g([&] { ++runs; });
  }
  {
    ScopeExit g([&] { ++runs; });
    g.dismiss();
  }
  EXPECT_EQ(runs, 1);
}

TEST(UniqueFd, ClosesOnceAndMoves) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  {
    UniqueFd a(fds[0]);
    UniqueFd b(std::move(a));
    EXPECT_FALSE(a.valid());
    EXPECT_EQ(b.get(), fds[0]);
  }
  EXPECT_EQ(fcntl(fds[0], F_GETFD), -1);
  ::close(fds[1]);
}

}  // namespace
}  // namespace hako
