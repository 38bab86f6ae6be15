#include "request.hpp"

#include <nlohmann/json.hpp>

#include "text_model.hpp"

namespace gb::mock {

namespace {

using json = nlohmann::json;
using protocol::dialect;

constexpr int max_depth = 64;

const char* type_name(const json& v) {
  switch (v.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::object:
      return "an object";
    case json::value_t::array:
      return "an array";
    case json::value_t::string:
      return "a string";
    case json::value_t::boolean:
      return "a boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
      return "an integer";
    case json::value_t::number_float:
      return "a number";
    default:
      return "an unsupported value";
  }
}

// A validation failure, reported once.
struct check {
  dialect d;
  std::optional<request_error> err;

  bool failed() const { return err.has_value(); }

  void missing(const std::string& field) {
    if (err) {
      return;
    }
    if (d == dialect::anthropic_messages) {
      err = request_error{400, "invalid_request_error", field + ": Field required", field};
    } else {
      err = request_error{400, "invalid_request_error",
                          "Missing required parameter: '" + field + "'.", field};
    }
  }
  void wrong_type(const std::string& field, const char* expected, const json& got) {
    if (err) {
      return;
    }
    err = request_error{400, "invalid_request_error",
                        "Invalid type for '" + field + "': expected " + expected + ", but got " +
                            type_name(got) + ".",
                        field};
  }
  void invalid(const std::string& field, const std::string& why) {
    if (err) {
      return;
    }
    err = request_error{400, "invalid_request_error", "Invalid value for '" + field + "': " + why,
                        field};
  }
};

const json* field(const json& obj, const char* name) {
  const auto it = obj.find(name);
  return it == obj.end() ? nullptr : &*it;
}

std::optional<bool> get_bool(check& c, const json& obj, const char* name) {
  const json* v = field(obj, name);
  if (v == nullptr || v->is_null()) {
    return std::nullopt;
  }
  if (!v->is_boolean()) {
    c.wrong_type(name, "a boolean", *v);
    return std::nullopt;
  }
  return v->get<bool>();
}

std::optional<std::int64_t> get_int(check& c, const json& obj, const char* name, std::int64_t min) {
  const json* v = field(obj, name);
  if (v == nullptr || v->is_null()) {
    return std::nullopt;
  }
  if (!v->is_number_integer()) {
    c.wrong_type(name, "an integer", *v);
    return std::nullopt;
  }
  if (v->is_number_unsigned() && v->get<std::uint64_t>() > (1ULL << 40)) {
    c.invalid(name, "too large");
    return std::nullopt;
  }
  const auto x = v->get<std::int64_t>();
  if (x < min || x > (std::int64_t{1} << 40)) {
    c.invalid(name, "must be at least " + std::to_string(min));
    return std::nullopt;
  }
  return x;
}

bool require_string(check& c, const json& obj, const char* name, std::string& out) {
  const json* v = field(obj, name);
  if (v == nullptr) {
    c.missing(name);
    return false;
  }
  if (!v->is_string()) {
    c.wrong_type(name, "a string", *v);
    return false;
  }
  out = v->get<std::string>();
  return true;
}

// Words in a message content: a string, or an array of parts whose "text" (or nested
// tool_result "content") strings count.
std::int64_t content_words(check& c, const json& content, const std::string& where) {
  if (content.is_null()) {
    return 0;
  }
  if (content.is_string()) {
    return count_words(content.get_ref<const std::string&>());
  }
  if (!content.is_array()) {
    c.wrong_type(where, "a string or an array", content);
    return 0;
  }
  std::int64_t n = 0;
  for (const auto& part : content) {
    if (!part.is_object()) {
      c.wrong_type(where + "[]", "an object", part);
      return 0;
    }
    if (const json* t = field(part, "text"); t != nullptr && t->is_string()) {
      n += count_words(t->get_ref<const std::string&>());
    }
    if (const json* t = field(part, "content"); t != nullptr && (t->is_string() || t->is_array())) {
      n += content_words(c, *t, where + "[].content");
    }
  }
  return n;
}

// Counts for `prompt` / `input`: a string, strings, token ids, or arrays of token ids.
std::int64_t prompt_units(check& c, const json& v, const char* name, std::int64_t& inputs) {
  if (v.is_string()) {
    inputs = 1;
    return count_words(v.get_ref<const std::string&>());
  }
  if (!v.is_array() || v.empty()) {
    c.wrong_type(name, "a non-empty string or array", v);
    return 0;
  }
  std::int64_t n = 0;
  bool ids = false;
  inputs = 0;
  for (const auto& e : v) {
    if (e.is_string()) {
      n += count_words(e.get_ref<const std::string&>());
      ++inputs;
    } else if (e.is_number_integer()) {
      ++n;
      ids = true;
    } else if (e.is_array()) {
      for (const auto& t : e) {
        if (!t.is_number_integer()) {
          c.wrong_type(name, "token ids", t);
          return 0;
        }
      }
      n += static_cast<std::int64_t>(e.size());
      ++inputs;
    } else {
      c.wrong_type(std::string(name) + "[]", "a string or token ids", e);
      return 0;
    }
  }
  if (ids) {
    inputs = 1;
  }
  return n;
}

void parse_messages(check& c, const json& body, gen_request& r) {
  const json* msgs = field(body, "messages");
  if (msgs == nullptr) {
    c.missing("messages");
    return;
  }
  if (!msgs->is_array()) {
    c.wrong_type("messages", "an array", *msgs);
    return;
  }
  if (msgs->empty()) {
    c.invalid("messages", "must contain at least one message.");
    return;
  }
  std::size_t i = 0;
  for (const auto& m : *msgs) {
    const std::string where = "messages[" + std::to_string(i++) + "]";
    if (!m.is_object()) {
      c.wrong_type(where, "an object", m);
      return;
    }
    const json* role = field(m, "role");
    if (role == nullptr) {
      c.missing(where + ".role");
      return;
    }
    if (!role->is_string()) {
      c.wrong_type(where + ".role", "a string", *role);
      return;
    }
    if (r.dialect == dialect::anthropic_messages) {
      const auto& rs = role->get_ref<const std::string&>();
      if (rs != "user" && rs != "assistant") {
        c.invalid(where + ".role", "must be 'user' or 'assistant'.");
        return;
      }
    }
    const json* content = field(m, "content");
    if (content == nullptr) {
      if (r.dialect == dialect::anthropic_messages) {
        c.missing(where + ".content");
        return;
      }
      continue;
    }
    r.prompt_tokens += content_words(c, *content, where + ".content");
    if (c.failed()) {
      return;
    }
  }
}

void parse_tools(check& c, const json& body, gen_request& r) {
  const json* tools = field(body, "tools");
  if (tools == nullptr || tools->is_null()) {
    return;
  }
  if (!tools->is_array()) {
    c.wrong_type("tools", "an array", *tools);
    return;
  }
  if (!tools->empty() && (*tools)[0].is_object()) {
    const json& t = (*tools)[0];
    if (const json* fn = field(t, "function"); fn != nullptr && fn->is_object()) {
      if (const json* n = field(*fn, "name"); n != nullptr && n->is_string()) {
        r.tool_name = n->get<std::string>();
      }
    } else if (const json* n = field(t, "name"); n != nullptr && n->is_string()) {
      r.tool_name = n->get<std::string>();
    }
  }
  const json* choice = field(body, "tool_choice");
  if (choice == nullptr || tools->empty()) {
    return;
  }
  if (choice->is_string()) {
    r.tool_call = *choice == "required";
  } else if (choice->is_object()) {
    const json* type = field(*choice, "type");
    if (type != nullptr && type->is_string()) {
      const auto& ts = type->get_ref<const std::string&>();
      r.tool_call = ts == "function" || ts == "any" || ts == "tool";
      if (const json* n = field(*choice, "name"); n != nullptr && n->is_string()) {
        r.tool_name = n->get<std::string>();
      }
      if (const json* fn = field(*choice, "function"); fn != nullptr && fn->is_object()) {
        if (const json* n = field(*fn, "name"); n != nullptr && n->is_string()) {
          r.tool_name = n->get<std::string>();
        }
      }
    }
  }
}

void parse_sampling(check& c, const json& body, gen_request& r) {
  if (auto s = get_bool(c, body, "stream")) {
    r.stream = *s;
  }
  r.max_tokens = get_int(c, body, "max_tokens", 1);
  if (auto m = get_int(c, body, "max_completion_tokens", 1)) {
    r.max_tokens = m;
  }
  r.min_tokens = get_int(c, body, "min_tokens", 0);
  if (auto e = get_bool(c, body, "ignore_eos")) {
    r.ignore_eos = *e;
  }
  if (r.min_tokens && r.max_tokens && *r.min_tokens > *r.max_tokens) {
    c.invalid("min_tokens", "must be less than or equal to max_tokens.");
  }
}

void parse_openai(check& c, const json& body, gen_request& r) {
  require_string(c, body, "model", r.model);
  parse_sampling(c, body, r);
  if (const json* so = field(body, "stream_options"); so != nullptr && !so->is_null()) {
    if (!so->is_object()) {
      c.wrong_type("stream_options", "an object", *so);
    } else if (auto iu = get_bool(c, *so, "include_usage")) {
      r.include_usage = *iu;
    }
  }
  if (auto n = get_int(c, body, "n", 1); n && *n != 1) {
    c.invalid("n", "gatebench-mock generates exactly one choice (n must be 1).");
  }
  if (r.dialect == dialect::openai_chat) {
    parse_messages(c, body, r);
    parse_tools(c, body, r);
    if (const json* re = field(body, "reasoning_effort"); re != nullptr && !re->is_null()) {
      if (!re->is_string()) {
        c.wrong_type("reasoning_effort", "a string", *re);
      } else {
        r.reasoning = true;
      }
    }
  } else {
    const json* p = field(body, "prompt");
    if (p == nullptr) {
      c.missing("prompt");
      return;
    }
    std::int64_t inputs = 0;
    r.prompt_tokens = prompt_units(c, *p, "prompt", inputs);
  }
}

void parse_embeddings(check& c, const json& body, gen_request& r) {
  require_string(c, body, "model", r.model);
  const json* in = field(body, "input");
  if (in == nullptr) {
    c.missing("input");
    return;
  }
  r.prompt_tokens = prompt_units(c, *in, "input", r.embedding_inputs);
  r.dimensions = get_int(c, body, "dimensions", 1);
  if (r.dimensions && *r.dimensions > 65536) {
    c.invalid("dimensions", "must be at most 65536.");
  }
  if (const json* f = field(body, "encoding_format"); f != nullptr && !f->is_null()) {
    if (!f->is_string() || (*f != "float" && *f != "base64")) {
      c.invalid("encoding_format", "must be 'float' or 'base64'.");
    } else {
      r.base64 = *f == "base64";
    }
  }
}

void parse_anthropic(check& c, const json& body, gen_request& r) {
  require_string(c, body, "model", r.model);
  if (field(body, "max_tokens") == nullptr) {
    c.missing("max_tokens");
  }
  parse_sampling(c, body, r);
  if (const json* sys = field(body, "system"); sys != nullptr) {
    r.prompt_tokens += content_words(c, *sys, "system");
  }
  parse_messages(c, body, r);
  parse_tools(c, body, r);
  if (const json* th = field(body, "thinking"); th != nullptr && !th->is_null()) {
    if (!th->is_object()) {
      c.wrong_type("thinking", "an object", *th);
    } else if (const json* t = field(*th, "type"); t != nullptr && *t == "enabled") {
      r.reasoning = true;
    }
  }
}

}  // namespace

parse_outcome parse_request(dialect d, std::string_view body) {
  parse_outcome out;
  const bool anthropic = d == dialect::anthropic_messages;
  if (json_nests_too_deep(body)) {
    out.error = {400, "invalid_request_error",
                 "The JSON body nests deeper than " + std::to_string(max_depth) + " levels.", ""};
    return out;
  }
  json doc = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) {
    out.error = {400, "invalid_request_error",
                 anthropic ? "The request body is not valid JSON (expected an object)."
                           : "We could not parse the JSON body of your request. (HINT: This "
                             "likely means you aren't using your HTTP library correctly. The "
                             "OpenAI API expects a JSON payload, but what was sent was not valid "
                             "JSON.)",
                 ""};
    return out;
  }
  gen_request r;
  r.dialect = d;
  check c{d, std::nullopt};
  switch (d) {
    case dialect::openai_chat:
    case dialect::openai_completions:
      parse_openai(c, doc, r);
      break;
    case dialect::openai_embeddings:
      parse_embeddings(c, doc, r);
      break;
    case dialect::anthropic_messages:
      parse_anthropic(c, doc, r);
      break;
  }
  if (c.err) {
    out.error = std::move(*c.err);
    return out;
  }
  out.request = std::move(r);
  return out;
}

// Bracket nesting depth outside strings; stops counting past the limit.
bool json_nests_too_deep(std::string_view s) noexcept {
  int depth = 0;
  bool in_str = false;
  bool esc = false;
  for (const char c : s) {
    if (in_str) {
      if (esc) {
        esc = false;
      } else if (c == '\\') {
        esc = true;
      } else if (c == '"') {
        in_str = false;
      }
      continue;
    }
    if (c == '"') {
      in_str = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) {
        return true;
      }
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return false;
}

}  // namespace gb::mock
