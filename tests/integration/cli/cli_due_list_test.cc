// medmij-admin due --what (case deadlines, pending approvals), participant list filters and
// --format csv on list-like commands (RFC 4180), on a clock fixed by MEDMIJ_TEST_NOW.
#include "tests/integration/cli/cli_fixture.h"

namespace medmij::testing {
namespace {

using nlohmann::json;

class CliDueListTest : public CliTest {
 protected:
  void SetUp() override {
    today_ = std::chrono::floor<Days>(WallClockNow());
    test_now_ = FormatTime(today_ + std::chrono::hours(10));
    CliTest::SetUp();
  }

  std::string Day(int days) const { return FormatDate(today_ + Days(days)); }

  void Enrol(const std::string& id, const std::string& name, const std::string& role,
             int cert_days) {
    Ok({"participant", "enrol", id, "--name", name, "--kvk", "12345678", "--role", role, "--email",
        "ops@" + id + ".example"});
    Ok({"cert", "add", id, "--number", "NEN-" + id, "--body", "Certifier BV", "--valid-from",
        Day(-60), "--valid-until", Day(cert_days), "--accredited", "--registered"});
    Ok({"audit-statement", "add", id, "--date", Day(-20), "--auditor", "Audit BV", "--outcome",
        "conform"});
    Ok({"label", "grant", id});
    Ok({"participant", "activate", id});
  }

  Time today_{};
};

TEST_F(CliDueListTest, DueCoversCaseDeadlinesAndApprovalsSortedByDateWithTheEmail) {
  Enrol("soon-dva", "Soon", "dva", 20);
  Enrol("late-pgo", "Late", "dvp", 365);
  Ok({"case", "open", "late-pgo", "--type", "incident", "--finding", "late report"});
  Ok({"case", "step", "case-1", "--to", "explanation", "--reason", "explain", "--deadline",
      Day(5)});
  Ok({"participant", "terminate", "late-pgo", "--reason", "contract ended"});

  // The default stays certificates and audit statements.
  json evidence = Json({"due", "--within", "30"});
  ASSERT_EQ(evidence.size(), 1u) << evidence.dump();
  EXPECT_EQ(evidence[0]["kind"], "certificate");
  EXPECT_EQ(evidence[0]["lapses"], FormatTime(today_ + Days(21)));

  json all = Json({"due", "--within", "30", "--what", "certificates,audits,cases,approvals"});
  ASSERT_EQ(all.size(), 3u) << all.dump();
  EXPECT_EQ(all[0]["kind"], "approval");  // requested now
  EXPECT_EQ(all[0]["ref"], "term-1");
  EXPECT_EQ(all[0]["email"], "ops@late-pgo.example");
  EXPECT_EQ(all[1]["kind"], "case-deadline");
  EXPECT_EQ(all[1]["ref"], "case-1");
  EXPECT_EQ(all[1]["date"], FormatTime(today_ + Days(6)));  // the end of the deadline's day
  EXPECT_FALSE(all[1]["passed"]);
  EXPECT_EQ(all[2]["kind"], "certificate");
  EXPECT_EQ(all[2]["email"], "ops@soon-dva.example");

  EXPECT_EQ(Json({"due", "--within", "3", "--what", "cases"}).size(), 0u);
  // A week later the deadline has passed.
  auto later = Admin({"--json", "due", "--within", "0", "--what", "cases"}, "alice", "",
                     FormatTime(today_ + Days(7)));
  ASSERT_EQ(later.exit_code, 0) << later.err;
  EXPECT_TRUE(json::parse(later.out)[0]["passed"]);

  const std::string text = Ok({"due", "--what", "approvals,cases"});
  EXPECT_EQ(Lines(text).size(), 3u) << text;  // header + 2
  EXPECT_EQ(text.rfind("DATE", 0), 0u) << text;
  EXPECT_NE(text.find("ops@late-pgo.example"), std::string::npos) << text;

  const std::string journal = Journal();
  auto bad = Admin({"due", "--what", "certificates,dogs"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_EQ(bad.err,
            "medmij-admin: --what: 'dogs' is not one of certificates, audits, cases, approvals\n");
  EXPECT_EQ(Journal(), journal);
}

TEST_F(CliDueListTest, ParticipantListFiltersByStatusRoleAndStanding) {
  Enrol("good-pgo", "Good", "dvp", 365);
  Enrol("good-dva", "Good DVA", "dva", 365);
  Ok({"participant", "enrol", "cand-dva", "--name", "Candidate", "--kvk", "12345678", "--role",
      "dva"});
  Ok({"participant", "suspend", "good-dva", "--reason", "incident"});
  auto ids = [&](std::vector<std::string> args) {
    std::vector<std::string> out;
    for (const auto& p : Json(Plus({"participant", "list"}, args))) out.push_back(p["id"]);
    return out;
  };
  EXPECT_EQ(ids({"--standing", "good"}), (std::vector<std::string>{"good-pgo"}));
  EXPECT_EQ(ids({"--standing", "bad"}), (std::vector<std::string>{"cand-dva", "good-dva"}));
  EXPECT_EQ(ids({"--standing", "bad", "--role", "dva", "--status", "suspended"}),
            (std::vector<std::string>{"good-dva"}));
  EXPECT_EQ(ids({"--role", "dvp"}), (std::vector<std::string>{"good-pgo"}));
  auto bad = Admin({"participant", "list", "--standing", "fine"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("--standing"), std::string::npos) << bad.err;
  EXPECT_EQ(Lines(bad.err).size(), 1u) << bad.err;
}

TEST_F(CliDueListTest, CsvQuotesCommasAndQuotesAndNamesCannotHoldALineBreak) {
  Ok({"participant", "enrol", "odd-pgo", "--name", "Zorg, \"Thuis\" B.V.", "--kvk", "12345678",
      "--role", "dvp", "--email", "ops@odd.example"});
  const std::string csv = Ok({"participant", "list", "--format", "csv"});
  EXPECT_EQ(csv,
            "ID,ROLES,STATUS,LABEL,STANDING,EMAIL,NAME\r\n"
            "odd-pgo,dvp,candidate,no,bad,ops@odd.example,\"Zorg, \"\"Thuis\"\" B.V.\"\r\n");
  // The independent check: Python's csv module reads the same fields back.
  auto parsed = RunProcess({"/usr/bin/python3", "-c",
                            "import csv,sys,json; print(json.dumps(list(csv.reader(sys.stdin))))"},
                           csv);
  ASSERT_EQ(parsed.exit_code, 0) << parsed.err;
  EXPECT_EQ(json::parse(parsed.out)[1][6], "Zorg, \"Thuis\" B.V.");

  // A line break never reaches a CSV row: the name is refused when it is entered.
  const std::string journal = Journal();
  auto refused = Admin({"participant", "enrol", "nl-pgo", "--name", "Two\nLines", "--kvk",
                        "12345678", "--role", "dvp"});
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_EQ(Lines(refused.err).size(), 1u) << refused.err;
  EXPECT_EQ(Journal(), journal);

  // The other list-like commands take it too.
  EXPECT_EQ(Ok({"due", "--format", "csv"}).rfind("DATE,KIND,PARTICIPANT,EMAIL,REF,WHAT\r\n", 0),
            0u);
  EXPECT_EQ(Ok({"case", "list", "--format", "csv"}), "CASE,PARTICIPANT,TYPE,STEP,DEADLINE\r\n");
  EXPECT_EQ(Ok({"lists", "status", "--format", "csv"})
                .rfind("LIST,VOLGNUMMER,TIJDSTEMPEL,SIZE,SHA256\r\n", 0),
            0u);
  EXPECT_EQ(Admin({"participant", "list", "--format", "xml"}).exit_code, 2);
}

}  // namespace
}  // namespace medmij::testing
