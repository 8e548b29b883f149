// The participant's checks (signer/participant.h): successor rule, strict form, the state file.
#include "signer/participant.h"

#include <gtest/gtest.h>

#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <csignal>
#include <iterator>

#include <nlohmann/json.hpp>

#include "tests/unit/signer/test_support.h"

namespace medmij::signer {
namespace {

using namespace medmij::signer::testing;
using json = nlohmann::json;

MEDMIJ_SIGNER_TEST_ENVIRONMENT();

const std::string kDigestA(64, 'a');
const std::string kDigestB(64, 'b');

VerifiedList Version(uint64_t volgnummer, const std::string& digest,
                     ListKind list = ListKind::kWhitelist) {
  VerifiedList v;
  v.list = list;
  v.volgnummer = volgnummer;
  v.signed_content_sha256 = digest;
  v.tijdstempel = "2026-11-22T10:00:00Z";
  return v;
}

TEST(CheckSuccessorTest, FirstNewerSameRollbackSubstitution) {
  EXPECT_TRUE(*CheckSuccessor(std::nullopt, Version(5, kDigestA)));
  const AcceptedVersion last{5, kDigestA, ""};
  EXPECT_TRUE(*CheckSuccessor(last, Version(6, kDigestB)));
  EXPECT_FALSE(*CheckSuccessor(last, Version(5, kDigestA)));
  auto rollback = CheckSuccessor(last, Version(4, kDigestA));
  ASSERT_FALSE(rollback.ok());
  EXPECT_EQ(rollback.status().code(), Status::Code::kFailedPrecondition);
  EXPECT_EQ(rollback.status().message(),
            "rollback: Volgnummer 4 is lower than the last accepted 5");
  auto substitution = CheckSuccessor(last, Version(5, kDigestB));
  ASSERT_FALSE(substitution.ok());
  EXPECT_EQ(substitution.status().code(), Status::Code::kFailedPrecondition);
  EXPECT_NE(substitution.status().message().find("substitution: Volgnummer 5"), std::string::npos);
  // A version-1 state knows the Volgnummer but not the canonical digest: learnt once.
  const AcceptedVersion legacy{5, "", ""};
  EXPECT_TRUE(*CheckSuccessor(legacy, Version(5, kDigestB)));
  EXPECT_FALSE(CheckSuccessor(legacy, Version(4, kDigestB)).ok());
}

TEST(CheckSuccessorTest, ClassifyNamesTheKindCheckSuccessorActsOn) {
  const AcceptedVersion last{5, kDigestA, ""};
  EXPECT_EQ(ClassifySuccessor(std::nullopt, Version(1, kDigestA)), Succession::kNew);
  EXPECT_EQ(ClassifySuccessor(last, Version(6, kDigestA)), Succession::kNew);
  EXPECT_EQ(ClassifySuccessor(last, Version(5, kDigestA)), Succession::kSame);
  EXPECT_EQ(ClassifySuccessor(last, Version(4, kDigestA)), Succession::kRollback);
  EXPECT_EQ(ClassifySuccessor(last, Version(5, kDigestB)), Succession::kSubstitution);
  EXPECT_EQ(ClassifySuccessor(AcceptedVersion{5, "", ""}, Version(5, kDigestB)), Succession::kNew);
}

TEST(CheckStrictTest, ExactlyTheDocumentWithoutTheSignatureBytes) {
  const std::string doc = "<r><a/><ds:Signature>x</ds:Signature></r>\n";
  VerifiedList v;
  v.signature_begin = doc.find("<ds:");
  v.signature_end = doc.find("</r>");
  EXPECT_EQ(StrictForm(doc, v), "<r><a/></r>\n");
  EXPECT_TRUE(CheckStrict("<r><a/></r>\n", doc, v).ok());
  for (const std::string& bad :
       {std::string("<r><a/></r>"), std::string("<r><a/></r>\n\n"), std::string("<r><b/></r>\n"),
        std::string("<r><a/></R>\n"), doc, std::string()}) {
    Status s = CheckStrict(bad, doc, v);
    EXPECT_FALSE(s.ok()) << bad;
    EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
    EXPECT_NE(s.message().find("is not the verified list without its signature"),
              std::string::npos);
  }
  EXPECT_NE(CheckStrict("<r><b/></r>\n", doc, v).message().find("differ from byte 4"),
            std::string::npos);
}

class StateFileTest : public ::testing::Test {
 protected:
  fs::path Path(const std::string& name) const { return tmp_ / name; }
  std::string OpenError(const fs::path& p) {
    auto s = StateFile::Open(p);
    EXPECT_FALSE(s.ok()) << p;
    if (s.ok()) return "";
    EXPECT_EQ(s.status().code(), Status::Code::kInvalidArgument);
    return s.status().message();
  }
  TempDir tmp_;
};

TEST_F(StateFileTest, RecordsSavesAndReadsBack) {
  const fs::path p = Path("state.json");
  {
    auto s = StateFile::Open(p);
    ASSERT_TRUE(s.ok()) << s.status().message();
    EXPECT_FALSE((*s)->Last(ListKind::kWhitelist));
    EXPECT_FALSE(fs::exists(p));  // nothing written before a Save
    EXPECT_TRUE(*(*s)->Admit(Version(5, kDigestA)));
    EXPECT_TRUE(*(*s)->Admit(Version(2, kDigestB, ListKind::kOAuthClientList)));
    ASSERT_TRUE((*s)->Save().ok());
  }
  struct stat st {};
  ASSERT_EQ(stat(p.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  const json j = json::parse(ReadAll(p));
  EXPECT_EQ(j["version"], 2);
  EXPECT_EQ(j["lists"]["whitelist"]["volgnummer"], 5);
  EXPECT_EQ(j["lists"]["whitelist"]["signed_content_sha256"], kDigestA);
  EXPECT_EQ(j["lists"]["oauthclientlist"]["volgnummer"], 2);
  auto again = StateFile::Open(p);
  ASSERT_TRUE(again.ok()) << again.status().message();
  ASSERT_TRUE((*again)->Last(ListKind::kWhitelist));
  EXPECT_EQ((*again)->Last(ListKind::kWhitelist)->signed_content_sha256, kDigestA);
  EXPECT_FALSE((*again)->Admit(Version(4, kDigestA)).ok());
  EXPECT_FALSE((*again)->Admit(Version(5, kDigestB)).ok());
  EXPECT_FALSE(*(*again)->Admit(Version(5, kDigestA)));
  // No temporary files left behind.
  size_t files = 0;
  for (const auto& e : fs::directory_iterator(tmp_.path())) {
    (void)e;
    ++files;
  }
  EXPECT_EQ(files, 2u);  // state.json and state.json.lock
}

TEST_F(StateFileTest, ReadsVersionOneFiles) {
  const fs::path p = Path("old.json");
  WriteAll(p, R"({"version":1,"lists":{"whitelist":{"volgnummer":42,"content_sha256":")" +
                  kDigestA + R"(","tijdstempel":"t"}}})");
  auto s = StateFile::Open(p);
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_FALSE((*s)->Admit(Version(41, kDigestB)).ok());  // rollback protection kept
  EXPECT_TRUE(*(*s)->Admit(Version(42, kDigestB)));       // the canonical digest is learnt
  ASSERT_TRUE((*s)->Save().ok());
  EXPECT_EQ(json::parse(ReadAll(p))["lists"]["whitelist"]["signed_content_sha256"], kDigestB);
}

TEST_F(StateFileTest, DirectoryIsAClearError) {
  fs::create_directory(Path("dir"));
  EXPECT_EQ(OpenError(Path("dir")),
            "state file " + Path("dir").string() + " is not a regular file (it is a directory)");
  EXPECT_NE(OpenError(Path("missing/state.json")).find("state directory"), std::string::npos);
}

TEST_F(StateFileTest, SymbolicLinksAreNotFollowed) {
  const fs::path real = Path("real.json");
  WriteAll(real, "{}");
  fs::create_symlink(real, Path("link.json"));
  EXPECT_NE(OpenError(Path("link.json")).find("is a symbolic link"), std::string::npos);
  EXPECT_EQ(ReadAll(real), "{}");
  EXPECT_TRUE(fs::is_symlink(Path("link.json")));
  // A dangling link: its target is not created.
  fs::create_symlink(Path("nowhere.json"), Path("dangling.json"));
  EXPECT_NE(OpenError(Path("dangling.json")).find("is a symbolic link"), std::string::npos);
  EXPECT_FALSE(fs::exists(Path("nowhere.json")));
  // The lock file: a link to elsewhere is refused, and nothing is created through it.
  fs::create_symlink(Path("elsewhere"), Path("s.json.lock"));
  EXPECT_NE(OpenError(Path("s.json"))
                .find("state lock " + Path("s.json.lock").string() + " is a symbolic link"),
            std::string::npos);
  EXPECT_FALSE(fs::exists(Path("elsewhere")));
}

TEST_F(StateFileTest, MalformedContentIsNamedAndKept) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"{not json", "not JSON"},
      {"[]", "no \"version\""},
      {R"({"version":3,"lists":{}})", "version 3 is not known"},
      {R"({"version":2})", "no \"lists\" object"},
      {R"({"version":2,"lists":{"blacklist":{}}})", "lists.blacklist: not a list"},
      {R"({"version":2,"lists":{"whitelist":{"volgnummer":-1,"signed_content_sha256":")" +
           kDigestA + "\"}}}",
       "lists.whitelist: needs volgnummer"},
      {R"({"version":2,"lists":{"whitelist":{"volgnummer":1,"signed_content_sha256":"xy"}}})",
       "lists.whitelist: needs volgnummer and signed_content_sha256"},
  };
  for (const auto& [text, reason] : cases) {
    WriteAll(Path("bad.json"), text);
    EXPECT_NE(OpenError(Path("bad.json")).find(reason), std::string::npos) << text;
    EXPECT_EQ(ReadAll(Path("bad.json")), text);
  }
  WriteAll(Path("big.json"), std::string((1 << 20) + 1, ' '));
  EXPECT_NE(OpenError(Path("big.json")).find("a state is at most"), std::string::npos);
}

TEST_F(StateFileTest, SaveFailureIsAnIoErrorAndKeepsTheOldFile) {
  const fs::path p = Path("state.json");
  auto s = StateFile::Open(p);
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE(*(*s)->Admit(Version(1, kDigestA)));
  ASSERT_TRUE((*s)->Save().ok());
  const std::string before = ReadAll(p);
  ASSERT_TRUE(*(*s)->Admit(Version(2, kDigestB)));
  // Writes beyond 16 bytes fail (EFBIG): as root, permissions would not stop the write, and a
  // directory moved away is still the one the state file lives in.
  struct rlimit old_limit {};
  ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &old_limit), 0);
  const auto old_handler = signal(SIGXFSZ, SIG_IGN);
  struct rlimit small = old_limit;
  small.rlim_cur = 16;
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &small), 0);
  Status saved = (*s)->Save();
  setrlimit(RLIMIT_FSIZE, &old_limit);
  signal(SIGXFSZ, old_handler);
  EXPECT_EQ(saved.code(), Status::Code::kIoError) << saved.message();
  EXPECT_NE(saved.message().find("File too large"), std::string::npos) << saved.message();
  EXPECT_EQ(ReadAll(p), before);
  EXPECT_EQ(std::distance(fs::directory_iterator(tmp_.path()), fs::directory_iterator()), 2)
      << "a temp file was left";
}

}  // namespace
}  // namespace medmij::signer
