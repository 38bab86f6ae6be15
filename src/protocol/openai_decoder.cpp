// OpenAI streaming decoder: chat.completion.chunk and text_completion chunks
// (shared/design/wire-formats.md, "OpenAI"). Runs once per token: no allocation once warm, one
// validating pass over the JSON with detail::walk_json.

#include "protocol/decoders.hpp"
#include "protocol/json_walk.hpp"

namespace gb::protocol::detail {

// A named namespace inside the anonymous one: unity builds compile the decoders in one
// translation unit, where their ids and visitors would otherwise collide.
namespace {
namespace openai_chunk {

// The places of a chunk the decoder reads (walk_json ids; 0 is everything else).
enum place : int {
  other = 0,
  root,          // must be an object
  top,           // the top-level object's members
  choices,       // "choices": null or an array of objects
  choice,        // every element of choices: its delta, text and finish_reason count
  delta,         // choices[].delta: null or an object
  text,          // generated text: the first non-empty string is the text; others are skipped
  tool_calls,    // delta.tool_calls: every element of an array is a tool-call fragment
  finish,        // choices[].finish_reason: the first non-empty string
  usage,         // "usage": an object is read, any other value skipped
  usage_input,   // usage.prompt_tokens: the last count; a value that is not a count is skipped
  usage_output,  // usage.completion_tokens: likewise
  error,         // "error": anything but null makes the chunk an error
  error_type,    // error.type: the first non-empty string (of the last error object)
  error_code,    // error.code: likewise, used when there is no type
  top_type,      // top-level "type" (vLLM's error type): the last value, cleared by a non-string
  top_object,    // top-level "object" ("error": a vLLM error)
};

// Decoder-owned copies of the strings an update keeps that had escapes (walk_json's views of
// those are of its scratch string, which the next escaped string overwrites).
struct kept_strings {
  std::string text;
  std::string finish;
  std::string error_type;
  std::string error_code;
  std::string top_type;
};

struct chunk_visitor {
  stream_update& u;
  kept_strings& kept;
  std::string_view json;  // the walked text: views of it need no copy
  bool bad = false;       // valid JSON of a shape the dialect does not allow (e.g. choices: 3)
  bool any_choice = false;
  bool content = false;
  bool has_usage = false;
  bool is_error = false;
  std::string_view type_of_error;  // the last error object's first non-empty string "type"
  std::string_view code_of_error;  // ... and "code"
  std::string_view type_at_top;    // the last top-level "type" (empty when not a string)

  chunk_visitor(stream_update& out, kept_strings& strings, std::string_view text) noexcept
      : u(out), kept(strings), json(text) {}

  int key(int object, std::string_view k) const noexcept {
    switch (object) {
      case top:
        if (k == "choices")
          return choices;
        if (k == "usage")
          return usage;
        if (k == "object")
          return top_object;
        if (k == "type")
          return top_type;
        if (k == "error")
          return error;
        return other;
      case choice:
        if (k == "delta")
          return delta;
        if (k == "finish_reason")
          return finish;
        if (k == "text")
          return text;
        return other;
      case delta:
        if (k == "content" || k == "reasoning_content" || k == "reasoning")
          return text;
        return k == "tool_calls" ? tool_calls : other;
      case usage:
        if (k == "completion_tokens")
          return usage_output;
        return k == "prompt_tokens" ? usage_input : other;
      case error:
        if (k == "type")
          return error_type;
        return k == "code" ? error_code : other;
      default:
        return other;
    }
  }

  int element(int array, std::uint32_t) noexcept {
    if (array == choices) {
      return choice;
    }
    content = content || array == tool_calls;  // a tool-call fragment is generated content
    return other;
  }

  int open_object(int id) noexcept {
    switch (id) {
      case root:
        return top;
      case choice:
        any_choice = true;
        return choice;
      case delta:
      case usage:
        return id;
      case error:
        is_error = true;
        type_of_error = {};  // the last error object wins, even an empty one
        code_of_error = {};
        return error;
      default:
        unread(id);
        return other;
    }
  }

  int open_array(int id) noexcept {
    if (id == choices || id == tool_calls) {
      return id;
    }
    unread(id);
    return other;
  }

  // A value at `id` that is not what `id` reads.
  void unread(int id) noexcept {
    switch (id) {
      case root:
      case choices:
      case choice:
      case delta:
        bad = true;
        break;
      case error:
        is_error = true;  // {"error": "text"}: an error without a type
        break;
      case top_type:
        type_at_top = {};
        break;
      default:
        break;  // text, finish_reason, usage, counts, error type/code: skipped
    }
  }

  void string(int id, std::string_view s) {
    switch (id) {
      case text:
        if (!s.empty()) {
          content = true;
          if (u.text.empty()) {
            u.text = json_keep(s, json, kept.text);
          }
        }
        break;
      case finish:
        if (!s.empty() && u.finish_reason.empty()) {
          u.finish_reason = json_keep(s, json, kept.finish);
        }
        break;
      case error_type:
        if (type_of_error.empty()) {
          type_of_error = json_keep(s, json, kept.error_type);
        }
        break;
      case error_code:
        if (code_of_error.empty()) {
          code_of_error = json_keep(s, json, kept.error_code);
        }
        break;
      case top_type:
        type_at_top = json_keep(s, json, kept.top_type);
        break;
      case top_object:
        is_error = is_error || s == "error";  // vLLM: {"object":"error","type":...}
        break;
      default:
        unread(id);
    }
  }

  void number(int id, std::int64_t count) noexcept {
    if (id == usage_output || id == usage_input) {
      if (count >= 0) {  // only a count is read: a later one wins, anything else is skipped
        (id == usage_output ? u.output_tokens : u.input_tokens) = count;
        has_usage = true;
      }
    } else {
      unread(id);
    }
  }

  void literal(int id, char first) noexcept {
    if (first == 'n' && (id == choices || id == delta || id == error)) {
      return;  // "choices": null, "delta": null, "error": null
    }
    unread(id);
  }
};

class openai_decoder final : public stream_decoder {
 public:
  stream_update decode(const sse_event& ev) override;
  void reset() noexcept override {}

 private:
  kept_strings kept_;
  std::string scratch_;  // walk_json's decoded strings
};

stream_update openai_decoder::decode(const sse_event& ev) {
  stream_update u;
  const std::string_view data = trim_ws(ev.data);
  if (data.empty()) {
    return u;  // an empty data line carries nothing
  }
  if (data == "[DONE]") {
    u.kind = event_kind::end;
    return u;
  }
  chunk_visitor v(u, kept_, data);
  if (!walk_json(data, v, root, scratch_) || v.bad) {
    stream_update bad;
    bad.kind = event_kind::malformed;
    return bad;
  }
  if (v.is_error) {
    // The error's "type", else its "code", else the top-level "type".
    u.error_type = !v.type_of_error.empty()   ? v.type_of_error
                   : !v.code_of_error.empty() ? v.code_of_error
                                              : v.type_at_top;
    u.kind = event_kind::error;
    u.text = {};
  } else if (v.content) {
    u.kind = event_kind::content;
  } else if (v.any_choice) {
    u.kind = event_kind::preamble;
  } else if (v.has_usage) {
    u.kind = event_kind::usage;
  }
  return u;
}

}  // namespace openai_chunk
}  // namespace

std::unique_ptr<stream_decoder> make_openai_decoder() {
  return std::make_unique<openai_chunk::openai_decoder>();
}

}  // namespace gb::protocol::detail
