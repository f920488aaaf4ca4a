#include "format/render.h"

#include "format/functions.h"
#include "format/tabwriter.h"
#include "format/template.h"

namespace hako::format {
namespace {

constexpr std::string_view kTable = "table";
constexpr std::string_view kJson = "json";

bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
bool is_lower_or_digit(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// Docker: strings.Trim(format, " ") then `\t` → tab, `\n` → newline.
std::string docker_unescape(std::string_view f) {
  size_t b = f.find_first_not_of(' ');
  if (b == std::string_view::npos) return "";
  f = f.substr(b, f.find_last_not_of(' ') - b + 1);
  std::string out;
  for (size_t i = 0; i < f.size(); ++i) {
    if (f[i] == '\\' && i + 1 < f.size() && (f[i + 1] == 't' || f[i + 1] == 'n')) {
      out += f[i + 1] == 't' ? '\t' : '\n';
      ++i;
    } else {
      out += f[i];
    }
  }
  return out;
}

Status check_size(const std::string& out) {
  if (out.size() > kMaxOutputBytes) return invalid_argument("format: output exceeds 64 MiB");
  return ok();
}

}  // namespace

std::string compact_json(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string default_header(std::string_view field) {
  std::string out;
  for (size_t i = 0; i < field.size(); ++i) {
    char c = field[i];
    bool boundary =
        i > 0 && is_upper(c) &&
        (is_lower_or_digit(field[i - 1]) || (is_upper(field[i - 1]) && i + 1 < field.size() &&
                                             field[i + 1] >= 'a' && field[i + 1] <= 'z'));
    if (boundary) out += ' ';
    out += c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
  }
  return out;
}

Result<std::string> render_rows(std::string_view format, const std::vector<nlohmann::json>& rows,
                                const std::map<std::string, std::string>& headers,
                                std::string_view default_format) {
  if (format.empty() || format == kTable) {
    if (default_format.empty() || default_format == kTable)
      return invalid_argument("format: no default format for \"table\"");
    format = default_format;
  }
  std::string out;
  if (format == kJson) {
    for (const auto& row : rows) {
      out += compact_json(row) + "\n";
      HAKO_TRY(check_size(out));
    }
    return out;
  }
  bool table = format.substr(0, kTable.size()) == kTable;
  std::string text = docker_unescape(table ? format.substr(kTable.size()) : format);
  HAKO_TRY_ASSIGN(Template tmpl, Template::parse(text));
  if (table) {
    nlohmann::json header = nlohmann::json::object();
    for (const auto& [name, title] : headers) header[name] = title;
    for (const std::string& f : tmpl.fields())
      if (!header.contains(f)) header[f] = default_header(f);
    HAKO_TRY_ASSIGN(out, tmpl.execute(header, ExecMode::kHeader));
    out += '\n';
  }
  for (const auto& row : rows) {
    HAKO_TRY_ASSIGN(std::string line, tmpl.execute(row));
    out += line;
    out += '\n';
    HAKO_TRY(check_size(out));
  }
  if (!table) return out;
  return align_tabs(out);
}

Result<std::string> render_one(std::string_view format, const nlohmann::json& value) {
  if (format == kJson) return compact_json(value) + "\n";
  HAKO_TRY_ASSIGN(Template tmpl, Template::parse(format));
  HAKO_TRY_ASSIGN(std::string out, tmpl.execute(value));
  return out + "\n";
}

}  // namespace hako::format
