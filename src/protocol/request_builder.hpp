#pragma once
// Builds request bodies for each dialect as JSON text, directly (no DOM), so that building a
// request costs little more than copying the prompt.

#include <bit>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/dialect.hpp"

namespace gb::protocol {

struct chat_message {
  std::string_view role;  // "system", "user", "assistant"
  std::string_view content;
  /// The caller knows json_plain(role), json_plain(content) and json_plain(more) hold: they are
  /// copied without escaping.
  bool plain = false;
  /// The content goes on with these bytes (the text is content + more): a caller whose text is
  /// two pieces in memory need not join them first. Must not split a UTF-8 sequence.
  std::string_view more = {};
};

struct request_spec {
  std::string_view model;
  bool model_plain = false;  // the caller knows json_plain(model) holds: copied without escaping
  std::span<const chat_message> messages;  // chat/messages dialects; for completions and
                                           // embeddings the messages' contents are joined
                                           // with '\n'; for Anthropic, "system" messages go
                                           // to the top-level "system" (joined with '\n')
  bool stream = true;
  bool include_usage = true;     // OpenAI stream_options.include_usage
  std::int64_t max_tokens = -1;  // -1: omit (Anthropic requires it: 1024 is sent then)
  bool ignore_eos = false;       // vLLM-style extension, sent only when true
  std::int64_t min_tokens = -1;  // vLLM-style extension, sent only when >= 0
};

/// Appends the JSON body for `spec` in dialect `d` to `out` (strings JSON-escaped, invalid UTF-8
/// replaced by U+FFFD). Never throws except std::bad_alloc.
void build_body(dialect d, const request_spec& spec, std::string& out);

/// Replaces `out` with the body for `spec` (what build_body appends to an empty string). The
/// bytes `out` holds serve as room first: a buffer reused for bodies of about one size (a
/// request slot's) is zero-filled only where a body outgrows the last one, not made anew.
void rebuild_body(dialect d, const request_spec& spec, std::string& out);

/// A body built once for requests that differ only in one message's text and in max_tokens /
/// min_tokens (a synthetic prompt's requests): fill() copies the constant parts around them,
/// which costs a few copies instead of writing the JSON piece by piece.
class body_template {
 public:
  body_template() = default;
  /// The body build_body writes for `spec` in `d`, with a hole where the content of
  /// spec.messages[text_message] goes (the texts filled in must be json_plain: they are copied
  /// as they are) and, when `counts_vary`, holes where max_tokens and min_tokens go (else spec's
  /// values are part of the constant text).
  body_template(dialect d, const request_spec& spec, std::size_t text_message, bool counts_vary);

  /// Replaces `out` with the body for that message's text `text` + `more` and these counts
  /// (ignored unless the template was made with counts_vary): byte for byte what build_body
  /// appends for the spec with that text and those counts. Only the part of `out` beyond its
  /// former size is zero-filled first, so a buffer reused for bodies of about the same size
  /// costs nothing but the copies.
  void fill(std::string_view text, std::string_view more, std::int64_t max_tokens,
            std::int64_t min_tokens, std::string& out) const;

  enum class hole : std::uint8_t { text, max_tokens, min_tokens };
  struct hole_at {
    std::uint32_t at;  // offset in the constant text
    hole what;
  };

 private:
  std::string fixed_;  // the body without its holes
  std::vector<hole_at> holes_;
};

namespace detail {

// Eight decimal digits of `v` (< 10^8, with leading zeros), one per byte, the first digit in the
// lowest byte: as std::uint64_t, two lanes at a time divided by 100, then by 10 (multiply and
// shift; exact for these ranges), no loop.
constexpr std::uint64_t decimal_lanes(std::uint32_t v) noexcept {
  const std::uint64_t x = (v / 10000) | (std::uint64_t{v % 10000} << 32);
  const std::uint64_t hundreds = ((x * 10486) >> 20) & 0x0000007F0000007FULL;
  const std::uint64_t y = hundreds | ((x - hundreds * 100) << 16);
  const std::uint64_t tens = ((y * 103) >> 10) & 0x000F000F000F000FULL;
  return tens | ((y - tens * 10) << 8);
}

// "00", "01", ..., "99".
inline constexpr char two_digits[201] =
    "0001020304050607080910111213141516171819202122232425262728293031323334353637383940414243444546"
    "4748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293"
    "949596979899";

}  // namespace detail

/// Writes the decimal digits of `v` at `p` and returns the end: as std::to_chars, but may store
/// up to 8 bytes beyond the end of its digits (what follows is written after it), so `p` needs
/// 24 bytes of room. Up to four digits from a table of two-digit pairs; longer numbers eight
/// digits at a time with a few multiplications instead of a division per two digits.
inline char* write_decimal(char* p, std::uint64_t v) noexcept {
  if (v < 100) {
    if (v < 10) {
      *p = static_cast<char>('0' + v);
      return p + 1;
    }
    std::memcpy(p, detail::two_digits + 2 * v, 2);
    return p + 2;
  }
  if (v < 10000) {
    const auto high = static_cast<std::uint32_t>(v) / 100;
    const auto low = static_cast<std::uint32_t>(v) - high * 100;
    if (high < 10) {
      *p = static_cast<char>('0' + high);
      std::memcpy(p + 1, detail::two_digits + 2 * low, 2);
      return p + 3;
    }
    std::memcpy(p, detail::two_digits + 2 * high, 2);
    std::memcpy(p + 2, detail::two_digits + 2 * low, 2);
    return p + 4;
  }
  constexpr std::uint64_t zeros = 0x3030303030303030ULL;
  auto put8 = [](char* at, std::uint64_t lanes) {
    lanes += zeros;
    std::memcpy(at, &lanes, 8);
  };
  auto put_short = [&](char* at, std::uint32_t u) {  // u < 10^8, no leading zeros
    const std::uint64_t lanes = detail::decimal_lanes(u);
    const int skip = u == 0 ? 7 : std::countr_zero(lanes) / 8;  // leading zero digits
    put8(at, lanes >> (8 * skip));
    return at + (8 - skip);
  };
  if (v < 100000000) {
    return put_short(p, static_cast<std::uint32_t>(v));
  }
  const std::uint64_t high = v / 100000000;
  const auto low = static_cast<std::uint32_t>(v % 100000000);
  if (high < 100000000) {
    p = put_short(p, static_cast<std::uint32_t>(high));
  } else {
    p = put_short(p, static_cast<std::uint32_t>(high / 100000000));
    put8(p, detail::decimal_lanes(static_cast<std::uint32_t>(high % 100000000)));
    p += 8;
  }
  put8(p, detail::decimal_lanes(low));
  return p + 8;
}

/// Appends `s` JSON-escaped (without quotes) to `out`.
void append_json_escaped(std::string_view s, std::string& out);

/// True when `s` can stand between JSON quotes as it is: printable ASCII other than '"' and
/// '\\'. A caller that sends the same text many times checks it once and marks its messages
/// chat_message::plain, which saves the escaping scan on every request.
bool json_plain(std::string_view s) noexcept;

}  // namespace gb::protocol
