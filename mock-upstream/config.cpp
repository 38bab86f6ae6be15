#include "config.hpp"

#include <yaml-cpp/yaml.h>

#include <charconv>

#include "util/units.hpp"

namespace gb::mock {

const std::vector<setting_info>& settings() {
  static const std::vector<setting_info> list = {
      {"listen", "HOST:PORT", "address to listen on (port 0 picks a free port) [127.0.0.1:8000]"},
      {"threads", "N",
       "event-loop threads, one io_context each (0 = half the hardware threads, at least 1) [0]"},
      {"ttft", "DIST",
       "time to first token: 0, 50ms, uniform:LO,HI, normal:MEAN,SD, lognormal:MEDIAN,SIGMA, "
       "profile:p50=..,p90=..,p99=.. [0]"},
      {"itl", "DIST", "delay between events, same forms as --ttft [0]"},
      {"output-tokens", "DIST",
       "natural output length in tokens (words), same forms without units [32]"},
      {"tokens-per-event", "N", "tokens carried by each content event [1]"},
      {"seed", "N", "seed of generated text and of latency/fault draws [1]"},
      {"embedding-dim", "N", "embedding vector size [1536]"},
      {"model", "NAME", "model id listed by /v1/models (repeatable) [gatebench-mock]"},
      {"fault", "KIND=RATE", "inject a fault kind at a rate, e.g. rate_limit=1% (repeatable)"},
      {"fault-after", "N", "tokens before a mid-stream fault (-1 = half the output) [-1]"},
      {"stall", "DURATION", "length of a stall fault [5s]"},
      {"stall-then", "continue|close", "what a stall does after its pause [continue]"},
      {"header-delay", "DURATION", "delay of a slow_headers fault [2s]"},
      {"retry-after", "DURATION", "retry-after of injected 429s [1s]"},
      {"rpm", "N", "requests per minute before 429s (0 = unlimited) [0]"},
      {"tpm", "N", "tokens (prompt + output) per minute before 429s (0 = unlimited) [0]"},
      {"request-log", "FILE", "append every request as a JSON line, secrets redacted"},
      {"max-body", "BYTES", "largest request body; larger gets 413 [4MiB]"},
      {"max-header", "BYTES", "largest request header block; larger gets 431 [16KiB]"},
      {"header-timeout", "DURATION", "time allowed to send request headers [10s]"},
      {"body-timeout", "DURATION", "time allowed to send a request body [30s]"},
      {"idle-timeout", "DURATION", "keep-alive idle time before closing [60s]"},
      {"write-timeout", "DURATION", "time a write may wait on a client that does not read [30s]"},
      {"shutdown-grace", "DURATION", "time in-flight requests get after SIGINT/SIGTERM [5s]"},
      {"max-connections", "N", "open connections per server; more are closed at once [50000]"},
      {"tls-cert", "FILE", "PEM certificate: serve HTTPS"},
      {"tls-key", "FILE", "PEM private key for --tls-cert"},
  };
  return list;
}

namespace {

status bad(std::string_view name, std::string_view value, const std::string& why) {
  return fail("--", std::string(name), " '", std::string(value), "': ", why);
}

result<std::int64_t> parse_int(std::string_view v, std::int64_t min, std::int64_t max) {
  std::int64_t x = 0;
  if (!v.empty() && v.front() == '-') {
    const auto r = std::from_chars(v.data(), v.data() + v.size(), x);
    if (r.ec != std::errc{} || r.ptr != v.data() + v.size()) {
      return fail("not a whole number");
    }
  } else {
    auto c = parse_si_count(v);
    if (!c) {
      return c.err();
    }
    x = *c;
  }
  if (x < min || x > max) {
    return fail("must be between ", std::to_string(min), " and ", std::to_string(max));
  }
  return x;
}

}  // namespace

status apply_setting(mock_config& cfg, std::string_view name, std::string_view value) {
  auto duration = [&](std::int64_t& out) -> status {
    auto d = parse_duration_ns(value);
    if (!d) {
      return bad(name, value, d.message());
    }
    out = *d;
    return {};
  };
  auto integer = [&](std::int64_t& out, std::int64_t min, std::int64_t max) -> status {
    auto x = parse_int(value, min, max);
    if (!x) {
      return bad(name, value, x.message());
    }
    out = *x;
    return {};
  };
  auto bytes = [&](std::int64_t& out) -> status {
    auto b = parse_bytes(value);
    if (!b) {
      return bad(name, value, b.message());
    }
    if (*b < 1) {
      return bad(name, value, "must be positive");
    }
    out = *b;
    return {};
  };
  auto dist = [&](distribution& out, dist_unit unit) -> status {
    auto d = parse_distribution(value, unit);
    if (!d) {
      return bad(name, value, d.message());
    }
    out = *d;
    return {};
  };

  if (name == "listen") {
    const auto colon = value.rfind(':');
    if (colon == std::string_view::npos || colon == 0) {
      return bad(name, value, "expected HOST:PORT");
    }
    auto p = parse_int(value.substr(colon + 1), 0, 65535);
    if (!p) {
      return bad(name, value, "port " + p.message());
    }
    std::string_view host = value.substr(0, colon);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
      host = host.substr(1, host.size() - 2);
    }
    cfg.host = std::string(host);
    cfg.port = static_cast<std::uint16_t>(*p);
    return {};
  }
  if (name == "threads") {
    std::int64_t t = 0;
    auto s = integer(t, 0, 256);
    cfg.threads = static_cast<int>(t);
    return s;
  }
  if (name == "ttft") {
    return dist(cfg.ttft, dist_unit::duration_ns);
  }
  if (name == "itl") {
    return dist(cfg.itl, dist_unit::duration_ns);
  }
  if (name == "output-tokens") {
    return dist(cfg.output_tokens, dist_unit::count);
  }
  if (name == "tokens-per-event") {
    return integer(cfg.tokens_per_event, 1, 10'000);
  }
  if (name == "seed") {
    std::int64_t s = 0;
    auto st = integer(s, 0, INT64_MAX);
    cfg.seed = static_cast<std::uint64_t>(s);
    return st;
  }
  if (name == "embedding-dim") {
    return integer(cfg.embedding_dim, 1, 65536);
  }
  if (name == "model") {
    if (value.empty()) {
      return bad(name, value, "empty model name");
    }
    if (cfg.models.size() == 1 && cfg.models[0] == "gatebench-mock") {
      cfg.models.clear();
    }
    cfg.models.emplace_back(value);
    return {};
  }
  if (name == "fault") {
    const auto eq = value.find('=');
    if (eq == std::string_view::npos) {
      return bad(name, value, "expected KIND=RATE, e.g. rate_limit=1%");
    }
    const auto kind = parse_fault_kind(value.substr(0, eq));
    if (!kind || *kind == fault_kind::none) {
      return bad(name, value, "unknown fault kind (see docs/mock.md)");
    }
    auto r = parse_ratio(value.substr(eq + 1));
    if (!r || *r < 0 || *r > 1) {
      return bad(name, value, "rate must be a fraction or percentage between 0 and 1");
    }
    cfg.faults.rate[static_cast<std::size_t>(*kind)] = *r;
    return {};
  }
  if (name == "fault-after") {
    return integer(cfg.fault_after, -1, 1'000'000'000);
  }
  if (name == "stall") {
    return duration(cfg.stall_ns);
  }
  if (name == "stall-then") {
    if (value != "continue" && value != "close") {
      return bad(name, value, "expected continue or close");
    }
    cfg.stall_close = value == "close";
    return {};
  }
  if (name == "header-delay") {
    return duration(cfg.header_delay_ns);
  }
  if (name == "retry-after") {
    std::int64_t ns = 0;
    auto s = duration(ns);
    cfg.retry_after_ms = ns / 1'000'000;
    return s;
  }
  if (name == "rpm" || name == "tpm") {
    auto x = parse_si_number(value);
    if (!x) {
      return bad(name, value, x.message());
    }
    (name == "rpm" ? cfg.rpm : cfg.tpm) = *x;
    return {};
  }
  if (name == "request-log") {
    cfg.request_log = std::string(value);
    return {};
  }
  if (name == "max-body") {
    return bytes(cfg.max_body);
  }
  if (name == "max-header") {
    return bytes(cfg.max_header);
  }
  if (name == "header-timeout") {
    return duration(cfg.header_timeout_ns);
  }
  if (name == "body-timeout") {
    return duration(cfg.body_timeout_ns);
  }
  if (name == "idle-timeout") {
    return duration(cfg.idle_timeout_ns);
  }
  if (name == "write-timeout") {
    return duration(cfg.write_timeout_ns);
  }
  if (name == "shutdown-grace") {
    return duration(cfg.shutdown_grace_ns);
  }
  if (name == "max-connections") {
    return integer(cfg.max_connections, 1, 10'000'000);
  }
  if (name == "tls-cert") {
    cfg.tls_cert = std::string(value);
    return {};
  }
  if (name == "tls-key") {
    cfg.tls_key = std::string(value);
    return {};
  }
  return fail("unknown setting '", std::string(name), "'");
}

status load_config_file(mock_config& cfg, const std::string& path) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::Exception& e) {
    return fail(path, ": ", e.what());
  }
  if (!root.IsMap()) {
    return fail(path, ": expected a map of settings (see docs/mock.md)");
  }
  try {
    for (const auto& kv : root) {
      std::string key = kv.first.as<std::string>();
      for (auto& ch : key) {
        if (ch == '_') {
          ch = '-';
        }
      }
      const YAML::Node& v = kv.second;
      if (key == "faults" && v.IsMap()) {
        for (const auto& f : v) {
          auto s = apply_setting(cfg, "fault",
                                 f.first.as<std::string>() + "=" + f.second.as<std::string>());
          if (!s) {
            return fail(path, ": faults: ", s.message());
          }
        }
        continue;
      }
      if ((key == "models" || key == "model") && v.IsSequence()) {
        for (const auto& m : v) {
          auto s = apply_setting(cfg, "model", m.as<std::string>());
          if (!s) {
            return fail(path, ": ", key, ": ", s.message());
          }
        }
        continue;
      }
      if (!v.IsScalar()) {
        return fail(path, ": ", key, ": expected a single value");
      }
      auto s = apply_setting(cfg, key, v.as<std::string>());
      if (!s) {
        return fail(path, ": ", s.message());
      }
    }
  } catch (const YAML::Exception& e) {
    return fail(path, ": ", e.what());
  }
  return {};
}

status validate(const mock_config& cfg) {
  if (cfg.faults.total() > 1.0 + 1e-9) {
    return fail("fault rates add up to more than 100%");
  }
  if (cfg.tls_cert.empty() != cfg.tls_key.empty()) {
    return fail("--tls-cert and --tls-key must be given together");
  }
  if (cfg.max_header < 1024) {
    return fail("--max-header must be at least 1KiB");
  }
  return {};
}

}  // namespace gb::mock
