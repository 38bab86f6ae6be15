// Every shipped scenario in scenarios/ parses (GATEBENCH_SOURCE_ROOT is set by meson).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "scenario/parse.hpp"

namespace gb::scenario {
namespace {

namespace fs = std::filesystem;

TEST(ShippedScenarios, AllParse) {
  const char* root = std::getenv("GATEBENCH_SOURCE_ROOT");
  ASSERT_NE(root, nullptr) << "run through meson test (sets GATEBENCH_SOURCE_ROOT)";
  const fs::path dir = fs::path(root) / "scenarios";
  int n = 0;
  const env_lookup env = [](std::string_view) -> std::optional<std::string> {
    return std::string("test-value");
  };
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() != ".yaml") {
      continue;
    }
    ++n;
    auto sc = parse_scenario_file(entry.path().string(), env);
    EXPECT_TRUE(sc) << sc.message();
  }
  EXPECT_GE(n, 11) << "scenarios/ should hold quickstart, one per dialect, and the load models";
  for (const char* must : {"quickstart.yaml", "openai-chat.yaml", "openai-completions.yaml",
                           "openai-embeddings.yaml", "anthropic-messages.yaml"}) {
    EXPECT_TRUE(fs::exists(dir / must)) << must;
  }
}

}  // namespace
}  // namespace gb::scenario
