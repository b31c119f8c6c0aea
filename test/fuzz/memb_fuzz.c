/*
 * libFuzzer target: random sequences of MEMB calls — good and bad frees,
 * writes after free into freed blocks, peak resets, re-initialisation —
 * checked against a shadow model after every step:
 *  - memb_alloc never returns an allocated block or a pointer outside the pool;
 *  - memb_alloc returns NULL only when the model has no free block (no free
 *    block is ever lost, even after writes after free);
 *  - memb_free returns 0 exactly for allocated block starts, -1 otherwise;
 *  - memb_numfree and the registry's statistics equal the model;
 *  - omniheap_heap_validate passes whenever no write after free is pending.
 * Built with clang -fsanitize=fuzzer,address,undefined (make fuzz; a short
 * fixed-seed run is part of make test).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/memb.h"
#include "omniheap.h"

#define BLOCKS 8
#define LINK_KEY 0xA55Au /* how the engine scrambles free-list links */

struct item {
  uint8_t bytes[6];
};

MEMB(fuzz_pool, struct item, BLOCKS);
MEMB(fuzz_bytes, uint8_t, 5); /* 1-byte blocks: the list-free path */

static int model_used[BLOCKS];
static int damaged; /* a write after free not yet repaired */

static omniheap_fault_action_t quiet(const omniheap_fault_t *f, void *ctx) {
  (void)ctx;
  if (f->kind == OMNIHEAP_FAULT_CORRUPT_METADATA) damaged = 0;
  return OMNIHEAP_FAULT_RETURN;
}

static size_t index_of(void *p) {
  return (size_t)((uint8_t *)p - (uint8_t *)fuzz_pool.mem) / sizeof(struct item);
}

static size_t model_free(void) {
  size_t i, n = 0;
  for (i = 0; i < BLOCKS; ++i) n += !model_used[i];
  return n;
}

static void reset_all(void) {
  memb_init(&fuzz_pool);
  memb_init(&fuzz_bytes);
  memset(model_used, 0, sizeof model_used);
  damaged = 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  size_t k = 0;
  omniheap_set_fault_handler(quiet, NULL);
  reset_all();
  while (k + 1 < size) {
    uint8_t op = data[k++] % 9, arg = data[k++];
    struct item *p;
    size_t i = arg % BLOCKS;
    switch (op) {
    case 0:
    case 1:
    case 8: /* alloc */
      p = memb_alloc(&fuzz_pool);
      if (p == NULL) {
        if (model_free() != 0) abort(); /* a free block was lost */
        break;
      }
      if (!memb_inmemb(&fuzz_pool, p) || (uint8_t *)p != (uint8_t *)fuzz_pool.mem + index_of(p) * sizeof *p)
        abort();
      if (model_used[index_of(p)]) abort(); /* handed out twice */
      model_used[index_of(p)] = 1;
      memset(p, arg, sizeof *p); /* the owner writes its whole block */
      break;
    case 2:
    case 3: { /* free block i (valid or double) */
      int rc = memb_free(&fuzz_pool, (struct item *)fuzz_pool.mem + i);
      if (rc != (model_used[i] ? 0 : -1)) abort();
      model_used[i] = 0;
      break;
    }
    case 4: /* bad frees: interior, foreign, NULL */
      if (memb_free(&fuzz_pool, (uint8_t *)fuzz_pool.mem + i * sizeof(struct item) + 1 + arg % 5) != -1) abort();
      if (memb_free(&fuzz_pool, &damaged) != -1) abort();
      if (memb_free(&fuzz_pool, NULL) != -1) abort();
      break;
    case 5: /* write after free into a free block's first bytes */
      if (!model_used[i] && k + 1 < size) {
        uint8_t *b = (uint8_t *)fuzz_pool.mem + i * sizeof(struct item);
        if (data[k] & 1) {
          /* A link that looks valid: another block's index, scrambled the
           * way the engine stores links (LINK_KEY, core/engine/pool.hpp) —
           * the hardest case: it names an allocated or a free block. */
          uint16_t link = (uint16_t)((data[k + 1] % (BLOCKS + 1)) ^ LINK_KEY);
          memcpy(b, &link, sizeof link);
        } else { /* arbitrary bytes */
          b[0] = data[k];
          b[1] = data[k + 1];
        }
        k += 2;
        if (i < fuzz_pool.fresh) damaged = 1; /* only listed blocks hold links */
      }
      break;
    case 6: /* peak reset, 1-byte pool traffic */
      omniheap_heap_reset_peak(omniheap_heap_find(&fuzz_pool));
      {
        uint8_t *q = memb_alloc(&fuzz_bytes);
        if (q != NULL && (arg & 1) && memb_free(&fuzz_bytes, q) != 0) abort();
      }
      break;
    case 7:
      if (arg == 0) reset_all();
      break;
    }
    if (memb_numfree(&fuzz_pool) != model_free()) abort();
    if (!damaged && omniheap_heap_validate(omniheap_heap_find(&fuzz_pool)) != OMNIHEAP_OK) abort();
    if (omniheap_heap_validate(omniheap_heap_find(&fuzz_bytes)) != OMNIHEAP_OK) abort();
    {
      omniheap_stats_t s = OMNIHEAP_STATS_INIT;
      if (omniheap_heap_stats(omniheap_heap_find(&fuzz_pool), &s) != OMNIHEAP_OK) abort();
      if (s.live_blocks != BLOCKS - model_free()) abort();
      if (s.peak < s.in_use) abort();
    }
  }
  omniheap_set_fault_handler(NULL, NULL);
  return 0;
}
