/*
 * Example firmware: a small sensor gateway written the way legacy code is.
 *
 * Its subsystems came from different code bases, and each keeps the
 * allocator API it was written for (see gateway.h for the map): Contiki-NG
 * MEMB and HeapMem in the network glue, a Zephyr kernel heap between the
 * sensor tasks and the uplink, emh_malloc heaps per task, a Zephyr
 * multi-heap in the radio driver, Schoofs' buddy allocator in the camera
 * module and MMT in the protocol statistics. Linked against omniheap instead
 * of seven allocators, every one of those heaps reports to one registry.
 *
 * The main loop runs GW_ROUNDS rounds of traffic with a burst in the middle
 * (the channel is congested, traffic doubles). Threshold listeners on the
 * heaps whose users can give memory back report pressure; the loop then
 * sheds load: the network drops its retransmission cache, the camera is
 * throttled, the protocol module drops its packet windows. At the end: each
 * module's summary, omniheap's memory report, totals per family and a
 * validation of every heap.
 *
 * Runs on the host (`make run`: the sensor tasks are threads) and under QEMU
 * (`make run TARGET=cortex-m3`, a reduced configuration on cortex-m0).
 * Deterministic: fixed seeds, and nothing timing-dependent is printed.
 */
#include <stdio.h>

#include "omniheap.h"

#include "gateway.h"

static struct pressure_watch packet_pressure; /* heapmem: packet payloads */
static struct pressure_watch frame_pressure;  /* buddy: camera frames */

void gw_name_heap(const void *object, const char *name) {
  omniheap_heap_set_name(omniheap_heap_find(object), name);
}

/* Misuse that a heap detects (here: the legacy driver's double free) is
 * logged without addresses, then handled as the family's contract says. */
static omniheap_fault_action_t log_fault(const omniheap_fault_t *fault, void *context) {
  (void)context;
  printf("fault: %s in %s on heap %s\n", omniheap_fault_kind_name(fault->kind), fault->function,
         fault->heap != NULL ? omniheap_heap_name(fault->heap) : "(unregistered)");
  return fault->default_action;
}

/* The radio gets GW_RADIO_BUDGET packets out per round, one while congested. */
static void send_packets(uint32_t now, int congested) {
  unsigned budget = congested ? 1u : GW_RADIO_BUDGET;
  struct packet *p;
  while (budget-- > 0u && (p = net_next_to_send()) != NULL) {
    if (!radio_send(p->payload, p->length)) return; /* no DMA buffer: next round */
    net_sent(now, congested, p);
  }
}

/* Load shedding: act on what the listeners recorded during the round. */
static void shed_load(uint32_t now) {
  if (pressure_poll(&packet_pressure)) {
    if (packet_pressure.reported) {
      char action[64];
      unsigned dropped = net_drop_cache();
      net_set_caching(0);
      sprintf(action, "shedding, %u cached packets dropped, caching off", dropped);
      pressure_log(&packet_pressure, now, action);
    } else {
      net_set_caching(1);
      pressure_log(&packet_pressure, now, "caching on again");
    }
  }
  if (pressure_poll(&frame_pressure)) {
    /* camera_round() reads frame_pressure.reported: throttled while above */
    pressure_log(&frame_pressure, now,
                 frame_pressure.reported ? "camera throttled (half rate, half size)" : "camera at full rate");
  }
}

static void print_family_totals(void) {
  int f;
  printf("\nfamily      heaps  capacity    in use      peak   allocs  failed\n");
  for (f = OMNIHEAP_FAMILY_MEMB; f <= OMNIHEAP_FAMILY_MMT; ++f) {
    omniheap_stats_t s = OMNIHEAP_STATS_INIT;
    int n = omniheap_family_totals((omniheap_family_t)f, &s);
    if (n <= 0) continue;
    printf("%-10s %6d %9lu %9lu %9lu %8lu %7lu\n", omniheap_family_name((omniheap_family_t)f), n,
           (unsigned long)s.capacity, (unsigned long)s.in_use, (unsigned long)s.peak,
           (unsigned long)s.allocations, (unsigned long)s.failed_allocations);
  }
}

static int all_heaps_valid(void) {
  omniheap_heap_t *h;
  int ok = 1;
  for (h = omniheap_heap_next(NULL); h != NULL; h = omniheap_heap_next(h)) {
    if (omniheap_heap_validate(h) != OMNIHEAP_OK) {
      printf("heap %s is corrupted!\n", omniheap_heap_name(h));
      ok = 0;
    }
  }
  return ok;
}

int main(void) {
  uint32_t now;
  int valid;

  printf("sensor gateway on omniheap %s (target %s, %s configuration)\n", omniheap_version_string(),
         OMNIHEAP_TARGET_NAME, GW_SMALL_PART ? "reduced" : "full");
  omniheap_set_fault_handler(log_fault, NULL);

  net_init();
  radio_init();
  camera_init();
  uplink_init();
  proto_init();

  /* Watch the heaps whose users can give memory back (proto.c watches MMT itself). */
  if (pressure_watch_start(&packet_pressure, omniheap_heap_find_name("heapmem"), "heapmem") != OMNIHEAP_OK ||
      pressure_watch_start(&frame_pressure, omniheap_heap_find(camera_heap()), "frames") != OMNIHEAP_OK) {
    printf("boot: a pressure watch could not be registered\n");
  }
  printf("boot: %u heaps registered\n", (unsigned)omniheap_heap_count());

  /* The sensor tasks report first: their messages go out in batches. */
  uplink_run();
  uplink_summary();

  for (now = 0; now < GW_ROUNDS; ++now) {
    int burst = now >= GW_BURST_FROM && now < GW_BURST_TO;
    if (now == GW_BURST_FROM) printf("round %lu: traffic burst, channel congested\n", (unsigned long)now);
    if (now == GW_BURST_TO) printf("round %lu: burst over\n", (unsigned long)now);

    radio_tx_done(); /* last round's DMA transfers have completed */
    net_round(now, burst);
    camera_round(now, burst, frame_pressure.reported);
    send_packets(now, burst);
    shed_load(now);
    if (now == GW_BUGGY_DRIVER_ROUND) net_buggy_driver();
  }
  radio_tx_done();

  net_summary();
  radio_summary();
  camera_summary();
  proto_summary();
  printf("\n");
  fflush(stdout); /* the report is written through the port, not through stdio */

  omniheap_report();
  print_family_totals();
  valid = all_heaps_valid();
  printf("all heaps valid: %s\n", valid ? "yes" : "NO");
  return valid ? 0 : 1;
}
