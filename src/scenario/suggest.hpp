#pragma once
// "Did you mean ...?" for unknown keys and names.

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace gb::scenario {

/// The candidate closest to `word` by edit distance (case-insensitive), or "" when none is
/// close enough to be a plausible typo (distance above a third of the word's length, min 2).
std::string closest(std::string_view word, const std::vector<std::string_view>& candidates);

/// "a, b or c" for messages.
std::string join_choices(const std::vector<std::string_view>& choices);

}  // namespace gb::scenario
