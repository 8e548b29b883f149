// The environment's tables, declared once. Private to registry/store.
//
// Every LMDB database (DBI) of the environment is derived from kTables below: the journaled
// state tables in Table order, then `meta` and `journal`, then one secondary index for each
// table that names an owner field. A new table is one enumerator in store.h plus one row here;
// the static_asserts below refuse a table without its row (or rows out of order).
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

#include "registry/store/store.h"

namespace medmij::store::internal {

struct TableSpec {
  Table table;
  // In journal events and as the DBI's name: never changes once data exists.
  std::string_view name;
  // The record's string field that owns it ("participant"), for a secondary index
  // `index_name` with entries "<owner>\0<primary key>" (empty values); empty: no index.
  std::string_view index_field = {};
  std::string_view index_name = {};
};

inline constexpr TableSpec kTables[] = {
    {Table::kParticipants, "participants"},
    {Table::kNodes, "nodes", "participant", "idx_nodes_by_participant"},
    {Table::kOAuthClients, "oauth_clients", "participant", "idx_oauth_clients_by_participant"},
    {Table::kServices, "services"},
    {Table::kProviders, "providers", "dva", "idx_providers_by_dva"},
    {Table::kCases, "cases", "participant", "idx_cases_by_participant"},
    {Table::kTerminationRequests, "termination_requests"},
    {Table::kCounters, "counters"},
    {Table::kListVersions, "list_versions"},
    {Table::kListBytes, "list_bytes"},
};

inline constexpr size_t kTableCount = std::size(kTables);
static_assert(kTableCount == kJournaledTableCount, "one row in kTables per store::Table");

constexpr bool TablesInEnumOrder() {
  for (size_t i = 0; i < kTableCount; ++i) {
    if (static_cast<size_t>(kTables[i].table) != i) return false;
  }
  return true;
}
static_assert(TablesInEnumOrder(), "kTables rows must follow the order of store::Table");

constexpr size_t CountIndexes() {
  size_t n = 0;
  for (const TableSpec& t : kTables) n += t.index_field.empty() ? 0 : 1;
  return n;
}
inline constexpr size_t kIndexCount = CountIndexes();

// DBI numbers: [0, kTableCount) the tables in Table order, then meta, journal, the indexes,
// then the transparency log's tree hashes (schema 3 on): key TreeKey(level, index), value the 32
// raw bytes of the RFC 6962 hash of the complete subtree (level, index) over the journal's
// stored events (leaf i = event seq i + 1), written in the transaction that appends the event;
// then (schema 4 on) the event that archived each list version: key ListKey, value the event's
// journal::SeqKey (version_events.h); then (schema 5 on) every version of every record and the
// event each time falls on (state_history.h).
inline constexpr size_t kMetaDbi = kTableCount;
inline constexpr size_t kJournalDbi = kTableCount + 1;
inline constexpr size_t kFirstIndexDbi = kTableCount + 2;
inline constexpr size_t kTreeDbi = kFirstIndexDbi + kIndexCount;
inline constexpr size_t kVersionEventDbi = kTreeDbi + 1;
inline constexpr size_t kStateHistoryDbi = kVersionEventDbi + 1;
inline constexpr size_t kEventTimeDbi = kStateHistoryDbi + 1;
inline constexpr size_t kDbiCount = kEventTimeDbi + 1;

// A secondary index, derived from its table's row.
struct IndexSpec {
  Table table;
  size_t dbi;
  std::string_view field;
  std::string_view name;
};

constexpr std::array<IndexSpec, kIndexCount> MakeIndexes() {
  std::array<IndexSpec, kIndexCount> out{};
  size_t n = 0;
  for (const TableSpec& t : kTables) {
    if (t.index_field.empty()) continue;
    out[n] = IndexSpec{t.table, kFirstIndexDbi + n, t.index_field, t.index_name};
    ++n;
  }
  return out;
}
inline constexpr std::array<IndexSpec, kIndexCount> kIndexes = MakeIndexes();

constexpr size_t DbiOf(Table t) {
  return static_cast<size_t>(t);
}

constexpr std::string_view DbiName(size_t dbi) {
  if (dbi < kTableCount) return kTables[dbi].name;
  if (dbi == kMetaDbi) return "meta";
  if (dbi == kJournalDbi) return "journal";
  if (dbi == kTreeDbi) return "tlog_hashes";
  if (dbi == kVersionEventDbi) return "list_version_events";
  if (dbi == kStateHistoryDbi) return "state_history";
  if (dbi == kEventTimeDbi) return "event_times";
  return kIndexes[dbi - kFirstIndexDbi].name;
}

// The index of table `t`, or nullptr.
constexpr const IndexSpec* IndexFor(Table t) {
  for (const IndexSpec& idx : kIndexes) {
    if (idx.table == t) return &idx;
  }
  return nullptr;
}

// The tables RegistryState holds, each with its member: fn(Table, std::map<std::string, T>&).
// The one place that pairs them (LoadState and StateAt decode through it).
template <typename F>
void ForEachStateTable(RegistryState& s, F&& fn) {
  fn(Table::kParticipants, s.participants);
  fn(Table::kNodes, s.nodes);
  fn(Table::kOAuthClients, s.oauth_clients);
  fn(Table::kServices, s.services);
  fn(Table::kProviders, s.providers);
  fn(Table::kCases, s.cases);
  fn(Table::kTerminationRequests, s.termination_requests);
}

// True for the tables ForEachStateTable pairs with RegistryState (keep the two in step).
constexpr bool InRegistryState(Table t) {
  switch (t) {
    case Table::kParticipants:
    case Table::kNodes:
    case Table::kOAuthClients:
    case Table::kServices:
    case Table::kProviders:
    case Table::kCases:
    case Table::kTerminationRequests:
      return true;
    case Table::kCounters:
    case Table::kListVersions:
    case Table::kListBytes:
      return false;
  }
  return false;
}

// Keys of the `meta` table.
inline constexpr std::string_view kSchemaVersionKey = "schema_version";
inline constexpr std::string_view kJournalHeadKey = "journal_head";

// "<owner>\0<key>": an index entry.
std::string IndexKey(std::string_view owner, std::string_view key);
// An index key with its NUL shown as '/', for messages.
std::string Printable(std::string_view index_key);
// "<list>/<20-digit volgnummer>": the key of a list version (sorts by volgnummer).
std::string ListKey(ListKind list, uint64_t volgnummer);
// The key of version `volgnummer` of the list whose version key (or "<list>/") is `list_key`.
std::string ListKeyBeside(std::string_view list_key, uint64_t volgnummer);
// One level byte and the 8-byte big-endian index: the key of a tree hash (sorts by level, then
// index).
std::string TreeKey(int level, uint64_t index);
// "<table>/<key>", for messages.
std::string Where(Table t, std::string_view key);

}  // namespace medmij::store::internal
