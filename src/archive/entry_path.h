// Names of tar entries, made safe to resolve inside a layer root.
//
// A layer's entry names are untrusted. clean_entry_name turns one into a relative path with no
// ".", "..", empty or leading "/" components, the way Docker does (leading "/" stripped, then
// a lexical clean), and refuses names whose ".." climbs above the root. The result is still
// resolved inside the root with openat2(RESOLVE_IN_ROOT) by the caller, because symlinks
// extracted earlier can point anywhere; this step only gives names a canonical form so that
// duplicates, whiteouts and hardlink targets compare equal. Pure functions; thread safe.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"

namespace hako::archive {

// "./usr//bin/../lib/" → "usr/lib"; "/etc/passwd" → "etc/passwd"; "." or "/" → "" (the root).
// "../x" or "a/../../x" → error "path escapes the layer root". NUL bytes are refused.
Result<std::string> clean_entry_name(std::string_view raw);

// Splits a cleaned, non-empty name into its parent ("" for the root) and last component.
struct SplitName {
  std::string_view parent;
  std::string_view base;
};
SplitName split_entry_name(std::string_view clean);

}  // namespace hako::archive
