// The environment and its errors. Private to registry/store.
//
// EnvCore is what the Store and its transactions share: the MDB_env, its DBI handles (one per
// entry of tables.h, opened once at Open()) and the one place that turns an LMDB return code
// into a Status naming the data dir and the operation.
#pragma once

#include <lmdb.h>

#include <array>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include <sys/types.h>

#include "registry/common/status.h"
#include "registry/store/lmdb_raii.h"
#include "registry/store/tables.h"

namespace medmij::store::internal {

struct EnvCore {
  MDB_env* env = nullptr;
  std::array<MDB_dbi, kDbiCount> dbi{};
  std::filesystem::path path;  // as given to Open()
  bool read_only = false;
  std::string read_only_because;  // set when opened read-only for lack of write access

  // The Status for LMDB code `rc` from operation `what`: kResourceExhausted for a full map,
  // transaction or disk (saying nothing was written), kCorruption for a damaged file,
  // kInvalidArgument for a key LMDB cannot hold, kIoError otherwise.
  Status Error(int rc, std::string_view what) const;
};

// "disk full (N KiB free on the file system of DIR)" (or "disk quota exceeded ...") when `rc`
// is a write error (ENOSPC, EDQUOT, or EIO with less than 1 MiB free) on DIR's file system.
std::optional<std::string> DiskFullCause(int rc, const std::filesystem::path& dir);

// kIoError "<context>: <strerror(err)>".
Status Errno(const std::string& context, int err);

// One environment per file per process: LMDB forbids opening the same environment twice in one
// process (its locks are per process; closing one handle would release the other's). A claim
// registers (device, inode) for its lifetime. Safe for concurrent use.
class PathClaim {
 public:
  struct FileId {
    dev_t dev;
    ino_t ino;
    auto operator<=>(const FileId&) const = default;
  };

  PathClaim() = default;
  PathClaim(PathClaim&& o) noexcept;
  PathClaim& operator=(PathClaim&&) = delete;
  ~PathClaim();

  // nullopt when `id` is already claimed in this process.
  static std::optional<PathClaim> Claim(FileId id);

 private:
  explicit PathClaim(FileId id) : id_(id) {}
  std::optional<FileId> id_;
};

}  // namespace medmij::store::internal

namespace medmij::store {

// Members are destroyed in reverse order: the environment is closed before the claim on its path
// is released.
struct Store::Env {
  internal::PathClaim claim;
  lmdb::EnvPtr env;
  internal::EnvCore core;
};

}  // namespace medmij::store
