#include "engine/log_reader.h"

#include <poll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/unique_fd.h"
#include "engine/log_time.h"
#include "sys/file.h"

namespace hako::engine {

namespace {

constexpr size_t kBlock = 64 * 1024;
// No entry the shim writes comes near this (16 KiB of text, escaped); a longer "line" is
// garbage and is dropped rather than buffered.
constexpr size_t kMaxLine = 1 << 20;
constexpr int kPollMs = 100;

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// A JSON-string decoder for the one shape the shim writes: fast, no allocation per entry
// beyond the strings' own growth.
class LineParser {
 public:
  explicit LineParser(std::string_view s) : s_(s) {}

  void skip_ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\r')) ++i_;
  }
  bool eat(char c) {
    skip_ws();
    if (i_ >= s_.size() || s_[i_] != c) return false;
    ++i_;
    return true;
  }
  bool at_end() {
    skip_ws();
    return i_ == s_.size();
  }
  bool at_string() {
    skip_ws();
    return i_ < s_.size() && s_[i_] == '"';
  }

  // A string at the cursor, decoded into *out.
  bool string(std::string* out) {
    out->clear();
    if (!eat('"')) return false;
    for (;;) {
      size_t run = i_;
      while (i_ < s_.size() && s_[i_] != '"' && s_[i_] != '\\' &&
             static_cast<unsigned char>(s_[i_]) >= 0x20)
        ++i_;
      out->append(s_.data() + run, i_ - run);
      if (i_ >= s_.size() || static_cast<unsigned char>(s_[i_]) < 0x20) return false;
      if (s_[i_++] == '"') return true;
      if (i_ >= s_.size()) return false;
      char e = s_[i_++];
      switch (e) {
        case '"':
        case '\\':
        case '/':
          *out += e;
          break;
        case 'b':
          *out += '\b';
          break;
        case 'f':
          *out += '\f';
          break;
        case 'n':
          *out += '\n';
          break;
        case 'r':
          *out += '\r';
          break;
        case 't':
          *out += '\t';
          break;
        case 'u': {
          uint32_t cp;
          if (!hex4(&cp)) return false;
          if (cp >= 0xD800 && cp <= 0xDBFF && i_ + 1 < s_.size() && s_[i_] == '\\' &&
              s_[i_ + 1] == 'u') {
            size_t save = i_;
            i_ += 2;
            uint32_t lo;
            if (hex4(&lo) && lo >= 0xDC00 && lo <= 0xDFFF) {
              cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            } else {
              i_ = save;
            }
          }
          if (cp >= 0xD800 && cp <= 0xDFFF) cp = 0xFFFD;  // a lone surrogate
          append_utf8(*out, cp);
          break;
        }
        default:
          return false;
      }
    }
  }

 private:
  bool hex4(uint32_t* out) {
    if (i_ + 4 > s_.size()) return false;
    uint32_t v = 0;
    for (int k = 0; k < 4; ++k) {
      char c = s_[i_++];
      v <<= 4;
      if (c >= '0' && c <= '9') {
        v |= static_cast<uint32_t>(c - '0');
      } else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f') {
        v |= static_cast<uint32_t>((c | 0x20) - 'a' + 10);
      } else {
        return false;
      }
    }
    *out = v;
    return true;
  }

  std::string_view s_;
  size_t i_ = 0;
};

bool set_stream(std::string_view name, LogEntry* out) {
  if (name == "stdout") {
    out->stream = Stream::kStdout;
  } else if (name == "stderr") {
    out->stream = Stream::kStderr;
  } else {
    return false;
  }
  return true;
}

// Entries with other fields (Docker's "attrs" object, say) through the general parser.
bool decode_with_nlohmann(std::string_view line, LogEntry* out) {
  nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return false;
  auto log = j.find("log"), stream = j.find("stream"), time = j.find("time");
  if (log == j.end() || stream == j.end() || time == j.end() || !log->is_string() ||
      !stream->is_string() || !time->is_string())
    return false;
  std::optional<int64_t> t = parse_rfc3339_ns(time->get_ref<const std::string&>());
  if (!t || !set_stream(stream->get_ref<const std::string&>(), out)) return false;
  out->text = log->get<std::string>();
  out->time_ns = *t;
  return true;
}

// One log file, read forwards from offset with pread (so that a truncation is seen as the
// size dropping below the offset).
struct LogFile {
  UniqueFd fd;
  dev_t dev = 0;
  ino_t ino = 0;
  int64_t offset = 0;
  std::string partial;    // a line's start, its newline not read yet
  bool skipping = false;  // inside an overlong line: drop up to its newline

  bool same_file(const struct stat& st) const { return st.st_dev == dev && st.st_ino == ino; }
};

std::optional<LogFile> open_log_file(const std::string& path) {
  auto fd = sys::open_path(path, O_RDONLY);
  if (!fd) return std::nullopt;
  struct stat st {};
  if (::fstat(fd->get(), &st) != 0) return std::nullopt;
  LogFile f;
  f.fd = std::move(*fd);
  f.dev = st.st_dev;
  f.ino = st.st_ino;
  return f;
}

std::optional<struct stat> stat_path(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  return st;
}

std::string rotated_name(const std::string& path, int k) { return path + "." + std::to_string(k); }

// Upper bound on rotated files looked for (parse_log_opts allows max-file 1000).
constexpr int kMaxRotated = 1000;

class Reader {
 public:
  Reader(const std::string& path, const LogQuery& q,
         const std::function<Status(const LogEntry&)>& sink)
      : path_(path), q_(q), sink_(sink) {}

  Status run(const std::function<bool()>& done);

 private:
  // Decodes and filters one line; sets stopped_ past --until.
  Status line(std::string_view text);
  bool selected(const LogEntry& e) const {
    if (e.stream == Stream::kStdout ? !q_.stdout : !q_.stderr) return false;
    if (q_.since_ns && e.time_ns < *q_.since_ns) return false;
    if (q_.until_ns && e.time_ns > *q_.until_ns) return false;
    return true;
  }
  // Reads f from its offset to its end, passing complete lines; `final`: the file will not
  // grow, its unterminated last line (if it decodes) is an entry too.
  Status drain(LogFile& f, bool final);
  // Where --tail's entries begin: sets files_ index and offset.
  Status find_tail_start(size_t n, size_t* file, int64_t* offset);
  Status scan_backward(LogFile& f, int64_t end,
                       const std::function<bool(std::string_view, int64_t, int64_t)>& fn);
  // Follow: reads what was added, moving to the file that follows a rotated one.
  Status catch_up(bool final);
  std::optional<LogFile> file_after(const LogFile& f);

  const std::string& path_;
  const LogQuery& q_;
  const std::function<Status(const LogEntry&)>& sink_;
  std::vector<LogFile> files_;  // oldest first; the last is json.log as it was opened
  LogEntry entry_;
  bool stopped_ = false;
};

Status Reader::line(std::string_view text) {
  if (stopped_ || !decode_log_line(text, &entry_)) return ok();
  if (q_.until_ns && entry_.time_ns > *q_.until_ns) {
    stopped_ = true;  // Docker stops at the first entry past --until
    return ok();
  }
  if (!selected(entry_)) return ok();
  return sink_(entry_);
}

Status Reader::drain(LogFile& f, bool final) {
  struct stat st {};
  if (::fstat(f.fd.get(), &st) == 0 && st.st_size < f.offset) {
    // Truncated (max-file 1): the new content starts at 0.
    f.offset = 0;
    f.partial.clear();
    f.skipping = false;
  }
  std::vector<char> buf(kBlock);
  while (!stopped_) {
    ssize_t n = ::pread(f.fd.get(), buf.data(), buf.size(), f.offset);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return sys_error("read " + path_);
    if (n == 0) break;
    f.offset += n;
    std::string_view data(buf.data(), static_cast<size_t>(n));
    for (size_t nl; !stopped_ && (nl = data.find('\n')) != std::string_view::npos;) {
      if (f.skipping) {
        f.skipping = false;
      } else if (!f.partial.empty()) {
        f.partial.append(data.substr(0, nl));
        HAKO_TRY(line(f.partial));
        f.partial.clear();
      } else {
        HAKO_TRY(line(data.substr(0, nl)));
      }
      data.remove_prefix(nl + 1);
    }
    if (stopped_) return ok();
    if (!f.skipping) f.partial.append(data);
    if (f.partial.size() > kMaxLine) {
      f.partial.clear();
      f.skipping = true;
    }
  }
  if (final && !f.partial.empty()) {
    HAKO_TRY(line(f.partial));  // a truncated entry does not decode and is skipped
    f.partial.clear();
  }
  return ok();
}

// Calls fn(line, start, end) for each complete line of f's [0, end) from the last to the first
// (end: the offset of its '\n'), until fn returns false.
Status Reader::scan_backward(LogFile& f, int64_t end,
                             const std::function<bool(std::string_view, int64_t, int64_t)>& fn) {
  std::vector<char> block(kBlock);
  std::string spill;      // a line longer than what the block holds
  int64_t line_end = -1;  // the '\n' that ends the line being looked for
  auto emit = [&](int64_t start, int64_t stop, int64_t block_start, size_t block_len) {
    if (stop <= block_start + static_cast<int64_t>(block_len)) {
      return fn(
          std::string_view(block.data() + (start - block_start), static_cast<size_t>(stop - start)),
          start, stop);
    }
    if (stop - start > static_cast<int64_t>(kMaxLine)) return true;  // garbage: skipped
    spill.resize(static_cast<size_t>(stop - start));
    if (::pread(f.fd.get(), spill.data(), spill.size(), start) !=
        static_cast<ssize_t>(spill.size()))
      return true;
    return fn(spill, start, stop);
  };
  int64_t pos = end;
  size_t len = 0;
  while (pos > 0) {
    len = static_cast<size_t>(std::min<int64_t>(kBlock, pos));
    int64_t block_start = pos - static_cast<int64_t>(len);
    ssize_t n = ::pread(f.fd.get(), block.data(), len, block_start);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return sys_error("read " + path_);
    if (n != static_cast<ssize_t>(len)) return ok();  // truncated under us (max-file 1)
    for (size_t i = len; i-- > 0;) {
      if (block[i] != '\n') continue;
      int64_t off = block_start + static_cast<int64_t>(i);
      if (line_end >= 0 && !emit(off + 1, line_end, block_start, len)) return ok();
      line_end = off;
    }
    pos = block_start;
  }
  if (line_end >= 0) emit(0, line_end, 0, len);  // the first line; the block read last is at 0
  return ok();
}

Status Reader::find_tail_start(size_t n, size_t* file, int64_t* offset) {
  // Nothing found: start after the last complete line of json.log.
  *file = files_.size() - 1;
  *offset = 0;
  bool have_start = false;
  size_t count = 0;
  bool stop = false;
  for (size_t k = files_.size(); k-- > 0 && !stop;) {
    LogFile& f = files_[k];
    struct stat st {};
    if (::fstat(f.fd.get(), &st) != 0) return sys_error("stat " + path_);
    LogEntry e;
    HAKO_TRY(scan_backward(f, st.st_size, [&](std::string_view text, int64_t start, int64_t end) {
      if (!have_start) {  // the last complete line: the start for tail 0
        have_start = true;
        *file = k;
        *offset = end + 1;
      }
      if (count == n) return !(stop = true);
      if (!decode_log_line(text, &e)) return true;
      // Times grow through the log: older than --since, the rest is older still.
      if (q_.since_ns && e.time_ns < *q_.since_ns) return !(stop = true);
      if (selected(e)) {
        ++count;
        *file = k;
        *offset = start;
      }
      return true;
    }));
  }
  return ok();
}

std::optional<LogFile> Reader::file_after(const LogFile& f) {
  // Where the file went: json.log.k; the one after it is json.log.(k-1), or json.log.
  int oldest = 0;
  for (int k = 1; k <= kMaxRotated; ++k) {
    std::optional<struct stat> st = stat_path(rotated_name(path_, k));
    if (!st) break;
    oldest = k;
    if (f.same_file(*st)) return open_log_file(k == 1 ? path_ : rotated_name(path_, k - 1));
  }
  // Gone (rotated past max-file while we read): every rotated file left is newer.
  return open_log_file(oldest > 0 ? rotated_name(path_, oldest) : path_);
}

Status Reader::catch_up(bool final) {
  for (;;) {
    LogFile& cur = files_.back();
    HAKO_TRY(drain(cur, false));
    if (stopped_) return ok();
    std::optional<struct stat> live = stat_path(path_);
    if (live && cur.same_file(*live)) break;
    // Rotated: what it holds was all written before the rename, so it is read to its end.
    std::optional<LogFile> next = file_after(cur);
    if (!next) {
      // Between the writer's rename and its new json.log: the next change wakes us.
      return final ? drain(cur, true) : ok();
    }
    HAKO_TRY(drain(cur, true));
    if (stopped_) return ok();
    files_.back() = std::move(*next);
  }
  if (final) HAKO_TRY(drain(files_.back(), true));
  return ok();
}

struct Inotify {
  UniqueFd fd;
  // Waits for a change in the log's directory or the timeout; then empties the queue.
  void wait(int timeout_ms) const {
    if (!fd) {
      ::poll(nullptr, 0, timeout_ms);
      return;
    }
    pollfd p{fd.get(), POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) > 0) {
      char buf[4096];
      while (::read(fd.get(), buf, sizeof buf) > 0) {
      }
    }
  }
};

Inotify watch_dir(const std::string& path) {
  Inotify in;
  int fd = ::inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
  if (fd < 0) return in;  // out of inotify instances: polling still works
  in.fd.reset(fd);
  size_t slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  if (::inotify_add_watch(
          fd, dir.c_str(),
          IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_CLOSE_WRITE) < 0)
    in.fd.reset();
  return in;
}

int64_t now_ns() {
  struct timespec t {};
  ::clock_gettime(CLOCK_REALTIME, &t);
  return static_cast<int64_t>(t.tv_sec) * 1'000'000'000 + t.tv_nsec;
}

Status Reader::run(const std::function<bool()>& done) {
  // The watch first: a change after the files are opened must wake the follower.
  Inotify inotify;
  if (q_.follow) inotify = watch_dir(path_);
  // json.log first, then .1, .2 ...: a rotation in between shows one file twice (dropped
  // below) rather than skipping one.
  std::vector<LogFile> newest_first;
  if (std::optional<LogFile> live = open_log_file(path_)) newest_first.push_back(std::move(*live));
  for (int k = 1; k <= kMaxRotated; ++k) {
    std::optional<LogFile> f = open_log_file(rotated_name(path_, k));
    if (!f) break;
    bool seen = false;
    for (const LogFile& g : newest_first) seen = seen || (g.dev == f->dev && g.ino == f->ino);
    if (!seen) newest_first.push_back(std::move(*f));
  }
  for (size_t k = newest_first.size(); k-- > 0;) files_.push_back(std::move(newest_first[k]));

  if (files_.empty()) {
    if (!q_.follow) return ok();
    // No log yet: follow from the json.log to come.
    for (;;) {
      bool final = done();
      if (std::optional<LogFile> live = open_log_file(path_)) {
        files_.push_back(std::move(*live));
        break;
      }
      if (final) return ok();
      inotify.wait(kPollMs);
    }
  } else {
    size_t first = 0;
    int64_t offset = 0;
    if (q_.tail) HAKO_TRY(find_tail_start(*q_.tail, &first, &offset));
    files_[first].offset = offset;
    for (size_t k = first; k + 1 < files_.size() && !stopped_; ++k)
      HAKO_TRY(drain(files_[k], true));
    files_.erase(files_.begin(), files_.end() - 1);
  }
  if (!q_.follow) return stopped_ ? ok() : drain(files_.back(), true);
  for (;;) {
    // done() before reading: what was written before it turned true is read in this pass.
    bool final = done() || (q_.until_ns && now_ns() > *q_.until_ns);
    HAKO_TRY(catch_up(final));
    if (stopped_ || final) return ok();
    inotify.wait(kPollMs);
  }
}

}  // namespace

bool decode_log_line(std::string_view line, LogEntry* out) {
  LineParser p(line);
  if (!p.eat('{')) return false;
  bool has_log = false, has_stream = false, has_time = false;
  std::string key, value;
  if (!p.eat('}')) {
    do {
      if (!p.string(&key) || !p.eat(':')) return false;
      if (!p.at_string()) return decode_with_nlohmann(line, out);
      if (key == "log") {
        if (!p.string(&out->text)) return false;
        has_log = true;
      } else {
        if (!p.string(&value)) return false;
        if (key == "stream") {
          if (!set_stream(value, out)) return false;
          has_stream = true;
        } else if (key == "time") {
          std::optional<int64_t> t = parse_rfc3339_ns(value);
          if (!t) return false;
          out->time_ns = *t;
          has_time = true;
        }
      }
    } while (p.eat(','));
    if (!p.eat('}')) return false;
  }
  return p.at_end() && has_log && has_stream && has_time;
}

Status read_logs(const std::string& log_path, const LogQuery& q,
                 const std::function<Status(const LogEntry&)>& sink,
                 const std::function<bool()>& done) {
  Reader r(log_path, q, sink);
  return r.run(done);
}

std::string format_entry(const LogEntry& e, bool timestamps) {
  if (!timestamps) return e.text;
  return format_rfc3339_nano_fixed(e.time_ns) + " " + e.text;
}

}  // namespace hako::engine
