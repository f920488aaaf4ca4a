// The vocabulary `features` reports: complete for what profiles accept, probed for the rest.
#include "seccomp/features.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "seccomp/names.h"

namespace hako::seccomp {
namespace {

bool has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

TEST(Vocabulary, ListsWhatProfilesAcceptAndWhatThisHostSupports) {
  Vocabulary v = vocabulary();
  EXPECT_EQ(v.actions.size(), action_names().size());
  EXPECT_EQ(v.operators.size(), 7u);
  for (const auto& a : v.actions) EXPECT_TRUE(find_action(a)) << a;
  for (const auto& a : v.archs) EXPECT_TRUE(find_arch(a)) << a;
  EXPECT_TRUE(std::is_sorted(v.archs.begin(), v.archs.end()));
#if defined(__x86_64__)
  EXPECT_TRUE(has(v.archs, "SCMP_ARCH_X86_64"));
  EXPECT_TRUE(has(v.archs, "SCMP_ARCH_S390X"));  // other byte order, own filter
#endif
  for (const auto& f : v.supported_flags) EXPECT_TRUE(has(v.known_flags, f)) << f;
  EXPECT_TRUE(has(v.known_flags, "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"));
  EXPECT_FALSE(has(v.supported_flags, "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"));
  EXPECT_TRUE(has(v.supported_flags, "SECCOMP_FILTER_FLAG_TSYNC"));
  EXPECT_FALSE(v.libseccomp_version.empty());
}

}  // namespace
}  // namespace hako::seccomp
