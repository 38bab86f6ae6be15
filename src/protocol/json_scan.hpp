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
  bool begin_object() noexcept;
  bool member(bool& first, std::string_view& key);
  /// Array iteration: `bool first = true; while (sc.element(first)) { ...read or skip... }`.
  bool begin_array() noexcept;
  bool element(bool& first) noexcept;

  /// Reads a string; `out` views the input when it has no escapes, else `scratch`.
  bool read_string(std::string_view& out, std::string& scratch);
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
    while (i_ < s_.size()) {
      const char c = s_[i_];
      if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
        return;
      }
      ++i_;
    }
  }
  bool fail() noexcept {
    ok_ = false;
    return false;
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
