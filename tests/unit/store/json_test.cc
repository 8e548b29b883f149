// The domain JSON codec: exact round trips for every type, canonical bytes, strict decoding.
#include "registry/domain/json.h"

#include <gtest/gtest.h>

#include <string>

namespace medmij {
namespace {

using nlohmann::json;

Time T(const char* s) {
  return *ParseTime(s, "t");
}

Provenance Prov(const char* at, const char* by, const char* reason = "") {
  return Provenance{T(at), by, reason};
}

Participant FullParticipant() {
  Participant p;
  p.id = "acme-pgo";
  p.legal_name = "Acme PGO B.V. — Zürich \"quoted\"";
  p.kvk = "12345678";
  p.email = "ops@acme.example";
  p.roles = {Role::kDvp, Role::kDva};
  p.status = Lifecycle::kSuspended;
  p.enrolled = Prov("2026-01-02T03:04:05.678Z", "alice", "new participant");
  p.status_history = {
      {Lifecycle::kCandidate, Lifecycle::kActive, Prov("2026-02-01T00:00:00.001Z", "bob", "ok")},
      {Lifecycle::kActive, Lifecycle::kSuspended, Prov("2026-03-01T00:00:00Z", "carol", "x")}};
  p.certificates = {{"NEN-1", "Body", true, false, T("2026-01-01"), T("2029-01-01"), "all",
                     Prov("2026-01-03T00:00:00Z", "alice")}};
  p.audit_statements = {{T("2026-01-05"), "Auditor & Co", AuditOutcome::kConform, true,
                         Prov("2026-01-06T00:00:00Z", "alice")},
                        {T("2026-02-05"), "Other", AuditOutcome::kNonconform, false,
                         Prov("2026-02-06T00:00:00Z", "bob", "redo")}};
  p.qualifications = {{"49", true, Prov("2026-01-07T00:00:00Z", "alice")},
                      {"48", false, Prov("2026-01-08T00:00:00Z", "alice", "withdrawn")}};
  p.labels = {{true, Prov("2026-01-09T00:00:00Z", "alice")}};
  return p;
}

Provider FullProvider() {
  Provider p;
  p.name = "umcharderwijk@medmij";
  p.dva = "dva-one";
  p.type = ProviderType::kBazb;
  p.identifiers = {{"agb", "01234567"}, {"ura", "87654321"}};
  ProviderService s;
  s.service_id = "4";
  s.authorization_uri = "https://auth.example/a";
  s.token_uri = "https://token.example:8443/t";
  s.roles = {{"LAB-1.0-LRQ-FHIR", "https://res.example/lab"}, {"X", "https://res.example/x"}};
  s.interface_versions = {"1.0", "2.0"};
  s.subscription = Subscription{365, "https://sub.example/s"};
  p.services["4"] = s;
  ProviderService s2 = s;
  s2.service_id = "48";
  s2.subscription.reset();
  s2.interface_versions.clear();
  p.services["48"] = s2;
  p.added = Prov("2026-04-01T12:00:00.999Z", "dave");
  return p;
}

template <typename T>
void ExpectRoundTrip(const T& v) {
  json j = v;
  std::string text = j.dump();
  T back = json::parse(text).get<T>();
  EXPECT_EQ(back, v) << text;
  // Canonical: re-encoding the decoded value gives the same bytes.
  EXPECT_EQ(json(back).dump(), text);
}

TEST(JsonCodecTest, RoundTripsEveryType) {
  Participant p = FullParticipant();
  ExpectRoundTrip(p);
  ExpectRoundTrip(Participant{});
  ExpectRoundTrip(p.enrolled);
  ExpectRoundTrip(p.certificates[0]);
  ExpectRoundTrip(p.audit_statements[1]);
  ExpectRoundTrip(p.qualifications[1]);
  ExpectRoundTrip(p.labels[0]);
  ExpectRoundTrip(p.status_history[1]);
  ExpectRoundTrip(Node{"node.acme.example", "acme-pgo", Prov("2026-01-01T00:00:00Z", "a", "r")});
  ExpectRoundTrip(
      OAuthClient{"pgo.acme.example", "acme-pgo", "Acme PGO", Prov("2026-01-01T00:00:00Z", "a")});
  ExpectRoundTrip(DataService{"49", "Medicatie", Prov("2026-01-01T00:00:00Z", "a")});
  ExpectRoundTrip(SystemRole{"CODE", "https://x.example/y"});
  ExpectRoundTrip(Subscription{30, "https://x.example/s"});
  Provider prov = FullProvider();
  ExpectRoundTrip(prov);
  ExpectRoundTrip(prov.services.at("4"));
  ExpectRoundTrip(prov.services.at("48"));
  CaseStepRecord step{CaseStep::kNotice, Prov("2026-05-01T00:00:00Z", "e", "late"),
                      T("2026-06-01T00:00:00.250Z")};
  ExpectRoundTrip(step);
  ExpectRoundTrip(CaseStepRecord{CaseStep::kFinding, Prov("2026-05-01T00:00:00Z", "e"), {}});
  ComplianceCase c{"case-1", "acme-pgo", "incident", "leak", {step}, std::nullopt};
  ExpectRoundTrip(c);
  c.closed = Prov("2026-07-01T00:00:00Z", "f", "resolved");
  ExpectRoundTrip(c);
  TerminationRequest r{"term-1", "acme-pgo", "", Prov("2026-01-01T00:00:00Z", "a", "why"), {}};
  ExpectRoundTrip(r);
  r.approved = Prov("2026-01-02T00:00:00Z", "b", "agreed");
  r.case_id = "case-1";
  ExpectRoundTrip(r);
  for (ListKind k : kAllLists) EXPECT_EQ(json(k).get<ListKind>(), k);
  for (CaseStep s : {CaseStep::kFinding, CaseStep::kExplanation, CaseStep::kNotice,
                     CaseStep::kSuspension, CaseStep::kTermination}) {
    EXPECT_EQ(json(s).get<CaseStep>(), s);
  }
}

TEST(JsonCodecTest, PublicFieldNamesAndForms) {
  json j = FullParticipant();
  EXPECT_EQ(j["roles"], json::array({"dvp", "dva"}));
  EXPECT_EQ(j["status"], "suspended");
  EXPECT_EQ(j["enrolled"]["at"], "2026-01-02T03:04:05.678Z");
  EXPECT_EQ(j["audit_statements"][0]["outcome"], "conform");
  EXPECT_EQ(j["status_history"][0]["to"], "active");
  json pj = FullProvider();
  EXPECT_EQ(pj["type"], "BAZB");
  EXPECT_EQ(pj["services"]["4"]["subscription"]["max_days"], 365);
  EXPECT_FALSE(pj["services"]["48"].contains("subscription"));  // optional omitted
  json cj = ComplianceCase{"case-1", "p", "t", "f", {}, std::nullopt};
  EXPECT_FALSE(cj.contains("closed"));
  EXPECT_EQ(cj["steps"], json::array());
  // Keys are sorted in the dump: canonical bytes.
  EXPECT_EQ(json(Provenance{T("2026-01-01"), "op", "why"}).dump(),
            R"({"at":"2026-01-01T00:00:00.000Z","by":"op","reason":"why"})");
  EXPECT_EQ(TimeToJson(T("2026-11-22T10:00:00.5Z")), "2026-11-22T10:00:00.500Z");
}

std::string DecodeError(const json& j) {
  auto r = DecodeJson<Participant>(j, "participant");
  EXPECT_FALSE(r.ok());
  return r.status().message();
}

TEST(JsonCodecTest, RefusesWrongTypesUnknownEnumsAndFields) {
  json good = FullParticipant();
  ASSERT_TRUE(DecodeJson<Participant>(good, "participant").ok());

  json j = good;
  j["kvk"] = 12345678;
  EXPECT_EQ(DecodeError(j), "participant: kvk: expected a string, got number");

  j = good;
  j["status"] = "retired";
  EXPECT_EQ(DecodeError(j),
            "participant: status: unknown status 'retired' (expected candidate, active, "
            "suspended or terminated)");

  j = good;
  j["roles"] = json::array({"dvp", "pgo"});
  EXPECT_EQ(DecodeError(j), "participant: roles[1]: unknown role 'pgo' (expected dvp or dva)");

  j = good;
  j["certificates"][0]["valid_from"] = "2026-13-01";
  EXPECT_NE(DecodeError(j).find("participant: certificates[0].valid_from: '2026-13-01' is not an "
                                "ISO 8601"),
            std::string::npos);

  j = good;
  j["legal_nmae"] = "typo";
  EXPECT_EQ(DecodeError(j), "participant: legal_nmae: unknown field");

  j = good;
  j.erase("id");
  EXPECT_EQ(DecodeError(j), "participant: id: missing");

  j = good;
  j["audit_statements"][1]["pentest"] = "yes";
  EXPECT_EQ(DecodeError(j),
            "participant: audit_statements[1].pentest: expected true or false, got string");

  EXPECT_EQ(DecodeError(json::array()), "participant: expected an object, got array");

  j = good;
  j["roles"] = json::array({"dvp", "dvp"});
  EXPECT_EQ(DecodeError(j), "participant: roles[1]: duplicate value \"dvp\"");

  // The exception is a nlohmann::json::exception, so generic handlers catch it.
  j = good;
  j["email"] = nullptr;
  EXPECT_THROW(j.get<Participant>(), nlohmann::json::exception);
  try {
    j.get<Participant>();
  } catch (const JsonDecodeError& e) {
    EXPECT_EQ(e.path(), "email");
    EXPECT_STREQ(e.what(), "email: expected a string, got null");
  }
}

TEST(JsonCodecTest, ContainersAndOptionalsMayBeOmittedButNotScalars) {
  json minimal = {
      {"id", "acme-pgo"},      {"legal_name", "Acme"},
      {"kvk", "12345678"},     {"email", "a@b.nl"},
      {"status", "candidate"}, {"enrolled", {{"at", "2026-01-01"}, {"by", "op"}, {"reason", ""}}}};
  auto p = DecodeJson<Participant>(minimal, "p");
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_TRUE(p->roles.empty());
  EXPECT_EQ(FormatTime(p->enrolled.at), "2026-01-01T00:00:00.000Z");

  json prov = FullProvider();
  prov["services"]["4"].erase("service_id");  // taken from the key
  auto decoded = DecodeJson<Provider>(prov, "provider");
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  EXPECT_EQ(*decoded, FullProvider());
  prov["services"]["4"]["service_id"] = "5";
  EXPECT_EQ(DecodeJson<Provider>(prov, "provider").status().message(),
            "provider: services[4].service_id: '5' does not match its key '4'");
  prov = FullProvider();
  prov["services"]["48"]["token_uri"] = json::array();
  EXPECT_EQ(DecodeJson<Provider>(prov, "provider").status().message(),
            "provider: services[48].token_uri: expected a string, got array");
  prov = FullProvider();
  prov["type"] = "za";
  EXPECT_EQ(DecodeJson<Provider>(prov, "provider").status().message(),
            "provider: type: unknown provider type 'za' (expected ZA or BAZB)");

  json step = {
      {"step", "notice"}, {"recorded", json(Prov("2026-01-01T00:00:00Z", "a"))}, {"deadline", 5}};
  EXPECT_EQ(DecodeJson<CaseStepRecord>(step, "step").status().message(),
            "step: deadline: expected an ISO 8601 time string, got number");
}

TEST(JsonCodecTest, TimeFromJson) {
  auto t = TimeFromJson(json("2026-11-22T11:00:00.123+01:00"));
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(FormatTime(*t), "2026-11-22T10:00:00.123Z");
  auto bad = TimeFromJson(json("2026-11-22T10:00"), "valid_until");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message().rfind("valid_until: '2026-11-22T10:00' is not", 0), 0u)
      << bad.status().message();
}

// What the encoder writes, the decoder reads back: at both edges of the supported range; one
// millisecond outside it neither is encoded (the store refuses the record) nor decodes.
TEST(JsonCodecTest, TimesAtTheEdgesOfTheRangeRoundTripAndNoneOutsideIsEncoded) {
  Participant p = FullParticipant();
  p.enrolled.at = kEarliestTime;
  p.certificates[0].valid_from = kEarliestTime;
  p.certificates[0].valid_until = kLatestTime;
  p.audit_statements[0].date = kLatestTime;
  ExpectRoundTrip(p);
  EXPECT_EQ(json(p)["certificates"][0]["valid_until"], "9999-12-31T23:59:59.999Z");
  EXPECT_EQ(json(p)["certificates"][0]["valid_from"], "1970-01-01T00:00:00.000Z");
  CaseStepRecord step{CaseStep::kNotice, Prov("2026-01-01T00:00:00Z", "a"), kLatestTime};
  ExpectRoundTrip(step);

  p.certificates[0].valid_until = kLatestTime + Millis(1);
  try {
    json j = p;
    ADD_FAILURE() << "encoded " << j.dump();
  } catch (const JsonEncodeError& e) {
    EXPECT_EQ(std::string(e.what()),
              "valid_until: 10000-01-01T00:00:00.000Z is outside the supported range "
              "1970-01-01T00:00:00Z to 9999-12-31T23:59:59Z, inclusive");
  }
  step.deadline = kEarliestTime - Millis(1);
  EXPECT_THROW(json(step).dump(), JsonEncodeError);
  step.deadline.reset();
  step.recorded.at = kLatestTime + Days(1);
  EXPECT_THROW(json(step).dump(), JsonEncodeError);

  for (const char* outside : {"10000-01-01T00:00:00.000Z", "1969-12-31T23:59:59.999Z",
                              "9999-12-31T23:00:00-05:00", "0001-01-01T00:00:00.000Z"}) {
    auto t = TimeFromJson(json(outside), "valid_until");
    ASSERT_FALSE(t.ok()) << outside;
    EXPECT_NE(t.status().message().find("valid_until: '" + std::string(outside) +
                                        "' is outside the supported range"),
              std::string::npos)
        << t.status().message();
  }
}

}  // namespace
}  // namespace medmij
