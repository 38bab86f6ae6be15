#include "export/metrics_server.hpp"

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <charconv>
#include <chrono>
#include <mutex>
#include <thread>

#include "export/prometheus_text.hpp"

namespace gb::exporter {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

result<listen_address> parse_listen_address(std::string_view text) {
  listen_address a;
  std::string_view port_text;
  if (text.starts_with("[")) {
    const auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return fail("--metrics-addr '", std::string(text), "': expected [IPv6]:PORT");
    }
    a.host = std::string(text.substr(1, close - 1));
    port_text = text.substr(close + 2);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos) {
      return fail("--metrics-addr '", std::string(text), "': expected HOST:PORT");
    }
    a.host = std::string(text.substr(0, colon));
    port_text = text.substr(colon + 1);
  }
  if (a.host.empty()) {
    return fail("--metrics-addr '", std::string(text), "': the host is empty");
  }
  unsigned v = 0;
  auto [p, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), v);
  if (port_text.empty() || ec != std::errc{} || p != port_text.data() + port_text.size() ||
      v > 65535) {
    return fail("--metrics-addr '", std::string(text), "': bad port '", std::string(port_text),
                "'");
  }
  a.port = static_cast<std::uint16_t>(v);
  return a;
}

struct metrics_server::impl {
  net::io_context io{1};
  tcp::acceptor acceptor{io};
  std::thread thread;
  std::mutex mutex;
  std::string body;
  std::atomic<std::int64_t> scrapes{0};
  std::uint16_t port = 0;
  bool stopped = false;

  std::string current() {
    std::lock_guard lock(mutex);
    return body;
  }

  net::awaitable<void> session(tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    for (;;) {
      http::request<http::string_body> req;
      stream.expires_after(std::chrono::seconds(30));
      auto [ec, n] =
          co_await http::async_read(stream, buffer, req, net::as_tuple(net::use_awaitable));
      (void)n;
      if (ec) {
        break;
      }
      http::response<http::string_body> res;
      res.version(req.version());
      res.keep_alive(req.keep_alive());
      res.set(http::field::server, "gatebench");
      const std::string_view target(req.target().data(), req.target().size());
      const std::string_view path = target.substr(0, target.find('?'));
      if (req.method() != http::verb::get && req.method() != http::verb::head) {
        res.result(http::status::method_not_allowed);
        res.set(http::field::allow, "GET, HEAD");
        res.set(http::field::content_type, "text/plain; charset=utf-8");
        res.body() = "only GET is supported\n";
      } else if (path == "/metrics") {
        res.result(http::status::ok);
        res.set(http::field::content_type, std::string(prometheus_content_type));
        res.body() = current();
        scrapes.fetch_add(1, std::memory_order_relaxed);
      } else if (path == "/") {
        res.result(http::status::ok);
        res.set(http::field::content_type, "text/plain; charset=utf-8");
        res.body() = "gatebench live metrics: GET /metrics\n";
      } else {
        res.result(http::status::not_found);
        res.set(http::field::content_type, "text/plain; charset=utf-8");
        res.body() = "not found; metrics are at /metrics\n";
      }
      res.prepare_payload();
      if (req.method() == http::verb::head) {
        res.body().clear();
      }
      auto [wec, wn] = co_await http::async_write(stream, res, net::as_tuple(net::use_awaitable));
      (void)wn;
      if (wec || !res.keep_alive()) {
        break;
      }
    }
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  net::awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, socket] = co_await acceptor.async_accept(net::as_tuple(net::use_awaitable));
      if (ec) {
        if (ec == net::error::operation_aborted || !acceptor.is_open()) {
          co_return;
        }
        continue;  // e.g. too many open files: keep serving the ones we have
      }
      net::co_spawn(io, session(std::move(socket)), net::detached);
    }
  }
};

result<std::unique_ptr<metrics_server>> metrics_server::start(std::string_view host_port) {
  auto addr = parse_listen_address(host_port);
  if (!addr) {
    return error{addr.message()};
  }
  auto p = std::make_unique<impl>();
  boost::system::error_code ec;
  tcp::resolver resolver(p->io);
  auto endpoints = resolver.resolve(addr->host, std::to_string(addr->port),
                                    tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  if (ec || endpoints.empty()) {
    return fail("--metrics-addr ", std::string(host_port), ": cannot resolve '", addr->host,
                "': ", ec.message());
  }
  const tcp::endpoint ep = endpoints.begin()->endpoint();
  p->acceptor.open(ep.protocol(), ec);
  if (!ec) {
    p->acceptor.set_option(net::socket_base::reuse_address(true), ec);
    p->acceptor.bind(ep, ec);
  }
  if (!ec) {
    p->acceptor.listen(net::socket_base::max_listen_connections, ec);
  }
  if (ec) {
    return fail("--metrics-addr ", std::string(host_port), ": cannot listen: ", ec.message());
  }
  p->port = p->acceptor.local_endpoint().port();
  impl* raw = p.get();
  net::co_spawn(p->io, raw->accept_loop(), net::detached);
  p->thread = std::thread([raw] { raw->io.run(); });
  return std::unique_ptr<metrics_server>(new metrics_server(std::move(p)));
}

metrics_server::metrics_server(std::unique_ptr<impl> p) : impl_(std::move(p)) {}

metrics_server::~metrics_server() {
  stop();
}

void metrics_server::publish(std::string body) {
  std::lock_guard lock(impl_->mutex);
  impl_->body = std::move(body);
}

std::uint16_t metrics_server::port() const noexcept {
  return impl_->port;
}

std::int64_t metrics_server::scrapes() const noexcept {
  return impl_->scrapes.load(std::memory_order_relaxed);
}

void metrics_server::stop() {
  if (!impl_ || impl_->stopped) {
    return;
  }
  impl_->stopped = true;
  net::post(impl_->io, [p = impl_.get()] {
    boost::system::error_code ignored;
    p->acceptor.close(ignored);
    p->io.stop();
  });
  if (impl_->thread.joinable()) {
    impl_->thread.join();
  }
}

}  // namespace gb::exporter
