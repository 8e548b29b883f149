#include "registry/common/time.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

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

// The one supported range, 1970-01-01T00:00:00Z to 9999-12-31T23:59:59Z inclusive, to the
// millisecond: the last second is in whole, so the latest instant is 23:59:59.999.
TEST(TimeRangeTest, EdgesAreTheDocumentedInstants) {
  EXPECT_EQ(ToMillis(kEarliestTime), 0);
  EXPECT_EQ(ToMillis(kLatestTime), 253402300799999);
  EXPECT_EQ(FormatTime(kEarliestTime), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatTime(kLatestTime), "9999-12-31T23:59:59.999Z");
  EXPECT_EQ(std::string(kTimeRangeText), "1970-01-01T00:00:00Z to 9999-12-31T23:59:59Z");
  EXPECT_TRUE(InTimeRange(kEarliestTime));
  EXPECT_TRUE(InTimeRange(kLatestTime));
  EXPECT_FALSE(InTimeRange(kEarliestTime - Millis(1)));
  EXPECT_FALSE(InTimeRange(kLatestTime + Millis(1)));
}

TEST(TimeRangeTest, TheEdgesParseInEveryForm) {
  const std::pair<const char*, DateMeaning> lower[] = {
      {"1970-01-01", DateMeaning::kStartOfDay},
      {"1970-01-01T00:00Z", DateMeaning::kStartOfDay},
      {"1970-01-01T00:00:00Z", DateMeaning::kEndOfDay},
      {"1970-01-01T00:00:00.000Z", DateMeaning::kStartOfDay},
      {"1970-01-01T01:00:00+01:00", DateMeaning::kStartOfDay},
      {"1969-12-31T23:00:00-01:00", DateMeaning::kStartOfDay},
      {"1969-12-31T00:01:00-23:59", DateMeaning::kEndOfDay},
  };
  for (const auto& [text, meaning] : lower) {
    auto t = ParseTime(text, "f", meaning);
    ASSERT_TRUE(t.ok()) << text << ": " << t.status().message();
    EXPECT_EQ(*t, kEarliestTime) << text;
  }
  const std::pair<const char*, DateMeaning> upper[] = {
      {"9999-12-31T23:59:59.999Z", DateMeaning::kStartOfDay},
      {"9999-12-31T23:59:59.999Z", DateMeaning::kEndOfDay},
      {"9999-12-31T18:59:59.999-05:00", DateMeaning::kStartOfDay},
  };
  for (const auto& [text, meaning] : upper) {
    auto t = ParseTime(text, "f", meaning);
    ASSERT_TRUE(t.ok()) << text << ": " << t.status().message();
    EXPECT_EQ(*t, kLatestTime) << text;
  }
  // 23:59:59 itself, the last day's start and a date whose end is the last day's start.
  EXPECT_EQ(FormatTime(*ParseTime("9999-12-31T23:59:59Z", "f")), "9999-12-31T23:59:59.000Z");
  EXPECT_EQ(FormatTime(*ParseTime("9999-12-31", "f")), "9999-12-31T00:00:00.000Z");
  EXPECT_EQ(FormatTime(*ParseTime("9999-12-30", "f", DateMeaning::kEndOfDay)),
            "9999-12-31T00:00:00.000Z");
  EXPECT_EQ(FormatTime(*ParseTime("1970-01-01", "f", DateMeaning::kEndOfDay)),
            "1970-01-02T00:00:00.000Z");
  // Digits beyond the millisecond are dropped before the check (rounded down, as everywhere).
  EXPECT_EQ(*ParseTime("9999-12-31T23:59:59.9999999Z", "f"), kLatestTime);
}

TEST(TimeRangeTest, OnePastEitherEdgeIsRefusedNamingTheFieldAndTheRange) {
  const std::pair<const char*, DateMeaning> outside[] = {
      // Before the lower edge.
      {"1969-12-31T23:59:59.999Z", DateMeaning::kStartOfDay},
      {"1969-12-31T23:59:59Z", DateMeaning::kStartOfDay},
      {"1970-01-01T00:00:00+00:01", DateMeaning::kStartOfDay},
      {"1970-01-01T00:59:59.999+01:00", DateMeaning::kStartOfDay},
      {"1970-01-01T23:58:59.999+23:59", DateMeaning::kEndOfDay},
      {"1969-12-31", DateMeaning::kStartOfDay},
      // Its end is 1970-01-01T00:00:00Z, but the day itself lies before the range.
      {"1969-12-31", DateMeaning::kEndOfDay},
      {"0001-01-01", DateMeaning::kStartOfDay},
      {"0000-01-01", DateMeaning::kStartOfDay},
      {"1000-06-15T12:00:00Z", DateMeaning::kStartOfDay},
      // After the upper edge.
      {"9999-12-31", DateMeaning::kEndOfDay},  // the end of that day: 10000-01-01T00:00:00Z
      {"9999-12-31T23:00:00-05:00", DateMeaning::kStartOfDay},
      {"9999-12-31T23:59:59.999-00:01", DateMeaning::kEndOfDay},
      {"9999-12-31T18:59:59.999-05:01", DateMeaning::kStartOfDay},
      {"9999-12-31T00:01:00-23:59", DateMeaning::kStartOfDay},
      {"10000-01-01", DateMeaning::kStartOfDay},
      {"10000-01-01T00:00:00.000Z", DateMeaning::kStartOfDay},
  };
  for (const auto& [text, meaning] : outside) {
    auto t = ParseTime(text, "--valid-until", meaning);
    ASSERT_FALSE(t.ok()) << text << " parsed as " << FormatTime(*t);
    const std::string& m = t.status().message();
    EXPECT_EQ(t.status().code(), Status::Code::kInvalidArgument) << text;
    EXPECT_EQ(m.rfind("--valid-until: '" + std::string(text) + "' ", 0), 0u) << m;
    EXPECT_NE(m.find("outside the supported range 1970-01-01T00:00:00Z to 9999-12-31T23:59:59Z"),
              std::string::npos)
        << m;
    EXPECT_EQ(m.find("calendar"), std::string::npos) << m;
    EXPECT_EQ(m.find('\n'), std::string::npos) << m;
  }
  // The date-only end-of-day case says why a date inside the range is refused.
  auto end = ParseTime("9999-12-31", "--valid-until", DateMeaning::kEndOfDay);
  EXPECT_NE(end.status().message().find("end of that day"), std::string::npos)
      << end.status().message();
  // A day that does not exist is still that, inside the range or not.
  for (const char* bad : {"2026-02-30", "1969-02-29", "9999-02-29", "2026-00-10"}) {
    auto t = ParseTime(bad, "f");
    ASSERT_FALSE(t.ok()) << bad;
    EXPECT_NE(t.status().message().find("no such calendar date"), std::string::npos)
        << t.status().message();
  }
}

TEST(TimeRangeTest, CheckTimeRangeNamesTheFieldAndTheInstant) {
  EXPECT_TRUE(CheckTimeRange(kEarliestTime, "f").ok());
  EXPECT_TRUE(CheckTimeRange(kLatestTime, "f").ok());
  Status s = CheckTimeRange(kLatestTime + Millis(1), "deadline");
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "deadline: 10000-01-01T00:00:00.000Z is outside the supported range "
            "1970-01-01T00:00:00Z to 9999-12-31T23:59:59Z, inclusive");
  EXPECT_EQ(CheckTimeRange(kEarliestTime - Millis(1), "at").message(),
            "at: 1969-12-31T23:59:59.999Z is outside the supported range "
            "1970-01-01T00:00:00Z to 9999-12-31T23:59:59Z, inclusive");
  // Instants no calendar year holds are named by their milliseconds.
  for (Time t : {Time::max(), Time::min()}) {
    Status far = CheckTimeRange(t, "f");
    EXPECT_FALSE(far.ok());
    EXPECT_NE(far.message().find(std::to_string(ToMillis(t)) + " ms"), std::string::npos)
        << far.message();
  }
}

TEST(TimeRangeTest, EverythingInTheRangeRoundTripsThroughItsText) {
  // FormatTime writes what ParseTime reads back to the same instant, at both edges and between.
  std::vector<Time> samples = {kEarliestTime, kEarliestTime + Millis(1), kLatestTime,
                               kLatestTime - Millis(1), kLatestTime - Days(1)};
  for (int64_t step = 1; step < 400; ++step) {
    samples.push_back(FromMillis(ToMillis(kLatestTime) / 400 * step + step * 7919));
  }
  for (Time t : samples) {
    ASSERT_TRUE(InTimeRange(t));
    auto back = ParseTime(FormatTime(t), "f");
    ASSERT_TRUE(back.ok()) << FormatTime(t) << ": " << back.status().message();
    EXPECT_EQ(*back, t) << FormatTime(t);
    auto ts = ParseTime(FormatTijdstempel(t), "f");
    ASSERT_TRUE(ts.ok()) << FormatTijdstempel(t);
    EXPECT_EQ(*ts, FloorToSecond(t));
    auto day = ParseTime(FormatDate(t), "f");
    ASSERT_TRUE(day.ok()) << FormatDate(t);
    EXPECT_EQ(*day, std::chrono::floor<Days>(t));
  }
}

}  // namespace
}  // namespace medmij
