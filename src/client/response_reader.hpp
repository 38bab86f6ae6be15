#pragma once
// The response side of one exchange, without I/O: the caller feeds the bytes of each read with
// the instant they arrived; the reader frames HTTP (protocol::http_response_parser), splits SSE
// events, classifies them per dialect and fills a metrics::request_record: first byte, first
// content, every inter-token gap, end marker, usage, and exactly one fate when it finishes.
// Reused across requests (begin() resets it); no allocation per request once warmed up.

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "metrics/recorder.hpp"
#include "protocol/dialect.hpp"
#include "protocol/http_response.hpp"
#include "protocol/sse_reader.hpp"
#include "protocol/stream_decoder.hpp"

namespace gb::client {

/// Upper bound of a buffered (non-stream or error) body: larger ones are a protocol_error.
inline constexpr std::size_t max_body_bytes = 64u << 20;

class response_reader {
 public:
  response_reader();
  ~response_reader();
  response_reader(const response_reader&) = delete;
  response_reader& operator=(const response_reader&) = delete;

  /// Names a response header whose value is kept (metrics split by header); empty: none.
  void set_split_header(std::string_view name);
  /// Keeps the generated text of each response (for multi-turn history).
  void set_capture_text(bool on) noexcept { capture_text_ = on; }

  /// Starts reading the response to a request of dialect `d`; results go to `rec`, which must
  /// stay alive until finished() (its fate is left alone until then).
  void begin(protocol::dialect d, metrics::request_record& rec);

  /// Feeds bytes that arrived at steady instant `arrival_ns`. Returns true once the response is
  /// finished: rec.fate and rec.done_ns are then set and later bytes are not wanted.
  bool feed(std::string_view bytes, std::int64_t arrival_ns);

  /// The peer closed the connection at `arrival_ns`: finishes the response (ok when its framing
  /// allows it, else protocol_error with the parser's reason). Always finishes.
  void on_eof(std::int64_t arrival_ns);

  /// Finishes with an outcome decided outside (timeout, cancel, transport error).
  void fail(const metrics::request_fate& f, std::int64_t at_ns);

  bool finished() const noexcept { return finished_; }
  /// Any response byte arrived.
  bool got_bytes() const noexcept { return got_bytes_; }
  /// Response headers were parsed.
  bool got_headers() const noexcept { return got_headers_; }
  /// The stream's end marker was seen (the request's outcome no longer depends on later bytes).
  bool seen_end() const noexcept { return seen_end_; }
  /// The connection may carry another request (message complete, keep-alive, nothing extra).
  bool reusable() const noexcept { return reusable_; }
  const protocol::http_response_head& head() const noexcept { return http_.head(); }
  /// The generated text (when capture is on).
  std::string_view text() const noexcept { return text_; }

 private:
  void on_headers();
  void on_body(std::string_view piece, std::int64_t ts);
  /// Copies the body viewed in the bytes being fed (body_view_), if any, into body_.
  void own_body();
  void on_stream_bytes(std::string_view piece, std::int64_t ts);
  void on_content(std::string_view text, std::int64_t ts);
  void complete(std::int64_t ts);
  void finish(metrics::outcome kind, std::string_view reason, std::int64_t ts);

  protocol::http_response_parser http_;
  protocol::sse_reader sse_;
  std::array<std::unique_ptr<protocol::stream_decoder>, 4> decoders_;
  protocol::stream_decoder* decoder_ = nullptr;
  protocol::dialect dialect_ = protocol::dialect::openai_chat;
  metrics::request_record* rec_ = nullptr;
  std::string body_;
  /// The body so far when it is one piece of the bytes being fed (valid during that feed() only:
  /// copied into body_ before feed() returns wanting more).
  std::string_view body_view_;
  std::string text_;
  std::int64_t end_ns_ = 0;
  bool capture_text_ = false;
  bool finished_ = false;
  bool got_bytes_ = false;
  bool got_headers_ = false;
  bool streaming_ = false;
  bool seen_end_ = false;
  bool reusable_ = false;
};

}  // namespace gb::client
