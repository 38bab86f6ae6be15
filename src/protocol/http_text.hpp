#pragma once
// Byte-level helpers of the HTTP/1.x response parser (protocol/http_response.cpp, the only user):
// case-insensitive comparison against literals a word at a time, the RFC 9110 tchar check of
// header names (16 bytes at a time for the usual ones) and the search for a line's LF. Internal
// to src/protocol.

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace gb::protocol::http_text {

// A lower-case ASCII literal (4 to 32 bytes) prepared for a case-insensitive comparison a word
// at a time: the literal's words at the offsets matches() loads (8-byte words from 8 bytes on,
// else two 4-byte ones; the last word overlaps the one before when the size is not a multiple)
// and, per word, 0x20 at the positions of letters. A byte b equals literal byte l ignoring ASCII
// case exactly when (b | fold) == l: a letter accepts both cases and nothing else, any other
// byte has fold 0 and must be equal. So it is exact for arbitrary bytes (values too), not only
// for tchars.
struct ci_literal {
  std::size_t size = 0;
  std::size_t words = 0;
  std::uint64_t word[4] = {};
  std::uint64_t fold[4] = {};

  template <std::size_t N>
  consteval ci_literal(const char (&s)[N]) : size(N - 1) {  // NOLINT: implicit on purpose
    static_assert(N - 1 >= 4 && N - 1 <= 32, "literal of 4 to 32 bytes");
    const std::size_t w = size >= 8 ? 8 : 4;
    words = size >= 8 ? (size + 7) / 8 : 2;  // below 8: the words at 0 and at size - 4
    for (std::size_t k = 0; k < words; ++k) {
      const std::size_t off = k * w < size - w ? k * w : size - w;
      for (std::size_t j = 0; j < w; ++j) {
        const auto c = static_cast<unsigned char>(s[off + j]);
        const unsigned shift = std::endian::native == std::endian::little ? 8 * j : 8 * (w - 1 - j);
        word[k] |= std::uint64_t{c} << shift;
        if (c >= 'a' && c <= 'z') {
          fold[k] |= std::uint64_t{0x20} << shift;
        }
      }
    }
  }
};

template <class Word>
inline Word load(const char* p) noexcept {
  Word v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// Whether the n bytes at p equal `lit` ignoring ASCII case (reads only those n bytes).
inline bool matches(const char* p, std::size_t n, const ci_literal& lit) noexcept {
  if (n != lit.size) {
    return false;
  }
  std::uint64_t diff = 0;
  if (n >= 8) {
    for (std::size_t k = 0; k < lit.words; ++k) {
      const std::size_t off = k * 8 < n - 8 ? k * 8 : n - 8;
      diff |= (load<std::uint64_t>(p + off) | lit.fold[k]) ^ lit.word[k];
    }
  } else {
    diff = ((load<std::uint32_t>(p) | lit.fold[0]) ^ lit.word[0]) |
           ((load<std::uint32_t>(p + n - 4) | lit.fold[1]) ^ lit.word[1]);
  }
  return diff == 0;
}

inline bool matches(std::string_view s, const ci_literal& lit) noexcept {
  return matches(s.data(), s.size(), lit);
}

// RFC 9110 tchar, as a table (header names are checked byte by byte on every response).
struct tchar_table {
  bool ok[256] = {};
  constexpr tchar_table() {
    for (int c = 'a'; c <= 'z'; ++c) {
      ok[c] = true;
      ok[c - 'a' + 'A'] = true;
    }
    for (int c = '0'; c <= '9'; ++c) {
      ok[c] = true;
    }
    for (const char c : std::string_view("!#$%&'*+-.^_`|~")) {
      ok[static_cast<unsigned char>(c)] = true;
    }
  }
};
inline constexpr tchar_table k_tchar;

inline bool is_tchar(char c) noexcept {
  return k_tchar.ok[static_cast<unsigned char>(c)];
}

// The number of tchars at p, up to the first byte that is not one. No bound: it is only called
// on a line, and the byte after a line is always readable and never a tchar (the CR or LF that
// ended it in the input, or the CR or terminating NUL of line_). Unrolled: the names of every
// header of every response go through here.
inline std::size_t tchar_run(const char* p) noexcept {
  const char* q = p;
  while (true) {
    if (!is_tchar(q[0])) {
      break;
    }
    if (!is_tchar(q[1])) {
      q += 1;
      break;
    }
    if (!is_tchar(q[2])) {
      q += 2;
      break;
    }
    if (!is_tchar(q[3])) {
      q += 3;
      break;
    }
    q += 4;
  }
  return static_cast<std::size_t>(q - p);
}

#if defined(__SSE2__)
// The bytes of a 16-byte block that are not an ASCII letter, digit or '-' (bit i for byte i):
// the tchars nearly every header name is made of. Names are checked 16 bytes per step this way;
// the first other byte must be the colon, else the caller checks the name byte by byte (rarer
// tchars, invalid bytes). As signed bytes, x + (0x80 - lo) < n - 0x80 exactly when
// lo <= x < lo + n, so each range is one addition and one comparison.
inline unsigned non_name_bytes(__m128i v) noexcept {
  const __m128i folded = _mm_or_si128(v, _mm_set1_epi8(0x20));  // only letters fold into a..z
  const __m128i letter =
      _mm_cmplt_epi8(_mm_add_epi8(folded, _mm_set1_epi8(static_cast<char>(0x80 - 'a'))),
                     _mm_set1_epi8(static_cast<char>(-128 + 26)));
  const __m128i digit =
      _mm_cmplt_epi8(_mm_add_epi8(v, _mm_set1_epi8(static_cast<char>(0x80 - '0'))),
                     _mm_set1_epi8(static_cast<char>(-128 + 10)));
  const __m128i dash = _mm_cmpeq_epi8(v, _mm_set1_epi8('-'));
  const auto ok =
      static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(letter, digit), dash)));
  return ~ok & 0xffffu;
}
#endif

// memchr for '\n' that also takes an empty view (whose data() may be the null pointer).
inline const char* memchr_lf(const char* p, const char* end) noexcept {
  if (p == end) {
    return nullptr;
  }
  return static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)));
}

// The first LF in [p, end), or nullptr. With SSE2 (every x86-64), 16 bytes per step while 16
// remain: cheaper than a call to memchr for lines of a few dozen bytes.
inline const char* find_lf(const char* p, const char* end) noexcept {
#if defined(__SSE2__)
  const __m128i lf = _mm_set1_epi8('\n');
  while (end - p >= 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const auto mask = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, lf)));
    if (mask != 0) {
      return p + std::countr_zero(mask);
    }
    p += 16;
  }
#endif
  return memchr_lf(p, end);
}

}  // namespace gb::protocol::http_text
