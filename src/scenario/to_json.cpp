#include "scenario/to_json.hpp"

#include <nlohmann/json.hpp>

namespace gb::scenario {

namespace {

using nlohmann::json;

const char* kind_name(distribution::kind k) {
  switch (k) {
    case distribution::kind::fixed:
      return "fixed";
    case distribution::kind::uniform:
      return "uniform";
    case distribution::kind::normal:
      return "normal";
    case distribution::kind::lognormal:
      return "lognormal";
  }
  return "fixed";
}

const char* source_name(prompt_source::kind k) {
  switch (k) {
    case prompt_source::kind::synthetic:
      return "synthetic";
    case prompt_source::kind::lines:
      return "lines";
    case prompt_source::kind::jsonl:
      return "jsonl";
    case prompt_source::kind::sharegpt:
      return "sharegpt";
  }
  return "synthetic";
}

json dist_json(const distribution& d) {
  json j{{"dist", kind_name(d.shape)}};
  if (d.shape == distribution::kind::fixed) {
    j["value"] = d.value;
  } else if (d.shape == distribution::kind::uniform) {
    j["min"] = d.min;
    j["max"] = d.max;
  } else {
    j["mean"] = d.value;
    j["stddev"] = d.stddev;
  }
  if (d.shape != distribution::kind::uniform && d.max > 0) {
    j["min"] = d.min;
    j["max"] = d.max;
  }
  return j;
}

json headers_json(const std::vector<header>& headers) {
  json j = json::object();
  for (const auto& h : headers) {
    j[h.name] = h.secret ? std::string("[redacted]") : h.value;
  }
  return j;
}

json prompts_json(const prompt_source& p) {
  json j{{"type", source_name(p.type)}};
  if (p.type == prompt_source::kind::synthetic) {
    j["input_tokens"] = dist_json(p.input_tokens);
  } else {
    j["file"] = p.path;
  }
  if (p.shared_prefix_tokens > 0) {
    j["shared_prefix_tokens"] = p.shared_prefix_tokens;
  }
  if (!p.system_prompt.empty()) {
    j["system_prompt"] = p.system_prompt;
  }
  return j;
}

json target_json(const target& t) {
  json j{
      {"name", t.name},
      {"url", t.url_template.empty() ? t.url : t.url_template},
      {"api", std::string(protocol::to_string(t.api))},
      {"path", t.path.empty() ? std::string(protocol::default_path(t.api)) : t.path},
      {"headers", headers_json(t.headers)},
      {"tls",
       {{"verify", t.tls.verify}, {"ca_file", t.tls.ca_file}, {"server_name", t.tls.server_name}}},
      {"timeouts_ns",
       {{"connect", t.timeouts.connect_ns},
        {"first_byte", t.timeouts.first_byte_ns},
        {"idle", t.timeouts.idle_ns},
        {"total", t.timeouts.total_ns}}}};
  if (!t.role.empty()) {
    j["role"] = t.role;
  }
  return j;
}

json workload_json(const workload& w) {
  json j{{"model", w.model},
         {"stream", w.stream},
         {"include_usage", w.include_usage},
         {"output_tokens", dist_json(w.output_tokens)},
         {"ignore_eos", w.ignore_eos},
         {"prompts", prompts_json(w.prompts)},
         {"turns", w.turns},
         {"think_time_ns", w.think_time_ns},
         {"repeat_ratio", w.repeat_ratio},
         {"headers", headers_json(w.extra_headers)}};
  if (!w.split_by_header.empty()) {
    j["split_by_header"] = w.split_by_header;
  }
  if (!w.mix.empty()) {
    json mix = json::array();
    for (const auto& e : w.mix) {
      mix.push_back({{"weight", e.weight},
                     {"model", e.model},
                     {"target", e.target},
                     {"prompts", prompts_json(e.prompts)}});
    }
    j["mix"] = std::move(mix);
  }
  return j;
}

json load_json(const load& l) {
  const bool open = l.mode == load::model::open;
  json j{{"mode", open ? "open" : "closed"},
         {"concurrency", l.concurrency},
         {"duration_ns", l.duration_ns},
         {"requests", l.requests},
         {"warmup_ns", l.warmup_ns},
         {"cooldown_ns", l.cooldown_ns},
         {"threads", l.threads},
         {"connections", l.connections}};
  if (open) {
    j["rate"] = l.rate;
    j["arrival"] = l.process == load::arrival::constant  ? "constant"
                   : l.process == load::arrival::poisson ? "poisson"
                                                         : "gamma";
    if (l.process == load::arrival::gamma) {
      j["burstiness"] = l.burstiness;
    }
    j["max_in_flight"] = l.max_in_flight;
    j["max_queue_wait_ns"] = l.max_queue_wait_ns;
  }
  if (!l.stages.empty()) {
    json st = json::array();
    for (const auto& s : l.stages) {
      st.push_back({{"duration_ns", s.duration_ns}, {"target", s.target}});
    }
    j["stages"] = std::move(st);
    j["stage_start"] = l.stage_start;
  }
  return j;
}

}  // namespace

void to_json(nlohmann::json& j, const scenario& sc) {
  j = json::object();
  j["name"] = sc.name;
  j["source_file"] = sc.source_file;
  j["seed"] = sc.seed;
  json targets = json::array();
  for (const auto& t : sc.targets) {
    targets.push_back(target_json(t));
  }
  j["targets"] = std::move(targets);
  j["workload"] = workload_json(sc.workload);
  j["load"] = load_json(sc.load);
  if (sc.sweep.type != sweep::kind::none) {
    const char* kind = sc.sweep.type == sweep::kind::rates           ? "rates"
                       : sc.sweep.type == sweep::kind::concurrencies ? "concurrencies"
                                                                     : "search";
    j["sweep"] = {{"type", kind},
                  {"points", sc.sweep.points},
                  {"search_min", sc.sweep.search_min},
                  {"search_max", sc.sweep.search_max},
                  {"point_duration_ns", sc.sweep.point_duration_ns}};
  }
  json slos = json::object();
  for (const auto& s : sc.slos) {
    slos[s.metric] = {{"max_ns", s.max_ns}};
  }
  j["slos"] = std::move(slos);
  json th = json::array();
  for (const auto& t : sc.thresholds) {
    th.push_back({{"threshold", t.expression}, {"abort_on_fail", t.abort_on_fail}});
  }
  j["thresholds"] = std::move(th);
  j["output"] = {{"report", sc.output.report_path},
                 {"hgrm_dir", sc.output.hgrm_dir},
                 {"hlog", sc.output.hlog_path},
                 {"schedule", sc.output.schedule_path}};
}

std::string to_json_text(const scenario& sc) {
  json j;
  to_json(j, sc);
  return j.dump(-1, ' ', false, json::error_handler_t::replace);  // never throw on non-UTF-8
}

}  // namespace gb::scenario
