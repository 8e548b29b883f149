// The key roll, end to end: the real medmij-registry under Debian's libfaketime (FaketimeEnv),
// a short-lived development signing certificate and its successor from the same intermediate,
// the stock xmlsec1 and medmij-verify as the consumers' checks. Time moves only by faketime: no
// waiting in real time.
#include <map>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/integration/service/harness.h"

namespace medmij::testing {
namespace {

using nlohmann::json;

const char* const kSigned[] = {"/signed/MedMij_Whitelist.xml",
                               "/signed/MedMij_OAuthclientlist.xml",
                               "/signed/MedMij_Zorgaanbiederslijst.xml",
                               "/signed/MedMij_Gegevensdienstnamenlijst.xml",
                               "/signed/MedMij_Zorgaanbiederslijst_release3.xml",
                               "/signed/MedMij_Zorgaanbiederskoppellijst.xml"};

// The base64 of the certificate in `pem` (its PEM body without line breaks): what KeyInfo holds.
std::string CertificateBase64(const fs::path& pem) {
  std::string out;
  bool in_body = false;
  for (const std::string& line : Lines(ReadFile(pem))) {
    if (line.rfind("-----BEGIN", 0) == 0) {
      in_body = true;
    } else if (line.rfind("-----END", 0) == 0) {
      break;
    } else if (in_body) {
      out += line;
    }
  }
  return out;
}

// The first ds:X509Certificate of a signed list (the signing certificate), whitespace removed;
// found by text, independently of the service's code.
std::string SigningCertificateIn(const std::string& xml) {
  const std::string open = "<ds:X509Certificate>";
  const size_t b = xml.find(open);
  const size_t e = xml.find("</ds:X509Certificate>", b);
  if (b == std::string::npos || e == std::string::npos) return "none";
  std::string out;
  for (char c : xml.substr(b + open.size(), e - b - open.size())) {
    if (c != '\n' && c != '\r' && c != ' ') out += c;
  }
  return out;
}

// The list without what only its version says (signature, Tijdstempel, Volgnummer).
std::string Entries(const std::string& signed_xml) {
  std::string out = WithoutSignatureElement(signed_xml);
  for (const std::string tag : {"Tijdstempel", "Volgnummer"}) {
    const size_t b = out.find("<" + tag + ">");
    const size_t e = out.find("</" + tag + ">");
    if (b == std::string::npos || e == std::string::npos) return "no " + tag;
    out.erase(b, e + tag.size() + 3 - b);
  }
  return out;
}

class KeyRollTest : public ::testing::Test {
 protected:
  void SetUp() override {
    data_ = dir_.path() / "data";
    InitDemoRegistry(data_);
    // 40 days: in 15 days it is within the default renew_before_days (30) of its notAfter.
    const DevPki a = NewSigningCertificate(dir_.path() / "pki-a", /*ec=*/true, 40);
    const DevPki b = NewSigningCertificate(dir_.path() / "pki-b", /*ec=*/true, 365);
    short_lived_ = Pki{a.dir, a.ca, a.key, a.cert, a.chain};
    successor_ = Pki{b.dir, b.ca, b.key, b.cert, b.chain};
    ASSERT_NE(CertificateBase64(short_lived_.cert), CertificateBase64(successor_.cert));
  }

  // Starts the service with `pki` under faketime `spec` and waits for its first publication.
  std::unique_ptr<Service> Start(const Pki& pki, const std::string& spec) {
    ServiceOptions o;
    o.data_dir = data_;
    o.pki = pki;
    o.faketime = spec;
    auto s = std::make_unique<Service>(dir_.path(), o);
    EXPECT_TRUE(s->Start()) << s->Stderr();
    EXPECT_TRUE(WaitFor([&] {
      HttpResponse h = HttpGet(s->Url("/healthz"));
      return h.ok && !json::parse(h.body)["last_publication"].is_null();
    })) << s->Stderr();
    return s;
  }

  std::map<std::string, std::string> Served(const Service& s) {
    std::map<std::string, std::string> out;
    for (const char* path : kSigned) {
      HttpResponse r = HttpGet(s.Url(path));
      EXPECT_EQ(r.status, 200) << path;
      out[path] = r.body;
    }
    return out;
  }

  // medmij-verify (run under faketime `spec`) of `xml`: its JSON, or the error line.
  json MedmijVerify(const std::string& xml, const std::string& spec) {
    const fs::path file = dir_.path() / "check.xml";
    WriteFile(file, xml);
    RunResult r = RunProcess({Binary("signer/medmij-verify").string(), "--trust",
                              successor_.ca.string(), "--json", file.string()},
                             "", FaketimeEnv(spec));
    return json::parse(r.out.empty() ? std::string("{\"valid\":false}") : r.out);
  }

  // Stock xmlsec1 (under faketime `spec`, so the certificate's validity is checked at that
  // instant): "" when valid.
  std::string Xmlsec(const std::string& xml, const std::string& spec) {
    const fs::path file = dir_.path() / "xmlsec-check.xml";
    WriteFile(file, xml);
    RunResult r = RunProcess(
        {"/usr/bin/xmlsec1", "--verify", "--enabled-key-data", "x509", "--trusted-pem",
         successor_.ca.string(), "--untrusted-pem", successor_.chain.string(), file.string()},
        "", FaketimeEnv(spec));
    return r.exit_code == 0 ? "" : r.err;
  }

  TempDir dir_;
  fs::path data_;
  Pki short_lived_, successor_;
};

TEST_F(KeyRollTest, ANewCertificateReSignsEveryListAndTheWindowTurnsHealthz503) {
  // Day 0: published with the short-lived certificate, 40 days left: healthy.
  auto day0 = Start(short_lived_, "+0d");
  ASSERT_EQ(HttpGet(day0->Url("/healthz")).status, 200) << HttpGet(day0->Url("/healthz")).body;
  const std::map<std::string, std::string> v1 = Served(*day0);
  for (const auto& [path, xml] : v1) {
    EXPECT_EQ(SigningCertificateIn(xml), CertificateBase64(short_lived_.cert)) << path;
  }
  EXPECT_NE(HttpGet(day0->Url("/metrics"))
                .body.find("medmij_list_certificate_renewal_due{list=\"whitelist\"} 0\n"),
            std::string::npos);
  ASSERT_EQ(day0->Stop(), 0) << day0->Stderr();

  // Day 15, no new certificate: 25 days left, within renew_before_days. Nothing to re-sign
  // with, so the lists stay as they are, and /healthz and /metrics say so.
  auto day15 = Start(short_lived_, "+15d");
  HttpResponse health = HttpGet(day15->Url("/healthz"));
  EXPECT_EQ(health.status, 503) << health.body;
  json h = json::parse(health.body);
  EXPECT_EQ(h["served_certificate"]["status"], "renewal due");
  EXPECT_NE(std::string(h["served_certificate"]["reason"]).find("renew_before_days = 30"),
            std::string::npos)
      << health.body;
  EXPECT_NE(HttpGet(day15->Url("/metrics"))
                .body.find("medmij_list_certificate_renewal_due{list=\"whitelist\"} 1\n"),
            std::string::npos);
  EXPECT_NE(day15->Stderr().find("within [signing] renew_before_days"), std::string::npos)
      << day15->Stderr();
  EXPECT_EQ(Served(*day15), v1);
  ASSERT_EQ(day15->Stop(), 0) << day15->Stderr();

  // Still day 15, the successor configured: the restart re-signs every list.
  auto rolled = Start(successor_, "+15d");
  health = HttpGet(rolled->Url("/healthz"));
  EXPECT_EQ(health.status, 200) << health.body;
  const std::map<std::string, std::string> v2 = Served(*rolled);
  ASSERT_EQ(v2.size(), v1.size());
  for (const auto& [path, xml] : v2) {
    SCOPED_TRACE(path);
    const std::string& old = v1.at(path);
    EXPECT_EQ(SigningCertificateIn(xml), CertificateBase64(successor_.cert));
    EXPECT_EQ(Volgnummer(xml), Volgnummer(old) + 1);
    EXPECT_EQ(Entries(xml), Entries(old));
    // Day 45: the short-lived certificate has expired. The consumers' checks refuse the old
    // version and accept the new one.
    EXPECT_EQ(Xmlsec(xml, "+45d"), "");
    EXPECT_NE(Xmlsec(old, "+45d"), "");
    json verified = MedmijVerify(xml, "+45d");
    EXPECT_EQ(verified["valid"], true) << verified.dump();
    EXPECT_EQ(verified["volgnummer"], Volgnummer(old) + 1);
    EXPECT_EQ(MedmijVerify(old, "+45d")["valid"], false);
  }
  ASSERT_EQ(rolled->Stop(), 0) << rolled->Stderr();

  // The journal says why each version was made.
  RunResult journal = Admin(data_, {"journal", "export"});
  size_t resigned = 0;
  for (size_t at = journal.out.find("signing certificate changed"); at != std::string::npos;
       at = journal.out.find("signing certificate changed", at + 1)) {
    ++resigned;
  }
  EXPECT_EQ(resigned, std::size(kSigned)) << journal.out << journal.err;
}

TEST_F(KeyRollTest, AdminPublishReSignsInsteadOfSayingUnchanged) {
  const auto publish = [&](const Pki& pki) {
    return Admin(data_, {"publish", "--key", pki.key.string(), "--cert", pki.cert.string(),
                         "--chain", pki.chain.string()});
  };
  RunResult first = publish(short_lived_);
  EXPECT_NE(first.out.find("whitelist: published, volgnummer 1"), std::string::npos) << first.out;
  RunResult same = publish(short_lived_);
  EXPECT_NE(same.out.find("whitelist: unchanged, volgnummer 1"), std::string::npos) << same.out;
  RunResult rolled = publish(successor_);
  for (const std::string list :
       {"whitelist", "oauthclientlist", "zorgaanbiederslijst", "gegevensdienstnamenlijst",
        "zorgaanbiederslijst_release3", "zorgaanbiederskoppellijst"}) {
    EXPECT_NE(rolled.out.find(list + ": re-signed (new signing certificate, same entries), "
                                     "volgnummer 2"),
              std::string::npos)
        << rolled.out;
  }
  EXPECT_EQ(rolled.out.find("unchanged"), std::string::npos) << rolled.out;
}

}  // namespace
}  // namespace medmij::testing
