#include "util/utf8.hpp"

namespace gb {

namespace {

bool in(unsigned char b, unsigned char lo, unsigned char hi) noexcept {
  return b >= lo && b <= hi;
}

}  // namespace

utf8_step utf8_sequence_at(std::string_view s, std::size_t i) noexcept {
  const auto b0 = static_cast<unsigned char>(s[i]);
  std::size_t need = 0;     // continuation bytes
  unsigned char lo = 0x80;  // range of the first continuation byte
  unsigned char hi = 0xBF;
  if (in(b0, 0xC2, 0xDF)) {
    need = 1;
  } else if (b0 == 0xE0) {
    need = 2;
    lo = 0xA0;  // no overlongs
  } else if (in(b0, 0xE1, 0xEC) || in(b0, 0xEE, 0xEF)) {
    need = 2;
  } else if (b0 == 0xED) {
    need = 2;
    hi = 0x9F;  // no surrogates
  } else if (b0 == 0xF0) {
    need = 3;
    lo = 0x90;
  } else if (in(b0, 0xF1, 0xF3)) {
    need = 3;
  } else if (b0 == 0xF4) {
    need = 3;
    hi = 0x8F;  // nothing past U+10FFFF
  } else {
    return {1, false};
  }
  std::size_t k = 1;
  for (; k <= need && i + k < s.size(); ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if (k == 1 ? !in(b, lo, hi) : !in(b, 0x80, 0xBF)) {
      break;
    }
  }
  return k == need + 1 ? utf8_step{k, true} : utf8_step{k, false};
}

std::size_t first_invalid_utf8(std::string_view s) noexcept {
  std::size_t i = 0;
  while (i < s.size()) {
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      ++i;
      continue;
    }
    const utf8_step st = utf8_sequence_at(s, i);
    if (!st.valid) {
      return i;
    }
    i += st.length;
  }
  return std::string_view::npos;
}

}  // namespace gb
