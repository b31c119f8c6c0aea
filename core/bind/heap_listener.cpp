// Zephyr heap listeners (<zephyr/sys/heap_listener.h>): one global list of
// registered listeners, changed and walked inside the port's critical
// section. The heaps check listen::active() (a relaxed load of the count)
// before building an event, so an idle listener API costs them a branch.
#include "heap_listener.hpp"

#include <zephyr/sys/heap_listener.h>

#include <string.h>

#include "../common/critical.hpp"

#if OMNIHEAP_CONF_HEAP_LISTENER

namespace omniheap::bind::listen {

unsigned g_registered;

namespace {

sys_slist_t g_list; // zero: empty

template <class Callback, class... Args>
void dispatch(uintptr_t heap_id, heap_event_types event, Args... args) noexcept {
  CriticalSection cs;
  for (sys_snode_t *n = g_list.head; n != nullptr; n = n->next) {
    const heap_listener *l = reinterpret_cast<const heap_listener *>(n);
    if (l->heap_id != heap_id || l->event != event) continue;
    // The three callbacks share a union; C++ callers store any of them in
    // its first member (see HEAP_LISTENER_RESIZE_DEFINE), so read the code
    // pointer back as the type of the event.
    Callback cb;
    static_assert(sizeof cb == sizeof l->alloc_cb, "callback pointers have one size");
    memcpy(&cb, &l->alloc_cb, sizeof cb);
    if (cb != nullptr) cb(heap_id, args...);
  }
}

} // namespace

void alloc(uintptr_t heap_id, void *mem, size_t bytes) noexcept {
  dispatch<heap_listener_alloc_cb_t>(heap_id, HEAP_ALLOC, mem, bytes);
}

void free(uintptr_t heap_id, void *mem, size_t bytes) noexcept {
  dispatch<heap_listener_free_cb_t>(heap_id, HEAP_FREE, mem, bytes);
}

} // namespace omniheap::bind::listen

namespace listen = omniheap::bind::listen;

OMNIHEAP_EXPORT void heap_listener_register(struct heap_listener *listener) {
  if (listener == nullptr) return;
  omniheap::CriticalSection cs;
  for (sys_snode_t *n = listen::g_list.head; n != nullptr; n = n->next) {
    if (n == &listener->node) return;
  }
  sys_slist_append(&listen::g_list, &listener->node);
  __atomic_store_n(&listen::g_registered, listen::g_registered + 1U, __ATOMIC_RELAXED);
}

OMNIHEAP_EXPORT void heap_listener_unregister(struct heap_listener *listener) {
  if (listener == nullptr) return;
  omniheap::CriticalSection cs;
  if (sys_slist_find_and_remove(&listen::g_list, &listener->node)) {
    __atomic_store_n(&listen::g_registered, listen::g_registered - 1U, __ATOMIC_RELAXED);
  }
}

OMNIHEAP_EXPORT void heap_listener_notify_alloc(uintptr_t heap_id, void *mem, size_t bytes) {
  if (listen::active()) listen::alloc(heap_id, mem, bytes);
}

OMNIHEAP_EXPORT void heap_listener_notify_free(uintptr_t heap_id, void *mem, size_t bytes) {
  if (listen::active()) listen::free(heap_id, mem, bytes);
}

OMNIHEAP_EXPORT void heap_listener_notify_resize(uintptr_t heap_id, void *old_heap_end,
                                                 void *new_heap_end) {
  if (listen::active()) {
    listen::dispatch<heap_listener_resize_cb_t>(heap_id, HEAP_RESIZE, old_heap_end, new_heap_end);
  }
}

#else

namespace omniheap::bind::listen {
void alloc(uintptr_t, void *, size_t) noexcept {}
void free(uintptr_t, void *, size_t) noexcept {}
} // namespace omniheap::bind::listen

#endif
