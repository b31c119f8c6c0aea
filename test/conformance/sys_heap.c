/*
 * Conformance of <zephyr/sys/sys_heap.h> (Zephyr sys_heap, 4.2+ API), black box.
 *
 * Every expectation comes from api-reference.md section 4 (upstream Zephyr
 * and its tests/lib/heap), contract.md ("sys_heap", "Detected misuse") and
 * the documentation in zephyr/sys/sys_heap.h, zephyr/sys/mem_stats.h,
 * omniheap.h and omniheap_config.h, never from the implementation.
 *
 * The layout facts used (all documented in sys_heap.h and the contract):
 * 8-byte chunk units; a chunk header of `hdr` bytes just below every block
 * (4 on 32-bit targets for heaps under 256 KiB, else 8); usable size of a
 * plain block of n bytes ROUND_UP(n + hdr, 8) - hdr; runtime statistics in
 * whole chunks, headers included; an empty heap hands out blocks from low to
 * high addresses; `heap->heap` is the start rounded up to 8.
 *
 * Rules kept here:
 * - sys_heap's default fault action is PANIC, so every test case runs with
 *   a counting fault handler that returns OMNIHEAP_FAULT_RETURN (SH_RUN
 *   installs it and restores the default afterwards); cases that expect no
 *   fault check that none was reported. The default panic itself is checked
 *   in forked children on the host.
 * - Heaps live in one small static buffer with guard bytes around it (this
 *   runs on a Cortex-M0 with 16 KiB of RAM, the heapmem arena included);
 *   heap objects are static (sys_heap_init records them in the heap array,
 *   which cannot forget them) and leave the native registry at the end of
 *   each case. Larger cases are host-only (OH_HOSTED).
 */
#if defined(OH_HOSTED) && OH_HOSTED
#define _POSIX_C_SOURCE 200809L
#endif

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "omniheap.h" /* before sys_heap.h: OMNIHEAP_CONF_SYS_HEAP_HEADERS */
#include <zephyr/sys/sys_heap.h>

#include "blocks.h"
#include "child.h"
#include "fault_log.h"
#include "oh_test.h"
#include "suites.h"

#if defined(OH_HOSTED) && OH_HOSTED
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#endif

#define EINVAL_CODE (-22)

/* ---- the shared buffer ------------------------------------------------------------------------ */

#define SH_GUARD 8U
#define SH_SIZE 1984U
#define GUARD_BYTE 0xC3U
static union {
  unsigned char b[SH_SIZE + 2U * SH_GUARD];
  uint64_t align8;
  void *alignp;
} shbuf __attribute__((aligned(8))); /* uint64_t alone is 4-aligned on i386 */
#define SH_MEM (shbuf.b + SH_GUARD) /* 8-aligned */

static struct sys_heap heap_a, heap_b, heap_c;
static struct sys_heap never_initialised;
static int global_object[4];

#define MAX_BLOCKS 40
static void *blk[MAX_BLOCKS];
static unsigned short blk_n[MAX_BLOCKS];

/* ---- helpers ------------------------------------------------------------------------------------ */

static size_t round_up(size_t n, size_t a) { return (n + a - 1U) / a * a; }
static uintptr_t up8(uintptr_t x) { return (x + 7U) & ~(uintptr_t)7U; }

/* Chunk header size of a heap of `bytes` bytes (sys_heap.h, contract). */
static size_t hdr_for(size_t bytes) {
#if UINTPTR_MAX > 0xFFFFFFFFu || OMNIHEAP_CONF_SYS_HEAP_HEADERS == 2
  (void)bytes;
  return 8U;
#else
  return bytes < 0x40000U ? 4U : 8U;
#endif
}
#define HDR hdr_for(SH_SIZE) /* every heap in the shared buffer is small */

/* Whole chunk bytes of a plain block of n bytes. */
static size_t chunk_of(size_t n) { return round_up(n + HDR, 8U); }
static size_t usable_of(size_t n) { return chunk_of(n) - HDR; }

static void guard_all(void) { memset(shbuf.b, GUARD_BYTE, sizeof shbuf.b); }

/* Every byte of the buffer outside [mem, mem + bytes) still holds the guard. */
static int guards_intact(const void *mem, size_t bytes) {
  size_t i;
  uintptr_t lo = (uintptr_t)mem, hi = lo + bytes;
  for (i = 0; i < sizeof shbuf.b; ++i) {
    uintptr_t a = (uintptr_t)&shbuf.b[i];
    if ((a < lo || a >= hi) && shbuf.b[i] != GUARD_BYTE) return 0;
  }
  return 1;
}

static struct sys_memory_stats rt(struct sys_heap *h) {
  struct sys_memory_stats s;
  memset(&s, 0xEE, sizeof s);
  OH_CHECK_EQ_INT(sys_heap_runtime_stats_get(h, &s), 0);
  return s;
}
static int same_rt(const struct sys_memory_stats *a, const struct sys_memory_stats *b) {
  return a->free_bytes == b->free_bytes && a->allocated_bytes == b->allocated_bytes &&
         a->max_allocated_bytes == b->max_allocated_bytes;
}

static void forget(struct sys_heap *h) {
  omniheap_heap_t *e = omniheap_heap_find(h);
  if (e != NULL) OH_CHECK_EQ_INT(omniheap_heap_unregister(e), OMNIHEAP_OK);
}

/* A fresh heap on the shared buffer at `off` (guards everywhere else). */
static void fresh(struct sys_heap *h, size_t off, size_t bytes) {
  guard_all();
  sys_heap_init(h, SH_MEM + off, bytes);
}

/* End of a test case: the heap is valid and empty; it leaves the registry. */
static void finish(struct sys_heap *h) {
  struct sys_memory_stats s = rt(h);
  OH_CHECK(sys_heap_validate(h));
  OH_CHECK_EQ_INT(s.allocated_bytes, 0);
  forget(h);
}

/* ---- fault capture ------------------------------------------------------------------------------ */

static struct fault_log faults;

static void capture_faults(void) { fault_log_capture(&faults, 0); }

static void release_faults(void) { fault_log_release(); }

/* Every case runs with the counting handler; the default is restored after. */
#define SH_RUN(fn)    \
  do {                \
    capture_faults(); \
    OH_RUN(fn);       \
    release_faults(); \
  } while (0)

/* Passed as `pointer` when the offending pointer is not part of the check. */
static const char any_pointer_tag;
#define ANY_PTR ((const void *)&any_pointer_tag)

/* The last call reported exactly one fault of this kind on heap h. */
static void check_one_fault(unsigned before, struct sys_heap *h, omniheap_fault_kind_t kind,
                            const void *pointer, const char *function) {
  OH_CHECK_EQ_INT(faults.count, before + 1U);
  OH_CHECK_EQ_INT(faults.kind, kind);
  OH_CHECK_EQ_INT(faults.family, OMNIHEAP_FAMILY_SYS_HEAP);
  OH_CHECK_EQ_PTR(faults.heap, omniheap_heap_find(h));
  OH_CHECK_EQ_PTR(faults.object, h);
  if (pointer != ANY_PTR) OH_CHECK_EQ_PTR(faults.pointer, pointer);
  if (function != NULL) OH_CHECK(strcmp(faults.function, function) == 0);
  OH_CHECK_EQ_INT(faults.default_action, OMNIHEAP_FAULT_PANIC);
}

/* ---- init ---------------------------------------------------------------------------------------- */

static void test_sys_heap_init_on_unaligned_buffer(void) {
  size_t off;
  static int marker;
  for (off = 0; off <= 8U; ++off) {
    unsigned char *mem = SH_MEM + off;
    size_t bytes = 1024U, i, n = 0;
    guard_all();
    heap_a.init_mem = &marker;
    heap_a.init_bytes = 12345U;
    sys_heap_init(&heap_a, mem, bytes);
    OH_CHECK_EQ_PTR(heap_a.heap, (void *)up8((uintptr_t)mem));
    OH_CHECK_EQ_PTR(heap_a.init_mem, &marker); /* not written by init */
    OH_CHECK_EQ_INT(heap_a.init_bytes, 12345);
    OH_CHECK(sys_heap_validate(&heap_a));
    while (n < 8U) {
      size_t want = n % 2U == 0U ? 10U : 100U;
      void *p = sys_heap_alloc(&heap_a, want);
      size_t u;
      if (!OH_CHECK(p != NULL)) break;
      u = sys_heap_usable_size(&heap_a, p);
      OH_CHECK(u >= want);
      OH_CHECK(oh_inside(p, u, mem, bytes));
      OH_CHECK_EQ_INT((uintptr_t)p % HDR, 0);
      oh_fill(p, u, (unsigned)n);
      blk[n++] = p;
    }
    OH_CHECK(guards_intact(mem, bytes));
    for (i = 0; i < n; ++i) sys_heap_free(&heap_a, blk[i]);
    OH_CHECK(guards_intact(mem, bytes));
    if (oh_test_case_failures() != 0) break;
  }
  heap_a.init_mem = NULL;
  heap_a.init_bytes = 0;
  OH_CHECK_EQ_INT(faults.count, 0);
  finish(&heap_a);
}

static void test_sys_heap_heap_field_orders_heaps_by_address(void) {
  guard_all();
  sys_heap_init(&heap_a, SH_MEM + 3, 700);
  sys_heap_init(&heap_b, SH_MEM + 900, 700);
  OH_CHECK_EQ_PTR(heap_a.heap, (void *)up8((uintptr_t)(SH_MEM + 3)));
  OH_CHECK_EQ_PTR(heap_b.heap, SH_MEM + 904);
  OH_CHECK((uintptr_t)heap_a.heap < (uintptr_t)heap_b.heap);
  OH_CHECK_EQ_INT(faults.count, 0);
  finish(&heap_a);
  finish(&heap_b);
}

static void test_sys_heap_registry_entry(void) {
  omniheap_heap_t *e;
  size_t count;
  fresh(&heap_a, 0, 512);
  e = omniheap_heap_find(&heap_a);
  OH_REQUIRE(e != NULL);
  OH_CHECK_EQ_INT(omniheap_heap_family(e), OMNIHEAP_FAMILY_SYS_HEAP);
  OH_CHECK(strcmp(omniheap_heap_name(e), "sys_heap") == 0);
  OH_CHECK_EQ_PTR(omniheap_heap_object(e), &heap_a);
  OH_CHECK(omniheap_heap_capacity(e) > 0U);
  OH_CHECK(omniheap_heap_capacity(e) <= 512U);
  OH_CHECK_EQ_INT(omniheap_heap_validate(e), OMNIHEAP_OK);
  /* Initialised again (elsewhere): one entry, same handle. */
  count = omniheap_heap_count();
  sys_heap_init(&heap_a, SH_MEM + 1000, 800);
  OH_CHECK_EQ_PTR(omniheap_heap_find(&heap_a), e);
  OH_CHECK_EQ_INT(omniheap_heap_count(), count);
  OH_CHECK_EQ_INT(omniheap_heap_validate(e), OMNIHEAP_OK);
  OH_CHECK(omniheap_heap_capacity(e) <= 800U);
  OH_CHECK_EQ_INT(faults.count, 0);
  finish(&heap_a);
  OH_CHECK_EQ_PTR(omniheap_heap_find(&heap_a), NULL);
}

static void test_sys_heap_reinit_forgets_blocks(void) {
  void *p0, *p;
  fresh(&heap_a, 0, 600);
  p0 = sys_heap_alloc(&heap_a, 40);
  OH_REQUIRE(p0 != NULL);
  OH_CHECK(sys_heap_alloc(&heap_a, 40) != NULL);
  OH_CHECK(rt(&heap_a).allocated_bytes > 0U);
  sys_heap_init(&heap_a, SH_MEM, 600);
  OH_CHECK_EQ_INT(rt(&heap_a).allocated_bytes, 0);
  p = sys_heap_alloc(&heap_a, 40);
  OH_CHECK_EQ_PTR(p, p0); /* the lowest block again */
  sys_heap_free(&heap_a, p);
  OH_CHECK_EQ_INT(faults.count, 0);
  finish(&heap_a);
}

/* ---- Z_HEAP_MIN_SIZE and Z_HEAP_MIN_SIZE_FOR ------------------------------------------------------- */

/* Constant expressions (sys_heap.h): usable for static array sizes. */
static unsigned char min_size_probe[Z_HEAP_MIN_SIZE];
static unsigned char min_size_for_probe[Z_HEAP_MIN_SIZE_FOR(100)];

static void test_sys_heap_min_size_macros_are_constants(void) {
  size_t n, prev = 0;
  OH_CHECK_EQ_INT(sizeof min_size_probe, Z_HEAP_MIN_SIZE);
  OH_CHECK_EQ_INT(sizeof min_size_for_probe, Z_HEAP_MIN_SIZE_FOR(100));
  OH_CHECK_EQ_INT(Z_HEAP_MIN_SIZE, Z_HEAP_MIN_SIZE_FOR(1));
  OH_CHECK(Z_HEAP_MIN_SIZE > 8U);
  for (n = 1; n <= 3000U; ++n) {
    size_t m = Z_HEAP_MIN_SIZE_FOR(n);
    if (!OH_CHECK(m >= prev)) break;             /* never smaller for more bytes */
    if (!OH_CHECK(m >= chunk_of(n) + HDR)) break; /* at least the chunk and an end marker */
    prev = m;
  }
}

/* A heap of exactly `bytes` (8-aligned start, guards after it): does one
 * allocation of n succeed? If so, checks it and that nothing else fits. */
static int serves(size_t bytes, size_t n) {
  void *p;
  unsigned before = faults.count;
  int ok;
  guard_all();
  sys_heap_init(&heap_c, SH_MEM, bytes);
  if (bytes < Z_HEAP_MIN_SIZE) {
    /* Too small for sys_heap_init: reported, and the heap is unusable. */
    OH_CHECK_EQ_INT(faults.count, before + 1U);
    OH_CHECK_EQ_INT(faults.kind, OMNIHEAP_FAULT_BAD_ARGUMENT);
  } else {
    OH_CHECK_EQ_INT(faults.count, before);
    OH_CHECK_EQ_PTR(heap_c.heap, SH_MEM);
  }
  p = sys_heap_alloc(&heap_c, n);
  ok = p != NULL;
  if (ok) {
    size_t u = sys_heap_usable_size(&heap_c, p);
    OH_CHECK(u >= n);
    OH_CHECK(oh_inside(p, u, SH_MEM, bytes));
    memset(p, 0x5A, u);
    OH_CHECK_EQ_PTR(sys_heap_alloc(&heap_c, n), NULL); /* no second one */
    OH_CHECK_EQ_PTR(sys_heap_alloc(&heap_c, 1), NULL); /* nothing else at all */
    OH_CHECK(sys_heap_validate(&heap_c));
    sys_heap_free(&heap_c, p);
    OH_CHECK_EQ_PTR(sys_heap_alloc(&heap_c, n), p); /* and again after a free */
    sys_heap_free(&heap_c, p);
    OH_CHECK(sys_heap_validate(&heap_c));
  }
  OH_CHECK(guards_intact(SH_MEM, bytes));
  return ok;
}

static void test_sys_heap_min_size_serves_one_byte_and_nothing_else(void) {
  /* K_HEAP_DEFINE(tiny, 1)-like: Z_HEAP_MIN_SIZE bytes give one 1-byte block. */
  void *p;
  guard_all();
  sys_heap_init(&heap_c, SH_MEM, Z_HEAP_MIN_SIZE);
  OH_CHECK_EQ_INT(faults.count, 0);
  OH_CHECK_EQ_PTR(heap_c.heap, SH_MEM);
  p = sys_heap_alloc(&heap_c, 1);
  OH_REQUIRE(p != NULL);
  OH_CHECK(oh_inside(p, sys_heap_usable_size(&heap_c, p), SH_MEM, Z_HEAP_MIN_SIZE));
  memset(p, 0xA7, sys_heap_usable_size(&heap_c, p));
  OH_CHECK_EQ_PTR(sys_heap_alloc(&heap_c, 1), NULL);
  OH_CHECK_EQ_PTR(sys_heap_aligned_alloc(&heap_c, 0, 1), NULL);
  OH_CHECK_EQ_PTR(sys_heap_realloc(&heap_c, NULL, 1), NULL);
  OH_CHECK(sys_heap_validate(&heap_c));
  sys_heap_free(&heap_c, p);
  OH_CHECK_EQ_PTR(sys_heap_alloc(&heap_c, 1), p);
  sys_heap_free(&heap_c, p);
  OH_CHECK(guards_intact(SH_MEM, Z_HEAP_MIN_SIZE));
  OH_CHECK_EQ_INT(faults.count, 0);
  finish(&heap_c);
}

static const size_t min_for_sizes[] = {
    1,   2,   3,   4,   5,   6,   7,   8,   9,   10,  11,  12,  13,   14,   15,   16,  17, 20,
    23,  24,  25,  28,  29,  31,  32,  33,  40,  47,  48,  56,  60,   63,   64,   65,  72, 100,
    120, 127, 128, 129, 200, 248, 255, 256, 257, 300, 500, 512, 777, 1000, 1024, 1300, 1500};

static void test_sys_heap_min_size_for_is_exact(void) {
  size_t i;
  for (i = 0; i < sizeof min_for_sizes / sizeof min_for_sizes[0]; ++i) {
    size_t n = min_for_sizes[i], m = Z_HEAP_MIN_SIZE_FOR(n);
    if (m + 8U > SH_SIZE) continue;
    if (!OH_CHECK(serves(m, n))) {
      oh_test_note("Z_HEAP_MIN_SIZE_FOR(n) bytes did not serve n");
      break;
    }
    if (!OH_CHECK(!serves(m - 1U, n))) break; /* one byte less */
    if (!OH_CHECK(!serves(m - 8U, n))) break; /* one unit less */
  }
  OH_CHECK_EQ_INT(faults.count, faults.kinds[OMNIHEAP_FAULT_BAD_ARGUMENT]);
  forget(&heap_c);
}

static void test_sys_heap_too_small_region_faults(void) {
  static const size_t sizes[] = {0, 1, 8, 16, 40, 64};
  size_t i;
  for (i = 0; i < sizeof sizes / sizeof sizes[0] + 3U; ++i) {
    size_t bytes;
    unsigned char *mem = SH_MEM;
    unsigned before = faults.count;
    if (i < sizeof sizes / sizeof sizes[0]) bytes = sizes[i];
    else if (i == sizeof sizes / sizeof sizes[0]) bytes = Z_HEAP_MIN_SIZE - 1U;
    else if (i == sizeof sizes / sizeof sizes[0] + 1U) bytes = Z_HEAP_MIN_SIZE - 8U;
    else {
      mem = SH_MEM + 1; /* Z_HEAP_MIN_SIZE bytes, but the start rounds up to 8 */
      bytes = Z_HEAP_MIN_SIZE;
    }
    if (bytes >= Z_HEAP_MIN_SIZE && mem == SH_MEM) continue;
    guard_all();
    sys_heap_init(&heap_c, mem, bytes);
    check_one_fault(before, &heap_c, OMNIHEAP_FAULT_BAD_ARGUMENT, ANY_PTR, "sys_heap_init");
    OH_CHECK_EQ_PTR(sys_heap_alloc(&heap_c, 1), NULL);
    OH_CHECK_EQ_PTR(sys_heap_aligned_alloc(&heap_c, 16, 1), NULL);
    OH_CHECK_EQ_PTR(sys_heap_noalign_alloc(&heap_c, 16, 1), NULL);
    OH_CHECK_EQ_PTR(sys_heap_realloc(&heap_c, NULL, 8), NULL);
    OH_CHECK(!sys_heap_validate(&heap_c));
    OH_CHECK(guards_intact(mem, bytes));
    if (oh_test_case_failures() != 0) break;
  }
  /* The same start with 7 bytes more is enough. */
  {
    unsigned before = faults.count;
    void *p;
    guard_all();
    sys_heap_init(&heap_c, SH_MEM + 1, Z_HEAP_MIN_SIZE + 7U);
    OH_CHECK_EQ_INT(faults.count, before);
    p = sys_heap_alloc(&heap_c, 1);
    OH_CHECK(p != NULL);
    sys_heap_free(&heap_c, p);
    finish(&heap_c);
  }
  OH_CHECK(faults.kinds[OMNIHEAP_FAULT_BAD_ARGUMENT] >= 7U);
  OH_CHECK_EQ_INT(faults.count, faults.kinds[OMNIHEAP_FAULT_BAD_ARGUMENT]);
  OH_CHECK(!sys_heap_validate(&never_initialised));
}

static void test_sys_heap_failed_init_leaves_an_empty_heap(void) {
  /* sys_heap.h: "If the handler returns, the heap is an empty placeholder
   * ... every allocation fails, sys_heap_validate() returns false and every
   * pointer given to it is foreign" -- also when the object held an earlier
   * heap. */
  void *p;
  fresh(&heap_c, 0, 512);
  OH_REQUIRE(heap_c.heap != NULL);
  p = sys_heap_alloc(&heap_c, 16);
  OH_REQUIRE(p != NULL);
  sys_heap_init(&heap_c, SH_MEM, Z_HEAP_MIN_SIZE - 1U);
  OH_CHECK_EQ_INT(faults.count, 1);
  OH_CHECK_EQ_INT(faults.kind, OMNIHEAP_FAULT_BAD_ARGUMENT);
  OH_CHECK(heap_c.heap != NULL);
  OH_CHECK_EQ_PTR(sys_heap_alloc(&heap_c, 1), NULL);
  OH_CHECK_EQ_PTR(sys_heap_aligned_alloc(&heap_c, 64, 1), NULL);
  OH_CHECK(!sys_heap_validate(&heap_c));
  sys_heap_free(&heap_c, p); /* a block of the earlier heap is foreign now */
  OH_CHECK_EQ_INT(faults.count, 2);
  OH_CHECK_EQ_INT(faults.kind, OMNIHEAP_FAULT_FOREIGN_POINTER);
  heap_c.heap = (struct z_heap *)(void *)global_object; /* garbage before init */
  sys_heap_init(&heap_c, SH_MEM, 8);
  OH_CHECK_EQ_INT(faults.count, 3);
  OH_CHECK(heap_c.heap != (struct z_heap *)(void *)global_object);
  OH_CHECK_EQ_PTR(sys_heap_alloc(&heap_c, 1), NULL);
  OH_CHECK(!sys_heap_validate(&heap_c));
  heap_c.heap = NULL;
  forget(&heap_c);
}

/* ---- alloc ------------------------------------------------------------------------------------------ */

static void test_sys_heap_alloc_zero_is_null(void) {
  struct sys_memory_stats before, after;
  fresh(&heap_a, 0, 1024);
  before = rt(&heap_a);
  OH_CHECK_EQ_PTR(sys_heap_alloc(&heap_a, 0), NULL);
  OH_CHECK_EQ_PTR(sys_heap_aligned_alloc(&heap_a, 64, 0), NULL);
  OH_CHECK_EQ_PTR(sys_heap_noalign_alloc(&heap_a, 64, 0), NULL);
  after = rt(&heap_a);
  OH_CHECK(same_rt(&before, &after));
  OH_CHECK_EQ_INT(faults.count, 0);
  finish(&heap_a);
}

static void test_sys_heap_alloc_too_big_is_null(void) {
  struct sys_memory_stats before, after;
  void *p;
  fresh(&heap_a, 0, 1024);
  before = rt(&heap_a);
  OH_CHECK_EQ_PTR(sys_heap_alloc(&heap_a, 1024), NULL);
  OH_CHECK_EQ_PTR(sys_heap_alloc(&heap_a, 1025), NULL);
  OH_CHECK_EQ_PTR(sys_heap_alloc(&heap_a, SIZE_MAX), NULL);
  OH_CHECK_EQ_PTR(sys_heap_alloc(&heap_a, SIZE_MAX - 7U), NULL);
  OH_CHECK_EQ_PTR(sys_heap_alloc(&heap_a, SIZE_MAX / 2U + 1U), NULL);
  OH_CHECK_EQ_PTR(sys_heap_alloc(&heap_a, (size_t)UINT32_MAX), NULL);
  OH_CHECK_EQ_PTR(sys_heap_aligned_alloc(&heap_a, 16, SIZE_MAX), NULL);
  OH_CHECK_EQ_PTR(sys_heap_aligned_alloc(&heap_a, 16, SIZE_MAX - 15U), NULL);
  OH_CHECK_EQ_PTR(sys_heap_aligned_alloc(&heap_a, 256, 900), NULL);
  OH_CHECK_EQ_PTR(sys_heap_noalign_alloc(&heap_a, 16, SIZE_MAX), NULL);
  after = rt(&heap_a);
  OH_CHECK(same_rt(&before, &after));
  OH_CHECK_EQ_INT(faults.count, 0);
  p = sys_heap_alloc(&heap_a, 100); /* still fine */
  OH_CHECK(p != NULL);
  sys_heap_free(&heap_a, p);
  finish(&heap_a);
}

static void test_sys_heap_largest_allocation_is_free_bytes_less_header(void) {
  /* An empty heap is one free chunk of free_bytes bytes (headers included). */
  struct sys_memory_stats s;
  size_t max;
  void *p;
  fresh(&heap_a, 0, 1024);
  s = rt(&heap_a);
  OH_REQUIRE(s.free_bytes > HDR && s.free_bytes <= 1024U);
  OH_CHECK_EQ_INT(s.free_bytes % 8U, 0);
  max = s.free_bytes - HDR;
  OH_CHECK_EQ_PTR(sys_heap_alloc(&heap_a, max + 1U), NULL);
  p = sys_heap_alloc(&heap_a, max);
  OH_REQUIRE(p != NULL);
  OH_CHECK_EQ_INT(sys_heap_usable_size(&heap_a, p), max);
  OH_CHECK(oh_inside(p, max, SH_MEM, 1024));
  memset(p, 0x11, max);
  OH_CHECK_EQ_PTR(sys_heap_alloc(&heap_a, 1), NULL);
  s = rt(&heap_a);
  OH_CHECK_EQ_INT(s.free_bytes, 0);
  OH_CHECK(sys_heap_validate(&heap_a));
  sys_heap_free(&heap_a, p);
  OH_CHECK(guards_intact(SH_MEM, 1024));
  OH_CHECK_EQ_INT(faults.count, 0);
  finish(&heap_a);
}

static void test_sys_heap_usable_size_formula(void) {
  size_t n;
  fresh(&heap_a, 0, 1024);
  for (n = 1; n <= 400U; ++n) {
    void *p = sys_heap_alloc(&heap_a, n);
    struct sys_memory_stats s;
    if (!OH_CHECK(p != NULL)) break;
    if (!OH_CHECK_EQ_INT(sys_heap_usable_size(&heap_a, p), usable_of(n))) break;
    s = rt(&heap_a);
    OH_CHECK_EQ_INT(s.allocated_bytes, chunk_of(n));
    memset(p, 0x77, usable_of(n));
    sys_heap_free(&heap_a, p);
  }
  /* The same through realloc(NULL, n) and noalign_alloc(). */
  for (n = 1; n <= 64U; ++n) {
    void *p = sys_heap_realloc(&heap_a, NULL, n), *q = sys_heap_noalign_alloc(&heap_a, 256, n);
    if (!OH_CHECK(p != NULL && q != NULL)) break;
    OH_CHECK_EQ_INT(sys_heap_usable_size(&heap_a, p), usable_of(n));
    OH_CHECK_EQ_INT(sys_heap_usable_size(&heap_a, q), usable_of(n));
    sys_heap_free(&heap_a, p);
    sys_heap_free(&heap_a, q);
  }
  OH_CHECK_EQ_INT(faults.count, 0);
  finish(&heap_a);
}

static void test_sys_heap_plain_blocks_aligned_disjoint_and_kept(void) {
  size_t n = 0, i, j;
  fresh(&heap_a, 0, SH_SIZE);
  while (n < MAX_BLOCKS) {
    size_t want = 1U + n;
    void *p = sys_heap_alloc(&heap_a, want);
    if (p == NULL) break;
    OH_CHECK_EQ_INT((uintptr_t)p % HDR, 0);
    OH_CHECK_EQ_INT((uintptr_t)p % sizeof(void *), 0); /* Zephyr: multiple of sizeof(void *) */
    blk_n[n] = (unsigned short)sys_heap_usable_size(&heap_a, p);
    OH_CHECK(blk_n[n] >= want);
    OH_CHECK(oh_inside(p, blk_n[n], SH_MEM, SH_SIZE));
    oh_fill(p, blk_n[n], (unsigned)n);
    blk[n++] = p;
  }
  OH_CHECK(n >= 30U);
  for (i = 0; i < n; ++i) {
    OH_CHECK(oh_intact(blk[i], blk_n[i], (unsigned)i));
    for (j = 0; j < i; ++j) OH_CHECK(!oh_overlap(blk[i], blk_n[i], blk[j], blk_n[j]));
  }
  OH_CHECK(guards_intact(SH_MEM, SH_SIZE));
  OH_CHECK(sys_heap_validate(&heap_a));
  for (i = 0; i < n; i += 2) sys_heap_free(&heap_a, blk[i]);
  for (i = 1; i < n; i += 2) OH_CHECK(oh_intact(blk[i], blk_n[i], (unsigned)i));
  OH_CHECK(sys_heap_validate(&heap_a));
  for (i = 1; i < n; i += 2) sys_heap_free(&heap_a, blk[i]);
  OH_CHECK_EQ_INT(faults.count, 0);
  finish(&heap_a);
}

static void test_sys_heap_empty_heap_allocates_low_to_high(void) {
  unsigned char *p1, *p2, *p3, *again;
  fresh(&heap_a, 0, 1024);
  p1 = (unsigned char *)sys_heap_alloc(&heap_a, 20);
  p2 = (unsigned char *)sys_heap_alloc(&heap_a, 40);
  p3 = (unsigned char *)sys_heap_alloc(&heap_a, 8);
  OH_REQUIRE(p1 != NULL && p2 != NULL && p3 != NULL);
  OH_CHECK(p1 < p2 && p2 < p3);
  /* Side by side: each block's chunk starts where the previous one ends. */
  OH_CHECK_EQ_PTR(p2, p1 + chunk_of(20));
  OH_CHECK_EQ_PTR(p3, p2 + chunk_of(40));
  OH_CHECK((uintptr_t)p1 - HDR >= (uintptr_t)heap_a.heap);
  sys_heap_free(&heap_a, p1);
  sys_heap_free(&heap_a, p2);
  sys_heap_free(&heap_a, p3);
  again = (unsigned char *)sys_heap_alloc(&heap_a, 20);
  OH_CHECK_EQ_PTR(again, p1);
  sys_heap_free(&heap_a, again);
  OH_CHECK_EQ_INT(faults.count, 0);
  finish(&heap_a);
}

/* ---- aligned alloc -------------------------------------------------------------------------------- */

static void test_sys_heap_aligned_alloc_powers_of_two(void) {
  static const size_t sizes[] = {1, 24, 100};
  size_t a, k, f0;
  fresh(&heap_a, 0, SH_SIZE);
  f0 = rt(&heap_a).free_bytes;
  for (a = 8; a <= 512U; a *= 2U) {
    for (k = 0; k < 3U; ++k) {
      void *p = sys_heap_aligned_alloc(&heap_a, a, sizes[k]);
      size_t u;
      struct sys_memory_stats s;
      if (!OH_CHECK(p != NULL)) continue;
      OH_CHECK_EQ_INT((uintptr_t)p % a, 0);
      u = sys_heap_usable_size(&heap_a, p);
      OH_CHECK(u >= sizes[k]);
      OH_CHECK(oh_inside(p, u, SH_MEM, SH_SIZE));
      oh_fill(p, u, (unsigned)(a + k));
      s = rt(&heap_a);
      OH_CHECK_EQ_INT(s.free_bytes + s.allocated_bytes, f0);
      OH_CHECK(oh_intact(p, u, (unsigned)(a + k)));
      sys_heap_free(&heap_a, p);
      s = rt(&heap_a);
      OH_CHECK_EQ_INT(s.free_bytes, f0); /* every split piece came back */
      OH_CHECK_EQ_INT(s.allocated_bytes, 0);
    }
  }
  /* Several at once. */
  for (a = 16, k = 0; a <= 128U; a *= 2U, ++k) {
    blk[k] = sys_heap_aligned_alloc(&heap_a, a, 30);
    OH_REQUIRE(blk[k] != NULL);
    OH_CHECK_EQ_INT((uintptr_t)blk[k] % a, 0);
    blk_n[k] = (unsigned short)sys_heap_usable_size(&heap_a, blk[k]);
    oh_fill(blk[k], blk_n[k], (unsigned)k);
  }
  for (a = 0; a < k; ++a) {
    size_t j;
    OH_CHECK(oh_intact(blk[a], blk_n[a], (unsigned)a));
    for (j = 0; j < a; ++j) OH_CHECK(!oh_overlap(blk[a], blk_n[a], blk[j], blk_n[j]));
  }
  OH_CHECK(sys_heap_validate(&heap_a));
  for (a = 0; a < k; ++a) sys_heap_free(&heap_a, blk[a]);
  OH_CHECK_EQ_INT(rt(&heap_a).free_bytes, f0);
  OH_CHECK(guards_intact(SH_MEM, SH_SIZE));
  OH_CHECK_EQ_INT(faults.count, 0);
  finish(&heap_a);
}

static void test_sys_heap_aligned_alloc_small_align_is_plain(void) {
  static const size_t aligns[] = {0, 1, 2, 4, 8};
  size_t i;
  fresh(&heap_a, 0, 1024);
  for (i = 0; i < sizeof aligns / sizeof aligns[0]; ++i) {
    void *p0, *p;
    if (aligns[i] > HDR) continue; /* only 0 and powers of two up to the header size */
    p0 = sys_heap_alloc(&heap_a, 13);
    OH_REQUIRE(p0 != NULL);
    sys_heap_free(&heap_a, p0);
    p = sys_heap_aligned_alloc(&heap_a, aligns[i], 13);
    OH_CHECK_EQ_PTR(p, p0);
    OH_CHECK_EQ_INT(sys_heap_usable_size(&heap_a, p), usable_of(13));
    OH_CHECK_EQ_INT(rt(&heap_a).allocated_bytes, chunk_of(13));
    sys_heap_free(&heap_a, p);
  }
  OH_CHECK_EQ_INT(faults.count, 0);
  finish(&heap_a);
}

/* align = A | r: the block p satisfies (p + r) % A == 0. */
static void check_rewind(size_t big, size_t r, size_t n, size_t f0) {
  void *p = sys_heap_aligned_alloc(&heap_a, big | r, n);
  size_t u;
  if (!OH_CHECK(p != NULL)) return;
  OH_CHECK_EQ_INT(((uintptr_t)p + r) % big, 0);
  u = sys_heap_usable_size(&heap_a, p);
  OH_CHECK(u >= n);
  OH_CHECK(oh_inside(p, u, SH_MEM, SH_SIZE));
  oh_fill(p, u, (unsigned)(big + r + n));
  OH_CHECK(sys_heap_validate(&heap_a));
  OH_CHECK(oh_intact(p, u, (unsigned)(big + r + n)));
  sys_heap_free(&heap_a, p);
  OH_CHECK_EQ_INT(rt(&heap_a).free_bytes, f0);
}

static void test_sys_heap_aligned_alloc_rewind_encoding(void) {
  size_t rs[3], r, big, k, f0;
  static const size_t sizes[] = {1, 20, 64};
  rs[0] = 4;
  rs[1] = sizeof(void *);
  rs[2] = 8;
  fresh(&heap_a, 0, SH_SIZE);
  f0 = rt(&heap_a).free_bytes;
  for (r = 0; r < 3U; ++r)
    for (big = 2U * rs[r]; big <= 512U; big *= 2U)
      for (k = 0; k < 3U; ++k) check_rewind(big, rs[r], sizes[k], f0);
  /* 24 = 16 | 8 is a valid encoding: (p + 8) % 16 == 0. */
  check_rewind(16, 8, 10, f0);
  OH_CHECK_EQ_INT(faults.count, 0);
  finish(&heap_a);
}

static void test_sys_heap_aligned_alloc_rewind_small_r(void) {
  /* sys_heap.h: any power of two A plus a smaller power of two r. */
  static const unsigned char pairs[][2] = {{2, 1}, {4, 2}, {8, 1}, {8, 2}, {16, 2}, {32, 1}, {64, 2}};
  size_t i, f0;
  fresh(&heap_a, 0, SH_SIZE);
  f0 = rt(&heap_a).free_bytes;
  for (i = 0; i < sizeof pairs / sizeof pairs[0]; ++i) check_rewind(pairs[i][0], pairs[i][1], 12, f0);
  OH_CHECK_EQ_INT(faults.count, 0);
  finish(&heap_a);
}

static void test_sys_heap_aligned_memory_all_comes_back(void) {
  size_t f0, i, max;
  void *p;
  fresh(&heap_a, 0, SH_SIZE);
  f0 = rt(&heap_a).free_bytes;
  max = f0 - HDR;
  /* A mix of aligned and plain blocks, freed in two different orders. */
  for (i = 0; i < 2U; ++i) {
    size_t k;
    blk[0] = sys_heap_aligned_alloc(&heap_a, 64, 10);
    blk[1] = sys_heap_alloc(&heap_a, 50);
    blk[2] = sys_heap_aligned_alloc(&heap_a, 256, 100);
    blk[3] = sys_heap_aligned_alloc(&heap_a, 32 | 8, 7);
    blk[4] = sys_heap_alloc(&heap_a, 3);
    blk[5] = sys_heap_aligned_alloc(&heap_a, 128, 1);
    for (k = 0; k < 6U; ++k) OH_CHECK(blk[k] != NULL);
    OH_CHECK(sys_heap_validate(&heap_a));
    if (i == 0U)
      for (k = 0; k < 6U; ++k) sys_heap_free(&heap_a, blk[k]);
    else
      for (k = 6; k-- > 0;) sys_heap_free(&heap_a, blk[k]);
    OH_CHECK_EQ_INT(rt(&heap_a).free_bytes, f0);
    /* No fragments left behind: the largest block fits again. */
    p = sys_heap_alloc(&heap_a, max);
    OH_CHECK(p != NULL);
    sys_heap_free(&heap_a, p);
  }
  OH_CHECK_EQ_INT(faults.count, 0);
  finish(&heap_a);
}

static void test_sys_heap_noalign_alloc_ignores_align(void) {
  void *(*as_aligned)(struct sys_heap *, size_t, size_t) = sys_heap_noalign_alloc;
  void *p0, *p;
  fresh(&heap_a, 0, 1024);
  p0 = sys_heap_alloc(&heap_a, 10);
  OH_REQUIRE(p0 != NULL);
  sys_heap_free(&heap_a, p0);
  p = as_aligned(&heap_a, 512, 10);
  OH_CHECK_EQ_PTR(p, p0); /* not moved to a 512 boundary */
  OH_CHECK_EQ_INT(sys_heap_usable_size(&heap_a, p), usable_of(10));
  sys_heap_free(&heap_a, p);
  p = sys_heap_noalign_alloc(&heap_a, 7, 10); /* not even checked */
  OH_CHECK_EQ_PTR(p, p0);
  sys_heap_free(&heap_a, p);
  p = sys_heap_noalign_alloc(&heap_a, SIZE_MAX, 10);
  OH_CHECK_EQ_PTR(p, p0);
  sys_heap_free(&heap_a, p);
  as_aligned = sys_heap_aligned_alloc; /* same signature */
  p = as_aligned(&heap_a, 64, 10);
  OH_CHECK_EQ_INT((uintptr_t)p % 64U, 0);
  sys_heap_free(&heap_a, p);
  OH_CHECK_EQ_INT(faults.count, 0);
  finish(&heap_a);
}

static void test_sys_heap_huge_power_of_two_align_is_null_without_fault(void) {
  struct sys_memory_stats before, after;
  fresh(&heap_a, 0, 1024);
  before = rt(&heap_a);
  OH_CHECK_EQ_PTR(sys_heap_aligned_alloc(&heap_a, (size_t)1 << 20, 8), NULL);
  OH_CHECK_EQ_PTR(sys_heap_aligned_alloc(&heap_a, SIZE_MAX / 2U + 1U, 8), NULL);
  OH_CHECK_EQ_PTR(sys_heap_aligned_alloc(&heap_a, 1024, 8), NULL); /* needs more than the heap */
  after = rt(&heap_a);
  OH_CHECK(same_rt(&before, &after));
  OH_CHECK_EQ_INT(faults.count, 0);
  finish(&heap_a);
}

/* ---- free and misuse ------------------------------------------------------------------------------- */

static void test_sys_heap_free_null_is_noop(void) {
  struct sys_memory_stats before, after;
  void *p;
  fresh(&heap_a, 0, 512);
  p = sys_heap_alloc(&heap_a, 30);
  OH_REQUIRE(p != NULL);
  before = rt(&heap_a);
  sys_heap_free(&heap_a, NULL);
  sys_heap_free(&heap_a, NULL);
  after = rt(&heap_a);
  OH_CHECK(same_rt(&before, &after));
  OH_CHECK_EQ_INT(faults.count, 0);
  sys_heap_free(&heap_a, p);
  finish(&heap_a);
}

static void test_sys_heap_double_free_reported(void) {
  unsigned char *a, *b, *c;
  struct sys_memory_stats before, after;
  fresh(&heap_a, 0, 1024);
  a = (unsigned char *)sys_heap_alloc(&heap_a, 24);
  b = (unsigned char *)sys_heap_alloc(&heap_a, 24);
  c = (unsigned char *)sys_heap_alloc(&heap_a, 24);
  OH_REQUIRE(a != NULL && b != NULL && c != NULL);
  oh_fill(a, 24, 1);
  oh_fill(c, 24, 3);
  sys_heap_free(&heap_a, b); /* between two blocks in use: a free chunk of its own */
  before = rt(&heap_a);
  capture_faults();
  sys_heap_free(&heap_a, b);
  check_one_fault(0, &heap_a, OMNIHEAP_FAULT_DOUBLE_FREE, b, "sys_heap_free");
  after = rt(&heap_a);
  OH_CHECK(same_rt(&before, &after));
  OH_CHECK(sys_heap_validate(&heap_a));
  OH_CHECK(oh_intact(a, 24, 1) && oh_intact(c, 24, 3));
  /* a merges with b: a is the start of a free chunk, b inside one. */
  sys_heap_free(&heap_a, a);
  before = rt(&heap_a);
  sys_heap_free(&heap_a, a);
  check_one_fault(1, &heap_a, OMNIHEAP_FAULT_DOUBLE_FREE, a, "sys_heap_free");
  sys_heap_free(&heap_a, b);
  OH_CHECK_EQ_INT(faults.count, 3);
  OH_CHECK(faults.kind == OMNIHEAP_FAULT_DOUBLE_FREE ||
           faults.kind == OMNIHEAP_FAULT_INTERIOR_POINTER);
  after = rt(&heap_a);
  OH_CHECK(same_rt(&before, &after));
  OH_CHECK(sys_heap_validate(&heap_a));
  OH_CHECK(oh_intact(c, 24, 3));
  /* The heap still works. */
  a = (unsigned char *)sys_heap_alloc(&heap_a, 48);
  OH_CHECK(a != NULL);
  sys_heap_free(&heap_a, a);
  sys_heap_free(&heap_a, c);
  finish(&heap_a);
}

static void test_sys_heap_foreign_pointers_reported(void) {
  int on_stack[2];
  unsigned char *pa, *pb;
  struct sys_memory_stats sa, sb, after;
  guard_all();
  sys_heap_init(&heap_a, SH_MEM, 800);
  sys_heap_init(&heap_b, SH_MEM + 1000, 800);
  pa = (unsigned char *)sys_heap_alloc(&heap_a, 40);
  pb = (unsigned char *)sys_heap_alloc(&heap_b, 40);
  OH_REQUIRE(pa != NULL && pb != NULL);
  oh_fill(pa, 40, 4);
  oh_fill(pb, 40, 5);
  sa = rt(&heap_a);
  sb = rt(&heap_b);
  capture_faults();
  sys_heap_free(&heap_a, pb); /* a block of another heap */
  check_one_fault(0, &heap_a, OMNIHEAP_FAULT_FOREIGN_POINTER, pb, "sys_heap_free");
  sys_heap_free(&heap_b, pa);
  check_one_fault(1, &heap_b, OMNIHEAP_FAULT_FOREIGN_POINTER, pa, "sys_heap_free");
  sys_heap_free(&heap_a, on_stack);
  check_one_fault(2, &heap_a, OMNIHEAP_FAULT_FOREIGN_POINTER, on_stack, "sys_heap_free");
  sys_heap_free(&heap_a, global_object);
  check_one_fault(3, &heap_a, OMNIHEAP_FAULT_FOREIGN_POINTER, global_object, "sys_heap_free");
  sys_heap_free(&heap_a, SH_MEM + 800 + 8); /* just past the heap's end */
  check_one_fault(4, &heap_a, OMNIHEAP_FAULT_FOREIGN_POINTER, SH_MEM + 808, "sys_heap_free");
  OH_CHECK_EQ_PTR(sys_heap_realloc(&heap_a, pb, 80), NULL);
  OH_CHECK_EQ_INT(faults.count, 6);
  OH_CHECK_EQ_INT(faults.kind, OMNIHEAP_FAULT_FOREIGN_POINTER);
  OH_CHECK_EQ_INT(sys_heap_usable_size(&heap_a, pb), 0);
  OH_CHECK_EQ_INT(faults.count, 7);
  after = rt(&heap_a);
  OH_CHECK(same_rt(&sa, &after));
  after = rt(&heap_b);
  OH_CHECK(same_rt(&sb, &after));
  OH_CHECK(oh_intact(pa, 40, 4) && oh_intact(pb, 40, 5));
  OH_CHECK(sys_heap_validate(&heap_a) && sys_heap_validate(&heap_b));
  sys_heap_free(&heap_a, pa);
  sys_heap_free(&heap_b, pb);
  OH_CHECK_EQ_INT(faults.count, 7);
  finish(&heap_a);
  finish(&heap_b);
}

static void test_sys_heap_interior_pointers_reported(void) {
  unsigned char *p, *q;
  size_t u, offs[5], i, v;
  struct sys_memory_stats before, after;
  fresh(&heap_a, 0, 1024);
  p = (unsigned char *)sys_heap_alloc(&heap_a, 64);
  q = (unsigned char *)sys_heap_alloc(&heap_a, 16);
  OH_REQUIRE(p != NULL && q != NULL);
  u = sys_heap_usable_size(&heap_a, p);
  offs[0] = 1;
  offs[1] = HDR;
  offs[2] = 8;
  offs[3] = 16;
  offs[4] = u - 1U;
  for (v = 0; v < 2U; ++v) {
    memset(p, v == 0U ? 0x00 : 0xFF, u); /* contents must not matter */
    before = rt(&heap_a);
    capture_faults();
    for (i = 0; i < 5U; ++i) {
      sys_heap_free(&heap_a, p + offs[i]);
      check_one_fault((unsigned)i, &heap_a, OMNIHEAP_FAULT_INTERIOR_POINTER, p + offs[i],
                      "sys_heap_free");
    }
    after = rt(&heap_a);
    OH_CHECK(same_rt(&before, &after));
    OH_CHECK(sys_heap_validate(&heap_a));
  }
  /* Inside the free rest of the heap. */
  sys_heap_free(&heap_a, q + 64);
  OH_CHECK_EQ_INT(faults.count, 6);
  OH_CHECK(faults.kind == OMNIHEAP_FAULT_INTERIOR_POINTER ||
           faults.kind == OMNIHEAP_FAULT_DOUBLE_FREE);
  /* The heap's own metadata. */
  sys_heap_free(&heap_a, heap_a.heap);
  OH_CHECK_EQ_INT(faults.count, 7);
  OH_CHECK(faults.kind == OMNIHEAP_FAULT_INTERIOR_POINTER ||
           faults.kind == OMNIHEAP_FAULT_FOREIGN_POINTER);
  after = rt(&heap_a);
  OH_CHECK(same_rt(&before, &after));
  OH_CHECK(sys_heap_validate(&heap_a));
  sys_heap_free(&heap_a, p);
  sys_heap_free(&heap_a, q);
  OH_CHECK_EQ_INT(faults.count, 7);
  finish(&heap_a);
}

static void test_sys_heap_forged_header_in_user_data_rejected(void) {
  /* Copy the header bytes of a real block into another block's data, where
   * a chunk could start: the pointer after the copy is still no block. */
  unsigned char *p, *q, *forged;
  struct sys_memory_stats before, after;
  fresh(&heap_a, 0, 1024);
  p = (unsigned char *)sys_heap_alloc(&heap_a, 200);
  q = (unsigned char *)sys_heap_alloc(&heap_a, 24);
  OH_REQUIRE(p != NULL && q != NULL);
  memset(p, 0, 200);
  forged = p + 64; /* forged - HDR is a chunk boundary (8-byte units from the heap start) */
  memcpy(forged - HDR, q - HDR, HDR);
  before = rt(&heap_a);
  capture_faults();
  sys_heap_free(&heap_a, forged);
  OH_CHECK_EQ_INT(faults.count, 1);
  /* What it looks like to the heap is open: not a block, or a damaged one. */
  OH_CHECK(faults.kind == OMNIHEAP_FAULT_INTERIOR_POINTER ||
           faults.kind == OMNIHEAP_FAULT_CORRUPT_METADATA);
  OH_CHECK_EQ_INT(sys_heap_usable_size(&heap_a, forged), 0);
  OH_CHECK_EQ_INT(faults.count, 2);
  OH_CHECK_EQ_PTR(sys_heap_realloc(&heap_a, forged, 8), NULL);
  OH_CHECK_EQ_INT(faults.count, 3);
  after = rt(&heap_a);
  OH_CHECK(same_rt(&before, &after));
  OH_CHECK(sys_heap_validate(&heap_a));
  sys_heap_free(&heap_a, p);
  sys_heap_free(&heap_a, q);
  OH_CHECK_EQ_INT(faults.count, 3);
  finish(&heap_a);
}

static void test_sys_heap_bad_alignment_reported(void) {
  static const size_t bad[] = {7, 13, 0x70, 0x1C, 0x15, 0x107};
  unsigned char *p;
  size_t i;
  struct sys_memory_stats before, after;
  fresh(&heap_a, 0, 1024);
  p = (unsigned char *)sys_heap_alloc(&heap_a, 40);
  OH_REQUIRE(p != NULL);
  oh_fill(p, 40, 6);
  before = rt(&heap_a);
  capture_faults();
  for (i = 0; i < sizeof bad / sizeof bad[0]; ++i) {
    OH_CHECK_EQ_PTR(sys_heap_aligned_alloc(&heap_a, bad[i], 16), NULL);
    check_one_fault((unsigned)i, &heap_a, OMNIHEAP_FAULT_BAD_ALIGNMENT, ANY_PTR,
                    "sys_heap_aligned_alloc");
  }
  OH_CHECK_EQ_PTR(sys_heap_aligned_alloc(&heap_a, SIZE_MAX, 16), NULL);
  OH_CHECK_EQ_INT(faults.count, 7);
  OH_CHECK_EQ_INT(faults.kind, OMNIHEAP_FAULT_BAD_ALIGNMENT);
  OH_CHECK_EQ_PTR(sys_heap_aligned_realloc(&heap_a, p, 7, 80), NULL);
  OH_CHECK_EQ_INT(faults.count, 8);
  OH_CHECK_EQ_INT(faults.kind, OMNIHEAP_FAULT_BAD_ALIGNMENT);
  OH_CHECK_EQ_PTR(sys_heap_aligned_realloc(&heap_a, NULL, 0x70, 8), NULL);
  OH_CHECK_EQ_INT(faults.count, 9);
  OH_CHECK_EQ_INT(faults.kind, OMNIHEAP_FAULT_BAD_ALIGNMENT);
  after = rt(&heap_a);
  OH_CHECK(same_rt(&before, &after));
  OH_CHECK(oh_intact(p, 40, 6));
  OH_CHECK_EQ_INT(sys_heap_usable_size(&heap_a, p), usable_of(40));
  OH_CHECK(sys_heap_validate(&heap_a));
  sys_heap_free(&heap_a, p);
  OH_CHECK_EQ_INT(faults.count, 9);
  finish(&heap_a);
}

/* ---- realloc ----------------------------------------------------------------------------------------- */

static void test_sys_heap_realloc_null_allocates(void) {
  void *p0, *p;
  fresh(&heap_a, 0, 1024);
  p0 = sys_heap_alloc(&heap_a, 30);
  OH_REQUIRE(p0 != NULL);
  sys_heap_free(&heap_a, p0);
  p = sys_heap_realloc(&heap_a, NULL, 30);
  OH_CHECK_EQ_PTR(p, p0);
  OH_CHECK_EQ_INT(sys_heap_usable_size(&heap_a, p), usable_of(30));
  sys_heap_free(&heap_a, p);
  p = sys_heap_aligned_realloc(&heap_a, NULL, 64, 30);
  OH_REQUIRE(p != NULL);
  OH_CHECK_EQ_INT((uintptr_t)p % 64U, 0);
  OH_CHECK(sys_heap_usable_size(&heap_a, p) >= 30U);
  sys_heap_free(&heap_a, p);
  OH_CHECK_EQ_PTR(sys_heap_realloc(&heap_a, NULL, 0), NULL);
  OH_CHECK_EQ_INT(rt(&heap_a).allocated_bytes, 0);
  OH_CHECK_EQ_INT(faults.count, 0);
  finish(&heap_a);
}

static void test_sys_heap_realloc_zero_frees(void) {
  void *p, *q;
  size_t f0;
  fresh(&heap_a, 0, 1024);
  f0 = rt(&heap_a).free_bytes;
  p = sys_heap_alloc(&heap_a, 30);
  q = sys_heap_aligned_alloc(&heap_a, 32, 30);
  OH_REQUIRE(p != NULL && q != NULL);
  OH_CHECK_EQ_PTR(sys_heap_realloc(&heap_a, p, 0), NULL);
  OH_CHECK_EQ_PTR(sys_heap_aligned_realloc(&heap_a, q, 32, 0), NULL);
  OH_CHECK_EQ_INT(rt(&heap_a).allocated_bytes, 0);
  OH_CHECK_EQ_INT(rt(&heap_a).free_bytes, f0);
  OH_CHECK_EQ_INT(faults.count, 0);
  capture_faults();
  sys_heap_free(&heap_a, p); /* it really was freed */
  OH_CHECK_EQ_INT(faults.count, 1);
  OH_CHECK_EQ_INT(rt(&heap_a).free_bytes, f0);
  finish(&heap_a);
}

static void test_sys_heap_realloc_same_size_same_pointer(void) {
  unsigned char *p, *q;
  struct sys_memory_stats before, after;
  fresh(&heap_a, 0, 1024);
  p = (unsigned char *)sys_heap_alloc(&heap_a, 20);
  q = (unsigned char *)sys_heap_alloc(&heap_a, 20); /* a neighbour in use */
  OH_REQUIRE(p != NULL && q != NULL);
  oh_fill(p, 20, 7);
  before = rt(&heap_a);
  OH_CHECK_EQ_PTR(sys_heap_realloc(&heap_a, p, 20), p);
  OH_CHECK_EQ_PTR(sys_heap_realloc(&heap_a, p, usable_of(20)), p); /* same chunk count */
  OH_CHECK_EQ_PTR(sys_heap_realloc(&heap_a, p, 17), p);
  OH_CHECK_EQ_PTR(sys_heap_realloc(&heap_a, p, 20), p);
  OH_CHECK(oh_intact(p, 17, 7));
  after = rt(&heap_a);
  OH_CHECK(same_rt(&before, &after));
  sys_heap_free(&heap_a, p);
  sys_heap_free(&heap_a, q);
  OH_CHECK_EQ_INT(faults.count, 0);
  finish(&heap_a);
}

static void test_sys_heap_realloc_shrink_same_pointer(void) {
  unsigned char *p, *q;
  struct sys_memory_stats s;
  size_t f0;
  fresh(&heap_a, 0, 1024);
  f0 = rt(&heap_a).free_bytes;
  p = (unsigned char *)sys_heap_alloc(&heap_a, 200);
  q = (unsigned char *)sys_heap_alloc(&heap_a, 16); /* blocker */
  OH_REQUIRE(p != NULL && q != NULL);
  oh_fill(p, 200, 8);
  OH_CHECK_EQ_PTR(sys_heap_realloc(&heap_a, p, 50), p);
  OH_CHECK(oh_intact(p, 50, 8));
  OH_CHECK_EQ_INT(sys_heap_usable_size(&heap_a, p), usable_of(50));
  s = rt(&heap_a);
  OH_CHECK_EQ_INT(s.allocated_bytes, chunk_of(50) + chunk_of(16)); /* the tail went back */
  OH_CHECK_EQ_INT(s.free_bytes + s.allocated_bytes, f0);
  OH_CHECK(sys_heap_validate(&heap_a));
  OH_CHECK_EQ_PTR(sys_heap_realloc(&heap_a, p, 1), p);
  OH_CHECK(oh_intact(p, 1, 8));
  OH_CHECK_EQ_INT(rt(&heap_a).allocated_bytes, chunk_of(1) + chunk_of(16));
  /* Growing back into the freed tail: in place again. */
  OH_CHECK_EQ_PTR(sys_heap_realloc(&heap_a, p, 150), p);
  OH_CHECK(oh_intact(p, 1, 8));
  sys_heap_free(&heap_a, p);
  sys_heap_free(&heap_a, q);
  OH_CHECK_EQ_INT(faults.count, 0);
  finish(&heap_a);
}

static void test_sys_heap_realloc_grows_into_free_neighbour(void) {
  unsigned char *a, *b, *c, *n;
  size_t grown;
  fresh(&heap_a, 0, SH_SIZE);
  a = (unsigned char *)sys_heap_alloc(&heap_a, 32);
  b = (unsigned char *)sys_heap_alloc(&heap_a, 32);
  c = (unsigned char *)sys_heap_alloc(&heap_a, 32);
  OH_REQUIRE(a != NULL && b != NULL && c != NULL);
  OH_CHECK_EQ_PTR(b, a + chunk_of(32)); /* low to high, side by side */
  oh_fill(a, 32, 9);
  oh_fill(c, 32, 10);
  sys_heap_free(&heap_a, b);
  grown = usable_of(32) + chunk_of(32); /* a's chunk plus all of b's */
  n = (unsigned char *)sys_heap_realloc(&heap_a, a, grown);
  OH_CHECK_EQ_PTR(n, a);
  if (n != NULL) a = n;
  OH_CHECK(oh_intact(a, 32, 9));
  OH_CHECK(oh_intact(c, 32, 10));
  OH_CHECK_EQ_INT(sys_heap_usable_size(&heap_a, a), grown);
  OH_CHECK_EQ_INT(rt(&heap_a).allocated_bytes, chunk_of(grown) + chunk_of(32));
  OH_CHECK(sys_heap_validate(&heap_a));
  /* The last block grows into the free space after it. The peak follows
   * the bytes in use: the heap never held more (the free neighbour taken
   * whole for a moment must not count). */
  OH_CHECK_EQ_INT(rt(&heap_a).max_allocated_bytes, 3U * chunk_of(32));
  n = (unsigned char *)sys_heap_realloc(&heap_a, c, 600);
  OH_CHECK_EQ_PTR(n, c);
  if (n != NULL) c = n;
  OH_CHECK(oh_intact(c, 32, 10));
  OH_CHECK_EQ_INT(rt(&heap_a).max_allocated_bytes, rt(&heap_a).allocated_bytes);
  n = (unsigned char *)sys_heap_aligned_realloc(&heap_a, c, HDR, 700); /* c meets HDR */
  OH_CHECK_EQ_PTR(n, c);
  if (n != NULL) c = n;
  OH_CHECK(oh_intact(c, 32, 10));
  sys_heap_free(&heap_a, a);
  sys_heap_free(&heap_a, c);
  OH_CHECK_EQ_INT(faults.count, 0);
  finish(&heap_a);
}

static void test_sys_heap_realloc_blocked_growth_moves(void) {
  unsigned char *a, *b, *n;
  size_t ua;
  fresh(&heap_a, 0, 1024);
  a = (unsigned char *)sys_heap_alloc(&heap_a, 32);
  b = (unsigned char *)sys_heap_alloc(&heap_a, 32);
  OH_REQUIRE(a != NULL && b != NULL);
  ua = sys_heap_usable_size(&heap_a, a);
  oh_fill(a, ua, 11);
  oh_fill(b, 32, 12);
  n = (unsigned char *)sys_heap_realloc(&heap_a, a, 200);
  OH_REQUIRE(n != NULL);
  OH_CHECK(n != a);
  OH_CHECK(oh_intact(n, ua, 11)); /* min(old usable, bytes) copied */
  OH_CHECK(oh_intact(b, 32, 12));
  OH_CHECK(!oh_overlap(n, 200, b, 32));
  OH_CHECK(oh_inside(n, 200, SH_MEM, 1024));
  OH_CHECK_EQ_INT(rt(&heap_a).allocated_bytes, chunk_of(200) + chunk_of(32)); /* old one freed */
  OH_CHECK(sys_heap_validate(&heap_a));
  sys_heap_free(&heap_a, n);
  sys_heap_free(&heap_a, b);
  OH_CHECK_EQ_INT(faults.count, 0);
  finish(&heap_a);
}

static void test_sys_heap_realloc_failure_keeps_block(void) {
  unsigned char *a, *b;
  struct sys_memory_stats before, after;
  fresh(&heap_a, 0, 1024);
  a = (unsigned char *)sys_heap_alloc(&heap_a, 100);
  b = (unsigned char *)sys_heap_alloc(&heap_a, 100);
  OH_REQUIRE(a != NULL && b != NULL);
  oh_fill(a, 100, 13);
  before = rt(&heap_a);
  OH_CHECK_EQ_PTR(sys_heap_realloc(&heap_a, a, SIZE_MAX), NULL);
  OH_CHECK_EQ_PTR(sys_heap_realloc(&heap_a, a, SIZE_MAX - 7U), NULL);
  OH_CHECK_EQ_PTR(sys_heap_realloc(&heap_a, a, 1024), NULL);
  OH_CHECK_EQ_PTR(sys_heap_realloc(&heap_a, a, 900), NULL); /* b blocks, and no room elsewhere */
  OH_CHECK_EQ_PTR(sys_heap_aligned_realloc(&heap_a, a, 16, 2048), NULL);
  OH_CHECK_EQ_PTR(sys_heap_aligned_realloc(&heap_a, a, 512, 800), NULL);
  after = rt(&heap_a);
  OH_CHECK(same_rt(&before, &after));
  OH_CHECK(oh_intact(a, 100, 13));
  OH_CHECK_EQ_INT(sys_heap_usable_size(&heap_a, a), usable_of(100));
  OH_CHECK(sys_heap_validate(&heap_a));
  OH_CHECK_EQ_INT(faults.count, 0);
  sys_heap_free(&heap_a, a);
  sys_heap_free(&heap_a, b);
  OH_CHECK_EQ_INT(faults.count, 0);
  finish(&heap_a);
}

static void test_sys_heap_aligned_realloc_keeps_alignment(void) {
  unsigned char *p, *q, *r;
  fresh(&heap_a, 0, SH_SIZE);
  p = (unsigned char *)sys_heap_aligned_alloc(&heap_a, 64, 20);
  OH_REQUIRE(p != NULL);
  oh_fill(p, 20, 14);
  q = (unsigned char *)sys_heap_aligned_realloc(&heap_a, p, 64, 300);
  OH_REQUIRE(q != NULL);
  OH_CHECK_EQ_INT((uintptr_t)q % 64U, 0);
  OH_CHECK(oh_intact(q, 20, 14));
  p = (unsigned char *)sys_heap_aligned_realloc(&heap_a, q, 64, 10);
  OH_REQUIRE(p != NULL);
  OH_CHECK_EQ_INT((uintptr_t)p % 64U, 0);
  OH_CHECK(oh_intact(p, 10, 14));
  /* A plain block re-aligned. */
  r = (unsigned char *)sys_heap_alloc(&heap_a, 40);
  OH_REQUIRE(r != NULL);
  oh_fill(r, 40, 15);
  q = (unsigned char *)sys_heap_aligned_realloc(&heap_a, r, 128, 40);
  OH_REQUIRE(q != NULL);
  OH_CHECK_EQ_INT((uintptr_t)q % 128U, 0);
  OH_CHECK(oh_intact(q, 40, 15));
  /* And with the rewind encoding. */
  r = (unsigned char *)sys_heap_aligned_realloc(&heap_a, q, 32 | 8, 100);
  OH_REQUIRE(r != NULL);
  OH_CHECK_EQ_INT(((uintptr_t)r + 8U) % 32U, 0);
  OH_CHECK(oh_intact(r, 40, 15));
  OH_CHECK(sys_heap_validate(&heap_a));
  sys_heap_free(&heap_a, p);
  sys_heap_free(&heap_a, r);
  OH_CHECK_EQ_INT(faults.count, 0);
  finish(&heap_a);
}

typedef void *(*realloc_fn)(struct sys_heap *, void *, size_t);

static void test_sys_heap_realloc_is_a_function(void) {
  realloc_fn fn = sys_heap_realloc; /* Zephyr 4.2+: a function, not a macro */
  unsigned char *p;
  fresh(&heap_a, 0, 1024);
  p = (unsigned char *)fn(&heap_a, NULL, 10);
  OH_REQUIRE(p != NULL);
  oh_fill(p, 10, 16);
  p = (unsigned char *)fn(&heap_a, p, 300);
  OH_REQUIRE(p != NULL);
  OH_CHECK(oh_intact(p, 10, 16));
  p = (unsigned char *)(sys_heap_realloc)(&heap_a, p, 20); /* the name itself is a function */
  OH_REQUIRE(p != NULL);
  OH_CHECK(oh_intact(p, 10, 16));
  OH_CHECK_EQ_PTR(fn(&heap_a, p, 0), NULL);
  OH_CHECK_EQ_INT(rt(&heap_a).allocated_bytes, 0);
  OH_CHECK_EQ_INT(faults.count, 0);
  finish(&heap_a);
}

static void test_sys_heap_usable_size_null_and_freed(void) {
  void *p;
  int local;
  fresh(&heap_a, 0, 512);
  capture_faults();
  OH_CHECK_EQ_INT(sys_heap_usable_size(&heap_a, NULL), 0);
  OH_CHECK_EQ_INT(faults.count, 0); /* NULL is no fault */
  p = sys_heap_alloc(&heap_a, 16);
  OH_REQUIRE(p != NULL);
  OH_CHECK_EQ_INT(sys_heap_usable_size(&heap_a, p), usable_of(16));
  sys_heap_free(&heap_a, p);
  OH_CHECK_EQ_INT(sys_heap_usable_size(&heap_a, p), 0);
  OH_CHECK_EQ_INT(faults.count, 1);
  OH_CHECK_EQ_INT(sys_heap_usable_size(&heap_a, &local), 0);
  OH_CHECK_EQ_INT(faults.count, 2);
  OH_CHECK_EQ_INT(faults.kind, OMNIHEAP_FAULT_FOREIGN_POINTER);
  finish(&heap_a);
}

/* ---- validate, statistics, print, stress, array -------------------------------------------------------- */

static void test_sys_heap_validate_true_on_healthy_heaps(void) {
  size_t n = 0, i;
  fresh(&heap_a, 5, 1500);
  OH_CHECK(sys_heap_validate(&heap_a));
  while (n < MAX_BLOCKS && (blk[n] = sys_heap_alloc(&heap_a, 8U + (n * 13U) % 90U)) != NULL) {
    ++n;
    if (!OH_CHECK(sys_heap_validate(&heap_a))) break;
  }
  OH_CHECK(n > 5U);
  for (i = 1; i < n; i += 3) sys_heap_free(&heap_a, blk[i]);
  OH_CHECK(sys_heap_validate(&heap_a));
  for (i = 0; i < n; ++i)
    if (i % 3U != 1U) sys_heap_free(&heap_a, blk[i]);
  OH_CHECK(sys_heap_validate(&heap_a));
  OH_CHECK_EQ_INT(omniheap_heap_validate(omniheap_heap_find(&heap_a)), OMNIHEAP_OK);
  OH_CHECK(!sys_heap_validate(&never_initialised));
  OH_CHECK_EQ_INT(faults.count, 0);
  finish(&heap_a);
}

static void test_sys_heap_validate_detects_overflow(void) {
  unsigned char *a, *b, *c, saved[8];
  size_t ua, i;
  struct sys_memory_stats before, after;
  fresh(&heap_a, 0, 1024);
  a = (unsigned char *)sys_heap_alloc(&heap_a, 16);
  b = (unsigned char *)sys_heap_alloc(&heap_a, 16);
  c = (unsigned char *)sys_heap_alloc(&heap_a, 16);
  OH_REQUIRE(a != NULL && b != NULL && c != NULL);
  OH_REQUIRE(b == a + chunk_of(16)); /* b's header follows a's data */
  ua = sys_heap_usable_size(&heap_a, a);
  OH_REQUIRE(a + ua == b - HDR);
  oh_fill(a, ua, 17);
  oh_fill(b, 16, 18);
  OH_CHECK(sys_heap_validate(&heap_a));
  OH_CHECK_EQ_INT(omniheap_heap_validate(omniheap_heap_find(&heap_a)), OMNIHEAP_OK);
  /* An overflow of a: HDR bytes past its end, over b's chunk header. */
  memcpy(saved, a + ua, HDR);
  for (i = 0; i < HDR; ++i) a[ua + i] = (unsigned char)(saved[i] ^ 0xA5U);
  OH_CHECK(!sys_heap_validate(&heap_a));
  OH_CHECK_EQ_INT(omniheap_heap_validate(omniheap_heap_find(&heap_a)), OMNIHEAP_ERR_CORRUPT);
  before = rt(&heap_a);
  capture_faults();
  sys_heap_free(&heap_a, a); /* the overflowed block: its bounds no longer match */
  check_one_fault(0, &heap_a, OMNIHEAP_FAULT_CORRUPT_METADATA, a, "sys_heap_free");
  after = rt(&heap_a);
  OH_CHECK(same_rt(&before, &after)); /* nothing changed */
  /* Undo the damage: the heap is whole again. */
  memcpy(a + ua, saved, HDR);
  OH_CHECK(sys_heap_validate(&heap_a));
  OH_CHECK(oh_intact(a, ua, 17) && oh_intact(b, 16, 18));
  sys_heap_free(&heap_a, a);
  sys_heap_free(&heap_a, b);
  sys_heap_free(&heap_a, c);
  OH_CHECK_EQ_INT(faults.count, 1);
  finish(&heap_a);
}

static void test_sys_heap_runtime_stats(void) {
  struct sys_memory_stats s, s0;
  void *a, *b;
  size_t total;
  fresh(&heap_a, 0, 1024);
  OH_CHECK_EQ_INT(sys_heap_runtime_stats_get(NULL, &s), EINVAL_CODE);
  OH_CHECK_EQ_INT(sys_heap_runtime_stats_get(&heap_a, NULL), EINVAL_CODE);
  OH_CHECK_EQ_INT(sys_heap_runtime_stats_reset_max(NULL), EINVAL_CODE);
  s0 = rt(&heap_a);
  OH_CHECK_EQ_INT(s0.allocated_bytes, 0);
  OH_CHECK_EQ_INT(s0.max_allocated_bytes, 0);
  OH_CHECK(s0.free_bytes > 0U && s0.free_bytes < 1024U);
  total = s0.free_bytes;
  a = sys_heap_alloc(&heap_a, 40);
  OH_REQUIRE(a != NULL);
  s = rt(&heap_a);
  OH_CHECK_EQ_INT(s.allocated_bytes, chunk_of(40));
  OH_CHECK_EQ_INT(s.free_bytes, total - chunk_of(40));
  OH_CHECK_EQ_INT(s.max_allocated_bytes, chunk_of(40));
  b = sys_heap_alloc(&heap_a, 100);
  OH_REQUIRE(b != NULL);
  sys_heap_free(&heap_a, a);
  s = rt(&heap_a);
  OH_CHECK_EQ_INT(s.allocated_bytes, chunk_of(100));
  OH_CHECK_EQ_INT(s.free_bytes + s.allocated_bytes, total);
  OH_CHECK_EQ_INT(s.max_allocated_bytes, chunk_of(40) + chunk_of(100));
  OH_CHECK_EQ_INT(sys_heap_runtime_stats_reset_max(&heap_a), 0);
  s = rt(&heap_a);
  OH_CHECK_EQ_INT(s.max_allocated_bytes, chunk_of(100));
  a = sys_heap_aligned_alloc(&heap_a, 128, 10);
  OH_REQUIRE(a != NULL);
  s = rt(&heap_a);
  OH_CHECK_EQ_INT(s.free_bytes + s.allocated_bytes, total);
  OH_CHECK(s.max_allocated_bytes >= s.allocated_bytes);
  sys_heap_free(&heap_a, a);
  sys_heap_free(&heap_a, b);
  s = rt(&heap_a);
  OH_CHECK_EQ_INT(s.allocated_bytes, 0);
  OH_CHECK_EQ_INT(s.free_bytes, total);
  OH_CHECK(s.max_allocated_bytes >= chunk_of(100));
  OH_CHECK_EQ_INT(sys_heap_runtime_stats_reset_max(&heap_a), 0);
  OH_CHECK_EQ_INT(rt(&heap_a).max_allocated_bytes, 0);
  OH_CHECK_EQ_INT(faults.count, 0);
  finish(&heap_a);
}

/* The peak counts aligned blocks, not the larger chunk they were cut from. */
static void test_sys_heap_peak_of_aligned_blocks(void) {
  struct sys_memory_stats s;
  void *p;
  size_t align;
  for (align = 16; align <= 1024; align <<= 1) {
    fresh(&heap_a, 0, 4096);
    p = sys_heap_aligned_alloc(&heap_a, align, 8);
    OH_REQUIRE(p != NULL);
    OH_CHECK((uintptr_t)p % align == 0U);
    s = rt(&heap_a);
    OH_CHECK_EQ_INT(s.max_allocated_bytes, s.allocated_bytes);
    OH_CHECK(s.allocated_bytes <= 24U + 8U); /* one chunk for 8 bytes (plus a tag gap) */
    sys_heap_free(&heap_a, p);
    finish(&heap_a);
  }
}

static void test_sys_heap_registry_stats_match_runtime(void) {
  omniheap_heap_t *e;
  omniheap_stats_t n0 = OMNIHEAP_STATS_INIT, n = OMNIHEAP_STATS_INIT;
  struct sys_memory_stats s;
  void *p[3], *big;
  size_t i, usable = 0;
  static const size_t sizes[3] = {10, 100, 33};
  fresh(&heap_a, 0, 1024);
  e = omniheap_heap_find(&heap_a);
  OH_REQUIRE(e != NULL);
  OH_REQUIRE(omniheap_heap_stats(e, &n0) == OMNIHEAP_OK);
  OH_CHECK_EQ_INT(n0.live_blocks, 0);
  OH_CHECK_EQ_INT(n0.in_use, 0);
  OH_CHECK_EQ_INT(n0.block_size, 0);
  OH_CHECK(n0.capacity > 0U && n0.capacity <= 1024U);
  for (i = 0; i < 3U; ++i) {
    p[i] = sys_heap_alloc(&heap_a, sizes[i]);
    OH_REQUIRE(p[i] != NULL);
    usable += sys_heap_usable_size(&heap_a, p[i]);
  }
  OH_CHECK_EQ_PTR(sys_heap_alloc(&heap_a, 4096), NULL);
  s = rt(&heap_a);
  OH_REQUIRE(omniheap_heap_stats(e, &n) == OMNIHEAP_OK);
  OH_CHECK_EQ_INT(n.live_blocks, 3);
  OH_CHECK_EQ_INT(s.allocated_bytes, chunk_of(10) + chunk_of(100) + chunk_of(33));
  /* omniheap.h: general heaps count whole chunks, headers included
   * (sys_heap's allocated_bytes), and in_use + free_bytes == capacity. */
  OH_CHECK_EQ_INT(n.in_use, s.allocated_bytes);
  OH_CHECK(n.in_use >= usable + 3U * sizeof(void *) / 2U);
  OH_CHECK_EQ_INT(n.in_use + n.free_bytes, n.capacity);
  OH_CHECK(n.peak >= n.in_use);
  OH_CHECK(n.allocations == n0.allocations + 3U);
  OH_CHECK(n.failed_allocations == n0.failed_allocations + 1U);
  OH_CHECK_EQ_INT(n.capacity, n0.capacity);
  OH_CHECK(n.free_bytes <= s.free_bytes);
  /* "Largest request one allocation could satisfy right now." */
  OH_CHECK(n.largest_free > 0U && n.largest_free <= n.free_bytes);
  OH_CHECK_EQ_PTR(sys_heap_alloc(&heap_a, n.largest_free + 1U), NULL);
  big = sys_heap_alloc(&heap_a, n.largest_free);
  OH_CHECK(big != NULL);
  if (big != NULL) sys_heap_free(&heap_a, big);
  sys_heap_free(&heap_a, p[1]);
  OH_REQUIRE(omniheap_heap_stats(e, &n) == OMNIHEAP_OK);
  OH_CHECK_EQ_INT(n.live_blocks, 2);
  OH_CHECK(n.frees == n0.frees + 1U + (big != NULL ? 1U : 0U));
  sys_heap_free(&heap_a, p[0]);
  sys_heap_free(&heap_a, p[2]);
  OH_REQUIRE(omniheap_heap_stats(e, &n) == OMNIHEAP_OK);
  OH_CHECK_EQ_INT(n.live_blocks, 0);
  OH_CHECK_EQ_INT(n.in_use, 0);
  OH_CHECK_EQ_INT(omniheap_heap_reset_peak(e), OMNIHEAP_OK);
  OH_REQUIRE(omniheap_heap_stats(e, &n) == OMNIHEAP_OK);
  OH_CHECK_EQ_INT(n.peak, 0);
  OH_CHECK_EQ_INT(faults.count, 0);
  finish(&heap_a);
}

static int count_walk(const omniheap_block_t *b, void *context) {
  size_t *c = (size_t *)context;
  c[0] += 1U;
  if (b->used) c[1] += 1U;
  return 0;
}

static void test_sys_heap_walk_sees_blocks(void) {
  size_t counts[2] = {0, 0};
  void *a, *b, *c;
  fresh(&heap_a, 0, 1024);
  a = sys_heap_alloc(&heap_a, 10);
  b = sys_heap_alloc(&heap_a, 10);
  c = sys_heap_alloc(&heap_a, 10);
  OH_REQUIRE(a != NULL && b != NULL && c != NULL);
  sys_heap_free(&heap_a, b);
  OH_CHECK_EQ_INT(omniheap_heap_walk(omniheap_heap_find(&heap_a), count_walk, counts), OMNIHEAP_OK);
  OH_CHECK_EQ_INT(counts[1], 2);
  OH_CHECK(counts[0] >= 3U); /* a, the hole, c (and the free rest) */
  sys_heap_free(&heap_a, a);
  sys_heap_free(&heap_a, c);
  OH_CHECK_EQ_INT(faults.count, 0);
  finish(&heap_a);
}

struct walk_rec {
  unsigned n, used;
  void *addr[8];
  size_t size[8];
};

static int record_used(const omniheap_block_t *b, void *context) {
  struct walk_rec *w = (struct walk_rec *)context;
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

static void test_sys_heap_walk_reports_returned_pointers(void) {
  /* omniheap_block_t: "address: Address of the block's user area", "size:
   * Bytes of the block's user area" -- for every block, aligned ones
   * included, that is the pointer the caller holds and its usable size. */
  struct walk_rec w;
  void *p[5];
  unsigned i, j;
  fresh(&heap_a, 0, 1024);
  p[0] = sys_heap_alloc(&heap_a, 10);
  p[1] = sys_heap_aligned_alloc(&heap_a, 16, 20);
  p[2] = sys_heap_aligned_alloc(&heap_a, 16 | 4, 20);
  p[3] = sys_heap_aligned_alloc(&heap_a, 64, 5);
  p[4] = sys_heap_aligned_alloc(&heap_a, 32 | 8, 7);
  for (i = 0; i < 5U; ++i) OH_REQUIRE(p[i] != NULL);
  memset(&w, 0, sizeof w);
  OH_CHECK_EQ_INT(omniheap_heap_walk(omniheap_heap_find(&heap_a), record_used, &w), OMNIHEAP_OK);
  OH_CHECK_EQ_INT(w.used, 5);
  for (i = 0; i < 5U; ++i) {
    int found = 0;
    for (j = 0; j < w.used && j < 8U; ++j)
      if (w.addr[j] == p[i]) {
        found = 1;
        OH_CHECK_EQ_INT(w.size[j], sys_heap_usable_size(&heap_a, p[i]));
      }
    if (!found) oh_test_note("sys_heap walk: a block in use is not reported at its pointer");
    OH_CHECK(found);
  }
  for (i = 0; i < 5U; ++i) sys_heap_free(&heap_a, p[i]);
  OH_CHECK_EQ_INT(faults.count, 0);
  finish(&heap_a);
}

static void test_sys_heap_print_info_runs(void) {
  void *a, *b, *c;
  struct sys_memory_stats before, after;
  fresh(&heap_a, 0, 512);
  a = sys_heap_alloc(&heap_a, 10);
  b = sys_heap_alloc(&heap_a, 50);
  c = sys_heap_aligned_alloc(&heap_a, 64, 5);
  OH_REQUIRE(a != NULL && b != NULL && c != NULL);
  sys_heap_free(&heap_a, b);
  before = rt(&heap_a);
  sys_heap_print_info(&heap_a, false);
  sys_heap_print_info(&heap_a, true);
  after = rt(&heap_a);
  OH_CHECK(same_rt(&before, &after));
  OH_CHECK(sys_heap_validate(&heap_a));
  sys_heap_free(&heap_a, a);
  sys_heap_free(&heap_a, c);
  OH_CHECK_EQ_INT(faults.count, 0);
  finish(&heap_a);
}

struct stress_probe {
  struct sys_heap *heap;
  uint32_t allocs, successes, frees;
  size_t max_request;
  unsigned bad;
};

static void *stress_alloc(void *arg, size_t bytes) {
  struct stress_probe *sp = (struct stress_probe *)arg;
  void *p = sys_heap_alloc(sp->heap, bytes);
  ++sp->allocs;
  if (bytes > sp->max_request) sp->max_request = bytes;
  if (p != NULL) {
    ++sp->successes;
    if (sys_heap_usable_size(sp->heap, p) < bytes) ++sp->bad;
  }
  return p;
}

static void stress_free(void *arg, void *p) {
  struct stress_probe *sp = (struct stress_probe *)arg;
  ++sp->frees;
  sys_heap_free(sp->heap, p);
}

static void test_sys_heap_stress_rig(void) {
  struct z_heap_stress_result r;
  struct stress_probe sp;
  const size_t heap_bytes = 1536U;
  int target;
  fresh(&heap_a, 0, heap_bytes);
  for (target = 30; target <= 90; target += 60) {
    memset(&sp, 0, sizeof sp);
    memset(&r, 0xEE, sizeof r);
    sp.heap = &heap_a;
    sys_heap_stress(stress_alloc, stress_free, &sp, heap_bytes, 3000, SH_MEM + heap_bytes, 256,
                    target, &r);
    OH_CHECK(r.total_allocs > 0U);
    OH_CHECK(r.successful_allocs > 0U);
    OH_CHECK(r.successful_allocs <= r.total_allocs);
    OH_CHECK(r.total_allocs <= 3000U);
    OH_CHECK_EQ_INT(r.total_frees, r.successful_allocs); /* every block freed at the end */
    OH_CHECK(r.accumulated_in_use_bytes > 0U);
    OH_CHECK_EQ_INT(r.total_allocs, sp.allocs);
    OH_CHECK_EQ_INT(r.successful_allocs, sp.successes);
    OH_CHECK_EQ_INT(r.total_frees, sp.frees);
    OH_CHECK(sp.max_request <= heap_bytes / 4U);
    OH_CHECK_EQ_INT(sp.bad, 0);
    OH_CHECK(sys_heap_validate(&heap_a));
    OH_CHECK_EQ_INT(rt(&heap_a).allocated_bytes, 0);
  }
  OH_CHECK_EQ_INT(faults.count, 0);
  finish(&heap_a);
}

static int array_holds(struct sys_heap **arr, int n, const struct sys_heap *h) {
  int i, hits = 0;
  for (i = 0; i < n; ++i) hits += arr[i] == h ? 1 : 0;
  return hits;
}

static void test_sys_heap_array_save_and_get(void) {
  struct sys_heap **arr = NULL;
  int n, n2;
  fresh(&heap_a, 0, 512);
  OH_CHECK_EQ_INT(sys_heap_array_get(NULL), EINVAL_CODE);
  OH_CHECK_EQ_INT(sys_heap_array_save(NULL), EINVAL_CODE);
  n = sys_heap_array_get(&arr);
#if OMNIHEAP_CONF_SYS_HEAP_ARRAY_SIZE > 0
  OH_REQUIRE(n >= 1 && arr != NULL);
  OH_CHECK(n <= OMNIHEAP_CONF_SYS_HEAP_ARRAY_SIZE);
  OH_CHECK_EQ_INT(array_holds(arr, n, &heap_a), 1); /* recorded by init */
  OH_CHECK_EQ_INT(sys_heap_array_save(&heap_a), 0);  /* already there */
  sys_heap_init(&heap_a, SH_MEM + 8, 600);           /* once, also when initialised again */
  n2 = sys_heap_array_get(&arr);
  OH_CHECK_EQ_INT(n2, n);
  OH_CHECK_EQ_INT(array_holds(arr, n2, &heap_a), 1);
#else
  OH_CHECK_EQ_INT(n, 0);
  OH_CHECK_EQ_INT(sys_heap_array_save(&heap_a), EINVAL_CODE);
  (void)n2;
  (void)array_holds;
#endif
  OH_CHECK_EQ_INT(faults.count, 0);
  finish(&heap_a);
}

#if OMNIHEAP_CONF_SYS_HEAP_ARRAY_SIZE > 0 && OMNIHEAP_CONF_SYS_HEAP_ARRAY_SIZE <= 16
static struct sys_heap array_fill[OMNIHEAP_CONF_SYS_HEAP_ARRAY_SIZE + 1];
#endif

/* Runs last: the array cannot forget the heaps recorded here. */
static void test_sys_heap_array_full(void) {
#if OMNIHEAP_CONF_SYS_HEAP_ARRAY_SIZE > 0 && OMNIHEAP_CONF_SYS_HEAP_ARRAY_SIZE <= 16
  struct sys_heap **arr = NULL;
  const size_t step = round_up(Z_HEAP_MIN_SIZE, 8U);
  int n = sys_heap_array_get(&arr), i, room;
  void *p;
  OH_REQUIRE(n >= 0 && n <= OMNIHEAP_CONF_SYS_HEAP_ARRAY_SIZE);
  room = OMNIHEAP_CONF_SYS_HEAP_ARRAY_SIZE - n;
  OH_REQUIRE((size_t)(room + 1) * step <= SH_SIZE);
  guard_all();
  for (i = 0; i < room; ++i) {
    sys_heap_init(&array_fill[i], SH_MEM + (size_t)i * step, step);
    OH_CHECK_EQ_INT(sys_heap_array_get(&arr), n + i + 1);
    OH_CHECK_EQ_INT(array_holds(arr, n + i + 1, &array_fill[i]), 1);
  }
  /* Full: init still works, the heap is just not recorded. */
  sys_heap_init(&array_fill[room], SH_MEM + (size_t)room * step, step);
  OH_CHECK_EQ_INT(sys_heap_array_get(&arr), OMNIHEAP_CONF_SYS_HEAP_ARRAY_SIZE);
  OH_CHECK_EQ_INT(array_holds(arr, OMNIHEAP_CONF_SYS_HEAP_ARRAY_SIZE, &array_fill[room]), 0);
  OH_CHECK_EQ_INT(sys_heap_array_save(&array_fill[room]), EINVAL_CODE);
  OH_CHECK_EQ_INT(sys_heap_array_save(&array_fill[0]), room > 0 ? 0 : EINVAL_CODE);
  p = sys_heap_alloc(&array_fill[room], 1);
  OH_CHECK(p != NULL);
  sys_heap_free(&array_fill[room], p);
  for (i = 0; i <= room; ++i) finish(&array_fill[i]);
#else
  oh_test_note("sys_heap: heap array too large (or absent) to fill here; skipped");
#endif
  OH_CHECK_EQ_INT(faults.count, 0);
}

/* ---- host only: larger heaps, default panic -------------------------------------------------------- */

#if defined(OH_HOSTED) && OH_HOSTED
#define BIG_SIZE (600U * 1024U)
static union {
  unsigned char b[BIG_SIZE];
  uint64_t align8;
} bigbuf __attribute__((aligned(8)));

static void check_usable_formula_on(size_t bytes, size_t hdr) {
  size_t n;
  sys_heap_init(&heap_b, bigbuf.b, bytes);
  OH_REQUIRE(heap_b.heap != NULL);
  for (n = 1; n <= 100U; ++n) {
    void *p = sys_heap_alloc(&heap_b, n);
    if (!OH_CHECK(p != NULL)) break;
    OH_CHECK_EQ_INT(sys_heap_usable_size(&heap_b, p), round_up(n + hdr, 8U) - hdr);
    OH_CHECK_EQ_INT(rt(&heap_b).allocated_bytes, round_up(n + hdr, 8U));
    OH_CHECK_EQ_INT((uintptr_t)p % hdr, 0);
    sys_heap_free(&heap_b, p);
  }
  /* A large block too. */
  {
    void *p = sys_heap_alloc(&heap_b, bytes / 2U);
    OH_CHECK(p != NULL);
    if (p != NULL) {
      OH_CHECK_EQ_INT(sys_heap_usable_size(&heap_b, p), round_up(bytes / 2U + hdr, 8U) - hdr);
      memset(p, 0x3C, bytes / 2U);
      sys_heap_free(&heap_b, p);
    }
  }
  OH_CHECK(sys_heap_validate(&heap_b));
}

static void test_sys_heap_header_size_follows_heap_size(void) {
  check_usable_formula_on(128U * 1024U, hdr_for(128U * 1024U));
#if OMNIHEAP_CONF_SYS_HEAP_HEADERS != 1
  check_usable_formula_on(512U * 1024U, hdr_for(512U * 1024U));
  OH_CHECK_EQ_INT(hdr_for(512U * 1024U), 8);
#endif
  OH_CHECK_EQ_INT(faults.count, 0);
  finish(&heap_b);
}

static void test_sys_heap_min_size_for_is_exact_large(void) {
  static const size_t big[] = {2000, 3000, 4096, 10000, 65536, 100000, 200000,
                               261000, 261500, 262000, 262144, 300000};
  size_t i;
  for (i = 0; i < sizeof big / sizeof big[0]; ++i) {
    size_t n = big[i], m = Z_HEAP_MIN_SIZE_FOR(n), k;
    void *p;
    if (m > BIG_SIZE) continue;
#if OMNIHEAP_CONF_SYS_HEAP_HEADERS == 1
    if (m >= 0x40000U) continue; /* small headers only: larger heaps are refused */
#endif
    for (k = 0; k < 3U; ++k) {
      size_t bytes = k == 0U ? m : k == 1U ? m - 1U : m - 8U;
      sys_heap_init(&heap_b, bigbuf.b, bytes);
      if (!OH_CHECK(heap_b.heap != NULL)) break;
      p = sys_heap_alloc(&heap_b, n);
      if (k == 0U) {
        if (!OH_CHECK(p != NULL)) {
          oh_test_note("Z_HEAP_MIN_SIZE_FOR(n) bytes did not serve n (large n)");
          break;
        }
        OH_CHECK(sys_heap_usable_size(&heap_b, p) >= n);
        OH_CHECK_EQ_PTR(sys_heap_alloc(&heap_b, 1), NULL);
        sys_heap_free(&heap_b, p);
      } else {
        OH_CHECK_EQ_PTR(p, NULL);
        if (p != NULL) sys_heap_free(&heap_b, p);
      }
    }
    if (oh_test_case_failures() != 0) break;
  }
  OH_CHECK_EQ_INT(faults.count, 0);
  finish(&heap_b);
}

static void child_double_free(void) {
  void *p;
  fresh(&heap_c, 0, 512);
  p = sys_heap_alloc(&heap_c, 16);
  sys_heap_free(&heap_c, p);
  sys_heap_free(&heap_c, p); /* must not return */
}
static void child_interior(void) {
  unsigned char *p;
  fresh(&heap_c, 0, 512);
  p = (unsigned char *)sys_heap_alloc(&heap_c, 64);
  sys_heap_free(&heap_c, p + 16);
}
static void child_bad_alignment(void) {
  fresh(&heap_c, 0, 512);
  (void)sys_heap_aligned_alloc(&heap_c, 7, 16);
}
static void child_too_small(void) { sys_heap_init(&heap_c, SH_MEM, Z_HEAP_MIN_SIZE - 1U); }
static void child_free_null(void) {
  fresh(&heap_c, 0, 512);
  sys_heap_free(&heap_c, NULL);
  _exit(sys_heap_usable_size(&heap_c, NULL) == 0U ? 0 : 1);
}

static void test_sys_heap_default_fault_action_panics(void) {
  int status;
  status = oh_run_child(child_double_free);
  OH_CHECK(oh_died_of_panic(status));
  status = oh_run_child(child_interior);
  OH_CHECK(oh_died_of_panic(status));
  status = oh_run_child(child_bad_alignment);
  OH_CHECK(oh_died_of_panic(status));
  status = oh_run_child(child_too_small);
  OH_CHECK(oh_died_of_panic(status));
  status = oh_run_child(child_free_null);
  OH_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0); /* NULL is no fault */
}

#if SIZE_MAX > 0xFFFFFFFFu
static void child_too_large(void) {
  /* More than 2^31 units: refused before the memory is touched. */
  memset(&faults, 0, sizeof faults);
  omniheap_set_fault_handler(fault_log_handler, &faults);
  sys_heap_init(&heap_c, SH_MEM, ((size_t)1 << 34) + 64U);
  if (faults.count != 1U || faults.kind != OMNIHEAP_FAULT_BAD_ARGUMENT) _exit(1);
  _exit(sys_heap_alloc(&heap_c, 1) == NULL && !sys_heap_validate(&heap_c) ? 0 : 2);
}

#endif

static void test_sys_heap_too_large_region_faults(void) {
#if SIZE_MAX > 0xFFFFFFFFu
  int status = oh_run_child(child_too_large);
  OH_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
#else
  oh_test_note("sys_heap: a 32-bit size_t cannot express a region over 2^31 units; skipped");
#endif
}
#endif

/* ---- suite ----------------------------------------------------------------------------------------- */

void suite_sys_heap(void) {
  SH_RUN(test_sys_heap_init_on_unaligned_buffer);
  SH_RUN(test_sys_heap_heap_field_orders_heaps_by_address);
  SH_RUN(test_sys_heap_registry_entry);
  SH_RUN(test_sys_heap_reinit_forgets_blocks);

  SH_RUN(test_sys_heap_min_size_macros_are_constants);
  SH_RUN(test_sys_heap_min_size_serves_one_byte_and_nothing_else);
  SH_RUN(test_sys_heap_min_size_for_is_exact);
  SH_RUN(test_sys_heap_too_small_region_faults);
  SH_RUN(test_sys_heap_failed_init_leaves_an_empty_heap);

  SH_RUN(test_sys_heap_alloc_zero_is_null);
  SH_RUN(test_sys_heap_alloc_too_big_is_null);
  SH_RUN(test_sys_heap_largest_allocation_is_free_bytes_less_header);
  SH_RUN(test_sys_heap_usable_size_formula);
  SH_RUN(test_sys_heap_plain_blocks_aligned_disjoint_and_kept);
  SH_RUN(test_sys_heap_empty_heap_allocates_low_to_high);

  SH_RUN(test_sys_heap_aligned_alloc_powers_of_two);
  SH_RUN(test_sys_heap_aligned_alloc_small_align_is_plain);
  SH_RUN(test_sys_heap_aligned_alloc_rewind_encoding);
  SH_RUN(test_sys_heap_aligned_alloc_rewind_small_r);
  SH_RUN(test_sys_heap_aligned_memory_all_comes_back);
  SH_RUN(test_sys_heap_noalign_alloc_ignores_align);
  SH_RUN(test_sys_heap_huge_power_of_two_align_is_null_without_fault);

  SH_RUN(test_sys_heap_free_null_is_noop);
  SH_RUN(test_sys_heap_double_free_reported);
  SH_RUN(test_sys_heap_foreign_pointers_reported);
  SH_RUN(test_sys_heap_interior_pointers_reported);
  SH_RUN(test_sys_heap_forged_header_in_user_data_rejected);
  SH_RUN(test_sys_heap_bad_alignment_reported);

  SH_RUN(test_sys_heap_realloc_null_allocates);
  SH_RUN(test_sys_heap_realloc_zero_frees);
  SH_RUN(test_sys_heap_realloc_same_size_same_pointer);
  SH_RUN(test_sys_heap_realloc_shrink_same_pointer);
  SH_RUN(test_sys_heap_realloc_grows_into_free_neighbour);
  SH_RUN(test_sys_heap_realloc_blocked_growth_moves);
  SH_RUN(test_sys_heap_realloc_failure_keeps_block);
  SH_RUN(test_sys_heap_aligned_realloc_keeps_alignment);
  SH_RUN(test_sys_heap_realloc_is_a_function);
  SH_RUN(test_sys_heap_usable_size_null_and_freed);

  SH_RUN(test_sys_heap_validate_true_on_healthy_heaps);
  SH_RUN(test_sys_heap_validate_detects_overflow);
  SH_RUN(test_sys_heap_runtime_stats);
  SH_RUN(test_sys_heap_peak_of_aligned_blocks);
  SH_RUN(test_sys_heap_registry_stats_match_runtime);
  SH_RUN(test_sys_heap_walk_sees_blocks);
  SH_RUN(test_sys_heap_walk_reports_returned_pointers);
  SH_RUN(test_sys_heap_print_info_runs);
  SH_RUN(test_sys_heap_stress_rig);
  SH_RUN(test_sys_heap_array_save_and_get);

#if defined(OH_HOSTED) && OH_HOSTED
  SH_RUN(test_sys_heap_header_size_follows_heap_size);
  SH_RUN(test_sys_heap_min_size_for_is_exact_large);
  SH_RUN(test_sys_heap_default_fault_action_panics);
  SH_RUN(test_sys_heap_too_large_region_faults);
#endif

  SH_RUN(test_sys_heap_array_full); /* last: fills the heap array for good */
}
