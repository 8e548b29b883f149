// The evidence beside every archived list version, from the real medmij-registry:
// `/lists/{list}/versions/{n}.event` (the stored journal event that archived it, naming the
// version's sha256) and `{n}.tlog-proof` (C2SP tlog-proof@v1 under the first checkpoint that
// covers it). Each proof is checked with the client code (tlog::VerifyProof) and with the real
// `medmij-verify --vkey --proof` binary; the proofs never change, across later commits,
// checkpoints and a restart, and the export dir holds the same files.
#include <gtest/gtest.h>

#include <map>

#include <nlohmann/json.hpp>

#include "registry/common/note.h"
#include "registry/common/tlog_verify.h"
#include "registry/domain/types.h"
#include "tests/integration/service/harness.h"

namespace medmij::testing {
namespace {

constexpr const char* kOrigin = "registry.test.example/log";

// "whitelist/3" -> the version's files.
struct Served {
  std::string xml, event, proof;
};

class VersionProofTest : public ::testing::Test {
 protected:
  void SetUp() override {
    data_ = dir_ / "data";
    export_ = dir_ / "export";
    fs::create_directories(export_);
    InitDemoRegistry(data_);
    pki_ = MakeDevPki(dir_ / "pki");
    key_ = dir_ / "log.key";
    ASSERT_EQ(
        RunCommand({"/usr/bin/openssl", "genpkey", "-algorithm", "ed25519", "-out", key_.string()})
            .exit_code,
        0);
    auto signer = note::Signer::LoadPem(key_, kOrigin);
    ASSERT_TRUE(signer.ok()) << signer.status().message();
    vkey_ = signer->verifier().ToString();
    WriteFile(dir_ / "log.vkey", vkey_ + "\n");
  }

  ServiceOptions Options() const {
    ServiceOptions o;
    o.data_dir = data_;
    o.pki = pki_;
    o.log_key = key_;
    o.log_origin = kOrigin;
    o.export_dir = export_;
    return o;
  }

  uint64_t CheckpointSize(const std::string& note) const {
    auto lines = Lines(note);
    return lines.size() > 1 ? std::stoull(lines[1]) : 0;
  }

  // Waits until the archived checkpoint covers the whole journal and every archived version
  // has its proof served; returns every version's files by "list/n".
  std::map<std::string, Served> WaitForAllProofs(const Service& service) {
    std::map<std::string, Served> out;
    std::string waiting;  // what the last poll was still waiting for
    bool ok = WaitFor(
        [&] {
          out.clear();
          const auto archive = data_ / "tlog-checkpoint";
          waiting = "a checkpoint";
          if (!fs::exists(archive)) return false;
          const uint64_t journal = Lines(Admin(data_, {"journal", "export"}).out).size();
          waiting =
              "a checkpoint of " + std::to_string(journal) + " events, not\n" + ReadFile(archive);
          if (CheckpointSize(ReadFile(archive)) != journal) return false;
          for (ListKind list : kAllLists) {
            const std::string name(ToString(list));
            auto index = HttpGet(service.Url("/lists/" + name + "/versions"));
            waiting = "/lists/" + name + "/versions: " + std::to_string(index.status);
            if (index.status != 200) return false;
            const nlohmann::json parsed = nlohmann::json::parse(index.body);
            for (const auto& v : parsed["versions"]) {
              const std::string base =
                  "/lists/" + name + "/versions/" + std::to_string(v["volgnummer"].get<uint64_t>());
              Served s;
              auto xml = HttpGet(service.Url(base + ".xml"));
              auto event = HttpGet(service.Url(base + ".event"));
              auto proof = HttpGet(service.Url(base + ".tlog-proof"));
              waiting = base + ": " + std::to_string(xml.status) + " " +
                        std::to_string(event.status) + " " + std::to_string(proof.status);
              if (xml.status != 200 || event.status != 200 || proof.status != 200) return false;
              EXPECT_EQ(event.header("content-type"), "application/json");
              EXPECT_EQ(event.header("cache-control"), "public, max-age=31536000, immutable");
              EXPECT_EQ(proof.header("cache-control"), "public, max-age=31536000, immutable");
              out[name + "/" + std::to_string(v["volgnummer"].get<uint64_t>())] =
                  Served{xml.body, event.body, proof.body};
            }
          }
          return !out.empty();
        },
        std::chrono::seconds(20));
    EXPECT_TRUE(ok) << "waiting for " << waiting << "\n"
                    << HttpGet(service.Url("/healthz")).body << "\n"
                    << service.Stderr();
    return out;
  }

  // The .event names the version's bytes; the proof verifies with the client code and with
  // the real medmij-verify.
  void ExpectEvidence(const std::string& id, const Served& s) {
    SCOPED_TRACE(id);
    const std::string list = id.substr(0, id.find('/'));
    const std::string key = list + "/" + std::string(20 - (id.size() - list.size() - 1), '0') +
                            id.substr(list.size() + 1);
    nlohmann::json ev = nlohmann::json::parse(s.event);
    bool named = false;
    for (const auto& c : ev["changes"]) {
      if (c["table"] == "list_versions" && c["key"] == key) {
        named = c["after"]["sha256"] == Sha256Hex(s.xml);
      }
    }
    EXPECT_TRUE(named) << s.event;

    auto verifier = note::Verifier::Parse(vkey_);
    ASSERT_TRUE(verifier.ok());
    auto proven = tlog::VerifyProof(s.proof, *verifier);
    ASSERT_TRUE(proven.ok()) << proven.status().message();
    EXPECT_EQ(proven->entry, s.event);
    EXPECT_EQ(proven->index + 1, ev["seq"].get<uint64_t>());

    WriteFile(dir_ / "v.xml", s.xml);
    WriteFile(dir_ / "v.tlog-proof", s.proof);
    auto verify = RunCommand({Binary("signer/medmij-verify").string(), "--trust", pki_.ca.string(),
                              "--list", list, "--vkey", (dir_ / "log.vkey").string(), "--proof",
                              (dir_ / "v.tlog-proof").string(), (dir_ / "v.xml").string()});
    EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  }

  TempDir dir_;
  fs::path data_, export_, key_;
  std::string vkey_;
  Pki pki_;
};

TEST_F(VersionProofTest, EveryVersionIsProvedUnderItsFirstCheckpointForGood) {
  auto service = std::make_unique<Service>(dir_.path(), Options());
  ASSERT_TRUE(service->Start()) << service->Stderr();
  const auto first = WaitForAllProofs(*service);
  ASSERT_FALSE(first.empty());
  for (const auto& [id, s] : first) ExpectEvidence(id, s);

  // A change publishes new versions under a later checkpoint; the earlier proofs stay.
  Admin(data_, {"participant", "suspend", "deenigeechtepgo", "--reason", "incident 7"});
  std::map<std::string, Served> second;
  ASSERT_TRUE(WaitFor(
      [&] {
        second = WaitForAllProofs(*service);
        return second.size() > first.size();
      },
      std::chrono::seconds(20)))
      << service->Stderr();
  for (const auto& [id, s] : first) EXPECT_EQ(second.at(id).proof, s.proof) << id;
  for (const auto& [id, s] : second) {
    if (!first.count(id)) ExpectEvidence(id, s);
  }

  // A restart (and its checkpoints) keeps every proof as it was.
  EXPECT_EQ(service->Stop(), 0) << service->Stderr();
  service = std::make_unique<Service>(dir_.path(), Options());
  ASSERT_TRUE(service->Start()) << service->Stderr();
  const auto restarted = WaitForAllProofs(*service);
  EXPECT_EQ(restarted.size(), second.size());
  for (const auto& [id, s] : second) EXPECT_EQ(restarted.at(id).proof, s.proof) << id;

  // The export dir holds the same files at the same paths.
  for (const auto& [id, s] : restarted) {
    const std::string list = id.substr(0, id.find('/')), n = id.substr(id.find('/') + 1);
    const fs::path dir = export_ / "lists" / list / "versions";
    EXPECT_EQ(ReadFile(dir / (n + ".event")), s.event) << id;
    EXPECT_EQ(ReadFile(dir / (n + ".tlog-proof")), s.proof) << id;
  }

  EXPECT_EQ(HttpGet(service->Url("/lists/whitelist/versions/9999.event")).status, 404);
  EXPECT_EQ(HttpGet(service->Url("/lists/whitelist/versions/9999.tlog-proof")).status, 404);
  EXPECT_EQ(HttpGet(service->Url("/lists/whitelist/versions/1.event?x=1")).status, 400);
  EXPECT_EQ(HttpGet(service->Url("/lists/whitelist/versions/1.evt")).status, 404);
  EXPECT_EQ(HttpGet(service->Url("/lists/whitelist/versions/1.event"), {}, "POST").status, 405);
  EXPECT_EQ(service->Stop(), 0);
}

TEST_F(VersionProofTest, WithoutALogKeyTheEventIsServedButNoProof) {
  ServiceOptions o = Options();
  o.log_key.clear();
  Service service(dir_.path(), o);
  ASSERT_TRUE(service.Start()) << service.Stderr();
  HttpResponse event;
  ASSERT_TRUE(WaitFor([&] {
    event = HttpGet(service.Url("/lists/whitelist/versions/1.event"));
    return event.status == 200;
  })) << service.Stderr();
  auto xml = HttpGet(service.Url("/lists/whitelist/versions/1.xml"));
  EXPECT_NE(event.body.find(Sha256Hex(xml.body)), std::string::npos);
  EXPECT_EQ(HttpGet(service.Url("/lists/whitelist/versions/1.tlog-proof")).status, 404);
  EXPECT_EQ(service.Stop(), 0);
}

}  // namespace
}  // namespace medmij::testing
