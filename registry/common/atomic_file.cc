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

Result<std::unique_ptr<StagedFile>> StagedFile::Create(const std::filesystem::path& file,
                                                       const std::function<Status(int fd)>& fill,
                                                       const AtomicWriteOptions& options) {
  namespace fs = std::filesystem;
  const fs::path dir = file.parent_path().empty() ? fs::path(".") : file.parent_path();
  Fd dfd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dfd.get() < 0) return Errno(dir.string() + ": cannot create a temp file", errno);
  return CreateAt(dfd.get(), file.filename().string(), file, fill, options);
}

Result<std::unique_ptr<StagedFile>> StagedFile::CreateAt(int dir_fd, const std::string& name,
                                                         const std::filesystem::path& shown,
                                                         const std::function<Status(int fd)>& fill,
                                                         const AtomicWriteOptions& options) {
  namespace fs = std::filesystem;
  const fs::path dir = shown.parent_path().empty() ? fs::path(".") : shown.parent_path();
  if (!options.replace) {
    struct stat st {};
    if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
      return Status::Exists(shown.string() + ": already exists");
    }
  }
  std::unique_ptr<StagedFile> staged(new StagedFile());
  staged->dir_fd_ = ::fcntl(dir_fd, F_DUPFD_CLOEXEC, 0);
  if (staged->dir_fd_ < 0) return Errno(dir.string() + ": cannot create a temp file", errno);
  staged->name_ = name;
  staged->shown_ = shown;
  staged->replace_ = options.replace;
  // Appended piece by piece: g++ 12 at -O2 reports a false -Wrestrict for "." + name + "...".
  std::string base(".");
  base.append(name).append(".tmp-");
  static constexpr char kChars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  int fd_value = -1;
  for (int attempt = 0; fd_value < 0 && attempt < 100; ++attempt) {
    unsigned char random[6];
    if (::getentropy(random, sizeof random) != 0) {
      return Errno(dir.string() + ": cannot create a temp file", errno);
    }
    std::string tmp = base;
    for (unsigned char r : random) tmp += kChars[r % (sizeof kChars - 1)];
    // O_EXCL | O_NOFOLLOW: a name planted in the directory (a link, say) is never opened.
    fd_value = ::openat(staged->dir_fd_, tmp.c_str(),
                        O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd_value < 0 && errno != EEXIST) {
      return Errno(dir.string() + ": cannot create a temp file", errno);
    }
    if (fd_value >= 0) staged->temp_ = std::move(tmp);  // from here on the destructor removes it
  }
  if (fd_value < 0) return Errno(dir.string() + ": cannot create a temp file", EEXIST);
  Fd fd(fd_value);
  const std::string tmp = (dir / staged->temp_).string();
  // Created 0600; set the mode exactly (the umask plays no part in fchmod).
  if (::fchmod(fd.get(), options.mode) != 0) return Errno(tmp + ": chmod", errno);
  MEDMIJ_RETURN_IF_ERROR(fill(fd.get()));
  if (options.mtime) {
    const auto since_epoch = options.mtime->time_since_epoch();
    const auto secs = std::chrono::floor<std::chrono::seconds>(since_epoch);
    const long nanos = static_cast<long>(std::chrono::nanoseconds(since_epoch - secs).count());
    const timespec times[2] = {{static_cast<time_t>(secs.count()), nanos},
                               {static_cast<time_t>(secs.count()), nanos}};
    if (::futimens(fd.get(), times) != 0) return Errno(tmp + ": set mtime", errno);
  }
  if (::fsync(fd.get()) != 0) return Errno(tmp + ": fsync", errno);
  if (::close(fd.release()) != 0) return Errno(tmp + ": close", errno);
  return staged;
}

Result<std::unique_ptr<StagedFile>> StagedFile::Create(const std::filesystem::path& file,
                                                       std::string_view bytes,
                                                       const AtomicWriteOptions& options) {
  return Create(
      file, [&](int fd) { return WriteAll(fd, bytes, file.string()); }, options);
}

StagedFile::~StagedFile() {
  if (!done_ && !temp_.empty()) ::unlinkat(dir_fd_, temp_.c_str(), 0);
  if (dir_fd_ >= 0) ::close(dir_fd_);
}

Status StagedFile::Commit() {
  namespace fs = std::filesystem;
  if (done_) return Status::Ok();
  if (replace_) {
    if (::renameat(dir_fd_, temp_.c_str(), dir_fd_, name_.c_str()) != 0) {
      return Errno(shown_.string() + ": rename", errno);
    }
  } else if (::renameat2(dir_fd_, temp_.c_str(), dir_fd_, name_.c_str(), RENAME_NOREPLACE) != 0) {
    const int err = errno;
    if (err == EEXIST) return Status::Exists(shown_.string() + ": already exists");
    return Errno(shown_.string() + ": rename", err);
  }
  done_ = true;
  const fs::path dir = shown_.parent_path().empty() ? fs::path(".") : shown_.parent_path();
  if (::fsync(dir_fd_) != 0) return Errno(dir.string() + ": fsync", errno);
  return Status::Ok();
}

Status WriteFileAtomically(const std::filesystem::path& file,
                           const std::function<Status(int fd)>& fill,
                           const AtomicWriteOptions& options) {
  MEDMIJ_ASSIGN_OR_RETURN(std::unique_ptr<StagedFile> staged,
                          StagedFile::Create(file, fill, options));
  return staged->Commit();
}

Status WriteFileAtomically(const std::filesystem::path& file, std::string_view bytes,
                           const AtomicWriteOptions& options) {
  return WriteFileAtomically(
      file, [&](int fd) { return WriteAll(fd, bytes, file.string()); }, options);
}

}  // namespace medmij
