#include "registry/http/pistache_handler.h"

#include <pistache/peer.h>
#include <pistache/stream.h>
#include <pistache/transport.h>

#include <unistd.h>

#include <algorithm>
#include <chrono>

#include "registry/http/http_util.h"

namespace medmij::http {
namespace {

Method ToMethod(Pistache::Http::Method m) {
  using P = Pistache::Http::Method;
  switch (m) {
    case P::Get:
      return Method::kGet;
    case P::Head:
      return Method::kHead;
    case P::Post:
      return Method::kPost;
    case P::Put:
      return Method::kPut;
    case P::Delete:
      return Method::kDelete;
    case P::Patch:
      return Method::kPatch;
    case P::Options:
      return Method::kOptions;
    default:
      return Method::kOther;
  }
}

}  // namespace

Request ToRequest(const Pistache::Http::Request& request) {
  Request r;
  r.method = ToMethod(request.method());
  r.path = request.resource();
  const auto& query = request.query();
  for (auto it = query.parameters_begin(); it != query.parameters_end(); ++it) {
    r.query.emplace_back(it->first, it->second);
  }
  for (const auto& [name, raw] : request.headers().rawList()) {
    r.headers.emplace_back(name, raw.value());
  }
  return r;
}

namespace {

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

}  // namespace

RegistryHandler::RegistryHandler(std::shared_ptr<const ContentSource> source, RouterOptions options,
                                 std::shared_ptr<RequestMetrics> metrics,
                                 std::shared_ptr<const AuditHandler> audit)
    : source_(std::move(source)),
      options_(options),
      metrics_(std::move(metrics)),
      audit_(std::move(audit)) {}

RegistryHandler::RegistryHandler(const RegistryHandler& other)
    : Pistache::Http::Handler(other),
      pending_(std::make_shared<PendingFiles>()),
      source_(other.source_),
      options_(other.options_),
      metrics_(other.metrics_),
      audit_(other.audit_) {}

// Pistache 0.0.5 closes a FileBuffer's descriptor only when the write completes: when the peer
// resets or goes away mid-transfer the descriptor leaks (one per aborted download, an easy
// descriptor-exhaustion attack). We remember each file write until its promise settles:
// resolved means Pistache closed it; rejected, or the peer disconnecting first, means we close
// it. All of this runs on the peer's reactor thread, so no locking is needed.
void RegistryHandler::onDisconnection(const std::shared_ptr<Pistache::Tcp::Peer>& peer) {
  Pistache::Http::Handler::onDisconnection(peer);
  auto it = pending_->by_peer.find(peer->getID());
  if (it == pending_->by_peer.end()) return;
  for (int fd : it->second) {
    ::close(fd);
    metrics_->in_flight.fetch_sub(1);
  }
  pending_->by_peer.erase(it);
}

void RegistryHandler::onRequest(const Pistache::Http::Request& request,
                                Pistache::Http::ResponseWriter response) {
  try {
    std::shared_ptr<Pistache::Tcp::Peer> peer = response.getPeer();
    if (!peer) return;
    Time now = WallClockNow();
    bool head = request.method() == Pistache::Http::Method::Head;
    Reply r = Route(*source_, options_, *metrics_, ToRequest(request), now, audit_.get());
    if (r.status >= 100 && r.status < static_cast<int>(metrics_->by_code.size())) {
      metrics_->by_code[static_cast<size_t>(r.status)].fetch_add(1, std::memory_order_relaxed);
    }

    bool close = false;
    if (auto conn = request.headers().tryGetRaw("Connection")) {
      std::string v = conn->value();
      for (char& c : v) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      close = v.find("close") != std::string::npos;
      if (request.version() == Pistache::Http::Version::Http10) {
        close = v.find("keep-alive") == std::string::npos;
      }
    } else {
      close = request.version() == Pistache::Http::Version::Http10;
    }

    const std::string* body = r.shared_body ? &r.shared_body->bytes() : &r.body;
    std::string out;
    bool inline_body =
        !head && !r.no_content && (!r.shared_body || r.shared_body->file_path().empty());
    out.reserve(512 + (inline_body ? body->size() : 0));
    out += "HTTP/1.1 ";
    out += std::to_string(r.status);
    out += ' ';
    out += ReasonPhrase(r.status);
    out += "\r\n";
    out += DateLine(now);
    out += "Server: medmij-registry\r\n";
    if (close) out += "Connection: close\r\n";
    if (!r.no_content) {
      out += "Content-Type: ";
      out += r.content_type;
      out += "\r\nContent-Length: ";
      out += std::to_string(body->size());
      out += "\r\n";
    }
    out += "X-Content-Type-Options: nosniff\r\n";
    out += r.headers;
    out += "\r\n";
    peer->setIdle(true);
    std::shared_ptr<RequestMetrics> metrics = metrics_;
    auto track = [&metrics](Pistache::Async::Promise<ssize_t> written) {
      metrics->in_flight.fetch_add(1);
      written.then([metrics](ssize_t) { metrics->in_flight.fetch_sub(1); },
                   [metrics](std::exception_ptr) { metrics->in_flight.fetch_sub(1); });
    };
    if (inline_body) {
      out += *body;
      const size_t n = out.size();
      track(peer->send(Pistache::RawBuffer(std::move(out), n)));
    } else if (head || r.no_content) {
      const size_t n = out.size();
      track(peer->send(Pistache::RawBuffer(std::move(out), n)));
    } else {
      const size_t n = out.size();
      // The file buffer opens its own descriptor now, so the body may be swapped out meanwhile.
      Pistache::FileBuffer file(r.shared_body->file_path());
      const int file_fd = file.fd();
      const size_t peer_id = peer->getID();
      peer->send(Pistache::RawBuffer(std::move(out), n), MSG_MORE);
      metrics->in_flight.fetch_add(1);
      pending_->by_peer[peer_id].push_back(file_fd);
      std::shared_ptr<PendingFiles> pending = pending_;
      // Returns true when the write was still pending (and forgets it).
      auto forget = [pending, peer_id, file_fd]() {
        auto it = pending->by_peer.find(peer_id);
        if (it == pending->by_peer.end()) return false;
        auto& fds = it->second;
        auto pos = std::find(fds.begin(), fds.end(), file_fd);
        if (pos == fds.end()) return false;
        fds.erase(pos);
        if (fds.empty()) pending->by_peer.erase(it);
        return true;
      };
      transport()
          ->asyncWrite(peer->fd(), file)
          .then(
              [forget, metrics](ssize_t) {
                if (forget()) metrics->in_flight.fetch_sub(1);  // Pistache closed the file
              },
              [forget, metrics, file_fd](std::exception_ptr) {
                if (forget()) {
                  ::close(file_fd);
                  metrics->in_flight.fetch_sub(1);
                }
              });
    }
  } catch (...) {
    // Nothing sensible can be sent any more (the peer went away or the write queue refused).
  }
}

}  // namespace medmij::http
