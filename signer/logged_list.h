// A participant's check that a verified list version is in the registry's transparency log
// (medmij-verify --proof): the C2SP tlog-proof@v1 the registry serves beside every archived
// version (`/lists/{list}/versions/{n}.tlog-proof`) carries, as its entry, the stored journal
// event that archived the version.
#pragma once

#include <string_view>

#include "registry/common/note.h"
#include "registry/common/status.h"
#include "registry/common/tlog_verify.h"
#include "signer/signer.h"

namespace medmij::signer {

// Ok when `proof_file` verifies under `log` (tlog::VerifyProof: the checkpoint is signed by the
// log key, its origin is the key's name, the entry is at `index` of its tree) and its entry is
// the event that archived this list kind and Volgnummer with the document's sha256
// (store::ArchivedListVersion). kInvalidArgument naming the step that failed. REQUIRES: `v` is
// what Verify returned for the document.
Result<tlog::ProvenEntry> CheckLogged(std::string_view proof_file, const note::Verifier& log,
                                      const VerifiedList& v);

}  // namespace medmij::signer
