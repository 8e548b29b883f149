// medmij-audit: tools for an auditor that check the registry's transparency log instead of
// trusting it. Each subcommand lives in its own file.
#include <iostream>
#include <string>
#include <vector>

#include "audit-cli/checkpoint_command.h"
#include "audit-cli/verify_bundle_command.h"
#include "registry/common/clock.h"

namespace {

constexpr const char kUsage[] =
    "usage: medmij-audit verify-bundle FILE --vkey VKEY-FILE\n"
    "       medmij-audit checkpoint --base-url URL --vkey VKEY-FILE --state FILE (see --help)\n";

}  // namespace

int main(int argc, char** argv) {
  if (medmij::Status s = medmij::InitProcessClock(); !s.ok()) {
    std::cerr << "medmij-audit: " << s.message() << "\n";
    return 2;
  }
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    std::cerr << kUsage;
    return 2;
  }
  std::string command = args.front();
  args.erase(args.begin());
  if (command == "verify-bundle")
    return medmij::audit_cli::VerifyBundleCommand(args, std::cout, std::cerr);
  if (command == "checkpoint")
    return medmij::audit_cli::CheckpointCommand(args, std::cout, std::cerr);
  std::cerr << "medmij-audit: unknown command '" << command << "'\n" << kUsage;
  return 2;
}
