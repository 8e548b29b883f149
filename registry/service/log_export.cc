#include "registry/service/log_export.h"

#include <fstream>
#include <sstream>
#include <system_error>

#include "registry/common/atomic_file.h"

namespace medmij::service {
namespace {

namespace fs = std::filesystem;

constexpr AtomicWriteOptions kPublic{.mode = 0644, .replace = true};

// Whether `file` holds exactly `bytes` (false when it is missing or unreadable).
bool Holds(const fs::path& file, const std::string& bytes) {
  std::error_code ec;
  if (fs::file_size(file, ec) != bytes.size() || ec) return false;
  std::ifstream in(file, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  return in.good() && content.str() == bytes;
}

}  // namespace

LogExport::LogExport(const store::Store& store, fs::path export_dir)
    : store_(store), dir_(std::move(export_dir) / "log") {}

Status LogExport::WriteTile(const tiles::Tile& tile, const store::Reader& reader) const {
  MEDMIJ_ASSIGN_OR_RETURN(auto hashes, reader.TileHashes(tile));
  const std::string bytes = tiles::JoinHashes(hashes);
  const fs::path file = dir_ / tiles::Path(tile);
  if (Holds(file, bytes)) return Status::Ok();
  std::error_code ec;
  fs::create_directories(file.parent_path(), ec);
  if (ec) return Status::IoError(file.parent_path().string() + ": " + ec.message());
  return WriteFileAtomically(file, bytes, kPublic);
}

Status LogExport::Export(const Checkpointer::Signed& latest) {
  const uint64_t size = latest.checkpoint.size;
  if (written_ && size == exported_) return Status::Ok();
  MEDMIJ_ASSIGN_OR_RETURN(auto reader, store_.BeginRead());
  for (int level = 0; level <= tiles::kMaxLevel; ++level) {
    const int shift = level * tiles::kHeight;
    if (shift >= 64 || (size >> shift) == 0) break;
    const uint64_t full = (size >> shift) / tiles::kWidth;
    const uint64_t done = (exported_ >> shift) / tiles::kWidth;
    for (uint64_t index = done; index < full; ++index) {
      MEDMIJ_RETURN_IF_ERROR(WriteTile(tiles::Tile{false, level, index, tiles::kWidth}, *reader));
    }
    const uint64_t width = tiles::WidthIn(level, full, size);
    if (width != 0) {
      MEDMIJ_RETURN_IF_ERROR(WriteTile(tiles::Tile{false, level, full, width}, *reader));
    }
  }
  reader.reset();
  MEDMIJ_RETURN_IF_ERROR(WriteFileAtomically(dir_ / "checkpoint", latest.note, kPublic));
  exported_ = size;
  written_ = true;
  return Status::Ok();
}

}  // namespace medmij::service
