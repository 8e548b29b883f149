// What `medmij-audit checkpoint` remembers of a log between runs: the last signed checkpoint note
// it accepted, verbatim (so the state is itself signed evidence), in a LockedFile (no symbolic
// links, replaced atomically and durably, one run at a time). Refused notes are kept beside it
// as evidence, each in a file of its own that is never overwritten.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "registry/common/checkpoint.h"
#include "registry/common/locked_file.h"
#include "registry/common/note.h"
#include "registry/common/status.h"
#include "registry/common/time.h"

namespace medmij::audit_cli {

class CheckpointState {
 public:
  // LockedFile::Open(path, "state", ...) and the note it holds, opened under `log`
  // (tlog::OpenCheckpoint). kInvalidArgument for a path that cannot be used (a symbolic link,
  // a directory, not writable) and for content that is not a checkpoint signed by `log`
  // ("state file P: ...").
  static Result<std::unique_ptr<CheckpointState>> Open(const std::filesystem::path& path,
                                                       const note::Verifier& log);

  // The saved checkpoint; nullopt when there is no state yet.
  const std::optional<checkpoint::Checkpoint>& saved() const { return saved_; }
  const std::filesystem::path& path() const { return file_->path(); }

  // Replaces the state with `signed_note`. kIoError; the old state stays.
  Status Save(std::string_view signed_note);

  // Keeps a refused note as evidence in PATH.refused-<size>-<YYYYMMDDTHHMMSSZ> (UTC, `now`),
  // with "-2", "-3", ... appended when that exists; never replaces a file. Returns its path.
  Result<std::filesystem::path> SaveRefused(std::string_view signed_note, uint64_t size, Time now);

 private:
  CheckpointState() = default;
  std::unique_ptr<LockedFile> file_;
  std::optional<checkpoint::Checkpoint> saved_;
};

}  // namespace medmij::audit_cli
