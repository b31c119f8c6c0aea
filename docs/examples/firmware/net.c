/*
 * Network stack glue, written for Contiki-NG: connections and the packet
 * descriptors of the transmit queue come from MEMB pools; packet payloads,
 * the retransmission cache and the neighbour table from HeapMem.
 *
 * Every packet the radio has sent is kept in the retransmission cache (a
 * HeapMem entry holding on to the payload) until its peer acknowledges it.
 * On a congested channel acknowledgements come late and the cache grows.
 * It is the memory the gateway can give up: under pressure the main loop
 * drops it (net_drop_cache()) and stops caching until HeapMem has room again.
 */
#include <stdio.h>
#include <string.h>

#include "lib/heapmem.h"
#include "lib/memb.h"

#include "gateway.h"

#define NEIGHBOURS_MAX 32u

struct connection {
  struct connection *next;
  uint16_t peer;
  uint16_t sent;
  uint32_t opened_at;
  uint32_t lifetime;
};

/* A sent packet waiting for its acknowledgement (HeapMem). */
struct cached {
  struct cached *next;
  uint32_t acked_at; /* round at which the peer's ack arrives */
  uint16_t peer;
  uint16_t length;
  uint8_t *payload; /* taken over from the packet */
};

struct neighbour {
  uint16_t peer;
  uint16_t contacts; /* connections opened with it, packets sent to it */
};

MEMB(connections, struct connection, GW_MAX_CONNECTIONS);
MEMB(packets, struct packet, GW_MAX_PACKETS);

static struct connection *conn_list;
static struct packet *tx_head, *tx_tail; /* waiting for the radio */
static struct cached *cache;             /* sent, waiting for the peer's ack */
static int caching = 1;

static struct neighbour *neighbours; /* heapmem, grown with heapmem_realloc() */
static unsigned n_neighbours, neighbours_room;

static uint32_t seed = 0x2545F491u;
static unsigned opened, refused, produced, no_descriptor, no_payload, sent, acked, dropped;

/* ---- neighbour table ------------------------------------------------------------------------ */

static struct neighbour *neighbour_find(uint16_t peer) {
  unsigned i;
  for (i = 0; i < n_neighbours; ++i) {
    if (neighbours[i].peer == peer) return &neighbours[i];
  }
  if (n_neighbours == neighbours_room) {
    struct neighbour *bigger;
    if (neighbours_room == NEIGHBOURS_MAX) return NULL; /* table full: not tracked */
    bigger = heapmem_realloc(neighbours, (neighbours_room + 8u) * sizeof *neighbours);
    if (bigger == NULL) return NULL; /* the old table is still valid */
    neighbours = bigger;
    neighbours_room += 8u;
  }
  neighbours[n_neighbours].peer = peer;
  neighbours[n_neighbours].contacts = 0;
  return &neighbours[n_neighbours++];
}

/* ---- packets ------------------------------------------------------------------------------- */

static void produce(uint32_t now, struct connection *c) {
  struct packet *p = memb_alloc(&packets);
  uint16_t i;
  if (p == NULL) {
    ++no_descriptor; /* back-pressure: the radio is behind */
    return;
  }
  p->length = (uint16_t)(GW_PAYLOAD_MIN + gw_rand(&seed) % GW_PAYLOAD_SPAN);
  p->payload = heapmem_alloc(p->length);
  if (p->payload == NULL) {
    ++no_payload;
    memb_free(&packets, p);
    return;
  }
  p->peer = c->peer;
  p->next = NULL;
  for (i = 0; i < p->length; ++i) p->payload[i] = (uint8_t)(c->peer + c->sent + i);
  ++c->sent;
  ++produced;
  proto_inspect(now, p->peer, p->payload, p->length); /* deep packet inspection on arrival */
  if (tx_tail != NULL) {
    tx_tail->next = p;
  } else {
    tx_head = p;
  }
  tx_tail = p;
}

static void accept_connection(uint32_t now) {
  struct connection *c = memb_alloc(&connections);
  struct neighbour *n;
  if (c == NULL) {
    ++refused;
    return;
  }
  c->peer = (uint16_t)(gw_rand(&seed) % 40u);
  c->sent = 0;
  c->opened_at = now;
  c->lifetime = 20u + gw_rand(&seed) % 50u;
  c->next = conn_list;
  conn_list = c;
  ++opened;
  n = neighbour_find(c->peer);
  if (n != NULL) ++n->contacts;
}

static void acknowledge(uint32_t now) {
  struct cached **cp = &cache;
  while (*cp != NULL) {
    struct cached *c = *cp;
    if (c->acked_at <= now) {
      *cp = c->next;
      heapmem_free(c->payload);
      heapmem_free(c);
      ++acked;
    } else {
      cp = &c->next;
    }
  }
}

static void close_idle(uint32_t now) {
  struct connection **cp = &conn_list;
  while (*cp != NULL) {
    struct connection *c = *cp;
    if (now - c->opened_at >= c->lifetime) {
      *cp = c->next;
      proto_session_closed(c->peer);
      memb_free(&connections, c);
    } else {
      cp = &c->next;
    }
  }
}

/* ---- interface ------------------------------------------------------------------------------ */

void net_init(void) {
  memb_init(&connections);
  memb_init(&packets);
  /* The neighbour table lives as long as the gateway; it starts with 8 entries. */
  neighbours = heapmem_alloc(8u * sizeof *neighbours);
  neighbours_room = neighbours != NULL ? 8u : 0u;
}

void net_round(uint32_t now, int burst) {
  struct connection *c;
  if (gw_rand(&seed) % (burst ? 3u : 6u) == 0u) accept_connection(now);
  for (c = conn_list; c != NULL; c = c->next) {
    if (gw_rand(&seed) % 8u < (burst ? 5u : 1u)) produce(now, c);
  }
  acknowledge(now);
  close_idle(now);
}

struct packet *net_next_to_send(void) { return tx_head; }

void net_sent(uint32_t now, int congested, struct packet *p) {
  struct neighbour *n = neighbour_find(p->peer);
  struct cached *c = caching ? heapmem_alloc(sizeof *c) : NULL;

  tx_head = p->next;
  if (tx_head == NULL) tx_tail = NULL;
  ++sent;
  if (n != NULL) ++n->contacts;
  if (c != NULL) {
    c->peer = p->peer;
    c->length = p->length;
    c->payload = p->payload;
    /* On a congested channel acknowledgements take much longer. */
    c->acked_at = now + (congested ? 30u + gw_rand(&seed) % 40u : 4u + gw_rand(&seed) % 16u);
    c->next = cache;
    cache = c;
  } else {
    heapmem_free(p->payload); /* not cached: no retransmission possible */
  }
  memb_free(&packets, p);
}

unsigned net_drop_cache(void) {
  unsigned n = 0;
  while (cache != NULL) {
    struct cached *c = cache;
    cache = c->next;
    heapmem_free(c->payload);
    heapmem_free(c);
    ++n;
  }
  dropped += n;
  return n;
}

void net_set_caching(int on) { caching = on; }

/* A legacy driver bug: it frees a packet descriptor twice. omniheap reports
 * the fault and memb_free() returns -1; the pool stays intact. */
void net_buggy_driver(void) {
  struct packet *p = memb_alloc(&packets);
  if (p == NULL) return;
  memb_free(&packets, p);
  if (memb_free(&packets, p) == -1) {
    printf("net: the legacy driver's double free was refused (memb_free returned -1)\n");
  }
}

void net_summary(void) {
  printf("net: %u connections opened, %u refused (pool of %u); %u packets produced, %u sent\n",
         opened, refused, (unsigned)GW_MAX_CONNECTIONS, produced, sent);
  printf("net: retransmission cache: %u acknowledged, %u dropped under pressure; "
         "%u packets delayed (no descriptor), %u lost (no payload buffer); %u neighbours\n",
         acked, dropped, no_descriptor, no_payload, n_neighbours);
}
