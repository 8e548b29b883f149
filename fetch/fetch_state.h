// medmij-fetch's state: per list, what is installed and what the server last said.
//
//   {"format": "medmij-fetch-state", "version": 1,
//    "lists": {"whitelist": {
//        "volgnummer": 42, "signed_content_sha256": "<64 hex>", "tijdstempel": "...",
//        "url": "https://.../signed/MedMij_Whitelist.xml", "etag": "\"...\"",
//        "last_confirmed": "2026-11-22T10:05:00.000Z", "last_change": "2026-11-22T09:00:00.000Z",
//        "failures": {"http_status": 3, "timeout": 1}}, ...}}
//
// volgnummer / signed_content_sha256 / tijdstempel are the installed version as the participant
// checks accepted it (the input of CheckSuccessor: rollback and freeze are judged against it);
// url + etag the validator for the next conditional GET (sent only to the URL that issued it);
// last_confirmed when the server last confirmed the installed version current (200 or 304);
// last_change when a new version was last installed; failures the running count per reason (the
// counters of the metrics, kept across runs). The file is replaced atomically (0600) under a
// lock (LockedFile) that serialises runs sharing it. A file that is not such a state is an error
// that names the field, never an empty state.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "fetch/failure.h"
#include "registry/common/locked_file.h"
#include "registry/common/status.h"
#include "registry/common/time.h"
#include "registry/domain/types.h"
#include "signer/participant.h"

namespace medmij::fetch {

struct ListRecord {
  std::optional<signer::AcceptedVersion> installed;
  std::string url;
  std::string etag;
  std::optional<Time> last_confirmed;
  std::optional<Time> last_change;
  std::map<Reason, uint64_t> failures;
};

class FetchState {
 public:
  // LockedFile::Open(path, "state", 1 MiB), then the content. kInvalidArgument for a path that
  // cannot be used and for content that is not a medmij-fetch state ("state file P: ...").
  static Result<std::unique_ptr<FetchState>> Open(const std::filesystem::path& path);
  ~FetchState();

  // The record of `list` (an empty one when it was never fetched).
  ListRecord Get(ListKind list) const;
  void Put(ListKind list, ListRecord record);
  // Writes every record (LockedFile::Replace). kIoError; the old file stays.
  Status Save();

  // The JSON text of the records (what Save writes); exposed for tests.
  std::string Serialize() const;

 private:
  FetchState() = default;
  std::unique_ptr<LockedFile> file_;
  std::map<ListKind, ListRecord> lists_;
};

}  // namespace medmij::fetch
