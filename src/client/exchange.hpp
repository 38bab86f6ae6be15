#pragma once
// One HTTP/1.1 request/response exchange on a pooled connection, as a C++20 Asio coroutine:
// connect (and TLS handshake) when needed, write, read with the arrival timestamp taken before
// any parsing, per-phase timeouts, and exactly one fate in the record. Includes Asio: include
// only from client/driver .cpp files.

#include <climits>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "client/connection.hpp"
#include "client/response_reader.hpp"
#include "metrics/recorder.hpp"

namespace gb::client {

/// Buffers reused by one slot for all its requests (no allocation in steady state), and the
/// deadline of its operation in progress, which the worker's coarse timer checks
/// (check_deadline) instead of arming a timer for every read and write.
struct exchange_buffers {
  response_reader reader;
  std::string head;
  /// Where each read lands first. Small on purpose (10k slow streams must fit in little
  /// memory): a read that fills it is followed by non-blocking reads into the worker's scratch
  /// buffer until the socket is drained (plain TCP).
  std::vector<char> read_buf = std::vector<char>(512);
  connection* conn = nullptr;            // the connection of the operation in progress, else null
  connection_pool* wait_pool = nullptr;  // the pool this request waits on for a connection
  pool_waiter waiter;
  std::int64_t deadline_ns = INT64_MAX;  // steady instant the operation in progress expires
  metrics::timeout_phase deadline_phase = metrics::timeout_phase::total;
  bool timed_out = false;  // check_deadline fired for the current request
  metrics::timeout_phase timed_out_phase = metrics::timeout_phase::total;
};

/// How often the worker checks deadlines: timeouts fire up to this late (ns).
inline constexpr std::int64_t deadline_check_ns = 10'000'000;

/// Checks whether the operation in progress of `x` passed its deadline at steady instant
/// `now_ns`; if so, marks the request timed out (with the phase that expired) and closes the
/// connection so the pending operation completes at once (or, for a request waiting for a
/// connection of a capped pool, ends the wait: the total timeout). Returns true when it fired.
bool check_deadline(exchange_buffers& x, std::int64_t now_ns) noexcept;

/// Sends `body` to the pool's target and reads the response into `rec` (rec.intended_ns must be
/// set; everything else is filled). Never throws for network conditions: every failure becomes
/// rec.fate (timeout by phase, connect_error, tls_error, protocol_error, stream_error,
/// http_status, or cancelled when `cancelled` is true once an operation was interrupted).
/// A reused keep-alive connection that the server closed before answering is retried once on a
/// fresh connection (not counted as a failure). When the pool is capped and every connection is
/// busy, the request first waits (FIFO) for one: that wait counts towards the total timeout and
/// the response-time metrics (from rec.intended_ns), not towards the connect timeout or the
/// service-time metrics (from rec.sent_ns, taken when the request is written). Timeouts come from
/// the target's config and are enforced only while check_deadline() is called periodically (every
/// deadline_check_ns); the total timeout counts from `now_ns`, a steady time (ns) the caller read
/// just before (saves a clock read). `scratch` is the worker's shared read buffer (any size > 0),
/// used between suspensions only.
task<void> perform(connection_pool& pool, exchange_buffers& x, std::vector<char>& scratch,
                   std::string_view body, std::uint64_t request_id, metrics::request_record& rec,
                   const bool& cancelled, std::int64_t now_ns);

}  // namespace gb::client
