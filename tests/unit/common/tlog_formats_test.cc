// The log's text and tile formats: canonical decimals, C2SP tlog-tiles paths, widths and the
// hashing inside a tile (against merkle:: over real leaves), entry bundles, and tlog-proof@v1.

#include <map>
#include <string>

#include <gtest/gtest.h>

#include "registry/common/decimal.h"
#include "registry/common/merkle.h"
#include "registry/common/tlog_proof.h"
#include "registry/common/tlog_tiles.h"

namespace medmij {
namespace {

TEST(DecimalTest, AcceptsOnlyCanonicalDecimalsWithinTheBound) {
  EXPECT_EQ(ParseDecimal("0"), 0u);
  EXPECT_EQ(ParseDecimal("18446744073709551615"), UINT64_MAX);
  EXPECT_EQ(ParseDecimal("255", 255), 255u);
  for (std::string_view bad : {"", "00", "01", "+1", "-1", " 1", "1 ", "1a", "0x10",
                               "18446744073709551616", "99999999999999999999999"}) {
    EXPECT_FALSE(ParseDecimal(bad)) << bad;
  }
  EXPECT_FALSE(ParseDecimal("256", 255));
  EXPECT_FALSE(ParseDecimal("1", 0));
  EXPECT_EQ(ParseDecimal("0", 0), 0u);
}

using tiles::Tile;

TEST(TilePathTest, WritesTheSpecsExamplesAndParsesThemBack) {
  // c2sp.org/tlog-tiles: "index 1234067 will be encoded as x001/x234/067".
  EXPECT_EQ(tiles::Path(Tile{false, 0, 1234067, 256}), "tile/0/x001/x234/067");
  EXPECT_EQ(tiles::Path(Tile{false, 2, 5, 256}), "tile/2/005");
  EXPECT_EQ(tiles::Path(Tile{false, 1, 1000, 17}), "tile/1/x001/000.p/17");
  EXPECT_EQ(tiles::Path(Tile{true, 0, 0, 112}), "tile/entries/000.p/112");
  for (const Tile& t :
       {Tile{false, 0, 0, 256}, Tile{false, 63, UINT64_MAX, 1}, Tile{true, 0, 999, 256},
        Tile{true, 0, 1000000, 255}, Tile{false, 7, 123456789012, 3}}) {
    auto parsed = tiles::ParsePath(tiles::Path(t));
    ASSERT_TRUE(parsed) << tiles::Path(t);
    EXPECT_EQ(*parsed, t) << tiles::Path(t);
  }
}

TEST(TilePathTest, RefusesEveryNonCanonicalSpelling) {
  for (std::string_view bad :
       {"tile/0/5",        "tile/0/0005",      "tile/0/x005",
        "tile/0/001/234",  "tile/0/x000/005",  "tile/00/005",
        "tile/64/005",     "tile/0/005.p/0",   "tile/0/005.p/256",
        "tile/0/005.p/01", "tile/0/005.p/",    "tile/0/005/",
        "tile/0/",         "tile/entries/",    "tile/entries/x1/005",
        "tiles/0/005",     "/tile/0/005",      "tile/-1/005",
        "tile/0/00a",      "tile/0/005.p/5/6", "tile/0/x018/x446/x744/x073/x709/x551/616"}) {
    EXPECT_FALSE(tiles::ParsePath(bad)) << bad;
  }
}

TEST(TileWidthTest, FollowsTheSpecsTreeOf70000) {
  // "a tree of size 70,000 will be represented by 273 full level 0 tiles, one partial level 0
  // tile of width 112, one full level 1 tile, one partial level 1 tile of width 17, and one
  // partial level 2 tile of width 1."
  EXPECT_EQ(tiles::WidthIn(0, 272, 70000), 256u);
  EXPECT_EQ(tiles::WidthIn(0, 273, 70000), 112u);
  EXPECT_EQ(tiles::WidthIn(0, 274, 70000), 0u);
  EXPECT_EQ(tiles::WidthIn(1, 0, 70000), 256u);
  EXPECT_EQ(tiles::WidthIn(1, 1, 70000), 17u);
  EXPECT_EQ(tiles::WidthIn(2, 0, 70000), 1u);
  EXPECT_EQ(tiles::WidthIn(3, 0, 70000), 0u);
  // "a tree of size 256 will be represented by a full level 0 tile and a partial level 1 tile of
  // width 1."
  EXPECT_EQ(tiles::WidthIn(0, 0, 256), 256u);
  EXPECT_EQ(tiles::WidthIn(0, 1, 256), 0u);
  EXPECT_EQ(tiles::WidthIn(1, 0, 256), 1u);
  EXPECT_EQ(tiles::WidthIn(0, 0, 0), 0u);
  EXPECT_EQ(tiles::WidthIn(63, 0, UINT64_MAX), 0u);
}

// A tree whose every complete subtree hash is known, to build tiles from as a log would.
struct Tree {
  std::map<std::pair<int, uint64_t>, merkle::Hash> subtrees;
  uint64_t size = 0;
  void Append(std::string_view leaf) {
    auto done = merkle::CompletedBy(size, merkle::LeafHash(leaf),
                                    [&](int l, uint64_t i) -> Result<merkle::Hash> {
                                      return subtrees.at({l, i});
                                    });
    for (const merkle::Subtree& s : done.value()) subtrees[{s.level, s.index}] = s.hash;
    ++size;
  }
  std::string TileBytes(const Tile& t) const {
    std::vector<merkle::Hash> hashes;
    for (uint64_t i = 0; i < t.width; ++i) {
      hashes.push_back(subtrees.at({t.level * tiles::kHeight, t.index * tiles::kWidth + i}));
    }
    return tiles::JoinHashes(hashes);
  }
};

TEST(TileHashTest, EverySubtreeHashIsFoundInItsTileAndProofsFromTilesVerify) {
  for (uint64_t size : {1u, 2u, 255u, 256u, 257u, 511u, 4097u, 65537u}) {
    Tree tree;
    for (uint64_t i = 0; i < size; ++i) tree.Append("entry " + std::to_string(i));
    auto from_tiles = [&](int level, uint64_t index) -> Result<merkle::Hash> {
      tiles::Location loc = tiles::Locate(level, index, size);
      EXPECT_GT(loc.tile.width, 0u);
      auto hashes = tiles::SplitHashes(tree.TileBytes(loc.tile), loc.tile.width);
      if (!hashes.ok()) return hashes.status();
      return tiles::SubtreeRoot(hashes.value(), loc.first, loc.count);
    };
    size_t n = 0;
    for (const auto& [key, hash] : tree.subtrees) {
      if (size > 5000 && n++ % 61 != 0 && key.first < 8) continue;  // a sample of the big tree
      ASSERT_EQ(from_tiles(key.first, key.second).value(), hash)
          << "size " << size << " level " << key.first << " index " << key.second;
    }
    auto stored = [&](int l, uint64_t i) -> Result<merkle::Hash> {
      return tree.subtrees.at({l, i});
    };
    const merkle::Hash root = merkle::TreeHash(size, stored).value();
    EXPECT_EQ(merkle::TreeHash(size, from_tiles).value(), root);
    const uint64_t old_size = size / 3 + 1;
    auto proof = merkle::ConsistencyProof(old_size, size, from_tiles).value();
    EXPECT_TRUE(merkle::VerifyConsistency(old_size, size,
                                          merkle::TreeHash(old_size, stored).value(), root, proof));
  }
}

TEST(TileHashTest, SplitRefusesBytesOfAnotherWidth) {
  std::string bytes(32 * 3, 'a');
  EXPECT_TRUE(tiles::SplitHashes(bytes, 3).ok());
  EXPECT_FALSE(tiles::SplitHashes(bytes, 2).ok());
  EXPECT_FALSE(tiles::SplitHashes(bytes + "x", 3).ok());
  EXPECT_FALSE(tiles::SplitHashes("", 0).ok());
}

TEST(EntryBundleTest, RoundTripsAndRefusesWhatTheFormatCannotHold) {
  std::string big(tiles::kMaxEntrySize, 'b');
  std::vector<std::string_view> entries = {"", "one", big};
  auto bundle = tiles::EncodeEntries(entries);
  ASSERT_TRUE(bundle.ok()) << bundle.status().message();
  EXPECT_EQ(bundle.value().substr(0, 7), std::string("\0\0\0\3one", 7));
  auto back = tiles::DecodeEntries(bundle.value(), 3);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back.value(), (std::vector<std::string>{"", "one", big}));
  EXPECT_FALSE(tiles::DecodeEntries(bundle.value(), 2).ok());
  EXPECT_FALSE(tiles::DecodeEntries(bundle.value().substr(0, bundle.value().size() - 1), 3).ok());
  EXPECT_FALSE(tiles::DecodeEntries(std::string("\0", 1), 1).ok());

  std::string too_big(tiles::kMaxEntrySize + 1, 'c');
  auto refused = tiles::EncodeEntries({"a", too_big});
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("entry 1 is 65536 bytes"), std::string::npos)
      << refused.status().message();
  EXPECT_FALSE(tiles::EncodeEntries({}).ok());
}

merkle::Hash H(char c) {
  merkle::Hash h;
  h.fill(static_cast<unsigned char>(c));
  return h;
}

constexpr std::string_view kNote =
    "example.com/log\n3\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n\u2014 example.com/log "
    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
    "\n";

TEST(TlogProofTest, FormatsAsTheSpecShowsAndParsesBack) {
  tlog_proof::Proof p{std::string("entry"), 2, {H('a'), H('b')}, std::string(kNote)};
  const std::string text = tlog_proof::Format(p);
  EXPECT_EQ(text.substr(0, 50), "c2sp.org/tlog-proof@v1\nextra ZW50cnk=\nindex 2\nYWFh");
  EXPECT_NE(text.find("=\n\nexample.com/log\n3\n"), std::string::npos);
  auto back = tlog_proof::Parse(text);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back.value(), p);

  tlog_proof::Proof bare{std::nullopt, 0, {}, std::string(kNote)};
  EXPECT_EQ(tlog_proof::Format(bare).substr(0, 32), "c2sp.org/tlog-proof@v1\nindex 0\n\n");
  EXPECT_EQ(tlog_proof::Parse(tlog_proof::Format(bare)).value(), bare);
}

TEST(TlogProofTest, RefusalsNameTheLine) {
  const std::string good = tlog_proof::Format({std::nullopt, 5, {H('a')}, std::string(kNote)});
  auto bad = [&](std::string text, std::string_view expect) {
    auto r = tlog_proof::Parse(text);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_NE(r.status().message().find(expect), std::string::npos) << r.status().message();
  };
  bad("c2sp.org/tlog-proof@v2\n" + good.substr(23), "line 1:");
  bad(good.substr(0, 23) + "extra not*base64\n" + good.substr(23), "line 2: extra");
  bad(good.substr(0, 23) + "index 05\n" + good.substr(31), "line 2: index");
  bad(good.substr(0, 23) + "indx 5\n" + good.substr(31), "line 2: expected \"index");
  bad(good.substr(0, 31) + "YWFh\n" + good.substr(31), "line 3: not a base64 SHA-256");
  bad(good.substr(0, good.find("\n\n") + 1), "missing the empty line");
  bad(good.substr(0, good.size() - 1), "does not end in a newline");
  bad(good.substr(0, good.find("\n\n") + 2), "checkpoint is missing");
}

}  // namespace
}  // namespace medmij
