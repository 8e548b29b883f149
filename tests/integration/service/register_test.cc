// The public register for people (issue 13) served by the real medmij-registry: what each page
// shows and keeps internal, escaping, the security and caching headers, 304, the HTML 404 page,
// the search, a medmij-admin change after the next publication, and valid HTML5 by html5lib's
// strict parser (Debian python3-html5lib) as an independent checker.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "tests/integration/service/harness.h"

namespace medmij::testing {
namespace {

constexpr char kScriptName[] = "<script>alert(1)</script> B.V.";
constexpr char kScriptEscaped[] = "&lt;script&gt;alert(1)&lt;/script&gt; B.V.";

// Besides the demo data: a labelled DVP with a hostile name, and two participants that will leave
// the lists (one suspended, one terminated) with reasons that must stay internal.
std::string ExtraParticipants() {
  const std::string from = "2026-01-01", until = "2099-01-01";
  std::string out;
  auto active = [&](const std::string& id, const std::string& name, const std::string& role,
                    const std::string& kvk) {
    out += Cat(R"({"type":"participant","id":")", id, R"(","name":")", name, R"(","kvk":")", kvk,
               R"(","roles":[")", role, R"("]})", "\n");
    out += Cat(R"({"type":"certificate","participant":")", id, R"(","number":"NEN7510-SECRET-)", id,
               R"(","body":"Certificeringsbureau Noord","accredited":true,"registered":true,)",
               R"("valid_from":")", from, R"(","valid_until":")", until, R"("})", "\n");
    out += Cat(R"({"type":"audit_statement","participant":")", id, R"(","date":")",
               IsoTime(std::chrono::system_clock::now()).substr(0, 10),
               R"(","auditor":"Audit BV","outcome":"conform","pentest":true})", "\n");
    out += Cat(R"({"type":"label","participant":")", id, R"("})", "\n");
    out += Cat(R"({"type":"activate","participant":")", id, R"("})", "\n");
    out += Cat(R"({"type":"node","participant":")", id, R"(","hostname":"medmij.)", id,
               R"(.example"})", "\n");
  };
  active("script-bv", kScriptName, "dvp", "10000001");
  active("geschorst-pgo", "Geschorst PGO B.V.", "dvp", "10000002");
  active("weg-dva", "Weg DVA B.V.", "dva", "10000003");
  return out;
}

// The text of the element that starts at the first `open` (e.g. `<table id="x"`) up to the
// next `close`; "" when absent.
std::string Between(const std::string& html, const std::string& open, const std::string& close) {
  size_t b = html.find(open);
  if (b == std::string::npos) return "";
  size_t e = html.find(close, b);
  return html.substr(b, e == std::string::npos ? std::string::npos : e - b);
}
std::string ActiveTable(const std::string& html) {
  return Between(html, "<table id=\"active-participants\"", "</table>");
}
std::string InactiveTable(const std::string& html) {
  return Between(html, "<table id=\"inactive-participants\"", "</table>");
}
bool Contains(const std::string& s, const std::string& what) {
  return s.find(what) != std::string::npos;
}

class RegisterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    data_ = dir_.path() / "data";
    InitDemoRegistry(data_);
    fs::path extra = dir_.path() / "extra.jsonl";
    WriteFile(extra, ExtraParticipants());
    Admin(data_, {"import", extra.string()});
    Admin(data_, {"participant", "suspend", "geschorst-pgo", "--reason", "incident GEHEIM-7"});
    CommandResult requested =
        Admin(data_, {"--json", "participant", "terminate", "weg-dva", "--reason", "GEHEIM-8"});
    const std::string request = nlohmann::json::parse(requested.out)["request_id"];
    Admin(data_, {"participant", "approve", request}, false, "bob");

    ServiceOptions o;
    o.data_dir = data_;
    o.pki = MakeDevPki(dir_.path() / "pki");
    o.trust_anchor = o.pki.ca;
    service_ = std::make_unique<Service>(dir_.path(), o);
    ASSERT_TRUE(service_->Start()) << service_->Stderr();
    // The first publication has run once the lists page names a Volgnummer.
    ASSERT_TRUE(WaitFor([&] {
      HttpResponse r = HttpGet(Url("/lijsten"));
      return r.status == 200 && Contains(r.body, "MedMij_Whitelist.xml");
    })) << service_->Stderr();
  }
  void TearDown() override { EXPECT_EQ(service_->Stop(), 0) << service_->Stderr(); }

  std::string Url(const std::string& path) const { return service_->Url(path); }
  std::string Page(const std::string& path) {
    HttpResponse r = HttpGet(Url(path));
    EXPECT_EQ(r.status, 200) << path << "\n" << r.body;
    return r.body;
  }

  TempDir dir_;
  fs::path data_;
  std::unique_ptr<Service> service_;
};

TEST_F(RegisterTest, OverviewListsLabelledParticipantsAndTheInactiveApart) {
  std::string html = Page("/");
  EXPECT_TRUE(Contains(html, "<html lang=\"nl\">"));
  const std::string active = ActiveTable(html), inactive = InactiveTable(html);
  ASSERT_FALSE(active.empty()) << html;
  ASSERT_FALSE(inactive.empty()) << html;
  // The labelled PGO and DVA in good standing, with role, label date and (DVA) services.
  EXPECT_TRUE(
      Contains(active, "<a href=\"/deelnemers/deenigeechtepgo\">De Enige Echte PGO B.V.</a>"))
      << active;
  EXPECT_TRUE(Contains(active, "DVP (PGO)"));
  EXPECT_TRUE(Contains(active, "XIS Bridge B.V."));
  EXPECT_TRUE(Contains(active, "Basisgegevens Zorg, Laboratoriumresultaten, Documenten")) << active;
  EXPECT_TRUE(Contains(active, "<td data-label=\"Zorgaanbieders\">2</td>"))
      << "XIS Bridge serves two zorgaanbieders\n"
      << active;
  const std::string today = IsoTime(std::chrono::system_clock::now()).substr(0, 10);
  EXPECT_TRUE(Contains(active, "<time datetime=\"" + today + "\">")) << active;
  // Sorted by name.
  EXPECT_LT(active.find("De Enige Echte PGO"), active.find("XIS Bridge"));
  // Suspended and terminated participants in their own section, with the date they left.
  EXPECT_FALSE(Contains(active, "Geschorst PGO"));
  EXPECT_FALSE(Contains(active, "Weg DVA"));
  EXPECT_TRUE(Contains(inactive, "Geschorst PGO B.V.")) << inactive;
  EXPECT_TRUE(Contains(inactive, "<td data-label=\"Staat\">geschorst</td>")) << inactive;
  EXPECT_TRUE(Contains(inactive, "Weg DVA B.V."));
  EXPECT_TRUE(Contains(inactive, "<td data-label=\"Staat\">beëindigd</td>")) << inactive;
  EXPECT_TRUE(Contains(inactive, "<time datetime=\"" + today + "\">")) << inactive;
  // Candidates are not public; reasons and evidence stay internal.
  for (const char* hidden : {"Nieuwe PGO", "nieuwe-pgo", "Stale Audit", "GEHEIM", "NEN7510-",
                             "beheer@deenigeechtepgo.example", "12345678", "alice", "bob"}) {
    EXPECT_FALSE(Contains(html, hidden)) << hidden;
  }
}

TEST_F(RegisterTest, HostileNameIsShownAsText) {
  for (const std::string& path : {std::string("/"), std::string("/deelnemers/script-bv")}) {
    std::string html = Page(path);
    EXPECT_FALSE(Contains(html, kScriptName)) << path;
    EXPECT_FALSE(Contains(html, "<script")) << path;
    EXPECT_TRUE(Contains(html, kScriptEscaped)) << path << "\n" << html;
  }
  // Also in a search that finds it by its text.
  std::string found = Page("/?q=%3Cscript%3E&role=dvp");
  EXPECT_TRUE(Contains(ActiveTable(found), kScriptEscaped)) << found;
  EXPECT_TRUE(Contains(found, "value=\"&lt;script&gt;\"")) << found;
}

TEST_F(RegisterTest, ParticipantPageShowsPublicDataOnly) {
  std::string dva = Page("/deelnemers/xisbridge");
  EXPECT_TRUE(Contains(dva, "<h1>XIS Bridge B.V.</h1>"));
  EXPECT_TRUE(Contains(dva, "<dd>actief</dd>"));
  EXPECT_TRUE(Contains(dva, "Whitelist, "));  // the lists it is on now
  EXPECT_TRUE(Contains(dva, "<code>medmij.za982.xisbridge.net</code>"));
  EXPECT_TRUE(Contains(dva, "<code>umcharderwijk@medmij</code>"));
  EXPECT_TRUE(Contains(dva, "Laboratoriumresultaten, Documenten, Afspraken")) << dva;
  EXPECT_TRUE(Contains(dva, "MedMij-label verleend"));
  EXPECT_TRUE(Contains(dva, "Geactiveerd"));

  std::string pgo = Page("/deelnemers/deenigeechtepgo");
  EXPECT_TRUE(Contains(pgo, "<code>medmij.deenigeechtepgo.nl</code>"));
  EXPECT_TRUE(Contains(pgo, "<td data-label=\"Organisatie\">De Enige Echte PGO</td>"))
      << "the OAuth client";

  std::string suspended = Page("/deelnemers/geschorst-pgo");
  EXPECT_TRUE(Contains(suspended, "<dd>geschorst</dd>"));
  EXPECT_TRUE(Contains(suspended, "<td data-label=\"Besluit\">Geschorst</td>")) << suspended;
  std::string terminated = Page("/deelnemers/weg-dva");
  EXPECT_TRUE(Contains(terminated, "Beëindigd (uitgesloten)"));
  for (const std::string& html : {dva, pgo, suspended, terminated}) {
    for (const char* hidden : {"GEHEIM", "NEN7510-", "Certificeringsbureau", "Audit BV",
                               "ops@xisbridge.example", "87654321", "alice", "bob", "06010101"}) {
      EXPECT_FALSE(Contains(html, hidden)) << hidden;
    }
  }
}

TEST_F(RegisterTest, UnknownAndCandidatePagesAreTheHtml404) {
  for (const char* path : {"/deelnemers/nobody-here", "/deelnemers/nieuwe-pgo",
                           "/deelnemers/staleaudit-dva", "/static/nothing.css"}) {
    HttpResponse r = HttpGet(Url(path));
    EXPECT_EQ(r.status, 404) << path;
    EXPECT_EQ(r.header("content-type"), "text/html; charset=utf-8") << path;
    EXPECT_TRUE(Contains(r.body, "<h1>Niet gevonden</h1>")) << path;
    EXPECT_TRUE(Contains(r.header("content-security-policy"), "default-src 'self'"));
  }
  // A browser gets the page for any unknown path; a machine the plain text it always got.
  HttpResponse browser = HttpGet(Url("/no-such-page"), {"Accept: text/html,*/*;q=0.8"});
  EXPECT_EQ(browser.status, 404);
  EXPECT_TRUE(Contains(browser.body, "<h1>Niet gevonden</h1>"));
  HttpResponse machine = HttpGet(Url("/no-such-page"));
  EXPECT_EQ(machine.status, 404);
  EXPECT_EQ(machine.body, "not found\n");
}

TEST_F(RegisterTest, PagesCarrySecurityHeadersStrongEtagsAnd304) {
  for (const char* path :
       {"/", "/lijsten", "/deelnemers/xisbridge", "/static/register.css", "/?q=xis"}) {
    SCOPED_TRACE(path);
    HttpResponse r = HttpGet(Url(path));
    ASSERT_EQ(r.status, 200);
    const std::string csp = r.header("content-security-policy");
    EXPECT_EQ(csp.rfind("default-src 'self'", 0), 0u) << csp;
    EXPECT_FALSE(Contains(csp, "unsafe-inline"));
    EXPECT_EQ(r.header("x-content-type-options"), "nosniff");
    EXPECT_EQ(r.header("referrer-policy"), "no-referrer");
    EXPECT_EQ(r.header("content-type"), std::string(path) == "/static/register.css"
                                            ? "text/css; charset=utf-8"
                                            : "text/html; charset=utf-8");
    // No script at all (CSP would refuse inline script; there is none to refuse) and nothing
    // loaded from elsewhere.
    EXPECT_FALSE(Contains(r.body, "<script"));
    EXPECT_FALSE(Contains(r.body, " style="));
    EXPECT_FALSE(Contains(r.body, "src=\"http"));
    EXPECT_FALSE(Contains(r.body, "href=\"http"));
    if (std::string(path).find('?') != std::string::npos) continue;  // searches: per request
    EXPECT_EQ(r.header("etag"), Cat("\"", Sha256Hex(r.body), "\""));
    HttpResponse again = HttpGet(Url(path), {"If-None-Match: " + r.header("etag")});
    EXPECT_EQ(again.status, 304);
    EXPECT_TRUE(again.body.empty());
    EXPECT_EQ(again.header("etag"), r.header("etag"));
    HttpResponse head = HttpGet(Url(path), {}, "HEAD");
    EXPECT_EQ(head.status, 200);
    EXPECT_EQ(head.header("content-length"), std::to_string(r.body.size()));
  }
  EXPECT_EQ(HttpGet(Url("/"), {}, "POST").status, 405);
}

TEST_F(RegisterTest, SearchNarrowsByTextAndRole) {
  std::string pgo = Page("/?q=enige+echte");
  EXPECT_TRUE(Contains(ActiveTable(pgo), "De Enige Echte PGO"));
  EXPECT_FALSE(Contains(pgo, "XIS Bridge"));
  EXPECT_TRUE(Contains(pgo, "id=\"result-count\">1 resultaten")) << pgo;
  std::string dvas = Page("/?q=&role=dva");
  EXPECT_TRUE(Contains(ActiveTable(dvas), "XIS Bridge"));
  EXPECT_TRUE(Contains(InactiveTable(dvas), "Weg DVA"));
  EXPECT_FALSE(Contains(dvas, "De Enige Echte PGO"));
  EXPECT_TRUE(Contains(dvas, "<option value=\"dva\" selected>"));
  // Bad input: one clear 400 naming the parameter.
  HttpResponse bad_role = HttpGet(Url("/?role=admin"));
  EXPECT_EQ(bad_role.status, 400);
  EXPECT_TRUE(Contains(bad_role.body, "'role'")) << bad_role.body;
  EXPECT_EQ(HttpGet(Url("/?q=%zz")).status, 400);
  EXPECT_EQ(HttpGet(Url("/?q=" + std::string(101, 'a'))).status, 400);
  EXPECT_EQ(HttpGet(Url("/?other=1")).status, 400);
  EXPECT_EQ(HttpGet(Url("/lijsten?q=1")).status, 400);
}

TEST_F(RegisterTest, ListsPageNamesVersionsDigestsAndTheTrustAnchor) {
  std::string html = Page("/lijsten");
  HttpResponse wl = HttpGet(Url("/signed/MedMij_Whitelist.xml"));
  ASSERT_EQ(wl.status, 200);
  EXPECT_TRUE(Contains(html, Sha256Hex(wl.body))) << html;
  EXPECT_TRUE(Contains(html, std::to_string(wl.body.size()) + " bytes"));
  EXPECT_TRUE(Contains(html, "<a href=\"/signed/MedMij_Whitelist.xml\">"));
  EXPECT_TRUE(Contains(html, "<a href=\"/lists/whitelist/versions\">"));
  EXPECT_TRUE(Contains(html, "<time datetime=\"" + Tijdstempel(wl.body) + "\">"));
  // The fingerprint as stock openssl prints it.
  CommandResult fp =
      RunCommand({"openssl", "x509", "-in", (dir_.path() / "pki" / "ca.pem").string(), "-noout",
                  "-fingerprint", "-sha256"});
  ASSERT_EQ(fp.exit_code, 0) << fp.err;
  std::string fingerprint = fp.out.substr(fp.out.find('=') + 1);
  fingerprint = fingerprint.substr(0, fingerprint.find('\n'));
  EXPECT_EQ(fingerprint.size(), 95u) << fp.out;
  EXPECT_TRUE(Contains(html, "<code class=\"digest\" id=\"trust-anchor\">" + fingerprint)) << html;

  // The command the page prints checks a download of the signed form as it says.
  const std::string open = "<pre><code>", close = "</code></pre>";
  size_t at = html.find(open + "medmij-verify");
  ASSERT_NE(at, std::string::npos) << html;
  std::string command = html.substr(at + open.size());
  command = command.substr(0, command.find(close));
  std::vector<std::string> argv;
  for (size_t b = 0; b < command.size();) {
    size_t e = command.find(' ', b);
    if (e == std::string::npos) e = command.size();
    argv.push_back(command.substr(b, e - b));
    b = e + 1;
  }
  ASSERT_EQ(argv.size(), 6u) << command;
  EXPECT_EQ(argv.back(), "MedMij_Whitelist.xml") << command;
  fs::path download = dir_.path() / "download";
  fs::create_directories(download);
  fs::copy_file(dir_.path() / "pki" / "ca.pem", download / "medmij-ca.pem");
  WriteFile(download / "MedMij_Whitelist.xml", wl.body);
  // Run as printed, in the folder the two files were saved to.
  argv[0] = Binary("signer/medmij-verify").string();
  argv.insert(argv.begin(), {"bash", "-c", "cd \"$0\" && exec \"$@\"", download.string()});
  CommandResult verified = RunCommand(argv);
  EXPECT_EQ(verified.exit_code, 0) << command << "\n" << verified.out << verified.err;
}

TEST_F(RegisterTest, AdminChangeShowsAfterTheNextPublication) {
  HttpResponse before = HttpGet(Url("/"));
  ASSERT_TRUE(Contains(ActiveTable(before.body), "De Enige Echte PGO"));
  Admin(data_, {"participant", "suspend", "deenigeechtepgo", "--reason", "incident GEHEIM-9"});
  // The service republishes within a second of the commit (check_interval_ms = 50 here); the
  // deadline is generous for a loaded machine.
  ASSERT_TRUE(WaitFor([&] {
    return Contains(InactiveTable(HttpGet(Url("/")).body), "De Enige Echte PGO");
  })) << service_->Stderr();
  HttpResponse after = HttpGet(Url("/"));
  EXPECT_FALSE(Contains(ActiveTable(after.body), "De Enige Echte PGO"));
  EXPECT_NE(after.header("etag"), before.header("etag"));
  EXPECT_EQ(HttpGet(Url("/"), {"If-None-Match: " + before.header("etag")}).status, 200);
  std::string page = Page("/deelnemers/deenigeechtepgo");
  EXPECT_TRUE(Contains(page, "<dd>geschorst</dd>"));
  EXPECT_FALSE(Contains(page, "GEHEIM"));

  // An active participant whose label is withdrawn is "niet in goede staat", with the date.
  Admin(data_, {"label", "withdraw", "xisbridge", "--reason", "label review GEHEIM-10"});
  ASSERT_TRUE(WaitFor([&] {
    return Contains(InactiveTable(HttpGet(Url("/")).body), "XIS Bridge B.V.");
  })) << service_->Stderr();
  const std::string inactive = InactiveTable(HttpGet(Url("/")).body);
  const std::string today = IsoTime(std::chrono::system_clock::now()).substr(0, 10);
  EXPECT_TRUE(Contains(inactive, "<td data-label=\"Staat\">niet in goede staat</td>")) << inactive;
  EXPECT_TRUE(Contains(inactive, "<time datetime=\"" + today + "\">")) << inactive;
  std::string dva = Page("/deelnemers/xisbridge");
  EXPECT_TRUE(Contains(dva, "MedMij-label ingetrokken"));
  EXPECT_TRUE(Contains(dva, "<dd>actief</dd>"));
  EXPECT_FALSE(Contains(dva, "GEHEIM"));
}

TEST_F(RegisterTest, EveryPageIsValidHtml5ByTheStrictParser) {
  std::vector<std::string> argv = {
      "/usr/bin/python3", (SourceDir() / "tests/integration/service/html5_check.py").string()};
  int n = 0;
  for (const char* path : {"/", "/lijsten", "/deelnemers/xisbridge", "/deelnemers/deenigeechtepgo",
                           "/deelnemers/geschorst-pgo", "/deelnemers/weg-dva",
                           "/deelnemers/script-bv", "/?q=xis", "/?q=nothing-matches&role=dvp"}) {
    fs::path file = dir_.path() / ("page-" + std::to_string(++n) + ".html");
    WriteFile(file, Page(path));
    argv.push_back(file.string());
  }
  fs::path missing = dir_.path() / "page-404.html";
  WriteFile(missing, HttpGet(Url("/deelnemers/nobody-here")).body);
  argv.push_back(missing.string());
  CommandResult check = RunCommand(argv);
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
  // The checker itself refuses what is not valid.
  fs::path broken = dir_.path() / "broken.html";
  WriteFile(broken, "<!DOCTYPE html><html lang=\"nl\"><head><title>x</title></head><body></div>");
  EXPECT_EQ(RunCommand({argv[0], argv[1], broken.string()}).exit_code, 1);
}

// Debian's headless Chromium on the real service (tests/browser/register_browser.py says what
// it checks); screenshots at 1280 and 375 px are kept in the build dir as test artifacts.
TEST_F(RegisterTest, InHeadlessChromiumWithAxeCore) {
  const fs::path axe = SourceDir() / "tests/browser/node_modules/axe-core/axe.min.js";
  ASSERT_TRUE(fs::exists(axe)) << axe << " is missing: run scripts/install-deps.sh";
  const fs::path artifacts = fs::path(MEDMIJ_BINARY_DIR) / "test-artifacts" / "register";
  CommandResult r = RunCommand(
      {"/usr/bin/python3", (SourceDir() / "tests/browser/register_browser.py").string(),
       "http://127.0.0.1:" + std::to_string(service_->port()), artifacts.string(), axe.string(),
       "--", AdminBinary().string(), "--data-dir", data_.string(), "--operator", "alice",
       "participant", "suspend", "xisbridge", "--reason", "browser test"},
      std::chrono::seconds(240));
  WriteFile(artifacts / "browser.log", r.out + r.err);  // what was checked, with axe's findings
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_GT(fs::file_size(artifacts / "register-1280.png"), 1000u) << r.out;
  EXPECT_GT(fs::file_size(artifacts / "register-375.png"), 1000u) << r.out;
}

// The pages in the export dir ([publish] export_dir), and deploy/nginx serving them with the
// service's headers while it passes searches (a query string) to the service.
class ExportedRegisterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    data_ = dir_.path() / "data";
    exported_ = dir_.path() / "export";
    fs::create_directories(exported_);
    LetNginxRead(exported_);
    InitDemoRegistry(data_);
    ServiceOptions o;
    o.data_dir = data_;
    o.pki = MakeDevPki(dir_.path() / "pki");
    o.export_dir = exported_;
    service_ = std::make_unique<Service>(dir_.path(), o);
    ASSERT_TRUE(service_->Start()) << service_->Stderr();
    // index.html is written last (registry/service/site_export.h).
    ASSERT_TRUE(WaitFor([&] {
      return fs::exists(exported_ / "index.html") && fs::exists(exported_ / "MedMij_Whitelist.xml");
    })) << service_->Stderr();
    nginx_ = std::make_unique<NginxFront>(dir_.path(), exported_, service_->port());
    ASSERT_TRUE(nginx_->Start()) << nginx_->ErrorLog();
  }
  void TearDown() override {
    nginx_.reset();
    EXPECT_EQ(service_->Stop(), 0) << service_->Stderr();
  }

  TempDir dir_;
  fs::path data_, exported_;
  std::unique_ptr<Service> service_;
  std::unique_ptr<NginxFront> nginx_;
};

TEST_F(ExportedRegisterTest, EveryPageIsExportedAndNginxServesItAsTheServiceDoes) {
  const std::pair<const char*, const char*> pages[] = {
      {"/", "index.html"},
      {"/lijsten", "lijsten/index.html"},
      {"/deelnemers/xisbridge", "deelnemers/xisbridge/index.html"},
      {"/deelnemers/deenigeechtepgo", "deelnemers/deenigeechtepgo/index.html"},
      {"/static/register.css", "static/register.css"}};
  for (const auto& [path, file] : pages) {
    SCOPED_TRACE(path);
    HttpResponse direct = HttpGet(service_->Url(path));
    ASSERT_EQ(direct.status, 200);
    EXPECT_EQ(ReadFile(exported_ / file), direct.body);
    HttpResponse front = HttpGet(nginx_->Url(path));
    ASSERT_EQ(front.status, 200) << nginx_->ErrorLog();
    EXPECT_EQ(front.body, direct.body);
    for (const char* h : {"content-type", "content-security-policy", "referrer-policy",
                          "x-content-type-options", "cache-control"}) {
      EXPECT_EQ(front.header(h), direct.header(h)) << h;
    }
    // nginx's own validator (mtime-size) and its 304.
    HttpResponse again = HttpGet(nginx_->Url(path), {"If-None-Match: " + front.header("etag")});
    EXPECT_EQ(again.status, 304);
  }
  EXPECT_TRUE(fs::exists(exported_ / "404.html"));
  EXPECT_FALSE(fs::exists(exported_ / "deelnemers" / "nieuwe-pgo")) << "a candidate";

  // A search has a query string: nginx passes it to the service, which renders it.
  HttpResponse search = HttpGet(nginx_->Url("/?q=enige&role=dvp"));
  ASSERT_EQ(search.status, 200) << nginx_->ErrorLog();
  EXPECT_TRUE(Contains(search.body, "id=\"result-count\">1 resultaten")) << search.body;
  EXPECT_FALSE(Contains(search.body, "XIS Bridge"));
  EXPECT_EQ(HttpGet(nginx_->Url("/?role=admin")).status, 400);
  HttpResponse missing = HttpGet(nginx_->Url("/deelnemers/nobody-here"));
  EXPECT_EQ(missing.status, 404);
  EXPECT_TRUE(Contains(missing.body, "<h1>Niet gevonden</h1>"));
  EXPECT_EQ(HttpGet(nginx_->Url("/"), {}, "POST").status, 405);

  // A change reaches the exported pages with the next publication.
  Admin(data_, {"participant", "suspend", "deenigeechtepgo", "--reason", "incident"});
  EXPECT_TRUE(WaitFor([&] {
    return Contains(InactiveTable(ReadFile(exported_ / "index.html")), "De Enige Echte PGO");
  })) << service_->Stderr();
  EXPECT_TRUE(Contains(InactiveTable(HttpGet(nginx_->Url("/")).body), "De Enige Echte PGO"));
}

}  // namespace
}  // namespace medmij::testing
