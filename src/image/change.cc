#include "image/change.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>
#include <string>
#include <vector>

#include "base/strings.h"
#include "json/reader.h"

namespace hako::image {
namespace {

constexpr std::string_view kSupported =
    "CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD, STOPSIGNAL, USER, VOLUME, WORKDIR";

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool is_name_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool is_name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// The value of `name` in an Env list ("K=V"), the last one winning as in a process.
std::optional<std::string> lookup_env(const std::vector<std::string>& env, std::string_view name) {
  std::optional<std::string> found;
  for (const auto& kv : env) {
    if (kv.size() > name.size() && kv.compare(0, name.size(), name) == 0 && kv[name.size()] == '=')
      found = kv.substr(name.size() + 1);
  }
  return found;
}

// Shell-word processing of a Dockerfile argument: quote removal, escapes and $VAR expansion.
class WordProcessor {
 public:
  explicit WordProcessor(const std::vector<std::string>& env) : env_(env) {}

  Result<std::string> process(std::string_view word) const {
    std::string out;
    size_t i = 0;
    while (i < word.size()) {
      char c = word[i];
      if (c == '\'') {
        size_t end = word.find('\'', i + 1);
        if (end == word.npos)
          return invalid_argument("unexpected end of statement while looking for matching '");
        out.append(word.substr(i + 1, end - i - 1));
        i = end + 1;
      } else if (c == '"') {
        HAKO_TRY_ASSIGN(i, double_quoted(word, i + 1, out));
      } else if (c == '\\') {
        // A trailing backslash escapes nothing and is dropped, as Docker's lexer does.
        if (i + 1 < word.size()) out += word[i + 1];
        i += 2;
      } else if (c == '$') {
        HAKO_TRY_ASSIGN(i, expand(word, i + 1, out));
      } else {
        out += c;
        ++i;
      }
    }
    return out;
  }

 private:
  // From just after the opening quote; returns the index after the closing one.
  Result<size_t> double_quoted(std::string_view word, size_t i, std::string& out) const {
    while (i < word.size()) {
      char c = word[i];
      if (c == '"') return i + 1;
      if (c == '\\' && i + 1 < word.size()) {
        char n = word[i + 1];
        if (n == '"' || n == '\\' || n == '$') {
          out += n;
        } else {
          out += c;
          out += n;
        }
        i += 2;
      } else if (c == '$') {
        HAKO_TRY_ASSIGN(i, expand(word, i + 1, out));
      } else {
        out += c;
        ++i;
      }
    }
    return invalid_argument("unexpected end of statement while looking for matching \"");
  }

  // From just after '$'; returns the index after the variable.
  Result<size_t> expand(std::string_view word, size_t i, std::string& out) const {
    if (i < word.size() && word[i] == '{') return expand_braced(word, i + 1, out);
    if (i >= word.size() || !is_name_start(word[i])) {
      out += '$';
      return i;
    }
    size_t end = i;
    while (end < word.size() && is_name_char(word[end])) ++end;
    if (auto v = lookup_env(env_, word.substr(i, end - i))) out += *v;
    return end;
  }

  Result<size_t> expand_braced(std::string_view word, size_t i, std::string& out) const {
    size_t name_end = i;
    while (name_end < word.size() && is_name_char(word[name_end])) ++name_end;
    std::string_view name = word.substr(i, name_end - i);
    // The closing brace, skipping nested ${...} in the modifier's word.
    size_t close = name_end;
    int depth = 1;
    for (; close < word.size(); ++close) {
      if (word[close] == '{') ++depth;
      if (word[close] == '}' && --depth == 0) break;
    }
    if (close >= word.size())
      return invalid_argument("missing '}' in \"" + std::string(word) + "\"");
    if (name.empty()) return invalid_argument("bad substitution in \"" + std::string(word) + "\"");
    std::optional<std::string> value = lookup_env(env_, name);
    if (name_end == close) {
      if (value) out += *value;
      return close + 1;
    }
    std::string_view mod = word.substr(name_end, close - name_end);
    bool colon = mod[0] == ':';
    if (colon) mod.remove_prefix(1);
    if (mod.empty() || (mod[0] != '-' && mod[0] != '+' && mod[0] != '?'))
      return invalid_argument("unsupported modifier in \"" + std::string(word) + "\"");
    char op = mod[0];
    HAKO_TRY_ASSIGN(std::string arg, process(mod.substr(1)));
    bool set = colon ? (value && !value->empty()) : value.has_value();
    if (op == '-') {
      out += set ? *value : arg;
    } else if (op == '+') {
      if (set) out += arg;
    } else if (!set) {
      return invalid_argument(std::string(name) + ": " +
                              (arg.empty() ? "is not allowed to be unset" : arg));
    } else {
      out += *value;
    }
    return close + 1;
  }

  const std::vector<std::string>& env_;
};

// Splits at unquoted whitespace, keeping quotes and backslashes for the word processor.
std::vector<std::string> split_words(std::string_view s) {
  std::vector<std::string> words;
  std::string cur;
  bool in_word = false;
  char quote = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (!quote && is_space(c)) {
      if (in_word) words.push_back(std::move(cur));
      cur.clear();
      in_word = false;
      continue;
    }
    in_word = true;
    cur += c;
    if (c == '\\' && quote != '\'' && i + 1 < s.size()) {
      cur += s[++i];
    } else if (!quote && (c == '"' || c == '\'')) {
      quote = c;
    } else if (c == quote) {
      quote = 0;
    }
  }
  if (in_word) words.push_back(std::move(cur));
  return words;
}

Result<std::vector<std::string>> process_words(std::string_view s, const WordProcessor& wp) {
  std::vector<std::string> out;
  for (const auto& w : split_words(s)) {
    HAKO_TRY_ASSIGN(std::string p, wp.process(w));
    out.push_back(std::move(p));
  }
  return out;
}

// A JSON array of strings, or nullopt when `s` is not one (then it is the shell form).
std::optional<std::vector<std::string>> parse_json_list(std::string_view s) {
  if (s.empty() || s[0] != '[') return std::nullopt;
  auto v = json::parse(s, "instruction");
  if (!v || !v->is_array()) return std::nullopt;
  std::vector<std::string> out;
  for (const auto& item : *v) {
    if (!item.is_string()) return std::nullopt;
    out.push_back(item.get<std::string>());
  }
  return out;
}

using Pairs = std::vector<std::pair<std::string, std::string>>;

// ENV / LABEL arguments: `k=v ...`, or the legacy `k v` whose value is the rest of the line.
Result<Pairs> parse_pairs(std::string_view kw, std::string_view rest, const WordProcessor& wp) {
  std::vector<std::string> words = split_words(rest);
  if (words.empty()) return invalid_argument(std::string(kw) + " requires at least one argument");
  Pairs pairs;
  if (words[0].find('=') == std::string::npos) {
    size_t key_end = 0;
    while (key_end < rest.size() && !is_space(rest[key_end])) ++key_end;
    std::string_view value = trim(rest.substr(key_end));
    if (value.empty()) return invalid_argument(std::string(kw) + " must have two arguments");
    HAKO_TRY_ASSIGN(std::string k, wp.process(rest.substr(0, key_end)));
    HAKO_TRY_ASSIGN(std::string v, wp.process(value));
    pairs.emplace_back(std::move(k), std::move(v));
  } else {
    for (const auto& w : words) {
      size_t eq = w.find('=');
      if (eq == std::string::npos)
        return invalid_argument("syntax error - can't find = in \"" + w +
                                "\"; must be of the form: name=value");
      HAKO_TRY_ASSIGN(std::string k, wp.process(std::string_view(w).substr(0, eq)));
      HAKO_TRY_ASSIGN(std::string v, wp.process(std::string_view(w).substr(eq + 1)));
      pairs.emplace_back(std::move(k), std::move(v));
    }
  }
  for (const auto& [k, v] : pairs)
    if (k.empty()) return invalid_argument(std::string(kw) + " names can not be blank");
  return pairs;
}

void set_env(std::vector<std::string>& env, const std::string& key, const std::string& value) {
  std::string prefix = key + "=";
  auto it = std::find_if(env.begin(), env.end(),
                         [&](const std::string& kv) { return starts_with(kv, prefix); });
  if (it != env.end()) {
    *it = prefix + value;
  } else {
    env.push_back(prefix + value);
  }
}

Result<std::vector<std::string>> command_line(std::string_view kw, std::string_view rest,
                                              const oci::RunDefaults& config) {
  if (auto list = parse_json_list(rest)) return std::move(*list);
  if (rest.empty()) return invalid_argument(std::string(kw) + " requires at least one argument");
  std::vector<std::string> argv = config.shell;
  if (argv.empty()) argv = {"/bin/sh", "-c"};
  argv.emplace_back(rest);
  return argv;
}

std::optional<uint64_t> parse_port(std::string_view s) {
  auto n = parse_uint64(s);
  if (!n || *n > 65535) return std::nullopt;
  return n;
}

// "80", "80/tcp", "53/UDP", "8000-8002/tcp", "127.0.0.1:8080:80": the container ports.
Status add_exposed(std::set<std::string>& ports, const std::string& spec) {
  std::string_view s = spec;
  std::string proto = "tcp";
  if (size_t slash = s.rfind('/'); slash != s.npos) {
    proto = std::string(s.substr(slash + 1));
    for (char& c : proto) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    s = s.substr(0, slash);
    if (proto.empty()) proto = "tcp";
  }
  if (proto != "tcp" && proto != "udp" && proto != "sctp")
    return invalid_argument("invalid proto: " + proto);
  if (size_t colon = s.rfind(':'); colon != s.npos) s = s.substr(colon + 1);
  std::string_view first = s, last = s;
  if (size_t dash = s.find('-'); dash != s.npos) {
    first = s.substr(0, dash);
    last = s.substr(dash + 1);
  }
  auto lo = parse_port(first), hi = parse_port(last);
  if (!lo || !hi || *lo > *hi) return invalid_argument("invalid containerPort: " + std::string(s));
  for (uint64_t p = *lo; p <= *hi; ++p) ports.insert(std::to_string(p) + "/" + proto);
  return ok();
}

bool is_valid_signal(std::string_view s) {
  if (auto n = parse_uint64(s)) return *n > 0 && *n <= 64;
  std::string name = upper(s);
  if (starts_with(name, "SIG")) name.erase(0, 3);
  static constexpr std::array<std::string_view, 33> kNames = {
      "ABRT", "ALRM", "BUS",  "CHLD", "CLD",  "CONT", "FPE",  "HUP",  "ILL",    "INT",   "IO",
      "IOT",  "KILL", "PIPE", "POLL", "PROF", "PWR",  "QUIT", "SEGV", "STKFLT", "STOP",  "SYS",
      "TERM", "TRAP", "TSTP", "TTIN", "TTOU", "URG",  "USR1", "USR2", "VTALRM", "WINCH", "XCPU"};
  if (std::find(kNames.begin(), kNames.end(), name) != kNames.end()) return true;
  // RTMIN, RTMIN+n, RTMAX-n.
  for (std::string_view rt : {"RTMIN", "RTMAX"}) {
    if (!starts_with(name, rt)) continue;
    std::string_view tail = std::string_view(name).substr(rt.size());
    if (tail.empty()) return true;
    if ((tail[0] == '+' || tail[0] == '-') && parse_uint64(tail.substr(1))) return true;
  }
  return false;
}

Result<std::string> one_argument(std::string_view kw, std::string_view rest,
                                 const WordProcessor& wp) {
  HAKO_TRY_ASSIGN(auto words, process_words(rest, wp));
  if (words.size() != 1)
    return invalid_argument(std::string(kw) + " requires exactly one argument");
  return std::move(words[0]);
}

// "/a/./b/../c" → "/a/c", as Go's filepath.Join cleans it.
std::string clean_path(const std::string& path) {
  std::vector<std::string> parts;
  for (const auto& p : split(path, '/')) {
    if (p.empty() || p == ".") continue;
    if (p == "..") {
      if (!parts.empty()) parts.pop_back();
      continue;
    }
    parts.push_back(p);
  }
  return "/" + join(parts, "/");
}

Status dispatch(const std::string& kw, std::string_view rest, oci::RunDefaults& c) {
  WordProcessor wp(c.env);
  if (kw == "CMD") {
    HAKO_TRY_ASSIGN(c.cmd, command_line(kw, rest, c));
  } else if (kw == "ENTRYPOINT") {
    HAKO_TRY_ASSIGN(c.entrypoint, command_line(kw, rest, c));
  } else if (kw == "ENV") {
    HAKO_TRY_ASSIGN(Pairs pairs, parse_pairs(kw, rest, wp));
    for (const auto& [k, v] : pairs) set_env(c.env, k, v);
  } else if (kw == "LABEL") {
    HAKO_TRY_ASSIGN(Pairs pairs, parse_pairs(kw, rest, wp));
    for (const auto& [k, v] : pairs) c.labels[k] = v;
  } else if (kw == "EXPOSE") {
    HAKO_TRY_ASSIGN(auto specs, process_words(rest, wp));
    if (specs.empty()) return invalid_argument("EXPOSE requires at least one argument");
    for (const auto& s : specs) HAKO_TRY(add_exposed(c.exposed_ports, s));
  } else if (kw == "USER") {
    HAKO_TRY_ASSIGN(c.user, one_argument(kw, rest, wp));
  } else if (kw == "VOLUME") {
    std::vector<std::string> vols;
    if (auto list = parse_json_list(rest)) {
      for (const auto& v : *list) {
        HAKO_TRY_ASSIGN(std::string p, wp.process(v));
        vols.push_back(std::move(p));
      }
    } else {
      HAKO_TRY_ASSIGN(vols, process_words(rest, wp));
    }
    if (vols.empty()) return invalid_argument("VOLUME requires at least one argument");
    for (const auto& v : vols) {
      if (trim(v).empty()) return invalid_argument("VOLUME specified can not be an empty string");
      c.volumes.insert(v);
    }
  } else if (kw == "WORKDIR") {
    HAKO_TRY_ASSIGN(auto words, process_words(rest, wp));
    if (words.empty()) return invalid_argument("WORKDIR requires exactly one argument");
    HAKO_TRY_ASSIGN(std::string dir, wp.process(rest));
    if (dir.empty()) return invalid_argument("WORKDIR requires exactly one argument");
    // Docker keeps an absolute path as written and joins (and cleans) a relative one.
    c.working_dir = dir[0] == '/' ? dir : clean_path(c.working_dir + "/" + dir);
  } else if (kw == "STOPSIGNAL") {
    HAKO_TRY_ASSIGN(std::string sig, one_argument(kw, rest, wp));
    if (!is_valid_signal(sig)) return invalid_argument("invalid signal: " + sig);
    c.stop_signal = sig;
  } else if (kw == "ONBUILD") {
    if (rest.empty()) return invalid_argument("ONBUILD requires at least one argument");
    size_t end = 0;
    while (end < rest.size() && !is_space(rest[end])) ++end;
    std::string trigger = upper(rest.substr(0, end));
    if (trigger == "ONBUILD")
      return invalid_argument("chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
    if (trigger == "FROM" || trigger == "MAINTAINER")
      return invalid_argument(trigger + " isn't allowed as an ONBUILD trigger");
    c.on_build.emplace_back(rest);
  } else {
    return invalid_argument(kw + " is not supported by import (" + std::string(kSupported) +
                            " are)");
  }
  return ok();
}

}  // namespace

Status apply_change(oci::RunDefaults& config, std::string_view instruction) {
  std::string_view text = trim(instruction);
  size_t end = 0;
  while (end < text.size() && !is_space(text[end])) ++end;
  std::string kw = upper(text.substr(0, end));
  std::string_view rest = trim(text.substr(end));
  auto fail = [&](const Error& e) {
    return invalid_argument("invalid --change \"" + std::string(instruction) +
                            "\": " + e.message());
  };
  if (kw.empty()) return fail(invalid_argument("empty instruction"));
  oci::RunDefaults next = config;
  if (auto st = dispatch(kw, rest, next); !st) return fail(st.error());
  config = std::move(next);
  return ok();
}

}  // namespace hako::image
