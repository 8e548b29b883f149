// The auditor endpoints of medmij-registry (DESIGN.md, Interfaces), behind bearer tokens
// (registry/http/auditors.h). They read the store directly - never the served snapshot - and
// answer what `medmij-admin journal export|verify` and `participant history [--at]` answer:
//
//   GET /audit/journal?from=SEQ&limit=N     JSON Lines, one canonical stored event per line
//       (json(JournalEvent).dump(), byte-equal to `journal export`), seq >= from (default 1),
//       at most limit (default 1000, max 10000). Headers: X-Journal-Length (events in the
//       journal in the snapshot read), and when more follow, Link: <...from=NEXT...>; rel="next".
//   GET /audit/journal/verify               {"ok":true,"events":N} or {"ok":false,"error":"..."}
//   GET /audit/participants/{id}/history    [{seq, at, operator, command, subject, reason}, ...]
//       every event that touched the participant (ops::EventTouchesParticipant)
//   GET /audit/participants/{id}/bundle     the participant's evidence bundle (audit/bundle.h)
//       under the latest signed checkpoint (audit::MakeBundle; medmij-audit verify-bundle checks
//       it); 404 without a log key, 503 with Retry-After before the first checkpoint
//   GET /audit/participants/{id}?at=TIME    the participant as recorded at TIME (ISO 8601) with
//       its standing and lists then: {participant, at, status, good_standing, standing_reasons,
//       lists, state}
//   GET /audit/log/tile/entries/<N>[.p/<W>] the C2SP tlog-tiles entry bundle of the latest
//       signed checkpoint's tree (AuditOptions::log_size; 404 without one): the stored bytes of
//       events N*256+1 .. N*256+W (leaves N*256 ..), each with a big-endian uint16 length
//       (application/octet-stream). Full bundles and partial ones no wider than that bundle has
//       grown in that tree exist (tiles::InTree: also an older tree's). Not public: events carry
//       reasons and operators.
//
// Every answer says Cache-Control: no-store. Without a valid token: 401 with WWW-Authenticate.
// Cost: journal pages are O(limit); verify and history read the whole journal; state-at reads
// the state history (Store::StateAt: O(record keys · log n), not the journal). The server runs them
// on its audit worker threads, never on a reactor thread (ServerOptions::audit_threads,
// registry/http/work_pool.h): list downloads are not held up behind them, and beyond the threads
// and their queue a request gets 503 with Retry-After.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "registry/http/auditors.h"
#include "registry/http/router.h"
#include "registry/store/store.h"

namespace medmij::http {

struct AuditOptions {
  uint64_t default_limit = 1000;
  uint64_t max_limit = 10000;
  // The tree size of the latest signed transparency-log checkpoint, or nullopt before the
  // first; unset: the service signs none, and entry bundles are 404. Safe for concurrent use.
  std::function<std::optional<uint64_t>()> log_size;
};

// The latest signed checkpoint of the transparency log (a C2SP signed note), or null before
// the first. Safe for concurrent use.
using LatestCheckpoint = std::function<std::shared_ptr<const std::string>()>;

class AuditEndpoints : public AuditHandler {
 public:
  // `store` must outlive this object. Without `latest_checkpoint` the registry keeps no
  // transparency log (no [transparency] key) and bundles are 404.
  AuditEndpoints(const store::Store& store, std::shared_ptr<const AuditorTokens> tokens,
                 AuditOptions options = {}, LatestCheckpoint latest_checkpoint = {});

  Reply Serve(const Request& request, std::string_view path, Time now) const override;
  uint64_t AuthFailures() const override { return auth_failures_.load(); }

 private:
  Reply ServeAuthorized(std::string_view path, const Request& request) const;
  Reply Journal(const Request& request) const;
  Reply Verify(const Request& request) const;
  Reply History(const std::string& id, const Request& request) const;
  Reply StateAt(const std::string& id, const Request& request) const;
  Reply EntryBundle(std::string_view tile_path, const Request& request) const;
  Reply Bundle(const std::string& id, const Request& request) const;

  const store::Store& store_;
  std::shared_ptr<const AuditorTokens> tokens_;
  AuditOptions options_;
  LatestCheckpoint latest_checkpoint_;
  mutable std::atomic<uint64_t> auth_failures_{0};
};

}  // namespace medmij::http
