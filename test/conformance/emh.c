/*
 * Conformance of "emh_malloc.h" (emh_malloc 1.6 API: isolated heaps), black
 * box.
 *
 * Every expectation comes from api-reference.md section 5 (upstream
 * emh_malloc), contract.md ("emh", "Detected misuse", "Sizes near SIZE_MAX")
 * and the documentation in emh_malloc.h, omniheap.h and omniheap_config.h,
 * never from the implementation.
 *
 * Rules kept here:
 * - emh heaps can never be destroyed and the table has EMH_MALLOC_N_HEAPS
 *   slots for the whole program. So the suite creates every heap exactly
 *   once, in test_emh_create_gives_ids_in_order (the cases before it run
 *   while no heap exists: "never created" ids, refused creates), on static
 *   regions surrounded by guard bytes; every later case uses heaps 0 and 1
 *   and leaves them empty and valid. Region 0 starts 3 bytes past an 8-byte
 *   boundary and its size is no multiple of 8 (unaligned regions work);
 *   region 1 is aligned.
 * - emh's default fault action is RETURN (upstream ignores bad pointers):
 *   every case runs with the recording fault handler returning the fault's
 *   default action (EMH_RUN), so a default of PANIC would end the program.
 *   Cases that expect no fault check that none was reported. On the host a
 *   forked child also checks the real default handler returns.
 * - Static data stays small on 32-bit targets (the suite also runs on a
 *   Cortex-M0 with 16 KiB of RAM): under 2 KiB there. The block larger
 *   than 64 KiB needs a 100 KiB region and runs on hosted builds only
 *   (host, and 32-bit host32).
 */
#if defined(OH_HOSTED) && OH_HOSTED
#define _POSIX_C_SOURCE 200809L
#endif

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "emh_malloc.h"
#include "omniheap.h"

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

void suite_emh(void);

/* ---- regions ----------------------------------------------------------------------------------- */

#if defined(OH_HOSTED) && OH_HOSTED
#define R0_BYTES 1024U
#define R1_BYTES (100U * 1024U) /* room for a block larger than 64 KiB */
#else
#define R0_BYTES 512U
#define R1_BYTES 1024U
#endif
#define GUARD 8U
#define GUARD_BYTE 0xA5U
#define R0_SKEW 3U                            /* region 0 starts at 8k + 3 */
#define R0_SIZE (R0_BYTES - R0_SKEW - 2U)     /* and its size is no multiple of 8 */
#define R1_SIZE R1_BYTES

static union {
  unsigned char b[GUARD + R0_BYTES + GUARD];
  uint64_t align8;
  void *alignp;
} buf0 __attribute__((aligned(8)));
static union {
  unsigned char b[GUARD + R1_BYTES + GUARD];
  uint64_t align8;
  void *alignp;
} buf1 __attribute__((aligned(8)));
#define R0 (buf0.b + GUARD + R0_SKEW)
#define R1 (buf1.b + GUARD)

#if EMH_MALLOC_N_HEAPS > 2
/* Heaps 2 ... N-1 only fill the table. */
#define EXTRA_BYTES 256U
static union {
  unsigned char b[(EMH_MALLOC_N_HEAPS - 2) * EXTRA_BYTES];
  uint64_t align8;
} extra __attribute__((aligned(8)));
#endif

#define NH (EMH_MALLOC_N_HEAPS >= 2 ? 2 : 1) /* heaps this suite works with */

static unsigned char *const region_start[2] = {R0, R1};
static const size_t region_size[2] = {R0_SIZE, R1_SIZE};
static omniheap_heap_t *entry[2]; /* registry entries of heaps 0 and 1 */
static int heaps_ready;           /* set by test_emh_create_gives_ids_in_order */

#define MAX_BLOCKS 32
static void *blk[MAX_BLOCKS];
static unsigned short blk_n[MAX_BLOCKS];
static unsigned char blk_heap[MAX_BLOCKS];

static int global_object[4];

/* ---- helpers ----------------------------------------------------------------------------------- */

/* Alignment every block has: EMH_MALLOC_BYTE_ALIGNMENT, at least 8. */
#define BLOCK_ALIGN (EMH_MALLOC_BYTE_ALIGNMENT > 8 ? EMH_MALLOC_BYTE_ALIGNMENT : 8)

static int in_region(const void *p, size_t n, int id) {
  return oh_inside(p, n, region_start[id], region_size[id]);
}
static int aligned(const void *p) { return (uintptr_t)p % (uintptr_t)BLOCK_ALIGN == 0U; }

/* Every byte of the two buffers outside the regions still holds the guard. */
static int guards_intact(void) {
  size_t i;
  for (i = 0; i < sizeof buf0.b; ++i)
    if (!oh_inside(&buf0.b[i], 1, R0, R0_SIZE) && buf0.b[i] != GUARD_BYTE) return 0;
  for (i = 0; i < sizeof buf1.b; ++i)
    if (!oh_inside(&buf1.b[i], 1, R1, R1_SIZE) && buf1.b[i] != GUARD_BYTE) return 0;
  return 1;
}

static omniheap_stats_t stats_of(int id) {
  omniheap_stats_t s = OMNIHEAP_STATS_INIT;
  OH_CHECK_EQ_INT(omniheap_heap_stats(entry[id], &s), OMNIHEAP_OK);
  return s;
}
/* The same blocks and counters (faults aside). */
static int same_stats(const omniheap_stats_t *a, const omniheap_stats_t *b) {
  return a->capacity == b->capacity && a->in_use == b->in_use && a->free_bytes == b->free_bytes &&
         a->largest_free == b->largest_free && a->live_blocks == b->live_blocks &&
         a->allocations == b->allocations && a->frees == b->frees &&
         a->failed_allocations == b->failed_allocations;
}
struct snap {
  omniheap_stats_t s[2];
};
static struct snap snapshot(void) {
  struct snap x;
  int i;
  memset(&x, 0, sizeof x);
  for (i = 0; i < NH; ++i) x.s[i] = stats_of(i);
  return x;
}
static int unchanged(const struct snap *before) {
  struct snap now = snapshot();
  int i;
  for (i = 0; i < NH; ++i)
    if (!same_stats(&before->s[i], &now.s[i])) return 0;
  return 1;
}

/* End of a case: both heaps valid and empty, the guards intact. */
static void finish(void) {
  int i;
  for (i = 0; i < NH; ++i) {
    omniheap_stats_t s = stats_of(i);
    OH_CHECK_EQ_INT(omniheap_heap_validate(entry[i]), OMNIHEAP_OK);
    OH_CHECK_EQ_INT(s.live_blocks, 0);
    OH_CHECK_EQ_INT(s.in_use, 0);
  }
  OH_CHECK(guards_intact());
}

/* ---- fault capture ------------------------------------------------------------------------------ */

static struct fault_log faults;

/* Every case runs with the recording handler, which returns the fault's
 * default action (RETURN for emh: the case goes on); the default handler is
 * restored after. */
#define EMH_RUN(fn)                  \
  do {                               \
    fault_log_capture(&faults, 1);   \
    OH_RUN(fn);                      \
    fault_log_release();             \
  } while (0)

/* The last call reported exactly one fault of this kind; id >= 0: on heap id. */
static void check_one_fault(unsigned before, int id, omniheap_fault_kind_t kind, const void *pointer,
                            const char *function) {
  OH_CHECK_EQ_INT(faults.count, before + 1U);
  OH_CHECK_EQ_INT(faults.kind, kind);
  OH_CHECK_EQ_INT(faults.family, OMNIHEAP_FAMILY_EMH);
  if (id >= 0) OH_CHECK_EQ_PTR(faults.heap, entry[id]);
  OH_CHECK_EQ_PTR(faults.pointer, pointer);
  OH_CHECK(strcmp(faults.function, function) == 0);
  OH_CHECK_EQ_INT(faults.default_action, OMNIHEAP_FAULT_RETURN);
}

#define REQUIRE_HEAPS() OH_REQUIRE(heaps_ready)

/* ---- header -------------------------------------------------------------------------------------- */

static void test_emh_header_macros_and_types(void) {
  emh_heapId_t id = -1;
  emh_blockLink_t link;
  emh_heapLink_t hl;
  OH_CHECK_EQ_INT(EMH_MALLOC_HEAP_ID_BITMASK, 0x7F);
  OH_CHECK_EQ_INT(EMH_MALLOC_BITS_PER_BYTE, 8);
  OH_CHECK_EQ_INT(EMH_MALLOC_MAX_HEAPS, 127);
  OH_CHECK_EQ_INT(EMH_MALLOC_N_HEAPS, OMNIHEAP_CONF_EMH_N_HEAPS);
  OH_CHECK(EMH_MALLOC_N_HEAPS >= 1 && EMH_MALLOC_N_HEAPS <= EMH_MALLOC_MAX_HEAPS);
  OH_CHECK_EQ_INT(EMH_MALLOC_BYTE_ALIGNMENT, OMNIHEAP_CONF_EMH_ALIGNMENT);
  OH_CHECK_EQ_INT(EMH_MALLOC_BYTE_ALIGN_MASK, EMH_MALLOC_BYTE_ALIGNMENT - 1);
  OH_CHECK_EQ_INT(sizeof(emh_heapId_t), 1);
  OH_CHECK(id < 0); /* signed char */
  link.blockSize = 0;
  link.nextFree = &link;
  hl.start = link;
  hl.end = &link;
  hl.freeBytes = 0;
  hl.remainBytes = 0;
  OH_CHECK(hl.end == &link && hl.start.nextFree == &link);
}

/* ---- before any heap exists ----------------------------------------------------------------------- */

/* No heap was created yet (ids 0 ... N-1 never created): every id gives
 * NULL, quietly; NULL regions and regions too small are refused. */
static void test_emh_before_create(void) {
  size_t count = omniheap_heap_count();
  static const size_t tiny[] = {0, 1, 4, 7, 8, 15};
  size_t i;
  int id;
  if (omniheap_heap_find_name("emh0") != NULL) {
    oh_test_note("emh heaps already exist: another suite created them");
    OH_CHECK(0);
    return;
  }
  for (id = -2; id <= EMH_MALLOC_N_HEAPS; ++id) {
    OH_CHECK_EQ_PTR(emh_malloc((emh_heapId_t)id, 8), NULL);
    OH_CHECK_EQ_PTR(emh_calloc((emh_heapId_t)id, 2, 4), NULL);
  }
  OH_CHECK_EQ_PTR(emh_realloc(NULL, 8), NULL);
  emh_free(NULL);
  /* Refused creates, with every id still free. */
  OH_CHECK(emh_create(NULL, R0_SIZE) < 0);
  OH_CHECK(emh_create(NULL, 0) < 0);
  for (i = 0; i < sizeof tiny / sizeof tiny[0]; ++i) {
    OH_CHECK(emh_create(R0, tiny[i]) < 0);
    OH_CHECK(emh_create(R0 + 5, tiny[i]) < 0);
  }
  OH_CHECK_EQ_INT(omniheap_heap_count(), count);
  OH_CHECK(omniheap_heap_find_name("emh0") == NULL);
  OH_CHECK_EQ_INT(faults.count, 0);
}

#if defined(OH_HOSTED) && OH_HOSTED
/* Runs body in a forked child (stderr to /dev/null); returns the wait status. */
/* A child's own table: the smallest region emh_create() accepts (start
 * aligned, and 3 bytes past) holds its metadata and one smallest block. */
static union {
  unsigned char b[1024];
  uint64_t align8;
} probe __attribute__((aligned(8)));
static int probe_skew;
static int probe_pipe = -1; /* the child writes the smallest accepted size here */
static int probe_guards_intact(const unsigned char *mem, size_t n) {
  size_t i;
  for (i = 0; i < sizeof probe.b; ++i)
    if (!oh_inside(&probe.b[i], 1, mem, n) && probe.b[i] != GUARD_BYTE) return 0;
  return 1;
}
static int child_smallest_region(void) {
  size_t n;
  for (n = 0; n <= 512U; ++n) {
    unsigned char *mem = probe.b + probe_skew;
    emh_heapId_t id;
    unsigned char *p;
    memset(probe.b, GUARD_BYTE, sizeof probe.b);
    id = emh_create(mem, n);
    if (!probe_guards_intact(mem, n)) return 13; /* wrote outside the region */
    if (id < 0) continue;
    if (write(probe_pipe, &n, sizeof n) != (ssize_t)sizeof n) return 14;
    if (id != 0) return 10; /* the refused sizes took an id */
    p = (unsigned char *)emh_malloc(id, 1);
    if (p == NULL) return 1; /* accepted, but no room for one byte */
    if (!oh_inside(p, 1, mem, n) || !aligned(p)) return 11;
    *p = 1;
    emh_free(p);
    return probe_guards_intact(mem, n) ? 0 : 13;
  }
  return 12; /* nothing up to 512 bytes accepted */
}

static void test_emh_smallest_region_serves_one_byte(void) {
  int skew;
  for (skew = 0; skew <= 3; skew += 3) {
    int status, fds[2];
    size_t n = 0;
    OH_REQUIRE(pipe(fds) == 0);
    probe_skew = skew;
    probe_pipe = fds[1];
    status = oh_run_child_exit(child_smallest_region);
    close(fds[1]);
    if (read(fds[0], &n, sizeof n) != (ssize_t)sizeof n) n = 0;
    close(fds[0]);
    OH_CHECK(WIFEXITED(status));
    if (!OH_CHECK_EQ_INT(WEXITSTATUS(status), 0)) {
      char text[160];
      snprintf(text, sizeof text, "region start 8k+%d: smallest region accepted %lu bytes; child status %d "
               "(1: emh_malloc(id, 1) gives NULL there)", skew, (unsigned long)n, WEXITSTATUS(status));
      oh_test_note(text);
    }
  }
}
#endif

/* ---- creation -------------------------------------------------------------------------------------- */

static void test_emh_create_gives_ids_in_order(void) {
  size_t count = omniheap_heap_count();
  emh_heapId_t id;
  int i;
  int on_stack[64];
  memset(buf0.b, GUARD_BYTE, sizeof buf0.b);
  memset(buf1.b, GUARD_BYTE, sizeof buf1.b);
  memset(on_stack, 0, sizeof on_stack);

  id = emh_create(R0, R0_SIZE);
  OH_REQUIRE(id == 0);
  OH_CHECK(emh_create(R1, 8) < 0);    /* too small: no id taken */
  OH_CHECK(emh_create(NULL, R1_SIZE) < 0);
#if EMH_MALLOC_N_HEAPS >= 2
  id = emh_create(R1, R1_SIZE);
  OH_REQUIRE(id == 1);
#endif
#if EMH_MALLOC_N_HEAPS > 2
  for (i = 2; i < EMH_MALLOC_N_HEAPS; ++i)
    OH_REQUIRE(emh_create(extra.b + (size_t)(i - 2) * EXTRA_BYTES, EXTRA_BYTES) == i);
#endif
  OH_CHECK_EQ_INT(omniheap_heap_count(), count + (size_t)EMH_MALLOC_N_HEAPS);

  /* The table is full: -1 whatever the region. */
  OH_CHECK_EQ_INT(emh_create(on_stack, sizeof on_stack), -1);
  OH_CHECK_EQ_INT(emh_create(NULL, 64), -1);
  OH_CHECK_EQ_INT(emh_create(on_stack, 4), -1);
  OH_CHECK_EQ_INT(omniheap_heap_count(), count + (size_t)EMH_MALLOC_N_HEAPS);
  for (i = 0; i < (int)(sizeof on_stack / sizeof on_stack[0]); ++i) OH_CHECK_EQ_INT(on_stack[i], 0);

  /* Registry: "emh<id>", family emh, empty. */
  entry[0] = omniheap_heap_find_name("emh0");
#if EMH_MALLOC_N_HEAPS >= 2
  entry[1] = omniheap_heap_find_name("emh1");
#endif
  for (i = 0; i < NH; ++i) {
    omniheap_stats_t s = OMNIHEAP_STATS_INIT;
    OH_REQUIRE(entry[i] != NULL);
    OH_CHECK_EQ_INT(omniheap_heap_family(entry[i]), OMNIHEAP_FAMILY_EMH);
    OH_CHECK(strcmp(omniheap_heap_name(entry[i]), i == 0 ? "emh0" : "emh1") == 0);
    OH_CHECK_EQ_INT(omniheap_heap_stats(entry[i], &s), OMNIHEAP_OK);
    OH_CHECK(s.capacity > 0U && s.capacity <= region_size[i]);
    OH_CHECK_EQ_INT(s.in_use, 0);
    OH_CHECK_EQ_INT(s.live_blocks, 0);
    OH_CHECK_EQ_INT(s.in_use + s.free_bytes, s.capacity);
    OH_CHECK_EQ_INT(s.block_size, 0);
    OH_CHECK_EQ_INT(omniheap_heap_validate(entry[i]), OMNIHEAP_OK);
  }
  OH_CHECK(entry[0] != entry[1] || NH == 1);
  OH_CHECK(guards_intact());
  OH_CHECK_EQ_INT(faults.count, 0);
  heaps_ready = 1;
}

/* ---- ids and sizes ----------------------------------------------------------------------------------- */

static void test_emh_bad_ids_give_null(void) {
  static const int bad[] = {-1, -2, -100, SCHAR_MIN, EMH_MALLOC_N_HEAPS, EMH_MALLOC_N_HEAPS + 1,
                            100, 126, 127};
  struct snap before;
  size_t i;
  REQUIRE_HEAPS();
  before = snapshot();
  for (i = 0; i < sizeof bad / sizeof bad[0]; ++i) {
    emh_heapId_t id = (emh_heapId_t)bad[i];
    if (bad[i] > EMH_MALLOC_MAX_HEAPS || bad[i] < SCHAR_MIN) continue;
    OH_CHECK_EQ_PTR(emh_malloc(id, 16), NULL);
    OH_CHECK_EQ_PTR(emh_malloc(id, 1), NULL);
    OH_CHECK_EQ_PTR(emh_calloc(id, 4, 4), NULL);
  }
  for (i = (size_t)EMH_MALLOC_N_HEAPS; i <= (size_t)EMH_MALLOC_MAX_HEAPS; ++i) {
    OH_CHECK_EQ_PTR(emh_malloc((emh_heapId_t)i, 8), NULL);
    OH_CHECK_EQ_PTR(emh_calloc((emh_heapId_t)i, 1, 8), NULL);
  }
  OH_CHECK(unchanged(&before));
  OH_CHECK_EQ_INT(faults.count, 0);
  /* The good ids still work. */
  for (i = 0; i < (size_t)NH; ++i) {
    void *p = emh_malloc((emh_heapId_t)i, 16);
    OH_CHECK(p != NULL && in_region(p, 16, (int)i));
    emh_free(p);
  }
  OH_CHECK_EQ_INT(faults.count, 0);
  finish();
}

static void test_emh_size_zero_and_too_big_give_null(void) {
  static const size_t big[] = {SIZE_MAX, SIZE_MAX - 1U, SIZE_MAX - 7U, SIZE_MAX - 64U,
                               SIZE_MAX / 2U + 1U, R1_SIZE, R1_SIZE + 1U};
  struct snap before;
  size_t i;
  int id;
  REQUIRE_HEAPS();
  before = snapshot();
  for (id = 0; id < NH; ++id) {
    OH_CHECK_EQ_PTR(emh_malloc((emh_heapId_t)id, 0), NULL);
    OH_CHECK_EQ_PTR(emh_calloc((emh_heapId_t)id, 0, 8), NULL);
    OH_CHECK_EQ_PTR(emh_calloc((emh_heapId_t)id, 8, 0), NULL);
    OH_CHECK_EQ_PTR(emh_calloc((emh_heapId_t)id, 0, 0), NULL);
  }
  OH_CHECK(unchanged(&before));
  for (id = 0; id < NH; ++id) {
    omniheap_stats_t s0 = stats_of(id), s1;
    for (i = 0; i < sizeof big / sizeof big[0]; ++i)
      OH_CHECK_EQ_PTR(emh_malloc((emh_heapId_t)id, big[i]), NULL);
    OH_CHECK_EQ_PTR(emh_malloc((emh_heapId_t)id, region_size[id]), NULL);
    s1 = stats_of(id);
    OH_CHECK_EQ_INT(s1.in_use, s0.in_use);
    OH_CHECK_EQ_INT(s1.live_blocks, s0.live_blocks);
    OH_CHECK_EQ_INT(s1.allocations, s0.allocations);
  }
  OH_CHECK_EQ_INT(faults.count, 0);
  finish();
}

/* ---- blocks ----------------------------------------------------------------------------------------------- */

/* Fills heap id with blocks of cycling sizes until it refuses one; checks
 * each is aligned, inside the region, disjoint from the others, and keeps
 * its contents. Returns the number of blocks (in blk[]). */
static size_t fill_heap(int id, size_t first) {
  static const unsigned short sizes[] = {1, 24, 7, 64, 13, 40, 8, 100, 3, 33, 16, 57};
  size_t n = first, i, k = 0;
  for (;;) {
    unsigned short sz = sizes[k++ % (sizeof sizes / sizeof sizes[0])];
    void *p;
    if (n >= MAX_BLOCKS) break;
    p = emh_malloc((emh_heapId_t)id, sz);
    if (p == NULL) {
      /* Try smaller ones before giving up. */
      p = emh_malloc((emh_heapId_t)id, 1);
      if (p == NULL) break;
      sz = 1;
    }
    OH_CHECK(aligned(p));
    OH_CHECK(in_region(p, sz, id));
    for (i = 0; i < n; ++i) OH_CHECK(!oh_overlap(p, sz, blk[i], blk_n[i]));
    blk[n] = p;
    blk_n[n] = sz;
    blk_heap[n] = (unsigned char)id;
    oh_fill(p, sz, (unsigned)n);
    ++n;
  }
  return n;
}
static void check_and_free(size_t n) {
  size_t i;
  for (i = 0; i < n; ++i) OH_CHECK(oh_intact(blk[i], blk_n[i], (unsigned)i));
  for (i = 0; i < n; ++i) emh_free(blk[i]);
}

static void test_emh_blocks_aligned_inside_and_disjoint(void) {
  int id;
  size_t n, sz;
  REQUIRE_HEAPS();
  /* Every small size, both heaps (region 0 is unaligned). */
  for (id = 0; id < NH; ++id)
    for (sz = 1; sz <= 40U; ++sz) {
      unsigned char *p = (unsigned char *)emh_malloc((emh_heapId_t)id, sz);
      OH_REQUIRE(p != NULL);
      OH_CHECK(aligned(p));
      OH_CHECK(in_region(p, sz, id));
      memset(p, 0x5A, sz);
      emh_free(p);
    }
  /* Heap 0 filled up: the blocks are disjoint and stay inside the region. */
  n = fill_heap(0, 0);
  OH_CHECK(n >= 4U && n < MAX_BLOCKS);
  OH_CHECK_EQ_INT(stats_of(0).live_blocks, n);
  OH_CHECK_EQ_INT(omniheap_heap_validate(entry[0]), OMNIHEAP_OK);
  OH_CHECK(guards_intact());
  check_and_free(n);
  OH_CHECK_EQ_INT(faults.count, 0);
  finish();
}

/* Appends s, or the decimal digits of v, at *at (no printf: the same code
 * runs on the smallest targets). */
static void put_text(char **at, const char *end, const char *s) {
  while (*s != '\0' && *at + 1 < end) *(*at)++ = *s++;
  **at = '\0';
}
static void put_number(char **at, const char *end, size_t v) {
  char digits[24];
  int n = 0;
  do {
    digits[n++] = (char)('0' + (int)(v % 10U));
    v /= 10U;
  } while (v != 0U);
  while (n > 0 && *at + 1 < end) *(*at)++ = digits[--n];
  **at = '\0';
}
/* Notes "heap <id>: <t1><a><t2><b><t3>". */
static void note_sizes(int id, const char *t1, size_t a, const char *t2, size_t b, const char *t3) {
  char text[160], *at = text;
  const char *end = text + sizeof text;
  put_text(&at, end, "heap ");
  put_number(&at, end, (size_t)id);
  put_text(&at, end, ": ");
  put_text(&at, end, t1);
  put_number(&at, end, a);
  put_text(&at, end, t2);
  put_number(&at, end, b);
  put_text(&at, end, t3);
  oh_test_note(text);
}

/* largest_free is a request size: emh_malloc(id, largest_free) succeeds on
 * an empty heap, one byte more does not. */
static void test_emh_largest_free_is_a_request_size(void) {
  int id;
  REQUIRE_HEAPS();
  for (id = 0; id < NH; ++id) {
    omniheap_stats_t s = stats_of(id);
    void *p;
    OH_CHECK(s.largest_free > 0U && s.largest_free <= s.free_bytes);
    p = emh_malloc((emh_heapId_t)id, s.largest_free);
    if (!OH_CHECK(p != NULL)) {
      size_t n = s.largest_free;
      while (n > 0U && (p = emh_malloc((emh_heapId_t)id, n)) == NULL) --n;
      if (p != NULL) emh_free(p);
      note_sizes(id, "largest_free ", s.largest_free, ", but the largest emh_malloc that succeeds is ", n, "");
      p = NULL;
    }
    if (p != NULL) {
      OH_CHECK(in_region(p, s.largest_free, id));
      emh_free(p);
    }
    p = emh_malloc((emh_heapId_t)id, s.largest_free + 1U);
    OH_CHECK_EQ_PTR(p, NULL);
    if (p != NULL) emh_free(p);
  }
  OH_CHECK_EQ_INT(faults.count, 0);
  finish();
}

/* ---- calloc ----------------------------------------------------------------------------------------------- */

static void test_emh_calloc_zeroes(void) {
  int id;
  REQUIRE_HEAPS();
  for (id = 0; id < NH; ++id) {
    unsigned char *d, *z;
    size_t i;
    /* Dirty the memory the next blocks will likely get. */
    d = (unsigned char *)emh_malloc((emh_heapId_t)id, 200);
    OH_REQUIRE(d != NULL);
    memset(d, 0xEE, 200);
    emh_free(d);
    z = (unsigned char *)emh_calloc((emh_heapId_t)id, 10, 20);
    OH_REQUIRE(z != NULL);
    OH_CHECK(aligned(z) && in_region(z, 200, id));
    OH_CHECK(oh_all_zero(z, 200));
    emh_free(z);
    for (i = 1; i <= 9U; ++i) {
      z = (unsigned char *)emh_calloc((emh_heapId_t)id, i, 7);
      OH_REQUIRE(z != NULL);
      OH_CHECK(oh_all_zero(z, i * 7U));
      memset(z, 0xEE, i * 7U);
      emh_free(z);
    }
  }
  OH_CHECK_EQ_INT(faults.count, 0);
  finish();
}

static void test_emh_calloc_overflow_is_null(void) {
  struct snap before;
  int id;
  REQUIRE_HEAPS();
  before = snapshot();
  for (id = 0; id < NH; ++id) {
    emh_heapId_t h = (emh_heapId_t)id;
    OH_CHECK_EQ_PTR(emh_calloc(h, SIZE_MAX / 2U + 1U, 2), NULL);
    OH_CHECK_EQ_PTR(emh_calloc(h, 2, SIZE_MAX / 2U + 1U), NULL);
    OH_CHECK_EQ_PTR(emh_calloc(h, SIZE_MAX, SIZE_MAX), NULL);
    OH_CHECK_EQ_PTR(emh_calloc(h, (SIZE_MAX >> (sizeof(size_t) * 4U)) + 2U,
                               (SIZE_MAX >> (sizeof(size_t) * 4U)) + 2U), NULL);
    /* Wraps to a small product: must not give a short block. */
    OH_CHECK_EQ_PTR(emh_calloc(h, SIZE_MAX / 16U + 2U, 16), NULL);
    OH_CHECK_EQ_PTR(emh_calloc(h, 3, SIZE_MAX / 3U + 1U), NULL);
  }
  before.s[0].failed_allocations = stats_of(0).failed_allocations; /* counting them is allowed */
  if (NH > 1) before.s[1].failed_allocations = stats_of(1).failed_allocations;
  OH_CHECK(unchanged(&before));
  OH_CHECK_EQ_INT(faults.count, 0);
  finish();
}

/* emh_calloc(id, n, size) takes the same chunk bytes as emh_malloc(id, n * size). */
static void test_emh_calloc_does_not_over_allocate(void) {
  static const unsigned short shapes[][2] = {{1, 1}, {1, 8}, {3, 7}, {10, 10}, {4, 25}, {1, 57},
                                             {16, 4}, {5, 24}};
  size_t k;
  int id;
  REQUIRE_HEAPS();
  for (id = 0; id < NH; ++id)
    for (k = 0; k < sizeof shapes / sizeof shapes[0]; ++k) {
      size_t n = shapes[k][0], sz = shapes[k][1];
      omniheap_stats_t s0 = stats_of(id), s1, s2;
      void *m, *c;
      m = emh_malloc((emh_heapId_t)id, n * sz);
      OH_REQUIRE(m != NULL);
      s1 = stats_of(id);
      emh_free(m);
      c = emh_calloc((emh_heapId_t)id, n, sz);
      OH_REQUIRE(c != NULL);
      s2 = stats_of(id);
      OH_CHECK_EQ_INT(s2.in_use - s0.in_use, s1.in_use - s0.in_use);
      OH_CHECK_EQ_INT(s2.live_blocks, s0.live_blocks + 1U);
      /* No more than upstream's one header (2 pointers) and the alignment. */
      OH_CHECK(s2.in_use - s0.in_use >= n * sz);
      OH_CHECK(s2.in_use - s0.in_use <= n * sz + 2U * sizeof(void *) + (size_t)BLOCK_ALIGN);
      emh_free(c);
    }
  OH_CHECK_EQ_INT(faults.count, 0);
  finish();
}

/* ---- realloc ------------------------------------------------------------------------------------------------ */

static void test_emh_realloc_null_allocates_nothing(void) {
  struct snap before;
  REQUIRE_HEAPS();
  before = snapshot();
  OH_CHECK_EQ_PTR(emh_realloc(NULL, 16), NULL);
  OH_CHECK_EQ_PTR(emh_realloc(NULL, 1), NULL);
  OH_CHECK_EQ_PTR(emh_realloc(NULL, 0), NULL);
  OH_CHECK_EQ_PTR(emh_realloc(NULL, SIZE_MAX), NULL);
  OH_CHECK(unchanged(&before));
  OH_CHECK_EQ_INT(faults.count, 0);
  finish();
}

static void test_emh_realloc_zero_frees(void) {
  int id;
  REQUIRE_HEAPS();
  for (id = 0; id < NH; ++id) {
    omniheap_stats_t s0 = stats_of(id), s1;
    void *p = emh_malloc((emh_heapId_t)id, 40);
    OH_REQUIRE(p != NULL);
    OH_CHECK_EQ_PTR(emh_realloc(p, 0), NULL);
    s1 = stats_of(id);
    OH_CHECK_EQ_INT(s1.live_blocks, s0.live_blocks);
    OH_CHECK_EQ_INT(s1.in_use, s0.in_use);
    OH_CHECK_EQ_INT(s1.frees, s0.frees + 1U);
    OH_CHECK_EQ_INT(faults.count, 0);
    /* It was freed: freeing it again is a double free. */
    emh_free(p);
    check_one_fault(0, id, OMNIHEAP_FAULT_DOUBLE_FREE, p, "emh_free");
    faults.count = 0;
  }
  finish();
}

static void test_emh_realloc_shrink_same_pointer(void) {
  int id;
  REQUIRE_HEAPS();
  for (id = 0; id < NH; ++id) {
    unsigned char *p = (unsigned char *)emh_malloc((emh_heapId_t)id, 200), *q;
    omniheap_stats_t s0, s1;
    OH_REQUIRE(p != NULL);
    oh_fill(p, 200, 7);
    s0 = stats_of(id);
    q = (unsigned char *)emh_realloc(p, 120);
    OH_CHECK_EQ_PTR(q, p);
    OH_REQUIRE(q != NULL);
    OH_CHECK(oh_intact(q, 120, 7));
    s1 = stats_of(id);
    OH_CHECK(s1.in_use < s0.in_use); /* the rest went back to the heap */
    OH_CHECK_EQ_INT(s1.live_blocks, s0.live_blocks);
    q = (unsigned char *)emh_realloc(p, 1);
    OH_CHECK_EQ_PTR(q, p);
    OH_CHECK(q != NULL && q[0] == oh_pattern(7, 0));
    /* Same size: same pointer. */
    q = (unsigned char *)emh_realloc(p, 1);
    OH_CHECK_EQ_PTR(q, p);
    emh_free(p);
  }
  OH_CHECK_EQ_INT(faults.count, 0);
  finish();
}

/* Three blocks; the middle one freed: the lowest grows in place into the free
 * space above it (everything between it and the highest block is free). */
static void test_emh_realloc_grows_in_place_into_free_space(void) {
  int id;
  REQUIRE_HEAPS();
  for (id = 0; id < NH; ++id) {
    unsigned char *v[3], *t, *q;
    omniheap_stats_t s0, s1;
    v[0] = (unsigned char *)emh_malloc((emh_heapId_t)id, 64);
    v[1] = (unsigned char *)emh_malloc((emh_heapId_t)id, 64);
    v[2] = (unsigned char *)emh_malloc((emh_heapId_t)id, 64);
    OH_REQUIRE(v[0] != NULL && v[1] != NULL && v[2] != NULL);
    /* Sort by address. */
    if (v[0] > v[1]) { t = v[0]; v[0] = v[1]; v[1] = t; }
    if (v[1] > v[2]) { t = v[1]; v[1] = v[2]; v[2] = t; }
    if (v[0] > v[1]) { t = v[0]; v[0] = v[1]; v[1] = t; }
    OH_REQUIRE(v[2] - v[0] >= 128);
    oh_fill(v[0], 64, 1);
    oh_fill(v[2], 64, 3);
    emh_free(v[1]);
    s0 = stats_of(id);
    q = (unsigned char *)emh_realloc(v[0], 100);
    OH_CHECK_EQ_PTR(q, v[0]);
    OH_REQUIRE(q != NULL);
    OH_CHECK(oh_intact(q, 64, 1) && oh_intact(v[2], 64, 3));
    s1 = stats_of(id);
    OH_CHECK(s1.in_use > s0.in_use);
    OH_CHECK_EQ_INT(s1.live_blocks, s0.live_blocks);
    oh_fill(q, 100, 4);
    OH_CHECK(oh_intact(v[2], 64, 3));
    emh_free(q);
    emh_free(v[2]);
  }
  OH_CHECK_EQ_INT(faults.count, 0);
  finish();
}

/* A block that cannot grow where it is moves, inside its own region, with
 * its contents; the old block is freed. */
static void test_emh_realloc_moves_within_its_heap(void) {
  int id;
  REQUIRE_HEAPS();
  for (id = 0; id < NH; ++id) {
    unsigned char *a, *b, *lo, *hi, *q;
    omniheap_stats_t s0, s1;
    a = (unsigned char *)emh_malloc((emh_heapId_t)id, 48);
    b = (unsigned char *)emh_malloc((emh_heapId_t)id, 48);
    OH_REQUIRE(a != NULL && b != NULL);
    lo = a < b ? a : b;
    hi = a < b ? b : a;
    oh_fill(lo, 48, 5);
    oh_fill(hi, 48, 6);
    s0 = stats_of(id);
    q = (unsigned char *)emh_realloc(lo, 200);
    OH_REQUIRE(q != NULL);
    OH_CHECK(in_region(q, 200, id));
    OH_CHECK(aligned(q));
    OH_CHECK(oh_intact(q, 48, 5));
    OH_CHECK(oh_intact(hi, 48, 6));
    OH_CHECK(!oh_overlap(q, 200, hi, 48));
    if (hi - lo < 200) OH_CHECK(q != lo); /* hi is in the way */
    s1 = stats_of(id);
    OH_CHECK_EQ_INT(s1.live_blocks, s0.live_blocks);
    oh_fill(q, 200, 8);
    OH_CHECK(oh_intact(hi, 48, 6));
    /* Shrinking a moved block keeps it too. */
    OH_CHECK_EQ_PTR(emh_realloc(q, 20), q);
    OH_CHECK(oh_intact(q, 20, 8));
    emh_free(q);
    emh_free(hi);
  }
  OH_CHECK_EQ_INT(faults.count, 0);
  finish();
}

/* A heap-0 block grown beyond what heap 0 can hold stays in heap 0: NULL,
 * although heap 1 has room; and heap 1 is untouched. */
static void test_emh_realloc_never_moves_to_another_heap(void) {
  unsigned char *p, *q;
  omniheap_stats_t s0, s1, t0, t1;
  REQUIRE_HEAPS();
  if (NH < 2) {
    oh_test_note("one heap only");
    return;
  }
  p = (unsigned char *)emh_malloc(0, 32);
  OH_REQUIRE(p != NULL);
  oh_fill(p, 32, 9);
  s0 = stats_of(0);
  s1 = stats_of(1);
  OH_CHECK(s1.largest_free > R0_SIZE);
  q = (unsigned char *)emh_realloc(p, R0_SIZE);
  OH_CHECK_EQ_PTR(q, NULL);
  if (q != NULL) {
    OH_CHECK(in_region(q, R0_SIZE, 0));
    emh_free(q);
  } else {
    OH_CHECK(oh_intact(p, 32, 9));
    t0 = stats_of(0);
    OH_CHECK_EQ_INT(t0.in_use, s0.in_use);
    OH_CHECK_EQ_INT(t0.live_blocks, s0.live_blocks);
    emh_free(p);
  }
  t1 = stats_of(1);
  OH_CHECK(same_stats(&s1, &t1));
  /* Heap 1 blocks stay in region 1 when they move. */
  p = (unsigned char *)emh_malloc(1, 16);
  q = (unsigned char *)emh_malloc(1, 16);
  OH_REQUIRE(p != NULL && q != NULL);
  oh_fill(p, 16, 2);
  p = (unsigned char *)emh_realloc(p, 600);
  OH_REQUIRE(p != NULL);
  OH_CHECK(in_region(p, 600, 1) && oh_intact(p, 16, 2));
  emh_free(p);
  emh_free(q);
  OH_CHECK_EQ_INT(faults.count, 0);
  finish();
}

static void test_emh_realloc_failure_keeps_block(void) {
  int id;
  REQUIRE_HEAPS();
  for (id = 0; id < NH; ++id) {
    unsigned char *p = (unsigned char *)emh_malloc((emh_heapId_t)id, 50);
    omniheap_stats_t s0, s1;
    static const size_t huge[] = {SIZE_MAX, SIZE_MAX - 3U, SIZE_MAX / 2U};
    size_t i;
    OH_REQUIRE(p != NULL);
    oh_fill(p, 50, 11);
    s0 = stats_of(id);
    OH_CHECK_EQ_PTR(emh_realloc(p, region_size[id]), NULL);
    for (i = 0; i < sizeof huge / sizeof huge[0]; ++i) OH_CHECK_EQ_PTR(emh_realloc(p, huge[i]), NULL);
    s1 = stats_of(id);
    OH_CHECK_EQ_INT(s1.in_use, s0.in_use);
    OH_CHECK_EQ_INT(s1.live_blocks, s0.live_blocks);
    OH_CHECK(oh_intact(p, 50, 11));
    /* Still a block in use: it can grow, and be freed. */
    p = (unsigned char *)emh_realloc(p, 80);
    OH_REQUIRE(p != NULL);
    OH_CHECK(oh_intact(p, 50, 11));
    emh_free(p);
  }
  OH_CHECK_EQ_INT(faults.count, 0);
  finish();
}

/* ---- free and misuse ---------------------------------------------------------------------------------------- */

static void test_emh_free_null_is_noop(void) {
  struct snap before;
  REQUIRE_HEAPS();
  before = snapshot();
  emh_free(NULL);
  emh_free(NULL);
  OH_CHECK(unchanged(&before));
  OH_CHECK_EQ_INT(faults.count, 0);
  finish();
}

static void test_emh_double_free_reported(void) {
  int id;
  REQUIRE_HEAPS();
  for (id = 0; id < NH; ++id) {
    unsigned char *a, *b, *c;
    omniheap_stats_t s0, s1;
    unsigned base = faults.count;
    a = (unsigned char *)emh_malloc((emh_heapId_t)id, 24);
    b = (unsigned char *)emh_malloc((emh_heapId_t)id, 24);
    c = (unsigned char *)emh_malloc((emh_heapId_t)id, 24);
    OH_REQUIRE(a != NULL && b != NULL && c != NULL);
    oh_fill(a, 24, 1);
    oh_fill(c, 24, 3);
    emh_free(b);
    s0 = stats_of(id);
    emh_free(b);
    check_one_fault(base, id, OMNIHEAP_FAULT_DOUBLE_FREE, b, "emh_free");
    s1 = stats_of(id);
    OH_CHECK(same_stats(&s0, &s1));
    OH_CHECK_EQ_INT(s1.faults, s0.faults + 1U);
    OH_CHECK_EQ_INT(omniheap_heap_validate(entry[id]), OMNIHEAP_OK);
    OH_CHECK(oh_intact(a, 24, 1) && oh_intact(c, 24, 3));
    /* Twice more, and through realloc. */
    emh_free(b);
    check_one_fault(base + 1U, id, OMNIHEAP_FAULT_DOUBLE_FREE, b, "emh_free");
    OH_CHECK_EQ_PTR(emh_realloc(b, 48), NULL);
    check_one_fault(base + 2U, id, OMNIHEAP_FAULT_DOUBLE_FREE, b, "emh_realloc");
    s1 = stats_of(id);
    OH_CHECK(same_stats(&s0, &s1));
    /* The heap still works. */
    b = (unsigned char *)emh_malloc((emh_heapId_t)id, 24);
    OH_CHECK(b != NULL);
    emh_free(b);
    emh_free(a);
    emh_free(c);
    OH_CHECK_EQ_INT(faults.count, base + 3U);
    OH_CHECK_EQ_INT(omniheap_heap_validate(entry[id]), OMNIHEAP_OK);
  }
  finish();
}

static void test_emh_foreign_pointers_reported(void) {
  int on_stack[4];
  static int zero_object[4];
  unsigned char *pa, *pb = NULL;
  struct snap before;
  const void *foreign[6];
  size_t i;
  REQUIRE_HEAPS();
  memset(on_stack, 0, sizeof on_stack);
  pa = (unsigned char *)emh_malloc(0, 40);
  OH_REQUIRE(pa != NULL);
  oh_fill(pa, 40, 4);
  if (NH > 1) {
    pb = (unsigned char *)emh_malloc(1, 40);
    OH_REQUIRE(pb != NULL);
    oh_fill(pb, 40, 5);
  }
  global_object[0] = 0x12345678;
  foreign[0] = &on_stack[2];
  foreign[1] = &global_object[2];
  foreign[2] = &zero_object[2];
  foreign[3] = R0 + R0_SIZE;     /* just past region 0 (unaligned end) */
  foreign[4] = R1 + R1_SIZE;     /* just past region 1 */
  foreign[5] = buf0.b + GUARD;   /* before region 0 */
  before = snapshot();
  for (i = 0; i < sizeof foreign / sizeof foreign[0]; ++i) {
    unsigned base = faults.count, failures = oh_test_case_failures();
    emh_free((void *)(uintptr_t)foreign[i]);
    check_one_fault(base, -1, OMNIHEAP_FAULT_FOREIGN_POINTER, foreign[i], "emh_free");
    OH_CHECK_EQ_PTR(emh_realloc((void *)(uintptr_t)foreign[i], 16), NULL);
    check_one_fault(base + 1U, -1, OMNIHEAP_FAULT_FOREIGN_POINTER, foreign[i], "emh_realloc");
    OH_CHECK_EQ_PTR(emh_realloc((void *)(uintptr_t)foreign[i], 0), NULL);
    OH_CHECK_EQ_INT(faults.count, base + 3U);
    OH_CHECK_EQ_INT(faults.kind, OMNIHEAP_FAULT_FOREIGN_POINTER);
    OH_CHECK_EQ_PTR(faults.pointer, foreign[i]);
    /* Either name fits: emh_realloc(p, 0) is documented as a free. */
    OH_CHECK(strcmp(faults.function, "emh_realloc") == 0 || strcmp(faults.function, "emh_free") == 0);
    if (oh_test_case_failures() != failures) {
      static const char *const what[] = {"on the stack", "a static object", "a zeroed static object",
                                         "just past region 0 (unaligned end)", "just past region 1",
                                         "before region 0"};
      oh_test_note(what[i]);
    }
  }
  OH_CHECK(unchanged(&before));
  OH_CHECK_EQ_INT(on_stack[2], 0);
  OH_CHECK_EQ_INT(global_object[2], 0);
  OH_CHECK(oh_intact(pa, 40, 4));
  if (pb != NULL) OH_CHECK(oh_intact(pb, 40, 5));
  OH_CHECK(guards_intact());
  emh_free(pa);
  if (pb != NULL) emh_free(pb);
  OH_CHECK_EQ_INT(faults.count, 3U * (unsigned)(sizeof foreign / sizeof foreign[0]));
  finish();
}

static void test_emh_interior_pointers_reported(void) {
  int id;
  REQUIRE_HEAPS();
  for (id = 0; id < NH; ++id) {
    unsigned char *p, *q;
    size_t offs[5], i, v;
    omniheap_stats_t s0, s1;
    p = (unsigned char *)emh_malloc((emh_heapId_t)id, 64);
    q = (unsigned char *)emh_malloc((emh_heapId_t)id, 16);
    OH_REQUIRE(p != NULL && q != NULL);
    offs[0] = 1;
    offs[1] = 4;
    offs[2] = 8;
    offs[3] = 16;
    offs[4] = 63;
    for (v = 0; v < 2U; ++v) {
      memset(p, v == 0U ? 0x00 : 0xFF, 64); /* contents must not matter */
      s0 = stats_of(id);
      for (i = 0; i < 5U; ++i) {
        unsigned base = faults.count;
        emh_free(p + offs[i]);
        check_one_fault(base, id, OMNIHEAP_FAULT_INTERIOR_POINTER, p + offs[i], "emh_free");
        OH_CHECK_EQ_PTR(emh_realloc(p + offs[i], 128), NULL);
        check_one_fault(base + 1U, id, OMNIHEAP_FAULT_INTERIOR_POINTER, p + offs[i], "emh_realloc");
      }
      s1 = stats_of(id);
      OH_CHECK(same_stats(&s0, &s1));
      OH_CHECK_EQ_INT(s1.faults, s0.faults + 10U);
      OH_CHECK_EQ_INT(omniheap_heap_validate(entry[id]), OMNIHEAP_OK);
      OH_CHECK(p[0] == (v == 0U ? 0x00 : 0xFF) && p[63] == p[0]);
    }
    emh_free(p);
    emh_free(q);
    OH_CHECK_EQ_INT(faults.count, 20);
    faults.count = 0;
  }
  finish();
}

/* The word just below a block is its tag: damaged, the block is refused
 * (reported, nothing freed); restored, it frees normally. */
static void test_emh_damaged_tag_reported(void) {
  int id;
  REQUIRE_HEAPS();
  for (id = 0; id < NH; ++id) {
    unsigned char *p = (unsigned char *)emh_malloc((emh_heapId_t)id, 32), saved;
    omniheap_stats_t s0, s1;
    OH_REQUIRE(p != NULL);
    oh_fill(p, 32, 12);
    saved = p[-1];
    p[-1] = (unsigned char)(saved ^ 0x5AU);
    s0 = stats_of(id);
    emh_free(p);
    OH_CHECK_EQ_INT(faults.count, 1);
    OH_CHECK_EQ_INT(faults.family, OMNIHEAP_FAMILY_EMH);
    OH_CHECK_EQ_PTR(faults.pointer, p);
    OH_CHECK_EQ_INT(faults.kind, OMNIHEAP_FAULT_CORRUPT_METADATA);
    OH_CHECK_EQ_PTR(faults.heap, entry[id]);
    OH_CHECK_EQ_INT(faults.default_action, OMNIHEAP_FAULT_RETURN);
    OH_CHECK_EQ_PTR(emh_realloc(p, 64), NULL);
    OH_CHECK_EQ_INT(faults.count, 2);
    s1 = stats_of(id);
    OH_CHECK(same_stats(&s0, &s1));
    OH_CHECK(oh_intact(p, 32, 12));
    p[-1] = saved;
    OH_CHECK_EQ_INT(omniheap_heap_validate(entry[id]), OMNIHEAP_OK);
    emh_free(p);
    OH_CHECK_EQ_INT(faults.count, 2);
    faults.count = 0;
  }
  finish();
}

#if defined(OH_HOSTED) && OH_HOSTED
/* With the default handler (the port's corruption hook), a double free and
 * a foreign pointer return: the child goes on and the heap still works. */
static int child_default_handler(void) {
  int local[2] = {0, 0};
  void *p;
  omniheap_set_fault_handler(NULL, NULL);
  p = emh_malloc(0, 16);
  if (p == NULL) return 20;
  emh_free(p);
  emh_free(p);
  emh_free(&local[1]);
  if (emh_realloc(p, 32) != NULL) return 21;
  p = emh_malloc(0, 16);
  if (p == NULL) return 22;
  emh_free(p);
  return omniheap_heap_validate(entry[0]) == OMNIHEAP_OK ? 0 : 23;
}

static void test_emh_default_fault_action_returns(void) {
  int status;
  REQUIRE_HEAPS();
  status = oh_run_child_exit(child_default_handler);
  OH_CHECK(WIFEXITED(status));
  OH_CHECK_EQ_INT(WEXITSTATUS(status), 0);
  finish();
}
#endif

/* ---- blocks of any size ----------------------------------------------------------------------------------- */

static void test_emh_block_larger_than_64k(void) {
#if defined(OH_HOSTED) && OH_HOSTED
  static const size_t sizes[] = {65535U, 65536U, 65537U, 70000U, 98304U};
  size_t i;
  REQUIRE_HEAPS();
  if (NH < 2) {
    oh_test_note("one heap only");
    return;
  }
  for (i = 0; i < sizeof sizes / sizeof sizes[0]; ++i) {
    unsigned char *p = (unsigned char *)emh_malloc(1, sizes[i]);
    omniheap_stats_t s;
    OH_REQUIRE(p != NULL);
    OH_CHECK(in_region(p, sizes[i], 1) && aligned(p));
    oh_fill(p, sizes[i], (unsigned)i);
    s = stats_of(1);
    OH_CHECK(s.in_use >= sizes[i]);
    OH_CHECK_EQ_INT(s.live_blocks, 1);
    OH_CHECK_EQ_INT(omniheap_heap_validate(entry[1]), OMNIHEAP_OK);
    OH_CHECK(oh_intact(p, sizes[i], (unsigned)i));
    emh_free(p);
  }
  /* Grown past 64 KiB by realloc, and a second block beside a large one. */
  {
    unsigned char *p = (unsigned char *)emh_malloc(1, 1000), *q;
    OH_REQUIRE(p != NULL);
    oh_fill(p, 1000, 77);
    p = (unsigned char *)emh_realloc(p, 70000);
    OH_REQUIRE(p != NULL);
    OH_CHECK(in_region(p, 70000, 1) && oh_intact(p, 1000, 77));
    q = (unsigned char *)emh_malloc(1, 20000);
    OH_CHECK(q != NULL && in_region(q, 20000, 1) && !oh_overlap(p, 70000, q, 20000));
    if (q != NULL) emh_free(q);
    emh_free(p);
  }
  OH_CHECK_EQ_INT(faults.count, 0);
  finish();
#else
  oh_test_note("hosted builds only (a 100 KiB region)");
#endif
}

/* ---- registry ---------------------------------------------------------------------------------------------- */

static void test_emh_registry_stats_per_heap(void) {
  omniheap_stats_t a0, b0, a1, b1, a2;
  void *p[3];
  REQUIRE_HEAPS();
  if (NH < 2) {
    oh_test_note("one heap only");
    return;
  }
  a0 = stats_of(0);
  b0 = stats_of(1);
  p[0] = emh_malloc(0, 100);
  p[1] = emh_calloc(0, 3, 10);
  p[2] = emh_malloc(0, 1);
  OH_REQUIRE(p[0] != NULL && p[1] != NULL && p[2] != NULL);
  a1 = stats_of(0);
  b1 = stats_of(1);
  OH_CHECK(same_stats(&b0, &b1)); /* heap 1 untouched */
  OH_CHECK_EQ_INT(a1.live_blocks, a0.live_blocks + 3U);
  OH_CHECK_EQ_INT(a1.allocations, a0.allocations + 3U);
  OH_CHECK(a1.in_use >= a0.in_use + 131U);
  OH_CHECK(a1.peak >= a1.in_use);
  OH_CHECK_EQ_INT(a1.in_use + a1.free_bytes, a1.capacity);
  OH_CHECK_EQ_INT(a1.capacity, a0.capacity);
  OH_CHECK(emh_malloc(0, R0_SIZE) == NULL);
  a2 = stats_of(0);
  OH_CHECK_EQ_INT(a2.failed_allocations, a1.failed_allocations + 1U);
  b1 = stats_of(1);
  OH_CHECK(same_stats(&b0, &b1));
  emh_free(p[1]);
  emh_free(p[0]);
  emh_free(p[2]);
  a2 = stats_of(0);
  OH_CHECK_EQ_INT(a2.frees, a0.frees + 3U);
  OH_CHECK_EQ_INT(a2.in_use, a0.in_use);
  /* And the other way round. */
  p[0] = emh_malloc(1, 64);
  OH_REQUIRE(p[0] != NULL);
  a1 = stats_of(0);
  OH_CHECK(same_stats(&a2, &a1));
  OH_CHECK_EQ_INT(stats_of(1).live_blocks, b0.live_blocks + 1U);
  emh_free(p[0]);
  /* Totals include both heaps. */
  {
    omniheap_stats_t t = OMNIHEAP_STATS_INIT;
    OH_CHECK_EQ_INT(omniheap_totals(&t), OMNIHEAP_OK);
    OH_CHECK(t.capacity >= a0.capacity + b0.capacity);
  }
  OH_CHECK_EQ_INT(faults.count, 0);
  finish();
}

/* The walk reports each block in use at its user area (the pointer emh
 * returned), with at least the bytes asked for. */
struct walk_ctx {
  void *const *ptrs;
  const unsigned short *sizes;
  size_t n, used, matched, free_blocks;
  int id;
  int outside;
  const void *first_used; /* address of the first block in use reported */
  size_t first_size;
};
static int walk_cb(const omniheap_block_t *b, void *context) {
  struct walk_ctx *w = (struct walk_ctx *)context;
  size_t i;
  if (!in_region(b->address, b->size, w->id)) ++w->outside;
  if (!b->used) {
    ++w->free_blocks;
    return 0;
  }
  if (w->used++ == 0U) {
    w->first_used = b->address;
    w->first_size = b->size;
  }
  for (i = 0; i < w->n; ++i)
    if (w->ptrs[i] == b->address && b->size >= w->sizes[i]) ++w->matched;
  return 0;
}
static void test_emh_walk_reports_user_blocks(void) {
  int id;
  REQUIRE_HEAPS();
  for (id = 0; id < NH; ++id) {
    struct walk_ctx w;
    size_t i;
    for (i = 0; i < 4U; ++i) {
      blk_n[i] = (unsigned short)(8U + i * 20U);
      blk[i] = emh_malloc((emh_heapId_t)id, blk_n[i]);
      OH_REQUIRE(blk[i] != NULL);
    }
    emh_free(blk[1]);
    blk[1] = blk[3];
    blk_n[1] = blk_n[3];
    memset(&w, 0, sizeof w);
    w.ptrs = blk;
    w.sizes = blk_n;
    w.n = 3;
    w.id = id;
    OH_CHECK_EQ_INT(omniheap_heap_walk(entry[id], walk_cb, &w), OMNIHEAP_OK);
    OH_CHECK_EQ_INT(w.used, 3);
    if (!OH_CHECK_EQ_INT(w.matched, 3) && w.first_used != NULL) {
      const unsigned char *lowest = (const unsigned char *)blk[0];
      for (i = 1; i < 3U; ++i)
        if ((const unsigned char *)blk[i] < lowest) lowest = (const unsigned char *)blk[i];
      note_sizes(id, "the walk's first block in use is ", (size_t)(lowest - (const unsigned char *)w.first_used),
                 " bytes below the lowest pointer emh gave out (size ", w.first_size, ")");
    }
    OH_CHECK(w.free_blocks >= 1U);
    OH_CHECK_EQ_INT(w.outside, 0);
    for (i = 0; i < 3U; ++i) emh_free(blk[i]);
  }
  OH_CHECK_EQ_INT(faults.count, 0);
  finish();
}

/* ---- isolation ---------------------------------------------------------------------------------------------- */

static void test_emh_isolation_interleaved(void) {
  static const unsigned short sizes[] = {12, 1, 40, 7, 64, 24, 3, 90, 16, 33};
  size_t n = 0, i, k = 0, j;
  int done[2] = {0, 0};
  REQUIRE_HEAPS();
  if (NH < 2) {
    oh_test_note("one heap only");
    return;
  }
  while (n < MAX_BLOCKS && !(done[0] && done[1])) {
    int id = (int)(k % 2U);
    unsigned short sz = sizes[(k / 2U) % (sizeof sizes / sizeof sizes[0])];
    void *p;
    ++k;
    if (done[id]) continue;
    p = emh_malloc((emh_heapId_t)id, sz);
    if (p == NULL) {
      done[id] = 1;
      continue;
    }
    OH_CHECK(in_region(p, sz, id));
    OH_CHECK(!in_region(p, 1, 1 - id));
    OH_CHECK(aligned(p));
    for (i = 0; i < n; ++i) OH_CHECK(!oh_overlap(p, sz, blk[i], blk_n[i]));
    blk[n] = p;
    blk_n[n] = sz;
    blk_heap[n] = (unsigned char)id;
    oh_fill(p, sz, (unsigned)n + 100U);
    ++n;
  }
  OH_CHECK(n >= 8U);
  /* Reallocs of every other block stay in their heaps. */
  for (i = 0; i < n; i += 2U) {
    void *q = emh_realloc(blk[i], (size_t)blk_n[i] + 9U);
    if (q == NULL) continue; /* heap 0 may be full */
    OH_CHECK(in_region(q, (size_t)blk_n[i] + 9U, blk_heap[i]));
    OH_CHECK(oh_intact(q, blk_n[i], (unsigned)i + 100U));
    blk[i] = q;
    oh_fill(q, blk_n[i], (unsigned)i + 100U);
  }
  for (i = 0; i < n; ++i) {
    OH_CHECK(oh_intact(blk[i], blk_n[i], (unsigned)i + 100U));
    for (j = i + 1U; j < n; ++j) OH_CHECK(!oh_overlap(blk[i], blk_n[i], blk[j], blk_n[j]));
  }
  {
    size_t in0 = 0;
    for (i = 0; i < n; ++i) in0 += blk_heap[i] == 0U;
    OH_CHECK_EQ_INT(stats_of(0).live_blocks, in0);
    OH_CHECK_EQ_INT(stats_of(1).live_blocks, n - in0);
  }
  OH_CHECK(guards_intact());
  /* Freed in an interleaved order: emh_free finds each block's heap. */
  for (i = n; i-- > 0U;)
    if (i % 2U == 1U) emh_free(blk[i]);
  for (i = 0; i < n; ++i)
    if (i % 2U == 0U) emh_free(blk[i]);
  OH_CHECK_EQ_INT(faults.count, 0);
  finish();
}

/* ---- the suite ---------------------------------------------------------------------------------------------- */

void suite_emh(void) {
  EMH_RUN(test_emh_header_macros_and_types);
  EMH_RUN(test_emh_before_create);
#if defined(OH_HOSTED) && OH_HOSTED
  EMH_RUN(test_emh_smallest_region_serves_one_byte);
#endif
  EMH_RUN(test_emh_create_gives_ids_in_order); /* every later case uses its heaps */
  EMH_RUN(test_emh_bad_ids_give_null);
  EMH_RUN(test_emh_size_zero_and_too_big_give_null);
  EMH_RUN(test_emh_blocks_aligned_inside_and_disjoint);
  EMH_RUN(test_emh_largest_free_is_a_request_size);
  EMH_RUN(test_emh_calloc_zeroes);
  EMH_RUN(test_emh_calloc_overflow_is_null);
  EMH_RUN(test_emh_calloc_does_not_over_allocate);
  EMH_RUN(test_emh_realloc_null_allocates_nothing);
  EMH_RUN(test_emh_realloc_zero_frees);
  EMH_RUN(test_emh_realloc_shrink_same_pointer);
  EMH_RUN(test_emh_realloc_grows_in_place_into_free_space);
  EMH_RUN(test_emh_realloc_moves_within_its_heap);
  EMH_RUN(test_emh_realloc_never_moves_to_another_heap);
  EMH_RUN(test_emh_realloc_failure_keeps_block);
  EMH_RUN(test_emh_free_null_is_noop);
  EMH_RUN(test_emh_double_free_reported);
  EMH_RUN(test_emh_foreign_pointers_reported);
  EMH_RUN(test_emh_interior_pointers_reported);
  EMH_RUN(test_emh_damaged_tag_reported);
#if defined(OH_HOSTED) && OH_HOSTED
  EMH_RUN(test_emh_default_fault_action_returns);
#endif
  EMH_RUN(test_emh_block_larger_than_64k);
  EMH_RUN(test_emh_registry_stats_per_heap);
  EMH_RUN(test_emh_walk_reports_user_blocks);
  EMH_RUN(test_emh_isolation_interleaved);
}
