// Evidence bundles from the real binaries: `medmij-admin audit bundle` against the checkpoint
// the running medmij-registry archived, and GET /audit/participants/{id}/bundle from it; both
// checked by the real `medmij-audit verify-bundle` with the log's verifier key. Which events a
// bundle must hold is recomputed here from `journal export` (the rule of audit/bundle.h written
// out again), and which list versions the participant left and entered from the Volgnummers
// the service served around a suspend and a reinstate.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <set>

#include "registry/common/base64.h"
#include "registry/common/note.h"
#include "tests/integration/service/harness.h"

namespace medmij::testing {
namespace {

using nlohmann::json;

constexpr const char* kOrigin = "registry.test.example/log";
constexpr const char* kToken = "s3cret-auditor-token-0123456789";
constexpr const char* kPgo = "deenigeechtepgo";
constexpr const char* kPgoNode = "medmij.deenigeechtepgo.nl";

fs::path AuditBinary() {
  return fs::path(MEDMIJ_BINARY_DIR) / "audit-cli" / "medmij-audit";
}

// The journal indexes (seq - 1) of the events in `journal` (stored events, one a line) below
// `size` that touch `id`: its participants record, or a record naming it as "participant".
std::vector<uint64_t> Touching(const std::vector<std::string>& journal, uint64_t size,
                               const std::string& id) {
  std::vector<uint64_t> out;
  for (uint64_t i = 0; i < size && i < journal.size(); ++i) {
    json e = json::parse(journal[i]);
    bool touches = false;
    for (const json& c : e["changes"]) {
      if (c["table"] == "participants" && c["key"] == id) touches = true;
      for (const char* side : {"before", "after"}) {
        if (c.contains(side) && c[side].is_object() && c[side].value("participant", "") == id)
          touches = true;
      }
    }
    if (touches) out.push_back(i);
  }
  return out;
}

uint64_t CheckpointSize(const std::string& note) {
  std::vector<std::string> lines = Lines(note);
  return lines.size() > 1 ? std::stoull(lines[1]) : 0;
}

class BundleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    data_ = dir_ / "data";
    InitDemoRegistry(data_);
    options_.data_dir = data_;
    options_.pki = MakeDevPki(dir_ / "pki");
    options_.log_key = dir_ / "log.key";
    options_.log_origin = kOrigin;
    ASSERT_EQ(RunCommand({"/usr/bin/openssl", "genpkey", "-algorithm", "ed25519", "-out",
                          options_.log_key.string()})
                  .exit_code,
              0);
    options_.auditor_tokens_file = dir_ / "auditors";
    WriteFile(options_.auditor_tokens_file, "alice:" + Sha256Hex(kToken) + "\n");
    fs::permissions(options_.auditor_tokens_file, fs::perms::owner_read | fs::perms::owner_write);
    auto signer = note::Signer::LoadPem(options_.log_key, kOrigin);
    ASSERT_TRUE(signer.ok()) << signer.status().message();
    vkey_ = dir_ / "log.vkey";
    WriteFile(vkey_, signer->verifier().ToString() + "\n");
  }

  fs::path Archive() const { return data_ / "tlog-checkpoint"; }
  std::vector<std::string> Journal() const {
    return Lines(Admin(data_, {"journal", "export"}).out);
  }

  // The archived checkpoint once it covers the whole journal (publications append events too).
  std::string WaitForCheckpointOfWholeJournal() {
    std::string note;
    bool ok = WaitFor(
        [&] {
          if (!fs::exists(Archive())) return false;
          note = ReadFile(Archive());
          return CheckpointSize(note) == Journal().size();
        },
        std::chrono::seconds(10));
    return ok ? note : "";
  }

  // The Volgnummer of the served whitelist once `pred` holds for it, or 0.
  uint64_t WaitForWhitelist(const Service& service, const std::function<bool(bool)>& has_node) {
    uint64_t volgnummer = 0;
    WaitFor([&] {
      HttpResponse r = HttpGet(service.Url("/MedMij_Whitelist.xml"));
      if (r.status != 200 || !has_node(r.body.find(kPgoNode) != std::string::npos)) return false;
      volgnummer = Volgnummer(r.body);
      return true;
    });
    return volgnummer;
  }

  CommandResult Verify(const fs::path& bundle) const {
    return RunCommand(
        {AuditBinary().string(), "verify-bundle", bundle.string(), "--vkey", vkey_.string()});
  }

  TempDir dir_;
  fs::path data_, vkey_;
  ServiceOptions options_;
};

std::vector<uint64_t> Indexes(const json& bundle) {
  std::vector<uint64_t> out;
  for (const json& e : bundle["events"]) out.push_back(e["index"].get<uint64_t>());
  return out;
}

TEST_F(BundleTest, FromTheCliAndOverHttpBothVerifyWithTheLogKey) {
  // A case, a suspend and a reinstate of the PGO; the lists republished after each.
  Admin(data_, {"case", "open", kPgo, "--type", "certificate-lapsed", "--finding", "expired"});
  auto service = std::make_unique<Service>(dir_.path(), options_);
  ASSERT_TRUE(service->Start()) << service->Stderr();
  ASSERT_NE(WaitForWhitelist(*service, [](bool has) { return has; }), 0u);
  Admin(data_, {"participant", "suspend", kPgo, "--reason", "incident 7"});
  const uint64_t left = WaitForWhitelist(*service, [](bool has) { return !has; });
  ASSERT_NE(left, 0u);
  Admin(data_, {"participant", "reinstate", kPgo, "--reason", "incident 7 closed"});
  const uint64_t entered = WaitForWhitelist(*service, [](bool has) { return has; });
  ASSERT_GT(entered, left);
  const std::string note = WaitForCheckpointOfWholeJournal();
  ASSERT_FALSE(note.empty()) << service->Stderr();
  const uint64_t size = CheckpointSize(note);

  // Over HTTP, behind the auditor token, against the service's latest checkpoint.
  const std::string path = std::string("/audit/participants/") + kPgo + "/bundle";
  EXPECT_EQ(HttpGet(service->Url(path)).status, 401);
  HttpResponse served =
      HttpGet(service->Url(path), {std::string("Authorization: Bearer ") + kToken});
  ASSERT_EQ(served.status, 200) << served.body;
  EXPECT_EQ(served.header("content-type"), "application/json");
  EXPECT_EQ(served.header("cache-control"), "no-store");
  HttpResponse unknown = HttpGet(service->Url("/audit/participants/nobody-here/bundle"),
                                 {std::string("Authorization: Bearer ") + kToken});
  EXPECT_EQ(unknown.status, 404) << unknown.body;
  EXPECT_EQ(service->Stop(), 0) << service->Stderr();

  WriteFile(dir_ / "http.bundle", served.body);
  json http_bundle = json::parse(served.body);
  const std::string served_note = http_bundle["checkpoint"].get<std::string>();
  const uint64_t served_size = CheckpointSize(served_note);
  EXPECT_GE(served_size, size);
  EXPECT_EQ(Indexes(http_bundle), Touching(Journal(), served_size, kPgo));
  auto http_verified = Verify(dir_ / "http.bundle");
  EXPECT_EQ(http_verified.exit_code, 0) << http_verified.err;
  EXPECT_NE(http_verified.out.find("participant suspend"), std::string::npos) << http_verified.out;

  // After the service stopped, one more commit: the CLI's bundle leaves it out and says so.
  Admin(data_, {"label", "withdraw", "xisbridge", "--reason", "audit"});
  const std::string archived = ReadFile(Archive());
  const uint64_t archived_size = CheckpointSize(archived);
  const std::vector<std::string> later = Journal();
  ASSERT_GT(later.size(), archived_size);
  auto made = Admin(data_, {"audit", "bundle", kPgo, "--out", (dir_ / "cli.bundle").string()});
  EXPECT_NE(made.out.find("; " + std::to_string(later.size() - archived_size) +
                          " later journal events left out"),
            std::string::npos)
      << made.out;
  json cli_bundle = json::parse(ReadFile(dir_ / "cli.bundle"));
  EXPECT_EQ(cli_bundle["checkpoint"].get<std::string>(), archived);
  EXPECT_EQ(cli_bundle["left_out"].get<uint64_t>(), later.size() - archived_size);
  const std::vector<uint64_t> indexes = Indexes(cli_bundle);
  EXPECT_EQ(indexes, Touching(later, archived_size, kPgo));
  // Its node, OAuth client and case events are in; another participant's are not.
  std::set<std::string> tables;
  for (const json& e : cli_bundle["events"]) {
    json ev = json::parse(*Base64Decode(e["event"].get<std::string>()));
    for (const json& c : ev["changes"]) tables.insert(c["table"].get<std::string>());
    EXPECT_EQ(ev.dump().find("xisbridge"), std::string::npos) << ev.dump();
  }
  EXPECT_TRUE(tables.contains("nodes"));
  EXPECT_TRUE(tables.contains("oauth_clients"));
  EXPECT_TRUE(tables.contains("cases"));
  EXPECT_FALSE(Touching(later, archived_size, "xisbridge").empty());

  // The whitelist versions it left at the suspend and entered at the reinstate.
  std::vector<std::pair<uint64_t, std::string>> whitelist;
  for (const json& v : cli_bundle["list_versions"]) {
    if (v["list"] == "whitelist")
      whitelist.emplace_back(v["volgnummer"].get<uint64_t>(), v["change"].get<std::string>());
  }
  ASSERT_EQ(whitelist.size(), 3u) << cli_bundle["list_versions"].dump();
  EXPECT_EQ(whitelist[0].second, "entered");
  EXPECT_EQ(whitelist[1], (std::pair<uint64_t, std::string>{left, "left"}));
  EXPECT_EQ(whitelist[2], (std::pair<uint64_t, std::string>{entered, "entered"}));

  auto verified = Verify(dir_ / "cli.bundle");
  EXPECT_EQ(verified.exit_code, 0) << verified.err;
  EXPECT_NE(verified.out.find("participant " + std::string(kPgo) + " under checkpoint " + kOrigin +
                              " size " + std::to_string(archived_size)),
            std::string::npos)
      << verified.out;
  EXPECT_NE(verified.out.find("left whitelist volgnummer " + std::to_string(left)),
            std::string::npos)
      << verified.out;
  EXPECT_NE(verified.out.find("entered whitelist volgnummer " + std::to_string(entered)),
            std::string::npos)
      << verified.out;
  EXPECT_NE(verified.out.find(std::to_string(later.size() - archived_size) +
                              " journal events after the checkpoint left out"),
            std::string::npos)
      << verified.out;

  // One event byte altered: refused in one line, naming the event.
  std::string stored = *Base64Decode(cli_bundle["events"][1]["event"].get<std::string>());
  stored[stored.find(kPgo)] = 'D';
  cli_bundle["events"][1]["event"] = Base64Encode(stored);
  WriteFile(dir_ / "altered.bundle", cli_bundle.dump());
  auto altered = Verify(dir_ / "altered.bundle");
  EXPECT_EQ(altered.exit_code, 1);
  EXPECT_NE(altered.err.find("refused: events[1] (index " + std::to_string(indexes[1]) +
                             "): inclusion proof does not verify against the checkpoint"),
            std::string::npos)
      << altered.err;
  EXPECT_EQ(Lines(altered.err).size(), 1u) << altered.err;
}

TEST_F(BundleTest, TheCliRefusesWithoutACheckpointOrForAnUnknownParticipant) {
  const fs::path out = dir_ / "x.bundle";
  auto none = Admin(data_, {"audit", "bundle", kPgo, "--out", out.string()}, true);
  EXPECT_EQ(none.exit_code, 4);
  EXPECT_NE(none.err.find("no signed checkpoint in"), std::string::npos) << none.err;
  EXPECT_FALSE(fs::exists(out));

  auto service = std::make_unique<Service>(dir_.path(), options_);
  ASSERT_TRUE(service->Start()) << service->Stderr();
  ASSERT_FALSE(WaitForCheckpointOfWholeJournal().empty()) << service->Stderr();
  EXPECT_EQ(service->Stop(), 0) << service->Stderr();
  auto unknown = Admin(data_, {"audit", "bundle", "nobody-here", "--out", out.string()}, true);
  EXPECT_EQ(unknown.exit_code, 4);
  EXPECT_NE(unknown.err.find("nobody-here"), std::string::npos) << unknown.err;
  EXPECT_FALSE(fs::exists(out));
}

TEST_F(BundleTest, WithoutALogKeyTheServiceHasNoBundles) {
  options_.log_key.clear();
  Service service(dir_.path(), options_);
  ASSERT_TRUE(service.Start()) << service.Stderr();
  HttpResponse r = HttpGet(service.Url(std::string("/audit/participants/") + kPgo + "/bundle"),
                           {std::string("Authorization: Bearer ") + kToken});
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(r.body.find("no transparency log"), std::string::npos) << r.body;
  EXPECT_EQ(service.Stop(), 0) << service.Stderr();
}

}  // namespace
}  // namespace medmij::testing
