// SchemaSet: the project's XSDs accept what the registry publishes (signed or not, empty or
// large) and the reference XSDs, unchanged, accept the unsigned form.
#include <gtest/gtest.h>

#include "signer/signer.h"
#include "tests/unit/signer/test_support.h"

namespace medmij::signer {
namespace {

using namespace medmij::signer::testing;

MEDMIJ_SIGNER_TEST_ENVIRONMENT();

class SchemaSetTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto s = SchemaSet::Load();
    ASSERT_TRUE(s.ok()) << s.status().message();
    schemas_ = std::move(s).value().release();
    ca_ = CachedDevCa(/*ec=*/false);
    auto signer = Signer::Load(ca_.key(), ca_.cert(), ca_.chain(), WallClockNow());
    ASSERT_TRUE(signer.ok()) << signer.status().message();
    signer_ = std::move(signer).value().release();
  }
  static void TearDownTestSuite() {
    delete schemas_;
    delete signer_;
  }

  // xmllint with the reference XSD (schemas/reference/), unchanged.
  int ReferenceXmllint(const std::string& doc, const std::string& xsd) {
    WriteAll(tmp_ / "doc.xml", doc);
    CommandResult r = RunCommand("xmllint --noout --nonet --schema " +
                                 Quote(std::string(MEDMIJ_SCHEMA_DIR) + "/" + xsd) + " " +
                                 Quote((tmp_ / "doc.xml").string()));
    last_output_ = r.output;
    return r.exit_code;
  }

  static SchemaSet* schemas_;
  static Signer* signer_;
  static DevCa ca_;
  TempDir tmp_;
  std::string last_output_;
};
SchemaSet* SchemaSetTest::schemas_ = nullptr;
Signer* SchemaSetTest::signer_ = nullptr;
DevCa SchemaSetTest::ca_;

struct Case {
  ListKind kind;
  std::string xml;
  const char* reference_xsd;  // relative to schemas/: Spec(kind).strict_xsd
};

std::vector<Case> Lists() {
  return {
      {ListKind::kWhitelist, Whitelist(0), "reference/MedMij_Whitelist.xsd"},
      {ListKind::kWhitelist, Whitelist(5000), "reference/MedMij_Whitelist.xsd"},
      {ListKind::kOAuthClientList, OAuthClientList(0), "reference/MedMij_OAuthclientlist.xsd"},
      {ListKind::kOAuthClientList, OAuthClientList(2000), "reference/MedMij_OAuthclientlist.xsd"},
      {ListKind::kZorgaanbiederslijst, Zorgaanbiederslijst(0),
       "reference/MedMij_Zorgaanbiederslijst.xsd"},
      {ListKind::kZorgaanbiederslijst, Zorgaanbiederslijst(3000),
       "reference/MedMij_Zorgaanbiederslijst.xsd"},
      {ListKind::kGegevensdienstnamenlijst, Gegevensdienstnamenlijst(0),
       "reference/MedMij_Gegevensdienstnamenlijst.xsd"},
      {ListKind::kGegevensdienstnamenlijst, Gegevensdienstnamenlijst(30),
       "reference/MedMij_Gegevensdienstnamenlijst.xsd"},
      {ListKind::kZorgaanbiederslijstRelease3, Zorgaanbiederslijst3(0),
       "strict/MedMij_Zorgaanbiederslijst_release3.xsd"},
      {ListKind::kZorgaanbiederslijstRelease3, Zorgaanbiederslijst3(1000),
       "strict/MedMij_Zorgaanbiederslijst_release3.xsd"},
      {ListKind::kZorgaanbiederskoppellijst, Zorgaanbiederskoppellijst(0),
       "strict/MedMij_Zorgaanbiederskoppellijst.xsd"},
      {ListKind::kZorgaanbiederskoppellijst, Zorgaanbiederskoppellijst(1000),
       "strict/MedMij_Zorgaanbiederskoppellijst.xsd"},
  };
}

TEST_F(SchemaSetTest, EmptyAndLargeListsValidateSignedAndUnsigned) {
  for (const Case& c : Lists()) {
    EXPECT_TRUE(schemas_->Validate(c.kind, c.xml).ok())
        << schemas_->Validate(c.kind, c.xml).message();
    auto signed_xml = signer_->Sign(c.xml);
    ASSERT_TRUE(signed_xml.ok()) << signed_xml.status().message();
    Status s = schemas_->Validate(c.kind, *signed_xml);
    EXPECT_TRUE(s.ok()) << s.message();
    // Stripped of its signature, it is what existing consumers validate with the reference XSD.
    EXPECT_EQ(ReferenceXmllint(StripSignature(*signed_xml), c.reference_xsd), 0) << last_output_;
    // The reference XSD does not know the signature: the signed form is ours only.
    EXPECT_NE(ReferenceXmllint(*signed_xml, c.reference_xsd), 0);
  }
}

TEST_F(SchemaSetTest, OnDiskSchemasWorkWithStockXmllint) {
  // schemas/ is usable without this code: xmllint resolves the xmldsig import next to it.
  const std::string doc = *signer_->Sign(Zorgaanbiederslijst(3));
  WriteAll(tmp_ / "zal.xml", doc);
  CommandResult r =
      RunCommand("xmllint --noout --nonet --schema " +
                 Quote(std::string(MEDMIJ_SCHEMA_DIR) + "/MedMij_Zorgaanbiederslijst.xsd") + " " +
                 Quote((tmp_ / "zal.xml").string()));
  EXPECT_EQ(r.exit_code, 0) << r.output;
}

TEST_F(SchemaSetTest, ErrorNamesLineAndRule) {
  Status s = schemas_->Validate(ListKind::kWhitelist,
                                ReplaceOnce(Whitelist(3), "node2.example.nl", "node2_example"));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(s.message().find("schema MedMij_Whitelist.xsd: line 13: "), std::string::npos)
      << s.message();
  EXPECT_NE(s.message().find("pattern"), std::string::npos) << s.message();
  EXPECT_EQ(s.message().find('\n'), std::string::npos);
}

TEST_F(SchemaSetTest, TijdstempelMustBeUtcInWholeSeconds) {
  // The reference accepts these; our stricter schema does not (DESIGN: UTC, whole seconds, as
  // the official examples write it; a consumer parsing Y-m-d\TH:i:sO rejects a fraction).
  for (const char* t : {"2026-11-22T10:00:00.000Z", "2026-11-22T10:00:00+01:00",
                        "2026-11-22T10:00:00.5Z", "2026-11-22T10:00Z"}) {
    Status s = schemas_->Validate(ListKind::kWhitelist, Whitelist(1, 7, t));
    EXPECT_FALSE(s.ok()) << t;
  }
  EXPECT_TRUE(
      schemas_->Validate(ListKind::kWhitelist, Whitelist(1, 7, "2026-11-22T10:00:59Z")).ok());
  // Still an xs:dateTime underneath.
  EXPECT_FALSE(
      schemas_->Validate(ListKind::kWhitelist, Whitelist(1, 7, "2026-13-22T10:00:00Z")).ok());
}

TEST_F(SchemaSetTest, ReleaseRulesStillHold) {
  EXPECT_FALSE(schemas_
                   ->Validate(ListKind::kWhitelist,
                              ReplaceOnce(Whitelist(2), "node1.example.nl", "node0.example.nl"))
                   .ok());  // Unieke_MedMijNode
  EXPECT_FALSE(schemas_->Validate(ListKind::kWhitelist, Whitelist(1, 0)).ok());  // Positiefnummer
  EXPECT_FALSE(schemas_
                   ->Validate(ListKind::kZorgaanbiederslijst,
                              ReplaceOnce(Zorgaanbiederslijst(1), "zorga@medmij", "zo@medmij"))
                   .ok());  // Zorgaanbiedernaam minLength 10
  EXPECT_FALSE(schemas_->Validate(ListKind::kOAuthClientList, Whitelist(1)).ok());
  // The ZAL release3 and the ZAKL: each list's own namespace, not the other ZAL's.
  EXPECT_TRUE(
      schemas_->Validate(ListKind::kZorgaanbiederslijstRelease3, Zorgaanbiederslijst3(2)).ok());
  EXPECT_FALSE(
      schemas_->Validate(ListKind::kZorgaanbiederslijstRelease3, Zorgaanbiederslijst(2)).ok());
  EXPECT_FALSE(schemas_->Validate(ListKind::kZorgaanbiederslijst, Zorgaanbiederslijst3(2)).ok());
  EXPECT_FALSE(schemas_
                   ->Validate(ListKind::kZorgaanbiederslijstRelease3,
                              ReplaceOnce(Zorgaanbiederslijst3(1), "<InterfaceversieId>1.4.0",
                                          "<InterfaceversieId>1.3.0"))
                   .ok());  // Unieke_Interfaceversie
  EXPECT_FALSE(schemas_
                   ->Validate(ListKind::kZorgaanbiederskoppellijst,
                              ReplaceOnce(Zorgaanbiederskoppellijst(1), "<AGB>90000000</AGB>",
                                          "<AGB>90000000</AGB><KVK>12345678</KVK>"))
                   .ok());  // exactly one identifier per IdentificerendKenmerk
  EXPECT_FALSE(schemas_
                   ->Validate(ListKind::kZorgaanbiederskoppellijst,
                              ReplaceOnce(Zorgaanbiederskoppellijst(1),
                                          "<IdentificerendeKenmerken>\n"
                                          "                <IdentificerendKenmerk>\n"
                                          "                    <AGB>90000000</AGB>\n"
                                          "                </IdentificerendKenmerk>\n",
                                          "<IdentificerendeKenmerken>\n"))
                   .ok());  // at least one identifier
}

TEST_F(SchemaSetTest, SignatureMustBeOurSubsetAndLast) {
  const std::string doc = *signer_->Sign(Whitelist(2));
  EXPECT_TRUE(schemas_->Validate(ListKind::kWhitelist, doc).ok());
  EXPECT_FALSE(schemas_
                   ->Validate(ListKind::kWhitelist,
                              ReplaceOnce(doc, "<ds:X509Data>", "<ds:KeyValue/><ds:X509Data>"))
                   .ok());
  EXPECT_FALSE(
      schemas_->Validate(ListKind::kWhitelist, ReplaceOnce(doc, "URI=\"\"", "URI=\"#x\"")).ok());
  EXPECT_FALSE(schemas_
                   ->Validate(ListKind::kWhitelist,
                              ReplaceOnce(doc, "xmldsig-more#rsa-sha256", "xmldsig#rsa-sha1"))
                   .ok());
  // Signature before the list content.
  const size_t b = doc.find("<ds:Signature");
  const size_t e = doc.find("</ds:Signature>") + 15;
  std::string moved = doc.substr(0, b) + doc.substr(e);
  moved = ReplaceOnce(moved, "<Volgnummer>", doc.substr(b, e - b) + "<Volgnummer>");
  EXPECT_FALSE(schemas_->Validate(ListKind::kWhitelist, moved).ok());
}

TEST_F(SchemaSetTest, HardenedParseAppliesToValidation) {
  Status s = schemas_->Validate(
      ListKind::kWhitelist,
      "<?xml version=\"1.0\"?>\n<!DOCTYPE Whitelist [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n"
      "<Whitelist "
      "xmlns=\"xmlns://afsprakenstelsel.medmij.nl/whitelist/release2/\">&x;</Whitelist>");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("DOCTYPE"), std::string::npos) << s.message();
  EXPECT_FALSE(schemas_->Validate(ListKind::kWhitelist, "").ok());
}

}  // namespace
}  // namespace medmij::signer
