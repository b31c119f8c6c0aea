// RAII guards over the port's synchronisation hooks. Internal header.
#pragma once

#include "omniheap_port.h"

namespace omniheap {

// Holds the port's global, nestable critical section for its lifetime.
class CriticalSection {
public:
  CriticalSection() noexcept : state_(omniheap_port_critical_enter()) {}
  ~CriticalSection() { omniheap_port_critical_exit(state_); }
  CriticalSection(const CriticalSection &) = delete;
  CriticalSection &operator=(const CriticalSection &) = delete;

private:
  omniheap_port_state_t state_;
};

// Holds the critical section only when `Enabled` (a build option such as
// OMNIHEAP_CONF_MEMB_LOCKED); compiles to nothing otherwise.
template <bool Enabled> class OptionalCriticalSection;

template <> class OptionalCriticalSection<true> : public CriticalSection {};

template <> class OptionalCriticalSection<false> {
public:
  OptionalCriticalSection() noexcept {}
  // User-provided (and empty) so that a guard is never "unused" when locking
  // is configured out.
  ~OptionalCriticalSection() {}
};

// Holds one port lock for its lifetime.
class LockGuard {
public:
  explicit LockGuard(omniheap_port_lock_t &lock) noexcept : lock_(lock) {
    omniheap_port_lock_acquire(&lock_);
  }
  ~LockGuard() { omniheap_port_lock_release(&lock_); }
  LockGuard(const LockGuard &) = delete;
  LockGuard &operator=(const LockGuard &) = delete;

private:
  omniheap_port_lock_t &lock_;
};

} // namespace omniheap
