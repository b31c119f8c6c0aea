/*
 * Seeded reference-model stress of sys_heap (a 64 KiB heap) and of the
 * heapmem arena, black box (host only).
 *
 *   stress-heaps_model [SEED [OPS [EVERY]]]
 *       defaults: a fixed seed, 1000000 operations, EVERY 1000
 *
 * OPS operations in total (60 % on sys_heap, 40 % on heapmem): allocations
 * (plain, aligned with and without the rewind encoding, calloc), reallocs
 * (plain, aligned, to and from NULL and 0) and frees of random live blocks,
 * with sizes 1..512 mostly and up to 4 KiB now and then. A shadow list,
 * sorted by address, holds every live block with its requested size and a
 * fill pattern. After every operation the changed block is checked: inside
 * the heap's buffer (sys_heap), aligned, usable size >= request, no overlap
 * with its neighbours, contents kept across realloc up to min(old, new);
 * and the statistics: sys_heap's allocated_bytes equals the model's sum of
 * chunk sizes (usable size + header + the gap before an aligned block, per
 * sys_heap.h), heapmem's chunk count equals the model's. Every 1000
 * operations and at the end: sys_heap_validate(), omniheap_heap_validate(),
 * every live block's contents, the registry's live_blocks, and a heap walk
 * whose blocks in use are exactly the model's. Every EVERY operations (1:
 * after each one, as `make test` runs it), the heap's own validation.
 *
 * The seed is printed; a failure prints the operation number, so a run can
 * be replayed with the same SEED and OPS. Closing line: "N passed, N failed".
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/heapmem.h"
#include "oh_test.h"
#include "omniheap.h"
#include <zephyr/sys/sys_heap.h>

#define DEFAULT_SEED 0x5EEDC0DEu
#define DEFAULT_OPS 1000000UL
#define CHECK_EVERY 1000UL
static unsigned long validate_every = CHECK_EVERY;

/* ---- random numbers ------------------------------------------------------------------------- */

static uint64_t rng_state;

static uint64_t rnd(void) { /* splitmix64 */
  uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}
static size_t below(size_t n) { return (size_t)(rnd() % n); }

/* Phases of 20000 operations alternate between filling the heap (50 %
 * allocations, 30 % frees) and emptying it (25 % / 55 %); the rest are
 * reallocs. Returns the two thresholds for a 0..99 dice. */
static void phase(unsigned long op, size_t *alloc_below, size_t *free_below) {
  int filling = (op / 20000UL) % 2UL == 0UL;
  *alloc_below = filling ? 50U : 25U;
  *free_below = *alloc_below + (filling ? 30U : 55U);
}

/* 1..512 mostly, up to 4 KiB now and then. */
static size_t random_size(void) {
  if (below(100) < 95U) return 1U + below(512);
  return 1U + below(4096);
}

/* ---- the model ------------------------------------------------------------------------------ */

struct block {
  unsigned char *p;
  size_t req;    /* bytes asked for (the pattern covers them) */
  size_t usable; /* sys_heap_usable_size() (sys_heap) or req (heapmem) */
  uint32_t tag;  /* pattern seed */
};

#define MAX_LIVE 8192
struct model {
  const char *name;
  struct block live[MAX_LIVE]; /* sorted by address */
  size_t n;
  size_t chunk_sum; /* sys_heap: sum of chunk bytes of the live blocks */
  uint32_t next_tag;
  unsigned long op; /* current operation number */
  unsigned failures;
  unsigned long allocs, failed_allocs, frees, reallocs, failed_reallocs;
};

static struct model sysm, hm;

static void fail(struct model *m, const char *what) {
  if (m->failures < 10U)
    printf("  %s: op %lu: %s\n", m->name, m->op, what);
  ++m->failures;
}

static unsigned char pat(uint32_t tag, size_t i) {
  return (unsigned char)((tag + (uint32_t)i * 0x3Bu) ^ (uint32_t)(i >> 8) ^ (tag >> 16));
}
static void fill(unsigned char *p, size_t n, uint32_t tag) {
  size_t i;
  for (i = 0; i < n; ++i) p[i] = pat(tag, i);
}
static int intact(const unsigned char *p, size_t n, uint32_t tag) {
  size_t i;
  for (i = 0; i < n; ++i)
    if (p[i] != pat(tag, i)) return 0;
  return 1;
}

/* Index of the first live block whose address is >= p. */
static size_t lower_bound(const struct model *m, const unsigned char *p) {
  size_t lo = 0, hi = m->n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2U;
    if ((uintptr_t)m->live[mid].p < (uintptr_t)p) lo = mid + 1U;
    else hi = mid;
  }
  return lo;
}

/* Adds a block; checks it overlaps neither neighbour. */
static void add_block(struct model *m, unsigned char *p, size_t req, size_t usable) {
  size_t k = lower_bound(m, p);
  struct block b;
  if (m->n >= MAX_LIVE) {
    fail(m, "model full");
    return;
  }
  if (k < m->n && m->live[k].p == p) {
    fail(m, "a live block handed out again");
    return;
  }
  if (k > 0U && (uintptr_t)m->live[k - 1U].p + m->live[k - 1U].usable > (uintptr_t)p)
    fail(m, "new block overlaps the block below it");
  if (k < m->n && (uintptr_t)p + usable > (uintptr_t)m->live[k].p)
    fail(m, "new block overlaps the block above it");
  b.p = p;
  b.req = req;
  b.usable = usable;
  b.tag = ++m->next_tag * 2654435761u;
  fill(p, req, b.tag);
  memmove(&m->live[k + 1U], &m->live[k], (m->n - k) * sizeof m->live[0]);
  m->live[k] = b;
  ++m->n;
}

static struct block remove_at(struct model *m, size_t k) {
  struct block b = m->live[k];
  memmove(&m->live[k], &m->live[k + 1U], (m->n - k - 1U) * sizeof m->live[0]);
  --m->n;
  return b;
}

static void check_all_contents(struct model *m) {
  size_t i;
  for (i = 0; i < m->n; ++i)
    if (!intact(m->live[i].p, m->live[i].req, m->live[i].tag)) {
      fail(m, "a live block's contents changed");
      return;
    }
}

/* The walk's blocks in use are exactly the model's blocks: each one holds
 * exactly one model block. (Where the walk starts an aligned sys_heap block
 * -- at the returned pointer or at its chunk's first usable byte -- is
 * checked by the conformance suite, not here.) */
struct walk_ctx {
  struct model *m;
  size_t used;
  unsigned bad;
};
static int walk_cb(const omniheap_block_t *b, void *context) {
  struct walk_ctx *w = (struct walk_ctx *)context;
  size_t k;
  if (!b->used) return 0;
  ++w->used;
  k = lower_bound(w->m, (const unsigned char *)b->address);
  if (k >= w->m->n || (uintptr_t)w->m->live[k].p - (uintptr_t)b->address >= 8U ||
      (uintptr_t)b->address + b->size < (uintptr_t)w->m->live[k].p + w->m->live[k].req ||
      (k + 1U < w->m->n &&
       (uintptr_t)w->m->live[k + 1U].p < (uintptr_t)b->address + b->size)) {
    if (w->bad == 0U)
      printf("  walk: used block %p size %lu; model has %p req %lu usable %lu\n", b->address,
             (unsigned long)b->size, k < w->m->n ? (void *)w->m->live[k].p : NULL,
             k < w->m->n ? (unsigned long)w->m->live[k].req : 0UL,
             k < w->m->n ? (unsigned long)w->m->live[k].usable : 0UL);
    ++w->bad;
  }
  return 0;
}
static void check_walk(struct model *m, omniheap_heap_t *h) {
  struct walk_ctx w;
  w.m = m;
  w.used = 0;
  w.bad = 0;
  if (omniheap_heap_walk(h, walk_cb, &w) != OMNIHEAP_OK) fail(m, "omniheap_heap_walk failed");
  if (w.used != m->n) fail(m, "walk: number of blocks in use differs from the model");
  if (w.bad != 0U) fail(m, "walk: a block in use is not in the model");
}

static void check_registry(struct model *m, omniheap_heap_t *h) {
  omniheap_stats_t s = OMNIHEAP_STATS_INIT;
  if (h == NULL || omniheap_heap_stats(h, &s) != OMNIHEAP_OK) {
    fail(m, "no registry entry");
    return;
  }
  if (s.live_blocks != m->n) fail(m, "registry live_blocks differs from the model");
  if (omniheap_heap_validate(h) != OMNIHEAP_OK) fail(m, "omniheap_heap_validate failed");
  check_walk(m, h);
}

/* ---- sys_heap ------------------------------------------------------------------------------- */

#define SYS_BYTES (64U * 1024U)
#define SYS_GUARD 32U
/* Page-aligned, so that a seed replays the same way in every build (aligned
 * allocations depend on the buffer's address modulo the alignment). */
static union {
  unsigned char b[SYS_BYTES + 2U * SYS_GUARD];
  uint64_t align8;
} sysbuf __attribute__((aligned(4096)));
#define SYS_MEM (sysbuf.b + SYS_GUARD)
static struct sys_heap sysh;
static size_t sys_hdr;
static size_t sys_total; /* free_bytes + allocated_bytes */

/* Chunk bytes of a block at p (sys_heap.h: usable = chunk - header - the gap
 * before an aligned block that does not start its chunk). */
static size_t chunk_bytes(const unsigned char *p, size_t usable) {
  uintptr_t base = (uintptr_t)sysh.heap;
  size_t gap = (size_t)(((uintptr_t)p - sys_hdr - base) % 8U);
  return usable + sys_hdr + gap;
}

/* Checks a block sys_heap just returned and records it. A realloc that kept
 * the block in place (`same`) keeps its old alignment. */
static void sys_take(unsigned char *p, size_t req, size_t align_a, size_t rewind, int same) {
  size_t u = sys_heap_usable_size(&sysh, p);
  if ((uintptr_t)p < (uintptr_t)SYS_MEM || (uintptr_t)p + u > (uintptr_t)SYS_MEM + SYS_BYTES)
    fail(&sysm, "block outside the heap's buffer");
  if (u < req) fail(&sysm, "usable size below the request");
  if (rewind != 0U || align_a > sys_hdr) {
    if (((uintptr_t)p + rewind) % align_a != 0U) fail(&sysm, "aligned block misaligned");
  } else if (!same && (uintptr_t)p % sys_hdr != 0U) {
    fail(&sysm, "plain block not aligned to the header size");
  }
  add_block(&sysm, p, req, u);
  sysm.chunk_sum += chunk_bytes(p, u);
}

static void sys_check_stats(void) {
  struct sys_memory_stats s;
  if (sys_heap_runtime_stats_get(&sysh, &s) != 0) {
    fail(&sysm, "runtime_stats_get failed");
    return;
  }
  if (s.allocated_bytes != sysm.chunk_sum) fail(&sysm, "allocated_bytes differs from the model");
  if (s.free_bytes + s.allocated_bytes != sys_total) fail(&sysm, "free + allocated changed");
}

/* A random alignment: a power of two 8..512, sometimes with a rewind bit. */
static void random_align(size_t *a, size_t *r) {
  *a = (size_t)8 << below(7);
  *r = 0;
  if (below(4) == 0U) {
    size_t choice = below(3);
    *r = choice == 0U ? 4U : choice == 1U ? sizeof(void *) : 8U;
    if (*r >= *a) *r = 0;
  }
}

static void sys_op(void) {
  size_t dice = below(100), alloc_below, free_below;
  phase(sysm.op, &alloc_below, &free_below);
  if (sysm.n == 0U || (dice < alloc_below && sysm.n < MAX_LIVE)) {
    /* allocation: plain, aligned, noalign, realloc(NULL) */
    size_t n = random_size(), a = 0, r = 0, kind = below(10);
    unsigned char *p;
    if (kind < 5U) {
      p = (unsigned char *)sys_heap_alloc(&sysh, n);
    } else if (kind < 8U) {
      random_align(&a, &r);
      p = (unsigned char *)sys_heap_aligned_alloc(&sysh, a | r, n);
    } else if (kind < 9U) {
      p = (unsigned char *)sys_heap_noalign_alloc(&sysh, 64, n);
    } else {
      p = (unsigned char *)sys_heap_realloc(&sysh, NULL, n);
    }
    ++sysm.allocs;
    if (p == NULL) ++sysm.failed_allocs;
    else sys_take(p, n, a, r, 0);
  } else if (dice < free_below) {
    /* free */
    size_t k = below(sysm.n);
    struct block b = remove_at(&sysm, k);
    if (!intact(b.p, b.req, b.tag)) fail(&sysm, "contents changed before free");
    sysm.chunk_sum -= chunk_bytes(b.p, b.usable);
    if (below(50) == 0U) {
      if (sys_heap_realloc(&sysh, b.p, 0) != NULL) fail(&sysm, "realloc(p, 0) returned a block");
    } else {
      sys_heap_free(&sysh, b.p);
    }
    ++sysm.frees;
  } else {
    /* realloc, sometimes aligned */
    size_t k = below(sysm.n), n = random_size(), a = 0, r = 0, keep;
    struct block b = sysm.live[k];
    unsigned char *q;
    int aligned = below(4) == 0U;
    if (!intact(b.p, b.req, b.tag)) fail(&sysm, "contents changed before realloc");
    if (aligned) random_align(&a, &r);
    q = aligned ? (unsigned char *)sys_heap_aligned_realloc(&sysh, b.p, a | r, n)
                : (unsigned char *)sys_heap_realloc(&sysh, b.p, n);
    ++sysm.reallocs;
    if (q == NULL) {
      ++sysm.failed_reallocs;
      if (!intact(b.p, b.req, b.tag)) fail(&sysm, "failed realloc changed the block");
      if (sys_heap_usable_size(&sysh, b.p) != b.usable) fail(&sysm, "failed realloc resized the block");
      return;
    }
    (void)remove_at(&sysm, k);
    sysm.chunk_sum -= chunk_bytes(b.p, b.usable);
    keep = b.req < n ? b.req : n;
    if (!intact(q, keep, b.tag)) fail(&sysm, "realloc lost contents");
    sys_take(q, n, aligned ? a : 0U, r, q == b.p);
  }
}

static void run_sys_heap(unsigned long ops) {
  struct sys_memory_stats s;
  omniheap_heap_t *h;
  unsigned long i;
  size_t k;
  memset(sysbuf.b, 0xC5, sizeof sysbuf.b);
  sys_heap_init(&sysh, SYS_MEM, SYS_BYTES);
  sys_hdr = (UINTPTR_MAX > 0xFFFFFFFFu || OMNIHEAP_CONF_SYS_HEAP_HEADERS == 2) ? 8U : 4U;
  OH_REQUIRE(sys_heap_runtime_stats_get(&sysh, &s) == 0);
  sys_total = s.free_bytes + s.allocated_bytes;
  h = omniheap_heap_find(&sysh);
  OH_REQUIRE(h != NULL);
  for (i = 0; i < ops && sysm.failures == 0U; ++i) {
    sysm.op = i;
    sys_op();
    sys_check_stats();
    if ((i + 1U) % validate_every == 0U && !sys_heap_validate(&sysh)) fail(&sysm, "sys_heap_validate failed");
    if ((i + 1U) % CHECK_EVERY == 0U) {
      if (!sys_heap_validate(&sysh)) fail(&sysm, "sys_heap_validate failed");
      check_all_contents(&sysm);
      check_registry(&sysm, h);
    }
  }
  sysm.op = i;
  if (!sys_heap_validate(&sysh)) fail(&sysm, "sys_heap_validate failed at the end");
  check_all_contents(&sysm);
  check_registry(&sysm, h);
  /* The guards around the buffer. */
  for (k = 0; k < SYS_GUARD; ++k)
    if (sysbuf.b[k] != 0xC5U || sysbuf.b[SYS_GUARD + SYS_BYTES + k] != 0xC5U) {
      fail(&sysm, "guard bytes around the heap changed");
      break;
    }
  printf("  sys_heap: %lu ops, %lu allocs (%lu NULL), %lu frees, %lu reallocs (%lu NULL), %zu live\n",
         i, sysm.allocs, sysm.failed_allocs, sysm.frees, sysm.reallocs, sysm.failed_reallocs, sysm.n);
  while (sysm.n > 0U) {
    struct block b = remove_at(&sysm, sysm.n - 1U);
    sysm.chunk_sum -= chunk_bytes(b.p, b.usable);
    sys_heap_free(&sysh, b.p);
  }
  OH_CHECK_EQ_INT(sys_heap_runtime_stats_get(&sysh, &s), 0);
  OH_CHECK_EQ_INT(s.allocated_bytes, 0);
  OH_CHECK_EQ_INT(s.free_bytes, sys_total);
  OH_CHECK(sys_heap_validate(&sysh));
  check_registry(&sysm, h);
  OH_CHECK_EQ_INT(sysm.failures, 0);
  omniheap_heap_unregister(h);
}

/* ---- heapmem -------------------------------------------------------------------------------- */

static size_t hm_align;

static void hm_take(unsigned char *p, size_t req) {
  if ((uintptr_t)p % hm_align != 0U) fail(&hm, "block not aligned to heapmem_alignment()");
  add_block(&hm, p, req, req);
}

static void hm_check_stats(void) {
  heapmem_stats_t s;
  heapmem_stats(&s);
  if (s.chunks != hm.n) fail(&hm, "heapmem_stats chunks differs from the model");
  if (s.allocated + s.overhead + s.available != (size_t)OMNIHEAP_CONF_HEAPMEM_ARENA_SIZE)
    fail(&hm, "allocated + overhead + available is not the arena");
  if (s.footprint > s.max_footprint) fail(&hm, "footprint above max_footprint");
  if (hm.n == 0U && s.footprint != 0U) fail(&hm, "footprint not 0 on an empty arena");
}

static void hm_op(void) {
  size_t dice = below(100), alloc_below, free_below;
  phase(hm.op, &alloc_below, &free_below);
  if (hm.n == 0U || (dice < alloc_below && hm.n < MAX_LIVE)) {
    size_t n = random_size(), kind = below(10);
    unsigned char *p;
    if (kind < 6U) {
      p = (unsigned char *)heapmem_alloc(n);
    } else if (kind < 8U) {
      size_t each = 1U + below(16);
      size_t count = (n + each - 1U) / each, i;
      n = count * each;
      p = (unsigned char *)heapmem_calloc(count, each);
      if (p != NULL)
        for (i = 0; i < n; ++i)
          if (p[i] != 0U) {
            fail(&hm, "calloc block not zeroed");
            break;
          }
    } else {
      p = (unsigned char *)heapmem_realloc(NULL, n);
    }
    ++hm.allocs;
    if (p == NULL) ++hm.failed_allocs;
    else hm_take(p, n);
  } else if (dice < free_below) {
    size_t k = below(hm.n);
    struct block b = remove_at(&hm, k);
    if (!intact(b.p, b.req, b.tag)) fail(&hm, "contents changed before free");
    if (below(50) == 0U) {
      if (heapmem_realloc(b.p, 0) != NULL) fail(&hm, "realloc(p, 0) returned a block");
    } else if (!heapmem_free(b.p)) {
      fail(&hm, "heapmem_free of a live block returned false");
    }
    ++hm.frees;
  } else {
    size_t k = below(hm.n), n = random_size(), keep;
    struct block b = hm.live[k];
    unsigned char *q;
    if (!intact(b.p, b.req, b.tag)) fail(&hm, "contents changed before realloc");
    q = (unsigned char *)heapmem_realloc(b.p, n);
    ++hm.reallocs;
    if (q == NULL) {
      ++hm.failed_reallocs;
      if (!intact(b.p, b.req, b.tag)) fail(&hm, "failed realloc changed the block");
      return;
    }
    if (n <= b.req && q != b.p) fail(&hm, "shrinking realloc moved the block");
    (void)remove_at(&hm, k);
    keep = b.req < n ? b.req : n;
    if (!intact(q, keep, b.tag)) fail(&hm, "realloc lost contents");
    hm_take(q, n);
  }
}

static void run_heapmem(unsigned long ops) {
  heapmem_stats_t s;
  omniheap_heap_t *h;
  unsigned long i;
  hm_align = heapmem_alignment();
  heapmem_stats(&s); /* first use sets the arena up */
  OH_REQUIRE(s.chunks == 0U);
  h = omniheap_heap_find_name("heapmem");
  OH_REQUIRE(h != NULL);
  for (i = 0; i < ops && hm.failures == 0U; ++i) {
    hm.op = i;
    hm_op();
    hm_check_stats();
    if ((i + 1U) % validate_every == 0U && omniheap_heap_validate(h) != OMNIHEAP_OK) {
      fail(&hm, "omniheap_heap_validate failed");
    }
    if ((i + 1U) % CHECK_EVERY == 0U) {
      check_all_contents(&hm);
      check_registry(&hm, h);
    }
  }
  hm.op = i;
  check_all_contents(&hm);
  check_registry(&hm, h);
  printf("  heapmem: %lu ops, %lu allocs (%lu NULL), %lu frees, %lu reallocs (%lu NULL), %zu live\n",
         i, hm.allocs, hm.failed_allocs, hm.frees, hm.reallocs, hm.failed_reallocs, hm.n);
  while (hm.n > 0U) {
    struct block b = remove_at(&hm, hm.n - 1U);
    OH_CHECK(heapmem_free(b.p));
  }
  heapmem_stats(&s);
  OH_CHECK_EQ_INT(s.chunks, 0);
  OH_CHECK_EQ_INT(s.allocated, 0);
  OH_CHECK_EQ_INT(s.footprint, 0);
  OH_CHECK_EQ_INT(s.available, OMNIHEAP_CONF_HEAPMEM_ARENA_SIZE);
  check_registry(&hm, h);
  OH_CHECK_EQ_INT(hm.failures, 0);
}

/* ---- main ----------------------------------------------------------------------------------- */

static unsigned long total_ops = DEFAULT_OPS;

static void test_sys_heap_model(void) {
  sysm.name = "sys_heap";
  run_sys_heap(total_ops - total_ops * 2U / 5U); /* 60 % */
}

static void test_heapmem_model(void) {
  hm.name = "heapmem";
  run_heapmem(total_ops * 2U / 5U); /* 40 % */
}

int main(int argc, char **argv) {
  unsigned long long seed = DEFAULT_SEED;
  clock_t start = clock();
  if (argc > 1) seed = strtoull(argv[1], NULL, 0);
  if (argc > 2) total_ops = strtoul(argv[2], NULL, 0);
  if (argc > 3) validate_every = strtoul(argv[3], NULL, 0);
  if (validate_every == 0U) validate_every = 1U;
  rng_state = (uint64_t)seed;
  printf("heaps_model: seed %llu, %lu operations, validation every %lu (replay: %s %llu %lu %lu)\n",
         seed, total_ops, validate_every, argv[0], seed, total_ops, validate_every);
  fflush(stdout);
  OH_RUN(test_sys_heap_model);
  OH_RUN(test_heapmem_model);
  printf("heaps_model: %.1f s of CPU\n", (double)(clock() - start) / CLOCKS_PER_SEC);
  return oh_test_summary();
}
