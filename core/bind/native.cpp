// The native C API (omniheap.h): a thin layer over the registry.
#include <stddef.h>
#include <string.h>

#include "../common/compiler.hpp"
#include "../observe/events.hpp"
#include "../observe/registry.hpp"
#include "../observe/trace.hpp"
#include "omniheap.h"
#include "omniheap_port.h"

namespace ob = omniheap::observe;

namespace {

// Bytes of omniheap_stats_t a caller must at least provide: struct_size and
// capacity.
constexpr size_t min_stats_size = offsetof(omniheap_stats_t, in_use);

// End offset of every field, in order: a caller's struct_size is rounded down
// to the end of the last field that fits completely.
constexpr size_t stats_field_ends[] = {
    offsetof(omniheap_stats_t, capacity) + sizeof(size_t),
    offsetof(omniheap_stats_t, in_use) + sizeof(size_t),
    offsetof(omniheap_stats_t, peak) + sizeof(size_t),
    offsetof(omniheap_stats_t, free_bytes) + sizeof(size_t),
    offsetof(omniheap_stats_t, largest_free) + sizeof(size_t),
    offsetof(omniheap_stats_t, block_size) + sizeof(size_t),
    offsetof(omniheap_stats_t, live_blocks) + sizeof(size_t),
    offsetof(omniheap_stats_t, allocations) + sizeof(uint64_t),
    offsetof(omniheap_stats_t, frees) + sizeof(uint64_t),
    offsetof(omniheap_stats_t, failed_allocations) + sizeof(uint64_t),
    offsetof(omniheap_stats_t, faults) + sizeof(uint64_t),
};
static_assert(stats_field_ends[sizeof stats_field_ends / sizeof stats_field_ends[0] - 1] ==
                  sizeof(omniheap_stats_t),
              "every field of omniheap_stats_t is listed");

int copy_stats(const omniheap_stats_t &full, omniheap_stats_t *out) noexcept {
  if (out == nullptr || out->struct_size < min_stats_size) return OMNIHEAP_ERR_INVALID;
  size_t n = 0;
  for (size_t end : stats_field_ends) {
    if (end <= out->struct_size) n = end;
  }
  // Byte copy of the fields both sides know; then report what was filled.
  const unsigned char *src = reinterpret_cast<const unsigned char *>(&full);
  unsigned char *dst = reinterpret_cast<unsigned char *>(out);
  for (size_t i = sizeof(size_t); i < n; ++i) dst[i] = src[i];
  out->struct_size = n;
  return OMNIHEAP_OK;
}

} // namespace

OMNIHEAP_EXPORT uint32_t omniheap_version(void) {
  // OMNIHEAP_VERSION, spelled without its C casts.
  return static_cast<uint32_t>(OMNIHEAP_VERSION_MAJOR) << 16 |
         static_cast<uint32_t>(OMNIHEAP_VERSION_MINOR) << 8 |
         static_cast<uint32_t>(OMNIHEAP_VERSION_PATCH);
}

OMNIHEAP_EXPORT const char *omniheap_version_string(void) { return OMNIHEAP_VERSION_STRING; }

OMNIHEAP_EXPORT unsigned omniheap_abi_version(void) { return OMNIHEAP_ABI_VERSION; }

OMNIHEAP_EXPORT const char *omniheap_family_name(omniheap_family_t family) {
  switch (family) {
  case OMNIHEAP_FAMILY_MEMB: return "memb";
  case OMNIHEAP_FAMILY_HEAPMEM: return "heapmem";
  case OMNIHEAP_FAMILY_SYS_HEAP: return "sys_heap";
  case OMNIHEAP_FAMILY_K_HEAP: return "k_heap";
  case OMNIHEAP_FAMILY_MULTI_HEAP: return "multi_heap";
  case OMNIHEAP_FAMILY_EMH: return "emh";
  case OMNIHEAP_FAMILY_FFIT: return "ffit";
  case OMNIHEAP_FAMILY_BUDDY: return "buddy";
  case OMNIHEAP_FAMILY_MMT: return "mmt";
  case OMNIHEAP_FAMILY_NONE: break;
  }
  return "unknown";
}

OMNIHEAP_EXPORT const char *omniheap_fault_kind_name(omniheap_fault_kind_t kind) {
  switch (kind) {
  case OMNIHEAP_FAULT_DOUBLE_FREE: return "double free";
  case OMNIHEAP_FAULT_FOREIGN_POINTER: return "foreign pointer";
  case OMNIHEAP_FAULT_INTERIOR_POINTER: return "interior pointer";
  case OMNIHEAP_FAULT_CORRUPT_METADATA: return "corrupted metadata";
  case OMNIHEAP_FAULT_BAD_ALIGNMENT: return "bad alignment";
  case OMNIHEAP_FAULT_BAD_ARGUMENT: return "bad argument";
  }
  return "unknown fault";
}

OMNIHEAP_EXPORT size_t omniheap_heap_count(void) { return ob::count(); }

OMNIHEAP_EXPORT omniheap_heap_t *omniheap_heap_next(const omniheap_heap_t *previous) {
  return ob::next_slot(previous);
}

OMNIHEAP_EXPORT omniheap_heap_t *omniheap_heap_find(const void *object) {
  return ob::find_slot(object);
}

OMNIHEAP_EXPORT omniheap_heap_t *omniheap_heap_find_name(const char *name) {
  if (name == nullptr) return nullptr;
  for (omniheap_heap *h = ob::next_slot(nullptr); h != nullptr; h = ob::next_slot(h)) {
    omniheap_heap copy;
    if (!ob::snapshot(h, copy)) continue;
    if (strcmp(ob::name_of(copy), name) == 0) return h;
  }
  return nullptr;
}

OMNIHEAP_EXPORT const char *omniheap_heap_name(const omniheap_heap_t *heap) {
  omniheap_heap copy;
  return ob::snapshot(heap, copy) ? ob::name_of(copy) : "?";
}

OMNIHEAP_EXPORT int omniheap_heap_set_name(omniheap_heap_t *heap, const char *name) {
  return ob::rename(heap, name);
}

OMNIHEAP_EXPORT omniheap_family_t omniheap_heap_family(const omniheap_heap_t *heap) {
  omniheap_heap copy;
  return ob::snapshot(heap, copy) ? copy.ops->family : OMNIHEAP_FAMILY_NONE;
}

OMNIHEAP_EXPORT const void *omniheap_heap_object(const omniheap_heap_t *heap) {
  omniheap_heap copy;
  return ob::snapshot(heap, copy) ? copy.object : nullptr;
}

OMNIHEAP_EXPORT size_t omniheap_heap_capacity(const omniheap_heap_t *heap) {
  omniheap_heap copy;
  if (!ob::snapshot(heap, copy)) return 0;
  omniheap_stats_t s;
  ob::stats_of(copy, s);
  return s.capacity;
}

OMNIHEAP_EXPORT int omniheap_heap_unregister(omniheap_heap_t *heap) { return ob::remove(heap); }

OMNIHEAP_EXPORT size_t omniheap_registry_dropped(void) { return ob::dropped(); }

OMNIHEAP_EXPORT int omniheap_heap_stats(const omniheap_heap_t *heap, omniheap_stats_t *stats) {
  if (stats == nullptr || stats->struct_size < min_stats_size) return OMNIHEAP_ERR_INVALID;
  omniheap_heap copy;
  if (!ob::snapshot(heap, copy)) return OMNIHEAP_ERR_NOT_FOUND;
  omniheap_stats_t full;
  ob::stats_of(copy, full);
  return copy_stats(full, stats);
}

OMNIHEAP_EXPORT int omniheap_heap_reset_peak(omniheap_heap_t *heap) {
  omniheap_heap copy;
  if (!ob::snapshot(heap, copy)) return OMNIHEAP_ERR_NOT_FOUND;
  copy.ops->reset_peak(const_cast<void *>(copy.object));
  return OMNIHEAP_OK;
}

OMNIHEAP_EXPORT int omniheap_heap_validate(const omniheap_heap_t *heap) {
  omniheap_heap copy;
  if (!ob::snapshot(heap, copy)) return OMNIHEAP_ERR_NOT_FOUND;
  return copy.ops->validate(copy.object);
}

OMNIHEAP_EXPORT int omniheap_heap_walk(const omniheap_heap_t *heap, omniheap_walk_fn fn,
                                       void *context) {
  omniheap_heap copy;
  if (!ob::snapshot(heap, copy)) return OMNIHEAP_ERR_NOT_FOUND;
  if (fn == nullptr) return OMNIHEAP_ERR_INVALID;
  return copy.ops->walk(copy.object, fn, context);
}

OMNIHEAP_EXPORT int omniheap_totals(omniheap_stats_t *stats) {
  if (stats == nullptr || stats->struct_size < min_stats_size) return OMNIHEAP_ERR_INVALID;
  omniheap_stats_t total;
  ob::totals(total);
  return copy_stats(total, stats);
}

OMNIHEAP_EXPORT void omniheap_report_to(omniheap_write_fn fn, void *context) {
  ob::report(fn, context);
}

OMNIHEAP_EXPORT void omniheap_report(void) {
  ob::report([](const char *text, size_t length, void *) { omniheap_port_write(text, length); },
             nullptr);
}

OMNIHEAP_EXPORT void omniheap_set_fault_handler(omniheap_fault_handler_t handler, void *context) {
  ob::set_fault_handler(handler, context);
}

OMNIHEAP_EXPORT int omniheap_family_totals(omniheap_family_t family, omniheap_stats_t *stats) {
  if (stats == nullptr || stats->struct_size < min_stats_size) return OMNIHEAP_ERR_INVALID;
  omniheap_stats_t total;
  const size_t heaps = ob::family_totals(family, total);
  copy_stats(total, stats);
  return static_cast<int>(heaps);
}

// ---- listeners and the trace recorder ---------------------------------------------------

OMNIHEAP_EXPORT int omniheap_listener_register(omniheap_listener_t *listener, omniheap_heap_t *heap,
                                               unsigned events, size_t threshold, size_t hysteresis,
                                               omniheap_listener_fn fn, void *context) {
  return ob::add_listener(listener, heap, events, threshold, hysteresis, fn, context);
}

OMNIHEAP_EXPORT int omniheap_listener_unregister(omniheap_listener_t *listener) {
  return ob::remove_listener(listener);
}

OMNIHEAP_EXPORT int omniheap_listener_above(const omniheap_listener_t *listener, const omniheap_heap_t *heap) {
  return ob::listener_above(listener, heap);
}

OMNIHEAP_EXPORT const char *omniheap_event_kind_name(omniheap_event_kind_t kind) {
  switch (kind) {
  case OMNIHEAP_EVENT_ALLOC: return "alloc";
  case OMNIHEAP_EVENT_FREE: return "free";
  case OMNIHEAP_EVENT_REALLOC: return "realloc";
  case OMNIHEAP_EVENT_ALLOC_FAILED: return "alloc failed";
  case OMNIHEAP_EVENT_ABOVE: return "above";
  case OMNIHEAP_EVENT_BELOW: return "below";
  case OMNIHEAP_EVENT_PEAK: return "peak";
  case OMNIHEAP_EVENT_FAULT: return "fault";
  }
  return "unknown event";
}

OMNIHEAP_EXPORT int omniheap_trace_start(omniheap_trace_t *trace, omniheap_heap_t *heap, omniheap_write_fn write,
                                         void *context) {
  return ob::trace_start(trace, heap, write, context);
}

OMNIHEAP_EXPORT int omniheap_trace_stop(omniheap_trace_t *trace) { return ob::trace_stop(trace); }
