// Whole-body decoder for non-streaming responses and error bodies of every dialect
// (shared/design/wire-formats.md). One validating pass with json_scanner; error bodies of either
// vendor's shape are recognised whatever the dialect (gateways translate errors inconsistently).

#include "protocol/decoders.hpp"
#include "protocol/json_scan.hpp"
#include "protocol/stream_decoder.hpp"

namespace gb::protocol {

namespace {

using detail::json_scanner;

struct body_reader {
  json_scanner& sc;
  body_summary& r;
  std::string scratch;
  bool has_choices = false;
  bool has_data = false;
  bool has_content = false;

  void add_text(std::string_view t) {
    r.content_chars += static_cast<std::int64_t>(t.size());
    r.content_words += detail::count_words(t);
  }

  bool set_finish(std::string_view v) {
    if (!v.empty() && r.finish_reason.empty()) {
      r.finish_reason.assign(v);
    }
    return true;
  }

  // Reads a string (or skips another value) and counts it as generated text.
  bool text_value() {
    std::string_view v;
    if (!sc.read_string_or_skip(v, scratch)) {
      return false;
    }
    add_text(v);
    return true;
  }

  bool message(bool first_choice) {
    if (sc.peek_type() != '{') {
      return sc.skip_value();
    }
    sc.begin_object();
    bool first = true;
    std::string_view key;
    while (sc.member(first, key)) {
      const bool counted = first_choice && (key == "content" || key == "reasoning_content");
      if (!(counted ? text_value() : sc.skip_value())) {
        return false;
      }
    }
    return sc.ok();
  }

  bool choices() {
    if (sc.take_null()) {
      return true;
    }
    if (!sc.begin_array()) {
      return false;
    }
    has_choices = true;
    bool first_el = true;
    bool first_choice = true;
    while (sc.element(first_el)) {
      if (!sc.begin_object()) {
        return false;
      }
      bool first = true;
      std::string_view key;
      while (sc.member(first, key)) {
        bool good = true;
        if (key == "message") {
          good = message(first_choice);
        } else if (key == "text" && first_choice) {
          good = text_value();
        } else if (key == "finish_reason" && first_choice) {
          std::string_view v;
          good = sc.read_string_or_skip(v, scratch) && set_finish(v);
        } else {
          good = sc.skip_value();
        }
        if (!good) {
          return false;
        }
      }
      first_choice = false;
    }
    return sc.ok();
  }

  bool data() {
    if (!sc.begin_array()) {
      return false;
    }
    has_data = true;
    bool first_el = true;
    bool first_item = true;
    while (sc.element(first_el)) {
      if (!first_item || sc.peek_type() != '{') {
        if (!sc.skip_value()) {
          return false;
        }
        continue;
      }
      first_item = false;
      sc.begin_object();
      bool first = true;
      std::string_view key;
      while (sc.member(first, key)) {
        if (key == "embedding" && sc.peek_type() == '[') {
          sc.begin_array();
          bool f = true;
          while (sc.element(f)) {
            ++r.embedding_dims;
            if (!sc.skip_value()) {
              return false;
            }
          }
        } else if (!sc.skip_value()) {
          return false;
        }
      }
    }
    return sc.ok();
  }

  bool content_blocks() {
    if (!sc.begin_array()) {
      return false;
    }
    has_content = true;
    bool first_el = true;
    while (sc.element(first_el)) {
      if (sc.peek_type() != '{') {
        if (!sc.skip_value()) {
          return false;
        }
        continue;
      }
      sc.begin_object();
      bool first = true;
      std::string_view key;
      while (sc.member(first, key)) {
        if (!((key == "text" || key == "thinking") ? text_value() : sc.skip_value())) {
          return false;
        }
      }
    }
    return sc.ok();
  }

  bool usage() {
    if (sc.peek_type() != '{') {
      return sc.skip_value();
    }
    sc.begin_object();
    bool first = true;
    std::string_view key;
    while (sc.member(first, key)) {
      std::int64_t v = -1;
      if (!sc.read_count(v)) {
        return false;
      }
      if (key == "prompt_tokens" || key == "input_tokens") {
        r.input_tokens = v;
      } else if (key == "completion_tokens" || key == "output_tokens") {
        r.output_tokens = v;
      }
    }
    return sc.ok();
  }

  bool error() {
    if (sc.take_null()) {
      return true;
    }
    r.is_error = true;
    if (sc.peek_type() != '{') {
      return sc.skip_value();  // {"error": "text"}
    }
    sc.begin_object();
    bool first = true;
    std::string_view key;
    std::string code;
    while (sc.member(first, key)) {
      bool good = true;
      if (key == "type" || key == "code") {
        std::string_view v;
        good = sc.read_string_or_skip(v, scratch);
        if (key == "type" && !v.empty()) {
          r.error_type.assign(v);
        } else if (key == "code" && !v.empty()) {
          code.assign(v);
        }
      } else {
        good = sc.skip_value();
      }
      if (!good) {
        return false;
      }
    }
    if (r.error_type.empty()) {
      r.error_type = code;
    }
    return sc.ok();
  }
};

}  // namespace

body_summary decode_body(dialect d, std::string_view body) {
  body_summary r;
  json_scanner sc(detail::trim_ws(body));
  body_reader br{sc, r, {}};
  std::string top_type;
  bool good = sc.begin_object();
  bool first = true;
  std::string_view key;
  while (good && sc.member(first, key)) {
    if (key == "choices") {
      good = br.choices();
    } else if (key == "data") {
      good = sc.peek_type() == '[' ? br.data() : sc.skip_value();
    } else if (key == "content") {
      good = sc.peek_type() == '[' ? br.content_blocks() : sc.skip_value();
    } else if (key == "usage") {
      good = br.usage();
    } else if (key == "error") {
      good = br.error();
    } else if (key == "type" || key == "object") {
      std::string_view v;
      const bool is_type = key == "type";
      good = sc.read_string_or_skip(v, br.scratch);
      if (v == "error") {
        r.is_error = true;  // Anthropic {"type":"error"}, vLLM {"object":"error"}
      } else if (is_type && !v.empty()) {
        top_type.assign(v);
      }
    } else if (key == "stop_reason") {
      std::string_view v;
      good = sc.read_string_or_skip(v, br.scratch) && br.set_finish(v);
    } else {
      good = sc.skip_value();
    }
  }
  if (!good || !sc.at_end()) {
    return body_summary{};
  }
  if (r.is_error) {
    if (r.error_type.empty() && !top_type.empty()) {
      r.error_type = top_type;  // vLLM puts the type at the top level
    }
    r.valid = true;
    return r;
  }
  switch (d) {
    case dialect::openai_chat:
    case dialect::openai_completions:
      r.valid = br.has_choices;
      break;
    case dialect::openai_embeddings:
      r.valid = br.has_data;
      r.content_chars = 0;
      r.content_words = 0;
      break;
    case dialect::anthropic_messages:
      r.valid = br.has_content;
      break;
  }
  return r;
}

}  // namespace gb::protocol
