/**
 * @file zephyr/sys/sys_heap.h
 * @brief Zephyr's low-level heap, `sys_heap` (API of Zephyr 4.2+), on
 *        omniheap's bounded-time engine.
 *
 * Firmware written for Zephyr compiles unchanged with
 * `#include <zephyr/sys/sys_heap.h>` and the include root `api/zephyr`.
 *
 * @par Layout (as Zephyr)
 * - Memory is handled in 8-byte chunk units. Each block has a chunk header
 *   just below it: 4 bytes on heaps under 256 KiB on 32-bit targets (unless
 *   built with OMNIHEAP_CONF_SYS_HEAP_HEADERS = 2), 8 bytes otherwise.
 * - sys_heap_usable_size() of a block from sys_heap_alloc(heap, n) is
 *   `ROUND_UP(n + header, 8) - header` (a little more when the rest of the
 *   chunk it came from was too small to stay free).
 * - Plain blocks are aligned to the header size (4 or 8 bytes); an empty
 *   heap hands out blocks from low to high addresses.
 * - The heap's metadata lives at the start of its memory; `heap->heap`
 *   points there (the start rounded up to 8), so heaps sort by address.
 *
 * @par What omniheap guarantees beyond Zephyr
 * - Every operation runs in bounded time with no `CONFIG_SYS_HEAP_ALLOC_LOOPS`
 *   trade-off: a good-fit search over size classes with 16 classes per
 *   power of two, one bitmap lookup, immediate merging with both neighbours.
 * - sys_heap_validate() is always real.
 * - Misuse is always detected, whatever CONFIG_ASSERT says: freeing NULL is
 *   a no-op; a pointer outside the heap or not at a block, a double free, a
 *   header overwritten by an overflow, an alignment that is not a power of
 *   two (after the "rewind" bit), and a region that is too small or too large
 *   for sys_heap_init() are reported to omniheap's fault handler
 *   (omniheap_set_fault_handler()). Its default action is to panic through
 *   the port, as Zephyr asserts; a handler that returns
 *   OMNIHEAP_FAULT_RETURN makes the call return NULL (or do nothing) instead,
 *   and the heap is left unchanged. The checks are constant-time; only once
 *   a pointer has failed them does the heap walk its chunks up to it, to
 *   name the fault (foreign, interior pointer, double free or corrupt
 *   metadata).
 * - Every heap joins omniheap's registry at sys_heap_init(), so the native
 *   API (omniheap.h) sees its statistics, validation and walk.
 *
 * @par Thread and ISR safety
 * None, as Zephyr: the caller serialises all calls on one heap (`k_heap`
 * does that). Built with OMNIHEAP_CONF_SYS_HEAP_LOCKED = 1, every call runs
 * in the port's critical section. Calls take bounded time and are fine from
 * an ISR if the caller serialises.
 */
#ifndef ZEPHYR_INCLUDE_SYS_SYS_HEAP_H_
#define ZEPHYR_INCLUDE_SYS_SYS_HEAP_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "omniheap_config.h" /* OMNIHEAP_CONF_SYS_HEAP_HEADERS, for Z_HEAP_MIN_SIZE */
#include <zephyr/sys/mem_stats.h>
#include <zephyr/toolchain.h>
#include <zephyr/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/** @brief omniheap's heap metadata (opaque; lives at the start of the heap memory). */
struct z_heap;

/**
 * @brief A low-level heap. Declare one (statically or on the stack) and call
 *        sys_heap_init().
 *
 * A heap object that was never initialised but has `init_mem` and
 * `init_bytes` set (a statically defined heap, as `K_HEAP_DEFINE` makes) is
 * initialised by its first use. One that is all zeros behaves as an empty
 * heap: every allocation fails.
 */
struct sys_heap {
  struct z_heap *heap; /**< The heap's metadata: the start of its memory, rounded up to 8. */
  void *init_mem;      /**< Memory for a statically defined heap (used by `K_HEAP_DEFINE`). */
  size_t init_bytes;   /**< Size of `init_mem`. */
};

/** @brief Results of sys_heap_stress(). */
struct z_heap_stress_result {
  uint32_t total_allocs;             /**< Allocation attempts. */
  uint32_t successful_allocs;        /**< Attempts that returned memory. */
  uint32_t total_frees;              /**< Frees. */
  uint64_t accumulated_in_use_bytes; /**< Bytes in use summed over every operation. */
};

/** @cond OMNIHEAP_INTERNAL */
/* Sizes of omniheap's heap metadata, for Z_HEAP_MIN_SIZE_FOR(); the library
 * checks these against its own at build time. */
#if UINTPTR_MAX > 0xFFFFFFFFu
#define Z_HEAP_OMNI_BIG_FIXED_ 152u
#else
#define Z_HEAP_OMNI_BIG_FIXED_ 120u
#endif
#define Z_HEAP_OMNI_SMALL_FIXED_ 80u
#define Z_HEAP_OMNI_LOG2_(x)                                                                  \
  ((x) >= 0x40000000u   ? 30u                                                                 \
   : (x) >= 0x20000000u ? 29u                                                                 \
   : (x) >= 0x10000000u ? 28u                                                                 \
   : (x) >= 0x8000000u  ? 27u                                                                 \
   : (x) >= 0x4000000u  ? 26u                                                                 \
   : (x) >= 0x2000000u  ? 25u                                                                 \
   : (x) >= 0x1000000u  ? 24u                                                                 \
   : (x) >= 0x800000u   ? 23u                                                                 \
   : (x) >= 0x400000u   ? 22u                                                                 \
   : (x) >= 0x200000u   ? 21u                                                                 \
   : (x) >= 0x100000u   ? 20u                                                                 \
   : (x) >= 0x80000u    ? 19u                                                                 \
   : (x) >= 0x40000u    ? 18u                                                                 \
   : (x) >= 0x20000u    ? 17u                                                                 \
   : (x) >= 0x10000u    ? 16u                                                                 \
   : (x) >= 0x8000u     ? 15u                                                                 \
   : (x) >= 0x4000u     ? 14u                                                                 \
   : (x) >= 0x2000u     ? 13u                                                                 \
   : (x) >= 0x1000u     ? 12u                                                                 \
   : (x) >= 0x800u      ? 11u                                                                 \
   : (x) >= 0x400u      ? 10u                                                                 \
   : (x) >= 0x200u      ? 9u                                                                  \
   : (x) >= 0x100u      ? 8u                                                                  \
   : (x) >= 0x80u       ? 7u                                                                  \
   : (x) >= 0x40u       ? 6u                                                                  \
   : (x) >= 0x20u       ? 5u                                                                  \
                        : 4u)
/* Size class of a chunk of u units (u | 16 keeps the log at 4 or more). */
#define Z_HEAP_OMNI_CLASS_(u) \
  (((Z_HEAP_OMNI_LOG2_((u) | 16u) - 4u) << 4) + ((u) >> (Z_HEAP_OMNI_LOG2_((u) | 16u) - 4u)))
#define Z_HEAP_OMNI_SMALL_UNITS_(b) (((b) + 4u + 7u) / 8u)
#define Z_HEAP_OMNI_BIG_UNITS_(b) ((b) + 8u + 7u < 16u ? 2u : ((b) + 8u + 7u) / 8u)
/* Metadata (fixed part and one list head per class) in units, the chunk,
 * and the end marker's header. */
#define Z_HEAP_OMNI_SMALL_MIN_(b)                                                                 \
  (((Z_HEAP_OMNI_SMALL_FIXED_ + (Z_HEAP_OMNI_CLASS_(Z_HEAP_OMNI_SMALL_UNITS_(b)) + 1u) * 2u + 7u) / \
        8u +                                                                                      \
    Z_HEAP_OMNI_SMALL_UNITS_(b)) * 8u + 4u)
#define Z_HEAP_OMNI_BIG_MIN_(b)                                                                 \
  (((Z_HEAP_OMNI_BIG_FIXED_ + (Z_HEAP_OMNI_CLASS_(Z_HEAP_OMNI_BIG_UNITS_(b)) + 1u) * 4u + 7u) / \
        8u +                                                                                    \
    Z_HEAP_OMNI_BIG_UNITS_(b)) * 8u + 8u)
#if UINTPTR_MAX > 0xFFFFFFFFu || OMNIHEAP_CONF_SYS_HEAP_HEADERS == 2
#define Z_HEAP_OMNI_MIN_(b) Z_HEAP_OMNI_BIG_MIN_(b)
#else
#define Z_HEAP_OMNI_MIN_(b) \
  (Z_HEAP_OMNI_SMALL_MIN_(b) < 0x40000u ? Z_HEAP_OMNI_SMALL_MIN_(b) : Z_HEAP_OMNI_BIG_MIN_(b))
#endif
/** @endcond */

/**
 * @brief The smallest heap (in bytes, for memory 8-aligned) in which one
 *        allocation of `alloc_bytes` succeeds. Exact: one byte less and
 *        that allocation fails. A constant expression.
 * @param alloc_bytes Bytes of the one allocation (1 or more).
 */
#define Z_HEAP_MIN_SIZE_FOR(alloc_bytes) (Z_HEAP_OMNI_MIN_(alloc_bytes))

/**
 * @brief The smallest heap (in bytes, for memory 8-aligned) that
 *        sys_heap_init() accepts: room for one allocation of 1 byte, and
 *        nothing else. A constant expression.
 */
#define Z_HEAP_MIN_SIZE Z_HEAP_MIN_SIZE_FOR(1)

/**
 * @brief Turns `bytes` of memory at `mem` into a heap.
 *
 * The start is rounded up to 8 and the end down; the heap's metadata takes
 * the first chunks. The heap joins omniheap's registry (name "sys_heap"),
 * or refreshes its entry when initialised again. `init_mem` and
 * `init_bytes` are not written.
 * @param heap  The heap object (not NULL).
 * @param mem   Memory for the heap; any alignment.
 * @param bytes Its size: at least Z_HEAP_MIN_SIZE (after rounding the start
 *              to 8) and at most 2^31 units.
 * @par Failure
 * A region that is too small or too large is reported to the fault handler
 * (OMNIHEAP_FAULT_BAD_ARGUMENT; default: panic, as Zephyr asserts). If the
 * handler returns, the heap is an empty placeholder (`heap->heap` points at
 * an empty dummy heap inside the library, never NULL, so that every
 * later call stays defined): every allocation fails, sys_heap_validate()
 * returns false and every pointer given to it is foreign.
 * @par Complexity
 * O(number of size classes), about log2(bytes) × 16.
 */
void sys_heap_init(struct sys_heap *heap, void *mem, size_t bytes);

/**
 * @brief Allocates a block.
 * @param heap  An initialised heap.
 * @param bytes Size; 0 returns NULL.
 * @return A block of at least `bytes` bytes aligned to the chunk header
 *         size (4 or 8), not zeroed; NULL if `bytes` is 0 or no free chunk
 *         is large enough.
 * @par Complexity
 * O(1).
 */
void *sys_heap_alloc(struct sys_heap *heap, size_t bytes);

/**
 * @brief Allocates an aligned block.
 *
 * `align` is a power of two, or (Zephyr's "rewind" encoding) a power of two
 * A plus a smaller power of two r: then the block p satisfies
 * `(p + r) % A == 0`. `align` 0, or at most the header size (with no rewind
 * bit), behaves as sys_heap_alloc(). The unused parts of the chunk found go
 * back to the heap at once.
 * @param heap  An initialised heap.
 * @param align Alignment, as above.
 * @param bytes Size; 0 returns NULL.
 * @return The block, or NULL (no chunk large enough, `bytes` 0, or an
 *         `align` that is not of the form above, which is also reported to
 *         the fault handler as OMNIHEAP_FAULT_BAD_ALIGNMENT: default panic).
 * @par Complexity
 * O(1).
 */
void *sys_heap_aligned_alloc(struct sys_heap *heap, size_t align, size_t bytes);

/**
 * @brief sys_heap_alloc() with the signature of sys_heap_aligned_alloc(), to
 *        be used as a function pointer: `align` is ignored.
 * @param heap  An initialised heap.
 * @param align Ignored.
 * @param bytes Size; 0 returns NULL.
 * @return As sys_heap_alloc().
 */
void *sys_heap_noalign_alloc(struct sys_heap *heap, size_t align, size_t bytes);

/**
 * @brief Frees a block, merging it with free neighbours at once.
 * @param heap An initialised heap.
 * @param mem  A block of `heap`, or NULL (no effect).
 * @par Failure
 * A pointer that is not a block of `heap` in use (foreign, interior,
 * double free, or a block whose header an overflow changed) is reported to
 * the fault handler (default: panic, as Zephyr); the heap is not changed.
 * @par Complexity
 * O(1); a pointer that is not a block in use: O(chunks), to name the fault.
 */
void sys_heap_free(struct sys_heap *heap, void *mem);

/**
 * @brief Resizes a block: sys_heap_aligned_realloc(heap, ptr, 0, bytes).
 *
 * A function (Zephyr 4.2+); up to Zephyr 4.1 this was a macro with the same
 * arguments, so both styles of caller work.
 * @param heap  An initialised heap.
 * @param ptr   A block of `heap`, or NULL.
 * @param bytes New size.
 * @return As sys_heap_aligned_realloc().
 */
void *sys_heap_realloc(struct sys_heap *heap, void *ptr, size_t bytes);

/**
 * @brief Resizes a block, in place when it can, keeping an alignment.
 *
 * - `ptr` NULL: sys_heap_aligned_alloc(heap, align, bytes).
 * - `bytes` 0: frees `ptr`, returns NULL.
 * - Same number of chunk units, or fewer: the same pointer (the tail goes
 *   back to the heap); more, and the free right neighbour is large enough:
 *   the same pointer. In place only if `ptr` already meets `align`.
 * - Otherwise a new block, `min(old usable size, bytes)` bytes copied, the
 *   old block freed.
 * @param heap  An initialised heap.
 * @param ptr   A block of `heap`, or NULL.
 * @param align Alignment, as for sys_heap_aligned_alloc().
 * @param bytes New size.
 * @return The block, or NULL if no chunk is large enough (then `ptr` is
 *         unchanged and still valid), or after freeing for `bytes` 0.
 *         A `ptr` that is not a block in use is reported to the fault
 *         handler and NULL is returned.
 * @par Complexity
 * O(1) plus the copy when the block moves.
 */
void *sys_heap_aligned_realloc(struct sys_heap *heap, void *ptr, size_t align, size_t bytes);

/**
 * @brief Bytes usable in a block: its chunk minus the header (and minus the
 *        few bytes before an aligned block that did not start its chunk).
 * @param heap An initialised heap.
 * @param mem  A block of `heap` in use.
 * @return The usable size; 0 for NULL, and for a pointer that is not a block
 *         in use (also reported to the fault handler).
 * @par Complexity
 * O(1).
 */
size_t sys_heap_usable_size(struct sys_heap *heap, void *mem);

/**
 * @brief Checks every invariant of the heap (always compiled, unlike
 *        Zephyr's `CONFIG_SYS_HEAP_VALIDATE`): the chain of chunk headers,
 *        no two free chunks side by side, every free chunk on the list of its
 *        size class exactly once, the bitmap, the statistics.
 * @param heap An initialised heap.
 * @return true if the heap is consistent; false otherwise (also for an
 *         uninitialised heap).
 * @par Complexity
 * O(number of chunks + number of classes). Does not modify the heap.
 */
bool sys_heap_validate(struct sys_heap *heap);

/**
 * @brief Runs a random allocation workload against any heap through two
 *        callbacks (Zephyr's stress rig).
 *
 * Performs `op_count` operations: an allocation of a random size up to a
 * quarter of `total_bytes` while the bytes in use are below
 * `target_percent` % of `total_bytes` (more often the further below), a
 * free of a random live block otherwise. Live blocks are recorded in
 * `scratch_mem`; when it is full, the next operations free. Every block is
 * freed at the end.
 * @param alloc_fn      Allocates: alloc_fn(arg, bytes) returns a block or NULL.
 * @param free_fn       Frees: free_fn(arg, block).
 * @param arg           Passed to both.
 * @param total_bytes   Size of the heap under test.
 * @param op_count      Number of operations.
 * @param scratch_mem   Memory for the bookkeeping (pointer-aligned).
 * @param scratch_bytes Its size.
 * @param target_percent Fill level to aim for, 0 ... 100.
 * @param result        Filled with the counts; not NULL.
 */
void sys_heap_stress(void *(*alloc_fn)(void *arg, size_t bytes),
                     void (*free_fn)(void *arg, void *p), void *arg, size_t total_bytes,
                     uint32_t op_count, void *scratch_mem, size_t scratch_bytes, int target_percent,
                     struct z_heap_stress_result *result);

/**
 * @brief Prints the heap's size classes (bucket table) and, if asked, every
 *        chunk, through omniheap's port output (omniheap_port_write()).
 * @param heap        An initialised heap.
 * @param dump_chunks true to list every chunk (address, size, used/free).
 * @par Complexity
 * O(number of classes), plus O(number of chunks) with `dump_chunks`.
 */
void sys_heap_print_info(struct sys_heap *heap, bool dump_chunks);

/**
 * @brief Runtime statistics of a heap.
 * @param heap  An initialised heap.
 * @param stats Filled with free, allocated and peak allocated bytes (whole
 *              chunks, headers included).
 * @retval 0       filled.
 * @retval -EINVAL `heap` or `stats` is NULL (-22).
 * @par Complexity
 * O(1).
 */
int sys_heap_runtime_stats_get(struct sys_heap *heap, struct sys_memory_stats *stats);

/**
 * @brief Sets the heap's `max_allocated_bytes` to its current allocated bytes.
 * @param heap An initialised heap.
 * @retval 0       done.
 * @retval -EINVAL `heap` is NULL (-22).
 */
int sys_heap_runtime_stats_reset_max(struct sys_heap *heap);

/**
 * @brief Records a heap in the array of heaps (sys_heap_init() does it for
 *        every heap, once).
 * @param heap The heap.
 * @retval 0       recorded (or already recorded).
 * @retval -EINVAL `heap` is NULL, or the array is full
 *                 (OMNIHEAP_CONF_SYS_HEAP_ARRAY_SIZE heaps).
 */
int sys_heap_array_save(struct sys_heap *heap);

/**
 * @brief The array of recorded heaps.
 * @param heap Receives a pointer to the array.
 * @return The number of heaps in it, or -EINVAL (-22) if `heap` is NULL.
 */
int sys_heap_array_get(struct sys_heap ***heap);

#ifdef __cplusplus
}
#endif

#endif /* ZEPHYR_INCLUDE_SYS_SYS_HEAP_H_ */
