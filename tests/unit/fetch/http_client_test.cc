#include "fetch/http_client.h"

#include <gtest/gtest.h>

#include "fetch/fetcher.h"
#include "tests/support/http_stub.h"

namespace medmij::fetch {
namespace {

class CurlEnvironment : public ::testing::Environment {
 public:
  void SetUp() override { global_ = std::move(CurlGlobal::Init()).value(); }
  void TearDown() override { global_.reset(); }

 private:
  std::unique_ptr<CurlGlobal> global_;
};
::testing::Environment* const kCurl = ::testing::AddGlobalTestEnvironment(new CurlEnvironment());

TEST(BaseUrlTest, HttpsAnywhereHttpOnLoopback) {
  EXPECT_EQ(*CheckBaseUrl("https://lists.medmij.example/", false), "https://lists.medmij.example");
  EXPECT_EQ(*CheckBaseUrl("https://r.example:8443/medmij//", false),
            "https://r.example:8443/medmij");
  EXPECT_EQ(*CheckBaseUrl("http://127.0.0.1:8080", false), "http://127.0.0.1:8080");
  EXPECT_EQ(*CheckBaseUrl("http://127.1.2.3", false), "http://127.1.2.3");
  EXPECT_EQ(*CheckBaseUrl("http://localhost:81", false), "http://localhost:81");
  EXPECT_EQ(*CheckBaseUrl("http://[::1]:81", false), "http://[::1]:81");
  EXPECT_EQ(*CheckBaseUrl("http://lists.example", true), "http://lists.example");
  for (const char* bad : {"http://lists.example", "http://10.0.0.1", "http://[::2]", "ftp://h",
                          "lists.example", "https://", "https://u:p@h", "https://h/?a=b",
                          "https://h/#x", "file:///etc/passwd", "gopher://h"}) {
    auto r = CheckBaseUrl(bad, false);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().message().rfind("--base-url: '", 0), 0u) << r.status().message();
  }
}

TEST(BaseUrlTest, LoopbackAddresses) {
  EXPECT_TRUE(IsLoopbackAddress("127.0.0.1"));
  EXPECT_TRUE(IsLoopbackAddress("127.255.0.9"));
  EXPECT_TRUE(IsLoopbackAddress("::1"));
  EXPECT_TRUE(IsLoopbackAddress("::ffff:127.0.0.1"));
  EXPECT_FALSE(IsLoopbackAddress("128.0.0.1"));
  EXPECT_FALSE(IsLoopbackAddress("::ffff:10.0.0.1"));
  EXPECT_FALSE(IsLoopbackAddress("localhost"));
  EXPECT_FALSE(IsLoopbackAddress(""));
  EXPECT_EQ(SignedUrl("https://r.example", ListKind::kWhitelist),
            "https://r.example/signed/MedMij_Whitelist.xml");
}

std::chrono::steady_clock::time_point Soon() {
  return std::chrono::steady_clock::now() + std::chrono::seconds(20);
}

TEST(HttpClientTest, ConditionalGetEtagAndStatus) {
  testing::StubServer stub([](const testing::StubRequest& req) {
    if (req.headers.count("if-none-match") && req.headers.at("if-none-match") == "\"v1\"") {
      return testing::StubReply{304, {{"ETag", "\"v1\""}}, ""};
    }
    return testing::StubReply{200, {{"ETag", "\"v1\""}}, "<list/>"};
  });
  auto client = std::move(HttpClient::Create({})).value();
  HttpAttempt a = client->Get(stub.Url() + "/x", "", Soon());
  ASSERT_TRUE(a.ok()) << a.failure().message;
  EXPECT_EQ(a.response().status, 200);
  EXPECT_EQ(a.response().etag, "\"v1\"");
  EXPECT_EQ(a.response().body, "<list/>");
  HttpAttempt b = client->Get(stub.Url() + "/x", "\"v1\"", Soon());
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b.response().status, 304);
  EXPECT_EQ(b.response().body, "");
  const auto requests = stub.Requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].headers.count("if-none-match"), 0u);
  EXPECT_EQ(requests[1].headers.at("if-none-match"), "\"v1\"");
  EXPECT_EQ(requests[0].headers.at("user-agent").rfind("medmij-fetch", 0), 0u);
}

TEST(HttpClientTest, RedirectsAreNotFollowedAndRetryAfterIsRead) {
  testing::StubServer stub([](const testing::StubRequest& req) {
    if (req.target == "/moved") return testing::StubReply{301, {{"Location", "/x"}}, ""};
    return testing::StubReply{503, {{"Retry-After", "7"}}, "busy"};
  });
  auto client = std::move(HttpClient::Create({})).value();
  HttpAttempt a = client->Get(stub.Url() + "/moved", "", Soon());
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a.response().status, 301);
  EXPECT_EQ(stub.Requests().size(), 1u);
  HttpAttempt b = client->Get(stub.Url() + "/x", "", Soon());
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b.response().status, 503);
  EXPECT_EQ(b.response().retry_after, 7);
  EXPECT_EQ(b.response().body, "");  // only a 200's body is kept
}

TEST(HttpClientTest, TooLargeAnnouncedOrNot) {
  testing::StubServer stub([](const testing::StubRequest&) {
    return testing::StubReply{200, {}, std::string(5000, 'x')};
  });
  HttpOptions o;
  o.max_size = 4999;
  auto client = std::move(HttpClient::Create(o)).value();
  HttpAttempt a = client->Get(stub.Url() + "/x", "", Soon());
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.failure().reason, Reason::kTooLarge);
  o.max_size = 5000;
  HttpAttempt b = std::move(HttpClient::Create(o)).value()->Get(stub.Url() + "/x", "", Soon());
  ASSERT_TRUE(b.ok()) << b.failure().message;
  EXPECT_EQ(b.response().body.size(), 5000u);
}

TEST(HttpClientTest, TruncatedReadTimeoutDeadlineRefused) {
  testing::StubServer stub([](const testing::StubRequest& req) {
    testing::StubReply r{200, {}, std::string(1000, 'x')};
    r.mode = req.target == "/cut" ? testing::StubReply::Mode::kTruncate
                                  : testing::StubReply::Mode::kStall;
    r.truncate_at = 10;
    return r;
  });
  HttpOptions o;
  o.read_timeout = Millis(1000);
  auto client = std::move(HttpClient::Create(o)).value();
  HttpAttempt cut = client->Get(stub.Url() + "/cut", "", Soon());
  ASSERT_FALSE(cut.ok());
  EXPECT_EQ(cut.failure().reason, Reason::kTruncated) << cut.failure().message;
  HttpAttempt slow = client->Get(stub.Url() + "/slow", "", Soon());
  ASSERT_FALSE(slow.ok());
  EXPECT_EQ(slow.failure().reason, Reason::kTimeout);
  EXPECT_EQ(slow.failure().message, "read timeout: no data for 1s");
  EXPECT_FALSE(slow.failure().deadline);
  // The run's deadline before the read timeout.
  o.read_timeout = Millis(60'000);
  auto patient = std::move(HttpClient::Create(o)).value();
  HttpAttempt late = patient->Get(stub.Url() + "/slow", "",
                                  std::chrono::steady_clock::now() + std::chrono::seconds(1));
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.failure().reason, Reason::kTimeout);
  EXPECT_TRUE(late.failure().deadline) << late.failure().message;
  testing::ClosedPort down;
  HttpAttempt refused = client->Get(down.Url() + "/x", "", Soon());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.failure().reason, Reason::kConnect);
}

}  // namespace
}  // namespace medmij::fetch
