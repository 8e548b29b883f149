#include "registry/store/state_history.h"

#include <vector>

#include "registry/common/text.h"

namespace medmij::store::internal {

namespace {

constexpr size_t kSeqBytes = 8;
constexpr size_t kHeaderBytes = 3;  // table byte and key length

// A parsed VersionKey.
struct Version {
  size_t dbi = 0;
  std::string_view key;
  std::string_view group;  // the VersionKey without its seq: every version of this record
  uint64_t seq = 0;
};

std::optional<Version> ParseVersionKey(std::string_view k) {
  if (k.size() < kHeaderBytes + kSeqBytes) return std::nullopt;
  const size_t dbi = static_cast<unsigned char>(k[0]);
  const size_t len = (static_cast<size_t>(static_cast<unsigned char>(k[1])) << 8) |
                     static_cast<unsigned char>(k[2]);
  if (dbi >= kTableCount || !InRegistryState(kTables[dbi].table) ||
      k.size() != kHeaderBytes + len + kSeqBytes) {
    return std::nullopt;
  }
  auto seq = journal::ParseSeqKey(k.substr(kHeaderBytes + len));
  if (!seq) return std::nullopt;
  return Version{dbi, k.substr(kHeaderBytes, len), k.substr(0, kHeaderBytes + len), *seq};
}

std::string VersionName(std::string_view k) {
  auto v = ParseVersionKey(k);
  if (!v) return "state_history/" + EscapeForDisplay(k);
  return "state_history/" + std::string(kTables[v->dbi].name) + "/" + EscapeForDisplay(v->key) +
         " at event " + std::to_string(v->seq);
}

std::string TimeName(std::string_view k) {
  if (k.size() != 8) return "event_times/" + EscapeForDisplay(k);
  const uint64_t ms = *journal::ParseSeqKey(k);  // the same 8-byte big-endian form
  const Time at{Millis(static_cast<int64_t>(ms))};
  return "event_times/" + (ms <= static_cast<uint64_t>(kLatestTime.time_since_epoch().count())
                               ? FormatTime(at)
                               : std::to_string(ms) + " ms");
}

// What each change of `ev` leaves in the history, in order (a later change to the same record
// replaces an earlier one when written).
template <typename F>
void ForEachVersion(const JournalEvent& ev, F&& fn) {
  for (const Change& c : ev.changes) {
    if (!InRegistryState(c.table)) continue;
    fn(VersionKey(c.table, c.key, ev.seq), c.after ? c.after->dump() : std::string());
  }
}

// Compares table `dbi` with `expected`, naming entries with `name`.
Status CompareTable(const TxnState& txn, size_t dbi, const std::map<std::string, std::string>& want,
                    std::string (*name)(std::string_view)) {
  Status status;
  auto it = want.begin();
  MEDMIJ_RETURN_IF_ERROR(txn.Scan(dbi, "", "", [&](std::string_view k, std::string_view v) {
    if (it == want.end() || k < it->first) {
      status = Status::Corruption(name(k) + ": in the table but not made by the journal");
      return false;
    }
    if (k > it->first) {
      status = Status::Corruption(name(it->first) + ": missing from the table");
      return false;
    }
    if (v != it->second) {
      status = Status::Corruption(name(k) + ": differs from the journal's");
      return false;
    }
    ++it;
    return true;
  }));
  MEDMIJ_RETURN_IF_ERROR(status);
  if (it != want.end()) return Status::Corruption(name(it->first) + ": missing from the table");
  return Status::Ok();
}

}  // namespace

std::string VersionKey(Table t, std::string_view key, uint64_t seq) {
  std::string k;
  k.reserve(kHeaderBytes + key.size() + kSeqBytes);
  k += static_cast<char>(DbiOf(t));
  // A longer key cannot be stored anyway (LMDB's 511 bytes); its length is cut to 16 bits here
  // and the put fails on the key's size.
  k += static_cast<char>((key.size() >> 8) & 0xff);
  k += static_cast<char>(key.size() & 0xff);
  k += key;
  k += journal::SeqKey(seq);
  return k;
}

std::string TimeKey(Time at) {
  return journal::SeqKey(static_cast<uint64_t>(at.time_since_epoch().count()));
}

void HistoryBuilder::Add(const JournalEvent& ev) {
  ForEachVersion(ev, [&](std::string key, std::string value) {
    versions_[std::move(key)] = std::move(value);
  });
  std::string at = TimeKey(ev.meta.at);
  times_.erase(times_.lower_bound(at), times_.end());
  times_.emplace(std::move(at), journal::SeqKey(ev.seq));
}

void RecordHistory(TxnState& txn, const JournalEvent& ev) {
  bool ok = true;
  ForEachVersion(ev, [&](const std::string& key, const std::string& value) {
    if (ok) ok = txn.RawPut(kStateHistoryDbi, key, value, 0, "put state history");
  });
  if (!ok) return;
  const std::string at = TimeKey(ev.meta.at);
  std::vector<std::string> outranked;
  Status scanned = txn.Scan(kEventTimeDbi, "", at, [&](std::string_view k, std::string_view) {
    outranked.emplace_back(k);
    return true;
  });
  if (!scanned.ok()) return txn.SetError(scanned);
  for (const std::string& k : outranked) {
    if (!txn.RawDel(kEventTimeDbi, k, "erase event time")) return;
  }
  txn.RawPut(kEventTimeDbi, at, journal::SeqKey(ev.seq), 0, "put event time");
}

Result<uint64_t> LastSeqAt(const TxnState& txn, Time t) {
  MEDMIJ_RETURN_IF_ERROR(txn.error);
  int rc = 0;
  lmdb::Cursor cursor(txn.txn.get(), txn.core->dbi[kEventTimeDbi], rc);
  if (rc != MDB_SUCCESS) return txn.core->Error(rc, "cursor event_times");
  const std::string at = TimeKey(t);
  MDB_val k = lmdb::Val(at), v{};
  rc = cursor.Get(k, v, MDB_SET_RANGE);
  if (rc == MDB_SUCCESS && lmdb::View(k) != at) {
    rc = cursor.Get(k, v, MDB_PREV);  // the last entry before `t`
  } else if (rc == MDB_NOTFOUND) {
    rc = cursor.Get(k, v, MDB_LAST);  // every entry is before `t`
  }
  if (rc == MDB_NOTFOUND) return uint64_t{0};
  if (rc != MDB_SUCCESS) return txn.core->Error(rc, "seek event_times");
  auto seq = journal::ParseSeqKey(lmdb::View(v));
  if (!seq) {
    return Status::Corruption(TimeName(lmdb::View(k)) + ": not a journal sequence number");
  }
  return *seq;
}

Result<RawState> HistoryStateAfter(const TxnState& txn, uint64_t seq) {
  MEDMIJ_RETURN_IF_ERROR(txn.error);
  RawState state;
  int rc = 0;
  lmdb::Cursor cursor(txn.txn.get(), txn.core->dbi[kStateHistoryDbi], rc);
  if (rc != MDB_SUCCESS) return txn.core->Error(rc, "cursor state_history");
  const std::string after = journal::SeqKey(seq + 1);
  const std::string last = journal::SeqKey(UINT64_MAX);
  MDB_val k{}, v{};
  rc = cursor.Get(k, v, MDB_FIRST);
  // At the first version of each record: find its last version <= seq (the entry before the
  // first one > seq), then move on to the next record.
  while (rc == MDB_SUCCESS) {
    auto first = ParseVersionKey(lmdb::View(k));
    if (!first) {
      return Status::Corruption(VersionName(lmdb::View(k)) + ": not a state history key");
    }
    const std::string group(first->group);
    const std::string key(first->key);
    const size_t dbi = first->dbi;
    std::string probe = group + after;
    MDB_val pk = lmdb::Val(probe);
    const int at_probe = cursor.Get(pk, v, MDB_SET_RANGE);
    if (at_probe != MDB_SUCCESS && at_probe != MDB_NOTFOUND) {
      return txn.core->Error(at_probe, "seek state_history");
    }
    // The last entry before the probe: this record's last version <= seq, unless its first
    // version is later (then it is another record's, or there is none).
    const int prev = cursor.Get(k, v, at_probe == MDB_SUCCESS ? MDB_PREV : MDB_LAST);
    if (prev == MDB_SUCCESS) {
      const std::string_view found = lmdb::View(k);
      if (found.size() == probe.size() && found.substr(0, group.size()) == group &&
          v.mv_size != 0) {
        state[dbi].emplace(key, std::string(lmdb::View(v)));
      }
    } else if (prev != MDB_NOTFOUND) {
      return txn.core->Error(prev, "read state_history");
    }
    if (at_probe == MDB_NOTFOUND) return state;  // no entry after this record's last <= seq
    // The next record: the first key after this one's greatest possible version.
    std::string next = group + last;
    MDB_val nk = lmdb::Val(next);
    rc = cursor.Get(nk, v, MDB_SET_RANGE);
    if (rc == MDB_SUCCESS && lmdb::View(nk) == next) rc = cursor.Get(nk, v, MDB_NEXT);
    k = nk;
  }
  if (rc != MDB_NOTFOUND) return txn.core->Error(rc, "read state_history");
  return state;
}

Status CompareHistory(const TxnState& txn, const HistoryBuilder& expected) {
  MEDMIJ_RETURN_IF_ERROR(CompareTable(txn, kStateHistoryDbi, expected.versions(), &VersionName));
  return CompareTable(txn, kEventTimeDbi, expected.times(), &TimeName);
}

}  // namespace medmij::store::internal
