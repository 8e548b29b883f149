// The registry's transparency log checked by Go's own implementation of the formats
// (golang.org/x/mod/sumdb/note and sumdb/tlog, built offline from Debian's source tree:
// tests/interop/tlogcheck): the real medmij-registry with a log key, commits made with the real
// medmij-admin, and tlogcheck verifying the checkpoint's signature, recomputing its root from
// the hash tiles, proving every leaf's inclusion with the stored event bytes of the auditor's
// entry bundles, and proving an older checkpoint consistent with a newer one.
#include <sys/stat.h>

#include <gtest/gtest.h>

#include "registry/common/note.h"
#include "tests/integration/service/harness.h"

namespace medmij::testing {
namespace {

constexpr const char* kOrigin = "registry.test.example/log";
constexpr const char* kToken = "interop-auditor-token-0123456789";

class TlogInteropTest : public ::testing::Test {
 protected:
  void SetUp() override {
    data_ = dir_.path() / "data";
    InitDemoRegistry(data_);
    ImportCandidates(data_, "bulk-", 300);  // a full level-0 tile, so a level-1 tile too
    fs::path key = dir_.path() / "log.key";
    ASSERT_EQ(
        RunCommand({"/usr/bin/openssl", "genpkey", "-algorithm", "ed25519", "-out", key.string()})
            .exit_code,
        0);
    auto signer = note::Signer::LoadPem(key, kOrigin);
    ASSERT_TRUE(signer.ok()) << signer.status().message();
    signer_ = std::make_unique<note::Signer>(std::move(signer).value());
    fs::path tokens = dir_.path() / "auditors";
    WriteFile(tokens, "interop:" + Sha256Hex(kToken) + "\n");
    chmod(tokens.c_str(), 0600);
    options_.data_dir = data_;
    options_.pki = MakeDevPki(dir_.path() / "pki");
    // Published before the service starts: its first checkpoint is then the one it serves
    // until the next commit (tlogcheck's tile requests never race a newer checkpoint).
    PublishWithAdmin(data_, options_.pki);
    options_.log_key = key;
    options_.log_origin = kOrigin;
    options_.auditor_tokens_file = tokens;
  }

  // The tree size of the served checkpoint once it covers the whole journal (read by hand: the
  // note's second line), or 0 when that does not happen in time.
  uint64_t WaitForCheckpoint(const Service& service) {
    uint64_t size = 0;
    bool ok = WaitFor(
        [&] {
          HttpResponse r = HttpGet(service.Url("/log/checkpoint"));
          std::vector<std::string> lines = Lines(r.body);
          if (r.status != 200 || lines.size() < 2) return false;
          size = std::stoull(lines[1]);
          return size == Lines(Admin(data_, {"journal", "export"}).out).size();
        },
        std::chrono::seconds(10));
    return ok ? size : 0;
  }

  CommandResult Tlogcheck(const Service& service, const std::vector<std::string>& extra,
                          const std::string& vkey = "") {
    std::vector<std::string> argv = {MEDMIJ_TLOGCHECK_BIN,
                                     "-url",
                                     service.Url(""),
                                     "-vkey",
                                     vkey.empty() ? signer_->verifier().ToString() : vkey,
                                     "-token",
                                     kToken};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return RunCommand(argv);
  }

  TempDir dir_;
  fs::path data_;
  std::unique_ptr<note::Signer> signer_;
  ServiceOptions options_;
};

TEST_F(TlogInteropTest, GoVerifiesCheckpointsInclusionAndConsistency) {
  auto service = std::make_unique<Service>(dir_.path(), options_);
  ASSERT_TRUE(service->Start()) << service->Stderr();
  const uint64_t first = WaitForCheckpoint(*service);
  ASSERT_GT(first, 256u) << service->Stderr();
  const fs::path saved = dir_.path() / "first.checkpoint";
  CommandResult r = Tlogcheck(*service, {"-save", saved.string()});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("tree " + std::to_string(first) + " root "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("; " + std::to_string(first) + " leaves included"), std::string::npos)
      << r.out;

  // More commits (made while the service is down and published before it restarts, so the
  // checkpoint does not move under tlogcheck): the newer checkpoint extends the saved one.
  EXPECT_EQ(service->Stop(), 0) << service->Stderr();
  ImportCandidates(data_, "more-", 40);
  Admin(data_, {"participant", "suspend", "deenigeechtepgo", "--reason", "incident 7"});
  PublishWithAdmin(data_, options_.pki);
  service = std::make_unique<Service>(dir_.path(), options_);
  ASSERT_TRUE(service->Start()) << service->Stderr();
  const uint64_t second = WaitForCheckpoint(*service);
  ASSERT_GT(second, first + 40) << service->Stderr();
  r = Tlogcheck(*service, {"-old", saved.string()});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("tree " + std::to_string(second) + " root "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("; " + std::to_string(second) + " leaves included"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("consistent with tree " + std::to_string(first)), std::string::npos)
      << r.out;

  // Go refuses what does not hold: a checkpoint of another tree at the saved size, signed with
  // the log key (a split view), and the log's checkpoint under another key.
  const std::string fork_root = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
  auto forked =
      signer_->Sign(std::string(kOrigin) + "\n" + std::to_string(first) + "\n" + fork_root + "\n");
  ASSERT_TRUE(forked.ok()) << forked.status().message();
  const fs::path fork = dir_.path() / "fork.checkpoint";
  WriteFile(fork, *forked);
  r = Tlogcheck(*service, {"-old", fork.string()});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.err.find("is not consistent with tree"), std::string::npos) << r.err;
  auto other = note::Signer::FromSeed(kOrigin, std::string(32, '\x07'));
  ASSERT_TRUE(other.ok());
  r = Tlogcheck(*service, {}, other->verifier().ToString());
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.err.find("checkpoint signature"), std::string::npos) << r.err;
  EXPECT_EQ(service->Stop(), 0) << service->Stderr();
}

}  // namespace
}  // namespace medmij::testing
