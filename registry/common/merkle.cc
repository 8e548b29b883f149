#include "registry/common/merkle.h"

#include <bit>

namespace medmij::merkle {
namespace {

// The largest power of two strictly below n. REQUIRES: n >= 2.
uint64_t SplitPoint(uint64_t n) {
  return std::bit_floor(n - 1);
}

// MTH(D[start : start + size]). REQUIRES: size >= 1 and start a multiple of the largest power of
// two <= size whenever size is one (true of every range the RFC's recursions produce).
Result<Hash> RangeHash(uint64_t start, uint64_t size, const SubtreeHash& subtree) {
  if (std::has_single_bit(size) && start % size == 0) {
    return subtree(std::countr_zero(size), start / size);
  }
  const uint64_t k = SplitPoint(size);
  MEDMIJ_ASSIGN_OR_RETURN(Hash left, RangeHash(start, k, subtree));
  MEDMIJ_ASSIGN_OR_RETURN(Hash right, RangeHash(start + k, size - k, subtree));
  return NodeHash(left, right);
}

Status Path(uint64_t index, uint64_t start, uint64_t size, const SubtreeHash& subtree,
            std::vector<Hash>& out) {
  if (size <= 1) return Status::Ok();
  const uint64_t k = SplitPoint(size);
  if (index < k) {
    MEDMIJ_RETURN_IF_ERROR(Path(index, start, k, subtree, out));
    MEDMIJ_ASSIGN_OR_RETURN(Hash h, RangeHash(start + k, size - k, subtree));
    out.push_back(h);
  } else {
    MEDMIJ_RETURN_IF_ERROR(Path(index - k, start + k, size - k, subtree, out));
    MEDMIJ_ASSIGN_OR_RETURN(Hash h, RangeHash(start, k, subtree));
    out.push_back(h);
  }
  return Status::Ok();
}

Status SubProof(uint64_t m, uint64_t start, uint64_t size, bool whole, const SubtreeHash& subtree,
                std::vector<Hash>& out) {
  if (m == size) {
    if (!whole) {
      MEDMIJ_ASSIGN_OR_RETURN(Hash h, RangeHash(start, size, subtree));
      out.push_back(h);
    }
    return Status::Ok();
  }
  const uint64_t k = SplitPoint(size);
  if (m <= k) {
    MEDMIJ_RETURN_IF_ERROR(SubProof(m, start, k, whole, subtree, out));
    MEDMIJ_ASSIGN_OR_RETURN(Hash h, RangeHash(start + k, size - k, subtree));
    out.push_back(h);
  } else {
    MEDMIJ_RETURN_IF_ERROR(SubProof(m - k, start + k, size - k, false, subtree, out));
    MEDMIJ_ASSIGN_OR_RETURN(Hash h, RangeHash(start, k, subtree));
    out.push_back(h);
  }
  return Status::Ok();
}

std::string_view View(const Hash& h) {
  return {reinterpret_cast<const char*>(h.data()), h.size()};
}

}  // namespace

Hash LeafHash(std::string_view entry) {
  return Sha256({std::string_view("\0", 1), entry});
}

Hash NodeHash(const Hash& left, const Hash& right) {
  return Sha256({std::string_view("\1", 1), View(left), View(right)});
}

Hash EmptyTreeHash() {
  return Sha256(std::string_view());
}

Result<Hash> TreeHash(uint64_t size, const SubtreeHash& subtree) {
  if (size == 0) return EmptyTreeHash();
  return RangeHash(0, size, subtree);
}

Result<std::vector<Hash>> InclusionProof(uint64_t index, uint64_t size,
                                         const SubtreeHash& subtree) {
  if (index >= size) {
    return Status::Invalid("leaf " + std::to_string(index) + " is not in a tree of " +
                           std::to_string(size));
  }
  std::vector<Hash> out;
  MEDMIJ_RETURN_IF_ERROR(Path(index, 0, size, subtree, out));
  return out;
}

Result<std::vector<Hash>> ConsistencyProof(uint64_t old_size, uint64_t new_size,
                                           const SubtreeHash& subtree) {
  if (old_size > new_size) {
    return Status::Invalid("tree size " + std::to_string(old_size) + " is larger than " +
                           std::to_string(new_size));
  }
  std::vector<Hash> out;
  if (old_size == 0 || old_size == new_size) return out;
  MEDMIJ_RETURN_IF_ERROR(SubProof(old_size, 0, new_size, true, subtree, out));
  return out;
}

bool VerifyInclusion(uint64_t index, uint64_t size, const Hash& leaf,
                     const std::vector<Hash>& proof, const Hash& root) {
  if (index >= size) return false;
  uint64_t fn = index, sn = size - 1;
  Hash r = leaf;
  for (const Hash& p : proof) {
    if (sn == 0) return false;
    if ((fn & 1) != 0 || fn == sn) {
      r = NodeHash(p, r);
      while ((fn & 1) == 0 && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      r = NodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn == 0 && r == root;
}

bool VerifyConsistency(uint64_t old_size, uint64_t new_size, const Hash& old_root,
                       const Hash& new_root, const std::vector<Hash>& proof) {
  if (old_size > new_size) return false;
  if (old_size == new_size) return proof.empty() && old_root == new_root;
  if (old_size == 0) return proof.empty();
  if (proof.empty()) return false;
  std::vector<Hash> path;
  if (std::has_single_bit(old_size)) path.push_back(old_root);
  path.insert(path.end(), proof.begin(), proof.end());
  uint64_t fn = old_size - 1, sn = new_size - 1;
  while ((fn & 1) != 0) {
    fn >>= 1;
    sn >>= 1;
  }
  Hash fr = path[0], sr = path[0];
  for (size_t i = 1; i < path.size(); ++i) {
    const Hash& c = path[i];
    if (sn == 0) return false;
    if ((fn & 1) != 0 || fn == sn) {
      fr = NodeHash(c, fr);
      sr = NodeHash(c, sr);
      while ((fn & 1) == 0 && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      sr = NodeHash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return fr == old_root && sr == new_root && sn == 0;
}

Result<std::vector<Subtree>> CompletedBy(uint64_t index, const Hash& leaf,
                                         const SubtreeHash& left_sibling) {
  std::vector<Subtree> out{{0, index, leaf}};
  int level = 0;
  uint64_t i = index;
  Hash h = leaf;
  while ((i & 1) != 0) {
    MEDMIJ_ASSIGN_OR_RETURN(Hash left, left_sibling(level, i - 1));
    h = NodeHash(left, h);
    ++level;
    i >>= 1;
    out.push_back({level, i, h});
  }
  return out;
}

}  // namespace medmij::merkle
