/*
 * Radio driver, written for Zephyr: its buffers come from a sys_multi_heap
 * over two sys_heap regions, chosen per request by the `cfg` argument —
 *
 *   RADIO_MEM_FAST  tightly coupled RAM: fast, but the DMA engine cannot
 *                   reach it; transmit descriptors live here;
 *   RADIO_MEM_DMA   DMA-capable RAM: every frame the radio transmits.
 *
 * A descriptor may spill into DMA RAM when fast RAM is full; a frame never
 * goes to fast RAM. Frames stay allocated while their DMA transfer runs,
 * until the next round's "transmit done" interrupt (radio_tx_done()).
 */
#include <stdio.h>
#include <string.h>

#include <zephyr/sys/multi_heap.h>
#include <zephyr/sys/sys_heap.h>
#include <zephyr/toolchain.h>

#include "gateway.h"

#define RADIO_MEM_FAST ((void *)1)
#define RADIO_MEM_DMA ((void *)2)
#define RADIO_DMA_ALIGN 32u /* the DMA engine reads whole cache lines */
#define RADIO_HEADER 8u     /* sequence number, length, CRC placeholder */

struct tx_desc {
  struct tx_desc *next;
  uint8_t *frame;
  uint16_t length;
  uint16_t seq;
  uint32_t dma_ctrl[4]; /* the DMA engine's control block, filled per transfer */
};

/* Fast RAM is scarce: room for GW_RADIO_FAST_DESCS descriptors (each takes
 * its size plus a chunk header, rounded to 8 bytes). */
#define FAST_RAM_BYTES Z_HEAP_MIN_SIZE_FOR(GW_RADIO_FAST_DESCS * (sizeof(struct tx_desc) + 8u))
static uint8_t __aligned(8) fast_ram[FAST_RAM_BYTES];
static uint8_t __aligned(RADIO_DMA_ALIGN) dma_ram[GW_RADIO_DMA];
static struct sys_heap fast_heap, dma_heap;
static struct sys_multi_heap radio_mem;

static struct tx_desc *in_flight;
static uint16_t tx_seq;
static unsigned frames_sent, bytes_sent, busy, spilled;

/* The choice callback: find the region the caller asked for and allocate there. */
static void *radio_mem_choice(struct sys_multi_heap *mheap, void *cfg, size_t align, size_t size) {
  unsigned i;
  void *block = NULL;

  for (i = 0; i < mheap->nheaps && block == NULL; ++i) {
    if (mheap->heaps[i].user_data == cfg) {
      block = sys_heap_aligned_alloc(mheap->heaps[i].heap, align, size);
    }
  }
  if (block == NULL && cfg == RADIO_MEM_FAST) {
    /* Fast RAM is full: descriptors work from DMA RAM too, a bit slower. */
    for (i = 0; i < mheap->nheaps && block == NULL; ++i) {
      if (mheap->heaps[i].user_data == RADIO_MEM_DMA) {
        block = sys_heap_aligned_alloc(mheap->heaps[i].heap, align, size);
        if (block != NULL) ++spilled;
      }
    }
  }
  return block;
}

void radio_init(void) {
  sys_heap_init(&fast_heap, fast_ram, sizeof fast_ram);
  sys_heap_init(&dma_heap, dma_ram, sizeof dma_ram);
  sys_multi_heap_init(&radio_mem, radio_mem_choice);
  sys_multi_heap_add_heap(&radio_mem, &fast_heap, RADIO_MEM_FAST);
  sys_multi_heap_add_heap(&radio_mem, &dma_heap, RADIO_MEM_DMA);
  gw_name_heap(&fast_heap, "radio_fast");
  gw_name_heap(&dma_heap, "radio_dma");
}

/* Transmit-done interrupt: every transfer started in the last round has completed. */
void radio_tx_done(void) {
  while (in_flight != NULL) {
    struct tx_desc *d = in_flight;
    in_flight = d->next;
    sys_multi_heap_free(&radio_mem, d->frame);
    sys_multi_heap_free(&radio_mem, d);
  }
}

int radio_send(const uint8_t *data, size_t len) {
  struct tx_desc *d = sys_multi_heap_alloc(&radio_mem, RADIO_MEM_FAST, sizeof *d);
  if (d == NULL) {
    ++busy;
    return 0;
  }
  d->frame = sys_multi_heap_aligned_alloc(&radio_mem, RADIO_MEM_DMA, RADIO_DMA_ALIGN, RADIO_HEADER + len);
  if (d->frame == NULL) {
    sys_multi_heap_free(&radio_mem, d); /* no DMA buffer: try again next round */
    ++busy;
    return 0;
  }
  d->seq = tx_seq++;
  d->length = (uint16_t)(RADIO_HEADER + len);
  memset(d->frame, 0, RADIO_HEADER);
  memcpy(d->frame, &d->seq, sizeof d->seq);
  memcpy(d->frame + 2, &d->length, sizeof d->length);
  memcpy(d->frame + RADIO_HEADER, data, len);
  d->dma_ctrl[0] = (uint32_t)(uintptr_t)d->frame; /* source */
  d->dma_ctrl[1] = d->length;                     /* count */
  d->dma_ctrl[2] = 0x1u;                          /* enable, interrupt on completion */
  d->dma_ctrl[3] = 0;
  /* ... here the real driver points the DMA channel at d->frame ... */
  d->next = in_flight;
  in_flight = d;
  ++frames_sent;
  bytes_sent += d->length;
  return 1;
}

void radio_summary(void) {
  printf("radio: %u frames (%u bytes) sent through DMA RAM, %u times busy, "
         "%u descriptors spilled from fast RAM\n",
         frames_sent, bytes_sent, busy, spilled);
}
