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
  std::unique_ptr<StagedFile> staged(new StagedFile());
  staged->file_ = file;
  staged->temp_ = tmp;  // from here on the destructor removes it
  staged->replace_ = options.replace;
  // mkostemp creates 0600; set the mode exactly (the umask plays no part in fchmod).
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
  if (!done_) ::unlink(temp_.c_str());
}

Status StagedFile::Commit() {
  namespace fs = std::filesystem;
  if (done_) return Status::Ok();
  if (replace_) {
    if (::rename(temp_.c_str(), file_.c_str()) != 0) {
      return Errno(file_.string() + ": rename", errno);
    }
  } else if (::renameat2(AT_FDCWD, temp_.c_str(), AT_FDCWD, file_.c_str(), RENAME_NOREPLACE) != 0) {
    const int err = errno;
    if (err == EEXIST) return Status::Exists(file_.string() + ": already exists");
    return Errno(file_.string() + ": rename", err);
  }
  done_ = true;
  const fs::path dir = file_.parent_path().empty() ? fs::path(".") : file_.parent_path();
  Fd dfd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dfd.get() < 0) return Errno(dir.string() + ": open directory", errno);
  if (::fsync(dfd.get()) != 0) return Errno(dir.string() + ": fsync", errno);
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
