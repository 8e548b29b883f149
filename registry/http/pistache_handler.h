// The registry's HTTP surface on Pistache 0.0.5: the only code that includes Pistache headers.
//
// Each parsed request becomes a neutral Request (request.h) for the router (router.h); its Reply
// is serialised here, not by Pistache's ResponseWriter: that writer drops raw headers, always
// sends Content-Length (also for HEAD and 304, where it would be wrong) and copies large bodies
// several times. Each response is one buffer written through the peer; large list bodies follow
// with sendfile(2) from an unnamed file. Pistache still parses requests and answers the requests
// it refuses itself (413 for oversized requests, 400 for a malformed request line).
#pragma once

#include <memory>
#include <unordered_map>
#include <vector>

#include <pistache/http.h>

#include "registry/http/router.h"

namespace medmij::http {

// The neutral form of a Pistache request: method, resource, the parsed query parameters and
// the raw header fields (what Pistache keeps untyped; the router reads only those).
Request ToRequest(const Pistache::Http::Request& request);

class RegistryHandler : public Pistache::Http::Handler {
 public:
  HTTP_PROTOTYPE(RegistryHandler)

  // `audit` may be null (no auditor endpoints).
  RegistryHandler(std::shared_ptr<const ContentSource> source, RouterOptions options,
                  std::shared_ptr<RequestMetrics> metrics,
                  std::shared_ptr<const AuditHandler> audit = nullptr);
  // Clones (one per reactor thread) share the source and metrics but not the pending files.
  RegistryHandler(const RegistryHandler& other);

  void onRequest(const Pistache::Http::Request& request,
                 Pistache::Http::ResponseWriter response) override;
  // Closes the file descriptors of sendfile writes the peer did not wait for.
  void onDisconnection(const std::shared_ptr<Pistache::Tcp::Peer>& peer) override;

 private:
  // Per reactor thread (each handler clone serves one transport; its callbacks run there too).
  struct PendingFiles {
    std::unordered_map<size_t, std::vector<int>> by_peer;  // peer id -> file descriptors
  };
  std::shared_ptr<PendingFiles> pending_ = std::make_shared<PendingFiles>();

  std::shared_ptr<const ContentSource> source_;
  RouterOptions options_;
  std::shared_ptr<RequestMetrics> metrics_;
  std::shared_ptr<const AuditHandler> audit_;
};

}  // namespace medmij::http
