/*
 * Protocol statistics, a module taken from an mmt-dpi probe: every packet a
 * connection delivers is inspected; the module keeps one session per peer
 * with the packets of its last HISTORY_ROUNDS rounds (a sliding window,
 * grown with mmt_realloc()), and counters per message class. All of it is
 * allocated with mmt_malloc()/mmt_realloc()/mmt_free(), so MMT tracks every
 * byte (mmt_meminfo()). The busier the traffic, the longer the windows.
 *
 * The module has a budget (PROTO_BUDGET requested bytes). MMT's listener
 * extension, mmt_listen(), tells it when it reaches 75 % of the budget: it
 * then throws the windows away and keeps only the last SHORT_HISTORY
 * packets per session, until its memory has fallen under 50 % again.
 * Sessions are bounded (least recently used one evicted) and so are the
 * windows (GW_PROTO_HISTORY packets), so MMT never runs out.
 */
#include <stdio.h>
#include <string.h>

#include "memory.h"
#include "mmt_core.h"

#include "gateway.h"

#define N_CLASSES 4
#define HISTORY_ROUNDS 16u /* the window of a session */
#define SHORT_HISTORY 2u   /* packets per session while under pressure */

static const char *const class_names[N_CLASSES] = {"telemetry", "config", "alarm", "firmware"};

typedef struct {
  uint16_t round; /* low bits of the round it arrived in */
  uint16_t length;
} proto_seen_t;

typedef struct proto_session_struct {
  struct proto_session_struct *next; /* most recently used first */
  uint16_t peer;
  uint16_t packets;
  uint32_t bytes;
  uint16_t history_len;
  uint16_t history_room;
  proto_seen_t *history; /* the window, oldest first; grown by mmt_realloc() */
} proto_session_t;

typedef struct {
  uint32_t packets[N_CLASSES];
  uint32_t bytes[N_CLASSES];
} proto_class_stats_t;

/* The budget: the class counters, and a session per connection with 8 packets in its window. */
#define PROTO_BUDGET \
  (sizeof(proto_class_stats_t) + GW_MAX_CONNECTIONS * (sizeof(proto_session_t) + 8u * sizeof(proto_seen_t)))

static proto_session_t *sessions;
static unsigned n_sessions;
static proto_class_stats_t *class_stats;
static struct pressure_watch mmt_pressure;
static unsigned opened, evicted, closed, windows_dropped;

static void session_free(proto_session_t *s) {
  mmt_free(s->history);
  mmt_free(s);
}

/* Frees the least recently used sessions until `keep` are left. */
static void evict(unsigned keep) {
  proto_session_t **sp = &sessions;
  unsigned i;
  for (i = 0; i < keep && *sp != NULL; ++i) sp = &(*sp)->next;
  while (*sp != NULL) {
    proto_session_t *s = *sp;
    *sp = s->next;
    session_free(s);
    --n_sessions;
    ++evicted;
  }
}

static proto_session_t *session_get(uint16_t peer) {
  proto_session_t **sp = &sessions, *s;
  for (s = sessions; s != NULL; sp = &s->next, s = s->next) {
    if (s->peer == peer) { /* move to the front */
      *sp = s->next;
      s->next = sessions;
      sessions = s;
      return s;
    }
  }
  if (n_sessions == GW_PROTO_SESSIONS) evict(GW_PROTO_SESSIONS - 1u);
  s = mmt_malloc(sizeof(proto_session_t));
  if (unlikely(s == NULL)) return NULL; /* only with OMNIHEAP_CONF_MMT_ABORT = 0 */
  memset(s, 0, sizeof *s);
  s->peer = peer;
  s->next = sessions;
  sessions = s;
  ++n_sessions;
  ++opened;
  return s;
}

static void history_add(proto_session_t *s, uint32_t now, uint16_t len) {
  unsigned room = mmt_pressure.reported ? SHORT_HISTORY : GW_PROTO_HISTORY;
  unsigned old = 0;
  /* Slide the window: forget what is older than HISTORY_ROUNDS. */
  while (old < s->history_len && (uint16_t)((uint16_t)now - s->history[old].round) >= HISTORY_ROUNDS) {
    ++old;
  }
  if (s->history_len == s->history_room && s->history_room < room) {
    uint16_t new_room = (uint16_t)(s->history_room == 0u ? 2u : 2u * s->history_room);
    proto_seen_t *h = mmt_realloc(s->history, new_room * sizeof *h);
    if (likely(h != NULL)) {
      s->history = h;
      s->history_room = new_room;
    }
  }
  if (s->history_room == 0u) return;
  if (old == 0u && s->history_len == s->history_room) old = 1u; /* full: forget the oldest */
  if (old != 0u) {
    memmove(s->history, s->history + old, (s->history_len - old) * sizeof *s->history);
    s->history_len = (uint16_t)(s->history_len - old);
  }
  s->history[s->history_len].round = (uint16_t)now;
  s->history[s->history_len].length = len;
  ++s->history_len;
}

/* Under pressure: the windows go; sessions keep their counters. */
static void shed(void) {
  proto_session_t *s;
  for (s = sessions; s != NULL; s = s->next) {
    if (s->history != NULL) {
      mmt_free(s->history);
      s->history = NULL;
      s->history_len = s->history_room = 0;
      ++windows_dropped;
    }
  }
}

void proto_init(void) {
  class_stats = mmt_malloc(sizeof *class_stats);
  memset(class_stats, 0, sizeof *class_stats);
  pressure_watch_init(&mmt_pressure, "mmt", PROTO_BUDGET);
  if (mmt_listen(&mmt_pressure.listener, OMNIHEAP_ON_THRESHOLD, mmt_pressure.high,
                 mmt_pressure.high - mmt_pressure.low, pressure_on_crossing, &mmt_pressure) != OMNIHEAP_OK) {
    printf("proto: mmt_listen failed\n");
  }
}

void proto_inspect(uint32_t now, uint16_t peer, const uint8_t *payload, size_t len) {
  proto_session_t *s;
  unsigned cls = payload[len - 1u] % N_CLASSES;

  if (pressure_poll(&mmt_pressure)) {
    if (mmt_pressure.reported) {
      shed();
      pressure_log(&mmt_pressure, now, "session windows dropped, short windows only");
    } else {
      pressure_log(&mmt_pressure, now, "full windows again");
    }
  }
  class_stats->packets[cls]++;
  class_stats->bytes[cls] += (uint32_t)len;
  s = session_get(peer);
  if (s == NULL) return;
  s->packets++;
  s->bytes += (uint32_t)len;
  history_add(s, now, (uint16_t)len);
}

void proto_session_closed(uint16_t peer) {
  proto_session_t **sp, *s;
  for (sp = &sessions; (s = *sp) != NULL; sp = &s->next) {
    if (s->peer == peer) {
      *sp = s->next;
      session_free(s);
      --n_sessions;
      ++closed;
      return;
    }
  }
}

void proto_summary(void) {
  mmt_meminfo_t info;
  omniheap_stats_t st = OMNIHEAP_STATS_INIT;
  unsigned i;

  printf("proto: %u sessions opened, %u closed, %u evicted, %u still open; %u windows dropped\n",
         opened, closed, evicted, n_sessions, windows_dropped);
  for (i = 0; i < N_CLASSES; ++i) {
    printf("proto:   %-9s %5lu packets %7lu bytes\n", class_names[i],
           (unsigned long)class_stats->packets[i], (unsigned long)class_stats->bytes[i]);
  }
  mmt_meminfo(&info);
  omniheap_heap_stats(mmt_omniheap(), &st);
  printf("proto: mmt_meminfo: %lu bytes allocated, %lu freed, %lu in use (peak %lu, budget %u)\n",
         (unsigned long)info.allocated, (unsigned long)info.freed,
         (unsigned long)(info.allocated - info.freed), (unsigned long)st.peak, (unsigned)PROTO_BUDGET);
}
