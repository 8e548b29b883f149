// Shell completion for medmij-admin, generated from its own CLI11 command tree, so it cannot
// drift from the commands (`medmij-admin completion bash|zsh|fish`; the Debian package installs
// the bash one). The tree is first described neutrally (CommandTree), then rendered per shell, so
// other shells render the same description.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

namespace medmij::cli {

struct CompletionOption {
  std::vector<std::string> names;  // "--kvk", "-o"
  bool takes_value = false;        // false: a flag
  std::string description;
};

struct CommandTree {
  std::string name;  // the program for the root, else the subcommand
  std::string description;
  std::vector<CompletionOption> options;  // of this command only (not inherited)
  std::vector<CommandTree> subcommands;   // in the order they were added
};

// Describes `app` (named `program`: an app parsed from argv carries argv[0] as its name) and all
// its subcommands. Options of an app with fallthrough() (the global options) stay on the root;
// renderers offer them on every command below it.
CommandTree DescribeCommands(const CLI::App& app, std::string_view program);

// A bash completion script (bash >= 4.2) for `tree`, defining `_<program>` (dashes become
// underscores) and registering it with `complete`. It completes subcommands by position,
// options of the current command and its ancestors after "-", and leaves the value of an
// option that takes one to bash's default (file names).
std::string RenderBashCompletion(const CommandTree& tree);

// A zsh completion script (zsh >= 5, compinit loaded) for `tree`, defining `_<program>`: the
// same walk and the same offers as bash's, with each subcommand's and option's description
// (_describe), and file names for option values and positionals. It works autoloaded from
// $fpath (as `_<program>`, by its #compdef line) and sourced (it calls compdef).
std::string RenderZshCompletion(const CommandTree& tree);

// A fish completion script (fish >= 3) for `tree`: one `complete` line per subcommand and option,
// each conditioned on the command path of the words before the cursor (a helper function walks
// them as bash's script does), with descriptions; option values and positionals take files.
std::string RenderFishCompletion(const CommandTree& tree);

// Adds `completion bash|zsh|fish` to `root` (the program `program`); each prints its shell's
// rendering of `root` as it is when the command runs (after every command has been added).
void AddCompletionCommand(CLI::App& root, std::string_view program, std::function<int()>& action);

}  // namespace medmij::cli
