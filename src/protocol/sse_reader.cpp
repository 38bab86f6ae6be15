#include "protocol/sse_reader.hpp"

#include <cstring>

namespace gb::protocol {

namespace {

constexpr std::string_view k_bom = "\xEF\xBB\xBF";
// A line may exceed max_event_bytes by this much (its field name, "data: ").
constexpr std::size_t k_line_slack = 64;

}  // namespace

sse_reader::sse_reader(std::size_t max_event_bytes) : max_event_bytes_(max_event_bytes) {}

void sse_reader::stash_remainder() {
  // Unparsed bytes of the caller's buffer become our own (only an unfinished line, normally).
  if (!src_external_) {
    return;
  }
  const std::string_view rest = src_.substr(pos_);
  buf_.assign(rest.data(), rest.size());
  src_ = buf_;
  src_external_ = false;
  pos_ = 0;
}

void sse_reader::own_fields() {
  if (!event_owned_ && !event_v_.empty()) {
    event_.assign(event_v_.data(), event_v_.size());
    event_v_ = event_;
    event_owned_ = true;
  }
  if (!data_owned_ && !data_v_.empty()) {
    data_.assign(data_v_.data(), data_v_.size());
    data_v_ = data_;
    data_owned_ = true;
  }
}

sse_status sse_reader::need_more() {
  own_fields();
  stash_remainder();
  return sse_status::need_more;
}

void sse_reader::feed(std::string_view bytes) {
  if (!pending_clear_) {
    own_fields();  // nothing may point into bytes that move below
  }
  stash_remainder();
  if (pos_ != 0) {
    // Drop what was parsed; only a partial line (small) is moved. Views into buf_ were copied
    // at need_more, so nothing points into it.
    buf_.erase(0, pos_);
    pos_ = 0;
  }
  buf_.append(bytes);
  src_ = buf_;
}

void sse_reader::feed_view(std::string_view bytes) {
  if (src_external_ || pos_ < buf_.size()) {
    feed(bytes);  // unparsed bytes are buffered: keep the order
    return;
  }
  buf_.clear();
  src_ = bytes;
  src_external_ = true;
  pos_ = 0;
}

sse_status sse_reader::next(sse_event& out) {
  if (too_large_) {
    return sse_status::too_large;
  }
  if (pending_clear_) {
    // The previous call's views are no longer needed.
    pending_clear_ = false;
    event_.clear();
    data_.clear();
    event_v_ = {};
    data_v_ = {};
    event_owned_ = false;
    data_owned_ = false;
  }
  if (!started_) {
    const std::string_view head = src_.substr(pos_);
    if (head.size() < k_bom.size() && k_bom.substr(0, head.size()) == head) {
      return need_more();  // empty, or could still become a byte-order mark
    }
    if (head.substr(0, k_bom.size()) == k_bom) {
      pos_ += k_bom.size();
    }
    started_ = true;
  }
  const char* const base = src_.data();
  const std::size_t size = src_.size();
  while (pos_ < size) {
    if (last_was_cr_) {
      last_was_cr_ = false;
      if (base[pos_] == '\n') {
        ++pos_;
        continue;
      }
    }
    const char* start = base + pos_;
    const std::size_t avail = size - pos_;
    // Bytes [start, start + scanned_) are known to hold no line end (a long line arriving in
    // many reads is scanned once, not once per read).
    const char* from = start + scanned_;
    const auto* nl = static_cast<const char*>(std::memchr(from, '\n', avail - scanned_));
    const std::size_t scan = nl != nullptr ? static_cast<std::size_t>(nl - from) : avail - scanned_;
    const auto* cr = static_cast<const char*>(std::memchr(from, '\r', scan));
    std::size_t line_len = 0;
    std::size_t advance = 0;
    if (cr != nullptr) {
      line_len = static_cast<std::size_t>(cr - start);
      if (cr + 1 < base + size) {
        advance = line_len + (cr[1] == '\n' ? 2 : 1);
      } else {
        advance = line_len + 1;
        last_was_cr_ = true;  // a LF may follow in the next feed
      }
    } else if (nl != nullptr) {
      line_len = static_cast<std::size_t>(nl - start);
      advance = line_len + 1;
    } else {
      scanned_ = avail;
      // Incomplete line: wait for more, unless the line alone is already too long. (A complete
      // line longer than the limit fails too, below, so the outcome does not depend on where
      // the reads were split.)
      if (avail > max_event_bytes_ + k_line_slack) {
        too_large_ = true;
        return sse_status::too_large;
      }
      return need_more();
    }
    const std::string_view line(start, line_len);
    pos_ += advance;
    scanned_ = 0;
    if (line_len > max_event_bytes_ + k_line_slack) {
      too_large_ = true;
      return sse_status::too_large;
    }
    if (line.empty()) {
      if (has_data_) {
        has_data_ = false;
        out.event = event_v_;
        out.data = data_v_;
        pending_clear_ = true;  // cleared at the next call, after the caller used the views
        return sse_status::event;
      }
      event_.clear();
      event_v_ = {};
      event_owned_ = false;
      continue;
    }
    if (line.front() == ':') {
      continue;  // comment / keep-alive
    }
    const std::size_t colon = line.find(':');
    std::string_view field = line;
    std::string_view value;
    if (colon != std::string_view::npos) {
      field = line.substr(0, colon);
      value = line.substr(colon + 1);
      if (!value.empty() && value.front() == ' ') {
        value.remove_prefix(1);
      }
    }
    if (field == "data") {
      if (!has_data_) {
        data_v_ = value;  // a view while the event stays in one piece
        data_owned_ = false;
      } else {
        if (!data_owned_) {
          data_.assign(data_v_.data(), data_v_.size());
          data_owned_ = true;
        }
        data_.push_back('\n');
        data_.append(value);
        data_v_ = data_;
      }
      has_data_ = true;
    } else if (field == "event") {
      event_v_ = value;
      event_owned_ = false;
    }
    // "id", "retry" and unknown fields are ignored.
    if (data_v_.size() + event_v_.size() > max_event_bytes_) {
      too_large_ = true;
      return sse_status::too_large;
    }
  }
  return need_more();
}

std::size_t sse_reader::pending_bytes() const noexcept {
  std::size_t n = src_.size() - pos_;
  if (!pending_clear_) {
    n += data_v_.size() + event_v_.size() + (has_data_ && data_v_.empty() ? 1 : 0);
  }
  return n;
}

void sse_reader::reset() noexcept {
  buf_.clear();
  src_ = {};
  src_external_ = false;
  pos_ = 0;
  scanned_ = 0;
  event_.clear();
  data_.clear();
  event_v_ = {};
  data_v_ = {};
  event_owned_ = false;
  data_owned_ = false;
  has_data_ = false;
  last_was_cr_ = false;
  started_ = false;
  too_large_ = false;
  pending_clear_ = false;
}

}  // namespace gb::protocol
