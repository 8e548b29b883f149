// Every version of every record, and which event a time falls on: what makes Store::StateAt
// read O(records) entries instead of replaying the journal. Private to registry/store.
//
// Two tables (tables.h, schema 5 on), derived from the journal and written in the transaction
// that appends each event; nothing journals them. The schema-5 upgrade builds them from the
// events already there, and Check() compares them with the journal.
//
// `state_history`: for every change an event makes to a table RegistryState holds, the key
// VersionKey(table, key, seq) and the value the record's canonical JSON after the event (the
// change's `after`, dumped as the replay of the journal keeps it), or empty for an erase. Keys
// sort by table, record key, then seq, so the state after event s is, for each record key, its
// last version with seq <= s (absent when that version is an erase, or when there is none).
// Several changes to one record in one event leave the last one, as the replay does.
//
// `event_times`: TimeKey(at) -> journal::SeqKey(seq), a staircase strictly rising in both: the
// entry for time a names the last event at or before a. Appending event (at, seq) removes the
// entries at or after `at` (seq outranks them all for any time they answer) and adds (at, seq),
// so with a clock that never steps back an append adds one entry per distinct time and removes
// none. The last event with at <= t, the end of the journal's prefix StateAt(t) replays even
// when clocks stepped back, is then the last entry with a key <= TimeKey(t): one seek.
#pragma once

#include <array>
#include <map>
#include <string>
#include <string_view>

#include "registry/store/txn.h"

namespace medmij::store::internal {

// Canonical state: table -> key -> the record's bytes (the journal's replay keeps list_bytes as
// the canonical {"sha256","size"}; the history holds no list_bytes).
using RawState = std::array<std::map<std::string, std::string>, kTableCount>;

// The history's key of record (t, key) as event `seq` left it: one table byte (its DBI number),
// the key's length as two big-endian bytes, the key, journal::SeqKey(seq). A key too long for
// LMDB (over 500 bytes) is refused by the write, as the record itself is beyond 511.
std::string VersionKey(Table t, std::string_view key, uint64_t seq);
// 8 bytes big-endian: the milliseconds since 1970 (times are never earlier, time.h).
std::string TimeKey(Time at);

// The history and time index the journal makes, built in memory by adding its events in order
// (Check and the schema-5 upgrade).
class HistoryBuilder {
 public:
  void Add(const JournalEvent& ev);
  const std::map<std::string, std::string>& versions() const { return versions_; }
  const std::map<std::string, std::string>& times() const { return times_; }

 private:
  std::map<std::string, std::string> versions_;
  std::map<std::string, std::string> times_;
};

// Writes the versions and time entry of event `ev`, just appended. Sets the transaction's error
// on failure.
void RecordHistory(TxnState& txn, const JournalEvent& ev);

// The seq of the last event with at <= t (0: none). One seek.
Result<uint64_t> LastSeqAt(const TxnState& txn, Time t);

// The state tables RegistryState holds as they were after event `seq`: O(k log n) reads for the
// k record keys the history holds. kCorruption for a history entry whose key does not parse.
Result<RawState> HistoryStateAfter(const TxnState& txn, uint64_t seq);

// Compares both tables with `expected`: the first missing, extra or different entry.
Status CompareHistory(const TxnState& txn, const HistoryBuilder& expected);

}  // namespace medmij::store::internal
