/**
 * @file zephyr/toolchain.h
 * @brief The few toolchain macros that omniheap's Zephyr headers use.
 *
 * Zephyr's own `toolchain.h` defines many more; firmware that needs them
 * includes Zephyr's. Each macro here is only defined if it is not already.
 */
#ifndef ZEPHYR_INCLUDE_TOOLCHAIN_H_
#define ZEPHYR_INCLUDE_TOOLCHAIN_H_

#ifndef __aligned
/** Aligns a variable or type to `x` bytes (GCC/Clang attribute). */
#define __aligned(x) __attribute__((__aligned__(x)))
#endif

#endif /* ZEPHYR_INCLUDE_TOOLCHAIN_H_ */
