// A transparency log held in memory for tests: an RFC 6962 tree over made-up entries, its
// signed checkpoint, and its hash tiles as a C2SP tlog-tiles server holds them.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "registry/common/merkle.h"
#include "registry/common/note.h"

namespace medmij::testing {

class MemoryLog {
 public:
  // Entries "entry <i>"; from index `fork_at` on "<fork> entry <i>" instead, so two logs that
  // differ only there share the tree of their first `fork_at` entries.
  explicit MemoryLog(uint64_t size = 0, std::string fork = "", uint64_t fork_at = 0);

  void Grow(uint64_t size);  // appends entries up to `size`
  uint64_t size() const { return levels_[0].size(); }
  merkle::Hash Root() const;
  // The checkpoint of the tree as `signer` signs it, with `origin` in its first line.
  std::string Note(const note::Signer& signer, const std::string& origin) const;
  std::string Note(const note::Signer& signer) const { return Note(signer, signer.name()); }
  // Every hash tile of the tree, by path relative to the log ("tile/0/000", "tile/1/000.p/3"):
  // the full tiles and each level's partial rightmost one.
  std::map<std::string, std::string> Tiles() const;

 private:
  std::string fork_;
  uint64_t fork_at_;
  std::vector<std::vector<merkle::Hash>> levels_;  // levels_[k]: complete subtrees of 2^k leaves
};

}  // namespace medmij::testing
