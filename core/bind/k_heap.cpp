// Zephyr's kernel heaps (<zephyr/kernel.h>): k_heap with blocking
// allocation, K_HEAP_DEFINE enumeration, and the system heap (k_malloc and
// friends) — on the sys_heap operations (sys_heap_core.hpp).
//
// Every call on a k_heap holds the heap's port lock for its whole attempt;
// a blocking allocation waits on the lock's condition through the port
// (omniheap_port_wait) until a k_heap_free() (or a realloc that succeeded)
// notifies it or its deadline passes. Faults are reported after the lock is
// released.
#include <zephyr/kernel.h>

#include <string.h>

#include "../common/compiler.hpp"
#include "../common/critical.hpp"
#include "../observe/events.hpp"
#include "engine_heap.hpp"
#include "omniheap_port.h"
#include "sys_heap_core.hpp"

namespace {

namespace eng = omniheap::engine;
namespace zheap = omniheap::bind::zheap;
using eng::Fault;

omniheap_port_lock_t *lock_of(struct k_heap *h) noexcept { return &h->lock.port; }

// ---- faults ------------------------------------------------------------------------------
OMNIHEAP_COLD void report(const struct k_heap *h, const void *p, omniheap_fault_kind_t kind,
                          const char *function) {
  omniheap::observe::fault({kind, OMNIHEAP_FAMILY_K_HEAP, h, p, function, OMNIHEAP_FAULT_PANIC});
}
OMNIHEAP_COLD void report(const struct k_heap *h, const void *p, Fault f, const char *function) {
  if (f != Fault::none && f != Fault::null_pointer) report(h, p, omniheap::bind::fault_kind(f), function);
}

// ---- registry ------------------------------------------------------------------------------
struct k_heap *kheap_of(const void *object) noexcept {
  return const_cast<struct k_heap *>(static_cast<const struct k_heap *>(object));
}
void stats(const void *object, omniheap_stats_t *out) noexcept {
  omniheap::LockGuard lock(*lock_of(kheap_of(object)));
  zheap::stats(&kheap_of(object)->heap, out);
}
int validate(const void *object) noexcept {
  omniheap::LockGuard lock(*lock_of(kheap_of(object)));
  return zheap::validate(&kheap_of(object)->heap);
}
int walk(const void *object, omniheap_walk_fn fn, void *context) noexcept {
  omniheap::LockGuard lock(*lock_of(kheap_of(object)));
  return zheap::walk(&kheap_of(object)->heap, fn, context);
}
void reset_peak(void *object) noexcept {
  omniheap::LockGuard lock(*lock_of(kheap_of(object)));
  zheap::reset_peak(&kheap_of(object)->heap);
}
bool alive(const void *object, const void *cookie) noexcept {
  return zheap::alive(&static_cast<const struct k_heap *>(object)->heap, cookie);
}
// The system heap is named by its kind (set by its static initialiser), so
// that naming it does not link its buffer.
const char *name_of(const void *object) noexcept {
  return static_cast<const struct k_heap *>(object)->wait_q.kind == 1U ? "_system_heap" : nullptr;
}

constexpr omniheap::observe::HeapOps ops = {OMNIHEAP_FAMILY_K_HEAP, stats, validate, walk,
                                            reset_peak, name_of, alive};

// Sets up a k_heap; the caller holds its lock (or nobody can use it yet).
// Registers it; a region too small or too large leaves the empty placeholder.
bool setup(struct k_heap *h, void *mem, size_t bytes) noexcept {
  h->wait_q.waiters = 0;
  h->wait_q.state = 1;
  if (!zheap::init(&h->heap, mem, bytes)) return false;
  omniheap::observe::enter(h, ops, h->heap.heap);
  sys_heap_array_save(&h->heap);
  return true;
}

// Sets up a heap object not set up as a k_heap yet: a K_HEAP_DEFINE heap
// (or the system heap) used before its constructor ran, or with none, or
// one first used through the sys_heap API (registered as a sys_heap then).
OMNIHEAP_COLD void adopt(struct k_heap *h) noexcept {
  if (!zheap::ready(&h->heap)) {
    if (h->heap.init_mem == nullptr || h->heap.init_bytes == 0U ||
        !setup(h, h->heap.init_mem, h->heap.init_bytes)) {
      zheap::set_placeholder(&h->heap);
    }
  } else if (!zheap::placeholder(&h->heap)) {
    omniheap::observe::enter(h, ops, h->heap.heap);
  }
  h->wait_q.state = 1;
}

// Makes sure a heap object is set up as a k_heap; the caller holds its lock.
inline void ready(struct k_heap *h) noexcept {
  if (OMNIHEAP_UNLIKELY(h->wait_q.state == 0U)) adopt(h);
}

// ---- timeouts ----------------------------------------------------------------------------------
constexpr uint64_t ticks_per_sec = OMNIHEAP_CONF_SYS_CLOCK_TICKS_PER_SEC;
static_assert(ticks_per_sec >= 1 && ticks_per_sec <= 1000000, "OMNIHEAP_CONF_SYS_CLOCK_TICKS_PER_SEC: 1 ... 10^6");

// Microseconds of `ticks` (rounded up), saturating below OMNIHEAP_PORT_FOREVER.
uint64_t us_of_ticks(uint64_t ticks) noexcept {
  constexpr uint64_t limit = (OMNIHEAP_PORT_FOREVER - 1U) / 1000000U;
  if (ticks >= limit) return OMNIHEAP_PORT_FOREVER - 1U;
  return (ticks * 1000000U + ticks_per_sec - 1U) / ticks_per_sec;
}

// The deadline of a timeout on the port's clock: 0 for K_NO_WAIT,
// OMNIHEAP_PORT_FOREVER for K_FOREVER. Zephyr's absolute timeouts
// (K_TIMEOUT_ABS_TICKS: ticks <= -2) count from the port clock's origin.
uint64_t deadline_of(k_timeout_t timeout) noexcept {
  const k_ticks_t t = timeout.ticks;
  if (t == K_TICKS_FOREVER) return OMNIHEAP_PORT_FOREVER;
#if OMNIHEAP_CONF_TIMEOUT_64BIT
  if (t < 0) return us_of_ticks(static_cast<uint64_t>(-2 - t));
#endif
  if (t == 0) return 0;
  const uint64_t now = omniheap_port_time_us();
  const uint64_t span = us_of_ticks(static_cast<uint64_t>(t));
  return span >= OMNIHEAP_PORT_FOREVER - 1U - now ? OMNIHEAP_PORT_FOREVER - 1U : now + span;
}

// The waiting part of blocking(), after a failed first attempt (the lock
// held): waits on the heap's condition and retries after every wake-up,
// until a block, a fault, or the deadline (then one last attempt). The
// deadline counts from here, a few instructions after the call started. A
// failed attempt that is retried is not counted as a failed allocation.
template <class Attempt>
OMNIHEAP_NOINLINE void *wait_for(struct k_heap *h, k_timeout_t timeout, Attempt &attempt) noexcept {
  const uint64_t deadline = deadline_of(timeout);
  for (;;) {
    // An absolute deadline at 0, or a heap that can never free anything.
    if (deadline == 0U || zheap::placeholder(&h->heap)) return nullptr;
    --zheap::failures(&h->heap);
    ++h->wait_q.waiters;
    const int woke = omniheap_port_wait(lock_of(h), deadline);
    --h->wait_q.waiters;
    bool stop = false;
    void *p = attempt(stop);
    if (p != nullptr || stop || woke == OMNIHEAP_PORT_TIMEOUT) return p;
  }
}

// Runs attempt() under the heap's lock; if it fails (no memory, no fault)
// and the timeout allows, waits for frees (wait_for). The call counts one
// failed allocation if it ends with NULL.
// Listeners see one failed allocation per call (of `bytes`, shown through
// `tap`), however often it retried: the attempts keep quiet.
constexpr zheap::Tap quiet(zheap::Tap tap) noexcept { return {tap.shift, true}; }

template <class Attempt>
inline void *blocking(struct k_heap *h, k_timeout_t timeout, size_t bytes, zheap::Tap tap, Attempt &&attempt) noexcept {
  omniheap::LockGuard lock(*lock_of(h));
  ready(h);
  // The failure count is read only while listeners watch (to report a
  // failed call once): it costs the hot path nothing otherwise.
  const bool watching = omniheap::observe::watching();
  const uint32_t failures = OMNIHEAP_UNLIKELY(watching) ? zheap::failures(&h->heap) : 0U;
  bool stop = false;
  void *p = attempt(stop);
  if (OMNIHEAP_LIKELY(p != nullptr || stop)) return p;
  if (!K_TIMEOUT_EQ(timeout, K_NO_WAIT)) p = wait_for(h, timeout, attempt);
  if (OMNIHEAP_UNLIKELY(watching && p == nullptr) && zheap::failures(&h->heap) != failures) {
    zheap::failed(&h->heap, bytes, tap);
  }
  return p;
}

void *alloc(struct k_heap *h, zheap::Alignment d, size_t bytes, k_timeout_t timeout, zheap::Tap tap = {}) noexcept {
  // No block of 0 bytes will ever be free: no reason to wait for one.
  if (bytes == 0U) timeout = K_NO_WAIT;
  return blocking(h, timeout, bytes, tap, [&](bool &) { return zheap::alloc(&h->heap, d, bytes, quiet(tap)); });
}

// k_heap_free's work, under the lock; wakes every waiter.
Fault release(struct k_heap *h, void *mem, zheap::Tap tap = {}) noexcept {
  omniheap::LockGuard lock(*lock_of(h));
  ready(h);
  const Fault f = zheap::free(&h->heap, mem, tap);
  if (f == Fault::none && h->wait_q.waiters != 0U) omniheap_port_notify_all(lock_of(h));
  return f;
}

// A realloc that succeeded may have freed memory (a shrink, or a move):
// waiters retry, as after a free.
void wake_after_realloc(struct k_heap *h, const void *result) noexcept {
  if (result != nullptr && h->wait_q.waiters != 0U) omniheap_port_notify_all(lock_of(h));
}

bool product(size_t num, size_t size, size_t &bytes) noexcept { return !__builtin_mul_overflow(num, size, &bytes); }

} // namespace

// ---- k_heap API -----------------------------------------------------------------------------

OMNIHEAP_EXPORT void k_heap_init(struct k_heap *h, void *mem, size_t bytes) {
  memset(static_cast<void *>(lock_of(h)), 0, sizeof(omniheap_port_lock_t));
  h->wait_q.kind = 0; // an ordinary k_heap (the system heap is set up by adopt())
  if (!setup(h, mem, bytes)) report(h, mem, OMNIHEAP_FAULT_BAD_ARGUMENT, "k_heap_init");
}

OMNIHEAP_EXPORT void *k_heap_aligned_alloc(struct k_heap *h, size_t align, size_t bytes, k_timeout_t timeout) {
  // A power of two, or Zephyr's rewind encoding with a rewind of whole
  // pointers (what the system heap's prefix uses): 3 (= 2 + 1) and the like
  // are misuse, as Zephyr's k_heap tests expect.
  const zheap::Alignment d = zheap::decode(align);
  if (OMNIHEAP_UNLIKELY(!zheap::well_formed(d) || d.rewind % sizeof(void *) != 0U)) {
    report(h, nullptr, OMNIHEAP_FAULT_BAD_ALIGNMENT, "k_heap_aligned_alloc");
    return nullptr;
  }
  return alloc(h, d, bytes, timeout);
}

OMNIHEAP_EXPORT void *k_heap_alloc(struct k_heap *h, size_t bytes, k_timeout_t timeout) {
  return alloc(h, zheap::Alignment{0, 0}, bytes, timeout);
}

OMNIHEAP_EXPORT void *k_heap_calloc(struct k_heap *h, size_t num, size_t size, k_timeout_t timeout) {
  size_t bytes;
  if (!product(num, size, bytes)) return nullptr;
  void *p = k_heap_alloc(h, bytes, timeout);
  if (p != nullptr) memset(p, 0, bytes);
  return p;
}

OMNIHEAP_EXPORT void *k_heap_realloc(struct k_heap *h, void *ptr, size_t bytes, k_timeout_t timeout) {
  if (ptr == nullptr) return k_heap_alloc(h, bytes, timeout);
  if (bytes == 0U) {
    k_heap_free(h, ptr);
    return nullptr;
  }
  Fault f = Fault::none;
  void *p = blocking(h, timeout, bytes, zheap::Tap{}, [&](bool &stop) {
    void *q = zheap::realloc(&h->heap, ptr, zheap::Alignment{0, 0}, bytes, f, quiet(zheap::Tap{}));
    stop = f != Fault::none;
    wake_after_realloc(h, q);
    return q;
  });
  if (OMNIHEAP_UNLIKELY(f != Fault::none)) report(h, ptr, f, "k_heap_realloc");
  return p;
}

OMNIHEAP_EXPORT void k_heap_free(struct k_heap *h, void *mem) {
  if (mem == nullptr) return;
  const Fault f = release(h, mem);
  if (OMNIHEAP_UNLIKELY(f != Fault::none)) report(h, mem, f, "k_heap_free");
}

// The K_HEAP_DEFINE heaps: GNU ld collects the section omniheap_k_heap and
// defines these (firmware linker scripts define them around the section).
extern "C" {
extern struct k_heap __start_omniheap_k_heap[] __attribute__((weak, visibility("hidden")));
extern struct k_heap __stop_omniheap_k_heap[] __attribute__((weak, visibility("hidden")));
}

OMNIHEAP_EXPORT int k_heap_array_get(struct k_heap **heap) {
  if (heap == nullptr) return 0;
#if defined(__PIC__) && !defined(__PIE__)
  // The shared library: the program's heaps are in the program's section,
  // out of reach (and a program naming _system_heap uses its own copy).
  *heap = nullptr;
  return 0;
#endif
  struct k_heap *first = __start_omniheap_k_heap;
  struct k_heap *last = __stop_omniheap_k_heap;
  if (first == nullptr || last == nullptr || last <= first) {
    *heap = nullptr;
    return 0;
  }
  *heap = first;
  return static_cast<int>(last - first);
}

// ---- the system heap ------------------------------------------------------------------------

namespace {
constexpr size_t prefix = sizeof(void *); // the owning k_heap, just below every block
}

#if OMNIHEAP_CONF_HEAP_MEM_POOL_SIZE > 0

namespace {
constexpr size_t pool_bytes = OMNIHEAP_CONF_HEAP_MEM_POOL_SIZE > Z_HEAP_MIN_SIZE ? OMNIHEAP_CONF_HEAP_MEM_POOL_SIZE
                                                                                  : Z_HEAP_MIN_SIZE;
alignas(8) char kheap__system_heap[pool_bytes];
} // namespace

// Statically initialised (no constructor): set up by its first use.
__attribute__((visibility("default"), section("omniheap_k_heap"), used,
               aligned(alignof(struct k_heap)))) struct k_heap _system_heap = {
    {nullptr, kheap__system_heap, pool_bytes}, {0U, 0U, 1U}, {OMNIHEAP_PORT_LOCK_INIT}};

namespace {

constexpr bool have_system_heap = true;
struct k_heap *const system_heap = &_system_heap;

} // namespace

OMNIHEAP_EXPORT void *k_aligned_alloc(size_t align, size_t size) {
  if (OMNIHEAP_UNLIKELY(align == 0U || (align & (align - 1U)) != 0U || align % prefix != 0U)) {
    report(system_heap, nullptr, OMNIHEAP_FAULT_BAD_ALIGNMENT, "k_aligned_alloc");
    return nullptr;
  }
  if (OMNIHEAP_UNLIKELY(size > SIZE_MAX - prefix)) return nullptr;
  // A block whose first word (the prefix) sits just below an `align`
  // boundary: Zephyr's rewind encoding, (p + prefix) % align == 0.
  const zheap::Alignment d = align > prefix ? zheap::Alignment{align, prefix} : zheap::Alignment{0, 0};
  void **p = static_cast<void **>(alloc(system_heap, d, size + prefix, K_NO_WAIT, zheap::Tap{prefix, false}));
  if (p == nullptr) return nullptr;
  p[0] = system_heap;
  return p + 1;
}

OMNIHEAP_EXPORT void *k_malloc(size_t size) { return k_aligned_alloc(prefix, size); }

OMNIHEAP_EXPORT void *k_calloc(size_t nmemb, size_t size) {
  size_t bytes;
  if (!product(nmemb, size, bytes)) return nullptr;
  void *p = k_malloc(bytes);
  if (p != nullptr) memset(p, 0, bytes);
  return p;
}

#else

namespace {
constexpr bool have_system_heap = false;
struct k_heap *const system_heap = nullptr;
} // namespace

#endif

namespace {

// The owning heap of a k_malloc block, or nullptr (then the fault is reported).
OMNIHEAP_COLD void diagnose(void *ptr, const char *function) noexcept;
inline struct k_heap *owner_of(void *ptr, const char *function) noexcept {
  struct k_heap *h;
  memcpy(&h, static_cast<unsigned char *>(ptr) - prefix, sizeof h);
  if (OMNIHEAP_LIKELY(h != nullptr && h == system_heap)) return h;
  diagnose(ptr, function);
  return nullptr;
}

// Names what is wrong with a pointer whose prefix is not the system heap:
// a block freed already (its prefix reused by the free lists), a pointer
// into the heap that is no block, or a foreign one.
void diagnose(void *ptr, const char *function) noexcept {
  if (!have_system_heap) {
    report(nullptr, ptr, OMNIHEAP_FAULT_FOREIGN_POINTER, function);
    return;
  }
  Fault f;
  {
    omniheap::LockGuard lock(*lock_of(system_heap));
    ready(system_heap);
    void *base = static_cast<unsigned char *>(ptr) - prefix;
    if (!zheap::contains(&system_heap->heap, ptr)) {
      f = Fault::foreign;
    } else {
      f = zheap::check(&system_heap->heap, base);
      // A block in use whose prefix was overwritten: corrupt, not freed.
      if (f == Fault::none) f = Fault::corrupt;
    }
  }
  report(system_heap, ptr, f, function);
}

} // namespace

OMNIHEAP_EXPORT void k_free(void *ptr) {
  if (ptr == nullptr) return;
  struct k_heap *h = owner_of(ptr, "k_free");
  if (h == nullptr) return;
  void *base = static_cast<unsigned char *>(ptr) - prefix;
  const Fault f = release(h, base, zheap::Tap{prefix, false});
  if (OMNIHEAP_UNLIKELY(f != Fault::none)) report(h, ptr, f, "k_free");
}

#if OMNIHEAP_CONF_HEAP_MEM_POOL_SIZE > 0

OMNIHEAP_EXPORT void *k_realloc(void *ptr, size_t size) {
  if (size == 0U) {
    k_free(ptr);
    return nullptr;
  }
  if (ptr == nullptr) return k_malloc(size);
  if (OMNIHEAP_UNLIKELY(size > SIZE_MAX - prefix)) return nullptr;
  struct k_heap *h = owner_of(ptr, "k_realloc");
  if (h == nullptr) return nullptr;
  void *base = static_cast<unsigned char *>(ptr) - prefix;
  Fault f = Fault::none;
  void *p = blocking(h, K_NO_WAIT, size + prefix, zheap::Tap{prefix, false}, [&](bool &) {
    void *q = zheap::realloc(&h->heap, base, zheap::Alignment{0, 0}, size + prefix, f, zheap::Tap{prefix, true});
    wake_after_realloc(h, q);
    return q;
  });
  if (OMNIHEAP_UNLIKELY(f != Fault::none)) {
    report(h, ptr, f, "k_realloc");
    return nullptr;
  }
  // The prefix moved with the contents.
  return p == nullptr ? nullptr : static_cast<unsigned char *>(p) + prefix;
}

#endif
