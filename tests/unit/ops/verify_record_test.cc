// registry/ops/verify_record.h: the last `journal verify` outcome, a hint file beside data.mdb.
#include "registry/ops/verify_record.h"

#include <sys/stat.h>

#include <fstream>

#include <gtest/gtest.h>

#include "tests/support/process.h"

namespace medmij::ops {
namespace {

TEST(VerifyRecord, RoundTripsPassedAndFailedAndIsPrivate) {
  testing::TempDir dir;
  EXPECT_EQ(ReadVerifyRecord(dir.path()), std::nullopt);
  auto at = ParseTime("2026-12-03T08:00:00.250Z", "test");
  ASSERT_TRUE(at.ok());
  const VerifyRecord passed{*at, "carol", "journal verify", true, 42, ""};
  ASSERT_TRUE(RecordVerify(dir.path(), passed).ok());
  EXPECT_EQ(ReadVerifyRecord(dir.path()), passed);
  struct stat st {};
  ASSERT_EQ(stat((dir / kVerifyRecordFile).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  const VerifyRecord failed{*at + Days(1), "dave", "journal verify",
                            false,         0,      "journal event 3: hash mismatch (altered)"};
  ASSERT_TRUE(RecordVerify(dir.path(), failed).ok());
  EXPECT_EQ(ReadVerifyRecord(dir.path()), failed);
}

TEST(VerifyRecord, AFileThatDoesNotDecodeIsNoRecord) {
  testing::TempDir dir;
  for (const char* text : {"not json", "[]",
                           "{\"at\":\"yesterday\",\"by\":\"x\",\"command\":\"c\","
                           "\"ok\":true,\"events\":1,\"error\":\"\"}",
                           "{\"at\":\"2026-12-03T08:00:00.000Z\"}"}) {
    std::ofstream(dir / kVerifyRecordFile) << text;
    EXPECT_EQ(ReadVerifyRecord(dir.path()), std::nullopt) << text;
  }
}

TEST(VerifyRecord, NothingIsRecordedBesideABackupFile) {
  testing::TempDir dir;
  const auto backup = dir / "backup.mdb";
  std::ofstream(backup) << "x";
  EXPECT_TRUE(RecordVerify(backup, VerifyRecord{}).ok());
  EXPECT_EQ(ReadVerifyRecord(backup), std::nullopt);
}

}  // namespace
}  // namespace medmij::ops
