#include "registry/common/text.h"

#include <gtest/gtest.h>

#include <string>

namespace medmij {
namespace {

TEST(EscapeForDisplay, PrintableTextIsCopied) {
  EXPECT_EQ(EscapeForDisplay("Zorg \xc3\xa9\xc3\xa9n B.V. \\ 'x'"),
            "Zorg \xc3\xa9\xc3\xa9n B.V. \\ 'x'");
}

TEST(EscapeForDisplay, LineBreaksControlsAndFormatCharactersAreEscaped) {
  EXPECT_EQ(EscapeForDisplay("a\nb\rc\td"), "a\\nb\\rc\\td");
  EXPECT_EQ(EscapeForDisplay(std::string("a\0b\x1b[31m\x7f", 9)), "a\\x00b\\x1b[31m\\x7f");
  EXPECT_EQ(EscapeForDisplay("x\xc2\x85y"), "x\\u{0085}y");  // NEL
  EXPECT_EQ(EscapeForDisplay("x\xe2\x80\xa8y\xe2\x80\xa9"), "x\\u{2028}y\\u{2029}");
  EXPECT_EQ(EscapeForDisplay("Acme\xe2\x80\xaeVB"), "Acme\\u{202e}VB");  // RLO
  EXPECT_EQ(EscapeForDisplay("\xe2\x81\xa6x\xe2\x81\xa9"), "\\u{2066}x\\u{2069}");
  EXPECT_EQ(EscapeForDisplay("\xef\xbb\xbfx"), "\\u{feff}x");
  EXPECT_EQ(EscapeForDisplay("\xf3\xa0\x81\x81"), "\\u{e0041}");  // tag letter A
}

TEST(EscapeForDisplay, BrokenUtf8ByteByByte) {
  EXPECT_EQ(EscapeForDisplay("a\xff\xc3"), "a\\xff\\xc3");
  EXPECT_EQ(EscapeForDisplay("\xc0\xaf"), "\\xc0\\xaf");           // overlong
  EXPECT_EQ(EscapeForDisplay("\xed\xa0\x80"), "\\xed\\xa0\\x80");  // surrogate
}

TEST(EscapeForDisplay, CutsAtMaxChars) {
  EXPECT_EQ(EscapeForDisplay("\xc3\xa9\xc3\xa9\xc3\xa9", 2), "\xc3\xa9\xc3\xa9...");
  EXPECT_EQ(EscapeForDisplay("abc", 3), "abc");
}

TEST(IsFormatCharacter, BidiAndInvisibleCharacters) {
  for (char32_t cp : {0x00ad, 0x061c, 0x200b, 0x200c, 0x200d, 0x200e, 0x200f, 0x202a, 0x202e,
                      0x2060, 0x2066, 0x2069, 0xfeff, 0xe0001, 0xe007f}) {
    EXPECT_TRUE(IsFormatCharacter(cp)) << CodePointName(cp);
  }
  for (char32_t cp : {0x41, 0xe9, 0x0627, 0x2028, 0x2070, 0x2029, 0x20ac, 0x1f600, 0xe0080}) {
    EXPECT_FALSE(IsFormatCharacter(cp)) << CodePointName(cp);
  }
  EXPECT_EQ(CodePointName(0x202e), "U+202E");
  EXPECT_EQ(CodePointName(0x0a), "U+000A");
  EXPECT_EQ(CodePointName(0xe0041), "U+E0041");
}

TEST(IsLineBreak, AllTheBreaks) {
  for (char32_t cp : {0x0a, 0x0b, 0x0c, 0x0d, 0x85, 0x2028, 0x2029}) {
    EXPECT_TRUE(IsLineBreak(cp)) << CodePointName(cp);
  }
  EXPECT_FALSE(IsLineBreak(0x09));
  EXPECT_FALSE(IsLineBreak(0x20));
}

}  // namespace
}  // namespace medmij
