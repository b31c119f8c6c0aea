// Buddy engine (Knuth TAOCP 2.5, algorithms R and S) with bitmaps:
// reservation and liberation in O(log n), no list scans.
//
// The area is `units` 8-byte units at `area`, cut into power-of-two trees by
// the binary digits of `units`, largest first. Every tree's base is then a
// multiple of its own size, so a block of order o (2^o units) always starts
// at a multiple of 2^o units from `area`: one bitmap per order, indexed by
// offset >> o, serves every tree. A block's buddy is index ^ 1, below the
// order of its tree. Per block two bits: "free" (on a free list) and
// "allocated" (handed out at this order; liberation finds a block's order by
// looking up these bits, which also rejects interior pointers and double
// frees). Free blocks are on doubly linked lists per order threaded through
// their first 8 bytes (unit offsets + 1; 0 = none); a mask of non-empty
// orders finds the smallest one in O(1). Internal header.
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../common/bits.hpp"
#include "../common/compiler.hpp"

namespace omniheap::engine {

class Buddy {
public:
  static constexpr uint32_t magic_value = 0x6F686264U; // "ohbd"
  static constexpr uint32_t unit = 8;
  static constexpr unsigned max_orders = 32;

  // ok: a block in use; foreign: outside the area (or NULL); interior: inside
  // a block in use, not its start; double_free: in free memory; corrupt:
  // damaged bookkeeping.
  enum class Result { ok, foreign, interior, double_free, corrupt };

  struct Control {
    uint32_t magic;
    uint32_t units;      // size of the area in units
    uint32_t nonempty;   // bit o: free list of order o not empty
    uint32_t used_units; // units in blocks handed out
    uint32_t peak_units;
    uint32_t live_blocks;
    uint32_t allocations;
    uint32_t frees;
    uint32_t failures;
    uint32_t locked;
    uint32_t max_order;               // order of the largest tree
    unsigned char *area;
    const void *owner;
    // Followed by max_order + 1 free-list heads (first block + 1, 0 = empty)
    // and the two bitmaps.
  };

  // Bytes of bookkeeping (Control and bitmaps) for an area of `units`.
  static size_t bookkeeping(uint32_t units) noexcept {
    return sizeof(Control) + (top_order(units) + 1U) * sizeof(uint32_t) +
           2U * ((bit_base(units, max_orders) + 7U) / 8U); // two maps, each whole bytes
  }

  // Sets up the area (8-aligned, `units` units) with its Control block at
  // `meta` (bookkeeping(units) bytes, pointer-aligned).
  static Control *init(void *area, uint32_t units, void *meta) noexcept {
    if (units == 0U) return nullptr;
    Control *h = static_cast<Control *>(meta);
    memset(meta, 0, bookkeeping(units));
    h->magic = magic_value;
    h->units = units;
    h->area = static_cast<unsigned char *>(area);
    h->max_order = top_order(units);
    for (int o = static_cast<int>(h->max_order); o >= 0; --o) {
      if ((units >> o & 1U) != 0U) push(h, static_cast<unsigned>(o), units & ~((2U << o) - 1U));
    }
    return h;
  }

  // The order that holds `bytes`, or max_orders if none can.
  static unsigned order_for(size_t bytes) noexcept {
    if (bytes == 0U || bytes > (size_t(1) << 31)) return max_orders;
    const size_t units = (bytes + unit - 1U) / unit;
    unsigned o = 0;
    while ((size_t(1) << o) < units) ++o;
    return o;
  }

  static void *alloc(Control *h, size_t bytes) noexcept {
    const unsigned o = order_for(bytes);
    if (o >= max_orders || (h->nonempty >> o) == 0U) {
      if (bytes != 0U) ++h->failures;
      return nullptr;
    }
    unsigned j = bits::lowest(static_cast<uint32_t>(h->nonempty >> o)) + o;
    const uint32_t u = heads(h)[j] - 1U;
    unlink(h, j, u);
    while (j > o) { // split: the right halves go back
      --j;
      push(h, j, u + (1U << j));
    }
    set(h, allocated, o, u >> o, true);
    h->used_units += 1U << o;
    if (h->used_units > h->peak_units) h->peak_units = h->used_units;
    ++h->live_blocks;
    ++h->allocations;
    return h->area + static_cast<size_t>(u) * unit;
  }

  // The order of the block in use at p (Result::ok), else why not.
  static Result locate(const Control *h, const void *p, unsigned &order, uint32_t &u) noexcept {
    const uintptr_t a = reinterpret_cast<uintptr_t>(p), base = reinterpret_cast<uintptr_t>(h->area);
    if (p == nullptr || a < base || a - base >= static_cast<uintptr_t>(h->units) * unit) return Result::foreign;
    u = static_cast<uint32_t>((a - base) / unit);
    const unsigned top = tree_order_of(h, u);
    if ((a - base) % unit == 0U) {
      uint32_t first = 0; // first bit of order o (carried up, no popcount)
      for (unsigned o = 0; o <= top; first += h->units >> o, ++o) {
        if (o > 0U && (u & ((1U << o) - 1U)) != 0U) break;
        if (get_bit(h, allocated, first + (u >> o))) {
          order = o;
          return get_bit(h, free_bit, first + (u >> o)) ? Result::corrupt : Result::ok;
        }
      }
    }
    // Not a block start: the block that holds it says which mistake it is.
    uint32_t first = 0;
    for (unsigned o = 0; o <= top; first += h->units >> o, ++o) {
      if (get_bit(h, free_bit, first + (u >> o))) return Result::double_free;
      if (get_bit(h, allocated, first + (u >> o))) return Result::interior;
    }
    return Result::interior;
  }

  static Result free(Control *h, void *p) noexcept {
    unsigned o;
    uint32_t u;
    const Result r = locate(h, p, o, u);
    if (r != Result::ok) return r;
    set(h, allocated, o, u >> o, false);
    h->used_units -= 1U << o;
    --h->live_blocks;
    ++h->frees;
    return merge_up(h, o, u);
  }

  // Resizes the block (order o at unit u) in place to order n if it can:
  // a shrink always; a grow when every buddy to the right is free.
  static bool resize_in_place(Control *h, unsigned o, uint32_t u, unsigned n) noexcept {
    if (n == o) return true;
    if (n < o) {
      set(h, allocated, o, u >> o, false);
      for (unsigned j = o; j > n;) {
        --j;
        push(h, j, u + (1U << j));
      }
      set(h, allocated, n, u >> n, true);
      h->used_units -= (1U << o) - (1U << n);
      return true;
    }
    if (n > tree_order_of(h, u) || (u & ((1U << n) - 1U)) != 0U) return false;
    for (unsigned j = o; j < n; ++j) {
      if (!get(h, free_bit, j, (u >> j) ^ 1U)) return false; // the right buddy at each level
    }
    for (unsigned j = o; j < n; ++j) unlink(h, j, u + (1U << j));
    set(h, allocated, o, u >> o, false);
    set(h, allocated, n, u >> n, true);
    h->used_units += (1U << n) - (1U << o);
    if (h->used_units > h->peak_units) h->peak_units = h->used_units;
    return true;
  }

  static uint32_t largest_free_units(const Control *h) noexcept {
    return h->nonempty == 0U ? 0U : 1U << bits::highest(static_cast<uint32_t>(h->nonempty));
  }

  // Visits every block in address order: fn(pointer, bytes, used). Free
  // blocks come from the free bits, used ones from the allocated bits.
  template <class Fn> static bool walk(const Control *h, Fn &&fn) noexcept {
    for (uint32_t u = 0; u < h->units;) {
      unsigned o;
      bool used;
      if (!block_at(h, u, o, used)) return false;
      if (!fn(h->area + static_cast<size_t>(u) * unit, (static_cast<size_t>(1) << o) * unit, used)) return true;
      u += 1U << o;
    }
    return true;
  }

  // Every invariant: the blocks tile the area, lists and free bits agree,
  // no free block has a free buddy, the counters.
  static bool valid(const Control *h) noexcept {
    if (h->magic != magic_value) return false;
    uint32_t used = 0, live = 0, free_count = 0;
    for (uint32_t u = 0; u < h->units;) {
      unsigned o;
      bool in_use;
      if (!block_at(h, u, o, in_use)) return false;
      if (in_use) {
        used += 1U << o;
        ++live;
      } else {
        ++free_count;
        if (o < tree_order_of(h, u) && get(h, free_bit, o, (u >> o) ^ 1U)) return false; // unmerged buddies
      }
      u += 1U << o;
    }
    uint32_t listed = 0;
    for (unsigned o = 0; o <= h->max_order; ++o) {
      uint32_t prev = 0;
      for (uint32_t x = heads(h)[o]; x != 0U; x = link(h, x - 1U)[1]) {
        if (x - 1U >= h->units || !get(h, free_bit, o, (x - 1U) >> o) || link(h, x - 1U)[0] != prev) return false;
        if (++listed > free_count) return false;
        prev = x;
      }
      if ((heads(h)[o] != 0U) != ((h->nonempty >> o & 1U) != 0U)) return false;
    }
    return listed == free_count && used == h->used_units && live == h->live_blocks;
  }

  // The order of the tree that holds unit u: trees sit at the binary digits
  // of `units`, largest first, so u's tree is where u and `units` first
  // differ (from the top).
  static unsigned tree_order_of(const Control *h, uint32_t u) noexcept { return bits::highest(h->units ^ u); }

  static uint32_t *heads(const Control *h) noexcept {
    return static_cast<uint32_t *>(static_cast<void *>(const_cast<Control *>(h) + 1));
  }
  static unsigned heads_count(uint32_t units) noexcept { return top_order(units) + 1U; }
  static unsigned trees(const Control *h) noexcept { return ones(h->units); }
  // Set bits of x, inline (no libgcc call on targets without a popcount
  // instruction).
  static uint32_t ones(uint32_t x) noexcept {
    x = x - ((x >> 1) & 0x55555555U);
    x = (x & 0x33333333U) + ((x >> 2) & 0x33333333U);
    x = (x + (x >> 4)) & 0x0F0F0F0FU;
    return (x * 0x01010101U) >> 24;
  }

private:
  enum Map { free_bit = 0, allocated = 1 };

  static unsigned top_order(uint32_t units) noexcept { return bits::highest(units); }
  // First bit of order o in a bitmap: the blocks of the lower orders,
  // sum over j < o of units >> j (= 2n - popcount(n) - 2(n >> o) + popcount(n >> o)).
  static uint32_t bit_base(uint32_t n, unsigned o) noexcept {
    const uint32_t hi = o >= 32U ? 0U : n >> o;
    return 2U * n - ones(n) - 2U * hi + ones(hi);
  }
  static uint8_t *bitmap(const Control *h, Map m) noexcept {
    uint8_t *maps = reinterpret_cast<uint8_t *>(heads(h) + h->max_order + 1U);
    return m == free_bit ? maps : maps + (bit_base(h->units, max_orders) + 7U) / 8U;
  }
  static bool get_bit(const Control *h, Map m, uint32_t bit) noexcept {
    return (bitmap(h, m)[bit >> 3] >> (bit & 7U) & 1U) != 0U;
  }
  static bool get(const Control *h, Map m, unsigned o, uint32_t i) noexcept {
    return get_bit(h, m, bit_base(h->units, o) + i);
  }
  static void set(Control *h, Map m, unsigned o, uint32_t i, bool v) noexcept {
    const uint32_t bit = bit_base(h->units, o) + i;
    uint8_t &byte = bitmap(h, m)[bit >> 3];
    byte = static_cast<uint8_t>(v ? byte | (1U << (bit & 7U)) : byte & ~(1U << (bit & 7U)));
  }
  static uint32_t *link(const Control *h, uint32_t u) noexcept {
    return static_cast<uint32_t *>(static_cast<void *>(h->area + static_cast<size_t>(u) * unit));
  }
  static void push(Control *h, unsigned o, uint32_t u) noexcept {
    uint32_t *l = link(h, u);
    l[0] = 0;
    l[1] = heads(h)[o];
    if (heads(h)[o] != 0U) link(h, heads(h)[o] - 1U)[0] = u + 1U;
    heads(h)[o] = u + 1U;
    h->nonempty |= 1U << o;
    set(h, free_bit, o, u >> o, true);
  }
  static void unlink(Control *h, unsigned o, uint32_t u) noexcept {
    const uint32_t *l = link(h, u);
    const uint32_t prev = l[0], next = l[1];
    if (prev != 0U) {
      link(h, prev - 1U)[1] = next;
    } else {
      heads(h)[o] = next;
    }
    if (next != 0U) link(h, next - 1U)[0] = prev;
    if (heads(h)[o] == 0U) h->nonempty &= ~(1U << o);
    set(h, free_bit, o, u >> o, false);
  }
  // Liberation: merges block (o, u) with free buddies, then lists it.
  static Result merge_up(Control *h, unsigned o, uint32_t u) noexcept {
    const unsigned top = tree_order_of(h, u);
    uint32_t first = bit_base(h->units, o);
    while (o < top) {
      const uint32_t b = u ^ (1U << o);
      if (!get_bit(h, free_bit, first + (b >> o))) break;
      first += h->units >> o;
      const uint32_t *l = link(h, b);
      const bool linked = l[0] == 0U ? heads(h)[o] == b + 1U : l[0] - 1U < h->units && link(h, l[0] - 1U)[1] == b + 1U;
      if (!linked) return Result::corrupt;
      unlink(h, o, b);
      u &= ~(1U << o);
      ++o;
    }
    push(h, o, u);
    return Result::ok;
  }
  // The block starting at u: the allocated one, or the free one; false if
  // neither (damaged bookkeeping).
  static bool block_at(const Control *h, uint32_t u, unsigned &o, bool &used) noexcept {
    const unsigned top = tree_order_of(h, u);
    uint32_t first = 0;
    for (unsigned j = 0; j <= top; first += h->units >> j, ++j) {
      if (j > 0U && (u & ((1U << j) - 1U)) != 0U) break;
      const bool a = get_bit(h, allocated, first + (u >> j)), f = get_bit(h, free_bit, first + (u >> j));
      if (a && f) return false;
      if (a || f) {
        o = j;
        used = a;
        return true;
      }
    }
    return false;
  }
};

} // namespace omniheap::engine
