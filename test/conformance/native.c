/*
 * Conformance of the native API (omniheap.h), black box: version, family and
 * fault names, the registry, statistics, walk, validation, faults and the
 * memory report. MEMB pools serve as the heaps under test.
 *
 * Expectations come from the documentation in omniheap.h, lib/memb.h and
 * contract.md, never from the implementation. The registry is global and
 * shared by every suite: tests look only at the heaps they set up (find,
 * count deltas) and remove their pools again at the end. Pools and buffers
 * are small (Cortex-M0, 16 KiB of RAM).
 */
#if defined(OH_HOSTED) && OH_HOSTED
#define _POSIX_C_SOURCE 200809L
#endif

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lib/memb.h"
#include "fault_log.h"
#include "oh_test.h"
#include "omniheap.h"
#include "suites.h"

#if defined(OH_HOSTED) && OH_HOSTED
#include <stdio.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#endif

struct rec { /* 12 bytes */
  uint32_t a;
  uint32_t b;
  uint32_t c;
};

MEMB(nv_join, struct rec, 4);  /* never initialised before test_registry_pool_joins_on_init */
MEMB(nv_a, struct rec, 5);
MEMB(nv_b, uint16_t, 6);
MEMB(nv_c, struct rec, 3);
MEMB(nv_rep_alpha, struct rec, 2);
MEMB(nv_rep_beta, uint16_t, 3);

#define MAX_SEEN 80
static const omniheap_heap_t *seen_heaps[MAX_SEEN];
static void *ptrs[8];
static int random_object[4];

#define BOGUS_HANDLE ((omniheap_heap_t *)(void *)random_object)

static void forget(struct memb *m) {
  omniheap_heap_t *h = omniheap_heap_find(m);
  if (h != NULL) OH_CHECK_EQ_INT(omniheap_heap_unregister(h), OMNIHEAP_OK);
}

static int same(const char *a, const char *b) { return a != NULL && b != NULL && strcmp(a, b) == 0; }

/* Writes the decimal digits of v at p; returns the end. */
static char *put_uint(char *p, unsigned long v) {
  char tmp[12];
  size_t n = 0;
  do {
    tmp[n++] = (char)('0' + (int)(v % 10U));
    v /= 10U;
  } while (v != 0U);
  while (n > 0) *p++ = tmp[--n];
  return p;
}

/* ---- fault capture ----------------------------------------------------------------------- */

static struct fault_log log_a, log_b;

static void capture_faults(void) {
  fault_log_capture(&log_b, 1);
  fault_log_capture(&log_a, 1);
}

static void release_faults(void) { fault_log_release(); }

/* ---- version ------------------------------------------------------------------------------ */

static void test_version_macros_match_runtime(void) {
  char expect[40], *p = expect;
  OH_CHECK_EQ_INT(omniheap_version(), OMNIHEAP_VERSION);
  OH_CHECK_EQ_INT(omniheap_version(),
                  OMNIHEAP_VERSION_ENCODE(OMNIHEAP_VERSION_MAJOR, OMNIHEAP_VERSION_MINOR,
                                          OMNIHEAP_VERSION_PATCH));
  OH_CHECK_EQ_INT(omniheap_abi_version(), OMNIHEAP_ABI_VERSION);
  OH_REQUIRE(omniheap_version_string() != NULL);
  OH_CHECK(same(omniheap_version_string(), OMNIHEAP_VERSION_STRING));
  p = put_uint(p, (unsigned long)OMNIHEAP_VERSION_MAJOR);
  *p++ = '.';
  p = put_uint(p, (unsigned long)OMNIHEAP_VERSION_MINOR);
  *p++ = '.';
  p = put_uint(p, (unsigned long)OMNIHEAP_VERSION_PATCH);
  *p = '\0';
  OH_CHECK(same(omniheap_version_string(), expect));
}

static void test_version_encode_layout(void) {
  OH_CHECK_EQ_INT(OMNIHEAP_VERSION_ENCODE(1, 2, 3), 0x010203);
  OH_CHECK_EQ_INT(OMNIHEAP_VERSION_ENCODE(0, 0, 0), 0);
  OH_CHECK_EQ_INT(OMNIHEAP_VERSION_ENCODE(0, 0, 255), 0xFF);
  OH_CHECK_EQ_INT(OMNIHEAP_VERSION_ENCODE(0, 255, 0), 0xFF00);
  OH_CHECK_EQ_INT(OMNIHEAP_VERSION_ENCODE(255, 0, 0), 0xFF0000);
  OH_CHECK_EQ_INT(OMNIHEAP_VERSION_ENCODE(255, 255, 255), 0xFFFFFF);
  OH_CHECK_EQ_INT(sizeof(OMNIHEAP_VERSION_ENCODE(1, 2, 3)), sizeof(uint32_t));
  /* Ordered like the versions it encodes. */
  OH_CHECK(OMNIHEAP_VERSION_ENCODE(1, 0, 0) > OMNIHEAP_VERSION_ENCODE(0, 255, 255));
  OH_CHECK(OMNIHEAP_VERSION_ENCODE(1, 2, 0) > OMNIHEAP_VERSION_ENCODE(1, 1, 255));
  OH_CHECK_EQ_INT(OMNIHEAP_VERSION >> 16, OMNIHEAP_VERSION_MAJOR);
  OH_CHECK_EQ_INT((OMNIHEAP_VERSION >> 8) & 0xFFU, OMNIHEAP_VERSION_MINOR);
  OH_CHECK_EQ_INT(OMNIHEAP_VERSION & 0xFFU, OMNIHEAP_VERSION_PATCH);
}

/* ---- names --------------------------------------------------------------------------------- */

static int is_lower_name(const char *s) {
  if (s == NULL || *s == '\0') return 0;
  for (; *s != '\0'; ++s)
    if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_')) return 0;
  return 1;
}

static void test_family_names(void) {
  int f, g;
  OH_CHECK(same(omniheap_family_name(OMNIHEAP_FAMILY_MEMB), "memb"));
  OH_CHECK(same(omniheap_family_name(OMNIHEAP_FAMILY_HEAPMEM), "heapmem"));
  OH_CHECK(same(omniheap_family_name(OMNIHEAP_FAMILY_SYS_HEAP), "sys_heap"));
  OH_CHECK(omniheap_family_name(OMNIHEAP_FAMILY_NONE) != NULL);
  for (f = OMNIHEAP_FAMILY_MEMB; f <= OMNIHEAP_FAMILY_MMT; ++f) {
    const char *name = omniheap_family_name((omniheap_family_t)f);
    OH_CHECK(is_lower_name(name));
    OH_CHECK(!same(name, "unknown"));
    for (g = OMNIHEAP_FAMILY_MEMB; g < f; ++g)
      OH_CHECK(!same(name, omniheap_family_name((omniheap_family_t)g)));
  }
}

static void test_family_name_of_unknown_values(void) {
  OH_CHECK(same(omniheap_family_name((omniheap_family_t)10), "unknown"));
  OH_CHECK(same(omniheap_family_name((omniheap_family_t)99), "unknown"));
  OH_CHECK(same(omniheap_family_name((omniheap_family_t)0x7FFF), "unknown"));
  OH_CHECK(same(omniheap_family_name((omniheap_family_t)-1), "unknown"));
}

static void test_fault_kind_names(void) {
  int k, j;
  OH_CHECK(same(omniheap_fault_kind_name(OMNIHEAP_FAULT_DOUBLE_FREE), "double free"));
  OH_CHECK(same(omniheap_fault_kind_name(OMNIHEAP_FAULT_FOREIGN_POINTER), "foreign pointer"));
  for (k = OMNIHEAP_FAULT_DOUBLE_FREE; k <= OMNIHEAP_FAULT_BAD_ARGUMENT; ++k) {
    const char *name = omniheap_fault_kind_name((omniheap_fault_kind_t)k);
    OH_CHECK(name != NULL && name[0] != '\0');
    OH_CHECK(!same(name, "unknown fault"));
    for (j = OMNIHEAP_FAULT_DOUBLE_FREE; j < k; ++j)
      OH_CHECK(!same(name, omniheap_fault_kind_name((omniheap_fault_kind_t)j)));
  }
}

static void test_fault_kind_name_of_unknown_values(void) {
  OH_CHECK(same(omniheap_fault_kind_name((omniheap_fault_kind_t)0), "unknown fault"));
  OH_CHECK(same(omniheap_fault_kind_name((omniheap_fault_kind_t)7), "unknown fault"));
  OH_CHECK(same(omniheap_fault_kind_name((omniheap_fault_kind_t)99), "unknown fault"));
  OH_CHECK(same(omniheap_fault_kind_name((omniheap_fault_kind_t)-1), "unknown fault"));
}

/* ---- registry ------------------------------------------------------------------------------ */

static void test_registry_dropped_is_zero(void) { OH_CHECK_EQ_INT(omniheap_registry_dropped(), 0); }

/* Run last: nothing this suite did dropped a heap. */
static void test_registry_dropped_still_zero_at_end(void) {
  OH_CHECK_EQ_INT(omniheap_registry_dropped(), 0);
}

static void test_registry_pool_joins_on_init(void) {
  size_t before = omniheap_heap_count();
  omniheap_heap_t *h;
  OH_CHECK_EQ_PTR(omniheap_heap_find(&nv_join), NULL);
  OH_CHECK_EQ_PTR(omniheap_heap_find_name("nv_join"), NULL);
  memb_init(&nv_join);
  OH_CHECK_EQ_INT(omniheap_heap_count(), before + 1U);
  h = omniheap_heap_find(&nv_join);
  OH_REQUIRE(h != NULL);
  OH_CHECK(same(omniheap_heap_name(h), "nv_join"));
  OH_CHECK_EQ_INT(omniheap_heap_family(h), OMNIHEAP_FAMILY_MEMB);
  OH_CHECK_EQ_PTR(omniheap_heap_object(h), &nv_join);
  OH_CHECK_EQ_INT(omniheap_heap_capacity(h), 4U * sizeof(struct rec));
  OH_CHECK_EQ_PTR(omniheap_heap_find_name("nv_join"), h);
  OH_CHECK_EQ_INT(omniheap_registry_dropped(), 0);
  forget(&nv_join);
  OH_CHECK_EQ_INT(omniheap_heap_count(), before);
}

static unsigned entries_for(const void *object) {
  unsigned n = 0, steps = 0;
  omniheap_heap_t *h;
  for (h = omniheap_heap_next(NULL); h != NULL && steps <= OMNIHEAP_CONF_MAX_HEAPS;
       h = omniheap_heap_next(h), ++steps)
    if (omniheap_heap_object(h) == object) ++n;
  return n;
}

static void test_registry_init_twice_keeps_one_entry_and_handle(void) {
  size_t count;
  omniheap_heap_t *h;
  memb_init(&nv_a);
  count = omniheap_heap_count();
  h = omniheap_heap_find(&nv_a);
  OH_REQUIRE(h != NULL);
  ptrs[0] = memb_alloc(&nv_a);
  memb_init(&nv_a);
  OH_CHECK_EQ_INT(omniheap_heap_count(), count);
  OH_CHECK_EQ_PTR(omniheap_heap_find(&nv_a), h);
  OH_CHECK_EQ_INT(entries_for(&nv_a), 1);
  OH_CHECK(same(omniheap_heap_name(h), "nv_a"));
  OH_CHECK_EQ_INT(omniheap_heap_capacity(h), 5U * sizeof(struct rec));
  forget(&nv_a);
}

static void test_registry_next_visits_each_heap_once(void) {
  size_t n = 0, i, j;
  unsigned hits_a = 0, hits_b = 0, hits_c = 0;
  omniheap_heap_t *h, *ha, *hb, *hc;
  memb_init(&nv_a);
  memb_init(&nv_b);
  memb_init(&nv_c);
  ha = omniheap_heap_find(&nv_a);
  hb = omniheap_heap_find(&nv_b);
  hc = omniheap_heap_find(&nv_c);
  OH_REQUIRE(ha != NULL && hb != NULL && hc != NULL);
  OH_CHECK(ha != hb && hb != hc && ha != hc);
  for (h = omniheap_heap_next(NULL); h != NULL && n < MAX_SEEN; h = omniheap_heap_next(h)) {
    seen_heaps[n++] = h;
    hits_a += h == ha ? 1U : 0U;
    hits_b += h == hb ? 1U : 0U;
    hits_c += h == hc ? 1U : 0U;
    OH_CHECK(omniheap_heap_family(h) != OMNIHEAP_FAMILY_NONE);
  }
  OH_CHECK(n < MAX_SEEN); /* the iteration ended */
  OH_CHECK_EQ_INT(n, omniheap_heap_count());
  OH_CHECK(n <= OMNIHEAP_CONF_MAX_HEAPS);
  OH_CHECK_EQ_INT(hits_a, 1);
  OH_CHECK_EQ_INT(hits_b, 1);
  OH_CHECK_EQ_INT(hits_c, 1);
  for (i = 0; i < n; ++i)
    for (j = 0; j < i; ++j) OH_CHECK(seen_heaps[i] != seen_heaps[j]);
  /* Registration order: a, b, c were registered in that order just now. */
  {
    size_t ia = MAX_SEEN, ib = MAX_SEEN, ic = MAX_SEEN;
    for (i = 0; i < n; ++i) {
      if (seen_heaps[i] == ha) ia = i;
      if (seen_heaps[i] == hb) ib = i;
      if (seen_heaps[i] == hc) ic = i;
    }
    OH_CHECK(ia < ib && ib < ic);
  }
  forget(&nv_a);
  forget(&nv_b);
  forget(&nv_c);
}

static void test_registry_next_from_null_and_unknown_handles(void) {
  omniheap_heap_t *h, *stale;
  memb_init(&nv_a);
  h = omniheap_heap_find(&nv_a);
  OH_REQUIRE(h != NULL);
  OH_CHECK_NE_PTR(omniheap_heap_next(NULL), NULL); /* at least nv_a */
  OH_CHECK_EQ_PTR(omniheap_heap_next(BOGUS_HANDLE), NULL);
  stale = h;
  OH_CHECK_EQ_INT(omniheap_heap_unregister(h), OMNIHEAP_OK);
  OH_CHECK_EQ_PTR(omniheap_heap_next(stale), NULL);
}

static void test_registry_find_null_and_unregistered_objects(void) {
  struct rec on_stack;
  OH_CHECK_EQ_PTR(omniheap_heap_find(NULL), NULL);
  OH_CHECK_EQ_PTR(omniheap_heap_find(&on_stack), NULL);
  OH_CHECK_EQ_PTR(omniheap_heap_find(random_object), NULL);
  OH_CHECK_EQ_PTR(omniheap_heap_find(nv_a.mem), NULL); /* the block array is not the object */
}

static void test_registry_find_name(void) {
  omniheap_heap_t *ha, *hb;
  memb_init(&nv_a);
  memb_init(&nv_b);
  ha = omniheap_heap_find(&nv_a);
  hb = omniheap_heap_find(&nv_b);
  OH_REQUIRE(ha != NULL && hb != NULL);
  OH_CHECK_EQ_PTR(omniheap_heap_find_name("nv_a"), ha);
  OH_CHECK_EQ_PTR(omniheap_heap_find_name("nv_b"), hb);
  OH_CHECK_EQ_PTR(omniheap_heap_find_name(NULL), NULL);
  OH_CHECK_EQ_PTR(omniheap_heap_find_name(""), NULL);
  OH_CHECK_EQ_PTR(omniheap_heap_find_name("nv_"), NULL);      /* prefix only */
  OH_CHECK_EQ_PTR(omniheap_heap_find_name("nv_a_x"), NULL);   /* longer */
  OH_CHECK_EQ_PTR(omniheap_heap_find_name("no such heap"), NULL);
  forget(&nv_a);
  forget(&nv_b);
}

static void test_registry_set_name_and_restore_default(void) {
  omniheap_heap_t *h;
  memb_init(&nv_a);
  h = omniheap_heap_find(&nv_a);
  OH_REQUIRE(h != NULL);
  OH_CHECK_EQ_INT(omniheap_heap_set_name(h, "nv_renamed"), OMNIHEAP_OK);
  OH_CHECK(same(omniheap_heap_name(h), "nv_renamed"));
  OH_CHECK_EQ_PTR(omniheap_heap_find_name("nv_renamed"), h);
  OH_CHECK_EQ_PTR(omniheap_heap_find_name("nv_a"), NULL);
  OH_CHECK_EQ_PTR(omniheap_heap_find(&nv_a), h); /* same entry */
  OH_CHECK_EQ_INT(omniheap_heap_set_name(h, NULL), OMNIHEAP_OK);
  OH_CHECK(same(omniheap_heap_name(h), "nv_a"));
  OH_CHECK_EQ_PTR(omniheap_heap_find_name("nv_a"), h);
  OH_CHECK_EQ_PTR(omniheap_heap_find_name("nv_renamed"), NULL);
  forget(&nv_a);
}

static void test_registry_unregister_then_reinit(void) {
  size_t count;
  omniheap_heap_t *h;
  void *p;
  memb_init(&nv_a);
  count = omniheap_heap_count();
  h = omniheap_heap_find(&nv_a);
  OH_REQUIRE(h != NULL);
  OH_CHECK_EQ_INT(omniheap_heap_unregister(h), OMNIHEAP_OK);
  OH_CHECK_EQ_INT(omniheap_heap_count(), count - 1U);
  OH_CHECK_EQ_PTR(omniheap_heap_find(&nv_a), NULL);
  OH_CHECK_EQ_PTR(omniheap_heap_find_name("nv_a"), NULL);
  OH_CHECK_EQ_INT(entries_for(&nv_a), 0);
  OH_CHECK_EQ_INT(omniheap_heap_unregister(h), OMNIHEAP_ERR_NOT_FOUND);
  /* The pool keeps working. */
  p = memb_alloc(&nv_a);
  OH_CHECK_NE_PTR(p, NULL);
  OH_CHECK_EQ_INT(memb_numfree(&nv_a), 4);
  OH_CHECK_EQ_INT(memb_free(&nv_a, p), 0);
  /* Initialising it again registers it again. */
  memb_init(&nv_a);
  OH_CHECK_EQ_INT(omniheap_heap_count(), count);
  h = omniheap_heap_find(&nv_a);
  OH_REQUIRE(h != NULL);
  OH_CHECK(same(omniheap_heap_name(h), "nv_a"));
  OH_CHECK_EQ_INT(omniheap_heap_family(h), OMNIHEAP_FAMILY_MEMB);
  OH_CHECK_EQ_INT(entries_for(&nv_a), 1);
  forget(&nv_a);
}

static int count_blocks(const omniheap_block_t *block, void *context) {
  (void)block;
  ++*(unsigned *)context;
  return 0;
}

static void check_bad_handle(omniheap_heap_t *bad) {
  omniheap_stats_t s = OMNIHEAP_STATS_INIT;
  unsigned calls = 0;
  OH_CHECK(same(omniheap_heap_name(bad), "?"));
  OH_CHECK_EQ_INT(omniheap_heap_family(bad), OMNIHEAP_FAMILY_NONE);
  OH_CHECK_EQ_PTR(omniheap_heap_object(bad), NULL);
  OH_CHECK_EQ_INT(omniheap_heap_capacity(bad), 0);
  OH_CHECK_EQ_INT(omniheap_heap_stats(bad, &s), OMNIHEAP_ERR_NOT_FOUND);
  OH_CHECK_EQ_INT(omniheap_heap_reset_peak(bad), OMNIHEAP_ERR_NOT_FOUND);
  OH_CHECK_EQ_INT(omniheap_heap_validate(bad), OMNIHEAP_ERR_NOT_FOUND);
  OH_CHECK_EQ_INT(omniheap_heap_walk(bad, count_blocks, &calls), OMNIHEAP_ERR_NOT_FOUND);
  OH_CHECK_EQ_INT(calls, 0);
  OH_CHECK_EQ_INT(omniheap_heap_set_name(bad, "nv_bad"), OMNIHEAP_ERR_NOT_FOUND);
  OH_CHECK_EQ_PTR(omniheap_heap_find_name("nv_bad"), NULL);
  OH_CHECK_EQ_INT(omniheap_heap_unregister(bad), OMNIHEAP_ERR_NOT_FOUND);
  /* next(NULL) is the first heap, whatever is registered. */
  if (bad != NULL) OH_CHECK_EQ_PTR(omniheap_heap_next(bad), NULL);
}

static void test_bad_handle_null(void) { check_bad_handle(NULL); }

static void test_bad_handle_random_object(void) {
  size_t count = omniheap_heap_count();
  check_bad_handle(BOGUS_HANDLE);
  OH_CHECK_EQ_INT(omniheap_heap_count(), count);
}

static void test_bad_handle_after_unregister(void) {
  omniheap_heap_t *h;
  size_t count;
  memb_init(&nv_a);
  h = omniheap_heap_find(&nv_a);
  OH_REQUIRE(h != NULL);
  OH_CHECK_EQ_INT(omniheap_heap_unregister(h), OMNIHEAP_OK);
  count = omniheap_heap_count();
  check_bad_handle(h);
  OH_CHECK_EQ_INT(omniheap_heap_count(), count);
}

/* ---- statistics ------------------------------------------------------------------------------ */

static void test_stats_init_macro(void) {
  omniheap_stats_t s = OMNIHEAP_STATS_INIT;
  OH_CHECK_EQ_INT(s.struct_size, sizeof(omniheap_stats_t));
  OH_CHECK_EQ_INT(s.capacity, 0);
  OH_CHECK_EQ_INT(s.in_use, 0);
  OH_CHECK_EQ_INT(s.peak, 0);
  OH_CHECK_EQ_INT(s.free_bytes, 0);
  OH_CHECK_EQ_INT(s.largest_free, 0);
  OH_CHECK_EQ_INT(s.block_size, 0);
  OH_CHECK_EQ_INT(s.live_blocks, 0);
  OH_CHECK(s.allocations == 0U && s.frees == 0U && s.failed_allocations == 0U && s.faults == 0U);
  OH_CHECK_EQ_INT(offsetof(omniheap_stats_t, struct_size), 0);
}

static void test_stats_rejects_null_and_too_small(void) {
  omniheap_stats_t s = OMNIHEAP_STATS_INIT;
  omniheap_heap_t *h;
  memb_init(&nv_a);
  h = omniheap_heap_find(&nv_a);
  OH_REQUIRE(h != NULL);
  OH_CHECK_EQ_INT(omniheap_heap_stats(h, NULL), OMNIHEAP_ERR_INVALID);
  OH_CHECK_EQ_INT(omniheap_totals(NULL), OMNIHEAP_ERR_INVALID);
  s.struct_size = 0;
  OH_CHECK_EQ_INT(omniheap_heap_stats(h, &s), OMNIHEAP_ERR_INVALID);
  s.struct_size = sizeof(size_t);
  OH_CHECK_EQ_INT(omniheap_heap_stats(h, &s), OMNIHEAP_ERR_INVALID);
  s.struct_size = offsetof(omniheap_stats_t, in_use) - 1U;
  OH_CHECK_EQ_INT(omniheap_heap_stats(h, &s), OMNIHEAP_ERR_INVALID);
  OH_CHECK_EQ_INT(omniheap_totals(&s), OMNIHEAP_ERR_INVALID);
  s.struct_size = 0;
  OH_CHECK_EQ_INT(omniheap_totals(&s), OMNIHEAP_ERR_INVALID);
  /* Exactly the first two fields is enough. */
  s.struct_size = offsetof(omniheap_stats_t, in_use);
  OH_CHECK_EQ_INT(omniheap_heap_stats(h, &s), OMNIHEAP_OK);
  OH_CHECK_EQ_INT(s.struct_size, offsetof(omniheap_stats_t, in_use));
  OH_CHECK_EQ_INT(s.capacity, 5U * sizeof(struct rec));
  forget(&nv_a);
}

/* An older, shorter omniheap_stats_t, and room past it to see what is written. */
struct stats_v0 {
  size_t struct_size;
  size_t capacity;
  size_t in_use;
  size_t peak;
};
union stats_buffer {
  omniheap_stats_t full;
  struct stats_v0 v0;
  unsigned char bytes[sizeof(omniheap_stats_t) + 16];
};
static union stats_buffer sbuf;

static int untouched_from(size_t from) {
  size_t i;
  for (i = from; i < sizeof sbuf.bytes; ++i)
    if (sbuf.bytes[i] != 0xA5U) return 0;
  return 1;
}

static void test_stats_prefix_struct_filled_only_up_to_its_size(void) {
  omniheap_heap_t *h;
  memb_init(&nv_a);
  h = omniheap_heap_find(&nv_a);
  OH_REQUIRE(h != NULL);
  ptrs[0] = memb_alloc(&nv_a);
  ptrs[1] = memb_alloc(&nv_a);
  OH_CHECK_EQ_INT(offsetof(struct stats_v0, peak), offsetof(omniheap_stats_t, peak));
  /* A caller compiled against a 4-field structure. */
  memset(&sbuf, 0xA5, sizeof sbuf);
  sbuf.v0.struct_size = sizeof(struct stats_v0);
  OH_CHECK_EQ_INT(omniheap_heap_stats(h, &sbuf.full), OMNIHEAP_OK);
  OH_CHECK_EQ_INT(sbuf.v0.struct_size, sizeof(struct stats_v0));
  OH_CHECK_EQ_INT(sbuf.v0.capacity, 5U * sizeof(struct rec));
  OH_CHECK_EQ_INT(sbuf.v0.in_use, 2U * sizeof(struct rec));
  OH_CHECK_EQ_INT(sbuf.v0.peak, 2U * sizeof(struct rec));
  OH_CHECK(untouched_from(sizeof(struct stats_v0)));
  /* The same through totals. */
  memset(&sbuf, 0xA5, sizeof sbuf);
  sbuf.v0.struct_size = sizeof(struct stats_v0);
  OH_CHECK_EQ_INT(omniheap_totals(&sbuf.full), OMNIHEAP_OK);
  OH_CHECK_EQ_INT(sbuf.v0.struct_size, sizeof(struct stats_v0));
  OH_CHECK(untouched_from(sizeof(struct stats_v0)));
  forget(&nv_a);
}

static void test_stats_partial_field_is_not_filled(void) {
  omniheap_heap_t *h;
  size_t two = offsetof(omniheap_stats_t, in_use);
  memb_init(&nv_a);
  h = omniheap_heap_find(&nv_a);
  OH_REQUIRE(h != NULL);
  /* Room for two fields and part of the third: only two are filled. */
  memset(&sbuf, 0xA5, sizeof sbuf);
  sbuf.full.struct_size = two + 3U;
  OH_CHECK_EQ_INT(omniheap_heap_stats(h, &sbuf.full), OMNIHEAP_OK);
  OH_CHECK_EQ_INT(sbuf.full.struct_size, two);
  OH_CHECK_EQ_INT(sbuf.full.capacity, 5U * sizeof(struct rec));
  OH_CHECK(untouched_from(two));
  forget(&nv_a);
}

static void test_stats_larger_struct_gets_known_fields_only(void) {
  omniheap_heap_t *h;
  memb_init(&nv_a);
  h = omniheap_heap_find(&nv_a);
  OH_REQUIRE(h != NULL);
  /* A caller from a future version with a longer structure. */
  memset(&sbuf, 0xA5, sizeof sbuf);
  sbuf.full.struct_size = sizeof sbuf.bytes;
  OH_CHECK_EQ_INT(omniheap_heap_stats(h, &sbuf.full), OMNIHEAP_OK);
  OH_CHECK_EQ_INT(sbuf.full.struct_size, sizeof(omniheap_stats_t));
  OH_CHECK_EQ_INT(sbuf.full.capacity, 5U * sizeof(struct rec));
  OH_CHECK_EQ_INT(sbuf.full.faults, 0);
  OH_CHECK(untouched_from(sizeof(omniheap_stats_t)));
  forget(&nv_a);
}

static void check_stats(omniheap_heap_t *h, size_t bs, size_t cap, size_t live, size_t peak_blocks,
                        unsigned allocs, unsigned frees, unsigned failed, unsigned nfaults) {
  omniheap_stats_t s = OMNIHEAP_STATS_INIT;
  OH_REQUIRE(omniheap_heap_stats(h, &s) == OMNIHEAP_OK);
  OH_CHECK_EQ_INT(s.struct_size, sizeof(omniheap_stats_t));
  OH_CHECK_EQ_INT(s.capacity, cap);
  OH_CHECK_EQ_INT(s.in_use, live * bs);
  OH_CHECK_EQ_INT(s.peak, peak_blocks * bs);
  OH_CHECK_EQ_INT(s.free_bytes, cap - live * bs);
  OH_CHECK_EQ_INT(s.largest_free, live * bs < cap ? bs : 0U);
  OH_CHECK_EQ_INT(s.block_size, bs);
  OH_CHECK_EQ_INT(s.live_blocks, live);
  OH_CHECK_EQ_INT(s.allocations, allocs);
  OH_CHECK_EQ_INT(s.frees, frees);
  OH_CHECK_EQ_INT(s.failed_allocations, failed);
  OH_CHECK_EQ_INT(s.faults, nfaults);
}

static void test_stats_of_memb_after_known_sequence(void) {
  const size_t bs = sizeof(struct rec), cap = 5U * sizeof(struct rec);
  omniheap_heap_t *h;
  size_t i;
  memb_init(&nv_a);
  h = omniheap_heap_find(&nv_a);
  OH_REQUIRE(h != NULL);
  OH_CHECK_EQ_INT(omniheap_heap_capacity(h), cap);
  check_stats(h, bs, cap, 0, 0, 0, 0, 0, 0);
  ptrs[0] = memb_alloc(&nv_a);
  ptrs[1] = memb_alloc(&nv_a);
  ptrs[2] = memb_alloc(&nv_a);
  check_stats(h, bs, cap, 3, 3, 3, 0, 0, 0);
  OH_CHECK_EQ_INT(memb_free(&nv_a, ptrs[1]), 0);
  check_stats(h, bs, cap, 2, 3, 3, 1, 0, 0);
  for (i = 3; i < 6; ++i) ptrs[i] = memb_alloc(&nv_a);
  check_stats(h, bs, cap, 5, 5, 6, 1, 0, 0); /* full: largest_free 0 */
  OH_CHECK_EQ_PTR(memb_alloc(&nv_a), NULL);
  OH_CHECK_EQ_PTR(memb_alloc(&nv_a), NULL);
  check_stats(h, bs, cap, 5, 5, 6, 1, 2, 0);
  OH_CHECK_EQ_INT(memb_free(&nv_a, ptrs[0]), 0);
  OH_CHECK_EQ_INT(memb_free(&nv_a, ptrs[2]), 0);
  capture_faults();
  OH_CHECK_EQ_INT(memb_free(&nv_a, ptrs[0]), -1); /* double free: a fault, not a free */
  OH_CHECK_EQ_INT(memb_free(&nv_a, NULL), -1);    /* neither */
  release_faults();
  OH_CHECK_EQ_INT(log_a.count, 1);
  check_stats(h, bs, cap, 3, 5, 6, 3, 2, 1);
  forget(&nv_a);
}

static void test_stats_reset_by_memb_init(void) {
  const size_t bs = sizeof(uint16_t), cap = 6U * sizeof(uint16_t);
  omniheap_heap_t *h;
  memb_init(&nv_b);
  h = omniheap_heap_find(&nv_b);
  OH_REQUIRE(h != NULL);
  ptrs[0] = memb_alloc(&nv_b);
  ptrs[1] = memb_alloc(&nv_b);
  OH_CHECK_EQ_INT(memb_free(&nv_b, ptrs[0]), 0);
  check_stats(h, bs, cap, 1, 2, 2, 1, 0, 0);
  memb_init(&nv_b);
  OH_CHECK_EQ_PTR(omniheap_heap_find(&nv_b), h);
  check_stats(h, bs, cap, 0, 0, 0, 0, 0, 0);
  forget(&nv_b);
}

static size_t peak_of(omniheap_heap_t *h) {
  omniheap_stats_t s = OMNIHEAP_STATS_INIT;
  OH_CHECK_EQ_INT(omniheap_heap_stats(h, &s), OMNIHEAP_OK);
  return s.peak;
}

static void test_stats_reset_peak(void) {
  const size_t bs = sizeof(struct rec);
  omniheap_heap_t *h;
  memb_init(&nv_a);
  h = omniheap_heap_find(&nv_a);
  OH_REQUIRE(h != NULL);
  ptrs[0] = memb_alloc(&nv_a);
  ptrs[1] = memb_alloc(&nv_a);
  ptrs[2] = memb_alloc(&nv_a);
  OH_CHECK_EQ_INT(memb_free(&nv_a, ptrs[0]), 0);
  OH_CHECK_EQ_INT(memb_free(&nv_a, ptrs[1]), 0);
  OH_CHECK_EQ_INT(peak_of(h), 3U * bs);
  OH_CHECK_EQ_INT(omniheap_heap_reset_peak(h), OMNIHEAP_OK);
  OH_CHECK_EQ_INT(peak_of(h), 1U * bs); /* current bytes in use */
  ptrs[0] = memb_alloc(&nv_a);
  OH_CHECK_EQ_INT(peak_of(h), 2U * bs);
  OH_CHECK_EQ_INT(memb_free(&nv_a, ptrs[0]), 0);
  OH_CHECK_EQ_INT(memb_free(&nv_a, ptrs[2]), 0);
  OH_CHECK_EQ_INT(peak_of(h), 2U * bs);
  OH_CHECK_EQ_INT(omniheap_heap_reset_peak(h), OMNIHEAP_OK);
  OH_CHECK_EQ_INT(peak_of(h), 0);
  check_stats(h, bs, 5U * bs, 0, 0, 4, 4, 0, 0); /* counters untouched by the resets */
  OH_CHECK_EQ_INT(omniheap_heap_reset_peak(NULL), OMNIHEAP_ERR_NOT_FOUND);
  forget(&nv_a);
}

static void test_totals_equal_sum_over_heaps(void) {
  omniheap_stats_t sum = OMNIHEAP_STATS_INIT, tot = OMNIHEAP_STATS_INIT, s;
  omniheap_heap_t *h;
  size_t n = 0;
  memb_init(&nv_a);
  memb_init(&nv_b);
  memb_init(&nv_c);
  ptrs[0] = memb_alloc(&nv_a);
  ptrs[1] = memb_alloc(&nv_a);
  OH_CHECK_EQ_INT(memb_free(&nv_a, ptrs[0]), 0);
  ptrs[2] = memb_alloc(&nv_b);
  ptrs[3] = memb_alloc(&nv_c);
  ptrs[4] = memb_alloc(&nv_c);
  ptrs[5] = memb_alloc(&nv_c);
  OH_CHECK_EQ_PTR(memb_alloc(&nv_c), NULL); /* nv_c full: largest_free 0 */
  for (h = omniheap_heap_next(NULL); h != NULL && n <= OMNIHEAP_CONF_MAX_HEAPS;
       h = omniheap_heap_next(h), ++n) {
    memset(&s, 0, sizeof s);
    s.struct_size = sizeof s;
    OH_REQUIRE(omniheap_heap_stats(h, &s) == OMNIHEAP_OK);
    sum.capacity += s.capacity;
    sum.in_use += s.in_use;
    sum.peak += s.peak;
    sum.free_bytes += s.free_bytes;
    if (s.largest_free > sum.largest_free) sum.largest_free = s.largest_free;
    sum.live_blocks += s.live_blocks;
    sum.allocations += s.allocations;
    sum.frees += s.frees;
    sum.failed_allocations += s.failed_allocations;
    sum.faults += s.faults;
  }
  OH_CHECK(n >= 3U);
  OH_REQUIRE(omniheap_totals(&tot) == OMNIHEAP_OK);
  OH_CHECK_EQ_INT(tot.struct_size, sizeof(omniheap_stats_t));
  OH_CHECK_EQ_INT(tot.capacity, sum.capacity);
  OH_CHECK_EQ_INT(tot.in_use, sum.in_use);
  OH_CHECK_EQ_INT(tot.peak, sum.peak);
  OH_CHECK_EQ_INT(tot.free_bytes, sum.free_bytes);
  OH_CHECK_EQ_INT(tot.largest_free, sum.largest_free);
  OH_CHECK_EQ_INT(tot.block_size, 0);
  OH_CHECK_EQ_INT(tot.live_blocks, sum.live_blocks);
  OH_CHECK(tot.allocations == sum.allocations);
  OH_CHECK(tot.frees == sum.frees);
  OH_CHECK(tot.failed_allocations == sum.failed_allocations);
  OH_CHECK(tot.faults == sum.faults);
  /* Our own pools contribute at least this much. */
  OH_CHECK(tot.capacity >= 5U * sizeof(struct rec) + 6U * sizeof(uint16_t) + 3U * sizeof(struct rec));
  OH_CHECK(tot.failed_allocations >= 1U);
  forget(&nv_a);
  forget(&nv_b);
  forget(&nv_c);
}

/* ---- walk and validate ---------------------------------------------------------------------- */

#define MAX_WALK 8
struct walk_log {
  unsigned calls;
  unsigned stop_after; /* 0: never stop */
  omniheap_block_t blocks[MAX_WALK];
};
static struct walk_log wlog;

static int record_block(const omniheap_block_t *block, void *context) {
  struct walk_log *w = (struct walk_log *)context;
  if (w->calls < MAX_WALK) w->blocks[w->calls] = *block;
  ++w->calls;
  return w->stop_after != 0U && w->calls >= w->stop_after;
}

static void test_walk_visits_every_block_in_address_order(void) {
  omniheap_heap_t *h;
  size_t i;
  memb_init(&nv_a);
  h = omniheap_heap_find(&nv_a);
  OH_REQUIRE(h != NULL);
  for (i = 0; i < 4; ++i) ptrs[i] = memb_alloc(&nv_a);
  OH_CHECK_EQ_INT(memb_free(&nv_a, ptrs[1]), 0);
  OH_CHECK_EQ_INT(memb_free(&nv_a, ptrs[3]), 0);
  memset(&wlog, 0, sizeof wlog);
  OH_CHECK_EQ_INT(omniheap_heap_walk(h, record_block, &wlog), OMNIHEAP_OK);
  OH_REQUIRE(wlog.calls == 5U);
  for (i = 0; i < 5; ++i) {
    const omniheap_block_t *b = &wlog.blocks[i];
    OH_CHECK_EQ_PTR(b->address, (unsigned char *)nv_a.mem + i * sizeof(struct rec));
    OH_CHECK_EQ_INT(b->size, sizeof(struct rec));
    OH_CHECK_EQ_INT(b->used, nv_a.used[i] ? 1 : 0);
  }
  /* Exactly two used blocks, and they are ptrs[0] and ptrs[2]. */
  {
    unsigned used = 0;
    for (i = 0; i < 5; ++i) {
      if (wlog.blocks[i].used) {
        ++used;
        OH_CHECK(wlog.blocks[i].address == ptrs[0] || wlog.blocks[i].address == ptrs[2]);
      }
    }
    OH_CHECK_EQ_INT(used, 2);
  }
  forget(&nv_a);
}

static void test_walk_stops_when_callback_returns_nonzero(void) {
  omniheap_heap_t *h;
  memb_init(&nv_b);
  h = omniheap_heap_find(&nv_b);
  OH_REQUIRE(h != NULL);
  memset(&wlog, 0, sizeof wlog);
  wlog.stop_after = 3;
  OH_CHECK_EQ_INT(omniheap_heap_walk(h, record_block, &wlog), OMNIHEAP_OK);
  OH_CHECK_EQ_INT(wlog.calls, 3);
  OH_CHECK_EQ_PTR(wlog.blocks[0].address, nv_b.mem);
  memset(&wlog, 0, sizeof wlog);
  wlog.stop_after = 1;
  OH_CHECK_EQ_INT(omniheap_heap_walk(h, record_block, &wlog), OMNIHEAP_OK);
  OH_CHECK_EQ_INT(wlog.calls, 1);
  forget(&nv_b);
}

static void test_walk_null_callback_is_invalid(void) {
  omniheap_heap_t *h;
  memb_init(&nv_b);
  h = omniheap_heap_find(&nv_b);
  OH_REQUIRE(h != NULL);
  OH_CHECK_EQ_INT(omniheap_heap_walk(h, NULL, NULL), OMNIHEAP_ERR_INVALID);
  forget(&nv_b);
}

static void test_walk_full_and_empty_pools(void) {
  omniheap_heap_t *h;
  size_t i;
  memb_init(&nv_c);
  h = omniheap_heap_find(&nv_c);
  OH_REQUIRE(h != NULL);
  memset(&wlog, 0, sizeof wlog);
  OH_CHECK_EQ_INT(omniheap_heap_walk(h, record_block, &wlog), OMNIHEAP_OK);
  OH_REQUIRE(wlog.calls == 3U);
  for (i = 0; i < 3; ++i) OH_CHECK_EQ_INT(wlog.blocks[i].used, 0);
  for (i = 0; i < 3; ++i) ptrs[i] = memb_alloc(&nv_c);
  memset(&wlog, 0, sizeof wlog);
  OH_CHECK_EQ_INT(omniheap_heap_walk(h, record_block, &wlog), OMNIHEAP_OK);
  OH_REQUIRE(wlog.calls == 3U);
  for (i = 0; i < 3; ++i) OH_CHECK_EQ_INT(wlog.blocks[i].used, 1);
  forget(&nv_c);
}

static void test_validate_ok_on_healthy_pools(void) {
  omniheap_heap_t *h;
  size_t i;
  unsigned n = 0;
  memb_init(&nv_a);
  h = omniheap_heap_find(&nv_a);
  OH_REQUIRE(h != NULL);
  OH_CHECK_EQ_INT(omniheap_heap_validate(h), OMNIHEAP_OK); /* fresh */
  for (i = 0; i < 5; ++i) ptrs[i] = memb_alloc(&nv_a);
  OH_CHECK_EQ_INT(omniheap_heap_validate(h), OMNIHEAP_OK); /* full */
  OH_CHECK_EQ_INT(memb_free(&nv_a, ptrs[3]), 0);
  OH_CHECK_EQ_INT(memb_free(&nv_a, ptrs[0]), 0);
  OH_CHECK_EQ_INT(omniheap_heap_validate(h), OMNIHEAP_OK); /* mixed */
  ptrs[0] = memb_alloc(&nv_a);
  OH_CHECK_EQ_INT(omniheap_heap_validate(h), OMNIHEAP_OK);
  for (i = 0; i < 5; ++i)
    if (i != 3) OH_CHECK_EQ_INT(memb_free(&nv_a, ptrs[i]), 0);
  OH_CHECK_EQ_INT(omniheap_heap_validate(h), OMNIHEAP_OK); /* all free again */
  /* Every registered heap is healthy at this point. */
  for (h = omniheap_heap_next(NULL); h != NULL && n <= OMNIHEAP_CONF_MAX_HEAPS;
       h = omniheap_heap_next(h), ++n)
    OH_CHECK_EQ_INT(omniheap_heap_validate(h), OMNIHEAP_OK);
  forget(&nv_a);
}

/* ---- faults ------------------------------------------------------------------------------------ */

static void test_fault_handler_receives_context_and_fields(void) {
  omniheap_heap_t *h;
  void *p;
  memb_init(&nv_a);
  h = omniheap_heap_find(&nv_a);
  OH_REQUIRE(h != NULL);
  p = memb_alloc(&nv_a);
  OH_CHECK_EQ_INT(memb_free(&nv_a, p), 0);
  capture_faults();
  OH_CHECK_EQ_INT(memb_free(&nv_a, p), -1);
  OH_CHECK_EQ_INT(log_a.count, 1);
  OH_CHECK_EQ_PTR(log_a.context, &log_a);
  OH_CHECK_EQ_INT(log_a.kind, OMNIHEAP_FAULT_DOUBLE_FREE);
  OH_CHECK_EQ_INT(log_a.family, OMNIHEAP_FAMILY_MEMB);
  OH_CHECK_EQ_PTR(log_a.heap, h);
  OH_CHECK_EQ_PTR(log_a.object, &nv_a);
  OH_CHECK_EQ_PTR(log_a.pointer, p);
  OH_CHECK(same(log_a.function, "memb_free"));
  OH_CHECK_EQ_INT(log_a.default_action, OMNIHEAP_FAULT_RETURN);
  release_faults();
  forget(&nv_a);
}

static void test_fault_handler_replacement_takes_effect(void) {
  void *p;
  memb_init(&nv_a);
  p = memb_alloc(&nv_a);
  OH_CHECK_EQ_INT(memb_free(&nv_a, p), 0);
  capture_faults();
  omniheap_set_fault_handler(fault_log_handler, &log_b);
  OH_CHECK_EQ_INT(memb_free(&nv_a, p), -1);
  OH_CHECK_EQ_INT(log_a.count, 0);
  OH_CHECK_EQ_INT(log_b.count, 1);
  OH_CHECK_EQ_PTR(log_b.context, &log_b);
  omniheap_set_fault_handler(fault_log_handler, &log_a);
  OH_CHECK_EQ_INT(memb_free(&nv_a, (char *)p + 1), -1);
  OH_CHECK_EQ_INT(log_a.count, 1);
  OH_CHECK_EQ_INT(log_a.kind, OMNIHEAP_FAULT_INTERIOR_POINTER);
  OH_CHECK_EQ_INT(log_b.count, 1);
  release_faults();
  forget(&nv_a);
}

static void test_fault_of_unregistered_pool_has_null_heap(void) {
  void *p;
  memb_init(&nv_a);
  forget(&nv_a);
  p = memb_alloc(&nv_a);
  OH_CHECK_EQ_INT(memb_free(&nv_a, p), 0);
  capture_faults();
  OH_CHECK_EQ_INT(memb_free(&nv_a, p), -1);
  OH_CHECK_EQ_INT(log_a.count, 1);
  OH_CHECK_EQ_PTR(log_a.heap, NULL);
  OH_CHECK_EQ_PTR(log_a.object, &nv_a);
  OH_CHECK_EQ_INT(log_a.family, OMNIHEAP_FAMILY_MEMB);
  release_faults();
}

#if defined(OH_HOSTED) && OH_HOSTED
/* The default handler (restored with NULL) prints one line and lets the
 * family return its error. Run in a child whose stderr is captured. */
static void test_default_fault_handler_prints_one_line_and_returns(void) {
  int fds[2], status = 0;
  char buf[256];
  size_t got = 0, i;
  unsigned lines = 0;
  ssize_t n;
  pid_t pid;
  OH_REQUIRE(pipe(fds) == 0);
  fflush(stdout);
  fflush(stderr);
  pid = fork();
  if (pid == 0) {
    void *p;
    int rc;
    close(fds[0]);
    if (dup2(fds[1], 2) < 0) _exit(4);
    memset(&log_a, 0, sizeof log_a);
    omniheap_set_fault_handler(fault_log_handler, &log_a);
    omniheap_set_fault_handler(NULL, NULL);
    memb_init(&nv_c);
    p = memb_alloc(&nv_c);
    (void)memb_free(&nv_c, p);
    rc = memb_free(&nv_c, p);
    fflush(stderr);
    _exit(rc == -1 && log_a.count == 0 ? 0 : 1);
  }
  close(fds[1]);
  if (!OH_CHECK(pid > 0)) {
    close(fds[0]);
    return;
  }
  while (got < sizeof buf && (n = read(fds[0], buf + got, sizeof buf - got)) > 0) got += (size_t)n;
  close(fds[0]);
  OH_CHECK(waitpid(pid, &status, 0) == pid);
  OH_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  for (i = 0; i < got; ++i) lines += buf[i] == '\n' ? 1U : 0U;
  if (strcmp(OMNIHEAP_PORT_NAME, "template") == 0) {
    OH_CHECK_EQ_INT(lines, 0); /* the template's corruption hook is an empty TODO */
    return;
  }
  OH_CHECK_EQ_INT(lines, 1);
  OH_CHECK(got > 0U && buf[got - 1] == '\n');
}
#endif

/* ---- report ------------------------------------------------------------------------------------ */

/* The report is captured line by line into a small buffer (no room for the
 * whole text on a 16 KiB target). omniheap.h documents one line per heap and
 * then a totals line; it does not rule out title lines before them, so the
 * heap lines are required to be the `count` lines just before the last one. */
#define LINE_CAP 160
struct report_capture {
  unsigned calls;
  unsigned lines;
  unsigned long chars;
  unsigned bad_chars;
  char last;
  size_t len;
  char line[LINE_CAP];
  char last_line[LINE_CAP];
  const char *target;      /* a heap name to look for, as a whole word */
  unsigned target_lines;   /* lines containing it */
  unsigned target_index;   /* index of the last such line */
  unsigned target_has_family, target_has_dash;
};
static struct report_capture rep;

static int contains(const char *hay, const char *needle) { return strstr(hay, needle) != NULL; }

static int is_blank(char c) { return c == ' ' || c == '\t' || c == '\0'; }

/* `name` occurs in `line` delimited by blanks or the line's ends. */
static int has_word(const char *line, const char *name) {
  size_t n = strlen(name);
  const char *p = line;
  if (n == 0U) return 0;
  while ((p = strstr(p, name)) != NULL) {
    if ((p == line || is_blank(p[-1])) && is_blank(p[n])) return 1;
    ++p;
  }
  return 0;
}

static int contains_total(const char *s) {
  for (; *s != '\0'; ++s)
    if ((s[0] == 't' || s[0] == 'T') && (s[1] == 'o' || s[1] == 'O') &&
        (s[2] == 't' || s[2] == 'T') && (s[3] == 'a' || s[3] == 'A') &&
        (s[4] == 'l' || s[4] == 'L'))
      return 1;
  return 0;
}

static void end_line(struct report_capture *r) {
  r->line[r->len] = '\0';
  if (r->target != NULL && has_word(r->line, r->target)) {
    ++r->target_lines;
    r->target_index = r->lines;
    if (has_word(r->line, "memb")) ++r->target_has_family;
    if (contains(r->line, "-")) ++r->target_has_dash;
  }
  ++r->lines;
  memcpy(r->last_line, r->line, r->len + 1U);
  r->len = 0;
}

static void capture_report(const char *text, size_t length, void *context) {
  struct report_capture *r = (struct report_capture *)context;
  size_t i;
  ++r->calls;
  for (i = 0; i < length; ++i) {
    char c = text[i];
    ++r->chars;
    r->last = c;
    if (c == '\n') {
      end_line(r);
      continue;
    }
    if (c == '\0' || ((unsigned char)c < 0x20U && c != '\t' && c != '\r')) ++r->bad_chars;
    if (r->len + 1U < LINE_CAP) r->line[r->len++] = c;
  }
}

static void run_report(const char *target) {
  memset(&rep, 0, sizeof rep);
  rep.target = target;
  omniheap_report_to(capture_report, &rep);
}

/* The line of heap `name` is one of the `count` lines before the totals line. */
static void check_heap_line(const char *name, size_t count) {
  run_report(name);
  OH_CHECK_EQ_INT(rep.target_lines, 1);
  OH_REQUIRE(rep.lines >= count + 1U);
  OH_CHECK(rep.target_index >= rep.lines - 1U - count);
  OH_CHECK(rep.target_index < rep.lines - 1U);
}

static void test_report_format(void) {
  size_t count;
  memb_init(&nv_rep_alpha);
  ptrs[0] = memb_alloc(&nv_rep_alpha);
  count = omniheap_heap_count();
  run_report("nv_rep_alpha");
  OH_CHECK(rep.calls > 0U);
  OH_CHECK_EQ_INT(rep.last, '\n');
  OH_CHECK_EQ_INT(rep.len, 0); /* nothing after the last newline */
  OH_CHECK_EQ_INT(rep.bad_chars, 0);
  OH_CHECK(rep.lines >= count + 1U); /* one per heap, then totals */
  OH_CHECK_EQ_INT(rep.target_lines, 1);
  OH_CHECK_EQ_INT(rep.target_has_family, 1);
  OH_CHECK_EQ_INT(rep.target_has_dash, 1); /* fragmentation "-" for fixed-size pools */
  OH_CHECK(contains_total(rep.last_line));
  OH_CHECK(!contains(rep.last_line, "nv_rep_alpha"));
  forget(&nv_rep_alpha);
}

static void test_report_has_a_line_per_heap_then_totals(void) {
  size_t count, n = 0;
  omniheap_heap_t *h;
  memb_init(&nv_rep_alpha);
  memb_init(&nv_rep_beta);
  count = omniheap_heap_count();
  check_heap_line("nv_rep_alpha", count);
  check_heap_line("nv_rep_beta", count);
  /* Every registered heap, whoever registered it. */
  for (h = omniheap_heap_next(NULL); h != NULL && n <= OMNIHEAP_CONF_MAX_HEAPS;
       h = omniheap_heap_next(h), ++n) {
    /* A heap without a name of its own is called by its family's name,
     * which is also the family column of every heap of that family. */
    if (!same(omniheap_heap_name(h), omniheap_family_name(omniheap_heap_family(h))))
      check_heap_line(omniheap_heap_name(h), count);
  }
  OH_CHECK_EQ_INT(n, count);
  /* The header lines do not depend on the heaps: one heap fewer, one line fewer. */
  run_report(NULL);
  n = rep.lines;
  forget(&nv_rep_beta);
  run_report(NULL);
  OH_CHECK_EQ_INT(rep.lines, n - 1U);
  forget(&nv_rep_alpha);
  run_report(NULL);
  OH_CHECK_EQ_INT(rep.lines, n - 2U);
}

static void test_report_follows_renames_and_unregistration(void) {
  omniheap_heap_t *h;
  size_t count;
  memb_init(&nv_rep_alpha);
  memb_init(&nv_rep_beta);
  h = omniheap_heap_find(&nv_rep_beta);
  OH_REQUIRE(h != NULL);
  OH_CHECK_EQ_INT(omniheap_heap_set_name(h, "nv_rep_gamma"), OMNIHEAP_OK);
  forget(&nv_rep_alpha);
  count = omniheap_heap_count();
  check_heap_line("nv_rep_gamma", count);
  run_report("nv_rep_alpha");
  OH_CHECK_EQ_INT(rep.target_lines, 0);
  run_report("nv_rep_beta");
  OH_CHECK_EQ_INT(rep.target_lines, 0);
  forget(&nv_rep_beta);
}

static void test_report_to_null_writes_nothing(void) {
  memset(&rep, 0, sizeof rep);
  omniheap_report_to(NULL, &rep);
  omniheap_report_to(NULL, NULL);
  OH_CHECK_EQ_INT(rep.calls, 0);
  OH_CHECK_EQ_INT(rep.chars, 0);
}

static void test_report_context_is_passed(void) {
  static struct report_capture other;
  memset(&rep, 0, sizeof rep);
  memset(&other, 0, sizeof other);
  omniheap_report_to(capture_report, &other);
  OH_CHECK(other.calls > 0U);
  OH_CHECK_EQ_INT(rep.calls, 0);
}

/* ---- suite ----------------------------------------------------------------------------------- */

void suite_native(void) {
  OH_RUN(test_version_macros_match_runtime);
  OH_RUN(test_version_encode_layout);
  OH_RUN(test_family_names);
  OH_RUN(test_family_name_of_unknown_values);
  OH_RUN(test_fault_kind_names);
  OH_RUN(test_fault_kind_name_of_unknown_values);

  OH_RUN(test_registry_dropped_is_zero);
  OH_RUN(test_registry_pool_joins_on_init);
  OH_RUN(test_registry_init_twice_keeps_one_entry_and_handle);
  OH_RUN(test_registry_next_visits_each_heap_once);
  OH_RUN(test_registry_next_from_null_and_unknown_handles);
  OH_RUN(test_registry_find_null_and_unregistered_objects);
  OH_RUN(test_registry_find_name);
  OH_RUN(test_registry_set_name_and_restore_default);
  OH_RUN(test_registry_unregister_then_reinit);
  OH_RUN(test_bad_handle_null);
  OH_RUN(test_bad_handle_random_object);
  OH_RUN(test_bad_handle_after_unregister);

  OH_RUN(test_stats_init_macro);
  OH_RUN(test_stats_rejects_null_and_too_small);
  OH_RUN(test_stats_prefix_struct_filled_only_up_to_its_size);
  OH_RUN(test_stats_partial_field_is_not_filled);
  OH_RUN(test_stats_larger_struct_gets_known_fields_only);
  OH_RUN(test_stats_of_memb_after_known_sequence);
  OH_RUN(test_stats_reset_by_memb_init);
  OH_RUN(test_stats_reset_peak);
  OH_RUN(test_totals_equal_sum_over_heaps);

  OH_RUN(test_walk_visits_every_block_in_address_order);
  OH_RUN(test_walk_stops_when_callback_returns_nonzero);
  OH_RUN(test_walk_null_callback_is_invalid);
  OH_RUN(test_walk_full_and_empty_pools);
  OH_RUN(test_validate_ok_on_healthy_pools);

  OH_RUN(test_fault_handler_receives_context_and_fields);
  OH_RUN(test_fault_handler_replacement_takes_effect);
  OH_RUN(test_fault_of_unregistered_pool_has_null_heap);
#if defined(OH_HOSTED) && OH_HOSTED
  OH_RUN(test_default_fault_handler_prints_one_line_and_returns);
#endif

  OH_RUN(test_report_format);
  OH_RUN(test_report_has_a_line_per_heap_then_totals);
  OH_RUN(test_report_follows_renames_and_unregistration);
  OH_RUN(test_report_to_null_writes_nothing);
  OH_RUN(test_report_context_is_passed);

  OH_RUN(test_registry_dropped_still_zero_at_end);
}
