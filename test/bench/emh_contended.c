/*
 * emh_contended — throughput of emh_malloc/emh_free pairs in three
 * configurations, in the same run and with the same workload:
 *   1T        one thread on emh heap 0;
 *   separate  two threads, each on its own heap (thread 0 on heap 0,
 *             thread 1 on heap 1): each heap has its own lock, so they
 *             should not contend;
 *   shared    two threads on one heap (heap 0): one lock for both.
 * and, as the machine's own reference, the same loop with no allocator
 * (spin 1T, spin 2T: a dependent chain of xorshift steps per iteration,
 * registers only): its 2T/1T is the most two independent threads gain on
 * this machine at the time of the run (2.0 on two idle cores, less when
 * other processes share them), the ceiling for "separate".
 *
 * Workload, per thread (that of k_heap_contended): sizes from a fixed
 * pseudo-random sequence of 1024 values in 16..256 bytes (each thread starts
 * at another offset); a window of 16 live blocks: each iteration frees the
 * oldest block and allocates a new one (one pair). One byte of every block
 * is written at allocation and read back at free, so that no compiler can
 * drop a pair.
 *
 * The library's default build has 2 emh heaps (OMNIHEAP_CONF_EMH_N_HEAPS)
 * and a heap cannot be destroyed, so both heaps are created once, at start,
 * and every configuration reuses them (every run frees all its blocks). Each
 * heap has 64 KiB: two windows of 16 blocks of at most 256 B never fill it.
 * A failed allocation is counted and reported; at the end the heaps'
 * statistics (registry) must show no live block, no failed allocation and no
 * fault, and omniheap_heap_validate() must pass.
 *
 * Every configuration runs for a fixed time budget (default 1 s); the five
 * configurations are run in turn, REPS times (default 3), and the median of
 * the REPS figures is reported. Absolute figures depend on the machine and
 * its load; the ratios of the medians measured in one run are the results:
 * separate 2T/1T (2.0 would be perfect scaling; compare with spin 2T/1T),
 * shared 2T/1T, separate/shared. The medians of the same ratios taken per
 * repetition (configurations a fraction of a second apart) are printed too,
 * as a check against load that changes during the run.
 *
 *   emh_contended [seconds-per-run [reps [csv-path]]]
 *
 * CSV (default build/bench/emh_contended.csv; its directory is created):
 *   metric,config,threads,rep,value
 *   pairs_per_s,<1T|separate|shared|spin1T|spin2T>,<1|2>,<rep>,<value>  every run
 *       (spin: loop iterations per second)
 *   pairs_per_s_median,<config>,<threads>,,<value>
 *   failed_allocations,<config>,<threads>,,<count over all runs>
 *   scaling_separate_2T_over_1T,,,,<value>        ratios of the medians
 *   scaling_shared_2T_over_1T,,,,<value>
 *   ratio_separate_over_shared,,,,<value>
 *   scaling_spin_2T_over_1T,,,,<value>
 *   <the same four metrics>_per_rep_median,,,,<value>
 *   Exit status 1 if an allocation failed or a heap check did not pass.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "emh_malloc.h"
#include "omniheap.h"

#include "contended.h"

#define SEQ 1024u   /* sizes in the sequence (a power of two) */
#define WINDOW 16u  /* live blocks per thread */
#define CHUNK 256u  /* iterations between two looks at the stop flag */
#define MAX_THREADS 2
#define MAX_REPS BENCH_MAX_REPS
#define HEAP_BYTES (64u * 1024u)
#define N_HEAPS 2

enum config { ONE, SEPARATE, SHARED, SPIN1, SPIN2, CONFIGS };
static const char *const config_name[CONFIGS] = {"1T", "separate", "shared", "spin1T", "spin2T"};
static const unsigned config_threads[CONFIGS] = {1, 2, 2, 1, 2};

static uint16_t sizes[SEQ];
static uint64_t heap_mem[N_HEAPS][HEAP_BYTES / 8] __attribute__((aligned(64)));
static emh_heapId_t heap_id[N_HEAPS];

static atomic_int go;   /* 1: start */
static atomic_int stop; /* 1: stop at the next chunk boundary */

struct worker {
  emh_heapId_t heap; /* -1: spin (no allocator) */
  unsigned id;
  uint64_t pairs;
  uint64_t failed;
  unsigned checksum;
  pthread_t thread;
};

/* The machine reference: the loop of work() without the allocator. */
static void *spin(struct worker *w) {
  uint32_t x = 0x9E3779B9u + w->id;
  uint64_t pairs = 0;
  unsigned i;
  while (!atomic_load_explicit(&go, memory_order_acquire)) {
  }
  while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
    for (i = 0; i < CHUNK; ++i) {
      x ^= x << 13;
      x ^= x >> 17;
      x ^= x << 5;
    }
    pairs += CHUNK;
  }
  w->pairs = pairs;
  w->checksum = x;
  return NULL;
}

static void *work(void *arg) {
  struct worker *w = arg;
  const emh_heapId_t heap = w->heap;
  unsigned char *live[WINDOW];
  unsigned next = w->id * (SEQ / MAX_THREADS); /* position in the size sequence */
  unsigned oldest = 0, i;
  uint64_t pairs = 0, failed = 0;
  unsigned sum = 0;
  if (heap < 0) return spin(w);
  for (i = 0; i < WINDOW; ++i) {
    live[i] = emh_malloc(heap, sizes[next++ & (SEQ - 1u)]);
    if (live[i] != NULL) {
      live[i][0] = (unsigned char)i;
    } else {
      ++failed;
    }
  }
  while (!atomic_load_explicit(&go, memory_order_acquire)) {
  }
  while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
    for (i = 0; i < CHUNK; ++i) {
      unsigned char *p = live[oldest];
      if (p != NULL) {
        sum += p[0];
        emh_free(p);
      }
      p = emh_malloc(heap, sizes[next++ & (SEQ - 1u)]);
      if (p != NULL) {
        p[0] = (unsigned char)next;
      } else {
        ++failed;
      }
      live[oldest] = p;
      oldest = (oldest + 1u) % WINDOW;
    }
    pairs += CHUNK;
  }
  for (i = 0; i < WINDOW; ++i) {
    if (live[i] != NULL) {
      sum += live[i][0];
      emh_free(live[i]);
    }
  }
  w->pairs = pairs;
  w->failed = failed;
  w->checksum = sum;
  return NULL;
}

/* One timed run: pairs per second over all threads. */
static double run(enum config c, double seconds, uint64_t *failed, unsigned *sum) {
  struct worker w[MAX_THREADS];
  double t0, t1;
  uint64_t pairs = 0;
  unsigned i, threads = config_threads[c];
  atomic_store(&go, 0);
  atomic_store(&stop, 0);
  for (i = 0; i < threads; ++i) {
    memset(&w[i], 0, sizeof w[i]);
    w[i].heap = c == SEPARATE ? heap_id[i] : c == SPIN1 || c == SPIN2 ? -1 : heap_id[0];
    w[i].id = i;
    if (pthread_create(&w[i].thread, NULL, work, &w[i]) != 0) {
      fprintf(stderr, "emh_contended: pthread_create failed\n");
      exit(2);
    }
  }
  t0 = timed_window(seconds, &go, &stop);
  for (i = 0; i < threads; ++i) {
    pthread_join(w[i].thread, NULL);
    pairs += w[i].pairs;
    *failed += w[i].failed;
    *sum += w[i].checksum;
  }
  t1 = now_s();
  return (double)pairs / (t1 - t0);
}

/* After all runs: the heap's registry view. 0 if it is empty, valid, and
 * has seen no failed allocation and no fault. */
static int check_heap(emh_heapId_t id) {
  char name[8];
  omniheap_stats_t st = OMNIHEAP_STATS_INIT;
  omniheap_heap_t *h;
  int v;
  snprintf(name, sizeof name, "emh%d", (int)id);
  h = omniheap_heap_find_name(name);
  if (h == NULL || omniheap_heap_stats(h, &st) != OMNIHEAP_OK) {
    printf("  %s: not found in the registry\n", name);
    return 1;
  }
  v = omniheap_heap_validate(h);
  printf("  %s: %llu allocations, %llu frees, %llu failed, %llu faults, %lu live blocks, peak %lu of %lu B, "
         "validate %s\n",
         name, (unsigned long long)st.allocations, (unsigned long long)st.frees,
         (unsigned long long)st.failed_allocations, (unsigned long long)st.faults, (unsigned long)st.live_blocks,
         (unsigned long)st.peak, (unsigned long)st.capacity, v == OMNIHEAP_OK ? "ok" : "FAILED");
  return v != OMNIHEAP_OK || st.live_blocks != 0u || st.failed_allocations != 0u || st.faults != 0u;
}

/* The four ratios: num / den of the configurations. */
enum ratio { R_SEPARATE, R_SHARED, R_SEP_SHARED, R_SPIN, RATIOS };
static const char *const ratio_name[RATIOS] = {"scaling_separate_2T_over_1T", "scaling_shared_2T_over_1T",
                                               "ratio_separate_over_shared", "scaling_spin_2T_over_1T"};
static const enum config ratio_num[RATIOS] = {SEPARATE, SHARED, SEPARATE, SPIN2};
static const enum config ratio_den[RATIOS] = {ONE, ONE, SHARED, SPIN1};

int main(int argc, char **argv) {
  double seconds = argc > 1 ? atof(argv[1]) : 1.0;
  int reps = argc > 2 ? atoi(argv[2]) : 3;
  const char *csv_path = argc > 3 ? argv[3] : "build/bench/emh_contended.csv";
  double rate[CONFIGS][MAX_REPS], per_rep[RATIOS][MAX_REPS];
  double med[CONFIGS], ratio[RATIOS], ratio_rep[RATIOS];
  uint64_t failed[CONFIGS], failed_total = 0;
  unsigned sum = 0, i, c, q;
  uint32_t x = 0x12345678u;
  int r, bad = 0;
  FILE *csv;

  if (seconds <= 0.0 || reps < 1 || reps > MAX_REPS) {
    fprintf(stderr, "usage: %s [seconds-per-run > 0 [reps 1..%d [csv-path]]]\n", argv[0], MAX_REPS);
    return 2;
  }
  if (EMH_MALLOC_N_HEAPS < N_HEAPS) {
    fprintf(stderr, "emh_contended: the library has %d emh heap(s), 2 are needed\n", (int)EMH_MALLOC_N_HEAPS);
    return 2;
  }
  for (i = 0; i < SEQ; ++i) { /* xorshift32: 16..256 bytes */
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    sizes[i] = (uint16_t)(16u + x % 241u);
  }
  /* Created once: a heap cannot be destroyed, and the build has only 2. */
  for (i = 0; i < N_HEAPS; ++i) {
    heap_id[i] = emh_create(heap_mem[i], sizeof heap_mem[i]);
    if (heap_id[i] < 0) {
      fprintf(stderr, "emh_contended: emh_create of heap %u failed\n", i);
      return 2;
    }
  }
  memset(failed, 0, sizeof failed);

  /* The configurations in turn, so that a change of machine load touches all. */
  for (r = 0; r < reps; ++r) {
    for (c = 0; c < CONFIGS; ++c) rate[c][r] = run((enum config)c, seconds, &failed[c], &sum);
    for (q = 0; q < RATIOS; ++q) per_rep[q][r] = rate[ratio_num[q]][r] / rate[ratio_den[q]][r];
  }
  for (c = 0; c < CONFIGS; ++c) {
    med[c] = median(rate[c], (unsigned)reps);
    failed_total += failed[c];
  }
  for (q = 0; q < RATIOS; ++q) {
    ratio[q] = med[ratio_num[q]] / med[ratio_den[q]];
    ratio_rep[q] = median(per_rep[q], (unsigned)reps);
  }

  printf("emh contended: emh_malloc+emh_free pairs per second; sizes 16..256 B, 16 live blocks per thread;\n");
  printf("%.2f s per run, median of %d; 1T: heap 0; separate: thread i on heap i; shared: both on heap 0\n",
         seconds, reps);
  printf("  %-34s %16s\n", "", "pairs/s");
  printf("  %-34s %16.0f\n", "1 thread (heap 0)", med[ONE]);
  printf("  %-34s %16.0f\n", "2 threads, separate heaps (0, 1)", med[SEPARATE]);
  printf("  %-34s %16.0f\n", "2 threads, shared heap (0)", med[SHARED]);
  printf("  %-34s %16s %16s\n", "", "ratio of medians", "per-rep median");
  printf("  %-34s %15.2fx %15.2fx\n", "separate 2T/1T", ratio[R_SEPARATE], ratio_rep[R_SEPARATE]);
  printf("  %-34s %15.2fx %15.2fx\n", "shared 2T/1T", ratio[R_SHARED], ratio_rep[R_SHARED]);
  printf("  %-34s %15.2fx %15.2fx\n", "separate/shared", ratio[R_SEP_SHARED], ratio_rep[R_SEP_SHARED]);
  printf("  %-34s %15.2fx %15.2fx\n", "machine: spin 2T/1T (no allocator)", ratio[R_SPIN], ratio_rep[R_SPIN]);
  printf("  failed allocations: %llu (1T %llu, separate %llu, shared %llu)\n", (unsigned long long)failed_total,
         (unsigned long long)failed[ONE], (unsigned long long)failed[SEPARATE], (unsigned long long)failed[SHARED]);
  for (i = 0; i < N_HEAPS; ++i) bad |= check_heap(heap_id[i]);

  if (make_parent_dirs(csv_path) != 0 || (csv = fopen(csv_path, "w")) == NULL) {
    fprintf(stderr, "emh_contended: cannot write %s: %s\n", csv_path, strerror(errno));
    return 1;
  }
  fprintf(csv, "metric,config,threads,rep,value\n");
  for (c = 0; c < CONFIGS; ++c) {
    for (r = 0; r < reps; ++r) {
      fprintf(csv, "pairs_per_s,%s,%u,%d,%.0f\n", config_name[c], config_threads[c], r + 1, rate[c][r]);
    }
    fprintf(csv, "pairs_per_s_median,%s,%u,,%.0f\n", config_name[c], config_threads[c], med[c]);
    if (c != SPIN1 && c != SPIN2) {
      fprintf(csv, "failed_allocations,%s,%u,,%llu\n", config_name[c], config_threads[c],
              (unsigned long long)failed[c]);
    }
  }
  for (q = 0; q < RATIOS; ++q) fprintf(csv, "%s,,,,%.3f\n", ratio_name[q], ratio[q]);
  for (q = 0; q < RATIOS; ++q) fprintf(csv, "%s_per_rep_median,,,,%.3f\n", ratio_name[q], ratio_rep[q]);
  fclose(csv);
  printf("written: %s (checksum %u)\n", csv_path, sum & 0xFFu);
  return failed_total != 0u || bad ? 1 : 0;
}
