#pragma once
// The concrete stream decoders behind make_stream_decoder() (internal to protocol).

#include <memory>
#include <string_view>

#include "protocol/stream_decoder.hpp"

namespace gb::protocol::detail {

/// OpenAI chat completions and legacy completions (choices[].delta / choices[].text).
std::unique_ptr<stream_decoder> make_openai_decoder();
/// Anthropic messages (typed events).
std::unique_ptr<stream_decoder> make_anthropic_decoder();

/// `s` without leading and trailing ASCII whitespace.
std::string_view trim_ws(std::string_view s) noexcept;

}  // namespace gb::protocol::detail
