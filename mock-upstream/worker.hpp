#pragma once
// Internal to the server: one worker = one thread, its io_context, its acceptor (SO_REUSEPORT),
// its connections (an intrusive list swept for timeouts) and its counters. Included only by
// server.cpp and session.cpp (it pulls in Asio).

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstdint>
#include <limits>
#include <memory>

#include "config.hpp"
#include "distribution.hpp"
#include "mock_metrics.hpp"
#include "request_log.hpp"
#include "token_bucket.hpp"

namespace gb::mock {

namespace net = boost::asio;
using tcp = net::ip::tcp;

/// Completion token of the mock's coroutines: errors come back as values, never thrown.
inline constexpr auto tok = net::as_tuple(net::use_awaitable);

/// What all workers share (read-only but for the limiter and the log, which lock).
struct shared_state {
  mock_config cfg;
  mock_metrics metrics;
  rate_limiter limiter;
  std::unique_ptr<request_log> log;
  std::unique_ptr<net::ssl::context> tls;
  std::int64_t max_conns_per_worker = 0;
};

/// A connection as the worker's sweeper sees it.
struct conn_base {
  conn_base* prev = nullptr;
  conn_base* next = nullptr;
  std::int64_t deadline_ns = std::numeric_limits<std::int64_t>::max();
  timeout_kind deadline_kind = timeout_kind::idle;
  bool idle = false;  // waiting for the next request on a kept-alive connection
  virtual ~conn_base() = default;
  /// Closes the socket and cancels timers; the session's coroutine then ends. Never throws.
  virtual void abort() noexcept = 0;
};

class worker {
 public:
  worker(shared_state& shared, std::size_t index);
  net::io_context& ioc() noexcept { return ioc_; }
  tcp::acceptor& acceptor() noexcept { return acceptor_; }
  shared_state& shared() noexcept { return shared_; }
  const mock_config& cfg() const noexcept { return shared_.cfg; }
  worker_counters& counters() noexcept { return counters_; }
  rng& draws() noexcept { return draws_; }
  std::size_t index() const noexcept { return index_; }
  bool stopping() const noexcept { return stopping_; }
  /// A fresh 96-bit-looking hex id (24 hex digits), unique per worker and request.
  std::string next_id();

  /// Spawns the accept loop and the sweeper. Call before ioc().run().
  void start();
  /// Stops accepting, closes idle connections, lets in-flight responses finish within the
  /// grace period, then aborts what is left. Runs on the worker's thread.
  void begin_stop();
  /// Aborts every connection now. Runs on the worker's thread.
  void abort_all() noexcept;

  void link(conn_base* c) noexcept;
  void unlink(conn_base* c) noexcept;
  std::int64_t connections() const noexcept { return conns_; }

 private:
  net::awaitable<void> accept_loop();
  net::awaitable<void> sweep_loop();
  net::awaitable<void> grace_then_abort();

  shared_state& shared_;
  std::size_t index_;
  net::io_context ioc_{1};
  tcp::acceptor acceptor_;
  net::steady_timer sweep_timer_;
  net::steady_timer grace_timer_;
  worker_counters& counters_;
  rng draws_;
  std::uint64_t ids_ = 0;
  conn_base* head_ = nullptr;
  std::int64_t conns_ = 0;
  bool stopping_ = false;
};

/// Starts serving one accepted connection (plain or TLS per shared().tls) on worker w.
void spawn_session(worker& w, tcp::socket socket);

}  // namespace gb::mock
