// The transparency log's signed checkpoints from the real medmij-registry: after an admin
// commit a new checkpoint appears within the check interval; its signature is checked with the
// stock `openssl pkeyutl` over the note text, its key id and root hash recomputed here from the
// key openssl derives and the journal `medmij-admin journal export` prints (RFC 6962 written out
// in this file); a restart continues the archived checkpoint, and a journal rolled back behind
// it stops the start instead of forking the log.
#include <gtest/gtest.h>

#include <fstream>

#include "tests/integration/service/harness.h"

namespace medmij::testing {
namespace {

constexpr const char* kOrigin = "registry.test.example/log";

std::string Unhex(const std::string& hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoul(hex.substr(i, 2), nullptr, 16)));
  }
  return out;
}

std::string RawSha256(const std::string& bytes) {
  return Unhex(Sha256Hex(bytes));
}

// RFC 6962 2.1 MTH over leaves[lo, hi).
std::string TreeHash(const std::vector<std::string>& leaves, size_t lo, size_t hi) {
  if (hi == lo) return RawSha256("");
  if (hi - lo == 1) return RawSha256(std::string(1, '\0') + leaves[lo]);
  size_t k = 1;
  while (k * 2 < hi - lo) k *= 2;
  return RawSha256(std::string(1, '\x01') + TreeHash(leaves, lo, lo + k) +
                   TreeHash(leaves, lo + k, hi));
}

struct Parsed {
  std::string text;      // the note text, with its final newline
  std::string origin;    // its first line
  uint64_t size = 0;     // its second line
  std::string root_b64;  // its third line
  std::string key_name;  // of the signature line
  std::string sig_b64;   // of the signature line
};

// Splits a checkpoint note by hand (not with the registry's parser).
Parsed Split(const std::string& note) {
  Parsed p;
  size_t blank = note.rfind("\n\n");
  EXPECT_NE(blank, std::string::npos) << note;
  if (blank == std::string::npos) return p;
  p.text = note.substr(0, blank + 1);
  std::vector<std::string> lines = Lines(p.text);
  EXPECT_EQ(lines.size(), 3u) << note;
  if (lines.size() < 3) return p;
  p.origin = lines[0];
  p.size = std::stoull(lines[1]);
  p.root_b64 = lines[2];
  std::string sig = note.substr(blank + 2);
  const std::string dash = "\xE2\x80\x94 ";
  EXPECT_EQ(sig.substr(0, dash.size()), dash);
  EXPECT_EQ(sig.back(), '\n');
  sig = sig.substr(dash.size(), sig.size() - dash.size() - 1);
  size_t space = sig.find(' ');
  p.key_name = sig.substr(0, space);
  p.sig_b64 = sig.substr(space + 1);
  return p;
}

class CheckpointTest : public ::testing::Test {
 protected:
  void SetUp() override {
    data_ = dir_ / "data";
    InitDemoRegistry(data_);
    pki_ = MakeDevPki(dir_ / "pki");
    key_ = dir_ / "log.key";
    pub_ = dir_ / "log.pub";
    ASSERT_EQ(
        RunCommand({"/usr/bin/openssl", "genpkey", "-algorithm", "ed25519", "-out", key_.string()})
            .exit_code,
        0);
    ASSERT_EQ(RunCommand({"/usr/bin/openssl", "pkey", "-in", key_.string(), "-pubout", "-out",
                          pub_.string()})
                  .exit_code,
              0);
  }

  ServiceOptions Options() const {
    ServiceOptions o;
    o.data_dir = data_;
    o.pki = pki_;
    o.log_key = key_;
    o.log_origin = kOrigin;
    return o;
  }

  fs::path Archive() const { return data_ / "tlog-checkpoint"; }

  std::vector<std::string> Journal() const {
    return Lines(Admin(data_, {"journal", "export"}).out);
  }

  std::string Base64Decode(const std::string& b64) {
    WriteFile(dir_ / "b64", b64 + "\n");
    auto r = RunCommand({"/usr/bin/openssl", "base64", "-d", "-A", "-in", (dir_ / "b64").string()});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  }

  // The archived checkpoint once it covers the whole journal (the service's own publications
  // append events too), or "" when that does not happen in time.
  std::string WaitForCheckpointOfWholeJournal() {
    std::string note;
    bool ok = WaitFor(
        [&] {
          if (!fs::exists(Archive())) return false;
          note = ReadFile(Archive());
          size_t nl = note.find('\n');
          if (nl == std::string::npos) return false;
          size_t nl2 = note.find('\n', nl + 1);
          if (nl2 == std::string::npos) return false;
          return std::stoull(note.substr(nl + 1, nl2 - nl - 1)) == Journal().size();
        },
        std::chrono::seconds(10));
    return ok ? note : "";
  }

  // Everything about `note` checked independently: openssl verifies the signature over the
  // text, the key id is SHA-256(origin \n 0x01 key)[:4], the root is the journal's tree.
  void ExpectValid(const std::string& note) {
    Parsed p = Split(note);
    EXPECT_EQ(p.origin, kOrigin);
    EXPECT_EQ(p.key_name, kOrigin);
    std::string blob = Base64Decode(p.sig_b64);
    ASSERT_EQ(blob.size(), 68u);
    WriteFile(dir_ / "text", p.text);
    WriteFile(dir_ / "sig", blob.substr(4));
    auto verify = RunCommand({"/usr/bin/openssl", "pkeyutl", "-verify", "-pubin", "-inkey",
                              pub_.string(), "-rawin", "-in", (dir_ / "text").string(), "-sigfile",
                              (dir_ / "sig").string()});
    EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err << note;

    auto der = RunCommand(
        {"/usr/bin/openssl", "pkey", "-in", key_.string(), "-pubout", "-outform", "DER"});
    ASSERT_EQ(der.out.size(), 44u);
    EXPECT_EQ(blob.substr(0, 4),
              RawSha256(std::string(kOrigin) + "\n\x01" + der.out.substr(12)).substr(0, 4));

    std::vector<std::string> journal = Journal();
    ASSERT_LE(p.size, journal.size());
    EXPECT_EQ(Base64Decode(p.root_b64), TreeHash(journal, 0, p.size));
  }

  TempDir dir_;
  fs::path data_, key_, pub_;
  Pki pki_;
};

TEST_F(CheckpointTest, AnAdminCommitIsSignedAndARestartContinues) {
  auto service = std::make_unique<Service>(dir_.path(), Options());
  ASSERT_TRUE(service->Start()) << service->Stderr();
  const std::string first = WaitForCheckpointOfWholeJournal();
  ASSERT_FALSE(first.empty()) << service->Stderr();
  ExpectValid(first);
  const uint64_t first_size = Split(first).size;

  Admin(data_, {"participant", "suspend", "deenigeechtepgo", "--reason", "incident 7"});
  const std::string second = WaitForCheckpointOfWholeJournal();
  ASSERT_FALSE(second.empty()) << service->Stderr();
  ExpectValid(second);
  EXPECT_GT(Split(second).size, first_size);

  // GET /log/checkpoint serves the archived checkpoint, briefly cacheable.
  HttpResponse served;
  EXPECT_TRUE(WaitFor([&] {
    served = HttpGet(service->Url("/log/checkpoint"));
    return served.status == 200 && served.body == ReadFile(Archive());
  })) << served.status
      << " " << served.body;
  EXPECT_EQ(served.header("content-type"), "text/plain; charset=utf-8");
  EXPECT_EQ(served.header("cache-control"), "public, max-age=5");
  ExpectValid(served.body);
  EXPECT_EQ(HttpGet(service->Url("/log/checkpoint"), {}, "POST").status, 405);
  EXPECT_EQ(HttpGet(service->Url("/log/checkpoint?x=1")).status, 400);

  // A restart continues from the archive: the same checkpoint while nothing changes, a larger
  // one that still verifies after the next commit.
  EXPECT_EQ(service->Stop(), 0) << service->Stderr();
  service = std::make_unique<Service>(dir_.path(), Options());
  ASSERT_TRUE(service->Start()) << service->Stderr();
  // (The restarted service's first pass may append publish events, and sign them, between the
  // wait and a second read of the archive: compare what the wait returned, not a re-read.)
  const std::string restarted = WaitForCheckpointOfWholeJournal();
  ASSERT_FALSE(restarted.empty()) << service->Stderr();
  ExpectValid(restarted);
  const uint64_t restarted_size = Split(restarted).size;
  EXPECT_GE(restarted_size, Split(second).size);
  Admin(data_, {"participant", "reinstate", "deenigeechtepgo", "--reason", "incident 7 closed"});
  const std::string third = WaitForCheckpointOfWholeJournal();
  ASSERT_FALSE(third.empty()) << service->Stderr();
  ExpectValid(third);
  EXPECT_GT(Split(third).size, restarted_size);
  EXPECT_EQ(service->Stop(), 0);
}

TEST_F(CheckpointTest, WithoutALogKeyThereIsNoCheckpoint) {
  ServiceOptions o = Options();
  o.log_key.clear();
  Service service(dir_.path(), o);
  ASSERT_TRUE(service.Start()) << service.Stderr();
  EXPECT_EQ(HttpGet(service.Url("/log/checkpoint")).status, 404);
  EXPECT_FALSE(fs::exists(Archive()));
  EXPECT_EQ(service.Stop(), 0);
}

TEST_F(CheckpointTest, AJournalRolledBackBehindTheArchiveStopsTheStart) {
  // A copy of the store taken before the service signed anything beyond it.
  fs::copy_file(data_ / "data.mdb", dir_ / "old-data.mdb");
  auto service = std::make_unique<Service>(dir_.path(), Options());
  ASSERT_TRUE(service->Start()) << service->Stderr();
  Admin(data_, {"participant", "suspend", "deenigeechtepgo", "--reason", "incident 7"});
  const std::string signed_note = WaitForCheckpointOfWholeJournal();
  ASSERT_FALSE(signed_note.empty()) << service->Stderr();
  EXPECT_EQ(service->Stop(), 0);

  fs::copy_file(dir_ / "old-data.mdb", data_ / "data.mdb", fs::copy_options::overwrite_existing);
  fs::path config = WriteConfig(dir_.path(), Options(), 0);
  auto refused = RunCommand({RegistryBinary().string(), "--config", config.string()},
                            std::chrono::seconds(30));
  EXPECT_EQ(refused.exit_code, 2) << refused.err;
  EXPECT_NE(refused.err.find("transparency log: the journal holds"), std::string::npos)
      << refused.err;
  EXPECT_NE(refused.err.find("refusing to sign"), std::string::npos) << refused.err;
  EXPECT_EQ(ReadFile(Archive()), signed_note);
}

TEST_F(CheckpointTest, AnotherLogKeyDoesNotContinueTheArchive) {
  auto service = std::make_unique<Service>(dir_.path(), Options());
  ASSERT_TRUE(service->Start()) << service->Stderr();
  ASSERT_FALSE(WaitForCheckpointOfWholeJournal().empty()) << service->Stderr();
  EXPECT_EQ(service->Stop(), 0);

  ServiceOptions other = Options();
  other.log_key = dir_ / "other.key";
  ASSERT_EQ(RunCommand({"/usr/bin/openssl", "genpkey", "-algorithm", "ed25519", "-out",
                        other.log_key.string()})
                .exit_code,
            0);
  fs::path config = WriteConfig(dir_.path(), other, 0);
  auto refused = RunCommand({RegistryBinary().string(), "--config", config.string()},
                            std::chrono::seconds(30));
  EXPECT_EQ(refused.exit_code, 2) << refused.err;
  EXPECT_NE(refused.err.find("[transparency]"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("not signed by the log key"), std::string::npos) << refused.err;
}

}  // namespace
}  // namespace medmij::testing
