#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>

#include "cgroup/device_filter.h"
#include "cgroup/device_rules.h"

namespace hako::cgroup {
namespace {

oci::DeviceCgroupRule rule(bool allow, std::string type, std::optional<int64_t> major,
                           std::optional<int64_t> minor, std::string access) {
  oci::DeviceCgroupRule r;
  r.allow = allow;
  r.type = std::move(type);
  r.major = major;
  r.minor = minor;
  r.access = std::move(access);
  return r;
}

std::vector<std::string> v1_strings(const std::vector<DeviceRule>& rules) {
  std::vector<std::string> out;
  for (const auto& r : rules) out.push_back(std::string(r.allow ? "allow " : "deny ") + r.to_v1());
  return out;
}

TEST(DeviceRules, NormalizesToV1Strings) {
  auto rules = normalize_device_rules({
      rule(false, "", std::nullopt, std::nullopt, "rwm"),
      rule(true, "c", 1, 3, "rwm"),
      rule(true, "c", 136, std::nullopt, "rw"),
      rule(true, "b", std::nullopt, std::nullopt, "m"),
      // Type a with a device number would reset the whole v1 list: split into c and b.
      rule(false, "a", 1, 5, "w"),
  });
  ASSERT_TRUE(rules) << rules.error().message();
  EXPECT_EQ(v1_strings(*rules),
            (std::vector<std::string>{"deny a", "allow c 1:3 rwm", "allow c 136:* rw",
                                      "allow b *:* m", "deny c 1:5 w", "deny b 1:5 w"}));
}

TEST(DeviceRules, RejectsMalformedRules) {
  auto bad_type = normalize_device_rules({rule(true, "x", 1, 3, "rwm")});
  ASSERT_FALSE(bad_type);
  EXPECT_NE(bad_type.error().message().find("linux.resources.devices[0].type"), std::string::npos);
  auto bad_access = normalize_device_rules({rule(true, "c", 1, 3, "rwx")});
  ASSERT_FALSE(bad_access);
  EXPECT_NE(bad_access.error().message().find("may only contain r, w, m"), std::string::npos);
  EXPECT_FALSE(normalize_device_rules({rule(true, "c", 1, 3, "")}));
  EXPECT_FALSE(normalize_device_rules({rule(true, "c", -5, 3, "r")}));
}

TEST(DeviceRules, FoldFollowsTheV1Kernel) {
  auto rules = *normalize_device_rules({
      rule(false, "a", std::nullopt, std::nullopt, "rwm"), rule(true, "c", 1, 3, "r"),
      rule(true, "c", 1, 3, "w"),  // merges with the entry above: c 1:3 rw
      rule(true, "c", 1, 5, "rwm"), rule(false, "c", 1, 5, "w"),  // subtracts: c 1:5 rm
      rule(false, "c", 1, 9, "rwm"),  // no entry for 1:9 under deny-all: nothing to do
  });
  auto p = fold_device_rules(rules);
  EXPECT_FALSE(p.default_allow);
  ASSERT_EQ(p.exceptions.size(), 2u);
  EXPECT_EQ(p.exceptions[0].to_v1(), "c 1:3 rw");
  EXPECT_EQ(p.exceptions[1].to_v1(), "c 1:5 rm");
  EXPECT_TRUE(p.allows('c', 1, 3, kDevRead | kDevWrite));
  EXPECT_FALSE(p.allows('c', 1, 3, kDevMknod));
  EXPECT_FALSE(p.allows('c', 1, 5, kDevWrite));
  EXPECT_TRUE(p.allows('c', 1, 5, kDevRead));
  EXPECT_FALSE(p.allows('b', 1, 3, kDevRead));
  EXPECT_FALSE(p.allows('c', 1, 9, kDevRead));

  // An allow-all reset drops the earlier exceptions; later denials become the exceptions.
  auto q = fold_device_rules(*normalize_device_rules({
      rule(true, "c", 1, 3, "r"),
      rule(true, "a", std::nullopt, std::nullopt, "rwm"),
      rule(false, "b", 8, std::nullopt, "w"),
  }));
  EXPECT_TRUE(q.default_allow);
  ASSERT_EQ(q.exceptions.size(), 1u);
  EXPECT_FALSE(q.allows('b', 8, 1, kDevRead | kDevWrite));  // partly denied is denied
  EXPECT_TRUE(q.allows('b', 8, 1, kDevRead));
  EXPECT_TRUE(q.allows('c', 4, 1, kDevWrite));

  // No rules at all: deny everything.
  EXPECT_FALSE(fold_device_rules({}).allows('c', 1, 3, kDevRead));
}

TEST(DeviceRules, DefaultsFollowTheSpecRulesUnlessTheSpecListsTheDevice) {
  oci::Linux linux;
  linux.resources.emplace();
  linux.resources->devices = {rule(false, "", std::nullopt, std::nullopt, "rwm")};
  oci::Device null_dev;
  null_dev.path = "/dev/null";
  linux.devices.push_back(null_dev);
  auto all = with_default_device_rules(linux);
  auto rules = *normalize_device_rules(all);
  auto s = v1_strings(rules);
  ASSERT_EQ(s.size(), 10u);
  EXPECT_EQ(s[0], "deny a");
  EXPECT_EQ(s[1], "allow c *:* m");
  EXPECT_EQ(s[2], "allow b *:* m");
  EXPECT_EQ(std::count(s.begin(), s.end(), "allow c 1:3 rwm"), 0);  // the spec's /dev/null wins
  EXPECT_EQ(std::count(s.begin(), s.end(), "allow c 136:* rwm"), 1);
  EXPECT_EQ(s.back(), "allow c 5:2 rwm");
}

// A tiny interpreter for the instructions device_filter_program() emits.
struct DevCtx {
  uint32_t access_type, major, minor;
};
int run(const std::vector<bpf_insn>& prog, char type, uint32_t major, uint32_t minor,
        uint8_t access) {
  DevCtx ctx{static_cast<uint32_t>(access) << 16 |
                 (type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR),
             major, minor};
  uint64_t r[11] = {};
  for (size_t pc = 0; pc < prog.size(); ++pc) {
    const bpf_insn& i = prog[pc];
    switch (i.code) {
      case BPF_LDX | BPF_MEM | BPF_W: {
        EXPECT_EQ(i.src_reg, 1);
        uint32_t v;
        std::memcpy(&v, reinterpret_cast<const char*>(&ctx) + i.off, 4);
        r[i.dst_reg] = v;
        break;
      }
      case BPF_ALU | BPF_AND | BPF_K:
        r[i.dst_reg] = static_cast<uint32_t>(r[i.dst_reg] & static_cast<uint32_t>(i.imm));
        break;
      case BPF_ALU | BPF_RSH | BPF_K:
        r[i.dst_reg] = static_cast<uint32_t>(r[i.dst_reg]) >> i.imm;
        break;
      case BPF_ALU64 | BPF_MOV | BPF_X:
        r[i.dst_reg] = r[i.src_reg];
        break;
      case BPF_ALU64 | BPF_MOV | BPF_K:
        r[i.dst_reg] = static_cast<uint64_t>(static_cast<int64_t>(i.imm));
        break;
      case BPF_JMP | BPF_JNE | BPF_K:
        if (r[i.dst_reg] != static_cast<uint64_t>(static_cast<int64_t>(i.imm))) pc += i.off;
        break;
      case BPF_JMP | BPF_JEQ | BPF_K:
        if (r[i.dst_reg] == static_cast<uint64_t>(static_cast<int64_t>(i.imm))) pc += i.off;
        break;
      case BPF_JMP | BPF_EXIT:
        return static_cast<int>(r[0]);
      default:
        ADD_FAILURE() << "unexpected opcode " << int(i.code);
        return -1;
    }
    EXPECT_GE(i.off, 0);  // forward jumps only: the verifier rejects loops anyway
  }
  ADD_FAILURE() << "fell off the end of the program";
  return -1;
}

TEST(DeviceFilter, ProgramDecidesLikeThePolicy) {
  std::vector<std::vector<oci::DeviceCgroupRule>> cases = {
      {},
      {rule(true, "a", std::nullopt, std::nullopt, "rwm")},
      {rule(false, "a", std::nullopt, std::nullopt, "rwm"), rule(true, "c", 1, 3, "rwm"),
       rule(true, "c", 136, std::nullopt, "rw"), rule(true, "b", std::nullopt, std::nullopt, "m"),
       rule(true, "c", 1, 5, "r"), rule(true, "c", 1, 5, "w")},
      {rule(true, "a", std::nullopt, std::nullopt, "rwm"), rule(false, "c", 1, 3, "w"),
       rule(false, "b", 8, std::nullopt, "rwm"), rule(false, "c", std::nullopt, 7, "m")},
  };
  const char types[] = {'c', 'b'};
  const uint32_t numbers[] = {0, 1, 3, 5, 7, 8, 136};
  for (size_t n = 0; n < cases.size(); ++n) {
    auto policy = fold_device_rules(*normalize_device_rules(cases[n]));
    auto prog = device_filter_program(policy);
    for (char t : types)
      for (uint32_t major : numbers)
        for (uint32_t minor : numbers)
          for (uint8_t access = 1; access <= kDevAll; ++access)
            ASSERT_EQ(run(prog, t, major, minor, access),
                      policy.allows(t, major, minor, access) ? 1 : 0)
                << "case " << n << ": " << t << " " << major << ":" << minor << " access "
                << int(access);
  }
}

TEST(DeviceFilter, DenyAllIsTwoInstructionsAfterThePrologue) {
  auto prog = device_filter_program(DevicePolicy{});
  ASSERT_EQ(prog.size(), 8u);
  EXPECT_EQ(prog[6].code, BPF_ALU64 | BPF_MOV | BPF_K);
  EXPECT_EQ(prog[6].imm, 0);
  EXPECT_EQ(prog[7].code, BPF_JMP | BPF_EXIT);
}

}  // namespace
}  // namespace hako::cgroup
