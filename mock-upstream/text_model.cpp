#include "text_model.hpp"

#include <algorithm>
#include <array>

#include "distribution.hpp"

namespace gb::mock {

namespace {
constexpr std::array<std::string_view, 64> vocabulary = {
    "the",     "quick",    "brown",  "fox",    "jumps",  "over",   "lazy",    "dog",
    "gateway", "latency",  "token",  "stream", "model",  "answer", "request", "server",
    "client",  "packet",   "cache",  "queue",  "thread", "socket", "buffer",  "event",
    "signal",  "metric",   "window", "bucket", "timer",  "load",   "rate",    "burst",
    "alpha",   "beta",     "gamma",  "delta",  "omega",  "sigma",  "kappa",   "lambda",
    "river",   "mountain", "forest", "ocean",  "desert", "valley", "island",  "meadow",
    "red",     "green",    "blue",   "amber",  "silver", "golden", "violet",  "scarlet",
    "one",     "two",      "three",  "four",   "five",   "six",    "seven",   "eight"};

}  // namespace

std::uint64_t request_key(std::string_view bytes, std::uint64_t seed) noexcept {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (const unsigned char c : bytes) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return mix64(h ^ mix64(seed));
}

std::string_view word_at(std::uint64_t key, std::int64_t index) noexcept {
  const auto h = mix64(key + static_cast<std::uint64_t>(index) * 0x9e3779b97f4a7c15ULL);
  return vocabulary[h & (vocabulary.size() - 1)];
}

void append_words(std::string& out, std::uint64_t key, std::int64_t first, std::int64_t count) {
  for (std::int64_t i = first; i < first + count; ++i) {
    if (i > 0) {
      out.push_back(' ');
    }
    out.append(word_at(key, i));
  }
}

length_decision decide_length(const length_inputs& in) noexcept {
  length_decision d;
  std::int64_t n = std::max<std::int64_t>(1, in.natural);
  if (in.min_tokens) {
    n = std::max(n, *in.min_tokens);
  }
  if (in.max_tokens) {
    if (in.ignore_eos) {
      n = *in.max_tokens;
      d.hit_limit = true;
    } else if (n > *in.max_tokens) {
      n = *in.max_tokens;
      d.hit_limit = true;
    }
  }
  d.tokens = std::max<std::int64_t>(1, n);
  return d;
}

}  // namespace gb::mock
