#pragma once
// The API dialects gatebench speaks (shared/design/wire-formats.md).

#include <cstdint>
#include <optional>
#include <string_view>

namespace gb::protocol {

enum class dialect : std::uint8_t {
  openai_chat,         // POST /v1/chat/completions
  openai_completions,  // POST /v1/completions
  openai_embeddings,   // POST /v1/embeddings (never streams)
  anthropic_messages,  // POST /v1/messages
};

/// The scenario/CLI name: "openai-chat", "openai-completions", "openai-embeddings",
/// "anthropic-messages".
std::string_view to_string(dialect d) noexcept;

/// Parses a scenario/CLI name (as to_string); nullopt for anything else.
std::optional<dialect> parse_dialect(std::string_view name) noexcept;

/// The request path relative to the API base, e.g. "/v1/chat/completions".
std::string_view default_path(dialect d) noexcept;

/// Whether the dialect can stream (embeddings cannot).
bool can_stream(dialect d) noexcept;

}  // namespace gb::protocol
