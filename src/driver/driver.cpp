#include "driver/driver.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <cmath>
#include <csignal>
#include <map>
#include <thread>
#include <tuple>

#include "driver/interval_collector.hpp"
#include "driver/schedule_log.hpp"
#include "driver/worker.hpp"
#include "util/clock.hpp"
#include "util/stop_signal.hpp"

namespace gb::driver {

struct run_setup {
  scenario::scenario sc;
  std::vector<std::shared_ptr<const client::target_endpoint>> targets;
  std::shared_ptr<const plan::prompt_data> prompts;
  std::vector<metrics::slo_limit> slos;
  std::shared_ptr<schedule_file> schedule;  // output.schedule, created (truncated) by prepare_run
};

namespace {

double cpu_seconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

std::int64_t pick_threads(const scenario::scenario& sc, const run_options& opt) {
  std::int64_t n = opt.threads > 0 ? opt.threads : sc.load.threads;
  if (n <= 0) {
    n = std::max<std::int64_t>(1, std::thread::hardware_concurrency());
  }
  if (sc.load.mode == scenario::load::model::closed) {
    std::int64_t peak = sc.load.concurrency;
    for (const auto& st : sc.load.stages) {
      peak = std::max(peak, static_cast<std::int64_t>(std::ceil(st.target)));
    }
    n = std::min(n, std::max<std::int64_t>(1, peak));
  }
  return n;
}

std::string fmt_pct(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", v * 100);
  return buf;
}

}  // namespace

std::shared_ptr<run_setup> prepare_run(const scenario::scenario& sc, prepare_error& err) {
  auto setup = std::make_shared<run_setup>();
  setup->sc = sc;
  for (std::size_t i = 0; i < sc.targets.size(); ++i) {
    auto t = client::prepare_target(i, sc.targets[i], sc.workload.extra_headers);
    if (!t) {
      err.message = t.message();
      err.unreachable = t.message().find("cannot resolve") != std::string::npos ||
                        t.message().find("has no address") != std::string::npos;
      return nullptr;
    }
    setup->targets.push_back(*t);
  }
  if (setup->targets.empty()) {
    err.message = "the scenario has no target";
    return nullptr;
  }
  for (const auto& s : sc.slos) {
    metrics::slo_limit l;
    if (!metrics::parse_slo_metric(s.metric, l.which)) {
      err.message = (s.source.empty() ? std::string() : s.source + ": ") + "unknown SLO metric '" +
                    s.metric + "' (use ttft, tpot, itl, e2e or ttfb)";
      return nullptr;
    }
    l.max_ns = s.max_ns;
    setup->slos.push_back(l);
  }
  auto prompts = plan::load_prompts(sc);
  if (!prompts) {
    err.message = prompts.message();
    return nullptr;
  }
  setup->prompts = *prompts;
  if (!sc.output.schedule_path.empty()) {
    auto f = schedule_file::create(sc.output.schedule_path);
    if (!f) {
      err.message = f.message();
      return nullptr;
    }
    setup->schedule = *f;
  }
  return setup;
}

std::int64_t planned_threads(const run_setup& setup, std::int64_t requested) {
  run_options o;
  o.threads = requested;
  return pick_threads(setup.sc, o);
}

status check_targets(const run_setup& setup, std::int64_t timeout_ns) {
  for (const auto& t : setup.targets) {
    status s = client::check_reachable(*t, timeout_ns);
    if (!s) {
      return s;
    }
  }
  return {};
}

run_result run(const run_setup& setup, const run_options& opt) {
  const scenario::scenario& sc = setup.sc;
  run_result res;
  res.threads = pick_threads(sc, opt);
  const int n = static_cast<int>(res.threads);

  worker_shared sh;
  sh.sc = &sc;
  sh.targets = setup.targets;
  sh.prompts = setup.prompts;
  sh.phases = plan::make_phases(sc.load);
  sh.slos = setup.slos;
  sh.schedule = opt.schedule ? opt.schedule : setup.schedule;
  sh.count = n;
  sh.interval_ns = opt.interval_ns;
  sh.end_offset_ns = sh.phases.empty() ? 0 : sh.phases.back().end_ns;
  sh.drain_grace_ns = opt.drain_grace_ns;
  sh.first_sequence = opt.first_request_sequence;
  std::int64_t cap = 0;  // open loop: the run's in-flight cap (plan::in_flight_cap, summed)
  for (int i = 0; i < n; ++i) {
    cap += plan::in_flight_cap(sc.load, i, n);
  }

  net::io_context main_ioc{1};
  interval_collector collector(n, opt.interval_ns);
  std::vector<std::unique_ptr<worker>> workers;
  auto sink = [&main_ioc, &collector](interval_snapshot&& s) {
    net::post(main_ioc, [&collector, s = std::move(s)]() mutable { collector.add(std::move(s)); });
  };
  sh.start_ns = now_ns() + 20'000'000;  // let the threads start
  for (int i = 0; i < n; ++i) {
    workers.push_back(std::make_unique<worker>(sh, i, sink));
  }
  collector.set_start(sh.start_ns);
  collector.set_observer(sh.targets, opt.on_interval);
  res.start_steady_ns = sh.start_ns;
  res.start_wall_ns = steady_to_wall_ns(sh.start_ns);

  auto guard = net::make_work_guard(main_ioc);
  int done = 0;
  net::steady_timer tick(main_ioc);
  net::steady_timer signal_poll(main_ioc);
  const double cpu0 = cpu_seconds();
  double cpu_prev = cpu0;
  std::int64_t wall_prev = now_ns();
  int ticks = 0;
  int saturated_ticks = 0;

  std::vector<std::thread> threads;
  for (int i = 0; i < n; ++i) {
    threads.emplace_back([&, i] {
      workers[i]->run();
      net::post(main_ioc, [&] {
        if (++done == n) {
          guard.reset();
          tick.cancel();
          signal_poll.cancel();
        }
      });
    });
  }

  // Ctrl-C/SIGTERM are counted by process-wide handlers (util/stop_signal.hpp) that stay
  // installed after the run, so a signal is never lost or fatal; poll the count here. The first
  // signal stops sending and lets in-flight requests finish within the grace period; a second
  // one (request_stop again) cancels them at once. A signal that came before the run (during
  // the reachability check) stops it as soon as it starts.
  std::int64_t signals_seen = 0;
  std::function<void()> arm_signal_poll = [&] {
    if (stop_requests() > signals_seen) {
      signals_seen = stop_requests();
      if (!res.interrupted) {
        res.interrupted = true;
        res.stop_reason = first_stop_signal_name();
      }
      for (auto& w : workers) {
        w->request_stop(opt.stop_grace_ns);
      }
    }
    signal_poll.expires_after(std::chrono::milliseconds(20));
    signal_poll.async_wait([&](boost::system::error_code ec) {
      if (!ec && done != n) {
        arm_signal_poll();
      }
    });
  };
  if (opt.handle_signals) {
    install_stop_handlers();
    arm_signal_poll();
  }

  std::int64_t next_tick = sh.start_ns + opt.interval_ns + opt.interval_ns / 5;
  std::function<void()> arm_tick = [&] {
    tick.expires_at(std::chrono::steady_clock::time_point(std::chrono::nanoseconds(next_tick)));
    tick.async_wait([&](boost::system::error_code ec) {
      if (ec || done == n) {
        return;
      }
      const double cpu = cpu_seconds();
      const std::int64_t wall = now_ns();
      const double frac = (cpu - cpu_prev) / (static_cast<double>(wall - wall_prev) / 1e9 * n);
      cpu_prev = cpu;
      wall_prev = wall;
      ++ticks;
      if (frac > 0.9) {
        ++saturated_ticks;
      }
      if (opt.on_progress) {
        progress_snapshot p = collector.progress();
        p.elapsed_ns = wall - sh.start_ns;
        p.planned_ns = sh.end_offset_ns == INT64_MAX ? 0 : sh.end_offset_ns;
        opt.on_progress(p);
      }
      if (opt.stop_check) {
        if (std::string why = opt.stop_check(); !why.empty() && !res.interrupted) {
          res.interrupted = true;
          res.stop_reason = std::move(why);
          for (auto& w : workers) {
            w->request_stop(opt.stop_grace_ns);
          }
        }
      }
      next_tick += opt.interval_ns;
      arm_tick();
    });
  };
  arm_tick();
  main_ioc.run();
  for (auto& t : threads) {
    t.join();
  }
  res.end_steady_ns = now_ns();
  res.end_wall_ns = steady_to_wall_ns(res.end_steady_ns);
  res.harness_cpu_s = cpu_seconds() - cpu0;

  worker_health total;
  for (auto& w : workers) {
    res.stats.merge(w->stats());
    const worker_health& h = w->health();
    total.arrivals += h.arrivals;
    total.late_arrivals += h.late_arrivals;
    total.queued += h.queued;
    total.dropped += h.dropped;
    total.connects += h.connects;
  }
  res.connects = total.connects;
  for (auto& w : workers) {
    res.next_request_sequence = std::max(res.next_request_sequence, w->next_sequence());
  }
  res.stats.intervals = collector.finish(sh.targets);

  if (ticks >= 2 && saturated_ticks * 10 >= ticks * 3) {
    res.client_bound = true;
    res.warnings.push_back("client-bound: the harness used over 90% of its " + std::to_string(n) +
                           " thread(s) in " + std::to_string(saturated_ticks) + " of " +
                           std::to_string(ticks) +
                           " intervals; results may measure gatebench, not the target");
  }
  if (total.arrivals > 0 && total.late_arrivals * 100 > total.arrivals) {
    res.client_bound = true;
    res.warnings.push_back(
        "client-bound: " +
        fmt_pct(static_cast<double>(total.late_arrivals) / static_cast<double>(total.arrivals)) +
        " of arrivals were dispatched more than 5 ms late");
  }
  if (total.queued > 0) {
    res.warnings.push_back(std::to_string(total.queued) +
                           " arrivals waited for a free in-flight slot (cap " +
                           std::to_string(cap) + "); their wait counts in the latency");
  }
  if (total.dropped > 0) {
    res.warnings.push_back(std::to_string(total.dropped) + " arrivals were dropped after waiting " +
                           "longer than max_queue_wait");
  }
  for (const auto& [target, phases] : res.stats.by_target_phase) {
    for (const auto& [phase, s] : phases) {
      if (s.outcomes.started() != s.outcomes.finished()) {
        res.warnings.push_back("internal: ledger of " + target + "/" + phase + " has " +
                               std::to_string(s.outcomes.started()) + " started but " +
                               std::to_string(s.outcomes.finished()) + " finished");
      }
    }
  }
  return res;
}

}  // namespace gb::driver
