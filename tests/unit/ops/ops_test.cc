// registry/ops in process, on a real LMDB in a temp dir: every command's success and its
// refusals (the Status code and the field or rule named), and that a refused command changes
// nothing. The CLI integration tests only check that medmij-admin maps these to its arguments,
// exit codes and output.
#include "registry/ops/ops.h"

#include <gtest/gtest.h>

#include <functional>

#include "registry/domain/json.h"
#include "registry/ops/history.h"
#include "tests/support/process.h"

namespace medmij::ops {
namespace {

using Code = Status::Code;

Time At(const char* iso) {
  return ParseTime(iso, "t").value();
}

const Time kNow = At("2026-11-22T10:00:00Z");

class OpsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = store::Store::Open(dir_ / "data");
    ASSERT_TRUE(s.ok()) << s.status().message();
    store_ = std::move(s).value();
  }

  // Runs `fn` in one write transaction as `op` at `now_`, and commits when it succeeds. A
  // failure must leave every table and the journal as they were.
  Status Do(const std::function<Status(store::WriteTxn&, const Actor&)>& fn,
            const std::string& op = "alice") {
    const std::string before = Fingerprint();
    auto w = store_->BeginWrite();
    if (!w.ok()) return w.status();
    Status st = fn(**w, Actor{op, now_});
    if (!st.ok()) {
      w->reset();
      EXPECT_EQ(Fingerprint(), before) << "a refused command changed something: " << st.message();
      return st;
    }
    auto seq = (*w)->Commit(store::EventMeta{now_, op, "test", "test", ""});
    return seq.ok() ? Status::Ok() : seq.status();
  }

  // Every table's raw records and the journal length.
  std::string Fingerprint() const {
    auto r = store_->BeginRead();
    EXPECT_TRUE(r.ok());
    std::string out = std::to_string((*r)->JournalLength().value()) + "\n";
    for (size_t i = 0; i < store::kJournaledTableCount; ++i) {
      EXPECT_TRUE((*r)->ForEachRaw(static_cast<store::Table>(i),
                                   [&](std::string_view k, std::string_view v) {
                                     out.append(k).append("=").append(v).append("\n");
                                   })
                      .ok());
    }
    return out;
  }

  Participant Get(const std::string& id) const {
    auto r = store_->BeginRead();
    auto p = (*r)->GetParticipant(id).value();
    EXPECT_TRUE(p.has_value()) << id;
    return p ? *p : Participant{};
  }

  std::unique_ptr<store::ReadTxn> Read() const { return std::move(store_->BeginRead()).value(); }

  void Enrolled(const std::string& id, std::vector<std::string> roles) {
    ASSERT_TRUE(Do([&](auto& t, auto& a) {
                  return Enrol(t, a, {id, "Org " + id, "12345678", "", roles});
                }).ok());
  }

  CertificateInput Cert(const std::string& id) const {
    return {id, "NEN-" + id, "Certifier BV", true, true, now_ - Days(30), now_ + Days(365), ""};
  }
  AuditStatementInput Audit(const std::string& id, const char* outcome = "conform") const {
    return {id, now_ - Days(10), "Audit BV", outcome, true};
  }

  // Enrolled, evidence that counts, label, active.
  void GoodStanding(const std::string& id, std::vector<std::string> roles) {
    Enrolled(id, roles);
    ASSERT_TRUE(Do([&](auto& t, auto& a) { return AddCertificate(t, a, Cert(id)); }).ok());
    ASSERT_TRUE(Do([&](auto& t, auto& a) { return AddAuditStatement(t, a, Audit(id)); }).ok());
    ASSERT_TRUE(Do([&](auto& t, auto& a) { return GrantLabel(t, a, id, ""); }).ok());
    ASSERT_TRUE(Do([&](auto& t, auto& a) { return Activate(t, a, id, ""); }).ok());
  }

  testing::TempDir dir_;
  std::unique_ptr<store::Store> store_;
  Time now_ = kNow;
};

// A refusal with `code` whose message contains `what`.
#define EXPECT_REFUSED(expr, want_code, want_text)                              \
  do {                                                                          \
    Status _s = (expr);                                                         \
    EXPECT_EQ(_s.code(), want_code) << _s.message();                            \
    EXPECT_NE(_s.message().find(want_text), std::string::npos) << _s.message(); \
  } while (0)

// ---- Participants.

TEST_F(OpsTest, EnrolRecordsACandidateAndRefusesBadFieldsAndDuplicates) {
  ASSERT_TRUE(Do([](auto& t, auto& a) {
                return Enrol(
                    t, a,
                    {"acme-pgo", "Acme PGO B.V.", "12345678", "ops@acme.example", {"dvp", "dva"}});
              }).ok());
  Participant p = Get("acme-pgo");
  EXPECT_EQ(p.status, Lifecycle::kCandidate);
  EXPECT_EQ(p.roles, (std::set<Role>{Role::kDvp, Role::kDva}));
  EXPECT_EQ(p.enrolled.by, "alice");
  EXPECT_EQ(p.enrolled.at, kNow);
  EXPECT_EQ(p.email, "ops@acme.example");

  auto enrol = [&](EnrolInput in) { return Do([&](auto& t, auto& a) { return Enrol(t, a, in); }); };
  EXPECT_REFUSED(enrol({"acme-pgo", "Other", "12345678", "", {"dvp"}}), Code::kAlreadyExists,
                 "already enrolled");
  EXPECT_REFUSED(enrol({"AB", "X", "12345678", "", {"dvp"}}), Code::kInvalidArgument,
                 "participant id");
  EXPECT_REFUSED(enrol({"new-org", "", "12345678", "", {"dvp"}}), Code::kInvalidArgument, "name");
  EXPECT_REFUSED(enrol({"new-org", "X", "1234567", "", {"dvp"}}), Code::kInvalidArgument, "kvk");
  EXPECT_REFUSED(enrol({"new-org", "X", "12345678", "nope", {"dvp"}}), Code::kInvalidArgument,
                 "email");
  EXPECT_REFUSED(enrol({"new-org", "X", "12345678", "", {}}), Code::kInvalidArgument,
                 "role: at least one");
  EXPECT_REFUSED(enrol({"new-org", "X", "12345678", "", {"dvz"}}), Code::kInvalidArgument,
                 "role: must be dvp or dva");
  EXPECT_REFUSED(FindParticipant(*Read(), "nobody-here").status(), Code::kNotFound,
                 "'nobody-here' does not exist");
}

TEST_F(OpsTest, ActivateNeedsEvidenceThatCountsAndALabel) {
  Enrolled("acme-pgo", {"dvp"});
  auto activate = [&] {
    return Do([](auto& t, auto& a) { return Activate(t, a, "acme-pgo", ""); });
  };
  EXPECT_REFUSED(activate(), Code::kFailedPrecondition, "certificate");
  ASSERT_TRUE(Do([&](auto& t, auto& a) { return AddCertificate(t, a, Cert("acme-pgo")); }).ok());
  EXPECT_REFUSED(activate(), Code::kFailedPrecondition, "audit");
  ASSERT_TRUE(Do([&](auto& t, auto& a) {
                return AddAuditStatement(t, a, Audit("acme-pgo", "nonconform"));
              }).ok());
  EXPECT_REFUSED(activate(), Code::kFailedPrecondition, "audit");
  ASSERT_TRUE(
      Do([&](auto& t, auto& a) { return AddAuditStatement(t, a, Audit("acme-pgo")); }).ok());
  ASSERT_TRUE(activate().ok());
  Participant p = Get("acme-pgo");
  EXPECT_EQ(p.status, Lifecycle::kActive);
  ASSERT_EQ(p.status_history.size(), 1u);
  EXPECT_EQ(p.status_history[0].from, Lifecycle::kCandidate);
  EXPECT_REFUSED(activate(), Code::kFailedPrecondition, "activate");
  EXPECT_REFUSED(Do([](auto& t, auto& a) { return Activate(t, a, "nobody-here", ""); }),
                 Code::kNotFound, "does not exist");
  EXPECT_REFUSED(Do([](auto& t, auto& a) { return Activate(t, a, "acme-pgo", "\x01"); }),
                 Code::kInvalidArgument, "reason");
}

TEST_F(OpsTest, SuspendAndReinstate) {
  GoodStanding("acme-pgo", {"dvp"});
  EXPECT_REFUSED(Do([](auto& t, auto& a) { return Suspend(t, a, "acme-pgo", ""); }),
                 Code::kInvalidArgument, "reason");
  EXPECT_REFUSED(Do([](auto& t, auto& a) { return Reinstate(t, a, "acme-pgo", "x"); }),
                 Code::kFailedPrecondition, "only a suspended participant");
  ASSERT_TRUE(Do([](auto& t, auto& a) { return Suspend(t, a, "acme-pgo", "incident"); }).ok());
  EXPECT_EQ(Get("acme-pgo").status, Lifecycle::kSuspended);
  EXPECT_EQ(Get("acme-pgo").status_history.back().recorded.reason, "incident");
  EXPECT_REFUSED(Do([](auto& t, auto& a) { return Suspend(t, a, "acme-pgo", "again"); }),
                 Code::kFailedPrecondition, "suspend");
  EXPECT_REFUSED(Do([](auto& t, auto& a) { return Activate(t, a, "acme-pgo", ""); }),
                 Code::kFailedPrecondition, "participant reinstate");
  // Reinstating needs current evidence too: a year later the audit statement has lapsed.
  now_ += Days(400);
  EXPECT_REFUSED(Do([](auto& t, auto& a) { return Reinstate(t, a, "acme-pgo", "fixed"); }),
                 Code::kFailedPrecondition, "audit");
  now_ = kNow;
  ASSERT_TRUE(Do([](auto& t, auto& a) { return Reinstate(t, a, "acme-pgo", "fixed"); }).ok());
  EXPECT_EQ(Get("acme-pgo").status, Lifecycle::kActive);
}

TEST_F(OpsTest, TerminationTakesTwoOperatorsAndIsFinal) {
  GoodStanding("acme-pgo", {"dvp"});
  ASSERT_TRUE(Do([](auto& t, auto& a) {
                return OpenCase(t, a, "acme-pgo", "incident", "leak").status();
              }).ok());
  std::string request;
  ASSERT_TRUE(Do([&](auto& t, auto& a) {
                auto r = RequestTermination(t, a, "acme-pgo", "contract ended");
                if (r.ok()) request = *r;
                return r.status();
              }).ok());
  EXPECT_EQ(request, "term-1");
  EXPECT_REFUSED(
      Do([](auto& t, auto& a) { return RequestTermination(t, a, "acme-pgo", "twice").status(); }),
      Code::kFailedPrecondition, "term-1");
  EXPECT_REFUSED(
      Do([&](auto& t, auto& a) { return ApproveTermination(t, a, request).status(); }, "alice"),
      Code::kFailedPrecondition, "different operator");
  EXPECT_REFUSED(
      Do([](auto& t, auto& a) { return ApproveTermination(t, a, "term-9").status(); }, "bob"),
      Code::kNotFound, "term-9");
  ASSERT_TRUE(
      Do([&](auto& t, auto& a) { return ApproveTermination(t, a, request).status(); }, "bob").ok());
  Participant p = Get("acme-pgo");
  EXPECT_EQ(p.status, Lifecycle::kTerminated);
  EXPECT_NE(p.status_history.back().recorded.reason.find("requested by alice as term-1"),
            std::string::npos);
  EXPECT_FALSE(Read()->GetCase("case-1").value()->IsOpen());  // its open cases are closed
  EXPECT_REFUSED(
      Do([&](auto& t, auto& a) { return ApproveTermination(t, a, request).status(); }, "carol"),
      Code::kFailedPrecondition, "");
  // Terminated is final: nothing comes back, nothing is added.
  for (const auto& [name, op] :
       std::vector<std::pair<std::string, std::function<Status(store::WriteTxn&, const Actor&)>>>{
           {"reinstate", [](auto&t, auto&a) { return Reinstate(t, a, "acme-pgo", "please"); }},
           {"activate", [](auto&t, auto&a) { return Activate(t, a, "acme-pgo", ""); }},
           {"suspend", [](auto&t, auto&a) { return Suspend(t, a, "acme-pgo", "x"); }},
           {"terminate",
            [](auto&t, auto&a) { return RequestTermination(t, a, "acme-pgo", "x").status(); }},
           {"label", [](auto&t, auto&a) { return GrantLabel(t, a, "acme-pgo", ""); }},
           {"cert", [&](auto&t, auto&a) { return AddCertificate(t, a, Cert("acme-pgo")); }},
           {"audit", [&](auto&t, auto&a) { return AddAuditStatement(t, a, Audit("acme-pgo")); }},
           {"node", [](auto&t, auto&a) { return AddNode(t, a, "acme-pgo", "n.acme.example"); }},
           {"case",
            [](auto&t, auto&a) { return OpenCase(t, a, "acme-pgo", "incident", "y").status(); }}}) {
    EXPECT_EQ(Do(op).code(), Code::kFailedPrecondition) << name;
  }
}

TEST_F(OpsTest, ACandidateMayBeTerminated) {
  Enrolled("never-pgo", {"dvp"});
  std::string request;
  ASSERT_TRUE(Do([&](auto& t, auto& a) {
                auto r = RequestTermination(t, a, "never-pgo", "withdrew");
                if (r.ok()) request = *r;
                return r.status();
              }).ok());
  ASSERT_TRUE(
      Do([&](auto& t, auto& a) { return ApproveTermination(t, a, request).status(); }, "bob").ok());
  EXPECT_EQ(Get("never-pgo").status, Lifecycle::kTerminated);
}

// ---- Evidence.

TEST_F(OpsTest, CertificatesAreAppendedAndChecked) {
  Enrolled("acme-pgo", {"dvp"});
  auto add = [&](CertificateInput in) {
    return Do([&](auto& t, auto& a) { return AddCertificate(t, a, in); });
  };
  CertificateInput c = Cert("acme-pgo");
  ASSERT_TRUE(add(c).ok());
  EXPECT_REFUSED(add(c), Code::kAlreadyExists, "already recorded");
  CertificateInput renewed = c;
  renewed.valid_from = c.valid_until;
  renewed.valid_until = c.valid_until + Days(365);
  ASSERT_TRUE(add(renewed).ok());
  EXPECT_EQ(Get("acme-pgo").certificates.size(), 2u);  // history kept, nothing overwritten
  CertificateInput bad = c;
  bad.valid_until = bad.valid_from;
  EXPECT_REFUSED(add(bad), Code::kInvalidArgument, "valid-until: must be after valid-from");
  bad = c;
  bad.number = "";
  EXPECT_REFUSED(add(bad), Code::kInvalidArgument, "number");
  bad = c;
  bad.body = "B";
  EXPECT_REFUSED(add(bad), Code::kInvalidArgument, "body");
  bad = c;
  bad.scope = std::string(501, 's');
  EXPECT_REFUSED(add(bad), Code::kInvalidArgument, "scope");
  bad = c;
  bad.participant = "nobody-here";
  EXPECT_REFUSED(add(bad), Code::kNotFound, "nobody-here");
}

TEST_F(OpsTest, AuditStatementsAreCheckedAndNeverDatedInTheFuture) {
  Enrolled("acme-pgo", {"dvp"});
  auto add = [&](AuditStatementInput in) {
    return Do([&](auto& t, auto& a) { return AddAuditStatement(t, a, in); });
  };
  ASSERT_TRUE(add(Audit("acme-pgo")).ok());
  AuditStatementInput future = Audit("acme-pgo");
  future.date = kNow + Days(1);
  EXPECT_REFUSED(add(future), Code::kInvalidArgument, "date: an audit statement cannot be dated");
  EXPECT_REFUSED(add(Audit("acme-pgo", "fine")), Code::kInvalidArgument, "outcome");
  AuditStatementInput bad = Audit("acme-pgo");
  bad.auditor = "A";
  EXPECT_REFUSED(add(bad), Code::kInvalidArgument, "auditor");
  EXPECT_REFUSED(add(Audit("nobody-here")), Code::kNotFound, "nobody-here");
  EXPECT_EQ(Get("acme-pgo").audit_statements.size(), 1u);
}

TEST_F(OpsTest, QualificationsNeedTheCatalogue) {
  Enrolled("zorg-dva", {"dva"});
  EXPECT_REFUSED(Do([](auto& t, auto& a) { return AddQualification(t, a, "zorg-dva", "4"); }),
                 Code::kFailedPrecondition, "not in the catalogue");
  ASSERT_TRUE(Do([](auto& t, auto& a) { return AddService(t, a, "4", "Laboratorium"); }).ok());
  ASSERT_TRUE(Do([](auto& t, auto& a) { return AddQualification(t, a, "zorg-dva", "4"); }).ok());
  EXPECT_EQ(Get("zorg-dva").QualifiedServices(), std::set<std::string>{"4"});
  EXPECT_REFUSED(Do([](auto& t, auto& a) { return AddQualification(t, a, "zorg-dva", "4"); }),
                 Code::kAlreadyExists, "already qualified");
  EXPECT_REFUSED(
      Do([](auto& t, auto& a) { return WithdrawQualification(t, a, "zorg-dva", "4", ""); }),
      Code::kInvalidArgument, "reason");
  ASSERT_TRUE(Do([](auto& t, auto& a) {
                return WithdrawQualification(t, a, "zorg-dva", "4", "failed");
              }).ok());
  EXPECT_TRUE(Get("zorg-dva").QualifiedServices().empty());
  EXPECT_EQ(Get("zorg-dva").qualifications.size(), 2u);
  EXPECT_REFUSED(
      Do([](auto& t, auto& a) { return WithdrawQualification(t, a, "zorg-dva", "4", "again"); }),
      Code::kNotFound, "not qualified");
  EXPECT_REFUSED(
      Do([](auto& t, auto& a) { return AddQualification(t, a, "zorg-dva", std::string(31, '1')); }),
      Code::kInvalidArgument, "service");
}

TEST_F(OpsTest, LabelGrantAndWithdraw) {
  Enrolled("acme-pgo", {"dvp"});
  EXPECT_REFUSED(
      Do([](auto& t, auto& a) { return WithdrawLabel(t, a, "acme-pgo", "not granted"); }),
      Code::kFailedPrecondition, "label");
  ASSERT_TRUE(Do([](auto& t, auto& a) { return GrantLabel(t, a, "acme-pgo", ""); }).ok());
  EXPECT_REFUSED(Do([](auto& t, auto& a) { return GrantLabel(t, a, "acme-pgo", ""); }),
                 Code::kFailedPrecondition, "label");
  EXPECT_REFUSED(Do([](auto& t, auto& a) { return WithdrawLabel(t, a, "acme-pgo", ""); }),
                 Code::kInvalidArgument, "reason");
  ASSERT_TRUE(Do([](auto& t, auto& a) { return WithdrawLabel(t, a, "acme-pgo", "review"); }).ok());
  ASSERT_EQ(Get("acme-pgo").labels.size(), 2u);
  EXPECT_FALSE(Get("acme-pgo").labels.back().granted);
}

// ---- Network data.

TEST_F(OpsTest, NodesAreUniqueNetworkWideAndRemovedOnlyByTheirOwnerWhenUnused) {
  GoodStanding("dva-one", {"dva"});
  GoodStanding("dva-two", {"dva"});
  ASSERT_TRUE(
      Do([](auto& t, auto& a) { return AddNode(t, a, "dva-one", "api.one.example"); }).ok());
  EXPECT_EQ(Read()->NodesOf("dva-one").value().size(), 1u);
  EXPECT_REFUSED(Do([](auto& t, auto& a) { return AddNode(t, a, "dva-two", "api.one.example"); }),
                 Code::kAlreadyExists, "already registered to 'dva-one'");
  for (const char* bad :
       {"API.one.example", "*.one.example", "localhost", "bad_host.example", "one.example."}) {
    EXPECT_REFUSED(Do([&](auto& t, auto& a) { return AddNode(t, a, "dva-one", bad); }),
                   Code::kInvalidArgument, "hostname");
  }
  EXPECT_REFUSED(
      Do([](auto& t, auto& a) { return RemoveNode(t, a, "dva-two", "api.one.example"); }),
      Code::kNotFound, "has no node");
  // In use as a back-channel host of a provider: kept.
  ASSERT_TRUE(Do([](auto& t, auto& a) { return AddService(t, a, "1", "Basisgegevens"); }).ok());
  ProviderInput p{"ziekenhuis@medmij", "dva-one", "ZA", {}, {}};
  p.services.push_back({"",
                        "1",
                        "https://front.one.example/authorize",
                        "https://api.one.example/token",
                        {{"R", "https://api.one.example/fhir"}},
                        {},
                        std::nullopt});
  ASSERT_TRUE(Do([&](auto& t, auto& a) { return AddProvider(t, a, p); }).ok());
  EXPECT_REFUSED(
      Do([](auto& t, auto& a) { return RemoveNode(t, a, "dva-one", "api.one.example"); }),
      Code::kFailedPrecondition, "ziekenhuis@medmij");
  ASSERT_TRUE(
      Do([](auto& t, auto& a) { return RemoveProvider(t, a, "ziekenhuis@medmij", ""); }).ok());
  ASSERT_TRUE(
      Do([](auto& t, auto& a) { return RemoveNode(t, a, "dva-one", "api.one.example"); }).ok());
  EXPECT_TRUE(Read()->NodesOf("dva-one").value().empty());
}

TEST_F(OpsTest, OAuthClientsOnlyForDvpsUniqueAndTransferredToGoodStanding) {
  GoodStanding("pgo-one", {"dvp"});
  GoodStanding("pgo-two", {"dvp"});
  GoodStanding("dva-one", {"dva"});
  auto add = [&](const char* who, const char* host, const char* org) {
    return Do([&](auto& t, auto& a) { return AddOAuthClient(t, a, who, host, org); });
  };
  ASSERT_TRUE(add("pgo-one", "client.pgo.example", "PGO One").ok());
  EXPECT_REFUSED(add("dva-one", "client.dva.example", "DVA"), Code::kFailedPrecondition,
                 "not a DVP");
  EXPECT_REFUSED(add("pgo-two", "client.pgo.example", "Two"), Code::kAlreadyExists,
                 "already belongs to 'pgo-one'");
  EXPECT_REFUSED(add("pgo-two", "client.two.example", "AB"), Code::kInvalidArgument, "org-name");
  EXPECT_REFUSED(add("pgo-two", "Client.two.example", "Two"), Code::kInvalidArgument, "hostname");

  auto transfer = [&](const char* host, const char* to, const char* reason) {
    return Do([&](auto& t, auto& a) { return TransferOAuthClient(t, a, host, to, reason); });
  };
  EXPECT_REFUSED(transfer("client.pgo.example", "pgo-two", ""), Code::kInvalidArgument, "reason");
  EXPECT_REFUSED(transfer("none.pgo.example", "pgo-two", "x"), Code::kNotFound, "none.pgo.example");
  EXPECT_REFUSED(transfer("client.pgo.example", "dva-one", "x"), Code::kFailedPrecondition, "");
  ASSERT_TRUE(Do([](auto& t, auto& a) { return Suspend(t, a, "pgo-two", "review"); }).ok());
  EXPECT_REFUSED(transfer("client.pgo.example", "pgo-two", "merger"), Code::kFailedPrecondition,
                 "good standing");
  ASSERT_TRUE(Do([](auto& t, auto& a) { return Reinstate(t, a, "pgo-two", "ok"); }).ok());
  ASSERT_TRUE(transfer("client.pgo.example", "pgo-two", "merger").ok());
  EXPECT_EQ(Read()->OAuthClientsOf("pgo-two").value().size(), 1u);

  EXPECT_REFUSED(
      Do([](auto& t, auto& a) { return RemoveOAuthClient(t, a, "pgo-one", "client.pgo.example"); }),
      Code::kNotFound, "has no OAuth client");
  ASSERT_TRUE(Do([](auto& t, auto& a) {
                return RemoveOAuthClient(t, a, "pgo-two", "client.pgo.example");
              }).ok());
  EXPECT_TRUE(Read()->OAuthClientsOf("pgo-two").value().empty());
}

TEST_F(OpsTest, CatalogueServices) {
  ASSERT_TRUE(Do([](auto& t, auto& a) { return AddService(t, a, "4", "Laboratorium"); }).ok());
  EXPECT_EQ(Read()->GetService("4").value()->display_name, "Laboratorium");
  EXPECT_REFUSED(Do([](auto& t, auto& a) { return AddService(t, a, "4", "Again"); }),
                 Code::kAlreadyExists, "already listed");
  EXPECT_REFUSED(Do([](auto& t, auto& a) { return AddService(t, a, "", "Name"); }),
                 Code::kInvalidArgument, "service id");
  EXPECT_REFUSED(Do([](auto& t, auto& a) { return AddService(t, a, "9", "AB"); }),
                 Code::kInvalidArgument, "name");
}

class ProviderOpsTest : public OpsTest {
 protected:
  void SetUp() override {
    OpsTest::SetUp();
    GoodStanding("dva-one", {"dva"});
    GoodStanding("dva-two", {"dva"});
    GoodStanding("pgo-one", {"dvp"});
    ASSERT_TRUE(Do([](auto& t, auto& a) { return AddService(t, a, "1", "Basisgegevens"); }).ok());
    ASSERT_TRUE(
        Do([](auto& t, auto& a) { return AddNode(t, a, "dva-one", "api.one.example"); }).ok());
  }
  static ProviderServiceInput Service(std::string token = "https://api.one.example/token",
                                      std::string role = "https://api.one.example/fhir") {
    return {"ziekenhuis@medmij",
            "1",
            "https://front.one.example/authorize",
            std::move(token),
            {{"MM-1.0.0-BZB-FHIR", std::move(role)}},
            {"1.0"},
            std::nullopt};
  }
  Status AddZiekenhuis(std::vector<ProviderServiceInput> services = {}) {
    ProviderInput p{"ziekenhuis@medmij", "dva-one", "BAZB", {{"agb", "01234567"}}, services};
    return Do([&](auto& t, auto& a) { return AddProvider(t, a, p); });
  }
};

TEST_F(ProviderOpsTest, ProvidersOnlyForDvasWithUniqueNamesAndValidFields) {
  ASSERT_TRUE(AddZiekenhuis().ok());
  auto p = Read()->GetProvider("ziekenhuis@medmij").value();
  ASSERT_TRUE(p);
  EXPECT_EQ(p->type, ProviderType::kBazb);
  EXPECT_EQ(p->identifiers.at("agb"), "01234567");
  EXPECT_REFUSED(AddZiekenhuis(), Code::kAlreadyExists, "already served by 'dva-one'");
  auto add = [&](ProviderInput in) {
    return Do([&](auto& t, auto& a) { return AddProvider(t, a, in); });
  };
  EXPECT_REFUSED(add({"huisarts@medmij", "pgo-one", "ZA", {}, {}}), Code::kFailedPrecondition,
                 "not a DVA");
  EXPECT_REFUSED(add({"Hospital@medmij", "dva-one", "ZA", {}, {}}), Code::kInvalidArgument,
                 "provider name");
  EXPECT_REFUSED(add({"hospitaal@medmij", "dva-one", "XX", {}, {}}), Code::kInvalidArgument,
                 "type: must be ZA or BAZB");
  EXPECT_REFUSED(add({"hospitaal@medmij", "dva-one", "ZA", {{"agb", "123"}}, {}}),
                 Code::kInvalidArgument, "identifiers.agb: must be exactly 8 digits");
  EXPECT_REFUSED(add({"hospitaal@medmij", "dva-one", "ZA", {{"big", "12345678"}}, {}}),
                 Code::kInvalidArgument, "unknown identifier kind (agb, hrn, kvk, oin or ura)");
  EXPECT_REFUSED(add({"hospitaal@medmij", "no-such-dva", "ZA", {}, {}}), Code::kNotFound,
                 "no-such-dva");
  // Services given with the provider are checked like PutProviderService, by index.
  ProviderInput twice{"hospitaal@medmij", "dva-one", "ZA", {}, {Service(), Service()}};
  EXPECT_REFUSED(add(twice), Code::kInvalidArgument, "services[1]: data service 1 is listed twice");
  ProviderInput foreign{
      "hospitaal@medmij", "dva-one", "ZA", {}, {Service("https://api.elsewhere.example/token")}};
  EXPECT_REFUSED(add(foreign), Code::kFailedPrecondition, "services[0]");
}

TEST_F(ProviderOpsTest, ServicesNeedTheCatalogueAndBackChannelHostsOfTheDva) {
  ASSERT_TRUE(AddZiekenhuis().ok());
  auto put = [&](ProviderServiceInput in) {
    return Do([&](auto& t, auto& a) { return PutProviderService(t, a, in); });
  };
  EXPECT_REFUSED(put(Service("https://api.elsewhere.example/token")), Code::kFailedPrecondition,
                 "api.elsewhere.example");
  EXPECT_REFUSED(put(Service("https://api.one.example/token", "https://api.elsewhere.example/r")),
                 Code::kFailedPrecondition, "api.elsewhere.example");
  ProviderServiceInput unknown = Service();
  unknown.service_id = "99";
  EXPECT_REFUSED(put(unknown), Code::kFailedPrecondition, "99");
  ProviderServiceInput bad = Service();
  bad.authorization_uri = "http://front.one.example/authorize";
  EXPECT_REFUSED(put(bad), Code::kInvalidArgument, "authorization-uri");
  bad = Service("https://api.one.example:65536/token");
  EXPECT_REFUSED(put(bad), Code::kInvalidArgument, "token-uri");
  bad = Service();
  bad.roles.clear();
  EXPECT_REFUSED(put(bad), Code::kInvalidArgument, "role: at least one CODE=URI");
  bad = Service("https://api.one.example/token", "http://api.one.example/fhir");
  EXPECT_REFUSED(put(bad), Code::kInvalidArgument, "resource URI");
  bad = Service();
  bad.provider = "nobody@medmij";
  EXPECT_REFUSED(put(bad), Code::kNotFound, "nobody@medmij");

  ASSERT_TRUE(put(Service()).ok());
  auto p = Read()->GetProvider("ziekenhuis@medmij").value();
  ASSERT_EQ(p->services.count("1"), 1u);
  EXPECT_EQ(p->services.at("1").interface_versions, std::vector<std::string>{"1.0"});
  ProviderServiceInput replaced = Service();
  replaced.interface_versions = {"2.0"};
  ASSERT_TRUE(put(replaced).ok());  // adds or replaces
  EXPECT_EQ(Read()->GetProvider("ziekenhuis@medmij").value()->services.at("1").interface_versions,
            std::vector<std::string>{"2.0"});

  EXPECT_REFUSED(
      Do([](auto& t, auto& a) { return RemoveProviderService(t, a, "ziekenhuis@medmij", "4"); }),
      Code::kNotFound, "does not offer data service 4");
  ASSERT_TRUE(Do([](auto& t, auto& a) {
                return RemoveProviderService(t, a, "ziekenhuis@medmij", "1");
              }).ok());
  EXPECT_TRUE(Read()->GetProvider("ziekenhuis@medmij").value()->services.empty());
  EXPECT_REFUSED(Do([](auto& t, auto& a) { return RemoveProvider(t, a, "nobody@medmij", ""); }),
                 Code::kNotFound, "nobody@medmij");
}

// The ZAL release3 and ZAKL fields: identifiers (hrn too), aanbiedertype, interface versions
// and the subscription, set with the provider or service, or changed later (`provider set`,
// `provider service set`); every bad value is refused with its field named and changes nothing.
TEST_F(ProviderOpsTest, Release3FieldsAreCheckedAndChangedInPlace) {
  ASSERT_TRUE(
      Do([](auto& t, auto& a) { return AddNode(t, a, "dva-one", "sub.one.example"); }).ok());
  ProviderServiceInput svc = Service();
  svc.interface_versions = {"1.4.0", "1.10.0", "1.3.0"};
  svc.subscription = SubscriptionInput{365, "https://sub.one.example/subscription"};
  ASSERT_TRUE(AddZiekenhuis({svc}).ok());
  ProviderService stored = Read()->GetProvider("ziekenhuis@medmij").value()->services.at("1");
  EXPECT_EQ(stored.interface_versions, (std::vector<std::string>{"1.3.0", "1.4.0", "1.10.0"}));
  ASSERT_TRUE(stored.subscription);
  EXPECT_EQ(stored.subscription->max_days, 365u);

  auto put = [&](ProviderServiceInput in) {
    return Do([&](auto& t, auto& a) { return PutProviderService(t, a, in); });
  };
  ProviderServiceInput bad = svc;
  bad.interface_versions = {"1.4.0", "1 4"};
  EXPECT_REFUSED(put(bad), Code::kInvalidArgument, "interface-version: must be 1-30 characters");
  bad.interface_versions = {"1.4.0", "1.4.0"};
  EXPECT_REFUSED(put(bad), Code::kInvalidArgument, "'1.4.0' is given more than once");
  bad = svc;
  bad.subscription = SubscriptionInput{0, "https://sub.one.example/s"};
  EXPECT_REFUSED(put(bad), Code::kInvalidArgument, "subscription-max-days: must be 1-3650 days");
  bad.subscription = SubscriptionInput{3651, "https://sub.one.example/s"};
  EXPECT_REFUSED(put(bad), Code::kInvalidArgument, "subscription-max-days");
  bad.subscription = SubscriptionInput{30, "http://sub.one.example/s"};
  EXPECT_REFUSED(put(bad), Code::kInvalidArgument, "subscription-uri");
  bad.subscription = SubscriptionInput{30, "https://sub.elsewhere.example/s"};
  EXPECT_REFUSED(put(bad), Code::kFailedPrecondition, "sub.elsewhere.example");  // not a node

  auto set = [&](ProviderUpdate in) {
    return Do([&](auto& t, auto& a) { return UpdateProvider(t, a, in); });
  };
  ASSERT_TRUE(set({"ziekenhuis@medmij", "ZA", {{"hrn", "HRN42"}, {"agb", ""}}}).ok());
  auto p = Read()->GetProvider("ziekenhuis@medmij").value();
  EXPECT_EQ(p->type, ProviderType::kZa);
  EXPECT_EQ(p->identifiers, (std::map<std::string, std::string>{{"hrn", "HRN42"}}));
  EXPECT_EQ(p->services.at("1"), stored);  // services untouched
  EXPECT_REFUSED(set({"ziekenhuis@medmij", std::nullopt, {{"hrn", "HRN_42"}}}),
                 Code::kInvalidArgument, "identifiers.hrn: must be 1-30 letters and digits");
  EXPECT_REFUSED(set({"ziekenhuis@medmij", std::nullopt, {{"ura", "1234567"}}}),
                 Code::kInvalidArgument, "identifiers.ura: must be exactly 8 digits");
  EXPECT_REFUSED(set({"ziekenhuis@medmij", std::nullopt, {{"oin", "1234567890123456789"}}}),
                 Code::kInvalidArgument, "identifiers.oin: must be exactly 20 digits");
  EXPECT_REFUSED(set({"ziekenhuis@medmij", std::nullopt, {{"kvk", ""}}}), Code::kInvalidArgument,
                 "no such identifier to remove");
  EXPECT_REFUSED(set({"ziekenhuis@medmij", "APD", {}}), Code::kInvalidArgument, "type");
  EXPECT_REFUSED(set({"ziekenhuis@medmij", std::nullopt, {}}), Code::kInvalidArgument,
                 "nothing to change");
  EXPECT_REFUSED(set({"nobody@medmij", "ZA", {}}), Code::kNotFound, "nobody@medmij");

  auto update = [&](ProviderServiceUpdate in) {
    return Do([&](auto& t, auto& a) { return UpdateProviderService(t, a, in); });
  };
  ProviderServiceUpdate u{"ziekenhuis@medmij", "1",  std::vector<std::string>{"2.0"}, 30,
                          std::nullopt,        false};
  ASSERT_TRUE(update(u).ok());
  stored = Read()->GetProvider("ziekenhuis@medmij").value()->services.at("1");
  EXPECT_EQ(stored.interface_versions, std::vector<std::string>{"2.0"});
  EXPECT_EQ(stored.subscription->max_days, 30u);  // one field changed, the uri kept
  EXPECT_EQ(stored.subscription->endpoint_uri, "https://sub.one.example/subscription");
  EXPECT_REFUSED(update({"ziekenhuis@medmij", "1", std::nullopt, 5, std::nullopt, true}),
                 Code::kInvalidArgument, "cannot be combined");
  ASSERT_TRUE(update({"ziekenhuis@medmij", "1", std::vector<std::string>{}, std::nullopt,
                      std::nullopt, true})
                  .ok());
  stored = Read()->GetProvider("ziekenhuis@medmij").value()->services.at("1");
  EXPECT_TRUE(stored.interface_versions.empty());  // now in the ZAL release2 only
  EXPECT_FALSE(stored.subscription);
  EXPECT_REFUSED(update({"ziekenhuis@medmij", "1", std::nullopt, 30, std::nullopt, false}),
                 Code::kInvalidArgument, "has no subscription yet");
  EXPECT_REFUSED(update({"ziekenhuis@medmij", "1", std::nullopt, std::nullopt, std::nullopt, true}),
                 Code::kInvalidArgument, "has no subscription");
  EXPECT_REFUSED(update({"ziekenhuis@medmij", "4", std::vector<std::string>{"1.0"}, std::nullopt,
                         std::nullopt, false}),
                 Code::kNotFound, "does not offer data service 4");
  EXPECT_REFUSED(
      update({"ziekenhuis@medmij", "1", std::nullopt, std::nullopt, std::nullopt, false}),
      Code::kInvalidArgument, "nothing to change");
}

TEST_F(ProviderOpsTest, TransferOnlyToADvaInGoodStandingThatHasTheNodes) {
  ASSERT_TRUE(AddZiekenhuis({Service()}).ok());
  auto transfer = [&](const char* to, const char* reason) {
    return Do(
        [&](auto& t, auto& a) { return TransferProvider(t, a, "ziekenhuis@medmij", to, reason); });
  };
  EXPECT_REFUSED(transfer("dva-two", ""), Code::kInvalidArgument, "reason");
  EXPECT_REFUSED(transfer("dva-two", "moved"), Code::kFailedPrecondition,
                 "transfer to 'dva-two': data service 1");
  EXPECT_REFUSED(transfer("pgo-one", "moved"), Code::kFailedPrecondition, "");
  ASSERT_TRUE(Do([](auto& t, auto& a) {
                return RemoveProviderService(t, a, "ziekenhuis@medmij", "1");
              }).ok());
  ASSERT_TRUE(Do([](auto& t, auto& a) { return Suspend(t, a, "dva-two", "review"); }).ok());
  EXPECT_REFUSED(transfer("dva-two", "moved"), Code::kFailedPrecondition, "good standing");
  ASSERT_TRUE(Do([](auto& t, auto& a) { return Reinstate(t, a, "dva-two", "ok"); }).ok());
  ASSERT_TRUE(transfer("dva-two", "moved").ok());
  EXPECT_EQ(Read()->ProvidersOf("dva-two").value().size(), 1u);
  EXPECT_TRUE(Read()->ProvidersOf("dva-one").value().empty());
}

// ---- Compliance cases.

TEST_F(OpsTest, CasesMoveForwardAndSuspendOrTerminate) {
  GoodStanding("risky-dva", {"dva"});
  std::string id;
  ASSERT_TRUE(Do([&](auto& t, auto& a) {
                auto r = OpenCase(t, a, "risky-dva", "incident", "data leak reported");
                if (r.ok()) id = *r;
                return r.status();
              }).ok());
  EXPECT_EQ(id, "case-1");
  auto step = [&](const char* to, const char* reason, std::optional<Time> deadline = {},
                  bool immediate = false, CaseStepResult* out = nullptr) {
    return Do([&](auto& t, auto& a) {
      auto r = StepCase(t, a, id, to, reason, deadline, immediate);
      if (r.ok() && out) *out = *r;
      return r.status();
    });
  };
  EXPECT_REFUSED(step("escalate", "x"), Code::kInvalidArgument, "to: must be");
  EXPECT_REFUSED(step("finding", "x"), Code::kInvalidArgument, "to: must be");
  EXPECT_REFUSED(step("explanation", "x", kNow), Code::kInvalidArgument, "deadline");
  EXPECT_REFUSED(step("explanation", ""), Code::kInvalidArgument, "reason");
  ASSERT_TRUE(step("explanation", "explain", kNow + Days(14)).ok());
  EXPECT_EQ(Read()->GetCase(id).value()->steps.back().deadline, kNow + Days(14));
  EXPECT_REFUSED(step("explanation", "again"), Code::kFailedPrecondition, "");
  EXPECT_REFUSED(step("termination", "skip"), Code::kFailedPrecondition, "");
  ASSERT_TRUE(step("notice", "no answer").ok());
  CaseStepResult suspended;
  ASSERT_TRUE(step("suspension", "still no answer", {}, false, &suspended).ok());
  EXPECT_EQ(suspended.participant, "risky-dva");
  EXPECT_EQ(Get("risky-dva").status, Lifecycle::kSuspended);
  CaseStepResult terminated;
  ASSERT_TRUE(step("termination", "exclusion", {}, false, &terminated).ok());
  EXPECT_EQ(terminated.termination_request, "term-1");
  EXPECT_EQ(Read()->GetTerminationRequest("term-1").value()->case_id, id);
  EXPECT_REFUSED(Do([](auto& t, auto& a) {
                   return StepCase(t, a, "case-9", "notice", "x", {}, false).status();
                 }),
                 Code::kNotFound, "case-9");
  EXPECT_REFUSED(
      Do([](auto& t, auto& a) { return OpenCase(t, a, "risky-dva", "Bad Type", "x").status(); }),
      Code::kInvalidArgument, "type");
}

TEST_F(OpsTest, ImmediateStepsAndClosing) {
  GoodStanding("leaky-pgo", {"dvp"});
  ASSERT_TRUE(Do([](auto& t, auto& a) {
                return OpenCase(t, a, "leaky-pgo", "security", "rce").status();
              }).ok());
  EXPECT_REFUSED(Do([](auto& t, auto& a) {
                   return StepCase(t, a, "case-1", "suspension", "x", {}, false).status();
                 }),
                 Code::kFailedPrecondition, "");
  ASSERT_TRUE(Do([](auto& t, auto& a) {
                return StepCase(t, a, "case-1", "suspension", "network safety", {}, true).status();
              }).ok());
  EXPECT_EQ(Get("leaky-pgo").status, Lifecycle::kSuspended);
  EXPECT_REFUSED(Do([](auto& t, auto& a) { return CloseCase(t, a, "case-1", ""); }),
                 Code::kInvalidArgument, "reason");
  ASSERT_TRUE(Do([](auto& t, auto& a) { return CloseCase(t, a, "case-1", "patched"); }).ok());
  EXPECT_FALSE(Read()->GetCase("case-1").value()->IsOpen());
  EXPECT_REFUSED(Do([](auto& t, auto& a) { return CloseCase(t, a, "case-1", "again"); }),
                 Code::kFailedPrecondition, "");
  EXPECT_REFUSED(Do([](auto& t, auto& a) {
                   return StepCase(t, a, "case-1", "termination", "x", {}, true).status();
                 }),
                 Code::kFailedPrecondition, "");
  EXPECT_REFUSED(Do([](auto& t, auto& a) { return CloseCase(t, a, "case-7", "x"); }),
                 Code::kNotFound, "case-7");
}

// ---- History and explain (participant history|explain and the auditor endpoints).

TEST_F(OpsTest, HistorySelectsTheParticipantsEventsAndExplainMatchesTheStateThen) {
  GoodStanding("hist-dva", {"dva"});   // events 1-5
  GoodStanding("other-dva", {"dva"});  // events 6-10
  ASSERT_TRUE(Do([](auto& t, auto& a) {
                return AddNode(t, a, "hist-dva", "api.hist.example");
              }).ok());  // 11
  ASSERT_TRUE(Do([](auto& t, auto& a) {
                return AddNode(t, a, "other-dva", "api.other.example");
              }).ok());  // 12
  ASSERT_TRUE(Do([](auto& t, auto& a) {
                return OpenCase(t, a, "hist-dva", "incident", "late report").status();
              }).ok());  // 13
  const Time before = now_;
  now_ = kNow + Days(1);
  ASSERT_TRUE(Do([](auto& t, auto& a) { return Suspend(t, a, "hist-dva", "review"); }).ok());  // 14

  // Its own record, and records that name it as "participant" (nodes, cases) or "dva".
  std::vector<uint64_t> mine;
  EXPECT_TRUE(Read()
                  ->ForEachEvent(1,
                                 [&](const store::JournalEvent& e) {
                                   if (EventTouchesParticipant(e, "hist-dva"))
                                     mine.push_back(e.seq);
                                   return true;
                                 })
                  .ok());
  EXPECT_EQ(mine, (std::vector<uint64_t>{1, 2, 3, 4, 5, 11, 13, 14}));
  // Or the event's subject, exactly.
  store::JournalEvent bare;
  bare.meta.subject = "participant:hist-dva";
  EXPECT_TRUE(EventTouchesParticipant(bare, "hist-dva"));
  EXPECT_FALSE(EventTouchesParticipant(bare, "hist"));
  EXPECT_FALSE(EventTouchesParticipant(bare, "hist-dva2"));

  // As recorded before the suspension: active, in good standing, on the Whitelist with its node.
  auto then = store_->StateAt(before);
  ASSERT_TRUE(then.ok()) << then.status().message();
  auto e = ExplainInState(*then, "hist-dva", before);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->participant.status, Lifecycle::kActive);
  EXPECT_TRUE(e->standing.good);
  nlohmann::json doc = ToJson(*e);
  EXPECT_EQ(doc["participant"], "hist-dva");
  EXPECT_EQ(doc["at"], FormatTime(before));
  EXPECT_EQ(doc["status"], "active");
  auto on = [](const nlohmann::json& d, const char* list) {
    for (const auto& l : d["lists"]) {
      if (l["list"] == list) return l["on"].get<bool>();
    }
    ADD_FAILURE() << list << " not explained: " << d.dump();
    return false;
  };
  EXPECT_TRUE(on(doc, "whitelist")) << doc.dump();

  // Now: suspended, on no list, with the reason; the current records and the replayed state
  // answer alike.
  const Explanation current = Explain(*Read(), Get("hist-dva"), now_).value();
  EXPECT_FALSE(current.standing.good);
  doc = ToJson(current);
  EXPECT_EQ(doc["status"], "suspended");
  EXPECT_FALSE(doc["standing_reasons"].empty());
  EXPECT_FALSE(on(doc, "whitelist")) << doc.dump();
  for (const auto& l : doc["lists"]) EXPECT_EQ(l["on"], false) << l.dump();
  auto replayed = store_->StateAt(now_);
  ASSERT_TRUE(replayed.ok());
  EXPECT_EQ(ToJson(*ExplainInState(*replayed, "hist-dva", now_)), doc);

  // Not there: unknown, or before it was enrolled.
  EXPECT_FALSE(ExplainInState(*replayed, "nobody-here", now_));
  auto earlier = store_->StateAt(kNow - Days(1));
  ASSERT_TRUE(earlier.ok());
  EXPECT_FALSE(ExplainInState(*earlier, "hist-dva", kNow - Days(1)));
}

}  // namespace
}  // namespace medmij::ops
