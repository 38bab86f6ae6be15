#pragma once
// Incremental HTTP/1.1 response parser (no I/O): status line, headers, then the body framed by
// Content-Length, chunked transfer coding, or connection close. The client feeds it the bytes it
// reads (after taking their arrival timestamp) and gets the body de-chunked, piece by piece, so
// that SSE events can be timed as they arrive. Also accepts HTTP/1.0 responses and skips 1xx
// interim responses (100 Continue). Bounded memory: header block and chunk-size lines have limits.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace gb::protocol {

enum class http_parse_status : std::uint8_t {
  need_more,         // all input consumed; feed more bytes
  headers_complete,  // status and headers are available (returned once per response)
  body_data,         // `out_body` holds the next piece of de-chunked body (may be empty)
  message_complete,  // the response ended (returned once); see keep_alive()
  error,             // malformed response; error_reason() says what (a static string)
};

/// Selected response headers (others are skipped without copying).
struct http_response_head {
  int status = 0;
  int version_minor = 1;  // HTTP/1.x
  std::string content_type;
  std::int64_t content_length = -1;
  bool chunked = false;
  bool connection_close = false;  // "Connection: close", or HTTP/1.0 without keep-alive
  std::string retry_after;        // raw value of retry-after, if any
  std::string request_id;         // x-request-id or request-id, if any
  std::string split_value;        // value of the header named by set_split_header(), if any
};

class http_response_parser {
 public:
  /// max_header_bytes bounds the status line + headers (default 64 KiB).
  explicit http_response_parser(std::size_t max_header_bytes = 64 * 1024);

  /// Names a response header (case-insensitive) whose value is kept in split_value.
  void set_split_header(std::string_view name);

  /// Parses from `in`, advancing `consumed` (bytes of `in` used by this call). Call in a loop:
  ///   while ((st = p.parse(in.substr(used), n, body)) != need_more) { used += n; ... }
  /// `out_body` views into `in` (valid while `in` is). Never throws; malformed input returns
  /// error with error_reason() set (e.g. "bad_status_line", "headers_too_large",
  /// "bad_chunk_size", "bad_content_length").
  /// After message_complete, bytes left in `in` are not part of this response: parse() returns
  /// need_more for an empty `in` and error "data_after_response" otherwise (call reset() first to
  /// parse a next response). Responses to 1xx are skipped silently (their bytes count towards
  /// max_header_bytes); 101 Switching Protocols is an error ("unexpected_upgrade").
  http_parse_status parse(std::string_view in, std::size_t& consumed, std::string_view& out_body) {
    if (state_ == state::body_length) {
      return body_length_step(in, consumed, out_body);  // inline: every Content-Length body
    }
    return parse_step(in, consumed, out_body);
  }

  /// The peer closed the connection. Returns message_complete when the body was framed by
  /// connection close (or ended exactly), error ("truncated_body" / "truncated_headers") when
  /// the response was incomplete, error "closed_before_response" when no byte of a response
  /// arrived (e.g. a stale keep-alive connection). After message_complete it returns
  /// message_complete again.
  http_parse_status on_eof();

  const http_response_head& head() const noexcept { return head_; }
  const char* error_reason() const noexcept { return error_; }
  /// Whether the connection can carry another request after message_complete.
  bool keep_alive() const noexcept {
    return state_ == state::done && !head_.connection_close && !force_close_;
  }
  /// Prepares for the next response on the same connection (keeps the split header name).
  void reset() noexcept;

 private:
  enum class state : std::uint8_t {
    status_line,
    headers,
    body_length,
    body_chunk_size,
    body_chunk_data,
    body_chunk_crlf,
    trailers,
    body_eof,
    done,
    failed
  };
  enum class line_result : std::uint8_t { complete, partial, too_long };
  // parse() in state body_length: the next piece of a Content-Length body, or its end.
  http_parse_status body_length_step(std::string_view in, std::size_t& consumed,
                                     std::string_view& out_body) noexcept {
    if (remaining_ == 0 || in.empty()) {
      out_body = {};
      consumed = 0;
      if (remaining_ != 0) {
        return http_parse_status::need_more;
      }
      state_ = state::done;
      return http_parse_status::message_complete;
    }
    const std::size_t take = static_cast<std::uint64_t>(remaining_) < in.size()
                                 ? static_cast<std::size_t>(remaining_)
                                 : in.size();
    out_body = std::string_view(in.data(), take);
    consumed = take;
    remaining_ -= static_cast<std::int64_t>(take);
    return http_parse_status::body_data;
  }
  // parse() in every other state.
  http_parse_status parse_step(std::string_view in, std::size_t& consumed,
                               std::string_view& out_body);
  line_result take_line(std::string_view in, std::size_t& pos, std::string_view& line,
                        std::size_t limit);
  http_parse_status fail(const char* reason) noexcept;
  bool parse_status_line(std::string_view line) noexcept;
  bool parse_status_prefix(const char* p) noexcept;
  void set_status(const char* p) noexcept;
  const char* parse_header(std::string_view line);  // nullptr, or the error reason
  // The part of parse_header() for the headers kept in head_ (name: line[0, colon)).
  const char* selected_header(std::string_view line, std::size_t colon);
  // Parses the head at in[pos...] in place (no partial line pending; state status_line or
  // headers): the status line, the complete header lines and, for a final response, the empty
  // line ending the block, after which the body's framing is set (state_ a body state). Returns
  // the position after what it took. Stops before the first line it leaves to the general path
  // (a line split across reads or over the size limit, an empty line before the status line, a
  // malformed status line, obs-fold, the end of an interim response); on a malformed header it
  // fails (state_ failed) and returns the position after that line.
  std::size_t parse_head(std::string_view in, std::size_t pos);
  void start_body() noexcept;

  http_response_head head_;
  std::string line_;               // a partial line carried across calls
  bool line_used_ = false;         // line_ holds a line already handed out: clear before reuse
  bool te_seen_ = false;           // a Transfer-Encoding header was present
  bool keep_alive_token_ = false;  // "Connection: keep-alive" (matters for HTTP/1.0)
  bool force_close_ = false;       // framing that forbids reuse (body until close, TE + CL)
  bool any_bytes_ = false;         // some byte of this response arrived
  std::string split_name_;         // lower-case
  std::size_t header_bytes_ = 0;
  std::size_t max_header_bytes_;
  std::int64_t remaining_ = 0;  // body bytes left in the current chunk / content-length
  state state_ = state::status_line;
  const char* error_ = "";
};

}  // namespace gb::protocol
