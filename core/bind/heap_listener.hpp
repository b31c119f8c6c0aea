// Zephyr heap listener dispatch, as the heap bindings (sys_heap, k_heap) use
// it. Internal header. With OMNIHEAP_CONF_HEAP_LISTENER = 0 every call
// compiles to nothing.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "../common/compiler.hpp"
#include "omniheap_config.h"

namespace omniheap::bind::listen {

#if OMNIHEAP_CONF_HEAP_LISTENER
// Number of registered listeners (written inside the critical section).
extern unsigned g_registered;

// True if any listener is registered: one relaxed load, so that heaps pay a
// branch when nobody listens.
inline bool active() noexcept { return __atomic_load_n(&g_registered, __ATOMIC_RELAXED) != 0U; }
#else
constexpr bool active() noexcept { return false; }
#endif

// Dispatchers (critical section held during the callbacks).
void alloc(uintptr_t heap_id, void *mem, size_t bytes) noexcept;
void free(uintptr_t heap_id, void *mem, size_t bytes) noexcept;

} // namespace omniheap::bind::listen
