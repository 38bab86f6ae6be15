#include "driver/schedule_log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

namespace gb::driver {

namespace {

constexpr std::size_t flush_bytes = 64 * 1024;
constexpr std::string_view header =
    "request_id,intended_unix_ns,intended_offset_ns,sent_offset_ns,worker,target,phase,point,"
    "outcome\n";

bool write_all(int fd, std::string_view data) noexcept {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return false;
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

void append_int(std::string& out, std::int64_t v) noexcept {
  char tmp[24];
  auto [end, ec] = std::to_chars(tmp, tmp + sizeof tmp, v);
  out.append(tmp, end);
}

/// Appends a CSV field; names with a comma, quote or newline are quoted (RFC 4180).
void append_field(std::string& out, std::string_view v) {
  if (v.find_first_of(",\"\n\r") == std::string_view::npos) {
    out.append(v);
    return;
  }
  out.push_back('"');
  for (char c : v) {
    if (c == '"') {
      out.push_back('"');
    }
    out.push_back(c);
  }
  out.push_back('"');
}

}  // namespace

gb::result<std::shared_ptr<schedule_file>> schedule_file::create(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) {
    return gb::fail("cannot write the schedule file " + path + ": " + std::strerror(errno));
  }
  if (!write_all(fd, header)) {
    const std::string why = std::strerror(errno);
    ::close(fd);
    return gb::fail("cannot write the schedule file " + path + ": " + why);
  }
  return std::shared_ptr<schedule_file>(new schedule_file(fd, path));
}

schedule_file::~schedule_file() {
  if (fd_ >= 0) {
    ::close(fd_);
  }
}

schedule_writer::schedule_writer(std::shared_ptr<schedule_file> file, int worker,
                                 std::int64_t start_steady_ns, std::int64_t start_wall_ns)
    : file_(std::move(file)),
      point_(file_ ? file_->point() : std::string()),
      worker_(worker),
      start_steady_(start_steady_ns),
      start_wall_(start_wall_ns) {
  buf_.reserve(flush_bytes + 1024);
}

schedule_writer::~schedule_writer() {
  flush();
}

void schedule_writer::add(std::uint64_t request_id, std::int64_t intended_ns, std::int64_t sent_ns,
                          std::string_view target, std::string_view phase,
                          std::string_view outcome) noexcept {
  if (failed_ || !file_) {
    return;
  }
  try {
    buf_.append("gb-");
    char tmp[24];
    auto [end, ec] = std::to_chars(tmp, tmp + sizeof tmp, request_id);
    buf_.append(tmp, end);
    buf_.push_back(',');
    append_int(buf_, start_wall_ + (intended_ns - start_steady_));
    buf_.push_back(',');
    append_int(buf_, intended_ns - start_steady_);
    buf_.push_back(',');
    if (sent_ns > 0) {
      append_int(buf_, sent_ns - start_steady_);
    }
    buf_.push_back(',');
    append_int(buf_, worker_);
    buf_.push_back(',');
    append_field(buf_, target);
    buf_.push_back(',');
    append_field(buf_, phase);
    buf_.push_back(',');
    append_field(buf_, point_);
    buf_.push_back(',');
    buf_.append(outcome);
    buf_.push_back('\n');
  } catch (...) {
    failed_ = true;  // out of memory: stop logging, never throw on the hot path
    return;
  }
  if (buf_.size() >= flush_bytes) {
    flush();
  }
}

void schedule_writer::flush() noexcept {
  if (failed_ || !file_ || buf_.empty()) {
    return;
  }
  if (!write_all(file_->fd(), buf_)) {
    failed_ = true;
  }
  buf_.clear();
}

}  // namespace gb::driver
