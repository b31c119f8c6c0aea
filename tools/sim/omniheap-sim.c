/*
 * omniheap-sim — Knuth-style Monte Carlo simulator of omniheap's general
 * heaps (TAOCP 2.5, the "Monte Carlo" experiments). Plain C11: it links
 * libomniheap like any firmware and uses only the public headers.
 *
 * Every family with a general heap runs the same workload on a region of the
 * same size with the same seeds: heapmem, sys_heap, k_heap, emh, ffit, buddy,
 * ebuddy and mmt. Each run stops at the first allocation
 * that fails; the simulator prints, per family, one line per seed and a mean:
 * utilisation at the first failure (live requested bytes / region), steps and
 * allocator operations until then, peak bytes in use (requested, and the
 * heap's own peak in chunk bytes), and the cost per operation. It writes an
 * SVG heap map of each heap at the moment of its first failure
 * (<out>/<family>-seed<N>.svg, used and free blocks coloured).
 *
 * Workload (test/bench/heap_montecarlo.cpp, same random numbers, so the
 * sys_heap figures agree with that benchmark's): step t = 1, 2, ... first
 * frees every block whose lifetime has ended (a block allocated at step i
 * with lifetime L is freed at the first step t >= i + L), then allocates one
 * block. Sizes:
 *   schoofs      1..8191, 1..1023, 1..511, 1..255, 1..127 with probability
 *                0.1 each, 1..63 with 0.5 (mean 521.6 bytes; the default)
 *   uniform:A:B  uniform in A..B
 *   trace:FILE   replay of a recorded trace (below); no random numbers
 * Lifetimes are log-uniform in [2, H], H chosen so that the expected live
 * demand (mean size x E[ceil L], Little's law) is 1.5 x the region.
 *
 * Trace files (--record writes one, trace:FILE replays one): text, one
 * operation per line, "a <id> <size>" allocates <size> bytes (1 .. 2^32-1)
 * as block <id> (a decimal number), "f <id>" frees the live block <id>;
 * blank lines and lines starting with '#' are ignored. --record writes the
 * operations of the first run (first family, first seed), in the order they
 * were executed, up to and including the allocation that failed.
 *
 * Host: usage in usage() below; every (family, seed) run is a forked child,
 * so that each starts with a clean library (emh has OMNIHEAP_CONF_EMH_N_HEAPS
 * heaps per process that can never be destroyed; heapmem has one arena).
 * Cortex-M (QEMU): one seed, a small region (SIM_MCU_REGION), in process; the
 * heap map is one line of text per heap instead of an SVG.
 *
 * Build: `make` (host: build/<target>/omniheap-sim), `make TARGET=<mcu> sim`
 * (build/<mcu>/test/sim.elf; DEFS=-DSIM_MCU_REGION=<bytes> for another
 * region). -DOMNIHEAP_SIM_FFIT=0 / -DOMNIHEAP_SIM_BUDDY=0 build it without
 * the memman families (for a library without them).
 */
#if defined(OH_HOSTED) && OH_HOSTED
#define _GNU_SOURCE 1
#define SIM_HOSTED 1
#else
#define SIM_HOSTED 0
#endif

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <omniheap.h>

#include "emh_malloc.h"
#include "lib/heapmem.h"
#include <zephyr/kernel.h>
#include <zephyr/sys/sys_heap.h>

#ifndef OMNIHEAP_SIM_FFIT
#define OMNIHEAP_SIM_FFIT 1
#endif
#ifndef OMNIHEAP_SIM_BUDDY
#define OMNIHEAP_SIM_BUDDY 1
#endif
#if OMNIHEAP_SIM_FFIT || OMNIHEAP_SIM_BUDDY
#include <buddy.h>
#include <ffit.h>
#endif

#if SIM_HOSTED
#include <errno.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#if defined(__linux__) && defined(__has_include)
#if __has_include(<linux/perf_event.h>)
#include <linux/perf_event.h>
#include <sys/syscall.h>
#define SIM_HAVE_PERF 1
#endif
#endif
#endif
#ifndef SIM_HAVE_PERF
#define SIM_HAVE_PERF 0
#endif

/* MCU image: region (bytes; halved while the C library heap cannot give it) and seed. */
#ifndef SIM_MCU_REGION
#define SIM_MCU_REGION 8192u
#endif
#ifndef SIM_MCU_SEED
#define SIM_MCU_SEED 1u
#endif

/** Characters of a one-line text heap map. */
#define MAP_CELLS 64

/* ---- random numbers (xorshift64*, as bench::Rng) ------------------------- */

typedef struct {
  uint64_t s;
} rng_t;

static uint64_t rng_next(rng_t *r) {
  r->s ^= r->s >> 12;
  r->s ^= r->s << 25;
  r->s ^= r->s >> 27;
  return r->s * 0x2545F4914F6CDD1DULL;
}

static void rng_seed(rng_t *r, uint64_t seed) {
  r->s = seed * 0x9E3779B97F4A7C15ULL + 0x632BE59BD9B4E019ULL;
  if (r->s == 0) r->s = 1;
  (void)rng_next(r);
}

static uint32_t rng_below(rng_t *r, uint32_t n) { return (uint32_t)(((rng_next(r) >> 32) * n) >> 32); }
static uint32_t rng_between(rng_t *r, uint32_t lo, uint32_t hi) { return lo + rng_below(r, hi - lo + 1u); }
static double rng_unit(rng_t *r) { return (double)(rng_next(r) >> 11) * (1.0 / 9007199254740992.0); }

/* ---- the workload ----------------------------------------------------------- */

typedef enum { DIST_SCHOOFS, DIST_UNIFORM, DIST_TRACE } dist_kind_t;

typedef struct {
  dist_kind_t kind;
  uint32_t lo, hi;  /* uniform */
  const char *path; /* trace */
} dist_t;

static double dist_mean(const dist_t *d) {
  if (d->kind == DIST_UNIFORM) return 0.5 * ((double)d->lo + (double)d->hi);
  /* 0.1 (4096 + 512 + 256 + 128 + 64) + 0.5 * 32 */
  return 521.6;
}

static uint32_t draw_size(const dist_t *d, rng_t *r) {
  static const uint32_t top[10] = {8191, 1023, 511, 255, 127, 63, 63, 63, 63, 63};
  if (d->kind == DIST_UNIFORM) return rng_between(r, d->lo, d->hi);
  return rng_between(r, 1, top[rng_below(r, 10)]);
}

/* E[ceil L] for L = 2 (H/2)^u, u uniform in [0, 1). */
static double expected_ceil_lifetime(double h) {
  const double m = ceil(h) - 1.0;
  if (m < 2.0) return 2.0;
  return 2.0 + ((m - 1.0) * log(h) - lgamma(m + 1.0)) / log(h / 2.0);
}

/* H with mean_size * E[ceil L] = demand (bisection). */
static double solve_h(double mean_size, double demand) {
  double lo = 2.0, hi = 1e9;
  int i;
  for (i = 0; i < 200 && hi - lo > 1e-9 * hi; ++i) {
    const double mid = 0.5 * (lo + hi);
    if (mean_size * expected_ceil_lifetime(mid) < demand) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  return 0.5 * (lo + hi);
}

/* ---- families ------------------------------------------------------------------ */

typedef struct family {
  const char *name;
  const char *missing; /* NULL when built in, else why not */
  int own_arena;       /* heapmem: the library's one arena, not the region */
  /* Sets the heap up on buf[0 .. region); 0 on success, else a reason in why. */
  int (*init)(unsigned char *buf, size_t region, char *why, size_t why_size);
  void *(*alloc)(size_t size);
  void (*release)(void *p);
} family_t;

/* heapmem is linked into an MCU image only when its arena is the image's
 * region (the arena takes .bss once any heapmem function is referenced). */
#if SIM_HOSTED || OMNIHEAP_CONF_HEAPMEM_ARENA_SIZE == SIM_MCU_REGION
#define SIM_HEAPMEM 1
#else
#define SIM_HEAPMEM 0
#endif

static int init_heapmem(unsigned char *buf, size_t region, char *why, size_t why_size) {
  void *p;
  (void)buf;
  if (region != (size_t)OMNIHEAP_CONF_HEAPMEM_ARENA_SIZE) {
    snprintf(why, why_size,
             "its one arena is fixed when the library is built (OMNIHEAP_CONF_HEAPMEM_ARENA_SIZE = %lu B), "
#if SIM_HOSTED
             "not the %lu B asked for; use --region %lu, or a library built with "
             "make BUILD=build/arena DEFS=-DOMNIHEAP_CONF_HEAPMEM_ARENA_SIZE=%lu",
#else
             "not the %lu B of this image; build it with DEFS=-DSIM_MCU_REGION=%lu, or with "
             "DEFS=-DOMNIHEAP_CONF_HEAPMEM_ARENA_SIZE=%lu",
#endif
             (unsigned long)OMNIHEAP_CONF_HEAPMEM_ARENA_SIZE, (unsigned long)region,
             (unsigned long)OMNIHEAP_CONF_HEAPMEM_ARENA_SIZE, (unsigned long)region);
    return -1;
  }
#if SIM_HEAPMEM
  {
    omniheap_stats_t st = OMNIHEAP_STATS_INIT;
    omniheap_heap_t *h;
    /* The arena is set up (and registered) on first use. Its pages are
     * touched once, as the other families' region is, so that no page fault
     * falls in a timed call; then its peak starts here. */
    p = heapmem_alloc(1);
    if (p != NULL) (void)heapmem_free(p);
    h = omniheap_heap_find_name("heapmem");
    if (omniheap_heap_stats(h, &st) == OMNIHEAP_OK && st.largest_free > 0 &&
        (p = heapmem_alloc(st.largest_free)) != NULL) {
      memset(p, 0, st.largest_free);
      (void)heapmem_free(p);
    }
    (void)omniheap_heap_reset_peak(h);
  }
  return 0;
#else
  (void)p;
  snprintf(why, why_size, "not linked into this image (built for SIM_MCU_REGION = %lu B)",
           (unsigned long)SIM_MCU_REGION);
  return -1;
#endif
}
#if SIM_HEAPMEM
static void *alloc_heapmem(size_t n) { return heapmem_alloc(n); }
static void free_heapmem(void *p) { (void)heapmem_free(p); }
#else
static void *alloc_heapmem(size_t n) {
  (void)n;
  return NULL;
}
static void free_heapmem(void *p) { (void)p; }
#endif

static struct sys_heap g_sys_heap;
static int init_sys_heap(unsigned char *buf, size_t region, char *why, size_t why_size) {
  (void)why;
  (void)why_size;
  sys_heap_init(&g_sys_heap, buf, region);
  return 0;
}
static void *alloc_sys_heap(size_t n) { return sys_heap_alloc(&g_sys_heap, n); }
static void free_sys_heap(void *p) { sys_heap_free(&g_sys_heap, p); }

static struct k_heap g_k_heap;
static int init_k_heap(unsigned char *buf, size_t region, char *why, size_t why_size) {
  (void)why;
  (void)why_size;
  k_heap_init(&g_k_heap, buf, region);
  return 0;
}
static void *alloc_k_heap(size_t n) { return k_heap_alloc(&g_k_heap, n, K_NO_WAIT); }
static void free_k_heap(void *p) { k_heap_free(&g_k_heap, p); }

/* emh: EMH_MALLOC_N_HEAPS heaps per process, never destroyed: each run takes
 * a new one (one per forked child on the host). */
static emh_heapId_t g_emh = -1;
static int init_emh(unsigned char *buf, size_t region, char *why, size_t why_size) {
  g_emh = emh_create(buf, region);
  if (g_emh < 0) {
    snprintf(why, why_size, "emh_create() gave no heap (%d emh heaps per process, never destroyed)",
             (int)EMH_MALLOC_N_HEAPS);
    return -1;
  }
  return 0;
}
static void *alloc_emh(size_t n) { return emh_malloc(g_emh, n); }
static void free_emh(void *p) { emh_free(p); }

#if OMNIHEAP_SIM_FFIT
static ffit_heap_t g_ffit;
static int init_ffit(unsigned char *buf, size_t region, char *why, size_t why_size) {
  memset(&g_ffit, 0, sizeof g_ffit);
  g_ffit.mh = (uintptr_t)buf;
  g_ffit.hs = region;
  if (ffit_init(&g_ffit) != FFIT_HEAP_OK) {
    snprintf(why, why_size, "ffit_init() refused the region");
    return -1;
  }
  return 0;
}
static void *alloc_ffit(size_t n) { return ffit_get_block(&g_ffit, n); }
static void free_ffit(void *p) { (void)ffit_free_block(&g_ffit, p); }
#endif

#if OMNIHEAP_SIM_BUDDY
static buddy_heap_t g_buddy;
static int init_buddy_e(unsigned char *buf, size_t region, uint8_t e, char *why, size_t why_size) {
  memset(&g_buddy, 0, sizeof g_buddy);
  g_buddy.mh = (uintptr_t)buf;
  g_buddy.hs = region;
  g_buddy.e = e;
  if (buddy_init(&g_buddy) != BUDDY_HEAP_OK) {
    snprintf(why, why_size, "buddy_init() refused the region");
    return -1;
  }
  return 0;
}
static int init_buddy(unsigned char *buf, size_t region, char *why, size_t why_size) {
  return init_buddy_e(buf, region, 0, why, why_size);
}
static int init_ebuddy(unsigned char *buf, size_t region, char *why, size_t why_size) {
  return init_buddy_e(buf, region, 1, why, why_size);
}
static void *alloc_buddy(size_t n) { return buddy_get_block(&g_buddy, n); }
static void free_buddy(void *p) { (void)buddy_free_block(&g_buddy, p); }
#endif

/*
 * MMT HOOK. Montimage MMT (api/mmt: "mmt_core.h", "memory.h"): init_mmt()
 * moves MMT onto an arena over buf[0 .. region) with mmt_use_arena() (the
 * same region as every other family's, whatever OMNIHEAP_CONF_MMT_BACKEND
 * the library was built with; the heap is registered as "mmt", its walk
 * shows the blocks as the caller sees them). mmt_malloc() panics when it
 * fails in the default build (OMNIHEAP_CONF_MMT_ABORT = 1, as upstream
 * aborts), and a run must see its failure as NULL: alloc_mmt() first asks
 * the registry for MMT's largest_free (exact: the largest request that
 * succeeds now) and returns NULL above it, without calling mmt_malloc(), so
 * no failure is counted by MMT itself and mmt's cost per operation includes
 * that statistics call. A library built with
 * make BUILD=build/mmt0 DEFS=-DOMNIHEAP_CONF_MMT_ABORT=0 returns NULL
 * itself; the check is then compiled out and the cost is mmt_malloc()'s.
 */
#include "memory.h"
#include "mmt_core.h"

#if OMNIHEAP_CONF_MMT_ABORT
static omniheap_heap_t *g_mmt;
#endif
static int init_mmt(unsigned char *buf, size_t region, char *why, size_t why_size) {
  if (mmt_use_arena(buf, region) != 0) {
    snprintf(why, why_size, "mmt_use_arena() refused the region (blocks still live, or too small)");
    return -1;
  }
#if OMNIHEAP_CONF_MMT_ABORT
  g_mmt = mmt_omniheap();
  if (g_mmt == NULL) {
    snprintf(why, why_size, "MMT is not in the registry (full)");
    return -1;
  }
#endif
  return 0;
}
static void *alloc_mmt(size_t n) {
#if OMNIHEAP_CONF_MMT_ABORT
  omniheap_stats_t st = OMNIHEAP_STATS_INIT;
  if (omniheap_heap_stats(g_mmt, &st) != OMNIHEAP_OK || n > st.largest_free) return NULL;
#endif
  return mmt_malloc(n);
}
static void free_mmt(void *p) { mmt_free(p); }

#define SIM_MEMMAN_MISSING "not available in this build (built with OMNIHEAP_SIM_FFIT or OMNIHEAP_SIM_BUDDY = 0)"

static const family_t g_families[] = {
    {"heapmem", NULL, 1, init_heapmem, alloc_heapmem, free_heapmem},
    {"sys_heap", NULL, 0, init_sys_heap, alloc_sys_heap, free_sys_heap},
    {"k_heap", NULL, 0, init_k_heap, alloc_k_heap, free_k_heap},
    {"emh", NULL, 0, init_emh, alloc_emh, free_emh},
#if OMNIHEAP_SIM_FFIT
    {"ffit", NULL, 0, init_ffit, alloc_ffit, free_ffit},
#else
    {"ffit", SIM_MEMMAN_MISSING, 0, NULL, NULL, NULL},
#endif
#if OMNIHEAP_SIM_BUDDY
    {"buddy", NULL, 0, init_buddy, alloc_buddy, free_buddy},
    {"ebuddy", NULL, 0, init_ebuddy, alloc_buddy, free_buddy},
#else
    {"buddy", SIM_MEMMAN_MISSING, 0, NULL, NULL, NULL},
    {"ebuddy", SIM_MEMMAN_MISSING, 0, NULL, NULL, NULL},
#endif
    {"mmt", NULL, 0, init_mmt, alloc_mmt, free_mmt},
};
#define N_FAMILIES (sizeof g_families / sizeof g_families[0])

/* ---- cost per operation ------------------------------------------------------------ */

typedef enum { COST_NONE, COST_INSNS, COST_NS } cost_kind_t;

static cost_kind_t g_cost_kind = COST_NONE;
#if SIM_HOSTED
static int g_perf_fd = -1;
static char g_cost_why[160];

/* Opens a counter of this process's user-mode instructions. */
static int perf_open(void) {
#if SIM_HAVE_PERF
  struct perf_event_attr a;
  long fd;
  memset(&a, 0, sizeof a);
  a.type = PERF_TYPE_HARDWARE;
  a.size = sizeof a;
  a.config = PERF_COUNT_HW_INSTRUCTIONS;
  a.exclude_kernel = 1;
  a.exclude_hv = 1;
  fd = syscall(SYS_perf_event_open, &a, 0, -1, -1, 0);
  if (fd < 0) {
    snprintf(g_cost_why, sizeof g_cost_why, "perf_event_open: %s", strerror(errno));
    return -1;
  }
  return (int)fd;
#else
  snprintf(g_cost_why, sizeof g_cost_why, "no perf_event_open on this system");
  return -1;
#endif
}

/* Chooses the cost measure for this process: instructions when a counter
 * works, else nanoseconds from clock_gettime (noisy). */
static void cost_open(void) {
  g_perf_fd = perf_open();
  g_cost_kind = g_perf_fd >= 0 ? COST_INSNS : COST_NS;
}

static void cost_close(void) {
  if (g_perf_fd >= 0) close(g_perf_fd);
  g_perf_fd = -1;
}

static uint64_t cost_read(void) {
  if (g_cost_kind == COST_INSNS) {
    uint64_t v = 0;
    if (read(g_perf_fd, &v, sizeof v) != (ssize_t)sizeof v) return 0;
    return v;
  }
  if (g_cost_kind == COST_NS) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
  }
  return 0;
}

/* Cost of an empty bracket (two reads), in thousandths: the minimum for
 * instructions (deterministic), the mean for time. */
static uint64_t cost_overhead_milli(void) {
  enum { N = 4000 };
  uint64_t min = UINT64_MAX, sum = 0;
  int i;
  if (g_cost_kind == COST_NONE) return 0;
  for (i = 0; i < N; ++i) {
    const uint64_t a = cost_read();
    const uint64_t b = cost_read();
    const uint64_t d = b - a;
    sum += d;
    if (d < min) min = d;
  }
  return g_cost_kind == COST_INSNS ? min * 1000u : sum * 1000u / N;
}
#else
static uint64_t cost_read(void) { return 0; }
static uint64_t cost_overhead_milli(void) { return 0; }
#endif

static const char *cost_heading(cost_kind_t k) {
  return k == COST_INSNS ? "insns/op" : k == COST_NS ? "ns/op (noise)" : "insns/op";
}

/* ---- one run -------------------------------------------------------------------------- */

typedef enum { RUN_FAILED, RUN_CAPPED, RUN_TRACE_END, RUN_SKIPPED, RUN_ERROR } run_status_t;

typedef struct {
  run_status_t status;
  unsigned seed;
  unsigned long region;       /* bytes of the heap (heapmem: its arena) */
  unsigned long steps;        /* allocations attempted, the failed one included */
  unsigned long ops;          /* allocator calls (allocations and frees) */
  unsigned long live_blocks;  /* at the end */
  unsigned long live_bytes;   /* requested bytes live at the end */
  unsigned long peak_req;     /* high-water mark of requested bytes live */
  unsigned long peak_heap;    /* the heap's own peak (chunk bytes, omniheap_stats_t) */
  unsigned long fail_size;    /* the request that failed */
  unsigned long largest_free; /* at the end */
  unsigned long used_blocks, free_blocks;
  cost_kind_t cost_kind;
  uint64_t cost_milli_per_op; /* thousandths per operation */
  char map[MAP_CELLS + 1];    /* one-line heap map */
  char heaps[64];             /* names of the registered heaps found in the region */
  char note[300];
} result_t;

typedef struct {
  size_t region;
  dist_t dist;
  double h;
  unsigned long cap; /* allocator calls; 0: none */
  const char *out;   /* SVG directory; NULL: none */
  int text_map;
} config_t;

/* A live block of the Knuth workload, in a binary min-heap on (death, order). */
typedef struct {
  double death;
  uint64_t order;
  void *p;
  uint32_t size;
} live_t;

typedef struct {
  live_t *a;
  size_t n, cap;
} pq_t;

static int live_before(const live_t *x, const live_t *y) {
  return x->death != y->death ? x->death < y->death : x->order < y->order;
}

static int pq_push(pq_t *q, live_t v) {
  size_t i;
  if (q->n == q->cap) {
#if SIM_HOSTED
    const size_t cap = q->cap ? 2 * q->cap : 256;
    live_t *a = (live_t *)realloc(q->a, cap * sizeof *a);
    if (a == NULL) return 0;
    q->a = a;
    q->cap = cap;
#else
    return 0;
#endif
  }
  i = q->n++;
  while (i > 0) {
    const size_t parent = (i - 1) / 2;
    if (!live_before(&v, &q->a[parent])) break;
    q->a[i] = q->a[parent];
    i = parent;
  }
  q->a[i] = v;
  return 1;
}

static live_t pq_pop(pq_t *q) {
  const live_t top = q->a[0];
  const live_t last = q->a[--q->n];
  size_t i = 0;
  for (;;) {
    size_t c = 2 * i + 1;
    if (c >= q->n) break;
    if (c + 1 < q->n && live_before(&q->a[c + 1], &q->a[c])) ++c;
    if (!live_before(&q->a[c], &last)) break;
    q->a[i] = q->a[c];
    i = c;
  }
  if (q->n > 0) q->a[i] = last;
  return top;
}

/* Calls through the family, counting operations and their cost. */
typedef struct {
  const family_t *f;
  unsigned long calls;
  uint64_t cost;
  FILE *rec;
} driver_t;

static void *drive_alloc(driver_t *d, unsigned long id, size_t size) {
  uint64_t a, b;
  void *p;
#if SIM_HOSTED
  if (d->rec != NULL) fprintf(d->rec, "a %lu %lu\n", id, (unsigned long)size);
#else
  (void)id;
#endif
  a = cost_read();
  p = d->f->alloc(size);
  b = cost_read();
  d->cost += b - a;
  ++d->calls;
  return p;
}

static void drive_free(driver_t *d, unsigned long id, void *p) {
  uint64_t a, b;
#if SIM_HOSTED
  if (d->rec != NULL) fprintf(d->rec, "f %lu\n", id);
#else
  (void)id;
#endif
  a = cost_read();
  d->f->release(p);
  b = cost_read();
  d->cost += b - a;
  ++d->calls;
}

/* ---- the heaps of a run: found through the native API ---------------------------------- */

#define SIM_MAX_SET 4

typedef struct {
  omniheap_heap_t *h[SIM_MAX_SET];
  uintptr_t first[SIM_MAX_SET];
  size_t n;
} heapset_t;

static int first_block_cb(const omniheap_block_t *b, void *ctx) {
  *(uintptr_t *)ctx = (uintptr_t)b->address;
  return 1; /* stop */
}

/* heapmem: its arena by name; every other family: each registered heap
 * whose first block lies in the region (ebuddy: the buddy area and its
 * emergency heap). */
static void find_heaps(const family_t *f, const unsigned char *buf, size_t region, heapset_t *set) {
  omniheap_heap_t *h;
  set->n = 0;
  if (f->own_arena) {
    h = omniheap_heap_find_name("heapmem");
    if (h != NULL) set->h[set->n++] = h;
    return;
  }
  for (h = omniheap_heap_next(NULL); h != NULL && set->n < SIM_MAX_SET; h = omniheap_heap_next(h)) {
    uintptr_t first = 0;
    size_t i;
    int dup = 0;
    if (omniheap_heap_walk(h, first_block_cb, &first) != OMNIHEAP_OK) continue;
    if (first < (uintptr_t)buf || first >= (uintptr_t)buf + region) continue;
    for (i = 0; i < set->n; ++i) dup |= set->first[i] == first;
    if (dup) continue;
    set->first[set->n] = first;
    set->h[set->n++] = h;
  }
}

/* Blocks of the heap map. */
typedef struct {
  uintptr_t address;
  size_t size;
  int used;
} block_t;

typedef struct {
  uintptr_t base;
  size_t span;
  uintptr_t lo, hi; /* extent of the blocks seen */
  unsigned long cell_used[MAP_CELLS], cell_free[MAP_CELLS];
  unsigned long used_blocks, free_blocks;
#if SIM_HOSTED
  block_t *blocks;
  size_t n, cap;
  int oom;
#endif
} map_t;

static int extent_cb(const omniheap_block_t *b, void *ctx) {
  map_t *m = (map_t *)ctx;
  const uintptr_t a = (uintptr_t)b->address;
  if (m->lo == 0 || a < m->lo) m->lo = a;
  if (a + b->size > m->hi) m->hi = a + b->size;
  return 0;
}

static int map_cb(const omniheap_block_t *b, void *ctx) {
  map_t *m = (map_t *)ctx;
  const uintptr_t a = (uintptr_t)b->address;
  uintptr_t lo = a, hi = a + b->size;
  size_t c;
  if (b->used) {
    ++m->used_blocks;
  } else {
    ++m->free_blocks;
  }
#if SIM_HOSTED
  if (m->n == m->cap) {
    const size_t cap = m->cap ? 2 * m->cap : 256;
    block_t *p = (block_t *)realloc(m->blocks, cap * sizeof *p);
    if (p == NULL) {
      m->oom = 1;
      return 1;
    }
    m->blocks = p;
    m->cap = cap;
  }
  m->blocks[m->n].address = a;
  m->blocks[m->n].size = b->size;
  m->blocks[m->n].used = b->used;
  ++m->n;
#endif
  /* Bytes of the block in each text cell. */
  if (lo < m->base) lo = m->base;
  if (hi > m->base + m->span) hi = m->base + m->span;
  for (c = (size_t)((uint64_t)(lo - m->base) * MAP_CELLS / m->span); lo < hi && c < MAP_CELLS; ++c) {
    const uintptr_t cell_end = m->base + (uintptr_t)((uint64_t)(c + 1) * m->span / MAP_CELLS);
    const uintptr_t end = hi < cell_end ? hi : cell_end;
    if (end > lo) {
      if (b->used) {
        m->cell_used[c] += (unsigned long)(end - lo);
      } else {
        m->cell_free[c] += (unsigned long)(end - lo);
      }
      lo = end;
    }
  }
  return 0;
}

/* One character per cell: '#' mostly used, '.' mostly free, '-' mostly
 * neither (headers, the heap's own metadata). */
static void map_text(const map_t *m, char *out) {
  size_t c;
  for (c = 0; c < MAP_CELLS; ++c) {
    const unsigned long cell =
        (unsigned long)((uint64_t)(c + 1) * m->span / MAP_CELLS - (uint64_t)c * m->span / MAP_CELLS);
    const unsigned long u = m->cell_used[c], f = m->cell_free[c];
    const unsigned long other = cell > u + f ? cell - u - f : 0;
    out[c] = u >= f && u >= other ? '#' : f >= other ? '.' : '-';
  }
  out[MAP_CELLS] = '\0';
}

#if SIM_HOSTED
static int block_cmp(const void *x, const void *y) {
  const block_t *a = (const block_t *)x, *b = (const block_t *)y;
  return a->address < b->address ? -1 : a->address > b->address;
}

static int mkdir_p(const char *path) {
  char tmp[4096];
  size_t i, n = strlen(path);
  if (n == 0 || n >= sizeof tmp) return -1;
  memcpy(tmp, path, n + 1);
  for (i = 1; i <= n; ++i) {
    if (tmp[i] == '/' || tmp[i] == '\0') {
      const char c = tmp[i];
      tmp[i] = '\0';
      if (mkdir(tmp, 0777) != 0 && errno != EEXIST) return -1;
      tmp[i] = c;
    }
  }
  return 0;
}

static void pct_text(char *buf, size_t n, unsigned long num, unsigned long den);

/* SVG heap map: one horizontal bar for the heap's span, used blocks red,
 * free blocks green, grey where neither (headers, metadata); below it, the
 * failed request and the largest free block to the same scale. */
static int write_svg(const char *path, const char *family, const result_t *r, map_t *m, const char *dist,
                     int own_arena) {
  const double x0 = 20.0, width = 1160.0, scale = width / (double)m->span;
  const char *used_c = "#d9534f", *free_c = "#5cb85c", *other_c = "#c8c8c8", *req_c = "#f0ad4e";
  char pct[32];
  size_t i;
  int k;
  FILE *f = fopen(path, "w");
  if (f == NULL) return -1;
  qsort(m->blocks, m->n, sizeof *m->blocks, block_cmp);
  pct_text(pct, sizeof pct, r->live_bytes, r->region);
  fprintf(f,
          "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"1200\" height=\"230\" viewBox=\"0 0 1200 230\" "
          "font-family=\"sans-serif\" font-size=\"12\">\n"
          "<rect width=\"1200\" height=\"230\" fill=\"white\"/>\n");
  fprintf(f, "<text x=\"20\" y=\"22\" font-size=\"15\" font-weight=\"bold\">%s, seed %u: ", family, r->seed);
  if (r->status == RUN_FAILED) {
    fprintf(f, "first failed allocation at step %lu (%lu B requested)</text>\n", r->steps, r->fail_size);
  } else {
    fprintf(f, "no failure (%s after %lu steps)</text>\n", r->status == RUN_CAPPED ? "--ops cap" : "end of trace",
            r->steps);
  }
  fprintf(f,
          "<text x=\"20\" y=\"42\">heap %s (omniheap registry), region %lu B, %s sizes; live: %lu blocks, %lu B "
          "requested (%s %%); %lu used and %lu free blocks in the heap</text>\n",
          r->heaps, r->region, dist, r->live_blocks, r->live_bytes, pct, m->used_blocks, m->free_blocks);
  /* The bar: the span in grey, every block over it. */
  fprintf(f, "<g shape-rendering=\"crispEdges\">\n<rect x=\"%.3f\" y=\"56\" width=\"%.3f\" height=\"56\" fill=\"%s\"/>\n",
          x0, width, other_c);
  for (i = 0; i < m->n; ++i) {
    const block_t *b = &m->blocks[i];
    if (b->address < m->base || b->address >= m->base + m->span) continue;
    fprintf(f,
            "<rect x=\"%.3f\" y=\"56\" width=\"%.3f\" height=\"56\" fill=\"%s\"><title>%s block, %lu B at "
            "offset %lu</title></rect>\n",
            x0 + (double)(b->address - m->base) * scale, (double)b->size * scale, b->used ? used_c : free_c,
            b->used ? "used" : "free", (unsigned long)b->size, (unsigned long)(b->address - m->base));
  }
  fprintf(f, "</g>\n");
  for (k = 0; k <= 4; ++k) {
    const double x = x0 + width * k / 4.0;
    fprintf(f,
            "<line x1=\"%.3f\" y1=\"112\" x2=\"%.3f\" y2=\"118\" stroke=\"black\"/>"
            "<text x=\"%.3f\" y=\"130\" text-anchor=\"%s\">%lu</text>\n",
            x, x, x, k == 0 ? "start" : k == 4 ? "end" : "middle", (unsigned long)((uint64_t)m->span * k / 4));
  }
  /* The failed request and the largest free block, to scale. */
  if (r->status == RUN_FAILED) {
    fprintf(f,
            "<rect x=\"%.3f\" y=\"142\" width=\"%.3f\" height=\"14\" fill=\"%s\"/>"
            "<text x=\"%.3f\" y=\"153\">failed request: %lu B</text>\n",
            x0, (double)r->fail_size * scale, req_c, x0 + (double)r->fail_size * scale + 6.0, r->fail_size);
  }
  fprintf(f,
          "<rect x=\"%.3f\" y=\"162\" width=\"%.3f\" height=\"14\" fill=\"%s\"/>"
          "<text x=\"%.3f\" y=\"173\">largest free block: %lu B</text>\n",
          x0, (double)r->largest_free * scale, free_c, x0 + (double)r->largest_free * scale + 6.0, r->largest_free);
  /* Legend. */
  fprintf(f,
          "<g transform=\"translate(20,196)\">"
          "<rect width=\"14\" height=\"14\" fill=\"%s\"/><text x=\"20\" y=\"12\">used block</text>"
          "<rect x=\"120\" width=\"14\" height=\"14\" fill=\"%s\"/><text x=\"140\" y=\"12\">free block</text>"
          "<rect x=\"240\" width=\"14\" height=\"14\" fill=\"%s\"/>"
          "<text x=\"260\" y=\"12\">neither (block headers, heap metadata)</text>"
          "<text x=\"560\" y=\"12\">offsets in bytes from the start of the %s</text></g>\n",
          used_c, free_c, other_c, own_arena ? "first block (heapmem's arena)" : "region");
  fprintf(f, "</svg>\n");
  return fclose(f);
}
#endif

static void dist_text(const dist_t *d, char *buf, size_t n) {
  if (d->kind == DIST_UNIFORM) {
    snprintf(buf, n, "uniform %lu..%lu", (unsigned long)d->lo, (unsigned long)d->hi);
  } else if (d->kind == DIST_TRACE) {
    snprintf(buf, n, "trace %s", d->path);
  } else {
    snprintf(buf, n, "schoofs");
  }
}

/* The heaps' statistics and map at the end of a run, then every live block
 * freed (untimed) and the heaps removed from the registry. */
static void finish_run(const family_t *f, const config_t *cfg, unsigned char *buf, result_t *r, driver_t *d) {
  heapset_t set;
  map_t *m;
  size_t i;
  find_heaps(f, buf, cfg->region, &set);
  if (set.n == 0) {
    snprintf(r->note, sizeof r->note, "no registered heap found in the region");
    return;
  }
  for (i = 0; i < set.n; ++i) {
    omniheap_stats_t st = OMNIHEAP_STATS_INIT;
    const size_t used = strlen(r->heaps);
    snprintf(r->heaps + used, sizeof r->heaps - used, "%s%s", i ? " + " : "", omniheap_heap_name(set.h[i]));
    if (omniheap_heap_stats(set.h[i], &st) != OMNIHEAP_OK) continue;
    r->peak_heap += (unsigned long)st.peak;
    if ((unsigned long)st.largest_free > r->largest_free) r->largest_free = (unsigned long)st.largest_free;
  }
  m = (map_t *)calloc(1, sizeof *m);
  if (m == NULL) return;
  if (f->own_arena) {
    for (i = 0; i < set.n; ++i) (void)omniheap_heap_walk(set.h[i], extent_cb, m);
    m->base = m->lo;
    m->span = m->hi > m->lo ? (size_t)(m->hi - m->lo) : 1;
  } else {
    m->base = (uintptr_t)buf;
    m->span = cfg->region;
  }
  for (i = 0; i < set.n; ++i) {
    if (omniheap_heap_walk(set.h[i], map_cb, m) == OMNIHEAP_ERR_CORRUPT)
      snprintf(r->note, sizeof r->note, "heap walk: inconsistent metadata");
  }
  r->used_blocks = m->used_blocks;
  r->free_blocks = m->free_blocks;
  map_text(m, r->map);
#if SIM_HOSTED
  if (cfg->out != NULL && !m->oom) {
    char path[4200], dist[160];
    dist_text(&cfg->dist, dist, sizeof dist);
    snprintf(path, sizeof path, "%s/%s-seed%u.svg", cfg->out, f->name, r->seed);
    if (cfg->dist.kind == DIST_TRACE) snprintf(path, sizeof path, "%s/%s-trace.svg", cfg->out, f->name);
    if (write_svg(path, f->name, r, m, dist, f->own_arena) != 0)
      snprintf(r->note, sizeof r->note, "cannot write %.200s: %.60s", path, strerror(errno));
  }
  free(m->blocks);
#endif
  free(m);
  (void)d;
  if (!f->own_arena)
    for (i = 0; i < set.n; ++i) (void)omniheap_heap_unregister(set.h[i]);
}

static void cost_result(result_t *r, const driver_t *d, uint64_t overhead_milli) {
  uint64_t net;
  r->ops = d->calls;
  r->cost_kind = g_cost_kind;
  if (g_cost_kind == COST_NONE || d->calls == 0) return;
  net = d->cost * 1000u;
  net = net > overhead_milli * d->calls ? net - overhead_milli * d->calls : 0;
  r->cost_milli_per_op = net / d->calls;
}

/* The Knuth workload until the first failed allocation (or the cap). */
static void run_knuth(driver_t *d, const config_t *cfg, unsigned seed, result_t *r, pq_t *q) {
  rng_t rng;
  uint64_t step = 0;
  unsigned long live_bytes = 0;
  rng_seed(&rng, seed);
  for (;;) {
    double t, lifetime;
    uint32_t size;
    void *p;
    live_t b;
    ++step;
    t = (double)step;
    while (q->n > 0 && q->a[0].death <= t) {
      b = pq_pop(q);
      drive_free(d, (unsigned long)b.order, b.p);
      live_bytes -= b.size;
    }
    if (cfg->cap != 0 && d->calls >= cfg->cap) {
      r->status = RUN_CAPPED;
      --step;
      break;
    }
    size = draw_size(&cfg->dist, &rng);
    lifetime = 2.0 * pow(cfg->h / 2.0, rng_unit(&rng));
    p = drive_alloc(d, (unsigned long)step, size);
    if (p == NULL) {
      r->status = RUN_FAILED;
      r->fail_size = size;
      break;
    }
    b.death = t + lifetime;
    b.order = step;
    b.p = p;
    b.size = size;
    if (!pq_push(q, b)) {
      d->f->release(p);
      r->status = RUN_ERROR;
      snprintf(r->note, sizeof r->note, "stopped: more than %lu live blocks (the simulator's table)",
               (unsigned long)q->cap);
      break;
    }
    live_bytes += size;
    if (live_bytes > r->peak_req) r->peak_req = live_bytes;
  }
  r->steps = (unsigned long)step;
  r->live_blocks = (unsigned long)q->n;
  r->live_bytes = live_bytes;
}

/* ---- trace replay (host) ------------------------------------------------------------------------ */

#if SIM_HOSTED
typedef struct {
  char kind;     /* 'a' or 'f' */
  uint32_t size; /* 'a' */
  uint32_t slot; /* 'a': its ordinal; 'f': the ordinal of the block it frees, or UINT32_MAX */
} trace_op_t;

typedef struct {
  trace_op_t *ops;
  size_t n, n_allocs, unknown_frees;
} trace_t;

static trace_t g_trace;

typedef struct {
  unsigned long long id;
  size_t index;
} trace_key_t;

static int key_cmp(const void *x, const void *y) {
  const trace_key_t *a = (const trace_key_t *)x, *b = (const trace_key_t *)y;
  if (a->id != b->id) return a->id < b->id ? -1 : 1;
  return a->index < b->index ? -1 : a->index > b->index;
}

/* Reads a trace file; resolves every free to the latest allocation of its
 * id before it (frees of ids with no live block are skipped at replay). */
static int load_trace(const char *path, trace_t *t) {
  FILE *f = fopen(path, "r");
  char line[256];
  unsigned long lineno = 0;
  size_t cap = 0, i;
  trace_key_t *keys = NULL;
  if (f == NULL) {
    fprintf(stderr, "omniheap-sim: %s: %s\n", path, strerror(errno));
    return -1;
  }
  memset(t, 0, sizeof *t);
  while (fgets(line, sizeof line, f) != NULL) {
    char *s = line, *end;
    unsigned long long id, size = 0;
    char kind;
    ++lineno;
    while (*s == ' ' || *s == '\t') ++s;
    if (*s == '#' || *s == '\n' || *s == '\r' || *s == '\0') continue;
    kind = *s++;
    if ((kind != 'a' && kind != 'f') || (*s != ' ' && *s != '\t')) goto bad;
    id = strtoull(s, &end, 10);
    if (end == s) goto bad;
    s = end;
    if (kind == 'a') {
      size = strtoull(s, &end, 10);
      if (end == s || size == 0 || size > UINT32_MAX) goto bad;
      s = end;
    }
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n') ++s;
    if (*s != '\0') goto bad;
    if (t->n == cap) {
      trace_op_t *o;
      trace_key_t *k;
      cap = cap ? 2 * cap : 1024;
      o = (trace_op_t *)realloc(t->ops, cap * sizeof *o);
      if (o != NULL) t->ops = o;
      k = (trace_key_t *)realloc(keys, cap * sizeof *k);
      if (k != NULL) keys = k;
      if (o == NULL || k == NULL) {
        fprintf(stderr, "omniheap-sim: %s: out of memory\n", path);
        goto fail;
      }
    }
    t->ops[t->n].kind = kind;
    t->ops[t->n].size = (uint32_t)size;
    t->ops[t->n].slot = kind == 'a' ? (uint32_t)t->n_allocs++ : UINT32_MAX;
    keys[t->n].id = id;
    keys[t->n].index = t->n;
    ++t->n;
    continue;
  bad:
    fprintf(stderr, "omniheap-sim: %s:%lu: expected \"a <id> <size>\" (size 1..4294967295) or \"f <id>\": %s",
            path, lineno, line);
    goto fail;
  }
  fclose(f);
  f = NULL;
  qsort(keys, t->n, sizeof *keys, key_cmp);
  for (i = 0; i < t->n; ++i) {
    trace_op_t *op = &t->ops[keys[i].index];
    if (op->kind != 'f') continue;
    if (i > 0 && keys[i - 1].id == keys[i].id && t->ops[keys[i - 1].index].kind == 'a') {
      op->slot = t->ops[keys[i - 1].index].slot;
    } else {
      ++t->unknown_frees;
    }
  }
  free(keys);
  return 0;
fail:
  if (f != NULL) fclose(f);
  free(keys);
  free(t->ops);
  t->ops = NULL;
  return -1;
}

static void run_trace(driver_t *d, const config_t *cfg, result_t *r, void ***slots_out) {
  const size_t n = g_trace.n_allocs ? g_trace.n_allocs : 1;
  void **ptr = (void **)calloc(n, sizeof *ptr);
  uint32_t *size_of = (uint32_t *)calloc(n, sizeof *size_of);
  unsigned long live_bytes = 0, live_blocks = 0, steps = 0;
  size_t i;
  *slots_out = ptr;
  r->status = RUN_TRACE_END;
  if (ptr == NULL || size_of == NULL) {
    r->status = RUN_ERROR;
    snprintf(r->note, sizeof r->note, "out of memory");
    free(size_of);
    return;
  }
  for (i = 0; i < g_trace.n; ++i) {
    const trace_op_t *op = &g_trace.ops[i];
    if (cfg->cap != 0 && d->calls >= cfg->cap) {
      r->status = RUN_CAPPED;
      break;
    }
    if (op->kind == 'f') {
      if (op->slot == UINT32_MAX || ptr[op->slot] == NULL) continue;
      drive_free(d, op->slot, ptr[op->slot]);
      ptr[op->slot] = NULL;
      live_bytes -= size_of[op->slot];
      --live_blocks;
      continue;
    }
    ++steps;
    ptr[op->slot] = drive_alloc(d, op->slot, op->size);
    if (ptr[op->slot] == NULL) {
      r->status = RUN_FAILED;
      r->fail_size = op->size;
      break;
    }
    size_of[op->slot] = op->size;
    live_bytes += op->size;
    ++live_blocks;
    if (live_bytes > r->peak_req) r->peak_req = live_bytes;
  }
  free(size_of);
  r->steps = steps;
  r->live_blocks = live_blocks;
  r->live_bytes = live_bytes;
}
#endif

/* Runs one family with one seed on buf; fills r. */
static void run_one(const family_t *f, const config_t *cfg, unsigned seed, unsigned char *buf, result_t *r,
                    const char *record) {
  driver_t d;
  pq_t q;
  uint64_t overhead;
  size_t i;
  void **slots = NULL;
  memset(r, 0, sizeof *r);
  memset(&d, 0, sizeof d);
  memset(&q, 0, sizeof q);
  r->seed = seed;
  r->region = (unsigned long)(f->own_arena ? (size_t)OMNIHEAP_CONF_HEAPMEM_ARENA_SIZE : cfg->region);
#if !SIM_HOSTED
  /* A block lives at most ceil(H) steps: ceil(H) + 1 are live at once. */
  q.cap = (size_t)ceil(cfg->h) + 2u;
  q.a = (live_t *)malloc(q.cap * sizeof *q.a);
  if (q.a == NULL) {
    r->status = RUN_ERROR;
    snprintf(r->note, sizeof r->note, "no memory for %lu live blocks", (unsigned long)q.cap);
    return;
  }
#endif
  /* Every run starts on a zeroed region, in a forked child or not. */
  memset(buf, 0, cfg->region);
  if (f->init(buf, cfg->region, r->note, sizeof r->note) != 0) {
    r->status = RUN_SKIPPED;
    free(q.a);
    return;
  }
  d.f = f;
#if SIM_HOSTED
  if (record != NULL) {
    char dist[160];
    d.rec = fopen(record, "w");
    if (d.rec == NULL) {
      snprintf(r->note, sizeof r->note, "cannot write %.200s: %.60s", record, strerror(errno));
    } else {
      dist_text(&cfg->dist, dist, sizeof dist);
      fprintf(d.rec,
              "# omniheap-sim trace: family %s, seed %u, region %lu B, %s sizes\n"
              "# a <id> <size>: allocate; f <id>: free (replay: --dist trace:FILE)\n",
              f->name, seed, (unsigned long)cfg->region, dist);
    }
  }
  cost_open();
#else
  (void)record;
#endif
  overhead = cost_overhead_milli();
#if SIM_HOSTED
  if (cfg->dist.kind == DIST_TRACE) {
    run_trace(&d, cfg, r, &slots);
  } else
#endif
  {
    run_knuth(&d, cfg, seed, r, &q);
  }
  cost_result(r, &d, overhead);
#if SIM_HOSTED
  cost_close();
  if (d.rec != NULL && fclose(d.rec) != 0)
    snprintf(r->note, sizeof r->note, "cannot write %.200s: %.60s", record, strerror(errno));
#endif
  finish_run(f, cfg, buf, r, &d);
  /* Free what is still live, so that the next run starts clean. */
  for (i = 0; i < q.n; ++i) f->release(q.a[i].p);
  free(q.a);
#if SIM_HOSTED
  if (slots != NULL) {
    for (i = 0; i < g_trace.n_allocs; ++i)
      if (slots[i] != NULL) f->release(slots[i]);
    free(slots);
  }
#else
  (void)slots;
#endif
}

/* ---- output ---------------------------------------------------------------------------------------------- */

/* num / den as a percentage with two decimals (integer arithmetic: no
 * floating-point printf needed on newlib-nano). */
static void pct_text(char *buf, size_t n, unsigned long num, unsigned long den) {
  const uint64_t v = den ? ((uint64_t)num * 10000u + den / 2) / den : 0;
  snprintf(buf, n, "%lu.%02lu", (unsigned long)(v / 100), (unsigned long)(v % 100));
}

static void cost_text(char *buf, size_t n, const result_t *r) {
  if (r->cost_kind == COST_NONE) {
    snprintf(buf, n, "n/a");
  } else {
    const uint64_t v = (r->cost_milli_per_op + 50) / 100; /* tenths */
    snprintf(buf, n, "%lu.%lu", (unsigned long)(v / 10), (unsigned long)(v % 10));
  }
}

static const char *status_text(run_status_t s) {
  switch (s) {
  case RUN_CAPPED: return "no failure (--ops cap)";
  case RUN_TRACE_END: return "no failure (end of trace)";
  case RUN_SKIPPED: return "skipped";
  case RUN_ERROR: return "stopped";
  case RUN_FAILED: break;
  }
  return "";
}

static void print_heading(cost_kind_t k) {
  printf("  %-6s %7s %8s %7s %7s %9s %9s %8s %8s %13s\n", "seed", "steps", "ops", "util %", "live", "peak req",
         "peak heap", "failed", "largest", cost_heading(k));
}

static void print_row(const result_t *r, int trace) {
  char pct[24], cost[24], seed[16], failed[24];
  if (trace) {
    snprintf(seed, sizeof seed, "trace");
  } else {
    snprintf(seed, sizeof seed, "%u", r->seed);
  }
  if (r->status == RUN_SKIPPED) {
    printf("  %-6s skipped: %s\n", seed, r->note);
    return;
  }
  if (r->status == RUN_FAILED) {
    pct_text(pct, sizeof pct, r->live_bytes, r->region);
  } else {
    snprintf(pct, sizeof pct, "-");
  }
  cost_text(cost, sizeof cost, r);
  if (r->status == RUN_FAILED) {
    snprintf(failed, sizeof failed, "%lu", r->fail_size);
  } else {
    snprintf(failed, sizeof failed, "-");
  }
  printf("  %-6s %7lu %8lu %7s %7lu %9lu %9lu %8s %8lu %13s", seed, r->steps, r->ops, pct, r->live_blocks,
         r->peak_req, r->peak_heap, failed, r->largest_free, cost);
  if (r->status != RUN_FAILED) printf("  %s", status_text(r->status));
  if (r->note[0] != '\0') printf("  (%s)", r->note);
  printf("\n");
}

/* Means over the runs that ran; utilisation over those that failed. */
typedef struct {
  unsigned runs, failed;
  uint64_t steps, ops, live, peak_req, peak_heap, largest, cost_milli;
  unsigned long util_min, util_max; /* millionths */
  uint64_t util_sum;
  unsigned costed;
  cost_kind_t cost_kind;
} summary_t;

static void summarise(summary_t *s, const result_t *r) {
  if (r->status == RUN_SKIPPED) return;
  ++s->runs;
  s->steps += r->steps;
  s->ops += r->ops;
  s->live += r->live_blocks;
  s->peak_req += r->peak_req;
  s->peak_heap += r->peak_heap;
  s->largest += r->largest_free;
  if (r->cost_kind != COST_NONE) {
    s->cost_milli += r->cost_milli_per_op;
    ++s->costed;
    s->cost_kind = r->cost_kind;
  }
  if (r->status == RUN_FAILED && r->region != 0) {
    const unsigned long u = (unsigned long)(((uint64_t)r->live_bytes * 1000000u + r->region / 2) / r->region);
    if (s->failed == 0 || u < s->util_min) s->util_min = u;
    if (s->failed == 0 || u > s->util_max) s->util_max = u;
    s->util_sum += u;
    ++s->failed;
  }
}

/* Utilisation in millionths to hundredths of a percent (rounded). */
static uint64_t ppm_to_hundredths(uint64_t ppm) { return (ppm + 50u) / 100u; }

static void hundredths(char *buf, size_t n, uint64_t v) {
  snprintf(buf, n, "%lu.%02lu", (unsigned long)(v / 100), (unsigned long)(v % 100));
}

#if SIM_HOSTED
static void print_mean_row(const summary_t *s) {
  char util[24], cost[24];
  result_t r;
  if (s->runs == 0) return;
  if (s->failed > 0) {
    hundredths(util, sizeof util, ppm_to_hundredths((s->util_sum + s->failed / 2) / s->failed));
  } else {
    snprintf(util, sizeof util, "-");
  }
  memset(&r, 0, sizeof r);
  r.cost_kind = s->costed ? s->cost_kind : COST_NONE;
  r.cost_milli_per_op = s->costed ? s->cost_milli / s->costed : 0;
  cost_text(cost, sizeof cost, &r);
  printf("  %-6s %7lu %8lu %7s %7lu %9lu %9lu %8s %8lu %13s\n", "mean", (unsigned long)(s->steps / s->runs),
         (unsigned long)(s->ops / s->runs), util, (unsigned long)(s->live / s->runs),
         (unsigned long)(s->peak_req / s->runs), (unsigned long)(s->peak_heap / s->runs), "",
         (unsigned long)(s->largest / s->runs), cost);
}

#endif

static void print_summary_line(const char *name, const summary_t *s, const char *why) {
  char mean[24], lo[24], hi[24], cost[24];
  result_t r;
  if (why != NULL) {
    printf("  %-9s %s\n", name, why);
    return;
  }
  memset(&r, 0, sizeof r);
  r.cost_kind = s->costed ? s->cost_kind : COST_NONE;
  r.cost_milli_per_op = s->costed ? s->cost_milli / s->costed : 0;
  cost_text(cost, sizeof cost, &r);
  if (s->failed > 0) {
    hundredths(mean, sizeof mean, ppm_to_hundredths((s->util_sum + s->failed / 2) / s->failed));
    hundredths(lo, sizeof lo, ppm_to_hundredths(s->util_min));
    hundredths(hi, sizeof hi, ppm_to_hundredths(s->util_max));
  } else {
    snprintf(mean, sizeof mean, "-");
    snprintf(lo, sizeof lo, "-");
    snprintf(hi, sizeof hi, "-");
  }
  printf("  %-9s %4u/%-4u %7s %7s %7s %9lu %9lu %9lu %13s\n", name, s->failed, s->runs, mean, lo, hi,
         (unsigned long)(s->ops / s->runs), (unsigned long)(s->peak_req / s->runs),
         (unsigned long)(s->peak_heap / s->runs), cost);
}

static void print_legend(void) {
  printf("steps: allocations until the first failure, the failed one included; ops: allocator calls\n"
         "(allocations and frees); util %%: live requested bytes / region at the first failure; live:\n"
         "blocks live then; peak req: high-water mark of live requested bytes; peak heap: the heap's\n"
         "own high-water mark (omniheap_stats_t.peak: whole chunks, headers included); failed: the\n"
         "request that failed; largest: the largest free block then (a request size).\n");
}

/* ---- host: command line and forked runs --------------------------------------------------------------------- */

#if SIM_HOSTED
static void usage(FILE *out) {
  fprintf(out,
          "usage: omniheap-sim [options]\n"
          "  --region BYTES      size of every heap's region (default 131072)\n"
          "  --seeds A..B        seeds A to B (default 1..20); a single number for one seed\n"
          "  --dist D            schoofs (default) | uniform:LO:HI | trace:FILE\n"
          "  --families LIST     comma-separated, or all (default):\n"
          "                      heapmem,sys_heap,k_heap,emh,ffit,buddy,ebuddy,mmt\n"
          "  --out DIR           directory of the SVG heap maps (default build/sim)\n"
          "  --no-svg            write no SVG\n"
          "  --text-map          also print a one-line text heap map per run\n"
          "  --record FILE       write the operations of the first run as a trace file\n"
          "  --ops N             stop a run without failure after N allocator calls\n"
          "  --in-process        run everything in this process, one region reused, as on an MCU\n"
          "                      (no fork: at most %d emh runs, heapmem's arena shared)\n"
          "  --help              this text\n"
          "Trace files: one operation per line, \"a <id> <size>\" or \"f <id>\"; '#' starts a comment.\n",
          (int)EMH_MALLOC_N_HEAPS);
}

static int parse_ulong(const char *s, unsigned long *v) {
  char *end;
  if (s == NULL || *s < '0' || *s > '9') return -1;
  errno = 0;
  *v = strtoul(s, &end, 10);
  return errno != 0 || *end != '\0' ? -1 : 0;
}

static int parse_dist(const char *s, dist_t *d) {
  memset(d, 0, sizeof *d);
  if (strcmp(s, "schoofs") == 0) {
    d->kind = DIST_SCHOOFS;
    return 0;
  }
  if (strncmp(s, "uniform:", 8) == 0) {
    char *end;
    unsigned long lo, hi;
    errno = 0;
    lo = strtoul(s + 8, &end, 10);
    if (end == s + 8 || *end != ':') return -1;
    hi = strtoul(end + 1, &end, 10);
    if (*end != '\0' || errno != 0 || lo == 0 || hi < lo || hi > UINT32_MAX - 1) return -1;
    d->kind = DIST_UNIFORM;
    d->lo = (uint32_t)lo;
    d->hi = (uint32_t)hi;
    return 0;
  }
  if (strncmp(s, "trace:", 6) == 0 && s[6] != '\0') {
    d->kind = DIST_TRACE;
    d->path = s + 6;
    return 0;
  }
  return -1;
}

/* Runs one (family, seed) in a forked child; its result comes back through
 * a pipe. A child that dies is reported, not fatal. */
static void run_forked(const family_t *f, const config_t *cfg, unsigned seed, result_t *r, const char *record) {
  int fds[2];
  pid_t pid;
  int status;
  size_t got = 0;
  memset(r, 0, sizeof *r);
  r->seed = seed;
  r->status = RUN_ERROR;
  if (pipe(fds) != 0) {
    snprintf(r->note, sizeof r->note, "pipe: %s", strerror(errno));
    return;
  }
  fflush(stdout);
  fflush(stderr);
  pid = fork();
  if (pid < 0) {
    snprintf(r->note, sizeof r->note, "fork: %s", strerror(errno));
    close(fds[0]);
    close(fds[1]);
    return;
  }
  if (pid == 0) {
    result_t mine;
    unsigned char *buf;
    const unsigned char *p;
    size_t left;
    close(fds[0]);
    buf = (unsigned char *)malloc(cfg->region); /* zeroed (touched) by run_one() */
    if (buf == NULL) {
      memset(&mine, 0, sizeof mine);
      mine.status = RUN_ERROR;
      snprintf(mine.note, sizeof mine.note, "no memory for the region");
    } else {
      run_one(f, cfg, seed, buf, &mine, record);
    }
    fflush(stdout);
    p = (const unsigned char *)&mine;
    left = sizeof mine;
    while (left > 0) {
      const ssize_t w = write(fds[1], p, left);
      if (w <= 0) _exit(1);
      p += w;
      left -= (size_t)w;
    }
    _exit(0);
  }
  close(fds[1]);
  while (got < sizeof *r) {
    const ssize_t n = read(fds[0], (unsigned char *)r + got, sizeof *r - got);
    if (n <= 0) break;
    got += (size_t)n;
  }
  close(fds[0]);
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (got != sizeof *r) {
    memset(r, 0, sizeof *r);
    r->seed = seed;
    r->status = RUN_ERROR;
    if (WIFSIGNALED(status)) {
      snprintf(r->note, sizeof r->note, "the run crashed (signal %d)", WTERMSIG(status));
    } else {
      snprintf(r->note, sizeof r->note, "the run ended without a result (exit status %d)",
               WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    }
  }
}

int main(int argc, char **argv) {
  config_t cfg;
  unsigned long first = 1, last = 20, v;
  const char *families = "all";
  const char *record = NULL;
  int record_done = 0, svg = 1, in_process = 0, i;
  unsigned char *region_buf = NULL;
  int selected[N_FAMILIES];
  summary_t sums[N_FAMILIES];
  const char *why[N_FAMILIES];
  static char notes[N_FAMILIES][sizeof(((result_t *)0)->note)];
  size_t k;
  char dist[160];

  memset(&cfg, 0, sizeof cfg);
  cfg.region = 131072;
  cfg.dist.kind = DIST_SCHOOFS;
  cfg.out = "build/sim";
  for (i = 1; i < argc; ++i) {
    const char *a = argv[i];
    const char *val = i + 1 < argc ? argv[i + 1] : NULL;
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      usage(stdout);
      return 0;
    } else if (strcmp(a, "--no-svg") == 0) {
      svg = 0;
      continue;
    } else if (strcmp(a, "--text-map") == 0) {
      cfg.text_map = 1;
      continue;
    } else if (strcmp(a, "--in-process") == 0) {
      in_process = 1;
      continue;
    }
    if (strcmp(a, "--region") != 0 && strcmp(a, "--seeds") != 0 && strcmp(a, "--dist") != 0 &&
        strcmp(a, "--families") != 0 && strcmp(a, "--out") != 0 && strcmp(a, "--record") != 0 &&
        strcmp(a, "--ops") != 0) {
      fprintf(stderr, "omniheap-sim: unknown option %s (--help)\n", a);
      return 2;
    }
    if (val == NULL) {
      fprintf(stderr, "omniheap-sim: %s needs a value (--help)\n", a);
      return 2;
    }
    ++i;
    if (strcmp(a, "--region") == 0) {
      if (parse_ulong(val, &v) != 0 || v < 256 || v > 0x7fffffffUL) {
        fprintf(stderr, "omniheap-sim: --region %s: a number of bytes from 256 to 2^31-1\n", val);
        return 2;
      }
      cfg.region = v;
    } else if (strcmp(a, "--seeds") == 0) {
      const char *dots = strstr(val, "..");
      char lo[32];
      if (dots == NULL) {
        if (parse_ulong(val, &first) != 0) goto bad_seeds;
        last = first;
      } else {
        if ((size_t)(dots - val) >= sizeof lo) goto bad_seeds;
        memcpy(lo, val, (size_t)(dots - val));
        lo[dots - val] = '\0';
        if (parse_ulong(lo, &first) != 0 || parse_ulong(dots + 2, &last) != 0) goto bad_seeds;
      }
      if (last < first || first > 0xffffffffUL || last > 0xffffffffUL || last - first >= 100000) goto bad_seeds;
    } else if (strcmp(a, "--dist") == 0) {
      if (parse_dist(val, &cfg.dist) != 0) {
        fprintf(stderr, "omniheap-sim: --dist %s: schoofs, uniform:LO:HI (1 <= LO <= HI) or trace:FILE\n", val);
        return 2;
      }
    } else if (strcmp(a, "--families") == 0) {
      families = val;
    } else if (strcmp(a, "--out") == 0) {
      cfg.out = val;
    } else if (strcmp(a, "--record") == 0) {
      record = val;
    } else if (strcmp(a, "--ops") == 0) {
      if (parse_ulong(val, &cfg.cap) != 0 || cfg.cap == 0) {
        fprintf(stderr, "omniheap-sim: --ops %s: a positive number\n", val);
        return 2;
      }
    } else {
      fprintf(stderr, "omniheap-sim: unknown option %s (--help)\n", a);
      return 2;
    }
    continue;
  bad_seeds:
    fprintf(stderr, "omniheap-sim: --seeds %s: A..B with A <= B (at most 100000 seeds), or one number\n", val);
    return 2;
  }
  if (!svg) cfg.out = NULL;

  /* Families: "all" or a list of names. */
  for (k = 0; k < N_FAMILIES; ++k) selected[k] = strcmp(families, "all") == 0;
  if (strcmp(families, "all") != 0) {
    const char *s = families;
    while (*s != '\0') {
      const char *e = strchr(s, ',');
      const size_t n = e ? (size_t)(e - s) : strlen(s);
      int found = 0;
      for (k = 0; k < N_FAMILIES; ++k) {
        if (strlen(g_families[k].name) == n && strncmp(g_families[k].name, s, n) == 0) {
          selected[k] = found = 1;
        }
      }
      if (!found) {
        fprintf(stderr, "omniheap-sim: --families: unknown family '%.*s' (heapmem, sys_heap, k_heap, emh, ffit, "
                        "buddy, ebuddy, mmt)\n", (int)n, s);
        return 2;
      }
      s += n;
      if (*s == ',') ++s;
    }
  }

  if (cfg.dist.kind == DIST_TRACE) {
    if (load_trace(cfg.dist.path, &g_trace) != 0) return 2;
    first = last = 0;
  } else {
    cfg.h = solve_h(dist_mean(&cfg.dist), 1.5 * (double)cfg.region);
  }
  if (cfg.out != NULL && mkdir_p(cfg.out) != 0) {
    fprintf(stderr, "omniheap-sim: cannot create %s: %s\n", cfg.out, strerror(errno));
    return 2;
  }

  /* The cost measure (each child opens its own counter). */
  cost_open();
  cost_close();

  dist_text(&cfg.dist, dist, sizeof dist);
  printf("omniheap-sim (omniheap %s): region %lu B, %s sizes", omniheap_version_string(),
         (unsigned long)cfg.region, dist);
  if (cfg.dist.kind == DIST_TRACE) {
    printf(" (%lu operations, %lu allocations%s)\n", (unsigned long)g_trace.n, (unsigned long)g_trace.n_allocs,
           g_trace.unknown_frees ? ", some frees of unknown ids, skipped" : "");
  } else {
    const unsigned long hh = (unsigned long)(cfg.h * 10.0 + 0.5);
    printf(", lifetimes log-uniform in [2, %lu.%lu], seeds %lu..%lu\n", hh / 10, hh % 10, first, last);
  }
  if (g_cost_kind == COST_INSNS) {
    printf("cost: user-mode instructions per allocator call (perf_event_open), timer reads subtracted\n");
  } else {
    printf("cost: no instruction counter (%s): nanoseconds per allocator call from clock_gettime,\n"
           "      timer overhead subtracted; noisy, for rough comparison only\n",
           g_cost_why);
  }
  if (cfg.cap) printf("cap: a run stops without failure after %lu allocator calls\n", cfg.cap);

  for (k = 0; k < N_FAMILIES; ++k) {
    const family_t *f = &g_families[k];
    unsigned long s;
    int first_row = 1;
    memset(&sums[k], 0, sizeof sums[k]);
    why[k] = NULL;
    if (!selected[k]) continue;
    printf("\n%s\n", f->name);
    if (f->missing != NULL) {
      printf("  %s: %s\n", f->name, f->missing);
      why[k] = f->missing;
      continue;
    }
    {
      char reason[300];
      if (f->own_arena && cfg.region != (size_t)OMNIHEAP_CONF_HEAPMEM_ARENA_SIZE) {
        (void)f->init(NULL, cfg.region, reason, sizeof reason);
        printf("  skipped: %s\n", reason);
        why[k] = "skipped (arena size differs from the region; see above)";
        continue;
      }
    }
    for (s = first; s <= last; ++s) {
      result_t r;
      const char *rec = record != NULL && !record_done ? record : NULL;
      if (in_process) {
        if (region_buf == NULL) region_buf = (unsigned char *)calloc(1, cfg.region);
        if (region_buf == NULL) {
          fprintf(stderr, "omniheap-sim: no memory for the region\n");
          return 1;
        }
        run_one(f, &cfg, (unsigned)s, region_buf, &r, rec);
      } else {
        run_forked(f, &cfg, (unsigned)s, &r, rec);
      }
      if (rec != NULL) record_done = 1;
      if (first_row) print_heading(r.cost_kind != COST_NONE ? r.cost_kind : g_cost_kind);
      first_row = 0;
      print_row(&r, cfg.dist.kind == DIST_TRACE);
      if (cfg.text_map && r.map[0] != '\0') printf("         [%s]\n", r.map);
      summarise(&sums[k], &r);
      if (r.status == RUN_SKIPPED || r.status == RUN_ERROR) snprintf(notes[k], sizeof notes[k], "%s", r.note);
    }
    if (last > first) print_mean_row(&sums[k]);
  }

  printf("\nsummary (utilisation over the runs that failed)\n");
  printf("  %-9s %9s %7s %7s %7s %9s %9s %9s %13s\n", "family", "fail/runs", "util %", "min", "max",
         "ops", "peak req", "peak heap", cost_heading(g_cost_kind));
  for (k = 0; k < N_FAMILIES; ++k) {
    if (!selected[k]) continue;
    if (why[k] == NULL && sums[k].runs == 0) why[k] = notes[k][0] != '\0' ? notes[k] : "no run completed";
    print_summary_line(g_families[k].name, &sums[k], why[k]);
  }
  printf("\n");
  print_legend();
  if (cfg.out != NULL)
    printf("heap maps at the first failure: %s/<family>-%s.svg\n", cfg.out,
           cfg.dist.kind == DIST_TRACE ? "trace" : "seed<N>");
  if (record != NULL && record_done) printf("trace of the first run: %s\n", record);
  return 0;
}

#else /* MCU */

int main(void) {
  config_t cfg;
  summary_t sums[N_FAMILIES];
  const char *why[N_FAMILIES];
  size_t k;
  unsigned long hh;
  char dist[32];
  unsigned char *region;
  memset(&cfg, 0, sizeof cfg);
  /* The region comes from the C library's heap (after stdio has taken its
   * buffers): SIM_MCU_REGION bytes, or half as much as often as needed on a
   * part with little RAM. */
  printf("omniheap-sim (omniheap %s)\n", omniheap_version_string());
  cfg.region = SIM_MCU_REGION;
  while ((region = (unsigned char *)malloc(cfg.region)) == NULL && cfg.region > 1024) cfg.region /= 2;
  if (region == NULL) {
    printf("omniheap-sim: no memory for a region of %lu B\n", (unsigned long)cfg.region);
    return 1;
  }
  cfg.dist.kind = DIST_SCHOOFS;
  cfg.h = solve_h(dist_mean(&cfg.dist), 1.5 * (double)cfg.region);
  hh = (unsigned long)(cfg.h * 10.0 + 0.5);
  dist_text(&cfg.dist, dist, sizeof dist);
  printf("region %lu B%s, %s sizes, lifetimes log-uniform in [2, %lu.%lu], seed %u\n", (unsigned long)cfg.region,
         cfg.region < SIM_MCU_REGION ? " (less than SIM_MCU_REGION: the C library's heap is too small)" : "", dist,
         hh / 10, hh % 10, (unsigned)SIM_MCU_SEED);
  printf("cost: n/a (no instruction counter is read on this target)\n");
  printf("heap maps: '#' used, '.' free, '-' headers and metadata; %lu B per character\n",
         (unsigned long)(cfg.region / MAP_CELLS));
  for (k = 0; k < N_FAMILIES; ++k) {
    const family_t *f = &g_families[k];
    result_t r;
    memset(&sums[k], 0, sizeof sums[k]);
    why[k] = NULL;
    printf("\n%s\n", f->name);
    if (f->missing != NULL) {
      printf("  %s: %s\n", f->name, f->missing);
      why[k] = f->missing;
      continue;
    }
    run_one(f, &cfg, SIM_MCU_SEED, region, &r, NULL);
    if (r.status == RUN_SKIPPED) {
      printf("  skipped: %s\n", r.note);
      why[k] = f->own_arena ? "skipped (arena size differs from the region; see above)" : "skipped (see above)";
      continue;
    }
    print_heading(COST_NONE);
    print_row(&r, 0);
    if (r.map[0] != '\0') printf("  map [%s]\n", r.map);
    summarise(&sums[k], &r);
  }
  printf("\nsummary\n");
  printf("  %-9s %9s %7s %7s %7s %9s %9s %9s %13s\n", "family", "fail/runs", "util %", "min", "max", "ops",
         "peak req", "peak heap", cost_heading(COST_NONE));
  for (k = 0; k < N_FAMILIES; ++k) print_summary_line(g_families[k].name, &sums[k], why[k]);
  printf("\n");
  print_legend();
  return 0;
}
#endif
