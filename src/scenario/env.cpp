#include "scenario/env.hpp"

#include <cctype>
#include <cstdlib>

namespace gb::scenario {

env_lookup process_env() {
  return [](std::string_view name) -> std::optional<std::string> {
    const std::string key(name);
    const char* v = std::getenv(key.c_str());
    if (v == nullptr) {
      return std::nullopt;
    }
    return std::string(v);
  };
}

result<substituted> substitute_env(std::string_view text, const env_lookup& env) {
  substituted out;
  out.value.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c != '$' || i + 1 >= text.size()) {
      out.value.push_back(c);
      ++i;
      continue;
    }
    if (text[i + 1] == '$') {
      out.value.push_back('$');
      i += 2;
      continue;
    }
    if (text[i + 1] != '{') {
      out.value.push_back(c);
      ++i;
      continue;
    }
    const std::size_t close = text.find('}', i + 2);
    if (close == std::string_view::npos) {
      return fail("unterminated ${...} reference: write ${NAME} (or $$ for a literal $)");
    }
    const std::string_view name = text.substr(i + 2, close - i - 2);
    bool valid = !name.empty() && std::isdigit(static_cast<unsigned char>(name[0])) == 0;
    for (char n : name) {
      valid = valid && (std::isalnum(static_cast<unsigned char>(n)) != 0 || n == '_');
    }
    if (!valid) {
      return fail("bad environment reference '${", std::string(name),
                  "}': a name is letters, digits and underscores, e.g. ${OPENAI_API_KEY}");
    }
    auto value = env(name);
    if (!value) {
      return fail("environment variable ", std::string(name),
                  " is not set: export it before the run, or remove the reference");
    }
    out.value += *value;
    out.used_env = true;
    i = close + 1;
  }
  return out;
}

bool is_secret_header_name(std::string_view name) noexcept {
  std::string lower;
  lower.reserve(name.size());
  for (char c : name) {
    lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  for (std::string_view exact :
       {"authorization", "proxy-authorization", "x-api-key", "api-key", "cookie", "set-cookie"}) {
    if (lower == exact) {
      return true;
    }
  }
  for (std::string_view part : {"token", "secret", "password", "api-key", "apikey"}) {
    if (lower.find(part) != std::string::npos) {
      return true;
    }
  }
  return false;
}

}  // namespace gb::scenario
