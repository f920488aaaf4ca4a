#include "format/lexer.h"

#include <cstdint>
#include <cstdio>

#include "format/go_print.h"

namespace hako::format {
namespace {

constexpr std::string_view kSpaceChars = " \t\r\n";

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
// Bytes >= 0x80 count as letters: Go accepts Unicode letters in identifiers.
bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}
bool is_alnum(char c) { return is_alpha(c) || is_digit(c); }

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes one Go escape sequence starting after the backslash at s[i]; advances i past it.
// Returns false on bad syntax. `quote` is the enclosing quote character.
bool unescape_one(std::string_view s, size_t& i, char quote, std::string& out) {
  if (i >= s.size()) return false;
  char c = s[i++];
  switch (c) {
    case 'a':
      out += '\a';
      return true;
    case 'b':
      out += '\b';
      return true;
    case 'f':
      out += '\f';
      return true;
    case 'n':
      out += '\n';
      return true;
    case 'r':
      out += '\r';
      return true;
    case 't':
      out += '\t';
      return true;
    case 'v':
      out += '\v';
      return true;
    case '\\':
      out += '\\';
      return true;
    case '"':
    case '\'':
      if (c != quote) return false;
      out += c;
      return true;
    case 'x':
    case 'u':
    case 'U': {
      size_t n = c == 'x' ? 2 : c == 'u' ? 4 : 8;
      if (i + n > s.size()) return false;
      uint32_t v = 0;
      for (size_t k = 0; k < n; ++k) {
        int h = hex_value(s[i + k]);
        if (h < 0) return false;
        v = v * 16 + static_cast<uint32_t>(h);
      }
      i += n;
      if (c == 'x') {
        out += static_cast<char>(v);
      } else {
        if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return false;
        append_utf8(out, v);
      }
      return true;
    }
    default:
      if (c >= '0' && c <= '7') {
        if (i + 2 > s.size()) return false;
        uint32_t v = static_cast<uint32_t>(c - '0');
        for (size_t k = 0; k < 2; ++k) {
          char d = s[i + k];
          if (d < '0' || d > '7') return false;
          v = v * 8 + static_cast<uint32_t>(d - '0');
        }
        if (v > 255) return false;
        i += 2;
        out += static_cast<char>(v);
        return true;
      }
      return false;
  }
}

// Decodes the first UTF-8 sequence of s into a code point; returns its length (0 if invalid).
size_t decode_utf8(std::string_view s, uint32_t& r) {
  auto b = static_cast<unsigned char>(s[0]);
  size_t n = b < 0x80 ? 1 : (b >> 5) == 6 ? 2 : (b >> 4) == 14 ? 3 : (b >> 3) == 30 ? 4 : 0;
  if (n == 0 || n > s.size()) return 0;
  r = n == 1 ? b : n == 2 ? (b & 0x1F) : n == 3 ? (b & 0x0F) : (b & 0x07);
  for (size_t k = 1; k < n; ++k) {
    auto cb = static_cast<unsigned char>(s[k]);
    if ((cb >> 6) != 2) return 0;
    r = (r << 6) | (cb & 0x3F);
  }
  return n;
}

class Lexer {
 public:
  explicit Lexer(std::string_view src) : src_(src) {}

  Result<std::vector<Token>> run() {
    size_t i = 0;
    bool trim_next = false;
    while (true) {
      size_t open = src_.find("{{", i);
      std::string_view text = src_.substr(i, open == std::string_view::npos ? open : open - i);
      bool trim_left = open != std::string_view::npos && open + 3 < src_.size() &&
                       src_[open + 2] == '-' && is_space(src_[open + 3]);
      if (trim_next) text = trim_front(text);
      if (trim_left) text = trim_back(text);
      if (!text.empty()) push(Tok::kText, i, text.size(), std::string(text));
      if (open == std::string_view::npos) break;
      size_t start = open + (trim_left ? 4 : 2);
      HAKO_TRY_ASSIGN(i, action(open, start, trim_next));
    }
    push(Tok::kEof, src_.size(), 0, "");
    return std::move(tokens_);
  }

 private:
  static std::string_view trim_front(std::string_view s) {
    size_t k = s.find_first_not_of(kSpaceChars);
    return k == std::string_view::npos ? std::string_view() : s.substr(k);
  }
  static std::string_view trim_back(std::string_view s) {
    size_t k = s.find_last_not_of(kSpaceChars);
    return k == std::string_view::npos ? std::string_view() : s.substr(0, k + 1);
  }

  void push(Tok kind, size_t pos, size_t len, std::string value) {
    tokens_.push_back(Token{kind, pos, len, std::move(value), space_});
    space_ = false;
  }

  // At `j` (after a space), " -}}" closes the action and trims the following text.
  bool at_trim_close(size_t j) const {
    return j + 3 < src_.size() && is_space(src_[j]) && src_[j + 1] == '-' &&
           src_.compare(j + 2, 2, "}}") == 0;
  }

  // Lexes one action whose "{{" is at `open`; returns the offset just past its "}}".
  Result<size_t> action(size_t open, size_t j, bool& trim_next) {
    trim_next = false;
    if (src_.compare(j, 2, "/*") == 0) return comment(open, j, trim_next);
    push(Tok::kLeftDelim, open, j - open, "");
    int parens = 0;
    while (true) {
      if (j >= src_.size()) return template_error(src_, open, "unclosed action");
      char c = src_[j];
      if (src_.compare(j, 2, "}}") == 0 || at_trim_close(j)) {
        if (parens > 0) return template_error(src_, j, "unclosed left paren");
        trim_next = src_[j] != '}';
        size_t len = trim_next ? 4 : 2;
        push(Tok::kRightDelim, j, len, "");
        return j + len;
      }
      if (is_space(c)) {
        space_ = true;
        ++j;
        continue;
      }
      HAKO_TRY_ASSIGN(size_t after, punctuation(j, parens));
      if (after != j) {
        j = after;
        continue;
      }
      size_t begin = j;
      if (c == '.' && j + 1 < src_.size() && is_alpha(src_[j + 1])) {
        ++j;
        while (j < src_.size() && is_alnum(src_[j])) ++j;
        push(Tok::kField, begin, j - begin, std::string(src_.substr(begin + 1, j - begin - 1)));
        continue;
      }
      bool signed_num = (c == '+' || c == '-') && j + 1 < src_.size() &&
                        (is_digit(src_[j + 1]) || src_[j + 1] == '.');
      if (is_digit(c) || signed_num || (c == '.' && j + 1 < src_.size() && is_digit(src_[j + 1]))) {
        HAKO_TRY_ASSIGN(j, number(j));
        continue;
      }
      if (c == '.') {
        push(Tok::kDot, j++, 1, "");
        continue;
      }
      if (is_alpha(c)) {
        while (j < src_.size() && is_alnum(src_[j])) ++j;
        std::string word(src_.substr(begin, j - begin));
        push(word == "true" || word == "false" ? Tok::kBool : Tok::kIdentifier, begin, j - begin,
             word);
        continue;
      }
      // A lone '}' most often means the action was never closed ("{{.Name}").
      if (c == '}' && src_.find("}}", j) == std::string_view::npos)
        return template_error(src_, open, "unclosed action");
      char msg[64];
      std::snprintf(msg, sizeof msg, "bad character U+%04X '%c'", static_cast<unsigned char>(c), c);
      return template_error(src_, j, msg);
    }
  }

  // Operators, quotes and variables; returns j unchanged if src_[j] starts none of them.
  Result<size_t> punctuation(size_t j, int& parens) {
    size_t begin = j;
    switch (src_[j]) {
      case '|':
        push(Tok::kPipe, j++, 1, "");
        return j;
      case ',':
        push(Tok::kComma, j++, 1, "");
        return j;
      case '=':
        push(Tok::kAssign, j++, 1, "");
        return j;
      case '(':
        ++parens;
        push(Tok::kLeftParen, j++, 1, "");
        return j;
      case ')':
        if (--parens < 0) return template_error(src_, j, "unexpected right paren");
        push(Tok::kRightParen, j++, 1, "");
        return j;
      case ':':
        if (src_.compare(j, 2, ":=") != 0) return template_error(src_, j, "expected :=");
        push(Tok::kDeclare, j, 2, "");
        j += 2;
        return j;
      case '"':
      case '`': {
        HAKO_TRY_ASSIGN(j, quoted(j));
        return j;
      }
      case '\'': {
        HAKO_TRY_ASSIGN(j, char_constant(j));
        return j;
      }
      case '$':
        ++j;
        while (j < src_.size() && is_alnum(src_[j])) ++j;
        push(Tok::kVariable, begin, j - begin, std::string(src_.substr(begin, j - begin)));
        return j;
      default:
        return j;
    }
  }

  Result<size_t> comment(size_t open, size_t j, bool& trim_next) {
    size_t end = src_.find("*/", j + 2);
    if (end == std::string_view::npos) return template_error(src_, open, "unclosed comment");
    end += 2;
    if (src_.compare(end, 2, "}}") == 0) return end + 2;
    if (at_trim_close(end)) {
      trim_next = true;
      return end + 4;
    }
    return template_error(src_, end, "comment ends before closing delimiter");
  }

  Result<size_t> quoted(size_t j) {
    char q = src_[j];
    std::string out;
    size_t i = j + 1;
    while (true) {
      if (i >= src_.size() || (q == '"' && src_[i] == '\n')) {
        return template_error(
            src_, j, q == '"' ? "unterminated quoted string" : "unterminated raw quoted string");
      }
      char c = src_[i];
      if (c == q) break;
      if (q == '"' && c == '\\') {
        ++i;
        if (i < src_.size() && src_[i] == '\n')
          return template_error(src_, j, "unterminated quoted string");
        if (!unescape_one(src_, i, '"', out)) {
          return template_error(src_, j,
                                "bad string syntax: " + std::string(src_.substr(j, i - j)));
        }
        continue;
      }
      // Go drops carriage returns from raw strings.
      if (!(q == '`' && c == '\r')) out += c;
      ++i;
    }
    push(Tok::kString, j, i + 1 - j, std::move(out));
    return i + 1;
  }

  Result<size_t> char_constant(size_t j) {
    size_t i = j + 1;
    uint32_t r = 0;
    std::string tmp;
    if (i < src_.size() && src_[i] == '\\') {
      ++i;
      if (!unescape_one(src_, i, '\'', tmp))
        return template_error(src_, j, "bad character constant");
      uint32_t dec = 0;
      size_t n = decode_utf8(tmp, dec);
      r = n == tmp.size() ? dec : static_cast<unsigned char>(tmp[0]);
    } else if (i < src_.size() && src_[i] != '\'' && src_[i] != '\n') {
      size_t n = decode_utf8(src_.substr(i), r);
      if (n == 0) return template_error(src_, j, "bad character constant");
      i += n;
    }
    if (i >= src_.size() || src_[i] != '\'')
      return template_error(src_, j, "unterminated character constant");
    push(Tok::kNumber, j, i + 1 - j, std::to_string(r));
    return i + 1;
  }

  Result<size_t> number(size_t j) {
    size_t i = j;
    if (src_[i] == '+' || src_[i] == '-') ++i;
    auto digits = [&](bool hex) {
      while (i < src_.size() &&
             (is_digit(src_[i]) || src_[i] == '_' || (hex && hex_value(src_[i]) >= 0)))
        ++i;
    };
    if (src_.compare(i, 2, "0x") == 0 || src_.compare(i, 2, "0X") == 0) {
      i += 2;
      digits(true);
    } else {
      digits(false);
      if (i < src_.size() && src_[i] == '.') {
        ++i;
        digits(false);
      }
      if (i < src_.size() && (src_[i] == 'e' || src_[i] == 'E')) {
        ++i;
        if (i < src_.size() && (src_[i] == '+' || src_[i] == '-')) ++i;
        digits(false);
      }
    }
    if (i < src_.size() && (is_alnum(src_[i]) || src_[i] == '.')) {
      while (i < src_.size() && (is_alnum(src_[i]) || src_[i] == '.')) ++i;
      return template_error(src_, j,
                            "bad number syntax: \"" + std::string(src_.substr(j, i - j)) + "\"");
    }
    push(Tok::kNumber, j, i - j, std::string(src_.substr(j, i - j)));
    return i;
  }

  std::string_view src_;
  std::vector<Token> tokens_;
  bool space_ = false;
};

}  // namespace

std::string where(std::string_view src, size_t pos) {
  if (pos > src.size()) pos = src.size();
  size_t line = 1, line_start = 0;
  for (size_t k = 0; k < pos; ++k) {
    if (src[k] == '\n') {
      ++line;
      line_start = k + 1;
    }
  }
  return std::to_string(line) + ":" + std::to_string(pos - line_start + 1);
}

Error template_error(std::string_view src, size_t pos, std::string_view msg) {
  return invalid_argument("template: " + where(src, pos) + ": " + std::string(msg));
}

Result<std::vector<Token>> lex(std::string_view src) { return Lexer(src).run(); }

}  // namespace hako::format
