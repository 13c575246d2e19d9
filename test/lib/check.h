//===- check.h - counting checks for nncc's C test programs --------*- C
//-*-===//
//
// The runtime's unit tests and the end-to-end harness check many behaviours
// in one run: each CHECK counts a pass or prints the failed condition and its
// line, and check_report() prints the closing "N passed, M failed" line the
// lit tests match.
//
//===----------------------------------------------------------------------===//

#ifndef NNCC_TEST_LIB_CHECK_H
#define NNCC_TEST_LIB_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_num_passed = 0;
static int check_num_failed = 0;

/// Records one check; on failure prints where and what, then keeps going so a
/// single run reports every broken behaviour.
static void check(int ok, const char *what, int line) {
  if (ok) {
    ++check_num_passed;
    return;
  }
  ++check_num_failed;
  printf("FAILED line %d: %s\n", line, what);
}

#define CHECK(cond) check((cond) ? 1 : 0, #cond, __LINE__)
#define CHECK_STR(actual, expected)                                            \
  check(strcmp((actual), (expected)) == 0, #actual " == " #expected, __LINE__)
#define CHECK_CONTAINS(actual, part)                                           \
  check(strstr((actual), (part)) != NULL, #actual " contains " #part, __LINE__)

/// Prints "N passed, M failed"; returns the process exit code.
static int check_report(void) {
  printf("%d passed, %d failed\n", check_num_passed, check_num_failed);
  return check_num_failed == 0 ? 0 : 1;
}

#endif // NNCC_TEST_LIB_CHECK_H
