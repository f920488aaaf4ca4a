#include "format/functions.h"

#include <cstdint>
#include <optional>
#include <string>

#include "format/go_print.h"

namespace hako::format {
namespace {

using Json = nlohmann::json;

constexpr size_t kVariadic = SIZE_MAX;
constexpr size_t kMaxSplitParts = 1u << 20;

Error wrong_type(std::string_view expected, const Json& got) {
  return invalid_argument("wrong type for value; expected " + std::string(expected) + "; got " +
                          go_type_name(got));
}

Result<std::string_view> want_string(const Ref& r) {
  if (!r->is_string()) return wrong_type("string", *r);
  return std::string_view(r->get_ref<const std::string&>());
}

// Go's untyped integer constants: a float literal with an integral value (5.0) is an int too.
Result<int64_t> want_int(const Ref& r) {
  if (r->is_number_unsigned()) {
    if (r->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) return wrong_type("int", *r);
    return static_cast<int64_t>(r->get<uint64_t>());
  }
  if (r->is_number_integer()) return r->get<int64_t>();
  if (r->is_number_float()) {
    double d = r->get<double>();
    if (d == static_cast<double>(static_cast<int64_t>(d))) return static_cast<int64_t>(d);
  }
  return wrong_type("int", *r);
}

Result<Ref> string_result(std::optional<std::string> s) {
  if (!s || s->size() > kMaxOutputBytes) return invalid_argument("result exceeds 64 MiB");
  return make_ref(std::move(*s));
}

std::vector<const Json*> raw(const std::vector<Ref>& args, size_t from) {
  std::vector<const Json*> out;
  for (size_t i = from; i < args.size(); ++i) out.push_back(args[i].get());
  return out;
}

// -1, 0, 1; numbers compare by value whatever their JSON representation.
int compare_numbers(const Json& a, const Json& b) {
  if (a.is_number_integer() && b.is_number_integer()) {
    auto wide = [](const Json& v) -> __int128 {
      return v.is_number_unsigned() ? static_cast<__int128>(v.get<uint64_t>())
                                    : static_cast<__int128>(v.get<int64_t>());
    };
    __int128 x = wide(a), y = wide(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  double x = a.get<double>(), y = b.get<double>();
  return x < y ? -1 : x > y ? 1 : 0;
}

Result<bool> basic_equal(const Json& a, const Json& b) {
  if (a.is_null() || b.is_null()) return a.is_null() && b.is_null();
  if (a.is_structured()) return invalid_argument("non-comparable type " + go_type_name(a));
  if (b.is_structured()) return invalid_argument("non-comparable type " + go_type_name(b));
  if (a.is_number() && b.is_number()) return compare_numbers(a, b) == 0;
  if (a.type() != b.type()) return invalid_argument("incompatible types for comparison");
  return a == b;
}

Result<int> basic_order(const Json& a, const Json& b) {
  if (a.is_number() && b.is_number()) return compare_numbers(a, b);
  if (a.is_string() && b.is_string()) {
    int c = a.get_ref<const std::string&>().compare(b.get_ref<const std::string&>());
    return c < 0 ? -1 : c > 0 ? 1 : 0;
  }
  bool a_ok = a.is_number() || a.is_string(), b_ok = b.is_number() || b.is_string();
  if (a_ok && b_ok) return invalid_argument("incompatible types for comparison");
  return invalid_argument("invalid type for comparison");
}

Result<Ref> fn_eq(const std::vector<Ref>& a) {
  if (a.size() < 2) return invalid_argument("missing argument for comparison");
  for (size_t i = 1; i < a.size(); ++i) {
    HAKO_TRY_ASSIGN(bool eq, basic_equal(*a[0], *a[i]));
    if (eq) return make_ref(true);
  }
  return make_ref(false);
}

Result<Ref> fn_ne(const std::vector<Ref>& a) {
  HAKO_TRY_ASSIGN(bool eq, basic_equal(*a[0], *a[1]));
  return make_ref(!eq);
}

template <bool (*Pred)(int)>
Result<Ref> fn_order(const std::vector<Ref>& a) {
  HAKO_TRY_ASSIGN(int c, basic_order(*a[0], *a[1]));
  return make_ref(Pred(c));
}
bool pred_lt(int c) { return c < 0; }
bool pred_le(int c) { return c <= 0; }
bool pred_gt(int c) { return c > 0; }
bool pred_ge(int c) { return c >= 0; }

Result<Ref> fn_not(const std::vector<Ref>& a) { return make_ref(!is_true(*a[0])); }

Result<Ref> fn_len(const std::vector<Ref>& a) {
  const Json& v = *a[0];
  if (v.is_null()) return invalid_argument("len of nil pointer");
  if (v.is_string()) return make_ref(static_cast<int64_t>(v.get_ref<const std::string&>().size()));
  if (v.is_structured()) return make_ref(static_cast<int64_t>(v.size()));
  return invalid_argument("len of type " + go_type_name(v));
}

// Whether a JSON object came from a Go map[string]string (Docker's Labels, Attributes,
// Options): all its values are strings (an empty one too, as Labels is).
bool is_string_map(const Json& v) {
  for (const auto& e : v)
    if (!e.is_string()) return false;
  return true;
}

Result<Ref> fn_index(const std::vector<Ref>& a) {
  Ref cur = a[0];
  for (size_t k = 1; k < a.size(); ++k) {
    const Json& v = *cur;
    const Json& idx = *a[k];
    if (v.is_null()) return invalid_argument("index of untyped nil");
    if (v.is_object()) {
      if (!idx.is_string())
        return invalid_argument("value has type " + go_type_name(idx) + "; should be string");
      // A missing key gives the map's zero value, as Go's index does: "" for
      // map[string]string, the nil interface (<no value>) for any other.
      auto it = v.find(idx.get_ref<const std::string&>());
      if (it != v.end()) {
        cur = alias_ref(cur, *it);
      } else {
        cur = is_string_map(v) ? make_ref(std::string()) : null_ref();
      }
      continue;
    }
    if (!v.is_array() && !v.is_string())
      return invalid_argument("can't index item of type " + go_type_name(v));
    if (!idx.is_number_integer())
      return invalid_argument("cannot index slice/array with type " + go_type_name(idx));
    size_t n = v.is_array() ? v.size() : v.get_ref<const std::string&>().size();
    bool neg = !idx.is_number_unsigned() && idx.get<int64_t>() < 0;
    if (neg || idx.get<uint64_t>() >= n)
      return invalid_argument("index out of range: " + idx.dump());
    auto i = idx.get<uint64_t>();
    if (v.is_array()) {
      cur = alias_ref(cur, v[i]);
    } else {  // indexing a string yields a byte, as in Go
      cur = make_ref(
          static_cast<int64_t>(static_cast<unsigned char>(v.get_ref<const std::string&>()[i])));
    }
  }
  return cur;
}

Result<Ref> fn_print(const std::vector<Ref>& a) {
  return string_result(go_sprint(raw(a, 0), kMaxOutputBytes));
}
Result<Ref> fn_println(const std::vector<Ref>& a) {
  return string_result(go_sprintln(raw(a, 0), kMaxOutputBytes));
}
Result<Ref> fn_printf(const std::vector<Ref>& a) {
  HAKO_TRY_ASSIGN(std::string_view f, want_string(a[0]));
  return string_result(go_sprintf(f, raw(a, 1), kMaxOutputBytes));
}

// Docker's json: encoding/json of the value, compact, without HTML escaping.
Result<Ref> fn_json(const std::vector<Ref>& a) {
  return string_result(a[0]->dump(-1, ' ', false, Json::error_handler_t::replace));
}

Result<Ref> fn_join(const std::vector<Ref>& a) {
  const Json& list = *a[0];
  if (!list.is_null() && !list.is_array()) return wrong_type("[]string", list);
  HAKO_TRY_ASSIGN(std::string_view sep, want_string(a[1]));
  if (list.is_null()) return make_ref("");
  std::string out;
  for (size_t i = 0; i < list.size(); ++i) {
    if (i > 0) out += sep;
    out += list[i].is_string() ? list[i].get<std::string>() : go_sprint_value(list[i]);
    if (out.size() > kMaxOutputBytes) return invalid_argument("result exceeds 64 MiB");
  }
  return make_ref(std::move(out));
}

Result<Ref> fn_split(const std::vector<Ref>& a) {
  HAKO_TRY_ASSIGN(std::string_view s, want_string(a[0]));
  HAKO_TRY_ASSIGN(std::string_view sep, want_string(a[1]));
  Json out = Json::array();
  auto too_many = [&] { return out.size() >= kMaxSplitParts; };
  if (sep.empty()) {  // Go splits into UTF-8 sequences
    for (size_t i = 0; i < s.size();) {
      size_t n = 1;
      while (i + n < s.size() && (static_cast<unsigned char>(s[i + n]) & 0xC0) == 0x80) ++n;
      if (too_many()) return invalid_argument("split: more than 1048576 parts");
      out.push_back(std::string(s.substr(i, n)));
      i += n;
    }
    return make_ref(std::move(out));
  }
  size_t start = 0;
  while (true) {
    if (too_many()) return invalid_argument("split: more than 1048576 parts");
    size_t k = s.find(sep, start);
    out.push_back(std::string(s.substr(start, k == std::string_view::npos ? k : k - start)));
    if (k == std::string_view::npos) break;
    start = k + sep.size();
  }
  return make_ref(std::move(out));
}

template <char (*Map)(char)>
Result<Ref> fn_map_ascii(const std::vector<Ref>& a) {
  HAKO_TRY_ASSIGN(std::string_view s, want_string(a[0]));
  std::string out(s);
  for (char& c : out) c = Map(c);
  return make_ref(std::move(out));
}
char to_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
char to_upper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; }

// strings.Title: upper-cases the first letter of each word; ASCII punctuation and spaces
// separate words, letters, digits, '_' and non-ASCII bytes do not.
Result<Ref> fn_title(const std::vector<Ref>& a) {
  HAKO_TRY_ASSIGN(std::string_view s, want_string(a[0]));
  std::string out(s);
  bool prev_sep = true;
  for (char& c : out) {
    auto u = static_cast<unsigned char>(c);
    bool word = u >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
                (c >= 'A' && c <= 'Z') || c == '_';
    if (prev_sep && word) c = to_upper(c);
    prev_sep = !word;
  }
  return make_ref(std::move(out));
}

// Docker's truncate cuts at a byte count; hako backs off to a UTF-8 boundary so it never
// produces invalid text.
Result<Ref> fn_truncate(const std::vector<Ref>& a) {
  HAKO_TRY_ASSIGN(std::string_view s, want_string(a[0]));
  HAKO_TRY_ASSIGN(int64_t n, want_int(a[1]));
  if (n < 0) return invalid_argument("truncate: negative length " + std::to_string(n));
  if (s.size() < static_cast<uint64_t>(n)) return a[0];
  size_t cut = static_cast<size_t>(n);
  while (cut > 0 && cut < s.size() && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  return make_ref(std::string(s.substr(0, cut)));
}

Result<Ref> fn_pad(const std::vector<Ref>& a) {
  HAKO_TRY_ASSIGN(std::string_view s, want_string(a[0]));
  HAKO_TRY_ASSIGN(int64_t left, want_int(a[1]));
  HAKO_TRY_ASSIGN(int64_t right, want_int(a[2]));
  if (left < 0 || right < 0) return invalid_argument("pad: negative count");
  if (s.empty()) return a[0];
  if (static_cast<uint64_t>(left) + static_cast<uint64_t>(right) + s.size() > kMaxOutputBytes)
    return invalid_argument("result exceeds 64 MiB");
  return make_ref(std::string(static_cast<size_t>(left), ' ') + std::string(s) +
                  std::string(static_cast<size_t>(right), ' '));
}

constexpr Function kFunctions[] = {
    {"and", 1, kVariadic, true, false, nullptr},
    {"or", 1, kVariadic, true, false, nullptr},
    {"not", 1, 1, false, false, fn_not},
    {"eq", 1, kVariadic, false, false, fn_eq},
    {"ne", 2, 2, false, false, fn_ne},
    {"lt", 2, 2, false, false, fn_order<pred_lt>},
    {"le", 2, 2, false, false, fn_order<pred_le>},
    {"gt", 2, 2, false, false, fn_order<pred_gt>},
    {"ge", 2, 2, false, false, fn_order<pred_ge>},
    {"len", 1, 1, false, false, fn_len},
    {"index", 1, kVariadic, false, false, fn_index},
    {"print", 0, kVariadic, false, false, fn_print},
    {"printf", 1, kVariadic, false, false, fn_printf},
    {"println", 0, kVariadic, false, false, fn_println},
    {"json", 1, 1, false, true, fn_json},
    {"join", 2, 2, false, true, fn_join},
    {"split", 2, 2, false, true, fn_split},
    {"lower", 1, 1, false, true, fn_map_ascii<to_lower>},
    {"upper", 1, 1, false, true, fn_map_ascii<to_upper>},
    {"title", 1, 1, false, true, fn_title},
    {"truncate", 2, 2, false, true, fn_truncate},
    {"pad", 3, 3, false, true, fn_pad},
};

}  // namespace

Ref make_ref(Json v) { return std::make_shared<const Json>(std::move(v)); }
Ref alias_ref(const Ref& owner, const Json& element) { return Ref(owner, &element); }
Ref borrow_ref(const Json& v) { return Ref(Ref(), &v); }
Ref null_ref() {
  static const Json kNull;  // immutable: shared by every null result
  return borrow_ref(kNull);
}

bool is_true(const Json& v) {
  switch (v.type()) {
    case Json::value_t::null:
      return false;
    case Json::value_t::boolean:
      return v.get<bool>();
    case Json::value_t::number_integer:
      return v.get<int64_t>() != 0;
    case Json::value_t::number_unsigned:
      return v.get<uint64_t>() != 0;
    case Json::value_t::number_float:
      return v.get<double>() != 0;
    case Json::value_t::string:
      return !v.get_ref<const std::string&>().empty();
    default:
      return !v.empty();
  }
}

const Function* find_function(std::string_view name) {
  for (const Function& f : kFunctions)
    if (f.name == name) return &f;
  return nullptr;
}

}  // namespace hako::format
