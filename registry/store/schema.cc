#include "registry/store/schema.h"

#include <array>
#include <string>
#include <utility>
#include <vector>

#include "registry/store/journal.h"
#include "registry/store/lmdb_raii.h"
#include "registry/store/state_history.h"
#include "registry/store/tables.h"
#include "registry/store/tlog.h"
#include "registry/store/version_events.h"

namespace medmij::store::internal {
namespace {

// Schema upgrades: the step that takes a data dir from `from` to `from + 1`, run inside the
// write transaction of Open(), so an upgrade is all or nothing.
struct UpgradeStep {
  int from;
  Status (*apply)(MDB_txn* txn, const EnvCore& core);
};

// Calls fn(key, stored bytes) for every journal event in seq order, inside the upgrade's
// transaction. (Every upgrade step derives what it adds from the stored events.)
template <typename F>
Status ForEachStoredEvent(MDB_txn* txn, const EnvCore& core, F&& fn) {
  int rc = 0;
  lmdb::Cursor cursor(txn, core.dbi[kJournalDbi], rc);
  if (rc != MDB_SUCCESS) return core.Error(rc, "open journal cursor");
  MDB_val k{}, v{};
  for (rc = cursor.Get(k, v, MDB_FIRST); rc == MDB_SUCCESS; rc = cursor.Get(k, v, MDB_NEXT)) {
    fn(lmdb::View(k), lmdb::View(v));
  }
  if (rc != MDB_NOTFOUND) return core.Error(rc, "read journal");
  return Status::Ok();
}

// 1 -> 2: journal events are stored without their hash, which is computed from the stored bytes
// (journal.h). Every event whose schema-1 hash holds loses its "hash" field; its hash, and so the
// chain and the journal head, stay as they were. An event that does not verify under schema 1 is
// left byte for byte as it is: the upgrade neither launders nor destroys evidence, and
// VerifyJournal reports it afterwards.
Status UpgradeFrom1(MDB_txn* txn, const EnvCore& core) {
  const MDB_dbi dbi = core.dbi[kJournalDbi];
  std::vector<std::pair<std::string, std::string>> rewrites;
  MEDMIJ_RETURN_IF_ERROR(
      ForEachStoredEvent(txn, core, [&](std::string_view key, std::string_view stored) {
        if (auto v2 = journal::UpgradeFromSchema1(stored)) {
          rewrites.emplace_back(std::string(key), std::move(*v2));
        }
      }));
  for (auto& [key, value] : rewrites) {
    MDB_val kk = lmdb::Val(key), vv = lmdb::Val(value);
    int rc = mdb_put(txn, dbi, &kk, &vv, 0);
    if (rc != MDB_SUCCESS) return core.Error(rc, "upgrade journal event");
  }
  return Status::Ok();
}

// 2 -> 3: the transparency log's tree hashes (tables.h), computed from the stored events.
Status UpgradeFrom2(MDB_txn* txn, const EnvCore& core) {
  TreeBuilder tree;
  MEDMIJ_RETURN_IF_ERROR(ForEachStoredEvent(
      txn, core, [&](std::string_view, std::string_view stored) { tree.Append(stored); }));
  for (const auto& [key, hash] : tree.entries()) {
    MDB_val kk = lmdb::Val(key);
    MDB_val vv{hash.size(), const_cast<unsigned char*>(hash.data())};
    int rc = mdb_put(txn, core.dbi[kTreeDbi], &kk, &vv, 0);
    if (rc != MDB_SUCCESS) return core.Error(rc, "put tree hash");
  }
  return Status::Ok();
}

// 3 -> 4: the event that archived each list version (version_events.h), from the journal.
Status UpgradeFrom3(MDB_txn* txn, const EnvCore& core) {
  VersionEventIndex index;
  MEDMIJ_RETURN_IF_ERROR(
      ForEachStoredEvent(txn, core, [&](std::string_view, std::string_view stored) {
        // An event that does not decode is left for VerifyJournal and Check to report; it
        // archived no version this index could name.
        JournalEvent ev;
        if (!journal::TryDecode(stored, ev)) AddToIndex(index, ev, stored);
      }));
  for (const auto& [key, seq] : index) {
    MDB_val kk = lmdb::Val(key), vv = lmdb::Val(seq);
    int rc = mdb_put(txn, core.dbi[kVersionEventDbi], &kk, &vv, 0);
    if (rc != MDB_SUCCESS) return core.Error(rc, "put list version event");
  }
  return Status::Ok();
}

// 4 -> 5: every version of every record and the event each time falls on (state_history.h),
// from the journal.
Status UpgradeFrom4(MDB_txn* txn, const EnvCore& core) {
  // Derived tables: whatever a data dir holds there is rebuilt (none before schema 5 writes them).
  for (size_t dbi : {kStateHistoryDbi, kEventTimeDbi}) {
    int rc = mdb_drop(txn, core.dbi[dbi], 0);
    if (rc != MDB_SUCCESS) return core.Error(rc, "empty " + std::string(DbiName(dbi)));
  }
  HistoryBuilder history;
  MEDMIJ_RETURN_IF_ERROR(
      ForEachStoredEvent(txn, core, [&](std::string_view, std::string_view stored) {
        // An event that does not decode is left for VerifyJournal and Check to report.
        JournalEvent ev;
        if (!journal::TryDecode(stored, ev)) history.Add(ev);
      }));
  for (const auto& [key, value] : history.versions()) {
    MDB_val kk = lmdb::Val(key), vv = lmdb::Val(value);
    int rc = mdb_put(txn, core.dbi[kStateHistoryDbi], &kk, &vv, MDB_APPEND);
    if (rc != MDB_SUCCESS) return core.Error(rc, "put state history");
  }
  for (const auto& [key, value] : history.times()) {
    MDB_val kk = lmdb::Val(key), vv = lmdb::Val(value);
    int rc = mdb_put(txn, core.dbi[kEventTimeDbi], &kk, &vv, MDB_APPEND);
    if (rc != MDB_SUCCESS) return core.Error(rc, "put event time");
  }
  return Status::Ok();
}

constexpr std::array<UpgradeStep, 4> kUpgradeSteps{
    {{1, &UpgradeFrom1}, {2, &UpgradeFrom2}, {3, &UpgradeFrom3}, {4, &UpgradeFrom4}}};

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

Status OlderSchemaReadOnly(int version) {
  return Status::Refused("data dir has schema version " + std::to_string(version) +
                         "; open it read-write once to upgrade it to " +
                         std::to_string(kSchemaVersion));
}

Status PutVersion(EnvCore& core, MDB_txn* txn, int version) {
  std::string text = std::to_string(version);
  MDB_val k = lmdb::Val(kSchemaVersionKey), v = lmdb::Val(text);
  int rc = mdb_put(txn, core.dbi[kMetaDbi], &k, &v, 0);
  if (rc != MDB_SUCCESS) return core.Error(rc, "put schema version");
  return Status::Ok();
}

}  // namespace

Status OpenTables(EnvCore& core, MDB_txn* txn, bool create) {
  unsigned flags = core.read_only ? 0 : MDB_CREATE;
  for (size_t i = 0; i < kDbiCount; ++i) {
    const std::string name(DbiName(i));
    int rc = mdb_dbi_open(txn, name.c_str(), flags, &core.dbi[i]);
    if (rc == MDB_NOTFOUND) {
      // A table that a newer schema added, opened read-only in an older data dir.
      MDB_val k = lmdb::Val(kSchemaVersionKey), v{};
      if (i > kMetaDbi && mdb_get(txn, core.dbi[kMetaDbi], &k, &v) == MDB_SUCCESS) {
        auto version = ParseSchemaVersion(lmdb::View(v), core.path);
        if (version.ok() && *version < kSchemaVersion) return OlderSchemaReadOnly(*version);
      }
      return Status::NotFound(core.path.string() + " is not a registry data dir (no table '" +
                              name + "')");
    }
    if (rc != MDB_SUCCESS) return core.Error(rc, "open table " + name);
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
        return Status::Corruption(core.path.string() + ": table '" + std::string(DbiName(i)) +
                                  "' holds data but there is no schema version");
      }
    }
    if (!create) {
      return Status::NotFound(core.path.string() + " is not an initialised registry data dir");
    }
    return PutVersion(core, txn, kSchemaVersion);
  }
  if (rc != MDB_SUCCESS) return core.Error(rc, "get schema version");
  MEDMIJ_ASSIGN_OR_RETURN(int version, ParseSchemaVersion(lmdb::View(v), core.path));
  if (version > kSchemaVersion) return NewerSchema(version);
  if (version == kSchemaVersion) return Status::Ok();
  if (core.read_only) return OlderSchemaReadOnly(version);
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
  return PutVersion(core, txn, version);
}

}  // namespace medmij::store::internal
