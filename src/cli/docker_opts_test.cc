#include "cli/docker_opts.h"

#include <gtest/gtest.h>

#include "cli/units.h"

namespace hako::cli {
namespace {

using nlohmann::json;

std::string err(const Status& s) { return s ? "" : s.error().message(); }
template <typename T>
std::string err(const Result<T>& r) {
  return r ? "" : r.error().message();
}

TEST(DockerOpts, RamInBytesIsGoUnits) {
  EXPECT_EQ(*ram_in_bytes("512"), 512);
  EXPECT_EQ(*ram_in_bytes("64m"), 64 << 20);
  EXPECT_EQ(*ram_in_bytes("64M"), 64 << 20);
  EXPECT_EQ(*ram_in_bytes("1.5g"), 1536LL << 20);
  EXPECT_EQ(*ram_in_bytes("2 GiB"), 2LL << 30);
  EXPECT_EQ(*ram_in_bytes("10kb"), 10240);
  EXPECT_EQ(*ram_in_bytes("3b"), 3);
  EXPECT_EQ(err(ram_in_bytes("12x")), "invalid size: '12x'");
  EXPECT_EQ(err(ram_in_bytes("")), "invalid size: ''");
  EXPECT_EQ(err(ram_in_bytes("-1")), "invalid size: '-1'");
  EXPECT_EQ(err(ram_in_bytes("m")), "invalid size: 'm'");
  EXPECT_EQ(err(ram_in_bytes("1.2.3m")), "strconv.ParseFloat: parsing \"1.2.3\": invalid syntax");
}

TEST(DockerOpts, GoDurations) {
  EXPECT_EQ(*parse_go_duration("0"), 0);
  EXPECT_EQ(*parse_go_duration("30s"), 30'000'000'000);
  EXPECT_EQ(*parse_go_duration("1m30s"), 90'000'000'000);
  EXPECT_EQ(*parse_go_duration("1.5h"), 5400'000'000'000);
  EXPECT_EQ(*parse_go_duration("300ms"), 300'000'000);
  EXPECT_EQ(*parse_go_duration("2us"), 2000);
  EXPECT_EQ(*parse_go_duration("-1s"), -1'000'000'000);
  EXPECT_EQ(*parse_go_duration(".5s"), 500'000'000);
  EXPECT_EQ(err(parse_go_duration("x")), "time: invalid duration \"x\"");
  EXPECT_EQ(err(parse_go_duration("")), "time: invalid duration \"\"");
  EXPECT_EQ(err(parse_go_duration("10")), "time: missing unit in duration \"10\"");
  EXPECT_EQ(err(parse_go_duration("10d")), "time: unknown unit \"d\" in duration \"10d\"");
  EXPECT_EQ(err(parse_go_duration("99999999999h")), "time: invalid duration \"99999999999h\"");
}

TEST(DockerOpts, GoIntsAndBools) {
  EXPECT_EQ(*parse_go_int("10", 64), 10);
  EXPECT_EQ(*parse_go_int("-10", 64), -10);
  EXPECT_EQ(*parse_go_int("0x10", 64), 16);
  EXPECT_EQ(*parse_go_int("010", 64), 8);
  EXPECT_EQ(*parse_go_int("0", 64), 0);
  EXPECT_EQ(*parse_go_int("-9223372036854775808", 64), INT64_MIN);
  EXPECT_EQ(err(parse_go_int("x", 64)), "strconv.ParseInt: parsing \"x\": invalid syntax");
  EXPECT_EQ(err(parse_go_int("9223372036854775808", 64)),
            "strconv.ParseInt: parsing \"9223372036854775808\": value out of range");
  EXPECT_EQ(err(parse_go_int("2147483648", 32)),
            "strconv.ParseInt: parsing \"2147483648\": value out of range");
  EXPECT_EQ(parse_go_bool("True"), true);
  EXPECT_EQ(parse_go_bool("0"), false);
  EXPECT_EQ(parse_go_bool("yes"), std::nullopt);
}

TEST(DockerOpts, CleanPath) {
  EXPECT_EQ(clean_path("/dev//x/../y/"), "/dev/y");
  EXPECT_EQ(clean_path("/.."), "/");
  EXPECT_EQ(clean_path("a/../.."), "..");
  EXPECT_EQ(clean_path(""), ".");
}

TEST(DockerOpts, RestartPolicies) {
  EXPECT_EQ(*parse_restart_policy("always"), (json{{"Name", "always"}, {"MaximumRetryCount", 0}}));
  EXPECT_EQ(*parse_restart_policy("on-failure:3"),
            (json{{"Name", "on-failure"}, {"MaximumRetryCount", 3}}));
  EXPECT_EQ((*parse_restart_policy("unless-stopped"))["Name"], "unless-stopped");
  EXPECT_EQ((*parse_restart_policy("no"))["Name"], "no");
  EXPECT_EQ(err(parse_restart_policy("on-failure:1:2")),
            "invalid restart policy format: maximum retry count must be an integer");
  EXPECT_EQ(err(parse_restart_policy("on-failure:x")),
            "invalid restart policy format: maximum retry count must be an integer");
  EXPECT_EQ(err(parse_restart_policy("always:2")),
            "invalid restart policy: maximum retry count can only be used with 'on-failure'");
  EXPECT_EQ(err(parse_restart_policy("on-failure:-1")),
            "invalid restart policy: maximum retry count cannot be negative");
  EXPECT_EQ(err(parse_restart_policy("sometimes")),
            "invalid restart policy: unknown policy 'sometimes'; use one of 'no', 'always', "
            "'on-failure', or 'unless-stopped'");
}

TEST(DockerOpts, Ulimits) {
  EXPECT_EQ(*parse_ulimit("nofile=1024:2048"),
            (json{{"Name", "nofile"}, {"Soft", 1024}, {"Hard", 2048}}));
  EXPECT_EQ(*parse_ulimit("nproc=10"), (json{{"Name", "nproc"}, {"Soft", 10}, {"Hard", 10}}));
  EXPECT_EQ(*parse_ulimit("core=-1:-1"), (json{{"Name", "core"}, {"Soft", -1}, {"Hard", -1}}));
  EXPECT_EQ(err(parse_ulimit("nofile")), "invalid ulimit argument: nofile");
  EXPECT_EQ(err(parse_ulimit("bogus=1")), "invalid ulimit type: bogus");
  EXPECT_EQ(err(parse_ulimit("nofile=x")), "strconv.ParseInt: parsing \"x\": invalid syntax");
  EXPECT_EQ(err(parse_ulimit("nofile=1:2:3")),
            "too many limit value arguments - 1:2:3, can only have up to two, `soft[:hard]`");
  EXPECT_EQ(err(parse_ulimit("nofile=20:10")),
            "ulimit soft limit must be less than or equal to hard limit: 20 > 10");
}

TEST(DockerOpts, Devices) {
  EXPECT_EQ(*parse_device("/dev/fuse"), (json{{"PathOnHost", "/dev/fuse"},
                                              {"PathInContainer", "/dev/fuse"},
                                              {"CgroupPermissions", "rwm"}}));
  EXPECT_EQ(*parse_device("/dev/sda:/dev/xvda"), (json{{"PathOnHost", "/dev/sda"},
                                                       {"PathInContainer", "/dev/xvda"},
                                                       {"CgroupPermissions", "rwm"}}));
  EXPECT_EQ(*parse_device("/dev/sda:r"), (json{{"PathOnHost", "/dev/sda"},
                                               {"PathInContainer", "/dev/sda"},
                                               {"CgroupPermissions", "r"}}));
  EXPECT_EQ(*parse_device("/dev/sda:/dev/xvdc:rw"), (json{{"PathOnHost", "/dev/sda"},
                                                          {"PathInContainer", "/dev/xvdc"},
                                                          {"CgroupPermissions", "rw"}}));
  EXPECT_EQ(err(parse_device("/dev/sda:/dev/x:rwx")), "bad mode specified: rwx");
  EXPECT_EQ(err(parse_device("/dev/sda:/dev/x:r:w")), "bad format for path: /dev/sda:/dev/x:r:w");
  EXPECT_EQ(err(parse_device(":/dev/x")), "bad format for path: :/dev/x");
  EXPECT_EQ(err(parse_device("/dev/sda:xvda")), "xvda is not an absolute path");
}

TEST(DockerOpts, Mounts) {
  EXPECT_EQ(*parse_mount("type=bind,source=/a,target=/b,readonly,bind-propagation=rshared"),
            (json{{"Type", "bind"},
                  {"Source", "/a"},
                  {"Target", "/b"},
                  {"ReadOnly", true},
                  {"BindOptions", {{"Propagation", "rshared"}}}}));
  EXPECT_EQ(
      *parse_mount("src=data,dst=/data,volume-nocopy,volume-label=a=b"),
      (json{{"Type", "volume"},
            {"Source", "data"},
            {"Target", "/data"},
            {"VolumeOptions",
             {{"NoCopy", true}, {"Labels", {{"a", "b"}}}, {"DriverConfig", json::object()}}}}));
  EXPECT_EQ(*parse_mount("type=tmpfs,destination=/t,tmpfs-size=64m,tmpfs-mode=1770"),
            (json{{"Type", "tmpfs"},
                  {"Target", "/t"},
                  {"TmpfsOptions", {{"SizeBytes", 64 << 20}, {"Mode", 01770}}}}));
  EXPECT_EQ((*parse_mount("type=bind,src=/a,dst=/b,ro=false"))["ReadOnly"], false);
  EXPECT_EQ((*parse_mount("\"type=bind\",\"src=/a,b\",dst=/b"))["Source"], "/a,b");
  EXPECT_EQ(err(parse_mount("type=bind,src=/a")), "target is required");
  EXPECT_EQ(err(parse_mount("type=bind,dst=/a,bogus=1")), "unexpected key 'bogus' in 'bogus=1'");
  EXPECT_EQ(err(parse_mount("type=bind,dst=/a,junk")),
            "invalid field 'junk' must be a key=value pair");
  EXPECT_EQ(err(parse_mount("type=bind,dst=/a,tmpfs-size=1m")),
            "cannot mix 'tmpfs-*' options with mount type 'bind'");
  EXPECT_EQ(err(parse_mount("type=volume,dst=/a,bind-propagation=shared")),
            "cannot mix 'bind-*' options with mount type 'volume'");
  EXPECT_EQ(err(parse_mount("type=tmpfs,dst=/a,tmpfs-mode=9")), "invalid value for tmpfs-mode: 9");
  EXPECT_EQ(err(parse_mount("type=tmpfs,dst=/a,tmpfs-size=x")), "invalid value for tmpfs-size: x");
  EXPECT_EQ(err(parse_mount("type=bind,dst=/a,ro=maybe")), "invalid value for ro: maybe");
}

TEST(DockerOpts, Volumes) {
  EXPECT_EQ(*parse_volume("/data"), std::nullopt);
  EXPECT_EQ(**parse_volume("/host:/data"), "/host:/data");
  EXPECT_EQ(**parse_volume("/host:/data:ro,rshared"), "/host:/data:ro,rshared");
  EXPECT_EQ(**parse_volume("named:/data:nocopy"), "named:/data:nocopy");
  auto rel = parse_volume("./x:/data");
  ASSERT_TRUE(rel);
  EXPECT_EQ((**rel)[0], '/');
  EXPECT_NE(rel->value().find("/x:/data"), std::string::npos);
  EXPECT_EQ(err(parse_volume("/data:ro")), "invalid volume specification: '/data:ro'");
  EXPECT_EQ(err(parse_volume("/a:/b:rw:x")), "invalid volume specification: '/a:/b:rw:x'");
  EXPECT_EQ(err(parse_volume("/a:/b:bogus")), "invalid mode: bogus");
  EXPECT_EQ(err(parse_volume("/a:/b:ro,rw")), "invalid mode: ro,rw");
  EXPECT_EQ(err(parse_volume("/a:b")),
            "invalid volume specification: '/a:b': invalid mount config for type \"bind\": "
            "invalid mount path: 'b' mount path must be absolute");
  EXPECT_EQ(err(parse_volume("data")),
            "invalid volume specification: 'data': invalid mount config for type \"volume\": "
            "invalid mount path: 'data' mount path must be absolute");
  EXPECT_EQ(err(parse_volume("/a:/")),
            "invalid volume specification: '/a:/': invalid specification: destination can't be "
            "'/'");
  EXPECT_EQ(err(parse_volume("")), "invalid empty volume spec");
}

TEST(DockerOpts, Ports) {
  json exposed, bindings;
  ASSERT_TRUE(
      parse_ports({"8080:80", "127.0.0.1:53:53/udp", "[::1]:9000:9000", "7000-7001:7000-7001",
                   "443", "9090-9099:90", "target=81,published=8081"},
                  {"5000-5001/udp", "6000"}, exposed, bindings));
  EXPECT_EQ(bindings["80/tcp"], (json::array({{{"HostIp", ""}, {"HostPort", "8080"}}})));
  EXPECT_EQ(bindings["53/udp"], (json::array({{{"HostIp", "127.0.0.1"}, {"HostPort", "53"}}})));
  EXPECT_EQ(bindings["9000/tcp"], (json::array({{{"HostIp", "::1"}, {"HostPort", "9000"}}})));
  EXPECT_EQ(bindings["7001/tcp"], (json::array({{{"HostIp", ""}, {"HostPort", "7001"}}})));
  EXPECT_EQ(bindings["443/tcp"], (json::array({{{"HostIp", ""}, {"HostPort", ""}}})));
  EXPECT_EQ(bindings["90/tcp"], (json::array({{{"HostIp", ""}, {"HostPort", "9090-9099"}}})));
  EXPECT_EQ(bindings["81/tcp"], (json::array({{{"HostIp", ""}, {"HostPort", "8081"}}})));
  for (const char* p : {"80/tcp", "53/udp", "9000/tcp", "7000/tcp", "7001/tcp", "443/tcp",
                        "5000/udp", "5001/udp", "6000/tcp"})
    EXPECT_EQ(exposed[p], json::object()) << p;
  EXPECT_FALSE(bindings.contains("6000/tcp"));

  json e, b;
  EXPECT_EQ(err(parse_ports({"1.2.3:80:80"}, {}, e, b)), "invalid IP address: 1.2.3");
  EXPECT_EQ(err(parse_ports({"x:80"}, {}, e, b)), "invalid hostPort: x");
  EXPECT_EQ(err(parse_ports({"80/xyz"}, {}, e, b)), "invalid proto: xyz");
  EXPECT_EQ(err(parse_ports({"99999"}, {}, e, b)), "invalid containerPort: 99999");
  EXPECT_EQ(err(parse_ports({"80:"}, {}, e, b)), "no port specified: 80:<empty>");
  EXPECT_EQ(err(parse_ports({"1-3:1-2"}, {}, e, b)),
            "invalid ranges specified for container and host Ports: 1-2 and 1-3");
  EXPECT_EQ(err(parse_ports({}, {"1:2"}, e, b)), "invalid port format for --expose: 1:2");
  EXPECT_EQ(err(parse_ports({"target"}, {}, e, b)), "invalid containerPort: target");
  EXPECT_EQ(err(parse_ports({"target=80,x"}, {}, e, b)),
            "invalid publish opts format (should be name=value but got 'x')");
}

TEST(DockerOpts, HostsIpsSysctls) {
  EXPECT_EQ(*validate_extra_host("db:10.0.0.2"), "db:10.0.0.2");
  EXPECT_EQ(*validate_extra_host("db=10.0.0.2"), "db:10.0.0.2");
  EXPECT_EQ(*validate_extra_host("v6:::1"), "v6:::1");
  EXPECT_EQ(*validate_extra_host("v6=[::1]"), "v6:::1");
  EXPECT_EQ(*validate_extra_host("gw:host-gateway"), "gw:host-gateway");
  EXPECT_EQ(err(validate_extra_host("db")), "bad format for add-host: \"db\"");
  EXPECT_EQ(err(validate_extra_host("db:x")), "invalid IP address in add-host: \"x\"");
  EXPECT_EQ(*validate_ip(" 1.1.1.1 "), "1.1.1.1");
  EXPECT_EQ(err(validate_ip("1.1")), "IP address is not correctly formatted: 1.1");
  EXPECT_TRUE(validate_sysctl("net.ipv4.ip_forward=1"));
  EXPECT_TRUE(validate_sysctl("kernel.shmmax=1"));
  EXPECT_EQ(err(validate_sysctl("kernel.pid_max=1")), "sysctl 'kernel.pid_max=1' is not allowed");
  EXPECT_EQ(err(validate_sysctl("net.x")), "sysctl 'net.x' is not allowed");
}

TEST(DockerOpts, Capabilities) {
  using V = std::vector<std::string>;
  EXPECT_EQ(normalize_capabilities({"net_admin", "CAP_SYS_ADMIN", " chown ", "NET_ADMIN"}),
            (V{"CAP_NET_ADMIN", "CAP_SYS_ADMIN", "CAP_CHOWN"}));
  EXPECT_EQ(normalize_capabilities({"all", "chown"}), (V{"ALL", "CAP_CHOWN"}));
  EXPECT_EQ(normalize_capabilities({}), V{});
}

TEST(DockerOpts, ThrottleDevices) {
  EXPECT_EQ(*parse_throttle_device("/dev/sda:1mb", true),
            (json{{"Path", "/dev/sda"}, {"Rate", 1 << 20}}));
  EXPECT_EQ(*parse_throttle_device("/dev/sda:100", false),
            (json{{"Path", "/dev/sda"}, {"Rate", 100}}));
  EXPECT_EQ(err(parse_throttle_device("/dev/sda", true)), "bad format: /dev/sda");
  EXPECT_EQ(err(parse_throttle_device("sda:1", true)), "bad format for device path: sda:1");
  EXPECT_NE(err(parse_throttle_device("/dev/sda:x", false)).find("invalid rate for device"),
            std::string::npos);
}

}  // namespace
}  // namespace hako::cli
