#pragma once
// ${ENV} substitution for scenario strings (header values, URLs). Values are never echoed in
// error messages: only variable names are.

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "util/result.hpp"

namespace gb::scenario {

/// Looks a variable up; nullopt when it is not set.
using env_lookup = std::function<std::optional<std::string>(std::string_view name)>;

/// The process environment (getenv).
env_lookup process_env();

struct substituted {
  std::string value;
  bool used_env = false;  // at least one ${NAME} was replaced
};

/// Replaces every `${NAME}` in `text` (NAME: letters, digits, underscore) with its value; `$$`
/// stands for a literal `$`, and a `$` not followed by `{` or `$` is kept. Errors name the
/// missing variable ("environment variable OPENAI_API_KEY is not set") or the malformed
/// reference, never a value.
result<substituted> substitute_env(std::string_view text, const env_lookup& env);

/// Whether a header carries credentials by its name (authorization, x-api-key, api-key, cookie,
/// and names containing "token", "secret", "password" or "api-key"), case-insensitive.
bool is_secret_header_name(std::string_view name) noexcept;

}  // namespace gb::scenario
