// Time per operation of the mixed workload (Google Benchmark): the engine,
// sys_heap, heapmem and glibc malloc, and the noop baseline whose time is
// subtracted. The same operation sequence as heap_mixed (1 MiB region, at most
// 2048 live blocks, sizes log-uniform 8..512). Times are figures for ratios
// measured in one run, not pass/fail criteria. heapmem needs a library built
// with a 1 MiB arena (test/bench/run.sh builds one); elsewhere it is skipped.
#include <benchmark/benchmark.h>

#include "heap_subjects.hpp"

namespace {

constexpr size_t region = 1U << 20;
constexpr unsigned max_live = 2048;

template <class S> void BM_mixed(benchmark::State &state) {
  static const bench::LogSizes sizes(8, 512);
  static void *live[max_live];
  if (!S::setup(region)) {
    state.SkipWithError("no heap of this size in this build");
    return;
  }
  bench::Rng rng(1);
  unsigned n = 0;
  for (auto _ : state) {
    const uint64_t r = rng.next();
    if (n == 0 || (n < max_live && (r >> 63) == 0)) {
      void *p = S::alloc(sizes.value[(r >> 40) & 4095U]);
      benchmark::DoNotOptimize(p);
      if (p != nullptr) live[n++] = p;
    } else {
      const unsigned i = static_cast<unsigned>(((r & 0xFFFFFFFFU) * n) >> 32);
      void *p = live[i];
      live[i] = live[--n];
      S::free(p);
    }
  }
  while (n != 0) S::free(live[--n]);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}

} // namespace

BENCHMARK_TEMPLATE(BM_mixed, bench::Noop)->Name("mixed/noop");
BENCHMARK_TEMPLATE(BM_mixed, bench::Engine<bench::BigEngine>)->Name("mixed/engine");
BENCHMARK_TEMPLATE(BM_mixed, bench::SysHeap)->Name("mixed/sys_heap");
BENCHMARK_TEMPLATE(BM_mixed, bench::HeapMem)->Name("mixed/heapmem");
BENCHMARK_TEMPLATE(BM_mixed, bench::Glibc)->Name("mixed/glibc");
BENCHMARK_MAIN();
