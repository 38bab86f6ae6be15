#include "mock_metrics.hpp"

#include "wire.hpp"

namespace gb::mock {

namespace {
constexpr std::array<std::string_view, route_count> route_labels = {
    "/v1/chat/completions", "/v1/completions", "/v1/embeddings", "/v1/messages",
    "/v1/models",           "/healthz",        "/metrics",       "other"};
constexpr std::array<std::string_view, timeout_kind_count> timeout_labels = {"header", "body",
                                                                             "idle", "write"};

std::size_t status_slot(int status) noexcept {
  for (std::size_t i = 0; i + 1 < tracked_statuses.size(); ++i) {
    if (tracked_statuses[i] == status) {
      return i;
    }
  }
  return tracked_statuses.size() - 1;
}

std::uint64_t load(const std::atomic<std::uint64_t>& c) noexcept {
  return c.load(std::memory_order_relaxed);
}
}  // namespace

std::string_view route_label(route r) noexcept {
  return route_labels[static_cast<std::size_t>(r)];
}

void worker_counters::count_request(route r, int status) noexcept {
  bump(requests[static_cast<std::size_t>(r)][status_slot(status)]);
}

mock_metrics::mock_metrics(std::size_t workers) {
  for (std::size_t i = 0; i < workers; ++i) {
    workers_.push_back(std::make_unique<worker_counters>());
  }
}

std::uint64_t mock_metrics::faults(fault_kind k) const noexcept {
  std::uint64_t n = 0;
  for (const auto& w : workers_) {
    n += load(w->faults[static_cast<std::size_t>(k)]);
  }
  return n;
}

std::string mock_metrics::render() const {
  std::string out;
  out.reserve(4096);
  auto sum = [&](auto field) {
    std::uint64_t n = 0;
    for (const auto& w : workers_) {
      n += load(field(*w));
    }
    return n;
  };
  auto gauge_sum = [&](auto field) {
    std::int64_t n = 0;
    for (const auto& w : workers_) {
      n += field(*w).load(std::memory_order_relaxed);
    }
    return n;
  };
  out +=
      "# HELP gatebench_mock_requests_total Requests answered, by route and status (none: "
      "ended without a status line).\n# TYPE gatebench_mock_requests_total counter\n";
  for (std::size_t r = 0; r < route_count; ++r) {
    for (std::size_t s = 0; s < tracked_statuses.size(); ++s) {
      const auto n = sum([&](const worker_counters& w) -> const auto& { return w.requests[r][s]; });
      if (n == 0) {
        continue;
      }
      out += "gatebench_mock_requests_total{route=\"";
      out += route_labels[r];
      out += "\",status=\"";
      const int st = tracked_statuses[s];
      if (st == 0) {
        out += "none";
      } else if (st < 0) {
        out += "other";
      } else {
        append_int(out, st);
      }
      out += "\"} ";
      append_int(out, static_cast<std::int64_t>(n));
      out += '\n';
    }
  }
  out +=
      "# HELP gatebench_mock_faults_injected_total Faults injected, by kind.\n"
      "# TYPE gatebench_mock_faults_injected_total counter\n";
  for (std::size_t k = 1; k < fault_kind_count; ++k) {
    out += "gatebench_mock_faults_injected_total{kind=\"";
    out += to_string(static_cast<fault_kind>(k));
    out += "\"} ";
    append_int(out, static_cast<std::int64_t>(faults(static_cast<fault_kind>(k))));
    out += '\n';
  }
  out +=
      "# HELP gatebench_mock_rate_limited_total Requests refused by the token-bucket limiter.\n"
      "# TYPE gatebench_mock_rate_limited_total counter\n";
  const char* limits[] = {"requests", "tokens"};
  for (std::size_t i = 0; i < 2; ++i) {
    out += "gatebench_mock_rate_limited_total{limit=\"";
    out += limits[i];
    out += "\"} ";
    append_int(out, static_cast<std::int64_t>(sum([&](const worker_counters& w) -> const auto& {
                 return w.rate_limited[i];
               })));
    out += '\n';
  }
  out +=
      "# HELP gatebench_mock_timeouts_total Connections closed by a timeout, by kind.\n"
      "# TYPE gatebench_mock_timeouts_total counter\n";
  for (std::size_t i = 0; i < timeout_kind_count; ++i) {
    out += "gatebench_mock_timeouts_total{kind=\"";
    out += timeout_labels[i];
    out += "\"} ";
    append_int(out, static_cast<std::int64_t>(sum([&](const worker_counters& w) -> const auto& {
                 return w.timeouts[i];
               })));
    out += '\n';
  }
  auto line = [&](std::string_view name, std::string_view type, std::string_view help,
                  std::int64_t v) {
    out += "# HELP ";
    out += name;
    out += ' ';
    out += help;
    out += "\n# TYPE ";
    out += name;
    out += ' ';
    out += type;
    out += '\n';
    out += name;
    out += ' ';
    append_int(out, v);
    out += '\n';
  };
  line("gatebench_mock_events_sent_total", "counter", "SSE events written.",
       static_cast<std::int64_t>(
           sum([](const worker_counters& w) -> const auto& { return w.events_sent; })));
  line("gatebench_mock_tokens_sent_total", "counter",
       "Output tokens written (streamed or in bodies).", static_cast<std::int64_t>(sum([
       ](const worker_counters& w) -> const auto& { return w.tokens_sent; })));
  line("gatebench_mock_connections_total", "counter", "Connections accepted.",
       static_cast<std::int64_t>(
           sum([](const worker_counters& w) -> const auto& { return w.connections_total; })));
  line("gatebench_mock_connections_rejected_total", "counter",
       "Connections closed at once because --max-connections was reached.",
       static_cast<std::int64_t>(
           sum([](const worker_counters& w) -> const auto& { return w.connections_rejected; })));
  line("gatebench_mock_active_streams", "gauge", "Streaming responses in progress.",
       gauge_sum([](const worker_counters& w) -> const auto& { return w.active_streams; }));
  line("gatebench_mock_active_connections", "gauge", "Open client connections.",
       gauge_sum([](const worker_counters& w) -> const auto& { return w.active_connections; }));
  return out;
}

}  // namespace gb::mock
