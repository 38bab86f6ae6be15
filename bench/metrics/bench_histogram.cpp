// Micro-benchmarks of the HDR histogram: create, copy, reset, record, corrected record, merge,
// percentile, codec.
// Run: build/bench/metrics/bench_metrics --benchmark_min_time=0.1

#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "metrics/hdr_codec.hpp"
#include "metrics/histogram.hpp"

namespace {

using gb::metrics::histogram;

// Latency-like values (lognormal around 1 ms, 1 ns .. minutes), precomputed so that the
// generator is not measured.
std::vector<std::int64_t> latencies(std::size_t n) {
  std::mt19937_64 rng(1);
  std::lognormal_distribution<double> d(13.8, 1.2);
  std::vector<std::int64_t> v(n);
  for (auto& x : v) {
    x = static_cast<std::int64_t>(d(rng));
  }
  return v;
}

histogram filled(std::size_t n) {
  histogram h = histogram::for_latency();
  for (const auto v : latencies(n)) {
    h.record(v);
  }
  return h;
}

// A run creates dozens of latency histograms per thread (264 KiB of counts each); their counts
// are zero on demand (count_array), so creating one must not cost a pass over the array.
void BM_create_and_record_one(benchmark::State& state) {
  for (auto _ : state) {
    histogram h = histogram::for_latency();
    h.record(1'000'000);
    benchmark::DoNotOptimize(h.total_count());
  }
}
BENCHMARK(BM_create_and_record_one);

// The once-a-second snapshot copies each interval histogram: only the used prefix is written.
void BM_copy(benchmark::State& state) {
  const histogram h = filled(100'000);
  for (auto _ : state) {
    histogram c(h);
    benchmark::DoNotOptimize(c.total_count());
  }
}
BENCHMARK(BM_copy);

void BM_record_100k_and_reset(benchmark::State& state) {
  histogram h = histogram::for_latency();
  const auto values = latencies(100'000);
  for (auto _ : state) {
    for (const auto v : values) {
      h.record(v);
    }
    h.reset();
  }
  state.SetItemsProcessed(state.iterations() * 100'000);
}
BENCHMARK(BM_record_100k_and_reset);

void BM_record(benchmark::State& state) {
  histogram h = histogram::for_latency();
  const auto values = latencies(4096);
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(h.record(values[i++ & 4095]));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_record);

void BM_record_corrected(benchmark::State& state) {
  // expected interval 1 ms: most values need no backfill, the slow tail backfills a few buckets.
  histogram h = histogram::for_latency();
  const auto values = latencies(4096);
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(h.record_corrected(values[i++ & 4095], 1'000'000));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_record_corrected);

void BM_record_corrected_hour_stall(benchmark::State& state) {
  // a 1 h stall at a 1 ms interval: 3.6 million backfilled values, bucket by bucket
  histogram h = histogram::for_latency();
  for (auto _ : state) {
    benchmark::DoNotOptimize(h.record_corrected(3'600'000'000'000, 1'000'000));
  }
}
BENCHMARK(BM_record_corrected_hour_stall);

void BM_add_same_layout(benchmark::State& state) {
  const histogram other = filled(100000);
  histogram h = histogram::for_latency();
  for (auto _ : state) {
    benchmark::DoNotOptimize(h.add(other));
  }
}
BENCHMARK(BM_add_same_layout);

void BM_add_other_layout(benchmark::State& state) {
  histogram other = histogram::create(1, 3'600'000'000'000, 2).value();
  for (const auto v : latencies(100000)) {
    other.record(v);
  }
  histogram h = histogram::for_latency();
  for (auto _ : state) {
    benchmark::DoNotOptimize(h.add(other));
  }
}
BENCHMARK(BM_add_other_layout);

void BM_value_at_percentile(benchmark::State& state) {
  const histogram h = filled(100000);
  for (auto _ : state) {
    benchmark::DoNotOptimize(h.value_at_percentile(99.9));
  }
}
BENCHMARK(BM_value_at_percentile);

void BM_encode_base64(benchmark::State& state) {
  const histogram h = filled(100000);
  std::size_t bytes = 0;
  for (auto _ : state) {
    const std::string s = gb::metrics::encode_base64(h);
    bytes = s.size();
    benchmark::DoNotOptimize(s.data());
  }
  state.counters["chars"] = static_cast<double>(bytes);
}
BENCHMARK(BM_encode_base64);

void BM_decode_base64(benchmark::State& state) {
  const std::string s = gb::metrics::encode_base64(filled(100000));
  for (auto _ : state) {
    auto h = gb::metrics::decode_base64(s);
    benchmark::DoNotOptimize(h.ok());
  }
}
BENCHMARK(BM_decode_base64);

}  // namespace

BENCHMARK_MAIN();
