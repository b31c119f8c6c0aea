// Zephyr heap listeners (<zephyr/sys/heap_listener.h>): one global list of
// registered listeners, changed and walked inside the port's critical
// section, fed by the native listener machinery (observe/events.hpp) that
// every heap reports into.
#include "../common/compiler.hpp"
#include "../observe/events.hpp"

#include <zephyr/sys/heap_listener.h>

#include <string.h>

#include "../common/critical.hpp"

#if OMNIHEAP_CONF_HEAP_LISTENER

namespace omniheap::bind::listen {
namespace {

sys_slist_t g_list;     // zero: empty
unsigned g_registered;  // listeners in g_list
// While g_list is not empty, Zephyr's listeners are fed by the sink of the
// native listener machinery (observe/events.hpp): the heaps report every
// operation once, to both kinds of listeners.

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

void alloc(uintptr_t heap_id, void *mem, size_t bytes) noexcept {
  dispatch<heap_listener_alloc_cb_t>(heap_id, HEAP_ALLOC, mem, bytes);
}

void free(uintptr_t heap_id, void *mem, size_t bytes) noexcept {
  dispatch<heap_listener_free_cb_t>(heap_id, HEAP_FREE, mem, bytes);
}

// sys_heap and k_heap operations (multi-heap members are sys_heaps), as
// Zephyr reports them: heap id = the heap's address, the heap's own block
// (for k_malloc: the owner word below the caller's block) and its whole
// chunk bytes; a realloc is the allocation of the new block then the free
// of the old one.
void *own(void *p, size_t shift) noexcept { return static_cast<unsigned char *>(p) - shift; }
void on_change(const omniheap::observe::Change &c, omniheap_family_t family) noexcept {
  if (family != OMNIHEAP_FAMILY_SYS_HEAP && family != OMNIHEAP_FAMILY_K_HEAP) return;
  const uintptr_t id = reinterpret_cast<uintptr_t>(c.object);
  switch (c.kind) {
  case OMNIHEAP_EVENT_ALLOC: alloc(id, own(c.pointer, c.shift), c.bytes); break;
  case OMNIHEAP_EVENT_FREE: free(id, own(c.pointer, c.shift), c.bytes); break;
  case OMNIHEAP_EVENT_REALLOC:
    alloc(id, own(c.pointer, c.shift), c.bytes);
    free(id, own(c.old_pointer, c.shift), c.old_bytes);
    break;
  default: break;
  }
}

bool active() noexcept { return __atomic_load_n(&g_registered, __ATOMIC_RELAXED) != 0U; }

// Changes the count (inside the critical section: writers are serialised)
// with an atomic store, as the notify functions read it without the
// critical section; a load and a store, since Cortex-M0 has no atomic
// read-modify-write. Returns the new count.
unsigned count(int delta) noexcept {
  const unsigned n = __atomic_load_n(&g_registered, __ATOMIC_RELAXED) + static_cast<unsigned>(delta);
  __atomic_store_n(&g_registered, n, __ATOMIC_RELAXED);
  return n;
}

} // namespace
} // namespace omniheap::bind::listen

namespace listen = omniheap::bind::listen;

OMNIHEAP_EXPORT void heap_listener_register(struct heap_listener *listener) {
  if (listener == nullptr) return;
  omniheap::CriticalSection cs;
  for (sys_snode_t *n = listen::g_list.head; n != nullptr; n = n->next) {
    if (n == &listener->node) return;
  }
  sys_slist_append(&listen::g_list, &listener->node);
  if (listen::count(+1) == 1U) omniheap::observe::set_sink(listen::on_change);
}

OMNIHEAP_EXPORT void heap_listener_unregister(struct heap_listener *listener) {
  if (listener == nullptr) return;
  omniheap::CriticalSection cs;
  if (sys_slist_find_and_remove(&listen::g_list, &listener->node) && listen::count(-1) == 0U) {
    omniheap::observe::set_sink(nullptr);
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

#endif
