// One connection: read a request, answer it (JSON, SSE stream or error), loop while keep-alive.
// Token deadlines are absolute (start + ttft + the sum of gaps), so scheduling error never
// accumulates; events already due are written together.
#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstdio>
#include <optional>

#include "admission.hpp"
#include "plan.hpp"
#include "request.hpp"
#include "util/clock.hpp"
#include "wire.hpp"
#include "worker.hpp"
#include "writer.hpp"

namespace gb::mock {

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using protocol::dialect;
using request_t = http::request<http::string_body>;

constexpr std::size_t flush_bytes = 32 * 1024;

struct route_info {
  route r = route::other;
  std::optional<dialect> gen;
};

route_info route_of(std::string_view path) {
  if (path == "/v1/chat/completions") {
    return {route::chat, dialect::openai_chat};
  }
  if (path == "/v1/messages") {
    return {route::messages, dialect::anthropic_messages};
  }
  if (path == "/v1/completions") {
    return {route::completions, dialect::openai_completions};
  }
  if (path == "/v1/embeddings") {
    return {route::embeddings, dialect::openai_embeddings};
  }
  if (path == "/v1/models") {
    return {route::models, std::nullopt};
  }
  if (path == "/healthz") {
    return {route::healthz, std::nullopt};
  }
  if (path == "/metrics") {
    return {route::metrics, std::nullopt};
  }
  return {};
}

template <class Stream>
class session final : public conn_base {
  static constexpr bool tls = !std::is_same_v<Stream, tcp::socket>;

 public:
  session(worker& w, Stream stream)
      : w_(w),
        cfg_(w.cfg()),
        stream_(std::move(stream)),
        timer_(w.ioc()),
        buffer_(static_cast<std::size_t>(cfg_.max_header + cfg_.max_body + 8192)) {
    w_.link(this);
  }
  ~session() override { w_.unlink(this); }
  session(const session&) = delete;
  session& operator=(const session&) = delete;

  void abort() noexcept override {
    aborted_ = true;
    boost::system::error_code ignored;
    lowest().close(ignored);
    timer_.cancel();
  }

  net::awaitable<void> run();

 private:
  tcp::socket& lowest() noexcept {
    if constexpr (tls) {
      return stream_.next_layer();
    } else {
      return stream_;
    }
  }
  void arm(std::int64_t timeout_ns, timeout_kind k) noexcept {
    deadline_ns = now_ns() + timeout_ns;
    deadline_kind = k;
  }
  void disarm() noexcept { deadline_ns = std::numeric_limits<std::int64_t>::max(); }

  net::awaitable<bool> send(std::string_view data) {
    arm(cfg_.write_timeout_ns, timeout_kind::write);
    auto [ec, n] = co_await net::async_write(stream_, net::buffer(data.data(), data.size()), tok);
    disarm();
    co_return !ec && !aborted_;
  }

  net::awaitable<bool> sleep_until(std::int64_t steady_ns) {
    if (steady_ns <= now_ns()) {
      co_return !aborted_;
    }
    timer_.expires_at(steady_time_point(steady_ns));
    auto [ec] = co_await timer_.async_wait(tok);
    co_return !ec && !aborted_;
  }

  void reset_connection() noexcept {
    boost::system::error_code ignored;
    lowest().set_option(net::socket_base::linger(true, 0), ignored);
    lowest().close(ignored);
    aborted_ = true;
  }

  void count_fault(fault_kind k) noexcept {
    worker_counters::bump(w_.counters().faults[static_cast<std::size_t>(k)]);
  }

  // A complete response with a body. Returns keep-alive.
  net::awaitable<bool> respond(route r, int status, std::string_view content_type,
                               std::string_view body, bool keep_alive,
                               std::string_view extra = {}) {
    out_.clear();
    append_head(out_, status, content_type, static_cast<std::int64_t>(body.size()), true,
                keep_alive, extra);
    out_ += body;
    w_.counters().count_request(r, status);
    // The write is awaited here rather than through send(): one coroutine frame less per
    // response on the hot path.
    arm(cfg_.write_timeout_ns, timeout_kind::write);
    auto [ec, n] = co_await net::async_write(stream_, net::buffer(out_.data(), out_.size()), tok);
    disarm();
    co_return !ec && !aborted_ && keep_alive;
  }

  net::awaitable<bool> respond_error(route r, vendor v, const error_spec& e, bool keep_alive,
                                     std::string_view extra = {}) {
    // Named locals, never temporaries, inside co_await expressions (GCC 12 coroutine bugs).
    const std::string body = error_body(v, e);
    co_return co_await respond(r, e.status, "application/json", body, keep_alive, extra);
  }

  struct incoming {
    request_t req;
    std::int64_t start_ns = 0;  // when the headers had been read (steady ns)
  };
  /// Reads the next request; nullopt when the connection is done (closed, timed out, or an
  /// error answer was sent).
  net::awaitable<std::optional<incoming>> read_request();
  net::awaitable<void> close_gracefully();
  net::awaitable<void> on_read_error(boost::system::error_code ec, const request_t& partial);
  net::awaitable<bool> handle(request_t& req, std::int64_t start_ns);
  net::awaitable<bool> generate(dialect d, route r, request_t& req, std::int64_t start_ns,
                                bool keep_alive);
  net::awaitable<bool> stream_response(const gen_request& g, const response_plan& plan,
                                       response_writer& wr, route r, std::int64_t start_ns,
                                       bool keep_alive, bool chunked, const std::string& extra);
  net::awaitable<bool> whole_response(const gen_request& g, const response_plan& plan, route r,
                                      vendor v, std::int64_t start_ns, bool keep_alive,
                                      const std::string& extra, const std::string& id);

  worker& w_;
  const mock_config& cfg_;
  Stream stream_;
  net::steady_timer timer_;
  beast::flat_buffer buffer_;
  std::string out_;
  std::string events_;
  bool aborted_ = false;
  bool lingering_ = false;
};

// Coroutine frames live as long as the coroutine: run() stays small (it lasts as long as the
// connection), reading and closing happen in their own short-lived frames.
template <class Stream>
net::awaitable<void> session<Stream>::run() {
  if constexpr (tls) {
    arm(cfg_.header_timeout_ns, timeout_kind::header);
    auto [ec] = co_await stream_.async_handshake(net::ssl::stream_base::server, tok);
    disarm();
    if (ec) {
      co_return;
    }
  }
  for (;;) {
    if (w_.stopping() || aborted_) {
      break;
    }
    std::optional<incoming> in = co_await read_request();
    if (!in) {
      break;
    }
    if (!co_await handle(in->req, in->start_ns)) {
      break;
    }
    if (buffer_.size() == 0 && buffer_.capacity() > 64 * 1024) {
      buffer_.shrink_to_fit();
    }
  }
  if (!aborted_) {
    co_await close_gracefully();
  }
}

template <class Stream>
net::awaitable<std::optional<typename session<Stream>::incoming>> session<Stream>::read_request() {
  if (buffer_.size() == 0) {
    idle = true;
    arm(cfg_.idle_timeout_ns, timeout_kind::idle);
    auto [ec, n] = co_await stream_.async_read_some(buffer_.prepare(4096), tok);
    idle = false;
    if (ec || aborted_) {
      co_return std::nullopt;
    }
    buffer_.commit(n);
  }
  arm(cfg_.header_timeout_ns, timeout_kind::header);
  http::request_parser<http::string_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(cfg_.max_header));
  parser.body_limit(static_cast<std::uint64_t>(cfg_.max_body));
  {
    auto [ec, n] = co_await http::async_read_header(stream_, buffer_, parser, tok);
    if (ec) {
      disarm();
      co_await on_read_error(ec, parser.get());
      co_return std::nullopt;
    }
  }
  const std::int64_t start_ns = now_ns();
  if (!parser.is_done()) {
    const auto expect = parser.get()[http::field::expect];
    if (expect.size() == 12 && beast::iequals(expect, "100-continue")) {
      if (!co_await send("HTTP/1.1 100 Continue\r\n\r\n")) {
        co_return std::nullopt;
      }
    }
    arm(cfg_.body_timeout_ns, timeout_kind::body);
    auto [ec, n] = co_await http::async_read(stream_, buffer_, parser, tok);
    if (ec) {
      disarm();
      co_await on_read_error(ec, parser.get());
      co_return std::nullopt;
    }
  }
  disarm();
  co_return incoming{parser.release(), start_ns};
}

template <class Stream>
net::awaitable<void> session<Stream>::close_gracefully() {
  boost::system::error_code ignored;
  lowest().shutdown(tcp::socket::shutdown_send, ignored);
  if (lingering_) {
    // After an error answer the client may still be sending: drain for a moment so that
    // closing does not turn into a reset that destroys the answer (nginx's lingering close).
    arm(std::min<std::int64_t>(cfg_.header_timeout_ns, 2'000'000'000), timeout_kind::idle);
    std::array<char, 4096> sink;
    std::size_t drained = 0;
    while (!aborted_ && drained < 1024 * 1024) {
      auto [ec, n] = co_await lowest().async_read_some(net::buffer(sink), tok);
      if (ec) {
        break;
      }
      drained += n;
    }
    disarm();
  }
  lowest().close(ignored);
}

template <class Stream>
net::awaitable<void> session<Stream>::on_read_error(boost::system::error_code ec,
                                                    const request_t& partial) {
  lingering_ = true;
  if (aborted_ || ec == net::error::operation_aborted || ec == net::error::eof ||
      ec == http::error::end_of_stream || ec == http::error::partial_message ||
      ec == net::error::connection_reset || ec == net::error::bad_descriptor) {
    co_return;
  }
  const std::string_view target(partial.target().data(), partial.target().size());
  const auto ri = route_of(target.substr(0, target.find('?')));
  const vendor v = ri.gen == dialect::anthropic_messages ? vendor::anthropic : vendor::openai;
  if (ec == http::error::body_limit) {
    error_spec e{
        413, v == vendor::anthropic ? "request_too_large" : "invalid_request_error",
        v == vendor::anthropic ? "" : "request_too_large",
        "Request body is larger than the limit of " + std::to_string(cfg_.max_body) + " bytes.",
        ""};
    co_await respond_error(ri.r, v, e, false);
    co_return;
  }
  if (ec == http::error::header_limit || ec == http::error::buffer_overflow) {
    error_spec e{431, "invalid_request_error", "request_header_fields_too_large",
                 "Request headers are larger than the limit of " + std::to_string(cfg_.max_header) +
                     " bytes.",
                 ""};
    co_await respond_error(route::other, vendor::openai, e, false);
    co_return;
  }
  error_spec e{400, "invalid_request_error", "malformed_http",
               "Malformed HTTP request: " + ec.message() + ".", ""};
  co_await respond_error(route::other, vendor::openai, e, false);
}

template <class Stream>
net::awaitable<bool> session<Stream>::handle(request_t& req, std::int64_t start_ns) {
  const std::string_view target(req.target().data(), req.target().size());
  const std::string_view path = target.substr(0, target.find('?'));
  const auto ri = route_of(path);
  const bool keep_alive = req.keep_alive() && !w_.stopping();
  const bool anthropic_hint =
      ri.gen == dialect::anthropic_messages || req.count("anthropic-version") > 0;
  const vendor v = anthropic_hint ? vendor::anthropic : vendor::openai;

  if (auto* log = w_.shared().log.get(); log != nullptr) {
    std::vector<std::pair<std::string_view, std::string_view>> headers;
    for (const auto& f : req) {
      headers.emplace_back(std::string_view(f.name_string().data(), f.name_string().size()),
                           std::string_view(f.value().data(), f.value().size()));
    }
    log->write(std::string_view(req.method_string().data(), req.method_string().size()), target,
               headers, req.body());
  }

  const bool is_get = req.method() == http::verb::get;
  const bool is_post = req.method() == http::verb::post;
  auto method_not_allowed = [&]() -> net::awaitable<bool> {
    error_spec e{405, "invalid_request_error", "method_not_allowed",
                 "Method " + std::string(req.method_string()) + " is not allowed on " +
                     std::string(path) + ".",
                 ""};
    co_return co_await respond_error(ri.r, v, e, keep_alive);
  };
  switch (ri.r) {
    case route::healthz:
      if (!is_get) {
        co_return co_await method_not_allowed();
      }
      co_return co_await respond(ri.r, 200, "application/json", R"({"status":"ok"})", keep_alive);
    case route::metrics:
      if (!is_get) {
        co_return co_await method_not_allowed();
      }
      {
        const std::string text = w_.shared().metrics.render();
        co_return co_await respond(ri.r, 200, "text/plain; version=0.0.4; charset=utf-8", text,
                                   keep_alive);
      }
    case route::models:
      if (!is_get) {
        co_return co_await method_not_allowed();
      }
      {
        const std::string list = models_body(cfg_.models, wall_ns() / 1'000'000'000);
        co_return co_await respond(ri.r, 200, "application/json", list, keep_alive);
      }
    case route::other: {
      error_spec e =
          v == vendor::anthropic
              ? error_spec{404, "not_found_error", "", "Not found: " + std::string(path), ""}
              : error_spec{404, "invalid_request_error", "unknown_url",
                           "Unknown request URL: " + std::string(req.method_string()) + " " +
                               std::string(path) + ". Please check the URL for typos.",
                           ""};
      co_return co_await respond_error(ri.r, v, e, keep_alive);
    }
    default:
      if (!is_post) {
        co_return co_await method_not_allowed();
      }
      co_return co_await generate(*ri.gen, ri.r, req, start_ns, keep_alive);
  }
}

template <class Stream>
net::awaitable<bool> session<Stream>::generate(dialect d, route r, request_t& req,
                                               std::int64_t start_ns, bool keep_alive) {
  // The frame of this coroutine lives as long as the response: the parsing and checks run in a
  // plain function and only what the response needs stays here.
  const vendor v = d == dialect::anthropic_messages ? vendor::anthropic : vendor::openai;
  admission p = admit(w_, d, req);
  if (p.error) {
    co_return co_await respond_error(r, v, *p.error, keep_alive, p.extra);
  }
  const gen_request& g = *p.g;
  const response_plan& plan = p.plan;
  const std::string& id = p.id;
  std::string& extra = p.extra;
  if (plan.fault == fault_kind::slow_headers) {
    count_fault(plan.fault);
    if (!co_await sleep_until(start_ns + plan.header_delay_ns)) {
      co_return false;
    }
  }
  if (g.stream && d != dialect::openai_embeddings) {
    const std::string prefix = d == dialect::anthropic_messages ? "msg_"
                               : d == dialect::openai_chat      ? "chatcmpl-"
                                                                : "cmpl-";
    auto wr = make_writer(g, plan, {prefix + id, wall_ns() / 1'000'000'000});
    const bool chunked = req.version() >= 11;
    extra += "Cache-Control: no-cache\r\n";
    co_return co_await stream_response(g, plan, *wr, r, start_ns, keep_alive && chunked, chunked,
                                       extra);
  }
  co_return co_await whole_response(g, plan, r, v, start_ns, keep_alive, extra, id);
}

template <class Stream>
net::awaitable<bool> session<Stream>::stream_response(const gen_request& g,
                                                      const response_plan& plan,
                                                      response_writer& wr, route r,
                                                      std::int64_t start_ns, bool keep_alive,
                                                      bool chunked, const std::string& extra) {
  (void)g;
  auto& counters = w_.counters();
  worker_counters::add(counters.active_streams, 1);
  struct stream_guard {
    worker_counters& c;
    ~stream_guard() { worker_counters::add(c.active_streams, -1); }
  } guard{counters};

  if (buffer_.size() == 0) {
    buffer_.shrink_to_fit();  // a long stream should not pin the read buffer
  }
  out_.clear();
  append_head(out_, 200, "text/event-stream; charset=utf-8", -1, chunked, keep_alive, extra);
  counters.count_request(r, 200);
  events_.clear();
  std::uint64_t events = static_cast<std::uint64_t>(wr.begin(events_));

  const std::int64_t n_events = plan.events();
  const bool mid_fault = is_mid_stream(plan.fault);
  bool fault_pending = mid_fault;
  std::int64_t j = 0;
  std::int64_t sent_tokens = 0;
  std::int64_t deadline = start_ns + plan.ttft_ns;
  rng& draws = w_.draws();
  bool finished = false;

  auto flush = [&](bool last) -> net::awaitable<bool> {
    if (chunked) {
      append_chunk(out_, events_);
      if (last) {
        out_ += last_chunk;
      }
    } else {
      out_ += events_;
    }
    events_.clear();
    worker_counters::bump(counters.events_sent, events);
    events = 0;
    const bool ok = co_await send(out_);
    out_.clear();
    co_return ok;
  };

  for (;;) {
    const std::int64_t now = now_ns();
    std::int64_t batch_tokens = 0;
    while (j < n_events && !(fault_pending && sent_tokens >= plan.fault_after) && deadline <= now &&
           events_.size() < flush_bytes) {
      const auto sp = plan.event_span(j);
      events += static_cast<std::uint64_t>(wr.tokens(events_, sp.first, sp.count));
      sent_tokens += sp.count;
      batch_tokens += sp.count;
      ++j;
      if (j < n_events) {
        deadline += static_cast<std::int64_t>(plan.itl.sample(draws));
      }
    }
    worker_counters::bump(counters.tokens_sent, static_cast<std::uint64_t>(batch_tokens));
    const bool fault_now = fault_pending && sent_tokens >= plan.fault_after;
    if (j == n_events && !fault_now) {
      events += static_cast<std::uint64_t>(wr.finish(events_));
      finished = true;
    }
    if (fault_now && plan.fault == fault_kind::stream_error) {
      count_fault(plan.fault);
      events += static_cast<std::uint64_t>(wr.error_event(events_));
      const bool ok = co_await flush(true);
      co_return ok&& keep_alive;
    }
    if (fault_now && plan.fault == fault_kind::malformed_event) {
      count_fault(plan.fault);
      events += static_cast<std::uint64_t>(wr.malformed_event(events_));
      fault_pending = false;
      continue;  // flush together with what follows
    }
    if (!out_.empty() || !events_.empty()) {
      if (!co_await flush(finished)) {
        co_return false;
      }
    }
    if (finished) {
      co_return keep_alive;
    }
    if (fault_now && plan.fault == fault_kind::reset) {
      count_fault(plan.fault);
      reset_connection();
      co_return false;
    }
    if (fault_now && plan.fault == fault_kind::stall) {
      count_fault(plan.fault);
      fault_pending = false;
      const std::int64_t stall_end = now_ns() + plan.stall_ns;
      if (!co_await sleep_until(stall_end)) {
        co_return false;
      }
      if (plan.stall_close) {
        boost::system::error_code ignored;
        lowest().close(ignored);
        aborted_ = true;
        co_return false;
      }
      deadline = std::max(deadline, stall_end);
      continue;
    }
    if (deadline > now_ns() && !co_await sleep_until(deadline)) {
      co_return false;
    }
  }
}

template <class Stream>
net::awaitable<bool> session<Stream>::whole_response(const gen_request& g,
                                                     const response_plan& plan, route r, vendor v,
                                                     std::int64_t start_ns, bool keep_alive,
                                                     const std::string& extra,
                                                     const std::string& id) {
  const dialect d = g.dialect;
  rng& draws = w_.draws();
  const bool embeddings = d == dialect::openai_embeddings;
  const std::int64_t n_events = embeddings ? 1 : plan.events();
  // The generation ends at the last event's deadline; a mid-stream fault strikes at the deadline
  // of the event that completes fault_after tokens.
  std::int64_t fault_event = -1;
  if (is_mid_stream(plan.fault)) {
    std::int64_t tokens = 0;
    fault_event = 0;
    while (!embeddings && fault_event < n_events - 1 && tokens < plan.fault_after) {
      tokens += plan.event_span(fault_event).count;
      if (tokens >= plan.fault_after) {
        break;
      }
      ++fault_event;
    }
  }
  std::int64_t deadline = start_ns + plan.ttft_ns;
  for (std::int64_t j = 0; j + 1 < n_events; ++j) {
    if (j == fault_event) {
      break;
    }
    deadline += static_cast<std::int64_t>(plan.itl.sample(draws));
  }
  if (deadline > now_ns() && !co_await sleep_until(deadline)) {
    co_return false;
  }
  if (fault_event >= 0) {
    count_fault(plan.fault);
    switch (plan.fault) {
      case fault_kind::stream_error: {
        const error_spec e = fault_error(v, plan.fault);
        co_return co_await respond_error(r, v, e, keep_alive, extra);
      }
      case fault_kind::reset:
        w_.counters().count_request(r, 0);
        reset_connection();
        co_return false;
      case fault_kind::stall: {
        const std::int64_t stall_end = now_ns() + plan.stall_ns;
        if (!co_await sleep_until(stall_end)) {
          co_return false;
        }
        if (plan.stall_close) {
          w_.counters().count_request(r, 0);
          boost::system::error_code ignored;
          lowest().close(ignored);
          aborted_ = true;
          co_return false;
        }
        std::int64_t end = stall_end;
        for (std::int64_t j = fault_event; j + 1 < n_events; ++j) {
          end += static_cast<std::int64_t>(plan.itl.sample(draws));
        }
        if (!co_await sleep_until(end)) {
          co_return false;
        }
        break;
      }
      case fault_kind::malformed_event: {
        std::string body;
        make_writer(g, plan, {"x-" + id, 0})->body(body);
        body.resize(body.size() / 2);
        co_return co_await respond(r, 200, "application/json", body, keep_alive, extra);
      }
      default:
        break;
    }
  }
  std::string body;
  body.reserve(512 + static_cast<std::size_t>(plan.total_tokens()) * 8);
  if (embeddings) {
    embeddings_body(body, g, plan.key, cfg_.embedding_dim);
  } else {
    const std::string prefix = d == dialect::anthropic_messages ? "msg_"
                               : d == dialect::openai_chat      ? "chatcmpl-"
                                                                : "cmpl-";
    make_writer(g, plan, {prefix + id, wall_ns() / 1'000'000'000})->body(body);
    worker_counters::bump(w_.counters().tokens_sent,
                          static_cast<std::uint64_t>(plan.total_tokens()));
  }
  co_return co_await respond(r, 200, "application/json", body, keep_alive, extra);
}

template <class Stream>
net::awaitable<void> serve(worker& w, Stream stream) {
  session<Stream> s(w, std::move(stream));
  co_await s.run();
}

}  // namespace

void spawn_session(worker& w, tcp::socket socket) {
  auto on_done = [](std::exception_ptr e) {
    if (e) {
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        std::fprintf(stderr, "gatebench-mock: connection failed: %s\n", ex.what());
      }
    }
  };
  if (auto* ctx = w.shared().tls.get(); ctx != nullptr) {
    net::co_spawn(w.ioc(), serve(w, net::ssl::stream<tcp::socket>(std::move(socket), *ctx)),
                  on_done);
  } else {
    net::co_spawn(w.ioc(), serve(w, std::move(socket)), on_done);
  }
}

}  // namespace gb::mock
