#include "scenario/parse.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "scenario/parse_parts.hpp"
#include "scenario/values.hpp"
#include "util/utf8.hpp"

namespace gb::scenario {

namespace {

namespace fs = std::filesystem;
using detail::context;
using detail::fail_at;
using detail::map_reader;
using detail::scalar;
using detail::unwrap;

timeouts parse_timeouts(const context& cx, const YAML::Node& node, timeouts t) {
  map_reader m(cx, node, "timeouts", {"connect", "first_byte", "idle", "total"});
  auto read = [&](std::string_view key, std::int64_t& out) {
    if (m.has(key)) {
      out = detail::duration_at(cx, m.get(key), std::string(key) + " timeout", false);
    }
  };
  read("connect", t.connect_ns);
  read("first_byte", t.first_byte_ns);
  read("idle", t.idle_ns);
  read("total", t.total_ns);
  return t;
}

target parse_target(const context& cx, const YAML::Node& node) {
  map_reader m(cx, node, "target",
               {"name", "url", "api", "path", "headers", "tls", "timeouts", "timeout", "role"});
  target t;
  if (m.has("name")) {
    t.name = scalar(cx, m.get("name"), "target name");
    if (t.name.empty()) {
      fail_at(cx, m.get("name"), "target name must not be empty");
    }
  }
  if (m.has("url")) {
    const std::string raw = scalar(cx, m.get("url"), "url");
    auto sub = substitute_env(raw, *cx.env);
    if (!sub) {
      fail_at(cx, m.get("url"), "url: " + sub.message());
    }
    t.url = sub->value;
    if (sub->used_env) {
      t.url_template = raw;
    }
    if (auto st = check_url(t.url, sub->used_env ? raw : t.url); !st) {
      fail_at(cx, m.get("url"), st.message());
    }
    while (t.url.ends_with('/') && !t.url.ends_with("://")) {
      t.url.pop_back();
    }
  }
  if (m.has("api")) {
    t.api = unwrap(cx, m.get("api"), dialect_value(scalar(cx, m.get("api"), "api")));
  }
  if (m.has("path")) {
    t.path = scalar(cx, m.get("path"), "path");
    if (!t.path.starts_with('/')) {
      fail_at(cx, m.get("path"), "path must start with '/', e.g. /v1/chat/completions");
    }
  }
  if (m.has("headers")) {
    t.headers = detail::headers_at(cx, m.get("headers"));
  }
  if (m.has("tls")) {
    map_reader tls(cx, m.get("tls"), "tls", {"verify", "ca_file", "server_name"});
    if (tls.has("verify")) {
      t.tls.verify = detail::bool_value(cx, tls.get("verify"), "tls.verify");
    }
    if (tls.has("ca_file")) {
      t.tls.ca_file = scalar(cx, tls.get("ca_file"), "tls.ca_file");
      fs::path p(t.tls.ca_file);
      if (p.is_relative()) {
        p = cx.base_dir / p;
      }
      std::error_code ec;
      if (!fs::is_regular_file(p, ec)) {
        fail_at(cx, tls.get("ca_file"), "tls.ca_file '" + t.tls.ca_file + "' not found");
      }
      t.tls.ca_file = p.lexically_normal().string();
    }
    if (tls.has("server_name")) {
      t.tls.server_name = scalar(cx, tls.get("server_name"), "tls.server_name");
    }
  }
  if (m.has("timeout")) {
    t.timeouts.total_ns = detail::duration_at(cx, m.get("timeout"), "timeout", false);
  }
  if (m.has("timeouts")) {
    t.timeouts = parse_timeouts(cx, m.get("timeouts"), t.timeouts);
  }
  if (m.has("role")) {
    t.role = scalar(cx, m.get("role"), "role");
    if (t.role != "direct" && t.role != "gateway" && t.role != "proxy") {
      fail_at(cx, m.get("role"), "unknown role '" + t.role + "': write direct, gateway or proxy");
    }
  }
  return t;
}

std::vector<target> parse_targets(const context& cx, const map_reader& top) {
  if (top.has("target") && top.has("targets")) {
    fail_at(cx, top.get("targets"), "give target (one) or targets (a list), not both");
  }
  std::vector<target> out;
  if (top.has("target")) {
    out.push_back(parse_target(cx, top.get("target")));
    return out;
  }
  if (!top.has("targets")) {
    return {target{}};
  }
  const YAML::Node list = top.get("targets");
  detail::require_list(cx, list, "targets", "targets: [{name: gw, url: http://127.0.0.1:8080}]");
  if (list.size() == 0) {
    fail_at(cx, list, "targets is empty: list at least one target");
  }
  for (const auto& item : list) {
    target t = parse_target(cx, item);
    if (list.size() > 1 && !(item.IsMap() && item["name"].IsDefined())) {
      t.name = "target" + std::to_string(out.size() + 1);
    }
    for (const auto& prev : out) {
      if (prev.name == t.name) {
        fail_at(cx, item, "two targets are named '" + t.name + "': give each a unique name");
      }
    }
    out.push_back(std::move(t));
  }
  return out;
}

std::vector<slo> parse_slos(const context& cx, const YAML::Node& node) {
  map_reader m(cx, node, "slos", {"ttft", "tpot", "itl", "e2e", "ttfb"});
  std::vector<slo> out;
  for (auto it = m.node().begin(); it != m.node().end(); ++it) {
    const std::string metric = it->first.Scalar();
    slo s;
    s.metric = metric;
    s.max_ns = detail::duration_at(cx, it->second, "slo " + metric, false);
    s.source = detail::where(cx, it->second);
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<threshold> parse_thresholds(const context& cx, const YAML::Node& node) {
  std::vector<threshold> out;
  if (node.IsNull()) {
    return out;
  }
  detail::require_list(cx, node, "thresholds", "thresholds: [\"ttft:p(95)<500ms\"]");
  for (const auto& item : node) {
    threshold t;
    if (item.IsMap()) {
      map_reader m(cx, item, "threshold", {"threshold", "abort_on_fail"});
      if (!m.has("threshold")) {
        fail_at(cx, item, "write {threshold: \"ttft:p(95)<500ms\", abort_on_fail: true}");
      }
      t.expression = scalar(cx, m.get("threshold"), "threshold");
      if (m.has("abort_on_fail")) {
        t.abort_on_fail = detail::bool_value(cx, m.get("abort_on_fail"), "abort_on_fail");
      }
    } else {
      t.expression = scalar(cx, item, "threshold");
    }
    if (auto st = check_threshold(t.expression); !st) {
      fail_at(cx, item, st.message());
    }
    t.source = detail::where(cx, item);
    out.push_back(std::move(t));
  }
  return out;
}

output parse_output(const context& cx, const YAML::Node& node) {
  map_reader m(cx, node, "output", {"report", "hgrm_dir", "hlog", "schedule"});
  output o;
  auto read = [&](std::string_view key, std::string& out) {
    if (m.has(key)) {
      out = scalar(cx, m.get(key), "output." + std::string(key));
    }
  };
  read("report", o.report_path);
  read("hgrm_dir", o.hgrm_dir);
  read("hlog", o.hlog_path);
  read("schedule", o.schedule_path);
  return o;
}

std::uint64_t parse_seed(const context& cx, const YAML::Node& node) {
  const std::string s = scalar(cx, node, "seed");
  std::uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size()) {
    fail_at(cx, node,
            "seed must be a whole number from 0 to 18446744073709551615, got '" + s + "'");
  }
  return v;
}

scenario parse_root(const context& cx, const YAML::Node& root) {
  map_reader top(cx, root, "the scenario",
                 {"name", "seed", "target", "targets", "workload", "load", "sweep", "slos",
                  "thresholds", "output", "overhead"});
  // `overhead:` belongs to `gatebench overhead` (src/app/overhead_scenario.cpp reads it;
  // docs/overhead.md); a plain run ignores it.
  scenario sc;
  if (top.has("name")) {
    sc.name = scalar(cx, top.get("name"), "name");
  }
  if (top.has("seed")) {
    sc.seed = parse_seed(cx, top.get("seed"));
  }
  sc.targets = parse_targets(cx, top);
  sc.workload = detail::parse_workload(cx, top.get("workload"), sc.targets);
  sc.sweep = detail::parse_sweep(cx, top.get("sweep"));
  sc.load = detail::parse_load(cx, top.get("load"), sc.sweep);
  if (top.has("slos")) {
    sc.slos = parse_slos(cx, top.get("slos"));
  }
  if (sc.sweep.type == sweep::kind::search && sc.slos.empty()) {
    fail_at(cx, top.get("sweep"),
            "a sweep search needs slos to judge each rate, e.g. slos: {ttft: 500ms}");
  }
  if (top.has("thresholds")) {
    sc.thresholds = parse_thresholds(cx, top.get("thresholds"));
  }
  sc.output = parse_output(cx, top.get("output"));
  return sc;
}

}  // namespace

result<scenario> parse_scenario_text(std::string_view text, const std::string& name_for_messages,
                                     const env_lookup& env) {
  context cx;
  cx.file = name_for_messages;
  cx.env = &env;
  const fs::path as_path(name_for_messages);
  cx.base_dir = as_path.has_parent_path() ? as_path.parent_path() : fs::path(".");
  if (const std::size_t bad = first_invalid_utf8(text); bad != std::string_view::npos) {
    // yaml-cpp passes such bytes through into strings that no report could hold.
    const std::string_view before = text.substr(0, bad);
    const std::size_t line =
        1 + static_cast<std::size_t>(std::count(before.begin(), before.end(), '\n'));
    const std::size_t line_start = before.rfind('\n');
    const std::size_t column =
        bad - (line_start == std::string_view::npos ? 0 : line_start + 1) + 1;
    char byte[8];
    std::snprintf(byte, sizeof byte, "0x%02X", static_cast<unsigned char>(text[bad]));
    return fail(cx.file, ":", std::to_string(line), ": byte ", byte, " at column ",
                std::to_string(column),
                " is not UTF-8 (scenario files are UTF-8 text; re-save the file as UTF-8)");
  }
  try {
    const YAML::Node root = YAML::Load(std::string(text));
    scenario sc = parse_root(cx, root);
    if (!(root.IsMap() && root["name"].IsDefined())) {
      const std::string stem = as_path.stem().string();
      sc.name = stem.empty() ? "scenario" : stem;
    }
    return sc;
  } catch (const detail::config_error& e) {
    return error{e.message};
  } catch (const YAML::Exception& e) {
    std::string where = cx.file;
    if (e.mark.line >= 0) {
      where += ":" + std::to_string(e.mark.line + 1);
    }
    return fail(where, ": not valid YAML: ", e.msg);
  }
}

result<scenario> parse_scenario_file(const std::string& path, const env_lookup& env) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return fail(path, ": cannot read the scenario file (does it exist?)");
  }
  std::ostringstream buf;
  buf << in.rdbuf();
  auto sc = parse_scenario_text(buf.str(), path, env);
  if (sc) {
    sc->source_file = path;
  }
  return sc;
}

}  // namespace gb::scenario
