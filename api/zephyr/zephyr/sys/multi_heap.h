/**
 * @file zephyr/sys/multi_heap.h
 * @brief Zephyr's multi-heap (`sys_multi_heap`): one allocator over several
 *        sys_heap regions with different properties (fast RAM, DMA-capable,
 *        cached ...), routed by a user "choice" callback.
 *
 * Firmware written for Zephyr compiles unchanged with
 * `#include <zephyr/sys/multi_heap.h>` (and <zephyr/sys/sys_heap.h> for the
 * member heaps). See @ref family_multi_heap.
 *
 * @par What omniheap guarantees beyond Zephyr
 * - sys_multi_heap_get_heap() returns NULL for an address inside no member
 *   heap (Zephyr reads before its array there).
 * - sys_multi_heap_free() and sys_multi_heap_aligned_realloc() of such an
 *   address report OMNIHEAP_FAULT_FOREIGN_POINTER to the fault handler
 *   (default: panic, as Zephyr's sys_heap asserts) and change nothing;
 *   free(NULL) does nothing by design.
 * - sys_multi_heap_add_heap() on a full multi-heap (MAX_MULTI_HEAPS), or
 *   with a NULL heap, reports OMNIHEAP_FAULT_BAD_ARGUMENT (default: panic, as
 *   Zephyr asserts) and adds nothing.
 * - sys_multi_heap_aligned_realloc() with an alignment that is not of
 *   sys_heap_aligned_alloc()'s form reports OMNIHEAP_FAULT_BAD_ALIGNMENT
 *   once and returns NULL.
 * - Not synchronised, as Zephyr: the caller serialises, or the library is
 *   built with OMNIHEAP_CONF_MULTI_HEAP_LOCKED = 1 (every call then runs in
 *   the port's critical section, the choice callback included).
 * - The member heaps stay in omniheap's registry as sys_heaps, so the native
 *   API sees each region's statistics.
 */
#ifndef ZEPHYR_INCLUDE_SYS_MULTI_HEAP_H_
#define ZEPHYR_INCLUDE_SYS_MULTI_HEAP_H_

#include <zephyr/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Capacity of a sys_multi_heap: at most this many member heaps. */
#define MAX_MULTI_HEAPS 8

struct sys_heap;
struct sys_multi_heap;

/**
 * @brief The choice callback of a multi-heap: picks a member heap for a
 *        request described by `cfg` and **performs the allocation itself**
 *        (normally `sys_heap_aligned_alloc(rec->heap, align, size)`).
 *
 * It must return memory of a heap added with sys_multi_heap_add_heap()
 * (free and realloc find the heap by address), or NULL.
 * @param mheap The multi-heap.
 * @param cfg   The caller's opaque configuration (e.g. the wanted region).
 * @param align Alignment (0: none).
 * @param size  Size.
 * @return The block, or NULL.
 */
typedef void *(*sys_multi_heap_fn_t)(struct sys_multi_heap *mheap, void *cfg, size_t align,
                                     size_t size);

/** @brief One member heap of a multi-heap. */
struct sys_multi_heap_rec {
  struct sys_heap *heap; /**< The member heap (initialised). */
  void *user_data;       /**< The value given to sys_multi_heap_add_heap(). */
};

/**
 * @brief A multi-heap. Declare one (statically), then
 *        sys_multi_heap_init() and sys_multi_heap_add_heap().
 */
struct sys_multi_heap {
  unsigned int nheaps;                               /**< Number of member heaps. */
  sys_multi_heap_fn_t choice;                        /**< The choice callback. */
  struct sys_multi_heap_rec heaps[MAX_MULTI_HEAPS]; /**< Members, sorted by address. */
};

/**
 * @brief Empties a multi-heap and sets its choice callback.
 * @param heap      The multi-heap.
 * @param choice_fn The callback that routes and performs allocations.
 */
void sys_multi_heap_init(struct sys_multi_heap *heap, sys_multi_heap_fn_t choice_fn);

/**
 * @brief Adds an initialised sys_heap; the members stay sorted by the
 *        address of their memory.
 * @param mheap     The multi-heap.
 * @param heap      A heap set up with sys_heap_init() (or statically defined).
 * @param user_data Stored in the member's record for the choice callback.
 * @par Failure
 * A full multi-heap (MAX_MULTI_HEAPS members), or a NULL `heap`, reports
 * OMNIHEAP_FAULT_BAD_ARGUMENT (default: panic) and adds nothing.
 */
void sys_multi_heap_add_heap(struct sys_multi_heap *mheap, struct sys_heap *heap, void *user_data);

/**
 * @brief Allocates through the choice callback: `choice(mheap, cfg, 0, bytes)`.
 * @param mheap The multi-heap.
 * @param cfg   Passed to the callback.
 * @param bytes Size.
 * @return What the callback returned.
 */
void *sys_multi_heap_alloc(struct sys_multi_heap *mheap, void *cfg, size_t bytes);

/**
 * @brief Allocates through the choice callback: `choice(mheap, cfg, align, bytes)`.
 * @param mheap The multi-heap.
 * @param cfg   Passed to the callback.
 * @param align Alignment, passed to the callback.
 * @param bytes Size.
 * @return What the callback returned.
 */
void *sys_multi_heap_aligned_alloc(struct sys_multi_heap *mheap, void *cfg, size_t align,
                                   size_t bytes);

/**
 * @brief The member heap whose memory holds `addr`.
 * @param mheap The multi-heap.
 * @param addr  Any address.
 * @return Its record, or NULL if `addr` lies in no member heap (unlike
 *         Zephyr, which reads out of bounds there).
 * @par Complexity
 * O(MAX_MULTI_HEAPS).
 */
const struct sys_multi_heap_rec *sys_multi_heap_get_heap(const struct sys_multi_heap *mheap,
                                                         void *addr);

/**
 * @brief Frees a block of any member heap.
 * @param mheap The multi-heap.
 * @param block The block, or NULL (no effect).
 * @par Failure
 * An address in no member heap is reported as OMNIHEAP_FAULT_FOREIGN_POINTER
 * (default: panic); a bad pointer inside a member is reported by that
 * sys_heap (sys_heap_free()).
 */
void sys_multi_heap_free(struct sys_multi_heap *mheap, void *block);

/**
 * @brief Resizes a block: in its own heap if it can (sys_heap_aligned_realloc()),
 *        else a new block through the choice callback, the contents copied
 *        (up to the smaller size) and the old block freed.
 *
 * `ptr` NULL: sys_multi_heap_aligned_alloc(). `bytes` 0: frees `ptr`,
 * returns NULL.
 * @param mheap The multi-heap.
 * @param cfg   Passed to the callback if the block moves.
 * @param ptr   A block of a member heap, or NULL.
 * @param align Alignment.
 * @param bytes New size.
 * @return The block, or NULL (then `ptr` is unchanged, unless `bytes` was 0;
 *         also for a `ptr` in no member heap, reported as
 *         OMNIHEAP_FAULT_FOREIGN_POINTER, and for an `align` that is not of
 *         sys_heap_aligned_alloc()'s form, reported once as
 *         OMNIHEAP_FAULT_BAD_ALIGNMENT; default action: panic).
 */
void *sys_multi_heap_aligned_realloc(struct sys_multi_heap *mheap, void *cfg, void *ptr,
                                     size_t align, size_t bytes);

/**
 * @brief sys_multi_heap_aligned_realloc() with no alignment.
 * @param mheap The multi-heap.
 * @param cfg   Passed to the callback if the block moves.
 * @param ptr   A block of a member heap, or NULL.
 * @param bytes New size.
 */
#define sys_multi_heap_realloc(mheap, cfg, ptr, bytes) \
  sys_multi_heap_aligned_realloc(mheap, cfg, ptr, 0, bytes)

#ifdef __cplusplus
}
#endif

#endif /* ZEPHYR_INCLUDE_SYS_MULTI_HEAP_H_ */
