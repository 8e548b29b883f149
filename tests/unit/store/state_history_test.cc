// The state history StateAt reads (state_history and event_times, schema 5): equal to the
// journal's replay for every time, including clocks that stepped back; written with each event,
// built by the upgrade from schema 4 and older, checked by Check() against the journal. Damage
// is made with the stock lmdb-utils (mdb_dump / mdb_load).

#include <gtest/gtest.h>

#include <random>
#include <set>

#include "registry/domain/json.h"
#include "registry/store/store.h"
#include "tests/unit/store/test_util.h"

namespace medmij::store {
namespace {

using nlohmann::json;
using testing::At;
using testing::DumpAll;
using testing::DumpSection;
using testing::LoadAll;
using testing::MakeNode;
using testing::MakeParticipant;
using testing::MakeProvider;
using testing::OpenOrDie;
using testing::Section;
using testing::TempDir;

const std::filesystem::path kSource = MEDMIJ_SOURCE_DIR;

// The canonical encoding of every table of `s`: equal bytes, equal state.
std::string Encoded(const RegistryState& s) {
  json j;
  j["participants"] = s.participants;
  j["nodes"] = s.nodes;
  j["oauth_clients"] = s.oauth_clients;
  j["services"] = s.services;
  j["providers"] = s.providers;
  j["cases"] = s.cases;
  j["termination_requests"] = s.termination_requests;
  return j.dump();
}

// prefix + n + suffix, appended piece by piece (g++ 12 -O3's false -Wrestrict on "x" + s).
std::string Name(std::string_view prefix, int n, std::string_view suffix = "") {
  std::string out(prefix);
  out += std::to_string(n);
  out += suffix;
  return out;
}

std::string& SchemaVersion(std::vector<DumpSection>& dump) {
  for (auto& [key, value] : Section(dump, "meta").records) {
    if (key == "schema_version") return value;
  }
  throw std::runtime_error("no schema_version");
}

// StateAt(t) and the replay agree, byte for byte, at every time an event was recorded at, a
// millisecond either side of it, and before and after them all. Returns how many times it
// compared.
size_t ExpectStateAtIsTheReplay(const Store& store) {
  std::set<Time> times{kEarliestTime, kLatestTime};
  auto r = store.BeginRead();
  EXPECT_TRUE(r.ok());
  EXPECT_TRUE((*r)->ForEachEvent(1,
                                 [&](const JournalEvent& ev) {
                                   times.insert(ev.meta.at);
                                   times.insert(ev.meta.at - Millis(1));
                                   times.insert(ev.meta.at + Millis(1));
                                   return true;
                                 })
                  .ok());
  r->reset();
  for (Time t : times) {
    auto fast = store.StateAt(t);
    auto replayed = store.ReplayStateAt(t);
    EXPECT_TRUE(fast.ok()) << fast.status().message();
    EXPECT_TRUE(replayed.ok()) << replayed.status().message();
    if (!fast.ok() || !replayed.ok()) return 0;
    EXPECT_EQ(Encoded(*fast), Encoded(*replayed)) << "at " << FormatTime(t);
  }
  return times.size();
}

// A journal of random changes to every kind of record: puts, re-puts, erases and re-creations,
// several changes to one record in one event, several events in one transaction, and a clock
// that mostly moves forward but steps back now and then (and repeats instants).
class StateHistoryTest : public ::testing::Test {
 protected:
  void Fill(Store& store, uint32_t seed, int commits) {
    std::mt19937 rng(seed);
    auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<uint32_t>(n)); };
    Time at = At("2026-01-01T00:00:00Z");
    for (int c = 0; c < commits; ++c) {
      auto w = store.BeginWrite();
      ASSERT_TRUE(w.ok()) << w.status().message();
      const int events = pick(4) == 0 ? 3 : 1;
      for (int e = 0; e < events; ++e) {
        const int step = pick(10);
        if (step == 0) {
          at -= Days(pick(40) + 1);  // the clock stepped back
        } else if (step > 2) {
          at += Millis(pick(3) * 1000 + pick(2));
        }  // else: the same instant again
        const int changes = 1 + pick(4);
        for (int i = 0; i < changes; ++i) {
          const std::string id = Name("p-", pick(6));
          const std::string host = Name("n", pick(8), ".example");
          switch (pick(7)) {
            case 0:
            case 1: {
              Participant p = MakeParticipant(id, Name("Name ", pick(5)));
              p.status = pick(2) == 0 ? Lifecycle::kActive : Lifecycle::kSuspended;
              (*w)->Put(p);
              break;
            }
            case 2:
              (*w)->Put(MakeNode(host, id));
              break;
            case 3:
              (*w)->EraseNode(host);
              break;
            case 4: {
              Provider p = MakeProvider(Name("zorg", pick(4), "@medmij"), id);
              p.identifiers["agb"] = Name("0123456", pick(3));
              (*w)->Put(p);
              break;
            }
            case 5:
              (*w)->EraseProvider(Name("zorg", pick(4), "@medmij"));
              break;
            case 6:
              (*w)->Put(DataService{std::to_string(pick(3)), Name("Dienst ", pick(3)),
                                    Provenance{at, "tester", ""}});
              break;
          }
        }
        EventMeta meta{at, "tester", "random", "participant:x", "test"};
        if (e + 1 < events) {
          (*w)->AppendEvent(meta);
        } else {
          auto seq = (*w)->Commit(meta);
          ASSERT_TRUE(seq.ok()) << seq.status().message();
        }
      }
    }
  }

  std::unique_ptr<Store> LoadCopy(const std::vector<DumpSection>& dump, const std::string& name) {
    auto file = tmp_.path() / name;
    LoadAll(dump, file, tmp_.path());
    return OpenOrDie(file);
  }

  TempDir tmp_;
};

TEST_F(StateHistoryTest, StateAtIsTheReplayAtEveryTimeOfARandomJournal) {
  for (uint32_t seed : {1u, 2u, 3u}) {
    SCOPED_TRACE(seed);
    auto store = OpenOrDie(tmp_.path() / Name("data", static_cast<int>(seed)));
    Fill(*store, seed, 150);
    EXPECT_TRUE(store->Check().ok()) << store->Check().message();
    EXPECT_GT(ExpectStateAtIsTheReplay(*store), 300u);
    // The newest state is the tables'.
    auto now = store->StateAt(kLatestTime);
    auto r = store->BeginRead();
    ASSERT_TRUE(now.ok() && r.ok());
    EXPECT_EQ(Encoded(*now), Encoded((*r)->LoadState().value()));
  }
}

TEST_F(StateHistoryTest, AnEmptyJournalHasAnEmptyState) {
  auto store = OpenOrDie(tmp_.path() / "data");
  auto s = store->StateAt(kLatestTime);
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(Encoded(*s), Encoded(RegistryState{}));
  EXPECT_TRUE(store->Check().ok());
}

// The clock steps back: events at Jan 1, Mar 1, Feb 1, Feb 1. Only the last event at or before a
// time answers it, so the time index keeps Jan 1 -> 1 and Feb 1 -> 4 and drops Mar 1.
TEST_F(StateHistoryTest, TheTimeIndexKeepsOnlyTheLastEventAtOrBeforeEachTime) {
  auto store = OpenOrDie(tmp_.path() / "data");
  int n = 0;
  for (const char* at : {"2026-01-01T00:00:00Z", "2026-03-01T00:00:00Z", "2026-02-01T00:00:00Z",
                         "2026-02-01T00:00:00Z"}) {
    auto w = store->BeginWrite();
    ASSERT_TRUE(w.ok());
    (*w)->Put(MakeParticipant("alpha", Name("Name ", ++n)));
    ASSERT_TRUE((*w)->Commit(testing::Meta("x", "participant:alpha", at)).ok());
  }
  EXPECT_EQ(store->StateAt(At("2026-02-15"))->participants.at("alpha").legal_name, "Name 4");
  EXPECT_EQ(store->StateAt(At("2026-01-31"))->participants.at("alpha").legal_name, "Name 1");
  EXPECT_EQ(store->StateAt(At("2026-03-02"))->participants.at("alpha").legal_name, "Name 4");
  EXPECT_TRUE(store->StateAt(At("2025-12-31"))->participants.empty());
  store.reset();
  auto dump = DumpAll(tmp_.path() / "data" / "data.mdb", tmp_.path());
  const auto& times = Section(dump, "event_times").records;
  ASSERT_EQ(times.size(), 2u);
  EXPECT_EQ(times[0].second, std::string("\0\0\0\0\0\0\0\1", 8));
  EXPECT_EQ(times[1].second, std::string("\0\0\0\0\0\0\0\4", 8));
  EXPECT_EQ(Section(dump, "state_history").records.size(), 4u);
}

TEST_F(StateHistoryTest, AlteredMissingOrExtraEntriesAreFoundByCheck) {
  {
    auto store = OpenOrDie(tmp_.path() / "data");
    Fill(*store, 7, 20);
  }
  const auto orig = DumpAll(tmp_.path() / "data" / "data.mdb", tmp_.path());
  ASSERT_TRUE(LoadCopy(orig, "same.mdb")->Check().ok());
  auto history = [](std::vector<DumpSection> & d) -> auto& {
    return Section(d, "state_history").records;
  };
  auto times = [](std::vector<DumpSection> & d) -> auto& {
    return Section(d, "event_times").records;
  };
  auto expect_check = [&](std::vector<DumpSection>& dump, const std::string& name,
                          const std::string& starts, const std::string& ends) {
    auto copy = LoadCopy(dump, name);
    const Status s = copy->Check();
    EXPECT_EQ(s.code(), Status::Code::kCorruption) << name;
    EXPECT_EQ(s.message().rfind(starts, 0), 0u) << s.message();
    EXPECT_TRUE(s.message().ends_with(ends)) << s.message();
    EXPECT_TRUE(copy->VerifyJournal().ok()) << name;  // the journal itself is intact
  };
  {
    auto dump = orig;
    auto& recs = history(dump);
    // A record's version made to say something else.
    auto it = std::find_if(recs.begin(), recs.end(), [](const auto& kv) {
      return !kv.second.empty() && kv.first[0] == 0;  // participants
    });
    ASSERT_NE(it, recs.end());
    it->second = json::parse(it->second).dump().replace(0, 1, "{\"x\":1,");
    expect_check(dump, "altered.mdb", "state_history/participants/p-",
                 ": differs from the journal's");
  }
  {
    auto dump = orig;
    history(dump).erase(history(dump).begin() + 3);
    expect_check(dump, "missing.mdb", "state_history/", ": missing from the table");
  }
  {
    auto dump = orig;
    auto& recs = history(dump);
    std::string extra = recs.back().first;
    extra.back() = static_cast<char>(extra.back() + 100);  // a later seq of the last record
    recs.emplace_back(extra, "");
    expect_check(dump, "extra.mdb", "state_history/", ": in the table but not made by the journal");
  }
  {
    auto dump = orig;
    auto& recs = times(dump);
    ASSERT_GE(recs.size(), 2u);
    recs[0].second = recs[1].second;
    expect_check(dump, "time-altered.mdb", "event_times/20", ": differs from the journal's");
  }
  {
    auto dump = orig;
    times(dump).pop_back();
    expect_check(dump, "time-missing.mdb", "event_times/20", ": missing from the table");
  }
}

// A schema-4 data dir (the same journal, without the history): the upgrade builds exactly what
// the writes made, all at once, and leaves the journal as it was.
TEST_F(StateHistoryTest, Schema4DataDirUpgradesByReplayingItsJournalOnce) {
  {
    auto store = OpenOrDie(tmp_.path() / "data");
    Fill(*store, 11, 60);
  }
  auto dump = DumpAll(tmp_.path() / "data" / "data.mdb", tmp_.path());
  const auto history = Section(dump, "state_history").records;
  const auto times = Section(dump, "event_times").records;
  const auto journal = Section(dump, "journal").records;
  ASSERT_EQ(SchemaVersion(dump), "5");
  SchemaVersion(dump) = "4";
  std::erase_if(dump, [](const DumpSection& s) {
    return s.name == "state_history" || s.name == "event_times";
  });
  auto file = tmp_.path() / "v4.mdb";
  LoadAll(dump, file, tmp_.path());
  const auto v4 = DumpAll(file, tmp_.path());
  auto ro = Store::Open(file, OpenOptions{.read_only = true});
  EXPECT_EQ(ro.status().message(),
            "data dir has schema version 4; open it read-write once to upgrade it to 5");

  {
    auto upgraded = OpenOrDie(file);
    EXPECT_TRUE(upgraded->VerifyJournal().ok()) << upgraded->VerifyJournal().message();
    EXPECT_TRUE(upgraded->Check().ok()) << upgraded->Check().message();
    EXPECT_GT(ExpectStateAtIsTheReplay(*upgraded), 100u);
  }
  auto after = DumpAll(file, tmp_.path());
  EXPECT_EQ(SchemaVersion(after), "5");
  EXPECT_EQ(Section(after, "state_history").records, history);
  EXPECT_EQ(Section(after, "event_times").records, times);
  EXPECT_EQ(Section(after, "journal").records, journal);

  // All or nothing: an upgrade that runs out of room (a map no larger than the file) leaves the
  // schema-4 data dir as it was.
  auto small = tmp_.path() / "v4-small.mdb";
  LoadAll(v4, small, tmp_.path());
  auto full = Store::Open(small, OpenOptions{.map_size = 4096});
  ASSERT_FALSE(full.ok());
  EXPECT_EQ(full.status().code(), Status::Code::kResourceExhausted) << full.status().message();
  auto unchanged = DumpAll(small, tmp_.path());
  EXPECT_EQ(SchemaVersion(unchanged), "4");
  EXPECT_FALSE(std::any_of(unchanged.begin(), unchanged.end(), [](const DumpSection& s) {
    return s.name == "state_history" || s.name == "event_times";
  }));
  EXPECT_EQ(Section(unchanged, "journal").records, journal);
}

// tests/unit/store/testdata/schema1.mdb.dump: a real registry's journal (journal_format_test.cc),
// upgraded through every step.
TEST_F(StateHistoryTest, Schema1DataDirUpgradesToAHistoryEqualToTheReplay) {
  auto file = tmp_.path() / "v1.mdb";
  ASSERT_EQ(testing::Run({"mdb_load", "-n", "-f",
                          (kSource / "tests/unit/store/testdata/schema1.mdb.dump").string(),
                          file.string()}),
            0);
  auto store = OpenOrDie(file);
  EXPECT_TRUE(store->VerifyJournal().ok()) << store->VerifyJournal().message();
  EXPECT_TRUE(store->Check().ok()) << store->Check().message();
  EXPECT_GT(ExpectStateAtIsTheReplay(*store), 10u);
  auto now = store->StateAt(kLatestTime);
  ASSERT_TRUE(now.ok());
  EXPECT_FALSE(now->participants.empty());
}

}  // namespace
}  // namespace medmij::store
