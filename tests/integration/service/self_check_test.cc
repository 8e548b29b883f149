// The service checks what it signs: before archiving (SelfCheck, against the configured anchor)
// and right after publication with the participants' full verifier (/healthz, /metrics).
#include <gtest/gtest.h>

#include <string>

#include <nlohmann/json.hpp>

#include "tests/integration/service/harness.h"

namespace medmij::testing {
namespace {

const char* const kWhitelist = "/MedMij_Whitelist.xml";

TEST(SelfCheckTest, WithTheRootAsAnchorEveryServedVersionIsVerifiedInTheBackground) {
  TempDir dir;
  const fs::path data = dir.path() / "data";
  InitDemoRegistry(data);
  ServiceOptions o;
  o.data_dir = data;
  o.pki = MakeDevPki(dir.path() / "pki");
  o.trust_anchor = o.pki.ca;
  Service service(dir.path(), o);
  ASSERT_TRUE(service.Start()) << service.Stderr();
  // Checked once the Whitelist's current version is the one verified.
  auto verified = [&](uint64_t volgnummer) {
    auto j = nlohmann::json::parse(HttpGet(service.Url("/healthz")).body);
    const auto& v = j["background_verification"];
    return v["status"] == "ok" && v["lists"]["whitelist"]["volgnummer"] == volgnummer;
  };
  ASSERT_TRUE(WaitFor([&] { return HttpGet(service.Url(kWhitelist)).status == 200; }))
      << service.Stderr();
  const uint64_t first = Volgnummer(HttpGet(service.Url(kWhitelist)).body);
  ASSERT_TRUE(WaitFor([&] { return verified(first); })) << HttpGet(service.Url("/healthz")).body;
  Admin(data, {"node", "add", "xisbridge", "checked-node.xisbridge.net"});
  ASSERT_TRUE(WaitFor([&] { return verified(first + 1); }))
      << HttpGet(service.Url("/healthz")).body << service.Stderr();
  auto health = nlohmann::json::parse(HttpGet(service.Url("/healthz")).body);
  EXPECT_EQ(health["status"], "ok") << health.dump();
  EXPECT_NE(
      health["background_verification"]["anchor"].get<std::string>().find("[signing] trust_anchor"),
      std::string::npos);
  for (const char* list : {"oauthclientlist", "zorgaanbiederslijst", "gegevensdienstnamenlijst"}) {
    EXPECT_EQ(health["background_verification"]["lists"][list]["ok"], true) << list;
    EXPECT_GT(health["background_verification"]["lists"][list]["volgnummer"].get<uint64_t>(), 0u)
        << list;
  }
  const std::string metrics = HttpGet(service.Url("/metrics")).body;
  EXPECT_NE(metrics.find("\nmedmij_background_verification_disagreements_total 0\n"),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("\nmedmij_list_background_verified{list=\"whitelist\"} 1\n"),
            std::string::npos);
  EXPECT_EQ(service.Stop(), 0) << service.Stderr();
}

TEST(SelfCheckTest, WithoutARootAnchorTheBackgroundCheckIsOffAndSaysWhy) {
  TempDir dir;
  const fs::path data = dir.path() / "data";
  InitDemoRegistry(data);
  ServiceOptions o;
  o.data_dir = data;
  o.pki = MakeDevPki(dir.path() / "pki");  // [signing] chain holds the intermediate only
  Service service(dir.path(), o);
  ASSERT_TRUE(service.Start()) << service.Stderr();
  ASSERT_TRUE(WaitFor([&] { return HttpGet(service.Url(kWhitelist)).status == 200; }))
      << service.Stderr();
  auto health = nlohmann::json::parse(HttpGet(service.Url("/healthz")).body);
  EXPECT_EQ(health["status"], "ok") << health.dump();  // published, checked against the chain
  EXPECT_EQ(health["background_verification"]["status"], "off");
  EXPECT_NE(health["background_verification"]["reason"].get<std::string>().find(
                "is not a self-signed root"),
            std::string::npos)
      << health.dump();
  EXPECT_NE(service.Stderr().find("medmij-registry: background verification is off: the last "
                                  "certificate of [signing] chain"),
            std::string::npos)
      << service.Stderr();
  EXPECT_EQ(service.Stop(), 0) << service.Stderr();
}

// An anchor the signing certificate does not chain to: nothing is archived, the publication is
// reported failing as a signing failure is, and the data dir's journal is unchanged.
TEST(SelfCheckTest, AVersionThatFailsTheSelfCheckIsNotArchived) {
  TempDir dir;
  const fs::path data = dir.path() / "data";
  InitDemoRegistry(data);
  const std::string journal = Admin(data, {"journal", "export"}).out;
  ServiceOptions o;
  o.data_dir = data;
  o.pki = MakeDevPki(dir.path() / "pki");
  ASSERT_EQ(
      RunCommand({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                  "-nodes", "-subj", "/CN=Elsewhere", "-days", "2", "-keyout",
                  (dir.path() / "other.key").string(), "-out", (dir.path() / "other.pem").string()})
          .exit_code,
      0);
  o.trust_anchor = dir.path() / "other.pem";
  Service service(dir.path(), o);
  ASSERT_TRUE(service.Start()) << service.Stderr();
  ASSERT_TRUE(WaitFor([&] {
    return service.Stderr().find("self-check: the signing certificate") != std::string::npos;
  })) << service.Stderr();
  auto health = HttpGet(service.Url("/healthz"));
  EXPECT_EQ(health.status, 503);
  auto j = nlohmann::json::parse(health.body);
  EXPECT_EQ(j["lists"]["whitelist"]["last_publication_ok"], false) << health.body;
  EXPECT_EQ(HttpGet(service.Url(kWhitelist)).status, 503);
  EXPECT_NE(service.Stderr().find("does not chain to [signing] trust_anchor"), std::string::npos)
      << service.Stderr();
  EXPECT_EQ(service.Stop(), 0) << service.Stderr();
  EXPECT_EQ(Admin(data, {"journal", "export"}).out, journal);  // nothing archived
}

}  // namespace
}  // namespace medmij::testing
