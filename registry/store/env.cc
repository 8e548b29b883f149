#include "registry/store/env.h"

#include <cstring>
#include <mutex>
#include <set>
#include <utility>

namespace medmij::store::internal {

Status EnvCore::Error(int rc, std::string_view what) const {
  std::string context = path.string() + ": " + std::string(what);
  switch (rc) {
    case MDB_MAP_FULL: {
      MDB_envinfo info{};
      mdb_env_info(env, &info);
      const size_t size = info.me_mapsize;
      const std::string shown = size >= (size_t{1} << 20) ? std::to_string(size >> 20) + " MiB"
                                                          : std::to_string(size >> 10) + " KiB";
      return Status::Exhausted("database is full (map size " + shown + "): " + context +
                               "; nothing of this transaction was written");
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
