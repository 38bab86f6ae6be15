// Request bodies written directly as JSON text (no DOM): building one costs little more than
// copying the prompt.

#include "protocol/request_builder.hpp"

#include <charconv>
#include <cstdint>

#include "protocol/json_bytes.hpp"
#include "util/utf8.hpp"

namespace gb::protocol {

namespace {

constexpr std::string_view k_replacement = "\xEF\xBF\xBD";  // U+FFFD

void append_int(std::int64_t v, std::string& out) {
  char buf[24];
  const auto res = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, res.ptr);
}

void append_string(std::string_view s, std::string& out) {
  out.push_back('"');
  append_json_escaped(s, out);
  out.push_back('"');
}

// A message's content, escaped unless the caller marked it plain.
void append_content(const chat_message& m, std::string& out) {
  if (m.plain) {
    out.append(m.content);
  } else {
    append_json_escaped(m.content, out);
  }
}

void append_field(std::string_view name, std::string& out) {
  out.push_back(',');
  out.push_back('"');
  out.append(name);
  out.append("\":");
}

void append_joined_contents(const request_spec& spec, std::string& out) {
  out.push_back('"');
  bool first = true;
  for (const chat_message& m : spec.messages) {
    if (!first) {
      out.append("\\n");  // the separator, escaped
    }
    first = false;
    append_content(m, out);
  }
  out.push_back('"');
}

void append_messages(const request_spec& spec, bool skip_system, std::string& out) {
  out.push_back('[');
  bool first = true;
  for (const chat_message& m : spec.messages) {
    if (skip_system && m.role == "system") {
      continue;
    }
    if (!first) {
      out.push_back(',');
    }
    first = false;
    out.append("{\"role\":");
    append_string(m.role, out);
    out.append(",\"content\":\"");
    append_content(m, out);
    out.append("\"}");
  }
  out.push_back(']');
}

void append_openai_options(const request_spec& spec, std::string& out) {
  append_field("stream", out);
  out.append(spec.stream ? "true" : "false");
  if (spec.stream && spec.include_usage) {
    out.append(",\"stream_options\":{\"include_usage\":true}");
  }
  if (spec.max_tokens >= 0) {
    append_field("max_tokens", out);
    append_int(spec.max_tokens, out);
  }
  if (spec.ignore_eos) {
    out.append(",\"ignore_eos\":true");
  }
  if (spec.min_tokens >= 0) {
    append_field("min_tokens", out);
    append_int(spec.min_tokens, out);
  }
}

}  // namespace

void append_json_escaped(std::string_view s, std::string& out) {
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
      out.append(s.substr(run, i - run));
      out.append(k_replacement);
      i += st.length;
      run = i;
      continue;
    }
    out.append(s.substr(run, i - run));
    switch (c) {
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      case '\b':
        out.append("\\b");
        break;
      case '\f':
        out.append("\\f");
        break;
      default: {
        const char esc[6] = {'\\', 'u', '0', '0', k_hex[c >> 4], k_hex[c & 0xF]};
        out.append(esc, sizeof esc);
        break;
      }
    }
    ++i;
    run = i;
  }
  out.append(s.substr(run, n - run));
}

bool json_plain(std::string_view s) noexcept {
  return detail::skip_json_plain(s, 0) == s.size();
}

void build_body(dialect d, const request_spec& spec, std::string& out) {
  out.append("{\"model\":");
  append_string(spec.model, out);
  switch (d) {
    case dialect::openai_chat:
      append_field("messages", out);
      append_messages(spec, false, out);
      append_openai_options(spec, out);
      break;
    case dialect::openai_completions:
      append_field("prompt", out);
      append_joined_contents(spec, out);
      append_openai_options(spec, out);
      break;
    case dialect::openai_embeddings:
      append_field("input", out);
      append_joined_contents(spec, out);
      break;
    case dialect::anthropic_messages: {
      append_field("max_tokens", out);
      append_int(spec.max_tokens >= 0 ? spec.max_tokens : 1024, out);
      bool has_system = false;
      for (const chat_message& m : spec.messages) {
        if (m.role != "system") {
          continue;
        }
        if (!has_system) {
          append_field("system", out);
          out.push_back('"');
        } else {
          out.append("\\n");  // the separator, escaped
        }
        has_system = true;
        append_content(m, out);
      }
      if (has_system) {
        out.push_back('"');
      }
      append_field("messages", out);
      append_messages(spec, true, out);
      append_field("stream", out);
      out.append(spec.stream ? "true" : "false");
      break;
    }
  }
  out.push_back('}');
}

}  // namespace gb::protocol
