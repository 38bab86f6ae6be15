// load: and sweep: sections of a scenario file.
#include <algorithm>

#include "scenario/parse_parts.hpp"
#include "scenario/values.hpp"

namespace gb::scenario::detail {

namespace {

stage stage_at(const context& cx, const YAML::Node& node) {
  if (node.IsScalar()) {
    return unwrap(cx, node, stage_value(node.Scalar()));
  }
  map_reader m(cx, node, "stage", {"duration", "target"});
  if (!m.has("duration") || !m.has("target")) {
    fail_at(cx, node,
            "a stage needs 'duration' and 'target', e.g. {duration: 30s, target: 100} "
            "or \"30s:100\"");
  }
  stage st;
  st.duration_ns = duration_at(cx, m.get("duration"), "stage duration", false);
  st.target = number_at(cx, m.get("target"), "stage target");
  if (st.target < 0) {
    fail_at(cx, m.get("target"), "stage target must not be negative");
  }
  return st;
}

}  // namespace

load parse_load(const context& cx, const YAML::Node& node, const sweep& sw) {
  map_reader m(
      cx, node, "load",
      {"mode", "concurrency", "rate", "arrival", "burstiness", "duration", "requests", "warmup",
       "cooldown", "stages", "max_in_flight", "max_queue_wait", "threads", "connections"});
  load ld;
  const bool sweeps_rates = sw.type == sweep::kind::rates || sw.type == sweep::kind::search;
  const bool sweeps_conc = sw.type == sweep::kind::concurrencies;
  if (m.has("mode")) {
    ld.mode = unwrap(cx, m.get("mode"), mode_value(scalar(cx, m.get("mode"), "mode")));
  } else if (m.has("rate") || m.has("arrival") || m.has("burstiness") || sweeps_rates) {
    ld.mode = load::model::open;
  }
  const bool open = ld.mode == load::model::open;
  if (sweeps_rates && !open) {
    fail_at(cx, m.get("mode"), "a sweep over rates needs open-loop load: write mode: open");
  }
  if (sweeps_conc && open) {
    fail_at(cx, m.get("mode"),
            "a sweep over concurrencies needs closed-loop load: write mode: closed");
  }
  if (m.has("concurrency")) {
    ld.concurrency = count_at(cx, m.get("concurrency"), "concurrency", 1);
  }
  if (m.has("rate")) {
    if (!open) {
      fail_at(cx, m.get("rate"),
              "rate is for open-loop load (arrivals per second): remove it or write mode: open");
    }
    ld.rate = positive_at(cx, m.get("rate"), "rate (requests per second)");
  }
  if (m.has("arrival")) {
    if (!open) {
      fail_at(cx, m.get("arrival"), "arrival is for open-loop load: write mode: open");
    }
    ld.process =
        unwrap(cx, m.get("arrival"), arrival_value(scalar(cx, m.get("arrival"), "arrival")));
  }
  if (m.has("burstiness")) {
    if (m.has("arrival") && ld.process != load::arrival::gamma) {
      fail_at(cx, m.get("burstiness"), "burstiness applies to arrival: gamma");
    }
    ld.process = load::arrival::gamma;
    ld.burstiness = positive_at(cx, m.get("burstiness"), "burstiness");
  }
  if (m.has("requests")) {
    ld.requests = count_at(cx, m.get("requests"), "requests", 1);
    ld.duration_ns = 0;  // a count alone bounds the run, unless a duration is given too
  }
  if (m.has("duration")) {
    ld.duration_ns = duration_at(cx, m.get("duration"), "duration", false);
  }
  if (m.has("warmup")) {
    ld.warmup_ns = duration_at(cx, m.get("warmup"), "warmup", true);
  }
  if (m.has("cooldown")) {
    ld.cooldown_ns = duration_at(cx, m.get("cooldown"), "cooldown", true);
  }
  if (m.has("stages")) {
    const YAML::Node st = m.get("stages");
    require_list(cx, st, "stages", "stages: [\"30s:50\", \"1m:50\", \"30s:0\"]");
    if (st.size() == 0) {
      fail_at(cx, st, "stages is empty: list at least one, e.g. [\"30s:100\"]");
    }
    if (m.has("duration")) {
      fail_at(cx, m.get("duration"),
              "stages set the main phase's length: remove duration (or the stages)");
    }
    double peak = 0;
    for (const auto& item : st) {
      ld.stages.push_back(stage_at(cx, item));
      peak = std::max(peak, ld.stages.back().target);
    }
    if (m.has("rate") && open) {
      ld.stage_start = ld.rate;
    } else if (m.has("concurrency") && !open) {
      ld.stage_start = static_cast<double>(ld.concurrency);
    }
    if (std::max(peak, ld.stage_start) <= 0) {
      fail_at(cx, st, "every stage target is 0: no load would be sent");
    }
    if (!open && std::max(peak, ld.stage_start) < 1) {
      fail_at(cx, st, "closed-loop stage targets are concurrencies: reach at least 1");
    }
    if (!m.has("requests")) {
      ld.duration_ns = 0;
    }
  }
  if (open && !m.has("rate") && ld.stages.empty() && !sweeps_rates) {
    fail_at(cx, node.IsDefined() ? node : m.node(),
            "open-loop load needs a rate: write rate: 100 (requests per second) or stages");
  }
  if (m.has("max_in_flight")) {
    ld.max_in_flight = count_at(cx, m.get("max_in_flight"), "max_in_flight", 1);
  }
  if (m.has("max_queue_wait")) {
    ld.max_queue_wait_ns = duration_at(cx, m.get("max_queue_wait"), "max_queue_wait", true);
  }
  if (m.has("threads")) {
    ld.threads = count_at(cx, m.get("threads"), "threads", 0);
  }
  if (m.has("connections")) {
    ld.connections = count_at(cx, m.get("connections"), "connections", 0);
  }
  return ld;
}

sweep parse_sweep(const context& cx, const YAML::Node& node) {
  map_reader m(cx, node, "sweep", {"rates", "concurrencies", "search", "point_duration"});
  sweep sw;
  if (!node.IsDefined() || node.IsNull()) {
    return sw;
  }
  const int kinds =
      (m.has("rates") ? 1 : 0) + (m.has("concurrencies") ? 1 : 0) + (m.has("search") ? 1 : 0);
  if (kinds != 1) {
    fail_at(cx, node,
            "a sweep takes exactly one of rates: [...], concurrencies: [...] or "
            "search: {min: 10, max: 1000}");
  }
  if (m.has("rates") || m.has("concurrencies")) {
    const bool rates = m.has("rates");
    const YAML::Node list = m.get(rates ? "rates" : "concurrencies");
    sw.type = rates ? sweep::kind::rates : sweep::kind::concurrencies;
    require_list(cx, list, rates ? "sweep.rates" : "sweep.concurrencies", "[10, 20, 50, 100]");
    if (list.size() == 0) {
      fail_at(cx, list, "the sweep has no points: list at least one");
    }
    for (const auto& p : list) {
      sw.points.push_back(rates ? positive_at(cx, p, "sweep rate")
                                : static_cast<double>(count_at(cx, p, "sweep concurrency", 1)));
    }
  } else {
    sw.type = sweep::kind::search;
    map_reader s(cx, m.get("search"), "sweep.search", {"min", "max"});
    if (!s.has("max")) {
      fail_at(cx, m.get("search"),
              "sweep.search needs max (the highest rate to try), e.g. "
              "search: {min: 10, max: 1000}");
    }
    if (s.has("min")) {
      sw.search_min = positive_at(cx, s.get("min"), "sweep.search.min");
    }
    sw.search_max = positive_at(cx, s.get("max"), "sweep.search.max");
    if (sw.search_max <= sw.search_min) {
      fail_at(cx, s.get("max"), "sweep.search.max must be above min");
    }
  }
  if (m.has("point_duration")) {
    sw.point_duration_ns = duration_at(cx, m.get("point_duration"), "point_duration", false);
  }
  return sw;
}

}  // namespace gb::scenario::detail
