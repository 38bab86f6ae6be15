#pragma once
// Connections to one target (plain TCP or TLS over OpenSSL) and a small per-worker keep-alive
// pool. This header includes Asio and Beast: include it only from client/driver .cpp files.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <cstdint>
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
namespace beast = boost::beast;

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

/// One connection: a TCP stream, or a TLS stream over one. Re-openable after close.
class connection {
 public:
  connection(net::io_context& ioc, const target_endpoint& t);

  bool is_open() const noexcept;
  /// Closes the socket (pending operations complete with operation_aborted).
  void close() noexcept;
  /// Prepares a fresh stream for a new connect (TLS streams cannot be reused after close).
  void renew();

  beast::tcp_stream& tcp() noexcept { return tls_ ? beast::get_lowest_layer(*tls_) : *tcp_; }
  bool tls() const noexcept { return tls_.has_value(); }
  beast::ssl_stream<beast::tcp_stream>& tls_stream() noexcept { return *tls_; }

  /// Requests served on this connection since it was opened.
  std::int64_t uses = 0;
  bool busy = false;

 private:
  net::io_context& ioc_;
  const target_endpoint& target_;
  std::optional<beast::tcp_stream> tcp_;
  std::optional<beast::ssl_stream<beast::tcp_stream>> tls_;
};

/// A worker's connections to one target. Connections are never destroyed during the run, so the
/// pointers acquire() returns stay valid. Not thread-safe (one per worker).
class connection_pool {
 public:
  connection_pool(net::io_context& ioc, const target_endpoint& t) : ioc_(ioc), target_(t) {}

  /// An idle open connection (most recently used first), else a closed one to be connected.
  connection* acquire();
  /// Returns a connection; `keep` false closes it.
  void release(connection* c, bool keep) noexcept;
  /// Closes every connection (in-flight operations complete with operation_aborted).
  void close_all() noexcept;
  const target_endpoint& target() const noexcept { return target_; }
  /// Connections opened so far (including re-opens).
  std::int64_t connects = 0;

 private:
  net::io_context& ioc_;
  const target_endpoint& target_;
  std::vector<std::unique_ptr<connection>> all_;
  std::vector<connection*> idle_open_;
  std::vector<connection*> idle_closed_;
};

}  // namespace gb::client
