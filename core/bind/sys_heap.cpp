// Zephyr's sys_heap (<zephyr/sys/sys_heap.h>) on the SegregatedFit engine.
//
// heap->heap points at the engine's Control block (the start of the heap
// memory rounded up to 8). On 32-bit targets a heap under 256 KiB uses the
// 4-byte-header layout, a larger one the 8-byte layout; the layout of a heap
// is recognised from its Control block (see with_engine below).
//
// The operations themselves (namespace zheap, sys_heap_core.hpp) take no
// lock and report no fault; the public functions add the optional critical
// section (OMNIHEAP_CONF_SYS_HEAP_LOCKED) and the fault reports, and k_heap
// adds its own lock.
#include <zephyr/sys/sys_heap.h>

#include <string.h>

#include "../common/compiler.hpp"
#include "../common/critical.hpp"
#include "../common/text.hpp"
#include "../observe/events.hpp"
#include "engine_heap.hpp"
#include "omniheap_port.h"
#include "sys_heap_core.hpp"

namespace {

namespace eng = omniheap::engine;
namespace zheap = omniheap::bind::zheap;
namespace observe = omniheap::observe;
using Small = eng::SegregatedFit<eng::Layout<uint16_t, 8, 4>>;
using Big = eng::SegregatedFit<eng::Layout<uint32_t, 8, 8>>;

constexpr int einval = -22; // Zephyr's -EINVAL

// Which layouts this build has (OMNIHEAP_CONF_SYS_HEAP_HEADERS).
constexpr bool wide = sizeof(void *) > 4;
constexpr bool has_small = !wide && OMNIHEAP_CONF_SYS_HEAP_HEADERS != 2;
constexpr bool has_big = wide || OMNIHEAP_CONF_SYS_HEAP_HEADERS != 1;
static_assert(has_small || has_big, "OMNIHEAP_CONF_SYS_HEAP_HEADERS must be 0, 1 or 2");

// The public header computes Z_HEAP_MIN_SIZE_FOR() from these.
static_assert(wide || Small::fixed_bytes == Z_HEAP_OMNI_SMALL_FIXED_, "update Z_HEAP_OMNI_SMALL_FIXED_");
static_assert(Big::fixed_bytes == Z_HEAP_OMNI_BIG_FIXED_, "update Z_HEAP_OMNI_BIG_FIXED_");
static_assert(Small::lead == 0 && Big::lead == 0, "Zephyr's grid: chunk 0 at the aligned start");
static_assert(wide || Small::min_region(1) == Z_HEAP_OMNI_SMALL_MIN_(1), "Z_HEAP_MIN_SIZE (4-byte headers)");
static_assert(Big::min_region(1) == Z_HEAP_OMNI_BIG_MIN_(1), "Z_HEAP_MIN_SIZE (8-byte headers)");
static_assert(wide || Small::min_region(1000) == Z_HEAP_OMNI_SMALL_MIN_(1000), "Z_HEAP_MIN_SIZE_FOR");
static_assert(Big::min_region(100000) == Z_HEAP_OMNI_BIG_MIN_(100000), "Z_HEAP_MIN_SIZE_FOR");

using Guard = omniheap::OptionalCriticalSection<OMNIHEAP_CONF_SYS_HEAP_LOCKED != 0>;

// A heap whose init failed points here: an empty, zeroed Control block in
// which every allocation fails and every pointer is foreign.
using NullControl = typename std::conditional<has_big, Big::Control, Small::Control>::type;
NullControl null_heap;

// The 4-byte layout's Control has its magic at offset 4; the 8-byte layout
// has chunk 0's (odd) size field there.
bool is_small(const z_heap *z) noexcept {
  if (!has_big) return true;
  if (!has_small) return false;
  uint32_t word;
  memcpy(&word, reinterpret_cast<const unsigned char *>(z) + 4, sizeof word);
  return word == Small::magic_value;
}

// Runs fn(engine-type tag, control) on the heap's engine layout.
template <class Fn> decltype(auto) with_engine(z_heap *z, Fn &&fn) noexcept {
  if (has_small && is_small(z)) return fn(static_cast<Small *>(nullptr), reinterpret_cast<Small::Control *>(z));
  return fn(static_cast<Big *>(nullptr), reinterpret_cast<Big::Control *>(z));
}
#define OMNIHEAP_ENGINE_OF(e) using E = std::remove_pointer_t<decltype(e)>

// The heap's Control block. A heap object that was never initialised is set
// up from init_mem / init_bytes if it has them (a statically defined heap),
// else it is an empty heap.
OMNIHEAP_COLD z_heap *adopt(struct sys_heap *heap) noexcept;
inline z_heap *control(struct sys_heap *heap) noexcept {
  z_heap *z = heap->heap;
  return OMNIHEAP_LIKELY(z != nullptr) ? z : adopt(heap);
}

struct sys_heap *heap_array[OMNIHEAP_CONF_SYS_HEAP_ARRAY_SIZE + 1];
int heap_array_count;

// ---- faults -------------------------------------------------------------------------
OMNIHEAP_COLD void report(struct sys_heap *heap, const void *p, omniheap_fault_kind_t kind,
                          const char *function) {
  omniheap::observe::fault({kind, OMNIHEAP_FAMILY_SYS_HEAP, heap, p, function, OMNIHEAP_FAULT_PANIC});
}
OMNIHEAP_COLD void report(struct sys_heap *heap, const void *p, eng::Fault f, const char *function) {
  if (f != eng::Fault::null_pointer) report(heap, p, omniheap::bind::fault_kind(f), function);
}

// ---- registry ----------------------------------------------------------------------
const struct sys_heap *heap_of(const void *object) noexcept { return static_cast<const struct sys_heap *>(object); }

void stats(const void *object, omniheap_stats_t *out) noexcept {
  Guard guard;
  zheap::stats(heap_of(object), out);
}
int validate(const void *object) noexcept {
  Guard guard;
  return zheap::validate(heap_of(object));
}
int walk(const void *object, omniheap_walk_fn fn, void *context) noexcept {
  Guard guard;
  return zheap::walk(heap_of(object), fn, context);
}
void reset_peak(void *object) noexcept {
  Guard guard;
  zheap::reset_peak(static_cast<struct sys_heap *>(object));
}
bool alive(const void *object, const void *cookie) noexcept { return zheap::alive(heap_of(object), cookie); }

constexpr omniheap::observe::HeapOps ops = {OMNIHEAP_FAMILY_SYS_HEAP, stats, validate, walk,
                                            reset_peak, nullptr, alive};

template <class E> OMNIHEAP_INLINE void *aligned_alloc_in(typename E::Control *h, zheap::Alignment d, size_t bytes) noexcept {
  if (d.a == 0U || (d.rewind == 0U && d.a <= E::header)) return E::alloc(h, bytes);
  return E::aligned_alloc(h, d.a, d.rewind, bytes);
}


} // namespace

// ---- the operations (sys_heap_core.hpp) -------------------------------------------------

namespace omniheap::bind::zheap {

Alignment decode(size_t align) noexcept {
  const size_t low = align & (0U - align);
  Alignment d{align, 0};
  if (align != low) {
    d.a = align - low;
    d.rewind = low;
  }
  return d;
}

bool init(struct sys_heap *heap, void *mem, size_t bytes) noexcept {
  void *control = nullptr;
  const uintptr_t start = reinterpret_cast<uintptr_t>(mem);
  const size_t skew = (8U - start % 8U) % 8U;
  const bool small = has_small && bytes > skew && (bytes - skew) / 8U <= Small::max_chunk_units;
  if (small) {
    Small::Control *h = Small::init(mem, bytes);
    if (h != nullptr) h->owner = heap;
    control = h;
  } else if (has_big) {
    Big::Control *h = Big::init(mem, bytes);
    if (h != nullptr) h->owner = heap;
    control = h;
  }
  heap->heap = static_cast<z_heap *>(control != nullptr ? control : static_cast<void *>(&null_heap));
  return control != nullptr;
}

bool placeholder(const struct sys_heap *heap) noexcept {
  return reinterpret_cast<const void *>(heap->heap) == &null_heap;
}

void set_placeholder(struct sys_heap *heap) noexcept { heap->heap = reinterpret_cast<z_heap *>(&null_heap); }

// Listener events (observe/events.hpp): the heap's usage, and its call as
// the heap object `heap` (a k_heap or emh heap starts with it) shows it.
template <class E> observe::Usage usage(const typename E::Control *h) noexcept {
  return {E::used_bytes(h), E::peak_bytes(h), h->failures};
}
template <class E> observe::Call call(struct sys_heap *heap, const typename E::Control *h, Tap tap) noexcept {
  return observe::Call(OMNIHEAP_FAMILY_SYS_HEAP, heap, usage<E>(h), tap.shift);
}
void *shown(void *p, Tap tap) noexcept { return p == nullptr ? p : static_cast<unsigned char *>(p) + tap.shift; }
size_t request(size_t bytes, Tap tap) noexcept { return bytes > tap.shift ? bytes - tap.shift : 0U; }

template <class E>
OMNIHEAP_COLD void *observed_alloc(struct sys_heap *heap, typename E::Control *h, Alignment d, size_t bytes,
                                   Tap tap) noexcept {
  const observe::Call c = call<E>(heap, h, tap);
  void *p = aligned_alloc_in<E>(h, d, bytes);
  if (p != nullptr || !tap.quiet_failure) {
    c.allocated(shown(p, tap), request(bytes, tap), p != nullptr ? E::chunk_bytes(h, p) : 0U, usage<E>(h));
  }
  return p;
}

void *alloc(struct sys_heap *heap, Alignment d, size_t bytes, Tap tap) noexcept {
  return with_engine(heap->heap, [&](auto *e, auto *h) -> void * {
    OMNIHEAP_ENGINE_OF(e);
    if (OMNIHEAP_UNLIKELY(observe::watching())) return observed_alloc<E>(heap, h, d, bytes, tap);
    return aligned_alloc_in<E>(h, d, bytes);
  });
}

void failed(struct sys_heap *heap, size_t bytes, Tap tap) noexcept {
  if (!observe::watching()) return;
  with_engine(heap->heap, [&](auto *e, auto *h) {
    OMNIHEAP_ENGINE_OF(e);
    call<E>(heap, h, tap).failed(request(bytes, tap));
  });
}

// The free is announced before the block is released (Zephyr's listeners
// may still read it), with the bytes in use it leaves.
Fault free(struct sys_heap *heap, void *mem, Tap tap) noexcept {
  return with_engine(heap->heap, [&](auto *e, auto *h) {
    OMNIHEAP_ENGINE_OF(e);
    if (OMNIHEAP_UNLIKELY(observe::watching())) {
      const Fault f = E::check(h, mem);
      if (f != Fault::none) return f;
      call<E>(heap, h, tap).freed(shown(mem, tap), E::chunk_bytes(h, mem));
    }
    return E::free(h, mem);
  });
}

void *realloc(struct sys_heap *heap, void *ptr, Alignment d, size_t bytes, Fault &f, Tap tap) noexcept {
  return with_engine(heap->heap, [&](auto *e, auto *h) -> void * {
    OMNIHEAP_ENGINE_OF(e);
    f = E::check(h, ptr);
    if (f != Fault::none) return nullptr;
    const uintptr_t p = reinterpret_cast<uintptr_t>(ptr);
    const bool aligned = d.a == 0U || (p + d.rewind) % d.a == 0U;
    const bool notify = observe::watching();
    const size_t old_chunk = notify ? E::chunk_bytes(h, ptr) : 0U;
    const observe::Call c = notify ? call<E>(heap, h, tap) : observe::Call(OMNIHEAP_FAMILY_SYS_HEAP, heap, {});
    void *result = nullptr;
    if (aligned && E::resize_in_place(h, ptr, bytes)) {
      result = ptr;
    } else {
      void *moved = aligned_alloc_in<E>(h, d, bytes);
      if (moved != nullptr) {
        const size_t old = E::usable_size(h, ptr);
        memcpy(moved, ptr, old < bytes ? old : bytes);
        E::free(h, ptr);
        result = moved;
      }
    }
    if (OMNIHEAP_UNLIKELY(notify) && (result != nullptr || !tap.quiet_failure)) {
      c.reallocated(shown(result, tap), shown(ptr, tap), request(bytes, tap),
                    result != nullptr ? E::chunk_bytes(h, result) : 0U, old_chunk, usage<E>(h));
    }
    return result;
  });
}

Fault check(struct sys_heap *heap, const void *mem) noexcept {
  return with_engine(heap->heap, [&](auto *e, auto *h) {
    OMNIHEAP_ENGINE_OF(e);
    return E::check(h, mem);
  });
}

size_t usable_size(struct sys_heap *heap, const void *mem) noexcept {
  return with_engine(heap->heap, [&](auto *e, auto *h) {
    OMNIHEAP_ENGINE_OF(e);
    return E::usable_size(h, mem);
  });
}

size_t header_bytes(const struct sys_heap *heap) noexcept {
  return with_engine(heap->heap, [&](auto *e, auto *) {
    OMNIHEAP_ENGINE_OF(e);
    return E::header;
  });
}

bool contains(const struct sys_heap *heap, const void *p) noexcept {
  z_heap *z = heap->heap;
  if (z == nullptr || reinterpret_cast<void *>(z) == &null_heap) return false;
  return with_engine(z, [&](auto *e, auto *h) {
    OMNIHEAP_ENGINE_OF(e);
    const uintptr_t rel = reinterpret_cast<uintptr_t>(p) - reinterpret_cast<uintptr_t>(h);
    // Chunks and the end marker, up to the next unit boundary (sys_heap_init
    // rounds the region's end down to it; the bytes before are the heap's).
    return rel < (static_cast<uintptr_t>(h->end) + 1U) * E::unit;
  });
}

bool valid(struct sys_heap *heap) noexcept {
  if (heap->heap == nullptr || placeholder(heap)) return false;
  return with_engine(heap->heap, [&](auto *e, auto *h) {
    OMNIHEAP_ENGINE_OF(e);
    return E::valid(h);
  });
}

uint32_t &failures(struct sys_heap *heap) noexcept {
  return with_engine(heap->heap, [&](auto *, auto *h) -> uint32_t & { return h->failures; });
}

void stats(const struct sys_heap *heap, omniheap_stats_t *out) noexcept {
  with_engine(heap->heap, [&](auto *e, auto *h) {
    OMNIHEAP_ENGINE_OF(e);
    omniheap::bind::engine_stats<E>(h, out);
  });
}

int validate(const struct sys_heap *heap) noexcept {
  return with_engine(heap->heap, [&](auto *e, auto *h) {
    OMNIHEAP_ENGINE_OF(e);
    return E::valid(h) ? OMNIHEAP_OK : OMNIHEAP_ERR_CORRUPT;
  });
}

int walk(const struct sys_heap *heap, omniheap_walk_fn fn, void *context) noexcept {
  return with_engine(heap->heap, [&](auto *e, auto *h) {
    OMNIHEAP_ENGINE_OF(e);
    return omniheap::bind::engine_walk<E>(h, fn, context);
  });
}

void reset_peak(struct sys_heap *heap) noexcept {
  with_engine(heap->heap, [&](auto *e, auto *h) {
    OMNIHEAP_ENGINE_OF(e);
    E::reset_peak(h);
  });
}

// The heap object still holds the heap it registered (a sys_heap on the stack
// that went out of scope no longer does). `cookie` is the Control block it
// registered: heap->heap is followed only if it still points there.
bool alive(const struct sys_heap *heap, const void *cookie) noexcept {
  z_heap *z = heap->heap;
  if (z == nullptr || z != cookie || reinterpret_cast<void *>(z) == &null_heap) return false;
  return with_engine(z, [&](auto *e, auto *h) {
    OMNIHEAP_ENGINE_OF(e);
    return h->magic == E::magic_value && h->owner == heap;
  });
}

} // namespace omniheap::bind::zheap

// ---- API ------------------------------------------------------------------------------

OMNIHEAP_EXPORT void sys_heap_init(struct sys_heap *heap, void *mem, size_t bytes) {
  bool ok;
  {
    Guard guard;
    ok = zheap::init(heap, mem, bytes);
  }
  if (!ok) {
    report(heap, mem, OMNIHEAP_FAULT_BAD_ARGUMENT, "sys_heap_init");
    return;
  }
  omniheap::observe::enter(heap, ops, heap->heap);
  sys_heap_array_save(heap);
}

namespace {
z_heap *adopt(struct sys_heap *heap) noexcept {
  if (heap->init_mem != nullptr && heap->init_bytes != 0U) {
    sys_heap_init(heap, heap->init_mem, heap->init_bytes);
  } else {
    zheap::set_placeholder(heap);
  }
  return heap->heap;
}
} // namespace

OMNIHEAP_EXPORT void *sys_heap_alloc(struct sys_heap *heap, size_t bytes) {
  Guard guard;
  control(heap);
  return zheap::alloc(heap, zheap::Alignment{0, 0}, bytes);
}

OMNIHEAP_EXPORT void *sys_heap_noalign_alloc(struct sys_heap *heap, size_t align, size_t bytes) {
  (void)align;
  return sys_heap_alloc(heap, bytes);
}

OMNIHEAP_EXPORT void *sys_heap_aligned_alloc(struct sys_heap *heap, size_t align, size_t bytes) {
  const zheap::Alignment d = zheap::decode(align);
  if (OMNIHEAP_UNLIKELY(!zheap::well_formed(d))) {
    report(heap, nullptr, OMNIHEAP_FAULT_BAD_ALIGNMENT, "sys_heap_aligned_alloc");
    return nullptr;
  }
  Guard guard;
  control(heap);
  return zheap::alloc(heap, d, bytes);
}

OMNIHEAP_EXPORT void sys_heap_free(struct sys_heap *heap, void *mem) {
  eng::Fault f;
  {
    Guard guard;
    control(heap);
    f = zheap::free(heap, mem);
  }
  if (OMNIHEAP_UNLIKELY(f != eng::Fault::none)) report(heap, mem, f, "sys_heap_free");
}

OMNIHEAP_EXPORT void *sys_heap_realloc(struct sys_heap *heap, void *ptr, size_t bytes) {
  return sys_heap_aligned_realloc(heap, ptr, 0, bytes);
}

OMNIHEAP_EXPORT void *sys_heap_aligned_realloc(struct sys_heap *heap, void *ptr, size_t align,
                                               size_t bytes) {
  if (ptr == nullptr) return sys_heap_aligned_alloc(heap, align, bytes);
  if (bytes == 0U) {
    sys_heap_free(heap, ptr);
    return nullptr;
  }
  const zheap::Alignment d = zheap::decode(align);
  if (OMNIHEAP_UNLIKELY(!zheap::well_formed(d))) {
    report(heap, nullptr, OMNIHEAP_FAULT_BAD_ALIGNMENT, "sys_heap_aligned_realloc");
    return nullptr;
  }
  eng::Fault f = eng::Fault::none;
  void *result;
  {
    Guard guard;
    control(heap);
    result = zheap::realloc(heap, ptr, d, bytes, f);
  }
  if (OMNIHEAP_UNLIKELY(f != eng::Fault::none)) report(heap, ptr, f, "sys_heap_aligned_realloc");
  return result;
}

OMNIHEAP_EXPORT size_t sys_heap_usable_size(struct sys_heap *heap, void *mem) {
  if (mem == nullptr) return 0;
  eng::Fault f;
  size_t n = 0;
  {
    Guard guard;
    control(heap);
    f = zheap::check(heap, mem);
    if (f == eng::Fault::none) n = zheap::usable_size(heap, mem);
  }
  if (OMNIHEAP_UNLIKELY(f != eng::Fault::none)) report(heap, mem, f, "sys_heap_usable_size");
  return n;
}

OMNIHEAP_EXPORT bool sys_heap_validate(struct sys_heap *heap) {
  if (heap == nullptr) return false;
  Guard guard;
  control(heap);
  return zheap::valid(heap);
}

OMNIHEAP_EXPORT int sys_heap_runtime_stats_get(struct sys_heap *heap, struct sys_memory_stats *stats) {
  if (heap == nullptr || stats == nullptr) return einval;
  Guard guard;
  with_engine(control(heap), [&](auto *e, auto *h) {
    OMNIHEAP_ENGINE_OF(e);
    stats->free_bytes = E::free_bytes(h);
    stats->allocated_bytes = E::used_bytes(h);
    stats->max_allocated_bytes = E::peak_bytes(h);
  });
  return 0;
}

OMNIHEAP_EXPORT int sys_heap_runtime_stats_reset_max(struct sys_heap *heap) {
  if (heap == nullptr) return einval;
  Guard guard;
  control(heap);
  zheap::reset_peak(heap);
  return 0;
}

OMNIHEAP_EXPORT int sys_heap_array_save(struct sys_heap *heap) {
  if (heap == nullptr) return einval;
  omniheap::CriticalSection cs;
  for (int i = 0; i < heap_array_count; ++i) {
    if (heap_array[i] == heap) return 0;
  }
  if (heap_array_count >= OMNIHEAP_CONF_SYS_HEAP_ARRAY_SIZE) return einval;
  heap_array[heap_array_count++] = heap;
  return 0;
}

OMNIHEAP_EXPORT int sys_heap_array_get(struct sys_heap ***heap) {
  if (heap == nullptr) return einval;
  *heap = heap_array;
  return heap_array_count;
}

namespace {

using Line = omniheap::Text<120>;

template <class E> void print_info(typename E::Control *h, bool dump_chunks) noexcept {
  Line line;
  line.put("Heap at ").hex(reinterpret_cast<uintptr_t>(h)).put(" contains ");
  line.decimal(h->end).put(" units in ").decimal(h->classes).put(" buckets (");
  line.decimal(E::unit).put("-byte units, ").decimal(E::header).put("-byte chunk headers)");
  line.emit(omniheap_port_write);
  line.emit(omniheap_port_write);
  line.put("  bucket#    min units        total      largest      largest");
  line.emit(omniheap_port_write);
  line.put("             threshold       chunks      (units)      (bytes)");
  line.emit(omniheap_port_write);
  line.put("  -----------------------------------------------------------");
  line.emit(omniheap_port_write);
  E::for_each_class(h, [&](size_t k, size_t lower, size_t count, size_t largest) {
    line.right(k, 9).right(lower, 13).right(count, 13).right(largest, 13);
    line.right(largest * E::unit - E::header, 13);
    line.emit(omniheap_port_write);
  });
  const size_t free_bytes = E::free_bytes(h);
  const size_t used = E::used_bytes(h);
  const size_t overhead = E::live_blocks(h) * E::header + h->first * E::unit + E::header;
  const size_t total = free_bytes + used + h->first * E::unit + E::header;
  const size_t permille = total == 0U ? 0U : overhead * 1000U / total;
  line.right(free_bytes, 8).put(" free bytes, ").right(used, 8).put(" allocated bytes, overhead = ");
  line.decimal(overhead).put(" bytes (").decimal(permille / 10U).put('.').decimal(permille % 10U);
  line.put("%)");
  line.emit(omniheap_port_write);
  if (!dump_chunks) return;
  line.emit(omniheap_port_write);
  for (size_t c = h->first; c < h->end;) {
    const size_t s = E::chunk_size(h, c);
    line.put("chunk ").right(c, 6).put(E::chunk_used(h, c) ? ": [used] size=" : ": [free] size=");
    line.left("", 0).decimal(s).put(" left=").decimal(E::chunk_left(h, c)).put(" right=").decimal(c + s);
    line.emit(omniheap_port_write);
    if (s == 0U) break;
    c += s;
  }
}

} // namespace

OMNIHEAP_EXPORT void sys_heap_print_info(struct sys_heap *heap, bool dump_chunks) {
  if (heap == nullptr || reinterpret_cast<void *>(control(heap)) == &null_heap) {
    omniheap_port_write("sys_heap: not initialised\n", 26);
    return;
  }
  Guard guard;
  with_engine(control(heap), [&](auto *e, auto *h) {
    OMNIHEAP_ENGINE_OF(e);
    print_info<E>(h, dump_chunks);
  });
}
