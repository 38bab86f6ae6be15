#pragma once
// What the mock "generates": a token is one word of a fixed vocabulary, chosen deterministically
// from a request key and the token's index; the output-length rule.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "util/words.hpp"  // count_words: the prompt-word counter

namespace gb::mock {

/// FNV-1a of `bytes`, mixed with `seed`. Pure; the key from which a request's text derives.
std::uint64_t request_key(std::string_view bytes, std::uint64_t seed) noexcept;

/// The word of token `index` (0-based) for a request key: lowercase ASCII letters only, so it
/// never needs JSON escaping. Pure.
std::string_view word_at(std::uint64_t key, std::int64_t index) noexcept;

/// Appends the text of tokens [first, first+count): words separated by single spaces, token 0
/// without a leading space and every later token with one, so the whole output split on
/// whitespace has exactly one word per token.
void append_words(std::string& out, std::uint64_t key, std::int64_t first, std::int64_t count);

/// XORed into a request key for its reasoning ("thinking") text, so that it differs from the
/// answer's text in every dialect.
inline constexpr std::uint64_t reasoning_salt = 0x5ea5011e5ea5011eULL;

/// Inputs of the output-length rule.
struct length_inputs {
  std::int64_t natural = 1;                // from x-mock-output-tokens or the distribution
  std::optional<std::int64_t> max_tokens;  // max_tokens / max_completion_tokens
  std::optional<std::int64_t> min_tokens;  // vLLM's min_tokens
  bool ignore_eos = false;                 // vLLM's ignore_eos: generate up to max_tokens
};

struct length_decision {
  std::int64_t tokens = 1;
  bool hit_limit = false;  // finish_reason "length" / stop_reason "max_tokens"
};

/// n = max(1, natural); n = max(n, min_tokens); with ignore_eos and max_tokens n = max_tokens;
/// then n = min(n, max_tokens). hit_limit when max_tokens cut the natural length or ignore_eos
/// ran to it. Pure.
length_decision decide_length(const length_inputs& in) noexcept;

}  // namespace gb::mock
