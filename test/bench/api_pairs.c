/*
 * api_pairs API N — N free+alloc pairs on one heap of API, single thread,
 * for callgrind: run with N and with 0, the difference divided by N is the
 * instruction cost of one pair (make bench, parts k_heap and emh).
 *
 * Workload: a ring of 16 live blocks; pair i frees the block of slot i % 16
 * and allocates 16 + (37 i mod 112) bytes in its place, on a 64 KiB region
 * (the system heap of the default build, 4 KiB, holds the ring too).
 * API:
 *   sys_heap  sys_heap_alloc/sys_heap_free: the engine through its thinnest
 *             API (no lock)
 *   k_heap    k_heap_alloc(K_NO_WAIT)/k_heap_free: the heap's port lock
 *   k_malloc  k_malloc/k_free: the system heap, its lock and owner prefix
 *   emh       emh_malloc/emh_free: the heap's lock and the tag word below the
 *             block (whose area makes chunks one 8-byte unit larger on a
 *             64-bit host)
 *   glibc     malloc/free
 * Listener costs (make bench, part observe), all on sys_heap:
 *   sys_heap+idle       a listener registered on another heap: every call
 *                       builds its event and finds no listener for it
 *   sys_heap+threshold  a threshold listener (ABOVE/BELOW, hysteresis) on
 *                       this heap, the threshold in the ring's range so
 *                       that it crosses
 *   sys_heap+trace      the trace recorder on this heap, writing each line
 *                       to a callback that only counts bytes
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zephyr/kernel.h>

#include "emh_malloc.h"
#include "omniheap.h"

enum api { SYS_HEAP, K_HEAP, K_MALLOC, EMH, GLIBC, SYS_HEAP_IDLE, SYS_HEAP_THRESHOLD, SYS_HEAP_TRACE };

static char mem[65536] __attribute__((aligned(8)));
static struct sys_heap sh;
static struct k_heap kh;
static emh_heapId_t eh = -1;

static struct sys_heap other;
static char other_mem[1024] __attribute__((aligned(8)));
static omniheap_listener_t listener;
static omniheap_trace_t trace;
static unsigned long events, trace_bytes;

static void on_event(const omniheap_event_t *e, void *context) {
  (void)e;
  (void)context;
  ++events;
}

static void count_bytes(const char *text, size_t length, void *context) {
  (void)text;
  (void)context;
  trace_bytes += length;
}

static void release(enum api api, void *p) {
  switch (api) {
  case SYS_HEAP_IDLE:
  case SYS_HEAP_THRESHOLD:
  case SYS_HEAP_TRACE:
  case SYS_HEAP: sys_heap_free(&sh, p); break;
  case K_HEAP: k_heap_free(&kh, p); break;
  case K_MALLOC: k_free(p); break;
  case EMH: emh_free(p); break;
  case GLIBC: free(p); break;
  }
}

static void *take(enum api api, size_t size) {
  switch (api) {
  case SYS_HEAP_IDLE:
  case SYS_HEAP_THRESHOLD:
  case SYS_HEAP_TRACE:
  case SYS_HEAP: return sys_heap_alloc(&sh, size);
  case K_HEAP: return k_heap_alloc(&kh, size, K_NO_WAIT);
  case K_MALLOC: return k_malloc(size);
  case EMH: return emh_malloc(eh, size);
  case GLIBC: break;
  }
  return malloc(size);
}

int main(int argc, char **argv) {
  static const char *const names[] = {"sys_heap", "k_heap", "k_malloc", "emh", "glibc",
                                      "sys_heap+idle", "sys_heap+threshold", "sys_heap+trace"};
  enum api api = GLIBC;
  unsigned a;
  long i, n;
  void *keep[16] = {0};
  int found = 0;
  if (argc == 3) {
    for (a = 0; a < sizeof names / sizeof names[0]; ++a) {
      if (strcmp(argv[1], names[a]) == 0) {
        api = (enum api)a;
        found = 1;
      }
    }
  }
  if (!found) {
    fprintf(stderr, "usage: api_pairs sys_heap|k_heap|k_malloc|emh|glibc|sys_heap+idle|sys_heap+threshold|"
                    "sys_heap+trace N\n");
    return 2;
  }
  n = atol(argv[2]);
  if (api == SYS_HEAP || api >= SYS_HEAP_IDLE) sys_heap_init(&sh, mem, sizeof mem);
  if (api == SYS_HEAP_IDLE) {
    sys_heap_init(&other, other_mem, sizeof other_mem);
    omniheap_listener_register(&listener, omniheap_heap_find(&other), OMNIHEAP_ON_ALL, 512, 64, on_event, NULL);
  }
  /* The ring holds about 16 x 80 B: crossings at 1200 B with 128 B of hysteresis. */
  if (api == SYS_HEAP_THRESHOLD &&
      omniheap_listener_register(&listener, omniheap_heap_find(&sh), OMNIHEAP_ON_THRESHOLD, 1200, 128, on_event,
                                 NULL) != OMNIHEAP_OK) {
    return 1;
  }
  if (api == SYS_HEAP_TRACE && omniheap_trace_start(&trace, omniheap_heap_find(&sh), count_bytes, NULL) != OMNIHEAP_OK) {
    return 1;
  }
  if (api == K_HEAP) k_heap_init(&kh, mem, sizeof mem);
  if (api == EMH && (eh = emh_create(mem, sizeof mem)) < 0) {
    fprintf(stderr, "api_pairs: emh_create failed\n");
    return 1;
  }
  for (i = 0; i < n; ++i) {
    size_t size = 16U + (size_t)((i * 37) % 112);
    int k = (int)(i % 16);
    if (keep[k] != NULL) release(api, keep[k]);
    keep[k] = take(api, size);
    if (keep[k] == NULL) {
      fprintf(stderr, "api_pairs: %s: allocation failed\n", names[api]);
      return 1;
    }
  }
  if (n > 0 && api == SYS_HEAP_IDLE && events != 0U) return 1;
  if (n > 0 && api == SYS_HEAP_TRACE && trace_bytes == 0U) return 1;
  return 0;
}
