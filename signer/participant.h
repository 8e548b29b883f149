// A participant's checks of a signed list, in one place: medmij-verify is a thin CLI over
// CheckList, and the polling client (medmij-fetch) runs the same checks through the same code.
//
//   1. Verifier::Verify: limits, signature, certificate chain and signing profile, schema, and
//      the list kind that was asked for;
//   2. optionally, that a strict file is exactly the verified list without its signature;
//   3. optionally, a further check of the verified list (medmij-verify --proof: that the version
//      was logged), before any state records it;
//   4. optionally, rollback and freeze against the last accepted version (StateFile), by the
//      signed content's canonical digest, so byte variants of one signed content are the same
//      version and any other content under an accepted Volgnummer is refused.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "registry/common/status.h"
#include "registry/common/time.h"
#include "registry/domain/types.h"
#include "signer/signer.h"

namespace medmij::signer {

// The last accepted version of one list.
struct AcceptedVersion {
  uint64_t volgnummer = 0;
  // VerifiedList::signed_content_sha256; empty when unknown (read from a version-1 state file,
  // which recorded a digest of the raw bytes instead).
  std::string signed_content_sha256;
  std::string tijdstempel;
};

// How `next` relates to the last accepted version (nullopt: nothing accepted yet).
enum class Succession {
  kNew,           // the first, a newer version, or the accepted one whose digest was unknown
  kSame,          // the accepted version again: same Volgnummer, same signed content
  kRollback,      // a lower Volgnummer
  kSubstitution,  // the accepted Volgnummer with other signed content (a frozen number reused)
};
// Pure. The one decision CheckSuccessor (and so StateFile::Admit) acts on; callers that count
// refusals by kind (medmij-fetch's metrics) read the kind here.
Succession ClassifySuccessor(const std::optional<AcceptedVersion>& last, const VerifiedList& next);

// Pure. Whether `next` may follow `last`, by ClassifySuccessor:
//   ok(true)   kNew: record it;
//   ok(false)  kSame: nothing to do;
//   kFailedPrecondition  kRollback or kSubstitution; the message says which ("rollback: ...",
//              "substitution: ...") with both Volgnummers or the digest accepted before.
Result<bool> CheckSuccessor(const std::optional<AcceptedVersion>& last, const VerifiedList& next);

// ok() when `strict` is byte for byte StrictForm(document, v); otherwise kInvalidArgument naming
// the first differing byte. REQUIRES: `v` is what Verify returned for `document`.
Status CheckStrict(std::string_view strict, std::string_view document, const VerifiedList& v);

// The state of medmij-verify --state: per list, the last accepted version.
//   {"version": 2, "lists": {"whitelist": {"volgnummer": 42,
//     "signed_content_sha256": "<64 hex>", "tijdstempel": "..."}, ...}}
// Version-1 files (with "content_sha256", a raw-byte digest) are read: their Volgnummers still
// refuse rollbacks, and the next accepted version records its canonical digest.
// Not safe for concurrent use; other processes are kept out by the lock.
class StateFile {
 public:
  // Opens the state at `path` and holds an exclusive lock on `path`.lock until destroyed (other
  // processes using the same path wait). A missing file is an empty state; it is created on the
  // first Save. kInvalidArgument with a clear message when `path` or its lock file is a symbolic
  // link or not a regular file (a directory, say), when `path` or its directory is not
  // writable, or when the content is not a state file. Nothing is followed or changed then.
  static Result<std::unique_ptr<StateFile>> Open(const std::filesystem::path& path);
  ~StateFile();
  StateFile(const StateFile&) = delete;
  StateFile& operator=(const StateFile&) = delete;

  std::optional<AcceptedVersion> Last(ListKind list) const;
  // CheckSuccessor against Last(v.list); on ok(true) the state records `v` (in memory: Save()).
  Result<bool> Admit(const VerifiedList& v);
  // Writes the state atomically: a new file (0600) in the same directory, fsync, rename over
  // `path`, fsync of the directory. kIoError when any step fails (the old file stays).
  Status Save();

 private:
  struct Impl;
  StateFile();
  std::unique_ptr<Impl> impl_;
};

struct CheckOptions {
  std::optional<ListKind> expected;        // refuse any other kind of list
  std::optional<std::string_view> strict;  // a strict file to confirm (CheckStrict)
  // A further check of the verified list; its error refuses the list before the state sees it.
  std::function<Status(const VerifiedList&)> also;
  StateFile* state = nullptr;  // rollback/freeze; saved when it records a version
};

struct CheckedList {
  VerifiedList list;
  bool strict_confirmed = false;
  bool state_updated = false;  // a version was recorded and saved
};

// The whole check, in the order above. Errors: kInvalidArgument, the list (or the strict file)
// is not accepted, or what `also` returned; kFailedPrecondition, refused by the state (rollback,
// substitution); kIoError, the state could not be saved.
Result<CheckedList> CheckList(const Verifier& verifier, std::string_view document, Time now,
                              const CheckOptions& options);

}  // namespace medmij::signer
