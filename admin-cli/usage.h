// What went wrong on a command line CLI11 refused, said the way an operator needs it.
#pragma once

#include <optional>
#include <string>

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

}  // namespace medmij::cli
