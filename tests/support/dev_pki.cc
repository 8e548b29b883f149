#include "tests/support/dev_pki.h"

#include <stdexcept>
#include <string>
#include <vector>

#include "tests/support/process.h"

namespace medmij::testing {
namespace {

namespace fs = std::filesystem;

DevPki At(const fs::path& dir) {
  return DevPki{dir,
                dir / "ca.pem",
                dir / "signing.key",
                dir / "signing.pem",
                dir / "chain.pem",
                dir / "intermediate.key",
                dir / "intermediate.pem"};
}

}  // namespace

DevPki SharedDevPki(bool ec) {
  const fs::path dir = Binary("test-fixtures") / (ec ? "dev-pki-ec" : "dev-pki-rsa");
  fs::create_directories(dir.parent_path());
  const std::string script = std::string(MEDMIJ_SOURCE_DIR) + "/deploy/make-dev-ca.sh";
  // Inside the lock: keep a hierarchy whose signing certificate is good for 30 more days,
  // otherwise make it afresh.
  const std::string inner =
      "openssl x509 -checkend 2592000 -noout -in \"$1/signing.pem\" >/dev/null 2>&1 || "
      "bash \"$2\" " +
      std::string(ec ? "--ec " : "") + "--force \"$1\" >/dev/null";
  RunResult r = RunProcess({"/usr/bin/flock", dir.string() + ".lock", "/bin/sh", "-c", inner, "sh",
                            dir.string(), script},
                           "", {}, 300);
  if (r.exit_code != 0) throw std::runtime_error("make-dev-ca.sh failed: " + r.err);
  // The script gives every file its mode (keys 0600, certificates 0644) but makes the directory
  // with the caller's umask (077 in CI): set it, so the fixture is the same under any umask.
  fs::permissions(dir, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                           fs::perms::others_read | fs::perms::others_exec);
  return At(dir);
}

DevPki CopyDevPki(const fs::path& dir, bool ec) {
  DevPki shared = SharedDevPki(ec);
  fs::create_directories(dir);
  fs::copy(shared.dir, dir, fs::copy_options::recursive | fs::copy_options::overwrite_existing);
  return At(dir);
}

DevPki NewSigningCertificate(const fs::path& dir, bool ec, int days) {
  DevPki pki = CopyDevPki(dir, ec);
  fs::remove(pki.key);
  fs::remove(pki.cert);
  // The script keeps the CA and intermediate it finds and makes only the missing signing pair.
  const std::string script = std::string(MEDMIJ_SOURCE_DIR) + "/deploy/make-dev-ca.sh";
  std::vector<std::string> argv = {"/bin/bash", script};
  if (ec) argv.push_back("--ec");
  argv.insert(argv.end(), {"--days", std::to_string(days), dir.string()});
  RunResult r = RunProcess(argv, "", {}, 120);
  if (r.exit_code != 0) throw std::runtime_error("make-dev-ca.sh failed: " + r.err);
  return pki;
}

}  // namespace medmij::testing
