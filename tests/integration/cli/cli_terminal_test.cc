// medmij-admin as a person sees it at a terminal, in panes of a tmux server of the test's own
// (Debian's tmux): the progress bar of a long import drawn and cleared, `participant list` fitted
// to 80 and 200 columns and plain when piped, and zsh completion typed with TAB in a real zsh.
// fish completion is asked of a real fish with `complete -C` (no pane needed).
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include "tests/integration/cli/cli_fixture.h"
#include "tests/support/process.h"
#include "tests/support/tmux.h"

namespace medmij::testing {
namespace {

using std::chrono::seconds;

// `s` in single quotes for /bin/sh.
std::string Quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  out += '\'';
  return out;
}

class TerminalTest : public CliTest {
 protected:
  // The shell command line for medmij-admin with `args` on this test's data dir.
  std::string AdminLine(const std::vector<std::string>& args) const {
    std::string line = Quote(Binary("admin-cli/medmij-admin").string());
    for (const std::string& a : Plus({"--data-dir", data_dir(), "--operator", "alice"}, args)) {
      line += ' ';
      line += Quote(a);
    }
    return line;
  }

  // The lines of `screen` between the line that starts with `first` and the line `end`.
  static std::vector<std::string> Between(const std::string& screen, const std::string& first,
                                          const std::string& end) {
    std::vector<std::string> out;
    bool in = false;
    for (const auto& l : Lines(screen)) {
      if (l == end) break;
      if (!in && l.rfind(first, 0) == 0) in = true;
      if (in) out.push_back(l);
    }
    return out;
  }

  Tmux tmux_;
};

TEST_F(TerminalTest, ImportShowsAProgressBarAndClearsItAtTheEnd) {
  // 60 000 enrolments (some seconds): long enough that the bar is drawn (it waits 100 ms
  // before the first), short enough for a loaded machine.
  constexpr int kLines = 60000;
  const auto file = dir_ / "big.jsonl";
  {
    std::ofstream out(file);
    char line[200];
    for (int i = 0; i < kLines; ++i) {
      snprintf(line, sizeof line,
               "{\"type\":\"participant\",\"id\":\"p-%06d\",\"name\":\"Deelnemer %d B.V.\","
               "\"kvk\":\"%08d\",\"roles\":[\"dvp\"]}\n",
               i, i, 10000000 + i);
      out << line;
    }
  }
  ASSERT_TRUE(tmux_.NewSession(
      "import", 100, 30, Cat(AdminLine({"import", file.string()}), "; echo \"==exit $?==\"")));
  // The bar as drawn: label, bar, percentage, bytes done of the file's size, within 99 columns.
  const std::regex bar(R"(import \[#*\.*\] +[0-9]+%  [0-9]+/[0-9]+)");
  std::string last;
  auto drawn = tmux_.WaitFor(
      "import",
      [&](const std::string& s) { return std::regex_search(s, bar) || s.find("==exit") != s.npos; },
      seconds(20), &last);
  ASSERT_TRUE(drawn) << last;
  ASSERT_TRUE(std::regex_search(*drawn, bar)) << "no progress bar seen before the end:\n" << *drawn;
  for (const auto& l : Lines(*drawn)) {
    if (l.rfind("import [", 0) == 0) {
      EXPECT_LE(l.size(), 99u) << l;
    }
  }
  auto end = tmux_.WaitForText("import", "==exit", seconds(25), &last);
  ASSERT_TRUE(end) << last;
  EXPECT_NE(end->find("==exit 0=="), std::string::npos) << *end;
  // Cleared: the command's own line starts where the bar was, and no bar is left.
  EXPECT_FALSE(std::regex_search(*end, bar)) << *end;
  const auto lines = Lines(*end);
  EXPECT_NE(std::find(lines.begin(), lines.end(),
                      Cat("imported ", std::to_string(kLines), " records from ", file.string())),
            lines.end())
      << *end;

  // The same import with stderr on a pipe (into a data dir of its own): not a byte of a bar.
  const std::string other = (dir_ / "other").string();
  const std::string admin = Binary("admin-cli/medmij-admin").string();
  ASSERT_EQ(RunProcess({admin, "--data-dir", other, "init"}).exit_code, 0);
  RunResult piped =
      RunProcess({admin, "--data-dir", other, "--operator", "alice", "import", file.string()});
  EXPECT_EQ(piped.exit_code, 0) << piped.err;
  EXPECT_EQ(piped.err, "");
  EXPECT_EQ(piped.out,
            Cat("imported ", std::to_string(kLines), " records from ", file.string(), "\n"));
}

// Every line of `table` has each column start where the header's column starts (after at
// least two spaces), and no line is wider than `width`.
void ExpectAligned(const std::vector<std::string>& table, size_t width) {
  ASSERT_GE(table.size(), 2u);
  std::vector<size_t> starts;
  const std::string& header = table[0];
  for (size_t i = 0; i < header.size(); ++i) {
    if (header[i] != ' ' && (i == 0 || header[i - 1] == ' ')) starts.push_back(i);
  }
  ASSERT_EQ(starts.size(), 7u) << header;  // ID ROLES STATUS LABEL STANDING EMAIL NAME
  for (const auto& l : table) {
    EXPECT_LE(l.size(), width) << l;
    for (size_t s : starts) {
      if (s == 0) continue;
      ASSERT_LT(s, l.size()) << l;
      EXPECT_NE(l[s], ' ') << "column at " << s << " of: " << l;
      EXPECT_EQ(l.substr(s - 2, 2), "  ") << "column at " << s << " of: " << l;
    }
  }
}

TEST_F(TerminalTest, ParticipantListFitsTheTerminalAndIsPlainWhenPiped) {
  for (const char* id : {"acme-pgo", "zorg-dva", "lab-dva"}) {
    Ok({"participant", "enrol", id, "--name",
        Cat("Stichting Samenwerkende Zorgaanbieders Regio ", id, " en Omstreken B.V."), "--kvk",
        "12345678", "--role", std::string(id).find("dva") != std::string::npos ? "dva" : "dvp",
        "--email", Cat("functioneel-beheer.", id, "@voorbeeld-zorgorganisatie.example")});
  }
  // What a pipe or file gets (this process reads it from a pipe): aligned to the content.
  const std::string plain = Ok({"participant", "list"});
  const auto plain_lines = Lines(plain);
  size_t plain_width = 0;
  for (const auto& l : plain_lines) plain_width = std::max(plain_width, l.size());
  ASSERT_GT(plain_width, 80u) << plain;
  ASSERT_LT(plain_width, 200u) << plain;
  EXPECT_EQ(plain.find('~'), std::string::npos);

  const std::string list = Cat(AdminLine({"participant", "list"}), "; echo ==end==");
  ASSERT_TRUE(tmux_.NewSession("w80", 80, 30, list));
  ASSERT_TRUE(tmux_.NewSession("w200", 200, 30, list));
  ASSERT_TRUE(tmux_.NewSession("piped", 80, 30,
                               Cat(AdminLine({"participant", "list"}), " | cat; echo ==end==")));
  std::string last;
  {
    SCOPED_TRACE("80 columns");
    auto screen = tmux_.WaitForText("w80", "==end==", seconds(10), &last);
    ASSERT_TRUE(screen) << last;
    const auto table = Between(*screen, "ID  ", "==end==");
    ASSERT_EQ(table.size(), 4u) << *screen;
    ExpectAligned(table, 80);
    // The widest columns are cut to fit, each cut cell ending in '~'.
    EXPECT_NE(screen->find("~"), std::string::npos) << *screen;
    for (size_t i = 1; i < table.size(); ++i) {
      EXPECT_NE(table[i].find("~"), std::string::npos) << table[i];
      EXPECT_EQ(table[i].size(), table[1].size()) << "rows of equal cells fill equally";
    }
  }
  {
    SCOPED_TRACE("200 columns");
    auto screen = tmux_.WaitForText("w200", "==end==", seconds(10), &last);
    ASSERT_TRUE(screen) << last;
    const auto table = Between(*screen, "ID  ", "==end==");
    ExpectAligned(table, 200);
    EXPECT_EQ(table, plain_lines) << "wide enough: nothing is cut";
  }
  {
    SCOPED_TRACE("piped through cat at 80 columns");
    auto screen = tmux_.WaitForText("piped", "==end==", seconds(10), &last);
    ASSERT_TRUE(screen) << last;
    // Wrapped by the terminal, joined again by capture-pane -J: the plain output, uncut.
    EXPECT_EQ(Between(*screen, "ID  ", "==end=="), plain_lines) << *screen;
  }
}

class ShellCompletionTest : public TerminalTest {
 protected:
  std::filesystem::path Script(const std::string& shell) {
    RunResult r = Admin({"completion", shell});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    auto file = dir_ / Cat("medmij-admin.", shell);
    std::ofstream(file) << r.out;
    return file;
  }
};

// zsh, interactive, in a pane: TAB runs the completion and then shows a numbered marker
// (compdone-N) under the line, so each step waits for its own completion to have run. Both ways
// of installing it: sourced after compinit, and autoloaded from $fpath as _medmij-admin (the
// file is then the body of that function, run at every completion).
TEST_F(ShellCompletionTest, ZshCompletesCommandsAndOptionsAtTheKeyboard) {
  const auto script = Script("zsh");
  const auto functions = dir_ / "zsh-functions";
  std::filesystem::create_directories(functions);
  std::filesystem::copy_file(script, functions / "_medmij-admin");
  struct Install {
    const char* name;
    std::string zshrc;  // what loads the completion
  };
  const Install installs[] = {
      {"sourced",
       Cat("autoload -U compinit && compinit -u -D\nsource ", Quote(script.string()), "\n")},
      {"fpath", Cat("fpath=(", Quote(functions.string()),
                    " $fpath)\nautoload -U compinit && compinit -u -D\n")},
  };
  for (const Install& install : installs) {
    SCOPED_TRACE(install.name);
    const auto zdotdir = dir_ / Cat("zdotdir-", install.name);
    std::filesystem::create_directories(zdotdir);
    std::ofstream(zdotdir / ".zshrc") << "PS1='%% '\n"
                                      << install.zshrc
                                      << "typeset -gi compdone=0\n"
                                         "complete-and-mark() {\n"
                                         "  zle complete-word\n"
                                         "  (( compdone++ ))\n"
                                         "  zle -M \"compdone-$compdone\"\n"
                                         "}\n"
                                         "zle -N complete-and-mark\n"
                                         "bindkey '^I' complete-and-mark\n";
    const std::string session = Cat("zsh-", install.name);
    ASSERT_TRUE(tmux_.NewSession(
        session, 120, 30, Cat("ZDOTDIR=", Quote(zdotdir.string()), " exec /usr/bin/zsh -i")));
    std::string last;
    ASSERT_TRUE(tmux_.WaitForText(session, "%", seconds(10), &last)) << last;
    int n = 0;
    // Types `line`, TAB, waits for the marker; returns the command line as the screen shows it.
    auto complete = [&](const std::string& line) -> std::string {
      tmux_.SendKeys(session, {"C-u"});
      tmux_.SendKeys(session, {line}, /*literal=*/true);
      tmux_.SendKeys(session, {"Tab"});
      auto screen =
          tmux_.WaitForText(session, Cat("compdone-", std::to_string(++n)), seconds(10), &last);
      EXPECT_TRUE(screen) << last;
      if (!screen) return "";
      for (const auto& l : Lines(*screen)) {
        if (l.rfind("% medmij-admin", 0) == 0) return l;
      }
      return *screen;
    };
    EXPECT_EQ(complete("medmij-admin parti"), "% medmij-admin participant");
    EXPECT_EQ(complete("medmij-admin participant en"), "% medmij-admin participant enrol");
    EXPECT_EQ(complete("medmij-admin participant enrol acme --k"),
              "% medmij-admin participant enrol acme --kvk");
    EXPECT_EQ(complete("medmij-admin participant enrol acme --r"),
              "% medmij-admin participant enrol acme --role");
    EXPECT_EQ(complete("medmij-admin provider service a"), "% medmij-admin provider service add");
    // A global option, offered below a command (they fall through).
    EXPECT_EQ(complete("medmij-admin lists status --data-d"),
              "% medmij-admin lists status --data-dir");
    // After an option that takes a value the next word is that value, not a command.
    EXPECT_EQ(complete("medmij-admin --operator partic"), "% medmij-admin --operator partic");
  }
}

TEST_F(ShellCompletionTest, FishCompletesCommandsAndOptions) {
  const auto script = Script("fish");
  const auto home = dir_ / "fish-home";
  std::filesystem::create_directories(home);
  // The words fish offers for `line` (without their descriptions).
  auto complete = [&](const std::string& line) {
    RunResult r =
        RunProcess({"/usr/bin/fish", "--no-config", "-c",
                    Cat("source ", Quote(script.string()), "; complete -C ", Quote(line))},
                   "",
                   {{"HOME", home.string()},
                    {"XDG_CONFIG_HOME", (home / "config").string()},
                    {"XDG_DATA_HOME", (home / "data").string()}});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.err, "");
    std::vector<std::string> words;
    for (const auto& l : Lines(r.out)) words.push_back(l.substr(0, l.find('\t')));
    return words;
  };
  using Words = std::vector<std::string>;
  EXPECT_EQ(complete("medmij-admin parti"), Words{"participant"});
  EXPECT_EQ(complete("medmij-admin participant en"), Words{"enrol"});
  EXPECT_EQ(complete("medmij-admin participant enrol acme --k"), Words{"--kvk"});
  EXPECT_EQ(complete("medmij-admin provider service a"), Words{"add"});
  EXPECT_EQ(complete("medmij-admin lists status --data-d"), Words{"--data-dir"});
  // Every top-level command is offered, with its description.
  const Words top = complete("medmij-admin ");
  for (const char* cmd : {"init", "participant", "import", "journal", "check", "backup", "publish",
                          "lists", "completion"}) {
    EXPECT_NE(std::find(top.begin(), top.end(), cmd), top.end()) << cmd;
  }
  // The value of an option is not a command.
  const Words value = complete("medmij-admin --operator partic");
  EXPECT_EQ(std::find(value.begin(), value.end(), "participant"), value.end());
}

}  // namespace
}  // namespace medmij::testing
