/*
 * Memory pressure watch: an omniheap threshold listener per watched heap.
 *
 * The listener fires OMNIHEAP_EVENT_ABOVE when the heap's bytes in use reach
 * GW_PRESSURE_HIGH % of its budget, and OMNIHEAP_EVENT_BELOW once they have
 * fallen under GW_PRESSURE_LOW % (the hysteresis keeps a heap that hovers
 * around the threshold from flapping). The callback runs inside the
 * allocator call that crossed the line, with the heap locked: it only
 * records the new state. The owner of the heap polls it and sheds load.
 */
#include <stdio.h>

#include "gateway.h"

void pressure_watch_init(struct pressure_watch *w, const char *name, size_t budget) {
  w->name = name;
  w->budget = budget;
  w->high = budget * GW_PRESSURE_HIGH / 100u;
  w->low = budget * GW_PRESSURE_LOW / 100u;
  w->above = 0;
  w->in_use_above = 0;
  w->in_use_below = 0;
  w->reported = 0;
}

void pressure_on_crossing(const omniheap_event_t *event, void *context) {
  struct pressure_watch *w = context;
  /* No allocation, no printf, no omniheap_heap_stats() here: just note it. */
  if (event->kind == OMNIHEAP_EVENT_ABOVE) {
    w->in_use_above = event->in_use;
    w->above = 1;
  } else {
    w->in_use_below = event->in_use;
    w->above = 0;
  }
}

int pressure_watch_start(struct pressure_watch *w, omniheap_heap_t *heap, const char *name) {
  if (heap == NULL) return OMNIHEAP_ERR_NOT_FOUND; /* (NULL would mean: every heap) */
  pressure_watch_init(w, name, omniheap_heap_capacity(heap));
  return omniheap_listener_register(&w->listener, heap, OMNIHEAP_ON_THRESHOLD, w->high, w->high - w->low,
                                    pressure_on_crossing, w);
}

int pressure_poll(struct pressure_watch *w) {
  int above = w->above;
  if (above == w->reported) return 0;
  w->reported = above;
  return 1;
}

void pressure_log(const struct pressure_watch *w, uint32_t now, const char *action) {
  size_t in_use = w->reported ? w->in_use_above : w->in_use_below;
  printf("pressure: %s %s %u%% (%lu of %lu bytes) at round %lu: %s\n", w->name,
         w->reported ? "above" : "below", w->reported ? GW_PRESSURE_HIGH : GW_PRESSURE_LOW,
         (unsigned long)in_use, (unsigned long)w->budget, (unsigned long)now, action);
}
