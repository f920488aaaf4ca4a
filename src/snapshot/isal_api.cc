#include "snapshot/isal_api.h"

#include <dlfcn.h>

#include <mutex>

namespace hako::snapshot {
namespace {

template <typename F>
bool bind(void* lib, const char* name, F& out) {
  out = reinterpret_cast<F>(::dlsym(lib, name));
  return out != nullptr;
}

// Written once under the call_once below, read-only afterwards.
IsalApi g_api;
bool g_loaded = false;

void load_once() {
  void* lib = ::dlopen("libisal.so.2", RTLD_NOW | RTLD_LOCAL);
  if (!lib) return;
  g_loaded = bind(lib, "isal_inflate_init", g_api.inflate_init) &&
             bind(lib, "isal_inflate_reset", g_api.inflate_reset) &&
             bind(lib, "isal_inflate", g_api.inflate);
}

}  // namespace

const IsalApi* load_isal() {
  static std::once_flag once;
  std::call_once(once, load_once);
  return g_loaded ? &g_api : nullptr;
}

}  // namespace hako::snapshot
