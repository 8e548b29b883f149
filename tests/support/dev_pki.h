// The development signing hierarchy (deploy/make-dev-ca.sh), made once per build tree and
// shared by every test process: generating RSA-3072 CA keys takes seconds, and each ctest entry
// is its own process. Made under flock in <build>/test-fixtures/, and made again when its
// signing certificate has less than 30 days left (an old build tree).
#pragma once

#include <filesystem>

namespace medmij::testing {

struct DevPki {
  std::filesystem::path dir;
  std::filesystem::path ca;     // ca.pem: the trust anchor
  std::filesystem::path key;    // signing.key (0600)
  std::filesystem::path cert;   // signing.pem
  std::filesystem::path chain;  // chain.pem: the intermediate
  std::filesystem::path intermediate_key;
  std::filesystem::path intermediate_cert;
};

// The shared hierarchy with an EC P-256 (`ec`) or RSA signing key. Read-only for tests: copy it
// (CopyDevPki) to change anything. Its directory is 0755 under any umask, but the build tree
// may sit in a 0700 directory (CI): a process that drops privileges gets its own copy of what it
// reads. Throws std::runtime_error when the script fails.
DevPki SharedDevPki(bool ec);

// A private copy of SharedDevPki(ec) in `dir` (created).
DevPki CopyDevPki(const std::filesystem::path& dir, bool ec);

// CopyDevPki(dir, ec) with a fresh signing key and a signing certificate valid for `days` from
// now (wall clock), issued by the same intermediate: a key roll's next certificate, or a
// short-lived one. Throws std::runtime_error when the script fails.
DevPki NewSigningCertificate(const std::filesystem::path& dir, bool ec, int days);

}  // namespace medmij::testing
