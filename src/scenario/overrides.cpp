#include "scenario/overrides.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "scenario/values.hpp"

namespace gb::scenario {

namespace {

// Prefixes an error with the flag it came from.
template <class T>
result<T> flag(std::string_view name, result<T> r) {
  if (!r) {
    return fail(name, ": ", r.message());
  }
  return r;
}

bool same_name(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

void set_header(std::vector<header>& headers, header h) {
  for (auto& existing : headers) {
    if (same_name(existing.name, h.name)) {
      existing = std::move(h);
      return;
    }
  }
  headers.push_back(std::move(h));
}

status check_whole(const scenario& sc) {
  const load& ld = sc.load;
  if (ld.mode == load::model::open && ld.rate <= 0 && ld.stages.empty() &&
      sc.sweep.type != sweep::kind::rates && sc.sweep.type != sweep::kind::search) {
    return fail("open-loop load needs a rate: add -R/--rate (requests per second) or --stage");
  }
  if (ld.duration_ns <= 0 && ld.requests <= 0 && ld.stages.empty()) {
    return fail("the run has no end: give -d/--duration or -n/--requests");
  }
  if (sc.sweep.type == sweep::kind::concurrencies && ld.mode == load::model::open) {
    return fail("--rate: the scenario sweeps concurrencies (closed loop); remove --rate");
  }
  return {};
}

}  // namespace

result<scenario> apply_overrides(scenario sc, const overrides& ov) {
  load& ld = sc.load;
  if (ov.name) {
    sc.name = *ov.name;
  }
  if (ov.url) {
    if (sc.targets.size() > 1) {
      return fail("--url: the scenario has ", std::to_string(sc.targets.size()),
                  " targets; set their URLs in the file");
    }
    std::string url = *ov.url;
    while (url.ends_with('/') && !url.ends_with("://")) {
      url.pop_back();
    }
    if (auto st = check_url(url, url); !st) {
      return fail("--url: ", st.message());
    }
    sc.targets.front().url = url;
    sc.targets.front().url_template.clear();
  }
  if (ov.api) {
    auto d = flag("--api", dialect_value(*ov.api));
    if (!d) {
      return d.err();
    }
    for (auto& t : sc.targets) {
      t.api = *d;
    }
  }
  if (ov.path) {
    if (!ov.path->starts_with('/')) {
      return fail("--path: the path must start with '/', e.g. /v1/chat/completions");
    }
    for (auto& t : sc.targets) {
      t.path = *ov.path;
    }
  }
  if (ov.concurrency) {
    auto c = flag("--concurrency", count_value(*ov.concurrency, "concurrency", 1));
    if (!c) {
      return c.err();
    }
    ld.concurrency = *c;
  }
  if (ov.threads) {
    auto t = flag("--threads", count_value(*ov.threads, "threads", 0));
    if (!t) {
      return t.err();
    }
    ld.threads = *t;
  }
  if (ov.connections) {
    auto c = flag("--connections", count_value(*ov.connections, "connections", 0));
    if (!c) {
      return c.err();
    }
    ld.connections = *c;
  }
  if (ov.max_in_flight) {
    auto c = flag("--max-in-flight", count_value(*ov.max_in_flight, "max in flight", 1));
    if (!c) {
      return c.err();
    }
    ld.max_in_flight = *c;
  }
  if (ov.rate) {
    auto r = flag("--rate", positive_value(*ov.rate, "rate (requests per second)"));
    if (!r) {
      return r.err();
    }
    ld.mode = load::model::open;
    ld.rate = *r;
    if (!ld.stages.empty()) {
      ld.stage_start = *r;
    }
  }
  if (ov.arrival) {
    auto a = flag("--arrival", arrival_value(*ov.arrival));
    if (!a) {
      return a.err();
    }
    ld.process = *a;
  }
  if (ov.burstiness) {
    auto b = flag("--burstiness", positive_value(*ov.burstiness, "burstiness"));
    if (!b) {
      return b.err();
    }
    if (ov.arrival && ld.process != load::arrival::gamma) {
      return fail("--burstiness: applies to --arrival gamma");
    }
    ld.process = load::arrival::gamma;
    ld.burstiness = *b;
  }
  if ((ov.arrival || ov.burstiness) && ld.mode != load::model::open) {
    return fail("--arrival: arrival processes are for open-loop load; add -R/--rate");
  }
  if (ov.requests) {
    auto n = flag("--requests", count_value(*ov.requests, "requests", 1));
    if (!n) {
      return n.err();
    }
    ld.requests = *n;
    if (!ov.duration) {
      ld.duration_ns = 0;
    }
  }
  if (ov.duration) {
    auto d = flag("--duration", duration_value(*ov.duration, "duration", false));
    if (!d) {
      return d.err();
    }
    ld.duration_ns = *d;
    ld.stages.clear();
    ld.stage_start = 0;
  }
  if (!ov.stages.empty()) {
    if (ov.duration) {
      return fail("--stage: stages set the run's length; remove --duration");
    }
    ld.stages.clear();
    for (const auto& text : ov.stages) {
      auto st = flag("--stage", stage_value(text));
      if (!st) {
        return st.err();
      }
      ld.stages.push_back(*st);
    }
    ld.duration_ns = 0;
    ld.stage_start = ld.mode == load::model::open
                         ? (ov.rate ? ld.rate : 0)
                         : (ov.concurrency ? static_cast<double>(ld.concurrency) : 0);
  }
  if (ov.warmup) {
    auto d = flag("--warmup", duration_value(*ov.warmup, "warmup", true));
    if (!d) {
      return d.err();
    }
    ld.warmup_ns = *d;
  }
  if (ov.cooldown) {
    auto d = flag("--cooldown", duration_value(*ov.cooldown, "cooldown", true));
    if (!d) {
      return d.err();
    }
    ld.cooldown_ns = *d;
  }
  if (ov.timeout) {
    auto d = flag("--timeout", duration_value(*ov.timeout, "timeout", false));
    if (!d) {
      return d.err();
    }
    for (auto& t : sc.targets) {
      t.timeouts.total_ns = *d;
    }
  }
  for (const auto& line : ov.headers) {
    auto h = flag("-H", header_line_value(line));
    if (!h) {
      return h.err();
    }
    for (auto& t : sc.targets) {
      set_header(t.headers, *h);
    }
  }
  if (ov.seed) {
    std::uint64_t v = 0;
    const std::string& s = *ov.seed;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || ptr != s.data() + s.size()) {
      return fail("--seed: must be a whole number from 0 to 18446744073709551615, got '", s, "'");
    }
    sc.seed = v;
  }
  if (ov.insecure && *ov.insecure) {
    for (auto& t : sc.targets) {
      t.tls.verify = false;
    }
  }
  if (ov.out) {
    sc.output.report_path = *ov.out;
  }
  if (ov.model) {
    if (ov.model->empty()) {
      return fail("--model: must not be empty");
    }
    sc.workload.model = *ov.model;
  }
  if (ov.stream) {
    sc.workload.stream = *ov.stream;
  }
  if (ov.max_tokens) {
    auto n = flag("--max-tokens", count_value(*ov.max_tokens, "max tokens", 1));
    if (!n) {
      return n.err();
    }
    sc.workload.output_tokens = distribution{distribution::kind::fixed, static_cast<double>(*n)};
  }
  if (ov.input_tokens) {
    auto n = flag("--input-tokens", count_value(*ov.input_tokens, "input tokens", 1));
    if (!n) {
      return n.err();
    }
    if (sc.workload.prompts.type != prompt_source::kind::synthetic) {
      return fail("--input-tokens: shapes synthetic prompts only; this scenario reads a dataset");
    }
    sc.workload.prompts.input_tokens =
        distribution{distribution::kind::fixed, static_cast<double>(*n)};
  }
  if (ov.ignore_eos) {
    sc.workload.ignore_eos = *ov.ignore_eos;
  }
  for (const auto& text : ov.thresholds) {
    if (auto st = check_threshold(text); !st) {
      return fail("--threshold: ", st.message());
    }
    sc.thresholds.push_back(threshold{text, false, "--threshold"});
  }
  if (auto st = check_whole(sc); !st) {
    return error{st.message()};
  }
  return sc;
}

result<scenario> make_adhoc_scenario(const overrides& ov) {
  if (!ov.url) {
    return fail(
        "no scenario file and no --url: write `gatebench run SCENARIO.yaml` or "
        "`gatebench run --url http://127.0.0.1:8000 --api openai-chat -c 16 -d 20s`");
  }
  scenario sc;
  sc.name = "adhoc";
  return apply_overrides(std::move(sc), ov);
}

}  // namespace gb::scenario
