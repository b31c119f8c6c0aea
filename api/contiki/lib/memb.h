/**
 * @file lib/memb.h
 * @brief Contiki-NG MEMB: pools of fixed-size blocks (API of Contiki-NG v5.0).
 *
 * Firmware written for Contiki-NG compiles unchanged with
 * `#include "lib/memb.h"` and the include root `api/contiki`. See also
 * @ref family_memb.
 *
 * @code
 * struct conn { int id; char buf[40]; };
 * MEMB(conns, struct conn, 8);           // 8 blocks of struct conn
 *
 * memb_init(&conns);
 * struct conn *c = memb_alloc(&conns);   // NULL when all 8 are in use
 * ...
 * memb_free(&conns, c);                  // 0, or -1 for a bad pointer
 * @endcode
 *
 * @par What omniheap guarantees
 * - memb_alloc() and memb_free() run in constant time, whatever the pool size
 *   and occupancy (upstream: linear scans); about 40 x86-64 instructions for
 *   an alloc + free pair (`make bench`). Exception: pools of 1-byte elements,
 *   which have no room for a free-list link, scan the `used` flags like
 *   upstream. memb_numfree() is O(1) too (upstream: a scan).
 * - memb_free() returns -1, and leaves the pool consistent, for NULL, a
 *   pointer outside the pool, a pointer inside a block but not at its start,
 *   and a block that is already free. Every case but NULL is also reported to
 *   the fault handler (omniheap_set_fault_handler()), whose default prints
 *   one line through the port and lets memb_free() return -1.
 * - memb_init() clears every `used` flag and zeroes the whole block array, as
 *   upstream. A block that was never allocated since memb_init() is still
 *   all zeros when memb_alloc() returns it; memb_alloc() never zeroes a block
 *   itself.
 * - Every pool joins the native registry (omniheap.h) when memb_init() runs,
 *   under the name given to MEMB().
 *
 * @par Differences from upstream that a correct caller cannot depend on
 * - Freed blocks are reused most-recently-freed first, and blocks never used
 *   since memb_init() in index order (upstream: always the lowest free index).
 * - A freed block's first two bytes hold the free-list link until it is
 *   allocated again (upstream leaves freed blocks untouched).
 *
 * @par Damaged free lists
 * A write after free, or an overflow of the block below, can overwrite a free
 * block's link (its first two bytes; links are stored scrambled, so that
 * zeros, small integers or all-ones bytes never look like a valid link in a
 * pool of up to 23205 blocks).
 * memb_alloc() checks every free-list entry before it hands out the block
 * the entry names: an entry outside the pool or naming an allocated block is
 * reported to the fault handler (OMNIHEAP_FAULT_CORRUPT_METADATA, function
 * "memb_alloc"), the free lists are rebuilt from the `used` flags, and a free
 * block (or NULL if none is left) is returned. A damaged entry that happens
 * to name a free block further down the list makes the list skip blocks;
 * those are recovered the same way when memb_alloc() finds no listed block
 * while the pool's counters say blocks are free. So memb_alloc() never
 * returns an allocated block or a pointer outside the pool, and no free
 * block is lost. The damage is found when memb_alloc() reaches the damaged
 * entry, which can be one call after it handed out the block whose link was
 * overwritten; until then omniheap_heap_validate() reports the pool as
 * corrupted.
 *
 * @par Thread and ISR safety
 * None by default, as upstream: the caller serialises all calls on one pool.
 * With the build option OMNIHEAP_CONF_MEMB_LOCKED = 1 every call that reads
 * or writes a pool's state runs inside the port's critical section and pools
 * may be shared by threads and (on Cortex-M) interrupt handlers.
 * memb_inmemb() reads only `size`, `num` and `mem` and never locks.
 */
#ifndef MEMB_H_
#define MEMB_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef CC_CONCAT2
/** Token pasting helper of Contiki's "sys/cc.h" (defined here only if that
 *  header was not included first). */
#define CC_CONCAT2(s1, s2) s1##s2
#endif
#ifndef CC_CONCAT
/** Pastes two tokens after macro expansion, as Contiki's "sys/cc.h" does
 *  (defined here only if that header was not included first). */
#define CC_CONCAT(s1, s2) CC_CONCAT2(s1, s2)
#endif

/**
 * @brief Defines a pool of `num` blocks of type `structure`, named `name`.
 *
 * Expands to three file-scope `static` definitions: the flags
 * `<name>_memb_used[num]`, the blocks `<name>_memb_mem[num]` and
 * `struct memb name`. Do not write `static` in front of it. Pass `&name` to
 * the functions.
 *
 * Each block has the natural alignment of `structure` (the blocks are the
 * elements of a `structure[num]` array). `sizeof(structure)` and `num` must
 * each be at most 65535.
 *
 * @param name      Identifier of the pool (also its name in the registry).
 * @param structure Type of one block.
 * @param num       Number of blocks (a constant expression, 1 ... 65535).
 */
#define MEMB(name, structure, num)                                           \
  static bool CC_CONCAT(name, _memb_used)[num];                              \
  static structure CC_CONCAT(name, _memb_mem)[num];                          \
  static struct memb name = {sizeof(structure), num,                         \
                             CC_CONCAT(name, _memb_used),                    \
                             (void *)CC_CONCAT(name, _memb_mem), 0xFFFFu,    \
                             0xFFFFu, 0, 0,                                  \
                             (uint32_t)(sizeof(structure) * (num)), 0, 0, 0,\
                             #name}

/**
 * @brief A pool of fixed-size blocks. Define it with MEMB().
 *
 * The first four fields are those of Contiki-NG v5.0, in the same order and
 * with the same meaning; firmware may read them (e.g. index `mem` as an
 * array). The fields after them are omniheap's bookkeeping: MEMB()
 * initialises them, memb_init() resets them, and nothing else may write them.
 * A `struct memb` filled by hand with only the first four fields (the rest
 * zero) works too; call memb_init() on it, as the Contiki API requires, to
 * zero its blocks and register it.
 */
struct memb {
  unsigned short size; /**< Size of one block in bytes: `sizeof(structure)`. */
  unsigned short num;  /**< Number of blocks. */
  bool *used;          /**< `used[i]` is true while block `i` is allocated. */
  void *mem;           /**< The block array: block `i` starts at `(char *)mem + i * size`. */

  unsigned short hot;    /**< @private Index of the most recently freed block; 0xFFFF: none. */
  unsigned short cold;   /**< @private Index of the first block of the cold free list; 0xFFFF: none. */
  unsigned short fresh;  /**< @private Blocks `fresh` ... `num - 1` were never allocated since memb_init(). */
  unsigned short peak;   /**< @private High-water mark of allocated blocks. */
  uint32_t span;         /**< @private `size * num`; set by MEMB() and memb_init(). */
  uint32_t allocations;  /**< @private Successful memb_alloc() calls (wraps). */
  uint32_t frees;        /**< @private Successful memb_free() calls (wraps). */
  uint32_t failures;     /**< @private memb_alloc() calls that returned NULL (wraps). */
  const char *name;      /**< @private Name given to MEMB(), reported by the registry. */
};

/**
 * @brief Initialises a pool: every block becomes free and is zeroed.
 *
 * Clears every `used` flag, writes zeros over all `size * num` bytes of
 * blocks, resets the statistics and registers the pool in the native
 * registry (or refreshes its entry). Calling it again frees every block.
 * A pool defined with MEMB() may also be used without memb_init(): its
 * static initialisation is already an empty, zeroed pool (it is then not in
 * the registry).
 * @param m The pool (not NULL).
 * @par Complexity
 * O(size × num) for the zeroing, plus O(OMNIHEAP_CONF_MAX_HEAPS) to register.
 * @par Failure modes
 * None reported: if the registry is full the pool works but is missing from
 * the native API (omniheap_registry_dropped() counts it).
 * @par Thread and ISR safety
 * No other call may use the pool meanwhile. Registration takes the port's
 * critical section for one pass over the registry. With
 * OMNIHEAP_CONF_MEMB_LOCKED = 1 the reset and the zeroing also run inside it
 * (on Cortex-M: with interrupts masked for the whole zeroing).
 */
void memb_init(struct memb *m);

/**
 * @brief Allocates one block.
 * @param m The pool (not NULL).
 * @return A block of `m->size` bytes with the natural alignment of the
 *         pool's structure, or NULL when every block is in use. The block is
 *         not zeroed (a block never used since memb_init() is all zeros).
 * @par Complexity
 * O(1) (pools of 1-byte elements: O(num)). O(num) once when a damaged free
 * list is rebuilt (see "Damaged free lists" above).
 * @par Failure modes
 * NULL when the pool is full (counted as a failed allocation, not a fault).
 * A damaged free list is reported as OMNIHEAP_FAULT_CORRUPT_METADATA.
 * @par Thread and ISR safety
 * The caller serialises calls on one pool, unless the library is built with
 * OMNIHEAP_CONF_MEMB_LOCKED = 1 (then: any thread, and on Cortex-M any
 * interrupt handler). In the locked build the fault handler runs after the
 * critical section has been left.
 */
void *memb_alloc(struct memb *m);

/**
 * @brief Returns a block to its pool.
 * @param m   The pool (not NULL).
 * @param ptr A block returned by memb_alloc() on `m`.
 * @retval 0  the block is free again.
 * @retval -1 `ptr` is NULL, outside the pool, not the start of a block, or
 *            already free. The pool is unchanged and stays consistent; all
 *            cases but NULL are reported to the fault handler.
 * @par Complexity
 * O(1).
 * @par Thread and ISR safety
 * As memb_alloc().
 */
int memb_free(struct memb *m, void *ptr);

/**
 * @brief Tells whether a pointer lies inside a pool's block array.
 * @param m   The pool (not NULL).
 * @param ptr Any pointer.
 * @return 1 if `mem <= ptr < mem + size * num` (interior pointers count as
 *         inside), else 0. Says nothing about whether the block is allocated.
 * @par Complexity
 * O(1).
 * @par Thread and ISR safety
 * Reads only `size`, `num` and `mem`, which omniheap never writes: callable
 * from any context, takes no lock in any build.
 */
int memb_inmemb(struct memb *m, void *ptr);

/**
 * @brief Number of free blocks in a pool.
 * @param m The pool (not NULL).
 * @return `num` minus the number of allocated blocks.
 * @par Complexity
 * O(1) (upstream: O(num)): computed from the pool's allocation and free
 * counters.
 * @par Thread and ISR safety
 * As memb_alloc().
 */
size_t memb_numfree(struct memb *m);

#ifdef __cplusplus
}
#endif

#endif /* MEMB_H_ */
