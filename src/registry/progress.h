// Per-layer progress of a pull or push, in Docker's words, for a CLI to draw.
//
// A pull reports, per layer: "Pulling fs layer" (or "Already exists"), "Waiting" when every
// download slot is busy, "Downloading" with bytes, "Verifying Checksum", "Download complete",
// "Extracting", "Pull complete". A push: "Preparing", "Waiting", "Pushing" with bytes, then
// "Pushed", "Layer already exists" or "Mounted from OTHER/REPO". Only the byte statuses
// (is_byte_status) carry current/total; those come at most every 100 ms and every 1% of the
// layer (ByteProgress), plus the last, so a reporter costs nothing a pull can measure.
//
// Thread safety: pull and push call their ProgressFn through one ProgressReporter, which lets
// one call through at a time, from whichever worker thread or the caller's; so the callback
// needs no lock of its own, but must not call back into the pull or push.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>

#include "oci/digest.h"

namespace hako::registry {

struct ProgressEvent {
  std::string_view id;      // the layer's short id: the first 12 hex digits of its digest
  std::string_view status;  // Docker's words, above
  uint64_t current = 0;     // bytes done, for a byte status; 0 otherwise
  uint64_t total = 0;       // the layer's size, for a byte status; 0 when unknown
};

using ProgressFn = std::function<void(const ProgressEvent&)>;

// "Downloading", "Extracting", "Pushing": the statuses that repeat with bytes (Docker prints
// them only on a terminal).
bool is_byte_status(std::string_view status);

// "a307d6a4d3f6" for sha256:a307d6a4d3f6…, as Docker names layers in its progress.
std::string layer_short_id(const oci::Digest& d);

// Serialises a ProgressFn for the threads of one pull or push; a no-op without one.
class ProgressReporter {
 public:
  explicit ProgressReporter(const ProgressFn& fn) : fn_(fn) {}
  bool enabled() const { return static_cast<bool>(fn_); }
  void report(const oci::Digest& layer, std::string_view status, uint64_t current = 0,
              uint64_t total = 0);

 private:
  const ProgressFn& fn_;
  std::mutex mu_;
};

// The byte events of one layer's transfer, throttled. One thread at a time; current may go back
// (a transfer that starts over), which is reported at once.
class ByteProgress {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr Clock::duration kInterval = std::chrono::milliseconds(100);

  ByteProgress(ProgressReporter& reporter, const oci::Digest& layer, std::string_view status,
               uint64_t total)
      : reporter_(reporter), layer_(layer), status_(status), total_(total) {}

  void update(uint64_t current) {
    if (reporter_.enabled() && is_due(current, Clock::now()))
      reporter_.report(layer_, status_, current, total_);
  }
  // Whether an event for `current` at `now` is due; if so, counts it as sent.
  bool is_due(uint64_t current, Clock::time_point now);

 private:
  ProgressReporter& reporter_;
  oci::Digest layer_;
  std::string_view status_;
  uint64_t total_;
  bool sent_any_ = false;
  uint64_t last_bytes_ = 0;
  Clock::time_point last_time_{};
};

}  // namespace hako::registry
