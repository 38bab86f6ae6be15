#pragma once
// Helpers shared by the fuzz targets: split an input into pieces at points chosen by the fuzzer.

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace gb::fuzz {

/// Reads a control byte from the front of `data` (0 when empty) and removes it.
inline std::uint8_t take_byte(std::string_view& data) {
  if (data.empty()) {
    return 0;
  }
  const auto b = static_cast<std::uint8_t>(data.front());
  data.remove_prefix(1);
  return b;
}

/// Splits `wire` into up to `count + 1` pieces at offsets derived from `seed` bytes (which are
/// consumed from the front of `data` before `wire` is taken from the rest).
inline std::vector<std::string_view> split(std::string_view wire, std::string_view seeds) {
  std::vector<std::size_t> cuts;
  for (const char s : seeds) {
    cuts.push_back(wire.empty() ? 0 : static_cast<std::uint8_t>(s) * wire.size() / 255);
  }
  std::vector<std::string_view> pieces;
  std::size_t at = 0;
  for (std::size_t c : cuts) {
    if (c < at) {
      c = at;
    }
    pieces.push_back(wire.substr(at, c - at));
    at = c;
  }
  pieces.push_back(wire.substr(at));
  return pieces;
}

}  // namespace gb::fuzz
