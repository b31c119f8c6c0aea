// Monte Carlo utilisation at the first failed allocation (issue 3,
// "Monte Carlo"), Knuth-style; run natively by test/bench/run.sh on the
// 64-bit and the 32-bit (-m32) builds.
//
//   heap_montecarlo SUBJECT knuth|churn REGION_BYTES FIRST_SEED LAST_SEED
//
// Step t = 1, 2, ...: first every block whose lifetime has ended is freed
// (a block allocated at step i with lifetime L is freed at the first step
// t >= i + L), then one block is allocated. Its size is drawn uniformly from
// 1..8191, 1..1023, 1..511, 1..255, 1..127 with probability 0.1 each and from
// 1..63 with probability 0.5 (mean E[S] = 0.1 (4096 + 512 + 256 + 128 + 64) +
// 0.5 * 32 = 521.6 bytes); its lifetime L = 2 (H/2)^u, u uniform in [0, 1):
// log-uniform in [2, H]. The run stops at the first allocation that fails;
// utilisation = live requested bytes (without the failed request) / region.
//
// H: the blocks live just after step t's allocation are those with
// i + L_i > t, so their expected number is sum_{k>=0} P(L > k) = E[ceil L]
// = 2 + sum_{k=2}^{ceil(H)-1} ln(H/k) / ln(H/2)
// = 2 + ((m - 1) ln H - lgamma(m + 1)) / ln(H/2), m = ceil(H) - 1,
// and the expected live demand in the steady state is E[S] * E[ceil L]
// (Little's law; size and lifetime independent). H is solved by bisection
// for E[S] * E[ceil L] = 1.5 * region (knuth: H = 2717.7 for 128 KiB), or, in
// the long-churn variant, for a target that rises linearly from 0.25 to 1.5
// times the region over steps 1..40,000 (and stays at 1.5 after).
//
// Output: one CSV line per seed:
//   subject,mode,bits,seed,steps,live_blocks,live_bytes,utilisation,H_at_failure,failed_request
#include <queue>
#include <vector>

#include "heap_subjects.hpp"

namespace {

constexpr double mean_size = 521.6;

double expected_ceil_lifetime(double h) {
  const double m = ceil(h) - 1.0;
  if (m < 2.0) return 2.0;
  return 2.0 + ((m - 1.0) * log(h) - lgamma(m + 1.0)) / log(h / 2.0);
}

// H with mean_size * E[ceil L] = demand.
double solve_h(double demand) {
  double lo = 2.0, hi = 1e9;
  for (int i = 0; i < 200 && hi - lo > 1e-9 * hi; ++i) {
    const double mid = 0.5 * (lo + hi);
    if (mean_size * expected_ceil_lifetime(mid) < demand) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  return 0.5 * (lo + hi);
}

struct Live {
  double death;
  uint64_t order;
  void *p;
  uint32_t size;
  bool operator>(const Live &o) const { return death != o.death ? death > o.death : order > o.order; }
};

uint32_t draw_size(bench::Rng &rng) {
  static const uint32_t top[10] = {8191, 1023, 511, 255, 127, 63, 63, 63, 63, 63};
  return rng.between(1, top[rng.below(10)]);
}

template <class S> int run(bool churn, size_t region, unsigned first, unsigned last) {
  const double fixed_h = solve_h(1.5 * static_cast<double>(region));
  for (unsigned seed = first; seed <= last; ++seed) {
    if (!S::setup(region)) return 1;
    bench::Rng rng(seed);
    std::priority_queue<Live, std::vector<Live>, std::greater<Live>> live;
    size_t live_bytes = 0;
    uint64_t step = 0;
    double h = fixed_h;
    uint32_t size;
    for (;;) {
      ++step;
      const double t = static_cast<double>(step);
      while (!live.empty() && live.top().death <= t) {
        const Live b = live.top();
        live.pop();
        S::forget(b.p);
        S::free(b.p);
        live_bytes -= b.size;
      }
      if (churn) {
        const double f = step >= 40000 ? 1.0 : static_cast<double>(step) / 40000.0;
        h = solve_h((0.25 + 1.25 * f) * static_cast<double>(region));
      }
      size = draw_size(rng);
      const double lifetime = 2.0 * pow(h / 2.0, rng.unit());
      void *p = S::alloc(size);
      if (p != nullptr && !S::admit(p)) p = nullptr;
      if (p == nullptr) break;
      live.push({t + lifetime, step, p, size});
      live_bytes += size;
    }
    printf("%s,%s,%u,%u,%llu,%zu,%zu,%.5f,%.1f,%u\n", S::name(), churn ? "churn" : "knuth",
           static_cast<unsigned>(sizeof(void *) * 8), seed, static_cast<unsigned long long>(step), live.size(),
           live_bytes, static_cast<double>(live_bytes) / static_cast<double>(region), h, size);
    while (!live.empty()) {
      S::forget(live.top().p);
      S::free(live.top().p);
      live.pop();
    }
  }
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  if (argc != 6) {
    fprintf(stderr, "usage: %s engine|sys_heap|heapmem|glibc knuth|churn REGION_BYTES FIRST_SEED LAST_SEED\n",
            argv[0]);
    return 2;
  }
  const bool churn = strcmp(argv[2], "churn") == 0;
  const size_t region = strtoul(argv[3], nullptr, 10);
  const unsigned first = static_cast<unsigned>(strtoul(argv[4], nullptr, 10));
  const unsigned last = static_cast<unsigned>(strtoul(argv[5], nullptr, 10));
  if (strcmp(argv[1], "noop") == 0) return 2;
  return bench::with_subject(argv[1], region, [&](auto *s) {
    using S = std::remove_pointer_t<decltype(s)>;
    return run<S>(churn, region, first, last);
  });
}
