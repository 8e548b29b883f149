// The transparency log's tree hashes in the store. Private to registry/store.
//
// The `tlog_hashes` table (tables.h) holds the hash of every complete subtree of the RFC 6962
// tree over the journal's stored events: appending leaf i writes its leaf hash and the hashes it
// completes (on average two, at most log2 n + 1), reading one left sibling per level, so proofs
// read O(log n) entries (registry/common/merkle.h).
#pragma once

#include <map>
#include <string_view>
#include <utility>

#include "registry/common/merkle.h"
#include "registry/store/txn.h"

namespace medmij::store::internal {

// Every complete subtree of a tree built in memory by appending, keyed like the table.
class TreeBuilder {
 public:
  void Append(std::string_view stored_event);
  uint64_t size() const { return size_; }
  const std::map<std::string, merkle::Hash>& entries() const { return entries_; }

 private:
  uint64_t size_ = 0;
  std::map<std::string, merkle::Hash> entries_;
};

// Writes the tree hashes that event `seq`, stored as `stored`, completes. REQUIRES: a write
// transaction whose tree holds seq - 1 leaves. Sets the transaction's error on failure.
void AppendToTree(TxnState& txn, uint64_t seq, std::string_view stored);

// Reads subtree hashes of `txn`'s tree.
merkle::SubtreeHash TreeReader(const TxnState& txn);

// Compares the table with `expected`: the first missing, extra or different hash.
Status CompareTree(const TxnState& txn, const TreeBuilder& expected);

}  // namespace medmij::store::internal
