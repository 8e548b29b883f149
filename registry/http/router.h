// The registry's HTTP surface (DESIGN.md, Interfaces): which request gets which reply.
//
// Pure apart from what it reads through ContentSource (the served snapshot and the archive) and
// AuditHandler: no sockets, no Pistache, no clock (`now` is passed in), so every route, method,
// parameter and error is unit-tested in process (tests/unit/http/router_test.cc). Routes:
//   GET|HEAD /MedMij_*.xml[?api=N&signed=true|false]   the current list in default_form
//                                                        (strict unless configured; 304 on a
//                                                        match; a Link header names the other
//                                                        form, registry/domain/list_form.h)
//   GET|HEAD /signed/MedMij_*.xml[?api=N]                the signed form
//   GET|HEAD /lists/{list}/versions                      JSON index of the archive
//   GET|HEAD /lists/{list}/versions/{volgnummer}.xml     an archived version (immutable; signed
//                                                        unless ?signed=false)
//   GET|HEAD /participants, /participants/{id}           the public register as JSON
//   GET|HEAD /, /deelnemers/{id}, /lijsten, /static/...  the public register as web pages
//                                                        (registry/http/register_pages.h)
//   GET|HEAD /healthz, /metrics                          health and Prometheus metrics
//   *        /audit/...                                  AuditHandler (404 without one)
// Unknown paths are 404, other methods on known paths 405, unknown or malformed query
// parameters 400, request targets longer than max_target_bytes 414, malformed paths 400.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string_view>

#include "registry/common/time.h"
#include "registry/domain/list_form.h"
#include "registry/http/reply.h"
#include "registry/http/request.h"
#include "registry/http/served.h"

namespace medmij::http {

// Counters shared by every handler clone (one per reactor thread). Safe for concurrent use.
struct RequestMetrics {
  std::array<std::atomic<uint64_t>, 600> by_code{};
  // Responses handed to the transport and not yet written (or failed): shutdown waits for 0.
  std::atomic<int64_t> in_flight{0};
  std::atomic<int64_t> connections{0};  // open client connections
  // Connections closed as soon as accepted: the connection cap (descriptors) was reached.
  std::atomic<uint64_t> connections_refused{0};
};

struct RouterOptions {
  int64_t max_age_s = 60;
  // What the official names serve; the other form is named by a Link header, and ?signed=
  // overrides it (registry/domain/list_form.h).
  ListForm default_form = ListForm::kStrict;
  size_t max_target_bytes = 2048;  // longer request targets get 414
  // The lists published ([publish] lists): the official and signed names of the others are 404,
  // and /healthz and /metrics report only these. /lists/{list}/versions serves the archive of
  // every list.
  ListSet lists = kEveryList;
  // [signing] renew_before_days: /healthz is 503 and /metrics flags renewal while any served
  // list carries a signing certificate that expires within this of now (or has expired).
  std::chrono::seconds renew_before{std::chrono::hours(24 * 30)};
};

// The auditor endpoints under /audit/ (registry/http/audit.h implements them over the store).
// Implementations are safe for concurrent use and never throw.
class AuditHandler {
 public:
  virtual ~AuditHandler() = default;
  // `path` is the request path with its "/audit" prefix removed ("", "/journal", ...).
  virtual Reply Serve(const Request& request, std::string_view path, Time now) const = 0;
  // Requests refused for a missing or wrong bearer token since start-up.
  virtual uint64_t AuthFailures() const = 0;
};

// The reply to `request` at `now`. Never throws: failures become a generic 500. Without an
// audit handler every /audit path is 404, as if it did not exist.
Reply Route(const ContentSource& source, const RouterOptions& options,
            const RequestMetrics& metrics, const Request& request, Time now,
            const AuditHandler* audit = nullptr);

}  // namespace medmij::http
