/*
 * Seeded reference-model stress of memman (<ffit.h>, <buddy.h>), black box
 * (host; also run under ThreadSanitizer by `make test`, in the locked-tsan
 * build, with no arguments).
 *
 *   stress-memman_model [SEED [OPS]]
 *       defaults: a fixed seed; OPS 1200000 in total (a third per part), or
 *       120000 when built with -fsanitize=thread (then the statistics are
 *       checked after every 8th operation only; about 6 s under TSan)
 *
 * Three parts, one after the other, on one 256 KiB region surrounded by
 * guard bytes: ffit (the region 3 bytes past an 8-byte boundary, an odd
 * size), buddy (e = 0) and ebuddy (e = 1). Each runs OPS / 3 random
 * operations: get_block, free_block, extend_block (grow, shrink, same size,
 * to 0, from NULL) with sizes 1..4096 log-uniform (as many of 1..2 as of
 * 2049..4096), in phases of 20000 operations that alternate between filling
 * and draining, plus now and then calls that must fail (NULL, an interior
 * and a foreign pointer, a double free: 4, nothing changes, the fault is
 * reported).
 *
 * A shadow list sorted by address holds every live block with its size and
 * fill pattern. Checked after each operation:
 * - ffit blocks (and emergency-heap blocks) are 8-aligned and lie with their
 *   8-byte header inside the heap's region; buddy blocks lie inside the
 *   buddy area, aligned to their order (the smallest power of two >= 8 that
 *   holds the size) relative to their tree (the trees are the binary digits
 *   of msize, largest first, from mh); no block (with its header, or its
 *   whole order) overlaps another;
 * - contents are intact when a block is freed or resized; extend keeps
 *   min(old, new) bytes, every byte (upstream lost the first 4), returns the
 *   same pointer when the size still fits (ffit: not larger; buddy: not of a
 *   larger order), and grows in place when it can: buddy, when the block is
 *   aligned to the new order inside its tree and no live block lies in the
 *   buddies to its right; ffit (on walked operations), when the next block
 *   is free and the two hold the new size; a failed extend (NULL, rc 0)
 *   leaves the block as it was;
 * - statistics: buddy_get_stats gives mem == msize and usd == the sum of
 *   the orders of the live buddy-area blocks, usd + fre == msize;
 *   ffit_get_stats (the ffit heap, and ebuddy's emergency heap through
 *   h.ffh) gives mem == hs, usd + fre constant, usd >= the sum of the live
 *   blocks rounded up to 8 plus their 8-byte headers; the registry agrees:
 *   live_blocks per heap, in_use == usd (after every operation, every 8th
 *   under TSan);
 * - every 8th allocation, a walk of the registry (omniheap_heap_walk) before
 *   it: ffit must give the lowest free block whose size fits (true first
 *   fit), or NULL if there is none; after a NULL (every 4th): no free block
 *   could have served it (ffit: size >= the request; buddy: size >= the
 *   order; ebuddy: neither heap); an ebuddy block from the emergency heap
 *   (sampled): the buddy area had no free block of the order;
 * - every 1000 operations: omniheap_heap_validate() of every heap of the part.
 * At the end of a part every block is checked and freed; then ffit serves
 * its initial largest request again, every buddy tree comes back whole, the
 * emergency heap is empty, the guards are intact, and the heaps leave the
 * registry.
 *
 * The seed is printed; a failure prints the part and operation number.
 * Closing line: "N passed, N failed" (one test case per part).
 */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <buddy.h>
#include <ffit.h>

#include "oh_test.h"
#include "omniheap.h"

#define DEFAULT_SEED 0x3E3A4A11u
#define DEFAULT_OPS (UNDER_TSAN ? 120000UL : 1200000UL)
#define CHECK_EVERY 1000UL
/* Statistics after every operation; under ThreadSanitizer (whose lock
 * modelling makes each registry call slow) after every 8th. */
#define STATS_EVERY (UNDER_TSAN ? 8UL : 1UL)
#define PHASE_OPS 20000UL
#define WALK_EVERY 8UL
#define REGION_BYTES (256U * 1024U)
#define GUARD 64U
#define GUARD_BYTE 0xA5U
#define MAX_SIZE 4096U
#define MAX_LIVE 8192
#define HDR 8U /* ffit's block header */

static union {
  unsigned char b[GUARD + REGION_BYTES + GUARD];
  uint64_t align8;
} arena __attribute__((aligned(64)));

enum part { PART_FFIT = 0, PART_BUDDY = 1, PART_EBUDDY = 2 };
static const char *const part_name[] = {"ffit", "buddy", "ebuddy"};

static ffit_heap_t fh;
static buddy_heap_t bh;
static enum part part;
static omniheap_heap_t *entry;  /* the part's heap (ffit, or buddy) */
static omniheap_heap_t *eentry; /* ebuddy's emergency heap, if registered */

static uint64_t seed;
static unsigned long ops_per_part;
static unsigned long op_no;
static unsigned fails;

/* ---- random numbers --------------------------------------------------------------------------- */

static uint64_t rng;
static uint64_t splitmix(void) {
  uint64_t z = (rng += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}
static size_t below(size_t n) { return (size_t)(splitmix() % n); }
/* 1..4096, log-uniform: a range 2^b..2^(b+1) first (b = 0..11), then uniform in it. */
static size_t random_size(void) {
  size_t lo = (size_t)1 << below(12);
  return lo + below(lo);
}

/* ---- contents ---------------------------------------------------------------------------------- */

#define PATTERN_OFFSETS 1024U
static unsigned char pattern_src[PATTERN_OFFSETS + MAX_SIZE];
static void init_pattern(void) {
  uint64_t keep = rng;
  size_t i;
  rng = 0x0123456789ABCDEFULL;
  for (i = 0; i < sizeof pattern_src; ++i) pattern_src[i] = (unsigned char)(splitmix() >> 56);
  rng = keep;
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

/* ---- failures and faults ------------------------------------------------------------------------- */

/* Failures of the running part: the first ones printed with their
 * operation number, all of them counted per kind (`key`) and summed up at
 * the end of the part. */
#define MAX_KINDS 24
static unsigned part_fails;
static const char *kind_key[MAX_KINDS];
static unsigned long kind_count[MAX_KINDS];
static size_t n_kinds;
static void tally(const char *key) {
  size_t i;
  for (i = 0; i < n_kinds; ++i)
    if (kind_key[i] == key) break;
  if (i == n_kinds) {
    if (n_kinds == MAX_KINDS) return;
    kind_key[n_kinds++] = key;
    kind_count[i] = 0;
  }
  ++kind_count[i];
}
static void fail(const char *what) {
  if (part_fails < 12U) printf("  %s: op %lu: %s\n", part_name[part], op_no, what);
  ++part_fails;
  ++fails;
  tally(what);
}
/* A call returned `got`, not `want`. */
static void fail_rc(const char *what, int got, int want) {
  if (part_fails < 12U) printf("  %s: op %lu: %s (returned %d, expected %d)\n", part_name[part], op_no, what, got, want);
  ++part_fails;
  ++fails;
  tally(what);
}

static unsigned long fault_count;
static omniheap_fault_action_t count_fault(const omniheap_fault_t *fault, void *context) {
  (void)context;
  ++fault_count;
  if (fault->default_action != OMNIHEAP_FAULT_RETURN) fail("a fault's default action is not RETURN");
  return OMNIHEAP_FAULT_RETURN;
}

/* ---- the heap of the part ------------------------------------------------------------------------ */

static unsigned char *heap_mem(void) { return part == PART_FFIT ? (unsigned char *)fh.mh : (unsigned char *)bh.mh; }
static size_t heap_size(void) { return part == PART_FFIT ? fh.hs : bh.hs; }
static void *h_get(size_t n) { return part == PART_FFIT ? ffit_get_block(&fh, n) : buddy_get_block(&bh, n); }
static int h_free(void *p) { return part == PART_FFIT ? ffit_free_block(&fh, p) : buddy_free_block(&bh, p); }
static void *h_extend(void *p, size_t n, int *rc) {
  return part == PART_FFIT ? ffit_extend_block(&fh, p, n, rc) : buddy_extend_block(&bh, p, n, rc);
}

static size_t order_of(size_t sz) {
  size_t o = 8;
  while (o < sz) o <<= 1;
  return o;
}
static size_t round8(size_t n) { return (n + 7U) & ~(size_t)7U; }

static int in_buddy_area(const unsigned char *p, size_t n) {
  uintptr_t x = (uintptr_t)p, m = bh.mh;
  return part != PART_FFIT && x >= m && x - m <= bh.msize && n <= bh.msize - (x - m);
}
static int in_emergency(const unsigned char *p, size_t n) {
  uintptr_t x = (uintptr_t)p, m = bh.eh;
  return part == PART_EBUDDY && bh.esize != 0U && x >= m && x - m <= bh.esize && n <= bh.esize - (x - m);
}
static int in_ffit(const unsigned char *p, size_t n) {
  uintptr_t x = (uintptr_t)p, m = fh.mh;
  return x >= m && x - m <= fh.hs && n <= fh.hs - (x - m);
}

/* The tree of the buddy area holding offset off: start and size. */
static int tree_of(size_t off, size_t *start, size_t *size) {
  size_t base = 0;
  int bit;
  for (bit = 31; bit >= 0; --bit) {
    size_t t = (size_t)1 << bit;
    if ((bh.msize & t) == 0U) continue;
    if (off < base + t) {
      *start = base;
      *size = t;
      return 1;
    }
    base += t;
  }
  return 0;
}
/* p is aligned to `order` inside its tree, and the block fits in the tree. */
static int order_fits(const unsigned char *p, size_t order) {
  size_t off = (size_t)(p - (const unsigned char *)bh.mh), start = 0, size = 0;
  if (!tree_of(off, &start, &size)) return 0;
  return (off - start) % order == 0U && off - start + order <= size;
}

/* ---- the model: live blocks sorted by address ------------------------------------------------------ */

enum where { IN_FFIT = 0, IN_BUDDY = 1, IN_EMERGENCY = 2 };
struct block {
  unsigned char *p;
  size_t size;
  uint32_t tag;
  unsigned char where;
};
static struct block live[MAX_LIVE];
static size_t n_live;
static size_t n_where[3];     /* live blocks per place */
static size_t buddy_usd;      /* sum of the orders of the buddy-area blocks */
static size_t ffit_min[3];    /* sum of round8(size) + HDR of the ffit-type blocks, per place */
static uint32_t next_tag;

/* What a block takes: [start, end). */
static uintptr_t ext_start(const struct block *b) { return (uintptr_t)b->p - (b->where == IN_BUDDY ? 0U : HDR); }
static uintptr_t ext_end(const struct block *b) {
  return (uintptr_t)b->p + (b->where == IN_BUDDY ? order_of(b->size) : b->size);
}

static size_t lower_bound(const unsigned char *p) {
  size_t lo = 0, hi = n_live;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2U;
    if ((uintptr_t)live[mid].p < (uintptr_t)p) lo = mid + 1U;
    else hi = mid;
  }
  return lo;
}

/* Where a block just returned for `size` bytes lies, after checking its
 * place, alignment and (buddy) order; -1 if nowhere valid. */
static int classify(const unsigned char *p, size_t size) {
  if (part == PART_FFIT) {
    if (!in_ffit(p - HDR, size + HDR)) {
      fail("ffit block (with its header) outside the region");
      return -1;
    }
    if ((uintptr_t)p % 8U != 0U) fail("ffit block not 8-aligned");
    return IN_FFIT;
  }
  if (in_buddy_area(p, 1)) {
    if (!order_fits(p, order_of(size))) fail("buddy block not aligned to its order in its tree");
    return IN_BUDDY;
  }
  if (in_emergency(p - HDR, size + HDR)) {
    if ((uintptr_t)p % 8U != 0U) fail("emergency block not 8-aligned");
    return IN_EMERGENCY;
  }
  fail("block neither in the buddy area nor in the emergency heap");
  return -1;
}

static void account(const struct block *b, int sign) {
  size_t w = b->where;
  if (sign > 0) {
    ++n_where[w];
    if (w == IN_BUDDY) buddy_usd += order_of(b->size);
    else ffit_min[w] += round8(b->size) + HDR;
  } else {
    --n_where[w];
    if (w == IN_BUDDY) buddy_usd -= order_of(b->size);
    else ffit_min[w] -= round8(b->size) + HDR;
  }
}

static int insert(unsigned char *p, size_t size, uint32_t tag, int where) {
  struct block b;
  size_t k;
  b.p = p;
  b.size = size;
  b.tag = tag;
  b.where = (unsigned char)where;
  k = lower_bound(p);
  if (n_live >= MAX_LIVE) {
    fail("model full");
    return 0;
  }
  if (k < n_live && live[k].p == p) {
    fail("a live block handed out again");
    return 0;
  }
  if (k > 0U && ext_end(&live[k - 1U]) > ext_start(&b)) fail("new block overlaps the block below it");
  if (k < n_live && ext_end(&b) > ext_start(&live[k])) fail("new block overlaps the block above it");
  memmove(&live[k + 1U], &live[k], (n_live - k) * sizeof live[0]);
  live[k] = b;
  ++n_live;
  account(&b, 1);
  return 1;
}

static struct block remove_at(size_t k) {
  struct block b = live[k];
  memmove(&live[k], &live[k + 1U], (n_live - k - 1U) * sizeof live[0]);
  --n_live;
  account(&b, -1);
  return b;
}

/* No live block overlaps [a, z). */
static int range_free(uintptr_t a, uintptr_t z) {
  size_t k = lower_bound((const unsigned char *)a);
  if (k > 0U && ext_end(&live[k - 1U]) > a) return 0;
  return !(k < n_live && ext_start(&live[k]) < z);
}

/* ---- the registry walk ------------------------------------------------------------------------------ */

struct probe {
  uintptr_t lo, hi;             /* only blocks inside [lo, hi) count */
  size_t want;                  /* first fit: the lowest free block of at least `want` bytes */
  const unsigned char *lowest_fit;
  size_t max_free;              /* the largest free block */
  const unsigned char *target;  /* a block whose successor is wanted */
  int target_found, succ_seen, succ_used;
  size_t target_size, succ_size;
  size_t used;
  const unsigned char *end;     /* end of the previous block */
  int unordered;
};
static int probe_cb(const omniheap_block_t *block, void *context) {
  struct probe *w = (struct probe *)context;
  const unsigned char *a = (const unsigned char *)block->address;
  if ((uintptr_t)a < w->lo || (uintptr_t)a >= w->hi) return 0;
  if (w->end != NULL && a < w->end) w->unordered = 1;
  w->end = a + block->size;
  if (w->target_found && !w->succ_seen) {
    w->succ_seen = 1;
    w->succ_used = block->used != 0;
    w->succ_size = block->size;
  }
  if (a == w->target) {
    w->target_found = 1;
    w->target_size = block->size;
  }
  if (block->used) {
    ++w->used;
    return 0;
  }
  if (block->size > w->max_free) w->max_free = block->size;
  if (w->want != 0U && w->lowest_fit == NULL && block->size >= w->want) w->lowest_fit = a;
  return 0;
}
/* Walks `heap` (blocks inside [lo, lo + n) only). */
static int probe_heap(omniheap_heap_t *heap, struct probe *w, const void *lo, size_t n, size_t want,
                      const void *target) {
  memset(w, 0, sizeof *w);
  w->lo = (uintptr_t)lo;
  w->hi = (uintptr_t)lo + n;
  w->want = want;
  w->target = (const unsigned char *)target;
  if (heap == NULL) return 0;
  if (omniheap_heap_walk(heap, probe_cb, w) != OMNIHEAP_OK) {
    fail("omniheap_heap_walk failed");
    return 0;
  }
  if (w->unordered) fail("the walk is not in address order");
  return 1;
}
static int probe_buddy_area(struct probe *w, size_t want) {
  return probe_heap(entry, w, (const void *)bh.mh, bh.msize, want, NULL);
}
static int probe_emergency(struct probe *w, size_t want) {
  return probe_heap(eentry, w, (const void *)bh.eh, bh.esize, want, NULL);
}

/* ---- statistics --------------------------------------------------------------------------------------- */

static uint32_t ffit_total, emerg_total; /* usd + fre after init */

static void check_stats(void) {
  uint32_t mem = 0xA5A5A5A5U, usd = 0xA5A5A5A5U, fre = 0xA5A5A5A5U;
  omniheap_stats_t s = OMNIHEAP_STATS_INIT;
  if (omniheap_heap_stats(entry, &s) != OMNIHEAP_OK) fail("omniheap_heap_stats failed");
  if (part == PART_FFIT) {
    ffit_get_stats(&fh, &mem, &usd, &fre);
    if (mem != fh.hs) fail("ffit_get_stats: mem != hs");
    if (usd + fre != ffit_total) fail("ffit_get_stats: usd + fre changed");
    if (usd < ffit_min[IN_FFIT]) fail("ffit_get_stats: usd below the blocks and their headers");
    if (s.live_blocks != n_where[IN_FFIT]) fail("registry live_blocks differs from the model");
    if (s.in_use != usd) fail("registry in_use differs from ffit_get_stats usd");
    return;
  }
  buddy_get_stats(&bh, &mem, &usd, &fre);
  if (mem != bh.msize) fail("buddy_get_stats: mem != msize");
  if (usd != buddy_usd) fail("buddy_get_stats: usd differs from the orders of the live blocks");
  if (usd + fre != bh.msize) fail("buddy_get_stats: usd + fre != msize");
  if (s.live_blocks != n_where[IN_BUDDY]) fail("registry live_blocks (buddy) differs from the model");
  if (s.in_use != usd) fail("registry in_use differs from buddy_get_stats usd");
  if (part == PART_EBUDDY) {
    mem = usd = fre = 0xA5A5A5A5U;
    ffit_get_stats(&bh.ffh, &mem, &usd, &fre);
    if (mem != bh.esize) fail("emergency heap: mem != esize");
    if (usd + fre != emerg_total) fail("emergency heap: usd + fre changed");
    if (usd < ffit_min[IN_EMERGENCY]) fail("emergency heap: usd below the blocks and their headers");
    if (eentry != NULL) {
      omniheap_stats_t e = OMNIHEAP_STATS_INIT;
      if (omniheap_heap_stats(eentry, &e) != OMNIHEAP_OK) fail("omniheap_heap_stats (ebuddy) failed");
      if (e.live_blocks != n_where[IN_EMERGENCY]) fail("registry live_blocks (ebuddy) differs from the model");
    }
  }
}

static void validate_all(void) {
  if (omniheap_heap_validate(entry) != OMNIHEAP_OK) fail("omniheap_heap_validate failed");
  if (eentry != NULL && omniheap_heap_validate(eentry) != OMNIHEAP_OK) fail("omniheap_heap_validate (ebuddy) failed");
}

/* ---- operations ------------------------------------------------------------------------------------------ */

static unsigned long n_get, n_free, n_extend, n_null, n_walked, n_emerg_blocks, n_in_place, n_moved, n_misuse;

/* After a NULL for `size` bytes: nothing could have served it. */
static void check_no_room(size_t size) {
  struct probe w;
  ++n_walked;
  if (part == PART_FFIT) {
    if (probe_heap(entry, &w, (const void *)fh.mh, fh.hs, size, NULL) && w.lowest_fit != NULL)
      fail("NULL although a free block fits");
    return;
  }
  if (probe_buddy_area(&w, order_of(size)) && w.lowest_fit != NULL)
    fail("NULL although the buddy area has a free block of the order");
  if (part == PART_EBUDDY && probe_emergency(&w, size) && w.lowest_fit != NULL)
    fail("NULL although the emergency heap has a free block that fits");
}

static void do_get(void) {
  size_t size = random_size();
  int walk_now = (n_get % WALK_EVERY) == 0U, where, rc = 77, via_extend = below(8) == 0U;
  struct probe w;
  const unsigned char *expect = NULL;
  int expect_known = 0;
  unsigned char *p;
  ++n_get;
  if (n_live >= MAX_LIVE) return;
  if (part == PART_FFIT && walk_now) {
    expect_known = probe_heap(entry, &w, (const void *)fh.mh, fh.hs, size, NULL);
    expect = w.lowest_fit;
    ++n_walked;
  }
  p = (unsigned char *)(via_extend ? h_extend(NULL, size, &rc) : h_get(size));
  if (via_extend && rc != 0) fail("extend_block(NULL, n): rc != 0");
  if (expect_known && p != expect) fail(expect == NULL ? "a block although no free block fits"
                                                       : "not the lowest free block that fits (first fit)");
  if (p == NULL) {
    ++n_null;
    if (!expect_known && (n_null % 4U) == 0U) check_no_room(size);
    return;
  }
  where = classify(p, size);
  if (where < 0) return;
  if (where == IN_EMERGENCY) {
    ++n_emerg_blocks;
    if (walk_now && probe_buddy_area(&w, order_of(size)) && w.lowest_fit != NULL)
      fail("emergency block although the buddy area has a free block of the order");
  }
  fill(p, size, ++next_tag);
  insert(p, size, next_tag, where);
}

static void do_free(void) {
  size_t k;
  struct block b;
  int rc;
  if (n_live == 0U) return;
  k = below(n_live);
  b = remove_at(k);
  ++n_free;
  if (!intact(b.p, b.size, b.tag)) fail("block contents changed before free");
  if (below(8) == 0U) {
    rc = 77;
    if (h_extend(b.p, 0, &rc) != NULL) fail("extend_block(p, 0) did not return NULL");
  } else {
    rc = h_free(b.p);
  }
  if (rc != 0) fail_rc("free of a live block", rc, 0);
  if (below(32) == 0U) { /* at once again: a double free */
    unsigned long before = fault_count;
    ++n_misuse;
    rc = h_free(b.p);
    if (rc != 4) fail_rc("double free", rc, 4);
    if (fault_count != before + 1U) fail("double free not reported");
  }
}

static void do_extend(void) {
  size_t k, size, keep, r = below(16);
  struct block b;
  struct probe w;
  unsigned char *q;
  int rc = 77, where, must_stay = 0, walked = 0;
  if (n_live == 0U) return;
  k = below(n_live);
  b = live[k];
  size = r == 0U ? 0U : r == 1U ? b.size : random_size();
  ++n_extend;
  if (size == 0U) {
    if (!intact(b.p, b.size, b.tag)) fail("block contents changed before extend to 0");
    (void)remove_at(k);
    if (h_extend(b.p, 0, &rc) != NULL) fail("extend_block(p, 0) did not return NULL");
    if (rc != 0) fail("extend_block(p, 0): rc != 0");
    return;
  }
  /* When must the pointer stay? */
  if (b.where == IN_BUDDY) {
    size_t o = order_of(b.size), n = order_of(size);
    if (n <= o) must_stay = 1;
    else if (order_fits(b.p, n) && range_free((uintptr_t)b.p + o, (uintptr_t)b.p + n)) must_stay = 1;
  } else if (size <= b.size) {
    must_stay = 1;
  } else if ((n_extend % WALK_EVERY) == 0U) {
    omniheap_heap_t *h = b.where == IN_FFIT ? entry : eentry;
    const void *lo = b.where == IN_FFIT ? (const void *)fh.mh : (const void *)bh.eh;
    size_t n = b.where == IN_FFIT ? fh.hs : bh.esize;
    if (probe_heap(h, &w, lo, n, 0, b.p)) {
      ++n_walked;
      walked = 1;
      if (!w.target_found) fail("the walk does not show a live block");
      else if (w.target_size < b.size) fail("the walk shows a block smaller than asked for");
      else if (size <= w.target_size) must_stay = 1;
      else if (w.succ_seen && !w.succ_used && w.target_size + HDR + w.succ_size >= size) must_stay = 1;
    }
  }
  q = (unsigned char *)h_extend(b.p, size, &rc);
  if (q == NULL) {
    ++n_null;
    if (rc != 0) fail("failed extend: rc != 0");
    if (must_stay) fail(walked ? "extend failed although the next block is free and large enough"
                               : "extend failed although the block could stay");
    if (!intact(b.p, b.size, b.tag)) fail("a failed extend changed the block");
    return;
  }
  if (rc != 0) fail("extend: rc != 0");
  if (must_stay && q != b.p) fail(b.where == IN_BUDDY && order_of(size) > order_of(b.size)
                                      ? "buddy grow moved although the buddies to the right are free"
                                      : walked ? "ffit grow moved although the next block is free and large enough"
                                               : "extend moved a block whose size still fits");
  keep = size < b.size ? size : b.size;
  if (!intact(q, keep, b.tag)) fail("extend lost contents");
  if (q == b.p) ++n_in_place;
  else ++n_moved;
  (void)remove_at(k);
  where = classify(q, size);
  if (where < 0) return;
  if (where == IN_EMERGENCY && q != b.p) ++n_emerg_blocks;
  fill(q, size, b.tag);
  insert(q, size, b.tag, where);
}

/* Calls that must fail and change nothing. */
static void do_misuse(void) {
  int local = 0, rc;
  unsigned long before = fault_count;
  ++n_misuse;
  switch (below(3)) {
  case 0:
    rc = h_free(NULL);
    if (rc != 4) fail_rc("free(NULL)", rc, 4);
    return;
  case 1:
    rc = h_free(&local);
    if (rc != 4) fail_rc("free of a foreign pointer", rc, 4);
    if (fault_count != before + 1U) fail("foreign pointer not reported");
    return;
  default: {
    struct block *b;
    if (n_live == 0U) return;
    b = &live[below(n_live)];
    if ((b->where == IN_BUDDY ? order_of(b->size) : b->size) < 16U) return;
    rc = h_free(b->p + 8);
    if (rc != 4) fail_rc("free of an interior pointer", rc, 4);
    if (fault_count != before + 1U) fail("interior pointer not reported");
    if (!intact(b->p, b->size, b->tag)) fail("an interior free changed the block");
    return;
  }
  }
}

/* ---- a part ---------------------------------------------------------------------------------------------- */

static int guards_ok(void) {
  const unsigned char *m = heap_mem();
  size_t i, n = heap_size();
  for (i = 0; i < sizeof arena.b; ++i) {
    const unsigned char *a = &arena.b[i];
    if ((a < m || a >= m + n) && *a != GUARD_BYTE) return 0;
  }
  return 1;
}

/* The largest request ffit serves now. */
static size_t ffit_largest(void) {
  size_t lo = 0, hi = fh.hs;
  while (hi - lo > 1U) {
    size_t mid = lo + (hi - lo) / 2U;
    void *p = ffit_get_block(&fh, mid);
    if (p != NULL) {
      if (ffit_free_block(&fh, p) != 0) fail("free in ffit_largest");
      lo = mid;
    } else {
      hi = mid;
    }
  }
  return lo;
}

/* Every tree of the buddy area is one free block again. */
static void check_whole_trees(void) {
  size_t start = 0, size = 0, off = 0;
  void *got[32];
  size_t n = 0, i;
  while (off < bh.msize && tree_of(off, &start, &size) && n < 32U) {
    void *p = buddy_get_block(&bh, size);
    if (p != (void *)(bh.mh + start)) fail("a buddy tree did not merge back whole");
    if (p != NULL) got[n++] = p;
    off = start + size;
  }
  for (i = 0; i < n; ++i)
    if (buddy_free_block(&bh, got[i]) != 0) fail("free of a whole tree");
}

static void run_part(enum part which) {
  size_t largest0 = 0, i;
  unsigned long fails0 = fails;
  uint32_t mem, usd, fre;
  part = which;
  part_fails = 0;
  n_kinds = 0;
  memset(arena.b, GUARD_BYTE, sizeof arena.b);
  n_live = 0;
  memset(n_where, 0, sizeof n_where);
  memset(ffit_min, 0, sizeof ffit_min);
  buddy_usd = 0;
  n_get = n_free = n_extend = n_null = n_walked = n_emerg_blocks = n_in_place = n_moved = n_misuse = 0;
  eentry = NULL;
  if (which == PART_FFIT) {
    fh.mh = (uintptr_t)(arena.b + GUARD + 3U);
    fh.hs = REGION_BYTES - 3U - 2U; /* odd */
    OH_REQUIRE(ffit_init(&fh) == FFIT_HEAP_OK);
    entry = omniheap_heap_find(&fh);
    OH_REQUIRE(entry != NULL);
    ffit_get_stats(&fh, &mem, &usd, &fre);
    OH_REQUIRE(usd == 0U);
    ffit_total = usd + fre;
    largest0 = ffit_largest();
    OH_REQUIRE(largest0 > MAX_SIZE);
  } else {
    memset(&bh, 0, sizeof bh);
    bh.mh = (uintptr_t)(arena.b + GUARD);
    bh.hs = REGION_BYTES;
    bh.e = which == PART_EBUDDY ? 1 : 0;
    OH_REQUIRE(buddy_init(&bh) == BUDDY_HEAP_OK);
    entry = omniheap_heap_find(&bh);
    OH_REQUIRE(entry != NULL);
    if (which == PART_EBUDDY) {
      OH_REQUIRE(bh.eh != 0U && bh.esize != 0U);
      eentry = omniheap_heap_find(&bh.ffh);
      if (eentry == NULL) fail("the emergency heap is not in the registry (its checks are skipped)");
      ffit_get_stats(&bh.ffh, &mem, &usd, &fre);
      OH_REQUIRE(usd == 0U);
      emerg_total = usd + fre;
    }
    printf("  %s: msize %u, largest tree %u, esize %u of %u bytes\n", part_name[part], (unsigned)bh.msize,
           (unsigned)(1U << bh.AMAX), (unsigned)bh.esize, (unsigned)bh.hs);
  }
  check_stats();
  for (op_no = 1; op_no <= ops_per_part; ++op_no) {
    int filling = ((op_no / PHASE_OPS) % 2U) == 0U;
    size_t r = below(100);
    if (r == 0U) do_misuse();
    else if (r < (filling ? 56U : 21U)) do_get();
    else if (r < 76U) do_free();
    else do_extend();
    if (op_no % STATS_EVERY == 0U) check_stats();
    if (op_no % CHECK_EVERY == 0U) validate_all();
  }
  /* Every block checked and freed. */
  validate_all();
  while (n_live > 0U) {
    struct block b = remove_at(n_live - 1U);
    if (!intact(b.p, b.size, b.tag)) fail("block contents changed (final check)");
    int rc = h_free(b.p);
    if (rc != 0) fail_rc("final free", rc, 0);
  }
  check_stats();
  if (which == PART_FFIT) {
    size_t l = ffit_largest();
    if (l != largest0) fail("the empty heap does not serve its initial largest request");
  } else {
    check_whole_trees();
    if (which == PART_EBUDDY) {
      ffit_get_stats(&bh.ffh, &mem, &usd, &fre);
      if (usd != 0U) fail("the emergency heap is not empty at the end");
    }
  }
  validate_all();
  if (!guards_ok()) fail("a guard byte outside the region changed");
  if (eentry != NULL) OH_CHECK(omniheap_heap_unregister(eentry) == OMNIHEAP_OK);
  OH_CHECK(omniheap_heap_unregister(entry) == OMNIHEAP_OK);
  printf("  %s: %lu ops: %lu get, %lu free, %lu extend (%lu in place, %lu moved), %lu NULL, "
         "%lu emergency blocks, %lu walks, %lu misuse calls\n",
         part_name[part], op_no - 1U, n_get, n_free, n_extend, n_in_place, n_moved, n_null, n_emerg_blocks,
         n_walked, n_misuse);
  if (part_fails != 0U) {
    printf("  %s: %u failures:\n", part_name[part], part_fails);
    for (i = 0; i < n_kinds; ++i) printf("    %lu x %s\n", kind_count[i], kind_key[i]);
  }
  OH_CHECK(fails == fails0);
}

static void part_ffit(void) { run_part(PART_FFIT); }
static void part_buddy(void) { run_part(PART_BUDDY); }
static void part_ebuddy(void) { run_part(PART_EBUDDY); }

/* ---- main ------------------------------------------------------------------------------------------------ */

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
  unsigned long total = DEFAULT_OPS;
  seed = DEFAULT_SEED;
  if (argc > 1) seed = strtoull(argv[1], NULL, 0);
  if (argc > 2) total = strtoul(argv[2], NULL, 0);
  ops_per_part = total / 3UL;
  if (ops_per_part == 0UL) ops_per_part = 1UL;
  rng = seed;
  init_pattern();
  printf("memman_model: seed %llu, %lu operations (%lu per part)%s (replay: %s %llu %lu)\n",
         (unsigned long long)seed, ops_per_part * 3UL, ops_per_part, UNDER_TSAN ? ", ThreadSanitizer build" : "",
         argv[0], (unsigned long long)seed, total);
  fflush(stdout);
  omniheap_set_fault_handler(count_fault, NULL);
  clock_gettime(CLOCK_MONOTONIC, &t0);
  timed_run("part_ffit", part_ffit);
  timed_run("part_buddy", part_buddy);
  timed_run("part_ebuddy", part_ebuddy);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  omniheap_set_fault_handler(NULL, NULL);
  printf("memman_model: %.2f s in total\n", seconds(&t0, &t1));
  return oh_test_summary();
}
