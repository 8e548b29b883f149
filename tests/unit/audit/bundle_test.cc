#include "audit/bundle.h"

#include <gtest/gtest.h>

#include <fstream>

#include "registry/common/checkpoint.h"
#include "tests/support/process.h"

namespace medmij::audit {
namespace {

std::string Event(uint64_t seq, const std::string& subject, const std::string& changes = "[]") {
  return R"({"changes":)" + changes + R"(,"meta":{"at":"2026-11-22T10:00:0)" +
         std::to_string(seq % 10) + R"(.000Z","command":"cmd)" + std::to_string(seq) +
         R"(","operator":"op","reason":"r","subject":")" + subject +
         R"("},"prev_hash":"00","seq":)" + std::to_string(seq) + "}";
}

// A log of five events in memory, signed; events 1, 3 and 4 touch "acme".
class BundleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    leaves_ = {
        Event(1, "participant:acme"), Event(2, "participant:other"),
        Event(3, "other", R"([{"after":{"participant":"acme"},"key":"n1","table":"nodes"}])"),
        Event(4, "x", R"([{"key":"acme","table":"participants"}])"), Event(5, "participant:other")};
    auto signer = note::Signer::FromSeed("log.example/medmij", std::string(32, '\x07'));
    ASSERT_TRUE(signer.ok());
    signer_ = std::make_unique<note::Signer>(*signer);
    checkpoint::Checkpoint cp{
        "log.example/medmij", leaves_.size(), *merkle::TreeHash(leaves_.size(), Subtree()), {}};
    note_ = *signer_->Sign(checkpoint::Format(cp));
  }

  merkle::SubtreeHash Subtree() const {
    return [this](int level, uint64_t index) -> Result<merkle::Hash> { return Hash(level, index); };
  }
  merkle::Hash Hash(int level, uint64_t index) const {
    if (level == 0) return merkle::LeafHash(leaves_[index]);
    return merkle::NodeHash(Hash(level - 1, 2 * index), Hash(level - 1, 2 * index + 1));
  }

  Bundle Make(const std::vector<uint64_t>& indexes) const {
    Bundle b{"acme",
             note_,
             2,
             {},
             {{"zorgaanbiederslijst", 3, "2026-11-22T10:00:00Z", "ab", "entered"}}};
    for (uint64_t i : indexes)
      b.events.push_back({i, leaves_[i], *merkle::InclusionProof(i, leaves_.size(), Subtree())});
    return b;
  }

  std::string Refusal(const Bundle& b) const {
    auto r = VerifyBundle(EncodeBundle(b), signer_->verifier());
    EXPECT_FALSE(r.ok());
    return r.status().message();
  }

  std::vector<std::string> leaves_;
  std::unique_ptr<note::Signer> signer_;
  std::string note_;
};

TEST_F(BundleTest, RoundTripsAndVerifies) {
  Bundle b = Make({0, 2, 3});
  std::string bytes = EncodeBundle(b);
  auto parsed = ParseBundle(bytes);
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(EncodeBundle(*parsed), bytes);
  auto t = VerifyBundle(bytes, signer_->verifier());
  ASSERT_TRUE(t.ok()) << t.status().message();
  ASSERT_EQ(t->events.size(), 3u);
  EXPECT_EQ(t->events[1].command, "cmd3");
  EXPECT_EQ(t->tree_size, 5u);
  EXPECT_EQ(t->left_out, 2u);
  std::string text = FormatTimeline(*t);
  EXPECT_NE(text.find("cmd4"), std::string::npos);
  EXPECT_NE(text.find("entered zorgaanbiederslijst volgnummer 3"), std::string::npos);
  EXPECT_NE(text.find("2 journal events after the checkpoint left out"), std::string::npos);
}

TEST_F(BundleTest, RefusesAnAlteredEventByte) {
  Bundle b = Make({0});
  b.events[0].stored[b.events[0].stored.size() - 2] = '9';
  EXPECT_EQ(Refusal(b),
            "events[0] (index 0): inclusion proof does not verify against the checkpoint");
}

TEST_F(BundleTest, RefusesTheWrongKey) {
  auto other = note::Signer::FromSeed("log.example/medmij", std::string(32, '\x08'));
  auto r = VerifyBundle(EncodeBundle(Make({0})), other->verifier());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message().rfind("checkpoint: ", 0), 0u) << r.status().message();
}

TEST_F(BundleTest, RefusesAProofForAnotherIndex) {
  Bundle b = Make({0, 2});
  b.events[1].proof = *merkle::InclusionProof(3, leaves_.size(), Subtree());
  EXPECT_EQ(Refusal(b),
            "events[1] (index 2): inclusion proof does not verify against the checkpoint");
}

TEST_F(BundleTest, RefusesAnEventNotTouchingTheParticipant) {
  EXPECT_EQ(Refusal(Make({0, 1})), "events[1] (index 1): does not touch participant acme");
}

TEST_F(BundleTest, RefusesIndexesThatDoNotIncrease) {
  EXPECT_EQ(Refusal(Make({2, 0})), "events[1] (index 0): index does not increase");
}

TEST_F(BundleTest, RefusesATruncatedFile) {
  std::string bytes = EncodeBundle(Make({0}));
  auto r = VerifyBundle(bytes.substr(0, bytes.size() / 2), signer_->verifier());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "bundle: not a JSON object (truncated or not a bundle)");
}

void Write(const std::filesystem::path& p, const std::string& bytes) {
  std::ofstream(p, std::ios::binary) << bytes;
}

// The real binary: the timeline on stdout when the bundle verifies, one line and exit 1 when not.
TEST_F(BundleTest, MedmijAuditVerifyBundlePrintsTheTimelineOrOneRefusalLine) {
  testing::TempDir dir;
  Write(dir / "acme.bundle", EncodeBundle(Make({0, 3})));
  Write(dir / "log.vkey", signer_->verifier().ToString() + "\n");
  const std::string bin = MEDMIJ_BINARY_DIR "/audit-cli/medmij-audit";
  auto ok = testing::RunProcess({bin, "verify-bundle", (dir / "acme.bundle").string(), "--vkey",
                                 (dir / "log.vkey").string()});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_NE(ok.out.find("cmd4"), std::string::npos) << ok.out;

  Write(dir / "bad.bundle", EncodeBundle(Make({0, 1})));
  auto bad = testing::RunProcess(
      {bin, "verify-bundle", (dir / "bad.bundle").string(), "--vkey", (dir / "log.vkey").string()});
  EXPECT_EQ(bad.exit_code, 1);
  // Appended piece by piece: g++ 12 -O2 false -Wrestrict on "x" + std::string (docs/PITFALLS.md).
  std::string expected = "'";
  expected += (dir / "bad.bundle").string();
  expected += "': refused: events[1] (index 1): does not touch participant acme\n";
  EXPECT_EQ(bad.err, expected);
}

}  // namespace
}  // namespace medmij::audit
