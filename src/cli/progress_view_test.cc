#include "cli/progress_view.h"

#include <gtest/gtest.h>

#include <cstdio>

namespace hako::cli {
namespace {

registry::ProgressEvent event(std::string_view id, std::string_view status, uint64_t current = 0,
                              uint64_t total = 0) {
  return registry::ProgressEvent{id, status, current, total};
}

TEST(ProgressText, BarIsFiftyColumnsOnAWideTerminal) {
  std::string t = progress_text(12'300'000, 45'600'000, 120);
  // 26% of 50 half-percents: 13 '=' then '>' then 37 spaces.
  EXPECT_EQ(t, "[" + std::string(13, '=') + ">" + std::string(37, ' ') + "]   12.3MB/45.6MB");
  EXPECT_EQ(progress_text(0, 1000, 120), "[>" + std::string(50, ' ') + "]       0B/1kB");
  EXPECT_EQ(progress_text(1000, 1000, 120), "[" + std::string(50, '=') + ">]      1kB/1kB");
}

TEST(ProgressText, NoBarAt110ColumnsOrLess) {
  EXPECT_EQ(progress_text(12'300'000, 45'600'000, 110), "  12.3MB/45.6MB");
  EXPECT_EQ(progress_text(12'300'000, 45'600'000, 80), "  12.3MB/45.6MB");
}

TEST(ProgressText, WithoutTotalOrBytes) {
  EXPECT_EQ(progress_text(0, 0, 200), "");
  EXPECT_EQ(progress_text(4260, 0, 200), "  4.26kB");
  // Past the total (a wrong size): the count alone, the bar full.
  EXPECT_EQ(progress_text(2000, 1000, 120), "[" + std::string(50, '=') + ">]      2kB");
}

TEST(ProgressView, NotATerminalPrintsStatusChangesOnly) {
  ProgressView v(false, 0);
  std::string out;
  out += v.line("latest: Pulling from library/busybox");
  out += v.layer(event("aaaaaaaaaaaa", "Pulling fs layer"));
  out += v.layer(event("aaaaaaaaaaaa", "Downloading", 10, 100));
  out += v.layer(event("aaaaaaaaaaaa", "Verifying Checksum"));
  out += v.layer(event("aaaaaaaaaaaa", "Download complete"));
  out += v.layer(event("aaaaaaaaaaaa", "Extracting"));
  out += v.layer(event("aaaaaaaaaaaa", "Pull complete"));
  out += v.line("Digest: sha256:00");
  EXPECT_EQ(out,
            "latest: Pulling from library/busybox\n"
            "aaaaaaaaaaaa: Pulling fs layer\n"
            "aaaaaaaaaaaa: Verifying Checksum\n"
            "aaaaaaaaaaaa: Download complete\n"
            "aaaaaaaaaaaa: Pull complete\n"
            "Digest: sha256:00\n");
  EXPECT_EQ(out.find('\x1b'), std::string::npos);
}

TEST(ProgressView, NewLayersOpenALineAndRedrawInPlace) {
  ProgressView v(true, 120);
  // The first layer: a new line, then up one to it, erase, draw, down one.
  EXPECT_EQ(v.layer(event("aaaaaaaaaaaa", "Pulling fs layer")),
            "\n\x1b[1A\x1b[2K\raaaaaaaaaaaa: Pulling fs layer \r\x1b[1B");
  EXPECT_EQ(v.layer(event("bbbbbbbbbbbb", "Pulling fs layer")),
            "\n\x1b[1A\x1b[2K\rbbbbbbbbbbbb: Pulling fs layer \r\x1b[1B");
  // The first layer again: two lines up, redrawn with its bar, two down; no new line.
  EXPECT_EQ(v.layer(event("aaaaaaaaaaaa", "Downloading", 500, 1000)),
            "\x1b[2A\x1b[2K\raaaaaaaaaaaa: Downloading [" + std::string(25, '=') + ">" +
                std::string(25, ' ') + "]     500B/1kB\r\x1b[2B");
  EXPECT_EQ(v.layer(event("bbbbbbbbbbbb", "Pull complete")),
            "\x1b[1A\x1b[2K\rbbbbbbbbbbbb: Pull complete \r\x1b[1B");
}

TEST(ProgressView, ALineEndsTheBlock) {
  ProgressView v(true, 80);
  (void)v.layer(event("aaaaaaaaaaaa", "Pulling fs layer"));
  (void)v.layer(event("bbbbbbbbbbbb", "Pulling fs layer"));
  // Written where the cursor rests, below the block.
  EXPECT_EQ(v.line("Digest: sha256:00"), "Digest: sha256:00\n");
  // Next tag of pull -a: the same id starts a new block below the line.
  EXPECT_EQ(v.layer(event("aaaaaaaaaaaa", "Already exists")),
            "\n\x1b[1A\x1b[2K\raaaaaaaaaaaa: Already exists \r\x1b[1B");
  // 80 columns: no bar, the numbers only.
  EXPECT_EQ(v.layer(event("aaaaaaaaaaaa", "Pushing", 4260, 1'240'000)),
            "\x1b[1A\x1b[2K\raaaaaaaaaaaa: Pushing   4.26kB/1.24MB\r\x1b[1B");
}

TEST(ProgressView, UnknownWidthIsWide) {
  ProgressView v(true, 0);
  std::string out = v.layer(event("aaaaaaaaaaaa", "Downloading", 1, 2));
  EXPECT_NE(out.find("[="), std::string::npos) << out;
}

TEST(ProgressPrinter, WritesTheViewToItsStream) {
  FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  {
    ProgressPrinter p(f, ProgressView(true, 120));
    auto cb = p.callback();
    cb(event("aaaaaaaaaaaa", "Pushing", 1, 2));
    ASSERT_TRUE(p.line("1: digest: sha256:00 size: 527"));
  }
  std::rewind(f);
  char buf[512] = {};
  size_t n = std::fread(buf, 1, sizeof buf - 1, f);
  std::fclose(f);
  std::string got(buf, n);
  EXPECT_EQ(got.rfind("\n\x1b[1A\x1b[2K\raaaaaaaaaaaa: Pushing [", 0), 0u) << got;
  EXPECT_NE(got.find("\r\x1b[1B1: digest: sha256:00 size: 527\n"), std::string::npos) << got;
}

TEST(ProgressPrinter, AFileIsNotATerminal) {
  FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  ProgressPrinter p(f);
  p.callback()(event("aaaaaaaaaaaa", "Downloading", 1, 2));
  p.callback()(event("aaaaaaaaaaaa", "Pull complete"));
  std::rewind(f);
  char buf[256] = {};
  size_t n = std::fread(buf, 1, sizeof buf - 1, f);
  std::fclose(f);
  EXPECT_EQ(std::string(buf, n), "aaaaaaaaaaaa: Pull complete\n");
}

}  // namespace
}  // namespace hako::cli
