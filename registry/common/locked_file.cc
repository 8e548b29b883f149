#include "registry/common/locked_file.h"

#include "registry/common/atomic_file.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace medmij {

namespace fs = std::filesystem;

namespace {

class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(Fd&& o) noexcept : fd_(o.release()) {}
  Fd& operator=(Fd&& o) noexcept {
    if (this != &o) {
      if (fd_ >= 0) ::close(fd_);
      fd_ = o.release();
    }
    return *this;
  }
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

std::string Errno() {
  return std::strerror(errno);
}

// `name` in `dir` is absent, or a regular file that is not a symbolic link and that we may read
// and write; otherwise why not.
Status CheckRegular(int dir, const std::string& name, const std::string& what) {
  struct stat st {};
  if (::fstatat(dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    if (errno == ENOENT) return Status::Ok();
    return Status::Invalid(what + ": " + Errno());
  }
  if (S_ISLNK(st.st_mode)) {
    return Status::Invalid(what + " is a symbolic link; give the path of the file itself");
  }
  if (!S_ISREG(st.st_mode)) {
    return Status::Invalid(what + " is not a regular file" +
                           (S_ISDIR(st.st_mode) ? " (it is a directory)" : ""));
  }
  if (::faccessat(dir, name.c_str(), R_OK | W_OK, AT_EACCESS) != 0) {
    return Status::Invalid(what + " is not writable: " + Errno());
  }
  return Status::Ok();
}

}  // namespace

struct LockedFile::Impl {
  fs::path path;
  fs::path dir;
  std::string name;
  std::string what;
  Fd dir_fd;
  Fd lock_fd;
  std::optional<std::string> content;
};

LockedFile::LockedFile() : impl_(std::make_unique<Impl>()) {}
LockedFile::~LockedFile() = default;

const fs::path& LockedFile::path() const {
  return impl_->path;
}
const std::string& LockedFile::what() const {
  return impl_->what;
}
const std::optional<std::string>& LockedFile::content() const {
  return impl_->content;
}

Result<std::unique_ptr<LockedFile>> LockedFile::Open(const fs::path& path, std::string_view noun,
                                                     size_t max_bytes) {
  std::string what(noun);
  what.append(" file ").append(path.string());
  if (!path.has_filename()) return Status::Invalid(what + ": not a file name");
  std::unique_ptr<LockedFile> file(new LockedFile());
  Impl& s = *file->impl_;
  s.path = path;
  s.what = what;
  s.dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
  s.name = path.filename().string();
  std::string dir_what(noun);
  dir_what.append(" directory ").append(s.dir.string());
  s.dir_fd = Fd(::open(s.dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (s.dir_fd.get() < 0) return Status::Invalid(dir_what + ": " + Errno());
  if (::faccessat(s.dir_fd.get(), ".", W_OK, AT_EACCESS) != 0) {
    return Status::Invalid(dir_what + " is not writable: " + Errno());
  }
  MEDMIJ_RETURN_IF_ERROR(CheckRegular(s.dir_fd.get(), s.name, what));

  const std::string lock_name = s.name + ".lock";
  std::string lock_what(noun);
  lock_what.append(" lock ").append((s.dir / lock_name).string());
  MEDMIJ_RETURN_IF_ERROR(CheckRegular(s.dir_fd.get(), lock_name, lock_what));
  s.lock_fd = Fd(::openat(s.dir_fd.get(), lock_name.c_str(),
                          O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600));
  if (s.lock_fd.get() < 0) {
    if (errno == ELOOP) return Status::Invalid(lock_what + " is a symbolic link");
    return Status::Invalid(lock_what + ": " + Errno());
  }
  struct stat st {};
  if (::fstat(s.lock_fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
    return Status::Invalid(lock_what + " is not a regular file");
  }
  while (::flock(s.lock_fd.get(), LOCK_EX) != 0) {
    if (errno != EINTR) return Status::Invalid(lock_what + ": " + Errno());
  }

  Fd fd(::openat(s.dir_fd.get(), s.name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT) return file;
    if (errno == ELOOP) return Status::Invalid(what + " is a symbolic link");
    return Status::Invalid(what + ": " + Errno());
  }
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
    return Status::Invalid(what + " is not a regular file");
  }
  if (static_cast<size_t>(st.st_size) > max_bytes) {
    return Status::Invalid(what + ": " + std::to_string(st.st_size) + " bytes; a " +
                           std::string(noun) + " is at most " + std::to_string(max_bytes));
  }
  std::string text(static_cast<size_t>(st.st_size), '\0');
  size_t got = 0;
  while (got < text.size()) {
    const ssize_t n = ::read(fd.get(), text.data() + got, text.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::Invalid(what + ": " + Errno());
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  text.resize(got);
  s.content = std::move(text);
  return file;
}

Status LockedFile::Replace(std::string_view bytes) {
  const Impl& s = *impl_;
  AtomicWriteOptions options;
  options.mode = 0600;
  // In the directory opened (and locked) at Open, not the path resolved again.
  auto staged = StagedFile::CreateAt(
      s.dir_fd.get(), s.name, s.path, [&](int fd) { return WriteAll(fd, bytes, s.path.string()); },
      options);
  if (!staged.ok()) return staged.status().WithContext(s.what);
  MEDMIJ_RETURN_IF_ERROR((*staged)->Commit().WithContext(s.what));
  impl_->content = std::string(bytes);
  return Status::Ok();
}

Status LockedFile::WriteBeside(std::string_view suffix, std::string_view bytes) {
  const Impl& s = *impl_;
  std::string name = s.name;
  name.append(suffix);
  fs::path shown = s.path;
  shown += std::string(suffix);
  AtomicWriteOptions options;
  options.mode = 0600;
  options.replace = false;
  auto staged = StagedFile::CreateAt(
      s.dir_fd.get(), name, shown, [&](int fd) { return WriteAll(fd, bytes, shown.string()); },
      options);
  if (!staged.ok()) return staged.status();
  return (*staged)->Commit();
}

}  // namespace medmij
