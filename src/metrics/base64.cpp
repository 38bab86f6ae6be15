// Standard base64 (RFC 4648 section 4, padded), used by the histogram codec.

#include <array>
#include <string>

#include "metrics/hdr_codec.hpp"

namespace gb::metrics {

namespace {

constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::array<std::int8_t, 256> make_reverse() {
  std::array<std::int8_t, 256> r{};
  for (auto& x : r) {
    x = -1;
  }
  for (int i = 0; i < 64; ++i) {
    r[static_cast<unsigned char>(alphabet[i])] = static_cast<std::int8_t>(i);
  }
  return r;
}

constexpr auto reverse = make_reverse();

}  // namespace

std::string base64_encode(std::span<const std::uint8_t> bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t v =
        (std::uint32_t{bytes[i]} << 16) | (std::uint32_t{bytes[i + 1]} << 8) | bytes[i + 2];
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += alphabet[(v >> 6) & 63];
    out += alphabet[v & 63];
  }
  const std::size_t rest = bytes.size() - i;
  if (rest > 0) {
    std::uint32_t v = std::uint32_t{bytes[i]} << 16;
    if (rest == 2) {
      v |= std::uint32_t{bytes[i + 1]} << 8;
    }
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += rest == 2 ? alphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

result<std::vector<std::uint8_t>> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) {
    return fail("bad base64: length ", std::to_string(text.size()),
                " is not a multiple of 4 (the text is cut off or not padded)");
  }
  std::size_t pad = 0;
  while (pad < 2 && pad < text.size() && text[text.size() - 1 - pad] == '=') {
    ++pad;
  }
  std::vector<std::uint8_t> out;
  out.reserve(text.size() / 4 * 3);
  std::uint32_t acc = 0;
  const std::size_t data_len = text.size() - pad;
  for (std::size_t i = 0; i < data_len; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    const int v = reverse[c];
    if (v < 0) {
      const std::string shown = c >= 0x20 && c < 0x7f
                                    ? std::string("'") + static_cast<char>(c) + "'"
                                    : "byte " + std::to_string(c);
      return fail("bad base64: ", shown, " at offset ", std::to_string(i),
                  " is not in the standard alphabet");
    }
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    if (i % 4 == 3) {
      out.push_back(static_cast<std::uint8_t>(acc >> 16));
      out.push_back(static_cast<std::uint8_t>(acc >> 8));
      out.push_back(static_cast<std::uint8_t>(acc));
      acc = 0;
    }
  }
  if (pad == 1) {
    out.push_back(static_cast<std::uint8_t>(acc >> 10));
    out.push_back(static_cast<std::uint8_t>(acc >> 2));
  } else if (pad == 2) {
    out.push_back(static_cast<std::uint8_t>(acc >> 4));
  }
  return out;
}

}  // namespace gb::metrics
