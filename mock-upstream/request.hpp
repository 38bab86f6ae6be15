#pragma once
// Parsing and validation of generation request bodies (OpenAI chat/completions/embeddings,
// Anthropic messages), and the prompt-token rule. Errors carry the vendor's 400 fields.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "protocol/dialect.hpp"

namespace gb::mock {

/// What the mock needs from a valid request body.
struct gen_request {
  protocol::dialect dialect = protocol::dialect::openai_chat;
  std::string model;
  bool stream = false;
  bool include_usage = false;              // OpenAI stream_options.include_usage
  std::optional<std::int64_t> max_tokens;  // max_completion_tokens wins over max_tokens
  std::optional<std::int64_t> min_tokens;
  bool ignore_eos = false;
  std::int64_t prompt_tokens = 0;          // the documented prompt-token rule (docs/mock.md)
  bool tool_call = false;                  // answer with a tool call (tool_choice forces one)
  std::string tool_name;                   // the first tool's name
  bool reasoning = false;                  // OpenAI reasoning_effort / Anthropic thinking enabled
  std::int64_t embedding_inputs = 0;       // number of inputs to embed
  std::optional<std::int64_t> dimensions;  // embeddings `dimensions`
  bool base64 = false;                     // embeddings encoding_format "base64"
};

/// A rejected request: HTTP status (400), the vendor error type and a message naming the field.
struct request_error {
  int status = 400;
  std::string type = "invalid_request_error";
  std::string message;
  std::string param;  // the offending field (OpenAI `param`), may be empty
};

struct parse_outcome {
  std::optional<gen_request> request;  // set when valid
  request_error error;                 // meaningful when !request
};

/// Parses and validates a body for dialect d. Never throws: malformed JSON, nesting deeper than
/// 64, missing fields and wrong types all come back as a request_error.
parse_outcome parse_request(protocol::dialect d, std::string_view body);

/// Whether the JSON text nests brackets deeper than 64 levels (outside strings), checked before
/// handing a body to a recursive parser.
bool json_nests_too_deep(std::string_view s) noexcept;

}  // namespace gb::mock
