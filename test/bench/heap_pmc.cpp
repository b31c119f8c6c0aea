// Per-call instruction counts of the heaps with perf_event_open + rdpmc
// (hardware "instructions retired", user mode), where the machine allows it:
// the mixed workload of heap_mixed (1 MiB region; OPS operations, default
// 10^6), every call counted, the cost of two back-to-back counter reads
// subtracted. Prints, per subject and operation,
//   rdpmc,SUBJECT,alloc|free,CALLS,MEDIAN,P99,MAX
// or one line "rdpmc,unavailable,REASON" (then test/bench/run.sh relies on
// callgrind alone, whose per-call figures are exact and need no hardware).
//
//   heap_pmc [OPS]
#include <errno.h>

#include <algorithm>
#include <vector>

#include "heap_subjects.hpp"
#include "pmc.h"

namespace {

constexpr size_t region = 1U << 20;
constexpr unsigned max_live = 2048;

void report(const char *subject, const char *op, std::vector<uint64_t> &v) {
  if (v.empty()) return;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  size_t i99 = (n * 99 + 99) / 100;
  if (i99 > 0) --i99;
  printf("rdpmc,%s,%s,%zu,%llu,%llu,%llu\n", subject, op, n, static_cast<unsigned long long>(v[(n - 1) / 2]),
         static_cast<unsigned long long>(v[i99]), static_cast<unsigned long long>(v.back()));
}

template <class S> void run(const pmc &counter, uint64_t overhead, unsigned long ops) {
  static const bench::LogSizes sizes(8, 512);
  static void *live[max_live];
  if (!S::setup(region)) return;
  void *volatile warm = S::alloc(16);
  S::free(warm);
  std::vector<uint64_t> a, f;
  a.reserve(ops);
  f.reserve(ops);
  bench::Rng rng(1);
  unsigned n = 0;
  for (unsigned long op = 0; op < ops; ++op) {
    const uint64_t r = rng.next();
    if (n == 0 || (n < max_live && (r >> 63) == 0)) {
      const size_t size = sizes.value[(r >> 40) & 4095U];
      const uint64_t t0 = pmc_read(&counter);
      void *p = S::alloc(size);
      const uint64_t t1 = pmc_read(&counter);
      a.push_back(t1 - t0 > overhead ? t1 - t0 - overhead : 0);
      if (p != nullptr) live[n++] = p;
    } else {
      const unsigned i = static_cast<unsigned>(((r & 0xFFFFFFFFU) * n) >> 32);
      void *p = live[i];
      live[i] = live[--n];
      const uint64_t t0 = pmc_read(&counter);
      S::free(p);
      const uint64_t t1 = pmc_read(&counter);
      f.push_back(t1 - t0 > overhead ? t1 - t0 - overhead : 0);
    }
  }
  while (n != 0) S::free(live[--n]);
  report(S::name(), "alloc", a);
  report(S::name(), "free", f);
}

} // namespace

int main(int argc, char **argv) {
  const unsigned long ops = argc > 1 ? strtoul(argv[1], nullptr, 10) : 1000000;
  pmc counter;
  if (!pmc_open(&counter)) {
    printf("rdpmc,unavailable,%s\n", errno != 0 ? strerror(errno) : "no user-space counter access");
    return 0;
  }
  uint64_t overhead = ~uint64_t(0);
  for (int i = 0; i < 100; ++i) {
    const uint64_t t0 = pmc_read(&counter), t1 = pmc_read(&counter);
    overhead = std::min(overhead, t1 - t0);
  }
  run<bench::Engine<bench::BigEngine>>(counter, overhead, ops);
  run<bench::SysHeap>(counter, overhead, ops);
  run<bench::HeapMem>(counter, overhead, ops);
  run<bench::Glibc>(counter, overhead, ops);
  return 0;
}
