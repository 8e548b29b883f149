#include "fetch/report.h"

#include <gtest/gtest.h>

namespace medmij::fetch {
namespace {

const Time kNow = *ParseTime("2026-11-22T12:00:00Z", "t");
const Millis kHour(3'600'000);

ListRun MakeRun(ListKind list, Outcome outcome, std::optional<Time> confirmed) {
  ListRun r;
  r.list = list;
  r.url = "https://r.example/signed/" + std::string(PublishedFileName(list));
  r.outcome = outcome;
  r.attempts = 1;
  if (confirmed) {
    r.record.installed = signer::AcceptedVersion{7, std::string(64, 'a'), "2026-11-22T09:00:00Z"};
    r.record.last_confirmed = confirmed;
    r.record.last_change = *ParseTime("2026-11-22T09:00:01.250Z", "t");
  }
  if (outcome == Outcome::kFailed) r.failure = Failure{Reason::kHttpStatus, "HTTP 500"};
  return r;
}

TEST(ReportTest, StaleMeansUnconfirmedForMaxStaleOrNever) {
  ListRecord r;
  EXPECT_TRUE(IsStale(r, kNow, kHour));
  r.last_confirmed = kNow - Millis(3'599'999);
  EXPECT_FALSE(IsStale(r, kNow, kHour));
  r.last_confirmed = kNow - kHour;
  EXPECT_TRUE(IsStale(r, kNow, kHour));
}

TEST(ReportTest, ExitCodes) {
  const Time fresh = kNow - Millis(60'000), old = kNow - 2 * kHour;
  EXPECT_EQ(ExitCode({MakeRun(ListKind::kWhitelist, Outcome::kUpdated, kNow),
                      MakeRun(ListKind::kOAuthClientList, Outcome::kNotModified, kNow)},
                     kNow, kHour),
            kExitCurrent);
  EXPECT_EQ(ExitCode({MakeRun(ListKind::kWhitelist, Outcome::kUpdated, kNow),
                      MakeRun(ListKind::kOAuthClientList, Outcome::kFailed, fresh)},
                     kNow, kHour),
            kExitFailed);
  EXPECT_EQ(ExitCode({MakeRun(ListKind::kWhitelist, Outcome::kFailed, fresh),
                      MakeRun(ListKind::kOAuthClientList, Outcome::kFailed, old)},
                     kNow, kHour),
            kExitStale);
  EXPECT_EQ(ExitCode({MakeRun(ListKind::kWhitelist, Outcome::kFailed, std::nullopt)}, kNow, kHour),
            kExitStale);
}

TEST(ReportTest, MetricsInTheTextfileCollectorFormat) {
  ListRun failed = MakeRun(ListKind::kOAuthClientList, Outcome::kFailed, std::nullopt);
  failed.record.failures[Reason::kHttpStatus] = 3;
  const std::string text =
      MetricsText({MakeRun(ListKind::kWhitelist, Outcome::kUpdated, kNow), failed});
  EXPECT_NE(text.find("# TYPE medmij_fetch_volgnummer gauge\n"
                      "medmij_fetch_volgnummer{list=\"whitelist\"} 7\n"
                      "medmij_fetch_volgnummer{list=\"oauthclientlist\"} 0\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("medmij_fetch_last_confirmed_timestamp_seconds{list=\"whitelist\"} "
                      "1795348800.000\n"),
            std::string::npos)
      << text;
  EXPECT_NE(
      text.find("medmij_fetch_last_confirmed_timestamp_seconds{list=\"oauthclientlist\"} 0\n"),
      std::string::npos);
  EXPECT_NE(text.find("medmij_fetch_last_change_timestamp_seconds{list=\"whitelist\"} "
                      "1795338001.250\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("# TYPE medmij_fetch_failures_total counter\n"), std::string::npos);
  EXPECT_NE(
      text.find("medmij_fetch_failures_total{list=\"oauthclientlist\",reason=\"http_status\"} 3\n"),
      std::string::npos);
  // Every reason is listed for every list, so a rate() has a series from the start.
  for (Reason r : kAllReasons) {
    EXPECT_NE(text.find("medmij_fetch_failures_total{list=\"whitelist\",reason=\"" +
                        std::string(ToString(r)) + "\"} 0\n"),
              std::string::npos)
        << ToString(r);
  }
  // Every line is a comment or `name{labels} value`.
  size_t at = 0;
  while (at < text.size()) {
    const size_t end = text.find('\n', at);
    ASSERT_NE(end, std::string::npos);
    const std::string line = text.substr(at, end - at);
    EXPECT_TRUE(line.rfind("# HELP ", 0) == 0 || line.rfind("# TYPE ", 0) == 0 ||
                (line.find("} ") != std::string::npos && line.rfind("medmij_fetch_", 0) == 0))
        << line;
    at = end + 1;
  }
}

TEST(ReportTest, JsonDocument) {
  const nlohmann::json j = RunJson(
      {MakeRun(ListKind::kWhitelist, Outcome::kFailed, kNow - Millis(1000))}, kNow, kHour, 1);
  EXPECT_EQ(j["exit_code"], 1);
  EXPECT_EQ(j["now"], "2026-11-22T12:00:00.000Z");
  EXPECT_EQ(j["max_stale_seconds"], 3600);
  const nlohmann::json e = j["lists"][0];
  EXPECT_EQ(e["list"], "whitelist");
  EXPECT_EQ(e["outcome"], "failed");
  EXPECT_EQ(e["volgnummer"], 7);
  EXPECT_EQ(e["stale"], false);
  EXPECT_EQ(e["last_confirmed"], "2026-11-22T11:59:59.000Z");
  EXPECT_EQ(e["error"]["reason"], "http_status");
  EXPECT_EQ(e["error"]["message"], "HTTP 500");
}

}  // namespace
}  // namespace medmij::fetch
