// The outcome of the last `medmij-admin journal verify`, kept as a small JSON file
// beside data.mdb so that `medmij-admin status` can say whether the journal passed last without
// reading it whole again.
//
// Why a file and not an LMDB table: every write to the store is a journaled mutation (state
// never changes without its event), and "verify passed" is not registry state; a table written
// outside the journal would also take LMDB's writer lock for a read-only command and make
// `check`'s replay comparison depend on it. The file is written atomically
// (registry/common/atomic_file.h); losing it loses only this hint, never registry data. When the
// data dir is a backup file (not a directory) nothing is recorded.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "registry/common/status.h"
#include "registry/common/time.h"

namespace medmij::ops {

inline constexpr const char* kVerifyRecordFile = "journal-verify.json";

struct VerifyRecord {
  Time at{};
  std::string by;       // operator
  std::string command;  // "journal verify"
  bool ok = false;
  uint64_t events = 0;  // journal length verified (when ok)
  std::string error;    // why not (when not ok)
  bool operator==(const VerifyRecord&) const = default;
};

// Writes `r` to `data_dir`/kVerifyRecordFile (mode 0600), replacing the one there. Ok and
// nothing written when `data_dir` is not a directory; kIoError naming the file otherwise.
Status RecordVerify(const std::filesystem::path& data_dir, const VerifyRecord& r);

// The recorded outcome; nullopt when none is recorded, or the file does not decode (it is a
// hint, rewritten by the next verify).
std::optional<VerifyRecord> ReadVerifyRecord(const std::filesystem::path& data_dir);

}  // namespace medmij::ops
