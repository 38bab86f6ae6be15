// Incremental HTTP/1.x response parser (RFC 9112): status line, headers, body framing by
// Content-Length, chunked transfer coding or connection close. No I/O, no allocation once warm.

#include "protocol/http_response.hpp"

#include <bit>
#include <cstring>

#include "protocol/http_text.hpp"

namespace gb::protocol {

namespace {

using http_text::ci_literal;
using http_text::find_lf;
using http_text::matches;
using http_text::tchar_run;

constexpr std::size_t k_max_chunk_line = 4096;  // chunk size + extensions
constexpr std::size_t k_max_crlf_line = 64;     // what may sit where a chunk's CRLF belongs

char lower(char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// The name lengths of the headers selected_header() keeps (bit n: length n). Only they are
// looked at further; most (Server, Date, ...) have a length none of them has and cost no
// comparison at all.
constexpr std::uint32_t k_known_lengths =
    (1u << 10) | (1u << 11) | (1u << 12) | (1u << 14) | (1u << 17);

constexpr ci_literal k_content_length{"content-length"};
constexpr ci_literal k_transfer_encoding{"transfer-encoding"};
constexpr ci_literal k_connection{"connection"};
constexpr ci_literal k_request_id{"request-id"};
constexpr ci_literal k_content_type{"content-type"};
constexpr ci_literal k_x_request_id{"x-request-id"};
constexpr ci_literal k_retry_after{"retry-after"};
constexpr ci_literal k_chunked{"chunked"};
constexpr ci_literal k_close{"close"};
constexpr ci_literal k_keep_alive{"keep-alive"};

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) {
      return false;
    }
  }
  return true;
}

std::string_view trim_ows(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

int hex_digit(char c) noexcept {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  const char l = lower(c);
  if (l >= 'a' && l <= 'f') {
    return l - 'a' + 10;
  }
  return -1;
}

// Calls fn(token) for each comma-separated element (trimmed, empty ones skipped).
template <class Fn>
void for_each_token(std::string_view list, Fn fn) {
  while (!list.empty()) {
    const std::size_t comma = list.find(',');
    const std::string_view tok = trim_ows(list.substr(0, comma));
    if (!tok.empty()) {
      fn(tok);
    }
    if (comma == std::string_view::npos) {
      break;
    }
    list.remove_prefix(comma + 1);
  }
}

// Parses a decimal Content-Length (a list of identical values is allowed); -1 when invalid.
std::int64_t parse_content_length(std::string_view v) noexcept {
  // The usual value: one number (1 to 18 digits, already trimmed).
  if (!v.empty() && v.size() <= 18) {
    std::int64_t n = 0;
    std::size_t i = 0;
    for (; i < v.size() && v[i] >= '0' && v[i] <= '9'; ++i) {
      n = n * 10 + (v[i] - '0');
    }
    if (i == v.size()) {
      return n;
    }
  }
  std::int64_t result = -1;
  bool bad = false;
  bool any = false;
  for_each_token(v, [&](std::string_view tok) {
    any = true;
    if (tok.size() > 18) {
      bad = true;
      return;
    }
    std::int64_t n = 0;
    for (const char c : tok) {
      if (c < '0' || c > '9') {
        bad = true;
        return;
      }
      n = n * 10 + (c - '0');
    }
    if (result >= 0 && result != n) {
      bad = true;
    }
    result = n;
  });
  return (bad || !any) ? -1 : result;
}

// clear() + append(): the cheapest copy into a string whose capacity is warm.
void keep(std::string& dst, std::string_view v) {
  dst.clear();
  dst.append(v);
}

constexpr unsigned k_token_close = 1;
constexpr unsigned k_token_keep_alive = 2;

// The tokens of a Connection value: k_token_close and/or k_token_keep_alive.
unsigned connection_tokens(std::string_view v) noexcept {
  if (matches(v, k_keep_alive)) {
    return k_token_keep_alive;  // the usual value
  }
  unsigned tokens = 0;
  for_each_token(v, [&](std::string_view tok) {
    if (matches(tok, k_close)) {
      tokens |= k_token_close;
    } else if (matches(tok, k_keep_alive)) {
      tokens |= k_token_keep_alive;
    }
  });
  return tokens;
}

// Whether the last transfer coding of a Transfer-Encoding value is chunked (1) or not (0); -1
// when the value lists none.
int last_coding_is_chunked(std::string_view v) noexcept {
  if (matches(v, k_chunked)) {
    return 1;  // the usual value
  }
  std::string_view last;
  for_each_token(v, [&](std::string_view tok) { last = tok; });
  if (last.empty()) {
    return -1;
  }
  return matches(last, k_chunked) ? 1 : 0;
}

}  // namespace

http_response_parser::http_response_parser(std::size_t max_header_bytes)
    : max_header_bytes_(max_header_bytes) {}

void http_response_parser::set_split_header(std::string_view name) {
  split_name_.clear();
  for (const char c : name) {
    split_name_.push_back(lower(c));
  }
}

http_parse_status http_response_parser::fail(const char* reason) noexcept {
  error_ = reason;
  state_ = state::failed;
  return http_parse_status::error;
}

http_response_parser::line_result http_response_parser::take_line(std::string_view in,
                                                                  std::size_t& pos,
                                                                  std::string_view& line,
                                                                  std::size_t limit) {
  if (line_used_) {
    line_.clear();
    line_used_ = false;
  }
  const std::size_t avail = in.size() - pos;
  const auto* nl = static_cast<const char*>(std::memchr(in.data() + pos, '\n', avail));
  if (nl == nullptr) {
    if (line_.size() + avail > limit) {
      return line_result::too_long;
    }
    line_.append(in.substr(pos));
    pos = in.size();
    return line_result::partial;
  }
  const std::size_t len = static_cast<std::size_t>(nl - (in.data() + pos));
  if (line_.size() + len + 1 > limit) {  // the limit counts the LF too
    return line_result::too_long;
  }
  if (line_.empty()) {
    line = in.substr(pos, len);
  } else {
    line_.append(in.substr(pos, len));
    line = line_;
    line_used_ = true;
  }
  pos += len + 1;
  if (!line.empty() && line.back() == '\r') {
    line.remove_suffix(1);
  }
  return line_result::complete;
}

// Whether p[0, 12) is "HTTP/1.x ddd" (x and d digits) with a status of at least 100.
[[gnu::always_inline]] inline bool http_response_parser::parse_status_prefix(
    const char* p) noexcept {
  // Digits as unsigned differences from '0': any other byte gives more than 9.
  const auto digit = [p](std::size_t i) noexcept {
    return static_cast<unsigned>(static_cast<unsigned char>(p[i])) - unsigned{'0'};
  };
  return std::memcmp(p, "HTTP/1.", 7) == 0 && digit(7) <= 9 && p[8] == ' ' && digit(9) <= 9 &&
         digit(9) != 0 && digit(10) <= 9 && digit(11) <= 9;  // (below 100: a first digit 0)
}

// Takes the version and status of a line that passed parse_status_prefix().
[[gnu::always_inline]] inline void http_response_parser::set_status(const char* p) noexcept {
  head_.status = (p[9] - '0') * 100 + (p[10] - '0') * 10 + (p[11] - '0');
  head_.version_minor = p[7] - '0';
}

bool http_response_parser::parse_status_line(std::string_view line) noexcept {
  // HTTP/1.x SP 3DIGIT [SP reason]
  if (line.size() < 12 || !parse_status_prefix(line.data()) ||
      (line.size() > 12 && line[12] != ' ')) {
    return false;
  }
  set_status(line.data());
  return true;
}

// Inline in both callers (parse_head() on every response; no call, no spill per header).
[[gnu::always_inline]] inline const char* http_response_parser::selected_header(
    std::string_view line, std::size_t colon) {
  const char* const p = line.data();
  // The value without the optional whitespace around it, once the header is known to be kept.
  const char* b = p + colon + 1;
  const char* e = p + line.size();
  const auto value = [&b, &e]() noexcept {
    while (b < e && (*b == ' ' || *b == '\t')) {
      ++b;
    }
    while (e > b && (e[-1] == ' ' || e[-1] == '\t')) {
      --e;
    }
    return std::string_view(b, static_cast<std::size_t>(e - b));
  };
  switch (colon) {
    case 14:  // content-length
      if (matches(p, colon, k_content_length)) {
        const std::string_view v = value();
        // The usual value inline: 1 to 18 digits.
        std::int64_t cl = 0;
        std::size_t i = 0;
        if (v.size() - 1 < 18) {
          for (; i < v.size(); ++i) {
            const unsigned d = static_cast<unsigned char>(v[i]) - unsigned{'0'};
            if (d > 9) {
              break;
            }
            cl = cl * 10 + static_cast<std::int64_t>(d);
          }
        }
        if (i != v.size() || i == 0) {
          cl = parse_content_length(v);
        }
        if (cl < 0 || (head_.content_length >= 0 && head_.content_length != cl)) {
          return "bad_content_length";
        }
        head_.content_length = cl;
      }
      break;
    case 17:  // transfer-encoding
      if (matches(p, colon, k_transfer_encoding)) {
        te_seen_ = true;
        if (const int chunked = last_coding_is_chunked(value()); chunked >= 0) {
          head_.chunked = chunked != 0;
        }
      }
      break;
    case 10:  // connection, request-id
      if (matches(p, colon, k_connection)) {
        const std::string_view v = value();
        const unsigned tokens =
            matches(v, k_keep_alive) ? k_token_keep_alive : connection_tokens(v);  // usual first
        head_.connection_close = head_.connection_close || (tokens & k_token_close) != 0;
        keep_alive_token_ = keep_alive_token_ || (tokens & k_token_keep_alive) != 0;
      } else if (matches(p, colon, k_request_id)) {
        keep(head_.request_id, value());
      }
      break;
    case 12:  // content-type, x-request-id
      if (matches(p, colon, k_content_type)) {
        keep(head_.content_type, value());
      } else if (matches(p, colon, k_x_request_id)) {
        keep(head_.request_id, value());
      }
      break;
    case 11:  // retry-after
      if (matches(p, colon, k_retry_after)) {
        keep(head_.retry_after, value());
      }
      break;
    default:
      break;
  }
  if (colon == split_name_.size() && iequals(line.substr(0, colon), split_name_)) {
    keep(head_.split_value, value());
  }
  return nullptr;
}

const char* http_response_parser::parse_header(std::string_view line) {
  // One pass over the name: it runs up to the first byte that is not a tchar, which must be the
  // colon (so the name is the part before the first colon, and all tchars).
  const std::size_t colon = tchar_run(line.data());
  if (colon == 0 || colon >= line.size() || line[colon] != ':') {
    return "bad_header";
  }
  if ((colon < 32 && ((k_known_lengths >> colon) & 1u) != 0) ||
      (!split_name_.empty() && colon == split_name_.size())) {
    return selected_header(line, colon);
  }
  return nullptr;
}

// Inline in parse_step() (its only caller): one call per response instead of two.
[[gnu::always_inline]] inline std::size_t http_response_parser::parse_head(std::string_view in,
                                                                           std::size_t pos) {
  const char* const begin = in.data() + pos;
  const std::size_t avail = in.size() - pos;
  const std::size_t room =
      max_header_bytes_ > header_bytes_ ? max_header_bytes_ - header_bytes_ : 0;
  // Every line taken here ends (its LF) before `end`: a line past it is too large, and left to
  // the general path to report.
  const char* const end = begin + (avail < room ? avail : room);
  const char* p = begin;
  const char* reason = nullptr;
  if (state_ == state::status_line) {
    // "HTTP/1.x ddd" has no LF: the line's LF is looked for after it.
    if (end - p < 12 || !parse_status_prefix(p)) {
      return pos;  // short, an empty line before it, or malformed: the general path
    }
    const char* const nl = find_lf(p + 12, end);
    if (nl == nullptr) {
      return pos;
    }
    const auto len = static_cast<std::size_t>(nl - p);
    const std::size_t n = nl[-1] == '\r' ? len - 1 : len;
    if (n > 12 && p[12] != ' ') {
      return pos;  // malformed: the general path reports it
    }
    set_status(p);
    p = nl + 1;
    state_ = state::headers;
  }
  while (true) {
    // The name runs up to the first byte that is not a tchar, which must be the colon (so the
    // name is the part before the first colon, and all tchars).
    std::size_t colon = 0;
#if defined(__SSE2__)
    if (end - p >= 16) {
      // 16 bytes per step while they are letters, digits and '-' (the bytes of nearly every
      // name); any other byte ends the name and must be its colon.
      const char* q = p;
      unsigned other =
          http_text::non_name_bytes(_mm_loadu_si128(reinterpret_cast<const __m128i*>(q)));
      while (other == 0 && end - q >= 32) {
        q += 16;
        other = http_text::non_name_bytes(_mm_loadu_si128(reinterpret_cast<const __m128i*>(q)));
      }
      if (other != 0) {
        colon = static_cast<std::size_t>(q - p) + static_cast<std::size_t>(std::countr_zero(other));
        if (p[colon] != ':') {
          colon = 0;  // a rarer tchar, or a malformed line: byte by byte below
        }
      }
    }
#endif
    const char* nl = nullptr;
    if (colon != 0) {
      nl = find_lf(p + colon + 1, end);
      if (nl == nullptr) {
        break;  // split across reads (or too large)
      }
    } else {
      // Byte by byte: the end of the block, short input, rare tchars, malformed lines.
      if (p == end) {
        break;
      }
      const char c = *p;
      if (c == '\r' || c == '\n' || c == ' ' || c == '\t') {
        // The empty line ending the block of a final response; anything else (an interim
        // response's end, obs-fold, a malformed line, a CR whose LF has not arrived) is left to
        // the general path.
        const char* const lf = c == '\r' ? p + 1 : p;
        if (c == ' ' || c == '\t' || head_.status < 200 || lf >= end || *lf != '\n') {
          break;
        }
        p = lf + 1;
        header_bytes_ += static_cast<std::size_t>(p - begin);
        start_body();
        return static_cast<std::size_t>(p - in.data());
      }
      nl = find_lf(p, end);
      if (nl == nullptr) {
        break;  // split across reads (or too large)
      }
      // The byte after the line (its CR or LF) is not a tchar, so the run stops within it.
      colon = tchar_run(p);
      // len >= 1: the line does not start with its LF (checked above).
      const auto len = static_cast<std::size_t>(nl - p);
      if (colon == 0 || colon >= (nl[-1] == '\r' ? len - 1 : len) || p[colon] != ':') {
        reason = "bad_header";
        p = nl + 1;
        break;
      }
    }
    if ((colon < 32 && ((k_known_lengths >> colon) & 1u) != 0) || colon == split_name_.size()) {
      const auto len = static_cast<std::size_t>(nl - p);  // >= 2: the name and the colon
      reason = selected_header(std::string_view(p, nl[-1] == '\r' ? len - 1 : len), colon);
      if (reason != nullptr) {
        p = nl + 1;
        break;
      }
    }
    p = nl + 1;
  }
  header_bytes_ += static_cast<std::size_t>(p - begin);
  if (reason != nullptr) {
    fail(reason);
  }
  return static_cast<std::size_t>(p - in.data());
}

[[gnu::always_inline]] inline void http_response_parser::start_body() noexcept {
  if (head_.version_minor == 0 && !keep_alive_token_) {
    head_.connection_close = true;
  }
  if ((head_.status >= 100 && head_.status < 200) || head_.status == 204 || head_.status == 304) {
    remaining_ = 0;
    state_ = state::body_length;  // no body
  } else if (te_seen_) {
    if (head_.content_length >= 0) {
      force_close_ = true;  // both framings: chunked wins, the connection is not reused
    }
    if (head_.chunked) {
      state_ = state::body_chunk_size;
    } else {
      force_close_ = true;
      state_ = state::body_eof;
    }
  } else if (head_.content_length >= 0) {
    remaining_ = head_.content_length;
    state_ = state::body_length;
  } else {
    force_close_ = true;
    state_ = state::body_eof;
  }
}

http_parse_status http_response_parser::parse_step(std::string_view in, std::size_t& consumed,
                                                   std::string_view& out_body) {
  std::size_t pos = 0;
  out_body = {};
  consumed = 0;
  if (!in.empty()) {
    any_bytes_ = true;
  }
  while (true) {
    switch (state_) {
      case state::status_line:
      case state::headers:
      case state::trailers: {
        if (line_used_) {
          line_.clear();
          line_used_ = false;
        }
        if (state_ != state::trailers && line_.empty()) {
          // The usual case: every line in `in`, parsed in place, up to the end of the head.
          pos = parse_head(in, pos);
          if (state_ != state::status_line && state_ != state::headers) {
            consumed = pos;
            return state_ == state::failed ? http_parse_status::error
                                           : http_parse_status::headers_complete;
          }
        }
        // line_ (a partial line) is already counted in header_bytes_.
        const std::size_t room =
            (max_header_bytes_ > header_bytes_ ? max_header_bytes_ - header_bytes_ : 0) +
            line_.size();
        std::string_view line;
        const char* const start = in.data() + pos;
        const auto* nl = line_.empty() ? find_lf(start, in.data() + in.size()) : nullptr;
        if (nl != nullptr) {
          // The usual case: the whole line is in `in`; no copy, no carry.
          const auto len = static_cast<std::size_t>(nl - start);
          if (len + 1 > room) {  // the limit counts the LF too
            consumed = pos;
            return fail(state_ == state::trailers ? "trailers_too_large" : "headers_too_large");
          }
          header_bytes_ += len + 1;
          pos += len + 1;
          line = std::string_view(start, (len > 0 && start[len - 1] == '\r') ? len - 1 : len);
        } else {
          // A line split across reads: carried in line_.
          const std::size_t before = pos;
          const line_result r = take_line(in, pos, line, room);
          if (r == line_result::too_long) {
            consumed = pos;
            return fail(state_ == state::trailers ? "trailers_too_large" : "headers_too_large");
          }
          header_bytes_ += pos - before;
          if (r == line_result::partial) {
            consumed = pos;
            return http_parse_status::need_more;
          }
        }
        if (state_ == state::headers && !line.empty()) {
          if (line.front() == ' ' || line.front() == '\t') {
            continue;  // obsolete line folding: the continuation is ignored
          }
          if (const char* reason = parse_header(line); reason != nullptr) {
            consumed = pos;
            return fail(reason);
          }
          continue;
        }
        if (state_ == state::trailers) {
          if (line.empty()) {
            state_ = state::done;
            consumed = pos;
            return http_parse_status::message_complete;
          }
          continue;  // trailer fields are ignored
        }
        if (state_ == state::status_line) {
          if (line.empty()) {
            continue;  // tolerate empty lines before the status line
          }
          if (!parse_status_line(line)) {
            consumed = pos;
            return fail("bad_status_line");
          }
          state_ = state::headers;
          continue;
        }
        // End of the header block.
        if (head_.status == 101) {
          consumed = pos;
          return fail("unexpected_upgrade");
        }
        if (head_.status < 200) {
          // Interim response (100 Continue, 103 Early Hints): skip it, keep the size budget.
          const std::size_t budget = header_bytes_;
          const bool any = any_bytes_;
          reset();
          header_bytes_ = budget;
          any_bytes_ = any;
          continue;
        }
        start_body();
        consumed = pos;
        return http_parse_status::headers_complete;
      }
      case state::body_length: {
        // (parse() takes this state inline: not reached in practice)
        const http_parse_status st = body_length_step(in.substr(pos), consumed, out_body);
        consumed += pos;
        return st;
      }
      case state::body_chunk_size: {
        std::string_view line;
        const line_result r = take_line(in, pos, line, k_max_chunk_line);
        if (r == line_result::too_long) {
          consumed = pos;
          return fail("bad_chunk_size");
        }
        if (r == line_result::partial) {
          consumed = pos;
          return http_parse_status::need_more;
        }
        std::int64_t size = 0;
        std::size_t i = 0;
        for (; i < line.size() && hex_digit(line[i]) >= 0; ++i) {
          if (size > (INT64_MAX >> 4)) {
            consumed = pos;
            return fail("bad_chunk_size");  // overflow
          }
          size = (size << 4) | hex_digit(line[i]);
        }
        const std::string_view rest = trim_ows(line.substr(i));
        if (i == 0 || (!rest.empty() && rest.front() != ';')) {
          consumed = pos;
          return fail("bad_chunk_size");
        }
        if (size == 0) {
          state_ = state::trailers;
        } else {
          remaining_ = size;
          state_ = state::body_chunk_data;
        }
        continue;
      }
      case state::body_chunk_data: {
        const std::size_t avail = in.size() - pos;
        if (avail == 0) {
          consumed = pos;
          return http_parse_status::need_more;
        }
        const std::size_t take = static_cast<std::uint64_t>(remaining_) < avail
                                     ? static_cast<std::size_t>(remaining_)
                                     : avail;
        out_body = in.substr(pos, take);
        pos += take;
        remaining_ -= static_cast<std::int64_t>(take);
        if (remaining_ == 0) {
          state_ = state::body_chunk_crlf;
        }
        consumed = pos;
        return http_parse_status::body_data;
      }
      case state::body_chunk_crlf: {
        std::string_view line;
        const line_result r = take_line(in, pos, line, k_max_crlf_line);
        if (r == line_result::partial) {
          consumed = pos;
          return http_parse_status::need_more;
        }
        if (r == line_result::too_long || !line.empty()) {
          consumed = pos;
          return fail("bad_chunk_terminator");
        }
        state_ = state::body_chunk_size;
        continue;
      }
      case state::body_eof: {
        const std::size_t avail = in.size() - pos;
        consumed = in.size();
        if (avail == 0) {
          return http_parse_status::need_more;
        }
        out_body = in.substr(pos);
        return http_parse_status::body_data;
      }
      case state::done:
        consumed = pos;
        if (pos == in.size()) {
          return http_parse_status::need_more;
        }
        return fail("data_after_response");
      case state::failed:
        consumed = pos;
        return http_parse_status::error;
    }
  }
}

http_parse_status http_response_parser::on_eof() {
  switch (state_) {
    case state::status_line:
      if (!any_bytes_) {
        return fail("closed_before_response");
      }
      return fail("truncated_headers");
    case state::headers:
      return fail("truncated_headers");
    case state::body_length:
      if (remaining_ == 0) {
        state_ = state::done;
        return http_parse_status::message_complete;
      }
      return fail("truncated_body");
    case state::body_eof:
      state_ = state::done;
      return http_parse_status::message_complete;
    case state::done:
      return http_parse_status::message_complete;
    case state::failed:
      return http_parse_status::error;
    default:
      return fail("truncated_body");
  }
}

void http_response_parser::reset() noexcept {
  head_.status = 0;
  head_.version_minor = 1;
  head_.content_type.clear();
  head_.content_length = -1;
  head_.chunked = false;
  head_.connection_close = false;
  head_.retry_after.clear();
  head_.request_id.clear();
  head_.split_value.clear();
  line_.clear();
  line_used_ = false;
  te_seen_ = false;
  keep_alive_token_ = false;
  force_close_ = false;
  any_bytes_ = false;
  header_bytes_ = 0;
  remaining_ = 0;
  state_ = state::status_line;
  error_ = "";
}

}  // namespace gb::protocol
