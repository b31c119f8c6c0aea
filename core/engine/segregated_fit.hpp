// SegregatedFit: the bounded-time general-purpose heap engine behind
// heapmem, sys_heap, k_heap and emh. Knows no family. Internal header.
//
// Memory is a grid of units (8 bytes, or 16 where user pointers must be
// 16-aligned); a chunk is a run of units. Everything lives inside the
// caller's region:
//
//   region start, rounded up to the unit
//   | lead: bytes that make user pointers Layout::align-aligned
//   | chunk 0: the Control block below, marked used
//   | chunks 1 ...: allocated and free chunks, in address order
//   | end marker: a header only, marked used, size 0
//
// Every chunk starts with a header of two Fields: the size of the chunk to
// the left and the own size << 1 | used. The user area follows the header,
// so the right neighbour's "left size" sits just past the end of every user
// area: an overflow changes it, and free() checks left(right(c)) == size(c).
// Field is uint16_t (4-byte headers, heaps up to 32767 units = 256 KiB of
// 8-byte units) or uint32_t (8-byte headers).
//
// An aligned block may start a few bytes (a multiple of 4) into its chunk's
// user area, when no chunk start has the requested alignment (e.g. 8-aligned
// blocks with 4-byte headers, as in Zephyr): the chunk's first 4 user bytes
// then hold a tag naming the chunk, and free() maps such a pointer back to
// its chunk only if the tag is there.
//
// Free chunks are kept on doubly linked lists, one per size class, with a
// two-level bitmap of non-empty classes (TLSF's idea): sizes below 32 units
// have one class each; above, every power of two is split into 16 classes.
// Allocation takes the first chunk of the smallest non-empty class whose
// every chunk is large enough (good fit, one bitmap search, no list walk),
// splits it, and returns the left part: an empty heap fills from low to high
// addresses. Free merges with both neighbours at once. Both run in constant
// time; so do realloc in place and every statistic.
//
// Two refinements keep the common paths short: when the remainder of a split
// (or the result of a merge) stays in the class of the chunk it came from,
// the list node is moved (or kept) instead of being unlinked and re-linked;
// and a request that finds no class above its own looks at the first chunk of
// its own class before it fails (better use of a nearly full heap, still O(1)).
//
// Misuse is detected before anything is changed: a pointer outside the heap
// or not on the 8-byte grid, a chunk that is not in use (double free), and a
// header whose neighbours disagree with it (interior pointer, overflow of the
// block below or above) are reported through Fault, and the heap is left as
// it was.
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <type_traits>

#include "../common/bits.hpp"
#include "../common/compiler.hpp"

namespace omniheap::engine {

enum class Fault : uint8_t {
  none,
  null_pointer,
  foreign,     // outside the heap, or not on its 8-byte grid
  double_free, // the chunk is not in use
  corrupt,     // the headers around the chunk disagree (interior pointer, overflow)
};

// The compile-time shape of a heap: header field width, unit size and the
// alignment of the pointers alloc() returns.
template <class FieldType, size_t Unit = 8, size_t Align = 2 * sizeof(FieldType)> struct Layout {
  using Field = FieldType;
  static constexpr size_t unit = Unit;
  static constexpr size_t align = Align;
  static_assert(sizeof(Field) == 2 || sizeof(Field) == 4, "4- or 8-byte chunk headers");
  static_assert(Unit == 8 || Unit == 16, "8- or 16-byte units");
  static_assert(Align >= 4 && Align <= Unit && (Align & (Align - 1)) == 0, "alignment 4 ... unit");
};

template <class L> class SegregatedFit {
public:
  using Field = typename L::Field;
  using Word = typename std::conditional<sizeof(Field) == 2, uint32_t, uintptr_t>::type;
  // The core is built with -fno-strict-aliasing: headers, links and tags are
  // read and written through Field / uint32_t lvalues in the caller's buffer.
  using MField = Field;
  using MWord32 = uint32_t;

  static constexpr size_t unit = L::unit;
  static constexpr size_t header = 2 * sizeof(Field);
  // A free chunk holds its header and two links.
  static constexpr size_t min_units = (2 * header + unit - 1) / unit;
  // Bytes between the unit-aligned region start and chunk 0, so that user
  // pointers (chunk + header) are L::align-aligned.
  static constexpr size_t lead = (L::align - header % L::align) % L::align;
  // Offsets of user pointers within a unit: chunk user areas start at
  // `header % unit`; aligned blocks may also start 4 bytes later.
  static constexpr uint32_t gap_tag = 0x5A1C7A95U;
  static constexpr size_t max_chunk_units = static_cast<Field>(~Field(0)) >> 1;
  static constexpr unsigned sub_bits = 4;
  static constexpr unsigned word_bits = sizeof(Word) * 8;

  static constexpr unsigned class_of_const(size_t x) noexcept {
    const unsigned f = bits::log2_floor(x | (size_t(1) << sub_bits)) - sub_bits;
    return static_cast<unsigned>((f << sub_bits) + (x >> f));
  }
  static constexpr unsigned max_classes = class_of_const(max_chunk_units) + 1;
  static constexpr unsigned max_words = (max_classes + word_bits - 1) / word_bits;

  struct Control {
    Field left;      // chunk 0's header: nothing to its left
    Field size_used; // ... its size << 1 | used
    uint32_t magic;
    Field end;        // index of the end marker
    Field first;      // index of the first chunk after chunk 0
    uint16_t classes; // number of size classes
    uint16_t flags;   // for the binding
    size_t used_units;
    size_t peak_units;
    uint32_t allocations;
    uint32_t frees;
    uint32_t failures;
    Word summary; // bit w: words[w] != 0
    Word words[max_words];
    Field heads[1]; // `classes` entries: first chunk of each class, 0 = empty
  };

  static constexpr uint32_t magic_value = 0x6F6D6800U | sizeof(Field) << 4 | unit;
  static_assert(lead % alignof(Control) == 0, "Control must be aligned at chunk 0");

  // ---- geometry -------------------------------------------------------------

  // Units the Control block takes for `classes` classes (chunk 0's size).
  static constexpr size_t control_units(size_t classes) noexcept {
    return (offsetof(Control, heads) + classes * sizeof(Field) + unit - 1) / unit;
  }

  // Smallest chunk that holds `bytes` user bytes.
  static constexpr size_t units_for(size_t bytes) noexcept {
    const size_t u = (bytes + header + unit - 1) / unit;
    return u < min_units ? min_units : u;
  }

  // Smallest region (8-aligned start) in which one allocation of `bytes`
  // succeeds: lead, chunk 0 for the classes that chunk needs, the chunk, the
  // end marker's header.
  static constexpr size_t min_region(size_t bytes) noexcept {
    const size_t need = units_for(bytes);
    return lead + (control_units(class_of_const(need) + 1) + need) * unit + header;
  }

  // ---- set-up -------------------------------------------------------------------

  // Makes [mem, mem + bytes) a heap. Returns its Control block (at the
  // 8-aligned start plus `lead`), or nullptr if the region cannot hold chunk 0
  // and one smallest chunk, or holds more units than a chunk index can name.
  static Control *init(void *mem, size_t bytes) noexcept {
    const uintptr_t start = reinterpret_cast<uintptr_t>(mem);
    const uintptr_t aligned = (start + unit - 1U) & ~uintptr_t(unit - 1U);
    if (mem == nullptr || bytes < aligned - start + lead + header) return nullptr;
    const size_t room = bytes - (aligned - start) - lead - header; // end marker's header
    const size_t total = room / unit;                               // units 0 .. end-1
    if (total > static_cast<Field>(~Field(0))) return nullptr;
    // The smallest class count that covers the free chunk it leaves (more
    // classes mean a larger chunk 0 and a smaller free chunk).
    size_t classes = 1;
    for (;; ++classes) {
      const size_t ctrl = control_units(classes);
      if (total < ctrl + min_units || classes > max_classes) return nullptr;
      const size_t free_units = total - ctrl;
      if (free_units <= max_chunk_units && class_of(free_units) < classes) break;
    }
    Control *h = reinterpret_cast<Control *>(aligned + lead);
    const size_t ctrl = control_units(classes);
    memset(static_cast<void *>(h), 0, ctrl * unit);
    h->flags = 0;
    h->size_used = static_cast<Field>(ctrl << 1 | 1U);
    h->magic = magic_value;
    h->end = static_cast<Field>(total);
    h->first = static_cast<Field>(ctrl);
    h->classes = static_cast<uint16_t>(classes);
    const size_t free_units = total - ctrl;
    set_header(h, ctrl, ctrl, free_units, false);
    set_header(h, total, free_units, 0, true);
    push(h, ctrl, free_units);
    return h;
  }

  // ---- allocation ---------------------------------------------------------------

  static void *alloc(Control *h, size_t bytes) noexcept {
    // bytes - 1 wraps for 0: one test rejects 0 and anything too large.
    if (OMNIHEAP_UNLIKELY(bytes - 1U >= max_chunk_units * unit - header)) return fail(h);
    return take(h, units_for(bytes));
  }

  // A chunk of `need` units; nullptr if none is free.
  static void *take(Control *h, size_t need) noexcept {
    size_t k = search(h, class_of(need - 1U) + 1U);
    if (OMNIHEAP_UNLIKELY(k >= h->classes)) {
      k = class_of(need); // its own class: the first chunk may be large enough
      const size_t c = h->heads[k];
      if (c == 0U || size(h, c) < need) return fail(h);
    }
    const size_t c = h->heads[k];
    const size_t s = size(h, c);
    const size_t rest = s - need;
    if (rest >= min_units) {
      const size_t r = c + need;
      if (rest >= lower(k)) {
        replace(h, k, c, r); // the remainder keeps c's place in class k
      } else {
        pop(h, k, c);
        push(h, r, rest);
      }
      set_header(h, r, need, rest, false);
      left_of(h, r + rest) = static_cast<Field>(rest);
      size_used(h, c) = static_cast<Field>(need << 1 | 1U);
    } else {
      pop(h, k, c);
      size_used(h, c) = static_cast<Field>(s << 1 | 1U);
      need = s;
    }
    account_alloc(h, need);
    return user(h, c);
  }

  // A block p with (p + offset) % align == 0: align a power of two, offset a
  // multiple of 4 below align. Returns nullptr (a failure, counted) if no
  // chunk fits; a request the grid cannot meet (offset not a multiple of 4)
  // is refused by the caller. Unused prefix and suffix chunks go back to the
  // heap at once.
  static void *aligned_alloc(Control *h, size_t align, size_t offset, size_t bytes) noexcept {
    const size_t start_mod = (reinterpret_cast<uintptr_t>(h) + header) % unit; // of every chunk's user area
    const size_t most_gap = unit - 4U;
    if (OMNIHEAP_UNLIKELY(bytes - 1U >= max_chunk_units * unit - header - most_gap)) return fail(h);
    if (align <= unit) {
      const size_t gap = (align - (start_mod + offset) % align) % align;
      if (gap == 0U) return alloc(h, bytes); // every chunk start fits
      // A fixed gap fits (align 8 with 4-byte headers, or an offset).
      unsigned char *p = static_cast<unsigned char *>(take(h, units_for(bytes + gap)));
      if (p == nullptr) return nullptr;
      tag_gap(h, p);
      return p + gap;
    }
    const size_t need = units_for(bytes + most_gap);
    const size_t slack = align / unit + min_units; // the worst prefix
    if (need + slack > max_chunk_units) return fail(h);
    unsigned char *p = static_cast<unsigned char *>(take(h, need + slack));
    if (p == nullptr) return nullptr;
    const uintptr_t base = reinterpret_cast<uintptr_t>(p);
    // First address at or after p that is aligned and is a chunk's user start
    // (or 4 bytes after one), with a prefix that is empty or a whole chunk.
    uintptr_t a = ((base + offset + align - 1U) & ~uintptr_t(align - 1U)) - offset;
    while ((a - base) / unit != 0U && (a - base) / unit < min_units) {
      a += align;
    }
    const size_t c = chunk_of(h, p);
    const size_t nc = c + (a - base) / unit;
    const size_t gap = (a - base) % unit;
    if (nc != c) { // the prefix becomes a free chunk
      const size_t total = size(h, c);
      const size_t prefix = nc - c;
      size_used(h, c) = static_cast<Field>(prefix << 1 | 1U);
      set_header(h, nc, prefix, total - prefix, true);
      left_of(h, nc + total - prefix) = static_cast<Field>(total - prefix);
      h->used_units -= prefix;
      release_chunk(h, c);
    }
    shrink(h, nc, units_for(bytes + gap));
    if (gap != 0U) tag_gap(h, user(h, nc));
    return reinterpret_cast<void *>(a);
  }

  // ---- free -------------------------------------------------------------------------

  static Fault free(Control *h, void *p) noexcept {
    const Fault f = check(h, p);
    if (OMNIHEAP_UNLIKELY(f != Fault::none)) return f;
    const size_t c = chunk_of(h, p);
    h->used_units -= size(h, c);
    ++h->frees;
    release_chunk(h, c);
    return Fault::none;
  }

  // Is p a block in use of this heap? Fault::none if so.
  static Fault check(Control *h, const void *p) noexcept {
    const uintptr_t off = reinterpret_cast<uintptr_t>(p) - reinterpret_cast<uintptr_t>(h) - header;
    const uintptr_t limit = static_cast<uintptr_t>(h->end) * unit;
    if (OMNIHEAP_UNLIKELY(off >= limit || (off & (unit - 1U)) != 0U)) return check_unusual(h, p, off);
    return check_chunk(h, off / unit);
  }

  // Chunk of block p (which passed check()), and the bytes before p in it.
  static size_t chunk_of(const Control *h, const void *p) noexcept {
    return (reinterpret_cast<uintptr_t>(p) - reinterpret_cast<uintptr_t>(h) - header) / unit;
  }
  static size_t gap_of(const Control *h, const void *p) noexcept {
    return (reinterpret_cast<uintptr_t>(p) - reinterpret_cast<uintptr_t>(h) - header) % unit;
  }

  // ---- realloc -----------------------------------------------------------------------

  // Grows or shrinks block p in place if it can: true if p now holds `bytes`.
  // `bytes` must be 1 ... max; p must pass check().
  static bool resize_in_place(Control *h, void *p, size_t bytes) noexcept {
    const size_t c = chunk_of(h, p);
    const size_t s = size(h, c);
    if (bytes > max_chunk_units * unit - header - gap_of(h, p)) return false;
    const size_t need = units_for(bytes + gap_of(h, p));
    if (need <= s) {
      shrink(h, c, need);
      return true;
    }
    const size_t r = c + s;
    if (used(h, r)) return false;
    const size_t rs = size(h, r);
    if (s + rs < need) return false;
    remove(h, r, rs);
    const size_t grown = s + rs;
    size_used(h, c) = static_cast<Field>(grown << 1 | 1U);
    left_of(h, c + grown) = static_cast<Field>(grown);
    h->used_units += rs;
    note_peak(h);
    shrink(h, c, need);
    return true;
  }

  // ---- queries --------------------------------------------------------------------------

  static size_t usable_size(Control *h, const void *p) noexcept {
    return size(h, chunk_of(h, p)) * unit - header - gap_of(h, p);
  }

  // Bytes of chunks (headers included) in use, free, and in total.
  static size_t used_bytes(const Control *h) noexcept { return h->used_units * unit; }
  static size_t total_bytes(const Control *h) noexcept {
    return (static_cast<size_t>(h->end) - h->first) * unit;
  }
  static size_t free_bytes(const Control *h) noexcept { return total_bytes(h) - used_bytes(h); }
  static size_t live_blocks(const Control *h) noexcept {
    return static_cast<uint32_t>(h->allocations - h->frees);
  }

  // Largest block one allocation could get, in user bytes: the largest chunk
  // of the highest non-empty class (walks that one list).
  static size_t largest_free(Control *h) noexcept {
    size_t best = 0;
    for (size_t w = max_words; w-- != 0U;) {
      if (h->words[w] == 0U) continue;
      const size_t k = w * word_bits + bits::highest_of(h->words[w]);
      for (size_t c = h->heads[k]; c != 0U; c = next_of(h, c)) {
        if (size(h, c) > best) best = size(h, c);
      }
      break;
    }
    return best == 0U ? 0U : best * unit - header;
  }

  static void reset_peak(Control *h) noexcept { h->peak_units = h->used_units; }

  // Every invariant, without modifying anything: chunk chain from chunk 0 to
  // the end marker with matching left sizes, no two free chunks adjacent,
  // every free chunk on the list of its class exactly once, lists doubly
  // linked, bitmaps equal to the non-empty lists, counters equal to the sums.
  static bool valid(Control *h) noexcept {
    if (h->magic != magic_value || h->size_used != (h->first << 1 | 1U) || h->left != 0U) {
      return false;
    }
    size_t used_units = 0, free_units = 0, free_chunks = 0, used_chunks = 0;
    bool prev_free = false;
    size_t c = h->first, prev_size = h->first;
    while (c < h->end) {
      const size_t s = size(h, c);
      if (s < min_units || s > h->end - c || left_of(h, c) != prev_size) return false;
      if (used(h, c)) {
        used_units += s;
        ++used_chunks;
        prev_free = false;
      } else {
        if (prev_free) return false; // two free neighbours: a missed merge
        free_units += s;
        ++free_chunks;
        prev_free = true;
      }
      prev_size = s;
      c += s;
    }
    if (c != h->end || left_of(h, c) != prev_size || size_used(h, c) != 1U) return false;
    if (used_units != h->used_units || h->peak_units < used_units) return false;
    if (used_chunks != live_blocks(h)) return false;
    // Lists: each free chunk in its class, back links right, bounded walks.
    size_t listed = 0;
    Word summary = 0;
    for (size_t k = 0; k < h->classes; ++k) {
      const bool bit = (h->words[k / word_bits] >> (k % word_bits)) & 1U;
      if (bit != (h->heads[k] != 0U)) return false;
      size_t prev = 0;
      for (size_t n = h->heads[k]; n != 0U; n = next_of(h, n)) {
        if (n < h->first || n >= h->end || used(h, n) || class_of(size(h, n)) != k ||
            prev_of(h, n) != prev || ++listed > free_chunks) {
          return false;
        }
        prev = n;
      }
    }
    for (size_t w = 0; w < max_words; ++w) {
      if (h->words[w] != 0U) summary |= Word(1) << w;
      for (size_t b = 0; b < word_bits; ++b) {
        if (w * word_bits + b >= h->classes && ((h->words[w] >> b) & 1U)) return false;
      }
    }
    return listed == free_chunks && summary == h->summary;
  }

  // fn(user pointer, user bytes, used) for every chunk in address order; stops
  // when fn returns non-zero. Returns false if the chain is broken.
  template <class Fn> static bool walk(Control *h, Fn &&fn) noexcept {
    size_t c = h->first;
    while (c < h->end) {
      const size_t s = size(h, c);
      if (s == 0U || s > h->end - c) return false;
      if (fn(user(h, c), s * unit - header, used(h, c)) != 0) return true;
      c += s;
    }
    return c == h->end;
  }

  static constexpr unsigned class_of(size_t x) noexcept {
    const unsigned f = bits::highest_of(x | (size_t(1) << sub_bits)) - sub_bits;
    return static_cast<unsigned>((f << sub_bits) + (x >> f));
  }

  // Smallest size in class k.
  static constexpr size_t lower(size_t k) noexcept {
    return k < (size_t(2) << sub_bits)
               ? k
               : ((k & ((size_t(1) << sub_bits) - 1U)) | (size_t(1) << sub_bits)) << ((k >> sub_bits) - 1U);
  }

  static unsigned char *user(Control *h, size_t c) noexcept {
    return reinterpret_cast<unsigned char *>(h) + c * unit + header;
  }

private:
  // ---- chunk headers ------------------------------------------------------------------
  static MField *at(const Control *h, size_t c) noexcept {
    return reinterpret_cast<MField *>(reinterpret_cast<uintptr_t>(h) + c * unit);
  }
  static MField &left_of(const Control *h, size_t c) noexcept { return at(h, c)[0]; }
  static MField &size_used(const Control *h, size_t c) noexcept { return at(h, c)[1]; }
  static MField &next_of(const Control *h, size_t c) noexcept { return at(h, c)[2]; }
  static MField &prev_of(const Control *h, size_t c) noexcept { return at(h, c)[3]; }
  static size_t size(const Control *h, size_t c) noexcept { return size_used(h, c) >> 1; }
  static bool used(const Control *h, size_t c) noexcept { return (size_used(h, c) & 1U) != 0U; }

  static void set_header(Control *h, size_t c, size_t left, size_t s, bool in_use) noexcept {
    left_of(h, c) = static_cast<Field>(left);
    size_used(h, c) = static_cast<Field>(s << 1 | (in_use ? 1U : 0U));
  }

  // ---- bitmap ---------------------------------------------------------------------------
  // First non-empty class >= k (h->classes if none).
  static size_t search(const Control *h, size_t k) noexcept {
    size_t w = k / word_bits;
    if (OMNIHEAP_LIKELY(w < max_words)) {
      const Word m = h->words[w] & (~Word(0) << (k % word_bits));
      if (OMNIHEAP_LIKELY(m != 0U)) return w * word_bits + bits::lowest_of(m);
    }
    const Word s = h->summary & ~((Word(2) << w) - 1U);
    if (s == 0U) return h->classes;
    w = bits::lowest_of(s);
    return w * word_bits + bits::lowest_of(h->words[w]);
  }
  static void mark(Control *h, size_t k) noexcept {
    h->words[k / word_bits] |= Word(1) << (k % word_bits);
    h->summary |= Word(1) << (k / word_bits);
  }
  static void unmark(Control *h, size_t k) noexcept {
    Word &w = h->words[k / word_bits];
    w &= ~(Word(1) << (k % word_bits));
    if (w == 0U) h->summary &= ~(Word(1) << (k / word_bits));
  }

  // ---- lists ----------------------------------------------------------------------------
  static void push(Control *h, size_t c, size_t s) noexcept {
    const size_t k = class_of(s);
    const size_t n = h->heads[k];
    next_of(h, c) = static_cast<Field>(n);
    prev_of(h, c) = 0;
    if (n != 0U) {
      prev_of(h, n) = static_cast<Field>(c);
    } else {
      mark(h, k);
    }
    h->heads[k] = static_cast<Field>(c);
  }
  // c is the head of class k.
  static void pop(Control *h, size_t k, size_t c) noexcept {
    const size_t n = next_of(h, c);
    h->heads[k] = static_cast<Field>(n);
    if (n != 0U) {
      prev_of(h, n) = 0;
    } else {
      unmark(h, k);
    }
  }
  // c (of size s) leaves its list.
  static void remove(Control *h, size_t c, size_t s) noexcept {
    const size_t n = next_of(h, c);
    const size_t p = prev_of(h, c);
    if (p != 0U) {
      next_of(h, p) = static_cast<Field>(n);
    } else {
      const size_t k = class_of(s);
      h->heads[k] = static_cast<Field>(n);
      if (n == 0U) unmark(h, k);
    }
    if (n != 0U) prev_of(h, n) = static_cast<Field>(p);
  }
  // Free chunk r takes head c's place at the head of class k.
  static void replace(Control *h, size_t k, size_t c, size_t r) noexcept {
    const size_t n = next_of(h, c);
    h->heads[k] = static_cast<Field>(r);
    next_of(h, r) = static_cast<Field>(n);
    prev_of(h, r) = 0;
    if (n != 0U) prev_of(h, n) = static_cast<Field>(r);
  }
  // Free chunk r takes free chunk c's place in its list (same class).
  static void move(Control *h, size_t c, size_t r, size_t s) noexcept {
    const size_t n = next_of(h, c);
    const size_t p = prev_of(h, c);
    next_of(h, r) = static_cast<Field>(n);
    prev_of(h, r) = static_cast<Field>(p);
    if (p != 0U) {
      next_of(h, p) = static_cast<Field>(r);
    } else {
      h->heads[class_of(s)] = static_cast<Field>(r);
    }
    if (n != 0U) prev_of(h, n) = static_cast<Field>(r);
  }

  // ---- checks ------------------------------------------------------------------------------

  // Headers around c must agree: a chunk in use, not chunk 0, whose right
  // neighbour names it and whose left neighbour reaches it.
  static Fault check_chunk(Control *h, size_t c) noexcept {
    const size_t su = size_used(h, c);
    if (OMNIHEAP_UNLIKELY((su & 1U) == 0U)) return Fault::double_free;
    const size_t s = su >> 1;
    const size_t l = c - left_of(h, c);
    if (OMNIHEAP_UNLIKELY(c < h->first || s > h->end - c || left_of(h, c + s) != s || l >= c ||
                          size(h, l) != left_of(h, c))) {
      return Fault::corrupt;
    }
    return Fault::none;
  }

  // Off the grid: NULL, foreign, or an aligned block a few bytes into its chunk.
  OMNIHEAP_COLD static Fault check_unusual(Control *h, const void *p, uintptr_t off) noexcept {
    if (p == nullptr) return Fault::null_pointer;
    if (off >= static_cast<uintptr_t>(h->end) * unit || off % 4U != 0U) return Fault::foreign;
    const size_t c = off / unit;
    if (c < h->first || c >= h->end) return Fault::foreign;
    const Fault f = check_chunk(h, c);
    if (f != Fault::none) return f;
    // Only a block handed out with a gap has the tag before it.
    return read_tag(h, c) == tag_for(c) ? Fault::none : Fault::corrupt;
  }

  static uint32_t tag_for(size_t c) noexcept {
    return gap_tag ^ static_cast<uint32_t>(c * 0x9E3779B1U);
  }
  static uint32_t read_tag(Control *h, size_t c) noexcept {
    return *reinterpret_cast<MWord32 *>(user(h, c));
  }
  static void tag_gap(Control *h, unsigned char *chunk_user) noexcept {
    *reinterpret_cast<MWord32 *>(chunk_user) = tag_for(chunk_of(h, chunk_user));
  }

  // ---- composite steps -------------------------------------------------------------------

  // Chunk c (in use, already uncounted) becomes free, merged with free
  // neighbours.
  static void release_chunk(Control *h, size_t c) noexcept {
    size_t s = size(h, c);
    const size_t r = c + s;
    const size_t l = c - left_of(h, c);
    const bool right_free = !used(h, r);
    const bool left_free = !used(h, l);
    if (left_free) {
      const size_t ls = size(h, l);
      size_t total = ls + s;
      if (right_free) {
        const size_t rs = size(h, r);
        remove(h, r, rs);
        total += rs;
      }
      // l keeps its place if the merged chunk stays in l's class.
      if (class_of(total) != class_of(ls)) {
        remove(h, l, ls);
        push(h, l, total);
      }
      size_used(h, l) = static_cast<Field>(total << 1);
      left_of(h, l + total) = static_cast<Field>(total);
      return;
    }
    if (right_free) {
      const size_t rs = size(h, r);
      const size_t total = s + rs;
      // c takes r's place if the merged chunk stays in r's class.
      if (class_of(total) == class_of(rs)) {
        move(h, r, c, rs);
      } else {
        remove(h, r, rs);
        push(h, c, total);
      }
      size_used(h, c) = static_cast<Field>(total << 1);
      left_of(h, c + total) = static_cast<Field>(total);
      return;
    }
    size_used(h, c) = static_cast<Field>(s << 1);
    push(h, c, s);
  }

  // Chunk c (in use) is cut to `need` units; a tail of at least min_units
  // goes back to the heap (merged with a free right neighbour).
  static void shrink(Control *h, size_t c, size_t need) noexcept {
    const size_t s = size(h, c);
    if (s - need < min_units) return;
    const size_t t = c + need;
    size_used(h, c) = static_cast<Field>(need << 1 | 1U);
    set_header(h, t, need, s - need, true);
    left_of(h, c + s) = static_cast<Field>(s - need);
    h->used_units -= s - need;
    release_chunk(h, t);
  }

  static void account_alloc(Control *h, size_t units) noexcept {
    h->used_units += units;
    note_peak(h);
    ++h->allocations;
  }
  static void note_peak(Control *h) noexcept {
    if (h->used_units > h->peak_units) h->peak_units = h->used_units;
  }
  OMNIHEAP_COLD static void *fail(Control *h) noexcept {
    ++h->failures;
    return nullptr;
  }
};

} // namespace omniheap::engine
