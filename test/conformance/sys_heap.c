/* Conformance of <zephyr/sys/sys_heap.h> (placeholder: the suite is being written). */
#include <zephyr/sys/sys_heap.h>

#include "oh_test.h"
#include "suites.h"

static void test_sys_heap_smoke(void) {
  static char mem[512] __attribute__((aligned(8)));
  struct sys_heap heap;
  void *p;
  sys_heap_init(&heap, mem, sizeof mem);
  p = sys_heap_alloc(&heap, 10);
  OH_CHECK(p != NULL);
  sys_heap_free(&heap, p);
  OH_CHECK(sys_heap_validate(&heap));
}

void suite_sys_heap(void) { OH_RUN(test_sys_heap_smoke); }
