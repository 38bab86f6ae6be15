#pragma once
// Turns SSE events (streaming) and whole bodies (non-streaming) of each dialect into what the
// metrics need: content or not, usage, end marker, errors (shared/design/wire-formats.md).
// Tolerant: unknown fields and unknown event types are ignored, never fatal.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "protocol/dialect.hpp"
#include "protocol/sse_reader.hpp"

namespace gb::protocol {

enum class event_kind : std::uint8_t {
  ignored,    // ping, content_block_start/stop, message_start (but see usage), unknown types
  preamble,   // carries no generated content (OpenAI role chunk, empty delta, finish chunk)
  content,    // generated content: non-empty text, reasoning/thinking, or tool-call fragment
  usage,      // usage only (OpenAI include_usage chunk with empty choices)
  end,        // the end marker: OpenAI "data: [DONE]", Anthropic message_stop
  error,      // an error event inside the stream (OpenAI {"error":...}, Anthropic event: error)
  malformed,  // data that is not valid JSON, or JSON of the wrong shape for the dialect
};

/// What one event contributed. Views point into the event/decoder and are valid until the next
/// decode() call. The token counts are set on whatever kind of event carries them: the OpenAI
/// include_usage chunk (kind usage) but also a finish chunk that has usage (kind preamble), the
/// Anthropic message_start (kind ignored, input_tokens only) and message_delta (kind usage).
/// Read them from every event, not only from usage events.
struct stream_update {
  event_kind kind = event_kind::ignored;
  std::string_view text;            // the content delta text (for content events), may be empty
  std::int64_t output_tokens = -1;  // cumulative output tokens from usage, when this event has it
  std::int64_t input_tokens = -1;   // input tokens from usage, when this event has it
  std::string_view error_type;      // for error events, e.g. "overloaded_error"
  std::string_view finish_reason;   // "stop", "length", "end_turn", ... when this event has it
};

/// Decodes one response stream. One instance per in-flight request (or reset() between).
class stream_decoder {
 public:
  virtual ~stream_decoder() = default;
  /// Classifies one SSE event. Never throws; malformed input yields event_kind::malformed.
  /// Empty (all-whitespace) data is `ignored`. JSON is validated fully (RFC 8259, nesting up to
  /// 64 levels); bytes inside strings must be well-formed UTF-8. No allocation once warm.
  virtual stream_update decode(const sse_event& ev) = 0;
  /// Clears per-stream state.
  virtual void reset() noexcept = 0;
};

/// A decoder for a streaming dialect. openai_embeddings does not stream; it gets the OpenAI
/// decoder (which will see no events).
std::unique_ptr<stream_decoder> make_stream_decoder(dialect d);

/// Summary of a non-streaming response body (status 2xx) or an error body (any status).
struct body_summary {
  bool valid = false;               // JSON of the dialect's expected shape
  bool is_error = false;            // an error object ({"error":...} / {"type":"error",...})
  std::int64_t output_tokens = -1;  // from usage (completion_tokens / output_tokens)
  std::int64_t input_tokens = -1;   // from usage (prompt_tokens / input_tokens)
  std::int64_t content_chars = 0;   // length of generated text (0 for embeddings)
  std::int64_t content_words = 0;   // whitespace-separated words in generated text
  std::int64_t embedding_dims = 0;  // vector length of the first embedding
  std::string error_type;           // error type/code when is_error
  std::string finish_reason;
};

/// Decodes a whole response body of dialect `d`. Never throws; invalid JSON gives valid=false.
/// Error bodies of either vendor's shape (and vLLM's {"object":"error",...}) are recognised
/// whatever `d` is; error_type is the error's "type", else its "code".
body_summary decode_body(dialect d, std::string_view body);

}  // namespace gb::protocol
