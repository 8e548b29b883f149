// Every medmij-admin entry point that takes a date or time, at the edges of the one supported
// range (1970-01-01T00:00:00Z to 9999-12-31T23:59:59Z inclusive, the last second in whole):
// the edges are accepted and everything that reads the records afterwards still works; one
// past either edge is refused with one line naming the option and the range, and nothing
// changes. The parser's own edge cases are in tests/unit/common/time_test.cc.
#include <fstream>

#include "tests/integration/cli/cli_fixture.h"
#include "tests/support/dev_pki.h"

namespace medmij::testing {
namespace {

using nlohmann::json;

constexpr const char* kRange =
    "outside the supported range 1970-01-01T00:00:00Z to 9999-12-31T23:59:59Z";
constexpr const char* kLowest = "1970-01-01T00:00:00Z";
constexpr const char* kHighest = "9999-12-31T23:59:59.999Z";

class CliDatesTest : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    CopyDevPki(dir_ / "pki", /*ec=*/false);
    GoodStanding("edge-dva", {"dva"});
    Ok({"service", "add", "4", "--name", "Laboratoriumresultaten"});
    Ok({"node", "add", "edge-dva", "api.edge.example"});
    Ok({"qualification", "add", "edge-dva", "--service", "4"});
    Ok({"case", "open", "edge-dva", "--type", "incident", "--finding", "late"});
  }

  std::string WriteLines(const std::string& name, const std::vector<json>& records) {
    std::string path = (dir_ / name).string();
    std::ofstream out(path);
    for (const auto& r : records) out << r.dump() << "\n";
    return path;
  }

  RunResult AdminAt(const std::vector<std::string>& args, const std::string& now) {
    return Admin(args, "alice", "", now);
  }

  // Every command that reads the records the edge values went into: they decode.
  void ExpectEverythingReadsTheRecords() {
    Ok({"participant", "list"});
    Ok({"participant", "show", "edge-dva"});
    Json({"participant", "show", "edge-dva"});
    Ok({"participant", "explain", "edge-dva"});
    Ok({"participant", "history", "edge-dva"});
    Ok({"cert", "list", "edge-dva"});
    Ok({"audit-statement", "list", "edge-dva"});
    Ok({"case", "list"});
    Ok({"case", "show", "case-1"});
    Ok({"due", "--within", "30"});
    Ok({"journal", "export"});
    EXPECT_EQ(Ok({"journal", "verify"}).find("journal intact"), 0u);
    Ok({"check"});
    auto published =
        Admin({"--json", "publish", "--key", (dir_ / "pki/signing.key").string(), "--cert",
               (dir_ / "pki/signing.pem").string(), "--chain", (dir_ / "pki/chain.pem").string()});
    EXPECT_EQ(published.exit_code, 0) << published.err;
    EXPECT_NE(Ok({"lists", "get", "whitelist"}).find("api.edge.example"), std::string::npos);
  }
};

TEST_F(CliDatesTest, TheEdgesAreAcceptedThroughEveryCommandAndStillDecode) {
  // cert add: both options at both edges, in the forms a user writes them.
  Ok({"cert", "add", "edge-dva", "--number", "E-1", "--body", "Body BV", "--valid-from",
      "1970-01-01", "--valid-until", kHighest, "--accredited", "--registered"});
  Ok({"cert", "add", "edge-dva", "--number", "E-2", "--body", "Body BV", "--valid-from", kLowest,
      "--valid-until", "9999-12-31T18:59:59.999-05:00", "--accredited", "--registered"});
  Ok({"cert", "add", "edge-dva", "--number", "E-3", "--body", "Body BV", "--valid-from",
      "1970-01-01T01:00:00+01:00", "--valid-until", "9999-12-31T23:59:59Z"});
  // A date as --valid-until means through that day: the last date whose end is in the range.
  Ok({"cert", "add", "edge-dva", "--number", "E-4", "--body", "Body BV", "--valid-from",
      "2026-01-01", "--valid-until", "9999-12-30"});
  json certs = Json({"cert", "list", "edge-dva"});
  std::map<std::string, json> by_number;
  for (const auto& c : certs) by_number[c["number"]] = c;
  EXPECT_EQ(by_number["E-1"]["valid_from"], "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(by_number["E-1"]["valid_until"], kHighest);
  EXPECT_EQ(by_number["E-2"]["valid_from"], "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(by_number["E-2"]["valid_until"], kHighest);
  EXPECT_EQ(by_number["E-3"]["valid_from"], "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(by_number["E-3"]["valid_until"], "9999-12-31T23:59:59.000Z");
  EXPECT_EQ(by_number["E-4"]["valid_until"], "9999-12-31T00:00:00.000Z");
  EXPECT_NE(Ok({"cert", "list", "edge-dva"}).find(".. 9999-12-31T23:59:59.999Z"),
            std::string::npos);

  // participant explain --at and history --at read at both edges (before any command below
  // runs on a clock started at an edge: history --at takes the journal up to the last event
  // at or before the instant).
  for (const char* at : {kLowest, kHighest, "1970-01-01", "9999-12-31"}) {
    auto r = Admin({"--json", "participant", "explain", "edge-dva", "--at", at});
    EXPECT_EQ(r.exit_code, 0) << at << "\n" << r.err;
  }
  auto before_all = Admin({"participant", "history", "edge-dva", "--at", kLowest});
  EXPECT_EQ(before_all.exit_code, 4) << before_all.err;
  EXPECT_NE(before_all.err.find("did not exist at 1970-01-01T00:00:00.000Z"), std::string::npos)
      << before_all.err;
  EXPECT_EQ(Json({"participant", "history", "edge-dva", "--at", kHighest})["status"], "active");

  // audit-statement add: a statement may not lie in the future, so the upper edge is written on
  // a clock started a minute before the range ends (MEDMIJ_TEST_NOW, itself range-checked).
  Ok({"audit-statement", "add", "edge-dva", "--date", "1970-01-01", "--auditor", "Audit BV",
      "--outcome", "conform"});
  Ok({"audit-statement", "add", "edge-dva", "--date", kLowest, "--auditor", "Audit BV", "--outcome",
      "conform"});
  auto late = AdminAt({"audit-statement", "add", "edge-dva", "--date", "9999-12-31", "--auditor",
                       "Audit BV", "--outcome", "conform"},
                      "9999-12-31T23:59:00Z");
  EXPECT_EQ(late.exit_code, 0) << late.err;
  // The upper edge itself parses; here it is refused only for lying in the future.
  auto future = AdminAt({"audit-statement", "add", "edge-dva", "--date", kHighest, "--auditor",
                         "Audit BV", "--outcome", "conform"},
                        "9999-12-31T23:59:00Z");
  EXPECT_NE(future.exit_code, 0);
  EXPECT_EQ(future.err.find(kRange), std::string::npos) << future.err;
  std::set<std::string> dates;
  for (const auto& s : Json({"audit-statement", "list", "edge-dva"})) dates.insert(s["date"]);
  EXPECT_TRUE(dates.count("1970-01-01T00:00:00.000Z")) << json(dates).dump();
  EXPECT_TRUE(dates.count("9999-12-31T00:00:00.000Z")) << json(dates).dump();

  // case step --deadline: the upper edge; the lower one on a clock started at the lower edge
  // (a deadline must lie in the future, so the date form: the end of 1970-01-01).
  Ok({"case", "step", "case-1", "--to", "explanation", "--reason", "explain", "--deadline",
      kHighest});
  Ok({"case", "open", "edge-dva", "--type", "incident", "--finding", "early"});
  auto early = AdminAt({"case", "step", "case-2", "--to", "explanation", "--reason", "explain",
                        "--deadline", "1970-01-01"},
                       kLowest);
  EXPECT_EQ(early.exit_code, 0) << early.err;
  auto not_future = AdminAt(
      {"case", "step", "case-2", "--to", "notice", "--reason", "notice", "--deadline", kLowest},
      "1970-01-01T00:00:00.500Z");
  EXPECT_NE(not_future.exit_code, 0);
  EXPECT_NE(not_future.err.find("must be in the future"), std::string::npos) << not_future.err;
  EXPECT_EQ(Json({"case", "show", "case-1"})["steps"][1]["deadline"], kHighest);
  EXPECT_EQ(Json({"case", "show", "case-2"})["steps"][1]["deadline"], "1970-01-02T00:00:00.000Z");

  // import: the same fields in a file.
  const std::string file = WriteLines("edges.jsonl", {{{"type", "certificate"},
                                                       {"participant", "edge-dva"},
                                                       {"number", "I-1"},
                                                       {"body", "Body BV"},
                                                       {"accredited", true},
                                                       {"registered", true},
                                                       {"valid_from", "1970-01-01"},
                                                       {"valid_until", "9999-12-31T23:59:59.999Z"}},
                                                      {{"type", "certificate"},
                                                       {"participant", "edge-dva"},
                                                       {"number", "I-2"},
                                                       {"body", "Body BV"},
                                                       {"valid_from", "1969-12-31T23:00:00-01:00"},
                                                       {"valid_until", "9999-12-30"}},
                                                      {{"type", "audit_statement"},
                                                       {"participant", "edge-dva"},
                                                       {"date", "1970-01-01T00:00:00Z"},
                                                       {"auditor", "Audit BV"},
                                                       {"outcome", "conform"}}});
  auto imported = Admin({"import", file});
  EXPECT_EQ(imported.exit_code, 0) << imported.err;
  by_number.clear();
  for (const auto& c : Json({"cert", "list", "edge-dva"})) by_number[c["number"]] = c;
  EXPECT_EQ(by_number["I-1"]["valid_from"], "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(by_number["I-1"]["valid_until"], kHighest);
  EXPECT_EQ(by_number["I-2"]["valid_from"], "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(by_number["I-2"]["valid_until"], "9999-12-31T00:00:00.000Z");

  ExpectEverythingReadsTheRecords();
}

TEST_F(CliDatesTest, OnePastEitherEdgeIsRefusedNamingTheRangeAndChangesNothing) {
  struct Case {
    std::vector<std::string> args;
    std::string field;     // must appear in the one error line
    std::string now = "";  // MEDMIJ_TEST_NOW for the command, when set
  };
  auto cert = [](const std::string& from, const std::string& until) {
    return std::vector<std::string>{"cert",        "add",           "edge-dva", "--number",
                                    "N",           "--body",        "Body BV",  "--valid-from",
                                    from,          "--valid-until", until,      "--accredited",
                                    "--registered"};
  };
  auto audit = [](const std::string& date) {
    return std::vector<std::string>{"audit-statement", "add",      "edge-dva",  "--date", date,
                                    "--auditor",       "Audit BV", "--outcome", "conform"};
  };
  auto step = [](const std::string& deadline) {
    return std::vector<std::string>{"case",     "step",    "case-1",     "--to",  "explanation",
                                    "--reason", "explain", "--deadline", deadline};
  };
  const std::vector<Case> cases = {
      // The attack report's command: the end of 9999-12-31 is 10000-01-01T00:00:00Z.
      {cert("2026-01-01", "9999-12-31"), "--valid-until"},
      {cert("2026-01-01", "9999-12-31T23:00:00-05:00"), "--valid-until"},
      {cert("2026-01-01", "9999-12-31T23:59:59.999-00:01"), "--valid-until"},
      {cert("2026-01-01", "10000-01-01T00:00:00Z"), "--valid-until"},
      {cert("1969-12-31", "2027-01-01"), "--valid-from"},
      {cert("1969-12-31T23:59:59.999Z", "2027-01-01"), "--valid-from"},
      {cert("1970-01-01T00:00:00+00:01", "2027-01-01"), "--valid-from"},
      {cert("0001-01-01", "2027-01-01"), "--valid-from"},
      {audit("1969-12-31"), "--date"},
      {audit("1970-01-01T00:59:59.999+01:00"), "--date"},
      {audit("0001-01-01"), "--date"},
      {step("9999-12-31"), "--deadline"},
      {step("9999-12-31T23:00:00-05:00"), "--deadline"},
      {step("1969-12-31T23:59:59.999Z"), "--deadline"},
      {{"participant", "explain", "edge-dva", "--at", "1969-12-31T23:59:59.999Z"}, "--at"},
      {{"participant", "explain", "edge-dva", "--at", "9999-12-31T23:59:59.999-00:01"}, "--at"},
      {{"participant", "history", "edge-dva", "--at", "1969-12-31"}, "--at"},
      {{"participant", "history", "edge-dva", "--at", "10000-01-01T00:00:00Z"}, "--at"},
      {{"service", "add", "7", "--name", "Valid Name"},
       "MEDMIJ_TEST_NOW",
       "1969-12-31T23:59:59.999Z"},
      {{"service", "add", "7", "--name", "Valid Name"},
       "MEDMIJ_TEST_NOW",
       "9999-12-31T23:00:00-05:00"},
  };
  const std::string before = Journal();
  for (const auto& c : cases) {
    auto r = AdminAt(c.args, c.now);
    EXPECT_EQ(r.exit_code, 2) << Join(c.args) << "\n" << r.err;
    auto lines = Lines(r.err);
    ASSERT_EQ(lines.size(), 1u) << Join(c.args) << "\n" << r.err;
    EXPECT_EQ(lines[0].find(Cat("medmij-admin: ", c.field, ": '")), 0u) << lines[0];
    EXPECT_NE(lines[0].find(kRange), std::string::npos) << lines[0];
    EXPECT_EQ(lines[0].find("calendar"), std::string::npos) << lines[0];
    EXPECT_TRUE(r.out.empty()) << r.out;
  }

  // import: each bad field is reported by line and nothing of the file is written.
  auto good_cert =
      json{{"type", "certificate"}, {"participant", "edge-dva"},  {"number", "I-1"},
           {"body", "Body BV"},     {"valid_from", "2026-01-01"}, {"valid_until", "2027-01-01"}};
  auto past_end = good_cert;
  past_end["valid_until"] = "9999-12-31";
  auto before_start = good_cert;
  before_start["valid_from"] = "1969-12-31T23:59:59Z";
  const std::string file = WriteLines("outside.jsonl", {good_cert,
                                                        past_end,
                                                        before_start,
                                                        {{"type", "audit_statement"},
                                                         {"participant", "edge-dva"},
                                                         {"date", "0001-01-01"},
                                                         {"auditor", "Audit BV"},
                                                         {"outcome", "conform"}}});
  auto r = Admin({"import", file});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  for (const std::string& expect :
       {Cat("line 2: valid_until: '9999-12-31' is ", kRange),
        Cat("line 3: valid_from: '1969-12-31T23:59:59Z' is ", kRange),
        Cat("line 4: date: '0001-01-01' is ", kRange), std::string("nothing was written")}) {
    EXPECT_NE(r.err.find(expect), std::string::npos) << expect << "\n" << r.err;
  }
  EXPECT_EQ(Lines(r.err).size(), 4u) << r.err;

  EXPECT_EQ(Journal(), before);
  ExpectEverythingReadsTheRecords();
}

}  // namespace
}  // namespace medmij::testing
