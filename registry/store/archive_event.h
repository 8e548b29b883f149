// The journal event that archived a list version, read from its stored bytes: what a
// transparency-log proof of a list carries as its entry (the leaf is the event). Pure: no LMDB,
// in medmij_store_codec with the journal's encoding, so participants' tools can link it.
#pragma once

#include <cstdint>
#include <string_view>

#include "registry/common/status.h"
#include "registry/domain/types.h"
#include "registry/store/store.h"

namespace medmij::store {

// The ListVersion that the event stored as `stored_event` archived as (list, volgnummer): the
// event decodes as a journal event, creates the `list_versions` record
// "<list>/<20-digit volgnummer>" (no before) whose value names that list and volgnummer, and
// creates the `list_bytes` record of the same key with that version's sha256 and size.
// kInvalidArgument naming what is missing or different otherwise.
Result<ListVersion> ArchivedListVersion(std::string_view stored_event, ListKind list,
                                        uint64_t volgnummer);

}  // namespace medmij::store
