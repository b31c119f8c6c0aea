/**
 * @file zephyr/sys/mem_stats.h
 * @brief Zephyr's memory statistics structure.
 */
#ifndef ZEPHYR_INCLUDE_SYS_MEM_STATS_H_
#define ZEPHYR_INCLUDE_SYS_MEM_STATS_H_

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief Runtime statistics of a heap (sys_heap_runtime_stats_get()).
 *
 * omniheap counts whole chunks, headers included (as Zephyr did up to 4.3):
 * `free_bytes + allocated_bytes` is the same constant for the life of a heap.
 */
struct sys_memory_stats {
  size_t free_bytes;          /**< Bytes in free chunks. */
  size_t allocated_bytes;     /**< Bytes in allocated chunks. */
  size_t max_allocated_bytes; /**< High-water mark of `allocated_bytes` since init or the last reset. */
};

#ifdef __cplusplus
}
#endif

#endif /* ZEPHYR_INCLUDE_SYS_MEM_STATS_H_ */
