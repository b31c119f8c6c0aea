// Listener events: what the bindings tell the observe layer about each
// operation, and the fast-path check in front of it. Internal header.
//
// A binding calls observe::watching() (one relaxed load) and, only when it is
// true, builds a Change and calls observe::notify() while it still holds the
// heap's lock, so that the bytes in use it reports are exact and the events
// of one heap arrive in the order of its operations.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "omniheap.h"

namespace omniheap::observe {

// Registered listeners (the Zephyr heap listener adapter counts as one);
// written inside the critical section, read relaxed.
extern unsigned g_watchers;

inline bool watching() noexcept { return __atomic_load_n(&g_watchers, __ATOMIC_RELAXED) != 0U; }

// One operation on one heap. `object` is the registered heap object; the
// family is taken from the registry, or `family` when it is not registered.
struct Change {
  omniheap_event_kind_t kind; // ALLOC, FREE, REALLOC or ALLOC_FAILED
  omniheap_family_t family;
  const void *object;
  void *pointer;
  void *old_pointer;
  size_t size;      // bytes requested (ALLOC, REALLOC, ALLOC_FAILED)
  size_t bytes;     // bytes the (new) block accounts for
  size_t old_bytes; // REALLOC: bytes the old block accounted for
  size_t before;    // in use before
  size_t after;     // in use after
  size_t old_peak;  // high-water mark before
  size_t peak;      // high-water mark after
  size_t shift = 0; // the heap's own blocks start `shift` bytes below `pointer`, `old_pointer`
};

// An internal consumer of every operation besides the listeners (the Zephyr
// heap listener adapter, which reports the heap's own blocks). It counts as
// a watcher while set. `family` is the resolved family.
using Sink = void (*)(const Change &c, omniheap_family_t family);
void set_sink(Sink sink) noexcept;

// Delivers the operation and the conditions it causes. Call only when
// watching() (it is correct, but slow, otherwise).
void notify(const Change &c) noexcept;

// A heap's bytes in use, high-water mark and failed-allocation count at
// one moment, in its unit of account.
struct Usage {
  size_t in_use;
  size_t peak;
  uint64_t failures;
};

// The events of one call on one heap, from the heap's Usage before the call
// and after it (both read by the binding under the heap's lock). Blocks are
// shown `shift` bytes after the heap's own (see Change::shift).
class Call {
public:
  Call(omniheap_family_t family, const void *object, Usage before, size_t shift = 0) noexcept
      : family_(family), object_(object), before_(before), shift_(shift) {}

  // An allocation of `size` bytes: block p accounting for `bytes`, or
  // nullptr, a failed allocation if the heap counted one (a call that
  // returned NULL for another reason, e.g. a size of 0, is no event).
  void allocated(void *p, size_t size, size_t bytes, Usage after) const noexcept {
    if (p != nullptr) {
      notify(change(OMNIHEAP_EVENT_ALLOC, p, nullptr, size, bytes, 0, after));
    } else if (after.failures != before_.failures) {
      failed(size);
    }
  }
  // Block p, which accounted for `bytes`, is freed.
  void freed(void *p, size_t bytes) const noexcept {
    notify(change(OMNIHEAP_EVENT_FREE, p, nullptr, 0, bytes, 0,
                  Usage{before_.in_use - bytes, before_.peak, before_.failures}));
  }
  // Block p (old_bytes) became q (bytes), in place or moved; q nullptr: as
  // allocated(nullptr, ...).
  void reallocated(void *q, void *p, size_t size, size_t bytes, size_t old_bytes, Usage after) const noexcept {
    if (q != nullptr) {
      notify(change(OMNIHEAP_EVENT_REALLOC, q, p, size, bytes, old_bytes, after));
    } else {
      allocated(nullptr, size, 0, after);
    }
  }
  // A failed allocation of `size` bytes, whatever the counters say (a
  // blocking call that retried reports its failure once, at its end).
  void failed(size_t size) const noexcept {
    notify(change(OMNIHEAP_EVENT_ALLOC_FAILED, nullptr, nullptr, size, 0, 0, before_));
  }

private:
  Change change(omniheap_event_kind_t kind, void *p, void *old, size_t size, size_t bytes, size_t old_bytes,
                Usage after) const noexcept {
    return {kind, family_, object_, p, old, size, bytes, old_bytes, before_.in_use, after.in_use,
            before_.peak, after.peak, shift_};
  }
  omniheap_family_t family_;
  const void *object_;
  Usage before_;
  size_t shift_;
};

// The native API's listener functions (core/bind/native.cpp exports them).
int add_listener(omniheap_listener_t *listener, omniheap_heap_t *heap, unsigned events, size_t threshold,
                 size_t hysteresis, omniheap_listener_fn fn, void *context) noexcept;
int remove_listener(omniheap_listener_t *listener) noexcept;
int listener_above(const omniheap_listener_t *listener, const omniheap_heap_t *heap) noexcept;

// Registry hooks (registry.cpp calls these inside its critical section).
// A slot got a new heap, or its heap was initialised again: listeners forget
// what they knew about it.
void slot_changed(size_t slot) noexcept;
// A fault was reported on `heap` (may be nullptr).
void fault_event(omniheap_heap_t *heap, const omniheap_fault_t &fault) noexcept;

} // namespace omniheap::observe
