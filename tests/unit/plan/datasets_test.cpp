// Prompt files: each format's records, and errors that name the file and line.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "plan/prompt_data.hpp"

namespace gb::plan {
namespace {

scenario::prompt_source source(scenario::prompt_source::kind k) {
  scenario::prompt_source s;
  s.type = k;
  return s;
}

using kind = scenario::prompt_source::kind;

TEST(Datasets, Lines) {
  auto set = parse_prompt_text(source(kind::lines), "first prompt\n\n  second one \n", "p.txt");
  ASSERT_TRUE(set) << set.message();
  ASSERT_EQ(set->records.size(), 2u);
  EXPECT_EQ(set->records[1].user_turns[0], "second one");
}

TEST(Datasets, JsonLinesPromptAndMessages) {
  const char* text =
      "{\"prompt\": \"hello there\"}\n"
      "{\"messages\": [{\"role\": \"system\", \"content\": \"be brief\"}, {\"role\": \"user\", "
      "\"content\": \"hi\"}, {\"role\": \"assistant\", \"content\": \"yo\"}, {\"role\": "
      "\"user\", \"content\": \"again\"}]}\n";
  auto set = parse_prompt_text(source(kind::jsonl), text, "p.jsonl");
  ASSERT_TRUE(set) << set.message();
  ASSERT_EQ(set->records.size(), 2u);
  EXPECT_EQ(set->records[1].system, "be brief");
  EXPECT_EQ(set->records[1].user_turns.size(), 2u);
  EXPECT_EQ(set->records[1].messages.size(), 4u);
}

struct bad {
  kind type;
  const char* text;
  const char* fragment;
};

TEST(Datasets, ErrorsNameFileAndLine) {
  const std::vector<bad> cases{
      {kind::jsonl, "{\"prompt\": \"ok\"}\n\n{\"prompt\": 5}\n", "p:3: \"prompt\" must be"},
      {kind::jsonl, "{\"prompt\": \"ok\"}\nnot json\n", "p:2: not valid JSON"},
      {kind::jsonl, "{\"text\": \"x\"}\n", "p:1: no \"prompt\" or \"messages\""},
      {kind::jsonl, "{\"conversations\": []}\n", "set prompts.type: sharegpt"},
      {kind::jsonl, "{\"messages\": [{\"role\": \"robot\", \"content\": \"x\"}]}\n",
       "p:1: unknown role 'robot'"},
      {kind::sharegpt, "{\"conversations\": [{\"from\": \"human\"}]}\n", "p:1: each turn needs"},
      {kind::sharegpt, "[{\"conversations\": []}, {\"x\": 1}]",
       "p: record 2: no \"conversations\""},
      {kind::sharegpt, "[{\"conversations\": []},\n {", "p:2: not valid JSON"},
      {kind::lines, "\n\n", "p: no usable prompts"},
  };
  for (const auto& c : cases) {
    auto set = parse_prompt_text(source(c.type), c.text, "p");
    ASSERT_FALSE(set) << c.text;
    EXPECT_NE(set.message().find(c.fragment), std::string::npos) << set.message();
  }
}

TEST(Datasets, ShareGptArrayAndLinesSkipEmpty) {
  const char* arr = R"([
    {"id": "a", "conversations": [{"from": "system", "value": "sys"}, {"from": "human", "value": "q1"},
                                  {"from": "gpt", "value": "a1"}, {"from": "human", "value": "q2"}]},
    {"id": "b", "conversations": [{"from": "gpt", "value": "orphan"}]}
  ])";
  auto set = parse_prompt_text(source(kind::sharegpt), arr, "s.json");
  ASSERT_TRUE(set) << set.message();
  ASSERT_EQ(set->records.size(), 1u);
  EXPECT_EQ(set->skipped, 1);
  EXPECT_EQ(set->records[0].system, "sys");
  EXPECT_EQ(set->records[0].user_turns, (std::vector<std::string>{"q1", "q2"}));
}

TEST(Datasets, ShippedShareGptSampleLoads) {
  const char* root = std::getenv("GATEBENCH_SOURCE_ROOT");
  ASSERT_NE(root, nullptr);
  auto src = source(kind::sharegpt);
  src.path = (std::filesystem::path(root) / "scenarios/data/sharegpt-sample.json").string();
  auto set = load_prompt_file(src);
  ASSERT_TRUE(set) << set.message();
  EXPECT_GE(set->records.size(), 10u);
  bool multi = false;
  for (const auto& r : set->records) {
    multi = multi || r.user_turns.size() >= 3;
  }
  EXPECT_TRUE(multi) << "the sample should hold conversations of 3+ turns for multi-turn runs";
}

TEST(Datasets, CountWords) {
  EXPECT_EQ(count_words(""), 0);
  EXPECT_EQ(count_words("  a  b\tc\nd "), 4);
  EXPECT_EQ(count_words("one"), 1);
}

}  // namespace
}  // namespace gb::plan
