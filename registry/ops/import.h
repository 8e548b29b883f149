// Bulk import from JSON Lines: one object per line, all lines in ONE write transaction with one
// journal event per line. Any bad line aborts the whole import: nothing is written. The format
// is documented in README.md ("Import format").
#pragma once

#include <istream>
#include <string>
#include <vector>

#include "registry/common/status.h"
#include "registry/ops/ops.h"
#include "registry/store/store.h"

namespace medmij::ops {

struct ImportResult {
  size_t lines = 0;    // non-empty lines read
  size_t applied = 0;  // records written (when ok)
  // One message per bad line, "line 7: kvk: must be exactly 8 digits, got '1234'" (one printable
  // line: control characters escaped, EscapeForDisplay, registry/common/text.h); at most
  // kMaxImportErrors, then a last line saying how many more there were.
  std::vector<std::string> errors;
  bool ok() const { return errors.empty(); }
};

inline constexpr size_t kMaxImportErrors = 20;

// Reads `in` (named `source` in messages and events) and applies every line within `txn`,
// appending one event per line. The caller commits when the result is ok() and aborts (drops
// the transaction) otherwise. A Status error means the store itself failed.
Result<ImportResult> Import(store::WriteTxn& txn, const Actor& actor, std::istream& in,
                            const std::string& source);

}  // namespace medmij::ops
