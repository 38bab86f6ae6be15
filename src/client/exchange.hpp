#pragma once
// One HTTP/1.1 request/response exchange on a pooled connection, as a C++20 Asio coroutine:
// connect (and TLS handshake) when needed, write, read with the arrival timestamp taken before
// any parsing, per-phase timeouts, and exactly one fate in the record. Includes Asio: include
// only from client/driver .cpp files.

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "client/connection.hpp"
#include "client/response_reader.hpp"
#include "metrics/recorder.hpp"

namespace gb::client {

/// Buffers reused by one slot for all its requests (no allocation in steady state).
struct exchange_buffers {
  response_reader reader;
  std::string head;
  std::vector<char> read_buf = std::vector<char>(4 * 1024);  // small: 10k slots fit in 40 MiB
};

/// Sends `body` to the pool's target and reads the response into `rec` (rec.intended_ns must be
/// set; everything else is filled). Never throws for network conditions: every failure becomes
/// rec.fate (timeout by phase, connect_error, tls_error, protocol_error, stream_error,
/// http_status, or cancelled when `cancelled` is true once an operation was interrupted).
/// A reused keep-alive connection that the server closed before answering is retried once on a
/// fresh connection (not counted as a failure). Timeouts come from the target's config.
net::awaitable<void> perform(connection_pool& pool, exchange_buffers& x, std::string_view body,
                             std::uint64_t request_id, metrics::request_record& rec,
                             const bool& cancelled);

}  // namespace gb::client
