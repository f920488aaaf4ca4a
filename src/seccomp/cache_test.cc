#include "seccomp/cache.h"

#include <dirent.h>
#include <sys/stat.h>

#include <chrono>
#include <iostream>

#include <gtest/gtest.h>

#include "seccomp/test_fixtures.h"

namespace hako::seccomp {
namespace {

using testing::TempDir;

// The one entry file in dir ("" if there is not exactly one).
std::string only_entry(const std::string& dir) {
  std::string found;
  int count = 0;
  if (DIR* d = ::opendir(dir.c_str())) {
    while (dirent* e = ::readdir(d)) {
      std::string name = e->d_name;
      if (name == "." || name == "..") continue;
      found = dir + "/" + name;
      ++count;
    }
    ::closedir(d);
  }
  return count == 1 ? found : std::string();
}

TEST(Cache, MissThenHitReturnsTheSameFilter) {
  TempDir dir;
  oci::Seccomp p = testing::docker_default();
  auto direct = compile(p);
  ASSERT_TRUE(direct) << direct.error().message();

  auto miss = compile_cached(p, dir.path() + "/cache");
  ASSERT_TRUE(miss) << miss.error().message();
  EXPECT_EQ(*miss, *direct);
  std::string entry = only_entry(dir.path() + "/cache");
  ASSERT_FALSE(entry.empty());
  struct stat st {};
  ASSERT_EQ(::stat(entry.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  auto hit = compile_cached(p, dir.path() + "/cache");
  ASSERT_TRUE(hit) << hit.error().message();
  EXPECT_EQ(*hit, *direct);
}

TEST(Cache, HitTiming) {
  TempDir dir;
  oci::Seccomp p = testing::docker_default();
  using Clock = std::chrono::steady_clock;
  auto t0 = Clock::now();
  auto first = compile_cached(p, dir.path());
  auto t1 = Clock::now();
  ASSERT_TRUE(first);
  constexpr int kRounds = 2000;
  for (int i = 0; i < kRounds; ++i) ASSERT_TRUE(compile_cached(p, dir.path()));
  auto t2 = Clock::now();
  std::string key;
  for (int i = 0; i < kRounds; ++i) key = canonical_key(p);
  auto t3 = Clock::now();
  std::string text = testing::docker_default_text();
  ProfileContext ctx = testing::docker_context();
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(parse_profile(text, ctx));
  auto t4 = Clock::now();
  using us = std::chrono::duration<double, std::micro>;
  std::cout << "[ info ] docker default: miss (compile + write) " << us(t1 - t0).count()
            << " us, hit " << us(t2 - t1).count() / kRounds << " us (of which key "
            << us(t3 - t2).count() / kRounds << " us, " << key.size() << " bytes), program "
            << first->program.size() << " bytes; parse_profile (engine side) "
            << us(t4 - t3).count() / 100 << " us\n";
}

TEST(Cache, CorruptEntriesAreRecompiledAndRewritten) {
  TempDir dir;
  oci::Seccomp p = testing::docker_default();
  auto good = compile_cached(p, dir.path());
  ASSERT_TRUE(good);
  std::string entry = only_entry(dir.path());
  auto original = sys::read_file(entry);
  ASSERT_TRUE(original);

  std::vector<std::string> damaged = {
      "",                                         // empty
      original->substr(0, original->size() / 2),  // truncated
      original->substr(0, original->size() - 1),  // checksum cut
      *original + "x",                            // trailing junk
      "not a cache entry at all, just text....",  // foreign
  };
  std::string flipped = *original;
  flipped[original->size() - 100] ^= 0x01;  // one bit in the program
  damaged.push_back(flipped);
  for (size_t i = 0; i < damaged.size(); ++i) {
    SCOPED_TRACE(i);
    ASSERT_TRUE(sys::write_file_atomic(entry, damaged[i], 0600));
    auto again = compile_cached(p, dir.path());
    ASSERT_TRUE(again) << again.error().message();
    EXPECT_EQ(*again, *good);
    EXPECT_EQ(*sys::read_file(entry), *original);  // rewritten
  }
}

TEST(Cache, WritableByOthersIsNotTrusted) {
  TempDir dir;
  oci::Seccomp p = testing::docker_default();
  ASSERT_TRUE(compile_cached(p, dir.path()));
  std::string entry = only_entry(dir.path());
  ASSERT_EQ(::chmod(entry.c_str(), 0666), 0);
  ASSERT_TRUE(compile_cached(p, dir.path()));
  struct stat st {};
  ASSERT_EQ(::stat(entry.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);  // replaced by a fresh entry
}

TEST(Cache, AnotherProfilesEntryUnderTheSameNameIsNeverUsed) {
  // Simulates a hash collision: profile B's file name holding profile A's entry.
  TempDir a_dir, b_dir;
  oci::Seccomp a = testing::docker_default();
  oci::Seccomp b = testing::docker_default(testing::docker_context({"CAP_SYS_ADMIN"}));
  ASSERT_TRUE(compile_cached(a, a_dir.path()));
  auto b_direct = compile(b);
  ASSERT_TRUE(b_direct);
  ASSERT_TRUE(compile_cached(b, b_dir.path()));
  std::string b_entry = only_entry(b_dir.path());
  auto a_bytes = sys::read_file(only_entry(a_dir.path()));
  ASSERT_TRUE(a_bytes);
  ASSERT_TRUE(sys::write_file_atomic(b_entry, *a_bytes, 0600));

  auto got = compile_cached(b, b_dir.path());
  ASSERT_TRUE(got);
  EXPECT_EQ(*got, *b_direct);
}

TEST(Cache, UnwritableCacheStillCompiles) {
  oci::Seccomp p = testing::docker_default();
  auto f = compile_cached(p, "/proc/hako-no-such-dir/cache");
  ASSERT_TRUE(f) << f.error().message();
  EXPECT_EQ(*f, *compile(p));
}

TEST(Cache, CompileErrorsAreReturnedAndNotCached) {
  TempDir dir;
  oci::Seccomp p;
  p.default_action = "SCMP_ACT_ALLOW";
  p.flags = {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"};
  auto f = compile_cached(p, dir.path());
  ASSERT_FALSE(f);
  EXPECT_EQ(f.error().code(), ErrorCode::kNotImplemented);
  EXPECT_EQ(only_entry(dir.path()), "");
}

TEST(Cache, KeyCoversEveryField) {
  oci::Seccomp base;
  base.default_action = "SCMP_ACT_ERRNO";
  oci::SeccompSyscall s;
  s.names = {"dup"};
  s.action = "SCMP_ACT_ALLOW";
  s.args = {{0, 1, 2, "SCMP_CMP_EQ"}};
  base.syscalls = {s};
  std::string key = canonical_key(base);
  EXPECT_EQ(canonical_key(base), key);

  std::vector<oci::Seccomp> variants(12, base);
  variants[0].default_errno_ret = 1;
  variants[1].architectures = {"SCMP_ARCH_X86"};
  variants[2].flags = {"SECCOMP_FILTER_FLAG_LOG"};
  variants[3].listener_path = "/x";
  variants[4].listener_metadata = "m";
  variants[5].syscalls[0].names = {"dup", "dup2"};
  variants[6].syscalls[0].action = "SCMP_ACT_LOG";
  variants[7].syscalls[0].errno_ret = 0;
  variants[8].syscalls[0].args[0].index = 1;
  variants[9].syscalls[0].args[0].value_two = 3;
  variants[10].syscalls[0].args[0].op = "SCMP_CMP_NE";
  variants[11].syscalls[0].names = {"du", "p"};  // same characters, different split
  for (size_t i = 0; i < variants.size(); ++i)
    EXPECT_NE(canonical_key(variants[i]), key) << "variant " << i;
}

}  // namespace
}  // namespace hako::seccomp
