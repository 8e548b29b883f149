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

  // The current version of `list` (`lists get`): the signed form verifies with the stock
  // xmlsec1 and medmij-verify (--list), the strict form validates with the stock xmllint against
  // `schema` (relative to schemas/).
  void ExpectStockToolsAccept(const std::string& list, const std::string& schema) {
    SCOPED_TRACE(list);
    std::string signed_path = Save(list + ".xml", Ok({"lists", "get", list}));
    auto v = RunProcess({"/usr/bin/xmlsec1", "--verify", "--enabled-key-data", "x509",
                         "--trusted-pem", (dir_ / "pki/ca.pem").string(), signed_path});
    EXPECT_EQ(v.exit_code, 0) << v.err;
    std::string unsigned_path =
        Save(list + ".unsigned.xml", Ok({"lists", "get", list, "--unsigned"}));
    auto x = RunProcess({"/usr/bin/xmllint", "--noout", "--nonet", "--schema",
                         std::string(MEDMIJ_SCHEMA_DIR) + "/" + schema, unsigned_path});
    EXPECT_EQ(x.exit_code, 0) << x.err;
    auto mine = RunProcess({Binary("signer/medmij-verify").string(), "--trust",
                            (dir_ / "pki/ca.pem").string(), "--list", list, signed_path});
    EXPECT_EQ(mine.exit_code, 0) << mine.err;
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
      {"whitelist", "reference/MedMij_Whitelist.xsd"},
      {"oauthclientlist", "reference/MedMij_OAuthclientlist.xsd"},
      {"zorgaanbiederslijst", "reference/MedMij_Zorgaanbiederslijst.xsd"},
      {"gegevensdienstnamenlijst", "reference/MedMij_Gegevensdienstnamenlijst.xsd"}};
  for (const auto& [list, schema] : xsd) ExpectStockToolsAccept(list, schema);
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
  ASSERT_EQ(status.size(), 6u);
  for (const auto& s : status) {
    EXPECT_EQ(s["sha256"].get<std::string>().size(), 64u);
    std::string bytes = Ok({"lists", "get", s["list"]});
    EXPECT_EQ(s["size"], bytes.size());
  }
}

// The ZAL release3 and the ZAKL from what `provider set`, `provider service set` and `import`
// record, published, signed (stock xmlsec1), valid in the strict form (stock xmllint against
// schemas/strict/), explained, diffed, and `publish --list` choosing lists.
TEST_F(CliListsTest, Release3ListsFromTheCommandsAndImport) {
  // Before it has an identifier or an interface version the provider is on the ZAL release2
  // only, and explain says why.
  auto ex = Json({"participant", "explain", "zorg-dva"});
  std::map<std::string, json> lists;
  for (const auto& l : ex["lists"]) lists[l["list"]] = l;
  EXPECT_TRUE(lists["zorgaanbiederslijst"]["on"]);
  EXPECT_FALSE(lists["zorgaanbiederslijst_release3"]["on"]);
  EXPECT_FALSE(lists["zorgaanbiederskoppellijst"]["on"]);
  bool named = false;
  for (const auto& o : lists["zorgaanbiederskoppellijst"]["left_out"]) {
    named = named || (o["provider"] == "labkliniek@medmij" && !o.contains("service") &&
                      o["reason"].get<std::string>().starts_with("no identifier"));
  }
  EXPECT_TRUE(named) << ex.dump();
  const std::string text = Ok({"participant", "explain", "zorg-dva"});
  EXPECT_NE(text.find("left out: labkliniek@medmij data service 4: no interface version"),
            std::string::npos)
      << text;

  Ok({"provider", "set", "labkliniek@medmij", "--type", "BAZB", "--identifier", "agb=90012345",
      "--identifier", "hrn=HRN42"});
  Ok({"provider", "service", "set", "labkliniek@medmij", "--service", "4", "--interface-version",
      "1.4.0", "--interface-version", "1.3.0", "--subscription-max-days", "90",
      "--subscription-uri", "https://api.zorg.example/subscription"});
  auto shown = Json({"provider", "show", "labkliniek@medmij"});
  EXPECT_EQ(shown["type"], "BAZB");
  EXPECT_EQ(shown["identifiers"], json({{"agb", "90012345"}, {"hrn", "HRN42"}}));
  EXPECT_EQ(shown["services"]["4"]["interface_versions"], json::array({"1.3.0", "1.4.0"}));
  EXPECT_EQ(shown["services"]["4"]["subscription"]["max_days"], 90);

  // A second provider by import: interface versions and a subscription, no identifier.
  json line = {
      {"type", "provider"},
      {"name", "importkliniek@medmij"},
      {"dva", "zorg-dva"},
      {"services",
       {{{"service", "4"},
         {"authorization_uri", "https://api.zorg.example/authorize2"},
         {"token_uri", "https://api.zorg.example/token2"},
         {"roles", {{{"code", "LAB-1.0.0-LRB-FHIR"}, {"uri", "https://api.zorg.example/f"}}}},
         {"interface_versions", {"1.4.0"}},
         {"subscription", {{"max_days", 30}, {"uri", "https://api.zorg.example/sub"}}}}}}};
  Ok({"import", Save("providers.jsonl", line.dump() + "\n")});
  json bad = line;
  bad["name"] = "slechtekliniek@medmij";
  bad["services"][0]["subscription"]["max_days"] = 0;
  auto refused = Admin({"import", Save("bad.jsonl", bad.dump() + "\n")});
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.err.find("line 1: "), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("max-days"), std::string::npos) << refused.err;
  bad = line;
  bad["name"] = "slechtekliniek@medmij";
  bad["services"][0]["interface_versions"] = {"1 4"};
  refused = Admin({"import", Save("bad.jsonl", bad.dump() + "\n")});
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.err.find("interface-version"), std::string::npos) << refused.err;

  auto report = Published(Json(PublishArgs()));
  for (const char* list : {"zorgaanbiederslijst_release3", "zorgaanbiederskoppellijst"}) {
    EXPECT_TRUE(report[list]["published"]) << list;
    EXPECT_EQ(report[list]["volgnummer"], 1) << list;
  }
  const std::map<std::string, std::string> strict = {
      {"zorgaanbiederslijst_release3", "strict/MedMij_Zorgaanbiederslijst_release3.xsd"},
      {"zorgaanbiederskoppellijst", "strict/MedMij_Zorgaanbiederskoppellijst.xsd"}};
  for (const auto& [list, schema] : strict) ExpectStockToolsAccept(list, schema);
  const std::string zal3 = Ok({"lists", "get", "zorgaanbiederslijst_release3", "--unsigned"});
  EXPECT_NE(zal3.find("<Aanbiedertype>BAZB</Aanbiedertype>"), std::string::npos) << zal3;
  EXPECT_NE(zal3.find("<MaximaleDuur>90</MaximaleDuur>"), std::string::npos) << zal3;
  const size_t lab = zal3.find("labkliniek@medmij");
  ASSERT_NE(lab, std::string::npos);
  EXPECT_LT(zal3.find("<InterfaceversieId>1.3.0</InterfaceversieId>", lab),
            zal3.find("<InterfaceversieId>1.4.0</InterfaceversieId>", lab));
  EXPECT_NE(zal3.find("importkliniek@medmij"), std::string::npos);
  const std::string zakl = Ok({"lists", "get", "zorgaanbiederskoppellijst", "--unsigned"});
  EXPECT_NE(zakl.find("<HRN>HRN42</HRN>"), std::string::npos) << zakl;
  EXPECT_NE(zakl.find("<Weergavenaam>Laboratoriumresultaten</Weergavenaam>"), std::string::npos);
  EXPECT_EQ(zakl.find("importkliniek@medmij"), std::string::npos) << "no identifier: left out";

  // An identifier for the imported provider puts it on the ZAKL; publishing only that list
  // leaves the others alone.
  Ok({"provider", "set", "importkliniek@medmij", "--identifier", "ura=12345678"});
  Ok({"node", "add", "zorg-dva", "extra.zorg.example"});
  auto only = Json(Plus(PublishArgs(), {"--list", "zorgaanbiederskoppellijst"}));
  ASSERT_EQ(only["lists"].size(), 1u) << only.dump();
  EXPECT_EQ(only["lists"][0]["list"], "zorgaanbiederskoppellijst");
  EXPECT_EQ(only["lists"][0]["volgnummer"], 2);
  EXPECT_EQ(Json({"lists", "diff", "zorgaanbiederskoppellijst", "1", "2"})["added"],
            json::array({"importkliniek@medmij"}));
  for (const auto& st : Json({"lists", "status"})) {
    if (st["list"] == "whitelist") {
      EXPECT_EQ(st["volgnummer"], 1);  // not republished
    }
  }
  auto wrong = Admin(Plus(PublishArgs(), {"--list", "zorgaanbiederslijst_release4"}));
  EXPECT_EQ(wrong.exit_code, 2);
  EXPECT_NE(wrong.err.find("--list"), std::string::npos) << wrong.err;

  // Removing an identifier kind that is not there is refused and changes nothing.
  const std::string journal = Journal();
  EXPECT_EQ(Admin({"provider", "set", "importkliniek@medmij", "--identifier", "kvk="}).exit_code,
            2);
  EXPECT_EQ(Journal(), journal);
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
