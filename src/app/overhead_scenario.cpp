// Reading an overhead scenario: the scenario module parses the file with its top-level
// `overhead:` section blanked out (line for line, so its messages keep the right line numbers);
// this file reads that section.
#include <yaml-cpp/yaml.h>

#include <fstream>
#include <sstream>

#include "app/overhead_runner.hpp"
#include "scenario/parse.hpp"
#include "util/units.hpp"

namespace gb::app::overhead {

namespace {

struct split_text {
  std::string scenario;  // the file with the section's lines emptied
  std::string section;   // only the section's lines (others empty)
  bool found = false;
};

bool starts_section(const std::string& line) {
  if (!line.starts_with("overhead")) {
    return false;
  }
  std::size_t i = 8;
  while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) {
    ++i;
  }
  return i < line.size() && line[i] == ':';
}

split_text split_section(const std::string& text) {
  split_text out;
  std::istringstream in(text);
  std::string line;
  bool inside = false;
  while (std::getline(in, line)) {
    if (starts_section(line)) {
      inside = true;
      out.found = true;
    } else if (inside && !line.empty() && line[0] != ' ' && line[0] != '\t' && line[0] != '#' &&
               line[0] != '\r') {
      inside = false;
    }
    (inside ? out.section : out.scenario) += line;
    out.scenario += '\n';
    out.section += '\n';
  }
  return out;
}

struct section_error {
  std::string message;
};

struct reader {
  std::string file;

  [[noreturn]] void fail(const YAML::Node& n, const std::string& m) const {
    throw section_error{file + ":" + std::to_string(n.Mark().line + 1) + ": overhead." + m};
  }
  std::string text(const YAML::Node& n, const std::string& key) const {
    if (!n.IsScalar()) {
      fail(n, key + " must be a single value");
    }
    return n.Scalar();
  }
  std::int64_t count(const YAML::Node& n, const std::string& key, std::int64_t min) const {
    auto v = parse_si_count(text(n, key));
    if (!v) {
      fail(n, key + ": " + v.message());
    }
    if (*v < min) {
      fail(n, key + " must be at least " + std::to_string(min) + ", got " + std::to_string(*v));
    }
    return *v;
  }
  double number(const YAML::Node& n, const std::string& key) const {
    auto v = parse_si_number(text(n, key));
    if (!v) {
      fail(n, key + ": " + v.message());
    }
    return *v;
  }
  std::int64_t duration(const YAML::Node& n, const std::string& key) const {
    auto v = parse_duration_ns(text(n, key));
    if (!v) {
      fail(n, key + ": " + v.message());
    }
    return *v;
  }
  bool flag(const YAML::Node& n, const std::string& key) const {
    const std::string t = text(n, key);
    if (t == "true" || t == "yes" || t == "on") {
      return true;
    }
    if (t == "false" || t == "no" || t == "off") {
      return false;
    }
    fail(n, key + " must be true or false, got '" + t + "'");
  }
  std::vector<double> numbers(const YAML::Node& n, const std::string& key) const {
    std::vector<double> out;
    if (n.IsScalar()) {
      out.push_back(number(n, key));
      return out;
    }
    if (!n.IsSequence()) {
      fail(n, key + " must be a list, e.g. [50, 100]");
    }
    for (const auto& x : n) {
      out.push_back(number(x, key));
    }
    return out;
  }
};

void read_section(const reader& rd, const YAML::Node& node, settings& set) {
  if (node.IsNull()) {
    return;
  }
  if (!node.IsMap()) {
    rd.fail(node, "the overhead section must be a mapping, e.g. overhead: {rounds: 8}");
  }
  static const std::vector<std::string> known{
      "rounds",          "round_requests", "round_duration", "round_warmup", "warmup",
      "concurrency_one", "scenario_load",  "rates",          "ceiling",      "flat_factor",
      "quantiles",       "resamples",      "confidence",     "thresholds",   "threads"};
  for (const auto& kv : node) {
    const std::string key = kv.first.as<std::string>();
    const YAML::Node& v = kv.second;
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      std::string list;
      for (const auto& k : known) {
        list += (list.empty() ? "" : ", ") + k;
      }
      rd.fail(kv.first, key + ": unknown key (known: " + list + ")");
    }
    if (key == "rounds") {
      set.rounds = rd.count(v, key, 2);
    } else if (key == "round_requests") {
      set.round_requests = rd.count(v, key, 1);
    } else if (key == "round_duration") {
      set.round_duration_ns = rd.duration(v, key);
    } else if (key == "round_warmup") {
      set.round_warmup_ns = rd.duration(v, key);
    } else if (key == "warmup") {
      set.warmup_ns = rd.duration(v, key);
    } else if (key == "concurrency_one") {
      set.concurrency_one = rd.flag(v, key);
    } else if (key == "scenario_load") {
      set.scenario_load = rd.flag(v, key);
    } else if (key == "rates") {
      set.rates = rd.numbers(v, key);
    } else if (key == "flat_factor") {
      set.flat_factor = rd.number(v, key);
    } else if (key == "quantiles") {
      set.stats.quantiles = rd.numbers(v, key);
    } else if (key == "resamples") {
      set.stats.resamples = static_cast<int>(rd.count(v, key, 100));
    } else if (key == "confidence") {
      set.stats.confidence = rd.number(v, key);
    } else if (key == "threads") {
      set.threads = rd.count(v, key, 1);
    } else if (key == "thresholds") {
      if (!v.IsSequence()) {
        rd.fail(v, "thresholds must be a list, e.g. [\"overhead:ttft:p(95)<5ms\"]");
      }
      for (const auto& t : v) {
        std::string s = rd.text(t, key);
        if (!s.starts_with("overhead:")) {
          s = "overhead:" + s;
        }
        set.thresholds.push_back(s);
      }
    } else if (key == "ceiling") {
      if (!v.IsMap()) {
        rd.fail(v, "ceiling must be a mapping, e.g. {p99: 500ms, metric: e2e}");
      }
      for (const auto& ckv : v) {
        const std::string ck = ckv.first.as<std::string>();
        if (ck == "p99") {
          set.ceiling_bound_ns = rd.duration(ckv.second, "ceiling.p99");
        } else if (ck == "metric") {
          set.ceiling_metric = rd.text(ckv.second, "ceiling.metric");
        } else {
          rd.fail(ckv.first, "ceiling." + ck + ": unknown key (known: p99, metric)");
        }
      }
    }
  }
}

}  // namespace

gb::result<loaded_scenario> load_scenario_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    return gb::fail(path, ": cannot read the scenario file");
  }
  std::stringstream ss;
  ss << f.rdbuf();
  const split_text parts = split_section(ss.str());
  auto sc = scenario::parse_scenario_text(parts.scenario, path);
  if (!sc) {
    return sc.err();
  }
  loaded_scenario out{std::move(*sc), {}};
  if (parts.found) {
    try {
      const YAML::Node root = YAML::Load(parts.section);
      read_section(reader{path}, root["overhead"], out.set);
    } catch (const section_error& e) {
      return gb::fail(e.message);
    } catch (const YAML::Exception& e) {
      return gb::fail(path, ":", std::to_string(e.mark.line + 1), ": overhead: ", e.msg);
    }
  }
  take_overhead_thresholds(out.sc, out.set);
  if (auto st = check_settings(out.set); !st) {
    return gb::fail(path, ": overhead: ", st.message());
  }
  return out;
}

}  // namespace gb::app::overhead
