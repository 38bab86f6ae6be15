// Anthropic messages streaming decoder (shared/design/wire-formats.md, "Anthropic"). Each event's
// data carries its "type" (equal to the SSE event name); the data's type wins when both exist.
// Runs once per token: no allocation once warm, one validating pass with json_scanner.

#include "protocol/decoders.hpp"
#include "protocol/json_scan.hpp"

namespace gb::protocol::detail {

namespace {

class anthropic_decoder final : public stream_decoder {
 public:
  stream_update decode(const sse_event& ev) override;
  void reset() noexcept override {}

 private:
  struct fields {
    std::string_view type;
    std::string_view delta_type;
    std::string_view text;
    bool has_text = false;
    std::string_view stop_reason;
    std::string_view error_type;
    bool has_error = false;
    std::int64_t input_tokens = -1;
    std::int64_t output_tokens = -1;
    std::int64_t start_input_tokens = -1;
  };
  bool read_usage(json_scanner& sc, std::int64_t& input, std::int64_t& output);
  bool read_message(json_scanner& sc, fields& f);
  bool read_delta(json_scanner& sc, fields& f);
  bool read_error(json_scanner& sc, fields& f);

  std::string type_s_;
  std::string delta_type_s_;
  std::string text_s_;
  std::string stop_s_;
  std::string error_s_;
  std::string junk_s_;
};

bool anthropic_decoder::read_usage(json_scanner& sc, std::int64_t& input, std::int64_t& output) {
  if (sc.peek_type() != '{') {
    return sc.skip_value();  // null or an unexpected type: no usage
  }
  sc.begin_object();
  bool first = true;
  std::string_view key;
  while (sc.member(first, key)) {
    std::int64_t v = -1;
    if (!sc.read_count(v)) {
      return false;
    }
    if (key == "input_tokens") {
      input = v;
    } else if (key == "output_tokens") {
      output = v;
    }
  }
  return sc.ok();
}

bool anthropic_decoder::read_message(json_scanner& sc, fields& f) {
  if (sc.peek_type() != '{') {
    return sc.skip_value();
  }
  sc.begin_object();
  bool first = true;
  std::string_view key;
  while (sc.member(first, key)) {
    std::int64_t ignored_output = -1;  // message_start's output_tokens is a placeholder
    const bool good =
        key == "usage" ? read_usage(sc, f.start_input_tokens, ignored_output) : sc.skip_value();
    if (!good) {
      return false;
    }
  }
  return sc.ok();
}

bool anthropic_decoder::read_delta(json_scanner& sc, fields& f) {
  if (sc.peek_type() != '{') {
    return sc.skip_value();
  }
  sc.begin_object();
  bool first = true;
  std::string_view key;
  while (sc.member(first, key)) {
    bool good = true;
    if (key == "type") {
      good = sc.read_string_or_skip(f.delta_type, delta_type_s_);
    } else if (key == "text" || key == "thinking" || key == "partial_json") {
      std::string_view v;
      good = sc.read_string_or_skip(v, f.has_text ? junk_s_ : text_s_);
      if (!f.has_text && sc.ok()) {
        f.text = v;
        f.has_text = true;
      }
    } else if (key == "stop_reason") {
      good = sc.read_string_or_skip(f.stop_reason, stop_s_);
    } else {
      good = sc.skip_value();
    }
    if (!good) {
      return false;
    }
  }
  return sc.ok();
}

bool anthropic_decoder::read_error(json_scanner& sc, fields& f) {
  f.has_error = true;
  if (sc.peek_type() != '{') {
    return sc.skip_value();
  }
  sc.begin_object();
  bool first = true;
  std::string_view key;
  while (sc.member(first, key)) {
    const bool good =
        key == "type" ? sc.read_string_or_skip(f.error_type, error_s_) : sc.skip_value();
    if (!good) {
      return false;
    }
  }
  return sc.ok();
}

stream_update anthropic_decoder::decode(const sse_event& ev) {
  stream_update u;
  const std::string_view data = trim_ws(ev.data);
  if (data.empty()) {
    if (ev.event == "error") {
      u.kind = event_kind::error;
    }
    return u;
  }
  json_scanner sc(data);
  fields f;
  bool good = sc.begin_object();
  bool first = true;
  std::string_view key;
  while (good && sc.member(first, key)) {
    if (key == "type") {
      good = sc.read_string_or_skip(f.type, type_s_);
    } else if (key == "message") {
      good = read_message(sc, f);
    } else if (key == "delta") {
      good = read_delta(sc, f);
    } else if (key == "usage") {
      good = read_usage(sc, f.input_tokens, f.output_tokens);
    } else if (key == "error") {
      good = sc.take_null() || read_error(sc, f);
    } else {
      good = sc.skip_value();
    }
  }
  if (!good || !sc.ok() || !sc.at_end()) {
    stream_update bad;
    bad.kind = event_kind::malformed;
    return bad;
  }
  const std::string_view type = f.type.empty() ? ev.event : f.type;
  if (type == "error" || ev.event == "error") {
    u.kind = event_kind::error;
    u.error_type = f.error_type;
  } else if (type == "content_block_delta") {
    if (f.delta_type == "text_delta" || f.delta_type == "thinking_delta" ||
        f.delta_type == "input_json_delta") {
      u.kind = f.text.empty() ? event_kind::preamble : event_kind::content;
      u.text = f.text;
    } else if (f.delta_type == "signature_delta") {
      u.kind = event_kind::preamble;
    }
    // Unknown delta types are ignored.
  } else if (type == "message_delta") {
    u.finish_reason = f.stop_reason;
    u.output_tokens = f.output_tokens;
    u.input_tokens = f.input_tokens;
    u.kind = f.output_tokens >= 0 ? event_kind::usage : event_kind::preamble;
  } else if (type == "message_start") {
    u.input_tokens = f.start_input_tokens;  // kind stays `ignored`: no content, no output yet
  } else if (type == "message_stop") {
    u.kind = event_kind::end;
  }
  // ping, content_block_start, content_block_stop and unknown types are ignored.
  return u;
}

}  // namespace

std::unique_ptr<stream_decoder> make_anthropic_decoder() {
  return std::make_unique<anthropic_decoder>();
}

}  // namespace gb::protocol::detail
