#include "engine/log_reader.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "shim/log_writer.h"
#include "sys/file.h"

namespace hako::engine {
namespace {

using shim::LogLimits;
using shim::LogWriter;

constexpr int64_t kS = 1'000'000'000;

struct timespec ts(int64_t sec) {
  return {static_cast<time_t>(sec), 0};
}

std::vector<int> numbers(const std::vector<LogEntry>& es) {
  std::vector<int> out;
  for (const LogEntry& e : es) out.push_back(std::stoi(e.text));
  return out;
}
std::vector<int> range(int from, int to, int step = 1) {
  std::vector<int> out;
  for (int i = from; i < to; i += step) out.push_back(i);
  return out;
}

class LogDir : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/hako-logr-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    path_ = dir_ + "/json.log";
  }
  void TearDown() override { (void)sys::remove_all(dir_); }

  // Entries "<i>\n" at time i, on stdout for even i, stderr for odd.
  void write_numbers(LogWriter& w, int from, int to) {
    for (int i = from; i < to; ++i) {
      Stream s = i % 2 ? Stream::kStderr : Stream::kStdout;
      ASSERT_TRUE(w.write(s, std::to_string(i) + "\n", ts(i)));
    }
  }
  LogWriter open_writer(LogLimits limits = {}) {
    auto w = LogWriter::open(path_, limits);
    EXPECT_TRUE(w) << w.error().message();
    return std::move(*w);
  }
  void append_raw(std::string_view bytes) {
    auto fd = sys::open_path(path_, O_WRONLY | O_APPEND | O_CREAT, 0644);
    ASSERT_TRUE(fd);
    ASSERT_TRUE(sys::write_all(fd->get(), bytes, path_));
  }

  std::vector<LogEntry> read(
      const LogQuery& q, const std::function<bool()>& done = [] { return true; }) {
    std::vector<LogEntry> out;
    Status st = read_logs(
        path_, q,
        [&](const LogEntry& e) {
          out.push_back(e);
          return ok();
        },
        done);
    EXPECT_TRUE(st) << st.error().message();
    return out;
  }
  // A writer thread appends (and rotates) while the reader follows; the reader returns once
  // done is set, having seen every entry in order (expect_all), or at least only increasing
  // ones ending with the last (when the writer may rotate files away before they are read).
  void follow_while_writing(LogLimits limits, int count, std::optional<size_t> tail,
                            bool expect_all) {
    LogWriter w = open_writer(limits);
    write_numbers(w, 0, 5);
    std::atomic<bool> done{false}, reading{false};
    std::thread writer([&] {
      // Only once the reader has placed its tail (it polls done() after that): lines written
      // before would move where the tail starts.
      while (!reading) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      for (int i = 5; i < count; ++i) {
        std::string text = std::to_string(i);
        // A line in two writes now and then: the reader must wait for its end.
        if (i % 7 == 0) {
          (void)w.write(Stream::kStderr, text.substr(0, 1), ts(i));
          std::this_thread::sleep_for(std::chrono::microseconds(300));
          (void)w.write(Stream::kStderr, text.substr(1) + "\n", ts(i));
        } else {
          (void)w.write(Stream::kStdout, text + "\n", ts(i));
        }
        if (i % 10 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
      (void)w.write(Stream::kStdout, "last", ts(count));  // no newline: flushed at the end
      (void)w.flush(ts(count));
      done = true;
    });
    LogQuery q;
    q.follow = true;
    q.tail = tail;
    std::vector<LogEntry> es = read(q, [&] {
      reading = true;
      return done.load();
    });
    writer.join();
    ASSERT_FALSE(es.empty());
    EXPECT_EQ(es.back().text, "last");
    es.pop_back();
    std::vector<int> got = numbers(es);
    if (expect_all) {
      int first = tail ? 5 - static_cast<int>(*tail) : 0;
      EXPECT_EQ(got, range(first, count));
    } else {
      ASSERT_FALSE(got.empty());
      for (size_t k = 1; k < got.size(); ++k) ASSERT_LT(got[k - 1], got[k]) << "at " << k;
      EXPECT_EQ(got.back(), count - 1);
    }
  }

  int rotated_files() const {
    int n = 0;
    while (sys::exists(path_ + "." + std::to_string(n + 1))) ++n;
    return n;
  }

  std::string dir_, path_;
};

TEST(LogDecode, RoundTripsTheWriter) {
  std::string all;
  for (int c = 1; c < 128; ++c) all += static_cast<char>(c);
  all += std::string("\0", 1) + "caf\xc3\xa9 \xf0\x9f\x98\x80 \xe2\x80\xa8\xe2\x80\xa9";
  std::string line = shim::format_log_line(Stream::kStderr, all, {1796119200, 5});
  line.pop_back();
  LogEntry e;
  ASSERT_TRUE(decode_log_line(line, &e));
  EXPECT_EQ(e.text, all);
  EXPECT_EQ(e.stream, Stream::kStderr);
  EXPECT_EQ(e.time_ns, 1796119200 * kS + 5);
}

TEST(LogDecode, OtherShapes) {
  LogEntry e;
  EXPECT_TRUE(decode_log_line(
      R"( { "time" : "2026-12-01T10:00:00Z", "stream":"stdout", "log":"a\/\u00e9\ud83d\ude00" } )",
      &e));
  EXPECT_EQ(e.text, "a/\xc3\xa9\xf0\x9f\x98\x80");
  // Docker's attrs (from --log-opt labels) go through the general parser.
  EXPECT_TRUE(decode_log_line(
      R"({"log":"x\n","stream":"stderr","attrs":{"a":"b"},"time":"2026-12-01T10:00:00Z"})", &e));
  EXPECT_EQ(e.text, "x\n");
  EXPECT_EQ(e.stream, Stream::kStderr);
  for (const char* bad : {"", "garbage", "{", "{}", R"({"log":"x","stream":"stdout"})",
                          R"({"log":"x","stream":"stdin","time":"2026-12-01T10:00:00Z"})",
                          R"({"log":"x","stream":"stdout","time":"yesterday"})",
                          R"({"log":"x,"stream":"stdout","time":"2026-12-01T10:00:00Z"})",
                          R"({"log":"x","stream":"stdout","time":"2026-12-01T10:00:00Z"}x)",
                          R"({"log":"\q","stream":"stdout","time":"2026-12-01T10:00:00Z"})",
                          R"({"log":"x","stream":"stdout","time":"2026-12-01T1)"}) {
    EXPECT_FALSE(decode_log_line(bad, &e)) << bad;
  }
}

TEST(LogFormat, Timestamps) {
  LogEntry e{Stream::kStdout, "hi\n", 1796119200 * kS + 120000000};
  EXPECT_EQ(format_entry(e, false), "hi\n");
  EXPECT_EQ(format_entry(e, true), "2026-12-01T10:00:00.120000000Z hi\n");
}

TEST_F(LogDir, MissingLogIsEmpty) { EXPECT_TRUE(read({}).empty()); }

TEST_F(LogDir, AllInOrderAcrossRotatedFiles) {
  LogWriter w = open_writer({.max_size = 2000, .max_files = 4});
  write_numbers(w, 0, 200);
  EXPECT_EQ(rotated_files(), 3);
  std::vector<int> got = numbers(read({}));
  ASSERT_FALSE(got.empty());
  // The oldest entries fell off with the fourth file; the rest, in order, ends with 59.
  EXPECT_EQ(got, range(got.front(), 200));
  EXPECT_GT(got.front(), 0);
}

TEST_F(LogDir, StreamsFilter) {
  LogWriter w = open_writer();
  write_numbers(w, 0, 10);
  LogQuery q;
  q.stderr = false;
  EXPECT_EQ(numbers(read(q)), range(0, 10, 2));
  q.stderr = true;
  q.stdout = false;
  EXPECT_EQ(numbers(read(q)), range(1, 10, 2));
  auto es = read(q);
  EXPECT_EQ(es[0].stream, Stream::kStderr);
}

TEST_F(LogDir, SkipsGarbageAndATruncatedLastLine) {
  {
    LogWriter w = open_writer();
    write_numbers(w, 0, 3);
  }
  append_raw("not json at all\n{\"log\":\"x\"}\n\n");
  {
    LogWriter w = open_writer();
    write_numbers(w, 3, 5);
  }
  append_raw("{\"log\":\"5\\n\",\"stream\":\"stdout\",\"ti");  // the shim died here
  EXPECT_EQ(numbers(read({})), range(0, 5));
  LogQuery tail;
  tail.tail = 2;
  EXPECT_EQ(numbers(read(tail)), range(3, 5));
  // A restarted shim ends the broken line first: the next entry is not lost.
  {
    LogWriter w = open_writer();
    write_numbers(w, 6, 7);
  }
  EXPECT_EQ(numbers(read({})), (std::vector<int>{0, 1, 2, 3, 4, 6}));
}

TEST_F(LogDir, TailAcrossRotatedFiles) {
  LogWriter w = open_writer({.max_size = 1000, .max_files = 10});
  write_numbers(w, 0, 50);
  ASSERT_GE(rotated_files(), 3);
  LogQuery q;
  for (size_t n : {0, 1, 5, 17, 49, 50, 80}) {
    q.tail = n;
    std::vector<int> want = range(50 - static_cast<int>(std::min<size_t>(n, 50)), 50);
    EXPECT_EQ(numbers(read(q)), want) << "tail " << n;
  }
  // tail counts what the filters let through.
  q.tail = 3;
  q.stderr = false;
  EXPECT_EQ(numbers(read(q)), (std::vector<int>{44, 46, 48}));
}

TEST_F(LogDir, TailOfALongLogReadsOnlyItsEnd) {
  LogWriter w = open_writer({.max_size = -1});
  std::string text(1000, 'x');
  text += '\n';
  for (int i = 0; i < 20000; ++i) ASSERT_TRUE(w.write(Stream::kStdout, text, ts(i)));
  write_numbers(w, 20000, 20003);
  LogQuery q;
  q.tail = 2;
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(numbers(read(q)), range(20001, 20003));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(50));
}

TEST_F(LogDir, LongLinesSpanningBlocks) {
  LogWriter w = open_writer();
  std::string big;
  for (int i = 0; i < 40; ++i) big += std::string(15000, static_cast<char>('a' + i % 26)) + "\n";
  ASSERT_TRUE(w.write(Stream::kStdout, big, ts(1)));
  LogQuery q;
  q.tail = 30;
  auto es = read(q);
  ASSERT_EQ(es.size(), 30u);
  EXPECT_EQ(es[0].text, std::string(15000, 'a' + 10 % 26) + "\n");
  EXPECT_EQ(read({}).size(), 40u);
}

TEST_F(LogDir, SinceAndUntil) {
  LogWriter w = open_writer({.max_size = 1000, .max_files = 10});
  write_numbers(w, 0, 40);
  LogQuery q;
  q.since_ns = 10 * kS;
  EXPECT_EQ(numbers(read(q)), range(10, 40));
  q.until_ns = 20 * kS;
  EXPECT_EQ(numbers(read(q)), range(10, 21));  // both bounds inclusive
  q.tail = 3;
  EXPECT_EQ(numbers(read(q)), range(18, 21));
  q.tail = 100;
  EXPECT_EQ(numbers(read(q)), range(10, 21));
  q = {};
  q.until_ns = -1;
  EXPECT_TRUE(read(q).empty());
}

TEST_F(LogDir, SinkErrorEndsTheRead) {
  LogWriter w = open_writer();
  write_numbers(w, 0, 10);
  int calls = 0;
  Status st = read_logs(
      path_, {},
      [&](const LogEntry&) -> Status {
        if (++calls == 3) return internal_error("broken pipe");
        return ok();
      },
      [] { return true; });
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().message(), "broken pipe");
  EXPECT_EQ(calls, 3);
}

TEST_F(LogDir, FollowWhileWriting) { follow_while_writing({}, 3000, std::nullopt, true); }

TEST_F(LogDir, FollowAcrossRotations) {
  // Files of ~30 entries, enough of them kept that the reader never loses one.
  follow_while_writing({.max_size = 2000, .max_files = 1000}, 3000, std::nullopt, true);
  EXPECT_GT(rotated_files(), 50);
}

TEST_F(LogDir, FollowWithTail) {
  follow_while_writing({.max_size = 2000, .max_files = 1000}, 1000, 2, true);
}

// Entries may be rotated away before the reader gets to them; what it shows stays ordered.
TEST_F(LogDir, FollowAcrossFastRotations) {
  follow_while_writing({.max_size = 1000, .max_files = 2}, 3000, std::nullopt, false);
}

TEST_F(LogDir, FollowAcrossTruncation) {
  follow_while_writing({.max_size = 1000, .max_files = 1}, 3000, std::nullopt, false);
}

TEST_F(LogDir, FollowBeforeTheLogExists) {
  std::atomic<bool> done{false};
  std::thread writer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    LogWriter w = open_writer();
    write_numbers(w, 0, 3);
    done = true;
  });
  LogQuery q;
  q.follow = true;
  auto es = read(q, [&] { return done.load(); });
  writer.join();
  EXPECT_EQ(numbers(es), range(0, 3));
}

TEST_F(LogDir, FollowStopsAtUntil) {
  LogWriter w = open_writer();
  write_numbers(w, 0, 3);
  LogQuery q;
  q.follow = true;
  q.until_ns = 1 * kS;  // long past: follow returns at once
  EXPECT_EQ(numbers(read(q, [] { return false; })), range(0, 2));
}

}  // namespace
}  // namespace hako::engine
