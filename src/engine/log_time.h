// Times of container logs: Docker's --since/--until values, the "time" of a json-file entry,
// and the fixed-width form `logs -t` prints. Unix nanoseconds throughout. Pure functions
// (parse_log_time reads the local time zone for zone-less values); thread safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace hako::engine {

// Docker's --since/--until (api/types/time.GetTimestamp): a Go duration before now ("10m",
// "1h30m", "-5s" is after now; truncated to the second, as Docker), RFC 3339 with or without
// the seconds, fraction or zone ("2026-12-01", "2026-12-01T10:00", "2026-12-01T10:00:00.5Z",
// "...+02:00"; without a zone: the local time zone), or a Unix timestamp with an optional
// fraction ("1700000000", "1700000000.5"). "0" is the Unix epoch.
Result<int64_t> parse_log_time(std::string_view value, int64_t now_ns);

// Strict RFC 3339 with a zone, any fraction ("2026-12-01T10:00:00.123Z"): a log entry's time.
std::optional<int64_t> parse_rfc3339_ns(std::string_view text);

// Docker's RFC3339NanoFixed in UTC: "2026-12-01T10:00:00.123456789Z".
std::string format_rfc3339_nano_fixed(int64_t ns);

}  // namespace hako::engine
