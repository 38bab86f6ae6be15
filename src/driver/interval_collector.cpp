#include "driver/interval_collector.hpp"

#include <algorithm>

#include "metrics/hdr_codec.hpp"
#include "plan/phases.hpp"

namespace gb::driver {

interval_collector::interval_collector(int workers, std::int64_t interval_ns)
    : workers_(workers),
      interval_ns_(interval_ns),
      posted_(workers, 0),
      done_(workers, false),
      dropped_(workers, 0) {}

void interval_collector::add(interval_snapshot&& s) {
  pending& p = pending_[s.index];
  for (auto& part : s.parts) {
    auto key = std::make_pair(part.target, static_cast<int>(part.phase));
    auto it = p.parts.find(key);
    if (it == p.parts.end()) {
      p.parts.emplace(key, std::move(part.accum));
    } else {
      it->second.merge(part.accum);
    }
  }
  p.in_flight += s.in_flight;
  p.queued += s.queued;
  posted_[s.worker] = s.index + 1;
  dropped_[s.worker] = s.dropped_total;
  if (s.last) {
    done_[s.worker] = true;
  }
  finalize_ready();
}

void interval_collector::finalize_ready() {
  while (!pending_.empty()) {
    auto it = pending_.begin();
    bool ready = true;
    for (int w = 0; w < workers_; ++w) {
      if (!done_[w] && posted_[w] <= it->first) {
        ready = false;
        break;
      }
    }
    if (!ready) {
      return;
    }
    finalize(it->first, it->second);
    pending_.erase(it);
  }
}

void interval_collector::finalize(std::int64_t index, pending& p) {
  std::int64_t finished = 0;
  for (auto& [key, acc] : p.parts) {
    metrics::interval_point pt;
    pt.start_ns = start_ns_ + index * interval_ns_;
    pt.length_ns = interval_ns_;
    if (targets_ != nullptr && key.first < targets_->size()) {
      pt.target = (*targets_)[key.first]->config.name;
    }
    pt.phase = std::string(plan::to_string(static_cast<plan::phase>(key.second)));
    if (on_interval_ != nullptr && *on_interval_) {
      (*on_interval_)(pt.target, pt.phase, acc);
    }
    metrics::fill_interval_point(acc, pt);
    pt.in_flight = p.in_flight;
    if (acc.ttft.total_count() > 0) {
      pt.ttft_hist = metrics::encode_base64(acc.ttft);
    }
    if (acc.e2e.total_count() > 0) {
      pt.e2e_hist = metrics::encode_base64(acc.e2e);
    }
    if (acc.itl.total_count() > 0) {
      pt.itl_hist = metrics::encode_base64(acc.itl);
    }
    started_ += acc.started;
    ok_ += acc.ok;
    errors_ += acc.errors;
    finished += acc.ok + acc.errors;
    ttft_.add(acc.ttft);
    last_phase_ = key.second;
    points_.emplace_back(index, key.first, key.second, std::move(pt));
  }
  last_in_flight_ = p.in_flight;
  last_queued_ = p.queued;
  last_finished_ = finished;
  last_index_ = index;
}

progress_snapshot interval_collector::progress() const {
  progress_snapshot s;
  s.phase = std::string(plan::to_string(static_cast<plan::phase>(last_phase_)));
  s.started = started_;
  s.ok = ok_;
  s.errors = errors_;
  s.in_flight = last_in_flight_;
  s.queued = last_queued_;
  for (std::int64_t d : dropped_) {
    s.dropped += d;
  }
  s.interval_rps = static_cast<double>(last_finished_) * 1e9 / static_cast<double>(interval_ns_);
  s.ttft_p50_ns = ttft_.value_at_percentile(50);
  s.ttft_p95_ns = ttft_.value_at_percentile(95);
  return s;
}

std::vector<metrics::interval_point> interval_collector::finish(
    const std::vector<std::shared_ptr<const client::target_endpoint>>& targets) {
  targets_ = &targets;
  for (auto& [index, p] : pending_) {
    finalize(index, p);
  }
  pending_.clear();
  // Names were unknown for points finalized during the run: fill them now.
  std::vector<metrics::interval_point> out;
  out.reserve(points_.size());
  std::stable_sort(points_.begin(), points_.end(), [](const auto& a, const auto& b) {
    return std::tie(std::get<0>(a), std::get<1>(a), std::get<2>(a)) <
           std::tie(std::get<0>(b), std::get<1>(b), std::get<2>(b));
  });
  for (auto& [index, target, phase, pt] : points_) {
    if (target < targets.size()) {
      pt.target = targets[target]->config.name;
    }
    out.push_back(std::move(pt));
  }
  points_.clear();
  return out;
}

}  // namespace gb::driver
