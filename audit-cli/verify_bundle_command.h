// `medmij-audit verify-bundle FILE --vkey VKEY-FILE`: checks a participant's evidence bundle
// offline (audit/bundle.h) and prints its timeline.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace medmij::audit_cli {

// `args` are the words after "verify-bundle". Returns the exit code: 0 verified, 1 refused
// (one line on `err`), 2 usage.
int VerifyBundleCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace medmij::audit_cli
