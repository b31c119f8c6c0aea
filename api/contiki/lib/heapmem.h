/**
 * @file lib/heapmem.h
 * @brief Contiki-NG HeapMem: a malloc-like heap on a static arena, with
 *        zones (API of Contiki-NG v5.0), on omniheap's bounded-time engine.
 *
 * Firmware written for Contiki-NG compiles unchanged with
 * `#include "lib/heapmem.h"` and the include root `api/contiki`.
 *
 * @par The arena
 * One static arena per library build; its size is the library option
 * OMNIHEAP_CONF_HEAPMEM_ARENA_SIZE (upstream name `HEAPMEM_CONF_ARENA_SIZE`,
 * default 4096 bytes: unlike upstream, an arena exists without
 * configuration). It is set up on first use and joins omniheap's registry
 * under the name "heapmem". It takes `.bss` only in firmware that calls a
 * heapmem function (link with `--gc-sections`).
 *
 * @par What omniheap guarantees beyond upstream
 * - Allocation, free and realloc run in bounded time (upstream: bounded
 *   best-fit plus a defragmentation pass); free blocks merge at once.
 * - heapmem_free() returns false, and changes nothing, for NULL, any pointer
 *   outside the arena (upstream accepted pointers above it and could crash),
 *   a pointer that is not a block in use, and a double free. Every case but
 *   NULL is also reported to omniheap's fault handler, which by default
 *   prints one line through the port and lets heapmem_free() return false.
 * - Zone budgets stay exact across realloc moves (upstream leaked budget).
 * - heapmem_calloc() checks `nmemb * size` for overflow; every size near
 *   SIZE_MAX returns NULL.
 *
 * @par Thread and ISR safety
 * None, as upstream: the caller serialises all calls. Built with
 * OMNIHEAP_CONF_HEAPMEM_LOCKED = 1, every call runs in the port's critical
 * section.
 */
#ifndef HEAPMEM_H
#define HEAPMEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief Statistics of the arena (heapmem_stats()).
 *
 * On an empty arena: `allocated`, `overhead`, `footprint` and `chunks` are 0
 * and `available` is the arena size.
 */
typedef struct heapmem_stats {
  size_t allocated;     /**< Bytes usable in the allocated blocks (each block's size rounded up). */
  size_t overhead;      /**< Header bytes of the allocated blocks. */
  size_t available;     /**< Bytes free for allocation, headers included. */
  size_t footprint;     /**< Bytes from the start of the arena to the end of the highest block in use. */
  size_t max_footprint; /**< High-water mark of `footprint`. */
  size_t chunks;        /**< Number of allocated blocks. */
} heapmem_stats_t;

/** @brief A zone: a budget of bytes within the shared arena. */
typedef uint8_t heapmem_zone_t;

/** Returned by heapmem_zone_register() when no zone was registered. */
#define HEAPMEM_ZONE_INVALID ((heapmem_zone_t)-1)
/** The zone that holds every byte not given to another zone. */
#define HEAPMEM_ZONE_GENERAL 0

#ifndef HEAPMEM_DEBUG
/** Non-zero (set by the firmware before including this header) routes the
 *  allocation macros to the `_debug` functions, which take the caller's
 *  file and line. Default 0. */
#define HEAPMEM_DEBUG 0
#endif

#if HEAPMEM_DEBUG
/** Allocates from HEAPMEM_ZONE_GENERAL (debug build: records file and line). */
#define heapmem_alloc(size) heapmem_zone_alloc_debug(HEAPMEM_ZONE_GENERAL, (size), __FILE__, __LINE__)
/** Allocates from a zone (debug build). */
#define heapmem_zone_alloc(zone, size) heapmem_zone_alloc_debug((zone), (size), __FILE__, __LINE__)
/** Resizes a block (debug build). */
#define heapmem_realloc(ptr, size) heapmem_realloc_debug((ptr), (size), __FILE__, __LINE__)
/** Allocates a zeroed array (debug build). */
#define heapmem_calloc(nmemb, size) heapmem_calloc_debug((nmemb), (size), __FILE__, __LINE__)
/** Frees a block (debug build). */
#define heapmem_free(ptr) heapmem_free_debug((ptr), __FILE__, __LINE__)
#else
/**
 * @brief Allocates `size` bytes from HEAPMEM_ZONE_GENERAL:
 *        heapmem_zone_alloc(HEAPMEM_ZONE_GENERAL, size).
 */
#define heapmem_alloc(size) heapmem_zone_alloc(HEAPMEM_ZONE_GENERAL, (size))
#endif

/**
 * @brief Registers a zone: moves `zone_size` bytes of budget out of
 *        HEAPMEM_ZONE_GENERAL into a new zone.
 * @param name      Name of the zone (not copied; must stay valid). Names are
 *                  compared with strcmp().
 * @param zone_size Budget of the zone in bytes (headers count against it).
 * @return The new zone (1 ... OMNIHEAP_CONF_HEAPMEM_MAX_ZONES - 1), or
 *         HEAPMEM_ZONE_INVALID if `name` is NULL or already registered,
 *         `zone_size` is 0 or larger than what HEAPMEM_ZONE_GENERAL has left
 *         unallocated, or no zone slot is free. There is no unregister.
 * @par Complexity
 * O(zones × name length).
 */
heapmem_zone_t heapmem_zone_register(const char *name, size_t zone_size);

#if !HEAPMEM_DEBUG
/**
 * @brief Allocates `size` bytes charged to `zone`.
 * @param zone A registered zone.
 * @param size Bytes; 0 gives NULL.
 * @return A block aligned to heapmem_alignment(), not zeroed; NULL if `size`
 *         is 0 or larger than the arena, `zone` is not registered, the zone's
 *         budget would be exceeded, or no free chunk is large enough.
 * @par Complexity
 * O(1).
 */
void *heapmem_zone_alloc(heapmem_zone_t zone, size_t size);

/**
 * @brief Resizes a block, keeping its zone.
 *
 * `ptr` NULL: heapmem_alloc(size). `size` 0: frees `ptr`, returns NULL. A
 * smaller size shrinks in place; a larger one grows in place into a free
 * right neighbour when it can, else a new block of the same zone gets a copy
 * and the old block is freed. The zone's budget counts the result exactly.
 * @param ptr  A block in use, or NULL.
 * @param size New size.
 * @return The block; NULL on failure (then `ptr` is unchanged), for `size`
 *         0, and for a `ptr` that is not a block in use (also reported to
 *         the fault handler).
 * @par Complexity
 * O(1) plus the copy when the block moves.
 */
void *heapmem_realloc(void *ptr, size_t size);

/**
 * @brief Allocates `nmemb * size` zeroed bytes from HEAPMEM_ZONE_GENERAL.
 * @param nmemb Number of elements.
 * @param size  Size of one element.
 * @return The block, or NULL if either is 0, the product overflows, or
 *         heapmem_alloc() fails.
 * @par Complexity
 * O(1) plus the zeroing.
 */
void *heapmem_calloc(size_t nmemb, size_t size);

/**
 * @brief Frees a block.
 * @param ptr A block in use, or NULL.
 * @return true if the block was freed; false for NULL, a pointer outside the
 *         arena or not at a block in use, and a double free (all but NULL
 *         reported to the fault handler). The arena is unchanged on false.
 * @par Complexity
 * O(1); false for a pointer inside the arena: O(chunks), spent naming the
 * fault (interior pointer, double free or damaged header).
 */
bool heapmem_free(void *ptr);
#endif

/**
 * @brief Allocates from a zone, recording the caller (used by the
 *        heapmem_alloc() and heapmem_zone_alloc() macros when HEAPMEM_DEBUG
 *        is set). Behaves as heapmem_zone_alloc(); `file` and `line` are
 *        stored in the block's unused tail and printed for it by
 *        heapmem_print_debug_info(true) (the block takes about 16 bytes more;
 *        `file` must stay valid while the block lives).
 * @param zone A registered zone.
 * @param size Bytes.
 * @param file Caller's file.
 * @param line Caller's line.
 * @return As heapmem_zone_alloc().
 */
void *heapmem_zone_alloc_debug(heapmem_zone_t zone, size_t size, const char *file,
                               const unsigned line);

/**
 * @brief Allocates from HEAPMEM_ZONE_GENERAL, recording the caller. Declared
 *        (but never defined) upstream; defined here.
 * @param size Bytes.
 * @param file Caller's file.
 * @param line Caller's line.
 * @return As heapmem_alloc().
 */
void *heapmem_alloc_debug(size_t size, const char *file, const unsigned line);

/**
 * @brief heapmem_realloc() recording the caller (HEAPMEM_DEBUG).
 * @param ptr  A block in use, or NULL.
 * @param size New size.
 * @param file Caller's file.
 * @param line Caller's line.
 * @return As heapmem_realloc().
 */
void *heapmem_realloc_debug(void *ptr, size_t size, const char *file, const unsigned line);

/**
 * @brief heapmem_calloc() recording the caller (HEAPMEM_DEBUG).
 * @param nmemb Number of elements.
 * @param size  Size of one element.
 * @param file  Caller's file.
 * @param line  Caller's line.
 * @return As heapmem_calloc().
 */
void *heapmem_calloc_debug(size_t nmemb, size_t size, const char *file, const unsigned line);

/**
 * @brief heapmem_free() for HEAPMEM_DEBUG builds. `file` and `line` are not
 *        used: a fault report names the function, and the block's origin is
 *        what heapmem_print_debug_info() prints.
 * @param ptr  A block in use, or NULL.
 * @param file Caller's file.
 * @param line Caller's line.
 * @return As heapmem_free().
 */
bool heapmem_free_debug(void *ptr, const char *file, const unsigned line);

/**
 * @brief Statistics of the arena.
 * @param stats Filled (see heapmem_stats_t); NULL does nothing.
 * @par Complexity
 * O(1) (upstream: a walk that also merged free chunks).
 */
#if defined(__cplusplus) && defined(__GNUC__)
/* The upstream API gives the struct and this function the same name, which
 * C++ compilers flag with -Wshadow. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wshadow"
#endif
void heapmem_stats(heapmem_stats_t *stats);
#if defined(__cplusplus) && defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

/**
 * @brief Prints the statistics, the zones and, if asked, every chunk
 *        through omniheap's port output (omniheap_port_write()).
 * @param print_chunks true to list every chunk (address, size, used/free).
 * @par Complexity
 * O(zones), plus O(chunks) with `print_chunks`.
 */
void heapmem_print_debug_info(bool print_chunks);

/**
 * @brief Alignment of every block: OMNIHEAP_CONF_HEAPMEM_ALIGNMENT, or
 *        `alignof(max_align_t)` when that is 0 (the default). A power of two.
 * @return The alignment in bytes.
 */
size_t heapmem_alignment(void);

#ifdef __cplusplus
}
#endif

#endif /* HEAPMEM_H */
