#include "cli/run_flags.h"

#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

namespace hako::cli {
namespace {

using nlohmann::json;

// What `hako run ARGS...` would send: CLI11 parses as main does, then the body is built.
struct Parsed {
  RunFlags flags;
  Positionals pos;
  Result<json> body = json();
};

Parsed parse(std::vector<std::string> args, bool run = true) {
  Parsed p;
  CLI::App app("hako");
  CLI::App* cmd = app.add_subcommand(run ? "run" : "create");
  add_run_flags(*cmd, p.flags, run);
  args = split_empty_flag_values(*cmd, std::move(args));
  args.insert(args.begin(), run ? "run" : "create");
  std::reverse(args.begin(), args.end());
  app.parse(args);  // CLI11 throws on a parse error; a test failing there is fine
  auto pos = split_positionals(cmd->remaining(), run ? "run" : "create");
  if (!pos) {
    p.body = std::move(pos).error();
    return p;
  }
  p.pos = *pos;
  p.body = to_create_body(p.flags, p.pos.image, p.pos.command);
  return p;
}

json body(std::vector<std::string> args) {
  auto p = parse(std::move(args));
  EXPECT_TRUE(p.body) << p.body.error().message();
  return p.body ? *p.body : json();
}

std::string error(std::vector<std::string> args, bool run = true) {
  auto p = parse(std::move(args), run);
  if (p.body) return "(no error)";
  EXPECT_EQ(p.body.error().code(), ErrorCode::kInvalidArgument);
  return p.body.error().message();
}

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/run_flags_test.XXXXXX";
    path_ = ::mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string write(const std::string& name, const std::string& text) const {
    std::string p = path_ + "/" + name;
    std::ofstream(p) << text;
    return p;
  }

 private:
  std::string path_;
};

TEST(RunFlags, MinimalBodyIsDockers) {
  json b = body({"busybox"});
  EXPECT_EQ(b, (json{{"AttachStdin", false},
                     {"AttachStdout", true},
                     {"AttachStderr", true},
                     {"Tty", false},
                     {"OpenStdin", false},
                     {"StdinOnce", false},
                     {"Image", "busybox"},
                     {"HostConfig", {{"NetworkMode", "default"}}}}));
}

TEST(RunFlags, CommandKeepsItsOwnFlags) {
  auto p = parse({"-e", "A=1", "busybox", "ls", "-l", "-e", "x", "--rm"});
  ASSERT_TRUE(p.body);
  EXPECT_EQ(p.pos.image, "busybox");
  EXPECT_EQ((*p.body)["Cmd"], (json{"ls", "-l", "-e", "x", "--rm"}));
  EXPECT_EQ((*p.body)["Env"], (json{"A=1"}));
  EXPECT_FALSE(p.flags.rm);
}

TEST(RunFlags, PositionalErrors) {
  EXPECT_EQ(error({}), "\"run\" requires at least 1 argument");
  EXPECT_EQ(error({"--bogus", "busybox"}), "unknown flag: --bogus");
  EXPECT_EQ(error({"--bogus=1", "busybox"}), "unknown flag: --bogus");
  EXPECT_EQ(error({"-Z", "busybox"}), "unknown shorthand flag: 'Z' in -Z");
  // create has no -d.
  EXPECT_EQ(error({"-d", "busybox"}, false), "unknown shorthand flag: 'd' in -d");
}

TEST(RunFlags, AttachInteractiveTtyDetach) {
  json it = body({"-it", "busybox", "sh"});
  EXPECT_EQ(it["AttachStdin"], true);
  EXPECT_EQ(it["AttachStdout"], true);
  EXPECT_EQ(it["OpenStdin"], true);
  EXPECT_EQ(it["StdinOnce"], true);
  EXPECT_EQ(it["Tty"], true);
  json d = body({"-dit", "busybox"});
  EXPECT_EQ(d["AttachStdin"], false);
  EXPECT_EQ(d["AttachStdout"], false);
  EXPECT_EQ(d["AttachStderr"], false);
  EXPECT_EQ(d["OpenStdin"], true);
  EXPECT_EQ(d["StdinOnce"], false);
  json a = body({"-a", "STDERR", "busybox"});
  EXPECT_EQ(a["AttachStdout"], false);
  EXPECT_EQ(a["AttachStderr"], true);
  EXPECT_EQ(a["AttachStdin"], false);
  EXPECT_EQ(error({"-d", "-a", "stdout", "busybox"}), "Conflicting options: -a and -d");
  EXPECT_EQ(error({"-a", "stdio", "busybox"}),
            "invalid argument \"stdio\" for \"-a, --attach\" flag: valid streams are STDIN, "
            "STDOUT and STDERR");
  auto p = parse({"--sig-proxy=false", "--detach-keys", "ctrl-x", "--name", "web", "busybox"});
  EXPECT_FALSE(p.flags.sig_proxy);
  EXPECT_EQ(p.flags.detach_keys, "ctrl-x");
  EXPECT_EQ(p.flags.name, "web");
  EXPECT_FALSE(p.body->contains("name"));
}

TEST(RunFlags, RepeatedSingleFlagsKeepTheLast) {
  auto p = parse({"--name", "a", "--name", "b", "-w", "/x", "--workdir=/y", "busybox"});
  EXPECT_EQ(p.flags.name, "b");
  EXPECT_EQ((*p.body)["WorkingDir"], "/y");
}

TEST(RunFlags, Environment) {
  ::setenv("HAKO_RUN_FLAGS_SET", "from-env", 1);
  ::unsetenv("HAKO_RUN_FLAGS_UNSET");
  TempDir dir;
  std::string file =
      dir.write("env",
                "\xEF\xBB\xBF# comment\n\n  A=1\nB= spaced value \nHAKO_RUN_FLAGS_SET\n"
                "HAKO_RUN_FLAGS_UNSET\nC=\r\n");
  json b = body({"--env-file", file, "-e", "D=4", "-e", "HAKO_RUN_FLAGS_SET", "--env",
                 "HAKO_RUN_FLAGS_UNSET", "-e", "E=", "busybox"});
  EXPECT_EQ(b["Env"], (json{"A=1", "B= spaced value ", "HAKO_RUN_FLAGS_SET=from-env", "C=", "D=4",
                            "HAKO_RUN_FLAGS_SET=from-env", "E="}));
  EXPECT_EQ(error({"--env-file", "/nonexistent/x", "busybox"}),
            "--env-file: open /nonexistent/x: no such file or directory");
  EXPECT_EQ(error({"-e", "=x", "busybox"}),
            "invalid argument \"=x\" for \"-e, --env\" flag: invalid environment variable: =x");
  std::string bad = dir.write("bad", "A B=1\n");
  EXPECT_EQ(error({"--env-file", bad, "busybox"}),
            "invalid env file (" + bad + "): variable 'A B' contains whitespaces");
  std::string noname = dir.write("noname", "=1\n");
  EXPECT_EQ(error({"--env-file", noname, "busybox"}),
            "invalid env file (" + noname + "): no variable name on line '=1'");
}

TEST(RunFlags, Labels) {
  TempDir dir;
  std::string file = dir.write("labels", "# c\na=1\nHOME\nb=from-file\n");
  json b = body({"--label-file", file, "-l", "b=2", "--label", "c", "busybox"});
  EXPECT_EQ(b["Labels"], (json{{"a", "1"}, {"b", "2"}, {"c", ""}}));
  EXPECT_EQ(error({"--label-file", "/nonexistent/l", "busybox"}),
            "--label-file: open /nonexistent/l: no such file or directory");
}

TEST(RunFlags, ConfigFields) {
  json b = body({"-u", "1000:1000", "-w", "/app", "-h", "box", "--domainname", "example.org",
                 "--stop-signal", "SIGINT", "--stop-timeout", "30", "busybox", "true"});
  EXPECT_EQ(b["User"], "1000:1000");
  EXPECT_EQ(b["WorkingDir"], "/app");
  EXPECT_EQ(b["Hostname"], "box");
  EXPECT_EQ(b["Domainname"], "example.org");
  EXPECT_EQ(b["StopSignal"], "SIGINT");
  EXPECT_EQ(b["StopTimeout"], 30);
  EXPECT_EQ(b["Cmd"], (json{"true"}));
  EXPECT_FALSE(b.contains("Entrypoint"));
  EXPECT_EQ(body({"--stop-timeout", "0", "busybox"})["StopTimeout"], 0);
  EXPECT_EQ(error({"--stop-timeout", "x", "busybox"}),
            "invalid argument \"x\" for \"--stop-timeout\" flag: strconv.ParseInt: parsing "
            "\"x\": invalid syntax");
}

TEST(RunFlags, Entrypoint) {
  EXPECT_EQ(body({"--entrypoint", "", "busybox"})["Entrypoint"], (json{""}));
  EXPECT_EQ(body({"--entrypoint", "/bin/sh -c", "busybox"})["Entrypoint"], (json{"/bin/sh -c"}));
  EXPECT_EQ(body({"--entrypoint=env", "busybox", "-i"})["Entrypoint"], (json{"env"}));
}

TEST(RunFlags, EmptyLongValuesAreValues) {
  CLI::App app("hako");
  RunFlags f;
  add_run_flags(app, f, true);
  using V = std::vector<std::string>;
  EXPECT_EQ(split_empty_flag_values(app, {"--entrypoint=", "busybox", "--x="}),
            (V{"--entrypoint", "", "busybox", "--x="}));
  EXPECT_EQ(
      split_empty_flag_values(app, {"-e", "--a=", "--rm=", "-it", "--name", "n",
                                    "-w=", "--workdir=", "img", "--name="}),
      (V{"-e", "--a=", "--rm=", "-it", "--name", "n", "-w=", "--workdir", "", "img", "--name="}));
  EXPECT_EQ(split_empty_flag_values(app, {"-itw", "--name=", "img"}),
            (V{"-itw", "--name=", "img"}));
  EXPECT_EQ(split_empty_flag_values(app, {"--bogus", "--name=", "img"}),
            (V{"--bogus", "--name=", "img"}));
  auto p = parse({"--entrypoint=", "--workdir=", "busybox", "sh"});
  ASSERT_TRUE(p.body);
  EXPECT_EQ((*p.body)["Entrypoint"], (json{""}));
  EXPECT_FALSE(p.body->contains("WorkingDir"));
  EXPECT_EQ((*p.body)["Cmd"], (json{"sh"}));
}

TEST(RunFlags, Healthcheck) {
  json b =
      body({"--health-cmd", "curl -f localhost", "--health-interval", "1m30s", "--health-timeout",
            "5s", "--health-retries", "3", "--health-start-period", "500ms", "busybox"});
  EXPECT_EQ(b["Healthcheck"], (json{{"Test", {"CMD-SHELL", "curl -f localhost"}},
                                    {"Interval", 90'000'000'000},
                                    {"Timeout", 5'000'000'000},
                                    {"Retries", 3},
                                    {"StartPeriod", 500'000'000}}));
  EXPECT_EQ(body({"--health-interval", "10s", "busybox"})["Healthcheck"],
            (json{{"Interval", 10'000'000'000}}));
  EXPECT_EQ(body({"--no-healthcheck", "busybox"})["Healthcheck"], (json{{"Test", {"NONE"}}}));
  EXPECT_FALSE(body({"busybox"}).contains("Healthcheck"));
  EXPECT_EQ(error({"--no-healthcheck", "--health-cmd", "true", "busybox"}),
            "--no-healthcheck conflicts with --health-* options");
  EXPECT_EQ(error({"--health-interval", "10", "busybox"}),
            "invalid argument \"10\" for \"--health-interval\" flag: time: missing unit in "
            "duration \"10\"");
  EXPECT_EQ(error({"--health-timeout", "-1s", "busybox"}), "--health-timeout cannot be negative");
  EXPECT_EQ(error({"--health-retries", "-1", "busybox"}), "--health-retries cannot be negative");
}

TEST(RunFlags, VolumesMountsTmpfs) {
  json b = body({"-v", "/data", "-v", "/host:/in:ro", "--volume", "named:/n", "--mount",
                 "type=bind,src=/a,dst=/b,readonly", "--tmpfs", "/run", "--tmpfs",
                 "/tmp:rw,size=64m", "--read-only", "--volumes-from", "other:ro", "busybox"});
  EXPECT_EQ(b["Volumes"], (json{{"/data", json::object()}}));
  const json& hc = b["HostConfig"];
  EXPECT_EQ(hc["Binds"], (json{"/host:/in:ro", "named:/n"}));
  EXPECT_EQ(
      hc["Mounts"],
      (json::array({{{"Type", "bind"}, {"Source", "/a"}, {"Target", "/b"}, {"ReadOnly", true}}})));
  EXPECT_EQ(hc["Tmpfs"], (json{{"/run", ""}, {"/tmp", "rw,size=64m"}}));
  EXPECT_EQ(hc["ReadonlyRootfs"], true);
  EXPECT_EQ(hc["VolumesFrom"], (json{"other:ro"}));
  EXPECT_EQ(error({"--mount", "type=bind,src=/a", "busybox"}),
            "invalid argument \"type=bind,src=/a\" for \"--mount\" flag: target is required");
  EXPECT_EQ(error({"-v", "/a:/b:bogus", "busybox"}), "invalid mode: bogus");
}

TEST(RunFlags, Memory) {
  json hc = body({"-m", "512m", "--memory-swap", "-1", "--memory-reservation", "256m", "--shm-size",
                  "1g", "--memory-swappiness", "10", "--kernel-memory", "50m", "--oom-kill-disable",
                  "--oom-score-adj", "-500", "busybox"})["HostConfig"];
  EXPECT_EQ(hc["Memory"], 512 << 20);
  EXPECT_EQ(hc["MemorySwap"], -1);
  EXPECT_EQ(hc["MemoryReservation"], 256 << 20);
  EXPECT_EQ(hc["ShmSize"], 1 << 30);
  EXPECT_EQ(hc["MemorySwappiness"], 10);
  EXPECT_EQ(hc["KernelMemory"], 50 << 20);
  EXPECT_EQ(hc["OomKillDisable"], true);
  EXPECT_EQ(hc["OomScoreAdj"], -500);
  EXPECT_EQ(body({"--memory-swap", "1g", "busybox"})["HostConfig"]["MemorySwap"], 1 << 30);
  EXPECT_FALSE(
      body({"--memory-swappiness", "-1", "busybox"})["HostConfig"].contains("MemorySwappiness"));
  EXPECT_EQ(error({"-m", "12x", "busybox"}),
            "invalid argument \"12x\" for \"-m, --memory\" flag: invalid size: '12x'");
  EXPECT_EQ(error({"--memory=12x", "busybox"}),
            "invalid argument \"12x\" for \"-m, --memory\" flag: invalid size: '12x'");
  EXPECT_EQ(error({"--shm-size", "big", "busybox"}),
            "invalid argument \"big\" for \"--shm-size\" flag: invalid size: 'big'");
  EXPECT_EQ(error({"--memory-swappiness", "101", "busybox"}),
            "invalid value: 101. Valid memory swappiness range is 0-100");
  EXPECT_EQ(error({"--oom-score-adj", "1001", "busybox"}),
            "Invalid value 1001, range for oom score adj is [-1000, 1000]");
}

TEST(RunFlags, Cpus) {
  json hc = body({"--cpus", "1.5", "-c", "512", "--cpu-period", "100000", "--cpu-quota", "50000",
                  "--cpuset-cpus", "0-1", "--cpuset-mems", "0", "--pids-limit", "100",
                  "--blkio-weight", "300", "--cgroup-parent", "/mine", "busybox"})["HostConfig"];
  EXPECT_EQ(hc["NanoCpus"], 1'500'000'000);
  EXPECT_EQ(hc["CpuShares"], 512);
  EXPECT_EQ(hc["CpuPeriod"], 100000);
  EXPECT_EQ(hc["CpuQuota"], 50000);
  EXPECT_EQ(hc["CpusetCpus"], "0-1");
  EXPECT_EQ(hc["CpusetMems"], "0");
  EXPECT_EQ(hc["PidsLimit"], 100);
  EXPECT_EQ(hc["BlkioWeight"], 300);
  EXPECT_EQ(hc["CgroupParent"], "/mine");
  EXPECT_EQ(body({"--cpus", "0.001", "busybox"})["HostConfig"]["NanoCpus"], 1'000'000);
  EXPECT_EQ(body({"--cpus", "3/2", "busybox"})["HostConfig"]["NanoCpus"], 1'500'000'000);
  EXPECT_EQ(body({"--cpus", "2", "busybox"})["HostConfig"]["NanoCpus"], 2'000'000'000);
  EXPECT_EQ(error({"--cpus", "abc", "busybox"}),
            "invalid argument \"abc\" for \"--cpus\" flag: failed to parse abc as a rational "
            "number");
  EXPECT_EQ(error({"--cpus", "0.0000000001", "busybox"}),
            "invalid argument \"0.0000000001\" for \"--cpus\" flag: value is too precise");
  EXPECT_EQ(error({"--cpu-shares", "lots", "busybox"}),
            "invalid argument \"lots\" for \"-c, --cpu-shares\" flag: strconv.ParseInt: parsing "
            "\"lots\": invalid syntax");
}

TEST(RunFlags, UlimitsDevices) {
  json hc = body({"--ulimit", "nofile=1024:2048", "--device", "/dev/fuse", "--device",
                  "/dev/sda:/dev/xvda:r", "--device-cgroup-rule", "c 1:3 mr", "--device-read-bps",
                  "/dev/sda:1mb", "--device-write-iops", "/dev/sda:10", "busybox"})["HostConfig"];
  EXPECT_EQ(hc["Ulimits"], (json::array({{{"Name", "nofile"}, {"Soft", 1024}, {"Hard", 2048}}})));
  EXPECT_EQ(hc["Devices"][1], (json{{"PathOnHost", "/dev/sda"},
                                    {"PathInContainer", "/dev/xvda"},
                                    {"CgroupPermissions", "r"}}));
  EXPECT_EQ(hc["DeviceCgroupRules"], (json{"c 1:3 mr"}));
  EXPECT_EQ(hc["BlkioDeviceReadBps"], (json::array({{{"Path", "/dev/sda"}, {"Rate", 1 << 20}}})));
  EXPECT_EQ(hc["BlkioDeviceWriteIOps"], (json::array({{{"Path", "/dev/sda"}, {"Rate", 10}}})));
  EXPECT_EQ(error({"--ulimit", "nofile", "busybox"}),
            "invalid argument \"nofile\" for \"--ulimit\" flag: invalid ulimit argument: nofile");
  EXPECT_EQ(error({"--device", "/dev/a:/dev/b:rwx", "busybox"}), "bad mode specified: rwx");
  EXPECT_EQ(error({"--device-cgroup-rule", "x", "busybox"}),
            "invalid argument \"x\" for \"--device-cgroup-rule\" flag: invalid device cgroup "
            "format 'x'");
}

TEST(RunFlags, Security) {
  TempDir dir;
  std::string profile =
      dir.write("seccomp.json", "{\n  \"defaultAction\": \"SCMP_ACT_ALLOW\"\n}\n");
  std::string notjson = dir.write("bad.json", "{nope");
  json hc = body({"--cap-add",
                  "NET_ADMIN",
                  "--cap-drop",
                  "ALL",
                  "--privileged",
                  "--security-opt",
                  "seccomp=" + profile,
                  "--security-opt",
                  "no-new-privileges",
                  "--security-opt",
                  "apparmor=unconfined",
                  "--security-opt",
                  "label=disable",
                  "--group-add",
                  "audio",
                  "--sysctl",
                  "net.ipv4.ip_forward=1",
                  "--userns",
                  "host",
                  "--ipc",
                  "shareable",
                  "--pid",
                  "host",
                  "--uts",
                  "host",
                  "--cgroupns",
                  "private",
                  "busybox"})["HostConfig"];
  EXPECT_EQ(hc["CapAdd"], (json{"CAP_NET_ADMIN"}));
  EXPECT_EQ(hc["CapDrop"], (json{"ALL"}));
  EXPECT_EQ(hc["Privileged"], true);
  EXPECT_EQ(hc["SecurityOpt"], (json{"seccomp={\"defaultAction\":\"SCMP_ACT_ALLOW\"}",
                                     "no-new-privileges", "apparmor=unconfined", "label=disable"}));
  EXPECT_EQ(hc["GroupAdd"], (json{"audio"}));
  EXPECT_EQ(hc["Sysctls"], (json{{"net.ipv4.ip_forward", "1"}}));
  EXPECT_EQ(hc["UsernsMode"], "host");
  EXPECT_EQ(hc["IpcMode"], "shareable");
  EXPECT_EQ(hc["PidMode"], "host");
  EXPECT_EQ(hc["UTSMode"], "host");
  EXPECT_EQ(hc["CgroupnsMode"], "private");
  json un = body({"--security-opt", "seccomp=unconfined", "--security-opt",
                  "systempaths=unconfined", "busybox"})["HostConfig"];
  EXPECT_EQ(un["SecurityOpt"], (json{"seccomp=unconfined"}));
  EXPECT_EQ(un["MaskedPaths"], json::array());
  EXPECT_EQ(un["ReadonlyPaths"], json::array());
  EXPECT_EQ(error({"--security-opt", "seccomp=/nonexistent.json", "busybox"}),
            "opening seccomp profile (/nonexistent.json) failed: open /nonexistent.json: no such "
            "file or directory");
  EXPECT_EQ(error({"--security-opt", "seccomp=" + notjson, "busybox"})
                .rfind("compacting json for seccomp profile (" + notjson + ") failed: ", 0),
            0u);
  EXPECT_EQ(error({"--security-opt", "apparmor", "busybox"}),
            "Invalid --security-opt: \"apparmor\"");
  EXPECT_EQ(error({"--sysctl", "kernel.pid_max=1", "busybox"}),
            "invalid argument \"kernel.pid_max=1\" for \"--sysctl\" flag: sysctl "
            "'kernel.pid_max=1' is not allowed");
  EXPECT_EQ(error({"--userns", "private", "busybox"}),
            "--userns: invalid USER mode \"private\" (host or remap)");
  EXPECT_EQ(error({"--pid", "container:", "busybox"}), "--pid: invalid PID mode");
  EXPECT_EQ(error({"--uts", "private", "busybox"}), "--uts: invalid UTS mode");
  EXPECT_EQ(error({"--cgroupns", "x", "busybox"}), "--cgroupns: invalid CGROUP mode");
  EXPECT_EQ(error({"--ipc", "x", "busybox"}), "invalid IPC mode: x");
}

TEST(RunFlags, LifecycleAndLogging) {
  json hc =
      body({"--restart", "on-failure:5", "--init", "--cidfile", "/tmp/cid", "--log-driver", "local",
            "--log-opt", "max-size=10m", "--log-opt", "max-file=3", "busybox"})["HostConfig"];
  EXPECT_EQ(hc["RestartPolicy"], (json{{"Name", "on-failure"}, {"MaximumRetryCount", 5}}));
  EXPECT_EQ(hc["Init"], true);
  EXPECT_EQ(hc["ContainerIDFile"], "/tmp/cid");
  EXPECT_EQ(hc["LogConfig"],
            (json{{"Type", "local"}, {"Config", {{"max-size", "10m"}, {"max-file", "3"}}}}));
  json rm = body({"--rm", "--init=false", "busybox"})["HostConfig"];
  EXPECT_EQ(rm["AutoRemove"], true);
  EXPECT_EQ(rm["Init"], false);
  EXPECT_FALSE(rm.contains("RestartPolicy"));
  EXPECT_FALSE(body({"busybox"})["HostConfig"].contains("Init"));
  EXPECT_TRUE(parse({"--rm", "--restart", "no", "busybox"}).body);
  EXPECT_EQ(error({"--rm", "--restart", "always", "busybox"}),
            "conflicting options: cannot specify both --restart and --rm");
  EXPECT_EQ(error({"--restart", "always:3", "busybox"}),
            "invalid restart policy: maximum retry count can only be used with 'on-failure'");
  EXPECT_EQ(error({"--restart", "a:b:c", "busybox"}),
            "invalid restart policy format: maximum retry count must be an integer");
  EXPECT_EQ(error({"--log-driver", "none", "--log-opt", "max-size=1m", "busybox"}),
            "invalid logging opts for driver none");
}

TEST(RunFlags, PullAndPlatform) {
  auto p = parse({"--pull", "never", "--platform", "linux/arm64", "busybox"});
  ASSERT_TRUE(p.body);
  EXPECT_EQ(p.flags.pull, "never");
  EXPECT_EQ(p.flags.platform, "linux/arm64");
  EXPECT_EQ(parse({"busybox"}).flags.pull, "missing");
  EXPECT_EQ(error({"--pull", "sometimes", "busybox"}),
            "invalid pull option: 'sometimes': must be one of \"always\", \"missing\" or "
            "\"never\"");
}

TEST(RunFlags, Networking) {
  json b = body({"--network", "none", "-p", "8080:80", "-P", "--expose", "53/udp", "--dns",
                 "1.1.1.1", "--dns-search", "example.org", "--dns-option", "ndots:2", "--add-host",
                 "db:10.0.0.2", "busybox"});
  const json& hc = b["HostConfig"];
  EXPECT_EQ(hc["NetworkMode"], "none");
  EXPECT_EQ(hc["PortBindings"], (json{{"80/tcp", {{{"HostIp", ""}, {"HostPort", "8080"}}}}}));
  EXPECT_EQ(b["ExposedPorts"], (json{{"80/tcp", json::object()}, {"53/udp", json::object()}}));
  EXPECT_EQ(hc["PublishAllPorts"], true);
  EXPECT_EQ(hc["Dns"], (json{"1.1.1.1"}));
  EXPECT_EQ(hc["DnsSearch"], (json{"example.org"}));
  EXPECT_EQ(hc["DnsOptions"], (json{"ndots:2"}));
  EXPECT_EQ(hc["ExtraHosts"], (json{"db:10.0.0.2"}));
  EXPECT_FALSE(b.contains("NetworkingConfig"));
  EXPECT_EQ(body({"--net=host", "busybox"})["HostConfig"]["NetworkMode"], "host");

  json named =
      body({"--network", "backend", "--network-alias", "api", "--ip", "172.20.0.5", "busybox"});
  EXPECT_EQ(named["HostConfig"]["NetworkMode"], "backend");
  EXPECT_EQ(named["NetworkingConfig"],
            (json{{"EndpointsConfig",
                   {{"backend",
                     {{"Aliases", {"api"}}, {"IPAMConfig", {{"IPv4Address", "172.20.0.5"}}}}}}}}));
  EXPECT_EQ(error({"--network", "host", "--network", "backend", "busybox"}),
            "conflicting options: cannot attach both user-defined and non-user-defined "
            "network-modes");
  EXPECT_EQ(error({"--network", "a", "--network", "a", "busybox"}),
            "network \"a\" is specified multiple times");
  EXPECT_EQ(error({"--ip", "300.1.1.1", "busybox"}), "invalid IPv4 address: 300.1.1.1");
  EXPECT_EQ(
      body({"--ip", "10.0.0.2", "busybox"})["NetworkingConfig"],
      (json{{"EndpointsConfig", {{"default", {{"IPAMConfig", {{"IPv4Address", "10.0.0.2"}}}}}}}}));
  EXPECT_EQ(error({"--network-alias", "x", "busybox"}),
            "network-scoped aliases are only supported for user-defined networks");
  EXPECT_EQ(error({"--network", "host", "--network-alias", "x", "busybox"}),
            "network-scoped aliases are only supported for user-defined networks");
  EXPECT_EQ(error({"--dns", "x", "busybox"}),
            "invalid argument \"x\" for \"--dns\" flag: IP address is not correctly formatted: x");
  EXPECT_EQ(error({"--add-host", "db", "busybox"}),
            "invalid argument \"db\" for \"--add-host\" flag: bad format for add-host: \"db\"");
  EXPECT_EQ(error({"-p", "x:80", "busybox"}), "invalid hostPort: x");
  EXPECT_EQ(error({"--expose", "1:2", "busybox"}), "invalid port format for --expose: 1:2");
}

}  // namespace
}  // namespace hako::cli
