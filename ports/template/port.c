/*
 * omniheap port template — copy this directory to ports/<your-port>/, add the
 * port to project.yml (section `ports:`, with `lock_bytes`), point a target at
 * it, and fill in every TODO. docs/pages/porting.md walks through it.
 *
 * As shipped, the template compiles and behaves like the `none` port without
 * a C library: no locking, no blocking, no time, no output, and panic spins.
 * That is correct only for a single-threaded program without interrupts that
 * touch omniheap.
 *
 * Every function below is a mandatory hook (OMNIHEAP_PORT_HOOK in
 * omniheap_port.h). Leave one out and the library build stops with
 *   port 'template' does not define mandatory hook omniheap_port_<name>
 */
#include "omniheap_port.h"

/* TODO: the state one lock needs (an RTOS mutex + semaphore, a spinlock and
 * saved interrupt mask, ...). It must fit in OMNIHEAP_PORT_LOCK_BYTES (set
 * `ports.<port>.lock_bytes` in project.yml), and all zeros must mean
 * "unlocked, no waiters" (or the hooks must initialise it lazily). */
struct template_lock {
  unsigned char unused;
};
_Static_assert(sizeof(struct template_lock) <= OMNIHEAP_PORT_LOCK_BYTES,
               "ports.template.lock_bytes in project.yml is too small");

omniheap_port_state_t omniheap_port_critical_enter(void) {
  /* TODO: save the interrupt mask (or scheduler state), disable interrupts
   * (or lock the scheduler), return what was saved. Must nest. */
  return 0;
}

void omniheap_port_critical_exit(omniheap_port_state_t state) {
  /* TODO: restore exactly what omniheap_port_critical_enter() saved. */
  (void)state;
}

void omniheap_port_lock_acquire(omniheap_port_lock_t *lock) {
  /* TODO: take the lock (RTOS mutex, or the critical section on bare metal). */
  (void)lock;
}

void omniheap_port_lock_release(omniheap_port_lock_t *lock) {
  /* TODO: give the lock back. */
  (void)lock;
}

int omniheap_port_wait(omniheap_port_lock_t *lock, uint64_t deadline_us) {
  /* TODO: release `lock`, block until omniheap_port_notify_all(lock) or until
   * omniheap_port_time_us() >= deadline_us, re-acquire `lock`.
   * Return OMNIHEAP_PORT_WOKEN or OMNIHEAP_PORT_TIMEOUT. Without a scheduler,
   * returning OMNIHEAP_PORT_TIMEOUT at once is correct (no blocking). */
  (void)lock;
  (void)deadline_us;
  return OMNIHEAP_PORT_TIMEOUT;
}

void omniheap_port_notify_all(omniheap_port_lock_t *lock) {
  /* TODO: wake every thread blocked in omniheap_port_wait(lock, ...). */
  (void)lock;
}

uint64_t omniheap_port_time_us(void) {
  /* TODO: a monotonic microsecond clock (RTOS tick count × tick period, a
   * free-running timer ...). Returning 0 means "no time source". */
  return 0;
}

void omniheap_port_panic(const char *message) {
  /* TODO: report `message` (log, UART, crash record) and stop: reset the
   * MCU, trap into the debugger, or call the RTOS's fatal error handler. */
  (void)message;
  for (;;) {
  }
}

void omniheap_port_corruption(const omniheap_fault_t *fault) {
  /* TODO: log the fault (fault->kind, fault->family, fault->pointer,
   * fault->function); omniheap_fault_kind_name() and omniheap_family_name()
   * give printable names. Must return. */
  (void)fault;
}

void omniheap_port_write(const char *text, size_t length) {
  /* TODO: send the characters to a UART, RTT channel, log buffer ... */
  (void)text;
  (void)length;
}
