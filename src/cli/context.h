// Context: what every `hako` command gets from main() — the store and state roots chosen by
// --root/--state (or HAKO_ROOT/HAKO_STATE), and the streams to print to. Commands open the
// image store through it, so no command reaches a global default by itself.
// Value type; one thread.
#pragma once

#include <cstdio>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "image/store.h"

namespace hako::cli {

inline constexpr const char* kDefaultRoot = "/var/lib/hako";
inline constexpr const char* kDefaultState = "/run/hako";

struct Context {
  std::string root = kDefaultRoot;
  std::string state = kDefaultState;
  FILE* out = stdout;
  FILE* err = stderr;
  // The outcome of the command that ran; main() maps it to the exit code.
  Status status;
  // Set by commands whose exit code is not just success/failure: `run` exits with the
  // container's code, and with 125 (Docker's) when hako itself fails.
  std::optional<int> exit_code;

  Result<image::ImageStore> open_store() const { return image::ImageStore::open(root); }
};

// Writes all of `text` to the stream (a closed pipe is an error, not a crash).
Status print(FILE* f, std::string_view text);

// What every `inspect` prints: the array as Docker's 4-space JSON, or --format per element.
Status print_inspected(const Context& ctx, const nlohmann::json& all, const std::string& format);

}  // namespace hako::cli
