/**
 * @file mmt_core.h
 * @brief Montimage MMT (mmt-dpi) memory helpers: mmt_malloc(), mmt_realloc()
 *        and mmt_free(), on omniheap.
 *
 * Firmware and tools written for mmt-dpi keep their include line
 * `#include "mmt_core.h"` and add the include root `api/mmt`. This header
 * declares only the three allocation functions of upstream's public
 * `mmt_core.h` (the packet-processing API of mmt-dpi is not part of
 * omniheap), with the export macros of upstream's `mmt_exports.h` and the
 * branch hints of `mmt_utils.h`. The statistics (mmt_meminfo()), the
 * listener and arena extensions are in `"memory.h"`. See @ref family_mmt.
 *
 * @par What omniheap guarantees beyond upstream
 * - Blocks are aligned to `alignof(max_align_t)` (upstream: only to
 *   `sizeof(size_t)`).
 * - `mmt_realloc(p, n)` with `n` not larger than the block's size returns
 *   `p` itself (upstream returns NULL and leaves `p` as it was).
 * - A size so large that the block with its header would overflow `size_t`
 *   (or exceed `PTRDIFF_MAX`) is an allocation failure, without asking the
 *   C library (upstream wraps and returns a tiny block).
 * - Out of memory calls the port's panic hook, omniheap_port_panic(), after
 *   the failure is counted and reported to listeners (upstream prints to
 *   stderr and calls `abort()`); a library built with
 *   OMNIHEAP_CONF_MMT_ABORT = 0 returns NULL instead.
 * - Double frees, foreign pointers and damaged block headers are detected
 *   and reported to omniheap's fault handler (default action: panic, as the
 *   C library's `free()` aborts); if the handler returns
 *   OMNIHEAP_FAULT_RETURN the call changes nothing.
 * - Every call is thread-safe: counters (and the arena backing store) are
 *   kept under one port lock.
 */
#ifndef MMT_CORE_H
#define MMT_CORE_H

#include <stddef.h>

/** @name Export macros (upstream `mmt_exports.h`)
 *  Defined only if not defined yet, so that a firmware that brings its own
 *  `mmt_exports.h` (included first) keeps its definitions. */
/** @{ */
#ifndef MMTAPI
#if defined(_WIN32)
#if defined(MMTCORE_EXPORTS) || defined(MMT_CORE_EXPORTS)
#define MMTAPI __declspec(dllexport)
#else
#define MMTAPI __declspec(dllimport)
#endif
#else
/** Storage class of the exported MMT functions: `extern` (on Windows
 *  `__declspec(dllexport)` / `__declspec(dllimport)`, as upstream). */
#define MMTAPI extern
#endif
#endif

#ifndef MMTCALL
#if defined(_WIN32)
#define MMTCALL __cdecl
#else
/** Calling convention of the exported MMT functions: empty (on Windows
 *  `__cdecl`, as upstream). */
#define MMTCALL
#endif
#endif
/** @} */

/** @name Branch hints (upstream `mmt_utils.h`)
 *  Defined only if not defined yet (Zephyr, the Linux kernel and many
 *  firmware trees define their own). */
/** @{ */
#ifndef likely
#if defined(__GNUC__) || defined(__clang__)
/** The condition `x` is expected to be true (`__builtin_expect`). */
#define likely(x) __builtin_expect(!!(x), 1)
#else
/** The condition `x` is expected to be true (no hint on this compiler). */
#define likely(x) (x)
#endif
#endif

#ifndef unlikely
#if defined(__GNUC__) || defined(__clang__)
/** The condition `x` is expected to be false (`__builtin_expect`). */
#define unlikely(x) __builtin_expect(!!(x), 0)
#else
/** The condition `x` is expected to be false (no hint on this compiler). */
#define unlikely(x) (x)
#endif
#endif
/** @} */

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief Allocates a block of `size` bytes.
 *
 * The block carries a header (a size prefix, as upstream, plus a check
 * word tied to the block's address); the pointer returned is just after
 * it, aligned to `alignof(max_align_t)`. The memory is not zeroed.
 * @param size Bytes wanted; 0 is allowed and gives a valid, unique block
 *             (to be freed like any other).
 * @return The block. It is never NULL in the default build: when no memory
 *         is left, or `size` is so large that the block with its header
 *         would exceed `PTRDIFF_MAX` (so also on every size that would
 *         overflow `size_t`), the failure is counted, reported to listeners
 *         (OMNIHEAP_EVENT_ALLOC_FAILED), and omniheap_port_panic() is called
 *         with a message "mmt: not enough memory for N bytes" (upstream
 *         aborts). A library built with OMNIHEAP_CONF_MMT_ABORT = 0 returns
 *         NULL instead.
 * @par Complexity, safety
 * Thread-safe. Arena backing store: O(1) (the engine's bounded-time
 * allocation). C library backing store: the C library's `malloc()`, called
 * outside the lock, plus O(1).
 */
MMTAPI void *MMTCALL mmt_malloc(size_t size);

/**
 * @brief Resizes a block allocated by mmt_malloc() or mmt_realloc().
 *
 * - `x` NULL, `size` 0: returns NULL, nothing happens.
 * - `x` NULL: mmt_malloc(size).
 * - `size` 0: mmt_free(x), returns NULL.
 * - `size` not larger than the block's size: returns `x` itself, contents
 *   unchanged; the block's size becomes `size` (upstream returns NULL here;
 *   the project contract returns the block, as ISO `realloc` may).
 * - larger: the block grows, in place when the backing store can (the
 *   arena when the next chunk is free; the C library's `realloc()`
 *   otherwise decides), else it moves with its contents; the pointer to use
 *   is returned. On failure the old block is unchanged and still valid, and
 *   the failure is handled as in mmt_malloc() (panic by default, NULL with
 *   OMNIHEAP_CONF_MMT_ABORT = 0).
 *
 * @param x    A block in use, or NULL.
 * @param size The new size in bytes.
 * @return The block (see above), or NULL.
 * @par Faults
 * An `x` that is no block in use (already freed, never allocated by MMT, or
 * whose header was overwritten) is reported to the fault handler
 * (OMNIHEAP_FAULT_DOUBLE_FREE, OMNIHEAP_FAULT_FOREIGN_POINTER,
 * OMNIHEAP_FAULT_CORRUPT_METADATA; default action: panic). If the handler
 * returns OMNIHEAP_FAULT_RETURN, the call returns NULL and changes nothing.
 * @par Complexity, safety
 * Thread-safe; O(1) plus the copy when the block moves.
 */
MMTAPI void *MMTCALL mmt_realloc(void *x, size_t size);

/**
 * @brief Frees a block allocated by mmt_malloc() or mmt_realloc().
 * @param x The block, or NULL (then nothing happens).
 * @return Nothing (the function is `void`).
 * @par Faults
 * An `x` that is no block in use is reported to the fault handler, as in
 * mmt_realloc() (default action: panic, as the C library's `free()`
 * aborts); if the handler returns OMNIHEAP_FAULT_RETURN, nothing is freed.
 * @par Complexity, safety
 * Thread-safe; O(1) (plus the C library's `free()` on that backing store).
 */
MMTAPI void MMTCALL mmt_free(void *x);

#ifdef __cplusplus
}
#endif

#endif /* MMT_CORE_H */
