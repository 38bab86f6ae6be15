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
  /// max_event_bytes bounds one event's data + event name, and any single line (plus 64 bytes for
  /// the field name); default 8 MiB. The reader holds at most about twice that. Where reads are
  /// split never changes the outcome.
  explicit sse_reader(std::size_t max_event_bytes = 8u << 20);

  /// Appends bytes from the wire (copied).
  void feed(std::string_view bytes);

  /// Like feed(), without copying what it can parse in place: `bytes` must stay valid and
  /// unchanged until next() returns need_more or too_large, or until the next feed(),
  /// feed_view() or reset(). Events that arrive whole are then handed out as views into
  /// `bytes`; only an unfinished line or event is copied (at need_more), so an idle stream
  /// keeps no buffer.
  void feed_view(std::string_view bytes);

  /// Extracts the next complete event into `out`. Call repeatedly until need_more. Events with
  /// no data lines are not dispatched (per the SSE spec), only comments are skipped.
  sse_status next(sse_event& out);

  /// Whether part of an event is buffered, i.e. a stream ending now is truncated. An event whose
  /// final blank line never came is never dispatched (per the SSE spec).
  bool truncated() const noexcept { return pending_bytes() != 0; }

  /// Bytes buffered but not yet forming a complete event (to detect truncated streams at EOF).
  std::size_t pending_bytes() const noexcept;

  /// Forgets all state (for reuse on a new response).
  void reset() noexcept;

 private:
  sse_status need_more();  // copies what still points into the caller's bytes
  void own_fields();       // event/data views -> owned strings
  void stash_remainder();  // unparsed caller bytes -> buf_

  std::string buf_;       // wire bytes kept across feeds (an unfinished line)
  std::string_view src_;  // what next() parses: buf_, or the bytes of feed_view()
  bool src_external_ = false;
  std::size_t pos_ = 0;       // parse position in src_
  std::size_t scanned_ = 0;   // bytes after pos_ known to hold no line end
  std::string event_;         // current event's "event" field, when it had to be copied
  std::string data_;          // current event's joined data, when it had to be copied
  std::string_view event_v_;  // current event's "event" field (into src_ or event_)
  std::string_view data_v_;   // current event's joined data (into src_ or data_)
  bool event_owned_ = false;  // event_v_ views event_
  bool data_owned_ = false;   // data_v_ views data_
  bool has_data_ = false;
  bool last_was_cr_ = false;    // a CR ended the previous line: skip one following LF
  bool started_ = false;        // the optional leading byte-order mark has been checked
  bool too_large_ = false;      // sticky: an event exceeded max_event_bytes_
  bool pending_clear_ = false;  // event_/data_ belong to the last dispatched event
  std::size_t max_event_bytes_;
};

}  // namespace gb::protocol
