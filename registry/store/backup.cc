// Store::Backup: a consistent, compacted copy of the environment in one file.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <thread>
#include <vector>

#include "registry/common/atomic_file.h"
#include "registry/store/env.h"

namespace medmij::store {
namespace {

// mdb_env_copyfd2 writes the copy into a pipe on a thread of its own while this thread moves it
// into `fd`, counting the bytes for `progress`. A write into `fd` that fails is kept and the pipe
// drained to its end (LMDB's writer is never left blocked or given EPIPE); the first error is
// returned as the errno of the write (`*write_errno`) or LMDB's code.
int CopyCounting(MDB_env* env, int fd, const ProgressFn& progress, int* write_errno) {
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) return errno;
  MDB_envinfo info{};
  MDB_stat stat{};
  uint64_t total = 0;
  if (mdb_env_info(env, &info) == MDB_SUCCESS && mdb_env_stat(env, &stat) == MDB_SUCCESS) {
    total = (static_cast<uint64_t>(info.me_last_pgno) + 1) * stat.ms_psize;
  }
  int copy_rc = MDB_SUCCESS;
  std::thread writer([&] {
    copy_rc = mdb_env_copyfd2(env, pipe_fds[1], MDB_CP_COMPACT);
    close(pipe_fds[1]);
  });
  std::vector<char> buf(1 << 20);
  uint64_t copied = 0;
  *write_errno = 0;
  for (;;) {
    ssize_t n = read(pipe_fds[0], buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      if (*write_errno == 0) *write_errno = errno;
      break;  // cannot happen on a pipe we own; the writer is joined below
    }
    if (n == 0) break;
    for (ssize_t off = 0; *write_errno == 0 && off < n;) {
      ssize_t w = write(fd, buf.data() + off, static_cast<size_t>(n - off));
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) {
        *write_errno = errno;
        break;
      }
      off += w;
    }
    if (*write_errno == 0) {
      copied += static_cast<uint64_t>(n);
      progress(copied, std::max(total, copied));
    }
  }
  writer.join();
  close(pipe_fds[0]);
  return *write_errno != 0 ? *write_errno : copy_rc;
}

}  // namespace

Status Store::Backup(const std::filesystem::path& file, const ProgressFn& progress) const {
  const internal::EnvCore& core = env_->core;
  // mdb_env_copy2 would create the file 0644 whatever the source's mode: copy into our own
  // 0600 file instead, within LMDB's read transaction (a consistent snapshot).
  Status st = WriteFileAtomically(
      file,
      [&](int fd) {
        int write_errno = 0;
        int rc = progress ? CopyCounting(core.env, fd, progress, &write_errno)
                          : mdb_env_copyfd2(core.env, fd, MDB_CP_COMPACT);
        if (rc == MDB_SUCCESS) return Status::Ok();
        if (auto full = internal::DiskFullCause(
                rc, file.parent_path().empty() ? std::filesystem::path(".") : file.parent_path())) {
          return Status::Exhausted(*full + ": backup " + file.string() + " not written");
        }
        if (write_errno != 0) return internal::Errno("copy to " + file.string(), write_errno);
        return core.Error(rc, "copy to " + file.string());
      },
      AtomicWriteOptions{.mode = 0600, .replace = false});
  if (st.code() == Status::Code::kAlreadyExists) {
    return Status::Exists("backup target " + file.string() + " already exists");
  }
  return st;
}

}  // namespace medmij::store
