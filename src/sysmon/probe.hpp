#pragma once
// Reads one set of processes at a time: the harness itself, or a target's whole process tree.
// A probe remembers the previous CPU total so each reading reports cores used since the last
// one. Not thread-safe: one owner (the sampler's thread, or a test).

#include <cstdint>
#include <string>

#include "util/result.hpp"

namespace gb::sysmon {

/// One reading of a set of processes.
struct sample {
  std::int64_t t_ns = 0;  // steady time of the reading (gb::now_ns())
  std::string phase;      // run phase when taken: "idle", "warmup", "main", "cooldown", "after"
  std::int64_t rss_bytes = 0;  // sum of VmRSS over the processes
  std::int64_t hwm_bytes = 0;  // sum of VmHWM (each process's lifetime peak) over the processes
  double cores = 0;            // CPU cores used since the previous reading; 0 for the first
  double cpu_seconds = 0;      // CPU seconds used since the probe's first reading (cumulative)
  std::int64_t threads = 0;    // threads over the processes
  std::int64_t fds = -1;       // open file descriptors; -1 when not readable (another user's)
  std::int32_t processes = 0;  // processes read; 0 when the target is gone
};

enum class probe_scope : std::uint8_t {
  process_only,  // just the pid (with all its threads), not its children: the harness
  process_tree,  // the pid and every descendant (found by ppid): a target and its workers
};

class probe {
 public:
  /// Probes `pid` (0 means this process). Fails when the process does not exist.
  static result<probe> create(int pid, probe_scope scope);

  /// Reads the processes now. CPU is utime+stime; for a tree it also adds cutime+cstime, so
  /// the CPU of children that exited and were reaped between readings still counts (it moves
  /// into the parent's cutime). Cores = CPU delta / wall delta (clamped at 0 when a process
  /// leaves the tree). Never fails: a vanished target gives processes == 0 and zeros.
  sample read(std::int64_t now_ns);

  int pid() const noexcept { return pid_; }

 private:
  probe() = default;
  int pid_ = 0;
  std::int64_t root_start_ticks_ = 0;  // tells the original root from a reused pid
  probe_scope scope_ = probe_scope::process_only;
  bool first_ = true;
  std::int64_t first_cpu_ticks_ = 0;
  std::int64_t last_cpu_ticks_ = 0;
  std::int64_t last_t_ns_ = 0;
  double cpu_seconds_ = 0;
};

}  // namespace gb::sysmon
