// OpenAI streaming decoder: chat.completion.chunk and text_completion chunks
// (shared/design/wire-formats.md, "OpenAI"). Runs once per token: no allocation once warm, one
// validating pass over the JSON with json_scanner.

#include "protocol/decoders.hpp"
#include "protocol/json_scan.hpp"

namespace gb::protocol::detail {

namespace {

class openai_decoder final : public stream_decoder {
 public:
  stream_update decode(const sse_event& ev) override;
  void reset() noexcept override {}

 private:
  struct scan_state {
    bool any_choice = false;
    bool content = false;
    bool has_usage = false;
    bool is_error = false;
  };
  bool read_choice(json_scanner& sc, stream_update& u, scan_state& st);
  bool read_delta(json_scanner& sc, stream_update& u, scan_state& st);
  bool read_text(json_scanner& sc, stream_update& u, scan_state& st);
  bool read_usage(json_scanner& sc, stream_update& u, scan_state& st);
  bool read_error(json_scanner& sc, stream_update& u);

  std::string text_s_;    // the content text, when it had escapes
  std::string junk_s_;    // strings read only to be checked
  std::string finish_s_;  // finish_reason with escapes
  std::string error_s_;   // error type with escapes
  std::string top_s_;     // top-level "type" with escapes
};

bool openai_decoder::read_text(json_scanner& sc, stream_update& u, scan_state& st) {
  std::string_view v;
  if (!sc.read_string_or_skip(v, u.text.empty() ? text_s_ : junk_s_)) {
    return false;
  }
  if (!v.empty()) {
    st.content = true;
    if (u.text.empty()) {
      u.text = v;
    }
  }
  return true;
}

bool openai_decoder::read_delta(json_scanner& sc, stream_update& u, scan_state& st) {
  if (sc.take_null()) {
    return true;
  }
  if (!sc.begin_object()) {
    return false;
  }
  bool first = true;
  std::string_view key;
  while (sc.member(first, key)) {
    if (key == "content" || key == "reasoning_content" || key == "reasoning") {
      if (!read_text(sc, u, st)) {
        return false;
      }
    } else if (key == "tool_calls" && sc.peek_type() == '[') {
      sc.begin_array();
      bool f = true;
      while (sc.element(f)) {
        st.content = true;  // a tool-call fragment is generated content
        if (!sc.skip_value()) {
          return false;
        }
      }
    } else if (!sc.skip_value()) {
      return false;
    }
  }
  return sc.ok();
}

bool openai_decoder::read_choice(json_scanner& sc, stream_update& u, scan_state& st) {
  if (!sc.begin_object()) {
    return false;
  }
  st.any_choice = true;
  bool first = true;
  std::string_view key;
  while (sc.member(first, key)) {
    bool good = true;
    if (key == "delta") {
      good = read_delta(sc, u, st);
    } else if (key == "text") {
      good = read_text(sc, u, st);
    } else if (key == "finish_reason") {
      std::string_view v;
      good = sc.read_string_or_skip(v, finish_s_);
      if (!v.empty() && u.finish_reason.empty()) {
        u.finish_reason = v;
      }
    } else {
      good = sc.skip_value();
    }
    if (!good) {
      return false;
    }
  }
  return sc.ok();
}

bool openai_decoder::read_usage(json_scanner& sc, stream_update& u, scan_state& st) {
  if (sc.take_null()) {
    return true;
  }
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
    if (key == "completion_tokens" && v >= 0) {
      u.output_tokens = v;
      st.has_usage = true;
    } else if (key == "prompt_tokens" && v >= 0) {
      u.input_tokens = v;
      st.has_usage = true;
    }
  }
  return sc.ok();
}

bool openai_decoder::read_error(json_scanner& sc, stream_update& u) {
  if (sc.peek_type() != '{') {
    return sc.skip_value();  // {"error": "text"}: an error without a type
  }
  sc.begin_object();
  bool first = true;
  std::string_view key;
  std::string_view type;
  std::string_view code;
  while (sc.member(first, key)) {
    bool good = true;
    if (key == "type" && type.empty()) {
      good = sc.read_string_or_skip(type, error_s_);
    } else if (key == "code" && code.empty()) {
      good = sc.read_string_or_skip(code, junk_s_);
    } else {
      good = sc.skip_value();
    }
    if (!good) {
      return false;
    }
  }
  if (type.empty() && !code.empty()) {
    error_s_.assign(code);  // code may view junk_s_, which later reads reuse
    type = error_s_;
  }
  u.error_type = type;
  return sc.ok();
}

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
  json_scanner sc(data);
  scan_state st;
  bool good = sc.begin_object();
  bool first = true;
  std::string_view key;
  std::string_view object;
  std::string_view top_type;
  while (good && sc.member(first, key)) {
    if (key == "choices") {
      if (sc.take_null()) {
        continue;
      }
      bool f = true;
      good = sc.begin_array();
      while (good && sc.element(f)) {
        good = read_choice(sc, u, st);
      }
    } else if (key == "usage") {
      good = read_usage(sc, u, st);
    } else if (key == "error") {
      if (!sc.take_null()) {
        st.is_error = true;
        good = read_error(sc, u);
      }
    } else if (key == "object") {
      good = sc.read_string_or_skip(object, junk_s_);
      st.is_error = st.is_error || object == "error";  // vLLM: {"object":"error","type":...}
    } else if (key == "type") {
      good = sc.read_string_or_skip(top_type, top_s_);
    } else {
      good = sc.skip_value();
    }
  }
  if (!good || !sc.at_end()) {
    stream_update bad;
    bad.kind = event_kind::malformed;
    return bad;
  }
  if (st.is_error) {
    if (u.error_type.empty()) {
      u.error_type = top_type;
    }
    u.kind = event_kind::error;
    u.text = {};
  } else if (st.content) {
    u.kind = event_kind::content;
  } else if (st.any_choice) {
    u.kind = event_kind::preamble;
  } else if (st.has_usage) {
    u.kind = event_kind::usage;
  }
  return u;
}

}  // namespace

std::unique_ptr<stream_decoder> make_openai_decoder() {
  return std::make_unique<openai_decoder>();
}

}  // namespace gb::protocol::detail
