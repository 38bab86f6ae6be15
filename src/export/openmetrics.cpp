#include "export/openmetrics.hpp"

#include <map>
#include <utility>

#include "export/text_writer.hpp"

namespace gb::exporter {
namespace {

struct key {
  std::string target;
  std::string phase;
  bool operator<(const key& o) const {
    return std::tie(target, phase) < std::tie(o.target, o.phase);
  }
};

/// One series' cumulative state at one interval end.
struct point {
  double t_s = 0;
  std::int64_t started = 0, ok = 0, errors = 0, in_tokens = 0, out_tokens = 0, in_flight = 0;
  std::optional<seconds_buckets> ttft, itl, e2e, tpot;
};

/// The interval's encoded tpot histogram once metrics::interval_point carries one
/// (`tpot_hist`); until then nullptr and no tpot series is written.
template <class Point>
const std::string* tpot_text(const Point& p) {
  if constexpr (requires { p.tpot_hist; }) {
    return &p.tpot_hist;
  } else {
    return nullptr;
  }
}

}  // namespace

result<std::string> render_openmetrics(const openmetrics_input& in) {
  if (in.intervals == nullptr) {
    return fail("openmetrics export: no time series given");
  }
  auto wall_s = [&](std::int64_t steady) {
    return static_cast<double>(in.wall_origin_ns + (steady - in.steady_origin_ns)) / 1e9;
  };
  // Accumulate per series.
  struct running {
    point p;
    std::optional<metrics::histogram> ttft, itl, e2e, tpot;
  };
  std::map<key, running> state;
  std::map<key, std::vector<point>> series;
  std::size_t index = 0;
  for (const auto& iv : *in.intervals) {
    ++index;
    const key k{iv.target, iv.phase};
    running& r = state[k];
    r.p.t_s = wall_s(iv.start_ns + iv.length_ns);
    r.p.started += iv.started;
    r.p.ok += iv.ok;
    r.p.errors += iv.errors;
    r.p.in_tokens += iv.input_tokens;
    r.p.out_tokens += iv.output_tokens;
    r.p.in_flight = iv.in_flight;
    if (in.decode) {
      struct h {
        const std::string* text;
        std::optional<metrics::histogram>* acc;
        const char* name;
      };
      const std::string* tpot = tpot_text(iv);
      for (const h& x : {h{&iv.ttft_hist, &r.ttft, "ttft"}, h{&iv.itl_hist, &r.itl, "itl"},
                         h{&iv.e2e_hist, &r.e2e, "e2e"}, h{tpot, &r.tpot, "tpot"}}) {
        if (x.text == nullptr) {
          continue;
        }
        if (!x.acc->has_value()) {
          *x.acc = metrics::histogram::for_latency();
        }
        if (x.text->empty()) {
          continue;
        }
        auto d = in.decode(*x.text);
        if (!d) {
          return fail("interval ", std::to_string(index), " (", iv.target, "/", iv.phase, ") ",
                      x.name, " histogram: ", d.message());
        }
        (*x.acc)->add(*d);
      }
      r.p.ttft = to_seconds_buckets(*r.ttft);
      r.p.itl = to_seconds_buckets(*r.itl);
      r.p.e2e = to_seconds_buckets(*r.e2e);
      if (r.tpot) {
        r.p.tpot = to_seconds_buckets(*r.tpot);
      }
    }
    series[k].push_back(r.p);
  }

  text_writer w(text_format::openmetrics);
  auto each = [&](auto&& fn) {
    for (const auto& [k, pts] : series) {
      const series_labels l{&in.labels, k.target, k.phase};
      for (const point& p : pts) {
        fn(l, p);
      }
    }
  };
  w.family("gatebench_requests_started_total", "counter", "Requests started");
  each([&](const series_labels& l, const point& p) {
    w.sample("gatebench_requests_started_total", l, {}, static_cast<double>(p.started), p.t_s);
  });
  w.family("gatebench_requests_total", "counter", "Requests finished, by outcome");
  for (const char* outcome : {"ok", "error"}) {
    each([&](const series_labels& l, const point& p) {
      w.sample("gatebench_requests_total", l, {{"outcome", outcome}},
               static_cast<double>(outcome[0] == 'o' ? p.ok : p.errors), p.t_s);
    });
  }
  w.family("gatebench_requests_in_flight", "gauge", "Requests started and not yet finished");
  each([&](const series_labels& l, const point& p) {
    w.sample("gatebench_requests_in_flight", l, {}, static_cast<double>(p.in_flight), p.t_s);
  });
  w.family("gatebench_input_tokens_total", "counter", "Input tokens of successful requests");
  each([&](const series_labels& l, const point& p) {
    w.sample("gatebench_input_tokens_total", l, {}, static_cast<double>(p.in_tokens), p.t_s);
  });
  w.family("gatebench_output_tokens_total", "counter", "Output tokens of successful requests");
  each([&](const series_labels& l, const point& p) {
    w.sample("gatebench_output_tokens_total", l, {}, static_cast<double>(p.out_tokens), p.t_s);
  });
  if (in.decode) {
    struct h {
      const char* name;
      const char* help;
      std::optional<seconds_buckets> point::*member;
    };
    for (const h& x :
         {h{"gatebench_ttft_seconds", "Time to first token (from the intended send)", &point::ttft},
          h{"gatebench_itl_seconds", "Gaps between consecutive content events", &point::itl},
          h{"gatebench_tpot_seconds", "Time per output token after the first", &point::tpot},
          h{"gatebench_e2e_seconds", "End-to-end request latency (from the intended send)",
            &point::e2e}}) {
      bool any = false;
      for (const auto& [k, pts] : series) {
        for (const point& p : pts) {
          any = any || (p.*x.member).has_value();
        }
      }
      if (!any) {
        continue;
      }
      w.family(x.name, "histogram", x.help, "seconds");
      each([&](const series_labels& l, const point& p) {
        if ((p.*x.member).has_value()) {
          w.histogram(x.name, l, *(p.*x.member), p.t_s);
        }
      });
    }
  }
  if (in.resources != nullptr) {
    struct who {
      const char* prefix;
      const std::vector<sysmon::sample>* samples;
    };
    for (const who& x : {who{"gatebench_target_", &in.resources->target_samples},
                         who{"gatebench_harness_", &in.resources->harness_samples}}) {
      if (x.samples->empty()) {
        continue;
      }
      const std::string p = x.prefix;
      struct field {
        const char* suffix;
        const char* type;
        const char* help;
        double (*get)(const sysmon::sample&);
        const char* unit;
      };
      const field fields[] = {
          {"resident_memory_bytes", "gauge", "Resident memory (VmRSS)",
           [](const sysmon::sample& s) { return static_cast<double>(s.rss_bytes); }, "bytes"},
          {"peak_resident_memory_bytes", "gauge", "Sum of VmHWM (peak resident memory)",
           [](const sysmon::sample& s) { return static_cast<double>(s.hwm_bytes); }, "bytes"},
          {"cpu_cores", "gauge", "CPU cores used over the last sampling interval",
           [](const sysmon::sample& s) { return s.cores; }, ""},
          {"cpu_seconds_total", "counter", "CPU seconds used since sampling began",
           [](const sysmon::sample& s) { return s.cpu_seconds; }, "seconds"},
          {"threads", "gauge", "Threads",
           [](const sysmon::sample& s) { return static_cast<double>(s.threads); }, ""},
          {"open_fds", "gauge", "Open file descriptors",
           [](const sysmon::sample& s) { return static_cast<double>(s.fds); }, ""},
      };
      bool have_hwm = false;
      bool have_fds = false;
      for (const auto& s : *x.samples) {
        have_hwm = have_hwm || s.hwm_bytes > 0;
        have_fds = have_fds || s.fds >= 0;
      }
      for (const field& f : fields) {
        const std::string suffix = f.suffix;
        if ((suffix == "peak_resident_memory_bytes" && !have_hwm) ||
            (suffix == "open_fds" && !have_fds)) {
          continue;  // not in the source (stored reports keep RSS, cores, threads, fds)
        }
        const std::string name = p + f.suffix;
        w.family(name, f.type, f.help, f.unit);
        // A series per phase, each in time order.
        std::map<std::string, std::vector<const sysmon::sample*>> by_phase;
        for (const auto& s : *x.samples) {
          if (s.processes > 0 && (suffix != "open_fds" || s.fds >= 0)) {
            by_phase[s.phase].push_back(&s);
          }
        }
        for (const auto& [phase, ss] : by_phase) {
          const series_labels l{&in.labels, in.resource_target, phase};
          double last_t = -1;
          for (const sysmon::sample* s : ss) {
            const double t = wall_s(s->t_ns);
            if (static_cast<std::int64_t>(t * 1000) <= static_cast<std::int64_t>(last_t * 1000)) {
              continue;  // timestamps are written in ms: keep them strictly increasing
            }
            last_t = t;
            w.sample(name, l, {}, f.get(*s), t);
          }
        }
      }
    }
  }
  w.text().append("# EOF\n");
  return std::move(w).take();
}

}  // namespace gb::exporter
