// MEMB timing benchmark (Google Benchmark): omniheap's memb_alloc/memb_free
// pair, the upstream-style linear-scan reference and glibc malloc/free of the
// same size, with 1 and 10,000 blocks live. Times are figures for ratios
// measured in one run, not pass/fail criteria.
#include <benchmark/benchmark.h>

#include <cstdlib>

extern "C" {
#include "lib/memb.h"
#include "reference_memb.h"
}

namespace {

// The reference is called out of line, like the library's functions.
__attribute__((noinline)) void *ref_alloc(memb *m) { return reference_memb_alloc(m); }
__attribute__((noinline)) int ref_free(memb *m, void *p) { return reference_memb_free(m, p); }

struct record {
  unsigned char bytes[32];
};

constexpr int kBlocks = 10008;
bool used_flags[kBlocks];
record blocks[kBlocks];

memb make_pool() {
  memb m{};
  m.size = sizeof(record);
  m.num = kBlocks;
  m.used = used_flags;
  m.mem = blocks;
  return m;
}

void BM_memb_pair(benchmark::State &state) {
  memb m = make_pool();
  memb_init(&m);
  for (int64_t i = 0; i < state.range(0); ++i) benchmark::DoNotOptimize(memb_alloc(&m));
  for (auto _ : state) {
    void *p = memb_alloc(&m);
    benchmark::DoNotOptimize(p);
    memb_free(&m, p);
  }
}

void BM_reference_pair(benchmark::State &state) {
  memb m = make_pool();
  memb_init(&m);
  for (int64_t i = 0; i < state.range(0); ++i) benchmark::DoNotOptimize(ref_alloc(&m));
  for (auto _ : state) {
    void *p = ref_alloc(&m);
    benchmark::DoNotOptimize(p);
    ref_free(&m, p);
  }
}

void BM_malloc_pair(benchmark::State &state) {
  static void *live[kBlocks];
  for (int64_t i = 0; i < state.range(0); ++i) live[i] = std::malloc(sizeof(record));
  for (auto _ : state) {
    void *p = std::malloc(sizeof(record));
    benchmark::DoNotOptimize(p);
    std::free(p);
  }
  for (int64_t i = 0; i < state.range(0); ++i) std::free(live[i]);
}

} // namespace

BENCHMARK(BM_memb_pair)->Arg(1)->Arg(10000);
BENCHMARK(BM_reference_pair)->Arg(1)->Arg(10000);
BENCHMARK(BM_malloc_pair)->Arg(1)->Arg(10000);
BENCHMARK_MAIN();
