// Unit tests of the posix port's assumptions and its blocking behaviour.
#include <gtest/gtest.h>

#include <pthread.h>

#include <atomic>
#include <cstring>
#include <thread>

extern "C" {
#include "omniheap_port.h"
}

namespace {

// The port documents that a zero-filled omniheap_port_lock_t is an unlocked
// lock. It relies on the static initialisers of the pthread types being all
// zeros; check that on this C library.
TEST(PosixPort, PthreadStaticInitialisersAreZero) {
  const pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
  const pthread_cond_t c = PTHREAD_COND_INITIALIZER;
  const unsigned char zeros[sizeof(pthread_mutex_t) + sizeof(pthread_cond_t)] = {};
  EXPECT_EQ(std::memcmp(&m, zeros, sizeof m), 0);
  EXPECT_EQ(std::memcmp(&c, zeros, sizeof c), 0);
}

TEST(PosixPort, CriticalSectionExcludesOtherThreadsAndNests) {
  long counter = 0;
  auto work = [&counter] {
    for (int i = 0; i < 20000; ++i) {
      omniheap_port_state_t a = omniheap_port_critical_enter();
      omniheap_port_state_t b = omniheap_port_critical_enter(); // nested
      const long v = counter;
      counter = v + 1;
      omniheap_port_critical_exit(b);
      omniheap_port_critical_exit(a);
    }
  };
  std::thread t1(work), t2(work), t3(work);
  t1.join();
  t2.join();
  t3.join();
  EXPECT_EQ(counter, 60000);
}

TEST(PosixPort, LockExcludesOtherThreads) {
  static omniheap_port_lock_t lock; // zero-initialised
  long counter = 0;
  auto work = [&counter] {
    for (int i = 0; i < 20000; ++i) {
      omniheap_port_lock_acquire(&lock);
      const long v = counter;
      counter = v + 1;
      omniheap_port_lock_release(&lock);
    }
  };
  std::thread t1(work), t2(work);
  t1.join();
  t2.join();
  EXPECT_EQ(counter, 40000);
}

TEST(PosixPort, WaitTimesOutNoEarlierThanTheDeadline) {
  omniheap_port_lock_t lock = OMNIHEAP_PORT_LOCK_INIT;
  omniheap_port_lock_acquire(&lock);
  const uint64_t start = omniheap_port_time_us();
  int rc = OMNIHEAP_PORT_WOKEN;
  // Spurious wake-ups are allowed: loop like every caller does.
  while (rc == OMNIHEAP_PORT_WOKEN) rc = omniheap_port_wait(&lock, start + 50000);
  const uint64_t waited = omniheap_port_time_us() - start;
  omniheap_port_lock_release(&lock);
  EXPECT_EQ(rc, OMNIHEAP_PORT_TIMEOUT);
  EXPECT_GE(waited, 50000U);
}

TEST(PosixPort, NotifyWakesAWaiterBeforeItsDeadline) {
  static omniheap_port_lock_t lock;
  std::atomic<bool> ready{false};
  bool flag = false; // guarded by lock
  int result = -1;
  uint64_t waited = 0;
  std::thread waiter([&] {
    omniheap_port_lock_acquire(&lock);
    ready = true;
    const uint64_t start = omniheap_port_time_us();
    int rc = OMNIHEAP_PORT_WOKEN;
    while (!flag && rc == OMNIHEAP_PORT_WOKEN) rc = omniheap_port_wait(&lock, start + 10000000);
    waited = omniheap_port_time_us() - start;
    result = flag ? 1 : 0;
    omniheap_port_lock_release(&lock);
  });
  while (!ready) std::this_thread::yield();
  omniheap_port_lock_acquire(&lock);
  flag = true;
  omniheap_port_notify_all(&lock);
  omniheap_port_lock_release(&lock);
  waiter.join();
  EXPECT_EQ(result, 1);
  EXPECT_LT(waited, 10000000U) << "woken by the notify, not by the 10 s deadline";
}

TEST(PosixPort, WaitForeverIsWokenByNotify) {
  static omniheap_port_lock_t lock;
  std::atomic<bool> ready{false};
  bool flag = false;
  std::thread waiter([&] {
    omniheap_port_lock_acquire(&lock);
    ready = true;
    while (!flag) omniheap_port_wait(&lock, OMNIHEAP_PORT_FOREVER);
    omniheap_port_lock_release(&lock);
  });
  while (!ready) std::this_thread::yield();
  omniheap_port_lock_acquire(&lock);
  flag = true;
  omniheap_port_notify_all(&lock);
  omniheap_port_lock_release(&lock);
  waiter.join();
  SUCCEED();
}

} // namespace
