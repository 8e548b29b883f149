// Making a participant's evidence bundle (audit/bundle.h) from the store: the maker's half. It
// reads LMDB and parses archived lists, so it is a library of its own; the verifier
// (medmij_audit_bundle) stays free of both.
#pragma once

#include <string_view>

#include "audit/bundle.h"
#include "registry/common/status.h"
#include "registry/store/store.h"

namespace medmij::audit {

// The bundle of `participant` under `checkpoint_note`, a signed checkpoint of this store's
// journal (its signature is not checked here; the verifier checks it):
//   events        every journal event with index < the checkpoint's tree size that
//                 TouchesParticipant, with its stored bytes and its inclusion proof in that tree;
//   left_out      the number of journal events after the checkpoint's tree size;
//   list_versions each archived list version logged within the checkpoint's tree in which the
//                 participant has entries while that list's previous version had none
//                 ("entered"), or none while the previous one had some ("left"); by list, then
//                 volgnummer. Its entries are those keyed by the hostname of one of its nodes
//                 (Whitelist) or OAuth clients (OCL), or the name of a provider it serves (ZAL,
//                 ZAKL), as the journal recorded them when the version was archived.
// kNotFound for an unknown participant; kInvalidArgument when the note is not a checkpoint;
// kFailedPrecondition when the store is not consistent with the checkpoint (its journal is
// shorter, or its tree at that size has another root).
Result<Bundle> MakeBundle(const store::Reader& r, std::string_view participant,
                          std::string_view checkpoint_note);

}  // namespace medmij::audit
