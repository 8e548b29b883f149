// The publish loop on a clock the test moves: it wakes by itself at the instant standing
// changes (a certificate lapsing) and publishes at exactly that instant, and when its signing
// certificate has expired it keeps serving the last good lists and says why. Real store,
// signer, schemas and publisher; no waiting in real time.
#include "registry/service/publish_loop.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>

#include <nlohmann/json.hpp>

#include "registry/http/router.h"
#include "registry/ops/ops.h"
#include "tests/support/dev_pki.h"
#include "tests/support/fake_clock.h"
#include "tests/support/process.h"

namespace medmij::service {
namespace {

namespace fs = std::filesystem;
using testing::FakeClock;

constexpr const char* kNode = "medmij.lapsing.example";

class PublishLoopTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { libraries_ = signer::Libraries::Init().value().release(); }

  void SetUp() override {
    const testing::DevPki pki = testing::SharedDevPki(/*ec=*/true);
    // Whole seconds: Tijdstempels are, so "published at exactly U" compares equal.
    t0_ = std::chrono::floor<std::chrono::seconds>(WallClockNow());
    auto signer = signer::Signer::Load(pki.key, pki.cert, pki.chain, t0_);
    ASSERT_TRUE(signer.ok()) << signer.status().message();
    signer_ = std::move(signer).value();
    auto schemas = signer::SchemaSet::Load();
    ASSERT_TRUE(schemas.ok()) << schemas.status().message();
    schemas_ = std::move(schemas).value();
    auto store = store::Store::Open(dir_ / "data");
    ASSERT_TRUE(store.ok()) << store.status().message();
    store_ = std::move(store).value();
    publisher_ =
        std::make_unique<publisher::Publisher>(*store_, *signer_, *schemas_, publisher::Options{});
  }

  void TearDown() override {
    if (service_) service_->Stop();
  }

  // One DVP in good standing at t0_ whose only certificate is valid until `until`, with a node.
  void Seed(Time until) {
    ops::Actor a{"alice", t0_};
    auto w = std::move(store_->BeginWrite()).value();
    ASSERT_TRUE(ops::Enrol(*w, a, {"lapsing-pgo", "Lapsing PGO", "12345678", "", {"dvp"}}).ok());
    ASSERT_TRUE(
        ops::AddCertificate(
            *w, a, {"lapsing-pgo", "NEN-1", "Certifier BV", true, true, t0_ - Days(30), until, ""})
            .ok());
    ASSERT_TRUE(
        ops::AddAuditStatement(*w, a, {"lapsing-pgo", t0_ - Days(10), "Audit BV", "conform", true})
            .ok());
    ASSERT_TRUE(ops::GrantLabel(*w, a, "lapsing-pgo", "").ok());
    ASSERT_TRUE(ops::Activate(*w, a, "lapsing-pgo", "").ok());
    ASSERT_TRUE(ops::AddNode(*w, a, "lapsing-pgo", kNode).ok());
    ASSERT_TRUE(
        w->Commit(store::EventMeta{t0_, "alice", "seed", "participant:lapsing-pgo", ""}).ok());
  }

  // Starts the loop on a clock that stands at `start` until the test advances it.
  FakeClock& StartAt(Time start) {
    clock_ = std::make_unique<FakeClock>(start);
    PublishLoopOptions o;
    o.clock = clock_.get();
    o.on_publication = [this](const http::Snapshot& s) {
      std::lock_guard<std::mutex> g(mu_);
      published_at_.push_back(*s.last_attempt);
      cv_.notify_all();
    };
    service_ = std::make_unique<RegistryService>(*store_, *publisher_, *signer_, o);
    EXPECT_TRUE(service_->LoadFromArchive().ok());
    service_->Start();
    return *clock_;
  }

  // Blocks until the loop has published at `at` (bounded: a test must not hang).
  bool PublishedAt(Time at) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(60), [&] {
      return std::find(published_at_.begin(), published_at_.end(), at) != published_at_.end();
    });
  }

  std::string ServedWhitelist() const {
    const http::ServedList* l = service_->Current()->list(ListKind::kWhitelist);
    return l ? l->unsigned_body->bytes() : "";
  }

  static signer::Libraries* libraries_;
  testing::TempDir dir_;
  Time t0_{};
  std::unique_ptr<signer::Signer> signer_;
  std::unique_ptr<signer::SchemaSet> schemas_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<publisher::Publisher> publisher_;
  // Declared before the service: the loop reads it until TearDown stops the loop.
  std::unique_ptr<FakeClock> clock_;
  std::unique_ptr<RegistryService> service_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Time> published_at_;
};
signer::Libraries* PublishLoopTest::libraries_ = nullptr;

TEST_F(PublishLoopTest, ALapsingCertificateLeavesTheListsAtThatInstantWithoutACommit) {
  const Time until = t0_ + Days(7);  // the certificate's exclusive end
  Seed(until);
  FakeClock& clock = StartAt(t0_);
  ASSERT_TRUE(PublishedAt(t0_));
  EXPECT_NE(ServedWhitelist().find(kNode), std::string::npos);
  const uint64_t journal = std::move(store_->BeginRead()).value()->JournalLength().value();

  // Nobody commits anything: the loop's own next wake-up is the lapse, so moving the clock to
  // it is what makes it publish, at exactly that instant.
  clock.Advance(until);
  ASSERT_TRUE(PublishedAt(until)) << "the loop did not publish at the lapse itself";
  EXPECT_EQ(ServedWhitelist().find(kNode), std::string::npos);
  auto read = std::move(store_->BeginRead()).value();
  auto current = read->CurrentListVersion(ListKind::kWhitelist).value();
  ASSERT_TRUE(current);
  EXPECT_EQ(current->volgnummer, 2u);
  EXPECT_EQ(current->tijdstempel, until);
  // Nobody acted: the only events since are the publication's.
  EXPECT_TRUE(read->ForEachEvent(journal + 1,
                                 [](const store::JournalEvent& e) {
                                   EXPECT_EQ(e.meta.command, "publish") << e.meta.subject;
                                   return true;
                                 })
                  .ok());
}

TEST_F(PublishLoopTest, AnExpiredSigningCertificateKeepsTheLastGoodListsServed) {
  Seed(signer_->NotAfter() + Days(800));
  ASSERT_LT(t0_ + Days(356), signer_->NotAfter());
  FakeClock& clock = StartAt(t0_);
  ASSERT_TRUE(PublishedAt(t0_));
  auto before = service_->Current();
  ASSERT_TRUE(before->last_ok);
  const std::string good = before->list(ListKind::kWhitelist)->signed_body->bytes();

  // By the time the signing certificate has expired the participant's audit statement (dated
  // t0 - 10 days) has lapsed too: the Whitelist changes, and the new version cannot be signed.
  const Time expired = signer_->NotAfter() + std::chrono::seconds(1);
  clock.Advance(expired);
  ASSERT_TRUE(PublishedAt(expired));
  auto after = service_->Current();
  EXPECT_FALSE(after->last_ok);
  EXPECT_EQ(after->last_success, t0_);
  const http::ListStatus& wl = after->list_status[static_cast<size_t>(ListKind::kWhitelist)];
  EXPECT_FALSE(wl.ok);
  EXPECT_GE(wl.failures, 1u);
  EXPECT_EQ(after->list(ListKind::kWhitelist)->signed_body->bytes(), good);
  EXPECT_EQ(after->list(ListKind::kWhitelist)->volgnummer, 1u);
  EXPECT_FALSE(service_->SignerUsable(expired).ok());
  EXPECT_TRUE(service_->SignerUsable(t0_).ok());
}

// A restart with another signing certificate: the first publication re-signs every list (same
// entries, Volgnummer + 1), the snapshot serves the new certificate, and /healthz (through the
// router, on the loop's clock) is 503 only while a served certificate is within
// renew_before_days of its notAfter.
TEST_F(PublishLoopTest, ARestartWithANewSigningCertificateReSignsAndServesIt) {
  Seed(t0_ + Days(800));
  StartAt(t0_);
  ASSERT_TRUE(PublishedAt(t0_));
  auto served = [&](ListKind k) { return service_->Current()->list(k); };
  ASSERT_NE(served(ListKind::kWhitelist), nullptr);
  EXPECT_EQ(served(ListKind::kWhitelist)->certificate_not_after, signer_->NotAfter());
  EXPECT_EQ(served(ListKind::kWhitelist)->certificate_subject, signer_->SubjectName());
  std::map<ListKind, std::string> before;
  for (ListKind k : kAllLists) before[k] = served(k)->unsigned_body->bytes();
  service_->Stop();
  service_.reset();

  // The successor: a new key and a certificate for 40 days, so the window is reached in 10.
  const testing::DevPki next = testing::NewSigningCertificate(dir_ / "pki-next", true, 40);
  const Time t1 = std::chrono::ceil<std::chrono::seconds>(WallClockNow()) + std::chrono::seconds(1);
  auto rolled = signer::Signer::Load(next.key, next.cert, next.chain, t1);
  ASSERT_TRUE(rolled.ok()) << rolled.status().message();
  signer_ = std::move(rolled).value();
  publisher_ =
      std::make_unique<publisher::Publisher>(*store_, *signer_, *schemas_, publisher::Options{});
  FakeClock& clock = StartAt(t1);
  ASSERT_TRUE(PublishedAt(t1));
  for (ListKind k : kAllLists) {
    SCOPED_TRACE(std::string(ToString(k)));
    ASSERT_NE(served(k), nullptr);
    EXPECT_EQ(served(k)->volgnummer, 2u);
    EXPECT_EQ(served(k)->certificate_not_after, signer_->NotAfter());
    EXPECT_EQ(served(k)->certificate_subject, signer_->SubjectName());
    auto carried = signer::SigningCertificatesOf(served(k)->signed_body->bytes());
    ASSERT_TRUE(carried.ok());
    EXPECT_EQ(carried->sha256, signer_->CertificatesSha256());
    // Only the version's own lines differ from the previous version's strict form.
    const std::string& now_bytes = served(k)->unsigned_body->bytes();
    EXPECT_NE(now_bytes.find("<Volgnummer>2</Volgnummer>"), std::string::npos);
    EXPECT_EQ(now_bytes.size(), before[k].size());
  }

  http::RouterOptions options;  // renew_before: 30 days
  http::RequestMetrics metrics;
  auto health = [&](Time at) {
    return http::Route(*service_, options, metrics,
                       http::Request::FromTarget(http::Method::kGet, "/healthz"), at);
  };
  EXPECT_EQ(health(clock.Now()).status, 200) << health(clock.Now()).body;
  const Time window = signer_->NotAfter() - Days(30);
  EXPECT_EQ(health(window - std::chrono::seconds(1)).status, 200);
  http::Reply due = health(window);
  EXPECT_EQ(due.status, 503);
  const auto j = nlohmann::json::parse(due.body);
  EXPECT_EQ(j["served_certificate"]["status"], "renewal due");
  EXPECT_EQ(j["signing"], "ok");
  const std::string m =
      http::Route(*service_, options, metrics,
                  http::Request::FromTarget(http::Method::kGet, "/metrics"), window)
          .body;
  EXPECT_NE(m.find("medmij_list_certificate_renewal_due{list=\"whitelist\"} 1\n"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("medmij_signing_certificate_seconds_to_expiry 2592000.000\n"), std::string::npos)
      << m;
}

}  // namespace
}  // namespace medmij::service
