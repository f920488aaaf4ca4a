// Where a registry is reached: the configuration of /etc/hako/hako.json that concerns
// registries, and the rules turning a reference's domain into base URLs to try.
//
// Rules (Docker's): docker.io (and index.docker.io) is served by registry-1.docker.io; every
// registry speaks https with verified TLS, except loopback hosts (localhost, 127.0.0.0/8, ::1,
// which Docker treats as insecure by default) and registries listed in "insecure-registries":
// those are tried over https without verifying the certificate (it is often self-signed),
// then over plain http when https fails to connect or handshake. hako.json "insecure-loopback":
// false takes loopback hosts out of that rule. A CA file for a registry is
// CERTS_DIR/HOST[:PORT]/ca.crt, as Docker's /etc/docker/certs.d (CERTS_DIR: hako.json
// "certs-dir", default /etc/hako/certs.d). Unlike Docker, a registry with a CA file is always
// verified against it and never tried over plain http, even when it is insecure or loopback:
// whoever installed the CA wants TLS. Values and pure functions, except load_config (reads a
// file).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace hako::registry {

inline constexpr const char* kDefaultConfigPath = "/etc/hako/hako.json";
inline constexpr const char* kDefaultCertsDir = "/etc/hako/certs.d";

struct Config {
  std::vector<std::string> insecure_registries;  // "host:port" or "host"
  std::string certs_dir = kDefaultCertsDir;
  bool insecure_loopback = true;  // Docker's default: 127.0.0.0/8 is insecure
};

// Parses hako.json's registry settings; other keys are ignored (they belong to other parts).
Result<Config> parse_config(std::string_view text, std::string_view what);
// $HAKO_CONFIG when set, else /etc/hako/hako.json; a missing file is the default config.
Result<Config> load_config();

struct BaseUrl {
  std::string url;  // "https://registry-1.docker.io", "http://127.0.0.1:5000"
  bool verify_tls = true;
};

struct Endpoint {
  std::string domain;  // as in the reference: "docker.io", "127.0.0.1:5000"
  std::string host;    // what is connected to: "registry-1.docker.io", "127.0.0.1:5000"
  std::vector<BaseUrl> candidates;  // in the order to try
  std::string ca_file;              // empty: the system store
  std::string ca_path;              // where a CA file for it is looked for (for hints)
};

// localhost, 127.0.0.0/8, ::1 (with or without a port, IPv6 in brackets).
bool is_loopback(std::string_view host_port);

// Endpoint for a reference's domain. `ca_exists` is asked whether a CA file is present (the
// filesystem, or a fake in tests).
Endpoint resolve_endpoint(std::string_view domain, const Config& config,
                          bool (*ca_exists)(const std::string& path) = nullptr);

}  // namespace hako::registry
