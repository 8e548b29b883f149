#include "registry/http/pistache_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/uio.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include <pistache/net.h>
#include <pistache/os.h>
#include <pistache/peer.h>
#include <pistache/reactor.h>
#include <pistache/tcp.h>
#include <pistache/transport.h>

#include "registry/common/clock.h"
#include "registry/http/http_util.h"
#include "registry/http/work_pool.h"

namespace medmij::http {
namespace {

using Pistache::Polling::NotifyOn;
using SteadyClock = std::chrono::steady_clock;

// Per connection: at most this many answers waiting to be written before the server stops
// framing further pipelined requests (they wait in the input buffer), and at most this much
// unframed input while it waits; beyond that the connection is closed after the answers
// already queued.
constexpr size_t kMaxQueuedResponses = 32;
constexpr size_t kMaxBufferedInput = 64 * 1024;
constexpr Millis kTick{250};         // timeout checks
constexpr Millis kAcceptPause{100};  // after an accept(2) failure the loop cannot act on

// "Date: ...\r\n", formatted once per second per thread.
const std::string& DateLine(Time now) {
  thread_local int64_t cached_second = -1;
  thread_local std::string line;
  int64_t sec = std::chrono::floor<std::chrono::seconds>(now).time_since_epoch().count();
  if (sec != cached_second) {
    cached_second = sec;
    line = "Date: " + FormatHttpDate(now) + "\r\n";
  }
  return line;
}

// What every reactor thread shares.
struct Shared {
  ServerOptions options;
  std::shared_ptr<const ContentSource> source;
  RouterOptions router;
  std::shared_ptr<RequestMetrics> metrics;
  std::shared_ptr<const AuditHandler> audit;
  // Runs the /audit requests; outlives the reactor threads (HttpServer::Impl::Stop).
  WorkPool* audit_pool = nullptr;
};

bool IsAuditPath(std::string_view path) {
  return path == "/audit" || path.starts_with("/audit/");
}

// Answers worked out off the reactor thread, handed back to it: a worker pushes and wakes the
// reactor through the eventfd; the reactor takes them all. Owned jointly by the transport and
// the jobs in flight, so a late answer for a transport already gone is simply dropped.
class Completions {
 public:
  struct Done {
    int fd = -1;
    std::weak_ptr<Pistache::Tcp::Peer> peer;  // the connection it is for (fds are reused)
    uint64_t id = 0;
    WireResponse response;
  };

  Completions() : fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
    if (fd_ < 0) throw std::runtime_error("eventfd failed");
  }
  ~Completions() { ::close(fd_); }
  Completions(const Completions&) = delete;
  Completions& operator=(const Completions&) = delete;

  int fd() const { return fd_; }
  void Push(Done done) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      done_.push_back(std::move(done));
    }
    uint64_t one = 1;
    ssize_t n = ::write(fd_, &one, sizeof one);
    (void)n;  // only fails when the counter is saturated: the reactor is woken anyway
  }
  std::vector<Done> Take() {
    uint64_t count = 0;
    ssize_t n = ::read(fd_, &count, sizeof count);
    (void)n;
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<Done> done;
    done.swap(done_);
    return done;
  }

 private:
  int fd_;
  std::mutex mutex_;
  std::vector<Done> done_;
};

class ConnectionTransport;

// Pistache's hook for what its transport reads: hands everything to our transport.
class PeerHandler : public Pistache::Tcp::Handler {
 public:
  void onInput(const char* buffer, size_t len,
               const std::shared_ptr<Pistache::Tcp::Peer>& peer) override;
  void onConnection(const std::shared_ptr<Pistache::Tcp::Peer>& peer) override;
  void onDisconnection(const std::shared_ptr<Pistache::Tcp::Peer>& peer) override;
  std::shared_ptr<Pistache::Tcp::Handler> clone() const override {
    return std::make_shared<PeerHandler>();
  }

 private:
  ConnectionTransport* owner();
};

// One reactor thread's connections. Pistache's Transport registers each peer, reads it and
// removes it; everything else (framing, routing, writing, timeouts) is here. All methods run
// on the transport's reactor thread, so nothing is locked.
class ConnectionTransport : public Pistache::Tcp::Transport {
 public:
  explicit ConnectionTransport(std::shared_ptr<Shared> shared)
      : Pistache::Tcp::Transport(std::make_shared<PeerHandler>()),
        shared_(std::move(shared)),
        completions_(std::make_shared<Completions>()) {}
  ~ConnectionTransport() override {
    if (timer_fd_ >= 0) ::close(timer_fd_);
  }

  void registerPoller(Pistache::Polling::Epoll& poller) override;
  void onReady(const Pistache::Aio::FdSet& fds) override;
  std::shared_ptr<Pistache::Aio::Handler> clone() const override {
    return std::make_shared<ConnectionTransport>(shared_);
  }

  void Connected(const std::shared_ptr<Pistache::Tcp::Peer>& peer);
  void Input(const char* data, size_t len, const std::shared_ptr<Pistache::Tcp::Peer>& peer);
  void Disconnected(const std::shared_ptr<Pistache::Tcp::Peer>& peer);

 private:
  struct Out {
    std::string bytes;
    size_t off = 0;
    std::shared_ptr<const ServedBody> file;  // its bytes follow `bytes`
    size_t file_off = 0;
    uint64_t pending = 0;  // non-zero: the answer is still being worked out (Completions id)
  };
  struct Conn {
    std::shared_ptr<Pistache::Tcp::Peer> peer;
    int fd = -1;
    RequestParser parser;
    std::deque<Out> out;
    bool write_armed = false;  // EPOLLOUT requested
    bool close_after = false;  // close once `out` is written
    bool closing = false;      // half-closed (SHUT_WR): waiting for the client's close
    SteadyClock::time_point deadline;
  };

  Conn* Find(const std::shared_ptr<Pistache::Tcp::Peer>& peer);
  // Frames, routes and writes as much as the connection allows.
  void Pump(Conn& c);
  void Enqueue(Conn& c, WireResponse response);
  // Queues a place for the answer to `request` and has the audit pool work it out; answers
  // 503 at once when the pool is full.
  void EnqueueAudit(Conn& c, const WireRequest& request, Time now);
  // Puts the answers the pool finished in their places and writes what is ready.
  void TakeCompletions();
  // Writes queued answers until done or the socket is full. False: the connection failed.
  bool Flush(Conn& c);
  void SetWriteInterest(Conn& c, bool on);
  // The next deadline after progress (or none) at `now`.
  void Rearm(Conn& c, SteadyClock::time_point now);
  void CheckTimeouts();
  // Removes the connection at the end of the current onReady (never from inside a read:
  // Pistache's transport still uses the peer after the callback returns).
  void Drop(Conn& c);
  void RemoveDropped();
  void Forget(Conn& c);

  std::shared_ptr<Shared> shared_;
  std::unordered_map<int, std::unique_ptr<Conn>> conns_;  // by descriptor
  std::vector<std::shared_ptr<Pistache::Tcp::Peer>> dropped_;
  int timer_fd_ = -1;
  std::shared_ptr<Completions> completions_;
  uint64_t next_pending_ = 1;
};

ConnectionTransport* PeerHandler::owner() {
  return static_cast<ConnectionTransport*>(transport());
}
void PeerHandler::onInput(const char* buffer, size_t len,
                          const std::shared_ptr<Pistache::Tcp::Peer>& peer) {
  owner()->Input(buffer, len, peer);
}
void PeerHandler::onConnection(const std::shared_ptr<Pistache::Tcp::Peer>& peer) {
  owner()->Connected(peer);
}
void PeerHandler::onDisconnection(const std::shared_ptr<Pistache::Tcp::Peer>& peer) {
  owner()->Disconnected(peer);
}

void ConnectionTransport::registerPoller(Pistache::Polling::Epoll& poller) {
  Pistache::Tcp::Transport::registerPoller(poller);
  timer_fd_ = ::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  if (timer_fd_ < 0) throw std::runtime_error("timerfd_create failed");
  itimerspec spec{};
  spec.it_interval.tv_nsec = std::chrono::nanoseconds(kTick).count();
  spec.it_value = spec.it_interval;
  ::timerfd_settime(timer_fd_, 0, &spec, nullptr);
  poller.addFd(timer_fd_, Pistache::Flags<NotifyOn>(NotifyOn::Read),
               Pistache::Polling::Tag(static_cast<uint64_t>(timer_fd_)));
  poller.addFd(completions_->fd(), Pistache::Flags<NotifyOn>(NotifyOn::Read),
               Pistache::Polling::Tag(static_cast<uint64_t>(completions_->fd())));
}

void ConnectionTransport::onReady(const Pistache::Aio::FdSet& fds) {
  // Our events first: the tick and the writable connections; Pistache's transport gets the
  // rest (its queues, and reads) without the write flag, since it did not write.
  std::vector<Pistache::Polling::Event> rest;
  rest.reserve(fds.size());
  bool tick = false, completed = false;
  for (const auto& entry : fds) {
    const uint64_t tag = entry.getTag().value();
    if (timer_fd_ >= 0 && tag == static_cast<uint64_t>(timer_fd_)) {
      uint64_t expirations = 0;
      ssize_t n = ::read(timer_fd_, &expirations, sizeof expirations);
      (void)n;
      tick = true;
      continue;
    }
    if (tag == static_cast<uint64_t>(completions_->fd())) {
      completed = true;
      continue;
    }
    auto it = conns_.find(static_cast<int>(tag));
    if (it == conns_.end()) {
      Pistache::Polling::Event ev(entry.getTag());
      if (entry.isReadable()) ev.flags.setFlag(NotifyOn::Read);
      if (entry.isWritable()) ev.flags.setFlag(NotifyOn::Write);
      if (entry.isHangup()) ev.flags.setFlag(NotifyOn::Hangup);
      rest.push_back(ev);
      continue;
    }
    Conn& c = *it->second;
    if (entry.isWritable() && c.write_armed) {
      try {
        Pump(c);
      } catch (...) {
        Drop(c);
      }
    }
    if (entry.isReadable() || entry.isHangup()) {
      // (A hang-up is read too: Pistache's read then sees the end and removes the peer.)
      Pistache::Polling::Event ev(entry.getTag());
      ev.flags.setFlag(NotifyOn::Read);
      rest.push_back(ev);
    }
  }
  if (!rest.empty()) Pistache::Tcp::Transport::onReady(Pistache::Aio::FdSet(std::move(rest)));
  if (completed) TakeCompletions();
  if (tick) CheckTimeouts();
  RemoveDropped();
}

ConnectionTransport::Conn* ConnectionTransport::Find(
    const std::shared_ptr<Pistache::Tcp::Peer>& peer) {
  auto it = conns_.find(peer->fd());
  if (it == conns_.end() || it->second->peer != peer) return nullptr;
  return it->second.get();
}

void ConnectionTransport::Connected(const std::shared_ptr<Pistache::Tcp::Peer>& peer) {
  auto c = std::make_unique<Conn>();
  c->peer = peer;
  c->fd = peer->fd();
  c->parser = RequestParser(shared_->options.limits);
  c->deadline = SteadyClock::now() + shared_->options.request_timeout;
  conns_[c->fd] = std::move(c);
}

void ConnectionTransport::Forget(Conn& c) {
  shared_->metrics->in_flight.fetch_sub(static_cast<int64_t>(c.out.size()));
  shared_->metrics->connections.fetch_sub(1);
  conns_.erase(c.fd);
}

void ConnectionTransport::Disconnected(const std::shared_ptr<Pistache::Tcp::Peer>& peer) {
  if (Conn* c = Find(peer)) Forget(*c);
}

void ConnectionTransport::Drop(Conn& c) {
  dropped_.push_back(c.peer);
}

void ConnectionTransport::RemoveDropped() {
  if (dropped_.empty()) return;
  std::vector<std::shared_ptr<Pistache::Tcp::Peer>> dropped;
  dropped.swap(dropped_);
  for (const auto& peer : dropped) {
    Conn* c = Find(peer);
    if (c == nullptr) continue;  // Pistache removed it meanwhile
    Forget(*c);
    removePeer(peer);
  }
}

void ConnectionTransport::Input(const char* data, size_t len,
                                const std::shared_ptr<Pistache::Tcp::Peer>& peer) {
  Conn* c = Find(peer);
  if (c == nullptr) return;
  // After the last answer (or an error) nothing more is framed: the input is read and dropped
  // until the client closes, so that closing never resets an answer still in flight.
  if (c->closing || c->close_after) return;
  try {
    const bool was_in_request = c->parser.InRequest();
    c->parser.Feed(std::string_view(data, len));
    if (!was_in_request && c->out.empty() && c->parser.InRequest()) {
      c->deadline = SteadyClock::now() + shared_->options.request_timeout;
    }
    Pump(*c);
  } catch (...) {
    Drop(*c);
  }
}

void ConnectionTransport::Enqueue(Conn& c, WireResponse response) {
  Out o;
  o.bytes = std::move(response.bytes);
  o.file = std::move(response.file);
  if (c.out.empty()) c.deadline = SteadyClock::now() + shared_->options.send_timeout;
  c.out.push_back(std::move(o));
  shared_->metrics->in_flight.fetch_add(1);
}

void ConnectionTransport::EnqueueAudit(Conn& c, const WireRequest& request, Time now) {
  const uint64_t id = next_pending_++;
  Out placeholder;
  placeholder.pending = id;
  c.out.push_back(std::move(placeholder));
  shared_->metrics->in_flight.fetch_add(1);
  const ConnectionHeader connection = !request.keep_alive ? ConnectionHeader::kClose
                                      : request.http10    ? ConnectionHeader::kKeepAlive
                                                          : ConnectionHeader::kNone;
  // The job holds what it reads, not the transport: it may finish after the transport is gone.
  auto job = [shared = shared_, completions = completions_, fd = c.fd,
              peer = std::weak_ptr<Pistache::Tcp::Peer>(c.peer), id, request, connection, now] {
    Completions::Done done{fd, peer, id, {}};
    try {
      RequestMetrics& metrics = *shared->metrics;
      Reply r = Route(*shared->source, shared->router, metrics, request.request, now,
                      shared->audit.get());
      if (r.status >= 100 && r.status < static_cast<int>(metrics.by_code.size())) {
        metrics.by_code[static_cast<size_t>(r.status)].fetch_add(1, std::memory_order_relaxed);
      }
      done.response = SerializeReply(r, request.head, connection, DateLine(now));
    } catch (...) {
      done.response = SerializeReply(ErrorReply(Status::Internal("audit request failed")),
                                     request.head, ConnectionHeader::kClose, DateLine(now));
    }
    completions->Push(std::move(done));
  };
  if (shared_->audit_pool->TrySubmit(std::move(job))) return;
  Reply r = TextReply(503, "too many audit requests in progress; retry shortly");
  r.headers += "Retry-After: 1\r\n";
  shared_->metrics->by_code[503].fetch_add(1, std::memory_order_relaxed);
  Out& out = c.out.back();
  out.pending = 0;
  out.bytes = SerializeReply(r, request.head, connection, DateLine(now)).bytes;
}

void ConnectionTransport::TakeCompletions() {
  for (Completions::Done& done : completions_->Take()) {
    auto it = conns_.find(done.fd);
    if (it == conns_.end() || it->second->peer != done.peer.lock()) continue;  // gone
    Conn& c = *it->second;
    for (Out& o : c.out) {
      if (o.pending != done.id) continue;
      o.pending = 0;
      o.bytes = std::move(done.response.bytes);
      o.file = std::move(done.response.file);
      break;
    }
    c.deadline = SteadyClock::now() + shared_->options.send_timeout;
    try {
      Pump(c);
    } catch (...) {
      Drop(c);
    }
  }
  RemoveDropped();
}

void ConnectionTransport::Pump(Conn& c) {
  for (;;) {
    bool framed = false;
    const Time now = ProcessClock().Now();
    while (!c.close_after && c.out.size() < kMaxQueuedResponses) {
      WireRequest request;
      WireError error;
      auto outcome = c.parser.Next(&request, &error);
      if (outcome == RequestParser::Outcome::kNeedMore) break;
      framed = true;
      RequestMetrics& metrics = *shared_->metrics;
      if (outcome == RequestParser::Outcome::kError) {
        Reply r = TextReply(error.status, error.message);
        metrics.by_code[static_cast<size_t>(r.status)].fetch_add(1, std::memory_order_relaxed);
        Enqueue(c, SerializeReply(r, false, ConnectionHeader::kClose, DateLine(now)));
        c.close_after = true;
        break;
      }
      if (shared_->audit && shared_->audit_pool && IsAuditPath(request.request.path)) {
        EnqueueAudit(c, request, now);
        if (!request.keep_alive) c.close_after = true;
        continue;
      }
      Reply r = Route(*shared_->source, shared_->router, metrics, request.request, now,
                      shared_->audit.get());
      if (r.status >= 100 && r.status < static_cast<int>(metrics.by_code.size())) {
        metrics.by_code[static_cast<size_t>(r.status)].fetch_add(1, std::memory_order_relaxed);
      }
      ConnectionHeader connection = !request.keep_alive ? ConnectionHeader::kClose
                                    : request.http10    ? ConnectionHeader::kKeepAlive
                                                        : ConnectionHeader::kNone;
      Enqueue(c, SerializeReply(r, request.head, connection, DateLine(now)));
      if (!request.keep_alive) c.close_after = true;
    }
    if (!c.close_after && c.out.size() >= kMaxQueuedResponses &&
        c.parser.buffered() > kMaxBufferedInput) {
      // A client that pipelines without reading: answer what is queued, then close.
      c.close_after = true;
    }
    if (!Flush(c)) {
      Drop(c);
      return;
    }
    // Written out: frame more (pipelined requests waiting behind a full queue), else stop.
    if (!c.out.empty() || c.closing || !framed || c.close_after) break;
  }
  Rearm(c, SteadyClock::now());
}

bool ConnectionTransport::Flush(Conn& c) {
  while (!c.out.empty()) {
    Out& o = c.out.front();
    if (o.pending != 0) {
      // Answers go out in request order: wait for this one (TakeCompletions pumps again).
      SetWriteInterest(c, false);
      return true;
    }
    if (o.off < o.bytes.size()) {
      // Consecutive answers held in memory go out in one call (pipelined requests).
      iovec iov[16];
      int n_iov = 0;
      bool more = false;
      for (auto it = c.out.begin(); it != c.out.end() && it->pending == 0 && n_iov < 16; ++it) {
        iov[n_iov].iov_base = it->bytes.data() + it->off;
        iov[n_iov].iov_len = it->bytes.size() - it->off;
        ++n_iov;
        if (it->file) {
          more = true;  // its file follows: let the kernel fill whole segments
          break;
        }
      }
      msghdr msg{};
      msg.msg_iov = iov;
      msg.msg_iovlen = static_cast<size_t>(n_iov);
      ssize_t n = ::sendmsg(c.fd, &msg, MSG_NOSIGNAL | (more ? MSG_MORE : 0));
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
          SetWriteInterest(c, true);
          return true;
        }
        return false;
      }
      c.deadline = SteadyClock::now() + shared_->options.send_timeout;
      size_t left = static_cast<size_t>(n);
      while (left > 0) {
        Out& front = c.out.front();
        size_t take = std::min(left, front.bytes.size() - front.off);
        if (take == 0) break;
        front.off += take;
        left -= take;
        if (front.off == front.bytes.size() && !front.file) {
          c.out.pop_front();
          shared_->metrics->in_flight.fetch_sub(1);
        }
      }
      continue;
    }
    if (o.file) {
      const size_t size = o.file->bytes().size();
      while (o.file_off < size) {
        off_t off = static_cast<off_t>(o.file_off);
        ssize_t n = ::sendfile(c.fd, o.file->fd(), &off, size - o.file_off);
        if (n < 0) {
          if (errno == EINTR) continue;
          if (errno == EAGAIN || errno == EWOULDBLOCK) {
            SetWriteInterest(c, true);
            return true;
          }
          return false;
        }
        if (n == 0) return false;
        o.file_off += static_cast<size_t>(n);
        c.deadline = SteadyClock::now() + shared_->options.send_timeout;
      }
    }
    c.out.pop_front();
    shared_->metrics->in_flight.fetch_sub(1);
  }
  SetWriteInterest(c, false);
  if (c.close_after && !c.closing) {
    // RFC 9112 9.6: half-close, then read (and drop) until the client closes, so that its
    // unread requests cannot turn our close into a reset that destroys the answer.
    ::shutdown(c.fd, SHUT_WR);
    c.closing = true;
  }
  return true;
}

void ConnectionTransport::SetWriteInterest(Conn& c, bool on) {
  if (c.write_armed == on) return;
  c.write_armed = on;
  NotifyOn interest = on ? NotifyOn::Read | NotifyOn::Write | NotifyOn::Shutdown
                         : NotifyOn::Read | NotifyOn::Shutdown;
  reactor()->modifyFd(key(), c.fd, interest, Pistache::Polling::Mode::Edge);
}

void ConnectionTransport::Rearm(Conn& c, SteadyClock::time_point now) {
  const ServerOptions& o = shared_->options;
  if (c.closing) {
    if (c.out.empty()) c.deadline = now + o.linger_timeout;
  } else if (!c.out.empty()) {
    // Writing: Flush moves the deadline on every bit of progress.
  } else if (c.parser.InRequest()) {
    // A request has begun: its deadline was set at its first byte (Input), or here when the
    // previous answer was written while it was already buffered.
    if (c.deadline < now) c.deadline = now + o.request_timeout;
  } else {
    c.deadline = now + o.keepalive_timeout;
  }
}

void ConnectionTransport::CheckTimeouts() {
  const auto now = SteadyClock::now();
  for (auto& [fd, conn] : conns_) {
    Conn& c = *conn;
    if (now < c.deadline) continue;
    // An answer still being worked out is waited for (the audit pool bounds the work); the
    // send timeout starts again once it is handed back.
    if (!c.out.empty() && c.out.front().pending != 0) continue;
    if (!c.closing && c.out.empty() && !c.close_after && c.parser.InRequest()) {
      // RFC 9110 15.5.9: a request that did not arrive in time gets 408, then the close.
      try {
        Reply r = TextReply(408, "request not received in time");
        Enqueue(c, SerializeReply(r, false, ConnectionHeader::kClose, DateLine(WallClockNow())));
        c.close_after = true;
        if (Flush(c)) {
          c.deadline = now + shared_->options.linger_timeout;
          continue;
        }
      } catch (...) {
      }
    }
    Drop(c);
  }
}

}  // namespace

class HttpServer::Impl {
 public:
  Impl(ServerOptions options, std::shared_ptr<const ContentSource> source, RouterOptions router,
       std::shared_ptr<RequestMetrics> metrics, std::shared_ptr<const AuditHandler> audit)
      : shared_(std::make_shared<Shared>()) {
    shared_->options = std::move(options);
    shared_->source = std::move(source);
    shared_->router = router;
    shared_->metrics = std::move(metrics);
    shared_->audit = std::move(audit);
    if (shared_->audit) {
      audit_pool_ =
          std::make_unique<WorkPool>(shared_->options.audit_threads, shared_->options.audit_queue);
      shared_->audit_pool = audit_pool_.get();
    }
  }
  ~Impl() {
    Stop(Millis(0));
    if (listen_fd_ >= 0) ::close(listen_fd_);
    if (stop_fd_ >= 0) ::close(stop_fd_);
    if (reserve_fd_ >= 0) ::close(reserve_fd_);
  }

  Status Listen();
  void Run();
  void Stop(Millis drain);
  uint16_t port() const { return port_; }

 private:
  void AcceptLoop();
  // Hands an accepted socket to a reactor thread (round robin), or closes it when the
  // connection cap is reached.
  void Dispatch(int fd, const sockaddr_storage& addr);
  // Waits `pause` unless asked to stop; true when asked to stop.
  bool PauseOrStop(Millis pause);

  std::shared_ptr<Shared> shared_;
  int listen_fd_ = -1;
  int stop_fd_ = -1;
  int reserve_fd_ = -1;  // given up to shed one connection when accept(2) is out of descriptors
  uint16_t port_ = 0;
  int64_t max_connections_ = 0;
  std::unique_ptr<Pistache::Aio::Reactor> reactor_;
  std::vector<std::shared_ptr<ConnectionTransport>> transports_;
  size_t next_ = 0;
  std::thread acceptor_;
  bool running_ = false;
  std::unique_ptr<WorkPool> audit_pool_;
};

Status HttpServer::Impl::Listen() {
  const ServerOptions& o = shared_->options;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV;
  std::string host = o.host;
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  const std::string port = std::to_string(o.port);
  addrinfo* found = nullptr;
  if (int rc = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &found); rc != 0) {
    return Status::Invalid("cannot listen on " + o.host + ":" + port + ": " + ::gai_strerror(rc));
  }
  std::string error = "no address";
  for (addrinfo* a = found; a != nullptr && listen_fd_ < 0; a = a->ai_next) {
    int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) {
      error = std::strerror(errno);
      continue;
    }
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd, a->ai_addr, a->ai_addrlen) != 0 || ::listen(fd, SOMAXCONN) != 0) {
      error = std::strerror(errno);
      ::close(fd);
      continue;
    }
    listen_fd_ = fd;
  }
  ::freeaddrinfo(found);
  if (listen_fd_ < 0) {
    return Status::IoError("cannot listen on " + o.host + ":" + port + ": " + error);
  }
  sockaddr_storage bound{};
  socklen_t len = sizeof bound;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&bound), &len);
  port_ = ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                            : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  stop_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  reserve_fd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (stop_fd_ < 0) return Status::IoError(std::string("eventfd: ") + std::strerror(errno));
  rlimit nofile{};
  ::getrlimit(RLIMIT_NOFILE, &nofile);
  max_connections_ = std::max<int64_t>(
      16, static_cast<int64_t>(std::min<rlim_t>(nofile.rlim_cur, 1 << 20)) - o.reserved_fds);
  return Status::Ok();
}

void HttpServer::Impl::Run() {
  reactor_ = std::make_unique<Pistache::Aio::Reactor>();
  reactor_->init(
      Pistache::Aio::AsyncContext(static_cast<size_t>(shared_->options.threads), "medmij-http"));
  auto key = reactor_->addHandler(std::make_shared<ConnectionTransport>(shared_));
  for (const auto& h : reactor_->handlers(key)) {
    transports_.push_back(std::static_pointer_cast<ConnectionTransport>(h));
  }
  reactor_->run();
  running_ = true;
  acceptor_ = std::thread([this] { AcceptLoop(); });
}

bool HttpServer::Impl::PauseOrStop(Millis pause) {
  pollfd p{stop_fd_, POLLIN, 0};
  return ::poll(&p, 1, static_cast<int>(pause.count())) > 0;
}

void HttpServer::Impl::AcceptLoop() {
  pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
  for (;;) {
    if (::poll(fds, 2, -1) < 0 && errno != EINTR) {
      if (PauseOrStop(kAcceptPause)) return;
      continue;
    }
    if (fds[1].revents != 0) return;
    if (fds[0].revents == 0) continue;
    // Accept until the backlog is empty.
    for (;;) {
      sockaddr_storage addr{};
      socklen_t len = sizeof addr;
      int fd = ::accept4(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len,
                         SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd >= 0) {
        Dispatch(fd, addr);
        continue;
      }
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      if (errno == EINTR || errno == ECONNABORTED || errno == EPROTO) continue;
      if ((errno == EMFILE || errno == ENFILE) && reserve_fd_ >= 0) {
        // Out of descriptors although connections are capped (something else holds them):
        // shed the waiting connection, so the client learns at once instead of hanging in
        // the backlog, and the listening socket stops being readable for it.
        ::close(reserve_fd_);
        int shed = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (shed >= 0) ::close(shed);
        reserve_fd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
        shared_->metrics->connections_refused.fetch_add(1, std::memory_order_relaxed);
        if (shed >= 0) break;
      }
      // accept(2) fails without consuming the connection (out of memory or descriptors with
      // no reserve): the socket stays readable, so waiting on it again would spin. Pause.
      if (PauseOrStop(kAcceptPause)) return;
      break;
    }
  }
}

void HttpServer::Impl::Dispatch(int fd, const sockaddr_storage& addr) {
  if (shared_->metrics->connections.load() >= max_connections_) {
    ::close(fd);
    shared_->metrics->connections_refused.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  shared_->metrics->connections.fetch_add(1);
  sockaddr_storage copy = addr;
  auto peer = Pistache::Tcp::Peer::Create(
      fd, Pistache::Address::fromUnix(reinterpret_cast<sockaddr*>(&copy)));
  transports_[next_++ % transports_.size()]->handleNewPeer(peer);
}

void HttpServer::Impl::Stop(Millis drain) {
  if (!running_) return;
  running_ = false;
  uint64_t one = 1;
  ssize_t n = ::write(stop_fd_, &one, sizeof one);
  (void)n;
  if (acceptor_.joinable()) acceptor_.join();
  ::close(listen_fd_);
  listen_fd_ = -1;
  auto deadline = SteadyClock::now() + drain;
  while (shared_->metrics->in_flight.load() > 0 && SteadyClock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  reactor_->shutdown();
  transports_.clear();
  // Joins the reactor threads (their transports and connections go with them).
  reactor_.reset();
  // Then the audit workers: what they still finish is dropped with the transports.
  shared_->audit_pool = nullptr;
  audit_pool_.reset();
}

Result<std::unique_ptr<HttpServer>> HttpServer::Start(ServerOptions options,
                                                      std::shared_ptr<const ContentSource> source,
                                                      RouterOptions router,
                                                      std::shared_ptr<RequestMetrics> metrics,
                                                      std::shared_ptr<const AuditHandler> audit) {
  auto impl = std::make_unique<Impl>(std::move(options), std::move(source), router,
                                     std::move(metrics), std::move(audit));
  MEDMIJ_RETURN_IF_ERROR(impl->Listen());
  try {
    impl->Run();
  } catch (const std::exception& e) {
    return Status::IoError(std::string("cannot start the HTTP threads: ") + e.what());
  }
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpServer::~HttpServer() = default;
uint16_t HttpServer::port() const {
  return impl_->port();
}
void HttpServer::Stop(Millis drain) {
  impl_->Stop(drain);
}

}  // namespace medmij::http
