// FixedPool: a pool of equal-sized blocks with constant-time allocate and
// release. Knows no family: a binding describes where the pool's state lives
// through a Fields class (see below). Internal header.
//
// State (all of it owned by the binding's object):
//   base, block_size, count  the block array: block i at base + i * block_size
//   used[count]              one flag per block; the single source of truth
//   free_head                1 + index of the most recently released block, 0: none
//   fresh                    blocks fresh ... count-1 have never been handed out
//   in_use, peak             live blocks and their high-water mark
//   allocations, failures    counters of successful / failed allocate() calls
//
// Released blocks form a LIFO list threaded through the blocks themselves:
// the first two bytes of a free block hold 1 + the index of the next free
// block (0 ends the list). Blocks never handed out stay untouched (a zeroed
// pool hands out zeroed blocks). Pools whose blocks are smaller than a link
// keep no list and scan `used` instead: O(count), as the original MEMB.
//
// Zero-initialised state (after the first four fields are set) is a valid
// empty pool: free_head = 0, fresh = 0.
//
// Misuse never corrupts the pool: release() classifies a bad pointer before
// touching anything, and allocate() verifies each link it follows; a link
// that is out of range or names a used block (a write after free) makes it
// rebuild the list from `used`, and it reports that it did.
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../common/compiler.hpp"

namespace omniheap::engine {

// Fields<Object> must provide, for `Object &o`:
//   static unsigned char *base(Object &o);
//   static size_t block_size(const Object &o);   // > 0
//   static size_t count(const Object &o);        // 0 ... 65535
//   static bool *used(Object &o);
//   static uint16_t &free_head(Object &o), &fresh(o), &in_use(o), &peak(o);
//   static uint32_t &allocations(Object &o), &failures(Object &o);
template <class Object, class Fields> class FixedPool {
public:
  using Link = uint16_t;

  enum class Release : uint8_t { ok, null_pointer, foreign, interior, double_free };

  struct Allocation {
    void *block;   // NULL when the pool is full
    bool repaired; // a corrupted free list was detected and rebuilt
  };

  static constexpr bool has_links(size_t block_size) noexcept {
    return block_size >= sizeof(Link);
  }

  // Empties the pool. Does not touch the blocks' contents.
  static void reset(Object &o) noexcept {
    memset(Fields::used(o), 0, Fields::count(o) * sizeof(bool));
    Fields::free_head(o) = 0;
    Fields::fresh(o) = 0;
    Fields::in_use(o) = 0;
    Fields::peak(o) = 0;
    Fields::allocations(o) = 0;
    Fields::failures(o) = 0;
  }

  static Allocation allocate(Object &o) noexcept {
    const size_t size = Fields::block_size(o);
    unsigned char *const base = Fields::base(o);
    bool *const used = Fields::used(o);
    size_t index;
    bool repaired = false;
    const unsigned head = Fields::free_head(o);
    if (head != 0U) {
      index = head - 1U;
      Link next;
      memcpy(&next, base + index * size, sizeof next);
      if (OMNIHEAP_UNLIKELY(next > Fields::fresh(o) || used[index])) {
        return allocate_after_repair(o);
      }
      Fields::free_head(o) = next;
    } else {
      index = Fields::fresh(o);
      if (OMNIHEAP_UNLIKELY(index >= Fields::count(o))) {
        return allocate_slow(o, repaired);
      }
      Fields::fresh(o) = static_cast<uint16_t>(index + 1U);
    }
    return take(o, index, repaired);
  }

  static Release release(Object &o, void *pointer) noexcept {
    const size_t size = Fields::block_size(o);
    unsigned char *const base = Fields::base(o);
    const uintptr_t offset =
        reinterpret_cast<uintptr_t>(pointer) - reinterpret_cast<uintptr_t>(base);
    if (OMNIHEAP_UNLIKELY(offset >= size * Fields::count(o))) {
      return pointer == nullptr ? Release::null_pointer : Release::foreign;
    }
    const size_t index = offset / size;
    if (OMNIHEAP_UNLIKELY(offset != index * size)) return Release::interior;
    bool *const used = Fields::used(o);
    if (OMNIHEAP_UNLIKELY(!used[index])) return Release::double_free;
    used[index] = false;
    Fields::in_use(o) = static_cast<uint16_t>(Fields::in_use(o) - 1U);
    if (has_links(size)) {
      const Link link = Fields::free_head(o);
      memcpy(base + offset, &link, sizeof link);
      Fields::free_head(o) = static_cast<uint16_t>(index + 1U);
    }
    return Release::ok;
  }

  static bool contains(Object &o, const void *pointer) noexcept {
    const uintptr_t offset = reinterpret_cast<uintptr_t>(pointer) -
                             reinterpret_cast<uintptr_t>(Fields::base(o));
    return offset < Fields::block_size(o) * Fields::count(o);
  }

  static size_t free_blocks(const Object &o) noexcept {
    return Fields::count(o) - Fields::in_use(const_cast<Object &>(o));
  }

  // Checks every invariant; never modifies the pool.
  static bool valid(Object &o) noexcept {
    const size_t size = Fields::block_size(o);
    const size_t count = Fields::count(o);
    const size_t fresh = Fields::fresh(o);
    const bool *used = Fields::used(o);
    if (size == 0U || fresh > count || Fields::in_use(o) > count ||
        Fields::peak(o) < Fields::in_use(o)) {
      return false;
    }
    size_t used_count = 0;
    for (size_t i = 0; i < count; ++i) {
      if (used[i]) {
        if (i >= fresh) return false; // handed out but above the watermark
        ++used_count;
      }
    }
    if (used_count != Fields::in_use(o)) return false;
    if (!has_links(size)) return Fields::free_head(o) == 0U;
    // Walk the list: every entry in range, free, and visited once; the list
    // length is bounded by the number of free blocks below the watermark.
    const size_t listed_max = fresh - used_count;
    size_t listed = 0;
    unsigned link = Fields::free_head(o);
    while (link != 0U) {
      if (link > fresh || listed == listed_max) return false;
      const size_t index = link - 1U;
      if (used[index]) return false;
      ++listed;
      Link next;
      memcpy(&next, Fields::base(o) + index * size, sizeof next);
      link = next;
    }
    return listed == listed_max; // every free block below fresh is listed
  }

  // Calls fn(block, size, used) for every block in address order; stops when
  // fn returns non-zero.
  template <class Fn> static void walk(Object &o, Fn &&fn) noexcept {
    const size_t size = Fields::block_size(o);
    const size_t count = Fields::count(o);
    for (size_t i = 0; i < count; ++i) {
      if (fn(Fields::base(o) + i * size, size, Fields::used(o)[i]) != 0) return;
    }
  }

private:
  static Allocation take(Object &o, size_t index, bool repaired) noexcept {
    Fields::used(o)[index] = true;
    const uint16_t live = static_cast<uint16_t>(Fields::in_use(o) + 1U);
    Fields::in_use(o) = live;
    if (live > Fields::peak(o)) Fields::peak(o) = live;
    ++Fields::allocations(o);
    return {Fields::base(o) + index * Fields::block_size(o), repaired};
  }

  // No released block and no fresh block: full, unless the pool keeps no
  // links (1-byte blocks), where released blocks are found by scanning.
  OMNIHEAP_COLD static Allocation allocate_slow(Object &o, bool repaired) noexcept {
    if (!has_links(Fields::block_size(o))) {
      const bool *used = Fields::used(o);
      const size_t count = Fields::count(o);
      for (size_t i = 0; i < count; ++i) {
        if (!used[i]) return take(o, i, repaired);
      }
    }
    ++Fields::failures(o);
    return {nullptr, repaired};
  }

  // The free list is damaged: rebuild it from `used`, the source of truth,
  // then allocate normally.
  OMNIHEAP_COLD static Allocation allocate_after_repair(Object &o) noexcept {
    rebuild_links(o);
    Allocation a = allocate(o);
    a.repaired = true;
    return a;
  }

  static void rebuild_links(Object &o) noexcept {
    const size_t size = Fields::block_size(o);
    const bool *used = Fields::used(o);
    Link head = 0;
    // Highest index first, so that the rebuilt list hands out low indices first.
    for (size_t i = Fields::fresh(o); i-- != 0U;) {
      if (!used[i]) {
        memcpy(Fields::base(o) + i * size, &head, sizeof head);
        head = static_cast<Link>(i + 1U);
      }
    }
    Fields::free_head(o) = head;
  }
};

} // namespace omniheap::engine
