#include "cli/run_flags.h"

#include <arpa/inet.h>

#include <regex>
#include <set>

#include "base/strings.h"
#include "cli/docker_opts.h"
#include "cli/units.h"

namespace hako::cli {

using nlohmann::json;

namespace {

// pflag's wording for a value its flag refused at parse time.
Error flag_error(const std::string& value, std::string_view flag, const Error& why) {
  return invalid_argument("invalid argument \"" + value + "\" for \"" + std::string(flag) +
                          "\" flag: " + why.message());
}

Result<std::optional<int64_t>> size_flag(const std::string& v, std::string_view flag,
                                         bool minus_one_unlimited = false) {
  if (v.empty()) return std::optional<int64_t>();
  if (minus_one_unlimited && v == "-1") return std::optional<int64_t>(-1);
  auto n = ram_in_bytes(v);
  if (!n) return flag_error(v, flag, n.error());
  return std::optional<int64_t>(*n);
}

Result<std::optional<int64_t>> int_flag(const std::string& v, std::string_view flag,
                                        int bits = 64) {
  if (v.empty()) return std::optional<int64_t>();
  auto n = parse_go_int(v, bits);
  if (!n) return flag_error(v, flag, n.error());
  return std::optional<int64_t>(*n);
}

Result<int64_t> duration_flag(const std::string& v, std::string_view flag) {
  if (v.empty()) return int64_t{0};
  auto n = parse_go_duration(v);
  if (!n) return flag_error(v, flag, n.error());
  return *n;
}

// opts.ParseCPUs: a decimal ("1.5") or a fraction ("3/2") of CPUs, in billionths, exactly.
Result<int64_t> parse_cpus(const std::string& v) {
  auto bad = [&] { return invalid_argument("failed to parse " + v + " as a rational number"); };
  std::string num = v, den = "1";
  if (size_t slash = v.find('/'); slash != std::string::npos) {
    num = v.substr(0, slash);
    den = v.substr(slash + 1);
  }
  bool negative = !num.empty() && num[0] == '-';
  if (negative || (!num.empty() && num[0] == '+')) num.erase(0, 1);
  size_t dot = num.find('.');
  std::string whole = num.substr(0, dot),
              frac = dot == std::string::npos ? "" : num.substr(dot + 1);
  if (whole.empty() && frac.empty()) return bad();
  auto all_digits = [](const std::string& s) {
    return s.find_first_not_of("0123456789") == std::string::npos;
  };
  if (!all_digits(whole) || !all_digits(frac) || den.empty() || !all_digits(den)) return bad();
  while (frac.size() > 9 && frac.back() == '0') frac.pop_back();
  if (frac.size() > 9) return invalid_argument("value is too precise");
  frac.resize(9, '0');
  auto w = parse_int64(whole.empty() ? "0" : whole);
  auto f = parse_int64(frac);
  auto d = parse_int64(den);
  if (!w || !f || !d || *d == 0 || *w > 9'000'000'000) return bad();
  int64_t nano = *w * 1'000'000'000 + *f;
  if (nano % *d != 0) return invalid_argument("value is too precise");
  nano /= *d;
  return negative ? -nano : nano;
}

// opts.ConvertKVStringsToMap.
json kv_map(const std::vector<std::string>& values) {
  json m = json::object();
  for (const auto& kv : values) {
    size_t eq = kv.find('=');
    if (eq == std::string::npos)
      m[kv] = "";
    else
      m[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  return m;
}

void set_if(json& obj, const char* key, const std::string& v) {
  if (!v.empty()) obj[key] = v;
}
void set_if(json& obj, const char* key, const std::vector<std::string>& v) {
  if (!v.empty()) obj[key] = v;
}
void set_if(json& obj, const char* key, const std::optional<int64_t>& v) {
  if (v) obj[key] = *v;
}
void set_if(json& obj, const char* key, bool v) {
  if (v) obj[key] = true;
}

Status add_attach(const RunFlags& f, json& body) {
  std::set<std::string> streams;
  for (const auto& a : f.attach) {
    std::string s = a;
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (s != "stdin" && s != "stdout" && s != "stderr")
      return flag_error(a, "-a, --attach",
                        invalid_argument("valid streams are STDIN, STDOUT and STDERR"));
    streams.insert(s);
  }
  bool in = streams.count("stdin") || f.interactive;
  bool out = streams.count("stdout") || streams.empty();
  bool err = streams.count("stderr") || streams.empty();
  if (f.detach) {
    if (!f.attach.empty()) return invalid_argument("Conflicting options: -a and -d");
    in = out = err = false;
  }
  body["AttachStdin"] = in;
  body["AttachStdout"] = out;
  body["AttachStderr"] = err;
  body["Tty"] = f.tty;
  body["OpenStdin"] = f.interactive;
  // With stdin attached, the container's stdin closes when the client disconnects.
  body["StdinOnce"] = f.interactive && in;
  return ok();
}

Status add_env_and_labels(const RunFlags& f, json& body) {
  std::vector<std::string> env;
  for (const auto& file : f.env_file) {
    HAKO_TRY_ASSIGN(auto lines, read_kv_file(file, true));
    env.insert(env.end(), lines.begin(), lines.end());
  }
  for (const auto& e : f.env) {
    auto v = validate_env(e);
    if (!v) return flag_error(e, "-e, --env", v.error());
    if (*v) env.push_back(**v);
  }
  set_if(body, "Env", env);
  std::vector<std::string> labels;
  for (const auto& file : f.label_file) {
    HAKO_TRY_ASSIGN(auto lines, read_kv_file(file, false));
    labels.insert(labels.end(), lines.begin(), lines.end());
  }
  labels.insert(labels.end(), f.label.begin(), f.label.end());
  if (!labels.empty()) body["Labels"] = kv_map(labels);
  return ok();
}

Status add_healthcheck(const RunFlags& f, json& body) {
  HAKO_TRY_ASSIGN(int64_t interval, duration_flag(f.health_interval, "--health-interval"));
  HAKO_TRY_ASSIGN(int64_t timeout, duration_flag(f.health_timeout, "--health-timeout"));
  HAKO_TRY_ASSIGN(int64_t start, duration_flag(f.health_start_period, "--health-start-period"));
  HAKO_TRY_ASSIGN(auto retries, int_flag(f.health_retries, "--health-retries"));
  int64_t r = retries.value_or(0);
  bool have = !f.health_cmd.empty() || interval != 0 || timeout != 0 || start != 0 || r != 0;
  if (f.no_healthcheck) {
    if (have) return invalid_argument("--no-healthcheck conflicts with --health-* options");
    body["Healthcheck"] = {{"Test", {"NONE"}}};
    return ok();
  }
  if (!have) return ok();
  if (interval < 0) return invalid_argument("--health-interval cannot be negative");
  if (timeout < 0) return invalid_argument("--health-timeout cannot be negative");
  if (r < 0) return invalid_argument("--health-retries cannot be negative");
  if (start < 0) return invalid_argument("--health-start-period cannot be negative");
  json h = json::object();
  if (!f.health_cmd.empty()) h["Test"] = {"CMD-SHELL", f.health_cmd};
  if (interval) h["Interval"] = interval;
  if (timeout) h["Timeout"] = timeout;
  if (start) h["StartPeriod"] = start;
  if (r) h["Retries"] = r;
  body["Healthcheck"] = h;
  return ok();
}

Status add_config(const RunFlags& f, const std::string& image,
                  const std::vector<std::string>& command, json& body) {
  HAKO_TRY(add_attach(f, body));
  body["Image"] = image;
  set_if(body, "Cmd", command);
  // Docker never splits --entrypoint; an empty one resets the image's.
  if (f.entrypoint) body["Entrypoint"] = json::array({*f.entrypoint});
  set_if(body, "Hostname", f.hostname);
  set_if(body, "Domainname", f.domainname);
  set_if(body, "User", f.user);
  set_if(body, "WorkingDir", f.workdir);
  set_if(body, "StopSignal", f.stop_signal);
  HAKO_TRY_ASSIGN(auto stop_timeout, int_flag(f.stop_timeout, "--stop-timeout"));
  set_if(body, "StopTimeout", stop_timeout);
  HAKO_TRY(add_env_and_labels(f, body));
  return add_healthcheck(f, body);
}

Status add_storage(const RunFlags& f, json& body, json& hc) {
  std::vector<std::string> binds;
  for (const auto& v : f.volume) {
    HAKO_TRY_ASSIGN(auto bind, parse_volume(v));
    if (bind)
      binds.push_back(*bind);
    else
      body["Volumes"][v] = json::object();
  }
  set_if(hc, "Binds", binds);
  for (const auto& m : f.mount) {
    auto mount = parse_mount(m);
    if (!mount) return flag_error(m, "--mount", mount.error());
    hc["Mounts"].push_back(*mount);
  }
  for (const auto& t : f.tmpfs) {
    size_t colon = t.find(':');
    if (colon == std::string::npos)
      hc["Tmpfs"][t] = "";
    else
      hc["Tmpfs"][t.substr(0, colon)] = t.substr(colon + 1);
  }
  set_if(hc, "VolumesFrom", f.volumes_from);
  set_if(hc, "ReadonlyRootfs", f.read_only);
  return ok();
}

Status add_resources(const RunFlags& f, json& hc) {
  HAKO_TRY_ASSIGN(auto memory, size_flag(f.memory, "-m, --memory"));
  set_if(hc, "Memory", memory);
  HAKO_TRY_ASSIGN(auto swap, size_flag(f.memory_swap, "--memory-swap", true));
  set_if(hc, "MemorySwap", swap);
  HAKO_TRY_ASSIGN(auto reservation, size_flag(f.memory_reservation, "--memory-reservation"));
  set_if(hc, "MemoryReservation", reservation);
  // Docker 20+ sends it and cgroup v2 daemons ignore it with a warning; the engine does the same.
  HAKO_TRY_ASSIGN(auto kernel, size_flag(f.kernel_memory, "--kernel-memory"));
  set_if(hc, "KernelMemory", kernel);
  HAKO_TRY_ASSIGN(auto shm, size_flag(f.shm_size, "--shm-size"));
  set_if(hc, "ShmSize", shm);
  HAKO_TRY_ASSIGN(auto swappiness, int_flag(f.memory_swappiness, "--memory-swappiness"));
  if (swappiness && *swappiness != -1) {
    if (*swappiness < 0 || *swappiness > 100)
      return invalid_argument("invalid value: " + std::to_string(*swappiness) +
                              ". Valid memory swappiness range is 0-100");
    hc["MemorySwappiness"] = *swappiness;
  }
  if (!f.cpus.empty()) {
    auto nano = parse_cpus(f.cpus);
    if (!nano) return flag_error(f.cpus, "--cpus", nano.error());
    hc["NanoCpus"] = *nano;
  }
  HAKO_TRY_ASSIGN(auto shares, int_flag(f.cpu_shares, "-c, --cpu-shares"));
  set_if(hc, "CpuShares", shares);
  HAKO_TRY_ASSIGN(auto period, int_flag(f.cpu_period, "--cpu-period"));
  set_if(hc, "CpuPeriod", period);
  HAKO_TRY_ASSIGN(auto quota, int_flag(f.cpu_quota, "--cpu-quota"));
  set_if(hc, "CpuQuota", quota);
  set_if(hc, "CpusetCpus", f.cpuset_cpus);
  set_if(hc, "CpusetMems", f.cpuset_mems);
  HAKO_TRY_ASSIGN(auto pids, int_flag(f.pids_limit, "--pids-limit"));
  set_if(hc, "PidsLimit", pids);
  if (!f.blkio_weight.empty()) {
    auto w = parse_uint64(f.blkio_weight);
    if (!w || *w > 65535)
      return flag_error(f.blkio_weight, "--blkio-weight",
                        invalid_argument("strconv.ParseUint: parsing \"" + f.blkio_weight +
                                         "\": invalid syntax"));
    hc["BlkioWeight"] = *w;
  }
  set_if(hc, "CgroupParent", f.cgroup_parent);
  set_if(hc, "OomKillDisable", f.oom_kill_disable);
  HAKO_TRY_ASSIGN(auto oom_adj, int_flag(f.oom_score_adj, "--oom-score-adj"));
  if (oom_adj) {
    if (*oom_adj < -1000 || *oom_adj > 1000)
      return invalid_argument("Invalid value " + std::to_string(*oom_adj) +
                              ", range for oom score adj is [-1000, 1000]");
    hc["OomScoreAdj"] = *oom_adj;
  }
  for (const auto& u : f.ulimit) {
    auto limit = parse_ulimit(u);
    if (!limit) return flag_error(u, "--ulimit", limit.error());
    hc["Ulimits"].push_back(*limit);
  }
  return ok();
}

Status add_devices(const RunFlags& f, json& hc) {
  for (const auto& d : f.device) {
    HAKO_TRY_ASSIGN(json dev, parse_device(d));
    hc["Devices"].push_back(dev);
  }
  static const std::regex kRule(R"(^([acb]) ([0-9]+|\*):([0-9]+|\*) ([rwm]{1,3})$)");
  for (const auto& r : f.device_cgroup_rule) {
    if (!std::regex_match(r, kRule))
      return flag_error(r, "--device-cgroup-rule",
                        invalid_argument("invalid device cgroup format '" + r + "'"));
    hc["DeviceCgroupRules"].push_back(r);
  }
  struct Throttle {
    const std::vector<std::string>& values;
    const char* flag;
    const char* field;
    bool bytes;
  };
  for (const Throttle& t :
       {Throttle{f.device_read_bps, "--device-read-bps", "BlkioDeviceReadBps", true},
        Throttle{f.device_write_bps, "--device-write-bps", "BlkioDeviceWriteBps", true},
        Throttle{f.device_read_iops, "--device-read-iops", "BlkioDeviceReadIOps", false},
        Throttle{f.device_write_iops, "--device-write-iops", "BlkioDeviceWriteIOps", false}}) {
    for (const auto& v : t.values) {
      auto dev = parse_throttle_device(v, t.bytes);
      if (!dev) return flag_error(v, t.flag, dev.error());
      hc[t.field].push_back(*dev);
    }
  }
  return ok();
}

Status add_security(const RunFlags& f, json& hc) {
  set_if(hc, "CapAdd", normalize_capabilities(f.cap_add));
  set_if(hc, "CapDrop", normalize_capabilities(f.cap_drop));
  set_if(hc, "GroupAdd", f.group_add);
  set_if(hc, "Privileged", f.privileged);
  HAKO_TRY_ASSIGN(auto opts, parse_security_opts(f.security_opt));
  std::vector<std::string> kept;
  for (auto& o : opts) {
    // parseSystemPaths: the daemon masks and read-only-mounts nothing when these are empty.
    if (o == "systempaths=unconfined") {
      hc["MaskedPaths"] = json::array();
      hc["ReadonlyPaths"] = json::array();
    } else {
      kept.push_back(std::move(o));
    }
  }
  set_if(hc, "SecurityOpt", kept);
  for (const auto& s : f.sysctl) {
    if (auto st = validate_sysctl(s); !st) return flag_error(s, "--sysctl", st.error());
    size_t eq = s.find('=');
    hc["Sysctls"][s.substr(0, eq)] = s.substr(eq + 1);
  }
  // "remap" is hako's: this container remapped (the engine checks it against hako.json).
  if (!f.userns.empty() && f.userns != "host" && f.userns != "remap")
    return invalid_argument("--userns: invalid USER mode \"" + f.userns + "\" (host or remap)");
  set_if(hc, "UsernsMode", f.userns);
  if (!f.pid.empty() && f.pid != "host" && !(starts_with(f.pid, "container:") && f.pid.size() > 10))
    return invalid_argument("--pid: invalid PID mode");
  set_if(hc, "PidMode", f.pid);
  if (!f.uts.empty() && f.uts != "host") return invalid_argument("--uts: invalid UTS mode");
  set_if(hc, "UTSMode", f.uts);
  if (!f.cgroupns.empty() && f.cgroupns != "host" && f.cgroupns != "private")
    return invalid_argument("--cgroupns: invalid CGROUP mode");
  set_if(hc, "CgroupnsMode", f.cgroupns);
  static const std::set<std::string> kIpc = {"none", "private", "shareable", "host"};
  if (!f.ipc.empty() && !kIpc.count(f.ipc) &&
      !(starts_with(f.ipc, "container:") && f.ipc.size() > 10))
    return invalid_argument("invalid IPC mode: " + f.ipc);
  set_if(hc, "IpcMode", f.ipc);
  return ok();
}

Status add_lifecycle(const RunFlags& f, json& hc) {
  HAKO_TRY_ASSIGN(json policy, parse_restart_policy(f.restart));
  const std::string name = policy["Name"];
  if (f.rm && !name.empty() && name != "no")
    return invalid_argument("conflicting options: cannot specify both --restart and --rm");
  if (!f.restart.empty()) hc["RestartPolicy"] = policy;
  set_if(hc, "AutoRemove", f.rm);
  if (f.init) hc["Init"] = *f.init;
  set_if(hc, "ContainerIDFile", f.cidfile);
  if (f.log_driver == "none" && !f.log_opt.empty())
    return invalid_argument("invalid logging opts for driver none");
  if (!f.log_driver.empty() || !f.log_opt.empty()) {
    hc["LogConfig"] = {{"Type", f.log_driver}, {"Config", kv_map(f.log_opt)}};
  }
  return ok();
}

bool is_user_defined_network(const std::string& mode) {
  return mode != "default" && mode != "bridge" && mode != "host" && mode != "none" &&
         !starts_with(mode, "container:");
}

Status add_network(const RunFlags& f, json& body, json& hc) {
  HAKO_TRY(parse_ports(f.publish, f.expose, body["ExposedPorts"], hc["PortBindings"]));
  if (body["ExposedPorts"].is_null()) body.erase("ExposedPorts");
  if (hc["PortBindings"].is_null()) hc.erase("PortBindings");
  set_if(hc, "PublishAllPorts", f.publish_all);
  std::vector<std::string> dns;
  for (const auto& d : f.dns) {
    auto ip = validate_ip(d);
    if (!ip) return flag_error(d, "--dns", ip.error());
    dns.push_back(*ip);
  }
  set_if(hc, "Dns", dns);
  set_if(hc, "DnsSearch", f.dns_search);
  set_if(hc, "DnsOptions", f.dns_option);
  std::vector<std::string> hosts;
  for (const auto& h : f.add_host) {
    auto host = validate_extra_host(h);
    if (!host) return flag_error(h, "--add-host", host.error());
    hosts.push_back(*host);
  }
  set_if(hc, "ExtraHosts", hosts);

  hc["NetworkMode"] = f.network.empty() ? "default" : f.network[0];
  auto check_ip = [](const std::string& ip, int family, const char* what) -> Status {
    unsigned char buf[16];
    if (!ip.empty() && ::inet_pton(family, ip.c_str(), buf) != 1)
      return invalid_argument(std::string("invalid ") + what + " address: " + ip);
    return ok();
  };
  HAKO_TRY(check_ip(f.ip, AF_INET, "IPv4"));
  HAKO_TRY(check_ip(f.ip6, AF_INET6, "IPv6"));
  if (!f.network_alias.empty() && (f.network.empty() || !is_user_defined_network(f.network[0])))
    return invalid_argument("network-scoped aliases are only supported for user-defined networks");
  json endpoints = json::object();
  bool user_defined = false, builtin = false;
  for (size_t i = 0; i < f.network.size(); ++i) {
    const std::string& n = f.network[i];
    (is_user_defined_network(n) ? user_defined : builtin) = true;
    if (endpoints.contains(n))
      return invalid_argument("network \"" + n + "\" is specified multiple times");
    json ep = json::object();
    // The single-network flags apply to the first network, as Docker's applyContainerOptions.
    if (i == 0) {
      set_if(ep, "Aliases", f.network_alias);
      if (!f.ip.empty()) ep["IPAMConfig"]["IPv4Address"] = f.ip;
      if (!f.ip6.empty()) ep["IPAMConfig"]["IPv6Address"] = f.ip6;
    }
    if (f.network.size() == 1 && ep.empty()) continue;
    endpoints[n] = ep;
  }
  if (user_defined && builtin)
    return invalid_argument(
        "conflicting options: cannot attach both user-defined and non-user-defined "
        "network-modes");
  if (f.network.empty() && (!f.ip.empty() || !f.ip6.empty())) {
    json ep = json::object();
    if (!f.ip.empty()) ep["IPAMConfig"]["IPv4Address"] = f.ip;
    if (!f.ip6.empty()) ep["IPAMConfig"]["IPv6Address"] = f.ip6;
    endpoints["default"] = ep;
  }
  if (!endpoints.empty()) body["NetworkingConfig"] = {{"EndpointsConfig", endpoints}};
  return ok();
}

}  // namespace

void add_run_flags(CLI::App& cmd, RunFlags& f, bool with_run_only) {
  // Docker's -h is --hostname; help is --help only.
  cmd.set_help_flag("--help", "Print usage");
  // Everything from the image on belongs to the container's command, as pflag's
  // SetInterspersed(false): `run busybox ls -l`.
  cmd.prefix_command();
  // main() lets subcommands fall through to the global options; what follows the image must
  // not.
  cmd.fallthrough(false);
  // pflag semantics: a repeated single-valued flag keeps its last value; each occurrence of a
  // list flag takes exactly one value, so `-e A=1 busybox` leaves busybox to the positionals.
  auto one = [&](const std::string& name, std::string& v, const std::string& help) {
    return cmd.add_option(name, v, help)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast)
        ->allow_extra_args(false);
  };
  auto list = [&](const std::string& name, std::vector<std::string>& v, const std::string& help) {
    return cmd.add_option(name, v, help)->allow_extra_args(false);
  };
  auto flag = [&](const std::string& name, bool& v, const std::string& help) {
    return cmd.add_flag(name, v, help);
  };

  if (with_run_only) {
    flag("-d,--detach", f.detach, "Run container in background and print container ID");
    flag("--sig-proxy", f.sig_proxy, "Proxy received signals to the process");
    one("--detach-keys", f.detach_keys, "Override the key sequence for detaching a container");
  }
  flag("--rm", f.rm, "Automatically remove the container when it exits");
  flag("-i,--interactive", f.interactive, "Keep STDIN open even if not attached");
  flag("-t,--tty", f.tty, "Allocate a pseudo-TTY");
  list("-a,--attach", f.attach, "Attach to STDIN, STDOUT or STDERR");
  one("--name", f.name, "Assign a name to the container");
  one("--cidfile", f.cidfile, "Write the container ID to the file");
  one("--pull", f.pull, "Pull image before running (\"always\"|\"missing\"|\"never\")");
  one("--platform", f.platform, "Set platform if server is multi-platform capable");

  list("-e,--env", f.env, "Set environment variables");
  list("--env-file", f.env_file, "Read in a file of environment variables");
  list("-l,--label", f.label, "Set meta data on a container");
  list("--label-file", f.label_file, "Read in a line delimited file of labels");
  one("-w,--workdir", f.workdir, "Working directory inside the container");
  one("-u,--user", f.user, "Username or UID (format: <name|uid>[:<group|gid>])");
  cmd.add_option_function<std::string>(
         "--entrypoint", [&f](const std::string& v) { f.entrypoint = v; },
         "Overwrite the default ENTRYPOINT of the image")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast)
      ->allow_extra_args(false);
  one("-h,--hostname", f.hostname, "Container host name");
  one("--domainname", f.domainname, "Container NIS domain name");
  one("--stop-signal", f.stop_signal, "Signal to stop the container");
  one("--stop-timeout", f.stop_timeout, "Timeout (in seconds) to stop a container");
  one("--health-cmd", f.health_cmd, "Command to run to check health");
  one("--health-interval", f.health_interval, "Time between running the check (ms|s|m|h)");
  one("--health-timeout", f.health_timeout, "Maximum time to allow one check to run");
  one("--health-retries", f.health_retries, "Consecutive failures needed to report unhealthy");
  one("--health-start-period", f.health_start_period,
      "Start period for the container to initialize before starting health-retries countdown");
  flag("--no-healthcheck", f.no_healthcheck, "Disable any container-specified HEALTHCHECK");

  list("-v,--volume", f.volume, "Bind mount a volume");
  list("--mount", f.mount, "Attach a filesystem mount to the container");
  list("--tmpfs", f.tmpfs, "Mount a tmpfs directory");
  list("--volumes-from", f.volumes_from, "Mount volumes from the specified container(s)");
  flag("--read-only", f.read_only, "Mount the container's root filesystem as read only");

  one("-m,--memory", f.memory, "Memory limit");
  one("--memory-swap", f.memory_swap, "Swap limit equal to memory plus swap: '-1' for unlimited");
  one("--memory-reservation", f.memory_reservation, "Memory soft limit");
  one("--memory-swappiness", f.memory_swappiness, "Tune container memory swappiness (0 to 100)");
  one("--kernel-memory", f.kernel_memory, "Kernel memory limit (ignored on cgroup v2)");
  one("--cpus", f.cpus, "Number of CPUs");
  one("-c,--cpu-shares", f.cpu_shares, "CPU shares (relative weight)");
  one("--cpu-period", f.cpu_period, "Limit CPU CFS (Completely Fair Scheduler) period");
  one("--cpu-quota", f.cpu_quota, "Limit CPU CFS (Completely Fair Scheduler) quota");
  one("--cpuset-cpus", f.cpuset_cpus, "CPUs in which to allow execution (0-3, 0,1)");
  one("--cpuset-mems", f.cpuset_mems, "MEMs in which to allow execution (0-3, 0,1)");
  one("--pids-limit", f.pids_limit, "Tune container pids limit (set -1 for unlimited)");
  one("--shm-size", f.shm_size, "Size of /dev/shm");
  one("--blkio-weight", f.blkio_weight, "Block IO (relative weight), between 10 and 1000");
  one("--cgroup-parent", f.cgroup_parent, "Optional parent cgroup for the container");
  flag("--oom-kill-disable", f.oom_kill_disable, "Disable OOM Killer");
  one("--oom-score-adj", f.oom_score_adj, "Tune host's OOM preferences (-1000 to 1000)");
  list("--ulimit", f.ulimit, "Ulimit options");
  list("--device", f.device, "Add a host device to the container");
  list("--device-cgroup-rule", f.device_cgroup_rule, "Add a rule to the cgroup allowed devices");
  list("--device-read-bps", f.device_read_bps, "Limit read rate (bytes per second) from a device");
  list("--device-write-bps", f.device_write_bps, "Limit write rate (bytes per second) to a device");
  list("--device-read-iops", f.device_read_iops, "Limit read rate (IO per second) from a device");
  list("--device-write-iops", f.device_write_iops, "Limit write rate (IO per second) to a device");

  list("--cap-add", f.cap_add, "Add Linux capabilities");
  list("--cap-drop", f.cap_drop, "Drop Linux capabilities");
  list("--security-opt", f.security_opt, "Security Options");
  list("--group-add", f.group_add, "Add additional groups to join");
  list("--sysctl", f.sysctl, "Sysctl options");
  flag("--privileged", f.privileged, "Give extended privileges to this container");
  one("--userns", f.userns, "User namespace to use (host, or remap: hako's, remapped root)");
  one("--ipc", f.ipc, "IPC mode to use");
  one("--pid", f.pid, "PID namespace to use");
  one("--uts", f.uts, "UTS namespace to use");
  one("--cgroupns", f.cgroupns, "Cgroup namespace to use (host|private)");
  // Only sent when given, so the daemon's default applies otherwise; --init=false is valid.
  cmd.add_flag_function(
      "--init", [&f](std::int64_t count) { f.init = count > 0; },
      "Run an init inside the container that forwards signals and reaps processes");

  one("--restart", f.restart, "Restart policy to apply when a container exits");
  one("--log-driver", f.log_driver, "Logging driver for the container");
  list("--log-opt", f.log_opt, "Log driver options");

  list("--network,--net", f.network, "Connect a container to a network");
  list("--network-alias,--net-alias", f.network_alias,
       "Add network-scoped alias for the container");
  one("--ip", f.ip, "IPv4 address (e.g., 172.30.100.104)");
  one("--ip6", f.ip6, "IPv6 address (e.g., 2001:db8::33)");
  list("-p,--publish", f.publish, "Publish a container's port(s) to the host");
  flag("-P,--publish-all", f.publish_all, "Publish all exposed ports to random ports");
  list("--expose", f.expose, "Expose a port or a range of ports");
  list("--add-host", f.add_host, "Add a custom host-to-IP mapping (host:ip)");
  list("--dns", f.dns, "Set custom DNS servers");
  list("--dns-search", f.dns_search, "Set custom DNS search domains");
  list("--dns-option,--dns-opt", f.dns_option, "Set DNS options");
}

std::vector<std::string> split_empty_flag_values(const CLI::App& cmd,
                                                 std::vector<std::string> args) {
  auto takes_value = [&](const std::string& name) -> std::optional<bool> {
    const CLI::Option* opt = cmd.get_option_no_throw(name);
    if (!opt) return std::nullopt;
    return opt->get_items_expected_max() > 0;
  };
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string a = args[i];
    if (a == "--" || a.size() < 2 || a[0] != '-') break;  // the image: the rest is its command
    if (a[1] == '-') {
      size_t eq = a.find('=');
      auto value = takes_value(a.substr(0, eq));
      if (!value) break;  // an unknown flag: split_positionals reports it
      if (eq == std::string::npos) {
        if (*value) ++i;
      } else if (eq + 1 == a.size() && *value) {
        args[i] = a.substr(0, eq);
        args.insert(args.begin() + static_cast<std::ptrdiff_t>(i) + 1, "");
        ++i;
      }
      continue;
    }
    // A cluster of short flags: the first one taking a value takes the rest, or the next arg.
    for (size_t j = 1; j < a.size(); ++j) {
      auto value = takes_value(std::string("-") + a[j]);
      if (!value) return args;
      if (*value) {
        if (j + 1 == a.size()) ++i;
        break;
      }
    }
  }
  return args;
}

Result<Positionals> split_positionals(const std::vector<std::string>& remaining,
                                      const std::string& command_name) {
  if (remaining.empty())
    return invalid_argument("\"" + command_name + "\" requires at least 1 argument");
  const std::string& first = remaining[0];
  if (first.size() > 1 && first[0] == '-') {
    if (first[1] == '-')
      return invalid_argument("unknown flag: " + first.substr(0, first.find('=')));
    return invalid_argument("unknown shorthand flag: '" + first.substr(1, 1) + "' in " + first);
  }
  return Positionals{first, std::vector<std::string>(remaining.begin() + 1, remaining.end())};
}

Result<json> to_create_body(const RunFlags& f, const std::string& image,
                            const std::vector<std::string>& command) {
  if (f.pull != "always" && f.pull != "missing" && f.pull != "never")
    return invalid_argument("invalid pull option: '" + f.pull +
                            "': must be one of \"always\", \"missing\" or \"never\"");
  json body = json::object();
  json hc = json::object();
  HAKO_TRY(add_config(f, image, command, body));
  HAKO_TRY(add_storage(f, body, hc));
  HAKO_TRY(add_resources(f, hc));
  HAKO_TRY(add_devices(f, hc));
  HAKO_TRY(add_security(f, hc));
  HAKO_TRY(add_lifecycle(f, hc));
  HAKO_TRY(add_network(f, body, hc));
  body["HostConfig"] = std::move(hc);
  return body;
}

}  // namespace hako::cli
