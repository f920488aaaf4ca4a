#include "cli/progress_view.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>

#include "cli/context.h"
#include "cli/units.h"

namespace hako::cli {
namespace {

// Go's %8v: right-aligned in 8 columns.
std::string pad8(std::string s) {
  if (s.size() < 8) s.insert(0, 8 - s.size(), ' ');
  return s;
}

std::string size_text(uint64_t bytes) { return human_size(static_cast<int64_t>(bytes)); }

}  // namespace

std::string progress_text(uint64_t current, uint64_t total, int width) {
  if (current == 0 && total == 0) return "";
  if (total == 0) return pad8(size_text(current));
  // Clamped before the cast: a current far past the total would not fit an int.
  double fraction = std::min(1.0, static_cast<double>(current) / static_cast<double>(total));
  int half_percent = static_cast<int>(fraction * 100) / 2;
  std::string out;
  // Docker's threshold: below it the bar would wrap an 80-column line with the numbers.
  if (width > 110) {
    out.append(1, '[').append(half_percent, '=').append(1, '>');
    out.append(50 - half_percent, ' ').append("] ");
  }
  out += pad8(size_text(current));
  // A current past the total (a server that lied about the size) shows alone.
  if (current <= total) out += "/" + size_text(total);
  return out;
}

std::string ProgressView::layer(const registry::ProgressEvent& e) {
  if (!terminal_) {
    if (registry::is_byte_status(e.status)) return "";
    return std::string(e.id) + ": " + std::string(e.status) + "\n";
  }
  std::string out;
  auto it = rows_.find(e.id);
  if (it == rows_.end()) {
    // A new line at the bottom of the block; the cursor stays below it.
    it = rows_.emplace(std::string(e.id), rows_.size()).first;
    out += "\n";
  }
  std::string up = std::to_string(rows_.size() - it->second);
  out += "\x1b[" + up + "A\x1b[2K\r";
  out += std::string(e.id) + ": " + std::string(e.status) + " " +
         progress_text(e.current, e.total, width_) + "\r";
  out += "\x1b[" + up + "B";
  return out;
}

std::string ProgressView::line(std::string_view text) {
  rows_.clear();
  return std::string(text) + "\n";
}

namespace {

ProgressView view_of(FILE* out) {
  int fd = ::fileno(out);
  if (fd < 0 || ::isatty(fd) != 1) return ProgressView(false, 0);
  winsize ws{};
  int width = ::ioctl(fd, TIOCGWINSZ, &ws) == 0 ? ws.ws_col : 0;
  return ProgressView(true, width);
}

}  // namespace

ProgressPrinter::ProgressPrinter(FILE* out) : out_(out), view_(view_of(out)) {}

registry::ProgressFn ProgressPrinter::callback() {
  // A failed write (a closed pipe) shows at the command's next line; progress is not the result.
  return [this](const registry::ProgressEvent& e) { (void)print(out_, view_.layer(e)); };
}

Status ProgressPrinter::line(std::string_view text) { return print(out_, view_.line(text)); }

}  // namespace hako::cli
