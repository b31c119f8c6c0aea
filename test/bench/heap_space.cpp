// Space figures (issue 3, "space" and "bytes of overhead per block"); run
// natively by test/bench/run.sh on the 64-bit and the 32-bit (-m32) builds.
//
//   heap_space SUBJECT REGION_BYTES
//
// fill,SUBJECT,BITS,REQUEST,COUNT,FRACTION
//   REQUEST-byte allocations (16 and 100) into an empty region until the
//   first one fails; FRACTION = COUNT * REQUEST / REGION_BYTES.
// overhead,SUBJECT,BITS,MEAN_REQUEST,MEAN_CHUNK,MEAN_OVERHEAD
//   chunk bytes minus requested bytes, averaged over the mixed workload's
//   size distribution (the 4096 quantiles of LogSizes(8, 512)). Chunk bytes
//   of omniheap's heaps: the distance between two blocks of that size
//   allocated one after the other in an empty heap (they fill it from low to
//   high addresses; both are freed again before the next size, and the first
//   address is checked to be the same every time). glibc: malloc_usable_size
//   + sizeof(size_t) (its chunk size; the next chunk's prev_size field is
//   part of the usable area).
#include "heap_subjects.hpp"

namespace {

template <class S> int fill(size_t region, uint32_t request) {
  if (!S::setup(region)) return 1;
  static void *blocks[1 << 16];
  size_t n = 0;
  for (;;) {
    void *p = S::alloc(request);
    if (p != nullptr && !S::admit(p)) p = nullptr;
    if (p == nullptr) break;
    if (n == sizeof blocks / sizeof blocks[0]) return 1;
    blocks[n++] = p;
  }
  printf("fill,%s,%u,%u,%zu,%.5f\n", S::name(), static_cast<unsigned>(sizeof(void *) * 8), request, n,
         static_cast<double>(n) * request / static_cast<double>(region));
  while (n != 0) {
    S::forget(blocks[--n]);
    S::free(blocks[n]);
  }
  return 0;
}

template <class S> size_t chunk_bytes(uint32_t size, uintptr_t &first) {
  if constexpr (std::is_same_v<S, bench::Glibc>) {
    void *p = S::alloc(size);
    const size_t c = malloc_usable_size(p) + sizeof(size_t);
    S::free(p);
    (void)first;
    return c;
  } else {
    void *a = S::alloc(size);
    void *b = S::alloc(size);
    if (a == nullptr || b == nullptr) return 0;
    const uintptr_t x = reinterpret_cast<uintptr_t>(a), y = reinterpret_cast<uintptr_t>(b);
    S::free(b);
    S::free(a);
    if (first == 0) first = x;
    if (x != first || y <= x) return 0;
    return y - x;
  }
}

template <class S> int overhead(size_t region) {
  static const bench::LogSizes sizes(8, 512);
  if (!S::setup(region)) return 1;
  uintptr_t first = 0;
  double chunk = 0, request = 0;
  for (uint32_t s : sizes.value) {
    const size_t c = chunk_bytes<S>(s, first);
    if (c == 0) {
      fprintf(stderr, "heap_space: %s: blocks of %u bytes not placed one after the other\n", S::name(), s);
      return 1;
    }
    chunk += static_cast<double>(c);
    request += s;
  }
  printf("overhead,%s,%u,%.2f,%.2f,%.2f\n", S::name(), static_cast<unsigned>(sizeof(void *) * 8), request / 4096,
         chunk / 4096, (chunk - request) / 4096);
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  if (argc != 3 || strcmp(argv[1], "noop") == 0) {
    fprintf(stderr, "usage: %s engine|sys_heap|heapmem|glibc REGION_BYTES\n", argv[0]);
    return 2;
  }
  const size_t region = strtoul(argv[2], nullptr, 10);
  return bench::with_subject(argv[1], region, [&](auto *s) {
    using S = std::remove_pointer_t<decltype(s)>;
    int rc = fill<S>(region, 16);
    if (rc == 0) rc = fill<S>(region, 100);
    if (rc == 0) rc = overhead<S>(region);
    return rc;
  });
}
