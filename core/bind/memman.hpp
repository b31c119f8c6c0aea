// Shared by the memman bindings (ffit.cpp, buddy.cpp). Internal header.
#pragma once

#include <ffit.h>

#include "../common/compiler.hpp"
#include "../observe/events.hpp"
#include "../observe/registry.hpp"
#include "omniheap_port.h"

namespace omniheap::bind::memman {

// The port's critical section, held for its lifetime when `on` (a heap with
// locking turned on by ffit_set_locked() / buddy_set_locked()).
class Lock {
public:
  explicit Lock(bool on) noexcept : on_(on), state_(on ? omniheap_port_critical_enter() : 0U) {}
  ~Lock() {
    if (on_) omniheap_port_critical_exit(state_);
  }
  Lock(const Lock &) = delete;
  Lock &operator=(const Lock &) = delete;

private:
  bool on_;
  omniheap_port_state_t state_;
};

// Reports misuse; the family answers with its return code (default action:
// return).
OMNIHEAP_COLD inline void report(omniheap_family_t family, const void *heap, const void *p,
                                 omniheap_fault_kind_t kind, const char *function) {
  omniheap::observe::fault({kind, family, heap, p, function, OMNIHEAP_FAULT_RETURN});
}

// The registry callbacks of a memman heap (stats, validate, walk, peak reset
// under the heap's optional lock; alive), from its binding's traits T:
//   T::Descriptor, T::Control (with `locked` and `owner`),
//   Control *T::control(const Descriptor *): nullptr if not initialised,
//   void T::fill(Control *, omniheap_stats_t *), bool T::valid(Control *),
//   bool T::walk(Control *, fn(void *, size_t, bool used)), void T::reset_peak(Control *).
template <class T> struct RegistryOps {
  using Control = typename T::Control;
  static Control *of(const void *object) noexcept {
    return T::control(static_cast<const typename T::Descriptor *>(object));
  }
  static void stats(const void *object, omniheap_stats_t *out) noexcept {
    Control *c = of(object);
    if (c == nullptr) return;
    Lock lock(c->locked != 0U);
    T::fill(c, out);
  }
  static int validate(const void *object) noexcept {
    Control *c = of(object);
    if (c == nullptr) return OMNIHEAP_ERR_CORRUPT;
    Lock lock(c->locked != 0U);
    return T::valid(c) ? OMNIHEAP_OK : OMNIHEAP_ERR_CORRUPT;
  }
  static int walk(const void *object, omniheap_walk_fn fn, void *context) noexcept {
    Control *c = of(object);
    if (c == nullptr) return OMNIHEAP_ERR_CORRUPT;
    Lock lock(c->locked != 0U);
    const bool whole = T::walk(c, [&](void *p, size_t bytes, bool used) {
      const omniheap_block_t b{p, bytes, used ? 1 : 0};
      return fn(&b, context) == 0;
    });
    return whole ? OMNIHEAP_OK : OMNIHEAP_ERR_CORRUPT;
  }
  static void reset_peak(void *object) noexcept {
    Control *c = of(object);
    if (c == nullptr) return;
    Lock lock(c->locked != 0U);
    T::reset_peak(c);
  }
  // The descriptor still names the region it registered (cookie: its Control).
  static bool alive(const void *object, const void *cookie) noexcept {
    const Control *c = of(object);
    return c != nullptr && c == cookie && c->owner == object;
  }
};

// Listener events of one call on one memman heap, from its statistics
// (T::fill, O(1)) before and after; constructed and used under the heap's
// lock. A block that moves to or from another heap (ebuddy) is reported by
// that heap's own calls.
template <class T> class Watch {
public:
  Watch(omniheap_family_t family, const void *object, typename T::Control *c) noexcept
      : on_(omniheap::observe::watching()), c_(c), before_(on_ ? usage(c) : observe::Usage{}),
        call_(family, object, before_) {}
  void allocated(void *p, size_t size) const noexcept {
    if (OMNIHEAP_UNLIKELY(on_)) {
      const observe::Usage after = usage(c_);
      call_.allocated(p, size, after.in_use - before_.in_use, after);
    }
  }
  void freed(void *p, bool ok) const noexcept {
    if (OMNIHEAP_UNLIKELY(on_) && ok) call_.freed(p, before_.in_use - usage(c_).in_use);
  }
  // A resize in place or a move inside this heap; `old` is what the old
  // block accounted for.
  void reallocated(void *q, void *p, size_t size, size_t old) const noexcept {
    if (OMNIHEAP_LIKELY(!on_) || q == nullptr) return;
    const observe::Usage after = usage(c_);
    call_.reallocated(q, p, size, after.in_use + old - before_.in_use, old, after);
  }

private:
  static observe::Usage usage(typename T::Control *c) noexcept {
    omniheap_stats_t s{};
    T::fill(c, &s);
    return {s.in_use, s.peak, s.failed_allocations};
  }
  bool on_;
  typename T::Control *c_;
  observe::Usage before_;
  observe::Call call_;
};

// Names an ffit heap "ebuddy" in the registry (a buddy heap's emergency heap).
void mark_emergency(ffit_heap_t *h) noexcept;

// ffit_extend_block(); with `quiet`, a failure to find memory is neither
// counted nor reported (the caller tries another heap and answers for the
// call: buddy with its emergency heap).
void *ffit_extend(ffit_heap_t *h, void *ptr, size_t sz, int *rc, bool quiet) noexcept;

// Usable bytes of block p of ffit heap h (0 if p is no block in use).
size_t usable(ffit_heap_t *h, const void *p) noexcept;

} // namespace omniheap::bind::memman
