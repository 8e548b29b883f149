#include "registry/domain/policy.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace medmij::policy {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;

constexpr Millis kMs{1};

Time At(const char* text) {
  auto r = ParseTime(text, "test");
  EXPECT_TRUE(r.ok()) << text;
  return *r;
}

const Time kNow = At("2026-11-22T10:00:00Z");

Certificate Cert(Time from, Time until, std::string number = "C-1", bool accredited = true,
                 bool registered = true) {
  Certificate c;
  c.number = std::move(number);
  c.body = "Certify B.V.";
  c.accredited = accredited;
  c.registered = registered;
  c.valid_from = from;
  c.valid_until = until;
  c.scope = "PGO";
  return c;
}

AuditStatement Audit(Time date, AuditOutcome outcome = AuditOutcome::kConform) {
  AuditStatement a;
  a.date = date;
  a.auditor = "Audit & Co";
  a.outcome = outcome;
  a.pentest = true;
  return a;
}

LabelEvent Label(bool granted, Time at) {
  LabelEvent e;
  e.granted = granted;
  e.recorded.at = at;
  e.recorded.by = "alice";
  return e;
}

QualificationEvent Qualification(std::string service, bool passed = true) {
  QualificationEvent q;
  q.service_id = std::move(service);
  q.passed = passed;
  return q;
}

// A participant in good standing at kNow: active, labelled, a counting certificate and a
// conform audit statement of this year. Both roles.
Participant Good() {
  Participant p;
  p.id = "acme";
  p.legal_name = "Acme B.V.";
  p.kvk = "12345678";
  p.email = "info@acme.nl";
  p.roles = {Role::kDvp, Role::kDva};
  p.status = Lifecycle::kActive;
  p.certificates.push_back(Cert(At("2026-01-01"), At("2027-01-01")));
  p.audit_statements.push_back(Audit(At("2026-06-01")));
  p.labels.push_back(Label(true, At("2026-02-01")));
  p.qualifications.push_back(Qualification("4"));
  return p;
}

SystemRole RoleAt(std::string code, std::string uri) {
  SystemRole r;
  r.code = std::move(code);
  r.resource_uri = std::move(uri);
  return r;
}

ProviderService Service(std::string id, std::string token_host = "fhir.acme.nl") {
  ProviderService s;
  s.service_id = std::move(id);
  s.authorization_uri = "https://login.umcx.nl/authorize";
  s.token_uri = "https://" + token_host + ":8443/token";
  s.roles.push_back(RoleAt("LAB-1.0-LRO-FHIR", "https://fhir.acme.nl/fhir"));
  return s;
}

Provider ProviderWith(std::string name, std::vector<ProviderService> services) {
  Provider pr;
  pr.name = std::move(name);
  pr.dva = "acme";
  for (auto& s : services) pr.services[s.service_id] = std::move(s);
  return pr;
}

void ExpectRefused(const Status& s, const std::string& part) {
  EXPECT_FALSE(s.ok()) << "expected a refusal mentioning '" << part << "'";
  EXPECT_EQ(s.code(), Status::Code::kFailedPrecondition) << s.message();
  EXPECT_THAT(s.message(), HasSubstr(part));
  EXPECT_EQ(s.message().find('\n'), std::string::npos) << s.message();
}

// --- Certificates --------------------------------------------------------------------------

TEST(Certificate, ValidOnHalfOpenInterval) {
  const Certificate c = Cert(kNow, kNow + Days(30));
  EXPECT_FALSE(CertificateValidAt(c, kNow - kMs));
  EXPECT_TRUE(CertificateValidAt(c, kNow));  // valid_from is inclusive
  EXPECT_TRUE(CertificateValidAt(c, kNow + Days(30) - kMs));
  EXPECT_FALSE(CertificateValidAt(c, kNow + Days(30)));  // valid_until is exclusive
}

TEST(Certificate, ValidUntilExactlyNow) {
  const Certificate c = Cert(kNow - Days(365), kNow);
  EXPECT_TRUE(CertificateValidAt(c, kNow - kMs));
  EXPECT_FALSE(CertificateValidAt(c, kNow));
  EXPECT_TRUE(CertificateCountsAt(c, kNow - kMs));
  EXPECT_FALSE(CertificateCountsAt(c, kNow));
}

TEST(Certificate, CountsOnlyWhenAccreditedAndRegistered) {
  const Time from = kNow - Days(1), until = kNow + Days(1);
  EXPECT_TRUE(CertificateCountsAt(Cert(from, until, "C", true, true), kNow));
  EXPECT_FALSE(CertificateCountsAt(Cert(from, until, "C", false, true), kNow));
  EXPECT_FALSE(CertificateCountsAt(Cert(from, until, "C", true, false), kNow));
  EXPECT_FALSE(CertificateCountsAt(Cert(from, until, "C", false, false), kNow));
}

// --- Audit statements ----------------------------------------------------------------------

TEST(AuditStatement, CountsForAtMost365WholeDays) {
  const Time date = At("2025-11-22");
  const AuditStatement a = Audit(date);
  EXPECT_FALSE(AuditStatementCountsAt(a, date - kMs));
  EXPECT_TRUE(AuditStatementCountsAt(a, date));
  EXPECT_TRUE(AuditStatementCountsAt(a, date + Days(365)));  // 365 days old: counts
  EXPECT_TRUE(AuditStatementCountsAt(a, date + Days(366) - kMs));
  EXPECT_FALSE(AuditStatementCountsAt(a, date + Days(366)));  // 366 days old: does not
  EXPECT_FALSE(AuditStatementCountsAt(Audit(date, AuditOutcome::kNonconform), date + Days(1)));
}

TEST(AuditStatement, LatestByDateIgnoringFutureTiesToLastRecorded) {
  Participant p;
  EXPECT_EQ(LatestAuditStatement(p, kNow), nullptr);
  p.audit_statements = {Audit(At("2026-03-01")), Audit(At("2026-05-01")), Audit(At("2026-04-01")),
                        Audit(At("2026-12-01"))};
  ASSERT_NE(LatestAuditStatement(p, kNow), nullptr);
  EXPECT_EQ(LatestAuditStatement(p, kNow), &p.audit_statements[1]);
  EXPECT_EQ(LatestAuditStatement(p, At("2026-12-01")), &p.audit_statements[3]);
  EXPECT_EQ(LatestAuditStatement(p, At("2026-12-01") - kMs), &p.audit_statements[1]);
  EXPECT_EQ(LatestAuditStatement(p, At("2026-03-01") - kMs), nullptr);
  // A correction on the same date: the one recorded last wins.
  p.audit_statements.push_back(Audit(At("2026-05-01"), AuditOutcome::kNonconform));
  EXPECT_EQ(LatestAuditStatement(p, kNow), &p.audit_statements[4]);
}

// --- Good standing -------------------------------------------------------------------------

TEST(Standing, GoodParticipant) {
  Standing s = EvaluateStanding(Good(), kNow);
  EXPECT_TRUE(s.good);
  EXPECT_THAT(s.reasons, IsEmpty());
}

TEST(Standing, EveryReasonInFixedOrder) {
  Participant p = Good();
  p.status = Lifecycle::kSuspended;
  p.labels.push_back(Label(false, At("2026-10-01T12:00:00Z")));
  p.certificates = {Cert(At("2025-01-01"), At("2026-01-01"), "C-OLD")};
  p.audit_statements = {Audit(At("2025-06-01"), AuditOutcome::kNonconform)};
  Standing s = EvaluateStanding(p, kNow);
  EXPECT_FALSE(s.good);
  EXPECT_THAT(
      s.reasons,
      ElementsAre(
          "status is suspended, not active", "MedMij label withdrawn on 2026-10-01T12:00:00.000Z",
          "NEN 7510 certificate C-OLD expired on 2026-01-01T00:00:00.000Z",
          "latest audit statement dated 2025-06-01 by Audit & Co is nonconform",
          "latest audit statement dated 2025-06-01 by Audit & Co is older than 365 days (it "
          "counted until 2026-06-02T00:00:00.000Z)"));
}

TEST(Standing, StatusAndLabelReasons) {
  for (Lifecycle st : {Lifecycle::kCandidate, Lifecycle::kSuspended, Lifecycle::kTerminated}) {
    Participant p = Good();
    p.status = st;
    EXPECT_THAT(EvaluateStanding(p, kNow).reasons,
                ElementsAre("status is " + std::string(ToString(st)) + ", not active"));
  }
  Participant p = Good();
  p.labels.clear();
  EXPECT_THAT(EvaluateStanding(p, kNow).reasons, ElementsAre("MedMij label never granted"));
  p.labels = {Label(true, At("2026-01-01")), Label(false, At("2026-02-01")),
              Label(true, At("2026-03-01"))};
  EXPECT_TRUE(EvaluateStanding(p, kNow).good);
}

TEST(Standing, CertificateReasonsAreDistinguished) {
  Participant p = Good();
  p.certificates.clear();
  EXPECT_THAT(EvaluateStanding(p, kNow).reasons, ElementsAre("no NEN 7510 certificate"));

  p.certificates = {Cert(At("2025-01-01"), kNow, "C-9")};
  EXPECT_THAT(EvaluateStanding(p, kNow).reasons,
              ElementsAre("NEN 7510 certificate C-9 expired on 2026-11-22T10:00:00.000Z"));
  EXPECT_TRUE(EvaluateStanding(p, kNow - kMs).good);

  p.certificates = {Cert(kNow + kMs, At("2028-01-01"), "C-NEW")};
  EXPECT_THAT(EvaluateStanding(p, kNow).reasons,
              ElementsAre("NEN 7510 certificate C-NEW is not yet valid (valid from "
                          "2026-11-22T10:00:00.001Z)"));
  EXPECT_TRUE(EvaluateStanding(p, kNow + kMs).good);

  // Lapsed and the successor not yet valid: both are said.
  p.certificates = {Cert(At("2025-01-01"), At("2026-11-01"), "C-OLD"),
                    Cert(At("2026-12-01"), At("2028-01-01"), "C-NEW")};
  EXPECT_THAT(EvaluateStanding(p, kNow).reasons,
              ElementsAre("NEN 7510 certificate C-OLD expired on 2026-11-01T00:00:00.000Z",
                          "NEN 7510 certificate C-NEW is not yet valid (valid from "
                          "2026-12-01T00:00:00.000Z)"));

  p.certificates = {Cert(At("2026-01-01"), At("2027-01-01"), "C-2", false, true)};
  EXPECT_THAT(EvaluateStanding(p, kNow).reasons,
              ElementsAre("NEN 7510 certificate C-2: certifying body 'Certify B.V.' is not "
                          "accredited (RvA / NEN licence)"));
  p.certificates = {Cert(At("2026-01-01"), At("2027-01-01"), "C-3", true, false)};
  EXPECT_THAT(EvaluateStanding(p, kNow).reasons,
              ElementsAre("NEN 7510 certificate C-3: not in the NEN register"));
  p.certificates = {Cert(At("2026-01-01"), At("2027-01-01"), "C-4", false, false)};
  EXPECT_THAT(EvaluateStanding(p, kNow).reasons,
              ElementsAre(HasSubstr("not accredited"), HasSubstr("not in the NEN register")));

  // One counting certificate among bad ones is enough.
  p.certificates.push_back(Cert(At("2026-01-01"), At("2027-01-01"), "C-5"));
  p.certificates.push_back(Cert(At("2020-01-01"), At("2021-01-01"), "C-6"));
  EXPECT_TRUE(EvaluateStanding(p, kNow).good);
}

TEST(Standing, AuditStatementReasons) {
  Participant p = Good();
  p.audit_statements.clear();
  EXPECT_THAT(EvaluateStanding(p, kNow).reasons, ElementsAre("no audit statement"));

  // Future-dated statements are ignored until their date.
  p.audit_statements = {Audit(At("2026-12-01"))};
  EXPECT_THAT(EvaluateStanding(p, kNow).reasons,
              ElementsAre("no audit statement in force yet (the earliest is dated 2026-12-01)"));
  EXPECT_TRUE(EvaluateStanding(p, At("2026-12-01")).good);

  // 365 days old counts, 366 does not.
  const Time date = At("2025-11-22");
  p.audit_statements = {Audit(date)};
  EXPECT_TRUE(EvaluateStanding(p, date + Days(365)).good);
  EXPECT_TRUE(EvaluateStanding(p, date + Days(366) - kMs).good);
  EXPECT_THAT(EvaluateStanding(p, date + Days(366)).reasons,
              ElementsAre("latest audit statement dated 2025-11-22 by Audit & Co is older than "
                          "365 days (it counted until 2026-11-23T00:00:00.000Z)"));
}

TEST(Standing, NonconformLatestOverridesOlderConform) {
  Participant p = Good();
  p.audit_statements = {Audit(At("2026-03-01")),
                        Audit(At("2026-09-01"), AuditOutcome::kNonconform)};
  EXPECT_TRUE(EvaluateStanding(p, At("2026-09-01") - kMs).good);
  Standing s = EvaluateStanding(p, At("2026-09-01"));
  EXPECT_FALSE(s.good);
  EXPECT_THAT(s.reasons, ElementsAre(HasSubstr("is nonconform")));
  // A new conform statement restores it.
  p.audit_statements.push_back(Audit(At("2026-10-01")));
  EXPECT_TRUE(EvaluateStanding(p, kNow).good);
}

TEST(Standing, FutureNonconformStatementDoesNotCountYet) {
  Participant p = Good();
  p.audit_statements.push_back(Audit(At("2026-12-01"), AuditOutcome::kNonconform));
  EXPECT_TRUE(EvaluateStanding(p, kNow).good);
  EXPECT_FALSE(EvaluateStanding(p, At("2026-12-01")).good);
}

// --- Next standing change ------------------------------------------------------------------

TEST(NextStandingChange, EarliestEvidenceInstantAfterT) {
  Participant p = Good();  // cert [2026-01-01, 2027-01-01), audit 2026-06-01 (until 2027-06-02)
  EXPECT_EQ(NextStandingChange(p, kNow), At("2027-01-01"));
  EXPECT_EQ(NextStandingChange(p, At("2027-01-01") - kMs), At("2027-01-01"));
  EXPECT_EQ(NextStandingChange(p, At("2027-01-01")), At("2027-06-02"));  // strictly after t
  EXPECT_EQ(NextStandingChange(p, At("2027-06-02")), std::nullopt);
  EXPECT_EQ(NextStandingChange(p, At("2025-01-01")), At("2026-01-01"));
  p.audit_statements.push_back(Audit(At("2026-12-01")));
  EXPECT_EQ(NextStandingChange(p, kNow), At("2026-12-01"));
  p.certificates.push_back(Cert(kNow + kMs, At("2030-01-01")));
  EXPECT_EQ(NextStandingChange(p, kNow), kNow + kMs);
  EXPECT_EQ(NextStandingChange(Participant{}, kNow), std::nullopt);
}

// Between t and NextStandingChange(t) the evaluation (good and every reason) never changes.
TEST(NextStandingChange, NeverMissesAChange) {
  Participant p = Good();
  p.certificates = {Cert(At("2025-03-01"), At("2026-02-15"), "A"),
                    Cert(At("2026-02-01"), At("2026-08-01"), "B", false, true),
                    Cert(At("2026-09-10"), At("2027-09-10"), "C")};
  p.audit_statements = {Audit(At("2025-04-01")), Audit(At("2026-03-01"), AuditOutcome::kNonconform),
                        Audit(At("2026-05-20")), Audit(At("2027-05-01"))};
  const Time start = At("2025-01-01"), end = At("2029-01-01");
  int changes = 0;
  for (Time t = start; t < end;) {
    std::optional<Time> next = NextStandingChange(p, t);
    const Time stop = next ? std::min(*next, end) : end;
    const Standing at_t = EvaluateStanding(p, t);
    for (Time u = t; u < stop; u += std::chrono::hours(6)) {
      const Standing at_u = EvaluateStanding(p, u);
      ASSERT_EQ(at_u.good, at_t.good) << FormatTime(t) << " vs " << FormatTime(u);
      ASSERT_EQ(at_u.reasons, at_t.reasons) << FormatTime(t) << " vs " << FormatTime(u);
    }
    ASSERT_EQ(EvaluateStanding(p, stop - kMs).reasons, at_t.reasons);
    if (!next) break;
    ++changes;
    t = *next;
  }
  EXPECT_GE(changes, 8);
}

// --- Lifecycle transitions -----------------------------------------------------------------

TEST(Transition, AllSixteenPairs) {
  constexpr Lifecycle kAll[] = {Lifecycle::kCandidate, Lifecycle::kActive, Lifecycle::kSuspended,
                                Lifecycle::kTerminated};
  auto allowed = [](Lifecycle from, Lifecycle to) {
    using L = Lifecycle;
    return (from == L::kCandidate && to == L::kActive) ||
           (from == L::kActive && to == L::kSuspended) ||
           (from == L::kSuspended && to == L::kActive) ||
           (from != L::kTerminated && to == L::kTerminated);
  };
  for (Lifecycle from : kAll) {
    for (Lifecycle to : kAll) {
      Participant p = Good();
      p.status = from;
      Status s = CheckTransition(p, to, kNow);
      SCOPED_TRACE(std::string(ToString(from)) + " -> " + std::string(ToString(to)) + ": " +
                   s.message());
      if (allowed(from, to)) {
        EXPECT_TRUE(s.ok());
      } else {
        EXPECT_EQ(s.code(), Status::Code::kFailedPrecondition);
        EXPECT_THAT(s.message(), HasSubstr("participant acme"));
        if (from == Lifecycle::kTerminated) {
          EXPECT_THAT(s.message(), HasSubstr("terminated is final"));
        } else if (from == to) {
          EXPECT_THAT(s.message(), HasSubstr("already " + std::string(ToString(to))));
        }
      }
    }
  }
}

TEST(Transition, MessagesSayWhatIsWrong) {
  Participant p = Good();
  p.status = Lifecycle::kTerminated;
  EXPECT_EQ(CheckTransition(p, Lifecycle::kActive, kNow).message(),
            "reinstate: participant acme is terminated; terminated is final");
  p.status = Lifecycle::kActive;
  EXPECT_EQ(CheckTransition(p, Lifecycle::kActive, kNow).message(),
            "activate: participant acme is already active");
  EXPECT_EQ(CheckTransition(p, Lifecycle::kCandidate, kNow).message(),
            "return to candidate: participant acme is active; no participant returns to candidate");
  p.status = Lifecycle::kCandidate;
  EXPECT_EQ(CheckTransition(p, Lifecycle::kSuspended, kNow).message(),
            "suspend: participant acme is candidate; only an active participant can be suspended");
}

TEST(Transition, ActivationNeedsCertificateAndAuditStatement) {
  Participant p = Good();
  p.status = Lifecycle::kCandidate;
  p.labels.clear();  // the label is not a precondition of activation
  EXPECT_TRUE(CheckTransition(p, Lifecycle::kActive, kNow).ok());

  Participant no_cert = p;
  no_cert.certificates = {Cert(At("2025-01-01"), kNow)};
  ExpectRefused(CheckTransition(no_cert, Lifecycle::kActive, kNow),
                "activate: participant acme lacks evidence at 2026-11-22T10:00:00.000Z: "
                "NEN 7510 certificate C-1 expired on 2026-11-22T10:00:00.000Z");
  EXPECT_THAT(CheckTransition(no_cert, Lifecycle::kActive, kNow).message(),
              ::testing::Not(HasSubstr("audit")));

  Participant no_audit = p;
  no_audit.audit_statements = {Audit(At("2026-06-01"), AuditOutcome::kNonconform)};
  ExpectRefused(CheckTransition(no_audit, Lifecycle::kActive, kNow), "is nonconform");
  EXPECT_THAT(CheckTransition(no_audit, Lifecycle::kActive, kNow).message(),
              ::testing::Not(HasSubstr("certificate")));

  Participant neither = p;
  neither.certificates.clear();
  neither.audit_statements.clear();
  ExpectRefused(CheckTransition(neither, Lifecycle::kActive, kNow),
                "lacks evidence at 2026-11-22T10:00:00.000Z: no NEN 7510 certificate; no audit "
                "statement");
}

TEST(Transition, ReinstatementNeedsTheSameEvidence) {
  Participant p = Good();
  p.status = Lifecycle::kSuspended;
  EXPECT_TRUE(CheckTransition(p, Lifecycle::kActive, kNow).ok());
  p.audit_statements = {Audit(At("2025-11-01"))};  // more than 365 days old
  ExpectRefused(CheckTransition(p, Lifecycle::kActive, kNow),
                "reinstate: participant acme lacks evidence");
  ExpectRefused(CheckTransition(p, Lifecycle::kActive, kNow), "older than 365 days");
  // Suspension and termination need no evidence.
  EXPECT_TRUE(CheckTransition(p, Lifecycle::kTerminated, kNow).ok());
  p.status = Lifecycle::kActive;
  EXPECT_TRUE(CheckTransition(p, Lifecycle::kSuspended, kNow).ok());
}

// --- Termination: two people ---------------------------------------------------------------

TerminationRequest Request(std::string id, std::string by) {
  TerminationRequest r;
  r.id = std::move(id);
  r.participant = "acme";
  r.requested.by = std::move(by);
  r.requested.at = kNow;
  r.requested.reason = "contract ended";
  return r;
}

TEST(Termination, OnePendingRequestAtATime) {
  Participant p = Good();
  EXPECT_TRUE(CheckTerminationRequest(p, {}).ok());
  TerminationRequest done = Request("term-1", "alice");
  done.approved = Provenance{kNow, "bob", ""};
  EXPECT_TRUE(CheckTerminationRequest(p, {done}).ok());
  ExpectRefused(CheckTerminationRequest(p, {done, Request("term-2", "carol")}),
                "already has a pending termination request term-2 (requested by carol");
  p.status = Lifecycle::kTerminated;
  ExpectRefused(CheckTerminationRequest(p, {}), "already terminated");
}

TEST(Termination, ApproverMustDifferFromRequester) {
  TerminationRequest r = Request("term-1", "alice");
  ExpectRefused(CheckTerminationApproval(r, "alice"),
                "termination request term-1 was requested by alice; a different operator must "
                "approve it (two-person rule)");
  EXPECT_TRUE(CheckTerminationApproval(r, "bob").ok());
  // Compared exactly: the operator name is validated (ValidateOperator) before it gets here.
  EXPECT_TRUE(CheckTerminationApproval(r, "Alice").ok());
  ExpectRefused(CheckTerminationApproval(r, ""), "approving operator is required");
  r.approved = Provenance{kNow, "bob", ""};
  ExpectRefused(CheckTerminationApproval(r, "carol"), "term-1 is not pending (approved by bob");
}

// --- Evidence and network data owners ------------------------------------------------------

TEST(Owners, NothingAddedToATerminatedParticipant) {
  Participant p = Good();
  EXPECT_TRUE(CheckNotTerminated(p, "cert add").ok());
  EXPECT_TRUE(CheckOAuthClientOwner(p).ok());
  EXPECT_TRUE(CheckProviderOwner(p).ok());
  EXPECT_TRUE(CheckQualification(p, true).ok());
  p.status = Lifecycle::kTerminated;
  EXPECT_EQ(CheckNotTerminated(p, "cert add").message(),
            "cert add: participant acme is terminated");
  ExpectRefused(CheckOAuthClientOwner(p), "is terminated");
  ExpectRefused(CheckProviderOwner(p), "is terminated");
  ExpectRefused(CheckQualification(p, true), "is terminated");
  ExpectRefused(CheckLabelGrant(p), "is terminated");
  ExpectRefused(CheckCaseOpen(p), "case open: participant acme is terminated");
}

TEST(Owners, OAuthClientsForDvpsProvidersForDvas) {
  Participant dvp = Good();
  dvp.roles = {Role::kDvp};
  Participant dva = Good();
  dva.roles = {Role::kDva};
  EXPECT_TRUE(CheckOAuthClientOwner(dvp).ok());
  ExpectRefused(CheckOAuthClientOwner(dva), "participant acme is not a DVP");
  EXPECT_TRUE(CheckProviderOwner(dva).ok());
  ExpectRefused(CheckProviderOwner(dvp), "participant acme is not a DVA");
  EXPECT_TRUE(CheckQualification(dva, true).ok());
  ExpectRefused(CheckQualification(dvp, true), "not a DVA");
  ExpectRefused(CheckQualification(dva, false), "not in the catalogue");
  ExpectRefused(CheckQualification(dvp, false),
                "qualification: participant acme is not a DVA; the data service is not in the "
                "catalogue");
}

TEST(Owners, Label) {
  Participant p = Good();
  ExpectRefused(CheckLabelGrant(p), "already holds the MedMij label");
  EXPECT_TRUE(CheckLabelWithdraw(p).ok());
  p.labels.push_back(Label(false, kNow));
  EXPECT_TRUE(CheckLabelGrant(p).ok());
  ExpectRefused(CheckLabelWithdraw(p), "does not hold the MedMij label");
  p.labels.clear();
  EXPECT_TRUE(CheckLabelGrant(p).ok());
  ExpectRefused(CheckLabelWithdraw(p), "does not hold the MedMij label");
}

// --- Providers and nodes -------------------------------------------------------------------

const std::set<std::string> kNodes = {"fhir.acme.nl", "token.acme.nl"};

TEST(ProviderService, BackChannelHostsMustBeNodesOfTheDva) {
  EXPECT_TRUE(CheckProviderService(Service("4"), true, kNodes).ok());
  EXPECT_TRUE(CheckProviderService(Service("4", "token.acme.nl"), true, kNodes).ok());
  // The front channel may be anywhere.
  ProviderService s = Service("4");
  s.authorization_uri = "https://elsewhere.example.org/authorize";
  EXPECT_TRUE(CheckProviderService(s, true, kNodes).ok());

  ExpectRefused(CheckProviderService(Service("4", "evil.example.org"), true, kNodes),
                "provider service '4': back-channel hosts that are not whitelist nodes of the "
                "serving DVA: evil.example.org (token endpoint)");
  s = Service("4");
  s.roles.push_back(RoleAt("MM-2.0-BGZ-FHIR", "https://other.example.org:9443/fhir"));
  s.roles.push_back(RoleAt("MM-3.0-PDF-FHIR", "https://third.example.org/fhir"));
  ExpectRefused(CheckProviderService(s, true, kNodes),
                "other.example.org (resource endpoint of system role MM-2.0-BGZ-FHIR), "
                "third.example.org (resource endpoint of system role MM-3.0-PDF-FHIR)");
  s.subscription = Subscription{365, "https://third.example.org/subscribe"};
  ExpectRefused(CheckProviderService(s, true, kNodes),
                "third.example.org (resource endpoint of system role MM-3.0-PDF-FHIR, "
                "subscription endpoint)");
  ExpectRefused(CheckProviderService(Service("4"), true, {}),
                "fhir.acme.nl (token endpoint, "
                "resource endpoint of system role LAB-1.0-LRO-FHIR)");
}

TEST(ProviderService, CatalogueAndSystemRoles) {
  ExpectRefused(CheckProviderService(Service("99"), false, kNodes),
                "provider service '99': data service '99' is not in the catalogue");
  ProviderService s = Service("4");
  s.roles.clear();
  ExpectRefused(CheckProviderService(s, true, kNodes), "needs at least one system role");
  s = Service("4");
  s.roles.push_back(RoleAt("LAB-1.0-LRO-FHIR", "https://fhir.acme.nl/other"));
  ExpectRefused(CheckProviderService(s, true, kNodes),
                "system role code 'LAB-1.0-LRO-FHIR' appears more than once");
  // Several problems at once: all are said.
  s.token_uri = "https://evil.example.org/token";
  Status st = CheckProviderService(s, false, kNodes);
  ExpectRefused(st, "not in the catalogue");
  ExpectRefused(st, "evil.example.org (token endpoint)");
  ExpectRefused(st, "appears more than once");
}

TEST(NodeRemoval, RefusedWhileAProviderUsesTheHost) {
  Node n;
  n.hostname = "fhir.acme.nl";
  n.participant = "acme";
  const std::vector<Provider> providers = {
      ProviderWith("umcx@medmij", {Service("4", "token.acme.nl"), Service("48", "token.acme.nl")}),
      ProviderWith("huisarts@medmij", {Service("1", "token.acme.nl")}),
  };
  ExpectRefused(CheckNodeRemoval(n, providers),
                "node remove: fhir.acme.nl is a back-channel host of providers umcx@medmij "
                "(data services 4, 48), huisarts@medmij (data service 1)");
  n.hostname = "other.acme.nl";
  EXPECT_TRUE(CheckNodeRemoval(n, providers).ok());
  n.hostname = "token.acme.nl";
  std::vector<Provider> one = {ProviderWith("umcx@medmij", {Service("4", "token.acme.nl")})};
  ExpectRefused(CheckNodeRemoval(n, one),
                "token.acme.nl is a back-channel host of provider umcx@medmij (data service 4)");
  EXPECT_TRUE(CheckNodeRemoval(n, {}).ok());
}

// --- Transfer ------------------------------------------------------------------------------

TEST(Transfer, TargetHoldsRoleIsInGoodStandingAndDiffers) {
  Participant target = Good();
  target.id = "newco";
  EXPECT_TRUE(CheckTransferTarget(target, Role::kDva, "acme", kNow).ok());
  ExpectRefused(CheckTransferTarget(target, Role::kDva, "newco", kNow),
                "transfer: newco is already the current holder");

  Participant suspended = target;
  suspended.status = Lifecycle::kSuspended;
  ExpectRefused(CheckTransferTarget(suspended, Role::kDva, "acme", kNow),
                "transfer: newco is not in good standing at 2026-11-22T10:00:00.000Z (status is "
                "suspended, not active)");

  Participant unlabelled = target;
  unlabelled.labels.push_back(Label(false, At("2026-11-01")));
  ExpectRefused(CheckTransferTarget(unlabelled, Role::kDvp, "acme", kNow),
                "MedMij label withdrawn on 2026-11-01T00:00:00.000Z");

  Participant dvp_only = target;
  dvp_only.roles = {Role::kDvp};
  ExpectRefused(CheckTransferTarget(dvp_only, Role::kDva, "acme", kNow),
                "transfer: newco is not a DVA");
  EXPECT_TRUE(CheckTransferTarget(dvp_only, Role::kDvp, "acme", kNow).ok());

  Participant lapsed = target;
  lapsed.certificates = {Cert(At("2025-01-01"), At("2026-11-01"))};
  ExpectRefused(CheckTransferTarget(lapsed, Role::kDva, "acme", kNow), "expired on");
}

// --- Compliance cases ----------------------------------------------------------------------

ComplianceCase CaseAt(CaseStep step) {
  ComplianceCase c;
  c.id = "case-1";
  c.participant = "acme";
  c.type = "certificate-lapsed";
  c.finding = "certificate lapsed";
  for (int s = 0; s <= static_cast<int>(step); ++s) {
    CaseStepRecord r;
    r.step = static_cast<CaseStep>(s);
    c.steps.push_back(r);
  }
  return c;
}

TEST(Case, StepsMoveForwardSkippingOnlyWhenImmediate) {
  constexpr CaseStep kSteps[] = {CaseStep::kFinding, CaseStep::kExplanation, CaseStep::kNotice,
                                 CaseStep::kSuspension, CaseStep::kTermination};
  for (CaseStep from : kSteps) {
    for (CaseStep to : kSteps) {
      for (bool immediate : {false, true}) {
        const ComplianceCase c = CaseAt(from);
        ASSERT_EQ(c.CurrentStep(), from);
        Status s = CheckCaseStep(c, to, immediate);
        SCOPED_TRACE(std::string(ToString(from)) + " -> " + std::string(ToString(to)) +
                     (immediate ? " immediate: " : ": ") + s.message());
        const int f = static_cast<int>(from), t = static_cast<int>(to);
        const bool want =
            t == f + 1 || (t > f + 1 && immediate &&
                           (to == CaseStep::kSuspension || to == CaseStep::kTermination));
        EXPECT_EQ(s.ok(), want);
        if (!s.ok()) {
          EXPECT_EQ(s.code(), Status::Code::kFailedPrecondition);
          EXPECT_THAT(s.message(), StartsWith("case step: case case-1"));
        }
      }
    }
  }
}

TEST(Case, Messages) {
  ExpectRefused(CheckCaseStep(CaseAt(CaseStep::kNotice), CaseStep::kExplanation, false),
                "is already at notice; steps only move forward");
  ExpectRefused(CheckCaseStep(CaseAt(CaseStep::kFinding), CaseStep::kSuspension, false),
                "the next step after finding is explanation; going straight to suspension needs "
                "'immediate'");
  ExpectRefused(CheckCaseStep(CaseAt(CaseStep::kFinding), CaseStep::kNotice, true),
                "only suspension or termination may skip steps");
  ExpectRefused(CheckCaseStep(CaseAt(CaseStep::kExplanation), CaseStep::kFinding, true),
                "'finding' opens a case");
}

TEST(Case, ClosedCaseTakesNoStepAndNoSecondClose) {
  ComplianceCase c = CaseAt(CaseStep::kExplanation);
  EXPECT_TRUE(CheckCaseClose(c).ok());
  c.closed = Provenance{kNow, "bob", "resolved"};
  ExpectRefused(CheckCaseStep(c, CaseStep::kNotice, false),
                "case step: case case-1 is closed (by bob at 2026-11-22T10:00:00.000Z)");
  ExpectRefused(CheckCaseStep(c, CaseStep::kTermination, true), "is closed");
  ExpectRefused(CheckCaseClose(c), "case close: case case-1 is already closed (by bob");
}

TEST(Case, OpenOnlyForALivingParticipant) {
  Participant p = Good();
  for (Lifecycle st : {Lifecycle::kCandidate, Lifecycle::kActive, Lifecycle::kSuspended}) {
    p.status = st;
    EXPECT_TRUE(CheckCaseOpen(p).ok());
  }
}

// --- Lists ---------------------------------------------------------------------------------

Node NodeOf(std::string host) {
  Node n;
  n.hostname = std::move(host);
  n.participant = "acme";
  return n;
}

OAuthClient ClientOf(std::string host) {
  OAuthClient c;
  c.hostname = std::move(host);
  c.participant = "acme";
  c.organisation_name = "Acme PGO";
  return c;
}

// The catalogue the tests' services are in.
std::map<std::string, DataService> Catalogue() {
  std::map<std::string, DataService> c;
  for (const char* id : {"1", "4", "5", "7", "48"}) {
    c[id] = DataService{id, std::string("Dienst ") + id, {}};
  }
  return c;
}

// A service with interface versions: on every provider list.
ProviderService Service3(std::string id, std::vector<std::string> versions = {"1.4.0"}) {
  ProviderService s = Service(std::move(id));
  s.interface_versions = std::move(versions);
  return s;
}

Provider WithIdentifier(Provider p) {
  p.identifiers["agb"] = "01234567";
  return p;
}

const std::vector<ListKind> kExplained = {
    ListKind::kWhitelist, ListKind::kOAuthClientList, ListKind::kZorgaanbiederslijst,
    ListKind::kZorgaanbiederslijstRelease3, ListKind::kZorgaanbiederskoppellijst};

const ListMembership& Of(const std::vector<ListMembership>& m, ListKind list) {
  for (const auto& x : m) {
    if (x.list == list) return x;
  }
  ADD_FAILURE() << "no membership for " << ToString(list);
  return m.front();
}

TEST(ExplainLists, OnEveryListWhenGoodAndContributing) {
  const Participant p = Good();
  auto m = ExplainLists(p, {NodeOf("fhir.acme.nl")}, {ClientOf("pgo.acme.nl")},
                        {WithIdentifier(ProviderWith("umcx@medmij", {Service3("4")}))}, Catalogue(),
                        kNow);
  ASSERT_EQ(m.size(), kExplained.size());
  for (size_t i = 0; i < m.size(); ++i) {
    EXPECT_EQ(m[i].list, kExplained[i]);
    EXPECT_TRUE(m[i].on) << ToString(m[i].list);
    EXPECT_THAT(m[i].reasons, IsEmpty());
    EXPECT_THAT(m[i].left_out, IsEmpty());
  }
}

TEST(ExplainLists, ListSpecificReasons) {
  Participant p = Good();
  auto m = ExplainLists(p, {}, {}, {}, Catalogue(), kNow);
  EXPECT_FALSE(m[0].on);
  EXPECT_THAT(m[0].reasons, ElementsAre("no whitelist nodes"));
  EXPECT_THAT(m[1].reasons, ElementsAre("no OAuth clients"));
  for (ListKind l : {ListKind::kZorgaanbiederslijst, ListKind::kZorgaanbiederslijstRelease3,
                     ListKind::kZorgaanbiederskoppellijst}) {
    EXPECT_THAT(Of(m, l).reasons, ElementsAre(AllOf(StartsWith("no provider with"),
                                                    EndsWith("(it serves no providers)"))));
  }

  p.roles = {Role::kDva};
  m = ExplainLists(p, {NodeOf("fhir.acme.nl")}, {}, {ProviderWith("umcx@medmij", {Service("5")})},
                   Catalogue(), kNow);
  EXPECT_TRUE(m[0].on);
  EXPECT_THAT(m[1].reasons, ElementsAre("not a DVP"));
  EXPECT_THAT(m[2].reasons, ElementsAre("no provider with a data service it is qualified for"));
  EXPECT_THAT(Of(m, ListKind::kZorgaanbiederslijstRelease3).reasons,
              ElementsAre("no provider with a data service it is qualified for that has an "
                          "interface version"));
  EXPECT_THAT(Of(m, ListKind::kZorgaanbiederskoppellijst).reasons,
              ElementsAre("no provider with an identifier and a data service it is qualified "
                          "for that has an interface version"));

  p.roles = {Role::kDvp};
  m = ExplainLists(p, {NodeOf("pgo.acme.nl")}, {ClientOf("pgo.acme.nl")},
                   {ProviderWith("umcx@medmij", {Service("4")})}, Catalogue(), kNow);
  EXPECT_TRUE(m[0].on);
  EXPECT_TRUE(m[1].on);
  for (size_t i = 2; i < m.size(); ++i) EXPECT_THAT(m[i].reasons, ElementsAre("not a DVA"));
}

TEST(ExplainLists, NamesEveryProviderAndServiceLeftOutAndWhy) {
  Participant p = Good();
  p.qualifications.push_back(Qualification("1"));
  p.qualifications.push_back(Qualification("48"));
  // on every provider list
  Provider full = WithIdentifier(ProviderWith("full@medmij", {Service3("4"), Service3("1")}));
  // no identifier: on both ZALs, not on the ZAKL
  Provider anonymous = ProviderWith("anonymous@medmij", {Service3("4")});
  // service 5 unqualified, service 1 without an interface version: on release2 with 1, on
  // release3 and the ZAKL with 4 only
  Provider partly =
      WithIdentifier(ProviderWith("partly@medmij", {Service3("4"), Service("1"), Service3("5")}));
  // only release2: no interface versions at all
  Provider old = WithIdentifier(ProviderWith("oldstyle@medmij", {Service("4")}));
  // only unqualified services: on no list
  Provider none = WithIdentifier(ProviderWith("unqualified@medmij", {Service3("7")}));
  // a service missing from the catalogue: not on release3 or the ZAKL
  Provider uncatalogued =
      WithIdentifier(ProviderWith("uncatalogued@medmij", {Service3("48"), Service3("4")}));
  auto catalogue = Catalogue();
  catalogue.erase("48");
  auto m = ExplainLists(p, {NodeOf("fhir.acme.nl")}, {},
                        {full, anonymous, partly, old, none, uncatalogued}, catalogue, kNow);

  auto described = [](const ListMembership& x) {
    std::vector<std::string> out;
    for (const auto& o : x.left_out) {
      out.push_back(o.provider + (o.service.empty() ? "" : " " + o.service) + ": " + o.reason);
    }
    return out;
  };
  const auto& zal = Of(m, ListKind::kZorgaanbiederslijst);
  EXPECT_TRUE(zal.on);
  EXPECT_THAT(described(zal),
              ElementsAre("partly@medmij 5: DVA acme is not qualified for it",
                          "unqualified@medmij 7: DVA acme is not qualified for it",
                          "unqualified@medmij: no data service its DVA is qualified for"));
  const auto& zal3 = Of(m, ListKind::kZorgaanbiederslijstRelease3);
  EXPECT_TRUE(zal3.on);
  EXPECT_THAT(described(zal3),
              ElementsAre("partly@medmij 1: no interface version",
                          "partly@medmij 5: DVA acme is not qualified for it",
                          "oldstyle@medmij 4: no interface version",
                          "oldstyle@medmij: none of its data services can be published",
                          "unqualified@medmij 7: DVA acme is not qualified for it",
                          "unqualified@medmij: none of its data services can be published",
                          "uncatalogued@medmij 48: not in the data-service catalogue"));
  const auto& zakl = Of(m, ListKind::kZorgaanbiederskoppellijst);
  EXPECT_TRUE(zakl.on);
  EXPECT_THAT(described(zakl),
              ElementsAre("anonymous@medmij: no identifier (agb, hrn, kvk, oin or ura)",
                          "partly@medmij 1: no interface version",
                          "partly@medmij 5: DVA acme is not qualified for it",
                          "oldstyle@medmij 4: no interface version",
                          "oldstyle@medmij: none of its data services can be published",
                          "unqualified@medmij 7: DVA acme is not qualified for it",
                          "unqualified@medmij: none of its data services can be published",
                          "uncatalogued@medmij 48: not in the data-service catalogue"));

  // A suspended DVA: the same providers are named (so staff can fix them), and the standing.
  p.status = Lifecycle::kSuspended;
  auto suspended =
      ExplainLists(p, {NodeOf("fhir.acme.nl")}, {},
                   {full, anonymous, partly, old, none, uncatalogued}, catalogue, kNow);
  EXPECT_FALSE(Of(suspended, ListKind::kZorgaanbiederskoppellijst).on);
  EXPECT_THAT(Of(suspended, ListKind::kZorgaanbiederskoppellijst).reasons,
              ElementsAre("status is suspended, not active"));
  EXPECT_EQ(described(Of(suspended, ListKind::kZorgaanbiederskoppellijst)), described(zakl));
}

TEST(ExplainLists, StandingReasonsFirstThenListSpecific) {
  Participant p = Good();
  p.status = Lifecycle::kSuspended;
  p.roles = {Role::kDvp};
  auto m = ExplainLists(p, {NodeOf("pgo.acme.nl")}, {}, {}, Catalogue(), kNow);
  for (const auto& x : m) EXPECT_FALSE(x.on) << ToString(x.list);
  EXPECT_THAT(m[0].reasons, ElementsAre("status is suspended, not active"));
  EXPECT_THAT(m[1].reasons, ElementsAre("status is suspended, not active", "no OAuth clients"));
  EXPECT_THAT(m[2].reasons, ElementsAre("status is suspended, not active", "not a DVA"));

  // A participant that lapses leaves the lists by itself.
  p = Good();
  auto later = ExplainLists(p, {NodeOf("fhir.acme.nl")}, {ClientOf("pgo.acme.nl")},
                            {WithIdentifier(ProviderWith("umcx@medmij", {Service3("4")}))},
                            Catalogue(), At("2027-01-01"));
  for (const auto& x : later) {
    EXPECT_FALSE(x.on);
    EXPECT_THAT(x.reasons, ElementsAre(HasSubstr("expired on 2027-01-01")));
  }
}

std::vector<std::string> Ids(const ProviderListing& l) {
  std::vector<std::string> ids;
  for (const ProviderService* s : l.services) ids.push_back(s->service_id);
  return ids;
}

TEST(ListProvider, OnlyQualifiedInServiceIdOrder) {
  Participant dva = Good();
  dva.qualifications = {Qualification("48"), Qualification("1"), Qualification("4"),
                        Qualification("5"), Qualification("5", false)};
  const Provider pr = ProviderWith(
      "umcx@medmij", {Service("5"), Service("48"), Service("4"), Service("7"), Service("1")});
  const auto zal = ListKind::kZorgaanbiederslijst;
  EXPECT_THAT(Ids(ListProvider(zal, pr, dva, Catalogue())), ElementsAre("1", "4", "48"));
  dva.qualifications.push_back(Qualification("5"));  // re-qualified
  EXPECT_THAT(Ids(ListProvider(zal, pr, dva, Catalogue())), ElementsAre("1", "4", "48", "5"));
  dva.qualifications.clear();
  ProviderListing none = ListProvider(zal, pr, dva, Catalogue());
  EXPECT_FALSE(none.listed);
  EXPECT_THAT(none.services, IsEmpty());
  // Not a provider list: nothing.
  EXPECT_FALSE(ListProvider(ListKind::kWhitelist, pr, Good(), Catalogue()).listed);
}

TEST(ListProvider, Release3AndZaklListTheSameServices) {
  Participant dva = Good();
  dva.qualifications = {Qualification("1"), Qualification("4"), Qualification("5")};
  Provider pr = WithIdentifier(ProviderWith(
      "umcx@medmij", {Service3("5", {"1.4.0", "1.3.0"}), Service("4"), Service3("1")}));
  for (ListKind l :
       {ListKind::kZorgaanbiederslijstRelease3, ListKind::kZorgaanbiederskoppellijst}) {
    ProviderListing listing = ListProvider(l, pr, dva, Catalogue());
    EXPECT_TRUE(listing.listed) << ToString(l);
    EXPECT_THAT(Ids(listing), ElementsAre("1", "5")) << ToString(l);
  }
  EXPECT_THAT(Ids(ListProvider(ListKind::kZorgaanbiederslijst, pr, dva, Catalogue())),
              ElementsAre("1", "4", "5"));
  // Without identifiers (or only of an unknown kind) the ZAKL leaves the provider out.
  pr.identifiers = {{"xyz", "1"}};
  EXPECT_FALSE(ListProvider(ListKind::kZorgaanbiederskoppellijst, pr, dva, Catalogue()).listed);
  EXPECT_TRUE(ListProvider(ListKind::kZorgaanbiederslijstRelease3, pr, dva, Catalogue()).listed);
}

// --- Lapsing evidence (due, status, remind) -------------------------------------------------

TEST(LapsingEvidence, NothingBeforeTheHorizonGivesNothing) {
  // Good(): the certificate lapses 2027-01-01, the audit statement 2027-06-02.
  EXPECT_THAT(LapsingEvidence(Good(), kNow, kNow + Days(30)), IsEmpty());
}

TEST(LapsingEvidence, ACertificateLapsingBeforeTheHorizonIsNamedWithItsInstant) {
  auto lapses = LapsingEvidence(Good(), kNow, At("2027-01-01"));
  ASSERT_EQ(lapses.size(), 1u);
  EXPECT_EQ(lapses[0].kind, EvidenceKind::kCertificate);
  EXPECT_EQ(lapses[0].what, "C-1 (Certify B.V.)");
  EXPECT_EQ(lapses[0].at, At("2027-01-01"));  // the horizon is inclusive
  EXPECT_THAT(LapsingEvidence(Good(), kNow, At("2027-01-01") - kMs), IsEmpty());
}

TEST(LapsingEvidence, ARenewalWithoutAGapMovesTheLapseToTheRenewalsEnd) {
  Participant p = Good();
  p.certificates.push_back(Cert(At("2026-12-15"), At("2028-01-01"), "C-2"));
  auto lapses = LapsingEvidence(p, kNow, At("2029-01-01"));
  ASSERT_EQ(lapses.size(), 2u);
  EXPECT_EQ(lapses[0].what, "C-2 (Certify B.V.)");
  EXPECT_EQ(lapses[0].at, At("2028-01-01"));
  // A renewal that starts after the lapse leaves the gap: the first certificate's end counts.
  p.certificates.back().valid_from = At("2027-01-02");
  lapses = LapsingEvidence(p, kNow, At("2029-01-01"));
  EXPECT_EQ(lapses[0].what, "C-1 (Certify B.V.)");
  EXPECT_EQ(lapses[0].at, At("2027-01-01"));
}

TEST(LapsingEvidence, AnAuditStatementLapses366DaysAfterItsDate) {
  auto lapses = LapsingEvidence(Good(), kNow, At("2027-06-30"));
  ASSERT_EQ(lapses.size(), 2u);
  EXPECT_EQ(lapses[0].kind, EvidenceKind::kCertificate);
  EXPECT_EQ(lapses[1].kind, EvidenceKind::kAuditStatement);
  EXPECT_EQ(lapses[1].at, At("2026-06-01") + Days(366));
  EXPECT_THAT(lapses[1].what, HasSubstr("2026-06-01"));
}

TEST(LapsingEvidence, ALaterNonconformStatementEndsTheRuleAtItsDate) {
  Participant p = Good();
  p.audit_statements.push_back(Audit(At("2026-12-01"), AuditOutcome::kNonconform));
  auto lapses = LapsingEvidence(p, kNow, kNow + Days(30));
  ASSERT_EQ(lapses.size(), 1u);
  EXPECT_EQ(lapses[0].kind, EvidenceKind::kAuditStatement);
  EXPECT_EQ(lapses[0].at, At("2026-12-01"));
}

TEST(LapsingEvidence, EvidenceThatDoesNotCountNowHasNoInstant) {
  Participant p = Good();
  p.certificates.clear();
  p.audit_statements.clear();
  auto lapses = LapsingEvidence(p, kNow, kNow);
  ASSERT_EQ(lapses.size(), 2u);
  EXPECT_EQ(lapses[0].what, "no NEN 7510 certificate counts now");
  EXPECT_EQ(lapses[0].at, std::nullopt);
  EXPECT_EQ(lapses[1].what, "no audit statement counts now");
  EXPECT_EQ(lapses[1].at, std::nullopt);
}

}  // namespace
}  // namespace medmij::policy
