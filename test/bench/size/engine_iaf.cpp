// Code-size probe for `make bench` (not built by the Makefile; run.sh
// compiles it with the core's flags for TARGET=cortex-m4f): init, alloc and
// free of the SegregatedFit engine alone, for one layout (LAYOUT 1: 4-byte
// headers, Layout<uint16_t, 8, 4>; 2: 8-byte headers, Layout<uint32_t, 8, 8>),
// as C functions that engine_main.c calls.
#include <stddef.h>
#include <stdint.h>

#include "engine/segregated_fit.hpp"

#ifndef LAYOUT
#define LAYOUT 1
#endif

namespace {
namespace eng = omniheap::engine;
using E = eng::SegregatedFit<eng::Layout<std::conditional_t<LAYOUT == 1, uint16_t, uint32_t>, 8, (LAYOUT == 1 ? 4 : 8)>>;
} // namespace

extern "C" {
void *probe_init(void *mem, size_t bytes) { return E::init(mem, bytes); }
void *probe_alloc(void *h, size_t bytes) { return E::alloc(static_cast<E::Control *>(h), bytes); }
int probe_free(void *h, void *p) { return static_cast<int>(E::free(static_cast<E::Control *>(h), p)); }
}
