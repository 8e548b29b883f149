// Writing a file so that it is never seen half-written, also after a crash or a full disk.
//
// The content goes to a temp file in the target's directory (".<name>.tmp-XXXXXX"), which is
// fsynced, renamed onto the target, and the directory fsynced: a reader (or the next boot) sees
// the old file (or none) or the whole new one. On any failure the temp file is removed and the
// target is untouched. Safe for concurrent use on different targets; two writers of one target
// each leave a whole file (the last rename wins, or with replace = false the second fails).
//
// StagedFile splits that in two for installing several files all or nothing (write each, then
// commit each), where one temp-and-rename per file would leave the first in place when the
// second does not fit; WriteFileAtomically is a StagedFile committed at once.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "registry/common/status.h"
#include "registry/common/time.h"

namespace medmij {

struct AtomicWriteOptions {
  mode_t mode = 0644;  // exact (the umask does not narrow it)
  // false: refuse (kAlreadyExists "<file>: already exists") when the target exists, also when it
  // appears while the content is written (renameat2 RENAME_NOREPLACE).
  bool replace = true;
  // When set, the file's modification time (set before the rename, so readers never see
  // another).
  std::optional<Time> mtime = std::nullopt;
};

// `fill` writes the content to `fd` (a new, empty, regular file); its failure is returned as is.
// Other failures are kIoError "<path>: <what>: <strerror>".
Status WriteFileAtomically(const std::filesystem::path& file,
                           const std::function<Status(int fd)>& fill,
                           const AtomicWriteOptions& options = {});
Status WriteFileAtomically(const std::filesystem::path& file, std::string_view bytes,
                           const AtomicWriteOptions& options = {});

// A file written in full under a temp name in the target's directory (mode and mtime set,
// fsynced) and put in place by Commit() (rename, fsync of the directory). Destroyed without a
// successful Commit(), it removes its temp file: the target stays as it was, nothing is left.
class StagedFile {
 public:
  // `fill` as for WriteFileAtomically; its failure is returned as is, others are kIoError.
  static Result<std::unique_ptr<StagedFile>> Create(const std::filesystem::path& file,
                                                    const std::function<Status(int fd)>& fill,
                                                    const AtomicWriteOptions& options = {});
  static Result<std::unique_ptr<StagedFile>> Create(const std::filesystem::path& file,
                                                    std::string_view bytes,
                                                    const AtomicWriteOptions& options = {});
  // The same for the entry `name` of the directory open as `dir_fd` (which is used, not
  // resolved again: a directory path swapped or re-linked meanwhile changes nothing); `shown` is
  // the path messages name. The temp file is created with O_EXCL | O_NOFOLLOW.
  static Result<std::unique_ptr<StagedFile>> CreateAt(int dir_fd, const std::string& name,
                                                      const std::filesystem::path& shown,
                                                      const std::function<Status(int fd)>& fill,
                                                      const AtomicWriteOptions& options = {});
  ~StagedFile();
  StagedFile(const StagedFile&) = delete;
  StagedFile& operator=(const StagedFile&) = delete;

  // Renames the temp file onto the target (with replace = false: kAlreadyExists when the target
  // exists) and fsyncs the directory. kIoError when the rename fails (target unchanged, temp
  // removed) or the fsync does (the new file is in place but may not survive a crash).
  Status Commit();

 private:
  StagedFile() = default;
  int dir_fd_ = -1;              // the target's directory (owned)
  std::string name_;             // the target's name in it
  std::filesystem::path shown_;  // the target's path, for messages
  std::string temp_;             // the temp file's name in it; empty until created
  bool replace_ = true;
  bool done_ = false;
};

// Writes all of `bytes` to `fd` (retrying short writes and EINTR); kIoError naming `what`.
Status WriteAll(int fd, std::string_view bytes, const std::string& what);

}  // namespace medmij
