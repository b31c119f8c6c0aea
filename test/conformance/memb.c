/*
 * Conformance of "lib/memb.h" (Contiki-NG MEMB), black box.
 *
 * Every expectation comes from api-reference.md section 1 (upstream
 * Contiki-NG v5.0 and its test-memb-api.c), contract.md ("MEMB" and
 * "Detected misuse"), and the documentation in lib/memb.h and omniheap.h —
 * never from the implementation.
 *
 * Rules kept here: plain C99/C11, small static pools (this also runs on a
 * Cortex-M0 with 16 KiB of RAM), no malloc, every test initialises the pools
 * it uses and removes them from the registry at its end, and every test that
 * provokes misuse installs a counting fault handler and restores the default
 * one before it returns. Host-only cases (fork) are under OH_HOSTED.
 */
#if defined(OH_HOSTED) && OH_HOSTED
#define _POSIX_C_SOURCE 200809L
#endif

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lib/memb.h"
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

/* ---- element types and their alignment ------------------------------------------ */

struct item { /* 12 bytes on every target, alignment 4 */
  uint32_t id;
  uint16_t tag;
  char text[6];
};
struct wide { /* alignment of uint64_t (8 on x86-64 and ARM EABI) */
  uint64_t v;
  char c;
};
struct three { /* 3 bytes, alignment 1 */
  unsigned char b[3];
};
struct big { /* 120 bytes */
  uint32_t words[30];
};

/* Alignment probes: offsetof(probe, t) is the alignment of the type of t. */
struct probe_item { char c; struct item t; };
struct probe_wide { char c; struct wide t; };
struct probe_three { char c; struct three t; };
struct probe_u16 { char c; uint16_t t; };
struct probe_big { char c; struct big t; };
struct probe_char { char c; char t; };

#define ALIGN_ITEM offsetof(struct probe_item, t)
#define ALIGN_WIDE offsetof(struct probe_wide, t)
#define ALIGN_THREE offsetof(struct probe_three, t)
#define ALIGN_U16 offsetof(struct probe_u16, t)
#define ALIGN_BIG offsetof(struct probe_big, t)
#define ALIGN_CHAR offsetof(struct probe_char, t)

/* Contiki-NG v5.0's struct memb, field for field (api-reference §1.2). */
struct upstream_memb {
  unsigned short size;
  unsigned short num;
  bool *used;
  void *mem;
};

/* ---- pools ---------------------------------------------------------------------------- */

MEMB(mb_api, struct item, 8);        /* upstream test-memb-api: 8 blocks */
MEMB(mb_geo, struct item, 7);        /* geometry, zeroing, flags */
MEMB(mb_other, struct item, 3);      /* a second pool, for foreign pointers */
MEMB(mb_wide, struct wide, 5);       /* 8-byte alignment */
MEMB(mb_char, char, 16);             /* 1-byte elements */
MEMB(mb_three, struct three, 9);     /* 3-byte elements */
MEMB(mb_u16, uint16_t, 10);          /* 2-byte elements */
MEMB(mb_big, struct big, 2);         /* large elements */
MEMB(mb_one, struct item, 1);        /* num = 1 */
MEMB(mb_static, struct item, 4);     /* used without memb_init() */
MEMB(mb_waf, struct item, 6);        /* write after free */

#define MAX_BLOCKS 16
static void *blocks[MAX_BLOCKS + 1];
static unsigned char seen[MAX_BLOCKS];

/* ---- helpers ------------------------------------------------------------------------------ */

/* Index of the block of `m` that starts exactly at `p`, or -1. */
static long block_index(const struct memb *m, const void *p) {
  uintptr_t base = (uintptr_t)m->mem;
  uintptr_t a = (uintptr_t)p;
  if (p == NULL || a < base) return -1;
  if ((a - base) % m->size != 0U) return -1;
  if ((a - base) / m->size >= m->num) return -1;
  return (long)((a - base) / m->size);
}

static unsigned char *block_at(const struct memb *m, size_t i) {
  return (unsigned char *)m->mem + i * m->size;
}

static size_t used_flags_set(const struct memb *m) {
  size_t i, n = 0;
  for (i = 0; i < m->num; ++i) n += m->used[i] ? 1U : 0U;
  return n;
}

/* The pool agrees with itself: numfree, the used flags, and (if registered)
 * the native validator. */
static void check_consistent(struct memb *m, size_t want_free) {
  omniheap_heap_t *h = omniheap_heap_find(m);
  OH_CHECK_EQ_INT(memb_numfree(m), want_free);
  OH_CHECK_EQ_INT(used_flags_set(m), m->num - want_free);
  if (h != NULL) OH_CHECK_EQ_INT(omniheap_heap_validate(h), OMNIHEAP_OK);
}

/* Removes a pool from the registry at the end of a test (the registry is
 * global and shared by every suite). */
static void forget(struct memb *m) {
  omniheap_heap_t *h = omniheap_heap_find(m);
  if (h != NULL) OH_CHECK_EQ_INT(omniheap_heap_unregister(h), OMNIHEAP_OK);
}

/* ---- fault capture ----------------------------------------------------------------------- */

static struct fault_log faults;

static void capture_faults(void) { fault_log_capture(&faults, 1); }

static void release_faults(void) { fault_log_release(); }

/* The last call reported exactly one fault, of this kind, on this pool. */
static void check_one_fault(unsigned before, const struct memb *m, omniheap_fault_kind_t kind,
                            const void *pointer, const char *function) {
  OH_CHECK_EQ_INT(faults.count, before + 1U);
  OH_CHECK_EQ_INT(faults.kind, kind);
  OH_CHECK_EQ_INT(faults.family, OMNIHEAP_FAMILY_MEMB);
  OH_CHECK_EQ_PTR(faults.heap, omniheap_heap_find(m));
  OH_CHECK_EQ_PTR(faults.object, m);
  OH_CHECK_EQ_PTR(faults.pointer, pointer);
  OH_CHECK(strcmp(faults.function, function) == 0);
  OH_CHECK_EQ_INT(faults.default_action, OMNIHEAP_FAULT_RETURN);
}

/* ---- generic exercise of one pool ------------------------------------------------------ */

/* Initialises `m`, allocates every block and checks the geometry of each
 * (inside, block start, distinct, aligned, zeroed, flag set), then the
 * behaviour when full, frees in a mixed order, double frees, and repeats. */
static void exercise_pool(struct memb *m, size_t align) {
  size_t i, n = m->num;
  unsigned before;
  OH_REQUIRE(n <= MAX_BLOCKS);
  memb_init(m);
  OH_REQUIRE(omniheap_heap_find(m) != NULL);
  check_consistent(m, n);
  OH_CHECK(oh_all_zero(m->mem, (size_t)m->size * n));
  memset(seen, 0, sizeof seen);
  for (i = 0; i < n; ++i) {
    long k;
    blocks[i] = memb_alloc(m);
    OH_REQUIRE(blocks[i] != NULL);
    OH_CHECK_EQ_INT(memb_inmemb(m, blocks[i]), 1);
    k = block_index(m, blocks[i]);
    OH_REQUIRE(k >= 0);
    OH_CHECK_EQ_INT(seen[k], 0);
    seen[k] = 1;
    OH_CHECK_EQ_INT((uintptr_t)blocks[i] % align, 0);
    OH_CHECK(m->used[k]);
    OH_CHECK(oh_all_zero(blocks[i], m->size));
    OH_CHECK_EQ_INT(memb_numfree(m), n - i - 1U);
    memset(blocks[i], (int)(0x40U + i), m->size);
  }
  OH_CHECK_EQ_PTR(memb_alloc(m), NULL);
  OH_CHECK_EQ_PTR(memb_alloc(m), NULL);
  check_consistent(m, 0);
  /* Contents of live blocks are the caller's: nothing overwrote them. */
  for (i = 0; i < n; ++i) {
    size_t j;
    for (j = 0; j < m->size; ++j)
      if (!OH_CHECK_EQ_INT(((unsigned char *)blocks[i])[j], 0x40U + i)) break;
  }
  /* Free the even ones, then the odd ones. */
  for (i = 0; i < n; i += 2) OH_CHECK_EQ_INT(memb_free(m, blocks[i]), 0);
  for (i = 1; i < n; i += 2) OH_CHECK_EQ_INT(memb_free(m, blocks[i]), 0);
  check_consistent(m, n);
  /* Double frees: -1, one fault each, nothing changes. */
  capture_faults();
  for (i = 0; i < n; ++i) {
    before = faults.count;
    OH_CHECK_EQ_INT(memb_free(m, blocks[i]), -1);
    check_one_fault(before, m, OMNIHEAP_FAULT_DOUBLE_FREE, blocks[i], "memb_free");
  }
  /* Interior pointers, for elements of more than one byte. */
  if (m->size > 1U) {
    void *p = memb_alloc(m);
    if (!OH_CHECK(p != NULL)) { /* stop, but never leave our handler installed */
      release_faults();
      return;
    }
    before = faults.count;
    OH_CHECK_EQ_INT(memb_free(m, (unsigned char *)p + 1), -1);
    check_one_fault(before, m, OMNIHEAP_FAULT_INTERIOR_POINTER, (unsigned char *)p + 1, "memb_free");
    before = faults.count;
    OH_CHECK_EQ_INT(memb_free(m, (unsigned char *)p + m->size - 1), -1);
    check_one_fault(before, m, OMNIHEAP_FAULT_INTERIOR_POINTER, (unsigned char *)p + m->size - 1,
                    "memb_free");
    check_consistent(m, n - 1U);
    OH_CHECK_EQ_INT(memb_free(m, p), 0);
  }
  release_faults();
  check_consistent(m, n);
  /* A second full cycle after all that. */
  memset(seen, 0, sizeof seen);
  for (i = 0; i < n; ++i) {
    long k;
    blocks[i] = memb_alloc(m);
    OH_REQUIRE(blocks[i] != NULL);
    k = block_index(m, blocks[i]);
    OH_REQUIRE(k >= 0);
    OH_CHECK_EQ_INT(seen[k], 0);
    seen[k] = 1;
  }
  OH_CHECK_EQ_PTR(memb_alloc(m), NULL);
  for (i = n; i-- > 0;) OH_CHECK_EQ_INT(memb_free(m, blocks[i]), 0);
  check_consistent(m, n);
  forget(m);
}

/* ---- §1.6: upstream test-memb-api ------------------------------------------------------ */

static void test_memb_upstream_test_memb_api(void) {
  size_t i;
  memb_init(&mb_api);
  OH_CHECK_EQ_INT(memb_numfree(&mb_api), 8);
  for (i = 0; i < 8; ++i) {
    blocks[i] = memb_alloc(&mb_api);
    OH_REQUIRE(blocks[i] != NULL);
    OH_CHECK_EQ_INT(memb_inmemb(&mb_api, blocks[i]), 1);
    OH_CHECK_EQ_INT(memb_numfree(&mb_api), 8 - i - 1);
  }
  OH_CHECK_EQ_PTR(memb_alloc(&mb_api), NULL);
  for (i = 0; i < 8; ++i) {
    OH_CHECK_EQ_INT(memb_free(&mb_api, blocks[i]), 0);
    OH_CHECK_EQ_INT(memb_numfree(&mb_api), i + 1);
  }
  capture_faults();
  for (i = 0; i < 8; ++i) {
    OH_CHECK_EQ_INT(memb_free(&mb_api, blocks[i]), -1);
    OH_CHECK_EQ_INT(memb_numfree(&mb_api), 8);
  }
  blocks[0] = memb_alloc(&mb_api);
  if (!OH_CHECK(blocks[0] != NULL)) { /* stop, but never leave our handler installed */
    release_faults();
    return;
  }
  OH_CHECK_EQ_INT(memb_free(&mb_api, (char *)blocks[0] + 1), -1);
  OH_CHECK_EQ_INT(memb_free(&mb_api, blocks[0]), 0);
  OH_CHECK_EQ_INT(faults.count, 9);
  release_faults();
  check_consistent(&mb_api, 8);
  forget(&mb_api);
}

/* ---- init, alloc, geometry ----------------------------------------------------------------- */

static void test_memb_numfree_after_init_is_num(void) {
  memb_init(&mb_geo);
  OH_CHECK_EQ_INT(memb_numfree(&mb_geo), 7);
  OH_CHECK_EQ_INT(used_flags_set(&mb_geo), 0);
  memb_init(&mb_one);
  OH_CHECK_EQ_INT(memb_numfree(&mb_one), 1);
  forget(&mb_geo);
  forget(&mb_one);
}

static void test_memb_alloc_until_null_then_stays_null(void) {
  size_t i;
  memb_init(&mb_geo);
  for (i = 0; i < 7; ++i) OH_CHECK_NE_PTR(memb_alloc(&mb_geo), NULL);
  for (i = 0; i < 3; ++i) {
    OH_CHECK_EQ_PTR(memb_alloc(&mb_geo), NULL);
    OH_CHECK_EQ_INT(memb_numfree(&mb_geo), 0);
  }
  check_consistent(&mb_geo, 0);
  forget(&mb_geo);
}

static void test_memb_blocks_inside_distinct_and_size_apart(void) {
  size_t i;
  memb_init(&mb_geo);
  memset(seen, 0, sizeof seen);
  for (i = 0; i < 7; ++i) {
    long k;
    uintptr_t off;
    blocks[i] = memb_alloc(&mb_geo);
    OH_REQUIRE(blocks[i] != NULL);
    OH_CHECK_EQ_INT(memb_inmemb(&mb_geo, blocks[i]), 1);
    off = (uintptr_t)blocks[i] - (uintptr_t)mb_geo.mem;
    OH_CHECK_EQ_INT(off % sizeof(struct item), 0);
    OH_CHECK(off / sizeof(struct item) < 7U);
    k = block_index(&mb_geo, blocks[i]);
    OH_REQUIRE(k >= 0);
    /* Block k is element k of the array MEMB() defined. */
    OH_CHECK_EQ_PTR(blocks[i], &mb_geo_memb_mem[k]);
    OH_CHECK_EQ_INT(seen[k], 0); /* distinct, hence non-overlapping */
    seen[k] = 1;
  }
  for (i = 0; i < 7; ++i) OH_CHECK_EQ_INT(seen[i], 1); /* every block handed out once */
  forget(&mb_geo);
}

static void test_memb_blocks_naturally_aligned(void) {
  size_t i;
  memb_init(&mb_wide);
  for (i = 0; i < 5; ++i) {
    struct wide *w = (struct wide *)memb_alloc(&mb_wide);
    OH_REQUIRE(w != NULL);
    OH_CHECK_EQ_INT((uintptr_t)w % ALIGN_WIDE, 0);
    w->v = UINT64_C(0x0123456789abcdef) + i; /* a real access at that alignment */
    w->c = 'w';
    OH_CHECK(w->v == UINT64_C(0x0123456789abcdef) + i);
  }
  memb_init(&mb_geo);
  for (i = 0; i < 7; ++i) {
    void *p = memb_alloc(&mb_geo);
    OH_REQUIRE(p != NULL);
    OH_CHECK_EQ_INT((uintptr_t)p % ALIGN_ITEM, 0);
  }
  forget(&mb_wide);
  forget(&mb_geo);
}

static void test_memb_init_zeroes_all_blocks_and_frees_everything(void) {
  size_t i;
  memb_init(&mb_geo);
  for (i = 0; i < 7; ++i) {
    blocks[i] = memb_alloc(&mb_geo);
    OH_REQUIRE(blocks[i] != NULL);
    memset(blocks[i], 0xA5, sizeof(struct item));
  }
  OH_CHECK_EQ_INT(memb_free(&mb_geo, blocks[2]), 0); /* one free block with a link in it */
  memb_init(&mb_geo);
  OH_CHECK(oh_all_zero(mb_geo_memb_mem, sizeof mb_geo_memb_mem));
  for (i = 0; i < 7; ++i) OH_CHECK(!mb_geo.used[i]);
  check_consistent(&mb_geo, 7);
  for (i = 0; i < 7; ++i) OH_CHECK_NE_PTR(memb_alloc(&mb_geo), NULL);
  OH_CHECK_EQ_PTR(memb_alloc(&mb_geo), NULL);
  forget(&mb_geo);
}

static void test_memb_reinit_after_partial_use_frees_everything(void) {
  size_t i;
  memb_init(&mb_geo);
  for (i = 0; i < 5; ++i) blocks[i] = memb_alloc(&mb_geo);
  OH_CHECK_EQ_INT(memb_free(&mb_geo, blocks[1]), 0);
  OH_CHECK_EQ_INT(memb_free(&mb_geo, blocks[3]), 0);
  check_consistent(&mb_geo, 4);
  memb_init(&mb_geo);
  check_consistent(&mb_geo, 7);
  OH_CHECK(oh_all_zero(mb_geo.mem, 7U * sizeof(struct item)));
  memset(seen, 0, sizeof seen);
  for (i = 0; i < 7; ++i) {
    long k = block_index(&mb_geo, memb_alloc(&mb_geo));
    OH_REQUIRE(k >= 0);
    OH_CHECK_EQ_INT(seen[k], 0);
    seen[k] = 1;
  }
  OH_CHECK_EQ_PTR(memb_alloc(&mb_geo), NULL);
  forget(&mb_geo);
}

static void test_memb_never_allocated_blocks_come_back_zeroed(void) {
  size_t i;
  void *p0, *p1;
  /* Dirty every block, then init. */
  memb_init(&mb_geo);
  for (i = 0; i < 7; ++i) memset(memb_alloc(&mb_geo), 0xEE, sizeof(struct item));
  memb_init(&mb_geo);
  p0 = memb_alloc(&mb_geo);
  p1 = memb_alloc(&mb_geo);
  OH_REQUIRE(p0 != NULL && p1 != NULL);
  memset(p0, 0x77, sizeof(struct item));
  memset(p1, 0x77, sizeof(struct item));
  OH_CHECK_EQ_INT(memb_free(&mb_geo, p0), 0);
  for (i = 0; i < 6; ++i) {
    unsigned char *p = (unsigned char *)memb_alloc(&mb_geo);
    OH_REQUIRE(p != NULL);
    OH_CHECK(p != (unsigned char *)p1);
    if (p != (unsigned char *)p0) OH_CHECK(oh_all_zero(p, sizeof(struct item)));
  }
  OH_CHECK_EQ_PTR(memb_alloc(&mb_geo), NULL);
  forget(&mb_geo);
}

static void test_memb_alloc_does_not_zero_reused_block(void) {
  /* memb_alloc() never zeroes a block; a freed block's first two bytes hold
   * the free-list link, the rest keeps its contents. */
  size_t i;
  unsigned char *p, *q;
  memb_init(&mb_geo);
  for (i = 0; i < 7; ++i) blocks[i] = memb_alloc(&mb_geo);
  p = (unsigned char *)blocks[4];
  OH_REQUIRE(p != NULL);
  memset(p, 0x5C, sizeof(struct item));
  OH_CHECK_EQ_INT(memb_free(&mb_geo, p), 0);
  q = (unsigned char *)memb_alloc(&mb_geo); /* the only free block */
  OH_CHECK_EQ_PTR(q, p);
  OH_REQUIRE(q != NULL);
  for (i = 2; i < sizeof(struct item); ++i) OH_CHECK_EQ_INT(q[i], 0x5C);
  forget(&mb_geo);
}

/* ---- memb_free errors ----------------------------------------------------------------------- */

static void test_memb_free_null_returns_minus1_without_fault(void) {
  void *p;
  memb_init(&mb_geo);
  p = memb_alloc(&mb_geo);
  capture_faults();
  OH_CHECK_EQ_INT(memb_free(&mb_geo, NULL), -1);
  OH_CHECK_EQ_INT(faults.count, 0);
  release_faults();
  check_consistent(&mb_geo, 6);
  OH_CHECK_EQ_INT(memb_free(&mb_geo, p), 0);
  check_consistent(&mb_geo, 7);
  forget(&mb_geo);
}

static void test_memb_free_stack_object_is_foreign(void) {
  struct item on_stack;
  void *p;
  memb_init(&mb_geo);
  p = memb_alloc(&mb_geo);
  capture_faults();
  OH_CHECK_EQ_INT(memb_free(&mb_geo, &on_stack), -1);
  check_one_fault(0, &mb_geo, OMNIHEAP_FAULT_FOREIGN_POINTER, &on_stack, "memb_free");
  release_faults();
  check_consistent(&mb_geo, 6);
  OH_CHECK_EQ_INT(memb_free(&mb_geo, p), 0);
  OH_CHECK_NE_PTR(memb_alloc(&mb_geo), NULL);
  check_consistent(&mb_geo, 6);
  forget(&mb_geo);
}

static void test_memb_free_block_of_another_pool_is_foreign(void) {
  void *mine, *theirs;
  memb_init(&mb_geo);
  memb_init(&mb_other);
  mine = memb_alloc(&mb_geo);
  theirs = memb_alloc(&mb_other);
  OH_REQUIRE(mine != NULL && theirs != NULL);
  capture_faults();
  OH_CHECK_EQ_INT(memb_free(&mb_geo, theirs), -1);
  check_one_fault(0, &mb_geo, OMNIHEAP_FAULT_FOREIGN_POINTER, theirs, "memb_free");
  OH_CHECK_EQ_INT(memb_free(&mb_other, mine), -1);
  check_one_fault(1, &mb_other, OMNIHEAP_FAULT_FOREIGN_POINTER, mine, "memb_free");
  release_faults();
  check_consistent(&mb_geo, 6);
  check_consistent(&mb_other, 2);
  OH_CHECK_EQ_INT(memb_free(&mb_other, theirs), 0);
  OH_CHECK_EQ_INT(memb_free(&mb_geo, mine), 0);
  check_consistent(&mb_geo, 7);
  check_consistent(&mb_other, 3);
  forget(&mb_geo);
  forget(&mb_other);
}

static void test_memb_free_just_outside_the_array_is_foreign(void) {
  void *past_end, *before_start;
  memb_init(&mb_geo);
  past_end = &mb_geo_memb_mem[7];
  before_start = (void *)((uintptr_t)mb_geo.mem - sizeof(struct item));
  capture_faults();
  OH_CHECK_EQ_INT(memb_free(&mb_geo, past_end), -1);
  check_one_fault(0, &mb_geo, OMNIHEAP_FAULT_FOREIGN_POINTER, past_end, "memb_free");
  OH_CHECK_EQ_INT(memb_free(&mb_geo, before_start), -1);
  check_one_fault(1, &mb_geo, OMNIHEAP_FAULT_FOREIGN_POINTER, before_start, "memb_free");
  release_faults();
  check_consistent(&mb_geo, 7);
  forget(&mb_geo);
}

static void test_memb_free_interior_pointer_plus_one(void) {
  unsigned char *p;
  memb_init(&mb_geo);
  p = (unsigned char *)memb_alloc(&mb_geo);
  OH_REQUIRE(p != NULL);
  capture_faults();
  OH_CHECK_EQ_INT(memb_free(&mb_geo, p + 1), -1);
  check_one_fault(0, &mb_geo, OMNIHEAP_FAULT_INTERIOR_POINTER, p + 1, "memb_free");
  release_faults();
  check_consistent(&mb_geo, 6);
  OH_CHECK(mb_geo.used[block_index(&mb_geo, p)]); /* still allocated */
  OH_CHECK_EQ_INT(memb_free(&mb_geo, p), 0);
  check_consistent(&mb_geo, 7);
  forget(&mb_geo);
}

static void test_memb_free_interior_pointer_last_byte(void) {
  unsigned char *p;
  memb_init(&mb_geo);
  p = (unsigned char *)memb_alloc(&mb_geo);
  OH_REQUIRE(p != NULL);
  capture_faults();
  OH_CHECK_EQ_INT(memb_free(&mb_geo, p + sizeof(struct item) - 1), -1);
  check_one_fault(0, &mb_geo, OMNIHEAP_FAULT_INTERIOR_POINTER, p + sizeof(struct item) - 1,
                  "memb_free");
  release_faults();
  check_consistent(&mb_geo, 6);
  OH_CHECK_EQ_INT(memb_free(&mb_geo, p), 0);
  check_consistent(&mb_geo, 7);
  forget(&mb_geo);
}

static void test_memb_free_interior_of_free_block(void) {
  unsigned char *fresh;
  memb_init(&mb_geo);
  fresh = block_at(&mb_geo, 3); /* never allocated */
  capture_faults();
  OH_CHECK_EQ_INT(memb_free(&mb_geo, fresh + 5), -1);
  OH_CHECK_EQ_INT(faults.count, 1);
  OH_CHECK_EQ_INT(faults.kind, OMNIHEAP_FAULT_INTERIOR_POINTER);
  release_faults();
  check_consistent(&mb_geo, 7);
  forget(&mb_geo);
}

static void test_memb_double_free_returns_minus1(void) {
  void *p, *q;
  memb_init(&mb_geo);
  p = memb_alloc(&mb_geo);
  q = memb_alloc(&mb_geo);
  OH_REQUIRE(p != NULL && q != NULL);
  OH_CHECK_EQ_INT(memb_free(&mb_geo, p), 0);
  capture_faults();
  OH_CHECK_EQ_INT(memb_free(&mb_geo, p), -1);
  check_one_fault(0, &mb_geo, OMNIHEAP_FAULT_DOUBLE_FREE, p, "memb_free");
  OH_CHECK_EQ_INT(memb_free(&mb_geo, p), -1);
  check_one_fault(1, &mb_geo, OMNIHEAP_FAULT_DOUBLE_FREE, p, "memb_free");
  release_faults();
  check_consistent(&mb_geo, 6);
  /* The block is handed out once, not twice. */
  {
    size_t i;
    unsigned hits = 0;
    for (i = 0; i < 6; ++i) {
      void *r = memb_alloc(&mb_geo);
      OH_REQUIRE(r != NULL);
      OH_CHECK(r != q);
      hits += r == p ? 1U : 0U;
    }
    OH_CHECK_EQ_INT(hits, 1);
    OH_CHECK_EQ_PTR(memb_alloc(&mb_geo), NULL);
  }
  forget(&mb_geo);
}

static void test_memb_free_never_allocated_block_is_double_free(void) {
  void *fresh;
  memb_init(&mb_geo);
  fresh = block_at(&mb_geo, 6);
  capture_faults();
  OH_CHECK_EQ_INT(memb_free(&mb_geo, fresh), -1);
  check_one_fault(0, &mb_geo, OMNIHEAP_FAULT_DOUBLE_FREE, fresh, "memb_free");
  release_faults();
  check_consistent(&mb_geo, 7);
  forget(&mb_geo);
}

static void test_memb_free_stale_pointer_after_reinit(void) {
  void *p;
  memb_init(&mb_geo);
  p = memb_alloc(&mb_geo);
  OH_REQUIRE(p != NULL);
  memb_init(&mb_geo); /* frees every block */
  capture_faults();
  OH_CHECK_EQ_INT(memb_free(&mb_geo, p), -1);
  check_one_fault(0, &mb_geo, OMNIHEAP_FAULT_DOUBLE_FREE, p, "memb_free");
  release_faults();
  check_consistent(&mb_geo, 7);
  forget(&mb_geo);
}

static void test_memb_pool_works_after_every_kind_of_error(void) {
  struct item on_stack;
  size_t i;
  void *live;
  memb_init(&mb_geo);
  memb_init(&mb_other);
  live = memb_alloc(&mb_geo);
  blocks[0] = memb_alloc(&mb_geo);
  OH_REQUIRE(live != NULL && blocks[0] != NULL);
  OH_CHECK_EQ_INT(memb_free(&mb_geo, blocks[0]), 0);
  capture_faults();
  OH_CHECK_EQ_INT(memb_free(&mb_geo, NULL), -1);
  check_consistent(&mb_geo, 6);
  OH_CHECK_EQ_INT(memb_free(&mb_geo, &on_stack), -1);
  check_consistent(&mb_geo, 6);
  OH_CHECK_EQ_INT(memb_free(&mb_geo, mb_other.mem), -1);
  check_consistent(&mb_geo, 6);
  OH_CHECK_EQ_INT(memb_free(&mb_geo, (char *)live + 1), -1);
  check_consistent(&mb_geo, 6);
  OH_CHECK_EQ_INT(memb_free(&mb_geo, (char *)live + sizeof(struct item) - 1), -1);
  check_consistent(&mb_geo, 6);
  OH_CHECK_EQ_INT(memb_free(&mb_geo, blocks[0]), -1);
  check_consistent(&mb_geo, 6);
  OH_CHECK_EQ_INT(faults.count, 5);
  release_faults();
  /* Every remaining block can still be allocated exactly once, then freed. */
  memset(seen, 0, sizeof seen);
  seen[block_index(&mb_geo, live)] = 1;
  for (i = 0; i < 6; ++i) {
    long k;
    blocks[i] = memb_alloc(&mb_geo);
    k = block_index(&mb_geo, blocks[i]);
    OH_REQUIRE(k >= 0);
    OH_CHECK_EQ_INT(seen[k], 0);
    seen[k] = 1;
  }
  OH_CHECK_EQ_PTR(memb_alloc(&mb_geo), NULL);
  for (i = 0; i < 6; ++i) OH_CHECK_EQ_INT(memb_free(&mb_geo, blocks[i]), 0);
  OH_CHECK_EQ_INT(memb_free(&mb_geo, live), 0);
  check_consistent(&mb_geo, 7);
  check_consistent(&mb_other, 3);
  forget(&mb_geo);
  forget(&mb_other);
}

/* ---- memb_inmemb ------------------------------------------------------------------------------ */

static void test_memb_inmemb_range_semantics(void) {
  struct item on_stack;
  unsigned char *base;
  size_t total = 7U * sizeof(struct item);
  memb_init(&mb_geo);
  memb_init(&mb_other);
  base = (unsigned char *)mb_geo.mem;
  OH_CHECK_EQ_INT(memb_inmemb(&mb_geo, base), 1);
  OH_CHECK_EQ_INT(memb_inmemb(&mb_geo, base + 1), 1);                        /* interior */
  OH_CHECK_EQ_INT(memb_inmemb(&mb_geo, base + sizeof(struct item) + 5), 1);  /* interior */
  OH_CHECK_EQ_INT(memb_inmemb(&mb_geo, base + total - 1), 1);                /* last byte */
  OH_CHECK_EQ_INT(memb_inmemb(&mb_geo, base + total), 0);                    /* one past the end */
  OH_CHECK_EQ_INT(memb_inmemb(&mb_geo, (void *)((uintptr_t)base - 1)), 0);   /* one before */
  OH_CHECK_EQ_INT(memb_inmemb(&mb_geo, NULL), 0);
  OH_CHECK_EQ_INT(memb_inmemb(&mb_geo, &on_stack), 0);
  OH_CHECK_EQ_INT(memb_inmemb(&mb_geo, mb_other.mem), 0);
  OH_CHECK_EQ_INT(memb_inmemb(&mb_geo, &mb_geo), 0);
  OH_CHECK_EQ_INT(memb_inmemb(&mb_other, base), 0);
  /* A pure range check: says nothing about allocation state. */
  OH_CHECK_EQ_INT(memb_inmemb(&mb_geo, block_at(&mb_geo, 4)), 1); /* free block */
  blocks[0] = memb_alloc(&mb_geo);
  OH_CHECK_EQ_INT(memb_inmemb(&mb_geo, blocks[0]), 1);
  OH_CHECK_EQ_INT(memb_free(&mb_geo, blocks[0]), 0);
  OH_CHECK_EQ_INT(memb_inmemb(&mb_geo, blocks[0]), 1);
  forget(&mb_geo);
  forget(&mb_other);
}

/* ---- types, layout, the MEMB() expansion ------------------------------------------------ */

static void test_memb_function_signatures(void) {
  /* Assigning to pointers of the exact v5.0 types fails to compile
   * (-Werror) if a return or parameter type differs. */
  void (*init_fn)(struct memb *) = memb_init;
  void *(*alloc_fn)(struct memb *) = memb_alloc;
  int (*free_fn)(struct memb *, void *) = memb_free;
  int (*inmemb_fn)(struct memb *, void *) = memb_inmemb;
  size_t (*numfree_fn)(struct memb *) = memb_numfree;
  init_fn(&mb_geo);
  OH_CHECK_EQ_INT(sizeof memb_numfree(&mb_geo), sizeof(size_t));
  OH_CHECK_EQ_INT(sizeof memb_free(&mb_geo, NULL), sizeof(int));
  OH_CHECK_EQ_INT(numfree_fn(&mb_geo), 7);
  blocks[0] = alloc_fn(&mb_geo);
  OH_CHECK_EQ_INT(inmemb_fn(&mb_geo, blocks[0]), 1);
  OH_CHECK_EQ_INT(free_fn(&mb_geo, blocks[0]), 0);
  forget(&mb_geo);
}

static void test_memb_struct_layout_matches_upstream(void) {
  unsigned short *size_field = &mb_geo.size;
  unsigned short *num_field = &mb_geo.num;
  bool **used_field = &mb_geo.used;
  void **mem_field = &mb_geo.mem;
  OH_CHECK_EQ_INT(offsetof(struct memb, size), 0);
  OH_CHECK_EQ_INT(offsetof(struct memb, size), offsetof(struct upstream_memb, size));
  OH_CHECK_EQ_INT(offsetof(struct memb, num), offsetof(struct upstream_memb, num));
  OH_CHECK_EQ_INT(offsetof(struct memb, used), offsetof(struct upstream_memb, used));
  OH_CHECK_EQ_INT(offsetof(struct memb, mem), offsetof(struct upstream_memb, mem));
  OH_CHECK(offsetof(struct memb, size) < offsetof(struct memb, num));
  OH_CHECK(offsetof(struct memb, num) < offsetof(struct memb, used));
  OH_CHECK(offsetof(struct memb, used) < offsetof(struct memb, mem));
  OH_CHECK(sizeof(struct memb) >= sizeof(struct upstream_memb));
  OH_CHECK_EQ_INT(sizeof mb_geo.size, sizeof(unsigned short));
  OH_CHECK_EQ_INT(sizeof mb_geo.num, sizeof(unsigned short));
  /* Values set by MEMB(). */
  OH_CHECK_EQ_INT(*size_field, sizeof(struct item));
  OH_CHECK_EQ_INT(*num_field, 7);
  OH_CHECK_EQ_PTR(*used_field, mb_geo_memb_used);
  OH_CHECK_EQ_PTR(*mem_field, mb_geo_memb_mem);
  memb_init(&mb_geo); /* init keeps them */
  OH_CHECK_EQ_INT(mb_geo.size, sizeof(struct item));
  OH_CHECK_EQ_INT(mb_geo.num, 7);
  OH_CHECK_EQ_PTR(mb_geo.used, mb_geo_memb_used);
  OH_CHECK_EQ_PTR(mb_geo.mem, mb_geo_memb_mem);
  forget(&mb_geo);
}

static void test_memb_defined_arrays_have_documented_names(void) {
  bool *used_array = mb_geo_memb_used;
  struct item *mem_array = mb_geo_memb_mem;
  char *char_mem = mb_char_memb_mem;
  struct big *big_mem = mb_big_memb_mem;
  OH_CHECK_EQ_INT(sizeof mb_geo_memb_used / sizeof mb_geo_memb_used[0], 7);
  OH_CHECK_EQ_INT(sizeof mb_geo_memb_used[0], sizeof(bool));
  OH_CHECK_EQ_INT(sizeof mb_geo_memb_mem, 7U * sizeof(struct item));
  OH_CHECK_EQ_INT(sizeof mb_char_memb_mem, 16);
  OH_CHECK_EQ_INT(sizeof mb_big_memb_mem, 2U * sizeof(struct big));
  OH_CHECK_EQ_INT(sizeof mb_one_memb_used, sizeof(bool));
  OH_CHECK_EQ_PTR(mb_geo.used, used_array);
  OH_CHECK_EQ_PTR(mb_geo.mem, mem_array);
  OH_CHECK_EQ_PTR(mb_char.mem, char_mem);
  OH_CHECK_EQ_PTR(mb_big.mem, big_mem);
}

static void test_memb_used_flags_reflect_block_state(void) {
  size_t i;
  long k0, k1, k2;
  memb_init(&mb_geo);
  for (i = 0; i < 7; ++i) OH_CHECK(!mb_geo.used[i]);
  blocks[0] = memb_alloc(&mb_geo);
  blocks[1] = memb_alloc(&mb_geo);
  blocks[2] = memb_alloc(&mb_geo);
  k0 = block_index(&mb_geo, blocks[0]);
  k1 = block_index(&mb_geo, blocks[1]);
  k2 = block_index(&mb_geo, blocks[2]);
  OH_REQUIRE(k0 >= 0 && k1 >= 0 && k2 >= 0);
  for (i = 0; i < 7; ++i)
    OH_CHECK_EQ_INT(mb_geo.used[i], (long)i == k0 || (long)i == k1 || (long)i == k2);
  OH_CHECK_EQ_INT(memb_free(&mb_geo, blocks[1]), 0);
  for (i = 0; i < 7; ++i) OH_CHECK_EQ_INT(mb_geo.used[i], (long)i == k0 || (long)i == k2);
  /* The same flags through the array MEMB() defined. */
  for (i = 0; i < 7; ++i) OH_CHECK_EQ_INT(mb_geo_memb_used[i], mb_geo.used[i]);
  OH_CHECK_EQ_INT(memb_free(&mb_geo, blocks[0]), 0);
  OH_CHECK_EQ_INT(memb_free(&mb_geo, blocks[2]), 0);
  for (i = 0; i < 7; ++i) OH_CHECK(!mb_geo.used[i]);
  forget(&mb_geo);
}

static void test_memb_mem_field_indexable_as_array(void) {
  /* nbr-table.c style: index `mem` as an array of the element type. */
  struct item *array = (struct item *)mb_geo.mem;
  struct item *p;
  long k;
  memb_init(&mb_geo);
  p = (struct item *)memb_alloc(&mb_geo);
  OH_REQUIRE(p != NULL);
  k = block_index(&mb_geo, p);
  OH_REQUIRE(k >= 0);
  p->id = 4242U;
  OH_CHECK_EQ_INT(array[k].id, 4242);
  OH_CHECK_EQ_PTR(&array[k], p);
  OH_CHECK_EQ_INT(memb_free(&mb_geo, p), 0);
  forget(&mb_geo);
}

/* ---- element sizes -------------------------------------------------------------------------- */

static void test_memb_item_elements(void) { exercise_pool(&mb_geo, ALIGN_ITEM); }
static void test_memb_wide_elements(void) { exercise_pool(&mb_wide, ALIGN_WIDE); }
static void test_memb_two_byte_elements(void) { exercise_pool(&mb_u16, ALIGN_U16); }
static void test_memb_three_byte_elements(void) { exercise_pool(&mb_three, ALIGN_THREE); }
static void test_memb_large_elements(void) { exercise_pool(&mb_big, ALIGN_BIG); }
static void test_memb_single_block_pool(void) { exercise_pool(&mb_one, ALIGN_ITEM); }
static void test_memb_one_byte_elements(void) { exercise_pool(&mb_char, ALIGN_CHAR); }

static void test_memb_one_byte_blocks_are_consecutive_bytes(void) {
  size_t i;
  char *p;
  memb_init(&mb_char);
  OH_CHECK_EQ_INT(mb_char.size, 1);
  for (i = 0; i < 16; ++i) {
    p = (char *)memb_alloc(&mb_char);
    OH_REQUIRE(p != NULL);
    OH_CHECK(p >= mb_char_memb_mem && p < mb_char_memb_mem + 16);
    OH_CHECK_EQ_INT(*p, 0);
    *p = (char)('a' + (int)i);
  }
  OH_CHECK_EQ_PTR(memb_alloc(&mb_char), NULL);
  for (i = 0; i < 16; ++i) OH_CHECK_EQ_INT(mb_char_memb_mem[i], 'a' + (int)i); /* no overlap */
  /* No room for a link: a freed 1-byte block is left untouched. */
  OH_CHECK_EQ_INT(memb_free(&mb_char, &mb_char_memb_mem[9]), 0);
  OH_CHECK_EQ_INT(mb_char_memb_mem[9], 'j');
  p = (char *)memb_alloc(&mb_char);
  OH_CHECK_EQ_PTR(p, &mb_char_memb_mem[9]);
  OH_CHECK_EQ_INT(mb_char_memb_mem[9], 'j');
  check_consistent(&mb_char, 0);
  forget(&mb_char);
}

static void test_memb_three_byte_interior_pointers(void) {
  unsigned char *p;
  memb_init(&mb_three);
  OH_CHECK_EQ_INT(mb_three.size, 3);
  p = (unsigned char *)memb_alloc(&mb_three);
  OH_REQUIRE(p != NULL);
  capture_faults();
  OH_CHECK_EQ_INT(memb_free(&mb_three, p + 1), -1);
  check_one_fault(0, &mb_three, OMNIHEAP_FAULT_INTERIOR_POINTER, p + 1, "memb_free");
  OH_CHECK_EQ_INT(memb_free(&mb_three, p + 2), -1);
  check_one_fault(1, &mb_three, OMNIHEAP_FAULT_INTERIOR_POINTER, p + 2, "memb_free");
  release_faults();
  check_consistent(&mb_three, 8);
  OH_CHECK_EQ_INT(memb_free(&mb_three, p), 0);
  OH_CHECK_EQ_INT(memb_inmemb(&mb_three, (unsigned char *)mb_three.mem + 26), 1);
  OH_CHECK_EQ_INT(memb_inmemb(&mb_three, (unsigned char *)mb_three.mem + 27), 0);
  forget(&mb_three);
}

static void test_memb_single_block_pool_alloc_free_cycle(void) {
  void *p, *q;
  memb_init(&mb_one);
  p = memb_alloc(&mb_one);
  OH_CHECK_EQ_PTR(p, mb_one.mem);
  OH_CHECK_EQ_PTR(memb_alloc(&mb_one), NULL);
  OH_CHECK_EQ_INT(memb_numfree(&mb_one), 0);
  OH_CHECK_EQ_INT(memb_free(&mb_one, p), 0);
  OH_CHECK_EQ_INT(memb_numfree(&mb_one), 1);
  q = memb_alloc(&mb_one);
  OH_CHECK_EQ_PTR(q, p);
  OH_CHECK_EQ_INT(memb_free(&mb_one, q), 0);
  check_consistent(&mb_one, 1);
  forget(&mb_one);
}

/* ---- static initialisation -------------------------------------------------------------------- */

static void test_memb_usable_before_init(void) {
  /* mb_static is never passed to memb_init() before this point. */
  size_t i;
  omniheap_heap_t *h;
  OH_CHECK_EQ_PTR(omniheap_heap_find(&mb_static), NULL); /* not registered yet */
  OH_CHECK_EQ_INT(memb_numfree(&mb_static), 4);
  memset(seen, 0, sizeof seen);
  for (i = 0; i < 4; ++i) {
    long k;
    blocks[i] = memb_alloc(&mb_static);
    OH_REQUIRE(blocks[i] != NULL);
    OH_CHECK_EQ_INT(memb_inmemb(&mb_static, blocks[i]), 1);
    k = block_index(&mb_static, blocks[i]);
    OH_REQUIRE(k >= 0);
    OH_CHECK_EQ_INT(seen[k], 0);
    seen[k] = 1;
    OH_CHECK(mb_static.used[k]);
    OH_CHECK(oh_all_zero(blocks[i], sizeof(struct item)));
  }
  OH_CHECK_EQ_PTR(memb_alloc(&mb_static), NULL);
  OH_CHECK_EQ_INT(memb_numfree(&mb_static), 0);
  for (i = 0; i < 4; ++i) OH_CHECK_EQ_INT(memb_free(&mb_static, blocks[i]), 0);
  OH_CHECK_EQ_INT(memb_numfree(&mb_static), 4);
  /* Misuse of an unregistered pool is still reported, with heap == NULL. */
  capture_faults();
  OH_CHECK_EQ_INT(memb_free(&mb_static, blocks[0]), -1);
  OH_CHECK_EQ_INT(faults.count, 1);
  OH_CHECK_EQ_INT(faults.kind, OMNIHEAP_FAULT_DOUBLE_FREE);
  OH_CHECK_EQ_PTR(faults.heap, NULL);
  OH_CHECK_EQ_PTR(faults.object, &mb_static);
  OH_CHECK_EQ_PTR(faults.pointer, blocks[0]);
  release_faults();
  OH_CHECK_EQ_INT(memb_numfree(&mb_static), 4);
  /* memb_init() then registers it. */
  memb_init(&mb_static);
  h = omniheap_heap_find(&mb_static);
  OH_CHECK_NE_PTR(h, NULL);
  check_consistent(&mb_static, 4);
  forget(&mb_static);
}

/* ---- faults and statistics -------------------------------------------------------------------- */

static uint64_t pool_faults(const struct memb *m) {
  omniheap_stats_t s = OMNIHEAP_STATS_INIT;
  if (!OH_CHECK_EQ_INT(omniheap_heap_stats(omniheap_heap_find(m), &s), OMNIHEAP_OK)) return 0;
  return s.faults;
}

static void test_memb_fault_counter_in_stats_counts_misuse(void) {
  struct item on_stack;
  unsigned char *p;
  uint64_t base;
  memb_init(&mb_geo);
  p = (unsigned char *)memb_alloc(&mb_geo);
  OH_REQUIRE(p != NULL);
  base = pool_faults(&mb_geo);
  capture_faults();
  OH_CHECK_EQ_INT(memb_free(&mb_geo, NULL), -1); /* not a fault */
  OH_CHECK_EQ_INT(pool_faults(&mb_geo), base);
  OH_CHECK_EQ_INT(memb_free(&mb_geo, &on_stack), -1);
  OH_CHECK_EQ_INT(pool_faults(&mb_geo), base + 1U);
  OH_CHECK_EQ_INT(memb_free(&mb_geo, p + 1), -1);
  OH_CHECK_EQ_INT(pool_faults(&mb_geo), base + 2U);
  OH_CHECK_EQ_INT(memb_free(&mb_geo, p), 0);
  OH_CHECK_EQ_INT(pool_faults(&mb_geo), base + 2U);
  OH_CHECK_EQ_INT(memb_free(&mb_geo, p), -1);
  OH_CHECK_EQ_INT(pool_faults(&mb_geo), base + 3U);
  OH_CHECK_EQ_INT(faults.count, 3);
  release_faults();
  forget(&mb_geo);
}

static void test_memb_fault_handler_sees_registry_handle(void) {
  void *p;
  omniheap_heap_t *h;
  memb_init(&mb_geo);
  h = omniheap_heap_find(&mb_geo);
  OH_REQUIRE(h != NULL);
  p = memb_alloc(&mb_geo);
  OH_CHECK_EQ_INT(memb_free(&mb_geo, p), 0);
  capture_faults();
  OH_CHECK_EQ_INT(memb_free(&mb_geo, p), -1);
  OH_CHECK_EQ_PTR(faults.heap, h);
  OH_CHECK(strcmp(omniheap_heap_name(faults.heap), "mb_geo") == 0);
  release_faults();
  forget(&mb_geo);
}

/* ---- write after free ------------------------------------------------------------------------- */

/* Garbage that certainly differs from the two bytes it replaces. */
static void scribble(unsigned char *p, unsigned variant) {
  switch (variant) {
  case 0: p[0] ^= 0xFFU; p[1] ^= 0xFFU; break;
  case 1: p[0] ^= 0x01U; break;
  default: p[1] ^= 0x01U; break;
  }
}

static int is_one_of(const void *p, const void *a, const void *b, const void *c) {
  return p == a || p == b || p == c;
}

static void test_memb_write_after_free_single_free_block(void) {
  unsigned variant;
  for (variant = 0; variant < 3; ++variant) {
    size_t i;
    omniheap_heap_t *h;
    unsigned char *victim;
    void *p;
    memb_init(&mb_waf);
    h = omniheap_heap_find(&mb_waf);
    OH_REQUIRE(h != NULL);
    for (i = 0; i < 6; ++i) blocks[i] = memb_alloc(&mb_waf);
    OH_REQUIRE(blocks[5] != NULL);
    victim = (unsigned char *)blocks[2];
    OH_CHECK_EQ_INT(memb_free(&mb_waf, victim), 0);
    OH_CHECK_EQ_INT(omniheap_heap_validate(h), OMNIHEAP_OK);
    scribble(victim, variant); /* the only free block: its link is garbage now */
    OH_CHECK_EQ_INT(omniheap_heap_validate(h), OMNIHEAP_ERR_CORRUPT);
    capture_faults();
    p = memb_alloc(&mb_waf);
    OH_CHECK_EQ_PTR(p, victim); /* the only free block; never an allocated one */
    /* memb.h: the damaged link is found when memb_alloc reaches it, at the
     * latest by the next call; that call finds the pool full. */
    OH_CHECK_EQ_PTR(memb_alloc(&mb_waf), NULL);
    OH_CHECK(faults.kinds[OMNIHEAP_FAULT_CORRUPT_METADATA] >= 1U);
    OH_CHECK_EQ_INT(faults.kind, OMNIHEAP_FAULT_CORRUPT_METADATA);
    OH_CHECK_EQ_INT(faults.family, OMNIHEAP_FAMILY_MEMB);
    OH_CHECK_EQ_PTR(faults.heap, h);
    OH_CHECK_EQ_PTR(faults.object, &mb_waf);
    OH_CHECK(faults.pointer == NULL || memb_inmemb(&mb_waf, (void *)(uintptr_t)faults.pointer));
    OH_CHECK(strcmp(faults.function, "memb_alloc") == 0);
    OH_CHECK_EQ_INT(faults.default_action, OMNIHEAP_FAULT_RETURN);
    OH_CHECK_EQ_INT(omniheap_heap_validate(h), OMNIHEAP_OK);
    OH_CHECK_EQ_PTR(memb_alloc(&mb_waf), NULL); /* still full: no allocated block handed out */
    release_faults();
    check_consistent(&mb_waf, 0);
    for (i = 0; i < 6; ++i) OH_CHECK_EQ_INT(memb_free(&mb_waf, blocks[i]), 0);
    check_consistent(&mb_waf, 6);
    for (i = 0; i < 6; ++i) OH_CHECK_NE_PTR(memb_alloc(&mb_waf), NULL);
    OH_CHECK_EQ_PTR(memb_alloc(&mb_waf), NULL);
    if (oh_test_case_failures() != 0) break;
  }
  forget(&mb_waf);
}

static void test_memb_write_after_free_in_longer_free_list(void) {
  unsigned victim_no;
  /* Three freed blocks; one of them (each in turn) gets a garbage link. */
  for (victim_no = 0; victim_no < 3; ++victim_no) {
    size_t i;
    omniheap_heap_t *h;
    void *freed[3], *got[3];
    memb_init(&mb_waf);
    h = omniheap_heap_find(&mb_waf);
    OH_REQUIRE(h != NULL);
    for (i = 0; i < 6; ++i) blocks[i] = memb_alloc(&mb_waf);
    OH_REQUIRE(blocks[5] != NULL);
    freed[0] = blocks[1];
    freed[1] = blocks[3];
    freed[2] = blocks[4];
    for (i = 0; i < 3; ++i) OH_CHECK_EQ_INT(memb_free(&mb_waf, freed[i]), 0);
    OH_CHECK_EQ_INT(omniheap_heap_validate(h), OMNIHEAP_OK);
    scribble((unsigned char *)freed[victim_no], 0);
    OH_CHECK_EQ_INT(omniheap_heap_validate(h), OMNIHEAP_ERR_CORRUPT);
    capture_faults();
    for (i = 0; i < 3; ++i) {
      size_t j;
      got[i] = memb_alloc(&mb_waf);
      if (!OH_CHECK(got[i] != NULL)) { /* stop, but never leave our handler installed */
        release_faults();
        return;
      }
      OH_CHECK(is_one_of(got[i], freed[0], freed[1], freed[2])); /* a free block of this pool */
      for (j = 0; j < i; ++j) OH_CHECK(got[j] != got[i]);       /* never handed out twice */
    }
    OH_CHECK_EQ_PTR(memb_alloc(&mb_waf), NULL);
    OH_CHECK(faults.kinds[OMNIHEAP_FAULT_CORRUPT_METADATA] >= 1U);
    OH_CHECK(strcmp(faults.function, "memb_alloc") == 0);
    release_faults();
    OH_CHECK_EQ_INT(omniheap_heap_validate(h), OMNIHEAP_OK);
    check_consistent(&mb_waf, 0);
    for (i = 0; i < 6; ++i) OH_CHECK_EQ_INT(memb_free(&mb_waf, blocks[i]), 0);
    check_consistent(&mb_waf, 6);
    if (oh_test_case_failures() != 0) break;
  }
  forget(&mb_waf);
}

static void test_memb_write_after_free_two_byte_elements(void) {
  /* 2-byte blocks are all link once freed. */
  size_t i;
  omniheap_heap_t *h;
  memb_init(&mb_u16);
  h = omniheap_heap_find(&mb_u16);
  OH_REQUIRE(h != NULL);
  for (i = 0; i < 10; ++i) blocks[i] = memb_alloc(&mb_u16);
  OH_REQUIRE(blocks[9] != NULL);
  OH_CHECK_EQ_INT(memb_free(&mb_u16, blocks[7]), 0);
  scribble((unsigned char *)blocks[7], 0);
  OH_CHECK_EQ_INT(omniheap_heap_validate(h), OMNIHEAP_ERR_CORRUPT);
  capture_faults();
  OH_CHECK_EQ_PTR(memb_alloc(&mb_u16), blocks[7]);
  /* The damaged link is reached by the next memb_alloc (memb.h). */
  OH_CHECK_EQ_PTR(memb_alloc(&mb_u16), NULL);
  OH_CHECK_EQ_INT(faults.kinds[OMNIHEAP_FAULT_CORRUPT_METADATA], 1);
  OH_CHECK_EQ_INT(omniheap_heap_validate(h), OMNIHEAP_OK);
  OH_CHECK_EQ_PTR(memb_alloc(&mb_u16), NULL);
  release_faults();
  OH_CHECK_EQ_INT(omniheap_heap_validate(h), OMNIHEAP_OK);
  check_consistent(&mb_u16, 0);
  for (i = 0; i < 10; ++i) OH_CHECK_EQ_INT(memb_free(&mb_u16, blocks[i]), 0);
  check_consistent(&mb_u16, 10);
  forget(&mb_u16);
}

/* ---- panic (host only: needs a child process) ------------------------------------------------ */

#if defined(OH_HOSTED) && OH_HOSTED
static int panic_pipe = -1;

static omniheap_fault_action_t panicking_handler(const omniheap_fault_t *fault, void *context) {
  char mark = (char)('0' + (int)fault->kind);
  (void)context;
  if (write(panic_pipe, &mark, 1) != 1) _exit(3);
  return OMNIHEAP_FAULT_PANIC;
}

/* Runs `body` in a child with the panicking handler installed. Returns the
 * wait status; `marks` receives the fault kinds the handler saw. */
static int run_child(void (*body)(void), char *marks, size_t cap) {
  int fds[2], status = 0;
  pid_t pid;
  ssize_t n;
  size_t got = 0;
  if (!OH_CHECK(pipe(fds) == 0)) return -1;
  fflush(stdout);
  fflush(stderr);
  pid = fork();
  if (pid == 0) {
    int devnull = open("/dev/null", O_WRONLY);
    /* A port whose panic spins (the template) never returns either: the
     * alarm ends the child abnormally, which is what the test expects. */
    alarm(10);
    if (devnull >= 0) dup2(devnull, 2); /* the port's panic message is expected */
    close(fds[0]);
    panic_pipe = fds[1];
    omniheap_set_fault_handler(panicking_handler, NULL);
    body();
    _exit(0); /* only reached when the call returned */
  }
  close(fds[1]);
  if (!OH_CHECK(pid > 0)) {
    close(fds[0]);
    return -1;
  }
  while (got + 1 < cap && (n = read(fds[0], marks + got, cap - 1 - got)) > 0) got += (size_t)n;
  marks[got] = '\0';
  close(fds[0]);
  OH_CHECK(waitpid(pid, &status, 0) == pid);
  return status;
}

static void child_double_free(void) {
  void *p;
  memb_init(&mb_one);
  p = memb_alloc(&mb_one);
  (void)memb_free(&mb_one, p);
  (void)memb_free(&mb_one, p); /* must not return */
}

static void child_free_null(void) {
  memb_init(&mb_one);
  _exit(memb_free(&mb_one, NULL) == -1 ? 0 : 1);
}

static void test_memb_panic_action_does_not_return(void) {
  char marks[8];
  int status = run_child(child_double_free, marks, sizeof marks);
  /* Died abnormally (abort() from the port's panic) or exited non-zero. */
  OH_CHECK(WIFSIGNALED(status) || (WIFEXITED(status) && WEXITSTATUS(status) != 0));
  /* posix and none panic with abort(); the template's panic spins until the
   * child's alarm. */
  if (WIFSIGNALED(status)) OH_CHECK(WTERMSIG(status) == SIGABRT || WTERMSIG(status) == SIGALRM);
  OH_CHECK_EQ_INT(marks[0], '0' + OMNIHEAP_FAULT_DOUBLE_FREE); /* the handler ran once */
  OH_CHECK_EQ_INT(marks[1], '\0');
}

static void test_memb_free_null_is_not_a_fault_even_with_panic_handler(void) {
  char marks[8];
  int status = run_child(child_free_null, marks, sizeof marks);
  OH_CHECK(WIFEXITED(status));
  if (WIFEXITED(status)) OH_CHECK_EQ_INT(WEXITSTATUS(status), 0);
  OH_CHECK_EQ_INT(marks[0], '\0'); /* handler never called */
}
#endif

/* ---- suite ----------------------------------------------------------------------------------- */

void suite_memb(void) {
  /* Must run first: mb_static has never been initialised. */
  OH_RUN(test_memb_usable_before_init);

  OH_RUN(test_memb_upstream_test_memb_api);
  OH_RUN(test_memb_numfree_after_init_is_num);
  OH_RUN(test_memb_alloc_until_null_then_stays_null);
  OH_RUN(test_memb_blocks_inside_distinct_and_size_apart);
  OH_RUN(test_memb_blocks_naturally_aligned);
  OH_RUN(test_memb_init_zeroes_all_blocks_and_frees_everything);
  OH_RUN(test_memb_reinit_after_partial_use_frees_everything);
  OH_RUN(test_memb_never_allocated_blocks_come_back_zeroed);
  OH_RUN(test_memb_alloc_does_not_zero_reused_block);

  OH_RUN(test_memb_free_null_returns_minus1_without_fault);
  OH_RUN(test_memb_free_stack_object_is_foreign);
  OH_RUN(test_memb_free_block_of_another_pool_is_foreign);
  OH_RUN(test_memb_free_just_outside_the_array_is_foreign);
  OH_RUN(test_memb_free_interior_pointer_plus_one);
  OH_RUN(test_memb_free_interior_pointer_last_byte);
  OH_RUN(test_memb_free_interior_of_free_block);
  OH_RUN(test_memb_double_free_returns_minus1);
  OH_RUN(test_memb_free_never_allocated_block_is_double_free);
  OH_RUN(test_memb_free_stale_pointer_after_reinit);
  OH_RUN(test_memb_pool_works_after_every_kind_of_error);

  OH_RUN(test_memb_inmemb_range_semantics);

  OH_RUN(test_memb_function_signatures);
  OH_RUN(test_memb_struct_layout_matches_upstream);
  OH_RUN(test_memb_defined_arrays_have_documented_names);
  OH_RUN(test_memb_used_flags_reflect_block_state);
  OH_RUN(test_memb_mem_field_indexable_as_array);

  OH_RUN(test_memb_item_elements);
  OH_RUN(test_memb_wide_elements);
  OH_RUN(test_memb_two_byte_elements);
  OH_RUN(test_memb_three_byte_elements);
  OH_RUN(test_memb_large_elements);
  OH_RUN(test_memb_single_block_pool);
  OH_RUN(test_memb_one_byte_elements);
  OH_RUN(test_memb_one_byte_blocks_are_consecutive_bytes);
  OH_RUN(test_memb_three_byte_interior_pointers);
  OH_RUN(test_memb_single_block_pool_alloc_free_cycle);

  OH_RUN(test_memb_fault_counter_in_stats_counts_misuse);
  OH_RUN(test_memb_fault_handler_sees_registry_handle);

  OH_RUN(test_memb_write_after_free_single_free_block);
  OH_RUN(test_memb_write_after_free_in_longer_free_list);
  OH_RUN(test_memb_write_after_free_two_byte_elements);

#if defined(OH_HOSTED) && OH_HOSTED
  OH_RUN(test_memb_panic_action_does_not_return);
  OH_RUN(test_memb_free_null_is_not_a_fault_even_with_panic_handler);
#endif
}
