#include "scenario/yaml_reader.hpp"

#include <algorithm>

#include "scenario/suggest.hpp"
#include "scenario/values.hpp"

namespace gb::scenario::detail {

std::string where(const context& cx, const YAML::Node& node) {
  if (node.IsDefined()) {
    const YAML::Mark m = node.Mark();
    if (m.line >= 0) {
      return cx.file + ":" + std::to_string(m.line + 1);
    }
  }
  return cx.file;
}

void fail_at(const context& cx, const YAML::Node& node, const std::string& message) {
  throw config_error{where(cx, node) + ": " + message};
}

map_reader::map_reader(const context& cx, const YAML::Node& node, std::string what,
                       std::vector<std::string_view> known)
    : node_(node.IsDefined() && !node.IsNull() ? node : YAML::Node(YAML::NodeType::Map)) {
  if (!node.IsDefined() || node.IsNull()) {
    return;
  }
  if (!node.IsMap()) {
    fail_at(cx, node,
            what + " must be a mapping of keys (e.g. " + what + ": {" +
                std::string(known.empty() ? "" : known.front()) + ": ...})");
  }
  std::vector<std::string> seen;
  for (auto it = node.begin(); it != node.end(); ++it) {
    const std::string key = it->first.IsScalar() ? it->first.Scalar() : std::string("?");
    if (std::find(seen.begin(), seen.end(), key) != seen.end()) {
      fail_at(cx, it->first, "key '" + key + "' appears twice in " + what + ": keep one");
    }
    seen.push_back(key);
    bool found = false;
    for (auto k : known) {
      found = found || key == k;
    }
    if (!found) {
      std::string msg = "unknown key '" + key + "' in " + what;
      const std::string near = closest(key, known);
      if (!near.empty()) {
        msg += ": did you mean '" + near + "'?";
      } else {
        msg += ": valid keys are " + join_choices(known);
      }
      fail_at(cx, it->first, msg);
    }
  }
}

bool map_reader::has(std::string_view key) const {
  return node_[std::string(key)].IsDefined();
}

YAML::Node map_reader::get(std::string_view key) const {
  const YAML::Node& n = node_;  // const access never inserts
  return n[std::string(key)];
}

std::string scalar(const context& cx, const YAML::Node& node, std::string_view what) {
  if (node.IsNull()) {
    fail_at(cx, node, std::string(what) + " has no value: write a value after the colon");
  }
  if (!node.IsScalar()) {
    fail_at(cx, node,
            std::string(what) + " must be a single value, not a " +
                (node.IsMap() ? "mapping" : "list"));
  }
  return node.Scalar();
}

bool bool_value(const context& cx, const YAML::Node& node, std::string_view what) {
  const std::string s = scalar(cx, node, what);
  for (std::string_view t : {"true", "True", "TRUE", "yes", "on"}) {
    if (s == t) {
      return true;
    }
  }
  for (std::string_view f : {"false", "False", "FALSE", "no", "off"}) {
    if (s == f) {
      return false;
    }
  }
  fail_at(cx, node, std::string(what) + " must be true or false, got '" + s + "'");
}

std::int64_t count_at(const context& cx, const YAML::Node& node, std::string_view what,
                      std::int64_t min) {
  return unwrap(cx, node, count_value(scalar(cx, node, what), what, min));
}

double positive_at(const context& cx, const YAML::Node& node, std::string_view what) {
  return unwrap(cx, node, positive_value(scalar(cx, node, what), what));
}

double number_at(const context& cx, const YAML::Node& node, std::string_view what) {
  auto r = number_value(scalar(cx, node, what));
  if (!r) {
    fail_at(cx, node, std::string(what) + ": " + r.message());
  }
  return *r;
}

std::int64_t duration_at(const context& cx, const YAML::Node& node, std::string_view what,
                         bool allow_zero) {
  return unwrap(cx, node, duration_value(scalar(cx, node, what), what, allow_zero));
}

distribution distribution_at(const context& cx, const YAML::Node& node, std::string_view what) {
  distribution d;
  const std::string w(what);
  if (node.IsScalar()) {
    d.shape = distribution::kind::fixed;
    d.value = static_cast<double>(count_at(cx, node, what, 1));
    return d;
  }
  map_reader m(cx, node, w, {"dist", "value", "mean", "stddev", "min", "max"});
  if (m.has("dist")) {
    d.shape = unwrap(cx, m.get("dist"), distribution_kind_value(scalar(cx, m.get("dist"), "dist")));
  } else if (!m.has("value")) {
    fail_at(cx, node,
            w + " needs 'dist' (fixed, uniform, normal or lognormal), e.g. {dist: "
                "normal, mean: 256, stddev: 64}");
  }
  auto num = [&](std::string_view key) {
    return number_at(cx, m.get(key), w + "." + std::string(key));
  };
  if (m.has("min")) {
    d.min = num("min");
    if (d.min < 0) {
      fail_at(cx, m.get("min"), w + ".min must not be negative");
    }
  }
  if (m.has("max")) {
    d.max = num("max");
    if (d.max < 1) {
      fail_at(cx, m.get("max"), w + ".max must be at least 1");
    }
  }
  if (d.max > 0 && d.min > d.max) {
    fail_at(cx, m.get("min"), w + ".min must not exceed max");
  }
  switch (d.shape) {
    case distribution::kind::fixed:
      if (!m.has("value") && !m.has("mean")) {
        fail_at(cx, node, w + " with dist: fixed needs 'value', e.g. {dist: fixed, value: 128}");
      }
      d.value = m.has("value") ? num("value") : num("mean");
      if (d.value < 1) {
        fail_at(cx, node, w + " value must be at least 1 token");
      }
      break;
    case distribution::kind::uniform:
      if (!m.has("min") || !m.has("max")) {
        fail_at(cx, node,
                w + " with dist: uniform needs 'min' and 'max', e.g. {dist: uniform, "
                    "min: 32, max: 512}");
      }
      d.value = 0.5 * (d.min + d.max);
      break;
    case distribution::kind::normal:
    case distribution::kind::lognormal:
      if (!m.has("mean") || !m.has("stddev")) {
        fail_at(cx, node,
                w + " needs 'mean' and 'stddev', e.g. {dist: normal, mean: 256, "
                    "stddev: 64}");
      }
      d.value = num("mean");
      d.stddev = num("stddev");
      if (d.value < 1) {
        fail_at(cx, m.get("mean"), w + ".mean must be at least 1 token");
      }
      if (d.stddev < 0) {
        fail_at(cx, m.get("stddev"), w + ".stddev must not be negative");
      }
      break;
  }
  if (m.has("value") && d.shape != distribution::kind::fixed) {
    fail_at(cx, m.get("value"), w + ": 'value' is for dist: fixed; use mean/stddev or min/max");
  }
  return d;
}

namespace {

header make_header(const context& cx, const YAML::Node& where_node, const std::string& name,
                   const std::string& raw) {
  if (auto st = check_header_name(name); !st) {
    fail_at(cx, where_node, st.message());
  }
  auto sub = substitute_env(raw, *cx.env);
  if (!sub) {
    fail_at(cx, where_node, "header '" + name + "': " + sub.message());
  }
  if (auto st = check_header_value(name, sub->value); !st) {
    fail_at(cx, where_node, st.message());
  }
  return header{name, sub->value, sub->used_env || is_secret_header_name(name)};
}

}  // namespace

std::vector<header> headers_at(const context& cx, const YAML::Node& node) {
  std::vector<header> out;
  if (node.IsNull()) {
    return out;
  }
  if (node.IsMap()) {
    for (auto it = node.begin(); it != node.end(); ++it) {
      const std::string name = scalar(cx, it->first, "header name");
      const std::string raw = scalar(cx, it->second, "header '" + name + "'");
      out.push_back(make_header(cx, it->second, name, raw));
    }
    return out;
  }
  if (node.IsSequence()) {
    for (const auto& item : node) {
      const std::string line = scalar(cx, item, "header");
      const auto colon = line.find(':');
      if (colon == std::string::npos) {
        fail_at(cx, item, "a header must read 'Name: value' (this one has no ':')");
      }
      std::string name = line.substr(0, colon);
      std::string value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') {
        value.erase(0, 1);
      }
      while (!name.empty() && name.back() == ' ') {
        name.pop_back();
      }
      out.push_back(make_header(cx, item, name, value));
    }
    return out;
  }
  fail_at(cx, node,
          "headers must be a mapping, e.g. headers: {Authorization: \"Bearer "
          "${OPENAI_API_KEY}\"}");
}

void require_list(const context& cx, const YAML::Node& node, std::string_view what,
                  std::string_view example) {
  if (!node.IsSequence()) {
    fail_at(cx, node, std::string(what) + " must be a list, e.g. " + std::string(example));
  }
}

}  // namespace gb::scenario::detail
