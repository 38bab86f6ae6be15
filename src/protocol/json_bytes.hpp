#pragma once
// The byte scan shared by the JSON writer (request_builder) and reader (json_walk) of
// src/protocol: where does the next byte lie that a JSON string cannot hold as itself, or that
// needs a closer look (a control character, '"', '\\' or a non-ASCII byte)?

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace gb::protocol::detail {

/// Whether byte `c` may stand in a JSON string as itself and is ASCII: 0x20..0x7F except '"'
/// and '\\'.
constexpr bool is_json_plain(char c) noexcept {
  const auto u = static_cast<unsigned char>(c);
  return u >= 0x20 && u < 0x80 && u != '"' && u != '\\';
}

#if defined(__SSE2__)
/// Bit k set when byte p[k] of the 16 at p is not plain (is_json_plain). Reads 16 bytes. As
/// signed bytes, control characters and non-ASCII bytes are exactly those below 0x20, so three
/// comparisons flag every byte that is not plain (every x86-64 has SSE2).
inline unsigned json_nonplain_mask16(const char* p) noexcept {
  const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  const __m128i hits = _mm_or_si128(
      _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))),
      _mm_cmplt_epi8(v, _mm_set1_epi8(0x20)));
  return static_cast<unsigned>(_mm_movemask_epi8(hits));
}
#endif

/// Index of the first byte of `s` at or after `i` that is not plain (is_json_plain), or s.size()
/// when there is none. Sixteen bytes at a time with SSE2, then eight at a time: a word is
/// skipped only when none of its bytes is a control character, '"', '\\' or >= 0x80 (the
/// subtraction tricks may flag a byte above a real hit, never a clean word). Precondition:
/// i <= s.size().
inline std::size_t skip_json_plain(std::string_view s, std::size_t i) noexcept {
  const std::size_t n = s.size();
  const char* const p = s.data();
#if defined(__SSE2__)
  while (i + 16 <= n) {
    if (const unsigned mask = json_nonplain_mask16(p + i); mask != 0) {
      return i + static_cast<std::size_t>(std::countr_zero(mask));
    }
    i += 16;
  }
#endif
  constexpr std::uint64_t ones = 0x0101010101010101ull;
  constexpr std::uint64_t highs = 0x8080808080808080ull;
  while (i + 8 <= n) {
    std::uint64_t w;
    std::memcpy(&w, p + i, 8);
    const std::uint64_t quote = w ^ (ones * '"');
    const std::uint64_t slash = w ^ (ones * '\\');
    const std::uint64_t hits = ((w - ones * 0x20) | (quote - ones) | (slash - ones) | w) & highs;
    if (hits != 0) {
      // Bytes below the first non-plain byte flag nothing and borrow nothing, and that byte is
      // always flagged, so the lowest flag (little-endian order) is exactly the first hit.
      if constexpr (std::endian::native == std::endian::little) {
        return i + static_cast<std::size_t>(std::countr_zero(hits) / 8);
      }
      break;
    }
    i += 8;
  }
  while (i < n && is_json_plain(p[i])) {
    ++i;
  }
  return i;
}

}  // namespace gb::protocol::detail
