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

// Names an ffit heap "ebuddy" in the registry (a buddy heap's emergency heap).
void mark_emergency(ffit_heap_t *h) noexcept;

// Usable bytes of block p of ffit heap h (0 if p is no block in use).
size_t usable(ffit_heap_t *h, const void *p) noexcept;

} // namespace omniheap::bind::memman
