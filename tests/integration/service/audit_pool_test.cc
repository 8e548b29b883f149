// The server runs /audit requests on its audit workers, not on a reactor thread (issue 11 item
// 8): with one reactor thread and an audit handler that does not return until the test lets
// it, other requests are still answered, two auditors are served at once, pipelined answers
// keep their order, and beyond the workers and their queue the answer is 503 at once.
//
// The handler blocks on a latch the test opens, so nothing here depends on timing: without the
// workers the reactor thread would be stuck in the handler and the probes below would time out.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <condition_variable>
#include <mutex>

#include "registry/http/pistache_server.h"
#include "tests/integration/service/harness.h"

namespace medmij::testing {
namespace {

using http::AuditHandler;
using http::ContentSource;
using http::Reply;
using http::Request;
using http::Snapshot;

// Sends `raw` on a new connection and reads until the server closes it (at most `timeout`).
std::string SendAndReadToEnd(uint16_t port, const std::string& raw,
                             std::chrono::milliseconds timeout) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  std::string out;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::send(fd, raw.data(), raw.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(raw.size())) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    char buf[4096];
    for (;;) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      pollfd p{fd, POLLIN, 0};
      if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
      ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) break;
      out.append(buf, static_cast<size_t>(n));
    }
  }
  ::close(fd);
  return out;
}

// What /participants answers (the snapshot's JSON, with the newline the router ends it with).
constexpr const char* kParticipants = "[{\"id\":\"lab-dva\"}]\n";

class Source : public ContentSource {
 public:
  Source() {
    auto snap = std::make_shared<Snapshot>();
    snap->participants_json = R"([{"id":"lab-dva"}])";
    snap_ = snap;
  }
  std::shared_ptr<const Snapshot> Current() const override { return snap_; }
  Result<std::optional<http::ArchivedVersion>> Archived(ListKind, uint64_t,
                                                        ListForm) const override {
    return std::optional<http::ArchivedVersion>();
  }
  Status SignerUsable(Time) const override { return Status::Ok(); }

 private:
  std::shared_ptr<const Snapshot> snap_;
};

// Answers "/audit/N" with "audit N" once the test opens the gate.
class GatedAudit : public AuditHandler {
 public:
  Reply Serve(const Request&, std::string_view path, Time) const override {
    std::unique_lock<std::mutex> lock(mutex_);
    ++entered_;
    changed_.notify_all();
    changed_.wait(lock, [&] { return open_; });
    return http::TextReply(200, "audit " + std::string(path.substr(1)));
  }
  uint64_t AuthFailures() const override { return 0; }

  // Waits (bounded) until `n` requests are inside Serve at once or have been.
  bool WaitEntered(int n) const {
    std::unique_lock<std::mutex> lock(mutex_);
    return changed_.wait_for(lock, std::chrono::seconds(10), [&] { return entered_ >= n; });
  }
  void Open() const {
    std::lock_guard<std::mutex> lock(mutex_);
    open_ = true;
    changed_.notify_all();
  }

 private:
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  mutable int entered_ = 0;
  mutable bool open_ = false;
};

class AuditPoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    http::ServerOptions options;
    options.port = 0;
    options.threads = 1;  // one reactor thread: a blocked one would stall everything
    options.audit_threads = 2;
    options.audit_queue = 1;
    auto server = http::HttpServer::Start(options, std::make_shared<Source>(), {},
                                          std::make_shared<http::RequestMetrics>(), audit_);
    ASSERT_TRUE(server.ok()) << server.status().message();
    server_ = std::move(server).value();
  }
  void TearDown() override {
    audit_->Open();  // whatever is still waiting finishes, and the server can stop
    if (server_) server_->Stop(Millis(2000));
  }

  static std::string Get(const std::string& path) {
    return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  }
  static std::string Body(const std::string& response) {
    auto at = response.find("\r\n\r\n");
    return at == std::string::npos ? "" : response.substr(at + 4);
  }

  std::shared_ptr<GatedAudit> audit_ = std::make_shared<GatedAudit>();
  std::unique_ptr<http::HttpServer> server_;
};

TEST_F(AuditPoolTest, OtherRequestsAreAnsweredWhileTwoAuditRequestsRun) {
  KeptConnection first(server_->port()), second(server_->port());
  // Sent without waiting for the answers (KeptConnection::Exchange would wait).
  std::thread a([&] { EXPECT_EQ(Body(first.Exchange(Get("/audit/1"))), "audit 1\n"); });
  std::thread b([&] { EXPECT_EQ(Body(second.Exchange(Get("/audit/2"))), "audit 2\n"); });
  // Both are inside the handler at once: two auditors are served side by side.
  ASSERT_TRUE(audit_->WaitEntered(2));
  // Meanwhile the one reactor thread answers everyone else.
  KeptConnection probe(server_->port());
  const std::string answer = probe.Exchange(Get("/participants"));
  EXPECT_EQ(answer.rfind("HTTP/1.1 200 ", 0), 0u) << answer;
  EXPECT_EQ(Body(answer), kParticipants);
  audit_->Open();
  a.join();
  b.join();
}

TEST_F(AuditPoolTest, BeyondTheWorkersAndTheQueueTheAnswerIs503AtOnce) {
  KeptConnection c1(server_->port()), c2(server_->port()), c3(server_->port()), c4(server_->port());
  std::thread a([&] { EXPECT_EQ(Body(c1.Exchange(Get("/audit/1"))), "audit 1\n"); });
  std::thread b([&] { EXPECT_EQ(Body(c2.Exchange(Get("/audit/2"))), "audit 2\n"); });
  ASSERT_TRUE(audit_->WaitEntered(2));  // both workers busy
  // Two more: one waits in the queue (of one), the other is refused at once. Which is which
  // depends on the order the reactor reads them, so the test takes whichever answers first.
  std::mutex m;
  std::condition_variable answered;
  std::vector<std::string> answers;
  auto more = [&](KeptConnection& c, const std::string& path) {
    std::string r = c.Exchange(Get(path), false, std::chrono::seconds(20));
    std::lock_guard<std::mutex> lock(m);
    answers.push_back(r);
    answered.notify_all();
  };
  std::thread t3([&] { more(c3, "/audit/3"); });
  std::thread t4([&] { more(c4, "/audit/4"); });
  {
    std::unique_lock<std::mutex> lock(m);
    ASSERT_TRUE(
        answered.wait_for(lock, std::chrono::seconds(10), [&] { return !answers.empty(); }));
    const std::string& refused = answers.front();
    EXPECT_EQ(refused.rfind("HTTP/1.1 503 ", 0), 0u) << refused;
    EXPECT_NE(refused.find("Retry-After: 1\r\n"), std::string::npos) << refused;
    EXPECT_EQ(Body(refused), "too many audit requests in progress; retry shortly\n");
  }
  audit_->Open();
  a.join();
  b.join();
  t3.join();
  t4.join();
  ASSERT_EQ(answers.size(), 2u);
  EXPECT_TRUE(Body(answers[1]) == "audit 3\n" || Body(answers[1]) == "audit 4\n") << answers[1];
}

TEST_F(AuditPoolTest, PipelinedAnswersKeepTheirOrderBehindAnAuditRequest) {
  const std::string raw = Get("/audit/1") + Get("/participants") + Get("/audit/2") +
                          "GET /participants HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: "
                          "close\r\n\r\n";
  std::string all;
  std::thread client(
      [&] { all = SendAndReadToEnd(server_->port(), raw, std::chrono::seconds(10)); });
  ASSERT_TRUE(audit_->WaitEntered(1));
  audit_->Open();
  client.join();
  std::vector<std::string> bodies;
  for (size_t at = 0; at < all.size();) {
    const size_t n = CompleteResponse(all.substr(at));
    ASSERT_GT(n, 0u) << all;
    bodies.push_back(Body(all.substr(at, n)));
    at += n;
  }
  EXPECT_EQ(bodies,
            (std::vector<std::string>{"audit 1\n", kParticipants, "audit 2\n", kParticipants}));
}

}  // namespace
}  // namespace medmij::testing
