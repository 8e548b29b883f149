#include "registry/common/tlog_tiles.h"

#include <algorithm>
#include <cassert>

#include "registry/common/decimal.h"

namespace medmij::tiles {
namespace {

std::string IndexPath(uint64_t index) {
  std::vector<unsigned> groups;  // least significant first
  do {
    groups.push_back(static_cast<unsigned>(index % 1000));
    index /= 1000;
  } while (index > 0);
  std::string out;
  for (size_t i = groups.size(); i-- > 0;) {
    if (i > 0) out += 'x';
    const unsigned g = groups[i];
    out += static_cast<char>('0' + g / 100);
    out += static_cast<char>('0' + g / 10 % 10);
    out += static_cast<char>('0' + g % 10);
    if (i > 0) out += '/';
  }
  return out;
}

bool IsThreeDigits(std::string_view s) {
  return s.size() == 3 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// "x001/x234/067" -> 1234067; nullopt unless canonical (no leading zero group) and in range.
std::optional<uint64_t> ParseIndexPath(std::string_view s) {
  uint64_t value = 0;
  bool first = true;
  while (true) {
    const size_t slash = s.find('/');
    const bool last = slash == std::string_view::npos;
    std::string_view element = s.substr(0, slash);
    if (!last) {
      if (element.empty() || element.front() != 'x') return std::nullopt;
      element.remove_prefix(1);
    }
    if (!IsThreeDigits(element)) return std::nullopt;
    const uint64_t group = static_cast<uint64_t>((element[0] - '0') * 100 +
                                                 (element[1] - '0') * 10 + (element[2] - '0'));
    if (first && !last && group == 0) return std::nullopt;  // x000/...: not canonical
    if (value > (UINT64_MAX - group) / 1000) return std::nullopt;
    value = value * 1000 + group;
    first = false;
    if (last) return value;
    s.remove_prefix(slash + 1);
  }
}

// The number of complete hashes at tree level `height` in a tree of `tree_size` leaves.
uint64_t CompleteAt(int height, uint64_t tree_size) {
  return height >= 64 ? 0 : tree_size >> height;
}

}  // namespace

std::string Path(const Tile& tile) {
  assert(tile.width >= 1 && tile.width <= kWidth && tile.level >= 0 && tile.level <= kMaxLevel);
  std::string out = "tile/";
  out += tile.entries ? std::string("entries") : std::to_string(tile.level);
  out += '/';
  out += IndexPath(tile.index);
  if (!tile.full()) out += ".p/" + std::to_string(tile.width);
  return out;
}

std::optional<Tile> ParsePath(std::string_view path) {
  constexpr std::string_view kPrefix = "tile/";
  if (path.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  path.remove_prefix(kPrefix.size());
  const size_t slash = path.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  Tile tile;
  const std::string_view level = path.substr(0, slash);
  if (level == "entries") {
    tile.entries = true;
  } else {
    auto l = ParseDecimal(level, kMaxLevel);
    if (!l) return std::nullopt;
    tile.level = static_cast<int>(*l);
  }
  path.remove_prefix(slash + 1);
  constexpr std::string_view kPartial = ".p/";
  const size_t partial = path.find(kPartial);
  if (partial != std::string_view::npos) {
    auto w = ParseDecimal(path.substr(partial + kPartial.size()), kWidth - 1);
    if (!w || *w == 0) return std::nullopt;
    tile.width = *w;
    path = path.substr(0, partial);
  }
  auto index = ParseIndexPath(path);
  if (!index) return std::nullopt;
  tile.index = *index;
  return tile;
}

uint64_t WidthIn(int level, uint64_t index, uint64_t tree_size) {
  if (level < 0 || level > kMaxLevel) return 0;
  const uint64_t hashes = CompleteAt(level * kHeight, tree_size);
  const uint64_t full_tiles = hashes / kWidth;
  if (index < full_tiles) return kWidth;
  if (index == full_tiles) return hashes % kWidth;
  return 0;
}

Location Locate(int level, uint64_t index, uint64_t tree_size) {
  const int tile_level = level / kHeight;
  const int within = level % kHeight;
  const uint64_t position = index << within;  // among the tile level's hashes
  Location loc;
  loc.tile.level = tile_level;
  loc.tile.index = position / kWidth;
  loc.tile.width = WidthIn(tile_level, loc.tile.index, tree_size);
  loc.first = position % kWidth;
  loc.count = uint64_t{1} << within;
  assert(loc.first + loc.count <= loc.tile.width);
  return loc;
}

Result<std::vector<merkle::Hash>> SplitHashes(std::string_view bytes, uint64_t width) {
  const size_t size = sizeof(merkle::Hash);
  if (width == 0 || width > kWidth || bytes.size() != width * size) {
    return Status::Invalid("tile: " + std::to_string(bytes.size()) + " bytes, expected " +
                           std::to_string(width) + " hashes of " + std::to_string(size));
  }
  std::vector<merkle::Hash> hashes(width);
  for (uint64_t i = 0; i < width; ++i) {
    std::copy_n(bytes.data() + i * size, size, hashes[i].begin());
  }
  return hashes;
}

std::string JoinHashes(const std::vector<merkle::Hash>& hashes) {
  std::string out;
  out.reserve(hashes.size() * sizeof(merkle::Hash));
  for (const merkle::Hash& h : hashes)
    out.append(reinterpret_cast<const char*>(h.data()), h.size());
  return out;
}

merkle::Hash SubtreeRoot(const std::vector<merkle::Hash>& hashes, uint64_t first, uint64_t count) {
  assert(count > 0 && (count & (count - 1)) == 0 && first + count <= hashes.size());
  std::vector<merkle::Hash> row(hashes.begin() + static_cast<std::ptrdiff_t>(first),
                                hashes.begin() + static_cast<std::ptrdiff_t>(first + count));
  while (row.size() > 1) {
    for (size_t i = 0; i < row.size() / 2; ++i)
      row[i] = merkle::NodeHash(row[2 * i], row[2 * i + 1]);
    row.resize(row.size() / 2);
  }
  return row.front();
}

Result<std::string> EncodeEntries(const std::vector<std::string_view>& entries) {
  if (entries.empty() || entries.size() > kWidth) {
    return Status::Invalid("entry bundle: " + std::to_string(entries.size()) +
                           " entries, expected 1 to 256");
  }
  std::string out;
  for (size_t i = 0; i < entries.size(); ++i) {
    const std::string_view e = entries[i];
    if (e.size() > kMaxEntrySize) {
      return Status::Invalid("entry bundle: entry " + std::to_string(i) + " is " +
                             std::to_string(e.size()) + " bytes, more than the format's 65535");
    }
    out += static_cast<char>(e.size() >> 8);
    out += static_cast<char>(e.size() & 0xff);
    out.append(e);
  }
  return out;
}

Result<std::vector<std::string>> DecodeEntries(std::string_view bundle, uint64_t width) {
  std::vector<std::string> entries;
  while (!bundle.empty()) {
    if (bundle.size() < 2) return Status::Invalid("entry bundle: truncated length prefix");
    const size_t size = static_cast<size_t>(static_cast<unsigned char>(bundle[0])) << 8 |
                        static_cast<unsigned char>(bundle[1]);
    bundle.remove_prefix(2);
    if (bundle.size() < size) {
      return Status::Invalid("entry bundle: entry " + std::to_string(entries.size()) +
                             " is truncated");
    }
    entries.emplace_back(bundle.substr(0, size));
    bundle.remove_prefix(size);
  }
  if (entries.size() != width) {
    return Status::Invalid("entry bundle: " + std::to_string(entries.size()) +
                           " entries, expected " + std::to_string(width));
  }
  return entries;
}

}  // namespace medmij::tiles
