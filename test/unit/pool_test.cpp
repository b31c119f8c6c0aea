// Unit tests of the FixedPool engine (core/engine/pool.hpp), driven directly
// through a test-only Fields description, independent of any family.
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <set>
#include <vector>

#include "engine/pool.hpp"

namespace {

// A pool object laid out freely by the test (the engine must not care).
struct TestPool {
  std::vector<unsigned char> mem;
  std::vector<unsigned char> used_storage; // bool array
  size_t size = 0;
  size_t count = 0;
  uint32_t span = 0;
  uint16_t hot = 0xFFFF, cold = 0xFFFF, fresh = 0, peak = 0;
  uint32_t allocations = 0, frees = 0, failures = 0;

  TestPool(size_t block_size, size_t blocks)
      : mem(block_size * blocks), used_storage(blocks), size(block_size), count(blocks),
        span(static_cast<uint32_t>(block_size * blocks)) {}
  bool *used() { return reinterpret_cast<bool *>(used_storage.data()); }
  unsigned char *block(size_t i) { return mem.data() + i * size; }
};

struct Fields {
  static unsigned char *base(TestPool &p) { return p.mem.data(); }
  static size_t block_size(const TestPool &p) { return p.size; }
  static size_t count(const TestPool &p) { return p.count; }
  static bool *used(TestPool &p) { return p.used(); }
  static uint32_t &span(TestPool &p) { return p.span; }
  static uint16_t &hot(TestPool &p) { return p.hot; }
  static uint16_t &cold(TestPool &p) { return p.cold; }
  static uint16_t &fresh(TestPool &p) { return p.fresh; }
  static uint16_t &peak(TestPool &p) { return p.peak; }
  static uint32_t &allocations(TestPool &p) { return p.allocations; }
  static uint32_t &frees(TestPool &p) { return p.frees; }
  static uint32_t &failures(TestPool &p) { return p.failures; }
};

using Pool = omniheap::engine::FixedPool<TestPool, Fields>;
using R = Pool::Release;

// Writes a free-list link the way the engine stores it.
void set_link(void *block, unsigned index) {
  const uint16_t stored = static_cast<uint16_t>(index ^ Pool::link_key);
  std::memcpy(block, &stored, 2);
}

size_t index_of(TestPool &p, void *block) {
  return static_cast<size_t>(static_cast<unsigned char *>(block) - p.mem.data()) / p.size;
}

TEST(FixedPool, ZeroStateIsAnEmptyPool) {
  TestPool p(16, 4);
  EXPECT_TRUE(Pool::valid(p));
  EXPECT_EQ(Pool::free_blocks(p), 4U);
  for (size_t i = 0; i < 4; ++i) {
    Pool::Allocation a = Pool::allocate(p);
    ASSERT_NE(a.block, nullptr);
    EXPECT_FALSE(a.repaired);
    EXPECT_EQ(index_of(p, a.block), i) << "never-used blocks are handed out in index order";
  }
  EXPECT_EQ(Pool::allocate(p).block, nullptr);
  EXPECT_EQ(p.failures, 1U);
  EXPECT_EQ(p.allocations, 4U);
  EXPECT_TRUE(Pool::valid(p));
}

TEST(FixedPool, ReleasedBlocksAreReusedLastInFirstOut) {
  TestPool p(8, 6);
  void *b[6];
  for (auto &x : b) x = Pool::allocate(p).block;
  EXPECT_EQ(Pool::release(p, b[1]), R::ok);
  EXPECT_EQ(Pool::release(p, b[4]), R::ok);
  EXPECT_EQ(Pool::allocate(p).block, b[4]);
  EXPECT_EQ(Pool::allocate(p).block, b[1]);
  EXPECT_EQ(Pool::allocate(p).block, nullptr);
  EXPECT_TRUE(Pool::valid(p));
}

TEST(FixedPool, FreshBlocksAreNotTouched) {
  TestPool p(4, 4);
  std::memset(p.mem.data(), 0xA5, p.mem.size());
  void *a = Pool::allocate(p).block;
  ASSERT_EQ(Pool::release(p, a), R::ok);
  // Blocks 1..3 were never handed out: still exactly as the owner left them.
  for (size_t i = 4; i < p.mem.size(); ++i) EXPECT_EQ(p.mem[i], 0xA5) << i;
}

TEST(FixedPool, ReleaseClassifiesBadPointersWithoutChangingThePool) {
  TestPool p(12, 3);
  void *a = Pool::allocate(p).block;
  unsigned char outside[12];
  const TestPool before = p;
  EXPECT_EQ(Pool::release(p, nullptr), R::null_pointer);
  EXPECT_EQ(Pool::release(p, outside), R::foreign);
  EXPECT_EQ(Pool::release(p, p.mem.data() + p.mem.size()), R::foreign) << "one past the end";
  EXPECT_EQ(Pool::release(p, p.mem.data() - 1), R::foreign);
  EXPECT_EQ(Pool::release(p, static_cast<unsigned char *>(a) + 1), R::interior);
  EXPECT_EQ(Pool::release(p, static_cast<unsigned char *>(a) + 11), R::interior);
  EXPECT_EQ(Pool::release(p, p.block(2)), R::double_free) << "never allocated";
  EXPECT_EQ(p.hot, before.hot);
  EXPECT_EQ(Pool::in_use(p), Pool::in_use(const_cast<TestPool &>(before)));
  EXPECT_EQ(p.used_storage, before.used_storage);
  EXPECT_EQ(Pool::release(p, a), R::ok);
  EXPECT_EQ(Pool::release(p, a), R::double_free);
  EXPECT_TRUE(Pool::valid(p));
}

TEST(FixedPool, OneByteBlocksWorkWithoutLinks) {
  TestPool p(1, 5);
  void *b[5];
  for (auto &x : b) x = Pool::allocate(p).block;
  EXPECT_EQ(Pool::allocate(p).block, nullptr);
  EXPECT_EQ(Pool::release(p, b[3]), R::ok);
  EXPECT_EQ(Pool::release(p, b[0]), R::ok);
  EXPECT_EQ(p.hot, Pool::none) << "no list for 1-byte blocks";
  EXPECT_EQ(Pool::peak(p), 5U);
  EXPECT_TRUE(Pool::valid(p));
  // The scan hands out the lowest free index.
  EXPECT_EQ(Pool::allocate(p).block, b[0]);
  EXPECT_EQ(Pool::allocate(p).block, b[3]);
  EXPECT_EQ(Pool::allocate(p).block, nullptr);
  EXPECT_TRUE(Pool::valid(p));
}

TEST(FixedPool, PeakFollowsTheHighWaterMark) {
  TestPool p(8, 4);
  void *a = Pool::allocate(p).block;
  void *b = Pool::allocate(p).block;
  Pool::release(p, a);
  Pool::release(p, b);
  EXPECT_EQ(Pool::peak(p), 2U);
  EXPECT_EQ(Pool::in_use(p), 0U);
  Pool::allocate(p);
  EXPECT_EQ(Pool::peak(p), 2U);
  EXPECT_TRUE(Pool::valid(p));
}

TEST(FixedPool, PeakResetRestartsFromTheBlocksInUse) {
  TestPool p(4, 8);
  void *b[6];
  for (auto &x : b) x = Pool::allocate(p).block; // peak 6
  for (int i = 0; i < 5; ++i) Pool::release(p, b[i]); // 1 in use, 5 on the hot list
  EXPECT_EQ(Pool::peak(p), 6U);
  Pool::reset_peak(p);
  EXPECT_EQ(Pool::peak(p), 1U);
  EXPECT_TRUE(Pool::valid(p));
  void *c = Pool::allocate(p).block; // from the cold list: 2 in use
  EXPECT_EQ(Pool::peak(p), 2U);
  Pool::release(p, c);                // hot list: 1 block, peak stays 2
  void *d = Pool::allocate(p).block;
  EXPECT_EQ(d, c);
  EXPECT_EQ(Pool::peak(p), 2U);
  Pool::allocate(p);
  Pool::allocate(p);
  EXPECT_EQ(Pool::peak(p), 4U);
  EXPECT_TRUE(Pool::valid(p));
  // A reset while both lists are non-empty keeps every free block reachable.
  Pool::release(p, d);
  Pool::reset_peak(p);
  EXPECT_TRUE(Pool::valid(p));
  size_t got = 0;
  while (Pool::allocate(p).block != nullptr) ++got;
  EXPECT_EQ(got, 8U - 3U);
  EXPECT_EQ(Pool::peak(p), 8U);
  EXPECT_TRUE(Pool::valid(p));
}

TEST(FixedPool, ValidateDetectsEachKindOfDamage) {
  auto fresh_pool = [] {
    TestPool p(8, 8);
    void *b[8];
    for (auto &x : b) x = Pool::allocate(p).block;
    Pool::release(p, b[2]);
    Pool::release(p, b[5]);
    Pool::release(p, b[6]); // list: 6 -> 5 -> 2
    return p;
  };
  {
    TestPool p = fresh_pool();
    EXPECT_TRUE(Pool::valid(p));
  }
  {
    TestPool p = fresh_pool();
    set_link(p.block(6), 200); // out of range
    EXPECT_FALSE(Pool::valid(p));
  }
  {
    TestPool p = fresh_pool();
    set_link(p.block(6), 3); // block 3 is allocated
    EXPECT_FALSE(Pool::valid(p));
  }
  {
    TestPool p = fresh_pool();
    set_link(p.block(5), 6); // 6 -> 5 -> 6 -> ...
    EXPECT_FALSE(Pool::valid(p));
  }
  {
    TestPool p = fresh_pool();
    set_link(p.block(6), Pool::none); // 6 -> end: block 5 and 2 lost
    EXPECT_FALSE(Pool::valid(p));
  }
  {
    TestPool p = fresh_pool();
    p.peak = 7; // the peak invariant: peak = in use + hot list length
    EXPECT_FALSE(Pool::valid(p));
  }
  {
    TestPool p = fresh_pool();
    p.span = 0;
    EXPECT_FALSE(Pool::valid(p));
  }
  {
    TestPool p = fresh_pool();
    p.used()[2] = true; // flag says used, list says free
    EXPECT_FALSE(Pool::valid(p));
  }
}

TEST(FixedPool, CorruptedLinkIsRepairedAndNeverHandsOutAUsedBlock) {
  TestPool p(8, 8);
  void *b[8];
  for (auto &x : b) x = Pool::allocate(p).block;
  Pool::release(p, b[1]);
  Pool::release(p, b[4]); // list: 4 -> 1
  set_link(b[4], 7); // write after free redirects the list into block 7 (used)
  std::set<void *> got;
  Pool::Allocation first = Pool::allocate(p);
  ASSERT_NE(first.block, nullptr);
  got.insert(first.block);
  Pool::Allocation second = Pool::allocate(p);
  ASSERT_NE(second.block, nullptr);
  got.insert(second.block);
  EXPECT_TRUE(first.repaired || second.repaired);
  EXPECT_EQ(got, (std::set<void *>{b[1], b[4]}));
  EXPECT_EQ(Pool::allocate(p).block, nullptr);
  EXPECT_TRUE(Pool::valid(p));
}

TEST(FixedPool, ZeroedLinksAreNoticed) {
  TestPool p(8, 8);
  void *b[8];
  for (auto &x : b) x = Pool::allocate(p).block;
  Pool::release(p, b[2]);
  Pool::release(p, b[5]); // list: 5 -> 2
  std::memset(b[5], 0, 8); // "clear after free"
  EXPECT_FALSE(Pool::valid(p));
  Pool::Allocation first = Pool::allocate(p);
  EXPECT_EQ(first.block, b[5]);
  Pool::Allocation second = Pool::allocate(p); // reaches the zeroed link
  EXPECT_TRUE(second.repaired);
  EXPECT_EQ(second.block, b[2]);
  EXPECT_TRUE(Pool::valid(p));
}

TEST(FixedPool, SkippedBlocksAreRecoveredWhenThePoolLooksFull) {
  TestPool p(8, 6);
  void *b[6];
  for (auto &x : b) x = Pool::allocate(p).block;
  Pool::release(p, b[1]);
  Pool::release(p, b[3]);
  Pool::release(p, b[4]); // list: 4 -> 3 -> 1
  set_link(b[4], 1);      // 4 -> 1: block 3 skipped
  EXPECT_FALSE(Pool::valid(p));
  std::set<void *> got;
  for (int i = 0; i < 3; ++i) {
    Pool::Allocation a = Pool::allocate(p);
    ASSERT_NE(a.block, nullptr) << i;
    got.insert(a.block);
    if (i == 2) {
      EXPECT_TRUE(a.repaired) << "the third block came from the repair";
    }
  }
  EXPECT_EQ(got, (std::set<void *>{b[1], b[3], b[4]}));
  EXPECT_EQ(Pool::allocate(p).block, nullptr);
  EXPECT_EQ(p.failures, 1U);
  EXPECT_TRUE(Pool::valid(p));
}

TEST(FixedPool, AllZeroStateIsNormalisedOnFirstUse) {
  TestPool p(4, 3);
  p.hot = 0; // a hand-filled object: everything but the geometry is zero
  p.cold = 0;
  p.span = 0;
  Pool::Allocation a = Pool::allocate(p);
  EXPECT_FALSE(a.repaired);
  EXPECT_EQ(index_of(p, a.block), 0U);
  EXPECT_EQ(p.hot, Pool::none);
  EXPECT_TRUE(Pool::valid(p));
  EXPECT_EQ(p.span, 12U) << "the first allocation sets the span";
  EXPECT_EQ(Pool::release(p, a.block), R::ok);
  EXPECT_TRUE(Pool::valid(p));

  TestPool q(4, 3); // freed before anything was allocated: a double free, not foreign
  q.hot = q.cold = 0;
  q.span = 0;
  EXPECT_EQ(Pool::release(q, q.block(1)), R::foreign) << "nothing allocated yet: no span";
  EXPECT_EQ(Pool::release(q, nullptr), R::null_pointer);
}

TEST(FixedPool, ContainsIsARangeCheck) {
  TestPool p(10, 3);
  EXPECT_TRUE(Pool::contains(p, p.mem.data()));
  EXPECT_TRUE(Pool::contains(p, p.mem.data() + 29));
  EXPECT_FALSE(Pool::contains(p, p.mem.data() + 30));
  EXPECT_FALSE(Pool::contains(p, p.mem.data() - 1));
  EXPECT_FALSE(Pool::contains(p, nullptr));
}

TEST(FixedPool, WalkReportsEveryBlockInOrder) {
  TestPool p(6, 5);
  void *b[3];
  for (auto &x : b) x = Pool::allocate(p).block;
  Pool::release(p, b[1]);
  std::vector<std::pair<size_t, bool>> seen;
  Pool::walk(p, [&](unsigned char *block, size_t size, bool used) {
    EXPECT_EQ(size, 6U);
    seen.emplace_back(index_of(p, block), used);
    return 0;
  });
  const std::vector<std::pair<size_t, bool>> want = {
      {0, true}, {1, false}, {2, true}, {3, false}, {4, false}};
  EXPECT_EQ(seen, want);
  size_t visited = 0;
  Pool::walk(p, [&](unsigned char *, size_t, bool) { return ++visited == 2 ? 1 : 0; });
  EXPECT_EQ(visited, 2U);
}

// Reference-model stress: a shadow set of live blocks with fill patterns.
void model_stress(size_t block_size, size_t blocks, unsigned seed, int operations) {
  TestPool p(block_size, blocks);
  std::mt19937 rng(seed);
  std::vector<unsigned char *> live;
  std::set<unsigned char *> live_set;
  size_t model_peak = 0;
  for (int op = 0; op < operations; ++op) {
    const bool do_alloc = live.empty() || (rng() % 100U) < 55U;
    if (do_alloc) {
      Pool::Allocation a = Pool::allocate(p);
      ASSERT_FALSE(a.repaired);
      if (live.size() == blocks) {
        ASSERT_EQ(a.block, nullptr);
        continue;
      }
      ASSERT_NE(a.block, nullptr);
      auto *blk = static_cast<unsigned char *>(a.block);
      ASSERT_TRUE(Pool::contains(p, blk));
      ASSERT_EQ((blk - p.mem.data()) % static_cast<long>(block_size), 0);
      ASSERT_TRUE(live_set.insert(blk).second) << "block handed out twice";
      std::memset(blk, static_cast<int>(index_of(p, blk) & 0xFF), block_size);
      live.push_back(blk);
      if (live.size() > model_peak) model_peak = live.size();
    } else {
      const size_t k = rng() % live.size();
      unsigned char *blk = live[k];
      for (size_t i = 0; i < block_size; ++i) {
        ASSERT_EQ(blk[i], static_cast<unsigned char>(index_of(p, blk) & 0xFF)) << "contents lost";
      }
      ASSERT_EQ(Pool::release(p, blk), R::ok);
      ASSERT_EQ(Pool::release(p, blk), R::double_free);
      live[k] = live.back();
      live.pop_back();
      live_set.erase(blk);
    }
    if (op % 97 == 0) {
      ASSERT_EQ(Pool::in_use(p), live.size());
      ASSERT_EQ(Pool::peak(p), model_peak);
      ASSERT_TRUE(Pool::valid(p)) << "op " << op;
    }
    if (op % 5003 == 0) {
      Pool::reset_peak(p);
      model_peak = live.size();
      ASSERT_EQ(Pool::peak(p), model_peak);
    }
  }
  ASSERT_TRUE(Pool::valid(p));
}

TEST(FixedPool, ReferenceModelStress) {
  model_stress(2, 17, 1, 100000);
  model_stress(1, 9, 2, 20000);
  model_stress(24, 300, 3, 200000);
  model_stress(3, 65535, 4, 200000);
}

} // namespace
