// libFuzzer target: the scenario parser (scenario/parse.hpp, parse_scenario_text) on arbitrary
// text, with a fake environment holding a sentinel secret.
//
// Checks: never crash; an error names the file ("fuzz.yaml"); neither an error message nor the
// resolved scenario's JSON (what reports store) ever contains the secret's value, unless the
// input itself spelled it out.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "scenario/parse.hpp"
#include "scenario/to_json.hpp"

namespace {

constexpr std::string_view sentinel = "sk-gbfuzz-SENTINEL-7f3a9c";

void check(bool ok) {
  if (!ok) {
    std::abort();
  }
}

std::optional<std::string> fake_env(std::string_view name) {
  if (name == "SENTINEL_KEY" || name == "OPENAI_API_KEY") {
    return std::string(sentinel);
  }
  if (name == "HOST") {
    return std::string("127.0.0.1:9");
  }
  if (name == "EMPTY") {
    return std::string();
  }
  return std::nullopt;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(bytes), size);
  // Fragments of the sentinel in the input would make the leak check meaningless.
  const bool input_has_secret = text.find("SENTINEL-7f3a9c") != std::string_view::npos;
  const gb::scenario::env_lookup env = fake_env;
  auto sc = gb::scenario::parse_scenario_text(text, "fuzz.yaml", env);
  if (!sc) {
    check(sc.message().rfind("fuzz.yaml", 0) == 0);
    check(input_has_secret || sc.message().find(sentinel) == std::string::npos);
    return 0;
  }
  const std::string json = gb::scenario::to_json_text(*sc);
  check(!json.empty());
  check(input_has_secret || json.find(sentinel) == std::string::npos);
  return 0;
}
