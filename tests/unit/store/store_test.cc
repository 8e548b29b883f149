// The LMDB store against a real environment in a temp dir.
#include "registry/store/store.h"

#include <sys/stat.h>

#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <set>
#include <thread>

#include "tests/unit/store/test_util.h"

namespace medmij::store {
namespace {

using nlohmann::json;
using testing::At;
using testing::MakeNode;
using testing::MakeParticipant;
using testing::MakeProvider;
using testing::Meta;
using testing::OpenOrDie;
using testing::TempDir;

std::vector<JournalEvent> Events(Store& store) {
  auto r = store.BeginRead();
  EXPECT_TRUE(r.ok());
  std::vector<JournalEvent> out;
  EXPECT_TRUE((*r)->ForEachEvent(1,
                                 [&](const JournalEvent& ev) {
                                   out.push_back(ev);
                                   return true;
                                 })
                  .ok());
  return out;
}

std::unique_ptr<WriteTxn> Write(Store& store) {
  auto w = store.BeginWrite();
  if (!w.ok()) throw std::runtime_error(w.status().message());
  return std::move(w).value();
}

std::unique_ptr<ReadTxn> Read(const Store& store) {
  auto r = store.BeginRead();
  if (!r.ok()) throw std::runtime_error(r.status().message());
  return std::move(r).value();
}

TEST(StoreTest, TableNamesRoundTrip) {
  std::set<std::string_view> names;
  for (size_t i = 0; i < kJournaledTableCount; ++i) {
    const Table t = static_cast<Table>(i);
    EXPECT_EQ(ParseTableName(TableName(t)), t);
    EXPECT_TRUE(names.insert(TableName(t)).second) << TableName(t);
  }
  EXPECT_EQ(names.size(), 10u);
  EXPECT_EQ(TableName(Table::kOAuthClients), "oauth_clients");
  EXPECT_EQ(TableName(Table::kListBytes), "list_bytes");
  EXPECT_FALSE(ParseTableName("meta").has_value());
}

TEST(StoreTest, OpenCreatesPrivateDirAndRefusesSecondOpenInProcess) {
  TempDir tmp;
  auto dir = tmp.path() / "data" / "registry";
  {
    auto store = OpenOrDie(dir);
    struct stat st {};
    ASSERT_EQ(::stat(dir.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0700u);
    EXPECT_TRUE(std::filesystem::exists(dir / "data.mdb"));

    auto second = Store::Open(dir);
    ASSERT_FALSE(second.ok());
    EXPECT_EQ(second.status().code(), Status::Code::kFailedPrecondition);
    EXPECT_NE(second.status().message().find("already open in this process"), std::string::npos);
    // Another spelling of the same directory is the same environment.
    auto third = Store::Open(tmp.path() / "data" / "." / "registry");
    EXPECT_FALSE(third.ok());
  }
  // Closed: opens again.
  EXPECT_TRUE(Store::Open(dir).ok());

  auto missing = Store::Open(tmp.path() / "nope", OpenOptions{.create = false});
  EXPECT_EQ(missing.status().code(), Status::Code::kNotFound);
  auto missing_ro = Store::Open(tmp.path() / "nope2", OpenOptions{.read_only = true});
  EXPECT_EQ(missing_ro.status().code(), Status::Code::kNotFound);
  EXPECT_FALSE(std::filesystem::exists(tmp.path() / "nope2"));
  std::filesystem::create_directory(tmp.path() / "empty");
  auto empty = Store::Open(tmp.path() / "empty", OpenOptions{.create = false});
  EXPECT_EQ(empty.status().code(), Status::Code::kNotFound);
}

TEST(StoreTest, PutGetEraseAndSecondaryIndexes) {
  TempDir tmp;
  auto store = OpenOrDie(tmp.path());
  {
    auto w = Write(*store);
    w->Put(MakeParticipant("alpha"));
    w->Put(MakeParticipant("beta"));
    w->Put(MakeNode("b.alpha.example", "alpha"));
    w->Put(MakeNode("a.alpha.example", "alpha"));
    w->Put(MakeNode("x.beta.example", "beta"));
    w->Put(OAuthClient{"pgo.alpha.example", "alpha", "Alpha PGO", {}});
    w->Put(MakeProvider("zbzorg@medmij", "beta"));
    w->Put(MakeProvider("azorg@medmij", "beta"));
    w->Put(DataService{"49", "Medicatie", {}});
    w->Put(ComplianceCase{"case-1", "alpha", "incident", "leak", {}, std::nullopt});
    w->Put(TerminationRequest{"term-1", "beta", "", {}, std::nullopt});
    // Reads inside the write transaction see its own writes.
    EXPECT_EQ(w->NodesOf("alpha").value().size(), 2u);
    auto seq = w->Commit(Meta("seed", "all"));
    ASSERT_TRUE(seq.ok()) << seq.status().message();
    EXPECT_EQ(*seq, 1u);
  }
  {
    auto r = Read(*store);
    EXPECT_EQ(r->GetParticipant("alpha").value(), MakeParticipant("alpha"));
    EXPECT_FALSE(r->GetParticipant("gamma").value().has_value());
    EXPECT_FALSE(r->GetParticipant("").value().has_value());
    EXPECT_FALSE(r->GetNode(std::string(600, 'a')).value().has_value());  // longer than any key
    auto nodes = r->NodesOf("alpha").value();
    ASSERT_EQ(nodes.size(), 2u);
    EXPECT_EQ(nodes[0].hostname, "a.alpha.example");  // ordered by hostname
    EXPECT_EQ(nodes[1].hostname, "b.alpha.example");
    EXPECT_TRUE(r->NodesOf("alph").value().empty());  // a prefix of an owner is not the owner
    auto providers = r->ProvidersOf("beta").value();
    ASSERT_EQ(providers.size(), 2u);
    EXPECT_EQ(providers[0].name, "azorg@medmij");
    EXPECT_EQ(r->OAuthClientsOf("alpha").value().size(), 1u);
    EXPECT_EQ(r->CasesOf("alpha").value().size(), 1u);
    EXPECT_EQ(r->AllParticipants().value().size(), 2u);
    EXPECT_EQ(r->AllServices().value().size(), 1u);
    EXPECT_EQ(r->AllCases().value().size(), 1u);
    EXPECT_EQ(r->AllTerminationRequests().value().size(), 1u);
    RegistryState s = r->LoadState().value();
    EXPECT_EQ(s.participants.size(), 2u);
    EXPECT_EQ(s.nodes.size(), 3u);
    EXPECT_EQ(s.providers.at("zbzorg@medmij"), MakeProvider("zbzorg@medmij", "beta"));
    EXPECT_EQ(*r->GetRaw(Table::kParticipants, "alpha").value(),
              json(MakeParticipant("alpha")).dump());
  }
  {
    // Move a node and a provider to another owner, erase others.
    auto w = Write(*store);
    w->Put(MakeNode("a.alpha.example", "beta"));
    w->Put(MakeProvider("azorg@medmij", "alpha"));
    w->EraseNode("b.alpha.example");
    w->EraseOAuthClient("pgo.alpha.example");
    w->EraseProvider("zbzorg@medmij");
    w->EraseProvider("never-existed@medmij");  // no-op, no change
    EXPECT_EQ(w->ChangeCount(), 5u);
    ASSERT_TRUE(w->Commit(Meta("move", "x")).ok());
  }
  auto r = Read(*store);
  EXPECT_TRUE(r->NodesOf("alpha").value().empty());
  EXPECT_EQ(r->NodesOf("beta").value().size(), 2u);
  EXPECT_EQ(r->ProvidersOf("alpha").value().size(), 1u);
  EXPECT_TRUE(r->ProvidersOf("beta").value().empty());
  EXPECT_TRUE(r->OAuthClientsOf("alpha").value().empty());
  EXPECT_FALSE(r->GetNode("b.alpha.example").value().has_value());
  EXPECT_TRUE(store->VerifyJournal().ok());
  EXPECT_TRUE(store->Check().ok()) << store->Check().message();
}

TEST(StoreTest, CommitAppendsOneEventWithBeforeAndAfter) {
  TempDir tmp;
  auto store = OpenOrDie(tmp.path());
  uint64_t txn_before = store->LastTxnId();
  Participant p = MakeParticipant("alpha");
  {
    auto w = Write(*store);
    w->Put(p);
    w->Put(MakeNode("n.alpha.example", "alpha"));
    ASSERT_EQ(*w->Commit(Meta("participant enrol", "participant:alpha")), 1u);
  }
  EXPECT_GT(store->LastTxnId(), txn_before);
  Participant changed = p;
  changed.status = Lifecycle::kActive;
  {
    auto w = Write(*store);
    w->Put(changed);
    w->EraseNode("n.alpha.example");
    ASSERT_EQ(*w->Commit(Meta("participant activate", "participant:alpha")), 2u);
  }
  auto events = Events(*store);
  ASSERT_EQ(events.size(), 2u);
  const JournalEvent& e1 = events[0];
  EXPECT_EQ(e1.seq, 1u);
  EXPECT_EQ(e1.prev_hash, std::string(64, '0'));
  EXPECT_EQ(e1.meta, Meta("participant enrol", "participant:alpha"));
  ASSERT_EQ(e1.changes.size(), 2u);
  EXPECT_EQ(e1.changes[0].table, Table::kParticipants);
  EXPECT_EQ(e1.changes[0].key, "alpha");
  EXPECT_FALSE(e1.changes[0].before.has_value());
  EXPECT_EQ(*e1.changes[0].after, json(p));
  const JournalEvent& e2 = events[1];
  EXPECT_EQ(e2.prev_hash, e1.hash);
  EXPECT_EQ(e2.hash.size(), 64u);
  ASSERT_EQ(e2.changes.size(), 2u);
  EXPECT_EQ(*e2.changes[0].before, json(p));
  EXPECT_EQ(*e2.changes[0].after, json(changed));
  EXPECT_EQ(e2.changes[1].table, Table::kNodes);
  EXPECT_TRUE(e2.changes[1].before.has_value());
  EXPECT_FALSE(e2.changes[1].after.has_value());
  EXPECT_EQ(Read(*store)->JournalLength().value(), 2u);

  // Writing identical values records no change and commits nothing.
  uint64_t txn_id = store->LastTxnId();
  {
    auto w = Write(*store);
    w->Put(changed);
    EXPECT_EQ(w->ChangeCount(), 0u);
    auto seq = w->Commit(Meta("import", "x"));
    ASSERT_TRUE(seq.ok());
    EXPECT_EQ(*seq, 0u);
  }
  EXPECT_EQ(store->LastTxnId(), txn_id);
  EXPECT_EQ(Read(*store)->JournalLength().value(), 2u);
  EXPECT_TRUE(store->VerifyJournal().ok());
}

TEST(StoreTest, UncommittedTransactionLeavesNoTrace) {
  TempDir tmp;
  auto store = OpenOrDie(tmp.path());
  {
    auto w = Write(*store);
    w->Put(MakeParticipant("alpha"));
    w->AppendEvent(Meta("import", "participant:alpha"));
    EXPECT_EQ(w->JournalLength().value(), 1u);
  }  // destroyed without Commit: aborted
  auto r = Read(*store);
  EXPECT_FALSE(r->GetParticipant("alpha").value().has_value());
  EXPECT_EQ(r->JournalLength().value(), 0u);
  EXPECT_TRUE(store->VerifyJournal().ok());
}

TEST(StoreTest, AppendEventGivesOneEventPerRecordInOneTransaction) {
  TempDir tmp;
  auto store = OpenOrDie(tmp.path());
  {
    auto w = Write(*store);
    for (int i = 0; i < 3; ++i) {
      w->Put(MakeParticipant("p-" + std::to_string(i)));
      w->AppendEvent(Meta("import", "participant"));
    }
    w->AppendEvent(Meta("import", "nothing"));  // no pending change: no event
    w->Put(MakeParticipant("p-9"));
    auto seq = w->Commit(Meta("import", "last"));  // the pending change gets its own event
    ASSERT_TRUE(seq.ok());
    EXPECT_EQ(*seq, 4u);
    EXPECT_EQ(w->ChangeCount(), 4u);
  }
  auto events = Events(*store);
  ASSERT_EQ(events.size(), 4u);
  for (const auto& e : events) EXPECT_EQ(e.changes.size(), 1u);
  EXPECT_EQ(events[3].meta.subject, "last");
  // Commit after AppendEvent with nothing pending still commits the appended events.
  {
    auto w = Write(*store);
    w->Put(MakeParticipant("p-10"));
    w->AppendEvent(Meta("import", "p-10"));
    EXPECT_EQ(*w->Commit(Meta("import", "end")), 5u);
  }
  EXPECT_EQ(Read(*store)->JournalLength().value(), 5u);
  EXPECT_TRUE(store->VerifyJournal().ok());
  EXPECT_TRUE(store->Check().ok());
}

TEST(StoreTest, CountersAreJournaled) {
  TempDir tmp;
  auto store = OpenOrDie(tmp.path());
  {
    auto w = Write(*store);
    EXPECT_EQ(w->NextCounter("case").value(), 1u);
    EXPECT_EQ(w->NextCounter("case").value(), 2u);
    EXPECT_EQ(w->NextCounter("term").value(), 1u);
    ASSERT_TRUE(w->Commit(Meta("case open", "case:case-2")).ok());
  }
  {
    auto w = Write(*store);
    EXPECT_EQ(w->NextCounter("case").value(), 3u);
    ASSERT_TRUE(w->Commit(Meta("case open", "case:case-3")).ok());
  }
  auto r = Read(*store);
  EXPECT_EQ(*r->GetRaw(Table::kCounters, "case").value(), "3");
  auto events = Events(*store);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].changes.size(), 3u);
  EXPECT_EQ(*events[1].changes[0].before, json(2));
  EXPECT_EQ(*events[1].changes[0].after, json(3));
  EXPECT_TRUE(store->Check().ok());
}

TEST(StoreTest, ListVersionsAreImmutableAndJournaledByDigest) {
  TempDir tmp;
  auto store = OpenOrDie(tmp.path());
  auto version = [](ListKind list, uint64_t n) {
    return ListVersion{list, n,       At("2026-11-22T10:00:00Z"), "sha-" + std::to_string(n),
                       5,    "digest"};
  };
  {
    auto r = Read(*store);
    EXPECT_FALSE(r->CurrentListVersion(ListKind::kWhitelist).value().has_value());
    EXPECT_TRUE(r->ListVersions(ListKind::kWhitelist).value().empty());
  }
  for (uint64_t n : {1, 2, 10, 9}) {
    auto w = Write(*store);
    w->PutListVersion(version(ListKind::kWhitelist, n), "<xml" + std::to_string(n) + "/>");
    ASSERT_TRUE(w->Commit(Meta("publish", "list:whitelist")).ok());
  }
  {
    auto w = Write(*store);
    w->PutListVersion(version(ListKind::kOAuthClientList, 100), "<ocl/>");
    ASSERT_TRUE(w->Commit(Meta("publish", "list:oauthclientlist")).ok());
  }
  uint64_t length = Read(*store)->JournalLength().value();
  {
    auto w = Write(*store);
    w->Put(MakeParticipant("alpha"));
    w->PutListVersion(version(ListKind::kWhitelist, 2), "<other/>");
    auto seq = w->Commit(Meta("publish", "list:whitelist"));
    ASSERT_FALSE(seq.ok());
    EXPECT_EQ(seq.status().code(), Status::Code::kAlreadyExists);
    EXPECT_EQ(seq.status().message(),
              "list version whitelist 2 is already archived; versions are immutable");
  }
  auto r = Read(*store);
  EXPECT_EQ(r->JournalLength().value(), length);
  EXPECT_FALSE(r->GetParticipant("alpha").value().has_value());  // nothing of the refused txn
  EXPECT_EQ(r->CurrentListVersion(ListKind::kWhitelist).value()->volgnummer, 10u);
  EXPECT_EQ(r->CurrentListVersion(ListKind::kOAuthClientList).value()->volgnummer, 100u);
  EXPECT_FALSE(r->CurrentListVersion(ListKind::kZorgaanbiederslijst).value().has_value());
  EXPECT_FALSE(r->CurrentListVersion(ListKind::kGegevensdienstnamenlijst).value().has_value());
  auto all = r->ListVersions(ListKind::kWhitelist).value();
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(all[0].volgnummer, 1u);
  EXPECT_EQ(all[2].volgnummer, 9u);  // numeric order, not text order
  EXPECT_EQ(all[3].volgnummer, 10u);
  EXPECT_EQ(*r->GetListVersion(ListKind::kWhitelist, 9).value(), version(ListKind::kWhitelist, 9));
  EXPECT_EQ(*r->GetListBytes(ListKind::kWhitelist, 10).value(), "<xml10/>");
  EXPECT_FALSE(r->GetListBytes(ListKind::kWhitelist, 3).value().has_value());
  EXPECT_TRUE(
      r->GetRaw(Table::kListVersions, "whitelist/00000000000000000010").value().has_value());

  auto events = Events(*store);
  const Change& bytes_change = events[0].changes[1];
  EXPECT_EQ(bytes_change.table, Table::kListBytes);
  // sha256sum of "<xml1/>", computed independently.
  EXPECT_EQ(*bytes_change.after,
            json({{"sha256", "2b06fb421578ba158ec6e50b1df8e50fcdb1cddfc796643307a0aa799ac4ffdd"},
                  {"size", 7}}));
  EXPECT_TRUE(store->VerifyJournal().ok());
  EXPECT_TRUE(store->Check().ok()) << store->Check().message();
}

TEST(StoreTest, ReadOnlyOpenReadsAndRefusesWrites) {
  TempDir tmp;
  {
    auto store = OpenOrDie(tmp.path());
    auto w = Write(*store);
    w->Put(MakeParticipant("alpha"));
    ASSERT_TRUE(w->Commit(Meta("enrol", "alpha")).ok());
  }
  auto store = OpenOrDie(tmp.path(), OpenOptions{.read_only = true});
  EXPECT_TRUE(Read(*store)->GetParticipant("alpha").value().has_value());
  auto w = store->BeginWrite();
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.status().code(), Status::Code::kFailedPrecondition);
  EXPECT_TRUE(store->VerifyJournal().ok());
  EXPECT_TRUE(store->Check().ok());
  // Auditors with read-only access can still take a backup.
  TempDir out;
  ASSERT_TRUE(store->Backup(out.path() / "b.mdb").ok());
  auto copy = OpenOrDie(out.path() / "b.mdb", OpenOptions{.read_only = true});
  EXPECT_TRUE(Read(*copy)->GetParticipant("alpha").value().has_value());
}

TEST(StoreTest, MapFullIsReportedAndNothingOfTheTransactionIsWritten) {
  TempDir tmp;
  auto store = OpenOrDie(tmp.path(), OpenOptions{.map_size = uint64_t{1} << 20});
  {
    auto w = Write(*store);
    w->Put(MakeParticipant("small"));
    ASSERT_TRUE(w->Commit(Meta("enrol", "small")).ok());
  }
  uint64_t txn_id = store->LastTxnId();
  {
    auto w = Write(*store);
    size_t count_at_failure = 0;
    for (int i = 0; i < 400; ++i) {
      w->Put(MakeParticipant("big-" + std::to_string(i), std::string(8000, 'x')));
      if (i == 399) count_at_failure = w->ChangeCount();
    }
    // Sticky: puts after the failure are no-ops.
    EXPECT_LT(count_at_failure, 400u);
    w->Put(MakeParticipant("after"));
    EXPECT_EQ(w->ChangeCount(), count_at_failure);
    auto seq = w->Commit(Meta("import", "big"));
    ASSERT_FALSE(seq.ok());
    EXPECT_EQ(seq.status().code(), Status::Code::kResourceExhausted);
    EXPECT_EQ(seq.status().message().rfind("database is full (map size 1 MiB): ", 0), 0u)
        << seq.status().message();
  }
  EXPECT_EQ(store->LastTxnId(), txn_id);
  auto r = Read(*store);
  EXPECT_FALSE(r->GetParticipant("big-0").value().has_value());
  EXPECT_FALSE(r->GetParticipant("after").value().has_value());
  EXPECT_EQ(r->AllParticipants().value().size(), 1u);
  EXPECT_EQ(r->JournalLength().value(), 1u);
  r.reset();
  EXPECT_TRUE(store->VerifyJournal().ok());
  EXPECT_TRUE(store->Check().ok());
  // The store keeps working for transactions that fit.
  auto w = Write(*store);
  w->Put(MakeParticipant("next"));
  EXPECT_EQ(*w->Commit(Meta("enrol", "next")), 2u);
}

// Issue 8 item 7: after a failed write, the transaction's reads report that failure too, so a
// command that looks something up after it (an import's next line) says the map is full, not
// "does not exist".
TEST(StoreTest, ReadsAfterAFailedWriteReportTheFailure) {
  TempDir tmp;
  auto store = OpenOrDie(tmp.path(), OpenOptions{.map_size = uint64_t{1} << 20});
  {
    auto w = Write(*store);
    w->Put(MakeParticipant("small"));
    ASSERT_TRUE(w->Commit(Meta("enrol", "small")).ok());
  }
  auto w = Write(*store);
  EXPECT_TRUE(w->GetParticipant("small").value().has_value());  // before the failure: fine
  for (int i = 0; i < 400; ++i) {
    w->Put(MakeParticipant("big-" + std::to_string(i), std::string(8000, 'x')));
  }
  auto expect_full = [](const Status& s, const char* what) {
    EXPECT_EQ(s.code(), Status::Code::kResourceExhausted) << what << ": " << s.message();
    EXPECT_EQ(s.message().rfind("database is full", 0), 0u) << what << ": " << s.message();
  };
  expect_full(w->GetParticipant("small").status(), "GetParticipant of a stored record");
  expect_full(w->GetParticipant("missing").status(), "GetParticipant of a missing record");
  expect_full(w->AllParticipants().status(), "AllParticipants");
  expect_full(w->NodesOf("small").status(), "NodesOf");
  expect_full(w->LoadState().status(), "LoadState");
  expect_full(w->JournalLength().status(), "JournalLength");
  expect_full(w->Commit(Meta("import", "big")).status(), "Commit");
}

TEST(StoreTest, BackupIsPrivateConsistentAndOpensAsAFile) {
  TempDir tmp;
  auto store = OpenOrDie(tmp.path() / "data");
  for (int i = 0; i < 5; ++i) {
    auto w = Write(*store);
    w->Put(MakeParticipant("p-" + std::to_string(i)));
    w->Put(MakeNode("n" + std::to_string(i) + ".example", "p-" + std::to_string(i)));
    w->PutListVersion(
        ListVersion{ListKind::kWhitelist, uint64_t(i + 1), At("2026-01-01"), "s", 3, "d"}, "abc");
    ASSERT_TRUE(w->Commit(Meta("enrol", "p")).ok());
  }
  auto file = tmp.path() / "backup.mdb";
  ASSERT_TRUE(store->Backup(file).ok());
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_TRUE(S_ISREG(st.st_mode));

  auto again = store->Backup(file);
  EXPECT_EQ(again.code(), Status::Code::kAlreadyExists);
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(tmp.path()),
                          std::filesystem::directory_iterator()),
            2);  // data/ and backup.mdb: no temp file left behind

  auto nowhere = store->Backup(tmp.path() / "no-such-dir" / "b.mdb");
  EXPECT_EQ(nowhere.code(), Status::Code::kIoError);
  EXPECT_NE(nowhere.message().find((tmp.path() / "no-such-dir").string()), std::string::npos)
      << nowhere.message();

  auto copy = OpenOrDie(file, OpenOptions{.read_only = true});
  auto a = Read(*store)->LoadState().value();
  auto b = Read(*copy)->LoadState().value();
  EXPECT_EQ(a.participants, b.participants);
  EXPECT_EQ(a.nodes, b.nodes);
  EXPECT_EQ(b.participants.size(), 5u);
  EXPECT_EQ(*Read(*copy)->GetListBytes(ListKind::kWhitelist, 5).value(), "abc");
  EXPECT_EQ(Read(*copy)->JournalLength().value(), 5u);
  EXPECT_TRUE(copy->VerifyJournal().ok());
  EXPECT_TRUE(copy->Check().ok());
}

// The progress callbacks: each reports work done of a total that it reaches; a backup made with
// one (copied through a pipe to count the bytes) is the same file as one made without.
TEST(StoreTest, ProgressCallbacksCountTheWorkAndChangeNothing) {
  TempDir tmp;
  auto store = OpenOrDie(tmp.path() / "data");
  for (int i = 0; i < 40; ++i) {
    auto w = Write(*store);
    w->Put(MakeParticipant("p-" + std::to_string(i)));
    ASSERT_TRUE(w->Commit(Meta("enrol", "p")).ok());
  }
  struct Seen {
    std::vector<std::pair<uint64_t, uint64_t>> calls;
    ProgressFn Fn() {
      return [this](uint64_t done, uint64_t total) { calls.emplace_back(done, total); };
    }
    // Done never falls and never passes the total, and ends at it.
    void ExpectCountedTo(uint64_t total) const {
      ASSERT_FALSE(calls.empty());
      for (size_t i = 0; i < calls.size(); ++i) {
        EXPECT_LE(calls[i].first, calls[i].second);
        if (i > 0) {
          EXPECT_GE(calls[i].first, calls[i - 1].first);
        }
      }
      if (total > 0) {
        EXPECT_EQ(calls.back(), std::make_pair(total, total));
      }
    }
  };
  Seen verify;
  ASSERT_TRUE(store->VerifyJournal(verify.Fn()).ok());
  verify.ExpectCountedTo(40);
  EXPECT_EQ(verify.calls.size(), 40u);  // one per event

  Seen check;
  ASSERT_TRUE(store->Check(check.Fn()).ok());
  ASSERT_FALSE(check.calls.empty());
  check.ExpectCountedTo(check.calls.back().second);
  EXPECT_GT(check.calls.back().second, 40u);  // the events, then the comparisons

  Seen backup;
  const auto counted = tmp.path() / "counted.mdb";
  const auto plain = tmp.path() / "plain.mdb";
  ASSERT_TRUE(store->Backup(counted, backup.Fn()).ok());
  ASSERT_TRUE(store->Backup(plain).ok());
  const std::string bytes = testing::ReadFile(counted);
  ASSERT_FALSE(bytes.empty());
  EXPECT_EQ(bytes, testing::ReadFile(plain));
  ASSERT_FALSE(backup.calls.empty());
  EXPECT_EQ(backup.calls.back().first, bytes.size());
  backup.ExpectCountedTo(0);
  struct stat st {};
  ASSERT_EQ(::stat(counted.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto copy = OpenOrDie(counted, OpenOptions{.read_only = true});
  EXPECT_TRUE(copy->Check().ok());
  // A target that exists is refused as without a callback.
  EXPECT_EQ(store->Backup(counted, backup.Fn()).code(), Status::Code::kAlreadyExists);
}

TEST(StoreTest, StateAtReplaysTheJournalUpToTheTime) {
  TempDir tmp;
  auto store = OpenOrDie(tmp.path());
  Participant p = MakeParticipant("alpha");
  {
    auto w = Write(*store);
    w->Put(p);
    w->Put(MakeNode("n.alpha.example", "alpha"));
    ASSERT_TRUE(w->Commit(Meta("enrol", "alpha", "2026-01-01T00:00:00Z")).ok());
  }
  Participant active = p;
  active.status = Lifecycle::kActive;
  {
    auto w = Write(*store);
    w->Put(active);
    w->EraseNode("n.alpha.example");
    ASSERT_TRUE(w->Commit(Meta("activate", "alpha", "2026-02-01T00:00:00Z")).ok());
  }
  auto before = store->StateAt(At("2025-12-31"));
  ASSERT_TRUE(before.ok());
  EXPECT_TRUE(before->participants.empty());
  auto jan = store->StateAt(At("2026-01-15"));
  ASSERT_TRUE(jan.ok());
  EXPECT_EQ(jan->participants.at("alpha"), p);
  EXPECT_EQ(jan->nodes.size(), 1u);
  auto exact = store->StateAt(At("2026-02-01T00:00:00Z"));
  EXPECT_EQ(exact->participants.at("alpha"), active);
  EXPECT_TRUE(exact->nodes.empty());
  auto now = store->StateAt(At("2027-01-01"));
  auto current = Read(*store)->LoadState().value();
  EXPECT_EQ(now->participants, current.participants);
  EXPECT_EQ(now->nodes, current.nodes);
}

// The clock stepped back: events at Jan 1, Mar 1, Feb 1. The state at Feb 15 is the journal up
// to the last event at or before it (event 3), so it includes the March event; Jan 15 is event
// 1 alone. Re-puts and erases of one key are undone in order.
TEST(StoreTest, StateAtTakesTheLongestPrefixWhenTheClockSteppedBack) {
  TempDir tmp;
  auto store = OpenOrDie(tmp.path());
  Participant p = MakeParticipant("alpha");
  Participant active = p, suspended = p;
  active.status = Lifecycle::kActive;
  suspended.status = Lifecycle::kSuspended;
  auto commit = [&](const char* at, const std::function<void(WriteTxn&)>& fn) {
    auto w = Write(*store);
    fn(*w);
    ASSERT_TRUE(w->Commit(Meta("x", "alpha", at)).ok());
  };
  commit("2026-01-01T00:00:00Z", [&](WriteTxn& w) {
    w.Put(p);
    w.Put(MakeNode("a.alpha.example", "alpha"));
  });
  commit("2026-03-01T00:00:00Z", [&](WriteTxn& w) {
    w.Put(active);
    w.EraseNode("a.alpha.example");
    w.Put(MakeNode("b.alpha.example", "alpha"));
  });
  commit("2026-02-01T00:00:00Z", [&](WriteTxn& w) {
    w.Put(suspended);
    w.Put(MakeNode("c.alpha.example", "alpha"));
  });
  commit("2026-04-01T00:00:00Z", [&](WriteTxn& w) {
    w.Put(active);
    w.EraseNode("b.alpha.example");
    w.Put(MakeNode("a.alpha.example", "alpha"));
  });

  auto keys = [](const RegistryState& s) {
    std::vector<std::string> out;
    for (const auto& [k, v] : s.nodes) out.push_back(k);
    return out;
  };
  auto feb = store->StateAt(At("2026-02-15"));
  ASSERT_TRUE(feb.ok());
  EXPECT_EQ(feb->participants.at("alpha"), suspended);
  EXPECT_EQ(keys(*feb), (std::vector<std::string>{"b.alpha.example", "c.alpha.example"}));
  auto jan = store->StateAt(At("2026-01-15"));
  ASSERT_TRUE(jan.ok());
  EXPECT_EQ(jan->participants.at("alpha"), p);
  EXPECT_EQ(keys(*jan), (std::vector<std::string>{"a.alpha.example"}));
  auto later = store->StateAt(At("2026-05-01"));
  ASSERT_TRUE(later.ok());
  EXPECT_EQ(later->participants, Read(*store)->LoadState().value().participants);
  EXPECT_EQ(keys(*later), (std::vector<std::string>{"a.alpha.example", "c.alpha.example"}));
}

TEST(StoreTest, ManyThreadsCommitThroughOneStore) {
  TempDir tmp;
  auto store = OpenOrDie(tmp.path());
  constexpr int kThreads = 4, kCommits = 50;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kCommits; ++i) {
        auto w = store->BeginWrite();
        if (!w.ok()) {
          ++failures;
          continue;
        }
        uint64_t n = (*w)->NextCounter("shared").value();
        std::string id =
            "t";  // appended: g++ 12 -O2 false -Wrestrict on "x" + std::string, docs/PITFALLS.md
        id += std::to_string(t) + "-" + std::to_string(i);
        (*w)->Put(MakeParticipant(id));
        if (!(*w)->Commit(Meta("enrol", "x")).ok() || n == 0) ++failures;
        // Readers run alongside the writers.
        auto r = store->BeginRead();
        if (!r.ok() || (*r)->JournalLength().value() == 0) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  auto r = Read(*store);
  EXPECT_EQ(*r->GetRaw(Table::kCounters, "shared").value(), std::to_string(kThreads * kCommits));
  EXPECT_EQ(r->JournalLength().value(), uint64_t{kThreads * kCommits});
  EXPECT_EQ(r->AllParticipants().value().size(), size_t{kThreads * kCommits});
  r.reset();
  EXPECT_TRUE(store->VerifyJournal().ok());
  EXPECT_TRUE(store->Check().ok());
}

TEST(StoreTest, SecondWriteTransactionOnOneThreadIsRefusedNotDeadlocked) {
  TempDir tmp;
  auto store = OpenOrDie(tmp.path());
  auto w = Write(*store);
  auto nested = store->BeginWrite();
  ASSERT_FALSE(nested.ok());
  EXPECT_EQ(nested.status().code(), Status::Code::kInternal);
  EXPECT_NE(nested.status().message().find("already holds a write transaction"), std::string::npos);
  w->Put(MakeParticipant("alpha"));
  ASSERT_TRUE(w->Commit(Meta("enrol", "alpha")).ok());
  // Committed: the thread may write again while the old WriteTxn object still exists.
  auto w2 = store->BeginWrite();
  ASSERT_TRUE(w2.ok()) << w2.status().message();
  w2->reset();  // aborted by its destructor
  auto w3 = store->BeginWrite();
  ASSERT_TRUE(w3.ok()) << w3.status().message();
  // A finished WriteTxn refuses further use through Commit().
  w->Put(MakeParticipant("beta"));
  EXPECT_EQ(w->Commit(Meta("enrol", "beta")).status().code(), Status::Code::kInternal);
}

TEST(StoreTest, StoreTypesHaveJsonForms) {
  ListVersion v{ListKind::kZorgaanbiederslijst, 12, At("2026-11-22T10:00:00.123Z"), "ab", 42, "cd"};
  json j = v;
  EXPECT_EQ(j.dump(),
            R"({"content_digest":"cd","list":"zorgaanbiederslijst","sha256":"ab","size":42,)"
            R"("tijdstempel":"2026-11-22T10:00:00.123Z","volgnummer":12})");
  EXPECT_EQ(j.get<ListVersion>(), v);
  json bad = j;
  bad["volgnummer"] = -1;
  EXPECT_THROW(bad.get<ListVersion>(), JsonDecodeError);

  JournalEvent ev;
  ev.seq = 3;
  ev.meta = Meta("participant activate", "participant:alpha");
  ev.changes.push_back(Change{Table::kParticipants, "alpha", json{{"a", 1}}, std::nullopt});
  ev.changes.push_back(Change{Table::kNodes, "n", std::nullopt, json{{"b", 2}}});
  ev.prev_hash = std::string(64, '0');
  ev.hash = std::string(64, 'f');
  json je = ev;
  EXPECT_FALSE(je.contains("hash"));  // computed from the stored bytes, never stored
  EXPECT_EQ(je["meta"]["operator"], "tester");
  EXPECT_FALSE(je["changes"][0].contains("after"));
  EXPECT_EQ(je["changes"][1]["table"], "nodes");
  JournalEvent back = je.get<JournalEvent>();
  EXPECT_EQ(json(back).dump(), je.dump());
  EXPECT_EQ(back.meta, ev.meta);
  je["changes"][0]["table"] = "meta";
  try {
    je.get<JournalEvent>();
    ADD_FAILURE() << "decoded an unknown table";
  } catch (const JsonDecodeError& e) {
    EXPECT_STREQ(e.what(), "changes[0].table: unknown table 'meta'");
  }
}

TEST(StoreTest, ReadTransactionMayMoveBetweenThreads) {
  TempDir tmp;
  auto store = OpenOrDie(tmp.path());
  {
    auto w = Write(*store);
    w->Put(MakeParticipant("alpha"));
    ASSERT_TRUE(w->Commit(Meta("enrol", "alpha")).ok());
  }
  auto r = Read(*store);
  auto r2 = Read(*store);  // two read transactions on one thread (MDB_NOTLS)
  bool found = false;
  std::thread([&] { found = r->GetParticipant("alpha").value().has_value(); }).join();
  EXPECT_TRUE(found);
  r.reset();  // ended on another thread than the one that used it
  EXPECT_TRUE(r2->GetParticipant("alpha").value().has_value());
}

// The publish loop remembers LastTxnId and takes a snapshot after it: the snapshot must contain
// every commit that id counts, or a change that lands in between is never published. (LMDB
// writes a commit's meta page, which mdb_env_info reads, before it tells readers the new id.)
TEST(StoreTest, ASnapshotTakenAfterLastTxnIdSeesEveryCommitItCounts) {
  TempDir tmp;
  auto dir = tmp.path() / "data";
  auto store = OpenOrDie(dir);
  const uint64_t txn_before = store->LastTxnId();
  constexpr int kCommits = 150;
  std::vector<std::string> argv = {STORE_WRITER, dir.string(), std::to_string(kCommits), "race"};
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  pid_t pid = 0;
  ASSERT_EQ(posix_spawn(&pid, STORE_WRITER, nullptr, nullptr, args.data(), environ), 0);
  int status = 0, checks = 0, missed = 0;
  std::string first_miss;
  for (bool running = true; running;) {
    running = waitpid(pid, &status, WNOHANG) == 0;
    const uint64_t counted = store->LastTxnId() - txn_before;
    const uint64_t seen = Read(*store)->JournalLength().value();
    ++checks;
    if (seen < counted && missed++ == 0) {
      first_miss = std::to_string(counted) + " commits counted, " + std::to_string(seen) + " seen";
    }
  }
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_EQ(missed, 0) << missed << " of " << checks << " snapshots; first: " << first_miss;
  EXPECT_EQ(store->LastTxnId(), txn_before + kCommits);
}

TEST(StoreTest, TwoProcessesAtOnce) {
  TempDir tmp;
  auto dir = tmp.path() / "data";
  auto store = OpenOrDie(dir);  // stays open: sees the other processes' commits
  uint64_t txn_before = store->LastTxnId();
  constexpr int kProcs = 4, kCommits = 40;
  std::vector<pid_t> pids;
  for (int i = 0; i < kProcs; ++i) {
    std::vector<std::string> argv = {STORE_WRITER, dir.string(), std::to_string(kCommits),
                                     "w" + std::to_string(i)};
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    pid_t pid = 0;
    ASSERT_EQ(posix_spawn(&pid, STORE_WRITER, nullptr, nullptr, args.data(), environ), 0);
    pids.push_back(pid);
  }
  for (pid_t pid : pids) {
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0);
  }
  EXPECT_EQ(store->LastTxnId(), txn_before + kProcs * kCommits);
  auto r = Read(*store);
  EXPECT_EQ(r->JournalLength().value(), uint64_t{kProcs * kCommits});
  EXPECT_EQ(*r->GetRaw(Table::kCounters, "writes").value(), std::to_string(kProcs * kCommits));
  EXPECT_EQ(r->AllParticipants().value().size(), size_t{kProcs * kCommits});
  r.reset();
  EXPECT_TRUE(store->VerifyJournal().ok()) << store->VerifyJournal().message();
  EXPECT_TRUE(store->Check().ok()) << store->Check().message();
}

TEST(StoreTest, BulkImportInOneTransaction) {
  TempDir tmp;
  auto store = OpenOrDie(tmp.path());
  constexpr int kParticipants = 50, kProviders = 5000;
  {
    auto w = Write(*store);
    for (int i = 0; i < kParticipants; ++i) {
      std::string id = "dva-" + std::to_string(i);
      w->Put(MakeParticipant(id));
      w->AppendEvent(Meta("import", "participant"));
      w->Put(MakeNode("node." + id + ".example", id));
      w->AppendEvent(Meta("import", "node"));
    }
    for (int i = 0; i < kProviders; ++i) {
      std::string name;
      for (int n = i; n > 0 || name.empty(); n /= 26) name += char('a' + n % 26);
      w->Put(MakeProvider("zorg" + name + "@medmij", "dva-" + std::to_string(i % kParticipants)));
      w->AppendEvent(Meta("import", "provider"));
    }
    auto seq = w->Commit(Meta("import", "done"));
    ASSERT_TRUE(seq.ok()) << seq.status().message();
    EXPECT_EQ(*seq, uint64_t{2 * kParticipants + kProviders});
  }
  auto r = Read(*store);
  auto state = r->LoadState().value();
  EXPECT_EQ(state.providers.size(), size_t{kProviders});
  EXPECT_EQ(state.participants.size(), size_t{kParticipants});
  EXPECT_EQ(r->ProvidersOf("dva-7").value().size(), size_t{kProviders / kParticipants});
  r.reset();
  EXPECT_TRUE(store->VerifyJournal().ok());
  EXPECT_TRUE(store->Check().ok()) << store->Check().message();
  // Importing the same data again changes nothing and appends no event.
  {
    auto w = Write(*store);
    for (const auto& [name, p] : state.providers) {
      w->Put(p);
      w->AppendEvent(Meta("import", "provider"));
    }
    EXPECT_EQ(*w->Commit(Meta("import", "done")), 0u);
  }
  EXPECT_EQ(Read(*store)->JournalLength().value(), uint64_t{2 * kParticipants + kProviders});
}

TEST(StoreTest, BadRecordsAreRefusedByCommit) {
  TempDir tmp;
  auto store = OpenOrDie(tmp.path());
  auto w = Write(*store);
  w->Put(MakeParticipant("ok"));
  w->Put(MakeParticipant(std::string(600, 'k')));  // longer than LMDB's key limit
  auto seq = w->Commit(Meta("enrol", "x"));
  ASSERT_FALSE(seq.ok());
  EXPECT_EQ(seq.status().code(), Status::Code::kInvalidArgument);
  EXPECT_NE(seq.status().message().find("key empty or longer than 511 bytes"), std::string::npos)
      << seq.status().message();
  auto w2 = Write(*store);
  Participant bad = MakeParticipant("utf");
  bad.legal_name = "\xff\xfe";  // not UTF-8: cannot be canonical JSON
  w2->Put(bad);
  auto seq2 = w2->Commit(Meta("enrol", "x"));
  ASSERT_FALSE(seq2.ok());
  EXPECT_EQ(seq2.status().code(), Status::Code::kInvalidArgument);
  EXPECT_NE(seq2.status().message().find("participants/utf: cannot encode record"),
            std::string::npos)
      << seq2.status().message();
  w2.reset();
  w.reset();
  EXPECT_TRUE(Read(*store)->AllParticipants().value().empty());
}

// A record holding a time outside the supported range would not decode: Commit refuses it
// and writes nothing, so no read of the store can fail on it later. At the edges it is stored
// and read back.
TEST(StoreTest, ATimeOutsideTheSupportedRangeIsRefusedByCommit) {
  TempDir tmp;
  auto store = OpenOrDie(tmp.path());
  Participant edge = MakeParticipant("edge");
  edge.certificates = {{"C1", "Body", true, true, kEarliestTime, kLatestTime, "",
                        Provenance{kEarliestTime, "tester", ""}}};
  {
    auto w = Write(*store);
    w->Put(edge);
    ASSERT_TRUE(w->Commit(Meta("cert add", "participant:edge")).ok());
  }
  EXPECT_EQ(Read(*store)->GetParticipant("edge").value(), edge);

  const uint64_t events = Read(*store)->JournalLength().value();
  Participant past = edge;
  past.certificates[0].valid_until = kLatestTime + Millis(1);
  {
    auto w = Write(*store);
    w->Put(MakeParticipant("other"));
    w->Put(past);
    auto seq = w->Commit(Meta("cert add", "participant:edge"));
    ASSERT_FALSE(seq.ok());
    EXPECT_EQ(seq.status().code(), Status::Code::kInvalidArgument);
    EXPECT_EQ(seq.status().message(),
              "participants/edge: cannot encode record: valid_until: 10000-01-01T00:00:00.000Z "
              "is outside the supported range 1970-01-01T00:00:00Z to 9999-12-31T23:59:59Z, "
              "inclusive");
  }
  {
    // The journal event's own time is held to the range as well.
    auto w = Write(*store);
    w->Put(MakeParticipant("other"));
    auto seq = w->Commit(EventMeta{kEarliestTime - Millis(1), "tester", "enrol", "x", ""});
    ASSERT_FALSE(seq.ok());
    EXPECT_NE(seq.status().message().find("at: 1969-12-31T23:59:59.999Z is outside the supported"),
              std::string::npos)
        << seq.status().message();
  }
  auto r = Read(*store);
  EXPECT_EQ(r->JournalLength().value(), events);
  EXPECT_EQ(r->GetParticipant("edge").value(), edge);
  EXPECT_FALSE(r->GetParticipant("other").value().has_value());
}

}  // namespace
}  // namespace medmij::store
