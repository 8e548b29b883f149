#include "registry/web/view_builder.h"

#include <gtest/gtest.h>

namespace medmij::web {
namespace {

Time At(const char* text) {
  auto r = ParseTime(text, "test");
  EXPECT_TRUE(r.ok()) << text;
  return *r;
}

Provenance RecordedAt(Time t) {
  Provenance p;
  p.at = t;
  p.by = "alice";
  p.reason = "GEHEIM";
  return p;
}

// Enrolled in January, labelled, evidence from 2026-01-10, activated on 2026-02-01.
Participant Active() {
  Participant p;
  p.id = "acme";
  p.legal_name = "Acme B.V.";
  p.roles = {Role::kDva};
  p.status = Lifecycle::kActive;
  Certificate c;
  c.accredited = c.registered = true;
  c.valid_from = At("2026-01-01");
  c.valid_until = At("2028-01-01");
  c.recorded = RecordedAt(At("2026-01-10"));
  p.certificates.push_back(c);
  AuditStatement a;
  a.date = At("2026-01-05");
  a.outcome = AuditOutcome::kConform;
  a.recorded = RecordedAt(At("2026-01-10"));
  p.audit_statements.push_back(a);
  p.labels.push_back({true, RecordedAt(At("2026-01-20"))});
  p.status_history.push_back(
      {Lifecycle::kCandidate, Lifecycle::kActive, RecordedAt(At("2026-02-01"))});
  p.qualifications.push_back({"4", true, RecordedAt(At("2026-01-15"))});
  return p;
}

TEST(LeftGoodStandingAt, IsTheSuspension) {
  Participant p = Active();
  EXPECT_EQ(LeftGoodStandingAt(p, At("2026-03-01")), std::nullopt) << "in good standing";
  p.status = Lifecycle::kSuspended;
  p.status_history.push_back(
      {Lifecycle::kActive, Lifecycle::kSuspended, RecordedAt(At("2026-03-02"))});
  EXPECT_EQ(LeftGoodStandingAt(p, At("2026-04-01")), At("2026-03-02"));
}

TEST(LeftGoodStandingAt, IsTheLapseOfTheAuditStatement) {
  Participant p = Active();
  // Counts for 365 whole days: 2026-01-05 + 366 days is the first instant it does not.
  EXPECT_EQ(LeftGoodStandingAt(p, At("2027-02-01")), At("2027-01-06"));
  EXPECT_EQ(LeftGoodStandingAt(p, At("2027-01-05T23:59:59Z")), std::nullopt);
}

TEST(LeftGoodStandingAt, IsNothingForOneThatNeverWasInGoodStanding) {
  Participant p = Active();
  p.labels.clear();
  EXPECT_EQ(LeftGoodStandingAt(p, At("2026-03-01")), std::nullopt);
}

TEST(PublicParticipantOf, LeavesOutCandidatesAndKeepsDecisionsWithoutReasons) {
  Participant candidate = Active();
  candidate.status = Lifecycle::kCandidate;
  EXPECT_FALSE(PublicParticipantOf(candidate, {}, {}, {}, {}, {}, At("2026-03-01")).has_value());

  Participant p = Active();
  p.labels.push_back({false, RecordedAt(At("2026-03-05"))});
  std::map<std::string, DataService> catalogue = {{"4", {"4", "Laboratoriumresultaten", {}}}};
  Provider provider;
  provider.name = "umcx@medmij";
  provider.services["4"] = {};
  auto pub = PublicParticipantOf(p, {{"api.acme.nl", "acme", {}}}, {}, {provider}, catalogue,
                                 {ListKind::kWhitelist}, At("2026-04-01"));
  ASSERT_TRUE(pub.has_value());
  EXPECT_FALSE(pub->good_standing);
  EXPECT_FALSE(pub->label_granted);
  EXPECT_EQ(pub->left_lists_at, At("2026-03-05"));
  EXPECT_EQ(pub->qualified_services, std::vector<std::string>{"Laboratoriumresultaten"});
  EXPECT_EQ(pub->nodes, std::vector<std::string>{"api.acme.nl"});
  ASSERT_EQ(pub->providers.size(), 1u);
  EXPECT_EQ(pub->providers[0].services, std::vector<std::string>{"Laboratoriumresultaten"});
  ASSERT_EQ(pub->history.size(), 3u);
  EXPECT_EQ(pub->history[0].kind, PublicEventKind::kLabelGranted);
  EXPECT_EQ(pub->history[1].kind, PublicEventKind::kActivated);
  EXPECT_EQ(pub->history[2].kind, PublicEventKind::kLabelWithdrawn);
}

TEST(MakeRegisterView, SortsByNameIgnoringAsciiCaseThenId) {
  auto named = [](std::string id, std::string name) {
    PublicParticipant p;
    p.id = std::move(id);
    p.legal_name = std::move(name);
    return p;
  };
  RegisterView v =
      MakeRegisterView({named("c", "beta"), named("b", "Alpha"), named("a", "alpha")}, {}, "");
  ASSERT_EQ(v.participants.size(), 3u);
  EXPECT_EQ(v.participants[0].id, "a");
  EXPECT_EQ(v.participants[1].id, "b");
  EXPECT_EQ(v.participants[2].id, "c");
}

}  // namespace
}  // namespace medmij::web
