// medmij-admin: the foundation staff's command line for the MedMij registry.
#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include <CLI/CLI.hpp>

#include "admin-cli/commands.h"
#include "admin-cli/completion.h"
#include "admin-cli/context.h"
#include "admin-cli/usage.h"
#include "registry/common/clock.h"
#include "registry/common/version.h"
#include "registry/domain/validate.h"
#include "registry/store/store.h"

namespace {

std::string OsUser() {
  if (const passwd* pw = getpwuid(geteuid()); pw != nullptr && pw->pw_name != nullptr) {
    return pw->pw_name;
  }
  return "uid-" + std::to_string(geteuid());
}

}  // namespace

int main(int argc, char** argv) {
  using namespace medmij;
  // Tests only: MEDMIJ_TEST_NOW starts this process's clock at another instant.
  if (Status s = InitProcessClock(); !s.ok()) {
    std::cerr << "medmij-admin: " << s.message() << "\n";
    return cli::kExitUsage;
  }
  cli::Context ctx;
  cli::Action action;

  CLI::App app{
      "medmij-admin: enrol, qualify, label, suspend, reinstate and terminate MedMij "
      "participants, and audit the registry"};
  app.require_subcommand(1);
  app.fallthrough();
  app.add_option("--data-dir", ctx.data_dir, "registry data directory")->envname("MEDMIJ_DATA_DIR");
  app.add_option("--operator", ctx.operator_name,
                 "who is acting (default: $MEDMIJ_OPERATOR or the OS user)")
      ->envname("MEDMIJ_OPERATOR");
  app.add_flag("--json", ctx.json, "machine-readable output: one JSON document on stdout");
  app.set_version_flag("--version", VersionLine("medmij-admin"));

  cli::AddAdminCommands(app, ctx, action);
  cli::AddParticipantCommands(app, ctx, action);
  cli::AddEvidenceCommands(app, ctx, action);
  cli::AddNetworkCommands(app, ctx, action);
  cli::AddCaseCommands(app, ctx, action);
  cli::AddListCommands(app, ctx, action);
  cli::AddAuditCommands(app, ctx, action);
  cli::AddStatusCommand(app, ctx, action);
  cli::AddDueCommand(app, ctx, action);
  cli::AddRemindCommand(app, ctx, action);
  cli::AddReportCommand(app, ctx, action);
  cli::AddCompletionCommand(app, "medmij-admin", action);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::cout << app.help();
    return cli::kExitOk;
  } catch (const CLI::CallForAllHelp&) {
    std::cout << app.help("", CLI::AppFormatMode::All);
    return cli::kExitOk;
  } catch (const CLI::CallForVersion& e) {
    std::cout << e.what() << "\n";
    return cli::kExitOk;
  } catch (const CLI::ParseError& e) {
    if (auto typo = cli::MistypedNameError(app, std::vector<std::string>(argv + 1, argv + argc))) {
      std::cerr << "medmij-admin: " << *typo << "\n";
      return cli::kExitUsage;
    }
    if (auto cause = cli::OptionLikeArgumentError(app)) {
      std::cerr << "medmij-admin: " << *cause << "\n";
      return cli::kExitUsage;
    }
    std::cerr << "medmij-admin: " << cli::Shown(e.what()) << " (see medmij-admin --help)\n";
    return cli::kExitUsage;
  }

  if (ctx.operator_name.empty()) ctx.operator_name = OsUser();
  if (Status s = ValidateOperator(ctx.operator_name, "--operator"); !s.ok()) return ctx.Fail(s);
  ctx.now = ProcessClock().Now();
  if (!action) {
    std::cerr << "medmij-admin: no command given (see medmij-admin --help)\n";
    return cli::kExitUsage;
  }
  try {
    return action();
  } catch (const std::exception& e) {
    std::cerr << "medmij-admin: internal error: " << cli::Shown(e.what()) << "\n";
    return cli::kExitInternal;
  }
}
