#pragma once
// One load worker: a thread with its own io_context, connection pools, request factory and
// stats (architecture.md "Threading"). Closed loop runs one coroutine per slot; open loop runs a
// dispatcher on an absolute arrival schedule and up to a capped number of slot coroutines, with
// a FIFO of arrivals waiting for a free slot; each arrival starts a session (its turns run on
// the slot, think time apart). Driver-internal; includes Asio.

#include <array>
#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "client/connection.hpp"
#include "client/exchange.hpp"
#include "driver/schedule_log.hpp"
#include "metrics/recorder.hpp"
#include "metrics/run_stats.hpp"
#include "plan/pacer.hpp"
#include "plan/phases.hpp"
#include "plan/workload.hpp"
#include "scenario/scenario.hpp"

namespace gb::driver {

namespace net = boost::asio;

/// Read-only state shared by every worker of a run.
struct worker_shared {
  const scenario::scenario* sc = nullptr;
  std::vector<std::shared_ptr<const client::target_endpoint>> targets;
  std::shared_ptr<const plan::prompt_data> prompts;
  std::vector<plan::phase_window> phases;
  std::vector<metrics::slo_limit> slos;
  int count = 1;                     // number of workers
  std::int64_t start_ns = 0;         // steady instant of the run's start
  std::int64_t interval_ns = 0;      // time-series interval
  std::int64_t end_offset_ns = 0;    // end of the last phase from start (INT64_MAX: by count)
  std::int64_t drain_grace_ns = 0;   // in-flight requests get this long after a natural end
  std::uint64_t first_sequence = 1;  // request ids continue from here (sweeps: across points)
  std::shared_ptr<schedule_file> schedule;  // null: no schedule file
};

/// One interval of one worker, posted to the main thread.
struct interval_snapshot {
  struct part {
    std::size_t target = 0;
    plan::phase phase = plan::phase::main;
    metrics::interval_accum accum;
  };
  int worker = 0;
  std::int64_t index = 0;  // interval number from the run's start
  bool last = false;       // the worker finished: no later snapshot from it
  std::int64_t in_flight = 0;
  std::int64_t queued = 0;
  std::int64_t dropped_total = 0;  // arrivals dropped by this worker since the start
  std::vector<part> parts;
};

/// Counters the worker keeps for client-bound detection.
struct worker_health {
  std::int64_t arrivals = 0;       // open loop
  std::int64_t late_arrivals = 0;  // dispatched > 5 ms after the schedule's time
  std::int64_t queued = 0;         // arrivals that had to wait for a free slot
  std::int64_t dropped = 0;
  std::int64_t connects = 0;
};

class worker {
 public:
  using snapshot_sink = std::function<void(interval_snapshot&&)>;

  worker(const worker_shared& shared, int index, snapshot_sink sink);
  ~worker();

  /// Runs the load until every slot has finished (the thread's body). Returns when done.
  void run();
  /// Thread-safe: stop sending; after `grace_ns` cancel whatever is still in flight.
  void request_stop(std::int64_t grace_ns);

  /// The worker's measurements (read after run() returned and the thread was joined).
  metrics::run_stats& stats() noexcept { return stats_; }
  const worker_health& health() const noexcept { return health_; }
  /// The request-id sequence one past the last id this worker used (read after run()).
  std::uint64_t next_sequence() const noexcept { return factory_.next_sequence(); }

 private:
  struct slot;
  client::task<void> closed_slot(slot& s);
  client::task<void> open_slot(slot& s);
  client::task<void> dispatcher();
  /// Open loop: hands the arrival intended at `at` (steady ns) to an idle slot, a new slot
  /// (below the cap) or the queue; `now` is the dispatch time (late-arrival accounting).
  void dispatch(std::int64_t at, std::int64_t now);
  client::task<void> ticker();
  client::task<void> deadline_watch();
  /// A request's bookkeeping around client::perform (awaited directly by the slot coroutines,
  /// so a request costs no coroutine frame of its own).
  struct started {
    std::size_t target = 0;
    plan::phase phase = plan::phase::main;
    metrics::stats* st = nullptr;
    std::int64_t intended = 0;
  };
  /// `now`: the current steady time (ns), already read by the caller.
  started begin_request(slot& s, std::int64_t intended, std::int64_t now);
  void end_request(slot& s, const started& r);
  slot& new_slot();
  void spawn(client::task<void> a);
  void on_coroutine_done();
  void stop_now(std::int64_t grace_ns);
  void cancel_all();
  void wake_idle();
  bool take_queued(slot& s);
  void drop(std::int64_t intended);
  metrics::stats& stats_for(std::size_t target, plan::phase p);
  metrics::interval_accum& interval_for(std::size_t target, plan::phase p);
  void post_snapshot(bool last);
  /// Changes the in-flight count of `target` by `delta` at steady time `now` (ns).
  void track_in_flight(std::size_t target, int delta, std::int64_t now);
  void record_splits(const slot& s, std::size_t target, plan::phase p);
  void finish_phases();

  const worker_shared& sh_;
  const scenario::load& load_;
  int index_;
  snapshot_sink sink_;
  // One thread runs it and only that thread touches its sockets and timers; other threads only
  // post() to it (stop). So the scheduler keeps its lock, the per-socket reactor lock goes.
  net::io_context ioc_{BOOST_ASIO_CONCURRENCY_HINT_UNSAFE_IO};
  std::vector<std::unique_ptr<client::connection_pool>> pools_;
  plan::request_factory factory_;
  std::vector<std::unique_ptr<slot>> slots_;
  std::vector<slot*> idle_;
  std::deque<std::int64_t> queue_;
  client::timer_type tick_timer_;
  client::timer_type dispatch_timer_;
  client::timer_type grace_timer_;
  client::timer_type deadline_timer_;
  std::vector<char> scratch_ = std::vector<char>(64 * 1024);  // shared read buffer (exchange)
  metrics::run_stats stats_;
  std::vector<std::array<metrics::stats*, 3>> stats_ptr_;
  std::vector<std::array<std::unique_ptr<metrics::interval_accum>, 3>> intervals_;
  std::vector<std::int64_t> in_flight_;
  std::vector<std::int64_t> in_flight_since_;
  std::int64_t in_flight_total_ = 0;
  std::size_t window_ = 0;        // the phase window of the last in-flight change (track_in_flight)
  std::int64_t open_cap_ = 0;     // open loop: slots (sessions in progress) this worker may run
  std::int64_t main_quota_ = -1;  // main-phase requests this worker may start (-1: unbounded)
  std::int64_t main_started_ = 0;
  std::int64_t interval_index_ = 0;
  int live_ = 0;  // running coroutines (slots + dispatcher)
  bool dispatcher_done_ = true;
  bool stopping_ = false;
  bool cancelled_ = false;
  bool finished_ = false;
  std::string key_;  // reused split key
  worker_health health_;
  std::unique_ptr<schedule_writer> schedule_;  // per-worker buffer of the schedule file
};

}  // namespace gb::driver
