#pragma once
// Connections to one target (plain TCP or TLS over OpenSSL) and a small per-worker keep-alive
// pool, optionally capped, with a FIFO of requests waiting for a connection. This header
// includes Asio: include it only from client/driver .cpp files.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/basic_stream_socket.hpp>
#include <boost/asio/basic_waitable_timer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "client/request_writer.hpp"
#include "client/url.hpp"
#include "scenario/scenario.hpp"
#include "util/result.hpp"

namespace gb::client {

namespace net = boost::asio;

/// Sockets and timers bound to the worker's io_context executor (no type-erased executor: smaller
/// objects and cheaper completions than the any_io_executor defaults).
using socket_type = net::basic_stream_socket<net::ip::tcp, net::io_context::executor_type>;
using tls_stream_type = net::ssl::stream<socket_type>;
using timer_type = net::basic_waitable_timer<std::chrono::steady_clock,
                                             net::wait_traits<std::chrono::steady_clock>,
                                             net::io_context::executor_type>;
/// The client's and the driver's coroutines run on the worker's io_context executor too: a
/// completion then resumes the coroutine directly, instead of through a type-erased
/// any_io_executor dispatch (a wrapped, recycled function object per completion).
template <typename T>
using task = net::awaitable<T, net::io_context::executor_type>;

/// A target ready to be connected to: parsed URL, resolved addresses, TLS context, request head
/// template. Built once before the run and shared read-only by every worker.
struct target_endpoint {
  std::size_t index = 0;  // position in scenario.targets
  scenario::target config;
  url_parts url;
  std::vector<net::ip::tcp::endpoint> endpoints;
  std::shared_ptr<net::ssl::context> tls_ctx;  // null for http://
  std::string sni;                             // server name for SNI and verification
  std::optional<request_writer> writer;
};

/// Parses the target's URL, resolves its host (blocking; at start only) and builds its TLS
/// context (system CA store or tls.ca_file; verification unless tls.verify is false). Errors
/// name the target and the problem (bad URL, unknown host, unreadable CA file).
result<std::shared_ptr<const target_endpoint>> prepare_target(
    std::size_t index, const scenario::target& t, const std::vector<scenario::header>& extra);

/// Connects once (TCP, plus the TLS handshake for https) within `timeout_ns` to check that the
/// target is reachable before any load. Returns an error saying what failed.
status check_reachable(const target_endpoint& t, std::int64_t timeout_ns);

/// One connection: a plain TCP socket (http://), or a TLS stream over one (https://).
/// Re-openable after close.
class connection {
 public:
  connection(net::io_context& ioc, const target_endpoint& t);

  bool is_open() const noexcept;
  /// Closes the socket (pending operations complete with operation_aborted).
  void close() noexcept;
  /// Prepares a fresh stream for a new connect (TLS streams cannot be reused after close).
  void renew();

  /// The TCP socket (under the TLS stream for https).
  socket_type& socket() noexcept { return tls_ ? tls_->next_layer() : *tcp_; }
  bool tls() const noexcept { return tls_ != nullptr; }
  tls_stream_type& tls_stream() noexcept { return *tls_; }

  /// Requests served on this connection since it was opened.
  std::int64_t uses = 0;
  bool busy = false;

 private:
  net::io_context& ioc_;
  const target_endpoint& target_;
  std::optional<socket_type> tcp_;
  std::unique_ptr<tls_stream_type> tls_;  // a pointer: an empty stream object is large
};

/// A request waiting for a connection of a capped pool (see connection_pool::enqueue).
struct pool_waiter {
  connection* handed = nullptr;  // set by the pool when a connection is handed over
  bool queued = false;
  std::unique_ptr<timer_type> wake;  // cancelled to wake the waiter (created on first wait)
};

/// A worker's connections to one target, at most `max_open` of them (0: no cap). Connections are
/// never destroyed during the run, so the pointers it hands out stay valid. When the cap is
/// reached, requests wait in FIFO order and each released connection goes to the longest
/// waiting one. Not thread-safe (one per worker).
class connection_pool {
 public:
  connection_pool(net::io_context& ioc, const target_endpoint& t, std::int64_t max_open = 0)
      : ioc_(ioc), target_(t), max_open_(max_open) {}

  /// An idle open connection (most recently used first), else a closed one to be connected
  /// (existing or new while under the cap). Null when the cap is reached and all are busy:
  /// then enqueue() and wait.
  connection* try_acquire();
  /// Queues `w` (FIFO). Its timer (w.wake, created here) expires never; the pool cancels it
  /// when a connection is handed over (w.handed set) or the wait is cancelled (w.handed null).
  void enqueue(pool_waiter& w);
  /// Removes `w` from the queue (if still there) and wakes it without a connection.
  void cancel_wait(pool_waiter& w) noexcept;
  /// Returns a busy connection; `keep` false closes it. With requests waiting, the connection
  /// goes straight to the first of them (closed ones are reconnected by that request).
  void release(connection* c, bool keep) noexcept;
  /// Closes every connection (in-flight operations complete with operation_aborted) and wakes
  /// every waiting request without a connection.
  void close_all() noexcept;
  const target_endpoint& target() const noexcept { return target_; }
  std::int64_t max_open() const noexcept { return max_open_; }
  /// Connection objects created so far (never more than max_open when capped).
  std::size_t size() const noexcept { return all_.size(); }
  std::size_t waiting() const noexcept { return waiters_.size(); }
  /// Connections opened so far (including re-opens).
  std::int64_t connects = 0;
  /// Requests that had to wait for a connection.
  std::int64_t waits = 0;

 private:
  net::io_context& ioc_;
  const target_endpoint& target_;
  std::int64_t max_open_ = 0;
  std::vector<std::unique_ptr<connection>> all_;
  std::vector<connection*> idle_open_;
  std::vector<connection*> idle_closed_;
  std::deque<pool_waiter*> waiters_;
};

}  // namespace gb::client
