#include "export/live_accumulator.hpp"

namespace gb::exporter {

live_series& live_accumulator::at(std::string_view target, std::string_view phase) {
  auto key = std::make_pair(std::string(target), std::string(phase));
  auto it = series_.find(key);
  if (it == series_.end()) {
    live_series s;
    s.target = key.first;
    s.phase = key.second;
    s.finished["ok"] = 0;
    it = series_.emplace(std::move(key), std::move(s)).first;
  }
  return it->second;
}

void live_accumulator::add(std::string_view target, std::string_view phase,
                           const interval_delta& d) {
  live_series& s = at(target, phase);
  s.started += d.started;
  if (d.by_outcome != nullptr) {
    for (std::size_t o = 0; o < metrics::outcome_count; ++o) {
      s.finished[std::string(to_string(static_cast<metrics::outcome>(o)))] += (*d.by_outcome)[o];
    }
  } else {
    s.finished["ok"] += d.ok;
    s.finished["error"] += d.errors;
  }
  s.input_tokens += d.input_tokens;
  s.output_tokens += d.output_tokens;
  if (d.in_flight >= 0) {
    s.in_flight = d.in_flight;
  } else {
    std::int64_t finished = 0;
    for (const auto& [name, n] : s.finished) {
      finished += n;
    }
    s.in_flight = s.started - finished;
  }
  if (d.ttft != nullptr) {
    s.ttft.add(*d.ttft);
  }
  if (d.itl != nullptr) {
    s.itl.add(*d.itl);
  }
  if (d.e2e != nullptr) {
    s.e2e.add(*d.e2e);
  }
  if (d.tpot != nullptr) {
    s.tpot.add(*d.tpot);
    s.has_tpot = true;
  }
}

void live_accumulator::set_in_flight(std::string_view target, std::string_view phase,
                                     std::int64_t n) {
  at(target, phase).in_flight = n;
}

live_view live_accumulator::view(const run_labels& labels) const {
  live_view v;
  v.labels = labels;
  for (const auto& [key, s] : series_) {
    v.series.push_back(&s);
  }
  return v;
}

}  // namespace gb::exporter
