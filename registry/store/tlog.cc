#include "registry/store/tlog.h"

#include <cstring>

namespace medmij::store {

using internal::kTreeDbi;
using internal::TreeKey;

namespace internal {
namespace {

std::string_view Bytes(const merkle::Hash& h) {
  return {reinterpret_cast<const char*>(h.data()), h.size()};
}

std::string Name(std::string_view key) {
  uint64_t index = 0;
  for (size_t i = 1; i < key.size(); ++i) index = (index << 8) | static_cast<unsigned char>(key[i]);
  return "tree hash (level " + std::to_string(key.empty() ? 0 : static_cast<int>(key[0])) +
         ", index " + std::to_string(index) + ")";
}

}  // namespace

void TreeBuilder::Append(std::string_view stored_event) {
  auto done = merkle::CompletedBy(size_, merkle::LeafHash(stored_event),
                                  [&](int level, uint64_t index) -> Result<merkle::Hash> {
                                    return entries_.at(TreeKey(level, index));
                                  });
  for (const merkle::Subtree& s : *done) entries_[TreeKey(s.level, s.index)] = s.hash;
  ++size_;
}

merkle::SubtreeHash TreeReader(const TxnState& txn) {
  return [&txn](int level, uint64_t index) -> Result<merkle::Hash> {
    const std::string key = TreeKey(level, index);
    MEDMIJ_ASSIGN_OR_RETURN(auto raw, txn.Get(kTreeDbi, key));
    merkle::Hash h{};
    if (!raw || raw->size() != h.size()) {
      return Status::Corruption(Name(key) + (raw ? ": not 32 bytes" : ": missing"));
    }
    std::memcpy(h.data(), raw->data(), h.size());
    return h;
  };
}

void AppendToTree(TxnState& txn, uint64_t seq, std::string_view stored) {
  auto done = merkle::CompletedBy(seq - 1, merkle::LeafHash(stored), TreeReader(txn));
  if (!done.ok()) {
    txn.SetError(done.status());
    return;
  }
  for (const merkle::Subtree& s : *done) {
    if (!txn.RawPut(kTreeDbi, TreeKey(s.level, s.index), Bytes(s.hash), 0, "put tree hash")) {
      return;
    }
  }
}

Status CompareTree(const TxnState& txn, const TreeBuilder& expected) {
  Status status;
  auto it = expected.entries().begin();
  const auto end = expected.entries().end();
  MEDMIJ_RETURN_IF_ERROR(txn.Scan(kTreeDbi, "", "", [&](std::string_view k, std::string_view v) {
    if (it == end || k < it->first) {
      status = Status::Corruption(Name(k) + ": in the tree but not made by the journal");
      return false;
    }
    if (k > it->first) {
      status = Status::Corruption(Name(it->first) + ": missing from the tree");
      return false;
    }
    if (v != Bytes(it->second)) {
      status = Status::Corruption(Name(k) + ": differs from the journal's");
      return false;
    }
    ++it;
    return true;
  }));
  MEDMIJ_RETURN_IF_ERROR(status);
  if (it != end) return Status::Corruption(Name(it->first) + ": missing from the tree");
  return Status::Ok();
}

}  // namespace internal

Result<merkle::Hash> Reader::TreeHash(uint64_t size) const {
  MEDMIJ_ASSIGN_OR_RETURN(uint64_t length, JournalLength());
  if (size > length) {
    return Status::NotFound("the log has " + std::to_string(length) + " events, not " +
                            std::to_string(size));
  }
  return merkle::TreeHash(size, internal::TreeReader(*impl_));
}

Result<std::vector<merkle::Hash>> Reader::InclusionProof(uint64_t index, uint64_t size) const {
  MEDMIJ_ASSIGN_OR_RETURN(uint64_t length, JournalLength());
  if (size > length || index >= size) {
    return Status::NotFound("no event " + std::to_string(index + 1) + " in a log of " +
                            std::to_string(size) + " (it has " + std::to_string(length) + ")");
  }
  return merkle::InclusionProof(index, size, internal::TreeReader(*impl_));
}

Result<std::vector<merkle::Hash>> Reader::ConsistencyProof(uint64_t old_size,
                                                           uint64_t new_size) const {
  MEDMIJ_ASSIGN_OR_RETURN(uint64_t length, JournalLength());
  if (new_size > length || old_size > new_size) {
    return Status::NotFound("no consistency proof from " + std::to_string(old_size) + " to " +
                            std::to_string(new_size) + " (the log has " + std::to_string(length) +
                            ")");
  }
  return merkle::ConsistencyProof(old_size, new_size, internal::TreeReader(*impl_));
}

Result<std::vector<merkle::Hash>> Reader::TileHashes(const tiles::Tile& tile) const {
  if (tile.entries || tile.width == 0 || tile.width > tiles::kWidth || tile.level < 0 ||
      tile.level > tiles::kMaxLevel) {
    return Status::Invalid("not a hash tile (level 0..63, width 1..256)");
  }
  MEDMIJ_ASSIGN_OR_RETURN(uint64_t length, JournalLength());
  if (tiles::WidthIn(tile.level, tile.index, length) < tile.width) {
    return Status::NotFound(tiles::Path(tile) + ": not in the log's tree of " +
                            std::to_string(length) + " events");
  }
  const int level = tile.level * tiles::kHeight;
  const uint64_t first = tile.index * tiles::kWidth;  // cannot overflow: WidthIn is non-zero
  const merkle::SubtreeHash read = internal::TreeReader(*impl_);
  std::vector<merkle::Hash> hashes;
  hashes.reserve(tile.width);
  for (uint64_t i = 0; i < tile.width; ++i) {
    MEDMIJ_ASSIGN_OR_RETURN(merkle::Hash h, read(level, first + i));
    hashes.push_back(h);
  }
  return hashes;
}

}  // namespace medmij::store
