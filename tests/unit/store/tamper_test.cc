// Tamper evidence: corrupt a copy of the database with the stock lmdb-utils (mdb_dump, edit the
// text, mdb_load into a new file) and show that VerifyJournal / Check / Open name the damage.
// The test never includes lmdb.h; the journal hash is recomputed here independently from its
// documented definition (journal.h).

#include <algorithm>
#include <vector>

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
using testing::DumpSection;
using testing::LoadAll;
using testing::MakeNode;
using testing::MakeParticipant;
using testing::Meta;
using testing::OpenOrDie;
using testing::Section;
using testing::TempDir;

std::string BigEndian(uint64_t seq) {
  std::string k(8, '\0');
  for (int i = 0; i < 8; ++i) k[static_cast<size_t>(i)] = static_cast<char>(seq >> (56 - 8 * i));
  return k;
}

class TamperTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = OpenOrDie(tmp_.path() / "orig");
    auto commit = [&](auto&& fill) {
      auto w = store->BeginWrite();
      ASSERT_TRUE(w.ok());
      fill(**w);
      ASSERT_TRUE((*w)->Commit(Meta("cmd", "subject")).ok());
    };
    commit([](WriteTxn& w) {  // 1
      w.Put(MakeParticipant("p-1"));
      w.Put(MakeNode("n1.example", "p-1"));
    });
    commit([](WriteTxn& w) { w.Put(MakeParticipant("p-2")); });                  // 2
    commit([](WriteTxn& w) { w.Put(MakeParticipant("p-1", "Renamed B.V.")); });  // 3
    commit([](WriteTxn& w) { w.Put(MakeParticipant("p-3")); });                  // 4
    commit([](WriteTxn& w) { w.Put(MakeNode("n2.example", "p-2")); });           // 5
    commit([](WriteTxn& w) {                                                     // 6
      w.PutListVersion(ListVersion{ListKind::kWhitelist, 1, At("2026-01-01"), "s", 4, "d"}, "<x/>");
    });
    store.reset();
    dump_ = DumpAll(tmp_.path() / "orig" / "data.mdb", tmp_.path());
    ASSERT_EQ(Section(dump_, "journal").records.size(), 6u);
  }

  std::pair<std::string, std::string>& Event(uint64_t seq) {
    for (auto& r : Section(dump_, "journal").records) {
      if (r.first == BigEndian(seq)) return r;
    }
    throw std::runtime_error("no event " + std::to_string(seq));
  }

  void EraseEvent(uint64_t seq) {
    auto& recs = Section(dump_, "journal").records;
    std::erase_if(recs, [&](const auto& r) { return r.first == BigEndian(seq); });
  }

  // Loads the (edited) dump into a new file and opens it like a backup.
  std::unique_ptr<Store> LoadCopy() {
    auto file = tmp_.path() / "copy.mdb";
    LoadAll(dump_, file, tmp_.path());
    return OpenOrDie(file);
  }

  TempDir tmp_;
  std::vector<DumpSection> dump_;
};

TEST_F(TamperTest, UntouchedCopyVerifiesAndTheHashIsAsDocumented) {
  // Recompute the chain from the dump alone: hash = SHA-256(prev_hash || stored bytes); the
  // stored event holds no hash of its own.
  std::string prev(64, '0');
  for (const auto& [key, value] : Section(dump_, "journal").records) {
    json ev = json::parse(value);
    EXPECT_FALSE(ev.contains("hash"));
    EXPECT_EQ(ev["prev_hash"], prev);
    prev = Sha256Hex(prev + value);
  }
  for (const auto& [key, value] : Section(dump_, "meta").records) {
    if (key == "journal_head") {
      EXPECT_EQ(json::parse(value)["hash"], prev);
    }
  }
  auto copy = LoadCopy();
  EXPECT_TRUE(copy->VerifyJournal().ok()) << copy->VerifyJournal().message();
  EXPECT_TRUE(copy->Check().ok()) << copy->Check().message();
}

TEST_F(TamperTest, AlteredEventIsFound) {
  std::string& value = Event(3).second;
  auto pos = value.find("Renamed");
  ASSERT_NE(pos, std::string::npos);
  value[pos] = 'X';  // one byte
  auto copy = LoadCopy();
  EXPECT_EQ(copy->VerifyJournal().message(),
            "journal event 3: hash mismatch (altered): event 4 links to another hash");
  EXPECT_EQ(copy->VerifyJournal().code(), Status::Code::kCorruption);
}

TEST_F(TamperTest, AlteredLastEventIsFoundByTheHead) {
  std::string& value = Event(6).second;
  auto pos = value.find("whitelist");
  ASSERT_NE(pos, std::string::npos);
  value[pos] = 'W';
  auto copy = LoadCopy();
  EXPECT_EQ(copy->VerifyJournal().message(),
            "journal event 6: hash mismatch (altered): the journal head names another hash");
}

TEST_F(TamperTest, ReencodedEventIsFound) {
  // Same JSON value, other bytes (a space after a colon): the hash covers the bytes.
  std::string& value = Event(2).second;
  auto pos = value.find(':');
  ASSERT_NE(pos, std::string::npos);
  value.insert(pos + 1, " ");
  auto copy = LoadCopy();
  EXPECT_EQ(copy->VerifyJournal().message(),
            "journal event 2: hash mismatch (altered): event 3 links to another hash");
}

TEST_F(TamperTest, AlteredEventThatNoLongerParsesIsFound) {
  Event(2).second[0] = '[';
  auto copy = LoadCopy();
  EXPECT_EQ(copy->VerifyJournal().message().rfind("journal event 2: does not decode (altered)", 0),
            0u)
      << copy->VerifyJournal().message();
}

TEST_F(TamperTest, RemovedEventIsFound) {
  EraseEvent(4);
  auto copy = LoadCopy();
  EXPECT_EQ(copy->VerifyJournal().message(), "journal: event 4 missing after 3");
}

TEST_F(TamperTest, RemovedFirstEventIsFound) {
  EraseEvent(1);
  auto copy = LoadCopy();
  EXPECT_EQ(copy->VerifyJournal().message(), "journal: event 1 missing");
}

TEST_F(TamperTest, RemovedLastEventIsFoundByTheHead) {
  EraseEvent(6);
  auto copy = LoadCopy();
  EXPECT_EQ(copy->VerifyJournal().message(), "journal head says 6 but the last event is 5");
}

TEST_F(TamperTest, ReorderedEventsAreFound) {
  std::swap(Event(2).second, Event(3).second);
  auto copy = LoadCopy();
  EXPECT_EQ(copy->VerifyJournal().message(), "journal event 2: holds event 3 (reordered)");
}

TEST_F(TamperTest, StateChangedWithoutAnEventIsFoundByCheck) {
  for (auto& [key, value] : Section(dump_, "participants").records) {
    if (key == "p-2") {
      auto pos = value.find("Acme");
      ASSERT_NE(pos, std::string::npos);
      value[pos] = 'E';
    }
  }
  auto copy = LoadCopy();
  EXPECT_TRUE(copy->VerifyJournal().ok());  // the journal itself is intact
  EXPECT_EQ(copy->Check().message(), "participants/p-2: stored value differs from the journal");
}

// Issue 8 item 2: a record that does not decode is a kCorruption Status naming it, at every read
// that meets it; reads that do not need it still work, and check lists it.
TEST_F(TamperTest, RecordThatDoesNotDecodeIsAStatusNamingItAndTheOthersStillRead) {
  for (auto& [key, value] : Section(dump_, "participants").records) {
    if (key == "p-2") value = R"({"id":"p-2","name":7})";
  }
  auto copy = LoadCopy();
  auto r = copy->BeginRead();
  ASSERT_TRUE(r.ok());
  const Reader& reader = **r;

  auto bad = reader.GetParticipant("p-2");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), Status::Code::kCorruption);
  EXPECT_NE(bad.status().message().find("participants/p-2"), std::string::npos)
      << bad.status().message();
  auto good = reader.GetParticipant("p-1");
  ASSERT_TRUE(good.ok()) << good.status().message();
  ASSERT_TRUE(good.value().has_value());

  std::vector<CorruptRecord> corrupt;
  auto all = reader.AllParticipants(&corrupt);
  ASSERT_TRUE(all.ok()) << all.status().message();
  std::vector<std::string> ids;
  for (const Participant& p : all.value()) ids.push_back(p.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"p-1", "p-3"}));
  ASSERT_EQ(corrupt.size(), 1u);
  EXPECT_EQ(corrupt[0].key, "p-2");
  EXPECT_FALSE(reader.AllParticipants().ok());  // without a list to report into: the Status
  EXPECT_FALSE(reader.LoadState().ok());

  auto listed = reader.CorruptRecords();
  ASSERT_TRUE(listed.ok()) << listed.status().message();
  ASSERT_EQ(listed.value().size(), 1u);
  EXPECT_EQ(listed.value()[0].key, "p-2");
  EXPECT_TRUE(copy->VerifyJournal().ok());  // the journal itself is intact
  const Status checked = copy->Check();
  EXPECT_FALSE(checked.ok());
  EXPECT_NE(checked.message().find("p-2"), std::string::npos) << checked.message();
}

TEST_F(TamperTest, RecordAddedWithoutAnEventIsFoundByCheck) {
  auto& recs = Section(dump_, "participants").records;
  recs.emplace_back("p-9", json(MakeParticipant("p-9")).dump());
  std::sort(recs.begin(), recs.end());
  auto copy = LoadCopy();
  EXPECT_EQ(copy->Check().message(), "participants/p-9: in the table but not in the journal");
}

TEST_F(TamperTest, ArchivedBytesChangedAreFoundByCheck) {
  Section(dump_, "list_bytes").records.at(0).second = "<y/>";
  auto copy = LoadCopy();
  EXPECT_EQ(copy->Check().message(),
            "list_bytes/whitelist/00000000000000000001: stored value differs from the journal");
}

TEST_F(TamperTest, BrokenIndexIsFoundByCheck) {
  auto& recs = Section(dump_, "idx_nodes_by_participant").records;
  ASSERT_EQ(recs.size(), 2u);
  recs.erase(recs.begin());
  auto copy = LoadCopy();
  EXPECT_EQ(copy->Check().message(),
            "index idx_nodes_by_participant: entry 'p-1/n1.example' missing");
}

TEST_F(TamperTest, ForgedEventWithARebuiltChainIsFoundByCheck) {
  // An attacker who knows the hash rewrites event 3's `before` and re-chains 3..6 and the head.
  // The chain verifies, but the replay no longer matches what event 3 claims it started from.
  std::string prev =
      Sha256Hex(json::parse(Event(1).second)["prev_hash"].get<std::string>() + Event(1).second);
  prev = Sha256Hex(prev + Event(2).second);
  for (uint64_t seq = 3; seq <= 6; ++seq) {
    json ev = json::parse(Event(seq).second);
    if (seq == 3) ev["changes"][0]["before"]["legal_name"] = "Forged B.V.";
    ev["prev_hash"] = prev;
    Event(seq).second = ev.dump();
    prev = Sha256Hex(prev + Event(seq).second);
  }
  for (auto& [key, value] : Section(dump_, "meta").records) {
    if (key == "journal_head") value = json{{"seq", 6}, {"hash", prev}}.dump();
  }
  auto copy = LoadCopy();
  EXPECT_TRUE(copy->VerifyJournal().ok()) << copy->VerifyJournal().message();
  EXPECT_EQ(copy->Check().message(),
            "journal event 3: change to participants/p-1: its 'before' is not the replayed value "
            "(forged or missing event)");
}

TEST_F(TamperTest, AlteredOrMissingTreeHashIsFoundByCheck) {
  auto& recs = Section(dump_, "tlog_hashes").records;
  ASSERT_EQ(recs.size(), 2u * 6 - 2);  // 2n - popcount(n) complete subtrees
  recs.at(1).second[0] ^= 1;           // (level 0, index 1)
  auto copy = LoadCopy();
  EXPECT_TRUE(copy->VerifyJournal().ok());
  EXPECT_EQ(copy->Check().message(), "tree hash (level 0, index 1): differs from the journal's");
  copy.reset();
  recs.at(1).second[0] ^= 1;
  recs.erase(recs.begin() + 7);  // (level 1, index 1)
  auto file = tmp_.path() / "copy2.mdb";
  LoadAll(dump_, file, tmp_.path());
  auto copy2 = OpenOrDie(file);
  EXPECT_EQ(copy2->Check().message(), "tree hash (level 1, index 1): missing from the tree");
  auto r = copy2->BeginRead();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)->InclusionProof(0, 4).status().message(), "tree hash (level 1, index 1): missing");
}

TEST_F(TamperTest, MalformedTreeHashFailsTheTileThatHoldsIt) {
  auto& recs = Section(dump_, "tlog_hashes").records;
  recs.at(2).second.pop_back();  // (level 0, index 2): 31 bytes
  auto copy = LoadCopy();
  auto r = copy->BeginRead();
  ASSERT_TRUE(r.ok());
  auto tile = (*r)->TileHashes(tiles::Tile{false, 0, 0, 6});
  EXPECT_EQ(tile.status().code(), Status::Code::kCorruption);
  EXPECT_EQ(tile.status().message(), "tree hash (level 0, index 2): not 32 bytes");
  EXPECT_TRUE((*r)->TileHashes(tiles::Tile{false, 0, 0, 2}).ok());
}

TEST_F(TamperTest, OlderSchemaVersionWithoutAnUpgradeStepIsRefused) {
  for (auto& [key, value] : Section(dump_, "meta").records) {
    if (key == "schema_version") value = "0";
  }
  auto file = tmp_.path() / "copy.mdb";
  LoadAll(dump_, file, tmp_.path());
  auto opened = Store::Open(file);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().message(),
            "data dir has schema version 0; this build has no upgrade from it");
}

TEST_F(TamperTest, NewerSchemaVersionIsRefused) {
  bool found = false;
  for (auto& [key, value] : Section(dump_, "meta").records) {
    if (key == "schema_version") {
      EXPECT_EQ(value, "5");
      value = "6";
      found = true;
    }
  }
  ASSERT_TRUE(found);
  auto file = tmp_.path() / "copy.mdb";
  LoadAll(dump_, file, tmp_.path());
  auto opened = Store::Open(file);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().message(), "data dir has schema version 6; this build knows 5");
  auto ro = Store::Open(file, OpenOptions{.read_only = true});
  EXPECT_EQ(ro.status().message(), "data dir has schema version 6; this build knows 5");
}

// A data file cut short (a full disk during a copy, a bad restore) would be SIGBUS at the first
// read of a page beyond its end: LMDB maps the file. Open refuses it, read-only as well, and
// names the sizes.
TEST_F(TamperTest, TruncatedDataFileIsRefusedAtOpen) {
  const auto orig = tmp_.path() / "orig" / "data.mdb";
  const auto size = std::filesystem::file_size(orig);
  ASSERT_GT(size, 4u * 4096u);
  for (uint64_t keep : {uint64_t{3} * 4096, uint64_t{size} - 4096}) {
    auto copy = tmp_.path() / ("short-" + std::to_string(keep) + ".mdb");
    std::filesystem::copy_file(orig, copy);
    std::filesystem::resize_file(copy, keep);
    for (bool read_only : {false, true}) {
      auto opened = Store::Open(copy, OpenOptions{.read_only = read_only, .create = false});
      ASSERT_FALSE(opened.ok()) << keep;
      EXPECT_EQ(opened.status().code(), Status::Code::kCorruption);
      EXPECT_NE(opened.status().message().find("data file is truncated: " + std::to_string(keep) +
                                               " bytes"),
                std::string::npos)
          << opened.status().message();
    }
  }
  // The untouched file opens and reads.
  auto copy = tmp_.path() / "whole.mdb";
  std::filesystem::copy_file(orig, copy);
  auto store = OpenOrDie(copy);
  auto r = store->BeginRead();
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE((*r)->GetParticipant("p-3").value().has_value());
}

}  // namespace
}  // namespace medmij::store
