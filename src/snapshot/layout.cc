#include "snapshot/layout.h"

#include <sys/random.h>
#include <unistd.h>

#include "json/reader.h"

namespace hako::snapshot::layout {

std::string temp_name(std::string_view prefix, std::string_view hex) {
  unsigned char bytes[8] = {};
  // getrandom(2) of 8 bytes does not block or come up short once the pool is initialised;
  // should it fail, the pid still separates processes and mkdir's EEXIST catches the rest.
  (void)::getrandom(bytes, sizeof bytes, 0);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s = std::string(prefix) + std::string(hex) + "-" + std::to_string(::getpid()) + "-";
  for (unsigned char b : bytes) {
    s += kHex[b >> 4];
    s += kHex[b & 0xf];
  }
  return s;
}

bool is_hex64(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

std::optional<std::string> temp_hex(std::string_view name, std::string_view prefix) {
  if (name.substr(0, prefix.size()) != prefix) return std::nullopt;
  std::string_view rest = name.substr(prefix.size());
  if (rest.size() < 65 || rest[64] != '-' || !is_hex64(rest.substr(0, 64))) return std::nullopt;
  return std::string(rest.substr(0, 64));
}

std::string encode_meta(const LayerInfo& info) {
  json::Value v = json::Value::object();
  v["chain_id"] = info.chain_id.to_string();
  v["diff_id"] = info.diff_id.to_string();
  if (info.parent) v["parent"] = info.parent->to_string();
  v["size"] = info.size;
  return v.dump() + "\n";
}

Result<LayerInfo> decode_meta(std::string_view text) {
  HAKO_TRY_ASSIGN(json::Value v, json::parse(text, kMeta));
  HAKO_TRY(json::require_object(v, ""));
  std::string chain, diff;
  std::optional<std::string> parent;
  LayerInfo info;
  HAKO_TRY(json::read_required(v, "", "chain_id", chain));
  HAKO_TRY(json::read_required(v, "", "diff_id", diff));
  HAKO_TRY(json::read_field(v, "", "parent", parent));
  HAKO_TRY(json::read_required(v, "", "size", info.size));
  HAKO_TRY_ASSIGN(info.chain_id, oci::Digest::parse(chain));
  HAKO_TRY_ASSIGN(info.diff_id, oci::Digest::parse(diff));
  if (parent) {
    HAKO_TRY_ASSIGN(info.parent, oci::Digest::parse(*parent));
  }
  return info;
}

}  // namespace hako::snapshot::layout
