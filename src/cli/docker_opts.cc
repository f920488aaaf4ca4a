#include "cli/docker_opts.h"

#include <arpa/inet.h>
#include <unistd.h>

#include <cstdlib>
#include <map>
#include <set>

#include "base/strings.h"
#include "cli/units.h"
#include "json/reader.h"
#include "sys/file.h"

namespace hako::cli {

using nlohmann::json;

namespace {

std::string quote(std::string_view s) { return "\"" + std::string(s) + "\""; }

std::optional<std::string> getenv_string(const std::string& name) {
  const char* v = std::getenv(name.c_str());
  if (!v) return std::nullopt;
  return std::string(v);
}

// strings.Cut.
bool cut(std::string_view s, char sep, std::string& before, std::string& after) {
  size_t pos = s.find(sep);
  if (pos == std::string_view::npos) {
    before = std::string(s);
    after.clear();
    return false;
  }
  before = std::string(s.substr(0, pos));
  after = std::string(s.substr(pos + 1));
  return true;
}

bool is_abs(std::string_view p) { return !p.empty() && p[0] == '/'; }

// filepath.Abs for the "./x" and "." sources the docker CLI resolves against the working dir.
std::string absolute_if_dot(const std::string& p) {
  if (p != "." && !starts_with(p, "./")) return p;
  char buf[4096];
  if (!::getcwd(buf, sizeof buf)) return p;
  return clean_path(std::string(buf) + "/" + p);
}

// Go encoding/csv for one record: ',' separated, '"' quoted fields with "" as a quote.
Result<std::vector<std::string>> read_csv_record(std::string_view s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (true) {
    std::string field;
    if (i < s.size() && s[i] == '"') {
      ++i;
      while (true) {
        if (i >= s.size()) return invalid_argument("extraneous or missing \" in quoted-field");
        if (s[i] == '"') {
          if (i + 1 < s.size() && s[i + 1] == '"') {
            field += '"';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        field += s[i++];
      }
      if (i < s.size() && s[i] != ',')
        return invalid_argument("extraneous or missing \" in quoted-field");
    } else {
      while (i < s.size() && s[i] != ',') {
        if (s[i] == '"') return invalid_argument("bare \" in non-quoted-field");
        field += s[i++];
      }
    }
    out.push_back(std::move(field));
    if (i >= s.size()) return out;
    ++i;  // the comma
  }
}

bool is_valid_ip(const std::string& s) {
  unsigned char buf[16];
  return ::inet_pton(AF_INET, s.c_str(), buf) == 1 || ::inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

// The daemon's linuxValidMountMode: comma-separated, at most one of each kind.
bool is_valid_mount_mode(const std::string& mode) {
  if (mode.empty()) return true;
  static const std::map<std::string, int> kKinds = {
      {"rw", 0},       {"ro", 0},     {"z", 1},         {"Z", 1},         {"private", 2},
      {"rprivate", 2}, {"shared", 2}, {"rshared", 2},   {"slave", 2},     {"rslave", 2},
      {"nocopy", 3},   {"cached", 4}, {"delegated", 4}, {"consistent", 4}};
  int counts[5] = {};
  for (const auto& o : split(mode, ',')) {
    auto it = kKinds.find(o);
    if (it == kKinds.end() || ++counts[it->second] > 1) return false;
  }
  return true;
}

// go-connections nat.ParsePortRange.
Result<std::pair<uint64_t, uint64_t>> parse_port_range(const std::string& ports) {
  if (ports.empty()) return invalid_argument("empty string specified for ports");
  auto one = [](const std::string& p) -> Result<uint64_t> {
    auto v = parse_uint64(p);
    if (!v || *v > 65535)
      return invalid_argument("strconv.ParseUint: parsing " + quote(p) + ": invalid syntax");
    return *v;
  };
  if (ports.find('-') == std::string::npos) {
    HAKO_TRY_ASSIGN(uint64_t p, one(ports));
    return std::pair{p, p};
  }
  auto parts = split(ports, '-');
  HAKO_TRY_ASSIGN(uint64_t start, one(parts[0]));
  HAKO_TRY_ASSIGN(uint64_t end, one(parts[1]));
  if (end < start) return invalid_argument("invalid range specified for the Port: " + ports);
  return std::pair{start, end};
}

// nat.SplitProtoPort: "80/udp" → {"udp", "80"}; "80" → {"tcp", "80"}.
std::pair<std::string, std::string> split_proto_port(const std::string& raw) {
  auto parts = split(raw, '/');
  if (raw.empty() || parts[0].empty()) return {"", ""};
  if (parts.size() == 1) return {"tcp", raw};
  if (parts[1].empty()) return {"tcp", parts[0]};
  return {parts[1], parts[0]};
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// nat.ParsePortSpec for one short-syntax spec.
Status parse_port_spec(const std::string& raw, json& exposed, json& bindings) {
  auto parts = split(raw, ':');
  size_t n = parts.size();
  std::string ip, host_port, container_port = parts[n - 1];
  if (n == 2) {
    host_port = parts[0];
  } else if (n >= 3) {
    host_port = parts[n - 2];
    parts.resize(n - 2);
    ip = join(parts, ":");
  }
  auto [proto, cport] = split_proto_port(container_port);
  container_port = cport;
  if (!ip.empty() && ip[0] == '[') {
    if (ip.back() != ']')
      return invalid_argument("invalid IP address " + ip + ": missing ']' in address");
    ip = ip.substr(1, ip.size() - 2);
  }
  if (!ip.empty() && !is_valid_ip(ip)) return invalid_argument("invalid IP address: " + ip);
  if (container_port.empty()) return invalid_argument("no port specified: " + raw + "<empty>");
  auto crange = parse_port_range(container_port);
  if (!crange) return invalid_argument("invalid containerPort: " + container_port);
  auto [start, end] = *crange;
  uint64_t host_start = 0, host_end = 0;
  if (!host_port.empty()) {
    auto hrange = parse_port_range(host_port);
    if (!hrange) return invalid_argument("invalid hostPort: " + host_port);
    std::tie(host_start, host_end) = *hrange;
    // A host range with a single container port is the range to allocate the host port from.
    if (end - start != host_end - host_start && end != start)
      return invalid_argument("invalid ranges specified for container and host Ports: " +
                              container_port + " and " + host_port);
  }
  std::string p = lower(proto);
  if (p != "tcp" && p != "udp" && p != "sctp") return invalid_argument("invalid proto: " + proto);
  for (uint64_t i = 0; i <= end - start; ++i) {
    std::string key = std::to_string(start + i) + "/" + p;
    std::string hp;
    if (!host_port.empty()) hp = std::to_string(host_start + i);
    if (start == end && host_start != host_end) hp += "-" + std::to_string(host_end);
    exposed[key] = json::object();
    bindings[key].push_back({{"HostIp", ip}, {"HostPort", hp}});
  }
  return ok();
}

}  // namespace

Result<int64_t> parse_go_int(std::string_view s, int bits) {
  auto bad = [&](const char* why) {
    return invalid_argument("strconv.ParseInt: parsing " + quote(s) + ": " + why);
  };
  std::string_view d = s;
  bool negative = false;
  if (!d.empty() && (d[0] == '+' || d[0] == '-')) {
    negative = d[0] == '-';
    d.remove_prefix(1);
  }
  int base = 10;
  if (d.size() > 1 && d[0] == '0') {
    char p = static_cast<char>(d[1] | 0x20);
    if (p == 'x' || p == 'o' || p == 'b') {
      base = p == 'x' ? 16 : p == 'o' ? 8 : 2;
      d.remove_prefix(2);
    } else {
      base = 8;
      d.remove_prefix(1);
    }
  }
  if (d.empty()) return bad("invalid syntax");
  const uint64_t limit = (uint64_t{1} << (bits - 1));
  uint64_t v = 0;
  for (char c : d) {
    int digit;
    if (c >= '0' && c <= '9')
      digit = c - '0';
    else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
      digit = (c | 0x20) - 'a' + 10;
    else
      return bad("invalid syntax");
    if (digit >= base) return bad("invalid syntax");
    if (v > limit / static_cast<uint64_t>(base)) return bad("value out of range");
    v = v * static_cast<uint64_t>(base) + static_cast<uint64_t>(digit);
    if (v > limit) return bad("value out of range");
  }
  if (negative ? v > limit : v >= limit) return bad("value out of range");
  if (negative) return v == limit ? -static_cast<int64_t>(v - 1) - 1 : -static_cast<int64_t>(v);
  return static_cast<int64_t>(v);
}

std::optional<bool> parse_go_bool(std::string_view s) {
  if (s == "1" || s == "t" || s == "T" || s == "TRUE" || s == "true" || s == "True") return true;
  if (s == "0" || s == "f" || s == "F" || s == "FALSE" || s == "false" || s == "False")
    return false;
  return std::nullopt;
}

std::string clean_path(std::string_view p) {
  if (p.empty()) return ".";
  bool rooted = p[0] == '/';
  std::vector<std::string> out;
  for (const auto& part : split(p, '/')) {
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (!out.empty() && out.back() != "..")
        out.pop_back();
      else if (!rooted)
        out.push_back("..");
      continue;
    }
    out.push_back(part);
  }
  std::string s = (rooted ? "/" : "") + join(out, "/");
  return s.empty() ? "." : s;
}

Result<std::optional<std::string>> validate_env(const std::string& value) {
  std::string key, val;
  bool has_value = cut(value, '=', key, val);
  if (key.empty()) return invalid_argument("invalid environment variable: " + value);
  if (has_value) return std::optional<std::string>(value);
  // Docker sends a bare "NAME" that the daemon then leaves out of the process's environment;
  // dropping it here keeps every Env entry "K=V".
  auto from_env = getenv_string(key);
  if (!from_env) return std::optional<std::string>();
  return std::optional<std::string>(key + "=" + *from_env);
}

std::vector<std::string> normalize_capabilities(const std::vector<std::string>& caps) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const auto& c : caps) {
    std::string cap(trim(c));
    for (char& ch : cap) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    if (cap != "ALL" && cap != "RESET" && !starts_with(cap, "CAP_")) cap = "CAP_" + cap;
    if (seen.insert(cap).second) out.push_back(cap);
  }
  return out;
}

Result<std::vector<std::string>> read_kv_file(const std::string& path, bool from_env) {
  auto text = sys::read_file(path);
  // A missing file is the user's argument at fault (exit 125), whatever the errno says.
  if (!text)
    return invalid_argument(std::string(from_env ? "--env-file: " : "--label-file: ") +
                            text.error().message());
  const std::string kind = from_env ? "invalid env file" : "invalid label file";
  std::vector<std::string> out;
  auto lines = split(*text, '\n');
  for (size_t n = 0; n < lines.size(); ++n) {
    std::string_view line = lines[n];
    if (n == 0 && starts_with(line, "\xEF\xBB\xBF")) line.remove_prefix(3);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);  // bufio.ScanLines
    size_t first = line.find_first_not_of(" \t\n\v\f\r");
    if (first == std::string_view::npos) continue;
    line.remove_prefix(first);
    if (line[0] == '#') continue;
    std::string key, val;
    bool has_value = cut(line, '=', key, val);
    if (key.find_first_of(" \t\n\v\f\r") != std::string::npos)
      return invalid_argument(kind + " (" + path + "): variable '" + key +
                              "' contains whitespaces");
    if (key.empty())
      return invalid_argument(kind + " (" + path + "): no variable name on line '" +
                              std::string(line) + "'");
    if (has_value) {
      out.push_back(key + "=" + val);
    } else if (from_env) {
      if (auto v = getenv_string(key)) out.push_back(key + "=" + *v);
    }
  }
  return out;
}

Result<json> parse_restart_policy(const std::string& value) {
  json policy = {{"Name", ""}, {"MaximumRetryCount", 0}};
  if (value.empty()) return policy;
  std::string name, count_text;
  int64_t count = 0;
  if (cut(value, ':', name, count_text)) {
    auto n = parse_int64(count_text);
    if (!n)
      return invalid_argument(
          "invalid restart policy format: maximum retry count must be an integer");
    count = *n;
  }
  // The daemon's checks (its ValidateRestartPolicy), made here so a typo fails before anything
  // is created.
  if (name == "always" || name == "unless-stopped" || name == "no") {
    if (count != 0)
      return invalid_argument(
          "invalid restart policy: maximum retry count can only be used with 'on-failure'");
  } else if (name == "on-failure") {
    if (count < 0)
      return invalid_argument("invalid restart policy: maximum retry count cannot be negative");
  } else {
    return invalid_argument("invalid restart policy: unknown policy '" + name +
                            "'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'");
  }
  policy["Name"] = name;
  policy["MaximumRetryCount"] = count;
  return policy;
}

Result<json> parse_ulimit(const std::string& value) {
  static const std::set<std::string> kNames = {
      "core",   "cpu",   "data", "fsize",  "locks",  "memlock",    "msgqueue", "nice",
      "nofile", "nproc", "rss",  "rtprio", "rttime", "sigpending", "stack"};
  std::string name, limits;
  if (!cut(value, '=', name, limits)) return invalid_argument("invalid ulimit argument: " + value);
  if (!kNames.count(name)) return invalid_argument("invalid ulimit type: " + name);
  auto vals = split(limits, ':');
  if (vals.size() > 2)
    return invalid_argument("too many limit value arguments - " + limits +
                            ", can only have up to two, `soft[:hard]`");
  auto number = [](const std::string& s) -> Result<int64_t> {
    auto v = parse_int64(s);
    if (!v) return invalid_argument("strconv.ParseInt: parsing " + quote(s) + ": invalid syntax");
    return *v;
  };
  HAKO_TRY_ASSIGN(int64_t soft, number(vals[0]));
  int64_t hard = soft;
  if (vals.size() == 2) {
    HAKO_TRY_ASSIGN(hard, number(vals[1]));
  }
  if (hard != -1 && soft > hard)
    return invalid_argument("ulimit soft limit must be less than or equal to hard limit: " +
                            std::to_string(soft) + " > " + std::to_string(hard));
  return json{{"Name", name}, {"Soft", soft}, {"Hard", hard}};
}

Result<json> parse_device(const std::string& value) {
  auto valid_mode = [](const std::string& m) {
    if (m.empty()) return false;
    std::set<char> seen;
    for (char c : m)
      if ((c != 'r' && c != 'w' && c != 'm') || !seen.insert(c).second) return false;
    return true;
  };
  // validateLinuxPath, then parseLinuxDevice (cli/command/container/opts.go).
  auto bad_format = [&] { return invalid_argument("bad format for path: " + value); };
  auto parts = split(value, ':');
  if (parts.size() > 3 || parts[0].empty()) return bad_format();
  std::string src = parts[0], dst, perms = "rwm";
  if (parts.size() == 2) {
    if (valid_mode(parts[1]))
      perms = parts[1];
    else
      dst = parts[1];
  } else if (parts.size() == 3) {
    if (!valid_mode(parts[2])) return invalid_argument("bad mode specified: " + parts[2]);
    dst = parts[1];
    perms = parts[2];
  }
  if (parts.size() == 1 || !dst.empty()) {
    std::string checked = dst.empty() ? src : dst;
    if (!is_abs(checked)) return invalid_argument(checked + " is not an absolute path");
  }
  if (dst.empty())
    src = clean_path(src);
  else
    dst = clean_path(dst);
  return json{{"PathOnHost", src},
              {"PathInContainer", dst.empty() ? src : dst},
              {"CgroupPermissions", perms}};
}

Result<json> parse_mount(const std::string& value) {
  HAKO_TRY_ASSIGN(auto fields, read_csv_record(value));
  json m = {{"Type", "volume"}};
  json bind, vol, tmpfs;
  auto set_on_map = [](json& target, const std::string& kv) {
    std::string k, v;
    cut(kv, '=', k, v);
    target[k] = v;
  };
  auto invalid_value = [](const std::string& key, const std::string& v) {
    return invalid_argument("invalid value for " + key + ": " + v);
  };
  for (const auto& field : fields) {
    std::string key, val;
    bool has_value = cut(field, '=', key, val);
    key = lower(key);
    if (!has_value) {
      if (key == "readonly" || key == "ro") {
        m["ReadOnly"] = true;
        continue;
      }
      if (key == "volume-nocopy") {
        vol["NoCopy"] = true;
        continue;
      }
      if (key == "bind-nonrecursive") {
        bind["NonRecursive"] = true;
        continue;
      }
      return invalid_argument("invalid field '" + field + "' must be a key=value pair");
    }
    if (key == "type") {
      m["Type"] = lower(val);
    } else if (key == "source" || key == "src") {
      m["Source"] = absolute_if_dot(val);
    } else if (key == "target" || key == "dst" || key == "destination") {
      m["Target"] = val;
    } else if (key == "readonly" || key == "ro") {
      auto b = parse_go_bool(val);
      if (!b) return invalid_value(key, val);
      m["ReadOnly"] = *b;
    } else if (key == "consistency") {
      m["Consistency"] = lower(val);
    } else if (key == "bind-propagation") {
      bind["Propagation"] = lower(val);
    } else if (key == "bind-nonrecursive") {
      auto b = parse_go_bool(val);
      if (!b) return invalid_value(key, val);
      bind["NonRecursive"] = *b;
    } else if (key == "volume-nocopy") {
      auto b = parse_go_bool(val);
      if (!b) return invalid_argument("invalid value for volume-nocopy: " + val);
      vol["NoCopy"] = *b;
    } else if (key == "volume-label") {
      set_on_map(vol["Labels"], val);
    } else if (key == "volume-driver") {
      vol["DriverConfig"]["Name"] = val;
    } else if (key == "volume-opt") {
      set_on_map(vol["DriverConfig"]["Options"], val);
    } else if (key == "tmpfs-size") {
      auto size = ram_in_bytes(val);
      if (!size) return invalid_value(key, val);
      tmpfs["SizeBytes"] = *size;
    } else if (key == "tmpfs-mode") {
      char* end = nullptr;
      unsigned long mode = std::strtoul(val.c_str(), &end, 8);
      if (val.empty() || *end != '\0' || val[0] == '-' || val[0] == '+' || mode > 0xffffffffUL)
        return invalid_value(key, val);
      tmpfs["Mode"] = mode;
    } else {
      return invalid_argument("unexpected key '" + key + "' in '" + field + "'");
    }
  }
  const std::string type = m["Type"];
  if (type.empty()) return invalid_argument("type is required");
  if (!m.contains("Target") || m["Target"].get<std::string>().empty())
    return invalid_argument("target is required");
  if (!vol.is_null() && type != "volume")
    return invalid_argument("cannot mix 'volume-*' options with mount type '" + type + "'");
  if (!bind.is_null() && type != "bind")
    return invalid_argument("cannot mix 'bind-*' options with mount type '" + type + "'");
  if (!tmpfs.is_null() && type != "tmpfs")
    return invalid_argument("cannot mix 'tmpfs-*' options with mount type '" + type + "'");
  if (!bind.is_null()) m["BindOptions"] = bind;
  if (!vol.is_null()) {
    // As the docker CLI, which creates an empty DriverConfig with any volume option.
    if (!vol.contains("DriverConfig")) vol["DriverConfig"] = json::object();
    m["VolumeOptions"] = vol;
  }
  if (!tmpfs.is_null()) m["TmpfsOptions"] = tmpfs;
  return m;
}

Result<json> parse_throttle_device(const std::string& value, bool bytes) {
  std::string path, rate;
  if (!cut(value, ':', path, rate) || rate.find(':') != std::string::npos)
    return invalid_argument("bad format: " + value);
  if (!starts_with(path, "/dev/")) return invalid_argument("bad format for device path: " + value);
  int64_t n = 0;
  if (bytes) {
    auto r = ram_in_bytes(rate);
    if (!r || *r < 0)
      return invalid_argument("invalid rate for device: " + value +
                              ". The correct format is <device-path>:<number>[<unit>]. Number "
                              "must be a positive integer. Unit is optional and can be kb, mb, "
                              "or gb");
    n = *r;
  } else {
    auto r = parse_uint64(rate);
    if (!r)
      return invalid_argument("invalid rate for device: " + value +
                              ". The correct format is <device-path>:<number>. Number must be a "
                              "positive integer");
    n = static_cast<int64_t>(*r);
  }
  return json{{"Path", path}, {"Rate", n}};
}

Result<std::optional<std::string>> parse_volume(const std::string& value) {
  auto spec_error = [&](const std::string& why = "") {
    return invalid_argument("invalid volume specification: '" + value + "'" +
                            (why.empty() ? "" : ": " + why));
  };
  auto check_target = [&](const std::string& type, const std::string& target) -> Status {
    if (target.empty()) return spec_error("field Target must not be empty");
    if (!is_abs(target))
      return spec_error("invalid mount config for type \"" + type + "\": invalid mount path: '" +
                        target + "' mount path must be absolute");
    if (clean_path(target) == "/")
      return spec_error("invalid specification: destination can't be '/'");
    return ok();
  };
  if (value.empty()) return invalid_argument("invalid empty volume spec");
  auto parts = split(value, ':');
  // The docker CLI treats a spec with a non-empty first section before a ':' as a bind or named
  // volume (HostConfig.Binds), anything else as an anonymous volume (Config.Volumes).
  if (parts.size() == 1 || parts[0].empty() || value.size() <= 2) {
    if (parts.size() > 1) return spec_error();
    HAKO_TRY(check_target("volume", value));
    return std::optional<std::string>();
  }
  // The daemon's rules (volume/mounts/linux_parser.go ParseMountRaw).
  std::string mode;
  if (parts.size() == 2 && is_valid_mount_mode(parts[1])) return spec_error();
  if (parts.size() > 3) return spec_error();
  if (parts.size() == 3) mode = parts[2];
  if (!is_valid_mount_mode(mode)) return invalid_argument("invalid mode: " + mode);
  std::string source = absolute_if_dot(parts[0]);
  HAKO_TRY(check_target(is_abs(source) ? "bind" : "volume", parts[1]));
  parts[0] = source;
  return std::optional<std::string>(join(parts, ":"));
}

Status parse_ports(const std::vector<std::string>& publish, const std::vector<std::string>& expose,
                   json& exposed_ports, json& port_bindings) {
  for (const auto& spec : publish) {
    std::string standard = spec;
    if (spec.find('=') != std::string::npos) {
      // The long syntax, as convertToStandardNotation: "published:target/protocol".
      std::map<std::string, std::string> params = {{"protocol", "tcp"}};
      for (const auto& param : split(spec, ',')) {
        auto kv = split(param, '=');
        if (kv.size() < 2)
          return invalid_argument("invalid publish opts format (should be name=value but got '" +
                                  param + "')");
        params[kv[0]] = kv[1];
      }
      standard = params["published"] + ":" + params["target"] + "/" + params["protocol"];
    }
    HAKO_TRY(parse_port_spec(standard, exposed_ports, port_bindings));
  }
  for (const auto& e : expose) {
    if (e.find(':') != std::string::npos)
      return invalid_argument("invalid port format for --expose: " + e);
    auto [proto, port] = split_proto_port(e);
    auto range = parse_port_range(port);
    if (!range)
      return invalid_argument("invalid range format for --expose: " + e +
                              ", error: " + range.error().message());
    for (uint64_t p = range->first; p <= range->second; ++p)
      exposed_ports[std::to_string(p) + "/" + proto] = json::object();
  }
  return ok();
}

Result<std::string> validate_extra_host(const std::string& value) {
  // Docker 25 accepts "host=ip" beside the older "host:ip" (split at the first ':' so an IPv6
  // address stays whole), and "[::1]" brackets.
  std::string host, ip;
  bool has = cut(value, '=', host, ip);
  if (!has) has = cut(value, ':', host, ip);
  if (!has || host.empty()) return invalid_argument("bad format for add-host: " + quote(value));
  if (ip.size() > 2 && ip.front() == '[' && ip.back() == ']') ip = ip.substr(1, ip.size() - 2);
  if (ip != "host-gateway" && !is_valid_ip(ip))
    return invalid_argument("invalid IP address in add-host: " + quote(ip));
  return host + ":" + ip;
}

Result<std::string> validate_ip(const std::string& value) {
  std::string ip(trim(value));
  if (!is_valid_ip(ip)) return invalid_argument("IP address is not correctly formatted: " + value);
  return ip;
}

Status validate_sysctl(const std::string& value) {
  static const std::set<std::string> kAllowed = {
      "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
      "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced"};
  std::string key, val;
  if (cut(value, '=', key, val) &&
      (kAllowed.count(key) || starts_with(key, "net.") || starts_with(key, "fs.mqueue.")))
    return ok();
  return invalid_argument("sysctl '" + value + "' is not allowed");
}

Result<std::vector<std::string>> parse_security_opts(const std::vector<std::string>& values) {
  std::vector<std::string> out;
  for (const auto& opt : values) {
    std::string key, val;
    bool has = cut(opt, '=', key, val);
    if (!has && key != "no-new-privileges") has = cut(opt, ':', key, val);
    if ((!has || val.empty()) && key != "no-new-privileges")
      return invalid_argument("Invalid --security-opt: " + quote(opt));
    if (key == "seccomp" && val != "unconfined" && val != "builtin") {
      // The daemon never sees the path: the CLI sends the profile itself, compacted.
      auto text = sys::read_file(val);
      if (!text)
        return invalid_argument("opening seccomp profile (" + val +
                                ") failed: " + text.error().message());
      auto doc = hako::json::parse(*text, "seccomp profile");
      if (!doc)
        return invalid_argument("compacting json for seccomp profile (" + val +
                                ") failed: " + doc.error().message());
      out.push_back("seccomp=" + doc->dump());
      continue;
    }
    out.push_back(opt);
  }
  return out;
}

}  // namespace hako::cli
