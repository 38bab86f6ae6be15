#pragma once
// A small validating JSON pull scanner for the decoders' hot path (internal to protocol).
// It walks a document once, decodes only the strings the caller asks for, and skips the rest
// while still checking the grammar (RFC 8259), so invalid JSON is always detected. Nesting is
// bounded (k_max_depth) so hostile input cannot exhaust the stack. Bytes inside strings must be
// well-formed UTF-8 (gb::utf8_sequence_at), else the text is invalid; \u escapes are decoded to
// UTF-8 with lone surrogates replaced by U+FFFD. Never throws except std::bad_alloc from the
// scratch strings.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "protocol/json_bytes.hpp"

namespace gb::protocol::detail {

constexpr bool is_ascii_digit(char c) noexcept {
  return c >= '0' && c <= '9';
}

class json_scanner {
 public:
  static constexpr int k_max_depth = 64;

  explicit json_scanner(std::string_view text) noexcept : s_(text) {}

  /// False once any grammar error was seen; every call after that is a no-op returning false
  /// (a failure also moves the cursor to the end of the text, where every step fails: the hot
  /// paths need no separate check of this flag).
  bool ok() const noexcept { return ok_; }
  /// True when only whitespace remains (call after reading the top-level value).
  bool at_end() noexcept;

  /// The type of the next value ('{', '[', '"', 'n', 't', 'f', '-'/digit as '0'); 0 at error/end.
  char peek_type() noexcept {
    ws();
    if (i_ >= s_.size()) {
      return 0;
    }
    const char c = s_[i_];
    return (c == '-' || (c >= '0' && c <= '9')) ? '0' : c;
  }

  /// Object iteration: `bool first = true; while (sc.member(first, key)) { ...read or skip... }`
  /// after begin_object(). `key` views the input or `key_scratch_` (valid until the next member).
  bool begin_object() noexcept { return open('{'); }
  bool member(bool& first, std::string_view& key) {
    // The cursor lives in a local until the end: stores through `first` and `key` could alias
    // the members, so working on i_ directly would reload and store it at every step.
    std::size_t i = 0;
    if (!next_item('}', first, i)) {
      return false;
    }
    if (!string_at(i, key, key_scratch_)) {
      return false;
    }
    const char* const b = s_.data();
    const std::size_t n = s_.size();
    i = skip_ws(b, n, i_);
    if (i >= n || b[i] != ':') {
      return fail();
    }
    i_ = i + 1;
    return true;
  }
  /// Array iteration: `bool first = true; while (sc.element(first)) { ...read or skip... }`.
  bool begin_array() noexcept { return open('['); }
  bool element(bool& first) noexcept {
    std::size_t i = 0;
    if (!next_item(']', first, i)) {
      return false;
    }
    i_ = i;
    return true;
  }

  /// Reads a string; `out` views the input when it has no escapes, else `scratch`.
  bool read_string(std::string_view& out, std::string& scratch) {
    ws();
    if (i_ >= s_.size()) {
      return fail();
    }
    return string_at(i_, out, scratch);
  }
  /// Reads a string if the next value is one; skips any other value and sets `out` empty.
  /// Returns false only on a grammar error.
  bool read_string_or_skip(std::string_view& out, std::string& scratch);
  /// Reads a number; `out` is its value when it is a non-negative integer that fits, else -1.
  /// Any other value type is skipped and gives -1. Returns false only on a grammar error.
  bool read_count(std::int64_t& out) noexcept;
  /// Skips one value of any type (validating it).
  bool skip_value() noexcept;
  /// Consumes `null` if it is next; returns whether it did.
  bool take_null() noexcept;

 private:
  // The index of the first byte at or after i of b[0, n) that is not JSON whitespace. One
  // comparison in the common case: no byte above ' ' is whitespace.
  static std::size_t skip_ws(const char* b, std::size_t n, std::size_t i) noexcept {
    while (i < n && static_cast<unsigned char>(b[i]) <= ' ') {
      const char c = b[i];
      if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
        break;
      }
      ++i;
    }
    return i;
  }
  void ws() noexcept { i_ = skip_ws(s_.data(), s_.size(), i_); }
  // Before the next member or element of a container closed by `close`: skips whitespace and,
  // after the first item, the ',' (a close right after it is a trailing comma: an error). False
  // when the container ends here (its close consumed) or on a grammar error (ok() then false);
  // else `i` is the index of the item's first byte (within the text).
  bool next_item(char close, bool& first, std::size_t& i) noexcept {
    const char* const b = s_.data();
    const std::size_t n = s_.size();
    i = skip_ws(b, n, i_);
    if (i >= n) {
      return fail();
    }
    if (b[i] == close) {
      i_ = i + 1;
      --depth_;
      return false;
    }
    if (!first) {
      if (b[i] != ',') {
        return fail();
      }
      i = skip_ws(b, n, i + 1);
      if (i >= n || b[i] == close) {
        return fail();  // trailing comma, or the end of the text
      }
    }
    first = false;
    return true;
  }
  bool open(char bracket) noexcept {
    if (peek_type() != bracket || depth_ >= k_max_depth) {
      return fail();
    }
    ++i_;
    ++depth_;
    return true;
  }
  bool fail() noexcept {
    ok_ = false;
    i_ = s_.size();
    return false;
  }
  // Reads the string whose opening quote should be at index i (< size) and leaves the cursor
  // after it. Inline fast path: plain ASCII up to the closing quote.
  bool string_at(std::size_t i, std::string_view& out, std::string& scratch) {
    const char* const b = s_.data();
    const std::size_t n = s_.size();
    if (b[i] != '"') {
      return fail();
    }
    const std::size_t start = i + 1;
    const std::size_t end = skip_json_plain(s_, start);
    if (end < n && b[end] == '"') {
      out = std::string_view(b + start, end - start);
      i_ = end + 1;
      return true;
    }
    return read_string_rest(start, end, out, scratch);
  }
  // read_string after the plain run [start, at): escapes, UTF-8, or the end of the text.
  bool read_string_rest(std::size_t start, std::size_t at, std::string_view& out,
                        std::string& scratch);
  // A plain integer at index i: 1 to 18 digits, no leading zero (unless it is "0"), not followed
  // by a digit, '.', 'e' or 'E'. Returns the index after it (and its value), else 0.
  std::size_t plain_integer(std::size_t i, std::int64_t& value) const noexcept {
    const char* const b = s_.data();
    const std::size_t n = s_.size();
    const std::size_t start = i;
    if (i >= n || !is_ascii_digit(b[i])) {
      return 0;
    }
    std::int64_t v = b[i] - '0';
    ++i;
    if (v != 0) {  // "0" stands alone: a digit after it is not a plain integer
      const std::size_t last = std::min(n, start + 18);
      while (i < last && is_ascii_digit(b[i])) {
        v = v * 10 + (b[i] - '0');
        ++i;
      }
    }
    if (i < n && (is_ascii_digit(b[i]) || b[i] == '.' || b[i] == 'e' || b[i] == 'E')) {
      return 0;
    }
    value = v;
    return i;
  }
  bool skip_string() noexcept;
  bool skip_number() noexcept;
  bool skip_literal(std::string_view word) noexcept;
  bool skip_value_at(int depth) noexcept;

  std::string_view s_;
  std::size_t i_ = 0;
  int depth_ = 0;
  bool ok_ = true;
  std::string key_scratch_;
};

/// Counts whitespace-separated words in UTF-8 text (ASCII whitespace separates).
std::int64_t count_words(std::string_view text) noexcept;

}  // namespace gb::protocol::detail
