// The hardening corpus: every document here is built from a good signed list and must be
// refused with a specific reason; the good list itself must pass.
#include <gtest/gtest.h>

#include <string>

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
    ca_ = CachedDevCa("rsa", false);
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
                            Time now = WallClockNow()) {
    auto v = verifier_->Verify(doc, now);
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
  EXPECT_NE(v->sha256, v->content_digest);
  // The content digest is that of the unsigned form: equal for two signatures of one list.
  auto again = verifier_->Verify(Signed(x), WallClockNow());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->content_digest, v->content_digest);
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
  ASSERT_EQ(RunCommand("openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj " +
                       Quote(kSignerSubject) + " -keyout " + Quote((tmp_ / "fake.key").string()) +
                       " -out " + Quote((tmp_ / "fake.pem").string()))
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
  ExpectRefused(ReplaceOnce(doc, "<MedMijNodes>", "<MedMijNodes>" + deeper), "not well-formed XML");
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
  auto other = Verifier::Load(CachedDevCa("ec", true).ca());
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

}  // namespace
}  // namespace medmij::signer
