/*
 * Conformance of Montimage MMT ("mmt_core.h", "memory.h"), black box.
 *
 * Every expectation comes from api-reference.md section 7 (upstream MMT and
 * the hardened fork's arena API), contract.md ("MMT", "Detected misuse",
 * "Sizes near SIZE_MAX") and the documentation in mmt_core.h, memory.h,
 * omniheap.h and omniheap_config.h (OMNIHEAP_CONF_MMT_*), never from the
 * implementation.
 *
 * Rules kept here:
 * - MMT is one heap for the whole program, shared with the other suites:
 *   cases compare counters before and after (deltas), and leave no block.
 *   mmt_meminfo() counts requested bytes; `allocated - freed` must equal
 *   the registry's `in_use` exactly, at every point.
 * - A failed allocation panics in the default build (OMNIHEAP_CONF_MMT_ABORT
 *   = 1), after it has been counted and reported to listeners: on hosted
 *   builds a forked child makes the call, its listener writes the event
 *   into a pipe, and the parent checks both the panic and the event. With
 *   OMNIHEAP_CONF_MMT_ABORT = 0 the same calls return NULL in-process.
 * - The default fault action is PANIC: faults are checked in-process with
 *   a recording handler returning RETURN, and the panic in a forked child.
 * - mmt_use_arena() cannot be undone (MMT may only move to another region),
 *   so the cases that move MMT run last, and move it onto the shared scratch
 *   region (observe.h), which no later suite uses: suite_mmt() runs last.
 * - Sizes stay small (the suite also runs on a Cortex-M0 with 16 KiB of RAM,
 *   where MMT uses its built-in arena of OMNIHEAP_CONF_MMT_ARENA_SIZE bytes).
 */
#if defined(OH_HOSTED) && OH_HOSTED
#define _POSIX_C_SOURCE 200809L
#endif

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "omniheap.h"

#if defined(__has_include)
#if __has_include("mmt_core.h")
#include "mmt_core.h"
#include "memory.h"
#define MT_HAVE_MMT 1
#endif
#endif

#include "blocks.h"
#include "child.h"
#include "fault_log.h"
#include "observe.h"
#include "oh_test.h"
#include "suites.h"

void suite_mmt(void);

#ifndef MT_HAVE_MMT
void suite_mmt(void) { oh_test_note("mmt: headers not available in this tree"); }
#else

#if defined(OH_HOSTED) && OH_HOSTED
#include <fcntl.h>
#include <unistd.h>
#endif

/* The alignment every block must have: alignof(max_align_t) (C11); in C99,
 * that of the most demanding basic types. */
#if defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
#define MAX_ALIGN ((size_t)_Alignof(max_align_t))
#else
struct align_probe {
  char c;
  union {
    long double ld;
    long long ll;
    double d;
    void *p;
    void (*f)(void);
  } u;
};
#define MAX_ALIGN offsetof(struct align_probe, u)
#endif

#if defined(OMNIHEAP_CONF_MMT_ABORT) && OMNIHEAP_CONF_MMT_ABORT
#define MT_ABORTS 1
#else
#define MT_ABORTS 0
#endif

#define evlog1 (obs_logs[0])
static omniheap_listener_t l1;

#define MT_RUN(fn)                 \
  do {                             \
    fault_log_capture(&obs_faults, 0); \
    obs_clear(&evlog1);              \
    OH_RUN(fn);                    \
    omniheap_listener_unregister(&l1); \
    fault_log_release();           \
  } while (0)

static mmt_meminfo_t info(void) {
  mmt_meminfo_t m;
  memset(&m, 0xEE, sizeof m);
  mmt_meminfo(&m);
  return m;
}

static omniheap_stats_t mstats(void) { return obs_stats(mmt_omniheap()); }

static int aligned(const void *p) { return (uintptr_t)p % (uintptr_t)MAX_ALIGN == 0U; }

/* meminfo and the registry agree: allocated - freed == in_use. */
static void check_consistent(void) {
  mmt_meminfo_t m = info();
  omniheap_stats_t s = mstats();
  OH_CHECK(m.allocated >= m.freed);
  OH_CHECK_EQ_INT(m.allocated - m.freed, s.in_use);
  OH_CHECK(s.peak >= s.in_use);
}

/* ---- headers, registry ------------------------------------------------------------------------- */

/* MMTAPI and MMTCALL make upstream's declarations valid (and compatible). */
MMTAPI void *MMTCALL mmt_malloc(size_t size);
MMTAPI void *MMTCALL mmt_realloc(void *x, size_t size);
MMTAPI void MMTCALL mmt_free(void *x);

static void test_mmt_header_macros(void) {
  int x = 1;
  OH_CHECK(likely(x == 1));
  OH_CHECK(!unlikely(x == 2));
  OH_CHECK_EQ_INT(sizeof(((mmt_meminfo_t *)0)->allocated), 8);
  OH_CHECK_EQ_INT(sizeof(((struct mmt_meminfo *)0)->freed), 8);
  OH_CHECK_EQ_INT(MMT_ARENA_ALIGN, 16);
  OH_CHECK_EQ_INT(MMT_ARENA_DEFAULT_BLOCK_SIZE, 16384);
  mmt_meminfo(NULL); /* nothing happens */
}

static void test_mmt_registry_entry(void) {
  omniheap_heap_t *h = mmt_omniheap();
  omniheap_stats_t s;
  OH_REQUIRE(h != NULL);
  OH_CHECK_EQ_PTR(mmt_omniheap(), h);
  OH_CHECK_EQ_INT(omniheap_heap_family(h), OMNIHEAP_FAMILY_MMT);
  OH_CHECK(strcmp(omniheap_heap_name(h), "mmt") == 0);
  OH_CHECK(strcmp(omniheap_family_name(OMNIHEAP_FAMILY_MMT), "mmt") == 0);
  OH_CHECK_EQ_PTR(omniheap_heap_find_name("mmt"), h);
  OH_CHECK_EQ_PTR(omniheap_heap_find(omniheap_heap_object(h)), h);
  s = mstats();
  OH_CHECK_EQ_INT(s.block_size, 0);
  OH_CHECK_EQ_INT(omniheap_heap_validate(h), OMNIHEAP_OK);
  /* Unregistered, it comes back on the next mmt_omniheap(). */
  OH_CHECK_EQ_INT(omniheap_heap_unregister(h), OMNIHEAP_OK);
  OH_CHECK_EQ_PTR(omniheap_heap_find_name("mmt"), NULL);
  h = mmt_omniheap();
  OH_REQUIRE(h != NULL);
  OH_CHECK_EQ_PTR(omniheap_heap_find_name("mmt"), h);
  OH_CHECK_EQ_INT(omniheap_heap_family(h), OMNIHEAP_FAMILY_MMT);
  check_consistent();
}

/* ---- allocation ------------------------------------------------------------------------------ */

static void test_mmt_malloc_zero_gives_unique_blocks(void) {
  mmt_meminfo_t m0 = info(), m1;
  omniheap_stats_t s0 = mstats(), s1;
  void *a = mmt_malloc(0), *b = mmt_malloc(0);
  OH_REQUIRE(a != NULL && b != NULL);
  OH_CHECK(a != b);
  OH_CHECK(aligned(a) && aligned(b));
  m1 = info();
  s1 = mstats();
  OH_CHECK_EQ_INT(m1.allocated, m0.allocated);
  OH_CHECK_EQ_INT(m1.freed, m0.freed);
  OH_CHECK_EQ_INT(s1.live_blocks, s0.live_blocks + 2U);
  OH_CHECK_EQ_INT(s1.allocations, s0.allocations + 2U);
  mmt_free(a);
  mmt_free(b);
  s1 = mstats();
  OH_CHECK_EQ_INT(s1.live_blocks, s0.live_blocks);
  OH_CHECK_EQ_INT(s1.frees, s0.frees + 2U);
  OH_CHECK_EQ_INT(obs_faults.count, 0);
  check_consistent();
}

static void test_mmt_alignment_and_contents(void) {
  static const size_t sizes[] = {1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 33, 63, 100, 255, 300};
  void *p[sizeof sizes / sizeof sizes[0]];
  size_t i, j, n = sizeof sizes / sizeof sizes[0];
  OH_CHECK(MAX_ALIGN >= sizeof(void *));
  for (i = 0; i < n; ++i) {
    p[i] = mmt_malloc(sizes[i]);
    OH_REQUIRE(p[i] != NULL);
    OH_CHECK(aligned(p[i]));
    oh_fill(p[i], sizes[i], (unsigned)i + 1U);
  }
  for (i = 0; i < n; ++i) {
    OH_CHECK(oh_intact(p[i], sizes[i], (unsigned)i + 1U));
    for (j = 0; j < i; ++j) OH_CHECK(!oh_overlap(p[i], sizes[i], p[j], sizes[j]));
  }
  check_consistent();
  for (i = 0; i < n; ++i) mmt_free(p[i]);
  OH_CHECK_EQ_INT(obs_faults.count, 0);
  check_consistent();
}

static void test_mmt_free_null_is_a_no_op(void) {
  mmt_meminfo_t m0 = info(), m1;
  omniheap_stats_t s0 = mstats(), s1;
  OH_REQUIRE(omniheap_listener_register(&l1, mmt_omniheap(), OMNIHEAP_ON_ALL, 0, 0, obs_record, &evlog1) ==
             OMNIHEAP_OK);
  mmt_free(NULL);
  OH_CHECK_EQ_PTR(mmt_realloc(NULL, 0), NULL);
  m1 = info();
  s1 = mstats();
  OH_CHECK_EQ_INT(m1.allocated, m0.allocated);
  OH_CHECK_EQ_INT(m1.freed, m0.freed);
  OH_CHECK_EQ_INT(s1.frees, s0.frees);
  OH_CHECK_EQ_INT(s1.allocations, s0.allocations);
  OH_CHECK_EQ_INT(s1.failed_allocations, s0.failed_allocations);
  OH_CHECK_EQ_INT(s1.faults, s0.faults);
  OH_CHECK_EQ_INT(evlog1.count, 0);
  OH_CHECK_EQ_INT(obs_faults.count, 0);
}

/* ---- realloc ------------------------------------------------------------------------------------- */

static void test_mmt_realloc_cases(void) {
  mmt_meminfo_t m0 = info(), m;
  omniheap_stats_t s0 = mstats(), s;
  unsigned char *p, *q;
  /* (NULL, n): a new block */
  p = (unsigned char *)mmt_realloc(NULL, 40);
  OH_REQUIRE(p != NULL);
  OH_CHECK(aligned(p));
  m = info();
  OH_CHECK_EQ_INT(m.allocated - m0.allocated, 40);
  OH_CHECK_EQ_INT(m.freed, m0.freed);
  oh_fill(p, 40, 7);
  /* shrink: the same block, contents kept; new size allocated, old freed */
  q = (unsigned char *)mmt_realloc(p, 24);
  OH_CHECK_EQ_PTR(q, p);
  OH_CHECK(oh_intact(p, 24, 7));
  m = info();
  OH_CHECK_EQ_INT(m.allocated - m0.allocated, 40 + 24);
  OH_CHECK_EQ_INT(m.freed - m0.freed, 40);
  check_consistent();
  /* the same size again: the same block */
  q = (unsigned char *)mmt_realloc(p, 24);
  OH_CHECK_EQ_PTR(q, p);
  OH_CHECK(oh_intact(p, 24, 7));
  m = info();
  OH_CHECK_EQ_INT(m.allocated - m0.allocated, 40 + 24 + 24);
  OH_CHECK_EQ_INT(m.freed - m0.freed, 40 + 24);
  /* grow: contents kept */
  q = (unsigned char *)mmt_realloc(p, 500);
  OH_REQUIRE(q != NULL);
  OH_CHECK(aligned(q));
  OH_CHECK(oh_intact(q, 24, 7));
  p = q;
  oh_fill(p, 500, 8);
  m = info();
  OH_CHECK_EQ_INT(m.allocated - m0.allocated, 40 + 24 + 24 + 500);
  OH_CHECK_EQ_INT(m.freed - m0.freed, 40 + 24 + 24);
  check_consistent();
  s = mstats();
  OH_CHECK_EQ_INT(s.live_blocks, s0.live_blocks + 1U);
  OH_CHECK_EQ_INT(s.in_use, s0.in_use + 500U);
  /* grow from 0 bytes */
  q = (unsigned char *)mmt_malloc(0);
  OH_REQUIRE(q != NULL);
  q = (unsigned char *)mmt_realloc(q, 16);
  OH_REQUIRE(q != NULL);
  oh_fill(q, 16, 9);
  OH_CHECK(oh_intact(p, 500, 8));
  /* (p, 0): freed, NULL */
  OH_CHECK_EQ_PTR(mmt_realloc(q, 0), NULL);
  OH_CHECK_EQ_PTR(mmt_realloc(p, 0), NULL);
  m = info();
  OH_CHECK_EQ_INT(m.allocated - m0.allocated, 40 + 24 + 24 + 500 + 16);
  OH_CHECK_EQ_INT(m.freed - m0.freed, 40 + 24 + 24 + 500 + 16);
  s = mstats();
  OH_CHECK_EQ_INT(s.live_blocks, s0.live_blocks);
  OH_CHECK_EQ_INT(s.in_use, s0.in_use);
  /* at least realloc(NULL, 40) and malloc(0); realloc(p, 0) twice (a move
   * may count too: not specified) */
  OH_CHECK(s.allocations - s0.allocations >= 2U);
  OH_CHECK(s.frees - s0.frees >= 2U);
  OH_CHECK_EQ_INT(s.allocations - s0.allocations, s.frees - s0.frees);
  OH_CHECK_EQ_INT(obs_faults.count, 0);
  check_consistent();
}

/* ---- statistics ---------------------------------------------------------------------------------- */

/* A scripted mix; after every call the deltas of mmt_meminfo() and of the
 * registry's statistics follow the documentation exactly. */
static void test_mmt_meminfo_and_stats_follow_every_call(void) {
  enum { N = 6 };
  static const size_t size_of[N] = {10, 0, 333, 64, 1, 200};
  void *p[N];
  size_t live = 0, sz[N];
  uint64_t allocs = 0, frees = 0;
  mmt_meminfo_t m0 = info(), m;
  omniheap_stats_t s0, s;
  unsigned i;
  OH_CHECK_EQ_INT(omniheap_heap_reset_peak(mmt_omniheap()), OMNIHEAP_OK);
  s0 = mstats();
  OH_CHECK_EQ_INT(s0.peak, s0.in_use);
  OH_CHECK_EQ_INT(m0.allocated - m0.freed, s0.in_use);
  for (i = 0; i < N; ++i) {
    p[i] = mmt_malloc(size_of[i]);
    OH_REQUIRE(p[i] != NULL);
    sz[i] = size_of[i];
    live += sz[i];
    ++allocs;
    m = info();
    s = mstats();
    OH_CHECK_EQ_INT(m.allocated - m0.allocated, live);
    OH_CHECK_EQ_INT(s.in_use - s0.in_use, live);
    OH_CHECK_EQ_INT(s.peak - s0.in_use, live);
    OH_CHECK_EQ_INT(s.live_blocks - s0.live_blocks, i + 1U);
    OH_CHECK_EQ_INT(s.allocations - s0.allocations, allocs);
  }
  /* free two, resize two */
  mmt_free(p[2]);
  live -= sz[2];
  ++frees;
  p[2] = NULL;
  p[0] = mmt_realloc(p[0], 1000);
  OH_REQUIRE(p[0] != NULL);
  live += 1000U - sz[0];
  sz[0] = 1000;
  p[3] = mmt_realloc(p[3], 8);
  OH_REQUIRE(p[3] != NULL);
  live -= sz[3] - 8U;
  sz[3] = 8;
  mmt_free(p[4]);
  live -= sz[4];
  ++frees;
  p[4] = NULL;
  m = info();
  s = mstats();
  OH_CHECK_EQ_INT((m.allocated - m.freed) - (m0.allocated - m0.freed), live);
  OH_CHECK_EQ_INT(s.in_use - s0.in_use, live);
  OH_CHECK_EQ_INT(s.live_blocks - s0.live_blocks, 4);
  /* (a realloc that moves may count as an allocation and a free: not specified) */
  OH_CHECK(s.allocations - s0.allocations >= allocs);
  OH_CHECK(s.frees - s0.frees >= frees);
  OH_CHECK_EQ_INT((s.allocations - s0.allocations) - (s.frees - s0.frees), allocs - frees);
  OH_CHECK_EQ_INT(s.failed_allocations, s0.failed_allocations);
  /* the peak: the largest live sum so far (10 + 333 + 64 + 1 + 200 + 0 = 608,
   * then 1000 + 0 + 64 + 1 + 200 = 1265 after the grow, before the shrink) */
  OH_CHECK_EQ_INT(s.peak - s0.in_use, 1265);
  check_consistent();
  for (i = 0; i < N; ++i) mmt_free(p[i]);
  s = mstats();
  OH_CHECK_EQ_INT(s.in_use, s0.in_use);
  OH_CHECK_EQ_INT(s.live_blocks, s0.live_blocks);
  OH_CHECK_EQ_INT(obs_faults.count, 0);
  check_consistent();
}

/* ---- listeners ------------------------------------------------------------------------------------ */

/* mmt_listen(): the listener of the MMT heap, in requested bytes. */
static void test_mmt_listen_threshold_in_requested_bytes(void) {
  omniheap_stats_t s0 = mstats();
  void *a, *b, *c;
  size_t t = s0.in_use + 100U;
  int i;
  OH_CHECK_EQ_INT(mmt_listen(NULL, OMNIHEAP_ON_ALL, 0, 0, obs_record, &evlog1), OMNIHEAP_ERR_INVALID);
  OH_CHECK_EQ_INT(mmt_listen(&l1, OMNIHEAP_ON_ALL, 0, 0, NULL, &evlog1), OMNIHEAP_ERR_INVALID);
  OH_CHECK_EQ_INT(mmt_listen(&l1, 0, 0, 0, obs_record, &evlog1), OMNIHEAP_ERR_INVALID);
  OH_REQUIRE(mmt_listen(&l1, OMNIHEAP_ON_OPERATIONS | OMNIHEAP_ON_THRESHOLD, t, 30, obs_record, &evlog1) ==
             OMNIHEAP_OK);
  a = mmt_malloc(60);
  OH_REQUIRE(a != NULL);
  OH_CHECK_EQ_INT(evlog1.count, 1);
  OH_CHECK_EQ_INT(evlog1.ev[0].kind, OMNIHEAP_EVENT_ALLOC);
  OH_CHECK_EQ_INT(evlog1.ev[0].family, OMNIHEAP_FAMILY_MMT);
  OH_CHECK_EQ_PTR(evlog1.ev[0].heap, mmt_omniheap());
  OH_CHECK_EQ_PTR(evlog1.ev[0].pointer, a);
  OH_CHECK_EQ_INT(evlog1.ev[0].size, 60);
  OH_CHECK_EQ_INT(evlog1.ev[0].bytes, 60);
  OH_CHECK_EQ_INT(evlog1.ev[0].in_use, s0.in_use + 60U);
  b = mmt_malloc(39); /* t - 1 */
  OH_CHECK_EQ_INT(obs_kind_count(&evlog1, OMNIHEAP_EVENT_ABOVE), 0);
  c = mmt_malloc(1); /* t exactly: ABOVE */
  OH_CHECK_EQ_INT(obs_kind_count(&evlog1, OMNIHEAP_EVENT_ABOVE), 1);
  i = obs_find(&evlog1, OMNIHEAP_EVENT_ABOVE, 0);
  if (OH_CHECK(i >= 1)) {
    OH_CHECK_EQ_INT(evlog1.ev[i].in_use, t);
    OH_CHECK_EQ_INT(evlog1.ev[i].threshold, t);
    OH_CHECK_EQ_INT(evlog1.ev[i - 1].kind, OMNIHEAP_EVENT_ALLOC);
  }
  OH_CHECK_EQ_INT(omniheap_listener_above(&l1, NULL), 1);
  mmt_free(c); /* t - 1 */
  c = mmt_realloc(b, 10); /* t - 30: not under t - 30 */
  OH_CHECK_EQ_PTR(c, b);
  OH_CHECK_EQ_INT(obs_kind_count(&evlog1, OMNIHEAP_EVENT_BELOW), 0);
  i = obs_find(&evlog1, OMNIHEAP_EVENT_REALLOC, 0);
  if (OH_CHECK(i >= 0)) {
    OH_CHECK_EQ_PTR(evlog1.ev[i].pointer, b);
    OH_CHECK_EQ_PTR(evlog1.ev[i].old_pointer, b);
    OH_CHECK_EQ_INT(evlog1.ev[i].size, 10);
    OH_CHECK_EQ_INT(evlog1.ev[i].bytes, 10);
    OH_CHECK_EQ_INT(evlog1.ev[i].old_bytes, 39);
  }
  c = mmt_realloc(b, 9); /* under: BELOW */
  OH_CHECK_EQ_PTR(c, b);
  OH_CHECK_EQ_INT(obs_kind_count(&evlog1, OMNIHEAP_EVENT_BELOW), 1);
  OH_CHECK_EQ_INT(omniheap_listener_above(&l1, NULL), 0);
  obs_clear(&evlog1);
  mmt_free(a);
  mmt_free(b);
  OH_CHECK_EQ_INT(evlog1.count, 2);
  i = obs_find(&evlog1, OMNIHEAP_EVENT_FREE, 0);
  if (OH_CHECK(i >= 0)) {
    OH_CHECK_EQ_PTR(evlog1.ev[i].pointer, a);
    OH_CHECK_EQ_INT(evlog1.ev[i].bytes, 60);
  }
  OH_CHECK_EQ_INT(mstats().in_use, s0.in_use);
  OH_CHECK_EQ_INT(omniheap_listener_unregister(&l1), OMNIHEAP_OK);
  OH_CHECK_EQ_INT(obs_faults.count, 0);
}

/* ---- faults ----------------------------------------------------------------------------------------- */

static union {
  unsigned char b[96];
  uint64_t align8;
  void *alignp;
} foreign;

static void check_mmt_fault(unsigned count, const void *pointer, const char *function) {
  OH_CHECK_EQ_INT(obs_faults.count, count);
  OH_CHECK_EQ_INT(obs_faults.family, OMNIHEAP_FAMILY_MMT);
  OH_CHECK_EQ_PTR(obs_faults.heap, mmt_omniheap());
  OH_CHECK_EQ_PTR(obs_faults.pointer, pointer);
  OH_CHECK_EQ_INT(obs_faults.default_action, OMNIHEAP_FAULT_PANIC);
  OH_CHECK(strcmp(obs_faults.function, function) == 0);
}

static void test_mmt_double_free_is_reported(void) {
  unsigned char *keep, *p, *q;
  mmt_meminfo_t m0, m1;
  omniheap_stats_t s0, s1;
  keep = (unsigned char *)mmt_malloc(32);
  p = (unsigned char *)mmt_malloc(32);
  OH_REQUIRE(keep != NULL && p != NULL);
  oh_fill(keep, 32, 3);
  mmt_free(p);
  m0 = info();
  s0 = mstats();
  OH_REQUIRE(mmt_listen(&l1, OMNIHEAP_ON_ALL, 0, 0, obs_record, &evlog1) == OMNIHEAP_OK);
  mmt_free(p);
  check_mmt_fault(1, p, "mmt_free");
  OH_CHECK_EQ_INT(obs_faults.kind, OMNIHEAP_FAULT_DOUBLE_FREE);
  OH_CHECK_EQ_INT(evlog1.count, 1);
  OH_CHECK_EQ_INT(evlog1.ev[0].kind, OMNIHEAP_EVENT_FAULT);
  OH_CHECK_EQ_INT(evlog1.ev[0].fault, OMNIHEAP_FAULT_DOUBLE_FREE);
  OH_CHECK_EQ_PTR(evlog1.ev[0].pointer, p);
  OH_CHECK_EQ_INT(evlog1.ev[0].family, OMNIHEAP_FAMILY_MMT);
  /* realloc of the freed block: the same fault, NULL, nothing changes */
  OH_CHECK_EQ_PTR(mmt_realloc(p, 64), NULL);
  check_mmt_fault(2, p, "mmt_realloc");
  OH_CHECK_EQ_INT(obs_faults.kind, OMNIHEAP_FAULT_DOUBLE_FREE);
  m1 = info();
  s1 = mstats();
  OH_CHECK_EQ_INT(m1.allocated, m0.allocated);
  OH_CHECK_EQ_INT(m1.freed, m0.freed);
  OH_CHECK_EQ_INT(s1.in_use, s0.in_use);
  OH_CHECK_EQ_INT(s1.frees, s0.frees);
  OH_CHECK_EQ_INT(s1.live_blocks, s0.live_blocks);
  OH_CHECK_EQ_INT(s1.faults, s0.faults + 2U);
  /* still usable */
  q = (unsigned char *)mmt_malloc(48);
  OH_REQUIRE(q != NULL);
  oh_fill(q, 48, 4);
  OH_CHECK(oh_intact(keep, 32, 3));
  mmt_free(q);
  mmt_free(keep);
  OH_CHECK_EQ_INT(obs_faults.count, 2);
  OH_CHECK_EQ_INT(omniheap_heap_validate(mmt_omniheap()), OMNIHEAP_OK);
  check_consistent();
}

static void test_mmt_foreign_pointer_is_reported(void) {
  omniheap_stats_t s0 = mstats(), s1;
  unsigned char *mid = foreign.b + 64;
  memset(foreign.b, 0, sizeof foreign.b);
  mmt_free(mid);
  check_mmt_fault(1, mid, "mmt_free");
  OH_CHECK_EQ_INT(obs_faults.kind, OMNIHEAP_FAULT_FOREIGN_POINTER);
  OH_CHECK_EQ_PTR(mmt_realloc(mid, 8), NULL);
  check_mmt_fault(2, mid, "mmt_realloc");
  OH_CHECK_EQ_INT(obs_faults.kind, OMNIHEAP_FAULT_FOREIGN_POINTER);
  /* The same with bytes that are not zero. */
  oh_fill(foreign.b, sizeof foreign.b, 5);
  mmt_free(mid);
  check_mmt_fault(3, mid, "mmt_free");
  OH_CHECK_EQ_INT(obs_faults.kind, OMNIHEAP_FAULT_FOREIGN_POINTER);
  OH_CHECK(oh_intact(foreign.b, sizeof foreign.b, 5)); /* nothing written */
  s1 = mstats();
  OH_CHECK_EQ_INT(s1.in_use, s0.in_use);
  OH_CHECK_EQ_INT(s1.frees, s0.frees);
  OH_CHECK_EQ_INT(s1.faults, s0.faults + 3U);
  check_consistent();
}

/* The header just below a block overwritten: reported, nothing freed; with
 * the header restored the block frees normally. */
static void test_mmt_damaged_header_is_reported(void) {
  unsigned char *p = (unsigned char *)mmt_malloc(24);
  unsigned char saved[sizeof(size_t)];
  omniheap_stats_t s0;
  OH_REQUIRE(p != NULL);
  s0 = mstats();
  memcpy(saved, p - sizeof saved, sizeof saved);
  memset(p - sizeof saved, 0x5A, sizeof saved);
  mmt_free(p);
  OH_CHECK_EQ_INT(obs_faults.count, 1);
  OH_CHECK_EQ_INT(obs_faults.family, OMNIHEAP_FAMILY_MMT);
  OH_CHECK_EQ_PTR(obs_faults.pointer, p);
  OH_CHECK(obs_faults.kind == OMNIHEAP_FAULT_CORRUPT_METADATA || obs_faults.kind == OMNIHEAP_FAULT_FOREIGN_POINTER);
  OH_CHECK_EQ_INT(mstats().in_use, s0.in_use);
  OH_CHECK_EQ_INT(mstats().live_blocks, s0.live_blocks);
  memcpy(p - sizeof saved, saved, sizeof saved);
  mmt_free(p);
  OH_CHECK_EQ_INT(obs_faults.count, 1);
  OH_CHECK_EQ_INT(mstats().live_blocks, s0.live_blocks - 1U);
  check_consistent();
}

#if defined(OH_HOSTED) && OH_HOSTED
/* ---- panics (forked children) ------------------------------------------------------------------- */

#if MT_ABORTS
static int event_pipe[2] = {-1, -1};

/* Child's listener: writes the kind and the size of each event to the pipe. */
static void to_pipe(const omniheap_event_t *event, void *context) {
  size_t rec[2];
  (void)context;
  rec[0] = (size_t)event->kind;
  rec[1] = event->size;
  if (write(event_pipe[1], rec, sizeof rec) != (ssize_t)sizeof rec) _exit(97);
}

static size_t child_request;
static omniheap_listener_t child_listener;

static void child_listen(void) {
  if (mmt_listen(&child_listener, OMNIHEAP_ON_FAILURE, 0, 0, to_pipe, NULL) != OMNIHEAP_OK) _exit(98);
}

static void child_malloc(void) {
  child_listen();
  (void)mmt_malloc(child_request);
}

static void child_realloc(void) {
  void *p = mmt_malloc(16);
  if (p == NULL) _exit(96);
  child_listen();
  (void)mmt_realloc(p, child_request);
}

static unsigned char child_region[2048] __attribute__((aligned(16)));
static void child_arena_oom(void) {
  void *p;
  if (mmt_use_arena(child_region, sizeof child_region) != 0) _exit(95);
  p = mmt_malloc(512);
  if (p == NULL || !oh_inside(p, 512, child_region, sizeof child_region)) _exit(94);
  child_listen();
  (void)mmt_malloc(child_request);
}

/* Runs body in a child; returns its wait status and the events its
 * listener wrote (up to max records of {kind, size}). */
static int run_with_pipe(void (*body)(void), size_t (*rec)[2], unsigned max, unsigned *got) {
  int status;
  ssize_t n;
  size_t buf[16][2];
  unsigned i;
  *got = 0;
  if (!OH_CHECK(pipe(event_pipe) == 0)) return -1;
  status = oh_run_child(body);
  close(event_pipe[1]);
  n = read(event_pipe[0], buf, sizeof buf);
  close(event_pipe[0]);
  if (n > 0) {
    *got = (unsigned)((size_t)n / sizeof buf[0]);
    for (i = 0; i < *got && i < max; ++i) {
      rec[i][0] = buf[i][0];
      rec[i][1] = buf[i][1];
    }
  }
  return status;
}

static void expect_panic_after_failure(void (*body)(void), size_t request) {
  size_t rec[4][2];
  unsigned got;
  int status;
  child_request = request;
  status = run_with_pipe(body, rec, 4, &got);
  OH_CHECK(oh_died_of_panic(status));
  OH_CHECK_EQ_INT(got, 1);
  if (got >= 1U) {
    OH_CHECK_EQ_INT(rec[0][0], OMNIHEAP_EVENT_ALLOC_FAILED);
    OH_CHECK(rec[0][1] == request);
  }
}

#endif

static void test_mmt_failure_panics_after_the_event(void) {
#if MT_ABORTS
  expect_panic_after_failure(child_malloc, (size_t)-1);
  expect_panic_after_failure(child_malloc, (size_t)-1 - 4U);
  expect_panic_after_failure(child_malloc, (size_t)-1 - sizeof(size_t) + 1U);
  expect_panic_after_failure(child_malloc, (size_t)-1 / 2U + 1U);
  expect_panic_after_failure(child_realloc, (size_t)-1 - 4U);
  /* a real out-of-memory, on an arena */
  expect_panic_after_failure(child_arena_oom, 4096);
#else
  oh_test_note("built with OMNIHEAP_CONF_MMT_ABORT=0: failures return NULL (next case)");
#endif
}

static unsigned char *child_p;
static void child_double_free(void) {
  child_p = (unsigned char *)mmt_malloc(16);
  mmt_free(child_p);
  mmt_free(child_p);
}
static void child_foreign_free(void) { mmt_free(foreign.b + 64); }

static void test_mmt_fault_default_action_panics(void) {
  memset(foreign.b, 0, sizeof foreign.b);
  OH_CHECK(oh_died_of_panic(oh_run_child(child_double_free)));
  OH_CHECK(oh_died_of_panic(oh_run_child(child_foreign_free)));
}

/* The arena functions return NULL and never panic, in either build. */
static int child_arena_never_panics(void) {
  mmt_arena_t *a = mmt_arena_create(64);
  int bad = 0;
  if (a == NULL) return 10;
  if (mmt_arena_alloc(a, (size_t)-1) != NULL) ++bad;
  if (mmt_arena_alloc(a, (size_t)-1 - 4U) != NULL) ++bad;
  if (mmt_arena_alloc(a, (size_t)-1 - 15U) != NULL) ++bad;
  if (mmt_arena_create((size_t)-1) != NULL) ++bad;
  if (mmt_arena_create((size_t)-1 - 4U) != NULL) ++bad;
  mmt_arena_destroy(a);
  return bad;
}

static void test_mmt_arena_failures_return_null_in_a_child(void) {
  int status = oh_run_child_exit(child_arena_never_panics);
  OH_CHECK(!oh_died_of_panic(status));
  OH_CHECK_EQ_INT(status, 0);
}
#endif

#if !MT_ABORTS
/* OMNIHEAP_CONF_MMT_ABORT = 0: NULL, counted, reported; a failed realloc
 * keeps the block. */
static void test_mmt_failure_returns_null(void) {
  static const size_t huge[] = {(size_t)-1, (size_t)-1 - 4U, (size_t)-1 - sizeof(size_t) + 1U,
                                (size_t)-1 / 2U + 1U};
  mmt_meminfo_t m0 = info(), m1;
  omniheap_stats_t s0 = mstats(), s1;
  unsigned char *p;
  unsigned i;
  OH_REQUIRE(mmt_listen(&l1, OMNIHEAP_ON_ALL, 0, 0, obs_record, &evlog1) == OMNIHEAP_OK);
  for (i = 0; i < sizeof huge / sizeof huge[0]; ++i) {
    obs_clear(&evlog1);
    OH_CHECK_EQ_PTR(mmt_malloc(huge[i]), NULL);
    OH_CHECK_EQ_INT(evlog1.count, 1);
    OH_CHECK_EQ_INT(evlog1.ev[0].kind, OMNIHEAP_EVENT_ALLOC_FAILED);
    OH_CHECK(evlog1.ev[0].size == huge[i]);
  }
  s1 = mstats();
  OH_CHECK_EQ_INT(s1.failed_allocations, s0.failed_allocations + 4U);
  p = (unsigned char *)mmt_malloc(32);
  OH_REQUIRE(p != NULL);
  oh_fill(p, 32, 6);
  obs_clear(&evlog1);
  OH_CHECK_EQ_PTR(mmt_realloc(p, (size_t)-1 - 4U), NULL);
  OH_CHECK_EQ_INT(evlog1.count, 1);
  OH_CHECK_EQ_INT(evlog1.ev[0].kind, OMNIHEAP_EVENT_ALLOC_FAILED);
  OH_CHECK(oh_intact(p, 32, 6));
  mmt_free(p);
  m1 = info();
  s1 = mstats();
  OH_CHECK_EQ_INT(m1.allocated - m0.allocated, 32);
  OH_CHECK_EQ_INT(m1.freed - m0.freed, 32);
  OH_CHECK_EQ_INT(s1.failed_allocations, s0.failed_allocations + 5U);
  OH_CHECK_EQ_INT(obs_faults.count, 0);
  check_consistent();
}
#endif

/* ---- the arena allocator ------------------------------------------------------------------------ */

static void test_mmt_arena_null_arguments(void) {
  OH_CHECK_EQ_PTR(mmt_arena_alloc(NULL, 8), NULL);
  OH_CHECK_EQ_PTR(mmt_arena_alloc(NULL, 0), NULL);
  mmt_arena_reset(NULL);
  mmt_arena_destroy(NULL);
  OH_CHECK_EQ_INT(obs_faults.count, 0);
}

/* Bump allocation in 16-byte units from the current block; oversize
 * requests get a block of their own; reset keeps the first block. Every
 * arena block and the descriptor are MMT blocks. */
static void test_mmt_arena_bump_allocation(void) {
  enum { BS = 256 };
  omniheap_stats_t s0 = mstats(), s;
  mmt_meminfo_t m0 = info(), m;
  mmt_arena_t *a = mmt_arena_create(BS);
  unsigned char *p[8], *big, *z;
  unsigned i;
  OH_REQUIRE(a != NULL);
  s = mstats();
  OH_CHECK_EQ_INT(s.live_blocks, s0.live_blocks + 2U); /* descriptor, first block */
  OH_CHECK(s.in_use >= s0.in_use + BS);
  check_consistent();
  z = (unsigned char *)mmt_arena_alloc(a, 0); /* counts as 1 */
  OH_REQUIRE(z != NULL);
  OH_CHECK((uintptr_t)z % 16U == 0U);
  p[0] = (unsigned char *)mmt_arena_alloc(a, 1);
  OH_REQUIRE(p[0] != NULL);
  OH_CHECK_EQ_PTR(p[0], z + 16);
  p[1] = (unsigned char *)mmt_arena_alloc(a, 17);
  OH_REQUIRE(p[1] != NULL);
  OH_CHECK_EQ_PTR(p[1], p[0] + 16);
  p[2] = (unsigned char *)mmt_arena_alloc(a, 16);
  OH_REQUIRE(p[2] != NULL);
  OH_CHECK_EQ_PTR(p[2], p[1] + 32);
  /* oversize: a block of its own, the current block stays current */
  big = (unsigned char *)mmt_arena_alloc(a, BS + 1U);
  OH_REQUIRE(big != NULL);
  OH_CHECK((uintptr_t)big % 16U == 0U);
  OH_CHECK_EQ_INT(mstats().live_blocks, s0.live_blocks + 3U);
  oh_fill(big, BS + 1U, 11);
  p[3] = (unsigned char *)mmt_arena_alloc(a, 8);
  OH_REQUIRE(p[3] != NULL);
  OH_CHECK_EQ_PTR(p[3], p[2] + 16);
  /* fill the first block (16 + 16 + 32 + 16 + 16 = 96 of BS bytes used) */
  p[4] = (unsigned char *)mmt_arena_alloc(a, BS - 96U);
  OH_REQUIRE(p[4] != NULL);
  OH_CHECK_EQ_PTR(p[4], p[3] + 16);
  OH_CHECK_EQ_INT(mstats().live_blocks, s0.live_blocks + 3U);
  /* full: the next request chains a new block */
  p[5] = (unsigned char *)mmt_arena_alloc(a, 1);
  OH_REQUIRE(p[5] != NULL);
  OH_CHECK_EQ_INT(mstats().live_blocks, s0.live_blocks + 4U);
  p[6] = (unsigned char *)mmt_arena_alloc(a, 40);
  OH_REQUIRE(p[6] != NULL);
  OH_CHECK_EQ_PTR(p[6], p[5] + 16);
  /* no overlap, contents kept */
  oh_fill(z, 16, 20);
  oh_fill(p[0], 16, 21);
  oh_fill(p[1], 32, 22);
  oh_fill(p[2], 16, 23);
  oh_fill(p[3], 16, 24);
  oh_fill(p[4], BS - 96U, 25);
  oh_fill(p[5], 16, 26);
  oh_fill(p[6], 48, 27);
  OH_CHECK(oh_intact(big, BS + 1U, 11));
  OH_CHECK(oh_intact(z, 16, 20) && oh_intact(p[0], 16, 21) && oh_intact(p[1], 32, 22));
  OH_CHECK(oh_intact(p[2], 16, 23) && oh_intact(p[3], 16, 24) && oh_intact(p[4], BS - 96U, 25));
  OH_CHECK(oh_intact(p[5], 16, 26) && oh_intact(p[6], 48, 27));
  for (i = 0; i < 7U; ++i) OH_CHECK(!oh_overlap(p[i], 16, big, BS + 1U));
  check_consistent();
  /* reset: only the first block is kept, and used from its start again */
  mmt_arena_reset(a);
  OH_CHECK_EQ_INT(mstats().live_blocks, s0.live_blocks + 2U);
  check_consistent();
  p[7] = (unsigned char *)mmt_arena_alloc(a, 5);
  OH_CHECK_EQ_PTR(p[7], z);
  mmt_arena_destroy(a);
  s = mstats();
  m = info();
  OH_CHECK_EQ_INT(s.live_blocks, s0.live_blocks);
  OH_CHECK_EQ_INT(s.in_use, s0.in_use);
  OH_CHECK_EQ_INT(m.allocated - m.freed, m0.allocated - m0.freed);
  OH_CHECK_EQ_INT(obs_faults.count, 0);
  check_consistent();
}

/* create(0): 16 KiB blocks where memory allows; where it does not (an MCU
 * whose MMT arena is smaller) NULL, with nothing left allocated. */
static void test_mmt_arena_default_block_size(void) {
  omniheap_stats_t s0 = mstats();
  mmt_arena_t *a = mmt_arena_create(0);
  unsigned char *p, *q;
#if OMNIHEAP_CONF_MMT_BACKEND == 1
  if (OMNIHEAP_CONF_MMT_ARENA_SIZE <= MMT_ARENA_DEFAULT_BLOCK_SIZE) {
    OH_CHECK_EQ_PTR(a, NULL);
    OH_CHECK_EQ_INT(mstats().live_blocks, s0.live_blocks);
    OH_CHECK_EQ_INT(mstats().in_use, s0.in_use);
    check_consistent();
    return;
  }
#endif
  OH_REQUIRE(a != NULL);
  OH_CHECK_EQ_INT(mstats().live_blocks, s0.live_blocks + 2U);
  p = (unsigned char *)mmt_arena_alloc(a, MMT_ARENA_DEFAULT_BLOCK_SIZE); /* fits the first block */
  OH_REQUIRE(p != NULL);
  oh_fill(p, MMT_ARENA_DEFAULT_BLOCK_SIZE, 12);
  OH_CHECK_EQ_INT(mstats().live_blocks, s0.live_blocks + 2U);
  q = (unsigned char *)mmt_arena_alloc(a, 1); /* the first block is full */
  OH_REQUIRE(q != NULL);
  OH_CHECK_EQ_INT(mstats().live_blocks, s0.live_blocks + 3U);
  OH_CHECK(oh_intact(p, MMT_ARENA_DEFAULT_BLOCK_SIZE, 12));
  mmt_arena_destroy(a);
  OH_CHECK_EQ_INT(mstats().live_blocks, s0.live_blocks);
  OH_CHECK_EQ_INT(mstats().in_use, s0.in_use);
  check_consistent();
}

#if !(defined(OH_HOSTED) && OH_HOSTED)
/* On targets without fork(): the arena's failures in-process. */
static void test_mmt_arena_failures_return_null(void) {
  mmt_arena_t *a = mmt_arena_create(64);
  omniheap_stats_t s0;
  OH_REQUIRE(a != NULL);
  s0 = mstats();
  OH_CHECK_EQ_PTR(mmt_arena_alloc(a, (size_t)-1), NULL);
  OH_CHECK_EQ_PTR(mmt_arena_alloc(a, (size_t)-1 - 4U), NULL);
  OH_CHECK_EQ_PTR(mmt_arena_alloc(a, (size_t)-1 - 15U), NULL);
  OH_CHECK_EQ_PTR(mmt_arena_create((size_t)-1), NULL);
  OH_CHECK_EQ_PTR(mmt_arena_create((size_t)-1 - 4U), NULL);
  OH_CHECK_EQ_INT(mstats().live_blocks, s0.live_blocks);
  mmt_arena_destroy(a);
  check_consistent();
}
#endif

/* ---- moving MMT onto the caller's region (last: it cannot be undone) ---------------------------- */

static void test_mmt_use_arena_refusals(void) {
  void *p;
  mmt_meminfo_t m0 = info(), m1;
  OH_CHECK_EQ_INT(mmt_use_arena(NULL, 4096), -1);
  OH_CHECK_EQ_INT(mmt_use_arena(obs_scratch, 0), -1);
  OH_CHECK_EQ_INT(mmt_use_arena(obs_scratch, 8), -1);
  /* a block in use: refused, the block stays valid */
  p = mmt_malloc(24);
  OH_REQUIRE(p != NULL);
  oh_fill(p, 24, 13);
  OH_CHECK_EQ_INT(mmt_use_arena(obs_scratch, OBS_SCRATCH_BYTES), -1);
  OH_CHECK(oh_intact(p, 24, 13));
  OH_CHECK(!oh_inside(p, 1, obs_scratch, OBS_SCRATCH_BYTES));
  mmt_free(p);
  m1 = info();
  OH_CHECK_EQ_INT(m1.allocated - m0.allocated, 24);
  OH_CHECK_EQ_INT(m1.freed - m0.freed, 24);
  OH_CHECK_EQ_INT(obs_faults.count, 0);
}

static struct {
  unsigned char **want; /* six blocks: block i holds 40 * i bytes (block 5: 400) */
  unsigned used, mine, outside, disorder;
  uintptr_t end;
} walked;

static int walk_mine(const omniheap_block_t *b, void *context) {
  unsigned i;
  (void)context;
  if ((uintptr_t)b->address < walked.end) ++walked.disorder;
  walked.end = (uintptr_t)b->address + b->size;
  if (!oh_inside(b->address, b->size, obs_scratch, OBS_SCRATCH_BYTES)) ++walked.outside;
  if (!b->used) return 0;
  ++walked.used;
  for (i = 0; i < 6U; ++i)
    if (b->address == walked.want[i] && b->size >= (i == 5U ? 400U : 40U * i)) ++walked.mine;
  return 0;
}

static void test_mmt_use_arena_moves_every_allocation(void) {
  mmt_meminfo_t m0 = info(), m;
  omniheap_stats_t s0 = mstats(), s;
  unsigned char *p[6];
  size_t n = 0;
  unsigned i;
  OH_REQUIRE(s0.live_blocks == 0U);
  OH_REQUIRE(mmt_use_arena(obs_scratch + 3, OBS_SCRATCH_BYTES - 3U) == 0);
  s = mstats();
  /* the counters go on; the capacity is the new arena's */
  m = info();
  OH_CHECK_EQ_INT(m.allocated, m0.allocated);
  OH_CHECK_EQ_INT(m.freed, m0.freed);
  OH_CHECK_EQ_INT(s.allocations, s0.allocations);
  OH_CHECK(s.capacity > 0U && s.capacity <= OBS_SCRATCH_BYTES);
  OH_CHECK_EQ_PTR(mmt_omniheap(), omniheap_heap_find_name("mmt"));
  for (i = 0; i < 6U; ++i) {
    p[i] = (unsigned char *)mmt_malloc(40U * i);
    OH_REQUIRE(p[i] != NULL);
    OH_CHECK(oh_inside(p[i], 40U * i, obs_scratch, OBS_SCRATCH_BYTES));
    OH_CHECK(aligned(p[i]));
    oh_fill(p[i], 40U * i, 30U + i);
    n += 40U * i;
  }
  p[5] = (unsigned char *)mmt_realloc(p[5], 400);
  OH_REQUIRE(p[5] != NULL);
  OH_CHECK(oh_inside(p[5], 400, obs_scratch, OBS_SCRATCH_BYTES));
  OH_CHECK(oh_intact(p[5], 200, 35));
  n += 200;
  s = mstats();
  OH_CHECK_EQ_INT(s.in_use, n);
  OH_CHECK_EQ_INT(s.live_blocks, 6);
  OH_CHECK(s.free_bytes > 0U && s.free_bytes < s.capacity);
  OH_CHECK(s.largest_free <= s.free_bytes);
  OH_CHECK_EQ_INT(omniheap_heap_validate(mmt_omniheap()), OMNIHEAP_OK);
  check_consistent();
  /* on an arena MMT can be walked: our six blocks, as we see them */
  memset(&walked, 0, sizeof walked);
  walked.want = p;
  OH_CHECK_EQ_INT(omniheap_heap_walk(mmt_omniheap(), walk_mine, &walked), OMNIHEAP_OK);
  OH_CHECK_EQ_INT(walked.used, 6);
  OH_CHECK_EQ_INT(walked.mine, 6);
  OH_CHECK_EQ_INT(walked.outside, 0);
  OH_CHECK_EQ_INT(walked.disorder, 0);
  for (i = 0; i < 5U; ++i) OH_CHECK(oh_intact(p[i], 40U * i, 30U + i));
  /* double free on the arena: reported, nothing changes */
  mmt_free(p[1]);
  mmt_free(p[1]);
  OH_CHECK_EQ_INT(obs_faults.count, 1);
  OH_CHECK_EQ_INT(obs_faults.kind, OMNIHEAP_FAULT_DOUBLE_FREE);
  OH_CHECK_EQ_INT(omniheap_heap_validate(mmt_omniheap()), OMNIHEAP_OK);
  for (i = 0; i < 6U; ++i)
    if (i != 1U) mmt_free(p[i]);
  s = mstats();
  OH_CHECK_EQ_INT(s.in_use, 0);
  OH_CHECK_EQ_INT(s.live_blocks, 0);
  check_consistent();
  /* a second move, now that nothing is in use */
  OH_CHECK_EQ_INT(mmt_use_arena(obs_scratch, OBS_SCRATCH_BYTES / 2U), 0);
  p[0] = (unsigned char *)mmt_malloc(8);
  OH_CHECK(p[0] != NULL && oh_inside(p[0], 8, obs_scratch, OBS_SCRATCH_BYTES / 2U));
  mmt_free(p[0]);
}

/* A real out-of-memory on the arena (the default build panics: checked by
 * test_mmt_failure_panics_after_the_event in a child). */
static void test_mmt_use_arena_out_of_memory(void) {
#if !MT_ABORTS
  omniheap_stats_t s0 = mstats();
  void *p = mmt_malloc(OBS_SCRATCH_BYTES);
  OH_CHECK_EQ_PTR(p, NULL);
  OH_CHECK_EQ_INT(mstats().failed_allocations, s0.failed_allocations + 1U);
  check_consistent();
#else
  /* The largest request that can fit is below the capacity. */
  omniheap_stats_t s = mstats();
  void *p;
  OH_REQUIRE(s.in_use == 0U);
  OH_CHECK(s.largest_free < s.capacity);
  p = mmt_malloc(s.largest_free);
  OH_CHECK(p != NULL);
  mmt_free(p);
  check_consistent();
#endif
}

/* ---- suite ---------------------------------------------------------------------------------------- */

void suite_mmt(void) {
  if (!obs_init()) return;
  MT_RUN(test_mmt_header_macros);
  MT_RUN(test_mmt_registry_entry);
  MT_RUN(test_mmt_malloc_zero_gives_unique_blocks);
  MT_RUN(test_mmt_alignment_and_contents);
  MT_RUN(test_mmt_free_null_is_a_no_op);
  MT_RUN(test_mmt_realloc_cases);
  MT_RUN(test_mmt_meminfo_and_stats_follow_every_call);
  MT_RUN(test_mmt_listen_threshold_in_requested_bytes);
  MT_RUN(test_mmt_double_free_is_reported);
  MT_RUN(test_mmt_foreign_pointer_is_reported);
  MT_RUN(test_mmt_damaged_header_is_reported);
#if defined(OH_HOSTED) && OH_HOSTED
  MT_RUN(test_mmt_failure_panics_after_the_event);
  MT_RUN(test_mmt_fault_default_action_panics);
  MT_RUN(test_mmt_arena_failures_return_null_in_a_child);
#endif
#if !MT_ABORTS
  MT_RUN(test_mmt_failure_returns_null);
#endif
  MT_RUN(test_mmt_arena_null_arguments);
  MT_RUN(test_mmt_arena_bump_allocation);
  MT_RUN(test_mmt_arena_default_block_size);
#if !(defined(OH_HOSTED) && OH_HOSTED)
  MT_RUN(test_mmt_arena_failures_return_null);
#endif
  MT_RUN(test_mmt_use_arena_refusals);
  MT_RUN(test_mmt_use_arena_moves_every_allocation);
  MT_RUN(test_mmt_use_arena_out_of_memory);
}
#endif
