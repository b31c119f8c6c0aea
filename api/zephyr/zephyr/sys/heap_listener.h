/**
 * @file zephyr/sys/heap_listener.h
 * @brief Zephyr's heap listeners: callbacks on the allocations and frees
 *        of one heap, for tracing.
 *
 * Available when the library is built with OMNIHEAP_CONF_HEAP_LISTENER = 1
 * (the default); this header then defines `CONFIG_HEAP_LISTENER` and
 * `CONFIG_SYS_HEAP_LISTENER`, as a Zephyr build with heap listeners does,
 * and every sys_heap and k_heap notifies:
 * - after every allocation (plain, aligned, calloc, and the new block of a
 *   realloc that moves): `alloc(heap_id, block, chunk bytes)`;
 * - before every free (and for the old block of a realloc that moves):
 *   `free(heap_id, block, chunk bytes)`;
 * - a realloc in place: alloc with the new chunk size, **then** free with
 *   the old one, for the same pointer.
 *
 * `heap_id` is `HEAP_ID_FROM_POINTER(heap)` of the `struct sys_heap *` (for a
 * k_heap: of the k_heap, its first member being the sys_heap); chunk bytes
 * are the block's whole chunk, header included (the bytes sys_heap's
 * statistics count). See @ref family_heap_listener.
 *
 * @par Rules
 * Callbacks run in the allocating context, inside the listener list's
 * critical section (and, for a k_heap, with the heap's lock held): they must
 * be short, must not block, and must not allocate or free from any omniheap
 * heap, nor register or unregister listeners. Registration and dispatch are
 * safe from several threads. A listener whose event does not match, or
 * whose callback is NULL, is never called.
 */
#ifndef ZEPHYR_INCLUDE_SYS_HEAP_LISTENER_H_
#define ZEPHYR_INCLUDE_SYS_HEAP_LISTENER_H_

#include <stdint.h>

#include <zephyr/sys/slist.h>
#include <zephyr/toolchain.h>

#include "omniheap_config.h"

#if defined(CONFIG_HEAP_LISTENER) && !OMNIHEAP_CONF_HEAP_LISTENER
#error "CONFIG_HEAP_LISTENER is set but the omniheap library was built with OMNIHEAP_CONF_HEAP_LISTENER=0"
#endif

#if OMNIHEAP_CONF_HEAP_LISTENER
#ifndef CONFIG_HEAP_LISTENER
/** Defined (1): the heap listener API is available. */
#define CONFIG_HEAP_LISTENER 1
#endif
#ifndef CONFIG_SYS_HEAP_LISTENER
/** Defined (1): sys_heap and k_heap notify heap listeners. */
#define CONFIG_SYS_HEAP_LISTENER 1
#endif
#endif

#ifdef __cplusplus
extern "C" {
#endif

#ifdef CONFIG_HEAP_LISTENER

/** @brief Heap event kinds. */
enum heap_event_types {
  HEAP_EVT_UNKNOWN = 0, /**< Never sent. */
  HEAP_RESIZE,          /**< The heap's end moved (libc's sbrk). */
  HEAP_ALLOC,           /**< A block was allocated. */
  HEAP_FREE,            /**< A block is being freed. */
  HEAP_REALLOC,         /**< Never sent (no callback type, as Zephyr). */
  HEAP_MAX_EVENTS       /**< Number of kinds. */
};

/**
 * @brief Callback of a HEAP_RESIZE listener.
 * @param heap_id      The heap (HEAP_ID_FROM_POINTER() or HEAP_ID_LIBC).
 * @param old_heap_end Its end before.
 * @param new_heap_end Its end now.
 */
typedef void (*heap_listener_resize_cb_t)(uintptr_t heap_id, void *old_heap_end,
                                          void *new_heap_end);

/**
 * @brief Callback of a HEAP_ALLOC listener.
 * @param heap_id The heap.
 * @param mem     The block.
 * @param bytes   The block's chunk bytes (header included).
 */
typedef void (*heap_listener_alloc_cb_t)(uintptr_t heap_id, void *mem, size_t bytes);

/**
 * @brief Callback of a HEAP_FREE listener.
 * @param heap_id The heap.
 * @param mem     The block (still allocated during the call).
 * @param bytes   The block's chunk bytes (header included).
 */
typedef void (*heap_listener_free_cb_t)(uintptr_t heap_id, void *mem, size_t bytes);

/** @brief A listener: one event kind of one heap, and its callback. */
struct heap_listener {
  sys_snode_t node;               /**< Link in the list of registered listeners. */
  uintptr_t heap_id;              /**< The heap listened to. */
  enum heap_event_types event;    /**< The event kind. */
#if defined(__GNUC__) || defined(__clang__)
  __extension__
#endif
  union {
    heap_listener_alloc_cb_t alloc_cb;   /**< For HEAP_ALLOC. */
    heap_listener_free_cb_t free_cb;     /**< For HEAP_FREE. */
    heap_listener_resize_cb_t resize_cb; /**< For HEAP_RESIZE. */
  };
};

/**
 * @brief Registers a listener (appended to the global list).
 * @param listener The listener; it must stay valid until unregistered.
 *                 Registering it twice has no effect.
 */
void heap_listener_register(struct heap_listener *listener);

/**
 * @brief Unregisters a listener (no effect if it is not registered).
 * @param listener The listener.
 */
void heap_listener_unregister(struct heap_listener *listener);

/**
 * @brief Calls every HEAP_ALLOC listener of `heap_id`.
 * @param heap_id The heap.
 * @param mem     The block.
 * @param bytes   Its size.
 */
void heap_listener_notify_alloc(uintptr_t heap_id, void *mem, size_t bytes);

/**
 * @brief Calls every HEAP_FREE listener of `heap_id`.
 * @param heap_id The heap.
 * @param mem     The block.
 * @param bytes   Its size.
 */
void heap_listener_notify_free(uintptr_t heap_id, void *mem, size_t bytes);

/**
 * @brief Calls every HEAP_RESIZE listener of `heap_id`.
 * @param heap_id      The heap.
 * @param old_heap_end Its end before.
 * @param new_heap_end Its end now.
 */
void heap_listener_notify_resize(uintptr_t heap_id, void *old_heap_end, void *new_heap_end);

/** @brief The id of a heap: its address as an integer. */
#define HEAP_ID_FROM_POINTER(heap_pointer) ((uintptr_t)(heap_pointer))

/** @brief The id of the C library's heap. */
#define HEAP_ID_LIBC ((uintptr_t)0)

/** @cond OMNIHEAP_INTERNAL */
#ifdef __cplusplus
/* C++ before C++20 has no designated initialisers: the union's first member
 * holds the callback, cast through void (*)(void) (all three are code
 * pointers of the same size; omniheap reads it back as the right type). */
#define Z_OMNI_LISTENER_(name, id, evt, member, cb) \
  struct heap_listener name = {{NULL}, (id), (evt), {(heap_listener_alloc_cb_t)(void (*)(void))(cb)}}
#else
#define Z_OMNI_LISTENER_(name, id, evt, member, cb) \
  struct heap_listener name = {.node = {NULL}, .heap_id = (id), .event = (evt), .member = (cb)}
#endif
/** @endcond */

/**
 * @brief Defines (not static) a HEAP_ALLOC listener `name` of heap `_heap_id`.
 * @param name      Variable name.
 * @param _heap_id  The heap (HEAP_ID_FROM_POINTER()).
 * @param _alloc_cb A heap_listener_alloc_cb_t.
 */
#define HEAP_LISTENER_ALLOC_DEFINE(name, _heap_id, _alloc_cb) \
  Z_OMNI_LISTENER_(name, _heap_id, HEAP_ALLOC, alloc_cb, _alloc_cb)

/**
 * @brief Defines (not static) a HEAP_FREE listener `name` of heap `_heap_id`.
 * @param name     Variable name.
 * @param _heap_id The heap.
 * @param _free_cb A heap_listener_free_cb_t.
 */
#define HEAP_LISTENER_FREE_DEFINE(name, _heap_id, _free_cb) \
  Z_OMNI_LISTENER_(name, _heap_id, HEAP_FREE, free_cb, _free_cb)

/**
 * @brief Defines (not static) a HEAP_RESIZE listener `name` of heap `_heap_id`.
 * @param name       Variable name.
 * @param _heap_id   The heap.
 * @param _resize_cb A heap_listener_resize_cb_t.
 */
#define HEAP_LISTENER_RESIZE_DEFINE(name, _heap_id, _resize_cb) \
  Z_OMNI_LISTENER_(name, _heap_id, HEAP_RESIZE, resize_cb, _resize_cb)

#else /* !CONFIG_HEAP_LISTENER */

/** @brief Without heap listeners: every heap id is 0. */
#define HEAP_ID_FROM_POINTER(heap_pointer) ((uintptr_t)NULL)

/** @brief Without heap listeners: does nothing.
 *  @param heap_id Ignored. @param mem Ignored. @param bytes Ignored. */
static inline void heap_listener_notify_alloc(uintptr_t heap_id, void *mem, size_t bytes) {
  (void)heap_id;
  (void)mem;
  (void)bytes;
}

/** @brief Without heap listeners: does nothing.
 *  @param heap_id Ignored. @param mem Ignored. @param bytes Ignored. */
static inline void heap_listener_notify_free(uintptr_t heap_id, void *mem, size_t bytes) {
  (void)heap_id;
  (void)mem;
  (void)bytes;
}

/** @brief Without heap listeners: does nothing.
 *  @param heap_id Ignored. @param old_heap_end Ignored. @param new_heap_end Ignored. */
static inline void heap_listener_notify_resize(uintptr_t heap_id, void *old_heap_end,
                                               void *new_heap_end) {
  (void)heap_id;
  (void)old_heap_end;
  (void)new_heap_end;
}

#endif /* CONFIG_HEAP_LISTENER */

#ifdef __cplusplus
}
#endif

#endif /* ZEPHYR_INCLUDE_SYS_HEAP_LISTENER_H_ */
