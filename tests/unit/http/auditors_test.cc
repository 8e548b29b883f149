#include "registry/http/auditors.h"

#include <sys/stat.h>

#include <fstream>

#include <gtest/gtest.h>

#include "registry/common/sha256.h"

namespace medmij::http {
namespace {

const std::string kAlice = Sha256Hex("alice-token");
const std::string kBob = Sha256Hex("bob-token");

TEST(AuditorTokens, AuthenticatesBearerTokensByDigest) {
  auto t = AuditorTokens::Parse("# staff\n\n  alice:" + kAlice + "  \r\nbob:" + kBob + "\n", "f");
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ(t->size(), 2u);
  EXPECT_EQ(t->Authenticate("Bearer alice-token"), "alice");
  EXPECT_EQ(t->Authenticate("bearer bob-token"), "bob");
  EXPECT_EQ(t->Authenticate("BEARER   bob-token "), "bob");
  EXPECT_EQ(t->Authenticate("Bearer bob-token2"), std::nullopt);
  EXPECT_EQ(t->Authenticate("Bearer " + kAlice), std::nullopt);  // the digest is not the token
  EXPECT_EQ(t->Authenticate("Basic alice-token"), std::nullopt);
  EXPECT_EQ(t->Authenticate("Bearer"), std::nullopt);
  EXPECT_EQ(t->Authenticate("Bearer "), std::nullopt);
  EXPECT_EQ(t->Authenticate(""), std::nullopt);
  EXPECT_EQ(t->Authenticate("alice-token"), std::nullopt);
}

TEST(AuditorTokens, UppercaseHexAccepted) {
  std::string upper = kAlice;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  auto t = AuditorTokens::Parse("alice:" + upper + "\n", "f");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->Authenticate("Bearer alice-token"), "alice");
}

void ExpectRefused(const std::string& text, const std::string& fragment) {
  auto t = AuditorTokens::Parse(text, "auditors");
  ASSERT_FALSE(t.ok()) << text;
  EXPECT_NE(t.status().message().find(fragment), std::string::npos) << t.status().message();
  EXPECT_EQ(t.status().message().find('\n'), std::string::npos);
}

TEST(AuditorTokens, MalformedLinesNamedByNumber) {
  ExpectRefused("alice " + kAlice, "auditors: line 1: expected NAME:SHA256HEX");
  ExpectRefused("# c\nalice:" + kAlice.substr(1) + "\n", "line 2: expected the 64 hex digits");
  ExpectRefused("alice:" + kAlice.substr(1) + "g", "line 1: the SHA-256 must be hex digits");
  ExpectRefused(":" + kAlice, "line 1: name must be");
  ExpectRefused("al ice:" + kAlice, "line 1: name must be");
  ExpectRefused("alice:" + kAlice + "\nalice:" + kBob, "line 2: duplicate auditor name 'alice'");
  ExpectRefused("", "no auditor entries");
  ExpectRefused("# only comments\n\n", "no auditor entries");
}

class TokensFile : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/medmij-auditors-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    file_ = dir_ / "auditors";
    std::ofstream(file_) << "alice:" << kAlice << "\n";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_, file_;
};

TEST_F(TokensFile, LoadRefusesFilesOthersCanReadOrChange) {
  chmod(file_.c_str(), 0600);
  EXPECT_TRUE(AuditorTokens::Load(file_).ok());
  chmod(file_.c_str(), 0640);
  EXPECT_TRUE(AuditorTokens::Load(file_).ok());
  for (mode_t mode : {0644, 0604, 0602, 0660, 0601}) {
    chmod(file_.c_str(), mode);
    auto t = AuditorTokens::Load(file_);
    ASSERT_FALSE(t.ok()) << std::oct << mode;
    EXPECT_NE(t.status().message().find("mode 0"), std::string::npos) << t.status().message();
  }
  auto missing = AuditorTokens::Load(dir_ / "nope");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("cannot open"), std::string::npos);
  auto directory = AuditorTokens::Load(dir_);
  ASSERT_FALSE(directory.ok());
}

}  // namespace
}  // namespace medmij::http
