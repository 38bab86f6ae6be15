// Loading a stored report back into run_stats, validating every field on the way.
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "report/hist_codec.hpp"
#include "report/metric_table.hpp"
#include "report/report.hpp"
#include "report/scenario_json.hpp"

namespace gb::report {

namespace {

using nlohmann::json;

/// Base added to stored offsets so that a steady instant of 0 still means "none".
constexpr std::int64_t loaded_base_ns = 1'000'000'000;
/// Largest file accepted (a long run with many intervals stays far below).
constexpr std::uintmax_t max_report_bytes = 512ull * 1024 * 1024;

struct bad_report {
  std::string message;
};

[[noreturn]] void bad(const std::string& path, const std::string& what) {
  throw bad_report{path + ": " + what};
}

const json& member(const json& obj, const char* key, const std::string& path) {
  if (!obj.is_object()) {
    bad(path, "expected an object");
  }
  auto it = obj.find(key);
  if (it == obj.end()) {
    bad(path + "." + key, "missing");
  }
  return *it;
}

std::int64_t as_int(const json& v, const std::string& path, std::int64_t lo = 0,
                    std::int64_t hi = std::numeric_limits<std::int64_t>::max()) {
  std::int64_t x = 0;
  if (v.is_number_unsigned()) {
    const auto u = v.get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      bad(path, "number out of range");
    }
    x = static_cast<std::int64_t>(u);
  } else if (v.is_number_integer()) {
    x = v.get<std::int64_t>();
  } else {
    bad(path, "expected an integer");
  }
  if (x < lo || x > hi) {
    bad(path, "value " + std::to_string(x) + " out of range [" + std::to_string(lo) + ", " +
                  std::to_string(hi) + "]");
  }
  return x;
}

std::int64_t get_int(const json& obj, const char* key, const std::string& path, std::int64_t lo = 0,
                     std::int64_t hi = std::numeric_limits<std::int64_t>::max()) {
  return as_int(member(obj, key, path), path + "." + key, lo, hi);
}

double get_num(const json& obj, const char* key, const std::string& path) {
  const json& v = member(obj, key, path);
  if (!v.is_number()) {
    bad(path + "." + key, "expected a number");
  }
  return v.get<double>();
}

bool get_bool(const json& obj, const char* key, const std::string& path) {
  const json& v = member(obj, key, path);
  if (!v.is_boolean()) {
    bad(path + "." + key, "expected true or false");
  }
  return v.get<bool>();
}

std::string get_str(const json& obj, const char* key, const std::string& path) {
  const json& v = member(obj, key, path);
  if (!v.is_string()) {
    bad(path + "." + key, "expected a string");
  }
  return v.get<std::string>();
}

/// An optional steady offset (null: none).
std::int64_t get_offset(const json& obj, const char* key, const std::string& path) {
  const json& v = member(obj, key, path);
  if (v.is_null()) {
    return 0;
  }
  return loaded_base_ns + as_int(v, path + "." + key, -loaded_base_ns + 1,
                                 std::numeric_limits<std::int64_t>::max() / 2);
}

metrics::ledger read_ledger(const json& j, const std::string& path) {
  metrics::ledger l;
  const std::int64_t started = get_int(j, "started", path);
  const json& outcomes = member(j, "outcomes", path);
  std::int64_t sum = 0;
  std::array<std::int64_t, metrics::outcome_count> counts{};
  for (std::size_t i = 0; i < metrics::outcome_count; ++i) {
    const std::string name(metrics::to_string(static_cast<metrics::outcome>(i)));
    counts[i] = get_int(outcomes, name.c_str(), path + ".outcomes");
    if (counts[i] > std::numeric_limits<std::int64_t>::max() - sum) {
      bad(path + ".outcomes", "counts overflow");
    }
    sum += counts[i];
  }
  if (sum != started) {
    bad(path, "ledger breaks started == sum(outcomes): started " + std::to_string(started) +
                  ", outcomes sum to " + std::to_string(sum));
  }
  std::array<std::int64_t, metrics::outcome_count> explained{};
  auto take = [&](metrics::outcome o, std::int64_t n, const std::string& p) {
    const auto i = static_cast<std::size_t>(o);
    if (n > counts[i] - explained[i]) {
      bad(p, "breakdown exceeds the " + std::string(metrics::to_string(o)) + " count");
    }
    explained[i] += n;
  };
  const json& by_status = member(j, "by_status", path);
  if (!by_status.is_object()) {
    bad(path + ".by_status", "expected an object");
  }
  for (const auto& [code_s, v] : by_status.items()) {
    const std::string p = path + ".by_status." + code_s;
    int code = 0;
    try {
      std::size_t used = 0;
      code = std::stoi(code_s, &used);
      if (used != code_s.size() || code < 0 || code > 999) {
        bad(p, "not an HTTP status code");
      }
    } catch (const std::exception&) {
      bad(p, "not an HTTP status code");
    }
    const auto n = as_int(v, p);
    take(metrics::outcome::http_status, n, p);
    l.add_many({metrics::outcome::http_status, code, metrics::timeout_phase::total, {}}, n);
  }
  const json& by_timeout = member(j, "by_timeout_phase", path);
  for (std::size_t i = 0; i < metrics::timeout_phase_count; ++i) {
    const auto ph = static_cast<metrics::timeout_phase>(i);
    const std::string name(metrics::to_string(ph));
    const auto n = get_int(by_timeout, name.c_str(), path + ".by_timeout_phase");
    take(metrics::outcome::timeout, n, path + ".by_timeout_phase." + name);
    l.add_many({metrics::outcome::timeout, 0, ph, {}}, n);
  }
  const json& by_reason = member(j, "by_reason", path);
  if (!by_reason.is_object()) {
    bad(path + ".by_reason", "expected an object");
  }
  for (const auto& [key, v] : by_reason.items()) {
    const std::string p = path + ".by_reason." + key;
    const auto slash = key.find('/');
    if (slash == std::string::npos || slash + 1 >= key.size()) {
      bad(p, "expected a key \"<outcome>/<reason>\"");
    }
    const std::string kind = key.substr(0, slash);
    const std::string reason = key.substr(slash + 1);
    metrics::outcome o{};
    bool found = false;
    for (auto cand : {metrics::outcome::protocol_error, metrics::outcome::stream_error,
                      metrics::outcome::connect_error, metrics::outcome::tls_error}) {
      if (metrics::to_string(cand) == kind) {
        o = cand;
        found = true;
      }
    }
    if (!found) {
      bad(p, "unknown outcome '" + kind + "' for a reason");
    }
    const auto n = as_int(v, p);
    take(o, n, p);
    l.add_many({o, 0, metrics::timeout_phase::total, reason}, n);
  }
  if (explained[static_cast<std::size_t>(metrics::outcome::http_status)] !=
      counts[static_cast<std::size_t>(metrics::outcome::http_status)]) {
    bad(path + ".by_status", "does not add up to the http_status count");
  }
  if (explained[static_cast<std::size_t>(metrics::outcome::timeout)] !=
      counts[static_cast<std::size_t>(metrics::outcome::timeout)]) {
    bad(path + ".by_timeout_phase", "does not add up to the timeout count");
  }
  for (std::size_t i = 0; i < metrics::outcome_count; ++i) {
    const auto o = static_cast<metrics::outcome>(i);
    l.add_many({o, 0, metrics::timeout_phase::total, {}}, counts[i] - explained[i]);
  }
  l.start_many(started);
  return l;
}

metrics::stats read_phase(const json& j, const std::string& path) {
  metrics::stats s;
  s.outcomes = read_ledger(member(j, "ledger", path), path + ".ledger");
  const json& counts = member(j, "counts", path);
  s.dropped = get_int(counts, "dropped", path + ".counts");
  const std::string tp = path + ".timing";
  const json& timing = member(j, "timing", path);
  s.phase_start_ns = get_offset(timing, "phase_start_offset_ns", tp);
  s.phase_end_ns = get_offset(timing, "phase_end_offset_ns", tp);
  s.first_send_ns = get_offset(timing, "first_send_offset_ns", tp);
  s.last_done_ns = get_offset(timing, "last_done_offset_ns", tp);
  if (s.phase_end_ns != 0 && s.phase_end_ns < s.phase_start_ns) {
    bad(tp, "phase ends before it starts");
  }
  const json& conc = member(j, "concurrency", path);
  s.inflight_area_ns = get_int(conc, "inflight_area_ns", path + ".concurrency");
  s.inflight_max = get_int(conc, "max", path + ".concurrency");
  const std::string kp = path + ".tokens";
  const json& tok = member(j, "tokens", path);
  s.output_tokens_total = get_int(tok, "output_total", kp);
  s.input_tokens_total = get_int(tok, "input_total", kp);
  s.content_events_total = get_int(tok, "content_events_total", kp);
  s.tokens_from_usage = get_int(tok, "from_usage", kp);
  s.tokens_counted = get_int(tok, "counted", kp);
  s.tpot_decode_ns_total = get_int(tok, "tpot_decode_ns_total", kp);
  s.tpot_tokens_total = get_int(tok, "tpot_tokens_total", kp);
  s.slo_met = get_int(member(j, "goodput", path), "slo_met", path + ".goodput");
  const json& fid = member(j, "fidelity", path);
  s.buffered_streams = get_int(fid, "buffered_streams", path + ".fidelity");
  const std::string hash = get_str(fid, "content_hash", path + ".fidelity");
  if (hash.empty() || hash.size() > 16 ||
      hash.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos) {
    bad(path + ".fidelity.content_hash", "expected up to 16 hex digits");
  }
  s.content_hash = std::stoull(hash, nullptr, 16);
  const json& ms = member(j, "metrics", path);
  for (const auto& m : metric_table) {
    const std::string mp = path + ".metrics." + std::string(m.name);
    const json& mj = member(ms, std::string(m.name).c_str(), path + ".metrics");
    const std::string enc = get_str(mj, "histogram", mp);
    const auto count = get_int(mj, "count", mp);
    if (enc.empty()) {
      if (count != 0) {
        bad(mp + ".histogram", "empty but count is " + std::to_string(count));
      }
      continue;
    }
    auto h = decode_histogram(enc);
    if (!h) {
      bad(mp + ".histogram", h.message());
    }
    if (h->total_count() != count) {
      bad(mp, "count " + std::to_string(count) + " does not match the histogram's " +
                  std::to_string(h->total_count()));
    }
    metrics::histogram& dst = s.*m.member;
    if (dst.add(*h) != 0) {
      bad(mp + ".histogram", "values beyond the metric's range");
    }
  }
  return s;
}

metrics::interval_point read_interval(const json& j, const std::string& path) {
  metrics::interval_point p;
  p.start_ns = loaded_base_ns + get_int(j, "offset_ns", path, -loaded_base_ns + 1,
                                        std::numeric_limits<std::int64_t>::max() / 2);
  p.length_ns = get_int(j, "length_ns", path);
  p.target = get_str(j, "target", path);
  p.phase = get_str(j, "phase", path);
  p.started = get_int(j, "started", path);
  p.ok = get_int(j, "ok", path);
  p.errors = get_int(j, "errors", path);
  p.output_tokens = get_int(j, "output_tokens", path);
  p.input_tokens = get_int(j, "input_tokens", path);
  p.in_flight = get_int(j, "in_flight", path);
  p.ttft_p50_ns = get_int(j, "ttft_p50_ns", path);
  p.ttft_p99_ns = get_int(j, "ttft_p99_ns", path);
  p.e2e_p50_ns = get_int(j, "e2e_p50_ns", path);
  p.e2e_p99_ns = get_int(j, "e2e_p99_ns", path);
  p.itl_p50_ns = get_int(j, "itl_p50_ns", path);
  p.itl_p99_ns = get_int(j, "itl_p99_ns", path);
  for (auto [key, dst] : {std::pair{"ttft_hist", &p.ttft_hist},
                          {"e2e_hist", &p.e2e_hist},
                          {"itl_hist", &p.itl_hist}}) {
    *dst = get_str(j, key, path);
    if (!dst->empty()) {
      auto h = decode_histogram(*dst);
      if (!h) {
        bad(path + "." + key, h.message());
      }
    }
  }
  return p;
}

resource_summary read_resource(const json& j, const std::string& path) {
  resource_summary r;
  if (j.is_null()) {
    return r;
  }
  r.present = true;
  r.description = get_str(j, "description", path);
  r.idle_rss_bytes = get_int(j, "idle_rss_bytes", path, -1);
  r.peak_rss_bytes = get_int(j, "peak_rss_bytes", path, -1);
  r.steady_rss_bytes = get_int(j, "steady_rss_bytes", path, -1);
  r.after_rss_bytes = get_int(j, "after_rss_bytes", path, -1);
  r.mean_cores = get_num(j, "mean_cores", path);
  r.peak_cores = get_num(j, "peak_cores", path);
  r.cpu_seconds = get_num(j, "cpu_seconds", path);
  r.cpu_seconds_per_1k_requests = get_num(j, "cpu_seconds_per_1k_requests", path);
  const json& samples = member(j, "samples", path);
  if (!samples.is_array()) {
    bad(path + ".samples", "expected an array");
  }
  std::size_t i = 0;
  for (const auto& row : samples) {
    const std::string sp = path + ".samples[" + std::to_string(i++) + "]";
    if (!row.is_array() || row.size() != 5 || !row[2].is_number()) {
      bad(sp, "expected [offset_ns, rss_bytes, cores, threads, fds]");
    }
    resource_sample x;
    x.offset_ns = as_int(row[0], sp, std::numeric_limits<std::int64_t>::min());
    x.rss_bytes = as_int(row[1], sp);
    x.cores = row[2].get<double>();
    x.threads = as_int(row[3], sp);
    x.fds = as_int(row[4], sp);
    r.samples.push_back(x);
  }
  return r;
}

loaded_report decode(const json& doc) {
  loaded_report out;
  const std::string root = "$";
  out.schema_version = static_cast<int>(get_int(doc, "schema_version", root, 0, 1'000'000));
  if (out.schema_version != schema_version) {
    bad("$.schema_version", "version " + std::to_string(out.schema_version) +
                                " is not supported (this gatebench reads version " +
                                std::to_string(schema_version) + ")");
  }
  const json& tool = member(doc, "tool", root);
  if (get_str(tool, "name", "$.tool") != "gatebench") {
    bad("$.tool.name", "not a gatebench report");
  }
  run_info& info = out.info;
  info.tool_version = get_str(tool, "version", "$.tool");
  info.git_revision = get_str(tool, "git_revision", "$.tool");
  info.run_id = get_str(doc, "run_id", root);
  const json& host = member(doc, "host", root);
  info.host.hostname = get_str(host, "hostname", "$.host");
  info.host.cpu_model = get_str(host, "cpu_model", "$.host");
  info.host.cores = get_int(host, "cores", "$.host");
  info.host.kernel = get_str(host, "kernel", "$.host");
  info.host.arch = get_str(host, "arch", "$.host");
  const json& sc = member(doc, "scenario", root);
  if (!sc.is_object()) {
    bad("$.scenario", "expected an object");
  }
  info.scenario = detail::scenario_from_json(sc);
  info.scenario_json = sc.dump();
  info.start_wall_ns = get_int(member(doc, "start", root), "unix_ns", "$.start");
  info.end_wall_ns = get_int(member(doc, "end", root), "unix_ns", "$.end");
  info.start_steady_ns = loaded_base_ns;
  info.interrupted = get_bool(doc, "interrupted", root);
  info.interrupt_reason = get_str(doc, "interrupt_reason", root);
  info.client_bound = get_bool(doc, "client_bound", root);
  const json& warnings = member(doc, "warnings", root);
  if (!warnings.is_array()) {
    bad("$.warnings", "expected an array");
  }
  for (const auto& w : warnings) {
    if (!w.is_string()) {
      bad("$.warnings", "expected strings");
    }
    info.warnings.push_back(w.get<std::string>());
  }
  const json& seed = member(doc, "seed", root);
  if (!seed.is_number_unsigned() && !(seed.is_number_integer() && seed.get<std::int64_t>() >= 0)) {
    bad("$.seed", "expected a non-negative integer");
  }
  info.seed = seed.get<std::uint64_t>();
  info.threads = get_int(doc, "threads", root);
  info.interval_ns = get_int(doc, "interval_ns", root);
  const json& targets = member(doc, "targets", root);
  if (!targets.is_object()) {
    bad("$.targets", "expected an object");
  }
  for (const auto& [tname, tj] : targets.items()) {
    const std::string tp = "$.targets." + tname;
    const json& phases = member(tj, "phases", tp);
    if (!phases.is_object()) {
      bad(tp + ".phases", "expected an object");
    }
    for (const auto& [pname, pj] : phases.items()) {
      out.stats.by_target_phase[tname][pname] = read_phase(pj, tp + ".phases." + pname);
    }
  }
  const json& splits = member(doc, "splits", root);
  if (!splits.is_object()) {
    bad("$.splits", "expected an object");
  }
  for (const auto& [key, sj] : splits.items()) {
    out.stats.splits[key] = read_phase(sj, "$.splits." + key);
  }
  const json& intervals = member(doc, "intervals", root);
  if (!intervals.is_array()) {
    bad("$.intervals", "expected an array");
  }
  std::size_t i = 0;
  for (const auto& ij : intervals) {
    out.stats.intervals.push_back(read_interval(ij, "$.intervals[" + std::to_string(i++) + "]"));
  }
  const json& sweep = member(doc, "sweep", root);
  if (!sweep.is_array()) {
    bad("$.sweep", "expected an array");
  }
  i = 0;
  for (const auto& sj : sweep) {
    const std::string sp = "$.sweep[" + std::to_string(i++) + "]";
    sweep_point p;
    p.phase = get_str(sj, "phase", sp);
    p.rate = get_num(sj, "rate", sp);
    p.concurrency = get_int(sj, "concurrency", sp);
    p.valid = get_bool(sj, "valid", sp);
    p.note = get_str(sj, "note", sp);
    p.knee = sj.contains("knee") && get_bool(sj, "knee", sp);  // optional: absent before sweeps
    info.sweep.push_back(std::move(p));
  }
  const json& res = member(doc, "resources", root);
  info.resources.sample_interval_ns = get_int(res, "sample_interval_ns", "$.resources");
  info.resources.harness =
      read_resource(member(res, "harness", "$.resources"), "$.resources.harness");
  info.resources.target = read_resource(member(res, "target", "$.resources"), "$.resources.target");
  return out;
}

}  // namespace

gb::result<loaded_report> parse_report(const std::string& text, const std::string& name) {
  json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded()) {
    return gb::fail(name, ": not valid JSON (truncated or corrupt report?)");
  }
  if (!doc.is_object()) {
    return gb::fail(name, ": not a gatebench report (expected a JSON object)");
  }
  try {
    loaded_report r = decode(doc);
    r.path = name;
    return r;
  } catch (const bad_report& e) {
    return gb::fail(name, ": invalid report: ", e.message);
  } catch (const std::exception& e) {
    return gb::fail(name, ": invalid report: ", e.what());
  }
}

gb::result<loaded_report> load_report(const std::string& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) {
    return gb::fail("cannot read report '", path, "': ", ec.message());
  }
  if (size > max_report_bytes) {
    return gb::fail("cannot read report '", path, "': larger than 512 MiB");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return gb::fail("cannot read report '", path, "'");
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse_report(ss.str(), path);
}

}  // namespace gb::report
