#include "http/curl_api.h"

#include <dlfcn.h>

#include <mutex>
#include <string>

namespace hako::http {
namespace {

// Written once under the call_once below, read-only afterwards.
CurlApi g_api;
std::string g_error;

template <typename F>
bool bind(void* lib, const char* name, F& out) {
  out = reinterpret_cast<F>(::dlsym(lib, name));
  if (!out) g_error = std::string("libcurl.so.4 lacks ") + name;
  return out != nullptr;
}

void load_once() {
  void* lib = ::dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    const char* why = ::dlerror();
    g_error = std::string("load libcurl.so.4 (install Debian's libcurl4): ") + (why ? why : "");
    return;
  }
  bool ok = bind(lib, "curl_global_init", g_api.global_init) &&
            bind(lib, "curl_easy_init", g_api.easy_init) &&
            bind(lib, "curl_easy_setopt", g_api.easy_setopt) &&
            bind(lib, "curl_easy_perform", g_api.easy_perform) &&
            bind(lib, "curl_easy_getinfo", g_api.easy_getinfo) &&
            bind(lib, "curl_easy_cleanup", g_api.easy_cleanup) &&
            bind(lib, "curl_easy_strerror", g_api.easy_strerror) &&
            bind(lib, "curl_share_init", g_api.share_init) &&
            bind(lib, "curl_share_setopt", g_api.share_setopt) &&
            bind(lib, "curl_share_cleanup", g_api.share_cleanup) &&
            bind(lib, "curl_slist_append", g_api.slist_append) &&
            bind(lib, "curl_slist_free_all", g_api.slist_free_all) &&
            bind(lib, "curl_url", g_api.url) && bind(lib, "curl_url_set", g_api.url_set) &&
            bind(lib, "curl_url_get", g_api.url_get) &&
            bind(lib, "curl_url_cleanup", g_api.url_cleanup) && bind(lib, "curl_free", g_api.free);
  if (!ok) return;
  // curl_global_init is not thread safe: it runs here, once, like the loading.
  if (g_api.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) g_error = "curl_global_init failed";
}

}  // namespace

Result<const CurlApi*> load_curl() {
  static std::once_flag once;
  std::call_once(once, load_once);
  if (!g_error.empty()) return Error(ErrorCode::kUnavailable, g_error);
  return &g_api;
}

const CurlApi& curl() { return g_api; }

}  // namespace hako::http
