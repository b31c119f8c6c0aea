/*
 * Zephyr k_heap and system heap (<zephyr/kernel.h>) from threads, run under
 * ThreadSanitizer by `make test` (locked-tsan build) and in the plain host
 * build:
 *  - a panic on misuse: a double free (and an alignment of 7) kills a forked
 *    child with SIGABRT when no fault handler is installed;
 *  - blocking allocation: K_FOREVER waiters are woken by a free and get the
 *    block (and only one waiter per freed block); K_MSEC timeouts expire no
 *    earlier than asked, are not restarted by frees that do not help, and are
 *    cut short by a free that does;
 *  - many threads hammering one k_heap with blocking alloc / aligned_alloc /
 *    calloc and frees: blocks never overlap, contents survive, every block is
 *    freed once, the heap validates and its statistics return to empty;
 *  - the system heap (k_malloc family) from several threads;
 *  - a K_HEAP_DEFINE heap, and a statically initialised heap first used by
 *    several threads at once, with no init call;
 *  - k_heap_realloc with timeouts from threads.
 *
 * Timing checks use CLOCK_MONOTONIC, the posix port's clock. The whole
 * program takes a few seconds under TSan on two cores. A watchdog fails a
 * case that runs for more than CASE_LIMIT_S seconds (a waiter never woken,
 * a lost lock) and ends the program with the closing line, so that a hang
 * never stalls `make test`.
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <zephyr/kernel.h>

#include "oh_test.h"
#include "omniheap.h"

/* ---- helpers ------------------------------------------------------------------ */

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

#define MS(n) ((int64_t)(n) * 1000000)

static void sleep_ms(unsigned ms) {
  struct timespec ts;
  ts.tv_sec = (time_t)(ms / 1000u);
  ts.tv_nsec = (long)(ms % 1000u) * 1000000L;
  while (nanosleep(&ts, &ts) != 0) {
  }
}

static uint32_t next_random(uint32_t *state) {
  *state ^= *state << 13;
  *state ^= *state >> 17;
  *state ^= *state << 5;
  return *state;
}

static void note(const char *fmt, long long a, long long b, long long c, long long d) {
  char text[200];
  snprintf(text, sizeof text, fmt, a, b, c, d);
  oh_test_note(text);
}

/* ---- watchdog ------------------------------------------------------------------- */

#define CASE_LIMIT_S 15
static _Atomic(const char *) current_case;
static atomic_llong case_deadline_ns; /* 0: no case running */
static atomic_uint cases_passed, cases_failed;

static void *watchdog_main(void *arg) {
  (void)arg;
  for (;;) {
    long long deadline;
    sleep_ms(100);
    deadline = atomic_load(&case_deadline_ns);
    if (deadline != 0 && now_ns() > deadline) {
      /* The main thread is stuck (in a join): it prints nothing meanwhile. */
      printf("FAIL %s (still running after %d s: a thread is stuck in the heap)\n",
             atomic_load(&current_case), CASE_LIMIT_S);
      printf("%u passed, %u failed\n", atomic_load(&cases_passed), atomic_load(&cases_failed) + 1u);
      fflush(stdout);
      _exit(1);
    }
  }
  return NULL;
}

static void start_watchdog(void) {
  pthread_t t;
  if (pthread_create(&t, NULL, watchdog_main, NULL) == 0) pthread_detach(t);
}

/* OH_RUN under the watchdog (the harness's own closing line is used when
 * nothing hangs). */
static void run_case(const char *name, oh_test_fn fn) {
  atomic_store(&current_case, name);
  atomic_store(&case_deadline_ns, (long long)(now_ns() + (int64_t)CASE_LIMIT_S * 1000000000));
  oh_test_run(name, fn);
  atomic_store(&case_deadline_ns, 0);
  if (oh_test_case_failures() == 0) {
    atomic_fetch_add(&cases_passed, 1u);
  } else {
    atomic_fetch_add(&cases_failed, 1u);
  }
}
#define RUN(fn) run_case(#fn, fn)

/* Callers blocked in an allocation of `h` right now (kernel.h: read under the lock). */
static unsigned waiters_of(struct k_heap *h) {
  k_spinlock_key_t key = k_spin_lock(&h->lock);
  unsigned n = h->wait_q.waiters;
  k_spin_unlock(&h->lock, key);
  return n;
}

static size_t allocated_bytes(struct k_heap *h) {
  struct sys_memory_stats st;
  memset(&st, 0, sizeof st);
  if (sys_heap_runtime_stats_get(&h->heap, &st) != 0) return (size_t)-1;
  return st.allocated_bytes;
}

static int inside(const void *p, size_t bytes, const void *mem, size_t mem_bytes) {
  uintptr_t a = (uintptr_t)p, lo = (uintptr_t)mem;
  return a >= lo && a + bytes <= lo + mem_bytes;
}

/* One heap object for the directed cases, initialised again by each
 * (its registry handle and sys_heap array slot stay the same). */
#define KH_BYTES 2048
static uint64_t kh_mem[KH_BYTES / 8];
static struct k_heap kh;
#define FILL_SIZE 64
#define FILL_MAX (KH_BYTES / 8)

/* Initialises kh, returns its allocated bytes when empty. */
static size_t kh_init(void) {
  k_heap_init(&kh, kh_mem, sizeof kh_mem);
  return allocated_bytes(&kh);
}

/* Allocates FILL_SIZE-byte blocks with K_NO_WAIT until the heap is full. */
static unsigned fill(struct k_heap *h, void **blocks, unsigned max) {
  unsigned n = 0;
  while (n < max) {
    void *p = k_heap_alloc(h, FILL_SIZE, K_NO_WAIT);
    if (p == NULL) break;
    memset(p, 0x5A, FILL_SIZE);
    blocks[n++] = p;
  }
  return n;
}

static void free_all(struct k_heap *h, void **blocks, unsigned n) {
  unsigned i;
  for (i = 0; i < n; ++i) k_heap_free(h, blocks[i]);
}

/* A thread that makes one blocking call and records when. */
enum call { CALL_ALLOC, CALL_REALLOC };
struct waiter {
  struct k_heap *h;
  enum call call;
  void *ptr; /* realloc: the block */
  size_t bytes;
  k_timeout_t timeout;
  void *result;
  int64_t t_start, t_end;
  atomic_int started, done;
};

static void *waiter_main(void *arg) {
  struct waiter *w = arg;
  void *r;
  w->t_start = now_ns();
  atomic_store(&w->started, 1);
  if (w->call == CALL_ALLOC) {
    r = k_heap_alloc(w->h, w->bytes, w->timeout);
  } else {
    r = k_heap_realloc(w->h, w->ptr, w->bytes, w->timeout);
  }
  w->result = r;
  w->t_end = now_ns();
  atomic_store(&w->done, 1);
  return NULL;
}

static int start_waiter(pthread_t *t, struct waiter *w, struct k_heap *h, enum call call, void *ptr,
                        size_t bytes, k_timeout_t timeout) {
  w->h = h;
  w->call = call;
  w->ptr = ptr;
  w->bytes = bytes;
  w->timeout = timeout;
  w->result = NULL;
  w->t_start = w->t_end = 0;
  atomic_init(&w->started, 0);
  atomic_init(&w->done, 0);
  if (pthread_create(t, NULL, waiter_main, w) != 0) return 0;
  while (!atomic_load(&w->started)) sleep_ms(1);
  return 1;
}

/* Waits up to `ms` for `n` callers to be blocked on `h`. */
static unsigned wait_waiters(struct k_heap *h, unsigned n, unsigned ms) {
  unsigned i;
  for (i = 0; i < ms && waiters_of(h) != n; ++i) sleep_ms(1);
  return waiters_of(h);
}

/* ---- (h) misuse panics: forked children, before any thread exists -------------- */

/* An alignment that is neither a power of two nor Zephyr's rewind encoding
 * (a power of two plus a smaller one): 7 = 1 + 6. (3 = 1 + 2 is a valid
 * rewind encoding, so it is not used here.) */
#define BAD_ALIGN 7
enum misuse { DOUBLE_FREE, BAD_ALIGNMENT };

/* Runs the misuse in a child; returns its wait status. */
static int run_child(enum misuse what) {
  pid_t pid;
  int status = 0;
  fflush(stdout); /* the child must not write the parent's buffered output again */
  fflush(stderr);
  pid = fork();
  if (pid == 0) {
    static uint64_t mem[512];
    static struct k_heap child_heap;
    void *p;
    alarm(10); /* a child that hangs dies by SIGALRM: a failure, not a stall */
    k_heap_init(&child_heap, mem, sizeof mem);
    if (what == DOUBLE_FREE) {
      p = k_heap_alloc(&child_heap, 32, K_NO_WAIT);
      if (p == NULL) _exit(3);
      k_heap_free(&child_heap, p);
      k_heap_free(&child_heap, p); /* must panic: abort() */
    } else {
      (void)k_heap_aligned_alloc(&child_heap, BAD_ALIGN, 32, K_NO_WAIT); /* must panic */
    }
    _exit(0); /* survived */
  }
  if (pid < 0) return -1;
  while (waitpid(pid, &status, 0) < 0) {
  }
  return status;
}

static void test_misuse_panics_by_default(void) {
  int status;
  oh_test_note("two forked children report a fault on stderr, then abort (expected)");
  status = run_child(DOUBLE_FREE);
  OH_REQUIRE(status != -1);
  OH_CHECK(WIFSIGNALED(status));
  if (WIFSIGNALED(status)) OH_CHECK_EQ_INT(WTERMSIG(status), SIGABRT);
  if (WIFEXITED(status)) note("double-free child exited with status %lld", WEXITSTATUS(status), 0, 0, 0);
  status = run_child(BAD_ALIGNMENT);
  OH_REQUIRE(status != -1);
  OH_CHECK(WIFSIGNALED(status));
  if (WIFSIGNALED(status)) OH_CHECK_EQ_INT(WTERMSIG(status), SIGABRT);
  if (WIFEXITED(status)) note("bad-alignment child exited with status %lld", WEXITSTATUS(status), 0, 0, 0);
}

/* ---- (a) K_FOREVER waiters woken by frees ---------------------------------------- */

static void test_forever_waiter_woken_by_free(void) {
  void *blocks[FILL_MAX];
  size_t empty = kh_init();
  unsigned n = fill(&kh, blocks, FILL_MAX);
  struct waiter w1, w2;
  pthread_t t1, t2;
  int64_t t_free;
  OH_REQUIRE(n >= 8);
  OH_REQUIRE(k_heap_alloc(&kh, FILL_SIZE, K_NO_WAIT) == NULL);

  /* One waiter, one free. */
  OH_REQUIRE(start_waiter(&t1, &w1, &kh, CALL_ALLOC, NULL, FILL_SIZE, K_FOREVER));
  sleep_ms(50);
  OH_CHECK(!atomic_load(&w1.done)); /* it is blocked */
  OH_CHECK_EQ_INT(wait_waiters(&kh, 1, 2000), 1);
  t_free = now_ns();
  k_heap_free(&kh, blocks[n / 2]);
  pthread_join(t1, NULL);
  OH_CHECK_NE_PTR(w1.result, NULL);
  OH_CHECK(w1.t_end >= t_free);
  OH_CHECK(w1.t_end - w1.t_start >= MS(50));
  OH_CHECK_EQ_INT(waiters_of(&kh), 0);
  if (w1.result != NULL) {
    OH_CHECK(inside(w1.result, FILL_SIZE, kh_mem, sizeof kh_mem));
    memset(w1.result, 0xA1, FILL_SIZE);
    blocks[n / 2] = w1.result;
  }

  /* Two waiters, one free: exactly one is served, the other waits on. */
  OH_REQUIRE(start_waiter(&t1, &w1, &kh, CALL_ALLOC, NULL, FILL_SIZE, K_FOREVER));
  OH_REQUIRE(start_waiter(&t2, &w2, &kh, CALL_ALLOC, NULL, FILL_SIZE, K_FOREVER));
  OH_CHECK_EQ_INT(wait_waiters(&kh, 2, 2000), 2);
  OH_CHECK(!atomic_load(&w1.done) && !atomic_load(&w2.done));
  k_heap_free(&kh, blocks[n / 3]);
  {
    unsigned i;
    for (i = 0; i < 2000 && !atomic_load(&w1.done) && !atomic_load(&w2.done); ++i) sleep_ms(1);
  }
  sleep_ms(50); /* time for a wrong second success to show */
  OH_CHECK_EQ_INT(atomic_load(&w1.done) + atomic_load(&w2.done), 1);
  OH_CHECK_EQ_INT(waiters_of(&kh), 1);
  k_heap_free(&kh, blocks[2 * n / 3]);
  pthread_join(t1, NULL);
  pthread_join(t2, NULL);
  OH_CHECK_NE_PTR(w1.result, NULL);
  OH_CHECK_NE_PTR(w2.result, NULL);
  OH_CHECK_NE_PTR(w1.result, w2.result);
  OH_CHECK_EQ_INT(waiters_of(&kh), 0);
  blocks[n / 3] = w1.result;
  blocks[2 * n / 3] = w2.result;

  free_all(&kh, blocks, n);
  OH_CHECK(sys_heap_validate(&kh.heap));
  OH_CHECK_EQ_INT(allocated_bytes(&kh), empty);
}

/* ---- (b) timeouts on a full heap ---------------------------------------------------- */

static void test_timeout_expires_on_full_heap(void) {
  void *blocks[FILL_MAX];
  size_t empty = kh_init();
  unsigned n = fill(&kh, blocks, FILL_MAX);
  int64_t t0, dt;
  void *p;
  OH_REQUIRE(n >= 8);

  t0 = now_ns();
  p = k_heap_alloc(&kh, FILL_SIZE, K_MSEC(50));
  dt = now_ns() - t0;
  OH_CHECK_EQ_PTR(p, NULL);
  OH_CHECK(dt >= MS(50));
  OH_CHECK(dt < MS(2000));
  note("K_MSEC(50) on a full heap returned NULL after %lld us", dt / 1000, 0, 0, 0);

  t0 = now_ns();
  p = k_heap_aligned_alloc(&kh, 64, FILL_SIZE, K_MSEC(20));
  dt = now_ns() - t0;
  OH_CHECK_EQ_PTR(p, NULL);
  OH_CHECK(dt >= MS(20) && dt < MS(2000));

  t0 = now_ns();
  p = k_heap_calloc(&kh, 4, FILL_SIZE / 4, K_MSEC(20));
  dt = now_ns() - t0;
  OH_CHECK_EQ_PTR(p, NULL);
  OH_CHECK(dt >= MS(20) && dt < MS(2000));

  t0 = now_ns();
  p = k_heap_alloc(&kh, FILL_SIZE, K_NO_WAIT);
  dt = now_ns() - t0;
  OH_CHECK_EQ_PTR(p, NULL);
  OH_CHECK(dt < MS(500)); /* does not wait (generous: TSan on a loaded machine) */

  OH_CHECK_EQ_INT(waiters_of(&kh), 0);
  free_all(&kh, blocks, n);
  OH_CHECK(sys_heap_validate(&kh.heap));
  OH_CHECK_EQ_INT(allocated_bytes(&kh), empty);
}

/* Frees that do not satisfy a waiter wake it; it must wait only the time left. */
struct churner {
  struct k_heap *h;
  void *block;
  atomic_int stop;
  unsigned cycles;
  unsigned lost;
};

static void *churn_main(void *arg) {
  struct churner *c = arg;
  int64_t end = now_ns() + MS(3000); /* bounded even if the waiter never returns */
  while (!atomic_load(&c->stop) && now_ns() < end) {
    sleep_ms(5);
    k_heap_free(c->h, c->block);
    c->block = k_heap_alloc(c->h, FILL_SIZE, K_NO_WAIT);
    if (c->block == NULL) {
      ++c->lost;
      break;
    }
    ++c->cycles;
  }
  return NULL;
}

static void test_useless_frees_do_not_extend_timeout(void) {
  void *blocks[FILL_MAX];
  size_t empty = kh_init();
  unsigned n = fill(&kh, blocks, FILL_MAX);
  struct churner c;
  pthread_t t;
  int64_t t0, dt;
  void *p;
  OH_REQUIRE(n >= 8);
  c.h = &kh;
  c.block = blocks[n / 2];
  atomic_init(&c.stop, 0);
  c.cycles = 0;
  c.lost = 0;
  OH_REQUIRE(pthread_create(&t, NULL, churn_main, &c) == 0);
  t0 = now_ns();
  p = k_heap_alloc(&kh, 1024, K_MSEC(100)); /* never fits: at most one 64-byte block is free */
  dt = now_ns() - t0;
  atomic_store(&c.stop, 1);
  pthread_join(t, NULL);
  blocks[n / 2] = c.block;
  OH_CHECK_EQ_PTR(p, NULL);
  OH_CHECK(dt >= MS(100));
  OH_CHECK(dt < MS(2000));
  OH_CHECK(c.cycles >= 3); /* the waiter was woken several times */
  OH_CHECK_EQ_INT(c.lost, 0);
  note("K_MSEC(100) waiter woken by %lld useless frees returned NULL after %lld us", c.cycles,
       dt / 1000, 0, 0);
  if (c.block != NULL) {
    free_all(&kh, blocks, n);
  } else {
    unsigned i;
    for (i = 0; i < n; ++i) {
      if (i != n / 2) k_heap_free(&kh, blocks[i]);
    }
  }
  OH_CHECK(sys_heap_validate(&kh.heap));
  OH_CHECK_EQ_INT(allocated_bytes(&kh), empty);
}

/* ---- (c) a timed waiter served by a free ------------------------------------------- */

static void test_timed_waiter_served_before_deadline(void) {
  void *blocks[FILL_MAX];
  size_t empty = kh_init();
  unsigned n = fill(&kh, blocks, FILL_MAX);
  struct waiter w;
  pthread_t t;
  int64_t t_free;
  OH_REQUIRE(n >= 8);
  OH_REQUIRE(start_waiter(&t, &w, &kh, CALL_ALLOC, NULL, FILL_SIZE, K_MSEC(500)));
  sleep_ms(30);
  OH_CHECK(!atomic_load(&w.done));
  t_free = now_ns();
  k_heap_free(&kh, blocks[0]);
  pthread_join(t, NULL);
  OH_CHECK_NE_PTR(w.result, NULL);
  OH_CHECK(w.t_end >= t_free);
  OH_CHECK(w.t_end - w.t_start >= MS(30));
  OH_CHECK(w.t_end - w.t_start < MS(400)); /* well before the 500 ms deadline */
  note("K_MSEC(500) waiter served %lld us after the free (%lld us after its call)",
       (w.t_end - t_free) / 1000, (w.t_end - w.t_start) / 1000, 0, 0);
  blocks[0] = w.result;
  if (w.result != NULL) free_all(&kh, blocks, n);
  else free_all(&kh, blocks + 1, n - 1);
  OH_CHECK(sys_heap_validate(&kh.heap));
  OH_CHECK_EQ_INT(allocated_bytes(&kh), empty);
}

/* ---- (d)(f) many threads on one heap ------------------------------------------------- */

/* Every block starts with this header; the rest is filled with a byte
 * derived from (owner, seq). */
struct tag {
  uint32_t owner;
  uint32_t seq;
  uint32_t size;
  uint32_t check;
};

#define MIN_SIZE ((uint32_t)sizeof(struct tag))

static unsigned char pattern_byte(uint32_t owner, uint32_t seq) {
  return (unsigned char)((owner * 37u + seq * 11u + 1u) & 0xFFu);
}

static void stamp(void *p, uint32_t owner, uint32_t seq, uint32_t size) {
  struct tag *t = p;
  t->owner = owner;
  t->seq = seq;
  t->size = size;
  t->check = owner ^ seq ^ size ^ 0xC0FFEE00u;
  memset((unsigned char *)p + sizeof *t, pattern_byte(owner, seq), size - sizeof *t);
}

/* Checks the first `size` bytes of a stamped block (`size` may be less than
 * the stamped size: the prefix kept by a realloc). */
static int intact(const void *p, uint32_t owner, uint32_t seq, uint32_t size) {
  const struct tag *t = p;
  const unsigned char *b = (const unsigned char *)p + sizeof *t;
  unsigned char want = pattern_byte(owner, seq);
  uint32_t i;
  if (t->owner != owner || t->seq != seq || t->check != (owner ^ seq ^ t->size ^ 0xC0FFEE00u)) return 0;
  if (size > t->size) return 0;
  for (i = 0; i < size - (uint32_t)sizeof *t; ++i) {
    if (b[i] != want) return 0;
  }
  return 1;
}

#define WINDOW 8

struct hammer {
  struct k_heap *h;
  const void *mem;
  size_t mem_bytes;
  pthread_barrier_t *go;
  unsigned id;
  unsigned ops;
  unsigned max_size;
  k_timeout_t timeout; /* with blocks held; K_FOREVER when holding none */
  /* results */
  unsigned allocs, frees, timeouts, full_seen, errors;
};

struct held {
  void *p;
  uint32_t seq, size;
};

static void *hammer_main(void *arg) {
  struct hammer *w = arg;
  struct held mine[WINDOW];
  unsigned held = 0;
  uint32_t rng = 0x9E3779B9u * (w->id + 1u);
  uint32_t seq = 0;
  unsigned op;
  if (w->go != NULL) pthread_barrier_wait(w->go);
  for (op = 0; op < w->ops; ++op) {
    uint32_t r = next_random(&rng);
    if (held < WINDOW && (held == 0 || (r & 1u))) {
      uint32_t size = MIN_SIZE + (next_random(&rng) % (w->max_size - MIN_SIZE + 1u));
      unsigned kind = (r >> 1) % 3u;
      size_t align = (size_t)16 << ((r >> 3) % 3u);
      k_timeout_t to = held == 0 ? K_FOREVER : w->timeout;
      void *p = NULL;
      if ((r >> 5) & 1u) { /* see whether the heap is full right now */
        p = kind == 1 ? k_heap_aligned_alloc(w->h, align, size, K_NO_WAIT)
                      : kind == 2 ? k_heap_calloc(w->h, 1, size, K_NO_WAIT)
                                  : k_heap_alloc(w->h, size, K_NO_WAIT);
        if (p == NULL) ++w->full_seen;
      }
      if (p == NULL) {
        p = kind == 1 ? k_heap_aligned_alloc(w->h, align, size, to)
                      : kind == 2 ? k_heap_calloc(w->h, 1, size, to)
                                  : k_heap_alloc(w->h, size, to);
      }
      if (p == NULL) {
        if (K_TIMEOUT_EQ(to, K_FOREVER)) ++w->errors;
        ++w->timeouts;
        /* progress: give back the oldest block */
        if (held > 0) {
          if (!intact(mine[0].p, w->id, mine[0].seq, mine[0].size)) ++w->errors;
          k_heap_free(w->h, mine[0].p);
          ++w->frees;
          mine[0] = mine[--held];
        }
        continue;
      }
      ++w->allocs;
      if (!inside(p, size, w->mem, w->mem_bytes)) {
        ++w->errors;
        continue; /* never write outside the heap */
      }
      if (kind == 1 && ((uintptr_t)p & (align - 1u)) != 0) ++w->errors;
      if (kind == 2) {
        uint32_t i;
        for (i = 0; i < size; ++i) {
          if (((unsigned char *)p)[i] != 0) {
            ++w->errors;
            break;
          }
        }
      }
      stamp(p, w->id, ++seq, size);
      mine[held].p = p;
      mine[held].seq = seq;
      mine[held].size = size;
      ++held;
    } else {
      unsigned k = next_random(&rng) % held;
      if (!intact(mine[k].p, w->id, mine[k].seq, mine[k].size)) ++w->errors;
      k_heap_free(w->h, mine[k].p);
      ++w->frees;
      mine[k] = mine[--held];
    }
  }
  while (held > 0) {
    --held;
    if (!intact(mine[held].p, w->id, mine[held].seq, mine[held].size)) ++w->errors;
    k_heap_free(w->h, mine[held].p);
    ++w->frees;
  }
  return NULL;
}

/* Runs `threads` hammer workers on `h`, then checks the heap. */
static void hammer_heap(struct k_heap *h, const void *mem, size_t mem_bytes, unsigned threads,
                        unsigned ops, unsigned max_size, k_timeout_t timeout, size_t empty,
                        const char *what) {
  pthread_t t[16];
  struct hammer w[16];
  pthread_barrier_t go;
  unsigned i, allocs = 0, frees = 0, timeouts = 0, full = 0;
  omniheap_stats_t s0 = OMNIHEAP_STATS_INIT, s1 = OMNIHEAP_STATS_INIT;
  /* A heap not used yet may not be registered yet: then it starts from 0. */
  const omniheap_heap_t *handle = omniheap_heap_find(h);
  int64_t t0 = now_ns();
  if (handle != NULL) OH_CHECK_EQ_INT(omniheap_heap_stats(handle, &s0), OMNIHEAP_OK);
  OH_REQUIRE(threads <= 16);
  OH_REQUIRE(pthread_barrier_init(&go, NULL, threads) == 0);
  for (i = 0; i < threads; ++i) {
    memset(&w[i], 0, sizeof w[i]);
    w[i].h = h;
    w[i].mem = mem;
    w[i].mem_bytes = mem_bytes;
    w[i].go = &go;
    w[i].id = i + 1;
    w[i].ops = ops;
    w[i].max_size = max_size;
    w[i].timeout = timeout;
    OH_REQUIRE(pthread_create(&t[i], NULL, hammer_main, &w[i]) == 0);
  }
  for (i = 0; i < threads; ++i) {
    pthread_join(t[i], NULL);
    OH_CHECK_EQ_INT(w[i].errors, 0);
    OH_CHECK_EQ_INT(w[i].allocs, w[i].frees);
    allocs += w[i].allocs;
    frees += w[i].frees;
    timeouts += w[i].timeouts;
    full += w[i].full_seen;
  }
  pthread_barrier_destroy(&go);
  OH_CHECK_EQ_INT(allocs, frees);
  OH_CHECK(sys_heap_validate(&h->heap));
  OH_CHECK_EQ_INT(allocated_bytes(h), empty);
  OH_CHECK_EQ_INT(waiters_of(h), 0);
  handle = omniheap_heap_find(h);
  OH_CHECK_NE_PTR(handle, NULL);
  if (handle != NULL) {
    OH_CHECK_EQ_INT(omniheap_heap_family(handle), OMNIHEAP_FAMILY_K_HEAP);
    OH_CHECK_EQ_INT(omniheap_heap_stats(handle, &s1), OMNIHEAP_OK);
    OH_CHECK_EQ_INT(omniheap_heap_validate(handle), OMNIHEAP_OK);
    OH_CHECK_EQ_INT(s1.allocations - s0.allocations, allocs);
    OH_CHECK_EQ_INT(s1.frees - s0.frees, frees);
    OH_CHECK_EQ_INT(s1.live_blocks, 0);
    OH_CHECK_EQ_INT(s1.faults - s0.faults, 0);
  }
  {
    char text[200];
    snprintf(text, sizeof text,
             "%s: %u threads, %u allocations (%u found the heap full, %u timed out), %lld ms", what,
             threads, allocs, full, timeouts, (long long)((now_ns() - t0) / 1000000));
    oh_test_note(text);
  }
}

#define D_BYTES 4096
static uint64_t d_mem[D_BYTES / 8];
static struct k_heap d_heap;

static void test_many_threads_hammer_one_heap(void) {
  size_t empty;
  k_heap_init(&d_heap, d_mem, sizeof d_mem);
  empty = allocated_bytes(&d_heap);
  /* 8 threads x up to 8 blocks of 16..256 bytes: about 1.2x the heap at
   * the peak, so allocations block and sometimes time out. */
  hammer_heap(&d_heap, d_mem, sizeof d_mem, 8, 4000, 256, K_MSEC(5), empty, "k_heap");
}

/* (f) A K_HEAP_DEFINE heap: no init call anywhere. 2 KiB, as kh: 4 threads
 * holding up to 8 blocks of 16..256 bytes fill it at times. */
K_HEAP_DEFINE(defined_heap, KH_BYTES);

/* (f) What K_HEAP_DEFINE gives on a compiler without constructors (the same
 * initialiser, no constructor): the heap is initialised by its first use,
 * here by several threads at once. */
static uint64_t lazy_mem[KH_BYTES / 8];
static struct k_heap lazy_heap = {{NULL, lazy_mem, sizeof lazy_mem}, {0u}, {OMNIHEAP_PORT_LOCK_INIT}};

static void test_defined_heap_without_init(void) {
  struct k_heap *array = NULL;
  int count = k_heap_array_get(&array), i, listed = 0;
  size_t empty = kh_init(); /* allocated_bytes of an empty heap of this size */
  for (i = 0; i < count && array != NULL; ++i) {
    if (&array[i] == &defined_heap) listed = 1;
  }
  OH_CHECK(listed);
  OH_CHECK_EQ_INT(sizeof kheap_defined_heap, KH_BYTES);
  hammer_heap(&defined_heap, kheap_defined_heap, sizeof kheap_defined_heap, 4, 3000, 256, K_MSEC(5),
              empty, "K_HEAP_DEFINE heap");
}

static void test_static_heap_first_used_by_threads(void) {
  /* No call on lazy_heap before the threads start together. */
  size_t empty = kh_init(); /* allocated_bytes of an empty heap of this size */
  hammer_heap(&lazy_heap, lazy_mem, sizeof lazy_mem, 4, 3000, 256, K_MSEC(5), empty,
              "statically initialised heap");
}

/* ---- (e) the system heap ------------------------------------------------------------- */

#if OMNIHEAP_CONF_HEAP_MEM_POOL_SIZE > 0
struct sys_worker {
  unsigned id, ops;
  pthread_barrier_t *go;
  unsigned allocs, failures, errors;
};

static void *sys_main(void *arg) {
  struct sys_worker *w = arg;
  struct held mine[4];
  unsigned held = 0, op;
  uint32_t rng = 0x2545F491u * (w->id + 7u), seq = 0;
  pthread_barrier_wait(w->go);
  for (op = 0; op < w->ops; ++op) {
    uint32_t r = next_random(&rng);
    uint32_t size = MIN_SIZE + next_random(&rng) % 81u; /* 16..96 */
    if (held < 4 && (held == 0 || (r & 1u))) {
      unsigned kind = (r >> 1) % 4u;
      size_t align = (size_t)16 << ((r >> 3) % 2u);
      void *p = kind == 0 ? k_malloc(size)
                : kind == 1 ? k_calloc(size / 4u, 4)
                : kind == 2 ? k_aligned_alloc(align, size)
                            : k_realloc(NULL, size);
      if (kind == 1) size = (size / 4u) * 4u;
      if (p == NULL) {
        ++w->failures;
        continue;
      }
      ++w->allocs;
      if (((uintptr_t)p & (sizeof(void *) - 1u)) != 0) ++w->errors;
      if (kind == 2 && ((uintptr_t)p & (align - 1u)) != 0) ++w->errors;
      if (kind == 1) {
        uint32_t i;
        for (i = 0; i < size; ++i) {
          if (((unsigned char *)p)[i] != 0) {
            ++w->errors;
            break;
          }
        }
      }
      stamp(p, w->id, ++seq, size);
      mine[held].p = p;
      mine[held].seq = seq;
      mine[held].size = size;
      ++held;
    } else if ((r >> 1) % 3u == 0) { /* resize a block */
      unsigned k = next_random(&rng) % held;
      void *q = k_realloc(mine[k].p, size);
      if (q == NULL) {
        ++w->failures; /* the block is unchanged */
        if (!intact(mine[k].p, w->id, mine[k].seq, mine[k].size)) ++w->errors;
        continue;
      }
      if (!intact(q, w->id, mine[k].seq, size < mine[k].size ? size : mine[k].size)) ++w->errors;
      stamp(q, w->id, ++seq, size);
      mine[k].p = q;
      mine[k].seq = seq;
      mine[k].size = size;
    } else {
      unsigned k = next_random(&rng) % held;
      if (!intact(mine[k].p, w->id, mine[k].seq, mine[k].size)) ++w->errors;
      k_free(mine[k].p);
      mine[k] = mine[--held];
    }
    if ((op & 255u) == 0) {
      void *z = k_malloc(0); /* a valid block */
      if (z == NULL) ++w->failures;
      k_free(z);
    }
  }
  while (held > 0) {
    --held;
    if (!intact(mine[held].p, w->id, mine[held].seq, mine[held].size)) ++w->errors;
    k_free(mine[held].p);
  }
  return NULL;
}

static void test_system_heap_from_threads(void) {
  enum { THREADS = 4 };
  pthread_t t[THREADS];
  struct sys_worker w[THREADS];
  pthread_barrier_t go;
  unsigned i, allocs = 0, failures = 0;
  size_t empty;
  k_free(k_malloc(1)); /* first use from one thread (the others are not started) */
  empty = allocated_bytes(&_system_heap);
  OH_REQUIRE(pthread_barrier_init(&go, NULL, THREADS) == 0);
  for (i = 0; i < THREADS; ++i) {
    memset(&w[i], 0, sizeof w[i]);
    w[i].id = i + 1;
    w[i].ops = 6000;
    w[i].go = &go;
    OH_REQUIRE(pthread_create(&t[i], NULL, sys_main, &w[i]) == 0);
  }
  for (i = 0; i < THREADS; ++i) {
    pthread_join(t[i], NULL);
    OH_CHECK_EQ_INT(w[i].errors, 0);
    allocs += w[i].allocs;
    failures += w[i].failures;
  }
  pthread_barrier_destroy(&go);
  OH_CHECK(allocs > 0);
  OH_CHECK(sys_heap_validate(&_system_heap.heap));
  OH_CHECK_EQ_INT(allocated_bytes(&_system_heap), empty);
  note("system heap: %lld threads, %lld allocations, %lld returned NULL", THREADS, allocs, failures, 0);
}
#endif

/* ---- (g) k_heap_realloc with timeouts -------------------------------------------------- */

static void test_realloc_blocks_until_memory(void) {
  void *blocks[FILL_MAX];
  size_t empty = kh_init();
  void *mine = k_heap_alloc(&kh, FILL_SIZE, K_NO_WAIT);
  unsigned n, i;
  struct waiter w;
  pthread_t t;
  int64_t t0, dt;
  void *p;
  OH_REQUIRE(mine != NULL);
  stamp(mine, 99, 1, FILL_SIZE);
  n = fill(&kh, blocks, FILL_MAX);
  OH_REQUIRE(n >= 8);

  /* A timed realloc that cannot be served: NULL, the block unchanged. */
  t0 = now_ns();
  p = k_heap_realloc(&kh, mine, 512, K_MSEC(30));
  dt = now_ns() - t0;
  OH_CHECK_EQ_PTR(p, NULL);
  OH_CHECK(dt >= MS(30) && dt < MS(2000));
  OH_CHECK(intact(mine, 99, 1, FILL_SIZE));

  /* A K_FOREVER realloc in a thread, served once enough is freed. */
  OH_REQUIRE(start_waiter(&t, &w, &kh, CALL_REALLOC, mine, 512, K_FOREVER));
  sleep_ms(50);
  OH_CHECK(!atomic_load(&w.done));
  OH_CHECK_EQ_INT(wait_waiters(&kh, 1, 2000), 1);
  for (i = 0; i < n; ++i) {
    k_heap_free(&kh, blocks[i]);
    if (i == 0) {
      sleep_ms(20); /* one freed block is not enough: it stays blocked */
      OH_CHECK(!atomic_load(&w.done));
    }
  }
  pthread_join(t, NULL);
  OH_REQUIRE(w.result != NULL);
  OH_CHECK(intact(w.result, 99, 1, FILL_SIZE));
  OH_CHECK(inside(w.result, 512, kh_mem, sizeof kh_mem));
  stamp(w.result, 99, 2, 512);

  /* Size 0 with K_FOREVER: frees once, returns NULL at once. */
  t0 = now_ns();
  p = k_heap_realloc(&kh, w.result, 0, K_FOREVER);
  dt = now_ns() - t0;
  OH_CHECK_EQ_PTR(p, NULL);
  OH_CHECK(dt < MS(1000));
  OH_CHECK(sys_heap_validate(&kh.heap));
  OH_CHECK_EQ_INT(allocated_bytes(&kh), empty);
}

struct resizer {
  struct k_heap *h;
  pthread_barrier_t *go;
  unsigned id, ops;
  unsigned moves, timeouts, errors;
};

static void *resize_main(void *arg) {
  struct resizer *w = arg;
  struct held mine[2];
  unsigned held = 0, op;
  uint32_t rng = 0x85EBCA6Bu * (w->id + 3u), seq = 0;
  pthread_barrier_wait(w->go);
  for (op = 0; op < w->ops; ++op) {
    uint32_t r = next_random(&rng);
    uint32_t size = MIN_SIZE + next_random(&rng) % 497u; /* 16..512 */
    if (held < 2 && (held == 0 || (r & 3u) == 0)) {
      void *p = k_heap_realloc(w->h, NULL, size, K_MSEC(5)); /* NULL: an allocation */
      if (p == NULL) {
        ++w->timeouts;
        if (held > 0) { /* progress: give the other block back */
          if (!intact(mine[0].p, w->id, mine[0].seq, mine[0].size)) ++w->errors;
          k_heap_free(w->h, mine[0].p);
          held = 0;
        }
        continue;
      }
      stamp(p, w->id, ++seq, size);
      mine[held].p = p;
      mine[held].seq = seq;
      mine[held].size = size;
      ++held;
    } else if ((r & 3u) != 1u) {
      unsigned k = (r >> 2) % held;
      uint32_t keep = size < mine[k].size ? size : mine[k].size;
      void *q = k_heap_realloc(w->h, mine[k].p, size, K_MSEC(5));
      if (q == NULL) {
        ++w->timeouts;
        if (!intact(mine[k].p, w->id, mine[k].seq, mine[k].size)) ++w->errors; /* unchanged */
        if (held == 2) {                                                      /* progress */
          unsigned o = 1u - k;
          if (!intact(mine[o].p, w->id, mine[o].seq, mine[o].size)) ++w->errors;
          k_heap_free(w->h, mine[o].p);
          mine[0] = mine[k];
          held = 1;
        }
        continue;
      }
      if (q != mine[k].p) ++w->moves;
      if (!intact(q, w->id, mine[k].seq, keep)) ++w->errors;
      stamp(q, w->id, ++seq, size);
      mine[k].p = q;
      mine[k].seq = seq;
      mine[k].size = size;
    } else {
      unsigned k = (r >> 2) % held;
      if (!intact(mine[k].p, w->id, mine[k].seq, mine[k].size)) ++w->errors;
      if (k_heap_realloc(w->h, mine[k].p, 0, K_MSEC(5)) != NULL) ++w->errors; /* frees */
      mine[k] = mine[--held];
    }
  }
  while (held > 0) {
    --held;
    if (!intact(mine[held].p, w->id, mine[held].seq, mine[held].size)) ++w->errors;
    k_heap_free(w->h, mine[held].p);
  }
  return NULL;
}

static void test_realloc_with_timeout_from_threads(void) {
  enum { THREADS = 4 };
  pthread_t t[THREADS];
  struct resizer w[THREADS];
  pthread_barrier_t go;
  unsigned i, moves = 0, timeouts = 0;
  size_t empty;
  int64_t t0 = now_ns();
  /* 2 KiB: 4 threads holding up to 2 blocks of 16..512 bytes fill it at times. */
  empty = kh_init();
  OH_REQUIRE(pthread_barrier_init(&go, NULL, THREADS) == 0);
  for (i = 0; i < THREADS; ++i) {
    memset(&w[i], 0, sizeof w[i]);
    w[i].h = &kh;
    w[i].go = &go;
    w[i].id = i + 1;
    w[i].ops = 4000;
    OH_REQUIRE(pthread_create(&t[i], NULL, resize_main, &w[i]) == 0);
  }
  for (i = 0; i < THREADS; ++i) {
    pthread_join(t[i], NULL);
    OH_CHECK_EQ_INT(w[i].errors, 0);
    moves += w[i].moves;
    timeouts += w[i].timeouts;
  }
  pthread_barrier_destroy(&go);
  OH_CHECK(sys_heap_validate(&kh.heap));
  OH_CHECK_EQ_INT(allocated_bytes(&kh), empty);
  OH_CHECK_EQ_INT(waiters_of(&kh), 0);
  note("realloc: %lld threads, %lld blocks moved, %lld timed out, %lld ms", THREADS, moves, timeouts,
       (now_ns() - t0) / 1000000);
}

int main(void) {
  /* First: fork() while this process has a single thread. */
  RUN(test_misuse_panics_by_default);
  start_watchdog();
  RUN(test_forever_waiter_woken_by_free);
  RUN(test_timeout_expires_on_full_heap);
  RUN(test_useless_frees_do_not_extend_timeout);
  RUN(test_timed_waiter_served_before_deadline);
  RUN(test_many_threads_hammer_one_heap);
#if OMNIHEAP_CONF_HEAP_MEM_POOL_SIZE > 0
  RUN(test_system_heap_from_threads);
#else
  oh_test_note("skipped: no system heap in this build (OMNIHEAP_CONF_HEAP_MEM_POOL_SIZE=0)");
#endif
  RUN(test_defined_heap_without_init);
  RUN(test_static_heap_first_used_by_threads);
  RUN(test_realloc_blocks_until_memory);
  RUN(test_realloc_with_timeout_from_threads);
  return oh_test_summary();
}
