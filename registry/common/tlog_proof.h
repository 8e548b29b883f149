// C2SP tlog-proof@v1 (c2sp.org/tlog-proof): an offline-checkable proof that an entry is in a
// transparency log, saved as FILE.tlog-proof.
//
//   c2sp.org/tlog-proof@v1
//   extra <base64 opaque data>          (optional; here: the logged entry's bytes)
//   index <zero-based index, canonical decimal>
//   <base64 inclusion-proof hash>       (zero or more, leaf's sibling first)
//   <empty line>
//   <the checkpoint's signed note, verbatim>
//
// Pure: formatting and strict parsing. The extra data is not authenticated by the format: a
// verifier recomputes the leaf hash from it and checks the inclusion proof against the
// checkpoint's root, and checks the note's signature (registry/common/note.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "registry/common/merkle.h"
#include "registry/common/status.h"

namespace medmij::tlog_proof {

inline constexpr std::string_view kHeader = "c2sp.org/tlog-proof@v1";

struct Proof {
  std::optional<std::string> extra;  // decoded bytes
  uint64_t index = 0;
  std::vector<merkle::Hash> hashes;
  std::string checkpoint;  // the signed note, verbatim (ends in a newline)
  bool operator==(const Proof&) const = default;
};

// REQUIRES: checkpoint is a note (non-empty, ends in '\n').
std::string Format(const Proof& proof);

// kInvalidArgument naming the line at fault ("tlog-proof: line 3: ..."). The checkpoint part is
// taken verbatim; it is checked by whoever verifies its signature.
Result<Proof> Parse(std::string_view text);

}  // namespace medmij::tlog_proof
