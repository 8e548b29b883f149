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

  // Terminated is final.
  for (auto args : std::vector<std::vector<std::string>>{
           {"participant", "reinstate", "acme-pgo", "--reason", "please"},
           {"participant", "activate", "acme-pgo"},
           {"participant", "suspend", "acme-pgo", "--reason", "x"},
           {"participant", "terminate", "acme-pgo", "--reason", "again"},
           {"label", "grant", "acme-pgo"},
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

TEST_F(CliTest, ProviderCrossChecks) {
  GoodStanding("dva-one", {"dva"});
  GoodStanding("dva-two", {"dva"});
  GoodStanding("pgo-one", {"dvp"});
  Ok({"service", "add", "1", "--name", "Basisgegevens Zorg"});
  Ok({"node", "add", "dva-one", "api.one.example"});
  Ok({"provider", "add", "ziekenhuis@medmij", "--dva", "dva-one", "--type", "BAZB"});
  // Providers only for DVAs; OAuth clients only for DVPs.
  EXPECT_EQ(Admin({"provider", "add", "huisarts@medmij", "--dva", "pgo-one"}).exit_code, 3);
  EXPECT_EQ(Admin({"oauth-client", "add", "dva-one", "client.one.example", "--org-name", "One"})
                .exit_code,
            3);
  Ok({"oauth-client", "add", "pgo-one", "client.pgo.example", "--org-name", "PGO One"});
  // Hostname unique network-wide.
  GoodStanding("pgo-two", {"dvp"});
  EXPECT_EQ(Admin({"oauth-client", "add", "pgo-two", "client.pgo.example", "--org-name", "Two"})
                .exit_code,
            3);
  // Back-channel host must be a node of the serving DVA.
  auto r = Admin({"provider", "service", "add", "ziekenhuis@medmij", "--service", "1",
                  "--authorization-uri", "https://front.one.example/authorize", "--token-uri",
                  "https://api.elsewhere.example/token", "--role",
                  "MM-1.0.0-BZB-FHIR=https://api.one.example/fhir"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("api.elsewhere.example"), std::string::npos) << r.err;
  // Unknown data service.
  r = Admin({"provider", "service", "add", "ziekenhuis@medmij", "--service", "99",
             "--authorization-uri", "https://front.one.example/authorize", "--token-uri",
             "https://api.one.example/token", "--role", "X=https://api.one.example/fhir"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  Ok({"provider", "service", "add", "ziekenhuis@medmij", "--service", "1", "--authorization-uri",
      "https://front.one.example/authorize", "--token-uri", "https://api.one.example/token",
      "--role", "MM-1.0.0-BZB-FHIR=https://api.one.example/fhir"});
  // The node is in use: it cannot be removed.
  r = Admin({"node", "remove", "dva-one", "api.one.example"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("ziekenhuis@medmij"), std::string::npos) << r.err;
  // Transfer: the new DVA lacks the node -> refused; with the node moved it works.
  r = Admin({"provider", "transfer", "ziekenhuis@medmij", "--to", "dva-two", "--reason", "moved"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  // Transfer to a participant not in good standing is refused.
  Ok({"participant", "suspend", "dva-two", "--reason", "review"});
  r = Admin({"provider", "transfer", "ziekenhuis@medmij", "--to", "dva-two", "--reason", "moved"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("good standing"), std::string::npos) << r.err;
  // OAuth client transfer to a DVP in good standing.
  Ok({"oauth-client", "transfer", "client.pgo.example", "--to", "pgo-two", "--reason", "merger"});
  EXPECT_EQ(Json({"oauth-client", "list", "pgo-two"}).size(), 1u);
  EXPECT_EQ(Json({"provider", "show", "ziekenhuis@medmij"})["dva"], "dva-one");
  Ok({"check"});
}

TEST_F(CliTest, ComplianceCaseSuspendsAndTerminatesWithTwoPeople) {
  GoodStanding("risky-dva", {"dva"});
  auto opened =
      Json({"case", "open", "risky-dva", "--type", "incident", "--finding", "data leak reported"});
  std::string id = opened["case_id"];
  Ok({"case", "step", id, "--to", "explanation", "--reason", "explain the leak", "--deadline",
      Date(14)});
  // Backwards and skipping without --immediate are refused.
  EXPECT_EQ(Admin({"case", "step", id, "--to", "explanation", "--reason", "again"}).exit_code, 3);
  EXPECT_EQ(Admin({"case", "step", id, "--to", "termination", "--reason", "skip"}).exit_code, 3);
  Ok({"case", "step", id, "--to", "notice", "--reason", "no answer"});
  Ok({"case", "step", id, "--to", "suspension", "--reason", "still no answer"});
  EXPECT_EQ(Json({"participant", "show", "risky-dva"})["status"], "suspended");
  auto stepped = Json({"case", "step", id, "--to", "termination", "--reason", "exclusion"});
  std::string request = stepped["request_id"];
  EXPECT_EQ(Admin({"participant", "approve", request}, "alice").exit_code, 3);
  Ok({"participant", "approve", request}, "bob");
  auto c = Json({"case", "show", id});
  EXPECT_TRUE(c.contains("closed")) << c.dump();
  EXPECT_EQ(Json({"participant", "show", "risky-dva"})["status"], "terminated");

  // Immediate suspension for network safety.
  GoodStanding("leaky-pgo", {"dvp"});
  auto urgent = Json({"case", "open", "leaky-pgo", "--type", "security", "--finding", "rce"});
  std::string uid = urgent["case_id"];
  Ok({"case", "step", uid, "--to", "suspension", "--reason", "network safety", "--immediate"});
  EXPECT_EQ(Json({"participant", "show", "leaky-pgo"})["status"], "suspended");
  Ok({"case", "close", uid, "--reason", "patched"});
  EXPECT_EQ(Admin({"case", "close", uid, "--reason", "again"}).exit_code, 3);
  EXPECT_EQ(
      Admin({"case", "step", uid, "--to", "termination", "--reason", "x", "--immediate"}).exit_code,
      3);
  EXPECT_EQ(Json({"case", "list", "--open"}).size(), 0u);
}

TEST_F(CliTest, HistoryAtShowsTheStateAsRecordedThen) {
  GoodStanding("time-pgo", {"dvp"});
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  std::string between = FormatTime(WallClockNow());
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  Ok({"participant", "suspend", "time-pgo", "--reason", "audit"});
  auto then = Json({"participant", "history", "time-pgo", "--at", between});
  EXPECT_EQ(then["status"], "active");
  EXPECT_TRUE(then["good_standing"]);
  auto now = Json({"participant", "history", "time-pgo", "--at", FormatTime(WallClockNow())});
  EXPECT_EQ(now["status"], "suspended");
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
    // hash = SHA-256(prev_hash || canonical encoding without "hash"), recomputed independently.
    std::string hash = e["hash"];
    e.erase("hash");
    std::string preimage = prev + e.dump();
    EXPECT_EQ(hash, Sha256Hex(preimage)) << "event " << i + 1;
    prev = hash;
  }
  auto last = json::parse(lines.back());
  EXPECT_EQ(last["meta"]["command"], "participant activate");
  EXPECT_EQ(last["changes"][0]["before"]["status"], "candidate");
  EXPECT_EQ(last["changes"][0]["after"]["status"], "active");
}

}  // namespace
}  // namespace medmij::testing
