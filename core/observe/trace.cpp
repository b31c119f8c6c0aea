// The trace recorder: every operation of the traced heap(s) becomes one or
// two lines of omniheap-sim's trace format ("a <id> <size>", "f <id>"), ids
// being block addresses in decimal. Written from the listener callback, in
// the allocating context, through the caller's write function.
#include "trace.hpp"

#include "../common/text.hpp"
#include "events.hpp"
#include "registry.hpp"

namespace omniheap::observe {
namespace {

using Line = Text<48>;

void emit(omniheap_trace_t &t, Line &line) noexcept {
  line.emit([&](const char *text, size_t length) { t.write(text, length, t.context); });
  ++t.lines;
}

void allocation(omniheap_trace_t &t, const void *p, size_t size) noexcept {
  Line line;
  line.put("a ").decimal(reinterpret_cast<uintptr_t>(p)).put(' ').decimal(size != 0U ? size : 1U);
  emit(t, line);
}

void release(omniheap_trace_t &t, const void *p) noexcept {
  Line line;
  line.put("f ").decimal(reinterpret_cast<uintptr_t>(p));
  emit(t, line);
}

void record(const omniheap_event_t *e, void *context) noexcept {
  omniheap_trace_t &t = *static_cast<omniheap_trace_t *>(context);
  switch (e->kind) {
  case OMNIHEAP_EVENT_ALLOC: allocation(t, e->pointer, e->size); break;
  case OMNIHEAP_EVENT_FREE: release(t, e->pointer); break;
  case OMNIHEAP_EVENT_REALLOC:
    if (e->pointer == e->old_pointer) {
      release(t, e->old_pointer);
      allocation(t, e->pointer, e->size);
    } else {
      allocation(t, e->pointer, e->size);
      release(t, e->old_pointer);
    }
    break;
  default: break;
  }
}

} // namespace

int trace_start(omniheap_trace_t *trace, omniheap_heap_t *heap, omniheap_write_fn write, void *context) noexcept {
  if (trace == nullptr || write == nullptr) return OMNIHEAP_ERR_INVALID;
  omniheap_heap copy;
  if (heap != nullptr && !snapshot(heap, copy)) return OMNIHEAP_ERR_NOT_FOUND;
  remove_listener(&trace->listener);
  trace->write = write;
  trace->context = context;
  trace->lines = 0;
  Text<96> title;
  title.put("# omniheap trace of ");
  if (heap != nullptr) {
    title.put(name_of(copy)).put(" (").put(omniheap_family_name(copy.ops->family)).put(")");
  } else {
    title.put("all heaps");
  }
  title.put("; replay: omniheap-sim --dist trace:FILE");
  title.emit([&](const char *text, size_t length) { write(text, length, context); });
  return add_listener(&trace->listener, heap, OMNIHEAP_ON_OPERATIONS, 0, 0, record, trace);
}

int trace_stop(omniheap_trace_t *trace) noexcept {
  if (trace == nullptr) return OMNIHEAP_ERR_NOT_FOUND;
  return remove_listener(&trace->listener);
}

} // namespace omniheap::observe
