#include "suites.h"
#include "omniheap.h"
#include "oh_test.h"
static void test_version(void) { OH_CHECK_EQ_INT(omniheap_version(), OMNIHEAP_VERSION); }
void suite_native(void) { OH_RUN(test_version); }
