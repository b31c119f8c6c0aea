// The sys_heap operations beneath the public sys_heap_* functions, for the
// bindings built on sys_heap (k_heap and the system heap, sys_multi_heap).
// Internal header.
//
// These take no lock and report no fault: the caller serialises (the
// public sys_heap functions with their optional critical section, k_heap
// with its port lock) and reports what they return. They notify heap
// listeners (heap id: the struct sys_heap's address).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <zephyr/sys/sys_heap.h>

#include "../engine/segregated_fit.hpp"
#include "../observe/registry.hpp"
#include "omniheap.h"

namespace omniheap::bind::zheap {

using engine::Fault;

// Zephyr's alignment argument: a power of two A, optionally plus a smaller
// power of two r ("rewind": the block p then satisfies (p + r) % A == 0).
// (Two words, so that it travels in registers.)
struct Alignment {
  size_t a;
  size_t rewind;
};
Alignment decode(size_t align) noexcept;
// True if the decoded alignment is of that form (A a power of two or 0).
inline bool well_formed(Alignment d) noexcept { return (d.a & (d.a - 1U)) == 0U; }

// Sets up heap->heap over [mem, mem + bytes). false if the region is too
// small or too large: heap->heap then points at an empty placeholder heap.
// Does not touch the registry or the heap array.
bool init(struct sys_heap *heap, void *mem, size_t bytes) noexcept;

// The Control block of an initialised heap (the placeholder included).
// A heap object never initialised (heap->heap NULL) has none: see ready().
inline z_heap *control(const struct sys_heap *heap) noexcept { return heap->heap; }
// True if heap->heap is set (possibly to the placeholder).
inline bool ready(const struct sys_heap *heap) noexcept { return heap->heap != nullptr; }
// True if the heap is the empty placeholder of a failed (or no) init.
bool placeholder(const struct sys_heap *heap) noexcept;
// Makes an uninitialised heap object an empty placeholder heap.
void set_placeholder(struct sys_heap *heap) noexcept;

// How listener events show a heap's operations (observe/events.hpp).
// Events name the heap object `heap` (a k_heap or emh heap starts with it)
// and show blocks `shift` bytes after the engine's (a prefix the caller
// keeps below each block: k_malloc's owner word, emh's tag) with requests
// `shift` bytes smaller. A failed allocation is reported by alloc()
// unless `quiet_failure` (a blocking caller reports once per call: failed()).
struct Tap {
  size_t shift = 0;
  bool quiet_failure = false;
};

void *alloc(struct sys_heap *heap, Alignment d, size_t bytes, Tap tap = Tap{}) noexcept;
Fault free(struct sys_heap *heap, void *mem, Tap tap = Tap{}) noexcept;
// Realloc for ptr != NULL and bytes != 0 (the caller handles those): in
// place if it can, else a new block, copy, free. NULL with f == none: no
// memory (ptr unchanged); NULL with f != none: ptr is not a block in use.
void *realloc(struct sys_heap *heap, void *ptr, Alignment d, size_t bytes, Fault &f, Tap tap = Tap{}) noexcept;
// Reports a failed allocation of `bytes` (engine bytes; listeners see
// `bytes - tap.shift`) to the listeners, if any.
void failed(struct sys_heap *heap, size_t bytes, Tap tap = Tap{}) noexcept;
// Fault::none if mem is a block of the heap in use.
Fault check(struct sys_heap *heap, const void *mem) noexcept;
size_t usable_size(struct sys_heap *heap, const void *mem) noexcept; // mem passed check()
// Bytes of the chunk header below every plain block (4 or 8).
size_t header_bytes(const struct sys_heap *heap) noexcept;
// True if p lies in the heap's memory: from heap->heap (the region's start
// rounded up to 8) to the end marker's header and the bytes up to the next
// multiple of 8 (the region's end, when it was a multiple of 8).
bool contains(const struct sys_heap *heap, const void *p) noexcept;
bool valid(struct sys_heap *heap) noexcept;
// Failed allocations counted by the heap (blocking callers undo the count
// of an attempt they retry).
uint32_t &failures(struct sys_heap *heap) noexcept;

// The registry's view of a heap whose object starts with a struct sys_heap
// (sys_heap, k_heap): no locking here.
void stats(const struct sys_heap *heap, omniheap_stats_t *out) noexcept;
int validate(const struct sys_heap *heap) noexcept;
int walk(const struct sys_heap *heap, omniheap_walk_fn fn, void *context) noexcept;
void reset_peak(struct sys_heap *heap) noexcept;
// The object still holds the heap registered with cookie `cookie`.
bool alive(const struct sys_heap *heap, const void *cookie) noexcept;

} // namespace omniheap::bind::zheap
