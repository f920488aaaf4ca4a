#include "registry/endpoint.h"

#include <algorithm>
#include <cstdlib>

#include "json/reader.h"
#include "sys/file.h"

namespace hako::registry {
namespace {

// "[::1]:5000" → "::1", "localhost:5000" → "localhost", "127.0.0.1" → "127.0.0.1".
std::string_view strip_port(std::string_view hp) {
  if (!hp.empty() && hp.front() == '[') {
    auto close = hp.find(']');
    return close == hp.npos ? hp : hp.substr(1, close - 1);
  }
  if (std::count(hp.begin(), hp.end(), ':') > 1) return hp;  // bare IPv6
  auto colon = hp.find(':');
  return colon == hp.npos ? hp : hp.substr(0, colon);
}

bool is_127(std::string_view host) {
  if (host.substr(0, 4) != "127.") return false;
  int dots = 0;
  for (char c : host.substr(4)) {
    if (c == '.') {
      ++dots;
    } else if (c < '0' || c > '9') {
      return false;
    }
  }
  return dots == 2;
}

bool file_exists(const std::string& path) { return sys::exists(path); }

}  // namespace

Result<Config> parse_config(std::string_view text, std::string_view what) {
  HAKO_TRY_ASSIGN(json::Value doc, json::parse(text, what));
  HAKO_TRY(json::require_object(doc, ""));
  Config c;
  HAKO_TRY(json::read_field(doc, "", "insecure-registries", c.insecure_registries));
  HAKO_TRY(json::read_field(doc, "", "certs-dir", c.certs_dir));
  HAKO_TRY(json::read_field(doc, "", "insecure-loopback", c.insecure_loopback));
  return c;
}

Result<Config> load_config() {
  const char* env = std::getenv("HAKO_CONFIG");
  std::string path = env && *env ? env : kDefaultConfigPath;
  if (!sys::exists(path)) return Config{};
  HAKO_TRY_ASSIGN(std::string text, sys::read_file(path, 1 << 20));
  auto c = parse_config(text, path);
  if (!c) return std::move(c).error().context("read " + path);
  return c;
}

bool is_loopback(std::string_view host_port) {
  std::string_view h = strip_port(host_port);
  return h == "localhost" || h == "::1" || is_127(h);
}

Endpoint resolve_endpoint(std::string_view domain, const Config& config,
                          bool (*ca_exists)(const std::string& path)) {
  Endpoint e;
  e.domain = std::string(domain);
  e.host = e.domain;
  if (domain == "docker.io" || domain == "index.docker.io") e.host = "registry-1.docker.io";
  bool insecure = std::find(config.insecure_registries.begin(), config.insecure_registries.end(),
                            e.domain) != config.insecure_registries.end();
  std::string ca = config.certs_dir + "/" + e.domain + "/ca.crt";
  if ((ca_exists ? ca_exists : file_exists)(ca)) e.ca_file = ca;
  e.ca_path = ca;
  if (e.ca_file.empty() && (insecure || (config.insecure_loopback && is_loopback(e.host)))) {
    e.candidates = {{"https://" + e.host, false}, {"http://" + e.host, true}};
  } else {
    e.candidates = {{"https://" + e.host, true}};
  }
  return e;
}

}  // namespace hako::registry
