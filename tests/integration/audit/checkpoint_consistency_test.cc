// Judge (audit-cli/checkpoint_consistency.h) in process, over many pairs of tree sizes: every
// honest growth is consistent, every fork a split view, and only O(log n) tiles are read.
#include "audit-cli/checkpoint_consistency.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "tests/integration/audit/memory_log.h"

namespace medmij::audit_cli {
namespace {

using testing::MemoryLog;

checkpoint::Checkpoint Head(const MemoryLog& log) {
  return {"registry.test/log", log.size(), log.Root(), {}};
}

TileSource Serve(const std::map<std::string, std::string>& tiles) {
  return [&tiles](const tiles::Tile& tile) -> Result<std::string> {
    auto it = tiles.find(tiles::Path(tile));
    if (it == tiles.end()) return Status::NotFound(tiles::Path(tile) + ": HTTP 404");
    return it->second;
  };
}

TEST(JudgeTest, HonestGrowthIsConsistentAndAForkIsASplitViewForManySizes) {
  for (uint64_t new_size : {2, 3, 255, 256, 257, 511, 512, 513, 1000}) {
    const MemoryLog latest(new_size);
    const auto tiles = latest.Tiles();
    const MemoryLog fork(new_size, "forked", new_size / 2);
    const auto fork_tiles = fork.Tiles();
    MemoryLog saved;
    for (uint64_t old_size = 1; old_size < new_size; ++old_size) {
      SCOPED_TRACE(std::to_string(old_size) + " -> " + std::to_string(new_size));
      saved.Grow(old_size);
      auto j = Judge(Head(saved), Head(latest), Serve(tiles));
      ASSERT_TRUE(j.ok()) << j.status().message();
      ASSERT_EQ(j->verdict, Verdict::kConsistent);
      // A proof has at most about 2 log2(n) hashes, from a few tiles per tile level.
      ASSERT_LE(j->tiles_read, 6u);
      // The fork shares the first new_size / 2 entries: an old tree inside them is a prefix of
      // it, any longer one is not.
      auto f = Judge(Head(saved), Head(fork), Serve(fork_tiles));
      ASSERT_TRUE(f.ok()) << f.status().message();
      ASSERT_EQ(f->verdict, old_size <= new_size / 2 ? Verdict::kConsistent : Verdict::kSplitView)
          << f->why;
    }
  }
}

TEST(JudgeTest, SameSizeSmallerTreeAndFirstUse) {
  const MemoryLog log(300), other(300, "forked", 299), smaller(299);
  const std::map<std::string, std::string> none;
  EXPECT_EQ(Judge(std::nullopt, Head(log), Serve(none))->verdict, Verdict::kFirstUse);
  EXPECT_EQ(Judge(Head(log), Head(log), Serve(none))->verdict, Verdict::kSame);
  auto split = Judge(Head(log), Head(other), Serve(none));
  EXPECT_EQ(split->verdict, Verdict::kSplitView);
  EXPECT_NE(split->why.find("has another root than the saved size 300"), std::string::npos);
  auto back = Judge(Head(log), Head(smaller), Serve(none));
  EXPECT_EQ(back->verdict, Verdict::kSplitView);
  EXPECT_NE(back->why.find("is smaller than the saved size 300"), std::string::npos);
}

TEST(JudgeTest, TilesThatDoNotGiveTheSignedRootDecideNothing) {
  const MemoryLog saved(256), latest(257);
  auto tiles = latest.Tiles();
  tiles.at("tile/0/001.p/1")[0] ^= 1;
  auto j = Judge(Head(saved), Head(latest), Serve(tiles));
  ASSERT_FALSE(j.ok());
  EXPECT_EQ(j.status().code(), Status::Code::kCorruption);
  tiles.erase("tile/0/001.p/1");
  j = Judge(Head(saved), Head(latest), Serve(tiles));
  ASSERT_FALSE(j.ok());
  EXPECT_EQ(j.status().message(), "tile/0/001.p/1: HTTP 404");
}

}  // namespace
}  // namespace medmij::audit_cli
