/*
 * omniheap port "none": single-threaded programs on a hosted C library, with
 * no scheduler. Locks and the critical section do nothing, and nothing ever
 * blocks: omniheap_port_wait() reports a timeout at once, so a blocking
 * allocation with a timeout behaves as with K_NO_WAIT.
 *
 *  time        clock() converted to microseconds (processor time: monotonic
 *              for a single-threaded program, and enough for timeouts that
 *              never block)
 *  panic       message to stderr, then abort()
 *  corruption  one line to stderr
 *  output      fwrite to stdout
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "omniheap_port.h"

omniheap_port_state_t omniheap_port_critical_enter(void) { return 0; }

void omniheap_port_critical_exit(omniheap_port_state_t state) { (void)state; }

void omniheap_port_lock_acquire(omniheap_port_lock_t *lock) { (void)lock; }

void omniheap_port_lock_release(omniheap_port_lock_t *lock) { (void)lock; }

int omniheap_port_wait(omniheap_port_lock_t *lock, uint64_t deadline_us) {
  (void)lock;
  (void)deadline_us;
  return OMNIHEAP_PORT_TIMEOUT;
}

void omniheap_port_notify_all(omniheap_port_lock_t *lock) { (void)lock; }

uint64_t omniheap_port_time_us(void) {
  clock_t c = clock();
  if (c == (clock_t)-1) return 0;
  return (uint64_t)c * 1000000U / (uint64_t)CLOCKS_PER_SEC;
}

void omniheap_port_panic(const char *message) {
  fflush(stdout);
  fprintf(stderr, "%s\n", message);
  fflush(stderr);
  abort();
}

void omniheap_port_corruption(const omniheap_fault_t *fault) {
  fflush(stdout); /* keep the order of the program's own output */
  fprintf(stderr, "omniheap: %s heap '%s': %s of %p in %s\n", omniheap_family_name(fault->family),
          fault->heap != NULL ? omniheap_heap_name(fault->heap) : "(unregistered)",
          omniheap_fault_kind_name(fault->kind), fault->pointer,
          fault->function != NULL ? fault->function : "?");
}

void omniheap_port_write(const char *text, size_t length) { fwrite(text, 1, length, stdout); }
