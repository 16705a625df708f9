// The cost of a fault point that is compiled in but not enabled (libfiu initialised, nothing
// enabled), against one compiled out (FIU_ENABLE undefined: no code at all). Points sit on the
// per-write path (engine/wal/append, engine/wal/sync), so this is what every write pays for them.
#define FIU_ENABLE 1
#include <benchmark/benchmark.h>
#include <fiu-control.h>
#include <fiu.h>

namespace {

void BM_FaultPointIdle_CompiledIn(benchmark::State& state) {
  static const int initialised = fiu_init(0);
  benchmark::DoNotOptimize(initialised);
  for (auto _ : state) benchmark::DoNotOptimize(fiu_fail("engine/wal/append"));
}
BENCHMARK(BM_FaultPointIdle_CompiledIn)->Threads(1)->Threads(2)->UseRealTime();

// What CheckFaultPoint compiles to without FIU_ENABLE: the constant "no failure".
void BM_FaultPointIdle_CompiledOut(benchmark::State& state) {
  for (auto _ : state) {
    int failnum = 0;
    benchmark::DoNotOptimize(failnum);
  }
}
BENCHMARK(BM_FaultPointIdle_CompiledOut)->Threads(1)->Threads(2)->UseRealTime();

}  // namespace
