// Store::Backup: a consistent, compacted copy of the environment in one file.
#include "registry/common/atomic_file.h"
#include "registry/store/env.h"

namespace medmij::store {

Status Store::Backup(const std::filesystem::path& file) const {
  const internal::EnvCore& core = env_->core;
  // mdb_env_copy2 would create the file 0644 whatever the source's mode: copy into our own
  // 0600 file instead, within LMDB's read transaction (a consistent snapshot).
  Status st = WriteFileAtomically(
      file,
      [&](int fd) {
        int rc = mdb_env_copyfd2(core.env, fd, MDB_CP_COMPACT);
        if (rc == MDB_SUCCESS) return Status::Ok();
        if (auto full = internal::DiskFullCause(
                rc, file.parent_path().empty() ? std::filesystem::path(".") : file.parent_path())) {
          return Status::Exhausted(*full + ": backup " + file.string() + " not written");
        }
        return core.Error(rc, "copy to " + file.string());
      },
      AtomicWriteOptions{.mode = 0600, .replace = false});
  if (st.code() == Status::Code::kAlreadyExists) {
    return Status::Exists("backup target " + file.string() + " already exists");
  }
  return st;
}

}  // namespace medmij::store
