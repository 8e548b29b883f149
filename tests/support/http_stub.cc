#include "tests/support/http_stub.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <stdexcept>

namespace medmij::testing {

namespace {}  // namespace

int BindLoopback(uint16_t* port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("socket failed");
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    throw std::runtime_error("bind failed");
  }
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  *port = ntohs(a.sin_port);
  return fd;
}

namespace {

// Waits until `fd` is readable or the server is stopped; false when stopped.
bool WaitReadable(int fd, int wake) {
  pollfd p[2] = {{fd, POLLIN, 0}, {wake, POLLIN, 0}};
  while (true) {
    const int n = ::poll(p, 2, -1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    if (p[1].revents != 0) return false;
    if (p[0].revents != 0) return true;
  }
}

bool SendAll(int fd, const std::string& bytes) {
  size_t at = 0;
  while (at < bytes.size()) {
    const ssize_t n = ::send(fd, bytes.data() + at, bytes.size() - at, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    at += static_cast<size_t>(n);
  }
  return true;
}

const char* Reason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 304:
      return "Not Modified";
    case 404:
      return "Not Found";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return "Status";
  }
}

}  // namespace

StubServer::StubServer(Handler handler) : handler_(std::move(handler)) {
  if (::pipe2(wake_, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  listen_fd_ = BindLoopback(&port_);
  if (::listen(listen_fd_, 64) != 0) throw std::runtime_error("listen failed");
  acceptor_ = std::thread([this] { Accept(); });
}

StubServer::~StubServer() {
  (void)!::write(wake_[1], "x", 1);
  acceptor_.join();
  std::vector<std::thread> threads;
  {
    std::lock_guard<std::mutex> lock(mu_);
    threads.swap(connections_);
  }
  for (std::thread& t : threads) t.join();
  ::close(listen_fd_);
  ::close(wake_[0]);
  ::close(wake_[1]);
}

std::string StubServer::Url() const {
  return "http://127.0.0.1:" + std::to_string(port_);
}

std::vector<StubRequest> StubServer::Requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_;
}

void StubServer::Accept() {
  while (WaitReadable(listen_fd_, wake_[0])) {
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    std::lock_guard<std::mutex> lock(mu_);
    connections_.emplace_back([this, fd] {
      Serve(fd);
      ::close(fd);
    });
  }
}

void StubServer::Serve(int fd) {
  std::string in;
  size_t end = std::string::npos;
  while ((end = in.find("\r\n\r\n")) == std::string::npos) {
    if (in.size() > 65536 || !WaitReadable(fd, wake_[0])) return;
    char buf[4096];
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return;
    in.append(buf, static_cast<size_t>(n));
  }
  StubRequest req;
  const std::string head = in.substr(0, end);
  size_t line_end = head.find("\r\n");
  const std::string request_line = head.substr(0, line_end);
  const size_t sp1 = request_line.find(' ');
  const size_t sp2 = request_line.find(' ', sp1 + 1);
  req.method = request_line.substr(0, sp1);
  req.target = request_line.substr(sp1 + 1, sp2 - sp1 - 1);
  while (line_end != std::string::npos && line_end < head.size()) {
    const size_t next = head.find("\r\n", line_end + 2);
    const std::string line = head.substr(
        line_end + 2, next == std::string::npos ? std::string::npos : next - line_end - 2);
    const size_t colon = line.find(':');
    if (colon != std::string::npos) {
      std::string name = line.substr(0, colon);
      std::transform(name.begin(), name.end(), name.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      size_t v = colon + 1;
      while (v < line.size() && line[v] == ' ') ++v;
      req.headers[name] = line.substr(v);
    }
    line_end = next;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    requests_.push_back(req);
  }
  const StubReply reply = handler_(req);
  std::string out =
      "HTTP/1.1 " + std::to_string(reply.status) + " " + Reason(reply.status) +
      "\r\nConnection: close\r\nContent-Length: " + std::to_string(reply.body.size()) + "\r\n";
  for (const auto& [name, value] : reply.headers) out += name + ": " + value + "\r\n";
  out += "\r\n";
  const size_t head_size = out.size();
  if (req.method != "HEAD") out += reply.body;
  switch (reply.mode) {
    case StubReply::Mode::kNormal:
      SendAll(fd, out);
      ::shutdown(fd, SHUT_WR);
      break;
    case StubReply::Mode::kTruncate:
      SendAll(fd, out.substr(0, head_size + std::min(reply.truncate_at, reply.body.size())));
      break;
    case StubReply::Mode::kStall:
      SendAll(fd, out.substr(0, std::min(reply.truncate_at, out.size())));
      // Until the client gives up (it closes: readable, recv 0) or the server stops.
      while (WaitReadable(fd, wake_[0])) {
        char buf[512];
        if (::recv(fd, buf, sizeof buf, 0) <= 0) break;
      }
      break;
  }
}

ClosedPort::ClosedPort() {
  fd_ = BindLoopback(&port_);
}

ClosedPort::~ClosedPort() {
  ::close(fd_);
}

std::string ClosedPort::Url() const {
  return "http://127.0.0.1:" + std::to_string(port_);
}

}  // namespace medmij::testing
