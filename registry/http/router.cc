#include "registry/http/router.h"

#include <chrono>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "registry/common/decimal.h"
#include "registry/common/text.h"
#include "registry/common/tlog_tiles.h"
#include "registry/domain/list_form.h"
#include "registry/http/http_util.h"
#include "registry/http/register_pages.h"

namespace medmij::http {
namespace {

bool ReadMethod(Method m) {
  return m == Method::kGet || m == Method::kHead;
}

// A representation's validators and caching headers, then the conditional request check
// (RFC 9110 13.2.2: If-None-Match first; If-Modified-Since only without it). `extra_headers`
// (complete lines) go into the 200 and the 304 alike, as RFC 9110 15.4.5 asks of Vary and
// Content-Encoding's validators.
Reply Conditional(const Request& request, std::shared_ptr<const ServedBody> body,
                  const std::string& content_type, const std::string& last_modified_text,
                  Time last_modified, const std::string& cache_control, Time now,
                  std::string_view extra_headers = {}) {
  Reply r;
  r.content_type = content_type;
  r.headers = "ETag: " + body->etag() + "\r\n";
  if (!last_modified_text.empty()) r.headers += "Last-Modified: " + last_modified_text + "\r\n";
  r.headers += "Cache-Control: " + cache_control + "\r\n";
  r.headers += extra_headers;
  bool not_modified = false;
  if (auto inm = request.Header("If-None-Match")) {
    not_modified = IfNoneMatchMatches(*inm, body->etag());
  } else if (auto ims = request.Header("If-Modified-Since")) {
    not_modified = !last_modified_text.empty() && NotModifiedSince(*ims, last_modified, now);
  }
  if (not_modified) {
    r.status = 304;
    r.no_content = true;
  } else {
    r.shared_body = std::move(body);
  }
  return r;
}

// The current version of a list. At the official name (`signed_path` false) the form is
// options.default_form unless ?signed=true|false says otherwise; /signed/... is always the
// signed form. Every answer names the other form in a Link header.
Reply ServeList(const Snapshot& snap, ListKind kind, bool signed_path, const RouterOptions& options,
                const Request& request, Time now) {
  if (signed_path) {
    if (auto bad = RejectQuery(request, {"api"})) return *bad;
  } else if (auto bad = RejectQuery(request, {"api", "signed"})) {
    return *bad;
  }
  const std::string_view api_major = Spec(kind).api_major;
  if (auto api = request.QueryParam("api")) {
    if (*api != api_major) {
      return TextReply(400, "query parameter 'api' must be " + std::string(api_major));
    }
  }
  ListForm form = signed_path ? ListForm::kSigned : options.default_form;
  if (auto s = request.QueryParam("signed")) {
    if (*s == "false") {
      form = ListForm::kStrict;
    } else if (*s == "true") {
      form = ListForm::kSigned;
    } else {
      return TextReply(400, "query parameter 'signed' must be true or false");
    }
  }
  const ServedList* list = snap.list(kind);
  if (list == nullptr) {
    Reply r = TextReply(503, "no version of this list has been published yet");
    r.headers += "Retry-After: 5\r\n";
    return r;
  }
  // The gzip representation (prepared after publication, so possibly not yet there) when the
  // client accepts it; either way the answer depends on Accept-Encoding (Vary).
  const bool signed_form = form == ListForm::kSigned;
  std::shared_ptr<const ServedBody> body = signed_form ? list->signed_body : list->unsigned_body;
  std::string extra = "Vary: Accept-Encoding\r\n";
  const auto& gzip = signed_form ? list->signed_gzip : list->unsigned_gzip;
  if (gzip && AcceptsGzip(request.Header("Accept-Encoding"))) {
    body = gzip;
    extra += "Content-Encoding: gzip\r\n";
  }
  extra += "Link: " + AlternateListLink(kind, form, options.default_form) + "\r\n";
  return Conditional(request, std::move(body), "application/xml", list->last_modified_text,
                     list->last_modified, "public, max-age=" + std::to_string(options.max_age_s),
                     now, extra);
}

std::optional<uint64_t> ParseVolgnummer(std::string_view s) {
  auto v = ParseDecimal(s);
  if (!v || *v == 0) return std::nullopt;
  return v;
}

// /lists/{list}/versions/{n}.event and .tlog-proof: immutable like the version itself (a
// proof is served only once the first checkpoint covering the version has written it).
Reply ServeVersionEvidence(const ContentSource& source, ListKind kind, uint64_t n, bool event,
                           const Request& request, Time now) {
  if (auto bad = RejectQuery(request, {})) return *bad;
  auto bytes = event ? source.VersionEvent(kind, n) : source.VersionProof(kind, n);
  if (!bytes.ok()) return ErrorReply(bytes.status());
  if (!bytes->has_value()) return NotFound();
  auto body = std::make_shared<const ServedBody>(std::move(**bytes));
  return Conditional(request, std::move(body),
                     event ? "application/json" : "text/plain; charset=utf-8", "", Time{},
                     "public, max-age=31536000, immutable", now);
}

// /lists/{list}/versions and /lists/{list}/versions/{n}.xml (.event, .tlog-proof)
Reply ServeVersions(const ContentSource& source, const Snapshot& snap, std::string_view rest,
                    const Request& request, Time now) {
  size_t slash = rest.find('/');
  std::string_view name = rest.substr(0, slash);
  auto kind = ParseListKind(name);
  if (!kind || slash == std::string_view::npos) return NotFound();
  std::string_view tail = rest.substr(slash);
  if (tail == "/versions") {
    if (auto bad = RejectQuery(request, {})) return *bad;
    const ServedList* list = snap.list(*kind);
    if (list == nullptr) {
      return JsonReply(200,
                       nlohmann::json{{"list", name}, {"versions", nlohmann::json::array()}}.dump(),
                       "no-cache");
    }
    return JsonReply(200, list->versions_json, "public, max-age=0, must-revalidate");
  }
  constexpr std::string_view kPrefix = "/versions/";
  if (tail.substr(0, kPrefix.size()) != kPrefix) return NotFound();
  const std::string_view file = tail.substr(kPrefix.size());
  const size_t dot = file.find('.');
  if (dot == std::string_view::npos) return NotFound();
  auto n = ParseVolgnummer(file.substr(0, dot));
  if (!n) return NotFound();
  const std::string_view suffix = file.substr(dot);
  if (suffix == ".event" || suffix == ".tlog-proof") {
    return ServeVersionEvidence(source, *kind, *n, suffix == ".event", request, now);
  }
  if (suffix != ".xml") return NotFound();
  if (auto bad = RejectQuery(request, {"signed"})) return *bad;
  // Archived versions are signed unless ?signed=false asks for that version's strict form.
  ListForm form = ListForm::kSigned;
  if (auto s = request.QueryParam("signed")) {
    if (*s == "false") {
      form = ListForm::kStrict;
    } else if (*s != "true") {
      return TextReply(400, "query parameter 'signed' must be true or false");
    }
  }
  auto archived = source.Archived(*kind, *n, form);
  if (!archived.ok()) return ErrorReply(archived.status());
  if (!archived->has_value()) return NotFound();
  auto body = std::make_shared<const ServedBody>(std::move(archived->value().bytes));
  return Conditional(request, std::move(body), "application/xml", "", Time{},
                     "public, max-age=31536000, immutable", now);
}

// Cache lifetime of /log/checkpoint (seconds).
constexpr int kCheckpointMaxAgeS = 5;

// GET /log/tile/<L>/<N>[.p/<W>] (c2sp.org/tlog-tiles): a hash tile of the latest checkpoint's
// tree. A full tile never changes; a partial one is replaced by a wider one with the next
// checkpoint, so it is cached as briefly as the checkpoint. Entry bundles are for auditors only
// (/audit/log/tile/entries/..., registry/http/audit.h): 404 here.
Reply ServeLogTile(const ContentSource& source, std::string_view tile_path, bool read_method,
                   const Request& request, Time now) {
  auto tile = tiles::ParsePath(tile_path);
  if (!tile) return TextReply(404, std::string(tiles::kNotATile));
  if (tile->entries)
    return TextReply(404, "entry bundles are served to auditors only (/audit/log/)");
  if (!read_method) return MethodNotAllowed();
  if (auto bad = RejectQuery(request, {})) return *bad;
  auto bytes = source.LogTile(*tile);
  if (!bytes.ok()) return ErrorReply(bytes.status());
  if (!bytes->has_value()) return TextReply(404, "no such tile in the latest checkpoint's tree");
  auto body = std::make_shared<const ServedBody>(std::move(**bytes));
  return Conditional(request, std::move(body), "application/octet-stream", "", Time{},
                     tile->full() ? "public, max-age=31536000, immutable"
                                  : "public, max-age=" + std::to_string(kCheckpointMaxAgeS),
                     now);
}

Reply ServeParticipants(const Snapshot& snap, std::string_view rest, const Request& request) {
  if (auto bad = RejectQuery(request, {})) return *bad;
  if (rest.empty()) {
    return JsonReply(200, snap.participants_json, "public, max-age=0, must-revalidate");
  }
  auto it = snap.participant_json.find(std::string(rest));
  if (it == snap.participant_json.end()) return TextReply(404, "no such participant");
  return JsonReply(200, it->second, "public, max-age=0, must-revalidate");
}

// The key-roll condition of /healthz and /metrics: a served list whose signing certificate
// expires within `renew_before` of `now` (or has expired). A publisher re-signs every list as
// soon as it is given another certificate, so this holds only while none was configured.
struct CertificateRenewal {
  bool due = false;
  bool expired = false;
  std::optional<Time> earliest;  // the earliest notAfter among the served lists
  std::string reason;            // one line, when due
};

CertificateRenewal ServedCertificates(const Snapshot& snap, const ListSet& published,
                                      std::chrono::seconds renew_before, Time now) {
  CertificateRenewal r;
  const ServedList* first = nullptr;
  for (ListKind k : kAllLists) {
    const ServedList* l = snap.list(k);
    if (!published.test(static_cast<size_t>(k)) || l == nullptr || !l->certificate_not_after) {
      continue;
    }
    if (!r.earliest || *l->certificate_not_after < *r.earliest) {
      r.earliest = l->certificate_not_after;
      first = l;
    }
  }
  if (first == nullptr || *r.earliest - now > renew_before) return r;
  r.due = true;
  r.expired = now >= *r.earliest;
  const long days =
      static_cast<long>(std::chrono::duration_cast<std::chrono::hours>(renew_before).count() / 24);
  r.reason =
      "the served " + std::string(ToString(first->list)) + " carries signing certificate " +
      first->certificate_subject + (r.expired ? ", expired at " : ", which expires at ") +
      FormatTime(*r.earliest) +
      (r.expired ? "" : " (within [signing] renew_before_days = " + std::to_string(days) + ")") +
      ": configure a new signing certificate and restart the service";
  return r;
}

// /healthz's "store" section: "ok", or "corrupt" with the error and every record named.
nlohmann::json StoreHealth(const Snapshot& snap) {
  if (snap.store_error.empty() && snap.corrupt_records.empty()) return {{"status", "ok"}};
  nlohmann::json records = nlohmann::json::array();
  for (const CorruptRecord& r : snap.corrupt_records) {
    records.push_back({{"table", EscapeForDisplay(r.table)},
                       {"key", EscapeForDisplay(r.key)},
                       {"reason", EscapeForDisplay(r.reason)}});
  }
  return {{"status", "corrupt"},
          {"error", EscapeForDisplay(snap.store_error)},
          {"corrupt_records", std::move(records)},
          {"served", "the last good versions"}};
}

// /healthz's "storage" section: the map's usage ("nearly full" from kMapNearlyFull on) and the
// archive compactor's last run.
nlohmann::json StorageHealth(const std::optional<StorageReport>& storage, bool* ok) {
  *ok = true;
  if (!storage) return {{"status", "unknown"}};
  const double used = storage->map_size_bytes == 0
                          ? 0.0
                          : static_cast<double>(storage->map_used_bytes) /
                                static_cast<double>(storage->map_size_bytes);
  nlohmann::json j = {{"map_used_bytes", storage->map_used_bytes},
                      {"map_size_bytes", storage->map_size_bytes},
                      {"versions_recoded", storage->versions_recoded}};
  if (used >= kMapNearlyFull) {
    *ok = false;
    j["status"] = "nearly full";
    j["reason"] = "the LMDB map is " + std::to_string(static_cast<int>(used * 100)) +
                  "% used; writes (commits and publications) fail once it is full";
  } else {
    j["status"] = "ok";
  }
  j["archive_compaction"] = storage->compaction_error.empty()
                                ? std::string("ok")
                                : "failing: " + EscapeForDisplay(storage->compaction_error);
  return j;
}

// /healthz's "background_verification" section: what the participants' full verifier said of
// each list's latest version; `*ok` false while one disagreed.
nlohmann::json VerificationHealth(const std::optional<VerificationReport>& report,
                                  const ListSet& published, bool* ok) {
  *ok = true;
  if (!report) return {{"status", "off"}, {"reason", "not configured"}};
  if (!report->on) return {{"status", "off"}, {"reason", EscapeForDisplay(report->off_reason)}};
  nlohmann::json lists = nlohmann::json::object();
  for (ListKind k : kAllLists) {
    if (!published.test(static_cast<size_t>(k))) continue;
    const VerificationReport::PerList& l = report->lists[static_cast<size_t>(k)];
    nlohmann::json entry = {{"volgnummer", l.volgnummer}, {"ok", l.ok}};
    if (!l.ok) {
      *ok = false;
      entry["reason"] = EscapeForDisplay(l.reason);
    }
    lists[std::string(ToString(k))] = std::move(entry);
  }
  return {{"status", *ok ? "ok" : "disagrees"},
          {"anchor", EscapeForDisplay(report->anchor)},
          {"lists", std::move(lists)}};
}

Reply ServeHealth(const ContentSource& source, const Snapshot& snap, const RouterOptions& options,
                  const Request& request, Time now) {
  if (auto bad = RejectQuery(request, {})) return *bad;
  const ListSet& published = options.lists;
  nlohmann::json j;
  Status signer = source.SignerUsable(now);
  const CertificateRenewal renewal = ServedCertificates(snap, published, options.renew_before, now);
  const bool store_ok = snap.store_error.empty() && snap.corrupt_records.empty();
  bool storage_ok = true;
  nlohmann::json storage = StorageHealth(source.Storage(), &storage_ok);
  bool verified_ok = true;
  nlohmann::json verification =
      VerificationHealth(source.BackgroundVerification(), published, &verified_ok);
  bool healthy = snap.last_attempt.has_value() && snap.last_ok && signer.ok() && !renewal.due &&
                 store_ok && storage_ok && verified_ok;
  j["status"] = healthy ? "ok" : "failing";
  j["signing"] = signer.ok() ? "ok" : "unusable";
  nlohmann::json served_certificate = {
      {"status", renewal.expired ? "expired"
                 : renewal.due   ? "renewal due"
                                 : "ok"},
      {"not_after",
       renewal.earliest ? nlohmann::json(FormatTime(*renewal.earliest)) : nlohmann::json(nullptr)}};
  if (renewal.due) served_certificate["reason"] = renewal.reason;
  j["served_certificate"] = std::move(served_certificate);
  j["store"] = StoreHealth(snap);
  j["storage"] = std::move(storage);
  j["background_verification"] = std::move(verification);
  j["last_publication"] =
      snap.last_attempt ? nlohmann::json(FormatTime(*snap.last_attempt)) : nlohmann::json(nullptr);
  j["last_successful_publication"] =
      snap.last_success ? nlohmann::json(FormatTime(*snap.last_success)) : nlohmann::json(nullptr);
  nlohmann::json lists = nlohmann::json::object();
  for (ListKind k : kAllLists) {
    if (!published.test(static_cast<size_t>(k))) continue;
    const ServedList* l = snap.list(k);
    const ListStatus& st = snap.list_status[static_cast<size_t>(k)];
    lists[std::string(ToString(k))] = {
        {"volgnummer", l ? l->volgnummer : 0},
        {"tijdstempel", l ? nlohmann::json(l->tijdstempel) : nlohmann::json(nullptr)},
        {"last_publication_ok", st.ok},
        {"failures", st.failures},
        {"certificate_not_after", l && l->certificate_not_after
                                      ? nlohmann::json(FormatTime(*l->certificate_not_after))
                                      : nlohmann::json(nullptr)}};
  }
  j["lists"] = std::move(lists);
  return JsonReply(healthy ? 200 : 503, j.dump(), "no-store");
}

// Prometheus label value: backslash, double quote and line feed escaped (text format 0.0.4).
std::string LabelValue(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

// The corrupt-record gauge: one series per stored record that does not decode.
void AppendStoreMetrics(const Snapshot& snap, std::string& out) {
  out +=
      "# HELP medmij_store_corrupt_record 1 for each stored record that does not decode (the "
      "lists served are the last good versions).\n";
  out += "# TYPE medmij_store_corrupt_record gauge\n";
  for (const CorruptRecord& r : snap.corrupt_records) {
    out += "medmij_store_corrupt_record{table=\"" + LabelValue(EscapeForDisplay(r.table)) +
           "\",key=\"" + LabelValue(EscapeForDisplay(r.key)) + "\"} 1\n";
  }
}

// The map's usage and the archive compactor's counters.
void AppendStorageMetrics(const std::optional<StorageReport>& storage, std::string& out) {
  if (!storage) return;
  auto gauge = [&](const char* name, const char* type, const char* help, uint64_t value) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n" +
           name + " " + std::to_string(value) + "\n";
  };
  gauge("medmij_store_map_used_bytes", "gauge",
        "The LMDB map's high-water mark (writes fail once it reaches the map size).",
        storage->map_used_bytes);
  gauge("medmij_store_map_size_bytes", "gauge", "The LMDB map size ([store] map_size_gib).",
        storage->map_size_bytes);
  gauge("medmij_archive_versions_recoded_total", "counter",
        "Archived list versions re-encoded as keyframes or deltas since start.",
        storage->versions_recoded);
  gauge("medmij_archive_bytes_saved_total", "counter",
        "Bytes the re-encoded versions no longer take (whole minus encoded size).",
        storage->bytes_saved);
  gauge("medmij_archive_compaction_failures_total", "counter",
        "Archive compaction runs that stopped on an error (stderr says which).",
        storage->compaction_failures);
}

// The background verifier's counters, and per list whether its latest check agreed.
void AppendVerificationMetrics(const std::optional<VerificationReport>& report,
                               const std::vector<ListKind>& lists, std::string& out) {
  if (!report || !report->on) return;
  out +=
      "# HELP medmij_background_verifications_total New versions checked with the participants' "
      "full verifier.\n# TYPE medmij_background_verifications_total counter\n"
      "medmij_background_verifications_total " +
      std::to_string(report->checked_total) +
      "\n# HELP medmij_background_verification_disagreements_total Checks in which the "
      "participants' verifier refused a version the service published (an alarm).\n"
      "# TYPE medmij_background_verification_disagreements_total counter\n"
      "medmij_background_verification_disagreements_total " +
      std::to_string(report->disagreements_total) +
      "\n# HELP medmij_list_background_verified 1 when the participants' verifier accepted the "
      "list's latest checked version, 0 when it refused it.\n"
      "# TYPE medmij_list_background_verified gauge\n";
  for (ListKind k : lists) {
    const VerificationReport::PerList& l = report->lists[static_cast<size_t>(k)];
    out += "medmij_list_background_verified{list=\"" + std::string(ToString(k)) + "\"} " +
           (l.ok ? "1" : "0") + "\n";
  }
}

// Seconds from `now` to `t`, with millisecond precision, for a gauge.
std::string SecondsUntil(Time t, Time now) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3f", std::chrono::duration<double>(t - now).count());
  return buf;
}

// The key roll's gauges (ServedCertificates).
void AppendCertificateMetrics(const ContentSource& source, const Snapshot& snap,
                              const std::vector<ListKind>& lists, const RouterOptions& options,
                              Time now, std::string& out) {
  out +=
      "# HELP medmij_list_certificate_seconds_to_expiry Seconds until the signing certificate "
      "the served list carries expires (negative: expired).\n";
  out += "# TYPE medmij_list_certificate_seconds_to_expiry gauge\n";
  for (ListKind k : lists) {
    const ServedList* l = snap.list(k);
    if (l == nullptr || !l->certificate_not_after) continue;
    out += "medmij_list_certificate_seconds_to_expiry{list=\"" + std::string(ToString(k)) + "\"} " +
           SecondsUntil(*l->certificate_not_after, now) + "\n";
  }
  out +=
      "# HELP medmij_list_certificate_renewal_due 1 when the signing certificate the served list "
      "carries expires within [signing] renew_before_days or has expired.\n";
  out += "# TYPE medmij_list_certificate_renewal_due gauge\n";
  for (ListKind k : lists) {
    const ServedList* l = snap.list(k);
    if (l == nullptr || !l->certificate_not_after) continue;
    const bool due = *l->certificate_not_after - now <= options.renew_before;
    out += "medmij_list_certificate_renewal_due{list=\"" + std::string(ToString(k)) + "\"} " +
           (due ? "1" : "0") + "\n";
  }
  if (std::optional<Time> configured = source.SignerNotAfter()) {
    out +=
        "# HELP medmij_signing_certificate_seconds_to_expiry Seconds until the configured signing "
        "certificate expires.\n";
    out += "# TYPE medmij_signing_certificate_seconds_to_expiry gauge\n";
    out += "medmij_signing_certificate_seconds_to_expiry " + SecondsUntil(*configured, now) + "\n";
  }
}

Reply ServeMetrics(const ContentSource& source, const Snapshot& snap, const RouterOptions& options,
                   const RequestMetrics& metrics, const AuditHandler* audit, const Request& request,
                   Time now) {
  if (auto bad = RejectQuery(request, {})) return *bad;
  const ListSet& published = options.lists;
  std::vector<ListKind> lists;
  for (ListKind k : kAllLists) {
    if (published.test(static_cast<size_t>(k))) lists.push_back(k);
  }
  std::string out;
  out.reserve(2048);
  out += "# HELP medmij_publications_total Publication runs since start-up.\n";
  out += "# TYPE medmij_publications_total counter\n";
  out += "medmij_publications_total " + std::to_string(snap.publications_total) + "\n";
  out += "# HELP medmij_publication_failures_total Failed publications of a list since start-up.\n";
  out += "# TYPE medmij_publication_failures_total counter\n";
  for (ListKind k : lists) {
    out += "medmij_publication_failures_total{list=\"" + std::string(ToString(k)) + "\"} " +
           std::to_string(snap.list_status[static_cast<size_t>(k)].failures) + "\n";
  }
  out += "# HELP medmij_list_volgnummer Volgnummer of the list version being served.\n";
  out += "# TYPE medmij_list_volgnummer gauge\n";
  for (ListKind k : lists) {
    const ServedList* l = snap.list(k);
    out += "medmij_list_volgnummer{list=\"" + std::string(ToString(k)) + "\"} " +
           std::to_string(l ? l->volgnummer : 0) + "\n";
  }
  out += "# HELP medmij_list_publication_ok 1 when the last publication of the list succeeded.\n";
  out += "# TYPE medmij_list_publication_ok gauge\n";
  for (ListKind k : lists) {
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
  out += "# HELP medmij_http_connections Open client connections.\n";
  out += "# TYPE medmij_http_connections gauge\n";
  out += "medmij_http_connections " + std::to_string(metrics.connections.load()) + "\n";
  out +=
      "# HELP medmij_http_connections_refused_total Connections closed at once because the "
      "descriptor limit was near.\n";
  out += "# TYPE medmij_http_connections_refused_total counter\n";
  out += "medmij_http_connections_refused_total " +
         std::to_string(metrics.connections_refused.load()) + "\n";
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
  AppendCertificateMetrics(source, snap, lists, options, now, out);
  AppendStoreMetrics(snap, out);
  AppendStorageMetrics(source.Storage(), out);
  AppendVerificationMetrics(source.BackgroundVerification(), lists, out);
  Reply r;
  r.content_type = "text/plain; version=0.0.4; charset=utf-8";
  r.body = std::move(out);
  r.headers = "Cache-Control: no-store\r\n";
  return r;
}

Reply RouteUnchecked(const ContentSource& source, const RouterOptions& options,
                     const RequestMetrics& metrics, const Request& request, Time now,
                     const AuditHandler* audit) {
  const std::string& resource = request.path;
  if (resource.size() > options.max_target_bytes) return TextReply(414, "request target too long");
  if (auto why = RejectPath(resource)) return TextReply(400, *why);
  const bool read_method = ReadMethod(request.method);
  std::string_view path = resource;

  std::shared_ptr<const Snapshot> snap = source.Current();
  constexpr std::string_view kSigned = "/signed";
  const bool signed_path = path.substr(0, kSigned.size() + 1) == "/signed/";
  const std::string_view list_path = signed_path ? path.substr(kSigned.size()) : path;
  for (ListKind k : kAllLists) {
    if (list_path.size() == PublishedFileName(k).size() + 1 &&
        list_path.substr(1) == PublishedFileName(k)) {
      if (!options.lists.test(static_cast<size_t>(k))) return NotFound();
      if (!read_method) return MethodNotAllowed();
      return ServeList(*snap, k, signed_path, options, request, now);
    }
  }
  constexpr std::string_view kLists = "/lists/", kParticipants = "/participants";
  if (path.substr(0, kLists.size()) == kLists) {
    Reply r = ServeVersions(source, *snap, path.substr(kLists.size()), request, now);
    if (r.status != 404 && !read_method) return MethodNotAllowed();
    return r;
  }
  if (path == kParticipants || path.substr(0, kParticipants.size() + 1) == "/participants/") {
    if (!read_method) return MethodNotAllowed();
    std::string_view rest =
        path.size() > kParticipants.size() ? path.substr(kParticipants.size() + 1) : "";
    return ServeParticipants(*snap, rest, request);
  }
  if (path == "/healthz") {
    if (!read_method) return MethodNotAllowed();
    return ServeHealth(source, *snap, options, request, now);
  }
  if (path == "/metrics") {
    if (!read_method) return MethodNotAllowed();
    return ServeMetrics(source, *snap, options, metrics, audit, request, now);
  }
  if (path == "/log/checkpoint") {
    if (!read_method) return MethodNotAllowed();
    if (auto bad = RejectQuery(request, {})) return *bad;
    auto note = source.LogCheckpoint();
    if (!note) return NotFound();
    // A new checkpoint follows every commit: caches keep it only briefly.
    Reply r;
    r.body = *note;
    r.headers = "Cache-Control: public, max-age=" + std::to_string(kCheckpointMaxAgeS) + "\r\n";
    return r;
  }
  constexpr std::string_view kLogTile = "/log/tile/";
  if (path.starts_with(kLogTile)) {
    return ServeLogTile(source, path.substr(std::string_view("/log/").size()), read_method, request,
                        now);
  }
  constexpr std::string_view kAudit = "/audit";
  if (path == kAudit || path.substr(0, kAudit.size() + 1) == "/audit/") {
    if (audit == nullptr) return NotFound();
    return audit->Serve(request, path.substr(kAudit.size()), now);
  }
  if (IsRegisterPath(path)) {
    if (!read_method) return MethodNotAllowed();
    return ServeRegisterPage(*snap, request);
  }
  return NotFoundFor(*snap, request);
}

}  // namespace

Reply Route(const ContentSource& source, const RouterOptions& options,
            const RequestMetrics& metrics, const Request& request, Time now,
            const AuditHandler* audit) {
  try {
    return RouteUnchecked(source, options, metrics, request, now, audit);
  } catch (...) {
    return TextReply(500, "internal error");
  }
}

}  // namespace medmij::http
