#include "registry/store/txn.h"

#include "registry/store/state_history.h"
#include "registry/store/tlog.h"
#include "registry/store/version_events.h"

#include <set>

namespace medmij::store::internal {

using nlohmann::json;

namespace {
// Benchmark variants only (registry/store/CMakeLists.txt): an append without the transparency
// log's tree hashes, or without them and the state history. A store written so fails Check().
#if defined(MEDMIJ_STORE_BENCH_WITHOUT_TREE) || defined(MEDMIJ_STORE_BENCH_WITHOUT_INDEX)
constexpr bool kWithTree = false;
#else
constexpr bool kWithTree = true;
#endif
#if defined(MEDMIJ_STORE_BENCH_WITHOUT_INDEX)
constexpr bool kWithHistory = false;
#else
constexpr bool kWithHistory = true;
#endif

// Environments in which this thread holds a write transaction.
thread_local std::set<const EnvCore*> t_writing;
}  // namespace

bool TryClaimWriteSlot(const EnvCore* core) {
  return t_writing.insert(core).second;
}

void ReleaseWriteSlot(const EnvCore* core) {
  t_writing.erase(core);
}

int TxnState::EndWrite(bool commit) {
  int rc = MDB_SUCCESS;
  if (commit) {
    rc = txn.Commit();
  } else {
    txn.Abort();
  }
  if (holds_write_slot) {
    ReleaseWriteSlot(core);
    holds_write_slot = false;
  }
  return rc;
}

Status TxnState::ReadableStatus() const {
  if (!error.ok()) return error;
  if (!txn) return Status::Internal(core->path.string() + ": read on a finished transaction");
  return Status::Ok();
}

Result<std::optional<std::string_view>> TxnState::Get(size_t dbi, std::string_view key) const {
  MEDMIJ_RETURN_IF_ERROR(ReadableStatus());
  MDB_val k = lmdb::Val(key), v{};
  int rc = mdb_get(txn.get(), core->dbi[dbi], &k, &v);
  if (rc == MDB_SUCCESS) return std::optional<std::string_view>(lmdb::View(v));
  if (rc == MDB_NOTFOUND || rc == MDB_BAD_VALSIZE) {
    return std::optional<std::string_view>();  // no such key (or none LMDB could hold)
  }
  return core->Error(rc, "get " + std::string(DbiName(dbi)));
}

Result<std::optional<std::pair<std::string_view, std::string_view>>> TxnState::Last(
    size_t dbi, std::string_view prefix) const {
  using Entry = std::optional<std::pair<std::string_view, std::string_view>>;
  MEDMIJ_RETURN_IF_ERROR(ReadableStatus());
  int rc = 0;
  lmdb::Cursor cursor(txn.get(), core->dbi[dbi], rc);
  if (rc != MDB_SUCCESS) return core->Error(rc, "cursor " + std::string(DbiName(dbi)));
  // Every key with the prefix sorts before the prefix with its last byte incremented.
  std::string upper(prefix);
  upper.back() = static_cast<char>(upper.back() + 1);
  MDB_val k = lmdb::Val(upper), v{};
  rc = cursor.Get(k, v, MDB_SET_RANGE);
  rc = rc == MDB_SUCCESS ? cursor.Get(k, v, MDB_PREV)
                         : (rc == MDB_NOTFOUND ? cursor.Get(k, v, MDB_LAST) : rc);
  if (rc == MDB_NOTFOUND) return Entry();
  if (rc != MDB_SUCCESS) return core->Error(rc, "seek " + std::string(DbiName(dbi)));
  std::string_view key = lmdb::View(k);
  if (key.substr(0, prefix.size()) != prefix) return Entry();
  return Entry(std::make_pair(key, lmdb::View(v)));
}

std::optional<std::string> TxnState::DecodeHead(std::string_view bytes, JournalHead& head) {
  try {
    json j = json::parse(bytes);
    head.seq = j.at("seq").get<uint64_t>();
    head.hash = j.at("hash").get<std::string>();
    return std::nullopt;
  } catch (const json::exception& e) {
    return std::string(e.what());
  }
}

Result<JournalHead> TxnState::ReadHead() const {
  JournalHead head;
  MEDMIJ_ASSIGN_OR_RETURN(auto raw, Get(kMetaDbi, kJournalHeadKey));
  if (!raw) return head;
  if (auto why = DecodeHead(*raw, head)) {
    return Status::Corruption("meta/journal_head: stored record does not decode: " + *why);
  }
  return head;
}

std::optional<std::string> TxnState::RecordDecodeFailure(Table t, std::string_view bytes) {
  switch (t) {
    case Table::kParticipants:
      return DecodeFailure<Participant>(bytes);
    case Table::kNodes:
      return DecodeFailure<Node>(bytes);
    case Table::kOAuthClients:
      return DecodeFailure<OAuthClient>(bytes);
    case Table::kServices:
      return DecodeFailure<DataService>(bytes);
    case Table::kProviders:
      return DecodeFailure<Provider>(bytes);
    case Table::kCases:
      return DecodeFailure<ComplianceCase>(bytes);
    case Table::kTerminationRequests:
      return DecodeFailure<TerminationRequest>(bytes);
    case Table::kCounters:
      if (json::parse(bytes, nullptr, /*allow_exceptions=*/false).is_number_unsigned()) {
        return std::nullopt;
      }
      return std::string("not a number");
    case Table::kListVersions:
      return DecodeFailure<ListVersion>(bytes);
    case Table::kListBytes:
      return std::nullopt;  // signed XML, checked against its journaled digest by Check()
  }
  return std::nullopt;
}

bool TxnState::Usable() {
  if (!error.ok()) return false;
  if (!txn) {
    SetError(Status::Internal("write on a finished transaction"));
    return false;
  }
  return true;
}

bool TxnState::RawPut(size_t dbi, std::string_view key, std::string_view value, unsigned flags,
                      std::string_view what) {
  MDB_val k = lmdb::Val(key), v = lmdb::Val(value);
  int rc = mdb_put(txn.get(), core->dbi[dbi], &k, &v, flags);
  if (rc != MDB_SUCCESS) {
    SetError(core->Error(rc, what));
    return false;
  }
  return true;
}

bool TxnState::RawDel(size_t dbi, std::string_view key, std::string_view what) {
  MDB_val k = lmdb::Val(key);
  int rc = mdb_del(txn.get(), core->dbi[dbi], &k, nullptr);
  if (rc != MDB_SUCCESS && rc != MDB_NOTFOUND) {
    SetError(core->Error(rc, what));
    return false;
  }
  return true;
}

Result<std::string> TxnState::Owner(Table t, std::string_view key, const json& record,
                                    const IndexSpec& idx) {
  auto it = record.find(idx.field);
  if (it == record.end() || !it->is_string()) {
    return Status::Corruption(Where(t, key) + ": record has no string field '" +
                              std::string(idx.field) + "'");
  }
  return it->get<std::string>();
}

void TxnState::PutRecord(Table t, const std::string& key, json value) {
  if (!Usable()) return;
  std::string bytes;
  try {
    bytes = value.dump();
  } catch (const json::exception& e) {
    SetError(Status::Invalid(Where(t, key) + ": cannot encode record: " + e.what()));
    return;
  }
  auto old = Get(DbiOf(t), key);
  if (!old.ok()) return SetError(old.status());
  std::optional<json> before;
  if (*old) {
    if (**old == bytes) return;
    try {
      before = json::parse(**old);
    } catch (const json::exception& e) {
      return SetError(
          Status::Corruption(Where(t, key) + ": stored record is not JSON: " + e.what()));
    }
  }
  if (!RawPut(DbiOf(t), key, bytes, 0, "put " + Where(t, key))) return;
  if (const IndexSpec* idx = IndexFor(t)) {
    auto owner_of = Owner(t, key, value, *idx);
    if (!owner_of.ok()) return SetError(owner_of.status());
    const std::string& owner = *owner_of;
    std::optional<std::string> old_owner;
    if (before) {
      auto was = Owner(t, key, *before, *idx);
      if (!was.ok()) return SetError(was.status());
      old_owner = std::move(*was);
    }
    if (old_owner != owner) {
      if (old_owner && !RawDel(idx->dbi, IndexKey(*old_owner, key), "index " + Where(t, key))) {
        return;
      }
      if (!RawPut(idx->dbi, IndexKey(owner, key), "", 0, "index " + Where(t, key))) return;
    }
  }
  Record(Change{t, key, std::move(before), std::move(value)});
}

void TxnState::EraseRecord(Table t, const std::string& key) {
  if (!Usable()) return;
  auto old = Get(DbiOf(t), key);
  if (!old.ok()) return SetError(old.status());
  if (!*old) return;
  json before;
  try {
    before = json::parse(**old);
  } catch (const json::exception& e) {
    return SetError(Status::Corruption(Where(t, key) + ": stored record is not JSON: " + e.what()));
  }
  if (!RawDel(DbiOf(t), key, "erase " + Where(t, key))) return;
  if (const IndexSpec* idx = IndexFor(t)) {
    auto owner = Owner(t, key, before, *idx);
    if (!owner.ok()) return SetError(owner.status());
    if (!RawDel(idx->dbi, IndexKey(*owner, key), "index " + Where(t, key))) return;
  }
  Record(Change{t, key, std::move(before), std::nullopt});
}

void TxnState::AppendEvent(const EventMeta& meta) {
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
  std::string key = journal::SeqKey(ev.seq);
  MDB_val k = lmdb::Val(key), v = lmdb::Val(stored);
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
  if constexpr (kWithTree) AppendToTree(*this, ev.seq, stored);
  IndexVersionEvents(*this, ev, stored);
  if constexpr (kWithHistory) RecordHistory(*this, ev);
  if (!error.ok()) return;
  head_seq = ev.seq;
  head_hash = ev.hash;
  ++events_appended;
}

bool TxnState::PutHead() {
  return RawPut(kMetaDbi, kJournalHeadKey, json{{"seq", head_seq}, {"hash", head_hash}}.dump(), 0,
                "put journal head");
}

}  // namespace medmij::store::internal
