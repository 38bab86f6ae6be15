#pragma once
// The typed, validated scenario: what to load, how hard, against what, and what must hold.
// Built from a YAML file (scenario/parse.hpp) and/or CLI flags; every field has a default so a
// two-line file works. Durations in nanoseconds, rates in requests per second.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "protocol/dialect.hpp"

namespace gb::scenario {

inline constexpr std::int64_t s_ns = 1'000'000'000;

/// A value drawn per request: token counts or durations.
struct distribution {
  enum class kind : std::uint8_t { fixed, uniform, normal, lognormal };
  kind shape = kind::fixed;
  double value = 0;   // fixed: the value; normal/lognormal: the mean
  double stddev = 0;  // normal/lognormal
  double min = 0;     // uniform: lower bound; all shapes: clamp (when max > 0)
  double max = 0;     // uniform: upper bound; all shapes: clamp when > 0
};

struct tls_options {
  bool verify = true;       // --insecure turns it off
  std::string ca_file;      // extra CA bundle (PEM); empty: system store
  std::string server_name;  // SNI override; empty: the URL's host
};

struct timeouts {
  std::int64_t connect_ns = 10 * s_ns;
  std::int64_t first_byte_ns = 60 * s_ns;  // from request written to first response byte
  std::int64_t idle_ns = 30 * s_ns;        // between stream events / body reads
  std::int64_t total_ns = 600 * s_ns;      // whole request
};

struct header {
  std::string name;
  std::string value;    // ${ENV} already substituted
  bool secret = false;  // came from ${ENV} or is an auth header: never written anywhere
};

struct target {
  std::string name = "default";
  std::string url = "http://127.0.0.1:8000";  // base URL: scheme://host[:port][/prefix]
  protocol::dialect api = protocol::dialect::openai_chat;
  std::string path;  // request path; empty: the base URL's prefix + the dialect's default path
  std::vector<header> headers;
  tls_options tls;
  struct timeouts timeouts;
  std::string role;          // "direct", "gateway", "proxy" for overhead runs; empty otherwise
  std::string url_template;  // the URL as written when it held ${ENV} (reports print this)
};

struct prompt_source {
  enum class kind : std::uint8_t { synthetic, lines, jsonl, sharegpt };
  kind type = kind::synthetic;
  std::string path;                                          // lines/jsonl/sharegpt file
  distribution input_tokens{distribution::kind::fixed, 64};  // synthetic prompt length
  std::int64_t shared_prefix_tokens = 0;                     // common system prompt of N tokens
  std::string system_prompt;                                 // explicit system prompt text, if any
};

/// One entry of a weighted request mix (models, dialects, prompt sources).
struct mix_entry {
  double weight = 1;
  std::string model;   // empty: the workload's model
  std::string target;  // empty: every target
  prompt_source prompts;
};

struct workload {
  std::string model = "gatebench-mock";
  bool stream = true;
  bool include_usage = true;
  distribution output_tokens{distribution::kind::fixed, 128};  // sent as max_tokens
  bool ignore_eos = false;  // also sends min_tokens = max_tokens for exact lengths
  prompt_source prompts;
  std::vector<mix_entry> mix;         // empty: single workload
  std::int64_t turns = 1;             // multi-turn sessions of K turns
  std::int64_t think_time_ns = 0;     // between turns
  double repeat_ratio = 0;            // share of requests reusing an earlier prompt exactly
  std::string split_by_header;        // response header whose value splits the metrics
  std::vector<header> extra_headers;  // added to every request
};

struct stage {
  std::int64_t duration_ns = 0;
  double target = 0;  // concurrency (closed loop) or rate (open loop) reached at the stage's end
};

struct load {
  enum class model : std::uint8_t { closed, open };
  enum class arrival : std::uint8_t { constant, poisson, gamma };
  model mode = model::closed;
  std::int64_t concurrency = 8;  // closed loop: slots; open loop: default in-flight cap
  double rate = 0;               // open loop: total arrivals per second
  arrival process = arrival::constant;
  double burstiness = 1;                 // gamma shape factor (1 = Poisson, < 1 burstier)
  std::int64_t duration_ns = 10 * s_ns;  // main phase; 0 with requests > 0: until count
  std::int64_t requests = 0;             // main phase request count; 0: bounded by duration
  std::int64_t warmup_ns = 0;
  std::int64_t cooldown_ns = 0;
  std::vector<stage> stages;       // k6-style ramps (replace duration when present)
  double stage_start = 0;          // level the first stage ramps from (k6 startRate / startVUs)
  std::int64_t max_in_flight = 0;  // open loop cap; 0: plan::in_flight_cap decides
  std::int64_t max_queue_wait_ns = 1 * s_ns;  // past this, a waiting arrival is dropped
  std::int64_t threads = 0;                   // worker threads; 0: the number of cores
  std::int64_t connections = 0;               // connection pool per target; 0: as many as in flight
};

/// A sweep: a run per point, or a search for the highest rate meeting the SLOs.
struct sweep {
  enum class kind : std::uint8_t { none, rates, concurrencies, search };
  kind type = kind::none;
  std::vector<double> points;
  double search_min = 1, search_max = 0;  // search bounds for kind::search
  std::int64_t point_duration_ns = 10 * s_ns;
};

/// A service-level objective for goodput, e.g. ttft <= 500ms.
struct slo {
  std::string metric;  // ttft, tpot, itl, e2e, ttfb
  std::int64_t max_ns = 0;
  std::string source;  // "file:line" for messages
};

/// A k6-style threshold, kept as text here; src/analysis parses and evaluates it.
struct threshold {
  std::string expression;  // e.g. "ttft:p(95)<500ms"
  bool abort_on_fail = false;
  std::string source;  // "file:line" or "--threshold"
};

struct output {
  std::string report_path;    // empty: reports/<scenario>-<timestamp>.json
  std::string hgrm_dir;       // empty: none
  std::string hlog_path;      // empty: none
  std::string schedule_path;  // optional: each request's intended time and x-request-id
};

struct scenario {
  std::string name = "adhoc";
  std::string source_file;  // empty for ad-hoc runs
  std::uint64_t seed = 1;
  std::vector<target> targets{target{}};
  struct workload workload;
  struct load load;
  struct sweep sweep;
  std::vector<slo> slos;
  std::vector<threshold> thresholds;
  struct output output;
};

}  // namespace gb::scenario
