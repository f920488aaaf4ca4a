// Docker's reference grammar, written as small scanners instead of distribution's regular
// expressions: std::regex is slow and recursive (a long name can overflow the stack), and every
// rule here is a character class plus a separator rule.
#include "oci/reference.h"

#include <cctype>

#include "base/strings.h"

namespace hako::oci {

namespace {

bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool is_alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }
bool is_word(char c) { return is_alnum(c) || c == '_'; }

// [a-z0-9]+ ( ( "." | "_" | "__" | "-"+ ) [a-z0-9]+ )*
bool is_path_component(std::string_view s) {
  size_t i = 0;
  auto alnum_run = [&] {
    size_t start = i;
    while (i < s.size() && is_lower_alnum(s[i])) ++i;
    return i > start;
  };
  if (!alnum_run()) return false;
  while (i < s.size()) {
    if (s[i] == '.') {
      ++i;
    } else if (s[i] == '_') {
      ++i;
      if (i < s.size() && s[i] == '_') ++i;
    } else if (s[i] == '-') {
      while (i < s.size() && s[i] == '-') ++i;
    } else {
      return false;
    }
    if (!alnum_run()) return false;
  }
  return true;
}

// A DNS label as distribution allows it: alnum, inner dashes.
bool is_domain_label(std::string_view s) {
  if (s.empty() || !is_alnum(s.front()) || !is_alnum(s.back())) return false;
  for (char c : s)
    if (!is_alnum(c) && c != '-') return false;
  return true;
}

// host [":" port], host = labels joined by "." | "[" ipv6 hex and colons "]".
bool is_domain(std::string_view s) {
  std::string_view host = s;
  if (!s.empty() && s.front() == '[') {
    auto close = s.find(']');
    if (close == std::string_view::npos || close == 1) return false;
    for (char c : s.substr(1, close - 1))
      if (!std::isxdigit(static_cast<unsigned char>(c)) && c != ':') return false;
    host = {};
    s.remove_prefix(close + 1);
  } else {
    auto colon = s.find(':');
    host = s.substr(0, colon);
    s = colon == std::string_view::npos ? std::string_view() : s.substr(colon);
    for (const auto& label : split(host, '.'))
      if (!is_domain_label(label)) return false;
  }
  if (s.empty()) return true;
  if (s.front() != ':' || s.size() == 1) return false;
  for (char c : s.substr(1))
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

bool is_identifier(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s)
    if (!std::isxdigit(static_cast<unsigned char>(c)) ||
        std::isupper(static_cast<unsigned char>(c)))
      return false;
  return true;
}

bool has_upper(std::string_view s) {
  for (char c : s)
    if (std::isupper(static_cast<unsigned char>(c))) return true;
  return false;
}

}  // namespace

bool is_valid_tag(std::string_view tag) {
  if (tag.empty() || tag.size() > 128 || !is_word(tag[0])) return false;
  for (char c : tag.substr(1))
    if (!is_word(c) && c != '.' && c != '-') return false;
  return true;
}

Result<Reference> parse_reference(std::string_view text, DefaultTag default_tag) {
  auto fail = [&](std::string_view why) {
    return invalid_argument("invalid reference \"" + std::string(text) + "\": " + std::string(why));
  };
  if (text.empty()) return fail("empty");
  if (is_identifier(text))
    return fail("a 64-character hexadecimal string is an image id, not a repository name");

  Reference ref;
  std::string_view rest = text;
  if (auto at = rest.find('@'); at != std::string_view::npos) {
    auto d = Digest::parse(rest.substr(at + 1));
    if (!d) return fail(d.error().message());
    ref.digest = std::move(*d);
    rest = rest.substr(0, at);
  }
  // A ':' after the last '/' starts the tag; one before it is a registry port.
  auto slash = rest.rfind('/');
  auto colon = rest.rfind(':');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) {
    ref.tag = std::string(rest.substr(colon + 1));
    if (!is_valid_tag(ref.tag))
      return fail("invalid tag \"" + ref.tag +
                  "\" (letters, digits, '_', '.', '-'; at most 128; not starting with '.' or '-')");
    rest = rest.substr(0, colon);
  }
  if (rest.empty()) return fail("missing repository name");

  // distribution's splitDockerDomain: the first component is a registry only if it looks like a
  // host name, so that `user/app` stays a Docker Hub path.
  std::string_view remainder = rest;
  auto first_slash = rest.find('/');
  if (first_slash != std::string_view::npos) {
    std::string_view first = rest.substr(0, first_slash);
    if (first.find_first_of(".:") != std::string_view::npos || first == "localhost" ||
        has_upper(first)) {
      ref.domain = std::string(first);
      remainder = rest.substr(first_slash + 1);
    }
  }
  if (ref.domain.empty() || ref.domain == "index.docker.io") ref.domain = kDefaultDomain;
  if (ref.domain == kDefaultDomain && remainder.find('/') == std::string_view::npos)
    ref.path = "library/" + std::string(remainder);
  else
    ref.path = std::string(remainder);

  if (!is_domain(ref.domain)) return fail("invalid registry name \"" + ref.domain + "\"");
  if (has_upper(ref.path)) return fail("repository name must be lowercase");
  for (const auto& component : split(ref.path, '/'))
    if (!is_path_component(component))
      return fail(component.empty() ? "empty path component"
                                    : "invalid path component \"" + component +
                                          "\" (lowercase letters and digits, separated by "
                                          "'.', '_', '__' or '-')");
  if (ref.name().size() > kMaxNameLength)
    return fail("repository name must not be more than " + std::to_string(kMaxNameLength) +
                " characters");
  if (default_tag == DefaultTag::kLatest && ref.tag.empty() && !ref.digest)
    ref.tag = std::string(kDefaultTag);
  return ref;
}

std::string Reference::to_string() const {
  std::string s = name();
  if (!tag.empty()) s += ":" + tag;
  if (digest) s += "@" + digest->to_string();
  return s;
}

std::string Reference::familiar_name() const {
  if (domain != kDefaultDomain) return name();
  std::string_view p = path;
  // Only single-component official images lose "library/": `library/foo/bar` stays as is.
  if (starts_with(p, "library/") && p.find('/', 8) == std::string_view::npos)
    return std::string(p.substr(8));
  return path;
}

std::string Reference::familiar_string() const {
  std::string s = familiar_name();
  if (!tag.empty()) s += ":" + tag;
  if (digest) s += "@" + digest->to_string();
  return s;
}

}  // namespace hako::oci
