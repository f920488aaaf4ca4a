#include "shim/log_writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>

#include "base/strings.h"
#include "sys/file.h"

namespace hako::shim {

namespace {

// go-units' FromHumanSize: "<number>[ ][kmgtp][i][b]", decimal multipliers whatever the "i".
std::optional<int64_t> parse_human_size(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
  if (i == 0) return std::nullopt;
  if (i < s.size() && s[i] == '.') {
    size_t frac = ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == frac) return std::nullopt;
  }
  double number = std::strtod(std::string(s.substr(0, i)).c_str(), nullptr);
  std::string_view unit = s.substr(i);
  if (!unit.empty() && unit[0] == ' ') unit.remove_prefix(1);
  double mult = 1;
  if (!unit.empty()) {
    static constexpr std::string_view kPrefixes = "kmgtp";
    size_t p = kPrefixes.find(static_cast<char>(unit[0] | 0x20));
    if (p != std::string_view::npos) {
      mult = std::pow(1000.0, static_cast<double>(p + 1));
      unit.remove_prefix(1);
    }
  }
  if (!unit.empty() && (unit[0] | 0x20) == 'i') unit.remove_prefix(1);
  if (!unit.empty() && (unit[0] | 0x20) == 'b') unit.remove_prefix(1);
  if (!unit.empty()) return std::nullopt;
  double bytes = number * mult;
  if (!(bytes < 9.2e18)) return std::nullopt;
  return static_cast<int64_t>(bytes);
}

// Go's utf8.DecodeRune: the length of the valid sequence at s[i], or 0 if the byte there
// starts no valid one (overlong forms, surrogates and code points past U+10FFFF included).
size_t utf8_sequence(std::string_view s, size_t i) {
  auto at = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  auto cont = [&](size_t k, unsigned lo = 0x80, unsigned hi = 0xBF) {
    return k < s.size() && at(k) >= lo && at(k) <= hi;
  };
  unsigned b = at(i);
  if (b < 0x80) return 1;
  if (b >= 0xC2 && b <= 0xDF) return cont(i + 1) ? 2 : 0;
  if (b >= 0xE0 && b <= 0xEF) {
    unsigned lo = b == 0xE0 ? 0xA0 : 0x80, hi = b == 0xED ? 0x9F : 0xBF;
    return cont(i + 1, lo, hi) && cont(i + 2) ? 3 : 0;
  }
  if (b >= 0xF0 && b <= 0xF4) {
    unsigned lo = b == 0xF0 ? 0x90 : 0x80, hi = b == 0xF4 ? 0x8F : 0xBF;
    return cont(i + 1, lo, hi) && cont(i + 2) && cont(i + 3) ? 4 : 0;
  }
  return 0;
}

// Docker's jsonlog escaper (ffjsonWriteJSONBytesAsString), byte for byte.
void append_json_string(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  size_t start = 0;
  auto flush_to = [&](size_t i) { out.append(s.data() + start, i - start); };
  for (size_t i = 0; i < s.size();) {
    auto b = static_cast<unsigned char>(s[i]);
    if (b < 0x80) {
      if (b >= 0x20 && b != '\\' && b != '"' && b != '<' && b != '>' && b != '&') {
        ++i;
        continue;
      }
      flush_to(i);
      if (b == '\\' || b == '"') {
        out += '\\';
        out += static_cast<char>(b);
      } else if (b == '\n') {
        out += "\\n";
      } else if (b == '\r') {
        out += "\\r";
      } else {
        out += "\\u00";
        out += kHex[b >> 4];
        out += kHex[b & 0xF];
      }
      start = ++i;
      continue;
    }
    size_t n = utf8_sequence(s, i);
    if (n == 0) {
      flush_to(i);
      out += "\\ufffd";
      start = ++i;
      continue;
    }
    // U+2028 and U+2029 (E2 80 A8/A9) end lines in JavaScript: escaped, as Go does.
    if (n == 3 && b == 0xE2 && static_cast<unsigned char>(s[i + 1]) == 0x80 &&
        (static_cast<unsigned char>(s[i + 2]) & 0xFE) == 0xA8) {
      flush_to(i);
      out += "\\u202";
      out += kHex[static_cast<unsigned char>(s[i + 2]) == 0xA8 ? 8 : 9];
      start = i += 3;
      continue;
    }
    i += n;
  }
  flush_to(s.size());
  out += '"';
}

// Go's time.RFC3339Nano in UTC: the fraction without trailing zeros, none if zero.
void append_time(std::string& out, struct timespec t) {
  time_t sec = t.tv_sec;
  struct tm tm {};
  ::gmtime_r(&sec, &tm);
  char buf[64];
  int n = std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900,
                        tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  out.append(buf, static_cast<size_t>(n));
  if (t.tv_nsec > 0) {
    n = std::snprintf(buf, sizeof buf, ".%09ld", static_cast<long>(t.tv_nsec));
    while (n > 1 && buf[n - 1] == '0') --n;
    out.append(buf, static_cast<size_t>(n));
  }
  out += 'Z';
}

// Where to cut a chunk of `limit` bytes from s[off..] so that a valid UTF-8 sequence is not
// split across two entries (each half would become U+FFFD when escaped).
size_t chunk_end(std::string_view s, size_t off, size_t limit) {
  size_t cut = off + limit;
  size_t k = cut;
  while (k > off && k + 3 > cut && (static_cast<unsigned char>(s[k]) & 0xC0) == 0x80) --k;
  if (k > off && k < cut && utf8_sequence(s, k) > cut - k) return k;
  return cut;
}

}  // namespace

Result<LogLimits> parse_log_opts(const std::map<std::string, std::string>& opts) {
  LogLimits limits;
  for (const auto& [key, value] : opts) {
    if (key == "max-size") {
      if (value == "-1") {
        limits.max_size = -1;  // hako's way to ask for an unbounded log
        continue;
      }
      std::optional<int64_t> size = parse_human_size(value);
      if (!size) return invalid_argument("invalid size: '" + value + "'");
      if (*size <= 0) return invalid_argument("max-size must be a positive number");
      limits.max_size = *size;
    } else if (key == "max-file") {
      std::optional<int64_t> n = parse_int64(value);
      if (!n) return invalid_argument("invalid max-file '" + value + "': not a number");
      if (*n < 1) return invalid_argument("max-file cannot be less than 1");
      if (*n > 1000) return invalid_argument("max-file " + value + " is too large (at most 1000)");
      limits.max_files = static_cast<int>(*n);
    } else if (key == "compress" && value == "false") {
    } else if (key == "compress" || key == "labels" || key == "labels-regex" || key == "env" ||
               key == "env-regex" || key == "tag") {
      return not_implemented("log opt '" + key + "' is not supported by hako yet");
    } else {
      return invalid_argument("unknown log opt '" + key + "' for json-file log driver");
    }
  }
  return limits;
}

std::string format_log_line(Stream s, std::string_view text, struct timespec time) {
  std::string line;
  line.reserve(text.size() + 80);
  line += "{\"log\":";
  append_json_string(line, text);
  line += s == Stream::kStdout ? ",\"stream\":\"stdout\",\"time\":\""
                               : ",\"stream\":\"stderr\",\"time\":\"";
  append_time(line, time);
  line += "\"}\n";
  return line;
}

Result<LogWriter> LogWriter::open(std::string path, LogLimits limits) {
  HAKO_TRY_ASSIGN(UniqueFd fd, sys::open_path(path, O_RDWR | O_APPEND | O_CREAT, 0640));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return sys_error("stat " + path);
  LogWriter w(std::move(path), limits, std::move(fd), st.st_size);
  // A shim killed mid-write left half an entry: end that line, so the next entry is whole
  // (readers skip the garbage line rather than losing the entry glued to it).
  if (st.st_size > 0) {
    char last = 0;
    if (::pread(w.fd_.get(), &last, 1, st.st_size - 1) != 1) return sys_error("read " + w.path_);
    if (last != '\n') {
      HAKO_TRY(sys::write_all(w.fd_.get(), "\n", w.path_));
      ++w.size_;
    }
  }
  return w;
}

Status LogWriter::write(Stream s, std::string_view bytes, struct timespec now) {
  Pending& p = pending_[s == Stream::kStdout ? 0 : 1];
  while (!bytes.empty()) {
    size_t nl = bytes.find('\n');
    bool complete = nl != std::string_view::npos;
    std::string_view piece = bytes.substr(0, complete ? nl + 1 : bytes.size());
    bytes.remove_prefix(piece.size());
    if (p.bytes.empty() && complete && piece.size() <= kMaxLogLine + 1) {
      HAKO_TRY(add_entry(s, piece, now));
      continue;
    }
    p.bytes.append(piece);
    // Longer than an entry holds: 16 KiB parts, all with the time of the first, as Docker.
    std::string_view text(p.bytes);
    size_t off = 0;
    while (text.size() - (complete ? 1 : 0) - off > kMaxLogLine) {
      if (!p.split) p.time = now;
      p.split = true;
      size_t end = chunk_end(text, off, kMaxLogLine);
      HAKO_TRY(add_entry(s, text.substr(off, end - off), p.time));
      off = end;
    }
    if (complete) {
      HAKO_TRY(add_entry(s, text.substr(off), p.split ? p.time : now));
      p.bytes.clear();
      p.split = false;
    } else {
      p.bytes.erase(0, off);
    }
  }
  return write_out();
}

Status LogWriter::flush(struct timespec now) {
  for (int i = 0; i < 2; ++i) {
    Pending& p = pending_[i];
    if (p.bytes.empty()) continue;
    HAKO_TRY(
        add_entry(i == 0 ? Stream::kStdout : Stream::kStderr, p.bytes, p.split ? p.time : now));
    p.bytes.clear();
    p.split = false;
  }
  return write_out();
}

Status LogWriter::add_entry(Stream s, std::string_view text, struct timespec time) {
  std::string line = format_log_line(s, text, time);
  int64_t used = size_ + static_cast<int64_t>(out_.size());
  if (limits_.max_size > 0 && used > 0 &&
      used + static_cast<int64_t>(line.size()) > limits_.max_size) {
    HAKO_TRY(write_out());
    HAKO_TRY(rotate());
  }
  out_ += line;
  return ok();
}

Status LogWriter::write_out() {
  if (out_.empty()) return ok();
  Status st = sys::write_all(fd_.get(), out_, path_);
  size_ += static_cast<int64_t>(out_.size());
  out_.clear();  // on an error too: a full disk must not grow the shim's memory
  return st;
}

Status LogWriter::rotate() {
  if (limits_.max_files <= 1) {
    if (::ftruncate(fd_.get(), 0) != 0) return sys_error("truncate " + path_);
    size_ = 0;
    return ok();
  }
  for (int i = limits_.max_files - 1; i >= 2; --i) {
    std::string from = path_ + "." + std::to_string(i - 1);
    std::string to = path_ + "." + std::to_string(i);
    if (::rename(from.c_str(), to.c_str()) != 0 && errno != ENOENT)
      return sys_error("rotate " + from);
  }
  std::string first = path_ + ".1";
  if (::rename(path_.c_str(), first.c_str()) != 0) return sys_error("rotate " + path_);
  HAKO_TRY_ASSIGN(fd_, sys::open_path(path_, O_RDWR | O_APPEND | O_CREAT | O_TRUNC, 0640));
  size_ = 0;
  return ok();
}

}  // namespace hako::shim
