#include "cli/units.h"

#include "engine/live_state.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>

namespace hako::cli {

namespace {

std::string scaled(double size, double base, const char* const* units, size_t count,
                   const char* format) {
  size_t unit = 0;
  while (size >= base && unit + 1 < count) {
    size /= base;
    ++unit;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, format, size, units[unit]);
  return buf;
}

}  // namespace

std::string human_size(int64_t bytes) {
  static const char* kUnits[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};
  return scaled(static_cast<double>(bytes), 1000.0, kUnits, 7, "%.3g%s");
}

std::string bytes_size(uint64_t bytes) {
  static const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  return scaled(static_cast<double>(bytes), 1024.0, kUnits, 7, "%.4g%s");
}

std::string human_duration(int64_t seconds) {
  return engine::human_duration(seconds * 1'000'000'000);
}

std::string time_ago(std::optional<int64_t> unix_seconds, int64_t now) {
  if (!unix_seconds) return "N/A";
  return human_duration(now - *unix_seconds) + " ago";
}

std::optional<int64_t> parse_rfc3339(std::string_view text) {
  std::string s(text);
  struct tm tm {};
  const char* rest = ::strptime(s.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (!rest) return std::nullopt;
  if (*rest == '.')
    for (++rest; *rest >= '0' && *rest <= '9'; ++rest) {
    }
  int64_t offset = 0;
  if (*rest == 'Z' || *rest == 'z') {
    ++rest;
  } else if (*rest == '+' || *rest == '-') {
    int hh = 0, mm = 0;
    if (std::sscanf(rest + 1, "%2d:%2d", &hh, &mm) != 2) return std::nullopt;
    offset = (hh * 3600 + mm * 60) * (*rest == '+' ? 1 : -1);
    rest += 6;
  } else {
    return std::nullopt;
  }
  if (*rest != '\0') return std::nullopt;
  return static_cast<int64_t>(::timegm(&tm)) - offset;
}

std::string format_created_at(int64_t unix_seconds) {
  time_t t = static_cast<time_t>(unix_seconds);
  struct tm tm {};
  ::gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S +0000 UTC", &tm);
  return buf;
}

}  // namespace hako::cli

namespace hako::cli {

Result<int64_t> ram_in_bytes(std::string_view text) {
  // go-units' pattern: ^(\d+(\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$
  auto bad = [&] { return invalid_argument("invalid size: '" + std::string(text) + "'"); };
  auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  size_t i = 0;
  int dots = 0;
  while (i < text.size() && is_digit(text[i])) ++i;
  if (i == 0) return bad();
  while (i + 1 < text.size() && text[i] == '.' && is_digit(text[i + 1])) {
    ++dots;
    for (++i; i < text.size() && is_digit(text[i]);) ++i;
  }
  std::string number(text.substr(0, i));
  if (i < text.size() && text[i] == ' ') ++i;
  double mul = 1;
  if (i < text.size()) {
    switch (text[i] | 0x20) {
      case 'k':
        mul = 1024.0;
        break;
      case 'm':
        mul = 1024.0 * 1024;
        break;
      case 'g':
        mul = 1024.0 * 1024 * 1024;
        break;
      case 't':
        mul = 1024.0 * 1024 * 1024 * 1024;
        break;
      case 'p':
        mul = 1024.0 * 1024 * 1024 * 1024 * 1024;
        break;
      default:
        mul = 0;
    }
    if (mul != 0)
      ++i;
    else
      mul = 1;
  }
  if (i < text.size() && (text[i] | 0x20) == 'i') ++i;
  if (i < text.size() && (text[i] | 0x20) == 'b') ++i;
  if (i != text.size()) return bad();
  // The pattern admits "1.2.3", which Go's ParseFloat then refuses.
  if (dots > 1)
    return invalid_argument("strconv.ParseFloat: parsing \"" + number + "\": invalid syntax");
  double size = std::strtod(number.c_str(), nullptr) * mul;
  if (size >= 9.2e18) return bad();
  return static_cast<int64_t>(size);
}

Result<int64_t> parse_go_duration(std::string_view text) {
  const std::string quoted = "\"" + std::string(text) + "\"";
  auto bad = [&] { return invalid_argument("time: invalid duration " + quoted); };
  auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  std::string_view s = text;
  bool negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s == "0") return int64_t{0};
  if (s.empty()) return bad();
  constexpr uint64_t kMax = uint64_t{1} << 63;
  uint64_t total = 0;
  while (!s.empty()) {
    if (!(s[0] == '.' || is_digit(s[0]))) return bad();
    uint64_t whole = 0;
    size_t i = 0;
    for (; i < s.size() && is_digit(s[i]); ++i) {
      if (whole > (kMax - 1) / 10) return bad();
      whole = whole * 10 + static_cast<uint64_t>(s[i] - '0');
      if (whole > kMax) return bad();
    }
    bool had_whole = i > 0;
    uint64_t frac = 0;
    double scale = 1;
    bool had_frac = false;
    if (i < s.size() && s[i] == '.') {
      ++i;
      size_t start = i;
      bool overflow = false;
      for (; i < s.size() && is_digit(s[i]); ++i) {
        if (overflow || frac > (kMax - 1) / 10) {
          overflow = true;  // Go drops digits it can't hold, as here
          continue;
        }
        frac = frac * 10 + static_cast<uint64_t>(s[i] - '0');
        scale *= 10;
      }
      had_frac = i > start;
    }
    if (!had_whole && !had_frac) return bad();
    size_t u = i;
    while (u < s.size() && s[u] != '.' && !is_digit(s[u])) ++u;
    std::string_view unit = s.substr(i, u - i);
    if (unit.empty()) return invalid_argument("time: missing unit in duration " + quoted);
    uint64_t mult = 0;
    if (unit == "ns")
      mult = 1;
    else if (unit == "us" || unit == "\xc2\xb5s" || unit == "\xce\xbcs")
      mult = 1000;
    else if (unit == "ms")
      mult = 1000 * 1000;
    else if (unit == "s")
      mult = 1000 * 1000 * 1000;
    else if (unit == "m")
      mult = 60ULL * 1000 * 1000 * 1000;
    else if (unit == "h")
      mult = 3600ULL * 1000 * 1000 * 1000;
    else
      return invalid_argument("time: unknown unit \"" + std::string(unit) + "\" in duration " +
                              quoted);
    if (whole > kMax / mult) return bad();
    whole *= mult;
    if (frac > 0) {
      whole +=
          static_cast<uint64_t>(static_cast<double>(frac) * (static_cast<double>(mult) / scale));
      if (whole > kMax) return bad();
    }
    total += whole;
    if (total > kMax) return bad();
    s.remove_prefix(u);
  }
  if (!negative && total == kMax) return bad();
  if (negative && total > 0) return -static_cast<int64_t>(total - 1) - 1;
  return static_cast<int64_t>(total);
}

}  // namespace hako::cli
