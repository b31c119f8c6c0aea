/*
 * oh_test — omniheap's own minimal C test harness. Works on the host and on
 * bare-metal Cortex-M under QEMU semihosting (only printf is needed).
 *
 *   static void test_something(void) { OH_CHECK(1 + 1 == 2); OH_CHECK_EQ_INT(f(), 3); }
 *   void suite_x(void) { OH_RUN(test_something); }
 *   int main(void) { suite_x(); return oh_test_summary(); }
 *
 * A test case passes when none of its checks fails. oh_test_summary() prints
 * the closing line "N passed, N failed" (test cases) and returns the exit
 * status: 0 if nothing failed, 1 otherwise.
 */
#ifndef OH_TEST_H
#define OH_TEST_H

#include <stddef.h>

/* UNDER_TSAN: 1 when built with ThreadSanitizer (gcc or clang), else 0;
 * stress programs run fewer operations then. */
#if defined(__SANITIZE_THREAD__)
#define UNDER_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define UNDER_TSAN 1
#endif
#endif
#ifndef UNDER_TSAN
#define UNDER_TSAN 0
#endif

#ifdef __cplusplus
extern "C" {
#endif

typedef void (*oh_test_fn)(void);

void oh_test_run(const char *name, oh_test_fn fn);
int oh_test_summary(void);
/* Returns 1 if the check holds; else records the failure and returns 0. */
int oh_test_check(int ok, const char *file, int line, const char *expr);
int oh_test_check_int(long long got, long long want, int equal, const char *file, int line,
                      const char *got_expr, const char *want_expr);
int oh_test_check_ptr(const void *got, const void *want, int equal, const char *file, int line,
                      const char *got_expr, const char *want_expr);
/* Prints a note into the test log (not a failure). */
void oh_test_note(const char *text);
/* Number of failed checks in the running test case so far. */
unsigned oh_test_case_failures(void);

#define OH_RUN(fn) oh_test_run(#fn, fn)
#define OH_CHECK(cond) oh_test_check(!!(cond), __FILE__, __LINE__, #cond)
#define OH_CHECK_EQ_INT(got, want) \
  oh_test_check_int((long long)(got), (long long)(want), 1, __FILE__, __LINE__, #got, #want)
#define OH_CHECK_NE_INT(got, want) \
  oh_test_check_int((long long)(got), (long long)(want), 0, __FILE__, __LINE__, #got, #want)
#define OH_CHECK_EQ_PTR(got, want) \
  oh_test_check_ptr((const void *)(got), (const void *)(want), 1, __FILE__, __LINE__, #got, #want)
#define OH_CHECK_NE_PTR(got, want) \
  oh_test_check_ptr((const void *)(got), (const void *)(want), 0, __FILE__, __LINE__, #got, #want)
/* Stops the current test case when the check fails (use before dereferencing). */
#define OH_REQUIRE(cond) \
  do { if (!OH_CHECK(cond)) return; } while (0)

#ifdef __cplusplus
}
#endif

#endif /* OH_TEST_H */
