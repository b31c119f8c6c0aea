/*
 * Per-call instruction counts with perf_event_open + rdpmc (x86-64 Linux).
 * pmc_open() maps a user-space-readable "instructions retired" counter for
 * this thread; pmc_read() reads it with one rdpmc. If the kernel or the
 * machine refuses, pmc_open() returns 0 and callers fall back to callgrind.
 */
#ifndef OH_BENCH_PMC_H
#define OH_BENCH_PMC_H

#define _GNU_SOURCE 1
#include <linux/perf_event.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

struct pmc {
  int fd;
  volatile struct perf_event_mmap_page *page;
};

static inline int pmc_open(struct pmc *p) {
  struct perf_event_attr attr;
  memset(&attr, 0, sizeof attr);
  attr.type = PERF_TYPE_HARDWARE;
  attr.size = sizeof attr;
  attr.config = PERF_COUNT_HW_INSTRUCTIONS;
  attr.exclude_kernel = 1;
  attr.exclude_hv = 1;
  p->fd = (int)syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0);
  if (p->fd < 0) return 0;
  p->page = (volatile struct perf_event_mmap_page *)mmap(NULL, (size_t)sysconf(_SC_PAGESIZE),
                                                         PROT_READ, MAP_SHARED, p->fd, 0);
  if (p->page == MAP_FAILED) {
    close(p->fd);
    return 0;
  }
  if (!p->page->cap_user_rdpmc || p->page->index == 0) {
    munmap((void *)p->page, (size_t)sysconf(_SC_PAGESIZE));
    close(p->fd);
    return 0;
  }
  return 1;
}

/* Raw counter value; differences of two reads count the instructions in
 * between (plus a small constant overhead measured by pmc_overhead()). */
static inline uint64_t pmc_read(const struct pmc *p) {
  uint32_t lo, hi;
  uint32_t index = p->page->index - 1;
  __asm__ volatile("rdpmc" : "=a"(lo), "=d"(hi) : "c"(index));
  return ((uint64_t)hi << 32) | lo;
}

#endif
