// First-fit engine (Knuth TAOCP 2.5, Algorithm A with boundary tags,
// Algorithm C) with an O(log n) search: the free blocks form a treap ordered
// by address (priority: a hash of the address, so no random state), each node
// annotated with the largest block size in its subtree. The first fit is the
// leftmost node whose size fits: descend left while the left subtree has a
// large enough block. Internal header.
//
// Region layout (offsets from the Control block, which sits at the region's
// start rounded up to 8; offset 0 is therefore never a block and means
// "none"):
//   [Control][block][block]...[end marker: an 8-byte used header of size 0]
// A block starts on an 8-byte boundary with an 8-byte header: word 0 is the
// size in bytes (a multiple of 8) | used (bit 0) | previous block used
// (bit 1); word 1 is a check word tied to the offset and word 0, so a header
// that was overwritten, or an address that is no block start, is recognised.
// The user area follows the header (8-byte aligned). A free block also holds
// its tree links after the header (left, right, largest size below) and its
// size in its last word (the boundary tag that Algorithm C reads to merge
// with a free left neighbour).
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../common/compiler.hpp"

namespace omniheap::engine {

class FirstFit {
public:
  static constexpr uint32_t magic_value = 0x6F686666U; // "ohff"
  static constexpr uint32_t header = 8;
  static constexpr uint32_t min_block = 24; // header, three links, boundary tag

  // ok: a block in use; foreign: outside the heap (or NULL); interior: inside
  // a block in use, not its start; double_free: inside (or at) a free block;
  // corrupt: a damaged header or boundary tag.
  enum class Result { ok, foreign, interior, double_free, corrupt };

  struct Control {
    uint32_t magic;
    uint32_t root;  // treap root, 0 = none
    uint32_t first; // offset of the first block
    uint32_t end;   // offset of the end marker
    uint32_t used_bytes;
    uint32_t peak_bytes;
    uint32_t live_blocks;
    uint32_t allocations;
    uint32_t frees;
    uint32_t failures;
    uint32_t locked;
    uint32_t pad;
    uint32_t rover; // next fit: where the last search ended (0: first fit)
    const void *owner; // the binding's object (its descriptor)
  };

  // Sets up [mem, mem + bytes). nullptr if too small or too large.
  static Control *init(void *mem, size_t bytes) noexcept {
    const uintptr_t start = reinterpret_cast<uintptr_t>(mem);
    const uintptr_t base = (start + 7U) & ~uintptr_t(7U);
    if (mem == nullptr || bytes < base - start) return nullptr;
    const uint64_t room = (static_cast<uint64_t>(bytes) - (base - start)) & ~uint64_t(7U);
    const uint32_t first = (sizeof(Control) + 7U) & ~7U;
    if (room > 0xFFFFFFF0ULL || room < first + min_block + header) return nullptr;
    Control *h = reinterpret_cast<Control *>(base);
    memset(static_cast<void *>(h), 0, sizeof *h);
    h->magic = magic_value;
    h->first = first;
    h->end = static_cast<uint32_t>(room) - header;
    const uint32_t size = h->end - first;
    set_header(h, first, size | prev_used); // Control counts as used
    set_tag(h, first, size);
    set_header(h, h->end, used); // end marker: size 0, used, previous free
    init_node(h, first);
    h->root = first;
    return h;
  }

  // ---- allocation ---------------------------------------------------------------

  static void *alloc(Control *h, size_t bytes) noexcept {
    const uint32_t need = need_for(bytes);
    if (OMNIHEAP_UNLIKELY(need == 0U)) {
      if (bytes != 0U) ++h->failures;
      return nullptr;
    }
    const uint32_t b = h->rover == 0U ? first_fit(h, need) : next_fit(h, need);
    if (b == 0U) {
      ++h->failures;
      return nullptr;
    }
    return user(h, take(h, b, need));
  }

  // ---- free -----------------------------------------------------------------------

  static Result free(Control *h, void *p) noexcept {
    uint32_t b;
    const Result found = locate(h, p, b);
    if (found != Result::ok) return found;
    uint32_t size = size_of(h, b);
    const uint32_t next = b + size;
    if (!valid_header(h, next)) return Result::corrupt;
    uint32_t prev = 0;
    if ((word0(h, b) & prev_used) == 0U) {
      prev = b - tag_of(h, b);
      if (prev < h->first || prev >= b || !valid_header(h, prev) || (word0(h, prev) & used) != 0U ||
          prev + size_of(h, prev) != b) {
        return Result::corrupt;
      }
    }
    h->used_bytes -= size;
    --h->live_blocks;
    ++h->frees;
    const bool next_free = (word0(h, next) & used) == 0U;
    const uint32_t start = prev != 0U ? prev : b;
    if (prev != 0U) {
      h->root = remove(h, h->root, prev);
      words(h, b)[1] = ~check_of(b, word0(h, b)); // no longer a block start
    }
    if (next_free) {
      // The merged block ends where `next` ended: it takes next's node (same
      // priority, same place in the address order).
      const uint32_t l = node(h, next)[0], r = node(h, next)[1];
      const uint32_t merged = next + size_of(h, next) - start;
      set_header(h, start, merged | (word0(h, start) & prev_used));
      set_tag(h, start, merged);
      h->root = replace(h, h->root, next, start, l, r);
    } else {
      make_free(h, start, next - start);
    }
    return Result::ok;
  }

  // Next fit on (the rover starts at the first block) or off (first fit).
  static void set_next_fit(Control *h, bool on) noexcept { h->rover = on ? h->first : 0U; }

  // The block of p if p is a block in use (Result::ok), else why not.
  static Result check(Control *h, const void *p, uint32_t &b) noexcept { return locate(h, p, b); }

  // Bytes usable in block b (in use).
  static uint32_t usable(const Control *h, uint32_t b) noexcept { return size_of(h, b) - header; }

  // Grows or shrinks block b in place if it can; true if it now holds `bytes`.
  static bool resize_in_place(Control *h, uint32_t b, size_t bytes) noexcept {
    const uint32_t need = need_for(bytes);
    if (need == 0U) return false;
    const uint32_t size = size_of(h, b), pu = word0(h, b) & prev_used;
    const uint32_t next = b + size;
    const bool next_free = (word0(h, next) & used) == 0U;
    if (need > size) {
      if (!next_free || size + size_of(h, next) < need) return false;
      carve(h, next, b, size + size_of(h, next), need, pu); // the rest of `next` stays free
      h->used_bytes += size_of(h, b) - size;
      note_peak(h);
      return true;
    }
    if (size - need >= min_block) { // give back the tail, merged with a free right neighbour
      const uint32_t tail = size - need;
      h->used_bytes -= tail;
      if (next_free) {
        const uint32_t l = node(h, next)[0], r = node(h, next)[1];
        const uint32_t merged = tail + size_of(h, next);
        set_header(h, b + need, merged | prev_used);
        set_tag(h, b + need, merged);
        h->root = replace(h, h->root, next, b + need, l, r);
      } else {
        set_header(h, b + need, prev_used); // its left neighbour (b) is in use
        make_free(h, b + need, tail);
      }
      set_header(h, b, need | used | pu);
    }
    return true;
  }

  // ---- queries ----------------------------------------------------------------------

  static uint32_t free_bytes(const Control *h) noexcept { return h->end - h->first - h->used_bytes; }
  static uint32_t largest_free(const Control *h) noexcept {
    const uint32_t m = h->root == 0U ? 0U : node(h, h->root)[2];
    return m > header ? m - header : 0U;
  }
  static uint32_t capacity(const Control *h) noexcept { return h->end - h->first; }

  // Visits every block: fn(user pointer, usable bytes, used). false if a
  // header was damaged (the walk stops there).
  template <class Fn> static bool walk(Control *h, Fn &&fn) noexcept {
    for (uint32_t b = h->first; b < h->end;) {
      if (!valid_header(h, b)) return false;
      const uint32_t s = size_of(h, b);
      if (s < min_block || b + s > h->end) return false;
      if (!fn(user(h, b), s - header, (word0(h, b) & used) != 0U)) return true;
      b += s;
    }
    return true;
  }

  // Every invariant: headers, flags, boundary tags, no two free blocks side
  // by side, the tree (order, annotations), the counters.
  static bool valid(Control *h) noexcept {
    if (h->magic != magic_value) return false;
    uint32_t used_sum = 0, live = 0, free_count = 0;
    bool prev_is_used = true;
    uint32_t b = h->first;
    while (b < h->end) {
      if (!valid_header(h, b)) return false;
      const uint32_t w = word0(h, b), s = size_of(h, b);
      if (s < min_block || b + s > h->end) return false;
      if (((w & prev_used) != 0U) != prev_is_used) return false;
      const bool u = (w & used) != 0U;
      if (u) {
        used_sum += s;
        ++live;
      } else {
        if (!prev_is_used || tag_of(h, b + s) != s) return false;
        ++free_count;
      }
      prev_is_used = u;
      b += s;
    }
    if (b != h->end || !valid_header(h, h->end) || ((word0(h, h->end) & prev_used) != 0U) != prev_is_used) {
      return false;
    }
    uint32_t nodes = 0, last = 0;
    if (!valid_tree(h, h->root, nodes, last)) return false;
    return nodes == free_count && used_sum == h->used_bytes && live == h->live_blocks;
  }

  static void *user(const Control *h, uint32_t b) noexcept { return at(h, b) + header; }
  static uint32_t block_of(const Control *h, const void *p) noexcept {
    return static_cast<uint32_t>(reinterpret_cast<uintptr_t>(p) - reinterpret_cast<uintptr_t>(h) - header);
  }
  static uint32_t size_of(const Control *h, uint32_t b) noexcept { return word0(h, b) & ~7U; }
  static bool is_used(const Control *h, uint32_t b) noexcept { return (word0(h, b) & used) != 0U; }

private:
  static constexpr uint32_t used = 1;
  static constexpr uint32_t prev_used = 2;

  static unsigned char *at(const Control *h, uint32_t off) noexcept {
    return reinterpret_cast<unsigned char *>(const_cast<Control *>(h)) + off;
  }
  static uint32_t *words(const Control *h, uint32_t b) noexcept { return static_cast<uint32_t *>(static_cast<void *>(at(h, b))); }
  static uint32_t word0(const Control *h, uint32_t b) noexcept { return words(h, b)[0]; }
  static uint32_t check_of(uint32_t off, uint32_t w0) noexcept {
    uint32_t x = (off ^ 0x9E3779B9U) * 2654435761U ^ w0 * 0x85EBCA6BU;
    return x ^ (x >> 15);
  }
  static void set_header(Control *h, uint32_t b, uint32_t w0) noexcept {
    words(h, b)[0] = w0;
    words(h, b)[1] = check_of(b, w0);
  }
  static bool valid_header(const Control *h, uint32_t b) noexcept {
    return b >= h->first && b <= h->end && words(h, b)[1] == check_of(b, word0(h, b));
  }
  // Boundary tag: the size of the free block that ends just before b.
  static uint32_t tag_of(const Control *h, uint32_t b) noexcept { return words(h, b)[-1]; }
  static void set_tag(Control *h, uint32_t b, uint32_t size) noexcept { words(h, b + size)[-1] = size; }

  // Tree node of a free block: left, right, largest size in the subtree.
  static uint32_t *node(const Control *h, uint32_t b) noexcept { return words(h, b) + 2; }
  // A node's priority: a hash of where its block ends (which splits and
  // merges on its left keep, so the node can move without rotations).
  static uint32_t priority_of(const Control *h, uint32_t b) noexcept {
    uint32_t x = (b + size_of(h, b)) * 0x9E3779B1U;
    return x ^ (x >> 16);
  }
  static uint32_t largest(const Control *h, uint32_t b) noexcept { return b == 0U ? 0U : node(h, b)[2]; }
  static void update(Control *h, uint32_t b) noexcept {
    uint32_t m = size_of(h, b);
    const uint32_t l = largest(h, node(h, b)[0]), r = largest(h, node(h, b)[1]);
    if (l > m) m = l;
    if (r > m) m = r;
    node(h, b)[2] = m;
  }
  static void init_node(Control *h, uint32_t b) noexcept {
    node(h, b)[0] = 0;
    node(h, b)[1] = 0;
    node(h, b)[2] = size_of(h, b);
  }

  // The smallest block that holds `bytes`, or 0 if none can.
  static uint32_t need_for(size_t bytes) noexcept {
    if (bytes == 0U || bytes > 0x7FFFFFF0U) return 0;
    uint32_t n = (static_cast<uint32_t>(bytes) + header + 7U) & ~7U;
    return n < min_block ? min_block : n;
  }

  // The free block at the lowest address with size >= need, or 0.
  // Next fit (Knuth 2.5, exercise 6: a roving pointer): the lowest block
  // that fits at or after the rover, else the lowest one (wrap around); the
  // rover moves to the block found.
  static uint32_t next_fit(Control *h, uint32_t need) noexcept {
    uint32_t b = fit_from(h, h->root, need, h->rover);
    if (b == 0U) b = first_fit(h, need);
    if (b != 0U) h->rover = b;
    return b;
  }
  // The lowest block of subtree t at an offset >= lo with size >= need, or 0.
  static uint32_t fit_from(const Control *h, uint32_t t, uint32_t need, uint32_t lo) noexcept {
    while (t != 0U && largest(h, t) >= need) {
      if (t < lo) {
        t = node(h, t)[1];
        continue;
      }
      const uint32_t left = fit_from(h, node(h, t)[0], need, lo);
      if (left != 0U) return left;
      if (size_of(h, t) >= need) return t;
      return subtree_first_fit(h, node(h, t)[1], need);
    }
    return 0;
  }
  static uint32_t subtree_first_fit(const Control *h, uint32_t b, uint32_t need) noexcept {
    if (largest(h, b) < need) return 0;
    for (;;) {
      const uint32_t l = node(h, b)[0];
      if (largest(h, l) >= need) {
        b = l;
      } else if (size_of(h, b) >= need) {
        return b;
      } else {
        b = node(h, b)[1];
      }
    }
  }

  static uint32_t first_fit(const Control *h, uint32_t need) noexcept { return subtree_first_fit(h, h->root, need); }


  static uint32_t rotate_right(Control *h, uint32_t b) noexcept {
    const uint32_t l = node(h, b)[0];
    node(h, b)[0] = node(h, l)[1];
    node(h, l)[1] = b;
    update(h, b);
    update(h, l);
    return l;
  }
  static uint32_t rotate_left(Control *h, uint32_t b) noexcept {
    const uint32_t r = node(h, b)[1];
    node(h, b)[1] = node(h, r)[0];
    node(h, r)[0] = b;
    update(h, b);
    update(h, r);
    return r;
  }
  // Inserts free block x (its node initialised) into the subtree t.
  static uint32_t insert(Control *h, uint32_t t, uint32_t x) noexcept {
    if (t == 0U) return x;
    if (x < t) {
      node(h, t)[0] = insert(h, node(h, t)[0], x);
      if (priority_of(h, node(h, t)[0]) > priority_of(h, t)) return rotate_right(h, t);
    } else {
      node(h, t)[1] = insert(h, node(h, t)[1], x);
      if (priority_of(h, node(h, t)[1]) > priority_of(h, t)) return rotate_left(h, t);
    }
    update(h, t);
    return t;
  }
  // Removes free block x from the subtree t (x is in it).
  static uint32_t remove(Control *h, uint32_t t, uint32_t x) noexcept {
    if (t == 0U) return 0;
    if (x < t) {
      node(h, t)[0] = remove(h, node(h, t)[0], x);
    } else if (x > t) {
      node(h, t)[1] = remove(h, node(h, t)[1], x);
    } else {
      const uint32_t l = node(h, t)[0], r = node(h, t)[1];
      if (l == 0U) return r;
      if (r == 0U) return l;
      if (priority_of(h, l) > priority_of(h, r)) {
        t = rotate_right(h, t);
        node(h, t)[1] = remove(h, node(h, t)[1], x);
      } else {
        t = rotate_left(h, t);
        node(h, t)[0] = remove(h, node(h, t)[0], x);
      }
    }
    update(h, t);
    return t;
  }

  // Makes [b, b + size) one free block in the tree (the block after it gets
  // "previous free").
  static void make_free(Control *h, uint32_t b, uint32_t size) noexcept {
    set_header(h, b, size | (word0(h, b) & prev_used));
    set_tag(h, b, size);
    const uint32_t next = b + size;
    set_header(h, next, word0(h, next) & ~prev_used);
    init_node(h, b);
    h->root = insert(h, h->root, b);
  }

  // Uses free block b (in the tree) for `need` bytes and returns it (b: the
  // lowest address). The rest, if large enough to stay free, ends where b
  // ended: it takes b's node (same priority, same place in the order).
  static uint32_t take(Control *h, uint32_t b, uint32_t need) noexcept {
    carve(h, b, b, size_of(h, b), need, word0(h, b) & prev_used);
    h->used_bytes += size_of(h, b);
    ++h->live_blocks;
    ++h->allocations;
    note_peak(h);
    return b;
  }

  // Makes [start, start + need) a block in use (its "previous used" flag
  // `pu`) out of the span [start, start + total), whose free part is the
  // tree's block fb, ending at start + total. The rest, if large enough to
  // stay free, takes fb's node (it ends where fb ended); else the whole span
  // is used.
  static void carve(Control *h, uint32_t fb, uint32_t start, uint32_t total, uint32_t need, uint32_t pu) noexcept {
    if (total - need >= min_block) {
      const uint32_t l = node(h, fb)[0], r = node(h, fb)[1];
      set_header(h, start + need, (total - need) | prev_used);
      set_tag(h, start + need, total - need);
      h->root = replace(h, h->root, fb, start + need, l, r);
      set_header(h, start, need | used | pu);
    } else {
      h->root = remove(h, h->root, fb);
      set_header(h, start, total | used | pu);
      set_header(h, start + total, word0(h, start + total) | prev_used);
    }
  }

  // Node `old` of the subtree t is replaced by block `neu`, which takes its
  // place in the order (no free block lies between them) and its priority
  // (it ends at the same address); `l`, `r` are old's links, read before
  // neu's header could overwrite them. Returns the subtree's root.
  static uint32_t replace(Control *h, uint32_t t, uint32_t old, uint32_t neu, uint32_t l, uint32_t r) noexcept {
    if (t == old) {
      node(h, neu)[0] = l;
      node(h, neu)[1] = r;
      update(h, neu);
      return neu;
    }
    if (old < t) {
      node(h, t)[0] = replace(h, node(h, t)[0], old, neu, l, r);
    } else {
      node(h, t)[1] = replace(h, node(h, t)[1], old, neu, l, r);
    }
    update(h, t);
    return t;
  }

  static void note_peak(Control *h) noexcept {
    if (h->used_bytes > h->peak_bytes) h->peak_bytes = h->used_bytes;
  }

  // The block whose user area is p, if it is a block in use; else not_found
  // (outside, not a block start, free) or corrupt (a damaged header met on
  // the way). Only a pointer that fails the constant-time check pays for a
  // walk, to tell an interior pointer from a damaged header.
  static Result locate(Control *h, const void *p, uint32_t &b) noexcept {
    const uintptr_t a = reinterpret_cast<uintptr_t>(p);
    const uintptr_t base = reinterpret_cast<uintptr_t>(h);
    b = 0;
    if (p == nullptr || a < base + h->first || a >= base + h->end) return Result::foreign;
    if ((a - base) % 8U != 0U || a < base + h->first + header) {
      return walk_to(h, static_cast<uint32_t>(a - base)); // not where a user area can start
    }
    b = static_cast<uint32_t>(a - base) - header;
    if (OMNIHEAP_LIKELY(valid_header(h, b))) {
      const uint32_t s = size_of(h, b);
      if (s < min_block || b + s > h->end) return Result::corrupt;
      return (word0(h, b) & used) != 0U ? Result::ok : Result::double_free;
    }
    return walk_to(h, b);
  }
  // Classifies offset `target` (a header offset, or any offset inside the
  // heap) by walking the blocks up to it.
  OMNIHEAP_COLD static Result walk_to(Control *h, uint32_t target) noexcept {
    for (uint32_t c = h->first; c < h->end;) {
      if (c == target || !valid_header(h, c)) return Result::corrupt;
      const uint32_t s = size_of(h, c);
      if (s < min_block || c + s > h->end) return Result::corrupt;
      if (c + s > target) return (word0(h, c) & used) != 0U ? Result::interior : Result::double_free;
      c += s;
    }
    return Result::foreign;
  }

  static bool valid_tree(Control *h, uint32_t t, uint32_t &count, uint32_t &last) noexcept {
    if (t == 0U) return true;
    if (count > (h->end >> 3)) return false; // a cycle
    if (!valid_header(h, t) || (word0(h, t) & used) != 0U) return false;
    const uint32_t l = node(h, t)[0], r = node(h, t)[1];
    if (l != 0U && priority_of(h, l) > priority_of(h, t)) return false;
    if (r != 0U && priority_of(h, r) > priority_of(h, t)) return false;
    if (!valid_tree(h, l, count, last)) return false;
    if (t <= last) return false;
    last = t;
    ++count;
    if (!valid_tree(h, r, count, last)) return false;
    uint32_t m = size_of(h, t);
    if (largest(h, l) > m) m = largest(h, l);
    if (largest(h, r) > m) m = largest(h, r);
    return node(h, t)[2] == m;
  }
};

} // namespace omniheap::engine
