// Unit tests of the SegregatedFit engine (core/engine/segregated_fit.hpp),
// for each layout the bindings use: 4-byte headers (Zephyr's small heaps),
// 8-byte headers, and 16-byte units with 16-aligned blocks (heapmem on
// 64-bit hosts).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <random>
#include <vector>

#include "engine/segregated_fit.hpp"

namespace {

using omniheap::engine::Fault;
using omniheap::engine::Layout;
using omniheap::engine::SegregatedFit;

template <class L> class Engine : public ::testing::Test {
protected:
  using Eng = SegregatedFit<L>;
  using Control = typename Eng::Control;

  // A region of `bytes` at a unit-aligned address (plus `skew`).
  Control *make(size_t bytes, size_t skew = 0) {
    storage_.assign(bytes + 64, 0xEE);
    auto base = reinterpret_cast<uintptr_t>(storage_.data());
    base = (base + 15U) & ~uintptr_t(15U);
    region_ = reinterpret_cast<unsigned char *>(base) + skew;
    region_bytes_ = bytes;
    return Eng::init(region_, bytes);
  }
  bool inside(const void *p, size_t n) const {
    auto a = static_cast<const unsigned char *>(p);
    return a >= region_ && a + n <= region_ + region_bytes_;
  }

  std::vector<unsigned char> storage_;
  unsigned char *region_ = nullptr;
  size_t region_bytes_ = 0;
};

using Layouts = ::testing::Types<Layout<uint16_t, 8, 4>, Layout<uint32_t, 8, 8>, Layout<uint32_t, 16, 16>>;
TYPED_TEST_SUITE(Engine, Layouts);

TYPED_TEST(Engine, TooSmallRegionsAreRefused) {
  using E = typename TestFixture::Eng;
  EXPECT_EQ(this->make(0), nullptr);
  EXPECT_EQ(this->make(E::header), nullptr);
  EXPECT_EQ(E::init(nullptr, 4096), nullptr);
  EXPECT_NE(this->make(4096), nullptr);
}

TYPED_TEST(Engine, MinRegionIsExact) {
  using E = typename TestFixture::Eng;
  for (size_t n : {size_t(1), size_t(8), size_t(100), size_t(1000), size_t(5000)}) {
    const size_t min = E::min_region(n);
    auto *h = this->make(min);
    ASSERT_NE(h, nullptr) << n;
    void *p = E::alloc(h, n);
    EXPECT_NE(p, nullptr) << "one allocation of " << n << " fits in min_region";
    EXPECT_EQ(E::alloc(h, 1), nullptr) << "... and nothing else";
    EXPECT_TRUE(E::valid(h));
    auto *g = this->make(min - 1);
    if (g != nullptr) {
      EXPECT_EQ(E::alloc(g, n), nullptr) << "one byte less is not enough for " << n;
    }
  }
}

TYPED_TEST(Engine, EmptyHeapFillsFromLowToHigh) {
  using E = typename TestFixture::Eng;
  auto *h = this->make(8192);
  ASSERT_NE(h, nullptr);
  unsigned char *prev = nullptr;
  for (int i = 0; i < 20; ++i) {
    auto *p = static_cast<unsigned char *>(E::alloc(h, 24 + i));
    ASSERT_NE(p, nullptr);
    if (prev != nullptr) {
      EXPECT_GT(p, prev);
    }
    prev = p;
  }
  EXPECT_TRUE(E::valid(h));
}

TYPED_TEST(Engine, UsableSizeIsTheChunkMinusItsHeader) {
  using E = typename TestFixture::Eng;
  auto *h = this->make(1 << 14);
  for (size_t n = 1; n < 300; n += 7) {
    void *p = E::alloc(h, n);
    ASSERT_NE(p, nullptr);
    const size_t expect = (n + E::header + E::unit - 1) / E::unit * E::unit - E::header;
    EXPECT_EQ(E::usable_size(h, p), std::max(expect, E::min_units * E::unit - E::header)) << n;
    EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % TypeParam::align, 0U);
    EXPECT_TRUE(this->inside(p, n));
  }
}

TYPED_TEST(Engine, ZeroAndHugeRequestsFail) {
  using E = typename TestFixture::Eng;
  auto *h = this->make(4096);
  EXPECT_EQ(E::alloc(h, 0), nullptr);
  EXPECT_EQ(E::alloc(h, SIZE_MAX), nullptr);
  EXPECT_EQ(E::alloc(h, SIZE_MAX / 2), nullptr);
  EXPECT_EQ(E::alloc(h, 4096), nullptr);
  EXPECT_EQ(E::aligned_alloc(h, 64, 0, 0), nullptr);
  EXPECT_EQ(h->failures, 3U) << "a request of 0 bytes is not a failed allocation";
  EXPECT_TRUE(E::valid(h));
}

TYPED_TEST(Engine, FreeingEverythingRestoresOneChunk) {
  using E = typename TestFixture::Eng;
  auto *h = this->make(1 << 15);
  const size_t initial = E::largest_free(h);
  std::vector<void *> ps;
  for (void *p; (p = E::alloc(h, 40)) != nullptr;) ps.push_back(p);
  EXPECT_LT(E::largest_free(h), 40U) << "what is left is too small";
  std::mt19937 rng(7);
  std::shuffle(ps.begin(), ps.end(), rng);
  for (void *p : ps) {
    ASSERT_EQ(E::free(h, p), Fault::none);
  }
  EXPECT_EQ(E::largest_free(h), initial);
  EXPECT_EQ(E::used_units(h), 0U);
  EXPECT_TRUE(E::valid(h));
}

TYPED_TEST(Engine, MisuseIsDetectedAndChangesNothing) {
  using E = typename TestFixture::Eng;
  auto *h = this->make(4096);
  auto *a = static_cast<unsigned char *>(E::alloc(h, 64));
  auto *b = static_cast<unsigned char *>(E::alloc(h, 64));
  ASSERT_TRUE(a && b);
  const std::vector<unsigned char> before(this->region_, this->region_ + this->region_bytes_);
  int stack_object = 0;
  EXPECT_EQ(E::free(h, nullptr), Fault::null_pointer);
  EXPECT_EQ(E::free(h, &stack_object), Fault::foreign);
  EXPECT_EQ(E::free(h, a + 1), Fault::interior) << "off the grid";
  EXPECT_EQ(E::free(h, a + 2 * E::unit), Fault::interior) << "interior pointer on the grid";
  EXPECT_EQ(E::free(h, b + 63), Fault::interior);
  EXPECT_EQ(E::free(h, reinterpret_cast<unsigned char *>(h) + 8), Fault::interior) << "the Control block";
  EXPECT_EQ(E::free(h, b + 200), Fault::interior) << "free space, off any old block";
  EXPECT_EQ(E::free(h, this->region_ + this->region_bytes_ + 8), Fault::foreign) << "past the region";
  EXPECT_EQ(std::vector<unsigned char>(this->region_, this->region_ + this->region_bytes_), before);
  ASSERT_EQ(E::free(h, a), Fault::none);
  EXPECT_EQ(E::free(h, a), Fault::double_free);
  EXPECT_EQ(E::check(h, a), Fault::double_free);
  EXPECT_TRUE(E::valid(h));
  // An overflow of b into its right neighbour's header is caught when b is freed.
  std::memset(b, 0x41, E::usable_size(h, b) + 2);
  EXPECT_EQ(E::free(h, b), Fault::corrupt);
}

TYPED_TEST(Engine, AlignedBlocksMeetTheirAlignmentAndGiveEverythingBack) {
  using E = typename TestFixture::Eng;
  auto *h = this->make(1 << 16);
  const size_t initial = E::free_bytes(h);
  for (size_t align = 4; align <= 4096; align <<= 1) {
    for (size_t offset : {size_t(0), size_t(1), size_t(2), size_t(3), size_t(4), size_t(6), size_t(8)}) {
      if (offset >= align) continue;
      for (size_t n : {size_t(1), size_t(13), size_t(200)}) {
        auto *p = static_cast<unsigned char *>(E::aligned_alloc(h, align, offset, n));
        ASSERT_NE(p, nullptr) << align << "/" << offset << "/" << n;
        EXPECT_EQ((reinterpret_cast<uintptr_t>(p) + offset) % align, 0U) << align << "/" << offset;
        EXPECT_GE(E::usable_size(h, p), n);
        EXPECT_TRUE(this->inside(p, n));
        std::memset(p, 0x5C, n);
        EXPECT_EQ(E::check(h, p), Fault::none);
        EXPECT_EQ(E::check(h, p + 1), Fault::interior);
        // The walk reports the block at the caller's pointer.
        bool seen = false;
        E::walk(h, [&](unsigned char *q, size_t bytes, bool used) {
          if (used) {
            seen = q == p;
            EXPECT_EQ(bytes, E::usable_size(h, p));
          }
          return 0;
        });
        EXPECT_TRUE(seen) << align << "/" << offset << "/" << n;
        EXPECT_TRUE(E::valid(h));
        ASSERT_EQ(E::free(h, p), Fault::none);
        EXPECT_EQ(E::free_bytes(h), initial) << "prefix and suffix came back";
      }
    }
  }
  EXPECT_TRUE(E::valid(h));
}

TYPED_TEST(Engine, ReallocInPlaceGrowsIntoFreeSpaceAndShrinks) {
  using E = typename TestFixture::Eng;
  auto *h = this->make(1 << 14);
  auto *p = static_cast<unsigned char *>(E::alloc(h, 100));
  ASSERT_NE(p, nullptr);
  EXPECT_TRUE(E::resize_in_place(h, p, 1000)) << "the rest of the heap is free on the right";
  EXPECT_GE(E::usable_size(h, p), 1000U);
  EXPECT_TRUE(E::resize_in_place(h, p, 10));
  EXPECT_LT(E::usable_size(h, p), 40U);
  auto *q = static_cast<unsigned char *>(E::alloc(h, 50));
  EXPECT_FALSE(E::resize_in_place(h, p, 200)) << "q is in the way";
  EXPECT_TRUE(E::valid(h));
  E::free(h, q);
  E::free(h, p);
  EXPECT_EQ(E::used_units(h), 0U);
  EXPECT_TRUE(E::valid(h));
}

TYPED_TEST(Engine, FallsBackToItsOwnClassWhenNothingLargerIsFree) {
  using E = typename TestFixture::Eng;
  // One free chunk of 1000 units... request 990: the rounded search finds no
  // class above, the own class's first chunk fits.
  auto *h = this->make(E::min_region(1000 * E::unit - E::header));
  ASSERT_NE(h, nullptr);
  EXPECT_NE(E::alloc(h, 990 * E::unit - E::header), nullptr);
}

// Reference-model stress: shadow blocks with fill patterns; validate often.
template <class E> void stress(typename E::Control *h, unsigned seed, int ops, size_t max_size) {
  std::mt19937 rng(seed);
  struct Block {
    unsigned char *p;
    size_t n;
    unsigned char fill;
  };
  std::vector<Block> live;
  size_t model_used = 0;
  for (int op = 0; op < ops; ++op) {
    const unsigned r = rng() % 100U;
    if (live.empty() || r < 50U) {
      const size_t n = 1U + rng() % max_size;
      unsigned char *p;
      const unsigned kind = rng() % 10U;
      if (kind == 0U) {
        const size_t align = size_t(1) << (2U + rng() % 9U);
        p = static_cast<unsigned char *>(E::aligned_alloc(h, align, 0, n));
        if (p != nullptr) {
          ASSERT_EQ(reinterpret_cast<uintptr_t>(p) % align, 0U);
        }
      } else {
        p = static_cast<unsigned char *>(E::alloc(h, n));
      }
      if (p == nullptr) continue;
      for (const Block &b : live) ASSERT_TRUE(p + n <= b.p || b.p + b.n <= p) << "overlap";
      const unsigned char fill = static_cast<unsigned char>(rng());
      std::memset(p, fill, n);
      live.push_back({p, n, fill});
    } else if (r < 85U) {
      const size_t k = rng() % live.size();
      Block b = live[k];
      for (size_t i = 0; i < b.n; ++i) ASSERT_EQ(b.p[i], b.fill) << "contents lost";
      ASSERT_EQ(E::free(h, b.p), Fault::none);
      live[k] = live.back();
      live.pop_back();
    } else {
      const size_t k = rng() % live.size();
      Block &b = live[k];
      const size_t n = 1U + rng() % max_size;
      if (E::resize_in_place(h, b.p, n)) {
        const size_t keep = std::min(n, b.n);
        for (size_t i = 0; i < keep; ++i) ASSERT_EQ(b.p[i], b.fill);
        std::memset(b.p, b.fill, n);
        b.n = n;
      }
    }
    if (op % 64 == 0) {
      ASSERT_TRUE(E::valid(h)) << "op " << op;
    }
    (void)model_used;
  }
  ASSERT_TRUE(E::valid(h));
  ASSERT_EQ(E::live_blocks(h), live.size());
  for (const Block &b : live) ASSERT_EQ(E::free(h, b.p), Fault::none);
  ASSERT_EQ(E::used_units(h), 0U);
  ASSERT_TRUE(E::valid(h));
}

TYPED_TEST(Engine, ReferenceModelStress) {
  using E = typename TestFixture::Eng;
  auto *h = this->make(1 << 15);
  ASSERT_NE(h, nullptr);
  stress<E>(h, 1, 40000, 600);
  auto *g = this->make(3000);
  ASSERT_NE(g, nullptr);
  stress<E>(g, 2, 20000, 200);
}

} // namespace

namespace {

// A block freed into a free neighbour leaves its old header inside the merged
// chunk; freeing it again must still be a double free.
TYPED_TEST(Engine, DoubleFreeAfterAMergeIsCaught) {
  using E = typename TestFixture::Eng;
  auto *h = this->make(4096);
  for (size_t align : {size_t(16), size_t(64), size_t(256)}) {
    void *p = E::aligned_alloc(h, align, 0, 3); // free prefix and suffix around it
    ASSERT_NE(p, nullptr);
    ASSERT_EQ(E::free(h, p), Fault::none);
    EXPECT_NE(E::free(h, p), Fault::none) << align;
    EXPECT_TRUE(E::valid(h));
  }
  void *a = E::alloc(h, 40);
  void *b = E::alloc(h, 40);
  void *c = E::alloc(h, 40);
  ASSERT_EQ(E::free(h, a), Fault::none);
  ASSERT_EQ(E::free(h, b), Fault::none); // merges into a
  EXPECT_EQ(E::free(h, b), Fault::double_free);
  ASSERT_EQ(E::free(h, c), Fault::none); // merges both ways
  EXPECT_EQ(E::free(h, c), Fault::double_free);
  EXPECT_EQ(E::free(h, a), Fault::double_free);
  EXPECT_TRUE(E::valid(h));
  EXPECT_EQ(E::used_units(h), 0U);
}

} // namespace

namespace {

// A header damaged by an overflow of the block below is named as such, and
// so is a broken chain on the way to the pointer.
TYPED_TEST(Engine, DamagedHeadersAreNamedCorrupt) {
  using E = typename TestFixture::Eng;
  auto *h = this->make(4096);
  auto *a = static_cast<unsigned char *>(E::alloc(h, 40));
  auto *b = static_cast<unsigned char *>(E::alloc(h, 40));
  auto *c = static_cast<unsigned char *>(E::alloc(h, 40));
  ASSERT_TRUE(a && b && c);
  std::memset(a, 0x7F, E::usable_size(h, a) + E::header); // over b's header
  EXPECT_EQ(E::free(h, b), Fault::corrupt);
  EXPECT_EQ(E::free(h, c), Fault::corrupt) << "the chain to c is broken";
  EXPECT_EQ(E::free(h, c + 1), Fault::corrupt);
  EXPECT_FALSE(E::valid(h));
}

} // namespace
