/* Block helpers shared by the conformance suites: fill patterns, zero and
 * bounds checks. */
#ifndef OH_BLOCKS_H
#define OH_BLOCKS_H

#include <stddef.h>

/* Byte i of the pattern `tag` (tags tell blocks apart). */
unsigned char oh_pattern(unsigned tag, size_t i);
/* Writes the pattern `tag` over n bytes at p. */
void oh_fill(void *p, size_t n, unsigned tag);
/* 1 if the n bytes at p still hold the pattern `tag`. */
int oh_intact(const void *p, size_t n, unsigned tag);
/* 1 if the n bytes at p are all zero. */
int oh_all_zero(const void *p, size_t n);
/* 1 if [p, p + n) lies inside [mem, mem + bytes). */
int oh_inside(const void *p, size_t n, const void *mem, size_t bytes);
/* 1 if [a, a + na) and [b, b + nb) share a byte. */
int oh_overlap(const void *a, size_t na, const void *b, size_t nb);

#endif
