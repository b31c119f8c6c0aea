// Zephyr's sys_multi_heap (<zephyr/sys/multi_heap.h>): several sys_heaps
// behind one allocator, routed by the user's choice callback. The members
// are kept sorted by the address of their memory; a block's heap is the
// member whose memory holds it (bounds checked, unlike upstream).
#include <zephyr/sys/multi_heap.h>
#include <zephyr/sys/sys_heap.h>

#include <string.h>

#include "../common/compiler.hpp"
#include "../common/critical.hpp"
#include "../observe/registry.hpp"
#include "sys_heap_core.hpp"

namespace {

namespace zheap = omniheap::bind::zheap;

using Guard = omniheap::OptionalCriticalSection<OMNIHEAP_CONF_MULTI_HEAP_LOCKED != 0>;

OMNIHEAP_COLD void report(const struct sys_multi_heap *mheap, const void *p, omniheap_fault_kind_t kind,
                          const char *function) {
  omniheap::observe::fault({kind, OMNIHEAP_FAMILY_MULTI_HEAP, mheap, p, function, OMNIHEAP_FAULT_PANIC});
}

// Where the member's memory starts (a statically defined heap not used yet
// is set up first, through the public API).
uintptr_t start_of(struct sys_heap *heap) noexcept {
  if (!zheap::ready(heap)) sys_heap_validate(heap); // sets it up (or makes it an empty heap)
  return reinterpret_cast<uintptr_t>(heap->heap);
}

const struct sys_multi_heap_rec *find(const struct sys_multi_heap *mheap, const void *addr) noexcept {
  const unsigned n = mheap->nheaps < MAX_MULTI_HEAPS ? mheap->nheaps : MAX_MULTI_HEAPS;
  for (unsigned i = 0; i < n; ++i) {
    const struct sys_heap *heap = mheap->heaps[i].heap;
    if (heap != nullptr && zheap::contains(heap, addr)) return &mheap->heaps[i];
  }
  return nullptr;
}

void *choose(struct sys_multi_heap *mheap, void *cfg, size_t align, size_t bytes) noexcept {
  return mheap->choice != nullptr ? mheap->choice(mheap, cfg, align, bytes) : nullptr;
}

} // namespace

OMNIHEAP_EXPORT void sys_multi_heap_init(struct sys_multi_heap *heap, sys_multi_heap_fn_t choice_fn) {
  Guard guard;
  heap->nheaps = 0;
  heap->choice = choice_fn;
  memset(static_cast<void *>(heap->heaps), 0, sizeof heap->heaps);
}

OMNIHEAP_EXPORT void sys_multi_heap_add_heap(struct sys_multi_heap *mheap, struct sys_heap *heap, void *user_data) {
  bool full;
  {
    Guard guard;
    full = mheap->nheaps >= MAX_MULTI_HEAPS || heap == nullptr;
    if (!full) {
      // Insertion keeps the members sorted by address.
      const uintptr_t start = start_of(heap);
      unsigned i = mheap->nheaps;
      while (i > 0U && start_of(mheap->heaps[i - 1U].heap) > start) {
        mheap->heaps[i] = mheap->heaps[i - 1U];
        --i;
      }
      mheap->heaps[i].heap = heap;
      mheap->heaps[i].user_data = user_data;
      ++mheap->nheaps;
    }
  }
  if (full) report(mheap, heap, OMNIHEAP_FAULT_BAD_ARGUMENT, "sys_multi_heap_add_heap");
}

OMNIHEAP_EXPORT void *sys_multi_heap_alloc(struct sys_multi_heap *mheap, void *cfg, size_t bytes) {
  Guard guard;
  return choose(mheap, cfg, 0, bytes);
}

OMNIHEAP_EXPORT void *sys_multi_heap_aligned_alloc(struct sys_multi_heap *mheap, void *cfg, size_t align,
                                                   size_t bytes) {
  Guard guard;
  return choose(mheap, cfg, align, bytes);
}

OMNIHEAP_EXPORT const struct sys_multi_heap_rec *sys_multi_heap_get_heap(const struct sys_multi_heap *mheap,
                                                                         void *addr) {
  Guard guard;
  return find(mheap, addr);
}

OMNIHEAP_EXPORT void sys_multi_heap_free(struct sys_multi_heap *mheap, void *block) {
  if (block == nullptr) return;
  const struct sys_multi_heap_rec *rec;
  {
    Guard guard;
    rec = find(mheap, block);
    if (rec != nullptr) sys_heap_free(rec->heap, block);
  }
  if (rec == nullptr) report(mheap, block, OMNIHEAP_FAULT_FOREIGN_POINTER, "sys_multi_heap_free");
}

OMNIHEAP_EXPORT void *sys_multi_heap_aligned_realloc(struct sys_multi_heap *mheap, void *cfg, void *ptr,
                                                     size_t align, size_t bytes) {
  if (ptr == nullptr) return sys_multi_heap_aligned_alloc(mheap, cfg, align, bytes);
  if (bytes == 0U) {
    sys_multi_heap_free(mheap, ptr);
    return nullptr;
  }
  const zheap::Alignment d = zheap::decode(align);
  if (OMNIHEAP_UNLIKELY(!zheap::well_formed(d))) {
    report(mheap, nullptr, OMNIHEAP_FAULT_BAD_ALIGNMENT, "sys_multi_heap_aligned_realloc");
    return nullptr;
  }
  void *result = nullptr;
  const struct sys_multi_heap_rec *rec;
  {
    Guard guard;
    rec = find(mheap, ptr);
    if (rec != nullptr) {
      // In its own heap first (in place when it can), then anywhere the
      // choice callback picks.
      // (A pointer that is no block of its heap is reported by usable_size.)
      const size_t old = sys_heap_usable_size(rec->heap, ptr);
      if (old != 0U) result = sys_heap_aligned_realloc(rec->heap, ptr, align, bytes);
      if (old != 0U && result == nullptr) {
        result = choose(mheap, cfg, align, bytes);
        if (result != nullptr) {
          memcpy(result, ptr, old < bytes ? old : bytes);
          sys_heap_free(rec->heap, ptr);
        }
      }
    }
  }
  if (rec == nullptr) report(mheap, ptr, OMNIHEAP_FAULT_FOREIGN_POINTER, "sys_multi_heap_aligned_realloc");
  return result;
}
