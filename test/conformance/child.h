/* Forked children for the conformance suites (hosted builds only): checks
 * that a default fault action really stops the program. */
#ifndef OH_CHILD_H
#define OH_CHILD_H

#if defined(OH_HOSTED) && OH_HOSTED
/* Runs body in a forked child with the default fault handler, its stderr
 * sent to /dev/null (the port's panic message is expected) and an alarm as
 * a watchdog (1 s with the template port, whose panic spins; else 10 s);
 * the child exits 0 if body returns. Returns the wait status (-1 if fork
 * failed, also recorded as a failed check). */
int oh_run_child(void (*body)(void));

/* The same, keeping the fault handler; the child exits with body's result. */
int oh_run_child_exit(int (*body)(void));

/* 1 if `status` is the end of a child stopped by the port's panic: SIGABRT
 * (posix and none ports), or the watchdog's SIGALRM with the template port. */
int oh_died_of_panic(int status);
#endif

#endif
