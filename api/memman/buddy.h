/**
 * @file buddy.h
 * @brief Schoofs' buddy allocator (memman, 2020 API), with the optional
 *        emergency first-fit heap ("ebuddy", `e = 1`), on omniheap's buddy
 *        engine (Knuth TAOCP 2.5, algorithms R and S).
 *
 * Firmware keeps `#include <buddy.h>` and adds the include root `api/memman`.
 * The caller sets `mh`, `hs` and `e` in a buddy_heap_t, then calls
 * buddy_init(); there are no globals. See @ref family_memman.
 *
 * @par Layout
 * The region, from `mh` rounded up to 8, holds in this order: the buddy area, cut into power-of-two
 * trees (the binary digits of its size, largest first, so that a region of
 * any size is used), each block naturally aligned to its size relative to
 * its tree; with `e = 1`, the emergency first-fit heap (an eighth of the
 * region); then the bookkeeping: a control block, one free-list head per
 * order and four bits per 8 bytes of buddy area (about 6 %, plus some 100
 * bytes), not half of the region as upstream.
 *
 * @par What omniheap guarantees beyond upstream
 * - Reservation and liberation in O(log n) (bitmaps, no list scans); blocks
 *   have no header; every block is at least 8-aligned when `mh` is.
 * - buddy_free_block() returns BUDDY_HEAP_NOTFOUND (4) for NULL, foreign and
 *   interior pointers and double frees, and BUDDY_HEAP_INTERNAL (-1) for
 *   damaged bookkeeping; the heap is unchanged.
 * - buddy_extend_block() keeps all data; a shrink splits correctly (no
 *   misaligned blocks on the free lists); a grow is in place when the buddies
 *   to the right are free.
 * - With `e = 1`, what the buddy system cannot serve (no block of the order,
 *   or a request larger than any tree) goes to the emergency heap, and frees
 *   route to the right one.
 * - buddy_init() prints nothing; buddy_print_heap() writes through the port's
 *   output hook; buddy_get_stats() overwrites its outputs.
 * - Locking off by default, as upstream; buddy_set_locked() turns on the
 *   port's critical section for one descriptor. Every heap joins omniheap's
 *   registry ("buddy", and "ebuddy" for its emergency heap).
 */
#ifndef BUDDY_H
#define BUDDY_H

#include <stdint.h>
#include <stdlib.h>

#include <ffit.h>

#ifdef __cplusplus
extern "C" {
#endif

/** buddy_free_block(): the block was freed. */
#define BUDDY_HEAP_FOUND 0x0
/** NULL, or an address that is no block in use (foreign, interior, freed already). */
#define BUDDY_HEAP_NOTFOUND 0x4
/** The heap's bookkeeping is damaged. */
#define BUDDY_HEAP_INTERNAL -1
/** Success. */
#define BUDDY_HEAP_OK 0x0

/**
 * @brief A buddy heap. Set `mh`, `hs` and `e`, then call buddy_init(); the
 *        other fields are computed by buddy_init().
 *
 * The heap's state lives in the region and in this descriptor: it must stay
 * at one address while the heap is used.
 */
typedef struct {
  uintptr_t mh;    /**< Set by the caller: address of the region. */
  size_t hs;       /**< Set by the caller: size of the region in bytes. */
  uint8_t e;       /**< Set by the caller: 1 for an emergency first-fit heap ("ebuddy"), else 0. */
  uintptr_t eh;    /**< Address of the emergency heap (`e = 1`), else 0. */
  uint32_t *ah;    /**< Internal: the free-list heads, one per order. */
  uint8_t *sh;     /**< Internal: the bitmaps (free and split bits). */
  uint32_t msize;  /**< Bytes of the buddy area (the sum of its trees). */
  uint32_t asize;  /**< Bytes of the free-list heads. */
  uint32_t ssize;  /**< Bytes of the bitmaps. */
  uint32_t esize;  /**< Bytes of the emergency heap (`e = 1`), else 0. */
  uint8_t AMAX;    /**< log2 of the largest tree in bytes. */
  ffit_heap_t ffh; /**< The emergency heap's descriptor (`e = 1`). */
} buddy_heap_t;

/**
 * @brief Lays out the region and makes every tree one free block.
 * @param h The descriptor with `mh`, `hs` and `e` set.
 * @retval BUDDY_HEAP_OK        done.
 * @retval BUDDY_HEAP_INTERNAL  `h` NULL, `mh` or `hs` 0, or a region too small
 *         for the bookkeeping and one 8-byte block (or, with `e`, the
 *         emergency heap), or over 4 GiB.
 */
int buddy_init(buddy_heap_t *h);

/**
 * @brief Allocates a block of the smallest order (power of two, at least 8
 *        bytes) that holds `sz` bytes; with `e = 1`, from the emergency heap
 *        when the buddy system cannot.
 * @param h  An initialised heap.
 * @param sz Size; 0 gives NULL.
 * @return The block, or NULL.
 * @par Complexity
 * O(log n).
 */
void *buddy_get_block(buddy_heap_t *h, size_t sz);

/**
 * @brief Frees a block (buddy or emergency heap), merging buddies at once.
 * @param h   An initialised heap.
 * @param ptr A block of `h`.
 * @retval BUDDY_HEAP_OK        freed.
 * @retval BUDDY_HEAP_NOTFOUND  NULL, outside the heap, or not a block in use.
 * @retval BUDDY_HEAP_INTERNAL  damaged bookkeeping (or, for an emergency
 *         block, a damaged header there).
 */
int buddy_free_block(buddy_heap_t *h, void *ptr);

/**
 * @brief Resizes a block, keeping its contents.
 *
 * `ptr` NULL: buddy_get_block(). `sz` 0: frees `ptr` (`*rc` the result) and
 * returns NULL. Same order: the same pointer. Smaller: in place, the freed
 * halves back on the free lists. Larger: in place when the buddies to the
 * right are free, else a new block (any heap), the contents copied, the old
 * block freed.
 * @param h   An initialised heap.
 * @param ptr A block, or NULL.
 * @param sz  New size.
 * @param rc  Receives BUDDY_HEAP_OK, or the error of a bad `ptr` (may be NULL).
 * @return The block, or NULL (no room: `ptr` is unchanged and valid; a bad
 *         `ptr`; or `sz` 0).
 */
void *buddy_extend_block(buddy_heap_t *h, void *ptr, size_t sz, int *rc);

/**
 * @brief Prints the free lists and the totals (and the emergency heap) through
 *        the port's output hook, with ANSI colours.
 * @param h An initialised heap.
 */
void buddy_print_heap(buddy_heap_t *h);

/**
 * @brief Statistics of the buddy area (overwrites all three outputs; the
 *        emergency heap has its own: ffit_get_stats(&h->ffh, ...)).
 * @param h   An initialised heap.
 * @param mem Receives `msize`.
 * @param usd Receives the bytes of blocks in use.
 * @param fre Receives the bytes of free blocks.
 */
void buddy_get_stats(buddy_heap_t *h, uint32_t *mem, uint32_t *usd, uint32_t *fre);

/**
 * @brief omniheap extension: turns the port's critical section on (1) or off
 *        (0) around every call on this heap (and its emergency heap). Off
 *        after buddy_init().
 * @param h      An initialised heap.
 * @param locked 1 or 0.
 * @return BUDDY_HEAP_OK, or BUDDY_HEAP_INTERNAL for a heap not initialised.
 */
int buddy_set_locked(buddy_heap_t *h, int locked);

#ifdef __cplusplus
}
#endif

#endif /* BUDDY_H */
