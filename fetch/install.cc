#include "fetch/install.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <string>

#include "registry/common/atomic_file.h"

namespace medmij::fetch {

namespace fs = std::filesystem;

namespace {

// Whether `file` holds exactly `bytes` (false when it is absent, unreadable or another size).
bool HoldsBytes(const fs::path& file, std::string_view bytes) {
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return false;
  struct stat st {};
  bool same = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
              static_cast<uint64_t>(st.st_size) == bytes.size();
  std::string buf(size_t{1} << 16, '\0');
  size_t at = 0;
  while (same) {
    const ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) same = false;
    if (n <= 0) break;
    const size_t got = static_cast<size_t>(n);
    same = at + got <= bytes.size() && bytes.compare(at, got, buf.data(), got) == 0;
    at += got;
  }
  ::close(fd);
  return same && at == bytes.size();
}

// `dir` exists as a directory afterwards; `*created` says whether this call made it.
Status EnsureDirectory(const fs::path& dir, bool* created) {
  *created = false;
  if (::mkdir(dir.c_str(), 0755) == 0) {
    *created = true;
    // The new entry must survive a crash as well as the files renamed into it.
    const fs::path parent = dir.parent_path().empty() ? fs::path(".") : dir.parent_path();
    const int pfd = ::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (pfd < 0) return Status::IoError(parent.string() + ": open: " + std::strerror(errno));
    const int rc = ::fsync(pfd);
    const int err = errno;
    ::close(pfd);
    if (rc != 0) return Status::IoError(parent.string() + ": fsync: " + std::strerror(err));
    return Status::Ok();
  }
  if (errno != EEXIST) return Status::IoError(dir.string() + ": mkdir: " + std::strerror(errno));
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return Status::IoError(dir.string() + ": not a directory");
  }
  return Status::Ok();
}

bool IsRegular(const fs::path& p) {
  struct stat st {};
  return ::lstat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

}  // namespace

bool Installed(const fs::path& dir, std::string_view file_name) {
  return IsRegular(dir / std::string(file_name)) &&
         IsRegular(dir / "signed" / std::string(file_name));
}

Result<InstallResult> InstallList(const fs::path& dir, std::string_view file_name,
                                  std::string_view strict_form, std::string_view signed_form,
                                  Time mtime) {
  const fs::path strict_path = dir / std::string(file_name);
  const fs::path signed_dir = dir / "signed";
  const fs::path signed_path = signed_dir / std::string(file_name);
  bool created = false;
  MEDMIJ_RETURN_IF_ERROR(EnsureDirectory(signed_dir, &created));
  // A signed/ made for files that then did not fit goes again: DIR stays as it was.
  struct RemoveUnused {
    const fs::path& dir;
    bool armed;
    ~RemoveUnused() {
      if (armed) ::rmdir(dir.c_str());
    }
  } remove_unused{signed_dir, created};

  AtomicWriteOptions options;
  options.mode = 0644;
  options.mtime = mtime;
  InstallResult result;
  std::unique_ptr<StagedFile> signed_file, strict_file;
  if (!HoldsBytes(strict_path, strict_form)) {
    MEDMIJ_ASSIGN_OR_RETURN(strict_file, StagedFile::Create(strict_path, strict_form, options));
  }
  if (!HoldsBytes(signed_path, signed_form)) {
    MEDMIJ_ASSIGN_OR_RETURN(signed_file, StagedFile::Create(signed_path, signed_form, options));
  }
  // Both are written: from here only renames, which need no space.
  remove_unused.armed = false;
  if (signed_file) {
    MEDMIJ_RETURN_IF_ERROR(signed_file->Commit());
    result.signed_written = true;
  }
  if (strict_file) {
    MEDMIJ_RETURN_IF_ERROR(strict_file->Commit());
    result.strict_written = true;
  }
  return result;
}

}  // namespace medmij::fetch
