// Contiki-NG HeapMem ("lib/heapmem.h") on the SegregatedFit engine.
//
// One static arena, set up on first use, sized so that its single free chunk
// holds exactly OMNIHEAP_CONF_HEAPMEM_ARENA_SIZE bytes (rounded up to the
// unit): heapmem_stats() then reports the whole arena size as available.
//
// Blocks may carry a trailer at the end of their chunk, inside the bytes the
// caller did not ask for: the zone (when there is more than one zone: the
// zone byte and a check byte tied to the block's address) and, for blocks
// from the _debug functions, the caller's file and line with a check word
// tied to them and to the address (printed by heapmem_print_debug_info()).
// A trailer whose check fails is never trusted: an overflow that changed a
// zone byte makes heapmem_free() report corrupt metadata and return false.
#include "lib/heapmem.h"

#include <stddef.h>
#include <string.h>

#include "../common/compiler.hpp"
#include "../common/critical.hpp"
#include "../common/text.hpp"
#include "../observe/events.hpp"
#include "engine_heap.hpp"
#include "omniheap_port.h"

namespace {

namespace eng = omniheap::engine;

constexpr size_t alignment =
    OMNIHEAP_CONF_HEAPMEM_ALIGNMENT != 0 ? OMNIHEAP_CONF_HEAPMEM_ALIGNMENT : alignof(max_align_t);
static_assert(alignment >= 4 && alignment <= 16 && (alignment & (alignment - 1)) == 0,
              "OMNIHEAP_CONF_HEAPMEM_ALIGNMENT must be 4, 8 or 16 (or 0)");
constexpr size_t unit = alignment > 8 ? alignment : 8;
constexpr size_t arena_size = OMNIHEAP_CONF_HEAPMEM_ARENA_SIZE;
static_assert(arena_size >= 16, "OMNIHEAP_CONF_HEAPMEM_ARENA_SIZE is too small");
constexpr size_t free_units = (arena_size + unit - 1) / unit;
constexpr size_t max_zones = OMNIHEAP_CONF_HEAPMEM_MAX_ZONES;
constexpr heapmem_zone_t invalid_zone = 0xFFU; // HEAPMEM_ZONE_INVALID, without its C cast
static_assert(max_zones >= 1 && max_zones <= 255, "OMNIHEAP_CONF_HEAPMEM_MAX_ZONES must be 1 ... 255");

// 4-byte headers where the arena is small enough and the Control block can
// sit where they put it; else 8-byte headers.
constexpr size_t compact_lead = (alignment - 4 % alignment) % alignment;
constexpr bool compact = free_units < 32000 && compact_lead % alignof(size_t) == 0 &&
                         compact_lead % alignof(void *) == 0;
using Field = typename std::conditional<compact, uint16_t, uint32_t>::type;
using E = eng::SegregatedFit<eng::Layout<Field, unit, alignment>>;
using Control = E::Control;

constexpr size_t region_bytes = E::min_region(free_units * unit - E::header);
alignas(unit) unsigned char arena[region_bytes];
Control *heap;

using Guard = omniheap::OptionalCriticalSection<OMNIHEAP_CONF_HEAPMEM_LOCKED != 0>;

// ---- trailers -----------------------------------------------------------------------
constexpr bool zoned = max_zones > 1;
constexpr size_t zone_bytes = zoned ? 2U : 0U; // zone, check

struct Origin {
  const char *file;
  uint32_t line;
  uint32_t check; // origin_check(block, file, line)
};
constexpr uint32_t origin_magic = 0x4F524947U;

uint32_t origin_check(const void *p, const char *file, uint32_t line) noexcept {
  uint32_t x = origin_magic ^ static_cast<uint32_t>(reinterpret_cast<uintptr_t>(p));
  x = (x ^ static_cast<uint32_t>(reinterpret_cast<uintptr_t>(file))) * 0x9E3779B1U;
  return (x ^ line) * 0x85EBCA6BU;
}
unsigned char zone_check(const void *p, heapmem_zone_t zone) noexcept {
  return static_cast<unsigned char>(0xA5U ^ zone ^ (reinterpret_cast<uintptr_t>(p) >> 3));
}

// Bytes to ask the engine for: the caller's, then the trailer.
constexpr size_t debug_bytes = sizeof(Origin) + alignof(Origin);

struct Zone {
  const char *name;
  size_t budget;    // bytes this zone may hold, headers included
  size_t allocated; // bytes it holds
};
Zone zones[max_zones]; // with one zone, GENERAL's `allocated` is not kept (see charged())
size_t max_footprint;

unsigned char *trailer_end(void *p) noexcept {
  return static_cast<unsigned char *>(p) + E::usable_size(heap, p);
}

// The zone of block p, or invalid_zone if its trailer was overwritten.
heapmem_zone_t zone_of(void *p) noexcept {
  if (!zoned) return HEAPMEM_ZONE_GENERAL;
  const unsigned char *end = trailer_end(p);
  const heapmem_zone_t zone = end[-2];
  if (end[-1] != zone_check(p, zone) || zone >= max_zones || zones[zone].name == nullptr) return invalid_zone;
  return zone;
}

Origin *origin_slot(void *p) noexcept {
  const uintptr_t end = reinterpret_cast<uintptr_t>(trailer_end(p)) - zone_bytes - sizeof(Origin);
  return reinterpret_cast<Origin *>(end & ~uintptr_t(alignof(Origin) - 1U));
}

// Block p's origin if it came from a _debug function (and the record is intact).
const Origin *origin_of(void *p) noexcept {
  if (E::usable_size(heap, p) < zone_bytes + debug_bytes) return nullptr;
  const Origin *o = origin_slot(p);
  return o->check == origin_check(p, o->file, o->line) ? o : nullptr;
}

void mark(void *p, heapmem_zone_t zone, const char *file, unsigned line) noexcept {
  if (zoned) {
    unsigned char *end = trailer_end(p);
    end[-2] = zone;
    end[-1] = zone_check(p, zone);
  }
  if (file != nullptr) *origin_slot(p) = Origin{file, line, origin_check(p, file, line)};
}

// Bytes of the chunks charged to a zone; with one zone, every chunk in use.
size_t charged(heapmem_zone_t zone) noexcept {
  return zoned ? zones[zone].allocated : E::used_bytes(heap);
}

// ---- set-up and registry ---------------------------------------------------------------

// The largest request heapmem_alloc() could satisfy now: the largest free
// chunk, within what is left of the GENERAL zone's budget, less the zone byte.
size_t largest_request() noexcept;

void stats_op(const void *, omniheap_stats_t *out) noexcept {
  Guard guard;
  omniheap::bind::engine_stats<E>(heap, out);
  out->largest_free = largest_request();
}
int validate_op(const void *) noexcept {
  Guard guard;
  return E::valid(heap) ? OMNIHEAP_OK : OMNIHEAP_ERR_CORRUPT;
}
int walk_op(const void *, omniheap_walk_fn fn, void *context) noexcept {
  Guard guard;
  return omniheap::bind::engine_walk<E>(heap, fn, context);
}
void reset_peak_op(void *) noexcept {
  Guard guard;
  E::reset_peak(heap);
}
const char *name_op(const void *) noexcept { return "heapmem"; }

constexpr omniheap::observe::HeapOps ops = {OMNIHEAP_FAMILY_HEAPMEM, stats_op, validate_op, walk_op,
                                            reset_peak_op, name_op, nullptr};

OMNIHEAP_COLD void set_up() noexcept {
  heap = E::init(arena, sizeof arena);
  zones[HEAPMEM_ZONE_GENERAL] = Zone{"GENERAL", arena_size, 0};
  omniheap::observe::enter(arena, ops);
}

// The arena, set up on first use. Called inside the guard.
inline Control *arena_heap() noexcept {
  if (OMNIHEAP_UNLIKELY(heap == nullptr)) set_up();
  return heap;
}

size_t largest_request() noexcept {
  const Zone &general = zones[HEAPMEM_ZONE_GENERAL];
  const size_t room = general.budget - charged(HEAPMEM_ZONE_GENERAL); // whole chunks
  const size_t by_budget = room / unit * unit >= E::header ? room / unit * unit - E::header : 0U;
  size_t n = E::largest_free(heap);
  if (n > by_budget) n = by_budget;
  if (n > arena_size) n = arena_size;
  return n > zone_bytes ? n - zone_bytes : 0U;
}

size_t footprint() noexcept {
  const size_t used = E::total_bytes(heap) - E::top_free_units(heap) * unit;
  return used < arena_size ? used : arena_size;
}

void note_footprint() noexcept {
  const size_t f = footprint();
  if (f > max_footprint) max_footprint = f;
}

OMNIHEAP_COLD void report(const void *p, eng::Fault f, const char *function) {
  if (f == eng::Fault::null_pointer) return;
  omniheap::observe::fault({omniheap::bind::fault_kind(f), OMNIHEAP_FAMILY_HEAPMEM, arena, p, function,
                            OMNIHEAP_FAULT_RETURN});
}

// ---- operations (called inside the guard) ------------------------------------------------

void *allocate(heapmem_zone_t zone, size_t size, const char *file, unsigned line) noexcept {
  Control *h = arena_heap();
  if (OMNIHEAP_UNLIKELY(size - 1U >= arena_size || zone >= max_zones)) { // 0, too large, no zone
    if (size != 0U) ++h->failures;
    return nullptr;
  }
  const size_t extra = zone_bytes + (file != nullptr ? debug_bytes : 0U);
  if (!zoned) { // one zone: its budget is the arena, which the engine enforces
    void *p = E::alloc(h, size + extra);
    if (p == nullptr) return nullptr;
    if (file != nullptr) mark(p, zone, file, line);
    note_footprint();
    return p;
  }
  if (zones[zone].budget == 0U) {
    ++h->failures;
    return nullptr;
  }
  // The counters, to undo an allocation over budget.
  const size_t peak = h->peak_units, headroom = h->headroom;
  const uint32_t allocations = h->allocations, frees = h->frees, failures = h->failures;
  void *p = E::alloc(h, size + extra);
  if (p == nullptr) return nullptr;
  const size_t charge = E::chunk_bytes(h, p);
  if (zones[zone].allocated + charge > zones[zone].budget) {
    E::free(h, p); // over the zone's budget: as if it had not happened
    h->peak_units = peak;
    h->headroom = headroom;
    h->allocations = allocations;
    h->frees = frees;
    h->failures = failures + 1U;
    return nullptr;
  }
  zones[zone].allocated += charge;
  mark(p, zone, file, line);
  note_footprint();
  return p;
}

// Fault::none if p is a block in use with an intact zone trailer.
eng::Fault verify(Control *h, void *p) noexcept {
  const eng::Fault f = E::check(h, p);
  if (f != eng::Fault::none) return f;
  if (zoned) {
    const heapmem_zone_t zone = zone_of(p);
    if (zone == invalid_zone || zones[zone].allocated < E::chunk_bytes(h, p)) return eng::Fault::corrupt;
  }
  return eng::Fault::none;
}

bool release(void *p, const char *function) noexcept {
  Control *h = arena_heap();
  if (!zoned) {
    const eng::Fault f = E::free(h, p);
    if (OMNIHEAP_UNLIKELY(f != eng::Fault::none)) {
      report(p, f, function);
      return false;
    }
    return true;
  }
  const eng::Fault f = verify(h, p);
  if (f != eng::Fault::none) {
    report(p, f, function);
    return false;
  }
  zones[zone_of(p)].allocated -= E::chunk_bytes(h, p);
  E::free(h, p);
  return true;
}

void *resize(void *p, size_t size, const char *file, unsigned line) noexcept {
  if (p == nullptr) return allocate(HEAPMEM_ZONE_GENERAL, size, file, line);
  if (size == 0U) {
    release(p, "heapmem_realloc");
    return nullptr;
  }
  Control *h = arena_heap();
  const eng::Fault f = verify(h, p);
  if (f != eng::Fault::none) {
    report(p, f, "heapmem_realloc");
    return nullptr;
  }
  if (size > arena_size) {
    ++h->failures;
    return nullptr;
  }
  const heapmem_zone_t zone = zone_of(p);
  const Origin *recorded = file == nullptr ? origin_of(p) : nullptr;
  const bool debug = file != nullptr || recorded != nullptr;
  const Origin origin = recorded != nullptr ? *recorded : Origin{file, line, 0};
  const size_t extra = zone_bytes + (debug ? debug_bytes : 0U);
  const size_t before = E::chunk_bytes(h, p);
  if (E::resize_in_place(h, p, size + extra)) {
    const size_t after = E::chunk_bytes(h, p);
    if (!zoned) {
      if (debug) mark(p, zone, origin.file, origin.line);
      note_footprint();
      return p;
    }
    if (zones[zone].allocated - before + after <= zones[zone].budget) {
      zones[zone].allocated = zones[zone].allocated - before + after;
      mark(p, zone, debug ? origin.file : nullptr, origin.line);
      note_footprint();
      return p;
    }
    E::resize_in_place(h, p, before - E::header); // back to the old chunk: over budget
    mark(p, zone, debug ? origin.file : nullptr, origin.line);
  }
  void *q = allocate(zone, size, debug ? origin.file : nullptr, origin.line);
  if (q == nullptr) return nullptr;
  const size_t old_usable = E::usable_size(h, p);
  memcpy(q, p, old_usable < size ? old_usable : size);
  release(p, "heapmem_realloc");
  return q;
}

void *zeroed(size_t nmemb, size_t size, const char *file, unsigned line) noexcept {
  if (nmemb == 0U || size == 0U) return nullptr;
  if (nmemb > SIZE_MAX / size) {
    ++arena_heap()->failures;
    return nullptr;
  }
  void *p = allocate(HEAPMEM_ZONE_GENERAL, nmemb * size, file, line);
  if (p != nullptr) memset(p, 0, nmemb * size);
  return p;
}

// ---- listener events (outside the hot path: only while listeners watch) -------------------

namespace observe = omniheap::observe;

// The arena's usage before an API call, and the event the call's outcome
// makes (observe::Call). Constructed inside the guard.
observe::Usage usage() noexcept {
  Control *h = arena_heap();
  return {E::used_bytes(h), E::peak_bytes(h), h->failures};
}

class Watch {
public:
  Watch() noexcept
      : on_(observe::watching()), call_(OMNIHEAP_FAMILY_HEAPMEM, arena, on_ ? usage() : observe::Usage{}) {}
  bool on() const noexcept { return on_; }
  // The size of block p before a realloc (p passed verify()), else 0.
  static size_t old_bytes(void *p) noexcept {
    return p != nullptr && verify(arena_heap(), p) == eng::Fault::none ? E::chunk_bytes(heap, p) : 0U;
  }
  void allocated(void *p, size_t size) const noexcept {
    call_.allocated(p, size, p != nullptr ? E::chunk_bytes(heap, p) : 0U, usage());
  }
  void freed(void *p, size_t bytes) const noexcept { call_.freed(p, bytes); }
  void resized(void *q, void *p, size_t size, size_t old) const noexcept {
    call_.reallocated(q, p, size, q != nullptr ? E::chunk_bytes(heap, q) : 0U, old, usage());
  }

private:
  bool on_;
  observe::Call call_;
};

void *watched_allocate(heapmem_zone_t zone, size_t size, const char *file, unsigned line) noexcept {
  const Watch w;
  void *p = allocate(zone, size, file, line);
  if (OMNIHEAP_UNLIKELY(w.on())) w.allocated(p, size);
  return p;
}

bool watched_release(void *p, const char *function) noexcept {
  if (OMNIHEAP_LIKELY(!observe::watching())) return release(p, function);
  const Watch w;
  const size_t bytes = Watch::old_bytes(p);
  const bool ok = release(p, function);
  if (ok) w.freed(p, bytes);
  return ok;
}

void *watched_resize(void *p, size_t size, const char *file, unsigned line) noexcept {
  if (OMNIHEAP_LIKELY(!observe::watching())) return resize(p, size, file, line);
  if (p == nullptr) return watched_allocate(HEAPMEM_ZONE_GENERAL, size, file, line);
  if (size == 0U) {
    watched_release(p, "heapmem_realloc");
    return nullptr;
  }
  const Watch w;
  const size_t old = Watch::old_bytes(p);
  void *q = resize(p, size, file, line);
  if (old != 0U) w.resized(q, p, size, old);
  return q;
}

void *watched_zeroed(size_t nmemb, size_t size, const char *file, unsigned line) noexcept {
  const Watch w;
  void *p = zeroed(nmemb, size, file, line);
  if (OMNIHEAP_UNLIKELY(w.on())) w.allocated(p, nmemb != 0U && size > SIZE_MAX / nmemb ? SIZE_MAX : nmemb * size);
  return p;
}

} // namespace

// ---- API -------------------------------------------------------------------------------------

OMNIHEAP_EXPORT heapmem_zone_t heapmem_zone_register(const char *name, size_t zone_size) {
  Guard guard;
  arena_heap();
  if (name == nullptr || zone_size == 0U) return invalid_zone;
  Zone &general = zones[HEAPMEM_ZONE_GENERAL];
  if (zone_size > general.budget - charged(HEAPMEM_ZONE_GENERAL)) return invalid_zone;
  size_t slot = 0;
  for (size_t z = 1; z < max_zones; ++z) {
    if (zones[z].name == nullptr) {
      if (slot == 0U) slot = z;
    } else if (strcmp(zones[z].name, name) == 0) {
      return invalid_zone;
    }
  }
  if (slot == 0U) return invalid_zone;
  zones[slot] = Zone{name, zone_size, 0};
  general.budget -= zone_size;
  return static_cast<heapmem_zone_t>(slot);
}

OMNIHEAP_EXPORT void *heapmem_zone_alloc(heapmem_zone_t zone, size_t size) {
  Guard guard;
  return watched_allocate(zone, size, nullptr, 0);
}

OMNIHEAP_EXPORT void *heapmem_realloc(void *ptr, size_t size) {
  Guard guard;
  return watched_resize(ptr, size, nullptr, 0);
}

OMNIHEAP_EXPORT void *heapmem_calloc(size_t nmemb, size_t size) {
  Guard guard;
  return watched_zeroed(nmemb, size, nullptr, 0);
}

OMNIHEAP_EXPORT bool heapmem_free(void *ptr) {
  Guard guard;
  return watched_release(ptr, "heapmem_free");
}

OMNIHEAP_EXPORT void *heapmem_zone_alloc_debug(heapmem_zone_t zone, size_t size, const char *file,
                                               const unsigned line) {
  Guard guard;
  return watched_allocate(zone, size, file != nullptr ? file : "?", line);
}

OMNIHEAP_EXPORT void *heapmem_alloc_debug(size_t size, const char *file, const unsigned line) {
  return heapmem_zone_alloc_debug(HEAPMEM_ZONE_GENERAL, size, file, line);
}

OMNIHEAP_EXPORT void *heapmem_realloc_debug(void *ptr, size_t size, const char *file,
                                            const unsigned line) {
  Guard guard;
  return watched_resize(ptr, size, file != nullptr ? file : "?", line);
}

OMNIHEAP_EXPORT void *heapmem_calloc_debug(size_t nmemb, size_t size, const char *file,
                                           const unsigned line) {
  Guard guard;
  return watched_zeroed(nmemb, size, file != nullptr ? file : "?", line);
}

OMNIHEAP_EXPORT bool heapmem_free_debug(void *ptr, const char *file, const unsigned line) {
  (void)file;
  (void)line;
  Guard guard;
  return watched_release(ptr, "heapmem_free_debug");
}

OMNIHEAP_EXPORT void heapmem_stats(heapmem_stats_t *stats) {
  if (stats == nullptr) return;
  Guard guard;
  Control *h = arena_heap();
  const size_t live = E::live_blocks(h);
  const size_t pad = free_units * unit - arena_size; // rounding the arena up to the unit
  const size_t free_bytes = E::free_bytes(h);
  stats->allocated = E::used_bytes(h) - live * E::header;
  stats->overhead = live * E::header;
  stats->available = free_bytes > pad ? free_bytes - pad : 0U;
  stats->footprint = footprint();
  stats->max_footprint = max_footprint;
  stats->chunks = live;
}

OMNIHEAP_EXPORT size_t heapmem_alignment(void) { return alignment; }

namespace {
using Line = omniheap::Text<160>;
} // namespace

OMNIHEAP_EXPORT void heapmem_print_debug_info(bool print_chunks) {
  heapmem_stats_t s;
  heapmem_stats(&s);
  Guard guard;
  Line line;
  line.put("heapmem: arena ").decimal(arena_size).put(" bytes at ").hex(reinterpret_cast<uintptr_t>(arena));
  line.put(", alignment ").decimal(alignment).put(", header ").decimal(E::header).put(" bytes");
  line.emit(omniheap_port_write);
  line.put("  allocated ").decimal(s.allocated).put(", overhead ").decimal(s.overhead);
  line.put(", available ").decimal(s.available).put(", footprint ").decimal(s.footprint);
  line.put(" (max ").decimal(s.max_footprint).put("), chunks ").decimal(s.chunks);
  line.emit(omniheap_port_write);
  for (size_t z = 0; z < max_zones; ++z) {
    if (zones[z].name == nullptr) continue;
    line.put("  zone ").decimal(z).put(" '").put(zones[z].name).put("': ").decimal(charged(static_cast<heapmem_zone_t>(z)));
    line.put(" of ").decimal(zones[z].budget).put(" bytes");
    line.emit(omniheap_port_write);
  }
  if (!print_chunks) return;
  E::walk(heap, [&](unsigned char *p, size_t bytes, bool used) {
    line.put("  chunk ").hex(reinterpret_cast<uintptr_t>(p)).put(used ? " used " : " free ").decimal(bytes);
    if (used) {
      const heapmem_zone_t zone = zone_of(p);
      if (zone == invalid_zone) {
        line.put(" zone ?");
      } else {
        line.put(" zone ").decimal(zone);
      }
      const Origin *o = origin_of(p);
      if (o != nullptr) line.put(" from ").put(o->file).put(':').decimal(o->line);
    }
    line.emit(omniheap_port_write);
    return 0;
  });
}
