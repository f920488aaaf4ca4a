// Session and pull pieces against a fake registry (http::TestServer): Bearer token flow and
// its cache, manifest verification, and blob downloads that are cut and resumed.
#include "registry/session.h"

#include <stdlib.h>

#include <gtest/gtest.h>

#include "content/sha256.h"
#include "http/test_server.h"
#include "registry/pull.h"
#include "sys/file.h"

namespace hako::registry {
namespace {

using http::TestServer;

bool starts(const std::string& s, const std::string& p) { return s.rfind(p, 0) == 0; }
bool has(const std::string& s, const std::string& p) { return s.find(p) != std::string::npos; }

Endpoint local(int port) {
  Endpoint e;
  e.domain = e.host = "127.0.0.1:" + std::to_string(port);
  e.candidates = {{"http://" + e.host, true}};
  return e;
}

const std::string kManifest =
    R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",)"
    R"("config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:)" +
    std::string(64, 'a') + R"(","size":2},"layers":[]})";

TEST(Session, BearerTokenFetchedOnceWithCredentialsAndScope) {
  int port = 0;
  std::string digest = content::Sha256::of(kManifest).to_string();
  TestServer server([&](const std::string& req) {
    std::string challenge =
        "WWW-Authenticate: Bearer realm=\"http://127.0.0.1:" + std::to_string(port) +
        "/token\",service=\"fake\"\r\n";
    if (starts(req, "GET /token?")) {
      if (!has(req, "Authorization: Basic " + base64_encode("u:p")))
        return TestServer::reply(401, "", "");
      return TestServer::reply(200, "", R"({"token":"tok1","expires_in":300})");
    }
    if (!has(req, "Authorization: Bearer tok1")) return TestServer::reply(401, challenge, "");
    if (starts(req, "GET /v2/test/x/manifests/"))
      return TestServer::reply(200, "Docker-Content-Digest: " + digest + "\r\n", kManifest);
    return TestServer::reply(200, "", "{}");
  });
  port = server.port();
  auto s = Session::open(local(port), Credentials{"u", "p"});
  ASSERT_TRUE(s) << s.error().message();
  auto m = fetch_manifest(*s, "test/x", "1");
  ASSERT_TRUE(m) << m.error().message();
  EXPECT_EQ(m->digest.to_string(), digest);
  EXPECT_EQ(m->media_type, "application/vnd.oci.image.manifest.v1+json");
  ASSERT_TRUE(fetch_manifest(*s, "test/x", digest));
  int token_requests = 0;
  for (const auto& r : server.requests())
    if (starts(r, "GET /token?")) {
      ++token_requests;
      EXPECT_TRUE(has(r, "service=fake&scope=repository%3Atest%2Fx%3Apull")) << r;
    }
  EXPECT_EQ(token_requests, 1);
}

TEST(Session, ManifestWhoseDigestDisagreesIsRefused) {
  TestServer server([&](const std::string& req) {
    if (starts(req, "GET /v2/test/x/manifests/"))
      return TestServer::reply(
          200, "Docker-Content-Digest: sha256:" + std::string(64, 'b') + "\r\n", kManifest);
    return TestServer::reply(200, "", "{}");
  });
  auto s = Session::open(local(server.port()), std::nullopt);
  ASSERT_TRUE(s);
  auto m = fetch_manifest(*s, "test/x", "1");
  ASSERT_FALSE(m);
  EXPECT_TRUE(has(m.error().message(), "the registry says its digest is")) << m.error().message();
  // By digest: the body must hash to it, header or not.
  m = fetch_manifest(*s, "test/x", "sha256:" + std::string(64, 'c'));
  ASSERT_FALSE(m);
}

class BlobTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/hako-registry-test.XXXXXX";
    ASSERT_TRUE(::mkdtemp(tmpl));
    dir_ = tmpl;
    auto st = content::Store::open(dir_);
    ASSERT_TRUE(st);
    store_.emplace(std::move(*st));
    for (int i = 0; i < 100000; ++i) blob_ += static_cast<char>('a' + (i * 7919) % 26);
    desc_.digest = content::Sha256::of(blob_);
    desc_.size = static_cast<int64_t>(blob_.size());
  }
  void TearDown() override { ASSERT_TRUE(sys::remove_all(dir_)); }

  std::string dir_;
  std::optional<content::Store> store_;
  std::string blob_;
  oci::Descriptor desc_;
};

// The first GET promises the whole blob but sends half and hangs up.
std::string cut_in_half(const std::string& blob) {
  std::string full = TestServer::reply(200, "", blob);
  return full.substr(0, full.size() - blob.size() / 2);
}

TEST_F(BlobTest, CutDownloadResumesWithRange) {
  size_t half = blob_.size() - blob_.size() / 2;
  TestServer server([&](const std::string& req) {
    if (!starts(req, "GET /v2/test/x/blobs/")) return TestServer::reply(200, "", "{}");
    if (has(req, "Range: bytes=" + std::to_string(half) + "-"))
      return TestServer::reply(206, "", blob_.substr(half));
    return cut_in_half(blob_);
  });
  auto s = Session::open(local(server.port()), std::nullopt);
  ASSERT_TRUE(s);
  auto st = download_blob(*s, *store_, "test/x", desc_);
  ASSERT_TRUE(st) << st.error().message();
  EXPECT_TRUE(store_->has(desc_.digest));
  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 3u);  // ping, cut GET, resumed GET
  EXPECT_TRUE(has(reqs[2], "Range: bytes=" + std::to_string(half) + "-")) << reqs[2];
}

TEST_F(BlobTest, IgnoredRangeStartsTheBlobOver) {
  int gets = 0;
  TestServer server([&](const std::string& req) {
    if (!starts(req, "GET /v2/test/x/blobs/")) return TestServer::reply(200, "", "{}");
    return ++gets == 1 ? cut_in_half(blob_) : TestServer::reply(200, "", blob_);
  });
  auto s = Session::open(local(server.port()), std::nullopt);
  ASSERT_TRUE(s);
  auto st = download_blob(*s, *store_, "test/x", desc_);
  ASSERT_TRUE(st) << st.error().message();
  EXPECT_TRUE(store_->has(desc_.digest));
  EXPECT_EQ(gets, 2);
}

TEST_F(BlobTest, WrongBytesAreRefusedAndNotStored) {
  TestServer server([&](const std::string& req) {
    if (!starts(req, "GET /v2/test/x/blobs/")) return TestServer::reply(200, "", "{}");
    std::string bad = blob_;
    bad[10] ^= 1;
    return TestServer::reply(200, "", bad);
  });
  auto s = Session::open(local(server.port()), std::nullopt);
  ASSERT_TRUE(s);
  auto st = download_blob(*s, *store_, "test/x", desc_);
  ASSERT_FALSE(st);
  EXPECT_TRUE(has(st.error().message(), "digest mismatch")) << st.error().message();
  EXPECT_FALSE(store_->has(desc_.digest));
}

}  // namespace
}  // namespace hako::registry
