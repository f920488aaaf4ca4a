#include "engine/log_time.h"

#include <time.h>

#include <cstdio>
#include <limits>

#include "base/strings.h"

namespace hako::engine {

namespace {

constexpr int64_t kSecond = 1'000'000'000;

int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
int64_t days_from_civil(int64_t y, int m, int d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

int days_in_month(int64_t y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

class Cursor {
 public:
  explicit Cursor(std::string_view s) : s_(s) {}
  bool done() const { return i_ == s_.size(); }
  char peek() const { return done() ? '\0' : s_[i_]; }
  bool eat(char c) {
    if (peek() != c) return false;
    ++i_;
    return true;
  }
  // Exactly n digits.
  bool number(int n, int* out) {
    int v = 0;
    for (int k = 0; k < n; ++k) {
      char c = peek();
      if (c < '0' || c > '9') return false;
      v = v * 10 + (c - '0');
      ++i_;
    }
    *out = v;
    return true;
  }
  // One or more digits as nanoseconds of a fraction (digits past the ninth are dropped).
  bool fraction(int64_t* ns) {
    int64_t v = 0;
    int n = 0;
    while (peek() >= '0' && peek() <= '9') {
      if (n++ < 9) v = v * 10 + (peek() - '0');
      ++i_;
    }
    if (n == 0) return false;
    for (int k = n; k < 9; ++k) v *= 10;  // n > 9 left v at nine digits
    *ns = v;
    return true;
  }

 private:
  std::string_view s_;
  size_t i_ = 0;
};

struct DateTime {
  int64_t ns = 0;                 // as if the time were UTC
  std::optional<int64_t> offset;  // the zone's offset east of UTC, in seconds, if given
};

// YYYY-MM-DD[Thh[:mm[:ss[.fraction]]]][Z|±hh:mm]. `full`: the time up to seconds and the zone
// are required (RFC 3339 proper).
std::optional<DateTime> parse_datetime(std::string_view s, bool full) {
  Cursor c(s);
  int year, month, day, hour = 0, minute = 0, second = 0;
  int64_t frac = 0;
  if (!c.number(4, &year) || !c.eat('-') || !c.number(2, &month) || !c.eat('-') ||
      !c.number(2, &day))
    return std::nullopt;
  if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month)) return std::nullopt;
  bool has_time = c.eat('T');
  if (has_time) {
    if (!c.number(2, &hour)) return std::nullopt;
    if (c.eat(':')) {
      if (!c.number(2, &minute)) return std::nullopt;
      if (c.eat(':')) {
        if (!c.number(2, &second)) return std::nullopt;
        if (c.eat('.') && !c.fraction(&frac)) return std::nullopt;
      } else if (full) {
        return std::nullopt;
      }
    } else if (full) {
      return std::nullopt;
    }
    if (hour > 23 || minute > 59 || second > 59) return std::nullopt;
  } else if (full) {
    return std::nullopt;
  }
  DateTime dt;
  if (c.eat('Z') || c.eat('z')) {
    dt.offset = 0;
  } else if (c.peek() == '+' || c.peek() == '-') {
    int sign = c.peek() == '+' ? 1 : -1;
    c.eat(c.peek());
    int oh, om;
    if (!c.number(2, &oh) || !c.eat(':') || !c.number(2, &om) || oh > 23 || om > 59)
      return std::nullopt;
    dt.offset = sign * (oh * 3600 + om * 60);
  } else if (full) {
    return std::nullopt;
  }
  if (!c.done()) return std::nullopt;
  int64_t secs = days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second;
  dt.ns = secs * kSecond + frac;
  return dt;
}

// Go's time.ParseDuration: [-+]?([0-9]*(\.[0-9]*)?unit)+ with units ns us µs μs ms s m h.
std::optional<int64_t> parse_go_duration(std::string_view s) {
  bool negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s == "0") return 0;
  if (s.empty()) return std::nullopt;
  long double total = 0;
  auto is_digit = [](char ch) { return ch >= '0' && ch <= '9'; };
  while (!s.empty()) {
    long double value = 0;
    size_t i = 0;
    for (; i < s.size() && is_digit(s[i]); ++i) value = value * 10 + (s[i] - '0');
    bool digits = i > 0;
    if (i < s.size() && s[i] == '.') {
      long double scale = 0.1L;
      size_t start = ++i;
      for (; i < s.size() && is_digit(s[i]); ++i, scale /= 10) value += (s[i] - '0') * scale;
      digits = digits || i > start;
    }
    if (!digits) return std::nullopt;
    size_t u = i;
    while (u < s.size() && !is_digit(s[u]) && s[u] != '.') ++u;
    std::string_view unit = s.substr(i, u - i);
    long double mult;
    if (unit == "ns") {
      mult = 1;
    } else if (unit == "us" || unit == "\xc2\xb5s" || unit == "\xce\xbcs") {
      mult = 1e3L;
    } else if (unit == "ms") {
      mult = 1e6L;
    } else if (unit == "s") {
      mult = 1e9L;
    } else if (unit == "m") {
      mult = 60e9L;
    } else if (unit == "h") {
      mult = 3600e9L;
    } else {
      return std::nullopt;  // missing or unknown unit
    }
    total += value * mult;
    if (total > static_cast<long double>(std::numeric_limits<int64_t>::max())) return std::nullopt;
    s.remove_prefix(u);
  }
  auto ns = static_cast<int64_t>(total);
  return negative ? -ns : ns;
}

// "1700000000" or "1700000000.5": seconds and a fraction of them.
std::optional<int64_t> parse_unix_timestamp(std::string_view s) {
  size_t dot = s.find('.');
  std::optional<int64_t> secs = parse_int64(s.substr(0, dot));
  if (!secs || *secs > std::numeric_limits<int64_t>::max() / kSecond) return std::nullopt;
  int64_t frac = 0;
  if (dot != std::string_view::npos) {
    Cursor c(s.substr(dot + 1));
    if (!c.fraction(&frac) || !c.done()) return std::nullopt;
  }
  return *secs * kSecond + (*secs < 0 ? -frac : frac);
}

}  // namespace

Result<int64_t> parse_log_time(std::string_view value, int64_t now_ns) {
  if (value != "0") {
    if (std::optional<int64_t> d = parse_go_duration(value)) {
      return floor_div(now_ns - *d, kSecond) * kSecond;  // Docker keeps whole seconds
    }
  }
  if (std::optional<DateTime> dt = parse_datetime(value, false)) {
    int64_t offset = 0;
    if (dt->offset) {
      offset = *dt->offset;
    } else {
      // Docker parses a zone-less time in the zone the client is in now.
      time_t now = static_cast<time_t>(floor_div(now_ns, kSecond));
      struct tm tm {};
      if (::localtime_r(&now, &tm)) offset = tm.tm_gmtoff;
    }
    return dt->ns - offset * kSecond;
  }
  if (value.find('-') == std::string_view::npos) {
    if (std::optional<int64_t> t = parse_unix_timestamp(value)) return *t;
  }
  return invalid_argument("failed to parse value as time or duration: \"" + std::string(value) +
                          "\" (use RFC 3339 like 2026-12-01T10:00:00Z, a Unix timestamp, or a "
                          "duration like 10m)");
}

std::optional<int64_t> parse_rfc3339_ns(std::string_view text) {
  std::optional<DateTime> dt = parse_datetime(text, true);
  if (!dt) return std::nullopt;
  return dt->ns - *dt->offset * kSecond;
}

std::string format_rfc3339_nano_fixed(int64_t ns) {
  time_t secs = static_cast<time_t>(floor_div(ns, kSecond));
  long frac = static_cast<long>(ns - static_cast<int64_t>(secs) * kSecond);
  struct tm tm {};
  ::gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
  return buf;
}

}  // namespace hako::engine
