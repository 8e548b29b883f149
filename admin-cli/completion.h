// Shell completion for medmij-admin, generated from its own CLI11 command tree, so it cannot
// drift from the commands (`medmij-admin completion bash`; the Debian package installs its
// output). The tree is first described neutrally (CommandTree), then rendered per shell, so
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

// Adds `completion bash` to `root` (the program `program`); it prints RenderBashCompletion of
// `root` as it is when the command runs (after every command has been added).
void AddCompletionCommand(CLI::App& root, std::string_view program, std::function<int()>& action);

}  // namespace medmij::cli
