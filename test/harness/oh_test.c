/* oh_test — see oh_test.h. */
#include "oh_test.h"

#include <stdio.h>

static unsigned cases_passed;
static unsigned cases_failed;
static unsigned case_failures;
static const char *case_name = "(no test case)";

void oh_test_run(const char *name, oh_test_fn fn) {
  case_name = name;
  case_failures = 0;
  fn();
  if (case_failures == 0) {
    ++cases_passed;
    printf("ok   %s\n", name);
  } else {
    ++cases_failed;
    printf("FAIL %s (%u failed check%s)\n", name, case_failures, case_failures == 1 ? "" : "s");
  }
  fflush(stdout);
  case_name = "(no test case)";
}

int oh_test_summary(void) {
  printf("%u passed, %u failed\n", cases_passed, cases_failed);
  fflush(stdout);
  return cases_failed == 0 ? 0 : 1;
}

/* Own conversions: newlib-nano's printf has no %lld, and %p differs. */
static const char *dec(char *buf, size_t n, long long v) {
  char *p = buf + n;
  unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
  *--p = '\0';
  do {
    *--p = (char)('0' + (int)(u % 10U));
    u /= 10U;
  } while (u != 0U && p > buf + 1);
  if (v < 0) *--p = '-';
  return p;
}

static const char *hex(char *buf, size_t n, const void *ptr) {
  char *p = buf + n;
  unsigned long long u = (unsigned long long)(size_t)ptr;
  *--p = '\0';
  do {
    *--p = "0123456789abcdef"[u & 0xFU];
    u >>= 4;
  } while (u != 0U && p > buf + 2);
  *--p = 'x';
  *--p = '0';
  return p;
}

static void failed(const char *file, int line) {
  ++case_failures;
  printf("  %s:%d: in %s: ", file, line, case_name);
}

int oh_test_check(int ok, const char *file, int line, const char *expr) {
  if (ok) return 1;
  failed(file, line);
  printf("check failed: %s\n", expr);
  return 0;
}

int oh_test_check_int(long long got, long long want, int equal, const char *file, int line,
                      const char *got_expr, const char *want_expr) {
  if ((got == want) == (equal != 0)) return 1;
  failed(file, line);
  char a[24], b[24];
  printf("%s %s %s (got %s, %s %s)\n", got_expr, equal ? "==" : "!=", want_expr,
         dec(a, sizeof a, got), equal ? "expected" : "must differ from", dec(b, sizeof b, want));
  return 0;
}

int oh_test_check_ptr(const void *got, const void *want, int equal, const char *file, int line,
                      const char *got_expr, const char *want_expr) {
  if ((got == want) == (equal != 0)) return 1;
  failed(file, line);
  char a[24], b[24];
  printf("%s %s %s (got %s, %s %s)\n", got_expr, equal ? "==" : "!=", want_expr,
         hex(a, sizeof a, got), equal ? "expected" : "must differ from", hex(b, sizeof b, want));
  return 0;
}

void oh_test_note(const char *text) { printf("     note: %s\n", text); }

unsigned oh_test_case_failures(void) { return case_failures; }
