/*
 * MMT ("mmt_core.h", "memory.h") shared by four threads, run on the host and
 * under ThreadSanitizer by `make test`.
 *
 * Each thread does random mmt_malloc() / mmt_realloc() / mmt_free() calls
 * (0-byte requests, realloc from NULL and to 0 included) on blocks it owns,
 * filling every block with a pattern of its own and checking it before each
 * realloc and free. The threads stop together at barriers; there, and at
 * the end, the main thread checks what memory.h promises exactly:
 * mmt_meminfo()'s allocated - freed equals the sum over the threads of the
 * bytes they requested for their live blocks, and equals the registry's
 * in_use of the MMT heap; live_blocks is the number of blocks they hold.
 *
 * Two listeners (omniheap.h) run meanwhile: one counts the operation events,
 * which must equal the successful calls of the threads, checks each event's
 * byte arithmetic, and checks that the events form one chain (each event's
 * previous_in_use is the in_use of the event before: events of one heap
 * reach a listener in the order of its operations); the other has a
 * threshold with hysteresis, whose ABOVE and BELOW events must alternate
 * and agree with omniheap_listener_above() and with in_use at the barriers.
 *
 * Expectations come from mmt_core.h, memory.h and omniheap.h.
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <stdio.h>

#include "memory.h"
#include "mmt_core.h"
#include "oh_test.h"
#include "omniheap.h"

#define THREADS 4
#define ROUNDS 10
#define OPS_PER_ROUND 12000
#define SLOTS 48
#define THRESHOLD (40U * 1024U)
#define HYSTERESIS (12U * 1024U)

struct slot {
  unsigned char *p;
  size_t size;     /* bytes requested */
  uint32_t serial; /* pattern of the block */
};

struct worker {
  unsigned id;
  struct slot slot[SLOTS];
  /* written by the worker, read by main only between barriers */
  size_t live_bytes;
  size_t live_blocks;
  uint64_t allocs, frees, reallocs, nulls;
  unsigned errors;
};

static pthread_barrier_t round_end, round_start;
static struct worker workers[THREADS];

/* ---- listeners ------------------------------------------------------------------------------------ */

static struct {
  atomic_ulong alloc, free_, realloc_, failed, fault, other;
  atomic_ulong bad_bytes, bad_chain, bad_heap;
  atomic_size_t last_in_use;
  atomic_int chain_started;
} ops;

static struct {
  atomic_ulong above, below, bad; /* bad: a repeated kind, or a crossing on the wrong side */
  atomic_int last; /* 0 none, else the last kind */
} cond;

static omniheap_heap_t *mmt_heap;

static void on_operation(const omniheap_event_t *e, void *context) {
  (void)context;
  if (e->heap != mmt_heap || e->family != OMNIHEAP_FAMILY_MMT) atomic_fetch_add(&ops.bad_heap, 1);
  switch (e->kind) {
  case OMNIHEAP_EVENT_ALLOC:
    atomic_fetch_add(&ops.alloc, 1);
    if (e->in_use != e->previous_in_use + e->bytes || e->bytes != e->size) atomic_fetch_add(&ops.bad_bytes, 1);
    break;
  case OMNIHEAP_EVENT_FREE:
    atomic_fetch_add(&ops.free_, 1);
    if (e->in_use + e->bytes != e->previous_in_use) atomic_fetch_add(&ops.bad_bytes, 1);
    break;
  case OMNIHEAP_EVENT_REALLOC:
    atomic_fetch_add(&ops.realloc_, 1);
    if (e->in_use + e->old_bytes != e->previous_in_use + e->bytes || e->bytes != e->size)
      atomic_fetch_add(&ops.bad_bytes, 1);
    break;
  case OMNIHEAP_EVENT_ALLOC_FAILED: atomic_fetch_add(&ops.failed, 1); return;
  case OMNIHEAP_EVENT_FAULT: atomic_fetch_add(&ops.fault, 1); return;
  default: atomic_fetch_add(&ops.other, 1); return;
  }
  /* one chain: this operation starts where the previous one ended */
  if (atomic_load(&ops.chain_started) && atomic_load(&ops.last_in_use) != e->previous_in_use)
    atomic_fetch_add(&ops.bad_chain, 1);
  atomic_store(&ops.last_in_use, e->in_use);
  atomic_store(&ops.chain_started, 1);
}

static void on_condition(const omniheap_event_t *e, void *context) {
  (void)context;
  if (e->kind == OMNIHEAP_EVENT_ABOVE) {
    atomic_fetch_add(&cond.above, 1);
    if (e->in_use < THRESHOLD) atomic_fetch_add(&cond.bad, 1);
  } else if (e->kind == OMNIHEAP_EVENT_BELOW) {
    atomic_fetch_add(&cond.below, 1);
    if (e->in_use >= THRESHOLD - HYSTERESIS) atomic_fetch_add(&cond.bad, 1);
  } else {
    return;
  }
  if (atomic_load(&cond.last) == (int)e->kind) atomic_fetch_add(&cond.bad, 1);
  atomic_store(&cond.last, (int)e->kind);
}

/* ---- workers --------------------------------------------------------------------------------------- */

static uint32_t next_random(uint32_t *state) {
  *state ^= *state << 13;
  *state ^= *state >> 17;
  *state ^= *state << 5;
  return *state;
}

static unsigned char pattern(unsigned id, uint32_t serial, size_t i) {
  return (unsigned char)(id * 31U + serial * 7U + (unsigned)i * 13U + 1U);
}

static void fill(struct worker *w, struct slot *s, size_t from) {
  size_t i;
  for (i = from; i < s->size; ++i) s->p[i] = pattern(w->id, s->serial, i);
}

static int intact(const struct worker *w, const struct slot *s, size_t n) {
  size_t i;
  for (i = 0; i < n && i < s->size; ++i)
    if (s->p[i] != pattern(w->id, s->serial, i)) return 0;
  return 1;
}

static size_t random_size(uint32_t *rng) {
  uint32_t r = next_random(rng);
  if ((r & 63U) == 0U) return 0;                          /* 0 bytes */
  if ((r & 63U) == 1U) return 2048U + (r >> 8) % 6144U;   /* large */
  return 1U + (r >> 8) % 400U;
}

static void one_op(struct worker *w, uint32_t *rng, uint32_t *serial) {
  unsigned k = next_random(rng) % SLOTS;
  struct slot *s = &w->slot[k];
  uint32_t choice = next_random(rng) % 8U;
  if (s->p == NULL) {
    size_t n = random_size(rng);
    if (choice >= 6U && n == 0U) {
      /* realloc(NULL, 0): NULL, nothing happens */
      if (mmt_realloc(NULL, 0) != NULL) ++w->errors;
      ++w->nulls;
      return;
    }
    /* malloc, or realloc from NULL (the same as malloc) */
    s->p = (unsigned char *)(choice < 6U ? mmt_malloc(n) : mmt_realloc(NULL, n));
    if (s->p == NULL) {
      ++w->errors;
      return;
    }
    if ((uintptr_t)s->p % _Alignof(max_align_t) != 0U) ++w->errors;
    s->size = n;
    s->serial = ++*serial;
    fill(w, s, 0);
    w->live_bytes += n;
    ++w->live_blocks;
    ++w->allocs;
    return;
  }
  if (!intact(w, s, s->size)) ++w->errors;
  if (choice < 3U) {
    mmt_free(s->p);
    ++w->frees;
  } else if (choice == 3U) {
    if (mmt_realloc(s->p, 0) != NULL) ++w->errors; /* a free */
    ++w->frees;
  } else {
    size_t n = random_size(rng);
    unsigned char *q;
    if (n == 0U) n = 1U; /* realloc(p, 0) is a free: done above */
    q = (unsigned char *)mmt_realloc(s->p, n);
    if (q == NULL) {
      ++w->errors;
      return;
    }
    if (n <= s->size && q != s->p) ++w->errors; /* a shrink stays in place */
    s->p = q;
    if (!intact(w, s, n)) ++w->errors; /* the smaller of both sizes kept */
    w->live_bytes += n;
    w->live_bytes -= s->size;
    {
      size_t old = s->size;
      s->size = n;
      if (n > old) fill(w, s, old); /* the pattern stays the block's */
    }
    ++w->reallocs;
    return;
  }
  w->live_bytes -= s->size;
  --w->live_blocks;
  s->p = NULL;
  s->size = 0;
}

static void *work(void *arg) {
  struct worker *w = (struct worker *)arg;
  uint32_t rng = 0x9E3779B9u * (w->id + 7U), serial = 0;
  unsigned round, op, k;
  for (round = 0; round < ROUNDS; ++round) {
    pthread_barrier_wait(&round_start);
    for (op = 0; op < OPS_PER_ROUND; ++op) one_op(w, &rng, &serial);
    pthread_barrier_wait(&round_end);
  }
  pthread_barrier_wait(&round_start); /* the final check is done */
  for (k = 0; k < SLOTS; ++k) {
    struct slot *s = &w->slot[k];
    if (s->p == NULL) continue;
    if (!intact(w, s, s->size)) ++w->errors;
    mmt_free(s->p);
    ++w->frees;
    w->live_bytes -= s->size;
    --w->live_blocks;
    s->p = NULL;
  }
  return NULL;
}

/* ---- checks ----------------------------------------------------------------------------------------- */

static mmt_meminfo_t m0;
static omniheap_stats_t s0;
static omniheap_listener_t l_ops, l_cond;

/* At a barrier (threads stopped): the counters match what the threads hold. */
static void check_quiet(const char *where) {
  mmt_meminfo_t m;
  omniheap_stats_t s = OMNIHEAP_STATS_INIT;
  size_t live = 0, blocks = 0;
  uint64_t allocs = 0, frees = 0, reallocs = 0;
  unsigned i, failures = oh_test_case_failures();
  unsigned long a, b;
  int above;
  for (i = 0; i < THREADS; ++i) {
    live += workers[i].live_bytes;
    blocks += workers[i].live_blocks;
    allocs += workers[i].allocs;
    frees += workers[i].frees;
    reallocs += workers[i].reallocs;
    OH_CHECK_EQ_INT(workers[i].errors, 0);
  }
  memset(&m, 0, sizeof m);
  mmt_meminfo(&m);
  OH_CHECK(omniheap_heap_stats(mmt_heap, &s) == OMNIHEAP_OK);
  OH_CHECK_EQ_INT((m.allocated - m.freed) - (m0.allocated - m0.freed), live);
  OH_CHECK_EQ_INT(s.in_use - s0.in_use, live);
  OH_CHECK_EQ_INT(m.allocated - m.freed, s.in_use);
  OH_CHECK_EQ_INT(s.live_blocks - s0.live_blocks, blocks);
  OH_CHECK(s.peak >= s.in_use);
  OH_CHECK_EQ_INT(s.failed_allocations, s0.failed_allocations);
  OH_CHECK_EQ_INT(s.faults, s0.faults);
  OH_CHECK_EQ_INT(omniheap_heap_validate(mmt_heap), OMNIHEAP_OK);
  /* the events: one per successful call */
  OH_CHECK_EQ_INT(atomic_load(&ops.alloc), allocs);
  OH_CHECK_EQ_INT(atomic_load(&ops.free_), frees);
  OH_CHECK_EQ_INT(atomic_load(&ops.realloc_), reallocs);
  OH_CHECK_EQ_INT(atomic_load(&ops.failed), 0);
  OH_CHECK_EQ_INT(atomic_load(&ops.fault), 0);
  OH_CHECK_EQ_INT(atomic_load(&ops.other), 0);
  OH_CHECK_EQ_INT(atomic_load(&ops.bad_bytes), 0);
  OH_CHECK_EQ_INT(atomic_load(&ops.bad_chain), 0);
  OH_CHECK_EQ_INT(atomic_load(&ops.bad_heap), 0);
  if (atomic_load(&ops.chain_started)) OH_CHECK_EQ_INT(atomic_load(&ops.last_in_use), s.in_use);
  /* the conditions alternate and agree with the state */
  a = atomic_load(&cond.above);
  b = atomic_load(&cond.below);
  OH_CHECK_EQ_INT(atomic_load(&cond.bad), 0);
  OH_CHECK(a == b || a == b + 1U);
  above = omniheap_listener_above(&l_cond, NULL);
  if (a + b > 0U) OH_CHECK_EQ_INT(above, a == b + 1U ? 1 : 0);
  if (s.in_use >= THRESHOLD) OH_CHECK_EQ_INT(above, 1);
  if (s.in_use < THRESHOLD - HYSTERESIS) OH_CHECK(above != 1);
  if (oh_test_case_failures() != failures) oh_test_note(where);
}

static void test_mmt_shared_by_threads(void) {
  pthread_t t[THREADS];
  unsigned i, round;
  mmt_heap = mmt_omniheap();
  OH_REQUIRE(mmt_heap != NULL);
  memset(&m0, 0, sizeof m0);
  mmt_meminfo(&m0);
  s0.struct_size = sizeof s0;
  OH_REQUIRE(omniheap_heap_stats(mmt_heap, &s0) == OMNIHEAP_OK);
  OH_CHECK_EQ_INT(m0.allocated - m0.freed, s0.in_use);
  OH_REQUIRE(mmt_listen(&l_ops, OMNIHEAP_ON_OPERATIONS | OMNIHEAP_ON_FAILURE | OMNIHEAP_ON_FAULT, 0, 0,
                        on_operation, NULL) == OMNIHEAP_OK);
  OH_REQUIRE(mmt_listen(&l_cond, OMNIHEAP_ON_THRESHOLD, THRESHOLD, HYSTERESIS, on_condition, NULL) ==
             OMNIHEAP_OK);
  OH_REQUIRE(pthread_barrier_init(&round_start, NULL, THREADS + 1) == 0);
  OH_REQUIRE(pthread_barrier_init(&round_end, NULL, THREADS + 1) == 0);
  for (i = 0; i < THREADS; ++i) {
    memset(&workers[i], 0, sizeof workers[i]);
    workers[i].id = i + 1U;
    OH_REQUIRE(pthread_create(&t[i], NULL, work, &workers[i]) == 0);
  }
  for (round = 0; round < ROUNDS; ++round) {
    pthread_barrier_wait(&round_start);
    pthread_barrier_wait(&round_end);
    check_quiet(round == 0U ? "after round 1" : "after a later round");
  }
  OH_CHECK(atomic_load(&cond.above) > 1U); /* the threshold was crossed, both ways */
  {
    char note[120];
    snprintf(note, sizeof note, "%lu operation events, %lu crossings above, %lu below",
             atomic_load(&ops.alloc) + atomic_load(&ops.free_) + atomic_load(&ops.realloc_),
             atomic_load(&cond.above), atomic_load(&cond.below));
    oh_test_note(note);
  }
  pthread_barrier_wait(&round_start); /* let them free everything */
  for (i = 0; i < THREADS; ++i) pthread_join(t[i], NULL);
  check_quiet("at the end");
  {
    omniheap_stats_t s = OMNIHEAP_STATS_INIT;
    OH_CHECK(omniheap_heap_stats(mmt_heap, &s) == OMNIHEAP_OK);
    OH_CHECK_EQ_INT(s.in_use, s0.in_use);
    OH_CHECK_EQ_INT(s.live_blocks, s0.live_blocks);
  }
  OH_CHECK_EQ_INT(omniheap_listener_unregister(&l_ops), OMNIHEAP_OK);
  OH_CHECK_EQ_INT(omniheap_listener_unregister(&l_cond), OMNIHEAP_OK);
  pthread_barrier_destroy(&round_start);
  pthread_barrier_destroy(&round_end);
}

int main(void) {
  OH_RUN(test_mmt_shared_by_threads);
  return oh_test_summary();
}
