// The trace recorder (omniheap_trace_*): a listener that writes the
// operations of a heap as the simulator's trace format. Internal header.
#pragma once

#include "omniheap.h"

namespace omniheap::observe {

int trace_start(omniheap_trace_t *trace, omniheap_heap_t *heap, omniheap_write_fn write, void *context) noexcept;
int trace_stop(omniheap_trace_t *trace) noexcept;

} // namespace omniheap::observe
