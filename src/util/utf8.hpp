#pragma once
// UTF-8 well-formedness (Unicode 15, table 3-7: no overlongs, no surrogates, nothing past
// U+10FFFF).

#include <cstddef>
#include <string_view>

namespace gb {

/// One step of a UTF-8 scan from a byte >= 0x80.
struct utf8_step {
  std::size_t length = 0;  // bytes of the sequence (valid: 2..4) or of its maximal invalid
                           // subpart (invalid: 1..3, the bytes one U+FFFD replaces)
  bool valid = false;
};

/// The sequence starting at s[i]; requires i < s.size() and s[i] >= 0x80. Pure.
utf8_step utf8_sequence_at(std::string_view s, std::size_t i) noexcept;

/// Offset of the first byte of `s` that is not part of well-formed UTF-8, or
/// std::string_view::npos when all of it is. Pure.
std::size_t first_invalid_utf8(std::string_view s) noexcept;

}  // namespace gb
