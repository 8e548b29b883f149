// medmij-admin import FILE.jsonl: all or nothing, bad lines reported by number.
#include <fstream>

#include "tests/integration/cli/cli_fixture.h"
#include "tests/support/import_records.h"

namespace medmij::testing {
namespace {

using nlohmann::json;

// The CLI's side of import: the file argument, one line per bad record on stderr with exit 2,
// the JSON summary, and all or nothing. Every record type and field rule is tested in process
// (tests/unit/ops/import_test.cc) on the same records.
class CliImportTest : public CliTest {
 protected:
  // Every command runs at the instant the records are arranged around.
  void SetUp() override {
    test_now_ = kImportRecordsNow;
    CliTest::SetUp();
  }

  std::string Write(const std::string& name, const std::vector<json>& records,
                    const std::vector<std::string>& raw_lines = {}) {
    std::string path = (dir_ / name).string();
    std::ofstream out(path);
    for (const auto& r : records) out << r.dump() << "\n";
    for (const auto& l : raw_lines) out << l << "\n";
    return path;
  }
};

TEST_F(CliImportTest, ImportsEverythingInOneTransactionWithAnEventPerLine) {
  const std::string before = Journal();
  auto records = ImportRecords();
  auto r = Admin({"--json", "import", Write("good.jsonl", records)});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["applied"], records.size());
  EXPECT_EQ(Lines(Journal()).size(), Lines(before).size() + records.size());
  EXPECT_TRUE(Json({"participant", "explain", "lab-dva"})["good_standing"]);
  EXPECT_EQ(Json({"provider", "list", "--dva", "lab-dva"}).size(), 1u);
  Ok({"check"});
}

TEST_F(CliImportTest, BadLinesAreReportedByNumberAndNothingIsWritten) {
  auto records = ImportRecords();
  records[7]["hostname"] = "Not_A_Host";  // line 8 (and so line 11: the node is missing)
  records[8]["kvk"] = "123";              // line 9 (and so line 10)
  std::string path = Write("bad.jsonl", records, {"{not json"});
  const std::string before = Journal();
  auto r = Admin({"import", path});
  EXPECT_EQ(r.exit_code, 2);
  const std::vector<std::string> err = Lines(r.err);
  for (const char* expect :
       {"line 8: hostname", "line 9: kvk", "line 10: participant 'app-pgo' does not exist",
        "line 11: services[0]", "line 12: not valid JSON", "nothing was written"}) {
    EXPECT_NE(r.err.find(expect), std::string::npos) << expect << "\n" << r.err;
  }
  EXPECT_EQ(err.size(), 6u) << r.err;  // one line per bad record, one saying nothing was written
  EXPECT_EQ(Journal(), before);
}

TEST_F(CliImportTest, EmptyOrMissingFile) {
  EXPECT_EQ(Admin({"import", Write("empty.jsonl", {})}).exit_code, 2);
  auto r = Admin({"import", (dir_ / "missing.jsonl").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("cannot open"), std::string::npos);
  EXPECT_EQ(Admin({"import"}).exit_code, 2);
}

}  // namespace
}  // namespace medmij::testing
