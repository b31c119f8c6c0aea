/**
 * @file emh_malloc.h
 * @brief emh_malloc ("embedded multi-heap", API of v1.6): isolated heaps,
 *        one per task or subsystem, on omniheap's bounded-time engine.
 *
 * Firmware written for emh_malloc compiles unchanged with
 * `#include "emh_malloc.h"` and the include root `api/emh`. See
 * @ref family_emh.
 *
 * @par emh_portenv.h
 * Upstream needs a user-supplied `<emh_portenv.h>` (alignment, heap count,
 * lock macros). omniheap includes it when the include path has one
 * (`__has_include`) and works without it:
 * - `EMH_MALLOC_BYTE_ALIGNMENT` and `EMH_MALLOC_N_HEAPS` are fixed when the
 *   library is built (OMNIHEAP_CONF_EMH_ALIGNMENT, OMNIHEAP_CONF_EMH_N_HEAPS;
 *   the upstream names are accepted there). A firmware whose emh_portenv.h
 *   asks for more heaps or a stronger alignment than the library has stops
 *   with `#error` (rebuild the library with its values); fewer heaps or a
 *   weaker alignment are fine.
 * - The lock macros `__emh_create_zone__()`, `__emh_lock_zone__()` and
 *   `__emh_unlock_zone__()` may stay in it but are not used: every heap has
 *   its own lock from the port layer (omniheap_port.h), so heaps never
 *   contend with each other and no error path leaves a lock held.
 *
 * @par What omniheap guarantees beyond upstream
 * - Ids are 0 ... EMH_MALLOC_N_HEAPS - 1; any other id (negative, too large,
 *   or a heap never created) gives NULL. A full table makes emh_create()
 *   return -1.
 * - Blocks of any size on 32-bit targets (no 64 KiB limit); every block of
 *   heap i lies inside the region given to emh_create() for i.
 * - The heap of a block is read from the block in O(1) (a tagged word just
 *   below it, tied to its address), so emh_free() and emh_realloc() need no
 *   heap id; alloc, free and realloc run in bounded time.
 * - emh_calloc() checks `n * size` for overflow and does not over-allocate;
 *   emh_realloc() stays in the block's heap and works in place when it can.
 * - A pointer that is no block in use (double free, foreign or interior
 *   pointer, damaged tag) is reported to omniheap's fault handler
 *   (default action: return, as upstream ignores it) and nothing changes.
 * - Every heap joins omniheap's registry ("emh0", "emh1" ...).
 */
#ifndef EMH_MALLOC_H
#define EMH_MALLOC_H

#include <stddef.h>

#if defined(__has_include)
#if __has_include(<emh_portenv.h>)
#include <emh_portenv.h>
#endif
#endif

#include "omniheap_config.h"

#if defined(EMH_MALLOC_N_HEAPS) && (EMH_MALLOC_N_HEAPS + 0 > OMNIHEAP_CONF_EMH_N_HEAPS)
#error "EMH_MALLOC_N_HEAPS is larger than the omniheap library's OMNIHEAP_CONF_EMH_N_HEAPS: rebuild the library with it"
#endif
#if defined(EMH_MALLOC_BYTE_ALIGNMENT) && (EMH_MALLOC_BYTE_ALIGNMENT + 0 > OMNIHEAP_CONF_EMH_ALIGNMENT) && \
    (EMH_MALLOC_BYTE_ALIGNMENT + 0 > 8)
#error "EMH_MALLOC_BYTE_ALIGNMENT is stronger than the omniheap library's OMNIHEAP_CONF_EMH_ALIGNMENT: rebuild the library with it"
#endif

#ifdef __cplusplus
extern "C" {
#endif

/** Mask of the 7-bit heap id. */
#define EMH_MALLOC_HEAP_ID_BITMASK 0x7F
/** Bits per byte. */
#define EMH_MALLOC_BITS_PER_BYTE 8
/** Largest number of heaps any build can have. */
#define EMH_MALLOC_MAX_HEAPS 127

#ifndef EMH_MALLOC_N_HEAPS
/** Number of heaps this library has (OMNIHEAP_CONF_EMH_N_HEAPS, default 2). */
#define EMH_MALLOC_N_HEAPS OMNIHEAP_CONF_EMH_N_HEAPS
#endif

#ifndef EMH_MALLOC_BYTE_ALIGNMENT
/** Alignment of every block (OMNIHEAP_CONF_EMH_ALIGNMENT, default 8). */
#define EMH_MALLOC_BYTE_ALIGNMENT OMNIHEAP_CONF_EMH_ALIGNMENT
#endif

/** EMH_MALLOC_BYTE_ALIGNMENT - 1. */
#define EMH_MALLOC_BYTE_ALIGN_MASK (EMH_MALLOC_BYTE_ALIGNMENT - 1)

/** @brief A heap id: 0 ... EMH_MALLOC_N_HEAPS - 1, or negative for "none". */
typedef signed char emh_heapId_t;

/** @brief Upstream's per-block header, declared for source compatibility
 *         only: omniheap's blocks do not use it. */
typedef struct emh_blockLink_t {
  size_t blockSize;                 /**< Upstream: size, allocated flag and heap id. */
  struct emh_blockLink_t *nextFree; /**< Upstream: next free block. */
} emh_blockLink_t;

/** @brief Upstream's per-heap descriptor, declared for source
 *         compatibility only (omniheap keeps its own, internally). */
typedef struct emh_heapLink_t {
  emh_blockLink_t start;  /**< Upstream: list head. */
  emh_blockLink_t *end;   /**< Upstream: end sentinel. */
  size_t freeBytes;       /**< Upstream: free bytes. */
  size_t remainBytes;     /**< Upstream: low-water mark of free bytes. */
} emh_heapLink_t;

/**
 * @brief Makes `heapSize` bytes at `heapAddr` a new heap.
 * @param heapAddr Memory for the heap (any alignment; the start is rounded
 *                 up); it must not overlap another heap.
 * @param heapSize Its size.
 * @return The new heap's id (0 ... EMH_MALLOC_N_HEAPS - 1), or -1 if every
 *         id is taken, `heapAddr` is NULL, or the region cannot hold the
 *         heap's metadata and one smallest block. There is no way to destroy
 *         a heap (as upstream).
 * @par Complexity
 * O(EMH_MALLOC_N_HEAPS) plus O(log2(heapSize)) to set the heap up.
 */
emh_heapId_t emh_create(void *heapAddr, size_t heapSize);

/**
 * @brief Allocates a block in heap `heapId`.
 * @param heapId The heap.
 * @param size   Size; 0 gives NULL.
 * @return A block of at least `size` bytes inside the heap's region,
 *         aligned to EMH_MALLOC_BYTE_ALIGNMENT (at least 8), not zeroed; or
 *         NULL (bad id, `size` 0, no room).
 * @par Complexity
 * O(1).
 */
void *emh_malloc(emh_heapId_t heapId, size_t size);

/**
 * @brief Frees a block of any heap.
 * @param addr A block from emh_malloc(), emh_calloc() or emh_realloc(), or
 *             NULL (no effect).
 * @par Failure
 * A pointer that is no block in use is reported to the fault handler
 * (OMNIHEAP_FAULT_DOUBLE_FREE, _FOREIGN_POINTER, _INTERIOR_POINTER or
 * _CORRUPT_METADATA; default action: return) and nothing is freed.
 * @par Complexity
 * O(1); O(heaps + chunks) only to name a fault.
 */
void emh_free(void *addr);

/**
 * @brief Allocates a zeroed array of `n` elements of `size` bytes in heap
 *        `heapId`.
 * @param heapId The heap.
 * @param n      Number of elements.
 * @param size   Size of one element.
 * @return The zeroed block, or NULL (bad id, `n * size` overflows or is 0,
 *         no room).
 */
void *emh_calloc(emh_heapId_t heapId, size_t n, size_t size);

/**
 * @brief Resizes a block, in its own heap.
 *
 * - `addr` NULL: returns NULL and allocates nothing (as upstream: no heap
 *   id is known).
 * - `size` 0: frees `addr`, returns NULL.
 * - Otherwise the block grows or shrinks in place when it can; if not, a new
 *   block of the same heap gets the contents (up to the smaller size) and
 *   the old one is freed.
 * @param addr A block, or NULL.
 * @param size New size.
 * @return The block (maybe moved), or NULL (then `addr` is unchanged and
 *         still valid, unless `size` was 0). A pointer that is no block in
 *         use is reported as for emh_free() and gives NULL.
 * @par Complexity
 * O(1) plus the copy when the block moves.
 */
void *emh_realloc(void *addr, size_t size);

#ifdef __cplusplus
}
#endif

#endif /* EMH_MALLOC_H */
