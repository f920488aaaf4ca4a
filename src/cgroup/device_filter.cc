#include "cgroup/device_filter.h"

#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "base/unique_fd.h"

namespace hako::cgroup {
namespace {

// Registers: R1 = context on entry; the prologue loads its fields into
//   R2 = device type (BPF_DEVCG_DEV_BLOCK 1 / CHAR 2), R3 = access bits (BPF_DEVCG_ACC_*),
//   R4 = major, R5 = minor; R1 is then free as scratch. struct bpf_cgroup_dev_ctx is
//   { u32 access_type (access << 16 | type); u32 major; u32 minor; }.
constexpr uint8_t R0 = 0, R1 = 1, R2 = 2, R3 = 3, R4 = 4, R5 = 5;

bpf_insn insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm) {
  bpf_insn i{};
  i.code = code;
  i.dst_reg = dst & 0xf;
  i.src_reg = src & 0xf;
  i.off = off;
  i.imm = imm;
  return i;
}
bpf_insn load_u32(uint8_t dst, int16_t off) {
  return insn(BPF_LDX | BPF_MEM | BPF_W, dst, R1, off, 0);
}
bpf_insn alu32(uint8_t op, uint8_t dst, int32_t imm) {
  return insn(BPF_ALU | op | BPF_K, dst, 0, 0, imm);
}
bpf_insn mov_reg(uint8_t dst, uint8_t src) {
  return insn(BPF_ALU64 | BPF_MOV | BPF_X, dst, src, 0, 0);
}
bpf_insn mov_imm(uint8_t dst, int32_t imm) {
  return insn(BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, imm);
}
bpf_insn jump_if(uint8_t op, uint8_t dst, int32_t imm) {
  return insn(BPF_JMP | op | BPF_K, dst, 0, 0, imm);
}
bpf_insn exit_insn() { return insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0); }

}  // namespace

std::vector<bpf_insn> device_filter_program(const DevicePolicy& policy) {
  std::vector<bpf_insn> prog = {
      load_u32(R2, 0), alu32(BPF_AND, R2, 0xffff),  // type
      load_u32(R3, 0), alu32(BPF_RSH, R3, 16),      // access
      load_u32(R4, 4),                              // major
      load_u32(R5, 8),                              // minor
  };
  for (const auto& e : policy.exceptions) {
    std::vector<bpf_insn> block;
    std::vector<size_t> to_next;  // jumps to patch: "this exception does not match"
    auto jump_next = [&](bpf_insn j) {
      to_next.push_back(block.size());
      block.push_back(j);
    };
    jump_next(jump_if(BPF_JNE, R2, e.type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR));
    if (e.access != kDevAll) {
      block.push_back(mov_reg(R1, R3));
      if (!policy.default_allow) {
        // An allowance matches only if it grants every requested bit.
        block.push_back(alu32(BPF_AND, R1, ~e.access & kDevAll));
        jump_next(jump_if(BPF_JNE, R1, 0));
      } else {
        // A denial matches if any requested bit is denied.
        block.push_back(alu32(BPF_AND, R1, e.access));
        jump_next(jump_if(BPF_JEQ, R1, 0));
      }
    }
    if (e.major != kDevWildcard) jump_next(jump_if(BPF_JNE, R4, static_cast<int32_t>(e.major)));
    if (e.minor != kDevWildcard) jump_next(jump_if(BPF_JNE, R5, static_cast<int32_t>(e.minor)));
    block.push_back(mov_imm(R0, policy.default_allow ? 0 : 1));
    block.push_back(exit_insn());
    for (size_t at : to_next) block[at].off = static_cast<int16_t>(block.size() - at - 1);
    prog.insert(prog.end(), block.begin(), block.end());
  }
  prog.push_back(mov_imm(R0, policy.default_allow ? 1 : 0));
  prog.push_back(exit_insn());
  return prog;
}

Status attach_device_filter(int cgroup_dir_fd, std::string_view cgroup_path,
                            const std::vector<bpf_insn>& program) {
  static const char kLicense[] = "Apache";
  std::string what = "attach device filter to " + std::string(cgroup_path);
  auto load = [&](char* log, uint32_t log_size) {
    union bpf_attr attr;
    std::memset(&attr, 0, sizeof attr);
    attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
    attr.insns = reinterpret_cast<uint64_t>(program.data());
    attr.insn_cnt = static_cast<uint32_t>(program.size());
    attr.license = reinterpret_cast<uint64_t>(kLicense);
    if (log) {
      attr.log_buf = reinterpret_cast<uint64_t>(log);
      attr.log_size = log_size;
      attr.log_level = 1;
    }
    return static_cast<int>(::syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof attr));
  };
  int prog_fd = load(nullptr, 0);
  if (prog_fd < 0) {
    int err = errno;
    // Only pay for the verifier log when the load failed, and then say what it said.
    std::string log(8192, '\0');
    if (err == EINVAL || err == EACCES) {
      int again = load(log.data(), static_cast<uint32_t>(log.size()));
      if (again >= 0) ::close(again);
      log.resize(std::strlen(log.c_str()));
    } else {
      log.clear();
    }
    auto e = Error::from_errno(err, "load BPF_PROG_TYPE_CGROUP_DEVICE program");
    if (!log.empty()) e = Error(e.code(), e.message() + " (verifier: " + log + ")", err);
    return std::move(e).context(what);
  }
  UniqueFd prog(prog_fd);
  union bpf_attr attr;
  std::memset(&attr, 0, sizeof attr);
  attr.target_fd = static_cast<uint32_t>(cgroup_dir_fd);
  attr.attach_bpf_fd = static_cast<uint32_t>(prog.get());
  attr.attach_type = BPF_CGROUP_DEVICE;
  attr.attach_flags = BPF_F_ALLOW_MULTI;
  if (::syscall(SYS_bpf, BPF_PROG_ATTACH, &attr, sizeof attr) != 0)
    return Error::from_errno(errno, "BPF_PROG_ATTACH").context(what);
  return ok();
}

}  // namespace hako::cgroup
