/*
 * Per-call instruction counts of memb_alloc and memb_free with
 * perf_event_open + rdpmc: median and maximum over many calls, with 1 and
 * with 10,000 blocks live. Prints one CSV line per case, or one line saying
 * why hardware counters are unavailable (then test/bench/run.sh relies on
 * callgrind alone).
 */
#define _GNU_SOURCE 1
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/memb.h"
#include "pmc.h"

#define POOL_BLOCKS 10008
#define CALLS 20001

struct record {
  unsigned char bytes[32];
};

MEMB(pmc_pool, struct record, POOL_BLOCKS);

static uint64_t alloc_cost[CALLS], free_cost[CALLS];

static int compare(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

int main(void) {
  struct pmc p;
  static const long lives[] = {1, 10000};
  unsigned k;
  if (!pmc_open(&p)) {
    printf("rdpmc,unavailable,%s\n", strerror(errno));
    return 0;
  }
  uint64_t t0 = pmc_read(&p), t1 = pmc_read(&p);
  uint64_t overhead = t1 - t0;
  for (k = 0; k < 2; ++k) {
    long i;
    memb_init(&pmc_pool);
    for (i = 0; i < lives[k]; ++i) memb_alloc(&pmc_pool);
    for (i = 0; i < CALLS; ++i) {
      uint64_t a = pmc_read(&p);
      void *q = memb_alloc(&pmc_pool);
      uint64_t b = pmc_read(&p);
      memb_free(&pmc_pool, q);
      uint64_t c = pmc_read(&p);
      alloc_cost[i] = b - a - overhead;
      free_cost[i] = c - b - overhead;
    }
    qsort(alloc_cost, CALLS, sizeof alloc_cost[0], compare);
    qsort(free_cost, CALLS, sizeof free_cost[0], compare);
    printf("rdpmc,memb_alloc,%ld,%llu,%llu\n", lives[k], (unsigned long long)alloc_cost[CALLS / 2],
           (unsigned long long)alloc_cost[CALLS - 1]);
    printf("rdpmc,memb_free,%ld,%llu,%llu\n", lives[k], (unsigned long long)free_cost[CALLS / 2],
           (unsigned long long)free_cost[CALLS - 1]);
  }
  return 0;
}
