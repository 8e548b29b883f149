// What went wrong on a command line CLI11 refused, said the way an operator needs it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

namespace medmij::cli {

// After `app.parse` threw: when an argument that starts with '-' was not taken as an option or a
// value (CLI11 leaves it over, and then reports the positional it was meant for as missing), the
// real cause, naming the command and the argument:
//   node add: HOSTNAME "-lead.example.nl" looks like an option; put -- before it
//   participant suspend: "-x" is not an option of this command (a value that starts with '-' goes
//   after --)
// nullopt when no such argument is left over (CLI11's own message says it then).
std::optional<std::string> OptionLikeArgumentError(const CLI::App& app);

// After `app.parse(args)` threw (`args`: the arguments without the program name): the first
// mistyped name among them, walking them as CLI11 does:
//   unknown command 'participnt'; did you mean 'participant'?
//   participant list: unknown option '--stauts'; did you mean '--status'?
//   journal: unknown command 'frobnicate' (commands: verify, export)
// A word where the command reached expects a subcommand is always named (with the nearest
// subcommand, or the list when none is near). An unknown "--name" is named only when an option
// of that command or one it falls through to is near (otherwise OptionLikeArgumentError or
// CLI11 says what is wrong). nullopt when no name is mistyped.
std::optional<std::string> MistypedNameError(const CLI::App& app,
                                             const std::vector<std::string>& args);

// The candidate nearest to `word` by edit distance (insertions, deletions, substitutions and
// swaps of adjacent characters), if within reach: at most 1 edit for words of up to 4 characters,
// 2 for longer ones, or else the only candidate `word` (3 characters or more) is a prefix of.
// Ties go to the first in `candidates`.
std::optional<std::string> NearestName(std::string_view word,
                                       const std::vector<std::string>& candidates);

}  // namespace medmij::cli
