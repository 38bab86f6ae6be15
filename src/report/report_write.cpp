// Rendering the JSON report and writing it atomically.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "report/hist_codec.hpp"
#include "report/metric_table.hpp"
#include "report/report.hpp"
#include "scenario/to_json.hpp"

namespace gb::report {

namespace {

using nlohmann::json;
namespace fs = std::filesystem;

std::string iso8601(std::int64_t unix_ns) {
  const std::time_t secs = static_cast<std::time_t>(unix_ns / 1'000'000'000);
  const auto millis = static_cast<int>((unix_ns % 1'000'000'000) / 1'000'000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
  return buf;
}

json offset_or_null(std::int64_t steady, std::int64_t base) {
  if (steady == 0) {
    return nullptr;
  }
  return steady - base;
}

json summary_json(const metrics::histogram& h, const metric_entry& m) {
  json j = {{"view", m.view},
            {"unit", m.unit},
            {"count", h.total_count()},
            {"out_of_range", h.out_of_range_count()},
            {"min", h.min()},
            {"mean", h.mean()},
            {"stddev", h.stddev()},
            {"p50", h.value_at_percentile(50)},
            {"p90", h.value_at_percentile(90)},
            {"p95", h.value_at_percentile(95)},
            {"p99", h.value_at_percentile(99)},
            {"p99_9", h.value_at_percentile(99.9)},
            {"max", h.max()},
            {"histogram", encode_histogram(h)}};
  return j;
}

std::string hex64(std::uint64_t v) {
  char buf[20];
  std::snprintf(buf, sizeof buf, "%016" PRIx64, v);
  return buf;
}

gb::result<json> phase_json(const metrics::stats& s, std::int64_t base, const std::string& where) {
  const auto& l = s.outcomes;
  if (l.started() != l.finished()) {
    return gb::fail("internal error: ledger of ", where,
                    " breaks started == sum(outcomes): started ", std::to_string(l.started()),
                    ", outcomes ", std::to_string(l.finished()));
  }
  json outcomes = json::object();
  for (std::size_t i = 0; i < metrics::outcome_count; ++i) {
    const auto o = static_cast<metrics::outcome>(i);
    outcomes[std::string(metrics::to_string(o))] = l.count(o);
  }
  json by_status = json::object();
  for (const auto& [code, n] : l.by_status()) {
    by_status[std::to_string(code)] = n;
  }
  json by_timeout = json::object();
  for (std::size_t i = 0; i < metrics::timeout_phase_count; ++i) {
    const auto p = static_cast<metrics::timeout_phase>(i);
    by_timeout[std::string(metrics::to_string(p))] = l.timeouts(p);
  }
  json by_reason = json::object();
  for (const auto& [k, n] : l.by_reason()) {
    by_reason[k] = n;
  }
  const phase_figures f = compute_figures(s);
  json metrics_j = json::object();
  for (const auto& m : metric_table) {
    metrics_j[std::string(m.name)] = summary_json(s.*m.member, m);
  }
  return json{
      {"counts",
       {{"started", l.started()},
        {"ok", l.count(metrics::outcome::ok)},
        {"failed", l.failed()},
        {"dropped", s.dropped}}},
      {"ledger",
       {{"started", l.started()},
        {"finished", l.finished()},
        {"outcomes", outcomes},
        {"by_status", by_status},
        {"by_timeout_phase", by_timeout},
        {"by_reason", by_reason}}},
      {"timing",
       {{"duration_ns", f.duration_ns},
        {"phase_start_offset_ns", offset_or_null(s.phase_start_ns, base)},
        {"phase_end_offset_ns", offset_or_null(s.phase_end_ns, base)},
        {"first_send_offset_ns", offset_or_null(s.first_send_ns, base)},
        {"last_done_offset_ns", offset_or_null(s.last_done_ns, base)}}},
      {"throughput",
       {{"requests_per_s", f.requests_per_s},
        {"input_tokens_per_s", f.input_tokens_per_s},
        {"output_tokens_per_s", f.output_tokens_per_s}}},
      {"concurrency",
       {{"mean", f.concurrency_mean},
        {"max", f.concurrency_max},
        {"inflight_area_ns", s.inflight_area_ns}}},
      {"tokens",
       {{"source", f.token_source},
        {"output_total", s.output_tokens_total},
        {"input_total", s.input_tokens_total},
        {"content_events_total", s.content_events_total},
        {"from_usage", s.tokens_from_usage},
        {"counted", s.tokens_counted},
        {"tpot_decode_ns_total", s.tpot_decode_ns_total},
        {"tpot_tokens_total", s.tpot_tokens_total},
        {"tpot_token_weighted_mean_ns", f.tpot_token_weighted_mean_ns}}},
      {"goodput", {{"slo_met", s.slo_met}, {"ratio", f.goodput_ratio}, {"per_s", f.goodput_per_s}}},
      {"error_rate", f.error_rate},
      {"fidelity",
       {{"buffered_streams", s.buffered_streams}, {"content_hash", hex64(s.content_hash)}}},
      {"metrics", metrics_j}};
}

json resource_json(const resource_summary& r) {
  if (!r.present) {
    return nullptr;
  }
  json samples = json::array();
  for (const auto& x : r.samples) {
    samples.push_back({x.offset_ns, x.rss_bytes, x.cores, x.threads, x.fds});
  }
  return {{"description", r.description},
          {"idle_rss_bytes", r.idle_rss_bytes},
          {"peak_rss_bytes", r.peak_rss_bytes},
          {"steady_rss_bytes", r.steady_rss_bytes},
          {"after_rss_bytes", r.after_rss_bytes},
          {"mean_cores", r.mean_cores},
          {"peak_cores", r.peak_cores},
          {"cpu_seconds", r.cpu_seconds},
          {"cpu_seconds_per_1k_requests", r.cpu_seconds_per_1k_requests},
          {"sample_columns", {"offset_ns", "rss_bytes", "cores", "threads", "fds"}},
          {"samples", samples}};
}

json interval_json(const metrics::interval_point& p, std::int64_t base) {
  return {{"offset_ns", p.start_ns - base},
          {"length_ns", p.length_ns},
          {"target", p.target},
          {"phase", p.phase},
          {"started", p.started},
          {"ok", p.ok},
          {"errors", p.errors},
          {"output_tokens", p.output_tokens},
          {"input_tokens", p.input_tokens},
          {"in_flight", p.in_flight},
          {"ttft_p50_ns", p.ttft_p50_ns},
          {"ttft_p99_ns", p.ttft_p99_ns},
          {"e2e_p50_ns", p.e2e_p50_ns},
          {"e2e_p99_ns", p.e2e_p99_ns},
          {"itl_p50_ns", p.itl_p50_ns},
          {"itl_p99_ns", p.itl_p99_ns},
          {"ttft_hist", p.ttft_hist},
          {"e2e_hist", p.e2e_hist},
          {"itl_hist", p.itl_hist}};
}

gb::status sync_dir(const fs::path& dir) {
  const int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) {
    return gb::status{};  // best effort: the rename is done
  }
  ::fsync(fd);
  ::close(fd);
  return gb::status{};
}

}  // namespace

phase_figures compute_figures(const metrics::stats& s) {
  phase_figures f;
  f.duration_ns = s.phase_end_ns > s.phase_start_ns ? s.phase_end_ns - s.phase_start_ns : 0;
  const double secs = static_cast<double>(f.duration_ns) / 1e9;
  const auto ok = s.outcomes.count(metrics::outcome::ok);
  const auto finished = s.outcomes.finished();
  if (secs > 0) {
    f.requests_per_s = static_cast<double>(ok) / secs;
    f.input_tokens_per_s = static_cast<double>(s.input_tokens_total) / secs;
    f.output_tokens_per_s = static_cast<double>(s.output_tokens_total) / secs;
    f.concurrency_mean =
        static_cast<double>(s.inflight_area_ns) / static_cast<double>(f.duration_ns);
    f.goodput_per_s = static_cast<double>(s.slo_met) / secs;
  }
  f.concurrency_max = s.inflight_max;
  if (finished > 0) {
    f.error_rate = static_cast<double>(s.outcomes.failed()) / static_cast<double>(finished);
    f.goodput_ratio = static_cast<double>(s.slo_met) / static_cast<double>(finished);
  }
  if (s.tokens_from_usage > 0 && s.tokens_counted > 0) {
    f.token_source = "mixed";
  } else if (s.tokens_from_usage > 0) {
    f.token_source = "usage";
  } else if (s.tokens_counted > 0) {
    f.token_source = "counted";
  } else {
    f.token_source = "none";
  }
  if (s.tpot_tokens_total > 0) {
    f.tpot_token_weighted_mean_ns =
        static_cast<double>(s.tpot_decode_ns_total) / static_cast<double>(s.tpot_tokens_total);
  }
  return f;
}

std::string headline_phase(const std::map<std::string, metrics::stats>& phases) {
  if (phases.count("main") != 0) {
    return "main";
  }
  return phases.empty() ? std::string() : phases.begin()->first;
}

gb::result<std::string> render_report_json(const run_info& info, const metrics::run_stats& stats) {
  const std::int64_t base = info.start_steady_ns;
  json scenario_j;
  if (!info.scenario_json.empty()) {
    scenario_j = json::parse(info.scenario_json, nullptr, false);
    if (scenario_j.is_discarded() || !scenario_j.is_object()) {
      return gb::fail("internal error: the serialised scenario is not a JSON object");
    }
  } else {
    gb::scenario::to_json(scenario_j, info.scenario);
  }
  json targets = json::object();
  for (const auto& [target, phases] : stats.by_target_phase) {
    json pj = json::object();
    for (const auto& [phase, s] : phases) {
      auto r = phase_json(s, base, target + "/" + phase);
      if (!r) {
        return r.err();
      }
      pj[phase] = std::move(*r);
    }
    targets[target] = {{"phases", pj}};
  }
  json splits = json::object();
  for (const auto& [key, s] : stats.splits) {
    auto r = phase_json(s, base, "split " + key);
    if (!r) {
      return r.err();
    }
    splits[key] = std::move(*r);
  }
  json intervals = json::array();
  for (const auto& p : stats.intervals) {
    intervals.push_back(interval_json(p, base));
  }
  json sweep = json::array();
  for (const auto& p : info.sweep) {
    sweep.push_back({{"phase", p.phase},
                     {"rate", p.rate},
                     {"concurrency", p.concurrency},
                     {"valid", p.valid},
                     {"note", p.note},
                     {"knee", p.knee}});
  }
  const std::int64_t start = info.start_wall_ns;
  const std::int64_t end = info.end_wall_ns;
  json doc = {
      {"schema_version", schema_version},
      {"tool",
       {{"name", "gatebench"},
        {"version", info.tool_version},
        {"git_revision", info.git_revision}}},
      {"run_id",
       info.run_id.empty() ? "run-" + std::to_string(start / 1'000'000'000) : info.run_id},
      {"host",
       {{"hostname", info.host.hostname},
        {"cpu_model", info.host.cpu_model},
        {"cores", info.host.cores},
        {"kernel", info.host.kernel},
        {"arch", info.host.arch}}},
      {"scenario", scenario_j},
      {"start", {{"unix_ns", start}, {"iso8601", iso8601(start)}}},
      {"end", {{"unix_ns", end}, {"iso8601", iso8601(end)}}},
      {"duration_ns", end > start ? end - start : 0},
      {"interrupted", info.interrupted},
      {"interrupt_reason", info.interrupt_reason},
      {"client_bound", info.client_bound},
      {"warnings", info.warnings},
      {"seed", info.seed},
      {"threads", info.threads},
      {"interval_ns", info.interval_ns},
      {"targets", targets},
      {"splits", splits},
      {"intervals", intervals},
      {"sweep", sweep},
      {"resources",
       {{"sample_interval_ns", info.resources.sample_interval_ns},
        {"harness", resource_json(info.resources.harness)},
        {"target", resource_json(info.resources.target)}}},
  };
  return doc.dump(1, ' ', false, json::error_handler_t::replace);  // never throw on non-UTF-8
}

gb::status check_writable(const std::string& path) {
  if (path.empty()) {
    return gb::fail("report path is empty");
  }
  const fs::path p(path);
  const fs::path dir = p.parent_path().empty() ? fs::path(".") : p.parent_path();
  std::error_code ec;
  if (!fs::exists(dir, ec)) {
    return gb::fail("cannot write report '", path, "': directory '", dir.string(),
                    "' does not exist (create it or choose another --out)");
  }
  if (!fs::is_directory(dir, ec)) {
    return gb::fail("cannot write report '", path, "': '", dir.string(), "' is not a directory");
  }
  if (fs::is_directory(p, ec)) {
    return gb::fail("cannot write report '", path, "': it is a directory");
  }
  // Probe by creating (and removing) a file: access() says yes to root on read-only or virtual
  // file systems such as /proc, where the write would fail only after the whole run.
  std::string probe = dir.string() + "/.gatebench-probe-XXXXXX";
  const int fd = ::mkstemp(probe.data());
  if (fd < 0 || ::write(fd, "x", 1) != 1) {
    const std::string why = std::strerror(errno);
    if (fd >= 0) {
      ::close(fd);
      ::unlink(probe.c_str());
    }
    return gb::fail("cannot write report '", path, "': directory '", dir.string(),
                    "' is not writable (", why, ")");
  }
  ::close(fd);
  ::unlink(probe.c_str());
  struct statvfs vfs {};
  if (::statvfs(dir.c_str(), &vfs) == 0 &&
      static_cast<unsigned long long>(vfs.f_bavail) * vfs.f_frsize < (1ull << 20)) {
    return gb::fail("cannot write report '", path, "': the file system of '", dir.string(),
                    "' has less than 1 MiB free");
  }
  return gb::status{};
}

gb::status write_text_atomically(const std::string& path, const std::string& text) {
  if (auto st = check_writable(path); !st) {
    return st;
  }
  const fs::path p(path);
  std::string tmpl = (p.parent_path().empty() ? fs::path(".") : p.parent_path()).string() + "/." +
                     p.filename().string() + ".tmp-XXXXXX";
  const int fd = ::mkstemp(tmpl.data());
  if (fd < 0) {
    return gb::fail("cannot write '", path, "': ", std::strerror(errno));
  }
  ::fchmod(fd, 0644);
  std::size_t off = 0;
  while (off < text.size()) {
    const ssize_t n = ::write(fd, text.data() + off, text.size() - off);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      const std::string why = std::strerror(errno);
      ::close(fd);
      ::unlink(tmpl.c_str());
      return gb::fail("cannot write '", path, "': ", why);
    }
    off += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    const std::string why = std::strerror(errno);
    ::unlink(tmpl.c_str());
    return gb::fail("cannot write '", path, "': ", why);
  }
  if (::rename(tmpl.c_str(), path.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    ::unlink(tmpl.c_str());
    return gb::fail("cannot write '", path, "': ", why);
  }
  return sync_dir(p.parent_path());
}

gb::status write_report(const run_info& info, const metrics::run_stats& stats,
                        const std::string& path) {
  auto text = render_report_json(info, stats);
  if (!text) {
    return text.err();
  }
  return write_text_atomically(path, *text + "\n");
}

}  // namespace gb::report
