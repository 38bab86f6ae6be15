// Request bodies written directly as JSON text (no DOM): building one costs little more than
// copying the prompt.

#include "protocol/request_builder.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstring>

#include "protocol/json_bytes.hpp"
#include "util/utf8.hpp"

namespace gb::protocol {

namespace {

constexpr std::string_view k_replacement = "\xEF\xBF\xBD";  // U+FFFD

// Appends to a string through a raw pointer into room made ahead. std::string::append is an
// out-of-line call for every piece (libstdc++ instantiates it in its shared library), which
// cost more than the copying itself in a body of a dozen short pieces around one prompt.
class writer {
 public:
  explicit writer(std::string& out) noexcept : out_(out), len_(out.size()) {}
  /// Replaces what `out` holds, its bytes serving as room first; when they do not suffice, room
  /// is made for at least `expected` bytes in all.
  writer(std::string& out, std::size_t expected) noexcept
      : out_(out), len_(0), replace_(true), expected_(expected) {}
  writer(const writer&) = delete;
  writer& operator=(const writer&) = delete;
  /// Cuts the string to what was written.
  ~writer() { out_.resize(len_); }

  [[gnu::always_inline]] void put(std::string_view s) {
    if (s.empty()) {
      return;  // an empty view may have no data pointer, which memcpy must not see
    }
    room(s.size());
    std::memcpy(out_.data() + len_, s.data(), s.size());
    len_ += s.size();
  }
  [[gnu::always_inline]] void put(char c) {
    room(1);
    out_[len_++] = c;
  }
  void put_int(std::int64_t v) {
    room(24);
    const auto res = std::to_chars(out_.data() + len_, out_.data() + len_ + 24, v);
    len_ = static_cast<std::size_t>(res.ptr - out_.data());
  }
  /// A token count: written, or a hole of a template whose counts vary.
  void put_count(std::int64_t v, body_template::hole h) {
    if (counts_vary_) {
      mark(h);
    } else {
      put_int(v);
    }
  }
  void put_escaped(std::string_view s);
  /// Copies `s` as it is when the caller knows it is plain, else escaped.
  void put_text(std::string_view s, bool plain) {
    if (plain) {
      put(s);
    } else {
      put_escaped(s);
    }
  }

  /// Template mode (body_template): the content of `text_message` and, when `counts_vary`, the
  /// token counts are recorded in `holes` instead of written.
  void make_template(const chat_message* text_message, bool counts_vary,
                     std::vector<body_template::hole_at>* holes) noexcept {
    text_message_ = text_message;
    counts_vary_ = counts_vary;
    holes_ = holes;
  }
  bool is_hole(const chat_message& m) const noexcept { return &m == text_message_; }
  void mark(body_template::hole h) { holes_->push_back({static_cast<std::uint32_t>(len_), h}); }

  /// Makes room for `n` more bytes at once (one resize instead of a few as the body grows).
  [[gnu::always_inline]] void room(std::size_t n) {
    if (out_.size() - len_ < n) {
      grow(n);
    }
  }

 private:
  // Room grows with what is written (resize() zero-fills the new part), never to the whole
  // capacity: a body buffer that once held a long prompt would otherwise be zero-filled in full
  // for every short request after it.
  // Replacing, it grows only as far as this body needs (about the expected size): a buffer
  // reused for bodies of about one size is zero-filled only where a body outgrows the last one.
  [[gnu::noinline]] void grow(std::size_t n) {
    out_.resize(std::max(replace_ ? expected_ : 2 * out_.size(), len_ + n + 256));
  }

  std::string& out_;
  std::size_t len_;                             // bytes written; out_.size() beyond it is room
  bool replace_ = false;                        // rebuild_body: `out` held another body
  std::size_t expected_ = 0;                    // rebuild_body: the body's expected size
  const chat_message* text_message_ = nullptr;  // template mode: the message whose text varies
  bool counts_vary_ = false;                    // template mode: token counts are holes
  std::vector<body_template::hole_at>* holes_ = nullptr;
};

// A message's content (and its continuation), escaped unless the caller marked it plain.
void put_content(const chat_message& m, writer& w) {
  if (w.is_hole(m)) {
    w.mark(body_template::hole::text);
    return;
  }
  w.put_text(m.content, m.plain);
  w.put_text(m.more, m.plain);
}

void put_joined_contents(const request_spec& spec, writer& w) {
  w.put('"');
  bool first = true;
  for (const chat_message& m : spec.messages) {
    if (!first) {
      w.put("\\n");  // the separator, escaped
    }
    first = false;
    put_content(m, w);
  }
  w.put('"');
}

void put_messages(const request_spec& spec, bool skip_system, writer& w) {
  w.put('[');
  bool first = true;
  for (const chat_message& m : spec.messages) {
    if (skip_system && m.role == "system") {
      continue;
    }
    if (!first) {
      w.put(',');
    }
    first = false;
    w.put("{\"role\":\"");
    w.put_text(m.role, m.plain);
    w.put("\",\"content\":\"");
    put_content(m, w);
    w.put("\"}");
  }
  w.put(']');
}

void put_openai_options(const request_spec& spec, writer& w) {
  w.put(",\"stream\":");
  w.put(spec.stream ? "true" : "false");
  if (spec.stream && spec.include_usage) {
    w.put(",\"stream_options\":{\"include_usage\":true}");
  }
  if (spec.max_tokens >= 0) {
    w.put(",\"max_tokens\":");
    w.put_count(spec.max_tokens, body_template::hole::max_tokens);
  }
  if (spec.ignore_eos) {
    w.put(",\"ignore_eos\":true");
  }
  if (spec.min_tokens >= 0) {
    w.put(",\"min_tokens\":");
    w.put_count(spec.min_tokens, body_template::hole::min_tokens);
  }
}

void writer::put_escaped(std::string_view s) {
  static constexpr char k_hex[] = "0123456789abcdef";
  std::size_t run = 0;  // start of the pending run of bytes copied verbatim
  std::size_t i = 0;
  const std::size_t n = s.size();
  const char* const p = s.data();
  while (i < n) {
    i = detail::skip_json_plain(s, i);
    if (i >= n) {
      break;
    }
    const auto c = static_cast<unsigned char>(p[i]);
    if (c >= 0x80) {
      const utf8_step st = utf8_sequence_at(s, i);
      if (st.valid) {
        i += st.length;
        continue;
      }
      put(s.substr(run, i - run));
      put(k_replacement);
      i += st.length;
      run = i;
      continue;
    }
    put(s.substr(run, i - run));
    switch (c) {
      case '"':
        put("\\\"");
        break;
      case '\\':
        put("\\\\");
        break;
      case '\n':
        put("\\n");
        break;
      case '\r':
        put("\\r");
        break;
      case '\t':
        put("\\t");
        break;
      case '\b':
        put("\\b");
        break;
      case '\f':
        put("\\f");
        break;
      default: {
        const char esc[6] = {'\\', 'u', '0', '0', k_hex[c >> 4], k_hex[c & 0xF]};
        put(std::string_view(esc, sizeof esc));
        break;
      }
    }
    ++i;
    run = i;
  }
  put(s.substr(run, n - run));
}

}  // namespace

void append_json_escaped(std::string_view s, std::string& out) {
  writer w(out);
  w.put_escaped(s);
}

bool json_plain(std::string_view s) noexcept {
  return detail::skip_json_plain(s, 0) == s.size();
}

namespace {

void put_body(dialect d, const request_spec& spec, writer& w) {
  w.put("{\"model\":\"");
  w.put_text(spec.model, spec.model_plain);
  w.put('"');
  switch (d) {
    case dialect::openai_chat:
      w.put(",\"messages\":");
      put_messages(spec, false, w);
      put_openai_options(spec, w);
      break;
    case dialect::openai_completions:
      w.put(",\"prompt\":");
      put_joined_contents(spec, w);
      put_openai_options(spec, w);
      break;
    case dialect::openai_embeddings:
      w.put(",\"input\":");
      put_joined_contents(spec, w);
      break;
    case dialect::anthropic_messages: {
      w.put(",\"max_tokens\":");
      if (spec.max_tokens >= 0) {
        w.put_count(spec.max_tokens, body_template::hole::max_tokens);
      } else {
        w.put_int(1024);
      }
      bool has_system = false;
      for (const chat_message& m : spec.messages) {
        if (m.role != "system") {
          continue;
        }
        if (!has_system) {
          w.put(",\"system\":");
          w.put('"');
        } else {
          w.put("\\n");  // the separator, escaped
        }
        has_system = true;
        put_content(m, w);
      }
      if (has_system) {
        w.put('"');
      }
      w.put(",\"messages\":");
      put_messages(spec, true, w);
      w.put(",\"stream\":");
      w.put(spec.stream ? "true" : "false");
      break;
    }
  }
  w.put('}');
}

// Decimal digits of `v` into `buf` (24 bytes): their count.
std::size_t format_count(std::int64_t v, char* buf) noexcept {
  if (v < 0) {
    return static_cast<std::size_t>(std::to_chars(buf, buf + 24, v).ptr - buf);
  }
  return static_cast<std::size_t>(write_decimal(buf, static_cast<std::uint64_t>(v)) - buf);
}

void copy(char*& p, const char* s, std::size_t n) noexcept {
  if (n > 0) {
    std::memcpy(p, s, n);
    p += n;
  }
}

}  // namespace

namespace {

// The size of the body: the texts plus the JSON around them (escaping may need more, which the
// writer then adds).
std::size_t expected_size(const request_spec& spec) noexcept {
  std::size_t expected = 192 + spec.model.size();
  for (const chat_message& m : spec.messages) {
    expected += 32 + m.role.size() + m.content.size() + m.more.size();
  }
  return expected;
}

}  // namespace

void build_body(dialect d, const request_spec& spec, std::string& out) {
  writer w(out);
  w.room(expected_size(spec));  // room for the whole body at once
  put_body(d, spec, w);
}

void rebuild_body(dialect d, const request_spec& spec, std::string& out) {
  const std::size_t expected = expected_size(spec);
  out.reserve(expected);  // capacity only: nothing zero-filled
  writer w(out, expected);
  put_body(d, spec, w);
}

body_template::body_template(dialect d, const request_spec& spec, std::size_t text_message,
                             bool counts_vary) {
  writer w(fixed_);
  w.make_template(text_message < spec.messages.size() ? &spec.messages[text_message] : nullptr,
                  counts_vary, &holes_);
  put_body(d, spec, w);
}

void body_template::fill(std::string_view text, std::string_view more, std::int64_t max_tokens,
                         std::int64_t min_tokens, std::string& out) const {
  if (holes_.size() == 1 && holes_[0].what == hole::text) {  // the common case: fixed counts
    const std::size_t at = holes_[0].at;
    out.resize(fixed_.size() + text.size() + more.size());
    char* p = out.data();
    std::memcpy(p, fixed_.data(), at);  // never empty: the body starts with {"model"
    p += at;
    copy(p, text.data(), text.size());
    copy(p, more.data(), more.size());
    std::memcpy(p, fixed_.data() + at, fixed_.size() - at);  // never empty: ends with '}'
    return;
  }
  char max_digits[24];
  char min_digits[24];
  std::size_t max_len = 0;
  std::size_t min_len = 0;
  std::size_t total = fixed_.size();
  for (const hole_at& h : holes_) {
    switch (h.what) {
      case hole::text:
        total += text.size() + more.size();
        break;
      case hole::max_tokens:
        max_len = format_count(max_tokens, max_digits);
        total += max_len;
        break;
      case hole::min_tokens:
        min_len = format_count(min_tokens, min_digits);
        total += min_len;
        break;
    }
  }
  out.resize(total);
  char* p = out.data();
  std::size_t from = 0;
  for (const hole_at& h : holes_) {
    copy(p, fixed_.data() + from, h.at - from);
    from = h.at;
    switch (h.what) {
      case hole::text:
        copy(p, text.data(), text.size());
        copy(p, more.data(), more.size());
        break;
      case hole::max_tokens:
        copy(p, max_digits, max_len);
        break;
      case hole::min_tokens:
        copy(p, min_digits, min_len);
        break;
    }
  }
  copy(p, fixed_.data() + from, fixed_.size() - from);
}

}  // namespace gb::protocol
