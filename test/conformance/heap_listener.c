/*
 * Conformance of <zephyr/sys/heap_listener.h> (Zephyr heap listeners) and of
 * the notifications that sys_heap and k_heap send, black box.
 *
 * Every expectation comes from api-reference.md section 4 (4.2 listener
 * types, 4.3 listener functions and macros, 4.5 "Listener notifications"),
 * contract.md and the documentation in zephyr/sys/heap_listener.h,
 * zephyr/sys/sys_heap.h and zephyr/kernel.h, never from the implementation.
 *
 * Facts used: heap_id is HEAP_ID_FROM_POINTER of the struct sys_heap (for a
 * k_heap: of the k_heap, whose first member is the sys_heap); an alloc is
 * notified after it happened and a free before it happens; the bytes are the
 * block's whole chunk, the unit sys_heap's runtime statistics count; an
 * in-place realloc sends alloc(new chunk) then free(old chunk) for the same
 * pointer; a listener fires only if heap_id and event match and its
 * callback is not NULL; registration appends to one global list, twice has
 * no effect.
 *
 * Listeners are mostly defined inside the test functions with the
 * HEAP_LISTENER_*_DEFINE macros (local variables, as Zephyr's tests do), so
 * every case unregisters them before it returns and never returns early
 * while one is registered. Heaps are small (the suite also runs on a
 * Cortex-M0 with 16 KiB of RAM) and leave the native registry at the end of
 * each case. Without CONFIG_HEAP_LISTENER (OMNIHEAP_CONF_HEAP_LISTENER = 0)
 * the suite is empty.
 */
#include <zephyr/sys/heap_listener.h>

void suite_heap_listener(void);

#ifdef CONFIG_HEAP_LISTENER

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "omniheap.h"
#include <zephyr/kernel.h>
#include <zephyr/sys/sys_heap.h>

#include "blocks.h"
#include "fault_log.h"
#include "oh_test.h"
#include "suites.h"

/* ---- heaps ------------------------------------------------------------------------------------- */

/* The same free space on 64-bit and 32-bit targets (8-byte chunk headers
 * need more metadata); 32-bit RAM is small. */
#if UINTPTR_MAX > 0xFFFFFFFFu || OMNIHEAP_CONF_SYS_HEAP_HEADERS == 2
#define HA_SIZE 1024U
#define HB_SIZE 512U
#define HK_SIZE 512U
#else
#define HA_SIZE 768U
#define HB_SIZE 384U
#define HK_SIZE 384U
#endif
static union {
  unsigned char b[HA_SIZE + HB_SIZE + HK_SIZE];
  uint64_t align8;
  void *alignp;
} lbuf __attribute__((aligned(8)));
#define HA_MEM (lbuf.b)
#define HB_MEM (lbuf.b + HA_SIZE)
#define HK_MEM (lbuf.b + HA_SIZE + HB_SIZE)

static struct sys_heap ha, hb;
static struct k_heap hk;

/* Chunk header bytes of our heaps (all under 256 KiB): sys_heap.h. */
static size_t hdr(void) {
#if UINTPTR_MAX > 0xFFFFFFFFu || OMNIHEAP_CONF_SYS_HEAP_HEADERS == 2
  return 8U;
#else
  return 4U;
#endif
}
static size_t chunk_of(size_t n) { return (n + hdr() + 7U) / 8U * 8U; }

static size_t allocated(struct sys_heap *h) {
  struct sys_memory_stats s;
  memset(&s, 0xEE, sizeof s);
  if (sys_heap_runtime_stats_get(h, &s) != 0) return (size_t)-1;
  return s.allocated_bytes;
}

static void forget(const void *object) {
  omniheap_heap_t *e = omniheap_heap_find(object);
  if (e != NULL) OH_CHECK_EQ_INT(omniheap_heap_unregister(e), OMNIHEAP_OK);
}

static void fresh(void) {
  memset(lbuf.b, 0, sizeof lbuf.b);
  sys_heap_init(&ha, HA_MEM, HA_SIZE);
  sys_heap_init(&hb, HB_MEM, HB_SIZE);
}
static void finish_sys(struct sys_heap *h) {
  OH_CHECK(sys_heap_validate(h));
  OH_CHECK_EQ_INT(allocated(h), 0);
  forget(h);
}
static void finish(void) {
  finish_sys(&ha);
  finish_sys(&hb);
}

/* ---- the event log ------------------------------------------------------------------------------- */

struct event {
  int type;        /* HEAP_ALLOC, HEAP_FREE or HEAP_RESIZE */
  int who;         /* which callback */
  uintptr_t id;
  void *mem;       /* or old_heap_end */
  void *new_end;   /* resize only */
  size_t bytes;
  size_t then;     /* allocated bytes of `probe` during the call (if set) */
};

#define MAX_EVENTS 8
static struct event events[MAX_EVENTS];
static unsigned n_events;     /* calls, including those past MAX_EVENTS */
static struct sys_heap *probe; /* a plain sys_heap whose statistics callbacks read */

static void clear_events(void) {
  memset(events, 0, sizeof events);
  n_events = 0;
}

static void record(int type, int who, uintptr_t id, void *mem, void *new_end, size_t bytes) {
  if (n_events < MAX_EVENTS) {
    struct event *e = &events[n_events];
    e->type = type;
    e->who = who;
    e->id = id;
    e->mem = mem;
    e->new_end = new_end;
    e->bytes = bytes;
    e->then = probe != NULL ? allocated(probe) : 0U;
  }
  ++n_events;
}

static void on_alloc(uintptr_t id, void *mem, size_t bytes) {
  record(HEAP_ALLOC, 1, id, mem, NULL, bytes);
}
static void on_alloc2(uintptr_t id, void *mem, size_t bytes) {
  record(HEAP_ALLOC, 2, id, mem, NULL, bytes);
}
static void on_free(uintptr_t id, void *mem, size_t bytes) {
  record(HEAP_FREE, 1, id, mem, NULL, bytes);
}
static void on_resize(uintptr_t id, void *old_end, void *new_end) {
  record(HEAP_RESIZE, 1, id, old_end, new_end, 0);
}

/* Event i is (type, id, mem, bytes). */
static void check_event(unsigned i, int type, uintptr_t id, const void *mem, size_t bytes) {
  if (!OH_CHECK(i < n_events && i < MAX_EVENTS)) return;
  OH_CHECK_EQ_INT(events[i].type, type);
  OH_CHECK(events[i].id == id);
  OH_CHECK_EQ_PTR(events[i].mem, mem);
  OH_CHECK_EQ_INT(events[i].bytes, bytes);
}

/* ---- fault capture ------------------------------------------------------------------------------- */

static struct fault_log faults;

#define HL_RUN(fn)                 \
  do {                             \
    fault_log_capture(&faults, 0); \
    clear_events();                \
    probe = NULL;                  \
    OH_RUN(fn);                    \
    probe = NULL;                  \
    fault_log_release();           \
  } while (0)

/* ---- types and macros ---------------------------------------------------------------------------- */

static void test_listener_types_and_macros(void) {
  static int object;
  HEAP_LISTENER_ALLOC_DEFINE(la, HEAP_ID_FROM_POINTER(&ha), on_alloc);
  HEAP_LISTENER_FREE_DEFINE(lf, HEAP_ID_LIBC, on_free);
  HEAP_LISTENER_RESIZE_DEFINE(lr, HEAP_ID_FROM_POINTER(&object), on_resize);
  heap_listener_alloc_cb_t acb = on_alloc;
  heap_listener_free_cb_t fcb = on_free;
  heap_listener_resize_cb_t rcb = on_resize;
  OH_CHECK(HEAP_ID_LIBC == (uintptr_t)0);
  OH_CHECK(HEAP_ID_FROM_POINTER(&object) == (uintptr_t)&object);
  OH_CHECK(HEAP_ID_FROM_POINTER(&hk) == (uintptr_t)&hk);
  OH_CHECK(HEAP_ID_FROM_POINTER(&hk.heap) == (uintptr_t)&hk);
  OH_CHECK_EQ_INT(HEAP_EVT_UNKNOWN, 0);
  OH_CHECK_EQ_INT(HEAP_RESIZE, 1);
  OH_CHECK_EQ_INT(HEAP_ALLOC, 2);
  OH_CHECK_EQ_INT(HEAP_FREE, 3);
  OH_CHECK_EQ_INT(HEAP_REALLOC, 4);
  OH_CHECK_EQ_INT(HEAP_MAX_EVENTS, 5);
  OH_CHECK(la.heap_id == (uintptr_t)&ha);
  OH_CHECK_EQ_INT(la.event, HEAP_ALLOC);
  OH_CHECK(la.alloc_cb == acb);
  OH_CHECK_EQ_PTR(la.node.next, NULL);
  OH_CHECK(lf.heap_id == HEAP_ID_LIBC);
  OH_CHECK_EQ_INT(lf.event, HEAP_FREE);
  OH_CHECK(lf.free_cb == fcb);
  OH_CHECK(lr.heap_id == (uintptr_t)&object);
  OH_CHECK_EQ_INT(lr.event, HEAP_RESIZE);
  OH_CHECK(lr.resize_cb == rcb);
#ifndef CONFIG_SYS_HEAP_LISTENER
  OH_CHECK(0); /* the header defines it with CONFIG_HEAP_LISTENER */
#endif
  OH_CHECK_EQ_INT(n_events, 0);
}

/* ---- notify functions ---------------------------------------------------------------------------- */

static void test_listener_notify_directly(void) {
  static int object, other, block[4];
  const uintptr_t id = HEAP_ID_FROM_POINTER(&object);
  HEAP_LISTENER_ALLOC_DEFINE(la, HEAP_ID_FROM_POINTER(&object), on_alloc);
  HEAP_LISTENER_FREE_DEFINE(lf, HEAP_ID_FROM_POINTER(&object), on_free);
  HEAP_LISTENER_RESIZE_DEFINE(lr, HEAP_ID_FROM_POINTER(&object), on_resize);
  heap_listener_register(&la);
  heap_listener_register(&lf);
  heap_listener_register(&lr);
  heap_listener_notify_alloc(id, block, 40);
  OH_CHECK_EQ_INT(n_events, 1);
  check_event(0, HEAP_ALLOC, id, block, 40);
  heap_listener_notify_free(id, &block[1], 24);
  OH_CHECK_EQ_INT(n_events, 2);
  check_event(1, HEAP_FREE, id, &block[1], 24);
  heap_listener_notify_resize(id, &block[0], &block[3]);
  OH_CHECK_EQ_INT(n_events, 3);
  if (n_events == 3U) {
    OH_CHECK_EQ_INT(events[2].type, HEAP_RESIZE);
    OH_CHECK(events[2].id == id);
    OH_CHECK_EQ_PTR(events[2].mem, &block[0]);
    OH_CHECK_EQ_PTR(events[2].new_end, &block[3]);
  }
  /* Another heap id: nobody listens. */
  heap_listener_notify_alloc(HEAP_ID_FROM_POINTER(&other), block, 8);
  heap_listener_notify_free(HEAP_ID_FROM_POINTER(&other), block, 8);
  heap_listener_notify_resize(HEAP_ID_FROM_POINTER(&other), block, block);
  heap_listener_notify_alloc(HEAP_ID_LIBC, block, 8);
  OH_CHECK_EQ_INT(n_events, 3);
  heap_listener_unregister(&la);
  heap_listener_unregister(&lf);
  heap_listener_unregister(&lr);
  heap_listener_notify_alloc(id, block, 40);
  heap_listener_notify_free(id, block, 40);
  heap_listener_notify_resize(id, block, block);
  OH_CHECK_EQ_INT(n_events, 3);
  OH_CHECK_EQ_INT(faults.count, 0);
}

static void test_listener_resize_reaches_resize_listener(void) {
  static int a, b;
  HEAP_LISTENER_RESIZE_DEFINE(lr, HEAP_ID_LIBC, on_resize);
  HEAP_LISTENER_ALLOC_DEFINE(la, HEAP_ID_LIBC, on_alloc);
  HEAP_LISTENER_FREE_DEFINE(lf, HEAP_ID_LIBC, on_free);
  HEAP_LISTENER_RESIZE_DEFINE(lr_other, HEAP_ID_FROM_POINTER(&a), on_resize);
  heap_listener_register(&lr);
  heap_listener_register(&la);
  heap_listener_register(&lf);
  heap_listener_register(&lr_other);
  heap_listener_notify_resize(HEAP_ID_LIBC, &a, &b);
  OH_CHECK_EQ_INT(n_events, 1); /* only the resize listener of that id */
  if (n_events == 1U) {
    OH_CHECK_EQ_INT(events[0].type, HEAP_RESIZE);
    OH_CHECK(events[0].id == HEAP_ID_LIBC);
    OH_CHECK_EQ_PTR(events[0].mem, &a);
    OH_CHECK_EQ_PTR(events[0].new_end, &b);
  }
  /* The resize listener does not hear allocs and frees. */
  heap_listener_notify_alloc(HEAP_ID_LIBC, &a, 16);
  heap_listener_notify_free(HEAP_ID_LIBC, &a, 16);
  OH_CHECK_EQ_INT(n_events, 3);
  if (n_events == 3U) OH_CHECK(events[1].type == HEAP_ALLOC && events[2].type == HEAP_FREE);
  heap_listener_unregister(&lr);
  heap_listener_unregister(&la);
  heap_listener_unregister(&lf);
  heap_listener_unregister(&lr_other);
  heap_listener_notify_resize(HEAP_ID_LIBC, &a, &b);
  OH_CHECK_EQ_INT(n_events, 3);
  OH_CHECK_EQ_INT(faults.count, 0);
}

/* ---- sys_heap notifications ----------------------------------------------------------------------- */

static void test_listener_sys_heap_alloc_after(void) {
  static const size_t sizes[] = {1, 8, 13, 40, 100};
  HEAP_LISTENER_ALLOC_DEFINE(la, HEAP_ID_FROM_POINTER(&ha), on_alloc);
  void *p[5];
  size_t i, before;
  fresh();
  probe = &ha;
  heap_listener_register(&la);
  for (i = 0; i < 5U; ++i) {
    clear_events();
    before = allocated(&ha);
    p[i] = sys_heap_alloc(&ha, sizes[i]);
    OH_CHECK(p[i] != NULL);
    OH_CHECK_EQ_INT(n_events, 1);
    check_event(0, HEAP_ALLOC, (uintptr_t)&ha, p[i], chunk_of(sizes[i]));
    OH_CHECK_EQ_INT(events[0].bytes, allocated(&ha) - before); /* whole chunks, as the stats */
    OH_CHECK_EQ_INT(events[0].then, allocated(&ha));          /* sent after the alloc */
  }
  heap_listener_unregister(&la);
  clear_events();
  for (i = 0; i < 5U; ++i) sys_heap_free(&ha, p[i]);
  OH_CHECK_EQ_INT(n_events, 0);
  OH_CHECK_EQ_INT(faults.count, 0);
  finish();
}

static void test_listener_sys_heap_free_before(void) {
  static const size_t sizes[] = {1, 8, 13, 40, 100};
  HEAP_LISTENER_FREE_DEFINE(lf, HEAP_ID_FROM_POINTER(&ha), on_free);
  void *p[5];
  size_t i, before, chunk[5];
  fresh();
  probe = &ha;
  for (i = 0; i < 5U; ++i) {
    before = allocated(&ha);
    p[i] = sys_heap_alloc(&ha, sizes[i]);
    chunk[i] = allocated(&ha) - before;
  }
  OH_CHECK_EQ_INT(n_events, 0); /* a free listener does not hear allocs */
  heap_listener_register(&lf);
  for (i = 0; i < 5U; ++i) {
    if (p[i] == NULL) continue;
    clear_events();
    before = allocated(&ha);
    sys_heap_free(&ha, p[i]);
    OH_CHECK_EQ_INT(n_events, 1);
    check_event(0, HEAP_FREE, (uintptr_t)&ha, p[i], chunk[i]);
    OH_CHECK_EQ_INT(events[0].bytes, before - allocated(&ha));
    OH_CHECK_EQ_INT(events[0].then, before); /* sent before the free */
    OH_CHECK_EQ_INT(chunk[i], chunk_of(sizes[i]));
  }
  heap_listener_unregister(&lf);
  OH_CHECK_EQ_INT(faults.count, 0);
  finish();
}

static void test_listener_bytes_match_stats(void) {
  HEAP_LISTENER_ALLOC_DEFINE(la, HEAP_ID_FROM_POINTER(&ha), on_alloc);
  HEAP_LISTENER_FREE_DEFINE(lf, HEAP_ID_FROM_POINTER(&ha), on_free);
  void *p[6] = {NULL, NULL, NULL, NULL, NULL, NULL};
  size_t n, k = 0, before, mismatches = 0;
  fresh();
  heap_listener_register(&la);
  heap_listener_register(&lf);
  for (n = 1; n <= 150U; n += 7U) {
    size_t slot = k++ % 6U;
    if (p[slot] != NULL) {
      clear_events();
      before = allocated(&ha);
      sys_heap_free(&ha, p[slot]);
      if (n_events != 1U || events[0].type != HEAP_FREE || events[0].bytes != before - allocated(&ha))
        ++mismatches;
    }
    clear_events();
    before = allocated(&ha);
    p[slot] = sys_heap_alloc(&ha, n);
    if (p[slot] == NULL) {
      if (n_events != 0U) ++mismatches;
      continue;
    }
    if (n_events != 1U || events[0].type != HEAP_ALLOC || events[0].mem != p[slot] ||
        events[0].bytes != allocated(&ha) - before)
      ++mismatches;
  }
  for (k = 0; k < 6U; ++k) {
    if (p[k] == NULL) continue;
    clear_events();
    before = allocated(&ha);
    sys_heap_free(&ha, p[k]);
    if (n_events != 1U || events[0].bytes != before - allocated(&ha)) ++mismatches;
  }
  heap_listener_unregister(&la);
  heap_listener_unregister(&lf);
  OH_CHECK_EQ_INT(mismatches, 0);
  OH_CHECK_EQ_INT(faults.count, 0);
  finish();
}

static void test_listener_aligned_alloc_emits_one_alloc(void) {
  HEAP_LISTENER_ALLOC_DEFINE(la, HEAP_ID_FROM_POINTER(&ha), on_alloc);
  HEAP_LISTENER_FREE_DEFINE(lf, HEAP_ID_FROM_POINTER(&ha), on_free);
  void *pad, *p, *q;
  size_t before;
  fresh();
  pad = sys_heap_alloc(&ha, 4); /* so that the aligned block needs a gap */
  heap_listener_register(&la);
  heap_listener_register(&lf);
  clear_events();
  before = allocated(&ha);
  p = sys_heap_aligned_alloc(&ha, 64, 10);
  OH_CHECK(p != NULL && (uintptr_t)p % 64U == 0U);
  /* One alloc; the unused prefix and suffix going back are no frees. */
  OH_CHECK_EQ_INT(n_events, 1);
  check_event(0, HEAP_ALLOC, (uintptr_t)&ha, p, allocated(&ha) - before);
  clear_events();
  before = allocated(&ha);
  q = sys_heap_noalign_alloc(&ha, 256, 20);
  OH_CHECK(q != NULL);
  OH_CHECK_EQ_INT(n_events, 1);
  check_event(0, HEAP_ALLOC, (uintptr_t)&ha, q, allocated(&ha) - before);
  clear_events();
  before = allocated(&ha);
  sys_heap_free(&ha, p);
  OH_CHECK_EQ_INT(n_events, 1);
  check_event(0, HEAP_FREE, (uintptr_t)&ha, p, before - allocated(&ha));
  sys_heap_free(&ha, q);
  sys_heap_free(&ha, pad);
  heap_listener_unregister(&la);
  heap_listener_unregister(&lf);
  OH_CHECK_EQ_INT(faults.count, 0);
  finish();
}

static void test_listener_failures_are_silent(void) {
  HEAP_LISTENER_ALLOC_DEFINE(la, HEAP_ID_FROM_POINTER(&ha), on_alloc);
  HEAP_LISTENER_FREE_DEFINE(lf, HEAP_ID_FROM_POINTER(&ha), on_free);
  void *p;
  fresh();
  heap_listener_register(&la);
  heap_listener_register(&lf);
  OH_CHECK_EQ_PTR(sys_heap_alloc(&ha, 0), NULL);
  OH_CHECK_EQ_PTR(sys_heap_alloc(&ha, HA_SIZE * 2U), NULL);
  OH_CHECK_EQ_PTR(sys_heap_aligned_alloc(&ha, 64, HA_SIZE * 2U), NULL);
  sys_heap_free(&ha, NULL);
  OH_CHECK_EQ_INT(n_events, 0);
  p = sys_heap_alloc(&ha, 32);
  OH_CHECK_EQ_INT(n_events, 1);
  OH_CHECK_EQ_PTR(sys_heap_realloc(&ha, p, HA_SIZE * 2U), NULL); /* fails: nothing happened */
  OH_CHECK_EQ_INT(n_events, 1);
  sys_heap_free(&ha, p);
  OH_CHECK_EQ_INT(n_events, 2);
  heap_listener_unregister(&la);
  heap_listener_unregister(&lf);
  OH_CHECK_EQ_INT(faults.count, 0);
  finish();
}

static void test_listener_realloc_in_place_alloc_then_free(void) {
  HEAP_LISTENER_ALLOC_DEFINE(la, HEAP_ID_FROM_POINTER(&ha), on_alloc);
  HEAP_LISTENER_FREE_DEFINE(lf, HEAP_ID_FROM_POINTER(&ha), on_free);
  unsigned char *p, *q;
  size_t before, old_chunk;
  fresh();
  before = allocated(&ha);
  p = (unsigned char *)sys_heap_alloc(&ha, 32); /* the rest of the heap is free after it */
  old_chunk = allocated(&ha) - before;
  heap_listener_register(&la);
  heap_listener_register(&lf);
  /* Grow in place. */
  clear_events();
  q = (unsigned char *)sys_heap_realloc(&ha, p, 200);
  OH_CHECK_EQ_PTR(q, p);
  OH_CHECK_EQ_INT(n_events, 2);
  check_event(0, HEAP_ALLOC, (uintptr_t)&ha, p, chunk_of(200));
  check_event(1, HEAP_FREE, (uintptr_t)&ha, p, old_chunk);
  OH_CHECK_EQ_INT(allocated(&ha) - before, chunk_of(200));
  /* Shrink in place. */
  clear_events();
  q = (unsigned char *)sys_heap_realloc(&ha, p, 20);
  OH_CHECK_EQ_PTR(q, p);
  OH_CHECK_EQ_INT(n_events, 2);
  check_event(0, HEAP_ALLOC, (uintptr_t)&ha, p, chunk_of(20));
  check_event(1, HEAP_FREE, (uintptr_t)&ha, p, chunk_of(200));
  OH_CHECK_EQ_INT(allocated(&ha) - before, chunk_of(20));
  clear_events();
  sys_heap_free(&ha, p);
  OH_CHECK_EQ_INT(n_events, 1);
  check_event(0, HEAP_FREE, (uintptr_t)&ha, p, chunk_of(20));
  heap_listener_unregister(&la);
  heap_listener_unregister(&lf);
  OH_CHECK_EQ_INT(faults.count, 0);
  finish();
}

static void test_listener_realloc_moving_alloc_and_free(void) {
  HEAP_LISTENER_ALLOC_DEFINE(la, HEAP_ID_FROM_POINTER(&ha), on_alloc);
  HEAP_LISTENER_FREE_DEFINE(lf, HEAP_ID_FROM_POINTER(&ha), on_free);
  unsigned char *a, *b, *q;
  unsigned i, allocs = 0, frees = 0;
  fresh();
  a = (unsigned char *)sys_heap_alloc(&ha, 40);
  b = (unsigned char *)sys_heap_alloc(&ha, 40); /* blocks growth in place */
  if (a != NULL) oh_fill(a, 40, 1);
  heap_listener_register(&la);
  heap_listener_register(&lf);
  clear_events();
  q = (unsigned char *)sys_heap_realloc(&ha, a, 300);
  OH_CHECK(q != NULL && q != a);
  OH_CHECK_EQ_INT(n_events, 2);
  for (i = 0; i < n_events && i < MAX_EVENTS; ++i) {
    OH_CHECK(events[i].id == (uintptr_t)&ha);
    if (events[i].type == HEAP_ALLOC) {
      ++allocs;
      OH_CHECK_EQ_PTR(events[i].mem, q);
      OH_CHECK_EQ_INT(events[i].bytes, chunk_of(300));
    } else if (events[i].type == HEAP_FREE) {
      ++frees;
      OH_CHECK_EQ_PTR(events[i].mem, a);
      OH_CHECK_EQ_INT(events[i].bytes, chunk_of(40));
    }
  }
  OH_CHECK(allocs == 1U && frees == 1U);
  if (q != NULL) OH_CHECK(oh_intact(q, 40, 1));
  heap_listener_unregister(&la);
  heap_listener_unregister(&lf);
  sys_heap_free(&ha, q != NULL ? q : a);
  sys_heap_free(&ha, b);
  OH_CHECK_EQ_INT(faults.count, 0);
  finish();
}

/* ---- dispatch rules ----------------------------------------------------------------------------- */

static void test_listener_other_heap_not_called(void) {
  HEAP_LISTENER_ALLOC_DEFINE(la_b, HEAP_ID_FROM_POINTER(&hb), on_alloc);
  HEAP_LISTENER_FREE_DEFINE(lf_b, HEAP_ID_FROM_POINTER(&hb), on_free);
  HEAP_LISTENER_ALLOC_DEFINE(la_libc, HEAP_ID_LIBC, on_alloc);
  void *p, *q;
  fresh();
  heap_listener_register(&la_b);
  heap_listener_register(&lf_b);
  heap_listener_register(&la_libc);
  p = sys_heap_alloc(&ha, 24);
  sys_heap_free(&ha, p);
  OH_CHECK_EQ_INT(n_events, 0);
  q = sys_heap_alloc(&hb, 24); /* its own heap: heard */
  OH_CHECK_EQ_INT(n_events, 1);
  check_event(0, HEAP_ALLOC, (uintptr_t)&hb, q, chunk_of(24));
  sys_heap_free(&hb, q);
  OH_CHECK_EQ_INT(n_events, 2);
  heap_listener_unregister(&la_b);
  heap_listener_unregister(&lf_b);
  heap_listener_unregister(&la_libc);
  OH_CHECK_EQ_INT(faults.count, 0);
  finish();
}

static struct heap_listener zero_listener; /* all zeros: id 0, HEAP_EVT_UNKNOWN, no callback */

static void test_listener_zero_or_null_callback_never_fires(void) {
  HEAP_LISTENER_ALLOC_DEFINE(null_alloc, HEAP_ID_FROM_POINTER(&ha), NULL);
  HEAP_LISTENER_FREE_DEFINE(null_free, HEAP_ID_FROM_POINTER(&ha), NULL);
  HEAP_LISTENER_RESIZE_DEFINE(null_resize, HEAP_ID_LIBC, NULL);
  HEAP_LISTENER_ALLOC_DEFINE(null_libc, HEAP_ID_LIBC, NULL);
  HEAP_LISTENER_ALLOC_DEFINE(real, HEAP_ID_FROM_POINTER(&ha), on_alloc);
  void *p;
  fresh();
  memset(&zero_listener, 0, sizeof zero_listener);
  heap_listener_register(&zero_listener);
  heap_listener_register(&null_alloc);
  heap_listener_register(&null_free);
  heap_listener_register(&null_resize);
  heap_listener_register(&null_libc);
  heap_listener_register(&real);
  /* None of these may call through a NULL pointer. */
  p = sys_heap_alloc(&ha, 16);
  OH_CHECK_EQ_INT(n_events, 1); /* only the real listener */
  sys_heap_free(&ha, p);
  OH_CHECK_EQ_INT(n_events, 1); /* the free listener has no callback */
  heap_listener_notify_alloc(HEAP_ID_LIBC, &zero_listener, 16);
  heap_listener_notify_free(HEAP_ID_LIBC, &zero_listener, 16);
  heap_listener_notify_resize(HEAP_ID_LIBC, &zero_listener, &zero_listener);
  heap_listener_notify_free(HEAP_ID_FROM_POINTER(&ha), &zero_listener, 16);
  OH_CHECK_EQ_INT(n_events, 1);
  heap_listener_unregister(&zero_listener);
  heap_listener_unregister(&null_alloc);
  heap_listener_unregister(&null_free);
  heap_listener_unregister(&null_resize);
  heap_listener_unregister(&null_libc);
  heap_listener_unregister(&real);
  OH_CHECK_EQ_INT(faults.count, 0);
  finish();
}

static void test_listener_unregister_stops_events(void) {
  HEAP_LISTENER_ALLOC_DEFINE(la, HEAP_ID_FROM_POINTER(&ha), on_alloc);
  HEAP_LISTENER_ALLOC_DEFINE(never, HEAP_ID_FROM_POINTER(&ha), on_alloc2);
  void *p, *q;
  fresh();
  heap_listener_register(&la);
  p = sys_heap_alloc(&ha, 16);
  OH_CHECK_EQ_INT(n_events, 1);
  heap_listener_unregister(&la);
  q = sys_heap_alloc(&ha, 16);
  OH_CHECK_EQ_INT(n_events, 1);
  heap_listener_unregister(&la);    /* no longer registered: no effect */
  heap_listener_unregister(&never); /* never registered: no effect */
  sys_heap_free(&ha, p);
  sys_heap_free(&ha, q);
  OH_CHECK_EQ_INT(n_events, 1);
  /* It can be registered again. */
  heap_listener_register(&la);
  p = sys_heap_alloc(&ha, 16);
  OH_CHECK_EQ_INT(n_events, 2);
  heap_listener_unregister(&la);
  sys_heap_free(&ha, p);
  OH_CHECK_EQ_INT(n_events, 2);
  OH_CHECK_EQ_INT(faults.count, 0);
  finish();
}

static void test_listener_double_register_once(void) {
  HEAP_LISTENER_ALLOC_DEFINE(la, HEAP_ID_FROM_POINTER(&ha), on_alloc);
  HEAP_LISTENER_ALLOC_DEFINE(lb, HEAP_ID_FROM_POINTER(&ha), on_alloc2);
  void *p;
  fresh();
  heap_listener_register(&la);
  heap_listener_register(&lb);
  heap_listener_register(&la); /* again: no effect */
  p = sys_heap_alloc(&ha, 16);
  OH_CHECK_EQ_INT(n_events, 2); /* once per listener */
  if (n_events == 2U) OH_CHECK(events[0].who + events[1].who == 3);
  heap_listener_unregister(&la); /* once is enough */
  clear_events();
  sys_heap_free(&ha, p);
  p = sys_heap_alloc(&ha, 16);
  OH_CHECK_EQ_INT(n_events, 1);
  if (n_events == 1U) OH_CHECK_EQ_INT(events[0].who, 2);
  heap_listener_unregister(&lb);
  sys_heap_free(&ha, p);
  OH_CHECK_EQ_INT(faults.count, 0);
  finish();
}

static void test_listener_called_in_registration_order(void) {
  HEAP_LISTENER_ALLOC_DEFINE(first, HEAP_ID_FROM_POINTER(&ha), on_alloc);
  HEAP_LISTENER_ALLOC_DEFINE(second, HEAP_ID_FROM_POINTER(&ha), on_alloc2);
  void *p;
  fresh();
  heap_listener_register(&first);
  heap_listener_register(&second);
  p = sys_heap_alloc(&ha, 16);
  OH_CHECK_EQ_INT(n_events, 2);
  if (n_events == 2U) OH_CHECK(events[0].who == 1 && events[1].who == 2);
  if (n_events == 2U) OH_CHECK(events[0].mem == p && events[1].mem == p);
  sys_heap_free(&ha, p);
  /* Registration appends: after re-registering, `first` comes last. */
  heap_listener_unregister(&first);
  heap_listener_register(&first);
  clear_events();
  p = sys_heap_alloc(&ha, 16);
  OH_CHECK_EQ_INT(n_events, 2);
  if (n_events == 2U) OH_CHECK(events[0].who == 2 && events[1].who == 1);
  sys_heap_free(&ha, p);
  heap_listener_unregister(&first);
  heap_listener_unregister(&second);
  OH_CHECK_EQ_INT(faults.count, 0);
  finish();
}

/* ---- k_heap ------------------------------------------------------------------------------------ */

static void test_listener_k_heap_events(void) {
  HEAP_LISTENER_ALLOC_DEFINE(la, HEAP_ID_FROM_POINTER(&hk), on_alloc);
  HEAP_LISTENER_FREE_DEFINE(lf, HEAP_ID_FROM_POINTER(&hk.heap), on_free); /* the same id */
  unsigned char *p, *c, *a, *q;
  size_t before, chunk_p;
  const uintptr_t id = (uintptr_t)&hk;
  memset(HK_MEM, 0, HK_SIZE);
  k_heap_init(&hk, HK_MEM, HK_SIZE);
  heap_listener_register(&la);
  heap_listener_register(&lf);
  before = allocated(&hk.heap);
  p = (unsigned char *)k_heap_alloc(&hk, 40, K_NO_WAIT);
  chunk_p = allocated(&hk.heap) - before;
  OH_CHECK(p != NULL);
  OH_CHECK_EQ_INT(n_events, 1);
  check_event(0, HEAP_ALLOC, id, p, chunk_p);
  OH_CHECK_EQ_INT(chunk_p, chunk_of(40));
  clear_events();
  before = allocated(&hk.heap);
  c = (unsigned char *)k_heap_calloc(&hk, 4, 5, K_NO_WAIT);
  OH_CHECK(c != NULL);
  OH_CHECK_EQ_INT(n_events, 1);
  check_event(0, HEAP_ALLOC, id, c, allocated(&hk.heap) - before);
  clear_events();
  before = allocated(&hk.heap);
  a = (unsigned char *)k_heap_aligned_alloc(&hk, 32, 8, K_NO_WAIT);
  OH_CHECK(a != NULL);
  OH_CHECK_EQ_INT(n_events, 1);
  check_event(0, HEAP_ALLOC, id, a, allocated(&hk.heap) - before);
  /* In-place realloc of the last block: alloc(new) then free(old). */
  clear_events();
  before = allocated(&hk.heap);
  q = (unsigned char *)k_heap_realloc(&hk, a, 100, K_NO_WAIT);
  OH_CHECK(q != NULL);
  OH_CHECK_EQ_INT(n_events, 2);
  if (q == a) {
    check_event(0, HEAP_ALLOC, id, a, events[0].bytes);
    check_event(1, HEAP_FREE, id, a, events[1].bytes);
    OH_CHECK_EQ_INT(events[0].bytes - events[1].bytes, allocated(&hk.heap) - before);
  }
  if (q != NULL) a = q;
  /* Frees: before, with the block's chunk. */
  clear_events();
  before = allocated(&hk.heap);
  k_heap_free(&hk, p);
  OH_CHECK_EQ_INT(n_events, 1);
  check_event(0, HEAP_FREE, id, p, chunk_p);
  OH_CHECK_EQ_INT(before - allocated(&hk.heap), chunk_p);
  k_heap_free(&hk, NULL); /* nothing */
  OH_CHECK_EQ_INT(n_events, 1);
  k_heap_free(&hk, c);
  k_heap_free(&hk, a);
  OH_CHECK_EQ_INT(n_events, 3);
  heap_listener_unregister(&la);
  heap_listener_unregister(&lf);
  OH_CHECK(sys_heap_validate(&hk.heap));
  OH_CHECK_EQ_INT(allocated(&hk.heap), 0);
  OH_CHECK_EQ_INT(faults.count, 0);
  forget(&hk);
}

#if OMNIHEAP_CONF_HEAP_MEM_POOL_SIZE > 0
/* The system heap is a k_heap: its id is &_system_heap. */
static void test_listener_system_heap_events(void) {
  HEAP_LISTENER_ALLOC_DEFINE(la, HEAP_ID_FROM_POINTER(&_system_heap), on_alloc);
  HEAP_LISTENER_FREE_DEFINE(lf, HEAP_ID_FROM_POINTER(&_system_heap), on_free);
  unsigned char *p, *warm;
  size_t before;
  warm = (unsigned char *)k_malloc(1); /* the system heap is set up by its first use */
  k_free(warm);
  heap_listener_register(&la);
  heap_listener_register(&lf);
  before = allocated(&_system_heap.heap);
  p = (unsigned char *)k_malloc(40);
  OH_CHECK(p != NULL);
  OH_CHECK_EQ_INT(n_events, 1);
  if (n_events == 1U && p != NULL) {
    OH_CHECK_EQ_INT(events[0].type, HEAP_ALLOC);
    OH_CHECK(events[0].id == (uintptr_t)&_system_heap);
    OH_CHECK_EQ_INT(events[0].bytes, allocated(&_system_heap.heap) - before);
    /* The heap's block holds the owner prefix below p. */
    OH_CHECK((uintptr_t)events[0].mem + sizeof(void *) <= (uintptr_t)p);
    OH_CHECK((uintptr_t)events[0].mem >= (uintptr_t)_system_heap.heap.init_mem);
  }
  k_free(p);
  OH_CHECK_EQ_INT(n_events, 2);
  if (n_events == 2U) {
    OH_CHECK_EQ_INT(events[1].type, HEAP_FREE);
    OH_CHECK(events[1].id == (uintptr_t)&_system_heap);
    OH_CHECK_EQ_PTR(events[1].mem, events[0].mem);
    OH_CHECK_EQ_INT(events[1].bytes, events[0].bytes);
  }
  OH_CHECK_EQ_INT(allocated(&_system_heap.heap), before);
  heap_listener_unregister(&la);
  heap_listener_unregister(&lf);
  OH_CHECK_EQ_INT(faults.count, 0);
}
#endif

/* ---- suite ----------------------------------------------------------------------------------- */

void suite_heap_listener(void) {
  HL_RUN(test_listener_types_and_macros);
  HL_RUN(test_listener_notify_directly);
  HL_RUN(test_listener_resize_reaches_resize_listener);
  HL_RUN(test_listener_sys_heap_alloc_after);
  HL_RUN(test_listener_sys_heap_free_before);
  HL_RUN(test_listener_bytes_match_stats);
  HL_RUN(test_listener_aligned_alloc_emits_one_alloc);
  HL_RUN(test_listener_failures_are_silent);
  HL_RUN(test_listener_realloc_in_place_alloc_then_free);
  HL_RUN(test_listener_realloc_moving_alloc_and_free);
  HL_RUN(test_listener_other_heap_not_called);
  HL_RUN(test_listener_zero_or_null_callback_never_fires);
  HL_RUN(test_listener_unregister_stops_events);
  HL_RUN(test_listener_double_register_once);
  HL_RUN(test_listener_called_in_registration_order);
  HL_RUN(test_listener_k_heap_events);
#if OMNIHEAP_CONF_HEAP_MEM_POOL_SIZE > 0
  HL_RUN(test_listener_system_heap_events);
#endif
}

#else /* !CONFIG_HEAP_LISTENER */

void suite_heap_listener(void) {}

#endif /* CONFIG_HEAP_LISTENER */
