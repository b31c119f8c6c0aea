/*
 * Threads sharing MEMB pools in the locked build (OMNIHEAP_CONF_MEMB_LOCKED=1),
 * run under ThreadSanitizer by `make test`: no block is ever handed to two
 * threads at once, contents survive, and the pools are consistent at the end.
 */
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "lib/memb.h"
#include "oh_test.h"
#include "omniheap.h"

#define THREADS 4
#define OPS_PER_THREAD 100000
#define BLOCKS 64

struct msg {
  uint32_t owner;
  uint32_t serial;
  unsigned char payload[24];
};

MEMB(shared_pool, struct msg, BLOCKS);

struct worker {
  unsigned id;
  unsigned errors;
  unsigned allocs;
  unsigned full;
};

static uint32_t next_random(uint32_t *state) {
  *state ^= *state << 13;
  *state ^= *state >> 17;
  *state ^= *state << 5;
  return *state;
}

static void *work(void *arg) {
  struct worker *w = arg;
  struct msg *mine[BLOCKS];
  unsigned held = 0;
  uint32_t rng = 0x9E3779B9u * (w->id + 1);
  uint32_t serial = 0;
  int op;
  for (op = 0; op < OPS_PER_THREAD; ++op) {
    if (held == 0 || (held < BLOCKS && (next_random(&rng) & 1u))) {
      struct msg *m = memb_alloc(&shared_pool);
      if (m == NULL) {
        ++w->full;
        continue;
      }
      if (!memb_inmemb(&shared_pool, m)) ++w->errors;
      m->owner = w->id;
      m->serial = ++serial;
      memset(m->payload, (int)(w->id * 16u + (serial & 15u)), sizeof m->payload);
      mine[held++] = m;
      ++w->allocs;
    } else {
      unsigned k = next_random(&rng) % held;
      struct msg *m = mine[k];
      unsigned char expect = (unsigned char)(w->id * 16u + (m->serial & 15u));
      unsigned i;
      if (m->owner != w->id) ++w->errors; /* someone else got our block */
      for (i = 0; i < sizeof m->payload; ++i) {
        if (m->payload[i] != expect) {
          ++w->errors;
          break;
        }
      }
      if (memb_free(&shared_pool, m) != 0) ++w->errors;
      mine[k] = mine[--held];
    }
  }
  while (held > 0) {
    if (memb_free(&shared_pool, mine[--held]) != 0) ++w->errors;
  }
  return NULL;
}

static void test_threads_share_a_locked_pool(void) {
  pthread_t t[THREADS];
  struct worker w[THREADS];
  omniheap_stats_t s = OMNIHEAP_STATS_INIT;
  unsigned i, total_allocs = 0;
  memb_init(&shared_pool);
  for (i = 0; i < THREADS; ++i) {
    memset(&w[i], 0, sizeof w[i]);
    w[i].id = i + 1;
    OH_REQUIRE(pthread_create(&t[i], NULL, work, &w[i]) == 0);
  }
  for (i = 0; i < THREADS; ++i) {
    pthread_join(t[i], NULL);
    OH_CHECK_EQ_INT(w[i].errors, 0);
    total_allocs += w[i].allocs;
  }
  OH_CHECK_EQ_INT(memb_numfree(&shared_pool), BLOCKS);
  OH_CHECK_EQ_INT(omniheap_heap_validate(omniheap_heap_find(&shared_pool)), OMNIHEAP_OK);
  OH_REQUIRE(omniheap_heap_stats(omniheap_heap_find(&shared_pool), &s) == OMNIHEAP_OK);
  OH_CHECK_EQ_INT(s.allocations, total_allocs);
  OH_CHECK_EQ_INT(s.frees, total_allocs);
  OH_CHECK_EQ_INT(s.live_blocks, 0);
  OH_CHECK(s.peak <= (size_t)BLOCKS * sizeof(struct msg));
}

int main(void) {
#if OMNIHEAP_CONF_MEMB_LOCKED
  OH_RUN(test_threads_share_a_locked_pool);
#else
  (void)test_threads_share_a_locked_pool;
  oh_test_note("skipped: MEMB is unlocked in this build (OMNIHEAP_CONF_MEMB_LOCKED=0)");
#endif
  return oh_test_summary();
}
