// GET /audit/participants/{id}/bundle on AuditEndpoints over a real store, without sockets:
// 404 without a log key, 503 with Retry-After before the first checkpoint, the bundle (which
// verifies) once there is one, 404 for an unknown participant.
#include <gtest/gtest.h>

#include "audit/bundle.h"
#include "registry/common/checkpoint.h"
#include "registry/common/sha256.h"
#include "registry/http/audit.h"
#include "tests/unit/store/test_util.h"

namespace medmij::http {
namespace {

constexpr const char* kToken = "an-auditor-token-0123456789";

class AuditBundleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = store::Store::Open(dir_.path() / "data");
    ASSERT_TRUE(opened.ok()) << opened.status().message();
    store_ = std::move(opened).value();
    auto txn = store_->BeginWrite();
    ASSERT_TRUE(txn.ok());
    (*txn)->Put(store::testing::MakeParticipant("acme"));
    ASSERT_TRUE((*txn)->Commit(store::testing::Meta("enrol", "participant:acme")).ok());
    auto tokens = AuditorTokens::Parse("alice:" + Sha256Hex(kToken) + "\n", "auditors");
    ASSERT_TRUE(tokens.ok()) << tokens.status().message();
    tokens_ = std::make_shared<const AuditorTokens>(*tokens);
  }

  Reply Get(const AuditEndpoints& audit, const std::string& id) const {
    Request r = Request::FromTarget(Method::kGet, "/audit/participants/" + id + "/bundle");
    r.headers.emplace_back("Authorization", std::string("Bearer ") + kToken);
    return audit.Serve(r, "/participants/" + id + "/bundle", Time{});
  }

  store::testing::TempDir dir_;
  std::unique_ptr<store::Store> store_;
  std::shared_ptr<const AuditorTokens> tokens_;
};

TEST_F(AuditBundleTest, NoLogKeyNoCheckpointYetThenTheBundle) {
  AuditEndpoints without_log(*store_, tokens_);
  Reply none = Get(without_log, "acme");
  EXPECT_EQ(none.status, 404);
  EXPECT_NE(none.body.find("no transparency log"), std::string::npos) << none.body;

  std::shared_ptr<const std::string> latest;
  AuditEndpoints audit(*store_, tokens_, AuditOptions{}, [&] { return latest; });
  Reply early = Get(audit, "acme");
  EXPECT_EQ(early.status, 503);
  EXPECT_NE(early.headers.find("Retry-After: 1\r\n"), std::string::npos) << early.headers;

  auto signer = note::Signer::FromSeed("log.example/medmij", std::string(32, '\x03'));
  ASSERT_TRUE(signer.ok());
  auto reader = store_->BeginRead();
  ASSERT_TRUE(reader.ok());
  checkpoint::Checkpoint cp{"log.example/medmij", 1, *(*reader)->TreeHash(1), {}};
  latest = std::make_shared<const std::string>(*signer->Sign(checkpoint::Format(cp)));
  Reply ok = Get(audit, "acme");
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(ok.content_type, "application/json");
  EXPECT_NE(ok.headers.find("Cache-Control: no-store\r\n"), std::string::npos);
  auto timeline = audit::VerifyBundle(ok.body, signer->verifier());
  ASSERT_TRUE(timeline.ok()) << timeline.status().message();
  EXPECT_EQ(timeline->events.size(), 1u);

  EXPECT_EQ(Get(audit, "nobody").status, 404);
}

}  // namespace
}  // namespace medmij::http
