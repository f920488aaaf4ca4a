#include "oci/image_spec.h"

#include <gtest/gtest.h>

#include "oci/platform.h"

namespace hako::oci {
namespace {

const std::string kA = "sha256:" + std::string(64, 'a');
const std::string kB = "sha256:" + std::string(64, 'b');
const std::string kC = "sha256:" + std::string(64, 'c');

std::string docker_manifest(const std::string& layer_digest) {
  return R"({"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json",
    "config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":1469,
              "digest":")" +
         kA + R"("},
    "layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":2,
               "digest":")" +
         kB + R"("},
              {"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":3,
               "digest":")" +
         kC + R"("},
              {"mediaType":"application/vnd.oci.image.layer.v1.tar+zstd","size":4,
               "digest":")" +
         layer_digest + R"(","urls":["https://x"]}]})";
}

TEST(ImageSpec, ParsesADockerSchema2Manifest) {
  auto m = parse_manifest(docker_manifest(kA));
  ASSERT_TRUE(m) << m.error().message();
  EXPECT_EQ(m->media_type, kMediaTypeDockerManifest);
  EXPECT_EQ(m->config.size, 1469);
  EXPECT_EQ(m->config.digest.to_string(), kA);
  ASSERT_EQ(m->layers.size(), 3u);
  EXPECT_EQ(m->layers[2].urls, std::vector<std::string>{"https://x"});
  EXPECT_EQ(find_layer_type(m->layers[0].media_type)->compression, Compression::kGzip);
  EXPECT_EQ(find_layer_type(m->layers[2].media_type)->compression, Compression::kZstd);
}

TEST(ImageSpec, ErrorsNameTheFieldPath) {
  auto m = parse_manifest(docker_manifest("sha256:xyz"));
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().message(),
            "layers[2].digest: invalid digest \"sha256:xyz\": want 64 hex digits, got 3");
  m = parse_manifest(R"({"schemaVersion":2,"config":{"mediaType":"x/y","digest":")" + kA +
                     R"(","size":-1},"layers":[]})");
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().message(), "config.size: negative size");
  m = parse_manifest(R"({"schemaVersion":1})");
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().message(), "schemaVersion: unsupported version 1 (want 2)");
  m = parse_manifest(R"({"schemaVersion":2,"mediaType":")" + std::string(kMediaTypeImageIndex) +
                     R"(","manifests":[]})");
  ASSERT_FALSE(m);
  EXPECT_NE(m.error().message().find("is not an image manifest"), std::string::npos);
  m = parse_manifest("{");
  ASSERT_FALSE(m);
  EXPECT_NE(m.error().message().find("manifest: malformed json"), std::string::npos);
  m = parse_manifest("[]");
  ASSERT_FALSE(m);
}

TEST(ImageSpec, RefusesOversizedDocuments) {
  std::string big =
      R"({"schemaVersion":2,"annotations":{"x":")" + std::string(kMaxDocumentBytes, 'x') + R"("}})";
  auto m = parse_manifest(big);
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().code(), ErrorCode::kResourceExhausted);
  EXPECT_FALSE(parse_image_config(big));
}

TEST(ImageSpec, DispatchesManifestOrIndex) {
  std::string index = R"({"schemaVersion":2,"manifests":[
    {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":")" +
                      kA +
                      R"(","size":7,"platform":{"architecture":"arm","os":"linux","variant":"v6"}},
    {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":")" +
                      kB + R"(","size":7,"platform":{"architecture":"amd64","os":"linux"}},
    {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":")" +
                      kC + R"(","size":7,"platform":{"architecture":"unknown","os":"unknown"},
     "annotations":{"vnd.docker.reference.type":"attestation-manifest"}}]})";
  auto any = parse_manifest_or_index(index);
  ASSERT_TRUE(any) << any.error().message();
  ASSERT_TRUE(std::holds_alternative<Index>(*any));
  const Index& x = std::get<Index>(*any);
  EXPECT_EQ(x.media_type, kMediaTypeImageIndex);
  EXPECT_EQ(x.manifests[0].platform->variant, "v6");
  EXPECT_EQ(find_platform_manifest(x, *parse_platform("linux/amd64")), 1u);
  EXPECT_EQ(find_platform_manifest(x, *parse_platform("linux/arm/v7")), 0u);
  EXPECT_EQ(find_platform_manifest(x, *parse_platform("linux/arm/v5")), std::nullopt);
  EXPECT_EQ(find_platform_manifest(x, *parse_platform("linux/arm64")), std::nullopt);

  any = parse_manifest_or_index(docker_manifest(kA));
  ASSERT_TRUE(any) << any.error().message();
  EXPECT_TRUE(std::holds_alternative<Manifest>(*any));

  any = parse_manifest_or_index(R"({"schemaVersion":1,"fsLayers":[]})");
  ASSERT_FALSE(any);
  EXPECT_NE(any.error().message().find("schema 1 is not supported"), std::string::npos);
}

const char* kDockerConfig = R"({
  "architecture":"amd64","os":"linux","created":"2024-01-01T00:00:00Z",
  "config":{"Env":["PATH=/bin"],"Cmd":["sh"],"Entrypoint":null,"ExposedPorts":{"80/tcp":{}},
            "Volumes":{"/data":{}},"Labels":{"a":"b"},"WorkingDir":"/w","User":"1:2",
            "StopSignal":"SIGTERM","OnBuild":null,"ArgsEscaped":true,
            "Healthcheck":{"Test":["CMD-SHELL","true"],"Interval":1000000000,"Retries":3}},
  "container_config":{"Cmd":["ignored"]},"docker_version":"24",
  "rootfs":{"type":"layers","diff_ids":[")";

TEST(ImageSpec, ParsesADockerImageConfig) {
  auto c = parse_image_config(std::string(kDockerConfig) + kA + R"("]},
    "history":[{"created_by":"ADD x","empty_layer":false},{"created_by":"CMD","empty_layer":true}]})");
  ASSERT_TRUE(c) << c.error().message();
  ASSERT_TRUE(c->config);
  EXPECT_EQ(c->config->cmd, std::vector<std::string>{"sh"});
  EXPECT_FALSE(c->config->entrypoint);
  EXPECT_EQ(c->config->exposed_ports, std::set<std::string>{"80/tcp"});
  EXPECT_EQ(c->config->volumes, std::set<std::string>{"/data"});
  EXPECT_EQ(c->config->healthcheck->retries, 3);
  EXPECT_EQ(c->rootfs.diff_ids.at(0).to_string(), kA);
  EXPECT_TRUE(c->history[1].empty_layer);

  auto bad = parse_image_config(std::string(kDockerConfig) + "sha256:nope\"]}}");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message().substr(0, 35), "rootfs.diff_ids[0]: invalid digest ");
  bad = parse_image_config(R"({"architecture":"amd64","os":"linux"})");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message(), "rootfs: required");
}

TEST(ImageSpec, EmitsDeterministicJsonThatParsesBack) {
  ImageConfig c;
  c.architecture = "amd64";
  c.os = "linux";
  c.created = "2024-01-01T00:00:00Z";
  c.config.emplace();
  c.config->env = {"PATH=/usr/bin"};
  c.config->entrypoint = std::vector<std::string>{};  // explicit empty
  c.config->exposed_ports = {"53/udp"};
  c.config->labels = {{"bad", "\xff"}};  // invalid UTF-8 must not throw
  c.rootfs.diff_ids = {*Digest::parse(kB)};
  c.history.push_back({.created_by = "hako import"});
  std::string text = to_json(c);
  EXPECT_EQ(text, to_json(c));
  EXPECT_NE(text.find(R"("Entrypoint":[])"), std::string::npos) << text;
  EXPECT_NE(text.find(R"("ExposedPorts":{"53/udp":{}})"), std::string::npos) << text;
  auto back = parse_image_config(text);
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_EQ(back->config->entrypoint, std::vector<std::string>{});
  EXPECT_EQ(back->rootfs.diff_ids, c.rootfs.diff_ids);
  EXPECT_EQ(back->history[0].created_by, "hako import");

  Manifest m;
  m.media_type = std::string(kMediaTypeImageManifest);
  m.config = {
      .media_type = std::string(kMediaTypeImageConfig), .digest = *Digest::parse(kA), .size = 12};
  m.layers.push_back(
      {.media_type = std::string(kMediaTypeLayerGzip), .digest = *Digest::parse(kC), .size = 34});
  std::string mt = to_json(m);
  EXPECT_EQ(mt,
            std::string(R"({"config":{"digest":")") + kA +
                R"(","mediaType":"application/vnd.oci.image.config.v1+json","size":12},)"
                R"("layers":[{"digest":")" +
                kC +
                R"(","mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","size":34}],)"
                R"("mediaType":"application/vnd.oci.image.manifest.v1+json","schemaVersion":2})");
  auto mb = parse_manifest(mt);
  ASSERT_TRUE(mb) << mb.error().message();
  EXPECT_EQ(mb->layers[0].size, 34);

  Index x;
  x.media_type = std::string(kMediaTypeImageIndex);
  Descriptor d = m.config;
  d.media_type = std::string(kMediaTypeImageManifest);
  d.platform = Platform{.architecture = "arm64", .os = "linux", .variant = "v8"};
  x.manifests.push_back(d);
  auto xb = parse_index(to_json(x));
  ASSERT_TRUE(xb) << xb.error().message();
  EXPECT_EQ(xb->manifests[0].platform, d.platform);
}

}  // namespace
}  // namespace hako::oci
