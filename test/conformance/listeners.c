/*
 * Conformance of the native listeners (omniheap.h, "Listeners: events and
 * conditions on heaps"), black box, on every family that reports into them:
 * a sys_heap, a k_heap, the heapmem arena, a MEMB pool, an emh heap, an ffit
 * heap, a buddy heap and (when its headers exist) MMT.
 *
 * Every expectation comes from the documentation in omniheap.h (event kinds
 * and fields, threshold crossings with hysteresis, the state learnt from the
 * first operation, PEAK, ALLOC_FAILED once per call, FAULT, register /
 * unregister / above), the family headers and contract.md, never from the
 * implementation. Byte counts are never assumed: the bytes in use of a heap
 * (its own unit of account) are read with omniheap_heap_stats() before and
 * after each call, and every event is compared with them. Callbacks only
 * record (observe.h); statistics are read after the call returns.
 *
 * Heaps live on the shared scratch region (observe.h) and leave the
 * registry at the end of each case; the shared ones (heapmem arena, emh
 * heap, MMT) are left as they were found. Every case runs with a recording
 * fault handler that returns OMNIHEAP_FAULT_RETURN, and checks the faults it
 * expects.
 */
#if defined(OH_HOSTED) && OH_HOSTED
#define _POSIX_C_SOURCE 200809L
#endif

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "emh_malloc.h"
#include "lib/heapmem.h"
#include "lib/memb.h"
#include "omniheap.h"
#include <buddy.h>
#include <ffit.h>
#include <zephyr/kernel.h>
#include <zephyr/sys/heap_listener.h>
#include <zephyr/sys/sys_heap.h>

#if defined(__has_include)
#if __has_include("mmt_core.h")
#include "mmt_core.h"
#include "memory.h"
#define LH_MMT 1
#endif
#endif

#include "fault_log.h"
#include "observe.h"
#include "oh_test.h"
#include "suites.h"

#if defined(OH_HOSTED) && OH_HOSTED
#include <pthread.h>
#include <time.h>
#endif

/* ---- heaps under test ---------------------------------------------------------------------- */

/* Regions on the scratch buffer: two heaps side by side (A, B). */
#define REGION_BYTES (OBS_SCRATCH_BYTES / 3U / 8U * 8U)
#define REGION_A (obs_scratch)
#define REGION_B (obs_scratch + REGION_BYTES)
#define REGION_C (obs_scratch + 2U * REGION_BYTES)

struct lh_rec {
  uint32_t a, b, c;
};
MEMB(lh_pool, struct lh_rec, 6);
MEMB(lh_pool2, struct lh_rec, 2);

static struct sys_heap lh_sys, lh_sys2;
static struct k_heap lh_k;
static ffit_heap_t lh_ff;
static buddy_heap_t lh_bd;

/* One family as the generic cases drive it. */
struct fam {
  const char *label;
  omniheap_family_t family;
  int (*setup)(void);       /* makes a fresh (or the shared) heap ready; 1 if done */
  void (*teardown)(void);   /* leaves the registry (own heaps) */
  omniheap_heap_t *(*handle)(void);
  void *(*alloc)(size_t n);
  int (*release)(void *p);  /* 1 if the family reported success */
  void *(*resize)(void *p, size_t n); /* NULL: no realloc */
  size_t unit;              /* request size of the generic cases */
  size_t too_big;           /* a request that fails; 0: exhaust the heap instead */
};

/* sys_heap */
static int sys_setup(void) {
  sys_heap_init(&lh_sys, REGION_A, REGION_BYTES);
  return omniheap_heap_find(&lh_sys) != NULL;
}
static void sys_teardown(void) {
  OH_CHECK(sys_heap_validate(&lh_sys));
  obs_forget(&lh_sys);
}
static omniheap_heap_t *sys_handle(void) { return omniheap_heap_find(&lh_sys); }
static void *sys_alloc(size_t n) { return sys_heap_alloc(&lh_sys, n); }
static int sys_release(void *p) {
  sys_heap_free(&lh_sys, p);
  return 1;
}
static void *sys_resize(void *p, size_t n) { return sys_heap_realloc(&lh_sys, p, n); }

/* k_heap */
static int k_setup(void) {
  k_heap_init(&lh_k, REGION_A, REGION_BYTES);
  return omniheap_heap_find(&lh_k) != NULL;
}
static void k_teardown(void) { obs_forget(&lh_k); }
static omniheap_heap_t *k_handle(void) { return omniheap_heap_find(&lh_k); }
static void *k_alloc(size_t n) { return k_heap_alloc(&lh_k, n, K_NO_WAIT); }
static int k_release(void *p) {
  k_heap_free(&lh_k, p);
  return 1;
}
static void *k_resize(void *p, size_t n) { return k_heap_realloc(&lh_k, p, n, K_NO_WAIT); }

/* heapmem: the library's one arena, shared with other suites. */
static int hm_setup(void) { return obs_heapmem_handle() != NULL; }
static void hm_teardown(void) {}
static omniheap_heap_t *hm_handle(void) { return omniheap_heap_find_name("heapmem"); }
static void *hm_alloc(size_t n) { return heapmem_alloc(n); }
static int hm_release(void *p) { return heapmem_free(p) ? 1 : 0; }
static void *hm_resize(void *p, size_t n) { return heapmem_realloc(p, n); }

/* MEMB */
static int memb_setup(void) {
  memb_init(&lh_pool);
  return omniheap_heap_find(&lh_pool) != NULL;
}
static void memb_teardown(void) { obs_forget(&lh_pool); }
static omniheap_heap_t *memb_handle(void) { return omniheap_heap_find(&lh_pool); }
static void *memb_alloc_any(size_t n) {
  (void)n;
  return memb_alloc(&lh_pool);
}
static int memb_release(void *p) { return memb_free(&lh_pool, p) == 0; }

/* emh: a shared heap (observe.h). */
static int emh_setup(void) { return obs_emh_id() >= 0 && obs_emh_handle(obs_emh_id()) != NULL; }
static void emh_teardown(void) {}
static omniheap_heap_t *emh_handle(void) { return obs_emh_handle(obs_emh_id()); }
static void *emh_alloc(size_t n) { return emh_malloc((emh_heapId_t)obs_emh_id(), n); }
static int emh_release(void *p) {
  emh_free(p);
  return 1;
}
static void *emh_resize(void *p, size_t n) { return emh_realloc(p, n); }

/* ffit */
static int ff_setup(void) {
  memset(&lh_ff, 0, sizeof lh_ff);
  lh_ff.mh = (uintptr_t)REGION_A;
  lh_ff.hs = REGION_BYTES;
  return ffit_init(&lh_ff) == FFIT_HEAP_OK && omniheap_heap_find(&lh_ff) != NULL;
}
static void ff_teardown(void) { obs_forget(&lh_ff); }
static omniheap_heap_t *ff_handle(void) { return omniheap_heap_find(&lh_ff); }
static void *ff_alloc(size_t n) { return ffit_get_block(&lh_ff, n); }
static int ff_release(void *p) { return ffit_free_block(&lh_ff, p) == FFIT_HEAP_OK; }
static void *ff_resize(void *p, size_t n) {
  int rc = 99;
  void *q = ffit_extend_block(&lh_ff, p, n, &rc);
  OH_CHECK_EQ_INT(rc, FFIT_HEAP_OK);
  return q;
}

/* buddy */
static int bd_setup(void) {
  memset(&lh_bd, 0, sizeof lh_bd);
  lh_bd.mh = (uintptr_t)REGION_A;
  lh_bd.hs = REGION_BYTES;
  lh_bd.e = 0;
  return buddy_init(&lh_bd) == BUDDY_HEAP_OK && omniheap_heap_find(&lh_bd) != NULL;
}
static void bd_teardown(void) { obs_forget(&lh_bd); }
static omniheap_heap_t *bd_handle(void) { return omniheap_heap_find(&lh_bd); }
static void *bd_alloc(size_t n) { return buddy_get_block(&lh_bd, n); }
static int bd_release(void *p) { return buddy_free_block(&lh_bd, p) == BUDDY_HEAP_OK; }
static void *bd_resize(void *p, size_t n) {
  int rc = 99;
  void *q = buddy_extend_block(&lh_bd, p, n, &rc);
  OH_CHECK_EQ_INT(rc, BUDDY_HEAP_OK);
  return q;
}

#ifdef LH_MMT
/* MMT: the one MMT heap, shared. */
static int mmt_setup(void) { return mmt_omniheap() != NULL; }
static void mmt_teardown(void) {}
static omniheap_heap_t *mmt_handle(void) { return mmt_omniheap(); }
static void *mmt_alloc(size_t n) { return mmt_malloc(n); }
static int mmt_release(void *p) {
  mmt_free(p);
  return 1;
}
static void *mmt_resize(void *p, size_t n) { return mmt_realloc(p, n); }
#if defined(OMNIHEAP_CONF_MMT_ABORT) && !OMNIHEAP_CONF_MMT_ABORT
#define MMT_TOO_BIG ((size_t)-1 / 2U)
#else
#define MMT_TOO_BIG 0U /* a failure panics: tested in mmt.c (forked child) */
#endif
#endif

static const struct fam fam_sys = {"sys_heap", OMNIHEAP_FAMILY_SYS_HEAP, sys_setup, sys_teardown, sys_handle,
                                   sys_alloc, sys_release, sys_resize, 24, 2U * REGION_BYTES};
static const struct fam fam_k = {"k_heap", OMNIHEAP_FAMILY_K_HEAP, k_setup, k_teardown, k_handle,
                                 k_alloc, k_release, k_resize, 24, 2U * REGION_BYTES};
static const struct fam fam_hm = {"heapmem", OMNIHEAP_FAMILY_HEAPMEM, hm_setup, hm_teardown, hm_handle,
                                  hm_alloc, hm_release, hm_resize, 24,
                                  2U * OMNIHEAP_CONF_HEAPMEM_ARENA_SIZE};
static const struct fam fam_memb = {"memb", OMNIHEAP_FAMILY_MEMB, memb_setup, memb_teardown, memb_handle,
                                    memb_alloc_any, memb_release, NULL, sizeof(struct lh_rec), 0};
static const struct fam fam_emh = {"emh", OMNIHEAP_FAMILY_EMH, emh_setup, emh_teardown, emh_handle,
                                   emh_alloc, emh_release, emh_resize, 24, 64U * 1024U * 1024U};
static const struct fam fam_ff = {"ffit", OMNIHEAP_FAMILY_FFIT, ff_setup, ff_teardown, ff_handle,
                                  ff_alloc, ff_release, ff_resize, 24, 2U * REGION_BYTES};
static const struct fam fam_bd = {"buddy", OMNIHEAP_FAMILY_BUDDY, bd_setup, bd_teardown, bd_handle,
                                  bd_alloc, bd_release, bd_resize, 24, 2U * REGION_BYTES};
#ifdef LH_MMT
static const struct fam fam_mmt = {"mmt", OMNIHEAP_FAMILY_MMT, mmt_setup, mmt_teardown, mmt_handle,
                                   mmt_alloc, mmt_release, mmt_resize, 24, MMT_TOO_BIG};
#endif

/* ---- fault capture and the event log ------------------------------------------------------------ */

#define evlog1 (obs_logs[0])
#define evlog2 (obs_logs[1])
static omniheap_listener_t l1, l2;

#define LH_RUN(fn)                 \
  do {                             \
    fault_log_capture(&obs_faults, 0); \
    obs_clear(&evlog1);              \
    obs_clear(&evlog2);              \
    OH_RUN(fn);                    \
    omniheap_listener_unregister(&l1); \
    omniheap_listener_unregister(&l2); \
    fault_log_release();           \
  } while (0)

/* Event i of evlog1 is an operation `kind` on heap h whose fields agree with
 * the statistics read before (b) and after (a) the call. */
static void check_op(const struct obs_log *log, unsigned i, omniheap_event_kind_t kind, const struct fam *f,
                     omniheap_heap_t *h, const omniheap_stats_t *b, const omniheap_stats_t *a) {
  const struct obs_event *e;
  if (!OH_CHECK(i < log->count && i < OBS_MAX_EVENTS)) return;
  e = &log->ev[i];
  OH_CHECK_EQ_INT(e->kind, kind);
  OH_CHECK_EQ_INT(e->family, f->family);
  OH_CHECK_EQ_PTR(e->heap, h);
  OH_CHECK_EQ_PTR(e->object, omniheap_heap_object(h));
  OH_CHECK_EQ_INT(e->previous_in_use, b->in_use);
  OH_CHECK_EQ_INT(e->in_use, a->in_use);
  OH_CHECK_EQ_INT(e->peak, a->peak);
  OH_CHECK_EQ_INT(e->threshold, 0);
  OH_CHECK_EQ_INT(e->fault, 0);
  switch (kind) {
  case OMNIHEAP_EVENT_ALLOC:
    OH_CHECK_EQ_INT(e->bytes, a->in_use - b->in_use);
    OH_CHECK_EQ_INT(e->old_bytes, 0);
    OH_CHECK_EQ_PTR(e->old_pointer, NULL);
    break;
  case OMNIHEAP_EVENT_FREE:
    OH_CHECK_EQ_INT(e->size, 0);
    OH_CHECK_EQ_INT(e->bytes, b->in_use - a->in_use);
    OH_CHECK_EQ_INT(e->old_bytes, 0);
    OH_CHECK_EQ_PTR(e->old_pointer, NULL);
    break;
  case OMNIHEAP_EVENT_REALLOC:
    OH_CHECK_EQ_INT(e->in_use + e->old_bytes, e->previous_in_use + e->bytes);
    OH_CHECK(e->bytes > 0U);
    OH_CHECK(e->old_bytes > 0U);
    break;
  case OMNIHEAP_EVENT_ALLOC_FAILED:
    OH_CHECK_EQ_PTR(e->pointer, NULL);
    OH_CHECK_EQ_PTR(e->old_pointer, NULL);
    OH_CHECK_EQ_INT(e->bytes, 0);
    OH_CHECK_EQ_INT(e->old_bytes, 0);
    OH_CHECK_EQ_INT(e->previous_in_use, e->in_use);
    break;
  default:
    break;
  }
}

/* Event i is a PEAK of heap h after an operation that left statistics a.
 * After an allocation the new high-water mark is what is in use; a realloc
 * that moves may have held both blocks for a moment. */
static void check_peak(const struct obs_log *log, unsigned i, const struct fam *f, omniheap_heap_t *h,
                       const omniheap_stats_t *a) {
  const struct obs_event *e;
  if (!OH_CHECK(i < log->count && i < OBS_MAX_EVENTS)) return;
  e = &log->ev[i];
  OH_CHECK_EQ_INT(e->kind, OMNIHEAP_EVENT_PEAK);
  OH_CHECK_EQ_INT(e->family, f->family);
  OH_CHECK_EQ_PTR(e->heap, h);
  OH_CHECK_EQ_INT(e->in_use, a->in_use);
  OH_CHECK_EQ_INT(e->peak, a->peak);
  if (i > 0U && log->ev[i - 1].kind == OMNIHEAP_EVENT_ALLOC) OH_CHECK_EQ_INT(e->peak, a->in_use);
  else OH_CHECK(e->peak >= a->in_use);
}

/* ---- operations, failures and peaks on one family --------------------------------------------- */

/* One listener on every event of the heap, with a threshold never reached:
 * alloc, alloc, free, alloc again, realloc up and down, a failed call, free
 * everything, reset the peak, alloc. Each call: the events it must cause,
 * and nothing else. */
static void run_ops(const struct fam *f) {
  omniheap_heap_t *h;
  omniheap_stats_t s0, b, a;
  void *p, *q, *r = NULL, *old, *blocks[8];
  unsigned i, n = 0;
  size_t req;
  OH_REQUIRE(f->setup());
  h = f->handle();
  OH_REQUIRE(h != NULL);
  OH_CHECK_EQ_INT(omniheap_heap_family(h), f->family);
  OH_CHECK_EQ_INT(omniheap_heap_reset_peak(h), OMNIHEAP_OK);
  s0 = obs_stats(h);
  OH_CHECK_EQ_INT(s0.peak, s0.in_use);
  OH_REQUIRE(omniheap_listener_register(&l1, h, OMNIHEAP_ON_ALL, (size_t)-1, 0, obs_record, &evlog1) ==
             OMNIHEAP_OK);
  OH_CHECK_EQ_INT(omniheap_listener_above(&l1, NULL), -1); /* nothing seen yet */

  /* First allocation: ALLOC, then PEAK (it raises the reset high-water mark). */
  obs_clear(&evlog1);
  b = obs_stats(h);
  p = f->alloc(f->unit);
  a = obs_stats(h);
  OH_CHECK(p != NULL);
  OH_CHECK(a.in_use > b.in_use);
  OH_CHECK_EQ_INT(evlog1.count, 2);
  check_op(&evlog1, 0, OMNIHEAP_EVENT_ALLOC, f, h, &b, &a);
  OH_CHECK_EQ_PTR(evlog1.ev[0].pointer, p);
  OH_CHECK_EQ_INT(evlog1.ev[0].size, f->unit);
  check_peak(&evlog1, 1, f, h, &a);
  OH_CHECK_EQ_INT(omniheap_listener_above(&l1, NULL), 0);

  /* Second: a new peak again. */
  obs_clear(&evlog1);
  b = a;
  q = f->alloc(f->unit);
  a = obs_stats(h);
  OH_CHECK(q != NULL);
  OH_CHECK_EQ_INT(evlog1.count, 2);
  check_op(&evlog1, 0, OMNIHEAP_EVENT_ALLOC, f, h, &b, &a);
  OH_CHECK_EQ_PTR(evlog1.ev[0].pointer, q);
  check_peak(&evlog1, 1, f, h, &a);

  /* Free: FREE only. */
  obs_clear(&evlog1);
  b = a;
  OH_CHECK(f->release(q));
  a = obs_stats(h);
  OH_CHECK_EQ_INT(evlog1.count, 1);
  check_op(&evlog1, 0, OMNIHEAP_EVENT_FREE, f, h, &b, &a);
  OH_CHECK_EQ_PTR(evlog1.ev[0].pointer, q);
  OH_CHECK(a.in_use < b.in_use);
  OH_CHECK_EQ_INT(a.peak, b.peak);

  /* The same allocation again only returns to the peak: no PEAK. */
  obs_clear(&evlog1);
  b = a;
  q = f->alloc(f->unit);
  a = obs_stats(h);
  OH_CHECK(q != NULL);
  OH_CHECK_EQ_INT(a.peak, b.peak);
  OH_CHECK_EQ_INT(evlog1.count, 1);
  check_op(&evlog1, 0, OMNIHEAP_EVENT_ALLOC, f, h, &b, &a);
  OH_CHECK_EQ_PTR(evlog1.ev[0].pointer, q);

  if (f->resize != NULL) {
    /* Grow: one REALLOC (a PEAK after it iff the high-water mark rose). */
    obs_clear(&evlog1);
    b = a;
    req = 4U * f->unit;
    old = p;
    r = f->resize(p, req);
    a = obs_stats(h);
    if (OH_CHECK(r != NULL)) {
      p = NULL;
      OH_CHECK_EQ_INT(evlog1.count, a.peak > b.peak ? 2 : 1);
      check_op(&evlog1, 0, OMNIHEAP_EVENT_REALLOC, f, h, &b, &a);
      OH_CHECK_EQ_PTR(evlog1.ev[0].pointer, r);
      OH_CHECK_EQ_PTR(evlog1.ev[0].old_pointer, old);
      OH_CHECK_EQ_INT(evlog1.ev[0].size, req);
      if (a.peak > b.peak) check_peak(&evlog1, 1, f, h, &a);
      /* Shrink: one REALLOC, never a PEAK. */
      obs_clear(&evlog1);
      b = a;
      req = f->unit / 2U;
      old = r;
      p = f->resize(r, req);
      a = obs_stats(h);
      if (OH_CHECK(p != NULL)) {
        r = NULL;
        OH_CHECK(a.in_use <= b.in_use);
        OH_CHECK_EQ_INT(evlog1.count, 1);
        check_op(&evlog1, 0, OMNIHEAP_EVENT_REALLOC, f, h, &b, &a);
        OH_CHECK_EQ_PTR(evlog1.ev[0].pointer, p);
        OH_CHECK_EQ_PTR(evlog1.ev[0].old_pointer, old);
        OH_CHECK_EQ_INT(evlog1.ev[0].size, req);
      }
    }
  }

  /* A failed call: one ALLOC_FAILED, the statistics count it. */
  obs_clear(&evlog1);
  if (f->too_big != 0U) {
    b = obs_stats(h);
    OH_CHECK_EQ_PTR(f->alloc(f->too_big), NULL);
    a = obs_stats(h);
    OH_CHECK_EQ_INT(a.failed_allocations, b.failed_allocations + 1U);
    OH_CHECK_EQ_INT(a.in_use, b.in_use);
    OH_CHECK_EQ_INT(evlog1.count, 1);
    check_op(&evlog1, 0, OMNIHEAP_EVENT_ALLOC_FAILED, f, h, &b, &a);
    OH_CHECK_EQ_INT(evlog1.ev[0].size, f->too_big);
  } else if (f->family == OMNIHEAP_FAMILY_MEMB) {
    /* A pool fails when it is empty. */
    while (n < 8U && (blocks[n] = f->alloc(f->unit)) != NULL) ++n;
    OH_CHECK(n < 8U);
    obs_clear(&evlog1);
    b = obs_stats(h);
    OH_CHECK_EQ_PTR(f->alloc(f->unit), NULL);
    a = obs_stats(h);
    OH_CHECK_EQ_INT(a.failed_allocations, b.failed_allocations + 1U);
    OH_CHECK_EQ_INT(evlog1.count, 1);
    check_op(&evlog1, 0, OMNIHEAP_EVENT_ALLOC_FAILED, f, h, &b, &a);
    OH_CHECK_EQ_INT(evlog1.ev[0].size, s0.block_size);
    for (i = 0; i < n; ++i) OH_CHECK(f->release(blocks[i]));
  }

  /* Free everything; then a reset peak makes the next allocation a PEAK again. */
  if (p != NULL) OH_CHECK(f->release(p));
  if (r != NULL) OH_CHECK(f->release(r));
  OH_CHECK(f->release(q));
  a = obs_stats(h);
  OH_CHECK_EQ_INT(a.in_use, s0.in_use);
  OH_CHECK(a.peak > a.in_use);
  OH_CHECK_EQ_INT(omniheap_heap_reset_peak(h), OMNIHEAP_OK);
  obs_clear(&evlog1);
  b = obs_stats(h);
  OH_CHECK_EQ_INT(b.peak, b.in_use);
  p = f->alloc(f->unit);
  a = obs_stats(h);
  OH_CHECK(p != NULL);
  OH_CHECK_EQ_INT(evlog1.count, 2);
  check_op(&evlog1, 0, OMNIHEAP_EVENT_ALLOC, f, h, &b, &a);
  check_peak(&evlog1, 1, f, h, &a);
  if (p != NULL) OH_CHECK(f->release(p));
  OH_CHECK_EQ_INT(obs_in_use(h), s0.in_use);
  OH_CHECK_EQ_INT(omniheap_listener_unregister(&l1), OMNIHEAP_OK);
  OH_CHECK_EQ_INT(obs_faults.count, 0);
  f->teardown();
}

static void test_ops_sys_heap(void) { run_ops(&fam_sys); }
static void test_ops_k_heap(void) { run_ops(&fam_k); }
static void test_ops_heapmem(void) { run_ops(&fam_hm); }
static void test_ops_memb(void) { run_ops(&fam_memb); }
static void test_ops_emh(void) { run_ops(&fam_emh); }
static void test_ops_ffit(void) { run_ops(&fam_ff); }
static void test_ops_buddy(void) { run_ops(&fam_bd); }
#ifdef LH_MMT
static void test_ops_mmt(void) { run_ops(&fam_mmt); }
#endif

/* ---- threshold crossings with hysteresis on one family ---------------------------------------- */

/* Checks the conditions in log (ABOVE / BELOW, in order) against the model's
 * list `want` of n conditions. */
static void check_conditions(const struct obs_log *log, const int *want, unsigned n, size_t threshold,
                             omniheap_heap_t *h) {
  unsigned i, k = 0, max = log->count < OBS_MAX_EVENTS ? log->count : OBS_MAX_EVENTS;
  OH_CHECK(log->count <= OBS_MAX_EVENTS);
  for (i = 0; i < max; ++i) {
    const struct obs_event *e = &log->ev[i];
    if (e->kind != OMNIHEAP_EVENT_ABOVE && e->kind != OMNIHEAP_EVENT_BELOW) continue;
    if (OH_CHECK(k < n)) {
      OH_CHECK_EQ_INT(e->kind, want[k]);
      OH_CHECK_EQ_INT(e->threshold, threshold);
      OH_CHECK_EQ_PTR(e->heap, h);
      /* The condition follows the operation that caused it. */
      OH_CHECK(i > 0U && log->ev[i - 1].kind != OMNIHEAP_EVENT_ABOVE &&
               log->ev[i - 1].kind != OMNIHEAP_EVENT_BELOW);
      if (i > 0U) OH_CHECK_EQ_INT(e->in_use, log->ev[i - 1].in_use);
      OH_CHECK(e->kind == OMNIHEAP_EVENT_ABOVE ? e->in_use >= threshold : e->in_use < threshold);
    }
    ++k;
  }
  OH_CHECK_EQ_INT(k, n);
}

#define MAX_STEPS 16
struct steps {
  unsigned n;
  size_t before[MAX_STEPS], after[MAX_STEPS];
};

static void *step_alloc(const struct fam *f, omniheap_heap_t *h, struct steps *s) {
  void *p;
  s->before[s->n] = obs_in_use(h);
  p = f->alloc(f->unit);
  s->after[s->n] = obs_in_use(h);
  OH_CHECK(p != NULL);
  if (s->n + 1U < MAX_STEPS) ++s->n;
  return p;
}

static void step_free(const struct fam *f, omniheap_heap_t *h, struct steps *s, void *p) {
  s->before[s->n] = obs_in_use(h);
  OH_CHECK(f->release(p));
  s->after[s->n] = obs_in_use(h);
  if (s->n + 1U < MAX_STEPS) ++s->n;
}

/* Two blocks of `unit` bytes take the heap from base to base + d1 + d2; the
 * threshold is base + d1 + d2. Listener 1 has hysteresis d2: it goes ABOVE
 * with the second block and BELOW only when the first one is freed too, not
 * while the heap hovers between base + d1 and the threshold. Listener 2 has
 * hysteresis 0: BELOW as soon as the second block goes. */
static void run_threshold(const struct fam *f) {
  omniheap_heap_t *h;
  size_t base, d1, d2, t;
  void *a, *b;
  struct steps st;
  int want[MAX_STEPS];
  unsigned n;
  static const int want1[] = {OMNIHEAP_EVENT_ABOVE, OMNIHEAP_EVENT_BELOW, OMNIHEAP_EVENT_ABOVE,
                              OMNIHEAP_EVENT_BELOW};
  memset(&st, 0, sizeof st);
  OH_REQUIRE(f->setup());
  h = f->handle();
  OH_REQUIRE(h != NULL);
  /* Probe the deltas (no listener yet). */
  base = obs_in_use(h);
  a = f->alloc(f->unit);
  d1 = obs_in_use(h) - base;
  b = f->alloc(f->unit);
  d2 = obs_in_use(h) - base - d1;
  OH_REQUIRE(a != NULL && b != NULL);
  OH_CHECK(f->release(b));
  OH_CHECK(f->release(a));
  OH_REQUIRE(obs_in_use(h) == base);
  OH_REQUIRE(d1 > 0U && d2 > 0U);
  t = base + d1 + d2;
  OH_REQUIRE(omniheap_listener_register(&l1, h, OMNIHEAP_ON_OPERATIONS | OMNIHEAP_ON_THRESHOLD, t, d2,
                                        obs_record, &evlog1) == OMNIHEAP_OK);
  OH_REQUIRE(omniheap_listener_register(&l2, h, OMNIHEAP_ON_OPERATIONS | OMNIHEAP_ON_THRESHOLD, t, 0,
                                        obs_record, &evlog2) == OMNIHEAP_OK);

  a = step_alloc(f, h, &st); /* base + d1 */
  OH_CHECK_EQ_INT(omniheap_listener_above(&l1, NULL), 0);
  b = step_alloc(f, h, &st); /* t: ABOVE (1 and 2) */
  OH_CHECK_EQ_INT(obs_in_use(h), t);
  OH_CHECK_EQ_INT(omniheap_listener_above(&l1, NULL), 1);
  OH_CHECK_EQ_INT(omniheap_listener_above(&l2, NULL), 1);
  step_free(f, h, &st, b); /* base + d1 = t - d2: 1 hovers, 2 BELOW */
  OH_CHECK_EQ_INT(omniheap_listener_above(&l1, NULL), 1);
  OH_CHECK_EQ_INT(omniheap_listener_above(&l2, NULL), 0);
  b = step_alloc(f, h, &st); /* t: 1 nothing, 2 ABOVE */
  step_free(f, h, &st, b);   /* 1 nothing, 2 BELOW */
  b = step_alloc(f, h, &st); /* 1 nothing, 2 ABOVE */
  step_free(f, h, &st, b);   /* 1 nothing, 2 BELOW */
  OH_CHECK_EQ_INT(omniheap_listener_above(&l1, NULL), 1);
  step_free(f, h, &st, a); /* base: 1 BELOW */
  OH_CHECK_EQ_INT(omniheap_listener_above(&l1, NULL), 0);
  a = step_alloc(f, h, &st); /* nothing */
  b = step_alloc(f, h, &st); /* ABOVE (1 and 2) */
  step_free(f, h, &st, a);   /* base + d2: 2 BELOW; 1 nothing (= t - d2) */
  step_free(f, h, &st, b);   /* base: 1 BELOW */
  OH_CHECK_EQ_INT(st.n, 12);

  /* The designed sequence ... */
  OH_CHECK_EQ_INT(obs_kind_count(&evlog1, OMNIHEAP_EVENT_ABOVE), 2);
  OH_CHECK_EQ_INT(obs_kind_count(&evlog1, OMNIHEAP_EVENT_BELOW), 2);
  OH_CHECK_EQ_INT(obs_kind_count(&evlog2, OMNIHEAP_EVENT_ABOVE), 4);
  OH_CHECK_EQ_INT(obs_kind_count(&evlog2, OMNIHEAP_EVENT_BELOW), 4);
  OH_CHECK_EQ_INT(obs_kind_count(&evlog1, OMNIHEAP_EVENT_ALLOC), 6);
  OH_CHECK_EQ_INT(obs_kind_count(&evlog1, OMNIHEAP_EVENT_FREE), 6);
  /* ... and, call by call, the documented rule applied to the bytes in use
   * read around each call: the conditions each call causes, after its
   * operation event. */
  {
    static const unsigned char order[8] = {0, 1, 11, 10, 1, 0, 10, 11}; /* alloc a/b, free a/b */
    struct obs_model m1, m2;
    unsigned k;
    int c1, c2;
    obs_model_init(&m1, t, d2);
    obs_model_init(&m2, t, 0);
    n = 0;
    for (k = 0; k < 8U; ++k) {
      size_t before = obs_in_use(h), after;
      obs_clear(&evlog1);
      obs_clear(&evlog2);
      if (order[k] == 0U) a = f->alloc(f->unit);
      else if (order[k] == 1U) b = f->alloc(f->unit);
      else OH_CHECK(f->release(order[k] == 10U ? a : b));
      after = obs_in_use(h);
      c1 = obs_model_step(&m1, before, after);
      c2 = obs_model_step(&m2, before, after);
      if (c1 != 0) want[n++] = c1;
      check_conditions(&evlog1, &c1, c1 != 0 ? 1U : 0U, t, h);
      check_conditions(&evlog2, &c2, c2 != 0 ? 1U : 0U, t, h);
      OH_CHECK_EQ_INT(evlog1.count, c1 != 0 ? 2 : 1);
      OH_CHECK_EQ_INT(evlog2.count, c2 != 0 ? 2 : 1);
    }
    /* the designed sequence for listener 1 */
    OH_CHECK_EQ_INT(n, 4);
    OH_CHECK(memcmp(want, want1, sizeof want1) == 0);
  }
  OH_CHECK_EQ_INT(obs_in_use(h), base);
  OH_CHECK_EQ_INT(omniheap_listener_unregister(&l1), OMNIHEAP_OK);
  OH_CHECK_EQ_INT(omniheap_listener_unregister(&l2), OMNIHEAP_OK);
  OH_CHECK_EQ_INT(obs_faults.count, 0);
  f->teardown();
}

static void test_threshold_sys_heap(void) { run_threshold(&fam_sys); }
static void test_threshold_k_heap(void) { run_threshold(&fam_k); }
static void test_threshold_heapmem(void) { run_threshold(&fam_hm); }
static void test_threshold_memb(void) { run_threshold(&fam_memb); }
static void test_threshold_emh(void) { run_threshold(&fam_emh); }
static void test_threshold_ffit(void) { run_threshold(&fam_ff); }
static void test_threshold_buddy(void) { run_threshold(&fam_bd); }
#ifdef LH_MMT
static void test_threshold_mmt(void) { run_threshold(&fam_mmt); }
#endif

/* ---- ebuddy: one call, two registry heaps ------------------------------------------------------ */

/* buddy.h / family_memman: with e = 1 the emergency heap joins the registry
 * as an ffit heap ("ebuddy"). A call may then touch both heaps; whatever it
 * does, each heap's events must account for its bytes in use (a chain from
 * the statistics before the call to those after it: the conditions are
 * derived from them), a call that returns memory reports no ALLOC_FAILED,
 * and a call that returns none reports one (omniheap.h: once per call). */
static int in_area(const void *p, uintptr_t start, size_t bytes) {
  return p != NULL && (uintptr_t)p >= start && (uintptr_t)p - start < bytes;
}

/* The events of log on heap h chain from `before` to `after`; returns how
 * many there were. */
static unsigned check_chain(const struct obs_log *log, omniheap_heap_t *h, size_t before, size_t after) {
  unsigned i, n = 0, max = log->count < OBS_MAX_EVENTS ? log->count : OBS_MAX_EVENTS;
  size_t at = before;
  OH_CHECK(log->count <= OBS_MAX_EVENTS);
  for (i = 0; i < max; ++i) {
    const struct obs_event *e = &log->ev[i];
    if (e->heap != h || e->kind == OMNIHEAP_EVENT_FAULT) continue;
    OH_CHECK_EQ_INT(e->previous_in_use, at);
    at = e->in_use;
    ++n;
  }
  OH_CHECK_EQ_INT(at, after);
  return n;
}

static void test_ebuddy_events_account_for_both_heaps(void) {
  omniheap_heap_t *hb, *he;
  omniheap_stats_t b0, e0, b1, e1;
  void *blocks[64], *q = NULL, *r;
  unsigned n = 0, i;
  size_t sz;
  int rc, found = 0;
  memset(&lh_bd, 0, sizeof lh_bd);
  lh_bd.mh = (uintptr_t)obs_scratch;
  lh_bd.hs = OBS_SCRATCH_BYTES;
  lh_bd.e = 1;
  OH_REQUIRE(buddy_init(&lh_bd) == BUDDY_HEAP_OK);
  hb = omniheap_heap_find(&lh_bd);
  he = omniheap_heap_find(&lh_bd.ffh);
  OH_REQUIRE(hb != NULL && he != NULL && hb != he);
  OH_CHECK_EQ_INT(omniheap_heap_family(he), OMNIHEAP_FAMILY_FFIT);
  OH_REQUIRE(lh_bd.esize >= 128U);
  OH_REQUIRE(omniheap_listener_register(&l1, NULL, OMNIHEAP_ON_OPERATIONS | OMNIHEAP_ON_FAILURE, 0, 0,
                                        obs_record, &evlog1) == OMNIHEAP_OK);
  /* Blocks of esize / 4 bytes until one comes from the emergency heap: that
   * call succeeded, through the fallback. */
  sz = lh_bd.esize / 4U;
  while (n < 64U) {
    void *p;
    b0 = obs_stats(hb);
    e0 = obs_stats(he);
    obs_clear(&evlog1);
    p = buddy_get_block(&lh_bd, sz);
    b1 = obs_stats(hb);
    e1 = obs_stats(he);
    OH_REQUIRE(p != NULL);
    check_chain(&evlog1, hb, b0.in_use, b1.in_use);
    check_chain(&evlog1, he, e0.in_use, e1.in_use);
    OH_CHECK_EQ_INT(obs_kind_count(&evlog1, OMNIHEAP_EVENT_ALLOC_FAILED), 0);
    OH_CHECK_EQ_INT(obs_kind_count(&evlog1, OMNIHEAP_EVENT_ALLOC), 1);
    OH_CHECK_EQ_INT(b1.failed_allocations + e1.failed_allocations,
                    b0.failed_allocations + e0.failed_allocations);
    if (in_area(p, lh_bd.eh, lh_bd.esize)) {
      int k = obs_find(&evlog1, OMNIHEAP_EVENT_ALLOC, 0);
      q = p;
      found = 1;
      if (OH_CHECK(k >= 0)) {
        OH_CHECK_EQ_PTR(evlog1.ev[k].pointer, q);
        OH_CHECK_EQ_PTR(evlog1.ev[k].heap, he);
      }
      break;
    }
    blocks[n++] = p;
    if (oh_test_case_failures() != 0U) break;
  }
  OH_REQUIRE(found);
  /* A request neither area can hold: one failed call. */
  b0 = obs_stats(hb);
  e0 = obs_stats(he);
  obs_clear(&evlog1);
  OH_CHECK_EQ_PTR(buddy_get_block(&lh_bd, 2U * OBS_SCRATCH_BYTES), NULL);
  b1 = obs_stats(hb);
  e1 = obs_stats(he);
  OH_CHECK_EQ_INT(evlog1.count, 1);
  OH_CHECK_EQ_INT(obs_kind_count(&evlog1, OMNIHEAP_EVENT_ALLOC_FAILED), 1);
  OH_CHECK_EQ_INT(b1.failed_allocations + e1.failed_allocations,
                  b0.failed_allocations + e0.failed_allocations + 1U);
  /* Empty the buddy area; then q grows past what the emergency heap holds:
   * it moves into the buddy area, and both heaps' events account for it. */
  for (i = 0; i < n; ++i) OH_CHECK_EQ_INT(buddy_free_block(&lh_bd, blocks[i]), BUDDY_HEAP_OK);
  b0 = obs_stats(hb);
  e0 = obs_stats(he);
  obs_clear(&evlog1);
  r = buddy_extend_block(&lh_bd, q, lh_bd.esize, &rc);
  b1 = obs_stats(hb);
  e1 = obs_stats(he);
  OH_CHECK_EQ_INT(rc, BUDDY_HEAP_OK);
  OH_REQUIRE(r != NULL);
  OH_CHECK(!in_area(r, lh_bd.eh, lh_bd.esize));
  OH_CHECK(b1.in_use > b0.in_use);
  OH_CHECK(e1.in_use < e0.in_use);
  OH_CHECK(check_chain(&evlog1, hb, b0.in_use, b1.in_use) >= 1U);
  OH_CHECK(check_chain(&evlog1, he, e0.in_use, e1.in_use) >= 1U);
  OH_CHECK_EQ_INT(obs_kind_count(&evlog1, OMNIHEAP_EVENT_ALLOC_FAILED), 0);
  OH_CHECK_EQ_INT(b1.failed_allocations + e1.failed_allocations,
                  b0.failed_allocations + e0.failed_allocations);
  {
    int k = obs_find(&evlog1, OMNIHEAP_EVENT_ALLOC, 0);
    if (k < 0) k = obs_find(&evlog1, OMNIHEAP_EVENT_REALLOC, 0);
    if (OH_CHECK(k >= 0)) {
      OH_CHECK_EQ_PTR(evlog1.ev[k].pointer, r);
      OH_CHECK_EQ_PTR(evlog1.ev[k].heap, hb);
    }
  }
  OH_CHECK_EQ_INT(buddy_free_block(&lh_bd, r), BUDDY_HEAP_OK);
  OH_CHECK_EQ_INT(obs_in_use(hb), 0);
  OH_CHECK_EQ_INT(obs_in_use(he), 0);
  OH_CHECK_EQ_INT(omniheap_listener_unregister(&l1), OMNIHEAP_OK);
  OH_CHECK_EQ_INT(obs_faults.count, 0);
  obs_forget(&lh_bd.ffh);
  obs_forget(&lh_bd);
}

/* ---- registration --------------------------------------------------------------------------- */

static void dummy_fn(const omniheap_event_t *event, void *context) {
  (void)event;
  (void)context;
}

static int bogus_object[4];

static void test_register_rejects_bad_arguments(void) {
  omniheap_heap_t *h;
  OH_REQUIRE(sys_setup());
  h = sys_handle();
  OH_CHECK_EQ_INT(omniheap_listener_register(NULL, h, OMNIHEAP_ON_ALL, 0, 0, dummy_fn, NULL),
                  OMNIHEAP_ERR_INVALID);
  OH_CHECK_EQ_INT(omniheap_listener_register(&l1, h, OMNIHEAP_ON_ALL, 0, 0, NULL, NULL), OMNIHEAP_ERR_INVALID);
  OH_CHECK_EQ_INT(omniheap_listener_register(&l1, h, 0, 0, 0, dummy_fn, NULL), OMNIHEAP_ERR_INVALID);
  /* Bit 0 and bits above FAULT name no event. */
  OH_CHECK_EQ_INT(omniheap_listener_register(&l1, h, 1U, 0, 0, dummy_fn, NULL), OMNIHEAP_ERR_INVALID);
  OH_CHECK_EQ_INT(omniheap_listener_register(&l1, h, ~OMNIHEAP_ON_ALL, 0, 0, dummy_fn, NULL),
                  OMNIHEAP_ERR_INVALID);
  OH_CHECK_EQ_INT(omniheap_listener_register(&l1, (omniheap_heap_t *)(void *)bogus_object, OMNIHEAP_ON_ALL, 0,
                                             0, dummy_fn, NULL),
                  OMNIHEAP_ERR_NOT_FOUND);
  /* None of them registered anything. */
  OH_CHECK_EQ_INT(omniheap_listener_unregister(&l1), OMNIHEAP_ERR_NOT_FOUND);
  OH_CHECK_EQ_INT(omniheap_listener_unregister(NULL), OMNIHEAP_ERR_NOT_FOUND);
  OH_CHECK_EQ_INT(omniheap_listener_above(NULL, h), -1);
  OH_CHECK_EQ_INT(omniheap_listener_above(&l1, h), -1);
  /* Register, unregister, unregister again. */
  OH_CHECK_EQ_INT(omniheap_listener_register(&l1, h, OMNIHEAP_ON_ALL, 0, 0, dummy_fn, NULL), OMNIHEAP_OK);
  OH_CHECK_EQ_INT(omniheap_listener_unregister(&l1), OMNIHEAP_OK);
  OH_CHECK_EQ_INT(omniheap_listener_unregister(&l1), OMNIHEAP_ERR_NOT_FOUND);
  /* A heap that left the registry cannot be listened to. */
  sys_teardown();
  OH_CHECK_EQ_INT(omniheap_listener_register(&l1, h, OMNIHEAP_ON_ALL, 0, 0, dummy_fn, NULL),
                  OMNIHEAP_ERR_NOT_FOUND);
  OH_CHECK_EQ_INT(omniheap_listener_unregister(&l1), OMNIHEAP_ERR_NOT_FOUND);
}

static void test_event_kind_names(void) {
  int k, j;
  const char *unknown = omniheap_event_kind_name((omniheap_event_kind_t)0);
  OH_REQUIRE(unknown != NULL);
  OH_CHECK(strcmp(unknown, "unknown event") == 0);
  OH_CHECK(strcmp(omniheap_event_kind_name((omniheap_event_kind_t)9), "unknown event") == 0);
  OH_CHECK(strcmp(omniheap_event_kind_name((omniheap_event_kind_t)-1), "unknown event") == 0);
  OH_CHECK(strcmp(omniheap_event_kind_name(OMNIHEAP_EVENT_ALLOC), "alloc") == 0);
  OH_CHECK(strcmp(omniheap_event_kind_name(OMNIHEAP_EVENT_FREE), "free") == 0);
  OH_CHECK(strcmp(omniheap_event_kind_name(OMNIHEAP_EVENT_ABOVE), "above") == 0);
  for (k = OMNIHEAP_EVENT_ALLOC; k <= OMNIHEAP_EVENT_FAULT; ++k) {
    const char *name = omniheap_event_kind_name((omniheap_event_kind_t)k);
    OH_CHECK(name != NULL && name[0] != '\0' && strcmp(name, unknown) != 0);
    for (j = OMNIHEAP_EVENT_ALLOC; j < k; ++j)
      OH_CHECK(strcmp(name, omniheap_event_kind_name((omniheap_event_kind_t)j)) != 0);
  }
  /* The masks are the documented bits. */
  OH_CHECK_EQ_INT(OMNIHEAP_ON_ALLOC, 1U << 1);
  OH_CHECK_EQ_INT(OMNIHEAP_ON_FAULT, 1U << 8);
  OH_CHECK_EQ_INT(OMNIHEAP_ON_ALL, OMNIHEAP_ON_OPERATIONS | OMNIHEAP_ON_FAILURE | OMNIHEAP_ON_THRESHOLD |
                                       OMNIHEAP_ON_PEAK | OMNIHEAP_ON_FAULT);
}

/* Each listener gets only the kinds of its mask. */
static void test_mask_selects_events(void) {
  omniheap_heap_t *h;
  void *p, *q;
  OH_REQUIRE(sys_setup());
  h = sys_handle();
  OH_REQUIRE(h != NULL);
  OH_REQUIRE(omniheap_listener_register(&l1, h, OMNIHEAP_ON_FREE, 0, 0, obs_record, &evlog1) == OMNIHEAP_OK);
  OH_REQUIRE(omniheap_listener_register(&l2, h, OMNIHEAP_ON_PEAK | OMNIHEAP_ON_FAILURE, 0, 0, obs_record,
                                        &evlog2) == OMNIHEAP_OK);
  p = sys_alloc(16);
  q = sys_alloc(16);
  OH_CHECK(p != NULL && q != NULL);
  OH_CHECK_EQ_PTR(sys_alloc(2U * REGION_BYTES), NULL);
  q = sys_resize(q, 64);
  OH_CHECK(q != NULL);
  sys_release(p);
  sys_release(q);
  /* threshold 0 is reached by any heap, but ABOVE is not in the masks */
  OH_CHECK_EQ_INT(evlog1.count, 2);
  OH_CHECK_EQ_INT(obs_kind_count(&evlog1, OMNIHEAP_EVENT_FREE), 2);
  OH_CHECK_EQ_INT(evlog2.count, obs_kind_count(&evlog2, OMNIHEAP_EVENT_PEAK) + 1U);
  OH_CHECK(obs_kind_count(&evlog2, OMNIHEAP_EVENT_PEAK) >= 2U);
  OH_CHECK_EQ_INT(obs_kind_count(&evlog2, OMNIHEAP_EVENT_ALLOC_FAILED), 1);
  OH_CHECK_EQ_INT(obs_faults.count, 0);
  sys_teardown();
}

/* Registering a listener again moves it (no double delivery); after
 * unregistration nothing arrives. */
static void test_reregister_and_unregister(void) {
  omniheap_heap_t *ha, *hb;
  void *p, *q;
  OH_REQUIRE(sys_setup());
  sys_heap_init(&lh_sys2, REGION_B, REGION_BYTES);
  ha = sys_handle();
  hb = omniheap_heap_find(&lh_sys2);
  OH_REQUIRE(ha != NULL && hb != NULL);
  OH_REQUIRE(omniheap_listener_register(&l1, ha, OMNIHEAP_ON_ALLOC, 0, 0, obs_record, &evlog1) == OMNIHEAP_OK);
  OH_REQUIRE(omniheap_listener_register(&l1, hb, OMNIHEAP_ON_ALLOC, 0, 0, obs_record, &evlog1) == OMNIHEAP_OK);
  p = sys_alloc(8);
  q = sys_heap_alloc(&lh_sys2, 8);
  OH_CHECK_EQ_INT(evlog1.count, 1);
  OH_CHECK_EQ_PTR(evlog1.ev[0].heap, hb);
  OH_CHECK_EQ_PTR(evlog1.ev[0].pointer, q);
  OH_CHECK_EQ_INT(omniheap_listener_unregister(&l1), OMNIHEAP_OK);
  obs_clear(&evlog1);
  sys_heap_free(&lh_sys2, q);
  q = sys_heap_alloc(&lh_sys2, 8);
  OH_CHECK_EQ_INT(evlog1.count, 0);
  OH_CHECK_EQ_INT(omniheap_listener_above(&l1, hb), -1);
  sys_release(p);
  sys_heap_free(&lh_sys2, q);
  OH_CHECK_EQ_INT(evlog1.count, 0);
  OH_CHECK(sys_heap_validate(&lh_sys2));
  obs_forget(&lh_sys2);
  sys_teardown();
}

/* ---- state learnt from the first operation ------------------------------------------------------ */

/* A listener registered while the heap is over its threshold: no ABOVE
 * first; the first operation tells it the heap is above; BELOW when in use
 * falls under threshold - hysteresis. */
static void run_registered_while_above(const struct fam *f) {
  omniheap_heap_t *h;
  void *a, *b, *c;
  size_t base, t;
  OH_REQUIRE(f->setup());
  h = f->handle();
  OH_REQUIRE(h != NULL);
  base = obs_in_use(h);
  a = f->alloc(f->unit);
  t = obs_in_use(h);
  b = f->alloc(f->unit);
  OH_REQUIRE(a != NULL && b != NULL);
  OH_REQUIRE(t > base && obs_in_use(h) > t);
  /* threshold: the bytes in use with one block; hysteresis 0 */
  OH_REQUIRE(omniheap_listener_register(&l1, h, OMNIHEAP_ON_ALL, t, 0, obs_record, &evlog1) == OMNIHEAP_OK);
  OH_REQUIRE(omniheap_listener_register(&l2, h, OMNIHEAP_ON_ALL, t, 0, obs_record, &evlog2) == OMNIHEAP_OK);
  OH_CHECK_EQ_INT(omniheap_listener_above(&l1, NULL), -1);
  OH_CHECK_EQ_INT(omniheap_listener_above(&l1, h), -1);
  /* Listener 1: first operation an allocation, still above. */
  obs_clear(&evlog2);
  c = f->alloc(f->unit);
  OH_CHECK(c != NULL);
  OH_CHECK_EQ_INT(obs_kind_count(&evlog1, OMNIHEAP_EVENT_ABOVE), 0);
  OH_CHECK_EQ_INT(obs_kind_count(&evlog1, OMNIHEAP_EVENT_BELOW), 0);
  OH_CHECK_EQ_INT(omniheap_listener_above(&l1, NULL), 1);
  OH_CHECK_EQ_INT(omniheap_listener_above(&l1, h), 1);
  OH_CHECK(f->release(c));
  OH_CHECK(f->release(b)); /* back to t: still above (not under t) */
  OH_CHECK_EQ_INT(obs_kind_count(&evlog1, OMNIHEAP_EVENT_BELOW), 0);
  OH_CHECK(f->release(a)); /* under t: BELOW */
  OH_CHECK_EQ_INT(obs_kind_count(&evlog1, OMNIHEAP_EVENT_BELOW), 1);
  OH_CHECK_EQ_INT(obs_kind_count(&evlog1, OMNIHEAP_EVENT_ABOVE), 0);
  OH_CHECK_EQ_INT(omniheap_listener_above(&l1, NULL), 0);
  OH_CHECK_EQ_INT(obs_kind_count(&evlog2, OMNIHEAP_EVENT_BELOW), 1);
  OH_CHECK_EQ_INT(obs_kind_count(&evlog2, OMNIHEAP_EVENT_ABOVE), 0);
  OH_CHECK_EQ_INT(omniheap_listener_unregister(&l2), OMNIHEAP_OK);

  /* Listener 2 again, registered above; its first operation is a free that
   * takes the heap under the threshold: BELOW, and never ABOVE before it. */
  a = f->alloc(f->unit);
  b = f->alloc(f->unit);
  OH_REQUIRE(a != NULL && b != NULL);
  obs_clear(&evlog2);
  OH_REQUIRE(omniheap_listener_register(&l2, h, OMNIHEAP_ON_THRESHOLD, t + 1U, 0, obs_record, &evlog2) ==
             OMNIHEAP_OK);
  OH_CHECK(f->release(b));
  OH_CHECK_EQ_INT(evlog2.count, 1);
  OH_CHECK_EQ_INT(evlog2.ev[0].kind, OMNIHEAP_EVENT_BELOW);
  OH_CHECK_EQ_INT(evlog2.ev[0].threshold, t + 1U);
  OH_CHECK_EQ_INT(evlog2.ev[0].in_use, obs_in_use(h));
  OH_CHECK_EQ_INT(omniheap_listener_above(&l2, NULL), 0);
  OH_CHECK(f->release(a));
  OH_CHECK_EQ_INT(evlog2.count, 1);
  OH_CHECK_EQ_INT(obs_in_use(h), base);
  OH_CHECK_EQ_INT(omniheap_listener_unregister(&l1), OMNIHEAP_OK);
  OH_CHECK_EQ_INT(omniheap_listener_unregister(&l2), OMNIHEAP_OK);
  OH_CHECK_EQ_INT(obs_faults.count, 0);
  f->teardown();
}

static void test_registered_while_above_sys_heap(void) { run_registered_while_above(&fam_sys); }
static void test_registered_while_above_memb(void) { run_registered_while_above(&fam_memb); }
static void test_registered_while_above_ffit(void) { run_registered_while_above(&fam_ff); }

/* hysteresis > threshold: BELOW never fires; hysteresis == threshold: BELOW
 * only under 0, i.e. never either. */
static void test_hysteresis_larger_than_threshold(void) {
  omniheap_heap_t *h;
  void *a;
  size_t t;
  OH_REQUIRE(sys_setup());
  h = sys_handle();
  OH_REQUIRE(h != NULL);
  a = sys_alloc(16);
  t = obs_in_use(h);
  sys_release(a);
  OH_REQUIRE(t > 0U);
  OH_REQUIRE(omniheap_listener_register(&l1, h, OMNIHEAP_ON_THRESHOLD, t, t + 1U, obs_record, &evlog1) ==
             OMNIHEAP_OK);
  OH_REQUIRE(omniheap_listener_register(&l2, h, OMNIHEAP_ON_THRESHOLD, t, t, obs_record, &evlog2) ==
             OMNIHEAP_OK);
  a = sys_alloc(16);
  OH_CHECK_EQ_INT(evlog1.count, 1);
  OH_CHECK_EQ_INT(evlog1.ev[0].kind, OMNIHEAP_EVENT_ABOVE);
  OH_CHECK_EQ_INT(evlog2.count, 1);
  sys_release(a);
  OH_CHECK_EQ_INT(obs_in_use(h), 0);
  OH_CHECK_EQ_INT(evlog1.count, 1);
  OH_CHECK_EQ_INT(evlog2.count, 1);
  OH_CHECK_EQ_INT(omniheap_listener_above(&l1, NULL), 1);
  a = sys_alloc(16); /* still above: no second ABOVE */
  sys_release(a);
  OH_CHECK_EQ_INT(evlog1.count, 1);
  OH_CHECK_EQ_INT(evlog2.count, 1);
  sys_teardown();
}

/* ---- a listener on every heap ------------------------------------------------------------------- */

/* heap NULL: events of every heap (heaps registered later too), conditions
 * evaluated per heap. */
static void test_listener_on_every_heap(void) {
  omniheap_heap_t *ha, *hb, *hc, *hp;
  void *a1, *a2, *b1, *b2, *c1, *m;
  size_t t;
  unsigned i, max;
  OH_REQUIRE(sys_setup());
  sys_heap_init(&lh_sys2, REGION_B, REGION_BYTES);
  memb_init(&lh_pool2);
  ha = sys_handle();
  hb = omniheap_heap_find(&lh_sys2);
  hp = omniheap_heap_find(&lh_pool2);
  OH_REQUIRE(ha != NULL && hb != NULL && hp != NULL);
  a1 = sys_alloc(16);
  t = obs_in_use(ha) * 2U; /* two blocks of 16 on either heap */
  sys_release(a1);
  OH_REQUIRE(omniheap_listener_register(&l1, NULL, OMNIHEAP_ON_ALL, t, 0, obs_record, &evlog1) == OMNIHEAP_OK);
  OH_CHECK_EQ_INT(omniheap_listener_above(&l1, NULL), -1); /* NULL names no heap for such a listener */
  OH_CHECK_EQ_INT(omniheap_listener_above(&l1, ha), -1);

  a1 = sys_alloc(16);
  a2 = sys_alloc(16); /* A reaches t */
  b1 = sys_heap_alloc(&lh_sys2, 16); /* B stays under: A's state is not B's */
  OH_CHECK(a1 != NULL && a2 != NULL && b1 != NULL);
  OH_CHECK_EQ_INT(obs_kind_count(&evlog1, OMNIHEAP_EVENT_ABOVE), 1);
  i = (unsigned)obs_find(&evlog1, OMNIHEAP_EVENT_ABOVE, 0);
  if (OH_CHECK(i < OBS_MAX_EVENTS)) OH_CHECK_EQ_PTR(evlog1.ev[i].heap, ha);
  OH_CHECK_EQ_INT(omniheap_listener_above(&l1, ha), 1);
  OH_CHECK_EQ_INT(omniheap_listener_above(&l1, hb), 0);
  OH_CHECK_EQ_INT(omniheap_listener_above(&l1, NULL), -1);
  obs_clear(&evlog1);
  b2 = sys_heap_alloc(&lh_sys2, 16); /* B reaches t: its own ABOVE */
  OH_CHECK(b2 != NULL);
  OH_CHECK_EQ_INT(obs_kind_count(&evlog1, OMNIHEAP_EVENT_ABOVE), 1);
  i = (unsigned)obs_find(&evlog1, OMNIHEAP_EVENT_ABOVE, 0);
  if (OH_CHECK(i < OBS_MAX_EVENTS)) OH_CHECK_EQ_PTR(evlog1.ev[i].heap, hb);
  obs_clear(&evlog1);
  sys_release(a2); /* A falls: BELOW for A only */
  OH_CHECK_EQ_INT(obs_kind_count(&evlog1, OMNIHEAP_EVENT_BELOW), 1);
  i = (unsigned)obs_find(&evlog1, OMNIHEAP_EVENT_BELOW, 0);
  if (OH_CHECK(i < OBS_MAX_EVENTS)) OH_CHECK_EQ_PTR(evlog1.ev[i].heap, ha);
  OH_CHECK_EQ_INT(omniheap_listener_above(&l1, ha), 0);
  OH_CHECK_EQ_INT(omniheap_listener_above(&l1, hb), 1);

  /* Another family, and a heap registered after the listener. */
  obs_clear(&evlog1);
  m = memb_alloc(&lh_pool2);
  OH_CHECK(m != NULL);
  i = (unsigned)obs_find(&evlog1, OMNIHEAP_EVENT_ALLOC, 0);
  if (OH_CHECK(i < OBS_MAX_EVENTS)) {
    OH_CHECK_EQ_PTR(evlog1.ev[i].heap, hp);
    OH_CHECK_EQ_INT(evlog1.ev[i].family, OMNIHEAP_FAMILY_MEMB);
    OH_CHECK_EQ_PTR(evlog1.ev[i].object, &lh_pool2);
    OH_CHECK_EQ_PTR(evlog1.ev[i].pointer, m);
  }
  OH_CHECK_EQ_INT(memb_free(&lh_pool2, m), 0);
  obs_clear(&evlog1);
  memset(&lh_ff, 0, sizeof lh_ff);
  lh_ff.mh = (uintptr_t)REGION_C;
  lh_ff.hs = REGION_BYTES;
  OH_REQUIRE(ffit_init(&lh_ff) == FFIT_HEAP_OK);
  hc = omniheap_heap_find(&lh_ff);
  OH_REQUIRE(hc != NULL);
  c1 = ffit_get_block(&lh_ff, 16);
  OH_CHECK(c1 != NULL);
  i = (unsigned)obs_find(&evlog1, OMNIHEAP_EVENT_ALLOC, 0);
  if (OH_CHECK(i < OBS_MAX_EVENTS)) {
    OH_CHECK_EQ_PTR(evlog1.ev[i].heap, hc);
    OH_CHECK_EQ_INT(evlog1.ev[i].family, OMNIHEAP_FAMILY_FFIT);
    OH_CHECK_EQ_PTR(evlog1.ev[i].pointer, c1);
  }
  OH_CHECK_EQ_INT(ffit_free_block(&lh_ff, c1), FFIT_HEAP_OK);
  /* Every event of the log names the heap it happened on. */
  max = evlog1.count < OBS_MAX_EVENTS ? evlog1.count : OBS_MAX_EVENTS;
  for (i = 0; i < max; ++i) OH_CHECK_EQ_PTR(evlog1.ev[i].heap, hc);

  sys_release(a1);
  sys_heap_free(&lh_sys2, b1);
  sys_heap_free(&lh_sys2, b2);
  OH_CHECK_EQ_INT(omniheap_listener_above(&l1, hb), 0);
  OH_CHECK_EQ_INT(omniheap_listener_unregister(&l1), OMNIHEAP_OK);
  OH_CHECK_EQ_INT(obs_faults.count, 0);
  obs_forget(&lh_ff);
  obs_forget(&lh_pool2);
  OH_CHECK(sys_heap_validate(&lh_sys2));
  obs_forget(&lh_sys2);
  sys_teardown();
}

/* ---- failures: once per call ------------------------------------------------------------------------ */

/* k_heap_alloc() with a timeout retries until it gives up: one
 * ALLOC_FAILED for the call, one failed allocation in the statistics. */
static void test_k_heap_timeout_fails_once(void) {
  omniheap_heap_t *h;
  omniheap_stats_t b, a;
  void *big, *small;
  OH_REQUIRE(k_setup());
  h = k_handle();
  OH_REQUIRE(h != NULL);
  big = k_alloc(REGION_BYTES / 2U);
  small = k_alloc(16);
  OH_REQUIRE(big != NULL && small != NULL);
  OH_REQUIRE(omniheap_listener_register(&l1, h, OMNIHEAP_ON_FAILURE, 0, 0, obs_record, &evlog1) == OMNIHEAP_OK);
  b = obs_stats(h);
  OH_CHECK_EQ_PTR(k_heap_alloc(&lh_k, REGION_BYTES / 2U, K_MSEC(20)), NULL);
  a = obs_stats(h);
  OH_CHECK_EQ_INT(evlog1.count, 1);
  OH_CHECK_EQ_INT(evlog1.ev[0].kind, OMNIHEAP_EVENT_ALLOC_FAILED);
  OH_CHECK_EQ_INT(evlog1.ev[0].size, REGION_BYTES / 2U);
  OH_CHECK_EQ_PTR(evlog1.ev[0].heap, h);
  OH_CHECK_EQ_INT(evlog1.ev[0].in_use, a.in_use);
  OH_CHECK_EQ_INT(a.failed_allocations, b.failed_allocations + 1U);
  k_release(small);
  k_release(big);
  OH_CHECK_EQ_INT(obs_in_use(h), 0);
  OH_CHECK_EQ_INT(evlog1.count, 1);
  k_teardown();
}

#if defined(OH_HOSTED) && OH_HOSTED
struct churn {
  int stop; /* read and written with __atomic builtins (C99 has no <stdatomic.h>) */
  unsigned frees;
};

/* Frees and allocates a small block over and over: every free wakes the
 * waiter, which retries and fails again. */
static void *churn_main(void *arg) {
  struct churn *c = (struct churn *)arg;
  struct timespec ts = {0, 2000000L};
  void *p = NULL;
  while (!__atomic_load_n(&c->stop, __ATOMIC_ACQUIRE)) {
    nanosleep(&ts, NULL);
    if (p != NULL) {
      k_heap_free(&lh_k, p);
      ++c->frees;
    }
    p = k_heap_alloc(&lh_k, 16, K_NO_WAIT);
  }
  if (p != NULL) k_heap_free(&lh_k, p);
  return NULL;
}

static void test_k_heap_woken_retries_fail_once(void) {
  omniheap_heap_t *h;
  omniheap_stats_t b, a;
  struct churn c;
  pthread_t th;
  void *big;
  if (strcmp(OMNIHEAP_PORT_NAME, "posix") != 0) {
    oh_test_note("k_heap waits only on the posix port");
    return;
  }
  OH_REQUIRE(k_setup());
  h = k_handle();
  OH_REQUIRE(h != NULL);
  big = k_alloc(REGION_BYTES / 2U);
  OH_REQUIRE(big != NULL);
  OH_REQUIRE(omniheap_listener_register(&l1, h, OMNIHEAP_ON_FAILURE, 0, 0, obs_record, &evlog1) == OMNIHEAP_OK);
  c.stop = 0;
  c.frees = 0;
  b = obs_stats(h);
  if (!OH_CHECK(pthread_create(&th, NULL, churn_main, &c) == 0)) {
    k_release(big);
    k_teardown();
    return;
  }
  OH_CHECK_EQ_PTR(k_heap_alloc(&lh_k, REGION_BYTES / 2U, K_MSEC(60)), NULL);
  __atomic_store_n(&c.stop, 1, __ATOMIC_RELEASE);
  pthread_join(th, NULL);
  a = obs_stats(h);
  OH_CHECK(c.frees > 2U); /* the call was woken, and retried, several times */
  OH_CHECK_EQ_INT(evlog1.count, 1);
  OH_CHECK_EQ_INT(evlog1.ev[0].kind, OMNIHEAP_EVENT_ALLOC_FAILED);
  OH_CHECK_EQ_INT(evlog1.ev[0].size, REGION_BYTES / 2U);
  OH_CHECK_EQ_INT(a.failed_allocations, b.failed_allocations + 1U);
  k_release(big);
  OH_CHECK_EQ_INT(obs_in_use(h), 0);
  k_teardown();
}
#endif

/* ---- faults --------------------------------------------------------------------------------------------- */

/* A double free on a family whose default action is RETURN: one FAULT to a
 * listener of that heap and to one of every heap, none to a listener of
 * another heap. */
static void check_fault_event(const struct obs_log *log, omniheap_family_t family, omniheap_heap_t *h,
                              const void *pointer) {
  if (!OH_CHECK_EQ_INT(log->count, 1)) return;
  OH_CHECK_EQ_INT(log->ev[0].kind, OMNIHEAP_EVENT_FAULT);
  OH_CHECK_EQ_INT(log->ev[0].fault, OMNIHEAP_FAULT_DOUBLE_FREE);
  OH_CHECK_EQ_INT(log->ev[0].family, family);
  OH_CHECK_EQ_PTR(log->ev[0].heap, h);
  OH_CHECK_EQ_PTR(log->ev[0].object, omniheap_heap_object(h));
  OH_CHECK_EQ_PTR(log->ev[0].pointer, pointer);
  OH_CHECK_EQ_INT(log->ev[0].size, 0);
  OH_CHECK_EQ_INT(log->ev[0].in_use, 0);
  OH_CHECK_EQ_INT(log->ev[0].previous_in_use, 0);
}

static void run_double_free(const struct fam *f, int expect_ok_return) {
  omniheap_heap_t *h, *other;
  void *p, *keep, *keep2;
  omniheap_stats_t b;
  OH_REQUIRE(f->setup());
  sys_heap_init(&lh_sys2, REGION_B, REGION_BYTES);
  h = f->handle();
  other = omniheap_heap_find(&lh_sys2);
  OH_REQUIRE(h != NULL && other != NULL && h != other);
  /* p between two blocks in use: freed, it merges with nothing */
  keep = f->alloc(f->unit);
  p = f->alloc(f->unit);
  keep2 = f->alloc(f->unit);
  OH_REQUIRE(p != NULL && keep != NULL && keep2 != NULL);
  OH_CHECK(f->release(p));
  OH_REQUIRE(omniheap_listener_register(&l1, h, OMNIHEAP_ON_FAULT, 0, 0, obs_record, &evlog1) == OMNIHEAP_OK);
  OH_REQUIRE(omniheap_listener_register(&l2, other, OMNIHEAP_ON_ALL, 0, 0, obs_record, &evlog2) == OMNIHEAP_OK);
  b = obs_stats(h);
  OH_CHECK_EQ_INT(f->release(p), expect_ok_return); /* the second free */
  OH_CHECK_EQ_INT(obs_faults.count, 1);
  OH_CHECK_EQ_INT(obs_faults.kind, OMNIHEAP_FAULT_DOUBLE_FREE);
  check_fault_event(&evlog1, f->family, h, p);
  OH_CHECK_EQ_INT(evlog2.count, 0);
  OH_CHECK_EQ_INT(obs_in_use(h), b.in_use);
  OH_CHECK_EQ_INT(obs_stats(h).faults, b.faults + 1U);
  /* A listener of every heap sees it too. */
  OH_CHECK_EQ_INT(omniheap_listener_register(&l2, NULL, OMNIHEAP_ON_FAULT, 0, 0, obs_record, &evlog2),
                  OMNIHEAP_OK);
  obs_clear(&evlog1);
  obs_clear(&evlog2);
  OH_CHECK_EQ_INT(f->release(p), expect_ok_return);
  check_fault_event(&evlog1, f->family, h, p);
  check_fault_event(&evlog2, f->family, h, p);
  OH_CHECK_EQ_INT(obs_faults.count, 2);
  /* The heap still works. */
  OH_CHECK(f->release(keep));
  OH_CHECK(f->release(keep2));
  OH_CHECK_EQ_INT(omniheap_heap_validate(h), OMNIHEAP_OK);
  OH_CHECK_EQ_INT(omniheap_listener_unregister(&l1), OMNIHEAP_OK);
  OH_CHECK_EQ_INT(omniheap_listener_unregister(&l2), OMNIHEAP_OK);
  obs_forget(&lh_sys2);
  f->teardown();
}

static void test_fault_double_free_memb(void) { run_double_free(&fam_memb, 0); }
static void test_fault_double_free_emh(void) { run_double_free(&fam_emh, 1); }
static void test_fault_double_free_ffit(void) { run_double_free(&fam_ff, 0); }
/* sys_heap's default action is PANIC; the handler returns RETURN here. */
static void test_fault_double_free_sys_heap(void) {
  omniheap_heap_t *h;
  void *p, *k1, *k2;
  size_t in_use;
  OH_REQUIRE(sys_setup());
  h = sys_handle();
  OH_REQUIRE(h != NULL);
  k1 = sys_alloc(16);
  p = sys_alloc(16);
  k2 = sys_alloc(16);
  OH_REQUIRE(p != NULL && k1 != NULL && k2 != NULL);
  sys_release(p);
  in_use = obs_in_use(h);
  OH_REQUIRE(omniheap_listener_register(&l1, h, OMNIHEAP_ON_ALL, 0, 0, obs_record, &evlog1) == OMNIHEAP_OK);
  sys_release(p);
  OH_CHECK_EQ_INT(obs_faults.count, 1);
  OH_CHECK_EQ_INT(obs_faults.default_action, OMNIHEAP_FAULT_PANIC);
  check_fault_event(&evlog1, OMNIHEAP_FAMILY_SYS_HEAP, h, p);
  OH_CHECK_EQ_INT(obs_in_use(h), in_use);
  sys_release(k1);
  sys_release(k2);
  OH_CHECK_EQ_INT(obs_in_use(h), 0);
  sys_teardown();
}

/* ---- Zephyr heap listeners together with native listeners -------------------------------------- */

#ifdef CONFIG_HEAP_LISTENER
static struct {
  unsigned allocs, frees;
  uintptr_t id;
  void *mem;
  size_t bytes;
} zl;

static void z_alloc(uintptr_t id, void *mem, size_t bytes) {
  ++zl.allocs;
  zl.id = id;
  zl.mem = mem;
  zl.bytes = bytes;
}
static void z_free(uintptr_t id, void *mem, size_t bytes) {
  ++zl.frees;
  zl.id = id;
  zl.mem = mem;
  zl.bytes = bytes;
}

/* Both kinds see every allocation and free of a sys_heap and of a k_heap,
 * with the same whole-chunk bytes; removing one leaves the other working. */
static void run_zephyr_and_native(const struct fam *f, uintptr_t id) {
  omniheap_heap_t *h;
  void *p;
  HEAP_LISTENER_ALLOC_DEFINE(za, id, z_alloc);
  HEAP_LISTENER_FREE_DEFINE(zf, id, z_free);
  memset(&zl, 0, sizeof zl);
  if (!OH_CHECK(f->setup())) return;
  h = f->handle();
  heap_listener_register(&za);
  heap_listener_register(&zf);
  OH_CHECK_EQ_INT(omniheap_listener_register(&l1, h, OMNIHEAP_ON_OPERATIONS, 0, 0, obs_record, &evlog1),
                  OMNIHEAP_OK);
  p = f->alloc(40);
  OH_CHECK(p != NULL);
  OH_CHECK_EQ_INT(zl.allocs, 1);
  OH_CHECK(zl.id == id);
  OH_CHECK_EQ_PTR(zl.mem, p);
  OH_CHECK_EQ_INT(evlog1.count, 1);
  OH_CHECK_EQ_PTR(evlog1.ev[0].pointer, p);
  OH_CHECK_EQ_INT(evlog1.ev[0].bytes, zl.bytes);
  f->release(p);
  OH_CHECK_EQ_INT(zl.frees, 1);
  OH_CHECK_EQ_PTR(zl.mem, p);
  OH_CHECK_EQ_INT(evlog1.count, 2);
  OH_CHECK_EQ_INT(evlog1.ev[1].kind, OMNIHEAP_EVENT_FREE);
  OH_CHECK_EQ_INT(evlog1.ev[1].bytes, zl.bytes);
  /* Native gone: Zephyr's still called. */
  OH_CHECK_EQ_INT(omniheap_listener_unregister(&l1), OMNIHEAP_OK);
  p = f->alloc(8);
  f->release(p);
  OH_CHECK_EQ_INT(zl.allocs, 2);
  OH_CHECK_EQ_INT(zl.frees, 2);
  OH_CHECK_EQ_INT(evlog1.count, 2);
  /* Zephyr's gone, native back: native still called. */
  heap_listener_unregister(&za);
  heap_listener_unregister(&zf);
  OH_CHECK_EQ_INT(omniheap_listener_register(&l1, h, OMNIHEAP_ON_OPERATIONS, 0, 0, obs_record, &evlog1),
                  OMNIHEAP_OK);
  p = f->alloc(8);
  f->release(p);
  OH_CHECK_EQ_INT(zl.allocs, 2);
  OH_CHECK_EQ_INT(zl.frees, 2);
  OH_CHECK_EQ_INT(evlog1.count, 4);
  OH_CHECK_EQ_INT(omniheap_listener_unregister(&l1), OMNIHEAP_OK);
  f->teardown();
}

static void test_zephyr_and_native_listeners_sys_heap(void) {
  run_zephyr_and_native(&fam_sys, HEAP_ID_FROM_POINTER(&lh_sys));
}
static void test_zephyr_and_native_listeners_k_heap(void) {
  run_zephyr_and_native(&fam_k, HEAP_ID_FROM_POINTER(&lh_k));
}
#endif

/* ---- suite ------------------------------------------------------------------------------------------ */

void suite_listeners(void) {
  if (!obs_init()) return;
  LH_RUN(test_register_rejects_bad_arguments);
  LH_RUN(test_event_kind_names);
  LH_RUN(test_mask_selects_events);
  LH_RUN(test_reregister_and_unregister);

  LH_RUN(test_ops_sys_heap);
  LH_RUN(test_ops_k_heap);
  LH_RUN(test_ops_heapmem);
  LH_RUN(test_ops_memb);
  LH_RUN(test_ops_emh);
  LH_RUN(test_ops_ffit);
  LH_RUN(test_ops_buddy);
  LH_RUN(test_ebuddy_events_account_for_both_heaps);
#ifdef LH_MMT
  LH_RUN(test_ops_mmt);
#endif

  LH_RUN(test_threshold_sys_heap);
  LH_RUN(test_threshold_k_heap);
  LH_RUN(test_threshold_heapmem);
  LH_RUN(test_threshold_memb);
  LH_RUN(test_threshold_emh);
  LH_RUN(test_threshold_ffit);
  LH_RUN(test_threshold_buddy);
#ifdef LH_MMT
  LH_RUN(test_threshold_mmt);
#endif
  LH_RUN(test_registered_while_above_sys_heap);
  LH_RUN(test_registered_while_above_memb);
  LH_RUN(test_registered_while_above_ffit);
  LH_RUN(test_hysteresis_larger_than_threshold);
  LH_RUN(test_listener_on_every_heap);

  LH_RUN(test_k_heap_timeout_fails_once);
#if defined(OH_HOSTED) && OH_HOSTED
  LH_RUN(test_k_heap_woken_retries_fail_once);
#endif

  LH_RUN(test_fault_double_free_memb);
  LH_RUN(test_fault_double_free_emh);
  LH_RUN(test_fault_double_free_ffit);
  LH_RUN(test_fault_double_free_sys_heap);

#ifdef CONFIG_HEAP_LISTENER
  LH_RUN(test_zephyr_and_native_listeners_sys_heap);
  LH_RUN(test_zephyr_and_native_listeners_k_heap);
#endif
}
