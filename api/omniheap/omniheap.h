/**
 * @file omniheap.h
 * @brief omniheap native API: version, the registry of every heap of every
 *        family, statistics, validation, heap walk, fault handling and the
 *        memory report.
 *
 * Every heap instance of every family (a MEMB pool, a heapmem arena, a
 * sys_heap, a k_heap, an emh heap, an ffit or buddy descriptor, the MMT
 * allocator) joins one registry when it is initialised. Through this header
 * a firmware that mixes families sees its whole memory in one place.
 *
 * @par Thread and ISR safety
 * Registry functions (count, iteration, find, unregister, naming) take the
 * port's critical section for at most one pass over the registry table
 * (O(OMNIHEAP_CONF_MAX_HEAPS)) and may be called from any thread. Functions
 * that read or check one heap (omniheap_heap_stats(),
 * omniheap_heap_validate(), omniheap_heap_walk(), omniheap_heap_reset_peak())
 * follow that heap's family: for families that are synchronised (k_heap,
 * system heap, emh, mmt, and memb when built with
 * OMNIHEAP_CONF_MEMB_LOCKED) they take the heap's lock (for memb: the port's
 * critical section); for the others the caller must not run them
 * concurrently with other calls on the same heap, exactly as for the
 * family's own API. None of them may be called from an interrupt handler
 * unless the family allows it.
 *
 * @par Handles
 * An omniheap_heap_t handle points into the registry's static table. It stays
 * valid until the heap is unregistered (omniheap_heap_unregister()); a heap
 * that is initialised again at the same address keeps its handle. Every
 * function checks the handle it is given: NULL, a pointer that is not a slot
 * of the table, and a free slot are rejected. A slot freed by an
 * unregistration may be taken by the next heap that registers, and an old
 * handle to it then designates that heap.
 */
#ifndef OMNIHEAP_H
#define OMNIHEAP_H

#include <stddef.h>
#include <stdint.h>

#include "omniheap_config.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @name Version
 *  The macros OMNIHEAP_VERSION_MAJOR, OMNIHEAP_VERSION_MINOR,
 *  OMNIHEAP_VERSION_PATCH, OMNIHEAP_VERSION_STRING and OMNIHEAP_ABI_VERSION
 *  come from omniheap_config.h, generated from project.yml. */
/** @{ */

/** Encodes a version as one integer: `0x00MMmmpp` (major, minor, patch). */
#define OMNIHEAP_VERSION_ENCODE(major, minor, patch) \
  ((((uint32_t)(major)) << 16) | (((uint32_t)(minor)) << 8) | ((uint32_t)(patch)))

/** Version of the headers, encoded with OMNIHEAP_VERSION_ENCODE(). Compare
 *  with omniheap_version() to detect a header/library mismatch. */
#define OMNIHEAP_VERSION \
  OMNIHEAP_VERSION_ENCODE(OMNIHEAP_VERSION_MAJOR, OMNIHEAP_VERSION_MINOR, OMNIHEAP_VERSION_PATCH)

/**
 * @brief Version of the library that is linked, encoded as OMNIHEAP_VERSION.
 * @return `OMNIHEAP_VERSION` of the build that produced the library.
 * @par Complexity, safety
 * O(1); callable from any context, including interrupt handlers.
 */
uint32_t omniheap_version(void);

/**
 * @brief Version string of the library that is linked ("major.minor.patch").
 * @return A pointer to a static, NUL-terminated string; never NULL.
 * @par Complexity, safety
 * O(1); callable from any context.
 */
const char *omniheap_version_string(void);

/**
 * @brief ABI version of the library that is linked.
 * @return The OMNIHEAP_ABI_VERSION the library was built with. A program is
 *         ABI-compatible with the library iff this equals the
 *         OMNIHEAP_ABI_VERSION it was compiled with.
 * @par Complexity, safety
 * O(1); callable from any context.
 */
unsigned omniheap_abi_version(void);
/** @} */

/** @name Return codes of the native API */
/** @{ */
#define OMNIHEAP_OK 0                /**< Success. */
#define OMNIHEAP_ERR_INVALID (-1)    /**< A NULL or malformed argument. */
#define OMNIHEAP_ERR_NOT_FOUND (-2)  /**< The handle or heap is not registered. */
#define OMNIHEAP_ERR_CORRUPT (-3)    /**< The heap's metadata is inconsistent. */
#define OMNIHEAP_ERR_FULL (-4)       /**< The registry has no free slot. */
#define OMNIHEAP_ERR_UNSUPPORTED (-5) /**< The family does not support the operation. */
/** @} */

/**
 * @brief The allocator families of omniheap. The numeric values are part of
 *        the ABI and never change.
 */
typedef enum omniheap_family {
  OMNIHEAP_FAMILY_NONE = 0,       /**< Not a family; never reported by a registered heap. */
  OMNIHEAP_FAMILY_MEMB = 1,       /**< Contiki-NG fixed-size block pool (`MEMB()`, "lib/memb.h"). */
  OMNIHEAP_FAMILY_HEAPMEM = 2,    /**< Contiki-NG general heap ("lib/heapmem.h"). */
  OMNIHEAP_FAMILY_SYS_HEAP = 3,   /**< Zephyr low-level heap (<zephyr/sys/sys_heap.h>). */
  OMNIHEAP_FAMILY_K_HEAP = 4,     /**< Zephyr kernel heap and system heap (<zephyr/kernel.h>). */
  OMNIHEAP_FAMILY_MULTI_HEAP = 5, /**< Zephyr multi-heap (<zephyr/sys/multi_heap.h>). */
  OMNIHEAP_FAMILY_EMH = 6,        /**< emh_malloc isolated heaps ("emh_malloc.h"). */
  OMNIHEAP_FAMILY_FFIT = 7,       /**< Schoofs' first-fit heap (<ffit.h>). */
  OMNIHEAP_FAMILY_BUDDY = 8,      /**< Schoofs' buddy heap and ebuddy (<buddy.h>). */
  OMNIHEAP_FAMILY_MMT = 9         /**< Montimage MMT tracked allocator ("mmt_core.h"). */
} omniheap_family_t;

/**
 * @brief Short lower-case name of a family ("memb", "heapmem", "sys_heap", ...).
 * @param family A family value.
 * @return A static string; "unknown" for a value outside the enumeration.
 * @par Complexity, safety
 * O(1); callable from any context.
 */
const char *omniheap_family_name(omniheap_family_t family);

/**
 * @brief Opaque handle of one registered heap (an entry of the registry).
 */
typedef struct omniheap_heap omniheap_heap_t;

/**
 * @brief Statistics of one heap, or totals over several heaps.
 *
 * The first field is the structure's own size, so that the structure can
 * grow at its end without breaking the ABI: set `struct_size` to
 * `sizeof(omniheap_stats_t)` (or use OMNIHEAP_STATS_INIT) before calling
 * omniheap_heap_stats() or omniheap_totals(). The library fills only the
 * fields that fit completely in `struct_size` bytes, leaves every byte after
 * them untouched, and stores in `struct_size` the number of bytes it filled
 * (the end of the last field filled).
 *
 * Byte counts are in the family's own unit of account: MEMB counts whole
 * blocks of `size` bytes; general heaps (heapmem, sys_heap ...) count whole
 * chunks, their headers included, so that `in_use + free_bytes == capacity`
 * (the bytes a caller may use in one block: the family's usable-size
 * function). `largest_free` is always a request size.
 */
typedef struct omniheap_stats {
  size_t struct_size;          /**< In: size of the caller's structure. Out: bytes filled. */
  size_t capacity;             /**< Bytes the heap manages for its blocks (its own control data excluded). */
  size_t in_use;               /**< Bytes in live (allocated) blocks. */
  size_t peak;                 /**< High-water mark of `in_use` since init or the last peak reset. */
  size_t free_bytes;           /**< Bytes available to future allocations, in total. */
  size_t largest_free;         /**< Largest request one allocation could satisfy right now. */
  size_t block_size;           /**< Size of every block for fixed-size pools (MEMB); 0 for general heaps. */
  size_t live_blocks;          /**< Number of blocks currently allocated. */
  uint64_t allocations;        /**< Successful allocations since init. */
  uint64_t frees;              /**< Successful frees since init. */
  uint64_t failed_allocations; /**< Allocation requests that returned no memory since init. */
  uint64_t faults;             /**< Misuse detected since registration (double free, foreign pointer, ...). */
} omniheap_stats_t;

/** Initialiser for an omniheap_stats_t whose `struct_size` is set and whose
 *  other fields are zero: `omniheap_stats_t s = OMNIHEAP_STATS_INIT;`. */
#define OMNIHEAP_STATS_INIT {sizeof(omniheap_stats_t), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}

/** @name Registry
 *  Every heap of every family registers itself when it is initialised. */
/** @{ */

/**
 * @brief Number of heaps currently registered.
 * @return The count, at most OMNIHEAP_CONF_MAX_HEAPS.
 * @par Complexity, safety
 * O(OMNIHEAP_CONF_MAX_HEAPS); any thread; not from interrupts on the posix port.
 */
size_t omniheap_heap_count(void);

/**
 * @brief Iterates over the registered heaps in the order of the registry's
 *        slots (registration order, except that a heap may take a slot freed
 *        by an earlier unregistration).
 * @param previous NULL to get the first heap, else a handle returned earlier.
 * @return The next registered heap, or NULL at the end (or if `previous` is
 *         not a registered handle).
 * @par Example
 * @code
 * for (omniheap_heap_t *h = omniheap_heap_next(NULL); h; h = omniheap_heap_next(h))
 *   printf("%s\n", omniheap_heap_name(h));
 * @endcode
 * @par Complexity, safety
 * O(OMNIHEAP_CONF_MAX_HEAPS) worst case; any thread. Heaps registered or
 * unregistered during an iteration may or may not be visited; no heap is
 * visited twice.
 */
omniheap_heap_t *omniheap_heap_next(const omniheap_heap_t *previous);

/**
 * @brief Finds the registry entry of a heap object.
 * @param object The family's heap object: `&pool` for `MEMB(pool, ...)`, the
 *        `struct sys_heap *`, the `struct k_heap *`, the `ffit_heap_t *` ...
 * @return Its handle, or NULL if `object` is NULL or not registered.
 * @par Complexity, safety
 * O(OMNIHEAP_CONF_MAX_HEAPS); any thread.
 */
omniheap_heap_t *omniheap_heap_find(const void *object);

/**
 * @brief Finds a registered heap by name.
 * @param name NUL-terminated name to compare with omniheap_heap_name().
 * @return The first registered heap with that name, or NULL (also for NULL).
 * @par Complexity, safety
 * O(OMNIHEAP_CONF_MAX_HEAPS × name length); any thread.
 */
omniheap_heap_t *omniheap_heap_find_name(const char *name);

/**
 * @brief Name of a heap: the name set by omniheap_heap_set_name(), else the
 *        name given by its family (`MEMB(name, ...)` gives "name"), else the
 *        family's name (omniheap_family_name(), e.g. "memb"; the report shows
 *        such heaps as `family@address`).
 * @param heap A registered handle.
 * @return A NUL-terminated string valid until the heap is unregistered or
 *         renamed; "?" for NULL or an unknown handle.
 * @par Complexity, safety
 * O(1); any thread.
 */
const char *omniheap_heap_name(const omniheap_heap_t *heap);

/**
 * @brief Sets the name reported for a heap.
 * @param heap A registered handle.
 * @param name NUL-terminated name. The string is not copied: it must stay
 *        valid while the heap is registered (a string literal is ideal).
 *        NULL restores the family's default name.
 * @retval OMNIHEAP_OK            renamed.
 * @retval OMNIHEAP_ERR_NOT_FOUND `heap` is NULL or not registered.
 * @par Complexity, safety
 * O(OMNIHEAP_CONF_MAX_HEAPS); any thread.
 */
int omniheap_heap_set_name(omniheap_heap_t *heap, const char *name);

/**
 * @brief Family of a heap.
 * @param heap A registered handle.
 * @return Its family, or OMNIHEAP_FAMILY_NONE for NULL or an unknown handle.
 * @par Complexity, safety
 * O(1); any thread.
 */
omniheap_family_t omniheap_heap_family(const omniheap_heap_t *heap);

/**
 * @brief The family's heap object of a registered heap (the pointer that
 *        omniheap_heap_find() takes).
 * @param heap A registered handle.
 * @return The object, or NULL for NULL or an unknown handle.
 * @par Complexity, safety
 * O(1); any thread.
 */
const void *omniheap_heap_object(const omniheap_heap_t *heap);

/**
 * @brief Capacity of a heap: bytes it manages for its users (see
 *        omniheap_stats_t::capacity).
 * @param heap A registered handle.
 * @return The capacity in bytes, or 0 for NULL or an unknown handle.
 * @par Complexity, safety
 * O(1); computes the heap's statistics: same rules as omniheap_heap_stats().
 */
size_t omniheap_heap_capacity(const omniheap_heap_t *heap);

/**
 * @brief Removes a heap from the registry, e.g. before the memory holding a
 *        heap object that was declared on the stack goes out of scope.
 *
 * The heap itself keeps working; it only disappears from the native API. It
 * registers again when its family initialises it again.
 * @param heap A registered handle.
 * @retval OMNIHEAP_OK            removed; the handle is no longer valid (its
 *         slot may be given to the next heap that registers).
 * @retval OMNIHEAP_ERR_NOT_FOUND `heap` is NULL or not registered.
 * @par Complexity, safety
 * O(OMNIHEAP_CONF_MAX_HEAPS); any thread.
 */
int omniheap_heap_unregister(omniheap_heap_t *heap);

/**
 * @brief Number of heaps that could not be registered because the registry
 *        was full (see OMNIHEAP_CONF_MAX_HEAPS) since start-up.
 * @return The count. Such heaps work normally; they are only invisible here.
 * @par Complexity, safety
 * O(1); any context.
 */
size_t omniheap_registry_dropped(void);
/** @} */

/** @name Statistics, validation and walk */
/** @{ */

/**
 * @brief Statistics of one heap.
 * @param heap A registered handle.
 * @param[in,out] stats Caller's structure with `struct_size` set (see
 *        omniheap_stats_t).
 * @retval OMNIHEAP_OK            `stats` filled.
 * @retval OMNIHEAP_ERR_INVALID   `stats` is NULL or `struct_size` is smaller
 *         than the first two fields.
 * @retval OMNIHEAP_ERR_NOT_FOUND `heap` is NULL or not registered.
 * @par Complexity, safety
 * O(1) for every family (counters are kept incrementally). Thread safety as
 * the family (see the file description).
 */
int omniheap_heap_stats(const omniheap_heap_t *heap, omniheap_stats_t *stats);

/**
 * @brief Sets a heap's peak (high-water mark) to its current bytes in use.
 * @param heap A registered handle.
 * @retval OMNIHEAP_OK            peak reset.
 * @retval OMNIHEAP_ERR_NOT_FOUND `heap` is NULL or not registered.
 * @par Complexity, safety
 * MEMB: O(1), or O(num) when both of the pool's free lists are non-empty
 * (they are then rebuilt). Thread safety as the family.
 */
int omniheap_heap_reset_peak(omniheap_heap_t *heap);

/**
 * @brief Checks every invariant of a heap's metadata.
 *
 * For MEMB: the free lists are acyclic, lie inside the pool, list only free
 * blocks, and agree with the `used` flags and the counters. Validation
 * never modifies the heap.
 * @param heap A registered handle.
 * @retval OMNIHEAP_OK            the heap is consistent.
 * @retval OMNIHEAP_ERR_CORRUPT   an invariant does not hold (the heap has been
 *         overwritten, e.g. by a write after free or past a block's end).
 * @retval OMNIHEAP_ERR_NOT_FOUND `heap` is NULL or not registered.
 * @par Complexity, safety
 * O(number of blocks). Thread safety as the family.
 */
int omniheap_heap_validate(const omniheap_heap_t *heap);

/** @brief One block reported by omniheap_heap_walk(). */
typedef struct omniheap_block {
  void *address; /**< Address of the block's user area. */
  size_t size;   /**< Bytes of the block's user area. */
  int used;      /**< 1 if the block is allocated, 0 if free. */
} omniheap_block_t;

/**
 * @brief Callback of omniheap_heap_walk().
 * @param block   The block (valid only during the call).
 * @param context The `context` given to omniheap_heap_walk().
 * @return 0 to continue the walk, non-zero to stop it.
 * @note The callback must not allocate from or free to the heap being walked.
 */
typedef int (*omniheap_walk_fn)(const omniheap_block_t *block, void *context);

/**
 * @brief Visits every block of a heap, used and free, in address order.
 * @param heap    A registered handle.
 * @param fn      Callback called once per block.
 * @param context Passed to `fn`.
 * @retval OMNIHEAP_OK            every block visited, or `fn` stopped the walk.
 * @retval OMNIHEAP_ERR_INVALID   `fn` is NULL.
 * @retval OMNIHEAP_ERR_NOT_FOUND `heap` is NULL or not registered.
 * @retval OMNIHEAP_ERR_CORRUPT   the walk met inconsistent metadata and stopped
 *         (never for MEMB, whose walk reads only the `used` flags).
 * @retval OMNIHEAP_ERR_UNSUPPORTED the heap's blocks cannot be walked: MMT on
 *         the C library's allocator (OMNIHEAP_CONF_MMT_BACKEND 0), whose blocks
 *         are the C library's.
 * @par Complexity, safety
 * O(number of blocks). Thread safety as the family; for MEMB built with
 * OMNIHEAP_CONF_MEMB_LOCKED the whole walk, callback included, runs inside
 * the port's critical section (on Cortex-M: with interrupts masked).
 */
int omniheap_heap_walk(const omniheap_heap_t *heap, omniheap_walk_fn fn, void *context);

/**
 * @brief Statistics summed over every registered heap.
 *
 * Byte counts and counters are sums. `largest_free` is the maximum over the
 * heaps, `peak` is the sum of the heaps' peaks (an upper bound of the true
 * simultaneous peak) and `block_size` is 0.
 * @param[in,out] stats Caller's structure with `struct_size` set.
 * @retval OMNIHEAP_OK          filled.
 * @retval OMNIHEAP_ERR_INVALID `stats` is NULL or `struct_size` too small.
 * @par Complexity, safety
 * O(number of heaps); same rules as omniheap_heap_stats() for each heap.
 */
int omniheap_totals(omniheap_stats_t *stats);

/**
 * @brief Statistics summed over the registered heaps of one family (see
 *        omniheap_totals() for how fields are combined).
 * @param family The family.
 * @param[in,out] stats Caller's structure with `struct_size` set.
 * @return The number of heaps summed (0 if the family has none, `stats` is
 *         then all zero), or OMNIHEAP_ERR_INVALID if `stats` is NULL or
 *         `struct_size` too small.
 * @par Complexity, safety
 * O(number of heaps); same rules as omniheap_heap_stats() for each heap.
 */
int omniheap_family_totals(omniheap_family_t family, omniheap_stats_t *stats);
/** @} */

/** @name Memory report */
/** @{ */

/**
 * @brief Output callback of omniheap_report_to().
 * @param text    Characters to write (not NUL-terminated).
 * @param length  Number of characters.
 * @param context The `context` given to omniheap_report_to().
 */
typedef void (*omniheap_write_fn)(const char *text, size_t length, void *context);

/**
 * @brief Writes the memory report through the port's output hook
 *        (omniheap_port_write()).
 *
 * A title line (version, target, port), a line of column headings, one line
 * per registered heap — name (`family@address` for heaps without a name),
 * family, capacity, bytes in use, peak, allocations, failed allocations,
 * largest free block, fragmentation in percent
 * (`100 × (1 − largest free / free bytes)`, "-" for fixed-size pools), and
 * the number of faults if there were any — then a totals line starting with
 * "total", and, if the registry overflowed, a warning line.
 * @par Complexity, safety
 * O(number of heaps); same rules as omniheap_heap_stats() for each heap
 * (each heap's statistics are read twice: for its line and for the totals,
 * so a heap in use meanwhile can make the totals differ). Uses no heap
 * memory and no printf; about 450 bytes of stack on Cortex-M0 at -Os
 * (measured with -fstack-usage), plus what omniheap_port_write() needs.
 */
void omniheap_report(void);

/**
 * @brief Writes the memory report (see omniheap_report()) through `fn`.
 * @param fn      Output callback, called once per line with the whole line,
 *                including its final `'\n'`, and never with a lock held; if
 *                NULL nothing is written.
 * @param context Passed to `fn`.
 * @par Complexity, safety
 * As omniheap_report().
 */
void omniheap_report_to(omniheap_write_fn fn, void *context);
/** @} */

/** @name Faults: detected misuse
 *  Double frees, foreign or interior pointers and corrupted metadata are
 *  reported here before the family returns its documented error (or panics
 *  where the family's contract asserts). The heap stays consistent. */
/** @{ */

/** @brief Kind of misuse that a family detected. */
typedef enum omniheap_fault_kind {
  OMNIHEAP_FAULT_DOUBLE_FREE = 1,      /**< The block is already free. */
  OMNIHEAP_FAULT_FOREIGN_POINTER = 2,  /**< The pointer is not inside the heap. */
  OMNIHEAP_FAULT_INTERIOR_POINTER = 3, /**< The pointer is inside the heap but not the start of a block. */
  OMNIHEAP_FAULT_CORRUPT_METADATA = 4, /**< Heap metadata was overwritten (e.g. write after free or past a block). */
  OMNIHEAP_FAULT_BAD_ALIGNMENT = 5,    /**< An alignment argument the family does not accept. */
  OMNIHEAP_FAULT_BAD_ARGUMENT = 6      /**< Another argument the family's contract forbids. */
} omniheap_fault_kind_t;

/**
 * @brief Short name of a fault kind ("double free", "foreign pointer", ...).
 * @param kind A fault kind.
 * @return A static string; "unknown fault" for a value outside the enumeration.
 * @par Complexity, safety
 * O(1); callable from any context.
 */
const char *omniheap_fault_kind_name(omniheap_fault_kind_t kind);

/** @brief What happens after a fault has been reported. */
typedef enum omniheap_fault_action {
  OMNIHEAP_FAULT_RETURN = 0, /**< The family returns its documented error code. */
  OMNIHEAP_FAULT_PANIC = 1   /**< omniheap_port_panic() is called; it does not return. */
} omniheap_fault_action_t;

/** @brief Description of one detected fault. */
typedef struct omniheap_fault {
  omniheap_fault_kind_t kind;             /**< What was detected. */
  omniheap_family_t family;               /**< Family of the heap. */
  omniheap_heap_t *heap;                  /**< Registry handle, or NULL if the heap is not registered. */
  const void *object;                     /**< The family's heap object (e.g. `struct memb *`). */
  const void *pointer;                    /**< The offending pointer (may be NULL). */
  const char *function;                   /**< Name of the API function that detected it, e.g. "memb_free". */
  omniheap_fault_action_t default_action; /**< The family's contract: RETURN where it has an error code, PANIC where upstream asserts. */
} omniheap_fault_t;

/**
 * @brief Fault handler: called for every detected fault, in the context of
 *        the call that detected it (possibly with the heap's lock held).
 * @param fault   The fault (valid only during the call).
 * @param context The `context` given to omniheap_set_fault_handler().
 * @return The action to take: usually `fault->default_action`; returning
 *         OMNIHEAP_FAULT_PANIC makes any fault fatal.
 * @note The handler must not allocate from or free to the faulting heap.
 */
typedef omniheap_fault_action_t (*omniheap_fault_handler_t)(const omniheap_fault_t *fault,
                                                            void *context);

/**
 * @brief Installs a fault handler for all heaps.
 *
 * The default handler (also restored by passing NULL) calls the port hook
 * omniheap_port_corruption() and returns `fault->default_action`.
 * @param handler The handler, or NULL for the default.
 * @param context Passed to `handler`.
 * @par Complexity, safety
 * O(1); any thread. The handler and context are swapped together inside the
 * port's critical section.
 */
void omniheap_set_fault_handler(omniheap_fault_handler_t handler, void *context);
/** @} */

/** @name Listeners: events and conditions on heaps
 *
 * A listener is a callback registered on one heap or on every heap, for a
 * set of events. Every family reports into the same machinery: MEMB pools,
 * heapmem, sys_heap, k_heap and the system heap, multi-heap members, emh,
 * ffit, buddy and ebuddy, and MMT (whose listener API, in "memory.h", is
 * this one). Zephyr's heap listeners (<zephyr/sys/heap_listener.h>) are
 * delivered through it too.
 *
 * Events are of two sorts:
 * - **operations**, one per successful call that changes a heap:
 *   OMNIHEAP_EVENT_ALLOC, OMNIHEAP_EVENT_FREE, OMNIHEAP_EVENT_REALLOC (a
 *   resize in place or a move, as one event), and the calls that fail:
 *   OMNIHEAP_EVENT_ALLOC_FAILED (once per call that returns no memory,
 *   however often a blocking call retried), OMNIHEAP_EVENT_FAULT (misuse
 *   detected, see omniheap_set_fault_handler());
 * - **conditions**, derived from the bytes in use (the family's unit of
 *   account, as omniheap_stats_t::in_use) after each operation:
 *   OMNIHEAP_EVENT_ABOVE when they reach the listener's threshold from
 *   below, OMNIHEAP_EVENT_BELOW when they then fall under
 *   `threshold - hysteresis`, and OMNIHEAP_EVENT_PEAK when an allocation
 *   raises the heap's high-water mark. ABOVE and BELOW alternate: each
 *   crossing is reported exactly once per listener and heap, and a heap
 *   that hovers around the threshold reports nothing more until it has
 *   gone down by `hysteresis`. A listener learns a heap's state (above or
 *   below the threshold) from the first operation it sees on that heap,
 *   from the bytes in use before it: a heap already over the threshold
 *   when the listener is registered reports BELOW when it falls, not ABOVE
 *   first.
 *
 * @par Context of the callbacks
 * A callback runs in the allocating context: in the thread (or interrupt
 * handler) that called the allocator, during the call, with the heap's lock
 * held (for the families that lock) and inside the port's critical section
 * (on Cortex-M: with interrupts masked). It must be short, and it must not
 * allocate or free memory from any heap, nor call functions that take a
 * heap's lock (omniheap_heap_stats(), omniheap_report(), ...): record what
 * it needs (a flag, a counter) and let the application act later. Events of
 * one heap reach a listener in the order of the operations; the conditions
 * caused by an operation follow its operation event.
 *
 * @par Cost
 * With no listener registered an allocator pays one relaxed load and a
 * branch per call. With listeners, each operation of a family's call builds
 * one event and takes the critical section to walk the listeners:
 * O(OMNIHEAP_CONF_MAX_HEAPS + listeners).
 */
/** @{ */

/** @brief What an event reports. The numeric values are part of the ABI. */
typedef enum omniheap_event_kind {
  OMNIHEAP_EVENT_ALLOC = 1,        /**< A block was allocated. */
  OMNIHEAP_EVENT_FREE = 2,         /**< A block is being freed (its memory must not be read). */
  OMNIHEAP_EVENT_REALLOC = 3,      /**< A block was resized in place or moved. */
  OMNIHEAP_EVENT_ALLOC_FAILED = 4, /**< An allocation call returned no memory. */
  OMNIHEAP_EVENT_ABOVE = 5,        /**< Bytes in use reached the listener's threshold. */
  OMNIHEAP_EVENT_BELOW = 6,        /**< Bytes in use fell under threshold − hysteresis. */
  OMNIHEAP_EVENT_PEAK = 7,         /**< An allocation raised the heap's high-water mark. */
  OMNIHEAP_EVENT_FAULT = 8         /**< Misuse or corruption was detected. */
} omniheap_event_kind_t;

/** Bit of an event kind in the `events` mask of omniheap_listener_register(). */
#define OMNIHEAP_ON(kind) (1U << (kind))
/** Mask: OMNIHEAP_EVENT_ALLOC. */
#define OMNIHEAP_ON_ALLOC OMNIHEAP_ON(OMNIHEAP_EVENT_ALLOC)
/** Mask: OMNIHEAP_EVENT_FREE. */
#define OMNIHEAP_ON_FREE OMNIHEAP_ON(OMNIHEAP_EVENT_FREE)
/** Mask: OMNIHEAP_EVENT_REALLOC. */
#define OMNIHEAP_ON_REALLOC OMNIHEAP_ON(OMNIHEAP_EVENT_REALLOC)
/** Mask: OMNIHEAP_EVENT_ALLOC_FAILED. */
#define OMNIHEAP_ON_FAILURE OMNIHEAP_ON(OMNIHEAP_EVENT_ALLOC_FAILED)
/** Mask: OMNIHEAP_EVENT_ABOVE. */
#define OMNIHEAP_ON_ABOVE OMNIHEAP_ON(OMNIHEAP_EVENT_ABOVE)
/** Mask: OMNIHEAP_EVENT_BELOW. */
#define OMNIHEAP_ON_BELOW OMNIHEAP_ON(OMNIHEAP_EVENT_BELOW)
/** Mask: OMNIHEAP_EVENT_PEAK. */
#define OMNIHEAP_ON_PEAK OMNIHEAP_ON(OMNIHEAP_EVENT_PEAK)
/** Mask: OMNIHEAP_EVENT_FAULT. */
#define OMNIHEAP_ON_FAULT OMNIHEAP_ON(OMNIHEAP_EVENT_FAULT)
/** Mask: both threshold crossings. */
#define OMNIHEAP_ON_THRESHOLD (OMNIHEAP_ON_ABOVE | OMNIHEAP_ON_BELOW)
/** Mask: every successful operation (what a trace needs). */
#define OMNIHEAP_ON_OPERATIONS (OMNIHEAP_ON_ALLOC | OMNIHEAP_ON_FREE | OMNIHEAP_ON_REALLOC)
/** Mask: every event. */
#define OMNIHEAP_ON_ALL 0x1FEU

/** @brief One event, as a listener's callback receives it. */
typedef struct omniheap_event {
  omniheap_event_kind_t kind;   /**< What happened. */
  omniheap_family_t family;     /**< Family of the heap. */
  omniheap_heap_t *heap;        /**< Registry handle, or NULL if the heap is not registered. */
  const void *object;           /**< The family's heap object (as omniheap_heap_object()). */
  void *pointer;                /**< ALLOC, REALLOC: the block now allocated; FREE: the block being freed; FAULT: the offending pointer; else NULL. */
  void *old_pointer;            /**< REALLOC: the block before the call (equal to `pointer` when resized in place); else NULL. */
  size_t size;                  /**< ALLOC, REALLOC, ALLOC_FAILED: the bytes requested; else 0. */
  size_t bytes;                 /**< ALLOC, REALLOC: bytes the new block adds to `in_use`; FREE: bytes it gave back; else 0. */
  size_t old_bytes;             /**< REALLOC: bytes the old block accounted for; else 0. */
  size_t previous_in_use;       /**< Bytes in use before the operation (0 for FAULT: not known). */
  size_t in_use;                /**< Bytes in use after the operation (0 for FAULT: not known). */
  size_t peak;                  /**< High-water mark after the operation (0 for FAULT: not known). */
  size_t threshold;             /**< ABOVE, BELOW: the listener's threshold; else 0. */
  omniheap_fault_kind_t fault;  /**< FAULT: what was detected; else 0. */
} omniheap_event_t;

/**
 * @brief Callback of a listener.
 * @param event   The event (valid only during the call).
 * @param context The `context` given to omniheap_listener_register().
 * @note Runs in the allocating context; see the group's description for
 *       what it may not do.
 */
typedef void (*omniheap_listener_fn)(const omniheap_event_t *event, void *context);

/** Number of 32-bit words of a listener's per-heap state (two bits per registry slot). */
#define OMNIHEAP_LISTENER_STATE_WORDS (2 * ((OMNIHEAP_CONF_MAX_HEAPS + 31) / 32))

/**
 * @brief A listener. The caller owns the storage (static, or alive for as
 *        long as it is registered); the library keeps no copy and allocates
 *        nothing. Every field is private: set them only through
 *        omniheap_listener_register().
 */
typedef struct omniheap_listener {
  struct omniheap_listener *next;  /**< Private: link in the list of listeners. */
  const void *object;              /**< Private: the heap listened to, or NULL for all. */
  unsigned events;                 /**< Private: mask of OMNIHEAP_ON_* bits. */
  size_t threshold;                /**< Private: threshold of ABOVE and BELOW. */
  size_t hysteresis;               /**< Private: BELOW fires under threshold − hysteresis. */
  omniheap_listener_fn fn;         /**< Private: the callback. */
  void *context;                   /**< Private: its context. */
  uint32_t state[OMNIHEAP_LISTENER_STATE_WORDS]; /**< Private: per registry slot, "known" and "above" bits. */
} omniheap_listener_t;

/**
 * @brief Registers a listener.
 * @param listener   Storage for the listener (see omniheap_listener_t). If it
 *                   is registered already, it is first unregistered.
 * @param heap       The heap to listen to, or NULL for every heap (those
 *                   registered later included). Conditions are evaluated
 *                   per heap, never on a sum of heaps.
 * @param events     Mask of OMNIHEAP_ON_* bits; non-zero.
 * @param threshold  Bytes in use at which OMNIHEAP_EVENT_ABOVE fires; used
 *                   only with OMNIHEAP_ON_ABOVE or OMNIHEAP_ON_BELOW.
 * @param hysteresis OMNIHEAP_EVENT_BELOW fires when the bytes in use fall
 *                   under `threshold - hysteresis` (under 0, i.e. never, if
 *                   `hysteresis > threshold`). 0: under the threshold.
 * @param fn         The callback; not NULL.
 * @param context    Passed to `fn`.
 * @retval OMNIHEAP_OK            registered; events flow from the next operation.
 * @retval OMNIHEAP_ERR_INVALID   `listener` or `fn` is NULL, or `events` has no
 *         valid bit.
 * @retval OMNIHEAP_ERR_NOT_FOUND `heap` is not NULL and not registered.
 * @par Complexity, safety
 * O(OMNIHEAP_CONF_MAX_HEAPS + listeners); any thread; not from a listener
 * callback.
 */
int omniheap_listener_register(omniheap_listener_t *listener, omniheap_heap_t *heap, unsigned events,
                               size_t threshold, size_t hysteresis, omniheap_listener_fn fn,
                               void *context);

/**
 * @brief Unregisters a listener. When it returns, its callback is not
 *        running and is not called again.
 * @param listener A listener given to omniheap_listener_register().
 * @retval OMNIHEAP_OK            unregistered.
 * @retval OMNIHEAP_ERR_NOT_FOUND `listener` is NULL or not registered.
 * @par Complexity, safety
 * O(listeners); any thread; not from a listener callback.
 */
int omniheap_listener_unregister(omniheap_listener_t *listener);

/**
 * @brief Whether a registered listener's heap is currently over its
 *        threshold (the state that OMNIHEAP_EVENT_ABOVE and
 *        OMNIHEAP_EVENT_BELOW switch).
 * @param listener A registered listener.
 * @param heap     The heap; NULL for the listener's own heap (an error for a
 *                 listener on every heap).
 * @return 1 if above, 0 if below, -1 if not known yet (no operation seen on
 *         that heap since registration) or an argument is invalid.
 * @par Complexity, safety
 * O(OMNIHEAP_CONF_MAX_HEAPS); any thread, also from a callback.
 */
int omniheap_listener_above(const omniheap_listener_t *listener, const omniheap_heap_t *heap);

/** @brief Short name of an event kind ("alloc", "free", "above", ...).
 *  @param kind An event kind.
 *  @return A static string; "unknown event" outside the enumeration.
 *  @par Complexity, safety
 *  O(1); callable from any context. */
const char *omniheap_event_kind_name(omniheap_event_kind_t kind);
/** @} */

/** @name Trace recorder
 *  A listener that writes every operation of one heap (or of all heaps) as
 *  a text trace that `omniheap-sim --dist trace:FILE` replays against every
 *  family: one line per operation, `a <id> <size>` for an allocation of
 *  `size` bytes and `f <id>` for the free of block `id`. Ids are block
 *  addresses written in decimal (the simulator resolves a free to the latest
 *  allocation of its id). A realloc is written as the allocation of the new
 *  block followed by the free of the old one (`f` first when it stayed in
 *  place). Requests of 0 bytes are written with size 1 (the simulator's
 *  smallest). The first line is a `#` comment naming the heap. */
/** @{ */

/** @brief A trace recorder. Caller-owned storage; fields are private except
 *  the counters, which may be read at any time. */
typedef struct omniheap_trace {
  omniheap_listener_t listener; /**< Private: the recorder's listener. */
  omniheap_write_fn write;      /**< Private: the output callback. */
  void *context;                /**< Private: its context. */
  uint64_t lines;               /**< Operation lines written so far. */
} omniheap_trace_t;

/**
 * @brief Starts recording a trace.
 * @param trace   Storage for the recorder (alive until omniheap_trace_stop()).
 * @param heap    The heap to record, or NULL for all heaps (a trace of
 *                several heaps replays them as one).
 * @param write   Output callback, called once per line (with its `'\n'`) in
 *                the allocating context: the rules of listener callbacks
 *                apply (no allocation from the traced heaps).
 * @param context Passed to `write`.
 * @retval OMNIHEAP_OK            recording (the comment line is written first).
 * @retval OMNIHEAP_ERR_INVALID   `trace` or `write` is NULL.
 * @retval OMNIHEAP_ERR_NOT_FOUND `heap` is not NULL and not registered.
 * @par Complexity, safety
 * As omniheap_listener_register(); each operation then costs one listener
 * event and one formatted line (no heap memory, no printf).
 */
int omniheap_trace_start(omniheap_trace_t *trace, omniheap_heap_t *heap, omniheap_write_fn write,
                         void *context);

/**
 * @brief Stops a trace recorder started by omniheap_trace_start().
 * @param trace The recorder.
 * @retval OMNIHEAP_OK            stopped; `write` is not called again.
 * @retval OMNIHEAP_ERR_NOT_FOUND `trace` is NULL or not recording.
 * @par Complexity, safety
 * As omniheap_listener_unregister().
 */
int omniheap_trace_stop(omniheap_trace_t *trace);
/** @} */

#ifdef __cplusplus
}
#endif

#endif /* OMNIHEAP_H */
