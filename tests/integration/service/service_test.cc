// medmij-registry over HTTP: lists, validators, conditional requests, versions, participants,
// health, metrics, and what it refuses.
#include <chrono>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/integration/service/harness.h"

namespace medmij::testing {
namespace {

using std::chrono::seconds;

const char* const kLists[] = {"/MedMij_Whitelist.xml",
                              "/MedMij_OAuthclientlist.xml",
                              "/MedMij_Zorgaanbiederslijst.xml",
                              "/MedMij_Gegevensdienstnamenlijst.xml",
                              "/MedMij_Zorgaanbiederslijst_release3.xml",
                              "/MedMij_Zorgaanbiederskoppellijst.xml"};

class ServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    data_ = dir_.path() / "data";
    InitDemoRegistry(data_);
    ServiceOptions o;
    o.data_dir = data_;
    o.pki = MakeDevPki(dir_.path() / "pki");
    service_ = std::make_unique<Service>(dir_.path(), o);
    ASSERT_TRUE(service_->Start()) << service_->Stderr();
    ASSERT_TRUE(WaitFor([&] {
      for (const char* l : kLists) {
        if (HttpGet(service_->Url(l)).status != 200) return false;
      }
      return true;
    })) << service_->Stderr();
  }
  void TearDown() override { EXPECT_EQ(service_->Stop(), 0) << service_->Stderr(); }

  std::string Url(const std::string& path) const { return service_->Url(path); }

  TempDir dir_;
  fs::path data_;
  std::unique_ptr<Service> service_;
};

TEST_F(ServiceTest, ListsCarryStrongValidatorsAndCachingHeaders) {
  for (const char* list : kLists) {
    for (const std::string& path : {std::string(list), "/signed" + std::string(list)}) {
      SCOPED_TRACE(path);
      const bool is_signed = path.rfind("/signed/", 0) == 0;
      HttpResponse r = HttpGet(Url(path));
      ASSERT_EQ(r.status, 200);
      EXPECT_EQ(r.header("content-type"), "application/xml");
      EXPECT_EQ(r.header("etag"), Cat("\"", Sha256Hex(r.body), "\""));
      EXPECT_EQ(r.header("cache-control"), "public, max-age=60");
      EXPECT_EQ(r.header("last-modified").size(), 29u) << r.header("last-modified");
      EXPECT_EQ(r.header("content-length"), std::to_string(r.body.size()));
      // The official name serves the strict form (default_form = "strict"); each names the
      // other form.
      EXPECT_EQ(r.body.find("<ds:Signature") != std::string::npos, is_signed);
      EXPECT_EQ(r.header("link"), is_signed ? Cat("<", list, ">; rel=\"alternate\"")
                                            : Cat("</signed", list, ">; rel=\"alternate\""));
      EXPECT_GE(Volgnummer(r.body), 1u);

      HttpResponse head = HttpGet(Url(path), {}, "HEAD");
      EXPECT_EQ(head.status, 200);
      EXPECT_TRUE(head.body.empty());
      EXPECT_EQ(head.header("etag"), r.header("etag"));
      EXPECT_EQ(head.header("content-length"), std::to_string(r.body.size()));
      EXPECT_EQ(head.header("last-modified"), r.header("last-modified"));
      EXPECT_EQ(head.header("link"), r.header("link"));
    }
  }
}

TEST_F(ServiceTest, SignedListsVerifyWithStockXmlsecAgainstTheDevCa) {
  fs::path pki = dir_.path() / "pki";
  for (const char* list : kLists) {
    for (const std::string& path :
         {"/signed" + std::string(list), std::string(list) + "?signed=true"}) {
      SCOPED_TRACE(path);
      HttpResponse r = HttpGet(Url(path));
      ASSERT_EQ(r.status, 200);
      fs::path file = dir_.path() / "list.xml";
      WriteFile(file, r.body);
      CommandResult v = RunCommand({"xmlsec1", "--verify", "--enabled-key-data", "x509",
                                    "--trusted-pem", (pki / "ca.pem").string(), "--untrusted-pem",
                                    (pki / "chain.pem").string(), file.string()});
      EXPECT_EQ(v.exit_code, 0) << v.err;
    }
  }
}

TEST_F(ServiceTest, OfficialNamesServeTheStrictFormOfTheSamePublication) {
  for (const char* list : kLists) {
    SCOPED_TRACE(list);
    const std::string api = Cat("?api=", ApiMajor(list));
    HttpResponse strict = HttpGet(Url(list));
    HttpResponse with_api = HttpGet(Url(Cat(list, api)));
    HttpResponse explicit_strict = HttpGet(Url(Cat(list, api, "&signed=false")));
    HttpResponse signed_form = HttpGet(Url(Cat("/signed", list)));
    HttpResponse signed_query = HttpGet(Url(Cat(list, api, "&signed=true")));
    for (const HttpResponse* r :
         {&strict, &with_api, &explicit_strict, &signed_form, &signed_query}) {
      ASSERT_EQ(r->status, 200) << r->body;
    }
    // One representation per form, whichever way it is named.
    EXPECT_EQ(with_api.header("etag"), strict.header("etag"));
    EXPECT_EQ(explicit_strict.header("etag"), strict.header("etag"));
    EXPECT_EQ(signed_query.header("etag"), signed_form.header("etag"));
    EXPECT_NE(strict.header("etag"), signed_form.header("etag"));
    // The strict form is the signed one with its ds:Signature element (as the signer inserted
    // it) removed, byte for byte: same Volgnummer, same Tijdstempel.
    EXPECT_EQ(strict.body, WithoutSignatureElement(signed_form.body));
    EXPECT_EQ(Volgnummer(strict.body), Volgnummer(signed_form.body));
    EXPECT_EQ(Tijdstempel(strict.body), Tijdstempel(signed_form.body));
    EXPECT_EQ(strict.header("last-modified"), signed_form.header("last-modified"));
    EXPECT_EQ(StrictTijdstempelError(Tijdstempel(strict.body)), "");
    // What existing consumers do: validate against the official release XSD, unchanged.
    EXPECT_EQ(XmllintReference(dir_.path(), list, strict.body), "");
    EXPECT_NE(XmllintReference(dir_.path(), list, signed_form.body), "");
    // Another major, or another value of signed, stays a 400; /signed/ takes only api.
    const std::string wrong_api = ApiMajor(list) == "3" ? "?api=2" : "?api=3";
    EXPECT_EQ(HttpGet(Url(Cat(list, wrong_api))).status, 400);
    EXPECT_EQ(HttpGet(Url(Cat(list, "?signed=yes"))).status, 400);
    EXPECT_EQ(HttpGet(Url(Cat("/signed", list, api))).status, 200);
    EXPECT_EQ(HttpGet(Url(Cat("/signed", list, wrong_api))).status, 400);
    EXPECT_EQ(HttpGet(Url(Cat("/signed", list, "?signed=false"))).status, 400);
    EXPECT_EQ(HttpGet(Url(Cat("/signed", list)), {}, "POST").status, 405);
  }
  EXPECT_EQ(HttpGet(Url("/signed/MedMij_Other.xml")).status, 404);
  EXPECT_EQ(HttpGet(Url("/signed/")).status, 404);
}

TEST_F(ServiceTest, ConditionalRequestsAnswer304) {
  const std::string url = Url("/MedMij_Zorgaanbiederslijst.xml");
  HttpResponse full = HttpGet(url);
  const std::string etag = full.header("etag"), lm = full.header("last-modified");
  auto expect = [&](std::vector<std::string> headers, long status, const std::string& method) {
    HttpResponse r = HttpGet(url, headers, method);
    EXPECT_EQ(r.status, status) << method << " " << (headers.empty() ? "" : headers[0]);
    if (status == 304) {
      EXPECT_TRUE(r.body.empty());
      EXPECT_EQ(r.header("etag"), etag);
      EXPECT_EQ(r.header("cache-control"), "public, max-age=60");
    }
  };
  for (std::string m : {"GET", "HEAD"}) {
    expect({"If-None-Match: " + etag}, 304, m);
    expect({"If-None-Match: W/" + etag}, 304, m);
    expect({"If-None-Match: \"other\", " + etag}, 304, m);
    expect({"If-None-Match: *"}, 304, m);
    expect({"If-None-Match: \"other\""}, 200, m);
    expect({"If-Modified-Since: " + lm}, 304, m);
    expect({"If-Modified-Since: Sat, 01 Jan 2000 00:00:00 GMT"}, 200, m);
    expect({"If-Modified-Since: not a date"}, 200, m);
    // If-None-Match wins over If-Modified-Since.
    expect({"If-None-Match: \"other\"", "If-Modified-Since: " + lm}, 200, m);
  }
  // The signed form has its own validator, and conditional requests of its own.
  const std::string signed_url = Url("/signed/MedMij_Zorgaanbiederslijst.xml");
  HttpResponse u = HttpGet(signed_url, {"If-None-Match: " + etag});
  EXPECT_EQ(u.status, 200);
  EXPECT_EQ(HttpGet(signed_url, {"If-None-Match: " + u.header("etag")}).status, 304);
  EXPECT_EQ(HttpGet(url + "?signed=true", {"If-None-Match: " + u.header("etag")}).status, 304);
  EXPECT_EQ(HttpGet(signed_url, {"If-Modified-Since: " + u.header("last-modified")}).status, 304);
}

TEST_F(ServiceTest, VersionIndexAndImmutableVersions) {
  HttpResponse cur = HttpGet(Url("/signed/MedMij_Whitelist.xml"));
  HttpResponse idx = HttpGet(Url("/lists/whitelist/versions"));
  ASSERT_EQ(idx.status, 200);
  EXPECT_EQ(idx.header("content-type"), "application/json");
  auto j = nlohmann::json::parse(idx.body);
  ASSERT_FALSE(j["versions"].empty());
  const auto& last = j["versions"].back();
  EXPECT_EQ(last["volgnummer"].get<uint64_t>(), Volgnummer(cur.body));
  EXPECT_EQ(last["sha256"].get<std::string>(), Sha256Hex(cur.body));
  EXPECT_EQ(last["size"].get<uint64_t>(), cur.body.size());
  // The Tijdstempel as the list writes it: UTC, whole seconds.
  EXPECT_EQ(last["tijdstempel"].get<std::string>(), Tijdstempel(cur.body));
  EXPECT_EQ(last["tijdstempel"].get<std::string>().size(), 20u);

  std::string n = std::to_string(last["volgnummer"].get<uint64_t>());
  HttpResponse v = HttpGet(Url("/lists/whitelist/versions/" + n + ".xml"));
  ASSERT_EQ(v.status, 200);
  EXPECT_EQ(v.body, cur.body);
  EXPECT_EQ(v.header("etag"), cur.header("etag"));
  EXPECT_EQ(v.header("cache-control"), "public, max-age=31536000, immutable");
  // ?signed=false: that version's strict form, what the official name served.
  HttpResponse vs = HttpGet(Url("/lists/whitelist/versions/" + n + ".xml?signed=false"));
  ASSERT_EQ(vs.status, 200);
  EXPECT_EQ(vs.body, HttpGet(Url("/MedMij_Whitelist.xml")).body);
  EXPECT_EQ(vs.header("etag"), Cat("\"", Sha256Hex(vs.body), "\""));
  EXPECT_EQ(HttpGet(Url("/lists/whitelist/versions/" + n + ".xml?signed=maybe")).status, 400);
  EXPECT_EQ(HttpGet(Url("/lists/whitelist/versions/" + n + ".xml"),
                    {"If-None-Match: " + v.header("etag")})
                .status,
            304);
  EXPECT_EQ(HttpGet(Url("/lists/whitelist/versions/999999.xml")).status, 404);
  EXPECT_EQ(HttpGet(Url("/lists/whitelist/versions/0.xml")).status, 404);
  EXPECT_EQ(HttpGet(Url("/lists/whitelist/versions/01.xml")).status, 404);
  EXPECT_EQ(HttpGet(Url("/lists/whitelist/versions/x.xml")).status, 404);
  EXPECT_EQ(HttpGet(Url("/lists/nosuchlist/versions")).status, 404);
  for (const char* name : {"oauthclientlist", "zorgaanbiederslijst", "gegevensdienstnamenlijst"}) {
    EXPECT_EQ(HttpGet(Url(std::string("/lists/") + name + "/versions")).status, 200) << name;
  }
}

TEST_F(ServiceTest, ParticipantsArePublicWithStateAndLists) {
  HttpResponse all = HttpGet(Url("/participants"));
  ASSERT_EQ(all.status, 200);
  auto j = nlohmann::json::parse(all.body);
  bool saw_pgo = false;
  for (const auto& p : j["participants"]) {
    EXPECT_NE(p["status"], "candidate");
    if (p["id"] == "deenigeechtepgo") {
      saw_pgo = true;
      EXPECT_EQ(p["status"], "active");
      EXPECT_EQ(p["label"], "granted");
      EXPECT_EQ(p["roles"], nlohmann::json::array({"dvp"}));
      EXPECT_NE(std::find(p["lists"].begin(), p["lists"].end(), "whitelist"), p["lists"].end());
      EXPECT_NE(std::find(p["lists"].begin(), p["lists"].end(), "oauthclientlist"),
                p["lists"].end());
    }
  }
  EXPECT_TRUE(saw_pgo);
  HttpResponse one = HttpGet(Url("/participants/xisbridge"));
  ASSERT_EQ(one.status, 200);
  EXPECT_EQ(nlohmann::json::parse(one.body)["id"], "xisbridge");
  EXPECT_EQ(HttpGet(Url("/participants/nobody-here")).status, 404);

  // A suspension is shown publicly, and the participant leaves the lists.
  Admin(data_, {"participant", "suspend", "deenigeechtepgo", "--reason", "incident 7"});
  EXPECT_TRUE(WaitFor([&] {
    auto p = nlohmann::json::parse(HttpGet(Url("/participants/deenigeechtepgo")).body);
    return p["status"] == "suspended" && p["lists"].empty();
  }));
  // The list follows within a second (a change in the second of the list's current version is
  // published in the next one).
  EXPECT_TRUE(WaitFor([&] {
    return HttpGet(Url("/MedMij_Whitelist.xml")).body.find("medmij.deenigeechtepgo.nl") ==
           std::string::npos;
  }));
}

TEST_F(ServiceTest, HealthzAndMetrics) {
  HttpResponse h = HttpGet(Url("/healthz"));
  ASSERT_EQ(h.status, 200) << h.body;
  auto j = nlohmann::json::parse(h.body);
  EXPECT_EQ(j["status"], "ok");
  EXPECT_EQ(j["signing"], "ok");
  EXPECT_TRUE(j["last_successful_publication"].is_string());
  EXPECT_GE(j["lists"]["whitelist"]["volgnummer"].get<uint64_t>(), 1u);

  HttpGet(Url("/no-such-thing"));
  HttpResponse m = HttpGet(Url("/metrics"));
  ASSERT_EQ(m.status, 200);
  EXPECT_EQ(m.header("content-type").rfind("text/plain; version=0.0.4", 0), 0u);
  uint64_t wl = Volgnummer(HttpGet(Url("/MedMij_Whitelist.xml")).body);
  for (std::string want : {std::string("medmij_publications_total "),
                           std::string("medmij_publication_failures_total{list=\"whitelist\"} 0"),
                           "medmij_list_volgnummer{list=\"whitelist\"} " + std::to_string(wl),
                           std::string("medmij_http_requests_total{code=\"200\"} "),
                           std::string("medmij_http_requests_total{code=\"404\"} 1"),
                           std::string("medmij_seconds_since_last_publication ")}) {
    EXPECT_NE(m.body.find(want), std::string::npos) << want << "\n" << m.body;
  }
}

TEST_F(ServiceTest, RefusesWithShortBodiesAndNoInternals) {
  auto check = [&](const HttpResponse& r, long status) {
    EXPECT_EQ(r.status, status);
    EXPECT_LT(r.body.size(), 200u) << r.body;
    EXPECT_EQ(r.body.find("/work"), std::string::npos);
    EXPECT_EQ(r.body.find("exception"), std::string::npos);
  };
  check(HttpGet(Url("/nope")), 404);
  check(HttpGet(Url("/MedMij_Whitelist.xml/")), 404);
  check(HttpGet(Url("/medmij_whitelist.xml")), 404);
  HttpResponse post = HttpGet(Url("/MedMij_Whitelist.xml"), {}, "POST");
  check(post, 405);
  EXPECT_EQ(post.header("allow"), "GET, HEAD");
  check(HttpGet(Url("/healthz"), {}, "DELETE"), 405);
  check(HttpGet(Url("/participants"), {}, "PUT"), 405);
  check(HttpGet(Url("/MedMij_Whitelist.xml?api=3")), 400);
  check(HttpGet(Url("/MedMij_Gegevensdienstnamenlijst.xml?api=2")), 400);
  check(HttpGet(Url("/MedMij_Whitelist.xml?signed=maybe")), 400);
  HttpResponse unknown = HttpGet(Url("/MedMij_Whitelist.xml?debug=1"));
  check(unknown, 400);
  EXPECT_NE(unknown.body.find("'debug'"), std::string::npos);
  check(HttpGet(Url("/metrics?x=1")), 400);
}

TEST_F(ServiceTest, RefusesTraversalAndOversizedRequests) {
  for (std::string path : {"/../../etc/passwd", "/lists/../MedMij_Whitelist.xml",
                           "/%2e%2e/etc/passwd", "/%2E%2E%2Fetc%2Fpasswd", "//etc/passwd",
                           "/lists/whitelist/versions/../../../etc/passwd", "/./healthz"}) {
    HttpResponse r = HttpGet(Url(path), {}, "GET", /*path_as_is=*/true);
    EXPECT_EQ(r.status, 400) << path;
    EXPECT_EQ(r.body.find("root:"), std::string::npos);
  }
  // A request line beyond the target limit, and a header section beyond the size limit
  // (RFC 6585 431).
  std::string long_target = "/" + std::string(3000, 'a');
  std::string reply =
      RawExchange(service_->port(), "GET " + long_target + " HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(reply.rfind("HTTP/1.1 414", 0), 0u) << reply.substr(0, 80);
  std::string huge =
      "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Filler: " + std::string(20000, 'b') + "\r\n\r\n";
  reply = RawExchange(service_->port(), huge);
  EXPECT_EQ(reply.rfind("HTTP/1.1 431", 0), 0u) << reply.substr(0, 80);
  // The service is still fine.
  EXPECT_EQ(HttpGet(Url("/healthz")).status, 200);
}

TEST_F(ServiceTest, KeepAliveServesManyRequestsOnOneConnection) {
  // Sequential requests on one connection (pipelining: http_rfc_test.cc).
  KeptConnection c(service_->port());
  for (int i = 0; i < 3; ++i) {
    std::string reply = c.Exchange("GET /MedMij_Whitelist.xml HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_EQ(reply.rfind("HTTP/1.1 200", 0), 0u) << reply.substr(0, 100);
    EXPECT_EQ(reply.find("Connection: close"), std::string::npos);
  }
}

TEST_F(ServiceTest, CommittedChangeIsServedWithinASecond) {
  // The deadline is generous for a loaded CI machine; the service itself polls every 50 ms here
  // and the bound (1 s) is the default check interval of 250 ms plus publication.
  uint64_t before = Volgnummer(HttpGet(Url("/MedMij_Whitelist.xml")).body);
  Admin(data_, {"node", "add", "xisbridge", "fresh-node.xisbridge.net"});
  EXPECT_TRUE(WaitFor([&] {
    std::string wl = HttpGet(Url("/MedMij_Whitelist.xml")).body;
    return wl.find("fresh-node.xisbridge.net") != std::string::npos && Volgnummer(wl) == before + 1;
  })) << service_->Stderr();
  // An unrelated list did not move.
  auto idx = nlohmann::json::parse(HttpGet(Url("/lists/gegevensdienstnamenlijst/versions")).body);
  EXPECT_EQ(idx["versions"].size(), 1u);
}

// The real binaries on an injected clock (MEDMIJ_TEST_NOW): a DVP whose only certificate ends
// at U is on the Whitelist served an hour before U and off it after U, without a commit in
// between, and the version that dropped it is dated at or after U. (That the running loop wakes
// at U by itself is the publish loop's unit test, on a clock the test moves.)
TEST(ServiceClock, ALapsedCertificateTakesTheParticipantOffTheLists) {
  TempDir dir;
  const fs::path data = dir.path() / "data";
  // Instants in the future so that the dev PKI's signing certificate is valid at all of them.
  const auto base = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()) +
                    std::chrono::hours(24);
  const std::string enrolled = IsoTime(base), until = IsoTime(base + std::chrono::hours(2));
  auto admin = [&](const std::vector<std::string>& args) {
    Admin(data, args, false, "alice", enrolled);
  };
  admin({"init"});
  admin({"participant", "enrol", "shortlived-pgo", "--name", "Short Lived PGO B.V.", "--kvk",
         "99887766", "--role", "dvp"});
  admin({"cert", "add", "shortlived-pgo", "--number", "NEN-9", "--body", "Cert BV", "--valid-from",
         IsoTime(base - std::chrono::hours(24 * 30)), "--valid-until", until, "--accredited",
         "--registered"});
  admin({"audit-statement", "add", "shortlived-pgo", "--date",
         IsoTime(base - std::chrono::hours(24 * 10)).substr(0, 10), "--auditor", "Audit BV",
         "--outcome", "conform"});
  admin({"label", "grant", "shortlived-pgo"});
  admin({"participant", "activate", "shortlived-pgo"});
  admin({"node", "add", "shortlived-pgo", "medmij.shortlived.example"});
  const std::string journal = Admin(data, {"journal", "export"}).out;

  ServiceOptions o;
  o.data_dir = data;
  o.pki = MakeDevPki(dir.path() / "pki");
  // The Whitelist served once the service's first publication is done (/healthz answers 200
  // only then; until then it serves what the archive held).
  auto whitelist = [](const Service& s) {
    EXPECT_TRUE(WaitFor([&] { return HttpGet(s.Url("/healthz")).status == 200; })) << s.Stderr();
    HttpResponse r = HttpGet(s.Url("/MedMij_Whitelist.xml"));
    EXPECT_EQ(r.status, 200);
    return r.body;
  };
  o.test_now = IsoTime(base + std::chrono::hours(1));
  {
    Service before(dir.path(), o);
    ASSERT_TRUE(before.Start()) << before.Stderr();
    EXPECT_NE(whitelist(before).find("medmij.shortlived.example"), std::string::npos);
    EXPECT_EQ(before.Stop(), 0);
  }
  o.test_now = IsoTime(base + std::chrono::hours(2) + std::chrono::seconds(1));
  Service after(dir.path(), o);
  ASSERT_TRUE(after.Start()) << after.Stderr();
  EXPECT_EQ(whitelist(after).find("medmij.shortlived.example"), std::string::npos);
  auto idx = nlohmann::json::parse(HttpGet(after.Url("/lists/whitelist/versions")).body);
  ASSERT_EQ(idx["versions"].size(), 2u) << idx.dump();
  EXPECT_LT(idx["versions"][0]["tijdstempel"].get<std::string>(), until.substr(0, 19));
  EXPECT_GE(idx["versions"][1]["tijdstempel"].get<std::string>(), until.substr(0, 19));
  EXPECT_EQ(after.Stop(), 0);
  // Nobody acted in between: the journal grew by publications only.
  std::string now = Admin(data, {"journal", "export"}).out;
  ASSERT_EQ(now.substr(0, journal.size()), journal);
  for (const std::string& line : Lines(now.substr(journal.size()))) {
    EXPECT_EQ(nlohmann::json::parse(line)["meta"]["command"], "publish") << line;
  }
}

}  // namespace
}  // namespace medmij::testing

namespace medmij::testing {
namespace {

// [publish] lists: only the chosen lists are published, served, exported and reported; the
// release3 lists of the demo registry carry its interface versions and identifiers.
TEST(PublishLists, OnlyTheConfiguredListsArePublishedServedAndExported) {
  TempDir dir;
  ServiceOptions o;
  o.data_dir = dir.path() / "data";
  InitDemoRegistry(o.data_dir);
  o.pki = MakeDevPki(dir.path() / "pki");
  o.export_dir = dir.path() / "export";
  fs::create_directories(o.export_dir);
  o.lists = {"zorgaanbiederskoppellijst", "zorgaanbiederslijst_release3"};
  Service s(dir.path(), o);
  ASSERT_TRUE(s.Start()) << s.Stderr();
  ASSERT_TRUE(WaitFor([&] {
    return HttpGet(s.Url("/MedMij_Zorgaanbiederskoppellijst.xml?api=1")).status == 200 &&
           HttpGet(s.Url("/MedMij_Zorgaanbiederslijst_release3.xml?api=3")).status == 200;
  })) << s.Stderr();
  const fs::path work = dir.path();
  for (const char* list :
       {"/MedMij_Zorgaanbiederskoppellijst.xml", "/MedMij_Zorgaanbiederslijst_release3.xml"}) {
    SCOPED_TRACE(list);
    HttpResponse strict = HttpGet(s.Url(list));
    EXPECT_EQ(XmllintReference(work, list, strict.body), "");
    HttpResponse signed_form = HttpGet(s.Url(Cat("/signed", list)));
    EXPECT_EQ(XmlsecVerify(work, o.pki, signed_form.body), "");
    EXPECT_EQ(strict.body, WithoutSignatureElement(signed_form.body));
    EXPECT_EQ(ReadFile(o.export_dir / std::string(list).substr(1)), strict.body);
    EXPECT_EQ(ReadFile(o.export_dir / Cat("signed", list)), signed_form.body);
  }
  const std::string zakl = HttpGet(s.Url("/MedMij_Zorgaanbiederskoppellijst.xml")).body;
  EXPECT_NE(zakl.find("<OIN>23885731954438865098</OIN>"), std::string::npos) << zakl;
  const std::string zal3 = HttpGet(s.Url("/MedMij_Zorgaanbiederslijst_release3.xml")).body;
  EXPECT_NE(zal3.find("<MaximaleDuur>365</MaximaleDuur>"), std::string::npos) << zal3;
  EXPECT_EQ(HttpGet(s.Url("/MedMij_Zorgaanbiederslijst_release3.xml?api=2")).status, 400);
  for (const char* off : {"/MedMij_Whitelist.xml", "/signed/MedMij_Zorgaanbiederslijst.xml",
                          "/MedMij_Gegevensdienstnamenlijst.xml?api=1"}) {
    EXPECT_EQ(HttpGet(s.Url(off)).status, 404) << off;
  }
  // The lists at the top of the export dir (the register's pages are beside them).
  size_t exported = 0;
  for (const auto& e : fs::directory_iterator(o.export_dir)) {
    exported += e.is_regular_file() && e.path().extension() == ".xml";
  }
  EXPECT_EQ(exported, 2u);
  const std::string metrics = HttpGet(s.Url("/metrics")).body;
  EXPECT_NE(metrics.find("medmij_list_volgnummer{list=\"zorgaanbiederskoppellijst\"} 1"),
            std::string::npos)
      << metrics;
  EXPECT_EQ(metrics.find("list=\"whitelist\""), std::string::npos) << metrics;
  auto xis = nlohmann::json::parse(HttpGet(s.Url("/participants/xisbridge")).body);
  EXPECT_EQ(xis["lists"],
            nlohmann::json::array({"zorgaanbiederslijst_release3", "zorgaanbiederskoppellijst"}))
      << xis.dump();
  EXPECT_EQ(HttpGet(s.Url("/lists/whitelist/versions")).status, 200);  // the archive stays
  EXPECT_EQ(s.Stop(), 0);
}

}  // namespace
}  // namespace medmij::testing
