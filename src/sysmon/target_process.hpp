#pragma once
// A target started by gatebench itself (--target-cmd "..."): run through /bin/sh in its own
// process group, waited for until it accepts TCP connections, torn down afterwards (SIGTERM to
// the whole group, then SIGKILL after a grace period).

#include <sys/types.h>

#include <cstdint>
#include <string>

#include "util/result.hpp"

namespace gb::sysmon {

struct target_command {
  std::string command;           // passed to /bin/sh -c
  std::string ready_host;        // wait until HOST:PORT accepts a TCP connection ...
  std::uint16_t ready_port = 0;  // ... (0: no connect check, just wait settle_ns)
  std::int64_t ready_timeout_ns = 15'000'000'000;  // give up after this long
  std::int64_t settle_ns = 250'000'000;            // extra wait once up (idle before load)
  std::int64_t term_grace_ns = 5'000'000'000;      // SIGTERM → SIGKILL
};

class target_process {
 public:
  /// Starts the command in a new process group. Fails when the command is empty or cannot be
  /// spawned. The process is stopped when the returned object is destroyed.
  static result<target_process> start(target_command cmd);

  target_process(target_process&& o) noexcept;
  target_process& operator=(target_process&& o) noexcept;
  target_process(const target_process&) = delete;
  target_process& operator=(const target_process&) = delete;
  ~target_process();

  /// Waits until the target accepts connections on ready_host:ready_port (or, with no port,
  /// for settle_ns), then settle_ns more. Fails, naming the command, when it exits first (with
  /// its exit status) or is not up within ready_timeout_ns.
  status wait_ready();
  /// SIGTERM to the process group, SIGKILL to it after term_grace_ns, and reaps the shell.
  /// Returns how it ended ("exited 0", "killed by signal 15", ...). Idempotent.
  std::string stop();

  /// The pid of the shell (root of the target's process tree; also its process group id).
  pid_t pid() const noexcept { return pid_; }
  /// True while the root process has not exited.
  bool running();

 private:
  target_process() = default;
  target_command cmd_;
  pid_t pid_ = -1;
  bool reaped_ = false;
  int wait_status_ = 0;
};

/// True while some process of group `pgid` is alive (zombies, which only wait to be reaped by
/// whoever adopted them, do not count).
bool process_group_alive(pid_t pgid);

/// Splits "HOST:PORT" (or "[v6]:PORT") out of a URL like "http://127.0.0.1:8000/v1"; the port
/// defaults to 80/443 by scheme. An error for anything else.
struct host_port {
  std::string host;
  std::uint16_t port = 0;
};
result<host_port> host_port_of_url(std::string_view url);

}  // namespace gb::sysmon
