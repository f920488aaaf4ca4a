#include "oci/reference.h"

#include <gtest/gtest.h>

namespace hako::oci {
namespace {

const std::string kHex = "dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c";

struct Normalised {
  const char* input;
  const char* full;      // to_string() after parse_reference(..., kLatest)
  const char* familiar;  // familiar_string()
};

TEST(Reference, NormalisesLikeDocker) {
  const std::string d = "@sha256:" + kHex;
  const Normalised cases[] = {
      {"busybox", "docker.io/library/busybox:latest", "busybox:latest"},
      {"busybox:1.36", "docker.io/library/busybox:1.36", "busybox:1.36"},
      {"user/app", "docker.io/user/app:latest", "user/app:latest"},
      {"docker.io/busybox", "docker.io/library/busybox:latest", "busybox:latest"},
      {"index.docker.io/busybox", "docker.io/library/busybox:latest", "busybox:latest"},
      {"docker.io/library/foo/bar", "docker.io/library/foo/bar:latest", "library/foo/bar:latest"},
      {"localhost/x", "localhost/x:latest", "localhost/x:latest"},
      {"localhost:5000/x", "localhost:5000/x:latest", "localhost:5000/x:latest"},
      {"127.0.0.1:5000/a/b:tag", "127.0.0.1:5000/a/b:tag", "127.0.0.1:5000/a/b:tag"},
      {"example.com:8000/private/moonbase", "example.com:8000/private/moonbase:latest",
       "example.com:8000/private/moonbase:latest"},
      {"test_com/foo", "docker.io/test_com/foo:latest", "test_com/foo:latest"},
      {"xn--n3h.com:18080/foo", "xn--n3h.com:18080/foo:latest", "xn--n3h.com:18080/foo:latest"},
      {"Foo/bar", "Foo/bar:latest", "Foo/bar:latest"},
      {"192.168.0.1:80", "docker.io/library/192.168.0.1:80", "192.168.0.1:80"},
      {"[fc00::1]:5000/docker/docker", "[fc00::1]:5000/docker/docker:latest",
       "[fc00::1]:5000/docker/docker:latest"},
      {"dock__er/docker---rules", "docker.io/dock__er/docker---rules:latest",
       "dock__er/docker---rules:latest"},
  };
  for (const auto& c : cases) {
    auto r = parse_reference(c.input);
    ASSERT_TRUE(r) << c.input << ": " << r.error().message();
    EXPECT_EQ(r->to_string(), c.full) << c.input;
    EXPECT_EQ(r->familiar_string(), c.familiar) << c.input;
  }
}

TEST(Reference, DigestsAndTags) {
  auto r = parse_reference("busybox@sha256:" + kHex);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->tag, "");  // a digest needs no default tag
  EXPECT_EQ(r->to_string(), "docker.io/library/busybox@sha256:" + kHex);

  r = parse_reference("busybox:latest@sha256:" + kHex);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->tag, "latest");
  EXPECT_EQ(r->digest->hex(), kHex);
  EXPECT_EQ(r->familiar_string(), "busybox:latest@sha256:" + kHex);

  r = parse_reference("localhost:5000/x@sha256:" + kHex);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->domain, "localhost:5000");
  EXPECT_EQ(r->path, "x");

  r = parse_reference("busybox", DefaultTag::kNone);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->to_string(), "docker.io/library/busybox");
  // Not an identifier: 63 hex digits is a name.
  EXPECT_TRUE(parse_reference(kHex.substr(1)));
  EXPECT_TRUE(parse_reference("docker.io/" + kHex));
}

TEST(Reference, RejectsInvalidNames) {
  const std::string too_long = std::string(128, 'a') + "/" + std::string(128, 'b');
  const std::string long_tag = "busybox:" + std::string(129, 't');
  const std::string invalid[] = {
      "",
      "Busybox",
      "docker/Docker",
      "docker.io/docker/Docker",
      "-docker",
      "-docker/docker",
      "-docker.io/docker/docker",
      "docker-/docker",
      "docker///docker",
      "docker/",
      "____/____",
      "_docker/_docker",
      "dock..er/docker",
      "dock_.er/docker",
      "dock-.er/docker",
      "dock___er/docker",
      "https://github.com/docker/docker",
      "docker://quay.io/library/foo:bar",
      "[fc00::1]",
      "[fc00::1]:5000",
      "fc00::1:5000/debian",
      "[fe80::1%eth0]:5000/debian",
      "[2001:db8:3:4::192.0.2.33]:5000/debian",
      "$$$",
      "::",
      " ",
      "busybox:",
      "busybox:-tag",
      "busybox:.tag",
      "busybox@sha256:xyz",
      "busybox@md5:0123456789abcdef0123456789abcdef",
      "localhost:port/x",
      kHex,
      too_long,
      long_tag,
  };
  for (const auto& s : invalid) EXPECT_FALSE(parse_reference(s)) << "accepted: " << s;
}

TEST(Reference, ErrorsNameTheInput) {
  auto r = parse_reference("Busybox");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(),
            "invalid reference \"Busybox\": repository name must be lowercase");
  r = parse_reference(std::string(250, 'a'));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("must not be more than 255 characters"), std::string::npos);
}

TEST(Reference, TagGrammar) {
  EXPECT_TRUE(is_valid_tag("latest"));
  EXPECT_TRUE(is_valid_tag("_x.Y-1"));
  EXPECT_TRUE(is_valid_tag(std::string(128, 'a')));
  EXPECT_FALSE(is_valid_tag(std::string(129, 'a')));
  EXPECT_FALSE(is_valid_tag("a/b"));
  EXPECT_FALSE(is_valid_tag(""));
}

}  // namespace
}  // namespace hako::oci
