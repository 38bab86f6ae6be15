#include "report/scenario_json.hpp"

#include <string>

namespace gb::report::detail {

namespace {

using nlohmann::json;
namespace sc = gb::scenario;

template <class T>
void get_to(const json& j, const char* key, T& out) {
  if (!j.is_object()) {
    return;
  }
  auto it = j.find(key);
  if (it == j.end()) {
    return;
  }
  try {
    out = it->get<T>();
  } catch (const json::exception&) {
    // keep the default: decoding is best-effort
  }
}

const json& sub(const json& j, const char* key) {
  static const json null_json;
  if (!j.is_object()) {
    return null_json;
  }
  auto it = j.find(key);
  return it == j.end() ? null_json : *it;
}

sc::distribution dist_from(const json& j) {
  sc::distribution d;
  std::string shape = "fixed";
  get_to(j, "dist", shape);
  if (shape == "uniform") {
    d.shape = sc::distribution::kind::uniform;
  } else if (shape == "normal") {
    d.shape = sc::distribution::kind::normal;
  } else if (shape == "lognormal") {
    d.shape = sc::distribution::kind::lognormal;
  }
  get_to(j, "value", d.value);
  get_to(j, "mean", d.value);
  get_to(j, "stddev", d.stddev);
  get_to(j, "min", d.min);
  get_to(j, "max", d.max);
  return d;
}

sc::prompt_source prompts_from(const json& j) {
  sc::prompt_source p;
  std::string type = "synthetic";
  get_to(j, "type", type);
  if (type == "lines") {
    p.type = sc::prompt_source::kind::lines;
  } else if (type == "jsonl") {
    p.type = sc::prompt_source::kind::jsonl;
  } else if (type == "sharegpt") {
    p.type = sc::prompt_source::kind::sharegpt;
  }
  get_to(j, "file", p.path);
  if (!sub(j, "input_tokens").is_null()) {
    p.input_tokens = dist_from(sub(j, "input_tokens"));
  }
  get_to(j, "shared_prefix_tokens", p.shared_prefix_tokens);
  get_to(j, "system_prompt", p.system_prompt);
  return p;
}

void read_workload(const json& w, sc::workload& out) {
  get_to(w, "model", out.model);
  get_to(w, "stream", out.stream);
  get_to(w, "include_usage", out.include_usage);
  if (!sub(w, "output_tokens").is_null()) {
    out.output_tokens = dist_from(sub(w, "output_tokens"));
  }
  get_to(w, "ignore_eos", out.ignore_eos);
  if (!sub(w, "prompts").is_null()) {
    out.prompts = prompts_from(sub(w, "prompts"));
  }
  if (sub(w, "mix").is_array()) {
    for (const auto& mj : sub(w, "mix")) {
      sc::mix_entry m;
      get_to(mj, "weight", m.weight);
      get_to(mj, "model", m.model);
      get_to(mj, "target", m.target);
      if (!sub(mj, "prompts").is_null()) {
        m.prompts = prompts_from(sub(mj, "prompts"));
      }
      out.mix.push_back(std::move(m));
    }
  }
  get_to(w, "turns", out.turns);
  get_to(w, "think_time_ns", out.think_time_ns);
  get_to(w, "repeat_ratio", out.repeat_ratio);
  get_to(w, "split_by_header", out.split_by_header);
}

void read_load(const json& l, sc::load& out) {
  std::string mode = "closed";
  get_to(l, "mode", mode);
  out.mode = mode == "open" ? sc::load::model::open : sc::load::model::closed;
  std::string arrival = "constant";
  get_to(l, "arrival", arrival);
  out.process = arrival == "poisson" ? sc::load::arrival::poisson
                : arrival == "gamma" ? sc::load::arrival::gamma
                                     : sc::load::arrival::constant;
  get_to(l, "concurrency", out.concurrency);
  get_to(l, "rate", out.rate);
  get_to(l, "burstiness", out.burstiness);
  get_to(l, "duration_ns", out.duration_ns);
  get_to(l, "requests", out.requests);
  get_to(l, "warmup_ns", out.warmup_ns);
  get_to(l, "cooldown_ns", out.cooldown_ns);
  if (sub(l, "stages").is_array()) {
    for (const auto& st : sub(l, "stages")) {
      sc::stage g;
      get_to(st, "duration_ns", g.duration_ns);
      get_to(st, "target", g.target);
      out.stages.push_back(g);
    }
  }
  get_to(l, "max_in_flight", out.max_in_flight);
  get_to(l, "max_queue_wait_ns", out.max_queue_wait_ns);
  get_to(l, "threads", out.threads);
  get_to(l, "connections", out.connections);
}

}  // namespace

sc::scenario scenario_from_json(const json& j) {
  sc::scenario s;
  if (!j.is_object()) {
    return s;
  }
  get_to(j, "name", s.name);
  get_to(j, "source_file", s.source_file);
  get_to(j, "seed", s.seed);
  if (sub(j, "targets").is_array()) {
    s.targets.clear();
    for (const auto& tj : sub(j, "targets")) {
      sc::target t;
      get_to(tj, "name", t.name);
      get_to(tj, "url", t.url);
      std::string api;
      get_to(tj, "api", api);
      if (auto d = protocol::parse_dialect(api)) {
        t.api = *d;
      }
      get_to(tj, "path", t.path);
      get_to(tj, "role", t.role);
      s.targets.push_back(std::move(t));
    }
  }
  read_workload(sub(j, "workload"), s.workload);
  read_load(sub(j, "load"), s.load);
  if (sub(j, "slos").is_object()) {
    for (const auto& [metric, v] : sub(j, "slos").items()) {
      sc::slo o;
      o.metric = metric;
      get_to(v, "max_ns", o.max_ns);
      s.slos.push_back(std::move(o));
    }
  }
  if (sub(j, "thresholds").is_array()) {
    for (const auto& tj : sub(j, "thresholds")) {
      sc::threshold t;
      get_to(tj, "threshold", t.expression);
      get_to(tj, "abort_on_fail", t.abort_on_fail);
      s.thresholds.push_back(std::move(t));
    }
  }
  return s;
}

}  // namespace gb::report::detail
