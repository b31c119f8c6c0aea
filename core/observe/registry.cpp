// The heap registry: a static table of OMNIHEAP_CONF_MAX_HEAPS slots, and the
// fault path. Mutations run inside the port's critical section; family
// callbacks run outside it (they may take the family's own lock).
#include "registry.hpp"

#include <string.h>

#include "../common/critical.hpp"
#include "../common/text.hpp"
#include "events.hpp"
#include "omniheap_port.h"

static_assert(OMNIHEAP_CONF_MAX_HEAPS >= 1 && OMNIHEAP_CONF_MAX_HEAPS <= 65535,
              "OMNIHEAP_CONF_MAX_HEAPS must be 1 ... 65535");

namespace omniheap::observe {
namespace {

// Zero-initialised (.bss): no constructor runs.
omniheap_heap g_slots[OMNIHEAP_CONF_MAX_HEAPS];
size_t g_dropped;

omniheap_fault_handler_t g_handler;
void *g_handler_context;

// An occupied slot whose heap is still alive; a dead one is vacated.
bool occupied(omniheap_heap &slot) noexcept {
  if (slot.object == nullptr) return false;
  if (slot.ops->alive != nullptr && !slot.ops->alive(slot.object, slot.cookie)) {
    slot = omniheap_heap{};
    return false;
  }
  return true;
}

// A handle is valid iff it points at an occupied slot of the table.
omniheap_heap *checked(const omniheap_heap_t *heap) noexcept {
  const uintptr_t p = reinterpret_cast<uintptr_t>(heap);
  const uintptr_t first = reinterpret_cast<uintptr_t>(&g_slots[0]);
  if (p < first || p >= first + sizeof g_slots || (p - first) % sizeof(omniheap_heap) != 0U) {
    return nullptr;
  }
  omniheap_heap *slot = &g_slots[(p - first) / sizeof(omniheap_heap)];
  return occupied(*slot) ? slot : nullptr;
}

} // namespace

omniheap_heap_t *enter(const void *object, const HeapOps &ops, const void *cookie) noexcept {
  CriticalSection cs;
  omniheap_heap *free_slot = nullptr;
  for (omniheap_heap &slot : g_slots) {
    if (slot.object == object) {
      slot.ops = &ops;
      slot.cookie = cookie;
      slot.faults = 0;
      slot_changed(static_cast<size_t>(&slot - g_slots));
      return &slot;
    }
    if (free_slot == nullptr && !occupied(slot)) free_slot = &slot;
  }
  if (free_slot == nullptr) {
    ++g_dropped;
    return nullptr;
  }
  free_slot->object = object;
  free_slot->ops = &ops;
  free_slot->name = nullptr;
  free_slot->cookie = cookie;
  free_slot->faults = 0;
  slot_changed(static_cast<size_t>(free_slot - g_slots));
  return free_slot;
}

void leave(const void *object) noexcept {
  CriticalSection cs;
  for (omniheap_heap &slot : g_slots) {
    if (slot.object == object) slot = omniheap_heap{};
  }
}

// A consistent copy of a slot, taken inside the critical section.
bool snapshot(const omniheap_heap_t *heap, omniheap_heap &copy) noexcept {
  CriticalSection cs;
  const omniheap_heap *slot = checked(heap);
  if (slot == nullptr) return false;
  copy = *slot;
  return true;
}

omniheap_heap *next_slot(const omniheap_heap_t *previous) noexcept {
  CriticalSection cs;
  size_t i = 0;
  if (previous != nullptr) {
    const omniheap_heap *slot = checked(previous);
    if (slot == nullptr) return nullptr;
    i = static_cast<size_t>(slot - g_slots) + 1U;
  }
  for (; i < OMNIHEAP_CONF_MAX_HEAPS; ++i) {
    if (occupied(g_slots[i])) return &g_slots[i];
  }
  return nullptr;
}

omniheap_heap *find_slot(const void *object) noexcept {
  if (object == nullptr) return nullptr;
  CriticalSection cs;
  for (omniheap_heap &slot : g_slots) {
    if (slot.object == object) return occupied(slot) ? &slot : nullptr;
  }
  return nullptr;
}

size_t count() noexcept {
  CriticalSection cs;
  size_t n = 0;
  for (omniheap_heap &slot : g_slots) n += occupied(slot) ? 1U : 0U;
  return n;
}

size_t dropped() noexcept { return g_dropped; }

int rename(omniheap_heap_t *heap, const char *name) noexcept {
  CriticalSection cs;
  omniheap_heap *slot = checked(heap);
  if (slot == nullptr) return OMNIHEAP_ERR_NOT_FOUND;
  slot->name = name;
  return OMNIHEAP_OK;
}

int remove(omniheap_heap_t *heap) noexcept {
  CriticalSection cs;
  omniheap_heap *slot = checked(heap);
  if (slot == nullptr) return OMNIHEAP_ERR_NOT_FOUND;
  *slot = omniheap_heap{};
  return OMNIHEAP_OK;
}

const char *name_of(const omniheap_heap &copy) noexcept {
  if (copy.name != nullptr) return copy.name;
  const char *family_name = copy.ops->name != nullptr ? copy.ops->name(copy.object) : nullptr;
  return family_name != nullptr ? family_name : omniheap_family_name(copy.ops->family);
}

void stats_of(const omniheap_heap &copy, omniheap_stats_t &out) noexcept {
  out = omniheap_stats_t{};
  out.struct_size = sizeof out;
  copy.ops->stats(copy.object, &out);
  out.faults = copy.faults;
}

namespace {
size_t sum(omniheap_family_t family, omniheap_stats_t &total) noexcept {
  total = omniheap_stats_t{};
  total.struct_size = sizeof total;
  size_t heaps = 0;
  for (omniheap_heap *h = next_slot(nullptr); h != nullptr; h = next_slot(h)) {
    omniheap_heap copy;
    if (!snapshot(h, copy)) continue;
    if (family != OMNIHEAP_FAMILY_NONE && copy.ops->family != family) continue;
    omniheap_stats_t s;
    stats_of(copy, s);
    ++heaps;
    total.capacity += s.capacity;
    total.in_use += s.in_use;
    total.peak += s.peak;
    total.free_bytes += s.free_bytes;
    if (s.largest_free > total.largest_free) total.largest_free = s.largest_free;
    total.live_blocks += s.live_blocks;
    total.allocations += s.allocations;
    total.frees += s.frees;
    total.failed_allocations += s.failed_allocations;
    total.faults += s.faults;
  }
  return heaps;
}
} // namespace

size_t totals(omniheap_stats_t &total) noexcept { return sum(OMNIHEAP_FAMILY_NONE, total); }

size_t family_totals(omniheap_family_t family, omniheap_stats_t &total) noexcept {
  if (family == OMNIHEAP_FAMILY_NONE) {
    total = omniheap_stats_t{};
    total.struct_size = sizeof total;
    return 0;
  }
  return sum(family, total);
}

size_t slot_of(const void *object) noexcept {
  size_t i = 0;
  if (object != nullptr) {
    for (; i < OMNIHEAP_CONF_MAX_HEAPS; ++i) {
      if (g_slots[i].object == object) break;
    }
  } else {
    i = OMNIHEAP_CONF_MAX_HEAPS;
  }
  return i;
}

omniheap_heap *slot_at(size_t index) noexcept { return &g_slots[index]; }

size_t index_of(const omniheap_heap_t *heap) noexcept {
  const omniheap_heap *slot = checked(heap);
  return slot == nullptr ? OMNIHEAP_CONF_MAX_HEAPS : static_cast<size_t>(slot - g_slots);
}

void set_fault_handler(omniheap_fault_handler_t handler, void *context) noexcept {
  CriticalSection cs;
  g_handler = handler;
  g_handler_context = context;
}

void fault(const Fault &f) noexcept {
  omniheap_fault_t report{};
  report.kind = f.kind;
  report.family = f.family;
  report.object = f.object;
  report.pointer = f.pointer;
  report.function = f.function;
  report.default_action = f.default_action;
  omniheap_fault_handler_t handler;
  void *context;
  {
    CriticalSection cs;
    for (omniheap_heap &slot : g_slots) {
      if (slot.object == f.object && f.object != nullptr) {
        ++slot.faults;
        report.heap = &slot;
        break;
      }
    }
    handler = g_handler;
    context = g_handler_context;
    if (watching()) fault_event(report.heap, report);
  }
  omniheap_fault_action_t action;
  if (handler != nullptr) {
    action = handler(&report, context);
  } else {
    omniheap_port_corruption(&report);
    action = report.default_action;
  }
  if (action != OMNIHEAP_FAULT_RETURN) {
    Text<160> message;
    message.put("omniheap: ").put(omniheap_family_name(f.family)).put(": ");
    message.put(omniheap_fault_kind_name(f.kind)).put(" of ").hex(reinterpret_cast<uintptr_t>(f.pointer));
    if (f.function != nullptr) message.put(" in ").put(f.function);
    omniheap_port_panic(message.c_str());
  }
}

} // namespace omniheap::observe
