/*
 * MEMB instruction-count benchmark driver, run under callgrind by
 * test/bench/run.sh (it measures nothing itself).
 *
 *   memb_pairs omniheap|reference LIVE PAIRS
 *
 * allocates LIVE blocks, then PAIRS times allocates one block and frees it.
 * run.sh counts the instructions executed inside the allocator functions
 * (callgrind --toggle-collect) for two values of PAIRS and divides the
 * difference: the exact per-call cost, without set-up or warm-up.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/memb.h"
#include "reference_memb.h"

#define POOL_BLOCKS 10008 /* room for 10,000 live blocks plus the measured one */

struct record {
  unsigned char bytes[32];
};

MEMB(bench_pool, struct record, POOL_BLOCKS);

/* Not inlined, so that callgrind can attribute their instructions. */
__attribute__((noinline)) void *ref_alloc(struct memb *m) { return reference_memb_alloc(m); }
__attribute__((noinline)) int ref_free(struct memb *m, void *p) { return reference_memb_free(m, p); }

int main(int argc, char **argv) {
  long live, pairs, i;
  int reference;
  void *(*alloc)(struct memb *);
  int (*release)(struct memb *, void *);
  if (argc != 4) {
    fprintf(stderr, "usage: %s omniheap|reference LIVE PAIRS\n", argv[0]);
    return 2;
  }
  reference = strcmp(argv[1], "reference") == 0;
  alloc = reference ? ref_alloc : memb_alloc;
  release = reference ? ref_free : memb_free;
  live = atol(argv[2]);
  pairs = atol(argv[3]);
  if (live < 0 || live >= POOL_BLOCKS) return 2;
  memb_init(&bench_pool);
  for (i = 0; i < live; ++i) {
    if (alloc(&bench_pool) == NULL) return 1;
  }
  for (i = 0; i < pairs; ++i) {
    void *p = alloc(&bench_pool);
    if (p == NULL || release(&bench_pool, p) != 0) return 1;
  }
  return 0;
}
