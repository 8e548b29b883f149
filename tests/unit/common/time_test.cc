#include "registry/common/time.h"

#include <gtest/gtest.h>

namespace medmij {
namespace {

TEST(TimeTest, DateMeansStartOrEndOfDay) {
  auto start = ParseTime("2026-11-22", "f");
  ASSERT_TRUE(start.ok());
  EXPECT_EQ(FormatTime(*start), "2026-11-22T00:00:00.000Z");
  auto end = ParseTime("2026-11-22", "f", DateMeaning::kEndOfDay);
  ASSERT_TRUE(end.ok());
  EXPECT_EQ(FormatTime(*end), "2026-11-23T00:00:00.000Z");
}

TEST(TimeTest, DateTimeWithZones) {
  EXPECT_EQ(FormatTime(*ParseTime("2026-11-22T10:00:00Z", "f")), "2026-11-22T10:00:00.000Z");
  EXPECT_EQ(FormatTime(*ParseTime("2026-11-22T10:00Z", "f")), "2026-11-22T10:00:00.000Z");
  EXPECT_EQ(FormatTime(*ParseTime("2026-11-22T10:00:00.5Z", "f")), "2026-11-22T10:00:00.500Z");
  EXPECT_EQ(FormatTime(*ParseTime("2026-11-22T10:00:00.123456Z", "f")), "2026-11-22T10:00:00.123Z");
  EXPECT_EQ(FormatTime(*ParseTime("2026-11-22T11:00:00+01:00", "f")), "2026-11-22T10:00:00.000Z");
  EXPECT_EQ(FormatTime(*ParseTime("2026-11-22T00:30:00-01:00", "f")), "2026-11-22T01:30:00.000Z");
}

TEST(TimeTest, TijdstempelIsUtcInWholeSeconds) {
  // As the official examples write it (20 characters); a fraction is dropped, never rounded up
  // into the next second.
  EXPECT_EQ(FormatTijdstempel(*ParseTime("2026-12-01T19:52:17.999Z", "f")), "2026-12-01T19:52:17Z");
  EXPECT_EQ(FormatTijdstempel(*ParseTime("2026-12-01T20:52:17+01:00", "f")),
            "2026-12-01T19:52:17Z");
  EXPECT_EQ(FormatTijdstempel(*ParseTime("2028-02-29T23:59:59.5Z", "f")), "2028-02-29T23:59:59Z");
  EXPECT_EQ(FormatTijdstempel(*ParseTime("2026-01-01", "f")).size(), 20u);
  Time t = *ParseTime("2026-12-01T19:52:17.089Z", "f");
  EXPECT_EQ(FloorToSecond(t), *ParseTime("2026-12-01T19:52:17Z", "f"));
  EXPECT_EQ(FloorToSecond(FloorToSecond(t)), FloorToSecond(t));
}

TEST(TimeTest, RefusesBadInputNamingTheField) {
  for (const char* bad : {"", "2026", "2026-13-01", "2026-02-30", "2026-11-22T25:00Z",
                          "2026-11-22T10:00:00", "2026-11-22 10:00Z", "2026-11-22T10:00Zjunk",
                          "1969-12-31", "20261122", "2026-11-22T10:00:00.Z", "abcd-ef-gh"}) {
    auto r = ParseTime(bad, "--valid-until");
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
    EXPECT_NE(r.status().message().find("--valid-until"), std::string::npos) << bad;
  }
}

TEST(TimeTest, LeapDayAndFormatDate) {
  auto t = ParseTime("2028-02-29T23:59:59.999Z", "f");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(FormatDate(*t), "2028-02-29");
  EXPECT_EQ(FormatTime(*t + Millis(1)), "2028-03-01T00:00:00.000Z");
  EXPECT_FALSE(ParseTime("2027-02-29", "f").ok());
}

}  // namespace
}  // namespace medmij
