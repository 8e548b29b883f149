// import FILE.jsonl: all or nothing, bad lines reported by number.
#include <fstream>

#include "tests/integration/cli/cli_fixture.h"

namespace medmij::testing {
namespace {

using nlohmann::json;

class CliImportTest : public CliTest {
 protected:
  std::string Write(const std::string& name, const std::vector<json>& records,
                    const std::vector<std::string>& raw_lines = {}) {
    std::string path = (dir_ / name).string();
    std::ofstream out(path);
    for (const auto& r : records) out << r.dump() << "\n";
    for (const auto& l : raw_lines) out << l << "\n";
    return path;
  }

  std::vector<json> Registry() {
    std::vector<json> v = {
        {{"type", "service"}, {"id", "4"}, {"name", "Laboratoriumresultaten"}},
        {{"type", "participant"},
         {"id", "lab-dva"},
         {"name", "Lab DVA"},
         {"kvk", "12345678"},
         {"roles", {"dva"}}},
        {{"type", "certificate"},
         {"participant", "lab-dva"},
         {"number", "C1"},
         {"body", "Certifier BV"},
         {"accredited", true},
         {"registered", true},
         {"valid_from", Date(-10)},
         {"valid_until", Date(100)}},
        {{"type", "audit_statement"},
         {"participant", "lab-dva"},
         {"date", Date(-3)},
         {"auditor", "Audit BV"},
         {"outcome", "conform"}},
        {{"type", "label"}, {"participant", "lab-dva"}},
        {{"type", "activate"}, {"participant", "lab-dva"}},
        {{"type", "qualification"}, {"participant", "lab-dva"}, {"service", "4"}},
        {{"type", "node"}, {"participant", "lab-dva"}, {"hostname", "api.lab.example"}},
        {{"type", "participant"},
         {"id", "app-pgo"},
         {"name", "App PGO"},
         {"kvk", "87654321"},
         {"roles", {"dvp"}}},
        {{"type", "oauth_client"},
         {"participant", "app-pgo"},
         {"hostname", "app.pgo.example"},
         {"org_name", "App PGO"}},
    };
    for (int i = 0; i < 5; ++i) {
      std::string name = std::string("lab") + char('a' + i) + "kliniek@medmij";
      v.push_back(
          {{"type", "provider"},
           {"name", name},
           {"dva", "lab-dva"},
           {"provider_type", "ZA"},
           {"identifiers", {{"agb", "0123456" + std::to_string(i)}}},
           {"services",
            {{{"service", "4"},
              {"authorization_uri", "https://front.lab.example/authorize"},
              {"token_uri", "https://api.lab.example:8443/token"},
              {"roles",
               {{{"code", "LAB-1.0.0-LRB-FHIR"}, {"uri", "https://api.lab.example/fhir"}}}}}}}});
    }
    return v;
  }
};

TEST_F(CliImportTest, ImportsEverythingInOneTransactionWithAnEventPerLine) {
  auto records = Registry();
  auto r = Admin({"--json", "import", Write("good.jsonl", records)});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["applied"], records.size());
  EXPECT_EQ(Lines(Journal()).size(), records.size());
  auto ex = Json({"participant", "explain", "lab-dva"});
  EXPECT_TRUE(ex["good_standing"]) << ex.dump();
  EXPECT_EQ(Json({"provider", "list", "--dva", "lab-dva"}).size(), 5u);
  Ok({"journal", "verify"});
  Ok({"check"});
}

TEST_F(CliImportTest, BadLinesAreReportedByNumberAndNothingIsWritten) {
  auto records = Registry();
  records[8]["kvk"] = "123";                                 // line 9 (and so line 10)
  records[7]["hostname"] = "Not_A_Host";                     // line 8
  records[10]["services"][0]["token_uri"] = "http://x.y/z";  // line 11
  records[11]["colour"] = "blue";                            // line 12: unknown field
  std::string path = Write("bad.jsonl", records, {"{not json", "[1,2]", R"({"type":"alien"})"});
  const std::string before = Journal();
  auto r = Admin({"import", path});
  EXPECT_EQ(r.exit_code, 2);
  for (const char* expect :
       {"line 9: kvk", "line 10: participant 'app-pgo' does not exist", "line 8: hostname",
        "line 11: services[0]", "line 12: colour", "line 16: not valid JSON",
        "line 17:", "line 18: type", "nothing was written"}) {
    EXPECT_NE(r.err.find(expect), std::string::npos) << expect << "\n" << r.err;
  }
  EXPECT_EQ(Journal(), before);
  EXPECT_EQ(Admin({"participant", "show", "app-pgo"}).exit_code, 4);
}

TEST_F(CliImportTest, DuplicateWithinTheFileAbortsTheWholeImport) {
  auto records = Registry();
  records.push_back(records[8]);  // app-pgo enrolled twice
  auto r = Admin({"import", Write("dup.jsonl", records)});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("line 16: participant 'app-pgo' is already enrolled"), std::string::npos)
      << r.err;
  EXPECT_EQ(Admin({"participant", "show", "lab-dva"}).exit_code, 4);
}

TEST_F(CliImportTest, EmptyOrMissingFile) {
  EXPECT_EQ(Admin({"import", Write("empty.jsonl", {})}).exit_code, 2);
  auto r = Admin({"import", (dir_ / "missing.jsonl").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("cannot open"), std::string::npos);
}

}  // namespace
}  // namespace medmij::testing
