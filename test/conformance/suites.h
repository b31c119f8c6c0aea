/* The conformance suites; each runs its test cases with OH_RUN. */
#ifndef OH_SUITES_H
#define OH_SUITES_H

void suite_native(void); /* native.c: omniheap.h (registry, stats, faults, report) */
void suite_memb(void);   /* memb.c: "lib/memb.h" per api-reference §1 and the contract */
void suite_heapmem(void);  /* heapmem.c: "lib/heapmem.h" per api-reference §2 and the contract */
void suite_sys_heap(void); /* sys_heap.c: <zephyr/sys/sys_heap.h> per api-reference §4 and the contract */
void suite_port(void);     /* port.c: the port hooks of the target's port */
void suite_k_heap(void);   /* k_heap.c: <zephyr/kernel.h> k_heap and system heap (api-reference §3) */
void suite_multi_heap(void); /* multi_heap.c: <zephyr/sys/multi_heap.h> (api-reference §4) */
void suite_heap_listener(void); /* heap_listener.c: <zephyr/sys/heap_listener.h> (api-reference §4) */
void suite_emh(void);      /* emh.c: "emh_malloc.h" (api-reference §5) */
void suite_memman(void);   /* memman.c: <ffit.h>, <buddy.h> (api-reference §6) */
void suite_listeners(void); /* listeners.c: omniheap.h listeners on every family */
void suite_report(void);    /* report.c: report, totals, family totals, walk and validate agree */
void suite_trace(void);     /* trace.c: omniheap.h trace recorder */
void suite_mmt(void);       /* mmt.c: "mmt_core.h", "memory.h" (api-reference §7); runs last */

#endif
