// Whole-body decoder for non-streaming responses and error bodies of every dialect
// (shared/design/wire-formats.md). One validating pass with detail::walk_json; error bodies of
// either vendor's shape are recognised whatever the dialect (gateways translate errors
// inconsistently).

#include "protocol/decoders.hpp"
#include "protocol/json_walk.hpp"
#include "protocol/stream_decoder.hpp"
#include "util/words.hpp"

namespace gb::protocol {

// A named namespace inside the anonymous one: unity builds compile the decoders in one
// translation unit, where their ids and visitors would otherwise collide.
namespace {
namespace body_shape {

// The places of a body the decoder reads (detail::walk_json ids; 0 is everything else).
enum place : int {
  other = 0,
  root,
  top,           // the top-level object's members
  choices,       // "choices": null or an array of objects
  choice_first,  // choices[0]: its text, message and finish_reason count
  choice_rest,   // choices[1...]: must be objects, not read
  message,       // choices[0].message
  text,          // generated text: a string counts, any other value is ignored
  finish,        // choices[0].finish_reason, top-level stop_reason
  data,          // "data": embeddings
  data_item,     // an element of data: the first object is read
  data_first,
  embedding,  // data[first object].embedding: its length counts
  content,    // "content": Anthropic content blocks
  block,
  usage,
  usage_input,
  usage_output,
  error,  // "error": anything but null makes the body an error
  error_object,
  error_type,
  error_code,
  top_type,    // top-level "type" ("error": an Anthropic error)
  top_object,  // top-level "object" ("error": a vLLM error)
};

struct body_visitor {
  body_summary& r;
  bool bad = false;  // valid JSON of a shape no dialect allows (e.g. choices: 3)
  bool has_choices = false;
  bool has_data = false;
  bool has_content = false;
  bool data_object_seen = false;
  std::string top_type_seen;    // the top-level "type" (not "error")
  std::string error_code_seen;  // the error's "code"

  explicit body_visitor(body_summary& out) : r(out) {}

  int key(int object, std::string_view k) const noexcept {
    switch (object) {
      case top:
        if (k == "choices")
          return choices;
        if (k == "usage")
          return usage;
        if (k == "data")
          return data;
        if (k == "content")
          return content;
        if (k == "error")
          return error;
        if (k == "type")
          return top_type;
        if (k == "object")
          return top_object;
        if (k == "stop_reason")
          return finish;
        return other;
      case choice_first:
        if (k == "message")
          return message;
        if (k == "finish_reason")
          return finish;
        if (k == "text")
          return text;
        return other;
      case message:
        return (k == "content" || k == "reasoning_content") ? text : other;
      case usage:
        if (k == "prompt_tokens" || k == "input_tokens")
          return usage_input;
        if (k == "completion_tokens" || k == "output_tokens")
          return usage_output;
        return other;
      case data_first:
        return k == "embedding" ? embedding : other;
      case block:
        return (k == "text" || k == "thinking") ? text : other;
      case error_object:
        if (k == "type")
          return error_type;
        if (k == "code")
          return error_code;
        return other;
      default:
        return other;
    }
  }

  int element(int array, std::uint32_t index) noexcept {
    switch (array) {
      case choices:
        return index == 0 ? choice_first : choice_rest;
      case data:
        return data_item;
      case content:
        return block;
      case embedding:
        ++r.embedding_dims;
        return other;
      default:
        return other;
    }
  }

  int open_object(int id) noexcept {
    switch (id) {
      case root:
        return top;
      case choice_first:
      case message:
      case usage:
      case block:
        return id;
      case choice_rest:
        return other;
      case data_item:
        if (data_object_seen) {
          return other;
        }
        data_object_seen = true;
        return data_first;
      case error:
        r.is_error = true;
        return error_object;
      default:
        scalar(id);
        return other;
    }
  }

  int open_array(int id) noexcept {
    switch (id) {
      case choices:
        has_choices = true;
        return id;
      case data:
        has_data = true;
        return id;
      case content:
        has_content = true;
        return id;
      case embedding:
        return id;
      default:
        scalar(id);
        return other;
    }
  }

  // A value that is neither what `id` reads nor allowed to be skipped.
  void scalar(int id) noexcept {
    switch (id) {
      case root:
      case choices:
      case choice_first:
      case choice_rest:
        bad = true;  // the top level and choices[] must be objects, choices an array
        break;
      case usage_input:
        r.input_tokens = -1;
        break;
      case usage_output:
        r.output_tokens = -1;
        break;
      case error:
        r.is_error = true;  // {"error": "text"}
        break;
      default:
        break;
    }
  }

  void string(int id, std::string_view s) {
    switch (id) {
      case text:
        r.content_chars += static_cast<std::int64_t>(s.size());
        r.content_words += count_words(s);
        break;
      case finish:
        if (!s.empty() && r.finish_reason.empty()) {
          r.finish_reason.assign(s);
        }
        break;
      case error_type:
        if (!s.empty()) {
          r.error_type.assign(s);
        }
        break;
      case error_code:
        if (!s.empty()) {
          error_code_seen.assign(s);
        }
        break;
      case top_type:
      case top_object:
        if (s == "error") {
          r.is_error = true;  // Anthropic {"type":"error"}, vLLM {"object":"error"}
        } else if (id == top_type && !s.empty()) {
          top_type_seen.assign(s);
        }
        break;
      default:
        scalar(id);
    }
  }

  void number(int id, std::int64_t count) noexcept {
    if (id == usage_input) {
      r.input_tokens = count;
    } else if (id == usage_output) {
      r.output_tokens = count;
    } else {
      scalar(id);
    }
  }

  void literal(int id, char first) noexcept {
    if (first == 'n' && (id == choices || id == error)) {
      return;  // "choices": null, "error": null
    }
    scalar(id);
  }
};

}  // namespace body_shape
}  // namespace

body_summary decode_body(dialect d, std::string_view body) {
  body_summary r;
  body_shape::body_visitor v(r);
  thread_local std::string scratch;
  if (!detail::walk_json(body, v, body_shape::root, scratch) || v.bad) {
    return body_summary{};
  }
  if (r.is_error) {
    if (r.error_type.empty()) {
      // The error's "code" when it has no "type"; vLLM puts the type at the top level.
      r.error_type = !v.error_code_seen.empty() ? v.error_code_seen : v.top_type_seen;
    }
    r.valid = true;
    return r;
  }
  switch (d) {
    case dialect::openai_chat:
    case dialect::openai_completions:
      r.valid = v.has_choices;
      break;
    case dialect::openai_embeddings:
      r.valid = v.has_data;
      r.content_chars = 0;
      r.content_words = 0;
      break;
    case dialect::anthropic_messages:
      r.valid = v.has_content;
      break;
  }
  return r;
}

}  // namespace gb::protocol
