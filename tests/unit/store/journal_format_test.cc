// The journal's stored encoding, pinned: golden vectors (fixed events -> fixed bytes -> fixed
// hashes, tests/golden/journal/) and the upgrade of a data dir written by schema 1.
//
// The hashes are recomputed here with the test support's own SHA-256 from the documented rule
// (registry/store/journal.h), never through the store's code.

#include <gtest/gtest.h>

#include "registry/store/store.h"
#include "tests/support/sha256.h"
#include "tests/unit/store/test_util.h"

namespace medmij::store {
namespace {

using ::medmij::testing::Sha256Hex;
using nlohmann::json;
using testing::At;
using testing::DumpAll;
using testing::MakeNode;
using testing::MakeParticipant;
using testing::Meta;
using testing::OpenOrDie;
using testing::ReadFile;
using testing::Section;
using testing::TempDir;

const std::filesystem::path kSource = MEDMIJ_SOURCE_DIR;

std::vector<std::string> SplitLines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// The fixed events of the golden vectors, committed through the public API.
void CommitGoldenEvents(Store& store) {
  auto commit = [&](const EventMeta& meta, auto&& fill) {
    auto w = store.BeginWrite();
    ASSERT_TRUE(w.ok()) << w.status().message();
    fill(**w);
    ASSERT_TRUE((*w)->Commit(meta).ok());
  };
  commit(Meta("participant enrol", "participant:golden-pgo", "2026-11-22T10:00:00Z"),
         [](WriteTxn& w) { w.Put(MakeParticipant("golden-pgo", "Gouden \u00e9\u00e9n B.V.")); });
  commit(Meta("node add", "participant:golden-pgo", "2026-11-22T10:00:01.250Z"),
         [](WriteTxn& w) { w.Put(MakeNode("medmij.golden.example", "golden-pgo")); });
  commit(Meta("publish", "list:whitelist", "2026-11-22T10:00:02Z"), [](WriteTxn& w) {
    w.PutListVersion(
        ListVersion{ListKind::kWhitelist, 1, At("2026-11-22T10:00:02Z"), "ab", 4, "cd"}, "<x/>");
  });
  commit(Meta("node remove", "participant:golden-pgo", "2026-11-22T10:00:03Z"),
         [](WriteTxn& w) { w.EraseNode("medmij.golden.example"); });
}

TEST(JournalFormatTest, FixedEventsGiveTheGoldenBytesAndHashes) {
  TempDir tmp;
  auto store = OpenOrDie(tmp.path() / "data");
  CommitGoldenEvents(*store);
  std::vector<std::string> stored;
  std::vector<std::string> hashes;
  auto r = store->BeginRead();
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE((*r)->ForEachStoredEvent(1,
                                       [&](const JournalEvent& ev, std::string_view bytes) {
                                         stored.emplace_back(bytes);
                                         hashes.push_back(ev.hash);
                                         return true;
                                       })
                  .ok());
  const auto golden = SplitLines(ReadFile(kSource / "tests/golden/journal/events.jsonl"));
  const auto golden_hashes = SplitLines(ReadFile(kSource / "tests/golden/journal/hashes.txt"));
  ASSERT_EQ(golden.size(), 4u);
  ASSERT_EQ(golden_hashes.size(), 4u);
  EXPECT_EQ(stored, golden);
  EXPECT_EQ(hashes, golden_hashes);
  // The golden hashes follow from the golden bytes by the documented rule alone.
  std::string prev(64, '0');
  for (size_t i = 0; i < golden.size(); ++i) {
    prev = Sha256Hex(prev + golden[i]);
    EXPECT_EQ(golden_hashes[i], prev) << "event " << i + 1;
  }
  EXPECT_TRUE(store->VerifyJournal().ok());
}

// RFC 6962 MTH over the stored events, from the definition, with the test support's SHA-256.
std::string NaiveRoot(const std::vector<std::string>& ev, size_t lo, size_t hi) {
  if (hi - lo == 1) return testing::FromHex(Sha256Hex(std::string(1, '\0') + ev[lo]));
  size_t k = 1;
  while (k * 2 < hi - lo) k *= 2;
  return testing::FromHex(
      Sha256Hex(std::string(1, '\1') + NaiveRoot(ev, lo, lo + k) + NaiveRoot(ev, lo + k, hi)));
}

std::string Raw(const merkle::Hash& h) {
  return std::string(reinterpret_cast<const char*>(h.data()), h.size());
}

TEST(TransparencyLogTest, TheStoredTreeIsTheRfc6962TreeOfTheStoredEvents) {
  TempDir tmp;
  auto store = OpenOrDie(tmp.path() / "data");
  std::vector<std::string> stored;
  for (int i = 0; i < 37; ++i) {
    auto w = store->BeginWrite();
    ASSERT_TRUE(w.ok());
    (*w)->Put(MakeParticipant("p-" + std::to_string(i)));
    ASSERT_TRUE((*w)->Commit(testing::Meta("participant enrol", "participant:x")).ok());
    auto r = store->BeginRead();
    ASSERT_TRUE(r.ok());
    stored.clear();
    EXPECT_TRUE((*r)->ForEachStoredEvent(1,
                                         [&](const JournalEvent&, std::string_view b) {
                                           stored.emplace_back(b);
                                           return true;
                                         })
                    .ok());
    const uint64_t n = stored.size();
    auto root = (*r)->TreeHash(n);
    ASSERT_TRUE(root.ok()) << root.status().message();
    EXPECT_EQ(Raw(*root), NaiveRoot(stored, 0, n)) << n;
    for (uint64_t m = 1; m <= n; ++m) {
      auto proof = (*r)->InclusionProof(m - 1, n);
      ASSERT_TRUE(proof.ok());
      EXPECT_TRUE(
          merkle::VerifyInclusion(m - 1, n, merkle::LeafHash(stored[m - 1]), *proof, *root));
      auto old_root = (*r)->TreeHash(m);
      auto cons = (*r)->ConsistencyProof(m, n);
      ASSERT_TRUE(old_root.ok() && cons.ok());
      EXPECT_TRUE(merkle::VerifyConsistency(m, n, *old_root, *root, *cons));
    }
    EXPECT_EQ((*r)->TreeHash(n + 1).status().code(), Status::Code::kNotFound);
    EXPECT_EQ((*r)->InclusionProof(n, n).status().code(), Status::Code::kNotFound);
  }
  EXPECT_TRUE(store->Check().ok()) << store->Check().message();
}

// The C2SP hash tiles of a tree of 600 events (two full level-0 tiles, a partial one of 88, a
// partial level-1 tile of 2), recomputed from the stored events by the definition.
TEST(TransparencyLogTest, TileHashesAreTheStoredSubtreeRoots) {
  TempDir tmp;
  auto store = OpenOrDie(tmp.path() / "data");
  constexpr uint64_t kEvents = 600;
  {
    auto w = store->BeginWrite();
    ASSERT_TRUE(w.ok());
    for (uint64_t i = 0; i < kEvents; ++i) {
      (*w)->Put(MakeParticipant("p-" + std::to_string(i)));
      (*w)->AppendEvent(testing::Meta("import", "participant:x"));
    }
    ASSERT_TRUE((*w)->Commit(testing::Meta("import", "participant:x")).ok());
  }
  std::vector<std::string> stored;
  auto r = store->BeginRead();
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE((*r)->ForEachStoredEvent(1,
                                       [&](const JournalEvent&, std::string_view b) {
                                         stored.emplace_back(b);
                                         return true;
                                       })
                  .ok());
  ASSERT_EQ(stored.size(), kEvents);
  auto tile = [&](int level, uint64_t index, uint64_t width) {
    auto hashes = (*r)->TileHashes(tiles::Tile{false, level, index, width});
    EXPECT_TRUE(hashes.ok()) << hashes.status().message();
    std::string out;
    if (hashes.ok()) {
      for (const merkle::Hash& h : *hashes) out += Raw(h);
    }
    return out;
  };
  for (uint64_t index : {0u, 1u, 2u}) {
    const uint64_t width = index < 2 ? 256 : 88;
    std::string expected;
    for (uint64_t i = index * 256; i < index * 256 + width; ++i) {
      expected += NaiveRoot(stored, i, i + 1);
    }
    EXPECT_EQ(tile(0, index, width), expected) << index;
  }
  EXPECT_EQ(tile(1, 0, 2), NaiveRoot(stored, 0, 256) + NaiveRoot(stored, 256, 512));
  EXPECT_EQ(tile(0, 2, 10), tile(0, 2, 88).substr(0, 320));  // a prefix the tree holds
  for (const tiles::Tile& beyond :
       {tiles::Tile{false, 0, 2, 89}, tiles::Tile{false, 0, 3, 1}, tiles::Tile{false, 1, 0, 3},
        tiles::Tile{false, 2, 0, 1}, tiles::Tile{false, 63, UINT64_MAX, 256}}) {
    EXPECT_EQ((*r)->TileHashes(beyond).status().code(), Status::Code::kNotFound)
        << tiles::Path(beyond);
  }
  EXPECT_EQ((*r)->TileHashes(tiles::Tile{false, 0, 2, 89}).status().message(),
            "tile/0/002.p/89: not in the log's tree of 600 events");
  EXPECT_EQ((*r)->TileHashes(tiles::Tile{true, 0, 0, 1}).status().code(),
            Status::Code::kInvalidArgument);
}

// A data dir written by schema 1 (tests/unit/store/testdata/schema1.mdb.dump: `mdb_dump -a -n`
// of a registry made with the build before schema 2: the demo data imported, the lists
// published, a participant terminated by two operators and the lists published again).
class SchemaUpgradeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    file_ = tmp_.path() / "v1.mdb";
    ASSERT_EQ(testing::Run({"mdb_load", "-n", "-f",
                            (kSource / "tests/unit/store/testdata/schema1.mdb.dump").string(),
                            file_.string()}),
              0);
    before_ = DumpAll(file_, tmp_.path());
  }

  static std::string Meta(std::vector<testing::DumpSection>& dump, const std::string& key) {
    for (auto& [k, v] : Section(dump, "meta").records) {
      if (k == key) return v;
    }
    return "";
  }

  TempDir tmp_;
  std::filesystem::path file_;
  std::vector<testing::DumpSection> before_;
};

TEST_F(SchemaUpgradeTest, Schema1DataDirUpgradesWithItsChainIntact) {
  ASSERT_EQ(Meta(before_, "schema_version"), "1");
  ASSERT_EQ(Section(before_, "journal").records.size(), 40u);
  // Read-only, the old data dir is refused with the way out.
  auto ro = Store::Open(file_, OpenOptions{.read_only = true});
  EXPECT_EQ(ro.status().message(),
            "data dir has schema version 1; open it read-write once to upgrade it to 5");

  auto store = OpenOrDie(file_);
  EXPECT_TRUE(store->VerifyJournal().ok()) << store->VerifyJournal().message();
  EXPECT_TRUE(store->Check().ok()) << store->Check().message();
  // New events chain on, and the whole still verifies.
  {
    auto w = store->BeginWrite();
    ASSERT_TRUE(w.ok());
    (*w)->Put(MakeParticipant("after-upgrade"));
    ASSERT_EQ(*(*w)->Commit(testing::Meta("participant enrol", "participant:after-upgrade")), 41u);
  }
  EXPECT_TRUE(store->VerifyJournal().ok()) << store->VerifyJournal().message();
  EXPECT_TRUE(store->Check().ok()) << store->Check().message();
  store.reset();

  auto after = DumpAll(file_, tmp_.path());
  EXPECT_EQ(Meta(after, "schema_version"), "5");
  // The upgrade built the tree of the 40 old events; the 41st was appended to it: 2n - popcount(n)
  // complete subtrees.
  EXPECT_EQ(Section(after, "tlog_hashes").records.size(), 2u * 41 - 3);  // 41 = 101001b
  // Every schema-1 event lost only its "hash" field, and that hash is the new rule's hash of the
  // new bytes: the chain, and so the head, are what schema 1 recorded.
  const auto& old_events = Section(before_, "journal").records;
  const auto& new_events = Section(after, "journal").records;
  ASSERT_EQ(new_events.size(), 41u);
  for (size_t i = 0; i < old_events.size(); ++i) {
    SCOPED_TRACE(i);
    json old_ev = json::parse(old_events[i].second);
    const std::string old_hash = old_ev["hash"];
    old_ev.erase("hash");
    EXPECT_EQ(json::parse(new_events[i].second), old_ev);
    EXPECT_EQ(Sha256Hex(old_ev["prev_hash"].get<std::string>() + new_events[i].second), old_hash);
  }
  EXPECT_EQ(json::parse(Meta(before_, "journal_head"))["hash"],
            json::parse(old_events.back().second)["hash"]);
}

TEST_F(SchemaUpgradeTest, AnEventAlteredBeforeTheUpgradeIsNotLaundered) {
  // Edit event 5 of the schema-1 dump (its hash no longer holds), then upgrade: the event is
  // kept byte for byte and still reported.
  auto& rec = Section(before_, "journal").records.at(4);
  auto pos = rec.second.find("\"operator\":\"alice\"");
  ASSERT_NE(pos, std::string::npos);
  rec.second.replace(pos, 18, "\"operator\":\"mallo\"");
  const std::string altered = rec.second;
  auto edited = tmp_.path() / "edited.mdb";
  testing::LoadAll(before_, edited, tmp_.path());
  auto store = OpenOrDie(edited);
  EXPECT_EQ(store->VerifyJournal().message().rfind("journal event 5: does not decode (altered)", 0),
            0u)
      << store->VerifyJournal().message();
  store.reset();
  auto after = DumpAll(edited, tmp_.path());
  EXPECT_EQ(Section(after, "journal").records.at(4).second, altered);
}

}  // namespace
}  // namespace medmij::store
