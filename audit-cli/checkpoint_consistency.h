// Whether a log's latest signed checkpoint extends the one an auditor saw before: the judgement
// of `medmij-audit checkpoint`, pure but for the tiles it asks `TileSource` for.
//
// The consistency proof is computed here, from the log's hash tiles (c2sp.org/tlog-tiles), not
// taken from the log: only the tiles that hold the proof's subtrees are read, O(log n) of them.
// Tiles are untrusted like everything the log serves; the proof is then checked against both
// signed roots (RFC 9162 2.1.4.2), so bad tiles can make a consistent log fail, never an
// inconsistent one pass.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "registry/common/checkpoint.h"
#include "registry/common/status.h"
#include "registry/common/tlog_tiles.h"

namespace medmij::audit_cli {

// The bytes of a hash tile (exactly tile.width hashes expected), or why there are none (a
// missing tile, a network fault): kNotFound / kIoError / ..., one line naming the tile.
using TileSource = std::function<Result<std::string>(const tiles::Tile& tile)>;

enum class Verdict {
  kFirstUse,    // nothing saved: the latest is trusted on first use
  kSame,        // the saved tree size and root
  kConsistent,  // a larger tree that the consistency proof shows extends the saved one
  kSplitView,   // a smaller tree, another root for the same size, or a proof that fails
};

struct Judgement {
  Verdict verdict = Verdict::kFirstUse;
  // For kSplitView: one line naming what differs (sizes and roots). Empty otherwise.
  std::string why;
  uint64_t tiles_read = 0;  // distinct tiles asked for
};

// Judges `latest` against `saved` (both already verified as signed by the log's key). An error
// when the tiles could not decide it: a tile `tiles` did not give (its error, naming the tile),
// a tile of the wrong length, or tiles whose hashes do not give `latest`'s own root
// (kCorruption: the log serves tiles that do not match its checkpoint; not a split view, since
// nothing signed disagrees). REQUIRES: both checkpoints have the same origin.
Result<Judgement> Judge(const std::optional<checkpoint::Checkpoint>& saved,
                        const checkpoint::Checkpoint& latest, const TileSource& tiles);

}  // namespace medmij::audit_cli
