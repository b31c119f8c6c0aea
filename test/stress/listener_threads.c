/*
 * Listeners under threads (host; run under ThreadSanitizer by `make test`,
 * in the locked-tsan build).
 *
 *   stress-listener_threads [OPS]
 *       OPS per worker (default 1000000; 100000 under TSan)
 *
 * Four workers allocate and free random blocks (16..400 bytes, at most 24
 * live each) on one shared k_heap of 32 KiB, whose lock serialises them.
 * Registered on that heap meanwhile:
 *   - a threshold listener (ABOVE/BELOW at 8 KiB, hysteresis 2 KiB), which
 *     records every crossing with the event's bytes in use;
 *   - an operations listener (ALLOC/FREE/REALLOC/ALLOC_FAILED) that sums
 *     the bytes each event adds or gives back, and counts events;
 *   - a listener on every heap for PEAK.
 * Callbacks run with the heap's lock held, so they need no lock of their
 * own; TSan checks that claim.
 *
 * Checked after the workers are joined:
 *   - crossings alternate ABOVE, BELOW, ABOVE ... starting with ABOVE (the
 *     heap starts empty); every ABOVE saw in_use >= 8192 and the previous
 *     value under it, every BELOW in_use < 6144; at least one crossing each
 *     way happened (the workload swings across the threshold);
 *   - the listener's final state (omniheap_listener_above) agrees with the
 *     heap's bytes in use and the last crossing;
 *   - the operations listener counted exactly the successful allocations
 *     and frees the workers counted, and the sum of bytes added minus bytes
 *     given back equals the heap's bytes in use (statistics), which is 0
 *     once the workers freed everything;
 *   - failed allocations seen by the listener == the heap's failed
 *     allocations counter;
 *   - PEAK events: their last in_use is the heap's peak.
 * Closing line: "N passed, N failed".
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zephyr/kernel.h>

#include "oh_test.h"
#include "omniheap.h"

#define WORKERS 4
#define LIVE 24
#define THRESHOLD 8192U
#define HYSTERESIS 2048U
#define MAX_CROSSINGS 100000

K_HEAP_DEFINE(lt_heap, 32768);

static long ops_per_worker = UNDER_TSAN ? 100000 : 1000000;

/* Written by callbacks only, under the heap's lock. */
static struct crossing {
  int kind;
  size_t before, after;
} crossings[MAX_CROSSINGS];
static size_t n_crossings, lost_crossings;
static unsigned long long ev_allocs, ev_frees, ev_reallocs, ev_failed;
static unsigned long long ev_added, ev_returned;
static size_t last_peak_event;
static unsigned long peak_events;

static void on_threshold(const omniheap_event_t *e, void *context) {
  (void)context;
  if (n_crossings < MAX_CROSSINGS) {
    crossings[n_crossings].kind = e->kind;
    crossings[n_crossings].before = e->previous_in_use;
    crossings[n_crossings].after = e->in_use;
    ++n_crossings;
  } else {
    ++lost_crossings;
  }
}

static void on_operation(const omniheap_event_t *e, void *context) {
  (void)context;
  switch (e->kind) {
  case OMNIHEAP_EVENT_ALLOC:
    ++ev_allocs;
    ev_added += e->bytes;
    break;
  case OMNIHEAP_EVENT_FREE:
    ++ev_frees;
    ev_returned += e->bytes;
    break;
  case OMNIHEAP_EVENT_REALLOC:
    ++ev_reallocs;
    ev_added += e->bytes;
    ev_returned += e->old_bytes;
    break;
  case OMNIHEAP_EVENT_ALLOC_FAILED: ++ev_failed; break;
  default: break;
  }
}

static void on_peak(const omniheap_event_t *e, void *context) {
  (void)context;
  if (e->object != &lt_heap) return;
  ++peak_events;
  last_peak_event = e->in_use;
}

struct worker {
  unsigned seed;
  unsigned long allocs, frees, failed;
  void *live[LIVE];
};

static unsigned next_rand(unsigned *s) {
  *s = *s * 1103515245U + 12345U;
  return (*s >> 8) & 0xFFFFFFU;
}

static void *work(void *arg) {
  struct worker *w = (struct worker *)arg;
  long i;
  /* Waves: each worker fills towards LIVE blocks then drains, so that the
   * heap swings across the threshold many times. */
  for (i = 0; i < ops_per_worker; ++i) {
    const int filling = (i / 3000) % 2 == 0;
    const unsigned r = next_rand(&w->seed);
    const int k = (int)(r % LIVE);
    if (w->live[k] != NULL && (!filling || r % 4U == 0U)) {
      k_heap_free(&lt_heap, w->live[k]);
      w->live[k] = NULL;
      ++w->frees;
    } else if (w->live[k] == NULL && (filling || r % 4U == 0U)) {
      const size_t size = 16U + (r >> 5) % 385U;
      w->live[k] = k_heap_alloc(&lt_heap, size, K_NO_WAIT);
      if (w->live[k] != NULL) {
        memset(w->live[k], (int)(k + 1), size);
        ++w->allocs;
      } else {
        ++w->failed;
      }
    }
  }
  for (i = 0; i < LIVE; ++i) {
    if (w->live[i] != NULL) {
      k_heap_free(&lt_heap, w->live[i]);
      w->live[i] = NULL;
      ++w->frees;
    }
  }
  return NULL;
}

static struct worker workers[WORKERS];
static omniheap_listener_t threshold_listener, operations_listener, peak_listener;

static void test_threads_with_listeners(void) {
  pthread_t threads[WORKERS];
  omniheap_heap_t *heap;
  omniheap_stats_t s = OMNIHEAP_STATS_INIT;
  unsigned long allocs = 0, frees = 0, failed = 0;
  size_t i, aboves = 0, belows = 0;
  int t;
  /* First use sets the heap up (no allocation left behind). */
  k_heap_free(&lt_heap, k_heap_alloc(&lt_heap, 8, K_NO_WAIT));
  heap = omniheap_heap_find(&lt_heap);
  OH_REQUIRE(heap != NULL);
  OH_REQUIRE(omniheap_heap_stats(heap, &s) == OMNIHEAP_OK);
  OH_REQUIRE(s.in_use == 0U);
  const uint64_t failed_before = s.failed_allocations;
  OH_REQUIRE(omniheap_listener_register(&threshold_listener, heap, OMNIHEAP_ON_THRESHOLD, THRESHOLD, HYSTERESIS,
                                        on_threshold, NULL) == OMNIHEAP_OK);
  OH_REQUIRE(omniheap_listener_register(&operations_listener, heap,
                                        OMNIHEAP_ON_OPERATIONS | OMNIHEAP_ON_FAILURE, 0, 0, on_operation,
                                        NULL) == OMNIHEAP_OK);
  OH_REQUIRE(omniheap_listener_register(&peak_listener, NULL, OMNIHEAP_ON_PEAK, 0, 0, on_peak, NULL) ==
             OMNIHEAP_OK);
  omniheap_heap_reset_peak(heap);
  for (t = 0; t < WORKERS; ++t) {
    workers[t].seed = 0x9E3779B9U * (unsigned)(t + 1);
    OH_REQUIRE(pthread_create(&threads[t], NULL, work, &workers[t]) == 0);
  }
  for (t = 0; t < WORKERS; ++t) pthread_join(threads[t], NULL);
  omniheap_listener_unregister(&operations_listener);
  omniheap_listener_unregister(&peak_listener);

  for (t = 0; t < WORKERS; ++t) {
    allocs += workers[t].allocs;
    frees += workers[t].frees;
    failed += workers[t].failed;
  }
  s.struct_size = sizeof s;
  OH_REQUIRE(omniheap_heap_stats(heap, &s) == OMNIHEAP_OK);
  printf("  %lu allocations, %lu frees, %lu failed; %lu crossings; peak %lu bytes\n", allocs, frees, failed,
         (unsigned long)n_crossings, (unsigned long)s.peak);

  /* Crossings alternate, each one real. */
  OH_CHECK_EQ_INT(lost_crossings, 0);
  for (i = 0; i < n_crossings; ++i) {
    const struct crossing *c = &crossings[i];
    const int want = i % 2U == 0U ? OMNIHEAP_EVENT_ABOVE : OMNIHEAP_EVENT_BELOW;
    if (!OH_CHECK_EQ_INT(c->kind, want)) break;
    if (c->kind == OMNIHEAP_EVENT_ABOVE) {
      ++aboves;
      OH_CHECK(c->after >= THRESHOLD);
    } else {
      ++belows;
      OH_CHECK(c->after < THRESHOLD - HYSTERESIS);
    }
  }
  OH_CHECK(aboves >= 2U && belows >= 2U);
  /* Everything was freed: the last crossing is BELOW, and the state says so. */
  OH_CHECK_EQ_INT(s.in_use, 0);
  OH_CHECK(n_crossings % 2U == 0U);
  OH_CHECK_EQ_INT(omniheap_listener_above(&threshold_listener, NULL), 0);
  omniheap_listener_unregister(&threshold_listener);

  /* The operations listener saw exactly the workers' operations. */
  OH_CHECK_EQ_INT(ev_allocs, allocs);
  OH_CHECK_EQ_INT(ev_frees, frees);
  OH_CHECK_EQ_INT(ev_reallocs, 0);
  OH_CHECK_EQ_INT(ev_failed, failed);
  OH_CHECK_EQ_INT(s.failed_allocations - failed_before, failed);
  OH_CHECK_EQ_INT(ev_added - ev_returned, s.in_use);
  /* The last PEAK event is the heap's peak. */
  OH_CHECK(peak_events > 0U);
  OH_CHECK_EQ_INT(last_peak_event, s.peak);
  OH_CHECK_EQ_INT(omniheap_heap_validate(heap), OMNIHEAP_OK);
}

int main(int argc, char **argv) {
  if (argc > 1) ops_per_worker = atol(argv[1]);
  OH_RUN(test_threads_with_listeners);
  return oh_test_summary();
}
