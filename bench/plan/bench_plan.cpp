// Cost per arrival of the open-loop schedules and per request of the request factory (the
// per-request work a worker does before writing to the socket).
#include <benchmark/benchmark.h>

#include "plan/pacer.hpp"
#include "plan/workload.hpp"

namespace {

using namespace gb;

scenario::load open_load(scenario::load::arrival a) {
  scenario::load ld;
  ld.mode = scenario::load::model::open;
  ld.rate = 1e6;
  ld.duration_ns = 3600 * scenario::s_ns;
  ld.process = a;
  ld.burstiness = 0.5;
  return ld;
}

void schedule_next(benchmark::State& state) {
  auto sched = plan::make_arrival_schedule(
      open_load(static_cast<scenario::load::arrival>(state.range(0))), 1, 0, 1);
  for (auto _ : state) {
    benchmark::DoNotOptimize(sched->next());
  }
}
BENCHMARK(schedule_next)->Arg(0)->Arg(1)->Arg(2)->ArgNames({"constant0_poisson1_gamma2"});

void factory_next(benchmark::State& state) {
  scenario::scenario sc;
  sc.workload.prompts.input_tokens = {scenario::distribution::kind::fixed,
                                      static_cast<double>(state.range(0))};
  sc.workload.turns = state.range(1);
  auto data = plan::load_prompts(sc);
  plan::request_factory f(sc, *data, 0, 1);
  plan::prepared_request r;
  std::size_t slot = 0;
  for (auto _ : state) {
    f.next(slot, r);
    f.on_response(slot, "a short answer of some eight words here", true);
    slot = (slot + 1) % 64;
    benchmark::DoNotOptimize(r.body.data());
  }
}
BENCHMARK(factory_next)
    ->Args({64, 1})
    ->Args({1024, 1})
    ->Args({64, 4})
    ->ArgNames({"tokens", "turns"});

}  // namespace

BENCHMARK_MAIN();
