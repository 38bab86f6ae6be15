#pragma once
// HTTP/1.1 request heads for one target: the constant part (request line, Host, the target's and
// workload's headers) is built once; each request appends only its id and Content-Length.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "client/url.hpp"
#include "scenario/scenario.hpp"

namespace gb::client {

class request_writer {
 public:
  /// Builds the constant head for `t` (already parsed into `u`) with `extra` headers appended
  /// (the workload's). The request path is t.path, else the URL prefix + the dialect's default
  /// path (a "/v1" prefix is not doubled). Adds anthropic-version for anthropic-messages when
  /// the scenario did not set it. Never fails.
  request_writer(const scenario::target& t, const url_parts& u,
                 const std::vector<scenario::header>& extra);

  /// Writes the full head for a body of `body_len` bytes into `out` (cleared first; its capacity
  /// is reused). `request_id` is sent as "x-request-id: gb-<id>".
  void write_head(std::size_t body_len, std::uint64_t request_id, std::string& out) const;

  /// The same head written into `out` (`cap` bytes): returns its length, or 0 when it does not
  /// fit (nothing useful is written then).
  std::size_t write_head(std::size_t body_len, std::uint64_t request_id, char* out,
                         std::size_t cap) const noexcept;

  const std::string& path() const noexcept { return path_; }

 private:
  /// Room a head needs at most (write_head's check): the constant part, "\r\nContent-Length: "
  /// and the final "\r\n\r\n" (22 bytes), 24 for each number.
  std::size_t most_head() const noexcept { return fixed_.size() + 22 + 2 * 24; }

  std::string path_;
  std::string fixed_;  // request line and constant headers, each ending in CRLF, and the start
                       // of the last one, "x-request-id: gb-"
};

}  // namespace gb::client
