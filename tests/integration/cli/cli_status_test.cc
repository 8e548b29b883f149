// medmij-admin status: one screen of what needs a person today, from the data dir alone (no
// service runs in these tests), on a clock fixed by MEDMIJ_TEST_NOW.
#include "tests/integration/cli/cli_fixture.h"
#include "tests/support/dev_pki.h"

namespace medmij::testing {
namespace {

using nlohmann::json;

class CliStatusTest : public CliTest {
 protected:
  // Every command on a clock started at now_ (MEDMIJ_TEST_NOW), unless it says otherwise. The
  // wall clock's instant, not a fixed one: the development certificates are valid from when
  // they were made.
  void SetUp() override {
    now_ = std::chrono::floor<std::chrono::seconds>(WallClockNow());
    today_ = std::chrono::floor<Days>(now_);
    test_now_ = FormatTime(now_);
    CliTest::SetUp();
  }

  // `text` is an instant from the clock started at now_: not before it, and not long after.
  void ExpectNow(const json& text) const {
    auto t = ParseTime(text.get<std::string>(), "test");
    ASSERT_TRUE(t.ok()) << text;
    EXPECT_GE(*t, now_);
    EXPECT_LT(*t, now_ + std::chrono::minutes(10));
  }

  std::string Day(int days) const { return FormatDate(today_ + Days(days)); }

  // A participant in good standing since `days` ago, its certificate valid through `cert_days`
  // from today.
  void Enrol(const std::string& id, const std::string& role, int cert_days) {
    Ok({"participant", "enrol", id, "--name", "Org " + id, "--kvk", "12345678", "--role", role,
        "--email", "ops@" + id + ".example"});
    Ok({"cert", "add", id, "--number", "NEN-" + id, "--body", "Certifier BV", "--valid-from",
        Day(-60), "--valid-until", Day(cert_days), "--accredited", "--registered"});
    Ok({"audit-statement", "add", id, "--date", Day(-20), "--auditor", "Audit BV", "--outcome",
        "conform"});
    Ok({"label", "grant", id});
    Ok({"participant", "activate", id});
  }

  std::vector<std::string> Publish(const DevPki& pki) {
    return {"publish",         "--key",   pki.key.string(),  "--cert",
            pki.cert.string(), "--chain", pki.chain.string()};
  }

  static const json& ListOf(const json& status, const std::string& name) {
    for (const auto& l : status["lists"]) {
      if (l["list"] == name) return l;
    }
    static const json none;
    ADD_FAILURE() << "no list " << name << " in " << status.dump();
    return none;
  }

  Time now_{};
  Time today_{};
};

TEST_F(CliStatusTest, OneScreenOfWhatNeedsAttentionFromTheDataDirAlone) {
  const DevPki pki = CopyDevPki(dir_ / "pki", /*ec=*/false);
  // A week and a day ago: three participants in good standing.
  test_now_ = FormatTime(now_ - Days(8));
  Enrol("fine-pgo", "dvp", 365);
  Enrol("gone-dva", "dva", 365);
  Enrol("soon-dva", "dva", 10);
  // Today: one falls out, a candidate is enrolled and its termination requested, a case runs.
  test_now_ = FormatTime(now_);
  Ok({"participant", "suspend", "gone-dva", "--reason", "incident"});
  Ok({"participant", "enrol", "cand-pgo", "--name", "Candidate", "--kvk", "12345678", "--role",
      "dvp"});
  Ok({"participant", "terminate", "cand-pgo", "--reason", "withdrew"});
  Ok({"case", "open", "soon-dva", "--type", "incident", "--finding", "late report"});
  Ok({"case", "step", "case-1", "--to", "explanation", "--reason", "explain", "--deadline",
      Day(3)});
  Ok({"node", "add", "fine-pgo", "medmij.fine.example"});
  Ok(Publish(pki));
  Ok({"node", "add", "fine-pgo", "second.fine.example"});  // not published: the whitelist is behind

  json before = Json({"status"});
  EXPECT_TRUE(before["journal"]["last_verify"].is_null());
  EXPECT_NE(Ok({"status"}).find("last verify: none recorded"), std::string::npos);

  Ok({"journal", "verify"}, "carol");
  json s = Json({"status"});
  ExpectNow(s["at"]);
  const json& p = s["participants"];
  EXPECT_EQ(p["by_status"], (json{{"active", 2}, {"candidate", 1}, {"suspended", 1}}));
  EXPECT_EQ(p["by_role_status"]["dva"], (json{{"active", 1}, {"suspended", 1}}));
  EXPECT_EQ(p["by_role_status"]["dvp"], (json{{"active", 1}, {"candidate", 1}}));
  EXPECT_EQ(p["good_standing"], 2);
  EXPECT_EQ(p["not_good_standing"], 2);
  EXPECT_EQ(p["fell_out"], (json{"gone-dva"}));

  // Lapsing within 30 days: the candidate has no evidence at all (first: no date), soon-dva's
  // certificate ends with the day it is valid through.
  ASSERT_EQ(s["lapsing"].size(), 3u) << s["lapsing"].dump();
  EXPECT_EQ(s["lapsing"][0]["participant"], "cand-pgo");
  EXPECT_TRUE(s["lapsing"][0]["date"].is_null());
  EXPECT_EQ(s["lapsing"][2]["participant"], "soon-dva");
  EXPECT_EQ(s["lapsing"][2]["kind"], "certificate");
  EXPECT_EQ(s["lapsing"][2]["date"], FormatTime(today_ + Days(11)));
  EXPECT_EQ(s["lapsing"][2]["email"], "ops@soon-dva.example");

  ASSERT_EQ(s["pending_approvals"].size(), 1u);
  EXPECT_EQ(s["pending_approvals"][0]["ref"], "term-1");
  EXPECT_EQ(s["pending_approvals"][0]["participant"], "cand-pgo");
  EXPECT_EQ(s["cases"]["open_by_step"], (json{{"explanation", 1}}));
  ASSERT_EQ(s["cases"]["deadlines"].size(), 1u);
  EXPECT_EQ(s["cases"]["deadlines"][0]["ref"], "case-1");
  EXPECT_EQ(s["cases"]["deadlines"][0]["date"], FormatTime(today_ + Days(4)));  // end of day 3

  // Lists, from the archive: every one published once; the whitelist lags the state.
  ASSERT_EQ(s["lists"].size(), 6u);
  const json& whitelist = ListOf(s, "whitelist");
  EXPECT_EQ(whitelist["volgnummer"], 1);
  ExpectNow(whitelist["tijdstempel"]);
  EXPECT_FALSE(whitelist["ok"]);
  ASSERT_EQ(whitelist["problems"].size(), 1u);
  EXPECT_NE(whitelist["problems"][0].get<std::string>().find("other entries than Volgnummer 1"),
            std::string::npos);
  const json& ocl = ListOf(s, "oauthclientlist");
  EXPECT_TRUE(ocl["ok"]) << ocl.dump();
  EXPECT_FALSE(ocl["certificate_not_after"].is_null());

  // The journal: its length, and the verify just run.
  const size_t events = Lines(Journal()).size();
  EXPECT_EQ(s["journal"]["length"], events);
  const json& verify = s["journal"]["last_verify"];
  EXPECT_EQ(verify["ok"], true);
  EXPECT_EQ(verify["by"], "carol");
  EXPECT_EQ(verify["events"], events);
  ExpectNow(verify["at"]);

  // The same for people.
  const std::string text = Ok({"status"});
  for (const std::string& part :
       {std::string("participants: 2 active, 1 candidate, 1 suspended\n"),
        std::string("good standing: 2 in, 2 out"),
        std::string("fell out of good standing in the last 7 days: gone-dva\n"),
        std::string("lapsing within 30 days (3)\n"),
        std::string("termination requests waiting for a second operator (1)\n"),
        std::string("open cases by step: 1 explanation\n"),
        std::string("case deadlines passed or within 7 days (1)\n"),
        std::string("ops@soon-dva.example"), std::string("other entries than Volgnummer 1"),
        std::string("journal: " + std::to_string(events) + " events; last verify: passed at "),
        std::string(" by carol (journal verify, " + std::to_string(events) + " events)\n")}) {
    EXPECT_NE(text.find(part), std::string::npos) << "missing '" << part << "' in\n" << text;
  }

  // Publishing again brings the whitelist level with the state.
  Ok(Publish(pki), "alice");
  EXPECT_TRUE(ListOf(Json({"status"}), "whitelist")["ok"]);
}

TEST_F(CliStatusTest, AListSignedWithACertificateNearItsEndSaysSo) {
  const DevPki pki = NewSigningCertificate(dir_ / "pki", /*ec=*/true, /*days=*/10);
  // The certificate is valid from the second it was made, after SetUp's instant.
  test_now_ = FormatTime(std::chrono::ceil<std::chrono::seconds>(WallClockNow()));
  Ok(Publish(pki));
  const json status = Json({"status"});
  const json& gnl = ListOf(status, "gegevensdienstnamenlijst");
  EXPECT_FALSE(gnl["ok"]);
  ASSERT_EQ(gnl["problems"].size(), 1u) << gnl.dump();
  EXPECT_NE(gnl["problems"][0].get<std::string>().find("roll the signing key"), std::string::npos);
}

TEST_F(CliStatusTest, AnEmptyRegistryAndNeverPublishedLists) {
  json s = Json({"status"});
  EXPECT_EQ(s["participants"]["good_standing"], 0);
  EXPECT_EQ(s["participants"]["fell_out"], json::array());
  for (const auto& l : s["lists"]) {
    EXPECT_TRUE(l["volgnummer"].is_null());
    EXPECT_EQ(l["problems"], (json{"never published"}));
  }
  EXPECT_NE(Ok({"status"}).find("participants: none\n"), std::string::npos);
}

}  // namespace
}  // namespace medmij::testing
