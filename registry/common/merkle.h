// RFC 6962 / RFC 9162 Merkle trees, the transparency log's hashing (pure; no storage).
//
// Leaf hash: SHA-256(0x00 || entry bytes); interior: SHA-256(0x01 || left || right); the tree of
// n leaves splits at the largest power of two below n; the empty tree's hash is SHA-256("").
// A complete subtree is named by (level, index): the 2^level leaves from index * 2^level on. The
// proof builders read only complete subtrees, at most about 2 log2(n) of them, through a
// `SubtreeHash` the caller supplies (the store reads them from its table).
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "registry/common/sha256.h"
#include "registry/common/status.h"

namespace medmij::merkle {

using Hash = Sha256Digest;

Hash LeafHash(std::string_view entry);
Hash NodeHash(const Hash& left, const Hash& right);
Hash EmptyTreeHash();

// The hash of the complete subtree (level, index), or an error (a missing or unreadable hash).
using SubtreeHash = std::function<Result<Hash>(int level, uint64_t index)>;

// The root of the first `size` leaves.
Result<Hash> TreeHash(uint64_t size, const SubtreeHash& subtree);
// RFC 6962 PATH(index, D[0:size]). REQUIRES: index < size.
Result<std::vector<Hash>> InclusionProof(uint64_t index, uint64_t size, const SubtreeHash& subtree);
// RFC 6962 PROOF(old_size, D[0:new_size]); empty when old_size is 0 or equals new_size.
// REQUIRES: old_size <= new_size.
Result<std::vector<Hash>> ConsistencyProof(uint64_t old_size, uint64_t new_size,
                                           const SubtreeHash& subtree);

// RFC 9162 2.1.3.2 and 2.1.4.2: whether the proof shows the leaf in, or the old tree a prefix of,
// the tree with the given root.
bool VerifyInclusion(uint64_t index, uint64_t size, const Hash& leaf,
                     const std::vector<Hash>& proof, const Hash& root);
bool VerifyConsistency(uint64_t old_size, uint64_t new_size, const Hash& old_root,
                       const Hash& new_root, const std::vector<Hash>& proof);

// Appending: the complete subtrees that leaf `index` completes, bottom up, as (level, index,
// hash) - the leaf itself first. `left_sibling(level, index)` gives the hash of an existing
// complete subtree to the left.
struct Subtree {
  int level;
  uint64_t index;
  Hash hash;
};
Result<std::vector<Subtree>> CompletedBy(uint64_t index, const Hash& leaf,
                                         const SubtreeHash& left_sibling);

}  // namespace medmij::merkle
