// Listeners (omniheap_listener_*): one list of caller-owned listeners,
// changed and walked inside the port's critical section. Bindings call
// notify() for every operation while watching() is true; conditions
// (threshold crossings with hysteresis, new peaks) are derived here from the
// bytes in use before and after each operation, with two bits of state per
// listener and registry slot ("known", "above").
#include "events.hpp"

#include "../common/compiler.hpp"
#include "../common/critical.hpp"
#include "registry.hpp"

namespace omniheap::observe {

unsigned g_watchers;

namespace {

omniheap_listener_t *g_listeners; // zero: empty
Sink g_sink;

constexpr unsigned valid_events = OMNIHEAP_ON_ALL;
static_assert(OMNIHEAP_ON_ALL == (OMNIHEAP_ON_OPERATIONS | OMNIHEAP_ON_FAILURE | OMNIHEAP_ON_THRESHOLD |
                                  OMNIHEAP_ON_PEAK | OMNIHEAP_ON_FAULT),
              "OMNIHEAP_ON_ALL names every event");

// Bit `which` (0: known, 1: above) of slot `slot`.
constexpr size_t words_per_bit = (OMNIHEAP_CONF_MAX_HEAPS + 31) / 32;
bool bit(const omniheap_listener_t &l, size_t slot, unsigned which) noexcept {
  return ((l.state[which * words_per_bit + slot / 32U] >> (slot % 32U)) & 1U) != 0U;
}
void set_bit(omniheap_listener_t &l, size_t slot, unsigned which, bool on) noexcept {
  uint32_t &w = l.state[which * words_per_bit + slot / 32U];
  const uint32_t mask = uint32_t{1} << (slot % 32U);
  w = on ? (w | mask) : (w & ~mask);
}

void count_watchers(int delta) noexcept {
  __atomic_store_n(&g_watchers, static_cast<unsigned>(static_cast<int>(g_watchers) + delta), __ATOMIC_RELAXED);
}

bool unlink(omniheap_listener_t *listener) noexcept {
  for (omniheap_listener_t **p = &g_listeners; *p != nullptr; p = &(*p)->next) {
    if (*p == listener) {
      *p = listener->next;
      listener->next = nullptr;
      count_watchers(-1);
      return true;
    }
  }
  return false;
}

void deliver(omniheap_listener_t &l, omniheap_event_t &e, omniheap_event_kind_t kind, size_t threshold) noexcept {
  e.kind = kind;
  e.threshold = threshold;
  l.fn(&e, l.context);
}

// The conditions an operation causes for one listener.
void conditions(omniheap_listener_t &l, omniheap_event_t &e, const Change &c, size_t slot) noexcept {
  if ((l.events & OMNIHEAP_ON_PEAK) != 0U && c.peak > c.old_peak && c.kind != OMNIHEAP_EVENT_FREE) {
    deliver(l, e, OMNIHEAP_EVENT_PEAK, 0);
  }
  if ((l.events & OMNIHEAP_ON_THRESHOLD) == 0U || slot >= OMNIHEAP_CONF_MAX_HEAPS) return;
  const size_t threshold = l.threshold;
  bool above = bit(l, slot, 1);
  if (!bit(l, slot, 0)) {
    above = c.before >= threshold;
    set_bit(l, slot, 0, true);
  }
  if (!above && c.after >= threshold) {
    set_bit(l, slot, 1, true);
    if ((l.events & OMNIHEAP_ON_ABOVE) != 0U) deliver(l, e, OMNIHEAP_EVENT_ABOVE, threshold);
  } else if (above && l.hysteresis <= threshold && c.after < threshold - l.hysteresis) {
    set_bit(l, slot, 1, false);
    if ((l.events & OMNIHEAP_ON_BELOW) != 0U) deliver(l, e, OMNIHEAP_EVENT_BELOW, threshold);
  } else {
    set_bit(l, slot, 1, above);
  }
}

} // namespace

void set_sink(Sink sink) noexcept {
  CriticalSection cs;
  if ((g_sink == nullptr) != (sink == nullptr)) count_watchers(sink != nullptr ? +1 : -1);
  g_sink = sink;
}

void notify(const Change &c) noexcept {
  CriticalSection cs;
  const size_t slot = slot_of(c.object);
  omniheap_heap *entry = slot < OMNIHEAP_CONF_MAX_HEAPS ? slot_at(slot) : nullptr;
  const omniheap_family_t family = entry != nullptr ? entry->ops->family : c.family;
  if (g_sink != nullptr) g_sink(c, family);
  omniheap_event_t e; // built for the first listener of this heap
  bool built = false;
  for (omniheap_listener_t *l = g_listeners; l != nullptr; l = l->next) {
    if (l->object != nullptr && l->object != c.object) continue;
    if (!built) {
      e = omniheap_event_t{};
      e.family = family;
      e.heap = entry;
      e.object = c.object;
      e.pointer = c.pointer;
      e.old_pointer = c.old_pointer;
      e.size = c.size;
      e.bytes = c.bytes;
      e.old_bytes = c.old_bytes;
      e.previous_in_use = c.before;
      e.in_use = c.after;
      e.peak = c.peak;
      built = true;
    }
    if ((l->events & OMNIHEAP_ON(c.kind)) != 0U) deliver(*l, e, c.kind, 0);
    if (c.kind != OMNIHEAP_EVENT_ALLOC_FAILED) conditions(*l, e, c, slot);
  }
}

void slot_changed(size_t slot) noexcept {
  for (omniheap_listener_t *l = g_listeners; l != nullptr; l = l->next) set_bit(*l, slot, 0, false);
}

void fault_event(omniheap_heap_t *heap, const omniheap_fault_t &fault) noexcept {
  omniheap_event_t e{};
  e.kind = OMNIHEAP_EVENT_FAULT;
  e.family = fault.family;
  e.heap = heap;
  e.object = fault.object;
  e.pointer = const_cast<void *>(fault.pointer);
  e.fault = fault.kind;
  for (omniheap_listener_t *l = g_listeners; l != nullptr; l = l->next) {
    if ((l->events & OMNIHEAP_ON_FAULT) == 0U) continue;
    if (l->object != nullptr && l->object != fault.object) continue;
    l->fn(&e, l->context);
  }
}



int add_listener(omniheap_listener_t *listener, omniheap_heap_t *heap, unsigned events, size_t threshold,
                 size_t hysteresis, omniheap_listener_fn fn, void *context) noexcept {
  if (listener == nullptr || fn == nullptr || (events & valid_events) == 0U) return OMNIHEAP_ERR_INVALID;
  CriticalSection cs;
  const void *object = nullptr;
  if (heap != nullptr) {
    const size_t slot = index_of(heap);
    if (slot >= OMNIHEAP_CONF_MAX_HEAPS) return OMNIHEAP_ERR_NOT_FOUND;
    object = slot_at(slot)->object;
  }
  unlink(listener);
  *listener = omniheap_listener_t{};
  listener->object = object;
  listener->events = events & valid_events;
  listener->threshold = threshold;
  listener->hysteresis = hysteresis;
  listener->fn = fn;
  listener->context = context;
  // Appended, so that listeners are called in the order of registration.
  omniheap_listener_t **p = &g_listeners;
  while (*p != nullptr) p = &(*p)->next;
  *p = listener;
  count_watchers(+1);
  return OMNIHEAP_OK;
}

int remove_listener(omniheap_listener_t *listener) noexcept {
  if (listener == nullptr) return OMNIHEAP_ERR_NOT_FOUND;
  CriticalSection cs;
  return unlink(listener) ? OMNIHEAP_OK : OMNIHEAP_ERR_NOT_FOUND;
}

int listener_above(const omniheap_listener_t *listener, const omniheap_heap_t *heap) noexcept {
  if (listener == nullptr) return -1;
  CriticalSection cs;
  size_t slot;
  if (heap != nullptr) {
    slot = index_of(heap);
    if (slot < OMNIHEAP_CONF_MAX_HEAPS && listener->object != nullptr &&
        listener->object != slot_at(slot)->object) {
      return -1;
    }
  } else {
    slot = slot_of(listener->object);
  }
  bool registered = false;
  for (const omniheap_listener_t *l = g_listeners; l != nullptr; l = l->next) registered |= l == listener;
  if (!registered || slot >= OMNIHEAP_CONF_MAX_HEAPS || !bit(*listener, slot, 0)) return -1;
  return bit(*listener, slot, 1) ? 1 : 0;
}

} // namespace omniheap::observe
