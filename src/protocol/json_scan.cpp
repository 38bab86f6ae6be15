#include "protocol/json_scan.hpp"

#include <algorithm>

#include "protocol/json_bytes.hpp"
#include "util/utf8.hpp"

namespace gb::protocol::detail {

namespace {

// Length of the well-formed UTF-8 sequence starting at s[i] (a byte >= 0x80), or 0 when it is
// not well formed (gb::utf8_sequence_at). JSON text must be UTF-8, so a string holding anything
// else is invalid JSON.
std::size_t utf8_sequence_length(std::string_view s, std::size_t i) noexcept {
  const utf8_step st = utf8_sequence_at(s, i);
  return st.valid ? st.length : 0;
}

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

void append_utf8(std::uint32_t cp, std::string& out) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

}  // namespace

bool json_scanner::at_end() noexcept {
  ws();
  return ok_ && i_ == s_.size();
}

bool json_scanner::read_string_rest(std::size_t start, std::size_t at, std::string_view& out,
                                    std::string& scratch) {
  const std::size_t n = s_.size();
  i_ = at;
  // No escapes so far: the string may still be a view of the input.
  while (i_ < n) {
    const auto c = static_cast<unsigned char>(s_[i_]);
    if (c == '"') {
      out = std::string_view(s_.data() + start, i_ - start);
      ++i_;
      return true;
    }
    if (c == '\\') {
      break;
    }
    if (c < 0x20) {
      return fail();
    }
    if (c >= 0x80) {
      const std::size_t len = utf8_sequence_length(s_, i_);
      if (len == 0) {
        return fail();
      }
      i_ = skip_json_plain(s_, i_ + len);
      continue;
    }
    ++i_;
  }
  if (i_ >= n) {
    return fail();
  }
  scratch.assign(s_.data() + start, i_ - start);
  while (i_ < n) {
    const auto c = static_cast<unsigned char>(s_[i_]);
    if (c == '"') {
      ++i_;
      out = scratch;
      return true;
    }
    if (c < 0x20) {
      return fail();
    }
    if (c >= 0x80) {
      const std::size_t len = utf8_sequence_length(s_, i_);
      if (len == 0) {
        return fail();
      }
      scratch.append(s_.data() + i_, len);
      i_ += len;
      continue;
    }
    if (c != '\\') {
      scratch.push_back(static_cast<char>(c));
      ++i_;
      continue;
    }
    if (i_ + 1 >= n) {
      return fail();
    }
    const char e = s_[i_ + 1];
    i_ += 2;
    switch (e) {
      case '"':
      case '\\':
      case '/':
        scratch.push_back(e);
        break;
      case 'b':
        scratch.push_back('\b');
        break;
      case 'f':
        scratch.push_back('\f');
        break;
      case 'n':
        scratch.push_back('\n');
        break;
      case 'r':
        scratch.push_back('\r');
        break;
      case 't':
        scratch.push_back('\t');
        break;
      case 'u': {
        auto hex4 = [&](std::size_t at, std::uint32_t& v) {
          if (at + 4 > n) {
            return false;
          }
          v = 0;
          for (std::size_t k = 0; k < 4; ++k) {
            const int h = hex_value(s_[at + k]);
            if (h < 0) {
              return false;
            }
            v = (v << 4) | static_cast<std::uint32_t>(h);
          }
          return true;
        };
        std::uint32_t cp = 0;
        if (!hex4(i_, cp)) {
          return fail();
        }
        i_ += 4;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          std::uint32_t lo = 0;
          if (i_ + 1 < n && s_[i_] == '\\' && s_[i_ + 1] == 'u' && hex4(i_ + 2, lo) &&
              lo >= 0xDC00 && lo <= 0xDFFF) {
            i_ += 6;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          } else {
            cp = 0xFFFD;  // lone high surrogate
          }
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
          cp = 0xFFFD;  // lone low surrogate
        }
        append_utf8(cp, scratch);
        break;
      }
      default:
        return fail();
    }
  }
  return fail();
}

bool json_scanner::read_string_or_skip(std::string_view& out, std::string& scratch) {
  out = {};
  if (peek_type() == '"') {
    return read_string(out, scratch);
  }
  return skip_value();
}

bool json_scanner::skip_string() noexcept {
  // Precondition: s_[i_] == '"'.
  ++i_;
  const std::size_t n = s_.size();
  while (i_ < n) {
    i_ = skip_json_plain(s_, i_);
    if (i_ >= n) {
      break;
    }
    const auto c = static_cast<unsigned char>(s_[i_]);
    if (c == '"') {
      ++i_;
      return true;
    }
    if (c < 0x20) {
      return fail();
    }
    if (c == '\\') {
      if (i_ + 1 >= n) {
        return fail();
      }
      const char e = s_[i_ + 1];
      if (e == 'u') {
        if (i_ + 6 > n) {
          return fail();
        }
        for (std::size_t k = 2; k < 6; ++k) {
          if (hex_value(s_[i_ + k]) < 0) {
            return fail();
          }
        }
        i_ += 6;
        continue;
      }
      if (e != '"' && e != '\\' && e != '/' && e != 'b' && e != 'f' && e != 'n' && e != 'r' &&
          e != 't') {
        return fail();
      }
      i_ += 2;
      continue;
    }
    if (c >= 0x80) {
      const std::size_t len = utf8_sequence_length(s_, i_);
      if (len == 0) {
        return fail();
      }
      i_ += len;
      continue;
    }
    ++i_;
  }
  return fail();
}

bool json_scanner::skip_number() noexcept {
  const std::size_t n = s_.size();
  if (i_ < n && s_[i_] == '-') {
    ++i_;
  }
  if (i_ >= n || !is_ascii_digit(s_[i_])) {
    return fail();
  }
  if (s_[i_] == '0') {
    ++i_;
  } else {
    while (i_ < n && is_ascii_digit(s_[i_])) {
      ++i_;
    }
  }
  if (i_ < n && s_[i_] == '.') {
    ++i_;
    if (i_ >= n || !is_ascii_digit(s_[i_])) {
      return fail();
    }
    while (i_ < n && is_ascii_digit(s_[i_])) {
      ++i_;
    }
  }
  if (i_ < n && (s_[i_] == 'e' || s_[i_] == 'E')) {
    ++i_;
    if (i_ < n && (s_[i_] == '+' || s_[i_] == '-')) {
      ++i_;
    }
    if (i_ >= n || !is_ascii_digit(s_[i_])) {
      return fail();
    }
    while (i_ < n && is_ascii_digit(s_[i_])) {
      ++i_;
    }
  }
  return true;
}

bool json_scanner::skip_literal(std::string_view word) noexcept {
  if (s_.substr(i_, word.size()) != word) {
    return fail();
  }
  i_ += word.size();
  return true;
}

bool json_scanner::take_null() noexcept {
  if (peek_type() == 'n') {
    return skip_literal("null");
  }
  return false;
}

bool json_scanner::read_count(std::int64_t& out) noexcept {
  out = -1;
  if (peek_type() != '0') {
    return skip_value();
  }
  // Fast path: a plain integer (see plain_integer); anything else takes the validating path
  // below from the start.
  if (std::int64_t plain = 0; const std::size_t end = plain_integer(i_, plain)) {
    i_ = end;
    out = plain;
    return true;
  }
  const std::size_t start = i_;
  if (!skip_number()) {
    return false;
  }
  const std::string_view num = s_.substr(start, i_ - start);
  std::int64_t v = 0;
  for (const char c : num) {
    if (!is_ascii_digit(c)) {
      return true;  // negative, fraction or exponent: not a count
    }
    if (v > (INT64_MAX - 9) / 10) {
      return true;  // does not fit
    }
    v = v * 10 + (c - '0');
  }
  out = v;
  return true;
}

bool json_scanner::skip_value() noexcept {
  // Fast paths: a string without escapes or non-ASCII bytes, a plain integer (most skipped
  // values); everything else (and any doubt) goes through skip_value_at.
  ws();
  if (i_ < s_.size()) {
    const char c = s_[i_];
    if (c == '"') {
      const std::size_t end = skip_json_plain(s_, i_ + 1);
      if (end < s_.size() && s_[end] == '"') {
        i_ = end + 1;
        return true;
      }
    } else if (is_ascii_digit(c)) {
      std::int64_t v = 0;
      if (const std::size_t end = plain_integer(i_, v); end != 0) {
        i_ = end;
        return true;
      }
    }
  }
  return skip_value_at(depth_);
}

bool json_scanner::skip_value_at(int depth) noexcept {
  const char t = peek_type();
  switch (t) {
    case '"':
      return skip_string();
    case '0':
      return skip_number();
    case 't':
      return skip_literal("true");
    case 'f':
      return skip_literal("false");
    case 'n':
      return skip_literal("null");
    case '{':
    case '[': {
      if (depth + 1 > k_max_depth) {
        return fail();
      }
      const char close = t == '{' ? '}' : ']';
      ++i_;
      ws();
      if (i_ < s_.size() && s_[i_] == close) {
        ++i_;
        return true;
      }
      while (true) {
        if (t == '{') {
          if (peek_type() != '"' || !skip_string()) {
            return fail();
          }
          ws();
          if (i_ >= s_.size() || s_[i_] != ':') {
            return fail();
          }
          ++i_;
        }
        if (!skip_value_at(depth + 1)) {
          return false;
        }
        ws();
        if (i_ >= s_.size()) {
          return fail();
        }
        if (s_[i_] == close) {
          ++i_;
          return true;
        }
        if (s_[i_] != ',') {
          return fail();
        }
        ++i_;
      }
    }
    default:
      return fail();
  }
}

std::int64_t count_words(std::string_view text) noexcept {
  std::int64_t words = 0;
  bool in_word = false;
  for (const char c : text) {
    const bool space = c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
    if (!space && !in_word) {
      ++words;
    }
    in_word = !space;
  }
  return words;
}

}  // namespace gb::protocol::detail
