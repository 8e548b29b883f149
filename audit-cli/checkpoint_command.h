// `medmij-audit checkpoint --base-url URL --vkey VKEY-FILE --state FILE`: fetches the log's
// latest signed checkpoint, verifies its signature, and checks that it extends the one saved in
// FILE by a consistency proof computed from the log's hash tiles (checkpoint_consistency.h).
// The first run trusts and saves what it sees; a split view is refused and never saved.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace medmij::audit_cli {

inline constexpr int kCheckpointOk = 0;         // saved on first use, unchanged, or consistent
inline constexpr int kCheckpointUnchecked = 1;  // could not check: network, tiles, signature
inline constexpr int kCheckpointUsage = 2;      // bad usage, VKEY-FILE or state file unusable
inline constexpr int kCheckpointSplitView = 3;  // the log contradicts the saved checkpoint

// `args` are the words after "checkpoint". Returns one of the exit codes above; one line on
// `err` for every failure. REQUIRES: InitProcessClock() was called; no other thread runs.
int CheckpointCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace medmij::audit_cli
