#include "fetch/units.h"

#include <gtest/gtest.h>

#include "fetch/fetcher.h"

namespace medmij::fetch {
namespace {

TEST(DurationTest, SecondsMinutesHoursAndPlainSeconds) {
  EXPECT_EQ(*ParseDuration("30s", "f"), Millis(30'000));
  EXPECT_EQ(*ParseDuration("15m", "f"), Millis(900'000));
  EXPECT_EQ(*ParseDuration("1h", "f"), Millis(3'600'000));
  EXPECT_EQ(*ParseDuration("90", "f"), Millis(90'000));
}

TEST(DurationTest, AnythingElseIsNamed) {
  for (const char* bad : {"", "0", "0s", "-5s", "+5s", "1.5s", "5 s", "5d", "5ms", "s", "1h30m",
                          "9999999999", "8785h"}) {
    auto d = ParseDuration(bad, "--deadline");
    ASSERT_FALSE(d.ok()) << bad;
    EXPECT_EQ(d.status().message().rfind("--deadline: '", 0), 0u) << d.status().message();
  }
}

TEST(DurationTest, FormatsInTheLargestExactUnit) {
  EXPECT_EQ(FormatDuration(Millis(3'600'000)), "1h");
  EXPECT_EQ(FormatDuration(Millis(5'400'000)), "90m");
  EXPECT_EQ(FormatDuration(Millis(90'000)), "90s");
  EXPECT_EQ(FormatDuration(Millis(1'500)), "1.5s");
}

TEST(ByteSizeTest, BytesAndBinaryUnits) {
  EXPECT_EQ(*ParseByteSize("1024", "f"), 1024u);
  EXPECT_EQ(*ParseByteSize("1KiB", "f"), 1024u);
  EXPECT_EQ(*ParseByteSize("512MiB", "f"), uint64_t{512} << 20);
  EXPECT_EQ(*ParseByteSize("2GiB", "f"), uint64_t{2} << 30);
  for (const char* bad : {"", "0", "1k", "1MB", "-1", "1.5MiB", "1025GiB"}) {
    auto s = ParseByteSize(bad, "--max-size");
    ASSERT_FALSE(s.ok()) << bad;
    EXPECT_EQ(s.status().message().rfind("--max-size: '", 0), 0u);
  }
}

TEST(BackoffTest, DoublesWithJitterUpToACap) {
  EXPECT_EQ(BackoffDelay(1, 0.0), Millis(500));
  EXPECT_EQ(BackoffDelay(1, 0.999), Millis(999));
  EXPECT_EQ(BackoffDelay(2, 0.0), Millis(1000));
  EXPECT_EQ(BackoffDelay(3, 0.5), Millis(3000));
  EXPECT_EQ(BackoffDelay(20, 0.0), Millis(15'000));
  EXPECT_EQ(BackoffDelay(1000, 1.0), Millis(30'000));
  for (int attempt = 1; attempt < 12; ++attempt) {
    EXPECT_LE(BackoffDelay(attempt, 0.3), BackoffDelay(attempt + 1, 0.3));
  }
}

TEST(FailureTest, OnlyWhatAnotherAttemptMayCureIsRetried) {
  EXPECT_TRUE(Retryable({Reason::kConnect, ""}, 0));
  EXPECT_TRUE(Retryable({Reason::kTimeout, ""}, 0));
  EXPECT_TRUE(Retryable({Reason::kTruncated, ""}, 0));
  EXPECT_TRUE(Retryable({Reason::kHttpStatus, ""}, 500));
  EXPECT_TRUE(Retryable({Reason::kHttpStatus, ""}, 503));
  EXPECT_TRUE(Retryable({Reason::kHttpStatus, ""}, 429));
  EXPECT_FALSE(Retryable({Reason::kHttpStatus, ""}, 404));
  EXPECT_FALSE(Retryable({Reason::kHttpStatus, ""}, 301));
  for (Reason r : {Reason::kTls, Reason::kTooLarge, Reason::kInvalid, Reason::kRollback,
                   Reason::kFreeze, Reason::kIo, Reason::kInsecureHttp}) {
    EXPECT_FALSE(Retryable({r, ""}, 0)) << ToString(r);
  }
  for (Reason r : kAllReasons) EXPECT_EQ(ParseReason(ToString(r)), r);
  EXPECT_FALSE(ParseReason("bogus"));
}

}  // namespace
}  // namespace medmij::fetch
