/*
 * Code-size probe for `make bench` (not built by the Makefile; run.sh links
 * it for TARGET=cortex-m4f at -Os with --gc-sections): main() calls
 * sys_heap_init, sys_heap_alloc and sys_heap_free when CALLS is 1, nothing
 * when CALLS is 0. The difference in flash (.text + .rodata + .data) is what
 * init+alloc+free cost a firmware; the linker map says which library
 * sections that is.
 */
#include <stddef.h>

#include <zephyr/sys/sys_heap.h>

#ifndef CALLS
#define CALLS 1
#endif

#if CALLS
static unsigned char memory[4096] __attribute__((aligned(8)));
static struct sys_heap heap;
#endif

int main(void) {
#if CALLS
  sys_heap_init(&heap, memory, sizeof memory);
  void *volatile p = sys_heap_alloc(&heap, 32);
  sys_heap_free(&heap, p);
#endif
  return 0;
}
