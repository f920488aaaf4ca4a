// Session and pull pieces against a fake registry (http::TestServer): Bearer token flow and
// its cache, manifest verification, and blob downloads that are cut and resumed.
#include "registry/session.h"

#include <stdlib.h>

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

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

// A registry behind a token service on the same fake server: the token service answers what
// `token` returns for each request to /token (404 for POSTs when `oauth` is false); the
// registry wants "Bearer tok".
struct TokenRegistry {
  std::function<std::string(const std::string&)> token;
  bool oauth = true;
  int port = 0;
  TestServer server{[this](const std::string& req) {
    std::string challenge =
        "WWW-Authenticate: Bearer realm=\"http://127.0.0.1:" + std::to_string(port) +
        "/token\",service=\"fake\"\r\n";
    if (starts(req, "POST /token") && !oauth) return TestServer::reply(404, "", "");
    if (starts(req, "GET /token") || starts(req, "POST /token")) return token(req);
    if (!has(req, "Authorization: Bearer tok\r\n")) return TestServer::reply(401, challenge, "");
    if (starts(req, "GET /v2/test/x/tags/list"))
      return TestServer::reply(200, "", R"({"tags":[]})");
    return TestServer::reply(200, "", "{}");
  }};
  TokenRegistry() { port = server.port(); }
  std::vector<std::string> token_requests() const {
    std::vector<std::string> out;
    for (const auto& r : server.requests())
      if (starts(r, "GET /token") || starts(r, "POST /token")) out.push_back(r);
    return out;
  }
};

const std::string kTokenBody = R"({"access_token":"tok","expires_in":300})";

TEST(Session, SeveralScopesAreAskedForInOneTokenRequest) {
  TokenRegistry reg;
  reg.token = [](const std::string&) { return TestServer::reply(200, "", kTokenBody); };
  auto s = Session::open(local(reg.port), Credentials{"u", "p", ""});
  ASSERT_TRUE(s) << s.error().message();
  http::Request r;
  r.url = "/v2/test/b/blobs/uploads/";
  auto resp = s->send(r, "repository:test/b:pull,push repository:test/a:pull");
  ASSERT_TRUE(resp) << resp.error().message();
  EXPECT_EQ(resp->status, 200);
  auto tokens = reg.token_requests();
  ASSERT_EQ(tokens.size(), 1u);
  EXPECT_TRUE(has(tokens[0],
                  "GET /token?service=fake&scope=repository%3Atest%2Fb%3Apull%2Cpush"
                  "&scope=repository%3Atest%2Fa%3Apull "))
      << tokens[0];
}

TEST(Session, RequestsStartedAtOnceShareOneToken) {
  TokenRegistry reg;
  reg.token = [](const std::string&) { return TestServer::reply(200, "", kTokenBody); };
  auto s = Session::open(local(reg.port), Credentials{"u", "p", ""});
  ASSERT_TRUE(s) << s.error().message();
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 4; ++i)
    threads.emplace_back([&] {
      http::Request r;
      r.method = "HEAD";
      r.url = "/v2/test/b/blobs/sha256:" + std::string(64, 'a');
      auto resp = s->send(r, "repository:test/b:pull,push");
      if (resp && resp->status == 200) ++ok;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok, 4);
  EXPECT_EQ(reg.token_requests().size(), 1u);
}

TEST(Session, IdentityTokenIsExchangedWithAnOAuthPost) {
  TokenRegistry reg;
  reg.token = [](const std::string&) { return TestServer::reply(200, "", kTokenBody); };
  auto s = Session::open(local(reg.port), Credentials{"", "", "refresh-1"});
  ASSERT_TRUE(s) << s.error().message();
  auto tags = list_tags(*s, "test/x");
  ASSERT_TRUE(tags) << tags.error().message();
  auto tokens = reg.token_requests();
  ASSERT_EQ(tokens.size(), 1u);
  EXPECT_TRUE(starts(tokens[0], "POST /token HTTP/1.1\r\n")) << tokens[0];
  EXPECT_TRUE(has(tokens[0], "Content-Type: application/x-www-form-urlencoded")) << tokens[0];
  EXPECT_FALSE(has(tokens[0], "Authorization:")) << tokens[0];
}

TEST(Session, IdentityTokenPostIsNotRedirectedToAnotherOrigin) {
  TokenRegistry reg;
  reg.token = [&](const std::string& req) {
    if (starts(req, "POST /token"))
      return TestServer::reply(
          307, "Location: http://localhost:" + std::to_string(reg.port) + "/steal\r\n", "");
    return TestServer::reply(200, "", kTokenBody);
  };
  auto s = Session::open(local(reg.port), Credentials{"", "", "refresh-1"});
  ASSERT_TRUE(s) << s.error().message();
  auto tags = list_tags(*s, "test/x");
  ASSERT_FALSE(tags);
  EXPECT_TRUE(has(tags.error().message(),
                  "token for registry 127.0.0.1:" + std::to_string(reg.port) + ": POST http://"))
      << tags.error().message();
  EXPECT_TRUE(has(tags.error().message(), "/steal not followed")) << tags.error().message();
  for (const auto& r : reg.server.requests()) EXPECT_FALSE(has(r, "/steal ")) << r;
}

TEST(Session, IdentityTokenFallsBackToGetWhenThePostIsNotFound) {
  TokenRegistry reg;
  reg.oauth = false;
  reg.token = [](const std::string&) { return TestServer::reply(200, "", kTokenBody); };
  auto s = Session::open(local(reg.port), Credentials{"u", "", "refresh-1"});
  ASSERT_TRUE(s) << s.error().message();
  auto tags = list_tags(*s, "test/x");
  ASSERT_TRUE(tags) << tags.error().message();
  std::vector<std::string> tokens;
  for (const auto& r : reg.server.requests())
    if (has(r.substr(0, 16), "/token")) tokens.push_back(r.substr(0, r.find(' ')));
  EXPECT_EQ(tokens, (std::vector<std::string>{"POST", "GET"}));
}

TEST(Session, LoginAsksForAnOfflineTokenAndReturnsTheRefreshToken) {
  TokenRegistry reg;
  reg.token = [](const std::string& req) {
    if (!has(req, "offline_token=true&client_id=hako"))
      return TestServer::reply(200, "", kTokenBody);
    return TestServer::reply(200, "", R"({"access_token":"tok","refresh_token":"rt-9"})");
  };
  auto s = Session::open(local(reg.port), Credentials{"u", "p", ""});
  ASSERT_TRUE(s) << s.error().message();
  auto id = s->login();
  ASSERT_TRUE(id) << id.error().message();
  ASSERT_TRUE(*id);
  EXPECT_EQ(**id, "rt-9");
  auto tokens = reg.token_requests();
  ASSERT_EQ(tokens.size(), 1u);
  EXPECT_TRUE(has(tokens[0], "Authorization: Basic " + base64_encode("u:p"))) << tokens[0];
  // A service without refresh tokens: nothing to keep but the password.
  reg.token = [](const std::string&) { return TestServer::reply(200, "", kTokenBody); };
  auto s2 = Session::open(local(reg.port), Credentials{"u", "p", ""});
  ASSERT_TRUE(s2);
  auto none = s2->login();
  ASSERT_TRUE(none) << none.error().message();
  EXPECT_FALSE(*none);
}

TEST(Tags, NextLinkOfALinkHeader) {
  EXPECT_EQ(next_link(R"(</v2/x/tags/list?n=2&last=b>; rel="next")"), "/v2/x/tags/list?n=2&last=b");
  EXPECT_EQ(next_link(R"(<https://h/a>; rel="prev", <https://h/b>; rel=next)"), "https://h/b");
  EXPECT_EQ(next_link(R"(<https://h/b>; title="x"; rel="first next")"), "https://h/b");
  EXPECT_FALSE(next_link(R"(<https://h/a>; rel="prev")"));
  EXPECT_FALSE(next_link(""));
  EXPECT_FALSE(next_link("<unterminated; rel=next"));
}

TEST(Tags, ListTagsFollowsThePages) {
  int port = 0;
  TestServer server([&](const std::string& req) {
    auto page = [&](const std::string& tags, const std::string& next) {
      std::string link = next.empty() ? "" : "Link: <" + next + ">; rel=\"next\"\r\n";
      return TestServer::reply(200, link, R"({"name":"test/x","tags":[)" + tags + "]}");
    };
    if (starts(req, "GET /v2/test/x/tags/list?n=2 "))
      return page(R"("a","b")", "/v2/test/x/tags/list?n=2&last=b");
    if (starts(req, "GET /v2/test/x/tags/list?n=2&last=b "))
      return page(R"("c","d")",
                  "http://127.0.0.1:" + std::to_string(port) + "/v2/test/x/tags/list?n=2&last=d");
    if (starts(req, "GET /v2/test/x/tags/list?n=2&last=d ")) return page(R"("e")", "");
    if (starts(req, "GET /v2/loop/tags/list")) return page(R"("a")", "/v2/loop/tags/list?n=2");
    if (starts(req, "GET /v2/away/tags/list"))
      return page(R"("a")", "http://elsewhere.example/v2/away/tags/list?n=2&last=a");
    // Same host and port, another scheme: the token must not change it either.
    if (starts(req, "GET /v2/scheme/tags/list"))
      return page(R"("a")", "https://127.0.0.1:" + std::to_string(port) + "/v2/scheme/x");
    // An empty page ends the list even with a Link.
    if (starts(req, "GET /v2/empty/tags/list?n=2 "))
      return page(R"("a")", "/v2/empty/tags/list?n=2&last=a");
    if (starts(req, "GET /v2/empty/tags/list")) return page("", "/v2/empty/tags/list?n=2&last=z");
    // Endless distinct pages.
    if (starts(req, "GET /v2/endless/tags/list")) {
      static int n = 0;
      return page(R"("a")", "/v2/endless/tags/list?n=2&last=" + std::to_string(++n));
    }
    // Few pages, too many tags.
    if (starts(req, "GET /v2/huge/tags/list")) {
      static int n = 0;
      std::string many;
      for (int i = 0; i < 400000; ++i) many += i ? R"(,"a")" : R"("a")";
      return page(many, "/v2/huge/tags/list?n=2&last=" + std::to_string(++n));
    }
    return TestServer::reply(200, "", "{}");
  });
  port = server.port();
  auto s = Session::open(local(port), std::nullopt);
  ASSERT_TRUE(s);
  auto tags = list_tags(*s, "test/x", 2);
  ASSERT_TRUE(tags) << tags.error().message();
  EXPECT_EQ(*tags, (std::vector<std::string>{"a", "b", "c", "d", "e"}));
  auto loop = list_tags(*s, "loop", 2);
  ASSERT_FALSE(loop);
  EXPECT_TRUE(has(loop.error().message(), "lead back")) << loop.error().message();
  auto away = list_tags(*s, "away", 2);
  ASSERT_FALSE(away);
  EXPECT_TRUE(has(away.error().message(), "another origin")) << away.error().message();
  auto scheme = list_tags(*s, "scheme", 2);
  ASSERT_FALSE(scheme);
  EXPECT_TRUE(has(scheme.error().message(), "another origin")) << scheme.error().message();
  auto empty = list_tags(*s, "empty", 2);
  ASSERT_TRUE(empty) << empty.error().message();
  EXPECT_EQ(*empty, (std::vector<std::string>{"a"}));
  auto endless = list_tags(*s, "endless", 2, 5);
  ASSERT_FALSE(endless);
  EXPECT_EQ(endless.error().message(),
            "tags of 127.0.0.1:" + std::to_string(port) +
                "/endless: more than 5 pages; pull the tags wanted by name");
  auto huge = list_tags(*s, "huge", 2);
  ASSERT_FALSE(huge);
  EXPECT_TRUE(has(huge.error().message(), "more than 1000000 tags")) << huge.error().message();
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
