/*
 * Runner of the C conformance suites. The same sources run on the host
 * (built as C99 and as C11, plain gcc, with and without ASan+UBSan) and on
 * every Cortex-M target under QEMU semihosting.
 */
#include "oh_test.h"
#include "suites.h"

int main(void) {
  suite_native();
  suite_memb();
  suite_heapmem();
  suite_sys_heap();
  suite_port();
  return oh_test_summary();
}
