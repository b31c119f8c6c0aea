// Unit tests of the fixed-capacity text formatter (core/common/text.hpp).
#include <gtest/gtest.h>

#include <string>

#include "common/text.hpp"

using omniheap::Text;

TEST(Text, FormatsNumbersAndColumns) {
  Text<64> t;
  t.decimal(0).put(' ').decimal(18446744073709551615ULL);
  EXPECT_EQ(std::string(t.c_str()), "0 18446744073709551615");
  t.clear();
  t.right(42, 6).left("ab", 4).put('|').right("x", 3);
  EXPECT_EQ(std::string(t.c_str()), "    42ab  |  x");
  t.clear();
  t.left("truncated", 4);
  EXPECT_EQ(std::string(t.c_str()), "trun");
  t.clear();
  t.hex(0).put(' ').hex(0x2000ABCDU);
  EXPECT_EQ(std::string(t.c_str()), "0x0 0x2000abcd");
}

TEST(Text, NeverOverflows) {
  Text<8> t;
  t.put("0123456789");
  EXPECT_EQ(t.size(), 7U);
  EXPECT_EQ(std::string(t.c_str()), "0123456");
  t.decimal(99);
  EXPECT_EQ(t.size(), 7U);
}
