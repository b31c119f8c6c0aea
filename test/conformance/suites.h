/* The conformance suites; each runs its test cases with OH_RUN. */
#ifndef OH_SUITES_H
#define OH_SUITES_H

void suite_native(void); /* native.c: omniheap.h (registry, stats, faults, report) */
void suite_memb(void);   /* memb.c: "lib/memb.h" per api-reference §1 and the contract */
void suite_port(void);   /* port.c: the port hooks of the target's port */

#endif
