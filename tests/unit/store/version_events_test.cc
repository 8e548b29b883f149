// The index of the journal events that archived each list version (list_version_events,
// schema 4): written with the archiving event, built by the upgrade from schema 3, checked by
// Check() against the journal. Damage is made with the stock lmdb-utils (mdb_dump / mdb_load).

#include <gtest/gtest.h>

#include "registry/store/archive_event.h"
#include "registry/store/store.h"
#include "tests/support/sha256.h"
#include "tests/unit/store/test_util.h"

namespace medmij::store {
namespace {

using ::medmij::testing::Sha256Hex;
using testing::At;
using testing::DumpAll;
using testing::DumpSection;
using testing::LoadAll;
using testing::MakeParticipant;
using testing::Meta;
using testing::OpenOrDie;
using testing::Section;
using testing::TempDir;

const std::filesystem::path kSource = MEDMIJ_SOURCE_DIR;

std::string BigEndian(uint64_t seq) {
  std::string k(8, '\0');
  for (int i = 0; i < 8; ++i) k[static_cast<size_t>(i)] = static_cast<char>(seq >> (56 - 8 * i));
  return k;
}

ListVersion VersionOf(ListKind list, uint64_t n, const std::string& bytes) {
  return ListVersion{list, n, At("2026-11-22T10:00:00Z"), Sha256Hex(bytes), bytes.size(), "d"};
}

void Commit(Store& store, const std::function<void(WriteTxn&)>& fill) {
  auto w = store.BeginWrite();
  ASSERT_TRUE(w.ok()) << w.status().message();
  fill(**w);
  auto seq = (*w)->Commit(Meta("publish", "list:x"));
  ASSERT_TRUE(seq.ok()) << seq.status().message();
}

std::string& SchemaVersion(std::vector<DumpSection>& dump) {
  for (auto& [key, value] : Section(dump, "meta").records) {
    if (key == "schema_version") return value;
  }
  throw std::runtime_error("no schema_version");
}

class VersionEventsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = OpenOrDie(tmp_.path() / "data");
    Commit(*store_, [](WriteTxn& w) { w.Put(MakeParticipant("p-1")); });  // 1
    Commit(*store_, [](WriteTxn& w) {                                     // 2: two lists at once
      w.PutListVersion(VersionOf(ListKind::kWhitelist, 1, "<w1/>"), "<w1/>");
      w.PutListVersion(VersionOf(ListKind::kGegevensdienstnamenlijst, 1, "<g1/>"), "<g1/>");
    });
    Commit(*store_, [](WriteTxn& w) { w.Put(MakeParticipant("p-2")); });  // 3
    Commit(*store_, [](WriteTxn& w) {                                     // 4
      w.PutListVersion(VersionOf(ListKind::kWhitelist, 2, "<w2/>"), "<w2/>");
    });
  }

  // The stored bytes of event `seq`.
  std::string Stored(uint64_t seq) {
    std::string out;
    auto r = store_->BeginRead();
    EXPECT_TRUE(r.ok());
    EXPECT_TRUE((*r)->ForEachStoredEvent(seq,
                                         [&](const JournalEvent&, std::string_view b) {
                                           out = std::string(b);
                                           return false;
                                         })
                    .ok());
    return out;
  }

  std::optional<LoggedEvent> EventOf(Store& store, ListKind list, uint64_t n) {
    auto r = store.BeginRead();
    EXPECT_TRUE(r.ok());
    auto ev = (*r)->ArchivingEvent(list, n);
    EXPECT_TRUE(ev.ok()) << ev.status().message();
    return ev.ok() ? *ev : std::nullopt;
  }

  std::unique_ptr<Store> LoadCopy(std::vector<DumpSection>& dump, const std::string& name) {
    auto file = tmp_.path() / name;
    LoadAll(dump, file, tmp_.path());
    return OpenOrDie(file);
  }

  TempDir tmp_;
  std::unique_ptr<Store> store_;
};

TEST_F(VersionEventsTest, EachVersionNamesTheStoredEventThatArchivedIt) {
  struct Case {
    ListKind list;
    uint64_t n;
    uint64_t seq;
  };
  for (const Case& c :
       {Case{ListKind::kWhitelist, 1, 2}, Case{ListKind::kGegevensdienstnamenlijst, 1, 2},
        Case{ListKind::kWhitelist, 2, 4}}) {
    SCOPED_TRACE(c.seq);
    auto ev = EventOf(*store_, c.list, c.n);
    ASSERT_TRUE(ev.has_value());
    EXPECT_EQ(ev->seq, c.seq);
    EXPECT_EQ(ev->stored, Stored(c.seq));
    auto archived = ArchivedListVersion(ev->stored, c.list, c.n);
    ASSERT_TRUE(archived.ok()) << archived.status().message();
  }
  EXPECT_FALSE(EventOf(*store_, ListKind::kWhitelist, 3).has_value());
  EXPECT_FALSE(EventOf(*store_, ListKind::kOAuthClientList, 1).has_value());
  EXPECT_TRUE(store_->Check().ok()) << store_->Check().message();
}

TEST_F(VersionEventsTest, AVersionWhoseEventDoesNotArchiveItHasNoEntry) {
  // Metadata that does not name its bytes: the event proves nothing about the version.
  Commit(*store_, [](WriteTxn& w) {
    ListVersion v = VersionOf(ListKind::kWhitelist, 3, "<w3/>");
    v.sha256 = std::string(64, 'a');
    w.PutListVersion(v, "<w3/>");
  });
  EXPECT_FALSE(EventOf(*store_, ListKind::kWhitelist, 3).has_value());
  EXPECT_TRUE(store_->Check().ok()) << store_->Check().message();
}

TEST_F(VersionEventsTest, AlteredMissingOrExtraEntriesAreFoundByCheck) {
  store_.reset();
  const auto orig = DumpAll(tmp_.path() / "data" / "data.mdb", tmp_.path());
  {
    auto dump = orig;
    auto& recs = Section(dump, "list_version_events").records;
    ASSERT_EQ(recs.size(), 3u);
    ASSERT_EQ(recs.at(0).first, "gegevensdienstnamenlijst/00000000000000000001");
    recs.at(0).second = BigEndian(3);
    EXPECT_EQ(LoadCopy(dump, "altered.mdb")->Check().message(),
              "list_version_events/gegevensdienstnamenlijst/00000000000000000001: names another "
              "event than the "
              "journal's");
  }
  {
    auto dump = orig;
    auto& recs = Section(dump, "list_version_events").records;
    recs.erase(recs.begin() + 2);
    EXPECT_EQ(LoadCopy(dump, "missing.mdb")->Check().message(),
              "list_version_events/whitelist/00000000000000000002: missing from the index");
  }
  {
    auto dump = orig;
    Section(dump, "list_version_events")
        .records.emplace_back("whitelist/00000000000000000009", BigEndian(4));
    auto copy = LoadCopy(dump, "extra.mdb");
    EXPECT_EQ(copy->Check().message(),
              "list_version_events/whitelist/00000000000000000009: indexed but no journal event "
              "archived it");
    EXPECT_TRUE(copy->VerifyJournal().ok());
  }
  {
    auto dump = orig;
    Section(dump, "list_version_events").records.at(0).second = BigEndian(99);
    auto copy = LoadCopy(dump, "dangling.mdb");
    auto r = copy->BeginRead();
    ASSERT_TRUE(r.ok());
    EXPECT_EQ((*r)->ArchivingEvent(ListKind::kGegevensdienstnamenlijst, 1).status().message(),
              "list_version_events/gegevensdienstnamenlijst/00000000000000000001: names journal "
              "event 99, which is "
              "missing");
  }
}

TEST_F(VersionEventsTest, Schema3DataDirUpgradesByIndexingItsJournal) {
  store_.reset();
  auto dump = DumpAll(tmp_.path() / "data" / "data.mdb", tmp_.path());
  const auto expected = Section(dump, "list_version_events").records;
  const auto journal = Section(dump, "journal").records;
  // A schema-3 data dir: the same, without the index.
  ASSERT_EQ(SchemaVersion(dump), "5");
  SchemaVersion(dump) = "3";
  std::erase_if(dump, [](const DumpSection& s) {
    return s.name == "list_version_events" || s.name == "state_history" || s.name == "event_times";
  });
  auto file = tmp_.path() / "v3.mdb";
  LoadAll(dump, file, tmp_.path());
  auto ro = Store::Open(file, OpenOptions{.read_only = true});
  EXPECT_EQ(ro.status().message(),
            "data dir has schema version 3; open it read-write once to upgrade it to 5");

  auto upgraded = OpenOrDie(file);
  EXPECT_TRUE(upgraded->VerifyJournal().ok()) << upgraded->VerifyJournal().message();
  EXPECT_TRUE(upgraded->Check().ok()) << upgraded->Check().message();
  EXPECT_EQ(EventOf(*upgraded, ListKind::kWhitelist, 2)->seq, 4u);
  upgraded.reset();
  auto after = DumpAll(file, tmp_.path());
  EXPECT_EQ(SchemaVersion(after), "5");
  EXPECT_EQ(Section(after, "list_version_events").records, expected);
  EXPECT_EQ(Section(after, "journal").records, journal);  // the journal is untouched
}

TEST(VersionEventsUpgradeTest, Schema1DataDirGetsAnEntryForEveryPublishedVersion) {
  // tests/unit/store/testdata/schema1.mdb.dump: real publications (journal_format_test.cc).
  TempDir tmp;
  auto file = tmp.path() / "v1.mdb";
  ASSERT_EQ(testing::Run({"mdb_load", "-n", "-f",
                          (kSource / "tests/unit/store/testdata/schema1.mdb.dump").string(),
                          file.string()}),
            0);
  auto store = OpenOrDie(file);
  EXPECT_TRUE(store->Check().ok()) << store->Check().message();
  auto r = store->BeginRead();
  ASSERT_TRUE(r.ok());
  size_t versions = 0;
  for (ListKind list : kAllLists) {
    auto all = (*r)->ListVersions(list);
    ASSERT_TRUE(all.ok());
    for (const ListVersion& v : *all) {
      ++versions;
      auto ev = (*r)->ArchivingEvent(list, v.volgnummer);
      ASSERT_TRUE(ev.ok() && ev->has_value()) << ToString(list) << " " << v.volgnummer;
      auto archived = ArchivedListVersion((*ev)->stored, list, v.volgnummer);
      ASSERT_TRUE(archived.ok()) << archived.status().message();
      EXPECT_EQ(*archived, v);
    }
  }
  EXPECT_GT(versions, 5u);
}

}  // namespace
}  // namespace medmij::store
