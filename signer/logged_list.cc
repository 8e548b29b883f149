#include "signer/logged_list.h"

#include <string>

#include "registry/store/archive_event.h"

namespace medmij::signer {

Result<tlog::ProvenEntry> CheckLogged(std::string_view proof_file, const note::Verifier& log,
                                      const VerifiedList& v) {
  MEDMIJ_ASSIGN_OR_RETURN(tlog::ProvenEntry proven, tlog::VerifyProof(proof_file, log));
  MEDMIJ_ASSIGN_OR_RETURN(store::ListVersion archived,
                          store::ArchivedListVersion(proven.entry, v.list, v.volgnummer));
  if (archived.sha256 != v.sha256) {
    return Status::Invalid("logged entry: " + std::string(ToString(v.list)) + " version " +
                           std::to_string(v.volgnummer) + " was logged with sha256 " +
                           archived.sha256 + ", this file's is " + v.sha256);
  }
  return proven;
}

}  // namespace medmij::signer
