#include "format/tabwriter.h"

#include <gtest/gtest.h>

namespace hako::format {
namespace {

TEST(TabWriter, MinWidthAndPadding) {
  EXPECT_EQ(align_tabs("a\tb\n"), "a         b\n");
  EXPECT_EQ(align_tabs("\tb\n"), "          b\n");
  EXPECT_EQ(align_tabs("abcdefgh\tb\n"), "abcdefgh   b\n");  // 8 + 3 = 11 > 10
  EXPECT_EQ(align_tabs("no tabs\n"), "no tabs\n");
  EXPECT_EQ(align_tabs(""), "");
  EXPECT_EQ(align_tabs("a\tb"), "a         b");  // a last line without newline stays so
}

TEST(TabWriter, DockerImagesTable) {
  std::string in =
      "REPOSITORY\tTAG\tIMAGE ID\tCREATED\tSIZE\n"
      "alpine\tlatest\tabc123def456\t2 weeks ago\t7.8MB\n"
      "registry.example.com/team/app\t1.2.3\t0123456789ab\t3 months ago\t120MB\n";
  EXPECT_EQ(align_tabs(in),
            "REPOSITORY                      TAG       IMAGE ID       CREATED        SIZE\n"
            "alpine                          latest    abc123def456   2 weeks ago    7.8MB\n"
            "registry.example.com/team/app   1.2.3     0123456789ab   3 months ago   120MB\n");
}

TEST(TabWriter, LastCellIsNotPadded) {
  EXPECT_EQ(align_tabs("a\tbbbbbbbbbbbbbbbbbbbb\nccc\td\n"),
            "a         bbbbbbbbbbbbbbbbbbbb\n"
            "ccc       d\n");
  // A trailing tab makes the last text a cell: it is padded too.
  EXPECT_EQ(align_tabs("a\tb\t\n"), "a         b         \n");
}

TEST(TabWriter, ColumnBlocksEndAtShorterLines) {
  // Line 2 has no cell, so lines 1 and 3 are separate blocks with their own widths.
  EXPECT_EQ(align_tabs("aaaaaaaaaaaa\tb\nplain\nc\td\n"),
            "aaaaaaaaaaaa   b\n"
            "plain\n"
            "c         d\n");
  // Column 1 exists only on lines 1-2; line 3 still shares column 0.
  EXPECT_EQ(align_tabs("a\tbbbbbbbbbbbbb\tx\nc\td\ty\nlonger-cell\tz\n"),
            "a             bbbbbbbbbbbbb   x\n"
            "c             d               y\n"
            "longer-cell   z\n");
}

TEST(TabWriter, CountsCodePoints) {
  EXPECT_EQ(align_tabs("\xc3\xa9t\xc3\xa9\tx\n"), "\xc3\xa9t\xc3\xa9       x\n");
}

TEST(TabWriter, OptionsAndIncrementalWrites) {
  TabWriter w(TabWriterOptions{0, 1, '.'});
  w.write("ab\tc\n");
  w.write("d\te\n");
  EXPECT_EQ(w.flush(), "ab.c\nd..e\n");
  EXPECT_EQ(w.flush(), "");
}

}  // namespace
}  // namespace hako::format
