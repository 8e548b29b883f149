#include "audit-cli/checkpoint_consistency.h"

#include <map>
#include <tuple>
#include <vector>

#include "registry/common/base64.h"
#include "registry/common/merkle.h"

namespace medmij::audit_cli {
namespace {

std::string Describe(const checkpoint::Checkpoint& c) {
  const merkle::Hash& r = c.root;
  return "size " + std::to_string(c.size) + " root " +
         Base64Encode({reinterpret_cast<const char*>(r.data()), r.size()});
}

// The subtree hashes of the latest tree, read from its tiles; each tile is fetched once.
class TileReader {
 public:
  TileReader(uint64_t tree_size, const TileSource& source) : size_(tree_size), source_(source) {}

  Result<merkle::Hash> Subtree(int level, uint64_t index) {
    const tiles::Location at = tiles::Locate(level, index, size_);
    const auto key = std::make_tuple(at.tile.level, at.tile.index, at.tile.width);
    auto it = cache_.find(key);
    if (it == cache_.end()) {
      auto bytes = source_(at.tile);
      if (!bytes.ok()) return bytes.status();
      auto hashes = tiles::SplitHashes(*bytes, at.tile.width);
      if (!hashes.ok()) return hashes.status().WithContext(tiles::Path(at.tile));
      it = cache_.emplace(key, std::move(*hashes)).first;
    }
    return tiles::SubtreeRoot(it->second, at.first, at.count);
  }

  merkle::SubtreeHash AsSubtreeHash() {
    return [this](int level, uint64_t index) { return Subtree(level, index); };
  }
  uint64_t tiles_read() const { return cache_.size(); }

 private:
  uint64_t size_;
  const TileSource& source_;
  std::map<std::tuple<int, uint64_t, uint64_t>, std::vector<merkle::Hash>> cache_;
};

}  // namespace

Result<Judgement> Judge(const std::optional<checkpoint::Checkpoint>& saved,
                        const checkpoint::Checkpoint& latest, const TileSource& tiles) {
  Judgement out;
  if (!saved) return out;
  const auto split = [&](std::string why) {
    out.verdict = Verdict::kSplitView;
    out.why = std::move(why);
    return out;
  };
  if (latest.size < saved->size) {
    return split("the log's checkpoint " + Describe(latest) + " is smaller than the saved " +
                 Describe(*saved) + ": the log went back");
  }
  if (latest.size == saved->size) {
    if (latest.root != saved->root) {
      return split("the log's checkpoint " + Describe(latest) +
                   " has another root than the saved " + Describe(*saved));
    }
    out.verdict = Verdict::kSame;
    return out;
  }
  if (saved->size == 0) {
    // Every tree extends the empty one, whose root is fixed.
    if (saved->root != merkle::EmptyTreeHash()) {
      return split("the saved checkpoint " + Describe(*saved) + " is not the empty tree's");
    }
    out.verdict = Verdict::kConsistent;
    return out;
  }

  TileReader reader(latest.size, tiles);
  const merkle::SubtreeHash subtree = reader.AsSubtreeHash();
  auto proof = merkle::ConsistencyProof(saved->size, latest.size, subtree);
  out.tiles_read = reader.tiles_read();
  if (!proof.ok()) return proof.status();
  if (merkle::VerifyConsistency(saved->size, latest.size, saved->root, latest.root, *proof)) {
    out.verdict = Verdict::kConsistent;
    return out;
  }
  // Tell tiles that disagree with the log's own signature (nothing signed is in conflict yet)
  // from a signed tree that does not extend the saved one.
  auto root = merkle::TreeHash(latest.size, subtree);
  out.tiles_read = reader.tiles_read();
  if (!root.ok()) return root.status();
  if (*root != latest.root) {
    return Status::Corruption("the log's hash tiles do not give its own checkpoint's root (" +
                              Describe(latest) +
                              "): the tiles are wrong, consistency with the saved " +
                              Describe(*saved) + " is not decided");
  }
  return split("the log's checkpoint " + Describe(latest) + " does not extend the saved " +
               Describe(*saved) + ": the consistency proof from its tiles fails");
}

}  // namespace medmij::audit_cli
