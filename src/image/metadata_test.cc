#include "image/metadata.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "content/sha256.h"

namespace hako::image {
namespace {

oci::Digest digest(std::string_view s) { return content::Sha256::of(s); }

class MetadataTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/hako-meta-test.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    auto m = Metadata::open(dir_ + "/hako.db");
    ASSERT_TRUE(m) << m.error().message();
    meta_.emplace(std::move(*m));
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  ImageRecord image(std::string_view name, std::vector<std::string> layers) {
    ImageRecord r;
    r.id = digest(std::string("config ") + std::string(name));
    r.manifest = digest(std::string("manifest ") + std::string(name));
    r.manifest_media_type = "application/vnd.docker.distribution.manifest.v2+json";
    r.created = "2000-01-01T00:00:00Z";
    for (const auto& l : layers) {
      LayerRecord lr;
      lr.diff_id = digest("diff " + l);
      lr.chain_id = digest("chain " + l);
      lr.blob = digest("blob " + l);
      lr.media_type = "application/vnd.docker.image.rootfs.diff.tar";
      lr.size = 10;
      r.size += 10;
      r.layers.push_back(lr);
    }
    return r;
  }

  std::string dir_;
  std::optional<Metadata> meta_;
};

TEST_F(MetadataTest, AddFindAndList) {
  auto a = image("a", {"base", "app"});
  ASSERT_TRUE(meta_->add_image(a, {"docker.io/library/a:latest"}));
  auto found = meta_->find_image(a.id);
  ASSERT_TRUE(found && *found);
  EXPECT_EQ((*found)->layers.size(), 2u);
  EXPECT_EQ((*found)->layers[1].chain_id, digest("chain app"));
  EXPECT_EQ((*found)->size, 20);
  EXPECT_EQ(*meta_->find_ref("docker.io/library/a:latest"), a.id);
  EXPECT_FALSE(*meta_->find_ref("docker.io/library/b:latest"));
  auto ids = meta_->find_ids_by_prefix(std::string(a.id.hex().substr(0, 5)));
  ASSERT_TRUE(ids);
  EXPECT_EQ(*ids, std::vector<oci::Digest>{a.id});
  EXPECT_TRUE(meta_->find_ids_by_prefix("zz")->empty());
}

TEST_F(MetadataTest, ReferencesMoveAndImagesCascade) {
  auto a = image("a", {"base"});
  auto b = image("b", {"base", "extra"});
  ASSERT_TRUE(meta_->add_image(a, {"docker.io/library/x:latest"}));
  ASSERT_TRUE(meta_->add_image(b, {"docker.io/library/x:latest", "docker.io/library/y:1"}));
  EXPECT_EQ(*meta_->find_ref("docker.io/library/x:latest"), b.id);  // moved
  EXPECT_TRUE(meta_->refs_of(a.id)->empty());
  // A layer shared by both images stays live until both are gone.
  ASSERT_TRUE(meta_->remove_image(b.id));
  EXPECT_FALSE(*meta_->find_ref("docker.io/library/y:1"));
  auto chains = meta_->live_chain_ids();
  ASSERT_TRUE(chains);
  EXPECT_EQ(chains->size(), 1u);
  EXPECT_EQ(chains->count(digest("chain base")), 1u);
  auto blobs = meta_->live_blobs();
  ASSERT_TRUE(blobs);
  EXPECT_EQ(*blobs, (std::set<oci::Digest>{a.id, a.manifest, digest("blob base")}));
  ASSERT_TRUE(meta_->remove_image(a.id));
  EXPECT_TRUE(meta_->live_chain_ids()->empty());
}

TEST_F(MetadataTest, AnImageAContainerUsesCannotBeRemoved) {
  auto a = image("a", {"base"});
  ASSERT_TRUE(meta_->add_image(a, {"docker.io/library/a:latest"}));
  // The engine records its containers; here, as it will.
  auto db = db::Database::open(dir_ + "/hako.db", {});
  ASSERT_FALSE(db);  // the schema is newer than an empty migration list: refused
  {
    auto ins = meta_->database().prepare(
        "INSERT INTO containers(id, name, image) VALUES ('c1', 'web', ?)");
    ASSERT_TRUE(ins);
    ASSERT_TRUE(ins->bind(1, a.id.to_string()).run());
  }
  EXPECT_EQ(*meta_->containers_using(a.id), std::vector<std::string>{"c1"});
  EXPECT_FALSE(meta_->remove_image(a.id));  // the foreign key holds it
  EXPECT_TRUE(*meta_->find_image(a.id));
}

TEST_F(MetadataTest, SetAndRemoveRef) {
  auto a = image("a", {"base"});
  ASSERT_TRUE(meta_->add_image(a, {}));
  ASSERT_TRUE(meta_->set_ref("docker.io/library/t:1", a.id));
  EXPECT_EQ(*meta_->refs_of(a.id), std::vector<std::string>{"docker.io/library/t:1"});
  EXPECT_TRUE(*meta_->remove_ref("docker.io/library/t:1"));
  EXPECT_FALSE(*meta_->remove_ref("docker.io/library/t:1"));
  // A reference to an image that does not exist is refused by the foreign key.
  EXPECT_FALSE(meta_->set_ref("docker.io/library/t:2", digest("nothing")));
}

}  // namespace
}  // namespace hako::image
