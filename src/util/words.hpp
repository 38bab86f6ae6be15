#pragma once
// Word counting: gatebench's token rule when a response carries no usage, and the mock's rule for
// prompt tokens (shared/design/metrics.md), so both sides count alike.

#include <cstdint>
#include <string_view>

namespace gb {

/// Whether `c` separates words: ASCII space, tab, LF, VT, FF or CR.
constexpr bool is_word_space(char c) noexcept {
  return c == ' ' || (c >= '\t' && c <= '\r');
}

/// The number of whitespace-separated words in `text` (is_word_space separates; any other byte,
/// UTF-8 included, belongs to a word). Sixteen bytes at a time. Pure.
std::int64_t count_words(std::string_view text) noexcept;

}  // namespace gb
