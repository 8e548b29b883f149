// Installing a verified list in the output directory, both forms or neither.
//
//   DIR/<file name>          the strict form (the list without its signature), for an existing
//                            MedMij library that reads a file or a local URL;
//   DIR/signed/<file name>   the signed form as fetched.
//
// Each file is written to a temp file beside its target and fsynced; only when both are written
// are they renamed into place (signed first) and the directories fsynced. A failure before the
// renames (a full disk, say) removes the temp files and leaves DIR exactly as it was. A file
// whose bytes are already in place is not rewritten (its inode and times stay). The files get
// mode 0644 and the list's Tijdstempel as modification time, so a local web server in front of
// DIR sends the same Last-Modified as the registry.
#pragma once

#include <filesystem>
#include <string_view>

#include "registry/common/status.h"
#include "registry/common/time.h"

namespace medmij::fetch {

struct InstallResult {
  bool strict_written = false;
  bool signed_written = false;
};

// kIoError "<file>: <step>: <reason>" on failure. `mtime`: the modification time to give both.
Result<InstallResult> InstallList(const std::filesystem::path& dir, std::string_view file_name,
                                  std::string_view strict_form, std::string_view signed_form,
                                  Time mtime);

// Whether both forms of `file_name` are present in `dir` as regular files (a conditional GET
// is only worth sending then).
bool Installed(const std::filesystem::path& dir, std::string_view file_name);

}  // namespace medmij::fetch
