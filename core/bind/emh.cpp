// emh_malloc ("emh_malloc.h"): isolated heaps on the sys_heap operations
// (sys_heap_core.hpp), one port lock per heap.
//
// Every block carries a tag word just below it: the heap id and 24 check
// bits derived from the block's address, so emh_free() and emh_realloc()
// find the heap in O(1) and reject most foreign pointers before touching
// any heap. The tag area is `prefix` bytes (4 where the chunk header is 4
// bytes, else 8), chosen so that blocks stay 8-aligned: the same 8 / 16
// bytes of overhead per block as upstream's header on 32 / 64-bit targets.
#include "emh_malloc.h"

#include <string.h>

#include "../common/compiler.hpp"
#include "../common/critical.hpp"
#include "engine_heap.hpp"
#include "omniheap_port.h"
#include "sys_heap_core.hpp"

namespace {

namespace zheap = omniheap::bind::zheap;
using omniheap::engine::Fault;

constexpr int heap_count = OMNIHEAP_CONF_EMH_N_HEAPS;
static_assert(heap_count >= 1 && heap_count <= EMH_MALLOC_MAX_HEAPS, "OMNIHEAP_CONF_EMH_N_HEAPS must be 1 ... 127");
constexpr size_t requested_alignment = OMNIHEAP_CONF_EMH_ALIGNMENT;
static_assert(requested_alignment >= 1 && requested_alignment <= 32 &&
                  (requested_alignment & (requested_alignment - 1U)) == 0U,
              "OMNIHEAP_CONF_EMH_ALIGNMENT must be 1, 2, 4, 8, 16 or 32");
// Blocks are at least 8-aligned: the engine's 8-byte grid.
constexpr size_t alignment = requested_alignment > 8U ? requested_alignment : 8U;

struct Heap {
  struct sys_heap heap;       // the engine heap (zero until created)
  omniheap_port_lock_t lock;  // serialises this heap only
  uintptr_t begin, end;       // the region given to emh_create()
  size_t prefix;              // tag area below each block: 4 or 8 bytes
  uint8_t created;            // 1 once usable (read with acquire)
  char name[8];               // "emh<id>"
};

// Listener events name the heap by &heap->heap (sys_heap_core.hpp): the
// same address as the registered Heap.
static_assert(offsetof(Heap, heap) == 0, "the engine heap comes first");

// Zero-initialised (.bss): no constructor runs.
Heap g_heaps[heap_count];

bool created(const Heap &h) noexcept { return __atomic_load_n(&h.created, __ATOMIC_ACQUIRE) != 0U; }

// p lies in the region given to emh_create() for h (exactly: not the engine's
// rounded view of it).
bool in_region(const Heap &h, const void *p) noexcept {
  const uintptr_t a = reinterpret_cast<uintptr_t>(p);
  return a >= h.begin && a < h.end;
}

// ---- tags -----------------------------------------------------------------------------------
uint32_t check_bits(const void *block) noexcept {
  const uint32_t a = static_cast<uint32_t>(reinterpret_cast<uintptr_t>(block) >> 3);
  return (a * 2654435761U) >> 8; // 24 bits
}
void write_tag(void *block, int id) noexcept {
  const uint32_t tag = check_bits(block) << 8 | static_cast<uint32_t>(id);
  memcpy(static_cast<unsigned char *>(block) - sizeof tag, &tag, sizeof tag);
}
// The heap whose tag the block carries, or nullptr (no valid tag).
Heap *tagged_heap(const void *block) noexcept {
  uint32_t tag;
  memcpy(&tag, static_cast<const unsigned char *>(block) - sizeof tag, sizeof tag);
  const uint32_t id = tag & 0xFFU;
  if (id >= static_cast<uint32_t>(heap_count) || (tag >> 8) != check_bits(block)) return nullptr;
  Heap &h = g_heaps[id];
  if (!created(h) || !in_region(h, block)) return nullptr;
  return &h;
}

unsigned char *base_of(const Heap &h, void *block) noexcept { return static_cast<unsigned char *>(block) - h.prefix; }

zheap::Alignment alignment_of(const Heap &h) noexcept {
  // 8: the plain layout already puts base + prefix on the grid.
  return alignment > 8U ? zheap::Alignment{alignment, h.prefix} : zheap::Alignment{0, 0};
}

int id_of(const Heap &h) noexcept { return static_cast<int>(&h - g_heaps); }

// ---- faults ---------------------------------------------------------------------------------
OMNIHEAP_COLD void report(const void *object, const void *p, omniheap_fault_kind_t kind, const char *function) {
  omniheap::observe::fault({kind, OMNIHEAP_FAMILY_EMH, object, p, function, OMNIHEAP_FAULT_RETURN});
}

// Names what is wrong with a block whose tag is not valid: the heap whose
// region holds it says whether it is a double free, an interior pointer or
// a block in use whose tag was overwritten; no heap: foreign.
OMNIHEAP_COLD void diagnose(void *block, const char *function) noexcept {
  for (Heap &h : g_heaps) {
    if (!created(h) || !in_region(h, block)) continue;
    Fault f;
    {
      omniheap::LockGuard lock(h.lock);
      f = zheap::check(&h.heap, base_of(h, block));
    }
    const omniheap_fault_kind_t kind =
        f == Fault::none ? OMNIHEAP_FAULT_CORRUPT_METADATA : omniheap::bind::fault_kind(f);
    report(&h, block, kind, function);
    return;
  }
  report(nullptr, block, OMNIHEAP_FAULT_FOREIGN_POINTER, function);
}

// ---- registry -----------------------------------------------------------------------------------
Heap &heap_of(const void *object) noexcept { return *const_cast<Heap *>(static_cast<const Heap *>(object)); }
// The engine's view, but `largest_free` is an emh request (the tag area is
// not the caller's): whole chunks, prefixes included, elsewhere.
void stats(const void *object, omniheap_stats_t *out) noexcept {
  Heap &h = heap_of(object);
  omniheap::LockGuard lock(h.lock);
  zheap::stats(&h.heap, out);
  out->largest_free = out->largest_free > h.prefix ? out->largest_free - h.prefix : 0U;
}
int validate(const void *object) noexcept {
  omniheap::LockGuard lock(heap_of(object).lock);
  return zheap::validate(&heap_of(object).heap);
}
// The walk shows blocks in use as the caller sees them (after the tag area).
struct WalkContext {
  omniheap_walk_fn fn;
  void *context;
  size_t prefix;
};
int walk_block(const omniheap_block_t *b, void *context) noexcept {
  const WalkContext &w = *static_cast<const WalkContext *>(context);
  if (b->used == 0 || b->size < w.prefix) return w.fn(b, w.context);
  const omniheap_block_t user{static_cast<unsigned char *>(b->address) + w.prefix, b->size - w.prefix, b->used};
  return w.fn(&user, w.context);
}
int walk(const void *object, omniheap_walk_fn fn, void *context) noexcept {
  Heap &h = heap_of(object);
  WalkContext w{fn, context, h.prefix};
  omniheap::LockGuard lock(h.lock);
  return zheap::walk(&h.heap, walk_block, &w);
}
void reset_peak(void *object) noexcept {
  omniheap::LockGuard lock(heap_of(object).lock);
  zheap::reset_peak(&heap_of(object).heap);
}
const char *name_of(const void *object) noexcept { return heap_of(object).name; }

constexpr omniheap::observe::HeapOps ops = {OMNIHEAP_FAMILY_EMH, stats, validate, walk, reset_peak, name_of, nullptr};

void set_name(Heap &h, int id) noexcept {
  char *n = h.name;
  memcpy(n, "emh", 3);
  n += 3;
  if (id >= 100) *n++ = static_cast<char>('0' + id / 100);
  if (id >= 10) *n++ = static_cast<char>('0' + id / 10 % 10);
  *n++ = static_cast<char>('0' + id % 10);
  *n = '\0';
}

} // namespace

OMNIHEAP_EXPORT emh_heapId_t emh_create(void *heapAddr, size_t heapSize) {
  if (heapAddr == nullptr) return -1;
  Heap *slot = nullptr;
  {
    omniheap::CriticalSection cs;
    for (Heap &h : g_heaps) {
      if (!created(h) && h.heap.heap == nullptr) {
        slot = &h;
        break;
      }
    }
    if (slot == nullptr) return -1;
    // Claimed inside the critical section; usable once `created` is set.
    if (!zheap::init(&slot->heap, heapAddr, heapSize)) {
      slot->heap.heap = nullptr;
      return -1;
    }
  }
  Heap &h = *slot;
  const int id = id_of(h);
  h.prefix = zheap::header_bytes(&h.heap) % 8U == 4U ? 4U : 8U;
  // The region must hold one smallest block (1 byte after the tag area).
  omniheap_stats_t st;
  zheap::stats(&h.heap, &st);
  if (st.largest_free < h.prefix + 1U + (alignment > 8U ? alignment : 0U)) {
    omniheap::CriticalSection cs;
    h.heap.heap = nullptr;
    return -1;
  }
  h.begin = reinterpret_cast<uintptr_t>(heapAddr);
  h.end = h.begin + heapSize;
  set_name(h, id);
  omniheap::observe::enter(&h, ops, nullptr);
  __atomic_store_n(&h.created, static_cast<uint8_t>(1), __ATOMIC_RELEASE);
  return static_cast<emh_heapId_t>(id);
}

OMNIHEAP_EXPORT void *emh_malloc(emh_heapId_t heapId, size_t size) {
  if (heapId < 0 || heapId >= heap_count) return nullptr;
  Heap &h = g_heaps[heapId];
  if (OMNIHEAP_UNLIKELY(!created(h)) || size == 0U) return nullptr;
  const size_t bytes = size + h.prefix;
  if (OMNIHEAP_UNLIKELY(bytes < size)) return nullptr;
  unsigned char *base;
  {
    omniheap::LockGuard lock(h.lock);
    base = static_cast<unsigned char *>(zheap::alloc(&h.heap, alignment_of(h), bytes, zheap::Tap{h.prefix, false}));
  }
  if (base == nullptr) return nullptr;
  unsigned char *block = base + h.prefix;
  write_tag(block, heapId);
  return block;
}

OMNIHEAP_EXPORT void *emh_calloc(emh_heapId_t heapId, size_t n, size_t size) {
  size_t bytes;
  if (__builtin_mul_overflow(n, size, &bytes)) return nullptr;
  void *p = emh_malloc(heapId, bytes);
  if (p != nullptr) memset(p, 0, bytes);
  return p;
}

namespace {
void release(void *addr, const char *function) noexcept {
  Heap *h = tagged_heap(addr);
  if (OMNIHEAP_UNLIKELY(h == nullptr)) {
    diagnose(addr, function);
    return;
  }
  Fault f;
  {
    omniheap::LockGuard lock(h->lock);
    f = zheap::free(&h->heap, base_of(*h, addr), zheap::Tap{h->prefix, false});
  }
  if (OMNIHEAP_UNLIKELY(f != Fault::none)) report(h, addr, omniheap::bind::fault_kind(f), function);
}
} // namespace

OMNIHEAP_EXPORT void emh_free(void *addr) {
  if (addr != nullptr) release(addr, "emh_free");
}

OMNIHEAP_EXPORT void *emh_realloc(void *addr, size_t size) {
  if (addr == nullptr) return nullptr;
  if (size == 0U) {
    release(addr, "emh_realloc");
    return nullptr;
  }
  Heap *h = tagged_heap(addr);
  if (OMNIHEAP_UNLIKELY(h == nullptr)) {
    diagnose(addr, "emh_realloc");
    return nullptr;
  }
  const size_t bytes = size + h->prefix;
  if (OMNIHEAP_UNLIKELY(bytes < size)) return nullptr;
  Fault f = Fault::none;
  unsigned char *base;
  {
    omniheap::LockGuard lock(h->lock);
    base = static_cast<unsigned char *>(
        zheap::realloc(&h->heap, base_of(*h, addr), alignment_of(*h), bytes, f, zheap::Tap{h->prefix, false}));
  }
  if (OMNIHEAP_UNLIKELY(f != Fault::none)) {
    report(h, addr, omniheap::bind::fault_kind(f), "emh_realloc");
    return nullptr;
  }
  if (base == nullptr) return nullptr;
  unsigned char *block = base + h->prefix;
  if (block != addr) write_tag(block, id_of(*h));
  return block;
}
