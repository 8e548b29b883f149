// tlog::OpenCheckpoint and tlog::VerifyProof: what a participant's tool checks before it
// believes a log proof; every refusal names its step.
#include "registry/common/tlog_verify.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "registry/common/tlog_proof.h"

namespace medmij::tlog {
namespace {

const std::string kSeed(32, '\x07');

struct Log {
  std::vector<std::string> entries;
  merkle::SubtreeHash Subtrees() const {
    return [this](int level, uint64_t index) -> Result<merkle::Hash> {
      if (level == 0) return merkle::LeafHash(entries.at(index));
      auto left = Subtrees()(level - 1, 2 * index), right = Subtrees()(level - 1, 2 * index + 1);
      return merkle::NodeHash(*left, *right);
    };
  }
  // A proof of entry `index` under a checkpoint signed by `origin`'s key.
  std::string Proof(uint64_t index, const std::string& origin = "log.example/x") const {
    auto signer = note::Signer::FromSeed(origin, kSeed).value();
    checkpoint::Checkpoint c{
        origin, entries.size(), merkle::TreeHash(entries.size(), Subtrees()).value(), {}};
    tlog_proof::Proof p;
    p.extra = entries.at(index);
    p.index = index;
    p.hashes = merkle::InclusionProof(index, entries.size(), Subtrees()).value();
    p.checkpoint = signer.Sign(checkpoint::Format(c)).value();
    return tlog_proof::Format(p);
  }
};

note::Verifier Key(const std::string& origin = "log.example/x") {
  return note::Signer::FromSeed(origin, kSeed).value().verifier();
}

Log MakeLog(int n) {
  Log log;
  for (int i = 0; i < n; ++i) log.entries.push_back("event " + std::to_string(i));
  return log;
}

TEST(TlogVerifyTest, EveryEntryOfATreeVerifies) {
  for (int size : {1, 2, 3, 7, 8, 9, 33}) {
    Log log = MakeLog(size);
    for (int i = 0; i < size; ++i) {
      auto proven = VerifyProof(log.Proof(static_cast<uint64_t>(i)), Key());
      ASSERT_TRUE(proven.ok()) << size << " " << i << ": " << proven.status().message();
      EXPECT_EQ(proven->entry, log.entries[static_cast<size_t>(i)]);
      EXPECT_EQ(proven->checkpoint.size, static_cast<uint64_t>(size));
    }
  }
}

TEST(TlogVerifyTest, RefusalsNameTheirStep) {
  Log log = MakeLog(5);
  const std::string good = log.Proof(2);
  auto refused = [](const Result<ProvenEntry>& r) { return r.ok() ? "" : r.status().message(); };

  std::string other_entry = good;
  other_entry.replace(other_entry.find("extra ") + 6, 4, "ZXZm");  // "eve" -> "evf"
  EXPECT_NE(refused(VerifyProof(other_entry, Key())).find("does not lead from the entry"),
            std::string::npos);
  EXPECT_NE(refused(VerifyProof(good, Key("log.example/y"))).find("checkpoint: not signed by"),
            std::string::npos);
  // Signed by the right key material under another name: the origin is not the key's.
  EXPECT_NE(refused(VerifyProof(log.Proof(2, "other.example/x"), Key())).find("not signed by"),
            std::string::npos);
  std::string no_extra = good;
  no_extra.erase(no_extra.find("extra "),
                 no_extra.find('\n', no_extra.find("extra ")) - no_extra.find("extra ") + 1);
  EXPECT_NE(refused(VerifyProof(no_extra, Key())).find("no extra line"), std::string::npos);
  std::string far = good;
  far.replace(far.find("index 2"), 7, "index 9");
  EXPECT_NE(refused(VerifyProof(far, Key())).find("index 9 is not inside"), std::string::npos);
  EXPECT_NE(refused(VerifyProof("nonsense\n", Key())).find("tlog-proof: line 1"),
            std::string::npos);
}

}  // namespace
}  // namespace medmij::tlog
