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
               "uidMappings":[{"containerID":0,"hostID":1000,"size":10},{"containerID":5,"hostID":5000,"size":1}]}})");
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().message(), "linux.uidMappings[1]: overlaps linux.uidMappings[0]");
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
