// registry/ops/attention.h: what `due` and `status` show, on a state built in memory.
#include "registry/ops/attention.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace medmij::ops {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

Time At(const char* text) {
  auto r = ParseTime(text, "test");
  EXPECT_TRUE(r.ok()) << text;
  return *r;
}

const Time kNow = At("2026-11-22T10:00:00Z");

// Active, labelled, with a certificate valid until `cert_until` and a conform audit statement
// dated `audit_date`.
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
  l.recorded.at = At("2026-01-01");
  p.labels.push_back(l);
  return p;
}

ComplianceCase OpenCase(const std::string& id, const std::string& participant,
                        std::optional<Time> deadline) {
  ComplianceCase c;
  c.id = id;
  c.participant = participant;
  c.type = "incident";
  c.steps.push_back({CaseStep::kFinding, {}, std::nullopt});
  c.steps.push_back({CaseStep::kExplanation, {}, deadline});
  return c;
}

RegistryState Sample() {
  RegistryState s;
  for (auto p : {Active("late", At("2026-12-20"), At("2026-06-01")),     // cert in 28 days
                 Active("early", At("2028-01-01"), At("2025-11-25")),    // audit in 4 days
                 Active("fine", At("2028-01-01"), At("2026-10-01"))}) {  // nothing soon
    s.participants.emplace(p.id, p);
  }
  s.cases.emplace("case-1", OpenCase("case-1", "fine", At("2026-11-20")));  // passed
  s.cases.emplace("case-2", OpenCase("case-2", "late", At("2026-12-02")));  // in 10 days
  s.cases.emplace("case-3", OpenCase("case-3", "early", std::nullopt));     // no deadline
  TerminationRequest r;
  r.id = "term-1";
  r.participant = "early";
  r.requested.at = At("2026-11-21T08:00:00Z");
  r.requested.by = "alice";
  s.termination_requests.emplace(r.id, r);
  return s;
}

std::vector<std::string> Refs(const std::vector<DueItem>& items) {
  std::vector<std::string> out;
  for (const auto& i : items) out.push_back(std::string(ToString(i.kind)) + ":" + i.participant);
  return out;
}

TEST(Due, EveryKindSortedByDateWithTheContactEmail) {
  const auto all = std::set<DueKind>(kAllDueKinds.begin(), kAllDueKinds.end());
  auto items = Due(Sample(), kNow, kNow + Days(30), all);
  EXPECT_THAT(Refs(items),
              ElementsAre("case-deadline:fine", "approval:early", "audit-statement:early",
                          "case-deadline:late", "certificate:late"));
  EXPECT_TRUE(items[0].passed);
  EXPECT_EQ(items[0].ref, "case-1");
  EXPECT_EQ(items[0].email, "fine@example.nl");
  EXPECT_EQ(items[1].ref, "term-1");
  EXPECT_FALSE(items[3].passed);
  EXPECT_EQ(items[4].at, At("2026-12-20"));
}

TEST(Due, TheSelectionAndTheHorizonNarrowIt) {
  EXPECT_THAT(Refs(Due(Sample(), kNow, kNow + Days(30), {DueKind::kCertificate})),
              ElementsAre("certificate:late"));
  EXPECT_THAT(
      Refs(Due(Sample(), kNow, kNow + Days(5), {DueKind::kCertificate, DueKind::kAuditStatement})),
      ElementsAre("audit-statement:early"));
  // A passed deadline is due whatever the horizon; an approval waits now.
  EXPECT_THAT(Refs(Due(Sample(), kNow, kNow, {DueKind::kCaseDeadline, DueKind::kApproval})),
              ElementsAre("case-deadline:fine", "approval:early"));
}

TEST(Due, ApprovedRequestsClosedCasesAndTerminatedParticipantsAreNotDue) {
  RegistryState s = Sample();
  s.termination_requests["term-1"].approved = Provenance{};
  s.cases["case-1"].closed = Provenance{};
  s.participants["late"].status = Lifecycle::kTerminated;
  const auto all = std::set<DueKind>(kAllDueKinds.begin(), kAllDueKinds.end());
  EXPECT_THAT(Refs(Due(s, kNow, kNow + Days(30), all)),
              ElementsAre("audit-statement:early", "case-deadline:late"));
}

TEST(ParseDueKinds, TakesTheIssuesWordsAndNamesAnUnknownOne) {
  auto kinds = ParseDueKinds("certificates,audits,cases,approvals", "--what");
  ASSERT_TRUE(kinds.ok());
  EXPECT_EQ(kinds->size(), 4u);
  auto bad = ParseDueKinds("certificates,cats", "--what");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(bad.status().message(),
            "--what: 'cats' is not one of certificates, audits, cases, approvals");
  EXPECT_FALSE(ParseDueKinds("", "--what").ok());
  EXPECT_FALSE(ParseDueKinds("cases,", "--what").ok());
}

TEST(Summarize, CountsStandingAndWhoFellOutSinceLastWeek) {
  RegistryState now = Sample();
  RegistryState then = now;
  // "fine" was in good standing a week ago and is suspended now.
  now.participants["fine"].status = Lifecycle::kSuspended;
  Participant candidate = Active("new-pgo", At("2028-01-01"), At("2026-10-01"));
  candidate.status = Lifecycle::kCandidate;
  candidate.roles = {Role::kDvp, Role::kDva};
  now.participants.emplace(candidate.id, candidate);

  Summary s = Summarize(now, &then, kNow);
  EXPECT_EQ(s.by_status,
            (std::map<std::string, int>{{"active", 2}, {"candidate", 1}, {"suspended", 1}}));
  EXPECT_EQ(s.by_role_status["dvp"], (std::map<std::string, int>{{"candidate", 1}}));
  EXPECT_EQ(s.by_role_status["dva"]["active"], 2);
  EXPECT_EQ(s.good_standing, 2);
  EXPECT_EQ(s.not_good_standing, 2);
  EXPECT_THAT(s.fell_out, ElementsAre("fine"));
  EXPECT_THAT(Refs(s.lapsing), ElementsAre("audit-statement:early", "certificate:late"));
  EXPECT_THAT(Refs(s.approvals), ElementsAre("approval:early"));
  EXPECT_EQ(s.open_cases_by_step, (std::map<std::string, int>{{"explanation", 3}}));
  // Within 7 days: the passed one only (case-2 is 10 days away).
  EXPECT_THAT(Refs(s.deadlines), ElementsAre("case-deadline:fine"));
  EXPECT_THAT(Summarize(now, nullptr, kNow).fell_out, IsEmpty());
}

}  // namespace
}  // namespace medmij::ops
