// Interop: lists signed here verify with the stock xmlsec1 and validate with the stock xmllint
// (RSA and EC keys, through an intermediate CA); a list signed by the stock xmlsec1 verifies
// here; the medmij-verify binary's output, exit codes and rollback state.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "signer/signer.h"
#include "tests/unit/signer/test_support.h"

namespace medmij::signer {
namespace {

using namespace medmij::signer::testing;
using json = nlohmann::json;

MEDMIJ_SIGNER_TEST_ENVIRONMENT();

struct Split {
  int exit_code = -1;
  std::string out;
  std::string err;
};

class InteropTest : public ::testing::Test {
 protected:
  Split Verify(const std::string& args) {
    const fs::path out = tmp_ / "stdout", err = tmp_ / "stderr";
    CommandResult r = RunCommand("(" + Quote(MEDMIJ_VERIFY_BIN) + " " + args + " >" +
                                 Quote(out.string()) + " 2>" + Quote(err.string()) + ")");
    return Split{r.exit_code, ReadAll(out), ReadAll(err)};
  }
  std::string Write(const std::string& name, const std::string& bytes) {
    WriteAll(tmp_ / name, bytes);
    return (tmp_ / name).string();
  }
  TempDir tmp_;
};

struct KindCase {
  std::string xml;
  const char* file;
  const char* list;
};

std::vector<KindCase> AllKinds() {
  return {{Whitelist(4, 11), "MedMij_Whitelist", "whitelist"},
          {OAuthClientList(3, 12), "MedMij_OAuthclientlist", "oauthclientlist"},
          {Zorgaanbiederslijst(5, 13), "MedMij_Zorgaanbiederslijst", "zorgaanbiederslijst"},
          {Gegevensdienstnamenlijst(7, 14), "MedMij_Gegevensdienstnamenlijst",
           "gegevensdienstnamenlijst"}};
}

class KeyTypeTest : public InteropTest, public ::testing::WithParamInterface<bool> {};

TEST_P(KeyTypeTest, StockToolsAcceptEverySignedList) {
  const bool ec = GetParam();
  const DevCa ca = CachedDevCa(ec ? "ec" : "rsa", ec);
  auto signer = Signer::Load(ca.key(), ca.cert(), ca.chain(), WallClockNow());
  ASSERT_TRUE(signer.ok()) << signer.status().message();
  for (const KindCase& k : AllKinds()) {
    auto s = (*signer)->Sign(k.xml);
    ASSERT_TRUE(s.ok()) << s.status().message();
    const std::string path = Write(std::string(k.file) + ".xml", *s);
    CommandResult x = RunCommand("xmlsec1 --verify --enabled-key-data x509 --trusted-pem " +
                                 Quote(ca.ca().string()) + " " + Quote(path));
    EXPECT_EQ(x.exit_code, 0) << k.file << ": " << x.output;
    CommandResult own = RunCommand("xmllint --noout --nonet --schema " +
                                   Quote(std::string(MEDMIJ_SCHEMA_DIR) + "/" + k.file + ".xsd") +
                                   " " + Quote(path));
    EXPECT_EQ(own.exit_code, 0) << own.output;
    const std::string strict = Write(std::string(k.file) + "_strict.xml", StripSignature(*s));
    EXPECT_EQ(StripSignature(*s), k.xml);
    CommandResult ref = RunCommand(
        "xmllint --noout --nonet --schema " +
        Quote(std::string(MEDMIJ_REFERENCE_DIR) + "/" + k.file + ".xsd") + " " + Quote(strict));
    EXPECT_EQ(ref.exit_code, 0) << ref.output;

    Split v = Verify("--trust " + Quote(ca.ca().string()) + " --json " + Quote(path));
    ASSERT_EQ(v.exit_code, 0) << v.err;
    json j = json::parse(v.out);
    EXPECT_EQ(j["valid"], true);
    EXPECT_EQ(j["list"], k.list);
    EXPECT_EQ(j["file_name"], std::string(k.file) + ".xml");
    EXPECT_EQ(j["tijdstempel"], "2026-11-22T10:00:00Z");
    EXPECT_EQ(j["signer"], (*signer)->SubjectName());
    EXPECT_TRUE(v.err.empty()) << v.err;
  }
}

INSTANTIATE_TEST_SUITE_P(RsaAndEc, KeyTypeTest, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& p) {
                           return p.param ? "Ec" : "Rsa";
                         });

TEST_F(InteropTest, ListSignedByStockXmlsec1VerifiesHere) {
  const DevCa ca = CachedDevCa("rsa", false);
  const std::string tmpl = ReplaceOnce(
      Whitelist(3, 5), "</Whitelist>",
      "<ds:Signature xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\">\n<ds:SignedInfo>\n"
      "<ds:CanonicalizationMethod Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"/>\n"
      "<ds:SignatureMethod Algorithm=\"http://www.w3.org/2001/04/xmldsig-more#rsa-sha256\"/>\n"
      "<ds:Reference URI=\"\">\n<ds:Transforms>\n"
      "<ds:Transform Algorithm=\"http://www.w3.org/2000/09/xmldsig#enveloped-signature\"/>\n"
      "<ds:Transform Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"/>\n</ds:Transforms>\n"
      "<ds:DigestMethod Algorithm=\"http://www.w3.org/2001/04/xmlenc#sha256\"/>\n"
      "<ds:DigestValue/>\n</ds:Reference>\n</ds:SignedInfo>\n<ds:SignatureValue/>\n"
      "<ds:KeyInfo>\n<ds:X509Data/>\n</ds:KeyInfo>\n</ds:Signature></Whitelist>");
  const std::string t = Write("tmpl.xml", tmpl);
  const std::string out = (tmp_ / "stock.xml").string();
  CommandResult sign =
      RunCommand("xmlsec1 --sign --privkey-pem " +
                 Quote(ca.key().string() + "," + ca.cert().string() + "," + ca.chain().string()) +
                 " --output " + Quote(out) + " " + Quote(t));
  ASSERT_EQ(sign.exit_code, 0) << sign.output;
  Split v = Verify("--trust " + Quote(ca.ca().string()) + " " + Quote(out));
  EXPECT_EQ(v.exit_code, 0) << v.err;
  EXPECT_NE(v.out.find("volgnummer: 5"), std::string::npos) << v.out;
}

TEST_F(InteropTest, VerifyPrintsTheListAndExitsZero) {
  const DevCa ca = CachedDevCa("rsa", false);
  auto signer = Signer::Load(ca.key(), ca.cert(), ca.chain(), WallClockNow());
  ASSERT_TRUE(signer.ok());
  const std::string path = Write("w.xml", *(*signer)->Sign(Whitelist(2, 77)));
  Split v = Verify("--trust " + Quote(ca.ca().string()) + " " + Quote(path));
  ASSERT_EQ(v.exit_code, 0) << v.err;
  EXPECT_NE(v.out.find("list: whitelist\n"), std::string::npos) << v.out;
  EXPECT_NE(v.out.find("volgnummer: 77\n"), std::string::npos) << v.out;
  EXPECT_NE(v.out.find("tijdstempel: 2026-11-22T10:00:00Z\n"), std::string::npos);
  EXPECT_NE(v.out.find("signer: CN=MedMij Registry Development List Signer"), std::string::npos);
}

TEST_F(InteropTest, InvalidListExitsOneWithOneLine) {
  const DevCa ca = CachedDevCa("rsa", false);
  auto signer = Signer::Load(ca.key(), ca.cert(), ca.chain(), WallClockNow());
  ASSERT_TRUE(signer.ok());
  const std::string path = Write(
      "t.xml", ReplaceOnce(*(*signer)->Sign(Whitelist(2)), "node1.example.nl", "evil.example.nl"));
  Split v = Verify("--trust " + Quote(ca.ca().string()) + " " + Quote(path));
  EXPECT_EQ(v.exit_code, 1);
  EXPECT_NE(v.err.find("INVALID: signature: digest mismatch"), std::string::npos) << v.err;
  EXPECT_EQ(std::count(v.err.begin(), v.err.end(), '\n'), 1) << v.err;
  EXPECT_TRUE(v.out.empty()) << v.out;
  Split j = Verify("--json --trust " + Quote(ca.ca().string()) + " " + Quote(path));
  EXPECT_EQ(j.exit_code, 1);
  EXPECT_EQ(json::parse(j.out)["valid"], false);
  // Signed by a hierarchy the participant does not trust.
  Split other = Verify("--trust " + Quote(CachedDevCa("ec", true).ca().string()) + " " +
                       Quote(Write("w.xml", *(*signer)->Sign(Whitelist(1)))));
  EXPECT_EQ(other.exit_code, 1);
  EXPECT_NE(other.err.find("no trusted signing certificate"), std::string::npos) << other.err;
  Split empty = Verify("--trust " + Quote(ca.ca().string()) + " " + Quote(Write("e.xml", "")));
  EXPECT_EQ(empty.exit_code, 1);
  EXPECT_NE(empty.err.find("empty document"), std::string::npos) << empty.err;
}

TEST_F(InteropTest, BadUsageExitsTwo) {
  const DevCa ca = CachedDevCa("rsa", false);
  const std::string list = Write("l.xml", Whitelist(1));
  EXPECT_EQ(Verify("").exit_code, 2);
  EXPECT_EQ(Verify(Quote(list)).exit_code, 2);                           // no --trust
  EXPECT_EQ(Verify("--trust " + Quote(ca.ca().string())).exit_code, 2);  // no FILE
  EXPECT_EQ(Verify("--trust " + Quote(ca.ca().string()) + " --bogus " + Quote(list)).exit_code, 2);
  Split missing = Verify("--trust " + Quote(ca.ca().string()) + " /nonexistent/list.xml");
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("/nonexistent/list.xml"), std::string::npos) << missing.err;
  Split garbage_trust = Verify("--trust " + Quote(list) + " " + Quote(list));
  EXPECT_EQ(garbage_trust.exit_code, 2);
  EXPECT_NE(garbage_trust.err.find("contains no PEM certificate"), std::string::npos)
      << garbage_trust.err;
}

TEST_F(InteropTest, StateRefusesRollbackAndSubstitution) {
  const DevCa ca = CachedDevCa("rsa", false);
  auto signer = Signer::Load(ca.key(), ca.cert(), ca.chain(), WallClockNow());
  ASSERT_TRUE(signer.ok());
  const std::string state = (tmp_ / "state.json").string();
  auto run = [&](const std::string& xml) {
    return Verify("--trust " + Quote(ca.ca().string()) + " --state " + Quote(state) + " " +
                  Quote(Write("list.xml", *(*signer)->Sign(xml))));
  };
  Split first = run(Whitelist(2, 5));
  ASSERT_EQ(first.exit_code, 0) << first.err;
  struct stat st {};
  ASSERT_EQ(stat(state.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  json saved = json::parse(ReadAll(state));
  EXPECT_EQ(saved["lists"]["whitelist"]["volgnummer"], 5);

  Split again = run(Whitelist(2, 5));  // same content, fresh signature: idempotent re-check
  EXPECT_EQ(again.exit_code, 0) << again.err;

  Split rollback = run(Whitelist(2, 4));
  EXPECT_EQ(rollback.exit_code, 1);
  EXPECT_NE(rollback.err.find("rollback: Volgnummer 4 is lower than the last accepted 5"),
            std::string::npos)
      << rollback.err;

  Split substituted = run(Whitelist(3, 5));
  EXPECT_EQ(substituted.exit_code, 1);
  EXPECT_NE(substituted.err.find("substitution: Volgnummer 5"), std::string::npos)
      << substituted.err;
  EXPECT_EQ(json::parse(ReadAll(state))["lists"]["whitelist"]["volgnummer"], 5);

  Split newer = run(Whitelist(3, 6));
  EXPECT_EQ(newer.exit_code, 0) << newer.err;
  EXPECT_EQ(json::parse(ReadAll(state))["lists"]["whitelist"]["volgnummer"], 6);

  // Other lists are tracked independently.
  Split ocl = run(OAuthClientList(1, 1));
  EXPECT_EQ(ocl.exit_code, 0) << ocl.err;
  json both = json::parse(ReadAll(state));
  EXPECT_EQ(both["lists"]["oauthclientlist"]["volgnummer"], 1);
  EXPECT_EQ(both["lists"]["whitelist"]["volgnummer"], 6);

  WriteAll(state, "{not json");
  Split broken = run(Whitelist(3, 7));
  EXPECT_EQ(broken.exit_code, 2);
  EXPECT_NE(broken.err.find("state file"), std::string::npos) << broken.err;
  EXPECT_EQ(ReadAll(state), "{not json");  // changes nothing
}

}  // namespace
}  // namespace medmij::signer
