#pragma once
// Parsing of Linux /proc files for one process: /proc/PID/stat (CPU ticks, parent, threads),
// /proc/PID/status (VmRSS, VmHWM) and /proc/PID/fd (open descriptors), plus the process tree
// below a root pid. The parse_* functions are pure (text in, struct out) so they are tested
// with fixture text; the read_* functions do the file I/O. Nothing here throws.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.hpp"

namespace gb::sysmon {

/// The fields of /proc/PID/stat that sysmon uses (proc(5)). CPU times are in clock ticks
/// (see clock_ticks_per_second()).
struct proc_stat {
  int pid = 0;
  std::string comm;  // without the parentheses; may contain spaces and ')'
  char state = '?';  // R, S, D, Z, ...
  int ppid = 0;
  int pgrp = 0;
  std::int64_t utime_ticks = 0;   // user CPU of this process (all its threads)
  std::int64_t stime_ticks = 0;   // system CPU of this process
  std::int64_t cutime_ticks = 0;  // user CPU of its children that it has waited for
  std::int64_t cstime_ticks = 0;  // system CPU of its waited-for children
  std::int64_t num_threads = 0;
  std::int64_t starttime_ticks = 0;  // since boot; tells a reused pid from the original
  std::int64_t rss_pages = 0;
};

/// Parses the one line of /proc/PID/stat. The comm field is found by the LAST ')' so names
/// with spaces or parentheses parse. Returns an error naming the field when the text is
/// truncated or a number is malformed.
result<proc_stat> parse_proc_stat(std::string_view text);

/// Memory figures of /proc/PID/status, in bytes; -1 when the line is absent (kernel threads,
/// zombies have no Vm* lines).
struct proc_status {
  std::int64_t vm_rss_bytes = -1;  // VmRSS: resident set now
  std::int64_t vm_hwm_bytes = -1;  // VmHWM: peak resident set ("high water mark")
  std::int64_t threads = -1;       // Threads:
};

/// Parses /proc/PID/status ("Key:\tvalue kB" lines). Unknown lines are ignored. Returns an
/// error when a known line has a malformed number or a unit other than kB.
result<proc_status> parse_proc_status(std::string_view text);

/// Reads and parses /proc/PID/stat; an error when the process does not exist (any more).
result<proc_stat> read_proc_stat(int pid);
/// Reads and parses /proc/PID/status; an error when the process does not exist (any more).
result<proc_status> read_proc_status(int pid);
/// Number of entries in /proc/PID/fd, or -1 when it cannot be read (gone, or not ours).
std::int64_t count_open_fds(int pid) noexcept;
/// Every numeric entry of /proc (all visible processes). Empty when /proc is unreadable.
std::vector<int> list_pids();
/// Children of every thread of `pid`, from /proc/PID/task/TID/children (kernels built with
/// CONFIG_PROC_CHILDREN). An error when that file does not exist (then scan list_pids()).
result<std::vector<int>> read_children(int pid);
/// Clock ticks per second (sysconf(_SC_CLK_TCK), normally 100).
std::int64_t clock_ticks_per_second() noexcept;

/// A (pid, parent pid) pair, for building trees.
struct pid_parent {
  int pid = 0;
  int ppid = 0;
};

/// The pids of `root` and all its descendants among `table` (pid → ppid pairs), root first,
/// then breadth first. `root` is included only when it is in the table. Cycles are ignored.
std::vector<int> descendants_of(int root, const std::vector<pid_parent>& table);

}  // namespace gb::sysmon
