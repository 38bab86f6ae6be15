#pragma once
// The per-vendor encoders of one response: SSE events of a stream and the non-stream body
// (shared/design/wire-formats.md). The session never branches on the vendor; it asks its writer.

#include <cstdint>
#include <memory>
#include <string>

#include "plan.hpp"
#include "request.hpp"

namespace gb::mock {

/// Identity of one response, the same in every event.
struct response_ident {
  std::string id;            // e.g. "chatcmpl-…", "msg_…"
  std::int64_t created = 0;  // Unix seconds
};

/// Encodes one response. Each method appends SSE bytes (LF-only framing, one data line per
/// event) to `out` and returns how many events it appended. Never throws but for allocation.
class response_writer {
 public:
  virtual ~response_writer() = default;
  /// Events before any content (OpenAI role chunk; Anthropic message_start,
  /// content_block_start, ping).
  virtual int begin(std::string& out) = 0;
  /// The content event for tokens [first, first+count) of the plan's combined sequence
  /// (reasoning tokens first). May add block boundaries (Anthropic).
  virtual int tokens(std::string& out, std::int64_t first, std::int64_t count) = 0;
  /// The closing events (finish chunk, usage chunk, [DONE] / content_block_stop,
  /// message_delta, message_stop).
  virtual int finish(std::string& out) = 0;
  /// An error event inside the stream.
  virtual int error_event(std::string& out) = 0;
  /// An event whose data is not valid JSON.
  virtual int malformed_event(std::string& out) = 0;
  /// The whole non-stream JSON body.
  virtual void body(std::string& out) = 0;
};

/// The writer for a request's dialect (chat, completions, messages). Embeddings use
/// embeddings_body() instead.
std::unique_ptr<response_writer> make_writer(const gen_request& req, const response_plan& plan,
                                             response_ident ident);

/// The body of an embeddings response: one vector per input, `dims` floats each (from
/// req.dimensions or the default), float JSON arrays or base64 little-endian float32.
void embeddings_body(std::string& out, const gen_request& req, std::uint64_t key,
                     std::int64_t default_dims);

/// The /v1/models body listing `models`.
std::string models_body(const std::vector<std::string>& models, std::int64_t created);

}  // namespace gb::mock
