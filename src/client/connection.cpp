#include "client/connection.hpp"
#include "util/stop_signal.hpp"

#include <openssl/ssl.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <chrono>
#include <fstream>

namespace gb::client {

namespace {

bool is_ip_literal(const std::string& host) {
  boost::system::error_code ec;
  net::ip::make_address(host, ec);
  return !ec;
}

}  // namespace

result<std::shared_ptr<const target_endpoint>> prepare_target(
    std::size_t index, const scenario::target& t, const std::vector<scenario::header>& extra) {
  auto u = parse_url(t.url);
  if (!u) {
    return fail("target '", t.name, "': ", u.message());
  }
  auto ep = std::make_shared<target_endpoint>();
  ep->index = index;
  ep->config = t;
  ep->url = *u;
  {
    net::io_context ioc;
    net::ip::tcp::resolver resolver(ioc);
    boost::system::error_code ec;
    auto results = resolver.resolve(u->host, std::to_string(u->port), ec);
    if (ec) {
      return fail("target '", t.name, "': cannot resolve host '", u->host, "': ", ec.message());
    }
    for (const auto& r : results) {
      ep->endpoints.push_back(r.endpoint());
    }
    if (ep->endpoints.empty()) {
      return fail("target '", t.name, "': host '", u->host, "' has no address");
    }
  }
  if (u->tls) {
    ep->sni = t.tls.server_name.empty() ? u->host : t.tls.server_name;
    auto ctx = std::make_shared<net::ssl::context>(net::ssl::context::tls_client);
    boost::system::error_code ec;
    if (!t.tls.ca_file.empty()) {
      if (!std::ifstream(t.tls.ca_file).good()) {
        return fail("target '", t.name, "': cannot read CA file '", t.tls.ca_file, "'");
      }
      ctx->load_verify_file(t.tls.ca_file, ec);
      if (ec) {
        return fail("target '", t.name, "': bad CA file '", t.tls.ca_file, "': ", ec.message());
      }
    } else {
      ctx->set_default_verify_paths(ec);
      if (ec) {
        return fail("target '", t.name, "': cannot load the system CA store: ", ec.message());
      }
    }
    ctx->set_verify_mode(t.tls.verify ? net::ssl::verify_peer : net::ssl::verify_none);
    ep->tls_ctx = std::move(ctx);
  }
  ep->writer.emplace(t, *u, extra);
  return std::shared_ptr<const target_endpoint>(std::move(ep));
}

connection::connection(net::io_context& ioc, const target_endpoint& t) : ioc_(ioc), target_(t) {
  renew();
}

bool connection::is_open() const noexcept {
  return tls_ ? tls_->next_layer().is_open() : tcp_->is_open();
}

void connection::close() noexcept {
  boost::system::error_code ignored;
  socket().close(ignored);
}

void connection::renew() {
  uses = 0;
  if (target_.tls_ctx) {
    tls_.reset();
    tls_ = std::make_unique<tls_stream_type>(ioc_.get_executor(), *target_.tls_ctx);
    SSL* ssl = tls_->native_handle();
    if (!is_ip_literal(target_.sni)) {
      SSL_set_tlsext_host_name(ssl, target_.sni.c_str());
    }
    if (target_.config.tls.verify) {
      tls_->set_verify_callback(net::ssl::host_name_verification(target_.sni));
    }
  } else if (!tcp_) {
    tcp_.emplace(ioc_.get_executor());
  }
}

connection* connection_pool::try_acquire() {
  connection* c = nullptr;
  if (!idle_open_.empty()) {
    c = idle_open_.back();
    idle_open_.pop_back();
    if (!c->is_open()) {
      c->renew();
    }
  } else if (!idle_closed_.empty()) {
    c = idle_closed_.back();
    idle_closed_.pop_back();
    c->renew();
  } else if (max_open_ <= 0 || static_cast<std::int64_t>(all_.size()) < max_open_) {
    all_.push_back(std::make_unique<connection>(ioc_, target_));
    c = all_.back().get();
  } else {
    return nullptr;
  }
  c->busy = true;
  return c;
}

void connection_pool::enqueue(pool_waiter& w) {
  if (!w.wake) {
    w.wake = std::make_unique<timer_type>(ioc_.get_executor());
  }
  w.wake->expires_at(timer_type::time_point::max());
  w.handed = nullptr;
  w.queued = true;
  waiters_.push_back(&w);
  ++waits;
}

void connection_pool::cancel_wait(pool_waiter& w) noexcept {
  if (!w.queued) {
    return;
  }
  for (auto it = waiters_.begin(); it != waiters_.end(); ++it) {
    if (*it == &w) {
      waiters_.erase(it);
      break;
    }
  }
  w.queued = false;
  w.wake->cancel();
}

void connection_pool::release(connection* c, bool keep) noexcept {
  if (!(keep && c->is_open())) {
    c->close();
    if (!waiters_.empty()) {
      c->renew();  // the next request connects it again (TLS streams are not reusable)
    }
  }
  if (!waiters_.empty()) {
    pool_waiter* w = waiters_.front();
    waiters_.pop_front();
    w->queued = false;
    w->handed = c;  // stays busy: handed over
    w->wake->cancel();
    return;
  }
  c->busy = false;
  if (c->is_open()) {
    idle_open_.push_back(c);
  } else {
    idle_closed_.push_back(c);
  }
}

void connection_pool::close_all() noexcept {
  for (auto& c : all_) {
    c->close();
  }
  while (!waiters_.empty()) {
    cancel_wait(*waiters_.front());
  }
}

status check_reachable(const target_endpoint& t, std::int64_t timeout_ns) {
  net::io_context ioc;
  connection c(ioc, t);
  boost::system::error_code result_ec;
  bool tls_failed = false;
  bool timed_out = false;
  timer_type timer(ioc.get_executor());
  timer.expires_after(std::chrono::nanoseconds(timeout_ns));
  timer.async_wait([&](boost::system::error_code ec) {
    if (!ec) {
      timed_out = true;
      c.close();
    }
  });
  net::async_connect(c.socket(), t.endpoints, [&](boost::system::error_code ec, const auto&) {
    if (ec || !c.tls()) {
      result_ec = ec;
      timer.cancel();
      return;
    }
    c.tls_stream().async_handshake(net::ssl::stream_base::client,
                                   [&](boost::system::error_code hec) {
                                     result_ec = hec;
                                     tls_failed = static_cast<bool>(hec);
                                     timer.cancel();
                                   });
  });
  // Poll so that Ctrl-C ends a check that hangs (e.g. a TLS handshake that never answers).
  bool interrupted = false;
  while (!ioc.stopped()) {
    ioc.run_for(std::chrono::milliseconds(20));
    if (!ioc.stopped() && stop_requests() > 0) {
      interrupted = true;
      timer.cancel();
      c.close();
      ioc.run();
    }
  }
  c.close();
  const std::string where = "target '" + t.config.name + "' (" + t.config.url + ")";
  if (interrupted) {
    return fail("interrupted while checking ", where);
  }
  if (timed_out) {
    return fail(where, " did not answer within ", std::to_string(timeout_ns / 1'000'000), " ms");
  }
  if (tls_failed) {
    return fail(where, ": TLS handshake failed: ", result_ec.message(),
                t.config.tls.verify ? " (use --insecure to skip certificate verification)" : "");
  }
  if (result_ec) {
    return fail(where, " is unreachable: ", result_ec.message());
  }
  return {};
}

}  // namespace gb::client
