#include "sysmon/sampler.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>

#include "util/clock.hpp"

namespace gb::sysmon {

sampler::sampler(sampler_options options) : options_(std::move(options)) {}

sampler::~sampler() {
  stop();
}

double sampler::harness_capacity_cores() const noexcept {
  const unsigned hw = std::max(1u, std::thread::hardware_concurrency());
  const int wanted = options_.harness_threads > 0 ? options_.harness_threads : static_cast<int>(hw);
  return static_cast<double>(std::min<int>(wanted, static_cast<int>(hw)));
}

status sampler::start() {
  if (started_) {
    return fail("sampler already started");
  }
  if (options_.interval_ns < 10'000'000) {
    return fail("resource sampling interval must be at least 10ms");
  }
  if (options_.sample_harness) {
    auto p = probe::create(0, probe_scope::process_only);
    if (!p) {
      return error{p.message()};
    }
    harness_ = std::move(*p);
  }
  if (options_.target_pid != 0) {
    if (options_.target_pid < 0) {
      return fail("target pid must be positive, got ", std::to_string(options_.target_pid));
    }
    auto p = probe::create(options_.target_pid, probe_scope::process_tree);
    if (!p) {
      return fail("--target-pid ", std::to_string(options_.target_pid), ": no such process");
    }
    target_ = std::move(*p);
  }
  started_ = true;
  read_all(now_ns());
  thread_ = std::thread([this] { run(); });
  return {};
}

void sampler::set_phase(std::string_view phase) {
  std::lock_guard lock(mutex_);
  phase_ = std::string(phase);
}

void sampler::note_schedule_lag(std::int64_t lag_p99_ns) {
  std::lock_guard lock(mutex_);
  lag_p99_ns_.push_back(lag_p99_ns);
  auto v = judge_client_bound(harness_samples_, lag_p99_ns_, harness_capacity_cores(),
                              options_.client_bound);
  client_bound_.store(v.flagged, std::memory_order_relaxed);
}

void sampler::read_all(std::int64_t now) {
  // Probes are only used from one thread at a time: start(), then the sampling thread, then
  // stop() after joining it; sample_now() takes the mutex for the whole reading.
  std::optional<sample> h;
  std::optional<sample> t;
  if (harness_) {
    h = harness_->read(now);
  }
  if (target_) {
    t = target_->read(now);
  }
  std::lock_guard lock(mutex_);
  if (h) {
    h->phase = phase_;
    harness_samples_.push_back(std::move(*h));
  }
  if (t) {
    t->phase = phase_;
    target_samples_.push_back(std::move(*t));
  }
  auto v = judge_client_bound(harness_samples_, lag_p99_ns_, harness_capacity_cores(),
                              options_.client_bound);
  client_bound_.store(v.flagged, std::memory_order_relaxed);
}

void sampler::sample_now() {
  std::lock_guard lock(probe_mutex_);
  read_all(now_ns());
}

void sampler::run() {
  std::int64_t next = now_ns() + options_.interval_ns;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      const auto wait_ns = std::max<std::int64_t>(0, next - now_ns());
      if (wake_.wait_for(lock, std::chrono::nanoseconds(wait_ns), [this] { return stopping_; })) {
        return;
      }
    }
    {
      std::lock_guard lock(probe_mutex_);
      read_all(now_ns());
    }
    next += options_.interval_ns;
    const std::int64_t now = now_ns();
    if (next < now) {
      next = now + options_.interval_ns;  // fell behind (suspended): skip, do not burst
    }
  }
}

void sampler::stop() {
  {
    std::lock_guard lock(mutex_);
    if (!started_ || stopping_) {
      return;
    }
    stopping_ = true;
    phase_ = "after";
  }
  wake_.notify_all();
  if (thread_.joinable()) {
    thread_.join();
  }
  std::lock_guard lock(probe_mutex_);
  read_all(now_ns());
}

latest_readings sampler::latest() const {
  std::lock_guard lock(mutex_);
  latest_readings r;
  if (!harness_samples_.empty()) {
    r.harness = harness_samples_.back();
  }
  if (!target_samples_.empty()) {
    r.target = target_samples_.back();
  }
  r.client_bound = client_bound_.load(std::memory_order_relaxed);
  return r;
}

resource_report sampler::report(std::int64_t requests) const {
  std::lock_guard lock(mutex_);
  resource_report r;
  r.interval_ns = options_.interval_ns;
  r.harness_pid = harness_ ? harness_->pid() : 0;
  r.target_pid = target_ ? target_->pid() : 0;
  r.harness_samples = harness_samples_;
  r.target_samples = target_samples_;
  r.harness = summarize(harness_samples_, requests);
  r.target = summarize(target_samples_, requests);
  r.client_bound = judge_client_bound(harness_samples_, lag_p99_ns_, harness_capacity_cores(),
                                      options_.client_bound);
  return r;
}

}  // namespace gb::sysmon
