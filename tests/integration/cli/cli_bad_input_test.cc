// Every field gets a bad value: one clear error line naming the field, exit 2, nothing changed.
#include "tests/integration/cli/cli_fixture.h"

namespace medmij::testing {
namespace {

struct BadInput {
  std::vector<std::string> args;
  std::string field;  // must appear in the error line
};

class CliBadInputTest : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    GoodStanding("good-dva", {"dva"});
    GoodStanding("good-pgo", {"dvp"});
    Ok({"service", "add", "1", "--name", "Basisgegevens Zorg"});
    Ok({"node", "add", "good-dva", "api.good.example"});
    Ok({"qualification", "add", "good-dva", "--service", "1"});
    Ok({"provider", "add", "goodprovider@medmij", "--dva", "good-dva"});
    Ok({"case", "open", "good-pgo", "--type", "incident", "--finding", "late"});
  }
};

std::vector<std::string> Svc(const std::string& auth, const std::string& token,
                             const std::string& role) {
  return {"provider",
          "service",
          "add",
          "goodprovider@medmij",
          "--service",
          "1",
          "--authorization-uri",
          auth,
          "--token-uri",
          token,
          "--role",
          role};
}

TEST_F(CliBadInputTest, EveryBadFieldIsRefusedAndChangesNothing) {
  const std::string ok_role = "R=https://api.good.example/fhir";
  const std::string ok_auth = "https://front.good.example/authorize";
  const std::string ok_token = "https://api.good.example/token";
  // The CLI's side of bad input: what it parses itself (dates, CODE=URI, kind=value, numbers,
  // the operator) and one field per command group to show that an operation's refusal reaches
  // the user as one line naming the field with exit 2. Every field rule of every operation is
  // tested in process (tests/unit/ops/ops_test.cc).
  const std::vector<BadInput> cases = {
      {{"participant", "enrol", "AB", "--name", "X", "--kvk", "12345678", "--role", "dvp"},
       "participant id"},
      {{"participant", "enrol", "new-org", "--name", "X", "--kvk", "1234567", "--role", "dvp"},
       "kvk"},
      {{"participant", "enrol", "new-org", "--name", "X", "--kvk", "12345678", "--role", "dvz"},
       "role"},
      {{"cert", "add", "good-pgo", "--number", "N", "--body", "B V", "--valid-from", "2026-13-01",
        "--valid-until", "2027-01-01"},
       "--valid-from"},
      {{"cert", "add", "good-pgo", "--number", "N", "--body", "B V", "--valid-from", "2026-01-01",
        "--valid-until", "yesterday"},
       "--valid-until"},
      {{"cert", "add", "good-pgo", "--number", "N", "--body", "B V", "--valid-from", "2027-01-01",
        "--valid-until", "2026-01-01"},
       "valid-until"},
      {{"audit-statement", "add", "good-pgo", "--date", "2026-02-30", "--auditor", "A B",
        "--outcome", "conform"},
       "--date"},
      {{"node", "add", "good-dva", "API.good.example"}, "hostname"},
      {{"oauth-client", "add", "good-pgo", "client.good.example", "--org-name", "AB"}, "org-name"},
      {{"service", "add", std::string(31, '1'), "--name", "Valid Name"}, "service id"},
      {{"provider", "add", "Hospital@medmij", "--dva", "good-dva"}, "provider name"},
      {{"provider", "add", "hospitaal@medmij", "--dva", "good-dva", "--type", "XX"}, "type"},
      {{"provider", "add", "hospitaal@medmij", "--dva", "good-dva", "--identifier", "agb=123"},
       "agb"},
      // provider set / provider service set: what the CLI parses, and one field rule each
      {{"provider", "set", "goodprovider@medmij", "--identifier", "agb"}, "--identifier"},
      {{"provider", "set", "goodprovider@medmij", "--identifier", "hrn=has_underscore"}, "hrn"},
      {Plus(Svc(ok_auth, ok_token, ok_role), {"--subscription-max-days", "30"}),
       "--subscription-uri"},
      {Plus(Svc(ok_auth, ok_token, ok_role),
            {"--subscription-max-days", "x", "--subscription-uri", "https://api.good.example/s"}),
       "--subscription-max-days"},
      {Plus(Svc(ok_auth, ok_token, ok_role), {"--interface-version", ".1"}), "interface-version"},
      // front- and back-channel URIs
      {Svc("http://front.good.example/authorize", ok_token, ok_role), "authorization-uri"},
      {Svc(ok_auth, "https://api.good.example:65536/token", ok_role), "token-uri"},
      {Svc(ok_auth, ok_token, "=https://api.good.example/fhir"), "--role"},
      {Svc(ok_auth, ok_token, "R=http://api.good.example/fhir"), "R resource URI"},
      {{"case", "step", "case-1", "--to", "escalate", "--reason", "x"}, "to"},
      {{"case", "step", "case-1", "--to", "explanation", "--reason", "x", "--deadline", "soon"},
       "--deadline"},
      {{"participant", "suspend", "good-pgo", "--reason", ""}, "reason"},
      {{"due", "--within", "abc"}, "--within"},
      // single-line text: line breaks and bidi/format controls, named with the field
      {{"oauth-client", "add", "good-pgo", "client.good.example", "--org-name",
        "Acme \xe2\x80\xaeLV.B"},
       "org-name: must not contain invisible or bidirectional format characters (U+202E)"},
      {{"participant", "enrol", "new-org", "--name", "New\nOrg", "--kvk", "12345678", "--role",
        "dvp"},
       "name: must be a single line"},
      {{"service", "add", "7", "--name", "Valid\xe2\x81\xa6Name"}, "name: must not contain"},
      {{"cert", "add", "good-pgo", "--number",
        "N\xe2\x80\xa8"
        "1",
        "--body", "B V", "--valid-from", "2026-01-01", "--valid-until", "2027-01-01"},
       "number: must be a single line"},
      {{"participant", "suspend", "good-pgo", "--reason", "late\xe2\x80\x8f"},
       "reason: must not contain invisible or bidirectional format characters (U+200F)"},
  };
  const std::string before = Journal();
  for (const auto& c : cases) {
    auto r = Admin(c.args);
    EXPECT_EQ(r.exit_code, 2) << Join(c.args) << "\n" << r.err;
    auto lines = Lines(r.err);
    ASSERT_EQ(lines.size(), 1u) << Join(c.args) << "\n" << r.err;
    EXPECT_NE(lines[0].find(c.field), std::string::npos)
        << Join(c.args) << "\nexpected field '" << c.field << "' in: " << lines[0];
    EXPECT_TRUE(r.out.empty()) << r.out;
  }
  EXPECT_EQ(Journal(), before);
  auto op = Admin({"participant", "suspend", "good-pgo", "--reason", "x"}, "");
  // An empty --operator falls back to the OS user, which is valid: the suspension happens.
  EXPECT_EQ(op.exit_code, 0) << op.err;
  auto bad_op = Admin({"participant", "reinstate", "good-pgo", "--reason", "x"}, "bad\nname");
  EXPECT_EQ(bad_op.exit_code, 2);
  EXPECT_NE(bad_op.err.find("--operator"), std::string::npos) << bad_op.err;
}

// A value that starts with '-' where a positional argument belongs: CLI11 leaves it over and
// reports the positional as missing; the error says what really happened and what to type.
TEST_F(CliBadInputTest, OptionLikeValueIsNamedWithTheFixNotAsMissing) {
  const std::string before = Journal();
  auto r = Admin({"node", "add", "good-dva", "-lead.example.nl"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "medmij-admin: node add: HOSTNAME \"-lead.example.nl\" looks like an option; put -- "
            "before it\n");
  r = Admin(
      {"participant", "enrol", "-acme", "--name", "Acme", "--kvk", "12345678", "--role", "dvp"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "medmij-admin: participant enrol: ID \"-acme\" looks like an option; put -- before "
            "it\n");
  // Every positional given: the argument is an unknown option of that command.
  r = Admin({"participant", "suspend", "good-pgo", "-x", "--reason", "late"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "medmij-admin: participant suspend: \"-x\" is not an option of this command (a value "
            "that starts with '-' goes after --)\n");
  // After --, the value reaches the field's own rule.
  r = Admin({"node", "add", "good-dva", "--", "-lead.example.nl"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "medmij-admin: hostname: hostname labels must not start with '-', got "
            "'-lead.example.nl'\n");
  EXPECT_EQ(Journal(), before);
}

// A mistyped command or option: one line naming it and the nearest name, exit 2, nothing changed.
TEST_F(CliBadInputTest, TypoSuggestsTheNearestCommandOrOption) {
  const std::string before = Journal();
  auto r = Admin({"participnt", "list"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "medmij-admin: unknown command 'participnt'; did you mean 'participant'?\n");
  EXPECT_EQ(r.out, "");
  r = Admin({"participant", "lsit"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "medmij-admin: participant: unknown command 'lsit'; did you mean 'list'?\n");
  r = Admin({"provider", "servise", "add", "x@medmij"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "medmij-admin: provider: unknown command 'servise'; did you mean 'service'?\n");
  r = Admin({"participant", "list", "--stauts", "active"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "medmij-admin: participant list: unknown option '--stauts'; did you mean "
            "'--status'?\n");
  // Before CLI11's "--name is required": the typo is the cause.
  r = Admin(
      {"participant", "enrol", "new-pgo", "--nmae", "New", "--kvk", "12345678", "--role", "dvp"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "medmij-admin: participant enrol: unknown option '--nmae'; did you mean '--name'?\n");
  // A global option, mistyped below a command; "=value" is not part of the name.
  r = Admin({"participant", "list", "--jsno"});
  EXPECT_EQ(r.err,
            "medmij-admin: participant list: unknown option '--jsno'; did you mean '--json'?\n");
  r = Admin({"participant", "list", "--stat=active"});
  EXPECT_EQ(r.err,
            "medmij-admin: participant list: unknown option '--stat'; did you mean "
            "'--status'?\n");
  // Nothing near: the commands there are, still one line.
  r = Admin({"journal", "frobnicate"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "medmij-admin: journal: unknown command 'frobnicate' (commands: verify, export)\n");
  EXPECT_EQ(Journal(), before);
  EXPECT_EQ(Admin({"participant", "show", "new-pgo"}).exit_code, 4);
}

// A reason may span lines; printed for people it stays on its own event's line, so it cannot forge
// another event. --json carries it exactly.
TEST_F(CliBadInputTest, StoredTextIsPrintedEscapedOnOneLine) {
  const std::string forged =
      "late)\n    99  2026-01-01T00:00:00.000Z  mallory  participant reinstate  "
      "participant:good-pgo";
  Ok({"participant", "suspend", "good-pgo", "--reason", forged});
  const std::string plain = Ok({"participant", "history", "good-pgo"});
  const auto lines = Lines(plain);
  size_t suspend_lines = 0;
  for (const auto& l : lines) {
    EXPECT_NE(l.rfind("    99  ", 0), 0u) << plain;  // no forged line of its own
    if (l.find("participant suspend") != std::string::npos) {
      ++suspend_lines;
      EXPECT_NE(l.find("(late)\\n    99  2026-01-01T00:00:00.000Z  mallory"), std::string::npos)
          << l;
    }
  }
  EXPECT_EQ(suspend_lines, 1u) << plain;
  auto events = Json({"participant", "history", "good-pgo"});
  EXPECT_EQ(events.back()["reason"], forged);

  // A case's finding and step reasons, too.
  Ok({"case", "open", "good-dva", "--type", "incident", "--finding", "one\ntwo"});
  const std::string shown = Ok({"case", "show", "case-2"});
  EXPECT_NE(shown.find("finding:     one\\ntwo\n"), std::string::npos) << shown;
}

// MEDMIJ_TEST_NOW (tests only): an instant with a zone starts the command's clock there; anything
// else is one line naming the variable, exit 2, before any command runs.
TEST_F(CliTest, TestClockIsAnInstantOrRefused) {
  const std::string before = Journal();
  for (const char* bad : {"2026-11-22", "soon", "2026-11-22T10:00:00"}) {
    auto r = Admin({"service", "add", "7", "--name", "Valid Name"}, "alice", "", bad);
    EXPECT_EQ(r.exit_code, 2) << bad << "\n" << r.err;
    ASSERT_EQ(Lines(r.err).size(), 1u) << r.err;
    EXPECT_NE(r.err.find("MEDMIJ_TEST_NOW"), std::string::npos) << r.err;
  }
  EXPECT_EQ(Journal(), before);
  auto r =
      Admin({"service", "add", "7", "--name", "Valid Name"}, "alice", "", "2030-01-02T03:04:05Z");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string at =
      nlohmann::json::parse(Lines(Journal()).back())["meta"]["at"].get<std::string>();
  // The clock starts at the instant and runs on at real speed: the same second, give or take.
  EXPECT_EQ(at.substr(0, 16), "2030-01-02T03:04") << at;
}

}  // namespace
}  // namespace medmij::testing
