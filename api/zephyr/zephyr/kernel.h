/**
 * @file zephyr/kernel.h
 * @brief Zephyr's kernel heaps (`k_heap`, Zephyr 4.2+ API) and the system
 *        heap (`k_malloc` family), on omniheap's bounded-time engine.
 *
 * Only the heap-related part of Zephyr's kernel API is declared here (with
 * the timeouts of <zephyr/sys_clock.h> and the k_spinlock it needs). Firmware
 * written for Zephyr compiles unchanged with `#include <zephyr/kernel.h>` and
 * the include root `api/zephyr`. See @ref family_k_heap.
 *
 * @par Synchronisation
 * Every k_heap has its own lock (a port lock, omniheap_port.h): heaps never
 * contend with each other, and every call on one heap is atomic with respect
 * to the others. A blocking allocation waits on the heap's condition through
 * the port (omniheap_port_wait()); **every** k_heap_free() wakes all waiters,
 * which retry with the time left.
 * - `posix` port: a condition variable on CLOCK_MONOTONIC; timeouts are exact
 *   to the clock's resolution.
 * - `cortex-m` port: the waiting caller sleeps (WFI) with interrupts enabled
 *   and re-checks on every interrupt, polling the SysTick time base; a free
 *   from an interrupt handler wakes it. Called with interrupts masked (or
 *   without a running SysTick), every timeout acts as K_NO_WAIT.
 * - `none` port: no scheduler, so every timeout acts as K_NO_WAIT
 *   (Zephyr with `CONFIG_MULTITHREADING=n`).
 *
 * @par Misuse
 * A double free, a foreign or interior pointer, and an alignment the call
 * does not accept (see k_heap_aligned_alloc() and k_aligned_alloc()) reach
 * omniheap's fault handler (omniheap_set_fault_handler());
 * its default is to panic through the port, as Zephyr asserts. A handler
 * that returns OMNIHEAP_FAULT_RETURN makes the call return NULL (or do
 * nothing) and leaves the heap unchanged.
 */
#ifndef ZEPHYR_INCLUDE_KERNEL_H_
#define ZEPHYR_INCLUDE_KERNEL_H_

#include <stddef.h>
#include <stdint.h>

#include <zephyr/sys/sys_heap.h>
#include <zephyr/sys_clock.h>
#include <zephyr/toolchain.h>
#include <zephyr/types.h>

#include "omniheap_config.h"
#include "omniheap_port.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief A kernel spinlock: on omniheap, a port lock (omniheap_port_lock_t).
 *
 * Zero-filled means unlocked. Not recursive: a thread that holds it must
 * not take it again (Zephyr with `CONFIG_SPIN_VALIDATE` asserts the same),
 * so code holding a heap's `lock` must not call that heap's functions.
 */
struct k_spinlock {
  omniheap_port_lock_t port; /**< The port lock. */
};

/** @brief The key k_spin_lock() returns, for k_spin_unlock(). */
typedef struct z_spinlock_key {
  int key; /**< Unused by omniheap (0). */
} k_spinlock_key_t;

/**
 * @brief Takes a spinlock, waiting as long as needed.
 * @param l The lock.
 * @return The key to give to k_spin_unlock().
 */
static inline k_spinlock_key_t k_spin_lock(struct k_spinlock *l) {
  k_spinlock_key_t k;
  omniheap_port_lock_acquire(&l->port);
  k.key = 0;
  return k;
}

/**
 * @brief Releases a spinlock taken by k_spin_lock().
 * @param l   The lock.
 * @param key The key k_spin_lock() returned.
 */
static inline void k_spin_unlock(struct k_spinlock *l, k_spinlock_key_t key) {
  (void)key;
  omniheap_port_lock_release(&l->port);
}

/**
 * @brief Wait queue of a k_heap. omniheap blocks on the port lock's
 *        condition instead; this counts the callers blocked right now and
 *        holds two words of omniheap's own state (zero in initialisers).
 */
typedef struct {
  uint32_t waiters; /**< Callers blocked in an allocation of this heap (read under the lock). */
  uint16_t state;   /**< omniheap's: 1 once set up and registered as a k_heap (0 in initialisers). */
  uint16_t kind;    /**< omniheap's: 1 for the system heap, 0 for other k_heaps. */
} _wait_q_t;

/**
 * @brief A synchronised heap with blocking allocation.
 *
 * `heap` is the first member, so `HEAP_ID_FROM_POINTER(&h->heap) ==
 * (uintptr_t)h`; `lock` is the heap's lock. Declare one and call
 * k_heap_init(), or define one with K_HEAP_DEFINE().
 */
struct k_heap {
  struct sys_heap heap; /**< The heap itself (k_heap_init() sets it up). */
  _wait_q_t wait_q;     /**< Blocked callers (see _wait_q_t). */
  struct k_spinlock lock; /**< Serialises every call on this heap. */
};

/** @cond OMNIHEAP_INTERNAL */
#define Z_OMNI_MAX_(a, b) ((a) > (b) ? (a) : (b))
#define Z_OMNI_KHEAP_SECTION_ "omniheap_k_heap"
#if defined(__GNUC__) || defined(__clang__)
/* Entries of the section are an array: exactly their type's alignment (GCC
 * would align large objects further, e.g. to 32 bytes on x86). */
#define Z_OMNI_KHEAP_ATTR_                                                   \
  __attribute__((__section__(Z_OMNI_KHEAP_SECTION_), __used__,              \
                 __aligned__(__alignof__(struct k_heap))))
/* Before main(): set up the heap (unless an earlier constructor used it)
 * and give it its variable's name in omniheap's registry. */
#define Z_OMNI_KHEAP_CTOR_(name)                                                           \
  static void __attribute__((__constructor__, __used__)) z_omni_kheap_init_##name(void) { \
    if (name.heap.heap == NULL) k_heap_init(&name, name.heap.init_mem, name.heap.init_bytes); \
    (void)omniheap_heap_set_name(omniheap_heap_find(&name), #name);                       \
  }
#else
#define Z_OMNI_KHEAP_ATTR_
#define Z_OMNI_KHEAP_CTOR_(name)
#endif
#define Z_OMNI_KHEAP_INIT_(buffer, bytes)                                                  \
  {{NULL, (buffer), (bytes)}, {0u, 0u, 0u}, {OMNIHEAP_PORT_LOCK_INIT}}
#define Z_OMNI_HEAP_DEFINE_(name, bytes, buffer_attr)                                      \
  char __aligned(8) buffer_attr kheap_##name[Z_OMNI_MAX_((size_t)(bytes), (size_t)Z_HEAP_MIN_SIZE)]; \
  extern struct k_heap name;                                                               \
  Z_OMNI_KHEAP_CTOR_(name)                                                                 \
  struct k_heap name Z_OMNI_KHEAP_ATTR_ =                                                  \
      Z_OMNI_KHEAP_INIT_(kheap_##name, Z_OMNI_MAX_((size_t)(bytes), (size_t)Z_HEAP_MIN_SIZE))
/** @endcond */

/**
 * @brief Defines a k_heap `name` of at least `bytes` bytes (at least
 *        Z_HEAP_MIN_SIZE), with its buffer `kheap_<name>`.
 *
 * Use at file scope. The heap needs no init call: it is initialised before
 * `main()` (by a constructor on GCC and Clang, which also names it `name`
 * in omniheap's registry) and in any case by its first use, and
 * k_heap_array_get() lists it. A leading `static` applies to the
 * buffer only, as in Zephyr.
 *
 * The heap objects are collected in the linker section `omniheap_k_heap`.
 * GNU ld does that by itself on hosts; a firmware linker script places the
 * section inside `.data` (initialised RAM) between two symbols:
 * @code
 * __start_omniheap_k_heap = .;
 * *(omniheap_k_heap)
 * __stop_omniheap_k_heap = .;
 * @endcode
 * @param name  Name of the struct k_heap.
 * @param bytes Size of its buffer.
 */
#define K_HEAP_DEFINE(name, bytes) Z_OMNI_HEAP_DEFINE_(name, bytes, )

/**
 * @brief K_HEAP_DEFINE() with the buffer in non-cached memory: the buffer
 *        goes to the section `.nocache` (Zephyr's `__nocache`), which a
 *        firmware linker script maps to uncached RAM. Without such a
 *        section in the script, the linker places it as an ordinary one.
 * @param name  Name of the struct k_heap.
 * @param bytes Size of its buffer.
 */
#if defined(__GNUC__) || defined(__clang__)
#define K_HEAP_DEFINE_NOCACHE(name, bytes) \
  Z_OMNI_HEAP_DEFINE_(name, bytes, __attribute__((__section__(".nocache"))))
#else
#define K_HEAP_DEFINE_NOCACHE(name, bytes) Z_OMNI_HEAP_DEFINE_(name, bytes, )
#endif

/**
 * @brief Turns `bytes` of memory at `mem` into a k_heap (sys_heap_init()
 *        rules for size and alignment; an unlocked lock; no waiters; an
 *        ordinary k_heap, not the system heap, for the registry's name).
 *
 * The heap joins omniheap's registry as a k_heap (family
 * OMNIHEAP_FAMILY_K_HEAP; named "_system_heap" for the system heap, else
 * unnamed until omniheap_heap_set_name()). A heap first used through the
 * sys_heap API (e.g. sys_heap_runtime_stats_get(&h->heap, ...)) joins as a
 * sys_heap and becomes a k_heap at its first k_heap call. Initialising a
 * heap again while other threads use it is undefined, as in Zephyr.
 * @param h     The heap (not NULL).
 * @param mem   Its memory.
 * @param bytes Size of the memory: at least Z_HEAP_MIN_SIZE.
 */
void k_heap_init(struct k_heap *h, void *mem, size_t bytes);

/**
 * @brief Allocates an aligned block, waiting up to `timeout` for memory to
 *        be freed.
 *
 * Tries at once; if no chunk fits and `timeout` is not K_NO_WAIT, blocks
 * until a k_heap_free() on this heap (every free wakes every waiter, which
 * retries) or until the deadline, then tries one last time.
 * @param h       The heap.
 * @param align   Alignment: a power of two (0: none), or Zephyr's "rewind"
 *                encoding of sys_heap_aligned_alloc() — a power of two A
 *                plus a smaller power of two r that is a multiple of
 *                `sizeof(void *)` (the block p then has `(p + r) % A == 0`).
 *                Any other value (3, 6 ...) is reported to the fault handler
 *                as OMNIHEAP_FAULT_BAD_ALIGNMENT (default: panic) and gives
 *                NULL.
 * @param bytes   Size; 0 gives NULL.
 * @param timeout K_NO_WAIT, K_FOREVER, a relative timeout (K_MSEC(n) ...) or
 *                an absolute one (K_TIMEOUT_ABS_MS() ...).
 * @return The block, or NULL if none was free by the deadline.
 * @par Complexity
 * O(1) per attempt; one attempt per wake-up.
 */
void *k_heap_aligned_alloc(struct k_heap *h, size_t align, size_t bytes, k_timeout_t timeout);

/**
 * @brief Allocates a block (aligned to the chunk header, 4 or 8 bytes),
 *        waiting up to `timeout`. As k_heap_aligned_alloc() with no alignment.
 * @param h       The heap.
 * @param bytes   Size; 0 gives NULL.
 * @param timeout K_NO_WAIT, K_FOREVER, a relative or an absolute timeout.
 * @return The block, or NULL.
 */
void *k_heap_alloc(struct k_heap *h, size_t bytes, k_timeout_t timeout);

/**
 * @brief Allocates a zeroed array of `num` elements of `size` bytes,
 *        waiting up to `timeout`.
 * @param h       The heap.
 * @param num     Number of elements.
 * @param size    Size of one element.
 * @param timeout K_NO_WAIT, K_FOREVER, a relative or an absolute timeout.
 * @return The zeroed block, or NULL (no memory by the deadline, `num * size`
 *         overflows, or is 0).
 */
void *k_heap_calloc(struct k_heap *h, size_t num, size_t size, k_timeout_t timeout);

/**
 * @brief Resizes a block (in place when it can, as sys_heap_realloc()),
 *        waiting up to `timeout` for memory if it must move. A realloc that
 *        succeeds wakes the heap's waiters, as a free does (a shrink or a
 *        move frees memory).
 *
 * `ptr` NULL: k_heap_alloc(). `bytes` 0: frees `ptr` once and returns NULL,
 * whatever the timeout (omniheap fixes Zephyr's retry on the freed block).
 * @param h       The heap.
 * @param ptr     A block of `h`, or NULL.
 * @param bytes   New size.
 * @param timeout K_NO_WAIT, K_FOREVER, a relative or an absolute timeout.
 * @return The block (maybe moved; contents kept up to the smaller size), or
 *         NULL: no memory by the deadline (then `ptr` is unchanged and still
 *         valid), `bytes` 0, or a `ptr` that is not a block of `h` in use
 *         (also reported to the fault handler).
 */
void *k_heap_realloc(struct k_heap *h, void *ptr, size_t bytes, k_timeout_t timeout);

/**
 * @brief Frees a block of `h` and wakes every caller blocked on `h`.
 * @param h   The heap.
 * @param mem A block of `h`, or NULL (no effect).
 * @par Failure
 * A double free, or a pointer that is not a block of `h`, is reported to the
 * fault handler (default: panic, as Zephyr asserts); the heap is unchanged.
 */
void k_heap_free(struct k_heap *h, void *mem);

/**
 * @brief The heaps defined with K_HEAP_DEFINE() (and the system heap).
 * @param heap Receives the first of them: they form an array.
 * @return How many there are (0: `*heap` is NULL).
 * @note Needs static linking (as every firmware links): the array is a
 *       linker section of the program. In the shared library
 *       (libomniheap.so) it returns 0 and sets `*heap` to NULL.
 */
int k_heap_array_get(struct k_heap **heap);

/**
 * @brief The system heap (`k_malloc()` and friends), of
 *        OMNIHEAP_CONF_HEAP_MEM_POOL_SIZE bytes (Zephyr:
 *        `CONFIG_HEAP_MEM_POOL_SIZE`, `K_HEAP_MEM_POOL_SIZE`).
 *
 * Defined by the library when that size is above 0; usable with no init
 * call (initialised by its first use). With `--gc-sections`, it and its
 * buffer are linked only into a firmware that calls k_malloc(), k_calloc(),
 * k_aligned_alloc(), k_realloc() or k_free().
 */
extern struct k_heap _system_heap;

/**
 * @brief Allocates from the system heap, aligned to `align`.
 *
 * Every block carries its owning heap in the pointer just below it, so
 * k_free() needs no heap argument. Never blocks.
 * @param align A power of two, and a multiple of `sizeof(void *)`; any
 *              other value (0 included, as Zephyr asserts) is reported to
 *              the fault handler as OMNIHEAP_FAULT_BAD_ALIGNMENT (default:
 *              panic) and gives NULL.
 * @param size  Size; any value (0 still gives a valid block).
 * @return The block, or NULL (no memory, or `size` too large).
 */
void *k_aligned_alloc(size_t align, size_t size);

/**
 * @brief Allocates from the system heap, aligned to `sizeof(void *)`.
 * @param size Size; **0 gives a valid, non-NULL block** (as Zephyr).
 * @return The block, or NULL (no memory, or `size` too large).
 */
void *k_malloc(size_t size);

/**
 * @brief Frees a block of k_malloc(), k_calloc(), k_aligned_alloc() or
 *        k_realloc(). Never blocks.
 * @param ptr The block, or NULL (no effect).
 * @par Failure
 * A pointer that is not such a block in use (double free, foreign, interior
 * pointer, or memory from k_heap_alloc()) is reported to the fault handler
 * (default: panic); nothing is freed.
 */
void k_free(void *ptr);

/**
 * @brief Allocates a zeroed array from the system heap.
 * @param nmemb Number of elements.
 * @param size  Size of one element.
 * @return The zeroed block, or NULL (no memory, or `nmemb * size` overflows).
 */
void *k_calloc(size_t nmemb, size_t size);

/**
 * @brief Resizes a system-heap block (in place when it can). Never blocks.
 *
 * `ptr` NULL: k_malloc(size). `size` 0: k_free(ptr), returns NULL. A block
 * of k_aligned_alloc() that moves keeps only `sizeof(void *)` alignment.
 * @param ptr  A block of the k_malloc() family, or NULL.
 * @param size New size.
 * @return The block, or NULL (then `ptr` is unchanged, unless `size` was 0).
 */
void *k_realloc(void *ptr, size_t size);

#ifdef __cplusplus
}
#endif

#endif /* ZEPHYR_INCLUDE_KERNEL_H_ */
