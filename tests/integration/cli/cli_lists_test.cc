// medmij-admin publish and lists status|get|diff, checked with the stock xmlsec1 and xmllint.
#include <fstream>

#include "tests/integration/cli/cli_fixture.h"
#include "tests/support/dev_pki.h"

namespace medmij::testing {
namespace {

using nlohmann::json;

class CliListsTest : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    CopyDevPki(dir_ / "pki", /*ec=*/false);
    GoodStanding("zorg-dva", {"dva"});
    GoodStanding("app-pgo", {"dvp"});
    Ok({"service", "add", "4", "--name", "Laboratoriumresultaten"});
    Ok({"node", "add", "zorg-dva", "api.zorg.example"});
    Ok({"node", "add", "app-pgo", "app.pgo.example"});
    Ok({"oauth-client", "add", "app-pgo", "app.pgo.example", "--org-name", "App PGO"});
    Ok({"qualification", "add", "zorg-dva", "--service", "4"});
    Ok({"provider", "add", "labkliniek@medmij", "--dva", "zorg-dva"});
    Ok({"provider", "service", "add", "labkliniek@medmij", "--service", "4", "--authorization-uri",
        "https://api.zorg.example/authorize", "--token-uri", "https://api.zorg.example/token",
        "--role", "LAB-1.0.0-LRB-FHIR=https://api.zorg.example/fhir"});
  }

  std::vector<std::string> PublishArgs() {
    return {"publish",
            "--key",
            (dir_ / "pki/signing.key").string(),
            "--cert",
            (dir_ / "pki/signing.pem").string(),
            "--chain",
            (dir_ / "pki/chain.pem").string()};
  }

  std::map<std::string, json> Published(const json& report) {
    std::map<std::string, json> out;
    for (const auto& l : report["lists"]) out[l["list"]] = l;
    return out;
  }

  std::string Save(const std::string& name, const std::string& bytes) {
    std::string path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }
};

TEST_F(CliListsTest, PublishArchivesSignedListsThatStockToolsAccept) {
  auto first = Published(Json(PublishArgs()));
  for (const char* list :
       {"whitelist", "oauthclientlist", "zorgaanbiederslijst", "gegevensdienstnamenlijst"}) {
    EXPECT_TRUE(first[list]["published"]) << list;
    EXPECT_EQ(first[list]["volgnummer"], 1) << list;
  }
  const std::map<std::string, std::string> xsd = {
      {"whitelist", "MedMij_Whitelist.xsd"},
      {"oauthclientlist", "MedMij_OAuthclientlist.xsd"},
      {"zorgaanbiederslijst", "MedMij_Zorgaanbiederslijst.xsd"},
      {"gegevensdienstnamenlijst", "MedMij_Gegevensdienstnamenlijst.xsd"}};
  for (const auto& [list, schema] : xsd) {
    std::string signed_path = Save(list + ".xml", Ok({"lists", "get", list}));
    auto v = RunProcess({"/usr/bin/xmlsec1", "--verify", "--enabled-key-data", "x509",
                         "--trusted-pem", (dir_ / "pki/ca.pem").string(), signed_path});
    EXPECT_EQ(v.exit_code, 0) << list << ": " << v.err;
    std::string unsigned_path =
        Save(list + ".unsigned.xml", Ok({"lists", "get", list, "--unsigned"}));
    auto x = RunProcess({"/usr/bin/xmllint", "--noout", "--nonet", "--schema",
                         std::string(MEDMIJ_REFERENCE_DIR) + "/" + schema, unsigned_path});
    EXPECT_EQ(x.exit_code, 0) << list << ": " << x.err;
    auto mine = RunProcess({Binary("signer/medmij-verify").string(), "--trust",
                            (dir_ / "pki/ca.pem").string(), signed_path});
    EXPECT_EQ(mine.exit_code, 0) << list << ": " << mine.err;
  }
  Ok({"journal", "verify"});
  Ok({"check"});
}

TEST_F(CliListsTest, VolgnummerRisesOnlyWhenContentChanges) {
  Json(PublishArgs());
  std::string journal = Journal();
  auto again = Published(Json(PublishArgs()));
  for (const auto& [list, l] : again) {
    EXPECT_FALSE(l["published"]) << list;
    EXPECT_EQ(l["volgnummer"], 1) << list;
  }
  EXPECT_EQ(Journal(), journal);  // nothing changed: no version, no event

  Ok({"node", "add", "zorg-dva", "extra.zorg.example"});
  auto third = Published(Json(PublishArgs()));
  EXPECT_TRUE(third["whitelist"]["published"]);
  EXPECT_EQ(third["whitelist"]["volgnummer"], 2);
  EXPECT_FALSE(third["zorgaanbiederslijst"]["published"]);
  EXPECT_EQ(third["zorgaanbiederslijst"]["volgnummer"], 1);

  auto diff = Json({"lists", "diff", "whitelist", "1", "2"});
  EXPECT_EQ(diff["added"], json::array({"extra.zorg.example"}));
  EXPECT_TRUE(diff["removed"].empty());

  // A suspended DVP leaves the OCL and the Whitelist at the next publication.
  Ok({"participant", "suspend", "app-pgo", "--reason", "incident"});
  auto fourth = Published(Json(PublishArgs()));
  EXPECT_EQ(fourth["oauthclientlist"]["volgnummer"], 2);
  EXPECT_EQ(fourth["whitelist"]["volgnummer"], 3);
  diff = Json({"lists", "diff", "oauthclientlist", "1", "2"});
  EXPECT_EQ(diff["removed"], json::array({"app.pgo.example"}));
  EXPECT_EQ(Ok({"lists", "get", "oauthclientlist", "--version", "1"}).find("app.pgo.example") !=
                std::string::npos,
            true);

  auto status = Json({"lists", "status"});
  ASSERT_EQ(status.size(), 4u);
  for (const auto& s : status) {
    EXPECT_EQ(s["sha256"].get<std::string>().size(), 64u);
    std::string bytes = Ok({"lists", "get", s["list"]});
    EXPECT_EQ(s["size"], bytes.size());
  }
}

TEST_F(CliListsTest, RefusesBadArgumentsAndUnusableKeysWithoutPublishing) {
  EXPECT_EQ(Admin({"lists", "get", "whitelist"}).exit_code, 4);  // never published
  const std::string journal = Journal();
  auto wrong_cert = PublishArgs();
  wrong_cert[4] = (dir_ / "pki/ca.pem").string();  // the CA certificate does not match the key
  auto r = Admin(wrong_cert);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(Lines(r.err).size(), 1u) << r.err;
  auto missing = PublishArgs();
  missing[2] = (dir_ / "pki/nope.key").string();
  r = Admin(missing);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("nope.key"), std::string::npos) << r.err;
  EXPECT_EQ(Journal(), journal);

  Json(PublishArgs());
  EXPECT_EQ(Admin({"lists", "get", "blacklist"}).exit_code, 2);
  EXPECT_EQ(Admin({"lists", "get", "whitelist", "--version", "9"}).exit_code, 4);
  EXPECT_EQ(Admin({"lists", "get", "whitelist", "--version", "0"}).exit_code, 2);
  EXPECT_EQ(Admin({"lists", "diff", "whitelist", "1", "7"}).exit_code, 4);
}

}  // namespace
}  // namespace medmij::testing
