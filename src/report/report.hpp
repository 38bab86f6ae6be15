#pragma once
// The run report: one self-describing JSON file per run (docs/report.md, docs/report-schema.json)
// and the console summary. The stored report is the contract between measuring and everything
// after it (compare, thresholds, overhead, export, merge): load_report() gives back the same
// run_stats the driver filled, with every histogram bucket intact.
//
// Times: every *_ns field is nanoseconds. A stored report keeps steady-clock instants as offsets
// from the run's start; a loaded report sets start_steady_ns = 1 s and every instant to 1 s +
// its offset (so 0 still means "none"), and reports from several machines line up.

#include <cstdint>
#include <string>
#include <vector>

#include "metrics/run_stats.hpp"
#include "scenario/scenario.hpp"
#include "util/result.hpp"

namespace gb::report {

/// Version of the JSON layout written by write_report (docs/report-schema.json).
inline constexpr int schema_version = 1;

/// The machine the run was measured on.
struct host_info {
  std::string hostname;
  std::string cpu_model;   // /proc/cpuinfo "model name"; "unknown" when absent
  std::int64_t cores = 0;  // online logical CPUs
  std::string kernel;      // uname: sysname release (e.g. "Linux 6.1.0-13-amd64")
  std::string arch;        // uname machine (e.g. "x86_64")
};

/// Reads /proc/cpuinfo and uname(2). Never fails: missing pieces are "unknown" / 0.
host_info detect_host();

/// One resource sample of a process tree (sysmon fills these).
struct resource_sample {
  std::int64_t offset_ns = 0;  // from the run's start
  std::int64_t rss_bytes = 0;
  double cores = 0;  // CPU cores used over the sample's interval (utime+stime delta / wall)
  std::int64_t threads = 0;
  std::int64_t fds = 0;
};

/// Resource figures of one process tree (the harness or the target). -1 means "not measured".
struct resource_summary {
  bool present = false;                // false: nothing was sampled (the block is written as null)
  std::string description;             // e.g. "pid 1234 (+3 children)" or the --target-cmd
  std::int64_t idle_rss_bytes = -1;    // before load
  std::int64_t peak_rss_bytes = -1;    // VmHWM / max sampled
  std::int64_t steady_rss_bytes = -1;  // median RSS over the main phase
  std::int64_t after_rss_bytes = -1;   // after load
  double mean_cores = -1;
  double peak_cores = -1;
  double cpu_seconds = -1;                  // utime+stime over the measured phase
  double cpu_seconds_per_1k_requests = -1;  // over the main phase's started requests
  std::vector<resource_sample> samples;
};

struct resources {
  std::int64_t sample_interval_ns = 0;  // 0: no sampling
  resource_summary harness;
  resource_summary target;
};

/// One point of a sweep (rates or concurrencies): its stats are the phase named `phase`.
struct sweep_point {
  std::string phase;  // key into run_stats::by_target_phase[target]
  double rate = 0;    // open loop: arrivals per second (0 when closed loop)
  std::int64_t concurrency = 0;
  bool valid = true;
  std::string note;   // why the point is invalid (e.g. "direct arm not flat")
  bool knee = false;  // the sweep's knee: the highest point meeting every SLO unsaturated
};

/// Everything about a run that is not a measurement. The report module takes these as fields
/// (it does not depend on app): the engine fills them.
struct run_info {
  std::string run_id;  // the testid label (empty: derived from the start time)
  gb::scenario::scenario scenario;
  /// The resolved scenario as JSON text with secrets redacted. Empty (the usual case):
  /// write_report serialises `scenario` with scenario::to_json (secrets become "[redacted]").
  std::string scenario_json;
  std::string tool_version;  // e.g. "0.1.0"
  std::string git_revision;  // e.g. "f3f534fa01bc" or "unknown"
  host_info host;
  std::int64_t start_wall_ns = 0;    // Unix epoch ns
  std::int64_t end_wall_ns = 0;      // Unix epoch ns
  std::int64_t start_steady_ns = 0;  // steady instant matching start_wall_ns (interval offsets)
  bool interrupted = false;
  std::string interrupt_reason;  // e.g. "SIGINT"
  bool client_bound = false;
  std::vector<std::string> warnings;
  std::uint64_t seed = 0;
  std::int64_t threads = 0;
  std::int64_t interval_ns = 1'000'000'000;  // time-series interval length
  struct resources resources;
  std::vector<sweep_point> sweep;
};

/// Figures derived from one target/phase's stats (what the report and thresholds show).
struct phase_figures {
  std::int64_t duration_ns = 0;    // phase_end - phase_start (the measured duration)
  double requests_per_s = 0;       // ok requests / duration
  double input_tokens_per_s = 0;   // successful requests' input tokens / duration
  double output_tokens_per_s = 0;  // successful requests' output tokens / duration
  double concurrency_mean = 0;     // inflight_area / duration
  std::int64_t concurrency_max = 0;
  double error_rate = 0;     // failed / finished (0..1; 0 when nothing finished)
  double goodput_ratio = 0;  // slo_met / finished (failures count as not met)
  double goodput_per_s = 0;  // slo_met / duration
  std::string token_source;  // "usage", "counted", "mixed" or "none"
  double tpot_token_weighted_mean_ns = 0;
};

/// Computes the derived figures. Never fails (zero duration gives zero rates).
phase_figures compute_figures(const metrics::stats& s);

/// Checks that a report can be written at `path`: its directory exists and is writable (an
/// empty directory part means the current directory). Returns an error naming the path and the
/// reason otherwise. Call before the run starts.
gb::status check_writable(const std::string& path);

/// Writes `text` to `path` atomically (temp file in the same directory, fsync, rename, fsync of
/// the directory). Errors name the path and the reason.
gb::status write_text_atomically(const std::string& path, const std::string& text);

/// Writes the JSON report atomically (a temp file in the same directory, fsync, rename).
/// Errors: unwritable path (named), or an internal error when a ledger breaks the invariant
/// started == sum(outcomes) (the report is then not written).
gb::status write_report(const run_info& info, const metrics::run_stats& stats,
                        const std::string& path);

/// The report as JSON text (what write_report writes). Same errors as write_report.
gb::result<std::string> render_report_json(const run_info& info, const metrics::run_stats& stats);

/// The end-of-run summary in the spirit of wrk: per target (main phase, or every phase when
/// there is no "main"), the ttft/itl/tpot/e2e table at p50 p90 p95 p99 p99.9 max, throughput,
/// concurrency, goodput, the ledger with breakdowns, dropped arrivals, resources and warnings.
/// ANSI colours only when `color` is true.
std::string format_console_summary(const run_info& info, const metrics::run_stats& stats,
                                   bool color);

/// A stored report decoded back.
struct loaded_report {
  int schema_version = 0;
  run_info info;  // info.scenario holds the fields the report stores (name, seed, targets'
                  // name/url/api/role, workload, load); info.scenario_json the stored JSON text
  metrics::run_stats stats;  // steady instants: info.start_steady_ns + stored offset
  std::string path;
};

/// Reads and validates a report (JSON syntax, schema version, required fields, types, ranges,
/// the ledger invariant, every encoded histogram). Hostile or truncated files give an error that
/// names the file and the JSON path of the problem; never crashes.
gb::result<loaded_report> load_report(const std::string& path);

/// Same as load_report but from text; `name` is used in messages.
gb::result<loaded_report> parse_report(const std::string& text, const std::string& name);

/// Combines reports of one run measured on several machines. Refuses (error naming the files)
/// when their scenarios differ or fewer than one report is given. Histograms are merged exactly
/// bucket by bucket, counts summed, time-series points aligned by their offset from each
/// report's start (rounded to the interval) and merged the same way. Start is the earliest,
/// end the latest; interrupted/client_bound if any part was; hostnames joined, cores summed.
gb::result<loaded_report> merge_reports(const std::vector<loaded_report>& parts);

/// Markdown rendering of a report (the `report --format markdown` output).
std::string format_markdown_summary(const run_info& info, const metrics::run_stats& stats);

/// HdrHistogram percentile distribution (.hgrm text) of one histogram, values in milliseconds.
std::string format_hgrm(const metrics::histogram& h);

/// HdrHistogram interval log (.hlog, format 1.3) of one metric's time series: "ttft", "e2e" or
/// "itl" (the metrics intervals carry), one line per interval tagged "<target>/<phase>", start
/// relative to the run's start, max in ms. Errors: another metric, a tag with a comma or space,
/// an undecodable interval histogram.
gb::result<std::string> format_hlog(const run_info& info, const metrics::run_stats& stats,
                                    const std::string& metric);

/// The phase a summary shows for a target: "main" when present, else the first phase.
/// Empty when the target has no phase.
std::string headline_phase(const std::map<std::string, metrics::stats>& phases);

}  // namespace gb::report
