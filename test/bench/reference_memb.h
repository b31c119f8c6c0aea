/*
 * A reference MEMB with the algorithm api-reference §1.5 describes for
 * Contiki-NG (written here from that description, for comparison only):
 * memb_alloc scans `used` for the lowest free index, memb_free range-checks,
 * divides and clears the flag. O(num) allocation.
 */
#ifndef OH_BENCH_REFERENCE_MEMB_H
#define OH_BENCH_REFERENCE_MEMB_H

#include <stddef.h>
#include <string.h>

#include "lib/memb.h"

static inline void *reference_memb_alloc(struct memb *m) {
  int i;
  for (i = 0; i < m->num; ++i) {
    if (!m->used[i]) {
      m->used[i] = true;
      return (char *)m->mem + (size_t)i * m->size;
    }
  }
  return NULL;
}

static inline int reference_memb_free(struct memb *m, void *ptr) {
  char *p = (char *)ptr;
  char *base = (char *)m->mem;
  size_t offset;
  if (p < base || p >= base + (size_t)m->size * m->num) return -1;
  offset = (size_t)(p - base);
  if (offset % m->size != 0) return -1;
  if (!m->used[offset / m->size]) return -1;
  m->used[offset / m->size] = false;
  return 0;
}

#endif
