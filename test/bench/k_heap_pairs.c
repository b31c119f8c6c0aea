/*
 * k_heap_pairs MODE N — N free+alloc pairs on one heap, single thread, for
 * callgrind: run with N and with 0, the difference divided by N is the
 * instruction cost of one pair (make bench, part k_heap).
 *
 * Workload: a ring of 16 live blocks; pair i frees the block of slot i % 16
 * and allocates 16 + (37 i mod 112) bytes in its place (64 KiB heap; the
 * system heap of the default build, 4 KiB, holds the ring too).
 * MODE: 0 k_heap_alloc/k_heap_free (K_NO_WAIT, with the heap's lock),
 * 1 sys_heap_alloc/sys_heap_free (no lock), 2 k_malloc/k_free (system
 * heap: lock and owner prefix), 3 glibc malloc/free.
 */
#include <stdio.h>
#include <stdlib.h>

#include <zephyr/kernel.h>

static char mem[65536] __attribute__((aligned(8)));
static struct k_heap kh;
static struct sys_heap sh;

int main(int argc, char **argv) {
  int mode;
  long i, n;
  void *keep[16] = {0};
  if (argc != 3) {
    fprintf(stderr, "usage: k_heap_pairs MODE N\n");
    return 2;
  }
  mode = atoi(argv[1]);
  n = atol(argv[2]);
  if (mode == 0) k_heap_init(&kh, mem, sizeof mem);
  if (mode == 1) sys_heap_init(&sh, mem, sizeof mem);
  for (i = 0; i < n; ++i) {
    size_t size = 16U + (size_t)((i * 37) % 112);
    int k = (int)(i % 16);
    void *p;
    switch (mode) {
    case 0:
      if (keep[k] != NULL) k_heap_free(&kh, keep[k]);
      p = k_heap_alloc(&kh, size, K_NO_WAIT);
      break;
    case 1:
      if (keep[k] != NULL) sys_heap_free(&sh, keep[k]);
      p = sys_heap_alloc(&sh, size);
      break;
    case 2:
      if (keep[k] != NULL) k_free(keep[k]);
      p = k_malloc(size);
      break;
    default:
      if (keep[k] != NULL) free(keep[k]);
      p = malloc(size);
      break;
    }
    if (p == NULL) {
      fprintf(stderr, "k_heap_pairs: allocation failed\n");
      return 1;
    }
    keep[k] = p;
  }
  return 0;
}
