/*
 * Conformance of <zephyr/sys/multi_heap.h> (Zephyr sys_multi_heap), black box.
 *
 * Every expectation comes from api-reference.md section 4 (upstream Zephyr
 * lib/heap/multi_heap.c and its tests), contract.md ("sys_multi_heap",
 * "Detected misuse") and the documentation in zephyr/sys/multi_heap.h,
 * zephyr/sys/sys_heap.h and omniheap.h, never from the implementation.
 *
 * Layout of the one static buffer (1.4 KiB on 32-bit targets, 1.8 KiB on
 * 64-bit ones; the suite also runs on a Cortex-M0 with 16 KiB of RAM), with
 * R = R_SIZE (384 or 512) and gaps of 64 bytes:
 *
 *   [0, 64)                below every heap
 *   [64, 64+R)             region "fast"  (heap object mh[2])
 *   gap
 *   [128+R, 128+2R)        region "dma"   (heap object mh[1])
 *   gap
 *   [192+2R, 192+3R)       region "slow"  (heap object mh[0])
 *   [192+3R, 256+3R)       above every heap
 *
 * The heap objects are declared in the opposite order of their regions, so
 * that sorting by heap->heap (the region) and sorting by the address of the
 * struct sys_heap give different orders.
 *
 * Faults of the member sys_heaps and of the multi-heap panic by default, so
 * every case runs with a counting handler that returns OMNIHEAP_FAULT_RETURN
 * (MH_RUN). Every case leaves its member heaps empty, valid and out of the
 * native registry.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "omniheap.h"
#include <zephyr/sys/multi_heap.h>
#include <zephyr/sys/sys_heap.h>

#include "blocks.h"
#include "fault_log.h"
#include "oh_test.h"
#include "suites.h"

void suite_multi_heap(void);

/* ---- memory ------------------------------------------------------------------------------------ */

/* Regions of the same free space on 64-bit and 32-bit targets (8-byte chunk
 * headers need more metadata); large enough for eight minimal heaps too. */
#if UINTPTR_MAX > 0xFFFFFFFFu || OMNIHEAP_CONF_SYS_HEAP_HEADERS == 2
#define R_SIZE 512U
#else
#define R_SIZE 384U
#endif
#define GAP 64U
#define FAST_OFF GAP
#define DMA_OFF (FAST_OFF + R_SIZE + GAP)
#define SLOW_OFF (DMA_OFF + R_SIZE + GAP)
#define MIN_STEP (((Z_HEAP_MIN_SIZE + 7U) / 8U * 8U) + 8U) /* one minimal heap and a gap */
#define MB_SIZE \
  (SLOW_OFF + R_SIZE + GAP > MIN_STEP * MAX_MULTI_HEAPS ? SLOW_OFF + R_SIZE + GAP \
                                                       : MIN_STEP * MAX_MULTI_HEAPS)
static union {
  unsigned char b[MB_SIZE];
  uint64_t align8;
  void *alignp;
} mbuf __attribute__((aligned(8)));
#define FAST_MEM (mbuf.b + FAST_OFF)
#define DMA_MEM (mbuf.b + DMA_OFF)
#define SLOW_MEM (mbuf.b + SLOW_OFF)

static struct sys_heap mh[MAX_MULTI_HEAPS];
#define H_SLOW (&mh[0])
#define H_DMA (&mh[1])
#define H_FAST (&mh[2])

/* user_data of the members, and the cfg that selects them. */
static int tag_fast, tag_dma, tag_slow;
#define FAST ((void *)&tag_fast)
#define DMA ((void *)&tag_dma)
#define SLOW ((void *)&tag_slow)

static struct sys_multi_heap mm;

#define MAX_PTRS 32
static void *ptrs[MAX_PTRS];
static size_t nptrs;

/* ---- the choice callback ------------------------------------------------------------------------ */

static struct {
  unsigned calls;
  struct sys_multi_heap *mheap;
  void *cfg;
  size_t align;
  size_t size;
  void *result;
} choice_log;

/* Routes by cfg: the member whose user_data is cfg; NULL: the first member
 * (in the array's order) with room. Allocates with sys_heap_aligned_alloc. */
static void *choose(struct sys_multi_heap *mheap, void *cfg, size_t align, size_t size) {
  unsigned i;
  void *p = NULL;
  ++choice_log.calls;
  choice_log.mheap = mheap;
  choice_log.cfg = cfg;
  choice_log.align = align;
  choice_log.size = size;
  for (i = 0; i < mheap->nheaps && p == NULL; ++i)
    if (cfg == NULL || mheap->heaps[i].user_data == cfg)
      p = sys_heap_aligned_alloc(mheap->heaps[i].heap, align, size);
  choice_log.result = p;
  return p;
}

/* A choice that returns a marker, to see that alloc returns its result as is. */
static int marker_object[2];
static void *choose_marker(struct sys_multi_heap *mheap, void *cfg, size_t align, size_t size) {
  ++choice_log.calls;
  choice_log.mheap = mheap;
  choice_log.cfg = cfg;
  choice_log.align = align;
  choice_log.size = size;
  choice_log.result = &marker_object[1];
  return cfg == NULL ? NULL : &marker_object[1];
}

static void clear_choice_log(void) { memset(&choice_log, 0, sizeof choice_log); }

/* ---- helpers ------------------------------------------------------------------------------------ */

static size_t in_use(struct sys_heap *h) {
  struct sys_memory_stats s;
  memset(&s, 0xEE, sizeof s);
  OH_CHECK_EQ_INT(sys_heap_runtime_stats_get(h, &s), 0);
  return s.allocated_bytes;
}

static void forget(struct sys_heap *h) {
  omniheap_heap_t *e = omniheap_heap_find(h);
  if (e != NULL) OH_CHECK_EQ_INT(omniheap_heap_unregister(e), OMNIHEAP_OK);
}

/* The three regions as member heaps, added in reverse address order. */
static void setup3(void) {
  memset(mbuf.b, 0x3C, sizeof mbuf.b);
  sys_heap_init(H_FAST, FAST_MEM, R_SIZE);
  sys_heap_init(H_DMA, DMA_MEM, R_SIZE);
  sys_heap_init(H_SLOW, SLOW_MEM, R_SIZE);
  sys_multi_heap_init(&mm, choose);
  sys_multi_heap_add_heap(&mm, H_SLOW, SLOW);
  sys_multi_heap_add_heap(&mm, H_DMA, DMA);
  sys_multi_heap_add_heap(&mm, H_FAST, FAST);
  clear_choice_log();
}

/* End of a case: the given member heaps are valid and empty; they leave the registry. */
static void finish_heap(struct sys_heap *h) {
  OH_CHECK(sys_heap_validate(h));
  OH_CHECK_EQ_INT(in_use(h), 0);
  forget(h);
}
static void finish3(void) {
  finish_heap(H_FAST);
  finish_heap(H_DMA);
  finish_heap(H_SLOW);
}

/* Allocates from member h (directly) until not even one byte is left. */
static void fill_member(struct sys_heap *h) {
  static const size_t sizes[] = {256, 128, 64, 32, 16, 8, 1};
  size_t i;
  nptrs = 0;
  for (i = 0; i < sizeof sizes / sizeof sizes[0]; ++i) {
    void *p;
    while (nptrs < MAX_PTRS && (p = sys_heap_alloc(h, sizes[i])) != NULL) ptrs[nptrs++] = p;
  }
  OH_CHECK(nptrs < MAX_PTRS);
  OH_CHECK_EQ_PTR(sys_heap_alloc(h, 1), NULL);
}
static void drain_member(struct sys_heap *h) {
  while (nptrs > 0U) sys_heap_free(h, ptrs[--nptrs]);
}

/* ---- fault capture ------------------------------------------------------------------------------ */

static struct fault_log faults;

#define MH_RUN(fn)                 \
  do {                             \
    fault_log_capture(&faults, 0); \
    OH_RUN(fn);                    \
    fault_log_release();           \
  } while (0)

/* The last call reported exactly one fault of the multi-heap itself. */
static void check_mh_fault(unsigned before, omniheap_fault_kind_t kind, const void *pointer,
                           const char *function) {
  OH_CHECK_EQ_INT(faults.count, before + 1U);
  OH_CHECK_EQ_INT(faults.kind, kind);
  OH_CHECK_EQ_INT(faults.family, OMNIHEAP_FAMILY_MULTI_HEAP);
  OH_CHECK_EQ_PTR(faults.object, &mm);
  OH_CHECK_EQ_PTR(faults.heap, omniheap_heap_find(&mm));
  if (pointer != NULL) OH_CHECK_EQ_PTR(faults.pointer, pointer);
  if (function != NULL) OH_CHECK(strcmp(faults.function, function) == 0);
  OH_CHECK_EQ_INT(faults.default_action, OMNIHEAP_FAULT_PANIC);
}

/* ---- types and set-up ------------------------------------------------------------------------- */

static void test_multi_heap_struct_layout(void) {
  OH_CHECK_EQ_INT(MAX_MULTI_HEAPS, 8);
  OH_CHECK_EQ_INT(sizeof mm.heaps / sizeof mm.heaps[0], MAX_MULTI_HEAPS);
  OH_CHECK_EQ_INT(offsetof(struct sys_multi_heap, nheaps), 0);
  OH_CHECK(offsetof(struct sys_multi_heap, choice) > offsetof(struct sys_multi_heap, nheaps));
  OH_CHECK(offsetof(struct sys_multi_heap, heaps) > offsetof(struct sys_multi_heap, choice));
  OH_CHECK_EQ_INT(sizeof(struct sys_multi_heap_rec), 2U * sizeof(void *));
  OH_CHECK_EQ_INT(offsetof(struct sys_multi_heap_rec, heap), 0);
  OH_CHECK_EQ_INT(offsetof(struct sys_multi_heap_rec, user_data), sizeof(void *));
  OH_CHECK(sizeof(struct sys_multi_heap) >=
           sizeof(unsigned int) + sizeof(sys_multi_heap_fn_t) +
               MAX_MULTI_HEAPS * sizeof(struct sys_multi_heap_rec));
  {
    sys_multi_heap_fn_t fn = choose; /* the callback type matches */
    OH_CHECK(fn != NULL);
  }
}

static void test_multi_heap_init_empties(void) {
  memset(&mm, 0xA5, sizeof mm);
  sys_multi_heap_init(&mm, choose);
  OH_CHECK_EQ_INT(mm.nheaps, 0);
  OH_CHECK(mm.choice == choose);
  sys_multi_heap_init(&mm, choose_marker); /* again: still empty, the new callback */
  OH_CHECK_EQ_INT(mm.nheaps, 0);
  OH_CHECK(mm.choice == choose_marker);
  OH_CHECK_EQ_INT(faults.count, 0);
}

static void test_multi_heap_add_heap_sorts_by_address(void) {
  unsigned i;
  memset(mbuf.b, 0, sizeof mbuf.b);
  sys_heap_init(H_FAST, FAST_MEM, R_SIZE);
  sys_heap_init(H_DMA, DMA_MEM, R_SIZE);
  sys_heap_init(H_SLOW, SLOW_MEM, R_SIZE);
  sys_multi_heap_init(&mm, choose);
  sys_multi_heap_add_heap(&mm, H_SLOW, SLOW);
  OH_CHECK_EQ_INT(mm.nheaps, 1);
  OH_CHECK_EQ_PTR(mm.heaps[0].heap, H_SLOW);
  OH_CHECK_EQ_PTR(mm.heaps[0].user_data, SLOW);
  sys_multi_heap_add_heap(&mm, H_DMA, DMA);
  OH_CHECK_EQ_INT(mm.nheaps, 2);
  OH_CHECK_EQ_PTR(mm.heaps[0].heap, H_DMA);
  OH_CHECK_EQ_PTR(mm.heaps[1].heap, H_SLOW);
  sys_multi_heap_add_heap(&mm, H_FAST, FAST);
  OH_CHECK_EQ_INT(mm.nheaps, 3);
  /* Sorted by heap->heap (the regions), with user_data following its heap. */
  OH_CHECK_EQ_PTR(mm.heaps[0].heap, H_FAST);
  OH_CHECK_EQ_PTR(mm.heaps[0].user_data, FAST);
  OH_CHECK_EQ_PTR(mm.heaps[1].heap, H_DMA);
  OH_CHECK_EQ_PTR(mm.heaps[1].user_data, DMA);
  OH_CHECK_EQ_PTR(mm.heaps[2].heap, H_SLOW);
  OH_CHECK_EQ_PTR(mm.heaps[2].user_data, SLOW);
  for (i = 0; i + 1U < mm.nheaps; ++i)
    OH_CHECK((uintptr_t)mm.heaps[i].heap->heap < (uintptr_t)mm.heaps[i + 1U].heap->heap);
  OH_CHECK(mm.choice == choose);
  OH_CHECK_EQ_INT(faults.count, 0);
  finish3();
}

/* ---- allocation ------------------------------------------------------------------------------ */

static void test_multi_heap_alloc_returns_choice_result(void) {
  void *p;
  setup3();
  sys_multi_heap_init(&mm, choose_marker); /* no members needed: the callback decides */
  clear_choice_log();
  p = sys_multi_heap_alloc(&mm, FAST, 40);
  OH_CHECK_EQ_PTR(p, &marker_object[1]);
  OH_CHECK_EQ_INT(choice_log.calls, 1);
  OH_CHECK_EQ_PTR(choice_log.mheap, &mm);
  OH_CHECK_EQ_PTR(choice_log.cfg, FAST);
  OH_CHECK_EQ_INT(choice_log.align, 0);
  OH_CHECK_EQ_INT(choice_log.size, 40);
  p = sys_multi_heap_aligned_alloc(&mm, DMA, 64, 100);
  OH_CHECK_EQ_PTR(p, &marker_object[1]);
  OH_CHECK_EQ_INT(choice_log.calls, 2);
  OH_CHECK_EQ_PTR(choice_log.cfg, DMA);
  OH_CHECK_EQ_INT(choice_log.align, 64);
  OH_CHECK_EQ_INT(choice_log.size, 100);
  /* A NULL from the callback is the result too. */
  OH_CHECK_EQ_PTR(sys_multi_heap_alloc(&mm, NULL, 8), NULL);
  OH_CHECK_EQ_INT(choice_log.calls, 3);
  /* The multi-heap itself allocated nothing. */
  OH_CHECK_EQ_INT(in_use(H_FAST) + in_use(H_DMA) + in_use(H_SLOW), 0);
  OH_CHECK_EQ_INT(faults.count, 0);
  finish3();
}

static void test_multi_heap_routing_by_cfg(void) {
  unsigned char *f, *d, *s, *a, *any;
  setup3();
  f = (unsigned char *)sys_multi_heap_alloc(&mm, FAST, 40);
  d = (unsigned char *)sys_multi_heap_alloc(&mm, DMA, 40);
  s = (unsigned char *)sys_multi_heap_alloc(&mm, SLOW, 40);
  a = (unsigned char *)sys_multi_heap_aligned_alloc(&mm, DMA, 64, 33);
  OH_REQUIRE(f != NULL && d != NULL && s != NULL && a != NULL);
  OH_CHECK(oh_inside(f, 40, FAST_MEM, R_SIZE));
  OH_CHECK(oh_inside(d, 40, DMA_MEM, R_SIZE));
  OH_CHECK(oh_inside(s, 40, SLOW_MEM, R_SIZE));
  OH_CHECK(oh_inside(a, 33, DMA_MEM, R_SIZE));
  OH_CHECK_EQ_INT((uintptr_t)a % 64U, 0);
  OH_CHECK_EQ_INT(choice_log.calls, 4);
  OH_CHECK_EQ_INT(choice_log.align, 64);
  oh_fill(f, 40, 1);
  oh_fill(d, 40, 2);
  oh_fill(s, 40, 3);
  oh_fill(a, 33, 4);
  OH_CHECK(in_use(H_FAST) > 0U && in_use(H_DMA) > in_use(H_SLOW) && in_use(H_SLOW) > 0U);
  /* No preference: the first member in address order. */
  any = (unsigned char *)sys_multi_heap_alloc(&mm, NULL, 16);
  OH_CHECK(any != NULL && oh_inside(any, 16, FAST_MEM, R_SIZE));
  OH_CHECK(oh_intact(f, 40, 1) && oh_intact(d, 40, 2) && oh_intact(s, 40, 3) && oh_intact(a, 33, 4));
  sys_multi_heap_free(&mm, f);
  sys_multi_heap_free(&mm, d);
  sys_multi_heap_free(&mm, s);
  sys_multi_heap_free(&mm, a);
  sys_multi_heap_free(&mm, any);
  OH_CHECK_EQ_INT(choice_log.calls, 5); /* free does not call the callback */
  OH_CHECK_EQ_INT(faults.count, 0);
  finish3();
}

/* ---- get_heap ------------------------------------------------------------------------------------ */

static void check_rec(const struct sys_multi_heap_rec *r, struct sys_heap *h, void *tag) {
  OH_CHECK(r != NULL);
  if (r == NULL) return;
  OH_CHECK_EQ_PTR(r->heap, h);
  OH_CHECK_EQ_PTR(r->user_data, tag);
  OH_CHECK(r >= &mm.heaps[0] && r < &mm.heaps[mm.nheaps]); /* the member's own record */
}

static void test_multi_heap_get_heap_finds_member(void) {
  unsigned char *f, *d, *s;
  setup3();
  f = (unsigned char *)sys_multi_heap_alloc(&mm, FAST, 24);
  d = (unsigned char *)sys_multi_heap_alloc(&mm, DMA, 24);
  s = (unsigned char *)sys_multi_heap_alloc(&mm, SLOW, 24);
  OH_REQUIRE(f != NULL && d != NULL && s != NULL);
  check_rec(sys_multi_heap_get_heap(&mm, f), H_FAST, FAST);
  check_rec(sys_multi_heap_get_heap(&mm, d), H_DMA, DMA);
  check_rec(sys_multi_heap_get_heap(&mm, s), H_SLOW, SLOW);
  check_rec(sys_multi_heap_get_heap(&mm, f + 10), H_FAST, FAST); /* any address inside */
  check_rec(sys_multi_heap_get_heap(&mm, FAST_MEM), H_FAST, FAST); /* the first byte */
  check_rec(sys_multi_heap_get_heap(&mm, DMA_MEM), H_DMA, DMA);
  check_rec(sys_multi_heap_get_heap(&mm, SLOW_MEM), H_SLOW, SLOW);
  sys_multi_heap_free(&mm, f);
  sys_multi_heap_free(&mm, d);
  sys_multi_heap_free(&mm, s);
  OH_CHECK_EQ_INT(faults.count, 0);
  finish3();
}

/* A member's memory is the region given to sys_heap_init() (start rounded up,
 * end rounded down to 8: all of it here), its last bytes included: they hold
 * the heap's end marker. */
static void test_multi_heap_get_heap_whole_region(void) {
  setup3();
  check_rec(sys_multi_heap_get_heap(&mm, FAST_MEM + R_SIZE - 1U), H_FAST, FAST);
  check_rec(sys_multi_heap_get_heap(&mm, DMA_MEM + R_SIZE - 1U), H_DMA, DMA);
  check_rec(sys_multi_heap_get_heap(&mm, SLOW_MEM + R_SIZE - 1U), H_SLOW, SLOW);
  check_rec(sys_multi_heap_get_heap(&mm, SLOW_MEM + R_SIZE - 8U), H_SLOW, SLOW);
  OH_CHECK_EQ_INT(faults.count, 0);
  finish3();
}

static void test_multi_heap_get_heap_null_outside(void) {
  static int elsewhere[4];
  setup3();
  /* contract: NULL for an address in no registered heap (upstream reads
   * heaps[-1] below the first heap and has no upper bound). */
  OH_CHECK_EQ_PTR(sys_multi_heap_get_heap(&mm, mbuf.b), NULL);          /* below all */
  OH_CHECK_EQ_PTR(sys_multi_heap_get_heap(&mm, FAST_MEM - 1), NULL);    /* just below */
  OH_CHECK_EQ_PTR(sys_multi_heap_get_heap(&mm, FAST_MEM + R_SIZE), NULL); /* just past */
  OH_CHECK_EQ_PTR(sys_multi_heap_get_heap(&mm, DMA_MEM - 8), NULL);     /* between */
  OH_CHECK_EQ_PTR(sys_multi_heap_get_heap(&mm, DMA_MEM + R_SIZE + 8U), NULL);
  OH_CHECK_EQ_PTR(sys_multi_heap_get_heap(&mm, SLOW_MEM + R_SIZE), NULL); /* above all */
  OH_CHECK_EQ_PTR(sys_multi_heap_get_heap(&mm, mbuf.b + sizeof mbuf.b - 1U), NULL);
  OH_CHECK_EQ_PTR(sys_multi_heap_get_heap(&mm, elsewhere), NULL);
  OH_CHECK_EQ_PTR(sys_multi_heap_get_heap(&mm, NULL), NULL);
  OH_CHECK_EQ_INT(faults.count, 0);
  finish3();
}

static void test_multi_heap_get_heap_empty(void) {
  static int elsewhere[4];
  memset(&mm, 0x5A, sizeof mm); /* garbage in the unused records */
  sys_multi_heap_init(&mm, choose);
  OH_CHECK_EQ_PTR(sys_multi_heap_get_heap(&mm, mbuf.b + 100), NULL);
  OH_CHECK_EQ_PTR(sys_multi_heap_get_heap(&mm, elsewhere), NULL);
  OH_CHECK_EQ_PTR(sys_multi_heap_get_heap(&mm, NULL), NULL);
  OH_CHECK_EQ_INT(faults.count, 0);
}

/* ---- free ------------------------------------------------------------------------------------ */

static void test_multi_heap_free_null_is_noop(void) {
  size_t f, d, s;
  void *p;
  setup3();
  p = sys_multi_heap_alloc(&mm, DMA, 20);
  OH_REQUIRE(p != NULL);
  f = in_use(H_FAST);
  d = in_use(H_DMA);
  s = in_use(H_SLOW);
  sys_multi_heap_free(&mm, NULL);
  sys_multi_heap_free(&mm, NULL);
  OH_CHECK_EQ_INT(in_use(H_FAST), f);
  OH_CHECK_EQ_INT(in_use(H_DMA), d);
  OH_CHECK_EQ_INT(in_use(H_SLOW), s);
  OH_CHECK_EQ_INT(faults.count, 0);
  sys_multi_heap_free(&mm, p);
  /* With no member at all (upstream works there only by accident). */
  sys_multi_heap_init(&mm, choose);
  sys_multi_heap_free(&mm, NULL);
  OH_CHECK_EQ_INT(faults.count, 0);
  OH_CHECK_EQ_INT(choice_log.calls, 1);
  finish3();
}

static void test_multi_heap_free_frees_block(void) {
  unsigned char *p, *q;
  size_t d0, d1;
  setup3();
  d0 = in_use(H_DMA);
  p = (unsigned char *)sys_multi_heap_alloc(&mm, DMA, 100);
  q = (unsigned char *)sys_multi_heap_alloc(&mm, SLOW, 100);
  OH_REQUIRE(p != NULL && q != NULL);
  oh_fill(q, 100, 6);
  d1 = in_use(H_DMA);
  OH_CHECK(d1 >= d0 + 100U);
  sys_multi_heap_free(&mm, p);
  OH_CHECK_EQ_INT(in_use(H_DMA), d0);
  OH_CHECK(in_use(H_SLOW) >= 100U);
  OH_CHECK(oh_intact(q, 100, 6));
  /* The space is free again: the same block comes back. */
  OH_CHECK_EQ_PTR(sys_multi_heap_alloc(&mm, DMA, 100), p);
  sys_multi_heap_free(&mm, p);
  sys_multi_heap_free(&mm, q);
  OH_CHECK_EQ_INT(in_use(H_SLOW), 0);
  OH_CHECK_EQ_INT(faults.count, 0);
  finish3();
}

static void test_multi_heap_free_foreign_fault(void) {
  static int elsewhere[4];
  unsigned char *p;
  size_t f, d, s;
  setup3();
  p = (unsigned char *)sys_multi_heap_alloc(&mm, FAST, 30);
  OH_REQUIRE(p != NULL);
  oh_fill(p, 30, 7);
  f = in_use(H_FAST);
  d = in_use(H_DMA);
  s = in_use(H_SLOW);
  sys_multi_heap_free(&mm, elsewhere);
  check_mh_fault(0, OMNIHEAP_FAULT_FOREIGN_POINTER, elsewhere, "sys_multi_heap_free");
  sys_multi_heap_free(&mm, DMA_MEM - 16); /* between two members */
  check_mh_fault(1, OMNIHEAP_FAULT_FOREIGN_POINTER, DMA_MEM - 16, "sys_multi_heap_free");
  sys_multi_heap_free(&mm, mbuf.b + 8); /* below every member */
  check_mh_fault(2, OMNIHEAP_FAULT_FOREIGN_POINTER, mbuf.b + 8, "sys_multi_heap_free");
  sys_multi_heap_free(&mm, SLOW_MEM + R_SIZE + 16U); /* above every member */
  check_mh_fault(3, OMNIHEAP_FAULT_FOREIGN_POINTER, SLOW_MEM + R_SIZE + 16U,
                 "sys_multi_heap_free");
  /* With no member at all. */
  {
    struct sys_multi_heap saved = mm;
    sys_multi_heap_init(&mm, choose);
    sys_multi_heap_free(&mm, p);
    check_mh_fault(4, OMNIHEAP_FAULT_FOREIGN_POINTER, p, "sys_multi_heap_free");
    mm = saved;
  }
  OH_CHECK_EQ_INT(in_use(H_FAST), f);
  OH_CHECK_EQ_INT(in_use(H_DMA), d);
  OH_CHECK_EQ_INT(in_use(H_SLOW), s);
  OH_CHECK(oh_intact(p, 30, 7));
  OH_CHECK(sys_heap_validate(H_FAST) && sys_heap_validate(H_DMA) && sys_heap_validate(H_SLOW));
  OH_CHECK_EQ_INT(mm.nheaps, 3);
  sys_multi_heap_free(&mm, p);
  OH_CHECK_EQ_INT(faults.count, 5);
  finish3();
}

static void test_multi_heap_free_interior_reported_by_member(void) {
  unsigned char *p;
  size_t d;
  setup3();
  p = (unsigned char *)sys_multi_heap_alloc(&mm, DMA, 64);
  OH_REQUIRE(p != NULL);
  d = in_use(H_DMA);
  sys_multi_heap_free(&mm, p + 16);
  OH_CHECK_EQ_INT(faults.count, 1);
  OH_CHECK_EQ_INT(faults.kind, OMNIHEAP_FAULT_INTERIOR_POINTER);
  OH_CHECK_EQ_INT(faults.family, OMNIHEAP_FAMILY_SYS_HEAP);
  OH_CHECK_EQ_PTR(faults.object, H_DMA);
  OH_CHECK_EQ_PTR(faults.pointer, p + 16);
  OH_CHECK_EQ_INT(in_use(H_DMA), d);
  sys_multi_heap_free(&mm, p);
  sys_multi_heap_free(&mm, p); /* double free: also the member's */
  OH_CHECK_EQ_INT(faults.count, 2);
  OH_CHECK_EQ_INT(faults.kind, OMNIHEAP_FAULT_DOUBLE_FREE);
  OH_CHECK_EQ_INT(faults.family, OMNIHEAP_FAMILY_SYS_HEAP);
  OH_CHECK(sys_heap_validate(H_DMA));
  finish3();
}

/* ---- realloc ----------------------------------------------------------------------------------- */

static void test_multi_heap_realloc_null_allocates_via_choice(void) {
  unsigned char *p;
  setup3();
  p = (unsigned char *)sys_multi_heap_aligned_realloc(&mm, DMA, NULL, 32, 50);
  OH_REQUIRE(p != NULL);
  OH_CHECK_EQ_INT(choice_log.calls, 1);
  OH_CHECK_EQ_PTR(choice_log.cfg, DMA);
  OH_CHECK_EQ_INT(choice_log.align, 32);
  OH_CHECK_EQ_INT(choice_log.size, 50);
  OH_CHECK_EQ_PTR(choice_log.result, p);
  OH_CHECK(oh_inside(p, 50, DMA_MEM, R_SIZE));
  OH_CHECK_EQ_INT((uintptr_t)p % 32U, 0);
  sys_multi_heap_free(&mm, p);
  OH_CHECK_EQ_INT(faults.count, 0);
  finish3();
}

static void test_multi_heap_realloc_zero_frees(void) {
  void *p, *q;
  setup3();
  p = sys_multi_heap_alloc(&mm, SLOW, 80);
  q = sys_multi_heap_alloc(&mm, SLOW, 8);
  OH_REQUIRE(p != NULL && q != NULL);
  clear_choice_log();
  OH_CHECK_EQ_PTR(sys_multi_heap_aligned_realloc(&mm, SLOW, p, 0, 0), NULL);
  OH_CHECK_EQ_INT(choice_log.calls, 0);
  OH_CHECK(in_use(H_SLOW) < 80U); /* only q is left */
  OH_CHECK_EQ_PTR(sys_multi_heap_aligned_realloc(&mm, NULL, q, 16, 0), NULL);
  OH_CHECK_EQ_INT(in_use(H_SLOW), 0);
  OH_CHECK_EQ_INT(choice_log.calls, 0);
  OH_CHECK_EQ_INT(faults.count, 0);
  finish3();
}

static void test_multi_heap_realloc_grows_in_place(void) {
  unsigned char *p, *q;
  setup3();
  p = (unsigned char *)sys_multi_heap_alloc(&mm, FAST, 32);
  OH_REQUIRE(p != NULL);
  oh_fill(p, 32, 8);
  clear_choice_log();
  q = (unsigned char *)sys_multi_heap_aligned_realloc(&mm, DMA, p, 0, 200);
  OH_CHECK_EQ_PTR(q, p); /* its own heap had room right after it */
  OH_CHECK_EQ_INT(choice_log.calls, 0);
  if (q != NULL) p = q;
  OH_CHECK(oh_intact(p, 32, 8));
  OH_CHECK(sys_heap_usable_size(H_FAST, p) >= 200U);
  q = (unsigned char *)sys_multi_heap_aligned_realloc(&mm, DMA, p, 0, 16); /* shrinks in place */
  OH_CHECK_EQ_PTR(q, p);
  if (q != NULL) p = q;
  OH_CHECK(oh_intact(p, 16, 8));
  OH_CHECK_EQ_INT(choice_log.calls, 0);
  sys_multi_heap_free(&mm, p);
  /* An aligned block that already meets the alignment also grows in place. */
  p = (unsigned char *)sys_multi_heap_aligned_alloc(&mm, SLOW, 64, 24);
  OH_REQUIRE(p != NULL);
  clear_choice_log();
  q = (unsigned char *)sys_multi_heap_aligned_realloc(&mm, SLOW, p, 64, 150);
  OH_CHECK_EQ_PTR(q, p);
  OH_CHECK_EQ_INT(choice_log.calls, 0);
  sys_multi_heap_free(&mm, q != NULL ? q : p);
  OH_CHECK_EQ_INT(faults.count, 0);
  finish3();
}

/* A block that does not meet the new alignment moves (in its own heap, which
 * has room: the callback is not needed). */
static void test_multi_heap_aligned_realloc_meets_new_alignment(void) {
  unsigned char *pad = NULL, *p, *q;
  setup3();
  p = (unsigned char *)sys_multi_heap_alloc(&mm, SLOW, 24);
  OH_REQUIRE(p != NULL);
  if ((uintptr_t)p % 64U == 0U) { /* make sure it is not 64-aligned already */
    pad = p;
    p = (unsigned char *)sys_multi_heap_alloc(&mm, SLOW, 24);
    OH_REQUIRE(p != NULL && (uintptr_t)p % 64U != 0U);
  }
  oh_fill(p, 24, 12);
  clear_choice_log();
  q = (unsigned char *)sys_multi_heap_aligned_realloc(&mm, SLOW, p, 64, 40);
  OH_REQUIRE(q != NULL);
  OH_CHECK_EQ_INT((uintptr_t)q % 64U, 0);
  OH_CHECK(oh_intact(q, 24, 12));
  OH_CHECK(oh_inside(q, 40, SLOW_MEM, R_SIZE));
  OH_CHECK_EQ_INT(choice_log.calls, 0);
  sys_multi_heap_free(&mm, q);
  sys_multi_heap_free(&mm, pad);
  OH_CHECK_EQ_INT(faults.count, 0);
  finish3();
}

static void test_multi_heap_realloc_moves_to_other_heap(void) {
  unsigned char *p, *q;
  size_t fast_full;
  setup3();
  p = (unsigned char *)sys_multi_heap_alloc(&mm, FAST, 32);
  OH_REQUIRE(p != NULL);
  oh_fill(p, 32, 9);
  fill_member(H_FAST); /* no room left in p's own heap */
  fast_full = in_use(H_FAST);
  clear_choice_log();
  q = (unsigned char *)sys_multi_heap_aligned_realloc(&mm, DMA, p, 0, 200);
  OH_REQUIRE(q != NULL);
  OH_CHECK_EQ_INT(choice_log.calls, 1);
  OH_CHECK_EQ_PTR(choice_log.cfg, DMA);
  OH_CHECK_EQ_INT(choice_log.size, 200);
  OH_CHECK_EQ_INT(choice_log.align, 0);
  OH_CHECK(oh_inside(q, 200, DMA_MEM, R_SIZE));
  OH_CHECK(oh_intact(q, 32, 9)); /* contents copied */
  OH_CHECK(in_use(H_FAST) < fast_full); /* the old block was freed */
  OH_CHECK(in_use(H_DMA) >= 200U);
  check_rec(sys_multi_heap_get_heap(&mm, q), H_DMA, DMA);
  sys_multi_heap_free(&mm, q);
  drain_member(H_FAST);
  OH_CHECK_EQ_INT(faults.count, 0);
  finish3();
}

static void test_multi_heap_realloc_failure_keeps_block(void) {
  unsigned char *p;
  size_t fast_full;
  setup3();
  p = (unsigned char *)sys_multi_heap_alloc(&mm, FAST, 32);
  OH_REQUIRE(p != NULL);
  oh_fill(p, 32, 10);
  fill_member(H_FAST);
  fast_full = in_use(H_FAST);
  clear_choice_log();
  /* Its own heap is full and the callback finds nothing (cfg: the same heap). */
  OH_CHECK_EQ_PTR(sys_multi_heap_aligned_realloc(&mm, FAST, p, 0, 200), NULL);
  OH_CHECK_EQ_INT(choice_log.calls, 1);
  OH_CHECK_EQ_INT(in_use(H_FAST), fast_full);
  OH_CHECK(oh_intact(p, 32, 10));
  /* Too big for any member. */
  OH_CHECK_EQ_PTR(sys_multi_heap_aligned_realloc(&mm, NULL, p, 0, 4096), NULL);
  OH_CHECK_EQ_INT(in_use(H_FAST), fast_full);
  OH_CHECK_EQ_INT(in_use(H_DMA) + in_use(H_SLOW), 0);
  OH_CHECK(oh_intact(p, 32, 10));
  OH_CHECK(sys_heap_validate(H_FAST));
  sys_multi_heap_free(&mm, p);
  drain_member(H_FAST);
  OH_CHECK_EQ_INT(faults.count, 0);
  finish3();
}

static void test_multi_heap_realloc_macro(void) {
  unsigned char *p, *q;
  setup3();
  p = (unsigned char *)sys_multi_heap_realloc(&mm, SLOW, NULL, 40);
  OH_REQUIRE(p != NULL);
  OH_CHECK_EQ_INT(choice_log.calls, 1);
  OH_CHECK_EQ_INT(choice_log.align, 0);
  OH_CHECK(oh_inside(p, 40, SLOW_MEM, R_SIZE));
  oh_fill(p, 40, 11);
  q = (unsigned char *)sys_multi_heap_realloc(&mm, SLOW, p, 120);
  OH_REQUIRE(q != NULL);
  OH_CHECK(oh_intact(q, 40, 11));
  OH_CHECK_EQ_PTR(sys_multi_heap_realloc(&mm, SLOW, q, 0), NULL);
  OH_CHECK_EQ_INT(in_use(H_SLOW), 0);
  OH_CHECK_EQ_INT(faults.count, 0);
  finish3();
}

static void test_multi_heap_realloc_foreign_fault(void) {
  static int elsewhere[4];
  size_t f, d, s;
  setup3();
  f = in_use(H_FAST);
  d = in_use(H_DMA);
  s = in_use(H_SLOW);
  OH_CHECK_EQ_PTR(sys_multi_heap_aligned_realloc(&mm, DMA, elsewhere, 0, 64), NULL);
  check_mh_fault(0, OMNIHEAP_FAULT_FOREIGN_POINTER, elsewhere, NULL);
  OH_CHECK_EQ_PTR(sys_multi_heap_realloc(&mm, DMA, DMA_MEM - 16, 64), NULL);
  check_mh_fault(1, OMNIHEAP_FAULT_FOREIGN_POINTER, DMA_MEM - 16, NULL);
  OH_CHECK_EQ_INT(choice_log.calls, 0); /* nothing was allocated for it */
  OH_CHECK_EQ_INT(in_use(H_FAST), f);
  OH_CHECK_EQ_INT(in_use(H_DMA), d);
  OH_CHECK_EQ_INT(in_use(H_SLOW), s);
  finish3();
}

/* ---- capacity and registry ------------------------------------------------------------------- */

static void test_multi_heap_add_beyond_max_faults(void) {
  const size_t step = MIN_STEP;
  struct sys_multi_heap_rec before[MAX_MULTI_HEAPS];
  unsigned i;
  OH_REQUIRE(step * MAX_MULTI_HEAPS <= sizeof mbuf.b);
  memset(mbuf.b, 0, sizeof mbuf.b);
  sys_multi_heap_init(&mm, choose);
  /* mh[i] on region MAX-1-i: added in reverse address order. */
  for (i = 0; i < MAX_MULTI_HEAPS; ++i) {
    sys_heap_init(&mh[i], mbuf.b + (MAX_MULTI_HEAPS - 1U - i) * step, step - 8U);
    sys_multi_heap_add_heap(&mm, &mh[i], &mh[i]);
    OH_CHECK_EQ_INT(mm.nheaps, i + 1U);
  }
  OH_CHECK_EQ_INT(faults.count, 0);
  for (i = 0; i < MAX_MULTI_HEAPS; ++i) {
    OH_CHECK_EQ_PTR(mm.heaps[i].heap, &mh[MAX_MULTI_HEAPS - 1U - i]);
    OH_CHECK_EQ_PTR(mm.heaps[i].user_data, mm.heaps[i].heap);
    check_rec(sys_multi_heap_get_heap(&mm, mbuf.b + i * step + 8U), &mh[MAX_MULTI_HEAPS - 1U - i],
              &mh[MAX_MULTI_HEAPS - 1U - i]);
  }
  memcpy(before, mm.heaps, sizeof before);
  sys_multi_heap_add_heap(&mm, &mh[0], NULL); /* a ninth member */
  check_mh_fault(0, OMNIHEAP_FAULT_BAD_ARGUMENT, NULL, "sys_multi_heap_add_heap");
  OH_CHECK_EQ_INT(mm.nheaps, MAX_MULTI_HEAPS);
  OH_CHECK(memcmp(before, mm.heaps, sizeof before) == 0);
  /* Still fully usable. */
  {
    void *p = sys_multi_heap_alloc(&mm, &mh[5], 1);
    OH_CHECK(p != NULL);
    check_rec(sys_multi_heap_get_heap(&mm, p), &mh[5], &mh[5]);
    sys_multi_heap_free(&mm, p);
  }
  OH_CHECK_EQ_INT(faults.count, 1);
  for (i = 0; i < MAX_MULTI_HEAPS; ++i) finish_heap(&mh[i]);
}

static void test_multi_heap_members_in_registry(void) {
  omniheap_heap_t *e;
  omniheap_stats_t n = OMNIHEAP_STATS_INIT;
  void *p;
  setup3();
  e = omniheap_heap_find(H_DMA);
  OH_REQUIRE(e != NULL);
  OH_CHECK_EQ_INT(omniheap_heap_family(e), OMNIHEAP_FAMILY_SYS_HEAP);
  p = sys_multi_heap_alloc(&mm, DMA, 100);
  OH_REQUIRE(p != NULL);
  OH_REQUIRE(omniheap_heap_stats(e, &n) == OMNIHEAP_OK);
  OH_CHECK_EQ_INT(n.in_use, in_use(H_DMA));
  OH_CHECK_EQ_INT(n.live_blocks, 1);
  OH_REQUIRE(omniheap_heap_stats(omniheap_heap_find(H_FAST), &n) == OMNIHEAP_OK);
  OH_CHECK_EQ_INT(n.live_blocks, 0);
  sys_multi_heap_free(&mm, p);
  OH_CHECK_EQ_INT(faults.count, 0);
  finish3();
}

/* ---- suite ----------------------------------------------------------------------------------- */

void suite_multi_heap(void) {
  MH_RUN(test_multi_heap_struct_layout);
  MH_RUN(test_multi_heap_init_empties);
  MH_RUN(test_multi_heap_add_heap_sorts_by_address);
  MH_RUN(test_multi_heap_alloc_returns_choice_result);
  MH_RUN(test_multi_heap_routing_by_cfg);
  MH_RUN(test_multi_heap_get_heap_finds_member);
  MH_RUN(test_multi_heap_get_heap_whole_region);
  MH_RUN(test_multi_heap_get_heap_null_outside);
  MH_RUN(test_multi_heap_get_heap_empty);
  MH_RUN(test_multi_heap_free_null_is_noop);
  MH_RUN(test_multi_heap_free_frees_block);
  MH_RUN(test_multi_heap_free_foreign_fault);
  MH_RUN(test_multi_heap_free_interior_reported_by_member);
  MH_RUN(test_multi_heap_realloc_null_allocates_via_choice);
  MH_RUN(test_multi_heap_realloc_zero_frees);
  MH_RUN(test_multi_heap_realloc_grows_in_place);
  MH_RUN(test_multi_heap_aligned_realloc_meets_new_alignment);
  MH_RUN(test_multi_heap_realloc_moves_to_other_heap);
  MH_RUN(test_multi_heap_realloc_failure_keeps_block);
  MH_RUN(test_multi_heap_realloc_macro);
  MH_RUN(test_multi_heap_realloc_foreign_fault);
  MH_RUN(test_multi_heap_add_beyond_max_faults);
  MH_RUN(test_multi_heap_members_in_registry);
}
