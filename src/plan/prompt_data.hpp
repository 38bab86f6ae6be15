#pragma once
// Internal to src/plan (and its tests): prompts loaded from files and the synthetic vocabulary.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "plan/workload.hpp"
#include "util/words.hpp"

namespace gb::plan {

/// One dataset record: a conversation reduced to what a request needs.
struct prompt_record {
  std::string system;                   // system prompt, if the record has one
  std::vector<std::string> user_turns;  // the user's turns in order (at least one)
  /// JSON lines {"messages": [...]}: the exact messages (role, content) for single-turn
  /// requests; empty for other records.
  std::vector<std::pair<std::string, std::string>> messages;
};

/// The records of one prompt source (empty for synthetic sources).
struct prompt_set {
  scenario::prompt_source source;
  std::vector<prompt_record> records;
  std::string shared_prefix;  // the system prompt every request of the source carries, if any
  std::int64_t shared_prefix_words = 0;
  bool shared_prefix_plain = false;  // protocol::json_plain(shared_prefix)
  std::int64_t skipped = 0;          // records without a usable user turn (ShareGPT), skipped
};

struct prompt_data {
  std::vector<std::string> vocabulary;  // synthetic prompts: one word ≈ one token
  /// A long run of random vocabulary words separated by single spaces, and the offset of each
  /// word in it (plus one past the end): synthetic prompts copy runs of it instead of drawing
  /// every word, which keeps long prompts cheap to build.
  std::string word_pool;
  std::vector<std::uint32_t> word_starts;
  /// Every vocabulary word is protocol::json_plain, so synthetic texts need no JSON escaping.
  bool vocabulary_plain = false;
  /// The vocabulary again as 16-byte slots, for drawing words one by one with a single 16-byte
  /// copy each: a space, the word, then padding, the word's length in the last byte. Empty when
  /// a word is empty or longer than 14 bytes.
  struct word_slot {
    char bytes[16];
  };
  std::vector<word_slot> word_slots;
  std::vector<prompt_set> sources;  // [0]: the workload's prompts; [1 + i]: mix entry i
};

/// Reads the prompt file of `src` (lines, jsonl or sharegpt). Errors name "FILE:LINE: ..." for
/// JSON lines, or "FILE: record N: ..." inside a JSON array.
result<prompt_set> load_prompt_file(const scenario::prompt_source& src);

/// The same from text already in memory; `file` names it in messages.
result<prompt_set> parse_prompt_text(const scenario::prompt_source& src, std::string_view text,
                                     const std::string& file);

/// The fixed synthetic vocabulary (a few hundred common English words).
std::vector<std::string> default_vocabulary();

}  // namespace gb::plan
