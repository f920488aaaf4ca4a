#include "http/client.h"

#include <string>

#include <gtest/gtest.h>

#include "http/test_server.h"

namespace hako::http {
namespace {

TEST(Http, FindHeaderIsCaseInsensitive) {
  Headers h{{"Content-Type", "a"}, {"docker-content-digest", "sha256:x"}};
  EXPECT_EQ(find_header(h, "content-type"), "a");
  EXPECT_EQ(find_header(h, "Docker-Content-Digest"), "sha256:x");
  EXPECT_FALSE(find_header(h, "Location"));
}

TEST(Http, ResolveUrl) {
  EXPECT_EQ(*resolve_url("https://h/v2/a/blobs/x", "/storage/y?sig=1"),
            "https://h/storage/y?sig=1");
  EXPECT_EQ(*resolve_url("https://h/v2/a/blobs/x", "https://s3.example/b"), "https://s3.example/b");
}

TEST(Http, UrlOriginIsSchemeHostAndExplicitPort) {
  EXPECT_EQ(*url_origin("https://Reg.Example/v2/"), "https://reg.example:443");
  EXPECT_EQ(*url_origin("https://reg.example:443/x"), "https://reg.example:443");
  EXPECT_EQ(*url_origin("http://127.0.0.1:5000/v2/"), "http://127.0.0.1:5000");
  // Same host and port, but cleartext: another origin.
  EXPECT_EQ(*url_origin("http://reg.example:443/x"), "http://reg.example:443");
  EXPECT_FALSE(url_origin("not a url"));
}

TEST(Http, StatusErrorIsOneLineWithTheRegistryMessage) {
  Response r;
  r.method = "GET";
  r.url = "https://h/v2/x/manifests/1";
  r.status = 404;
  r.body = R"({"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown","detail":{}}]})";
  Error e = status_error(r);
  EXPECT_EQ(e.message(), "GET https://h/v2/x/manifests/1: 404 Not Found: manifest unknown");
  EXPECT_EQ(e.code(), ErrorCode::kNotFound);
  r.status = 503;
  r.body = "<html>busy</html>";
  EXPECT_EQ(status_error(r).message(), "GET https://h/v2/x/manifests/1: 503 Service Unavailable");
  EXPECT_EQ(status_error(r).code(), ErrorCode::kUnavailable);
}

std::string reply(int code, const std::string& headers, const std::string& body) {
  return TestServer::reply(code, headers, body);
}

TEST(Http, RedirectToAnotherHostDropsAuthorizationAndStreamsOnlyTheFinalBody) {
  int port = 0;
  TestServer server([&](const std::string& req) {
    if (req.rfind("GET /v2/blob", 0) == 0)
      return reply(307, "Location: http://localhost:" + std::to_string(port) + "/store\r\n",
                   "moved");
    if (req.rfind("GET /store", 0) == 0) return reply(200, "", "blob-bytes");
    return reply(404, "", "{\"errors\":[{\"message\":\"nope\"}]}");
  });
  port = server.port();
  auto client = Client::create();
  ASSERT_TRUE(client);
  Request r;
  r.url = "http://127.0.0.1:" + std::to_string(port) + "/v2/blob";
  r.headers = {{"Authorization", "Bearer secret"}};
  std::string got;
  r.on_body = [&](std::string_view c) {
    got += c;
    return ok();
  };
  auto resp = client->send(r);
  ASSERT_TRUE(resp) << resp.error().message();
  EXPECT_EQ(resp->status, 200);
  EXPECT_EQ(got, "blob-bytes");
  ASSERT_EQ(server.requests().size(), 2u);
  EXPECT_NE(server.requests()[0].find("Authorization: Bearer secret"), std::string::npos);
  EXPECT_EQ(server.requests()[1].find("Authorization"), std::string::npos);

  // An error body never reaches on_body; it is kept for the message.
  got.clear();
  r.url = "http://127.0.0.1:" + std::to_string(port) + "/missing";
  resp = client->send(r);
  ASSERT_TRUE(resp);
  EXPECT_EQ(resp->status, 404);
  EXPECT_EQ(got, "");
  EXPECT_EQ(status_error(*resp).message(), "GET " + r.url + ": 404 Not Found: nope");
}

TEST(Http, SecretBodyIsNotRedirectedToAnotherOrigin) {
  int port = 0;
  TestServer server([&](const std::string& req) {
    std::string p = std::to_string(port);
    if (req.rfind("POST /token", 0) == 0)
      return reply(307, "Location: http://localhost:" + p + "/elsewhere\r\n", "");
    if (req.rfind("POST /same", 0) == 0)
      return reply(307, "Location: http://127.0.0.1:" + p + "/moved\r\n", "");
    return reply(200, "", "{}");
  });
  port = server.port();
  auto client = Client::create();
  ASSERT_TRUE(client);
  Request r;
  r.method = "POST";
  r.url = server.url("/token");
  r.body = "refresh_token=secret";
  r.secret_body = true;
  auto resp = client->send(r);
  ASSERT_FALSE(resp);
  EXPECT_EQ(resp.error().message(),
            "POST " + r.url + ": redirect to http://localhost:" + std::to_string(port) +
                "/elsewhere not followed: the request carries credentials another origin must "
                "not get");
  ASSERT_EQ(server.requests().size(), 1u);
  // The same origin may move it.
  r.url = server.url("/same");
  resp = client->send(r);
  ASSERT_TRUE(resp) << resp.error().message();
  EXPECT_EQ(resp->status, 200);
  ASSERT_EQ(server.requests().size(), 3u);
  EXPECT_EQ(server.requests()[2].rfind("POST /moved", 0), 0u);
  // Without the flag the hop is taken (the body of an upload is no secret).
  r.url = server.url("/token");
  r.secret_body = false;
  resp = client->send(r);
  ASSERT_TRUE(resp) << resp.error().message();
  EXPECT_EQ(server.requests().back().rfind("POST /elsewhere", 0), 0u);
}

TEST(Http, RangeAndUploadAreSent) {
  TestServer server([](const std::string& req) { return reply(201, "", req.substr(0, 3)); });
  auto client = Client::create();
  ASSERT_TRUE(client);
  Request r;
  r.url = "http://127.0.0.1:" + std::to_string(server.port()) + "/x";
  r.range_from = 42;
  ASSERT_TRUE(client->send(r));
  EXPECT_NE(server.requests().back().find("Range: bytes=42-"), std::string::npos);
  Request put;
  put.method = "PUT";
  put.url = r.url;
  put.body = "hello";
  auto resp = client->send(put);
  ASSERT_TRUE(resp);
  EXPECT_EQ(resp->status, 201);
  EXPECT_EQ(resp->body, "PUT");
  EXPECT_NE(server.requests().back().find("Content-Length: 5"), std::string::npos);
}

TEST(Http, ConnectionRefusedIsUnavailable) {
  int port;
  {
    TestServer s([](const std::string&) { return std::string(); });
    port = s.port();
  }
  auto client = Client::create();
  Request r;
  r.url = "http://127.0.0.1:" + std::to_string(port) + "/v2/";
  auto resp = client->send(r);
  ASSERT_FALSE(resp);
  EXPECT_EQ(resp.error().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(resp.error().message().rfind("GET " + r.url + ": ", 0), 0u) << resp.error().message();
}

}  // namespace
}  // namespace hako::http
