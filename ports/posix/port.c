/*
 * omniheap port for POSIX hosts (Linux, macOS, *BSD) with pthreads.
 *
 *  critical section  one process-wide recursive mutex
 *  locks             pthread mutex + condition variable per lock; a zeroed
 *                    lock is valid because the static initialisers of both
 *                    are all zeros on glibc and musl (checked at start-up of
 *                    the unit tests, see test/unit/port_posix_test.cpp)
 *  wait              pthread_cond_clockwait on CLOCK_MONOTONIC (glibc 2.30+);
 *                    elsewhere pthread_cond_timedwait on CLOCK_REALTIME with
 *                    the remaining time converted
 *  time              clock_gettime(CLOCK_MONOTONIC)
 *  panic             message to stderr, then abort()
 *  corruption        one line to stderr
 *  output            fwrite to stdout
 */
#define _GNU_SOURCE 1

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "omniheap_port.h"

struct posix_lock {
  pthread_mutex_t mutex;
  pthread_cond_t cond;
};

_Static_assert(sizeof(struct posix_lock) <= OMNIHEAP_PORT_LOCK_BYTES,
               "ports.posix.lock_bytes in project.yml is too small for a pthread mutex + condvar");

static struct posix_lock *posix_lock_of(omniheap_port_lock_t *lock) {
  return (struct posix_lock *)(void *)lock->storage;
}

/* ---- critical section ---------------------------------------------------- */

static pthread_once_t critical_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t critical_mutex;

static void critical_init(void) {
  pthread_mutexattr_t attr;
  pthread_mutexattr_init(&attr);
  pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
  pthread_mutex_init(&critical_mutex, &attr);
  pthread_mutexattr_destroy(&attr);
}

omniheap_port_state_t omniheap_port_critical_enter(void) {
  pthread_once(&critical_once, critical_init);
  if (pthread_mutex_lock(&critical_mutex) != 0) omniheap_port_panic("omniheap posix port: critical section");
  return 0;
}

void omniheap_port_critical_exit(omniheap_port_state_t state) {
  (void)state;
  pthread_mutex_unlock(&critical_mutex);
}

/* ---- locks ------------------------------------------------------------------ */

void omniheap_port_lock_acquire(omniheap_port_lock_t *lock) {
  if (pthread_mutex_lock(&posix_lock_of(lock)->mutex) != 0) omniheap_port_panic("omniheap posix port: lock");
}

void omniheap_port_lock_release(omniheap_port_lock_t *lock) {
  pthread_mutex_unlock(&posix_lock_of(lock)->mutex);
}

static struct timespec timespec_of_us(uint64_t us) {
  struct timespec ts;
  ts.tv_sec = (time_t)(us / 1000000U);
  ts.tv_nsec = (long)(us % 1000000U) * 1000L;
  return ts;
}

int omniheap_port_wait(omniheap_port_lock_t *lock, uint64_t deadline_us) {
  struct posix_lock *l = posix_lock_of(lock);
  if (deadline_us == OMNIHEAP_PORT_FOREVER) {
    pthread_cond_wait(&l->cond, &l->mutex);
    return OMNIHEAP_PORT_WOKEN;
  }
  if (omniheap_port_time_us() >= deadline_us) return OMNIHEAP_PORT_TIMEOUT;
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 30))
  struct timespec ts = timespec_of_us(deadline_us);
  int rc = pthread_cond_clockwait(&l->cond, &l->mutex, CLOCK_MONOTONIC, &ts);
#else
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  uint64_t left = deadline_us - omniheap_port_time_us();
  uint64_t abs_us = (uint64_t)now.tv_sec * 1000000U + (uint64_t)now.tv_nsec / 1000U + left;
  struct timespec ts = timespec_of_us(abs_us);
  int rc = pthread_cond_timedwait(&l->cond, &l->mutex, &ts);
#endif
  if (rc == ETIMEDOUT) return OMNIHEAP_PORT_TIMEOUT;
  return OMNIHEAP_PORT_WOKEN;
}

void omniheap_port_notify_all(omniheap_port_lock_t *lock) {
  pthread_cond_broadcast(&posix_lock_of(lock)->cond);
}

/* ---- time ------------------------------------------------------------------- */

uint64_t omniheap_port_time_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000U + (uint64_t)ts.tv_nsec / 1000U;
}

/* ---- failure and output ------------------------------------------------------- */

void omniheap_port_panic(const char *message) {
  fflush(stdout);
  fprintf(stderr, "%s\n", message);
  fflush(stderr);
  abort();
}

void omniheap_port_corruption(const omniheap_fault_t *fault) {
  fflush(stdout); /* keep the order of the program's own output */
  fprintf(stderr, "omniheap: %s heap '%s': %s of %p in %s\n", omniheap_family_name(fault->family),
          fault->heap != NULL ? omniheap_heap_name(fault->heap) : "(unregistered)",
          omniheap_fault_kind_name(fault->kind), fault->pointer,
          fault->function != NULL ? fault->function : "?");
}

void omniheap_port_write(const char *text, size_t length) {
  fwrite(text, 1, length, stdout);
}
