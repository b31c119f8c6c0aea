/**
 * @file ffit.h
 * @brief Schoofs' first-fit allocator (memman, 2020 API) with explicit
 *        descriptors, on omniheap's first-fit engine.
 *
 * Firmware keeps `#include <ffit.h>` and adds the include root `api/memman`.
 * The caller sets `mh` (the region's address) and `hs` (its size) in an
 * ffit_heap_t, then calls ffit_init(); there are no globals. See
 * @ref family_memman.
 *
 * @par What omniheap guarantees beyond upstream
 * - True first fit (Knuth TAOCP 2.5, Algorithm A with boundary tags,
 *   Algorithm C): the free block at the lowest address that fits, found in
 *   O(log n) expected steps for n free blocks (a tree of free blocks ordered
 *   by address, annotated with the largest size below each node); a free
 *   merges with both neighbours.
 * - Blocks are 8-byte aligned; each has an 8-byte header with a check word
 *   tied to its address, so NULL, foreign, interior pointers and double
 *   frees return FFIT_HEAP_NOTFOUND (4), and a damaged header of the block
 *   or of a neighbour returns FFIT_HEAP_INTERNAL (-1); the heap is unchanged.
 * - ffit_extend_block() preserves all data, keeps the pointer when the size
 *   fits, and grows in place into a free right neighbour.
 * - ffit_get_stats() overwrites its outputs; ffit_print_heap() writes through
 *   the port's output hook; ffit_init() prints nothing.
 * - Locking is off by default, as upstream; ffit_set_locked() turns on the
 *   port's critical section for one descriptor. Every heap joins omniheap's
 *   registry ("ffit").
 */
#ifndef FFIT_H
#define FFIT_H

#include <stdint.h>
#include <stdlib.h>

#ifdef __cplusplus
extern "C" {
#endif

/** ffit_free_block(): the block was freed. */
#define FFIT_HEAP_FOUND 0x0
/** NULL, or an address that is no block in use (foreign, interior, freed already). */
#define FFIT_HEAP_NOTFOUND 0x4
/** The heap's metadata is damaged (a header or a neighbour's boundary tag). */
#define FFIT_HEAP_INTERNAL -1
/** Success. */
#define FFIT_HEAP_OK 0x0

/**
 * @brief A first-fit heap. Set `mh` and `hs`, then call ffit_init().
 *
 * The heap's metadata lives at the start of the region; the region must stay
 * valid while the heap is used. The descriptor may be copied (all state is
 * in the region).
 */
typedef struct {
  uintptr_t mh;   /**< Set by the caller: address of the region. */
  size_t hs;      /**< Set by the caller: size of the region in bytes (at most 4 GiB). */
  uint32_t first; /**< Set by ffit_init(): offset of the first block from `mh`. */
  uint32_t last;  /**< Set by ffit_init(): offset of the end of the last block from `mh`. */
} ffit_heap_t;

/**
 * @brief Makes the region `h->mh`, `h->hs` a heap of one free block.
 * @param h The descriptor.
 * @retval FFIT_HEAP_OK        done.
 * @retval FFIT_HEAP_INTERNAL  `h` NULL, `mh` 0, or a region too small for the
 *         metadata and one block, or over 4 GiB.
 */
int ffit_init(ffit_heap_t *h);

/**
 * @brief Allocates a block: the free block at the lowest address that fits.
 * @param h  An initialised heap.
 * @param sz Size; 0 gives NULL.
 * @return An 8-byte-aligned block of at least `sz` bytes, or NULL.
 * @par Complexity
 * O(log n) expected, n the number of free blocks.
 */
void *ffit_get_block(ffit_heap_t *h, size_t sz);

/**
 * @brief Frees a block, merging it with free neighbours at once.
 * @param h   An initialised heap.
 * @param ptr A block of `h`.
 * @retval FFIT_HEAP_OK        freed.
 * @retval FFIT_HEAP_NOTFOUND  NULL, outside the heap, or not a block in use.
 * @retval FFIT_HEAP_INTERNAL  the block's or a neighbour's header is damaged.
 */
int ffit_free_block(ffit_heap_t *h, void *ptr);

/**
 * @brief Resizes a block, keeping its contents.
 *
 * `ptr` NULL: ffit_get_block(). `sz` 0: frees `ptr` (`*rc` the result) and
 * returns NULL. A size that still fits the block: the same pointer (a shrink
 * gives the tail back). A larger one: in place when the right neighbour is
 * free and large enough, else a new block, `min(old, sz)` bytes copied, the
 * old block freed.
 * @param h   An initialised heap.
 * @param ptr A block, or NULL.
 * @param sz  New size.
 * @param rc  Receives FFIT_HEAP_OK, or the error of a bad `ptr` (may be NULL).
 * @return The block, or NULL (no room: `ptr` is unchanged and valid; or a bad
 *         `ptr`; or `sz` 0).
 */
void *ffit_extend_block(ffit_heap_t *h, void *ptr, size_t sz, int *rc);

/**
 * @brief Prints every block (used ones in colour, with ANSI escapes) and the
 *        totals through the port's output hook (omniheap_port_write()).
 * @param h An initialised heap.
 */
void ffit_print_heap(ffit_heap_t *h);

/**
 * @brief Heap statistics (overwrites all three outputs).
 * @param h   An initialised heap.
 * @param mem Receives `hs`.
 * @param usd Receives the bytes of blocks in use, headers included.
 * @param fre Receives the bytes of free blocks, headers included.
 */
void ffit_get_stats(ffit_heap_t *h, uint32_t *mem, uint32_t *usd, uint32_t *fre);

/**
 * @brief omniheap extension: turns the port's critical section on (1) or off
 *        (0) around every call on this heap. Off after ffit_init().
 * @param h      An initialised heap.
 * @param locked 1 or 0.
 * @return FFIT_HEAP_OK, or FFIT_HEAP_INTERNAL for a heap not initialised.
 */
int ffit_set_locked(ffit_heap_t *h, int locked);

/**
 * @brief omniheap extension: next fit (Knuth's roving pointer) on (1) or
 *        off (0, first fit, the default after ffit_init()).
 *
 * With next fit, ffit_get_block() takes the lowest block that fits at or
 * after the block the previous search found, wrapping around to the start;
 * still O(log n) expected.
 * @param h  An initialised heap.
 * @param on 1 or 0.
 * @return FFIT_HEAP_OK, or FFIT_HEAP_INTERNAL for a heap not initialised.
 */
int ffit_set_next_fit(ffit_heap_t *h, int on);

#ifdef __cplusplus
}
#endif

#endif /* FFIT_H */
