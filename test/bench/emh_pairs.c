/*
 * emh_pairs MODE N — N free+alloc pairs on one heap, single thread, for
 * callgrind: run with N and with 0, the difference divided by N is the
 * instruction cost of one pair (make bench, part emh).
 *
 * Workload (that of k_heap_pairs): a ring of 16 live blocks; pair i frees
 * the block of slot i % 16 and allocates 16 + (37 i mod 112) bytes in its
 * place, on a 64 KiB region.
 * MODE: 0 sys_heap_alloc/sys_heap_free (the engine through its thinnest
 * API: no lock, no tag), 1 emh_malloc/emh_free (emh heap: the heap's lock
 * and the tag word below the block), 2 k_heap_alloc/k_heap_free (K_NO_WAIT:
 * lock, no tag; for reference), 3 glibc malloc/free.
 * The emh heap asks the engine for 8 more bytes per block (the tag area of
 * a 64-bit host), so its chunks are one 8-byte unit larger than those of
 * modes 0 and 2 for the same request.
 */
#include <stdio.h>
#include <stdlib.h>

#include <zephyr/kernel.h>

#include "emh_malloc.h"

static char mem[65536] __attribute__((aligned(8)));
static struct sys_heap sh;
static struct k_heap kh;

int main(int argc, char **argv) {
  int mode;
  long i, n;
  emh_heapId_t id = -1;
  void *keep[16] = {0};
  if (argc != 3) {
    fprintf(stderr, "usage: emh_pairs MODE N\n");
    return 2;
  }
  mode = atoi(argv[1]);
  n = atol(argv[2]);
  if (mode == 0) sys_heap_init(&sh, mem, sizeof mem);
  if (mode == 1) {
    id = emh_create(mem, sizeof mem);
    if (id < 0) {
      fprintf(stderr, "emh_pairs: emh_create failed\n");
      return 1;
    }
  }
  if (mode == 2) k_heap_init(&kh, mem, sizeof mem);
  for (i = 0; i < n; ++i) {
    size_t size = 16U + (size_t)((i * 37) % 112);
    int k = (int)(i % 16);
    void *p;
    switch (mode) {
    case 0:
      if (keep[k] != NULL) sys_heap_free(&sh, keep[k]);
      p = sys_heap_alloc(&sh, size);
      break;
    case 1:
      if (keep[k] != NULL) emh_free(keep[k]);
      p = emh_malloc(id, size);
      break;
    case 2:
      if (keep[k] != NULL) k_heap_free(&kh, keep[k]);
      p = k_heap_alloc(&kh, size, K_NO_WAIT);
      break;
    default:
      if (keep[k] != NULL) free(keep[k]);
      p = malloc(size);
      break;
    }
    if (p == NULL) {
      fprintf(stderr, "emh_pairs: allocation failed\n");
      return 1;
    }
    keep[k] = p;
  }
  return 0;
}
