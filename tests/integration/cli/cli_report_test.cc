// medmij-admin report: a registry built for the test through the real commands on an injected
// clock (MEDMIJ_TEST_NOW), one month of known events, and the report's figures checked against
// them: in report.json, in the HTML's tables as html5lib's strict parser reads them
// (report_check.py, which also checks that the page is self-contained and CSP-safe), and in the
// PDF that Debian's headless Chromium prints. Page 1 is rendered to PNG as a test artifact in
// build/test-artifacts/report/.
#include <fstream>

#include "tests/integration/cli/cli_fixture.h"
#include "tests/support/dev_pki.h"

namespace medmij::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// A reason as an operator may type it: the page shows it as text.
constexpr const char* kHostile = "resolved <script>alert(1)</script> & <img src=x>";

class CliReportTest : public CliTest {
 protected:
  // The report month is the one after next (UTC): every event the test makes lies after the
  // wall clock's now, where the development signing certificate (made now, valid 400 days)
  // signs.
  void SetUp() override {
    const auto today = std::chrono::floor<Days>(WallClockNow());
    const std::chrono::year_month_day ymd{today};
    const std::chrono::year_month ym =
        std::chrono::year_month{ymd.year(), ymd.month()} + std::chrono::months{2};
    start_ = std::chrono::time_point_cast<Millis>(std::chrono::sys_days{ym / 1});
    end_ = std::chrono::time_point_cast<Millis>(
        std::chrono::sys_days{(ym + std::chrono::months{1}) / 1});
    days_ = static_cast<int>(std::chrono::floor<Days>(end_ - start_).count());
    month_ = FormatDate(start_).substr(0, 7);
    test_now_ = FormatTime(start_ - Days(2));
    CliTest::SetUp();
    pki_ = NewSigningCertificate(dir_ / "pki", /*ec=*/false, 400);
  }

  // Day `day` (1-based) of the month at hh:mm UTC.
  Time At(int day, int hh, int mm = 0) const {
    return start_ + Days(day - 1) + std::chrono::hours(hh) + std::chrono::minutes(mm);
  }
  void Clock(Time t) { test_now_ = FormatTime(t); }

  // `text` is an instant of an event made on a clock started at `t`: the clock runs on at real
  // speed, so a little after it.
  static bool Near(const json& text, Time t) {
    auto at = ParseTime(text.get<std::string>(), "test");
    return at.ok() && *at >= t && *at < t + std::chrono::seconds(30);
  }

  void Enrol(const std::string& id, const std::string& role, Time cert_until) {
    Ok({"participant", "enrol", id, "--name", "Org " + id, "--kvk", "12345678", "--role", role});
    Ok({"cert", "add", id, "--number", "NEN-" + id, "--body", "Certifier BV", "--valid-from",
        FormatDate(start_ - Days(200)), "--valid-until", FormatTime(cert_until), "--accredited",
        "--registered"});
    Ok({"audit-statement", "add", id, "--date", FormatDate(start_ - Days(100)), "--auditor",
        "Audit BV", "--outcome", "conform"});
    Ok({"label", "grant", id});
    Ok({"participant", "activate", id});
    Ok({"node", "add", id, id + ".example"});
  }

  void Publish() {
    Ok({"publish", "--key", pki_.key.string(), "--cert", pki_.cert.string(), "--chain",
        pki_.chain.string()});
  }

  // The registry the report is about; `published_` holds the instant of each whitelist
  // version published in the month.
  void BuildRegistry() {
    const Time far = start_ + Days(400);
    Enrol("pgo-a", "dvp", far);
    Enrol("dva-b", "dva", At(15, 12));  // lapses on the 15th at noon, by time alone
    Enrol("dva-c", "dva", far);
    Enrol("pgo-d", "dvp", far);
    Ok({"participant", "enrol", "cand-e", "--name", "Org cand-e", "--kvk", "12345678", "--role",
        "dvp"});
    Clock(start_ - Days(1));
    Publish();  // every list's Volgnummer 1

    Clock(At(3, 10));
    Enrol("pgo-f", "dvp", far);
    PublishAt(At(3, 10, 5));
    Clock(At(5, 9));
    Ok({"participant", "suspend", "dva-c", "--reason", "incident under review"});
    PublishAt(At(5, 9, 5));
    Clock(At(8, 10));
    Ok({"case", "open", "dva-b", "--type", "certificate-lapsing", "--finding", "renewal late"});
    Clock(At(12, 9));
    Ok({"participant", "reinstate", "dva-c", "--reason", kHostile});
    PublishAt(At(12, 9, 5));
    PublishAt(At(16, 9));  // dva-b's lapse leaves the whitelist
    Clock(At(20, 11));
    Ok({"participant", "terminate", "pgo-d", "--reason", "agreement ended"});
    Ok({"participant", "approve", "term-1"}, "bob");
    PublishAt(At(20, 11, 5));
    Clock(At(22, 10));
    Ok({"case", "close", "case-1", "--reason", "certificate renewed elsewhere"});
    // After the month: neither counts.
    Clock(end_);
    Ok({"participant", "suspend", "pgo-a", "--reason", "next month"});
    PublishAt(end_ + std::chrono::minutes(5));
    Clock(end_ + Days(1));  // the report runs the day after the month
  }

  void PublishAt(Time t) {
    Clock(t);
    Publish();
    if (t < end_) published_.push_back(t);
  }

  // How the HTML shows a recorded instant: to the second.
  static std::string Shown(const json& text) {
    auto at = ParseTime(text.get<std::string>(), "test");
    return at.ok() ? FormatTijdstempel(*at) : "?";
  }

  fs::path out() const { return dir_ / "report"; }

  RunResult Report(const std::vector<std::string>& more = {},
                   const std::map<std::string, std::string>& env = {}) {
    std::vector<std::string> argv{Binary("admin-cli/medmij-admin").string(), "--data-dir",
                                  data_dir(), "--operator", "alice"};
    for (const auto& a : more) argv.push_back(a);
    std::map<std::string, std::string> e = env;
    e["MEDMIJ_TEST_NOW"] = test_now_;
    return RunProcess(argv, "", e, 240);
  }

  static json ReadJson(const fs::path& file) {
    std::ifstream in(file);
    return json::parse(in);
  }

  // The good-standing figures expected for day `d` (1-based): {in, out}.
  static std::pair<int, int> Expected(int d) {
    if (d <= 2) return {4, 1};   // a, b, c, d in; candidate e out
    if (d <= 4) return {5, 1};   // f activated on the 3rd
    if (d <= 11) return {4, 2};  // c suspended on the 5th
    if (d <= 14) return {5, 1};  // c reinstated on the 12th
    if (d <= 19) return {4, 2};  // b's certificate lapsed on the 15th at noon
    return {3, 2};               // d terminated on the 20th: counted in neither
  }

  Time start_{}, end_{};
  int days_ = 0;
  std::string month_;
  DevPki pki_;
  std::vector<Time> published_;
};

TEST_F(CliReportTest, FiguresInJsonHtmlAndPdfMatchWhatWasDone) {
  BuildRegistry();
  RunResult r = Report({"report", "--month", month_, "--out", out().string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  const json doc = ReadJson(out() / "report.json");

  EXPECT_EQ(doc["month"], month_);
  EXPECT_EQ(doc["time_zone"], "UTC");
  EXPECT_EQ(doc["from"], FormatTime(start_));
  EXPECT_EQ(doc["to"], FormatTime(end_));
  const json& p = doc["participants_at_end"];
  EXPECT_EQ(p["total"], 6);
  EXPECT_EQ(p["by_status"], (json{{"active", 4}, {"candidate", 1}, {"terminated", 1}}));
  EXPECT_EQ(p["good_standing"], 3);
  EXPECT_EQ(p["not_good_standing"], 2);

  const json& days = doc["charts"]["good_standing_per_day"];
  ASSERT_EQ(days.size(), static_cast<size_t>(days_));
  for (int d = 1; d <= days_; ++d) {
    SCOPED_TRACE(d);
    EXPECT_EQ(days[d - 1]["date"], FormatDate(At(d, 0)));
    EXPECT_EQ(days[d - 1]["good_standing"], Expected(d).first);
    EXPECT_EQ(days[d - 1]["not_good_standing"], Expected(d).second);
  }

  std::vector<std::string> changes;
  for (const auto& c : doc["status_changes"]) {
    changes.push_back(Cat(c["kind"].get<std::string>(), " ", c["participant"].get<std::string>()));
  }
  EXPECT_EQ(changes,
            (std::vector<std::string>{"enrolment pgo-f", "activation pgo-f", "suspension dva-c",
                                      "reinstatement dva-c", "termination pgo-d"}));
  ASSERT_EQ(doc["status_changes"].size(), 5u);
  const Time change_at[] = {At(3, 10), At(3, 10), At(5, 9), At(12, 9), At(20, 11)};
  for (size_t i = 0; i < 5; ++i) {
    EXPECT_TRUE(Near(doc["status_changes"][i]["at"], change_at[i])) << doc["status_changes"][i];
  }
  EXPECT_EQ(doc["status_changes"][2]["reason"], "incident under review");
  EXPECT_EQ(doc["status_changes"][4]["operator"], "bob");
  EXPECT_EQ(doc["status_change_counts"], (json{{"enrolment", 1},
                                               {"activation", 1},
                                               {"suspension", 1},
                                               {"reinstatement", 1},
                                               {"termination", 1},
                                               {"change", 0}}));
  ASSERT_EQ(doc["cases"]["opened"].size(), 1u);
  EXPECT_EQ(doc["cases"]["opened"][0]["case"], "case-1");
  EXPECT_TRUE(Near(doc["cases"]["opened"][0]["at"], At(8, 10)));
  ASSERT_EQ(doc["cases"]["closed"].size(), 1u);
  EXPECT_TRUE(Near(doc["cases"]["closed"][0]["at"], At(22, 10)));
  EXPECT_EQ(doc["cases"]["closed"][0]["reason"], "certificate renewed elsewhere");
  ASSERT_EQ(doc["lapses"].size(), 1u);
  EXPECT_EQ(doc["lapses"][0]["participant"], "dva-b");
  EXPECT_EQ(doc["lapses"][0]["kind"], "certificate");
  EXPECT_EQ(doc["lapses"][0]["at"], FormatTime(At(15, 12)));

  // The whitelist: Volgnummer 1 at the start, one version per publication in the month.
  const json* whitelist = nullptr;
  for (const auto& l : doc["lists"]) {
    if (l["list"] == "whitelist") {
      whitelist = &l;
    } else {
      EXPECT_EQ(l["volgnummer_at_start"], 1) << l.dump();
      EXPECT_EQ(l["volgnummer_at_end"], 1) << l.dump();
      EXPECT_EQ(l["versions_published"], 0) << l.dump();
    }
  }
  ASSERT_NE(whitelist, nullptr);
  EXPECT_EQ((*whitelist)["volgnummer_at_start"], 1);
  EXPECT_EQ((*whitelist)["volgnummer_at_end"], 6);
  EXPECT_EQ((*whitelist)["entries"], 2);
  EXPECT_EQ((*whitelist)["exits"], 3);
  const json& versions = (*whitelist)["versions"];
  ASSERT_EQ(versions.size(), 5u);
  EXPECT_EQ(versions[0]["added"], json::array({"pgo-f.example"}));
  EXPECT_EQ(versions[1]["removed"], json::array({"dva-c.example"}));
  EXPECT_EQ(versions[2]["added"], json::array({"dva-c.example"}));
  EXPECT_EQ(versions[3]["removed"], json::array({"dva-b.example"}));
  EXPECT_EQ(versions[4]["removed"], json::array({"pgo-d.example"}));
  for (size_t i = 0; i < versions.size(); ++i) {
    EXPECT_EQ(versions[i]["volgnummer"], i + 2);
    EXPECT_EQ(versions[i]["tijdstempel"], FormatTijdstempel(published_[i]));
  }
  // Volgnummer over time: the start, then each version.
  for (const auto& s : doc["charts"]["volgnummer_per_list"]) {
    if (s["list"] != "whitelist") {
      EXPECT_EQ(s["points"].size(), 1u) << s.dump();
      continue;
    }
    ASSERT_EQ(s["points"].size(), 6u);
    EXPECT_EQ(s["points"][0], (json{{"at", FormatTime(start_)}, {"volgnummer", 1}}));
    EXPECT_EQ(s["points"][5]["volgnummer"], 6);
    EXPECT_EQ(s["points"][5]["at"], FormatTime(published_[4]));
  }
  // Per week: each publication in the week whose days hold it.
  const json& weeks = doc["charts"]["list_changes_per_week"];
  int total_versions = 0;
  for (const auto& w : weeks) {
    int expected = 0;
    for (Time t : published_) {
      const std::string day = FormatDate(t);
      if (w["from"].get<std::string>() <= day && day <= w["to"].get<std::string>()) ++expected;
    }
    EXPECT_EQ(w["versions"], expected) << w.dump();
    total_versions += w["versions"].get<int>();
  }
  EXPECT_EQ(total_versions, 5);
  EXPECT_EQ(weeks.front()["from"], FormatDate(start_));
  EXPECT_EQ(weeks.back()["to"], FormatDate(end_ - Days(1)));
  EXPECT_EQ(doc["journal"]["events_before_end"].get<uint64_t>(), doc["journal"]["last_seq"]);

  // The HTML, as html5lib's strict parser reads it.
  const std::string check_script =
      (fs::path(MEDMIJ_SOURCE_DIR) / "tests/integration/cli/report_check.py").string();
  RunResult check =
      RunProcess({"/usr/bin/python3", check_script, (out() / "report.html").string()});
  ASSERT_EQ(check.exit_code, 0) << check.err;
  const json html = json::parse(check.out);
  // The checker itself refuses a script, an external resource and a stylesheet the CSP does
  // not admit.
  const std::string page = ReadBytes(out() / "report.html");
  const std::pair<std::string, std::string> spoiled[] = {
      {"</main>", "<script>1</script></main>"},
      {"</main>", "<p><img src=\"http://example.org/x.png\" alt=\"x\"></p></main>"},
      {"@page {", "@page { color: red; } @page {"}};
  for (const auto& [at, insert] : spoiled) {
    std::string bad = page;
    bad.replace(bad.find(at), at.size(), insert);
    const fs::path file = dir_ / "spoiled.html";
    std::ofstream(file) << bad;
    RunResult refused = RunProcess({"/usr/bin/python3", check_script, file.string()});
    EXPECT_EQ(refused.exit_code, 1) << insert << refused.err;
  }
  EXPECT_EQ(html["svg"], 2 + 6);  // standing, weeks, one Volgnummer chart per list
  EXPECT_EQ(html["figures"]["fig-total"], "6");
  EXPECT_EQ(html["figures"]["fig-good"], "3");
  EXPECT_EQ(html["figures"]["fig-not-good"], "2");
  for (const char* kind :
       {"enrolment", "activation", "suspension", "reinstatement", "termination"}) {
    EXPECT_EQ(html["figures"][Cat("count-", kind)], "1") << kind;
  }
  const json& t = html["tables"];
  EXPECT_EQ(t["by-status"], json::parse(R"([["candidate", "1"], ["active", "4"],
                                             ["suspended", "0"], ["terminated", "1"]])"));
  ASSERT_EQ(t["standing-days"].size(), static_cast<size_t>(days_));
  for (int d = 1; d <= days_; ++d) {
    EXPECT_EQ(t["standing-days"][d - 1],
              (json{FormatDate(At(d, 0)), std::to_string(Expected(d).first),
                    std::to_string(Expected(d).second)}))
        << d;
  }
  ASSERT_EQ(t["status-changes"].size(), 5u);
  EXPECT_EQ(
      t["status-changes"][2],
      (json{Shown(doc["status_changes"][2]["at"]), "suspension", "dva-c", "active", "suspended",
            "alice", "incident under review", doc["status_changes"][2]["seq"].dump()}));
  EXPECT_EQ(doc["status_changes"][3]["reason"], kHostile);
  EXPECT_EQ(t["status-changes"][3][6], kHostile);
  ASSERT_EQ(t["cases-opened"].size(), 1u);
  EXPECT_EQ(t["cases-opened"][0][1], "case-1");
  EXPECT_EQ(t["cases-opened"][0][4], "renewal late");
  ASSERT_EQ(t["cases-closed"].size(), 1u);
  EXPECT_EQ(t["cases-closed"][0][0], Shown(doc["cases"]["closed"][0]["at"]));
  EXPECT_EQ(
      t["lapses"],
      (json{{FormatTijdstempel(At(15, 12)), "dva-b", "certificate", "NEN-dva-b (Certifier BV)"}}));
  ASSERT_EQ(t["lists"].size(), 6u);
  EXPECT_EQ(t["lists"][0], (json{"whitelist", "1", "6", "5", "2", "3", "0"}));
  ASSERT_EQ(t["list-versions"].size(), 5u);
  EXPECT_EQ(t["list-versions"][3],
            (json{"whitelist", "5", FormatTijdstempel(published_[3]), "", "dva-b.example", ""}));
  ASSERT_EQ(t["list-weeks"].size(), weeks.size());
  for (size_t i = 0; i < weeks.size(); ++i) {
    EXPECT_EQ(t["list-weeks"][i][0], weeks[i]["week"]);
    EXPECT_EQ(t["list-weeks"][i][2], weeks[i]["versions"].dump());
    EXPECT_EQ(t["list-weeks"][i][3], weeks[i]["entries"].dump());
    EXPECT_EQ(t["list-weeks"][i][4], weeks[i]["exits"].dump());
  }

  // The PDF, and page 1 as a PNG (A4 at 96 dpi) kept as an artifact.
  const std::string pdf = ReadBytes(out() / "report.pdf");
  EXPECT_EQ(pdf.substr(0, 5), "%PDF-");
  EXPECT_GT(pdf.size(), 10000u);
  // Pages: the appendix starts a page of its own (report.css), so at least two.
  size_t pages = 0;
  for (size_t at = pdf.find("/Type /Page"); at != std::string::npos;
       at = pdf.find("/Type /Page", at + 1)) {
    if (pdf.compare(at, 12, "/Type /Pages") != 0) ++pages;
  }
  EXPECT_GE(pages, 2u);
  const fs::path artifacts = fs::path(MEDMIJ_BINARY_DIR) / "test-artifacts" / "report";
  fs::create_directories(artifacts);
  for (const char* f : {"report.html", "report.pdf", "report.json"}) {
    fs::copy_file(out() / f, artifacts / f, fs::copy_options::overwrite_existing);
  }
  const fs::path png = artifacts / "report-page1.png";
  fs::remove(png);
  RunResult shot = RunProcess(
      {"/usr/bin/chromium", "--headless", "--no-sandbox", "--disable-gpu",
       "--disable-dev-shm-usage", "--no-first-run", "--hide-scrollbars",
       Cat("--user-data-dir=", (dir_ / "chromium-profile").string()), "--window-size=794,1123",
       Cat("--screenshot=", png.string()), Cat("file://", (out() / "report.html").string())},
      "", {}, 120);
  EXPECT_EQ(shot.exit_code, 0) << shot.err;
  const std::string png_bytes = ReadBytes(png);
  EXPECT_EQ(png_bytes.substr(0, 4), "\x89PNG");
  EXPECT_GT(png_bytes.size(), 10000u);

  // --json prints the same document.
  RunResult again =
      Report({"--json", "report", "--month", month_, "--out", (dir_ / "again").string()});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  json printed = json::parse(again.out);
  json expected = doc;
  printed.erase("generated_at");  // a moment later on the running clock
  expected.erase("generated_at");
  EXPECT_EQ(printed, expected);
}

TEST_F(CliReportTest, ABadMonthIsOneErrorLineAndWritesNothing) {
  Clock(end_ + Days(1));
  for (const char* bad : {"2026-13", "26-11", "2026-1", "2026-11-01", "november", ""}) {
    SCOPED_TRACE(bad);
    RunResult r = Report({"report", "--month", bad, "--out", out().string()});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(Lines(r.err).size(), 1u) << r.err;
    EXPECT_NE(r.err.find("--month"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(out()));
  }
  // --out naming a file.
  {
    std::ofstream(dir_ / "a-file") << "x";
    RunResult r = Report({"report", "--month", month_, "--out", (dir_ / "a-file").string()});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("--out: "), std::string::npos) << r.err;
    EXPECT_EQ(ReadBytes(dir_ / "a-file"), "x");
  }
  // A month that has not ended yet on the clock.
  Clock(end_ - std::chrono::minutes(1));
  RunResult r = Report({"report", "--month", month_, "--out", out().string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(Lines(r.err).size(), 1u) << r.err;
  EXPECT_NE(r.err.find("--month: " + month_ + " has not ended yet"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(out()));
}

TEST_F(CliReportTest, WithoutChromiumTheHtmlIsStillWritten) {
  Clock(end_ + Days(1));
  const std::string missing = (dir_ / "no-such-chromium").string();
  for (bool by_env : {true, false}) {
    SCOPED_TRACE(by_env);
    fs::remove_all(out());
    RunResult r =
        by_env
            ? Report({"report", "--month", month_, "--out", out().string()},
                     {{"MEDMIJ_CHROMIUM", missing}})
            : Report({"report", "--month", month_, "--out", out().string(), "--chromium", missing});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(Lines(r.err).size(), 1u) << r.err;
    EXPECT_NE(r.err.find("cannot run Chromium '" + missing + "'"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("report.html and report.json are written"), std::string::npos) << r.err;
    EXPECT_TRUE(fs::exists(out() / "report.html"));
    EXPECT_TRUE(fs::exists(out() / "report.json"));
    EXPECT_FALSE(fs::exists(out() / "report.pdf"));
    EXPECT_EQ(CountEntries(out()), 2u);  // no temp file left
  }
  // A Chromium that fails leaves no PDF either, and removes one of an earlier run.
  std::ofstream(out() / "report.pdf") << "%PDF-1.4 of an earlier run";
  RunResult r =
      Report({"report", "--month", month_, "--out", out().string(), "--chromium", "/bin/false"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("exited with status 1"), std::string::npos) << r.err;
  EXPECT_EQ(CountEntries(out()), 2u);
}

}  // namespace
}  // namespace medmij::testing
