// RFC 6962 trees: roots, inclusion and consistency proofs against a naive recursive MTH over the
// leaves (written here from the RFC's definition), a published test vector, and tampering.

#include "registry/common/merkle.h"

#include <map>
#include <string>

#include <gtest/gtest.h>

namespace medmij::merkle {
namespace {

std::string Hex(const Hash& h) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : h) {
    out += kHex[c >> 4];
    out += kHex[c & 0xf];
  }
  return out;
}

// MTH(D[lo:hi]) straight from RFC 6962 2.1.
Hash Naive(const std::vector<std::string>& leaves, uint64_t lo, uint64_t hi) {
  if (hi - lo == 1) return LeafHash(leaves[lo]);
  uint64_t k = 1;
  while (k * 2 < hi - lo) k *= 2;
  return NodeHash(Naive(leaves, lo, lo + k), Naive(leaves, lo + k, hi));
}

struct Tree {
  std::vector<std::string> leaves;
  std::map<std::pair<int, uint64_t>, Hash> stored;  // every complete subtree, by appending
  int reads = 0;

  void Append(const std::string& leaf) {
    const uint64_t index = leaves.size();
    leaves.push_back(leaf);
    auto done = CompletedBy(index, LeafHash(leaf), Source());
    ASSERT_TRUE(done.ok());
    for (const Subtree& s : *done) stored[{s.level, s.index}] = s.hash;
  }
  SubtreeHash Source() {
    return [this](int level, uint64_t index) -> Result<Hash> {
      ++reads;
      auto it = stored.find({level, index});
      if (it == stored.end()) return Status::NotFound("no subtree");
      return it->second;
    };
  }
};

TEST(MerkleTest, EmptyTreeAndPublishedVector) {
  Tree t;
  EXPECT_EQ(Hex(*TreeHash(0, t.Source())),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  // The RFC 6962 reference implementation's test leaves.
  const std::vector<std::string> inputs = {
      std::string(),
      std::string("\x00", 1),
      "\x10",
      "\x20\x21",
      "\x30\x31",
      "\x40\x41\x42\x43",
      "\x50\x51\x52\x53\x54\x55\x56\x57",
      "\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f"};
  for (const auto& in : inputs) t.Append(in);
  EXPECT_EQ(Hex(*TreeHash(1, t.Source())),
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
  EXPECT_EQ(Hex(*TreeHash(8, t.Source())),
            "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328");
}

TEST(MerkleTest, RootsAndProofsAgreeWithTheDefinitionForEverySize) {
  Tree t;
  for (uint64_t n = 1; n <= 70; ++n) {
    t.Append("leaf " + std::to_string(n - 1));
    const Hash root = Naive(t.leaves, 0, n);
    ASSERT_EQ(*TreeHash(n, t.Source()), root) << n;
    for (uint64_t i = 0; i < n; ++i) {
      auto proof = InclusionProof(i, n, t.Source());
      ASSERT_TRUE(proof.ok());
      EXPECT_TRUE(VerifyInclusion(i, n, LeafHash(t.leaves[i]), *proof, root)) << i << "/" << n;
      EXPECT_FALSE(VerifyInclusion(i, n, LeafHash("other"), *proof, root));
      if (!proof->empty()) {
        auto bad = *proof;
        bad.back()[0] ^= 1;
        EXPECT_FALSE(VerifyInclusion(i, n, LeafHash(t.leaves[i]), bad, root));
      }
    }
    for (uint64_t m = 0; m <= n; ++m) {
      auto proof = ConsistencyProof(m, n, t.Source());
      ASSERT_TRUE(proof.ok());
      const Hash old_root = m == 0 ? EmptyTreeHash() : Naive(t.leaves, 0, m);
      EXPECT_TRUE(VerifyConsistency(m, n, old_root, root, *proof)) << m << "/" << n;
      if (m > 0 && m < n) {
        Hash forged = old_root;
        forged[5] ^= 1;
        EXPECT_FALSE(VerifyConsistency(m, n, forged, root, *proof));
        auto bad = *proof;
        bad.front()[0] ^= 1;
        EXPECT_FALSE(VerifyConsistency(m, n, old_root, root, bad));
      }
    }
  }
}

TEST(MerkleTest, ProofsReadLogarithmicallyManySubtrees) {
  Tree t;
  for (int i = 0; i < 5000; ++i) t.Append(std::to_string(i));
  t.reads = 0;
  ASSERT_TRUE(InclusionProof(1234, 4999, t.Source()).ok());
  EXPECT_LE(t.reads, 2 * 13);
  t.reads = 0;
  ASSERT_TRUE(ConsistencyProof(3001, 4999, t.Source()).ok());
  EXPECT_LE(t.reads, 2 * 13);
  // Appending reads one left sibling per completed level.
  EXPECT_EQ(t.stored.size(), 2u * 5000 - static_cast<size_t>(std::popcount(5000u)));
}

TEST(MerkleTest, AMissingSubtreeIsAnError) {
  Tree t;
  for (int i = 0; i < 5; ++i) t.Append(std::to_string(i));
  t.stored.erase({2, 0});
  EXPECT_FALSE(TreeHash(5, t.Source()).ok());
  EXPECT_FALSE(InclusionProof(4, 5, t.Source()).ok());
}

}  // namespace
}  // namespace medmij::merkle
