// The registry's HTTP surface (DESIGN.md, Interfaces), on Pistache 0.0.5. The official names
// /MedMij_*.xml serve HandlerOptions::default_form (strict unless configured), /signed/MedMij_*.xml
// the signed form, ?signed=true|false overrides; each list response carries a Link header
// naming the other form (registry/domain/list_form.h).
//
// Responses are serialised here, not by Pistache's ResponseWriter: that writer drops raw headers,
// always sends Content-Length (also for HEAD and 304, where it would be wrong) and copies large
// bodies several times. Each response is one buffer written through the peer; large list bodies
// follow with sendfile(2) from an in-memory file. Pistache still parses requests and answers
// the requests it refuses itself (413 for oversized requests, 400 for a malformed request line).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <pistache/http.h>

#include "registry/http/served.h"

namespace medmij::http {

// Counters shared by every handler clone (one per reactor thread). Safe for concurrent use.
struct RequestMetrics {
  std::array<std::atomic<uint64_t>, 600> by_code{};
  // Responses handed to the transport and not yet written (or failed): shutdown waits for 0.
  std::atomic<int64_t> in_flight{0};
};

struct HandlerOptions {
  int64_t max_age_s = 60;
  // What the official names serve; the other form is named by a Link header, and ?signed=
  // overrides it (registry/domain/list_form.h).
  ListForm default_form = ListForm::kStrict;
  size_t max_target_bytes = 2048;  // longer request targets get 414
};

// One response, before serialisation.
struct Reply {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string headers;  // extra header lines, each "Name: value\r\n"
  std::string body;
  std::shared_ptr<const ServedBody> shared_body;  // instead of `body`
  bool no_content = false;                        // 304: neither body nor Content-Length
};

// The auditor endpoints under /audit/ (registry/http/audit.h implements them over the store).
// Implementations are safe for concurrent use and never throw.
class AuditHandler {
 public:
  virtual ~AuditHandler() = default;
  // `path` is the request path with its "/audit" prefix removed ("", "/journal", ...).
  virtual Reply Serve(Pistache::Http::Method method, std::string_view path,
                      const Pistache::Http::Uri::Query& query,
                      const Pistache::Http::Header::Collection& headers, Time now) const = 0;
  // Requests refused for a missing or wrong bearer token since start-up.
  virtual uint64_t AuthFailures() const = 0;
};

// Routes a request to a Reply. Never throws: failures become a generic 500. Pure apart from the
// source (and audit handler) it reads, so it is unit-testable without sockets. Without an audit
// handler every /audit path is 404, as if it did not exist.
Reply Route(const ContentSource& source, const HandlerOptions& options,
            const RequestMetrics& metrics, Pistache::Http::Method method,
            const std::string& resource, const Pistache::Http::Uri::Query& query,
            const Pistache::Http::Header::Collection& headers, Time now,
            const AuditHandler* audit = nullptr);

class RegistryHandler : public Pistache::Http::Handler {
 public:
  HTTP_PROTOTYPE(RegistryHandler)

  // `audit` may be null (no auditor endpoints).
  RegistryHandler(std::shared_ptr<const ContentSource> source, HandlerOptions options,
                  std::shared_ptr<RequestMetrics> metrics,
                  std::shared_ptr<const AuditHandler> audit = nullptr);
  // Clones (one per reactor thread) share the source and metrics but not the pending files.
  RegistryHandler(const RegistryHandler& other);

  void onRequest(const Pistache::Http::Request& request,
                 Pistache::Http::ResponseWriter response) override;
  // Closes the file descriptors of sendfile writes the peer did not wait for (see handler.cc).
  void onDisconnection(const std::shared_ptr<Pistache::Tcp::Peer>& peer) override;

 private:
  // Per reactor thread (each handler clone serves one transport; its callbacks run there too).
  struct PendingFiles {
    std::unordered_map<size_t, std::vector<int>> by_peer;  // peer id -> file descriptors
  };
  std::shared_ptr<PendingFiles> pending_ = std::make_shared<PendingFiles>();

  std::shared_ptr<const ContentSource> source_;
  HandlerOptions options_;
  std::shared_ptr<RequestMetrics> metrics_;
  std::shared_ptr<const AuditHandler> audit_;
};

}  // namespace medmij::http
