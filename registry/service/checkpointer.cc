#include "registry/service/checkpointer.h"

#include "registry/common/atomic_file.h"
#include "registry/common/checkpoint_archive.h"

namespace medmij::service {

Checkpointer::Checkpointer(const store::Store& store, std::shared_ptr<const note::Signer> signer,
                           std::filesystem::path archive, const VersionProofs* proofs)
    : store_(store), proofs_(proofs), signer_(std::move(signer)), archive_(std::move(archive)) {}

Result<std::unique_ptr<Checkpointer>> Checkpointer::Open(const store::Store& store,
                                                         std::shared_ptr<const note::Signer> signer,
                                                         const std::filesystem::path& data_dir,
                                                         const VersionProofs* proofs) {
  std::unique_ptr<Checkpointer> c(
      new Checkpointer(store, std::move(signer), data_dir / std::string(kArchiveName), proofs));
  MEDMIJ_ASSIGN_OR_RETURN(auto archived,
                          checkpoint::ReadArchive(data_dir, &c->signer_->verifier()));
  if (!archived) return c;
  if (archived->checkpoint.origin != c->signer_->name()) {
    std::string where = "'";  // appended: g++ 12 -O3's false -Wrestrict on "'" + ... + "'"
    where += c->archive_.string();
    where += '\'';
    return Status::Corruption(where + ": the archived checkpoint's origin '" +
                              archived->checkpoint.origin + "' is not [transparency] origin '" +
                              c->signer_->name() + "'");
  }
  if (proofs != nullptr) {
    MEDMIJ_RETURN_IF_ERROR(
        proofs->WriteCovered(store, 0, archived->checkpoint.size, archived->note));
  }
  c->latest_ = archived->checkpoint;
  c->latest_signed_.store(std::make_shared<const Signed>(
      Signed{std::move(archived->note), std::move(archived->checkpoint)}));
  return c;
}

Result<bool> Checkpointer::Update() {
  checkpoint::Checkpoint next;
  next.origin = signer_->name();
  {
    MEDMIJ_ASSIGN_OR_RETURN(auto reader, store_.BeginRead());
    MEDMIJ_ASSIGN_OR_RETURN(next.size, reader->JournalLength());
    MEDMIJ_ASSIGN_OR_RETURN(next.root, reader->TreeHash(next.size));
    if (latest_) {
      const uint64_t old_size = latest_->size;
      if (next.size < old_size) {
        return Status::Refused("the journal holds " + std::to_string(next.size) +
                               " events but checkpoint " + std::to_string(old_size) +
                               " was signed (journal rolled back?); refusing to sign");
      }
      if (next.size == old_size) {
        if (next.root != latest_->root) {
          return Status::Refused("the journal's tree at " + std::to_string(old_size) +
                                 " events differs from the signed checkpoint; refusing to sign");
        }
        return false;
      }
      MEDMIJ_ASSIGN_OR_RETURN(auto proof, reader->ConsistencyProof(old_size, next.size));
      if (!merkle::VerifyConsistency(old_size, next.size, latest_->root, next.root, proof)) {
        return Status::Refused("the journal at " + std::to_string(next.size) +
                               " events is not consistent with the signed checkpoint " +
                               std::to_string(old_size) + "; refusing to sign");
      }
    }
  }
  MEDMIJ_ASSIGN_OR_RETURN(std::string note, signer_->Sign(checkpoint::Format(next)));
  if (proofs_ != nullptr) {
    MEDMIJ_RETURN_IF_ERROR(
        proofs_->WriteCovered(store_, latest_ ? latest_->size : 0, next.size, note));
  }
  MEDMIJ_RETURN_IF_ERROR(
      WriteFileAtomically(archive_, note, AtomicWriteOptions{.mode = 0644, .replace = true}));
  latest_ = next;
  latest_signed_.store(std::make_shared<const Signed>(Signed{std::move(note), std::move(next)}));
  return true;
}

}  // namespace medmij::service
