#include "registry/auth.h"

#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "registry/session.h"
#include "sys/file.h"

namespace hako::registry {
namespace {

TEST(WwwAuthenticate, BearerWithQuotedParams) {
  auto c = parse_www_authenticate(
      R"(Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull")");
  ASSERT_TRUE(c) << c.error().message();
  ASSERT_EQ(c->size(), 1u);
  EXPECT_EQ((*c)[0].scheme, "bearer");
  EXPECT_EQ((*c)[0].params.at("realm"), "https://auth.docker.io/token");
  EXPECT_EQ((*c)[0].params.at("service"), "registry.docker.io");
  EXPECT_EQ((*c)[0].params.at("scope"), "repository:library/busybox:pull");
}

TEST(WwwAuthenticate, SeveralChallengesTokensAndEscapes) {
  auto c = parse_www_authenticate(
      R"(Basic realm="Registry \"Realm\"", Bearer realm=https://t/x, error="invalid_token")");
  ASSERT_TRUE(c) << c.error().message();
  ASSERT_EQ(c->size(), 2u);
  EXPECT_EQ((*c)[0].scheme, "basic");
  EXPECT_EQ((*c)[0].params.at("realm"), "Registry \"Realm\"");
  EXPECT_EQ((*c)[1].scheme, "bearer");
  EXPECT_EQ((*c)[1].params.at("error"), "invalid_token");
}

TEST(WwwAuthenticate, Invalid) {
  EXPECT_FALSE(parse_www_authenticate(""));
  EXPECT_FALSE(parse_www_authenticate(R"(Bearer realm="open)"));
}

TEST(Scope, Repository) {
  EXPECT_EQ(repository_scope("test/busybox", false), "repository:test/busybox:pull");
  EXPECT_EQ(repository_scope("library/x", true), "repository:library/x:pull,push");
}

TEST(Base64, RoundTrip) {
  for (std::string s : {"", "a", "ab", "abc", "user:pa ss", "\xff\x00\x01"}) {
    auto d = base64_decode(base64_encode(s));
    ASSERT_TRUE(d);
    EXPECT_EQ(*d, s);
  }
  EXPECT_EQ(base64_encode("user:password"), "dXNlcjpwYXNzd29yZA==");
  EXPECT_FALSE(base64_decode("!!"));
}

TEST(AuthFile, DockerFormatKeysAndHub) {
  std::string text = R"({"auths": {
    "https://index.docker.io/v1/": {"auth": "aHViOnNlY3JldA=="},
    "http://127.0.0.1:5000/v2/": {"auth": "dXNlcjpwYXNzd29yZA=="},
    "reg.example": {"username": "u", "password": "p"},
    "token.example": {"identitytoken": "x"}
  }, "credsStore": "desktop"})";
  auto hub = parse_auth_file(text, "docker.io", "t");
  ASSERT_TRUE(hub && *hub);
  EXPECT_EQ((*hub)->username, "hub");
  EXPECT_EQ((*hub)->password, "secret");
  auto local = parse_auth_file(text, "127.0.0.1:5000", "t");
  ASSERT_TRUE(local && *local);
  EXPECT_EQ((*local)->username, "user");
  EXPECT_EQ((*local)->password, "password");
  auto plain = parse_auth_file(text, "reg.example", "t");
  ASSERT_TRUE(plain && *plain);
  EXPECT_EQ((*plain)->password, "p");
  // An identity token alone is credentials (an OAuth2 refresh token).
  auto token = parse_auth_file(text, "token.example", "t");
  ASSERT_TRUE(token && *token);
  EXPECT_EQ((*token)->username, "");
  EXPECT_EQ((*token)->identity_token, "x");
  EXPECT_FALSE(*parse_auth_file(text, "127.0.0.1:5001", "t"));
  auto bad = parse_auth_file(R"({"auths": {"h": {"auth": "bm9jb2xvbg=="}}})", "h", "f.json");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message().find("f.json: auths.h.auth"), std::string::npos);
}

TEST(AuthFile, UpdateKeepsOtherKeysAndIsPrivate) {
  char tmpl[] = "/tmp/hako-auth-test.XXXXXX";
  ASSERT_TRUE(::mkdtemp(tmpl));
  std::string dir = tmpl;
  std::string path = dir + "/sub/auth.json";
  ASSERT_TRUE(update_auth_file(path, "docker.io", Credentials{"a", "b"}));
  ASSERT_TRUE(update_auth_file(path, "127.0.0.1:5000", Credentials{"c", "d"}));
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto text = sys::read_file(path);
  ASSERT_TRUE(text);
  EXPECT_EQ((*parse_auth_file(*text, "docker.io", "t"))->username, "a");
  EXPECT_EQ((*parse_auth_file(*text, "127.0.0.1:5000", "t"))->password, "d");
  auto removed = update_auth_file(path, "docker.io", std::nullopt);
  ASSERT_TRUE(removed);
  EXPECT_TRUE(*removed);
  EXPECT_FALSE(*update_auth_file(path, "docker.io", std::nullopt));
  text = sys::read_file(path);
  EXPECT_FALSE(*parse_auth_file(*text, "docker.io", "t"));
  EXPECT_TRUE(*parse_auth_file(*text, "127.0.0.1:5000", "t"));
  ASSERT_TRUE(sys::remove_all(dir));
}

TEST(AuthFile, IdentityTokenIsStoredInsteadOfThePassword) {
  char tmpl[] = "/tmp/hako-auth-test.XXXXXX";
  ASSERT_TRUE(::mkdtemp(tmpl));
  std::string dir = tmpl;
  std::string path = dir + "/auth.json";
  ASSERT_TRUE(update_auth_file(path, "127.0.0.1:5000", Credentials{"tester", "", "refresh-1"}));
  auto text = sys::read_file(path);
  ASSERT_TRUE(text);
  // Docker's shape: the user name without a password, and the token.
  EXPECT_NE(text->find("\"auth\": \"" + base64_encode("tester:") + "\""), std::string::npos)
      << *text;
  EXPECT_NE(text->find("\"identitytoken\": \"refresh-1\""), std::string::npos) << *text;
  auto c = parse_auth_file(*text, "127.0.0.1:5000", "t");
  ASSERT_TRUE(c && *c);
  EXPECT_EQ((*c)->username, "tester");
  EXPECT_EQ((*c)->password, "");
  EXPECT_EQ((*c)->identity_token, "refresh-1");
  ASSERT_TRUE(sys::remove_all(dir));
}

TEST(AuthFile, NormaliseServer) {
  EXPECT_EQ(normalise_server(""), "docker.io");
  EXPECT_EQ(normalise_server("https://index.docker.io/v1/"), "docker.io");
  EXPECT_EQ(normalise_server("http://127.0.0.1:5000/v2/"), "127.0.0.1:5000");
  EXPECT_EQ(normalise_server("reg.example"), "reg.example");
}

TEST(Backoff, DoublesAndCaps) {
  EXPECT_EQ(backoff_delay(1).count(), 250);
  EXPECT_EQ(backoff_delay(2).count(), 500);
  EXPECT_EQ(backoff_delay(3).count(), 1000);
  EXPECT_EQ(backoff_delay(10).count(), 8000);
  EXPECT_TRUE(is_transient_status(503));
  EXPECT_TRUE(is_transient_status(429));
  EXPECT_FALSE(is_transient_status(404));
  EXPECT_FALSE(is_transient_status(401));
  EXPECT_TRUE(is_transient(Error(ErrorCode::kUnavailable, "x")));
  EXPECT_FALSE(is_transient(Error(ErrorCode::kNotFound, "x")));
}

}  // namespace
}  // namespace hako::registry
