// Unit tests of the listener API's argument checks and state rules, and of
// the trace recorder's line format, through the native C API (MEMB pools
// built by hand serve as heaps: their unit of account is whole blocks).
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

extern "C" {
#include "lib/memb.h"
#include "omniheap.h"
}

namespace {

struct HandPool {
  bool used[8] = {};
  long long mem[8] = {};
  memb m{};
  HandPool() {
    m.size = sizeof(long long);
    m.num = 8;
    m.used = used;
    m.mem = mem;
    memb_init(&m);
  }
  ~HandPool() { omniheap_heap_unregister(omniheap_heap_find(&m)); }
  omniheap_heap_t *handle() { return omniheap_heap_find(&m); }
};

struct Log {
  std::vector<omniheap_event_t> events;
  static void record(const omniheap_event_t *e, void *context) { static_cast<Log *>(context)->events.push_back(*e); }
  size_t count(omniheap_event_kind_t kind) const {
    size_t n = 0;
    for (const omniheap_event_t &e : events) n += e.kind == kind ? 1U : 0U;
    return n;
  }
};

TEST(Listener, RejectsBadArguments) {
  HandPool p;
  Log log;
  omniheap_listener_t l;
  EXPECT_EQ(omniheap_listener_register(nullptr, p.handle(), OMNIHEAP_ON_ALL, 0, 0, Log::record, &log),
            OMNIHEAP_ERR_INVALID);
  EXPECT_EQ(omniheap_listener_register(&l, p.handle(), OMNIHEAP_ON_ALL, 0, 0, nullptr, &log), OMNIHEAP_ERR_INVALID);
  EXPECT_EQ(omniheap_listener_register(&l, p.handle(), 0, 0, 0, Log::record, &log), OMNIHEAP_ERR_INVALID);
  EXPECT_EQ(omniheap_listener_register(&l, p.handle(), 1U, 0, 0, Log::record, &log), OMNIHEAP_ERR_INVALID)
      << "bit 0 is no event";
  long long not_a_handle[8] = {};
  EXPECT_EQ(omniheap_listener_register(&l, reinterpret_cast<omniheap_heap_t *>(not_a_handle), OMNIHEAP_ON_ALL, 0,
                                       0, Log::record, &log),
            OMNIHEAP_ERR_NOT_FOUND);
  EXPECT_EQ(omniheap_listener_unregister(nullptr), OMNIHEAP_ERR_NOT_FOUND);
  EXPECT_EQ(omniheap_listener_unregister(&l), OMNIHEAP_ERR_NOT_FOUND) << "never registered";
  EXPECT_EQ(omniheap_listener_above(nullptr, nullptr), -1);
  EXPECT_EQ(omniheap_listener_above(&l, nullptr), -1);
  void *b = memb_alloc(&p.m);
  ASSERT_NE(b, nullptr);
  memb_free(&p.m, b);
  EXPECT_TRUE(log.events.empty());
}

TEST(Listener, RegisteringAgainReplacesAndUnregisterStops) {
  HandPool p;
  Log first, second;
  omniheap_listener_t l;
  ASSERT_EQ(omniheap_listener_register(&l, p.handle(), OMNIHEAP_ON_ALLOC, 0, 0, Log::record, &first), OMNIHEAP_OK);
  ASSERT_EQ(omniheap_listener_register(&l, p.handle(), OMNIHEAP_ON_FREE, 0, 0, Log::record, &second), OMNIHEAP_OK);
  void *b = memb_alloc(&p.m);
  memb_free(&p.m, b);
  EXPECT_TRUE(first.events.empty()) << "the first registration was replaced";
  ASSERT_EQ(second.events.size(), 1U);
  EXPECT_EQ(second.events[0].kind, OMNIHEAP_EVENT_FREE);
  EXPECT_EQ(second.events[0].pointer, b);
  EXPECT_EQ(second.events[0].bytes, sizeof(long long));
  EXPECT_EQ(omniheap_listener_unregister(&l), OMNIHEAP_OK);
  EXPECT_EQ(omniheap_listener_unregister(&l), OMNIHEAP_ERR_NOT_FOUND);
  b = memb_alloc(&p.m);
  memb_free(&p.m, b);
  EXPECT_EQ(second.events.size(), 1U);
}

TEST(Listener, StateIsLearntFromTheFirstOperation) {
  HandPool p;
  Log log;
  void *b[8];
  for (int i = 0; i < 5; ++i) b[i] = memb_alloc(&p.m); // 5 blocks: 40 bytes
  omniheap_listener_t l;
  ASSERT_EQ(omniheap_listener_register(&l, p.handle(), OMNIHEAP_ON_THRESHOLD, 32, 16, Log::record, &log),
            OMNIHEAP_OK);
  EXPECT_EQ(omniheap_listener_above(&l, nullptr), -1) << "no operation seen yet";
  b[5] = memb_alloc(&p.m); // 48: already above, no ABOVE
  EXPECT_TRUE(log.events.empty());
  EXPECT_EQ(omniheap_listener_above(&l, nullptr), 1);
  EXPECT_EQ(omniheap_listener_above(&l, p.handle()), 1);
  memb_free(&p.m, b[5]); // 40
  memb_free(&p.m, b[4]); // 32
  memb_free(&p.m, b[3]); // 24: not under 32 - 16
  EXPECT_TRUE(log.events.empty());
  memb_free(&p.m, b[2]); // 16: not under 16
  EXPECT_TRUE(log.events.empty());
  memb_free(&p.m, b[1]); // 8: BELOW
  ASSERT_EQ(log.events.size(), 1U);
  EXPECT_EQ(log.events[0].kind, OMNIHEAP_EVENT_BELOW);
  EXPECT_EQ(log.events[0].in_use, 8U);
  EXPECT_EQ(log.events[0].previous_in_use, 16U);
  EXPECT_EQ(log.events[0].threshold, 32U);
  EXPECT_EQ(omniheap_listener_above(&l, nullptr), 0);
  memb_free(&p.m, b[0]);
  omniheap_listener_unregister(&l);
}

TEST(Listener, HysteresisLargerThanThresholdNeverClears) {
  HandPool p;
  Log log;
  omniheap_listener_t l;
  ASSERT_EQ(omniheap_listener_register(&l, p.handle(), OMNIHEAP_ON_THRESHOLD, 16, 100, Log::record, &log),
            OMNIHEAP_OK);
  void *a = memb_alloc(&p.m), *b = memb_alloc(&p.m); // 16: ABOVE
  memb_free(&p.m, b);
  memb_free(&p.m, a); // 0: still above (never under 16 - 100)
  ASSERT_EQ(log.events.size(), 1U);
  EXPECT_EQ(log.events[0].kind, OMNIHEAP_EVENT_ABOVE);
  EXPECT_EQ(omniheap_listener_above(&l, nullptr), 1);
  omniheap_listener_unregister(&l);
}

TEST(Listener, OnEveryHeapKeepsOneStatePerHeap) {
  HandPool p, q;
  Log log;
  omniheap_listener_t l;
  ASSERT_EQ(omniheap_listener_register(&l, nullptr, OMNIHEAP_ON_ABOVE, 16, 0, Log::record, &log), OMNIHEAP_OK);
  void *a = memb_alloc(&p.m);
  void *b = memb_alloc(&q.m);
  EXPECT_TRUE(log.events.empty()) << "8 bytes each, not a sum of 16";
  void *c = memb_alloc(&q.m);
  ASSERT_EQ(log.events.size(), 1U);
  EXPECT_EQ(log.events[0].object, &q.m);
  EXPECT_EQ(log.events[0].heap, q.handle());
  EXPECT_EQ(log.events[0].family, OMNIHEAP_FAMILY_MEMB);
  EXPECT_EQ(omniheap_listener_above(&l, q.handle()), 1);
  EXPECT_EQ(omniheap_listener_above(&l, p.handle()), 0);
  EXPECT_EQ(omniheap_listener_above(&l, nullptr), -1) << "a listener on every heap has no heap of its own";
  memb_free(&p.m, a);
  memb_free(&q.m, b);
  memb_free(&q.m, c);
  omniheap_listener_unregister(&l);
}

TEST(Listener, FailureAndFaultEvents) {
  HandPool p;
  Log log;
  omniheap_listener_t l;
  ASSERT_EQ(omniheap_listener_register(&l, p.handle(), OMNIHEAP_ON_FAILURE | OMNIHEAP_ON_FAULT, 0, 0, Log::record,
                                       &log),
            OMNIHEAP_OK);
  void *b[8];
  for (void *&x : b) x = memb_alloc(&p.m);
  EXPECT_EQ(memb_alloc(&p.m), nullptr);
  ASSERT_EQ(log.count(OMNIHEAP_EVENT_ALLOC_FAILED), 1U);
  EXPECT_EQ(log.events[0].size, sizeof(long long));
  EXPECT_EQ(log.events[0].in_use, 8 * sizeof(long long));
  memb_free(&p.m, b[0]);
  EXPECT_EQ(memb_free(&p.m, b[0]), -1); // double free: a fault, default action RETURN
  ASSERT_EQ(log.count(OMNIHEAP_EVENT_FAULT), 1U);
  EXPECT_EQ(log.events.back().fault, OMNIHEAP_FAULT_DOUBLE_FREE);
  EXPECT_EQ(log.events.back().pointer, b[0]);
  for (int i = 1; i < 8; ++i) memb_free(&p.m, b[i]);
  omniheap_listener_unregister(&l);
}

TEST(Listener, EventKindNames) {
  EXPECT_STREQ(omniheap_event_kind_name(OMNIHEAP_EVENT_ALLOC), "alloc");
  EXPECT_STREQ(omniheap_event_kind_name(OMNIHEAP_EVENT_ABOVE), "above");
  EXPECT_STREQ(omniheap_event_kind_name(OMNIHEAP_EVENT_FAULT), "fault");
  EXPECT_STREQ(omniheap_event_kind_name(static_cast<omniheap_event_kind_t>(99)), "unknown event");
}

TEST(FamilyTotals, SumsOneFamily) {
  HandPool p, q;
  void *a = memb_alloc(&p.m);
  omniheap_stats_t all = OMNIHEAP_STATS_INIT, memb_only = OMNIHEAP_STATS_INIT, none = OMNIHEAP_STATS_INIT;
  const int n = omniheap_family_totals(OMNIHEAP_FAMILY_MEMB, &memb_only);
  EXPECT_GE(n, 2);
  ASSERT_EQ(omniheap_totals(&all), OMNIHEAP_OK);
  EXPECT_LE(memb_only.capacity, all.capacity);
  EXPECT_GE(memb_only.capacity, 2 * 8 * sizeof(long long));
  EXPECT_GE(memb_only.in_use, sizeof(long long));
  EXPECT_EQ(omniheap_family_totals(OMNIHEAP_FAMILY_NONE, &none), 0);
  EXPECT_EQ(none.capacity, 0U);
  EXPECT_EQ(omniheap_family_totals(OMNIHEAP_FAMILY_MEMB, nullptr), OMNIHEAP_ERR_INVALID);
  omniheap_stats_t tiny{};
  tiny.struct_size = 1;
  EXPECT_EQ(omniheap_family_totals(OMNIHEAP_FAMILY_MEMB, &tiny), OMNIHEAP_ERR_INVALID);
  memb_free(&p.m, a);
}

TEST(Trace, WritesTheSimulatorsFormat) {
  HandPool p;
  std::string out;
  omniheap_trace_t t;
  auto append = [](const char *text, size_t n, void *ctx) { static_cast<std::string *>(ctx)->append(text, n); };
  EXPECT_EQ(omniheap_trace_start(nullptr, p.handle(), append, &out), OMNIHEAP_ERR_INVALID);
  EXPECT_EQ(omniheap_trace_start(&t, p.handle(), nullptr, &out), OMNIHEAP_ERR_INVALID);
  ASSERT_EQ(omniheap_trace_start(&t, p.handle(), append, &out), OMNIHEAP_OK);
  void *a = memb_alloc(&p.m);
  memb_free(&p.m, a);
  ASSERT_EQ(omniheap_trace_stop(&t), OMNIHEAP_OK);
  EXPECT_EQ(omniheap_trace_stop(&t), OMNIHEAP_ERR_NOT_FOUND);
  void *b = memb_alloc(&p.m); // not traced
  memb_free(&p.m, b);
  const std::string id = std::to_string(reinterpret_cast<uintptr_t>(a));
  const std::string want_ops = "a " + id + " " + std::to_string(sizeof(long long)) + "\nf " + id + "\n";
  ASSERT_EQ(out.compare(0, 2, "# "), 0) << out;
  const size_t body = out.find('\n') + 1;
  EXPECT_EQ(out.substr(body), want_ops);
  EXPECT_EQ(t.lines, 2U);
}

} // namespace
