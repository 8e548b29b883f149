// A small file a program keeps across runs (a participant tool's state), read and replaced under
// an exclusive lock that is held for the life of the object.
//
// The participants' tools run as root or a service user, often from a timer, on paths an
// operator typed: neither the file nor its lock is opened through a symbolic link, a path that
// is not a regular file is refused, and the file is replaced atomically (temp file, fsync,
// rename, fsync of the directory) so a crash or a full disk leaves the old file whole. The
// directory is resolved once, at Open: the lock, the read and every Replace happen in that
// directory (by its descriptor), even when a directory of the path is re-linked meanwhile. The lock
// lives in a file of its own beside it (`path`.lock): the file itself is replaced by rename, so it
// cannot carry one.
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "registry/common/status.h"

namespace medmij {

class LockedFile {
 public:
  // Opens `path` and takes an exclusive lock on `path`.lock (another process using the same path
  // waits until this one is destroyed). `noun` names the file in messages: with "state" they
  // speak of "state file PATH", "state directory DIR" and "state lock PATH.lock".
  // kInvalidArgument when `path` or its lock is a symbolic link or not a regular file (a
  // directory, say), when either or the directory is not writable, when the directory cannot be
  // opened, or when the file is larger than `max_bytes`. Nothing is followed or changed then.
  static Result<std::unique_ptr<LockedFile>> Open(const std::filesystem::path& path,
                                                  std::string_view noun, size_t max_bytes);
  ~LockedFile();
  LockedFile(const LockedFile&) = delete;
  LockedFile& operator=(const LockedFile&) = delete;

  const std::filesystem::path& path() const;
  // "state file PATH": the prefix of messages about the file.
  const std::string& what() const;
  // The content at Open; nullopt when there was no file (it is created by the first Replace).
  const std::optional<std::string>& content() const;

  // Replaces the file with `bytes` (WriteFileAtomically), mode 0600. kIoError "<what>: <path>:
  // <step>: <reason>" when a step fails; the old file (or none) stays and no temp file is left.
  Status Replace(std::string_view bytes);

  // Writes a new file `path` + `suffix` beside this one (in the directory opened at Open; the
  // same atomic write, mode 0600) that never replaces an existing file: kAlreadyExists
  // "<path><suffix>: already exists" then, kIoError as for Replace. For what a program keeps
  // next to its state, such as evidence it refused to accept.
  Status WriteBeside(std::string_view suffix, std::string_view bytes);

 private:
  struct Impl;
  LockedFile();
  std::unique_ptr<Impl> impl_;
};

}  // namespace medmij
