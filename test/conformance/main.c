/*
 * Runner of the C conformance suites. The same sources run on the host
 * (built as C99 and as C11, plain gcc, with and without ASan+UBSan) and on
 * every Cortex-M target under QEMU semihosting (there split into two
 * images, see OH_PART).
 */
#include "oh_test.h"
#include "suites.h"

/* OH_PART (MCU images only): 1 = the suites up to sys_heap, 2 = the Zephyr
 * kernel heap suites, 3 = emh, 4 = memman, 5 = listeners, report, trace and
 * MMT; undefined (host) = all of them. suite_mmt() comes last: it moves MMT
 * onto a region of its own for good (mmt_use_arena()). */
int main(void) {
#if !defined(OH_PART) || OH_PART == 1
  suite_native();
  suite_memb();
  suite_heapmem();
  suite_sys_heap();
  suite_port();
#endif
#if !defined(OH_PART) || OH_PART == 2
  suite_k_heap();
  suite_multi_heap();
  suite_heap_listener();
#endif
#if !defined(OH_PART) || OH_PART == 3
  suite_emh();
#endif
#if !defined(OH_PART) || OH_PART == 4
  suite_memman();
#endif
#if !defined(OH_PART) || OH_PART == 5
  suite_listeners();
  suite_report();
  suite_trace();
  suite_mmt();
#endif
  return oh_test_summary();
}
