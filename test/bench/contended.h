/* Shared by the contended-throughput benches (k_heap_contended.c,
 * emh_contended.c): the clock, the timed window every configuration runs
 * in, the median of the repetitions and the CSV directory. Header-only:
 * each bench is one C file. */
#ifndef OH_BENCH_CONTENDED_H
#define OH_BENCH_CONTENDED_H

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define BENCH_MAX_REPS 15

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The workers (created, waiting for `go`) run for `seconds`: raises `go`,
 * sleeps, raises `stop`. Returns the time `go` was raised; the caller joins
 * the workers and divides by now_s() minus it. */
static double timed_window(double seconds, atomic_int *go, atomic_int *stop) {
  struct timespec budget;
  double t0;
  budget.tv_sec = (time_t)seconds;
  budget.tv_nsec = (long)((seconds - (double)budget.tv_sec) * 1e9);
  t0 = now_s();
  atomic_store_explicit(go, 1, memory_order_release);
  while (nanosleep(&budget, &budget) != 0 && errno == EINTR) {
  }
  atomic_store_explicit(stop, 1, memory_order_relaxed);
  return t0;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Median of n <= BENCH_MAX_REPS values. */
static double median(const double *v, unsigned n) {
  double s[BENCH_MAX_REPS];
  memcpy(s, v, n * sizeof *v);
  qsort(s, n, sizeof *s, cmp_double);
  return n % 2u ? s[n / 2u] : (s[n / 2u - 1u] + s[n / 2u]) / 2.0;
}

/* mkdir -p of the directory part of `path`. */
static int make_parent_dirs(const char *path) {
  char dir[512];
  size_t i, n = strlen(path);
  if (n >= sizeof dir) return -1;
  memcpy(dir, path, n + 1u);
  for (i = 1; i < n; ++i) {
    if (dir[i] != '/') continue;
    dir[i] = '\0';
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) return -1;
    dir[i] = '/';
  }
  return 0;
}

#endif
