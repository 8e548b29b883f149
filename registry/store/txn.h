// One transaction's reads and writes over the raw tables. Private to registry/store.
//
// TxnState is the body of Reader::Impl: the LMDB transaction, and for a write transaction the
// sticky first error, the changes recorded since the last journal event and the journal head.
// Reads of a failed write transaction return nothing (Commit() reports why); reads that fail
// in a read transaction, and stored bytes that do not decode, throw CorruptionError.
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
  bool holds_write_slot = false;

  TxnState() = default;
  TxnState(const TxnState&) = delete;
  TxnState& operator=(const TxnState&) = delete;
  ~TxnState() { EndWrite(/*commit=*/false); }

  // Ends a write transaction: commits (returning LMDB's code) or aborts, and frees the thread's
  // write slot.
  int EndWrite(bool commit);

  // ---- Reads.

  // The value at `key` in `dbi`, valid until the next write in this transaction.
  std::optional<std::string_view> Get(size_t dbi, std::string_view key) const;

  // Calls fn(key, value) for each entry with key >= `from` that starts with `prefix`, in key
  // order, until fn returns false.
  template <typename F>
  void Scan(size_t dbi, std::string_view prefix, std::string_view from, F&& fn) const;

  // The last entry whose key starts with `prefix`, or nullopt.
  std::optional<std::pair<std::string_view, std::string_view>> Last(size_t dbi,
                                                                    std::string_view prefix) const;

  // Reads the head from `meta`; a missing head is the empty journal.
  JournalHead ReadHead() const;

  template <typename T>
  static T DecodeRecord(Table t, std::string_view key, std::string_view bytes) {
    try {
      return nlohmann::json::parse(bytes).get<T>();
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

  // The records of table `t` whose index field is `owner`. REQUIRES: `t` has an index.
  template <typename T>
  std::vector<T> ByOwner(Table t, std::string_view owner) const;

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
  // False (setting the error if needed) when this transaction can no longer write.
  bool Usable();

  bool RawPut(size_t dbi, std::string_view key, std::string_view value, unsigned flags,
              std::string_view what);
  bool RawDel(size_t dbi, std::string_view key, std::string_view what);

  // The owner of `record` (its index field). Throws CorruptionError when it has none.
  static std::string Owner(Table t, std::string_view key, const nlohmann::json& record,
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
  // A failed read throws CorruptionError, except in a write transaction that already failed
  // (Quiet(): the read returns nothing and Commit() reports the first error).
  [[noreturn]] void ThrowReadError(int rc, std::string_view what) const;
  bool Quiet() const { return write && (!error.ok() || !txn); }
};

template <typename F>
void TxnState::Scan(size_t dbi, std::string_view prefix, std::string_view from, F&& fn) const {
  if (!txn) {
    if (write) return;
    throw CorruptionError("read on a finished transaction");
  }
  int rc = 0;
  lmdb::Cursor cursor(txn.get(), core->dbi[dbi], rc);
  if (rc != MDB_SUCCESS) {
    if (Quiet()) return;
    ThrowReadError(rc, "cursor");
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
  if (rc != MDB_NOTFOUND && !Quiet()) ThrowReadError(rc, "scan " + std::string(DbiName(dbi)));
}

template <typename T>
std::vector<T> TxnState::ByOwner(Table t, std::string_view owner) const {
  const IndexSpec* idx = IndexFor(t);
  std::string prefix = IndexKey(owner, "");
  std::vector<T> out;
  Scan(idx->dbi, prefix, "", [&](std::string_view k, std::string_view) {
    std::string_view key = k.substr(prefix.size());
    auto rec = GetTyped<T>(t, key);
    if (!rec) {
      throw CorruptionError(std::string(idx->name) + ": entry '" + Printable(k) +
                            "' points to no record");
    }
    out.push_back(std::move(*rec));
    return true;
  });
  return out;
}

}  // namespace medmij::store::internal

namespace medmij::store {
struct Reader::Impl : internal::TxnState {};
}  // namespace medmij::store
