#include "suites.h"
#include "lib/memb.h"
#include "oh_test.h"
struct item { int a; char b[6]; };
MEMB(smoke, struct item, 8);
static void test_smoke(void) {
  void *p[9]; int i;
  memb_init(&smoke);
  OH_CHECK_EQ_INT(memb_numfree(&smoke), 8);
  for (i = 0; i < 8; ++i) { p[i] = memb_alloc(&smoke); OH_CHECK(p[i] != NULL); }
  OH_CHECK(memb_alloc(&smoke) == NULL);
  for (i = 0; i < 8; ++i) OH_CHECK_EQ_INT(memb_free(&smoke, p[i]), 0);
}
void suite_memb(void) { OH_RUN(test_smoke); }
