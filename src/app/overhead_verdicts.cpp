// Verdicts of an overhead run: `overhead:` thresholds, ordinary thresholds on each arm, and
// each arm's throughput ceiling over the open-loop points.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "analysis/gate.hpp"
#include "app/overhead_detail.hpp"
#include "report/metric_table.hpp"

namespace gb::app::overhead::detail {

namespace {

constexpr std::string_view threshold_prefix = "overhead:";

std::string fmt_signed(double ns) {
  char buf[48];
  const double a = std::fabs(ns);
  const char* sign = ns < 0 ? "-" : "+";
  if (a < 1e6) {
    std::snprintf(buf, sizeof buf, "%s%.1fus", sign, a / 1e3);
  } else {
    std::snprintf(buf, sizeof buf, "%s%.3fms", sign, a / 1e6);
  }
  return buf;
}

std::string fmt_ms(double ns) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3gms", ns / 1e6);
  return buf;
}

bool compare_holds(analysis::compare_op op, double measured, double bound) {
  switch (op) {
    case analysis::compare_op::lt:
      return measured < bound;
    case analysis::compare_op::le:
      return measured <= bound;
    case analysis::compare_op::gt:
      return measured > bound;
    case analysis::compare_op::ge:
      return measured >= bound;
    case analysis::compare_op::eq:
      return measured == bound;
  }
  return false;
}

}  // namespace

bool is_overhead_metric(std::string_view m) {
  return m == "e2e" || m == "ttfb" || m == "ttft" || m == "itl";
}

gb::result<parsed_threshold> parse_overhead_threshold(const std::string& text) {
  std::string_view t = text;
  while (!t.empty() && t.front() == ' ') {
    t.remove_prefix(1);
  }
  if (!t.starts_with(threshold_prefix)) {
    return gb::fail("overhead threshold '", text,
                    "' must start with 'overhead:', e.g. overhead:ttft:p(95)<5ms");
  }
  t.remove_prefix(threshold_prefix.size());
  auto th = analysis::parse_threshold(t);
  if (!th) {
    return th.err();
  }
  if (!is_overhead_metric(th->metric)) {
    return gb::fail("overhead threshold '", text, "': metric '", th->metric,
                    "' has no overhead; use e2e, ttfb, ttft or itl");
  }
  if (th->stat != analysis::stat_kind::percentile && th->stat != analysis::stat_kind::med) {
    return gb::fail("overhead threshold '", text,
                    "': overhead is measured at quantiles; write p(N) or med, e.g. "
                    "overhead:ttft:p(95)<5ms");
  }
  parsed_threshold p{std::move(*th), "gateway"};
  if (!p.th.target.empty()) {
    if (p.th.target != "gateway" && p.th.target != "proxy") {
      return gb::fail("overhead threshold '", text,
                      "': {target=...} names the arm compared with direct: gateway or proxy");
    }
    p.arm = p.th.target;
  }
  if (p.th.stat == analysis::stat_kind::med) {
    p.th.percentile = 50;
  }
  p.th.text = text;
  return p;
}

std::vector<ceiling> find_ceilings(const result& r) {
  std::vector<ceiling> out;
  std::vector<const point_result*> open;
  for (const auto& p : r.points) {
    if (p.load.open) {
      open.push_back(&p);
    }
  }
  std::sort(open.begin(), open.end(), [](const point_result* a, const point_result* b) {
    return a->load.rate < b->load.rate;
  });
  if (open.empty()) {
    return out;
  }
  const auto* metric = report::find_metric(r.set.ceiling_metric);
  for (std::size_t ai = 0; ai < r.arms.size(); ++ai) {
    ceiling c{r.arms[ai].role, r.arms[ai].name, 0, true, ""};
    for (const point_result* p : open) {
      const arm_result& a = p->arms[ai];
      const metrics::histogram& h = a.merged.*(metric->member);
      const std::int64_t errs = a.merged.outcomes.failed() + a.merged.dropped;
      std::string why;
      if (errs > 0) {
        why = std::to_string(errs) + " errors or drops at " + p->load.label;
      } else if (h.total_count() == 0) {
        why = "no " + r.set.ceiling_metric + " samples at " + p->load.label;
      } else if (static_cast<double>(h.value_at_percentile(99)) >
                 static_cast<double>(r.set.ceiling_bound_ns)) {
        why = r.set.ceiling_metric + " p99 " +
              fmt_ms(static_cast<double>(h.value_at_percentile(99))) + " > " +
              fmt_ms(static_cast<double>(r.set.ceiling_bound_ns)) + " at " + p->load.label;
      } else if (a.client_bound) {
        why = "the harness was client-bound at " + p->load.label;
      }
      if (!why.empty()) {
        c.beyond_range = false;
        c.limited_by = why;
        break;
      }
      c.rate = p->load.rate;
    }
    out.push_back(std::move(c));
  }
  return out;
}

std::vector<threshold_outcome> evaluate(const result& r) {
  std::vector<threshold_outcome> out;
  for (const auto& text : r.set.thresholds) {
    auto p = parse_overhead_threshold(text);
    if (!p) {
      out.push_back({text, "", false, 0, p.message()});
      continue;
    }
    for (const auto& pt : r.points) {
      threshold_outcome o{text, pt.load.label, false, 0, ""};
      const comparison* c = nullptr;
      for (const auto& x : pt.comparisons) {
        if (x.arm == p->arm && x.reference == "direct") {
          c = &x;
        }
      }
      const analysis::quantile_overhead* q = nullptr;
      if (c != nullptr) {
        for (const auto& m : c->metrics) {
          if (m.metric == p->th.metric) {
            for (const auto& qq : m.quantiles) {
              if (qq.quantile == p->th.percentile) {
                q = &qq;
              }
            }
          }
        }
      }
      if (c == nullptr) {
        o.measured_text = "the scenario has no " + p->arm + " arm";
      } else if (q == nullptr) {
        o.measured_text = "no " + p->th.metric + " overhead measured" +
                          (c->error.empty() ? "" : " (" + c->error + ")");
      } else {
        o.measured = q->median_ns;
        o.measured_text = fmt_signed(q->median_ns);
        o.passed = compare_holds(p->th.op, q->median_ns, p->th.value);
      }
      out.push_back(std::move(o));
    }
  }
  // Ordinary thresholds (errors:rate<1%, ttft{target=gateway}:p(95)<1s, ...) on every arm's
  // merged rounds at every point.
  auto plain = analysis::parse_thresholds(r.sc.thresholds, {});
  if (!plain || plain->empty()) {
    return out;
  }
  for (const auto& pt : r.points) {
    metrics::run_stats rs;
    for (const auto& a : pt.arms) {
      rs.by_target_phase[a.which.name]["main"] = a.merged;
    }
    for (const auto& x : analysis::evaluate_thresholds(*plain, rs)) {
      out.push_back(
          {x.th.text, pt.load.label + " " + x.target, x.passed, x.measured, x.measured_text});
    }
  }
  return out;
}

}  // namespace gb::app::overhead::detail
