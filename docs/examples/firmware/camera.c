/*
 * Camera module, written for Schoofs' memman buddy allocator: at boot it
 * takes a region from the C library heap, fills in its own buddy_heap_t
 * (mh, hs, e), then calls buddy_init(). Each captured frame is one buddy
 * block; a metadata trailer is appended with buddy_extend_block() (in place:
 * the block's power-of-two order has room for it). Frames wait in a queue
 * until the radio has uploaded them chunk by chunk, then go back with
 * buddy_free_block().
 *
 * While the gateway is under pressure on this heap the camera is throttled:
 * it captures half as often, at half the resolution.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <buddy.h>

#include "gateway.h"

#define CAPTURE_PERIOD 5u                /* rounds between captures at full rate */
#define TRAILER 8u                       /* timestamp, exposure, checksum */
#define CHUNK (GW_FRAME_BYTES * 2u / 5u) /* bytes uploaded per radio frame */
#define QUEUE_MAX GW_FRAME_QUEUE

struct frame {
  uint8_t *pixels; /* buddy block */
  uint16_t size;   /* pixels + trailer */
  uint16_t uploaded;
};

static buddy_heap_t frames;

static struct frame queue[QUEUE_MAX];
static unsigned q_head, q_len;
static uint32_t seed = 0x9E3779B9u;
static unsigned captured, small_frames, skipped, no_memory, uploaded;

void camera_init(void) {
  /* The region lives as long as the firmware; malloc() aligns it for any
   * type, so buddy blocks are 8-aligned. */
  void *region = malloc(GW_FRAME_HEAP);
  if (region == NULL) {
    printf("camera: no memory for the frame region\n");
    return;
  }
  frames.mh = (uintptr_t)region;
  frames.hs = GW_FRAME_HEAP;
  frames.e = 0; /* no emergency heap: a frame that does not fit is simply skipped */
  if (buddy_init(&frames) != BUDDY_HEAP_OK) {
    printf("camera: buddy_init failed\n");
    return;
  }
  gw_name_heap(&frames, "frames");
}

void *camera_heap(void) { return &frames; }

static void capture(uint32_t now, int throttled) {
  uint16_t pixels = (uint16_t)(throttled ? GW_FRAME_BYTES / 2u : GW_FRAME_BYTES);
  struct frame *f;
  uint8_t *block, *grown;
  int rc;
  uint16_t i;

  if (q_len == QUEUE_MAX) {
    ++skipped;
    return;
  }
  block = buddy_get_block(&frames, pixels);
  if (block == NULL) {
    ++no_memory;
    return;
  }
  for (i = 0; i < pixels; ++i) block[i] = (uint8_t)(now + i * 7u + (gw_rand(&seed) & 3u));
  /* The metadata trailer: the block grows in place (same buddy order). */
  grown = buddy_extend_block(&frames, block, pixels + TRAILER, &rc);
  if (grown == NULL) { /* no room: the frame is still valid, give it back */
    buddy_free_block(&frames, block);
    ++no_memory;
    return;
  }
  block = grown;
  memset(block + pixels, 0xA5, TRAILER);
  memcpy(block + pixels, &now, sizeof now);

  f = &queue[(q_head + q_len) % QUEUE_MAX];
  f->pixels = block;
  f->size = (uint16_t)(pixels + TRAILER);
  f->uploaded = 0;
  ++q_len;
  ++captured;
  if (throttled) ++small_frames;
}

static void upload(void) {
  struct frame *f = &queue[q_head];
  unsigned n;
  if (q_len == 0u) return;
  n = (unsigned)f->size - f->uploaded;
  if (n > CHUNK) n = CHUNK;
  if (!radio_send(f->pixels + f->uploaded, n)) return; /* radio busy: next round */
  f->uploaded = (uint16_t)(f->uploaded + n);
  if (f->uploaded == f->size) {
    if (buddy_free_block(&frames, f->pixels) != BUDDY_HEAP_OK) printf("camera: bad frame free\n");
    q_head = (q_head + 1u) % QUEUE_MAX;
    --q_len;
    ++uploaded;
  }
}

/* One round: maybe capture a frame, upload a chunk if the channel allows. */
void camera_round(uint32_t now, int congested, int throttled) {
  uint32_t period = throttled ? 2u * CAPTURE_PERIOD : CAPTURE_PERIOD;
  if (now % period == 0u) capture(now, throttled);
  /* The channel is shared with the packet traffic, which has priority. */
  if (!congested || now % 4u == 0u) upload();
}

void camera_summary(void) {
  uint32_t mem, used, free_bytes;
  buddy_get_stats(&frames, &mem, &used, &free_bytes);
  printf("camera: %u frames captured (%u at half resolution while throttled), %u uploaded, "
         "%u skipped, %u without memory; buddy area %lu bytes, %lu in use\n",
         captured, small_frames, uploaded, skipped, no_memory, (unsigned long)mem, (unsigned long)used);
}
