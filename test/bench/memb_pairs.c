/*
 * MEMB instruction-count benchmark driver (run under callgrind by
 * test/bench/run.sh; prints nothing measured itself).
 *
 *   memb_pairs LIVE PAIRS   allocate LIVE blocks, then PAIRS times
 *                           memb_alloc + memb_free of one block
 *
 * run.sh counts the instructions executed inside memb_alloc and memb_free
 * (callgrind --toggle-collect) for two values of PAIRS and divides the
 * difference: the per-pair cost, without set-up or warm-up.
 */
#include <stdio.h>
#include <stdlib.h>

#include "lib/memb.h"

#define POOL_BLOCKS 10008 /* room for 10,000 live blocks plus the measured one */

struct record {
  unsigned char bytes[32];
};

MEMB(bench_pool, struct record, POOL_BLOCKS);

int main(int argc, char **argv) {
  long live, pairs, i;
  if (argc != 3) {
    fprintf(stderr, "usage: %s LIVE PAIRS\n", argv[0]);
    return 2;
  }
  live = atol(argv[1]);
  pairs = atol(argv[2]);
  if (live < 0 || live >= POOL_BLOCKS) return 2;
  memb_init(&bench_pool);
  for (i = 0; i < live; ++i) {
    if (memb_alloc(&bench_pool) == NULL) return 1;
  }
  for (i = 0; i < pairs; ++i) {
    void *p = memb_alloc(&bench_pool);
    if (p == NULL || memb_free(&bench_pool, p) != 0) return 1;
  }
  return 0;
}
