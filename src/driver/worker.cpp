#include "driver/worker.hpp"

#include <sys/prctl.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <climits>

#include "util/clock.hpp"

namespace gb::driver {

namespace {

// Deferred operations are awaited from the coroutine's own frame (no extra frame each).
constexpr auto use_tuple = net::as_tuple(net::deferred);
constexpr std::int64_t late_arrival_ns = 5'000'000;
constexpr std::int64_t slot_poll_ns = 10'000'000;
constexpr int dispatch_batch = 32;  // due arrivals dispatched per wake-up before yielding

std::chrono::steady_clock::time_point to_tp(std::int64_t ns) {
  return std::chrono::steady_clock::time_point(std::chrono::nanoseconds(ns));
}

std::size_t phase_index(plan::phase p) {
  return static_cast<std::size_t>(p);
}

}  // namespace

struct worker::slot {
  explicit slot(net::io_context& ioc, std::size_t i) : index(i), wake(ioc.get_executor()) {}
  std::size_t index;
  client::timer_type wake;
  plan::prepared_request req;
  metrics::request_record rec;
  client::exchange_buffers x;
  bool has_work = false;
  std::int64_t intended = 0;
};

worker::worker(const worker_shared& shared, int index, snapshot_sink sink)
    : sh_(shared),
      load_(shared.sc->load),
      index_(index),
      sink_(std::move(sink)),
      factory_(*shared.sc, shared.prompts, index, shared.count),
      tick_timer_(ioc_),
      dispatch_timer_(ioc_),
      grace_timer_(ioc_),
      deadline_timer_(ioc_) {
  // load.connections caps each target's connections, split over the workers like concurrency
  // (at least one per worker); 0: one per request in flight.
  const std::int64_t conns = load_.connections;
  const std::int64_t conn_cap =
      conns <= 0 ? 0 : std::max<std::int64_t>(1, conns / sh_.count + (index_ < conns % sh_.count));
  for (const auto& t : sh_.targets) {
    pools_.push_back(std::make_unique<client::connection_pool>(ioc_, *t, conn_cap));
  }
  stats_ptr_.resize(sh_.targets.size(), {nullptr, nullptr, nullptr});
  intervals_.resize(sh_.targets.size());
  in_flight_.assign(sh_.targets.size(), 0);
  in_flight_since_.assign(sh_.targets.size(), 0);
  for (std::size_t t = 0; t < sh_.targets.size(); ++t) {
    for (const plan::phase_window& w : sh_.phases) {
      stats_for(t, w.which);  // every phase is in the report, even with no request
    }
  }
  if (sh_.schedule) {
    schedule_ = std::make_unique<schedule_writer>(sh_.schedule, index_, sh_.start_ns,
                                                  steady_to_wall_ns(sh_.start_ns));
  }
  open_cap_ = plan::in_flight_cap(load_, index_, sh_.count);
  factory_.set_next_sequence(sh_.first_sequence);
  if (load_.requests > 0) {
    main_quota_ = load_.requests / sh_.count + (index_ < load_.requests % sh_.count ? 1 : 0);
  }
}

worker::~worker() = default;

void worker::spawn(client::task<void> a) {
  ++live_;
  net::co_spawn(ioc_, std::move(a), [this](std::exception_ptr e) {
    if (e) {
      std::rethrow_exception(e);  // a bug: let it surface
    }
    on_coroutine_done();
  });
}

worker::slot& worker::new_slot() {
  slots_.push_back(std::make_unique<slot>(ioc_, slots_.size()));
  slot& s = *slots_.back();
  s.x.reader.set_split_header(sh_.sc->workload.split_by_header);
  s.x.reader.set_capture_text(sh_.sc->workload.turns > 1);
  // Size the inter-token gap list once for the expected stream length: growing it by doubling
  // in thousands of slots at once leaves every smaller block behind as heap fragmentation.
  const auto& wl = sh_.sc->workload;
  if (wl.stream) {
    const double expected =
        wl.output_tokens.max > 0 ? wl.output_tokens.max : wl.output_tokens.value;
    if (expected >= 1) {
      s.rec.itl_gaps.reserve(static_cast<std::size_t>(std::min(expected, 4096.0)));
    }
  }
  return s;
}

void worker::run() {
  // Timers of this thread fire when due, not up to the default 50 µs slack later (the
  // dispatcher's arrivals and think times are timer waits).
  ::prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
  const std::int64_t now = now_ns();
  (void)now;
  if (load_.mode == scenario::load::model::closed) {
    const std::int64_t n = plan::max_slots(load_, index_, sh_.count);
    for (std::int64_t i = 0; i < n; ++i) {
      spawn(closed_slot(new_slot()));
    }
  } else {
    dispatcher_done_ = false;
    spawn(dispatcher());
  }
  if (sh_.end_offset_ns != INT64_MAX && sh_.drain_grace_ns > 0) {
    grace_timer_.expires_at(to_tp(sh_.start_ns + sh_.end_offset_ns + sh_.drain_grace_ns));
    grace_timer_.async_wait([this](boost::system::error_code ec) {
      if (!ec && !finished_) {
        cancel_all();
      }
    });
  }
  net::co_spawn(ioc_, ticker(), net::detached);
  net::co_spawn(ioc_, deadline_watch(), net::detached);
  if (live_ == 0) {
    on_coroutine_done();
  }
  ioc_.run();
}

void worker::on_coroutine_done() {
  if (live_ > 0) {
    --live_;
  }
  if (live_ > 0 || finished_) {
    return;
  }
  finished_ = true;
  finish_phases();
  post_snapshot(true);
  tick_timer_.cancel();
  grace_timer_.cancel();
  dispatch_timer_.cancel();
  deadline_timer_.cancel();
  for (auto& p : pools_) {
    health_.connects += p->connects;
    p->close_all();
  }
}

void worker::request_stop(std::int64_t grace_ns) {
  net::post(ioc_, [this, grace_ns] { stop_now(grace_ns); });
}

void worker::stop_now(std::int64_t grace_ns) {
  if (finished_) {
    return;
  }
  if (stopping_) {
    cancel_all();  // a second stop: no more grace
    return;
  }
  stopping_ = true;
  dispatch_timer_.cancel();
  for (auto& s : slots_) {
    s->wake.cancel();  // idle, polling or thinking slots end
  }
  grace_timer_.cancel();
  grace_timer_.expires_at(to_tp(now_ns() + grace_ns));
  grace_timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec && !finished_) {
      cancel_all();
    }
  });
}

void worker::cancel_all() {
  stopping_ = true;
  cancelled_ = true;
  dispatch_timer_.cancel();
  for (auto& s : slots_) {
    s->wake.cancel();
  }
  for (auto& p : pools_) {
    p->close_all();
  }
}

void worker::wake_idle() {
  for (slot* s : idle_) {
    s->wake.cancel();
  }
  idle_.clear();
}

metrics::stats& worker::stats_for(std::size_t target, plan::phase p) {
  metrics::stats*& ptr = stats_ptr_[target][phase_index(p)];
  if (ptr == nullptr) {
    ptr =
        &stats_.by_target_phase[sh_.targets[target]->config.name][std::string(plan::to_string(p))];
  }
  return *ptr;
}

metrics::interval_accum& worker::interval_for(std::size_t target, plan::phase p) {
  auto& ptr = intervals_[target][phase_index(p)];
  if (!ptr) {
    ptr = std::make_unique<metrics::interval_accum>();
  }
  return *ptr;
}

void worker::track_in_flight(std::size_t target, int delta, std::int64_t now) {
  // Charge in_flight × time to each phase window the span since the last change overlaps.
  // Callers pass times they already read (a request's arrival time may precede the last
  // change by a little): time never runs backwards here.
  const std::int64_t since = in_flight_since_[target];
  now = std::max(now, since);
  const std::int64_t count = since > 0 ? in_flight_[target] : 0;
  const std::vector<plan::phase_window>& phases = sh_.phases;
  // The window `now` is in, found from the last one used (time moves forward).
  while (window_ < phases.size() && now - sh_.start_ns >= phases[window_].end_ns) {
    ++window_;
  }
  metrics::stats* now_st = nullptr;  // the stats of the phase `now` is in (its peak)
  if (window_ < phases.size() && since - sh_.start_ns >= phases[window_].start_ns) {
    // The usual case: the whole span lies in that window.
    now_st = stats_ptr_[target][phase_index(phases[window_].which)];
    if (now_st != nullptr) {
      now_st->inflight_area_ns += count * (now - since);
    }
  } else {
    for (const plan::phase_window& w : phases) {
      const std::int64_t ws = sh_.start_ns + w.start_ns;
      const std::int64_t we = w.end_ns == INT64_MAX ? INT64_MAX : sh_.start_ns + w.end_ns;
      const std::int64_t a = std::max(since, ws);
      const std::int64_t b = std::min(now, we);
      metrics::stats* st = stats_ptr_[target][phase_index(w.which)];
      if (b > a && st != nullptr) {
        st->inflight_area_ns += count * (b - a);
      }
    }
    now_st = stats_ptr_[target][phase_index(plan::phase_at(phases, now - sh_.start_ns))];
  }
  in_flight_[target] += delta;
  in_flight_total_ += delta;
  in_flight_since_[target] = now;
  if (now_st != nullptr) {
    now_st->inflight_max = std::max(now_st->inflight_max, in_flight_[target]);
  }
}

worker::started worker::begin_request(slot& s, std::int64_t intended, std::int64_t now) {
  const std::size_t t = std::min(s.req.target_index, pools_.size() - 1);
  const plan::phase p = plan::phase_at(sh_.phases, intended - sh_.start_ns);
  if (p == plan::phase::main) {
    ++main_started_;
  }
  metrics::stats& st = stats_for(t, p);
  st.outcomes.start();
  ++interval_for(t, p).started;
  track_in_flight(t, +1, now);
  s.rec.clear();
  s.rec.intended_ns = intended;
  s.rec.planned_input_tokens = s.req.input_tokens;
  return {t, p, &st, intended};
}

void worker::end_request(slot& s, const started& r) {
  const std::size_t t = r.target;
  const plan::phase p = r.phase;
  const std::int64_t intended = r.intended;
  metrics::stats& st = *r.st;
  // The request ended when its last bytes arrived (done_ns), which saves reading the clock.
  track_in_flight(t, -1, s.rec.done_ns > 0 ? s.rec.done_ns : now_ns());
  if (schedule_) {
    schedule_->add(s.req.request_id, intended, s.rec.sent_ns, sh_.targets[t]->config.name,
                   plan::to_string(p), metrics::to_string(s.rec.fate.kind));
  }
  metrics::record_request(st, s.rec, sh_.slos);
  record_splits(s, t, p);
  interval_for(t, p).add(s.rec);
  factory_.on_response(s.index, s.x.reader.text(), s.rec.fate.kind == metrics::outcome::ok);
}

void worker::record_splits(const slot& s, std::size_t t, plan::phase p) {
  const auto& wl = sh_.sc->workload;
  auto record_into = [&](std::string_view label) {
    key_.clear();
    key_.append(sh_.targets[t]->config.name);
    key_.append("/");
    key_.append(plan::to_string(p));
    key_.append("/");
    key_.append(label);
    auto it = stats_.splits.find(key_);
    if (it == stats_.splits.end()) {
      it = stats_.splits.emplace(key_, metrics::stats{}).first;
    }
    it->second.outcomes.start();
    metrics::record_request(it->second, s.rec, sh_.slos);
  };
  if (!wl.split_by_header.empty()) {
    const std::string& v = s.x.reader.head().split_value;
    std::string label = wl.split_by_header + "=" + (v.empty() ? std::string("none") : v);
    record_into(label);
  }
  if (wl.turns > 1) {
    record_into("turn=" + std::to_string(s.req.turn + 1));
  }
}

client::task<void> worker::closed_slot(slot& s) {
  std::int64_t intended = sh_.start_ns;
  bool waiting = false;
  std::int64_t done = 0;  // when the last request ended (steady ns), else 0
  while (!stopping_) {
    // Right after a request, its end (the arrival of its last bytes, less than a microsecond
    // ago) stands for the clock: one clock read fewer per request.
    std::int64_t now = done > 0 ? done : now_ns();
    done = 0;
    const std::int64_t t = now - sh_.start_ns;
    if (t >= sh_.end_offset_ns) {
      break;
    }
    if (static_cast<std::int64_t>(s.index) >= plan::slots_at(load_, t, index_, sh_.count)) {
      waiting = true;  // ramping (stages): this slot is not wanted yet
      s.wake.expires_at(to_tp(now + slot_poll_ns));
      co_await s.wake.async_wait(use_tuple);
      continue;
    }
    if (waiting) {
      intended = now;
      waiting = false;
    }
    const plan::phase p = plan::phase_at(sh_.phases, std::max(now, intended) - sh_.start_ns);
    if (p == plan::phase::main && main_quota_ >= 0 && main_started_ >= main_quota_) {
      break;
    }
    factory_.next(s.index, s.req);
    if (s.req.delay_ns > 0) {
      s.wake.expires_at(to_tp(now + s.req.delay_ns));
      co_await s.wake.async_wait(use_tuple);
      if (stopping_) {
        break;
      }
      intended = now_ns();
      now = intended;
    }
    const started r = begin_request(s, intended, now);
    co_await client::perform(*pools_[r.target], s.x, scratch_, s.req.body, s.req.request_id, s.rec,
                             cancelled_, now);
    end_request(s, r);
    done = s.rec.done_ns;
    intended = done > 0 ? done : now_ns();
  }
}

bool worker::take_queued(slot& s) {
  const std::int64_t now = now_ns();
  while (!queue_.empty()) {
    const std::int64_t i = queue_.front();
    queue_.pop_front();
    if (now - i > load_.max_queue_wait_ns) {
      drop(i);
      continue;
    }
    s.has_work = true;
    s.intended = i;
    return true;
  }
  return false;
}

void worker::drop(std::int64_t intended) {
  const plan::phase p = plan::phase_at(sh_.phases, intended - sh_.start_ns);
  ++stats_for(0, p).dropped;
  ++health_.dropped;
}

client::task<void> worker::open_slot(slot& s) {
  while (true) {
    if (!s.has_work) {
      if (stopping_ || (dispatcher_done_ && queue_.empty())) {
        break;
      }
      idle_.push_back(&s);
      s.wake.expires_at(client::timer_type::time_point::max());
      co_await s.wake.async_wait(use_tuple);
      continue;
    }
    s.has_work = false;
    if (stopping_) {
      break;
    }
    // An arrival starts a session: one request, or with turns > 1 the session's turns one after
    // another, each later turn intended think_time after the previous one ended (its lateness
    // is schedule lag). The slot stays with the session while it thinks; turns whose intended
    // time falls after the load's end are not sent (docs/scenarios.md "Multi-turn").
    std::int64_t intended = s.intended;
    while (true) {
      factory_.next(s.index, s.req);
      const std::int64_t now = now_ns();
      const started r = begin_request(s, intended, now);
      co_await client::perform(*pools_[r.target], s.x, scratch_, s.req.body, s.req.request_id,
                               s.rec, cancelled_, now);
      end_request(s, r);
      if (stopping_ || !factory_.in_session(s.index)) {
        break;
      }
      const std::int64_t done = s.rec.done_ns > 0 ? s.rec.done_ns : now_ns();
      intended = done + sh_.sc->workload.think_time_ns;
      if (intended - sh_.start_ns >= sh_.end_offset_ns) {
        factory_.end_session(s.index);  // cut at the end: the next arrival starts afresh
        break;
      }
      if (intended > now_ns()) {
        s.wake.expires_at(to_tp(intended));
        co_await s.wake.async_wait(use_tuple);
        if (stopping_) {
          break;
        }
      }
    }
    if (!stopping_) {
      take_queued(s);
    }
  }
}

void worker::dispatch(std::int64_t at, std::int64_t now) {
  ++health_.arrivals;
  if (now - at > late_arrival_ns) {
    ++health_.late_arrivals;
  }
  if (!idle_.empty()) {
    slot* s = idle_.back();
    idle_.pop_back();
    s->has_work = true;
    s->intended = at;
    s->wake.cancel();  // the slot runs as soon as the dispatcher yields
  } else if (static_cast<std::int64_t>(slots_.size()) < open_cap_) {
    slot& s = new_slot();
    s.has_work = true;
    s.intended = at;
    spawn(open_slot(s));
  } else {
    queue_.push_back(at);
    ++health_.queued;
  }
}

client::task<void> worker::dispatcher() {
  auto schedule = plan::make_arrival_schedule(load_, sh_.sc->seed, index_, sh_.count);
  std::int64_t off = schedule->next();
  while (!stopping_ && off != INT64_MAX) {
    std::int64_t now = now_ns();
    if (sh_.start_ns + off > now) {
      dispatch_timer_.expires_at(to_tp(sh_.start_ns + off));
      co_await dispatch_timer_.async_wait(use_tuple);
      if (stopping_) {
        break;
      }
      now = now_ns();
    }
    while (!queue_.empty() && now - queue_.front() > load_.max_queue_wait_ns) {
      drop(queue_.front());
      queue_.pop_front();
    }
    // Every arrival already due is dispatched in this one wake-up (one clock read), up to
    // dispatch_batch of them; when more are still due (the worker is behind), yield first so
    // that completions waiting in the io_context return their slots to the idle list instead
    // of a backlog opening a new slot and connection per arrival.
    for (int n = 0; n < dispatch_batch && off != INT64_MAX && sh_.start_ns + off <= now; ++n) {
      dispatch(sh_.start_ns + off, now);
      off = schedule->next();
    }
    if (off != INT64_MAX && sh_.start_ns + off <= now_ns()) {
      co_await net::post(ioc_, net::deferred);
    }
  }
  dispatcher_done_ = true;
  if (stopping_) {
    while (!queue_.empty()) {
      drop(queue_.front());
      queue_.pop_front();
    }
  }
  if (queue_.empty()) {
    wake_idle();
  }
}

client::task<void> worker::ticker() {
  while (!finished_) {
    tick_timer_.expires_at(to_tp(sh_.start_ns + (interval_index_ + 1) * sh_.interval_ns));
    auto [ec] = co_await tick_timer_.async_wait(use_tuple);
    if (finished_) {
      break;
    }
    if (!ec) {
      post_snapshot(false);
      ++interval_index_;
    }
    if (dispatcher_done_ && queue_.empty() && load_.mode == scenario::load::model::open) {
      wake_idle();
    }
  }
}

client::task<void> worker::deadline_watch() {
  // One coarse timer per worker instead of one per read and write: every deadline_check_ns,
  // close the connection of any request whose current phase ran out of time.
  std::int64_t next = now_ns();
  while (!finished_) {
    next += client::deadline_check_ns;
    deadline_timer_.expires_at(to_tp(next));
    co_await deadline_timer_.async_wait(use_tuple);
    if (finished_) {
      break;
    }
    const std::int64_t now = now_ns();
    if (now - next > client::deadline_check_ns) {
      next = now;  // fell behind (loaded machine): do not fire a burst of catch-up checks
    }
    for (auto& s : slots_) {
      client::check_deadline(s->x, now);
    }
  }
}

void worker::post_snapshot(bool last) {
  interval_snapshot snap;
  snap.worker = index_;
  snap.index = interval_index_;
  snap.last = last;
  snap.in_flight = in_flight_total_;
  snap.queued = static_cast<std::int64_t>(queue_.size());
  snap.dropped_total = health_.dropped;
  for (std::size_t t = 0; t < intervals_.size(); ++t) {
    for (std::size_t p = 0; p < 3; ++p) {
      auto& acc = intervals_[t][p];
      if (acc && !acc->empty()) {
        snap.parts.push_back({t, static_cast<plan::phase>(p), *acc});
        acc->reset();
      }
    }
  }
  sink_(std::move(snap));
}

void worker::finish_phases() {
  for (std::size_t t = 0; t < in_flight_.size(); ++t) {
    track_in_flight(t, 0, now_ns());
  }
  const std::int64_t now = now_ns();
  for (std::size_t t = 0; t < stats_ptr_.size(); ++t) {
    for (const plan::phase_window& w : sh_.phases) {
      metrics::stats* st = stats_ptr_[t][phase_index(w.which)];
      if (st == nullptr) {
        continue;
      }
      st->phase_start_ns = sh_.start_ns + w.start_ns;
      const std::int64_t end = w.end_ns == INT64_MAX ? now - sh_.start_ns : w.end_ns;
      st->phase_end_ns = sh_.start_ns + std::min(end, now - sh_.start_ns);
      if (w.end_ns == INT64_MAX && st->last_done_ns > 0) {
        st->phase_end_ns = st->last_done_ns;
      }
    }
  }
}

}  // namespace gb::driver
