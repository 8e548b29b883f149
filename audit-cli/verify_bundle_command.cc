#include "audit-cli/verify_bundle_command.h"

#include <fstream>
#include <optional>
#include <sstream>

#include "audit/bundle.h"
#include "registry/common/note.h"

namespace medmij::audit_cli {
namespace {

std::optional<std::string> ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream s;
  s << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return s.str();
}

}  // namespace

int VerifyBundleCommand(const std::vector<std::string>& args, std::ostream& out,
                        std::ostream& err) {
  std::string file, vkey_file;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--vkey" && i + 1 < args.size()) {
      vkey_file = args[++i];
    } else if (file.empty() && !args[i].starts_with("--")) {
      file = args[i];
    } else {
      err << "medmij-audit verify-bundle: unexpected argument '" << args[i] << "'\n";
      return 2;
    }
  }
  if (file.empty() || vkey_file.empty()) {
    err << "usage: medmij-audit verify-bundle FILE --vkey VKEY-FILE\n";
    return 2;
  }
  auto vkey_text = ReadAll(vkey_file);
  if (!vkey_text) {
    err << "'" << vkey_file << "': cannot read\n";
    return 1;
  }
  // The file holds one verifier key; a final newline is not part of it.
  while (!vkey_text->empty() && (vkey_text->back() == '\n' || vkey_text->back() == '\r'))
    vkey_text->pop_back();
  auto verifier = note::Verifier::Parse(*vkey_text);
  if (!verifier.ok()) {
    err << "'" << vkey_file << "': " << verifier.status().message() << "\n";
    return 1;
  }
  auto bytes = ReadAll(file);
  if (!bytes) {
    err << "'" << file << "': cannot read\n";
    return 1;
  }
  auto timeline = audit::VerifyBundle(*bytes, *verifier);
  if (!timeline.ok()) {
    err << "'" << file << "': refused: " << timeline.status().message() << "\n";
    return 1;
  }
  out << audit::FormatTimeline(*timeline);
  return 0;
}

}  // namespace medmij::audit_cli
