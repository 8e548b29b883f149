// The hardening corpus: every document here is built from a good signed list and must be
// refused with a specific reason; the good list itself must pass.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "registry/common/sha256.h"
#include "signer/signer.h"
#include "tests/unit/signer/test_support.h"

namespace medmij::signer {
namespace {

using namespace medmij::signer::testing;

MEDMIJ_SIGNER_TEST_ENVIRONMENT();

constexpr const char* kSignerSubject =
    "/O=MedMij Development/CN=MedMij Registry Development List Signer";

class VerifierTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ca_ = CachedDevCa(/*ec=*/false);
    auto s = Signer::Load(ca_.key(), ca_.cert(), ca_.chain(), WallClockNow());
    ASSERT_TRUE(s.ok()) << s.status().message();
    auto v = Verifier::Load(ca_.ca());
    ASSERT_TRUE(v.ok()) << v.status().message();
    signer_ = std::move(s).value().release();
    verifier_ = std::move(v).value().release();
  }
  static void TearDownTestSuite() {
    delete signer_;
    delete verifier_;
  }

  static std::string Signed(const std::string& x) {
    auto s = signer_->Sign(x);
    EXPECT_TRUE(s.ok()) << s.status().message();
    return s.ok() ? *s : std::string();
  }

  // Verify must fail and say `reason`.
  static void ExpectRefused(const std::string& doc, const std::string& reason,
                            Time now = WallClockNow(),
                            std::optional<ListKind> expected = std::nullopt) {
    auto v = verifier_->Verify(doc, now, expected);
    ASSERT_FALSE(v.ok()) << "accepted, expected: " << reason;
    EXPECT_NE(v.status().message().find(reason), std::string::npos) << v.status().message();
    EXPECT_EQ(v.status().code(), Status::Code::kInvalidArgument) << v.status().message();
  }

  // The stock tool, configured as PITFALLS says, on the same bytes.
  int StockXmlsec1(const std::string& doc, const std::string& extra = "") {
    WriteAll(tmp_ / "doc.xml", doc);
    return RunCommand("xmlsec1 --verify --enabled-key-data x509 --trusted-pem " +
                      Quote(ca_.ca().string()) + " " + extra + " " +
                      Quote((tmp_ / "doc.xml").string()))
        .exit_code;
  }

  static DevCa ca_;
  static Signer* signer_;
  static Verifier* verifier_;
  TempDir tmp_;
};
DevCa VerifierTest::ca_;
Signer* VerifierTest::signer_ = nullptr;
Verifier* VerifierTest::verifier_ = nullptr;

std::string SignatureElement(const std::string& signed_xml) {
  size_t b = signed_xml.find("<ds:Signature ");
  size_t e = signed_xml.find("</ds:Signature>") + std::string("</ds:Signature>").size();
  return signed_xml.substr(b, e - b);
}

TEST_F(VerifierTest, GoodListPassesWithItsFields) {
  const std::string x = Whitelist(3, 42, "2026-11-22T10:00:07Z");
  const std::string doc = Signed(x);
  auto v = verifier_->Verify(doc, WallClockNow());
  ASSERT_TRUE(v.ok()) << v.status().message();
  EXPECT_EQ(v->list, ListKind::kWhitelist);
  EXPECT_EQ(v->volgnummer, 42u);
  EXPECT_EQ(v->tijdstempel, "2026-11-22T10:00:07Z");
  EXPECT_EQ(v->signer_subject, "CN=MedMij Registry Development List Signer,O=MedMij Development");
  EXPECT_EQ(v->sha256.size(), 64u);
  EXPECT_EQ(v->sha256, Sha256Hex(doc));
  // The signed content digest is that of the unsigned form's canonical form: equal for two
  // signatures of one list.
  EXPECT_EQ(v->signed_content_sha256, ExclusiveC14nSha256(x));
  auto again = verifier_->Verify(Signed(x), WallClockNow());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->signed_content_sha256, v->signed_content_sha256);
  // The signature's bytes: removing them gives back the unsigned input.
  EXPECT_TRUE(std::string_view(doc).substr(v->signature_begin).starts_with("<ds:Signature "));
  EXPECT_EQ(StrictForm(doc, *v), x);
  EXPECT_EQ(StockXmlsec1(doc), 0);
}

TEST_F(VerifierTest, EveryListKindVerifies) {
  for (const std::string& x :
       {OAuthClientList(3), Zorgaanbiederslijst(4), Gegevensdienstnamenlijst(5), Whitelist(0)}) {
    auto v = verifier_->Verify(Signed(x), WallClockNow());
    EXPECT_TRUE(v.ok()) << v.status().message();
  }
}

TEST_F(VerifierTest, TamperedContent) {
  const std::string doc = ReplaceOnce(Signed(Whitelist(3)), "node1.example.nl", "evil1.example.nl");
  ExpectRefused(doc, "digest mismatch");
  EXPECT_NE(StockXmlsec1(doc), 0);
}

TEST_F(VerifierTest, TamperedVolgnummer) {
  ExpectRefused(ReplaceOnce(Signed(Whitelist(3, 42)), "<Volgnummer>42<", "<Volgnummer>43<"),
                "digest mismatch");
}

TEST_F(VerifierTest, ResignedWithAnotherKeyCarriedInKeyValue) {
  // The attacker signs tampered content with its own key and ships the key in KeyValue.
  ASSERT_EQ(RunCommand("openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out " +
                       Quote((tmp_ / "attacker.key").string()))
                .exit_code,
            0);
  const std::string tmpl = ReplaceOnce(
      Whitelist(2), "</Whitelist>",
      "<ds:Signature xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\"><ds:SignedInfo>"
      "<ds:CanonicalizationMethod Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"/>"
      "<ds:SignatureMethod Algorithm=\"http://www.w3.org/2001/04/xmldsig-more#rsa-sha256\"/>"
      "<ds:Reference URI=\"\"><ds:Transforms>"
      "<ds:Transform Algorithm=\"http://www.w3.org/2000/09/xmldsig#enveloped-signature\"/>"
      "<ds:Transform Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"/></ds:Transforms>"
      "<ds:DigestMethod Algorithm=\"http://www.w3.org/2001/04/xmlenc#sha256\"/>"
      "<ds:DigestValue/></ds:Reference></ds:SignedInfo><ds:SignatureValue/>"
      "<ds:KeyInfo><ds:KeyValue/></ds:KeyInfo></ds:Signature></Whitelist>");
  WriteAll(tmp_ / "tmpl.xml", tmpl);
  CommandResult sign = RunCommand(
      "xmlsec1 --sign --privkey-pem " + Quote((tmp_ / "attacker.key").string()) + " --output " +
      Quote((tmp_ / "forged.xml").string()) + " " + Quote((tmp_ / "tmpl.xml").string()));
  ASSERT_EQ(sign.exit_code, 0) << sign.output;
  const std::string forged = ReadAll(tmp_ / "forged.xml");
  ASSERT_NE(forged.find("<ds:RSAKeyValue>"), std::string::npos);
  // The stock tool without --enabled-key-data takes the document's own key: VALID.
  CommandResult naive = RunCommand("xmlsec1 --verify --trusted-pem " + Quote(ca_.ca().string()) +
                                   " " + Quote((tmp_ / "forged.xml").string()));
  EXPECT_EQ(naive.exit_code, 0) << "stock xmlsec1 default no longer accepts KeyValue: "
                                << naive.output;
  ExpectRefused(forged, "no trusted signing certificate");
  EXPECT_NE(StockXmlsec1(forged), 0);
}

TEST_F(VerifierTest, SelfSignedLookAlikeCertificate) {
  // In the signing profile (so only the missing chain refuses it).
  ASSERT_EQ(RunCommand("openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj " +
                       Quote(kSignerSubject) +
                       " -addext basicConstraints=critical,CA:FALSE"
                       " -addext keyUsage=critical,digitalSignature -keyout " +
                       Quote((tmp_ / "fake.key").string()) + " -out " +
                       Quote((tmp_ / "fake.pem").string()))
                .exit_code,
            0);
  auto fake = Signer::Load(tmp_ / "fake.key", tmp_ / "fake.pem", "", WallClockNow());
  ASSERT_TRUE(fake.ok()) << fake.status().message();
  ASSERT_EQ((*fake)->SubjectName(), signer_->SubjectName());
  auto doc = (*fake)->Sign(Whitelist(3));
  ASSERT_TRUE(doc.ok());
  ExpectRefused(*doc, "no trusted signing certificate");
  EXPECT_NE(StockXmlsec1(*doc), 0);
}

TEST_F(VerifierTest, SecondSignature) {
  const std::string doc = Signed(Whitelist(3));
  const std::string sig = SignatureElement(doc);
  ExpectRefused(ReplaceOnce(doc, "</Whitelist>", sig + "</Whitelist>"),
                "2 ds:Signature elements; exactly one is allowed");
  ExpectRefused(ReplaceOnce(doc, "<MedMijNodes>", "<MedMijNodes>" + sig),
                "2 ds:Signature elements");
}

TEST_F(VerifierTest, WrappedOriginalInsideAnExtraElement) {
  // Attacker content at the top, the genuine signed list (signature and all) wrapped below.
  const std::string genuine = Signed(Whitelist(3));
  std::string inner = genuine.substr(genuine.find("<Whitelist"));
  const std::string wrapped =
      ReplaceOnce(Whitelist(1), "</MedMijNodes>",
                  "</MedMijNodes>\n<Wrapper xmlns=\"urn:x\">" + inner + "</Wrapper>");
  ExpectRefused(wrapped, "ds:Signature must be a direct child of the root element");
  EXPECT_NE(StockXmlsec1(wrapped), 0);
}

TEST_F(VerifierTest, SignatureMovedOntoOtherContent) {
  // The genuine signature, moved to the end of a document with other content.
  const std::string sig = SignatureElement(Signed(Whitelist(3)));
  const std::string moved = ReplaceOnce(Whitelist(3, 8), "</Whitelist>", sig + "</Whitelist>");
  ExpectRefused(moved, "digest mismatch");
  // Or with the genuine list kept inside the (schema-less) signature's neighbourhood.
  const std::string moved_with_copy =
      ReplaceOnce(moved, "<ds:Signature ",
                  "<Copy xmlns=\"urn:x\">" + Whitelist(3).substr(39) + "</Copy><ds:Signature ");
  ExpectRefused(moved_with_copy, "digest mismatch");
}

TEST_F(VerifierTest, SignatureNotLastChild) {
  const std::string doc = Signed(Whitelist(2));
  ExpectRefused(ReplaceOnce(doc, "</ds:Signature>", "</ds:Signature><!-- x -->"),
                "ds:Signature must be the last child of the root element");
}

TEST_F(VerifierTest, ReferenceToAnIdOrAnExternalUri) {
  const std::string doc = Signed(Whitelist(2));
  ExpectRefused(ReplaceOnce(doc, "<ds:Reference URI=\"\">", "<ds:Reference URI=\"#x\">"),
                "URI=\"#x\" is not allowed");
  ExpectRefused(ReplaceOnce(doc, "<ds:Reference URI=\"\">",
                            "<ds:Reference URI=\"http://127.0.0.1:9/list.xml\">"),
                "URI=\"http://127.0.0.1:9/list.xml\" is not allowed");
  ExpectRefused(ReplaceOnce(doc, "<ds:Reference URI=\"\">", "<ds:Reference>"),
                "ds:Reference has no URI");
  const std::string ref = doc.substr(doc.find("<ds:Reference "),
                                     doc.find("</ds:Reference>") + 15 - doc.find("<ds:Reference "));
  ExpectRefused(ReplaceOnce(doc, "</ds:Reference>", "</ds:Reference>" + ref),
                "2 ds:Reference elements");
}

TEST_F(VerifierTest, XsltAndXPathTransforms) {
  const std::string doc = Signed(Whitelist(2));
  const std::string enveloped =
      "<ds:Transform Algorithm=\"http://www.w3.org/2000/09/xmldsig#enveloped-signature\"/>";
  ExpectRefused(
      ReplaceOnce(doc, enveloped,
                  enveloped +
                      "<ds:Transform Algorithm=\"http://www.w3.org/TR/1999/REC-xslt-19991116\">"
                      "<xsl:stylesheet xmlns:xsl=\"http://www.w3.org/1999/XSL/Transform\" "
                      "version=\"1.0\"/></ds:Transform>"),
      "Algorithm=\"http://www.w3.org/TR/1999/REC-xslt-19991116\" is not allowed");
  ExpectRefused(
      ReplaceOnce(doc, enveloped,
                  enveloped +
                      "<ds:Transform Algorithm=\"http://www.w3.org/TR/1999/REC-xpath-19991116\">"
                      "<ds:XPath>not(ancestor-or-self::*)</ds:XPath></ds:Transform>"),
      "Algorithm=\"http://www.w3.org/TR/1999/REC-xpath-19991116\" is not allowed");
}

TEST_F(VerifierTest, WeakOrKeylessAlgorithms) {
  const std::string doc = Signed(Whitelist(2));
  ExpectRefused(ReplaceOnce(doc, "xmldsig-more#rsa-sha256", "xmldsig#rsa-sha1"),
                "xmldsig#rsa-sha1\" is not allowed; only RSA-SHA256 or ECDSA-SHA256");
  ExpectRefused(ReplaceOnce(doc, "xmldsig-more#rsa-sha256", "xmldsig-more#hmac-sha256"),
                "hmac-sha256\" is not allowed");
  ExpectRefused(ReplaceOnce(doc, "xmlenc#sha256", "xmldsig#sha1"),
                "xmldsig#sha1\" is not allowed; only SHA-256");
  ExpectRefused(ReplaceOnce(doc,
                            "<ds:CanonicalizationMethod "
                            "Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"/>",
                            "<ds:CanonicalizationMethod "
                            "Algorithm=\"http://www.w3.org/TR/2001/REC-xml-c14n-20010315\"/>"),
                "ds:CanonicalizationMethod Algorithm=");
}

TEST_F(VerifierTest, DoctypeWithEntities) {
  const std::string body = Signed(Whitelist(2)).substr(39);  // after the XML declaration
  const std::string decl = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  ExpectRefused(decl + "<!DOCTYPE Whitelist [<!ENTITY h \"node0.example.nl\">]>\n" +
                    ReplaceOnce(body, "node0.example.nl", "&h;"),
                "a DOCTYPE is not allowed");
  ExpectRefused(decl + "<!DOCTYPE Whitelist [<!ENTITY h SYSTEM \"file:///etc/hostname\">]>\n" +
                    ReplaceOnce(body, "node0.example.nl", "&h;"),
                "a DOCTYPE is not allowed");
  ExpectRefused(decl + "<!DOCTYPE Whitelist SYSTEM \"http://127.0.0.1:9/evil.dtd\">\n" + body,
                "a DOCTYPE is not allowed");
  std::string laughs = "<!DOCTYPE Whitelist [<!ENTITY l0 \"lol\">";
  for (int i = 1; i < 10; ++i) {
    laughs += "<!ENTITY l" + std::to_string(i) + " \"";
    for (int j = 0; j < 10; ++j) laughs += "&l" + std::to_string(i - 1) + ";";
    laughs += "\">";
  }
  laughs += "]>\n";
  ExpectRefused(decl + laughs + ReplaceOnce(body, "node0.example.nl", "&l9;"),
                "a DOCTYPE is not allowed");
}

TEST_F(VerifierTest, TruncatedAndEmpty) {
  const std::string doc = Signed(Whitelist(3));
  ExpectRefused(doc.substr(0, doc.size() / 2), "not well-formed XML: line");
  ExpectRefused(doc.substr(0, doc.size() - 3), "not well-formed XML");
  ExpectRefused("", "empty document");
  ExpectRefused("   \n", "not well-formed XML");
}

TEST_F(VerifierTest, OverTheSizeLimit) {
  std::string doc = Signed(Whitelist(1));
  doc.insert(doc.find("</Whitelist>"), (size_t{256} << 20) + 1, ' ');
  ExpectRefused(doc, "bytes; the limit is 268435456");
}

TEST_F(VerifierTest, DeeplyNested) {
  const std::string doc = Signed(Whitelist(1));
  std::string nest;
  for (int i = 0; i < 100; ++i) nest += "<a>";
  for (int i = 0; i < 100; ++i) nest += "</a>";
  ExpectRefused(ReplaceOnce(doc, "<MedMijNodes>", "<MedMijNodes>" + nest),
                "nested deeper than 64 elements");
  std::string deeper;
  for (int i = 0; i < 100000; ++i) deeper += "<a>";
  for (int i = 0; i < 100000; ++i) deeper += "</a>";
  // Refused at the 65th level, not after libxml2's own limit of 256.
  ExpectRefused(ReplaceOnce(doc, "<MedMijNodes>", "<MedMijNodes>" + deeper),
                "nested deeper than 64 elements (line 5)");
}

TEST_F(VerifierTest, ExpiredSigningCertificate) {
  const std::string doc = Signed(Whitelist(2));
  const Time later = WallClockNow() + Days(400);
  ExpectRefused(doc, "no trusted signing certificate", later);
  auto v = verifier_->Verify(doc, later);
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.status().message().find("certificate has expired"), std::string::npos)
      << v.status().message();
  // The stock tool agrees when told the same time.
  const auto secs = std::chrono::floor<std::chrono::seconds>(later).time_since_epoch().count();
  (void)secs;
  EXPECT_NE(StockXmlsec1(doc, "--verification-time " + FormatTime(later).substr(0, 10) + "+" +
                                  FormatTime(later).substr(11, 8)),
            0);
}

TEST_F(VerifierTest, UntrustedAnchor) {
  auto other = Verifier::Load(CachedDevCa(/*ec=*/true).ca());
  ASSERT_TRUE(other.ok()) << other.status().message();
  auto v = (*other)->Verify(Signed(Whitelist(1)), WallClockNow());
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.status().message().find("no trusted signing certificate"), std::string::npos)
      << v.status().message();
}

TEST_F(VerifierTest, SchemaViolationUnderAValidSignature) {
  // Signed by the real key, but not a valid list: the signature alone is not enough.
  const std::string doc = Signed(ReplaceOnce(Whitelist(2), "node1.example.nl", "Node1.example.nl"));
  ExpectRefused(doc, "schema MedMij_Whitelist.xsd: line 10");
}

TEST_F(VerifierTest, UnsignedAndForeignDocuments) {
  ExpectRefused(Whitelist(2), "the list is not signed");
  ExpectRefused("<?xml version=\"1.0\"?>\n<Whitelist xmlns=\"urn:other\"/>\n",
                "is not a MedMij list");
  ExpectRefused("<?xml version=\"1.0\"?>\n<Whitelist/>\n",
                "without namespace is not a MedMij list");
}

TEST_F(VerifierTest, LoadRefusesBadTrustFile) {
  WriteAll(tmp_ / "garbage.pem", "nope\n");
  auto v = Verifier::Load(tmp_ / "garbage.pem");
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.status().message().find("garbage.pem: contains no PEM certificate"),
            std::string::npos)
      << v.status().message();
  auto missing = Verifier::Load(tmp_ / "missing.pem");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("missing.pem: cannot read"), std::string::npos);
}

// Item 5 of issue 8: the signed content's digest is that of its canonical form, so every byte
// variant of one signed list has it, and other content has another.
TEST_F(VerifierTest, ByteVariantsShareTheSignedContentDigest) {
  const std::string x = Whitelist(3, 9);
  const std::string doc = Signed(x);
  auto v = verifier_->Verify(doc, WallClockNow());
  ASSERT_TRUE(v.ok()) << v.status().message();
  std::string crlf;
  for (char c : doc) {
    if (c == '\n') crlf += '\r';
    crlf += c;
  }
  const std::vector<std::pair<std::string, std::string>> variants = {
      {"trailing newline", doc + "\n"},
      {"CRLF", crlf},
      {"BOM", "\xef\xbb\xbf" + doc},
      {"comment", ReplaceOnce(doc, "<MedMijNodes>", "<MedMijNodes><!-- mirrored -->")},
      {"no declaration", doc.substr(doc.find('<', 1))},
  };
  for (const auto& [name, variant] : variants) {
    ASSERT_NE(variant, doc);
    auto w = verifier_->Verify(variant, WallClockNow());
    ASSERT_TRUE(w.ok()) << name << ": " << w.status().message();
    EXPECT_EQ(w->signed_content_sha256, v->signed_content_sha256) << name;
    EXPECT_NE(w->sha256, v->sha256) << name;
    EXPECT_TRUE(std::string_view(variant).substr(w->signature_begin).starts_with("<ds:Signature"))
        << name;
  }
  // Other content under the same Volgnummer: another digest.
  auto other = verifier_->Verify(Signed(Whitelist(2, 9)), WallClockNow());
  ASSERT_TRUE(other.ok());
  EXPECT_NE(other->signed_content_sha256, v->signed_content_sha256);
}

TEST_F(VerifierTest, ExpectedListKind) {
  const std::string ocl = Signed(OAuthClientList(2));
  ExpectRefused(ocl,
                "is the oauthclientlist (root element OAuthclientlist), not the expected "
                "whitelist",
                WallClockNow(), ListKind::kWhitelist);
  auto v = verifier_->Verify(ocl, WallClockNow(), ListKind::kOAuthClientList);
  EXPECT_TRUE(v.ok()) << v.status().message();
  ExpectRefused(Signed(Gegevensdienstnamenlijst(2)), "not the expected zorgaanbiederslijst",
                WallClockNow(), ListKind::kZorgaanbiederslijst);
}

// Item 6 of issue 8, on a genuine signed list: each hostile addition is refused while parsing
// (the sizes that took minutes or gigabytes before are in tests/bench/hostile_bench.sh).
TEST_F(VerifierTest, HostileAdditionsToAGenuineList) {
  const std::string doc = Signed(Whitelist(3));
  std::string attributes;
  for (int i = 0; i < 40000; ++i) attributes += " a" + std::to_string(i) + "=\"\"";
  ExpectRefused(ReplaceOnce(doc, "<MedMijNode>", "<MedMijNode" + attributes + ">"),
                "an element has more than 16 attributes");
  std::string namespaces;
  for (int i = 0; i < 200000; ++i) namespaces += " xmlns:n" + std::to_string(i) + "=\"urn:n\"";
  ExpectRefused(ReplaceOnce(doc, "<Whitelist xmlns=", "<Whitelist" + namespaces + " xmlns="),
                "an element has more than 8 namespace declarations");
  std::string junk;
  for (int i = 0; i < 9000; ++i) junk += "<ds:X509Certificate>AAAA</ds:X509Certificate>";
  ExpectRefused(ReplaceOnce(doc, "</ds:X509Data>", junk + "</ds:X509Data>"),
                "ds:KeyInfo has more than 8 certificates");
  std::string empties;
  for (int i = 0; i < 1000000; ++i) empties += "<ds:Object/>";
  ExpectRefused(ReplaceOnce(doc, "</ds:KeyInfo>", "</ds:KeyInfo>" + empties),
                "ds:Signature has more than 256 nodes");
}

TEST_F(VerifierTest, OnlyUtf8) {
  const std::string doc = Signed(Whitelist(1));
  std::string utf16 = "\xff\xfe";
  for (char c : doc) {
    utf16 += c;
    utf16 += '\0';
  }
  ExpectRefused(utf16, "only UTF-8 documents are accepted");
}

TEST_F(VerifierTest, TransformsMustBeExactlyOurs) {
  const std::string doc = Signed(Whitelist(2));
  const std::string enveloped =
      "<ds:Transform Algorithm=\"http://www.w3.org/2000/09/xmldsig#enveloped-signature\"/>";
  const std::string exc = "<ds:Transform Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"/>";
  ExpectRefused(ReplaceOnce(doc, exc, ""), "exactly enveloped-signature then exclusive C14N");
  ExpectRefused(ReplaceOnce(ReplaceOnce(doc, exc, ""), enveloped, exc + enveloped),
                "exactly enveloped-signature then exclusive C14N");
  ExpectRefused(
      ReplaceOnce(doc, exc,
                  "<ds:Transform Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\">"
                  "<ec:InclusiveNamespaces xmlns:ec=\"http://www.w3.org/2001/10/xml-exc-c14n#\" "
                  "PrefixList=\"ds\"/></ds:Transform>"),
      "without parameters");
}

// Item 3 of issue 8: the signing certificate's profile. Each list is signed by the stock
// xmlsec1 with a certificate that chains to the trust anchor (xmlsec1 accepts every one of
// them); the Verifier refuses those outside the profile, and Signer::Load refuses to sign with
// them.
class SigningProfileTest : public VerifierTest {
 protected:
  static void SetUpTestSuite() {
    VerifierTest::SetUpTestSuite();
    ca_dir_ = new TempDir();
  }
  static void TearDownTestSuite() {
    delete ca_dir_;
    VerifierTest::TearDownTestSuite();
  }

  struct Issued {
    fs::path key, cert, chain;
    bool ec = false;
  };

  // A key (`keyspec`: rsa:BITS or ec:CURVE) and a certificate for it issued by the dev CA's
  // intermediate with the OpenSSL extension lines `ext`.
  static Issued Issue(const std::string& name, const std::string& keyspec, const std::string& ext) {
    const TempDir& d = *ca_dir_;
    Issued i{d / (name + ".key"), d / (name + ".pem"), ca_.chain(), keyspec.starts_with("ec:")};
    const std::string genkey =
        i.ec ? "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:" + keyspec.substr(3)
             : "openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:" + keyspec.substr(4);
    WriteAll(d / (name + ".cnf"), "[x]\n" + ext + "\n");
    CommandResult r = RunCommand(
        genkey + " -out " + Quote(i.key.string()) + " && openssl req -new -key " +
        Quote(i.key.string()) + " -subj '/O=MedMij Development/CN=" + name + "' -out " +
        Quote((d / (name + ".csr")).string()) + " && openssl x509 -req -in " +
        Quote((d / (name + ".csr")).string()) + " -CA " +
        Quote((ca_.dir / "intermediate.pem").string()) + " -CAkey " +
        Quote((ca_.dir / "intermediate.key").string()) +
        " -set_serial 0x$(openssl rand -hex 8) -days 30 -sha256 -extfile " +
        Quote((d / (name + ".cnf")).string()) + " -extensions x -out " + Quote(i.cert.string()));
    if (r.exit_code != 0) throw std::runtime_error("issuing " + name + ": " + r.output);
    return i;
  }

  // The whitelist signed by the stock xmlsec1 with `key`, its certificate and `chain`.
  std::string StockSigned(const fs::path& key, const fs::path& cert, const fs::path& chain,
                          bool ec) {
    const std::string tmpl = ReplaceOnce(
        Whitelist(2), "</Whitelist>",
        "<ds:Signature xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\"><ds:SignedInfo>"
        "<ds:CanonicalizationMethod Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"/>"
        "<ds:SignatureMethod Algorithm=\"http://www.w3.org/2001/04/xmldsig-more#" +
            std::string(ec ? "ecdsa" : "rsa") +
            "-sha256\"/><ds:Reference URI=\"\"><ds:Transforms>"
            "<ds:Transform Algorithm=\"http://www.w3.org/2000/09/xmldsig#enveloped-signature\"/>"
            "<ds:Transform Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"/>"
            "</ds:Transforms><ds:DigestMethod "
            "Algorithm=\"http://www.w3.org/2001/04/xmlenc#sha256\"/><ds:DigestValue/>"
            "</ds:Reference></ds:SignedInfo><ds:SignatureValue/><ds:KeyInfo><ds:X509Data/>"
            "</ds:KeyInfo></ds:Signature></Whitelist>");
    WriteAll(tmp_ / "tmpl.xml", tmpl);
    std::string pems = key.string() + "," + cert.string();
    if (!chain.empty()) pems += "," + chain.string();
    CommandResult r = RunCommand("xmlsec1 --sign --privkey-pem " + Quote(pems) + " --output " +
                                 Quote((tmp_ / "signed.xml").string()) + " " +
                                 Quote((tmp_ / "tmpl.xml").string()));
    EXPECT_EQ(r.exit_code, 0) << r.output;
    return ReadAll(tmp_ / "signed.xml");
  }

  void ExpectOutsideProfile(const Issued& i, const std::string& reason) {
    const std::string doc = StockSigned(i.key, i.cert, i.chain, i.ec);
    EXPECT_EQ(StockXmlsec1(doc), 0) << reason << ": the stock tool should accept the chain";
    ExpectRefused(doc, reason);
    auto s = Signer::Load(i.key, i.cert, i.chain.empty() ? fs::path() : i.chain, WallClockNow());
    ASSERT_FALSE(s.ok()) << reason;
    EXPECT_NE(s.status().message().find(reason), std::string::npos) << s.status().message();
    EXPECT_NE(s.status().message().find(i.cert.string()), std::string::npos)
        << s.status().message();
  }

  void ExpectInsideProfile(const Issued& i) {
    const std::string doc = StockSigned(i.key, i.cert, i.chain, i.ec);
    auto v = verifier_->Verify(doc, WallClockNow());
    EXPECT_TRUE(v.ok()) << i.cert << ": " << v.status().message();
    auto s = Signer::Load(i.key, i.cert, i.chain, WallClockNow());
    ASSERT_TRUE(s.ok()) << s.status().message();
    auto ours = (*s)->Sign(Whitelist(1));
    ASSERT_TRUE(ours.ok());
    EXPECT_TRUE(verifier_->Verify(*ours, WallClockNow()).ok());
  }

  static TempDir* ca_dir_;
};
TempDir* SigningProfileTest::ca_dir_ = nullptr;

constexpr const char* kLeaf = "basicConstraints=critical,CA:FALSE\n";

TEST_F(SigningProfileTest, TlsServerCertificate) {
  ExpectOutsideProfile(
      Issue("tls-server", "rsa:2048",
            std::string(kLeaf) + "keyUsage=critical,digitalSignature,keyEncipherment\n"
                                 "extendedKeyUsage=serverAuth"),
      "keyUsage allows more than digitalSignature and nonRepudiation");
  ExpectOutsideProfile(Issue("tls-only-eku", "rsa:2048",
                             std::string(kLeaf) + "keyUsage=critical,digitalSignature\n"
                                                  "extendedKeyUsage=serverAuth,clientAuth"),
                       "extendedKeyUsage is TLS only");
}

TEST_F(SigningProfileTest, KeyCertSignOnlyCertificate) {
  ExpectOutsideProfile(
      Issue("keycertsign", "rsa:2048", std::string(kLeaf) + "keyUsage=critical,keyCertSign"),
      "keyUsage includes keyCertSign");
}

TEST_F(SigningProfileTest, CaKeys) {
  // The intermediate's own key and certificate (chains to the root directly), and the root's.
  ExpectOutsideProfile({ca_.dir / "intermediate.key", ca_.dir / "intermediate.pem", {}, false},
                       "is a CA certificate (basicConstraints CA:TRUE)");
  ExpectOutsideProfile({ca_.dir / "ca.key", ca_.dir / "ca.pem", {}, false},
                       "is a CA certificate (basicConstraints CA:TRUE)");
}

TEST_F(SigningProfileTest, WeakKeys) {
  ExpectOutsideProfile(
      Issue("rsa1024", "rsa:1024", std::string(kLeaf) + "keyUsage=critical,digitalSignature"),
      "the RSA key has 1024 bits; at least 2048 are required");
  ExpectOutsideProfile(
      Issue("p192", "ec:prime192v1", std::string(kLeaf) + "keyUsage=critical,digitalSignature"),
      "the EC key is on curve prime192v1");
}

TEST_F(SigningProfileTest, KeyUsageMissingOrWithoutDigitalSignature) {
  ExpectOutsideProfile(Issue("no-ku", "rsa:2048", kLeaf), "has no keyUsage");
  ExpectOutsideProfile(
      Issue("nr-only", "rsa:2048", std::string(kLeaf) + "keyUsage=critical,nonRepudiation"),
      "keyUsage lacks digitalSignature");
}

TEST_F(SigningProfileTest, InsideTheProfile) {
  ExpectInsideProfile(Issue("ds-nr-eku", "rsa:3072",
                            std::string(kLeaf) +
                                "keyUsage=critical,digitalSignature,nonRepudiation\n"
                                "extendedKeyUsage=codeSigning,serverAuth"));
  ExpectInsideProfile(
      Issue("p384", "ec:secp384r1", std::string(kLeaf) + "keyUsage=critical,digitalSignature"));
}

// The registry's own anchor: [signing] trust_anchor, else the chain's last certificate, else the
// signing certificate; only a self-signed root gives a verifier (xmlsec's chain building).
TEST_F(VerifierTest, TheRegistrysAnchorIsTheConfiguredRootElseTheChainsEndElseTheCertificate) {
  const std::string doc = Signed(Whitelist(3, 42, "2026-11-22T10:00:07Z"));

  auto configured = Verifier::LoadRegistryAnchor(ca_.ca(), ca_.chain(), ca_.cert());
  ASSERT_TRUE(configured.ok()) << configured.status().message();
  ASSERT_NE(configured->verifier, nullptr) << configured->off_reason;
  EXPECT_EQ(configured->description.rfind("[signing] trust_anchor " + ca_.ca().string() + " (", 0),
            0u)
      << configured->description;
  EXPECT_TRUE(configured->verifier->Verify(doc, WallClockNow()).ok());

  // The dev chain file holds the intermediate only: not a root, so no verifier, and why.
  auto intermediate = Verifier::LoadRegistryAnchor({}, ca_.chain(), ca_.cert());
  ASSERT_TRUE(intermediate.ok()) << intermediate.status().message();
  EXPECT_EQ(intermediate->verifier, nullptr);
  EXPECT_NE(intermediate->off_reason.find("the last certificate of [signing] chain " +
                                          ca_.chain().string()),
            std::string::npos)
      << intermediate->off_reason;
  EXPECT_NE(intermediate->off_reason.find("is not a self-signed root"), std::string::npos);
  auto leaf = Verifier::LoadRegistryAnchor({}, {}, ca_.cert());
  ASSERT_TRUE(leaf.ok());
  EXPECT_EQ(leaf->verifier, nullptr);
  EXPECT_EQ(leaf->off_reason.rfind("[signing] certificate " + ca_.cert().string(), 0), 0u)
      << leaf->off_reason;

  // A chain that ends at the root: its last certificate is the anchor.
  WriteAll(tmp_ / "full-chain.pem", ReadAll(ca_.chain()) + ReadAll(ca_.ca()));
  auto full = Verifier::LoadRegistryAnchor({}, tmp_ / "full-chain.pem", ca_.cert());
  ASSERT_TRUE(full.ok());
  ASSERT_NE(full->verifier, nullptr) << full->off_reason;
  EXPECT_TRUE(full->verifier->Verify(doc, WallClockNow()).ok());

  // Another root trusts nothing we signed.
  ASSERT_EQ(RunCommand("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
                       "-subj /CN=Other -days 2 -keyout " +
                       Quote((tmp_ / "other.key").string()) + " -out " +
                       Quote((tmp_ / "other.pem").string()) + " 2>/dev/null")
                .exit_code,
            0);
  auto other = Verifier::LoadRegistryAnchor(tmp_ / "other.pem", {}, ca_.cert());
  ASSERT_TRUE(other.ok()) << other.status().message();
  ASSERT_NE(other->verifier, nullptr) << other->off_reason;
  EXPECT_FALSE(other->verifier->Verify(doc, WallClockNow()).ok());
  auto missing = Verifier::LoadRegistryAnchor(tmp_ / "none.pem", {}, ca_.cert());
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("[signing] trust_anchor"), std::string::npos);
}

}  // namespace
}  // namespace medmij::signer
