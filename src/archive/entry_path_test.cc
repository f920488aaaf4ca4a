#include "archive/entry_path.h"

#include <gtest/gtest.h>

#include "archive/whiteout.h"

namespace hako::archive {
namespace {

TEST(CleanEntryName, Normalises) {
  EXPECT_EQ(*clean_entry_name("./usr//bin/../lib/"), "usr/lib");
  EXPECT_EQ(*clean_entry_name("/etc/passwd"), "etc/passwd");
  EXPECT_EQ(*clean_entry_name("///etc"), "etc");
  EXPECT_EQ(*clean_entry_name("./"), "");
  EXPECT_EQ(*clean_entry_name("a/b/../../c"), "c");
}

TEST(CleanEntryName, RefusesEscapes) {
  auto r = clean_entry_name("../../etc/passwd");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "path escapes the layer root");
  EXPECT_FALSE(clean_entry_name("a/../../b"));
  EXPECT_FALSE(clean_entry_name("/.."));
  EXPECT_FALSE(clean_entry_name(std::string("a\0b", 3)));
}

TEST(SplitEntryName, ParentAndBase) {
  EXPECT_EQ(split_entry_name("a/b/c").parent, "a/b");
  EXPECT_EQ(split_entry_name("a/b/c").base, "c");
  EXPECT_EQ(split_entry_name("c").parent, "");
}

TEST(Whiteout, Classifies) {
  EXPECT_EQ(classify_whiteout("x").kind, WhiteoutKind::kNone);
  EXPECT_EQ(classify_whiteout(".wh.x").kind, WhiteoutKind::kWhiteout);
  EXPECT_EQ(classify_whiteout(".wh.x").target, "x");
  EXPECT_EQ(classify_whiteout(".wh..wh..opq").kind, WhiteoutKind::kOpaque);
  EXPECT_EQ(classify_whiteout(".wh..wh.plnk").kind, WhiteoutKind::kMeta);
  EXPECT_EQ(classify_whiteout(".wh..").kind, WhiteoutKind::kMeta);
  EXPECT_TRUE(is_overlay_xattr("trusted.overlay.opaque"));
  EXPECT_TRUE(is_overlay_xattr("user.overlay.redirect"));
  EXPECT_FALSE(is_overlay_xattr("security.capability"));
}

}  // namespace
}  // namespace hako::archive
