/*
 * Caller of engine_iaf.cpp for the code-size probe (CALLS 0: calls nothing,
 * and engine_iaf.o is not linked).
 */
#include <stddef.h>

#ifndef CALLS
#define CALLS 1
#endif

#if CALLS
void *probe_init(void *mem, size_t bytes);
void *probe_alloc(void *h, size_t bytes);
int probe_free(void *h, void *p);
static unsigned char memory[4096] __attribute__((aligned(8)));
#endif

int main(void) {
#if CALLS
  void *h = probe_init(memory, sizeof memory);
  void *volatile p = probe_alloc(h, 32);
  return probe_free(h, p);
#else
  return 0;
#endif
}
