#include "util/words.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace gb {
namespace {

// The rule, one byte at a time: a word starts at a non-space byte after a space or the start.
std::int64_t reference_count(std::string_view s) {
  std::int64_t n = 0;
  bool in_word = false;
  for (const char c : s) {
    const bool space = c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
    n += (!space && !in_word) ? 1 : 0;
    in_word = !space;
  }
  return n;
}

TEST(CountWords, Examples) {
  EXPECT_EQ(count_words(""), 0);
  EXPECT_EQ(count_words("   \t\n"), 0);
  EXPECT_EQ(count_words("one"), 1);
  EXPECT_EQ(count_words("  a  b\tc\nd "), 4);
  EXPECT_EQ(count_words("a\vb\fc\rd"), 4);
  EXPECT_EQ(count_words("caf\xc3\xa9 \xe2\x80\x94 na\xc3\xafve"), 3);  // UTF-8 bytes are word bytes
  // Bytes next to the whitespace range are word bytes: 0x08 and 0x0E, 0x1F, 0x7F, 0xFF.
  EXPECT_EQ(count_words("\x08 \x0e \x1f \x7f \xff"), 5);
}

TEST(CountWords, WordsAcrossSixteenByteBlocks) {
  // A word that ends, starts or runs across a block boundary, at every offset.
  for (std::size_t at = 0; at < 40; ++at) {
    std::string s(48, ' ');
    s[at] = 'x';
    EXPECT_EQ(count_words(s), 1) << at;
    s.assign(48, 'y');
    s[at] = ' ';
    EXPECT_EQ(count_words(s), at == 0 || at == 47 ? 1 : 2) << at;
  }
  EXPECT_EQ(count_words(std::string(100, 'w')), 1);
}

TEST(CountWords, MatchesTheByteRuleOnRandomText) {
  std::mt19937_64 g(7);
  const std::string alphabet = std::string(" \t\n\v\f\r\x08\x0e") + "ab\xc3\xa9\x7f\xff";
  for (int round = 0; round < 20000; ++round) {
    std::string s(g() % 90, ' ');
    for (char& c : s) {
      c = alphabet[g() % alphabet.size()];
    }
    ASSERT_EQ(count_words(s), reference_count(s)) << round;
  }
}

}  // namespace
}  // namespace gb
