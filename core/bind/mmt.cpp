// Montimage MMT ("mmt_core.h", "memory.h"): size-prefixed blocks with
// counters, on the C library's malloc (OMNIHEAP_CONF_MMT_BACKEND 0) or on an
// engine arena (backend 1, or after mmt_use_arena()), under one port lock.
//
// Every block starts with a prefix, a multiple of alignof(max_align_t) so
// that the caller's pointer u keeps that alignment; its last four words,
// read and written with memcpy, lie just below u:
//   u[-4] tag    check bits of u's address
//   u[-3] shift  bytes between the backing block and the prefix (arena: the
//                engine's blocks are only 4- or 8-aligned; 0 on the C library)
//   u[-2] size   the requested size (upstream's size prefix)
//   u[-1] seal   check bits of u, size and shift; a freed block's seal is
//                overwritten with a "freed" value
// An arena prefix is those four words (the engine's links of a freed block
// take at most two words at its start); a C library prefix has two words
// more in front, because glibc's free chunks of 1 KiB and more keep four
// words of links at their start. So the seal survives a free, and a second
// free is named DOUBLE_FREE. A tag or a seal still intact with the other
// wrong is CORRUPT_METADATA; neither: a foreign pointer (on the arena the
// engine then names what lies there). Blocks are checked and marked freed
// under the lock, so even two threads freeing one block are caught; a
// suspect pointer never reaches the C library's free().
//
// Counters count requested bytes: in_use == allocated - freed exactly.
// The C library's malloc/realloc/free run outside the lock; the arena runs
// under it. The backing store changes only while no block is live
// (mmt_use_arena()), so a live block's store is the current one.
#include "mmt_core.h"
#include "memory.h"

#include <stddef.h>
#include <string.h>

#include "../common/compiler.hpp"
#include "../common/critical.hpp"
#include "../common/text.hpp"
#include "../observe/events.hpp"
#include "../observe/registry.hpp"
#include "engine_heap.hpp"
#include "omniheap_port.h"
#include "sys_heap_core.hpp"

// Under AddressSanitizer a double free would make the prefix check itself
// a use after free (the C library's block is freed): the check asks ASan
// first (see check()).
#if defined(__SANITIZE_ADDRESS__)
#define OMNIHEAP_MMT_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define OMNIHEAP_MMT_ASAN 1
#endif
#endif
#ifdef OMNIHEAP_MMT_ASAN
extern "C" {
void *__asan_region_is_poisoned(void *beg, size_t size);
size_t __asan_get_free_stack(void *addr, void **trace, size_t size, int *thread_id);
}
#endif

#if OMNIHEAP_CONF_MMT_BACKEND != 0 && OMNIHEAP_CONF_MMT_BACKEND != 1
#error "OMNIHEAP_CONF_MMT_BACKEND must be 0 (C library) or 1 (arena), or -1 (automatic) in project.yml"
#endif
#if OMNIHEAP_CONF_MMT_ABORT != 0 && OMNIHEAP_CONF_MMT_ABORT != 1
#error "OMNIHEAP_CONF_MMT_ABORT must be 0 or 1"
#endif

namespace {

namespace zheap = omniheap::bind::zheap;
namespace ob = omniheap::observe;
using omniheap::engine::Fault;

constexpr bool libc_backend = OMNIHEAP_CONF_MMT_BACKEND == 0;
constexpr bool abort_on_failure = OMNIHEAP_CONF_MMT_ABORT != 0;

constexpr size_t word = sizeof(size_t);
constexpr size_t align = alignof(max_align_t);
// Bytes of the prefix of an arena block: the four words, rounded up to the
// alignment. The engine's links of a freed block take at most its first
// two words.
constexpr size_t prefix = (4U * word + align - 1U) / align * align;
// Of a C library block: two words more, because glibc's free chunks of
// 1 KiB and more keep four words of links at their start (fd, bk,
// fd_nextsize, bk_nextsize); the size and the seal lie after them.
constexpr size_t libc_prefix = (6U * word + align - 1U) / align * align;
static_assert(prefix % align == 0U && prefix >= 4U * word && libc_prefix >= prefix, "prefix layout");
// Requests above this fail without asking the backing store: with the
// prefix and the arena's alignment shift the block would exceed PTRDIFF_MAX
// (no C object may, and the C library refuses it too) or overflow size_t.
constexpr size_t max_request = static_cast<size_t>(PTRDIFF_MAX) - libc_prefix - align;
static_assert(static_cast<size_t>(PTRDIFF_MAX) <= SIZE_MAX, "PTRDIFF_MAX fits size_t");

// ---- state ---------------------------------------------------------------------------

struct Mmt {
  omniheap_port_lock_t lock; // counters, arena, prefixes of live arena blocks
  struct sys_heap arena;     // the engine heap, when on_arena
  size_t extra;              // arena: bytes requested beyond prefix + size (alignment shift)
  uint8_t state;             // 1: set up and registered (atomic, acquire/release)
  uint8_t on_arena;          // 1: blocks come from `arena` (atomic, relaxed)
  size_t in_use;             // requested bytes of live blocks
  size_t peak;
  size_t live;
  uint64_t allocations, frees, failed;
  uint64_t allocated, freed; // mmt_meminfo()
};

// Zero-initialised (.bss): no constructor runs.
Mmt g;

bool on_arena() noexcept { return __atomic_load_n(&g.on_arena, __ATOMIC_RELAXED) != 0U; }

#if !OMNIHEAP_CONF_MMT_BACKEND
// The C library's allocator (the build with the C library backend only).
void *c_malloc(size_t n) noexcept { return ::malloc(n); }
void *c_realloc(void *p, size_t n) noexcept { return ::realloc(p, n); }
void c_free(void *p) noexcept { ::free(p); }
#else
void *c_malloc(size_t) noexcept { return nullptr; }
void *c_realloc(void *, size_t) noexcept { return nullptr; }
void c_free(void *) noexcept {}
#endif

// ---- prefixes --------------------------------------------------------------------------

constexpr size_t golden = sizeof(size_t) > 4U ? static_cast<size_t>(0x9E3779B97F4A7C15ULL) : 0x9E3779B9U;
constexpr size_t key_tag = static_cast<size_t>(0x6D6D742D7461672DULL);   // "mmt-tag-"
constexpr size_t key_seal = static_cast<size_t>(0x6D6D742D7365616CULL);  // "mmt-seal"
constexpr size_t key_freed = static_cast<size_t>(0x6D6D742D66726565ULL); // "mmt-free"

size_t mix(size_t x) noexcept {
  x *= golden;
  x ^= x >> (word * 4U);
  return x * golden;
}
size_t address(const unsigned char *u) noexcept { return static_cast<size_t>(reinterpret_cast<uintptr_t>(u)); }
size_t tag_of(const unsigned char *u) noexcept { return mix(address(u) ^ key_tag); }
size_t seal_of(const unsigned char *u, size_t size, size_t shift) noexcept {
  return mix(address(u) ^ key_seal) ^ mix(size + shift * 0x10001U);
}
size_t freed_of(const unsigned char *u) noexcept { return mix(address(u) ^ key_freed); }

struct Prefix {
  size_t tag, shift, size, seal;
};
Prefix read_prefix(const unsigned char *u) noexcept {
  Prefix p;
  memcpy(&p, u - 4U * word, sizeof p);
  return p;
}
void write_prefix(unsigned char *u, size_t size, size_t shift) noexcept {
  const Prefix p{tag_of(u), shift, size, seal_of(u, size, shift)};
  memcpy(u - 4U * word, &p, sizeof p);
}
void write_seal(unsigned char *u, size_t seal) noexcept { memcpy(u - word, &seal, sizeof seal); }
void mark_freed(unsigned char *u) noexcept { write_seal(u, freed_of(u)); }

bool intact(const unsigned char *u, const Prefix &p) noexcept {
  return p.tag == tag_of(u) && p.shift < align && p.seal == seal_of(u, p.size, p.shift);
}

// The caller's pointer in a backing block, and back.
size_t shift_of(const unsigned char *base) noexcept {
  return (align - (address(base) + prefix) % align) % align;
}
unsigned char *user_of(unsigned char *base) noexcept { return base + shift_of(base) + prefix; }
unsigned char *base_of(unsigned char *u, size_t shift) noexcept { return u - prefix - shift; }

// ---- arena ------------------------------------------------------------------------------

#if OMNIHEAP_CONF_MMT_BACKEND
constexpr size_t default_bytes =
    OMNIHEAP_CONF_MMT_ARENA_SIZE > Z_HEAP_MIN_SIZE ? OMNIHEAP_CONF_MMT_ARENA_SIZE : Z_HEAP_MIN_SIZE;
// MMT's static arena: in a section of its own, so that only a firmware
// that calls an MMT function links it (--gc-sections).
alignas(8) unsigned char mmt_default_arena[default_bytes] __attribute__((section(".bss.omniheap_mmt_arena")));
#endif

// Bytes an arena block needs for `size` requested bytes.
size_t arena_request(size_t size) noexcept { return prefix + g.extra + size; }

// Sets g.arena up over [mem, mem + bytes); the lock is held (or nobody can
// use MMT yet). false (and g.arena unchanged) if the region cannot hold
// the metadata and one block.
bool start_arena(void *mem, size_t bytes) noexcept {
  struct sys_heap probe{};
  if (mem == nullptr || !zheap::init(&probe, mem, bytes)) return false;
  omniheap_stats_t st{};
  zheap::stats(&probe, &st);
  const size_t header = zheap::header_bytes(&probe);
  const size_t extra = align > header ? align - header : 0U;
  if (st.largest_free < prefix + extra + 1U) return false;
  (void)zheap::init(&g.arena, mem, bytes); // again, so that the heap's owner is g.arena
  g.extra = extra;
  __atomic_store_n(&g.on_arena, static_cast<uint8_t>(1), __ATOMIC_RELAXED);
  return true;
}

// ---- registry ----------------------------------------------------------------------------

void stats(const void *, omniheap_stats_t *out) noexcept {
  omniheap::LockGuard lock(g.lock);
  omniheap_stats_t engine{};
  if (on_arena()) zheap::stats(&g.arena, &engine);
  out->capacity = engine.capacity;
  out->in_use = g.in_use;
  out->peak = g.peak;
  out->free_bytes = engine.free_bytes;
  const size_t overhead = prefix + g.extra;
  out->largest_free = engine.largest_free > overhead ? engine.largest_free - overhead : 0U;
  out->block_size = 0;
  out->live_blocks = g.live;
  out->allocations = g.allocations;
  out->frees = g.frees;
  out->failed_allocations = g.failed;
}

// Every live arena block's prefix is intact, and the blocks add up to the
// counters (the lock is held).
struct Audit {
  size_t blocks, bytes;
  bool ok;
};
int audit_block(const omniheap_block_t *b, void *context) noexcept {
  Audit &a = *static_cast<Audit *>(context);
  if (b->used == 0) return 0;
  unsigned char *base = static_cast<unsigned char *>(b->address);
  unsigned char *u = user_of(base);
  if (b->size < prefix + shift_of(base)) {
    a.ok = false;
    return 1;
  }
  const Prefix p = read_prefix(u);
  if (!intact(u, p) || p.shift != shift_of(base) || p.size > b->size - prefix - p.shift) {
    a.ok = false;
    return 1;
  }
  ++a.blocks;
  a.bytes += p.size;
  return 0;
}
int validate(const void *) noexcept {
  omniheap::LockGuard lock(g.lock);
  if (!on_arena()) return OMNIHEAP_OK;
  if (zheap::validate(&g.arena) != OMNIHEAP_OK) return OMNIHEAP_ERR_CORRUPT;
  Audit a{0, 0, true};
  if (zheap::walk(&g.arena, audit_block, &a) != OMNIHEAP_OK || !a.ok) return OMNIHEAP_ERR_CORRUPT;
  return a.blocks == g.live && a.bytes == g.in_use ? OMNIHEAP_OK : OMNIHEAP_ERR_CORRUPT;
}

// The walk shows blocks in use as the caller sees them (after the prefix).
struct WalkContext {
  omniheap_walk_fn fn;
  void *context;
};
int walk_block(const omniheap_block_t *b, void *context) noexcept {
  const WalkContext &w = *static_cast<const WalkContext *>(context);
  unsigned char *base = static_cast<unsigned char *>(b->address);
  const size_t skip = prefix + shift_of(base);
  if (b->used == 0 || b->size < skip) return w.fn(b, w.context);
  const omniheap_block_t user{base + skip, b->size - skip, b->used};
  return w.fn(&user, w.context);
}
int walk(const void *, omniheap_walk_fn fn, void *context) noexcept {
  omniheap::LockGuard lock(g.lock);
  if (!on_arena()) return OMNIHEAP_ERR_UNSUPPORTED;
  WalkContext w{fn, context};
  return zheap::walk(&g.arena, walk_block, &w);
}

void reset_peak(void *) noexcept {
  omniheap::LockGuard lock(g.lock);
  g.peak = g.in_use;
  if (on_arena()) zheap::reset_peak(&g.arena);
}

const char *name_of(const void *) noexcept { return "mmt"; }

constexpr ob::HeapOps ops = {OMNIHEAP_FAMILY_MMT, stats, validate, walk, reset_peak, name_of, nullptr};

// Registers MMT and marks it set up; the lock is held.
void enter_registry() noexcept {
  ob::enter(&g, ops, nullptr);
  __atomic_store_n(&g.state, static_cast<uint8_t>(1), __ATOMIC_RELEASE);
}

// First use: the build's backing store, and the registry.
OMNIHEAP_COLD void set_up() noexcept {
  omniheap::LockGuard lock(g.lock);
  if (__atomic_load_n(&g.state, __ATOMIC_ACQUIRE) != 0U) return;
#if OMNIHEAP_CONF_MMT_BACKEND
  if (!on_arena() && !start_arena(mmt_default_arena, sizeof mmt_default_arena)) {
    // Cannot happen with the buffer's minimum size; every allocation fails.
    zheap::set_placeholder(&g.arena);
    __atomic_store_n(&g.on_arena, static_cast<uint8_t>(1), __ATOMIC_RELAXED);
  }
#endif
  enter_registry();
}

inline void ready() noexcept {
  if (OMNIHEAP_UNLIKELY(__atomic_load_n(&g.state, __ATOMIC_ACQUIRE) == 0U)) set_up();
}

// ---- accounting (the lock is held) ----------------------------------------------------------

// Listener events: MMT's usage in requested bytes.
ob::Usage usage() noexcept { return {g.in_use, g.peak, g.failed}; }
ob::Call call() noexcept { return {OMNIHEAP_FAMILY_MMT, &g, usage()}; }

void count_alloc(unsigned char *u, size_t size) noexcept {
  const ob::Call c = call();
  g.in_use += size;
  if (g.in_use > g.peak) g.peak = g.in_use;
  ++g.live;
  ++g.allocations;
  g.allocated += size;
  if (ob::watching()) c.allocated(u, size, size, usage());
}

void count_free(unsigned char *u, size_t size) noexcept {
  if (ob::watching()) call().freed(u, size);
  g.in_use -= size;
  --g.live;
  ++g.frees;
  g.freed += size;
}

// A realloc of a block from `old` to `size` bytes, at `u` (was `old_u`).
// A move counts one allocation and one free, as the engine heaps do.
void count_realloc(unsigned char *u, unsigned char *old_u, size_t size, size_t old) noexcept {
  const ob::Call c = call();
  g.in_use = g.in_use - old + size;
  if (g.in_use > g.peak) g.peak = g.in_use;
  g.allocated += size;
  g.freed += old;
  if (u != old_u) {
    ++g.allocations;
    ++g.frees;
  }
  if (ob::watching()) c.reallocated(u, old_u, size, size, old, usage());
}

void count_failure(size_t size) noexcept {
  ++g.failed;
  if (ob::watching()) call().failed(size);
}

// ---- failures and faults (the lock is not held) -----------------------------------------------

[[noreturn]] OMNIHEAP_COLD void out_of_memory(size_t size) noexcept {
  omniheap::Text<64> message;
  message.put("mmt: not enough memory for ").decimal(size).put(" bytes");
  omniheap_port_panic(message.c_str());
}

// What mmt_malloc() and mmt_realloc() do after a counted failure.
void *failure(size_t size, bool may_abort) noexcept {
  if (abort_on_failure && may_abort) out_of_memory(size);
  return nullptr;
}

OMNIHEAP_COLD void report(omniheap_fault_kind_t kind, const void *p, const char *function) noexcept {
  ob::fault({kind, OMNIHEAP_FAMILY_MMT, &g, p, function, OMNIHEAP_FAULT_PANIC});
}

// Names what is wrong with `u`, whose prefix is not that of a live block
// (the lock is held).
OMNIHEAP_COLD omniheap_fault_kind_t diagnose(unsigned char *u, const Prefix &p) noexcept {
  if (p.seal == freed_of(u)) return OMNIHEAP_FAULT_DOUBLE_FREE;
  if (p.tag == tag_of(u) || (p.shift < align && p.seal == seal_of(u, p.size, p.shift))) {
    return OMNIHEAP_FAULT_CORRUPT_METADATA;
  }
  if (!on_arena() || !zheap::contains(&g.arena, u)) return OMNIHEAP_FAULT_FOREIGN_POINTER;
  // In the arena: a live block whose prefix was overwritten, a block freed
  // already (its prefix gone with a merge), or no block at all.
  bool freed = false;
  for (size_t shift = 0; shift <= g.extra; shift += 4U) {
    unsigned char *base = base_of(u, shift);
    if (!zheap::contains(&g.arena, base) || shift_of(base) != shift) continue;
    const Fault f = zheap::check(&g.arena, base);
    if (f == Fault::none) return OMNIHEAP_FAULT_CORRUPT_METADATA;
    if (f == Fault::double_free) freed = true;
  }
  return freed ? OMNIHEAP_FAULT_DOUBLE_FREE : OMNIHEAP_FAULT_FOREIGN_POINTER;
}

// Checks `u` under the lock: OMNIHEAP_FAULT_NONE-like 0 if it is a live
// block (its prefix in `p`), else the fault to report.
constexpr omniheap_fault_kind_t no_fault = static_cast<omniheap_fault_kind_t>(0);
omniheap_fault_kind_t check(unsigned char *u, Prefix &p) noexcept {
  const uintptr_t a = reinterpret_cast<uintptr_t>(u);
  if (OMNIHEAP_UNLIKELY(a % align != 0U || a < libc_prefix + align)) return OMNIHEAP_FAULT_FOREIGN_POINTER;
#ifdef OMNIHEAP_MMT_ASAN
  // Poisoned: freed heap memory (a block freed already) or a redzone.
  if (__asan_region_is_poisoned(u - 4U * word, 4U * word) != nullptr) {
    void *trace[1];
    int thread;
    return __asan_get_free_stack(u - word, trace, 1, &thread) != 0U ? OMNIHEAP_FAULT_DOUBLE_FREE
                                                                    : OMNIHEAP_FAULT_FOREIGN_POINTER;
  }
#endif
  p = read_prefix(u);
  if (OMNIHEAP_LIKELY(intact(u, p))) return no_fault;
  return diagnose(u, p);
}

// The fault to report when a prefix says "live" and the engine disagrees:
// a stale prefix left in memory freed or reused, or damaged engine metadata.
OMNIHEAP_COLD omniheap_fault_kind_t engine_fault(Fault f) noexcept {
  if (f == Fault::double_free) return OMNIHEAP_FAULT_DOUBLE_FREE;
  if (f == Fault::corrupt) return OMNIHEAP_FAULT_CORRUPT_METADATA;
  return OMNIHEAP_FAULT_FOREIGN_POINTER;
}

// ---- allocation, free, realloc --------------------------------------------------------------

// A new block of `size` bytes, counted; nullptr (failure counted) if none.
void *allocate(size_t size) noexcept {
  ready();
  if (OMNIHEAP_UNLIKELY(size > max_request)) {
    omniheap::LockGuard lock(g.lock);
    count_failure(size);
    return nullptr;
  }
  if (libc_backend && !on_arena()) {
    unsigned char *base = static_cast<unsigned char *>(c_malloc(libc_prefix + size));
    {
      omniheap::LockGuard lock(g.lock);
      if (OMNIHEAP_LIKELY(!on_arena())) {
        if (base == nullptr) {
          count_failure(size);
          return nullptr;
        }
        unsigned char *u = base + libc_prefix;
        write_prefix(u, size, 0);
        count_alloc(u, size);
        return u;
      }
    }
    // mmt_use_arena() switched while malloc ran: this block is not MMT's.
    c_free(base);
  }
  omniheap::LockGuard lock(g.lock);
  unsigned char *base = static_cast<unsigned char *>(zheap::alloc(&g.arena, zheap::Alignment{0, 0}, arena_request(size)));
  if (base == nullptr) {
    count_failure(size);
    return nullptr;
  }
  unsigned char *u = user_of(base);
  write_prefix(u, size, shift_of(base));
  count_alloc(u, size);
  return u;
}

// Frees block `u` (not NULL); a bad pointer is reported for `function`.
void release(unsigned char *u, const char *function) noexcept {
  Prefix p;
  omniheap_fault_kind_t kind;
  {
    omniheap::LockGuard lock(g.lock);
    kind = check(u, p);
    if (OMNIHEAP_LIKELY(kind == no_fault)) {
      if (on_arena()) {
        const Fault f = zheap::free(&g.arena, base_of(u, p.shift));
        if (OMNIHEAP_LIKELY(f == Fault::none)) {
          // The engine's links lie below the seal: it survives the free.
          mark_freed(u);
          count_free(u, p.size);
          return;
        }
        kind = engine_fault(f);
      } else {
        mark_freed(u);
        count_free(u, p.size);
      }
    }
  }
  if (OMNIHEAP_UNLIKELY(kind != no_fault)) {
    report(kind, u, function);
    return;
  }
  c_free(u - libc_prefix);
}

// Resizes block `u` (not NULL) to `size` (not 0) bytes.
void *resize(unsigned char *u, size_t size) noexcept {
  Prefix p;
  omniheap_fault_kind_t kind;
  {
    omniheap::LockGuard lock(g.lock);
    kind = check(u, p);
    if (OMNIHEAP_UNLIKELY(kind != no_fault)) goto fault;
    unsigned char *base = base_of(u, p.shift);
    if (size <= p.size) {
      // Shrink: the same block (the arena gives the tail back at once).
      if (on_arena()) {
        Fault f = Fault::none;
        (void)zheap::realloc(&g.arena, base, zheap::Alignment{0, 0}, p.shift + prefix + size, f);
        if (OMNIHEAP_UNLIKELY(f != Fault::none)) {
          kind = engine_fault(f);
          goto fault;
        }
      }
      write_prefix(u, size, p.shift);
      count_realloc(u, u, size, p.size);
      return u;
    }
    if (OMNIHEAP_UNLIKELY(size > max_request)) {
      count_failure(size);
      goto failed;
    }
    if (on_arena()) {
      Fault f = Fault::none;
      unsigned char *moved = static_cast<unsigned char *>(
          zheap::realloc(&g.arena, base, zheap::Alignment{0, 0}, arena_request(size), f));
      if (moved == nullptr) {
        if (f == Fault::none) {
          count_failure(size);
          goto failed;
        }
        kind = engine_fault(f);
        goto fault;
      }
      unsigned char *v = u;
      if (moved != base) {
        // The contents moved with the prefix; the alignment shift may differ.
        v = user_of(moved);
        if (v != moved + p.shift + prefix) memmove(v, moved + p.shift + prefix, p.size);
      }
      write_prefix(v, size, shift_of(moved));
      count_realloc(v, u, size, p.size);
      return v;
    }
    // The C library may move the block: it is marked freed meanwhile, so
    // that a stale pointer to it is a double free.
    mark_freed(u);
  }
  {
    unsigned char *moved = static_cast<unsigned char *>(c_realloc(u - libc_prefix, libc_prefix + size));
    omniheap::LockGuard lock(g.lock);
    if (moved != nullptr) {
      unsigned char *v = moved + libc_prefix;
      write_prefix(v, size, 0);
      count_realloc(v, u, size, p.size);
      return v;
    }
    write_seal(u, seal_of(u, p.size, 0)); // still the caller's block
    count_failure(size);
  }
failed:
  return failure(size, true);
fault:
  report(kind, u, "mmt_realloc");
  return nullptr;
}

} // namespace

// ---- mmt_core.h ------------------------------------------------------------------------

OMNIHEAP_EXPORT void *mmt_malloc(size_t size) {
  void *p = allocate(size);
  if (OMNIHEAP_UNLIKELY(p == nullptr)) return failure(size, true);
  return p;
}

OMNIHEAP_EXPORT void mmt_free(void *x) {
  if (x == nullptr) return;
  ready();
  release(static_cast<unsigned char *>(x), "mmt_free");
}

OMNIHEAP_EXPORT void *mmt_realloc(void *x, size_t size) {
  if (x == nullptr) return size == 0U ? nullptr : mmt_malloc(size);
  ready();
  if (size == 0U) {
    release(static_cast<unsigned char *>(x), "mmt_realloc");
    return nullptr;
  }
  return resize(static_cast<unsigned char *>(x), size);
}

// ---- memory.h -------------------------------------------------------------------------------

OMNIHEAP_EXPORT void mmt_meminfo(mmt_meminfo_t *info) {
  if (info == nullptr) return;
  omniheap::LockGuard lock(g.lock);
  info->allocated = g.allocated;
  info->freed = g.freed;
}

OMNIHEAP_EXPORT int mmt_use_arena(void *mem, size_t bytes) {
  omniheap::LockGuard lock(g.lock);
  if (g.live != 0U || !start_arena(mem, bytes)) return -1;
  // A new arena: its high-water mark starts now, and MMT is (again)
  // registered, as a heap initialised again. The counters continue.
  g.peak = g.in_use;
  enter_registry();
  return 0;
}

OMNIHEAP_EXPORT omniheap_heap_t *mmt_omniheap(void) {
  ready();
  omniheap_heap_t *h = ob::find_slot(&g);
  return h != nullptr ? h : ob::enter(&g, ops, nullptr);
}

OMNIHEAP_EXPORT int mmt_listen(omniheap_listener_t *listener, unsigned events, size_t threshold,
                               size_t hysteresis, omniheap_listener_fn fn, void *context) {
  if (listener == nullptr || fn == nullptr || (events & OMNIHEAP_ON_ALL) == 0U) return OMNIHEAP_ERR_INVALID;
  omniheap_heap_t *h = mmt_omniheap();
  if (h == nullptr) return OMNIHEAP_ERR_FULL;
  return ob::add_listener(listener, h, events, threshold, hysteresis, fn, context);
}

// ---- the hardened fork's arena allocator ------------------------------------------------------
//
// An arena is a descriptor and a chain of blocks, each one MMT block: a
// header, then the payload from the next multiple of MMT_ARENA_ALIGN.

struct mmt_arena_s {
  struct ArenaBlock *head;    // the first block, kept by mmt_arena_reset()
  struct ArenaBlock *current; // the block small requests are cut from
  size_t block_size;          // payload bytes of an ordinary block
};

struct ArenaBlock {
  ArenaBlock *next;
  size_t capacity; // payload bytes
  size_t used;
};

namespace {

constexpr size_t arena_align = MMT_ARENA_ALIGN;
static_assert(arena_align != 0U && (arena_align & (arena_align - 1U)) == 0U, "MMT_ARENA_ALIGN: a power of two");
// Bytes before the payload, enough wherever an MMT block (aligned to
// `align`) starts.
constexpr size_t block_room =
    (sizeof(ArenaBlock) + arena_align - 1U) / arena_align * arena_align + (align < arena_align ? arena_align - align : 0U);

unsigned char *payload(ArenaBlock *b) noexcept {
  const uintptr_t a = reinterpret_cast<uintptr_t>(b) + sizeof(ArenaBlock);
  return reinterpret_cast<unsigned char *>((a + arena_align - 1U) & ~static_cast<uintptr_t>(arena_align - 1U));
}

ArenaBlock *new_block(size_t capacity) noexcept {
  if (capacity > max_request - block_room) {
    ready();
    omniheap::LockGuard lock(g.lock);
    count_failure(capacity);
    return nullptr;
  }
  ArenaBlock *b = static_cast<ArenaBlock *>(allocate(block_room + capacity));
  if (b == nullptr) return nullptr;
  b->next = nullptr;
  b->capacity = capacity;
  b->used = 0;
  return b;
}

void *cut(ArenaBlock *b, size_t need) noexcept {
  unsigned char *p = payload(b) + b->used;
  b->used += need;
  return p;
}

} // namespace

OMNIHEAP_EXPORT mmt_arena_t *mmt_arena_create(size_t block_size) {
  if (block_size == 0U) block_size = MMT_ARENA_DEFAULT_BLOCK_SIZE;
  mmt_arena_t *a = static_cast<mmt_arena_t *>(allocate(sizeof(mmt_arena_t)));
  if (a == nullptr) return nullptr;
  ArenaBlock *head = new_block(block_size);
  if (head == nullptr) {
    release(reinterpret_cast<unsigned char *>(a), "mmt_arena_create");
    return nullptr;
  }
  a->head = head;
  a->current = head;
  a->block_size = block_size;
  return a;
}

OMNIHEAP_EXPORT void *mmt_arena_alloc(mmt_arena_t *a, size_t size) {
  if (a == nullptr) return nullptr;
  if (size == 0U) size = 1;
  if (size > max_request - arena_align) return new_block(size); // counted as a failure
  const size_t need = (size + arena_align - 1U) & ~(arena_align - 1U);
  ArenaBlock *cur = a->current;
  if (cur->capacity - cur->used >= need) return cut(cur, need);
  // An oversize request gets a block of its own; the current block stays.
  const bool oversize = need > a->block_size;
  ArenaBlock *b = new_block(oversize ? need : a->block_size);
  if (b == nullptr) return nullptr;
  b->next = cur->next;
  cur->next = b;
  if (!oversize) a->current = b;
  return cut(b, need);
}

OMNIHEAP_EXPORT void mmt_arena_reset(mmt_arena_t *a) {
  if (a == nullptr) return;
  ArenaBlock *b = a->head->next;
  while (b != nullptr) {
    ArenaBlock *next = b->next;
    release(reinterpret_cast<unsigned char *>(b), "mmt_arena_reset");
    b = next;
  }
  a->head->next = nullptr;
  a->head->used = 0;
  a->current = a->head;
}

OMNIHEAP_EXPORT void mmt_arena_destroy(mmt_arena_t *a) {
  if (a == nullptr) return;
  ArenaBlock *b = a->head;
  while (b != nullptr) {
    ArenaBlock *next = b->next;
    release(reinterpret_cast<unsigned char *>(b), "mmt_arena_destroy");
    b = next;
  }
  release(reinterpret_cast<unsigned char *>(a), "mmt_arena_destroy");
}
