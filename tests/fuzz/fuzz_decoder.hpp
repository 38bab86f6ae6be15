#pragma once
// The body of the OpenAI and Anthropic decoder fuzz targets (one target per dialect).
// Input: [event name line '\n'] data. Oracles: never crash; any event or body our decoders accept
// as JSON is also accepted by nlohmann/json (when the input is valid UTF-8, which nlohmann
// requires and we do not); content events of text deltas have non-empty text.

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string_view>

#include "protocol/json_walk.hpp"
#include "protocol/stream_decoder.hpp"

namespace gb::fuzz {

inline bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = 0;
    if (c < 0x80) {
      ++i;
      continue;
    }
    if (c >= 0xC2 && c <= 0xDF) {
      n = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 2;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 3;
    } else {
      return false;
    }
    if (i + n >= s.size()) {
      return false;
    }
    for (std::size_t k = 1; k <= n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) {
        return false;
      }
    }
    const auto c1 = static_cast<unsigned char>(s[i + 1]);
    if ((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 > 0x9F) || (c == 0xF0 && c1 < 0x90) ||
        (c == 0xF4 && c1 > 0x8F)) {
      return false;
    }
    i += n + 1;
  }
  return true;
}

// Whether nlohmann/json's verdict is comparable to ours: it requires valid UTF-8, rejects lone
// UTF-16 surrogates in \u escapes, and rejects numbers that overflow a double (1e999, 400
// digits); RFC 8259's grammar allows all three (we decode lone surrogates to U+FFFD and do not
// convert numbers other than token counts). It also skips a UTF-8 byte order mark before the
// text, which RFC 8259 lets a parser reject, and we do.
inline bool comparable_with_nlohmann(std::string_view s) {
  if (s.starts_with("\xEF\xBB\xBF")) {
    return false;
  }
  std::size_t digits = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const bool digit = c >= '0' && c <= '9';
    digits = digit ? digits + 1 : 0;
    if (digits > 300) {
      return false;
    }
    if ((c == 'e' || c == 'E') && i > 0 &&
        ((s[i - 1] >= '0' && s[i - 1] <= '9') || s[i - 1] == '.')) {
      return false;
    }
  }
  for (std::size_t i = s.find("\\u"); i != std::string_view::npos; i = s.find("\\u", i + 1)) {
    if (i + 3 < s.size() && (s[i + 2] == 'd' || s[i + 2] == 'D') &&
        std::string_view("89abcdefABCDEF").find(s[i + 3]) != std::string_view::npos) {
      return false;
    }
  }
  return valid_utf8(s);
}

// A walk_json visitor that asks for nothing (only the grammar is checked).
struct grammar_only {
  int key(int, std::string_view) { return 0; }
  int element(int, std::uint32_t) { return 0; }
  int open_object(int) { return 0; }
  int open_array(int) { return 0; }
  void string(int, std::string_view) {}
  void number(int, std::int64_t) {}
  void literal(int, char) {}
};

// Whether `s` opens more containers than walk_json allows at once (a bound nlohmann lacks); a
// count of all brackets, so it may say yes for shallow text too (that text is then not compared).
inline bool may_nest_too_deep(std::string_view s) {
  std::size_t opens = 0;
  for (const char c : s) {
    opens += (c == '[' || c == '{') ? 1 : 0;
  }
  return opens > static_cast<std::size_t>(protocol::detail::k_json_max_depth);
}

inline int fuzz_decoder(protocol::dialect d, const std::uint8_t* bytes, std::size_t size) {
  std::string_view data(reinterpret_cast<const char*>(bytes), size);
  std::string_view event;
  if (const std::size_t nl = data.find('\n'); nl != std::string_view::npos && nl < 32) {
    event = data.substr(0, nl);
    data.remove_prefix(nl + 1);
  }
  auto dec = protocol::make_stream_decoder(d);
  const protocol::stream_update u = dec->decode(protocol::sse_event{event, data});
  const bool json_like = !data.empty() &&
                         data.find_first_not_of(" \t\r\n") != std::string_view::npos &&
                         data.find("[DONE]") == std::string_view::npos;
  const bool comparable = comparable_with_nlohmann(data);
  if (u.kind != protocol::event_kind::malformed && json_like && comparable &&
      !nlohmann::json::accept(data)) {
    std::abort();  // we accepted invalid JSON
  }
  if (u.kind == protocol::event_kind::content && d == protocol::dialect::anthropic_messages &&
      u.text.empty()) {
    std::abort();
  }
  // The walker's grammar against nlohmann's, both ways: it accepts exactly the valid JSON
  // (nlohmann takes a NUL byte for the end of the text, so text holding one is not compared).
  if (comparable && !may_nest_too_deep(data) && data.find('\0') == std::string_view::npos) {
    grammar_only none;
    std::string scratch;
    if (protocol::detail::walk_json(data, none, 0, scratch) != nlohmann::json::accept(data)) {
      std::abort();
    }
  }
  const protocol::body_summary b = protocol::decode_body(d, data);
  if (b.valid && comparable && !nlohmann::json::accept(data)) {
    std::abort();
  }
  if (b.content_chars < 0 || b.content_words < 0 || b.content_words > b.content_chars) {
    std::abort();
  }
  // Decoding the same event twice on one decoder gives the same kind (no hidden state).
  if (dec->decode(protocol::sse_event{event, data}).kind != u.kind) {
    std::abort();
  }
  return 0;
}

}  // namespace gb::fuzz
