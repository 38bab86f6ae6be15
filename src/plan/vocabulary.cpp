// The synthetic prompt vocabulary: common English words, one word ≈ one token.
#include "plan/prompt_data.hpp"

namespace gb::plan {

std::vector<std::string> default_vocabulary() {
  static constexpr const char* words[] = {
      "the",       "of",      "and",       "to",        "in",         "is",       "that",
      "for",       "it",      "as",        "was",       "with",       "be",       "by",
      "on",        "not",     "he",        "this",      "are",        "or",       "his",
      "from",      "at",      "which",     "but",       "have",       "an",       "had",
      "they",      "you",     "were",      "their",     "one",        "all",      "we",
      "can",       "her",     "has",       "there",     "been",       "if",       "more",
      "when",      "will",    "would",     "who",       "so",         "no",       "time",
      "people",    "year",    "way",       "day",       "thing",      "man",      "world",
      "life",      "hand",    "part",      "child",     "eye",        "woman",    "place",
      "work",      "week",    "case",      "point",     "number",     "group",    "problem",
      "fact",      "system",  "program",   "question",  "government", "company",  "service",
      "water",     "room",    "mother",    "area",      "money",      "story",    "month",
      "lot",       "right",   "study",     "book",      "job",        "word",     "business",
      "issue",     "side",    "kind",      "head",      "house",      "friend",   "father",
      "power",     "hour",    "game",      "line",      "end",        "member",   "law",
      "car",       "city",    "name",      "team",      "minute",     "idea",     "kid",
      "body",      "back",    "parent",    "face",      "others",     "level",    "office",
      "door",      "health",  "person",    "art",       "war",        "history",  "party",
      "result",    "change",  "morning",   "reason",    "research",   "girl",     "guy",
      "moment",    "air",     "teacher",   "force",     "education",  "good",     "new",
      "first",     "last",    "long",      "great",     "little",     "own",      "other",
      "old",       "big",     "high",      "different", "small",      "large",    "next",
      "early",     "young",   "important", "few",       "public",     "bad",      "same",
      "able",      "explain", "describe",  "compare",   "list",       "write",    "summarize",
      "translate", "answer",  "consider",  "analyze",   "design",     "build",    "measure",
      "improve",   "quickly", "carefully", "briefly",   "clearly",    "often",    "always",
      "never",     "usually", "network",   "server",    "request",    "response", "latency",
      "cache",     "gateway", "model",     "token",     "stream",     "message",  "prompt",
      "context",   "memory",  "signal",    "energy",    "river",      "mountain", "forest",
      "ocean",     "garden",  "window",    "kitchen",   "street",     "music",    "picture",
      "letter",    "paper",   "table",     "chair",     "light",      "color",    "north",
      "south",     "east",    "west",      "summer",    "winter",     "spring",   "autumn",
      "red",       "green",   "blue",      "yellow",    "simple",     "complex",  "quiet",
      "bright",
  };
  return {std::begin(words), std::end(words)};
}

}  // namespace gb::plan
