/*
 * Example firmware: a small sensor gateway written the way legacy code is —
 * Contiki MEMB pools for connections, packets and sensor readings, Contiki
 * HeapMem for variable-size packet payloads, and a Zephyr sys_heap that the
 * radio driver uses for DMA-aligned frame buffers — linked against omniheap
 * instead of the upstream allocators, unchanged.
 *
 * It simulates a few hundred rounds of traffic (deterministic), including
 * pool exhaustion and one deliberately buggy driver that frees a packet
 * twice, then prints omniheap's memory report: every heap of every family,
 * its capacity, use, peak, allocations, failures and faults, from the native
 * registry.
 *
 * Runs on the host (`make run`) and under QEMU (`make run TARGET=cortex-m0`).
 * Plain C99; only the C library's printf is used for its own messages.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <zephyr/sys/sys_heap.h>

#include "lib/heapmem.h"
#include "lib/memb.h"
#include "omniheap.h"

#define MAX_CONNECTIONS 6
#define MAX_PACKETS 12
#define MAX_READINGS 8
#define ROUNDS 400

struct connection {
  uint16_t peer;
  uint16_t sent;
  uint32_t opened_at;
};

struct packet {
  uint16_t length;
  uint16_t peer;
  uint8_t *payload; /* heapmem: as long as the readings it carries */
};

struct reading {
  uint8_t sensor;
  int16_t value;
};

MEMB(connections, struct connection, MAX_CONNECTIONS);
MEMB(packets, struct packet, MAX_PACKETS);
MEMB(readings, struct reading, MAX_READINGS);

/* The radio driver's frame buffers: a Zephyr sys_heap, 32-byte aligned for DMA. */
static struct sys_heap radio_heap;
static uint8_t radio_memory[1536];

static uint32_t rng_state = 0x2545F491u;

static uint32_t rng(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 17;
  rng_state ^= rng_state << 5;
  return rng_state;
}

static struct connection *open_conns[MAX_CONNECTIONS];
static struct packet *queue[MAX_PACKETS];
static struct reading *pending[MAX_READINGS];
static unsigned n_conns, n_queued, n_pending;
static unsigned sent_packets, dropped_readings, refused_connections, radio_busy;

static void sample_sensors(uint32_t now) {
  unsigned k = 1u + rng() % 4u;
  (void)now;
  while (k-- > 0u) {
    struct reading *r = memb_alloc(&readings);
    if (r == NULL) {
      ++dropped_readings; /* sensor data lost: the pool is full */
      continue;
    }
    r->sensor = (uint8_t)(rng() % 8u);
    r->value = (int16_t)(rng() % 2000u) - 1000;
    pending[n_pending++] = r;
  }
}

static void accept_connections(uint32_t now) {
  if (rng() % 4u == 0u) {
    struct connection *c = memb_alloc(&connections);
    if (c == NULL) {
      ++refused_connections;
      return;
    }
    c->peer = (uint16_t)(rng() % 100u);
    c->sent = 0;
    c->opened_at = now;
    open_conns[n_conns++] = c;
  }
}

/* Packs pending readings into packets for a random open connection. */
static void build_packets(void) {
  while (n_pending >= 6u && n_conns > 0u) {
    struct packet *p = memb_alloc(&packets);
    unsigned i;
    if (p == NULL) return; /* back-pressure: wait for the radio */
    p->peer = open_conns[rng() % n_conns]->peer;
    p->length = 0;
    p->payload = heapmem_alloc(6u * sizeof(struct reading));
    if (p->payload == NULL) {
      memb_free(&packets, p);
      return;
    }
    for (i = 0; i < 6u; ++i) {
      struct reading *r = pending[--n_pending];
      memcpy(&p->payload[p->length], r, sizeof *r);
      p->length = (uint16_t)(p->length + sizeof *r);
      memb_free(&readings, r);
    }
    queue[n_queued++] = p;
  }
}

/* The radio sends a few packets per round, each through a DMA frame. */
static void radio_send(void) {
  unsigned budget = rng() % 3u;
  while (budget-- > 0u && n_queued > 0u) {
    struct packet *p = queue[0];
    uint8_t *frame = sys_heap_aligned_alloc(&radio_heap, 32, 8u + p->length);
    if (frame == NULL) {
      ++radio_busy; /* no frame buffer: try again next round */
      return;
    }
    memcpy(frame, &p->peer, sizeof p->peer);
    memcpy(frame + 8, p->payload, p->length);
    sys_heap_free(&radio_heap, frame);
    memmove(&queue[0], &queue[1], (n_queued - 1u) * sizeof queue[0]);
    --n_queued;
    heapmem_free(p->payload);
    memb_free(&packets, p);
    ++sent_packets;
  }
}

static void close_idle_connections(uint32_t now) {
  unsigned i = 0;
  while (i < n_conns) {
    if (now - open_conns[i]->opened_at > 20u + rng() % 40u) {
      memb_free(&connections, open_conns[i]);
      open_conns[i] = open_conns[--n_conns];
    } else {
      ++i;
    }
  }
}

/* A legacy driver bug: it frees a packet twice. omniheap reports it (one
 * line through the port) and memb_free returns -1; the pool stays intact. */
static void buggy_driver(void) {
  struct packet *p = memb_alloc(&packets);
  if (p == NULL) return;
  memb_free(&packets, p);
  if (memb_free(&packets, p) == -1) { /* caught; the pool is intact */
    printf("gateway: double free by the legacy driver caught (memb_free returned -1)\n");
  }
}

static int all_heaps_valid(void) {
  omniheap_heap_t *h;
  int ok = 1;
  for (h = omniheap_heap_next(NULL); h != NULL; h = omniheap_heap_next(h)) {
    if (omniheap_heap_validate(h) != OMNIHEAP_OK) {
      printf("gateway: heap %s is corrupted!\n", omniheap_heap_name(h));
      ok = 0;
    }
  }
  return ok;
}

int main(void) {
  uint32_t now;
  printf("sensor gateway on omniheap %s (%s)\n", omniheap_version_string(), OMNIHEAP_TARGET_NAME);
  memb_init(&connections);
  memb_init(&packets);
  memb_init(&readings);
  sys_heap_init(&radio_heap, radio_memory, sizeof radio_memory);
  omniheap_heap_set_name(omniheap_heap_find(&radio_heap), "radio_frames");

  for (now = 0; now < ROUNDS; ++now) {
    accept_connections(now);
    sample_sensors(now);
    build_packets();
    radio_send();
    close_idle_connections(now);
    if (now == ROUNDS / 2u) buggy_driver();
  }

  printf("gateway: %u packets sent, %u readings dropped, %u connections refused, %u radio stalls\n",
         sent_packets, dropped_readings, refused_connections, radio_busy);
  printf("gateway: all heaps valid: %s\n\n", all_heaps_valid() ? "yes" : "NO");
  fflush(stdout);
  omniheap_report();
  return all_heaps_valid() ? 0 : 1;
}
