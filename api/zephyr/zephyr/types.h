/**
 * @file zephyr/types.h
 * @brief The integer types Zephyr headers rely on (`<stdint.h>`,
 *        `<stddef.h>`), for the Zephyr APIs omniheap provides.
 */
#ifndef ZEPHYR_INCLUDE_TYPES_H_
#define ZEPHYR_INCLUDE_TYPES_H_

#include <stddef.h>
#include <stdint.h>

#endif /* ZEPHYR_INCLUDE_TYPES_H_ */
