// libcurl, loaded when the first HTTP client is made rather than at every start of `hako`:
// libcurl pulls in some twenty-five libraries (TLS, Kerberos, LDAP, IDN, HTTP/2...) whose
// loading and relocation cost more than most hako commands take (`hako run` needs none of
// them). The table of functions is filled once per process (dlopen of libcurl.so.4, as
// Debian's libcurl4 installs it) and never changes after; thread safe.
#pragma once

#include <curl/curl.h>

#include "base/result.h"

namespace hako::http {

struct CurlApi {
  decltype(&::curl_global_init) global_init;
  decltype(&::curl_easy_init) easy_init;
  decltype(&::curl_easy_setopt) easy_setopt;
  decltype(&::curl_easy_perform) easy_perform;
  decltype(&::curl_easy_getinfo) easy_getinfo;
  decltype(&::curl_easy_cleanup) easy_cleanup;
  decltype(&::curl_easy_strerror) easy_strerror;
  decltype(&::curl_share_init) share_init;
  decltype(&::curl_share_setopt) share_setopt;
  decltype(&::curl_share_cleanup) share_cleanup;
  decltype(&::curl_slist_append) slist_append;
  decltype(&::curl_slist_free_all) slist_free_all;
  decltype(&::curl_url) url;
  decltype(&::curl_url_set) url_set;
  decltype(&::curl_url_get) url_get;
  decltype(&::curl_url_cleanup) url_cleanup;
  decltype(&::curl_free) free;
};

// Loads libcurl (once) and initialises it; the error says what is missing.
Result<const CurlApi*> load_curl();
// The loaded table; only valid after load_curl() succeeded (Client::create calls it).
const CurlApi& curl();

}  // namespace hako::http
