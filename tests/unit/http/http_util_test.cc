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

const Time kNow = At("2026-12-01T12:00:00Z");

TEST(HttpDate, ParsesWhatItFormatsAndRefusesTheRest) {
  EXPECT_EQ(ParseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT", kNow), At("1994-11-06T08:49:37Z"));
  EXPECT_FALSE(ParseHttpDate("Mon, 06 Nov 1994 08:49:37 GMT", kNow));  // wrong weekday
  EXPECT_FALSE(ParseHttpDate("Sun, 31 Nov 1994 08:49:37 GMT", kNow));
  EXPECT_FALSE(ParseHttpDate("Sun, 06 Nov 1994 24:49:37 GMT", kNow));
  EXPECT_FALSE(ParseHttpDate("Sun, 06 Nov 1994 08:49:37 UTC", kNow));
  EXPECT_FALSE(ParseHttpDate("Sun,  6 Nov 1994 08:49:37 GMT", kNow));
  EXPECT_FALSE(ParseHttpDate("", kNow));
}

// RFC 9110 5.6.7: "Recipients of timestamp values are encouraged to be robust in parsing
// timestamps unless otherwise restricted by the field definition", and a recipient MUST
// accept all three formats.
TEST(HttpDate, ParsesTheObsoleteRfc850AndAsctimeFormats) {
  EXPECT_EQ(ParseHttpDate("Sunday, 06-Nov-94 08:49:37 GMT", kNow), At("1994-11-06T08:49:37Z"));
  EXPECT_EQ(ParseHttpDate("Sun Nov  6 08:49:37 1994", kNow), At("1994-11-06T08:49:37Z"));
  EXPECT_EQ(ParseHttpDate("Sun Nov 06 08:49:37 1994", kNow), At("1994-11-06T08:49:37Z"));
  EXPECT_EQ(ParseHttpDate("Tuesday, 01-Dec-26 11:59:59 GMT", kNow), At("2026-12-01T11:59:59Z"));
  EXPECT_EQ(ParseHttpDate("Tue Dec  1 11:59:59 2026", kNow), At("2026-12-01T11:59:59Z"));
  EXPECT_FALSE(ParseHttpDate("Sun, 06-Nov-94 08:49:37 GMT", kNow));     // short day name
  EXPECT_FALSE(ParseHttpDate("Monday, 06-Nov-94 08:49:37 GMT", kNow));  // wrong weekday
  EXPECT_FALSE(ParseHttpDate("Sunday, 06-Nov-1994 08:49:37 GMT", kNow));
  EXPECT_FALSE(ParseHttpDate("Mon Nov  6 08:49:37 1994", kNow));  // wrong weekday
  EXPECT_FALSE(ParseHttpDate("Sun Nov  6 08:49:37 1994 GMT", kNow));
  EXPECT_FALSE(ParseHttpDate("Sun Nov 6 08:49:37 1994", kNow));
}

TEST(HttpDate, Rfc850TwoDigitYearsAreAtMostFiftyYearsAhead) {
  // In 2026: "76" is 2076 (50 years ahead), "77" is 1977.
  EXPECT_EQ(ParseHttpDate("Wednesday, 01-Jan-76 00:00:00 GMT", kNow), At("2076-01-01T00:00:00Z"));
  EXPECT_EQ(ParseHttpDate("Saturday, 01-Jan-77 00:00:00 GMT", kNow), At("1977-01-01T00:00:00Z"));
  EXPECT_EQ(ParseHttpDate("Saturday, 01-Jan-00 00:00:00 GMT", kNow), At("2000-01-01T00:00:00Z"));
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
  EXPECT_TRUE(NotModifiedSince("Sun, 22 Nov 2026 10:00:00 GMT", lm, kNow));
  EXPECT_TRUE(NotModifiedSince("Sun, 22 Nov 2026 11:00:00 GMT", lm, kNow));
  EXPECT_FALSE(NotModifiedSince("Sun, 22 Nov 2026 09:59:59 GMT", lm, kNow));
  EXPECT_FALSE(NotModifiedSince("yesterday", lm, kNow));
  EXPECT_TRUE(NotModifiedSince("Sunday, 22-Nov-26 10:00:00 GMT", lm, kNow));
  EXPECT_FALSE(NotModifiedSince("Sunday, 22-Nov-26 09:59:59 GMT", lm, kNow));
  EXPECT_TRUE(NotModifiedSince("Sun Nov 22 10:00:00 2026", lm, kNow));
  EXPECT_FALSE(NotModifiedSince("Sun Nov 22 09:59:59 2026", lm, kNow));
}

TEST(AcceptEncoding, GzipByNameOrStarWithQValues) {
  EXPECT_TRUE(AcceptsGzip("gzip"));
  EXPECT_TRUE(AcceptsGzip("GZip"));
  EXPECT_TRUE(AcceptsGzip("x-gzip"));
  EXPECT_TRUE(AcceptsGzip("deflate, gzip;q=0.5, br"));
  EXPECT_TRUE(AcceptsGzip("gzip ; q=1"));
  EXPECT_TRUE(AcceptsGzip("gzip;q=1.000"));
  EXPECT_TRUE(AcceptsGzip("*"));
  EXPECT_TRUE(AcceptsGzip("br, *;q=0.1"));
  EXPECT_TRUE(AcceptsGzip("gzip;q=0.001"));
  EXPECT_FALSE(AcceptsGzip(std::nullopt));
  EXPECT_FALSE(AcceptsGzip(""));
  EXPECT_FALSE(AcceptsGzip("identity"));
  EXPECT_FALSE(AcceptsGzip("deflate, br"));
  EXPECT_FALSE(AcceptsGzip("gzip;q=0"));
  EXPECT_FALSE(AcceptsGzip("gzip;q=0.000"));
  EXPECT_FALSE(AcceptsGzip("*, gzip;q=0"));  // named beats '*'
  EXPECT_FALSE(AcceptsGzip("*;q=0"));
  EXPECT_FALSE(AcceptsGzip("gzipper"));
  EXPECT_FALSE(AcceptsGzip("gzip;q=2"));  // not a qvalue: the member is ignored
  EXPECT_FALSE(AcceptsGzip("gzip;level=9"));
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
