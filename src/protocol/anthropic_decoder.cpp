// Anthropic messages streaming decoder (shared/design/wire-formats.md, "Anthropic"). Each event's
// data carries its "type" (equal to the SSE event name); the data's type wins when both exist.
// Runs once per token: no allocation once warm, one validating pass with detail::walk_json.

#include "protocol/decoders.hpp"
#include "protocol/json_walk.hpp"

namespace gb::protocol::detail {

// A named namespace inside the anonymous one: unity builds compile the decoders in one
// translation unit, where their ids and visitors would otherwise collide.
namespace {
namespace anthropic_event {

// The places of an event the decoder reads (walk_json ids; 0 is everything else). Only the top
// level must be an object; any other value of the wrong type is skipped. The strings and counts
// read keep the last value of a repeated key (a value of the wrong type clears a string and
// gives -1 for a count), except the delta's text: its first key wins.
enum place : int {
  other = 0,
  root,
  top,            // the top-level object's members
  event_type,     // top-level "type"
  message,        // "message" (message_start)
  message_usage,  // message.usage
  start_input,    // message.usage.input_tokens
  delta,          // "delta"
  delta_type,     // delta.type
  delta_text,     // delta.text, delta.thinking, delta.partial_json
  stop_reason,    // delta.stop_reason
  usage,          // "usage" (message_delta)
  usage_input,    // usage.input_tokens
  usage_output,   // usage.output_tokens (cumulative)
  error,          // "error"
  error_type,     // error.type
};

// Decoder-owned copies of the strings an update keeps that had escapes (walk_json's views of
// those are of its scratch string, which the next escaped string overwrites).
struct kept_strings {
  std::string type;
  std::string delta_type;
  std::string text;
  std::string stop_reason;
  std::string error_type;
};

// What an event says, as read by event_visitor.
struct event_fields {
  std::string_view type;
  std::string_view delta_type;
  std::string_view text;
  bool has_text = false;
  std::string_view stop_reason;
  std::string_view error_type;
  std::int64_t input_tokens = -1;
  std::int64_t output_tokens = -1;
  std::int64_t start_input_tokens = -1;
};

struct event_visitor {
  event_fields& f;
  kept_strings& kept;
  std::string_view json;  // the walked text: views of it need no copy
  bool bad = false;       // the top level is not an object

  event_visitor(event_fields& out, kept_strings& strings, std::string_view text) noexcept
      : f(out), kept(strings), json(text) {}

  int key(int object, std::string_view k) const noexcept {
    switch (object) {
      case top:
        if (k == "type")
          return event_type;
        if (k == "delta")
          return delta;
        if (k == "usage")
          return usage;
        if (k == "message")
          return message;
        return k == "error" ? error : other;
      case delta:
        if (k == "type")
          return delta_type;
        if (k == "text" || k == "thinking" || k == "partial_json")
          return delta_text;
        return k == "stop_reason" ? stop_reason : other;
      case usage:
        if (k == "output_tokens")
          return usage_output;
        return k == "input_tokens" ? usage_input : other;
      case message:
        return k == "usage" ? message_usage : other;
      case message_usage:
        return k == "input_tokens" ? start_input : other;  // its output_tokens is a placeholder
      case error:
        return k == "type" ? error_type : other;
      default:
        return other;
    }
  }

  int element(int, std::uint32_t) const noexcept { return other; }

  int open_object(int id) noexcept {
    switch (id) {
      case root:
        return top;
      case message:
      case message_usage:
      case delta:
      case usage:
      case error:
        return id;
      default:
        unread(id);
        return other;
    }
  }

  int open_array(int id) noexcept {
    unread(id);
    return other;
  }

  // A value at `id` that is not what `id` reads.
  void unread(int id) noexcept {
    switch (id) {
      case root:
        bad = true;
        break;
      case event_type:
        f.type = {};
        break;
      case delta_type:
        f.delta_type = {};
        break;
      case delta_text:
        if (!f.has_text) {
          f.text = {};
          f.has_text = true;
        }
        break;
      case stop_reason:
        f.stop_reason = {};
        break;
      case error_type:
        f.error_type = {};
        break;
      case start_input:
        f.start_input_tokens = -1;
        break;
      case usage_input:
        f.input_tokens = -1;
        break;
      case usage_output:
        f.output_tokens = -1;
        break;
      default:
        break;  // message, delta, usage, error: skipped
    }
  }

  void string(int id, std::string_view s) {
    switch (id) {
      case event_type:
        f.type = json_keep(s, json, kept.type);
        break;
      case delta_type:
        f.delta_type = json_keep(s, json, kept.delta_type);
        break;
      case delta_text:
        if (!f.has_text) {
          f.text = json_keep(s, json, kept.text);
          f.has_text = true;
        }
        break;
      case stop_reason:
        f.stop_reason = json_keep(s, json, kept.stop_reason);
        break;
      case error_type:
        f.error_type = json_keep(s, json, kept.error_type);
        break;
      default:
        unread(id);
    }
  }

  void number(int id, std::int64_t count) noexcept {
    switch (id) {
      case start_input:
        f.start_input_tokens = count;
        break;
      case usage_input:
        f.input_tokens = count;
        break;
      case usage_output:
        f.output_tokens = count;
        break;
      default:
        unread(id);
    }
  }

  void literal(int id, char) noexcept { unread(id); }
};

class anthropic_decoder final : public stream_decoder {
 public:
  stream_update decode(const sse_event& ev) override;
  void reset() noexcept override {}

 private:
  kept_strings kept_;
  std::string scratch_;  // walk_json's decoded strings
};

stream_update anthropic_decoder::decode(const sse_event& ev) {
  stream_update u;
  const std::string_view data = trim_ws(ev.data);
  if (data.empty()) {
    if (ev.event == "error") {
      u.kind = event_kind::error;
    }
    return u;
  }
  event_fields f;
  event_visitor v(f, kept_, data);
  if (!walk_json(data, v, root, scratch_) || v.bad) {
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

}  // namespace anthropic_event
}  // namespace

std::unique_ptr<stream_decoder> make_anthropic_decoder() {
  return std::make_unique<anthropic_event::anthropic_decoder>();
}

}  // namespace gb::protocol::detail
