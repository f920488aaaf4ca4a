#include "format/go_print.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace hako::format {
namespace {

using Json = nlohmann::json;

// fmt refuses widths and precisions beyond this (Go's tooLarge).
constexpr int kMaxWidth = 1000000;

struct Spec {
  bool minus = false, plus = false, sharp = false, zero = false, space = false;
  int width = -1;
  int prec = -1;
  std::string verb = "v";
};

size_t rune_count(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

// Right-justifies (or left with '-') to the width in runes, as fmt pads.
std::string pad(std::string s, const Spec& sp) {
  if (sp.width < 0) return s;
  size_t n = rune_count(s);
  if (n >= static_cast<size_t>(sp.width)) return s;
  size_t fill = static_cast<size_t>(sp.width) - n;
  if (sp.minus) return s + std::string(fill, ' ');
  return std::string(fill, sp.zero ? '0' : ' ') + s;
}

std::string bad_verb(const Json& v, const Spec& sp) {
  if (v.is_null()) return "%!" + sp.verb + "(<nil>)";
  return "%!" + sp.verb + "(" + go_type_name(v) + "=" + go_sprint_value(v) + ")";
}

std::string fmt_integer(const Json& v, const Spec& sp) {
  bool neg = v.is_number_integer() && !v.is_number_unsigned() && v.get<int64_t>() < 0;
  uint64_t mag = v.is_number_unsigned() ? v.get<uint64_t>()
                 : neg                  ? 0 - static_cast<uint64_t>(v.get<int64_t>())
                                        : static_cast<uint64_t>(v.get<int64_t>());
  char v0 = sp.verb.size() == 1 ? sp.verb[0] : '?';
  if (v0 == 'c' || v0 == 'q' || v0 == 'U') {
    uint32_t r = mag > 0x10FFFF || neg ? 0xFFFD : static_cast<uint32_t>(mag);
    std::string s;
    if (v0 == 'U') {
      char buf[32];
      std::snprintf(buf, sizeof buf, "U+%04X", r);
      s = buf;
    } else {
      append_utf8(s, r);
      if (v0 == 'q') s = r == '\'' ? "'\\''" : r == '\\' ? "'\\\\'" : "'" + s + "'";
    }
    return pad(std::move(s), sp);
  }
  int base = v0 == 'x' || v0 == 'X' ? 16 : v0 == 'o' ? 8 : v0 == 'b' ? 2 : 10;
  if (base == 10 && v0 != 'd' && v0 != 'v') return bad_verb(v, sp);
  char buf[80];
  auto res = std::to_chars(buf, buf + sizeof buf, mag, base);
  std::string digits(buf, res.ptr);
  if (v0 == 'X')
    for (char& c : digits) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  std::string sign = neg ? "-" : sp.plus ? "+" : sp.space ? " " : "";
  size_t want = 0;
  if (sp.prec >= 0) {
    if (sp.prec == 0 && mag == 0) digits.clear();
    want = static_cast<size_t>(sp.prec);
  } else if (sp.zero && !sp.minus && sp.width > 0) {
    want = static_cast<size_t>(sp.width) - sign.size();  // zeros go after the sign
  }
  if (digits.size() < want) digits.insert(0, want - digits.size(), '0');
  std::string prefix = sp.sharp && base == 16 ? (v0 == 'X' ? "0X" : "0x") : "";
  Spec spaces = sp;
  spaces.zero = false;
  return pad(sign + prefix + digits, spaces);
}

std::string fmt_float(const Json& v, const Spec& sp) {
  double d = v.get<double>();
  char v0 = sp.verb.size() == 1 ? sp.verb[0] : '?';
  std::string s;
  if (std::isnan(d)) {
    s = "NaN";
  } else if (std::isinf(d)) {
    s = d > 0 ? "+Inf" : "-Inf";
  } else if ((v0 == 'v' || v0 == 'g' || v0 == 'G') && sp.prec < 0) {
    s = go_float(d);
    if (v0 == 'G')
      for (char& c : s) c = c == 'e' ? 'E' : c;
  } else if (v0 == 'v' || v0 == 'g' || v0 == 'G' || v0 == 'e' || v0 == 'E' || v0 == 'f' ||
             v0 == 'F') {
    // Widths are bounded (kMaxWidth), but %.1000000f of 1e308 is long: size the buffer.
    int prec = sp.prec < 0 ? 6 : sp.prec;
    auto print = [&](char* buf, size_t size) {
      switch (v0) {
        case 'e':
          return std::snprintf(buf, size, "%.*e", prec, d);
        case 'E':
          return std::snprintf(buf, size, "%.*E", prec, d);
        case 'f':
        case 'F':
          return std::snprintf(buf, size, "%.*f", prec, d);
        case 'G':
          return std::snprintf(buf, size, "%.*G", prec, d);
        default:
          return std::snprintf(buf, size, "%.*g", prec, d);
      }
    };
    int n = print(nullptr, 0);
    s.resize(static_cast<size_t>(n > 0 ? n : 0) + 1);
    print(s.data(), s.size());
    s.resize(s.size() - 1);
  } else {
    return bad_verb(v, sp);
  }
  bool neg = !s.empty() && s[0] == '-';
  if (!neg && s != "NaN" && s[0] != '+' && (sp.plus || sp.space)) s.insert(0, sp.plus ? "+" : " ");
  if (sp.zero && !sp.minus && sp.width > 0 && std::isfinite(d)) {
    size_t at = (s[0] == '-' || s[0] == '+' || s[0] == ' ') ? 1 : 0;
    size_t n = rune_count(s);
    if (n < static_cast<size_t>(sp.width)) s.insert(at, static_cast<size_t>(sp.width) - n, '0');
    return s;
  }
  Spec spaces = sp;
  spaces.zero = false;
  return pad(std::move(s), spaces);
}

std::string fmt_string(const Json& v, const Spec& sp) {
  std::string s = v.get<std::string>();
  if (sp.prec >= 0) {  // precision truncates to that many runes
    size_t runes = 0, k = 0;
    for (; k < s.size(); ++k) {
      if ((static_cast<unsigned char>(s[k]) & 0xC0) != 0x80 &&
          runes++ == static_cast<size_t>(sp.prec))
        break;
    }
    s.resize(k);
  }
  const std::string& verb = sp.verb;
  if (verb == "s" || verb == "v") return pad(std::move(s), sp);
  if (verb == "q") return pad(go_quote(s), sp);
  if (verb == "x" || verb == "X") {
    static constexpr char kLower[] = "0123456789abcdef", kUpper[] = "0123456789ABCDEF";
    const char* digits = verb == "x" ? kLower : kUpper;
    std::string h = sp.sharp && !s.empty() ? (verb == "x" ? "0x" : "0X") : "";
    for (unsigned char c : s) {
      h += digits[c >> 4];
      h += digits[c & 15];
    }
    return pad(std::move(h), sp);
  }
  return bad_verb(v, sp);
}

std::string fmt_value(const Json& v, const Spec& sp) {
  switch (v.type()) {
    case Json::value_t::null:
      return sp.verb == "v" ? pad("<nil>", sp) : bad_verb(v, sp);
    case Json::value_t::boolean:
      if (sp.verb != "v" && sp.verb != "t") return bad_verb(v, sp);
      return pad(v.get<bool>() ? "true" : "false", sp);
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
      return fmt_integer(v, sp);
    case Json::value_t::number_float:
      return fmt_float(v, sp);
    case Json::value_t::string:
      return fmt_string(v, sp);
    case Json::value_t::array: {
      std::string s = "[";
      for (size_t i = 0; i < v.size(); ++i) {
        if (i > 0) s += ' ';
        s += fmt_value(v[i], sp);
      }
      return s + "]";
    }
    case Json::value_t::object: {
      std::string s = "map[";
      bool first = true;
      for (auto it = v.begin(); it != v.end(); ++it) {
        if (!first) s += ' ';
        first = false;
        s += fmt_value(Json(it.key()), sp) + ":" + fmt_value(it.value(), sp);
      }
      return s + "]";
    }
    default:
      return bad_verb(v, sp);
  }
}

// Reads a width or precision given as '*': the next argument, which must be an int.
bool int_from_arg(const std::vector<const Json*>& args, size_t& argi, int& out) {
  if (argi >= args.size()) return false;
  const Json& a = *args[argi++];
  if (!a.is_number_integer()) return false;
  if (a.is_number_unsigned() ? a.get<uint64_t>() > kMaxWidth
                             : std::llabs(a.get<int64_t>()) > kMaxWidth) {
    return false;
  }
  out = static_cast<int>(a.get<int64_t>());
  return true;
}

// Parses flags, width and precision after a '%'; writes BADWIDTH/BADPREC notes into out.
void parse_spec(std::string_view f, size_t& i, const std::vector<const Json*>& args, size_t& argi,
                Spec& sp, std::string& out) {
  for (; i < f.size(); ++i) {
    char c = f[i];
    if (c == '#')
      sp.sharp = true;
    else if (c == '0')
      sp.zero = !sp.minus;
    else if (c == '+')
      sp.plus = true;
    else if (c == ' ')
      sp.space = true;
    else if (c == '-')
      sp.minus = true, sp.zero = false;
    else
      break;
  }
  auto digits = [&](int& out_num) {
    bool any = false, big = false;
    int n = 0;
    while (i < f.size() && f[i] >= '0' && f[i] <= '9') {
      any = true;
      if (!big) n = n * 10 + (f[i] - '0');
      if (n > kMaxWidth) big = true;
      ++i;
    }
    out_num = n;
    return any && !big ? 1 : any ? -1 : 0;
  };
  if (i < f.size() && f[i] == '*') {
    ++i;
    if (!int_from_arg(args, argi, sp.width)) {
      out += "%!(BADWIDTH)";
      sp.width = -1;
    } else if (sp.width < 0) {
      sp.minus = true, sp.zero = false;
      sp.width = -sp.width;
    }
  } else if (int w = 0, r = digits(w); r != 0) {
    if (r < 0)
      out += "%!(BADWIDTH)";
    else
      sp.width = w;
  }
  if (i < f.size() && f[i] == '.') {
    ++i;
    if (i < f.size() && f[i] == '*') {
      ++i;
      if (!int_from_arg(args, argi, sp.prec)) {
        out += "%!(BADPREC)";
        sp.prec = -1;
      } else if (sp.prec < 0) {
        sp.prec = -1;
      }
    } else {
      int p = 0;
      int r = digits(p);
      if (r < 0)
        out += "%!(BADPREC)";
      else
        sp.prec = p;
    }
  }
}

}  // namespace

std::string go_type_name(const Json& v) {
  switch (v.type()) {
    case Json::value_t::null:
      return "<nil>";
    case Json::value_t::boolean:
      return "bool";
    case Json::value_t::number_integer:
      return "int";
    // nlohmann reads every non-negative integer as unsigned; Go's structs hold them as int.
    case Json::value_t::number_unsigned:
      return v.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX) ? "uint64" : "int";
    case Json::value_t::number_float:
      return "float64";
    case Json::value_t::string:
      return "string";
    case Json::value_t::array:
      return "[]interface {}";
    case Json::value_t::object:
      return "map[string]interface {}";
    default:
      return "interface {}";
  }
}

std::string go_float(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "+Inf" : "-Inf";
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  std::string_view sci(buf, static_cast<size_t>(res.ptr - buf));
  bool neg = sci[0] == '-';
  if (neg) sci.remove_prefix(1);
  size_t e = sci.find('e');
  std::string ds;
  for (char c : sci.substr(0, e))
    if (c != '.') ds += c;
  int exp = std::atoi(std::string(sci.substr(e + 1)).c_str());
  std::string s = neg ? "-" : "";
  // strconv's 'g' with the shortest precision switches to %e below 1e-4 and from 1e6 (eprec 6).
  if (exp < -4 || exp >= 6) {
    s += ds[0];
    if (ds.size() > 1) s += "." + ds.substr(1);
    char eb[16];
    std::snprintf(eb, sizeof eb, "e%c%02d", exp < 0 ? '-' : '+', std::abs(exp));
    return s + eb;
  }
  int dp = exp + 1;
  int nd = static_cast<int>(ds.size());
  if (dp <= 0) return s + "0." + std::string(static_cast<size_t>(-dp), '0') + ds;
  if (dp >= nd) return s + ds + std::string(static_cast<size_t>(dp - nd), '0');
  return s + ds.substr(0, static_cast<size_t>(dp)) + "." + ds.substr(static_cast<size_t>(dp));
}

std::string go_quote(std::string_view s) {
  std::string out = "\"";
  for (size_t i = 0; i < s.size();) {
    auto b = static_cast<unsigned char>(s[i]);
    size_t n = b < 0x80 ? 1 : (b >> 5) == 6 ? 2 : (b >> 4) == 14 ? 3 : (b >> 3) == 30 ? 4 : 0;
    bool valid = n > 0 && i + n <= s.size();
    uint32_t r = n == 1 ? b : n == 2 ? (b & 0x1F) : n == 3 ? (b & 0x0F) : (b & 0x07);
    for (size_t k = 1; valid && k < n; ++k) {
      auto cb = static_cast<unsigned char>(s[i + k]);
      valid = (cb >> 6) == 2;
      r = (r << 6) | (cb & 0x3F);
    }
    char buf[16];
    if (!valid) {
      std::snprintf(buf, sizeof buf, "\\x%02x", b);
      out += buf;
      ++i;
      continue;
    }
    switch (r) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\a':
        out += "\\a";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\v':
        out += "\\v";
        break;
      default:
        if (r < 0x20 || r == 0x7F) {
          std::snprintf(buf, sizeof buf, "\\x%02x", r);
          out += buf;
        } else if (r >= 0x80 && r < 0xA0) {
          std::snprintf(buf, sizeof buf, "\\u%04x", r);
          out += buf;
        } else {
          out.append(s.substr(i, n));
        }
    }
    i += n;
  }
  return out + "\"";
}

std::string go_sprint_value(const Json& v) { return fmt_value(v, Spec{}); }

std::optional<std::string> go_sprint(const std::vector<const Json*>& args, size_t limit) {
  std::string out;
  bool prev_string = false;
  for (size_t i = 0; i < args.size(); ++i) {
    bool is_string = args[i]->is_string();
    if (i > 0 && !is_string && !prev_string) out += ' ';
    out += go_sprint_value(*args[i]);
    if (out.size() > limit) return std::nullopt;
    prev_string = is_string;
  }
  return out;
}

std::optional<std::string> go_sprintln(const std::vector<const Json*>& args, size_t limit) {
  std::string out;
  for (size_t i = 0; i < args.size(); ++i) {
    if (i > 0) out += ' ';
    out += go_sprint_value(*args[i]);
    if (out.size() > limit) return std::nullopt;
  }
  return out + "\n";
}

std::optional<std::string> go_sprintf(std::string_view f, const std::vector<const Json*>& args,
                                      size_t limit) {
  std::string out;
  size_t argi = 0;
  size_t i = 0;
  while (i < f.size()) {
    size_t pct = f.find('%', i);
    out.append(f.substr(i, pct == std::string_view::npos ? pct : pct - i));
    if (pct == std::string_view::npos) break;
    i = pct + 1;
    Spec sp;
    parse_spec(f, i, args, argi, sp, out);
    if (i >= f.size()) {
      out += "%!(NOVERB)";
      break;
    }
    auto b = static_cast<unsigned char>(f[i]);
    size_t n = b < 0x80 ? 1 : (b >> 5) == 6 ? 2 : (b >> 4) == 14 ? 3 : 4;
    sp.verb = std::string(f.substr(i, n));
    i += n;
    if (sp.verb == "%") {
      out += '%';
    } else if (argi >= args.size()) {
      out += "%!" + sp.verb + "(MISSING)";
    } else {
      out += fmt_value(*args[argi++], sp);
    }
    if (out.size() > limit) return std::nullopt;
  }
  if (argi < args.size()) {
    out += "%!(EXTRA ";
    for (size_t k = argi; k < args.size(); ++k) {
      if (k > argi) out += ", ";
      out +=
          args[k]->is_null() ? "<nil>" : go_type_name(*args[k]) + "=" + go_sprint_value(*args[k]);
      if (out.size() > limit) return std::nullopt;
    }
    out += ")";
  }
  if (out.size() > limit) return std::nullopt;
  return out;
}

void append_utf8(std::string& out, uint32_t r) {
  if (r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF)) r = 0xFFFD;
  if (r < 0x80) {
    out += static_cast<char>(r);
  } else if (r < 0x800) {
    out += static_cast<char>(0xC0 | (r >> 6));
    out += static_cast<char>(0x80 | (r & 0x3F));
  } else if (r < 0x10000) {
    out += static_cast<char>(0xE0 | (r >> 12));
    out += static_cast<char>(0x80 | ((r >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (r & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (r >> 18));
    out += static_cast<char>(0x80 | ((r >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((r >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (r & 0x3F));
  }
}

}  // namespace hako::format
