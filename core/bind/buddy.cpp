// Schoofs' buddy and ebuddy (<buddy.h>) on the Buddy engine, the emergency
// heap (e = 1) an ffit heap carved from the same region.
//
// Region: [buddy area: msize bytes][emergency heap: esize bytes][Control,
// free-list heads and bitmaps]. The emergency heap takes an eighth of the
// region; the bookkeeping about 6 % of the buddy area.
#include <buddy.h>

#include <stddef.h>
#include <string.h>

#include "../common/compiler.hpp"
#include "../common/critical.hpp"
#include "../common/text.hpp"
#include "../engine/buddy.hpp"
#include "../observe/registry.hpp"
#include "memman.hpp"
#include "omniheap_port.h"

namespace {

using omniheap::engine::Buddy;
using Control = Buddy::Control;
namespace mm = omniheap::bind::memman;

constexpr size_t min_emergency = 256; // smallest emergency heap that holds a block

Control *control_of(const buddy_heap_t *h) noexcept {
  if (h == nullptr || h->ah == nullptr) return nullptr;
  Control *c = static_cast<Control *>(static_cast<void *>(h->ah)) - 1;
  return c->magic == Buddy::magic_value ? c : nullptr;
}

bool in_emergency(const buddy_heap_t *h, const void *p) noexcept {
  const uintptr_t a = reinterpret_cast<uintptr_t>(p);
  return h->e != 0U && h->eh != 0U && a >= h->eh && a - h->eh < h->esize;
}

int code_of(Buddy::Result r) noexcept {
  return r == Buddy::Result::ok ? BUDDY_HEAP_OK : r == Buddy::Result::corrupt ? BUDDY_HEAP_INTERNAL : BUDDY_HEAP_NOTFOUND;
}

omniheap_fault_kind_t kind_of(Buddy::Result r) noexcept {
  switch (r) {
  case Buddy::Result::corrupt: return OMNIHEAP_FAULT_CORRUPT_METADATA;
  case Buddy::Result::interior: return OMNIHEAP_FAULT_INTERIOR_POINTER;
  case Buddy::Result::double_free: return OMNIHEAP_FAULT_DOUBLE_FREE;
  case Buddy::Result::ok:
  case Buddy::Result::foreign: break;
  }
  return OMNIHEAP_FAULT_FOREIGN_POINTER;
}

OMNIHEAP_COLD void report(const buddy_heap_t *h, const void *p, Buddy::Result r, const char *function) {
  if (p == nullptr) return;
  mm::report(OMNIHEAP_FAMILY_BUDDY, h, p, kind_of(r), function);
}

// ---- registry -------------------------------------------------------------------------------
struct Traits {
  using Descriptor = buddy_heap_t;
  using Control = Buddy::Control;
  static Control *control(const buddy_heap_t *h) noexcept { return control_of(h); }
  static void fill(Control *c, omniheap_stats_t *out) noexcept {
    out->capacity = static_cast<size_t>(c->units) * Buddy::unit;
    out->in_use = static_cast<size_t>(c->used_units) * Buddy::unit;
    out->peak = static_cast<size_t>(c->peak_units) * Buddy::unit;
    out->free_bytes = out->capacity - out->in_use;
    out->largest_free = static_cast<size_t>(Buddy::largest_free_units(c)) * Buddy::unit;
    out->block_size = 0;
    out->live_blocks = c->live_blocks;
    out->allocations = c->allocations;
    out->frees = c->frees;
    out->failed_allocations = c->failures;
  }
  static bool valid(Control *c) noexcept { return Buddy::valid(c); }
  template <class Fn> static bool walk(Control *c, Fn &&fn) noexcept { return Buddy::walk(c, fn); }
  static void reset_peak(Control *c) noexcept { c->peak_units = c->used_units; }
};
using Registry = mm::RegistryOps<Traits>;

constexpr omniheap::observe::HeapOps ops = {OMNIHEAP_FAMILY_BUDDY, Registry::stats,      Registry::validate,
                                            Registry::walk,        Registry::reset_peak, nullptr,
                                            Registry::alive};

// Bytes of the bitmaps for an area of `units` (the bookkeeping minus Control).
uint32_t bitmap_bytes(uint32_t units) noexcept {
  return static_cast<uint32_t>(Buddy::bookkeeping(units) - sizeof(Control) -
                               (Buddy::heads_count(units)) * sizeof(uint32_t));
}

} // namespace

OMNIHEAP_EXPORT int buddy_init(buddy_heap_t *h) {
  if (h == nullptr || h->mh == 0U || h->hs == 0U) return BUDDY_HEAP_INTERNAL;
  h->ah = nullptr;
  const uintptr_t area = (h->mh + 7U) & ~uintptr_t(7U);
  const size_t skew = area - h->mh;
  if (h->hs <= skew || h->hs - skew > 0xFFFFFFF0U) return BUDDY_HEAP_INTERNAL;
  const size_t total = (h->hs - skew) & ~size_t(7U);
  size_t esize = 0;
  if (h->e != 0U) {
    esize = (total / 8U) & ~size_t(7U);
    if (esize < min_emergency) esize = min_emergency;
    if (esize >= total) return BUDDY_HEAP_INTERNAL;
  }
  const size_t avail = total - esize;
  // The largest area whose bookkeeping (pointer-aligned) still fits.
  uint32_t units = static_cast<uint32_t>(avail * 2U / 17U + 2U); // 8 bytes and about 4 bits each
  while (units > 0U && static_cast<size_t>(units) * Buddy::unit + ((Buddy::bookkeeping(units) + 7U) & ~size_t(7U)) > avail) {
    --units;
  }
  if (units == 0U) return BUDDY_HEAP_INTERNAL;
  unsigned char *eheap = reinterpret_cast<unsigned char *>(area) + static_cast<size_t>(units) * Buddy::unit;
  unsigned char *meta = eheap + esize;
  if (esize != 0U) {
    h->ffh.mh = reinterpret_cast<uintptr_t>(eheap);
    h->ffh.hs = esize;
    if (ffit_init(&h->ffh) != FFIT_HEAP_OK) return BUDDY_HEAP_INTERNAL;
    mm::mark_emergency(&h->ffh);
  } else {
    memset(static_cast<void *>(&h->ffh), 0, sizeof h->ffh);
  }
  Control *c = Buddy::init(reinterpret_cast<void *>(area), units, meta);
  c->owner = h;
  h->eh = esize != 0U ? reinterpret_cast<uintptr_t>(eheap) : 0U;
  h->esize = static_cast<uint32_t>(esize);
  h->ah = Buddy::heads(c);
  h->sh = reinterpret_cast<uint8_t *>(Buddy::heads(c) + c->max_order + 1U);
  h->msize = units * Buddy::unit;
  h->asize = static_cast<uint32_t>((c->max_order + 1U) * sizeof(uint32_t));
  h->ssize = bitmap_bytes(units);
  h->AMAX = static_cast<uint8_t>(c->max_order + 3U);
  omniheap::observe::enter(h, ops, c);
  return BUDDY_HEAP_OK;
}

OMNIHEAP_EXPORT void *buddy_get_block(buddy_heap_t *h, size_t sz) {
  Control *c = control_of(h);
  if (c == nullptr) return nullptr;
  void *p;
  {
    mm::Lock lock(c->locked != 0U);
    const mm::Watch<Traits> watch(OMNIHEAP_FAMILY_BUDDY, h, c);
    p = Buddy::alloc(c, sz);
    // With an emergency heap, that heap answers for a call the main heap
    // cannot serve: one failed allocation per call that gets no memory.
    if (p == nullptr && h->e != 0U && sz != 0U) {
      --c->failures;
    } else {
      watch.allocated(p, sz);
    }
  }
  if (p == nullptr && h->e != 0U && sz != 0U) p = ffit_get_block(&h->ffh, sz);
  return p;
}

OMNIHEAP_EXPORT int buddy_free_block(buddy_heap_t *h, void *ptr) {
  Control *c = control_of(h);
  if (c == nullptr) return BUDDY_HEAP_INTERNAL;
  if (ptr == nullptr) return BUDDY_HEAP_NOTFOUND;
  if (in_emergency(h, ptr)) return ffit_free_block(&h->ffh, ptr);
  Buddy::Result r;
  {
    mm::Lock lock(c->locked != 0U);
    const mm::Watch<Traits> watch(OMNIHEAP_FAMILY_BUDDY, h, c);
    r = Buddy::free(c, ptr);
    watch.freed(ptr, r == Buddy::Result::ok);
  }
  if (OMNIHEAP_UNLIKELY(r != Buddy::Result::ok)) report(h, ptr, r, "buddy_free_block");
  return code_of(r);
}

OMNIHEAP_EXPORT void *buddy_extend_block(buddy_heap_t *h, void *ptr, size_t sz, int *rc) {
  int dummy;
  if (rc == nullptr) rc = &dummy;
  *rc = BUDDY_HEAP_OK;
  if (ptr == nullptr) return buddy_get_block(h, sz);
  if (sz == 0U) {
    *rc = buddy_free_block(h, ptr);
    return nullptr;
  }
  Control *c = control_of(h);
  if (c == nullptr) {
    *rc = BUDDY_HEAP_INTERNAL;
    return nullptr;
  }
  size_t old = 0;
  if (in_emergency(h, ptr)) {
    // In the emergency heap (in place or moved there), else a buddy block.
    void *p = mm::ffit_extend(&h->ffh, ptr, sz, rc, true);
    if (p != nullptr || *rc != FFIT_HEAP_OK) return p;
    old = mm::usable(&h->ffh, ptr);
    void *n;
    {
      mm::Lock lock(c->locked != 0U);
      const mm::Watch<Traits> watch(OMNIHEAP_FAMILY_BUDDY, h, c);
      n = Buddy::alloc(c, sz);
      watch.allocated(n, sz);
    }
    if (n == nullptr) return nullptr;
    memcpy(n, ptr, old < sz ? old : sz);
    *rc = ffit_free_block(&h->ffh, ptr);
    return n;
  }
  Buddy::Result r;
  void *result = nullptr;
  bool moved = false;
  {
    mm::Lock lock(c->locked != 0U);
    const mm::Watch<Traits> watch(OMNIHEAP_FAMILY_BUDDY, h, c);
    unsigned o;
    uint32_t u;
    r = Buddy::locate(c, ptr, o, u);
    if (r == Buddy::Result::ok) {
      const unsigned n = Buddy::order_for(sz);
      old = (static_cast<size_t>(1) << o) * Buddy::unit;
      if (n < Buddy::max_orders && Buddy::resize_in_place(c, o, u, n)) {
        watch.reallocated(ptr, ptr, sz, old);
        return ptr;
      }
      // A move inside the main heap: one realloc, under the lock.
      result = Buddy::alloc(c, sz);
      if (result != nullptr) {
        memcpy(result, ptr, old < sz ? old : sz);
        r = Buddy::free(c, ptr);
        moved = r == Buddy::Result::ok;
        if (moved) watch.reallocated(result, ptr, sz, old);
      } else if (h->e != 0U) {
        --c->failures; // the emergency heap answers for the call (below)
      } else {
        watch.allocated(nullptr, sz);
      }
    }
  }
  if (r != Buddy::Result::ok) {
    report(h, ptr, r, "buddy_extend_block");
    *rc = code_of(r);
    return nullptr;
  }
  if (moved) return result;
  // To the emergency heap: its allocation and the main heap's free are
  // reported by their own calls.
  if (h->e != 0U) result = ffit_get_block(&h->ffh, sz);
  if (result == nullptr) return nullptr;
  memcpy(result, ptr, old < sz ? old : sz);
  *rc = buddy_free_block(h, ptr);
  return result;
}

OMNIHEAP_EXPORT void buddy_get_stats(buddy_heap_t *h, uint32_t *mem, uint32_t *usd, uint32_t *fre) {
  Control *c = control_of(h);
  uint32_t m = 0, u = 0;
  if (c != nullptr) {
    mm::Lock lock(c->locked != 0U);
    m = c->units * Buddy::unit;
    u = c->used_units * Buddy::unit;
  }
  if (mem != nullptr) *mem = m;
  if (usd != nullptr) *usd = u;
  if (fre != nullptr) *fre = m - u;
}

OMNIHEAP_EXPORT int buddy_set_locked(buddy_heap_t *h, int locked) {
  Control *c = control_of(h);
  if (c == nullptr) return BUDDY_HEAP_INTERNAL;
  {
    omniheap::CriticalSection cs;
    c->locked = locked != 0 ? 1U : 0U;
  }
  if (h->e != 0U) ffit_set_locked(&h->ffh, locked);
  return BUDDY_HEAP_OK;
}

OMNIHEAP_EXPORT void buddy_print_heap(buddy_heap_t *h) {
  Control *c = control_of(h);
  omniheap::Text<120> line;
  if (c == nullptr) {
    line.put("buddy: not initialised");
    line.emit(omniheap_port_write);
    return;
  }
  {
    mm::Lock lock(c->locked != 0U);
    line.put("buddy: ").decimal(h->msize).put(" bytes in ").decimal(Buddy::trees(c)).put(" trees, ");
    line.put("\x1b[31m").decimal(static_cast<uint64_t>(c->used_units) * Buddy::unit).put(" used\x1b[0m in ");
    line.decimal(c->live_blocks).put(" blocks, \x1b[32m");
    line.decimal(static_cast<uint64_t>(c->units - c->used_units) * Buddy::unit).put(" free\x1b[0m");
    line.emit(omniheap_port_write);
    for (unsigned o = 0; o < Buddy::max_orders; ++o) {
      if (o > c->max_order || Buddy::heads(c)[o] == 0U) continue;
      unsigned n = 0;
      Buddy::walk(c, [&](void *, size_t bytes, bool used) {
        if (!used && bytes == (static_cast<size_t>(1) << o) * Buddy::unit) ++n;
        return true;
      });
      line.put("  free blocks of ").decimal((static_cast<uint64_t>(1) << o) * Buddy::unit).put(" bytes: ").decimal(n);
      line.emit(omniheap_port_write);
    }
  }
  if (h->e != 0U) ffit_print_heap(&h->ffh);
}
