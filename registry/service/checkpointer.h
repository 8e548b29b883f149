// The transparency log's signed checkpoints (issue 11): a C2SP tlog-checkpoint of the journal's
// RFC 6962 tree (registry/common/checkpoint.h) signed as a C2SP signed note with the log key.
//
// The latest signed checkpoint is archived in the data directory (kArchiveName, written
// atomically before anyone is shown it), and every new one is checked against it first: the
// journal must hold at least as many events, and the store's consistency proof must connect
// the archived root to the new one. So the log never signs a smaller tree, never signs two
// checkpoints that are inconsistent with each other, and a restart continues where it stopped.
// A journal that fails this (rolled back from a backup, or altered) is refused, and nothing is
// signed until an operator resolves it.
#pragma once

#include <atomic>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "registry/common/checkpoint.h"
#include "registry/common/checkpoint_archive.h"
#include "registry/common/note.h"
#include "registry/common/status.h"
#include "registry/service/version_proofs.h"
#include "registry/store/store.h"

namespace medmij::service {

class Checkpointer {
 public:
  static constexpr std::string_view kArchiveName = checkpoint::kArchiveName;

  // Reads the archived checkpoint in `data_dir`, if any. kCorruption naming the file when it is
  // not a checkpoint signed by `signer`'s key with its name as origin (a changed key or origin
  // is not continued silently); kIoError when it cannot be read. `store` must outlive it, and
  // `proofs` (null: none) too. Versions the archived checkpoint covers that have no proof yet
  // (a data dir signed before proofs were kept) get theirs under it.
  static Result<std::unique_ptr<Checkpointer>> Open(const store::Store& store,
                                                    std::shared_ptr<const note::Signer> signer,
                                                    const std::filesystem::path& data_dir,
                                                    const VersionProofs* proofs = nullptr);

  // Signs and archives a checkpoint of the journal as it is now when it holds more events than
  // the latest (or there is none yet); returns whether it did. kFailedPrecondition, signing
  // nothing, when the journal is not consistent with the latest checkpoint (fewer events, or a
  // consistency proof that does not verify); kIoError when archiving it or the versions'
  // proofs fails (then the new checkpoint is not used either). REQUIRES: one caller at a time.
  Result<bool> Update();

  // A signed checkpoint: the whole note and what its text says.
  struct Signed {
    std::string note;
    checkpoint::Checkpoint checkpoint;
  };

  // The latest signed checkpoint (the whole note), or null before the first. Safe for
  // concurrent use.
  std::shared_ptr<const std::string> Latest() const {
    std::shared_ptr<const Signed> s = latest_signed_.load();
    return s ? std::shared_ptr<const std::string>(s, &s->note) : nullptr;
  }
  // The same with its parsed text (the tree the tiles are served for), or null. Safe for
  // concurrent use.
  std::shared_ptr<const Signed> LatestSigned() const { return latest_signed_.load(); }

 private:
  Checkpointer(const store::Store& store, std::shared_ptr<const note::Signer> signer,
               std::filesystem::path archive, const VersionProofs* proofs);

  const store::Store& store_;
  const VersionProofs* proofs_;
  std::shared_ptr<const note::Signer> signer_;
  std::filesystem::path archive_;
  std::optional<checkpoint::Checkpoint> latest_;  // only the Update caller touches it
  std::atomic<std::shared_ptr<const Signed>> latest_signed_;
};

}  // namespace medmij::service
