#include "oci/platform.h"

#include <sys/utsname.h>

#include <algorithm>
#include <cctype>
#include <climits>

#include "base/strings.h"

namespace hako::oci {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool is_known_os(std::string_view os) {
  for (std::string_view k :
       {"linux", "windows", "darwin", "freebsd", "netbsd", "openbsd", "solaris", "illumos", "aix",
        "android", "ios", "plan9", "js", "wasip1", "dragonfly"})
    if (os == k) return true;
  return false;
}

// The CPU level a variant names ("v7" → 7); for an absent variant the architecture's baseline.
std::optional<int> variant_level(const Platform& p) {
  if (p.variant.empty()) {
    if (p.architecture == "arm") return 7;
    if (p.architecture == "arm64") return 8;
    if (p.architecture == "amd64") return 1;
    return std::nullopt;
  }
  if (p.variant.size() < 2 || p.variant[0] != 'v') return std::nullopt;
  auto n = parse_int64(std::string_view(p.variant).substr(1));
  if (!n || *n < 0 || *n > 100) return std::nullopt;
  return static_cast<int>(*n);
}

bool has_levels(std::string_view arch) {
  return arch == "arm" || arch == "arm64" || arch == "amd64";
}

}  // namespace

Platform normalize_platform(Platform p) {
  p.os = lower(p.os);
  p.architecture = lower(p.architecture);
  p.variant = lower(p.variant);
  std::string& a = p.architecture;
  std::string& v = p.variant;
  if (a == "x86_64" || a == "x86-64" || a == "amd64") {
    a = "amd64";
    if (v == "v1") v.clear();
  } else if (a == "i386" || a == "i686" || a == "x86" || a == "386") {
    a = "386";
    v.clear();
  } else if (a == "aarch64" || a == "arm64") {
    a = "arm64";
    if (v == "8" || v == "v8" || v == "v8.0") v.clear();
  } else if (a == "armhf") {
    a = "arm";
    v = "v7";
  } else if (a == "armel") {
    a = "arm";
    v = "v6";
  } else if (a == "arm") {
    if (v.empty() || v == "7") v = "v7";
    if (v == "5" || v == "6" || v == "8") v = "v" + v;
  }
  return p;
}

Platform host_platform() {
  Platform p;
  p.os = "linux";
  struct utsname u {};
  if (::uname(&u) != 0) {
    p.architecture = "amd64";  // uname(2) cannot fail with a valid buffer
    return normalize_platform(p);
  }
  std::string machine = u.machine;
  if (starts_with(machine, "armv")) {
    // "armv7l", "armv6l": the digit is the variant.
    p.architecture = "arm";
    p.variant = "v" + std::string(1, machine[4]);
  } else {
    p.architecture = machine;
  }
  return normalize_platform(p);
}

Result<Platform> parse_platform(std::string_view text) {
  auto fail = [&](std::string_view why) {
    return invalid_argument("invalid platform \"" + std::string(text) + "\": " + std::string(why));
  };
  if (text.empty()) return fail("empty");
  std::vector<std::string> parts = split(lower(text), '/');
  if (parts.size() > 3) return fail("want os[/arch[/variant]]");
  for (const auto& part : parts) {
    if (part.empty()) return fail("empty component");
    for (char c : part)
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '.')
        return fail("unexpected character");
  }
  Platform p;
  if (parts.size() == 1) {
    // One word is an OS (with the host's architecture) or an architecture (on linux).
    if (is_known_os(parts[0])) {
      Platform host = host_platform();
      p.os = parts[0];
      p.architecture = host.architecture;
      p.variant = host.variant;
    } else {
      p.os = "linux";
      p.architecture = parts[0];
    }
  } else {
    if (!is_known_os(parts[0])) return fail("unknown operating system \"" + parts[0] + "\"");
    p.os = parts[0];
    p.architecture = parts[1];
    if (parts.size() == 3) p.variant = parts[2];
  }
  return normalize_platform(std::move(p));
}

std::string platform_string(const Platform& p) {
  std::string s = p.os + "/" + p.architecture;
  if (!p.variant.empty()) s += "/" + p.variant;
  return s;
}

std::optional<int> platform_rank(const Platform& want_in, const Platform& have_in) {
  Platform want = normalize_platform(want_in);
  Platform have = normalize_platform(have_in);
  if (want.os != have.os || want.architecture != have.architecture) return std::nullopt;
  if (want.variant == have.variant) return 0;
  if (!has_levels(want.architecture)) return std::nullopt;
  auto w = variant_level(want);
  auto h = variant_level(have);
  if (!w || !h || *h > *w) return std::nullopt;
  return *w - *h;
}

std::optional<size_t> find_platform_manifest(const Index& index, const Platform& want) {
  std::optional<size_t> best;
  int best_rank = INT_MAX;
  for (size_t i = 0; i < index.manifests.size(); ++i) {
    const Descriptor& d = index.manifests[i];
    if (!is_manifest_media_type(d.media_type)) continue;
    std::optional<int> rank = d.platform ? platform_rank(want, *d.platform) : INT_MAX - 1;
    if (rank && *rank < best_rank) {
      best = i;
      best_rank = *rank;
    }
  }
  return best;
}

}  // namespace hako::oci
