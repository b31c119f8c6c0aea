#include "fault_log.h"

#include <string.h>

omniheap_fault_action_t fault_log_handler(const omniheap_fault_t *fault, void *context) {
  struct fault_log *log = (struct fault_log *)context;
  size_t i = 0;
  ++log->count;
  if ((unsigned)fault->kind < 8U) ++log->kinds[(unsigned)fault->kind];
  log->kind = fault->kind;
  log->family = fault->family;
  log->heap = fault->heap;
  log->object = fault->object;
  log->pointer = fault->pointer;
  log->default_action = fault->default_action;
  log->context = context;
  if (fault->function != NULL)
    for (; i + 1 < sizeof log->function && fault->function[i] != '\0'; ++i)
      log->function[i] = fault->function[i];
  log->function[i] = '\0';
  return log->keep_default ? fault->default_action : OMNIHEAP_FAULT_RETURN;
}

void fault_log_capture(struct fault_log *log, int keep_default) {
  memset(log, 0, sizeof *log);
  log->keep_default = keep_default;
  omniheap_set_fault_handler(fault_log_handler, log);
}

void fault_log_release(void) { omniheap_set_fault_handler(NULL, NULL); }
