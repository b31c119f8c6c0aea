// Glue between the SegregatedFit engine and the registry, shared by every
// binding whose heaps run on the engine (sys_heap, heapmem, k_heap, emh).
// Internal header.
#pragma once

#include "../engine/segregated_fit.hpp"
#include "../observe/registry.hpp"
#include "omniheap.h"

namespace omniheap::bind {

// Fills the registry's statistics of one engine heap. Byte counts are whole
// chunks, headers included: in_use + free_bytes == capacity.
template <class E> void engine_stats(typename E::Control *h, omniheap_stats_t *out) noexcept {
  out->capacity = E::total_bytes(h);
  out->in_use = E::used_bytes(h);
  out->peak = E::peak_bytes(h);
  out->free_bytes = E::free_bytes(h);
  out->largest_free = E::largest_free(h);
  out->block_size = 0;
  out->live_blocks = E::live_blocks(h);
  out->allocations = h->allocations;
  out->frees = h->frees;
  out->failed_allocations = h->failures;
}

template <class E>
int engine_walk(typename E::Control *h, omniheap_walk_fn fn, void *context) noexcept {
  const bool whole = E::walk(h, [&](unsigned char *p, size_t bytes, bool used) {
    const omniheap_block_t b{p, bytes, used ? 1 : 0};
    return fn(&b, context);
  });
  return whole ? OMNIHEAP_OK : OMNIHEAP_ERR_CORRUPT;
}

// The registry fault kind of an engine fault.
inline omniheap_fault_kind_t fault_kind(engine::Fault f) noexcept {
  switch (f) {
  case engine::Fault::double_free: return OMNIHEAP_FAULT_DOUBLE_FREE;
  case engine::Fault::corrupt: return OMNIHEAP_FAULT_CORRUPT_METADATA;
  case engine::Fault::interior: return OMNIHEAP_FAULT_INTERIOR_POINTER;
  case engine::Fault::foreign:
  case engine::Fault::null_pointer:
  case engine::Fault::none: break;
  }
  return OMNIHEAP_FAULT_FOREIGN_POINTER;
}

} // namespace omniheap::bind
