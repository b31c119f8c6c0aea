/*
 * emh_malloc: no error path leaves a lock held (emh_malloc.h: "no error
 * path leaves a lock"; contract.md: "no lock is ever leaked"; upstream
 * leaks its zone lock on a full table and on a negative id).
 *
 * This program defines every port hook of omniheap_port.h itself (every
 * function marked OMNIHEAP_PORT_HOOK), so the library's own port object is
 * not linked: the archive member is pulled only for undefined symbols.
 * The hooks count: lock_acquire/lock_release keep a depth per lock (a held
 * flag in the lock's storage) and a global depth; critical_enter/exit keep
 * the critical-section depth; acquiring a lock already held (a deadlock on
 * a real port, locks are not recursive), releasing one not held and an exit
 * without an enter are recorded as errors. wait() reports a timeout at once
 * (single thread), notify_all() does nothing, time_us() is a counter,
 * panic() aborts, corruption() and write() record.
 *
 * Every emh error path is called -- NULL region, region too small, full
 * table, bad ids, size 0, sizes too big, calloc overflow, realloc of NULL,
 * of foreign, double-freed, interior and damaged-tag pointers, failed
 * growth, free of the same -- and after each call both depths must be 0.
 * The success paths and the native API (stats, validate, walk, reset_peak)
 * are checked the same way, and that they really went through these hooks.
 *
 * Single-threaded; built by every host build (also the locked-tsan one,
 * where the hooks need no synchronisation: no thread but main calls them).
 * Closing line: "N passed, N failed".
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emh_malloc.h"
#include "oh_test.h"
#include "omniheap.h"
#include "omniheap_port.h"

/* ---- the port: counting hooks --------------------------------------------------------------- */

static unsigned lock_depth;      /* locks held now */
static unsigned crit_depth;      /* critical-section nesting now */
static unsigned max_lock_depth, max_crit_depth;
static unsigned long acquires, releases, enters, exits, waits, notifies;
static unsigned long hook_errors;
static const char *first_hook_error;
static unsigned long corruptions;
static omniheap_fault_kind_t last_fault_kind;
static const void *last_fault_pointer;
static omniheap_family_t last_fault_family;
static unsigned lock_depth_in_corruption; /* informational */
static uint64_t fake_time;

static void hook_error(const char *what) {
  if (hook_errors++ == 0U) first_hook_error = what;
}

omniheap_port_state_t omniheap_port_critical_enter(void) {
  ++enters;
  if (++crit_depth > max_crit_depth) max_crit_depth = crit_depth;
  return (omniheap_port_state_t)crit_depth;
}

void omniheap_port_critical_exit(omniheap_port_state_t state) {
  ++exits;
  if (crit_depth == 0U) {
    hook_error("critical_exit without critical_enter");
    return;
  }
  if (state != (omniheap_port_state_t)crit_depth) hook_error("critical_exit out of order");
  --crit_depth;
}

void omniheap_port_lock_acquire(omniheap_port_lock_t *lock) {
  ++acquires;
  if (lock == NULL) {
    hook_error("lock_acquire(NULL)");
    return;
  }
  if (lock->storage[0] != 0U) {
    hook_error("lock_acquire of a lock already held (deadlock)");
    return;
  }
  lock->storage[0] = 1U;
  if (++lock_depth > max_lock_depth) max_lock_depth = lock_depth;
}

void omniheap_port_lock_release(omniheap_port_lock_t *lock) {
  ++releases;
  if (lock == NULL || lock->storage[0] == 0U) {
    hook_error("lock_release of a lock not held");
    return;
  }
  lock->storage[0] = 0U;
  --lock_depth;
}

int omniheap_port_wait(omniheap_port_lock_t *lock, uint64_t deadline_us) {
  (void)deadline_us;
  ++waits;
  if (lock == NULL || lock->storage[0] == 0U) hook_error("wait without the lock held");
  return OMNIHEAP_PORT_TIMEOUT;
}

void omniheap_port_notify_all(omniheap_port_lock_t *lock) {
  ++notifies;
  if (lock == NULL || lock->storage[0] == 0U) hook_error("notify_all without the lock held");
}

uint64_t omniheap_port_time_us(void) { return fake_time += 10U; }

void omniheap_port_panic(const char *message) {
  fflush(stdout);
  fprintf(stderr, "panic: %s\n", message);
  abort();
}

void omniheap_port_corruption(const omniheap_fault_t *fault) {
  ++corruptions;
  last_fault_kind = fault->kind;
  last_fault_pointer = fault->pointer;
  last_fault_family = fault->family;
  lock_depth_in_corruption = lock_depth;
}

void omniheap_port_write(const char *text, size_t length) { (void)text, (void)length; }

/* ---- helpers ---------------------------------------------------------------------------------- */

/* Runs one call; afterwards no lock may be held and no critical section open. */
#define AT_REST(call)                      \
  do {                                     \
    call;                                  \
    OH_CHECK_EQ_INT(lock_depth, 0);        \
    OH_CHECK_EQ_INT(crit_depth, 0);        \
    OH_CHECK_EQ_INT(hook_errors, 0);       \
  } while (0)

/* One fault reported through the default handler (the corruption hook) with
 * emh's default action (return: we are still here). */
#define ONE_FAULT(before, k, ptr)                              \
  do {                                                         \
    OH_CHECK_EQ_INT(corruptions, (before) + 1U);               \
    OH_CHECK_EQ_INT(last_fault_kind, (k));                     \
    OH_CHECK_EQ_PTR(last_fault_pointer, (ptr));                \
    OH_CHECK_EQ_INT(last_fault_family, OMNIHEAP_FAMILY_EMH);   \
  } while (0)

#define REGION_BYTES 4096U
static union {
  unsigned char b[REGION_BYTES];
  uint64_t align8;
} regions[2];
static union {
  unsigned char b[64];
  uint64_t align8;
} spare;
static int static_object[4];
static omniheap_heap_t *entry[2];
static int ready;

/* ---- cases ------------------------------------------------------------------------------------ */

static void test_hooks_replace_the_port(void) {
  unsigned long e = enters;
  AT_REST((void)omniheap_heap_count());
  OH_CHECK(enters > e); /* the registry took our critical section */
  OH_CHECK_EQ_INT(exits, enters);
}

static void test_create_error_paths(void) {
  emh_heapId_t id;
  AT_REST(id = emh_create(NULL, REGION_BYTES));
  OH_CHECK(id < 0);
  AT_REST(id = emh_create(NULL, 0));
  OH_CHECK(id < 0);
  AT_REST(id = emh_create(spare.b, 0));
  OH_CHECK(id < 0);
  AT_REST(id = emh_create(spare.b, 8));
  OH_CHECK(id < 0);
  AT_REST(id = emh_create(spare.b + 3, 13));
  OH_CHECK(id < 0);
  /* Not yet created: every id gives NULL. */
  AT_REST(OH_CHECK_EQ_PTR(emh_malloc(0, 16), NULL));
  AT_REST(OH_CHECK_EQ_PTR(emh_malloc(1, 16), NULL));
  AT_REST(OH_CHECK_EQ_PTR(emh_calloc(0, 2, 8), NULL));
}

static void test_create_and_full_table(void) {
  emh_heapId_t id;
  AT_REST(id = emh_create(regions[0].b, REGION_BYTES));
  OH_REQUIRE(id == 0);
  AT_REST(id = emh_create(regions[1].b + 1, REGION_BYTES - 1U));
  OH_REQUIRE(id == 1);
  /* Full: upstream returns -1 with its lock still held. */
  AT_REST(id = emh_create(spare.b, sizeof spare.b));
  OH_CHECK_EQ_INT(id, -1);
  AT_REST(id = emh_create(regions[0].b, REGION_BYTES));
  OH_CHECK_EQ_INT(id, -1);
  AT_REST(id = emh_create(NULL, 64));
  OH_CHECK_EQ_INT(id, -1);
  AT_REST(entry[0] = omniheap_heap_find_name("emh0"));
  AT_REST(entry[1] = omniheap_heap_find_name("emh1"));
  OH_REQUIRE(entry[0] != NULL && entry[1] != NULL);
  ready = 1;
}

static void test_alloc_error_paths(void) {
  static const int bad_ids[] = {-1, -2, -128, 2, 3, 100, 126, 127};
  static const size_t too_big[] = {REGION_BYTES, REGION_BYTES * 2U, SIZE_MAX, SIZE_MAX - 1U, SIZE_MAX - 7U,
                                   SIZE_MAX / 2U + 1U};
  size_t i;
  int id;
  void *p;
  OH_REQUIRE(ready);
  for (i = 0; i < sizeof bad_ids / sizeof bad_ids[0]; ++i) {
    AT_REST(p = emh_malloc((emh_heapId_t)bad_ids[i], 16));
    OH_CHECK_EQ_PTR(p, NULL);
    AT_REST(p = emh_calloc((emh_heapId_t)bad_ids[i], 2, 8));
    OH_CHECK_EQ_PTR(p, NULL);
  }
  for (id = 0; id < 2; ++id) {
    AT_REST(p = emh_malloc((emh_heapId_t)id, 0));
    OH_CHECK_EQ_PTR(p, NULL);
    for (i = 0; i < sizeof too_big / sizeof too_big[0]; ++i) {
      AT_REST(p = emh_malloc((emh_heapId_t)id, too_big[i]));
      OH_CHECK_EQ_PTR(p, NULL);
      AT_REST(p = emh_calloc((emh_heapId_t)id, 1, too_big[i]));
      OH_CHECK_EQ_PTR(p, NULL);
    }
    AT_REST(p = emh_calloc((emh_heapId_t)id, SIZE_MAX / 2U + 1U, 2));
    OH_CHECK_EQ_PTR(p, NULL);
    AT_REST(p = emh_calloc((emh_heapId_t)id, 2, SIZE_MAX / 2U + 1U));
    OH_CHECK_EQ_PTR(p, NULL);
    AT_REST(p = emh_calloc((emh_heapId_t)id, 0, 8));
    OH_CHECK_EQ_PTR(p, NULL);
    AT_REST(p = emh_calloc((emh_heapId_t)id, 8, 0));
    OH_CHECK_EQ_PTR(p, NULL);
  }
  /* A heap filled up: the next allocation fails with the heap's lock taken. */
  {
    void *blocks[64];
    size_t n = 0;
    for (;;) {
      AT_REST(p = emh_malloc(0, 200));
      if (p == NULL || n == 64U) break;
      blocks[n++] = p;
    }
    if (p != NULL) emh_free(p);
    OH_CHECK(n > 4U && n < 64U);
    AT_REST(p = emh_calloc(0, 20, 10));
    OH_CHECK_EQ_PTR(p, NULL);
    while (n > 0U) AT_REST(emh_free(blocks[--n]));
  }
}

static void test_realloc_error_paths(void) {
  unsigned char *p, *q, *r, saved;
  int on_stack[4] = {0, 0, 0, 0};
  unsigned long c;
  OH_REQUIRE(ready);
  AT_REST(q = (unsigned char *)emh_realloc(NULL, 16));
  OH_CHECK_EQ_PTR(q, NULL);
  AT_REST(q = (unsigned char *)emh_realloc(NULL, 0));
  OH_CHECK_EQ_PTR(q, NULL);
  AT_REST(p = (unsigned char *)emh_malloc(0, 64));
  AT_REST(r = (unsigned char *)emh_malloc(0, 64));
  OH_REQUIRE(p != NULL && r != NULL);
  /* Growth that fails: too big for the heap, or overflowing. */
  AT_REST(q = (unsigned char *)emh_realloc(p, REGION_BYTES));
  OH_CHECK_EQ_PTR(q, NULL);
  AT_REST(q = (unsigned char *)emh_realloc(p, SIZE_MAX));
  OH_CHECK_EQ_PTR(q, NULL);
  AT_REST(q = (unsigned char *)emh_realloc(p, SIZE_MAX - 3U));
  OH_CHECK_EQ_PTR(q, NULL);
  /* Bad pointers: foreign, interior, damaged tag. */
  c = corruptions;
  AT_REST(q = (unsigned char *)emh_realloc(&on_stack[2], 32));
  OH_CHECK_EQ_PTR(q, NULL);
  ONE_FAULT(c, OMNIHEAP_FAULT_FOREIGN_POINTER, &on_stack[2]);
  AT_REST(q = (unsigned char *)emh_realloc(&static_object[2], 32));
  OH_CHECK_EQ_PTR(q, NULL);
  ONE_FAULT(c + 1U, OMNIHEAP_FAULT_FOREIGN_POINTER, &static_object[2]);
  AT_REST(q = (unsigned char *)emh_realloc(p + 8, 32));
  OH_CHECK_EQ_PTR(q, NULL);
  ONE_FAULT(c + 2U, OMNIHEAP_FAULT_INTERIOR_POINTER, p + 8);
  AT_REST(q = (unsigned char *)emh_realloc(p + 1, 32));
  OH_CHECK_EQ_PTR(q, NULL);
  ONE_FAULT(c + 3U, OMNIHEAP_FAULT_INTERIOR_POINTER, p + 1);
  saved = p[-1];
  p[-1] = (unsigned char)(saved ^ 0x33U);
  AT_REST(q = (unsigned char *)emh_realloc(p, 128));
  OH_CHECK_EQ_PTR(q, NULL);
  OH_CHECK_EQ_INT(corruptions, c + 5U);
  p[-1] = saved;
  /* Double free through realloc, and realloc(p, 0) of a freed block. */
  AT_REST(emh_free(r));
  AT_REST(q = (unsigned char *)emh_realloc(r, 32));
  OH_CHECK_EQ_PTR(q, NULL);
  ONE_FAULT(c + 5U, OMNIHEAP_FAULT_DOUBLE_FREE, r);
  AT_REST(q = (unsigned char *)emh_realloc(r, 0));
  OH_CHECK_EQ_PTR(q, NULL);
  ONE_FAULT(c + 6U, OMNIHEAP_FAULT_DOUBLE_FREE, r);
  /* Good paths, for comparison: they take the heap's lock and give it back. */
  {
    unsigned long a = acquires;
    AT_REST(q = (unsigned char *)emh_realloc(p, 32));
    OH_CHECK_EQ_PTR(q, p);
    AT_REST(q = (unsigned char *)emh_realloc(p, 1000));
    OH_REQUIRE(q != NULL);
    AT_REST(q = (unsigned char *)emh_realloc(q, 0));
    OH_CHECK_EQ_PTR(q, NULL);
    OH_CHECK(acquires - a >= 3U);
  }
  OH_CHECK_EQ_INT(on_stack[2], 0);
}

static void test_free_error_paths(void) {
  unsigned char *p, *q, saved;
  int on_stack[4] = {0, 0, 0, 0};
  unsigned long c;
  OH_REQUIRE(ready);
  AT_REST(emh_free(NULL));
  AT_REST(p = (unsigned char *)emh_malloc(1, 40));
  AT_REST(q = (unsigned char *)emh_malloc(1, 40));
  OH_REQUIRE(p != NULL && q != NULL);
  c = corruptions;
  AT_REST(emh_free(&on_stack[1]));
  ONE_FAULT(c, OMNIHEAP_FAULT_FOREIGN_POINTER, &on_stack[1]);
  AT_REST(emh_free(&static_object[1]));
  ONE_FAULT(c + 1U, OMNIHEAP_FAULT_FOREIGN_POINTER, &static_object[1]);
  AT_REST(emh_free(spare.b + 32)); /* a buffer that is no heap */
  ONE_FAULT(c + 2U, OMNIHEAP_FAULT_FOREIGN_POINTER, spare.b + 32);
  AT_REST(emh_free(p + 16));
  ONE_FAULT(c + 3U, OMNIHEAP_FAULT_INTERIOR_POINTER, p + 16);
  AT_REST(emh_free(p + 3));
  ONE_FAULT(c + 4U, OMNIHEAP_FAULT_INTERIOR_POINTER, p + 3);
  saved = p[-1];
  p[-1] = (unsigned char)(saved ^ 0x33U);
  AT_REST(emh_free(p));
  ONE_FAULT(c + 5U, OMNIHEAP_FAULT_CORRUPT_METADATA, p);
  p[-1] = saved;
  AT_REST(emh_free(p));
  OH_CHECK_EQ_INT(corruptions, c + 6U);
  AT_REST(emh_free(p));
  ONE_FAULT(c + 6U, OMNIHEAP_FAULT_DOUBLE_FREE, p);
  AT_REST(emh_free(q));
  AT_REST(emh_free(q));
  ONE_FAULT(c + 7U, OMNIHEAP_FAULT_DOUBLE_FREE, q);
  AT_REST(emh_free(p)); /* p and q merged: either kind */
  OH_CHECK_EQ_INT(corruptions, c + 9U);
  OH_CHECK(last_fault_kind == OMNIHEAP_FAULT_DOUBLE_FREE || last_fault_kind == OMNIHEAP_FAULT_INTERIOR_POINTER);
}

/* The same error paths through an installed fault handler that returns the
 * default action. */
static unsigned handler_calls;
static omniheap_fault_action_t counting_handler(const omniheap_fault_t *fault, void *context) {
  (void)context;
  ++handler_calls;
  return fault->default_action;
}

static void test_error_paths_with_a_handler(void) {
  unsigned char *p;
  OH_REQUIRE(ready);
  AT_REST(omniheap_set_fault_handler(counting_handler, NULL));
  AT_REST(p = (unsigned char *)emh_malloc(0, 24));
  OH_REQUIRE(p != NULL);
  AT_REST(emh_free(p + 8));
  AT_REST(emh_free(p));
  AT_REST(emh_free(p));
  AT_REST(OH_CHECK_EQ_PTR(emh_realloc(p, 48), NULL));
  OH_CHECK_EQ_INT(handler_calls, 3);
  AT_REST(omniheap_set_fault_handler(NULL, NULL));
}

struct walk_ctx {
  unsigned depth_seen;
  size_t blocks;
};
static int walk_cb(const omniheap_block_t *b, void *context) {
  struct walk_ctx *w = (struct walk_ctx *)context;
  (void)b;
  ++w->blocks;
  if (lock_depth > w->depth_seen) w->depth_seen = lock_depth;
  return 0;
}

static void test_native_api_paths(void) {
  int id, rc;
  OH_REQUIRE(ready);
  for (id = 0; id < 2; ++id) {
    omniheap_stats_t s = OMNIHEAP_STATS_INIT;
    struct walk_ctx w = {0, 0};
    unsigned long a = acquires;
    void *p;
    AT_REST(p = emh_malloc((emh_heapId_t)id, 100));
    OH_REQUIRE(p != NULL);
    AT_REST(rc = omniheap_heap_stats(entry[id], &s));
    OH_CHECK_EQ_INT(rc, OMNIHEAP_OK);
    OH_CHECK_EQ_INT(s.live_blocks, 1);
    AT_REST(rc = omniheap_heap_validate(entry[id]));
    OH_CHECK_EQ_INT(rc, OMNIHEAP_OK);
    AT_REST(rc = omniheap_heap_walk(entry[id], walk_cb, &w));
    OH_CHECK_EQ_INT(rc, OMNIHEAP_OK);
    OH_CHECK(w.blocks >= 1U);
    AT_REST(rc = omniheap_heap_reset_peak(entry[id]));
    OH_CHECK_EQ_INT(rc, OMNIHEAP_OK);
    AT_REST(rc = omniheap_heap_walk(entry[id], NULL, NULL));
    OH_CHECK_EQ_INT(rc, OMNIHEAP_ERR_INVALID);
    AT_REST(rc = omniheap_heap_stats(entry[id], NULL));
    OH_CHECK_EQ_INT(rc, OMNIHEAP_ERR_INVALID);
    AT_REST(emh_free(p));
    /* emh heaps are synchronised: the native calls took the heap's lock. */
    OH_CHECK(acquires - a >= 6U);
    AT_REST(omniheap_heap_stats(entry[id], &s));
    OH_CHECK_EQ_INT(s.live_blocks, 0);
    OH_CHECK_EQ_INT(s.in_use, 0);
  }
  {
    omniheap_stats_t t = OMNIHEAP_STATS_INIT;
    AT_REST(rc = omniheap_totals(&t));
    OH_CHECK_EQ_INT(rc, OMNIHEAP_OK);
  }
}

static void test_balanced_at_the_end(void) {
  char text[160];
  OH_CHECK_EQ_INT(acquires, releases);
  OH_CHECK_EQ_INT(enters, exits);
  OH_CHECK_EQ_INT(lock_depth, 0);
  OH_CHECK_EQ_INT(crit_depth, 0);
  OH_CHECK_EQ_INT(hook_errors, 0);
  OH_CHECK(max_lock_depth >= 1U); /* the hooks were used */
  OH_CHECK(acquires > 0U && enters > 0U);
  if (hook_errors != 0U) oh_test_note(first_hook_error);
  snprintf(text, sizeof text,
           "%lu lock acquires (max depth %u), %lu critical sections (max depth %u), %lu faults reported "
           "(lock depth at the last one: %u), %lu waits, %lu notifies",
           acquires, max_lock_depth, enters, max_crit_depth, corruptions, lock_depth_in_corruption, waits, notifies);
  oh_test_note(text);
}

int main(void) {
  printf("emh_lockdepth: every emh error path with counting port hooks\n");
  OH_RUN(test_hooks_replace_the_port);
  OH_RUN(test_create_error_paths);
  OH_RUN(test_create_and_full_table);
  OH_RUN(test_alloc_error_paths);
  OH_RUN(test_realloc_error_paths);
  OH_RUN(test_free_error_paths);
  OH_RUN(test_error_paths_with_a_handler);
  OH_RUN(test_native_api_paths);
  OH_RUN(test_balanced_at_the_end);
  return oh_test_summary();
}
