#include "util/words.hpp"

#include <bit>
#include <cstddef>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace gb {

std::int64_t count_words(std::string_view text) noexcept {
  std::int64_t words = 0;
  bool in_word = false;  // the byte before the next one is part of a word
  std::size_t i = 0;
  const std::size_t n = text.size();
  const char* const p = text.data();
#if defined(__SSE2__)
  // A word starts at a byte that is not a space after one that is (or at the start): with bit k
  // of `word` set for each non-space byte, the starts are word & ~(word << 1 | carry-in).
  for (; i + 16 <= n; i += 16) {
    const __m128i space = _mm_set1_epi8(' ');
    const __m128i tab = _mm_set1_epi8('\t');
    const __m128i four = _mm_set1_epi8(4);
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
    const __m128i from_tab = _mm_sub_epi8(v, tab);  // '\t'..'\r' become 0..4
    const __m128i ctl = _mm_cmpeq_epi8(_mm_min_epu8(from_tab, four), from_tab);
    const __m128i sp = _mm_or_si128(_mm_cmpeq_epi8(v, space), ctl);
    const unsigned word = ~static_cast<unsigned>(_mm_movemask_epi8(sp)) & 0xFFFFu;
    const unsigned starts = word & ~((word << 1) | (in_word ? 1u : 0u));
    words += std::popcount(starts);
    in_word = (word >> 15) != 0;
  }
#endif
  for (; i < n; ++i) {
    const bool word = !is_word_space(p[i]);
    words += static_cast<std::int64_t>(word && !in_word);
    in_word = word;
  }
  return words;
}

}  // namespace gb
