#pragma once
// `gatebench run` for a scenario with a `sweep:` section: one short run per load point (a list
// of rates or concurrencies, or a search for the highest rate meeting the SLOs), one report
// holding every point (each point is a phase named by its label, e.g. "rate=50" or "c=8"), the
// knee named in it, and the curve printed as a table (docs/scenarios.md "Sweeps").
//
// The verdict rules and the search are pure functions here so they can be tested without load.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "metrics/run_stats.hpp"
#include "scenario/scenario.hpp"

namespace gb::app {

/// What the sweep needs from the command line.
struct sweep_options {
  bool quiet = false;
  bool tty = false;
  bool color = false;
  std::int64_t check_timeout_ns = 5'000'000'000;
  std::int64_t stop_grace_ns = 2'000'000'000;
  /// Flags of `gatebench run` that belong to one plain run (baselines, CI files, live metrics,
  /// target sampling), each with whether it was given: a sweep rejects any that was.
  std::vector<std::pair<std::string, bool>> run_only_flags;
};

/// Runs the sweep of `sc` (sc.sweep.type != none; sc.output.report_path set and writable) and
/// writes the report. Returns the exit code: 0 when a knee was found (some point met every SLO
/// without saturating), 99 when no point did, 104 for bad configuration (including any of
/// opt.run_only_flags given: a sweep's report is a curve, not a run to compare, export or sample,
/// so these are refused before any load is sent), 105 when interrupted
/// (the points measured so far are still written), 1 when a target is unreachable or the report
/// cannot be written.
int run_sweep(const scenario::scenario& sc, const sweep_options& opt);

// ---- pure parts (documented in docs/scenarios.md "Sweeps") -------------------------------------

/// A point's goodput must reach this share (requests meeting every SLO; errors and dropped
/// arrivals count as misses) for the point to pass.
inline constexpr double sweep_goodput_min = 0.99;
/// Open loop: a point whose achieved rate (ok requests/s) is below this share of its target
/// rate is saturated.
inline constexpr double sweep_achieved_min = 0.90;
/// Search: bisection stops when the bad level is within this factor of the good one (the step).
inline constexpr double sweep_search_step = 1.10;
/// Search: the geometric ramp's factor.
inline constexpr double sweep_ramp_factor = 2.0;

/// The measured figures of one point (all targets merged).
struct point_figures {
  double level = 0;         // the rate (open) or concurrency (closed) asked for
  bool open = true;         // open loop (rate) or closed loop (concurrency)
  double achieved_rps = 0;  // ok requests per second over the completion span (see .cpp)
  double goodput = 0;       // slo_met / (finished + dropped), 0..1
  double error_rate = 0;    // failed / finished, 0..1
  std::int64_t e2e_p50_ns = 0;
  std::int64_t e2e_p99_ns = 0;
  std::int64_t ttft_p50_ns = 0;
  std::int64_t ttft_p99_ns = 0;
  std::int64_t finished = 0;
  std::int64_t dropped = 0;
  bool client_bound = false;  // the harness limited the load (a pass only if every SLO held)
  std::vector<std::string> failed_thresholds;  // point thresholds that failed (their text)
  std::vector<std::string> slo_misses;         // e.g. "ttft p99 812ms > 500ms"
};

enum class point_verdict : std::uint8_t { pass, slo_failed, saturated, client_bound };

struct point_judgement {
  point_verdict verdict = point_verdict::pass;
  std::string note;  // why it did not pass ("" when it passed)
};

/// Judges `p` against the rules above. `lower` is the measured point with the next lower level
/// (nullopt for the lowest): a point is also saturated when its throughput grew by less than a
/// quarter of its load growth over `lower` while its e2e p50 grew by more than 10%.
point_judgement judge_point(const point_figures& p, const std::optional<point_figures>& lower);

/// Builds figures from one point's merged main-phase stats (latencies in the response-time view).
/// `slos` are the scenario's (the p99 of each SLO metric is compared to its bound for the note).
point_figures figures_of(const metrics::stats& s, double level, bool open,
                         const std::vector<scenario::slo>& slos);

/// The search for the highest passing rate in [min, max]: a geometric ramp from min (factor
/// sweep_ramp_factor, the last step clamped to max) until a point fails, then bisection between
/// the highest passing and lowest failing levels until they are within sweep_search_step.
class rate_search {
 public:
  rate_search(double min, double max);
  /// The next level to measure, or nullopt when the search is over.
  std::optional<double> next() const;
  /// Records the verdict of the level next() returned.
  void record(double level, bool passed);
  /// The highest passing level so far (nullopt when none passed).
  std::optional<double> best() const { return good_; }

 private:
  double min_, max_;
  std::optional<double> good_;
  std::optional<double> bad_;
  std::optional<double> last_;
};

/// Rounds a level to 3 significant digits (search midpoints read better as 72.5 than 72.4609).
double round_level(double v);

}  // namespace gb::app
