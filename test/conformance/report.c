/*
 * Consistency of the native API's views of one firmware-like mix of heaps
 * (omniheap.h: statistics, omniheap_totals(), omniheap_family_totals(),
 * omniheap_heap_walk(), omniheap_heap_validate(), omniheap_report_to()),
 * black box.
 *
 * The mix: a MEMB pool, a sys_heap, a k_heap, the heapmem arena, an emh
 * heap, an ffit heap, a buddy heap and MMT (when its headers exist), each
 * with blocks in use, some with failed allocations and one with a fault.
 * Then the memory report is parsed line by line: the title, the column
 * headings, one line per registered heap in registry order (whoever
 * registered it), each matching omniheap_heap_stats() of that heap
 * (capacity, in use, peak, allocations, failed, largest free,
 * fragmentation 100 * (1 - largest free / free bytes), "-" for fixed-size
 * pools, faults when there were any), then the totals line matching
 * omniheap_totals(). Per family, omniheap_family_totals() must be the sum of
 * that family's heaps; per heap, the walk must list live_blocks used blocks
 * (each inside the heap's own memory where the suite knows it), and
 * validate must say OK.
 *
 * Expectations come from omniheap.h and the family headers, never from the
 * implementation. Heaps live on the shared scratch region (observe.h) and
 * leave the registry at the end; the shared ones are left empty.
 */
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
#include <zephyr/sys/sys_heap.h>

#if defined(__has_include)
#if __has_include("mmt_core.h")
#include "mmt_core.h"
#include "memory.h"
#define RP_MMT 1
#endif
#endif

#include "blocks.h"
#include "fault_log.h"
#include "observe.h"
#include "oh_test.h"
#include "suites.h"

/* ---- the mix -------------------------------------------------------------------------------------- */

#define RP_BYTES (OBS_SCRATCH_BYTES / 4U / 8U * 8U)
struct rp_rec {
  uint16_t id;
  uint8_t payload[10];
};
MEMB(rp_pool, struct rp_rec, 5);
static struct sys_heap rp_sys;
static struct k_heap rp_k;
static ffit_heap_t rp_ff;
static buddy_heap_t rp_bd;

#define RP_MAX 20
static struct {
  void *p;
  int family;
} live[RP_MAX];
static unsigned n_live;

static void keep(void *p, omniheap_family_t family) {
  if (!OH_CHECK(p != NULL)) return;
  if (OH_CHECK(n_live < RP_MAX)) {
    live[n_live].p = p;
    live[n_live].family = (int)family;
    ++n_live;
  }
}


/* Builds the mix; returns 1 if every heap is there. */
static int build_mix(void) {
  int id = obs_emh_id();
  n_live = 0;
  memb_init(&rp_pool);
  sys_heap_init(&rp_sys, obs_scratch, RP_BYTES);
  k_heap_init(&rp_k, obs_scratch + RP_BYTES, RP_BYTES);
  memset(&rp_ff, 0, sizeof rp_ff);
  rp_ff.mh = (uintptr_t)(obs_scratch + 2U * RP_BYTES);
  rp_ff.hs = RP_BYTES;
  memset(&rp_bd, 0, sizeof rp_bd);
  rp_bd.mh = (uintptr_t)(obs_scratch + 3U * RP_BYTES);
  rp_bd.hs = RP_BYTES;
  if (!OH_CHECK_EQ_INT(ffit_init(&rp_ff), FFIT_HEAP_OK)) return 0;
  if (!OH_CHECK_EQ_INT(buddy_init(&rp_bd), BUDDY_HEAP_OK)) return 0;
  if (!OH_CHECK(id >= 0 && obs_heapmem_handle() != NULL)) return 0;
  OH_CHECK_EQ_INT(omniheap_heap_set_name(omniheap_heap_find(&rp_sys), "rp_radio"), OMNIHEAP_OK);
  OH_CHECK_EQ_INT(omniheap_heap_set_name(omniheap_heap_find(&rp_k), "rp_kernel"), OMNIHEAP_OK);

  /* blocks in use */
  keep(memb_alloc(&rp_pool), OMNIHEAP_FAMILY_MEMB);
  keep(memb_alloc(&rp_pool), OMNIHEAP_FAMILY_MEMB);
  keep(memb_alloc(&rp_pool), OMNIHEAP_FAMILY_MEMB);
  keep(sys_heap_alloc(&rp_sys, 40), OMNIHEAP_FAMILY_SYS_HEAP);
  keep(sys_heap_alloc(&rp_sys, 7), OMNIHEAP_FAMILY_SYS_HEAP);
  keep(sys_heap_alloc(&rp_sys, 100), OMNIHEAP_FAMILY_SYS_HEAP);
  keep(k_heap_alloc(&rp_k, 64, K_NO_WAIT), OMNIHEAP_FAMILY_K_HEAP);
  keep(k_heap_alloc(&rp_k, 12, K_NO_WAIT), OMNIHEAP_FAMILY_K_HEAP);
  keep(heapmem_alloc(90), OMNIHEAP_FAMILY_HEAPMEM);
  keep(heapmem_alloc(33), OMNIHEAP_FAMILY_HEAPMEM);
  keep(emh_malloc((emh_heapId_t)id, 48), OMNIHEAP_FAMILY_EMH);
  keep(ffit_get_block(&rp_ff, 20), OMNIHEAP_FAMILY_FFIT);
  keep(ffit_get_block(&rp_ff, 70), OMNIHEAP_FAMILY_FFIT);
  keep(buddy_get_block(&rp_bd, 30), OMNIHEAP_FAMILY_BUDDY);
  keep(buddy_get_block(&rp_bd, 9), OMNIHEAP_FAMILY_BUDDY);
#ifdef RP_MMT
  keep(mmt_malloc(77), OMNIHEAP_FAMILY_MMT);
  keep(mmt_malloc(0), OMNIHEAP_FAMILY_MMT);
#endif
  /* churn, so that peaks exceed what is in use, and a hole in sys_heap */
  sys_heap_free(&rp_sys, sys_heap_alloc(&rp_sys, 60));
  heapmem_free(heapmem_alloc(200));
  OH_CHECK_EQ_INT(ffit_free_block(&rp_ff, ffit_get_block(&rp_ff, 50)), FFIT_HEAP_OK);
  sys_heap_free(&rp_sys, live[4].p); /* the 7-byte block: a free chunk between two in use */
  live[4] = live[--n_live];
  /* failed allocations */
  OH_CHECK_EQ_PTR(sys_heap_alloc(&rp_sys, 2U * RP_BYTES), NULL);
  OH_CHECK_EQ_PTR(k_heap_alloc(&rp_k, 2U * RP_BYTES, K_NO_WAIT), NULL);
  OH_CHECK_EQ_PTR(buddy_get_block(&rp_bd, 2U * RP_BYTES), NULL);
  OH_CHECK_EQ_PTR(heapmem_alloc(2U * OMNIHEAP_CONF_HEAPMEM_ARENA_SIZE), NULL);
  /* a fault (MEMB: returns -1) */
  OH_CHECK_EQ_INT(memb_free(&rp_pool, (char *)rp_pool.mem + 4U * sizeof(struct rp_rec)), -1);
  OH_CHECK_EQ_INT(obs_faults.count, 1);
  return 1;
}

static void free_mix(void) {
  unsigned i;
  for (i = 0; i < n_live; ++i) {
    void *p = live[i].p;
    switch (live[i].family) {
    case OMNIHEAP_FAMILY_MEMB: OH_CHECK_EQ_INT(memb_free(&rp_pool, p), 0); break;
    case OMNIHEAP_FAMILY_SYS_HEAP: sys_heap_free(&rp_sys, p); break;
    case OMNIHEAP_FAMILY_K_HEAP: k_heap_free(&rp_k, p); break;
    case OMNIHEAP_FAMILY_HEAPMEM: OH_CHECK(heapmem_free(p)); break;
    case OMNIHEAP_FAMILY_EMH: emh_free(p); break;
    case OMNIHEAP_FAMILY_FFIT: OH_CHECK_EQ_INT(ffit_free_block(&rp_ff, p), FFIT_HEAP_OK); break;
    case OMNIHEAP_FAMILY_BUDDY: OH_CHECK_EQ_INT(buddy_free_block(&rp_bd, p), BUDDY_HEAP_OK); break;
#ifdef RP_MMT
    case OMNIHEAP_FAMILY_MMT: mmt_free(p); break;
#endif
    default: OH_CHECK(0); break;
    }
  }
  n_live = 0;
  obs_forget(&rp_pool);
  obs_forget(&rp_sys);
  obs_forget(&rp_k);
  obs_forget(&rp_ff);
  obs_forget(&rp_bd);
}

/* ---- parsing helpers -------------------------------------------------------------------------- */

static const char *skip_blanks(const char *s) {
  while (*s == ' ' || *s == '\t') ++s;
  return s;
}

/* Reads an unsigned decimal token; NULL if there is none. */
static const char *read_number(const char *s, uint64_t *v) {
  s = skip_blanks(s);
  if (*s < '0' || *s > '9') return NULL;
  *v = 0;
  while (*s >= '0' && *s <= '9') *v = *v * 10U + (uint64_t)(*s++ - '0');
  if (*s != ' ' && *s != '\t' && *s != '\0' && *s != '%') return NULL;
  return s;
}

static int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* `s` starts with the heap's name, or (for a heap called by its family's
 * name) with "name@<object's address in hex>"; returns what follows. */
static const char *match_name(const char *s, const omniheap_heap_t *h) {
  const char *name = omniheap_heap_name(h);
  size_t n = strlen(name);
  if (strncmp(s, name, n) != 0) return NULL;
  s += n;
  if (*s == '@' && strcmp(name, omniheap_family_name(omniheap_heap_family(h))) == 0) {
    uintptr_t v = 0;
    int d;
    ++s;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) s += 2;
    if (hex_digit(*s) < 0) return NULL;
    while ((d = hex_digit(*s)) >= 0) {
      v = v * 16U + (uintptr_t)d;
      ++s;
    }
    if (v != (uintptr_t)omniheap_heap_object(h)) return NULL;
  }
  return *s == ' ' ? s : NULL;
}

/* ---- the report, checked line by line ---------------------------------------------------------- */

#define RP_LINE 136
static struct {
  unsigned lines, heap_lines, bad, calls_without_newline;
  int totals_seen;
  omniheap_heap_t *cursor; /* the heap the next heap line must describe */
  int started;
  char text[RP_LINE];
} rp;

static void fail_line(const char *line, int check_line) {
  char note[RP_LINE + 40];
  size_t n = strlen(line);
  ++rp.bad;
  memcpy(note, "report line: ", 13);
  memcpy(note + 13, line, n + 1U);
  oh_test_note(note);
  (void)check_line;
}

static void check_heap_line(const char *line, omniheap_heap_t *h) {
  const char *s = match_name(line, h);
  omniheap_stats_t st = obs_stats(h);
  uint64_t v[6];
  unsigned i;
  const char *fam;
  size_t fl;
  if (s == NULL) {
    fail_line(line, __LINE__);
    OH_CHECK(!"heap line starts with the heap's name");
    return;
  }
  s = skip_blanks(s);
  fam = omniheap_family_name(omniheap_heap_family(h));
  fl = strlen(fam);
  if (!OH_CHECK(strncmp(s, fam, fl) == 0 && s[fl] == ' ')) {
    fail_line(line, __LINE__);
    return;
  }
  s += fl;
  for (i = 0; i < 6U; ++i) {
    s = read_number(s, &v[i]);
    if (!OH_CHECK(s != NULL)) {
      fail_line(line, __LINE__);
      return;
    }
  }
  if (!(OH_CHECK_EQ_INT(v[0], st.capacity) & OH_CHECK_EQ_INT(v[1], st.in_use) &
        OH_CHECK_EQ_INT(v[2], st.peak) & OH_CHECK_EQ_INT(v[3], st.allocations) &
        OH_CHECK_EQ_INT(v[4], st.failed_allocations) & OH_CHECK_EQ_INT(v[5], st.largest_free)))
    fail_line(line, __LINE__);
  s = skip_blanks(s);
  if (st.block_size != 0U) {
    if (!OH_CHECK(s[0] == '-' && (s[1] == ' ' || s[1] == '\0'))) fail_line(line, __LINE__);
    s += 1;
  } else {
    uint64_t frag, num, lo, hi;
    s = read_number(s, &frag);
    if (!OH_CHECK(s != NULL && *s == '%')) {
      fail_line(line, __LINE__);
      return;
    }
    ++s;
    /* 100 * (1 - largest / free): the exact value, rounded either way */
    num = st.free_bytes == 0U ? 0U : 100U * (uint64_t)(st.free_bytes - st.largest_free);
    lo = st.free_bytes == 0U ? 0U : num / st.free_bytes;
    hi = st.free_bytes == 0U ? 0U : (num + st.free_bytes - 1U) / st.free_bytes;
    if (!OH_CHECK(frag >= lo && frag <= hi)) fail_line(line, __LINE__);
  }
  s = skip_blanks(s);
  if (st.faults != 0U) {
    uint64_t f;
    if (!OH_CHECK(strncmp(s, "faults:", 7) == 0)) {
      fail_line(line, __LINE__);
      return;
    }
    s = read_number(s + 7, &f);
    if (!OH_CHECK(s != NULL) || !OH_CHECK_EQ_INT(f, st.faults)) fail_line(line, __LINE__);
    if (s != NULL) s = skip_blanks(s);
  }
  if (s != NULL && !OH_CHECK_EQ_INT(*s, '\0')) fail_line(line, __LINE__);
}

static void check_totals_line(const char *line) {
  omniheap_stats_t t = OMNIHEAP_STATS_INIT;
  const char *s = line;
  uint64_t v[6];
  unsigned i = 0;
  OH_CHECK_EQ_INT(omniheap_totals(&t), OMNIHEAP_OK);
  /* after "total", the first six numbers */
  s += 5;
  while (*s != '\0' && i < 6U) {
    const char *e;
    s = skip_blanks(s);
    e = read_number(s, &v[i]);
    if (e != NULL && (*e == ' ' || *e == '\0')) {
      ++i;
      s = e;
    } else {
      while (*s != '\0' && *s != ' ') ++s;
    }
  }
  if (!OH_CHECK_EQ_INT(i, 6)) {
    fail_line(line, __LINE__);
    return;
  }
  if (!(OH_CHECK_EQ_INT(v[0], t.capacity) & OH_CHECK_EQ_INT(v[1], t.in_use) & OH_CHECK_EQ_INT(v[2], t.peak) &
        OH_CHECK_EQ_INT(v[3], t.allocations) & OH_CHECK_EQ_INT(v[4], t.failed_allocations) &
        OH_CHECK_EQ_INT(v[5], t.largest_free)))
    fail_line(line, __LINE__);
}

static void report_line(const char *text, size_t length, void *context) {
  size_t n = length;
  (void)context;
  if (!OH_CHECK(length > 0U && text[length - 1] == '\n')) {
    ++rp.calls_without_newline;
    return;
  }
  --n;
  if (n >= RP_LINE) n = RP_LINE - 1U;
  memcpy(rp.text, text, n);
  rp.text[n] = '\0';
  OH_CHECK(memchr(rp.text, '\n', n) == NULL); /* one line per call */
  if (rp.lines == 0U) {
    OH_CHECK(strstr(rp.text, OMNIHEAP_VERSION_STRING) != NULL);
    OH_CHECK(strstr(rp.text, OMNIHEAP_TARGET_NAME) != NULL);
    OH_CHECK(strstr(rp.text, OMNIHEAP_PORT_NAME) != NULL);
  } else if (rp.lines == 1U) {
    OH_CHECK(strstr(rp.text, "capacity") != NULL);
    rp.cursor = omniheap_heap_next(NULL);
  } else if (rp.cursor != NULL) {
    check_heap_line(rp.text, rp.cursor);
    ++rp.heap_lines;
    rp.cursor = omniheap_heap_next(rp.cursor);
  } else if (!rp.totals_seen) {
    if (OH_CHECK(strncmp(rp.text, "total", 5) == 0)) check_totals_line(rp.text);
    else fail_line(rp.text, __LINE__);
    rp.totals_seen = 1;
  } else {
    /* only the registry-full warning may follow */
    OH_CHECK(omniheap_registry_dropped() != 0U);
    OH_CHECK(strstr(rp.text, "warning") != NULL);
  }
  ++rp.lines;
}

static void test_report_matches_stats_line_by_line(void) {
  fault_log_capture(&obs_faults, 1);
  if (build_mix()) {
    memset(&rp, 0, sizeof rp);
    omniheap_report_to(report_line, NULL);
    OH_CHECK_EQ_INT(rp.heap_lines, omniheap_heap_count());
    OH_CHECK(rp.totals_seen);
    OH_CHECK_EQ_INT(rp.lines, 3U + omniheap_heap_count() + (omniheap_registry_dropped() != 0U ? 1U : 0U));
    OH_CHECK_EQ_INT(rp.calls_without_newline, 0);
    OH_CHECK_EQ_INT(rp.bad, 0);
    /* the mix is in it: our heaps have blocks in use, failures, a fault */
    OH_CHECK(obs_stats(omniheap_heap_find(&rp_pool)).faults >= 1U);
    OH_CHECK(obs_stats(omniheap_heap_find(&rp_sys)).failed_allocations >= 1U);
  }
  free_mix();
  fault_log_release();
}

/* ---- family totals ------------------------------------------------------------------------------ */

static void add(omniheap_stats_t *sum, const omniheap_stats_t *s) {
  sum->capacity += s->capacity;
  sum->in_use += s->in_use;
  sum->peak += s->peak;
  sum->free_bytes += s->free_bytes;
  if (s->largest_free > sum->largest_free) sum->largest_free = s->largest_free;
  sum->live_blocks += s->live_blocks;
  sum->allocations += s->allocations;
  sum->frees += s->frees;
  sum->failed_allocations += s->failed_allocations;
  sum->faults += s->faults;
}

static void test_family_totals_are_sums_of_their_heaps(void) {
  int f;
  fault_log_capture(&obs_faults, 1);
  if (build_mix()) {
    for (f = OMNIHEAP_FAMILY_NONE; f <= OMNIHEAP_FAMILY_MMT + 1; ++f) {
      omniheap_stats_t want = OMNIHEAP_STATS_INIT, got;
      omniheap_heap_t *h;
      int heaps = 0;
      for (h = omniheap_heap_next(NULL); h != NULL; h = omniheap_heap_next(h)) {
        if ((int)omniheap_heap_family(h) != f) continue;
        omniheap_stats_t s = obs_stats(h);
        add(&want, &s);
        ++heaps;
      }
      memset(&got, 0x55, sizeof got);
      got.struct_size = sizeof got;
      OH_CHECK_EQ_INT(omniheap_family_totals((omniheap_family_t)f, &got), heaps);
      OH_CHECK_EQ_INT(got.struct_size, sizeof got);
      OH_CHECK_EQ_INT(got.capacity, want.capacity);
      OH_CHECK_EQ_INT(got.in_use, want.in_use);
      OH_CHECK_EQ_INT(got.peak, want.peak);
      OH_CHECK_EQ_INT(got.free_bytes, want.free_bytes);
      OH_CHECK_EQ_INT(got.largest_free, want.largest_free);
      OH_CHECK_EQ_INT(got.block_size, 0);
      OH_CHECK_EQ_INT(got.live_blocks, want.live_blocks);
      OH_CHECK(got.allocations == want.allocations);
      OH_CHECK(got.frees == want.frees);
      OH_CHECK(got.failed_allocations == want.failed_allocations);
      OH_CHECK(got.faults == want.faults);
      /* every family of the mix has at least one heap */
      if (f >= OMNIHEAP_FAMILY_MEMB && f <= OMNIHEAP_FAMILY_BUDDY && f != OMNIHEAP_FAMILY_MULTI_HEAP)
        OH_CHECK(heaps >= 1);
#ifdef RP_MMT
      if (f == OMNIHEAP_FAMILY_MMT) OH_CHECK_EQ_INT(heaps, 1);
#endif
    }
    {
      omniheap_stats_t s = OMNIHEAP_STATS_INIT;
      OH_CHECK_EQ_INT(omniheap_family_totals(OMNIHEAP_FAMILY_MEMB, NULL), OMNIHEAP_ERR_INVALID);
      s.struct_size = 1;
      OH_CHECK_EQ_INT(omniheap_family_totals(OMNIHEAP_FAMILY_MEMB, &s), OMNIHEAP_ERR_INVALID);
    }
  }
  free_mix();
  fault_log_release();
}

/* ---- walk and validate ----------------------------------------------------------------------------- */

struct walk_count {
  size_t used, free_n, blocks, user_bytes;
  uintptr_t last_end;
  unsigned out_of_order, outside, own_used, bad_size;
  int family;
  const void *mem; /* the heap's memory, where the suite knows it; else NULL */
  size_t bytes;
  size_t block_size; /* MEMB: every block has this size */
};

static int count_block(const omniheap_block_t *b, void *context) {
  struct walk_count *w = (struct walk_count *)context;
  unsigned i;
  ++w->blocks;
  if (b->used) {
    ++w->used;
    w->user_bytes += b->size;
    for (i = 0; i < n_live; ++i)
      if (live[i].p == b->address && live[i].family == w->family) ++w->own_used;
  } else {
    ++w->free_n;
  }
  if ((uintptr_t)b->address < w->last_end) ++w->out_of_order;
  w->last_end = (uintptr_t)b->address + b->size;
  if (w->mem != NULL && !oh_inside(b->address, b->size, w->mem, w->bytes)) ++w->outside;
  if (w->block_size != 0U && b->size != w->block_size) ++w->bad_size;
  return 0;
}

static unsigned live_of(int family) {
  unsigned i, n = 0;
  for (i = 0; i < n_live; ++i) n += live[i].family == family ? 1U : 0U;
  return n;
}

/* Every registered heap validates and walks; the walk lists live_blocks
 * used blocks in address order; for the heaps of the mix, inside their own
 * memory, and our blocks among them. */
static void test_walk_and_validate_every_heap(void) {
  omniheap_heap_t *h;
  unsigned heaps = 0;
  const void *shared[3] = {NULL, NULL, NULL};
  fault_log_capture(&obs_faults, 1);
  if (build_mix()) {
    shared[0] = omniheap_heap_object(obs_heapmem_handle());
    shared[1] = omniheap_heap_object(obs_emh_handle(obs_emh_id()));
#ifdef RP_MMT
    shared[2] = omniheap_heap_object(mmt_omniheap());
#endif
    for (h = omniheap_heap_next(NULL); h != NULL; h = omniheap_heap_next(h)) {
      struct walk_count w;
      omniheap_stats_t s = obs_stats(h);
      const void *obj = omniheap_heap_object(h);
      int rc;
      memset(&w, 0, sizeof w);
      w.family = (int)omniheap_heap_family(h);
      if (obj == &rp_pool) {
        w.mem = rp_pool.mem;
        w.bytes = (size_t)rp_pool.size * rp_pool.num;
        w.block_size = rp_pool.size;
      } else if (obj == &rp_sys) {
        w.mem = obs_scratch;
        w.bytes = RP_BYTES;
      } else if (obj == &rp_k) {
        w.mem = obs_scratch + RP_BYTES;
        w.bytes = RP_BYTES;
      } else if (obj == &rp_ff) {
        w.mem = obs_scratch + 2U * RP_BYTES;
        w.bytes = RP_BYTES;
      } else if (obj == &rp_bd) {
        w.mem = obs_scratch + 3U * RP_BYTES;
        w.bytes = RP_BYTES;
      }
      ++heaps;
      OH_CHECK_EQ_INT(omniheap_heap_validate(h), OMNIHEAP_OK);
      rc = omniheap_heap_walk(h, count_block, &w);
#if OMNIHEAP_CONF_MMT_BACKEND == 0
      /* MMT on the C library's malloc() has no blocks of its own to walk
       * (mmt.c checks its walk once it is on an arena). */
      if (w.family == OMNIHEAP_FAMILY_MMT && rc == OMNIHEAP_ERR_UNSUPPORTED) continue;
#endif
      if (!OH_CHECK_EQ_INT(rc, OMNIHEAP_OK)) {
        oh_test_note(omniheap_heap_name(h));
        continue;
      }
      if (!OH_CHECK_EQ_INT(w.used, s.live_blocks)) oh_test_note(omniheap_heap_name(h));
      OH_CHECK_EQ_INT(w.out_of_order, 0);
      OH_CHECK_EQ_INT(w.outside, 0);
      OH_CHECK_EQ_INT(w.bad_size, 0);
      if (w.mem != NULL) {
        OH_CHECK_EQ_INT(w.own_used, live_of(w.family));
        OH_CHECK_EQ_INT(w.used, live_of(w.family));
      }
      if (w.block_size != 0U) {
        OH_CHECK_EQ_INT(w.blocks, rp_pool.num);
        OH_CHECK_EQ_INT(w.used * w.block_size, s.in_use);
      }
      /* the shared heaps list our blocks among theirs */
      if (obj == shared[0] || obj == shared[1] || (shared[2] != NULL && obj == shared[2]))
        OH_CHECK_EQ_INT(w.own_used, live_of(w.family));
    }
    OH_CHECK_EQ_INT(heaps, omniheap_heap_count());
  }
  free_mix();
  fault_log_release();
}

/* After the mix is gone every heap still validates, and the shared heaps
 * are back where they were. */
static void test_mix_leaves_nothing_behind(void) {
  omniheap_heap_t *hm = obs_heapmem_handle();
  size_t hm0, emh0;
#ifdef RP_MMT
  size_t mmt0;
#endif
  int id = obs_emh_id();
  OH_REQUIRE(hm != NULL && id >= 0);
  hm0 = obs_in_use(hm);
  emh0 = obs_in_use(obs_emh_handle(id));
#ifdef RP_MMT
  mmt0 = obs_in_use(mmt_omniheap());
#endif
  fault_log_capture(&obs_faults, 1);
  if (build_mix()) {
    OH_CHECK(obs_in_use(hm) > hm0);
    OH_CHECK(obs_in_use(obs_emh_handle(id)) > emh0);
  }
  free_mix();
  fault_log_release();
  OH_CHECK_EQ_INT(obs_in_use(hm), hm0);
  OH_CHECK_EQ_INT(obs_in_use(obs_emh_handle(id)), emh0);
#ifdef RP_MMT
  OH_CHECK_EQ_INT(obs_in_use(mmt_omniheap()), mmt0);
#endif
  OH_CHECK_EQ_PTR(omniheap_heap_find(&rp_sys), NULL);
  OH_CHECK_EQ_PTR(omniheap_heap_find(&rp_pool), NULL);
}

void suite_report(void) {
  if (!obs_init()) return;
  OH_RUN(test_report_matches_stats_line_by_line);
  OH_RUN(test_family_totals_are_sums_of_their_heaps);
  OH_RUN(test_walk_and_validate_every_heap);
  OH_RUN(test_mix_leaves_nothing_behind);
}
