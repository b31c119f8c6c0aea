// The memory report: one line per registered heap and a totals line, built
// only on the registry's queries (the same data as the native API).
#include "../common/text.hpp"
#include "registry.hpp"

namespace omniheap::observe {
namespace {

constexpr size_t name_width = 20;
constexpr size_t family_width = 11;

using Line = Text<160>;

void emit(omniheap_write_fn fn, void *context, Line &line) noexcept {
  line.emit([&](const char *text, size_t length) { fn(text, length, context); });
}

void columns(Line &line, const omniheap_stats_t &s, bool fixed_blocks) noexcept {
  line.right(s.capacity, 10).right(s.in_use, 10).right(s.peak, 10);
  line.right(s.allocations, 9).right(s.failed_allocations, 8).right(s.largest_free, 13);
  if (fixed_blocks) {
    line.right("-", 6);
  } else {
    const uint64_t fragmented =
        s.free_bytes == 0U ? 0U : 100U * (s.free_bytes - s.largest_free) / s.free_bytes;
    line.right(fragmented, 5).put('%');
  }
}

} // namespace

void report(omniheap_write_fn fn, void *context) noexcept {
  if (fn == nullptr) return;
  Line line;
  line.put("omniheap ").put(OMNIHEAP_VERSION_STRING).put(" memory report (target ");
  line.put(OMNIHEAP_TARGET_NAME).put(", port ").put(OMNIHEAP_PORT_NAME).put(")");
  emit(fn, context, line);
  line.left("heap", name_width).put(' ').left("family", family_width - 1);
  line.right("capacity", 10).right("in use", 10).right("peak", 10).right("allocs", 9);
  line.right("failed", 8).right("largest free", 13).right("frag", 6);
  emit(fn, context, line);

  for (omniheap_heap *h = next_slot(nullptr); h != nullptr; h = next_slot(h)) {
    omniheap_heap copy;
    if (!snapshot(h, copy)) continue;
    omniheap_stats_t s;
    stats_of(copy, s);
    const char *name = name_of(copy);
    const bool anonymous =
        copy.name == nullptr && (copy.ops->name == nullptr || copy.ops->name(copy.object) == nullptr);
    if (anonymous) {
      Text<40> with_address;
      with_address.put(name).put('@').hex(reinterpret_cast<uintptr_t>(copy.object));
      line.left(with_address.c_str(), name_width);
    } else {
      line.left(name, name_width);
    }
    line.put(' ').left(omniheap_family_name(copy.ops->family), family_width - 1);
    columns(line, s, s.block_size != 0U);
    if (s.faults != 0U) line.put("  faults: ").decimal(s.faults);
    emit(fn, context, line);
  }
  omniheap_stats_t total;
  const size_t heaps = totals(total);
  Text<name_width + family_width + 1> label;
  label.put("total (").decimal(heaps).put(heaps == 1U ? " heap)" : " heaps)");
  line.left(label.c_str(), name_width + family_width);
  columns(line, total, true);
  emit(fn, context, line);
  if (dropped() != 0U) {
    line.put("warning: ").decimal(dropped());
    line.put(" heap(s) not registered: registry full (OMNIHEAP_CONF_MAX_HEAPS)");
    emit(fn, context, line);
  }
}

} // namespace omniheap::observe
