// The progress of a pull or push as the docker CLI draws it (its jsonmessage package).
//
// On a terminal every layer owns a line, in the order the layers first appear, redrawn in place
// as its events arrive: the cursor rests on the line below the last layer; a redraw moves up to
// the layer's line (ESC[nA), erases it (ESC[2K), writes "<id>: <status> <progress>\r" and moves
// back down (ESC[nB). A line that is not a layer's ("Digest: …") is written where the cursor
// rests and ends the block: a layer that comes after it starts a new one (pull -a's next tag).
// Not on a terminal: one line per event, and none for byte events (Docker prints only status
// changes then), so a log reads "<id>: Pulling fs layer", "<id>: Download complete", …
//
// ProgressView only computes the bytes to write (unit tests read them); ProgressPrinter writes
// them to a stream. Neither locks: registry::ProgressReporter lets one event through at a time,
// and the command writes its other lines between pulls. One thread at a time.
#pragma once

#include <cstdint>
#include <cstdio>
#include <map>
#include <string>
#include <string_view>

#include "base/result.h"
#include "registry/progress.h"

namespace hako::cli {

// Docker's JSONProgress.String(): "[=========>    ]   12.3MB/45.6MB" (a 50-column bar, only
// when the terminal is wider than 110 columns), "  12.3MB" without a total; "" without bytes.
std::string progress_text(uint64_t current, uint64_t total, int width);

class ProgressView {
 public:
  // width: the terminal's columns (0: unknown, taken as wide, as Docker does when it cannot ask).
  ProgressView(bool terminal, int width) : terminal_(terminal), width_(width > 0 ? width : 200) {}

  // What to write for one event (maybe nothing).
  std::string layer(const registry::ProgressEvent& e);
  // What to write for a line of its own; `text` without its newline.
  std::string line(std::string_view text);

  bool terminal() const { return terminal_; }

 private:
  bool terminal_;
  int width_;
  std::map<std::string, size_t, std::less<>> rows_;  // layer id → its line in the block
};

// A ProgressView on a stream: on a terminal when the stream is one (its width from TIOCGWINSZ).
class ProgressPrinter {
 public:
  explicit ProgressPrinter(FILE* out);
  ProgressPrinter(FILE* out, ProgressView view) : out_(out), view_(std::move(view)) {}

  // The callback for PullOptions/PushOptions::progress; refers to this printer.
  registry::ProgressFn callback();
  Status line(std::string_view text);

 private:
  FILE* out_;
  ProgressView view_;
};

}  // namespace hako::cli
