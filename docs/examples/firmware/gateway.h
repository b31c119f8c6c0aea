/*
 * Sensor gateway — shared configuration and module interfaces.
 *
 * The gateway is written the way its legacy parts were: each subsystem keeps
 * the allocator API it was written for, and only the library underneath is
 * omniheap.
 *
 *   module     legacy API it uses                     heap(s) in the report
 *   net.c      Contiki-NG MEMB + HeapMem              connections, packets, heapmem
 *   uplink.c   Zephyr k_heap (K_HEAP_DEFINE), emh     msgs, env_task, vib_task
 *   radio.c    Zephyr sys_multi_heap over sys_heaps   radio_fast, radio_dma
 *   camera.c   Schoofs' buddy (memman)                frames
 *   proto.c    Montimage MMT (and its mmt_listen())   mmt
 *   pressure.c omniheap's threshold listeners         (watch heapmem, frames and mmt)
 *   firmware.c boot, main loop, load shedding, the memory report
 *
 * Plain C99. Everything is driven by fixed-seed generators, so the output is
 * the same on every run of a target.
 */
#ifndef GATEWAY_H
#define GATEWAY_H

#include <stddef.h>
#include <stdint.h>

#include "omniheap.h"

/* ---- the part we run on --------------------------------------------------------------------- */

/* Hosted (Linux, macOS): the sensor tasks are POSIX threads and block in
 * k_heap_alloc() until the consumer frees a message. Bare-metal Cortex-M
 * (the cortex-m port is single-threaded): the same task code runs from one
 * cooperative loop with K_NO_WAIT. */
#if defined(__unix__) || defined(__APPLE__)
#define GW_HOSTED 1
#else
#define GW_HOSTED 0
#endif

/* Cortex-M0 class (ARMv6-M, e.g. the micro:bit's nRF51 with 16 KiB of RAM for
 * data, library statics, C library heap and stack together): the reduced
 * configuration. Every other target gets the full one. */
#if defined(__ARM_ARCH_6M__)
#define GW_SMALL_PART 1
#else
#define GW_SMALL_PART 0
#endif

/* ---- memory budget ---------------------------------------------------------------------------
 * HeapMem's arena is a library build option (OMNIHEAP_CONF_HEAPMEM_ARENA_SIZE,
 * 4096 by default) and the same everywhere; the other regions are ours. */
#if GW_SMALL_PART
#define GW_MAX_CONNECTIONS 4  /* MEMB connections */
#define GW_MAX_PACKETS 6      /* MEMB packet descriptors (the tx queue) */
#define GW_PAYLOAD_MIN 16     /* packet payload sizes (HeapMem) */
#define GW_PAYLOAD_SPAN 32
#define GW_MSG_SLOTS 2        /* k_heap msgs: messages in flight */
#define GW_MSGS_PER_TASK 12   /* messages each sensor task sends */
#define GW_WINDOW_MAX 8       /* samples per window (x2 on a spike), emh */
#define GW_TASK_HEAP 180      /* emh region of each sensor task */
#define GW_RADIO_FAST_DESCS 2 /* sys_heap in "fast" RAM: room for tx descriptors */
#define GW_RADIO_DMA 288      /* sys_heap in DMA-capable RAM: frames */
#define GW_RADIO_BUDGET 2     /* packets the radio sends per round */
#define GW_FRAME_HEAP 384     /* buddy region for camera frames (C library heap) */
#define GW_FRAME_BYTES 40     /* a thumbnail (full rate); throttled: half */
#define GW_FRAME_QUEUE 4      /* frames waiting for upload */
#define GW_PROTO_SESSIONS 6   /* protocol sessions tracked at once (MMT) */
#define GW_PROTO_HISTORY 16   /* packets in a session's window, at most */
#else
#define GW_MAX_CONNECTIONS 8
#define GW_MAX_PACKETS 40
#define GW_PAYLOAD_MIN 24
#define GW_PAYLOAD_SPAN 120
#define GW_MSG_SLOTS 4
#define GW_MSGS_PER_TASK 40
#define GW_WINDOW_MAX 16
#define GW_TASK_HEAP 1024
#define GW_RADIO_FAST_DESCS 3
#define GW_RADIO_DMA 1024
#define GW_RADIO_BUDGET 3
#define GW_FRAME_HEAP 4096
#define GW_FRAME_BYTES 320
#define GW_FRAME_QUEUE 16
#define GW_PROTO_SESSIONS 12
#define GW_PROTO_HISTORY 32
#endif

#define GW_ROUNDS 400u       /* main loop rounds (one "tick" each) */
#define GW_BURST_FROM 120u   /* a traffic burst: rounds GW_BURST_FROM ... GW_BURST_TO - 1 */
#define GW_BURST_TO 190u
#define GW_BUGGY_DRIVER_ROUND (GW_ROUNDS / 2u)

/* Load shedding: pressure starts at 75 % of a watched heap and ends under 50 %. */
#define GW_PRESSURE_HIGH 75u
#define GW_PRESSURE_LOW 50u

/* ---- helpers ------------------------------------------------------------------------------- */

/* xorshift32: each module has its own state, so modules stay reproducible on their own. */
static inline uint32_t gw_rand(uint32_t *state) {
  uint32_t x = *state;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  *state = x;
  return x;
}

/* Names a heap in omniheap's registry (for families that give none). */
void gw_name_heap(const void *object, const char *name);

/* ---- net.c: connections (MEMB), packets (MEMB + HeapMem), retransmission cache ------------------ */
struct packet {
  struct packet *next;
  uint16_t peer;
  uint16_t length;
  uint8_t *payload; /* heapmem */
};

void net_init(void);
void net_round(uint32_t now, int burst); /* accept, produce (and inspect), acknowledge, close */
struct packet *net_next_to_send(void);   /* head of the tx queue, or NULL */
void net_sent(uint32_t now, int congested, struct packet *p); /* the radio sent the head packet */
unsigned net_drop_cache(void);           /* frees every cached packet; returns how many */
void net_set_caching(int on);
void net_buggy_driver(void);
void net_summary(void);

/* ---- uplink.c: sensor tasks -> k_heap message pool -> consumer ------------------------------ */
void uplink_init(void);
void uplink_run(void); /* runs the sensor tasks to completion and consumes every message */
void uplink_summary(void);

/* ---- radio.c: driver buffers from a sys_multi_heap (fast + DMA regions) ---------------------- */
void radio_init(void);
void radio_tx_done(void);                        /* "interrupt": last round's DMA transfers completed */
int radio_send(const uint8_t *data, size_t len); /* 1: queued for DMA, 0: radio busy (no buffer) */
void radio_summary(void);

/* ---- camera.c: frame buffers from a buddy heap ----------------------------------------------- */
void camera_init(void);
void camera_round(uint32_t now, int congested, int throttled);
void camera_summary(void);
void *camera_heap(void); /* the buddy_heap_t, for the pressure watch */

/* ---- proto.c: protocol statistics, tracked by MMT -------------------------------------------- */
void proto_init(void);
void proto_inspect(uint32_t now, uint16_t peer, const uint8_t *payload, size_t len);
void proto_session_closed(uint16_t peer);
void proto_summary(void);

/* ---- pressure.c: threshold listeners -------------------------------------------------------- */
struct pressure_watch {
  const char *name;
  omniheap_listener_t listener;
  size_t budget;                /* bytes the watched heap may use (its capacity, or less) */
  size_t high, low;             /* pressure starts at `high` bytes in use, ends under `low` */
  volatile int above;           /* written by the listener callback: */
  volatile size_t in_use_above; /* bytes in use when it last went above */
  volatile size_t in_use_below; /* and when it last went below */
  int reported;                 /* the state its owner last acted on */
};

/* A watch on a registered heap, with its capacity as the budget. */
int pressure_watch_start(struct pressure_watch *w, omniheap_heap_t *heap, const char *name);
/* For listeners registered by other means (mmt_listen()): set up `w`, then
 * register pressure_on_crossing with context `w`, threshold w->high and
 * hysteresis w->high - w->low. */
void pressure_watch_init(struct pressure_watch *w, const char *name, size_t budget);
void pressure_on_crossing(const omniheap_event_t *event, void *context);
/* 1 when the state changed since the last poll; the state is then w->reported. */
int pressure_poll(struct pressure_watch *w);
/* "pressure: <name> above 75% (<in use> of <budget> bytes) at round <now>: <action>" */
void pressure_log(const struct pressure_watch *w, uint32_t now, const char *action);

#endif /* GATEWAY_H */
