// Compiler helpers shared by every part of the core. Internal header.
#pragma once

// Marks the definition of a documented C API function: the only symbols the
// shared library exports (everything else is built with -fvisibility=hidden).
#define OMNIHEAP_EXPORT extern "C" __attribute__((visibility("default")))

#define OMNIHEAP_LIKELY(x) __builtin_expect(!!(x), 1)
#define OMNIHEAP_UNLIKELY(x) __builtin_expect(!!(x), 0)

// Out-of-line, rarely executed code (error and repair paths): keeps the hot
// paths short.
#define OMNIHEAP_COLD __attribute__((cold, noinline))

// A helper kept out of line so that its caller's hot path stays short (fewer
// registers to save), though it is not rare enough to be cold.
#define OMNIHEAP_NOINLINE __attribute__((noinline))
#define OMNIHEAP_INLINE inline __attribute__((always_inline))
