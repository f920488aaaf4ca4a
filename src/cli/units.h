// Docker's human units, as the docker CLI prints them (github.com/docker/go-units): sizes in
// decimal units with three significant digits ("4.26MB", "1.2GB"), durations in words
// ("About an hour", "3 weeks"), and RFC 3339 timestamps parsed to Unix time. Pure; thread safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace hako::cli {

std::string human_size(int64_t bytes);
// go-units' BytesSize: binary units, 4 significant digits ("1.5MiB"), as `stats` prints.
std::string bytes_size(uint64_t bytes);
std::string human_duration(int64_t seconds);
// "2 hours ago"; "N/A" for an unknown time.
std::string time_ago(std::optional<int64_t> unix_seconds, int64_t now);
// "2024-05-01T10:00:00.123456789Z", "...+02:00"; nullopt if it is not RFC 3339.
std::optional<int64_t> parse_rfc3339(std::string_view text);
// "2024-05-01 10:00:00 +0000 UTC", as Docker's CreatedAt column.
std::string format_created_at(int64_t unix_seconds);

// go-units RAMInBytes, as the docker CLI parses --memory, --shm-size, tmpfs-size: "512", "64m",
// "1.5g", "2 GiB" in binary units; "invalid size: '12x'" otherwise.
Result<int64_t> ram_in_bytes(std::string_view text);
// Go's time.ParseDuration ("1m30s", "1.5h", "300ms", "0"), in nanoseconds, with Go's errors:
// `time: invalid duration "x"`, `time: missing unit in duration "1"`.
Result<int64_t> parse_go_duration(std::string_view text);

}  // namespace hako::cli
