/*
 * Conformance of <zephyr/kernel.h> (Zephyr 4.2+ k_heap and the system heap,
 * k_malloc family), black box.
 *
 * Every expectation comes from api-reference.md section 3 (upstream Zephyr
 * kernel/kheap.c, kernel/mempool.c and their tests), section 4 for the
 * sys_heap underneath, contract.md ("k_heap / system heap", "Detected
 * misuse", "Sizes near SIZE_MAX") and the documentation in zephyr/kernel.h,
 * zephyr/sys_clock.h, zephyr/sys/sys_heap.h, omniheap.h and omniheap_port.h,
 * never from the implementation.
 *
 * Rules kept here:
 * - The default fault action of k_heap is PANIC (Zephyr asserts), so every
 *   case runs with a counting handler that returns OMNIHEAP_FAULT_RETURN
 *   (KH_RUN); cases that expect no fault check that none was reported. The
 *   default panic itself is checked in forked children on the host.
 * - K_HEAP_DEFINE heaps are permanent (and, like every initialised heap,
 *   recorded in sys_heap's heap array): only three are defined, and every
 *   case leaves them empty. k_heap_init heaps live in one small static
 *   buffer with guard bytes around (the suite also runs on a Cortex-M0 with
 *   16 KiB of RAM) and leave the native registry at the end of each case.
 * - The system heap (OMNIHEAP_CONF_HEAP_MEM_POOL_SIZE bytes) is shared with
 *   whatever else runs: checks use deltas of its statistics, and every case
 *   frees what it took.
 * - Timed waits are short (20 ms): the cortex-m port polls its SysTick.
 */
#if defined(OH_HOSTED) && OH_HOSTED
#define _POSIX_C_SOURCE 200809L
#endif

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "omniheap.h"
#include "omniheap_port.h"
#include <zephyr/kernel.h>
#include <zephyr/sys/heap_listener.h> /* HEAP_ID_FROM_POINTER */
#include <zephyr/sys/sys_heap.h>

#include "blocks.h"
#include "child.h"
#include "fault_log.h"
#include "oh_test.h"
#include "suites.h"

#if defined(OH_HOSTED) && OH_HOSTED
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#endif

void suite_k_heap(void);

/* ---- heaps under test ------------------------------------------------------------------------ */

/* Sizes: 64-bit builds (and 8-byte chunk headers) need more room for the
 * same free space than the 32-bit targets, whose RAM is small. */
#if UINTPTR_MAX > 0xFFFFFFFFu || OMNIHEAP_CONF_SYS_HEAP_HEADERS == 2
#define KDEF_SIZE 512
#define KX_SIZE 1024U
#define KY_SIZE 512U
#else
#define KDEF_SIZE 384
#define KX_SIZE 832U
#define KY_SIZE 384U
#endif

/* Statically defined heaps: usable with no init call. */
K_HEAP_DEFINE(kh_tiny, 1);                /* the smallest heap: one 1-byte block */
static K_HEAP_DEFINE(kh_def, KDEF_SIZE);  /* `static` applies to the buffer only */
K_HEAP_DEFINE_NOCACHE(kh_nocache, 256);

/* Heaps set up with k_heap_init() on one static buffer with guards. */
#define KB_GUARD 8U
#define KB_SIZE (KB_GUARD + KX_SIZE + KB_GUARD + KY_SIZE + KB_GUARD)
#define GUARD_BYTE 0x5AU
static union {
  unsigned char b[KB_SIZE];
  uint64_t align8;
  void *alignp;
} kbuf __attribute__((aligned(8)));
#define KX_MEM (kbuf.b + KB_GUARD)
#define KY_MEM (kbuf.b + KB_GUARD + KX_SIZE + KB_GUARD)

static struct k_heap kx, ky;

#define MAX_PTRS 40
static void *ptrs[MAX_PTRS];
static size_t nptrs;

/* ---- helpers --------------------------------------------------------------------------------- */

static uintptr_t up8(uintptr_t x) { return (x + 7U) & ~(uintptr_t)7U; }

/* Z_HEAP_MIN_SIZE as a value (its expansion is too long to be stringified by
 * the check macros) and MAX(bytes, Z_HEAP_MIN_SIZE), as K_HEAP_DEFINE sizes buffers. */
static const size_t min_size = Z_HEAP_MIN_SIZE;
static size_t defined_size(size_t bytes) { return bytes > min_size ? bytes : min_size; }

/* Every byte of kbuf outside the two heap regions still holds the guard. */
static int guards_intact(void) {
  size_t i;
  for (i = 0; i < sizeof kbuf.b; ++i) {
    const unsigned char *a = &kbuf.b[i];
    if (oh_inside(a, 1, KX_MEM, KX_SIZE) || oh_inside(a, 1, KY_MEM, KY_SIZE)) continue;
    if (*a != GUARD_BYTE) return 0;
  }
  return 1;
}

static struct sys_memory_stats rt(struct k_heap *h) {
  struct sys_memory_stats s;
  memset(&s, 0xEE, sizeof s);
  OH_CHECK_EQ_INT(sys_heap_runtime_stats_get(&h->heap, &s), 0);
  return s;
}
static int same_rt(const struct sys_memory_stats *a, const struct sys_memory_stats *b) {
  return a->free_bytes == b->free_bytes && a->allocated_bytes == b->allocated_bytes &&
         a->max_allocated_bytes == b->max_allocated_bytes;
}

static void forget(const void *object) {
  omniheap_heap_t *e = omniheap_heap_find(object);
  if (e != NULL) OH_CHECK_EQ_INT(omniheap_heap_unregister(e), OMNIHEAP_OK);
}

/* kx (and ky) fresh on the guarded buffer. */
static void fresh_x(void) {
  memset(kbuf.b, GUARD_BYTE, sizeof kbuf.b);
  k_heap_init(&kx, KX_MEM, KX_SIZE);
}
static void fresh_xy(void) {
  fresh_x();
  k_heap_init(&ky, KY_MEM, KY_SIZE);
}

/* End of a case on a heap of ours: valid, empty; leaves the registry. */
static void finish(struct k_heap *h) {
  struct sys_memory_stats s = rt(h);
  OH_CHECK(sys_heap_validate(&h->heap));
  OH_CHECK_EQ_INT(s.allocated_bytes, 0);
  forget(h);
}
/* End of a case on a permanent (K_HEAP_DEFINE) heap: valid and empty. */
static void leave_defined(struct k_heap *h) {
  struct sys_memory_stats s = rt(h);
  OH_CHECK(sys_heap_validate(&h->heap));
  OH_CHECK_EQ_INT(s.allocated_bytes, 0);
}

/* Allocates from h until not even one byte is left (K_NO_WAIT). */
static void fill_heap(struct k_heap *h) {
  static const size_t sizes[] = {512, 256, 128, 64, 32, 16, 8, 4, 1};
  size_t i;
  nptrs = 0;
  for (i = 0; i < sizeof sizes / sizeof sizes[0]; ++i) {
    void *p;
    while (nptrs < MAX_PTRS && (p = k_heap_alloc(h, sizes[i], K_NO_WAIT)) != NULL)
      ptrs[nptrs++] = p;
  }
  OH_CHECK(nptrs < MAX_PTRS);
  OH_CHECK_EQ_PTR(k_heap_alloc(h, 1, K_NO_WAIT), NULL);
}
static void drain(struct k_heap *h) {
  while (nptrs > 0U) k_heap_free(h, ptrs[--nptrs]);
}

static uint64_t now_us(void) { return omniheap_port_time_us(); }
static int port_is(const char *name) { return strcmp(OMNIHEAP_PORT_NAME, name) == 0; }

#if defined(OH_HOSTED) && OH_HOSTED
static void child_alignment_3(void);
#endif

/* ---- fault capture ----------------------------------------------------------------------------- */

static struct fault_log faults;

#define KH_RUN(fn)                    \
  do {                                \
    fault_log_capture(&faults, 0);    \
    OH_RUN(fn);                       \
    fault_log_release();              \
  } while (0)

static const char any_pointer_tag;
#define ANY_PTR ((const void *)&any_pointer_tag)

/* The last call reported exactly one fault of this kind on k_heap h. */
static void check_one_fault(unsigned before, struct k_heap *h, omniheap_fault_kind_t kind,
                            const void *pointer, const char *function) {
  OH_CHECK_EQ_INT(faults.count, before + 1U);
  OH_CHECK_EQ_INT(faults.kind, kind);
  OH_CHECK_EQ_INT(faults.family, OMNIHEAP_FAMILY_K_HEAP);
  OH_CHECK_EQ_PTR(faults.heap, omniheap_heap_find(h));
  OH_CHECK_EQ_PTR(faults.object, h); /* the k_heap (its first member is the sys_heap) */
  if (pointer != ANY_PTR) OH_CHECK_EQ_PTR(faults.pointer, pointer);
  if (function != NULL) OH_CHECK(strcmp(faults.function, function) == 0);
  OH_CHECK_EQ_INT(faults.default_action, OMNIHEAP_FAULT_PANIC);
}

/* ---- timeouts (sys_clock.h) -------------------------------------------------------------------- */

static k_ticks_t ms_to_ticks_ceil(long ms) {
  uint64_t t;
  if (ms <= 0) return 0;
  t = ((uint64_t)ms * (uint64_t)CONFIG_SYS_CLOCK_TICKS_PER_SEC + 999U) / 1000U;
  return (k_ticks_t)t;
}

static void test_k_heap_timeout_macros(void) {
  static const long ms[] = {1, 2, 3, 7, 10, 20, 33, 999, 1000, 1001, 12345};
  size_t i;
  k_timeout_t t;
  OH_CHECK_EQ_INT(CONFIG_SYS_CLOCK_TICKS_PER_SEC, OMNIHEAP_CONF_SYS_CLOCK_TICKS_PER_SEC);
  OH_CHECK_EQ_INT(K_NO_WAIT.ticks, 0);
  OH_CHECK_EQ_INT(Z_TIMEOUT_NO_WAIT.ticks, 0);
  OH_CHECK(K_FOREVER.ticks == K_TICKS_FOREVER);
  OH_CHECK(Z_FOREVER.ticks == K_TICKS_FOREVER);
  OH_CHECK(K_TICKS_FOREVER == (k_ticks_t)-1);
  OH_CHECK(K_TIMEOUT_EQ(K_FOREVER, Z_FOREVER));
  OH_CHECK(K_TIMEOUT_EQ(K_NO_WAIT, Z_TIMEOUT_TICKS(0)));
  OH_CHECK(!K_TIMEOUT_EQ(K_NO_WAIT, K_FOREVER));
  OH_CHECK(K_TIMEOUT_EQ(K_MSEC(0), K_NO_WAIT));
  OH_CHECK(K_TIMEOUT_EQ(K_MSEC(-5), K_NO_WAIT)); /* negative: clamped to 0 */
  OH_CHECK_EQ_INT(K_MSEC(-5).ticks, 0);
  OH_CHECK_EQ_INT(K_USEC(-1).ticks, 0);
  for (i = 0; i < sizeof ms / sizeof ms[0]; ++i) {
    t = K_MSEC(ms[i]);
    OH_CHECK_EQ_INT(t.ticks, ms_to_ticks_ceil(ms[i]));
    OH_CHECK(t.ticks > 0);
    /* Rounded up: never shorter than asked. */
    OH_CHECK((uint64_t)t.ticks * 1000U >= (uint64_t)ms[i] * CONFIG_SYS_CLOCK_TICKS_PER_SEC);
    OH_CHECK(!K_TIMEOUT_EQ(t, K_NO_WAIT) && !K_TIMEOUT_EQ(t, K_FOREVER));
    OH_CHECK(K_TIMEOUT_EQ(t, Z_TIMEOUT_MS(ms[i])));
  }
  OH_CHECK_EQ_INT(K_USEC(1).ticks, 1); /* any positive duration is at least one tick */
  OH_CHECK_EQ_INT(K_SECONDS(2).ticks, 2 * CONFIG_SYS_CLOCK_TICKS_PER_SEC);
  OH_CHECK(K_TIMEOUT_EQ(K_SECONDS(1), K_MSEC(1000)));
  OH_CHECK_EQ_INT(K_TICKS(5).ticks, 5);
  OH_CHECK_EQ_INT(K_TICKS(-3).ticks, 0);
#if OMNIHEAP_CONF_TIMEOUT_64BIT
  OH_CHECK_EQ_INT(sizeof(k_ticks_t), 8);
  OH_CHECK((k_ticks_t)-1 < 0); /* int64_t */
#else
  OH_CHECK_EQ_INT(sizeof(k_ticks_t), 4);
  OH_CHECK((k_ticks_t)-1 > 0); /* uint32_t */
#endif
  OH_CHECK_EQ_INT(sizeof(k_timeout_t), sizeof(k_ticks_t));
}

/* ---- types ------------------------------------------------------------------------------------- */

static void test_k_heap_struct_layout(void) {
  struct k_heap local; /* a complete type: users declare their own */
  OH_CHECK_EQ_INT(offsetof(struct k_heap, heap), 0);
  OH_CHECK(offsetof(struct k_heap, lock) >= sizeof(struct sys_heap));
  OH_CHECK(sizeof local >= sizeof(struct sys_heap));
  OH_CHECK_EQ_INT(sizeof(struct sys_heap), 3U * sizeof(void *));
  OH_CHECK_EQ_PTR((void *)&local.heap, (void *)&local);
#ifdef CONFIG_HEAP_LISTENER
  OH_CHECK(HEAP_ID_FROM_POINTER(&kx.heap) == (uintptr_t)&kx);
  OH_CHECK(HEAP_ID_FROM_POINTER(&kh_def.heap) == (uintptr_t)&kh_def);
  OH_CHECK(HEAP_ID_FROM_POINTER(&kx) == (uintptr_t)&kx);
#else
  OH_CHECK(HEAP_ID_FROM_POINTER(&kx.heap) == (uintptr_t)0);
#endif
  OH_CHECK_EQ_INT(faults.count, 0);
}

/* ---- K_HEAP_DEFINE ----------------------------------------------------------------------------- */

static void test_k_heap_define_buffers(void) {
  /* kheap_<name>[MAX(bytes, Z_HEAP_MIN_SIZE)], 8-aligned, named by the heap. */
  OH_CHECK_EQ_INT(sizeof kheap_kh_tiny, min_size);
  OH_CHECK_EQ_INT(sizeof kheap_kh_def, defined_size(KDEF_SIZE));
  OH_CHECK_EQ_INT(sizeof kheap_kh_nocache, defined_size(256));
  OH_CHECK_EQ_INT((uintptr_t)kheap_kh_tiny % 8U, 0);
  OH_CHECK_EQ_INT((uintptr_t)kheap_kh_def % 8U, 0);
  OH_CHECK_EQ_INT((uintptr_t)kheap_kh_nocache % 8U, 0);
  /* init_mem / init_bytes are the static initialiser's; init does not write them. */
  OH_CHECK_EQ_PTR(kh_tiny.heap.init_mem, kheap_kh_tiny);
  OH_CHECK_EQ_INT(kh_tiny.heap.init_bytes, sizeof kheap_kh_tiny);
  OH_CHECK_EQ_PTR(kh_def.heap.init_mem, kheap_kh_def);
  OH_CHECK_EQ_INT(kh_def.heap.init_bytes, sizeof kheap_kh_def);
  OH_CHECK_EQ_PTR(kh_nocache.heap.init_mem, kheap_kh_nocache);
  OH_CHECK_EQ_INT(kh_nocache.heap.init_bytes, sizeof kheap_kh_nocache);
  OH_CHECK_EQ_INT(faults.count, 0);
}

static void test_k_heap_define_usable_without_init(void) {
  struct k_heap *const heaps[3] = {&kh_def, &kh_nocache, &kh_tiny};
  size_t i;
  for (i = 0; i < 3U; ++i) {
    struct k_heap *h = heaps[i];
    unsigned char *mem = (unsigned char *)h->heap.init_mem;
    size_t bytes = h->heap.init_bytes;
    size_t n = i < 2U ? 40U : 1U;
    unsigned char *p = (unsigned char *)k_heap_alloc(h, n, K_NO_WAIT);
    if (!OH_CHECK(p != NULL)) continue;
    OH_CHECK(oh_inside(p, n, mem, bytes));
    OH_CHECK_EQ_PTR(h->heap.heap, (void *)up8((uintptr_t)mem)); /* initialised on its buffer */
    oh_fill(p, n, (unsigned)i);
    OH_CHECK(rt(h).allocated_bytes > 0U);
    OH_CHECK(sys_heap_validate(&h->heap));
    OH_CHECK(oh_intact(p, n, (unsigned)i));
    k_heap_free(h, p);
    leave_defined(h);
  }
  OH_CHECK_EQ_INT(faults.count, 0);
}

static void test_k_heap_define_one_byte_heap(void) {
  unsigned char *p, *q;
  size_t usable;
  p = (unsigned char *)k_heap_alloc(&kh_tiny, 1, K_NO_WAIT);
  OH_REQUIRE(p != NULL);
  q = (unsigned char *)k_heap_alloc(&kh_tiny, 1, K_NO_WAIT);
  OH_CHECK_EQ_PTR(q, NULL);
  if (q != NULL) k_heap_free(&kh_tiny, q);
  /* The block and everything the heap manages lie inside its buffer, and
   * using the whole block breaks nothing around it. */
  usable = sys_heap_usable_size(&kh_tiny.heap, p);
  OH_CHECK(usable >= 1U);
  OH_CHECK(oh_inside(p, usable, kheap_kh_tiny, sizeof kheap_kh_tiny));
  OH_CHECK(oh_inside(kh_tiny.heap.heap, 1, kheap_kh_tiny, sizeof kheap_kh_tiny));
  memset(p, 0xFF, usable);
  OH_CHECK(sys_heap_validate(&kh_tiny.heap));
  OH_CHECK_EQ_PTR(k_heap_alloc(&kh_tiny, 1, K_NO_WAIT), NULL);
  k_heap_free(&kh_tiny, p);
  /* Freed: exactly one 1-byte block again. */
  p = (unsigned char *)k_heap_alloc(&kh_tiny, 1, K_NO_WAIT);
  OH_CHECK(p != NULL);
  OH_CHECK_EQ_PTR(k_heap_alloc(&kh_tiny, 1, K_NO_WAIT), NULL);
  if (p != NULL) k_heap_free(&kh_tiny, p);
  OH_CHECK_EQ_INT(faults.count, 0);
  leave_defined(&kh_tiny);
}

static int array_index_of(struct k_heap *arr, int n, const struct k_heap *h) {
  int i;
  for (i = 0; i < n; ++i)
    if (&arr[i] == h) return i;
  return -1;
}

static void test_k_heap_array_get_lists_defined_heaps(void) {
  struct k_heap *arr = NULL;
  int n = k_heap_array_get(&arr), i;
  OH_REQUIRE(n >= 3);
  OH_REQUIRE(n <= 64); /* this program defines four (three here, the system heap) */
  OH_REQUIRE(arr != NULL);
  OH_CHECK(array_index_of(arr, n, &kh_tiny) >= 0);
  OH_CHECK(array_index_of(arr, n, &kh_def) >= 0);
  OH_CHECK(array_index_of(arr, n, &kh_nocache) >= 0);
#if OMNIHEAP_CONF_HEAP_MEM_POOL_SIZE > 0
  OH_CHECK(array_index_of(arr, n, &_system_heap) >= 0); /* kernel.h: "(and the system heap)" */
#endif
  /* A heap initialised at run time is not a defined heap. */
  fresh_x();
  OH_CHECK_EQ_INT(k_heap_array_get(&arr), n);
  OH_CHECK_EQ_INT(array_index_of(arr, n, &kx), -1);
  /* Every listed heap has its buffer and works. */
  for (i = 0; i < n; ++i) {
    void *p;
    OH_CHECK(arr[i].heap.init_mem != NULL);
    OH_CHECK(arr[i].heap.init_bytes >= min_size);
    if (&arr[i] != &kh_tiny && &arr[i] != &kh_def && &arr[i] != &kh_nocache) continue;
    p = k_heap_alloc(&arr[i], 1, K_NO_WAIT);
    OH_CHECK(p != NULL);
    k_heap_free(&arr[i], p);
  }
  OH_CHECK_EQ_INT(faults.count, 0);
  finish(&kx);
}

static void test_k_heap_define_in_registry(void) {
  omniheap_heap_t *e;
  void *p = k_heap_alloc(&kh_def, 8, K_NO_WAIT); /* initialised by now in any case */
  OH_CHECK(p != NULL);
  e = omniheap_heap_find(&kh_def);
  OH_CHECK(e != NULL);
  if (e != NULL) {
    OH_CHECK_EQ_INT(omniheap_heap_family(e), OMNIHEAP_FAMILY_K_HEAP);
    OH_CHECK_EQ_PTR(omniheap_heap_object(e), &kh_def);
    OH_CHECK(omniheap_heap_capacity(e) > 0U && omniheap_heap_capacity(e) <= sizeof kheap_kh_def);
    OH_CHECK_EQ_INT(omniheap_heap_validate(e), OMNIHEAP_OK);
  }
  k_heap_free(&kh_def, p);
  OH_CHECK_EQ_INT(faults.count, 0);
  leave_defined(&kh_def);
}

/* ---- k_heap_init ------------------------------------------------------------------------------- */

static void test_k_heap_init_on_static_buffer(void) {
  omniheap_heap_t *e;
  unsigned char *p;
  size_t count;
  fresh_x();
  OH_CHECK_EQ_PTR(kx.heap.heap, KX_MEM); /* the start, already 8-aligned */
  OH_CHECK(sys_heap_validate(&kx.heap));
  e = omniheap_heap_find(&kx);
  OH_REQUIRE(e != NULL);
  OH_CHECK_EQ_INT(omniheap_heap_family(e), OMNIHEAP_FAMILY_K_HEAP);
  OH_CHECK(strcmp(omniheap_heap_name(e), "k_heap") == 0);
  OH_CHECK_EQ_PTR(omniheap_heap_object(e), &kx);
  OH_CHECK(omniheap_heap_capacity(e) > 0U && omniheap_heap_capacity(e) <= KX_SIZE);
  OH_CHECK_EQ_INT(omniheap_heap_validate(e), OMNIHEAP_OK);
  OH_CHECK_EQ_INT(rt(&kx).allocated_bytes, 0);
  p = (unsigned char *)k_heap_alloc(&kx, 100, K_NO_WAIT);
  OH_REQUIRE(p != NULL);
  OH_CHECK(oh_inside(p, 100, KX_MEM, KX_SIZE));
  memset(p, 0, 100);
  k_heap_free(&kx, p);
  /* Initialised again: one registry entry, the same handle; blocks forgotten. */
  count = omniheap_heap_count();
  p = (unsigned char *)k_heap_alloc(&kx, 100, K_NO_WAIT);
  OH_CHECK(p != NULL);
  k_heap_init(&kx, KX_MEM, KX_SIZE);
  OH_CHECK_EQ_PTR(omniheap_heap_find(&kx), e);
  OH_CHECK_EQ_INT(omniheap_heap_count(), count);
  OH_CHECK_EQ_INT(rt(&kx).allocated_bytes, 0);
  OH_CHECK(guards_intact());
  OH_CHECK_EQ_INT(faults.count, 0);
  finish(&kx);
  OH_CHECK_EQ_PTR(omniheap_heap_find(&kx), NULL);
}

static void test_k_heap_init_unaligned_buffer(void) {
  size_t off;
  for (off = 1; off < 8U; off += 3U) {
    unsigned char *p;
    memset(kbuf.b, GUARD_BYTE, sizeof kbuf.b);
    k_heap_init(&kx, KX_MEM + off, KX_SIZE - 8U);
    OH_CHECK_EQ_PTR(kx.heap.heap, (void *)up8((uintptr_t)(KX_MEM + off)));
    p = (unsigned char *)k_heap_alloc(&kx, 64, K_NO_WAIT);
    if (!OH_CHECK(p != NULL)) break;
    OH_CHECK(oh_inside(p, 64, KX_MEM + off, KX_SIZE - 8U));
    memset(p, 0x11, 64);
    k_heap_free(&kx, p);
    OH_CHECK(guards_intact());
  }
  OH_CHECK_EQ_INT(faults.count, 0);
  finish(&kx);
}

/* ---- allocation ------------------------------------------------------------------------------- */

static void test_k_heap_alloc_zero_is_null(void) {
  struct sys_memory_stats before, after;
  fresh_x();
  before = rt(&kx);
  OH_CHECK_EQ_PTR(k_heap_alloc(&kx, 0, K_NO_WAIT), NULL);
  OH_CHECK_EQ_PTR(k_heap_alloc(&kx, 0, K_MSEC(5)), NULL); /* not a wait for memory */
  OH_CHECK_EQ_PTR(k_heap_aligned_alloc(&kx, 16, 0, K_NO_WAIT), NULL);
  OH_CHECK_EQ_PTR(k_heap_alloc(&kh_def, 0, K_NO_WAIT), NULL);
  after = rt(&kx);
  OH_CHECK(same_rt(&before, &after));
  OH_CHECK_EQ_INT(faults.count, 0);
  finish(&kx);
  leave_defined(&kh_def);
}

static void test_k_heap_alloc_too_big_is_null(void) {
  struct sys_memory_stats before, after;
  fresh_x();
  before = rt(&kx);
  OH_CHECK_EQ_PTR(k_heap_alloc(&kx, KX_SIZE, K_NO_WAIT), NULL);
  OH_CHECK_EQ_PTR(k_heap_alloc(&kx, SIZE_MAX, K_NO_WAIT), NULL);
  OH_CHECK_EQ_PTR(k_heap_alloc(&kx, SIZE_MAX - 4U, K_NO_WAIT), NULL);
  OH_CHECK_EQ_PTR(k_heap_aligned_alloc(&kx, 64, SIZE_MAX - 8U, K_NO_WAIT), NULL);
  after = rt(&kx);
  OH_CHECK(same_rt(&before, &after));
  OH_CHECK(sys_heap_validate(&kx.heap));
  OH_CHECK_EQ_INT(faults.count, 0);
  finish(&kx);
}

static void test_k_heap_alloc_aligned_disjoint_and_kept(void) {
  static const size_t sizes[] = {1, 3, 8, 13, 24, 40, 77, 100};
  unsigned char *p[8];
  size_t i, j, n = sizeof sizes / sizeof sizes[0];
  fresh_x();
  for (i = 0; i < n; ++i) {
    p[i] = (unsigned char *)k_heap_alloc(&kx, sizes[i], K_NO_WAIT);
    OH_REQUIRE(p[i] != NULL);
    /* "pointer-size aligned": 4 on 32-bit small heaps, 8 otherwise. */
    OH_CHECK_EQ_INT((uintptr_t)p[i] % sizeof(void *), 0);
    OH_CHECK(oh_inside(p[i], sizes[i], KX_MEM, KX_SIZE));
    OH_CHECK(sys_heap_usable_size(&kx.heap, p[i]) >= sizes[i]);
    oh_fill(p[i], sizes[i], (unsigned)i);
  }
  for (i = 0; i < n; ++i)
    for (j = i + 1U; j < n; ++j) OH_CHECK(!oh_overlap(p[i], sizes[i], p[j], sizes[j]));
  for (i = 0; i < n; ++i) OH_CHECK(oh_intact(p[i], sizes[i], (unsigned)i));
  OH_CHECK(sys_heap_validate(&kx.heap));
  for (i = 0; i < n; i += 2U) k_heap_free(&kx, p[i]);
  for (i = 1; i < n; i += 2U) OH_CHECK(oh_intact(p[i], sizes[i], (unsigned)i));
  for (i = 1; i < n; i += 2U) k_heap_free(&kx, p[i]);
  OH_CHECK(guards_intact());
  OH_CHECK_EQ_INT(faults.count, 0);
  finish(&kx);
}

static void test_k_heap_aligned_alloc_powers_of_two(void) {
  size_t align;
  fresh_x();
  for (align = 1; align <= 256U; align <<= 1) {
    unsigned char *p = (unsigned char *)k_heap_aligned_alloc(&kx, align, 24, K_NO_WAIT);
    unsigned char *q = (unsigned char *)k_heap_aligned_alloc(&kx, align, 3, K_NO_WAIT);
    OH_CHECK(p != NULL && q != NULL);
    if (p == NULL || q == NULL) break;
    OH_CHECK_EQ_INT((uintptr_t)p % align, 0);
    OH_CHECK_EQ_INT((uintptr_t)q % align, 0);
    OH_CHECK_EQ_INT((uintptr_t)p % sizeof(void *), 0);
    OH_CHECK(oh_inside(p, 24, KX_MEM, KX_SIZE) && oh_inside(q, 3, KX_MEM, KX_SIZE));
    OH_CHECK(!oh_overlap(p, 24, q, 3));
    oh_fill(p, 24, 7);
    oh_fill(q, 3, 8);
    OH_CHECK(sys_heap_validate(&kx.heap));
    OH_CHECK(oh_intact(p, 24, 7) && oh_intact(q, 3, 8));
    k_heap_free(&kx, p);
    k_heap_free(&kx, q);
  }
  /* align 0: no alignment requirement, a plain block. */
  {
    void *p = k_heap_aligned_alloc(&kx, 0, 16, K_NO_WAIT);
    OH_CHECK(p != NULL);
    OH_CHECK_EQ_INT((uintptr_t)p % sizeof(void *), 0);
    k_heap_free(&kx, p);
  }
  OH_CHECK(guards_intact());
  OH_CHECK_EQ_INT(faults.count, 0);
  finish(&kx);
}

static void test_k_heap_calloc_zeroes(void) {
  unsigned char *p, *q;
  size_t i;
  fresh_x();
  /* Dirty the memory first: calloc must clear what it hands out. */
  p = (unsigned char *)k_heap_alloc(&kx, 600, K_NO_WAIT);
  OH_REQUIRE(p != NULL);
  memset(p, 0xA5, 600);
  k_heap_free(&kx, p);
  q = (unsigned char *)k_heap_calloc(&kx, 30, 20, K_NO_WAIT);
  OH_REQUIRE(q != NULL);
  OH_CHECK(oh_all_zero(q, 600));
  OH_CHECK_EQ_INT((uintptr_t)q % sizeof(void *), 0);
  k_heap_free(&kx, q);
  for (i = 1; i <= 64U; i += 9U) {
    q = (unsigned char *)k_heap_calloc(&kx, i, 3, K_NO_WAIT);
    if (!OH_CHECK(q != NULL)) break;
    OH_CHECK(oh_all_zero(q, i * 3U));
    memset(q, 0xA5, i * 3U);
    k_heap_free(&kx, q);
  }
  OH_CHECK_EQ_INT(faults.count, 0);
  finish(&kx);
}

static void test_k_heap_calloc_overflow_and_zero(void) {
  struct sys_memory_stats before, after;
  void *p;
  fresh_x();
  before = rt(&kx);
  OH_CHECK_EQ_PTR(k_heap_calloc(&kx, SIZE_MAX / 2U + 1U, 2, K_NO_WAIT), NULL);
  OH_CHECK_EQ_PTR(k_heap_calloc(&kx, 2, SIZE_MAX / 2U + 1U, K_NO_WAIT), NULL);
  OH_CHECK_EQ_PTR(k_heap_calloc(&kx, SIZE_MAX, SIZE_MAX, K_NO_WAIT), NULL);
  OH_CHECK_EQ_PTR(k_heap_calloc(&kx, (SIZE_MAX >> 4) + 1U, 16, K_NO_WAIT), NULL);
  OH_CHECK_EQ_PTR(k_heap_calloc(&kx, 65537, 65537, K_NO_WAIT), NULL);
  /* calloc(0, 0) and friends must not crash; the product 0 gives NULL
   * (k_heap_alloc of 0 bytes; kernel.h: "or is 0"). */
  p = k_heap_calloc(&kx, 0, 0, K_NO_WAIT);
  OH_CHECK_EQ_PTR(p, NULL);
  if (p != NULL) k_heap_free(&kx, p);
  p = k_heap_calloc(&kx, 0, 8, K_NO_WAIT);
  OH_CHECK_EQ_PTR(p, NULL);
  if (p != NULL) k_heap_free(&kx, p);
  p = k_heap_calloc(&kx, SIZE_MAX, 0, K_NO_WAIT);
  OH_CHECK_EQ_PTR(p, NULL);
  if (p != NULL) k_heap_free(&kx, p);
  after = rt(&kx);
  OH_CHECK(same_rt(&before, &after));
  OH_CHECK_EQ_INT(faults.count, 0);
  finish(&kx);
}

/* ---- realloc --------------------------------------------------------------------------------- */

static void test_k_heap_realloc_null_allocates(void) {
  unsigned char *p;
  fresh_x();
  p = (unsigned char *)k_heap_realloc(&kx, NULL, 40, K_NO_WAIT);
  OH_REQUIRE(p != NULL);
  OH_CHECK(oh_inside(p, 40, KX_MEM, KX_SIZE));
  OH_CHECK_EQ_INT((uintptr_t)p % sizeof(void *), 0);
  OH_CHECK(rt(&kx).allocated_bytes > 40U);
  oh_fill(p, 40, 3);
  OH_CHECK(oh_intact(p, 40, 3));
  k_heap_free(&kx, p);
  OH_CHECK_EQ_PTR(k_heap_realloc(&kx, NULL, 0, K_NO_WAIT), NULL); /* alloc of 0 */
  OH_CHECK_EQ_PTR(k_heap_realloc(&kx, NULL, KX_SIZE * 2U, K_NO_WAIT), NULL);
  OH_CHECK_EQ_INT(faults.count, 0);
  finish(&kx);
}

/* Returns 0 if k_heap_realloc(kx, p, 0, t) freed p exactly once and returned
 * NULL without a fault; else a code naming what went wrong. Runs on a fresh kx
 * (also in a child process: it reports through its result only). */
static int realloc_zero_frees_once(k_timeout_t t) {
  unsigned char *a, *p, *c;
  struct sys_memory_stats s_a, s_p, s_before, s_after;
  omniheap_stats_t n0 = OMNIHEAP_STATS_INIT, n1 = OMNIHEAP_STATS_INIT;
  omniheap_heap_t *e;
  unsigned f0 = faults.count;
  void *r;
  fresh_x();
  e = omniheap_heap_find(&kx);
  a = (unsigned char *)k_heap_alloc(&kx, 24, K_NO_WAIT);
  s_a = rt(&kx);
  p = (unsigned char *)k_heap_alloc(&kx, 40, K_NO_WAIT);
  s_p = rt(&kx);
  c = (unsigned char *)k_heap_alloc(&kx, 24, K_NO_WAIT);
  if (a == NULL || p == NULL || c == NULL || e == NULL) return 1;
  oh_fill(a, 24, 1);
  oh_fill(c, 24, 3);
  s_before = rt(&kx);
  if (omniheap_heap_stats(e, &n0) != OMNIHEAP_OK) return 2;
  r = k_heap_realloc(&kx, p, 0, t);
  s_after = rt(&kx);
  if (omniheap_heap_stats(e, &n1) != OMNIHEAP_OK) return 3;
  if (r != NULL) return 4;
  if (faults.count != f0) return 5; /* a second free of p would be a double free */
  /* p's chunk, and only it, is free again. */
  if (s_after.allocated_bytes != s_before.allocated_bytes - (s_p.allocated_bytes - s_a.allocated_bytes))
    return 6;
  if (n1.frees != n0.frees + 1U) return 7;
  if (n1.live_blocks + 1U != n0.live_blocks) return 8;
  if (!sys_heap_validate(&kx.heap)) return 9;
  if (!oh_intact(a, 24, 1) || !oh_intact(c, 24, 3)) return 10;
  k_heap_free(&kx, a);
  k_heap_free(&kx, c);
  if (faults.count != f0) return 11;
  if (rt(&kx).allocated_bytes != 0U) return 12;
  return 0;
}

static void test_k_heap_realloc_zero_frees_once(void) {
  OH_CHECK_EQ_INT(realloc_zero_frees_once(K_NO_WAIT), 0);
  /* contract.md: "k_heap_realloc(h, p, 0, timeout) frees once and returns
   * NULL for any timeout" (upstream would retry on the freed block). */
  OH_CHECK_EQ_INT(realloc_zero_frees_once(K_MSEC(10)), 0);
  OH_CHECK_EQ_INT(faults.count, 0);
  finish(&kx);
}

static void test_k_heap_realloc_failure_keeps_block(void) {
  unsigned char *p, *b;
  struct sys_memory_stats before, after;
  fresh_x();
  p = (unsigned char *)k_heap_alloc(&kx, 100, K_NO_WAIT);
  b = (unsigned char *)k_heap_alloc(&kx, 16, K_NO_WAIT);
  OH_REQUIRE(p != NULL && b != NULL);
  oh_fill(p, 100, 5);
  before = rt(&kx);
  OH_CHECK_EQ_PTR(k_heap_realloc(&kx, p, KX_SIZE * 2U, K_NO_WAIT), NULL);
  OH_CHECK_EQ_PTR(k_heap_realloc(&kx, p, SIZE_MAX - 4U, K_NO_WAIT), NULL);
  after = rt(&kx);
  OH_CHECK(same_rt(&before, &after));
  OH_CHECK(oh_intact(p, 100, 5));
  OH_CHECK(sys_heap_usable_size(&kx.heap, p) >= 100U);
  OH_CHECK(sys_heap_validate(&kx.heap));
  /* Still a live block: it can be resized and freed. */
  p = (unsigned char *)k_heap_realloc(&kx, p, 120, K_NO_WAIT);
  OH_REQUIRE(p != NULL);
  OH_CHECK(oh_intact(p, 100, 5));
  k_heap_free(&kx, p);
  k_heap_free(&kx, b);
  OH_CHECK_EQ_INT(faults.count, 0);
  finish(&kx);
}

static void test_k_heap_realloc_in_place(void) {
  unsigned char *p, *q;
  fresh_x();
  p = (unsigned char *)k_heap_alloc(&kx, 32, K_NO_WAIT); /* the rest of the heap is free after it */
  OH_REQUIRE(p != NULL);
  oh_fill(p, 32, 9);
  q = (unsigned char *)k_heap_realloc(&kx, p, 300, K_NO_WAIT); /* grows into the free neighbour */
  OH_CHECK_EQ_PTR(q, p);
  if (q == NULL) {
    k_heap_free(&kx, p);
    finish(&kx);
    return;
  }
  p = q;
  OH_CHECK(oh_intact(p, 32, 9));
  OH_CHECK(sys_heap_usable_size(&kx.heap, p) >= 300U);
  oh_fill(p, 300, 10);
  q = (unsigned char *)k_heap_realloc(&kx, p, 20, K_NO_WAIT); /* shrinks in place */
  OH_CHECK_EQ_PTR(q, p);
  if (q != NULL) p = q;
  OH_CHECK(oh_intact(p, 20, 10));
  OH_CHECK(sys_heap_usable_size(&kx.heap, p) < 300U);
  q = (unsigned char *)k_heap_realloc(&kx, p, 20, K_MSEC(5)); /* same size */
  OH_CHECK_EQ_PTR(q, p);
  if (q != NULL) p = q;
  OH_CHECK(oh_intact(p, 20, 10));
  OH_CHECK(sys_heap_validate(&kx.heap));
  k_heap_free(&kx, p);
  OH_CHECK(guards_intact());
  OH_CHECK_EQ_INT(faults.count, 0);
  finish(&kx);
}

static void test_k_heap_realloc_moves_keeps_contents(void) {
  unsigned char *a, *b, *q;
  fresh_x();
  a = (unsigned char *)k_heap_alloc(&kx, 48, K_NO_WAIT);
  b = (unsigned char *)k_heap_alloc(&kx, 48, K_NO_WAIT); /* blocks growth in place */
  OH_REQUIRE(a != NULL && b != NULL);
  oh_fill(a, 48, 11);
  oh_fill(b, 48, 12);
  q = (unsigned char *)k_heap_realloc(&kx, a, 400, K_NO_WAIT);
  OH_REQUIRE(q != NULL);
  OH_CHECK(q != a);
  OH_CHECK(oh_inside(q, 400, KX_MEM, KX_SIZE));
  OH_CHECK(!oh_overlap(q, 400, b, 48));
  OH_CHECK(oh_intact(q, 48, 11));
  OH_CHECK(oh_intact(b, 48, 12));
  OH_CHECK(sys_heap_validate(&kx.heap));
  /* The old block was freed: a's spot serves a new block of its size. */
  a = (unsigned char *)k_heap_alloc(&kx, 48, K_NO_WAIT);
  OH_CHECK(a != NULL);
  k_heap_free(&kx, a);
  k_heap_free(&kx, q);
  k_heap_free(&kx, b);
  OH_CHECK_EQ_INT(faults.count, 0);
  finish(&kx);
}

/* ---- free ------------------------------------------------------------------------------------ */

static void test_k_heap_free_null_is_noop(void) {
  struct sys_memory_stats before, after;
  void *p;
  fresh_x();
  p = k_heap_alloc(&kx, 30, K_NO_WAIT);
  OH_REQUIRE(p != NULL);
  before = rt(&kx);
  k_heap_free(&kx, NULL);
  k_heap_free(&kx, NULL);
  k_heap_free(&kh_def, NULL);
  after = rt(&kx);
  OH_CHECK(same_rt(&before, &after));
  OH_CHECK_EQ_INT(faults.count, 0);
  k_heap_free(&kx, p);
  finish(&kx);
  leave_defined(&kh_def);
}

/* ---- blocking --------------------------------------------------------------------------------- */

static void test_k_heap_no_wait_on_full_heap_returns_at_once(void) {
  uint64_t t0, t1;
  void *p;
  fresh_x();
  fill_heap(&kx);
  t0 = now_us();
  p = k_heap_alloc(&kx, 8, K_NO_WAIT);
  OH_CHECK_EQ_PTR(k_heap_aligned_alloc(&kx, 64, 8, K_NO_WAIT), NULL);
  OH_CHECK_EQ_PTR(k_heap_calloc(&kx, 2, 4, K_NO_WAIT), NULL);
  t1 = now_us();
  OH_CHECK_EQ_PTR(p, NULL);
  OH_CHECK(t1 - t0 < 10000U); /* no waiting */
  OH_CHECK(sys_heap_validate(&kx.heap));
  drain(&kx);
  OH_CHECK_EQ_INT(faults.count, 0);
  finish(&kx);
}

static void test_k_heap_timed_alloc_on_full_heap_waits_then_fails(void) {
  uint64_t t0, t1;
  void *p;
  fresh_x();
  fill_heap(&kx);
  t0 = now_us();
  p = k_heap_alloc(&kx, 8, K_MSEC(20));
  t1 = now_us();
  OH_CHECK_EQ_PTR(p, NULL);
  if (t0 == 0U && t1 == 0U) {
    oh_test_note("k_heap: the port has no time source; the timed wait acts as K_NO_WAIT");
  } else if (port_is("none")) {
    OH_CHECK(t1 - t0 < 20000U); /* no scheduler: every timeout is K_NO_WAIT */
  } else {
    OH_CHECK(t1 - t0 >= 20000U); /* nothing was freed: it waited the whole timeout */
    OH_CHECK(t1 - t0 < 2000000U);
  }
  /* A timed calloc and realloc too. */
  t0 = now_us();
  OH_CHECK_EQ_PTR(k_heap_calloc(&kx, 4, 4, K_MSEC(5)), NULL);
  OH_CHECK_EQ_PTR(k_heap_realloc(&kx, ptrs[0], KX_SIZE, K_MSEC(5)), NULL);
  t1 = now_us();
  if ((t0 != 0U || t1 != 0U) && !port_is("none")) OH_CHECK(t1 - t0 >= 10000U);
  OH_CHECK(sys_heap_validate(&kx.heap));
  drain(&kx);
  OH_CHECK_EQ_INT(faults.count, 0);
  finish(&kx);
}

/* ---- misuse ------------------------------------------------------------------------------------ */

static void test_k_heap_double_free_fault(void) {
  unsigned char *a, *b, *c;
  struct sys_memory_stats before, after;
  fresh_x();
  a = (unsigned char *)k_heap_alloc(&kx, 24, K_NO_WAIT);
  b = (unsigned char *)k_heap_alloc(&kx, 24, K_NO_WAIT);
  c = (unsigned char *)k_heap_alloc(&kx, 24, K_NO_WAIT);
  OH_REQUIRE(a != NULL && b != NULL && c != NULL);
  oh_fill(a, 24, 1);
  oh_fill(c, 24, 3);
  k_heap_free(&kx, b); /* between two blocks in use: a free chunk of its own */
  before = rt(&kx);
  k_heap_free(&kx, b);
  check_one_fault(0, &kx, OMNIHEAP_FAULT_DOUBLE_FREE, b, "k_heap_free");
  after = rt(&kx);
  OH_CHECK(same_rt(&before, &after));
  OH_CHECK(sys_heap_validate(&kx.heap));
  OH_CHECK(oh_intact(a, 24, 1) && oh_intact(c, 24, 3));
  /* The heap still works, and the fault was counted on it. */
  {
    omniheap_stats_t s = OMNIHEAP_STATS_INIT;
    omniheap_heap_t *e = omniheap_heap_find(&kx);
    OH_CHECK(e != NULL && omniheap_heap_stats(e, &s) == OMNIHEAP_OK && s.faults >= 1U);
  }
  b = (unsigned char *)k_heap_alloc(&kx, 24, K_NO_WAIT);
  OH_CHECK(b != NULL);
  k_heap_free(&kx, b);
  k_heap_free(&kx, a);
  k_heap_free(&kx, c);
  OH_CHECK_EQ_INT(faults.count, 1);
  /* On a defined heap too. */
  a = (unsigned char *)k_heap_alloc(&kh_def, 16, K_NO_WAIT);
  b = (unsigned char *)k_heap_alloc(&kh_def, 16, K_NO_WAIT);
  OH_REQUIRE(a != NULL && b != NULL);
  k_heap_free(&kh_def, a);
  k_heap_free(&kh_def, a);
  check_one_fault(1, &kh_def, OMNIHEAP_FAULT_DOUBLE_FREE, a, "k_heap_free");
  OH_CHECK(sys_heap_validate(&kh_def.heap));
  k_heap_free(&kh_def, b);
  OH_CHECK_EQ_INT(faults.count, 2);
  finish(&kx);
  leave_defined(&kh_def);
}

/* One k_heap_aligned_alloc(kx, align, 16) that must be refused as BAD_ALIGNMENT. */
static void check_bad_alignment(size_t align, k_timeout_t t) {
  unsigned before = faults.count;
  void *p = k_heap_aligned_alloc(&kx, align, 16, t);
  OH_CHECK_EQ_PTR(p, NULL);
  if (p != NULL) k_heap_free(&kx, p);
  check_one_fault(before, &kx, OMNIHEAP_FAULT_BAD_ALIGNMENT, ANY_PTR, "k_heap_aligned_alloc");
  faults.count = before + 1U; /* one miss does not cascade into the next checks */
}

static void test_k_heap_bad_alignment_fault(void) {
  struct sys_memory_stats before, after;
  fresh_x();
  before = rt(&kx);
  check_bad_alignment(7, K_NO_WAIT);
  check_bad_alignment(0x70, K_MSEC(5)); /* three bits: no rewind form either */
  check_bad_alignment(0x107, K_NO_WAIT);
  after = rt(&kx);
  OH_CHECK(same_rt(&before, &after));
  OH_CHECK(sys_heap_validate(&kx.heap));
  finish(&kx);
}

/* api-reference 3.5: "k_heap_aligned_alloc with a non-power-of-two
 * alignment, for example 3, must fault; the newest test expects an assert";
 * contract.md (k_heap): "non-power-of-two alignment reach[es] the
 * corruption/assert hook". */
static void test_k_heap_alignment_3_faults(void) {
  struct sys_memory_stats before, after;
  fresh_x();
  before = rt(&kx);
  check_bad_alignment(3, K_NO_WAIT);
  after = rt(&kx);
  OH_CHECK_EQ_INT(after.allocated_bytes, before.allocated_bytes);
  OH_CHECK(sys_heap_validate(&kx.heap));
  finish(&kx);
#if defined(OH_HOSTED) && OH_HOSTED
  OH_CHECK(oh_died_of_panic(oh_run_child(child_alignment_3))); /* the default action */
#endif
}

static void test_k_heap_foreign_pointer_fault(void) {
  static int a_global[4];
  unsigned char *px, *py;
  struct sys_memory_stats sx, sy, after;
  fresh_xy();
  px = (unsigned char *)k_heap_alloc(&kx, 40, K_NO_WAIT);
  py = (unsigned char *)k_heap_alloc(&ky, 40, K_NO_WAIT);
  OH_REQUIRE(px != NULL && py != NULL);
  oh_fill(px, 40, 4);
  oh_fill(py, 40, 5);
  sx = rt(&kx);
  sy = rt(&ky);
  k_heap_free(&kx, py); /* a block of another heap */
  check_one_fault(0, &kx, OMNIHEAP_FAULT_FOREIGN_POINTER, py, "k_heap_free");
  k_heap_free(&ky, px);
  check_one_fault(1, &ky, OMNIHEAP_FAULT_FOREIGN_POINTER, px, "k_heap_free");
  k_heap_free(&kx, a_global);
  check_one_fault(2, &kx, OMNIHEAP_FAULT_FOREIGN_POINTER, a_global, "k_heap_free");
  /* realloc of a block that is not in the heap: NULL, reported. */
  OH_CHECK_EQ_PTR(k_heap_realloc(&kx, py, 80, K_NO_WAIT), NULL);
  OH_CHECK_EQ_INT(faults.count, 4);
  OH_CHECK_EQ_INT(faults.family, OMNIHEAP_FAMILY_K_HEAP);
  OH_CHECK_EQ_INT(faults.kind, OMNIHEAP_FAULT_FOREIGN_POINTER);
  after = rt(&kx);
  OH_CHECK(same_rt(&sx, &after));
  after = rt(&ky);
  OH_CHECK(same_rt(&sy, &after));
  OH_CHECK(oh_intact(px, 40, 4) && oh_intact(py, 40, 5));
  OH_CHECK(sys_heap_validate(&kx.heap) && sys_heap_validate(&ky.heap));
  /* An interior pointer of a block in use. */
  k_heap_free(&kx, px + 8);
  OH_CHECK_EQ_INT(faults.count, 5);
  OH_CHECK_EQ_INT(faults.kind, OMNIHEAP_FAULT_INTERIOR_POINTER);
  OH_CHECK_EQ_INT(faults.family, OMNIHEAP_FAMILY_K_HEAP);
  after = rt(&kx);
  OH_CHECK(same_rt(&sx, &after));
  k_heap_free(&kx, px);
  k_heap_free(&ky, py);
  OH_CHECK_EQ_INT(faults.count, 5);
  OH_CHECK(guards_intact());
  finish(&kx);
  finish(&ky);
}

/* ---- statistics ----------------------------------------------------------------------------- */

static void test_k_heap_stats_match_runtime_stats(void) {
  omniheap_heap_t *e;
  omniheap_stats_t n0 = OMNIHEAP_STATS_INIT, n = OMNIHEAP_STATS_INIT;
  struct sys_memory_stats s0, s;
  void *a, *b, *c;
  fresh_x();
  e = omniheap_heap_find(&kx);
  OH_REQUIRE(e != NULL);
  OH_REQUIRE(omniheap_heap_stats(e, &n0) == OMNIHEAP_OK);
  s0 = rt(&kx);
  OH_CHECK_EQ_INT(s0.allocated_bytes, 0);
  OH_CHECK_EQ_INT(n0.in_use, 0);
  OH_CHECK_EQ_INT(n0.live_blocks, 0);
  OH_CHECK_EQ_INT(n0.block_size, 0);
  OH_CHECK(n0.capacity > 0U && n0.capacity <= KX_SIZE);
  a = k_heap_alloc(&kx, 40, K_NO_WAIT);
  b = k_heap_calloc(&kx, 10, 10, K_NO_WAIT);
  c = k_heap_aligned_alloc(&kx, 32, 10, K_NO_WAIT);
  OH_REQUIRE(a != NULL && b != NULL && c != NULL);
  OH_CHECK_EQ_PTR(k_heap_alloc(&kx, KX_SIZE * 2U, K_NO_WAIT), NULL);
  s = rt(&kx);
  OH_REQUIRE(omniheap_heap_stats(e, &n) == OMNIHEAP_OK);
  OH_CHECK_EQ_INT(n.in_use, s.allocated_bytes);
  OH_CHECK_EQ_INT(n.in_use + n.free_bytes, n.capacity);
  OH_CHECK_EQ_INT(s.allocated_bytes + s.free_bytes, s0.free_bytes);
  OH_CHECK(s.allocated_bytes >= 40U + 100U + 10U);
  OH_CHECK(s.max_allocated_bytes >= s.allocated_bytes);
  OH_CHECK(n.peak >= n.in_use);
  OH_CHECK_EQ_INT(n.live_blocks, 3);
  OH_CHECK(n.allocations == n0.allocations + 3U);
  OH_CHECK(n.failed_allocations >= n0.failed_allocations + 1U);
  OH_CHECK(n.largest_free > 0U && n.largest_free <= n.free_bytes);
  k_heap_free(&kx, b);
  s = rt(&kx);
  OH_REQUIRE(omniheap_heap_stats(e, &n) == OMNIHEAP_OK);
  OH_CHECK_EQ_INT(n.in_use, s.allocated_bytes);
  OH_CHECK_EQ_INT(n.live_blocks, 2);
  OH_CHECK(n.frees == n0.frees + 1U);
  k_heap_free(&kx, a);
  k_heap_free(&kx, c);
  s = rt(&kx);
  OH_REQUIRE(omniheap_heap_stats(e, &n) == OMNIHEAP_OK);
  OH_CHECK_EQ_INT(s.allocated_bytes, 0);
  OH_CHECK_EQ_INT(s.free_bytes, s0.free_bytes);
  OH_CHECK_EQ_INT(n.in_use, 0);
  OH_CHECK_EQ_INT(n.live_blocks, 0);
  OH_CHECK(n.frees == n0.frees + 3U);
  OH_CHECK_EQ_INT(sys_heap_runtime_stats_reset_max(&kx.heap), 0);
  OH_CHECK_EQ_INT(rt(&kx).max_allocated_bytes, 0);
  OH_CHECK_EQ_INT(omniheap_heap_validate(e), OMNIHEAP_OK);
  OH_CHECK_EQ_INT(faults.count, 0);
  finish(&kx);
}

/* ---- the system heap (k_malloc family) ---------------------------------------------------------- */

#if OMNIHEAP_CONF_HEAP_MEM_POOL_SIZE > 0

#define POOL OMNIHEAP_CONF_HEAP_MEM_POOL_SIZE

static struct k_heap *owner_of(const void *p) {
  struct k_heap *h;
  memcpy(&h, (const unsigned char *)p - sizeof h, sizeof h);
  return h;
}

static struct sys_memory_stats sys_rt(void) { return rt(&_system_heap); }

/* End of a system heap case: back to the bytes in use at its start, valid. */
static void sys_heap_back_to(const struct sys_memory_stats *start) {
  struct sys_memory_stats s = sys_rt();
  OH_CHECK_EQ_INT(s.allocated_bytes, start->allocated_bytes);
  OH_CHECK_EQ_INT(s.free_bytes, start->free_bytes);
  OH_CHECK(sys_heap_validate(&_system_heap.heap));
}

/* The system heap's statistics before a case (it is initialised by its first use). */
static struct sys_memory_stats sys_start(void) {
  void *p = k_malloc(1);
  OH_CHECK(p != NULL);
  k_free(p);
  return sys_rt();
}

static void test_k_malloc_zero_is_valid(void) {
  struct sys_memory_stats s0 = sys_start(), s;
  unsigned char *p = (unsigned char *)k_malloc(0), *q;
  OH_REQUIRE(p != NULL);
  OH_CHECK_EQ_INT((uintptr_t)p % sizeof(void *), 0);
  OH_CHECK_EQ_PTR(owner_of(p), &_system_heap);
  s = sys_rt();
  OH_CHECK(s.allocated_bytes > s0.allocated_bytes);
  q = (unsigned char *)k_malloc(0); /* a distinct block each time */
  OH_CHECK(q != NULL && q != p);
  k_free(p);
  k_free(q);
  OH_CHECK_EQ_INT(faults.count, 0);
  sys_heap_back_to(&s0);
}

static void test_k_malloc_alignment_prefix_and_contents(void) {
  struct sys_memory_stats s0 = sys_start();
  unsigned char *p[12];
  size_t i, j;
  for (i = 0; i < 12U; ++i) {
    size_t n = 1U + i * 13U;
    p[i] = (unsigned char *)k_malloc(n);
    OH_REQUIRE(p[i] != NULL);
    OH_CHECK_EQ_INT((uintptr_t)p[i] % sizeof(void *), 0);
    /* api-reference 3.5: k_free reads ((struct k_heap **)p)[-1]. */
    OH_CHECK_EQ_PTR(owner_of(p[i]), &_system_heap);
    OH_CHECK(oh_inside(p[i], n, _system_heap.heap.init_mem, _system_heap.heap.init_bytes));
    oh_fill(p[i], n, (unsigned)i);
  }
  for (i = 0; i < 12U; ++i)
    for (j = i + 1U; j < 12U; ++j)
      OH_CHECK(!oh_overlap(p[i] - sizeof(void *), 1U + i * 13U + sizeof(void *), p[j],
                        1U + j * 13U));
  for (i = 0; i < 12U; ++i) {
    OH_CHECK(oh_intact(p[i], 1U + i * 13U, (unsigned)i));
    OH_CHECK_EQ_PTR(owner_of(p[i]), &_system_heap);
  }
  for (i = 0; i < 12U; ++i) k_free(p[i]);
  OH_CHECK_EQ_INT(faults.count, 0);
  sys_heap_back_to(&s0);
}

static void test_k_aligned_alloc_alignments(void) {
  static const size_t sizes[] = {1, 7, 64, 100};
  struct sys_memory_stats s0 = sys_start();
  size_t align, i;
  for (align = sizeof(void *); align <= 256U; align <<= 1) {
    for (i = 0; i < sizeof sizes / sizeof sizes[0]; ++i) {
      unsigned char *p = (unsigned char *)k_aligned_alloc(align, sizes[i]);
      if (!OH_CHECK(p != NULL)) continue;
      OH_CHECK_EQ_INT((uintptr_t)p % align, 0);
      OH_CHECK_EQ_PTR(owner_of(p), &_system_heap);
      oh_fill(p, sizes[i], 2);
      OH_CHECK(oh_intact(p, sizes[i], 2));
      k_free(p);
    }
  }
  /* Several 64-aligned blocks at once, sizes not multiples of 64. */
  {
    unsigned char *a = (unsigned char *)k_aligned_alloc(64, 70);
    unsigned char *b = (unsigned char *)k_aligned_alloc(64, 5);
    unsigned char *c = (unsigned char *)k_aligned_alloc(64, 129);
    OH_CHECK(a != NULL && b != NULL && c != NULL);
    if (a != NULL && b != NULL && c != NULL) {
      OH_CHECK((uintptr_t)a % 64U == 0U && (uintptr_t)b % 64U == 0U && (uintptr_t)c % 64U == 0U);
      OH_CHECK(!oh_overlap(a, 70, b, 5) && !oh_overlap(a, 70, c, 129) && !oh_overlap(b, 5, c, 129));
      oh_fill(a, 70, 1);
      oh_fill(b, 5, 2);
      oh_fill(c, 129, 3);
      OH_CHECK(oh_intact(a, 70, 1) && oh_intact(b, 5, 2) && oh_intact(c, 129, 3));
    }
    k_free(a);
    k_free(b);
    k_free(c);
  }
  {
    void *z = k_aligned_alloc(64, 0); /* any size, 0 included, gives a block */
    OH_CHECK(z != NULL);
    OH_CHECK_EQ_INT((uintptr_t)z % 64U, 0);
    k_free(z);
  }
  OH_CHECK_EQ_INT(faults.count, 0);
  sys_heap_back_to(&s0);
}

static void test_k_aligned_alloc_bad_alignment_faults(void) {
  struct sys_memory_stats s0 = sys_start(), s;
  static const size_t bad[] = {3, 2, sizeof(void *) / 2U, 24, 0x70};
  size_t i;
  for (i = 0; i < sizeof bad / sizeof bad[0]; ++i) {
    unsigned before = faults.count;
    void *p = k_aligned_alloc(bad[i], 16);
    OH_CHECK_EQ_PTR(p, NULL);
    if (p != NULL) k_free(p);
    OH_CHECK_EQ_INT(faults.count, before + 1U);
    OH_CHECK_EQ_INT(faults.kind, OMNIHEAP_FAULT_BAD_ALIGNMENT);
    OH_CHECK_EQ_INT(faults.family, OMNIHEAP_FAMILY_K_HEAP);
    OH_CHECK_EQ_INT(faults.default_action, OMNIHEAP_FAULT_PANIC);
  }
  s = sys_rt();
  OH_CHECK_EQ_INT(s.allocated_bytes, s0.allocated_bytes);
  sys_heap_back_to(&s0);
}

static void test_k_malloc_too_large_is_null(void) {
  struct sys_memory_stats s0 = sys_start();
  void *p;
  OH_CHECK_EQ_PTR(k_malloc(SIZE_MAX), NULL);
  OH_CHECK_EQ_PTR(k_malloc(SIZE_MAX - 4U), NULL);
  OH_CHECK_EQ_PTR(k_malloc(SIZE_MAX - sizeof(void *) + 1U), NULL);
  OH_CHECK_EQ_PTR(k_malloc(POOL + 1U), NULL);
  OH_CHECK_EQ_PTR(k_aligned_alloc(64, SIZE_MAX - 8U), NULL);
  OH_CHECK_EQ_PTR(k_calloc(SIZE_MAX / 2U + 1U, 2), NULL);
  OH_CHECK_EQ_PTR(k_calloc(2, SIZE_MAX / 2U + 1U), NULL);
  OH_CHECK_EQ_PTR(k_calloc(SIZE_MAX, SIZE_MAX), NULL);
  OH_CHECK_EQ_PTR(k_calloc(65537, 65537), NULL);
  p = k_malloc(16);
  OH_REQUIRE(p != NULL);
  oh_fill(p, 16, 6);
  OH_CHECK_EQ_PTR(k_realloc(p, SIZE_MAX), NULL);
  OH_CHECK_EQ_PTR(k_realloc(p, SIZE_MAX - 4U), NULL);
  OH_CHECK(oh_intact(p, 16, 6));
  k_free(p);
  OH_CHECK_EQ_INT(faults.count, 0);
  sys_heap_back_to(&s0);
}

/* Filled to the last block, the system heap says NULL at once (K_NO_WAIT). */
static void test_k_malloc_until_full_never_blocks(void) {
  struct sys_memory_stats s0 = sys_start();
  void *p[24];
  const size_t n = POOL / 16U;
  size_t k = 0, i, j;
  uint64_t t0, t1;
  while (k < 24U && (p[k] = k_malloc(n)) != NULL) {
    oh_fill(p[k], n, (unsigned)k);
    ++k;
  }
  OH_CHECK(k > 0U && k < 24U);
  t0 = now_us();
  OH_CHECK_EQ_PTR(k_malloc(n), NULL);
  OH_CHECK_EQ_PTR(k_aligned_alloc(64, n), NULL);
  OH_CHECK_EQ_PTR(k_calloc(1, n), NULL);
  t1 = now_us();
  OH_CHECK(t1 - t0 < 10000U);
  for (i = 0; i < k; ++i) {
    OH_CHECK(oh_intact(p[i], n, (unsigned)i));
    for (j = i + 1U; j < k; ++j) OH_CHECK(!oh_overlap(p[i], n, p[j], n));
  }
  OH_CHECK(sys_heap_validate(&_system_heap.heap));
  for (i = 0; i < k; ++i) k_free(p[i]);
  OH_CHECK_EQ_INT(faults.count, 0);
  sys_heap_back_to(&s0);
}

static void test_k_calloc_zeroes(void) {
  struct sys_memory_stats s0 = sys_start();
  unsigned char *p, *q;
  p = (unsigned char *)k_malloc(300);
  OH_REQUIRE(p != NULL);
  memset(p, 0xA5, 300);
  k_free(p);
  q = (unsigned char *)k_calloc(25, 12);
  OH_REQUIRE(q != NULL);
  OH_CHECK(oh_all_zero(q, 300));
  OH_CHECK_EQ_INT((uintptr_t)q % sizeof(void *), 0);
  OH_CHECK_EQ_PTR(owner_of(q), &_system_heap);
  k_free(q);
  q = (unsigned char *)k_calloc(0, 0); /* must not crash; a block or NULL */
  if (q != NULL) k_free(q);
  OH_CHECK_EQ_INT(faults.count, 0);
  sys_heap_back_to(&s0);
}

static void test_k_realloc_semantics(void) {
  struct sys_memory_stats s0 = sys_start(), s;
  unsigned char *p, *q;
  /* NULL: k_malloc. */
  p = (unsigned char *)k_realloc(NULL, 24);
  OH_REQUIRE(p != NULL);
  OH_CHECK_EQ_INT((uintptr_t)p % sizeof(void *), 0);
  OH_CHECK_EQ_PTR(owner_of(p), &_system_heap);
  oh_fill(p, 24, 7);
  /* Grows: contents kept. */
  q = (unsigned char *)k_realloc(p, 500);
  OH_REQUIRE(q != NULL);
  OH_CHECK(oh_intact(q, 24, 7));
  OH_CHECK_EQ_PTR(owner_of(q), &_system_heap);
  OH_CHECK_EQ_INT((uintptr_t)q % sizeof(void *), 0);
  oh_fill(q, 500, 8);
  /* Shrinks: the first bytes kept. */
  p = (unsigned char *)k_realloc(q, 10);
  OH_REQUIRE(p != NULL);
  OH_CHECK(oh_intact(p, 10, 8));
  OH_CHECK_EQ_PTR(owner_of(p), &_system_heap);
  /* Failure: NULL, the block intact and still ours. */
  OH_CHECK_EQ_PTR(k_realloc(p, POOL * 2U), NULL);
  OH_CHECK(oh_intact(p, 10, 8));
  OH_CHECK_EQ_PTR(owner_of(p), &_system_heap);
  /* 0: frees, returns NULL. */
  s = sys_rt();
  OH_CHECK(s.allocated_bytes > s0.allocated_bytes);
  OH_CHECK_EQ_PTR(k_realloc(p, 0), NULL);
  sys_heap_back_to(&s0);
  /* An aligned block keeps at least pointer alignment when it moves. */
  p = (unsigned char *)k_aligned_alloc(128, 16);
  q = (unsigned char *)k_malloc(16); /* likely right after it */
  OH_REQUIRE(p != NULL && q != NULL);
  oh_fill(p, 16, 9);
  p = (unsigned char *)k_realloc(p, 700);
  OH_REQUIRE(p != NULL);
  OH_CHECK_EQ_INT((uintptr_t)p % sizeof(void *), 0);
  OH_CHECK(oh_intact(p, 16, 9));
  OH_CHECK_EQ_PTR(owner_of(p), &_system_heap);
  k_free(q);
  k_free(p);
  OH_CHECK_EQ_INT(faults.count, 0);
  sys_heap_back_to(&s0);
}

static void test_k_free_null_is_noop(void) {
  struct sys_memory_stats s0 = sys_start(), s;
  k_free(NULL);
  k_free(NULL);
  s = sys_rt();
  OH_CHECK(same_rt(&s0, &s));
  OH_CHECK_EQ_INT(faults.count, 0);
}

static int is_bad_pointer_kind(omniheap_fault_kind_t k) {
  return k == OMNIHEAP_FAULT_DOUBLE_FREE || k == OMNIHEAP_FAULT_FOREIGN_POINTER ||
         k == OMNIHEAP_FAULT_INTERIOR_POINTER;
}

static void test_k_free_double_fault(void) {
  struct sys_memory_stats s0 = sys_start(), before, after;
  unsigned char *a, *p, *c;
  a = (unsigned char *)k_malloc(40);
  p = (unsigned char *)k_malloc(40);
  c = (unsigned char *)k_malloc(40);
  OH_REQUIRE(a != NULL && p != NULL && c != NULL);
  oh_fill(a, 40, 1);
  oh_fill(c, 40, 3);
  k_free(p);
  before = sys_rt();
  k_free(p);
  OH_CHECK_EQ_INT(faults.count, 1);
  OH_CHECK(is_bad_pointer_kind(faults.kind));
  OH_CHECK_EQ_INT(faults.family, OMNIHEAP_FAMILY_K_HEAP);
  OH_CHECK_EQ_INT(faults.default_action, OMNIHEAP_FAULT_PANIC);
  after = sys_rt();
  OH_CHECK(same_rt(&before, &after));
  OH_CHECK(sys_heap_validate(&_system_heap.heap));
  OH_CHECK(oh_intact(a, 40, 1) && oh_intact(c, 40, 3));
  p = (unsigned char *)k_malloc(40); /* still works */
  OH_CHECK(p != NULL);
  k_free(p);
  k_free(a);
  k_free(c);
  OH_CHECK_EQ_INT(faults.count, 1);
  sys_heap_back_to(&s0);
}

static void test_k_free_foreign_pointers_fault(void) {
  static void *fake[4];
  struct sys_memory_stats s0 = sys_start(), sk, after;
  unsigned char *kp;
  fresh_x();
  /* kernel.h: k_free of memory from k_heap_alloc() is reported. */
  kp = (unsigned char *)k_heap_alloc(&kx, 40, K_NO_WAIT);
  OH_REQUIRE(kp != NULL);
  oh_fill(kp, 40, 4);
  sk = rt(&kx);
  k_free(kp);
  OH_CHECK_EQ_INT(faults.count, 1);
  OH_CHECK(is_bad_pointer_kind(faults.kind) || faults.kind == OMNIHEAP_FAULT_CORRUPT_METADATA);
  OH_CHECK_EQ_INT(faults.family, OMNIHEAP_FAMILY_K_HEAP);
  after = rt(&kx);
  OH_CHECK(same_rt(&sk, &after));
  OH_CHECK(oh_intact(kp, 40, 4));
  /* A pointer whose prefix names a real k_heap it does not belong to. */
  fake[1] = &kx;
  k_free(&fake[2]);
  OH_CHECK_EQ_INT(faults.count, 2);
  OH_CHECK(is_bad_pointer_kind(faults.kind));
  OH_CHECK_EQ_INT(faults.family, OMNIHEAP_FAMILY_K_HEAP);
  /* A prefix that names no heap at all. */
  fake[1] = NULL;
  k_free(&fake[2]);
  OH_CHECK_EQ_INT(faults.count, 3);
  OH_CHECK(is_bad_pointer_kind(faults.kind));
  after = rt(&kx);
  OH_CHECK(same_rt(&sk, &after));
  OH_CHECK(sys_heap_validate(&kx.heap));
  k_heap_free(&kx, kp);
  OH_CHECK_EQ_INT(faults.count, 3);
  sys_heap_back_to(&s0);
  finish(&kx);
}

static void test_system_heap_registered(void) {
  omniheap_heap_t *e;
  omniheap_stats_t n = OMNIHEAP_STATS_INIT;
  struct sys_memory_stats s0, s;
  void *p;
  (void)sys_start(); /* after a first use */
  e = omniheap_heap_find(&_system_heap);
  OH_REQUIRE(e != NULL);
  OH_CHECK_EQ_INT(omniheap_heap_family(e), OMNIHEAP_FAMILY_K_HEAP);
  OH_CHECK(strcmp(omniheap_heap_name(e), "_system_heap") == 0);
  OH_CHECK_EQ_PTR(omniheap_heap_object(e), &_system_heap);
  OH_CHECK(omniheap_heap_capacity(e) > 0U && omniheap_heap_capacity(e) <= POOL);
  OH_CHECK_EQ_INT(_system_heap.heap.init_bytes, defined_size(POOL));
  OH_CHECK(_system_heap.heap.heap != NULL);
  OH_CHECK(sys_heap_validate(&_system_heap.heap));
  /* Its statistics through the sys_heap member, as user code reads them. */
  s0 = sys_rt();
  p = k_malloc(100);
  OH_REQUIRE(p != NULL);
  s = sys_rt();
  OH_CHECK(s.allocated_bytes >= s0.allocated_bytes + 100U + sizeof(void *));
  OH_CHECK_EQ_INT(s.allocated_bytes + s.free_bytes, s0.allocated_bytes + s0.free_bytes);
  OH_REQUIRE(omniheap_heap_stats(e, &n) == OMNIHEAP_OK);
  OH_CHECK_EQ_INT(n.in_use, s.allocated_bytes);
  OH_CHECK_EQ_INT(n.in_use + n.free_bytes, n.capacity);
  k_free(p);
  OH_CHECK_EQ_INT(faults.count, 0);
  sys_heap_back_to(&s0);
}

static void test_system_heap_spinlock_usable(void) {
  struct sys_memory_stats s0 = sys_start(), s;
  k_spinlock_key_t key;
  void *p;
  /* User code takes &_system_heap.lock around reading the statistics. */
  key = k_spin_lock(&_system_heap.lock);
  OH_CHECK_EQ_INT(sys_heap_runtime_stats_get(&_system_heap.heap, &s), 0);
  k_spin_unlock(&_system_heap.lock, key);
  OH_CHECK(same_rt(&s0, &s));
  /* The lock was released: the heap is usable. */
  p = k_malloc(8);
  OH_CHECK(p != NULL);
  k_free(p);
  OH_CHECK_EQ_INT(faults.count, 0);
  sys_heap_back_to(&s0);
}

#else /* no system heap */

static void test_k_free_null_is_noop(void) {
  k_free(NULL); /* k_free always exists */
  OH_CHECK_EQ_INT(faults.count, 0);
}

#endif /* OMNIHEAP_CONF_HEAP_MEM_POOL_SIZE > 0 */

/* ---- host only: threads and the default fault action --------------------------------------- */

#if defined(OH_HOSTED) && OH_HOSTED

struct freer {
  struct k_heap *heap;
  void *block;
  unsigned delay_ms;
};

static void *freer_main(void *arg) {
  struct freer *f = (struct freer *)arg;
  struct timespec ts;
  ts.tv_sec = (time_t)(f->delay_ms / 1000U);
  ts.tv_nsec = (long)(f->delay_ms % 1000U) * 1000000L;
  while (nanosleep(&ts, &ts) != 0) {
  }
  k_heap_free(f->heap, f->block);
  return NULL;
}

/* Allocates from a full kx with timeout t while another thread frees a block
 * after 30 ms; returns the block (or NULL) and the time it took. */
static void *alloc_while_freed(k_timeout_t t, uint64_t *took) {
  struct freer f;
  pthread_t th;
  uint64_t t0;
  void *p;
  f.heap = &kx;
  f.block = ptrs[0]; /* the largest block: the request fits in its chunk on every target */
  ptrs[0] = ptrs[--nptrs];
  f.delay_ms = 30;
  t0 = now_us();
  if (pthread_create(&th, NULL, freer_main, &f) != 0) {
    OH_CHECK(0);
    k_heap_free(&kx, f.block);
    return NULL;
  }
  p = k_heap_alloc(&kx, 8, t);
  *took = now_us() - t0;
  pthread_join(th, NULL);
  return p;
}

static void test_k_heap_free_wakes_blocked_alloc(void) {
  uint64_t took;
  void *p;
  if (!port_is("posix")) {
    oh_test_note("k_heap: blocking across threads needs the posix port; skipped");
    return;
  }
  fresh_x();
  fill_heap(&kx);
  OH_REQUIRE(nptrs >= 2U);
  p = alloc_while_freed(K_MSEC(3000), &took);
  OH_CHECK(p != NULL); /* woken by the free, served before the deadline */
  OH_CHECK(took >= 20000U && took < 2500000U);
  if (p != NULL) k_heap_free(&kx, p);
  drain(&kx);
  fill_heap(&kx);
  OH_REQUIRE(nptrs >= 2U);
  p = alloc_while_freed(K_FOREVER, &took);
  OH_CHECK(p != NULL);
  OH_CHECK(took >= 20000U);
  if (p != NULL) k_heap_free(&kx, p);
  drain(&kx);
  OH_CHECK_EQ_INT(faults.count, 0);
  finish(&kx);
}

struct waiter {
  struct k_heap *heap;
  size_t bytes;
  k_timeout_t timeout;
  void *got;
  uint64_t took;
};

static void *waiter_main(void *arg) {
  struct waiter *w = (struct waiter *)arg;
  uint64_t t0 = now_us();
  w->got = k_heap_alloc(w->heap, w->bytes, w->timeout);
  w->took = now_us() - t0;
  return NULL;
}

static uint32_t waiters_now(struct k_heap *h) {
  k_spinlock_key_t key = k_spin_lock(&h->lock);
  uint32_t n = h->wait_q.waiters; /* kernel.h: read under the lock */
  k_spin_unlock(&h->lock, key);
  return n;
}

/* "Every k_heap_free() wakes all waiters" (contract, kernel.h): two callers
 * blocked on a full heap are both served by one free that makes room for both. */
static void test_k_heap_free_wakes_every_waiter(void) {
  struct waiter w[2];
  pthread_t th[2];
  int started[2] = {0, 0};
  uint64_t t0;
  void *big;
  unsigned i;
  if (!port_is("posix")) {
    oh_test_note("k_heap: blocking across threads needs the posix port; skipped");
    return;
  }
  fresh_x();
  fill_heap(&kx);
  OH_REQUIRE(nptrs >= 2U && sys_heap_usable_size(&kx.heap, ptrs[0]) >= 512U);
  big = ptrs[0];
  ptrs[0] = ptrs[--nptrs];
  for (i = 0; i < 2U; ++i) {
    w[i].heap = &kx;
    w[i].bytes = 100;
    w[i].timeout = K_MSEC(3000);
    w[i].got = NULL;
    w[i].took = 0;
    started[i] = pthread_create(&th[i], NULL, waiter_main, &w[i]) == 0;
    OH_CHECK(started[i]);
  }
  /* Both blocked (the wait queue counts them), then one free. */
  t0 = now_us();
  while (waiters_now(&kx) < 2U && now_us() - t0 < 1000000U) {
    struct timespec ts = {0, 1000000L};
    nanosleep(&ts, NULL);
  }
  OH_CHECK_EQ_INT(waiters_now(&kx), 2);
  k_heap_free(&kx, big);
  for (i = 0; i < 2U; ++i) {
    if (!started[i]) continue;
    pthread_join(th[i], NULL);
    OH_CHECK(w[i].got != NULL);
    OH_CHECK(w[i].took < 1500000U); /* served by the free, not at the deadline */
  }
  OH_CHECK_EQ_INT(waiters_now(&kx), 0);
  if (w[0].got != NULL && w[1].got != NULL) OH_CHECK(!oh_overlap(w[0].got, 100, w[1].got, 100));
  for (i = 0; i < 2U; ++i)
    if (started[i] && w[i].got != NULL) k_heap_free(&kx, w[i].got);
  drain(&kx);
  OH_CHECK_EQ_INT(faults.count, 0);
  finish(&kx);
}

static void child_double_free(void) {
  void *p, *q;
  fresh_x();
  p = k_heap_alloc(&kx, 16, K_NO_WAIT);
  q = k_heap_alloc(&kx, 16, K_NO_WAIT);
  (void)q;
  k_heap_free(&kx, p);
  k_heap_free(&kx, p); /* must not return */
}
static void child_defined_double_free(void) {
  void *p = k_heap_alloc(&kh_def, 16, K_NO_WAIT);
  k_heap_free(&kh_def, p);
  k_heap_free(&kh_def, p);
}
static void child_bad_alignment(void) {
  fresh_x();
  (void)k_heap_aligned_alloc(&kx, 7, 16, K_NO_WAIT);
}
static void child_alignment_3(void) {
  fresh_x();
  (void)k_heap_aligned_alloc(&kx, 3, 16, K_NO_WAIT);
}
static void child_foreign(void) {
  static int object[4];
  fresh_x();
  k_heap_free(&kx, &object[2]);
}
static void child_free_null(void) {
  fresh_x();
  k_heap_free(&kx, NULL);
#if OMNIHEAP_CONF_HEAP_MEM_POOL_SIZE > 0
  k_free(NULL);
#endif
  _exit(0);
}
#if OMNIHEAP_CONF_HEAP_MEM_POOL_SIZE > 0
static void child_k_free_double(void) {
  void *p = k_malloc(16), *q = k_malloc(16);
  (void)q;
  k_free(p);
  k_free(p);
}
static void child_k_aligned_alloc_bad(void) { (void)k_aligned_alloc(3, 16); }
#endif

static void test_k_heap_default_fault_action_panics(void) {
  OH_CHECK(oh_died_of_panic(oh_run_child(child_double_free)));
  OH_CHECK(oh_died_of_panic(oh_run_child(child_defined_double_free)));
  OH_CHECK(oh_died_of_panic(oh_run_child(child_bad_alignment)));
  OH_CHECK(oh_died_of_panic(oh_run_child(child_foreign)));
#if OMNIHEAP_CONF_HEAP_MEM_POOL_SIZE > 0
  OH_CHECK(oh_died_of_panic(oh_run_child(child_k_free_double)));
  OH_CHECK(oh_died_of_panic(oh_run_child(child_k_aligned_alloc_bad)));
#endif
  {
    int status = oh_run_child(child_free_null);
    OH_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0); /* NULL is no fault */
  }
}

/* K_FOREVER must not pend on the freed block (a hang would stop the suite,
 * hence the child with an alarm). */
static void child_realloc_zero_forever(void) {
  int rc;
  fault_log_capture(&faults, 0);
  rc = realloc_zero_frees_once(K_FOREVER);
  _exit(rc);
}

static void test_k_heap_realloc_zero_forever_frees_once(void) {
  int status = oh_run_child(child_realloc_zero_forever);
  OH_CHECK(WIFEXITED(status));
  if (WIFEXITED(status)) OH_CHECK_EQ_INT(WEXITSTATUS(status), 0);
  else oh_test_note("k_heap_realloc(h, p, 0, K_FOREVER) did not return within 10 s");
}

#else /* on targets: directly */

static void test_k_heap_realloc_zero_forever_frees_once(void) {
  OH_CHECK_EQ_INT(realloc_zero_frees_once(K_FOREVER), 0);
  OH_CHECK_EQ_INT(faults.count, 0);
  finish(&kx);
}

#endif /* OH_HOSTED */

/* ---- suite --------------------------------------------------------------------------------- */

/* ---- registration paths (added with the review of the docs) ------------------------------- */

/* A K_HEAP_DEFINE heap is named after its variable by its constructor. */
static void test_k_heap_define_named_after_variable(void) {
#if defined(__GNUC__) || defined(__clang__)
  omniheap_heap_t *e = omniheap_heap_find(&kh_def);
  OH_REQUIRE(e != NULL);
  OH_CHECK(strcmp(omniheap_heap_name(e), "kh_def") == 0);
  OH_CHECK_EQ_PTR(omniheap_heap_find_name("kh_tiny"), omniheap_heap_find(&kh_tiny));
#endif
}

/* A statically initialised k_heap first used through the sys_heap API joins
 * the registry as a sys_heap, and becomes a k_heap at its first k_heap call
 * (kernel.h, k_heap_init()). Same initialiser as K_HEAP_DEFINE, no constructor. */
static unsigned char kz_mem[Z_HEAP_MIN_SIZE_FOR(16)] __attribute__((aligned(8)));
static struct k_heap kz = {{NULL, kz_mem, sizeof kz_mem}, {0u, 0u, 0u}, {OMNIHEAP_PORT_LOCK_INIT}};
static void test_k_heap_first_used_as_sys_heap_becomes_k_heap(void) {
  struct sys_memory_stats st;
  omniheap_heap_t *e;
  void *p;
  OH_CHECK_EQ_INT(sys_heap_runtime_stats_get(&kz.heap, &st), 0);
  e = omniheap_heap_find(&kz);
  OH_REQUIRE(e != NULL);
  OH_CHECK_EQ_INT(omniheap_heap_family(e), OMNIHEAP_FAMILY_SYS_HEAP);
  p = k_heap_alloc(&kz, 16, K_NO_WAIT);
  OH_CHECK(p != NULL);
  e = omniheap_heap_find(&kz);
  OH_REQUIRE(e != NULL);
  OH_CHECK_EQ_INT(omniheap_heap_family(e), OMNIHEAP_FAMILY_K_HEAP);
  k_heap_free(&kz, p);
  OH_CHECK(sys_heap_validate(&kz.heap));
  OH_CHECK_EQ_INT(faults.count, 0);
  forget(&kz);
}

#if OMNIHEAP_CONF_HEAP_MEM_POOL_SIZE > 0
/* Alignment 0 is not a multiple of sizeof(void *): Zephyr asserts. */
static void test_k_aligned_alloc_zero_alignment_faults(void) {
  unsigned before = faults.count;
  OH_CHECK_EQ_PTR(k_aligned_alloc(0, 8), NULL);
  OH_CHECK_EQ_INT(faults.count, before + 1U);
  OH_CHECK_EQ_INT(faults.kind, OMNIHEAP_FAULT_BAD_ALIGNMENT);
  OH_CHECK_EQ_INT(faults.family, OMNIHEAP_FAMILY_K_HEAP);
}
#endif

void suite_k_heap(void) {
  KH_RUN(test_k_heap_timeout_macros);
  KH_RUN(test_k_heap_struct_layout);

  KH_RUN(test_k_heap_define_buffers);
  KH_RUN(test_k_heap_define_usable_without_init);
  KH_RUN(test_k_heap_define_one_byte_heap);
  KH_RUN(test_k_heap_array_get_lists_defined_heaps);
  KH_RUN(test_k_heap_define_in_registry);

  KH_RUN(test_k_heap_init_on_static_buffer);
  KH_RUN(test_k_heap_init_unaligned_buffer);

  KH_RUN(test_k_heap_alloc_zero_is_null);
  KH_RUN(test_k_heap_alloc_too_big_is_null);
  KH_RUN(test_k_heap_alloc_aligned_disjoint_and_kept);
  KH_RUN(test_k_heap_aligned_alloc_powers_of_two);
  KH_RUN(test_k_heap_calloc_zeroes);
  KH_RUN(test_k_heap_calloc_overflow_and_zero);

  KH_RUN(test_k_heap_realloc_null_allocates);
  KH_RUN(test_k_heap_realloc_zero_frees_once);
  KH_RUN(test_k_heap_realloc_zero_forever_frees_once);
  KH_RUN(test_k_heap_realloc_failure_keeps_block);
  KH_RUN(test_k_heap_realloc_in_place);
  KH_RUN(test_k_heap_realloc_moves_keeps_contents);

  KH_RUN(test_k_heap_free_null_is_noop);
  KH_RUN(test_k_heap_no_wait_on_full_heap_returns_at_once);
  KH_RUN(test_k_heap_timed_alloc_on_full_heap_waits_then_fails);

  KH_RUN(test_k_heap_double_free_fault);
  KH_RUN(test_k_heap_bad_alignment_fault);
  KH_RUN(test_k_heap_alignment_3_faults);
  KH_RUN(test_k_heap_foreign_pointer_fault);
  KH_RUN(test_k_heap_stats_match_runtime_stats);

#if OMNIHEAP_CONF_HEAP_MEM_POOL_SIZE > 0
  KH_RUN(test_k_malloc_zero_is_valid);
  KH_RUN(test_k_malloc_alignment_prefix_and_contents);
  KH_RUN(test_k_aligned_alloc_alignments);
  KH_RUN(test_k_aligned_alloc_bad_alignment_faults);
  KH_RUN(test_k_malloc_too_large_is_null);
  KH_RUN(test_k_malloc_until_full_never_blocks);
  KH_RUN(test_k_calloc_zeroes);
  KH_RUN(test_k_realloc_semantics);
  KH_RUN(test_k_free_double_fault);
  KH_RUN(test_k_free_foreign_pointers_fault);
  KH_RUN(test_system_heap_registered);
  KH_RUN(test_system_heap_spinlock_usable);
#endif
  KH_RUN(test_k_free_null_is_noop);
  KH_RUN(test_k_heap_define_named_after_variable);
  KH_RUN(test_k_heap_first_used_as_sys_heap_becomes_k_heap);
#if OMNIHEAP_CONF_HEAP_MEM_POOL_SIZE > 0
  KH_RUN(test_k_aligned_alloc_zero_alignment_faults);
#endif

#if defined(OH_HOSTED) && OH_HOSTED
  KH_RUN(test_k_heap_free_wakes_blocked_alloc);
  KH_RUN(test_k_heap_free_wakes_every_waiter);
  KH_RUN(test_k_heap_default_fault_action_panics);
#endif
}
