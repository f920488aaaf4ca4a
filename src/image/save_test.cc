// import_rootfs and save_images against a real store in a temp dir. Unpacking a layer keeps
// its owners, which needs root: without it the tests skip with the reason (and fail under
// HAKO_REQUIRE_CAPS=1). With HAKO_SAVE_TEST_OUT=<dir> the archives are also written there, for
// `skopeo inspect docker-archive:<dir>/docker.tar` and `oci-archive:<dir>/oci.tar`.
#include <archive.h>
#include <archive_entry.h>
#include <unistd.h>

#include <cstdlib>
#include <map>

#include <gtest/gtest.h>

#include "archive/hostile_tar.h"
#include "content/sha256.h"
#include "image/import.h"
#include "image/save.h"
#include "json/reader.h"
#include "sys/file.h"

namespace hako::image {
namespace {

namespace at = archive::testing;

struct Entry {
  std::string data;
  mode_t mode = 0;
  int64_t mtime = 0;
  int64_t uid = -1;
};

std::map<std::string, Entry> read_tar(const std::string& tar) {
  std::map<std::string, Entry> out;
  struct archive* a = archive_read_new();
  archive_read_support_format_tar(a);
  EXPECT_EQ(archive_read_open_memory(a, tar.data(), tar.size()), ARCHIVE_OK);
  struct archive_entry* e;
  while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
    Entry ent;
    ent.mode = archive_entry_mode(e);
    ent.mtime = archive_entry_mtime(e);
    ent.uid = archive_entry_uid(e);
    char buf[65536];
    la_ssize_t n;
    while ((n = archive_read_data(a, buf, sizeof buf)) > 0) ent.data.append(buf, n);
    EXPECT_FALSE(out.count(archive_entry_pathname(e))) << "twice: " << archive_entry_pathname(e);
    out[archive_entry_pathname(e)] = std::move(ent);
  }
  archive_read_free(a);
  return out;
}

std::string sha256_of(std::string_view data) {
  content::Sha256 h;
  h.update(data);
  return h.finish().to_string();
}

std::string rootfs_tar(at::Compression c) {
  at::TarBuilder b(c);
  b.dir("bin/").file("bin/hello", "#!/bin/sh\necho hello\n", {.perm = 0755});
  b.dir("etc/").file("etc/motd", "imported\n");
  return b.finish();
}

class ImageSaveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) {
      if (const char* req = std::getenv("HAKO_REQUIRE_CAPS"); req && std::string(req) == "1")
        FAIL() << "needs root (layer unpack keeps owners) and HAKO_REQUIRE_CAPS=1";
      GTEST_SKIP() << "needs root: unpacking a layer keeps its owners";
    }
    char tmpl[] = "/tmp/hako-image-save-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    auto s = ImageStore::open(root_);
    ASSERT_TRUE(s) << s.error().message();
    store_.emplace(std::move(*s));
  }
  void TearDown() override {
    store_.reset();
    if (!root_.empty()) (void)sys::remove_all(root_);
  }

  ImageRecord import(const std::string& tar, ImportOptions opts) {
    archive::MemoryReader in(tar);
    auto rec = import_rootfs(*store_, in, opts);
    EXPECT_TRUE(rec) << rec.error().message();
    return rec ? *rec : ImageRecord{};
  }

  std::string save(const std::vector<std::string>& names, SaveFormat f) {
    std::string out;
    archive::StringWriter w(&out);
    auto st = save_images(*store_, names, f, w);
    EXPECT_TRUE(st) << st.error().message();
    return out;
  }

  void keep(const std::string& name, const std::string& data) {
    if (const char* dir = std::getenv("HAKO_SAVE_TEST_OUT")) {
      ASSERT_TRUE(sys::write_file_atomic(std::string(dir) + "/" + name, data));
    }
  }

  std::string root_;
  std::optional<ImageStore> store_;
};

TEST_F(ImageSaveTest, ImportStoresTheUncompressedTarAndAConfig) {
  std::string tar = rootfs_tar(at::Compression::kNone);
  ImportOptions opts;
  opts.reference = "imp";
  opts.changes = {"CMD [\"/bin/hello\"]", "ENV A=1", "LABEL x=\"y z\""};
  opts.created = "2024-01-02T03:04:05.123456789Z";
  opts.platform = {.architecture = "arm64", .os = "linux"};
  ImageRecord rec = import(rootfs_tar(at::Compression::kGzip), opts);
  ASSERT_EQ(rec.layers.size(), 1u);
  EXPECT_EQ(rec.layers[0].diff_id.to_string(), sha256_of(tar));
  EXPECT_EQ(rec.layers[0].blob, rec.layers[0].diff_id);
  EXPECT_EQ(rec.manifest_media_type, "application/vnd.docker.distribution.manifest.v2+json");
  auto loaded = store_->load(rec);
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->refs, std::vector<std::string>({"docker.io/library/imp:latest"}));
  const oci::ImageConfig& c = loaded->config;
  EXPECT_EQ(c.architecture, "arm64");
  EXPECT_EQ(c.created, opts.created);
  ASSERT_TRUE(c.config);
  EXPECT_EQ(c.config->cmd, std::vector<std::string>({"/bin/hello"}));
  EXPECT_EQ(c.config->labels.at("x"), "y z");
  ASSERT_EQ(c.history.size(), 1u);
  EXPECT_EQ(c.history[0].comment, "Imported from -");
  // Deterministic: the same input and options give the same image id.
  EXPECT_EQ(import(tar, opts).id, rec.id);
  opts.message = "other";
  ImageRecord zstd = import(rootfs_tar(at::Compression::kZstd), opts);
  EXPECT_NE(zstd.id, rec.id);
  EXPECT_EQ(zstd.layers[0].diff_id, rec.layers[0].diff_id);
}

TEST_F(ImageSaveTest, ImportRefusesBadInputBeforeStoringAnything) {
  ImportOptions opts;
  opts.changes = {"RUN make"};
  archive::MemoryReader in(rootfs_tar(at::Compression::kNone));
  auto r = import_rootfs(*store_, in, opts);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("RUN is not supported by import"), std::string::npos);
  opts.changes.clear();
  opts.reference = "x@sha256:" + std::string(64, 'a');
  r = import_rootfs(*store_, in, opts);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("contains a digest"), std::string::npos);
  auto blobs = store_->blobs().list();
  ASSERT_TRUE(blobs);
  EXPECT_TRUE(blobs->empty());
  opts.reference.reset();
  archive::MemoryReader empty("");
  r = import_rootfs(*store_, empty, opts);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("the input is empty"), std::string::npos);
  archive::MemoryReader xz(
      std::string_view("\xfd"
                       "7zXZ\0\0\0",
                       8));
  r = import_rootfs(*store_, xz, opts);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("xz-compressed input is not supported"), std::string::npos);
  std::string big = rootfs_tar(at::Compression::kNone);
  archive::MemoryReader in2(big);
  opts.max_bytes = 1000;
  r = import_rootfs(*store_, in2, opts);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("larger than 1000 bytes"), std::string::npos);
}

// An image whose layer blob is gzip'd, as a pull stores it.
ImageRecord add_gzip_image(ImageStore& store, const std::string& ref) {
  std::string gz = rootfs_tar(at::Compression::kGzip);
  std::string tar = rootfs_tar(at::Compression::kNone);
  auto blob = store.blobs().ingest_bytes(gz);
  EXPECT_TRUE(blob);
  oci::ImageConfig c;
  c.created = "2023-06-01T00:00:00Z";
  c.architecture = "amd64";
  c.os = "linux";
  c.rootfs.diff_ids = {*oci::Digest::parse(sha256_of(tar))};
  std::string cj = oci::to_json(c);
  oci::Manifest m;
  m.media_type = std::string(oci::kMediaTypeImageManifest);
  m.config = {.media_type = std::string(oci::kMediaTypeImageConfig),
              .digest = *store.blobs().ingest_bytes(cj),
              .size = static_cast<int64_t>(cj.size())};
  m.layers.push_back({.media_type = std::string(oci::kMediaTypeLayerGzip),
                      .digest = *blob,
                      .size = static_cast<int64_t>(gz.size())});
  auto md = store.blobs().ingest_bytes(oci::to_json(m));
  auto rec = store.add_image(*md, {oci::parse_reference(ref)->to_string()});
  EXPECT_TRUE(rec) << rec.error().message();
  return rec ? *rec : ImageRecord{};
}

TEST_F(ImageSaveTest, DockerArchive) {
  std::string tar = rootfs_tar(at::Compression::kNone);
  ImportOptions opts;
  opts.reference = "example.com/team/app:1.0";
  opts.created = "2024-01-02T03:04:05Z";
  ImageRecord a = import(tar, opts);
  opts.reference = "busybox";
  opts.message = "second";
  ImageRecord b = import(tar, opts);
  ImageRecord g = add_gzip_image(*store_, "gzipped:v1");
  ASSERT_TRUE(store_->tag("busybox", "busybox:extra"));

  std::string out =
      save({"example.com/team/app:1.0", "busybox", "gzipped:v1"}, SaveFormat::kDockerArchive);
  keep("docker.tar", out);
  auto entries = read_tar(out);
  ASSERT_TRUE(entries.count("manifest.json"));
  auto manifest = json::parse(entries["manifest.json"].data, "manifest.json");
  ASSERT_TRUE(manifest);
  ASSERT_EQ(manifest->size(), 3u);
  auto& m0 = (*manifest)[0];
  EXPECT_EQ(m0["Config"], std::string(a.id.hex()) + ".json");
  EXPECT_EQ(m0["RepoTags"], json::Value::array({"example.com/team/app:1.0"}));
  EXPECT_EQ((*manifest)[1]["RepoTags"], json::Value::array({"busybox:extra", "busybox:latest"}));
  EXPECT_EQ((*manifest)[2]["RepoTags"], json::Value::array({"gzipped:v1"}));
  // One layer, shared by all three: written once, uncompressed, under one v1 id.
  ASSERT_EQ(m0["Layers"].size(), 1u);
  std::string layer = m0["Layers"][0];
  EXPECT_EQ((*manifest)[1]["Layers"][0], layer);
  EXPECT_EQ((*manifest)[2]["Layers"][0], layer);
  EXPECT_EQ(entries[layer].data, tar);
  std::string v1 = layer.substr(0, 64);
  EXPECT_EQ(entries[v1 + "/VERSION"].data, "1.0");
  EXPECT_TRUE(S_ISDIR(entries[v1 + "/"].mode));
  EXPECT_EQ(entries[v1 + "/"].mode & 07777, 0755u);
  EXPECT_EQ(entries[layer].mode & 07777, 0644u);
  EXPECT_EQ(entries[layer].mtime, 1704164645);
  EXPECT_EQ(entries[layer].uid, 0);
  // The config bytes exactly, so the ids stay.
  for (const auto* rec : {&a, &b, &g}) {
    auto loaded = store_->load(*rec);
    ASSERT_TRUE(loaded);
    std::string name = std::string(rec->id.hex()) + ".json";
    EXPECT_EQ(entries[name].data, loaded->config_bytes);
    EXPECT_EQ(sha256_of(entries[name].data), rec->id.to_string());
  }
  auto repos = json::parse(entries["repositories"].data, "repositories");
  ASSERT_TRUE(repos);
  EXPECT_EQ((*repos)["busybox"]["latest"], v1);
  EXPECT_EQ((*repos)["example.com/team/app"]["1.0"], v1);
  size_t files = 0;
  for (const auto& [name, e] : entries) files += S_ISREG(e.mode);
  EXPECT_EQ(files, 3u /*layer*/ + 3u /*configs*/ + 2u);
  // Deterministic.
  EXPECT_EQ(save({"example.com/team/app:1.0", "busybox", "gzipped:v1"}, SaveFormat::kDockerArchive),
            out);
}

TEST_F(ImageSaveTest, ByIdHasNoTagsAndUnknownNamesWriteNothing) {
  ImportOptions opts;
  opts.reference = "busybox";
  ImageRecord a = import(rootfs_tar(at::Compression::kNone), opts);
  auto entries =
      read_tar(save({std::string(a.id.hex()).substr(0, 12)}, SaveFormat::kDockerArchive));
  auto manifest = json::parse(entries["manifest.json"].data, "manifest.json");
  ASSERT_TRUE(manifest);
  EXPECT_TRUE((*manifest)[0]["RepoTags"].is_null());
  EXPECT_FALSE(entries.count("repositories"));

  std::string out;
  archive::StringWriter w(&out);
  auto st = save_images(*store_, {"busybox", "nope"}, SaveFormat::kOci, w);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().message(), "no such image: nope");
  EXPECT_TRUE(out.empty());
}

TEST_F(ImageSaveTest, OciLayout) {
  std::string tar = rootfs_tar(at::Compression::kNone);
  ImportOptions opts;
  opts.reference = "busybox";
  ImageRecord a = import(tar, opts);
  ASSERT_TRUE(store_->tag("busybox", "localhost:5000/bb:v2"));
  ImageRecord g = add_gzip_image(*store_, "gzipped:v1");
  std::string out =
      save({"busybox:latest", "localhost:5000/bb:v2", "gzipped:v1"}, SaveFormat::kOci);
  keep("oci.tar", out);
  auto entries = read_tar(out);
  EXPECT_EQ(entries["oci-layout"].data, R"({"imageLayoutVersion":"1.0.0"})");
  auto index = oci::parse_index(entries["index.json"].data);
  ASSERT_TRUE(index) << index.error().message();
  EXPECT_EQ(index->media_type, "application/vnd.oci.image.index.v1+json");
  ASSERT_EQ(index->manifests.size(), 3u);
  const auto& d0 = index->manifests[0];
  // The imported image's Docker manifest is given OCI media types; config and layer are kept.
  EXPECT_EQ(d0.media_type, "application/vnd.oci.image.manifest.v1+json");
  auto m = oci::parse_manifest(entries["blobs/sha256/" + std::string(d0.digest.hex())].data);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->config.digest, a.id);
  EXPECT_EQ(m->config.media_type, "application/vnd.oci.image.config.v1+json");
  ASSERT_EQ(m->layers.size(), 1u);
  EXPECT_EQ(m->layers[0].digest, a.layers[0].blob);
  EXPECT_EQ(m->layers[0].media_type, "application/vnd.oci.image.layer.v1.tar");
  EXPECT_EQ(d0.annotations.at("org.opencontainers.image.ref.name"), "latest");
  EXPECT_EQ(d0.annotations.at("io.containerd.image.name"), "docker.io/library/busybox:latest");
  EXPECT_EQ(index->manifests[1].annotations.at("io.containerd.image.name"), "localhost:5000/bb:v2");
  EXPECT_EQ(index->manifests[1].digest, d0.digest);
  // An OCI manifest goes as stored.
  EXPECT_EQ(index->manifests[2].digest, g.manifest);
  // Every blob as stored: its name is its digest, the manifest's size is right.
  size_t blobs = 0;
  for (const auto& [name, e] : entries) {
    if (name.rfind("blobs/sha256/", 0) != 0 || !S_ISREG(e.mode)) continue;
    ++blobs;
    EXPECT_EQ(sha256_of(e.data), "sha256:" + name.substr(13)) << name;
  }
  EXPECT_EQ(blobs, 2u /*manifests*/ + 2u /*configs*/ + 2u /*plain + gzip layer*/);
  EXPECT_EQ(
      static_cast<int64_t>(entries["blobs/sha256/" + std::string(d0.digest.hex())].data.size()),
      d0.size);
  EXPECT_EQ(entries["blobs/sha256/" + std::string(a.layers[0].blob.hex())].data, tar);
  auto manifest = json::parse(entries["manifest.json"].data, "manifest.json");
  ASSERT_TRUE(manifest);
  EXPECT_EQ((*manifest)[0]["Config"], "blobs/sha256/" + std::string(a.id.hex()));
}

}  // namespace
}  // namespace hako::image
