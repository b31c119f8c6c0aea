// Schoofs' ffit (<ffit.h>) on the FirstFit engine. The heap's state lives
// in the region (the engine's Control block at its start); the descriptor
// only names the region. Every heap joins the registry under its
// descriptor; bad pointers are reported to the fault handler (default:
// return, the family has return codes) and answered with 4 or -1.
#include <ffit.h>

#include <string.h>

#include "../common/compiler.hpp"
#include "../common/critical.hpp"
#include "../common/text.hpp"
#include "../engine/first_fit.hpp"
#include "../observe/registry.hpp"
#include "memman.hpp"
#include "omniheap_port.h"

namespace {

using omniheap::engine::FirstFit;
using Control = FirstFit::Control;
namespace mm = omniheap::bind::memman;

// The Control block of an initialised heap, or nullptr.
Control *control_of(const ffit_heap_t *h) noexcept {
  if (h == nullptr || h->mh == 0U) return nullptr;
  Control *c = reinterpret_cast<Control *>((h->mh + 7U) & ~uintptr_t(7U));
  return c->magic == FirstFit::magic_value ? c : nullptr;
}

int code_of(FirstFit::Result r) noexcept {
  return r == FirstFit::Result::ok ? FFIT_HEAP_OK : r == FirstFit::Result::corrupt ? FFIT_HEAP_INTERNAL : FFIT_HEAP_NOTFOUND;
}

omniheap_fault_kind_t kind_of(FirstFit::Result r) noexcept {
  switch (r) {
  case FirstFit::Result::corrupt: return OMNIHEAP_FAULT_CORRUPT_METADATA;
  case FirstFit::Result::interior: return OMNIHEAP_FAULT_INTERIOR_POINTER;
  case FirstFit::Result::double_free: return OMNIHEAP_FAULT_DOUBLE_FREE;
  case FirstFit::Result::ok:
  case FirstFit::Result::foreign: break;
  }
  return OMNIHEAP_FAULT_FOREIGN_POINTER;
}

OMNIHEAP_COLD void report(const ffit_heap_t *h, const void *p, FirstFit::Result r, const char *function) {
  if (p == nullptr) return; // NULL is an ordinary answer (4), not misuse
  mm::report(OMNIHEAP_FAMILY_FFIT, h, p, kind_of(r), function);
}

// ---- registry -------------------------------------------------------------------------------
struct Traits {
  using Descriptor = ffit_heap_t;
  using Control = FirstFit::Control;
  static Control *control(const ffit_heap_t *h) noexcept { return control_of(h); }
  static void fill(Control *c, omniheap_stats_t *out) noexcept {
    out->capacity = FirstFit::capacity(c);
    out->in_use = c->used_bytes;
    out->peak = c->peak_bytes;
    out->free_bytes = FirstFit::free_bytes(c);
    out->largest_free = FirstFit::largest_free(c);
    out->block_size = 0;
    out->live_blocks = c->live_blocks;
    out->allocations = c->allocations;
    out->frees = c->frees;
    out->failed_allocations = c->failures;
  }
  static bool valid(Control *c) noexcept { return FirstFit::valid(c); }
  template <class Fn> static bool walk(Control *c, Fn &&fn) noexcept { return FirstFit::walk(c, fn); }
  static void reset_peak(Control *c) noexcept { c->peak_bytes = c->used_bytes; }
};
using Registry = mm::RegistryOps<Traits>;

const char *name_of(const void *object) noexcept {
  Control *c = control_of(static_cast<const ffit_heap_t *>(object));
  return c != nullptr && c->pad == 1U ? "ebuddy" : nullptr;
}

constexpr omniheap::observe::HeapOps ops = {OMNIHEAP_FAMILY_FFIT, Registry::stats,      Registry::validate,
                                            Registry::walk,       Registry::reset_peak, name_of,
                                            Registry::alive};

} // namespace

namespace omniheap::bind::memman {
// For buddy.cpp: the emergency heap is an ffit heap named "ebuddy".
void mark_emergency(ffit_heap_t *h) noexcept {
  Control *c = control_of(h);
  if (c != nullptr) c->pad = 1U;
}
size_t usable(ffit_heap_t *h, const void *p) noexcept {
  Control *c = control_of(h);
  if (c == nullptr) return 0;
  Lock lock(c->locked != 0U);
  uint32_t b;
  return FirstFit::check(c, p, b) == FirstFit::Result::ok ? FirstFit::usable(c, b) : 0U;
}
} // namespace omniheap::bind::memman

OMNIHEAP_EXPORT int ffit_init(ffit_heap_t *h) {
  if (h == nullptr || h->mh == 0U) return FFIT_HEAP_INTERNAL;
  Control *c = FirstFit::init(reinterpret_cast<void *>(h->mh), h->hs);
  if (c == nullptr) return FFIT_HEAP_INTERNAL;
  c->owner = h;
  const uint32_t skew = static_cast<uint32_t>(reinterpret_cast<uintptr_t>(c) - h->mh);
  h->first = skew + c->first;
  h->last = skew + c->end;
  omniheap::observe::enter(h, ops, c);
  return FFIT_HEAP_OK;
}

OMNIHEAP_EXPORT void *ffit_get_block(ffit_heap_t *h, size_t sz) {
  Control *c = control_of(h);
  if (c == nullptr) return nullptr;
  mm::Lock lock(c->locked != 0U);
  const mm::Watch<Traits> watch(OMNIHEAP_FAMILY_FFIT, h, c);
  void *p = FirstFit::alloc(c, sz);
  watch.allocated(p, sz);
  return p;
}

OMNIHEAP_EXPORT int ffit_free_block(ffit_heap_t *h, void *ptr) {
  Control *c = control_of(h);
  if (c == nullptr) return FFIT_HEAP_INTERNAL;
  FirstFit::Result r;
  {
    mm::Lock lock(c->locked != 0U);
    const mm::Watch<Traits> watch(OMNIHEAP_FAMILY_FFIT, h, c);
    r = FirstFit::free(c, ptr);
    watch.freed(ptr, r == FirstFit::Result::ok);
  }
  if (OMNIHEAP_UNLIKELY(r != FirstFit::Result::ok)) report(h, ptr, r, "ffit_free_block");
  return code_of(r);
}

namespace omniheap::bind::memman {
void *ffit_extend(ffit_heap_t *h, void *ptr, size_t sz, int *rc, bool quiet) noexcept {
  int dummy;
  if (rc == nullptr) rc = &dummy;
  *rc = FFIT_HEAP_OK;
  if (ptr == nullptr) return ffit_get_block(h, sz);
  if (sz == 0U) {
    *rc = ffit_free_block(h, ptr);
    return nullptr;
  }
  Control *c = control_of(h);
  if (c == nullptr) {
    *rc = FFIT_HEAP_INTERNAL;
    return nullptr;
  }
  FirstFit::Result r;
  void *result = nullptr;
  {
    mm::Lock lock(c->locked != 0U);
    const mm::Watch<Traits> watch(OMNIHEAP_FAMILY_FFIT, h, c);
    uint32_t b;
    r = FirstFit::check(c, ptr, b);
    if (r == FirstFit::Result::ok) {
      const uint32_t accounted = FirstFit::size_of(c, b);
      if (FirstFit::resize_in_place(c, b, sz)) {
        result = ptr;
      } else {
        const uint32_t old = FirstFit::usable(c, b);
        result = FirstFit::alloc(c, sz);
        if (result != nullptr) {
          memcpy(result, ptr, old < sz ? old : sz);
          r = FirstFit::free(c, ptr);
        }
      }
      if (r == FirstFit::Result::ok && result != nullptr) {
        watch.reallocated(result, ptr, sz, accounted);
      } else if (r == FirstFit::Result::ok && quiet) {
        --c->failures; // the caller tries elsewhere and answers for the call
      } else if (r == FirstFit::Result::ok) {
        watch.allocated(nullptr, sz);
      }
    }
  }
  if (OMNIHEAP_UNLIKELY(r != FirstFit::Result::ok)) ::report(h, ptr, r, "ffit_extend_block");
  *rc = code_of(r);
  return r == FirstFit::Result::ok ? result : nullptr;
}
} // namespace omniheap::bind::memman

OMNIHEAP_EXPORT void *ffit_extend_block(ffit_heap_t *h, void *ptr, size_t sz, int *rc) {
  return mm::ffit_extend(h, ptr, sz, rc, false);
}

OMNIHEAP_EXPORT void ffit_get_stats(ffit_heap_t *h, uint32_t *mem, uint32_t *usd, uint32_t *fre) {
  Control *c = control_of(h);
  uint32_t m = h != nullptr ? static_cast<uint32_t>(h->hs) : 0U, u = 0, f = 0;
  if (c != nullptr) {
    mm::Lock lock(c->locked != 0U);
    u = c->used_bytes;
    f = FirstFit::free_bytes(c);
  }
  if (mem != nullptr) *mem = m;
  if (usd != nullptr) *usd = u;
  if (fre != nullptr) *fre = f;
}

OMNIHEAP_EXPORT int ffit_set_locked(ffit_heap_t *h, int locked) {
  Control *c = control_of(h);
  if (c == nullptr) return FFIT_HEAP_INTERNAL;
  omniheap::CriticalSection cs;
  c->locked = locked != 0 ? 1U : 0U;
  return FFIT_HEAP_OK;
}

OMNIHEAP_EXPORT int ffit_set_next_fit(ffit_heap_t *h, int on) {
  Control *c = control_of(h);
  if (c == nullptr) return FFIT_HEAP_INTERNAL;
  mm::Lock lock(c->locked != 0U);
  FirstFit::set_next_fit(c, on != 0);
  return FFIT_HEAP_OK;
}

OMNIHEAP_EXPORT void ffit_print_heap(ffit_heap_t *h) {
  Control *c = control_of(h);
  omniheap::Text<120> line;
  if (c == nullptr) {
    line.put("ffit: not initialised");
    line.emit(omniheap_port_write);
    return;
  }
  mm::Lock lock(c->locked != 0U);
  unsigned n = 0;
  FirstFit::walk(c, [&](void *, uint32_t bytes, bool used) {
    line.put(used ? "\x1b[31m" : "\x1b[32m").decimal(bytes + FirstFit::header).put("\x1b[0m ");
    if (++n % 12U == 0U) line.emit(omniheap_port_write);
    return true;
  });
  if (n % 12U != 0U) line.emit(omniheap_port_write);
  line.put("ffit: ").decimal(h->hs).put(" bytes, ").decimal(c->used_bytes).put(" used in ");
  line.decimal(c->live_blocks).put(" blocks, ").decimal(FirstFit::free_bytes(c)).put(" free, largest free block ");
  line.decimal(FirstFit::largest_free(c));
  line.emit(omniheap_port_write);
}
