// ops::Import in process: every record type, one event per line, every bad line reported by
// number with the field at fault, and a bad line anywhere means nothing is applied.
#include "registry/ops/import.h"

#include <gtest/gtest.h>

#include <sstream>

#include <nlohmann/json.hpp>

#include "tests/support/import_records.h"
#include "tests/support/process.h"

namespace medmij::ops {
namespace {

using nlohmann::json;

const Time kNow = ParseTime(testing::kImportRecordsNow, "t").value();

std::vector<json> Registry() {
  return testing::ImportRecords();
}

class ImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = store::Store::Open(dir_ / "data");
    ASSERT_TRUE(s.ok()) << s.status().message();
    store_ = std::move(s).value();
  }

  // Imports `lines` and commits when the result is ok.
  ImportResult Run(const std::vector<std::string>& lines) {
    std::string text;
    for (const auto& l : lines) text += l + "\n";
    std::istringstream in(text);
    auto w = store_->BeginWrite();
    EXPECT_TRUE(w.ok());
    auto r = Import(**w, Actor{"alice", kNow}, in, "test.jsonl");
    EXPECT_TRUE(r.ok()) << r.status().message();
    if (r->ok()) {
      auto seq = (*w)->Commit(store::EventMeta{kNow, "alice", "import", "import", ""});
      EXPECT_TRUE(seq.ok());
    }
    return *r;
  }
  static std::vector<std::string> Dump(const std::vector<json>& records) {
    std::vector<std::string> out;
    for (const auto& r : records) out.push_back(r.dump());
    return out;
  }
  uint64_t JournalLength() const { return (*store_->BeginRead())->JournalLength().value(); }

  testing::TempDir dir_;
  std::unique_ptr<store::Store> store_;
};

TEST_F(ImportTest, EveryRecordTypeAppliesWithOneEventPerLine) {
  auto lines = Dump(Registry());
  lines.insert(lines.begin() + 3, "   ");  // blank lines are skipped
  ImportResult r = Run(lines);
  ASSERT_TRUE(r.ok()) << r.errors[0];
  EXPECT_EQ(r.lines, 11u);
  EXPECT_EQ(r.applied, 11u);
  EXPECT_EQ(JournalLength(), 11u);
  auto read = std::move(store_->BeginRead()).value();
  auto dva = read->GetParticipant("lab-dva").value();
  ASSERT_TRUE(dva);
  EXPECT_EQ(dva->status, Lifecycle::kActive);
  EXPECT_EQ(dva->email, "");  // null: not given
  EXPECT_EQ(dva->certificates.at(0).valid_until, ParseTime("2028-01-01", "t").value());
  EXPECT_EQ(dva->QualifiedServices(), std::set<std::string>{"4"});
  auto p = read->GetProvider("labkliniek@medmij").value();
  ASSERT_TRUE(p);
  EXPECT_EQ(p->type, ProviderType::kBazb);
  EXPECT_EQ(p->services.at("4").interface_versions, std::vector<std::string>{"1.0"});
  std::vector<std::string> subjects, reasons;
  EXPECT_TRUE(read->ForEachEvent(1,
                                 [&](const store::JournalEvent& e) {
                                   subjects.push_back(e.meta.subject);
                                   reasons.push_back(e.meta.reason);
                                   EXPECT_EQ(e.meta.command, "import");
                                   EXPECT_EQ(e.meta.operator_name, "alice");
                                   return true;
                                 })
                  .ok());
  EXPECT_EQ(subjects.front(), "service:4");
  EXPECT_EQ(subjects[7], "node:api.lab.example");
  EXPECT_EQ(subjects[9], "oauth-client:app.pgo.example");
  EXPECT_EQ(subjects.back(), "provider:labkliniek@medmij");
  EXPECT_EQ(reasons[3], "test.jsonl line 5");  // numbered as in the file, blank line included
}

TEST_F(ImportTest, EveryBadLineIsReportedByNumberAndNothingIsApplied) {
  auto records = Registry();
  records[8]["kvk"] = "123";                                 // line 9, and so line 10
  records[7]["hostname"] = "Not_A_Host";                     // line 8
  records[10]["services"][0]["token_uri"] = "http://x.y/z";  // line 11
  records[6]["colour"] = "blue";                             // line 7
  records[5].erase("participant");                           // line 6
  records[2]["accredited"] = "yes";                          // line 3
  auto lines = Dump(records);
  lines.push_back("{not json");            // line 12
  lines.push_back("[1,2]");                // line 13
  lines.push_back(R"({"type":"alien"})");  // line 14
  lines.push_back(R"({"name":"x"})");      // line 15
  lines.push_back(
      R"({"type":"provider","name":"b@medmij","dva":"lab-dva","services":[{"service":"4","authorization_uri":"a","token_uri":"b","roles":[{"code":"c","url":"d"}]}]})");  // line 16
  lines.push_back(
      R"({"type":"participant","id":"zzz-org","name":"Z Org","kvk":"12345678","roles":["dva",7]})");  // line 17
  lines.push_back(
      R"({"type":"participant","id":"yyy-org","name":"Y Org","kvk":"12345678","name":"X Org","roles":["dva"]})");  // line 18
  ImportResult r = Run(lines);
  EXPECT_FALSE(r.ok());
  std::string all;
  for (const auto& e : r.errors) all += e + "\n";
  for (const char* expect :
       {"line 17: roles[1]: expected a string, got number",
        "line 3: accredited: expected true or false, got string", "line 6: participant: missing",
        "line 7: colour: unknown field", "line 8: hostname", "line 9: kvk",
        "line 10: participant 'app-pgo' does not exist", "line 11: services[0]",
        "line 12: not valid JSON", "line 13: each line must be a JSON object",
        "line 14: type: unknown record type 'alien'", "line 15: type: missing",
        "line 16: services[0].roles[0].url: unknown field", "line 18: duplicate key 'name'"}) {
    EXPECT_NE(all.find(expect), std::string::npos) << expect << "\n" << all;
  }
  EXPECT_EQ(JournalLength(), 0u);
}

// Found by tests/fuzz/import_fuzz.cc: what a line echoed (a role, a field name) reached the
// report as it was, so a line break forged report lines and a NUL emptied the message.
TEST_F(ImportTest, EveryErrorIsOnePrintableLine) {
  ImportResult r = Run({
      R"({"type":"participant","id":"zzz-org","name":"Z Org","kvk":"12345678","roles":["dva\nline 9: forged"]})",
      R"({"type":"node","participant":"lab-dva","hostname":"h.example","\u0000x":1})",
  });
  ASSERT_EQ(r.errors.size(), 2u);
  EXPECT_EQ(r.errors[0], "line 1: role: must be dvp or dva, got 'dva\\nline 9: forged'");
  EXPECT_EQ(r.errors[1], "line 2: \\x00x: unknown field");
}

TEST_F(ImportTest, ErrorsAreBoundedAndAnEmptyFileIsAnError) {
  std::vector<std::string> lines(kMaxImportErrors + 5, "{}");
  ImportResult r = Run(lines);
  ASSERT_EQ(r.errors.size(), kMaxImportErrors + 1);
  EXPECT_EQ(r.errors.back(), "... and 5 more bad lines");
  r = Run({"", "  "});
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0], "test.jsonl: no records to import");
}

TEST_F(ImportTest, LaterLinesSeeEarlierOnesAndADuplicateAbortsAll) {
  auto records = Registry();
  records.push_back(records[8]);  // app-pgo enrolled twice: line 12
  ImportResult r = Run(Dump(records));
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0], "line 12: participant 'app-pgo' is already enrolled");
  EXPECT_EQ(JournalLength(), 0u);
  EXPECT_FALSE((*store_->BeginRead())->GetParticipant("lab-dva").value());
}

// Issue 8 item 7: an import against a map that fills up says the map is full (the store's
// failure, a Status), not that a participant a later line names does not exist.
TEST(ImportFullMapTest, AnImportThatFillsTheMapSaysSoNotThatARecordIsMissing) {
  testing::TempDir dir;
  auto s = store::Store::Open(dir.path() / "data", store::OpenOptions{.map_size = 512 << 10});
  ASSERT_TRUE(s.ok()) << s.status().message();
  std::string text;
  for (int i = 0; i < 3000; ++i) {
    text += json{{"type", "participant"},
                 {"id", "p-" + std::to_string(i)},
                 {"name", "Participant " + std::to_string(i) + " B.V."},
                 {"kvk", "12345678"},
                 {"roles", {"dvp"}},
                 {"email", nullptr}}
                .dump() +
            "\n";
  }
  text +=
      json{{"type", "node"}, {"hostname", "n.p-0.example"}, {"participant", "p-0"}}.dump() + "\n";
  std::istringstream in(text);
  auto w = (*s)->BeginWrite();
  ASSERT_TRUE(w.ok());
  auto r = Import(**w, Actor{"alice", kNow}, in, "big.jsonl");
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_FALSE(r->ok()) << "the import fitted the map; make it bigger";
  EXPECT_LT(r->applied, 3001u);
  EXPECT_NE(r->errors.front().find(": database is full (map size 512 KiB)"), std::string::npos)
      << r->errors.front();
  for (const std::string& e : r->errors) {
    EXPECT_EQ(e.find("does not exist"), std::string::npos) << e;
  }
  EXPECT_EQ((*w)->Commit(store::EventMeta{kNow, "alice", "import", "import", ""}).status().code(),
            Status::Code::kResourceExhausted);
}

}  // namespace
}  // namespace medmij::ops
