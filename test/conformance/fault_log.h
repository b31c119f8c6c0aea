/* A fault handler for the conformance suites that records what it is told. */
#ifndef OH_FAULT_LOG_H
#define OH_FAULT_LOG_H

#include "omniheap.h"

/* What fault_log_handler() saw: the number of faults, per kind, and the
 * fields of the last one. */
struct fault_log {
  unsigned count;
  unsigned kinds[8];
  omniheap_fault_kind_t kind;
  omniheap_family_t family;
  const omniheap_heap_t *heap;
  const void *object;
  const void *pointer;
  omniheap_fault_action_t default_action;
  char function[32]; /* the longest API function name is 24 characters */
  void *context;    /* the handler's context: the log itself */
  int keep_default; /* 1: the handler returns the fault's default action, 0: OMNIHEAP_FAULT_RETURN */
};

/* The handler; `context` is a struct fault_log. */
omniheap_fault_action_t fault_log_handler(const omniheap_fault_t *fault, void *context);

/* Clears `log` and installs fault_log_handler() with it. */
void fault_log_capture(struct fault_log *log, int keep_default);

/* Restores the default handler. */
void fault_log_release(void);

#endif
