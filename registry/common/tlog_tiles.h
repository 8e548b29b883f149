// C2SP tlog-tiles (c2sp.org/tlog-tiles): how a transparency log's RFC 6962 tree and entries are
// served as static, cacheable resources. Pure: paths, widths and the hashing inside a tile; the
// store reads tiles, the service serves them, the audit tools fetch them.
//
// A tile at level L, index N holds up to 256 consecutive tree hashes at tree level 8L: hash i
// (0 <= i < 256) is the root of the subtree of 256^L leaves that starts at leaf
// (N * 256 + i) * 256^L. A full tile holds 256 (8 192 bytes); the rightmost tile of a level in a
// tree of size s is partial with floor(s / 256^L) mod 256 hashes, served at `.p/<W>`. An entry
// bundle is the level-0 tile's entries, each as a big-endian uint16 length and the bytes.
//
// Paths, relative to the log's prefix:
//   tile/<L>/<N>[.p/<W>]        L in 0..63, W in 1..255
//   tile/entries/<N>[.p/<W>]
// where <N> is written as zero-padded 3-digit elements, all but the last prefixed "x":
// 1234067 -> x001/x234/067, 5 -> 005. Parsing accepts exactly the canonical spelling.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "registry/common/merkle.h"
#include "registry/common/status.h"

namespace medmij::tiles {

inline constexpr int kHeight = 8;  // tree levels per tile
inline constexpr uint64_t kWidth = 256;
inline constexpr int kMaxLevel = 63;
inline constexpr size_t kMaxEntrySize = 0xffff;  // an entry bundle's uint16 length

struct Tile {
  bool entries = false;  // an entry bundle (then level is 0)
  int level = 0;
  uint64_t index = 0;
  uint64_t width = kWidth;  // 1..256; 256 is a full tile
  bool full() const { return width == kWidth; }
  bool operator==(const Tile&) const = default;
};

// "tile/<L>/<N>[.p/<W>]" or "tile/entries/<N>[.p/<W>]". REQUIRES: 1 <= width <= 256,
// level <= kMaxLevel.
std::string Path(const Tile& tile);
// The tile a canonical path names, or nullopt.
std::optional<Tile> ParsePath(std::string_view path);
// What a path ParsePath refuses gets told (one line).
inline constexpr std::string_view kNotATile =
    "not a tile path: tile/<L>/<N>[.p/<W>] or tile/entries/<N>[.p/<W>], L 0..63, N in 3-digit "
    "groups all but the last prefixed 'x' (1234067: x001/x234/067), W 1..255 (c2sp.org/tlog-tiles)";

// The number of hashes the tile (level, index) holds in a tree of `tree_size` leaves: 256 for a
// full tile, 1..255 for the partial rightmost one, 0 when the tree does not reach it.
uint64_t WidthIn(int level, uint64_t index, uint64_t tree_size);

// Whether the tree of `tree_size` leaves holds `tile`'s hashes: a full tile within it, or a
// partial tile no wider than that tile has grown in it. A partial tile of width W holds the
// first W hashes of its tile in every tree that reaches that far (they are roots of complete
// subtrees, which never change), so a client holding an older checkpoint still finds the
// partial tiles of its tree.
inline bool InTree(const Tile& tile, uint64_t tree_size) {
  return tile.width != 0 && tile.width <= WidthIn(tile.level, tile.index, tree_size);
}

// Where a complete subtree's hash lives: the hashes [first, first + count) of `tile` (count is a
// power of two, at most 256), whose RFC 6962 root it is. `tile.width` is the width the tile has
// in the tree of `tree_size` leaves. REQUIRES: subtree (level, index) is complete in that tree
// (its 2^level leaves from index * 2^level all below tree_size).
struct Location {
  Tile tile;
  uint64_t first = 0;
  uint64_t count = 1;
};
Location Locate(int level, uint64_t index, uint64_t tree_size);

// The hashes a tile's bytes hold; kInvalidArgument unless `bytes` is exactly `width` hashes.
Result<std::vector<merkle::Hash>> SplitHashes(std::string_view bytes, uint64_t width);
std::string JoinHashes(const std::vector<merkle::Hash>& hashes);
// The root of hashes [first, first + count) of a tile. REQUIRES: count a power of two and the
// range inside `hashes`.
merkle::Hash SubtreeRoot(const std::vector<merkle::Hash>& hashes, uint64_t first, uint64_t count);

// Entry bundles. Encode refuses (kInvalidArgument naming the entry) an entry over kMaxEntrySize
// bytes or more than 256 entries; Decode refuses a truncated bundle or one of another count.
Result<std::string> EncodeEntries(const std::vector<std::string_view>& entries);
Result<std::vector<std::string>> DecodeEntries(std::string_view bundle, uint64_t width);

}  // namespace medmij::tiles
