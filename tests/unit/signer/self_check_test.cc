// SelfCheck: the registry's own check of a signed list before it is archived.
#include <gtest/gtest.h>

#include <string>

#include "signer/signer.h"
#include "tests/unit/signer/test_support.h"

namespace medmij::signer {
namespace {

using namespace medmij::signer::testing;

MEDMIJ_SIGNER_TEST_ENVIRONMENT();

class SelfCheckTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    ca_ = CachedDevCa(/*ec=*/GetParam());
    auto s = Signer::Load(ca_.key(), ca_.cert(), ca_.chain(), WallClockNow());
    ASSERT_TRUE(s.ok()) << s.status().message();
    signer_ = std::move(s).value();
  }
  std::unique_ptr<SelfCheck> Load(const fs::path& anchor, const fs::path& chain = {}) {
    auto c = SelfCheck::Load(anchor, chain, ca_.cert());
    EXPECT_TRUE(c.ok()) << c.status().message();
    return c.ok() ? std::move(c).value() : nullptr;
  }
  // Check on a copy; the copy must come back byte for byte whatever the verdict.
  Status Check(const SelfCheck& check, const std::string& doc, Time now = WallClockNow()) {
    std::string copy = doc;
    Status st = check.Check(copy, ListKind::kWhitelist, now);
    EXPECT_EQ(copy, doc) << "the document was not restored";
    return st;
  }

  DevCa ca_;
  std::unique_ptr<Signer> signer_;
  TempDir tmp_;
};

TEST_P(SelfCheckTest, ASignedListPassesAgainstTheRootTheChainsEndOrTheCertificate) {
  const std::string doc = signer_->Sign(Whitelist(5, 9)).value();
  EXPECT_TRUE(Check(*Load(ca_.ca()), doc).ok());
  // The chain's last certificate (the intermediate) as the anchor: OpenSSL's partial chain.
  auto from_chain = Load({}, ca_.chain());
  EXPECT_NE(from_chain->anchor().find("the last certificate of [signing] chain"),
            std::string::npos);
  EXPECT_TRUE(Check(*from_chain, doc).ok());
  auto from_cert = Load({});
  EXPECT_EQ(from_cert->anchor().rfind("[signing] certificate ", 0), 0u) << from_cert->anchor();
  EXPECT_TRUE(Check(*from_cert, doc).ok());
  // Not in the plain form (a comment): the digest is taken from a DOM.
  std::string with_comment = Whitelist(2, 9);
  with_comment.insert(with_comment.find("<MedMijNodes>"), "<!-- note -->");
  EXPECT_TRUE(Check(*Load(ca_.ca()), signer_->Sign(with_comment).value()).ok());
}

TEST_P(SelfCheckTest, ChangedContentAChangedSignatureValueOrNoSignatureAreRefused) {
  auto check = Load(ca_.ca());
  const std::string doc = signer_->Sign(Whitelist(5, 9)).value();
  std::string content = doc;
  content.replace(content.find("node3.example.nl"), 16, "evil3.example.nl");
  Status st = Check(*check, content);
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(st.message().rfind("self-check: digest mismatch: DigestValue ", 0), 0u) << st.message();

  std::string value = doc;
  const size_t v = value.find("<ds:SignatureValue>") + std::string("<ds:SignatureValue>").size();
  const size_t at = value.find_first_not_of("\n", v);
  value[at] = value[at] == 'A' ? 'B' : 'A';
  st = Check(*check, value);
  EXPECT_EQ(st.message().rfind("self-check: the signature value does not match SignedInfo", 0), 0u)
      << st.message();

  std::string digest = doc;  // SignedInfo changed: its signature no longer covers it
  const size_t d = digest.find("<ds:DigestValue>") + std::string("<ds:DigestValue>").size();
  digest[d] = digest[d] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(Check(*check, digest).ok());

  st = Check(*check, Whitelist(5, 9));
  EXPECT_EQ(st.message(), "self-check: the list has no ds:Signature where it belongs");
}

TEST_P(SelfCheckTest, ACertificateThatDoesNotChainToTheAnchorAtNowIsRefused) {
  const std::string doc = signer_->Sign(Whitelist(1, 9)).value();
  ASSERT_EQ(RunCommand("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
                       "-subj /CN=Elsewhere -days 2 -keyout " +
                       Quote((tmp_ / "other.key").string()) + " -out " +
                       Quote((tmp_ / "other.pem").string()) + " 2>/dev/null")
                .exit_code,
            0);
  Status st = Check(*Load(tmp_ / "other.pem"), doc);
  EXPECT_NE(st.message().find("does not chain to [signing] trust_anchor " +
                              (tmp_ / "other.pem").string() + " (CN=Elsewhere)"),
            std::string::npos)
      << st.message();
  EXPECT_NE(st.message().find("unable to get local issuer certificate"), std::string::npos)
      << st.message();
  // The right anchor, but after the signing certificate expired.
  st = Check(*Load(ca_.ca()), doc, signer_->NotAfter() + std::chrono::hours(1));
  EXPECT_NE(st.message().find("certificate has expired"), std::string::npos) << st.message();
}

INSTANTIATE_TEST_SUITE_P(RsaAndEc, SelfCheckTest, ::testing::Values(false, true),
                         [](const auto& p) { return p.param ? "Ec" : "Rsa"; });

}  // namespace
}  // namespace medmij::signer
