#pragma once
// The optional schedule file (scenario output.schedule): one CSV line per request sent, with
// its intended send time and the x-request-id it carried, so a run can be joined with a
// gateway's logs. Columns (docs/scenarios.md "output"):
//
//   request_id,intended_unix_ns,intended_offset_ns,sent_offset_ns,worker,target,phase,point,outcome
//
//   request_id          the x-request-id header value ("gb-<n>")
//   intended_unix_ns    when the load model meant to send it (Unix epoch ns)
//   intended_offset_ns  the same, from the run's start (steady clock)
//   sent_offset_ns      first byte written, from the run's start (empty when never sent)
//   worker              worker thread index
//   target, phase       the target's name and warmup|main|cooldown
//   point               the sweep point's label (rate=50, c=8), empty outside sweeps
//   outcome             the request's fate (ok, http_status, timeout, ...)
//
// Lines are in completion order per worker (not sorted). Cost on the hot path: one append to the
// worker's own buffer; each worker writes its buffer with one write(2) per ~64 KiB to a file
// opened with O_APPEND, so blocks of different workers never interleave inside a line and no
// lock is taken.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "util/result.hpp"

namespace gb::driver {

/// The open schedule file, shared by the workers of one run (or every point of a sweep).
class schedule_file {
 public:
  /// Creates (truncates) `path` and writes the header line. Errors name the path and reason.
  static gb::result<std::shared_ptr<schedule_file>> create(const std::string& path);
  ~schedule_file();
  schedule_file(const schedule_file&) = delete;
  schedule_file& operator=(const schedule_file&) = delete;

  /// Sets the `point` column for the runs that follow (sweeps; not thread-safe: call between
  /// runs).
  void set_point(std::string label) { point_ = std::move(label); }
  const std::string& point() const noexcept { return point_; }
  int fd() const noexcept { return fd_; }
  const std::string& path() const noexcept { return path_; }

 private:
  schedule_file(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  int fd_ = -1;
  std::string path_;
  std::string point_;
};

/// One worker's buffered writer. Not thread-safe (one per worker). Never throws on the hot path;
/// a failed write is remembered (failed()) and later lines are discarded.
class schedule_writer {
 public:
  /// `start_steady_ns` is the run's start; `start_wall_ns` the matching Unix epoch instant.
  schedule_writer(std::shared_ptr<schedule_file> file, int worker, std::int64_t start_steady_ns,
                  std::int64_t start_wall_ns);
  ~schedule_writer();  // flushes
  schedule_writer(const schedule_writer&) = delete;
  schedule_writer& operator=(const schedule_writer&) = delete;

  /// Appends one line. Times are steady-clock ns; sent_ns 0 means never sent.
  void add(std::uint64_t request_id, std::int64_t intended_ns, std::int64_t sent_ns,
           std::string_view target, std::string_view phase, std::string_view outcome) noexcept;
  /// Writes the buffered lines (called on destruction and whenever the buffer passes 64 KiB).
  void flush() noexcept;
  bool failed() const noexcept { return failed_; }

 private:
  std::shared_ptr<schedule_file> file_;
  std::string buf_;
  std::string point_;
  int worker_;
  std::int64_t start_steady_;
  std::int64_t start_wall_;
  bool failed_ = false;
};

}  // namespace gb::driver
