// Unit tests of the registry through the native C API, with pools that the
// test builds by hand (struct memb filled with its four upstream fields).
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

extern "C" {
#include "lib/memb.h"
#include "omniheap.h"
}

namespace {

struct HandPool {
  bool used[4] = {};
  long long mem[4] = {};
  memb m{};
  HandPool() {
    m.size = sizeof(long long);
    m.num = 4;
    m.used = used;
    m.mem = mem;
  }
};

TEST(Registry, FullRegistryDropsButHeapsStillWork) {
  const size_t before = omniheap_heap_count();
  const size_t dropped_before = omniheap_registry_dropped();
  std::vector<HandPool> pools(OMNIHEAP_CONF_MAX_HEAPS + 5);
  for (HandPool &p : pools) memb_init(&p.m);
  EXPECT_EQ(omniheap_heap_count(), static_cast<size_t>(OMNIHEAP_CONF_MAX_HEAPS));
  const size_t overflow = before + pools.size() - OMNIHEAP_CONF_MAX_HEAPS;
  EXPECT_EQ(omniheap_registry_dropped() - dropped_before, overflow);
  // Every pool works, registered or not.
  for (HandPool &p : pools) {
    void *a = memb_alloc(&p.m);
    ASSERT_NE(a, nullptr);
    EXPECT_EQ(memb_free(&p.m, a), 0);
  }
  // The report says that heaps are missing.
  std::string report;
  omniheap_report_to([](const char *t, size_t n, void *ctx) { static_cast<std::string *>(ctx)->append(t, n); },
                     &report);
  EXPECT_NE(report.find("not registered"), std::string::npos) << report;
  for (HandPool &p : pools) omniheap_heap_unregister(omniheap_heap_find(&p.m));
  EXPECT_EQ(omniheap_heap_count(), before);
}

TEST(Registry, ReinitialisingKeepsTheSlot) {
  HandPool p;
  memb_init(&p.m);
  omniheap_heap_t *h = omniheap_heap_find(&p.m);
  ASSERT_NE(h, nullptr);
  ASSERT_EQ(omniheap_heap_set_name(h, "hand"), OMNIHEAP_OK);
  memb_init(&p.m);
  EXPECT_EQ(omniheap_heap_find(&p.m), h);
  EXPECT_STREQ(omniheap_heap_name(h), "hand") << "a re-init keeps a name given by the user";
  EXPECT_EQ(omniheap_heap_unregister(h), OMNIHEAP_OK);
  EXPECT_EQ(omniheap_heap_unregister(h), OMNIHEAP_ERR_NOT_FOUND);
}

TEST(Registry, HandlesAreChecked) {
  long long not_a_handle[8] = {};
  auto *fake = reinterpret_cast<omniheap_heap_t *>(not_a_handle);
  omniheap_stats_t s = OMNIHEAP_STATS_INIT;
  EXPECT_EQ(omniheap_heap_stats(fake, &s), OMNIHEAP_ERR_NOT_FOUND);
  EXPECT_EQ(omniheap_heap_validate(fake), OMNIHEAP_ERR_NOT_FOUND);
  EXPECT_EQ(omniheap_heap_next(fake), nullptr);
  EXPECT_STREQ(omniheap_heap_name(fake), "?");
  EXPECT_EQ(omniheap_heap_family(fake), OMNIHEAP_FAMILY_NONE);
  // A pointer inside the registry table but not at a slot boundary.
  HandPool p;
  memb_init(&p.m);
  omniheap_heap_t *h = omniheap_heap_find(&p.m);
  ASSERT_NE(h, nullptr);
  auto *misaligned = reinterpret_cast<omniheap_heap_t *>(reinterpret_cast<char *>(h) + 1);
  EXPECT_EQ(omniheap_heap_stats(misaligned, &s), OMNIHEAP_ERR_NOT_FOUND);
  EXPECT_EQ(omniheap_heap_unregister(h), OMNIHEAP_OK);
}

TEST(Registry, UnnamedHeapsAreShownWithTheirAddress) {
  HandPool p; // name field is NULL: no MEMB() name
  memb_init(&p.m);
  omniheap_heap_t *h = omniheap_heap_find(&p.m);
  ASSERT_NE(h, nullptr);
  EXPECT_STREQ(omniheap_heap_name(h), "memb");
  std::string report;
  omniheap_report_to([](const char *t, size_t n, void *ctx) { static_cast<std::string *>(ctx)->append(t, n); },
                     &report);
  EXPECT_NE(report.find("memb@0x"), std::string::npos) << report;
  omniheap_heap_unregister(h);
}

} // namespace

extern "C" {
#include <zephyr/sys/sys_heap.h>
}

namespace {

// A sys_heap declared on the stack registers itself; once its object is gone
// (here: overwritten, as a reused stack frame would be), the registry drops it.
TEST(Registry, DeadHeapObjectsAreDropped) {
  alignas(8) static unsigned char memory[1024];
  const size_t before = omniheap_heap_count();
  auto *heap = new sys_heap{};
  sys_heap_init(heap, memory, sizeof memory);
  EXPECT_EQ(omniheap_heap_count(), before + 1);
  omniheap_heap_t *h = omniheap_heap_find(heap);
  ASSERT_NE(h, nullptr);
  EXPECT_EQ(omniheap_heap_family(h), OMNIHEAP_FAMILY_SYS_HEAP);
  heap->heap = nullptr; // the object no longer holds the heap
  EXPECT_EQ(omniheap_heap_find(heap), nullptr);
  EXPECT_EQ(omniheap_heap_count(), before);
  delete heap;
  // The same memory initialised again through another object registers anew.
  sys_heap other{};
  sys_heap_init(&other, memory, sizeof memory);
  EXPECT_NE(omniheap_heap_find(&other), nullptr);
  EXPECT_EQ(omniheap_heap_count(), before + 1);
  omniheap_heap_unregister(omniheap_heap_find(&other));
}

// A reused stack slot may hold anything where heap->heap was: the registry
// must not follow it.
TEST(Registry, GarbageInADeadHeapObjectIsNotFollowed) {
  alignas(8) static unsigned char memory[1024];
  const size_t before = omniheap_heap_count();
  sys_heap heap{};
  sys_heap_init(&heap, memory, sizeof memory);
  ASSERT_EQ(omniheap_heap_count(), before + 1);
  heap.heap = reinterpret_cast<z_heap *>(uintptr_t(0x10)); // unmapped
  EXPECT_EQ(omniheap_heap_count(), before);
  EXPECT_EQ(omniheap_heap_find(&heap), nullptr);
}

} // namespace
