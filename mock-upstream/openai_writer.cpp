// OpenAI encodings: chat.completion(.chunk), text_completion, embeddings, models.
#include <cstring>

#include "distribution.hpp"
#include "text_model.hpp"
#include "wire.hpp"
#include "writer.hpp"

namespace gb::mock {

std::unique_ptr<response_writer> make_anthropic_writer(const gen_request& req,
                                                       const response_plan& plan,
                                                       response_ident ident);

namespace {

class openai_writer final : public response_writer {
 public:
  openai_writer(const gen_request& req, const response_plan& plan, response_ident ident)
      : req_(req), plan_(plan), ident_(std::move(ident)) {
    chat_ = req.dialect == protocol::dialect::openai_chat;
    call_id_ = "call_" + ident_.id.substr(ident_.id.find('-') + 1);
    tool_name_ = req.tool_name.empty() ? "gatebench_tool" : req.tool_name;
  }

  int begin(std::string& out) override {
    if (!chat_) {
      return 0;
    }
    out += "data: ";
    out += head();
    out +=
        R"({"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null})";
    out += tail_;
    out += "\n\n";
    return 1;
  }

  int tokens(std::string& out, std::int64_t first, std::int64_t count) override {
    out += "data: ";
    out += head();
    const std::int64_t r = plan_.reasoning_tokens;
    if (!chat_) {
      out += R"({"text":")";
      append_words(out, plan_.key, first - r, count);
      out += R"(","index":0,"logprobs":null,"finish_reason":null})";
    } else if (first < r) {
      out += R"({"index":0,"delta":{"reasoning_content":")";
      append_words(out, plan_.key ^ reasoning_salt, first, count);
      out += R"("},"logprobs":null,"finish_reason":null})";
    } else if (plan_.tool_call) {
      const std::int64_t i = first - r;
      out += R"({"index":0,"delta":{"tool_calls":[{"index":0,)";
      if (i == 0) {
        out += R"("id":")";
        out += call_id_;
        out += R"(","type":"function","function":{"name":)";
        append_json_string(out, tool_name_);
        out += R"(,"arguments":"{\"text\":\")";
      } else {
        out += R"("function":{"arguments":")";
      }
      append_words(out, plan_.key, i, count);
      if (i + count == plan_.output_tokens) {
        out += R"(\"})";
      }
      out += R"("}}]},"logprobs":null,"finish_reason":null})";
    } else {
      out += R"({"index":0,"delta":{"content":")";
      append_words(out, plan_.key, first - r, count);
      out += R"("},"logprobs":null,"finish_reason":null})";
    }
    out += tail_;
    out += "\n\n";
    return 1;
  }

  int finish(std::string& out) override {
    out += "data: ";
    out += head();
    if (chat_) {
      out += R"({"index":0,"delta":{},"logprobs":null,"finish_reason":")";
    } else {
      out += R"({"text":"","index":0,"logprobs":null,"finish_reason":")";
    }
    out += finish_reason();
    out += R"("})";
    out += tail_;
    out += "\n\n";
    int n = 1;
    if (req_.include_usage) {
      out += "data: ";
      out += head();
      out += R"(],"usage":)";
      append_usage(out);
      out += "}\n\n";
      ++n;
    }
    out += "data: [DONE]\n\n";
    return n + 1;
  }

  int error_event(std::string& out) override {
    out += "data: ";
    out += error_body(vendor::openai, fault_error(vendor::openai, fault_kind::stream_error));
    out += "\n\n";
    return 1;
  }

  int malformed_event(std::string& out) override {
    out += "data: ";
    out += head();
    out += R"({"index":0,"delta":{"content":"trunc)";
    out += "\n\n";
    return 1;
  }

  void body(std::string& out) override {
    const std::int64_t r = plan_.reasoning_tokens;
    out += R"({"id":")";
    out += ident_.id;
    out += chat_ ? R"(","object":"chat.completion","created":)"
                 : R"(","object":"text_completion","created":)";
    append_int(out, ident_.created);
    out += R"(,"model":)";
    append_json_string(out, req_.model);
    if (!chat_) {
      out += R"(,"choices":[{"text":")";
      append_words(out, plan_.key, 0, plan_.output_tokens);
      out += R"(","index":0,"logprobs":null,"finish_reason":")";
    } else {
      out +=
          R"(,"system_fingerprint":"fp_gatebench","choices":[{"index":0,"message":{"role":"assistant",)";
      if (plan_.tool_call) {
        out += R"("content":null,"tool_calls":[{"id":")";
        out += call_id_;
        out += R"(","type":"function","function":{"name":)";
        append_json_string(out, tool_name_);
        out += R"(,"arguments":"{\"text\":\")";
        append_words(out, plan_.key, 0, plan_.output_tokens);
        out += R"(\"}"}}])";
      } else {
        out += R"("content":")";
        append_words(out, plan_.key, 0, plan_.output_tokens);
        out += '"';
      }
      if (r > 0) {
        out += R"(,"reasoning_content":")";
        append_words(out, plan_.key ^ reasoning_salt, 0, r);
        out += '"';
      }
      out += R"(,"refusal":null},"logprobs":null,"finish_reason":")";
    }
    out += finish_reason();
    out += R"("}],"usage":)";
    append_usage(out);
    out += "}";
  }

 private:
  // The prefix shared by every chunk, built on first use (a non-stream answer never needs it).
  const std::string& head() {
    if (head_.empty()) {
      // {"id":…,"object":…,"created":…,"model":…,"choices":[
      head_ = R"({"id":")";
      head_ += ident_.id;
      head_ += chat_ ? R"(","object":"chat.completion.chunk","created":)"
                     : R"(","object":"text_completion","created":)";
      append_int(head_, ident_.created);
      head_ += R"(,"model":)";
      append_json_string(head_, req_.model);
      if (chat_) {
        head_ += R"(,"system_fingerprint":"fp_gatebench")";
      }
      head_ += R"(,"choices":[)";
      tail_ = req_.include_usage ? R"(],"usage":null})" : "]}";
    }
    return head_;
  }

  const char* finish_reason() const {
    if (plan_.hit_limit) {
      return "length";
    }
    return chat_ && plan_.tool_call ? "tool_calls" : "stop";
  }

  void append_usage(std::string& out) const {
    const std::int64_t c = plan_.total_tokens();
    out += R"({"prompt_tokens":)";
    append_int(out, req_.prompt_tokens);
    out += R"(,"completion_tokens":)";
    append_int(out, c);
    out += R"(,"total_tokens":)";
    append_int(out, req_.prompt_tokens + c);
    if (plan_.reasoning_tokens > 0) {
      out += R"(,"completion_tokens_details":{"reasoning_tokens":)";
      append_int(out, plan_.reasoning_tokens);
      out += "}";
    }
    out += "}";
  }

  const gen_request& req_;
  const response_plan& plan_;
  response_ident ident_;
  bool chat_ = true;
  std::string head_;
  std::string tail_;
  std::string call_id_;
  std::string tool_name_;
};

void append_base64(std::string& out, const unsigned char* p, std::size_t n) {
  static constexpr char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::size_t i = 0;
  for (; i + 3 <= n; i += 3) {
    const unsigned v = (p[i] << 16) | (p[i + 1] << 8) | p[i + 2];
    out.push_back(tbl[(v >> 18) & 63]);
    out.push_back(tbl[(v >> 12) & 63]);
    out.push_back(tbl[(v >> 6) & 63]);
    out.push_back(tbl[v & 63]);
  }
  if (n - i == 1) {
    const unsigned v = p[i] << 16;
    out.push_back(tbl[(v >> 18) & 63]);
    out.push_back(tbl[(v >> 12) & 63]);
    out += "==";
  } else if (n - i == 2) {
    const unsigned v = (p[i] << 16) | (p[i + 1] << 8);
    out.push_back(tbl[(v >> 18) & 63]);
    out.push_back(tbl[(v >> 12) & 63]);
    out.push_back(tbl[(v >> 6) & 63]);
    out.push_back('=');
  }
}

}  // namespace

std::unique_ptr<response_writer> make_writer(const gen_request& req, const response_plan& plan,
                                             response_ident ident) {
  if (req.dialect == protocol::dialect::anthropic_messages) {
    return make_anthropic_writer(req, plan, std::move(ident));
  }
  return std::make_unique<openai_writer>(req, plan, std::move(ident));
}

void embeddings_body(std::string& out, const gen_request& req, std::uint64_t key,
                     std::int64_t default_dims) {
  const std::int64_t dims = req.dimensions.value_or(default_dims);
  const std::int64_t inputs = std::max<std::int64_t>(1, req.embedding_inputs);
  out += R"({"object":"list","data":[)";
  std::string raw;
  for (std::int64_t i = 0; i < inputs; ++i) {
    if (i > 0) {
      out += ',';
    }
    out += R"({"object":"embedding","index":)";
    append_int(out, i);
    out += R"(,"embedding":)";
    rng r(key + static_cast<std::uint64_t>(i));
    if (req.base64) {
      raw.resize(static_cast<std::size_t>(dims) * 4);
      for (std::int64_t d = 0; d < dims; ++d) {
        const float f = static_cast<float>(r.uniform01() * 2 - 1);
        std::memcpy(raw.data() + d * 4, &f, 4);  // little-endian hosts
      }
      out += '"';
      append_base64(out, reinterpret_cast<const unsigned char*>(raw.data()), raw.size());
      out += '"';
    } else {
      out += '[';
      char buf[24];
      for (std::int64_t d = 0; d < dims; ++d) {
        const int n =
            std::snprintf(buf, sizeof buf, d == 0 ? "%.6f" : ",%.6f", r.uniform01() * 2 - 1);
        out.append(buf, static_cast<std::size_t>(n));
      }
      out += ']';
    }
    out += '}';
  }
  out += R"(],"model":)";
  append_json_string(out, req.model);
  out += R"(,"usage":{"prompt_tokens":)";
  append_int(out, req.prompt_tokens);
  out += R"(,"total_tokens":)";
  append_int(out, req.prompt_tokens);
  out += "}}";
}

std::string models_body(const std::vector<std::string>& models, std::int64_t created) {
  std::string out = R"({"object":"list","data":[)";
  for (std::size_t i = 0; i < models.size(); ++i) {
    if (i > 0) {
      out += ',';
    }
    out += R"({"id":)";
    append_json_string(out, models[i]);
    out += R"(,"object":"model","created":)";
    append_int(out, created);
    out += R"(,"owned_by":"gatebench","type":"model","display_name":)";
    append_json_string(out, models[i]);
    out += "}";
  }
  out += R"(],"has_more":false})";
  return out;
}

}  // namespace gb::mock
