/* Helpers shared by the observation suites (observe.h). */
#include "observe.h"

#include <string.h>

#include "emh_malloc.h"
#include "lib/heapmem.h"
#include "oh_test.h"

#define OBS_EMH_BYTES 384U
#define OBS_LOGS_BYTES ((2U * sizeof(struct obs_log) + 15U) / 16U * 16U)

struct fault_log obs_faults;

#if defined(OH_HOSTED) && OH_HOSTED
static union {
  unsigned char b[OBS_SCRATCH_BYTES];
  uint64_t align8;
  void *alignp;
  long double alignld;
} scratch;
static struct obs_log logs[2];
static union {
  unsigned char b[OBS_EMH_BYTES];
  uint64_t align8;
} emh_mem;

int obs_init(void) { return 1; }
unsigned char *obs_scratch_area(void) { return scratch.b; }
struct obs_log *obs_log_area(void) { return logs; }
static unsigned char *emh_region(void) { return emh_mem.b; }
#else
/* One heapmem block: scratch, then the logs, then the emh region. */
static unsigned char *carved;

int obs_init(void) {
  if (carved == NULL) {
    carved = (unsigned char *)heapmem_alloc(OBS_SCRATCH_BYTES + OBS_LOGS_BYTES + OBS_EMH_BYTES);
    if (!OH_CHECK(carved != NULL)) return 0;
    memset(carved, 0, OBS_SCRATCH_BYTES + OBS_LOGS_BYTES + OBS_EMH_BYTES);
  }
  return 1;
}
unsigned char *obs_scratch_area(void) { return carved; }
struct obs_log *obs_log_area(void) {
  return (struct obs_log *)(void *)(carved + OBS_SCRATCH_BYTES);
}
static unsigned char *emh_region(void) { return carved + OBS_SCRATCH_BYTES + OBS_LOGS_BYTES; }
#endif

void obs_record(const omniheap_event_t *event, void *context) {
  struct obs_log *log = (struct obs_log *)context;
  if ((unsigned)event->kind < 9U) ++log->per_kind[(unsigned)event->kind];
  if (log->count < OBS_MAX_EVENTS) {
    struct obs_event *e = &log->ev[log->count];
    e->kind = (unsigned char)event->kind;
    e->family = (unsigned char)event->family;
    e->heap = event->heap;
    e->object = event->object;
    e->pointer = event->pointer;
    e->old_pointer = event->old_pointer;
    e->size = event->size;
    e->bytes = event->bytes;
    e->old_bytes = event->old_bytes;
    e->previous_in_use = event->previous_in_use;
    e->in_use = event->in_use;
    e->peak = event->peak;
    e->threshold = event->threshold;
    e->fault = (unsigned char)event->fault;
  }
  ++log->count;
}

void obs_clear(struct obs_log *log) { memset(log, 0, sizeof *log); }

unsigned obs_kind_count(const struct obs_log *log, omniheap_event_kind_t kind) {
  return (unsigned)kind < 9U ? log->per_kind[(unsigned)kind] : 0U;
}

int obs_find(const struct obs_log *log, omniheap_event_kind_t kind, unsigned n) {
  unsigned i, max = log->count < OBS_MAX_EVENTS ? log->count : OBS_MAX_EVENTS;
  for (i = 0; i < max; ++i)
    if (log->ev[i].kind == (unsigned char)kind && n-- == 0U) return (int)i;
  return -1;
}

omniheap_stats_t obs_stats(const omniheap_heap_t *heap) {
  omniheap_stats_t s = OMNIHEAP_STATS_INIT;
  if (!OH_CHECK_EQ_INT(omniheap_heap_stats(heap, &s), OMNIHEAP_OK)) {
    memset(&s, 0xEE, sizeof s);
  }
  return s;
}

size_t obs_in_use(const omniheap_heap_t *heap) { return obs_stats(heap).in_use; }

void obs_forget(const void *object) {
  omniheap_heap_t *h = omniheap_heap_find(object);
  if (h != NULL) OH_CHECK_EQ_INT(omniheap_heap_unregister(h), OMNIHEAP_OK);
}

void obs_model_init(struct obs_model *m, size_t threshold, size_t hysteresis) {
  m->known = 0;
  m->above = 0;
  m->threshold = threshold;
  m->hysteresis = hysteresis;
}

int obs_model_step(struct obs_model *m, size_t before, size_t after) {
  if (!m->known) {
    m->known = 1;
    m->above = before >= m->threshold;
  }
  if (!m->above && after >= m->threshold) {
    m->above = 1;
    return OMNIHEAP_EVENT_ABOVE;
  }
  if (m->above && m->hysteresis <= m->threshold && after < m->threshold - m->hysteresis) {
    m->above = 0;
    return OMNIHEAP_EVENT_BELOW;
  }
  return 0;
}

/* ---- heaps shared by the observation suites ------------------------------------------------- */

static int emh_id = -1;

omniheap_heap_t *obs_emh_handle(int id) {
  char name[8] = "emh0";
  if (id < 0 || id > 9) return NULL;
  name[3] = (char)('0' + id);
  return omniheap_heap_find_name(name);
}

int obs_emh_id(void) {
  if (emh_id >= 0) return emh_id;
  if (obs_emh_handle(0) != NULL) return emh_id = 0;
  if (!obs_init()) return -1;
  emh_id = emh_create(emh_region(), OBS_EMH_BYTES);
  return emh_id;
}

omniheap_heap_t *obs_heapmem_handle(void) {
  void *p = heapmem_alloc(8);
  if (p != NULL) heapmem_free(p);
  return omniheap_heap_find_name("heapmem");
}
