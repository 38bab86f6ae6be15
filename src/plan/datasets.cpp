// Prompt files: plain lines, JSON lines ({"prompt"} or {"messages"}), ShareGPT conversations
// (a JSON array or JSON lines of {"conversations": [{"from", "value"}, ...]}).
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "plan/prompt_data.hpp"

namespace gb::plan {

namespace {

using nlohmann::json;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

bool has_words(std::string_view s) {
  return count_words(s) > 0;
}

// {"messages": [{"role": ..., "content": "..."}]} or {"prompt": "..."} → record; error text
// without location (the caller adds it).
result<prompt_record> jsonl_record(const json& j) {
  if (!j.is_object()) {
    return fail("a record must be a JSON object like {\"prompt\": \"...\"}");
  }
  prompt_record rec;
  if (auto p = j.find("prompt"); p != j.end()) {
    if (!p->is_string() || !has_words(p->get_ref<const std::string&>())) {
      return fail("\"prompt\" must be a non-empty string");
    }
    rec.user_turns.push_back(p->get<std::string>());
    return rec;
  }
  auto m = j.find("messages");
  if (m == j.end()) {
    if (j.contains("conversations")) {
      return fail("this looks like ShareGPT: set prompts.type: sharegpt");
    }
    return fail(
        "no \"prompt\" or \"messages\" field: write {\"prompt\": \"...\"} or "
        "{\"messages\": [{\"role\": \"user\", \"content\": \"...\"}]}");
  }
  if (!m->is_array() || m->empty()) {
    return fail("\"messages\" must be a non-empty list");
  }
  for (const auto& msg : *m) {
    if (!msg.is_object() || !msg.contains("role") || !msg.contains("content") ||
        !msg["role"].is_string() || !msg["content"].is_string()) {
      return fail("each message needs string \"role\" and \"content\"");
    }
    const auto& role = msg["role"].get_ref<const std::string&>();
    const auto& content = msg["content"].get_ref<const std::string&>();
    if (role != "system" && role != "user" && role != "assistant") {
      return fail("unknown role '", role, "': write system, user or assistant");
    }
    rec.messages.emplace_back(role, content);
    if (role == "system" && rec.system.empty()) {
      rec.system = content;
    } else if (role == "user") {
      rec.user_turns.push_back(content);
    }
  }
  if (rec.user_turns.empty()) {
    return fail("\"messages\" has no user message");
  }
  return rec;
}

// ShareGPT: {"conversations": [{"from": "human"|"gpt"|"system", "value": "..."}]}. A record
// with no human turn gives an empty record (skipped and counted by the caller).
result<prompt_record> sharegpt_record(const json& j) {
  if (!j.is_object()) {
    return fail("a ShareGPT record must be an object with \"conversations\"");
  }
  auto c = j.find("conversations");
  if (c == j.end()) {
    if (j.contains("prompt") || j.contains("messages")) {
      return fail("this looks like JSON lines of prompts: set prompts.type: jsonl");
    }
    return fail(
        "no \"conversations\" field: write {\"conversations\": [{\"from\": \"human\", "
        "\"value\": \"...\"}]}");
  }
  if (!c->is_array()) {
    return fail("\"conversations\" must be a list");
  }
  prompt_record rec;
  for (const auto& turn : *c) {
    if (!turn.is_object() || !turn.contains("from") || !turn.contains("value") ||
        !turn["from"].is_string() || !turn["value"].is_string()) {
      return fail("each turn needs string \"from\" and \"value\"");
    }
    const auto& from = turn["from"].get_ref<const std::string&>();
    const auto& value = turn["value"].get_ref<const std::string&>();
    if (from == "human" || from == "user") {
      if (has_words(value)) {
        rec.user_turns.push_back(value);
      }
    } else if (from == "system" && rec.user_turns.empty()) {
      rec.system = value;
    }
  }
  return rec;
}

int line_of_byte(std::string_view text, std::size_t byte) {
  byte = std::min(byte, text.size());
  int line = 1;
  for (std::size_t i = 0; i < byte; ++i) {
    line += text[i] == '\n' ? 1 : 0;
  }
  return line;
}

result<prompt_set> finish(prompt_set set, const std::string& file) {
  if (set.records.empty()) {
    return fail(file, ": no usable prompts in the file");
  }
  return set;
}

}  // namespace

result<prompt_set> parse_prompt_text(const scenario::prompt_source& src, std::string_view text,
                                     const std::string& file) {
  prompt_set set;
  set.source = src;
  using kind = scenario::prompt_source::kind;
  const std::string_view body = trim(text);
  if (src.type == kind::sharegpt && !body.empty() && body.front() == '[') {
    json all;
    try {
      all = json::parse(text);
    } catch (const json::parse_error& e) {
      return fail(file, ":", std::to_string(line_of_byte(text, e.byte)), ": not valid JSON");
    }
    std::size_t n = 0;
    for (const auto& item : all) {
      ++n;
      auto rec = sharegpt_record(item);
      if (!rec) {
        return fail(file, ": record ", std::to_string(n), ": ", rec.message());
      }
      if (rec->user_turns.empty()) {
        ++set.skipped;
      } else {
        set.records.push_back(std::move(*rec));
      }
    }
    return finish(std::move(set), file);
  }
  int line_no = 0;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    const std::size_t nl = text.find('\n', pos);
    const std::string_view raw =
        text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() + 1 : nl + 1;
    ++line_no;
    const std::string_view line = trim(raw);
    if (line.empty()) {
      continue;
    }
    if (src.type == kind::lines) {
      prompt_record rec;
      rec.user_turns.emplace_back(line);
      set.records.push_back(std::move(rec));
      continue;
    }
    json j;
    try {
      j = json::parse(line);
    } catch (const json::parse_error&) {
      return fail(file, ":", std::to_string(line_no), ": not valid JSON (one record per line)");
    }
    auto rec = src.type == kind::sharegpt ? sharegpt_record(j) : jsonl_record(j);
    if (!rec) {
      return fail(file, ":", std::to_string(line_no), ": ", rec.message());
    }
    if (rec->user_turns.empty()) {
      ++set.skipped;
    } else {
      set.records.push_back(std::move(*rec));
    }
  }
  return finish(std::move(set), file);
}

result<prompt_set> load_prompt_file(const scenario::prompt_source& src) {
  std::ifstream in(src.path, std::ios::binary);
  if (!in) {
    return fail(src.path, ": cannot read the dataset file");
  }
  std::ostringstream buf;
  buf << in.rdbuf();
  return parse_prompt_text(src, buf.str(), src.path);
}

}  // namespace gb::plan
