/*
 * k_heap_contended — throughput of alloc/free pairs on ONE shared k_heap
 * (k_heap_alloc(K_NO_WAIT) / k_heap_free) with 1 and with 2 threads, and of
 * glibc malloc/free with 1 and 2 threads, in the same run and with the same
 * workload.
 *
 * Workload, per thread: sizes from a fixed pseudo-random sequence of 1024
 * values in 16..256 bytes (the same sequence for every subject; each thread
 * starts at another offset); a window of 16 live blocks: each iteration frees
 * the oldest block and allocates a new one (one pair). One byte of every
 * block is written at allocation and read back at free, so that no compiler
 * can drop a pair. The k_heap is 64 KiB: two threads never fill it (a failed
 * allocation is counted and reported).
 *
 * Every configuration runs for a fixed time budget (default 1 s); the four
 * configurations are run in turn, REPS times (default 3), and the median of
 * the REPS figures is reported. Absolute figures depend on the machine and
 * its load; the ratios k_heap/glibc and 2T/1T measured in one run are the
 * results.
 *
 *   k_heap_contended [seconds-per-run [reps [csv-path]]]
 *
 * CSV (default build/bench/k_heap_contended.csv; its directory is created):
 *   metric,subject,threads,rep,value
 *   pairs_per_s,<k_heap|glibc>,<1|2>,<rep>,<value>       every run
 *   pairs_per_s_median,<k_heap|glibc>,<1|2>,,<value>
 *   ratio_k_heap_over_glibc,,<1|2>,,<value>
 *   scaling_2T_over_1T,<k_heap|glibc>,,,<value>
 *   failed_allocations,<k_heap|glibc>,<1|2>,,<count over all runs>
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

#include <zephyr/kernel.h>

#include "contended.h"

#define SEQ 1024u   /* sizes in the sequence (a power of two) */
#define WINDOW 16u  /* live blocks per thread */
#define CHUNK 256u  /* iterations between two looks at the stop flag */
#define MAX_THREADS 2
#define MAX_REPS BENCH_MAX_REPS
#define HEAP_BYTES (64u * 1024u)

enum subject { K_HEAP, GLIBC, SUBJECTS };
static const char *const subject_name[SUBJECTS] = {"k_heap", "glibc"};

static uint16_t sizes[SEQ];
static uint64_t heap_mem[HEAP_BYTES / 8];
static struct k_heap shared_heap;

static atomic_int go;   /* 1: start */
static atomic_int stop; /* 1: stop at the next chunk boundary */

struct worker {
  enum subject subject;
  unsigned id;
  uint64_t pairs;
  uint64_t failed;
  unsigned checksum;
  pthread_t thread;
};

static void *allocate(enum subject s, size_t bytes) {
  return s == K_HEAP ? k_heap_alloc(&shared_heap, bytes, K_NO_WAIT) : malloc(bytes);
}

static void release(enum subject s, void *p) {
  if (s == K_HEAP) {
    k_heap_free(&shared_heap, p);
  } else {
    free(p);
  }
}

static void *work(void *arg) {
  struct worker *w = arg;
  unsigned char *live[WINDOW];
  unsigned next = w->id * (SEQ / MAX_THREADS); /* position in the size sequence */
  unsigned oldest = 0, i;
  uint64_t pairs = 0, failed = 0;
  unsigned sum = 0;
  for (i = 0; i < WINDOW; ++i) {
    live[i] = allocate(w->subject, sizes[next++ & (SEQ - 1u)]);
    if (live[i] != NULL) live[i][0] = (unsigned char)i;
  }
  while (!atomic_load_explicit(&go, memory_order_acquire)) {
  }
  while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
    for (i = 0; i < CHUNK; ++i) {
      unsigned char *p = live[oldest];
      if (p != NULL) {
        sum += p[0];
        release(w->subject, p);
      }
      p = allocate(w->subject, sizes[next++ & (SEQ - 1u)]);
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
      release(w->subject, live[i]);
    }
  }
  w->pairs = pairs;
  w->failed = failed;
  w->checksum = sum;
  return NULL;
}

/* One timed run: pairs per second over all threads. */
static double run(enum subject s, unsigned threads, double seconds, uint64_t *failed, unsigned *sum) {
  struct worker w[MAX_THREADS];
  double t0, t1;
  uint64_t pairs = 0;
  unsigned i;
  atomic_store(&go, 0);
  atomic_store(&stop, 0);
  for (i = 0; i < threads; ++i) {
    memset(&w[i], 0, sizeof w[i]);
    w[i].subject = s;
    w[i].id = i;
    if (pthread_create(&w[i].thread, NULL, work, &w[i]) != 0) {
      fprintf(stderr, "k_heap_contended: pthread_create failed\n");
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

int main(int argc, char **argv) {
  double seconds = argc > 1 ? atof(argv[1]) : 1.0;
  int reps = argc > 2 ? atoi(argv[2]) : 3;
  const char *csv_path = argc > 3 ? argv[3] : "build/bench/k_heap_contended.csv";
  double rate[SUBJECTS][MAX_THREADS + 1][MAX_REPS];
  double med[SUBJECTS][MAX_THREADS + 1];
  uint64_t failed[SUBJECTS][MAX_THREADS + 1];
  unsigned sum = 0, i, s, t;
  uint32_t x = 0x12345678u;
  FILE *csv;
  int r;

  if (seconds <= 0.0 || reps < 1 || reps > MAX_REPS) {
    fprintf(stderr, "usage: %s [seconds-per-run > 0 [reps 1..%d [csv-path]]]\n", argv[0], MAX_REPS);
    return 2;
  }
  for (i = 0; i < SEQ; ++i) { /* xorshift32: 16..256 bytes */
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    sizes[i] = (uint16_t)(16u + x % 241u);
  }
  k_heap_init(&shared_heap, heap_mem, sizeof heap_mem);
  memset(failed, 0, sizeof failed);

  /* The configurations in turn, so that a change of machine load touches all. */
  for (r = 0; r < reps; ++r) {
    for (t = 1; t <= MAX_THREADS; ++t) {
      for (s = 0; s < SUBJECTS; ++s) {
        rate[s][t][r] = run((enum subject)s, t, seconds, &failed[s][t], &sum);
      }
    }
  }
  for (s = 0; s < SUBJECTS; ++s) {
    for (t = 1; t <= MAX_THREADS; ++t) med[s][t] = median(rate[s][t], (unsigned)reps);
  }

  printf("k_heap contended: alloc+free pairs per second, one shared k_heap (K_NO_WAIT) vs glibc\n");
  printf("malloc/free; sizes 16..256 B, 16 live blocks per thread; %.2f s per run, median of %d\n",
         seconds, reps);
  printf("  %-10s %16s %16s %10s\n", "", "1 thread", "2 threads", "2T/1T");
  for (s = 0; s < SUBJECTS; ++s) {
    printf("  %-10s %16.0f %16.0f %9.2fx\n", subject_name[s], med[s][1], med[s][2], med[s][2] / med[s][1]);
  }
  printf("  %-10s %15.2fx %15.2fx\n", "k_heap/glibc", med[K_HEAP][1] / med[GLIBC][1],
         med[K_HEAP][2] / med[GLIBC][2]);
  for (s = 0; s < SUBJECTS; ++s) {
    if (failed[s][1] + failed[s][2] != 0) {
      printf("  %s: %llu failed allocations\n", subject_name[s],
             (unsigned long long)(failed[s][1] + failed[s][2]));
    }
  }

  if (make_parent_dirs(csv_path) != 0 || (csv = fopen(csv_path, "w")) == NULL) {
    fprintf(stderr, "k_heap_contended: cannot write %s: %s\n", csv_path, strerror(errno));
    return 1;
  }
  fprintf(csv, "metric,subject,threads,rep,value\n");
  for (s = 0; s < SUBJECTS; ++s) {
    for (t = 1; t <= MAX_THREADS; ++t) {
      for (r = 0; r < reps; ++r) {
        fprintf(csv, "pairs_per_s,%s,%u,%d,%.0f\n", subject_name[s], t, r + 1, rate[s][t][r]);
      }
      fprintf(csv, "pairs_per_s_median,%s,%u,,%.0f\n", subject_name[s], t, med[s][t]);
      fprintf(csv, "failed_allocations,%s,%u,,%llu\n", subject_name[s], t,
              (unsigned long long)failed[s][t]);
    }
  }
  for (t = 1; t <= MAX_THREADS; ++t) {
    fprintf(csv, "ratio_k_heap_over_glibc,,%u,,%.3f\n", t, med[K_HEAP][t] / med[GLIBC][t]);
  }
  for (s = 0; s < SUBJECTS; ++s) {
    fprintf(csv, "scaling_2T_over_1T,%s,,,%.3f\n", subject_name[s], med[s][2] / med[s][1]);
  }
  fclose(csv);
  printf("written: %s (checksum %u)\n", csv_path, sum & 0xFFu);
  return 0;
}
