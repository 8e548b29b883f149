// registry/ops/report.h: month boundaries, lapses by time, standing per day, and the list
// archive's entries and exits, on journals built in memory and on a real store.
#include "registry/ops/report.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "registry/domain/json.h"
#include "registry/ops/ops.h"
#include "tests/support/process.h"

namespace medmij::ops {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

Time At(const char* text) {
  auto r = ParseTime(text, "test");
  EXPECT_TRUE(r.ok()) << text;
  return *r;
}

ReportMonth November() {
  auto m = ParseReportMonth("2026-11", "--month");
  EXPECT_TRUE(m.ok());
  return *m;
}

TEST(ReportMonthTest, ParsesACalendarMonthInUtc) {
  ReportMonth m = November();
  EXPECT_EQ(m.name, "2026-11");
  EXPECT_EQ(m.start, At("2026-11-01T00:00:00Z"));
  EXPECT_EQ(m.end, At("2026-12-01T00:00:00Z"));
  EXPECT_EQ(m.days, 30);
  auto dec = ParseReportMonth("2026-12", "--month");
  ASSERT_TRUE(dec.ok());
  EXPECT_EQ(dec->end, At("2027-01-01T00:00:00Z"));
  EXPECT_EQ(dec->days, 31);
  EXPECT_EQ(ParseReportMonth("2026-02", "--month")->days, 28);
  EXPECT_EQ(ParseReportMonth("2028-02", "--month")->days, 29);
  EXPECT_EQ(ParseReportMonth("1970-01", "--month")->start, kEarliestTime);
}

TEST(ReportMonthTest, RefusesWhatIsNotAMonthNamingTheOption) {
  for (const char* bad : {"2026-13", "2026-00", "26-11", "2026-1", "2026-11-01", "", "2026/11",
                          "2026-1x", " 2026-11", "1969-12", "9999-12", "+026-11"}) {
    SCOPED_TRACE(bad);
    auto m = ParseReportMonth(bad, "--month");
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.status().code(), Status::Code::kInvalidArgument);
    EXPECT_THAT(m.status().message(), HasSubstr("--month"));
    EXPECT_EQ(m.status().message().find('\n'), std::string::npos);
  }
}

TEST(ReportMonthTest, IsoWeeks) {
  EXPECT_EQ(IsoWeekLabel(At("2026-11-01T12:00:00Z")), "2026-W44");  // a Sunday
  EXPECT_EQ(IsoWeekLabel(At("2026-11-02T00:00:00Z")), "2026-W45");  // Monday
  EXPECT_EQ(IsoWeekLabel(At("2026-12-31T00:00:00Z")), "2026-W53");
  EXPECT_EQ(IsoWeekLabel(At("2027-01-01T00:00:00Z")), "2026-W53");
  EXPECT_EQ(IsoWeekLabel(At("2027-01-04T00:00:00Z")), "2027-W01");
  std::vector<WeekFigure> weeks = WeeklyListChanges(November(), {});
  ASSERT_EQ(weeks.size(), 6u);  // Sun 1, 2-8, 9-15, 16-22, 23-29, Mon 30
  EXPECT_EQ(weeks[0].from, At("2026-11-01"));
  EXPECT_EQ(weeks[0].to, At("2026-11-02"));
  EXPECT_EQ(weeks[1].to, At("2026-11-09"));
  EXPECT_EQ(weeks[5].label, "2026-W49");
  EXPECT_EQ(weeks[5].from, At("2026-11-30"));
  EXPECT_EQ(weeks[5].to, At("2026-12-01"));
}

// Active, labelled, a certificate valid from 2026-01-01 until `cert_until`, a conform audit
// statement dated `audit_date`.
Participant Active(const std::string& id, Time cert_until, Time audit_date) {
  Participant p;
  p.id = id;
  p.legal_name = "Org " + id;
  p.kvk = "12345678";
  p.email = id + "@example.nl";
  p.roles = {Role::kDva};
  p.status = Lifecycle::kActive;
  Certificate c;
  c.number = "NEN-" + id;
  c.body = "Certifier BV";
  c.accredited = c.registered = true;
  c.valid_from = At("2026-01-01");
  c.valid_until = cert_until;
  p.certificates.push_back(c);
  AuditStatement a;
  a.date = audit_date;
  a.auditor = "Audit BV";
  a.outcome = AuditOutcome::kConform;
  p.audit_statements.push_back(a);
  LabelEvent l;
  l.granted = true;
  p.labels.push_back(l);
  return p;
}

// An event at `at` that puts `after` over `before`.
store::JournalEvent Put(uint64_t seq, Time at, const std::optional<Participant>& before,
                        const Participant& after) {
  store::JournalEvent ev;
  ev.seq = seq;
  ev.meta.at = at;
  ev.meta.operator_name = "alice";
  store::Change c;
  c.table = store::Table::kParticipants;
  c.key = after.id;
  if (before) c.before = nlohmann::json(*before);
  c.after = nlohmann::json(after);
  ev.changes.push_back(c);
  return ev;
}

std::vector<int> Good(const JournalFigures& f) {
  std::vector<int> out;
  for (const auto& d : f.days) out.push_back(d.good_standing);
  return out;
}

// Days 1..n good and the rest not: `first_bad` is the first day (1-based) out of standing.
std::vector<int> GoodUntil(int first_bad, int days = 30) {
  std::vector<int> out;
  for (int d = 1; d <= days; ++d) out.push_back(d < first_bad ? 1 : 0);
  return out;
}

TEST(ReportJournalTest, ACertificateThatLapsesMidMonthCountsOnItsDay) {
  RegistryState s;
  Participant p = Active("mid", At("2026-11-15T12:00:00Z"), At("2026-06-01"));
  s.participants.emplace(p.id, p);
  auto f = ComputeJournalFigures(November(), s, {});
  ASSERT_TRUE(f.ok()) << f.status().message();
  // In good standing at the end of the 14th, not at the end of the 15th.
  EXPECT_EQ(Good(*f), GoodUntil(15));
  ASSERT_EQ(f->lapses.size(), 1u);
  EXPECT_EQ(f->lapses[0].at, At("2026-11-15T12:00:00Z"));
  EXPECT_EQ(f->lapses[0].participant, "mid");
  EXPECT_EQ(f->lapses[0].kind, policy::EvidenceKind::kCertificate);
  EXPECT_EQ(f->lapses[0].what, "NEN-mid (Certifier BV)");
  EXPECT_EQ(f->good_standing_at_end, 0);
  EXPECT_EQ(f->not_good_standing_at_end, 1);
  EXPECT_EQ(f->by_status_at_end, (std::map<std::string, int>{{"active", 1}}));
}

TEST(ReportJournalTest, LapsesAtTheMonthsEdges) {
  RegistryState s;
  // valid_until is exclusive: not valid at 2026-11-01T00:00, so it lapses in November.
  for (auto p : {Active("at-start", At("2026-11-01"), At("2026-06-01")),
                 Active("at-end", At("2026-12-01"), At("2026-06-01")),
                 Active("last-ms", At("2026-11-30T23:59:59.999Z"), At("2026-06-01")),
                 Active("before", At("2026-10-31T23:59:59.999Z"), At("2026-06-01"))}) {
    s.participants.emplace(p.id, p);
  }
  auto f = ComputeJournalFigures(November(), s, {});
  ASSERT_TRUE(f.ok());
  std::vector<std::string> who;
  for (const auto& l : f->lapses) who.push_back(l.participant + "@" + FormatTime(l.at));
  EXPECT_THAT(who,
              ElementsAre("at-start@2026-11-01T00:00:00.000Z", "last-ms@2026-11-30T23:59:59.999Z"));
  // at-end is good every day (its last instant is 2026-11-30T23:59:59.999); last-ms not on the
  // 30th.
  EXPECT_EQ(f->days.front().good_standing, 2);
  EXPECT_EQ(f->days[28].good_standing, 2);
  EXPECT_EQ(f->days.back().good_standing, 1);
}

TEST(ReportJournalTest, AnAuditStatementLapsesAfter365Days) {
  RegistryState s;
  // Counts while date <= t < date + 366 days: dated 2025-11-10, it stops at 2026-11-11T00:00.
  Participant p = Active("audit", At("2028-01-01"), At("2025-11-10"));
  s.participants.emplace(p.id, p);
  auto f = ComputeJournalFigures(November(), s, {});
  ASSERT_TRUE(f.ok());
  ASSERT_EQ(f->lapses.size(), 1u);
  EXPECT_EQ(f->lapses[0].kind, policy::EvidenceKind::kAuditStatement);
  EXPECT_EQ(f->lapses[0].at, At("2026-11-11"));
  EXPECT_EQ(Good(*f), GoodUntil(11));
}

TEST(ReportJournalTest, ARenewalInTimeIsNoLapseAndOneAfterItDoesNotUndoIt) {
  RegistryState s;
  Participant early = Active("early", At("2026-11-15"), At("2026-06-01"));
  Participant late = Active("late", At("2026-11-15"), At("2026-06-01"));
  s.participants.emplace(early.id, early);
  s.participants.emplace(late.id, late);
  auto renewed = [](Participant p, Time from) {
    Certificate c = p.certificates[0];
    c.number += "-2";
    c.valid_from = from;
    c.valid_until = At("2027-11-15");
    p.certificates.push_back(c);
    return p;
  };
  std::vector<store::JournalEvent> events = {
      // Recorded on the 10th, valid from the 14th: no gap.
      Put(10, At("2026-11-10T09:00:00Z"), early, renewed(early, At("2026-11-14"))),
      // Recorded on the 20th, valid from then: out of standing on days 15 to 19.
      Put(11, At("2026-11-20T09:00:00Z"), late, renewed(late, At("2026-11-20T09:00:00Z")))};
  auto f = ComputeJournalFigures(November(), s, events);
  ASSERT_TRUE(f.ok()) << f.status().message();
  ASSERT_EQ(f->lapses.size(), 1u);
  EXPECT_EQ(f->lapses[0].participant, "late");
  EXPECT_EQ(f->lapses[0].at, At("2026-11-15"));
  std::vector<int> expected;
  for (int d = 1; d <= 30; ++d) expected.push_back(d >= 15 && d <= 19 ? 1 : 2);
  EXPECT_EQ(Good(*f), expected);
  EXPECT_THAT(f->status_changes, IsEmpty());
}

TEST(ReportJournalTest, StatusChangesAndCasesWithTheirEvents) {
  RegistryState s;
  Participant p = Active("acme", At("2028-01-01"), At("2026-06-01"));
  s.participants.emplace(p.id, p);
  Participant suspended = p;
  suspended.status = Lifecycle::kSuspended;
  Participant terminated = p;
  terminated.status = Lifecycle::kTerminated;
  Participant fresh = Active("newco", At("2028-01-01"), At("2026-06-01"));
  fresh.status = Lifecycle::kCandidate;
  Participant activated = fresh;
  activated.status = Lifecycle::kActive;

  ComplianceCase c;
  c.id = "case-1";
  c.participant = "acme";
  c.type = "incident";
  c.finding = "data leak";
  c.steps.push_back({CaseStep::kFinding, {}, std::nullopt});
  ComplianceCase stepped = c;
  stepped.steps.push_back({CaseStep::kSuspension, {}, std::nullopt});
  ComplianceCase closed = stepped;
  closed.closed = Provenance{At("2026-11-20"), "bob", "resolved"};
  auto put_case = [](uint64_t seq, Time at, const std::optional<ComplianceCase>& before,
                     const ComplianceCase& after) {
    store::JournalEvent ev;
    ev.seq = seq;
    ev.meta.at = at;
    ev.meta.operator_name = "bob";
    store::Change ch;
    ch.table = store::Table::kCases;
    ch.key = after.id;
    if (before) ch.before = nlohmann::json(*before);
    ch.after = nlohmann::json(after);
    ev.changes.push_back(ch);
    return ev;
  };
  store::JournalEvent suspend = put_case(2, At("2026-11-03T10:00:00Z"), c, stepped);
  suspend.changes.push_back(Put(0, {}, p, suspended).changes[0]);
  suspend.meta.reason = "network safety";
  std::vector<store::JournalEvent> events = {
      put_case(1, At("2026-11-02T10:00:00Z"), std::nullopt, c),
      suspend,
      Put(3, At("2026-11-04T10:00:00Z"), std::nullopt, fresh),
      Put(4, At("2026-11-05T10:00:00Z"), fresh, activated),
      Put(5, At("2026-11-10T10:00:00Z"), suspended, p),
      put_case(6, At("2026-11-20T10:00:00Z"), stepped, closed),
      Put(7, At("2026-11-25T10:00:00Z"), p, terminated),
  };
  auto f = ComputeJournalFigures(November(), s, events);
  ASSERT_TRUE(f.ok()) << f.status().message();
  std::vector<std::string> kinds;
  for (const auto& e : f->status_changes) {
    kinds.push_back(std::string(KindOf(e)) + " " + e.participant + " " + std::to_string(e.seq));
  }
  EXPECT_THAT(kinds, ElementsAre("suspension acme 2", "enrolment newco 3", "activation newco 4",
                                 "reinstatement acme 5", "termination acme 7"));
  EXPECT_EQ(f->status_changes[0].reason, "network safety");
  ASSERT_EQ(f->cases_opened.size(), 1u);
  EXPECT_EQ(f->cases_opened[0].case_id, "case-1");
  EXPECT_EQ(f->cases_opened[0].reason, "data leak");
  EXPECT_EQ(f->cases_opened[0].at, At("2026-11-02T10:00:00Z"));
  ASSERT_EQ(f->cases_closed.size(), 1u);
  EXPECT_EQ(f->cases_closed[0].step, CaseStep::kSuspension);
  EXPECT_EQ(f->cases_closed[0].reason, "resolved");
  // acme: good 1-2, suspended 3-9, good 10-24, terminated from the 25th (counts in neither).
  // newco: candidate on the 4th (not good), active from the 5th.
  std::vector<int> good, bad;
  for (const auto& d : f->days) {
    good.push_back(d.good_standing);
    bad.push_back(d.not_good_standing);
  }
  std::vector<int> eg, eb;
  for (int d = 1; d <= 30; ++d) {
    const bool acme_good = d <= 2 || (d >= 10 && d <= 24);
    const bool acme_bad = d >= 3 && d <= 9;
    eg.push_back(acme_good + (d >= 5));
    eb.push_back(acme_bad + (d == 4));
  }
  EXPECT_EQ(good, eg);
  EXPECT_EQ(bad, eb);
  EXPECT_EQ(f->by_status_at_end, (std::map<std::string, int>{{"active", 1}, {"terminated", 1}}));
}

TEST(ReportJournalTest, ARecordThatDoesNotDecodeNamesTheEvent) {
  store::JournalEvent ev;
  ev.seq = 7;
  ev.meta.at = At("2026-11-02");
  store::Change c;
  c.table = store::Table::kParticipants;
  c.key = "x";
  c.after = nlohmann::json{{"id", 3}};
  ev.changes.push_back(c);
  auto f = ComputeJournalFigures(November(), {}, {ev});
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.status().code(), Status::Code::kCorruption);
  EXPECT_THAT(f.status().message(), HasSubstr("journal event 7: participants/x"));
}

// A real store: which events belong to the month, and the state it starts from.
class ReportStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = store::Store::Open(dir_ / "data");
    ASSERT_TRUE(s.ok()) << s.status().message();
    store_ = std::move(*s);
  }

  void Do(const char* at, const std::function<Status(store::WriteTxn&, const Actor&)>& fn) {
    auto txn = store_->BeginWrite();
    ASSERT_TRUE(txn.ok());
    const Actor actor{"alice", At(at)};
    Status st = fn(**txn, actor);
    ASSERT_TRUE(st.ok()) << at << ": " << st.message();
    auto seq = (*txn)->Commit({actor.now, "alice", "test", "test", "because"});
    ASSERT_TRUE(seq.ok()) << seq.status().message();
  }

  testing::TempDir dir_;
  std::unique_ptr<store::Store> store_;
};

TEST_F(ReportStoreTest, EventsOnTheMonthsEdges) {
  const std::string id = "acme";
  Do("2026-10-31T23:59:59.999Z", [&](store::WriteTxn& t, const Actor& a) {
    MEDMIJ_RETURN_IF_ERROR(Enrol(t, a, {id, "Acme BV", "12345678", "a@acme.nl", {"dva"}}));
    MEDMIJ_RETURN_IF_ERROR(AddCertificate(
        t, a, {id, "NEN-1", "Certifier BV", true, true, At("2026-01-01"), At("2028-01-01"), ""}));
    MEDMIJ_RETURN_IF_ERROR(
        AddAuditStatement(t, a, {id, At("2026-06-01"), "Audit BV", "conform", true}));
    MEDMIJ_RETURN_IF_ERROR(GrantLabel(t, a, id, ""));
    return Activate(t, a, id, "");
  });
  Do("2026-11-01T00:00:00Z",
     [&](store::WriteTxn& t, const Actor& a) { return Suspend(t, a, id, "first instant"); });
  Do("2026-11-30T23:59:59.999Z",
     [&](store::WriteTxn& t, const Actor& a) { return Reinstate(t, a, id, "last instant"); });
  Do("2026-12-01T00:00:00Z",
     [&](store::WriteTxn& t, const Actor& a) { return Suspend(t, a, id, "december"); });
  auto r = BuildMonthReport(*store_, November());
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->first_seq, 2u);
  EXPECT_EQ(r->last_seq, 3u);
  EXPECT_EQ(r->events_before_end, 3u);
  std::vector<std::string> kinds;
  for (const auto& e : r->journal.status_changes) kinds.push_back(std::string(KindOf(e)));
  EXPECT_THAT(kinds, ElementsAre("suspension", "reinstatement"));
  EXPECT_EQ(r->journal.status_changes[0].reason, "because");
  // Suspended the whole month but at the very end of the 30th.
  EXPECT_EQ(r->journal.days.front().good_standing, 0);
  EXPECT_EQ(r->journal.days[28].good_standing, 0);
  EXPECT_EQ(r->journal.days.back().good_standing, 1);

  auto october = BuildMonthReport(*store_, *ParseReportMonth("2026-10", "--month"));
  ASSERT_TRUE(october.ok());
  EXPECT_EQ(october->first_seq, 1u);
  EXPECT_EQ(october->last_seq, 1u);
  EXPECT_EQ(october->journal.days.back().good_standing, 1);
  EXPECT_EQ(october->journal.status_changes.size(), 2u);  // enrolment, activation

  auto empty = BuildMonthReport(*store_, *ParseReportMonth("2025-01", "--month"));
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->first_seq, 0u);
  EXPECT_EQ(empty->events_before_end, 0u);
  EXPECT_EQ(empty->journal.days.size(), 31u);
  EXPECT_EQ(empty->journal.days.back().good_standing, 0);

  nlohmann::json doc = ToJson(*r);
  EXPECT_EQ(doc["time_zone"], "UTC");
  EXPECT_EQ(doc["status_change_counts"]["suspension"], 1);
  EXPECT_EQ(doc["status_change_counts"]["reinstatement"], 1);
  EXPECT_EQ(doc["charts"]["good_standing_per_day"].size(), 30u);
  EXPECT_EQ(doc["charts"]["good_standing_per_day"][29]["date"], "2026-11-30");
  EXPECT_EQ(doc["charts"]["good_standing_per_day"][29]["good_standing"], 1);
}

}  // namespace
}  // namespace medmij::ops
