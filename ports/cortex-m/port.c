/*
 * omniheap port for bare-metal ARM Cortex-M (ARMv6-M, ARMv7-M, ARMv7E-M,
 * ARMv8-M Mainline), no RTOS.
 *
 *  critical section  PRIMASK save / cpsid i / restore: nests, ISR-safe
 *  locks             the critical section, with the saved PRIMASK kept in
 *                    the lock; a generation counter for wait/notify
 *  wait              releases the lock and sleeps (WFI) until notified (by a
 *                    free from an interrupt handler) or until the deadline;
 *                    returns a timeout at once when there is no time base or
 *                    when interrupts stay masked (nobody could wake it)
 *  time              SysTick ticks plus the current SysTick count (see
 *                    omniheap_port_cortexm.h)
 *  panic             message through the output, then abort() (newlib: with
 *                    semihosting this ends the program with a failure code)
 *  corruption        one line through the output
 *  output            write(1, ...) (newlib: retarget _write to a UART, or
 *                    link rdimon for semihosting)
 */
#include <stdlib.h>
#include <unistd.h>

#include "omniheap_port.h"
#include "omniheap_port_cortexm.h"

#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)
#define SYST_CSR_ENABLE 1u
#define SYST_CSR_TICKINT 2u
#define SYST_CSR_CLKSOURCE 4u

struct cortexm_lock {
  uint32_t primask;             /* PRIMASK saved by acquire, restored by release */
  volatile uint32_t generation; /* incremented by notify_all */
};

_Static_assert(sizeof(struct cortexm_lock) <= OMNIHEAP_PORT_LOCK_BYTES,
               "ports.cortex-m.lock_bytes in project.yml is too small");

static struct cortexm_lock *cortexm_lock_of(omniheap_port_lock_t *lock) {
  return (struct cortexm_lock *)(void *)lock->storage;
}

/* ---- critical section ---------------------------------------------------- */

static inline uint32_t primask_get(void) {
  uint32_t r;
  __asm volatile("mrs %0, primask" : "=r"(r));
  return r;
}

omniheap_port_state_t omniheap_port_critical_enter(void) {
  uint32_t saved = primask_get();
  __asm volatile("cpsid i" ::: "memory");
  return saved;
}

void omniheap_port_critical_exit(omniheap_port_state_t state) {
  __asm volatile("msr primask, %0" ::"r"((uint32_t)state) : "memory");
}

/* ---- locks ------------------------------------------------------------------ */

void omniheap_port_lock_acquire(omniheap_port_lock_t *lock) {
  uint32_t saved = (uint32_t)omniheap_port_critical_enter();
  cortexm_lock_of(lock)->primask = saved;
}

void omniheap_port_lock_release(omniheap_port_lock_t *lock) {
  omniheap_port_critical_exit(cortexm_lock_of(lock)->primask);
}

/* ---- time ------------------------------------------------------------------- */

static volatile uint32_t tick_count_low;  /* ticks since start, low word */
static volatile uint32_t tick_count_high; /* ... and high word */
static uint32_t us_per_tick;              /* 0: no time base */
static uint32_t reload;                   /* SysTick reload value (0 if external) */
static uint64_t last_us;                  /* monotonic clamp */

int omniheap_port_cortexm_systick_start(uint32_t core_hz, uint32_t tick_hz, int start_timer) {
  if (tick_hz == 0u || core_hz < tick_hz || tick_hz > 1000000u) return -1;
  uint32_t r = core_hz / tick_hz - 1u;
  if (start_timer && (r == 0u || r > 0x00FFFFFFu)) return -1;
  us_per_tick = 1000000u / tick_hz;
  if (start_timer) {
    reload = r;
    SYST_CSR = 0;
    SYST_RVR = r;
    SYST_CVR = 0;
    SYST_CSR = SYST_CSR_ENABLE | SYST_CSR_TICKINT | SYST_CSR_CLKSOURCE;
  } else {
    reload = 0;
  }
  return 0;
}

void omniheap_port_cortexm_systick_isr(void) {
  uint32_t low = tick_count_low + 1u;
  tick_count_low = low;
  if (low == 0u) tick_count_high = tick_count_high + 1u;
}

uint64_t omniheap_port_time_us(void) {
  if (us_per_tick == 0u) return 0;
  omniheap_port_state_t s = omniheap_port_critical_enter();
  uint64_t ticks = ((uint64_t)tick_count_high << 32) | tick_count_low;
  uint64_t us = ticks * us_per_tick;
  if (reload != 0u) {
    uint32_t elapsed = reload - (SYST_CVR & 0x00FFFFFFu);
    us += (uint64_t)elapsed * us_per_tick / ((uint64_t)reload + 1u);
  }
  if (us < last_us) us = last_us; /* a tick pending while masked: never go back */
  last_us = us;
  omniheap_port_critical_exit(s);
  return us;
}

/* ---- wait / notify ---------------------------------------------------------- */

int omniheap_port_wait(omniheap_port_lock_t *lock, uint64_t deadline_us) {
  struct cortexm_lock *l = cortexm_lock_of(lock);
  uint32_t generation = l->generation;
  /* Nobody can wake us when interrupts stay masked after the release, and
   * without a time base the deadline can never be seen. */
  if ((l->primask & 1u) != 0u || us_per_tick == 0u) return OMNIHEAP_PORT_TIMEOUT;
  if (deadline_us != OMNIHEAP_PORT_FOREVER && omniheap_port_time_us() >= deadline_us) {
    return OMNIHEAP_PORT_TIMEOUT;
  }
  int result = OMNIHEAP_PORT_TIMEOUT;
  omniheap_port_lock_release(lock);
  for (;;) {
    /* Check and sleep with interrupts masked: an interrupt that notifies
     * after the check still ends the WFI (a pending interrupt wakes the core
     * even while PRIMASK masks it), and runs at the cpsie below. Checking
     * with interrupts enabled would lose such a wake-up until the next tick. */
    __asm volatile("cpsid i" ::: "memory");
    if (l->generation != generation) {
      result = OMNIHEAP_PORT_WOKEN;
      break;
    }
    if (deadline_us != OMNIHEAP_PORT_FOREVER && omniheap_port_time_us() >= deadline_us) break;
    __asm volatile("wfi" ::: "memory");
    __asm volatile("cpsie i" ::: "memory");
  }
  __asm volatile("cpsie i" ::: "memory"); /* as the lock release above left it */
  omniheap_port_lock_acquire(lock);
  return result;
}

void omniheap_port_notify_all(omniheap_port_lock_t *lock) {
  struct cortexm_lock *l = cortexm_lock_of(lock);
  l->generation = l->generation + 1u;
}

/* ---- failure and output ------------------------------------------------------- */

void omniheap_port_write(const char *text, size_t length) {
  while (length > 0u) {
    int n = (int)write(1, text, length);
    if (n <= 0) return;
    text += n;
    length -= (size_t)n;
  }
}

static void write_string(const char *s) {
  size_t n = 0;
  if (s == NULL) s = "?";
  while (s[n] != '\0') ++n;
  omniheap_port_write(s, n);
}

void omniheap_port_panic(const char *message) {
  write_string(message);
  write_string("\n");
  abort();
}

void omniheap_port_corruption(const omniheap_fault_t *fault) {
  char hex[2 + 2 * sizeof(uintptr_t) + 1];
  uintptr_t p = (uintptr_t)fault->pointer;
  size_t i = sizeof hex - 1;
  hex[i] = '\0';
  do {
    hex[--i] = "0123456789abcdef"[p & 0xFu];
    p >>= 4;
  } while (p != 0u && i > 2);
  hex[--i] = 'x';
  hex[--i] = '0';
  write_string("omniheap: ");
  write_string(omniheap_family_name(fault->family));
  write_string(" heap '");
  write_string(fault->heap != NULL ? omniheap_heap_name(fault->heap) : "(unregistered)");
  write_string("': ");
  write_string(omniheap_fault_kind_name(fault->kind));
  write_string(" of ");
  write_string(&hex[i]);
  write_string(" in ");
  write_string(fault->function);
  write_string("\n");
}
