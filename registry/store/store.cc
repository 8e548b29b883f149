#include "registry/store/store.h"

#include <fcntl.h>
#include <lmdb.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <map>
#include <mutex>
#include <set>
#include <system_error>
#include <utility>

#include "registry/common/sha256.h"
#include "registry/domain/json.h"
#include "registry/store/journal.h"
#include "registry/store/lmdb_raii.h"

namespace medmij::store {

using nlohmann::json;

// ---------------------------------------------------------------------------------------------
// Tables.

namespace {

constexpr std::array<std::pair<Table, std::string_view>, 10> kTableNames{{
    {Table::kParticipants, "participants"},
    {Table::kNodes, "nodes"},
    {Table::kOAuthClients, "oauth_clients"},
    {Table::kServices, "services"},
    {Table::kProviders, "providers"},
    {Table::kCases, "cases"},
    {Table::kTerminationRequests, "termination_requests"},
    {Table::kCounters, "counters"},
    {Table::kListVersions, "list_versions"},
    {Table::kListBytes, "list_bytes"},
}};

// Every DBI of the environment, opened once at Open(). The first ten are the journaled tables in
// Table order.
enum Dbi : size_t {
  kMetaDbi = 10,
  kJournalDbi,
  kNodesByParticipantDbi,
  kOAuthClientsByParticipantDbi,
  kProvidersByDvaDbi,
  kCasesByParticipantDbi,
  kDbiCount,
};

constexpr std::array<std::string_view, kDbiCount> kDbiNames{
    "participants",
    "nodes",
    "oauth_clients",
    "services",
    "providers",
    "cases",
    "termination_requests",
    "counters",
    "list_versions",
    "list_bytes",
    "meta",
    "journal",
    "idx_nodes_by_participant",
    "idx_oauth_clients_by_participant",
    "idx_providers_by_dva",
    "idx_cases_by_participant",
};

size_t DbiOf(Table t) {
  return static_cast<size_t>(t);
}

// A secondary index: entries "<owner>\0<primary key>" with an empty value, where owner is the
// record's `field`.
struct IndexDef {
  Table table;
  size_t dbi;
  const char* field;
};
constexpr std::array<IndexDef, 4> kIndexes{{
    {Table::kNodes, kNodesByParticipantDbi, "participant"},
    {Table::kOAuthClients, kOAuthClientsByParticipantDbi, "participant"},
    {Table::kProviders, kProvidersByDvaDbi, "dva"},
    {Table::kCases, kCasesByParticipantDbi, "participant"},
}};

const IndexDef* IndexFor(Table t) {
  for (const auto& idx : kIndexes) {
    if (idx.table == t) return &idx;
  }
  return nullptr;
}

std::string IndexKey(std::string_view owner, std::string_view key) {
  std::string k(owner);
  k += '\0';
  k += key;
  return k;
}

std::string Printable(std::string_view index_key) {
  std::string s(index_key);
  for (char& c : s) {
    if (c == '\0') c = '/';
  }
  return s;
}

constexpr std::string_view kSchemaVersionKey = "schema_version";
constexpr std::string_view kJournalHeadKey = "journal_head";

std::string ListKey(ListKind list, uint64_t volgnummer) {
  std::string n = std::to_string(volgnummer);
  return std::string(ToString(list)) + "/" + std::string(20 - n.size(), '0') + n;
}

std::string Where(Table t, std::string_view key) {
  return std::string(TableName(t)) + "/" + std::string(key);
}

json BytesDigest(std::string_view bytes) {
  return json{{"sha256", Sha256Hex(bytes)}, {"size", bytes.size()}};
}

}  // namespace

std::string_view TableName(Table t) {
  return kTableNames[static_cast<size_t>(t)].second;
}

std::optional<Table> ParseTableName(std::string_view name) {
  for (const auto& [t, n] : kTableNames) {
    if (n == name) return t;
  }
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------------
// The environment core shared by the Store and its transactions.

namespace internal {

struct EnvCore {
  MDB_env* env = nullptr;
  std::array<MDB_dbi, kDbiCount> dbi{};
  std::filesystem::path path;  // as given to Open()
  bool read_only = false;

  Status Error(int rc, std::string_view what) const {
    std::string context = path.string() + ": " + std::string(what);
    switch (rc) {
      case MDB_MAP_FULL: {
        MDB_envinfo info{};
        mdb_env_info(env, &info);
        return Status::Exhausted("database is full (map size " +
                                 std::to_string(info.me_mapsize >> 20) + " MiB): " + context +
                                 "; nothing of this transaction was written");
      }
      case MDB_TXN_FULL:
        return Status::Exhausted("transaction too large: " + context +
                                 "; nothing of this transaction was written");
      case MDB_MAP_RESIZED:
        // Remapping under live readers of other threads is unsafe, so this is not retried.
        return Status::IoError(context +
                               ": another process grew the map beyond this process's map size; "
                               "reopen the data dir with a map size at least as large");
      case MDB_READERS_FULL:
        return Status::Exhausted("too many concurrent readers: " + context);
      case MDB_BAD_VALSIZE:
        return Status::Invalid(std::string(what) + ": key empty or longer than " +
                               std::to_string(mdb_env_get_maxkeysize(env)) + " bytes");
      case MDB_CORRUPTED:
      case MDB_PAGE_NOTFOUND:
      case MDB_INVALID:
      case MDB_VERSION_MISMATCH:
      case MDB_INCOMPATIBLE:
      case MDB_PANIC:
        return Status::Corruption(context + ": " + mdb_strerror(rc));
      default:
        return Status::IoError(context + ": " + mdb_strerror(rc));
    }
  }
};

}  // namespace internal

using internal::EnvCore;

// ---------------------------------------------------------------------------------------------
// One environment per path per process: LMDB forbids opening the same environment twice in one
// process (its locks are per process; closing one handle would release the other's).

namespace {

struct FileId {
  dev_t dev;
  ino_t ino;
  auto operator<=>(const FileId&) const = default;
};

std::mutex& OpenPathsMutex() {
  static std::mutex m;
  return m;
}
std::set<FileId>& OpenPaths() {
  static std::set<FileId> paths;
  return paths;
}

// Holds a registration in OpenPaths() for its lifetime.
class PathClaim {
 public:
  PathClaim() = default;
  explicit PathClaim(FileId id) : id_(id) {}
  PathClaim(PathClaim&& o) noexcept : id_(std::exchange(o.id_, std::nullopt)) {}
  PathClaim& operator=(PathClaim&&) = delete;
  ~PathClaim() {
    if (id_) {
      std::lock_guard<std::mutex> lock(OpenPathsMutex());
      OpenPaths().erase(*id_);
    }
  }

  static std::optional<PathClaim> Claim(FileId id) {
    std::lock_guard<std::mutex> lock(OpenPathsMutex());
    if (!OpenPaths().insert(id).second) return std::nullopt;
    return PathClaim(id);
  }

 private:
  std::optional<FileId> id_;
};

Status Errno(const std::string& context, int err) {
  return Status::IoError(context + ": " + std::strerror(err));
}

}  // namespace

// Members are destroyed in reverse order: the environment is closed before the claim on its path
// is released.
struct Store::Env {
  PathClaim claim;
  lmdb::EnvPtr env;
  EnvCore core;
};

// ---------------------------------------------------------------------------------------------
// Reader.

namespace {
// Environments in which this thread holds a write transaction. LMDB's writer lock is not
// recursive: a second BeginWrite on the same thread would wait forever for itself.
thread_local std::set<const EnvCore*> t_writing;
}  // namespace

namespace internal {

// A transaction's state: the body of Reader::Impl, named here so that helpers outside the Reader
// classes can use it.
struct TxnState {
  const EnvCore* core = nullptr;
  lmdb::Txn txn;
  bool write = false;

  // Write transactions only.
  Status error;                 // sticky: the first failure
  std::vector<Change> pending;  // changes since the last appended event
  size_t total_changes = 0;
  uint64_t head_seq = 0;
  std::string head_hash = journal::kGenesisHash;
  uint64_t events_appended = 0;
  bool holds_write_slot = false;  // this txn's entry in t_writing

  TxnState() = default;
  TxnState(const TxnState&) = delete;
  TxnState& operator=(const TxnState&) = delete;
  ~TxnState() { EndWrite(/*commit=*/false); }

  // Ends a write transaction: commits (returning LMDB's code) or aborts, and frees the thread's
  // write slot.
  int EndWrite(bool commit) {
    int rc = MDB_SUCCESS;
    if (commit) {
      rc = txn.Commit();
    } else {
      txn.Abort();
    }
    if (holds_write_slot) {
      t_writing.erase(core);
      holds_write_slot = false;
    }
    return rc;
  }

  // The value at `key` in `dbi`, valid until the next write in this transaction.
  std::optional<std::string_view> Get(size_t dbi, std::string_view key) const {
    if (!txn) {
      if (write) return std::nullopt;  // finished or failed: Commit() reports why
      throw CorruptionError("read on a finished transaction");
    }
    MDB_val k = lmdb::Val(key), v{};
    int rc = mdb_get(txn.get(), core->dbi[dbi], &k, &v);
    if (rc == MDB_SUCCESS) return lmdb::View(v);
    if (rc == MDB_NOTFOUND || rc == MDB_BAD_VALSIZE) return std::nullopt;  // no such key
    if (write && !error.ok()) return std::nullopt;  // the txn failed; Commit() reports why
    throw CorruptionError(core->Error(rc, "get " + std::string(kDbiNames[dbi])).message());
  }

  // Calls fn(key, value) for each entry with key >= `from` that starts with `prefix`, in key
  // order, until fn returns false.
  template <typename F>
  void Scan(size_t dbi, std::string_view prefix, std::string_view from, F&& fn) const {
    if (!txn) {
      if (write) return;
      throw CorruptionError("read on a finished transaction");
    }
    int rc = 0;
    lmdb::Cursor cursor(txn.get(), core->dbi[dbi], rc);
    if (rc != MDB_SUCCESS) {
      if (write && !error.ok()) return;
      throw CorruptionError(core->Error(rc, "cursor").message());
    }
    std::string start = from.empty() ? std::string(prefix) : std::string(from);
    MDB_val k = lmdb::Val(start), v{};
    rc = start.empty() ? cursor.Get(k, v, MDB_FIRST) : cursor.Get(k, v, MDB_SET_RANGE);
    while (rc == MDB_SUCCESS) {
      std::string_view key = lmdb::View(k);
      if (key.substr(0, prefix.size()) != prefix) return;
      if (!fn(key, lmdb::View(v))) return;
      rc = cursor.Get(k, v, MDB_NEXT);
    }
    if (rc != MDB_NOTFOUND && !(write && !error.ok())) {
      throw CorruptionError(core->Error(rc, "scan " + std::string(kDbiNames[dbi])).message());
    }
  }

  // The last entry whose key starts with `prefix`, or nullopt.
  std::optional<std::pair<std::string_view, std::string_view>> Last(size_t dbi,
                                                                    std::string_view prefix) const {
    if (!txn) {
      if (write) return std::nullopt;
      throw CorruptionError("read on a finished transaction");
    }
    int rc = 0;
    lmdb::Cursor cursor(txn.get(), core->dbi[dbi], rc);
    if (rc != MDB_SUCCESS) {
      if (write && !error.ok()) return std::nullopt;
      throw CorruptionError(core->Error(rc, "cursor").message());
    }
    // Every key with the prefix sorts before the prefix with its last byte incremented.
    std::string upper(prefix);
    upper.back() = static_cast<char>(upper.back() + 1);
    MDB_val k = lmdb::Val(upper), v{};
    rc = cursor.Get(k, v, MDB_SET_RANGE);
    rc = rc == MDB_SUCCESS ? cursor.Get(k, v, MDB_PREV)
                           : (rc == MDB_NOTFOUND ? cursor.Get(k, v, MDB_LAST) : rc);
    if (rc == MDB_NOTFOUND) return std::nullopt;
    if (rc != MDB_SUCCESS) {
      if (write && !error.ok()) return std::nullopt;
      throw CorruptionError(core->Error(rc, "seek " + std::string(kDbiNames[dbi])).message());
    }
    std::string_view key = lmdb::View(k);
    if (key.substr(0, prefix.size()) != prefix) return std::nullopt;
    return std::make_pair(key, lmdb::View(v));
  }

  template <typename T>
  static T DecodeRecord(Table t, std::string_view key, std::string_view bytes) {
    try {
      return json::parse(bytes).get<T>();
    } catch (const std::exception& e) {
      throw CorruptionError(Where(t, key) + ": stored record does not decode: " + e.what());
    }
  }

  template <typename T>
  std::optional<T> GetTyped(Table t, std::string_view key) const {
    auto raw = Get(DbiOf(t), key);
    if (!raw) return std::nullopt;
    return DecodeRecord<T>(t, key, *raw);
  }

  template <typename T>
  std::vector<T> All(Table t) const {
    std::vector<T> out;
    Scan(DbiOf(t), "", "", [&](std::string_view k, std::string_view v) {
      out.push_back(DecodeRecord<T>(t, k, v));
      return true;
    });
    return out;
  }

  template <typename T>
  std::vector<T> ByOwner(Table t, std::string_view owner) const {
    const IndexDef* idx = IndexFor(t);
    std::string prefix = IndexKey(owner, "");
    std::vector<T> out;
    Scan(idx->dbi, prefix, "", [&](std::string_view k, std::string_view) {
      std::string_view key = k.substr(prefix.size());
      auto rec = GetTyped<T>(t, key);
      if (!rec) {
        throw CorruptionError(std::string(kDbiNames[idx->dbi]) + ": entry '" + Printable(k) +
                              "' points to no record");
      }
      out.push_back(std::move(*rec));
      return true;
    });
    return out;
  }

  template <typename T>
  void LoadInto(Table t, std::map<std::string, T>& out) const {
    Scan(DbiOf(t), "", "", [&](std::string_view k, std::string_view v) {
      out.emplace(std::string(k), DecodeRecord<T>(t, k, v));
      return true;
    });
  }

  // ---- Writes. Each is a no-op once `error` is set.

  void SetError(Status s) {
    if (error.ok()) error = std::move(s);
  }

  bool Usable() {
    if (!error.ok()) return false;
    if (!txn) {
      SetError(Status::Internal("write on a finished transaction"));
      return false;
    }
    return true;
  }

  bool RawPut(size_t dbi, std::string_view key, std::string_view value, unsigned flags,
              std::string_view what) {
    MDB_val k = lmdb::Val(key), v = lmdb::Val(value);
    int rc = mdb_put(txn.get(), core->dbi[dbi], &k, &v, flags);
    if (rc != MDB_SUCCESS) {
      SetError(core->Error(rc, std::string(what)));
      return false;
    }
    return true;
  }

  bool RawDel(size_t dbi, std::string_view key, std::string_view what) {
    MDB_val k = lmdb::Val(key);
    int rc = mdb_del(txn.get(), core->dbi[dbi], &k, nullptr);
    if (rc != MDB_SUCCESS && rc != MDB_NOTFOUND) {
      SetError(core->Error(rc, std::string(what)));
      return false;
    }
    return true;
  }

  static std::string Owner(Table t, std::string_view key, const json& record, const IndexDef& idx) {
    auto it = record.find(idx.field);
    if (it == record.end() || !it->is_string()) {
      throw CorruptionError(Where(t, key) + ": record has no string field '" + idx.field + "'");
    }
    return it->get<std::string>();
  }

  // Writes `value` at (t, key), maintains the table's index and records the change. A value
  // byte-equal to the stored one is not written and records no change.
  void PutRecord(Table t, const std::string& key, json value) {
    if (!Usable()) return;
    std::string bytes;
    try {
      bytes = value.dump();
    } catch (const json::exception& e) {
      SetError(Status::Invalid(Where(t, key) + ": cannot encode record: " + e.what()));
      return;
    }
    std::optional<json> before;
    if (auto old = Get(DbiOf(t), key)) {
      if (*old == bytes) return;
      try {
        before = json::parse(*old);
      } catch (const json::exception& e) {
        throw CorruptionError(Where(t, key) + ": stored record is not JSON: " + e.what());
      }
    }
    if (!RawPut(DbiOf(t), key, bytes, 0, "put " + Where(t, key))) return;
    if (const IndexDef* idx = IndexFor(t)) {
      std::string owner = Owner(t, key, value, *idx);
      std::optional<std::string> old_owner;
      if (before) old_owner = Owner(t, key, *before, *idx);
      if (old_owner != owner) {
        if (old_owner && !RawDel(idx->dbi, IndexKey(*old_owner, key), "index " + Where(t, key))) {
          return;
        }
        if (!RawPut(idx->dbi, IndexKey(owner, key), "", 0, "index " + Where(t, key))) return;
      }
    }
    Record(Change{t, key, std::move(before), std::move(value)});
  }

  void EraseRecord(Table t, const std::string& key) {
    if (!Usable()) return;
    auto old = Get(DbiOf(t), key);
    if (!old) return;
    json before;
    try {
      before = json::parse(*old);
    } catch (const json::exception& e) {
      throw CorruptionError(Where(t, key) + ": stored record is not JSON: " + e.what());
    }
    if (!RawDel(DbiOf(t), key, "erase " + Where(t, key))) return;
    if (const IndexDef* idx = IndexFor(t)) {
      if (!RawDel(idx->dbi, IndexKey(Owner(t, key, before, *idx), key), "index " + Where(t, key))) {
        return;
      }
    }
    Record(Change{t, key, std::move(before), std::nullopt});
  }

  void Record(Change c) {
    pending.push_back(std::move(c));
    ++total_changes;
  }

  void AppendEvent(const EventMeta& meta) {
    if (!Usable() || pending.empty()) return;
    JournalEvent ev;
    ev.seq = head_seq + 1;
    ev.meta = meta;
    ev.changes = std::move(pending);
    pending.clear();
    ev.prev_hash = head_hash;
    std::string stored;
    try {
      stored = journal::Seal(ev);
    } catch (const json::exception& e) {
      SetError(Status::Invalid("journal event: cannot encode: " + std::string(e.what())));
      return;
    }
    MDB_val k{}, v{};
    std::string key = journal::SeqKey(ev.seq);
    k = lmdb::Val(key);
    v = lmdb::Val(stored);
    int rc = mdb_put(txn.get(), core->dbi[kJournalDbi], &k, &v, MDB_APPEND);
    if (rc == MDB_KEYEXIST) {
      SetError(Status::Corruption(core->path.string() + ": journal holds events beyond its head " +
                                  std::to_string(head_seq)));
      return;
    }
    if (rc != MDB_SUCCESS) {
      SetError(core->Error(rc, "append journal event " + std::to_string(ev.seq)));
      return;
    }
    head_seq = ev.seq;
    head_hash = ev.hash;
    ++events_appended;
  }
};

}  // namespace internal

struct Reader::Impl : internal::TxnState {};

namespace {

struct JournalHead {
  uint64_t seq = 0;
  std::string hash = journal::kGenesisHash;
};

// Reads the head from `meta`; a missing head is the empty journal.
JournalHead ReadHead(const internal::TxnState& impl);

}  // namespace

Reader::Reader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Reader::~Reader() = default;

std::optional<Participant> Reader::GetParticipant(std::string_view id) const {
  return impl_->GetTyped<Participant>(Table::kParticipants, id);
}
std::optional<Node> Reader::GetNode(std::string_view hostname) const {
  return impl_->GetTyped<Node>(Table::kNodes, hostname);
}
std::optional<OAuthClient> Reader::GetOAuthClient(std::string_view hostname) const {
  return impl_->GetTyped<OAuthClient>(Table::kOAuthClients, hostname);
}
std::optional<DataService> Reader::GetService(std::string_view id) const {
  return impl_->GetTyped<DataService>(Table::kServices, id);
}
std::optional<Provider> Reader::GetProvider(std::string_view name) const {
  return impl_->GetTyped<Provider>(Table::kProviders, name);
}
std::optional<ComplianceCase> Reader::GetCase(std::string_view id) const {
  return impl_->GetTyped<ComplianceCase>(Table::kCases, id);
}
std::optional<TerminationRequest> Reader::GetTerminationRequest(std::string_view id) const {
  return impl_->GetTyped<TerminationRequest>(Table::kTerminationRequests, id);
}

std::vector<Node> Reader::NodesOf(std::string_view participant) const {
  return impl_->ByOwner<Node>(Table::kNodes, participant);
}
std::vector<OAuthClient> Reader::OAuthClientsOf(std::string_view participant) const {
  return impl_->ByOwner<OAuthClient>(Table::kOAuthClients, participant);
}
std::vector<Provider> Reader::ProvidersOf(std::string_view dva) const {
  return impl_->ByOwner<Provider>(Table::kProviders, dva);
}
std::vector<ComplianceCase> Reader::CasesOf(std::string_view participant) const {
  return impl_->ByOwner<ComplianceCase>(Table::kCases, participant);
}
std::vector<Participant> Reader::AllParticipants() const {
  return impl_->All<Participant>(Table::kParticipants);
}
std::vector<DataService> Reader::AllServices() const {
  return impl_->All<DataService>(Table::kServices);
}
std::vector<ComplianceCase> Reader::AllCases() const {
  return impl_->All<ComplianceCase>(Table::kCases);
}
std::vector<TerminationRequest> Reader::AllTerminationRequests() const {
  return impl_->All<TerminationRequest>(Table::kTerminationRequests);
}

RegistryState Reader::LoadState() const {
  RegistryState s;
  impl_->LoadInto(Table::kParticipants, s.participants);
  impl_->LoadInto(Table::kNodes, s.nodes);
  impl_->LoadInto(Table::kOAuthClients, s.oauth_clients);
  impl_->LoadInto(Table::kServices, s.services);
  impl_->LoadInto(Table::kProviders, s.providers);
  impl_->LoadInto(Table::kCases, s.cases);
  impl_->LoadInto(Table::kTerminationRequests, s.termination_requests);
  return s;
}

std::optional<ListVersion> Reader::CurrentListVersion(ListKind list) const {
  // Keys are "<list>/<20 digits>", so the last key with that prefix is the highest volgnummer.
  std::string prefix = std::string(ToString(list)) + "/";
  auto last = impl_->Last(DbiOf(Table::kListVersions), prefix);
  if (!last) return std::nullopt;
  return Impl::DecodeRecord<ListVersion>(Table::kListVersions, last->first, last->second);
}

std::vector<ListVersion> Reader::ListVersions(ListKind list) const {
  std::vector<ListVersion> out;
  std::string prefix = std::string(ToString(list)) + "/";
  impl_->Scan(DbiOf(Table::kListVersions), prefix, "", [&](std::string_view k, std::string_view v) {
    out.push_back(Impl::DecodeRecord<ListVersion>(Table::kListVersions, k, v));
    return true;
  });
  return out;
}

std::optional<ListVersion> Reader::GetListVersion(ListKind list, uint64_t volgnummer) const {
  return impl_->GetTyped<ListVersion>(Table::kListVersions, ListKey(list, volgnummer));
}

std::optional<std::string> Reader::GetListBytes(ListKind list, uint64_t volgnummer) const {
  auto raw = impl_->Get(DbiOf(Table::kListBytes), ListKey(list, volgnummer));
  if (!raw) return std::nullopt;
  return std::string(*raw);
}

uint64_t Reader::JournalLength() const {
  if (impl_->write) return impl_->head_seq;
  return ReadHead(*impl_).seq;
}

void Reader::ForEachEvent(uint64_t from_seq,
                          const std::function<bool(const JournalEvent&)>& fn) const {
  std::string from = journal::SeqKey(from_seq);
  impl_->Scan(kJournalDbi, "", from, [&](std::string_view k, std::string_view v) {
    JournalEvent ev;
    try {
      ev = journal::Decode(v);
    } catch (const std::exception& e) {
      auto seq = journal::ParseSeqKey(k);
      throw CorruptionError("journal event " + (seq ? std::to_string(*seq) : Printable(k)) +
                            ": does not decode: " + e.what());
    }
    return fn(ev);
  });
}

std::optional<std::string> Reader::GetRaw(Table table, std::string_view key) const {
  auto raw = impl_->Get(DbiOf(table), key);
  if (!raw) return std::nullopt;
  return std::string(*raw);
}

void Reader::ForEachRaw(Table table,
                        const std::function<void(std::string_view, std::string_view)>& fn) const {
  impl_->Scan(DbiOf(table), "", "", [&](std::string_view k, std::string_view v) {
    fn(k, v);
    return true;
  });
}

namespace {

JournalHead ReadHead(const internal::TxnState& impl) {
  JournalHead head;
  auto raw = impl.Get(kMetaDbi, kJournalHeadKey);
  if (!raw) return head;
  try {
    json j = json::parse(*raw);
    head.seq = j.at("seq").get<uint64_t>();
    head.hash = j.at("hash").get<std::string>();
  } catch (const json::exception& e) {
    throw CorruptionError("meta/journal_head does not decode: " + std::string(e.what()));
  }
  return head;
}

std::string EncodeHead(uint64_t seq, const std::string& hash) {
  return json{{"seq", seq}, {"hash", hash}}.dump();
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// WriteTxn.

WriteTxn::WriteTxn(std::unique_ptr<Impl> impl) : Reader(std::move(impl)) {}
WriteTxn::~WriteTxn() {
  impl_->EndWrite(/*commit=*/false);
}  // no-op after Commit()

void WriteTxn::Put(const Participant& p) {
  impl_->PutRecord(Table::kParticipants, p.id, p);
}
void WriteTxn::Put(const Node& n) {
  impl_->PutRecord(Table::kNodes, n.hostname, n);
}
void WriteTxn::Put(const OAuthClient& c) {
  impl_->PutRecord(Table::kOAuthClients, c.hostname, c);
}
void WriteTxn::Put(const DataService& s) {
  impl_->PutRecord(Table::kServices, s.id, s);
}
void WriteTxn::Put(const Provider& p) {
  impl_->PutRecord(Table::kProviders, p.name, p);
}
void WriteTxn::Put(const ComplianceCase& c) {
  impl_->PutRecord(Table::kCases, c.id, c);
}
void WriteTxn::Put(const TerminationRequest& r) {
  impl_->PutRecord(Table::kTerminationRequests, r.id, r);
}
void WriteTxn::EraseNode(std::string_view hostname) {
  impl_->EraseRecord(Table::kNodes, std::string(hostname));
}
void WriteTxn::EraseOAuthClient(std::string_view hostname) {
  impl_->EraseRecord(Table::kOAuthClients, std::string(hostname));
}
void WriteTxn::EraseProvider(std::string_view name) {
  impl_->EraseRecord(Table::kProviders, std::string(name));
}

void WriteTxn::PutListVersion(const ListVersion& v, std::string_view signed_bytes) {
  if (!impl_->Usable()) return;
  std::string key = ListKey(v.list, v.volgnummer);
  if (impl_->Get(DbiOf(Table::kListVersions), key) || impl_->Get(DbiOf(Table::kListBytes), key)) {
    impl_->SetError(Status::Exists("list version " + std::string(ToString(v.list)) + " " +
                                   std::to_string(v.volgnummer) +
                                   " is already archived; versions are immutable"));
    return;
  }
  impl_->PutRecord(Table::kListVersions, key, v);
  if (!impl_->Usable()) return;
  if (!impl_->RawPut(DbiOf(Table::kListBytes), key, signed_bytes, 0,
                     "put " + Where(Table::kListBytes, key))) {
    return;
  }
  impl_->Record(Change{Table::kListBytes, key, std::nullopt, BytesDigest(signed_bytes)});
}

uint64_t WriteTxn::NextCounter(std::string_view name) {
  if (!impl_->Usable()) return 0;
  uint64_t value = 0;
  if (auto raw = impl_->Get(DbiOf(Table::kCounters), name)) {
    json j;
    try {
      j = json::parse(*raw);
    } catch (const json::exception& e) {
      throw CorruptionError(Where(Table::kCounters, name) + ": not a number: " + e.what());
    }
    if (!j.is_number_unsigned()) {
      throw CorruptionError(Where(Table::kCounters, name) + ": not a number: " + j.dump());
    }
    value = j.get<uint64_t>();
  }
  impl_->PutRecord(Table::kCounters, std::string(name), json(value + 1));
  return impl_->error.ok() ? value + 1 : 0;
}

size_t WriteTxn::ChangeCount() const {
  return impl_->total_changes;
}

void WriteTxn::AppendEvent(const EventMeta& meta) {
  impl_->AppendEvent(meta);
}

Result<uint64_t> WriteTxn::Commit(const EventMeta& meta) {
  Impl& w = *impl_;
  w.AppendEvent(meta);
  if (!w.error.ok()) {
    w.EndWrite(/*commit=*/false);
    return w.error;
  }
  if (!w.txn) return Status::Internal("Commit on a finished transaction");
  if (w.events_appended == 0) {
    w.EndWrite(/*commit=*/false);
    return uint64_t{0};
  }
  if (!w.RawPut(kMetaDbi, kJournalHeadKey, EncodeHead(w.head_seq, w.head_hash), 0,
                "put journal head")) {
    w.EndWrite(/*commit=*/false);
    return w.error;
  }
  int rc = w.EndWrite(/*commit=*/true);
  if (rc != MDB_SUCCESS) {
    w.SetError(w.core->Error(rc, "commit"));
    return w.error;
  }
  return w.head_seq;
}

// ---------------------------------------------------------------------------------------------
// Store.

namespace {

// Schema upgrades: the step that takes a data dir from `from` to `from + 1`, run inside the
// write transaction of Open(). Version 1 is the first schema, so there is no step yet; a new
// schema adds {1, &UpgradeFrom1} here and raises kSchemaVersion.
struct UpgradeStep {
  int from;
  Status (*apply)(MDB_txn* txn, const EnvCore& core);
};
constexpr std::array<UpgradeStep, 0> kUpgradeSteps{};

Result<int> ParseSchemaVersion(std::string_view raw, const std::filesystem::path& path) {
  int v = 0;
  if (raw.empty() || raw.size() > 6) {
    return Status::Corruption(path.string() + ": meta/schema_version is not a number");
  }
  for (char c : raw) {
    if (c < '0' || c > '9') {
      return Status::Corruption(path.string() + ": meta/schema_version is not a number");
    }
    v = v * 10 + (c - '0');
  }
  return v;
}

Status NewerSchema(int version) {
  return Status::Refused("data dir has schema version " + std::to_string(version) +
                         "; this build knows " + std::to_string(kSchemaVersion));
}

// Opens every DBI in `txn` and brings the schema to kSchemaVersion (read-write) or checks that
// it is kSchemaVersion (read-only). With `create`, an empty environment is initialised.
Status InitDbis(EnvCore& core, MDB_txn* txn, bool create) {
  unsigned flags = core.read_only ? 0 : MDB_CREATE;
  for (size_t i = 0; i < kDbiCount; ++i) {
    int rc = mdb_dbi_open(txn, std::string(kDbiNames[i]).c_str(), flags, &core.dbi[i]);
    if (rc == MDB_NOTFOUND) {
      return Status::NotFound(core.path.string() + " is not a registry data dir (no table '" +
                              std::string(kDbiNames[i]) + "')");
    }
    if (rc != MDB_SUCCESS) return core.Error(rc, "open table " + std::string(kDbiNames[i]));
  }
  MDB_val k = lmdb::Val(kSchemaVersionKey), v{};
  int rc = mdb_get(txn, core.dbi[kMetaDbi], &k, &v);
  if (rc == MDB_NOTFOUND) {
    if (core.read_only) {
      return Status::NotFound(core.path.string() + " is not an initialised registry data dir");
    }
    // A fresh environment: it must hold nothing yet.
    MDB_stat st{};
    for (size_t i = 0; i < kDbiCount; ++i) {
      if (mdb_stat(txn, core.dbi[i], &st) == MDB_SUCCESS && st.ms_entries != 0) {
        return Status::Corruption(core.path.string() + ": table '" + std::string(kDbiNames[i]) +
                                  "' holds data but there is no schema version");
      }
    }
    if (!create) {
      return Status::NotFound(core.path.string() + " is not an initialised registry data dir");
    }
    std::string version = std::to_string(kSchemaVersion);
    MDB_val vv = lmdb::Val(version);
    rc = mdb_put(txn, core.dbi[kMetaDbi], &k, &vv, 0);
    if (rc != MDB_SUCCESS) return core.Error(rc, "put schema version");
    return Status::Ok();
  }
  if (rc != MDB_SUCCESS) return core.Error(rc, "get schema version");
  MEDMIJ_ASSIGN_OR_RETURN(int version, ParseSchemaVersion(lmdb::View(v), core.path));
  if (version > kSchemaVersion) return NewerSchema(version);
  if (version == kSchemaVersion) return Status::Ok();
  if (core.read_only) {
    return Status::Refused("data dir has schema version " + std::to_string(version) +
                           "; open it read-write once to upgrade it to " +
                           std::to_string(kSchemaVersion));
  }
  while (version < kSchemaVersion) {
    const UpgradeStep* step = nullptr;
    for (const auto& s : kUpgradeSteps) {
      if (s.from == version) step = &s;
    }
    if (step == nullptr) {
      return Status::Refused("data dir has schema version " + std::to_string(version) +
                             "; this build has no upgrade from it");
    }
    MEDMIJ_RETURN_IF_ERROR(step->apply(txn, core));
    ++version;
  }
  std::string text = std::to_string(version);
  MDB_val vv = lmdb::Val(text);
  rc = mdb_put(txn, core.dbi[kMetaDbi], &k, &vv, 0);
  if (rc != MDB_SUCCESS) return core.Error(rc, "put schema version");
  return Status::Ok();
}

}  // namespace

Store::Store(std::unique_ptr<Env> env) : env_(std::move(env)) {}

Store::~Store() = default;  // closes the environment, then releases the path claim

const std::filesystem::path& Store::dir() const {
  return env_->core.path;
}

Result<std::unique_ptr<Store>> Store::Open(const std::filesystem::path& dir,
                                           const OpenOptions& options) {
  namespace fs = std::filesystem;
  const std::string where = dir.string();
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) {
    if (errno != ENOENT) return Errno(where, errno);
    if (!options.create || options.read_only) {
      return Status::NotFound("data dir " + where + " does not exist");
    }
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) return Status::IoError(where + ": cannot create directory: " + ec.message());
    if (::chmod(dir.c_str(), 0700) != 0) return Errno(where + ": chmod", errno);
    if (::stat(dir.c_str(), &st) != 0) return Errno(where, errno);
  }
  bool is_file = S_ISREG(st.st_mode);
  if (!is_file && !S_ISDIR(st.st_mode)) {
    return Status::Invalid(where + " is neither a data directory nor a backup file");
  }
  if (!is_file && (!options.create || options.read_only)) {
    struct stat data {};
    if (::stat((dir / "data.mdb").c_str(), &data) != 0) {
      return Status::NotFound(where + " is not a registry data dir (no data.mdb)");
    }
  }

  auto claim = PathClaim::Claim(FileId{st.st_dev, st.st_ino});
  if (!claim) {
    return Status::Refused("data dir " + where +
                           " is already open in this process; share its Store instead");
  }

  auto env = std::make_unique<Env>(Env{std::move(*claim), nullptr, EnvCore{}});
  env->core.path = dir;
  env->core.read_only = options.read_only;
  MDB_env* raw = nullptr;
  int rc = mdb_env_create(&raw);
  if (rc != MDB_SUCCESS)
    return Status::Internal(std::string("mdb_env_create: ") + mdb_strerror(rc));
  env->env.reset(raw);
  env->core.env = raw;
  if ((rc = mdb_env_set_maxdbs(raw, kDbiCount + 4)) != MDB_SUCCESS ||
      (rc = mdb_env_set_mapsize(raw, options.map_size)) != MDB_SUCCESS) {
    return env->core.Error(rc, "configure environment");
  }
  unsigned flags = MDB_NOTLS;
  if (is_file) flags |= MDB_NOSUBDIR;
  if (options.read_only) flags |= MDB_RDONLY;
  rc = mdb_env_open(raw, dir.c_str(), flags, 0600);
  if (rc != MDB_SUCCESS) return env->core.Error(rc, "open environment");

  int dead = 0;
  rc = mdb_reader_check(raw, &dead);
  if (rc != MDB_SUCCESS) return env->core.Error(rc, "reader check");

  lmdb::Txn txn;
  rc = lmdb::Txn::Begin(raw, options.read_only ? MDB_RDONLY : 0, txn);
  if (rc != MDB_SUCCESS) return env->core.Error(rc, "begin transaction");
  MEDMIJ_RETURN_IF_ERROR(InitDbis(env->core, txn.get(), options.create));
  // Committing (also a read-only transaction) keeps the DBI handles open for the environment.
  rc = txn.Commit();
  if (rc != MDB_SUCCESS) return env->core.Error(rc, "commit initialisation");
  return std::unique_ptr<Store>(new Store(std::move(env)));
}

Result<std::unique_ptr<ReadTxn>> Store::BeginRead() const {
  auto impl = std::make_unique<Reader::Impl>();
  impl->core = &env_->core;
  int rc = lmdb::Txn::Begin(env_->core.env, MDB_RDONLY, impl->txn);
  if (rc != MDB_SUCCESS) return env_->core.Error(rc, "begin read transaction");
  return std::unique_ptr<ReadTxn>(new Reader(std::move(impl)));
}

Result<std::unique_ptr<WriteTxn>> Store::BeginWrite() {
  if (env_->core.read_only) {
    return Status::Refused(env_->core.path.string() + " is open read-only");
  }
  if (t_writing.count(&env_->core) != 0) {
    return Status::Internal(env_->core.path.string() +
                            ": this thread already holds a write transaction; commit or destroy "
                            "it first");
  }
  auto impl = std::make_unique<Reader::Impl>();
  impl->core = &env_->core;
  impl->write = true;
  int rc = lmdb::Txn::Begin(env_->core.env, 0, impl->txn);
  if (rc != MDB_SUCCESS) return env_->core.Error(rc, "begin write transaction");
  t_writing.insert(&env_->core);
  impl->holds_write_slot = true;
  JournalHead head = ReadHead(*impl);
  impl->head_seq = head.seq;
  impl->head_hash = head.hash;
  return std::unique_ptr<WriteTxn>(new WriteTxn(std::move(impl)));
}

uint64_t Store::LastTxnId() const {
  MDB_envinfo info{};
  mdb_env_info(env_->core.env, &info);
  return info.me_last_txnid;
}

Status Store::Backup(const std::filesystem::path& file) const {
  namespace fs = std::filesystem;
  const std::string where = file.string();
  struct stat st {};
  if (::lstat(file.c_str(), &st) == 0) {
    return Status::Exists("backup target " + where + " already exists");
  }
  fs::path parent = file.parent_path().empty() ? fs::path(".") : file.parent_path();
  fs::path tmp = parent / ("." + file.filename().string() + ".tmp-" + std::to_string(::getpid()));
  int fd = ::open(tmp.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0) return Errno(tmp.string() + ": create", errno);
  auto fail = [&](Status s) {
    ::close(fd);
    ::unlink(tmp.c_str());
    return s;
  };
  // The umask may only have narrowed 0600; make the mode exact.
  if (::fchmod(fd, 0600) != 0) return fail(Errno(tmp.string() + ": chmod", errno));
  int rc = mdb_env_copyfd2(env_->core.env, fd, MDB_CP_COMPACT);
  if (rc != MDB_SUCCESS) return fail(env_->core.Error(rc, "copy to " + tmp.string()));
  if (::fsync(fd) != 0) return fail(Errno(tmp.string() + ": fsync", errno));
  if (::close(fd) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return Errno(tmp.string() + ": close", err);
  }
  // RENAME_NOREPLACE: a file that appeared at `file` meanwhile is not overwritten.
  if (::renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, file.c_str(), RENAME_NOREPLACE) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    if (err == EEXIST) return Status::Exists("backup target " + where + " already exists");
    return Errno(where + ": rename", err);
  }
  int dfd = ::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return Errno(parent.string() + ": open directory", errno);
  int sync_rc = ::fsync(dfd);
  int err = errno;
  ::close(dfd);
  if (sync_rc != 0) return Errno(parent.string() + ": fsync", err);
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------------
// Verification and replay.

namespace {

std::string SeqName(std::string_view key) {
  auto seq = journal::ParseSeqKey(key);
  return seq ? std::to_string(*seq) : "with key '" + Printable(key) + "'";
}

// Canonical replayed state: table -> key -> the record's bytes (for list_bytes: the canonical
// {"sha256","size"}).
using Replay = std::array<std::map<std::string, std::string>, 10>;

// Applies one event to `state`. With `check_before`, refuses a change whose `before` is not the
// replayed value (a forged or missing event).
Status Apply(const JournalEvent& ev, Replay& state, bool check_before) {
  for (const Change& c : ev.changes) {
    auto& table = state[DbiOf(c.table)];
    auto it = table.find(c.key);
    if (check_before) {
      std::optional<std::string> before;
      if (c.before) before = c.before->dump();
      std::optional<std::string> current;
      if (it != table.end()) current = it->second;
      if (before != current) {
        return Status::Corruption("journal event " + std::to_string(ev.seq) + ": change to " +
                                  Where(c.table, c.key) +
                                  ": its 'before' is not the replayed value (forged or missing "
                                  "event)");
      }
    }
    if (c.after) {
      std::string bytes = c.after->dump();
      if (it != table.end()) {
        it->second = std::move(bytes);
      } else {
        table.emplace(c.key, std::move(bytes));
      }
    } else if (it != table.end()) {
      table.erase(it);
    }
  }
  return Status::Ok();
}

template <typename T>
void DecodeTable(const std::map<std::string, std::string>& in, Table t,
                 std::map<std::string, T>& out) {
  for (const auto& [key, bytes] : in) {
    out.emplace(key, internal::TxnState::DecodeRecord<T>(t, key, bytes));
  }
}

}  // namespace

Status Store::VerifyJournal() const {
  MEDMIJ_ASSIGN_OR_RETURN(auto reader, BeginRead());
  Reader::Impl& r = *reader->impl_;
  uint64_t expected = 1;
  std::string prev = journal::kGenesisHash;
  Status status;
  try {
    r.Scan(kJournalDbi, "", "", [&](std::string_view k, std::string_view v) {
      auto seq = journal::ParseSeqKey(k);
      if (!seq) {
        status = Status::Corruption("journal: key '" + Printable(k) + "' is not a sequence number");
        return false;
      }
      if (*seq != expected) {
        status = Status::Corruption(expected == 1
                                        ? "journal: event 1 missing"
                                        : "journal: event " + std::to_string(expected) +
                                              " missing after " + std::to_string(expected - 1));
        return false;
      }
      const std::string name = "journal event " + std::to_string(*seq);
      JournalEvent ev;
      json j;
      try {
        j = json::parse(v);
        ev = j.get<JournalEvent>();
      } catch (const std::exception& e) {
        status = Status::Corruption(name + ": does not decode (altered): " + e.what());
        return false;
      }
      // Stored bytes must be the canonical encoding (the hash covers the canonical form).
      bool canonical = j.dump() == v;
      j.erase("hash");
      if (journal::ChainHash(ev.prev_hash, j.dump()) != ev.hash) {
        status = Status::Corruption(name + ": hash mismatch (altered)");
        return false;
      }
      if (ev.seq != *seq) {
        status =
            Status::Corruption(name + ": holds event " + std::to_string(ev.seq) + " (reordered)");
        return false;
      }
      if (ev.prev_hash != prev) {
        status = Status::Corruption(name + ": does not link to event " + std::to_string(*seq - 1) +
                                    " (reordered or removed)");
        return false;
      }
      if (!canonical) {
        status = Status::Corruption(name + ": stored bytes are not canonical (altered)");
        return false;
      }
      prev = ev.hash;
      ++expected;
      return true;
    });
    if (!status.ok()) return status;
    uint64_t last = expected - 1;
    JournalHead head = ReadHead(r);
    if (head.seq != last) {
      return Status::Corruption("journal head says " + std::to_string(head.seq) +
                                " but the last event is " + std::to_string(last));
    }
    if (head.hash != prev) {
      return Status::Corruption("journal head hash does not match event " + std::to_string(last));
    }
  } catch (const CorruptionError& e) {
    return Status::Corruption(e.what());
  }
  return Status::Ok();
}

Status Store::Check() const {
  MEDMIJ_ASSIGN_OR_RETURN(auto reader, BeginRead());
  Reader::Impl& r = *reader->impl_;
  try {
    Replay replay;
    Status status;
    r.Scan(kJournalDbi, "", "", [&](std::string_view k, std::string_view v) {
      JournalEvent ev;
      try {
        ev = journal::Decode(v);
      } catch (const std::exception& e) {
        status =
            Status::Corruption("journal event " + SeqName(k) + ": does not decode: " + e.what());
        return false;
      }
      status = Apply(ev, replay, /*check_before=*/true);
      return status.ok();
    });
    MEDMIJ_RETURN_IF_ERROR(status);

    for (const auto& [table, name] : kTableNames) {
      const auto& expected = replay[DbiOf(table)];
      auto it = expected.begin();
      r.Scan(DbiOf(table), "", "", [&](std::string_view k, std::string_view v) {
        std::string actual = table == Table::kListBytes ? BytesDigest(v).dump() : std::string(v);
        if (it == expected.end() || k < it->first) {
          status = Status::Corruption(Where(table, k) + ": in the table but not in the journal");
          return false;
        }
        if (k > it->first) {
          status = Status::Corruption(Where(table, it->first) +
                                      ": in the journal but missing from the table");
          return false;
        }
        if (actual != it->second) {
          status = Status::Corruption(Where(table, k) + ": stored value differs from the journal");
          return false;
        }
        ++it;
        return true;
      });
      MEDMIJ_RETURN_IF_ERROR(status);
      if (it != expected.end()) {
        return Status::Corruption(Where(table, it->first) +
                                  ": in the journal but missing from the table");
      }
    }

    for (const IndexDef& idx : kIndexes) {
      std::set<std::string> expected;
      for (const auto& [key, bytes] : replay[DbiOf(idx.table)]) {
        json record;
        try {
          record = json::parse(bytes);
        } catch (const json::exception& e) {
          return Status::Corruption(Where(idx.table, key) + ": not JSON: " + e.what());
        }
        expected.insert(IndexKey(internal::TxnState::Owner(idx.table, key, record, idx), key));
      }
      auto it = expected.begin();
      const std::string index_name(kDbiNames[idx.dbi]);
      r.Scan(idx.dbi, "", "", [&](std::string_view k, std::string_view) {
        if (it == expected.end() || k < *it) {
          status = Status::Corruption("index " + index_name + ": entry '" + Printable(k) +
                                      "' matches no record");
          return false;
        }
        if (k > *it) {
          status = Status::Corruption("index " + index_name + ": entry '" + Printable(*it) +
                                      "' missing");
          return false;
        }
        ++it;
        return true;
      });
      MEDMIJ_RETURN_IF_ERROR(status);
      if (it != expected.end()) {
        return Status::Corruption("index " + index_name + ": entry '" + Printable(*it) +
                                  "' missing");
      }
    }
  } catch (const CorruptionError& e) {
    return Status::Corruption(e.what());
  }
  return Status::Ok();
}

Result<RegistryState> Store::StateAt(Time t) const {
  MEDMIJ_ASSIGN_OR_RETURN(auto reader, BeginRead());
  try {
    uint64_t last = 0;
    reader->ForEachEvent(1, [&](const JournalEvent& ev) {
      if (ev.meta.at <= t) last = ev.seq;
      return true;
    });
    Replay replay;
    Status status;
    if (last > 0) {
      reader->ForEachEvent(1, [&](const JournalEvent& ev) {
        status = Apply(ev, replay, /*check_before=*/false);
        return status.ok() && ev.seq < last;
      });
    }
    MEDMIJ_RETURN_IF_ERROR(status);
    RegistryState s;
    DecodeTable(replay[DbiOf(Table::kParticipants)], Table::kParticipants, s.participants);
    DecodeTable(replay[DbiOf(Table::kNodes)], Table::kNodes, s.nodes);
    DecodeTable(replay[DbiOf(Table::kOAuthClients)], Table::kOAuthClients, s.oauth_clients);
    DecodeTable(replay[DbiOf(Table::kServices)], Table::kServices, s.services);
    DecodeTable(replay[DbiOf(Table::kProviders)], Table::kProviders, s.providers);
    DecodeTable(replay[DbiOf(Table::kCases)], Table::kCases, s.cases);
    DecodeTable(replay[DbiOf(Table::kTerminationRequests)], Table::kTerminationRequests,
                s.termination_requests);
    return s;
  } catch (const CorruptionError& e) {
    return Status::Corruption(e.what());
  }
}

}  // namespace medmij::store
