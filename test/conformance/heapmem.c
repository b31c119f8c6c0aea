/*
 * Conformance of "lib/heapmem.h" (Contiki-NG HeapMem, v5.0 API), black box.
 *
 * Every expectation comes from api-reference.md section 2 (upstream
 * Contiki-NG v5.0 and its unit test), contract.md ("HeapMem", "Detected
 * misuse", "Sizes near SIZE_MAX") and the documentation in lib/heapmem.h,
 * omniheap.h and omniheap_config.h, never from the implementation.
 *
 * Rules kept here:
 * - The arena is global and shared by the whole conformance run: every test
 *   case leaves it empty (checked by arena_idle() at its end) and assumes
 *   nothing about it beyond what it checks itself.
 * - Zones cannot be unregistered and take budget from HEAPMEM_ZONE_GENERAL
 *   for good, so the zone test cases run last. With
 *   OMNIHEAP_CONF_HEAPMEM_MAX_ZONES == 1 (the default) only GENERAL exists:
 *   the zone cases then check that registration fails and note the skipped
 *   multi-zone parts.
 * - Misuse is provoked only with a counting fault handler installed, which
 *   is removed again before the test case ends.
 * - Small static tables only (this also runs on a Cortex-M0 with 16 KiB of
 *   RAM); host-only cases (fork) are under OH_HOSTED.
 */
#if defined(OH_HOSTED) && OH_HOSTED
#define _POSIX_C_SOURCE 200809L
#endif

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lib/heapmem.h"
#include "blocks.h"
#include "fault_log.h"
#include "oh_test.h"
#include "omniheap.h"
#include "suites.h"

#if defined(OH_HOSTED) && OH_HOSTED
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#endif

#define ARENA ((size_t)OMNIHEAP_CONF_HEAPMEM_ARENA_SIZE)
#define MAX_ZONES OMNIHEAP_CONF_HEAPMEM_MAX_ZONES
/* heapmem.h / omniheap_config.h: "With more than one zone, every block
 * costs one more byte (its zone)." */
#define ZONE_BYTE ((size_t)(MAX_ZONES > 1 ? 2 : 0)) /* zone and check byte */

/* ---- helpers ------------------------------------------------------------------------------------ */

#define HM_SLOTS 48
static void *hm_p[HM_SLOTS];
static unsigned short hm_n[HM_SLOTS];
static int global_object[4]; /* a static object: never part of the arena */

static size_t round_up(size_t n, size_t a) { return (n + a - 1U) / a * a; }

static size_t align_of_blocks(void) { return heapmem_alignment(); }

/* The arena, rounded to the alignment as heapmem_stats() reports it when empty. */
static size_t arena_rounded(void) { return round_up(ARENA, align_of_blocks()); }

static int aligned(const void *p) { return ((uintptr_t)p % align_of_blocks()) == 0U; }

static heapmem_stats_t get_stats(void) {
  heapmem_stats_t s;
  memset(&s, 0xEE, sizeof s);
  heapmem_stats(&s);
  return s;
}

static int same_stats(const heapmem_stats_t *a, const heapmem_stats_t *b) {
  return a->allocated == b->allocated && a->overhead == b->overhead &&
         a->available == b->available && a->footprint == b->footprint &&
         a->max_footprint == b->max_footprint && a->chunks == b->chunks;
}

static omniheap_heap_t *arena_handle(void) { return omniheap_heap_find_name("heapmem"); }

static void check_valid(void) {
  omniheap_heap_t *h = arena_handle();
  OH_CHECK(h != NULL);
  if (h != NULL) OH_CHECK_EQ_INT(omniheap_heap_validate(h), OMNIHEAP_OK);
}

/* End of every test case: nothing allocated, footprint back to 0, valid. */
static void arena_idle(void) {
  heapmem_stats_t s = get_stats();
  OH_CHECK_EQ_INT(s.allocated, 0);
  OH_CHECK_EQ_INT(s.overhead, 0);
  OH_CHECK_EQ_INT(s.chunks, 0);
  OH_CHECK_EQ_INT(s.footprint, 0);
  OH_CHECK(s.max_footprint <= arena_rounded());
  check_valid();
}

/* Header bytes per block, as heapmem_stats() reports them (overhead of one block). */
static size_t header_bytes(void) {
  heapmem_stats_t a = get_stats(), b;
  void *p = heapmem_alloc(1);
  if (p == NULL) return 0;
  b = get_stats();
  (void)heapmem_free(p);
  return b.overhead - a.overhead;
}

/* Bytes one block of n bytes takes from the arena (its usable bytes and its
 * header), as heapmem_stats() accounts for it. */
static size_t block_span(size_t n) {
  heapmem_stats_t a = get_stats(), b;
  void *p = heapmem_alloc(n);
  if (p == NULL) return 0;
  b = get_stats();
  (void)heapmem_free(p);
  return (b.allocated - a.allocated) + (b.overhead - a.overhead);
}

/* Frees every non-NULL slot, newest first. */
static void free_slots(size_t n) {
  while (n-- > 0)
    if (hm_p[n] != NULL) {
      OH_CHECK(heapmem_free(hm_p[n]));
      hm_p[n] = NULL;
    }
}

/* ---- fault capture ------------------------------------------------------------------------------ */

static struct fault_log faults;

static void capture_faults(void) { fault_log_capture(&faults, 0); }

static void release_faults(void) { fault_log_release(); }

/* The last call reported exactly one fault of this kind on the arena. */
static void check_one_fault(unsigned before, omniheap_fault_kind_t kind, const void *pointer,
                            const char *function) {
  OH_CHECK_EQ_INT(faults.count, before + 1U);
  OH_CHECK_EQ_INT(faults.kind, kind);
  OH_CHECK_EQ_INT(faults.family, OMNIHEAP_FAMILY_HEAPMEM);
  OH_CHECK_EQ_PTR(faults.heap, arena_handle());
  OH_CHECK_EQ_PTR(faults.pointer, pointer);
  if (function != NULL) OH_CHECK(strcmp(faults.function, function) == 0);
  OH_CHECK_EQ_INT(faults.default_action, OMNIHEAP_FAULT_RETURN);
}

/* ---- registry, alignment, empty arena ---------------------------------------------------------- */

static void test_heapmem_arena_in_registry(void) {
  omniheap_heap_t *h, *it;
  unsigned family_hits = 0, steps = 0;
  heapmem_stats_t s = get_stats(); /* a first use sets the arena up */
  (void)s;
  h = arena_handle();
  OH_REQUIRE(h != NULL);
  OH_CHECK_EQ_INT(omniheap_heap_family(h), OMNIHEAP_FAMILY_HEAPMEM);
  OH_CHECK(strcmp(omniheap_heap_name(h), "heapmem") == 0);
  OH_CHECK(omniheap_heap_capacity(h) > 0U);
  for (it = omniheap_heap_next(NULL); it != NULL && steps <= OMNIHEAP_CONF_MAX_HEAPS;
       it = omniheap_heap_next(it), ++steps)
    if (omniheap_heap_family(it) == OMNIHEAP_FAMILY_HEAPMEM) {
      ++family_hits;
      OH_CHECK_EQ_PTR(it, h);
    }
  OH_CHECK_EQ_INT(family_hits, 1); /* one arena per library build */
  /* The handle stays the same across uses. */
  heapmem_free(heapmem_alloc(8));
  OH_CHECK_EQ_PTR(arena_handle(), h);
  OH_CHECK_EQ_INT(omniheap_heap_validate(h), OMNIHEAP_OK);
  arena_idle();
}

/* Alignment probes for C99, which has no max_align_t. */
struct probe_ld { char c; long double t; };
struct probe_ll { char c; long long t; };
struct probe_d { char c; double t; };
struct probe_p { char c; void *t; };
struct probe_fp { char c; void (*t)(void); };

static void test_heapmem_alignment_value(void) {
  size_t a = heapmem_alignment();
  OH_CHECK(a != 0U);
  OH_CHECK_EQ_INT(a & (a - 1U), 0); /* a power of two (upstream test asserts it) */
  OH_CHECK(a >= 4U && a <= 16U);     /* omniheap_config.h: 4 to 16 */
  OH_CHECK_EQ_INT(heapmem_alignment(), a); /* stable */
#if OMNIHEAP_CONF_HEAPMEM_ALIGNMENT != 0
  OH_CHECK_EQ_INT(a, OMNIHEAP_CONF_HEAPMEM_ALIGNMENT);
#elif defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
  OH_CHECK_EQ_INT(a, _Alignof(max_align_t));
#else
  OH_CHECK(a >= offsetof(struct probe_ld, t));
  OH_CHECK(a >= offsetof(struct probe_ll, t));
  OH_CHECK(a >= offsetof(struct probe_d, t));
  OH_CHECK(a >= offsetof(struct probe_p, t));
  OH_CHECK(a >= offsetof(struct probe_fp, t));
#endif
}

static void test_heapmem_empty_arena_stats(void) {
  heapmem_stats_t s = get_stats();
  OH_CHECK_EQ_INT(s.allocated, 0);
  OH_CHECK_EQ_INT(s.overhead, 0);
  OH_CHECK_EQ_INT(s.footprint, 0);
  OH_CHECK_EQ_INT(s.chunks, 0);
  OH_CHECK_EQ_INT(s.available, arena_rounded());
  OH_CHECK(s.max_footprint <= arena_rounded());
  heapmem_stats(NULL); /* documented: does nothing */
  arena_idle();
}

/* ---- alloc / free ------------------------------------------------------------------------------- */

static void test_heapmem_alloc_free_basics(void) {
  heapmem_stats_t s;
  unsigned char *p = (unsigned char *)heapmem_alloc(10);
  OH_REQUIRE(p != NULL);
  OH_CHECK(aligned(p));
  oh_fill(p, 10, 1);
  s = get_stats();
  OH_CHECK_EQ_INT(s.chunks, 1);
  OH_CHECK(oh_intact(p, 10, 1));
  check_valid();
  OH_CHECK(heapmem_free(p));
  arena_idle();
  /* And again: the arena is reusable. */
  p = (unsigned char *)heapmem_alloc(100);
  OH_REQUIRE(p != NULL);
  oh_fill(p, 100, 2);
  OH_CHECK(oh_intact(p, 100, 2));
  OH_CHECK(heapmem_free(p));
  arena_idle();
}

static void test_heapmem_alloc_zero_is_null(void) {
  heapmem_stats_t before = get_stats(), after;
  OH_CHECK_EQ_PTR(heapmem_alloc(0), NULL);
  OH_CHECK_EQ_PTR(heapmem_zone_alloc(HEAPMEM_ZONE_GENERAL, 0), NULL);
  after = get_stats();
  OH_CHECK(same_stats(&before, &after));
  arena_idle();
}

static void test_heapmem_alloc_larger_than_arena_is_null(void) {
  heapmem_stats_t before = get_stats(), after;
  OH_CHECK_EQ_PTR(heapmem_alloc(ARENA + 1U), NULL);
  OH_CHECK_EQ_PTR(heapmem_alloc(ARENA), NULL); /* a header has to fit too */
  OH_CHECK_EQ_PTR(heapmem_alloc(2U * ARENA), NULL);
  OH_CHECK_EQ_PTR(heapmem_alloc(SIZE_MAX), NULL);
  OH_CHECK_EQ_PTR(heapmem_alloc(SIZE_MAX - 1U), NULL);
  OH_CHECK_EQ_PTR(heapmem_alloc(SIZE_MAX - align_of_blocks() + 1U), NULL); /* rounding overflows */
  OH_CHECK_EQ_PTR(heapmem_alloc(SIZE_MAX / 2U + 1U), NULL);
  after = get_stats();
  OH_CHECK(same_stats(&before, &after));
  arena_idle();
}

static void test_heapmem_largest_allocation_uses_whole_arena(void) {
  size_t h = header_bytes(), n;
  heapmem_stats_t s = get_stats();
  void *p;
  OH_REQUIRE(h > 0U);
  OH_REQUIRE(s.available > h);
  /* available counts headers: one block of available - header bytes fits
   * (less the zone byte when there are zones). */
  n = s.available - h - ZONE_BYTE;
  p = heapmem_alloc(n);
  OH_REQUIRE(p != NULL);
  OH_CHECK(aligned(p));
  oh_fill(p, n, 3);
  OH_CHECK_EQ_PTR(heapmem_alloc(1), NULL); /* nothing left */
  OH_CHECK(oh_intact(p, n, 3));
  OH_CHECK(heapmem_free(p));
  OH_CHECK_EQ_PTR(heapmem_alloc(n + align_of_blocks()), NULL); /* one alignment unit too many */
  arena_idle();
}

static const size_t size_cycle[] = {1, 7, 16, 33, 100, 250, 3, 64, 17, 128, 5, 48, 200, 9, 80};
#define SIZE_CYCLE (sizeof size_cycle / sizeof size_cycle[0])

/* Fills the arena with blocks of mixed sizes until it refuses (or the table
 * is full); returns the number of blocks. */
static size_t fill_arena(void) {
  size_t n = 0;
  while (n < HM_SLOTS) {
    size_t want = size_cycle[n % SIZE_CYCLE];
    void *p = heapmem_alloc(want);
    if (p == NULL) {
      if (want > 1U && (p = heapmem_alloc(1)) != NULL) want = 1; /* top up with small ones */
      else break;
    }
    hm_p[n] = p;
    hm_n[n] = want;
    oh_fill(p, want, (unsigned)n);
    ++n;
  }
  return n;
}

static void test_heapmem_every_block_aligned(void) {
  size_t n = fill_arena(), i;
  OH_CHECK(n >= 10U);
  for (i = 0; i < n; ++i) OH_CHECK(aligned(hm_p[i]));
  free_slots(n);
  arena_idle();
}

static void test_heapmem_blocks_disjoint_and_keep_contents(void) {
  size_t n = fill_arena(), i, j;
  heapmem_stats_t s;
  OH_CHECK(n >= 10U);
  s = get_stats();
  OH_CHECK_EQ_INT(s.chunks, n);
  for (i = 0; i < n; ++i) {
    for (j = 0; j < i; ++j)
      if (!OH_CHECK(!oh_overlap(hm_p[i], hm_n[i], hm_p[j], hm_n[j]))) break;
    /* Filling the later blocks overwrote nothing of this one. */
    OH_CHECK(oh_intact(hm_p[i], hm_n[i], (unsigned)i));
  }
  check_valid();
  /* Free the even ones, check the odd ones survived, refill the holes. */
  for (i = 0; i < n; i += 2) {
    OH_CHECK(heapmem_free(hm_p[i]));
    hm_p[i] = NULL;
  }
  for (i = 1; i < n; i += 2) OH_CHECK(oh_intact(hm_p[i], hm_n[i], (unsigned)i));
  for (i = 0; i < n; i += 2) {
    hm_p[i] = heapmem_alloc(hm_n[i]);
    if (hm_p[i] != NULL) oh_fill(hm_p[i], hm_n[i], (unsigned)i + 100U);
  }
  for (i = 0; i < n; ++i) {
    if (hm_p[i] == NULL) continue;
    OH_CHECK(oh_intact(hm_p[i], hm_n[i], (unsigned)i + (i % 2U == 0U ? 100U : 0U)));
    for (j = 0; j < i; ++j)
      if (hm_p[j] != NULL) OH_CHECK(!oh_overlap(hm_p[i], hm_n[i], hm_p[j], hm_n[j]));
  }
  check_valid();
  /* Odd ones first, then the rest. */
  for (i = 1; i < n; i += 2) {
    OH_CHECK(heapmem_free(hm_p[i]));
    hm_p[i] = NULL;
  }
  free_slots(n);
  arena_idle();
}

static void test_heapmem_free_null_returns_false_without_fault(void) {
  heapmem_stats_t before = get_stats(), after;
  capture_faults();
  OH_CHECK(!heapmem_free(NULL));
  OH_CHECK_EQ_INT(faults.count, 0);
  release_faults();
  after = get_stats();
  OH_CHECK(same_stats(&before, &after));
  arena_idle();
}

static void test_heapmem_free_stack_and_global_pointers(void) {
  int on_stack[4];
  void *keep = heapmem_alloc(40);
  heapmem_stats_t before, after;
  OH_REQUIRE(keep != NULL);
  oh_fill(keep, 40, 5);
  before = get_stats();
  capture_faults();
  OH_CHECK(!heapmem_free(on_stack));
  check_one_fault(0, OMNIHEAP_FAULT_FOREIGN_POINTER, on_stack, "heapmem_free");
  OH_CHECK(!heapmem_free(global_object));
  check_one_fault(1, OMNIHEAP_FAULT_FOREIGN_POINTER, global_object, "heapmem_free");
  OH_CHECK(!heapmem_free(&on_stack[1]));
  check_one_fault(2, OMNIHEAP_FAULT_FOREIGN_POINTER, &on_stack[1], "heapmem_free");
  release_faults();
  after = get_stats();
  OH_CHECK(same_stats(&before, &after));
  OH_CHECK(oh_intact(keep, 40, 5));
  check_valid();
  /* Still usable. */
  {
    void *q = heapmem_alloc(24);
    OH_CHECK(q != NULL);
    OH_CHECK(heapmem_free(q));
  }
  OH_CHECK(heapmem_free(keep));
  arena_idle();
}

static void test_heapmem_free_interior_pointers(void) {
  unsigned char *p = (unsigned char *)heapmem_alloc(64);
  unsigned char *q = (unsigned char *)heapmem_alloc(64);
  heapmem_stats_t before, after;
  size_t a = align_of_blocks();
  OH_REQUIRE(p != NULL && q != NULL);
  oh_fill(p, 64, 6);
  oh_fill(q, 64, 7);
  before = get_stats();
  capture_faults();
  OH_CHECK(!heapmem_free(p + 1));
  check_one_fault(0, OMNIHEAP_FAULT_INTERIOR_POINTER, p + 1, "heapmem_free");
  OH_CHECK(!heapmem_free(p + a)); /* aligned, but inside the block */
  check_one_fault(1, OMNIHEAP_FAULT_INTERIOR_POINTER, p + a, "heapmem_free");
  OH_CHECK(!heapmem_free(p + 63));
  check_one_fault(2, OMNIHEAP_FAULT_INTERIOR_POINTER, p + 63, "heapmem_free");
  /* Just below q: a header or the end of another block, or (if q starts the
   * arena) outside it. */
  OH_CHECK(!heapmem_free(q - 1));
  OH_CHECK_EQ_INT(faults.count, 4);
  OH_CHECK(faults.kind == OMNIHEAP_FAULT_INTERIOR_POINTER ||
           faults.kind == OMNIHEAP_FAULT_FOREIGN_POINTER);
  OH_CHECK(!heapmem_free(q - a));
  OH_CHECK_EQ_INT(faults.count, 5);
  OH_CHECK(faults.kind == OMNIHEAP_FAULT_INTERIOR_POINTER ||
           faults.kind == OMNIHEAP_FAULT_FOREIGN_POINTER);
  release_faults();
  after = get_stats();
  OH_CHECK(same_stats(&before, &after));
  OH_CHECK(oh_intact(p, 64, 6));
  OH_CHECK(oh_intact(q, 64, 7));
  check_valid();
  OH_CHECK(heapmem_free(p));
  OH_CHECK(heapmem_free(q));
  arena_idle();
}

static void test_heapmem_free_forged_header_in_user_data(void) {
  /* The header bytes of a real block, copied into another block's data just
   * before an aligned address: that address is still no block. */
  size_t h = header_bytes();
  unsigned char *p = (unsigned char *)heapmem_alloc(256);
  unsigned char *q = (unsigned char *)heapmem_alloc(32);
  unsigned char *forged;
  heapmem_stats_t before, after;
  OH_REQUIRE(p != NULL && q != NULL && h > 0U && h < 64U);
  memset(p, 0, 256);
  forged = p + 128; /* aligned, and room for a header copy below it */
  memcpy(forged - h, q - h, h);
  oh_fill(q, 32, 50);
  before = get_stats();
  capture_faults();
  OH_CHECK(!heapmem_free(forged));
  OH_CHECK_EQ_INT(faults.count, 1);
  OH_CHECK_EQ_PTR(heapmem_realloc(forged, 16), NULL);
  OH_CHECK_EQ_INT(faults.count, 2);
  release_faults();
  after = get_stats();
  OH_CHECK(same_stats(&before, &after));
  OH_CHECK(oh_intact(q, 32, 50));
  check_valid();
  OH_CHECK(heapmem_free(p));
  OH_CHECK(heapmem_free(q));
  arena_idle();
}

static void test_heapmem_free_pointer_into_unused_arena(void) {
  /* Beyond the footprint but (probably) inside the arena: not a block. */
  unsigned char *p = (unsigned char *)heapmem_alloc(16);
  heapmem_stats_t before, after;
  OH_REQUIRE(p != NULL);
  before = get_stats();
  capture_faults();
  OH_CHECK(!heapmem_free(p + 512));
  OH_CHECK_EQ_INT(faults.count, 1);
  /* Not a block: which kind is open (free memory, past the footprint). */
  OH_CHECK(faults.kind == OMNIHEAP_FAULT_INTERIOR_POINTER ||
           faults.kind == OMNIHEAP_FAULT_FOREIGN_POINTER ||
           faults.kind == OMNIHEAP_FAULT_DOUBLE_FREE);
  OH_CHECK_EQ_PTR(faults.pointer, p + 512);
  release_faults();
  after = get_stats();
  OH_CHECK(same_stats(&before, &after));
  OH_CHECK(heapmem_free(p));
  arena_idle();
}

static void test_heapmem_double_free(void) {
  size_t step = block_span(32);
  void *x = heapmem_alloc(32), *a = heapmem_alloc(32), *b = heapmem_alloc(32);
  void *c = heapmem_alloc(32);
  heapmem_stats_t before, after;
  int isolated;
  OH_REQUIRE(x != NULL && a != NULL && b != NULL && c != NULL);
  /* a's neighbours x and b are in use (seen by address), so a's block stays
   * a free block of its own: its double free is exactly DOUBLE_FREE. */
  isolated = (uintptr_t)a == (uintptr_t)x + step && (uintptr_t)b == (uintptr_t)a + step;
  oh_fill(b, 32, 8);
  OH_CHECK(heapmem_free(a));
  before = get_stats();
  capture_faults();
  OH_CHECK(!heapmem_free(a));
  OH_CHECK(!heapmem_free(a));
  OH_CHECK_EQ_INT(faults.count, 2);
  OH_CHECK_EQ_INT(faults.family, OMNIHEAP_FAMILY_HEAPMEM);
  OH_CHECK_EQ_PTR(faults.pointer, a);
  if (isolated) {
    OH_CHECK_EQ_INT(faults.kinds[OMNIHEAP_FAULT_DOUBLE_FREE], 2);
    check_one_fault(1, OMNIHEAP_FAULT_DOUBLE_FREE, a, "heapmem_free");
  } else {
    oh_test_note("heapmem: blocks not laid out side by side; double-free kind checked loosely");
    OH_CHECK_EQ_INT(faults.kinds[OMNIHEAP_FAULT_DOUBLE_FREE] +
                        faults.kinds[OMNIHEAP_FAULT_INTERIOR_POINTER],
                    2);
  }
  after = get_stats();
  OH_CHECK(same_stats(&before, &after));
  OH_CHECK(oh_intact(b, 32, 8));
  check_valid();
  release_faults();
  /* The arena still works. */
  OH_CHECK(heapmem_free(c));
  OH_CHECK(heapmem_free(b));
  OH_CHECK(heapmem_free(x));
  arena_idle();
  /* Stale pointers after everything merged: still false, reported, no change. */
  capture_faults();
  before = get_stats();
  OH_CHECK(!heapmem_free(b));
  OH_CHECK(!heapmem_free(c));
  OH_CHECK(!heapmem_free(x));
  OH_CHECK_EQ_INT(faults.count, 3);
  after = get_stats();
  OH_CHECK(same_stats(&before, &after));
  release_faults();
  arena_idle();
}

static void test_heapmem_fault_report_fields(void) {
  int local = 0;
  omniheap_heap_t *h = arena_handle();
  omniheap_stats_t s0 = OMNIHEAP_STATS_INIT, s1 = OMNIHEAP_STATS_INIT;
  OH_REQUIRE(h != NULL);
  OH_CHECK_EQ_INT(omniheap_heap_stats(h, &s0), OMNIHEAP_OK);
  capture_faults();
  OH_CHECK(!heapmem_free(&local));
  OH_CHECK_EQ_INT(faults.count, 1);
  OH_CHECK_EQ_INT(faults.kind, OMNIHEAP_FAULT_FOREIGN_POINTER);
  OH_CHECK_EQ_INT(faults.family, OMNIHEAP_FAMILY_HEAPMEM);
  OH_CHECK_EQ_PTR(faults.heap, h);
  OH_CHECK_EQ_PTR(faults.object, omniheap_heap_object(h));
  OH_CHECK_EQ_PTR(faults.pointer, &local);
  OH_CHECK(strcmp(faults.function, "heapmem_free") == 0);
  OH_CHECK_EQ_INT(faults.default_action, OMNIHEAP_FAULT_RETURN);
  release_faults();
  /* The native statistics count the fault. */
  OH_CHECK_EQ_INT(omniheap_heap_stats(h, &s1), OMNIHEAP_OK);
  OH_CHECK(s1.faults == s0.faults + 1U);
  arena_idle();
}

/* ---- realloc ------------------------------------------------------------------------------------- */

static void test_heapmem_realloc_null_allocates(void) {
  heapmem_stats_t s;
  unsigned char *p = (unsigned char *)heapmem_realloc(NULL, 48);
  OH_REQUIRE(p != NULL);
  OH_CHECK(aligned(p));
  oh_fill(p, 48, 9);
  s = get_stats();
  OH_CHECK_EQ_INT(s.chunks, 1);
  OH_CHECK(s.allocated >= 48U && s.allocated < 48U + ZONE_BYTE + align_of_blocks());
  OH_CHECK(oh_intact(p, 48, 9));
  OH_CHECK(heapmem_free(p));
  OH_CHECK_EQ_PTR(heapmem_realloc(NULL, 0), NULL);
  arena_idle();
}

static void test_heapmem_realloc_zero_frees(void) {
  void *p = heapmem_alloc(48);
  OH_REQUIRE(p != NULL);
  OH_CHECK_EQ_PTR(heapmem_realloc(p, 0), NULL);
  arena_idle();
  capture_faults();
  OH_CHECK(!heapmem_free(p)); /* it really was freed */
  OH_CHECK_EQ_INT(faults.count, 1);
  release_faults();
  arena_idle();
}

static void test_heapmem_realloc_keeps_contents_growing_and_shrinking(void) {
  unsigned char *a = (unsigned char *)heapmem_alloc(40);
  unsigned char *blocker = (unsigned char *)heapmem_alloc(40);
  unsigned char *b, *c;
  OH_REQUIRE(a != NULL && blocker != NULL);
  oh_fill(a, 40, 10);
  oh_fill(blocker, 40, 11);
  b = (unsigned char *)heapmem_realloc(a, 300);
  OH_REQUIRE(b != NULL);
  OH_CHECK(aligned(b));
  OH_CHECK(oh_intact(b, 40, 10));
  OH_CHECK(!oh_overlap(b, 300, blocker, 40));
  memset(b + 40, 0x5A, 260);
  OH_CHECK(oh_intact(blocker, 40, 11));
  c = (unsigned char *)heapmem_realloc(b, 12);
  OH_REQUIRE(c != NULL);
  OH_CHECK_EQ_PTR(c, b); /* shrinking keeps the block */
  OH_CHECK(oh_intact(c, 12, 10));
  b = (unsigned char *)heapmem_realloc(c, 1000);
  OH_REQUIRE(b != NULL);
  OH_CHECK(oh_intact(b, 12, 10));
  OH_CHECK(oh_intact(blocker, 40, 11));
  OH_CHECK_EQ_INT(get_stats().chunks, 2);
  check_valid();
  OH_CHECK(heapmem_free(b));
  OH_CHECK(heapmem_free(blocker));
  arena_idle();
}

static void test_heapmem_realloc_shrink_keeps_pointer(void) {
  unsigned char *p = (unsigned char *)heapmem_alloc(400);
  size_t sizes[] = {300, 299, 100, 17, 16, 1};
  size_t i, prev_alloc;
  OH_REQUIRE(p != NULL);
  oh_fill(p, 400, 12);
  prev_alloc = get_stats().allocated;
  for (i = 0; i < sizeof sizes / sizeof sizes[0]; ++i) {
    heapmem_stats_t s;
    OH_CHECK_EQ_PTR(heapmem_realloc(p, sizes[i]), p);
    OH_CHECK(oh_intact(p, sizes[i], 12));
    s = get_stats();
    OH_CHECK_EQ_INT(s.chunks, 1);
    OH_CHECK(s.allocated <= prev_alloc);
    OH_CHECK(s.allocated >= sizes[i]);
    prev_alloc = s.allocated;
  }
  check_valid();
  OH_CHECK(heapmem_free(p));
  arena_idle();
}

static void test_heapmem_realloc_grows_in_place_at_the_top(void) {
  unsigned char *p = (unsigned char *)heapmem_alloc(32);
  heapmem_stats_t s;
  OH_REQUIRE(p != NULL);
  oh_fill(p, 32, 13);
  s = get_stats();
  /* The only block ends the footprint: everything after it is free. */
  if (arena_rounded() - s.footprint >= 1024U) {
    OH_CHECK_EQ_PTR(heapmem_realloc(p, 1024), p);
    OH_CHECK(oh_intact(p, 32, 13));
    OH_CHECK_EQ_PTR(heapmem_realloc(p, 2048), p);
    OH_CHECK(oh_intact(p, 32, 13));
    s = get_stats();
    OH_CHECK_EQ_INT(s.chunks, 1);
    OH_CHECK(s.allocated >= 2048U && s.allocated < 2048U + ZONE_BYTE + align_of_blocks());
  } else {
    oh_test_note("heapmem: the first block is not at the low end; top growth not checked");
  }
  check_valid();
  OH_CHECK(heapmem_free(p));
  arena_idle();
}

static void test_heapmem_realloc_grows_into_free_right_neighbour(void) {
  size_t h = header_bytes(), span = block_span(64), i;
  unsigned char *b[3];
  int done = 0;
  OH_REQUIRE(h > 0U && span > h);
  for (i = 0; i < 3; ++i) {
    b[i] = (unsigned char *)heapmem_alloc(64);
    OH_REQUIRE(b[i] != NULL);
    oh_fill(b[i], 64, 20U + (unsigned)i);
  }
  /* Find two neighbours: x directly followed by y (y = x + span). */
  for (i = 0; i < 3 && !done; ++i) {
    size_t j;
    for (j = 0; j < 3 && !done; ++j) {
      size_t k = 3U - i - j; /* the third block */
      if (i == j || k > 2U || k == i || k == j) continue;
      if ((uintptr_t)b[j] == (uintptr_t)b[i] + span) {
        /* x's bytes plus all of y's (less x's zone byte, if any) */
        size_t grown = (span - h) + span - ZONE_BYTE;
        unsigned char *r;
        OH_CHECK(heapmem_free(b[j]));
        r = (unsigned char *)heapmem_realloc(b[i], 64U + 32U);
        OH_CHECK_EQ_PTR(r, b[i]);
        if (r != NULL) b[i] = r;
        OH_CHECK(oh_intact(b[i], 64, 20U + (unsigned)i));
        r = (unsigned char *)heapmem_realloc(b[i], grown);
        OH_CHECK_EQ_PTR(r, b[i]);
        if (r != NULL) b[i] = r;
        OH_CHECK(oh_intact(b[i], 64, 20U + (unsigned)i));
        OH_CHECK(oh_intact(b[k], 64, 20U + (unsigned)k));
        OH_CHECK_EQ_INT(get_stats().chunks, 2);
        check_valid();
        OH_CHECK(heapmem_free(b[i]));
        OH_CHECK(heapmem_free(b[k]));
        done = 1;
      }
    }
  }
  if (!done) {
    oh_test_note("heapmem: no two adjacent blocks found; right-neighbour growth not checked");
    for (i = 0; i < 3; ++i) OH_CHECK(heapmem_free(b[i]));
  }
  arena_idle();
}

static void test_heapmem_realloc_of_freed_or_foreign_pointer(void) {
  int on_stack[2];
  void *keep = heapmem_alloc(24), *dead = heapmem_alloc(24);
  heapmem_stats_t before, after;
  OH_REQUIRE(keep != NULL && dead != NULL);
  oh_fill(keep, 24, 14);
  OH_CHECK(heapmem_free(dead));
  before = get_stats();
  capture_faults();
  OH_CHECK_EQ_PTR(heapmem_realloc(dead, 100), NULL);
  OH_CHECK_EQ_INT(faults.count, 1);
  OH_CHECK_EQ_INT(faults.family, OMNIHEAP_FAMILY_HEAPMEM);
  OH_CHECK_EQ_PTR(faults.pointer, dead);
  OH_CHECK_EQ_PTR(heapmem_realloc(on_stack, 100), NULL);
  OH_CHECK_EQ_INT(faults.count, 2);
  OH_CHECK_EQ_INT(faults.kind, OMNIHEAP_FAULT_FOREIGN_POINTER);
  OH_CHECK_EQ_PTR(heapmem_realloc(global_object, 8), NULL);
  OH_CHECK_EQ_INT(faults.count, 3);
  OH_CHECK_EQ_PTR(heapmem_realloc((unsigned char *)keep + 1, 8), NULL);
  OH_CHECK_EQ_INT(faults.count, 4);
  OH_CHECK_EQ_INT(faults.kind, OMNIHEAP_FAULT_INTERIOR_POINTER);
  release_faults();
  after = get_stats();
  OH_CHECK(same_stats(&before, &after));
  OH_CHECK(oh_intact(keep, 24, 14));
  check_valid();
  OH_CHECK(heapmem_free(keep));
  arena_idle();
}

static void test_heapmem_realloc_too_large_keeps_block(void) {
  size_t h = header_bytes();
  unsigned char *p = (unsigned char *)heapmem_alloc(100);
  heapmem_stats_t before, after;
  OH_REQUIRE(p != NULL && h > 0U);
  oh_fill(p, 100, 15);
  before = get_stats();
  OH_CHECK_EQ_PTR(heapmem_realloc(p, ARENA + 1U), NULL);
  OH_CHECK_EQ_PTR(heapmem_realloc(p, ARENA), NULL);
  OH_CHECK_EQ_PTR(heapmem_realloc(p, SIZE_MAX), NULL);
  OH_CHECK_EQ_PTR(heapmem_realloc(p, SIZE_MAX - 1U), NULL);
  /* The only block: even in place it has at most the arena less one header. */
  OH_CHECK_EQ_PTR(heapmem_realloc(p, arena_rounded() - h + 1U), NULL);
  after = get_stats();
  OH_CHECK(same_stats(&before, &after));
  OH_CHECK(oh_intact(p, 100, 15));
  /* p is still a valid block. */
  OH_CHECK_EQ_PTR(heapmem_realloc(p, 50), p);
  OH_CHECK(oh_intact(p, 50, 15));
  OH_CHECK(heapmem_free(p));
  arena_idle();
}

static void test_heapmem_realloc_blocked_growth_fails_cleanly(void) {
  /* Fill the arena; growing a block then cannot succeed anywhere. */
  size_t n = fill_arena(), i;
  heapmem_stats_t before, after;
  OH_REQUIRE(n >= 3U);
  before = get_stats();
  OH_CHECK_EQ_PTR(heapmem_realloc(hm_p[1], hm_n[1] + 2U * ARENA / 3U), NULL);
  after = get_stats();
  OH_CHECK(same_stats(&before, &after));
  for (i = 0; i < n; ++i) OH_CHECK(oh_intact(hm_p[i], hm_n[i], (unsigned)i));
  check_valid();
  free_slots(n);
  arena_idle();
}

/* ---- calloc ------------------------------------------------------------------------------------ */

static void test_heapmem_calloc_zeroes(void) {
  unsigned char *dirty = (unsigned char *)heapmem_alloc(600), *p;
  OH_REQUIRE(dirty != NULL);
  memset(dirty, 0xFF, 600);
  OH_CHECK(heapmem_free(dirty));
  p = (unsigned char *)heapmem_calloc(16, 32);
  OH_REQUIRE(p != NULL);
  OH_CHECK(aligned(p));
  OH_CHECK(oh_all_zero(p, 512));
  OH_CHECK_EQ_INT(get_stats().chunks, 1);
  OH_CHECK(heapmem_free(p));
  p = (unsigned char *)heapmem_calloc(1, 1);
  OH_REQUIRE(p != NULL);
  OH_CHECK_EQ_INT(p[0], 0);
  OH_CHECK(heapmem_free(p));
  p = (unsigned char *)heapmem_calloc(3, 7);
  OH_REQUIRE(p != NULL);
  OH_CHECK(oh_all_zero(p, 21));
  OH_CHECK(heapmem_free(p));
  arena_idle();
}

static void test_heapmem_calloc_zero_count_or_size_is_null(void) {
  heapmem_stats_t before = get_stats(), after;
  OH_CHECK_EQ_PTR(heapmem_calloc(0, 16), NULL);
  OH_CHECK_EQ_PTR(heapmem_calloc(16, 0), NULL);
  OH_CHECK_EQ_PTR(heapmem_calloc(0, 0), NULL);
  OH_CHECK_EQ_PTR(heapmem_calloc(0, SIZE_MAX), NULL);
  after = get_stats();
  OH_CHECK(same_stats(&before, &after));
  arena_idle();
}

static void test_heapmem_calloc_overflow_is_null(void) {
  heapmem_stats_t before = get_stats(), after;
  OH_CHECK_EQ_PTR(heapmem_calloc(SIZE_MAX / 2U + 1U, 2), NULL); /* product wraps to 0 */
  OH_CHECK_EQ_PTR(heapmem_calloc(2, SIZE_MAX / 2U + 1U), NULL);
  OH_CHECK_EQ_PTR(heapmem_calloc(SIZE_MAX, SIZE_MAX), NULL);   /* wraps to 1 */
  OH_CHECK_EQ_PTR(heapmem_calloc(SIZE_MAX / 4U + 2U, 4), NULL);  /* wraps to a small size */
  OH_CHECK_EQ_PTR(heapmem_calloc((SIZE_MAX >> (sizeof(size_t) * 4U)) + 1U,
                                 (SIZE_MAX >> (sizeof(size_t) * 4U)) + 1U),
                  NULL); /* 2^(bits/2) squared wraps to 0 */
  OH_CHECK_EQ_PTR(heapmem_calloc(ARENA, 2), NULL); /* no overflow, just too large */
  after = get_stats();
  OH_CHECK(same_stats(&before, &after));
  arena_idle();
}

/* ---- statistics -------------------------------------------------------------------------------- */

/* heapmem.h: `allocated` is the usable bytes of the blocks, each block's
 * size rounded up (here: by less than one alignment unit, plus the zone byte
 * when there are zones); `overhead` their headers; `available` the free
 * bytes, headers included. */
static void test_heapmem_stats_grow_with_allocations(void) {
  size_t a = align_of_blocks();
  heapmem_stats_t e = get_stats(), s1, s2, s3, s4;
  size_t h, u1, u2, u3;
  void *p1, *p2, *p3;
  p1 = heapmem_alloc(10);
  OH_REQUIRE(p1 != NULL);
  s1 = get_stats();
  OH_CHECK_EQ_INT(s1.chunks, 1);
  u1 = s1.allocated;
  OH_CHECK(u1 >= 10U && u1 < 10U + ZONE_BYTE + a);
  OH_CHECK(s1.overhead > 0U);
  h = s1.overhead;
  OH_CHECK_EQ_INT(s1.available, e.available - u1 - h);
  OH_CHECK(s1.footprint >= s1.allocated + s1.overhead);
  OH_CHECK(s1.footprint <= arena_rounded());
  OH_CHECK(s1.max_footprint >= s1.footprint);
  p2 = heapmem_alloc(100);
  OH_REQUIRE(p2 != NULL);
  s2 = get_stats();
  OH_CHECK_EQ_INT(s2.chunks, 2);
  u2 = s2.allocated - s1.allocated;
  OH_CHECK(u2 >= 100U && u2 < 100U + ZONE_BYTE + a);
  OH_CHECK_EQ_INT(s2.overhead, 2U * h);
  OH_CHECK_EQ_INT(s2.available, s1.available - u2 - h);
  OH_CHECK(s2.footprint >= s1.footprint);
  OH_CHECK(s2.footprint >= s2.allocated + s2.overhead);
  OH_CHECK(s2.max_footprint >= s2.footprint && s2.max_footprint >= s1.max_footprint);
  p3 = heapmem_alloc(1);
  OH_REQUIRE(p3 != NULL);
  s3 = get_stats();
  OH_CHECK_EQ_INT(s3.chunks, 3);
  u3 = s3.allocated - s2.allocated;
  OH_CHECK(u3 >= 1U && u3 < 1U + ZONE_BYTE + a);
  OH_CHECK_EQ_INT(s3.overhead, 3U * h);
  OH_CHECK_EQ_INT(s3.available, s2.available - u3 - h);
  /* The same request costs the same. */
  OH_CHECK(heapmem_free(p3));
  p3 = heapmem_alloc(1);
  OH_REQUIRE(p3 != NULL);
  OH_CHECK_EQ_INT(get_stats().allocated, s3.allocated);
  /* Freeing gives back payload and header. */
  OH_CHECK(heapmem_free(p2));
  s4 = get_stats();
  OH_CHECK_EQ_INT(s4.chunks, 2);
  OH_CHECK_EQ_INT(s4.allocated, s3.allocated - u2);
  OH_CHECK_EQ_INT(s4.overhead, 2U * h);
  OH_CHECK_EQ_INT(s4.available, s3.available + u2 + h);
  OH_CHECK(s4.max_footprint >= s3.max_footprint);
  OH_CHECK(heapmem_free(p1));
  OH_CHECK(heapmem_free(p3));
  s4 = get_stats();
  OH_CHECK_EQ_INT(s4.available, e.available);
  OH_CHECK(s4.max_footprint >= s3.max_footprint);
  arena_idle();
}

static void test_heapmem_stats_account_for_every_byte(void) {
  /* allocated + overhead (the blocks in use) + available (free, headers
   * included) is the whole arena, whatever the state. */
  size_t n = fill_arena(), i;
  heapmem_stats_t s = get_stats();
  OH_CHECK_EQ_INT(s.allocated + s.overhead + s.available, arena_rounded());
  for (i = 0; i < n; i += 3) {
    OH_CHECK(heapmem_free(hm_p[i]));
    hm_p[i] = NULL;
    s = get_stats();
    OH_CHECK_EQ_INT(s.allocated + s.overhead + s.available, arena_rounded());
  }
  free_slots(n);
  s = get_stats();
  OH_CHECK_EQ_INT(s.allocated + s.overhead + s.available, arena_rounded());
  arena_idle();
}

static void test_heapmem_footprint_returns_to_zero_any_order(void) {
  /* api-reference §2.5: upstream leaves footprint 144 after freeing A, B, C
   * as A, C, B; omniheap returns all trailing free space. */
  static const unsigned char orders[6][3] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2},
                                             {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
  size_t o, i;
  size_t last_max = get_stats().max_footprint;
  for (o = 0; o < 6; ++o) {
    void *blk[3];
    heapmem_stats_t s;
    for (i = 0; i < 3; ++i) {
      blk[i] = heapmem_alloc(100);
      OH_REQUIRE(blk[i] != NULL);
    }
    s = get_stats();
    OH_CHECK(s.footprint > 0U);
    OH_CHECK(s.max_footprint >= last_max);
    last_max = s.max_footprint;
    for (i = 0; i < 3; ++i) {
      OH_CHECK(heapmem_free(blk[orders[o][i]]));
      s = get_stats();
      OH_CHECK(s.max_footprint >= last_max); /* never decreases */
      last_max = s.max_footprint;
    }
    OH_CHECK_EQ_INT(s.footprint, 0);
    OH_CHECK_EQ_INT(s.available, arena_rounded());
  }
  arena_idle();
}

static void test_heapmem_max_footprint_never_decreases(void) {
  size_t n, i, last;
  heapmem_stats_t s = get_stats();
  last = s.max_footprint;
  n = fill_arena();
  s = get_stats();
  OH_CHECK(s.max_footprint >= last);
  OH_CHECK(s.max_footprint >= s.footprint);
  OH_CHECK(s.footprint > 0U);
  last = s.max_footprint;
  for (i = n; i-- > 0;) {
    OH_CHECK(heapmem_free(hm_p[i]));
    hm_p[i] = NULL;
    s = get_stats();
    if (!OH_CHECK(s.max_footprint >= last)) break;
    OH_CHECK(s.max_footprint >= s.footprint);
    last = s.max_footprint;
  }
  free_slots(n);
  s = get_stats();
  OH_CHECK_EQ_INT(s.footprint, 0);
  OH_CHECK_EQ_INT(s.max_footprint, last);
  arena_idle();
}

static uint32_t lcg(uint32_t *state) {
  *state = *state * 1103515245U + 12345U;
  return *state >> 8;
}

/* api-reference §2.5: upstream's unit test (many allocations, the largest
 * allocation, invalid frees) ends with stats_check on the empty arena. */
static void test_heapmem_upstream_stats_check_sequence(void) {
  uint32_t rng = 12345U;
  size_t round, i, live = 0;
  heapmem_stats_t s;
  for (i = 0; i < HM_SLOTS; ++i) hm_p[i] = NULL;
  /* do_many_allocations */
  for (round = 0; round < 400U; ++round) {
    size_t k = lcg(&rng) % HM_SLOTS;
    if (hm_p[k] == NULL) {
      size_t want = 1U + lcg(&rng) % 256U;
      hm_p[k] = heapmem_alloc(want);
      if (hm_p[k] != NULL) {
        OH_CHECK(aligned(hm_p[k]));
        hm_n[k] = want;
        oh_fill(hm_p[k], want, (unsigned)k);
        ++live;
      }
    } else {
      OH_CHECK(oh_intact(hm_p[k], hm_n[k], (unsigned)k));
      OH_CHECK(heapmem_free(hm_p[k]));
      hm_p[k] = NULL;
      --live;
    }
  }
  OH_CHECK_EQ_INT(get_stats().chunks, live);
  free_slots(HM_SLOTS);
  /* max_alloc */
  OH_CHECK_EQ_PTR(heapmem_alloc(ARENA + 1U), NULL);
  hm_p[0] = heapmem_alloc(ARENA / 2U);
  OH_CHECK(hm_p[0] != NULL);
  OH_CHECK(heapmem_free(hm_p[0]));
  hm_p[0] = NULL;
  /* invalid_freeing */
  capture_faults();
  OH_CHECK(!heapmem_free(NULL));
  OH_CHECK(!heapmem_free(global_object));
  release_faults();
  /* stats_check */
  s = get_stats();
  OH_CHECK_EQ_INT(s.allocated, 0);
  OH_CHECK_EQ_INT(s.overhead, 0);
  OH_CHECK_EQ_INT(s.available, arena_rounded());
  OH_CHECK_EQ_INT(s.footprint, 0);
  OH_CHECK_EQ_INT(s.chunks, 0);
  arena_idle();
}

static void test_heapmem_stats_match_native_registry(void) {
  omniheap_heap_t *h = arena_handle();
  omniheap_stats_t n0 = OMNIHEAP_STATS_INIT, n1 = OMNIHEAP_STATS_INIT;
  heapmem_stats_t s;
  void *p, *q;
  OH_REQUIRE(h != NULL);
  OH_REQUIRE(omniheap_heap_stats(h, &n0) == OMNIHEAP_OK);
  OH_CHECK_EQ_INT(n0.live_blocks, 0);
  OH_CHECK_EQ_INT(n0.in_use, 0);
  p = heapmem_alloc(30);
  q = heapmem_alloc(200);
  OH_REQUIRE(p != NULL && q != NULL);
  s = get_stats();
  OH_REQUIRE(omniheap_heap_stats(h, &n1) == OMNIHEAP_OK);
  OH_CHECK_EQ_INT(n1.live_blocks, s.chunks);
  /* omniheap.h: general heaps count whole chunks, headers included, and
   * in_use + free_bytes == capacity. */
  OH_CHECK_EQ_INT(n1.in_use, s.allocated + s.overhead);
  OH_CHECK_EQ_INT(n1.in_use + n1.free_bytes, n1.capacity);
  OH_CHECK(n1.peak >= n1.in_use);
  OH_CHECK(n1.allocations == n0.allocations + 2U);
  OH_CHECK(n1.capacity > 0U);
  OH_CHECK(n1.largest_free <= n1.free_bytes);
  OH_CHECK_EQ_INT(n1.block_size, 0);
  OH_CHECK(heapmem_free(p));
  OH_CHECK(heapmem_free(q));
  OH_REQUIRE(omniheap_heap_stats(h, &n1) == OMNIHEAP_OK);
  OH_CHECK_EQ_INT(n1.live_blocks, 0);
  OH_CHECK_EQ_INT(n1.in_use, 0);
  OH_CHECK(n1.frees == n0.frees + 2U);
  arena_idle();
}

static void test_heapmem_native_largest_free_is_exact(void) {
  omniheap_heap_t *h = arena_handle();
  omniheap_stats_t n = OMNIHEAP_STATS_INIT;
  void *p, *q;
  OH_REQUIRE(h != NULL);
  q = heapmem_alloc(100);
  OH_REQUIRE(q != NULL);
  OH_REQUIRE(omniheap_heap_stats(h, &n) == OMNIHEAP_OK);
  /* "Largest request one allocation could satisfy right now." */
  OH_REQUIRE(n.largest_free > 0U);
  OH_CHECK(n.largest_free <= n.free_bytes);
  OH_CHECK_EQ_PTR(heapmem_alloc(n.largest_free + 1U), NULL);
  p = heapmem_alloc(n.largest_free);
  OH_CHECK(p != NULL);
  if (p != NULL) OH_CHECK(heapmem_free(p));
  OH_CHECK(heapmem_free(q));
  arena_idle();
}

static void test_heapmem_native_counts_failed_allocations(void) {
  omniheap_heap_t *h = arena_handle();
  omniheap_stats_t n0 = OMNIHEAP_STATS_INIT, n1 = OMNIHEAP_STATS_INIT;
  void *big;
  OH_REQUIRE(h != NULL);
  OH_REQUIRE(omniheap_heap_stats(h, &n0) == OMNIHEAP_OK);
  /* No room left: counted. */
  big = heapmem_alloc(3U * ARENA / 4U);
  OH_REQUIRE(big != NULL);
  OH_CHECK_EQ_PTR(heapmem_alloc(3U * ARENA / 4U), NULL);
  OH_REQUIRE(omniheap_heap_stats(h, &n1) == OMNIHEAP_OK);
  OH_CHECK(n1.failed_allocations == n0.failed_allocations + 1U);
  OH_CHECK(heapmem_free(big));
  /* "Allocation requests that returned no memory": a request larger than
   * the arena is one too. */
  n0 = n1;
  OH_CHECK_EQ_PTR(heapmem_alloc(ARENA + 1U), NULL);
  OH_REQUIRE(omniheap_heap_stats(h, &n1) == OMNIHEAP_OK);
  OH_CHECK(n1.failed_allocations == n0.failed_allocations + 1U);
  arena_idle();
}

struct walk_rec {
  unsigned n, used, bad_order;
  uintptr_t last;
  void *addr[8];
  size_t size[8];
};

static int record_blocks(const omniheap_block_t *b, void *context) {
  struct walk_rec *w = (struct walk_rec *)context;
  if (w->n > 0U && (uintptr_t)b->address <= w->last) ++w->bad_order;
  w->last = (uintptr_t)b->address;
  ++w->n;
  if (b->used) {
    if (w->used < 8U) {
      w->addr[w->used] = b->address;
      w->size[w->used] = b->size;
    }
    ++w->used;
  }
  return 0;
}

static void test_heapmem_walk_reports_blocks(void) {
  struct walk_rec w;
  void *p[4];
  static const size_t want[4] = {10, 100, 1, 64};
  unsigned i, j;
  for (i = 0; i < 4U; ++i) {
    p[i] = heapmem_alloc(want[i]);
    OH_REQUIRE(p[i] != NULL);
  }
  OH_CHECK(heapmem_free(p[1]));
  memset(&w, 0, sizeof w);
  OH_CHECK_EQ_INT(omniheap_heap_walk(arena_handle(), record_blocks, &w), OMNIHEAP_OK);
  OH_CHECK_EQ_INT(w.used, 3);
  OH_CHECK(w.n >= 4U);           /* the hole and the free rest too */
  OH_CHECK_EQ_INT(w.bad_order, 0); /* address order */
  for (i = 0; i < 4U; ++i) {
    int found = 0;
    if (i == 1U) continue;
    for (j = 0; j < w.used && j < 8U; ++j)
      if (w.addr[j] == p[i]) {
        found = 1;
        OH_CHECK(w.size[j] >= want[i]);
      }
    OH_CHECK(found);
  }
  for (i = 0; i < 4U; ++i)
    if (i != 1U) OH_CHECK(heapmem_free(p[i]));
  arena_idle();
}

/* ---- debug variants and printing ---------------------------------------------------------------- */

static void test_heapmem_debug_variants_behave_as_plain(void) {
  unsigned char *a, *b, *c, *d;
  heapmem_stats_t s;
  a = (unsigned char *)heapmem_alloc_debug(24, __FILE__, __LINE__);
  b = (unsigned char *)heapmem_zone_alloc_debug(HEAPMEM_ZONE_GENERAL, 40, __FILE__, __LINE__);
  c = (unsigned char *)heapmem_calloc_debug(4, 8, __FILE__, __LINE__);
  d = (unsigned char *)heapmem_realloc_debug(NULL, 16, __FILE__, __LINE__);
  OH_REQUIRE(a != NULL && b != NULL && c != NULL && d != NULL);
  OH_CHECK(aligned(a) && aligned(b) && aligned(c) && aligned(d));
  OH_CHECK(oh_all_zero(c, 32));
  oh_fill(a, 24, 30);
  oh_fill(b, 40, 31);
  s = get_stats();
  OH_CHECK_EQ_INT(s.chunks, 4);
  OH_CHECK(s.allocated >= 24U + 40U + 32U + 16U);
  OH_CHECK_EQ_INT(s.allocated + s.overhead + s.available, arena_rounded());
  a = (unsigned char *)heapmem_realloc_debug(a, 300, __FILE__, __LINE__);
  OH_REQUIRE(a != NULL);
  OH_CHECK(oh_intact(a, 24, 30));
  OH_CHECK_EQ_PTR(heapmem_realloc_debug(a, 10, __FILE__, __LINE__), a);
  OH_CHECK(oh_intact(a, 10, 30));
  /* The NULL and zero cases. */
  OH_CHECK_EQ_PTR(heapmem_alloc_debug(0, __FILE__, __LINE__), NULL);
  OH_CHECK_EQ_PTR(heapmem_alloc_debug(ARENA + 1U, __FILE__, __LINE__), NULL);
  OH_CHECK_EQ_PTR(heapmem_zone_alloc_debug(HEAPMEM_ZONE_GENERAL, 0, __FILE__, __LINE__), NULL);
  OH_CHECK_EQ_PTR(heapmem_zone_alloc_debug(HEAPMEM_ZONE_INVALID, 8, __FILE__, __LINE__), NULL);
  OH_CHECK_EQ_PTR(heapmem_calloc_debug(0, 8, __FILE__, __LINE__), NULL);
  OH_CHECK_EQ_PTR(heapmem_calloc_debug(8, 0, __FILE__, __LINE__), NULL);
  OH_CHECK_EQ_PTR(heapmem_calloc_debug(SIZE_MAX / 2U + 1U, 2, __FILE__, __LINE__), NULL);
  OH_CHECK_EQ_PTR(heapmem_realloc_debug(b, SIZE_MAX, __FILE__, __LINE__), NULL);
  OH_CHECK(oh_intact(b, 40, 31));
  OH_CHECK_EQ_PTR(heapmem_realloc_debug(d, 0, __FILE__, __LINE__), NULL); /* frees d */
  OH_CHECK_EQ_INT(get_stats().chunks, 3);
  check_valid();
  OH_CHECK(heapmem_free_debug(a, __FILE__, __LINE__));
  OH_CHECK(heapmem_free_debug(b, __FILE__, __LINE__));
  OH_CHECK(heapmem_free_debug(c, __FILE__, __LINE__));
  capture_faults();
  OH_CHECK(!heapmem_free_debug(NULL, __FILE__, __LINE__));
  OH_CHECK_EQ_INT(faults.count, 0);
  OH_CHECK(!heapmem_free_debug(a, __FILE__, __LINE__));
  OH_CHECK_EQ_INT(faults.count, 1);
  OH_CHECK_EQ_INT(faults.family, OMNIHEAP_FAMILY_HEAPMEM);
  OH_CHECK_EQ_PTR(faults.pointer, a);
  OH_CHECK(!heapmem_free_debug(d, __FILE__, __LINE__)); /* freed by realloc(d, 0) */
  OH_CHECK_EQ_INT(faults.count, 2);
  OH_CHECK(!heapmem_free_debug(global_object, __FILE__, __LINE__));
  OH_CHECK_EQ_INT(faults.count, 3);
  OH_CHECK_EQ_INT(faults.kind, OMNIHEAP_FAULT_FOREIGN_POINTER);
  OH_CHECK_EQ_PTR(heapmem_realloc_debug(a, 8, __FILE__, __LINE__), NULL);
  OH_CHECK_EQ_INT(faults.count, 4);
  release_faults();
  arena_idle();
}

static void test_heapmem_print_debug_info_runs(void) {
  void *p = heapmem_alloc(20), *q = heapmem_alloc(70), *r = heapmem_alloc(5);
  heapmem_stats_t before, after;
  OH_REQUIRE(p != NULL && q != NULL && r != NULL);
  OH_CHECK(heapmem_free(q)); /* one free chunk between two in use */
  before = get_stats();
  heapmem_print_debug_info(false);
  heapmem_print_debug_info(true);
  after = get_stats();
  OH_CHECK(same_stats(&before, &after)); /* printing changes nothing */
  check_valid();
  OH_CHECK(heapmem_free(p));
  OH_CHECK(heapmem_free(r));
  heapmem_print_debug_info(true); /* empty arena */
  arena_idle();
}

#if defined(OH_HOSTED) && OH_HOSTED
/* With the default fault handler (restored by NULL), heapmem's faults
 * return false: run in a child, whose stderr (the report line) is dropped. */
static void test_heapmem_default_fault_action_returns_false(void) {
  int status = 0;
  pid_t pid;
  fflush(stdout);
  fflush(stderr);
  pid = fork();
  if (pid == 0) {
    int local = 0, devnull = open("/dev/null", O_WRONLY);
    void *p;
    alarm(10);
    if (devnull >= 0) dup2(devnull, 2);
    omniheap_set_fault_handler(NULL, NULL);
    p = heapmem_alloc(16);
    if (p == NULL || !heapmem_free(p)) _exit(2);
    if (heapmem_free(p)) _exit(3);        /* double free */
    if (heapmem_free(&local)) _exit(4);    /* foreign */
    if (heapmem_realloc(p, 32) != NULL) _exit(5);
    _exit(0);
  }
  OH_REQUIRE(pid > 0);
  OH_CHECK(waitpid(pid, &status, 0) == pid);
  OH_CHECK(WIFEXITED(status));
  if (WIFEXITED(status)) OH_CHECK_EQ_INT(WEXITSTATUS(status), 0);
  arena_idle();
}
#endif

/* ---- zones (these take GENERAL budget for good: they run last) ----------------------------------- */

static void test_heapmem_zone_register_rejects_bad_arguments(void) {
  void *big;
  OH_CHECK_EQ_INT(heapmem_zone_register(NULL, 64), HEAPMEM_ZONE_INVALID);
  OH_CHECK_EQ_INT(heapmem_zone_register("oh_zero", 0), HEAPMEM_ZONE_INVALID);
  OH_CHECK_EQ_INT(heapmem_zone_register("oh_huge", ARENA + 1U), HEAPMEM_ZONE_INVALID);
  OH_CHECK_EQ_INT(heapmem_zone_register("oh_max", SIZE_MAX), HEAPMEM_ZONE_INVALID);
  /* Larger than what GENERAL has left unallocated. */
  big = heapmem_alloc(ARENA / 2U);
  OH_REQUIRE(big != NULL);
  OH_CHECK_EQ_INT(heapmem_zone_register("oh_rest", ARENA / 2U + ARENA / 4U), HEAPMEM_ZONE_INVALID);
  OH_CHECK(heapmem_free(big));
  arena_idle();
}

static void test_heapmem_zone_alloc_invalid_zone_is_null(void) {
  heapmem_stats_t before = get_stats(), after;
  unsigned z;
  OH_CHECK_EQ_PTR(heapmem_zone_alloc(HEAPMEM_ZONE_INVALID, 16), NULL);
  for (z = MAX_ZONES; z < 255U; z += 17U)
    OH_CHECK_EQ_PTR(heapmem_zone_alloc((heapmem_zone_t)z, 16), NULL);
  OH_CHECK_EQ_PTR(heapmem_zone_alloc((heapmem_zone_t)MAX_ZONES, 16), NULL);
  after = get_stats();
  OH_CHECK(same_stats(&before, &after));
  /* GENERAL is always there. */
  {
    void *p = heapmem_zone_alloc(HEAPMEM_ZONE_GENERAL, 16);
    OH_CHECK(p != NULL);
    OH_CHECK(heapmem_free(p));
  }
  arena_idle();
}

static void test_heapmem_zone_register_with_only_general(void) {
#if MAX_ZONES == 1
  /* No slot beside GENERAL: every registration fails. */
  OH_CHECK_EQ_INT(heapmem_zone_register("oh_only", 64), HEAPMEM_ZONE_INVALID);
  OH_CHECK_EQ_INT(heapmem_zone_register("oh_only2", 1), HEAPMEM_ZONE_INVALID);
  OH_CHECK_EQ_PTR(heapmem_zone_alloc(1, 8), NULL);
#else
  oh_test_note("heapmem: more than one zone in this build; single-zone case not applicable");
#endif
  arena_idle();
}

static void test_heapmem_zone_duplicate_name(void) {
#if MAX_ZONES > 1
  static const char name[] = "oh_dup";
  char copy[sizeof name];
  heapmem_zone_t z = heapmem_zone_register(name, 64);
  OH_REQUIRE(z != HEAPMEM_ZONE_INVALID);
  OH_CHECK(z >= 1U && z < MAX_ZONES);
  memcpy(copy, name, sizeof name); /* compared with strcmp, not by address */
  OH_CHECK_EQ_INT(heapmem_zone_register(copy, 64), HEAPMEM_ZONE_INVALID);
  OH_CHECK_EQ_INT(heapmem_zone_register(name, 32), HEAPMEM_ZONE_INVALID);
  {
    void *p = heapmem_zone_alloc(z, 8);
    OH_CHECK(p != NULL);
    OH_CHECK(aligned(p));
    OH_CHECK(heapmem_free(p));
  }
#else
  OH_CHECK_EQ_INT(heapmem_zone_register("oh_dup", 64), HEAPMEM_ZONE_INVALID);
  oh_test_note("heapmem: only GENERAL in this build; duplicate-name case skipped");
#endif
  arena_idle();
}

#if MAX_ZONES > 1
/* Allocates `size`-byte blocks from `zone` until it refuses; frees them all
 * again and returns their number. */
static size_t zone_capacity(heapmem_zone_t zone, size_t size) {
  size_t n = 0;
  while (n < HM_SLOTS && (hm_p[n] = heapmem_zone_alloc(zone, size)) != NULL) ++n;
  free_slots(n);
  return n;
}
#endif

/* An overflow that reaches the zone trailer at the end of a block (inside
 * the chunk, so the engine's header checks cannot see it) is caught by
 * heapmem_free(): corrupt metadata, false, no zone's budget touched. */
static void test_heapmem_zone_trailer_overwrite_is_detected(void) {
#if MAX_ZONES > 1
  size_t n = 20, usable = block_span(20) - header_bytes(), i;
  unsigned char *p, saved[32];
  heapmem_stats_t before, after;
  unsigned count;
  OH_REQUIRE(usable >= n + ZONE_BYTE && usable - n <= sizeof saved);
  capture_faults();
  p = (unsigned char *)heapmem_alloc(n);
  OH_REQUIRE(p != NULL);
  memcpy(saved, p + n, usable - n);
  for (i = n; i < usable; ++i) p[i] = (unsigned char)(0x3C + i); /* overflow to the chunk's end */
  before = get_stats();
  count = faults.count;
  OH_CHECK(!heapmem_free(p));
  check_one_fault(count, OMNIHEAP_FAULT_CORRUPT_METADATA, p, "heapmem_free");
  OH_CHECK_EQ_PTR(heapmem_realloc(p, 40), NULL);
  OH_CHECK_EQ_INT(faults.count, count + 2U);
  after = get_stats();
  OH_CHECK(same_stats(&before, &after));
  check_valid();
  memcpy(p + n, saved, usable - n); /* repaired: the block frees normally */
  OH_CHECK(heapmem_free(p));
  release_faults();
#else
  oh_test_note("heapmem: one zone in this build: no zone trailer to overwrite");
#endif
  arena_idle();
}

static void test_heapmem_zone_budget_exceeded_is_null(void) {
#if MAX_ZONES > 1
  size_t a = align_of_blocks(), h = header_bytes(), k, i;
  heapmem_zone_t z = heapmem_zone_register("oh_budget", 256);
  void *g;
  OH_REQUIRE(z != HEAPMEM_ZONE_INVALID);
  OH_REQUIRE(h > 0U);
  OH_CHECK_EQ_PTR(heapmem_zone_alloc(z, 256), NULL); /* the header counts too */
  OH_CHECK_EQ_PTR(heapmem_zone_alloc(z, 300), NULL);
  k = 0;
  while (k < HM_SLOTS && (hm_p[k] = heapmem_zone_alloc(z, 32)) != NULL) {
    oh_fill(hm_p[k], 32, (unsigned)k);
    ++k;
  }
  OH_CHECK(k >= 1U);
  OH_CHECK(k * (round_up(32, a) + h) <= 256U); /* never past the budget */
  /* The arena has room; only the zone's budget is spent. */
  g = heapmem_alloc(32);
  OH_CHECK(g != NULL);
  OH_CHECK_EQ_PTR(heapmem_zone_alloc(z, 32), NULL);
  for (i = 0; i < k; ++i) OH_CHECK(oh_intact(hm_p[i], 32, (unsigned)i));
  OH_CHECK(heapmem_free(g));
  free_slots(k);
  /* All of it comes back. */
  OH_CHECK_EQ_INT(zone_capacity(z, 32), k);
#else
  oh_test_note("heapmem: only GENERAL in this build (OMNIHEAP_CONF_HEAPMEM_MAX_ZONES = 1); zone budget case skipped");
  OH_CHECK_EQ_INT(heapmem_zone_register("oh_budget", 256), HEAPMEM_ZONE_INVALID);
#endif
  arena_idle();
}

static void test_heapmem_zone_budget_exact_across_realloc(void) {
#if MAX_ZONES > 1
  heapmem_zone_t z = heapmem_zone_register("oh_move", 512);
  size_t k0, k, i;
  unsigned char *a, *b, *g;
  OH_REQUIRE(z != HEAPMEM_ZONE_INVALID);
  k0 = zone_capacity(z, 32);
  OH_REQUIRE(k0 >= 4U);
  /* Grow and shrink a block behind a blocker: moves and in-place resizes. */
  a = (unsigned char *)heapmem_zone_alloc(z, 32);
  b = (unsigned char *)heapmem_zone_alloc(z, 32);
  OH_REQUIRE(a != NULL && b != NULL);
  oh_fill(a, 32, 40);
  for (i = 0; i < 24U; ++i) {
    size_t want = 16U + (i * 40U) % 200U;
    unsigned char *n = (unsigned char *)heapmem_realloc(a, want);
    if (!OH_CHECK(n != NULL)) break;
    OH_CHECK(oh_intact(n, 16, 40));
    a = n;
    if (i % 5U == 4U) { /* re-seat the blocker too */
      OH_CHECK(heapmem_free(b));
      b = (unsigned char *)heapmem_zone_alloc(z, 32);
      OH_REQUIRE(b != NULL);
    }
  }
  OH_CHECK(heapmem_free(a));
  OH_CHECK(heapmem_free(b));
  OH_CHECK_EQ_INT(zone_capacity(z, 32), k0);
  /* A realloc beyond the budget fails and changes nothing, even with room
   * in the arena. */
  k = 0;
  while (k < HM_SLOTS && (hm_p[k] = heapmem_zone_alloc(z, 32)) != NULL) {
    oh_fill(hm_p[k], 32, (unsigned)k);
    ++k;
  }
  OH_CHECK_EQ_INT(k, k0);
  OH_CHECK_EQ_PTR(heapmem_realloc(hm_p[0], 32U + 2U * 512U / k0 + 64U), NULL);
  OH_CHECK(oh_intact(hm_p[0], 32, 0));
  g = (unsigned char *)heapmem_alloc(32U + 2U * 512U / k0 + 64U);
  OH_CHECK(g != NULL); /* GENERAL can */
  OH_CHECK(heapmem_free(g));
  OH_CHECK_EQ_PTR(heapmem_realloc(hm_p[0], 1), hm_p[0]); /* shrinking in a full zone */
  free_slots(k);
  OH_CHECK_EQ_INT(zone_capacity(z, 32), k0);
  /* realloc(NULL, n) allocates from GENERAL, not from the zone. */
  a = (unsigned char *)heapmem_realloc(NULL, 32);
  OH_CHECK(a != NULL);
  OH_CHECK_EQ_INT(zone_capacity(z, 32), k0);
  OH_CHECK(heapmem_free(a));
#else
  oh_test_note("heapmem: only GENERAL in this build; zone realloc budget case skipped");
  OH_CHECK_EQ_INT(heapmem_zone_register("oh_move", 512), HEAPMEM_ZONE_INVALID);
#endif
  arena_idle();
}

static void test_heapmem_zone_table_fills_up(void) {
#if MAX_ZONES > 1 && MAX_ZONES <= 16
  static const char *const names[16] = {"oh_f0", "oh_f1", "oh_f2",  "oh_f3",  "oh_f4",  "oh_f5",
                                        "oh_f6", "oh_f7", "oh_f8",  "oh_f9",  "oh_f10", "oh_f11",
                                        "oh_f12", "oh_f13", "oh_f14", "oh_f15"};
  unsigned i, got = 0;
  for (i = 0; i < 16U; ++i) {
    heapmem_zone_t z = heapmem_zone_register(names[i], 16);
    if (z == HEAPMEM_ZONE_INVALID) break;
    OH_CHECK(z >= 1U && z < MAX_ZONES);
    ++got;
  }
  OH_CHECK(got < MAX_ZONES);    /* at most the free slots */
  OH_CHECK(i < 16U);            /* and then it refused */
  OH_CHECK_EQ_INT(heapmem_zone_register("oh_one_more", 16), HEAPMEM_ZONE_INVALID);
#elif MAX_ZONES > 16
  oh_test_note("heapmem: too many zones in this build to fill the table here; skipped");
#else
  OH_CHECK_EQ_INT(heapmem_zone_register("oh_f0", 16), HEAPMEM_ZONE_INVALID);
#endif
  /* GENERAL still works. */
  {
    void *p = heapmem_alloc(64);
    OH_CHECK(p != NULL);
    OH_CHECK(heapmem_free(p));
  }
  arena_idle();
}

/* ---- suite ------------------------------------------------------------------------------------------ */

void suite_heapmem(void) {
  OH_RUN(test_heapmem_arena_in_registry);
  OH_RUN(test_heapmem_alignment_value);
  OH_RUN(test_heapmem_empty_arena_stats);

  OH_RUN(test_heapmem_alloc_free_basics);
  OH_RUN(test_heapmem_alloc_zero_is_null);
  OH_RUN(test_heapmem_alloc_larger_than_arena_is_null);
  OH_RUN(test_heapmem_largest_allocation_uses_whole_arena);
  OH_RUN(test_heapmem_every_block_aligned);
  OH_RUN(test_heapmem_blocks_disjoint_and_keep_contents);

  OH_RUN(test_heapmem_free_null_returns_false_without_fault);
  OH_RUN(test_heapmem_free_stack_and_global_pointers);
  OH_RUN(test_heapmem_free_interior_pointers);
  OH_RUN(test_heapmem_free_forged_header_in_user_data);
  OH_RUN(test_heapmem_free_pointer_into_unused_arena);
  OH_RUN(test_heapmem_double_free);
  OH_RUN(test_heapmem_fault_report_fields);

  OH_RUN(test_heapmem_realloc_null_allocates);
  OH_RUN(test_heapmem_realloc_zero_frees);
  OH_RUN(test_heapmem_realloc_keeps_contents_growing_and_shrinking);
  OH_RUN(test_heapmem_realloc_shrink_keeps_pointer);
  OH_RUN(test_heapmem_realloc_grows_in_place_at_the_top);
  OH_RUN(test_heapmem_realloc_grows_into_free_right_neighbour);
  OH_RUN(test_heapmem_realloc_of_freed_or_foreign_pointer);
  OH_RUN(test_heapmem_realloc_too_large_keeps_block);
  OH_RUN(test_heapmem_realloc_blocked_growth_fails_cleanly);

  OH_RUN(test_heapmem_calloc_zeroes);
  OH_RUN(test_heapmem_calloc_zero_count_or_size_is_null);
  OH_RUN(test_heapmem_calloc_overflow_is_null);

  OH_RUN(test_heapmem_stats_grow_with_allocations);
  OH_RUN(test_heapmem_stats_account_for_every_byte);
  OH_RUN(test_heapmem_footprint_returns_to_zero_any_order);
  OH_RUN(test_heapmem_max_footprint_never_decreases);
  OH_RUN(test_heapmem_upstream_stats_check_sequence);
  OH_RUN(test_heapmem_stats_match_native_registry);
  OH_RUN(test_heapmem_native_largest_free_is_exact);
  OH_RUN(test_heapmem_native_counts_failed_allocations);
  OH_RUN(test_heapmem_walk_reports_blocks);

  OH_RUN(test_heapmem_debug_variants_behave_as_plain);
  OH_RUN(test_heapmem_print_debug_info_runs);
#if defined(OH_HOSTED) && OH_HOSTED
  OH_RUN(test_heapmem_default_fault_action_returns_false);
#endif

  /* Zones last: registrations are permanent. */
  OH_RUN(test_heapmem_zone_register_rejects_bad_arguments);
  OH_RUN(test_heapmem_zone_alloc_invalid_zone_is_null);
  OH_RUN(test_heapmem_zone_register_with_only_general);
  OH_RUN(test_heapmem_zone_duplicate_name);
  OH_RUN(test_heapmem_zone_budget_exceeded_is_null);
  OH_RUN(test_heapmem_zone_trailer_overwrite_is_detected);
  OH_RUN(test_heapmem_zone_budget_exact_across_realloc);
  OH_RUN(test_heapmem_zone_table_fills_up);
}
