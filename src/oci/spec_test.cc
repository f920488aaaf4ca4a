#include "oci/spec.h"

#include <gtest/gtest.h>

namespace hako::oci {
namespace {

const char* kMinimal = R"({
  "ociVersion": "1.0.2",
  "root": {"path": "rootfs", "readonly": true},
  "process": {"args": ["/bin/sh"], "cwd": "/", "user": {"uid": 1, "gid": 2, "additionalGids": [3]},
              "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}]},
  "hostname": "box",
  "mounts": [{"destination": "/proc", "type": "proc", "source": "proc"}],
  "linux": {
    "namespaces": [{"type": "pid"}, {"type": "uts"}, {"type": "mount"}],
    "resources": {"memory": {"limit": 1048576}, "pids": {"limit": 10},
                  "devices": [{"allow": false, "access": "rwm"}]},
    "cgroupsPath": "/hako/x",
    "maskedPaths": ["/proc/kcore"]
  }
})";

TEST(Spec, ParsesAMinimalConfig) {
  auto spec = parse_spec(kMinimal);
  ASSERT_TRUE(spec) << spec.error().message();
  EXPECT_EQ(spec->root->path, "rootfs");
  EXPECT_TRUE(spec->root->readonly);
  EXPECT_EQ(spec->process->user.additional_gids, std::vector<uint32_t>{3});
  EXPECT_EQ(spec->linux->resources->memory->limit, 1048576);
  EXPECT_EQ(spec->linux->resources->pids_limit, 10);
  EXPECT_FALSE(spec->linux->resources->devices[0].major);
  EXPECT_TRUE(validate_spec(*spec));
}

TEST(Spec, TypeErrorNamesTheFieldPath) {
  auto spec =
      parse_spec(R"({"ociVersion":"1.0.0","linux":{"resources":{"memory":{"limit":"1G"}}}})");
  ASSERT_FALSE(spec);
  EXPECT_EQ(spec.error().message(), "linux.resources.memory.limit: expected integer");
}

TEST(Spec, MalformedJson) {
  auto spec = parse_spec("{\"ociVersion\": ");
  ASSERT_FALSE(spec);
  EXPECT_NE(spec.error().message().find("config.json: malformed json"), std::string::npos);
}

Status validate_text(const std::string& text) {
  auto spec = parse_spec(text);
  if (!spec) return spec.error();
  return validate_spec(*spec);
}

TEST(Spec, UnknownNamespaceIsRejected) {
  auto s =
      validate_text(R"({"ociVersion":"1.0.0","root":{"path":"r"},"process":{"args":["x"],"cwd":"/"},
      "linux":{"namespaces":[{"type":"pid"},{"type":"bogus"}]}})");
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().message(), "linux.namespaces[1].type: unknown namespace type \"bogus\"");
}

TEST(Spec, DuplicateNamespaceAndOverlappingMappings) {
  EXPECT_FALSE(
      validate_text(R"({"ociVersion":"1.0.0","root":{"path":"r"},"process":{"args":["x"],"cwd":"/"},
      "linux":{"namespaces":[{"type":"pid"},{"type":"pid"}]}})"));
  auto s =
      validate_text(R"({"ociVersion":"1.0.0","root":{"path":"r"},"process":{"args":["x"],"cwd":"/"},
      "linux":{"namespaces":[{"type":"user"}],
               "uidMappings":[{"containerID":0,"hostID":1000,"size":10},{"containerID":5,"hostID":5000,"size":1}],
               "gidMappings":[{"containerID":0,"hostID":1000,"size":10}]}})");
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().message(),
            "linux.uidMappings[1]: overlaps linux.uidMappings[0] (container ids 0-9)");
}

// A spec with a user namespace and the given uid/gid maps (JSON arrays).
Status validate_maps(const std::string& uids, const std::string& gids) {
  return validate_text(
      R"({"ociVersion":"1.0.0","root":{"path":"r"},"process":{"args":["x"],"cwd":"/"},
      "linux":{"namespaces":[{"type":"user"}],"uidMappings":)" +
      uids + R"(,"gidMappings":)" + gids + "}}");
}

TEST(Spec, IdMappingsWithSeveralRanges) {
  const std::string two =
      R"([{"containerID":0,"hostID":1000,"size":1},{"containerID":1,"hostID":100000,"size":65536}])";
  EXPECT_TRUE(validate_maps(two, two));
  auto host = validate_maps(
      two,
      R"([{"containerID":0,"hostID":100000,"size":10},{"containerID":10,"hostID":100005,"size":1}])");
  ASSERT_FALSE(host);
  EXPECT_EQ(host.error().message(),
            "linux.gidMappings[1]: overlaps linux.gidMappings[0] (host ids 100000-100009)");
  auto empty = validate_maps(R"([{"containerID":0,"hostID":1,"size":0}])", two);
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().message(), "linux.uidMappings[0].size: must be greater than 0");
  auto wide = validate_maps(R"([{"containerID":4294967295,"hostID":1,"size":2}])", two);
  ASSERT_FALSE(wide);
  EXPECT_EQ(wide.error().message(),
            "linux.uidMappings[0]: container ids 4294967295-4294967296 exceed the 32-bit id space");
  // A size that does not fit in 32 bits is refused by the parser, naming the field.
  auto huge = validate_maps(R"([{"containerID":0,"hostID":1,"size":4294967297}])", two);
  ASSERT_FALSE(huge);
  EXPECT_NE(huge.error().message().find("linux.uidMappings[0].size"), std::string::npos);
  auto alone = validate_text(
      R"({"ociVersion":"1.0.0","root":{"path":"r"},"process":{"args":["x"],"cwd":"/"},
      "linux":{"namespaces":[{"type":"user"}],"uidMappings":[{"containerID":0,"hostID":1,"size":1}]}})");
  ASSERT_FALSE(alone);
  EXPECT_EQ(alone.error().message(), "linux.gidMappings: required with linux.uidMappings");
}

TEST(Spec, AtMost340IdMapRanges) {
  auto lines = [](int n, int host) {
    std::string out = "[";
    for (int i = 0; i < n; ++i)
      out += std::string(i ? "," : "") + R"({"containerID":)" + std::to_string(i) +
             R"(,"hostID":)" + std::to_string(host + i) + R"(,"size":1})";
    return out + "]";
  };
  EXPECT_TRUE(validate_maps(lines(340, 1000), lines(1, 1000)));
  auto s = validate_maps(lines(1, 1000), lines(341, 1000));
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().message(), "linux.gidMappings: 341 ranges, the kernel accepts at most 340");
  // 340 lines of "339 100339 1\n" exceed the page a single write may fill.
  auto big = validate_maps(lines(340, 100000), lines(1, 1000));
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().message(),
            "linux.uidMappings: 4310 bytes as text, the kernel takes at most 4095 in one write");
}

TEST(Spec, MountIdMappings) {
  auto with_mount = [](const std::string& mount) {
    return validate_text(
        R"({"ociVersion":"1.0.0","root":{"path":"r"},"process":{"args":["x"],"cwd":"/"},"mounts":[)" +
        mount + "]}");
  };
  const std::string maps =
      R"("uidMappings":[{"containerID":0,"hostID":100000,"size":65536}],"gidMappings":[{"containerID":0,"hostID":100000,"size":65536}])";
  EXPECT_TRUE(with_mount(R"({"destination":"/d","type":"bind","source":"/s","options":["idmap"],)" +
                         maps + "}"));
  auto tmpfs = with_mount(R"({"destination":"/d","type":"tmpfs","source":"t",)" + maps + "}");
  ASSERT_FALSE(tmpfs);
  EXPECT_EQ(tmpfs.error().message(), "mounts[0]: idmapped mounts must be bind mounts");
  auto half = with_mount(
      R"({"destination":"/d","type":"bind","source":"/s","uidMappings":[{"containerID":0,"hostID":1,"size":1}]})");
  ASSERT_FALSE(half);
  EXPECT_EQ(half.error().message(),
            "mounts[0]: uidMappings and gidMappings must be given together");
}

TEST(Spec, MissingArgsAndRelativeCwd) {
  EXPECT_FALSE(validate_text(
      R"({"ociVersion":"1.0.0","root":{"path":"r"},"process":{"args":[],"cwd":"/"}})"));
  EXPECT_FALSE(validate_text(
      R"({"ociVersion":"1.0.0","root":{"path":"r"},"process":{"args":["x"],"cwd":"tmp"}})"));
}

TEST(Spec, HookTimeoutMustBePositive) {
  auto s =
      validate_text(R"({"ociVersion":"1.0.0","root":{"path":"r"},"process":{"args":["x"],"cwd":"/"},
      "hooks":{"poststart":[{"path":"/bin/true","timeout":0}]}})");
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().message(), "hooks.poststart[0].timeout: must be greater than 0");
}

TEST(Spec, RlimitSoftAboveHard) {
  EXPECT_FALSE(
      validate_text(R"({"ociVersion":"1.0.0","root":{"path":"r"},"process":{"args":["x"],"cwd":"/",
      "rlimits":[{"type":"RLIMIT_NOFILE","hard":1,"soft":2}]}})"));
}

TEST(Spec, SysctlsMustBeNamespaced) {
  const char* base =
      R"({"ociVersion":"1.0.0","root":{"path":"r"},"process":{"args":["x"],"cwd":"/"},
      "linux":{"namespaces":[{"type":"ipc"}],"sysctl":{%s}}})";
  auto with = [&](const std::string& sysctl) {
    std::string text = base;
    text.replace(text.find("%s"), 2, sysctl);
    return validate_text(text);
  };
  EXPECT_TRUE(with(R"("kernel.shmmax":"1")"));
  EXPECT_TRUE(with(R"("fs.mqueue.msg_max":"10")"));
  auto host = with(R"("kernel.panic":"17")");
  ASSERT_FALSE(host);
  EXPECT_NE(host.error().message().find("linux.sysctl.kernel.panic"), std::string::npos);
  EXPECT_FALSE(with(R"("net.ipv4.ip_forward":"1")"));  // no network namespace
}

TEST(Spec, ParsesAProcessJson) {
  auto p = parse_process(R"({"args":["/bin/ls"],"cwd":"/","env":["A=1"],"terminal":true})");
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->terminal);
  EXPECT_EQ(p->env[0], "A=1");
}

}  // namespace
}  // namespace hako::oci
