// The consumers' own rule, through the service and through deploy/'s nginx in front of it:
// every list fetched at its default URL validates against the official release XSD with
// xmllint (what every existing consumer library does), every signed URL verifies with the stock
// xmlsec1, and every Tijdstempel parses with a strict %Y-%m-%dT%H:%M:%S + zone parser. nginx
// serves the export dir (strict at the top, signed/ beside it) with the service's caching
// headers, Link and conditional GETs, and proxies everything else.
#include <sys/stat.h>

#include <gtest/gtest.h>

#include "tests/integration/service/harness.h"

namespace medmij::testing {
namespace {

const char* const kLists[] = {"/MedMij_Whitelist.xml",
                              "/MedMij_OAuthclientlist.xml",
                              "/MedMij_Zorgaanbiederslijst.xml",
                              "/MedMij_Gegevensdienstnamenlijst.xml",
                              "/MedMij_Zorgaanbiederslijst_release3.xml",
                              "/MedMij_Zorgaanbiederskoppellijst.xml"};

// The demo registry served by the service with an export dir, and nginx in front.
class Front {
 public:
  explicit Front(const std::string& default_form) {
    data_ = dir_.path() / "data";
    exported_ = dir_.path() / "export";
    fs::create_directories(exported_);
    LetNginxRead(exported_);
    InitDemoRegistry(data_);
    ServiceOptions o;
    o.data_dir = data_;
    o.pki = MakeDevPki(dir_.path() / "pki");
    o.export_dir = exported_;
    o.default_form = default_form;
    pki_ = o.pki;
    service_ = std::make_unique<Service>(dir_.path(), o);
    nginx_default_form_ = default_form.empty() ? "strict" : default_form;
  }

  // Starts both; false (with the reason in `why`) when either does not come up.
  bool Start(std::string* why) {
    if (!service_->Start()) {
      *why = service_->Stderr();
      return false;
    }
    bool exported = WaitFor([&] {
      for (const char* l : kLists) {
        if (!fs::exists(exported_ / ("signed" + std::string(l))) ||
            !fs::exists(exported_ / std::string(l).substr(1))) {
          return false;
        }
      }
      return true;
    });
    if (!exported) {
      *why = "export dir not filled: " + service_->Stderr();
      return false;
    }
    nginx_ =
        std::make_unique<NginxFront>(dir_.path(), exported_, service_->port(), nginx_default_form_);
    if (!nginx_->Start()) {
      *why = "nginx: " + nginx_->ErrorLog();
      return false;
    }
    return true;
  }
  ~Front() {
    nginx_.reset();
    if (service_) {
      EXPECT_EQ(service_->Stop(), 0) << service_->Stderr();
    }
  }

  TempDir dir_;
  fs::path data_, exported_;
  Pki pki_;
  std::unique_ptr<Service> service_;
  std::unique_ptr<NginxFront> nginx_;
  std::string nginx_default_form_;
};

// Modification time of `file` as an HTTP-date, as nginx sends it in Last-Modified.
std::string MtimeHttpDate(const fs::path& file) {
  struct stat st {};
  EXPECT_EQ(stat(file.c_str(), &st), 0) << file;
  std::tm tm{};
  gmtime_r(&st.st_mtime, &tm);
  char buf[64];
  strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

TEST(ConsumersRule, StrictAtTheOfficialNamesSignedBesideThroughServiceAndNginx) {
  Front f("");  // no default_form in the config: "strict" is the default
  std::string why;
  ASSERT_TRUE(f.Start(&why)) << why;
  const fs::path work = f.dir_.path();
  for (const char* list : kLists) {
    SCOPED_TRACE(list);
    const std::string api = Cat("?api=", ApiMajor(list));
    const HttpResponse direct_strict = HttpGet(f.service_->Url(list));
    const HttpResponse direct_signed = HttpGet(f.service_->Url(Cat("/signed", list)));
    ASSERT_EQ(direct_strict.status, 200);
    ASSERT_EQ(direct_signed.status, 200);

    // The default URLs, as an existing library polls them, through the service and nginx.
    for (const std::string& url : {f.service_->Url(list), f.service_->Url(Cat(list, api)),
                                   f.nginx_->Url(list), f.nginx_->Url(Cat(list, api))}) {
      SCOPED_TRACE(url);
      HttpResponse r = HttpGet(url);
      ASSERT_EQ(r.status, 200) << r.body;
      EXPECT_EQ(XmllintReference(work, list, r.body), "");
      EXPECT_EQ(StrictTijdstempelError(Tijdstempel(r.body)), "");
      EXPECT_EQ(r.body, direct_strict.body);
      EXPECT_EQ(r.header("content-type"), "application/xml");
      EXPECT_EQ(r.header("cache-control"), "public, max-age=60");
      EXPECT_EQ(r.header("last-modified"), direct_strict.header("last-modified"));
      EXPECT_EQ(r.header("link"), Cat("</signed", list, ">; rel=\"alternate\""));
      EXPECT_EQ(HttpGet(url, {"If-None-Match: " + r.header("etag")}).status, 304);
      EXPECT_EQ(HttpGet(url, {"If-Modified-Since: " + r.header("last-modified")}).status, 304);
    }
    // The signed URLs, as a verifying node fetches them: the stock xmlsec1 accepts them.
    for (const std::string& url :
         {f.service_->Url(Cat("/signed", list)), f.service_->Url(Cat(list, "?signed=true")),
          f.nginx_->Url(Cat("/signed", list)), f.nginx_->Url(Cat("/signed", list, api)),
          f.nginx_->Url(Cat(list, api, "&signed=true"))}) {
      SCOPED_TRACE(url);
      HttpResponse r = HttpGet(url);
      ASSERT_EQ(r.status, 200) << r.body;
      EXPECT_EQ(XmlsecVerify(work, f.pki_, r.body), "");
      EXPECT_EQ(StrictTijdstempelError(Tijdstempel(r.body)), "");
      EXPECT_EQ(r.body, direct_signed.body);
      EXPECT_EQ(r.header("cache-control"), "public, max-age=60");
      EXPECT_EQ(r.header("last-modified"), direct_strict.header("last-modified"));
      EXPECT_EQ(r.header("link"), Cat("<", list, ">; rel=\"alternate\""));
      EXPECT_EQ(HttpGet(url, {"If-None-Match: " + r.header("etag")}).status, 304);
      EXPECT_EQ(HttpGet(url, {"If-Modified-Since: " + r.header("last-modified")}).status, 304);
    }
    // One publication, both forms: the strict bytes are the signed ones minus the signature.
    EXPECT_EQ(direct_strict.body, WithoutSignatureElement(direct_signed.body));
    EXPECT_EQ(Tijdstempel(direct_strict.body), Tijdstempel(direct_signed.body));
    EXPECT_EQ(Volgnummer(direct_strict.body), Volgnummer(direct_signed.body));
    // The export dir nginx serves: the strict form at the top, the signed one in signed/, with
    // the Tijdstempel as modification time (so nginx's Last-Modified is the service's).
    const fs::path top = f.exported_ / std::string(list).substr(1);
    const fs::path beside = f.exported_ / Cat("signed", list);
    EXPECT_EQ(ReadFile(top), direct_strict.body);
    EXPECT_EQ(ReadFile(beside), direct_signed.body);
    EXPECT_EQ(MtimeHttpDate(top), direct_strict.header("last-modified"));
    EXPECT_EQ(MtimeHttpDate(beside), direct_strict.header("last-modified"));
    // nginx answers the files itself (its ETag is mtime-size, one per form), and leaves what it
    // does not serve to the service.
    const HttpResponse ng_strict = HttpGet(f.nginx_->Url(list));
    const HttpResponse ng_signed = HttpGet(f.nginx_->Url(Cat("/signed", list)));
    EXPECT_NE(ng_strict.header("etag"), direct_strict.header("etag"));
    EXPECT_NE(ng_strict.header("etag"), ng_signed.header("etag"));
    EXPECT_LT(ng_strict.header("etag").size(), 40u);
    HttpResponse proxied = HttpGet(f.nginx_->Url(Cat(list, "?signed=false")));
    EXPECT_EQ(proxied.status, 200);
    EXPECT_EQ(proxied.body, direct_strict.body);
    EXPECT_EQ(proxied.header("etag"), direct_strict.header("etag"));
    const std::string wrong_api = ApiMajor(list) == "3" ? "?api=2" : "?api=3";
    EXPECT_EQ(HttpGet(f.nginx_->Url(Cat(list, wrong_api))).status, 400);
    EXPECT_EQ(HttpGet(f.nginx_->Url(Cat("/signed", list, wrong_api))).status, 400);
    EXPECT_EQ(HttpGet(f.nginx_->Url(Cat(list, "?bogus=1"))).status, 400);
    EXPECT_EQ(HttpGet(f.nginx_->Url(Cat("/signed", list)), {}, "POST").status, 405);
  }
  EXPECT_EQ(HttpGet(f.nginx_->Url("/healthz")).status, 200);

  // A change reaches both forms of the export dir, with one Volgnummer and Tijdstempel.
  const uint64_t before = Volgnummer(HttpGet(f.nginx_->Url("/MedMij_Whitelist.xml")).body);
  Admin(f.data_, {"node", "add", "xisbridge", "fresh-node.xisbridge.net"});
  // Within a second or two; the bound is generous for a loaded CI machine.
  ASSERT_TRUE(WaitFor(
      [&] {
        return Volgnummer(HttpGet(f.nginx_->Url("/MedMij_Whitelist.xml")).body) == before + 1;
      },
      std::chrono::seconds(20)))
      << f.service_->Stderr();
  HttpResponse strict = HttpGet(f.nginx_->Url("/MedMij_Whitelist.xml"));
  HttpResponse signed_form = HttpGet(f.nginx_->Url("/signed/MedMij_Whitelist.xml"));
  EXPECT_NE(strict.body.find("fresh-node.xisbridge.net"), std::string::npos);
  EXPECT_EQ(strict.body, WithoutSignatureElement(signed_form.body));
  EXPECT_EQ(XmllintReference(work, "/MedMij_Whitelist.xml", strict.body), "");
  EXPECT_EQ(XmlsecVerify(work, f.pki_, signed_form.body), "");
}

TEST(ConsumersRule, DefaultFormSignedSwitchesTheOfficialNamesAndTheExportDir) {
  Front f("signed");
  std::string why;
  ASSERT_TRUE(f.Start(&why)) << why;
  const fs::path work = f.dir_.path();
  for (const char* list : kLists) {
    SCOPED_TRACE(list);
    const std::string strict_link = Cat("<", list, "?signed=false>; rel=\"alternate\"");
    for (const std::string& url :
         {f.service_->Url(list), f.nginx_->Url(list), f.nginx_->Url(Cat("/signed", list))}) {
      SCOPED_TRACE(url);
      HttpResponse r = HttpGet(url);
      ASSERT_EQ(r.status, 200);
      EXPECT_EQ(XmlsecVerify(work, f.pki_, r.body), "");
      EXPECT_EQ(r.header("link"), strict_link);
    }
    // ?signed=false always overrides the default: the strict form, naming the signed one.
    for (const std::string& url :
         {f.service_->Url(Cat(list, "?signed=false")), f.nginx_->Url(Cat(list, "?signed=false"))}) {
      SCOPED_TRACE(url);
      HttpResponse r = HttpGet(url);
      ASSERT_EQ(r.status, 200);
      EXPECT_EQ(XmllintReference(work, list, r.body), "");
      EXPECT_EQ(r.header("link"), Cat("</signed", list, ">; rel=\"alternate\""));
    }
    EXPECT_EQ(ReadFile(f.exported_ / std::string(list).substr(1)),
              ReadFile(f.exported_ / Cat("signed", list)));
  }
}

}  // namespace
}  // namespace medmij::testing
