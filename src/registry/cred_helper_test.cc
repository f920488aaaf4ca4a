#include "registry/cred_helper.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <string>

#include "sys/file.h"

namespace hako::registry {
namespace {

// A fake docker-credential-fake on PATH, HOME and DOCKER_CONFIG in a temp dir: the test process
// only, restored afterwards.
class CredHelperTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/hako-credhelper-test.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    std::string script = dir_ + "/docker-credential-fake";
    ASSERT_TRUE(sys::write_file_atomic(script, R"(#!/bin/sh
read server
case "$server" in
  reg.example:5000) echo '{"ServerURL":"reg.example:5000","Username":"alice","Secret":"s3cret"}' ;;
  token.example) echo '{"ServerURL":"token.example","Username":"<token>","Secret":"refresh"}' ;;
  broken.example) echo "keychain locked"; exit 3 ;;
  *) echo "credentials not found in native keychain"; exit 1 ;;
esac
)",
                                       0755));
    // One entry kept in a file: store writes stdin there, get prints it, erase removes it.
    ASSERT_TRUE(sys::write_file_atomic(dir_ + "/docker-credential-rw", R"(#!/bin/sh
f="$(dirname "$0")/rw.json"
case "$1" in
  store) cat >"$f" ;;
  get) read server; [ -f "$f" ] && grep -q "\"$server\"" "$f" && cat "$f" && exit 0
       echo "credentials not found in native keychain"; exit 1 ;;
  erase) read server; [ -f "$f" ] && rm "$f" && exit 0
         echo "credentials not found in native keychain"; exit 1 ;;
esac
)",
                                       0755));
    for (const char* v : {"PATH", "HOME", "DOCKER_CONFIG"}) {
      const char* old = getenv(v);
      saved_.emplace_back(v, old ? std::optional<std::string>(old) : std::nullopt);
    }
    setenv("PATH", (dir_ + ":" + getenv("PATH")).c_str(), 1);
    setenv("HOME", dir_.c_str(), 1);
    setenv("DOCKER_CONFIG", (dir_ + "/docker").c_str(), 1);
  }
  void TearDown() override {
    for (const auto& [k, v] : saved_) v ? setenv(k.c_str(), v->c_str(), 1) : unsetenv(k.c_str());
    std::filesystem::remove_all(dir_);
  }
  std::string dir_;
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

TEST_F(CredHelperTest, FindsTheHelperForARegistry) {
  auto h = find_credential_helper(
      R"({"credHelpers": {"reg.example:5000": "fake"}, "credsStore": "store"})", "reg.example:5000",
      "auth.json");
  ASSERT_TRUE(h && *h);
  EXPECT_EQ(**h, "fake");
  auto store = find_credential_helper(R"({"credsStore": "store"})", "other.example", "auth.json");
  ASSERT_TRUE(store && *store);
  EXPECT_EQ(**store, "store");
  auto none = find_credential_helper(R"({"auths": {}})", "other.example", "auth.json");
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);
  // A path in the name would run another program: refused.
  auto bad = find_credential_helper(R"({"credsStore": "../../bin/sh"})", "x", "auth.json");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message().find("not a plain name"), std::string::npos);
}

TEST_F(CredHelperTest, GetAnswersFoundNoneTokenAndFailure) {
  auto c = helper_get("fake", "reg.example:5000");
  ASSERT_TRUE(c) << c.error().message();
  ASSERT_TRUE(*c);
  EXPECT_EQ((*c)->username, "alice");
  EXPECT_EQ((*c)->password, "s3cret");
  auto none = helper_get("fake", "nobody.example");
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);
  // "<token>": an identity token, not a user called so.
  auto token = helper_get("fake", "token.example");
  ASSERT_TRUE(token && *token);
  EXPECT_EQ((*token)->username, "");
  EXPECT_EQ((*token)->password, "");
  EXPECT_EQ((*token)->identity_token, "refresh");
  auto broken = helper_get("fake", "broken.example");
  ASSERT_FALSE(broken);
  EXPECT_NE(broken.error().message().find("keychain locked"), std::string::npos);
  auto missing = helper_get("nosuchhelper", "reg.example:5000");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message().find("docker-credential-nosuchhelper"), std::string::npos);
}

TEST_F(CredHelperTest, StoreGetEraseRoundTrip) {
  ASSERT_TRUE(helper_store("rw", "reg.example:5000", Credentials{"carol", "pw", ""}));
  auto text = sys::read_file(dir_ + "/rw.json", 4096);
  ASSERT_TRUE(text);
  EXPECT_NE(text->find(R"("Secret":"pw")"), std::string::npos) << *text;
  EXPECT_NE(text->find(R"("ServerURL":"reg.example:5000")"), std::string::npos) << *text;
  auto c = helper_get("rw", "reg.example:5000");
  ASSERT_TRUE(c && *c);
  EXPECT_EQ((*c)->username, "carol");
  EXPECT_EQ((*c)->password, "pw");
  auto erased = helper_erase("rw", "reg.example:5000");
  ASSERT_TRUE(erased) << erased.error().message();
  EXPECT_TRUE(*erased);
  auto again = helper_erase("rw", "reg.example:5000");
  ASSERT_TRUE(again);
  EXPECT_FALSE(*again);
  auto gone = helper_get("rw", "reg.example:5000");
  ASSERT_TRUE(gone);
  EXPECT_FALSE(*gone);
  // An identity token is stored as Docker stores it: Username "<token>".
  ASSERT_TRUE(helper_store("rw", "reg.example:5000", Credentials{"carol", "", "tok"}));
  text = sys::read_file(dir_ + "/rw.json", 4096);
  ASSERT_TRUE(text);
  EXPECT_NE(text->find(R"("Username":"<token>")"), std::string::npos) << *text;
  auto t = helper_get("rw", "reg.example:5000");
  ASSERT_TRUE(t && *t);
  EXPECT_EQ((*t)->identity_token, "tok");
  auto missing = helper_store("nosuchhelper", "reg.example:5000", Credentials{"a", "b", ""});
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message().find("docker-credential-nosuchhelper"), std::string::npos);
}

TEST_F(CredHelperTest, FindConfiguredHelperReadsTheAuthFiles) {
  auto none = find_configured_helper("reg.example:5000");
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);
  ASSERT_TRUE(sys::make_dirs(dir_ + "/docker"));
  ASSERT_TRUE(sys::write_file_atomic(dir_ + "/docker/config.json",
                                     R"({"credHelpers": {"reg.example:5000": "rw"}})"));
  auto h = find_configured_helper("reg.example:5000");
  ASSERT_TRUE(h && *h);
  EXPECT_EQ(**h, "rw");
}

TEST_F(CredHelperTest, FindCredentialsAsksTheHelperBeforeTheFile) {
  ASSERT_TRUE(sys::make_dirs(dir_ + "/.config/hako"));
  ASSERT_TRUE(sys::write_file_atomic(dir_ + "/.config/hako/auth.json", R"({
    "auths": {"reg.example:5000": {"auth": "Ym9iOmZpbGU="}, "other.example": {"auth": "Ym9iOmZpbGU="}},
    "credHelpers": {"reg.example:5000": "fake", "other.example": "fake"}})"));
  auto c = find_credentials("reg.example:5000");
  ASSERT_TRUE(c && *c) << (c ? "none" : c.error().message());
  EXPECT_EQ((*c)->username, "alice");
  // The helper has none for other.example: the file's entry (bob:file) is used.
  auto fallback = find_credentials("other.example");
  ASSERT_TRUE(fallback && *fallback);
  EXPECT_EQ((*fallback)->username, "bob");
  EXPECT_EQ((*fallback)->password, "file");
}

}  // namespace
}  // namespace hako::registry
