// The background verifier: the participants' full verifier on each new version, and an alarm
// when it disagrees with what the service archived.
#include "registry/service/background_verifier.h"

#include <gtest/gtest.h>

#include "registry/common/sha256.h"
#include "tests/support/fake_clock.h"
#include "tests/unit/signer/test_support.h"

namespace medmij::service {
namespace {

using signer::testing::CachedDevCa;
using signer::testing::DevCa;
using signer::testing::Whitelist;

MEDMIJ_SIGNER_TEST_ENVIRONMENT();

class BackgroundVerifierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ca_ = CachedDevCa(/*ec=*/false);
    // A fresh build tree makes the hierarchy just now: verify after its notBefore.
    clock_.Advance(WallClockNow());
    auto s = signer::Signer::Load(ca_.key(), ca_.cert(), ca_.chain(), clock_.Now());
    ASSERT_TRUE(s.ok()) << s.status().message();
    signed_ = s.value()->Sign(Whitelist(3, 42, "2026-11-22T10:00:07Z")).value();
  }
  signer::RegistryAnchor Anchor() {
    return signer::Verifier::LoadRegistryAnchor(ca_.ca(), ca_.chain(), ca_.cert()).value();
  }
  static std::shared_ptr<const http::ServedBody> Body(const std::string& bytes) {
    return std::make_shared<const http::ServedBody>(bytes);
  }

  DevCa ca_;
  medmij::testing::FakeClock clock_{WallClockNow()};
  std::string signed_;
};

TEST_F(BackgroundVerifierTest, AVersionThePublisherArchivedVerifiesAsParticipantsVerifyIt) {
  BackgroundVerifier verifier(Anchor(), clock_);
  verifier.Submit(ListKind::kWhitelist, 42, Sha256Hex(signed_), Body(signed_));
  verifier.WaitIdle();
  http::VerificationReport r = verifier.Report();
  EXPECT_TRUE(r.on);
  EXPECT_NE(r.anchor.find("[signing] trust_anchor"), std::string::npos) << r.anchor;
  const auto& wl = r.lists[static_cast<size_t>(ListKind::kWhitelist)];
  EXPECT_EQ(wl.volgnummer, 42u);
  EXPECT_TRUE(wl.ok) << wl.reason;
  EXPECT_EQ(r.checked_total, 1u);
  EXPECT_EQ(r.disagreements_total, 0u);
}

TEST_F(BackgroundVerifierTest,
       ItDisagreesWithChangedBytesOtherBytesThanArchivedAndAnotherVolgnummer) {
  BackgroundVerifier verifier(Anchor(), clock_);
  std::string changed = signed_;
  changed.replace(changed.find("node1.example.nl"), 16, "evil1.example.nl");
  verifier.Submit(ListKind::kWhitelist, 42, Sha256Hex(changed), Body(changed));
  verifier.WaitIdle();
  auto wl = verifier.Report().lists[static_cast<size_t>(ListKind::kWhitelist)];
  EXPECT_FALSE(wl.ok);
  EXPECT_NE(wl.reason.find("digest mismatch"), std::string::npos) << wl.reason;

  verifier.Submit(ListKind::kWhitelist, 42, std::string(64, '0'), Body(signed_));
  verifier.WaitIdle();
  wl = verifier.Report().lists[static_cast<size_t>(ListKind::kWhitelist)];
  EXPECT_FALSE(wl.ok);
  EXPECT_EQ(wl.reason, "the verified bytes have sha256 " + Sha256Hex(signed_) +
                           ", the archive recorded " + std::string(64, '0'));

  verifier.Submit(ListKind::kWhitelist, 43, Sha256Hex(signed_), Body(signed_));
  verifier.WaitIdle();
  wl = verifier.Report().lists[static_cast<size_t>(ListKind::kWhitelist)];
  EXPECT_EQ(wl.reason, "the verified list says Volgnummer 42, the archive 43");

  // The next good version clears the list's alarm; the counter keeps that there was one.
  verifier.Submit(ListKind::kWhitelist, 42, Sha256Hex(signed_), Body(signed_));
  verifier.WaitIdle();
  http::VerificationReport r = verifier.Report();
  EXPECT_TRUE(r.lists[static_cast<size_t>(ListKind::kWhitelist)].ok);
  EXPECT_EQ(r.checked_total, 4u);
  EXPECT_EQ(r.disagreements_total, 3u);
}

TEST_F(BackgroundVerifierTest, AVersionWhoseSigningCertificateHasExpiredIsRefused) {
  // Verified at the verifier's clock, as participants verify at theirs: 30 years on.
  BackgroundVerifier verifier(Anchor(), clock_);
  clock_.Advance(clock_.Now() + std::chrono::hours(24 * 365 * 30));
  verifier.Submit(ListKind::kWhitelist, 42, Sha256Hex(signed_), Body(signed_));
  verifier.WaitIdle();
  auto wl = verifier.Report().lists[static_cast<size_t>(ListKind::kWhitelist)];
  EXPECT_FALSE(wl.ok);
  EXPECT_NE(wl.reason.find("no trusted signing certificate"), std::string::npos) << wl.reason;
}

TEST_F(BackgroundVerifierTest, WithoutARootAnchorItIsOffAndSaysWhy) {
  auto anchor = signer::Verifier::LoadRegistryAnchor({}, ca_.chain(), ca_.cert()).value();
  BackgroundVerifier verifier(std::move(anchor), clock_);
  verifier.Submit(ListKind::kWhitelist, 42, Sha256Hex(signed_), Body(signed_));
  verifier.WaitIdle();
  http::VerificationReport r = verifier.Report();
  EXPECT_FALSE(r.on);
  EXPECT_NE(r.off_reason.find("is not a self-signed root"), std::string::npos) << r.off_reason;
  EXPECT_EQ(r.checked_total, 0u);
}

}  // namespace
}  // namespace medmij::service
