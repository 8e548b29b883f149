// The client side of the transparency log: what a participant's or an auditor's tool checks
// before it believes a checkpoint or a proof (c2sp.org/tlog-checkpoint, tlog-proof). Pure but
// for ReadVerifierKeyFile.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "registry/common/checkpoint.h"
#include "registry/common/note.h"
#include "registry/common/status.h"

namespace medmij::tlog {

// The verifier key in a VKEY-FILE: one key in the Go `note` form
// ("<name>+<hex key id>+<base64 key>"), optionally followed by one newline. kInvalidArgument
// "VKEY-FILE 'PATH': ..." naming what is wrong (unreadable, empty, more than one line, a key
// that does not parse).
Result<note::Verifier> ReadVerifierKeyFile(const std::filesystem::path& path);

// The checkpoint in `signed_note` when the note carries a valid signature by `log` and its
// origin is the key's name (the log the key speaks for). kInvalidArgument otherwise, one line:
// "checkpoint: not signed by <key name>: ...", "checkpoint: origin 'X' is not the log key's
// name 'Y'", or the checkpoint's own parse error.
Result<checkpoint::Checkpoint> OpenCheckpoint(std::string_view signed_note,
                                              const note::Verifier& log);

// An entry proved to be in the log: its bytes, its index and the signed checkpoint whose tree
// holds it.
struct ProvenEntry {
  checkpoint::Checkpoint checkpoint;
  std::string checkpoint_note;  // verbatim, as signed
  uint64_t index = 0;
  std::string entry;  // the leaf's bytes (the proof's extra data)
};

// Checks a tlog-proof@v1 whose extra data is the entry: the checkpoint opens under `log`
// (OpenCheckpoint), the index is inside its tree, and the leaf hash of the entry with the
// proof's hashes gives the checkpoint's root. kInvalidArgument naming the failed step
// ("tlog-proof: ...", "checkpoint: ...").
Result<ProvenEntry> VerifyProof(std::string_view proof_file, const note::Verifier& log);

}  // namespace medmij::tlog
