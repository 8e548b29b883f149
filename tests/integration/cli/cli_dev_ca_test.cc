// deploy/make-dev-ca.sh's transparency-log key: an Ed25519 key and its verifier key in the Go
// `note` form, checked against what the stock openssl derives from the key (key id =
// SHA-256(name \n 0x01 key)[:4], key = base64(0x01 || key)), and usable with the registry's
// own note code; a bad origin is refused and a rerun keeps the key.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "registry/common/note.h"
#include "tests/support/process.h"
#include "tests/support/sha256.h"

namespace medmij::testing {
namespace {

namespace fs = std::filesystem;

std::string Read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

RunResult MakeDevCa(const std::vector<std::string>& args) {
  std::vector<std::string> argv{"/bin/bash",
                                std::string(MEDMIJ_SOURCE_DIR) + "/deploy/make-dev-ca.sh"};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunProcess(argv, "", {}, 300);
}

TEST(MakeDevCaTest, MakesALogKeyAndPrintsItsVerifierKey) {
  TempDir dir;
  const fs::path ca = dir / "ca";
  auto r = MakeDevCa({"--ec", "--log-origin", "registry.dev.example/log", ca.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_TRUE(fs::exists(ca / "log.key"));
  EXPECT_EQ(fs::status(ca / "log.key").permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  const std::string vkey_file = Read(ca / "log.vkey");
  ASSERT_FALSE(vkey_file.empty());
  ASSERT_EQ(vkey_file.back(), '\n');
  const std::string vkey = vkey_file.substr(0, vkey_file.size() - 1);
  EXPECT_NE(r.out.find("make-dev-ca: log verifier key: " + vkey + "\n"), std::string::npos)
      << r.out;

  // name+id+key, split at the first two '+' (base64 may hold more).
  size_t p1 = vkey.find('+'), p2 = vkey.find('+', p1 + 1);
  ASSERT_NE(p2, std::string::npos) << vkey;
  EXPECT_EQ(vkey.substr(0, p1), "registry.dev.example/log");
  const std::string id_hex = vkey.substr(p1 + 1, p2 - p1 - 1);
  const std::string key_b64 = vkey.substr(p2 + 1);

  auto der = RunProcess(
      {"/usr/bin/openssl", "pkey", "-in", (ca / "log.key").string(), "-pubout", "-outform", "DER"});
  ASSERT_EQ(der.exit_code, 0) << der.err;
  ASSERT_EQ(der.out.size(), 44u);  // the Ed25519 SubjectPublicKeyInfo: 12 bytes, then the key
  const std::string pub = der.out.substr(12);
  EXPECT_EQ(id_hex, Sha256Hex("registry.dev.example/log\n\x01" + pub).substr(0, 8));
  std::ofstream(dir / "b64") << key_b64 << "\n";
  auto decoded =
      RunProcess({"/usr/bin/openssl", "base64", "-d", "-A", "-in", (dir / "b64").string()});
  ASSERT_EQ(decoded.exit_code, 0);
  EXPECT_EQ(decoded.out, "\x01" + pub);

  // The registry's note code agrees: the verifier key parses and opens what log.key signs.
  auto verifier = note::Verifier::Parse(vkey);
  ASSERT_TRUE(verifier.ok()) << verifier.status().message();
  auto signer = note::Signer::LoadPem(ca / "log.key", "registry.dev.example/log");
  ASSERT_TRUE(signer.ok()) << signer.status().message();
  EXPECT_EQ(signer->verifier().ToString(), vkey);
  auto signed_note =
      signer->Sign("registry.dev.example/log\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n");
  ASSERT_TRUE(signed_note.ok());
  EXPECT_TRUE(note::Open(*signed_note, *verifier).ok());

  // A rerun keeps the key (and so the verifier key).
  auto again = MakeDevCa({"--ec", "--log-origin", "registry.dev.example/log", ca.string()});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(Read(ca / "log.vkey"), vkey_file);
}

TEST(MakeDevCaTest, RefusesAnOriginThatIsNoKeyName) {
  TempDir dir;
  for (const std::string origin : {"", "has space", "has+plus"}) {
    auto r = MakeDevCa({"--log-origin", origin, (dir / "ca").string()});
    EXPECT_EQ(r.exit_code, 2) << origin;
    EXPECT_NE(r.err.find("--log-origin"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(dir / "ca" / "log.key"));
  }
}

}  // namespace
}  // namespace medmij::testing
