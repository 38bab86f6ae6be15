#pragma once
// gatebench-mock's counters: one block per worker thread (a single writer each, relaxed atomics
// so the /metrics scrape on any thread reads them safely), summed into Prometheus text.

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "faults.hpp"

namespace gb::mock {

enum class route : std::uint8_t {
  chat,
  completions,
  embeddings,
  messages,
  models,
  healthz,
  metrics,
  other,
};
inline constexpr std::size_t route_count = 8;
/// The path label of a route ("/v1/chat/completions", ..., "other").
std::string_view route_label(route r) noexcept;

enum class timeout_kind : std::uint8_t { header, body, idle, write };
inline constexpr std::size_t timeout_kind_count = 4;

/// Status codes with their own series; others count under "other", and "none" is a request that
/// ended without a status line (a reset, a stall that closed).
inline constexpr std::array<int, 16> tracked_statuses = {0,   200, 400, 401, 404, 405, 408, 413,
                                                         429, 431, 500, 502, 503, 529, 100, -1};

/// One worker's counters. Only the owning worker thread writes.
struct worker_counters {
  using counter = std::atomic<std::uint64_t>;
  std::array<std::array<counter, tracked_statuses.size()>, route_count> requests{};
  std::array<counter, fault_kind_count> faults{};
  std::array<counter, 2> rate_limited{};  // [0] requests, [1] tokens
  std::array<counter, timeout_kind_count> timeouts{};
  counter events_sent{0};
  counter tokens_sent{0};
  counter connections_total{0};
  counter connections_rejected{0};
  std::atomic<std::int64_t> active_streams{0};
  std::atomic<std::int64_t> active_connections{0};

  static void bump(counter& c, std::uint64_t by = 1) noexcept {
    c.store(c.load(std::memory_order_relaxed) + by, std::memory_order_relaxed);
  }
  static void add(std::atomic<std::int64_t>& g, std::int64_t by) noexcept {
    g.store(g.load(std::memory_order_relaxed) + by, std::memory_order_relaxed);
  }
  void count_request(route r, int status) noexcept;
};

/// All workers' counters; created before the workers start, fixed size afterwards.
class mock_metrics {
 public:
  explicit mock_metrics(std::size_t workers);
  worker_counters& worker(std::size_t i) noexcept { return *workers_[i]; }
  /// Prometheus text exposition (version 0.0.4) of the sums over all workers.
  std::string render() const;
  /// Sum of injected faults of one kind over all workers.
  std::uint64_t faults(fault_kind k) const noexcept;

 private:
  std::vector<std::unique_ptr<worker_counters>> workers_;
};

}  // namespace gb::mock
