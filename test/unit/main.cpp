// GoogleTest runner of the C++ unit tests: prints the closing line
// "N passed, N failed" that test/run-all.sh sums over every lane.
#include <gtest/gtest.h>

#include <cstdio>

int main(int argc, char **argv) {
  ::testing::InitGoogleTest(&argc, argv);
  const int rc = RUN_ALL_TESTS();
  const ::testing::UnitTest &u = *::testing::UnitTest::GetInstance();
  std::printf("%d passed, %d failed\n", u.successful_test_count(), u.failed_test_count());
  return rc;
}
