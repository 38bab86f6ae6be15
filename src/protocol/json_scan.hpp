#pragma once
// A small validating JSON pull scanner for the decoders' hot path (internal to protocol).
// It walks a document once, decodes only the strings the caller asks for, and skips the rest
// while still checking the grammar (RFC 8259), so invalid JSON is always detected. Nesting is
// bounded (k_max_depth) so hostile input cannot exhaust the stack. Bytes inside strings must be
// well-formed UTF-8 (gb::utf8_sequence_at), else the text is invalid; \u escapes are decoded to
// UTF-8 with lone surrogates replaced by U+FFFD. Never throws except std::bad_alloc from the
// scratch strings.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "protocol/json_bytes.hpp"

namespace gb::protocol::detail {

class json_scanner {
 public:
  static constexpr int k_max_depth = 64;

  explicit json_scanner(std::string_view text) noexcept : s_(text) {}

  /// False once any grammar error was seen; every call after that is a no-op returning false.
  bool ok() const noexcept { return ok_; }
  /// True when only whitespace remains (call after reading the top-level value).
  bool at_end() noexcept;

  /// The type of the next value ('{', '[', '"', 'n', 't', 'f', '-'/digit as '0'); 0 at error/end.
  char peek_type() noexcept {
    ws();
    if (!ok_ || i_ >= s_.size()) {
      return 0;
    }
    const char c = s_[i_];
    return (c == '-' || (c >= '0' && c <= '9')) ? '0' : c;
  }

  /// Object iteration: `bool first = true; while (sc.member(first, key)) { ...read or skip... }`
  /// after begin_object(). `key` views the input or `key_scratch_` (valid until the next member).
  bool begin_object() noexcept { return open('{'); }
  bool member(bool& first, std::string_view& key) {
    if (!ok_) {
      return false;
    }
    ws();
    if (i_ >= s_.size()) {
      return fail();
    }
    const char c = s_[i_];
    if (c == '}') {
      ++i_;
      --depth_;
      return false;
    }
    if (!first) {
      if (c != ',') {
        return fail();
      }
      ++i_;
    }
    first = false;
    if (!read_string(key, key_scratch_)) {
      return false;
    }
    ws();
    if (i_ >= s_.size() || s_[i_] != ':') {
      return fail();
    }
    ++i_;
    return true;
  }
  /// Array iteration: `bool first = true; while (sc.element(first)) { ...read or skip... }`.
  bool begin_array() noexcept { return open('['); }
  bool element(bool& first) noexcept {
    if (!ok_) {
      return false;
    }
    ws();
    if (i_ >= s_.size()) {
      return fail();
    }
    if (s_[i_] == ']') {
      ++i_;
      --depth_;
      return false;
    }
    if (!first) {
      if (s_[i_] != ',') {
        return fail();
      }
      ++i_;
      ws();
      if (i_ < s_.size() && s_[i_] == ']') {
        return fail();  // trailing comma
      }
    }
    first = false;
    return true;
  }

  /// Reads a string; `out` views the input when it has no escapes, else `scratch`.
  bool read_string(std::string_view& out, std::string& scratch) {
    ws();
    if (!ok_ || i_ >= s_.size() || s_[i_] != '"') {
      return fail();
    }
    // Inline fast path: plain ASCII up to the closing quote.
    const std::size_t start = i_ + 1;
    const std::size_t end = skip_json_plain(s_, start);
    if (end < s_.size() && s_[end] == '"') {
      out = std::string_view(s_.data() + start, end - start);
      i_ = end + 1;
      return true;
    }
    return read_string_rest(start, end, out, scratch);
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
  void ws() noexcept {
    // One comparison for the common case: no byte above ' ' is whitespace.
    while (i_ < s_.size() && static_cast<unsigned char>(s_[i_]) <= ' ') {
      const char c = s_[i_];
      if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
        return;
      }
      ++i_;
    }
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
    return false;
  }
  // read_string after the plain run [start, at): escapes, UTF-8, or the end of the text.
  bool read_string_rest(std::size_t start, std::size_t at, std::string_view& out,
                        std::string& scratch);
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
