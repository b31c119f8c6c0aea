/**
 * @file memory.h
 * @brief Montimage MMT memory statistics (mmt_meminfo()), and omniheap's MMT
 *        extensions: run-time arena, registry handle, listeners, and the
 *        hardened fork's arena (bump) allocator.
 *
 * Upstream keeps this header private (`src/mmt_core/private_include/memory.h`)
 * and only declares mmt_meminfo(), which has not been defined since 2016;
 * omniheap defines it, thread-safe. Keep `#include "memory.h"` with the
 * include root `api/mmt` first on the include path (the name is generic:
 * omniheap's other include roots never shadow it). See @ref family_mmt.
 *
 * Everything declared here counts in MMT's statistics: the blocks of an
 * mmt_arena_t are MMT blocks (of the backing store chosen by
 * OMNIHEAP_CONF_MMT_BACKEND or mmt_use_arena()).
 */
#ifndef _MMT_MEMORY_H
#define _MMT_MEMORY_H

#include <stdint.h>
#include <stdlib.h>

#include "omniheap.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @name Statistics (upstream) */
/** @{ */

/**
 * @brief MMT's byte counters, as mmt_meminfo() reports them.
 *
 * Both count requested bytes (the `size` arguments), never headers:
 * `allocated - freed` is exactly the bytes of the blocks in use (the
 * registry's `in_use` of the MMT heap).
 */
struct mmt_meminfo {
  uint64_t allocated; /**< Bytes ever allocated: every mmt_malloc() size, and the new size of every mmt_realloc() that succeeded on a block. */
  uint64_t freed;     /**< Bytes ever freed: the size of every block freed, and the old size of every mmt_realloc() that succeeded on a block. */
};

/** @brief Upstream's name of struct mmt_meminfo. */
typedef struct mmt_meminfo mmt_meminfo_t;

/**
 * @brief Copies MMT's byte counters.
 *
 * Upstream declares this function but has not defined it since 2016;
 * omniheap defines it. Both counters are read together under MMT's lock, so
 * they are consistent with each other even while other threads allocate.
 * @param info Where to store them; NULL: nothing happens.
 * @par Complexity, safety
 * O(1); thread-safe; not from interrupt handlers on ports whose locks block.
 */
#if defined(__cplusplus) && defined(__GNUC__)
/* In C++ the function's name, upstream's, hides the struct's (-Wshadow). */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wshadow"
#endif
extern void mmt_meminfo(mmt_meminfo_t *info);
#if defined(__cplusplus) && defined(__GNUC__)
#pragma GCC diagnostic pop
#endif
/** @} */

/** @name Backing store (omniheap extension) */
/** @{ */

/**
 * @brief Makes MMT allocate from `bytes` bytes at `mem` from now on.
 *
 * MMT's blocks normally come from the backing store chosen when the library
 * is built (OMNIHEAP_CONF_MMT_BACKEND: the C library's `malloc()`, or a
 * static arena of OMNIHEAP_CONF_MMT_ARENA_SIZE bytes). This switches to an
 * arena (omniheap's bounded-time engine) over the caller's memory, in
 * either build; it may be called again later to move to another region.
 * The statistics continue (counters are not reset; the capacity becomes
 * the new arena's).
 * @param mem   The region (any alignment; the start is rounded up). It must
 *              stay valid, and be used by nothing else, for as long as MMT
 *              uses it.
 * @param bytes Its size.
 * @retval 0  done: every later allocation comes from the region.
 * @retval -1 nothing changed: MMT has blocks in use (mmt_arena_t blocks
 *            included), `mem` is NULL, or the region cannot hold the
 *            arena's metadata and one block.
 * @par Complexity, safety
 * O(log2(bytes)); thread-safe.
 */
int mmt_use_arena(void *mem, size_t bytes);
/** @} */

/** @name Registry and listeners (omniheap extension)
 *  MMT is one heap of omniheap's registry, named "mmt", family
 *  OMNIHEAP_FAMILY_MMT, registered on first use. Its byte counts are
 *  requested bytes (`in_use`, `peak`, and the sizes of its events), the
 *  unit of mmt_meminfo(). */
/** @{ */

/**
 * @brief The registry handle of MMT.
 * @return The handle (MMT is registered now if it was not, also after
 *         omniheap_heap_unregister()), or NULL if the registry is full.
 * @par Complexity, safety
 * O(OMNIHEAP_CONF_MAX_HEAPS); thread-safe.
 */
omniheap_heap_t *mmt_omniheap(void);

/**
 * @brief Registers a listener on MMT: omniheap_listener_register() with
 *        MMT's handle (mmt_omniheap()).
 *
 * This is the listener/observer mechanism that MMT's design documents
 * promise ("a threshold on memory usage"): with OMNIHEAP_ON_THRESHOLD and a
 * threshold, `fn` hears once when the bytes in use reach it and once when
 * they fall back under `threshold - hysteresis`; OMNIHEAP_ON_FAILURE
 * reports every allocation that fails (in the default build before the
 * panic), OMNIHEAP_ON_FAULT every detected misuse, OMNIHEAP_ON_OPERATIONS
 * every mmt_malloc(), mmt_realloc() and mmt_free().
 * @param listener   Caller-owned storage (see omniheap_listener_t);
 *                   unregister with omniheap_listener_unregister().
 * @param events     Mask of OMNIHEAP_ON_* bits; non-zero.
 * @param threshold  Bytes in use (requested bytes) for OMNIHEAP_EVENT_ABOVE.
 * @param hysteresis OMNIHEAP_EVENT_BELOW fires under `threshold - hysteresis`.
 * @param fn         The callback; it runs with MMT's lock held and must not
 *                   allocate (see omniheap_listener_fn).
 * @param context    Passed to `fn`.
 * @retval OMNIHEAP_OK          registered.
 * @retval OMNIHEAP_ERR_INVALID `listener` or `fn` is NULL, or `events` has
 *         no valid bit.
 * @retval OMNIHEAP_ERR_FULL    MMT could not be registered (registry full).
 * @par Complexity, safety
 * As omniheap_listener_register().
 */
int mmt_listen(omniheap_listener_t *listener, unsigned events, size_t threshold, size_t hysteresis,
               omniheap_listener_fn fn, void *context);
/** @} */

/** @name Arena allocator (hardened fork montimage-projects/mmt-dpi)
 *  A bump allocator for many short-lived objects freed together. Its blocks
 *  come from MMT's backing store and count in MMT's statistics (one MMT
 *  block per arena descriptor and per arena block). Unlike mmt_malloc(),
 *  these functions return NULL on failure and never panic. An arena is not
 *  thread-safe: one thread (or a lock of the caller's) per arena. */
/** @{ */

#ifndef MMT_ARENA_ALIGN
/** Alignment of every mmt_arena_alloc() block, and the unit requests are
 *  rounded up to. */
#define MMT_ARENA_ALIGN 16
#endif

#ifndef MMT_ARENA_DEFAULT_BLOCK_SIZE
/** Payload bytes of an arena block when mmt_arena_create() is given 0. */
#define MMT_ARENA_DEFAULT_BLOCK_SIZE 16384
#endif

/** @brief An arena (opaque). */
typedef struct mmt_arena_s mmt_arena_t;

/**
 * @brief Creates an arena with its first block.
 * @param block_size Payload bytes of each arena block;
 *                   0: MMT_ARENA_DEFAULT_BLOCK_SIZE (16 KiB).
 * @return The arena, or NULL if memory for it or its first block is
 *         lacking (nothing is left allocated then).
 * @par Complexity
 * Two MMT allocations.
 */
mmt_arena_t *mmt_arena_create(size_t block_size);

/**
 * @brief Allocates from an arena.
 *
 * `size` is rounded up to MMT_ARENA_ALIGN (0 counts as 1) and cut from the
 * current block; when that block is full, a new block of the arena's block
 * size is chained; a request larger than the block size gets a block of its
 * own (and the current block stays current).
 * @param a    The arena; NULL gives NULL.
 * @param size Bytes wanted.
 * @return A block aligned to MMT_ARENA_ALIGN, valid until mmt_arena_reset()
 *         or mmt_arena_destroy(); NULL if `a` is NULL, the size overflows,
 *         or no memory is left.
 * @par Complexity
 * O(1); one MMT allocation when a new block is needed.
 */
void *mmt_arena_alloc(mmt_arena_t *a, size_t size);

/**
 * @brief Frees everything allocated from an arena but keeps its first block
 *        (empty) for reuse.
 * @param a The arena; NULL: nothing happens.
 * @par Complexity
 * O(blocks of the arena).
 */
void mmt_arena_reset(mmt_arena_t *a);

/**
 * @brief Frees an arena, its blocks and everything allocated from it.
 * @param a The arena; NULL: nothing happens.
 * @par Complexity
 * O(blocks of the arena).
 */
void mmt_arena_destroy(mmt_arena_t *a);
/** @} */

#ifdef __cplusplus
}
#endif

#endif /* _MMT_MEMORY_H */
