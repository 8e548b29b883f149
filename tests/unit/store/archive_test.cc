// The archive's stored form: keyframes and deltas (archive_encoding.h) and CompactArchive.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "registry/common/sha256.h"
#include "registry/store/archive_encoding.h"
#include "registry/store/store.h"
#include "tests/unit/store/test_util.h"

namespace medmij::store {
namespace {

using testing::Meta;
using testing::OpenOrDie;
using testing::TempDir;

// A list-like document of `entries` entries, entry `changed` (if any) carrying `mark`: what a
// one-entry change of a real list looks like to the encoder.
std::string Document(int entries, int changed = -1, const std::string& mark = "") {
  std::string doc = "<?xml version=\"1.0\"?>\n<Lijst>\n";
  for (int i = 0; i < entries; ++i) {
    // Appended piece by piece: g++ 12 at -O3 warns falsely (-Wrestrict) on "literal" + string.
    doc += "  <Entry><Naam>provider-";
    doc += std::to_string(i);
    doc += "@medmij</Naam><Url>https://node-";
    doc += std::to_string(i * 7919 % 100003);
    doc += ".example/fhir</Url>";
    if (i == changed) {
      doc += "<Mark>";
      doc += mark;
      doc += "</Mark>";
    }
    doc += "</Entry>\n";
  }
  return doc + "</Lijst>\n";
}

TEST(ArchiveEncodingTest, KeyframesAndDeltasGiveTheBytesBackAndADeltaIsSmall) {
  const std::string base = Document(20000);
  const std::string next = Document(20000, 12345, "changed");
  ASSERT_GT(base.size(), 1'000'000u);

  auto key = archive::EncodeKeyframe(base);
  ASSERT_TRUE(key.ok()) << key.status().message();
  EXPECT_TRUE(archive::IsEncoded(*key));
  EXPECT_LT(key->size(), base.size() / 4);
  EXPECT_EQ(archive::Decode(*key).value(), base);

  auto delta = archive::EncodeDelta(next, 33, base);
  ASSERT_TRUE(delta.ok()) << delta.status().message();
  EXPECT_LT(delta->size(), next.size() / 100);  // a one-entry change: well under 1 %
  auto header = archive::ParseHeader(*delta).value();
  EXPECT_EQ(header.kind, archive::Kind::kDelta);
  EXPECT_EQ(header.base_volgnummer, 33u);
  EXPECT_EQ(header.decoded_size, next.size());
  EXPECT_EQ(archive::Decode(*delta, base).value(), next);
  // Against another base the frame does not decode to the version (zstd's checksum).
  EXPECT_FALSE(archive::Decode(*delta, Document(20000, 1, "other")).ok());
}

TEST(ArchiveEncodingTest, XmlIsStoredAsItselfAndDamageIsAnErrorNotACrash) {
  EXPECT_FALSE(archive::IsEncoded("<?xml version=\"1.0\"?><a/>"));
  EXPECT_FALSE(archive::IsEncoded(""));
  const std::string doc = Document(100);
  std::string key = archive::EncodeKeyframe(doc).value();

  std::string flipped = key;
  flipped[flipped.size() / 2] ^= 0x5a;
  EXPECT_FALSE(archive::Decode(flipped).ok());
  EXPECT_FALSE(archive::Decode(key.substr(0, 10)).ok());
  EXPECT_FALSE(archive::Decode(key.substr(0, key.size() - 3)).ok());
  std::string kind = key;
  kind[5] = 'X';
  EXPECT_EQ(archive::Decode(kind).status().message(), "unknown archive encoding kind");
  std::string huge = key;
  huge[21] = '\x7f';  // decoded size's top byte
  EXPECT_FALSE(archive::Decode(huge).ok());
  std::string size = key;
  size[14] ^= 1;  // decoded size differs from the frame's
  EXPECT_EQ(archive::Decode(size).status().message(),
            "archive encoding: the frame's size does not match its header");
}

TEST(ArchiveEncodingTest, EveryThirtySecondVersionIsAKeyframe) {
  EXPECT_EQ(archive::KeyframeOf(1), 1u);
  EXPECT_EQ(archive::KeyframeOf(2), 1u);
  EXPECT_EQ(archive::KeyframeOf(32), 1u);
  EXPECT_EQ(archive::KeyframeOf(33), 33u);
  EXPECT_EQ(archive::KeyframeOf(64), 33u);
  EXPECT_EQ(archive::KeyframeOf(65), 65u);
}

class CompactArchiveTest : public ::testing::Test {
 protected:
  // Archives `count` versions of the Whitelist, each one entry different from the one before.
  void ArchiveVersions(uint64_t from, uint64_t count) {
    for (uint64_t n = from; n < from + count; ++n) {
      std::string mark = "v";
      mark += std::to_string(n);
      std::string bytes = Document(3000, static_cast<int>(n % 3000), mark);
      ListVersion v;
      v.list = ListKind::kWhitelist;
      v.volgnummer = n;
      v.tijdstempel = testing::At("2026-11-22T10:00:00Z") + std::chrono::seconds(n);
      v.sha256 = Sha256Hex(bytes);
      v.size = bytes.size();
      v.content_digest = v.sha256;
      auto w = store_->BeginWrite().value();
      w->PutListVersion(v, bytes);
      ASSERT_TRUE(w->Commit(Meta("publish", "list:whitelist")).ok());
      versions_.push_back(std::move(bytes));
    }
  }
  std::string Bytes(uint64_t n) {
    return store_->BeginRead().value()->GetListBytes(ListKind::kWhitelist, n).value().value();
  }
  std::string Stored(uint64_t n) {
    const std::string digits = std::to_string(n);
    std::string key = "whitelist/";
    key.append(20 - digits.size(), '0').append(digits);
    auto raw = store_->BeginRead().value()->GetRaw(Table::kListBytes, key);
    return raw.value().value();
  }

  TempDir dir_;
  std::unique_ptr<Store> store_ = OpenOrDie(dir_.path(), OpenOptions{.create = true});
  std::vector<std::string> versions_;  // versions_[n - 1] is version n
};

TEST_F(CompactArchiveTest, OlderVersionsBecomeKeyframesAndDeltasAndEveryOneReadsBackWhole) {
  ArchiveVersions(1, 70);
  const uint64_t journal = store_->BeginRead().value()->JournalLength().value();

  auto report = CompactArchive(*store_);
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_EQ(report->recoded, 69u);  // all but the newest
  EXPECT_FALSE(report->more);
  EXPECT_LT(report->bytes_after * 20, report->bytes_before);

  for (uint64_t n = 1; n <= 70; ++n) {
    ASSERT_EQ(Bytes(n), versions_[n - 1]) << "version " << n;
    const std::string stored = Stored(n);
    if (n == 70) {
      EXPECT_EQ(stored, versions_[n - 1]) << "the newest stays whole";
      continue;
    }
    auto header = archive::ParseHeader(stored);
    ASSERT_TRUE(header.ok()) << n;
    EXPECT_EQ(header->kind, n % 32 == 1 ? archive::Kind::kKeyframe : archive::Kind::kDelta) << n;
    if (header->kind == archive::Kind::kDelta) {
      EXPECT_EQ(header->base_volgnummer, archive::KeyframeOf(n));
      EXPECT_LT(stored.size(), versions_[n - 1].size() / 100) << n;
    }
  }
  // No event, and the journal and the replay still agree with the stored state.
  EXPECT_EQ(store_->BeginRead().value()->JournalLength().value(), journal);
  EXPECT_TRUE(store_->VerifyJournal().ok());
  Status check = store_->Check();
  EXPECT_TRUE(check.ok()) << check.message();

  // Nothing left to do; a new version makes the previous newest the next to re-encode.
  EXPECT_EQ(CompactArchive(*store_).value().recoded, 0u);
  ArchiveVersions(71, 1);
  EXPECT_EQ(CompactArchive(*store_).value().recoded, 1u);
  EXPECT_TRUE(archive::IsEncoded(Stored(70)));
  EXPECT_EQ(Bytes(70), versions_[69]);
}

TEST_F(CompactArchiveTest, StopsAtTheLimitAndABackupReadsTheSame) {
  ArchiveVersions(1, 5);
  auto first = CompactArchive(*store_, 2).value();
  EXPECT_EQ(first.recoded, 2u);
  EXPECT_TRUE(first.more);
  EXPECT_EQ(CompactArchive(*store_).value().recoded, 2u);

  const auto backup = dir_.path() / "backup.mdb";
  ASSERT_TRUE(store_->Backup(backup).ok());
  auto copy = OpenOrDie(backup);
  for (uint64_t n = 1; n <= 5; ++n) {
    EXPECT_EQ(copy->BeginRead().value()->GetListBytes(ListKind::kWhitelist, n).value().value(),
              versions_[n - 1]);
  }
}

TEST_F(CompactArchiveTest, BytesThatDoNotMatchTheirSha256AreReportedAndLeftAlone) {
  ArchiveVersions(1, 2);
  {
    // Version 1's bytes as if a disk had flipped a bit: the recorded sha256 no longer matches.
    auto w = store_->BeginWrite().value();
    std::string damaged = versions_[0];
    damaged[100] ^= 1;
    w->RecodeListBytes(ListKind::kWhitelist, 1, damaged);
    ASSERT_TRUE(w->Commit(EventMeta{}).ok());
  }
  auto report = CompactArchive(*store_);
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), Status::Code::kCorruption);
  EXPECT_EQ(report.status().message(),
            "archive: whitelist version 1: stored bytes differ from the recorded sha256");
  EXPECT_FALSE(archive::IsEncoded(Stored(1)));
}

TEST_F(CompactArchiveTest, ADamagedEncodingIsACorruptRecordNamingItAndCheckFindsIt) {
  ArchiveVersions(1, 3);
  ASSERT_EQ(CompactArchive(*store_).value().recoded, 2u);
  // Version 3, still whole, gets a delta with one byte of its frame flipped, as a disk might
  // leave it (RecodeListBytes takes only a whole version; version 4 makes 3 an older one).
  ArchiveVersions(4, 1);
  std::string delta = archive::EncodeDelta(versions_[2], 1, versions_[0]).value();
  delta[delta.size() - 2] ^= 0x21;
  {
    auto w = store_->BeginWrite().value();
    w->RecodeListBytes(ListKind::kWhitelist, 3, delta);
    ASSERT_TRUE(w->Commit(EventMeta{}).ok());
  }
  auto read = store_->BeginRead().value()->GetListBytes(ListKind::kWhitelist, 3);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().code(), Status::Code::kCorruption);
  EXPECT_EQ(read.status().message().rfind(
                "list_bytes/whitelist/00000000000000000003: stored record does not decode: ", 0),
            0u)
      << read.status().message();
  EXPECT_EQ(Bytes(2), versions_[1]);  // the others still read
  Status check = store_->Check();
  EXPECT_FALSE(check.ok());
  EXPECT_NE(check.message().find("list_bytes/whitelist/00000000000000000003"), std::string::npos)
      << check.message();
}

TEST_F(CompactArchiveTest, RecodingIsOnlyForAWholeArchivedVersion) {
  ArchiveVersions(1, 2);
  {
    auto w = store_->BeginWrite().value();
    w->RecodeListBytes(ListKind::kWhitelist, 9, "x");
    auto committed = w->Commit(EventMeta{});
    ASSERT_FALSE(committed.ok());
    EXPECT_EQ(committed.status().code(), Status::Code::kNotFound);
  }
  ASSERT_EQ(CompactArchive(*store_).value().recoded, 1u);
  auto w = store_->BeginWrite().value();
  w->RecodeListBytes(ListKind::kWhitelist, 1, versions_[0]);
  auto committed = w->Commit(EventMeta{});
  ASSERT_FALSE(committed.ok());
  EXPECT_EQ(committed.status().code(), Status::Code::kFailedPrecondition);
  EXPECT_EQ(Bytes(1), versions_[0]);
}

TEST_F(CompactArchiveTest, UsageReportsTheMapsHighWaterMarkAndSize) {
  auto before = store_->Usage().value();
  EXPECT_GT(before.size, 0u);
  EXPECT_GT(before.used, 0u);
  EXPECT_LE(before.used, before.size);
  ArchiveVersions(1, 3);
  EXPECT_GT(store_->Usage().value().used, before.used);
}

}  // namespace
}  // namespace medmij::store
