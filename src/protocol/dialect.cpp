#include "protocol/dialect.hpp"

namespace gb::protocol {

std::string_view to_string(dialect d) noexcept {
  switch (d) {
    case dialect::openai_chat:
      return "openai-chat";
    case dialect::openai_completions:
      return "openai-completions";
    case dialect::openai_embeddings:
      return "openai-embeddings";
    case dialect::anthropic_messages:
      return "anthropic-messages";
  }
  return "unknown";
}

std::optional<dialect> parse_dialect(std::string_view name) noexcept {
  for (dialect d : {dialect::openai_chat, dialect::openai_completions, dialect::openai_embeddings,
                    dialect::anthropic_messages}) {
    if (name == to_string(d)) {
      return d;
    }
  }
  return std::nullopt;
}

std::string_view default_path(dialect d) noexcept {
  switch (d) {
    case dialect::openai_chat:
      return "/v1/chat/completions";
    case dialect::openai_completions:
      return "/v1/completions";
    case dialect::openai_embeddings:
      return "/v1/embeddings";
    case dialect::anthropic_messages:
      return "/v1/messages";
  }
  return "/";
}

bool can_stream(dialect d) noexcept {
  return d != dialect::openai_embeddings;
}

}  // namespace gb::protocol
