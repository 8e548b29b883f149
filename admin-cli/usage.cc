#include "admin-cli/usage.h"

#include <algorithm>
#include <vector>

#include "registry/common/text.h"

namespace medmij::cli {
namespace {

// Optimal string alignment distance: Levenshtein plus the swap of two adjacent characters.
size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

// The innermost command given on the command line ("node add") and its path.
const CLI::App* InnermostCommand(const CLI::App& app, std::string* path) {
  const CLI::App* cmd = &app;
  for (auto subs = cmd->get_subcommands(); !subs.empty(); subs = cmd->get_subcommands()) {
    cmd = subs.front();
    if (!path->empty()) *path += ' ';
    *path += cmd->get_name();
  }
  return cmd;
}

}  // namespace

std::optional<std::string> NearestName(std::string_view word,
                                       const std::vector<std::string>& candidates) {
  const size_t reach = word.size() <= 4 ? 1 : 2;
  std::optional<std::string> best;
  size_t best_distance = reach + 1;
  for (const auto& c : candidates) {
    const size_t d = EditDistance(word, c);
    if (d < best_distance) {
      best = c;
      best_distance = d;
    }
  }
  if (best) return best;
  if (word.size() < 3) return std::nullopt;
  std::optional<std::string> prefixed;
  for (const auto& c : candidates) {
    if (c.size() > word.size() && c.compare(0, word.size(), word) == 0) {
      if (prefixed) return std::nullopt;  // ambiguous
      prefixed = c;
    }
  }
  return prefixed;
}

std::optional<std::string> MistypedNameError(const CLI::App& app,
                                             const std::vector<std::string>& args) {
  // The words are walked as CLI11 reads them: subcommands descend, an option (of the command or
  // one it falls through to) that takes a value consumes the next word. CLI11 itself passes an
  // unknown word up to the root (fallthrough), so its leftovers do not say where it stood.
  const CLI::App* cmd = &app;
  std::string path;
  auto find_option = [&](const std::string& name) -> const CLI::Option* {
    for (const CLI::App* c = cmd; c != nullptr; c = c->get_parent()) {
      if (const CLI::Option* opt = c->get_option_no_throw(name)) return opt;
    }
    return nullptr;
  };
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") return std::nullopt;  // values follow
    const std::string where = path.empty() ? std::string() : path + ": ";
    if (a.size() > 2 && a.rfind("--", 0) == 0) {
      const std::string name = a.substr(0, a.find('='));
      if (const CLI::Option* opt = find_option(name)) {
        if (opt->get_expected_max() > 0 && name.size() == a.size()) ++i;
        continue;
      }
      // Compared without the dashes, which every candidate shares.
      std::vector<std::string> names;
      for (const CLI::App* c = cmd; c != nullptr; c = c->get_parent()) {
        for (const CLI::Option* opt : c->get_options()) {
          for (const auto& l : opt->get_lnames()) names.push_back(l);
        }
      }
      auto near = NearestName(name.substr(2), names);
      if (!near) return std::nullopt;  // OptionLikeArgumentError or CLI11 says it
      return where + "unknown option '" + EscapeForDisplay(name, 64) + "'; did you mean '--" +
             *near + "'?";
    }
    if (a.size() > 1 && a.front() == '-') {
      const CLI::Option* opt = find_option(a.substr(0, 2));
      if (opt == nullptr) return std::nullopt;
      if (opt->get_expected_max() > 0 && a.size() == 2) ++i;
      continue;
    }
    std::vector<std::string> subs;
    for (const CLI::App* sub : cmd->get_subcommands([](const CLI::App*) { return true; })) {
      if (!sub->get_disabled() && !sub->get_name().empty()) subs.push_back(sub->get_name());
    }
    if (std::find(subs.begin(), subs.end(), a) != subs.end()) {
      cmd = cmd->get_subcommand(a);  // one of `subs`: found
      if (!path.empty()) path += ' ';
      path += a;
      continue;
    }
    // A value (a positional argument), or surplus: CLI11 says so.
    if (subs.empty()) continue;
    const std::string shown = EscapeForDisplay(a, 64);
    if (auto near = NearestName(a, subs)) {
      return where + "unknown command '" + shown + "'; did you mean '" + *near + "'?";
    }
    std::string all;
    for (const auto& s : subs) {
      if (!all.empty()) all += ", ";
      all += s;
    }
    return where + "unknown command '" + shown + "' (commands: " + all + ")";
  }
  return std::nullopt;
}

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
  std::string path;
  const CLI::App* cmd = InnermostCommand(app, &path);
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
