#include "registry/store/env.h"

#include <sys/statvfs.h>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <set>
#include <utility>

namespace medmij::store::internal {

namespace {

std::string Size(uint64_t bytes) {
  return bytes >= (uint64_t{1} << 20) ? std::to_string(bytes >> 20) + " MiB"
                                      : std::to_string(bytes >> 10) + " KiB";
}

// Below this much free space a failed write is taken to be the file system filling up.
constexpr uint64_t kNearlyFull = uint64_t{1} << 20;

}  // namespace

// LMDB reports a write the file system could not complete as ENOSPC, or as EIO when the write
// came up short (mdb_page_flush), which is how a full disk usually shows. So look at the file
// system before blaming the hardware.
std::optional<std::string> DiskFullCause(int rc, const std::filesystem::path& dir) {
  if (rc != ENOSPC && rc != EIO && rc != EDQUOT) return std::nullopt;
  struct statvfs fs {};
  const bool known = ::statvfs(dir.c_str(), &fs) == 0;
  const uint64_t free = known ? uint64_t{fs.f_bavail} * fs.f_frsize : 0;
  if (rc == EIO && (!known || free >= kNearlyFull)) return std::nullopt;
  std::string cause = rc == EDQUOT ? "disk quota exceeded" : "disk full";
  if (known) cause += " (" + Size(free) + " free on the file system of " + dir.string() + ")";
  return cause;
}

Status EnvCore::Error(int rc, std::string_view what) const {
  std::string context = path.string() + ": " + std::string(what);
  switch (rc) {
    case MDB_MAP_FULL: {
      MDB_envinfo info{};
      mdb_env_info(env, &info);
      return Status::Exhausted("database is full (map size " + Size(info.me_mapsize) +
                               "): " + context + "; nothing of this transaction was written");
    }
    case MDB_TXN_FULL:
      return Status::Exhausted("transaction too large: " + context +
                               "; nothing of this transaction was written");
    case MDB_MAP_RESIZED:
      // Remapping under live readers of other threads is unsafe, so this is not retried.
      return Status::IoError(context +
                             ": another process grew the map beyond this process's map size; "
                             "reopen the data dir with a map size at least as large");
    case MDB_READERS_FULL:
      return Status::Exhausted("too many concurrent readers: " + context);
    case MDB_BAD_VALSIZE:
      return Status::Invalid(std::string(what) + ": key empty or longer than " +
                             std::to_string(mdb_env_get_maxkeysize(env)) + " bytes");
    case MDB_CORRUPTED:
    case MDB_PAGE_NOTFOUND:
    case MDB_INVALID:
    case MDB_VERSION_MISMATCH:
    case MDB_INCOMPATIBLE:
    case MDB_PANIC:
      return Status::Corruption(context + ": " + mdb_strerror(rc));
    default:
      // A failed commit leaves the committed data as it was: LMDB writes the meta page last.
      if (auto full =
              DiskFullCause(rc, std::filesystem::is_directory(path) ? path : path.parent_path())) {
        return Status::Exhausted(*full + ": " + context +
                                 "; nothing of this transaction was written: free space and run "
                                 "it again");
      }
      return Status::IoError(context + ": " + mdb_strerror(rc));
  }
}

Status Errno(const std::string& context, int err) {
  return Status::IoError(context + ": " + std::strerror(err));
}

namespace {

std::mutex& ClaimsMutex() {
  static std::mutex m;
  return m;
}
std::set<PathClaim::FileId>& Claims() {
  static std::set<PathClaim::FileId> claims;
  return claims;
}

}  // namespace

PathClaim::PathClaim(PathClaim&& o) noexcept : id_(std::exchange(o.id_, std::nullopt)) {}

PathClaim::~PathClaim() {
  if (id_) {
    std::lock_guard<std::mutex> lock(ClaimsMutex());
    Claims().erase(*id_);
  }
}

std::optional<PathClaim> PathClaim::Claim(FileId id) {
  std::lock_guard<std::mutex> lock(ClaimsMutex());
  if (!Claims().insert(id).second) return std::nullopt;
  return PathClaim(id);
}

}  // namespace medmij::store::internal
