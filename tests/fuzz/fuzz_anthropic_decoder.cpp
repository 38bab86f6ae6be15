// libFuzzer target: the Anthropic stream decoder and body decoder (see fuzz_decoder.hpp).
#include "fuzz_decoder.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  return gb::fuzz::fuzz_decoder(gb::protocol::dialect::anthropic_messages, bytes, size);
}
