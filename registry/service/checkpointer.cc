#include "registry/service/checkpointer.h"

#include <fstream>
#include <sstream>

#include "registry/common/atomic_file.h"

namespace medmij::service {

Checkpointer::Checkpointer(const store::Store& store, std::shared_ptr<const note::Signer> signer,
                           std::filesystem::path archive)
    : store_(store), signer_(std::move(signer)), archive_(std::move(archive)) {}

Result<std::unique_ptr<Checkpointer>> Checkpointer::Open(const store::Store& store,
                                                         std::shared_ptr<const note::Signer> signer,
                                                         const std::filesystem::path& data_dir) {
  std::unique_ptr<Checkpointer> c(
      new Checkpointer(store, std::move(signer), data_dir / std::string(kArchiveName)));
  std::string where = "'";  // appended: g++ 12 -O3's false -Wrestrict on "'" + ... + "'"
  where += c->archive_.string();
  where += '\'';
  std::error_code ec;
  if (!std::filesystem::exists(c->archive_, ec)) {
    if (ec) return Status::IoError(where + ": " + ec.message());
    return c;
  }
  std::ifstream in(c->archive_, std::ios::binary);
  std::ostringstream bytes;
  if (in) bytes << in.rdbuf();
  if (!in || in.bad()) return Status::IoError(where + ": cannot read the archived checkpoint");
  const std::string note = bytes.str();
  auto text = note::Open(note, c->signer_->verifier());
  if (!text.ok()) {
    return Status::Corruption(where + ": the archived checkpoint is not signed by the log key " +
                              c->signer_->verifier().ToString() + " (" + text.status().message() +
                              ")");
  }
  auto parsed = checkpoint::Parse(*text);
  if (!parsed.ok()) return Status::Corruption(where + ": " + parsed.status().message());
  if (parsed->origin != c->signer_->name()) {
    return Status::Corruption(where + ": the archived checkpoint's origin '" + parsed->origin +
                              "' is not [transparency] origin '" + c->signer_->name() + "'");
  }
  c->latest_ = *parsed;
  c->latest_signed_.store(std::make_shared<const Signed>(Signed{note, std::move(parsed).value()}));
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
  MEDMIJ_RETURN_IF_ERROR(
      WriteFileAtomically(archive_, note, AtomicWriteOptions{.mode = 0644, .replace = true}));
  latest_ = next;
  latest_signed_.store(std::make_shared<const Signed>(Signed{std::move(note), std::move(next)}));
  return true;
}

}  // namespace medmij::service
