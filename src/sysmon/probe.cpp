#include "sysmon/probe.hpp"

#include <unistd.h>

#include <vector>

#include "sysmon/proc_stat.hpp"

namespace gb::sysmon {
namespace {

/// The root and its descendants: through /proc/PID/task/*/children when the kernel has it
/// (cost grows with the tree), else by scanning every process's parent pid.
std::vector<int> tree_of(int root) {
  std::vector<int> out{root};
  for (std::size_t i = 0; i < out.size(); ++i) {
    auto kids = read_children(out[i]);
    if (!kids) {
      if (i == 0) {
        std::vector<pid_parent> table;
        for (int pid : list_pids()) {
          if (auto st = read_proc_stat(pid)) {
            table.push_back({pid, st->ppid});
          }
        }
        return descendants_of(root, table);
      }
      continue;  // exited meanwhile
    }
    for (int k : *kids) {
      if (out.size() < 100'000) {
        out.push_back(k);
      }
    }
  }
  return out;
}

}  // namespace

result<probe> probe::create(int pid, probe_scope scope) {
  probe p;
  p.pid_ = pid == 0 ? static_cast<int>(::getpid()) : pid;
  p.scope_ = scope;
  auto st = read_proc_stat(p.pid_);
  if (!st) {
    return fail("cannot sample process ", std::to_string(p.pid_), ": it does not exist");
  }
  p.root_start_ticks_ = st->starttime_ticks;
  return p;
}

sample probe::read(std::int64_t now_ns) {
  sample s;
  s.t_ns = now_ns;
  std::vector<int> pids;
  auto root = read_proc_stat(pid_);
  if (root && root->starttime_ticks == root_start_ticks_) {
    if (scope_ == probe_scope::process_only) {
      pids.push_back(pid_);
    } else {
      pids = tree_of(pid_);
    }
  }
  std::int64_t cpu_ticks = 0;
  for (int pid : pids) {
    auto st = read_proc_stat(pid);
    if (!st) {
      continue;  // exited since the scan; its CPU shows up in its parent's cutime once reaped
    }
    ++s.processes;
    cpu_ticks += st->utime_ticks + st->stime_ticks;
    if (scope_ == probe_scope::process_tree) {
      cpu_ticks += st->cutime_ticks + st->cstime_ticks;
    }
    s.threads += st->num_threads;
    if (auto ps = read_proc_status(pid)) {
      s.rss_bytes += ps->vm_rss_bytes > 0 ? ps->vm_rss_bytes : 0;
      s.hwm_bytes += ps->vm_hwm_bytes > 0 ? ps->vm_hwm_bytes : 0;
    }
    const std::int64_t fds = count_open_fds(pid);
    if (fds >= 0) {
      s.fds = (s.fds < 0 ? 0 : s.fds) + fds;
    }
  }
  const double ticks_per_s = static_cast<double>(clock_ticks_per_second());
  if (first_) {
    first_ = false;
    first_cpu_ticks_ = cpu_ticks;
  } else if (now_ns > last_t_ns_) {
    const std::int64_t delta = cpu_ticks > last_cpu_ticks_ ? cpu_ticks - last_cpu_ticks_ : 0;
    const double delta_s = static_cast<double>(delta) / ticks_per_s;
    cpu_seconds_ += delta_s;
    s.cores = delta_s / (static_cast<double>(now_ns - last_t_ns_) / 1e9);
  }
  s.cpu_seconds = cpu_seconds_;
  if (s.processes > 0) {
    last_cpu_ticks_ = cpu_ticks;
  }
  last_t_ns_ = now_ns;
  return s;
}

}  // namespace gb::sysmon
