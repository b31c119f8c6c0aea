/*
 * Conformance of the trace recorder (omniheap.h, "Trace recorder"), black
 * box: omniheap_trace_start() / omniheap_trace_stop() with a write function
 * that appends to a buffer.
 *
 * From the documentation: the first line is a '#' comment naming the heap;
 * then one line per operation, "a <id> <size>" for an allocation and
 * "f <id>" for a free, ids being block addresses in decimal; a realloc is
 * the allocation of the new block followed by the free of the old one, or
 * "f" first when the block stayed in place; a request of 0 bytes is written
 * with size 1; each line is one call of the write function, with its '\n';
 * `lines` counts the operation lines; after stop nothing is written.
 *
 * A sys_heap on the shared scratch region gives a realloc that must move (its
 * right neighbour is in use: contract.md, "an empty heap allocates from low
 * to high addresses", "realloc grows and shrinks in place when it can") and
 * one in place (a shrink); MMT (when its headers exist) gives the 0-byte
 * allocation.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lib/memb.h"
#include "omniheap.h"
#include <zephyr/sys/sys_heap.h>

#if defined(__has_include)
#if __has_include("mmt_core.h")
#include "mmt_core.h"
#include "memory.h"
#define TR_MMT 1
#endif
#endif

#include "observe.h"
#include "oh_test.h"
#include "suites.h"

/* The scratch region in thirds: the traced sys_heap, the output, the
 * expected output. */
#define TR_BYTES (OBS_SCRATCH_BYTES / 3U)
#define TR_HEAP (obs_scratch)
struct tr_out {
  size_t len;
  unsigned calls, overflow, bad_calls;
  char buf[TR_BYTES - 32U];
};
#define out (*(struct tr_out *)(void *)(obs_scratch + TR_BYTES))
#define want ((char *)(obs_scratch + 2U * TR_BYTES))

static void tr_write(const char *text, size_t length, void *context) {
  (void)context;
  ++out.calls;
  /* one whole line per call */
  if (length == 0U || text[length - 1] != '\n' || memchr(text, '\n', length - 1U) != NULL) ++out.bad_calls;
  if (out.len + length >= sizeof out.buf) {
    ++out.overflow;
    return;
  }
  memcpy(out.buf + out.len, text, length);
  out.len += length;
  out.buf[out.len] = '\0';
}

static void tr_clear(void) { memset(&out, 0, sizeof out); }

/* The expected text, built here. */
static size_t want_len;

static void put(const char *s) {
  size_t n = strlen(s);
  if (want_len + n < TR_BYTES) {
    memcpy(want + want_len, s, n + 1U);
    want_len += n;
  }
}
static void put_dec(uintptr_t v) {
  char tmp[24];
  size_t n = 0;
  char rev[24];
  do {
    rev[n++] = (char)('0' + (int)(v % 10U));
    v /= 10U;
  } while (v != 0U);
  {
    size_t i;
    for (i = 0; i < n; ++i) tmp[i] = rev[n - 1U - i];
  }
  tmp[n] = '\0';
  put(tmp);
}
static void want_alloc(const void *p, size_t size) {
  put("a ");
  put_dec((uintptr_t)p);
  put(" ");
  put_dec(size);
  put("\n");
}
static void want_free(const void *p) {
  put("f ");
  put_dec((uintptr_t)p);
  put("\n");
}
static void want_realloc(const void *old, const void *p, size_t size) {
  if (p == old) {
    want_free(old);
    want_alloc(p, size);
  } else {
    want_alloc(p, size);
    want_free(old);
  }
}

/* The output after the comment line. */
static const char *body(void) {
  const char *nl = strchr(out.buf, '\n');
  return nl != NULL ? nl + 1 : "";
}

static void check_body(void) {
  if (!OH_CHECK(strcmp(body(), want) == 0)) {
    oh_test_note("got:");
    oh_test_note(body());
    oh_test_note("expected:");
    oh_test_note(want);
  }
}

static struct sys_heap tr_sys;
static omniheap_trace_t tr;
static int bogus[4];

static void test_trace_arguments(void) {
  omniheap_heap_t *h;
  sys_heap_init(&tr_sys, TR_HEAP, TR_BYTES);
  h = omniheap_heap_find(&tr_sys);
  OH_REQUIRE(h != NULL);
  tr_clear();
  OH_CHECK_EQ_INT(omniheap_trace_start(NULL, h, tr_write, NULL), OMNIHEAP_ERR_INVALID);
  OH_CHECK_EQ_INT(omniheap_trace_start(&tr, h, NULL, NULL), OMNIHEAP_ERR_INVALID);
  OH_CHECK_EQ_INT(omniheap_trace_start(&tr, (omniheap_heap_t *)(void *)bogus, tr_write, NULL),
                  OMNIHEAP_ERR_NOT_FOUND);
  OH_CHECK_EQ_INT(omniheap_trace_stop(NULL), OMNIHEAP_ERR_NOT_FOUND);
  OH_CHECK_EQ_INT(out.calls, 0);
  OH_CHECK_EQ_INT(omniheap_trace_start(&tr, h, tr_write, NULL), OMNIHEAP_OK);
  OH_CHECK_EQ_INT(omniheap_trace_stop(&tr), OMNIHEAP_OK);
  OH_CHECK_EQ_INT(omniheap_trace_stop(&tr), OMNIHEAP_ERR_NOT_FOUND);
  obs_forget(&tr_sys);
}

static void test_trace_of_a_sys_heap(void) {
  omniheap_heap_t *h;
  unsigned char *p, *b, *r, *s, *q;
  sys_heap_init(&tr_sys, TR_HEAP, TR_BYTES);
  h = omniheap_heap_find(&tr_sys);
  OH_REQUIRE(h != NULL);
  OH_REQUIRE(omniheap_heap_set_name(h, "tr_sensor") == OMNIHEAP_OK);
  tr_clear();
  want_len = 0;
  want[0] = '\0';
  OH_REQUIRE(omniheap_trace_start(&tr, h, tr_write, NULL) == OMNIHEAP_OK);
  /* the comment line, written at start */
  OH_CHECK_EQ_INT(out.calls, 1);
  OH_CHECK_EQ_INT(out.buf[0], '#');
  OH_CHECK(strstr(out.buf, "tr_sensor") != NULL);
  OH_CHECK(tr.lines == 0U);

  p = (unsigned char *)sys_heap_alloc(&tr_sys, 24);
  b = (unsigned char *)sys_heap_alloc(&tr_sys, 24); /* p's right neighbour */
  OH_REQUIRE(p != NULL && b != NULL);
  OH_CHECK(b > p);
  want_alloc(p, 24);
  want_alloc(b, 24);
  r = (unsigned char *)sys_heap_realloc(&tr_sys, p, 100); /* moves */
  OH_REQUIRE(r != NULL);
  OH_CHECK(r != p);
  want_realloc(p, r, 100);
  s = (unsigned char *)sys_heap_realloc(&tr_sys, r, 10); /* shrinks in place */
  OH_REQUIRE(s != NULL);
  OH_CHECK_EQ_PTR(s, r);
  want_realloc(r, s, 10);
  OH_CHECK_EQ_PTR(sys_heap_alloc(&tr_sys, 4096), NULL); /* a failure is no operation */
  sys_heap_free(&tr_sys, NULL);                         /* nor is free(NULL) */
  sys_heap_free(&tr_sys, b);
  want_free(b);
  q = (unsigned char *)sys_heap_alloc(&tr_sys, 1);
  OH_REQUIRE(q != NULL);
  want_alloc(q, 1);
  sys_heap_free(&tr_sys, q);
  want_free(q);
  check_body();
  OH_CHECK(tr.lines == 9U);
  OH_CHECK_EQ_INT(out.calls, 10);
  OH_CHECK_EQ_INT(out.bad_calls, 0);
  OH_CHECK_EQ_INT(out.overflow, 0);

  /* stopped: nothing more */
  OH_CHECK_EQ_INT(omniheap_trace_stop(&tr), OMNIHEAP_OK);
  q = (unsigned char *)sys_heap_alloc(&tr_sys, 8);
  sys_heap_free(&tr_sys, q);
  sys_heap_free(&tr_sys, s);
  OH_CHECK_EQ_INT(out.calls, 10);
  OH_CHECK(tr.lines == 9U);
  OH_CHECK(sys_heap_validate(&tr_sys));
  obs_forget(&tr_sys);
}

MEMB(tr_pool, uint32_t, 3);

/* heap NULL: every heap, in one trace. */
static void test_trace_of_all_heaps(void) {
  omniheap_heap_t *h;
  void *p, *m;
  sys_heap_init(&tr_sys, TR_HEAP, TR_BYTES);
  memb_init(&tr_pool);
  h = omniheap_heap_find(&tr_sys);
  OH_REQUIRE(h != NULL);
  tr_clear();
  want_len = 0;
  want[0] = '\0';
  OH_REQUIRE(omniheap_trace_start(&tr, NULL, tr_write, NULL) == OMNIHEAP_OK);
  OH_CHECK_EQ_INT(out.buf[0], '#');
  p = sys_heap_alloc(&tr_sys, 16);
  m = memb_alloc(&tr_pool);
  OH_REQUIRE(p != NULL && m != NULL);
  want_alloc(p, 16);
  want_alloc(m, sizeof(uint32_t));
  OH_CHECK_EQ_INT(memb_free(&tr_pool, m), 0);
  want_free(m);
  sys_heap_free(&tr_sys, p);
  want_free(p);
  check_body();
  OH_CHECK(tr.lines == 4U);
  OH_CHECK_EQ_INT(omniheap_trace_stop(&tr), OMNIHEAP_OK);
  obs_forget(&tr_pool);
  obs_forget(&tr_sys);
}

#ifdef TR_MMT
/* MMT: a 0-byte request is written with size 1; a shrink is in place. */
static void test_trace_of_mmt(void) {
  void *z, *p, *r;
  tr_clear();
  want_len = 0;
  want[0] = '\0';
  OH_REQUIRE(mmt_omniheap() != NULL);
  OH_REQUIRE(omniheap_trace_start(&tr, mmt_omniheap(), tr_write, NULL) == OMNIHEAP_OK);
  OH_CHECK_EQ_INT(out.buf[0], '#');
  OH_CHECK(strstr(out.buf, "mmt") != NULL);
  z = mmt_malloc(0);
  OH_REQUIRE(z != NULL);
  want_alloc(z, 1);
  p = mmt_malloc(50);
  OH_REQUIRE(p != NULL);
  want_alloc(p, 50);
  r = mmt_realloc(p, 20);
  OH_CHECK_EQ_PTR(r, p);
  want_realloc(p, r, 20);
  r = mmt_realloc(z, 0); /* a free */
  OH_CHECK_EQ_PTR(r, NULL);
  want_free(z);
  mmt_free(p);
  want_free(p);
  mmt_free(NULL);
  check_body();
  OH_CHECK(tr.lines == 6U);
  OH_CHECK_EQ_INT(out.bad_calls, 0);
  OH_CHECK_EQ_INT(omniheap_trace_stop(&tr), OMNIHEAP_OK);
  p = mmt_malloc(8);
  mmt_free(p);
  OH_CHECK(tr.lines == 6U);
  OH_CHECK_EQ_INT(out.calls, 7);
}
#endif

void suite_trace(void) {
  if (!obs_init()) return;
  OH_RUN(test_trace_arguments);
  OH_RUN(test_trace_of_a_sys_heap);
  OH_RUN(test_trace_of_all_heaps);
#ifdef TR_MMT
  OH_RUN(test_trace_of_mmt);
#endif
}
