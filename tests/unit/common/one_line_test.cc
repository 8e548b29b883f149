#include "registry/common/one_line.h"

#include <gtest/gtest.h>

namespace medmij {
namespace {

using namespace std::string_literals;

TEST(OneLine, EscapesEveryControlCharacter) {
  EXPECT_EQ(OneLine("a\nb\rc\td"), "a\\nb\\rc\\td");
  EXPECT_EQ(OneLine("\0x\x1b[2J\x7f"s), "\\x00x\\x1b[2J\\x7f");
  EXPECT_EQ(OneLine("next\xc2\x85line \xc2\x9b"), "next\\xc2\\x85line \\xc2\\x9b");  // C1: NEL, CSI
}

TEST(OneLine, KeepsPrintableTextAndIsIdempotent) {
  const std::string kept = "caf\xc3\xa9 \xc2\xa0 \\n \xff broken";  // U+00A0 is not a control
  EXPECT_EQ(OneLine(kept), kept);
  const std::string once = OneLine("x\n\0y\xc2\x80"s);
  EXPECT_EQ(OneLine(once), once);
  EXPECT_EQ(OneLine("trailing \xc2"), "trailing \xc2");
}

}  // namespace
}  // namespace medmij
