#include "export/run_observer.hpp"

#include <algorithm>

#include "export/report_bridge.hpp"

namespace gb::exporter {
namespace {

sysmon::sampler_options sampler_options_of(const observer_options& o, int target_pid) {
  sysmon::sampler_options s;
  s.interval_ns = o.sample_interval_ns;
  s.target_pid = target_pid;
  s.sample_harness = o.sample_harness;
  s.harness_threads = o.harness_threads;
  return s;
}

}  // namespace

run_observer::run_observer(const observer_options& o)
    : options_(o), sampler_(sampler_options_of(o, o.target_pid)) {}

run_observer::~run_observer() {
  sampler_.stop();
  if (server_) {
    server_->stop();
  }
  if (process_) {
    process_->stop();
  }
}

result<std::unique_ptr<run_observer>> run_observer::start(const observer_options& o) {
  if (o.target_pid != 0 && !o.target_cmd.empty()) {
    return fail("--target-pid and --target-cmd exclude each other: give one");
  }
  std::optional<sysmon::target_process> proc;
  int pid = o.target_pid;
  if (!o.target_cmd.empty()) {
    sysmon::target_command cmd;
    cmd.command = o.target_cmd;
    if (!o.target_url.empty()) {
      auto hp = sysmon::host_port_of_url(o.target_url);
      if (!hp) {
        return error{hp.message()};
      }
      cmd.ready_host = hp->host;
      cmd.ready_port = hp->port;
    } else {
      cmd.settle_ns = 1'000'000'000;  // no port to wait for: give it a second
    }
    auto p = sysmon::target_process::start(cmd);
    if (!p) {
      return error{p.message()};
    }
    if (auto st = p->wait_ready(); !st) {
      return error{st.message()};
    }
    pid = p->pid();
    proc = std::move(*p);
  }
  std::unique_ptr<run_observer> obs(new run_observer([&] {
    observer_options x = o;
    x.target_pid = pid;
    return x;
  }()));
  obs->process_ = std::move(proc);
  if (auto st = obs->sampler_.start(); !st) {
    return error{st.message()};
  }
  if (!o.metrics_addr.empty()) {
    auto srv = metrics_server::start(o.metrics_addr);
    if (!srv) {
      return error{srv.message()};
    }
    obs->server_ = std::move(*srv);
    obs->publish();
  }
  return obs;
}

void run_observer::publish() {
  if (!server_) {
    return;
  }
  live_view v = live_.view(options_.labels);
  const auto latest = sampler_.latest();
  v.resource_target = options_.resource_target;
  v.current_phase = phase_;
  v.harness = latest.harness;
  v.target = latest.target;
  v.client_bound = latest.client_bound;
  server_->publish(render_prometheus(v));
}

void run_observer::interval_end(std::string_view phase) {
  if (!phase.empty() && phase != phase_) {
    phase_ = std::string(phase);
    sampler_.set_phase(phase_);
  }
  publish();
}

report::resources run_observer::finish(std::int64_t run_start_steady_ns, std::int64_t requests) {
  if (!finished_) {
    finished_ = true;
    sampler_.stop();
    phase_ = "after";
    publish();
    final_ = sampler_.report(requests);
    if (process_) {
      process_->stop();
    }
  }
  std::string target_desc;
  if (final_.target_pid != 0) {
    std::int32_t procs = 0;
    for (const auto& s : final_.target_samples) {
      procs = std::max(procs, s.processes);
    }
    target_desc = options_.target_cmd.empty() ? "pid " + std::to_string(final_.target_pid)
                                              : "--target-cmd '" + options_.target_cmd + "'";
    if (procs > 1) {
      target_desc += " (+" + std::to_string(procs - 1) + " processes)";
    }
  }
  return to_report_resources(final_, run_start_steady_ns,
                             "gatebench pid " + std::to_string(final_.harness_pid), target_desc);
}

}  // namespace gb::exporter
