#include "registry/progress.h"

namespace hako::registry {

bool is_byte_status(std::string_view status) {
  return status == "Downloading" || status == "Extracting" || status == "Pushing";
}

std::string layer_short_id(const oci::Digest& d) { return std::string(d.hex().substr(0, 12)); }

void ProgressReporter::report(const oci::Digest& layer, std::string_view status, uint64_t current,
                              uint64_t total) {
  if (!fn_) return;
  std::string id = layer_short_id(layer);
  std::lock_guard lock(mu_);
  fn_(ProgressEvent{id, status, current, total});
}

bool ByteProgress::is_due(uint64_t current, Clock::time_point now) {
  // The last byte always shows (the bar ends full); so does a transfer that starts over. Else
  // both bounds: a slow layer does not redraw for every chunk, a fast one not every 100 ms.
  bool due = !sent_any_ || current < last_bytes_ || (total_ > 0 && current >= total_) ||
             (current - last_bytes_ >= total_ / 100 && now - last_time_ >= kInterval);
  if (!due || (sent_any_ && current == last_bytes_)) return false;
  sent_any_ = true;
  last_bytes_ = current;
  last_time_ = now;
  return true;
}

}  // namespace hako::registry
