// Bit helpers: index of the highest / lowest set bit, for 32- and 64-bit
// words. One instruction where the CPU has it (x86 bsr/tzcnt, ARMv7-M CLZ and
// RBIT+CLZ); ARMv6-M (Cortex-M0/M0+) has neither, so it gets branch-free
// software versions instead of libgcc calls. Internal header.
#pragma once

#include <stdint.h>

namespace omniheap::bits {

#if defined(__ARM_ARCH_6M__)

// Lowest set bit via a de Bruijn multiply: x & -x isolates it.
inline unsigned lowest(uint32_t x) noexcept {
  static constexpr uint8_t table[32] = {0,  1,  28, 2,  29, 14, 24, 3,  30, 22, 20,
                                        15, 25, 17, 4,  8,  31, 27, 13, 23, 21, 19,
                                        16, 7,  26, 12, 18, 6,  11, 5,  10, 9};
  return table[((x & (0U - x)) * 0x077CB531U) >> 27];
}

// Highest set bit: smear it down, then count via de Bruijn.
inline unsigned highest(uint32_t x) noexcept {
  static constexpr uint8_t table[32] = {0, 9,  1,  10, 13, 21, 2,  29, 11, 14, 16,
                                        18, 22, 25, 3, 30, 8,  12, 20, 28, 15, 17,
                                        24, 7,  19, 27, 23, 6,  26, 5,  4,  31};
  x |= x >> 1;
  x |= x >> 2;
  x |= x >> 4;
  x |= x >> 8;
  x |= x >> 16;
  return table[(x * 0x07C4ACDDU) >> 27];
}

#else

// x != 0
inline unsigned lowest(uint32_t x) noexcept { return static_cast<unsigned>(__builtin_ctz(x)); }
inline unsigned highest(uint32_t x) noexcept { return 31U - static_cast<unsigned>(__builtin_clz(x)); }

#endif

inline unsigned lowest(uint64_t x) noexcept {
#if UINTPTR_MAX > 0xFFFFFFFFU
  return static_cast<unsigned>(__builtin_ctzll(x));
#else
  const uint32_t low = static_cast<uint32_t>(x);
  return low != 0U ? lowest(low) : 32U + lowest(static_cast<uint32_t>(x >> 32));
#endif
}

inline unsigned highest(uint64_t x) noexcept {
#if UINTPTR_MAX > 0xFFFFFFFFU
  return 63U - static_cast<unsigned>(__builtin_clzll(x));
#else
  const uint32_t high = static_cast<uint32_t>(x >> 32);
  return high != 0U ? 32U + highest(high) : highest(static_cast<uint32_t>(x));
#endif
}

// Same for unsigned long where it is neither uint32_t nor uint64_t (LP64
// hosts define uint64_t as unsigned long, so this only matters elsewhere).
template <class T> inline unsigned lowest_of(T x) noexcept {
  return sizeof(T) > 4 ? lowest(static_cast<uint64_t>(x)) : lowest(static_cast<uint32_t>(x));
}
template <class T> inline unsigned highest_of(T x) noexcept {
  return sizeof(T) > 4 ? highest(static_cast<uint64_t>(x)) : highest(static_cast<uint32_t>(x));
}

// Compile-time floor(log2(x)) for x >= 1.
constexpr unsigned log2_floor(uint64_t x) noexcept {
  unsigned r = 0;
  while (x > 1U) {
    x >>= 1U;
    ++r;
  }
  return r;
}

} // namespace omniheap::bits
