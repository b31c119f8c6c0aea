// The allocators the heap benchmarks compare, behind one static interface,
// and the measured call sites that test/bench/run.sh reads per call from
// callgrind's output. Used by heap_mixed, heap_worst, heap_montecarlo,
// heap_space and heap_gbench (test/bench/*.cpp, built with -Icore).
//
// Subjects (each a struct with setup/alloc/free/admit/forget):
//   engine    SegregatedFit called directly (through one noinline function
//             per operation that takes the Control pointer as its argument):
//             Layout<uint16_t, 8, 4> for regions under 256 KiB on 32-bit
//             builds, else Layout<uint32_t, 8, 8> — the layout sys_heap picks
//   sys_heap  sys_heap_init/alloc/free on the same region
//   heapmem   heapmem_alloc/free; its arena is a build-time constant
//             (OMNIHEAP_CONF_HEAPMEM_ARENA_SIZE), so run.sh builds the library
//             once per region size
//   glibc     malloc/free; with a region (budget) where a workload needs one:
//             an allocation fails when the sum over live blocks of
//             malloc_usable_size + 16 would exceed it (checked after the
//             measured call, outside it)
//   ffit      ffit_get_block/ffit_free_block (memman first fit) on the region
//   buddy     buddy_get_block/buddy_free_block, e = 0, on the region
//   ebuddy    the same with e = 1 (an eighth of the region is the emergency
//             first-fit heap)
//   noop      alloc returns a fixed non-null pointer, free does nothing: the
//             baseline whose instructions are subtracted
//
// Measured calls go through alloc_site<S, i> / free_site<S, i>: `sites`
// distinct noinline functions per operation, each of which calls the
// allocator once. The driver uses each site at most once between two
// CALLGRIND_DUMP_STATS_AT requests (Meter below), so in every dump the
// inclusive cost callgrind records on a site's call arc is the instruction
// count of exactly one allocator call — from its first instruction to its
// ret, the caller's call instruction and argument set-up not included.
// test/bench/cg_percall.cpp turns those arcs into per-call distributions.
#pragma once

#include <malloc.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <array>
#include <utility>

#include "engine/segregated_fit.hpp"
#include "omniheap_config.h"

extern "C" {
#include "lib/heapmem.h"
#include <buddy.h>
#include <ffit.h>
#include <zephyr/sys/sys_heap.h>
}

#if defined(__has_include)
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#define BENCH_HAVE_CALLGRIND 1
#endif
#endif
#ifndef BENCH_HAVE_CALLGRIND
#define CALLGRIND_DUMP_STATS_AT(label) ((void)(label))
#endif

namespace bench {

namespace eng = omniheap::engine;
using BigEngine = eng::SegregatedFit<eng::Layout<uint32_t, 8, 8>>;
using SmallEngine = eng::SegregatedFit<eng::Layout<uint16_t, 8, 4>>;
constexpr bool wide = sizeof(void *) > 4;

// ---- random numbers ------------------------------------------------------------
// xorshift64*: a few instructions per number, the same stream on every build.
struct Rng {
  uint64_t s;
  explicit Rng(uint64_t seed) : s(seed * 0x9E3779B97F4A7C15ULL + 0x632BE59BD9B4E019ULL) {
    if (s == 0) s = 1;
    next();
  }
  uint64_t next() {
    s ^= s >> 12;
    s ^= s << 25;
    s ^= s >> 27;
    return s * 0x2545F4914F6CDD1DULL;
  }
  uint32_t below(uint32_t n) { return static_cast<uint32_t>(((next() >> 32) * n) >> 32); }
  uint32_t between(uint32_t lo, uint32_t hi) { return lo + below(hi - lo + 1U); } // inclusive
  double unit() { return static_cast<double>(next() >> 11) * (1.0 / 9007199254740992.0); }
};

// Log-uniform sizes in lo..hi bytes: floor(lo * ((hi + 1) / lo)^u), u uniform
// in [0, 1), tabulated at 4096 equally spaced quantiles (u = (k + 0.5) / 4096),
// so that drawing one costs a table look-up.
struct LogSizes {
  uint32_t value[4096];
  LogSizes(double lo, double hi) {
    for (int k = 0; k < 4096; ++k) {
      const double u = (k + 0.5) / 4096.0;
      value[k] = static_cast<uint32_t>(floor(lo * pow((hi + 1.0) / lo, u)));
    }
  }
  double mean() const {
    double s = 0;
    for (uint32_t v : value) s += v;
    return s / 4096.0;
  }
};

// ---- region memory ------------------------------------------------------------------
inline unsigned char *region_memory(size_t bytes) {
  static unsigned char *mem;
  static size_t have;
  if (have < bytes) {
    ::free(mem);
    mem = static_cast<unsigned char *>(aligned_alloc(4096, (bytes + 4095U) & ~size_t(4095)));
    have = bytes;
  }
  return mem;
}

// ---- subjects --------------------------------------------------------------------------
__attribute__((noipa)) inline void *noop_alloc(size_t) {
  static unsigned char byte;
  return &byte;
}
__attribute__((noipa)) inline void noop_free(void *) {}

struct Noop {
  static const char *name() { return "noop"; }
  static bool setup(size_t) { return true; }
  static void *alloc(size_t n) { return noop_alloc(n); }
  static void free(void *p) { noop_free(p); }
  static bool admit(void *) { return true; }
  static void forget(void *) {}
};

template <class E> __attribute__((noinline)) void *engine_alloc(typename E::Control *h, size_t n) {
  return E::alloc(h, n);
}
template <class E> __attribute__((noinline)) eng::Fault engine_free(typename E::Control *h, void *p) {
  return E::free(h, p);
}

template <class E> struct Engine {
  using Control = typename E::Control;
  static inline Control *h;
  static const char *name() { return "engine"; }
  static bool setup(size_t region) {
    h = E::init(region_memory(region), region);
    if (h == nullptr) fprintf(stderr, "engine: init failed for %zu bytes\n", region);
    return h != nullptr;
  }
  static void *alloc(size_t n) { return engine_alloc<E>(h, n); }
  static void free(void *p) { (void)engine_free<E>(h, p); }
  static bool admit(void *) { return true; }
  static void forget(void *) {}
  static bool valid() { return E::valid(h); }
};

struct SysHeap {
  static inline struct sys_heap heap;
  static const char *name() { return "sys_heap"; }
  static bool setup(size_t region) {
    sys_heap_init(&heap, region_memory(region), region);
    return true;
  }
  static void *alloc(size_t n) { return sys_heap_alloc(&heap, n); }
  static void free(void *p) { sys_heap_free(&heap, p); }
  static bool admit(void *) { return true; }
  static void forget(void *) {}
  static bool valid() { return sys_heap_validate(&heap); }
};

struct HeapMem {
  static const char *name() { return "heapmem"; }
  // The arena is the library's; everything must have been freed since the
  // last run (the engine then holds one free chunk again).
  static bool setup(size_t region) {
    if (region != OMNIHEAP_CONF_HEAPMEM_ARENA_SIZE) {
      fprintf(stderr, "heapmem: this build's arena is %lu bytes, not %zu (build with DEFS=-DOMNIHEAP_CONF_HEAPMEM_ARENA_SIZE=%zu)\n",
              static_cast<unsigned long>(OMNIHEAP_CONF_HEAPMEM_ARENA_SIZE), region, region);
      return false;
    }
    return true;
  }
  static void *alloc(size_t n) { return heapmem_alloc(n); }
  static void free(void *p) { (void)heapmem_free(p); }
  static bool admit(void *) { return true; }
  static void forget(void *) {}
};

struct Glibc {
  static inline size_t budget; // 0: no region
  static inline size_t charged;
  static constexpr size_t chunk_overhead = 16;
  static const char *name() { return "glibc"; }
  static bool setup(size_t region) {
    budget = region;
    charged = 0;
    return true;
  }
  static void *alloc(size_t n) { return malloc(n); }
  static void free(void *p) { ::free(p); }
  // After a successful malloc: false (and the block is given back, outside
  // any measurement) if it would take the live chunks over the region.
  static bool admit(void *p) {
    if (budget == 0) return true;
    const size_t c = malloc_usable_size(p) + chunk_overhead;
    if (charged + c > budget) {
      ::free(p);
      return false;
    }
    charged += c;
    return true;
  }
  static void forget(void *p) {
    if (budget != 0) charged -= malloc_usable_size(p) + chunk_overhead;
  }
};

struct Ffit {
  static inline ffit_heap_t heap;
  static const char *name() { return "ffit"; }
  static bool setup(size_t region) {
    heap.mh = reinterpret_cast<uintptr_t>(region_memory(region));
    heap.hs = region;
    return ffit_init(&heap) == FFIT_HEAP_OK;
  }
  static void *alloc(size_t n) { return ffit_get_block(&heap, n); }
  static void free(void *p) { (void)ffit_free_block(&heap, p); }
  static bool admit(void *) { return true; }
  static void forget(void *) {}
};

template <int E> struct BuddyT {
  static inline buddy_heap_t heap;
  static const char *name() { return E != 0 ? "ebuddy" : "buddy"; }
  static bool setup(size_t region) {
    heap.mh = reinterpret_cast<uintptr_t>(region_memory(region));
    heap.hs = region;
    heap.e = E;
    return buddy_init(&heap) == BUDDY_HEAP_OK;
  }
  static void *alloc(size_t n) { return buddy_get_block(&heap, n); }
  static void free(void *p) { (void)buddy_free_block(&heap, p); }
  static bool admit(void *) { return true; }
  static void forget(void *) {}
};

// The engine layout sys_heap uses for a region of this size.
template <class Fn> int with_subject(const char *name, size_t region, Fn &&fn) {
  if (strcmp(name, "engine") == 0) {
    if (!wide && region / 8U <= SmallEngine::max_chunk_units) return fn(static_cast<Engine<SmallEngine> *>(nullptr));
    return fn(static_cast<Engine<BigEngine> *>(nullptr));
  }
  if (strcmp(name, "sys_heap") == 0) return fn(static_cast<SysHeap *>(nullptr));
  if (strcmp(name, "heapmem") == 0) return fn(static_cast<HeapMem *>(nullptr));
  if (strcmp(name, "glibc") == 0) return fn(static_cast<Glibc *>(nullptr));
  if (strcmp(name, "ffit") == 0) return fn(static_cast<Ffit *>(nullptr));
  if (strcmp(name, "buddy") == 0) return fn(static_cast<BuddyT<0> *>(nullptr));
  if (strcmp(name, "ebuddy") == 0) return fn(static_cast<BuddyT<1> *>(nullptr));
  if (strcmp(name, "noop") == 0) return fn(static_cast<Noop *>(nullptr));
  fprintf(stderr, "unknown subject '%s' (engine, sys_heap, heapmem, glibc, ffit, buddy, ebuddy, noop)\n", name);
  return 2;
}

// ---- measured call sites ------------------------------------------------------------------
constexpr unsigned sites = 512;
inline volatile unsigned site_sink; // the store after the call keeps it a call, not a jump

template <class S, unsigned I> __attribute__((noinline)) void *alloc_site(size_t n) {
  void *p = S::alloc(n);
  site_sink = I;
  return p;
}
template <class S, unsigned I> __attribute__((noinline)) void free_site(void *p) {
  S::free(p);
  site_sink = I;
}

template <class S> struct Sites {
  using A = void *(*)(size_t);
  using F = void (*)(void *);
  template <size_t... I> static constexpr std::array<A, sizeof...(I)> make_a(std::index_sequence<I...>) {
    return {{&alloc_site<S, I>...}};
  }
  template <size_t... I> static constexpr std::array<F, sizeof...(I)> make_f(std::index_sequence<I...>) {
    return {{&free_site<S, I>...}};
  }
  static constexpr std::array<A, sites> a = make_a(std::make_index_sequence<sites>{});
  static constexpr std::array<F, sites> f = make_f(std::make_index_sequence<sites>{});
};

// Hands out the sites in turn and asks callgrind for a dump (labelled with
// the current phase) before any site would be used twice.
struct Meter {
  unsigned k = 0;
  const char *label = "none";
  template <class S> void *alloc(size_t n) {
    void *p = Sites<S>::a[k](n);
    step();
    return p;
  }
  template <class S> void free(void *p) {
    Sites<S>::f[k](p);
    step();
  }
  void step() {
    if (++k == sites) flush();
  }
  void flush() {
    if (k != 0) CALLGRIND_DUMP_STATS_AT(label);
    k = 0;
  }
  void phase(const char *l) {
    flush();
    label = l;
  }
};

} // namespace bench
