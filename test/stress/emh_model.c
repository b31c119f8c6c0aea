/*
 * Seeded reference-model stress of emh_malloc ("emh_malloc.h"), black box
 * (host; run under ThreadSanitizer by `make test`, in the locked-tsan build).
 *
 *   stress-emh_model [SEED [OPS]]
 *       defaults: a fixed seed; OPS 1000000, or 200000 when built with
 *       -fsanitize=thread (about 1 s, and 8 s under TSan on two cores);
 *       part B runs OPS / 4 operations per worker and phase
 *
 * emh heaps can never be destroyed: the program creates every heap of the
 * library once (OMNIHEAP_CONF_EMH_N_HEAPS, default 2, up to 8 used) and
 * every part uses them. `make test` runs it with the default library and
 * with one built with 8 heaps (lane emh8-model).
 *
 * Part 0, creation: two threads call emh_create() at the same moment, each
 * on its own 128 KiB region; they get the ids 0 and 1 (one each), the
 * registry has "emh0" and "emh1", and a third create returns -1.
 *
 * Part A, single thread, OPS operations on both heaps: emh_malloc,
 * emh_calloc, emh_realloc (grow, shrink, to 0) and emh_free of random live
 * blocks, sizes 1..2048 log-uniform (as many of 1..2 as of 1025..2048),
 * plus now and then calls that must do nothing (bad ids, size 0,
 * emh_realloc(NULL, n), emh_free(NULL)). A shadow list per heap, sorted by
 * address, holds every live block with its size, fill pattern and chunk
 * bytes. Checked after each operation: the block lies inside its heap's
 * region, is aligned to EMH_MALLOC_BYTE_ALIGNMENT (at least 8), overlaps no
 * live block; calloc zeroes; realloc keeps min(old, new) bytes, stays in
 * the block's heap and returns the same pointer when it shrinks; a block's
 * contents are intact when it is freed or resized. The native statistics
 * (omniheap_heap_stats) agree with the model after every operation:
 * live_blocks, allocations, frees; in_use is the sum of the blocks' chunk
 * bytes (each block's bytes measured when it was allocated: at least its
 * size, at most size + 4 pointers + the alignment, see MAX_OVERHEAD; a free
 * gives back exactly what its block took), in_use + free_bytes == capacity, and
 * an allocation of at most largest_free bytes does not fail. Every 1000
 * operations and at the end: omniheap_heap_validate() of both heaps, every
 * live block's contents, a heap walk with as many blocks in use as the
 * model. Phases of 20000 operations alternate between filling and draining.
 *
 * Part B, threads: two workers, each with its own shadow list of blocks.
 *   phase 1 ("own heaps"): worker t uses only heap t;
 *   phase 2 ("shared heaps"): with N = 2 there is no third heap to share,
 *     so each worker also uses the other worker's heap: every allocation
 *     picks heap 0 or 1 at random, so both heaps are hammered by both
 *     threads at once; blocks are also handed to the other worker through
 *     a mailbox and freed or resized there (emh_free/emh_realloc on a block
 *     another thread allocated, in either heap).
 * Every block is filled with its own pattern and checked when it is freed,
 * resized or handed over, and every 256 operations; every block lies in
 * its heap's region. Meanwhile the main thread reads both heaps' statistics
 * and validates them in a loop. After each phase (workers joined): every
 * live block (both lists and the mailbox) is inside its region, intact and
 * disjoint from the others, the registry's live_blocks per heap equals the
 * count (no block lost or duplicated), allocations - frees agrees too, both
 * heaps validate; the main thread then frees everything and both heaps are
 * empty.
 *
 * The seed is printed; a failure prints the part and operation number.
 * Closing line: "N passed, N failed" (one test case per part).
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "emh_malloc.h"
#include "oh_test.h"
#include "omniheap.h"

#define DEFAULT_SEED 0xE3A110C5u
#define DEFAULT_OPS (UNDER_TSAN ? 200000UL : 1000000UL)
#define CHECK_EVERY 1000UL

/* Every heap of the library (up to 8): part 0 creates them all and part A
 * spreads its operations over them; part B's two workers use heaps 0 and 1.
 * `make test` also runs a library built with 8 heaps (lane emh8-model). */
#if EMH_MALLOC_N_HEAPS < 2
#error "stress-emh_model needs at least 2 emh heaps"
#endif
#define NHEAPS (EMH_MALLOC_N_HEAPS < 8 ? EMH_MALLOC_N_HEAPS : 8)
#define REGION_BYTES (128U * 1024U)
#define BLOCK_ALIGN (EMH_MALLOC_BYTE_ALIGNMENT > 8 ? EMH_MALLOC_BYTE_ALIGNMENT : 8)
#define MAX_SIZE 2048U
/* Upper bound of the chunk bytes of a block of n bytes beyond n: upstream's
 * one header (2 pointers), rounding to the alignment, and a rest too small
 * to be split off (upstream splits only rests larger than 2 headers; the
 * bound allows one header). */
#define MAX_OVERHEAD (4U * sizeof(void *) + (size_t)BLOCK_ALIGN)

static union {
  unsigned char b[REGION_BYTES];
  uint64_t align8;
} regions[NHEAPS] __attribute__((aligned(64)));

/* Filled in by part 0: the region and registry entry of heap id. */
static unsigned char *region_of[NHEAPS];
static omniheap_heap_t *entry_of[NHEAPS];
static int heaps_ok;

static uint64_t seed;
static unsigned long total_ops;

/* ---- random numbers ------------------------------------------------------------------------- */

static uint64_t splitmix(uint64_t *state) {
  uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}
static size_t below(uint64_t *state, size_t n) { return (size_t)(splitmix(state) % n); }

/* 1..2048, log-uniform: a power-of-two range 2^0..2^11 first, then uniform in it. */
static size_t random_size(uint64_t *state) {
  size_t bits = below(state, 11);            /* 0..10 */
  size_t lo = (size_t)1 << bits, n = lo + below(state, lo + 1U); /* lo .. 2 lo */
  return n > MAX_SIZE ? MAX_SIZE : n;
}

/* ---- helpers ---------------------------------------------------------------------------------- */

/* A block's contents: its 32-bit tag (unique per block) in its first bytes,
 * then pseudo-random bytes from an offset chosen by the tag. Written and
 * compared with memcpy/memcmp (fast, also under ThreadSanitizer). */
#define PATTERN_OFFSETS 1024U
static unsigned char pattern_src[PATTERN_OFFSETS + MAX_SIZE];
static const unsigned char zeros[MAX_SIZE];

static void init_pattern(void) {
  uint64_t state = 0x0123456789ABCDEFULL;
  size_t i;
  for (i = 0; i < sizeof pattern_src; ++i) pattern_src[i] = (unsigned char)(splitmix(&state) >> 56);
}
static const unsigned char *pattern_of(uint32_t tag) { return pattern_src + (tag * 2654435761u) % PATTERN_OFFSETS; }
static void fill(unsigned char *p, size_t n, uint32_t tag) {
  memcpy(p, pattern_of(tag), n);
  memcpy(p, &tag, n < sizeof tag ? n : sizeof tag);
}
static int intact(const unsigned char *p, size_t n, uint32_t tag) {
  size_t head = n < sizeof tag ? n : sizeof tag;
  return memcmp(p, &tag, head) == 0 && memcmp(p + head, pattern_of(tag) + head, n - head) == 0;
}
static int all_zero(const unsigned char *p, size_t n) { return memcmp(p, zeros, n) == 0; }
static int in_region(const void *p, size_t n, int id) {
  uintptr_t x = (uintptr_t)p, m = (uintptr_t)region_of[id];
  return x >= m && x + n <= m + REGION_BYTES;
}
static int aligned(const void *p) { return (uintptr_t)p % (uintptr_t)BLOCK_ALIGN == 0U; }

static omniheap_stats_t stats_of(int id) {
  omniheap_stats_t s = OMNIHEAP_STATS_INIT;
  if (omniheap_heap_stats(entry_of[id], &s) != OMNIHEAP_OK) memset(&s, 0xFF, sizeof s);
  return s;
}

/* ---- part 0: creation ----------------------------------------------------------------------- */

static pthread_barrier_t start_line;
static int created_id[NHEAPS];

static void *creator_main(void *arg) {
  int t = (int)(intptr_t)arg;
  pthread_barrier_wait(&start_line);
  created_id[t] = emh_create(regions[t].b, REGION_BYTES);
  return NULL;
}

static void part0_concurrent_create(void) {
  pthread_t th[NHEAPS];
  int t;
  OH_REQUIRE(pthread_barrier_init(&start_line, NULL, NHEAPS) == 0);
  for (t = 0; t < NHEAPS; ++t)
    OH_REQUIRE(pthread_create(&th[t], NULL, creator_main, (void *)(intptr_t)t) == 0);
  for (t = 0; t < NHEAPS; ++t) pthread_join(th[t], NULL);
  pthread_barrier_destroy(&start_line);
  for (t = 0; t < NHEAPS; ++t) {
    int u;
    char name[8];
    OH_REQUIRE(created_id[t] >= 0 && created_id[t] < NHEAPS);
    for (u = 0; u < t; ++u) OH_REQUIRE(created_id[u] != created_id[t]); /* one id each */
    region_of[created_id[t]] = regions[t].b;
    snprintf(name, sizeof name, "emh%d", t);
    entry_of[t] = omniheap_heap_find_name(name);
    OH_REQUIRE(entry_of[t] != NULL);
    for (u = 0; u < t; ++u) OH_REQUIRE(entry_of[u] != entry_of[t]);
  }
  for (t = 0; t < NHEAPS; ++t) {
    omniheap_stats_t s = stats_of(t);
    OH_CHECK(omniheap_heap_family(entry_of[t]) == OMNIHEAP_FAMILY_EMH);
    OH_CHECK(s.capacity > 0U && s.capacity <= REGION_BYTES);
    OH_CHECK(s.in_use == 0U && s.live_blocks == 0U);
    OH_CHECK(omniheap_heap_validate(entry_of[t]) == OMNIHEAP_OK);
  }
  {
    static union {
      unsigned char b[1024];
      uint64_t align8;
    } spare;
    OH_CHECK(emh_create(spare.b, sizeof spare.b) == -1); /* the table is full */
  }
  heaps_ok = oh_test_case_failures() == 0;
}

/* ---- part A: the single-threaded model ------------------------------------------------------ */

struct block {
  unsigned char *p;
  size_t size;
  size_t chunk; /* in_use bytes the block takes */
  uint32_t tag;
};

#define MAX_LIVE 8192
struct model {
  int id;
  struct block live[MAX_LIVE]; /* sorted by address */
  size_t n;
  size_t in_use;                       /* sum of chunk */
  uint64_t allocations, frees;         /* expected registry counters (deltas from the start) */
  uint64_t allocations0, frees0;       /* registry counters at the start */
  omniheap_stats_t last;               /* statistics after the previous operation */
};

static struct model models[NHEAPS];
static uint32_t next_tag;
static unsigned long op_no;
static unsigned fails;
static unsigned long n_malloc, n_calloc, n_realloc, n_free, n_null, n_noop;

/* Allocations of at most largest_free bytes that failed: counted apart, so
 * that the rest of the model still runs to the end when they happen. */
static unsigned long promise_fails;
static size_t promise_worst; /* largest (largest_free - size) among them */
static void broken_promise(int id, const char *what, size_t promised, size_t size) {
  if (promise_fails < 3U)
    printf("  part A: heap %d: op %lu: %s (%zu bytes, largest_free %zu)\n", id, op_no, what, size, promised);
  if (promised - size > promise_worst) promise_worst = promised - size;
  ++promise_fails;
}

static void fail(int id, const char *what) {
  if (fails < 12U) printf("  part A: heap %d: op %lu: %s\n", id, op_no, what);
  ++fails;
}

static size_t lower_bound(const struct model *m, const unsigned char *p) {
  size_t lo = 0, hi = m->n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2U;
    if ((uintptr_t)m->live[mid].p < (uintptr_t)p) lo = mid + 1U;
    else hi = mid;
  }
  return lo;
}

/* Checks a block just returned for heap m and inserts it (no overlap). */
static void insert(struct model *m, unsigned char *p, size_t size, size_t chunk, uint32_t tag) {
  size_t k = lower_bound(m, p);
  if (!in_region(p, size, m->id)) fail(m->id, "block outside its heap's region");
  if (!aligned(p)) fail(m->id, "block not aligned");
  if (m->n >= MAX_LIVE) {
    fail(m->id, "model full");
    return;
  }
  if (k < m->n && m->live[k].p == p) {
    fail(m->id, "a live block handed out again");
    return;
  }
  if (k > 0U && (uintptr_t)m->live[k - 1U].p + m->live[k - 1U].size > (uintptr_t)p)
    fail(m->id, "new block overlaps the block below it");
  if (k < m->n && (uintptr_t)p + size > (uintptr_t)m->live[k].p)
    fail(m->id, "new block overlaps the block above it");
  memmove(&m->live[k + 1U], &m->live[k], (m->n - k) * sizeof m->live[0]);
  m->live[k].p = p;
  m->live[k].size = size;
  m->live[k].chunk = chunk;
  m->live[k].tag = tag;
  ++m->n;
  m->in_use += chunk;
}

/* Records the chunk bytes of the live block at p. */
static void set_chunk(struct model *m, const unsigned char *p, long long chunk) {
  size_t k = lower_bound(m, p);
  if (k >= m->n || m->live[k].p != p || chunk <= 0) return;
  m->live[k].chunk = (size_t)chunk;
  m->in_use += (size_t)chunk;
}

static struct block remove_at(struct model *m, size_t k) {
  struct block b = m->live[k];
  memmove(&m->live[k], &m->live[k + 1U], (m->n - k - 1U) * sizeof m->live[0]);
  --m->n;
  m->in_use -= b.chunk;
  return b;
}

/* Statistics after an operation on heap m: agree with the model. Returns
 * the change of in_use since the previous operation. */
static long long settle_counters(struct model *m, int counters) {
  omniheap_stats_t s = stats_of(m->id);
  long long delta = (long long)s.in_use - (long long)m->last.in_use;
  if (s.live_blocks != m->n) fail(m->id, "registry live_blocks differs from the model");
  if (counters && s.allocations - m->allocations0 != m->allocations)
    fail(m->id, "registry allocations differ from the model");
  if (counters && s.frees - m->frees0 != m->frees) fail(m->id, "registry frees differ from the model");
  if (s.in_use + s.free_bytes != s.capacity) fail(m->id, "in_use + free_bytes != capacity");
  m->last = s;
  return delta;
}
static long long settle(struct model *m) { return settle_counters(m, 1); }
static void check_in_use(struct model *m) {
  if (m->last.in_use != m->in_use) fail(m->id, "registry in_use differs from the model's chunk bytes");
}
static int chunk_plausible(size_t chunk, size_t size) { return chunk >= size && chunk <= size + MAX_OVERHEAD; }

static void do_alloc(struct model *m, uint64_t *rng, int zeroed) {
  size_t size = random_size(rng), n = 1, each = size;
  size_t promised = m->last.largest_free;
  unsigned char *p;
  long long delta;
  if (zeroed) { /* n elements of `each` bytes */
    n = 1U + below(rng, 8);
    each = (size + n - 1U) / n;
    size = n * each;
    p = (unsigned char *)emh_calloc((emh_heapId_t)m->id, n, each);
    ++n_calloc;
  } else {
    p = (unsigned char *)emh_malloc((emh_heapId_t)m->id, size);
    ++n_malloc;
  }
  if (p == NULL) {
    ++n_null;
    if (size <= promised) broken_promise(m->id, "allocation of at most largest_free bytes failed", promised, size);
    delta = settle(m);
    if (delta != 0) fail(m->id, "a failed allocation changed in_use");
    return;
  }
  ++m->allocations;
  if (zeroed && !all_zero(p, size)) fail(m->id, "calloc block not zeroed");
  fill(p, size, ++next_tag);
  insert(m, p, size, 0U, next_tag);
  delta = settle(m);
  if (delta <= 0 || !chunk_plausible((size_t)delta, size)) fail(m->id, "implausible chunk bytes of a new block");
  set_chunk(m, p, delta);
  check_in_use(m);
}

static void do_free(struct model *m, uint64_t *rng, int via_realloc) {
  size_t k;
  struct block b;
  long long delta;
  if (m->n == 0U) return;
  k = below(rng, m->n);
  b = remove_at(m, k);
  if (!intact(b.p, b.size, b.tag)) fail(m->id, "block contents changed before free");
  if (via_realloc) {
    if (emh_realloc(b.p, 0) != NULL) fail(m->id, "emh_realloc(p, 0) did not return NULL");
  } else {
    emh_free(b.p);
  }
  ++n_free;
  ++m->frees;
  delta = settle(m);
  if (delta != -(long long)b.chunk) fail(m->id, "a free did not give back the block's chunk bytes");
  check_in_use(m);
}

static void do_realloc(struct model *m, uint64_t *rng) {
  size_t k, size, keep;
  struct block b;
  unsigned char *q;
  long long delta;
  size_t promised = m->last.largest_free;
  if (m->n == 0U) return;
  k = below(rng, m->n);
  size = random_size(rng);
  b = m->live[k];
  ++n_realloc;
  q = (unsigned char *)emh_realloc(b.p, size);
  if (q == NULL) {
    ++n_null;
    if (size <= b.size) fail(m->id, "shrinking realloc failed");
    if (size <= promised) broken_promise(m->id, "realloc to at most largest_free bytes failed", promised, size);
    delta = settle(m);
    if (delta != 0) fail(m->id, "a failed realloc changed in_use");
    if (!intact(b.p, b.size, b.tag)) fail(m->id, "a failed realloc changed the block");
    return;
  }
  keep = size < b.size ? size : b.size;
  if (!intact(q, keep, b.tag)) fail(m->id, "realloc lost contents");
  if (size <= b.size && q != b.p) fail(m->id, "shrinking realloc moved the block");
  b = remove_at(m, k);
  fill(q, size, b.tag);
  insert(m, q, size, 0U, b.tag);
  delta = settle_counters(m, 0);
  {
    /* A realloc that succeeds may count as an allocation and a free (a
     * move), or as neither: only the difference is fixed. */
    uint64_t a = m->last.allocations - m->allocations0, f = m->last.frees - m->frees0;
    if (a - f != m->allocations - m->frees) fail(m->id, "realloc changed allocations - frees");
    if (a < m->allocations || f < m->frees) fail(m->id, "realloc lowered a counter");
    m->allocations = a;
    m->frees = f;
  }
  {
    long long chunk = (long long)b.chunk + delta;
    if (q == b.p) {
      if (chunk < (long long)size) fail(m->id, "in-place realloc: chunk smaller than the block");
    } else if (chunk <= 0 || !chunk_plausible((size_t)chunk, size)) { /* a new chunk; the old one freed */
      fail(m->id, "implausible chunk bytes of a moved block");
    }
    set_chunk(m, q, chunk);
  }
  check_in_use(m);
}

/* Calls that must change nothing. */
static void do_noop(struct model *m, uint64_t *rng) {
  static const int bad_ids[] = {-1, -128, EMH_MALLOC_N_HEAPS, EMH_MALLOC_N_HEAPS + 3, 126, 127};
  ++n_noop;
  switch (below(rng, 5)) {
  case 0:
    if (emh_malloc((emh_heapId_t)bad_ids[below(rng, 6)], random_size(rng)) != NULL) fail(m->id, "bad id gave a block");
    break;
  case 1:
    if (emh_malloc((emh_heapId_t)m->id, 0) != NULL) fail(m->id, "emh_malloc(id, 0) gave a block");
    break;
  case 2:
    if (emh_realloc(NULL, random_size(rng)) != NULL) fail(m->id, "emh_realloc(NULL, n) gave a block");
    break;
  case 3:
    emh_free(NULL);
    break;
  default:
    if (emh_calloc((emh_heapId_t)m->id, SIZE_MAX / 4U + 1U, 8) != NULL) fail(m->id, "calloc overflow gave a block");
    break;
  }
  (void)settle(m);
  check_in_use(m);
}

struct walk_ctx {
  int id;
  size_t used, outside;
};
static int walk_cb(const omniheap_block_t *b, void *context) {
  struct walk_ctx *w = (struct walk_ctx *)context;
  if (!in_region(b->address, b->size, w->id)) ++w->outside;
  if (b->used) ++w->used;
  return 0;
}

static void full_check(struct model *m) {
  size_t i;
  struct walk_ctx w;
  if (omniheap_heap_validate(entry_of[m->id]) != OMNIHEAP_OK) fail(m->id, "omniheap_heap_validate failed");
  for (i = 0; i < m->n; ++i)
    if (!intact(m->live[i].p, m->live[i].size, m->live[i].tag)) {
      fail(m->id, "a live block's contents changed");
      break;
    }
  w.id = m->id;
  w.used = 0;
  w.outside = 0;
  if (omniheap_heap_walk(entry_of[m->id], walk_cb, &w) != OMNIHEAP_OK) fail(m->id, "walk failed");
  if (w.used != m->n) fail(m->id, "walk: blocks in use differ from the model");
  if (w.outside != 0U) fail(m->id, "walk: a block outside the region");
}

static void partA_single_thread_model(void) {
  uint64_t rng = seed;
  int id;
  OH_REQUIRE(heaps_ok);
  for (id = 0; id < NHEAPS; ++id) {
    struct model *m = &models[id];
    m->id = id;
    m->last = stats_of(id);
    m->allocations0 = m->last.allocations;
    m->frees0 = m->last.frees;
  }
  for (op_no = 0; op_no < total_ops; ++op_no) {
    struct model *m = &models[below(&rng, NHEAPS)];
    int filling = (op_no / 20000UL) % 2UL == 0UL;
    size_t dice = below(&rng, 100);
    size_t alloc_below = filling ? 45U : 22U, free_below = alloc_below + (filling ? 27U : 53U);
    if (dice < alloc_below) {
      do_alloc(m, &rng, dice % 5U == 0U);
    } else if (dice < free_below) {
      do_free(m, &rng, dice % 16U == 0U);
    } else if (dice < 98U) {
      do_realloc(m, &rng);
    } else {
      do_noop(m, &rng);
    }
    if ((op_no + 1UL) % CHECK_EVERY == 0UL) {
      full_check(&models[0]);
      full_check(&models[1]);
    }
    if (fails > 50U) break;
  }
  for (id = 0; id < NHEAPS; ++id) {
    struct model *m = &models[id];
    printf("  part A: heap %d: %zu live blocks, %zu bytes in use at the end\n", id, m->n, m->in_use);
    full_check(m);
    while (m->n > 0U) do_free(m, &rng, 0);
    {
      omniheap_stats_t s = stats_of(id);
      if (s.in_use != 0U || s.live_blocks != 0U) fail(id, "not empty after freeing every block");
    }
    full_check(m);
  }
  printf("  part A: %lu ops: %lu malloc, %lu calloc, %lu realloc, %lu free, %lu NULL, %lu no-op calls\n",
         op_no, n_malloc, n_calloc, n_realloc, n_free, n_null, n_noop);
  if (promise_fails != 0U)
    printf("  part A: %lu allocations of at most largest_free bytes failed (largest_free - size up to %zu)\n",
           promise_fails, promise_worst);
  OH_CHECK(fails == 0U);
  OH_CHECK(promise_fails == 0U);
}

/* ---- part B: threads ------------------------------------------------------------------------- */

#define T_LIVE 512 /* up to 3/4 of it live: enough to fill a heap now and then */
#define MAILBOX 64

struct tblock {
  unsigned char *p;
  size_t size;
  uint32_t tag;
  int heap;
};

struct worker {
  int t;
  int phase; /* 1: own heap, 2: both heaps, with handovers */
  unsigned long ops;
  uint64_t rng;
  struct tblock live[T_LIVE];
  size_t n;
  unsigned long allocs[NHEAPS], frees[NHEAPS], nulls;
  unsigned long handed, taken;
  unsigned failures;
  char first_failure[120];
};

static struct worker workers[2];
static atomic_int workers_running;

/* The mailbox between the workers (phase 2). */
static pthread_mutex_t mailbox_lock = PTHREAD_MUTEX_INITIALIZER;
static struct tblock mailbox[MAILBOX];
static size_t mailbox_n;

static void wfail(struct worker *w, unsigned long op, const char *what) {
  if (w->failures++ == 0U)
    snprintf(w->first_failure, sizeof w->first_failure, "worker %d, phase %d, op %lu: %s", w->t, w->phase, op, what);
}

static uint32_t wtag(struct worker *w, unsigned long op) {
  return (uint32_t)((uint32_t)w->t << 28 | (uint32_t)w->phase << 24 | (uint32_t)(op & 0xFFFFFFu));
}

static int heap_of_block(const struct tblock *b) { return b->heap; }

static void w_release(struct worker *w, unsigned long op, struct tblock b) {
  if (!intact(b.p, b.size, b.tag)) wfail(w, op, "block contents changed (a block given out twice?)");
  if (!in_region(b.p, b.size, heap_of_block(&b))) wfail(w, op, "block outside its heap's region");
  emh_free(b.p);
  ++w->frees[b.heap];
}

static void w_alloc(struct worker *w, unsigned long op) {
  int heap = w->phase == 1 ? w->t : (int)below(&w->rng, NHEAPS);
  size_t size = random_size(&w->rng);
  int zeroed = below(&w->rng, 4) == 0U;
  unsigned char *p = zeroed ? (unsigned char *)emh_calloc((emh_heapId_t)heap, 1, size)
                            : (unsigned char *)emh_malloc((emh_heapId_t)heap, size);
  struct tblock *b;
  if (p == NULL) {
    ++w->nulls;
    return;
  }
  ++w->allocs[heap];
  if (!in_region(p, size, heap)) wfail(w, op, "new block outside its heap's region");
  if (!aligned(p)) wfail(w, op, "new block not aligned");
  if (zeroed && !all_zero(p, size)) wfail(w, op, "calloc block not zeroed");
  b = &w->live[w->n++];
  b->p = p;
  b->size = size;
  b->heap = heap;
  b->tag = wtag(w, op);
  fill(p, size, b->tag);
}

static void w_realloc(struct worker *w, unsigned long op) {
  size_t k = below(&w->rng, w->n), size = random_size(&w->rng), keep;
  struct tblock *b = &w->live[k];
  unsigned char *q;
  if (!intact(b->p, b->size, b->tag)) wfail(w, op, "block contents changed before realloc");
  q = (unsigned char *)emh_realloc(b->p, size);
  if (q == NULL) {
    ++w->nulls;
    if (size <= b->size) wfail(w, op, "shrinking realloc failed");
    if (!intact(b->p, b->size, b->tag)) wfail(w, op, "a failed realloc changed the block");
    return;
  }
  keep = size < b->size ? size : b->size;
  if (!intact(q, keep, b->tag)) wfail(w, op, "realloc lost contents");
  if (!in_region(q, size, b->heap)) wfail(w, op, "realloc left the block's heap");
  if (size <= b->size && q != b->p) wfail(w, op, "shrinking realloc moved the block");
  b->p = q;
  b->size = size;
  fill(q, size, b->tag);
}

static void w_hand_over(struct worker *w, unsigned long op) {
  struct tblock give, got;
  int have_got = 0, gave = 0;
  size_t k = below(&w->rng, w->n);
  give = w->live[k];
  pthread_mutex_lock(&mailbox_lock);
  if (mailbox_n > 0U && below(&w->rng, 2) == 0U) {
    got = mailbox[--mailbox_n];
    have_got = 1;
  } else if (mailbox_n < MAILBOX) {
    mailbox[mailbox_n++] = give;
    gave = 1;
  }
  pthread_mutex_unlock(&mailbox_lock);
  if (gave) {
    w->live[k] = w->live[--w->n];
    ++w->handed;
  }
  if (have_got) {
    ++w->taken;
    if (!intact(got.p, got.size, got.tag)) wfail(w, op, "handed-over block changed");
    if (!in_region(got.p, got.size, got.heap)) wfail(w, op, "handed-over block outside its heap's region");
    if (w->n < T_LIVE && below(&w->rng, 2) == 0U) {
      w->live[w->n++] = got; /* adopted: resized or freed here later */
    } else {
      emh_free(got.p);
      ++w->frees[got.heap];
    }
  }
}

static void *worker_main(void *arg) {
  struct worker *w = (struct worker *)arg;
  unsigned long op;
  for (op = 0; op < w->ops; ++op) {
    size_t dice = below(&w->rng, 100);
    size_t target = (op / 4000UL) % 2UL == 0UL ? T_LIVE * 3U / 4U : T_LIVE / 4U;
    if (w->n == 0U || (dice < 45U && w->n < target && w->n < T_LIVE)) {
      w_alloc(w, op);
    } else if (dice < 75U) {
      size_t k = below(&w->rng, w->n);
      struct tblock b = w->live[k];
      w->live[k] = w->live[--w->n];
      if (dice % 8U == 0U) { /* emh_realloc(p, 0) frees too */
        if (!intact(b.p, b.size, b.tag)) wfail(w, op, "block contents changed before realloc(p, 0)");
        if (emh_realloc(b.p, 0) != NULL) wfail(w, op, "emh_realloc(p, 0) did not return NULL");
        ++w->frees[b.heap];
      } else {
        w_release(w, op, b);
      }
    } else if (w->phase == 2 && dice < 85U) {
      w_hand_over(w, op);
    } else {
      w_realloc(w, op);
    }
    if (op % 256U == 255U) {
      size_t i;
      for (i = 0; i < w->n; ++i)
        if (!intact(w->live[i].p, w->live[i].size, w->live[i].tag)) {
          wfail(w, op, "a live block's contents changed");
          break;
        }
    }
  }
  atomic_fetch_sub(&workers_running, 1);
  return NULL;
}

/* Every live block of both workers and the mailbox. */
static struct tblock all_blocks[2 * T_LIVE + MAILBOX];
static int by_address(const void *a, const void *b) {
  uintptr_t x = (uintptr_t)((const struct tblock *)a)->p, y = (uintptr_t)((const struct tblock *)b)->p;
  return x < y ? -1 : x > y;
}

static void run_phase(int phase, unsigned long ops_per_worker) {
  pthread_t th[2];
  int t, id;
  size_t n = 0, i, count[NHEAPS] = {0, 0};
  unsigned long polls = 0;
  omniheap_stats_t s0[NHEAPS];
  for (id = 0; id < NHEAPS; ++id) s0[id] = stats_of(id);
  atomic_store(&workers_running, 2);
  for (t = 0; t < 2; ++t) {
    struct worker *w = &workers[t];
    memset(w, 0, sizeof *w);
    w->t = t;
    w->phase = phase;
    w->ops = ops_per_worker;
    w->rng = seed ^ (0x1234567ULL * (uint64_t)(t + 1)) ^ ((uint64_t)phase << 40);
    OH_REQUIRE(pthread_create(&th[t], NULL, worker_main, w) == 0);
  }
  /* Statistics and validation while the workers run. */
  while (atomic_load(&workers_running) > 0) {
    for (id = 0; id < NHEAPS; ++id) {
      omniheap_stats_t s = stats_of(id);
      if (s.in_use + s.free_bytes != s.capacity) {
        OH_CHECK(s.in_use + s.free_bytes == s.capacity);
        break;
      }
      if (polls % 8U == 0U) OH_CHECK(omniheap_heap_validate(entry_of[id]) == OMNIHEAP_OK);
    }
    ++polls;
    {
      struct timespec nap = {0, 200000L};
      nanosleep(&nap, NULL);
    }
  }
  for (t = 0; t < 2; ++t) pthread_join(th[t], NULL);
  for (t = 0; t < 2; ++t) {
    struct worker *w = &workers[t];
    if (w->failures != 0U) {
      printf("  part B: %u failures; first: %s\n", w->failures, w->first_failure);
      OH_CHECK(w->failures == 0U);
    }
    printf("  part B phase %d, worker %d: %lu ops, allocs %lu + %lu, frees %lu + %lu, %lu NULL, "
           "%lu handed over, %lu taken, %zu live\n",
           phase, t, w->ops, w->allocs[0], w->allocs[1], w->frees[0], w->frees[1], w->nulls, w->handed,
           w->taken, w->n);
    for (i = 0; i < w->n; ++i) all_blocks[n++] = w->live[i];
  }
  printf("  part B phase %d: %lu statistics polls by the main thread, %zu blocks in the mailbox\n", phase,
         polls, mailbox_n);
  for (i = 0; i < mailbox_n; ++i) all_blocks[n++] = mailbox[i];
  mailbox_n = 0;
  /* No block lost or duplicated: disjoint, intact, in their regions, counted. */
  qsort(all_blocks, n, sizeof all_blocks[0], by_address);
  for (i = 0; i < n; ++i) {
    const struct tblock *b = &all_blocks[i];
    ++count[b->heap];
    OH_CHECK(in_region(b->p, b->size, b->heap));
    OH_CHECK(intact(b->p, b->size, b->tag));
    if (i > 0U) OH_CHECK((uintptr_t)all_blocks[i - 1U].p + all_blocks[i - 1U].size <= (uintptr_t)b->p);
  }
  for (id = 0; id < NHEAPS; ++id) {
    omniheap_stats_t s = stats_of(id);
    uint64_t allocs = workers[0].allocs[id] + workers[1].allocs[id];
    uint64_t frees = workers[0].frees[id] + workers[1].frees[id];
    OH_CHECK_EQ_INT(s.live_blocks, count[id]);
    OH_CHECK_EQ_INT(allocs - frees, count[id]);
    /* Moving reallocs may count as an allocation and a free each. */
    OH_CHECK((s.allocations - s0[id].allocations) - (s.frees - s0[id].frees) == allocs - frees);
    OH_CHECK(s.allocations - s0[id].allocations >= allocs);
    OH_CHECK(omniheap_heap_validate(entry_of[id]) == OMNIHEAP_OK);
    if (phase == 1 && id < 2) OH_CHECK(count[id] == workers[id].n); /* own heaps only */
    if (phase == 1 && id >= 2) OH_CHECK_EQ_INT(count[id], 0); /* phase 1: heaps 0 and 1 only */
  }
  for (i = 0; i < n; ++i) emh_free(all_blocks[i].p);
  for (id = 0; id < NHEAPS; ++id) {
    omniheap_stats_t s = stats_of(id);
    OH_CHECK_EQ_INT(s.live_blocks, 0);
    OH_CHECK_EQ_INT(s.in_use, 0);
    OH_CHECK(omniheap_heap_validate(entry_of[id]) == OMNIHEAP_OK);
  }
}

static unsigned long ops_b(void) {
  unsigned long n = total_ops / 4UL;
  return n < 1000UL ? 1000UL : n;
}

static void partB1_own_heaps(void) {
  OH_REQUIRE(heaps_ok);
  run_phase(1, ops_b());
}

static void partB2_shared_heaps(void) {
  OH_REQUIRE(heaps_ok);
  run_phase(2, ops_b());
}

/* ---- main ----------------------------------------------------------------------------------- */

static double seconds(const struct timespec *a, const struct timespec *b) {
  return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}
static void timed_run(const char *name, oh_test_fn fn) {
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  oh_test_run(name, fn);
  clock_gettime(CLOCK_MONOTONIC, &b);
  printf("     (%s: %.2f s)\n", name, seconds(&a, &b));
}

int main(int argc, char **argv) {
  struct timespec t0, t1;
  seed = DEFAULT_SEED;
  total_ops = DEFAULT_OPS;
  if (argc > 1) seed = strtoull(argv[1], NULL, 0);
  if (argc > 2) total_ops = strtoul(argv[2], NULL, 0);
  init_pattern();
  printf("emh_model: seed %llu, %lu operations (part B: %lu per worker and phase)%s (replay: %s %llu %lu)\n",
         (unsigned long long)seed, total_ops, ops_b(), UNDER_TSAN ? ", ThreadSanitizer build" : "", argv[0],
         (unsigned long long)seed, total_ops);
  fflush(stdout);
  clock_gettime(CLOCK_MONOTONIC, &t0);
  timed_run("part0_concurrent_create", part0_concurrent_create);
  timed_run("partA_single_thread_model", partA_single_thread_model);
  timed_run("partB1_own_heaps", partB1_own_heaps);
  timed_run("partB2_shared_heaps", partB2_shared_heaps);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  printf("emh_model: %.2f s in total\n", seconds(&t0, &t1));
  return oh_test_summary();
}
