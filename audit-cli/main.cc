// medmij-audit: tools for an auditor that check the registry's transparency log instead of
// trusting it. Each subcommand lives in its own file.
#include <iostream>
#include <string>
#include <vector>

#include "audit-cli/verify_bundle_command.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    std::cerr << "usage: medmij-audit verify-bundle FILE --vkey VKEY-FILE\n";
    return 2;
  }
  std::string command = args.front();
  args.erase(args.begin());
  if (command == "verify-bundle")
    return medmij::audit_cli::VerifyBundleCommand(args, std::cout, std::cerr);
  std::cerr << "medmij-audit: unknown command '" << command << "'\n";
  return 2;
}
