// What a binary says about itself: `--version` on every medmij-* program.
#pragma once

#include <string>
#include <string_view>

namespace medmij {

// The project version (CMake's project(VERSION)), e.g. "0.1.0".
std::string_view ProjectVersion();
// The git commit the binary was built from (40 hex digits, "-dirty" appended when the checkout
// had uncommitted changes), or "unknown" when it was built outside a git checkout.
std::string_view GitCommit();

// The one `--version` line: "PROGRAM VERSION (git COMMIT)", e.g.
// "medmij-admin 0.1.0 (git 1f3c...)". help2man reads the version from it.
inline std::string VersionLine(std::string_view program) {
  std::string line(program);
  line.append(" ");
  line.append(ProjectVersion());
  line.append(" (git ");
  line.append(GitCommit());
  line.append(")");
  return line;
}

}  // namespace medmij
