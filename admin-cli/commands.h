// medmij-admin command groups. Each Add*Commands registers its subcommands on `app`; the chosen
// command's action is stored in `action` and run after parsing.
#pragma once

#include <functional>

#include <CLI/CLI.hpp>

#include "admin-cli/context.h"

namespace medmij::cli {

using Action = std::function<int()>;

void AddParticipantCommands(CLI::App& app, Context& ctx, Action& action);
void AddEvidenceCommands(CLI::App& app, Context& ctx, Action& action);  // cert, audit, qual, label
void AddNetworkCommands(CLI::App& app, Context& ctx, Action& action);   // node, oauth, service,
                                                                        // provider
void AddCaseCommands(CLI::App& app, Context& ctx, Action& action);
void AddAdminCommands(CLI::App& app, Context& ctx, Action& action);  // init, import, journal,
                                                                     // check, backup
void AddListCommands(CLI::App& app, Context& ctx, Action& action);   // publish, lists
void AddAuditCommands(CLI::App& app, Context& ctx, Action& action);  // audit bundle
void AddStatusCommand(CLI::App& app, Context& ctx, Action& action);  // status
void AddDueCommand(CLI::App& app, Context& ctx, Action& action);     // due
void AddRemindCommand(CLI::App& app, Context& ctx, Action& action);  // remind
void AddReportCommand(CLI::App& app, Context& ctx, Action& action);  // report

// Sets `action` to `fn` when `sub` is the command given.
inline void OnRun(CLI::App* sub, Action& action, Action fn) {
  sub->callback([&action, fn = std::move(fn)] { action = fn; });
}

// Parses a DATE/TIME option value; the error names the option.
Result<Time> ParseTimeOption(const std::string& text, const std::string& option,
                             DateMeaning meaning = DateMeaning::kStartOfDay);

}  // namespace medmij::cli
