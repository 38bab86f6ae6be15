#include "protocol/stream_decoder.hpp"

#include "protocol/decoders.hpp"

namespace gb::protocol {

std::unique_ptr<stream_decoder> make_stream_decoder(dialect d) {
  if (d == dialect::anthropic_messages) {
    return detail::make_anthropic_decoder();
  }
  return detail::make_openai_decoder();
}

namespace detail {

std::string_view trim_ws(std::string_view s) noexcept {
  auto is_ws = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!s.empty() && is_ws(s.front())) {
    s.remove_prefix(1);
  }
  while (!s.empty() && is_ws(s.back())) {
    s.remove_suffix(1);
  }
  return s;
}

}  // namespace detail

}  // namespace gb::protocol
