// One transaction's reads and writes over the raw tables. Private to registry/store.
//
// TxnState is the body of Reader::Impl: the LMDB transaction, and for a write transaction the
// sticky first error, the changes recorded since the last journal event and the journal head.
// Every read returns a Status: LMDB's failure, kCorruption for stored bytes that do not decode
// (naming table and key), and in a write transaction that already failed, that first failure
// (the transaction is dead: LMDB refuses every later call, and "not found" would hide why).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "registry/domain/json.h"
#include "registry/store/env.h"
#include "registry/store/journal.h"
#include "registry/store/lmdb_raii.h"
#include "registry/store/store.h"
#include "registry/store/tables.h"

namespace medmij::store::internal {

// This thread's write slot in `core`: LMDB's writer lock is not recursive, so a second
// BeginWrite on one thread would wait forever for itself. TryClaim returns false when the thread
// already holds one.
bool TryClaimWriteSlot(const EnvCore* core);
void ReleaseWriteSlot(const EnvCore* core);

// The head of the journal as kept in `meta`: the last committed event.
struct JournalHead {
  uint64_t seq = 0;
  std::string hash = journal::kGenesisHash;
};

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
  bool recoded = false;  // RecodeListBytes wrote: commit even without an event
  bool holds_write_slot = false;

  TxnState() = default;
  TxnState(const TxnState&) = delete;
  TxnState& operator=(const TxnState&) = delete;
  ~TxnState() { EndWrite(/*commit=*/false); }

  // Ends a write transaction: commits (returning LMDB's code) or aborts, and frees the thread's
  // write slot.
  int EndWrite(bool commit);

  // ---- Reads. Each returns `error` once it is set (a failed write transaction).

  // The value at `key` in `dbi`, valid until the next write in this transaction.
  Result<std::optional<std::string_view>> Get(size_t dbi, std::string_view key) const;

  // Calls fn(key, value) for each entry with key >= `from` that starts with `prefix`, in key
  // order, until fn returns false. The Status is LMDB's (a stop by fn is ok()).
  template <typename F>
  Status Scan(size_t dbi, std::string_view prefix, std::string_view from, F&& fn) const;

  // The last entry whose key starts with `prefix`, or nullopt.
  Result<std::optional<std::pair<std::string_view, std::string_view>>> Last(
      size_t dbi, std::string_view prefix) const;

  // The whole bytes of the archived list version at list_bytes key `key` (a re-encoded value
  // decoded, see archive_encoding.h), or nullopt. A value that does not decode, or a delta whose
  // base is missing, is kCorruption naming the record.
  Result<std::optional<std::string>> ListBytes(std::string_view key) const;
  // The same for `stored`, the value already read at `key`.
  Result<std::string> DecodeListBytes(std::string_view key, std::string_view stored) const;

  // Reads the head from `meta`; a missing head is the empty journal.
  Result<JournalHead> ReadHead() const;
  // Why the stored head `bytes` do not decode, or nullopt (and `head` set).
  static std::optional<std::string> DecodeHead(std::string_view bytes, JournalHead& head);

  // Why `bytes` do not decode as a T, or nullopt when they do.
  template <typename T>
  static std::optional<std::string> DecodeFailure(std::string_view bytes, T* out = nullptr) {
    try {
      T value = nlohmann::json::parse(bytes).get<T>();
      if (out != nullptr) *out = std::move(value);
      return std::nullopt;
    } catch (const std::exception& e) {
      return std::string(e.what());
    }
  }
  // The record type's decoding of the journaled table `t` (list_bytes: none, always nullopt).
  static std::optional<std::string> RecordDecodeFailure(Table t, std::string_view bytes);

  // kCorruption "<table>/<key>: stored record does not decode: <reason>".
  static Status Undecodable(Table t, std::string_view key, const std::string& reason) {
    return Status::Corruption(Where(t, key) + ": stored record does not decode: " + reason);
  }

  template <typename T>
  static Result<T> DecodeRecord(Table t, std::string_view key, std::string_view bytes) {
    T value;
    if (auto why = DecodeFailure<T>(bytes, &value)) return Undecodable(t, key, *why);
    return value;
  }

  template <typename T>
  Result<std::optional<T>> GetTyped(Table t, std::string_view key) const {
    MEDMIJ_ASSIGN_OR_RETURN(auto raw, Get(DbiOf(t), key));
    if (!raw) return std::optional<T>();
    MEDMIJ_ASSIGN_OR_RETURN(T value, DecodeRecord<T>(t, key, *raw));
    return std::optional<T>(std::move(value));
  }

  // Every record of `t` in key order. With `corrupt`, a record that does not decode is added
  // there and skipped; without, it is the error.
  template <typename T>
  Result<std::vector<T>> All(Table t, std::vector<CorruptRecord>* corrupt = nullptr) const {
    std::vector<T> out;
    Status bad;
    MEDMIJ_RETURN_IF_ERROR(Scan(DbiOf(t), "", "", [&](std::string_view k, std::string_view v) {
      T value;
      if (auto why = DecodeFailure<T>(v, &value)) {
        if (corrupt == nullptr) {
          bad = Undecodable(t, k, *why);
          return false;
        }
        corrupt->push_back(CorruptRecord{std::string(TableName(t)), std::string(k), *why});
        return true;
      }
      out.push_back(std::move(value));
      return true;
    }));
    MEDMIJ_RETURN_IF_ERROR(bad);
    return out;
  }

  // The records of table `t` whose index field is `owner`. REQUIRES: `t` has an index.
  template <typename T>
  Result<std::vector<T>> ByOwner(Table t, std::string_view owner) const;

  template <typename T>
  Status LoadInto(Table t, std::map<std::string, T>& out) const {
    Status bad;
    MEDMIJ_RETURN_IF_ERROR(Scan(DbiOf(t), "", "", [&](std::string_view k, std::string_view v) {
      auto rec = DecodeRecord<T>(t, k, v);
      if (!rec.ok()) {
        bad = rec.status();
        return false;
      }
      out.emplace(std::string(k), std::move(rec).value());
      return true;
    }));
    return bad;
  }

  // ---- Writes. Each is a no-op once `error` is set.

  void SetError(Status s) {
    if (error.ok()) error = std::move(s);
  }
  // False (setting the error if needed) when this transaction can no longer write.
  bool Usable();

  bool RawPut(size_t dbi, std::string_view key, std::string_view value, unsigned flags,
              std::string_view what);
  bool RawDel(size_t dbi, std::string_view key, std::string_view what);

  // The owner of `record` (its index field); kCorruption when it has none.
  static Result<std::string> Owner(Table t, std::string_view key, const nlohmann::json& record,
                                   const IndexSpec& idx);

  // Writes `value` at (t, key), maintains the table's index and records the change. A value
  // byte-equal to the stored one is not written and records no change.
  void PutRecord(Table t, const std::string& key, nlohmann::json value);
  void EraseRecord(Table t, const std::string& key);
  void Record(Change c) {
    pending.push_back(std::move(c));
    ++total_changes;
  }

  // Appends one journal event with `meta` and the pending changes (none: nothing).
  void AppendEvent(const EventMeta& meta);
  // Writes the journal head of the events appended so far into `meta`.
  bool PutHead();

 private:
  // The Status a read starts from: the sticky error of a failed write transaction, kInternal
  // for a finished one, else ok().
  Status ReadableStatus() const;
};

template <typename F>
Status TxnState::Scan(size_t dbi, std::string_view prefix, std::string_view from, F&& fn) const {
  MEDMIJ_RETURN_IF_ERROR(ReadableStatus());
  int rc = 0;
  lmdb::Cursor cursor(txn.get(), core->dbi[dbi], rc);
  if (rc != MDB_SUCCESS) return core->Error(rc, "cursor " + std::string(DbiName(dbi)));
  std::string start = from.empty() ? std::string(prefix) : std::string(from);
  MDB_val k = lmdb::Val(start), v{};
  rc = start.empty() ? cursor.Get(k, v, MDB_FIRST) : cursor.Get(k, v, MDB_SET_RANGE);
  while (rc == MDB_SUCCESS) {
    std::string_view key = lmdb::View(k);
    if (key.substr(0, prefix.size()) != prefix) return Status::Ok();
    if (!fn(key, lmdb::View(v))) return Status::Ok();
    rc = cursor.Get(k, v, MDB_NEXT);
  }
  if (rc != MDB_NOTFOUND) return core->Error(rc, "scan " + std::string(DbiName(dbi)));
  return Status::Ok();
}

template <typename T>
Result<std::vector<T>> TxnState::ByOwner(Table t, std::string_view owner) const {
  const IndexSpec* idx = IndexFor(t);
  std::string prefix = IndexKey(owner, "");
  std::vector<T> out;
  Status bad;
  MEDMIJ_RETURN_IF_ERROR(Scan(idx->dbi, prefix, "", [&](std::string_view k, std::string_view) {
    std::string_view key = k.substr(prefix.size());
    auto rec = GetTyped<T>(t, key);
    if (rec.ok() && !*rec) {
      rec = Status::Corruption(std::string(idx->name) + ": entry '" + Printable(k) +
                               "' points to no record");
    }
    if (!rec.ok()) {
      bad = rec.status();
      return false;
    }
    out.push_back(std::move(**rec));
    return true;
  }));
  MEDMIJ_RETURN_IF_ERROR(bad);
  return out;
}

}  // namespace medmij::store::internal

namespace medmij::store {
struct Reader::Impl : internal::TxnState {};
}  // namespace medmij::store
