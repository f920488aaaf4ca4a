// Entry layout (host byte order; the cache never leaves the host):
//   EntryHeader | key (key_size bytes) | program (program_size bytes) | FNV-1a 64 of all before
// The checksum catches torn or damaged files; the key comparison catches hash collisions.
#include "seccomp/cache.h"

#include <fcntl.h>
#include <seccomp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <charconv>
#include <cstring>
#include <optional>

#include "sys/file.h"

namespace hako::seccomp {
namespace {

constexpr char kMagic[8] = {'H', 'K', 'S', 'C', 'M', 'P', '0', '1'};
constexpr size_t kMaxEntry = 1 << 20;  // a 4096-instruction program is 32 KiB

struct EntryHeader {
  char magic[8];
  uint32_t key_size;
  uint32_t program_size;
  uint32_t flags;
  uint32_t uses_notify;
};

uint64_t fnv1a(std::string_view data, uint64_t h = 0xcbf29ce484222325ULL) {
  for (unsigned char c : data) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

class KeyWriter {
 public:
  explicit KeyWriter(std::string& out) : out_(out) {}
  void number(uint64_t v) {
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    out_.append(buf, r.ptr);
    out_ += ';';
  }
  void optional(const std::optional<uint32_t>& v) {
    if (v)
      number(*v);
    else
      out_ += "-;";
  }
  // Length-prefixed, so no string content can be mistaken for a separator.
  void text(std::string_view s) {
    number(s.size());
    out_ += s;
  }
  void list(const std::vector<std::string>& v) {
    number(v.size());
    for (const std::string& s : v) text(s);
  }

 private:
  std::string& out_;
};

std::string entry_path(const std::string& cache_dir, const std::string& key) {
  char hex[17];
  uint64_t h = fnv1a(key);
  for (int i = 15; i >= 0; --i, h >>= 4) hex[i] = "0123456789abcdef"[h & 0xf];
  hex[16] = '\0';
  return cache_dir + "/" + hex + ".bpf";
}

std::string encode_entry(const std::string& key, const Filter& f) {
  EntryHeader h{};
  std::memcpy(h.magic, kMagic, sizeof kMagic);
  h.key_size = static_cast<uint32_t>(key.size());
  h.program_size = static_cast<uint32_t>(f.program.size());
  h.flags = f.flags;
  h.uses_notify = f.uses_notify ? 1 : 0;
  std::string out;
  out.reserve(sizeof h + key.size() + f.program.size() + sizeof(uint64_t));
  out.append(reinterpret_cast<const char*>(&h), sizeof h);
  out += key;
  out += f.program;
  uint64_t sum = fnv1a(out);
  out.append(reinterpret_cast<const char*>(&sum), sizeof sum);
  return out;
}

std::optional<Filter> decode_entry(std::string_view data, const std::string& key) {
  EntryHeader h;
  if (data.size() < sizeof h + sizeof(uint64_t)) return std::nullopt;
  std::memcpy(&h, data.data(), sizeof h);
  if (std::memcmp(h.magic, kMagic, sizeof kMagic) != 0) return std::nullopt;
  if (h.key_size != key.size()) return std::nullopt;
  if (data.size() != sizeof h + size_t{h.key_size} + h.program_size + sizeof(uint64_t))
    return std::nullopt;
  std::string_view body = data.substr(0, data.size() - sizeof(uint64_t));
  uint64_t sum;
  std::memcpy(&sum, data.data() + body.size(), sizeof sum);
  if (sum != fnv1a(body)) return std::nullopt;
  if (body.substr(sizeof h, key.size()) != key) return std::nullopt;
  if (h.program_size == 0 || h.program_size % 8 != 0 || h.uses_notify > 1) return std::nullopt;
  Filter f;
  f.program.assign(body.substr(sizeof h + key.size()));
  f.flags = h.flags;
  f.uses_notify = h.uses_notify != 0;
  return f;
}

std::optional<Filter> load_entry(const std::string& path, const std::string& key) {
  auto fd = sys::open_path(path, O_RDONLY | O_NOFOLLOW);
  if (!fd) return std::nullopt;
  // The entry becomes the container's syscall policy: only trust a file we (root) wrote and
  // nobody else can have modified.
  struct stat st {};
  if (::fstat(fd->get(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != ::geteuid() ||
      (st.st_mode & (S_IWGRP | S_IWOTH)) != 0 || st.st_size > static_cast<off_t>(kMaxEntry))
    return std::nullopt;
  auto data = sys::read_fd(fd->get(), kMaxEntry);
  if (!data) return std::nullopt;
  return decode_entry(*data, key);
}

}  // namespace

std::string canonical_key(const oci::Seccomp& p) {
  std::string key;
  key.reserve(8192);
  key += "hako-seccomp/1;";
  KeyWriter w(key);
  const scmp_version* v = seccomp_version();
  w.number(v->major);
  w.number(v->minor);
  w.number(v->micro);
  w.number(seccomp_arch_native());
  w.text(p.default_action);
  w.optional(p.default_errno_ret);
  w.list(p.architectures);
  w.list(p.flags);
  w.text(p.listener_path);
  w.text(p.listener_metadata);
  w.number(p.syscalls.size());
  for (const oci::SeccompSyscall& call : p.syscalls) {
    w.list(call.names);
    w.text(call.action);
    w.optional(call.errno_ret);
    w.number(call.args.size());
    for (const oci::SeccompArg& arg : call.args) {
      w.number(arg.index);
      w.number(arg.value);
      w.number(arg.value_two);
      w.text(arg.op);
    }
  }
  return key;
}

Result<Filter> compile_cached(const oci::Seccomp& profile, const std::string& cache_dir) {
  std::string key = canonical_key(profile);
  std::string path = entry_path(cache_dir, key);
  if (std::optional<Filter> hit = load_entry(path, key)) return std::move(*hit);

  HAKO_TRY_ASSIGN(Filter filter, compile(profile));
  // Best effort: a read-only or full cache must not stop containers from starting.
  if (sys::make_dirs(cache_dir, 0700))
    (void)sys::write_file_atomic(path, encode_entry(key, filter), 0600);
  return filter;
}

}  // namespace hako::seccomp
