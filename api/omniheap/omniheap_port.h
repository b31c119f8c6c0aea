/**
 * @file omniheap_port.h
 * @brief The port hooks: everything omniheap needs from the platform.
 *
 * omniheap's core never calls the operating system or the hardware directly;
 * it calls the functions declared here, and a *port* implements them in C.
 * Ports shipped: `posix` (pthreads, host), `cortex-m` (bare metal, PRIMASK
 * critical sections, SysTick time), `none` (single-threaded, hosted C library,
 * no blocking) and `template` (a commented starting point). The port compiled
 * into a library build is OMNIHEAP_PORT_NAME.
 *
 * Every function marked OMNIHEAP_PORT_HOOK is mandatory. A port that lacks
 * one fails the library build with a message naming the hook
 * (`tools/check-port.sh`), and any program linking such a library fails to
 * link with an undefined reference to it. See @ref porting.
 *
 * @par Rules for every hook
 * - Hooks never allocate memory from omniheap.
 * - Hooks never call back into omniheap, except omniheap_port_corruption(),
 *   which may call omniheap_fault_kind_name(), omniheap_family_name() and
 *   omniheap_heap_name() (the shipped ports call all three; the last one
 *   takes the critical section, which nests).
 */
#ifndef OMNIHEAP_PORT_H
#define OMNIHEAP_PORT_H

#include <stddef.h>
#include <stdint.h>

#include "omniheap.h"
#include "omniheap_config.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Marks the declaration of a mandatory port hook. It expands to nothing;
 *  `tools/check-port.sh` reads the names of the hooks from it. */
#define OMNIHEAP_PORT_HOOK

/** @name Critical section
 *  A short, nestable, global critical section: on bare metal it masks
 *  interrupts, on an RTOS it may lock the scheduler, on POSIX it is a
 *  recursive mutex. omniheap holds it for a few dozen instructions in the
 *  MEMB calls (locked build), for one pass over the registry
 *  (O(OMNIHEAP_CONF_MAX_HEAPS)) in registry operations, and, in the locked
 *  MEMB build, for O(num) in memb_init() (which zeroes the whole block
 *  array inside it), in the native API's validation and walk of a pool,
 *  and when a pool's free lists are rebuilt (a damaged list found by
 *  memb_alloc(), some peak resets). */
/** @{ */

/** Saved state returned by omniheap_port_critical_enter() (e.g. PRIMASK). */
typedef uintptr_t omniheap_port_state_t;

/**
 * @brief Enters the global critical section.
 * @return The state to pass to the matching omniheap_port_critical_exit().
 * @par Contract
 * Must nest: enter/enter/exit/exit leaves the section only at the last exit.
 * omniheap always exits in the reverse order of entry, on the same thread.
 * On interrupt-capable ports it must be callable from interrupt handlers.
 * Must not fail: a port that cannot enter calls omniheap_port_panic().
 */
OMNIHEAP_PORT_HOOK omniheap_port_state_t omniheap_port_critical_enter(void);

/**
 * @brief Leaves the critical section entered by the matching
 *        omniheap_port_critical_enter().
 * @param state The value that omniheap_port_critical_enter() returned.
 */
OMNIHEAP_PORT_HOOK void omniheap_port_critical_exit(omniheap_port_state_t state);
/** @} */

/** @name Locks with wait/notify
 *  One lock per synchronised heap, with a condition to block on: used by the
 *  families that are synchronised upstream (k_heap, system heap, emh, mmt) so
 *  that heaps never contend with each other, and by blocking allocations
 *  with a timeout. */
/** @{ */

/**
 * @brief Storage for one port lock and its wait condition.
 *
 * Opaque: only the port interprets `storage`. **A zero-filled lock is a
 * valid, unlocked lock** with no waiters, so locks inside statically
 * initialised heaps need no init call; OMNIHEAP_PORT_LOCK_INIT spells that
 * out. The size comes from `ports.<port>.lock_bytes` in project.yml
 * (OMNIHEAP_PORT_LOCK_BYTES); ports check at compile time that their state
 * fits. A lock must not be moved or copied while in use.
 */
typedef union omniheap_port_lock {
  unsigned char storage[OMNIHEAP_PORT_LOCK_BYTES]; /**< Port-defined state. */
  uint64_t align_u64;                              /**< Forces 8-byte alignment. */
  void *align_pointer;                             /**< Forces pointer alignment. */
} omniheap_port_lock_t;

/** Static initialiser of an unlocked omniheap_port_lock_t (all zeros). */
#define OMNIHEAP_PORT_LOCK_INIT {{0}}

/** Deadline value of omniheap_port_wait() meaning "wait forever". */
#define OMNIHEAP_PORT_FOREVER UINT64_MAX

/** omniheap_port_wait() result: woken by omniheap_port_notify_all() (or
 *  spuriously); the caller re-checks its condition. */
#define OMNIHEAP_PORT_WOKEN 0
/** omniheap_port_wait() result: the deadline passed (or the port cannot block). */
#define OMNIHEAP_PORT_TIMEOUT 1

/**
 * @brief Acquires a lock, waiting as long as needed.
 * @param lock The lock. Locks are not recursive: a thread that already holds
 *        `lock` must not acquire it again.
 * @par Contract
 * Must accept a zero-filled lock as unlocked. Must not fail: a port that
 * cannot acquire calls omniheap_port_panic().
 */
OMNIHEAP_PORT_HOOK void omniheap_port_lock_acquire(omniheap_port_lock_t *lock);

/**
 * @brief Releases a lock held by the caller.
 * @param lock The lock.
 */
OMNIHEAP_PORT_HOOK void omniheap_port_lock_release(omniheap_port_lock_t *lock);

/**
 * @brief Waits on a lock's condition until notified or until a deadline.
 *
 * Called with `lock` held. Atomically releases it, sleeps until
 * omniheap_port_notify_all() is called on the same lock or until
 * omniheap_port_time_us() reaches `deadline_us`, then re-acquires `lock`
 * before returning. Spurious wake-ups are allowed.
 * @param lock        The lock, held by the caller.
 * @param deadline_us Absolute deadline on the omniheap_port_time_us() clock,
 *                    or OMNIHEAP_PORT_FOREVER.
 * @retval OMNIHEAP_PORT_WOKEN   notified (or spurious wake-up).
 * @retval OMNIHEAP_PORT_TIMEOUT the deadline passed, or the port cannot block
 *         (ports without a scheduler or time source return this at once).
 */
OMNIHEAP_PORT_HOOK int omniheap_port_wait(omniheap_port_lock_t *lock, uint64_t deadline_us);

/**
 * @brief Wakes every waiter of a lock's condition.
 * @param lock The lock, held by the caller.
 * @par Contract
 * Harmless when nobody waits.
 */
OMNIHEAP_PORT_HOOK void omniheap_port_notify_all(omniheap_port_lock_t *lock);
/** @} */

/** @name Time */
/** @{ */

/**
 * @brief Monotonic time in microseconds.
 * @return Microseconds since an arbitrary origin; never decreases. A port
 *         without a time source returns 0 (and then omniheap_port_wait()
 *         never blocks).
 * @par Contract
 * Callable from any thread and, on interrupt-capable ports, from interrupt
 * handlers.
 */
OMNIHEAP_PORT_HOOK uint64_t omniheap_port_time_us(void);
/** @} */

/** @name Failure and output */
/** @{ */

/**
 * @brief Stops the program after an unrecoverable error.
 *
 * Called where a family's contract asserts (e.g. a double free on a k_heap)
 * or aborts (MMT out of memory), after the fault handler chose
 * OMNIHEAP_FAULT_PANIC.
 * @param message NUL-terminated description (never NULL).
 * @note Must not return. posix: writes `message` to stderr and calls
 *       abort(). cortex-m: writes it through omniheap_port_write() and calls
 *       abort() (newlib; with semihosting this ends the program).
 */
OMNIHEAP_PORT_HOOK void omniheap_port_panic(const char *message)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((noreturn))
#endif
    ;

/**
 * @brief Reports a detected fault (double free, foreign pointer, corrupted
 *        metadata ...). Called by the default fault handler (see
 *        omniheap_set_fault_handler()) before the family returns its error or
 *        panics.
 * @param fault The fault (valid only during the call). `fault->heap` is
 *        NULL when the heap is not registered.
 * @note Typically writes one line through the port's output. Must return.
 */
OMNIHEAP_PORT_HOOK void omniheap_port_corruption(const omniheap_fault_t *fault);

/**
 * @brief Writes text for print and dump functions (omniheap_report(),
 *        `heapmem_print_debug_info()`, `sys_heap_print_info()`,
 *        `ffit_print_heap()` ...).
 * @param text   Characters to write (not NUL-terminated).
 * @param length Number of characters; may be 0.
 * @note A port without an output may discard the text.
 */
OMNIHEAP_PORT_HOOK void omniheap_port_write(const char *text, size_t length);
/** @} */

#ifdef __cplusplus
}
#endif

#endif /* OMNIHEAP_PORT_H */
