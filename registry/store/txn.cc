#include "registry/store/txn.h"

#include "registry/store/tlog.h"

#include <set>

namespace medmij::store::internal {

using nlohmann::json;

namespace {
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

void TxnState::ThrowReadError(int rc, std::string_view what) const {
  throw CorruptionError(core->Error(rc, what).message());
}

std::optional<std::string_view> TxnState::Get(size_t dbi, std::string_view key) const {
  if (!txn) {
    if (write) return std::nullopt;  // finished or failed: Commit() reports why
    throw CorruptionError("read on a finished transaction");
  }
  MDB_val k = lmdb::Val(key), v{};
  int rc = mdb_get(txn.get(), core->dbi[dbi], &k, &v);
  if (rc == MDB_SUCCESS) return lmdb::View(v);
  if (rc == MDB_NOTFOUND || rc == MDB_BAD_VALSIZE) return std::nullopt;  // no such key
  if (Quiet()) return std::nullopt;  // the txn failed; Commit() reports why
  ThrowReadError(rc, "get " + std::string(DbiName(dbi)));
}

std::optional<std::pair<std::string_view, std::string_view>> TxnState::Last(
    size_t dbi, std::string_view prefix) const {
  if (!txn) {
    if (write) return std::nullopt;
    throw CorruptionError("read on a finished transaction");
  }
  int rc = 0;
  lmdb::Cursor cursor(txn.get(), core->dbi[dbi], rc);
  if (rc != MDB_SUCCESS) {
    if (Quiet()) return std::nullopt;
    ThrowReadError(rc, "cursor");
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
    if (Quiet()) return std::nullopt;
    ThrowReadError(rc, "seek " + std::string(DbiName(dbi)));
  }
  std::string_view key = lmdb::View(k);
  if (key.substr(0, prefix.size()) != prefix) return std::nullopt;
  return std::make_pair(key, lmdb::View(v));
}

JournalHead TxnState::ReadHead() const {
  JournalHead head;
  auto raw = Get(kMetaDbi, kJournalHeadKey);
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

std::string TxnState::Owner(Table t, std::string_view key, const json& record,
                            const IndexSpec& idx) {
  auto it = record.find(idx.field);
  if (it == record.end() || !it->is_string()) {
    throw CorruptionError(Where(t, key) + ": record has no string field '" +
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
  if (const IndexSpec* idx = IndexFor(t)) {
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

void TxnState::EraseRecord(Table t, const std::string& key) {
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
  if (const IndexSpec* idx = IndexFor(t)) {
    if (!RawDel(idx->dbi, IndexKey(Owner(t, key, before, *idx), key), "index " + Where(t, key))) {
      return;
    }
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
  AppendToTree(*this, ev.seq, stored);
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
