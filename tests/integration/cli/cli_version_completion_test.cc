// --version on every program, and medmij-admin's generated bash completion run in a real bash.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include "tests/integration/cli/cli_fixture.h"
#include "tests/support/process.h"

namespace medmij::testing {
namespace {

// The commit the binaries must report: this checkout's HEAD, or "unknown" when the source tree
// is not a git checkout of its own (a copied tree, a tarball).
std::string ExpectedCommitPrefix() {
  RunResult top =
      RunProcess({"/usr/bin/git", "-C", MEDMIJ_SOURCE_DIR, "rev-parse", "--show-toplevel"});
  std::error_code ec;
  if (top.exit_code != 0 ||
      !std::filesystem::equivalent(Lines(top.out).at(0), MEDMIJ_SOURCE_DIR, ec)) {
    return "unknown";
  }
  RunResult head = RunProcess({"/usr/bin/git", "-C", MEDMIJ_SOURCE_DIR, "rev-parse", "HEAD"});
  EXPECT_EQ(head.exit_code, 0);
  return Lines(head.out).at(0);
}

TEST(Version, EveryProgramPrintsVersionAndCommit) {
  const std::string commit = ExpectedCommitPrefix();
  for (const char* program : {"admin-cli/medmij-admin", "registry/service/medmij-registry",
                              "signer/medmij-verify", "signer/medmij-sign"}) {
    SCOPED_TRACE(program);
    RunResult r = RunProcess({Binary(program).string(), "--version"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    const std::string name = std::filesystem::path(program).filename().string();
    // "medmij-admin 0.1.0 (git <40 hex>[-dirty])" or "(git unknown)".
    std::smatch m;
    std::string first = Lines(r.out).empty() ? "" : Lines(r.out).front();
    ASSERT_TRUE(
        std::regex_match(first, m, std::regex(name + " ([0-9]+\\.[0-9]+\\.[0-9]+) \\(git (.*)\\)")))
        << r.out;
    EXPECT_EQ(m[1].str(), MEDMIJ_PROJECT_VERSION);
    if (commit == "unknown") {
      EXPECT_EQ(m[2].str(), "unknown");
    } else {
      EXPECT_TRUE(m[2].str() == commit || m[2].str() == commit + "-dirty") << m[2].str();
    }
  }
}

class CompletionTest : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    RunResult r = Admin({"completion", "bash"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    script_ = dir_ / "medmij-admin.bash";
    std::ofstream(script_) << r.out;
  }

  // What bash offers for the command line `words` (the last one is being completed), with the
  // generated script loaded as bash-completion would load it.
  std::vector<std::string> Complete(const std::vector<std::string>& words) {
    std::string array;
    for (const auto& w : words) array += " '" + w + "'";
    std::string cmd = "set -u; source '" + script_.string() + "'; COMP_WORDS=(" + array +
                      "); COMP_CWORD=" + std::to_string(words.size() - 1) +
                      "; _medmij_admin; printf '%s\\n' \"${COMPREPLY[@]}\"";
    RunResult r = RunProcess({"/bin/bash", "--norc", "-c", cmd});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.err, "");
    std::vector<std::string> out;
    for (auto& l : Lines(r.out)) {
      if (!l.empty()) out.push_back(l);
    }
    return out;
  }

  std::filesystem::path script_;
};

TEST_F(CompletionTest, RegistersAndCompletesFromTheCommandTree) {
  std::ifstream in(script_);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("complete -o default -F _medmij_admin medmij-admin\n"), std::string::npos);
  // Every top-level command of --help is offered (the script comes from the same tree).
  std::vector<std::string> top = Complete({"medmij-admin", ""});
  for (const char* cmd : {"init", "participant", "cert", "audit-statement", "qualification",
                          "label", "node", "oauth-client", "service", "provider", "case", "import",
                          "due", "journal", "check", "backup", "publish", "lists", "completion"}) {
    EXPECT_NE(std::find(top.begin(), top.end(), cmd), top.end()) << cmd;
  }
  EXPECT_EQ(Complete({"medmij-admin", "parti"}), std::vector<std::string>{"participant"});
  EXPECT_EQ(Complete({"medmij-admin", "participant", "en"}), std::vector<std::string>{"enrol"});
  EXPECT_EQ(Complete({"medmij-admin", "provider", "service", "a"}),
            std::vector<std::string>{"add"});
  // Options of the command, and the global ones (they fall through to every command).
  EXPECT_EQ(Complete({"medmij-admin", "participant", "enrol", "acme", "--k"}),
            std::vector<std::string>{"--kvk"});
  EXPECT_EQ(Complete({"medmij-admin", "participant", "enrol", "--data"}),
            std::vector<std::string>{"--data-dir"});
  // An option's value is not a command: "participant" after --data-dir is the value, so the
  // word after it is completed as a top-level command again.
  EXPECT_EQ(Complete({"medmij-admin", "--data-dir", "participant", "parti"}),
            std::vector<std::string>{"participant"});
  EXPECT_EQ(Complete({"medmij-admin", "--data-dir", "/var/lib/x", "participant", "sh"}),
            std::vector<std::string>{"show"});
  // The value of an option is left to bash's default (file names): nothing is offered.
  EXPECT_TRUE(Complete({"medmij-admin", "participant", "enrol", "acme", "--kvk", ""}).empty());
  // A flag takes no value: the word after it is still completed.
  EXPECT_EQ(Complete({"medmij-admin", "--json", "lists", "st"}),
            std::vector<std::string>{"status"});
}

}  // namespace
}  // namespace medmij::testing
