// TabWriter: aligns tab-terminated cells into columns exactly like Go's text/tabwriter with
// Docker's settings, tabwriter.NewWriter(out, 10, 1, 3, ' ', 0): a column is as wide as its
// widest cell plus 3 spaces of padding, at least 10; the text after a line's last tab is not a
// cell and is written unpadded. Columns are formed per block of consecutive lines that have a
// cell in that column (Go's rule), so a line with fewer cells ends the block. Widths count
// UTF-8 code points, as Go does.
//
// Used by render_rows for `table` formats and directly by the CLI's default tables. A value
// type; not thread safe (one writer per output).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace hako::format {

struct TabWriterOptions {
  size_t min_width = 10;
  size_t padding = 3;
  char pad_char = ' ';
};

class TabWriter {
 public:
  TabWriter() = default;
  explicit TabWriter(TabWriterOptions opts) : opts_(opts) {}

  // Buffers text; cells end at '\t', lines at '\n'.
  void write(std::string_view text) { buf_.append(text); }

  // The aligned text of everything written so far; clears the buffer.
  std::string flush();

 private:
  TabWriterOptions opts_;
  std::string buf_;
};

// One-shot form: TabWriter w(opts); w.write(text); return w.flush().
std::string align_tabs(std::string_view text, TabWriterOptions opts = {});

}  // namespace hako::format
