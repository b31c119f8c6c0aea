/* Block helpers shared by the conformance suites (blocks.h). */
#include "blocks.h"

#include <stdint.h>

unsigned char oh_pattern(unsigned tag, size_t i) {
  return (unsigned char)(tag * 37U + (unsigned)i * 13U + (unsigned)(i >> 8) + 1U);
}

void oh_fill(void *p, size_t n, unsigned tag) {
  unsigned char *b = (unsigned char *)p;
  size_t i;
  for (i = 0; i < n; ++i) b[i] = oh_pattern(tag, i);
}

int oh_intact(const void *p, size_t n, unsigned tag) {
  const unsigned char *b = (const unsigned char *)p;
  size_t i;
  for (i = 0; i < n; ++i)
    if (b[i] != oh_pattern(tag, i)) return 0;
  return 1;
}

int oh_all_zero(const void *p, size_t n) {
  const unsigned char *b = (const unsigned char *)p;
  size_t i;
  for (i = 0; i < n; ++i)
    if (b[i] != 0U) return 0;
  return 1;
}

int oh_inside(const void *p, size_t n, const void *mem, size_t bytes) {
  uintptr_t x = (uintptr_t)p, m = (uintptr_t)mem;
  return x >= m && x - m <= bytes && n <= bytes - (x - m);
}

int oh_overlap(const void *a, size_t na, const void *b, size_t nb) {
  uintptr_t x = (uintptr_t)a, y = (uintptr_t)b;
  return x < y + nb && y < x + na;
}
