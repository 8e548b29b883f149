// medmij-admin end to end: lifecycle, two-person termination, explain, cases, history, due,
// journal, check and backup, against a real LMDB data dir.
#include <sys/stat.h>

#include <thread>

#include "tests/integration/cli/cli_fixture.h"
#include "tests/support/sha256.h"

namespace medmij::testing {
namespace {

using nlohmann::json;

TEST_F(CliTest, InitIsIdempotentAndCommandsNeedAnInitialisedDir) {
  EXPECT_EQ(Admin({"init"}).exit_code, 0);
  auto r = RunProcess({Binary("admin-cli/medmij-admin").string(), "--data-dir",
                       (dir_ / "nowhere").string(), "participant", "list"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("init"), std::string::npos) << r.err;
  EXPECT_EQ(Lines(r.err).size(), 1u) << r.err;
}

TEST_F(CliTest, LifecycleFromCandidateToTerminated) {
  Ok({"participant", "enrol", "acme-pgo", "--name", "Acme PGO B.V.", "--kvk", "12345678", "--role",
      "dvp", "--email", "ops@acme.example"});
  auto shown = Json({"participant", "show", "acme-pgo"});
  EXPECT_EQ(shown["status"], "candidate");

  // activate needs a current certificate and a conform audit statement.
  auto r = Admin({"participant", "activate", "acme-pgo"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("certificate"), std::string::npos) << r.err;

  Ok({"cert", "add", "acme-pgo", "--number", "C-1", "--body", "Certifier BV", "--valid-from",
      Date(-30), "--valid-until", Date(300), "--accredited", "--registered"});
  r = Admin({"participant", "activate", "acme-pgo"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("audit"), std::string::npos) << r.err;
  Ok({"audit-statement", "add", "acme-pgo", "--date", Date(-5), "--auditor", "Audit BV",
      "--outcome", "conform"});
  Ok({"participant", "activate", "acme-pgo"});
  EXPECT_EQ(Json({"participant", "show", "acme-pgo"})["status"], "active");

  // active -> active, active -> reinstate: refused.
  EXPECT_EQ(Admin({"participant", "activate", "acme-pgo"}).exit_code, 3);
  EXPECT_EQ(Admin({"participant", "reinstate", "acme-pgo", "--reason", "x"}).exit_code, 3);

  Ok({"participant", "suspend", "acme-pgo", "--reason", "certificate scope unclear"});
  EXPECT_EQ(Json({"participant", "show", "acme-pgo"})["status"], "suspended");
  EXPECT_EQ(Admin({"participant", "activate", "acme-pgo"}).exit_code, 3);
  Ok({"participant", "reinstate", "acme-pgo", "--reason", "scope clarified"});

  // Two-person termination.
  auto requested = Json({"participant", "terminate", "acme-pgo", "--reason", "contract ended"});
  std::string request = requested["request_id"];
  EXPECT_FALSE(request.empty());
  r = Admin({"participant", "approve", request}, "alice");
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("different operator"), std::string::npos) << r.err;
  EXPECT_EQ(Json({"participant", "show", "acme-pgo"})["status"], "active");
  Ok({"participant", "approve", request}, "bob");
  EXPECT_EQ(Json({"participant", "show", "acme-pgo"})["status"], "terminated");
  EXPECT_EQ(Admin({"participant", "approve", request}, "carol").exit_code, 3);

  // Terminated is final (every refused operation: tests/unit/ops/ops_test.cc); a refusal is one
  // line, exit 3, and changes nothing.
  for (auto args : std::vector<std::vector<std::string>>{
           {"participant", "reinstate", "acme-pgo", "--reason", "please"},
           {"node", "add", "acme-pgo", "pgo.acme.example"}}) {
    std::string before = Journal();
    auto refused = Admin(args);
    EXPECT_EQ(refused.exit_code, 3) << Join(args) << refused.err;
    EXPECT_EQ(Lines(refused.err).size(), 1u) << refused.err;
    EXPECT_EQ(Journal(), before) << Join(args);
  }
  EXPECT_EQ(Ok({"journal", "verify"}).find("journal intact"), 0u);
  Ok({"check"});
}

TEST_F(CliTest, ExitCodesForUsageNotFoundAndRefusal) {
  EXPECT_EQ(Admin({"participant", "show", "no-such"}).exit_code, 4);
  EXPECT_EQ(Admin({"participant", "frobnicate"}).exit_code, 2);
  EXPECT_EQ(Admin({"participant", "enrol", "x-y-z"}).exit_code, 2);  // missing options
  EXPECT_EQ(Admin({"case", "show", "case-99"}).exit_code, 4);
  EXPECT_EQ(Admin({"participant", "approve", "term-42"}).exit_code, 4);
  Ok({"participant", "enrol", "dup-org", "--name", "Dup", "--kvk", "12345678", "--role", "dva"});
  auto dup = Admin(
      {"participant", "enrol", "dup-org", "--name", "Dup", "--kvk", "12345678", "--role", "dva"});
  EXPECT_EQ(dup.exit_code, 3);
  EXPECT_NE(dup.err.find("already"), std::string::npos);
  auto j = Admin({"--json", "participant", "show", "nobody"});
  EXPECT_EQ(j.exit_code, 4);
  EXPECT_EQ(json::parse(j.out)["ok"], false);
}

TEST_F(CliTest, ExplainNamesEveryReasonAndTheListsItIsOn) {
  GoodStanding("zorg-dva", {"dva"});
  Ok({"service", "add", "4", "--name", "Laboratoriumresultaten"});
  Ok({"node", "add", "zorg-dva", "medmij.zorg.example"});
  Ok({"qualification", "add", "zorg-dva", "--service", "4"});
  Ok({"provider", "add", "umcharderwijk@medmij", "--dva", "zorg-dva"});
  Ok({"provider", "service", "add", "umcharderwijk@medmij", "--service", "4", "--authorization-uri",
      "https://medmij.zorg.example/oauth/authorize", "--token-uri",
      "https://medmij.zorg.example:8443/oauth/token", "--role",
      "LAB-1.0.0-LRB-FHIR=https://medmij.zorg.example/fhir"});
  auto ex = Json({"participant", "explain", "zorg-dva"});
  EXPECT_TRUE(ex["good_standing"]);
  std::map<std::string, bool> on;
  for (const auto& l : ex["lists"]) on[l["list"]] = l["on"];
  EXPECT_TRUE(on["whitelist"]);
  EXPECT_TRUE(on["zorgaanbiederslijst"]);
  EXPECT_FALSE(on["oauthclientlist"]);

  Ok({"label", "withdraw", "zorg-dva", "--reason", "label review"});
  Ok({"participant", "suspend", "zorg-dva", "--reason", "incident"});
  ex = Json({"participant", "explain", "zorg-dva"});
  EXPECT_FALSE(ex["good_standing"]);
  std::string reasons = ex["standing_reasons"].dump();
  EXPECT_NE(reasons.find("suspended"), std::string::npos) << reasons;
  EXPECT_NE(reasons.find("label"), std::string::npos) << reasons;
  for (const auto& l : ex["lists"]) EXPECT_FALSE(l["on"]) << l.dump();
  std::string text = Ok({"participant", "explain", "zorg-dva"});
  EXPECT_NE(text.find("not on whitelist"), std::string::npos) << text;
}

// The network and provider commands pass their arguments to the operations and print what they
// did; the cross-checks themselves (roles, uniqueness, back-channel hosts, transfers) are
// tested in process (tests/unit/ops/ops_test.cc). One refusal shows the CLI's side of them.
TEST_F(CliTest, NetworkAndProviderCommandsMapTheirArguments) {
  GoodStanding("dva-one", {"dva"});
  GoodStanding("dva-two", {"dva"});
  GoodStanding("pgo-one", {"dvp"});
  GoodStanding("pgo-two", {"dvp"});
  Ok({"service", "add", "1", "--name", "Basisgegevens Zorg"});
  EXPECT_EQ(Json({"service", "list"}).size(), 1u);
  Ok({"node", "add", "dva-one", "api.one.example"});
  Ok({"node", "add", "dva-two", "api.two.example"});
  EXPECT_EQ(Json({"node", "list", "dva-one"})[0]["hostname"], "api.one.example");
  Ok({"provider", "add", "ziekenhuis@medmij", "--dva", "dva-one", "--type", "BAZB", "--identifier",
      "agb=01234567"});
  Ok({"provider", "service", "add", "ziekenhuis@medmij", "--service", "1", "--authorization-uri",
      "https://front.one.example/authorize", "--token-uri", "https://api.one.example/token",
      "--role", "MM-1.0.0-BZB-FHIR=https://api.one.example/fhir"});
  json provider = Json({"provider", "show", "ziekenhuis@medmij"});
  EXPECT_EQ(provider["dva"], "dva-one");
  EXPECT_EQ(provider["type"], "BAZB");
  EXPECT_EQ(provider["identifiers"]["agb"], "01234567");
  EXPECT_EQ(provider["services"]["1"]["roles"][0]["code"], "MM-1.0.0-BZB-FHIR");
  EXPECT_EQ(provider["services"]["1"]["roles"][0]["resource_uri"], "https://api.one.example/fhir");
  // A cross-check refusal: exit 3, one line naming what is in the way, nothing changed.
  const std::string before = Journal();
  auto r = Admin({"node", "remove", "dva-one", "api.one.example"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_EQ(Lines(r.err).size(), 1u) << r.err;
  EXPECT_NE(r.err.find("ziekenhuis@medmij"), std::string::npos) << r.err;
  EXPECT_EQ(Journal(), before);
  Ok({"provider", "service", "remove", "ziekenhuis@medmij", "--service", "1"});
  Ok({"provider", "transfer", "ziekenhuis@medmij", "--to", "dva-two", "--reason", "moved"});
  EXPECT_EQ(Json({"provider", "list", "--dva", "dva-two"}).size(), 1u);
  Ok({"provider", "remove", "ziekenhuis@medmij", "--reason", "closed"});
  Ok({"node", "remove", "dva-one", "api.one.example"});
  Ok({"oauth-client", "add", "pgo-one", "client.pgo.example", "--org-name", "PGO One"});
  Ok({"oauth-client", "transfer", "client.pgo.example", "--to", "pgo-two", "--reason", "merger"});
  EXPECT_EQ(Json({"oauth-client", "list", "pgo-two"}).size(), 1u);
  Ok({"oauth-client", "remove", "pgo-two", "client.pgo.example"});
  EXPECT_EQ(Json({"oauth-client", "list", "pgo-two"}).size(), 0u);
  Ok({"check"});
}

// The case commands map --to, --deadline and --immediate and print the ids they made; the
// step rules are tested in process (tests/unit/ops/ops_test.cc).
TEST_F(CliTest, ComplianceCaseCommandsMapTheirArguments) {
  GoodStanding("risky-dva", {"dva"});
  auto opened =
      Json({"case", "open", "risky-dva", "--type", "incident", "--finding", "data leak reported"});
  std::string id = opened["case_id"];
  EXPECT_EQ(id, "case-1");
  const std::string deadline = Date(14) + "T12:00:00.000Z";
  Ok({"case", "step", id, "--to", "explanation", "--reason", "explain the leak", "--deadline",
      deadline});
  json shown = Json({"case", "show", id});
  ASSERT_EQ(shown["steps"].size(), 2u);
  EXPECT_EQ(shown["steps"][1]["step"], "explanation");
  EXPECT_EQ(shown["steps"][1]["deadline"], deadline);
  auto skip = Admin({"case", "step", id, "--to", "termination", "--reason", "skip"});
  EXPECT_EQ(skip.exit_code, 3);
  EXPECT_EQ(Lines(skip.err).size(), 1u) << skip.err;
  auto stepped = Json(
      {"case", "step", id, "--to", "termination", "--reason", "network safety", "--immediate"});
  std::string request = stepped["request_id"];
  EXPECT_EQ(request, "term-1");
  Ok({"participant", "approve", request}, "bob");
  EXPECT_EQ(Json({"participant", "show", "risky-dva"})["status"], "terminated");
  EXPECT_TRUE(Json({"case", "show", id}).contains("closed"));
  EXPECT_EQ(Json({"case", "list", "--open"}).size(), 0u);
  EXPECT_EQ(Json({"case", "list"}).size(), 1u);
}

TEST_F(CliTest, HistoryAtShowsTheStateAsRecordedThen) {
  GoodStanding("time-pgo", {"dvp"});
  // The suspension runs an hour from now (MEDMIJ_TEST_NOW): the instants around it are apart
  // from it without waiting.
  const Time now = WallClockNow();
  auto r = Admin({"participant", "suspend", "time-pgo", "--reason", "audit"}, "alice", "",
                 FormatTime(now + std::chrono::hours(1)));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto then = Json({"participant", "history", "time-pgo", "--at", FormatTime(now)});
  EXPECT_EQ(then["status"], "active");
  EXPECT_TRUE(then["good_standing"]);
  auto later =
      Json({"participant", "history", "time-pgo", "--at", FormatTime(now + std::chrono::hours(2))});
  EXPECT_EQ(later["status"], "suspended");
  auto events = Json({"participant", "history", "time-pgo"});
  ASSERT_GE(events.size(), 6u);
  EXPECT_EQ(events.back()["command"], "participant suspend");
  EXPECT_EQ(events.back()["operator"], "alice");
  EXPECT_EQ(events.back()["reason"], "audit");
  EXPECT_EQ(Admin({"participant", "history", "time-pgo", "--at", "2001-01-01"}).exit_code, 4);
}

TEST_F(CliTest, DueListsEvidenceAboutToLapse) {
  Ok({"participant", "enrol", "soon-dva", "--name", "Soon", "--kvk", "12345678", "--role", "dva"});
  Ok({"cert", "add", "soon-dva", "--number", "S-1", "--body", "Certifier BV", "--valid-from",
      Date(-300), "--valid-until", Date(10), "--accredited", "--registered"});
  Ok({"audit-statement", "add", "soon-dva", "--date", Date(-360), "--auditor", "Audit BV",
      "--outcome", "conform"});
  GoodStanding("fine-dva", {"dva"});
  auto due = Json({"due", "--within", "30"});
  std::set<std::string> kinds;
  for (const auto& d : due) {
    EXPECT_EQ(d["participant"], "soon-dva") << d.dump();
    kinds.insert(d["kind"]);
  }
  EXPECT_EQ(kinds, (std::set<std::string>{"certificate", "audit-statement"}));
  EXPECT_EQ(Json({"due", "--within", "3"}).size(), 0u);
}

TEST_F(CliTest, BackupIsPrivateConsistentAndOpensAsADataDir) {
  GoodStanding("kept-pgo", {"dvp"});
  std::string file = (dir_ / "backup.mdb").string();
  Ok({"backup", "--to", file});
  struct stat st {};
  ASSERT_EQ(stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(Admin({"backup", "--to", file}).exit_code, 3);  // never overwrites
  Ok({"participant", "suspend", "kept-pgo", "--reason", "after the backup"});
  auto r = RunProcess({Binary("admin-cli/medmij-admin").string(), "--json", "--data-dir", file,
                       "participant", "show", "kept-pgo"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["status"], "active");
  r = RunProcess({Binary("admin-cli/medmij-admin").string(), "--data-dir", file, "check"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST_F(CliTest, JournalExportIsAHashChainAnAuditorCanRecompute) {
  GoodStanding("chain-pgo", {"dvp"});
  auto lines = Lines(Journal());
  ASSERT_EQ(lines.size(), 5u);
  std::string prev(64, '0');
  for (size_t i = 0; i < lines.size(); ++i) {
    auto e = json::parse(lines[i]);
    EXPECT_EQ(e["seq"], i + 1);
    EXPECT_EQ(e["prev_hash"], prev);
    EXPECT_EQ(e["meta"]["operator"], "alice");
    EXPECT_FALSE(e["changes"].empty());
    // hash = SHA-256(prev_hash || the exported line, which is the stored bytes), recomputed
    // independently; the event holds no hash of its own.
    EXPECT_FALSE(e.contains("hash"));
    prev = Sha256Hex(prev + lines[i]);
  }
  auto last = json::parse(lines.back());
  EXPECT_EQ(last["meta"]["command"], "participant activate");
  EXPECT_EQ(last["changes"][0]["before"]["status"], "candidate");
  EXPECT_EQ(last["changes"][0]["after"]["status"], "active");
}

}  // namespace
}  // namespace medmij::testing
