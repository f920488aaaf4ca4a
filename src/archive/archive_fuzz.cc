// libFuzzer target: extract_layer on arbitrary bytes must fail cleanly or succeed, never
// crash, leak, or write outside its destination. Build and run (clang, from the repo root):
//   cmake -S . -B build/fuzz -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang
//     -DHAKO_FUZZ=ON -DHAKO_BUILD_TESTS=OFF && ninja -C build/fuzz archive_fuzz &&
//   build/fuzz/src/archive/archive_fuzz -max_total_time=60 -rss_limit_mb=2048
#include <stdlib.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <string>

#include "archive/extract.h"
#include "sys/file.h"

namespace {

// One scratch tree per process: <base>/dest is extracted into, <base>/canary must survive.
struct Scratch {
  Scratch() {
    char tmpl[] = "/tmp/hako-archive-fuzz-XXXXXX";
    if (mkdtemp(tmpl) == nullptr) abort();
    base = tmpl;
    if (!hako::sys::write_file_atomic(base + "/canary", "canary")) abort();
  }
  ~Scratch() { (void)hako::sys::remove_all(base); }
  std::string base;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Scratch scratch;
  std::string dest = scratch.base + "/dest";
  if (!hako::sys::make_dirs(dest)) abort();
  hako::archive::MemoryReader reader(std::string_view(reinterpret_cast<const char*>(data), size));
  // Small bounds keep each input fast; no owners or devices so the run needs no privileges.
  hako::archive::ExtractOptions options{.workers = 2,
                                        .max_bytes = 64 << 20,
                                        .max_entries = 10000,
                                        .devices = hako::archive::DevicePolicy::kSkip,
                                        .preserve_owners = false,
                                        .userxattr = true};
  (void)hako::archive::extract_layer(reader, dest, options);
  // Anything created beside dest (or a changed canary) is an escape: crash so libFuzzer keeps
  // the input.
  auto canary = hako::sys::read_file(scratch.base + "/canary");
  if (!canary || *canary != "canary") abort();
  if (!hako::sys::remove_all(dest)) abort();
  if (::rmdir(scratch.base.c_str()) == 0 || errno != ENOTEMPTY) abort();
  return 0;
}
