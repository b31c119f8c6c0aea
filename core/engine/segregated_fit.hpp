// SegregatedFit: the bounded-time general-purpose heap engine behind
// heapmem, sys_heap, k_heap and emh. Knows no family. Internal header.
//
// Memory is a grid of units (8 bytes, or 16 where user pointers must be
// 16-aligned); a chunk is a run of units. Everything lives inside the
// caller's region:
//
//   region start, rounded up to the unit
//   | lead: bytes that make user pointers Layout::align-aligned
//   | chunk 0: the Control block with one list head per size class, used
//   | chunks first ... end-1: allocated and free chunks, in address order
//   | end marker: a header only, marked used, size 0
//
// Every chunk starts with a header of two Fields: the size of the chunk to
// its left and its own size << 1 | used. The user area follows the header,
// so the right neighbour's "left size" sits just past the end of every user
// area: an overflow changes it, and free() checks left(right(c)) == size(c).
// Field is uint16_t (4-byte headers, chunks up to 32767 units) or uint32_t
// (8-byte headers).
//
// Free chunks are kept on doubly linked lists, one per size class, plus a
// bitmap of non-empty classes and a summary word naming the non-empty bitmap
// words (TLSF's two levels: a search looks at one bitmap word, else at the
// summary and one more word). The first chunk of a list has head_flag plus
// its class number in its `prev` field (chunk indices never reach
// head_flag), so a chunk leaves its list without its class being computed.
// Sizes below 32 units have one class each; above, every power of two is
// split into 16 classes. Allocation takes the first chunk of the request's
// own class if that chunk is large enough (from 32 units on, where a class
// spans several sizes), else the first chunk of the smallest non-empty class
// whose every chunk is large enough (good fit: bitmap searches, no list
// walk), splits it and returns the left part, so an empty heap fills from
// low to high addresses. Free merges with both neighbours at once. Both run
// in constant time, and so do realloc in place and every statistic.
//
// Keeping the paths short: a list node is removed without knowing its class
// (see above); when the remainder of a split,
// or the result of a merge, stays in its class, the node is moved or kept
// instead of being re-linked; class numbers of small sizes come from a table;
// the peak is kept as "headroom" below it, so an allocation costs one
// subtraction and one branch of bookkeeping.
//
// An aligned block may start a few bytes into its chunk's user area, when no
// chunk start has the requested alignment (e.g. 8-aligned blocks with 4-byte
// headers, as in Zephyr, or an alignment with a "rewind"): the gap is 4 to
// unit + 3 bytes (a gap of 1 to 3 bytes is taken one unit further), and the
// chunk's first 4 user bytes hold a tag naming the chunk and the gap; a
// pointer off the unit grid is a block only if its chunk holds that tag.
//
// Misuse is detected before anything changes: a pointer outside the heap or
// off its grid, a chunk that is not in use (double free), and a header whose
// neighbours disagree with it (interior pointer, overflow of the block below
// or above) fail the constant-time checks of free() and check(); the heap is
// left as it was. Only then, to name the fault (foreign, interior, double
// free, corrupt), diagnose() walks the chunks up to the pointer: misuse costs
// O(chunks), correct calls stay O(1).
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
  foreign,     // outside the heap
  interior,    // inside the heap, not a block that was handed out
  double_free, // a block that is free already
  corrupt,     // the headers on the way to the pointer, or around it, disagree
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

  static constexpr size_t unit = L::unit;
  static constexpr size_t header = 2 * sizeof(Field);
  // A free chunk holds its header and two links.
  static constexpr size_t min_units = (2 * header + unit - 1) / unit;
  // Bytes between the unit-aligned region start and chunk 0, so that user
  // pointers (chunk + header) are L::align-aligned.
  static constexpr size_t lead = (L::align - header % L::align) % L::align;
  static constexpr size_t max_chunk_units = static_cast<Field>(~Field(0)) >> 1;
  // Marks a list's first chunk: prev == head_flag | class. Chunk indices are
  // below it (a heap has at most max_chunk_units units).
  static constexpr size_t head_flag = max_chunk_units + 1U;
  static constexpr unsigned sub_bits = 4;
  static constexpr unsigned word_bits = sizeof(Word) * 8;
  static constexpr uint32_t gap_tag = 0x5A1C7A95U;
  static constexpr uint16_t gapped_flag = 1U;
  // Largest gap between a chunk's user area and its (aligned) block.
  static constexpr size_t max_gap = unit + 3U;

  static constexpr unsigned class_of_formula(size_t x) noexcept {
    const unsigned f = bits::log2_floor(x | (size_t(1) << sub_bits)) - sub_bits;
    return static_cast<unsigned>((f << sub_bits) + (x >> f));
  }
  static constexpr unsigned max_classes = class_of_formula(max_chunk_units) + 1;
  static constexpr unsigned max_words = (max_classes + word_bits - 1) / word_bits;
  static_assert(max_words < word_bits, "one summary word covers every bitmap word");

  struct Control {
    Field left;      // chunk 0's header: nothing to its left
    Field size_used; // ... its size << 1 | used
    uint32_t magic;
    Field first;      // index of the first chunk after chunk 0
    Field end;        // index of the end marker
    uint16_t classes; // number of size classes
    uint16_t flags;   // gapped_flag: some block was handed out with a gap
    size_t first_bytes; // first * unit
    size_t span_bytes;  // (end - first) * unit
    size_t peak_units;  // high-water mark of units in use
    size_t headroom;    // peak_units - units in use
    uint32_t allocations;
    uint32_t frees;
    uint32_t failures;
    void *owner;               // for the binding (e.g. the struct sys_heap)
    Word summary;              // bit w: words[w] != 0
    Word words[max_words + 1]; // bit k: class k's list is not empty (last word: always 0)
    Field heads[1];            // `classes` entries: first chunk of each class, 0 = none
  };

  static constexpr uint32_t magic_value = 0x6F6D6800U | sizeof(Field) << 4 | unit;
  static_assert(lead % alignof(Control) == 0, "Control must be aligned at chunk 0");

  // ---- geometry -------------------------------------------------------------

  // Bytes of the Control block before its list heads.
  static constexpr size_t fixed_bytes = offsetof(Control, heads);

  // Units of chunk 0 for `classes` classes: the Control block with its heads.
  static constexpr size_t control_units(size_t classes) noexcept {
    return (fixed_bytes + classes * sizeof(Field) + unit - 1U) / unit;
  }

  // Smallest chunk that holds `bytes` user bytes.
  static constexpr size_t units_for(size_t bytes) noexcept {
    const size_t u = (bytes + header + unit - 1) / unit;
    return u < min_units ? min_units : u;
  }

  // Smallest region (unit-aligned start) in which one allocation of `bytes`
  // succeeds: lead, chunk 0 for the classes that chunk needs, the chunk, the
  // end marker's header.
  static constexpr size_t min_region(size_t bytes) noexcept {
    const size_t need = units_for(bytes);
    return lead + (control_units(class_of_formula(need) + 1) + need) * unit + header;
  }

  // ---- set-up -------------------------------------------------------------------

  // Makes [mem, mem + bytes) a heap. Returns its Control block (at the
  // unit-aligned start plus `lead`), or nullptr if the region cannot hold
  // chunk 0 and one smallest chunk, or has more units than a Field can count.
  static Control *init(void *mem, size_t bytes) noexcept {
    const uintptr_t start = reinterpret_cast<uintptr_t>(mem);
    const uintptr_t aligned = (start + unit - 1U) & ~uintptr_t(unit - 1U);
    if (mem == nullptr || bytes < aligned - start + lead + header) return nullptr;
    static_assert(max_classes < head_flag, "class numbers fit a link");
    const size_t room = bytes - (aligned - start) - lead - header; // end marker's header
    const size_t total = room / unit;                               // units 0 .. end-1
    if (total > max_chunk_units) return nullptr;
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
    h->size_used = static_cast<Field>(ctrl << 1 | 1U);
    h->magic = magic_value;
    h->first = static_cast<Field>(ctrl);
    h->end = static_cast<Field>(total);
    h->classes = static_cast<uint16_t>(classes);
    h->first_bytes = ctrl * unit;
    h->span_bytes = (total - ctrl) * unit;
    const size_t free_units = total - ctrl;
    set_header(h, ctrl, ctrl, free_units << 1);
    set_header(h, total, free_units, 1U);
    push(h, ctrl, free_units);
    return h;
  }

  // ---- allocation ---------------------------------------------------------------

  static void *alloc(Control *h, size_t bytes) noexcept {
    // Small requests (the usual case) find their first fitting class in a
    // table; bytes - 1 wraps for 0, which goes the long way and fails.
    if (OMNIHEAP_LIKELY(bytes - 1U < small_bytes)) {
      const size_t need = (bytes + header + unit - 1U) / unit;
      return take_class(h, use_tables ? search_table.value[need] : class_of(need - 1U) + 1U, need);
    }
    return alloc_large(h, bytes);
  }

  // A chunk of `need` units; nullptr if none is free.
  static void *take(Control *h, size_t need) noexcept {
    return take_class(h, class_of(need - 1U) + 1U, need);
  }

  // A chunk of `need` units from class k or above (every chunk there fits).
  static void *take_class(Control *h, size_t k, size_t need) noexcept {
    // From 32 units on, a class spans several sizes: its first chunk, if it
    // fits, is a closer fit than any chunk of the classes above.
    if (need >= (size_t(2) << sub_bits) && k <= h->classes) {
      const size_t own = k - 1U; // class_of(need - 1): need's class unless need starts class k
      const size_t c = h->heads[own];
      if (c != 0U && size(h, c) >= need) return take_from(h, own, need);
    }
    const size_t w = k / word_bits;
    const Word m = h->words[w] & (~Word(0) << (k % word_bits));
    if (OMNIHEAP_LIKELY(m != 0U)) return take_from(h, w * word_bits + bits::lowest_of(m), need);
    return take_above(h, need, w + 1U);
  }

  // A block p with (p + offset) % align == 0: align a power of two, offset
  // below align. nullptr (counted as a failure) if no chunk fits. Unused
  // prefix and suffix chunks go back to the heap at once.
  static void *aligned_alloc(Control *h, size_t align, size_t offset, size_t bytes) noexcept {
    const size_t start_mod = (reinterpret_cast<uintptr_t>(h) + header) % unit; // of every chunk's user area
    if (OMNIHEAP_UNLIKELY(bytes - 1U >= max_chunk_units * unit - header - max_gap)) {
      return bytes == 0U ? nullptr : fail(h);
    }
    const size_t grid = align < unit ? align : unit;
    // Every fitting block lies this far into its chunk's user area.
    size_t gap = (grid - (start_mod + offset) % grid) % grid;
    if (gap != 0U && gap < 4U) gap += unit; // room for the tag
    if (align <= unit) {
      if (gap == 0U) return alloc(h, bytes); // every chunk start fits
      unsigned char *p = static_cast<unsigned char *>(take(h, units_for(bytes + gap)));
      if (p == nullptr) return nullptr;
      tag_gap(h, p, gap);
      return p + gap;
    }
    const size_t need = units_for(bytes + gap);
    const size_t slack = align / unit + min_units; // the worst prefix
    if (need + slack > max_chunk_units) return fail(h);
    const size_t peak_before = h->peak_units;
    unsigned char *p = static_cast<unsigned char *>(take(h, need + slack));
    if (p == nullptr) return nullptr;
    const uintptr_t base = reinterpret_cast<uintptr_t>(p);
    // First fitting address at least `gap` past p whose prefix is empty or a chunk.
    uintptr_t a = ((base + gap + offset + align - 1U) & ~uintptr_t(align - 1U)) - offset;
    while ((a - gap - base) / unit != 0U && (a - gap - base) / unit < min_units) a += align;
    const size_t c = chunk_of(h, p);
    const size_t nc = c + (a - gap - base) / unit;
    if (nc != c) { // the prefix becomes a free chunk
      const size_t total = size(h, c);
      const size_t prefix = nc - c;
      size_used(h, c) = static_cast<Field>(prefix << 1 | 1U);
      set_header(h, nc, prefix, (total - prefix) << 1 | 1U);
      left_of(h, nc + total - prefix) = static_cast<Field>(total - prefix);
      h->headroom += prefix;
      release_chunk(h, c);
    }
    shrink(h, nc, need);
    // The peak counts the block, not the chunk it was cut from.
    const size_t in_use = used_units(h);
    h->peak_units = in_use > peak_before ? in_use : peak_before;
    h->headroom = h->peak_units - in_use;
    if (gap != 0U) tag_gap(h, user(h, nc), gap);
    return reinterpret_cast<void *>(a);
  }

  // ---- free -------------------------------------------------------------------------

  static Fault free(Control *h, void *p) noexcept {
    const uintptr_t rel = reinterpret_cast<uintptr_t>(p) - reinterpret_cast<uintptr_t>(h) - header;
    Fault f;
    if (OMNIHEAP_UNLIKELY(rel - h->first_bytes >= h->span_bytes || (rel & (unit - 1U)) != 0U)) {
      f = free_unusual(h, p);
    } else {
      f = free_chunk(h, rel / unit);
    }
    if (OMNIHEAP_UNLIKELY(f != Fault::none)) return diagnose(h, p);
    return Fault::none;
  }

  // Is p a block in use of this heap? Fault::none if so.
  static Fault check(Control *h, const void *p) noexcept {
    const uintptr_t rel = reinterpret_cast<uintptr_t>(p) - reinterpret_cast<uintptr_t>(h) - header;
    Fault f;
    if (OMNIHEAP_UNLIKELY(rel - h->first_bytes >= h->span_bytes || (rel & (unit - 1U)) != 0U)) {
      f = check_unusual(h, p);
    } else {
      f = check_chunk(h, rel / unit);
    }
    if (OMNIHEAP_UNLIKELY(f != Fault::none)) return diagnose(h, p);
    return Fault::none;
  }

  // Chunk of block p (which passed check()), and the bytes before p in it.
  static size_t gap_of(const Control *h, const void *p) noexcept {
    const size_t g = (reinterpret_cast<uintptr_t>(p) - reinterpret_cast<uintptr_t>(h) - header) % unit;
    return g != 0U && g < 4U ? g + unit : g;
  }
  static size_t chunk_of(const Control *h, const void *p) noexcept {
    return (reinterpret_cast<uintptr_t>(p) - reinterpret_cast<uintptr_t>(h) - header - gap_of(h, p)) / unit;
  }

  // ---- realloc -----------------------------------------------------------------------

  // Grows or shrinks block p in place if it can: true if p now holds `bytes`.
  // p must pass check(); bytes >= 1.
  static bool resize_in_place(Control *h, void *p, size_t bytes) noexcept {
    const size_t c = chunk_of(h, p);
    const size_t s = size(h, c);
    const size_t gap = gap_of(h, p);
    if (bytes > max_chunk_units * unit - header - gap) return false;
    const size_t need = units_for(bytes + gap);
    if (need <= s) {
      shrink(h, c, need);
      return true;
    }
    const size_t r = c + s;
    if (used(h, r)) return false;
    const size_t rs = size(h, r);
    if (s + rs < need) return false;
    remove(h, r);
    const size_t grown = s + rs;
    size_used(h, c) = static_cast<Field>(grown << 1 | 1U);
    left_of(h, c + grown) = static_cast<Field>(grown);
    // Only the units the block keeps count, so that the peak never sees the
    // whole neighbour it takes for a moment.
    use_units(h, rs - cut(h, c, need));
    return true;
  }

  // ---- queries --------------------------------------------------------------------------

  static size_t usable_size(Control *h, const void *p) noexcept {
    return size(h, chunk_of(h, p)) * unit - header - gap_of(h, p);
  }

  // Units and bytes of chunks (headers included) in use, free, in total.
  static size_t used_units(const Control *h) noexcept { return h->peak_units - h->headroom; }
  static size_t used_bytes(const Control *h) noexcept { return used_units(h) * unit; }
  static size_t peak_bytes(const Control *h) noexcept { return h->peak_units * unit; }
  static size_t total_bytes(const Control *h) noexcept { return h->span_bytes; }
  static size_t free_bytes(const Control *h) noexcept { return total_bytes(h) - used_bytes(h); }
  static size_t live_blocks(const Control *h) noexcept {
    return static_cast<uint32_t>(h->allocations - h->frees);
  }

  // Largest request one allocation surely gets now, in user bytes: the first
  // chunk of the highest non-empty class. (A request up to that class's
  // lower bound finds the class in the bitmap; a larger one looks at the
  // first chunk of its own class.) Larger chunks further down the list are
  // not reached by a single allocation.
  static size_t largest_free(Control *h) noexcept {
    if (h->summary == 0U) return 0;
    const size_t w = bits::highest_of(h->summary);
    const size_t k = w * word_bits + bits::highest_of(h->words[w]);
    return size(h, h->heads[k]) * unit - header;
  }

  static void reset_peak(Control *h) noexcept {
    h->peak_units -= h->headroom;
    h->headroom = 0;
  }

  // Every invariant, without modifying anything: chunk chain from the first
  // chunk to the end marker with matching left sizes, no two free chunks
  // adjacent, every free chunk on the list of its class exactly once, lists
  // doubly linked, bitmaps equal to the non-empty lists, counters equal to
  // the sums.
  static bool valid(Control *h) noexcept {
    if (h->magic != magic_value || h->left != 0U || h->size_used != (h->first << 1 | 1U) ||
        h->first != control_units(h->classes) || h->classes > max_classes ||
        h->first_bytes != size_t(h->first) * unit ||
        h->span_bytes != (size_t(h->end) - h->first) * unit || h->headroom > h->peak_units) {
      return false;
    }
    size_t in_use = 0, free_chunks = 0, used_chunks = 0;
    bool prev_free = false;
    size_t c = h->first, prev_size = h->first;
    while (c < h->end) {
      const size_t s = size(h, c);
      if (s < min_units || s > h->end - c || left_of(h, c) != prev_size) return false;
      if (used(h, c)) {
        in_use += s;
        ++used_chunks;
        prev_free = false;
      } else {
        if (prev_free || class_of(s) >= h->classes) return false; // a missed merge
        ++free_chunks;
        prev_free = true;
      }
      prev_size = s;
      c += s;
    }
    if (c != h->end || left_of(h, c) != prev_size || size_used(h, c) != 1U) return false;
    if (in_use != used_units(h) || used_chunks != live_blocks(h)) return false;
    size_t listed = 0;
    for (size_t k = 0; k < h->classes; ++k) {
      const bool bit = (h->words[k / word_bits] >> (k % word_bits)) & 1U;
      if (bit != (h->heads[k] != 0U)) return false;
      size_t prev = head_flag | k; // the first chunk's prev names its class
      for (size_t n = h->heads[k]; n != 0U; n = next_of(h, n)) {
        if (n < h->first || n >= h->end || used(h, n) || class_of(size(h, n)) != k ||
            prev_of(h, n) != prev || ++listed > free_chunks) {
          return false;
        }
        prev = n;
      }
    }
    for (size_t w = 0; w <= max_words; ++w) {
      for (size_t b = 0; b < word_bits; ++b) {
        if (w * word_bits + b >= h->classes && ((h->words[w] >> b) & 1U)) return false;
      }
      if (((h->summary >> w) & 1U) != (h->words[w] != 0U)) return false;
    }
    if ((h->summary >> max_words) != 0U) return false;
    return listed == free_chunks;
  }

  // fn(user pointer, user bytes, used) for every chunk in address order; stops
  // when fn returns non-zero. Returns false if the chain is broken.
  template <class Fn> static bool walk(Control *h, Fn &&fn) noexcept {
    size_t c = h->first;
    while (c < h->end) {
      const size_t s = size(h, c);
      if (s == 0U || s > h->end - c) return false;
      const size_t gap = used(h, c) ? tagged_gap(h, c) : 0U;
      if (fn(user(h, c) + gap, s * unit - header - gap, used(h, c)) != 0) return true;
      c += s;
    }
    return c == h->end;
  }

  // fn(class, smallest size of the class in units, chunks, largest chunk in
  // units) for every non-empty class, in increasing order.
  template <class Fn> static void for_each_class(Control *h, Fn &&fn) noexcept {
    for (size_t k = 0; k < h->classes; ++k) {
      size_t count = 0, largest = 0;
      for (size_t c = h->heads[k]; c != 0U && count <= h->end; c = next_of(h, c)) {
        ++count;
        if (size(h, c) > largest) largest = size(h, c);
      }
      if (count != 0U) fn(k, lower(k), count, largest);
    }
  }

  // Smallest size, in units, of class k.
  static constexpr size_t lower(size_t k) noexcept {
    return k < (size_t(2) << sub_bits)
               ? k
               : ((k & ((size_t(1) << sub_bits) - 1U)) | (size_t(1) << sub_bits)) << ((k >> sub_bits) - 1U);
  }

  // Units of the last chunk if it is free (0 if it is in use): the untouched
  // top of the heap.
  static size_t top_free_units(Control *h) noexcept {
    const size_t last = h->end - left_of(h, h->end);
    return used(h, last) ? 0U : size(h, last);
  }

  // Bytes of the chunk of block p (which passed check()), header included.
  static size_t chunk_bytes(Control *h, const void *p) noexcept { return size(h, chunk_of(h, p)) * unit; }

  // Header of chunk c: its size in units, whether it is in use, its left
  // neighbour's size (for dumps).
  static size_t chunk_size(Control *h, size_t c) noexcept { return size(h, c); }
  static bool chunk_used(Control *h, size_t c) noexcept { return used(h, c); }
  static size_t chunk_left(Control *h, size_t c) noexcept { return left_of(h, c); }

  // Class of a chunk of x units: x itself below 32, then 16 per octave.
  static unsigned class_of(size_t x) noexcept {
    if (use_tables && OMNIHEAP_LIKELY(x < table_size)) return class_table.value[x];
    const unsigned f = bits::highest_of(x | (size_t(1) << sub_bits)) - sub_bits;
    return static_cast<unsigned>((f << sub_bits) + (x >> f));
  }

  static unsigned char *user(Control *h, size_t c) noexcept {
    return reinterpret_cast<unsigned char *>(h) + c * unit + header;
  }

private:
  // ---- class tables ---------------------------------------------------------------------
  // class_of(x) for small x, and the first class whose every chunk holds x
  // units (class_of(x - 1) + 1), for requests of up to small_bytes bytes.
  // Where a count-leading-zeros instruction makes the formula as cheap as a
  // table lookup (ARMv7-M, ARMv8-M Mainline), the tables are left out: 256
  // bytes of flash saved. x86 (bsr plus variable shifts) and ARMv6-M (no CLZ)
  // keep them.
#if defined(__ARM_ARCH) && defined(__ARM_FEATURE_CLZ)
  static constexpr bool use_tables = false;
#else
  static constexpr bool use_tables = true;
#endif
  static constexpr size_t table_size = 128;
  // Built for size (-Os): fewer special cases (no node moves, one way to
  // leave a list), a little slower, a few hundred bytes smaller.
#if defined(__OPTIMIZE_SIZE__)
  static constexpr bool lean = true;
#else
  static constexpr bool lean = false;
#endif
  static constexpr size_t small_bytes = (table_size - 1) * unit - header; // need <= table_size - 1
  struct ClassTable {
    uint8_t value[table_size];
  };
  static constexpr ClassTable make_table(int shift) noexcept {
    ClassTable t{};
    for (size_t x = 0; x < table_size; ++x) {
      t.value[x] = static_cast<uint8_t>(shift == 0 ? class_of_formula(x)
                                                   : (x == 0 ? 0 : class_of_formula(x - 1) + 1));
    }
    return t;
  }
  static constexpr ClassTable class_table = make_table(0);
  static constexpr ClassTable search_table = make_table(1);

  OMNIHEAP_COLD static void *alloc_large(Control *h, size_t bytes) noexcept {
    if (bytes - 1U >= max_chunk_units * unit - header) return bytes == 0U ? nullptr : fail(h);
    return take(h, units_for(bytes));
  }

  // ---- chunk headers and links ----------------------------------------------------------
  static Field *at(const Control *h, size_t c) noexcept {
    return reinterpret_cast<Field *>(reinterpret_cast<uintptr_t>(h) + c * unit);
  }
  static Field &left_of(const Control *h, size_t c) noexcept { return at(h, c)[0]; }
  static Field &size_used(const Control *h, size_t c) noexcept { return at(h, c)[1]; }
  static Field &next_of(const Control *h, size_t c) noexcept { return at(h, c)[2]; }
  static Field &prev_of(const Control *h, size_t c) noexcept { return at(h, c)[3]; }
  static size_t size(const Control *h, size_t c) noexcept { return size_used(h, c) >> 1; }
  static bool used(const Control *h, size_t c) noexcept { return (size_used(h, c) & 1U) != 0U; }

  static void set_header(Control *h, size_t c, size_t left, size_t size_and_used) noexcept {
    left_of(h, c) = static_cast<Field>(left);
    size_used(h, c) = static_cast<Field>(size_and_used);
  }

  // ---- bitmap ---------------------------------------------------------------------------
  static void mark(Control *h, size_t k) noexcept {
    h->words[k / word_bits] |= Word(1) << (k % word_bits);
    h->summary |= Word(1) << (k / word_bits);
  }
  static void unmark(Control *h, size_t k) noexcept {
    Word &word = h->words[k / word_bits];
    word &= ~(Word(1) << (k % word_bits));
    if (word == 0U) h->summary &= ~(Word(1) << (k / word_bits));
  }

  // ---- lists ----------------------------------------------------------------------------
  // The first chunk of class k's list has prev == head_flag | k.
  static void push(Control *h, size_t c, size_t s) noexcept { push_class(h, c, class_of(s)); }
  static void push_class(Control *h, size_t c, size_t k) noexcept {
    const size_t n = h->heads[k];
    Field *const hc = at(h, c);
    hc[2] = static_cast<Field>(n);
    hc[3] = static_cast<Field>(head_flag | k);
    h->heads[k] = static_cast<Field>(c);
    if (n != 0U) {
      prev_of(h, n) = static_cast<Field>(c);
    } else {
      mark(h, k);
    }
  }
  // The first chunk of class k (header hc) leaves its list.
  static void pop(Control *h, size_t k, const Field *hc) noexcept {
    const size_t n = hc[2];
    h->heads[k] = static_cast<Field>(n);
    if (n != 0U) {
      prev_of(h, n) = static_cast<Field>(head_flag | k);
    } else {
      unmark(h, k);
    }
  }
  static void remove(Control *h, size_t c) noexcept { unlink(h, at(h, c)); }
  // The free chunk with header hc leaves its list.
  static void unlink(Control *h, const Field *hc) noexcept {
    const size_t n = hc[2];
    const size_t p = hc[3];
    if (p & head_flag) { // the first of class p ^ head_flag
      h->heads[p ^ head_flag] = static_cast<Field>(n);
      if (n == 0U) {
        unmark(h, p ^ head_flag);
        return;
      }
    } else {
      next_of(h, p) = static_cast<Field>(n);
      if (n == 0U) return;
    }
    prev_of(h, n) = static_cast<Field>(p);
  }
  // Free chunk r takes free chunk c's place in its list (same class).
  static void move(Control *h, size_t c, size_t r) noexcept {
    const size_t n = next_of(h, c);
    const size_t p = prev_of(h, c);
    next_of(h, r) = static_cast<Field>(n);
    prev_of(h, r) = static_cast<Field>(p);
    if (p & head_flag) {
      h->heads[p ^ head_flag] = static_cast<Field>(r);
    } else {
      next_of(h, p) = static_cast<Field>(r);
    }
    if (n != 0U) prev_of(h, n) = static_cast<Field>(r);
  }

  // Takes `need` units from the first chunk of class k (which holds at least
  // that many): the whole chunk if the rest would be too small, else its left
  // part, the rest staying free.
  static void *take_from(Control *h, size_t k, size_t need) noexcept {
    const size_t c = h->heads[k];
    Field *const hc = at(h, c);
    const size_t s = hc[1] >> 1;
    const size_t rest = s - need;
    if (rest < min_units) {
      if (lean) {
        unlink(h, hc);
      } else {
        pop(h, k, hc);
      }
      hc[1] = static_cast<Field>(hc[1] | 1U);
      return allocated(h, s, hc + 2);
    }
    return split_off(h, k, c, need, rest);
  }

  // Chunk c (first of class k) keeps `need` units; the rest stays free.
  OMNIHEAP_NOINLINE static void *split_off(Control *h, size_t k, size_t c, size_t need,
                                           size_t rest) noexcept {
    Field *const hc = at(h, c);
    const size_t r = c + need;
    Field *const hr = at(h, r);
    const size_t rk = class_of(rest);
    if (rk == k && !lean) {
      move(h, c, r); // the rest keeps c's place in class k
    } else {
      if (lean) {
        unlink(h, hc);
      } else {
        pop(h, k, hc);
      }
      push_class(h, r, rk);
    }
    hr[0] = static_cast<Field>(need);
    hr[1] = static_cast<Field>(rest << 1);
    at(h, r + rest)[0] = static_cast<Field>(rest);
    hc[1] = static_cast<Field>(need << 1 | 1U);
    return allocated(h, need, hc + 2);
  }

  // No class in the word of the search's first class has a chunk: the first
  // non-empty class of the following words (the summary names the word),
  // else failure.
  OMNIHEAP_COLD static void *take_above(Control *h, size_t need, size_t w) noexcept {
    const Word above = h->summary & (~Word(0) << w); // w <= max_words < word_bits
    if (above == 0U) return fail(h);
    const size_t v = bits::lowest_of(above);
    return take_from(h, v * word_bits + bits::lowest_of(h->words[v]), need);
  }

  // ---- checks ------------------------------------------------------------------------------

  // Headers around c must agree: a chunk in use whose right neighbour names
  // it and whose left neighbour lies before it. (c is a chunk index at or
  // after first, before end.)
  static Fault check_chunk(Control *h, size_t c) noexcept {
    const size_t su = size_used(h, c);
    if (OMNIHEAP_UNLIKELY((su & 1U) == 0U)) return Fault::double_free;
    const size_t s = su >> 1;
    if (OMNIHEAP_UNLIKELY(s > h->end - c || left_of(h, c + s) != s || c - left_of(h, c) >= c ||
                          size(h, c - left_of(h, c)) != left_of(h, c))) {
      return Fault::corrupt;
    }
    return Fault::none;
  }

  // check_chunk() and release, sharing the loads.
  static Fault free_chunk(Control *h, size_t c) noexcept {
    Field *const hc = at(h, c);
    const size_t su = hc[1];
    if (OMNIHEAP_UNLIKELY((su & 1U) == 0U)) return Fault::double_free;
    const size_t s = su >> 1;
    if (OMNIHEAP_UNLIKELY(s > h->end - c)) return Fault::corrupt;
    const Field *const hr = at(h, c + s);
    const size_t l = c - hc[0];
    if (OMNIHEAP_UNLIKELY(hr[0] != s || l >= c)) return Fault::corrupt;
    const size_t lsu = at(h, l)[1];
    if (OMNIHEAP_UNLIKELY((lsu >> 1) != hc[0])) return Fault::corrupt; // right(left(c)) != c
    h->headroom += s;
    ++h->frees;
    // Free from here on, even where the header ends up inside a merged
    // chunk: a second free of this block then finds it not in use.
    hc[1] = static_cast<Field>(s << 1);
    if (OMNIHEAP_LIKELY((lsu & hr[1] & 1U) != 0U)) { // both neighbours in use
      push(h, c, s);
    } else {
      merge(h, c, s);
    }
    return Fault::none;
  }

  // Off the grid or outside: NULL, foreign, or an aligned block a few bytes
  // into its chunk (Fault::none). Any other answer only means "not a block":
  // diagnose() names the fault.
  OMNIHEAP_COLD static Fault check_unusual(Control *h, const void *p) noexcept {
    const uintptr_t rel = reinterpret_cast<uintptr_t>(p) - reinterpret_cast<uintptr_t>(h) - header;
    const size_t gap = gap_of(h, p);
    if (p == nullptr || gap == 0U || rel - gap - h->first_bytes >= h->span_bytes) return Fault::foreign;
    const size_t c = (rel - gap) / unit;
    const Fault f = check_chunk(h, c);
    if (f != Fault::none) return f;
    // Only a block handed out with a gap has the tag before it.
    return read_tag(h, c) == tag_for(c, gap) ? Fault::none : Fault::corrupt;
  }
  OMNIHEAP_COLD static Fault free_unusual(Control *h, void *p) noexcept {
    const Fault f = check_unusual(h, p);
    if (f != Fault::none) return f;
    return free_chunk(h, chunk_of(h, p));
  }

  // Names the fault of a pointer that failed the checks of free() or
  // check(), walking the chunks from the first up to the pointer.
  OMNIHEAP_COLD OMNIHEAP_NOINLINE static Fault diagnose(Control *h, const void *p) noexcept {
    if (p == nullptr) return Fault::null_pointer;
    const uintptr_t a = reinterpret_cast<uintptr_t>(p);
    const uintptr_t start = reinterpret_cast<uintptr_t>(h);
    if (a < start || a - start >= (size_t(h->end) + 1U) * unit) return Fault::foreign;
    const uintptr_t rel = a - start;
    if (rel < h->first_bytes + header) return Fault::interior; // the Control block
    size_t c = h->first;
    size_t left = h->first;
    while (c < h->end) {
      const size_t s = size(h, c);
      if (s == 0U || s > h->end - c || left_of(h, c) != left) return Fault::corrupt;
      if (rel < (c + s) * unit + header) { // p is in chunk c's user area
        if (used(h, c)) {
          // The block of chunk c, whose headers passed the walk: its right
          // neighbour must disagree.
          if (rel == c * unit + header + tagged_gap(h, c)) return Fault::corrupt;
          return Fault::interior;
        }
        if (rel == c * unit + header) return Fault::double_free;
        // A freed block merged into this free chunk left its header,
        // marked free, on the grid.
        const size_t g = (rel - header) / unit;
        if ((rel - header) % unit == 0U && !used(h, g) && size(h, g) != 0U && size(h, g) <= c + s - g) {
          return Fault::double_free;
        }
        return Fault::interior;
      }
      left = s;
      c += s;
    }
    return c == h->end ? Fault::interior : Fault::corrupt; // past the last chunk: the end marker
  }

  // The tag of a block `gap` bytes into chunk c's user area.
  static uint32_t tag_for(size_t c, size_t gap) noexcept {
    return ((gap_tag ^ static_cast<uint32_t>(c * 0x9E3779B1U)) & ~uint32_t(0xFFU)) | static_cast<uint32_t>(gap);
  }
  static uint32_t read_tag(Control *h, size_t c) noexcept {
    uint32_t t;
    memcpy(&t, user(h, c), sizeof t);
    return t;
  }
  static void tag_gap(Control *h, unsigned char *chunk_user, size_t gap) noexcept {
    const uint32_t t = tag_for(chunk_of(h, chunk_user), gap);
    memcpy(chunk_user, &t, sizeof t);
    h->flags |= gapped_flag;
  }
  // The gap of chunk c's block if the chunk holds a gap tag, else 0.
  static size_t tagged_gap(Control *h, size_t c) noexcept {
    if ((h->flags & gapped_flag) == 0U) return 0U;
    const uint32_t t = read_tag(h, c);
    const size_t gap = t & 0xFFU;
    return gap >= 4U && gap <= max_gap && gap < size(h, c) * unit - header && t == tag_for(c, gap) ? gap : 0U;
  }

  // ---- composite steps -------------------------------------------------------------------

  // Chunk c (in use, already uncounted) becomes free, merged with free
  // neighbours.
  static void release_chunk(Control *h, size_t c) noexcept {
    Field *const hc = at(h, c);
    const size_t s = hc[1] >> 1;
    hc[1] = static_cast<Field>(s << 1);
    if (OMNIHEAP_LIKELY((at(h, c - hc[0])[1] & at(h, c + s)[1] & 1U) != 0U)) {
      push(h, c, s); // both neighbours in use
      return;
    }
    merge(h, c, s);
  }

  // release_chunk() with a free neighbour on at least one side.
  OMNIHEAP_NOINLINE static void merge(Control *h, size_t c, size_t s) noexcept {
    Field *const hc = at(h, c);
    const size_t r = c + s;
    Field *const hr = at(h, r);
    const size_t rsu = hr[1];
    const size_t l = c - hc[0];
    Field *const hl = at(h, l);
    const size_t lsu = hl[1];
    if ((lsu & 1U) == 0U) { // merge into the left neighbour
      const size_t ls = lsu >> 1;
      size_t total = ls + s;
      if ((rsu & 1U) == 0U) {
        unlink(h, hr);
        total += rsu >> 1;
      }
      const size_t k = class_of(total);
      if (lean || k != class_of(ls)) { // else l keeps its place
        unlink(h, hl);
        push_class(h, l, k);
      }
      hl[1] = static_cast<Field>(total << 1);
      at(h, l + total)[0] = static_cast<Field>(total);
      return;
    }
    // absorb the right neighbour
    const size_t rs = rsu >> 1;
    const size_t total = s + rs;
    const size_t k = class_of(total);
    if (!lean && k == class_of(rs)) {
      move(h, r, c); // c takes r's place
    } else {
      unlink(h, hr);
      push_class(h, c, k);
    }
    hc[1] = static_cast<Field>(total << 1);
    at(h, c + total)[0] = static_cast<Field>(total);
  }

  // Chunk c (in use) is cut to `need` units; a tail of at least min_units
  // goes back to the heap (merged with a free right neighbour).
  static void shrink(Control *h, size_t c, size_t need) noexcept { h->headroom += cut(h, c, need); }
  // The same without the accounting: returns the units given back (0 if
  // the tail would be under min_units and stays in the chunk).
  static size_t cut(Control *h, size_t c, size_t need) noexcept {
    const size_t s = size(h, c);
    if (s - need < min_units) return 0;
    const size_t t = c + need;
    size_used(h, c) = static_cast<Field>(need << 1 | 1U);
    set_header(h, t, need, (s - need) << 1 | 1U);
    left_of(h, c + s) = static_cast<Field>(s - need);
    release_chunk(h, t);
    return s - need;
  }

  // Units in use grow by `units`: the headroom below the peak shrinks, and
  // the peak rises when it runs out.
  static void use_units(Control *h, size_t units) noexcept {
    size_t left;
    if (OMNIHEAP_UNLIKELY(__builtin_sub_overflow(h->headroom, units, &left))) {
      raise_peak(h, units);
      return;
    }
    h->headroom = left;
  }
  OMNIHEAP_COLD static void raise_peak(Control *h, size_t units) noexcept {
    h->peak_units += units - h->headroom;
    h->headroom = 0;
  }
  // Counts an allocation of `units` and returns its block (the peak update
  // that is rarely needed is a tail call, so callers need no stack frame).
  static void *allocated(Control *h, size_t units, void *block) noexcept {
    ++h->allocations;
    size_t left;
    if (OMNIHEAP_UNLIKELY(__builtin_sub_overflow(h->headroom, units, &left))) {
      return raised_peak(h, units, block);
    }
    h->headroom = left;
    return block;
  }
  OMNIHEAP_COLD static void *raised_peak(Control *h, size_t units, void *block) noexcept {
    raise_peak(h, units);
    return block;
  }
  OMNIHEAP_COLD static void *fail(Control *h) noexcept {
    ++h->failures;
    return nullptr;
  }
};

} // namespace omniheap::engine
