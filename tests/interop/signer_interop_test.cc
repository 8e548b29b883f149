// Interop: lists signed here verify with the stock xmlsec1 and validate with the stock xmllint
// (RSA and EC keys, through an intermediate CA); a list signed by the stock xmlsec1 verifies
// here; the medmij-verify binary's output, exit codes and rollback state.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

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
  // What the strict form must validate against, relative to schemas/: the official XSD, or the
  // project's strict rendering of a release without a public one.
  const char* strict_xsd;
};

std::vector<KindCase> AllKinds() {
  return {{Whitelist(4, 11), "MedMij_Whitelist", "whitelist", "reference/MedMij_Whitelist.xsd"},
          {OAuthClientList(3, 12), "MedMij_OAuthclientlist", "oauthclientlist",
           "reference/MedMij_OAuthclientlist.xsd"},
          {Zorgaanbiederslijst(5, 13), "MedMij_Zorgaanbiederslijst", "zorgaanbiederslijst",
           "reference/MedMij_Zorgaanbiederslijst.xsd"},
          {Gegevensdienstnamenlijst(7, 14), "MedMij_Gegevensdienstnamenlijst",
           "gegevensdienstnamenlijst", "reference/MedMij_Gegevensdienstnamenlijst.xsd"},
          {Zorgaanbiederslijst3(5, 15), "MedMij_Zorgaanbiederslijst_release3",
           "zorgaanbiederslijst_release3", "strict/MedMij_Zorgaanbiederslijst_release3.xsd"},
          {Zorgaanbiederskoppellijst(5, 16), "MedMij_Zorgaanbiederskoppellijst",
           "zorgaanbiederskoppellijst", "strict/MedMij_Zorgaanbiederskoppellijst.xsd"}};
}

// No public XSD of the ZAL release3 or the ZAKL exists: the registry's strict schemas are written
// from the public examples. Both examples validate against them unchanged with the stock
// xmllint, and each rule the examples show is enforced (an altered example is refused).
TEST_F(InteropTest, PublicRelease3ExamplesValidateAgainstTheStrictSchemasUnchanged) {
  struct Case {
    const char* example;
    const char* xsd;
    std::vector<std::pair<std::string, std::string>> breakages;  // from, to: must be refused
  };
  const std::vector<Case> cases = {
      {"release3/MedMij_Zorgaanbiederslijst_release3_example.xml",
       "strict/MedMij_Zorgaanbiederslijst_release3.xsd",
       {{"<Aanbiedertype>ZA</Aanbiedertype>", "<Aanbiedertype>XX</Aanbiedertype>"},
        {"<MaximaleDuur>365</MaximaleDuur>", "<MaximaleDuur>P1Y</MaximaleDuur>"},
        {"<InterfaceversieId>1.4.0</InterfaceversieId>", ""},
        {"https://medmij.xisbridge.net/subscription", "http://medmij.xisbridge.net/subscription"},
        {"release3/\"\n", "release2/\"\n"}}},
      {"release3/MedMij_Zorgaanbiederskoppellijst_example.xml",
       "strict/MedMij_Zorgaanbiederskoppellijst.xsd",
       {{"<AGB>90012345</AGB>", "<AGB>9001234</AGB>"},
        {"<AGB>90012345</AGB>", "<AGB>90012345</AGB><URA>12345678</URA>"},
        {"<OIN>23885731954438865098</OIN>", "<OIN>2388573195443886509</OIN>"},
        {"<Weergavenaam>Basisgegevens zorg</Weergavenaam>", ""},
        {"Zorgaanbiederskoppellijst/release1/\"\n", "zorgaanbiederskoppellijst/release1/\"\n"}}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.example);
    const std::string xsd = std::string(MEDMIJ_SCHEMA_DIR) + "/" + c.xsd;
    const std::string example = std::string(MEDMIJ_REFERENCE_DIR) + "/" + c.example;
    CommandResult ok =
        RunCommand("xmllint --noout --nonet --schema " + Quote(xsd) + " " + Quote(example));
    EXPECT_EQ(ok.exit_code, 0) << ok.output;
    const std::string text = ReadAll(example);
    for (const auto& [from, to] : c.breakages) {
      const std::string broken = Write("broken.xml", ReplaceOnce(text, from, to));
      CommandResult bad =
          RunCommand("xmllint --noout --nonet --schema " + Quote(xsd) + " " + Quote(broken));
      EXPECT_NE(bad.exit_code, 0) << from << " -> " << to;
    }
  }
}

class KeyTypeTest : public InteropTest, public ::testing::WithParamInterface<bool> {};

TEST_P(KeyTypeTest, StockToolsAcceptEverySignedList) {
  const bool ec = GetParam();
  const DevCa ca = CachedDevCa(ec);
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
    CommandResult ref = RunCommand("xmllint --noout --nonet --schema " +
                                   Quote(std::string(MEDMIJ_SCHEMA_DIR) + "/" + k.strict_xsd) +
                                   " " + Quote(strict));
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
  const DevCa ca = CachedDevCa(/*ec=*/false);
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
  const DevCa ca = CachedDevCa(/*ec=*/false);
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
  const DevCa ca = CachedDevCa(/*ec=*/false);
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
  Split other = Verify("--trust " + Quote(CachedDevCa(/*ec=*/true).ca().string()) + " " +
                       Quote(Write("w.xml", *(*signer)->Sign(Whitelist(1)))));
  EXPECT_EQ(other.exit_code, 1);
  EXPECT_NE(other.err.find("no trusted signing certificate"), std::string::npos) << other.err;
  Split empty = Verify("--trust " + Quote(ca.ca().string()) + " " + Quote(Write("e.xml", "")));
  EXPECT_EQ(empty.exit_code, 1);
  EXPECT_NE(empty.err.find("empty document"), std::string::npos) << empty.err;
}

TEST_F(InteropTest, BadUsageExitsTwo) {
  const DevCa ca = CachedDevCa(/*ec=*/false);
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
  const DevCa ca = CachedDevCa(/*ec=*/false);
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

// Issue 8 item 2 and 7: a state path that is a directory (this aborted with std::ios_failure),
// a symbolic link, or not writable is one clear error line and exit 2; nothing is followed.
TEST_F(InteropTest, StatePathThatIsADirectoryALinkOrUnwritable) {
  const DevCa ca = CachedDevCa(/*ec=*/false);
  auto signer = Signer::Load(ca.key(), ca.cert(), ca.chain(), WallClockNow());
  ASSERT_TRUE(signer.ok());
  const std::string list = Write("w.xml", *(*signer)->Sign(Whitelist(2, 5)));
  auto run = [&](const fs::path& state) {
    return Verify("--trust " + Quote(ca.ca().string()) + " --state " + Quote(state.string()) + " " +
                  Quote(list));
  };
  fs::create_directory(tmp_ / "dir");
  Split dir = run(tmp_ / "dir");
  EXPECT_EQ(dir.exit_code, 2) << dir.err;
  EXPECT_EQ(dir.err, "medmij-verify: state file " + (tmp_ / "dir").string() +
                         " is not a regular file (it is a directory)\n");

  WriteAll(tmp_ / "real.json", "keep");
  fs::create_symlink(tmp_ / "real.json", tmp_ / "link.json");
  Split link = run(tmp_ / "link.json");
  EXPECT_EQ(link.exit_code, 2);
  EXPECT_NE(link.err.find("is a symbolic link"), std::string::npos) << link.err;
  EXPECT_TRUE(fs::is_symlink(tmp_ / "link.json"));
  EXPECT_EQ(ReadAll(tmp_ / "real.json"), "keep");

  fs::create_symlink(tmp_ / "planted", tmp_ / "s.json.lock");
  Split lock = run(tmp_ / "s.json");
  EXPECT_EQ(lock.exit_code, 2);
  EXPECT_NE(lock.err.find("s.json.lock is a symbolic link"), std::string::npos) << lock.err;
  EXPECT_FALSE(fs::exists(tmp_ / "planted"));
  EXPECT_FALSE(fs::exists(tmp_ / "s.json"));

  // Unwritable, for a user without the right to write (root ignores permission bits: run the
  // check as nobody then).
  const fs::path ro = tmp_ / "ro";
  fs::create_directory(ro);
  WriteAll(ro / "state.json", R"({"version":2,"lists":{}})");
  fs::permissions(tmp_.path(), fs::perms::all);  // nobody must reach the files
  fs::permissions(list, fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
  fs::permissions(ro, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                          fs::perms::others_read | fs::perms::others_exec);
  // The shared fixture directory holds a private key and is not readable by nobody: give
  // nobody its own copy of the trust anchor.
  const fs::path anchor = tmp_ / "anchor.pem";
  fs::copy_file(ca.ca(), anchor);
  fs::permissions(anchor, fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
  const std::string as =
      geteuid() == 0 ? "setpriv --reuid=65534 --regid=65534 --clear-groups " : "";
  auto run_as = [&](const fs::path& state) {
    CommandResult r =
        RunCommand(as + Quote(MEDMIJ_VERIFY_BIN) + " --trust " + Quote(anchor.string()) +
                   " --state " + Quote(state.string()) + " " + Quote(list));
    return r;
  };
  CommandResult dir_ro = run_as(ro / "new.json");
  EXPECT_EQ(dir_ro.exit_code, 2) << dir_ro.output;
  EXPECT_NE(dir_ro.output.find("state directory " + ro.string() + " is not writable"),
            std::string::npos)
      << dir_ro.output;
  fs::permissions(ro, fs::perms::all);
  fs::permissions(ro / "state.json", fs::perms::owner_read | fs::perms::others_read);
  CommandResult file_ro = run_as(ro / "state.json");
  EXPECT_EQ(file_ro.exit_code, 2) << file_ro.output;
  EXPECT_NE(file_ro.output.find("state file " + (ro / "state.json").string() + " is not writable"),
            std::string::npos)
      << file_ro.output;
  EXPECT_EQ(ReadAll(ro / "state.json"), R"({"version":2,"lists":{}})");
}

// Issue 8 item 3: --list names the list expected; a valid list of another kind is refused, and
// the state does not learn it.
TEST_F(InteropTest, ListOptionRefusesAnotherKind) {
  const DevCa ca = CachedDevCa(/*ec=*/false);
  auto signer = Signer::Load(ca.key(), ca.cert(), ca.chain(), WallClockNow());
  ASSERT_TRUE(signer.ok());
  // A genuine OAuth client list saved under the Whitelist's name.
  const std::string path = Write("MedMij_Whitelist.xml", *(*signer)->Sign(OAuthClientList(2, 8)));
  const std::string state = (tmp_ / "state.json").string();
  const std::string trust = "--trust " + Quote(ca.ca().string());
  Split wrong = Verify(trust + " --list whitelist --state " + Quote(state) + " " + Quote(path));
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_EQ(wrong.err, "medmij-verify: " + path +
                           ": INVALID: the document is the oauthclientlist (root element "
                           "OAuthclientlist), not the expected whitelist\n");
  EXPECT_FALSE(fs::exists(state));
  Split right = Verify(trust + " --list oauthclientlist " + Quote(path));
  EXPECT_EQ(right.exit_code, 0) << right.err;
  Split bogus = Verify(trust + " --list blacklist " + Quote(path));
  EXPECT_EQ(bogus.exit_code, 2);
  EXPECT_NE(bogus.err.find("--list: unknown list 'blacklist'; one of whitelist, oauthclientlist, "
                           "zorgaanbiederslijst, gegevensdienstnamenlijst"),
            std::string::npos)
      << bogus.err;
  // What an error line quotes is escaped: it stays one line.
  Split forged =
      Verify(trust + " --list " + Quote("black\nmedmij-verify: VALID") + " " + Quote(path));
  EXPECT_EQ(forged.exit_code, 2);
  EXPECT_EQ(
      forged.err.rfind("medmij-verify: --list: unknown list 'black\\nmedmij-verify: VALID'", 0), 0u)
      << forged.err;
  EXPECT_EQ(forged.err.find('\n'), forged.err.size() - 1) << forged.err;
}

// Issue 8 item 5: --state compares the signed content's canonical digest. Byte variants of the
// accepted list pass (and change nothing); other content under its Volgnummer is refused.
TEST_F(InteropTest, StateAcceptsByteVariantsAndRefusesOtherContent) {
  const DevCa ca = CachedDevCa(/*ec=*/false);
  auto signer = Signer::Load(ca.key(), ca.cert(), ca.chain(), WallClockNow());
  ASSERT_TRUE(signer.ok());
  const std::string doc = *(*signer)->Sign(Whitelist(3, 20));
  const std::string state = (tmp_ / "state.json").string();
  auto run = [&](const std::string& bytes) {
    return Verify("--json --trust " + Quote(ca.ca().string()) + " --state " + Quote(state) + " " +
                  Quote(Write("list.xml", bytes)));
  };
  std::string crlf;
  for (char c : doc) {
    if (c == '\n') crlf += '\r';
    crlf += c;
  }
  // A variant delivered first does not block the genuine list either.
  Split first = run(crlf);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(json::parse(first.out)["state_updated"], true);
  const std::string saved = ReadAll(state);
  for (const std::string& variant :
       {doc, doc + "\n", "\xef\xbb\xbf" + doc,
        ReplaceOnce(doc, "<MedMijNodes>", "<MedMijNodes><!-- cached copy -->")}) {
    Split v = run(variant);
    EXPECT_EQ(v.exit_code, 0) << v.err;
    EXPECT_EQ(json::parse(v.out)["state_updated"], false);
    EXPECT_EQ(json::parse(v.out)["signed_content_sha256"],
              json::parse(saved)["lists"]["whitelist"]["signed_content_sha256"]);
  }
  EXPECT_EQ(ReadAll(state), saved);
  Split other = run(*(*signer)->Sign(Whitelist(2, 20)));
  EXPECT_EQ(other.exit_code, 1);
  EXPECT_NE(other.err.find("REFUSED: substitution: Volgnummer 20"), std::string::npos) << other.err;
  EXPECT_EQ(ReadAll(state), saved);
}

// Issue 7 item 4: --strict confirms that a strict file is exactly the verified list without its
// signature.
TEST_F(InteropTest, StrictFileIsTheVerifiedListWithoutItsSignature) {
  const DevCa ca = CachedDevCa(/*ec=*/false);
  auto signer = Signer::Load(ca.key(), ca.cert(), ca.chain(), WallClockNow());
  ASSERT_TRUE(signer.ok());
  const std::string unsigned_xml = Zorgaanbiederslijst(3, 31);
  const std::string doc = *(*signer)->Sign(unsigned_xml);
  const std::string signed_path = Write("signed.xml", doc);
  auto run = [&](const std::string& strict) {
    return Verify("--trust " + Quote(ca.ca().string()) + " --strict " +
                  Quote(Write("strict.xml", strict)) + " " + Quote(signed_path));
  };
  Split good = run(StripSignature(doc));
  EXPECT_EQ(good.exit_code, 0) << good.err;
  EXPECT_NE(good.out.find("strict: " + (tmp_ / "strict.xml").string() + " confirmed\n"),
            std::string::npos)
      << good.out;
  EXPECT_EQ(StripSignature(doc), unsigned_xml);
  Split tampered = run(ReplaceOnce(unsigned_xml, "zorga@medmij", "zorgb@medmij"));
  EXPECT_EQ(tampered.exit_code, 1);
  EXPECT_NE(tampered.err.find("INVALID: the strict file is not the verified list without its "
                              "signature: they differ from byte "),
            std::string::npos)
      << tampered.err;
  EXPECT_EQ(run(doc).exit_code, 1);  // the signed form is not the strict form
  EXPECT_EQ(run(unsigned_xml + "\n").exit_code, 1);
  EXPECT_EQ(run(Zorgaanbiederslijst(3, 32)).exit_code, 1);
  Split j = Verify("--json --trust " + Quote(ca.ca().string()) + " --strict " +
                   Quote(Write("strict.xml", unsigned_xml)) + " " + Quote(signed_path));
  ASSERT_EQ(j.exit_code, 0) << j.err;
  EXPECT_EQ(json::parse(j.out)["strict_confirmed"], true);
}

}  // namespace
}  // namespace medmij::signer
