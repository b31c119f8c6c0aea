// Contiki-NG MEMB ("lib/memb.h") on the FixedPool engine.
#include "lib/memb.h"

#include <string.h>

#include "../common/compiler.hpp"
#include "../common/critical.hpp"
#include "../engine/pool.hpp"
#include "../observe/registry.hpp"
#include "omniheap_port.h"

namespace {

struct MembFields {
  static unsigned char *base(memb &m) noexcept { return static_cast<unsigned char *>(m.mem); }
  static size_t block_size(const memb &m) noexcept { return m.size; }
  static size_t count(const memb &m) noexcept { return m.num; }
  static bool *used(memb &m) noexcept { return m.used; }
  static uint16_t &free_head(memb &m) noexcept { return m.free_head; }
  static uint16_t &fresh(memb &m) noexcept { return m.fresh; }
  static uint16_t &in_use(memb &m) noexcept { return m.in_use; }
  static uint16_t &peak(memb &m) noexcept { return m.peak; }
  static uint32_t &allocations(memb &m) noexcept { return m.allocations; }
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
  out->capacity = size * m.num;
  out->in_use = size * m.in_use;
  out->peak = size * m.peak;
  out->free_bytes = size * Pool::free_blocks(m);
  out->largest_free = Pool::free_blocks(m) != 0U ? size : 0U;
  out->block_size = size;
  out->live_blocks = m.in_use;
  out->allocations = m.allocations;
  out->frees = static_cast<uint32_t>(m.allocations - m.in_use);
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
  memb &m = pool_of(object);
  m.peak = m.in_use;
}

const char *name(const void *object) noexcept { return pool_of(object).name; }

constexpr omniheap::observe::HeapOps ops = {OMNIHEAP_FAMILY_MEMB, stats, validate, walk,
                                            reset_peak, name};

OMNIHEAP_COLD void fault(memb *m, void *ptr, omniheap_fault_kind_t kind, const char *function) {
  omniheap::observe::fault({kind, OMNIHEAP_FAMILY_MEMB, m, ptr, function, OMNIHEAP_FAULT_RETURN});
}

} // namespace

OMNIHEAP_EXPORT void memb_init(struct memb *m) {
  {
    Guard guard;
    Pool::reset(*m);
    memset(m->mem, 0, static_cast<size_t>(m->size) * m->num);
  }
  omniheap::observe::enter(m, ops);
}

OMNIHEAP_EXPORT void *memb_alloc(struct memb *m) {
  Pool::Allocation a;
  {
    Guard guard;
    a = Pool::allocate(*m);
  }
  if (OMNIHEAP_UNLIKELY(a.repaired)) {
    fault(m, a.block, OMNIHEAP_FAULT_CORRUPT_METADATA, "memb_alloc");
  }
  return a.block;
}

OMNIHEAP_EXPORT int memb_free(struct memb *m, void *ptr) {
  Pool::Release r;
  {
    Guard guard;
    r = Pool::release(*m, ptr);
  }
  if (OMNIHEAP_LIKELY(r == Pool::Release::ok)) return 0;
  switch (r) {
  case Pool::Release::foreign: fault(m, ptr, OMNIHEAP_FAULT_FOREIGN_POINTER, "memb_free"); break;
  case Pool::Release::interior: fault(m, ptr, OMNIHEAP_FAULT_INTERIOR_POINTER, "memb_free"); break;
  case Pool::Release::double_free: fault(m, ptr, OMNIHEAP_FAULT_DOUBLE_FREE, "memb_free"); break;
  case Pool::Release::null_pointer:
  case Pool::Release::ok: break;
  }
  return -1;
}

OMNIHEAP_EXPORT int memb_inmemb(struct memb *m, void *ptr) { return Pool::contains(*m, ptr) ? 1 : 0; }

OMNIHEAP_EXPORT size_t memb_numfree(struct memb *m) {
  Guard guard;
  return Pool::free_blocks(*m);
}
