// Verification and replay: the journal's hash chain, the journal replayed against the tables,
// and the state at a time (from the state history, and by replay as its reference).
#include <algorithm>
#include <map>
#include <set>

#include "registry/common/sha256.h"
#include "registry/store/state_history.h"
#include "registry/store/tlog.h"
#include "registry/store/txn.h"
#include "registry/store/version_events.h"

namespace medmij::store {

using internal::DbiOf;
using internal::IndexKey;
using internal::Printable;
using internal::Where;
using nlohmann::json;

namespace {

// Canonical replayed state: table -> key -> the record's bytes (for list_bytes: the canonical
// {"sha256","size"}).
using Replay = internal::RawState;

// What a change overwrote in the replayed state, to undo it.
struct Undo {
  Table table;
  std::string key;
  std::optional<std::string> prior;
};

// Applies one event to `state`. With `check_before`, refuses a change whose `before` is not the
// replayed value (a forged or missing event). With `undo`, records what each change overwrote.
Status Apply(const JournalEvent& ev, Replay& state, bool check_before, std::vector<Undo>* undo) {
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
    if (undo != nullptr) {
      undo->push_back(
          Undo{c.table, c.key, it == table.end() ? std::nullopt : std::optional(it->second)});
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

// The RegistryState of canonical state `raw`.
Result<RegistryState> Decode(const Replay& raw) {
  RegistryState s;
  Status status;
  internal::ForEachStateTable(s, [&](Table table, auto& out) {
    using T = typename std::decay_t<decltype(out)>::mapped_type;
    for (const auto& [key, bytes] : raw[DbiOf(table)]) {
      if (!status.ok()) return;
      auto record = internal::TxnState::DecodeRecord<T>(table, key, bytes);
      if (!record.ok()) {
        status = record.status();
        return;
      }
      out.emplace(key, std::move(record).value());
    }
  });
  MEDMIJ_RETURN_IF_ERROR(status);
  return s;
}

// The journal's length as its head says, for a progress total only (0 if the head does not
// read: the verification itself reports that).
uint64_t JournalLengthForProgress(const internal::TxnState& r) {
  auto head = r.ReadHead();
  return head.ok() ? head->seq : 0;
}

json BytesDigest(std::string_view bytes) {
  return json{{"sha256", Sha256Hex(bytes)}, {"size", bytes.size()}};
}

}  // namespace

Status Store::VerifyJournal(const ProgressFn& progress) const {
  MEDMIJ_ASSIGN_OR_RETURN(auto reader, BeginRead());
  Reader::Impl& r = *reader->impl_;
  const uint64_t total = progress ? JournalLengthForProgress(r) : 0;
  uint64_t expected = 1;
  std::string prev = journal::kGenesisHash;
  Status status;
  MEDMIJ_RETURN_IF_ERROR(
      r.Scan(internal::kJournalDbi, "", "", [&](std::string_view k, std::string_view v) {
        auto seq = journal::ParseSeqKey(k);
        if (!seq) {
          status =
              Status::Corruption("journal: key '" + Printable(k) + "' is not a sequence number");
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
        JournalEvent ev;  // its hash is computed from `v`, the bytes as stored
        if (auto why = journal::TryDecode(v, ev)) {
          status = Status::Corruption(name + ": does not decode (altered): " + *why);
          return false;
        }
        if (ev.seq != *seq) {
          status =
              Status::Corruption(name + ": holds event " + std::to_string(ev.seq) + " (reordered)");
          return false;
        }
        if (ev.prev_hash != prev) {
          // Keys and seqs agree, so nothing was moved: event seq-1's bytes (whose hash no longer
          // is the one recorded here) or this event's prev_hash were changed.
          status = *seq == 1 ? Status::Corruption(name + ": does not start the chain (altered)")
                             : Status::Corruption("journal event " + std::to_string(*seq - 1) +
                                                  ": hash mismatch (altered): event " +
                                                  std::to_string(*seq) + " links to another hash");
          return false;
        }
        prev = ev.hash;
        if (progress) progress(expected, total);
        ++expected;
        return true;
      }));
  if (!status.ok()) return status;
  uint64_t last = expected - 1;
  MEDMIJ_ASSIGN_OR_RETURN(internal::JournalHead head, r.ReadHead());
  if (head.seq != last) {
    return Status::Corruption("journal head says " + std::to_string(head.seq) +
                              " but the last event is " + std::to_string(last));
  }
  if (head.hash != prev) {
    return Status::Corruption("journal event " + std::to_string(last) +
                              ": hash mismatch (altered): the journal head names another hash");
  }
  return Status::Ok();
}

Status Store::Check(const ProgressFn& progress) const {
  MEDMIJ_ASSIGN_OR_RETURN(auto reader, BeginRead());
  Reader::Impl& r = *reader->impl_;
  // Units: each journal event replayed, then each table, index, the log's tree, the version
  // events and the state history compared.
  const uint64_t total =
      progress ? JournalLengthForProgress(r) + internal::kTableCount + internal::kIndexCount + 3
               : 0;
  uint64_t done = 0;
  auto step = [&] {
    if (progress) progress(++done, std::max(total, done));
  };
  Replay replay;
  internal::TreeBuilder tree;
  internal::VersionEventIndex version_events;
  internal::HistoryBuilder history;
  Status status;
  MEDMIJ_RETURN_IF_ERROR(
      r.Scan(internal::kJournalDbi, "", "", [&](std::string_view k, std::string_view v) {
        tree.Append(v);
        JournalEvent ev;
        if (auto why = journal::TryDecode(v, ev)) {
          status = Status::Corruption("journal event " + journal::KeyName(k) +
                                      ": does not decode: " + *why);
          return false;
        }
        internal::AddToIndex(version_events, ev, v);
        history.Add(ev);
        status = Apply(ev, replay, /*check_before=*/true, nullptr);
        step();
        return status.ok();
      }));
  MEDMIJ_RETURN_IF_ERROR(status);

  for (const internal::TableSpec& spec : internal::kTables) {
    const Table table = spec.table;
    const auto& expected = replay[DbiOf(table)];
    auto it = expected.begin();
    Status scanned = r.Scan(DbiOf(table), "", "", [&](std::string_view k, std::string_view v) {
      std::string actual;
      if (table == Table::kListBytes) {
        auto bytes = r.DecodeListBytes(k, v);
        if (!bytes.ok()) {
          status = bytes.status();
          return false;
        }
        actual = BytesDigest(*bytes).dump();
      } else {
        actual = std::string(v);
      }
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
    MEDMIJ_RETURN_IF_ERROR(scanned);
    MEDMIJ_RETURN_IF_ERROR(status);
    if (it != expected.end()) {
      return Status::Corruption(Where(table, it->first) +
                                ": in the journal but missing from the table");
    }
    step();
  }

  for (const internal::IndexSpec& idx : internal::kIndexes) {
    std::set<std::string> expected;
    for (const auto& [key, bytes] : replay[DbiOf(idx.table)]) {
      json record;
      try {
        record = json::parse(bytes);
      } catch (const json::exception& e) {
        return Status::Corruption(Where(idx.table, key) + ": not JSON: " + e.what());
      }
      MEDMIJ_ASSIGN_OR_RETURN(std::string owner,
                              internal::TxnState::Owner(idx.table, key, record, idx));
      expected.insert(IndexKey(owner, key));
    }
    auto it = expected.begin();
    const std::string index_name(idx.name);
    Status scanned = r.Scan(idx.dbi, "", "", [&](std::string_view k, std::string_view) {
      if (it == expected.end() || k < *it) {
        status = Status::Corruption("index " + index_name + ": entry '" + Printable(k) +
                                    "' matches no record");
        return false;
      }
      if (k > *it) {
        status =
            Status::Corruption("index " + index_name + ": entry '" + Printable(*it) + "' missing");
        return false;
      }
      ++it;
      return true;
    });
    MEDMIJ_RETURN_IF_ERROR(scanned);
    MEDMIJ_RETURN_IF_ERROR(status);
    if (it != expected.end()) {
      return Status::Corruption("index " + index_name + ": entry '" + Printable(*it) + "' missing");
    }
    step();
  }
  MEDMIJ_RETURN_IF_ERROR(internal::CompareTree(r, tree));
  step();
  MEDMIJ_RETURN_IF_ERROR(internal::CompareVersionEvents(r, version_events));
  step();
  MEDMIJ_RETURN_IF_ERROR(internal::CompareHistory(r, history));
  step();
  return Status::Ok();
}

Result<RegistryState> Store::StateAt(Time t) const {
  MEDMIJ_ASSIGN_OR_RETURN(auto reader, BeginRead());
  MEDMIJ_ASSIGN_OR_RETURN(uint64_t seq, internal::LastSeqAt(*reader->impl_, t));
  MEDMIJ_ASSIGN_OR_RETURN(Replay raw, internal::HistoryStateAfter(*reader->impl_, seq));
  return Decode(raw);
}

Result<RegistryState> Store::ReplayStateAt(Time t) const {
  MEDMIJ_ASSIGN_OR_RETURN(auto reader, BeginRead());
  // One pass: every event is applied; what the events after the last one at or before `t`
  // changed is rolled back at the end (later events may again be at or before `t` when the
  // clock stepped back, so the prefix ends only at the journal's end).
  Replay replay;
  std::vector<Undo> undo;
  Status status;
  MEDMIJ_RETURN_IF_ERROR(reader->ForEachEvent(1, [&](const JournalEvent& ev) {
    const bool in_prefix = ev.meta.at <= t;
    status = Apply(ev, replay, /*check_before=*/false, in_prefix ? nullptr : &undo);
    if (in_prefix) undo.clear();
    return status.ok();
  }));
  MEDMIJ_RETURN_IF_ERROR(status);
  for (auto it = undo.rbegin(); it != undo.rend(); ++it) {
    auto& table = replay[DbiOf(it->table)];
    if (it->prior) {
      table[it->key] = std::move(*it->prior);
    } else {
      table.erase(it->key);
    }
  }
  return Decode(replay);
}

}  // namespace medmij::store
