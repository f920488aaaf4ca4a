#include "registry/endpoint.h"

#include <gtest/gtest.h>

namespace hako::registry {
namespace {

bool no_ca(const std::string&) { return false; }
bool some_ca(const std::string& p) { return p == "/etc/hako/certs.d/reg.example:5000/ca.crt"; }

TEST(Endpoint, DockerHubIsRegistry1OverHttpsOnly) {
  auto e = resolve_endpoint("docker.io", Config{}, no_ca);
  EXPECT_EQ(e.host, "registry-1.docker.io");
  ASSERT_EQ(e.candidates.size(), 1u);
  EXPECT_EQ(e.candidates[0].url, "https://registry-1.docker.io");
  EXPECT_TRUE(e.candidates[0].verify_tls);
}

TEST(Endpoint, LoopbackTriesHttpsThenHttp) {
  for (const char* d :
       {"localhost:5000", "127.0.0.1:5000", "127.1.2.3", "[::1]:5000", "localhost"}) {
    auto e = resolve_endpoint(d, Config{}, no_ca);
    ASSERT_EQ(e.candidates.size(), 2u) << d;
    EXPECT_EQ(e.candidates[0].url, std::string("https://") + d);
    EXPECT_FALSE(e.candidates[0].verify_tls);
    EXPECT_EQ(e.candidates[1].url, std::string("http://") + d);
  }
}

TEST(Endpoint, OtherHostsNeedTlsUnlessInsecure) {
  EXPECT_FALSE(is_loopback("128.0.0.1:5000"));
  EXPECT_FALSE(is_loopback("127.0.0.1.example.com"));
  EXPECT_FALSE(is_loopback("localhost.example"));
  auto e = resolve_endpoint("reg.example:5000", Config{}, no_ca);
  ASSERT_EQ(e.candidates.size(), 1u);
  Config c;
  c.insecure_registries = {"reg.example:5000"};
  e = resolve_endpoint("reg.example:5000", c, no_ca);
  ASSERT_EQ(e.candidates.size(), 2u);
  EXPECT_FALSE(e.candidates[0].verify_tls);
  EXPECT_EQ(e.candidates[1].url, "http://reg.example:5000");
}

TEST(Endpoint, CaFileFromCertsDir) {
  EXPECT_EQ(resolve_endpoint("reg.example:5000", Config{}, some_ca).ca_file,
            "/etc/hako/certs.d/reg.example:5000/ca.crt");
  EXPECT_EQ(resolve_endpoint("reg.example", Config{}, some_ca).ca_file, "");
}

TEST(Endpoint, CaFileMeansVerifiedHttpsOnly) {
  bool (*loop_ca)(const std::string&) = [](const std::string& p) {
    return p == "/etc/hako/certs.d/127.0.0.1:5000/ca.crt";
  };
  Config c;
  c.insecure_registries = {"reg.example:5000"};
  for (auto e : {resolve_endpoint("127.0.0.1:5000", Config{}, loop_ca),
                 resolve_endpoint("reg.example:5000", c, some_ca)}) {
    ASSERT_EQ(e.candidates.size(), 1u) << e.domain;
    EXPECT_EQ(e.candidates[0].url, "https://" + e.domain);
    EXPECT_TRUE(e.candidates[0].verify_tls);
  }
}

TEST(Endpoint, SecureLoopback) {
  Config c;
  c.insecure_loopback = false;
  auto e = resolve_endpoint("127.0.0.1:5000", c, no_ca);
  ASSERT_EQ(e.candidates.size(), 1u);
  EXPECT_TRUE(e.candidates[0].verify_tls);
}

TEST(Config, Parse) {
  auto c = parse_config(R"({"insecure-registries": ["a:1", "b"], "log-size": 3})", "hako.json");
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_EQ(c->insecure_registries, (std::vector<std::string>{"a:1", "b"}));
  EXPECT_TRUE(c->insecure_loopback);
  c = parse_config(R"({"insecure-loopback": false, "certs-dir": "/x"})", "hako.json");
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_FALSE(c->insecure_loopback);
  EXPECT_EQ(c->certs_dir, "/x");
  auto bad = parse_config(R"({"insecure-registries": "a"})", "hako.json");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message().find("insecure-registries"), std::string::npos);
}

}  // namespace
}  // namespace hako::registry
