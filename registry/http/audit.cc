#include "registry/http/audit.h"

#include <map>
#include <vector>

#include <nlohmann/json.hpp>

#include "audit/make_bundle.h"
#include "registry/common/decimal.h"
#include "registry/common/tlog_tiles.h"
#include "registry/domain/json.h"
#include "registry/domain/policy.h"
#include "registry/domain/validate.h"
#include "registry/ops/history.h"

namespace medmij::http {
namespace {

// A 200 JSON document, never cached.
Reply Json(const nlohmann::json& doc) {
  return JsonReply(200, doc.dump());
}

Reply Unauthorized(bool presented) {
  Reply r =
      TextReply(401, presented ? "invalid auditor credentials" : "auditor credentials required");
  r.headers +=
      presented ? "WWW-Authenticate: Bearer realm=\"medmij-registry\", error=\"invalid_token\"\r\n"
                : "WWW-Authenticate: Bearer realm=\"medmij-registry\"\r\n";
  return r;
}

// A decimal in [lo, hi] (no sign, no leading zeros), or nullopt.
std::optional<uint64_t> ParseCount(std::string_view s, uint64_t lo, uint64_t hi) {
  auto v = ParseDecimal(s, hi);
  if (!v || *v < lo) return std::nullopt;
  return v;
}

// The auditors' entry bundles (below /audit).
constexpr std::string_view kEntryBundles = "/log/tile/entries/";

}  // namespace

AuditEndpoints::AuditEndpoints(const store::Store& store,
                               std::shared_ptr<const AuditorTokens> tokens, AuditOptions options,
                               LatestCheckpoint latest_checkpoint)
    : store_(store),
      tokens_(std::move(tokens)),
      options_(options),
      latest_checkpoint_(std::move(latest_checkpoint)) {}

Reply AuditEndpoints::Serve(const Request& request, std::string_view path, Time) const {
  try {
    // Authentication comes first: without credentials nothing about /audit is revealed.
    auto authorization = request.Header("Authorization");
    if (!authorization || !tokens_ || !tokens_->Authenticate(*authorization)) {
      auth_failures_.fetch_add(1);
      return Unauthorized(authorization.has_value());
    }
    if (request.method != Method::kGet && request.method != Method::kHead) {
      // Only for paths that exist; others stay 404 whatever the method.
      bool known = path == "/journal" || path == "/journal/verify" ||
                   path.starts_with("/participants/") || path.starts_with(kEntryBundles);
      return known ? MethodNotAllowed() : NotFound();
    }
    return ServeAuthorized(path, request);
  } catch (...) {
    return ErrorReply(Status::Internal("audit request failed"));
  }
}

Reply AuditEndpoints::ServeAuthorized(std::string_view path, const Request& request) const {
  if (path == "/journal") return Journal(request);
  if (path == "/journal/verify") return Verify(request);
  if (path.starts_with(kEntryBundles)) {
    return EntryBundle(path.substr(std::string_view("/log/").size()), request);
  }
  constexpr std::string_view kParticipants = "/participants/", kHistory = "/history",
                             kBundle = "/bundle";
  if (path.starts_with(kParticipants)) {
    std::string_view rest = path.substr(kParticipants.size());
    bool history = rest.ends_with(kHistory);
    bool bundle = !history && rest.ends_with(kBundle);
    if (history) rest.remove_suffix(kHistory.size());
    if (bundle) rest.remove_suffix(kBundle.size());
    if (rest.empty() || rest.find('/') != std::string_view::npos) return NotFound();
    std::string id(rest);
    if (Status st = ValidateParticipantId(id, "participant id"); !st.ok()) return ErrorReply(st);
    if (bundle) return Bundle(id, request);
    return history ? History(id, request) : StateAt(id, request);
  }
  return NotFound();
}

Reply AuditEndpoints::Journal(const Request& request) const {
  if (auto bad = RejectQuery(request, {"from", "limit"})) return *bad;
  uint64_t from = 1, limit = options_.default_limit;
  if (auto v = request.QueryParam("from")) {
    auto n = ParseCount(*v, 1, UINT64_MAX / 2);
    if (!n) return TextReply(400, "query parameter 'from' must be an event seq (1, 2, ...)");
    from = *n;
  }
  if (auto v = request.QueryParam("limit")) {
    auto n = ParseCount(*v, 1, options_.max_limit);
    if (!n) {
      return TextReply(400,
                       "query parameter 'limit' must be 1.." + std::to_string(options_.max_limit));
    }
    limit = *n;
  }
  auto reader = store_.BeginRead();
  if (!reader.ok()) return ErrorReply(reader.status());
  auto length = (*reader)->JournalLength();
  if (!length.ok()) return ErrorReply(length.status());
  Reply r;
  r.content_type = "application/x-ndjson";
  uint64_t count = 0, last = 0;
  Status read = (*reader)->ForEachStoredEvent(
      from, [&](const store::JournalEvent& e, std::string_view stored) {
        r.body += stored;  // the stored bytes, which the hash covers
        r.body += '\n';
        last = e.seq;
        return ++count < limit;
      });
  if (!read.ok()) return ErrorReply(read);
  r.headers = "Cache-Control: no-store\r\nX-Journal-Length: " + std::to_string(*length) + "\r\n";
  if (count == limit && last < *length) {
    r.headers += "Link: </audit/journal?from=" + std::to_string(last + 1) +
                 "&limit=" + std::to_string(limit) + ">; rel=\"next\"\r\n";
  }
  return r;
}

Reply AuditEndpoints::Verify(const Request& request) const {
  if (auto bad = RejectQuery(request, {})) return *bad;
  Status s = store_.VerifyJournal();
  if (!s.ok()) return Json({{"ok", false}, {"error", s.message()}});
  auto reader = store_.BeginRead();
  if (!reader.ok()) return ErrorReply(reader.status());
  auto length = (*reader)->JournalLength();
  if (!length.ok()) return ErrorReply(length.status());
  return Json({{"ok", true}, {"events", *length}});
}

Reply AuditEndpoints::History(const std::string& id, const Request& request) const {
  if (auto bad = RejectQuery(request, {})) return *bad;
  auto reader = store_.BeginRead();
  if (!reader.ok()) return ErrorReply(reader.status());
  auto participant = (*reader)->GetParticipant(id);
  if (!participant.ok()) return ErrorReply(participant.status());
  if (!*participant) return TextReply(404, "no such participant");
  nlohmann::json rows = nlohmann::json::array();
  Status read = (*reader)->ForEachEvent(1, [&](const store::JournalEvent& e) {
    if (ops::EventTouchesParticipant(e, id)) {
      nlohmann::json row = e.meta;
      row["seq"] = e.seq;
      rows.push_back(std::move(row));
    }
    return true;
  });
  if (!read.ok()) return ErrorReply(read);
  return Json(rows);
}

Reply AuditEndpoints::StateAt(const std::string& id, const Request& request) const {
  if (auto bad = RejectQuery(request, {"at"})) return *bad;
  auto at_text = request.QueryParam("at");
  if (!at_text) return TextReply(400, "query parameter 'at' is required (ISO 8601 time)");
  auto at = ParseTime(*at_text, "query parameter 'at'");
  if (!at.ok()) return ErrorReply(at.status());
  auto state = store_.StateAt(*at);
  if (!state.ok()) return ErrorReply(state.status());
  auto e = ops::ExplainInState(*state, id, *at);
  if (!e) {
    return TextReply(404, "participant '" + id + "' did not exist at " + FormatTime(*at));
  }
  nlohmann::json doc = ops::ToJson(*e);
  doc["state"] = e->participant;
  return Json(doc);
}

Reply AuditEndpoints::EntryBundle(std::string_view tile_path, const Request& request) const {
  auto tile = tiles::ParsePath(tile_path);
  if (!tile || !tile->entries) return TextReply(404, std::string(tiles::kNotATile));
  if (auto bad = RejectQuery(request, {})) return *bad;
  const std::optional<uint64_t> size = options_.log_size ? options_.log_size() : std::nullopt;
  if (!size || !tiles::InTree(*tile, *size)) {
    return TextReply(404, "no such entry bundle in the latest checkpoint's tree");
  }
  auto reader = store_.BeginRead();
  if (!reader.ok()) return ErrorReply(reader.status());
  std::vector<std::string> stored;
  stored.reserve(tile->width);
  Status read = (*reader)->ForEachStoredEvent(
      tile->index * tiles::kWidth + 1, [&](const store::JournalEvent&, std::string_view bytes) {
        stored.emplace_back(bytes);
        return stored.size() < tile->width;
      });
  if (!read.ok()) return ErrorReply(read);
  if (stored.size() != tile->width) {
    return ErrorReply(Status::Corruption("the journal is shorter than the signed checkpoint"));
  }
  std::vector<std::string_view> entries(stored.begin(), stored.end());
  auto bundle = tiles::EncodeEntries(entries);
  // An event over 65535 bytes does not fit the format: a failure of the log, not the request.
  if (!bundle.ok()) return ErrorReply(Status::Internal(bundle.status().message()));
  Reply r;
  r.content_type = "application/octet-stream";
  r.headers = "Cache-Control: no-store\r\n";
  r.body = std::move(bundle).value();
  return r;
}

Reply AuditEndpoints::Bundle(const std::string& id, const Request& request) const {
  if (auto bad = RejectQuery(request, {})) return *bad;
  if (!latest_checkpoint_) {
    return TextReply(404,
                     "this registry keeps no transparency log ([transparency] key not "
                     "configured): no evidence bundles");
  }
  // The note first: a read begun after it sees at least the journal it was signed over.
  std::shared_ptr<const std::string> note = latest_checkpoint_();
  if (!note) {
    Reply r = TextReply(503, "no signed checkpoint yet; retry shortly");
    r.headers += "Retry-After: 1\r\n";
    return r;
  }
  auto reader = store_.BeginRead();
  if (!reader.ok()) return ErrorReply(reader.status());
  auto bundle = audit::MakeBundle(**reader, id, *note);
  if (!bundle.ok()) return ErrorReply(bundle.status());
  Reply r;
  r.content_type = "application/json";
  r.body = audit::EncodeBundle(*bundle);
  r.headers = "Cache-Control: no-store\r\n";
  return r;
}

}  // namespace medmij::http
