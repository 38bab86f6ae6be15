// workload: section of a scenario file (prompts, token distributions, mix, sessions).
#include <filesystem>

#include "scenario/parse_parts.hpp"
#include "scenario/values.hpp"

namespace gb::scenario::detail {

namespace {

namespace fs = std::filesystem;

prompt_source::kind type_from_extension(const std::string& path) {
  const std::string ext = fs::path(path).extension().string();
  if (ext == ".jsonl" || ext == ".ndjson") {
    return prompt_source::kind::jsonl;
  }
  if (ext == ".json") {
    return prompt_source::kind::sharegpt;
  }
  return prompt_source::kind::lines;
}

prompt_source parse_prompts(const context& cx, const YAML::Node& node, prompt_source ps) {
  map_reader m(cx, node, "prompts",
               {"type", "file", "input_tokens", "shared_prefix_tokens", "system_prompt"});
  bool type_given = false;
  if (m.has("type")) {
    const std::string t = scalar(cx, m.get("type"), "prompts.type");
    type_given = true;
    if (t == "synthetic") {
      ps.type = prompt_source::kind::synthetic;
    } else if (t == "lines") {
      ps.type = prompt_source::kind::lines;
    } else if (t == "jsonl") {
      ps.type = prompt_source::kind::jsonl;
    } else if (t == "sharegpt") {
      ps.type = prompt_source::kind::sharegpt;
    } else {
      fail_at(cx, m.get("type"),
              "unknown prompts.type '" + t + "': write synthetic, lines, jsonl or sharegpt");
    }
  }
  if (m.has("file")) {
    const std::string file = scalar(cx, m.get("file"), "prompts.file");
    if (!type_given) {
      ps.type = type_from_extension(file);
    } else if (ps.type == prompt_source::kind::synthetic) {
      fail_at(cx, m.get("file"),
              "synthetic prompts read no file: remove file, or set type: "
              "lines, jsonl or sharegpt");
    }
    fs::path p(file);
    if (p.is_relative()) {
      p = cx.base_dir / p;
    }
    std::error_code ec;
    if (!fs::is_regular_file(p, ec)) {
      fail_at(cx, m.get("file"),
              "dataset file '" + file +
                  "' not found (relative paths start "
                  "at the scenario file's folder)");
    }
    ps.path = p.lexically_normal().string();
  } else if (ps.type != prompt_source::kind::synthetic && ps.path.empty()) {
    fail_at(cx, node, "prompts of this type read a file: add file: data/prompts.jsonl");
  }
  if (m.has("input_tokens")) {
    if (ps.type != prompt_source::kind::synthetic) {
      fail_at(cx, m.get("input_tokens"),
              "input_tokens shapes synthetic prompts only; a "
              "dataset's prompts keep their own length");
    }
    ps.input_tokens = distribution_at(cx, m.get("input_tokens"), "input_tokens");
  }
  if (m.has("shared_prefix_tokens")) {
    ps.shared_prefix_tokens =
        count_at(cx, m.get("shared_prefix_tokens"), "shared_prefix_tokens", 0);
  }
  if (m.has("system_prompt")) {
    ps.system_prompt = scalar(cx, m.get("system_prompt"), "system_prompt");
    if (ps.shared_prefix_tokens > 0) {
      fail_at(
          cx, m.get("system_prompt"),
          "give either system_prompt (your text) or shared_prefix_tokens (generated), not both");
    }
  }
  return ps;
}

}  // namespace

workload parse_workload(const context& cx, const YAML::Node& node,
                        const std::vector<target>& targets) {
  map_reader m(
      cx, node, "workload",
      {"model", "stream", "include_usage", "max_tokens", "output_tokens", "ignore_eos", "prompts",
       "input_tokens", "mix", "turns", "think_time", "repeat_ratio", "split_by_header", "headers"});
  workload w;
  if (m.has("model")) {
    w.model = scalar(cx, m.get("model"), "model");
    if (w.model.empty()) {
      fail_at(cx, m.get("model"), "model must not be empty");
    }
  }
  if (m.has("stream")) {
    w.stream = bool_value(cx, m.get("stream"), "stream");
  }
  if (m.has("include_usage")) {
    w.include_usage = bool_value(cx, m.get("include_usage"), "include_usage");
  }
  if (m.has("max_tokens") && m.has("output_tokens")) {
    fail_at(cx, m.get("max_tokens"),
            "give max_tokens (fixed) or output_tokens (a "
            "distribution), not both");
  }
  if (m.has("max_tokens")) {
    w.output_tokens =
        distribution{distribution::kind::fixed,
                     static_cast<double>(count_at(cx, m.get("max_tokens"), "max_tokens", 1))};
  }
  if (m.has("output_tokens")) {
    w.output_tokens = distribution_at(cx, m.get("output_tokens"), "output_tokens");
  }
  if (m.has("ignore_eos")) {
    w.ignore_eos = bool_value(cx, m.get("ignore_eos"), "ignore_eos");
  }
  if (m.has("prompts")) {
    w.prompts = parse_prompts(cx, m.get("prompts"), w.prompts);
  }
  if (m.has("input_tokens")) {
    if (w.prompts.type != prompt_source::kind::synthetic) {
      fail_at(cx, m.get("input_tokens"), "input_tokens shapes synthetic prompts only");
    }
    w.prompts.input_tokens = distribution_at(cx, m.get("input_tokens"), "input_tokens");
  }
  if (m.has("mix")) {
    const YAML::Node mix = m.get("mix");
    require_list(cx, mix, "mix", "mix: [{weight: 3, model: a}, {weight: 1, model: b}]");
    for (const auto& item : mix) {
      map_reader e(cx, item, "mix entry", {"weight", "model", "target", "prompts"});
      mix_entry entry;
      entry.prompts = w.prompts;
      if (e.has("weight")) {
        entry.weight = positive_at(cx, e.get("weight"), "weight");
      }
      if (e.has("model")) {
        entry.model = scalar(cx, e.get("model"), "model");
      }
      if (e.has("target")) {
        entry.target = scalar(cx, e.get("target"), "target");
        bool known = false;
        std::string names;
        for (const auto& t : targets) {
          known = known || t.name == entry.target;
          names += (names.empty() ? "" : ", ") + t.name;
        }
        if (!known) {
          fail_at(cx, e.get("target"),
                  "mix entry names target '" + entry.target + "', but the targets are " + names);
        }
      }
      if (e.has("prompts")) {
        entry.prompts = parse_prompts(cx, e.get("prompts"), prompt_source{});
      }
      w.mix.push_back(std::move(entry));
    }
    if (w.mix.empty()) {
      fail_at(cx, mix, "mix is empty: list at least one entry, or remove mix");
    }
  }
  if (m.has("turns")) {
    w.turns = count_at(cx, m.get("turns"), "turns", 1);
  }
  if (m.has("think_time")) {
    w.think_time_ns = duration_at(cx, m.get("think_time"), "think_time", true);
  }
  if (m.has("repeat_ratio")) {
    w.repeat_ratio =
        unwrap(cx, m.get("repeat_ratio"),
               share_value(scalar(cx, m.get("repeat_ratio"), "repeat_ratio"), "repeat_ratio"));
  }
  if (m.has("split_by_header")) {
    w.split_by_header = scalar(cx, m.get("split_by_header"), "split_by_header");
    if (auto st = check_header_name(w.split_by_header); !st) {
      fail_at(cx, m.get("split_by_header"), st.message());
    }
  }
  if (m.has("headers")) {
    w.extra_headers = headers_at(cx, m.get("headers"));
  }
  return w;
}

}  // namespace gb::scenario::detail
