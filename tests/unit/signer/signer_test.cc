#include "signer/signer.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "tests/unit/signer/test_support.h"

namespace medmij::signer {
namespace {

using namespace medmij::signer::testing;

MEDMIJ_SIGNER_TEST_ENVIRONMENT();

// One RSA hierarchy for the whole suite (key generation is the slow part).
class SignerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ca_ = CachedDevCa(/*ec=*/false); }
  static std::unique_ptr<Signer> LoadSigner(Time now = WallClockNow()) {
    auto s = Signer::Load(ca_.key(), ca_.cert(), ca_.chain(), now);
    EXPECT_TRUE(s.ok()) << s.status().message();
    return s.ok() ? std::move(s).value() : nullptr;
  }
  static DevCa ca_;
  TempDir tmp_;
};
DevCa SignerTest::ca_;

TEST_F(SignerTest, SpliceKeepsEveryInputByteAndStripRestoresThem) {
  auto signer = LoadSigner();
  ASSERT_TRUE(signer);
  const std::string x = Whitelist(3);
  auto signed_xml = signer->Sign(x);
  ASSERT_TRUE(signed_xml.ok()) << signed_xml.status().message();
  EXPECT_EQ(StripSignature(*signed_xml), x);
  const size_t at = x.rfind("</Whitelist>");
  EXPECT_EQ(signed_xml->substr(0, at), x.substr(0, at));
  EXPECT_EQ(signed_xml->substr(signed_xml->size() - (x.size() - at)), x.substr(at));
  EXPECT_EQ(signed_xml->substr(at, 14), "<ds:Signature ");
  EXPECT_NE(signed_xml->find("</ds:Signature></Whitelist>\n"), std::string::npos);
}

TEST_F(SignerTest, StockXmlsec1AcceptsTheSignedList) {
  auto signer = LoadSigner();
  ASSERT_TRUE(signer);
  for (const std::string& x : {Whitelist(3), Whitelist(0), OAuthClientList(2),
                               Zorgaanbiederslijst(5), Gegevensdienstnamenlijst(7)}) {
    auto signed_xml = signer->Sign(x);
    ASSERT_TRUE(signed_xml.ok()) << signed_xml.status().message();
    WriteAll(tmp_ / "list.xml", *signed_xml);
    CommandResult r =
        RunCommand("xmlsec1 --verify --enabled-key-data x509 --trusted-pem " +
                   Quote(ca_.ca().string()) + " " + Quote((tmp_ / "list.xml").string()));
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_EQ(StripSignature(*signed_xml), x);
  }
}

TEST_F(SignerTest, EscapesNonAsciiCommentsAndCrlfSurviveTheSplice) {
  auto signer = LoadSigner();
  ASSERT_TRUE(signer);
  std::string x = ReplaceOnce(OAuthClientList(2), "PGO nummer 1",
                              "Zorg &amp; Co \xc3\x9cnic\xc3\xb8"
                              "de &#x263A; &lt;b&gt;");
  x = ReplaceOnce(x, "<OAuthclients>", "<!-- a comment --><?pi data?><OAuthclients>");
  std::string crlf;
  for (char c : x) {
    if (c == '\n') crlf += '\r';
    crlf += c;
  }
  auto verifier = Verifier::Load(ca_.ca());
  ASSERT_TRUE(verifier.ok());
  for (const std::string& doc : {x, crlf}) {
    auto s = signer->Sign(doc);
    ASSERT_TRUE(s.ok()) << s.status().message();
    EXPECT_EQ(StripSignature(*s), doc);
    WriteAll(tmp_ / "ocl.xml", *s);
    CommandResult r =
        RunCommand("xmlsec1 --verify --enabled-key-data x509 --trusted-pem " +
                   Quote(ca_.ca().string()) + " " + Quote((tmp_ / "ocl.xml").string()));
    EXPECT_EQ(r.exit_code, 0) << r.output;
    auto v = (*verifier)->Verify(*s, WallClockNow());
    EXPECT_TRUE(v.ok()) << v.status().message();
  }
}

TEST_F(SignerTest, SignatureHasTheShapeTheDesignRequires) {
  auto signer = LoadSigner();
  ASSERT_TRUE(signer);
  auto s = signer->Sign(Whitelist(1));
  ASSERT_TRUE(s.ok()) << s.status().message();
  for (const char* needle :
       {"<ds:Signature xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\">",
        "<ds:CanonicalizationMethod Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"/>",
        "<ds:SignatureMethod Algorithm=\"http://www.w3.org/2001/04/xmldsig-more#rsa-sha256\"/>",
        "<ds:Reference URI=\"\">",
        "<ds:Transform Algorithm=\"http://www.w3.org/2000/09/xmldsig#enveloped-signature\"/>",
        "<ds:DigestMethod Algorithm=\"http://www.w3.org/2001/04/xmlenc#sha256\"/>",
        "<ds:X509Data>"}) {
    EXPECT_NE(s->find(needle), std::string::npos) << needle;
  }
  // Signing certificate and the intermediate.
  size_t certs = 0;
  for (size_t p = 0; (p = s->find("<ds:X509Certificate>", p)) != std::string::npos; ++p) ++certs;
  EXPECT_EQ(certs, 2u);
  EXPECT_EQ(s->find("<ds:Reference>"), std::string::npos);
  EXPECT_EQ(s->find("KeyValue"), std::string::npos);
}

TEST_F(SignerTest, EcKeySignsWithEcdsaSha256) {
  TempDir& d = tmp_;
  DevCa ec = CachedDevCa(/*ec=*/true);
  auto signer = Signer::Load(ec.key(), ec.cert(), ec.chain(), WallClockNow());
  ASSERT_TRUE(signer.ok()) << signer.status().message();
  auto s = (*signer)->Sign(OAuthClientList(2));
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_NE(s->find("xmldsig-more#ecdsa-sha256"), std::string::npos);
  WriteAll(d / "ocl.xml", *s);
  CommandResult r = RunCommand("xmlsec1 --verify --enabled-key-data x509 --trusted-pem " +
                               Quote(ec.ca().string()) + " " + Quote((d / "ocl.xml").string()));
  EXPECT_EQ(r.exit_code, 0) << r.output;
}

TEST_F(SignerTest, LoadRefusesGarbageKeyNamingTheFile) {
  WriteAll(tmp_ / "garbage.key", "this is not a key\n");
  auto s = Signer::Load(tmp_ / "garbage.key", ca_.cert(), ca_.chain(), WallClockNow());
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("garbage.key"), std::string::npos) << s.status().message();
  EXPECT_NE(s.status().message().find("not a usable PEM private key"), std::string::npos);
}

TEST_F(SignerTest, LoadRefusesUnreadableKey) {
  auto s = Signer::Load(tmp_ / "missing.key", ca_.cert(), ca_.chain(), WallClockNow());
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("missing.key: cannot read"), std::string::npos)
      << s.status().message();
}

TEST_F(SignerTest, LoadRefusesKeyThatDoesNotMatchTheCertificate) {
  CommandResult r =
      RunCommand("openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out " +
                 Quote((tmp_ / "other.key").string()));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto s = Signer::Load(tmp_ / "other.key", ca_.cert(), ca_.chain(), WallClockNow());
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("other.key does not match signing certificate"),
            std::string::npos)
      << s.status().message();
}

TEST_F(SignerTest, LoadRefusesCertificateNotValidAtNow) {
  auto expired = Signer::Load(ca_.key(), ca_.cert(), ca_.chain(), WallClockNow() + Days(400));
  ASSERT_FALSE(expired.ok());
  EXPECT_NE(expired.status().message().find("signing.pem has expired"), std::string::npos)
      << expired.status().message();
  auto early = Signer::Load(ca_.key(), ca_.cert(), ca_.chain(), WallClockNow() - Days(2));
  ASSERT_FALSE(early.ok());
  EXPECT_NE(early.status().message().find("signing.pem is not yet valid"), std::string::npos)
      << early.status().message();
}

TEST_F(SignerTest, LoadRefusesChainWithoutTheIssuer) {
  auto s = Signer::Load(ca_.key(), ca_.cert(), ca_.ca(), WallClockNow());
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("does not contain the issuer"), std::string::npos)
      << s.status().message();
}

TEST_F(SignerTest, CheckUsableAtFollowsTheCertificateLifetime) {
  auto signer = LoadSigner();
  ASSERT_TRUE(signer);
  EXPECT_TRUE(signer->CheckUsableAt(WallClockNow()).ok());
  Status later = signer->CheckUsableAt(signer->NotAfter());
  EXPECT_FALSE(later.ok());
  EXPECT_NE(later.message().find("expired at"), std::string::npos) << later.message();
  EXPECT_TRUE(signer->CheckUsableAt(signer->NotAfter() - Millis(1)).ok());
  EXPECT_NE(signer->SubjectName().find("CN=MedMij Registry Development List Signer"),
            std::string::npos)
      << signer->SubjectName();
}

TEST_F(SignerTest, RefusesWhatItCannotSpliceOrShouldNotSign) {
  auto signer = LoadSigner();
  ASSERT_TRUE(signer);
  auto twice = signer->Sign(*signer->Sign(Whitelist(1)));
  ASSERT_FALSE(twice.ok());
  EXPECT_NE(twice.status().message().find("already signed"), std::string::npos);
  auto trailing = signer->Sign(Whitelist(1) + "<!-- after -->\n");
  ASSERT_FALSE(trailing.ok());
  EXPECT_NE(trailing.status().message().find("must end with the root end tag"), std::string::npos)
      << trailing.status().message();
  auto other = signer->Sign("<?xml version=\"1.0\"?>\n<Other>\n</Other>\n");
  ASSERT_FALSE(other.ok());
  EXPECT_NE(other.status().message().find("not a MedMij list"), std::string::npos);
  auto doctype =
      signer->Sign("<?xml version=\"1.0\"?>\n<!DOCTYPE Whitelist []>\n" + Whitelist(1).substr(39));
  ASSERT_FALSE(doctype.ok());
  EXPECT_NE(doctype.status().message().find("DOCTYPE"), std::string::npos)
      << doctype.status().message();
}

TEST_F(SignerTest, SignValidatedRefusesAnInvalidListAndSignsAValidOne) {
  auto signer = LoadSigner();
  ASSERT_TRUE(signer);
  auto schemas = SchemaSet::Load();
  ASSERT_TRUE(schemas.ok()) << schemas.status().message();
  auto good = signer->SignValidated(Whitelist(2), ListKind::kWhitelist, **schemas);
  ASSERT_TRUE(good.ok()) << good.status().message();
  EXPECT_EQ(StripSignature(*good), Whitelist(2));
  auto bad = signer->SignValidated(ReplaceOnce(Whitelist(2), "node1.example.nl", "Node1!"),
                                   ListKind::kWhitelist, **schemas);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("line 10"), std::string::npos) << bad.status().message();
  auto wrong_kind = signer->SignValidated(Whitelist(2), ListKind::kOAuthClientList, **schemas);
  ASSERT_FALSE(wrong_kind.ok());
  EXPECT_NE(wrong_kind.status().message().find("expected OAuthclientlist"), std::string::npos)
      << wrong_kind.status().message();
}

// SignValidated digests a document in the form registry/lists renders from its bytes, without a
// DOM; Sign always canonicalises the DOM with libxml2. RSA PKCS#1 v1.5 is deterministic, so the
// two agree byte for byte exactly when the digests do. Awkward text (escapes, quotes, tabs,
// non-ASCII, ]]>) stays on the byte path; documents outside that form (CRLF, comments, PIs,
// character references, CDATA, prefixes, spaces in tags, another declaration) take the DOM path.
TEST_F(SignerTest, SignValidatedDigestFromBytesEqualsLibxml2C14n) {
  auto signer = LoadSigner();
  ASSERT_TRUE(signer);
  auto schemas = SchemaSet::Load();
  ASSERT_TRUE(schemas.ok()) << schemas.status().message();
  const std::string ocl = OAuthClientList(3);
  const std::string name = "PGO nummer 1";
  std::vector<std::pair<ListKind, std::string>> docs = {
      {ListKind::kWhitelist, Whitelist(0)},
      {ListKind::kWhitelist, Whitelist(5)},
      {ListKind::kZorgaanbiederslijst, Zorgaanbiederslijst(4)},
      {ListKind::kGegevensdienstnamenlijst, Gegevensdienstnamenlijst(3)},
      {ListKind::kOAuthClientList, ocl},
      {ListKind::kOAuthClientList, ReplaceOnce(ocl, name, "A &amp; B &lt;c&gt; \"d\" 'e'")},
      {ListKind::kOAuthClientList, ReplaceOnce(ocl, name, "tab\there  ]]&gt; x&gt;y")},
      {ListKind::kOAuthClientList, ReplaceOnce(ocl, name,
                                               "\xc3\x9cnic\xc3\xb8"
                                               "de \xe2\x98\xba")},
      {ListKind::kOAuthClientList, ReplaceOnce(ocl, name, "ref &#x263A; &#65;&quot;&apos;")},
      {ListKind::kOAuthClientList, ReplaceOnce(ocl, name, "<![CDATA[a<b>&c]]>")},
      {ListKind::kOAuthClientList, ReplaceOnce(ocl, name, "line\r\nend")},
      {ListKind::kOAuthClientList, ReplaceOnce(ocl, "<OAuthclients>", "<!-- c --><OAuthclients>")},
      {ListKind::kOAuthClientList, ReplaceOnce(ocl, "<OAuthclients>", "<?pi x?><OAuthclients>")},
      {ListKind::kOAuthClientList, ReplaceOnce(ocl, "<Hostname>", "<Hostname >")},
      {ListKind::kOAuthClientList, ReplaceOnce(ocl, "<Hostname>", "<Hostname\n>")},
      {ListKind::kOAuthClientList, ReplaceOnce(ocl, "</Hostname>", "</Hostname >")},
      {ListKind::kOAuthClientList, ReplaceOnce(ocl, "\"UTF-8\"?>", "'UTF-8'?>")},
      {ListKind::kOAuthClientList,
       ReplaceOnce(ocl, "\"UTF-8\"?>", "\"UTF-8\" standalone=\"yes\"?>")},
      {ListKind::kOAuthClientList, ocl.substr(ocl.find('\n') + 1)},
      {ListKind::kOAuthClientList,
       ReplaceOnce(ocl, "<OAuthclientlist xmlns=", "<OAuthclientlist xmlns:x=\"urn:x\" xmlns=")},
      {ListKind::kOAuthClientList,
       ReplaceOnce(ocl, "</OAuthclientlist>\n", "</OAuthclientlist>\n\n \t")},
      {ListKind::kOAuthClientList, ReplaceOnce(ocl, "</OAuthclientlist>\n", "</OAuthclientlist>")},
  };
  // Prefixed root: the same list with its namespace bound to a prefix on every element.
  {
    std::string p = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<o:OAuthclientlist xmlns:o=\"" +
                    std::string(kOclNs) +
                    "\">\n    <o:Tijdstempel>2026-11-22T10:00:00Z</o:Tijdstempel>\n"
                    "    <o:Volgnummer>3</o:Volgnummer>\n    <o:OAuthclients/>\n"
                    "</o:OAuthclientlist>\n";
    docs.emplace_back(ListKind::kOAuthClientList, p);
  }
  // Random organisation names over an awkward alphabet (3..50 characters once unescaped).
  const std::vector<std::string> alphabet = {
      "a", "Z", " ",      "\t",       "&amp;",        "&lt;", "&gt;", "\"",
      "'", "]", "]]&gt;", "\xc3\xa9", "\xe2\x82\xac", "-",    "/",    "=",
      "?", "!", "#",      ";"};
  uint64_t seed = 12345;
  auto next = [&seed](size_t n) {
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<size_t>((seed >> 33) % n);
  };
  for (int d = 0; d < 40; ++d) {
    std::string text = "n";
    const size_t len = 2 + next(40);
    for (size_t c = 0; c < len; ++c) text += alphabet[next(alphabet.size())];
    text += "n";  // the XSD type is a string: leading/trailing blanks are fine, but keep it tidy
    docs.emplace_back(ListKind::kOAuthClientList, ReplaceOnce(ocl, name, text));
  }
  int plain_signed = 0;
  int plain_refused = 0;
  for (const auto& [list, doc] : docs) {
    auto dom = signer->Sign(doc);
    ASSERT_TRUE(dom.ok()) << dom.status().message() << "\n" << doc;
    auto bytes = signer->SignValidated(doc, list, **schemas);
    ASSERT_TRUE(bytes.ok()) << bytes.status().message() << "\n" << doc;
    EXPECT_EQ(*bytes, *dom) << doc;
    std::string in_place = doc;
    ASSERT_TRUE(signer->SignValidatedInPlace(in_place, list, **schemas).ok());
    EXPECT_EQ(in_place, *dom);
    // Without validation (the publisher's incremental path): the same bytes for a document in
    // the plain form, a refusal that leaves the document as it was for any other.
    std::string plain = doc;
    if (signer->SignPlainInPlace(plain, list).ok()) {
      ++plain_signed;
      EXPECT_EQ(plain, *dom) << doc;
    } else {
      EXPECT_EQ(plain, doc);
      ++plain_refused;
    }
  }
  EXPECT_GT(plain_signed, 40);  // the random names and the plain variants above
  EXPECT_GT(plain_refused, 5);  // CDATA, CRLF, comment, PI, prefixes, ...
  // The stock tool agrees on one with every escape.
  WriteAll(tmp_ / "awkward.xml", *signer->SignValidated(docs[5].second, docs[5].first, **schemas));
  CommandResult r =
      RunCommand("xmlsec1 --verify --enabled-key-data x509 --trusted-pem " +
                 Quote(ca_.ca().string()) + " " + Quote((tmp_ / "awkward.xml").string()));
  EXPECT_EQ(r.exit_code, 0) << r.output;
}

// What the streaming validator must refuse although the byte scan accepts the shape.
TEST_F(SignerTest, SignValidatedRefusesWhatTheStreamingParserRefuses) {
  auto signer = LoadSigner();
  ASSERT_TRUE(signer);
  auto schemas = SchemaSet::Load();
  ASSERT_TRUE(schemas.ok()) << schemas.status().message();
  const std::string ocl = OAuthClientList(3);
  for (const std::string& doc :
       {ReplaceOnce(ocl, "PGO nummer 1", "bad \xff utf-8"),
        ReplaceOnce(ocl, "PGO nummer 1", "control \x01 char"),
        ReplaceOnce(ocl, "</Hostname>", "</Hostnam>"),
        ReplaceOnce(ocl, "<OAuthclient>", "<OAuthclient><Extra>x</Extra>"),
        ReplaceOnce(ocl, "PGO nummer 1", "ab"),  // shorter than the XSD's minLength 3
        ocl.substr(0, ocl.size() - 10)}) {
    std::string in_place = doc;
    Status st = signer->SignValidatedInPlace(in_place, ListKind::kOAuthClientList, **schemas);
    EXPECT_FALSE(st.ok()) << doc;
    EXPECT_EQ(in_place, doc);
    EXPECT_FALSE(signer->SignValidated(doc, ListKind::kOAuthClientList, **schemas).ok()) << doc;
  }
}

TEST_F(SignerTest, ConcurrentSigningProducesVerifiableLists) {
  auto signer = LoadSigner();
  ASSERT_TRUE(signer);
  auto verifier = Verifier::Load(ca_.ca());
  ASSERT_TRUE(verifier.ok()) << verifier.status().message();
  std::vector<std::thread> threads;
  std::vector<std::string> failures(4);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        const std::string x =
            Whitelist(static_cast<size_t>(t * 10 + i), static_cast<uint64_t>(i + 1));
        auto s = signer->Sign(x);
        if (!s.ok()) {
          failures[static_cast<size_t>(t)] = s.status().message();
          return;
        }
        auto v = (*verifier)->Verify(*s, WallClockNow());
        if (!v.ok()) {
          failures[static_cast<size_t>(t)] = v.status().message();
          return;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  for (const auto& f : failures) EXPECT_EQ(f, "");
}

}  // namespace
}  // namespace medmij::signer
