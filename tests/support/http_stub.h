// A small HTTP/1.1 server on 127.0.0.1 for tests that need a server that misbehaves on purpose:
// slow, truncating, failing, or serving bytes the test chose. It binds port 0 and reports the
// port it got; each connection gets one response and is closed.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace medmij::testing {

struct StubRequest {
  std::string method;
  std::string target;                          // as sent: path and query
  std::map<std::string, std::string> headers;  // lowercased names
};

struct StubReply {
  enum class Mode {
    kNormal,    // status line, headers (Content-Length of the body), body
    kTruncate,  // the same headers, then `truncate_at` bytes of the body, then close
    kStall,     // `truncate_at` bytes of the whole response, then nothing until the client leaves
  };
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  Mode mode = Mode::kNormal;
  size_t truncate_at = 0;
};

class StubServer {
 public:
  using Handler = std::function<StubReply(const StubRequest&)>;
  explicit StubServer(Handler handler);
  ~StubServer();  // stops accepting, wakes stalled connections, joins every thread
  StubServer(const StubServer&) = delete;
  StubServer& operator=(const StubServer&) = delete;

  uint16_t port() const { return port_; }
  std::string Url() const;  // http://127.0.0.1:PORT
  // The requests received so far.
  std::vector<StubRequest> Requests() const;

 private:
  void Accept();
  void Serve(int fd);

  Handler handler_;
  int listen_fd_ = -1;
  int wake_[2] = {-1, -1};  // a pipe: written on stop, polled by every thread
  uint16_t port_ = 0;
  std::thread acceptor_;
  mutable std::mutex mu_;
  std::vector<std::thread> connections_;
  std::vector<StubRequest> requests_;
};

// A TCP socket bound to 127.0.0.1 on a port the kernel picks (not yet listening, close-on-exec);
// returns the descriptor and sets `port`. Throws std::runtime_error when it cannot.
int BindLoopback(uint16_t* port);

// A loopback port that nothing listens on, reserved for the test's life (bound, never listened
// to), so a connection to it is refused: a server that is down.
class ClosedPort {
 public:
  ClosedPort();
  ~ClosedPort();
  ClosedPort(const ClosedPort&) = delete;
  ClosedPort& operator=(const ClosedPort&) = delete;
  uint16_t port() const { return port_; }
  std::string Url() const;

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

}  // namespace medmij::testing
