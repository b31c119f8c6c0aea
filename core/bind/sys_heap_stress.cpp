// sys_heap_stress(): Zephyr's allocator-agnostic stress rig, driving any heap
// through two callbacks. Independent of the engine.
#include <zephyr/sys/sys_heap.h>

#include "../common/compiler.hpp"

namespace {

struct Live {
  void *block;
  size_t bytes;
};

uint32_t next_random(uint64_t &state) noexcept {
  state ^= state << 13;
  state ^= state >> 7;
  state ^= state << 17;
  return static_cast<uint32_t>(state >> 16);
}

} // namespace

OMNIHEAP_EXPORT void sys_heap_stress(void *(*alloc_fn)(void *arg, size_t bytes),
                                     void (*free_fn)(void *arg, void *p), void *arg,
                                     size_t total_bytes, uint32_t op_count, void *scratch_mem,
                                     size_t scratch_bytes, int target_percent,
                                     struct z_heap_stress_result *result) {
  if (result == nullptr) return;
  *result = z_heap_stress_result{};
  if (alloc_fn == nullptr || free_fn == nullptr || scratch_mem == nullptr) return;
  Live *live = static_cast<Live *>(scratch_mem);
  const size_t capacity = scratch_bytes / sizeof(Live);
  const size_t max_block = total_bytes / 4U > 0U ? total_bytes / 4U : 1U;
  const size_t percent = target_percent < 0 ? 0U : target_percent > 100 ? 100U : static_cast<size_t>(target_percent);
  const size_t target = total_bytes / 100U * percent + total_bytes % 100U * percent / 100U;
  uint64_t rng = 0x2545F4914F6CDD1DULL ^ op_count;
  size_t count = 0, in_use = 0;
  for (uint32_t op = 0; op < op_count; ++op) {
    // The further below the target, the likelier an allocation.
    const bool full = count == capacity;
    bool allocate = count == 0U;
    if (!allocate && !full && in_use < target) {
      allocate = next_random(rng) % 100U >= in_use * 100U / (target + 1U) / 2U;
    }
    if (allocate) {
      const size_t bytes = 1U + next_random(rng) % max_block;
      ++result->total_allocs;
      void *p = alloc_fn(arg, bytes);
      if (p != nullptr) {
        ++result->successful_allocs;
        live[count++] = {p, bytes};
        in_use += bytes;
      }
    } else {
      const size_t k = next_random(rng) % count;
      free_fn(arg, live[k].block);
      in_use -= live[k].bytes;
      live[k] = live[--count];
      ++result->total_frees;
    }
    result->accumulated_in_use_bytes += in_use;
  }
  while (count != 0U) {
    free_fn(arg, live[--count].block);
    ++result->total_frees;
  }
}
