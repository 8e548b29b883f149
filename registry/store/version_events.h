// Which journal event archived each list version. Private to registry/store.
//
// The `list_version_events` table (tables.h, schema 4 on) maps a list version's key (ListKey)
// to the 8-byte big-endian seq (journal::SeqKey) of the event that archived it, as
// ArchivedListVersion (archive_event.h) reads a stored event: the one definition of "this
// event archived that version", shared with the participants' tools that check a proof. The
// entry is written in the transaction that appends that event, so a version's `.event` and
// its inclusion proof are found with one lookup instead of a journal scan. Nothing journals
// it: it is derived from the journal, the schema-4 upgrade builds it from the events already
// there, and Check() compares it with the journal.
//
// An event that creates a `list_versions` record without archiving it by that definition (a
// version whose sha256 or size is not its bytes') gets no entry: it proves nothing about the
// version, so none is served as its evidence.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "registry/store/txn.h"

namespace medmij::store::internal {

// The list and volgnummer of a ListKey ("<list>/<20 digits>"), or nullopt.
std::optional<std::pair<ListKind, uint64_t>> ParseListKey(std::string_view key);

// The entry at the first index key >= `from` among those starting with `prefix`: the key and
// the seq it names.
Result<std::optional<std::pair<std::string, uint64_t>>> FirstEntryFrom(const TxnState& txn,
                                                                       std::string_view prefix,
                                                                       std::string_view from);

// The ListKeys of the versions the event stored as `stored` (and decoded as `ev`) archived.
std::vector<std::string> ArchivedVersionKeys(const JournalEvent& ev, std::string_view stored);

// Writes the entries of `ev`, just appended as `stored`. Sets the transaction's error on failure.
void IndexVersionEvents(TxnState& txn, const JournalEvent& ev, std::string_view stored);

// The whole index as the journal makes it: ListKey -> SeqKey(seq).
using VersionEventIndex = std::map<std::string, std::string>;
void AddToIndex(VersionEventIndex& index, const JournalEvent& ev, std::string_view stored);

// Compares the table with `expected`: the first missing, extra or different entry.
Status CompareVersionEvents(const TxnState& txn, const VersionEventIndex& expected);

}  // namespace medmij::store::internal
