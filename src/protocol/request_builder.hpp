#pragma once
// Builds request bodies for each dialect as JSON text, directly (no DOM), so that building a
// request costs little more than copying the prompt.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

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

/// Appends `s` JSON-escaped (without quotes) to `out`.
void append_json_escaped(std::string_view s, std::string& out);

/// True when `s` can stand between JSON quotes as it is: printable ASCII other than '"' and
/// '\\'. A caller that sends the same text many times checks it once and marks its messages
/// chat_message::plain, which saves the escaping scan on every request.
bool json_plain(std::string_view s) noexcept;

}  // namespace gb::protocol
