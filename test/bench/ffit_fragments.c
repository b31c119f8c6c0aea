/*
 * ffit_fragments N K [small|large] — cost of ffit as the number of free
 * fragments grows, for callgrind (make bench, part memman): the heap holds
 * N free fragments of 32 bytes between blocks in use, a filler below them and
 * one free 8 KiB block above them; then K measured pairs run: a get_block of
 * 16 bytes (first fit: the lowest fragment) or of 4096 bytes (only the top
 * block fits) and the free_block of it (which merges it back).
 * Instructions per pair = (run with K - run with 0) / K.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ffit.h>

int main(int argc, char **argv) {
  long n, k, i;
  size_t want, bytes;
  unsigned char *mem;
  void **blocks;
  ffit_heap_t h;
  if (argc != 4) {
    fprintf(stderr, "usage: ffit_fragments N K small|large\n");
    return 2;
  }
  n = atol(argv[1]);
  k = atol(argv[2]);
  want = strcmp(argv[3], "large") == 0 ? 4096U : 16U;
  bytes = (size_t)n * 2U * 48U + 65536U;
  mem = malloc(bytes);
  blocks = malloc(sizeof(void *) * (size_t)n * 2U);
  if (mem == NULL || blocks == NULL) return 1;
  h.mh = (uintptr_t)mem;
  h.hs = bytes;
  if (ffit_init(&h) != FFIT_HEAP_OK) return 1;
  {
    /* First fit hands out the lowest part of a block it splits: the 2N small
     * blocks first, then a large one above them, then a filler for the rest. */
    uint32_t mem_b, used_b, free_b;
    void *top, *filler;
    for (i = 0; i < n * 2; ++i) {
      blocks[i] = ffit_get_block(&h, 24);
      if (blocks[i] == NULL) return 1;
    }
    top = ffit_get_block(&h, 8192);
    ffit_get_stats(&h, &mem_b, &used_b, &free_b);
    filler = ffit_get_block(&h, free_b - 64U);
    if (top == NULL || filler == NULL) return 1;
    ffit_free_block(&h, top); /* the only block a large request fits */
  }
  for (i = 0; i < n * 2; i += 2) ffit_free_block(&h, blocks[i]);
  for (i = 0; i < k; ++i) {
    void *p = ffit_get_block(&h, want);
    if (p == NULL || ffit_free_block(&h, p) != FFIT_HEAP_OK) return 1;
  }
  return 0;
}
