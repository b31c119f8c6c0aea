// The registry of every heap of every family, and the fault path. Internal
// header: bindings register their heaps here and report misuse here.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "omniheap.h"

struct omniheap_heap;

namespace omniheap::observe {

// What the registry needs from a family to describe one of its heaps. Each
// binding defines one constant HeapOps per family (no constructors: plain
// aggregate of function pointers).
struct HeapOps {
  omniheap_family_t family;
  // Fills every field of `out` from `capacity` on, except `faults`.
  void (*stats)(const void *object, omniheap_stats_t *out);
  // OMNIHEAP_OK or OMNIHEAP_ERR_CORRUPT; never modifies the heap.
  int (*validate)(const void *object);
  // OMNIHEAP_OK, or OMNIHEAP_ERR_CORRUPT if it had to stop early.
  int (*walk)(const void *object, omniheap_walk_fn fn, void *context);
  void (*reset_peak)(void *object);
  // The family's name for the heap, or nullptr.
  const char *(*name)(const void *object);
  // Optional: false once the object no longer holds this heap (a heap object
  // on the stack that went out of scope and was reused). `cookie` is the
  // value given to enter(): compare before following any pointer of the
  // object. The registry then drops the entry. nullptr: always alive.
  bool (*alive)(const void *object, const void *cookie);
};

// Adds `object` to the registry, or refreshes its entry if it is already
// there (a heap initialised again). `cookie` is kept for ops.alive. Returns
// its handle, or nullptr when the registry is full (counted by
// omniheap_registry_dropped()).
omniheap_heap_t *enter(const void *object, const HeapOps &ops, const void *cookie = nullptr) noexcept;

// Removes `object`'s entry if there is one.
void leave(const void *object) noexcept;

// Queries of the native API. A handle is valid iff it points at an occupied
// slot; every function checks it.
bool snapshot(const omniheap_heap_t *heap, omniheap_heap &copy) noexcept;
omniheap_heap *next_slot(const omniheap_heap_t *previous) noexcept;
omniheap_heap *find_slot(const void *object) noexcept;
size_t count() noexcept;
size_t dropped() noexcept;
int rename(omniheap_heap_t *heap, const char *name) noexcept;
int remove(omniheap_heap_t *heap) noexcept;
void set_fault_handler(omniheap_fault_handler_t handler, void *context) noexcept;

// Name the native API reports for a slot: omniheap_heap_set_name()'s, else
// the family's, else the family name.
const char *name_of(const omniheap_heap &copy) noexcept;
// Complete statistics of a slot (all fields, struct_size = sizeof).
void stats_of(const omniheap_heap &copy, omniheap_stats_t &out) noexcept;
// Sums the statistics of every registered heap (see omniheap_totals());
// returns the number of heaps summed.
size_t totals(omniheap_stats_t &total) noexcept;

// Sums the statistics of the registered heaps of one family.
size_t family_totals(omniheap_family_t family, omniheap_stats_t &total) noexcept;

// For the listener machinery (events.cpp), inside the critical section:
// the index of the slot that holds `object` (OMNIHEAP_CONF_MAX_HEAPS if
// none), the slot at an index, and the index of a valid handle.
size_t slot_of(const void *object) noexcept;
omniheap_heap *slot_at(size_t index) noexcept;
size_t index_of(const omniheap_heap_t *heap) noexcept;

// Writes the memory report through `fn`.
void report(omniheap_write_fn fn, void *context) noexcept;

// Everything a binding knows about a fault it detected.
struct Fault {
  omniheap_fault_kind_t kind;
  omniheap_family_t family;
  const void *object;
  const void *pointer;
  const char *function;
  omniheap_fault_action_t default_action;
};

// Counts the fault on its heap, calls the fault handler, and panics through
// the port if the handler says so. Returns only with OMNIHEAP_FAULT_RETURN.
void fault(const Fault &f) noexcept;

} // namespace omniheap::observe

// One slot of the registry; omniheap_heap_t in the C API.
struct omniheap_heap {
  const void *object;                        // nullptr: slot free
  const omniheap::observe::HeapOps *ops;
  const char *name;                          // set by omniheap_heap_set_name(), or nullptr
  const void *cookie;                        // for ops->alive
  uint32_t faults;
};
