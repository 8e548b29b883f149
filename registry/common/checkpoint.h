// C2SP tlog-checkpoint (c2sp.org/tlog-checkpoint): the note text naming a log's tree head.
//
//   <origin>\n<tree size, decimal, no leading zeros>\n<base64 RFC 6962 root hash>\n[extensions]
//
// Pure; signing and verifying the note around it is registry/common/note.h.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "registry/common/merkle.h"
#include "registry/common/status.h"

namespace medmij::checkpoint {

struct Checkpoint {
  std::string origin;
  uint64_t size = 0;
  merkle::Hash root{};
  std::vector<std::string> extensions;  // each non-empty, without its newline
  bool operator==(const Checkpoint&) const = default;
};

// The note text. REQUIRES: origin and extensions are non-empty single lines.
std::string Format(const Checkpoint& c);

// Parses a note text (with its final newline, without the signatures); kInvalidArgument naming
// the line at fault.
Result<Checkpoint> Parse(std::string_view text);

}  // namespace medmij::checkpoint
