// Contiki-NG MEMB ("lib/memb.h") on the FixedPool engine.
#include "lib/memb.h"

#include <string.h>

#include "../common/compiler.hpp"
#include "../common/critical.hpp"
#include "../engine/pool.hpp"
#include "../observe/events.hpp"
#include "../observe/registry.hpp"
#include "omniheap_port.h"

namespace {

struct MembFields {
  static unsigned char *base(memb &m) noexcept { return static_cast<unsigned char *>(m.mem); }
  static size_t block_size(const memb &m) noexcept { return m.size; }
  static size_t count(const memb &m) noexcept { return m.num; }
  static bool *used(memb &m) noexcept { return m.used; }
  static uint32_t &span(memb &m) noexcept { return m.span; }
  static uint16_t &hot(memb &m) noexcept { return m.hot; }
  static uint16_t &cold(memb &m) noexcept { return m.cold; }
  static uint16_t &fresh(memb &m) noexcept { return m.fresh; }
  static uint16_t &peak(memb &m) noexcept { return m.peak; }
  static uint32_t &allocations(memb &m) noexcept { return m.allocations; }
  static uint32_t &frees(memb &m) noexcept { return m.frees; }
  static uint32_t &failures(memb &m) noexcept { return m.failures; }
};

static_assert(sizeof(unsigned short) == sizeof(uint16_t), "struct memb uses 16-bit counters");

using Pool = omniheap::engine::FixedPool<memb, MembFields>;
using Guard = omniheap::OptionalCriticalSection<OMNIHEAP_CONF_MEMB_LOCKED != 0>;

memb &pool_of(const void *object) noexcept {
  return *static_cast<memb *>(const_cast<void *>(object));
}

void stats(const void *object, omniheap_stats_t *out) noexcept {
  Guard guard;
  memb &m = pool_of(object);
  const size_t size = m.size;
  const size_t live = Pool::in_use(m);
  const size_t free_blocks = m.num - live;
  out->capacity = size * m.num;
  out->in_use = size * live;
  out->peak = size * Pool::peak(m);
  out->free_bytes = size * free_blocks;
  out->largest_free = free_blocks != 0U ? size : 0U;
  out->block_size = size;
  out->live_blocks = live;
  out->allocations = m.allocations;
  out->frees = m.frees;
  out->failed_allocations = m.failures;
}

int validate(const void *object) noexcept {
  Guard guard;
  return Pool::valid(pool_of(object)) ? OMNIHEAP_OK : OMNIHEAP_ERR_CORRUPT;
}

int walk(const void *object, omniheap_walk_fn fn, void *context) noexcept {
  Guard guard;
  Pool::walk(pool_of(object), [&](unsigned char *block, size_t size, bool used) {
    const omniheap_block_t b{block, size, used ? 1 : 0};
    return fn(&b, context);
  });
  return OMNIHEAP_OK;
}

void reset_peak(void *object) noexcept {
  Guard guard;
  Pool::reset_peak(pool_of(object));
}

const char *name(const void *object) noexcept { return pool_of(object).name; }

constexpr omniheap::observe::HeapOps ops = {OMNIHEAP_FAMILY_MEMB, stats, validate, walk,
                                            reset_peak, name, nullptr};

OMNIHEAP_COLD void fault(memb *m, void *ptr, omniheap_fault_kind_t kind, const char *function) {
  omniheap::observe::fault({kind, OMNIHEAP_FAMILY_MEMB, m, ptr, function, OMNIHEAP_FAULT_RETURN});
}

} // namespace

OMNIHEAP_EXPORT void memb_init(struct memb *m) {
  {
    Guard guard;
    Pool::reset(*m);
  }
  // Outside the critical section: zeroing a large pool must not hold off
  // interrupts; the pool is empty, so nobody owns a block being zeroed.
  memset(m->mem, 0, static_cast<size_t>(m->size) * m->num);
  omniheap::observe::enter(m, ops);
}

namespace {

// Everything but the hot path of memb_alloc(): out of line, so that
// memb_alloc() itself needs no stack frame.
OMNIHEAP_COLD void *alloc_slow(memb *m) {
  Pool::Allocation a;
  {
    Guard guard;
    a = Pool::allocate_slow(*m);
  }
  if (a.repaired) fault(m, a.block, OMNIHEAP_FAULT_CORRUPT_METADATA, "memb_alloc");
  return a.block;
}

// Listener events: the pool's usage in bytes of whole blocks.
omniheap::observe::Usage usage(memb &m) noexcept {
  return {Pool::in_use(m) * m.size, Pool::peak(m) * m.size, m.failures};
}
omniheap::observe::Call call(memb *m) noexcept { return {OMNIHEAP_FAMILY_MEMB, m, usage(*m)}; }

// memb_alloc() while listeners watch: the same allocation, reported.
OMNIHEAP_COLD void *alloc_observed(memb *m) {
  Pool::Allocation a{nullptr, false};
  {
    Guard guard;
    const omniheap::observe::Call c = call(m);
    a.block = Pool::allocate_fast(*m);
    if (a.block == nullptr) a = Pool::allocate_slow(*m);
    c.allocated(a.block, m->size, m->size, usage(*m));
  }
  if (a.repaired) fault(m, a.block, OMNIHEAP_FAULT_CORRUPT_METADATA, "memb_alloc");
  return a.block;
}

} // namespace

OMNIHEAP_EXPORT void *memb_alloc(struct memb *m) {
  if (OMNIHEAP_UNLIKELY(omniheap::observe::watching())) return alloc_observed(m);
  {
    Guard guard;
    if (void *block = Pool::allocate_fast(*m)) return block;
  }
  return alloc_slow(m);
}

namespace {

// The error path of memb_free(): reports the fault (NULL is not one) and
// returns -1. Out of line, so that memb_free() itself needs no stack frame.
OMNIHEAP_COLD int free_failed(memb *m, void *ptr, Pool::Release r) {
  switch (r) {
  case Pool::Release::foreign: fault(m, ptr, OMNIHEAP_FAULT_FOREIGN_POINTER, "memb_free"); break;
  case Pool::Release::interior: fault(m, ptr, OMNIHEAP_FAULT_INTERIOR_POINTER, "memb_free"); break;
  case Pool::Release::double_free: fault(m, ptr, OMNIHEAP_FAULT_DOUBLE_FREE, "memb_free"); break;
  case Pool::Release::null_pointer:
  case Pool::Release::ok: break;
  }
  return -1;
}

// memb_free() while listeners watch (reported once the block is free).
OMNIHEAP_COLD Pool::Release release_observed(memb *m, void *ptr) {
  Guard guard;
  const omniheap::observe::Call c = call(m);
  const Pool::Release r = Pool::release(*m, ptr);
  if (r == Pool::Release::ok) c.freed(ptr, m->size);
  return r;
}

} // namespace

OMNIHEAP_EXPORT int memb_free(struct memb *m, void *ptr) {
  Pool::Release r;
  if (OMNIHEAP_UNLIKELY(omniheap::observe::watching())) {
    r = release_observed(m, ptr);
  } else {
    Guard guard;
    r = Pool::release(*m, ptr);
  }
  if (OMNIHEAP_LIKELY(r == Pool::Release::ok)) return 0;
  return free_failed(m, ptr, r);
}

OMNIHEAP_EXPORT int memb_inmemb(struct memb *m, void *ptr) { return Pool::contains(*m, ptr) ? 1 : 0; }

OMNIHEAP_EXPORT size_t memb_numfree(struct memb *m) {
  Guard guard;
  return Pool::free_blocks(*m);
}
