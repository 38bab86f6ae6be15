#include "client/exchange.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <climits>

#include "util/clock.hpp"

namespace gb::client {

namespace {

constexpr auto use_tuple = net::as_tuple(net::use_awaitable);
using metrics::outcome;
using metrics::timeout_phase;

struct deadline {
  std::int64_t at = 0;
  timeout_phase phase = timeout_phase::total;
};

deadline pick(std::int64_t phase_at, timeout_phase p, std::int64_t total_at) {
  if (phase_at < total_at) {
    return {phase_at, p};
  }
  return {total_at, timeout_phase::total};
}

metrics::request_fate timeout_fate(timeout_phase p) {
  metrics::request_fate f;
  f.kind = outcome::timeout;
  f.phase = p;
  return f;
}

metrics::request_fate fate_of(outcome k, std::string_view reason) {
  metrics::request_fate f;
  f.kind = k;
  f.reason = reason;
  return f;
}

/// A static reason for a transport error code.
std::string_view transport_reason(const boost::system::error_code& ec) {
  if (ec == net::error::connection_refused) {
    return "refused";
  }
  if (ec == net::error::connection_reset) {
    return "reset";
  }
  if (ec == net::error::network_unreachable || ec == net::error::host_unreachable) {
    return "unreachable";
  }
  if (ec == net::error::eof) {
    return "eof";
  }
  if (ec == net::error::broken_pipe) {
    return "broken_pipe";
  }
  return "other";
}

/// The operation in progress on `x` expires at `d` (checked by check_deadline).
void arm(exchange_buffers& x, const deadline& d) noexcept {
  x.deadline_ns = d.at;
  x.deadline_phase = d.phase;
}

}  // namespace

bool check_deadline(exchange_buffers& x, std::int64_t now) noexcept {
  if (x.conn == nullptr || now < x.deadline_ns) {
    return false;
  }
  if (!x.timed_out) {
    x.timed_out = true;
    x.timed_out_phase = x.deadline_phase;
  }
  x.conn->close();  // the pending operation completes with operation_aborted
  return true;
}

net::awaitable<void> perform(connection_pool& pool, exchange_buffers& x, std::vector<char>& scratch,
                             std::string_view body, std::uint64_t request_id,
                             metrics::request_record& rec, const bool& cancelled) {
  const target_endpoint& t = pool.target();
  const std::int64_t total_at = now_ns() + t.config.timeouts.total_ns;
  x.timed_out = false;
  x.reader.begin(t.config.api, rec);
  if (cancelled) {
    x.reader.fail(fate_of(outcome::cancelled, {}), now_ns());
    co_return;
  }
  response_reader& rd = x.reader;
  const auto& to = t.config.timeouts;
  auto fail_now = [&](const metrics::request_fate& f) { rd.fail(f, now_ns()); };
  // At most two attempts: a reused keep-alive connection that the server closed before any
  // response byte is retried once on a fresh one. Each attempt is one pass of the do-while
  // (break ends it); everything is inline so a request costs a single coroutine frame.
  for (int i = 0; i < 2; ++i) {
    connection* c = pool.acquire();
    if (!c->is_open()) {
      ++pool.connects;
    }
    x.conn = c;
    bool retry = false;
    do {
      // --- connect (+ TLS handshake) ---
      const bool reused = c->is_open();
      if (!reused) {
        const deadline d = pick(now_ns() + to.connect_ns, timeout_phase::connect, total_at);
        arm(x, d);
        c->tcp().expires_never();
        auto [ec, ep] = co_await c->tcp().async_connect(t.endpoints, use_tuple);
        (void)ep;
        if (cancelled) {
          fail_now(fate_of(outcome::cancelled, {}));
          break;
        }
        if (x.timed_out) {
          fail_now(timeout_fate(x.timed_out_phase));
          break;
        }
        if (ec) {
          fail_now(fate_of(outcome::connect_error, transport_reason(ec)));
          break;
        }
        boost::system::error_code ignored;
        c->tcp().socket().set_option(net::ip::tcp::no_delay(true), ignored);
        c->tcp().socket().non_blocking(true, ignored);  // for the draining reads below
        if (c->tls()) {
          auto [hec] =
              co_await c->tls_stream().async_handshake(net::ssl::stream_base::client, use_tuple);
          if (cancelled) {
            fail_now(fate_of(outcome::cancelled, {}));
            break;
          }
          if (x.timed_out) {
            fail_now(timeout_fate(x.timed_out_phase));
            break;
          }
          if (hec) {
            const bool cert = hec.category() == net::error::get_ssl_category() &&
                              ERR_GET_REASON(static_cast<unsigned long>(hec.value())) ==
                                  SSL_R_CERTIFICATE_VERIFY_FAILED;
            fail_now(fate_of(outcome::tls_error, cert ? "certificate" : "handshake"));
            break;
          }
        }
      }

      // --- write ---
      t.writer->write_head(body.size(), request_id, x.head);
      rec.sent_ns = now_ns();
      const deadline fb = pick(rec.sent_ns + to.first_byte_ns, timeout_phase::first_byte, total_at);
      arm(x, fb);
      std::array<net::const_buffer, 2> bufs{net::buffer(x.head), net::buffer(body)};
      boost::system::error_code wec;
      if (c->tls()) {
        std::tie(wec, std::ignore) = co_await net::async_write(c->tls_stream(), bufs, use_tuple);
      } else {
        std::tie(wec, std::ignore) = co_await net::async_write(c->tcp().socket(), bufs, use_tuple);
      }
      if (cancelled) {
        fail_now(fate_of(outcome::cancelled, {}));
        break;
      }
      if (x.timed_out) {
        fail_now(timeout_fate(x.timed_out_phase));
        break;
      }
      if (wec) {
        if (reused && i == 0) {
          retry = true;
          break;
        }
        fail_now(fate_of(outcome::connect_error, transport_reason(wec)));
        break;
      }

      // --- read until the response is finished ---
      rd.begin(t.config.api, rec);
      std::int64_t last_read = rec.sent_ns;
      while (!rd.finished()) {
        const deadline d =
            rd.got_bytes() ? pick(last_read + to.idle_ns, timeout_phase::idle, total_at) : fb;
        arm(x, d);
        auto buf = net::buffer(x.read_buf);
        boost::system::error_code rec_ec;
        std::size_t n = 0;
        if (c->tls()) {
          std::tie(rec_ec, n) = co_await c->tls_stream().async_read_some(buf, use_tuple);
        } else {
          std::tie(rec_ec, n) = co_await c->tcp().socket().async_read_some(buf, use_tuple);
        }
        const std::int64_t ts = now_ns();  // arrival time, before any parsing
        if (n > 0) {
          last_read = ts;
          if (rd.feed(std::string_view(x.read_buf.data(), n), ts)) {
            break;
          }
          if (!rec_ec && n == x.read_buf.size() && !c->tls()) {
            // The small buffer filled: take what else already arrived (same arrival instant)
            // into the worker's scratch buffer without waiting again.
            bool done = false;
            while (true) {
              boost::system::error_code dec;
              const std::size_t m = c->tcp().socket().read_some(net::buffer(scratch), dec);
              if (dec == net::error::would_block || dec == net::error::try_again) {
                break;
              }
              if (m > 0 && rd.feed(std::string_view(scratch.data(), m), ts)) {
                done = true;
                break;
              }
              if (dec) {
                rec_ec = dec;
                break;
              }
              if (m < scratch.size()) {
                break;
              }
            }
            if (done) {
              break;
            }
          }
        }
        if (!rec_ec) {
          continue;
        }
        if (rd.seen_end()) {
          rd.on_eof(ts);  // the outcome is known; only the framing's tail is missing
          break;
        }
        if (cancelled) {
          rd.fail(fate_of(outcome::cancelled, {}), ts);
          break;
        }
        if (x.timed_out) {
          rd.fail(timeout_fate(x.timed_out_phase), ts);
          break;
        }
        const bool eof = rec_ec == net::error::eof || rec_ec == net::ssl::error::stream_truncated;
        if (!rd.got_bytes() && reused && i == 0 &&
            (eof || rec_ec == net::error::connection_reset)) {
          retry = true;
          break;  // the server closed an idle keep-alive connection
        }
        if (eof) {
          rd.on_eof(ts);
        } else {
          rd.fail(fate_of(outcome::protocol_error,
                          rd.got_bytes() ? "connection_reset_mid_response" : "connection_reset"),
                  ts);
        }
        break;
      }
    } while (false);
    x.conn = nullptr;
    x.deadline_ns = INT64_MAX;
    if (retry) {
      pool.release(c, false);
      rd.begin(t.config.api, rec);
      rec.sent_ns = 0;
      continue;
    }
    ++c->uses;
    pool.release(c, rd.reusable());
    break;
  }
  if (!x.reader.finished()) {
    x.reader.fail(fate_of(outcome::protocol_error, "internal_unfinished"), now_ns());
  }
}

}  // namespace gb::client
