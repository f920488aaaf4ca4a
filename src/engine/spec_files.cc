// /etc/hosts, /etc/hostname and /etc/resolv.conf as libnetwork writes them for a container.
#include <unistd.h>

#include "engine/spec_parts.h"
#include "sys/file.h"

namespace hako::engine::spec {

namespace {

// libnetwork's resolvconf.FilterResolvDNS: localhost nameservers mean nothing in another
// network namespace; with none left, Google's public servers (Docker's fallback).
std::string filter_resolv_conf(const std::string& text) {
  std::string out;
  bool has_ns = false;
  size_t i = 0;
  while (i < text.size()) {
    size_t j = text.find('\n', i);
    if (j == std::string::npos) j = text.size();
    std::string line = text.substr(i, j - i);
    i = j + 1;
    if (line.rfind("nameserver", 0) == 0) {
      std::string addr = line.substr(10);
      addr.erase(0, addr.find_first_not_of(" \t"));
      addr = addr.substr(0, addr.find_first_of(" \t"));
      if (addr.rfind("127.", 0) == 0 || addr == "::1") continue;
      has_ns = true;
    }
    out += line + "\n";
  }
  if (!has_ns) out += "\nnameserver 8.8.8.8\nnameserver 8.8.4.4\n";
  return out;
}

}  // namespace

Status write_network_files(const std::string& dir, const std::string& hostname,
                           const std::vector<std::string>& extra_hosts, bool host_network) {
  std::string hosts;
  if (host_network) {
    auto host_hosts = sys::read_file("/etc/hosts", 1 << 20);
    if (host_hosts) hosts = *host_hosts;
  }
  if (hosts.empty()) {
    hosts =
        "127.0.0.1\tlocalhost\n"
        "::1\tlocalhost ip6-localhost ip6-loopback\n"
        "fe00::0\tip6-localnet\n"
        "ff00::0\tip6-mcastprefix\n"
        "ff02::1\tip6-allnodes\n"
        "ff02::2\tip6-allrouters\n";
  }
  if (!hosts.empty() && hosts.back() != '\n') hosts += '\n';
  for (size_t i = 0; i < extra_hosts.size(); ++i) {
    // "name:ip" (the ip may itself contain colons: IPv6).
    const std::string& e = extra_hosts[i];
    size_t colon = e.find(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == e.size())
      return invalid_argument("HostConfig.ExtraHosts[" + std::to_string(i) +
                              "]: invalid argument \"" + e + "\" for add-host: want name:ip");
    std::string ip = e.substr(colon + 1);
    if (ip == "host-gateway")
      return invalid_argument(
          "HostConfig.ExtraHosts[" + std::to_string(i) +
          "]: host-gateway needs a bridge network, which hako does not have yet");
    hosts += ip + "\t" + e.substr(0, colon) + "\n";
  }
  HAKO_TRY(sys::write_file_replace(dir + "/hosts", hosts, 0644));
  HAKO_TRY(sys::write_file_replace(dir + "/hostname", hostname + "\n", 0644));
  std::string resolv;
  auto host_resolv = sys::read_file("/etc/resolv.conf", 1 << 20);
  if (host_resolv) resolv = *host_resolv;
  if (!host_network) resolv = filter_resolv_conf(resolv);
  return sys::write_file_replace(dir + "/resolv.conf", resolv, 0644);
}

}  // namespace hako::engine::spec
