/* Forked children for the conformance suites (child.h). */
#if defined(OH_HOSTED) && OH_HOSTED
#define _POSIX_C_SOURCE 200809L

#include "child.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "oh_test.h"
#include "omniheap.h"

static int template_port(void) { return strcmp(OMNIHEAP_PORT_NAME, "template") == 0; }

static int run(void (*vbody)(void), int (*ibody)(void)) {
  int status = 0;
  pid_t pid;
  fflush(stdout);
  fflush(stderr);
  pid = fork();
  if (pid == 0) {
    int devnull = open("/dev/null", O_WRONLY);
    alarm(template_port() ? 1 : 10);
    if (devnull >= 0) dup2(devnull, 2);
    if (vbody != NULL) {
      omniheap_set_fault_handler(NULL, NULL);
      vbody();
      _exit(0); /* only reached when the call returned */
    }
    _exit(ibody());
  }
  if (!OH_CHECK(pid > 0)) return -1;
  OH_CHECK(waitpid(pid, &status, 0) == pid);
  return status;
}

int oh_run_child(void (*body)(void)) { return run(body, NULL); }

int oh_run_child_exit(int (*body)(void)) { return run(NULL, body); }

int oh_died_of_panic(int status) {
  if (!WIFSIGNALED(status)) return 0;
  return WTERMSIG(status) == SIGABRT || (template_port() && WTERMSIG(status) == SIGALRM);
}
#else
/* Nothing on targets without fork(): keeps the translation unit non-empty. */
typedef int oh_child_unused;
#endif
