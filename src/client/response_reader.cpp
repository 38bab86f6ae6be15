#include "client/response_reader.hpp"

namespace gb::client {

namespace {

constexpr std::uint64_t fnv_offset = 14695981039346656037ull;
constexpr std::uint64_t fnv_prime = 1099511628211ull;

std::uint64_t fnv1a(std::uint64_t h, std::string_view s) noexcept {
  for (unsigned char c : s) {
    h = (h ^ c) * fnv_prime;
  }
  return h;
}

bool is_event_stream(std::string_view content_type) {
  constexpr std::string_view want = "text/event-stream";
  if (content_type.size() < want.size()) {
    return false;
  }
  for (std::size_t i = 0; i < want.size(); ++i) {
    const char c = content_type[i];
    if ((c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c) != want[i]) {
      return false;
    }
  }
  return true;
}

}  // namespace

response_reader::response_reader() = default;
response_reader::~response_reader() = default;

void response_reader::set_split_header(std::string_view name) {
  http_.set_split_header(name);
}

void response_reader::begin(protocol::dialect d, metrics::request_record& rec) {
  http_.reset();
  // The SSE reader and the stream decoder are reset when a stream starts (on_headers): a
  // whole-body response does not touch them.
  dialect_ = d;
  rec_ = &rec;
  body_.clear();
  body_view_ = {};
  text_.clear();
  end_ns_ = 0;
  finished_ = false;
  got_bytes_ = false;
  got_headers_ = false;
  streaming_ = false;
  seen_end_ = false;
  reusable_ = false;
}

// on_headers() and on_body() are inline in feed(), their only caller.
[[gnu::always_inline]] inline void response_reader::on_headers() {
  got_headers_ = true;
  const auto& h = http_.head();
  streaming_ = h.status >= 200 && h.status < 300 && is_event_stream(h.content_type);
  rec_->streamed = streaming_;
  if (streaming_) {
    sse_.reset();
    const auto i = static_cast<std::size_t>(dialect_);
    if (!decoders_[i]) {
      decoders_[i] = protocol::make_stream_decoder(dialect_);
    }
    decoder_ = decoders_[i].get();
    decoder_->reset();
  }
}

[[gnu::always_inline]] inline void response_reader::on_body(std::string_view piece,
                                                            std::int64_t ts) {
  if (piece.empty()) {
    return;
  }
  if (streaming_) {
    on_stream_bytes(piece, ts);
    return;
  }
  if (body_.size() + body_view_.size() + piece.size() > max_body_bytes) {
    finish(metrics::outcome::protocol_error, "body_too_large", ts);
    return;
  }
  if (body_.empty() && body_view_.empty()) {
    body_view_ = piece;  // a body whole in one read is decoded where it lies (no copy)
    return;
  }
  own_body();
  body_.append(piece);
}

bool response_reader::feed(std::string_view bytes, std::int64_t ts) {
  if (finished_) {
    return true;
  }
  if (!got_bytes_ && !bytes.empty()) {
    got_bytes_ = true;
    rec_->first_byte_ns = ts;
  }
  std::size_t used = 0;
  while (!finished_) {
    std::size_t n = 0;
    std::string_view piece;
    const protocol::http_parse_status st = http_.parse(bytes.substr(used), n, piece);
    used += n;
    switch (st) {
      case protocol::http_parse_status::need_more:
        own_body();  // `bytes` goes away: keep the body's start
        return false;
      case protocol::http_parse_status::headers_complete:
        on_headers();
        break;
      case protocol::http_parse_status::body_data:
        on_body(piece, ts);
        break;
      case protocol::http_parse_status::message_complete:
        complete(ts);
        // Bytes past the response mean the peer is out of step with us: do not reuse.
        reusable_ = reusable_ && used == bytes.size();
        return true;
      case protocol::http_parse_status::error:
        finish(metrics::outcome::protocol_error, http_.error_reason(), ts);
        return true;
    }
  }
  return true;
}

void response_reader::own_body() {
  if (!body_view_.empty()) {
    body_.assign(body_view_);
    body_view_ = {};
  }
}

void response_reader::on_stream_bytes(std::string_view piece, std::int64_t ts) {
  sse_.feed_view(piece);  // piece stays valid until next() says need_more (below)
  protocol::sse_event ev;
  while (!finished_) {
    const protocol::sse_status st = sse_.next(ev);
    if (st == protocol::sse_status::need_more) {
      return;
    }
    if (st == protocol::sse_status::too_large) {
      finish(metrics::outcome::protocol_error, "sse_event_too_large", ts);
      return;
    }
    const protocol::stream_update u = decoder_->decode(ev);
    if (u.output_tokens >= 0) {
      rec_->usage_output_tokens = u.output_tokens;
    }
    if (u.input_tokens >= 0) {
      rec_->usage_input_tokens = u.input_tokens;
    }
    switch (u.kind) {
      case protocol::event_kind::content:
        if (!seen_end_) {
          on_content(u.text, ts);
        }
        break;
      case protocol::event_kind::end:
        if (!seen_end_) {
          seen_end_ = true;
          end_ns_ = ts;
        }
        break;
      case protocol::event_kind::error:
        rec_->reason_storage.assign(u.error_type.empty() ? std::string_view("error_event")
                                                         : u.error_type);
        finish(metrics::outcome::stream_error, rec_->reason_storage, ts);
        return;
      case protocol::event_kind::malformed:
        finish(metrics::outcome::protocol_error, "invalid_event", ts);
        return;
      case protocol::event_kind::ignored:
      case protocol::event_kind::preamble:
      case protocol::event_kind::usage:
        break;
    }
  }
}

void response_reader::on_content(std::string_view text, std::int64_t ts) {
  auto& r = *rec_;
  if (r.content_events == 0) {
    r.first_content_ns = ts;
    r.content_hash = fnv_offset;
  } else {
    r.itl_gaps.push_back(ts - r.last_content_ns);
  }
  r.last_content_ns = ts;
  ++r.content_events;
  r.counted_output_tokens = r.content_events;
  r.content_hash = fnv1a(r.content_hash, text);
  if (capture_text_) {
    text_.append(text);
  }
}

void response_reader::complete(std::int64_t ts) {
  reusable_ = http_.keep_alive();
  const auto& h = http_.head();
  if (h.status < 200 || h.status >= 300) {
    rec_->fate.http_status = h.status;
    finish(metrics::outcome::http_status, {}, ts);
    return;
  }
  if (streaming_) {
    if (!seen_end_) {
      finish(metrics::outcome::protocol_error, "truncated_stream", ts);
      return;
    }
    finish(metrics::outcome::ok, {}, end_ns_);
    return;
  }
  const protocol::body_summary b =
      protocol::decode_body(dialect_, body_view_.empty() ? std::string_view(body_) : body_view_);
  body_view_ = {};  // it views the caller's bytes: not to be used after this feed
  if (b.is_error) {
    rec_->reason_storage.assign(b.error_type.empty() ? std::string("error_body") : b.error_type);
    finish(metrics::outcome::stream_error, rec_->reason_storage, ts);
    return;
  }
  if (!b.valid) {
    finish(metrics::outcome::protocol_error, "invalid_json", ts);
    return;
  }
  rec_->usage_output_tokens = b.output_tokens;
  rec_->usage_input_tokens = b.input_tokens;
  rec_->counted_output_tokens = b.content_words;
  if (b.content_chars > 0) {
    rec_->first_content_ns = ts;
    rec_->last_content_ns = ts;
  }
  finish(metrics::outcome::ok, {}, ts);
}

void response_reader::on_eof(std::int64_t ts) {
  if (finished_) {
    return;
  }
  const protocol::http_parse_status st = http_.on_eof();
  if (st == protocol::http_parse_status::message_complete) {
    complete(ts);
    reusable_ = false;
    return;
  }
  if (!got_bytes_) {
    finish(metrics::outcome::protocol_error, "eof_before_response", ts);
  } else if (streaming_ && seen_end_) {
    // The end marker arrived; only the framing's tail is missing.
    finish(metrics::outcome::ok, {}, end_ns_);
  } else {
    finish(metrics::outcome::protocol_error, http_.error_reason(), ts);
  }
  reusable_ = false;
}

void response_reader::fail(const metrics::request_fate& f, std::int64_t at_ns) {
  if (finished_) {
    return;
  }
  rec_->fate = f;
  rec_->done_ns = at_ns;
  finished_ = true;
  reusable_ = false;
}

void response_reader::finish(metrics::outcome kind, std::string_view reason, std::int64_t ts) {
  rec_->fate.kind = kind;
  rec_->fate.reason = reason;
  rec_->done_ns = ts;
  finished_ = true;
}

}  // namespace gb::client
