#include "format/tabwriter.h"

#include <algorithm>
#include <vector>

namespace hako::format {
namespace {

size_t rune_count(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

}  // namespace

std::string TabWriter::flush() {
  // Each line: its cells; all but the last are tab-terminated and take part in alignment.
  std::vector<std::vector<std::string_view>> lines;
  std::string_view rest = buf_;
  while (true) {
    size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    std::vector<std::string_view> cells;
    while (true) {
      size_t tab = line.find('\t');
      cells.push_back(line.substr(0, tab));
      if (tab == std::string_view::npos) break;
      line.remove_prefix(tab + 1);
    }
    lines.push_back(std::move(cells));
    if (nl == std::string_view::npos) break;
    rest.remove_prefix(nl + 1);
  }

  // widths[i][j]: width of column j on line i. Go's recursive block formatting reduces to: the
  // block of column j around line i is the maximal run of adjacent lines that have a cell j,
  // because having cell j implies having cell j-1.
  std::vector<std::vector<size_t>> widths(lines.size());
  for (size_t i = 0; i < lines.size(); ++i) widths[i].resize(lines[i].size() - 1);
  size_t max_cols = 0;
  for (const auto& l : lines) max_cols = std::max(max_cols, l.size() - 1);
  for (size_t col = 0; col < max_cols; ++col) {
    for (size_t i = 0; i < lines.size();) {
      if (lines[i].size() - 1 <= col) {
        ++i;
        continue;
      }
      size_t end = i, width = opts_.min_width;
      for (; end < lines.size() && lines[end].size() - 1 > col; ++end)
        width = std::max(width, rune_count(lines[end][col]) + opts_.padding);
      for (size_t k = i; k < end; ++k) widths[k][col] = width;
      i = end;
    }
  }

  std::string out;
  for (size_t i = 0; i < lines.size(); ++i) {
    const auto& cells = lines[i];
    for (size_t j = 0; j < cells.size(); ++j) {
      out.append(cells[j]);
      if (j + 1 < cells.size()) out.append(widths[i][j] - rune_count(cells[j]), opts_.pad_char);
    }
    if (i + 1 < lines.size()) out += '\n';
  }
  buf_.clear();
  return out;
}

std::string align_tabs(std::string_view text, TabWriterOptions opts) {
  TabWriter w(opts);
  w.write(text);
  return w.flush();
}

}  // namespace hako::format
