// UTF-8 well-formedness: the boundaries of Unicode's table 3-7 and maximal invalid subparts.
#include "util/utf8.hpp"

#include <gtest/gtest.h>

#include <string>

namespace gb {
namespace {

struct seq_case {
  std::string bytes;
  std::size_t length;
  bool valid;
};

TEST(Utf8, SequenceBoundaries) {
  const seq_case cases[] = {
      {"\xC2\x80", 2, true},           // U+0080, the first 2-byte scalar
      {"\xDF\xBF", 2, true},           // U+07FF
      {"\xC0\x80", 1, false},          // overlong NUL
      {"\xC1\xBF", 1, false},          // overlong
      {"\xE0\xA0\x80", 3, true},       // U+0800
      {"\xE0\x9F\xBF", 1, false},      // overlong 3-byte
      {"\xED\x9F\xBF", 3, true},       // U+D7FF
      {"\xED\xA0\x80", 1, false},      // a surrogate
      {"\xEF\xBF\xBF", 3, true},       // U+FFFF
      {"\xF0\x90\x80\x80", 4, true},   // U+10000
      {"\xF0\x8F\xBF\xBF", 1, false},  // overlong 4-byte
      {"\xF4\x8F\xBF\xBF", 4, true},   // U+10FFFF
      {"\xF4\x90\x80\x80", 1, false},  // past U+10FFFF
      {"\xF5\x80\x80\x80", 1, false},  // no such lead byte
      {"\x80", 1, false},              // a lone continuation byte
      {"\xE2\x82", 2, false},          // truncated at the end: both bytes are one subpart
      {"\xE2\x82\x41", 2, false},      // cut short by an ASCII byte
      {"\xF0\x9F\x98", 3, false},      // truncated 4-byte sequence
  };
  for (const auto& c : cases) {
    const utf8_step st = utf8_sequence_at(c.bytes, 0);
    EXPECT_EQ(st.valid, c.valid) << testing::PrintToString(c.bytes);
    EXPECT_EQ(st.length, c.length) << testing::PrintToString(c.bytes);
  }
}

TEST(Utf8, FirstInvalidByte) {
  EXPECT_EQ(first_invalid_utf8(""), std::string_view::npos);
  EXPECT_EQ(first_invalid_utf8("plain ascii\n"), std::string_view::npos);
  EXPECT_EQ(first_invalid_utf8("caf\xC3\xA9 \xF0\x9F\x98\x80"), std::string_view::npos);
  EXPECT_EQ(first_invalid_utf8("caf\xC3"), 3U);
  EXPECT_EQ(first_invalid_utf8("ab\xFF\xFE"), 2U);
  EXPECT_EQ(first_invalid_utf8("\xC3\xA9\xED\xA0\x80"), 2U);
}

}  // namespace
}  // namespace gb
