// Mixed-workload driver (issue 3, "mixed"), run under callgrind by
// test/bench/run.sh; it measures nothing itself.
//
//   heap_mixed SUBJECT OPS [SAMPLE_EVERY [SEED]]
//
// OPS operations on a 1 MiB region, each an allocation or a free with
// probability 1/2 — always an allocation when nothing is live, always a free
// at 2048 live blocks — sizes log-uniform in 8..512 bytes (LogSizes), the
// freed block chosen uniformly among the live ones. Every SAMPLE_EVERY-th
// operation (default 32; 0: none) goes through a measured call site, so one
// callgrind run gives both the total (for (total - noop) / OPS) and a sample
// of per-call counts. The decisions never depend on the subject, so every
// subject, and the noop baseline, run the same sequence.
#include "heap_subjects.hpp"

namespace {

constexpr size_t region = 1U << 20;
constexpr unsigned max_live = 2048;

template <class S> int run(unsigned long ops, unsigned long every, uint64_t seed) {
  static const bench::LogSizes sizes(8, 512);
  static void *live[max_live];
  if (!S::setup(region)) return 1;
  void *volatile warm = S::alloc(16); // warm-up (glibc: lazy binding, arena set-up)
  S::free(warm);
  bench::Rng rng(seed);
  bench::Meter meter;
  meter.phase("mixed:sample");
  unsigned n = 0, peak = 0;
  unsigned long failures = 0, allocs = 0, frees = 0, next_sample = every ? 0 : ~0UL;
  for (unsigned long op = 0; op < ops; ++op) {
    const uint64_t r = rng.next();
    const bool measured = op == next_sample;
    if (measured) next_sample += every;
    if (n == 0 || (n < max_live && (r >> 63) == 0)) {
      const size_t size = sizes.value[(r >> 40) & 4095U];
      void *p = measured ? meter.alloc<S>(size) : S::alloc(size);
      ++allocs;
      if (p == nullptr) {
        ++failures;
        continue;
      }
      live[n++] = p;
      if (n > peak) peak = n;
    } else {
      const unsigned i = static_cast<unsigned>(((r & 0xFFFFFFFFU) * n) >> 32);
      void *p = live[i];
      live[i] = live[--n];
      if (measured) {
        meter.free<S>(p);
      } else {
        S::free(p);
      }
      ++frees;
    }
  }
  meter.phase("mixed:end");
  printf("subject=%s ops=%lu allocs=%lu frees=%lu failures=%lu peak_live=%u live=%u mean_size=%.2f\n",
         S::name(), ops, allocs, frees, failures, peak, n, sizes.mean());
  return failures == 0 ? 0 : 3;
}

} // namespace

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s engine|sys_heap|heapmem|glibc|noop OPS [SAMPLE_EVERY [SEED]]\n", argv[0]);
    return 2;
  }
  const unsigned long ops = strtoul(argv[2], nullptr, 10);
  const unsigned long every = argc > 3 ? strtoul(argv[3], nullptr, 10) : 32;
  const uint64_t seed = argc > 4 ? strtoull(argv[4], nullptr, 10) : 1;
  return bench::with_subject(argv[1], region, [&](auto *s) {
    using S = std::remove_pointer_t<decltype(s)>;
    return run<S>(ops, every, seed);
  });
}
