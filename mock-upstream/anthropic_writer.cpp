// Anthropic Messages encodings: the full stream event sequence (message_start,
// content_block_start, ping, deltas, content_block_stop, message_delta, message_stop) and the
// non-stream message body. Thinking and tool_use blocks when the plan asks for them.
#include "text_model.hpp"
#include "wire.hpp"
#include "writer.hpp"

namespace gb::mock {

namespace {

class anthropic_writer final : public response_writer {
 public:
  anthropic_writer(const gen_request& req, const response_plan& plan, response_ident ident)
      : req_(req), plan_(plan), ident_(std::move(ident)) {
    tool_id_ = "toolu_" + ident_.id.substr(ident_.id.find('_') + 1);
    tool_name_ = req.tool_name.empty() ? "gatebench_tool" : req.tool_name;
  }

  int begin(std::string& out) override {
    out += "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"";
    out += ident_.id;
    out += R"(","type":"message","role":"assistant","model":)";
    append_json_string(out, req_.model);
    out += R"(,"content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":)";
    append_int(out, req_.prompt_tokens);
    out += R"(,"output_tokens":1}}})";
    out += "\n\n";
    block_start(out, 0, plan_.reasoning_tokens > 0);
    out += "event: ping\ndata: {\"type\": \"ping\"}\n\n";
    return 3;
  }

  int tokens(std::string& out, std::int64_t first, std::int64_t count) override {
    const std::int64_t r = plan_.reasoning_tokens;
    int n = 0;
    if (first < r) {
      delta_head(out, 0);
      out += R"("thinking_delta","thinking":")";
      append_words(out, plan_.key ^ reasoning_salt, first, count);
      out += "\"}}\n\n";
      return 1;
    }
    const int index = r > 0 ? 1 : 0;
    const std::int64_t i = first - r;
    if (i == 0 && r > 0) {
      delta_head(out, 0);
      out += R"("signature_delta","signature":"gatebench-mock-signature"}})";
      out += "\n\n";
      block_stop(out, 0);
      block_start(out, 1, false);
      n += 3;
    }
    delta_head(out, index);
    if (plan_.tool_call) {
      out += R"("input_json_delta","partial_json":")";
      if (i == 0) {
        out += R"({\"text\": \")";
      }
      append_words(out, plan_.key, i, count);
      if (i + count == plan_.output_tokens) {
        out += R"(\"})";
      }
    } else {
      out += R"("text_delta","text":")";
      append_words(out, plan_.key, i, count);
    }
    out += "\"}}\n\n";
    return n + 1;
  }

  int finish(std::string& out) override {
    block_stop(out, plan_.reasoning_tokens > 0 ? 1 : 0);
    out += "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"";
    out += stop_reason();
    out += R"(","stop_sequence":null},"usage":{"output_tokens":)";
    append_int(out, plan_.total_tokens());
    out += "}}\n\n";
    out += "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
    return 3;
  }

  int error_event(std::string& out) override {
    out += "event: error\ndata: ";
    out += error_body(vendor::anthropic, fault_error(vendor::anthropic, fault_kind::overloaded));
    out += "\n\n";
    return 1;
  }

  int malformed_event(std::string& out) override {
    out += "event: content_block_delta\ndata: ";
    out += R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"trunc)";
    out += "\n\n";
    return 1;
  }

  void body(std::string& out) override {
    out += R"({"id":")";
    out += ident_.id;
    out += R"(","type":"message","role":"assistant","model":)";
    append_json_string(out, req_.model);
    out += R"(,"content":[)";
    if (plan_.reasoning_tokens > 0) {
      out += R"({"type":"thinking","thinking":")";
      append_words(out, plan_.key ^ reasoning_salt, 0, plan_.reasoning_tokens);
      out += R"(","signature":"gatebench-mock-signature"},)";
    }
    if (plan_.tool_call) {
      out += R"({"type":"tool_use","id":")";
      out += tool_id_;
      out += R"(","name":)";
      append_json_string(out, tool_name_);
      out += R"(,"input":{"text":")";
      append_words(out, plan_.key, 0, plan_.output_tokens);
      out += R"("}})";
    } else {
      out += R"({"type":"text","text":")";
      append_words(out, plan_.key, 0, plan_.output_tokens);
      out += R"("})";
    }
    out += R"(],"stop_reason":")";
    out += stop_reason();
    out += R"(","stop_sequence":null,"usage":{"input_tokens":)";
    append_int(out, req_.prompt_tokens);
    out += R"(,"output_tokens":)";
    append_int(out, plan_.total_tokens());
    out += "}}";
  }

 private:
  const char* stop_reason() const {
    if (plan_.hit_limit) {
      return "max_tokens";
    }
    return plan_.tool_call ? "tool_use" : "end_turn";
  }

  void block_start(std::string& out, int index, bool thinking) const {
    out += "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":";
    append_int(out, index);
    if (thinking) {
      out += R"(,"content_block":{"type":"thinking","thinking":""}})";
    } else if (plan_.tool_call) {
      out += R"(,"content_block":{"type":"tool_use","id":")";
      out += tool_id_;
      out += R"(","name":)";
      append_json_string(out, tool_name_);
      out += R"(,"input":{}}})";
    } else {
      out += R"(,"content_block":{"type":"text","text":""}})";
    }
    out += "\n\n";
  }

  static void block_stop(std::string& out, int index) {
    out += "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":";
    append_int(out, index);
    out += "}\n\n";
  }

  static void delta_head(std::string& out, int index) {
    out += "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":";
    append_int(out, index);
    out += R"(,"delta":{"type":)";
  }

  const gen_request& req_;
  const response_plan& plan_;
  response_ident ident_;
  std::string tool_id_;
  std::string tool_name_;
};

}  // namespace

std::unique_ptr<response_writer> make_anthropic_writer(const gen_request& req,
                                                       const response_plan& plan,
                                                       response_ident ident) {
  return std::make_unique<anthropic_writer>(req, plan, std::move(ident));
}

}  // namespace gb::mock
