/*
 * Conformance of the port compiled into the library: the hooks of
 * omniheap_port.h behave as documented on this target.
 */
#include <string.h>

#include "oh_test.h"
#include "omniheap_port.h"
#include "suites.h"

static void test_critical_section_nests(void) {
  omniheap_port_state_t outer = omniheap_port_critical_enter();
  omniheap_port_state_t inner = omniheap_port_critical_enter();
  omniheap_port_critical_exit(inner);
  /* Still inside the outer section: entering again must work (no deadlock). */
  omniheap_port_state_t again = omniheap_port_critical_enter();
  omniheap_port_critical_exit(again);
  omniheap_port_critical_exit(outer);
  OH_CHECK(1);
}

static void test_zeroed_lock_is_unlocked(void) {
  static omniheap_port_lock_t lock; /* zero-initialised: must be usable as is */
  omniheap_port_lock_t stack_lock = OMNIHEAP_PORT_LOCK_INIT;
  omniheap_port_lock_acquire(&lock);
  omniheap_port_lock_release(&lock);
  omniheap_port_lock_acquire(&lock);
  omniheap_port_notify_all(&lock); /* no waiters: harmless */
  omniheap_port_lock_release(&lock);
  omniheap_port_lock_acquire(&stack_lock);
  omniheap_port_lock_release(&stack_lock);
  OH_CHECK(sizeof lock == OMNIHEAP_PORT_LOCK_BYTES || sizeof lock >= OMNIHEAP_PORT_LOCK_BYTES);
}

static void test_time_is_monotonic(void) {
  uint64_t prev = omniheap_port_time_us();
  int i;
  for (i = 0; i < 1000; ++i) {
    uint64_t now = omniheap_port_time_us();
    if (!OH_CHECK(now >= prev)) break;
    prev = now;
  }
}

static void test_wait_past_deadline_times_out(void) {
  omniheap_port_lock_t lock = OMNIHEAP_PORT_LOCK_INIT;
  omniheap_port_lock_acquire(&lock);
  /* A deadline already in the past: every port returns a timeout without blocking. */
  OH_CHECK_EQ_INT(omniheap_port_wait(&lock, 0), OMNIHEAP_PORT_TIMEOUT);
  omniheap_port_lock_release(&lock);
  /* The lock was re-acquired by wait and released above: it is free again. */
  omniheap_port_lock_acquire(&lock);
  omniheap_port_lock_release(&lock);
}

static void test_wait_with_timeout_waits(void) {
  omniheap_port_lock_t lock = OMNIHEAP_PORT_LOCK_INIT;
  uint64_t start = omniheap_port_time_us();
  int rc;
  omniheap_port_lock_acquire(&lock);
  rc = omniheap_port_wait(&lock, start + 20000U);
  omniheap_port_lock_release(&lock);
  if (start == 0 && omniheap_port_time_us() == 0) {
    /* No time source (port "none" without a clock, or template): never blocks. */
    OH_CHECK_EQ_INT(rc, OMNIHEAP_PORT_TIMEOUT);
    return;
  }
  if (rc == OMNIHEAP_PORT_TIMEOUT && strcmp(OMNIHEAP_PORT_NAME, "none") != 0) {
    /* A blocking port timed out: it must not have done so early. */
    OH_CHECK(omniheap_port_time_us() - start >= 20000U);
  }
  OH_CHECK(rc == OMNIHEAP_PORT_TIMEOUT || rc == OMNIHEAP_PORT_WOKEN);
}

static void test_write_accepts_text(void) {
  omniheap_port_write("     port write: hello\n", 23);
  omniheap_port_write("", 0);
  OH_CHECK(1);
}

void suite_port(void) {
  OH_RUN(test_critical_section_nests);
  OH_RUN(test_zeroed_lock_is_unlocked);
  OH_RUN(test_time_is_monotonic);
  OH_RUN(test_wait_past_deadline_times_out);
  OH_RUN(test_wait_with_timeout_waits);
  OH_RUN(test_write_accepts_text);
}
