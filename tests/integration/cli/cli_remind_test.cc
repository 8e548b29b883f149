// medmij-admin remind: one Dutch e-mail per participant with lapsing evidence, handed to a fake
// sendmail that keeps each message; each sent reminder a journal event, none sent twice.
#include <sys/stat.h>

#include <fstream>

#include "tests/integration/cli/cli_fixture.h"

namespace medmij::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

class CliRemindTest : public CliTest {
 protected:
  void SetUp() override {
    now_ = std::chrono::floor<std::chrono::seconds>(WallClockNow());
    test_now_ = FormatTime(now_);
    CliTest::SetUp();
    fs::create_directories(outbox());
    // Reads the message as `sendmail -t` would and keeps it as outbox/N.eml; exits with
    // $FAKE_SENDMAIL_EXIT when that file says so (a failing MTA).
    WriteScript("fake-sendmail",
                "#!/bin/sh\n"
                "[ \"$1\" = -t ] || { echo 'fake-sendmail: expected -t' >&2; exit 64; }\n"
                "n=$(ls '" +
                    outbox().string() +
                    "' | wc -l)\n"
                    "cat > '" +
                    outbox().string() +
                    "/'$((n + 1)).eml\n"
                    "if [ -f '" +
                    (dir_ / "fail").string() +
                    "' ]; then\n"
                    "  rm '" +
                    outbox().string() +
                    "/'$((n + 1)).eml; exit 75\n"
                    "fi\n");
  }

  fs::path outbox() const { return dir_ / "outbox"; }

  void WriteScript(const std::string& name, const std::string& text) {
    const fs::path path = dir_ / name;
    std::ofstream(path) << text;
    fs::permissions(path, fs::perms::owner_all);
  }

  std::vector<std::string> Remind(std::vector<std::string> more = {}) {
    return Plus({"remind", "--within", "30", "--sendmail",
                 (dir_ / "fake-sendmail").string() + " -t", "--from", "naleving@medmij.example"},
                more);
  }

  std::vector<std::string> Messages() const {
    std::vector<std::string> out;
    for (int i = 1; fs::exists(outbox() / (std::to_string(i) + ".eml")); ++i) {
      std::ifstream in(outbox() / (std::to_string(i) + ".eml"));
      out.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    return out;
  }

  std::string Day(int days) const {
    return FormatDate(std::chrono::floor<Days>(now_) + Days(days));
  }

  // In good standing, its certificate valid through `cert_days` from today, its audit
  // statement dated `audit_days` from today.
  void Enrol(const std::string& id, const std::string& name, int cert_days, int audit_days,
             const std::string& email) {
    std::vector<std::string> enrol{"participant", "enrol",    id,       "--name", name,
                                   "--kvk",       "12345678", "--role", "dva"};
    if (!email.empty()) enrol.insert(enrol.end(), {"--email", email});
    Ok(enrol);
    Ok({"cert", "add", id, "--number", "NEN-" + id, "--body", "Certifier BV", "--valid-from",
        Day(-300), "--valid-until", Day(cert_days), "--accredited", "--registered"});
    Ok({"audit-statement", "add", id, "--date", Day(audit_days), "--auditor", "Audit BV",
        "--outcome", "conform"});
    Ok({"label", "grant", id});
    Ok({"participant", "activate", id});
  }

  Time now_{};
};

TEST_F(CliRemindTest, OneDutchMessagePerParticipantEachLapseOnceAndJournaled) {
  Enrol("soon-dva", "Zorg & Co B.V.", 10, -350, "ops@soon.example");  // both lapse within 30 days
  Enrol("fine-dva", "Fine B.V.", 365, -10, "ops@fine.example");       // nothing lapses
  Enrol("mute-dva", "Mute B.V.", 20, -10, "");                        // no e-mail recorded
  const size_t events_before = Lines(Journal()).size();

  auto run = Admin(Plus({"--json"}, Remind()));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  json report = json::parse(run.out);
  ASSERT_EQ(report["reminders"].size(), 1u) << run.out;
  EXPECT_EQ(report["reminders"][0]["participant"], "soon-dva");
  EXPECT_EQ(report["reminders"][0]["lapses"].size(), 2u);
  ASSERT_EQ(report["skipped"].size(), 1u);
  EXPECT_EQ(report["skipped"][0]["participant"], "mute-dva");
  EXPECT_NE(run.err.find("mute-dva: no contact e-mail recorded"), std::string::npos) << run.err;

  auto messages = Messages();
  ASSERT_EQ(messages.size(), 1u);
  const std::string& m = messages[0];
  for (const std::string& part :
       {std::string("From: Stichting MedMij <naleving@medmij.example>\n"),
        std::string("To: ops@soon.example\n"),
        std::string("Subject: Herinnering MedMij: bewijs verloopt binnenkort "
                    "(NEN 7510-certificaat en auditverklaring)\n"),
        std::string("Content-Type: text/plain; charset=UTF-8\n"),
        std::string("\n\nBeste Zorg & Co B.V.,\n"), std::string("(deelnemer soon-dva)"),
        std::string("NEN 7510-certificaat: NEN-soon-dva"),
        std::string("Aanvullende auditverklaring: audit statement dated " + Day(-350)),
        std::string("wat wij van u nodig hebben")}) {
    EXPECT_NE(m.find(part), std::string::npos) << "missing '" << part << "' in\n" << m;
  }
  EXPECT_EQ(m.find("{{"), std::string::npos) << m;  // every tag rendered

  // One journal event for the one message: who was told what, by whom.
  const auto journal = Lines(Journal());
  ASSERT_EQ(journal.size(), events_before + 1);
  json event = json::parse(journal.back());
  EXPECT_EQ(event["meta"]["command"], "remind");
  EXPECT_EQ(event["meta"]["subject"], "participant:soon-dva");
  EXPECT_EQ(event["meta"]["operator"], "alice");
  EXPECT_NE(event["meta"]["reason"].get<std::string>().find("reminder to ops@soon.example"),
            std::string::npos);
  EXPECT_EQ(event["changes"].size(), 2u);  // one per lapse
  EXPECT_EQ(Json({"participant", "history", "soon-dva"}).back()["command"], "remind");

  // Again: nothing new to send, nothing recorded.
  EXPECT_NE(Ok(Remind()).find("no reminders to send"), std::string::npos);
  EXPECT_EQ(Messages().size(), 1u);
  EXPECT_EQ(Lines(Journal()).size(), events_before + 1);

  // A renewal that lapses later is a new lapse: reminded once, the audit statement not again.
  Ok({"cert", "add", "soon-dva", "--number", "NEN-2", "--body", "Certifier BV", "--valid-from",
      Day(-1), "--valid-until", Day(20), "--accredited", "--registered"});
  report = Json(Remind());
  ASSERT_EQ(report["reminders"].size(), 1u) << report.dump();
  EXPECT_EQ(report["reminders"][0]["lapses"].size(), 1u);
  EXPECT_EQ(report["reminders"][0]["lapses"][0]["what"], "NEN-2 (Certifier BV)");
  ASSERT_EQ(Messages().size(), 2u);
  EXPECT_EQ(Messages()[1].find("auditverklaring:"), std::string::npos) << Messages()[1];
  EXPECT_NE(Ok(Remind()).find("no reminders to send"), std::string::npos);
  EXPECT_EQ(Ok({"check"}), "state matches the journal\n");
}

TEST_F(CliRemindTest, DryRunPrintsTheMessagesAndRecordsNothing) {
  Enrol("soon-dva", "Soon B.V.", 10, -10, "ops@soon.example");
  const std::string journal = Journal();
  const std::string out = Ok(Remind({"--dry-run"}));
  EXPECT_NE(out.find("--- reminder to ops@soon.example\n"), std::string::npos) << out;
  EXPECT_NE(out.find("To: ops@soon.example\n"), std::string::npos) << out;
  EXPECT_NE(out.find("geldig t/m "), std::string::npos) << out;
  EXPECT_TRUE(Messages().empty());
  EXPECT_EQ(Journal(), journal);
}

TEST_F(CliRemindTest, AFailingSendmailRecordsNothingAndSaysSo) {
  Enrol("soon-dva", "Soon B.V.", 10, -10, "ops@soon.example");
  const std::string journal = Journal();
  std::ofstream(dir_ / "fail") << "1";
  auto failed = Admin(Remind());
  EXPECT_EQ(failed.exit_code, 1) << failed.err;
  EXPECT_NE(failed.err.find("exited with status 75 (message not sent)"), std::string::npos)
      << failed.err;
  EXPECT_EQ(Lines(failed.err).size(), 1u) << failed.err;
  EXPECT_EQ(Journal(), journal);
  EXPECT_TRUE(Messages().empty());

  auto missing = Admin(Plus({"remind", "--sendmail", (dir_ / "no-such-sendmail").string()}, {}));
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("cannot run"), std::string::npos) << missing.err;
  EXPECT_EQ(Journal(), journal);

  // The MTA is back: the reminder goes out now, once.
  fs::remove(dir_ / "fail");
  Ok(Remind());
  EXPECT_EQ(Messages().size(), 1u);
  EXPECT_EQ(Lines(Journal()).size(), Lines(journal).size() + 1);
}

TEST_F(CliRemindTest, BadOptionsAreOneLineAndChangeNothing) {
  const std::string journal = Journal();
  auto bad_from = Admin(Plus(Remind(), {"--from", "not an address"}));
  EXPECT_EQ(bad_from.exit_code, 2);
  EXPECT_NE(bad_from.err.find("--from"), std::string::npos) << bad_from.err;
  EXPECT_EQ(Lines(bad_from.err).size(), 1u) << bad_from.err;
  EXPECT_EQ(Admin({"remind", "--within", "-1"}).exit_code, 2);
  EXPECT_EQ(Journal(), journal);
}

}  // namespace
}  // namespace medmij::testing
