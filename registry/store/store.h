// The registry's LMDB store: the only code that includes lmdb.h.
//
// One environment holds the state tables, the journal (a SHA-256 hash chain of events) and the
// archive of published list versions. Every mutation happens in one WriteTxn and is committed
// together with exactly one journal event that records, for every record the transaction put or
// erased, the value before and after. State never changes without its event; an event is never
// written without its state change. Many processes may open the same environment; LMDB's writer
// lock serialises WriteTxns across them.
//
// Stored values are the canonical JSON of the domain types (registry/domain/json.h). Every read
// returns a Status or Result: a record that does not decode is kCorruption naming its table and
// key ("participants/acme: stored record does not decode: ..."), so one bad record fails only
// the reads that need it. Nothing here throws for stored data.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "registry/common/merkle.h"
#include "registry/common/progress.h"
#include "registry/common/status.h"
#include "registry/common/time.h"
#include "registry/common/tlog_tiles.h"
#include "registry/domain/types.h"

namespace medmij::store {

// The journaled state tables. Their names appear in journal events and must never change.
enum class Table {
  kParticipants,         // "participants": id -> Participant
  kNodes,                // "nodes": hostname -> Node
  kOAuthClients,         // "oauth_clients": hostname -> OAuthClient
  kServices,             // "services": id -> DataService
  kProviders,            // "providers": name -> Provider
  kCases,                // "cases": id -> ComplianceCase
  kTerminationRequests,  // "termination_requests": id -> TerminationRequest
  kCounters,             // "counters": name -> number (ids of cases and requests)
  kListVersions,         // "list_versions": "<list>/<20-digit volgnummer>" -> ListVersion
  kListBytes,            // "list_bytes": same key -> signed XML; journaled by sha256 and size
};
// The number of Tables: one past the last enumerator (keep it so when adding one; the table
// declaration in tables.h checks that every Table has its row).
inline constexpr size_t kJournaledTableCount = static_cast<size_t>(Table::kListBytes) + 1;
std::string_view TableName(Table t);
std::optional<Table> ParseTableName(std::string_view name);

// One record changed by an event. `before`/`after` are absent for a create/erase. For kListBytes
// they hold {"sha256": hex, "size": n} instead of the bytes.
struct Change {
  Table table = Table::kParticipants;
  std::string key;
  std::optional<nlohmann::json> before;
  std::optional<nlohmann::json> after;
};

// What the caller says about a mutation when committing it.
struct EventMeta {
  Time at{};
  std::string operator_name;
  std::string command;  // "participant activate", "import", "publish", ...
  std::string subject;  // "participant:acme-pgo", "provider:x@medmij", "list:whitelist", ...
  std::string reason;
  bool operator==(const EventMeta&) const = default;
};

// A journal event. Stored as the canonical JSON of every field but `hash`, written once and never
// re-encoded; `hash` = SHA-256 (hex) over `prev_hash` followed by those stored bytes, computed
// when the event is read (see journal.h); the first event's prev_hash is 64 zeros.
struct JournalEvent {
  uint64_t seq = 0;  // 1, 2, 3, ... without gaps
  EventMeta meta;
  std::vector<Change> changes;
  std::string prev_hash;
  std::string hash;
};

// A published list version's metadata (the bytes are kept beside it).
struct ListVersion {
  ListKind list = ListKind::kWhitelist;
  uint64_t volgnummer = 0;
  Time tijdstempel{};
  std::string sha256;          // of the signed bytes, hex
  uint64_t size = 0;           // of the signed bytes
  std::string content_digest;  // hex SHA-256 of the entries only: equal content, equal digest
  bool operator==(const ListVersion&) const = default;
};

// JSON forms of the store's own types, canonical like the domain codec (registry/domain/json.h;
// from_json throws medmij::JsonDecodeError naming the field). The journal's stored event is
// json(JournalEvent).dump() as written at append (no "hash": it is computed from the stored
// bytes); journal.h documents the encoding and the hash.
//   ListVersion:  {"list","volgnummer","tijdstempel","sha256","size","content_digest"}
//   EventMeta:    {"at","operator","command","subject","reason"}
//   Change:       {"table","key","before"?,"after"?}   (absent before/after omitted)
//   JournalEvent: {"seq","meta","changes","prev_hash"}   (from_json leaves `hash` empty)
void to_json(nlohmann::json& j, const ListVersion& v);
void from_json(const nlohmann::json& j, ListVersion& v);
void to_json(nlohmann::json& j, const EventMeta& v);
void from_json(const nlohmann::json& j, EventMeta& v);
void to_json(nlohmann::json& j, const Change& v);
void from_json(const nlohmann::json& j, Change& v);
void to_json(nlohmann::json& j, const JournalEvent& v);
void from_json(const nlohmann::json& j, JournalEvent& v);

// A journal event as stored (Reader::ArchivingEvent).
struct LoggedEvent {
  uint64_t seq = 0;
  std::string stored;  // the bytes its hash and its log leaf cover
};

// A list version with the event that archived it (Reader::VersionsArchivedIn).
struct LoggedVersion {
  ListKind list = ListKind::kWhitelist;
  uint64_t volgnummer = 0;
  LoggedEvent event;
};

// A stored record that does not decode (Reader::CorruptRecords).
struct CorruptRecord {
  std::string table;   // a Table's name, "journal" or "meta"
  std::string key;     // as stored (a journal event: its seq in decimal)
  std::string reason;  // the decoder's
  bool operator==(const CorruptRecord&) const = default;
};

struct OpenOptions {
  // LMDB map size: the most the environment may grow to. The file is sparse; only what is used
  // takes disk. A full map is reported as Status kResourceExhausted, nothing half-written.
  uint64_t map_size = uint64_t{32} << 30;
  bool read_only = false;
  // Open read-only, instead of failing, when this process may not write the data dir (its
  // data file, its lock file or, without a lock file, its directory: permissions or a read-only
  // file system). Store::read_only() then says so and BeginWrite names the cause. For tools
  // whose read commands must work for a user who may only read (medmij-admin).
  bool read_only_if_not_writable = false;
  bool create = true;  // create the directory and environment when missing
};

class Store;

// Typed reads inside one transaction; everything read through one Reader is one consistent
// snapshot. Not safe for concurrent use; one transaction per thread.
//
// Every read returns a Result (or Status): a missing key is an empty optional, never an error;
// an error is LMDB's (kIoError, kResourceExhausted, ...), kCorruption for a stored record that
// does not decode (naming table and key), or, in a WriteTxn whose write failed, that first
// failure (see WriteTxn). MEDMIJ_ASSIGN_OR_RETURN / MEDMIJ_RETURN_IF_ERROR propagate them.
class Reader {
 public:
  virtual ~Reader();  // out of line: Impl is complete only in store.cc

  Result<std::optional<Participant>> GetParticipant(std::string_view id) const;
  Result<std::optional<Node>> GetNode(std::string_view hostname) const;
  Result<std::optional<OAuthClient>> GetOAuthClient(std::string_view hostname) const;
  Result<std::optional<DataService>> GetService(std::string_view id) const;
  Result<std::optional<Provider>> GetProvider(std::string_view name) const;
  Result<std::optional<ComplianceCase>> GetCase(std::string_view id) const;
  Result<std::optional<TerminationRequest>> GetTerminationRequest(std::string_view id) const;

  // Secondary lookups, ordered by hostname/name/id.
  Result<std::vector<Node>> NodesOf(std::string_view participant) const;
  Result<std::vector<OAuthClient>> OAuthClientsOf(std::string_view participant) const;
  Result<std::vector<Provider>> ProvidersOf(std::string_view dva) const;
  Result<std::vector<ComplianceCase>> CasesOf(std::string_view participant) const;
  // Whole tables, by key. With `corrupt`, a record that does not decode is appended there and
  // skipped instead of failing the read (listings that show what they can).
  Result<std::vector<Participant>> AllParticipants(
      std::vector<CorruptRecord>* corrupt = nullptr) const;
  Result<std::vector<DataService>> AllServices(std::vector<CorruptRecord>* corrupt = nullptr) const;
  Result<std::vector<ComplianceCase>> AllCases(std::vector<CorruptRecord>* corrupt = nullptr) const;
  Result<std::vector<TerminationRequest>> AllTerminationRequests(
      std::vector<CorruptRecord>* corrupt = nullptr) const;

  // All state tables at once.
  Result<RegistryState> LoadState() const;

  // Archive.
  Result<std::optional<ListVersion>> CurrentListVersion(ListKind list) const;
  Result<std::vector<ListVersion>> ListVersions(ListKind list) const;  // ascending volgnummer
  Result<std::optional<ListVersion>> GetListVersion(ListKind list, uint64_t volgnummer) const;
  Result<std::optional<std::string>> GetListBytes(ListKind list, uint64_t volgnummer) const;
  // The journal event that archived list version (list, volgnummer), as ArchivedListVersion
  // (archive_event.h) defines it: its seq and its stored bytes exactly (what its log leaf
  // covers; they name the version's sha256). One index lookup. nullopt for a version never
  // archived (or whose event does not archive it by that definition); kCorruption for an
  // index entry that names no event.
  Result<std::optional<LoggedEvent>> ArchivingEvent(ListKind list, uint64_t volgnummer) const;
  // Every version (of every list, by list then volgnummer) whose archiving event has a seq in
  // (after_seq, upto_seq], with that event. O(log n) index reads per list plus one per version
  // returned (a list's versions are archived in volgnummer order).
  Result<std::vector<LoggedVersion>> VersionsArchivedIn(uint64_t after_seq,
                                                        uint64_t upto_seq) const;

  // Journal, in seq order. `fn` returns false to stop early (still ok()).
  Result<uint64_t> JournalLength() const;
  Status ForEachEvent(uint64_t from_seq, const std::function<bool(const JournalEvent&)>& fn) const;
  // The same, with each event's stored bytes (what its hash covers; valid during the call).
  Status ForEachStoredEvent(
      uint64_t from_seq,
      const std::function<bool(const JournalEvent&, std::string_view stored)>& fn) const;

  // The transparency log: the RFC 6962 tree over the journal's stored events (leaf i is event
  // seq i + 1, leaf hash SHA-256(0x00 || stored bytes)). Each reads O(log n) stored hashes.
  // kNotFound for a size beyond JournalLength() (or an index not below `size`); kCorruption for
  // a tree hash that is missing or malformed.
  Result<merkle::Hash> TreeHash(uint64_t size) const;
  Result<std::vector<merkle::Hash>> InclusionProof(uint64_t index, uint64_t size) const;
  Result<std::vector<merkle::Hash>> ConsistencyProof(uint64_t old_size, uint64_t new_size) const;
  // The hashes of the C2SP hash tile (level, index) `width` hashes wide (1..256; 256 is a full
  // tile; `tile.entries` must be false): the roots of the complete subtrees at tree level
  // 8 * level, indexes index * 256 .. index * 256 + width - 1 (registry/common/tlog_tiles.h).
  // O(width) reads. kNotFound when the journal's tree does not hold them all (a tile beyond the
  // tree or wider than it has grown); kCorruption for a hash that is missing or malformed;
  // kInvalidArgument for an entry bundle or a level or width out of range.
  Result<std::vector<merkle::Hash>> TileHashes(const tiles::Tile& tile) const;

  // Generic access for check/replay: raw canonical JSON of one record, or nullopt.
  Result<std::optional<std::string>> GetRaw(Table table, std::string_view key) const;
  Status ForEachRaw(
      Table table,
      const std::function<void(std::string_view key, std::string_view value)>& fn) const;

  // Every stored record that does not decode: each state table's and the archive's records,
  // the counters, the journal's events and its head, in that order (`check` reports them all).
  // Reads the whole environment. The Result fails only when LMDB does.
  Result<std::vector<CorruptRecord>> CorruptRecords() const;

 protected:
  struct Impl;
  explicit Reader(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  friend class Store;
};

using ReadTxn = Reader;

// A write transaction. Aborts in its destructor unless Commit() succeeded. Every Put/Erase is
// recorded as a Change for the journal event that Commit() appends, except a Put whose canonical
// JSON is byte-equal to the stored record and an Erase of a missing key: those change nothing and
// record nothing (re-importing the same data appends no event). Errors from LMDB (map full,
// disk), a key longer than 511 bytes, a string that is not UTF-8, a stored record that does not
// decode and PutListVersion of an existing version are sticky: later Puts are no-ops, every later
// read (Reader's methods) returns that error, and Commit() returns it, having written nothing.
// (LMDB's transaction is dead after a failed put; a read must not turn that into "not found".)
// REQUIRES: no other write transaction on this thread (BeginWrite refuses one rather than
// deadlock); commit or destroy it on the thread that began it.
class WriteTxn : public Reader {
 public:
  ~WriteTxn() override;
  WriteTxn(const WriteTxn&) = delete;
  WriteTxn& operator=(const WriteTxn&) = delete;

  void Put(const Participant& p);
  void Put(const Node& n);
  void Put(const OAuthClient& c);
  void Put(const DataService& s);
  void Put(const Provider& p);
  void Put(const ComplianceCase& c);
  void Put(const TerminationRequest& r);
  void EraseNode(std::string_view hostname);
  void EraseOAuthClient(std::string_view hostname);
  void EraseProvider(std::string_view name);

  // Archives a published version; versions are immutable: putting an existing (list,
  // volgnummer) is an error (kAlreadyExists) reported by Commit().
  void PutListVersion(const ListVersion& v, std::string_view signed_bytes);

  // Replaces how archived version (list, volgnummer) is stored by `encoded`, another encoding
  // of the same bytes (archive_encoding.h; CompactArchive checks that it decodes to them). Not a
  // change of state: nothing is recorded and no event appended, and Commit() commits it even
  // without an event. The version must be archived and still stored whole (kFailedPrecondition
  // otherwise, e.g. when another compactor got there first).
  void RecodeListBytes(ListKind list, uint64_t volgnummer, std::string_view encoded);

  // Next value of a named counter, starting at 1 ("case" -> 1, 2, ...). Journaled.
  Result<uint64_t> NextCounter(std::string_view name);

  // Number of changes recorded so far in this transaction (including those already in events
  // appended with AppendEvent).
  size_t ChangeCount() const;

  // Appends one journal event with `meta` and every change recorded since the last
  // AppendEvent, then commits. With no such change, appends no event (but still commits events
  // appended earlier with AppendEvent). Returns the seq of the last event appended by this
  // transaction (0 if none).
  Result<uint64_t> Commit(const EventMeta& meta);

  // For bulk operations (import) that want one event per record within one transaction:
  // appends an event for the changes recorded since the last AppendEvent, without committing.
  // With no such change, appends nothing.
  void AppendEvent(const EventMeta& meta);

 private:
  explicit WriteTxn(std::unique_ptr<Impl> impl);
  friend class Store;
};

// The environment. Safe for concurrent use from many threads (each with its own transactions).
class Store {
 public:
  // Opens (and with options.create, initialises) the environment in `dir`, or, when `dir` is a
  // regular file (a backup), that file. Checks the schema
  // version, upgrading where a step exists, and clears reader slots of dead processes.
  static Result<std::unique_ptr<Store>> Open(const std::filesystem::path& dir,
                                             const OpenOptions& options = {});
  ~Store();

  Result<std::unique_ptr<ReadTxn>> BeginRead() const;
  Result<std::unique_ptr<WriteTxn>> BeginWrite();

  // The id of the newest commit a read transaction begun now sees: it moves whenever any process
  // commits, and a read begun after it was returned sees at least that commit.
  uint64_t LastTxnId() const;

  // A consistent copy to `file` (created with mode 0600, must not exist, fsynced, then renamed
  // into place). Open() accepts the file itself as well as a directory, so `--data-dir FILE`
  // opens a backup. `progress`, if set, is called with the bytes copied and an estimate of the
  // total (the environment's used pages; the compacted copy is at most that).
  Status Backup(const std::filesystem::path& file, const ProgressFn& progress = {}) const;

  // Recomputes every hash of the journal; reports the first altered, removed or reordered event.
  // `progress`, if set, is called after each event with the events checked and the journal's
  // length.
  Status VerifyJournal(const ProgressFn& progress = {}) const;

  // Replays the journal from empty and compares the result with the state tables, the archive,
  // the secondary indexes, the transparency log's tree hashes (recomputed from the stored
  // events), the index of the events that archived each list version and the state history
  // StateAt reads (every record version and the event of each time). Reports the first
  // difference. `progress`, if set, is called after each event replayed and after each table,
  // index and log comparison (total: the journal's length plus those comparisons).
  Status Check(const ProgressFn& progress = {}) const;

  // How full the LMDB map is: `used` is the high-water mark of its pages (what a write needs
  // room beyond), `size` the map size; both in bytes.
  struct MapUsage {
    uint64_t used = 0;
    uint64_t size = 0;
  };
  Result<MapUsage> Usage() const;

  // State as it was at time `t`: the journal replayed up to the last event with at <= t (a prefix
  // of the journal, so always a state that existed even if clocks stepped back). Reads the
  // state history kept beside the journal (schema 5): one seek for the event, then O(log n)
  // per record key that ever existed, not the journal.
  Result<RegistryState> StateAt(Time t) const;
  // The same by replaying the journal from its first event: O(events). The reference StateAt
  // is tested against, and a benchmark's baseline.
  Result<RegistryState> ReplayStateAt(Time t) const;

  const std::filesystem::path& dir() const;
  // Opened read-only (asked for, or OpenOptions::read_only_if_not_writable applied).
  bool read_only() const;

 private:
  struct Env;
  explicit Store(std::unique_ptr<Env> env);
  std::unique_ptr<Env> env_;
};

// Re-encodes archived list versions that are still stored whole, except the newest of each
// list (the one being served), as keyframes and deltas (archive_encoding.h), oldest first, one
// write transaction per version and at most `max_versions` in one call. Each new encoding is
// decoded again and compared with the version's recorded sha256 before it replaces the whole
// value, so a reader never gets other bytes back. No journal event: the state does not change.
struct CompactReport {
  size_t recoded = 0;         // versions re-encoded by this call
  uint64_t bytes_before = 0;  // their whole size
  uint64_t bytes_after = 0;   // their encoded size
  bool more = false;          // stopped at max_versions with versions left
};
Result<CompactReport> CompactArchive(Store& store, size_t max_versions = SIZE_MAX);

inline constexpr int kSchemaVersion = 5;

}  // namespace medmij::store
