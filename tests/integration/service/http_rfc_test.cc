// medmij-registry's own port by RFC 9110/9112, over raw sockets on loopback: connection
// persistence (Connection: close, HTTP/1.0), pipelining, the requests that must be refused with
// 400, no library text in any answer, all three date formats in If-Modified-Since, the gzip
// representation, and a connection beyond the descriptor limit.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/integration/service/harness.h"
#include "tests/support/gzip.h"

namespace medmij::testing {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

int Connect(uint16_t port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

struct Exchange {
  std::string bytes;    // everything read
  bool closed = false;  // the server closed the connection (EOF) within the bound
};

// Sends `raw` on `fd`, then reads until the server closes or `bound` passes.
Exchange SendAndReadToClose(int fd, const std::string& raw, milliseconds bound) {
  Exchange ex;
  if (send(fd, raw.data(), raw.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(raw.size())) {
    return ex;
  }
  const auto deadline = Clock::now() + bound;
  char buf[65536];
  while (Clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    int left =
        static_cast<int>(std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count());
    if (poll(&p, 1, std::max(left, 1)) <= 0) break;
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n == 0) {
      ex.closed = true;
      break;
    }
    if (n < 0) break;
    ex.bytes.append(buf, static_cast<size_t>(n));
  }
  return ex;
}

// The responses in `bytes`, split by their Content-Length (none for 304 and HEAD).
std::vector<std::string> SplitResponses(std::string bytes, bool head = false) {
  std::vector<std::string> out;
  while (size_t n = CompleteResponse(bytes, head)) {
    out.push_back(bytes.substr(0, n));
    bytes.erase(0, n);
  }
  if (!bytes.empty()) out.push_back(bytes);  // an incomplete rest, so tests see it
  return out;
}

std::string StatusLine(const std::string& response) {
  return response.substr(0, response.find("\r\n"));
}

// The value of header `name` (exact case, as the service writes it) in a response.
std::string HeaderOf(const std::string& response, const std::string& name) {
  size_t at = response.find("\r\n" + name + ": ");
  if (at == std::string::npos) return {};
  at += name.size() + 4;
  return response.substr(at, response.find("\r\n", at) - at);
}

// Bounds of a test exchange: far below the service's 60 s keep-alive timeout, so a test that
// sees the close within it shows the close came from the request, not from the timeout.
constexpr milliseconds kBound{5000};

class HttpRfcTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    fs::path data = dir_->path() / "data";
    InitDemoRegistry(data);
    ServiceOptions o;
    o.data_dir = data;
    o.pki = MakeDevPki(dir_->path() / "pki");
    service_ = new Service(dir_->path(), o);
    ASSERT_TRUE(service_->Start()) << service_->Stderr();
    ASSERT_TRUE(WaitFor([] {
      return HttpGet(service_->Url("/MedMij_Zorgaanbiederslijst.xml")).status == 200 &&
             HttpGet(service_->Url("/MedMij_Whitelist.xml")).status == 200;
    })) << service_->Stderr();
  }
  static void TearDownTestSuite() {
    EXPECT_EQ(service_->Stop(), 0) << service_->Stderr();
    delete service_;
    delete dir_;
  }

  uint16_t port() const { return service_->port(); }

  // One exchange on a fresh connection.
  Exchange OnNewConnection(const std::string& raw, milliseconds bound = kBound) {
    int fd = Connect(port());
    EXPECT_GE(fd, 0);
    Exchange ex = SendAndReadToClose(fd, raw, bound);
    close(fd);
    return ex;
  }

  static TempDir* dir_;
  static Service* service_;
};
TempDir* HttpRfcTest::dir_ = nullptr;
Service* HttpRfcTest::service_ = nullptr;

TEST_F(HttpRfcTest, ConnectionCloseClosesAfterTheResponse) {
  auto t0 = Clock::now();
  Exchange ex =
      OnNewConnection("GET /MedMij_Whitelist.xml HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_TRUE(ex.closed) << "the connection stayed open";
  EXPECT_LT(Clock::now() - t0, kBound);
  auto responses = SplitResponses(ex.bytes);
  ASSERT_EQ(responses.size(), 1u) << ex.bytes.substr(0, 200);
  EXPECT_EQ(StatusLine(responses[0]), "HTTP/1.1 200 OK");
  EXPECT_EQ(HeaderOf(responses[0], "Connection"), "close");
}

TEST_F(HttpRfcTest, Http10ClosesUnlessKeepAliveIsAsked) {
  Exchange ex = OnNewConnection("GET /MedMij_Whitelist.xml HTTP/1.0\r\n\r\n");
  EXPECT_TRUE(ex.closed) << "an HTTP/1.0 connection stayed open";
  auto responses = SplitResponses(ex.bytes);
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_EQ(StatusLine(responses[0]), "HTTP/1.1 200 OK");
  EXPECT_EQ(HeaderOf(responses[0], "Connection"), "close");

  // With "Connection: keep-alive" it persists (RFC 9112 9.3): a second request is answered.
  int fd = Connect(port());
  ASSERT_GE(fd, 0);
  Exchange first = SendAndReadToClose(fd, "GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
                                      milliseconds(500));
  EXPECT_FALSE(first.closed);
  ASSERT_EQ(SplitResponses(first.bytes).size(), 1u) << first.bytes;
  EXPECT_EQ(HeaderOf(first.bytes, "Connection"), "keep-alive");
  Exchange second = SendAndReadToClose(fd, "GET /healthz HTTP/1.0\r\n\r\n", kBound);
  close(fd);
  EXPECT_TRUE(second.closed);
  ASSERT_EQ(SplitResponses(second.bytes).size(), 1u) << second.bytes;
  EXPECT_EQ(StatusLine(second.bytes), "HTTP/1.1 200 OK");
}

TEST_F(HttpRfcTest, PipelinedRequestsAreAnsweredInOrder) {
  // Five requests in one segment, the last asking to close: five answers, in order, then EOF.
  HttpResponse zal = HttpGet(service_->Url("/MedMij_Zorgaanbiederslijst.xml"));
  ASSERT_EQ(zal.status, 200);
  std::string raw =
      "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /MedMij_Zorgaanbiederslijst.xml HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /MedMij_Zorgaanbiederslijst.xml HTTP/1.1\r\nHost: x\r\nIf-None-Match: " +
      zal.header("etag") +
      "\r\n\r\n"
      "GET /participants HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
      "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";  // after the close: never answered
  Exchange ex = OnNewConnection(raw);
  EXPECT_TRUE(ex.closed);
  auto responses = SplitResponses(ex.bytes);
  ASSERT_EQ(responses.size(), 5u) << ex.bytes.substr(0, 300);
  EXPECT_EQ(StatusLine(responses[0]), "HTTP/1.1 200 OK");
  EXPECT_EQ(HeaderOf(responses[0], "Content-Type"), "application/json");
  EXPECT_NE(responses[0].find("\"status\""), std::string::npos) << responses[0];
  EXPECT_EQ(StatusLine(responses[1]), "HTTP/1.1 200 OK");
  EXPECT_EQ(responses[1].substr(responses[1].size() - zal.body.size()), zal.body);
  EXPECT_EQ(StatusLine(responses[2]), "HTTP/1.1 404 Not Found");
  EXPECT_EQ(StatusLine(responses[3]), "HTTP/1.1 304 Not Modified");
  EXPECT_EQ(StatusLine(responses[4]), "HTTP/1.1 200 OK");
  EXPECT_EQ(HeaderOf(responses[4], "Content-Type"), "application/json");
  EXPECT_EQ(HeaderOf(responses[4], "Connection"), "close");

  // Sent byte by byte, the same requests get the same answers.
  int fd = Connect(port());
  ASSERT_GE(fd, 0);
  const std::string two =
      "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /nope HTTP/1.1\r\nHost: x\r\n"
      "Connection: close\r\n\r\n";
  for (char c : two) ASSERT_EQ(send(fd, &c, 1, MSG_NOSIGNAL), 1);
  Exchange slow = SendAndReadToClose(fd, "", kBound);
  close(fd);
  EXPECT_TRUE(slow.closed);
  auto slow_responses = SplitResponses(slow.bytes);
  ASSERT_EQ(slow_responses.size(), 2u) << slow.bytes;
  EXPECT_EQ(StatusLine(slow_responses[1]), "HTTP/1.1 404 Not Found");
}

TEST_F(HttpRfcTest, AmbiguousRequestsAre400AndCloseTheConnection) {
  struct Case {
    const char* what;
    std::string raw;
    const char* body;
  };
  const std::vector<Case> cases = {
      {"HTTP/1.1 without Host", "GET /healthz HTTP/1.1\r\n\r\n", "missing Host header field\n"},
      {"two Hosts", "GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
       "repeated header field Host\n"},
      {"conflicting Content-Length",
       "GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
       "conflicting Content-Length values\n"},
      {"two Authorization",
       "GET /audit/journal HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer a\r\n"
       "Authorization: Bearer b\r\n\r\n",
       "repeated header field Authorization\n"},
      {"Content-Length not a number",
       "GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 12abc\r\n\r\n",
       "Content-Length must be a decimal number of bytes\n"},
      {"negative Content-Length", "GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
       "Content-Length must be a decimal number of bytes\n"},
      {"chunked and Content-Length",
       "POST /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n"
       "\r\n",
       "both Transfer-Encoding and Content-Length\n"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    // The refused request is followed by a valid one: it must not be answered.
    Exchange ex = OnNewConnection(c.raw + "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_TRUE(ex.closed);
    auto responses = SplitResponses(ex.bytes);
    ASSERT_EQ(responses.size(), 1u) << ex.bytes;
    EXPECT_EQ(StatusLine(responses[0]), "HTTP/1.1 400 Bad Request");
    EXPECT_EQ(HeaderOf(responses[0], "Connection"), "close");
    EXPECT_EQ(responses[0].substr(responses[0].find("\r\n\r\n") + 4), c.body);
  }
}

TEST_F(HttpRfcTest, NoLibraryTextInAnyAnswer) {
  // What Pistache 0.0.5 answered with exception text (stoull, basic_string::_M_create), and
  // other odd input: each answer is one short line of ours.
  const std::vector<std::string> odd = {
      "GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\n",
      "GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: \r\n\r\n",
      "GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 0x10\r\n\r\n",
      "GET /healthz HTTP/1.1\r\nHost: x\r\nX: " + std::string(20000, 'b') + "\r\n\r\n",
      "GET /" + std::string(20000, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n",
      "GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n",
      "GET /healthz HTTP/1.1\r\nHost: x\r\n folded: value\r\n\r\n",
      "GET /healthz HTTP/1.1\r\nHost: x\r\nBad Name: v\r\n\r\n",
      "GET /healthz HTTP/1.1\r\nHost: x\r\nX: a\x01z\r\n\r\n",
      "GET\t/healthz HTTP/1.1\r\nHost: x\r\n\r\n",
      std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n", 15),  // TLS
      "POST /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
  };
  for (const std::string& raw : odd) {
    SCOPED_TRACE(raw.substr(0, 60));
    Exchange ex = OnNewConnection(raw);
    EXPECT_TRUE(ex.closed);
    auto responses = SplitResponses(ex.bytes);
    ASSERT_EQ(responses.size(), 1u) << ex.bytes.substr(0, 200);
    const std::string& r = responses[0];
    int code = std::stoi(r.substr(9, 3));
    EXPECT_TRUE(code == 400 || code == 413 || code == 414 || code == 431 || code == 501 ||
                code == 505)
        << StatusLine(r);
    std::string body = r.substr(r.find("\r\n\r\n") + 4);
    EXPECT_LT(body.size(), 80u) << body;
    EXPECT_EQ(body.find('\n'), body.size() - 1) << body;
    for (const char* leak : {"basic_string", "stoull", "std::", "what()", "exception"}) {
      EXPECT_EQ(r.find(leak), std::string::npos) << r;
    }
  }
  EXPECT_EQ(HttpGet(service_->Url("/healthz")).status, 200);
}

TEST_F(HttpRfcTest, IfModifiedSinceInAllThreeDateFormats) {
  HttpResponse r = HttpGet(service_->Url("/MedMij_Whitelist.xml"));
  ASSERT_EQ(r.status, 200);
  // Last-Modified in the other two formats, and one second before it.
  std::tm tm{};
  ASSERT_NE(strptime(r.header("last-modified").c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm), nullptr);
  time_t lm = timegm(&tm);
  auto format = [](time_t t, const char* f) {
    std::tm u{};
    gmtime_r(&t, &u);
    char buf[64];
    strftime(buf, sizeof buf, f, &u);
    return std::string(buf);
  };
  for (const char* f :
       {"%a, %d %b %Y %H:%M:%S GMT", "%A, %d-%b-%y %H:%M:%S GMT", "%a %b %e %H:%M:%S %Y"}) {
    SCOPED_TRACE(format(lm, f));
    EXPECT_EQ(
        HttpGet(service_->Url("/MedMij_Whitelist.xml"), {"If-Modified-Since: " + format(lm, f)})
            .status,
        304);
    EXPECT_EQ(
        HttpGet(service_->Url("/MedMij_Whitelist.xml"), {"If-Modified-Since: " + format(lm - 1, f)})
            .status,
        200);
  }
}

TEST_F(HttpRfcTest, GzipRepresentationForClientsThatAcceptIt) {
  for (const std::string path :
       {"/MedMij_Zorgaanbiederslijst.xml", "/signed/MedMij_Zorgaanbiederslijst.xml"}) {
    SCOPED_TRACE(path);
    // Prepared right after publication: it may take a moment to appear.
    HttpResponse gz;
    ASSERT_TRUE(WaitFor([&] {
      gz = HttpGet(service_->Url(path), {"Accept-Encoding: gzip"});
      return gz.header("content-encoding") == "gzip";
    })) << service_->Stderr();
    HttpResponse plain = HttpGet(service_->Url(path));
    ASSERT_EQ(plain.status, 200);
    EXPECT_EQ(plain.header("content-encoding"), "");
    EXPECT_EQ(plain.header("vary"), "Accept-Encoding");
    EXPECT_EQ(gz.header("vary"), "Accept-Encoding");
    EXPECT_EQ(Gunzip(gz.body), plain.body);
    EXPECT_LT(gz.body.size(), plain.body.size());
    EXPECT_EQ(gz.header("etag"), Cat("\"", Sha256Hex(gz.body), "\""));
    EXPECT_NE(gz.header("etag"), plain.header("etag"));
    EXPECT_EQ(gz.header("last-modified"), plain.header("last-modified"));
    EXPECT_EQ(HttpGet(service_->Url(path), {"Accept-Encoding: gzip;q=0"}).body, plain.body);
    HttpResponse nm = HttpGet(service_->Url(path),
                              {"Accept-Encoding: gzip", "If-None-Match: " + gz.header("etag")});
    EXPECT_EQ(nm.status, 304);
    EXPECT_EQ(nm.header("content-encoding"), "gzip");
  }
}

}  // namespace
}  // namespace medmij::testing
