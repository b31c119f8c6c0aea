/**
 * @file omniheap_port_cortexm.h
 * @brief Extra functions of the bare-metal Cortex-M port (time base).
 *
 * The `cortex-m` port needs a time base for omniheap_port_time_us() and for
 * blocking allocations with a timeout. It uses SysTick: the firmware either
 * lets the port start SysTick (omniheap_port_cortexm_systick_start()) and
 * calls omniheap_port_cortexm_systick_isr() from its `SysTick_Handler`, or,
 * if SysTick already belongs to an RTOS or HAL, calls
 * omniheap_port_cortexm_systick_isr() from that tick hook after
 * omniheap_port_cortexm_systick_start() has recorded the rate with
 * `start_timer = 0`.
 *
 * Without a running time base omniheap_port_time_us() stays at 0 and
 * omniheap_port_wait() returns OMNIHEAP_PORT_TIMEOUT at once: blocking
 * allocations behave as with K_NO_WAIT.
 */
#ifndef OMNIHEAP_PORT_CORTEXM_H
#define OMNIHEAP_PORT_CORTEXM_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief Sets up the port's time base.
 * @param core_hz     Frequency of the processor clock that drives SysTick, in Hz.
 * @param tick_hz     Tick rate in Hz (e.g. 1000); 1 ... min(core_hz, 1000000).
 *                    Time advances by `1000000 / tick_hz` µs per tick,
 *                    rounded down: choose a rate that divides 1000000, or
 *                    the clock runs slow.
 * @param start_timer Non-zero: program and start SysTick (processor clock,
 *                    interrupt enabled). Zero: SysTick is run by someone else
 *                    at `tick_hz`; only record the rate (time then advances
 *                    by whole ticks only).
 * @retval 0  the time base is set up.
 * @retval -1 the arguments are out of range: `tick_hz` is 0, above
 *            `core_hz` or above 1000000, or (with `start_timer`) the reload
 *            value `core_hz / tick_hz - 1` is 0 or above 2^24 - 1. Nothing
 *            was changed.
 * @par Complexity, safety
 * O(1). Call once, from thread mode, before relying on timeouts.
 */
int omniheap_port_cortexm_systick_start(uint32_t core_hz, uint32_t tick_hz, int start_timer);

/**
 * @brief Advances the port's time by one tick. Call it from the SysTick
 *        interrupt handler (or the RTOS tick hook), once per tick.
 * @par Complexity, safety
 * O(1). Interrupt context (the SysTick handler or the tick hook); not
 * re-entrant: call it from one interrupt priority only.
 */
void omniheap_port_cortexm_systick_isr(void);

#ifdef __cplusplus
}
#endif

#endif /* OMNIHEAP_PORT_CORTEXM_H */
