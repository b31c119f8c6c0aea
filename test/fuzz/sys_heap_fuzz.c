/*
 * libFuzzer target: random sequences of sys_heap calls — plain and aligned
 * allocations (with the rewind encoding), in-place and moving reallocs, good
 * and bad frees (double, foreign, interior) — against a shadow model, on a
 * small heap so that it runs full often. After every step:
 *  - every live block lies inside the heap memory, meets its alignment, does
 *    not overlap another, and kept its contents (a fill pattern);
 *  - a failed allocation happens only when the model cannot rule it out (not
 *    checked: fragmentation is legitimate), but never corrupts the heap;
 *  - bad frees are reported to the fault handler and change nothing;
 *  - sys_heap_validate() holds and the runtime statistics equal the sum of
 *    the live blocks' chunks (usable size + header).
 * Built with clang -fsanitize=fuzzer,address,undefined (make fuzz; a short
 * fixed-seed run is part of make test).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <zephyr/sys/sys_heap.h>

#include "omniheap.h"

#define HEAP_BYTES 2048
#define MAX_LIVE 64

static unsigned char memory[HEAP_BYTES + 16] __attribute__((aligned(16)));
static struct {
  unsigned char *p;
  size_t n;
  size_t align;
  unsigned char fill;
} live[MAX_LIVE];
static size_t n_live;
static unsigned faults;

static omniheap_fault_action_t count_fault(const omniheap_fault_t *f, void *ctx) {
  (void)f;
  (void)ctx;
  ++faults;
  return OMNIHEAP_FAULT_RETURN;
}

static size_t header_bytes(void) { return sizeof(void *) == 8 ? 8 : 4; }

static void check_block(size_t i) {
  size_t k;
  unsigned char *lo = memory, *hi = memory + sizeof memory;
  if (live[i].p < lo || live[i].p + live[i].n > hi) abort();
  if (live[i].align > 1 && (uintptr_t)live[i].p % live[i].align != 0) abort();
  for (k = 0; k < live[i].n; ++k) {
    if (live[i].p[k] != live[i].fill) abort();
  }
}

static void add(unsigned char *p, size_t n, size_t align, unsigned char fill) {
  size_t i;
  for (i = 0; i < n_live; ++i) {
    if (!(p + n <= live[i].p || live[i].p + live[i].n <= p)) abort(); /* overlap */
  }
  memset(p, fill, n);
  live[n_live].p = p;
  live[n_live].n = n;
  live[n_live].align = align;
  live[n_live].fill = fill;
  ++n_live;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct sys_heap heap;
  size_t k = 0, i;
  unsigned char *base = memory + (size > 0 ? data[0] % 8 : 0); /* any alignment of the region */
  omniheap_set_fault_handler(count_fault, NULL);
  sys_heap_init(&heap, base, HEAP_BYTES);
  n_live = 0;
  faults = 0;
  k = 1;
  while (k + 2 < size) {
    uint8_t op = data[k] % 7, a = data[k + 1], b = data[k + 2];
    size_t n = 1 + (size_t)a * (1 + b % 4);
    k += 3;
    switch (op) {
    case 0:
    case 1: /* alloc */
      if (n_live < MAX_LIVE) {
        unsigned char *p = sys_heap_alloc(&heap, n);
        if (p != NULL) {
          if (sys_heap_usable_size(&heap, p) < n) abort();
          add(p, n, header_bytes(), b);
        }
      }
      break;
    case 2: /* aligned alloc, with and without rewind */
      if (n_live < MAX_LIVE) {
        size_t align = (size_t)8 << (b % 6);
        size_t rewind = (b & 64) ? 4 : 0;
        unsigned char *p = sys_heap_aligned_alloc(&heap, align | rewind, n);
        if (p != NULL) {
          if ((uintptr_t)(p + rewind) % align != 0) abort();
          add(p, n, 4, a);
        }
      }
      break;
    case 3: /* free */
      if (n_live > 0) {
        i = (size_t)a % n_live;
        check_block(i);
        sys_heap_free(&heap, live[i].p);
        live[i] = live[--n_live];
      }
      break;
    case 4: /* realloc */
      if (n_live > 0) {
        unsigned char *p;
        size_t keep;
        i = (size_t)a % n_live;
        check_block(i);
        p = sys_heap_realloc(&heap, live[i].p, n);
        if (p != NULL) {
          unsigned char fill = live[i].fill;
          keep = live[i].n < n ? live[i].n : n;
          for (size_t j = 0; j < keep; ++j) {
            if (p[j] != fill) abort();
          }
          live[i] = live[--n_live];
          add(p, n, 4, fill);
        }
      }
      break;
    case 5: { /* bad frees: nothing changes, a fault each */
      unsigned before = faults;
      int local;
      sys_heap_free(&heap, &local);
      if (n_live > 0) {
        i = (size_t)a % n_live;
        if (live[i].n > 1) { /* strictly inside the block: never another block's start */
          size_t off = 1 + (size_t)b % (live[i].n - 1);
          sys_heap_free(&heap, live[i].p + off);
        }
      }
      if (faults == before) abort();
      break;
    }
    case 6: /* double free */
      if (n_live > 0) {
        unsigned before = faults;
        i = (size_t)a % n_live;
        sys_heap_free(&heap, live[i].p);
        sys_heap_free(&heap, live[i].p);
        if (faults != before + 1) abort();
        live[i] = live[--n_live];
      }
      break;
    }
    if (!sys_heap_validate(&heap)) abort();
    for (i = 0; i < n_live; ++i) check_block(i);
  }
  for (i = 0; i < n_live; ++i) sys_heap_free(&heap, live[i].p);
  {
    struct sys_memory_stats st;
    sys_heap_runtime_stats_get(&heap, &st);
    if (st.allocated_bytes != 0 || !sys_heap_validate(&heap)) abort();
  }
  omniheap_heap_unregister(omniheap_heap_find(&heap));
  omniheap_set_fault_handler(NULL, NULL);
  return 0;
}
