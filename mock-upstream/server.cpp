#include "server.hpp"

#include <sys/resource.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <csignal>
#include <cstdio>
#include <thread>
#include <vector>

#include "util/clock.hpp"
#include "worker.hpp"

namespace gb::mock {

worker::worker(shared_state& shared, std::size_t index)
    : shared_(shared),
      index_(index),
      acceptor_(ioc_),
      sweep_timer_(ioc_),
      grace_timer_(ioc_),
      counters_(shared.metrics.worker(index)),
      draws_(mix64(shared.cfg.seed) ^ mix64(index + 0x51ed)) {}

std::string worker::next_id() {
  static constexpr char hex[] = "0123456789abcdef";
  const std::uint64_t a = mix64((static_cast<std::uint64_t>(index_) << 48) ^ ++ids_);
  const std::uint64_t b = mix64(a ^ shared_.cfg.seed);
  std::string s(24, '0');
  for (int i = 0; i < 16; ++i) {
    s[static_cast<std::size_t>(i)] = hex[(a >> (i * 4)) & 15];
  }
  for (int i = 0; i < 8; ++i) {
    s[static_cast<std::size_t>(16 + i)] = hex[(b >> (i * 4)) & 15];
  }
  return s;
}

void worker::link(conn_base* c) noexcept {
  c->next = head_;
  c->prev = nullptr;
  if (head_ != nullptr) {
    head_->prev = c;
  }
  head_ = c;
  ++conns_;
  worker_counters::add(counters_.active_connections, 1);
}

void worker::unlink(conn_base* c) noexcept {
  if (c->prev != nullptr) {
    c->prev->next = c->next;
  } else {
    head_ = c->next;
  }
  if (c->next != nullptr) {
    c->next->prev = c->prev;
  }
  --conns_;
  worker_counters::add(counters_.active_connections, -1);
  if (stopping_ && conns_ == 0) {
    sweep_timer_.cancel();
    grace_timer_.cancel();
  }
}

void worker::start() {
  net::co_spawn(ioc_, accept_loop(), net::detached);
  net::co_spawn(ioc_, sweep_loop(), net::detached);
}

net::awaitable<void> worker::accept_loop() {
  net::steady_timer backoff(ioc_);
  while (!stopping_) {
    auto [ec, sock] = co_await acceptor_.async_accept(tok);
    if (stopping_) {
      break;
    }
    if (ec) {
      // EMFILE and friends: wait a little instead of spinning.
      backoff.expires_after(std::chrono::milliseconds(20));
      co_await backoff.async_wait(tok);
      continue;
    }
    worker_counters::bump(counters_.connections_total);
    if (conns_ >= shared_.max_conns_per_worker) {
      worker_counters::bump(counters_.connections_rejected);
      boost::system::error_code ignored;
      sock.close(ignored);
      continue;
    }
    boost::system::error_code ignored;
    sock.set_option(tcp::no_delay(true), ignored);
    spawn_session(*this, std::move(sock));
  }
}

net::awaitable<void> worker::sweep_loop() {
  const auto& c = shared_.cfg;
  const std::int64_t shortest =
      std::min({c.header_timeout_ns, c.body_timeout_ns, c.idle_timeout_ns, c.write_timeout_ns});
  const std::int64_t interval = std::clamp<std::int64_t>(shortest / 4, 5'000'000, 250'000'000);
  for (;;) {
    if (stopping_ && conns_ == 0) {
      break;
    }
    sweep_timer_.expires_at(steady_time_point(now_ns() + interval));
    co_await sweep_timer_.async_wait(tok);
    const std::int64_t now = now_ns();
    for (conn_base* p = head_; p != nullptr;) {
      conn_base* next = p->next;
      if (p->deadline_ns <= now) {
        worker_counters::bump(counters_.timeouts[static_cast<std::size_t>(p->deadline_kind)]);
        p->deadline_ns = std::numeric_limits<std::int64_t>::max();
        p->abort();
      }
      p = next;
    }
  }
}

net::awaitable<void> worker::grace_then_abort() {
  grace_timer_.expires_at(steady_time_point(now_ns() + shared_.cfg.shutdown_grace_ns));
  auto [ec] = co_await grace_timer_.async_wait(tok);
  if (!ec) {
    abort_all();
  }
}

void worker::begin_stop() {
  if (stopping_) {
    return;
  }
  stopping_ = true;
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  for (conn_base* p = head_; p != nullptr;) {
    conn_base* next = p->next;
    if (p->idle) {
      p->abort();
    }
    p = next;
  }
  if (conns_ == 0) {
    sweep_timer_.cancel();
    return;
  }
  net::co_spawn(ioc_, grace_then_abort(), net::detached);
}

void worker::abort_all() noexcept {
  for (conn_base* p = head_; p != nullptr;) {
    conn_base* next = p->next;
    p->abort();
    p = next;
  }
}

struct server::impl {
  shared_state shared;
  std::vector<std::unique_ptr<worker>> workers;
  std::uint16_t port = 0;

  impl(const mock_config& cfg, std::size_t n)
      : shared{cfg,     mock_metrics(n), rate_limiter(cfg.rpm, cfg.tpm, now_ns()),
               nullptr, nullptr,         0} {}
};

server::server(std::unique_ptr<impl> p) : impl_(std::move(p)) {}
server::~server() = default;

std::uint16_t server::port() const noexcept {
  return impl_->port;
}
int server::threads() const noexcept {
  return static_cast<int>(impl_->workers.size());
}

result<std::unique_ptr<server>> server::create(const mock_config& cfg_in) {
  mock_config cfg = cfg_in;
  if (cfg.threads <= 0) {
    cfg.threads = std::max(1, static_cast<int>(std::thread::hardware_concurrency()) / 2);
  }
  // Many idle streams need many descriptors: raise the soft limit to the hard one.
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  const auto n = static_cast<std::size_t>(cfg.threads);
  auto p = std::make_unique<impl>(cfg, n);
  p->shared.max_conns_per_worker =
      std::max<std::int64_t>(1, (cfg.max_connections + cfg.threads - 1) / cfg.threads);

  if (!cfg.request_log.empty()) {
    auto log = request_log::open(cfg.request_log);
    if (!log) {
      return log.err();
    }
    p->shared.log = std::move(*log);
  }
  if (!cfg.tls_cert.empty()) {
    auto ctx = std::make_unique<net::ssl::context>(net::ssl::context::tls_server);
    boost::system::error_code ec;
    ctx->set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                         net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1 |
                         net::ssl::context::no_tlsv1_1 | net::ssl::context::single_dh_use,
                     ec);
    ctx->use_certificate_chain_file(cfg.tls_cert, ec);
    if (ec) {
      return fail("--tls-cert '", cfg.tls_cert, "': ", ec.message());
    }
    ctx->use_private_key_file(cfg.tls_key, net::ssl::context::pem, ec);
    if (ec) {
      return fail("--tls-key '", cfg.tls_key, "': ", ec.message());
    }
    p->shared.tls = std::move(ctx);
  }

  std::string host = cfg.host == "localhost" ? "127.0.0.1" : cfg.host;
  boost::system::error_code ec;
  const auto addr = net::ip::make_address(host, ec);
  if (ec) {
    return fail("--listen: '", cfg.host, "' is not an IP address");
  }
  std::uint16_t port = cfg.port;
  for (std::size_t i = 0; i < n; ++i) {
    p->workers.push_back(std::make_unique<worker>(p->shared, i));
    auto& acc = p->workers.back()->acceptor();
    const tcp::endpoint ep(addr, port);
    acc.open(ep.protocol(), ec);
    if (!ec) {
      acc.set_option(net::socket_base::reuse_address(true), ec);
      const int one = 1;
      ::setsockopt(acc.native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
      acc.bind(ep, ec);
    }
    if (!ec) {
      acc.listen(4096, ec);
    }
    if (ec) {
      return fail("cannot listen on ", host, ":", std::to_string(port), ": ", ec.message());
    }
    port = acc.local_endpoint().port();
  }
  p->port = port;
  return std::unique_ptr<server>(new server(std::move(p)));
}

void server::run() {
  std::signal(SIGPIPE, SIG_IGN);
  net::io_context control(1);
  net::signal_set signals(control, SIGINT, SIGTERM);
  std::atomic<std::size_t> running{impl_->workers.size()};
  int signals_seen = 0;
  std::function<void()> wait_signal;
  wait_signal = [&] {
    signals.async_wait([&](const boost::system::error_code& ec, int) {
      if (ec) {
        return;
      }
      ++signals_seen;
      for (auto& w : impl_->workers) {
        worker* wp = w.get();
        if (signals_seen == 1) {
          net::post(wp->ioc(), [wp] { wp->begin_stop(); });
        } else {
          net::post(wp->ioc(), [wp] { wp->abort_all(); });
        }
      }
      wait_signal();
    });
  };
  wait_signal();
  auto guard = net::make_work_guard(control);
  std::vector<std::thread> threads;
  for (auto& w : impl_->workers) {
    w->start();
    worker* wp = w.get();
    threads.emplace_back([wp, &running, &control, &signals] {
      try {
        wp->ioc().run();
      } catch (const std::exception& e) {
        std::fprintf(stderr, "gatebench-mock: worker %zu stopped: %s\n", wp->index(), e.what());
      }
      if (--running == 0) {
        net::post(control, [&signals] {
          boost::system::error_code ignored;
          signals.cancel(ignored);
        });
      }
    });
  }
  net::post(control, [&] {
    if (running == 0) {
      signals.cancel();
    }
  });
  guard.reset();
  control.run();
  for (auto& t : threads) {
    t.join();
  }
}

}  // namespace gb::mock
