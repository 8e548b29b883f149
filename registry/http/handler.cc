#include "registry/http/handler.h"

#include <pistache/peer.h>
#include <pistache/stream.h>
#include <pistache/transport.h>

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "registry/http/http_util.h"

namespace medmij::http {
namespace {

using Pistache::Http::Method;

const char* ReasonPhrase(int code) {
  switch (code) {
    case 200:
      return "OK";
    case 304:
      return "Not Modified";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 414:
      return "URI Too Long";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return "Unknown";
  }
}

Reply Text(int status, std::string body) {
  Reply r;
  r.status = status;
  r.body = std::move(body);
  if (r.body.empty() || r.body.back() != '\n') r.body.push_back('\n');
  r.headers = "Cache-Control: no-store\r\n";
  return r;
}

Reply Json(int status, std::string body, std::string cache_control) {
  Reply r;
  r.status = status;
  r.content_type = "application/json";
  r.body = std::move(body);
  r.body.push_back('\n');
  r.headers = "Cache-Control: " + cache_control + "\r\n";
  return r;
}

Reply MethodNotAllowed() {
  Reply r = Text(405, "method not allowed");
  r.headers += "Allow: GET, HEAD\r\n";
  return r;
}

std::optional<std::string> Header(const Pistache::Http::Header::Collection& headers,
                                  const char* name) {
  auto raw = headers.tryGetRaw(name);
  if (!raw) return std::nullopt;
  return raw->value();
}

// A representation's validators and caching headers, then the conditional request check
// (RFC 9110 13.2.2: If-None-Match first; If-Modified-Since only without it).
Reply Conditional(const Pistache::Http::Header::Collection& headers,
                  std::shared_ptr<const ServedBody> body, const std::string& content_type,
                  const std::string& last_modified_text, Time last_modified,
                  const std::string& cache_control) {
  Reply r;
  r.content_type = content_type;
  r.headers = "ETag: " + body->etag() + "\r\n";
  if (!last_modified_text.empty()) r.headers += "Last-Modified: " + last_modified_text + "\r\n";
  r.headers += "Cache-Control: " + cache_control + "\r\n";
  bool not_modified = false;
  if (auto inm = Header(headers, "If-None-Match")) {
    not_modified = IfNoneMatchMatches(*inm, body->etag());
  } else if (auto ims = Header(headers, "If-Modified-Since")) {
    not_modified = !last_modified_text.empty() && NotModifiedSince(*ims, last_modified);
  }
  if (not_modified) {
    r.status = 304;
    r.no_content = true;
  } else {
    r.shared_body = std::move(body);
  }
  return r;
}

// Query parameters a path accepts; anything else is a 400 naming the parameter.
std::optional<Reply> RejectQuery(const Pistache::Http::Uri::Query& query,
                                 std::initializer_list<std::string_view> allowed) {
  for (auto it = query.parameters_begin(); it != query.parameters_end(); ++it) {
    bool ok = false;
    for (auto a : allowed) ok = ok || it->first == a;
    if (!ok) {
      std::string name = it->first.size() > 40 ? it->first.substr(0, 40) + "..." : it->first;
      for (char& c : name) {
        if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) c = '?';
      }
      return Text(400, "unknown query parameter '" + name + "'");
    }
  }
  return std::nullopt;
}

// The major release a list is published in: `?api=` must name it.
std::string_view ApiVersion(ListKind k) {
  return k == ListKind::kGegevensdienstnamenlijst ? "1" : "2";
}

// The current version of a list. At the official name (`signed_path` false) the form is
// options.default_form unless ?signed=true|false says otherwise; /signed/... is always the
// signed form. Every answer names the other form in a Link header.
Reply ServeList(const Snapshot& snap, ListKind kind, bool signed_path,
                const HandlerOptions& options, const Pistache::Http::Uri::Query& query,
                const Pistache::Http::Header::Collection& headers) {
  if (signed_path) {
    if (auto bad = RejectQuery(query, {"api"})) return *bad;
  } else if (auto bad = RejectQuery(query, {"api", "signed"})) {
    return *bad;
  }
  if (auto api = query.get("api")) {
    if (*api != ApiVersion(kind)) {
      return Text(400, "query parameter 'api' must be " + std::string(ApiVersion(kind)));
    }
  }
  ListForm form = signed_path ? ListForm::kSigned : options.default_form;
  if (auto s = query.get("signed")) {
    if (*s == "false") {
      form = ListForm::kStrict;
    } else if (*s == "true") {
      form = ListForm::kSigned;
    } else {
      return Text(400, "query parameter 'signed' must be true or false");
    }
  }
  const ServedList* list = snap.list(kind);
  if (list == nullptr) {
    Reply r = Text(503, "no version of this list has been published yet");
    r.headers += "Retry-After: 5\r\n";
    return r;
  }
  Reply r =
      Conditional(headers, form == ListForm::kSigned ? list->signed_body : list->unsigned_body,
                  "application/xml", list->last_modified_text, list->last_modified,
                  "public, max-age=" + std::to_string(options.max_age_s));
  r.headers += "Link: " + AlternateListLink(kind, form, options.default_form) + "\r\n";
  return r;
}

std::optional<uint64_t> ParseVolgnummer(std::string_view s) {
  if (s.empty() || s.size() > 19 || s.front() == '0') return std::nullopt;
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

// /lists/{list}/versions and /lists/{list}/versions/{n}.xml
Reply ServeVersions(const ContentSource& source, const Snapshot& snap, std::string_view rest,
                    const Pistache::Http::Uri::Query& query,
                    const Pistache::Http::Header::Collection& headers) {
  size_t slash = rest.find('/');
  std::string_view name = rest.substr(0, slash);
  auto kind = ParseListKind(name);
  if (!kind || slash == std::string_view::npos) return Text(404, "not found");
  std::string_view tail = rest.substr(slash);
  if (tail == "/versions") {
    if (auto bad = RejectQuery(query, {})) return *bad;
    const ServedList* list = snap.list(*kind);
    if (list == nullptr) {
      return Json(200, nlohmann::json{{"list", name}, {"versions", nlohmann::json::array()}}.dump(),
                  "no-cache");
    }
    return Json(200, list->versions_json, "public, max-age=0, must-revalidate");
  }
  constexpr std::string_view kPrefix = "/versions/", kSuffix = ".xml";
  if (tail.substr(0, kPrefix.size()) != kPrefix || tail.size() <= kPrefix.size() + kSuffix.size() ||
      tail.substr(tail.size() - kSuffix.size()) != kSuffix) {
    return Text(404, "not found");
  }
  std::string_view number =
      tail.substr(kPrefix.size(), tail.size() - kPrefix.size() - kSuffix.size());
  auto n = ParseVolgnummer(number);
  if (!n) return Text(404, "not found");
  if (auto bad = RejectQuery(query, {"signed"})) return *bad;
  // Archived versions are signed unless ?signed=false asks for that version's strict form.
  ListForm form = ListForm::kSigned;
  if (auto s = query.get("signed")) {
    if (*s == "false") {
      form = ListForm::kStrict;
    } else if (*s != "true") {
      return Text(400, "query parameter 'signed' must be true or false");
    }
  }
  auto archived = source.Archived(*kind, *n, form);
  if (!archived.ok()) return Text(500, "internal error");
  if (!archived->has_value()) return Text(404, "not found");
  auto body = std::make_shared<const ServedBody>(std::move(archived->value().bytes));
  return Conditional(headers, std::move(body), "application/xml", "", Time{},
                     "public, max-age=31536000, immutable");
}

Reply ServeParticipants(const Snapshot& snap, std::string_view rest,
                        const Pistache::Http::Uri::Query& query) {
  if (auto bad = RejectQuery(query, {})) return *bad;
  if (rest.empty()) return Json(200, snap.participants_json, "public, max-age=0, must-revalidate");
  auto it = snap.participant_json.find(std::string(rest));
  if (it == snap.participant_json.end()) return Text(404, "no such participant");
  return Json(200, it->second, "public, max-age=0, must-revalidate");
}

Reply ServeHealth(const ContentSource& source, const Snapshot& snap,
                  const Pistache::Http::Uri::Query& query, Time now) {
  if (auto bad = RejectQuery(query, {})) return *bad;
  nlohmann::json j;
  Status signer = source.SignerUsable(now);
  bool healthy = snap.last_attempt.has_value() && snap.last_ok && signer.ok();
  j["status"] = healthy ? "ok" : "failing";
  j["signing"] = signer.ok() ? "ok" : "unusable";
  j["last_publication"] =
      snap.last_attempt ? nlohmann::json(FormatTime(*snap.last_attempt)) : nlohmann::json(nullptr);
  j["last_successful_publication"] =
      snap.last_success ? nlohmann::json(FormatTime(*snap.last_success)) : nlohmann::json(nullptr);
  nlohmann::json lists = nlohmann::json::object();
  for (ListKind k : kAllLists) {
    const ServedList* l = snap.list(k);
    const ListStatus& st = snap.list_status[static_cast<size_t>(k)];
    lists[std::string(ToString(k))] = {
        {"volgnummer", l ? l->volgnummer : 0},
        {"tijdstempel", l ? nlohmann::json(l->tijdstempel) : nlohmann::json(nullptr)},
        {"last_publication_ok", st.ok},
        {"failures", st.failures}};
  }
  j["lists"] = std::move(lists);
  return Json(healthy ? 200 : 503, j.dump(), "no-store");
}

Reply ServeMetrics(const Snapshot& snap, const RequestMetrics& metrics, const AuditHandler* audit,
                   const Pistache::Http::Uri::Query& query, Time now) {
  if (auto bad = RejectQuery(query, {})) return *bad;
  std::string out;
  out.reserve(2048);
  out += "# HELP medmij_publications_total Publication runs since start-up.\n";
  out += "# TYPE medmij_publications_total counter\n";
  out += "medmij_publications_total " + std::to_string(snap.publications_total) + "\n";
  out += "# HELP medmij_publication_failures_total Failed publications of a list since start-up.\n";
  out += "# TYPE medmij_publication_failures_total counter\n";
  for (ListKind k : kAllLists) {
    out += "medmij_publication_failures_total{list=\"" + std::string(ToString(k)) + "\"} " +
           std::to_string(snap.list_status[static_cast<size_t>(k)].failures) + "\n";
  }
  out += "# HELP medmij_list_volgnummer Volgnummer of the list version being served.\n";
  out += "# TYPE medmij_list_volgnummer gauge\n";
  for (ListKind k : kAllLists) {
    const ServedList* l = snap.list(k);
    out += "medmij_list_volgnummer{list=\"" + std::string(ToString(k)) + "\"} " +
           std::to_string(l ? l->volgnummer : 0) + "\n";
  }
  out += "# HELP medmij_list_publication_ok 1 when the last publication of the list succeeded.\n";
  out += "# TYPE medmij_list_publication_ok gauge\n";
  for (ListKind k : kAllLists) {
    out += "medmij_list_publication_ok{list=\"" + std::string(ToString(k)) + "\"} " +
           (snap.list_status[static_cast<size_t>(k)].ok ? "1" : "0") + "\n";
  }
  out += "# HELP medmij_http_requests_total HTTP requests answered, by status code.\n";
  out += "# TYPE medmij_http_requests_total counter\n";
  for (size_t code = 100; code < metrics.by_code.size(); ++code) {
    uint64_t n = metrics.by_code[code].load(std::memory_order_relaxed);
    if (n != 0) {
      out += "medmij_http_requests_total{code=\"" + std::to_string(code) + "\"} " +
             std::to_string(n) + "\n";
    }
  }
  out +=
      "# HELP medmij_auditor_auth_failures_total Auditor requests refused for a missing or wrong "
      "bearer token.\n";
  out += "# TYPE medmij_auditor_auth_failures_total counter\n";
  out += "medmij_auditor_auth_failures_total " + std::to_string(audit ? audit->AuthFailures() : 0) +
         "\n";
  out +=
      "# HELP medmij_seconds_since_last_publication Seconds since the last successful "
      "publication (-1: none yet).\n";
  out += "# TYPE medmij_seconds_since_last_publication gauge\n";
  double since = -1;
  if (snap.last_success) {
    since = std::chrono::duration<double>(now - *snap.last_success).count();
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3f", since);
  out += std::string("medmij_seconds_since_last_publication ") + buf + "\n";
  Reply r;
  r.content_type = "text/plain; version=0.0.4; charset=utf-8";
  r.body = std::move(out);
  r.headers = "Cache-Control: no-store\r\n";
  return r;
}

Reply RouteUnchecked(const ContentSource& source, const HandlerOptions& options,
                     const RequestMetrics& metrics, Method method, const std::string& resource,
                     const Pistache::Http::Uri::Query& query,
                     const Pistache::Http::Header::Collection& headers, Time now,
                     const AuditHandler* audit) {
  if (resource.size() > options.max_target_bytes) return Text(414, "request target too long");
  if (auto why = RejectPath(resource)) return Text(400, *why);
  bool read_method = method == Method::Get || method == Method::Head;
  std::string_view path = resource;

  std::shared_ptr<const Snapshot> snap = source.Current();
  constexpr std::string_view kSigned = "/signed";
  const bool signed_path = path.substr(0, kSigned.size() + 1) == "/signed/";
  const std::string_view list_path = signed_path ? path.substr(kSigned.size()) : path;
  for (ListKind k : kAllLists) {
    if (list_path.size() == PublishedFileName(k).size() + 1 &&
        list_path.substr(1) == PublishedFileName(k)) {
      if (!read_method) return MethodNotAllowed();
      return ServeList(*snap, k, signed_path, options, query, headers);
    }
  }
  constexpr std::string_view kLists = "/lists/", kParticipants = "/participants";
  if (path.substr(0, kLists.size()) == kLists) {
    Reply r = ServeVersions(source, *snap, path.substr(kLists.size()), query, headers);
    if (r.status != 404 && !read_method) return MethodNotAllowed();
    return r;
  }
  if (path == kParticipants || path.substr(0, kParticipants.size() + 1) == "/participants/") {
    if (!read_method) return MethodNotAllowed();
    std::string_view rest =
        path.size() > kParticipants.size() ? path.substr(kParticipants.size() + 1) : "";
    return ServeParticipants(*snap, rest, query);
  }
  if (path == "/healthz") {
    if (!read_method) return MethodNotAllowed();
    return ServeHealth(source, *snap, query, now);
  }
  if (path == "/metrics") {
    if (!read_method) return MethodNotAllowed();
    return ServeMetrics(*snap, metrics, audit, query, now);
  }
  constexpr std::string_view kAudit = "/audit";
  if (path == kAudit || path.substr(0, kAudit.size() + 1) == "/audit/") {
    if (audit == nullptr) return Text(404, "not found");
    return audit->Serve(method, path.substr(kAudit.size()), query, headers, now);
  }
  return Text(404, "not found");
}

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

Reply Route(const ContentSource& source, const HandlerOptions& options,
            const RequestMetrics& metrics, Method method, const std::string& resource,
            const Pistache::Http::Uri::Query& query,
            const Pistache::Http::Header::Collection& headers, Time now,
            const AuditHandler* audit) {
  try {
    return RouteUnchecked(source, options, metrics, method, resource, query, headers, now, audit);
  } catch (...) {
    return Text(500, "internal error");
  }
}

RegistryHandler::RegistryHandler(std::shared_ptr<const ContentSource> source,
                                 HandlerOptions options, std::shared_ptr<RequestMetrics> metrics,
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
    bool head = request.method() == Method::Head;
    Reply r = Route(*source_, options_, *metrics_, request.method(), request.resource(),
                    request.query(), request.headers(), now, audit_.get());
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
