// Worst-case driver (issue 3, "worst case" and Deliver 5's adversarial
// workloads), run under callgrind by test/bench/run.sh; it measures nothing
// itself. Every allocation and every free of the measured phases (marked *
// below) goes through a measured call site (heap_subjects.hpp), so cg_percall
// reports the largest count of any single call, per phase; the set-up phases
// of the adversarial workloads call the allocator directly.
//
//   heap_worst SUBJECT REGION_BYTES [MIX_OPS [SEED]]
//
// Three workloads, one after the other on the same region (everything is
// freed in between, unmeasured):
//
// frag — the fragmenting workload:
// * frag:fill   allocate blocks of 16..64 bytes (uniform) until the requested
//               bytes reach 40% of the region
// * frag:halve  free every other block (the 2nd, 4th, ... in allocation order)
// * frag:ramp   allocate from the mix below (small and large, 48:2) until a
//               small allocation fails: the heap is full, holding F requested
//               bytes
// * frag:mix    MIX_OPS (default 50,000) operations: 48% small allocations
//               (16..64 B), 2% large ones (256..8192 B, uniform), 50% frees of a
//               block chosen uniformly among the live ones; "running near
//               full": while the live requested bytes are under 50% of F, a
//               free is drawn as an allocation instead
// fragments — many small free fragments, then large requests:
//   fragments:fill   16-byte blocks until an allocation fails
//   fragments:holes  free every other block of the first 90% (in allocation
//                    order) and every block of the last 10% (which merge into
//                    one free area at the top)
// * fragments:large  400 requests of 256..8192 bytes (log-uniform), kept live;
//                    once the top area is used up they fail
// merge — frees that merge both neighbours:
//   merge:fill   blocks of 8..512 bytes (log-uniform) until an allocation fails
//   merge:evens  free the 1st, 3rd, 5th, ... block (both neighbours in use)
// * merge:odds   free the others in random order: every one of these frees
//                has a free block on both sides
//
// Failed allocations are measured too (a failing search is an allocation).
// For engine and sys_heap the heap is validated after every workload.
#include <vector>

#include "heap_subjects.hpp"

namespace {

struct Block {
  void *p;
  uint32_t size;
};

template <class S> struct Run {
  size_t region;
  bench::Meter meter;
  bench::Rng rng;
  std::vector<Block> live;
  size_t live_bytes = 0;
  unsigned long allocs = 0, frees = 0, failures = 0;
  double full_fraction = 0, mix_fraction = 0; // requested bytes / region: at F, mean over the mix

  Run(size_t r, uint64_t seed) : region(r), rng(seed) {}

  bool measured = true; // through the measured sites, or direct (set-up phases)

  void phase(const char *label, bool measure) {
    meter.phase(label);
    measured = measure;
  }
  bool alloc(uint32_t n) {
    void *p = measured ? meter.alloc<S>(n) : S::alloc(n);
    ++allocs;
    if (p != nullptr && !S::admit(p)) p = nullptr;
    if (p == nullptr) {
      ++failures;
      return false;
    }
    live.push_back({p, n});
    live_bytes += n;
    return true;
  }
  void release(size_t i) { // live[i]; the order of live is kept
    S::forget(live[i].p);
    if (measured) {
      meter.free<S>(live[i].p);
    } else {
      S::free(live[i].p);
    }
    ++frees;
    live_bytes -= live[i].size;
    live[i].p = nullptr;
  }
  void compact() {
    size_t j = 0;
    for (const Block &b : live) {
      if (b.p != nullptr) live[j++] = b;
    }
    live.resize(j);
  }
  void release_random() { // uniformly chosen, order not kept
    const size_t i = rng.below(static_cast<uint32_t>(live.size()));
    release(i);
    live[i] = live.back();
    live.pop_back();
  }
  bool check(const char *workload) {
    bool ok = true;
    if constexpr (requires_valid<S>(0)) ok = S::valid();
    if (!ok) fprintf(stderr, "heap_worst: %s: validate failed after %s\n", S::name(), workload);
    return ok;
  }
  template <class T> static constexpr auto requires_valid(int) -> decltype(T::valid(), bool()) { return true; }
  template <class T> static constexpr bool requires_valid(long) { return false; }

  void drain() {
    phase("drain:all", false);
    for (size_t i = 0; i < live.size(); ++i) release(i);
    live.clear();
  }

  uint32_t small() { return rng.between(16, 64); }
  uint32_t large() { return rng.between(256, 8192); }
  uint32_t mixed_size() { return rng.below(50) < 2 ? large() : small(); }

  void frag(unsigned long mix_ops) {
    phase("frag:fill", true);
    while (live_bytes < region * 2 / 5) {
      if (!alloc(small())) break;
    }
    phase("frag:halve", true);
    for (size_t i = 1; i < live.size(); i += 2) release(i);
    compact();
    phase("frag:ramp", true);
    for (;;) {
      const uint32_t n = mixed_size();
      if (!alloc(n) && n <= 64) break;
    }
    const size_t floor_bytes = live_bytes / 2;
    full_fraction = static_cast<double>(live_bytes) / static_cast<double>(region);
    double sum = 0;
    phase("frag:mix", true);
    for (unsigned long k = 0; k < mix_ops; ++k) {
      const uint32_t r = rng.below(100);
      if (r < 50 && !live.empty() && live_bytes >= floor_bytes) {
        release_random();
      } else {
        alloc(r % 50 < 2 ? large() : small()); // 2 of every 50 allocations are large
      }
      sum += static_cast<double>(live_bytes);
    }
    mix_fraction = sum / static_cast<double>(mix_ops ? mix_ops : 1) / static_cast<double>(region);
  }

  void fragments() {
    static const bench::LogSizes big(256, 8192);
    phase("fragments:fill", false);
    while (alloc(16)) {
    }
    phase("fragments:holes", false);
    const size_t n = live.size(), keep = n * 9 / 10;
    for (size_t i = 0; i < n; ++i) {
      if (i >= keep || i % 2 == 1) release(i);
    }
    compact();
    phase("fragments:large", true);
    for (int k = 0; k < 400; ++k) alloc(big.value[rng.below(4096)]);
  }

  void merge() {
    static const bench::LogSizes sizes(8, 512);
    phase("merge:fill", false);
    while (alloc(sizes.value[rng.below(4096)])) {
    }
    phase("merge:evens", false);
    for (size_t i = 0; i < live.size(); i += 2) release(i);
    compact();
    phase("merge:odds", true);
    while (!live.empty()) release_random();
  }
};

template <class S> int run(size_t region, unsigned long mix_ops, uint64_t seed) {
  Run<S> r(region, seed);
  bool ok = true;
  const char *names[] = {"frag", "fragments", "merge"};
  for (int w = 0; w < 3; ++w) {
    if (!S::setup(region)) return 1;
    if (w == 0) { // warm-up outside the measured sites (glibc: lazy binding, arena set-up)
      void *volatile warm = S::alloc(16);
      S::free(warm);
    }
    if (w == 0) r.frag(mix_ops);
    if (w == 1) r.fragments();
    if (w == 2) r.merge();
    ok = r.check(names[w]) && ok;
    r.drain();
    ok = r.check("drain") && ok;
    r.meter.phase("end");
  }
  printf("subject=%s region=%zu allocs=%lu frees=%lu failures=%lu full_fraction=%.3f mix_fraction=%.3f valid=%d\n",
         S::name(), region, r.allocs, r.frees, r.failures, r.full_fraction, r.mix_fraction, ok ? 1 : 0);
  return ok ? 0 : 4;
}

// noop never fails: the fill phases need failures.
template <> int run<bench::Noop>(size_t, unsigned long, uint64_t) { return 2; }

} // namespace

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s engine|sys_heap|heapmem|glibc|noop REGION_BYTES [MIX_OPS [SEED]]\n", argv[0]);
    return 2;
  }
  const size_t region = strtoul(argv[2], nullptr, 10);
  const unsigned long mix_ops = argc > 3 ? strtoul(argv[3], nullptr, 10) : 50000;
  const uint64_t seed = argc > 4 ? strtoull(argv[4], nullptr, 10) : 1;
  return bench::with_subject(argv[1], region, [&](auto *s) {
    using S = std::remove_pointer_t<decltype(s)>;
    return run<S>(region, mix_ops, seed);
  });
}
