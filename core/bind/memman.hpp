// Shared by the memman bindings (ffit.cpp, buddy.cpp). Internal header.
#pragma once

#include <ffit.h>

#include "../common/compiler.hpp"
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

// Names an ffit heap "ebuddy" in the registry (a buddy heap's emergency heap).
void mark_emergency(ffit_heap_t *h) noexcept;

// Usable bytes of block p of ffit heap h (0 if p is no block in use).
size_t usable(ffit_heap_t *h, const void *p) noexcept;

} // namespace omniheap::bind::memman
