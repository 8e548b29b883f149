#include "registry/common/atomic_file.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <string>
#include <utility>

namespace medmij {
namespace {

Status Errno(const std::string& context, int err) {
  return Status::IoError(context + ": " + std::strerror(err));
}

// Closes a file descriptor on scope exit.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

}  // namespace

Status WriteAll(int fd, std::string_view bytes, const std::string& what) {
  const char* p = bytes.data();
  size_t left = bytes.size();
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Errno(what + ": write", errno);
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  return Status::Ok();
}

Status WriteFileAtomically(const std::filesystem::path& file,
                           const std::function<Status(int fd)>& fill,
                           const AtomicWriteOptions& options) {
  namespace fs = std::filesystem;
  const fs::path dir = file.parent_path().empty() ? fs::path(".") : file.parent_path();
  if (!options.replace) {
    struct stat st {};
    if (::lstat(file.c_str(), &st) == 0) return Status::Exists(file.string() + ": already exists");
  }
  // Appended piece by piece: g++ 12 at -O2 reports a false -Wrestrict for "." + name + "...".
  std::string tmp_name(".");
  tmp_name.append(file.filename().string()).append(".tmp-XXXXXX");
  std::string tmp = (dir / tmp_name).string();
  Fd fd(::mkostemp(tmp.data(), O_CLOEXEC));
  if (fd.get() < 0) return Errno(dir.string() + ": cannot create a temp file", errno);
  auto fail = [&](Status st) {
    ::unlink(tmp.c_str());
    return st;
  };
  // mkostemp creates 0600; set the mode exactly (the umask plays no part in fchmod).
  if (::fchmod(fd.get(), options.mode) != 0) return fail(Errno(tmp + ": chmod", errno));
  if (Status st = fill(fd.get()); !st.ok()) return fail(st);
  if (options.mtime) {
    const auto since_epoch = options.mtime->time_since_epoch();
    const auto secs = std::chrono::floor<std::chrono::seconds>(since_epoch);
    const long nanos = static_cast<long>(std::chrono::nanoseconds(since_epoch - secs).count());
    const timespec times[2] = {{static_cast<time_t>(secs.count()), nanos},
                               {static_cast<time_t>(secs.count()), nanos}};
    if (::futimens(fd.get(), times) != 0) return fail(Errno(tmp + ": set mtime", errno));
  }
  if (::fsync(fd.get()) != 0) return fail(Errno(tmp + ": fsync", errno));
  if (::close(fd.release()) != 0) return fail(Errno(tmp + ": close", errno));
  if (options.replace) {
    if (::rename(tmp.c_str(), file.c_str()) != 0) {
      return fail(Errno(file.string() + ": rename", errno));
    }
  } else if (::renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, file.c_str(), RENAME_NOREPLACE) != 0) {
    int err = errno;
    if (err == EEXIST) return fail(Status::Exists(file.string() + ": already exists"));
    return fail(Errno(file.string() + ": rename", err));
  }
  Fd dfd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dfd.get() < 0) return Errno(dir.string() + ": open directory", errno);
  if (::fsync(dfd.get()) != 0) return Errno(dir.string() + ": fsync", errno);
  return Status::Ok();
}

Status WriteFileAtomically(const std::filesystem::path& file, std::string_view bytes,
                           const AtomicWriteOptions& options) {
  return WriteFileAtomically(
      file, [&](int fd) { return WriteAll(fd, bytes, file.string()); }, options);
}

}  // namespace medmij
