// FixedPool: a pool of equal-sized blocks with constant-time allocate and
// release. Knows no family: a binding describes where the pool's state lives
// through a Fields class (see below). Internal header.
//
// State (all of it owned by the binding's object):
//   base, block_size, count  the block array: block i at base + i * block_size
//   span                     block_size * count (0: not initialised)
//   used[count]              one flag per block; the single source of truth
//   hot                      index of the most recently released block, or `none`
//   cold                     index of the first block of the cold list, or `none`
//   fresh                    blocks fresh ... count-1 have never been handed out
//   peak                     high-water mark of allocated blocks (see below)
//   allocations, frees       counters of successful allocate() / release() calls;
//                            their difference is the number of allocated blocks
//   failures                 counter of failed allocate() calls
//
// Free blocks below `fresh` sit on one of two LIFO lists threaded through the
// blocks themselves: the first two bytes of a free block hold the index of
// the next block of its list (`none` ends it), XOR `link_key`. The key makes
// the usual write-after-free values (0, small integers, all ones) decode to
// indices outside the pool, where allocate() notices them. release() pushes
// on the hot list; allocate() pops the hot list first, then the cold list,
// then takes the next fresh block. Blocks never handed out stay untouched (a
// zeroed pool hands out zeroed blocks). Pools whose blocks are smaller than a
// link keep no lists and scan `used` instead: O(count), as the original MEMB.
//
// Peak without a hot-path counter: let u be the number of allocated blocks and
// H the length of the hot list. Popping the hot list keeps u + H; a release
// keeps u + H; only a cold or fresh allocation raises u + H, by one, and it
// happens only when the hot list is empty, i.e. when u = u + H. So u + H is
// exactly the high-water mark of u, and it is kept in `peak` by the slow path
// alone. Resetting the peak moves the hot list to the cold list (H = 0) and
// sets peak = u.
//
// The initial state is hot = cold = none, fresh = peak = 0, counters 0, span
// set (what MEMB() writes statically and reset() writes). A state that is all
// zeros except the geometry (a hand-filled object) is recognised and
// normalised on first use.
//
// Misuse never corrupts the pool: release() classifies a bad pointer before
// touching anything, and allocate() checks each list entry before it uses it:
// an entry that is out of range or names a used block (a write after free, or
// an overflow of the block below) makes it rebuild the lists from `used`, and
// it reports that it did. A damaged entry that names a free block further
// down a list (or `none`) skips blocks instead: those are found when the pool
// looks exhausted but the counters say blocks are free, and are recovered the
// same way.
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
//   static uint32_t &span(Object &o);            // block_size * count once initialised
//   static bool *used(Object &o);
//   static uint16_t &hot(Object &o), &cold(o), &fresh(o), &peak(o);
//   static uint32_t &allocations(Object &o), &frees(Object &o), &failures(Object &o);
template <class Object, class Fields> class FixedPool {
public:
  using Link = uint16_t;
  static constexpr Link none = 0xFFFFU;    // "no block": count is at most 65535
  static constexpr Link link_key = 0xA55AU; // in-block links are stored XOR this

  enum class Release : uint8_t { ok, null_pointer, foreign, interior, double_free };

  struct Allocation {
    void *block;   // NULL when the pool is full
    bool repaired; // a damaged free list was detected and rebuilt
  };

  static constexpr bool has_links(size_t block_size) noexcept {
    return block_size >= sizeof(Link);
  }

  // Empties the pool. Does not touch the blocks' contents.
  static void reset(Object &o) noexcept {
    memset(Fields::used(o), 0, Fields::count(o) * sizeof(bool));
    Fields::span(o) = static_cast<uint32_t>(Fields::block_size(o) * Fields::count(o));
    Fields::hot(o) = none;
    Fields::cold(o) = none;
    Fields::fresh(o) = 0;
    Fields::peak(o) = 0;
    Fields::allocations(o) = 0;
    Fields::frees(o) = 0;
    Fields::failures(o) = 0;
  }

  // The hot path: pops the hot list, or returns nullptr when allocate_slow()
  // must run. `index >= fresh` catches an empty list (none), a damaged entry
  // out of range, and the hand-filled initial state (fresh = 0).
  static void *allocate_fast(Object &o) noexcept {
    const size_t index = Fields::hot(o);
    if (OMNIHEAP_UNLIKELY(index >= Fields::fresh(o))) return nullptr;
    bool *const used = Fields::used(o);
    if (OMNIHEAP_UNLIKELY(used[index])) return nullptr;
    unsigned char *const block = Fields::base(o) + index * Fields::block_size(o);
    Fields::hot(o) = read_link(block); // checked when it is popped
    used[index] = true;
    ++Fields::allocations(o);
    return block;
  }

  static Allocation allocate(Object &o) noexcept {
    if (void *block = allocate_fast(o)) return {block, false};
    return allocate_slow(o);
  }

  // Everything allocate_fast() does not do: repairs a damaged list, then takes
  // the cold list, then a fresh block; both raise the peak. 1-byte blocks:
  // the lowest free block.
  OMNIHEAP_COLD static Allocation allocate_slow(Object &o) noexcept {
    const size_t fresh = Fields::fresh(o);
    if (fresh == 0U) { // nothing handed out yet: the lists are empty
      Fields::hot(o) = none;
      Fields::cold(o) = none;
      Fields::span(o) = static_cast<uint32_t>(Fields::block_size(o) * Fields::count(o));
    }
    const size_t hot = Fields::hot(o);
    if (hot != none) {
      if (hot >= fresh || Fields::used(o)[hot]) return allocate_after_repair(o);
      return {allocate_fast(o), false}; // not reached: the fast path takes it
    }
    const size_t cold = Fields::cold(o);
    if (cold != none) {
      if (cold >= fresh || Fields::used(o)[cold]) return allocate_after_repair(o);
      Fields::cold(o) = read_link(Fields::base(o) + cold * Fields::block_size(o));
      ++Fields::peak(o);
      return take(o, cold, false);
    }
    if (!has_links(Fields::block_size(o))) return allocate_unlinked(o);
    if (fresh < Fields::count(o)) {
      Fields::fresh(o) = static_cast<uint16_t>(fresh + 1U);
      ++Fields::peak(o);
      return take(o, fresh, false);
    }
    // Every list is empty and no fresh block is left: full, unless the
    // counters say blocks are free — then a damaged entry made the lists skip
    // them.
    if (OMNIHEAP_UNLIKELY(in_use(o) < Fields::count(o))) {
      if (count_used(o) < Fields::count(o)) return allocate_after_repair(o);
      // The flags say full: it is the counters that are off; align them.
      Fields::frees(o) = static_cast<uint32_t>(Fields::allocations(o) - Fields::count(o));
    }
    ++Fields::failures(o);
    return {nullptr, false};
  }

  static Release release(Object &o, void *pointer) noexcept {
    unsigned char *const base = Fields::base(o);
    const uintptr_t offset =
        reinterpret_cast<uintptr_t>(pointer) - reinterpret_cast<uintptr_t>(base);
    if (OMNIHEAP_UNLIKELY(offset >= Fields::span(o))) {
      return pointer == nullptr ? Release::null_pointer : Release::foreign;
    }
    // offset < span < 2^32: a 32-bit division (several times faster than a
    // 64-bit one on x86-64, and the only kind Cortex-M has).
    const uint32_t size = static_cast<uint32_t>(Fields::block_size(o));
    const uint32_t index = static_cast<uint32_t>(offset) / size;
    if (OMNIHEAP_UNLIKELY(static_cast<uint32_t>(offset) % size != 0U)) return Release::interior;
    bool *const used = Fields::used(o);
    if (OMNIHEAP_UNLIKELY(!used[index])) return Release::double_free;
    used[index] = false;
    if (OMNIHEAP_LIKELY(has_links(size))) {
      write_link(base + offset, Fields::hot(o));
      Fields::hot(o) = static_cast<uint16_t>(index);
    }
    ++Fields::frees(o);
    return Release::ok;
  }

  static bool contains(Object &o, const void *pointer) noexcept {
    const uintptr_t offset = reinterpret_cast<uintptr_t>(pointer) -
                             reinterpret_cast<uintptr_t>(Fields::base(o));
    return offset < Fields::block_size(o) * Fields::count(o);
  }

  // Number of allocated blocks, from the counters: O(1).
  static size_t in_use(Object &o) noexcept {
    return static_cast<uint32_t>(Fields::allocations(o) - Fields::frees(o));
  }

  // Number of allocated blocks, from the flags: O(count).
  static size_t count_used(Object &o) noexcept {
    const bool *used = Fields::used(o);
    const size_t fresh = Fields::fresh(o);
    size_t n = 0;
    for (size_t i = 0; i < fresh; ++i) n += used[i] ? 1U : 0U;
    return n;
  }

  static size_t free_blocks(Object &o) noexcept { return Fields::count(o) - in_use(o); }

  // High-water mark of allocated blocks since reset() or reset_peak().
  // (While a damaged list is not yet detected, blocks popped through it may
  // escape the count; the peak never reads below the blocks in use.)
  static size_t peak(Object &o) noexcept {
    const size_t u = in_use(o);
    return Fields::peak(o) > u ? Fields::peak(o) : u;
  }

  // peak := blocks in use now, by moving the hot list to the cold list:
  // O(1) when the cold list is empty, else the lists are rebuilt from `used`
  // (O(count)). Never follows a link, so a damaged list cannot mislead it.
  static void reset_peak(Object &o) noexcept {
    if (has_links(Fields::block_size(o)) && Fields::fresh(o) != 0U) {
      if (Fields::cold(o) == none) {
        Fields::cold(o) = Fields::hot(o);
        Fields::hot(o) = none;
      } else {
        Fields::peak(o) = static_cast<uint16_t>(in_use(o));
        rebuild_lists(o); // hot list length = peak - in use = 0
      }
    }
    Fields::peak(o) = static_cast<uint16_t>(in_use(o));
  }

  // Checks every invariant; never modifies the pool.
  static bool valid(Object &o) noexcept {
    const size_t size = Fields::block_size(o);
    const size_t count = Fields::count(o);
    const size_t fresh = Fields::fresh(o);
    const bool *used = Fields::used(o);
    if (size == 0U || fresh > count || Fields::span(o) != size * count) return false;
    size_t used_count = 0;
    for (size_t i = 0; i < count; ++i) {
      if (used[i]) {
        if (i >= fresh) return false; // handed out but above the watermark
        ++used_count;
      }
    }
    if (used_count != in_use(o)) return false; // counters and flags disagree
    if (!has_links(size) || fresh == 0U) {
      // No lists: hot and cold are none (or all zeros before first use).
      const bool untouched = Fields::hot(o) == Fields::cold(o) &&
                             (Fields::hot(o) == none || (fresh == 0U && Fields::hot(o) == 0U));
      return untouched && Fields::peak(o) <= count && Fields::peak(o) >= used_count &&
             (fresh != 0U || Fields::peak(o) == 0U);
    }
    // Both lists: entries in range and free, no block listed twice (bounded
    // walk), and together exactly the free blocks below the watermark.
    const size_t free_below = fresh - used_count;
    size_t listed = 0;
    if (!walk_list(o, Fields::hot(o), free_below, listed)) return false;
    const size_t hot_length = listed;
    if (!walk_list(o, Fields::cold(o), free_below, listed)) return false;
    if (listed != free_below) return false;
    return Fields::peak(o) == used_count + hot_length; // see the peak invariant above
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
    ++Fields::allocations(o);
    return {Fields::base(o) + index * Fields::block_size(o), repaired};
  }

  // 1-byte blocks: no lists. The lowest free block (fresh ones included),
  // and the peak from a count of `used`: O(count).
  static Allocation allocate_unlinked(Object &o) noexcept {
    const bool *used = Fields::used(o);
    const size_t count = Fields::count(o);
    size_t index = 0;
    while (index < count && used[index]) ++index;
    if (index == count) {
      ++Fields::failures(o);
      return {nullptr, false};
    }
    if (index >= Fields::fresh(o)) Fields::fresh(o) = static_cast<uint16_t>(index + 1U);
    Allocation a = take(o, index, false);
    const size_t u = in_use(o);
    if (u > Fields::peak(o)) Fields::peak(o) = static_cast<uint16_t>(u);
    return a;
  }

  // A list is damaged: rebuild both from `used`, the source of truth, keeping
  // the peak invariant (hot list length = peak - blocks in use), then
  // allocate normally.
  OMNIHEAP_COLD static Allocation allocate_after_repair(Object &o) noexcept {
    rebuild_lists(o);
    Allocation a = allocate(o);
    a.repaired = true;
    return a;
  }

  static void rebuild_lists(Object &o) noexcept {
    const size_t size = Fields::block_size(o);
    const bool *used = Fields::used(o);
    const size_t u = count_used(o);
    if (Fields::peak(o) < u) Fields::peak(o) = static_cast<uint16_t>(u);
    size_t hot_wanted = Fields::peak(o) - u;
    Link hot = none;
    Link cold = none;
    // Highest index first, so that the rebuilt lists hand out low indices first.
    for (size_t i = Fields::fresh(o); i-- != 0U;) {
      if (used[i]) continue;
      Link &head = hot_wanted != 0U ? hot : cold;
      write_link(Fields::base(o) + i * size, head);
      head = static_cast<Link>(i);
      if (hot_wanted != 0U) --hot_wanted;
    }
    Fields::hot(o) = hot;
    Fields::cold(o) = cold;
    // Fewer free blocks than the damaged peak claimed: lower it to what holds.
    Fields::peak(o) = static_cast<uint16_t>(Fields::peak(o) - hot_wanted);
  }

  static Link read_link(const unsigned char *block) noexcept {
    Link stored;
    memcpy(&stored, block, sizeof stored);
    return static_cast<Link>(stored ^ link_key);
  }

  static void write_link(unsigned char *block, Link next) noexcept {
    const Link stored = static_cast<Link>(next ^ link_key);
    memcpy(block, &stored, sizeof stored);
  }

  // Walks one list: every entry in range and free, at most `limit` entries in
  // total over both lists (so a cycle or a block listed twice is caught).
  static bool walk_list(Object &o, size_t link, size_t limit, size_t &listed) noexcept {
    const size_t fresh = Fields::fresh(o);
    const bool *used = Fields::used(o);
    while (link != none) {
      if (link >= fresh || listed == limit || used[link]) return false;
      ++listed;
      link = read_link(Fields::base(o) + link * Fields::block_size(o));
    }
    return true;
  }
};

} // namespace omniheap::engine
