// medmij-admin remind: one Dutch e-mail per participant with lapsing evidence, handed to a fake
// sendmail that keeps each message; each sent reminder a journal event, none sent twice.
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <future>

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

  // The claim, then one journal event for the one message: who was told what, by whom.
  const auto journal = Lines(Journal());
  ASSERT_EQ(journal.size(), events_before + 2);
  json claim = json::parse(journal[journal.size() - 2]);
  EXPECT_EQ(claim["meta"]["command"], "remind claim");
  EXPECT_EQ(claim["meta"]["subject"], "participant:soon-dva");
  EXPECT_EQ(claim["changes"].size(), 2u);  // one per lapse
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
  EXPECT_EQ(Lines(Journal()).size(), events_before + 2);

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

// The last journal event's meta.command.
std::string LastCommand(const std::string& journal) {
  return json::parse(Lines(journal).back())["meta"]["command"];
}

// How many journal events have meta.command `command`.
size_t EventsOf(const std::string& journal, const std::string& command) {
  size_t n = 0;
  for (const auto& line : Lines(journal)) n += json::parse(line)["meta"]["command"] == command;
  return n;
}

TEST_F(CliRemindTest, AFailingSendmailReleasesItsClaimAndSaysSo) {
  Enrol("soon-dva", "Soon B.V.", 10, -10, "ops@soon.example");
  const std::string journal = Journal();
  std::ofstream(dir_ / "fail") << "1";
  auto failed = Admin(Remind());
  EXPECT_EQ(failed.exit_code, 1) << failed.err;
  EXPECT_NE(failed.err.find("exited with status 75 (message not sent)"), std::string::npos)
      << failed.err;
  EXPECT_EQ(Lines(failed.err).size(), 1u) << failed.err;
  EXPECT_TRUE(Messages().empty());
  // Claimed, then released: the state's only change is the pair of counters.
  std::string after = Journal();
  ASSERT_EQ(Lines(after).size(), Lines(journal).size() + 2);
  EXPECT_EQ(EventsOf(after, "remind claim"), 1u);
  EXPECT_EQ(LastCommand(after), "remind release");
  EXPECT_NE(Lines(after).back().find("exited with status 75"), std::string::npos);

  auto missing = Admin(Plus({"remind", "--sendmail", (dir_ / "no-such-sendmail").string()}, {}));
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("cannot run"), std::string::npos) << missing.err;
  EXPECT_EQ(Lines(missing.err).size(), 1u) << missing.err;
  after = Journal();
  EXPECT_EQ(LastCommand(after), "remind release");
  EXPECT_EQ(EventsOf(after, "remind"), 0u);

  // The MTA is back: the reminder goes out now, once.
  fs::remove(dir_ / "fail");
  Ok(Remind());
  EXPECT_EQ(Messages().size(), 1u);
  after = Journal();
  EXPECT_EQ(EventsOf(after, "remind"), 1u);
  EXPECT_EQ(LastCommand(after), "remind");
  EXPECT_NE(Ok(Remind()).find("no reminders to send"), std::string::npos);
  EXPECT_EQ(Messages().size(), 1u);
  EXPECT_EQ(Ok({"check"}), "state matches the journal\n");
}

// Opens `fifo` for reading and returns its first line; "" when no writer writes one within a
// minute (so a broken run fails the test rather than hanging it).
std::string ReadFifoLine(const fs::path& fifo) {
  const int fd = open(fifo.c_str(), O_RDONLY | O_NONBLOCK);
  if (fd < 0) return "";
  std::string line;
  pollfd p{fd, POLLIN, 0};
  while (line.find('\n') == std::string::npos && poll(&p, 1, 60'000) == 1) {
    char buf[64];
    const ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) break;
    line.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  return line;
}

TEST_F(CliRemindTest, AHangingSendmailBlocksNoOtherWriter) {
  Enrol("soon-dva", "Soon B.V.", 10, -10, "ops@soon.example");
  const fs::path started = dir_ / "started.fifo";
  const fs::path go = dir_ / "go.fifo";
  ASSERT_EQ(mkfifo(started.c_str(), 0600), 0);
  ASSERT_EQ(mkfifo(go.c_str(), 0600), 0);
  // Keeps the message, says so on `started`, then waits until the test writes `go`.
  WriteScript("blocking-sendmail",
              Cat("#!/bin/sh\ncat > '", outbox().string(), "/1.eml'\necho started > '",
                  started.string(), "'\nread x < '", go.string(), "'\n"));
  auto remind = std::async(std::launch::async, [this] {
    return Admin({"remind", "--within", "30", "--sendmail", (dir_ / "blocking-sendmail").string(),
                  "--from", "naleving@medmij.example"});
  });
  ASSERT_EQ(ReadFifoLine(started), "started\n");

  // sendmail is running: another writer gets LMDB's writer lock, and does not wait for it.
  // (Each given 20 s, so that a run that waits for the lock fails the test instead of hanging it.)
  const auto admin_within_20s = [this](std::vector<std::string> args) {
    return RunProcess(Plus({Binary("admin-cli/medmij-admin").string(), "--data-dir", data_dir(),
                            "--operator", "bob"},
                           args),
                      "", {{"MEDMIJ_TEST_NOW", test_now_}}, 20);
  };
  auto other = admin_within_20s({"participant", "enrol", "other-dva", "--name", "Other B.V.",
                                 "--kvk", "12345678", "--role", "dva"});
  EXPECT_EQ(other.exit_code, 0) << other.err;
  // A second remind meanwhile finds the lapse claimed: says so, does not send it.
  auto second = admin_within_20s(Remind());
  EXPECT_EQ(second.exit_code, 3) << second.err;
  EXPECT_NE(second.err.find("may or may not have been sent"), std::string::npos) << second.err;
  EXPECT_EQ(Lines(second.err).size(), 1u) << second.err;

  {
    std::ofstream release(go);
    release << "go\n";
  }
  auto done = remind.get();
  ASSERT_EQ(done.exit_code, 0) << done.err;
  EXPECT_NE(done.out.find("reminded soon-dva"), std::string::npos) << done.out;
  EXPECT_EQ(Messages().size(), 1u);
  const std::string journal = Journal();
  EXPECT_EQ(EventsOf(journal, "remind"), 1u);
  EXPECT_EQ(LastCommand(journal), "remind");  // after the enrol that ran in between
  EXPECT_EQ(Json({"participant", "show", "other-dva"})["id"], "other-dva");
  EXPECT_NE(Ok(Remind()).find("no reminders to send"), std::string::npos);
  EXPECT_EQ(Messages().size(), 1u);
}

TEST_F(CliRemindTest, ASendmailThatDoesNotFinishIsKilledAndItsClaimReleased) {
  Enrol("soon-dva", "Soon B.V.", 10, -10, "ops@soon.example");
  const fs::path never = dir_ / "never.fifo";
  ASSERT_EQ(mkfifo(never.c_str(), 0600), 0);
  WriteScript("hanging-sendmail",
              Cat("#!/bin/sh\ncat > /dev/null\nread x < '", never.string(), "'\n"));
  auto hung = Admin({"remind", "--within", "30", "--sendmail", (dir_ / "hanging-sendmail").string(),
                     "--sendmail-timeout", "1", "--from", "naleving@medmij.example"});
  EXPECT_EQ(hung.exit_code, 1) << hung.err;
  EXPECT_NE(hung.err.find("did not finish within 1 s; killed"), std::string::npos) << hung.err;
  EXPECT_EQ(Lines(hung.err).size(), 1u) << hung.err;
  EXPECT_EQ(LastCommand(Journal()), "remind release");
  Ok(Remind());
  EXPECT_EQ(Messages().size(), 1u);
}

TEST_F(CliRemindTest, AClaimLeftByARunThatDiedIsReportedNotResentUntilReleased) {
  Enrol("soon-dva", "Soon B.V.", 10, -10, "ops@soon.example");  // the certificate lapses
  // Keeps the message, then kills the medmij-admin that runs it: claimed, not recorded.
  WriteScript("fatal-sendmail",
              Cat("#!/bin/sh\ncat > '", outbox().string(), "/1.eml'\nkill -9 $PPID\n"));
  auto died = Admin({"remind", "--within", "30", "--sendmail", (dir_ / "fatal-sendmail").string(),
                     "--from", "naleving@medmij.example"});
  EXPECT_EQ(died.exit_code, 128 + 9) << died.err;
  std::string journal = Journal();
  EXPECT_EQ(LastCommand(journal), "remind claim");
  ASSERT_EQ(Messages().size(), 1u);

  // Sent or not, nobody knows: reported in one line, not sent again, nothing recorded.
  for (int run = 0; run < 2; ++run) {
    auto held = Admin(Remind());
    EXPECT_EQ(held.exit_code, 3) << held.err;
    ASSERT_EQ(Lines(held.err).size(), 1u) << held.err;
    for (const std::string& part :
         {std::string("soon-dva: certificate NEN-soon-dva (Certifier BV) lapses "),
          std::string("claimed at " + test_now_.substr(0, 10)),
          std::string("may or may not have been sent"),
          std::string("medmij-admin remind --release-claims soon-dva")}) {
      EXPECT_NE(held.err.find(part), std::string::npos) << "missing '" << part << "' in\n"
                                                        << held.err;
    }
    EXPECT_EQ(Messages().size(), 1u);
    EXPECT_EQ(Journal(), journal);
  }

  EXPECT_EQ(Admin({"remind", "--release-claims", "no-such-dva"}).exit_code, 4);
  EXPECT_EQ(Admin({"remind", "--release-claims", "Not An Id"}).exit_code, 2);
  EXPECT_EQ(Journal(), journal);
  const std::string released = Ok({"remind", "--release-claims", "soon-dva"}, "bob");
  EXPECT_NE(released.find("released soon-dva certificate lapsing "), std::string::npos) << released;
  journal = Journal();
  EXPECT_EQ(LastCommand(journal), "remind release");
  EXPECT_EQ(json::parse(Lines(journal).back())["meta"]["operator"], "bob");
  EXPECT_NE(Ok({"remind", "--release-claims", "soon-dva"}).find("no open reminder claims"),
            std::string::npos);
  const json none = Json({"remind", "--release-claims", "soon-dva"});
  EXPECT_EQ(none["released"], json::array()) << none.dump();
  EXPECT_EQ(none["event"], 0);
  EXPECT_EQ(Journal(), journal);

  // Released: the next run sends it (again), and records it.
  auto sent = Admin(Remind());
  EXPECT_EQ(sent.exit_code, 0) << sent.err;
  EXPECT_TRUE(sent.err.empty()) << sent.err;
  EXPECT_EQ(Messages().size(), 2u);
  EXPECT_EQ(LastCommand(Journal()), "remind");
  EXPECT_NE(Ok(Remind()).find("no reminders to send"), std::string::npos);
  EXPECT_EQ(Ok({"check"}), "state matches the journal\n");
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
