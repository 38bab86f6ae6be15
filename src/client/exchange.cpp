#include "client/exchange.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <climits>
#include <cstring>
#include <optional>
#include <tuple>

#include "util/clock.hpp"

namespace gb::client {

namespace {

// co_await on a deferred operation runs it straight from the awaiting coroutine's frame: unlike
// use_awaitable, no extra coroutine frame is allocated per pending operation (which matters
// with 10,000 streams each waiting on a read).
constexpr auto use_tuple = net::as_tuple(net::deferred);
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

/// After an await: the fate of a request that was cancelled or whose current phase ran out of
/// time (the deadline check closed its connection), else nullopt.
std::optional<metrics::request_fate> interruption(const exchange_buffers& x, bool cancelled) {
  if (cancelled) {
    return fate_of(outcome::cancelled, {});
  }
  if (x.timed_out) {
    return timeout_fate(x.timed_out_phase);
  }
  return std::nullopt;
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
  if ((x.conn == nullptr && x.wait_pool == nullptr) || now < x.deadline_ns) {
    return false;
  }
  if (!x.timed_out) {
    x.timed_out = true;
    x.timed_out_phase = x.deadline_phase;
  }
  if (x.conn != nullptr) {
    x.conn->close();  // the pending operation completes with operation_aborted
  } else {
    x.wait_pool->cancel_wait(x.waiter);  // the wait ends without a connection
  }
  return true;
}

namespace {

// Rare or TLS-only steps live in their own coroutines: their awaiters then do not sit in the
// frame of every request (GCC keeps every awaiter of a coroutine in its frame), and they cost a
// frame only while they run.

/// Waits (FIFO) for a connection of a capped pool; null when the wait was cancelled or timed out.
task<connection*> wait_for_connection(connection_pool& pool, exchange_buffers& x,
                                      std::int64_t total_at) {
  arm(x, {total_at, timeout_phase::total});  // only the total timeout runs while waiting
  x.wait_pool = &pool;
  pool.enqueue(x.waiter);
  co_await x.waiter.wake->async_wait(use_tuple);
  x.wait_pool = nullptr;
  x.deadline_ns = INT64_MAX;
  connection* c = x.waiter.handed;
  x.waiter.handed = nullptr;
  co_return c;
}

/// Connects `c` (and runs the TLS handshake) under the connect timeout. Returns true when open;
/// else `fate` says why.
task<bool> open_connection(connection& c, const target_endpoint& t, exchange_buffers& x,
                           std::int64_t total_at, const bool& cancelled,
                           metrics::request_fate& fate) {
  arm(x, pick(now_ns() + t.config.timeouts.connect_ns, timeout_phase::connect, total_at));
  auto [ec, ep] = co_await net::async_connect(c.socket(), t.endpoints, use_tuple);
  (void)ep;
  if (auto f = interruption(x, cancelled)) {
    fate = *f;
    co_return false;
  }
  if (ec) {
    fate = fate_of(outcome::connect_error, transport_reason(ec));
    co_return false;
  }
  boost::system::error_code ignored;
  c.socket().set_option(net::ip::tcp::no_delay(true), ignored);
  c.socket().non_blocking(true, ignored);  // direct writes and draining reads
  if (!c.tls()) {
    co_return true;
  }
  auto [hec] = co_await c.tls_stream().async_handshake(net::ssl::stream_base::client, use_tuple);
  if (auto f = interruption(x, cancelled)) {
    fate = *f;
    co_return false;
  }
  if (hec) {
    const bool cert =
        hec.category() == net::error::get_ssl_category() &&
        ERR_GET_REASON(static_cast<unsigned long>(hec.value())) == SSL_R_CERTIFICATE_VERIFY_FAILED;
    fate = fate_of(outcome::tls_error, cert ? "certificate" : "handshake");
    co_return false;
  }
  co_return true;
}

task<boost::system::error_code> write_tls(connection& c, std::string_view head,
                                          std::string_view body) {
  const std::array<net::const_buffer, 2> bufs{net::buffer(head), net::buffer(body)};
  auto [ec, n] = co_await net::async_write(c.tls_stream(), bufs, use_tuple);
  (void)n;
  co_return ec;
}

/// The rest of a plain-TCP request after a direct write took `written` bytes: the head's
/// remainder is copied into the slot (the scratch buffer may be reused while this waits).
task<boost::system::error_code> write_tcp_rest(connection& c, exchange_buffers& x,
                                               std::string_view head, std::string_view body,
                                               std::size_t written) {
  std::array<net::const_buffer, 2> bufs{};
  if (written < head.size()) {
    x.head.assign(head.substr(written));
    bufs = {net::buffer(x.head), net::buffer(body)};
  } else {
    bufs = {net::const_buffer(), net::buffer(body.substr(written - head.size()))};
  }
  auto [ec, n] = co_await net::async_write(c.socket(), bufs, use_tuple);
  (void)n;
  co_return ec;
}

task<std::tuple<boost::system::error_code, std::size_t>> read_tls(connection& c,
                                                                  net::mutable_buffer buf) {
  co_return co_await c.tls_stream().async_read_some(buf, use_tuple);
}

// Plain functions for the non-suspending parts of perform(): GCC keeps every local variable of a
// coroutine in its frame (one frame per request in flight), so these keep theirs on the stack.

/// Writes head + body to a plain TCP socket without waiting. Returns the bytes written (0 when
/// the socket would block); `ec` is set on a transport error. When `head` ends where `body`
/// starts (both in the scratch buffer), one buffer goes out: send() instead of sendmsg() with
/// two pieces, which is the cheaper system call.
std::size_t write_now(connection& c, std::string_view head, std::string_view body,
                      boost::system::error_code& ec) noexcept {
  std::size_t n = 0;
  if (head.data() + head.size() == body.data()) {
    n = c.socket().write_some(net::buffer(head.data(), head.size() + body.size()), ec);
  } else {
    const std::array<net::const_buffer, 2> bufs{net::buffer(head), net::buffer(body)};
    n = c.socket().write_some(bufs, ec);
  }
  if (ec == net::error::would_block || ec == net::error::try_again) {
    ec = {};
    return 0;
  }
  return n;
}

/// A read filled the slot's small buffer with `first`: gathers it and whatever else already
/// arrived (same arrival instant `ts`) in the worker's scratch buffer, without waiting, and feeds
/// the reader in pieces as large as that buffer, so that events are not split at the small
/// buffer's edge (a split event would be copied and kept by the SSE reader). Returns true when
/// the response finished; sets `ec` on a transport error (EOF included).
bool drain(connection& c, std::string_view first, std::vector<char>& scratch, response_reader& rd,
           std::int64_t ts, boost::system::error_code& ec) noexcept {
  std::size_t have = 0;
  if (scratch.size() > first.size()) {
    std::memcpy(scratch.data(), first.data(), first.size());
    have = first.size();
  } else if (rd.feed(first, ts)) {
    return true;
  }
  while (true) {
    const std::size_t room = scratch.size() - have;
    boost::system::error_code dec;
    const std::size_t m = c.socket().read_some(net::buffer(scratch.data() + have, room), dec);
    if (dec == net::error::would_block || dec == net::error::try_again) {
      break;
    }
    have += m;
    if (dec) {
      ec = dec;
      break;
    }
    if (have == scratch.size()) {
      if (rd.feed(std::string_view(scratch.data(), have), ts)) {
        return true;
      }
      have = 0;
      continue;
    }
    if (m < room) {
      break;  // a short read: the socket is drained
    }
  }
  return have > 0 && rd.feed(std::string_view(scratch.data(), have), ts);
}

/// A read ended with `ec`: finishes the response accordingly. Returns true when the request
/// should be retried on a fresh connection (`may_retry`: a reused connection's first attempt
/// that the server had closed before any response byte).
bool end_read(response_reader& rd, const exchange_buffers& x, const boost::system::error_code& ec,
              std::int64_t ts, bool may_retry, bool cancelled) {
  if (rd.seen_end()) {
    rd.on_eof(ts);  // the outcome is known; only the framing's tail is missing
    return false;
  }
  if (auto f = interruption(x, cancelled)) {
    rd.fail(*f, ts);
    return false;
  }
  const bool eof = ec == net::error::eof || ec == net::ssl::error::stream_truncated;
  if (!rd.got_bytes() && may_retry && (eof || ec == net::error::connection_reset)) {
    return true;  // the server closed an idle keep-alive connection
  }
  if (eof) {
    rd.on_eof(ts);
  } else {
    rd.fail(fate_of(outcome::protocol_error,
                    rd.got_bytes() ? "connection_reset_mid_response" : "connection_reset"),
            ts);
  }
  return false;
}

}  // namespace

task<void> perform(connection_pool& pool, exchange_buffers& x, std::vector<char>& scratch,
                   std::string_view body, std::uint64_t request_id, metrics::request_record& rec,
                   const bool& cancelled, std::int64_t start_ns) {
  const target_endpoint& t = pool.target();
  const std::int64_t total_at = start_ns + t.config.timeouts.total_ns;
  x.timed_out = false;
  response_reader& rd = x.reader;
  rd.begin(t.config.api, rec);
  if (cancelled) {
    rd.fail(fate_of(outcome::cancelled, {}), now_ns());
    co_return;
  }
  // At most two attempts: a reused keep-alive connection that the server closed before any
  // response byte is retried once, on the same connection object reconnected. Each attempt is
  // one pass of the do-while (break ends it).
  connection* c = pool.try_acquire();
  if (c == nullptr) {
    c = co_await wait_for_connection(pool, x, total_at);
    if (cancelled || x.timed_out || c == nullptr) {
      if (c != nullptr) {
        pool.release(c, true);  // unused: the next waiter gets it
      }
      // No connection and neither cancelled nor timed out: the pool was closed (stopping).
      rd.fail(interruption(x, cancelled).value_or(fate_of(outcome::cancelled, {})), now_ns());
      co_return;
    }
  }
  for (int i = 0; i < 2; ++i) {
    x.conn = c;
    bool retry = false;
    do {
      // --- connect (+ TLS handshake) ---
      const bool reused = c->is_open();
      if (!reused) {
        ++pool.connects;
        metrics::request_fate f;
        if (!co_await open_connection(*c, t, x, total_at, cancelled, f)) {
          rd.fail(f, now_ns());
          break;
        }
      }

      // --- write ---
      // The head goes into the worker's scratch buffer and, on plain TCP, straight to the socket
      // (non-blocking): the slot keeps no copy unless the write has to wait.
      std::size_t head_len =
          t.writer->write_head(body.size(), request_id, scratch.data(), scratch.size());
      if (head_len == 0 || c->tls()) {
        t.writer->write_head(body.size(), request_id, x.head);
        head_len = 0;
      }
      const std::string_view head =
          head_len > 0 ? std::string_view(scratch.data(), head_len) : std::string_view(x.head);
      // A body that fits behind the head in the scratch buffer is copied there: the request is
      // then one contiguous buffer (one send() of it; see write_now).
      std::string_view out_body = body;
      if (head_len > 0 && body.size() <= scratch.size() - head_len) {
        std::memcpy(scratch.data() + head_len, body.data(), body.size());
        out_body = std::string_view(scratch.data() + head_len, body.size());
      }
      rec.sent_ns = now_ns();
      const deadline fb =
          pick(rec.sent_ns + t.config.timeouts.first_byte_ns, timeout_phase::first_byte, total_at);
      arm(x, fb);
      boost::system::error_code wec;
      if (c->tls()) {
        wec = co_await write_tls(*c, head, body);
      } else {
        const std::size_t n = write_now(*c, head, out_body, wec);
        if (!wec && n < head.size() + body.size()) {
          // The socket buffer is full: the rest goes asynchronously, from memory the slot owns.
          wec = co_await write_tcp_rest(*c, x, head, body, n);
        }
      }
      if (auto f = interruption(x, cancelled)) {
        rd.fail(*f, now_ns());
        break;
      }
      if (wec) {
        if (reused && i == 0) {
          retry = true;
          break;
        }
        rd.fail(fate_of(outcome::connect_error, transport_reason(wec)), now_ns());
        break;
      }

      // --- read until the response is finished (the reader was begun before this attempt) ---
      std::int64_t last_read = rec.sent_ns;
      while (!rd.finished()) {
        arm(x, rd.got_bytes()
                   ? pick(last_read + t.config.timeouts.idle_ns, timeout_phase::idle, total_at)
                   : fb);
        auto buf = net::buffer(x.read_buf);
        boost::system::error_code rec_ec;
        std::size_t n = 0;
        if (c->tls()) {
          std::tie(rec_ec, n) = co_await read_tls(*c, buf);
        } else {
          std::tie(rec_ec, n) = co_await c->socket().async_read_some(buf, use_tuple);
        }
        const std::int64_t ts = now_ns();  // arrival time, before any parsing
        if (n > 0) {
          last_read = ts;
          const std::string_view got(x.read_buf.data(), n);
          if (!rec_ec && n == x.read_buf.size() && !c->tls()) {
            if (drain(*c, got, scratch, rd, ts, rec_ec)) {
              break;
            }
          } else if (rd.feed(got, ts)) {
            break;
          }
        }
        if (rec_ec) {
          retry = end_read(rd, x, rec_ec, ts, reused && i == 0, cancelled);
          break;
        }
      }
    } while (false);
    x.conn = nullptr;
    x.deadline_ns = INT64_MAX;
    if (retry) {
      // The same connection object, reconnected: a capped pool keeps its place for this request.
      c->close();
      c->renew();
      rd.begin(t.config.api, rec);
      rec.sent_ns = 0;
      continue;
    }
    ++c->uses;
    pool.release(c, rd.reusable());
    break;
  }
  if (!rd.finished()) {
    rd.fail(fate_of(outcome::protocol_error, "internal_unfinished"), now_ns());
  }
}

}  // namespace gb::client
