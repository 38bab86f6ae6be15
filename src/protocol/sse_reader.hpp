#pragma once
// Incremental Server-Sent Events reader (shared/design/wire-formats.md, "SSE framing").
// Accepts LF, CRLF and CR line endings (mixed), "field:value" with or without a space after the
// colon, multi-line data (joined with '\n'), comment lines (":..."), unknown fields, and events
// split across reads at any byte. No I/O; no allocation per event once warmed up.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace gb::protocol {

/// One dispatched event. The views point into the reader and stay valid until the next call to
/// feed() or next().
struct sse_event {
  std::string_view event;  // the "event:" field, empty when absent
  std::string_view data;   // the "data:" lines joined with '\n'
};

enum class sse_status : std::uint8_t {
  event,      // `out` holds a complete event
  need_more,  // no complete event in the buffered bytes; feed more
  too_large,  // one event exceeded max_event_bytes: the stream is malformed (protocol_error)
};

class sse_reader {
 public:
  /// max_event_bytes bounds the memory one event may take (default 8 MiB).
  explicit sse_reader(std::size_t max_event_bytes = 8u << 20);

  /// Appends bytes from the wire.
  void feed(std::string_view bytes);

  /// Extracts the next complete event into `out`. Call repeatedly until need_more. Events with
  /// no data lines are not dispatched (per the SSE spec), only comments are skipped.
  sse_status next(sse_event& out);

  /// Bytes buffered but not yet forming a complete event (to detect truncated streams at EOF).
  std::size_t pending_bytes() const noexcept;

  /// Forgets all state (for reuse on a new response).
  void reset() noexcept;

 private:
  std::string buf_;      // unread wire bytes
  std::size_t pos_ = 0;  // parse position in buf_
  std::string event_;    // current event's "event" field
  std::string data_;     // current event's joined data
  bool has_data_ = false;
  bool last_was_cr_ = false;  // a CR ended the previous line: skip one following LF
  std::size_t max_event_bytes_;
};

}  // namespace gb::protocol
