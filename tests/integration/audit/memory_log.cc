#include "tests/integration/audit/memory_log.h"

#include <algorithm>
#include <stdexcept>

#include "registry/common/checkpoint.h"
#include "registry/common/tlog_tiles.h"

namespace medmij::testing {

MemoryLog::MemoryLog(uint64_t size, std::string fork, uint64_t fork_at)
    : fork_(std::move(fork)), fork_at_(fork_.empty() ? UINT64_MAX : fork_at), levels_(1) {
  Grow(size);
}

void MemoryLog::Grow(uint64_t size) {
  for (uint64_t i = levels_[0].size(); i < size; ++i) {
    std::string entry = "entry " + std::to_string(i);
    if (i >= fork_at_) entry = fork_ + " " + entry;
    levels_[0].push_back(merkle::LeafHash(entry));
    // The leaf completes at most one subtree per level, bottom up.
    for (size_t k = 1; k <= levels_.size(); ++k) {
      const size_t complete = levels_[k - 1].size() / 2;
      if (k == levels_.size()) {
        if (complete == 0) break;
        levels_.emplace_back();
      }
      if (levels_[k].size() == complete) break;
      const auto& below = levels_[k - 1];
      const size_t j = levels_[k].size();
      levels_[k].push_back(merkle::NodeHash(below[2 * j], below[2 * j + 1]));
    }
  }
}

merkle::Hash MemoryLog::Root() const {
  auto root = merkle::TreeHash(size(), [this](int level, uint64_t index) -> Result<merkle::Hash> {
    return levels_.at(static_cast<size_t>(level)).at(index);
  });
  if (!root.ok()) throw std::runtime_error(root.status().message());
  return *root;
}

std::string MemoryLog::Note(const note::Signer& signer, const std::string& origin) const {
  auto signed_note = signer.Sign(checkpoint::Format({origin, size(), Root(), {}}));
  if (!signed_note.ok()) throw std::runtime_error(signed_note.status().message());
  return *signed_note;
}

std::map<std::string, std::string> MemoryLog::Tiles() const {
  std::map<std::string, std::string> out;
  for (size_t height = 0; height < levels_.size(); height += tiles::kHeight) {
    const auto& row = levels_[height];
    for (uint64_t first = 0; first < row.size(); first += tiles::kWidth) {
      tiles::Tile tile;
      tile.level = static_cast<int>(height / tiles::kHeight);
      tile.index = first / tiles::kWidth;
      tile.width = std::min<uint64_t>(tiles::kWidth, row.size() - first);
      const std::vector<merkle::Hash> hashes(
          row.begin() + static_cast<std::ptrdiff_t>(first),
          row.begin() + static_cast<std::ptrdiff_t>(first + tile.width));
      out[tiles::Path(tile)] = tiles::JoinHashes(hashes);
    }
  }
  return out;
}

}  // namespace medmij::testing
