/* Conformance of "lib/heapmem.h" (placeholder: the suite is being written). */
#include "lib/heapmem.h"
#include "oh_test.h"
#include "suites.h"

static void test_heapmem_smoke(void) {
  void *p = heapmem_alloc(10);
  OH_CHECK(p != NULL);
  OH_CHECK(heapmem_free(p));
}

void suite_heapmem(void) { OH_RUN(test_heapmem_smoke); }
