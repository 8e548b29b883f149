#include "registry/http/http_util.h"

#include <gtest/gtest.h>

namespace medmij::http {
namespace {

Time At(const char* iso) {
  return ParseTime(iso, "t").value();
}

TEST(HttpDate, FormatsImfFixdate) {
  EXPECT_EQ(FormatHttpDate(At("1994-11-06T08:49:37.250Z")), "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_EQ(FormatHttpDate(At("2026-11-22T00:00:00Z")), "Sun, 22 Nov 2026 00:00:00 GMT");
}

TEST(HttpDate, ParsesWhatItFormatsAndRefusesTheRest) {
  EXPECT_EQ(ParseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT"), At("1994-11-06T08:49:37Z"));
  EXPECT_FALSE(ParseHttpDate("Mon, 06 Nov 1994 08:49:37 GMT"));  // wrong weekday
  EXPECT_FALSE(ParseHttpDate("Sunday, 06-Nov-94 08:49:37 GMT"));
  EXPECT_FALSE(ParseHttpDate("Sun, 31 Nov 1994 08:49:37 GMT"));
  EXPECT_FALSE(ParseHttpDate("Sun, 06 Nov 1994 24:49:37 GMT"));
  EXPECT_FALSE(ParseHttpDate(""));
}

TEST(Etag, StrongSha256) {
  EXPECT_EQ(StrongEtag("abc"),
            "\"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\"");
}

TEST(IfNoneMatch, ListsStarAndWeakComparison) {
  const std::string tag = "\"abc\"";
  EXPECT_TRUE(IfNoneMatchMatches("\"abc\"", tag));
  EXPECT_TRUE(IfNoneMatchMatches("W/\"abc\"", tag));
  EXPECT_TRUE(IfNoneMatchMatches("\"x\", W/\"abc\" ,\"y\"", tag));
  EXPECT_TRUE(IfNoneMatchMatches(" * ", tag));
  EXPECT_FALSE(IfNoneMatchMatches("\"abcd\"", tag));
  EXPECT_FALSE(IfNoneMatchMatches("abc", tag));
  EXPECT_FALSE(IfNoneMatchMatches("", tag));
  EXPECT_FALSE(IfNoneMatchMatches("\"x\", *", tag));  // '*' only on its own
}

TEST(IfModifiedSince, SecondsPrecisionAndInvalidDates) {
  Time lm = At("2026-11-22T10:00:00.500Z");
  EXPECT_TRUE(NotModifiedSince("Sun, 22 Nov 2026 10:00:00 GMT", lm));
  EXPECT_TRUE(NotModifiedSince("Sun, 22 Nov 2026 11:00:00 GMT", lm));
  EXPECT_FALSE(NotModifiedSince("Sun, 22 Nov 2026 09:59:59 GMT", lm));
  EXPECT_FALSE(NotModifiedSince("yesterday", lm));
}

TEST(RejectPath, TraversalAndOddBytes) {
  EXPECT_FALSE(RejectPath("/MedMij_Whitelist.xml"));
  EXPECT_FALSE(RejectPath("/lists/whitelist/versions/3.xml"));
  EXPECT_FALSE(RejectPath("/"));
  EXPECT_TRUE(RejectPath("/../etc/passwd"));
  EXPECT_TRUE(RejectPath("/lists/.."));
  EXPECT_TRUE(RejectPath("/lists/./x"));
  EXPECT_TRUE(RejectPath("/%2e%2e/etc/passwd"));
  EXPECT_TRUE(RejectPath("//etc/passwd"));
  EXPECT_TRUE(RejectPath("/a\\b"));
  EXPECT_TRUE(RejectPath("relative"));
  EXPECT_TRUE(RejectPath("/\x01"));
  EXPECT_TRUE(RejectPath("/caf\xc3\xa9"));
}

}  // namespace
}  // namespace medmij::http
