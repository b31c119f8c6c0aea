/**
 * @file zephyr/sys_clock.h
 * @brief Zephyr's kernel timeouts (`k_timeout_t`, `K_NO_WAIT`, `K_FOREVER`,
 *        `K_MSEC()` ...), as the blocking heap calls of <zephyr/kernel.h>
 *        take them.
 *
 * A timeout is a number of ticks of the kernel clock; the tick rate is
 * OMNIHEAP_CONF_SYS_CLOCK_TICKS_PER_SEC (Zephyr: `CONFIG_SYS_CLOCK_TICKS_PER_SEC`),
 * fixed when the library is built. omniheap turns a relative timeout into a
 * deadline on the port's monotonic clock (omniheap_port_time_us()) when the
 * call first has to wait (a call that succeeds at once never reads the
 * clock); an absolute one (K_TIMEOUT_ABS_TICKS() ..., 64-bit ticks only)
 * counts ticks from that clock's origin.
 */
#ifndef ZEPHYR_INCLUDE_SYS_CLOCK_H_
#define ZEPHYR_INCLUDE_SYS_CLOCK_H_

#include <zephyr/types.h>

#include "omniheap_config.h"

#if defined(CONFIG_SYS_CLOCK_TICKS_PER_SEC) && \
    (CONFIG_SYS_CLOCK_TICKS_PER_SEC + 0 != OMNIHEAP_CONF_SYS_CLOCK_TICKS_PER_SEC)
#error "CONFIG_SYS_CLOCK_TICKS_PER_SEC differs from the omniheap library's OMNIHEAP_CONF_SYS_CLOCK_TICKS_PER_SEC: rebuild the library with it"
#endif

#ifndef CONFIG_SYS_CLOCK_TICKS_PER_SEC
/** Kernel ticks per second: the library's OMNIHEAP_CONF_SYS_CLOCK_TICKS_PER_SEC. */
#define CONFIG_SYS_CLOCK_TICKS_PER_SEC OMNIHEAP_CONF_SYS_CLOCK_TICKS_PER_SEC
#endif

#if OMNIHEAP_CONF_TIMEOUT_64BIT
#ifndef CONFIG_TIMEOUT_64BIT
/** Defined (1) when timeouts count ticks in 64 bits (OMNIHEAP_CONF_TIMEOUT_64BIT). */
#define CONFIG_TIMEOUT_64BIT 1
#endif
/** A number of kernel ticks: signed 64-bit (`CONFIG_TIMEOUT_64BIT`). */
typedef int64_t k_ticks_t;
#else
/** A number of kernel ticks: unsigned 32-bit (no `CONFIG_TIMEOUT_64BIT`). */
typedef uint32_t k_ticks_t;
#endif

/** Tick count of a timeout that never expires (`K_FOREVER`). */
#ifdef __cplusplus
#define K_TICKS_FOREVER (static_cast<k_ticks_t>(-1))
#else
#define K_TICKS_FOREVER ((k_ticks_t)-1)
#endif

/**
 * @brief A kernel timeout: relative (to the moment the call that takes it
 *        first has to wait) or absolute (K_TIMEOUT_ABS_TICKS()). Compare
 *        with K_TIMEOUT_EQ(), build with the `K_*` macros.
 */
typedef struct {
  k_ticks_t ticks; /**< Ticks to wait; 0: do not wait; K_TICKS_FOREVER: no limit. */
} k_timeout_t;

/** @brief A timeout of `t` ticks (a k_timeout_t value). */
#ifdef __cplusplus
#define Z_TIMEOUT_TICKS(t) (k_timeout_t{static_cast<k_ticks_t>(t)})
#else
#define Z_TIMEOUT_TICKS(t) ((k_timeout_t){(k_ticks_t)(t)})
#endif

/** @brief The timeout that does not wait. */
#define Z_TIMEOUT_NO_WAIT Z_TIMEOUT_TICKS(0)

/** @brief The timeout that never expires. */
#define Z_FOREVER Z_TIMEOUT_TICKS(K_TICKS_FOREVER)

/** @cond OMNIHEAP_INTERNAL */
/* n units of `per` per second, in ticks, rounded up; 0 for n <= 0. */
#define Z_OMNI_TO_TICKS_CEIL_(n, per)                                                     \
  ((n) > 0 ? (((uint64_t)(n) * (uint64_t)CONFIG_SYS_CLOCK_TICKS_PER_SEC + ((per) - 1u)) / \
              (uint64_t)(per))                                                            \
           : 0u)
/** @endcond */

/** @brief A timeout of `ms` milliseconds, rounded up to whole ticks (negative: 0). */
#define Z_TIMEOUT_MS(ms) Z_TIMEOUT_TICKS(Z_OMNI_TO_TICKS_CEIL_(ms, 1000u))

/** @brief A timeout of `us` microseconds, rounded up to whole ticks (negative: 0). */
#define Z_TIMEOUT_US(us) Z_TIMEOUT_TICKS(Z_OMNI_TO_TICKS_CEIL_(us, 1000000u))

/** @brief Do not wait: the call returns at once if it cannot succeed. */
#define K_NO_WAIT Z_TIMEOUT_NO_WAIT

/** @brief Wait as long as it takes. */
#define K_FOREVER Z_FOREVER

/** @brief Wait at most `t` kernel ticks. */
#define K_TICKS(t) Z_TIMEOUT_TICKS((t) > 0 ? (t) : 0)

/** @brief Wait at most `us` microseconds (rounded up to ticks). */
#define K_USEC(us) Z_TIMEOUT_US(us)

/** @brief Wait at most `ms` milliseconds (rounded up to ticks). */
#define K_MSEC(ms) Z_TIMEOUT_MS(ms)

/** @brief Wait at most `s` seconds. */
#define K_SECONDS(s) K_MSEC((s) * 1000)

/** @brief Wait at most `m` minutes. */
#define K_MINUTES(m) K_SECONDS((m) * 60)

/** @brief Wait at most `h` hours. */
#define K_HOURS(h) K_MINUTES((h) * 60)

#if OMNIHEAP_CONF_TIMEOUT_64BIT
/** @brief The timeout that expires when the port's clock reaches `t` ticks
 *         (Zephyr's encoding: K_TICKS_FOREVER - 1 - t). */
#define K_TIMEOUT_ABS_TICKS(t) Z_TIMEOUT_TICKS(K_TICKS_FOREVER - 1 - (k_ticks_t)(t))
/** @brief The timeout that expires when the port's clock reaches `t` ms. */
#define K_TIMEOUT_ABS_MS(t) K_TIMEOUT_ABS_TICKS(Z_OMNI_TO_TICKS_CEIL_(t, 1000u))
/** @brief The timeout that expires when the port's clock reaches `t` µs. */
#define K_TIMEOUT_ABS_US(t) K_TIMEOUT_ABS_TICKS(Z_OMNI_TO_TICKS_CEIL_(t, 1000000u))
#endif

/** @brief True if two k_timeout_t values are the same timeout. */
#define K_TIMEOUT_EQ(a, b) ((a).ticks == (b).ticks)

#endif /* ZEPHYR_INCLUDE_SYS_CLOCK_H_ */
