// The registry's HTTP server: Pistache 0.0.5's reactor and TCP transport (its epoll threads, its
// peers, its reads), with the parts of Pistache that break the HTTP rules or the service
// replaced by a thin layer of our own. The only code that includes Pistache headers.
//
// What is ours, and why (each measured or reproduced against Pistache 0.0.5+ds-3):
//   - The accept loop. Pistache's Listener polls the listening socket level-triggered and only
//     logs a failed accept(2): out of descriptors (EMFILE) it spins at 100% CPU. Ours keeps
//     connections below the descriptor limit (a connection beyond it is accepted and closed at
//     once) and, should accept fail anyway, pauses accepting for a moment.
//   - HTTP framing (wire.h) instead of Pistache's request parser: pipelined requests are
//     answered in order, `Connection: close` and HTTP/1.0 close the connection after the
//     answer, requests without Host or with conflicting framing are refused with 400, and no
//     library text ever reaches a client.
//   - The write path. Pistache queues every response through an eventfd to its reactor and,
//     when a socket is full, retries the write in a loop until it drains (a busy loop: one
//     sendfile(2) and one epoll_ctl(2) per retry, measured 90 000 calls per second of a
//     download), which held full downloads at 0.2x nginx. Ours writes on the connection's
//     reactor thread at once, and waits for EPOLLOUT when the socket is full; list bodies go
//     out with sendfile(2) from the one descriptor that holds them (served.h), no file opened
//     per download.
//   - Timeouts: a request must arrive whole within `request_timeout` of its first byte (else
//     408 and close), an idle connection closes after `keepalive_timeout`, a response that
//     makes no progress for `send_timeout` is abandoned, and after the last answer the server
//     half-closes and waits `linger_timeout` for the client's close (RFC 9112 9.6).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "registry/common/status.h"
#include "registry/common/time.h"
#include "registry/http/router.h"
#include "registry/http/wire.h"

namespace medmij::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;  // 0: a free port chosen by the kernel (port() says which)
  int threads = 2;       // reactor threads
  // The /audit requests run on their own threads (registry/http/work_pool.h), never on a
  // reactor thread: this many at once, this many more waiting; beyond that 503.
  int audit_threads = 2;
  size_t audit_queue = 8;
  WireLimits limits;
  Millis request_timeout{10'000};
  Millis keepalive_timeout{60'000};
  Millis send_timeout{60'000};
  Millis linger_timeout{2'000};
  // Descriptors kept free for everything but connections (the store, the export, the
  // publisher's files): connections are capped at RLIMIT_NOFILE minus this.
  int reserved_fds = 64;
};

class HttpServer {
 public:
  // Binds and listens on options.host:port, starts the reactor threads and the accept thread.
  // `audit` may be null (no auditor endpoints). The server shares `source`, `metrics` and
  // `audit` with its threads; they must stay usable until Stop() returns.
  static Result<std::unique_ptr<HttpServer>> Start(ServerOptions options,
                                                   std::shared_ptr<const ContentSource> source,
                                                   RouterOptions router,
                                                   std::shared_ptr<RequestMetrics> metrics,
                                                   std::shared_ptr<const AuditHandler> audit);
  ~HttpServer();  // Stop(Millis(0)) if not stopped
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // The port listened on.
  uint16_t port() const;
  // Stops accepting, waits until every response handed to the server is written or its
  // connection gone (at most `drain`), then stops and joins the reactor threads. Idempotent.
  void Stop(Millis drain);

  class Impl;

 private:
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace medmij::http
