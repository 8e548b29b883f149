#include "admin-cli/usage.h"

#include <vector>

#include "registry/common/text.h"

namespace medmij::cli {

std::optional<std::string> OptionLikeArgumentError(const CLI::App& app) {
  std::optional<std::string> arg;
  for (const std::string& a : app.remaining(/*recurse=*/true)) {
    if (a.size() > 1 && a.front() == '-' && a != "--") {
      arg = a;
      break;
    }
  }
  if (!arg) return std::nullopt;
  // The innermost command given ("node add"): the one whose positionals the argument was for.
  const CLI::App* cmd = &app;
  std::string path;
  for (auto subs = cmd->get_subcommands(); !subs.empty(); subs = cmd->get_subcommands()) {
    cmd = subs.front();
    if (!path.empty()) path += ' ';
    path += cmd->get_name();
  }
  const std::string shown = "\"" + EscapeForDisplay(*arg, 64) + "\"";
  const std::string where = path.empty() ? std::string() : path + ": ";
  for (const CLI::Option* opt : cmd->get_options()) {
    if (!opt->nonpositional() && opt->get_required() && opt->count() == 0) {
      return where + opt->get_name() + " " + shown + " looks like an option; put -- before it";
    }
  }
  return where + shown +
         " is not an option of this command (a value that starts with '-' goes after --)";
}

}  // namespace medmij::cli
