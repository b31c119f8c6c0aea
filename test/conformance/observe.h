/* Helpers shared by the observation suites (listeners.c, report.c,
 * trace.c, mmt.c): a scratch region for heaps that live only during one test
 * case, an event recorder for native listeners, one fault log, statistics
 * shorthands and a reference model of threshold crossings.
 *
 * Memory: these suites share one image on the MCU targets, whose smallest
 * part (Cortex-M0) has 16 KiB of RAM, most of it taken by the heapmem arena
 * and MMT's built-in arena that the suites need anyway. So the scratch
 * region, the event logs and the emh region are static on hosted builds but
 * carved, on the other targets, out of one heapmem block that obs_init()
 * allocates once and never frees (the heapmem arena is otherwise idle in
 * that image; the cases on heapmem count deltas, so one more block in use
 * changes nothing for them). Every suite calls obs_init() first.
 *
 * A test case builds its heaps on the scratch region and takes them out of
 * the registry before it returns.
 */
#ifndef OH_OBSERVE_H
#define OH_OBSERVE_H

#include <stddef.h>
#include <stdint.h>

#include "fault_log.h"
#include "omniheap.h"

#if UINTPTR_MAX > 0xFFFFFFFFu
#define OBS_SCRATCH_BYTES 6144U
#else
#define OBS_SCRATCH_BYTES 1536U
#endif

/* ---- event recorder ------------------------------------------------------------------------- */

/* One recorded event (the fields of omniheap_event_t; the enumerations in
 * bytes). */
struct obs_event {
  omniheap_heap_t *heap;
  const void *object;
  void *pointer;
  void *old_pointer;
  size_t size;
  size_t bytes;
  size_t old_bytes;
  size_t previous_in_use;
  size_t in_use;
  size_t peak;
  size_t threshold;
  unsigned char kind, family, fault;
};

#define OBS_MAX_EVENTS 8
struct obs_log {
  unsigned count;                 /* every call, also those past OBS_MAX_EVENTS */
  unsigned per_kind[9];           /* calls per event kind (1 ... 8) */
  struct obs_event ev[OBS_MAX_EVENTS];
};

/* ---- shared memory ---------------------------------------------------------------------------- */

/* Sets the shared memory up (idempotent); 1 if it is there. */
int obs_init(void);
/* The scratch region: OBS_SCRATCH_BYTES, 8-aligned (16 on 64-bit hosts). */
unsigned char *obs_scratch_area(void);
#define obs_scratch (obs_scratch_area())
/* Two event logs. */
struct obs_log *obs_log_area(void);
#define obs_logs (obs_log_area())
/* One fault log for the suites' recording handler. */
extern struct fault_log obs_faults;

/* Listener callback; `context` is a struct obs_log. Records only (the
 * callback rules of omniheap.h: no stats, no allocation). */
void obs_record(const omniheap_event_t *event, void *context);
void obs_clear(struct obs_log *log);
/* Number of events of `kind` (all calls, also those past OBS_MAX_EVENTS). */
unsigned obs_kind_count(const struct obs_log *log, omniheap_event_kind_t kind);
/* Index of the n-th (0-based) recorded event of `kind`, or -1. */
int obs_find(const struct obs_log *log, omniheap_event_kind_t kind, unsigned n);

/* ---- statistics shorthands ------------------------------------------------------------------- */

/* The heap's statistics (all fields 0xEE.. on failure, recorded as a failed check). */
omniheap_stats_t obs_stats(const omniheap_heap_t *heap);
size_t obs_in_use(const omniheap_heap_t *heap);
/* Removes `object`'s heap from the registry if it is there. */
void obs_forget(const void *object);

/* Reference model of the threshold conditions of one listener on one heap,
 * from omniheap.h: the state is learnt from the bytes in use before the
 * first operation; ABOVE when in use reaches the threshold from below,
 * BELOW when it then falls under threshold - hysteresis (never if the
 * hysteresis exceeds the threshold). */
struct obs_model {
  int known, above;
  size_t threshold, hysteresis;
};
void obs_model_init(struct obs_model *m, size_t threshold, size_t hysteresis);
/* The condition (OMNIHEAP_EVENT_ABOVE, OMNIHEAP_EVENT_BELOW or 0) an
 * operation from `before` to `after` bytes in use causes. */
int obs_model_step(struct obs_model *m, size_t before, size_t after);

/* ---- heaps shared by the observation suites --------------------------------------------------- */

/* Id of an emh heap the suites may use (and leave empty): heap 0 when it
 * exists already (the emh suite ran earlier in this program), else one
 * created on a region of observe.c (emh heaps can never be destroyed);
 * -1 if there is none. */
int obs_emh_id(void);
/* Registry handle of emh heap `id` ("emh<id>"), or NULL. */
omniheap_heap_t *obs_emh_handle(int id);
/* Registry handle of the heapmem arena (it registers on first use), or NULL. */
omniheap_heap_t *obs_heapmem_handle(void);

#endif
