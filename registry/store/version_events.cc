#include "registry/store/version_events.h"

#include "registry/common/text.h"
#include "registry/store/archive_event.h"

namespace medmij::store::internal {

// The list and volgnummer of a ListKey ("<list>/<20 digits>"), or nullopt.
std::optional<std::pair<ListKind, uint64_t>> ParseListKey(std::string_view key) {
  constexpr size_t kDigits = 20;
  if (key.size() < kDigits + 2 || key[key.size() - kDigits - 1] != '/') return std::nullopt;
  auto list = ParseListKind(key.substr(0, key.size() - kDigits - 1));
  if (!list) return std::nullopt;
  uint64_t n = 0;
  for (char c : key.substr(key.size() - kDigits)) {
    if (c < '0' || c > '9' || n > (UINT64_MAX - 9) / 10) return std::nullopt;
    n = n * 10 + static_cast<uint64_t>(c - '0');
  }
  if (ListKey(*list, n) != key) return std::nullopt;
  return std::pair{*list, n};
}

// The entry at the first index key >= `from` among the keys starting with `prefix`.
Result<std::optional<std::pair<std::string, uint64_t>>> FirstEntryFrom(const TxnState& txn,
                                                                       std::string_view prefix,
                                                                       std::string_view from) {
  std::optional<std::pair<std::string, uint64_t>> found;
  Status bad;
  MEDMIJ_RETURN_IF_ERROR(
      txn.Scan(kVersionEventDbi, prefix, from, [&](std::string_view k, std::string_view v) {
        auto seq = journal::ParseSeqKey(v);
        if (!seq) {
          bad = Status::Corruption("list_version_events/" + EscapeForDisplay(k) +
                                   ": not a journal sequence number");
        } else {
          found.emplace(std::string(k), *seq);
        }
        return false;
      }));
  MEDMIJ_RETURN_IF_ERROR(bad);
  return found;
}

std::vector<std::string> ArchivedVersionKeys(const JournalEvent& ev, std::string_view stored) {
  std::vector<std::string> keys;
  for (const Change& c : ev.changes) {
    // Versions are created once and never changed or erased; only a creation can archive one.
    if (c.table != Table::kListVersions || c.before || !c.after) continue;
    auto version = ParseListKey(c.key);
    if (!version) continue;
    if (ArchivedListVersion(stored, version->first, version->second).ok()) keys.push_back(c.key);
  }
  return keys;
}

void IndexVersionEvents(TxnState& txn, const JournalEvent& ev, std::string_view stored) {
  const std::string seq = journal::SeqKey(ev.seq);
  for (const std::string& key : ArchivedVersionKeys(ev, stored)) {
    if (!txn.RawPut(kVersionEventDbi, key, seq, 0, "put list version event")) return;
  }
}

void AddToIndex(VersionEventIndex& index, const JournalEvent& ev, std::string_view stored) {
  const std::string seq = journal::SeqKey(ev.seq);
  for (std::string& key : ArchivedVersionKeys(ev, stored)) index[std::move(key)] = seq;
}

Status CompareVersionEvents(const TxnState& txn, const VersionEventIndex& expected) {
  Status status;
  auto it = expected.begin();
  auto name = [](std::string_view key) { return "list_version_events/" + EscapeForDisplay(key); };
  MEDMIJ_RETURN_IF_ERROR(
      txn.Scan(kVersionEventDbi, "", "", [&](std::string_view k, std::string_view v) {
        if (it == expected.end() || k < it->first) {
          status = Status::Corruption(name(k) + ": indexed but no journal event archived it");
          return false;
        }
        if (k > it->first) {
          status = Status::Corruption(name(it->first) + ": missing from the index");
          return false;
        }
        if (v != it->second) {
          status = Status::Corruption(name(k) + ": names another event than the journal's");
          return false;
        }
        ++it;
        return true;
      }));
  MEDMIJ_RETURN_IF_ERROR(status);
  if (it != expected.end()) {
    return Status::Corruption(name(it->first) + ": missing from the index");
  }
  return Status::Ok();
}

}  // namespace medmij::store::internal

namespace medmij::store {

Result<std::optional<LoggedEvent>> Reader::ArchivingEvent(ListKind list,
                                                          uint64_t volgnummer) const {
  const std::string key = internal::ListKey(list, volgnummer);
  MEDMIJ_ASSIGN_OR_RETURN(auto seq_key, impl_->Get(internal::kVersionEventDbi, key));
  if (!seq_key) return std::optional<LoggedEvent>();
  auto seq = journal::ParseSeqKey(*seq_key);
  const std::string where = "list_version_events/" + key;
  if (!seq) return Status::Corruption(where + ": not a journal sequence number");
  MEDMIJ_ASSIGN_OR_RETURN(auto stored, impl_->Get(internal::kJournalDbi, *seq_key));
  if (!stored) {
    return Status::Corruption(where + ": names journal event " + std::to_string(*seq) +
                              ", which is missing");
  }
  return std::optional<LoggedEvent>(LoggedEvent{*seq, std::string(*stored)});
}

}  // namespace medmij::store

namespace medmij::store {

Result<std::vector<LoggedVersion>> Reader::VersionsArchivedIn(uint64_t after_seq,
                                                              uint64_t upto_seq) const {
  std::vector<LoggedVersion> out;
  for (ListKind list : kAllLists) {
    const std::string prefix = std::string(ToString(list)) + "/";
    MEDMIJ_ASSIGN_OR_RETURN(auto last, impl_->Last(internal::kVersionEventDbi, prefix));
    if (!last) continue;
    auto newest = internal::ParseListKey(last->first);
    if (!newest) {
      return Status::Corruption("list_version_events/" + EscapeForDisplay(last->first) +
                                ": not a list version key");
    }
    // The lowest volgnummer whose entry (or the next one after it) was archived after
    // `after_seq`: seqs rise with volgnummer, so a binary search over [1, newest].
    uint64_t lo = 1, hi = newest->second + 1;
    while (lo < hi) {
      const uint64_t mid = lo + (hi - lo) / 2;
      MEDMIJ_ASSIGN_OR_RETURN(
          auto entry, internal::FirstEntryFrom(*impl_, prefix, internal::ListKey(list, mid)));
      if (entry && entry->second > after_seq) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    for (std::string from = internal::ListKey(list, lo);;) {
      MEDMIJ_ASSIGN_OR_RETURN(auto entry, internal::FirstEntryFrom(*impl_, prefix, from));
      if (!entry || entry->second > upto_seq) break;
      auto key = internal::ParseListKey(entry->first);
      if (!key) {
        return Status::Corruption("list_version_events/" + EscapeForDisplay(entry->first) +
                                  ": not a list version key");
      }
      if (entry->second > after_seq) {
        MEDMIJ_ASSIGN_OR_RETURN(auto event, ArchivingEvent(list, key->second));
        if (!event) return Status::Internal("list_version_events/" + entry->first + ": vanished");
        out.push_back(LoggedVersion{list, key->second, std::move(*event)});
      }
      from = entry->first;
      from += '\0';  // the next key after this one
    }
  }
  return out;
}

}  // namespace medmij::store
