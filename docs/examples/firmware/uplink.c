/*
 * Sensor uplink, written for Zephyr: two sensor tasks send fixed-size
 * messages through a kernel heap (K_HEAP_DEFINE) to a consumer, which
 * batches them to the server and frees them. The pool holds GW_MSG_SLOTS
 * messages; when it is full a sender blocks in k_heap_alloc() until the
 * consumer frees one (every free wakes the waiters).
 *
 * Each task also has a private heap of its own, created with emh_create()
 * (emh_malloc's "one heap per task"), for its sample windows and its
 * calibration table, so a task can never starve another one's memory.
 *
 * Hosted builds on the posix port run the tasks as POSIX threads; the
 * consumer is the main thread and waits for a full batch, so the senders
 * really do block. On a bare-metal MCU (and on ports that cannot block) the
 * same task code runs from one cooperative loop with K_NO_WAIT: a task that
 * finds the pool full yields until the next pass.
 * Only order-independent results (counts, sums, extremes) are printed, after
 * every task has finished, so the output does not depend on scheduling.
 */
#if defined(__unix__) || defined(__APPLE__)
#define _POSIX_C_SOURCE 200809L /* threads and clocks (GW_HOSTED, see gateway.h) */
#endif

#include <stdio.h>
#include <string.h>

#include <zephyr/kernel.h>

#include "emh_malloc.h"

#include "gateway.h"

#if GW_HOSTED
#include <pthread.h>
#include <time.h>
#endif

#define N_TASKS 2

/* One message: a summary of a window of samples. 16 bytes, so it takes a
 * 24-byte chunk of the heap (header included) on every target. */
struct sensor_msg {
  uint8_t task;
  uint8_t samples;
  uint16_t seq;
  int16_t mean;
  int16_t min;
  int16_t max;
  uint16_t flags;
  uint32_t check;
};

#define MSG_CHUNK 24u
/* Exactly GW_MSG_SLOTS messages fit: the same room as one block of
 * GW_MSG_SLOTS chunks minus its header. */
K_HEAP_DEFINE(msgs, Z_HEAP_MIN_SIZE_FOR(GW_MSG_SLOTS * MSG_CHUNK - 8u));

struct sensor_task {
  const char *name;
  int16_t base;  /* the quantity it measures, in tenths */
  int16_t noise;
  uint32_t seed;
  emh_heapId_t heap;
  int16_t *calibration; /* emh: per-task table, for the task's lifetime */
  unsigned sent;
  unsigned waited;      /* hosted: calls that blocked; MCU: passes that found the pool full */
  unsigned timeouts;
};

static union {
  uint64_t align;
  unsigned char bytes[N_TASKS][GW_TASK_HEAP];
} task_memory;

static struct sensor_task tasks[N_TASKS] = {
    {"env_task", 215, 40, 0x1234567u, -1, NULL, 0, 0, 0},  /* temperature, in 0.1 degC */
    {"vib_task", 980, 150, 0x7654321u, -1, NULL, 0, 0, 0}, /* acceleration, in mg */
};

/* ---- mailbox: sender -> consumer ----------------------------------------------------------------
 * Never holds more messages than the pool can, so it cannot overflow. */
static struct sensor_msg *mailbox[GW_MSG_SLOTS];
static unsigned mb_head, mb_count;
#if GW_HOSTED
static int threaded; /* the tasks are threads (posix port) */
static pthread_mutex_t mb_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t mb_cond = PTHREAD_COND_INITIALIZER;
#define MB_LOCK() pthread_mutex_lock(&mb_lock)
#define MB_UNLOCK() pthread_mutex_unlock(&mb_lock)
#else
#define MB_LOCK() ((void)0)
#define MB_UNLOCK() ((void)0)
#endif

static void mailbox_put(struct sensor_msg *m) {
  MB_LOCK();
  mailbox[(mb_head + mb_count) % GW_MSG_SLOTS] = m;
  ++mb_count;
#if GW_HOSTED
  pthread_cond_signal(&mb_cond);
#endif
  MB_UNLOCK();
}

/* ---- consumer: per-task results (order-independent) ---------------------------------------- */
static struct {
  unsigned messages;
  long sum_of_means;
  int min, max;
  uint32_t check;
} results[N_TASKS];
static unsigned batches;

static void consume(struct sensor_msg *m) {
  if (m->task < N_TASKS) {
    ++results[m->task].messages;
    results[m->task].sum_of_means += m->mean;
    if (m->min < results[m->task].min) results[m->task].min = m->min;
    if (m->max > results[m->task].max) results[m->task].max = m->max;
    results[m->task].check ^= m->check;
  }
  k_heap_free(&msgs, m);
}

/* Takes `want` messages (a full pool, or what is left) and sends them as one batch. */
static unsigned consume_batch(unsigned want) {
  struct sensor_msg *batch[GW_MSG_SLOTS];
  unsigned i;
  MB_LOCK();
#if GW_HOSTED
  while (mb_count < want) pthread_cond_wait(&mb_cond, &mb_lock); /* (never in the cooperative loop) */
#endif
  for (i = 0; i < want; ++i) {
    batch[i] = mailbox[mb_head];
    mb_head = (mb_head + 1u) % GW_MSG_SLOTS;
  }
  mb_count -= want;
  MB_UNLOCK();
#if GW_HOSTED
  if (threaded) {
    /* Sending the batch to the server takes a while; meanwhile the pool
     * stays full and the senders wait in k_heap_alloc(). */
    struct timespec ts = {0, 2000000L};
    nanosleep(&ts, NULL);
  }
#endif
  for (i = 0; i < want; ++i) consume(batch[i]);
  ++batches;
  return want;
}

/* ---- sensor task ------------------------------------------------------------------------------ */

static void sensor_task_start(struct sensor_task *t) {
  unsigned i;
  t->calibration = emh_calloc(t->heap, 8, sizeof *t->calibration);
  if (t->calibration != NULL) {
    for (i = 0; i < 8u; ++i) t->calibration[i] = (int16_t)(gw_rand(&t->seed) % 7u) - 3;
  }
}

static void sensor_task_stop(struct sensor_task *t) {
  emh_free(t->calibration);
  t->calibration = NULL;
}

/* Gets a message slot (this is where a task blocks), samples a window into
 * its own heap, summarises it into the message and posts it. 0: no slot. */
static int sensor_task_step(struct sensor_task *t, int id, k_timeout_t timeout) {
  struct sensor_msg *m = k_heap_alloc(&msgs, sizeof *m, timeout);
  unsigned n, i;
  int16_t *window;
  long sum = 0;

  if (m == NULL) return 0;
  memset(m, 0, sizeof *m);
  n = 4u + gw_rand(&t->seed) % (GW_WINDOW_MAX - 3u);
  window = emh_malloc(t->heap, n * sizeof *window);
  if (window != NULL && gw_rand(&t->seed) % 4u == 0u) {
    /* A spike: oversample, the window grows (in place when it can). */
    int16_t *bigger = emh_realloc(window, 2u * n * sizeof *window);
    if (bigger != NULL) {
      window = bigger;
      n *= 2u;
    }
  }
  m->task = (uint8_t)id;
  m->seq = (uint16_t)t->sent;
  m->min = INT16_MAX;
  m->max = INT16_MIN;
  if (window != NULL) {
    for (i = 0; i < n; ++i) {
      int16_t cal = t->calibration != NULL ? t->calibration[i % 8u] : 0;
      window[i] = (int16_t)(t->base + cal + (int16_t)(gw_rand(&t->seed) % (2u * t->noise + 1u)) - t->noise);
      sum += window[i];
      if (window[i] < m->min) m->min = window[i];
      if (window[i] > m->max) m->max = window[i];
    }
    m->samples = (uint8_t)n;
    m->mean = (int16_t)(sum / (long)n);
    emh_free(window);
  } else {
    m->flags = 1u; /* no memory for the window: an empty message says so */
    m->min = m->max = 0;
  }
  m->check = gw_rand(&t->seed);
  mailbox_put(m);
  ++t->sent;
  return 1;
}

#if GW_HOSTED
static uint64_t now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void *sensor_thread(void *arg) {
  struct sensor_task *t = arg;
  int id = (int)(t - tasks);
  sensor_task_start(t);
  while (t->sent < GW_MSGS_PER_TASK) {
    uint64_t start = now_us();
    if (!sensor_task_step(t, id, K_MSEC(500))) {
      ++t->timeouts; /* the consumer is stuck: try again */
      continue;
    }
    if (now_us() - start >= 500u) ++t->waited; /* it blocked until a message was freed */
  }
  sensor_task_stop(t);
  return NULL;
}
#endif

/* ---- interface ------------------------------------------------------------------------------ */

void uplink_init(void) {
  int i;
  for (i = 0; i < N_TASKS; ++i) {
    struct sensor_task *t = &tasks[i];
    char family_name[8];
    t->heap = emh_create(task_memory.bytes[i], sizeof task_memory.bytes[i]);
    if (t->heap < 0) {
      printf("uplink: no emh heap for %s\n", t->name);
      continue;
    }
    /* emh names its heaps "emh<id>"; the report shows whose heap it is. */
    sprintf(family_name, "emh%d", (int)t->heap);
    omniheap_heap_set_name(omniheap_heap_find_name(family_name), t->name);
    results[i].min = INT16_MAX;
    results[i].max = INT16_MIN;
  }
  {
    omniheap_stats_t s = OMNIHEAP_STATS_INIT;
    omniheap_heap_stats(omniheap_heap_find(&msgs), &s);
    if (s.capacity / MSG_CHUNK != GW_MSG_SLOTS) {
      printf("uplink: warning: msgs holds %u messages, not %u\n", (unsigned)(s.capacity / MSG_CHUNK),
             (unsigned)GW_MSG_SLOTS);
    }
  }
}

/* Bare metal: the tasks and the consumer take turns in one loop. */
static void run_cooperative(void) {
  const unsigned total = N_TASKS * GW_MSGS_PER_TASK;
  unsigned received = 0, pass = 0;
  int i;
  for (i = 0; i < N_TASKS; ++i) sensor_task_start(&tasks[i]);
  while (received < total) {
    unsigned left = total - received;
    unsigned want = left < GW_MSG_SLOTS ? left : GW_MSG_SLOTS;
    for (i = 0; i < N_TASKS; ++i) {
      struct sensor_task *t = &tasks[i];
      if (t->sent < GW_MSGS_PER_TASK && !sensor_task_step(t, i, K_NO_WAIT)) {
        ++t->waited; /* the pool is full: yield to the consumer */
      }
    }
    /* Sending a batch takes the consumer two passes of the loop. */
    if (mb_count >= want && ++pass % 2u == 0u) received += consume_batch(want);
  }
  for (i = 0; i < N_TASKS; ++i) sensor_task_stop(&tasks[i]);
}

void uplink_run(void) {
#if GW_HOSTED
  /* Threads need a port whose locks block and wake (posix); the none port has neither. */
  if (strcmp(OMNIHEAP_PORT_NAME, "posix") == 0) {
    const unsigned total = N_TASKS * GW_MSGS_PER_TASK;
    unsigned received = 0;
    pthread_t threads[N_TASKS];
    int i;
    threaded = 1;
    for (i = 0; i < N_TASKS; ++i) pthread_create(&threads[i], NULL, sensor_thread, &tasks[i]);
    while (received < total) {
      unsigned left = total - received;
      received += consume_batch(left < GW_MSG_SLOTS ? left : GW_MSG_SLOTS);
    }
    for (i = 0; i < N_TASKS; ++i) pthread_join(threads[i], NULL);
    threaded = 0;
    return;
  }
#endif
  run_cooperative();
}

void uplink_summary(void) {
  unsigned waited = 0, timeouts = 0;
  int i;
  for (i = 0; i < N_TASKS; ++i) {
    long mean = results[i].messages != 0u ? results[i].sum_of_means / (long)results[i].messages : 0;
    printf("uplink: %s sent %u messages: mean %ld.%ld, range %d.%d .. %d.%d, check %08lx\n", tasks[i].name,
           results[i].messages, mean / 10, mean % 10, results[i].min / 10, results[i].min % 10,
           results[i].max / 10, results[i].max % 10, (unsigned long)results[i].check);
    waited += tasks[i].waited;
    timeouts += tasks[i].timeouts;
  }
  printf("uplink: %u batches through a pool of %u messages; senders had to wait for room: %s%s\n",
         batches, (unsigned)GW_MSG_SLOTS, waited != 0u ? "yes" : "no",
         timeouts != 0u ? " (and timed out!)" : "");
}
