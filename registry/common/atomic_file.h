// Writing a file so that it is never seen half-written, also after a crash or a full disk.
//
// The content goes to a temp file in the target's directory (".<name>.tmp-XXXXXX"), which is
// fsynced, renamed onto the target, and the directory fsynced: a reader (or the next boot) sees
// the old file (or none) or the whole new one. On any failure the temp file is removed and the
// target is untouched. Safe for concurrent use on different targets; two writers of one target
// each leave a whole file (the last rename wins, or with replace = false the second fails).
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <functional>
#include <optional>
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

// Writes all of `bytes` to `fd` (retrying short writes and EINTR); kIoError naming `what`.
Status WriteAll(int fd, std::string_view bytes, const std::string& what);

}  // namespace medmij
