// What the HTTP handlers serve: immutable, prepared bytes, swapped as a whole by the publisher
// thread. Handlers never build, sign or read the store for the current lists.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "registry/common/status.h"
#include "registry/common/time.h"
#include "registry/common/tlog_tiles.h"
#include "registry/domain/list_form.h"
#include "registry/domain/types.h"
#include "registry/web/register_view.h"

namespace medmij::http {

// One response body with its strong ETag. Large bodies are also held in an unnamed file
// (O_TMPFILE in `spool_dir`, else a memfd) so they go to the socket with sendfile(2), without
// copies through user space; every download reads the one descriptor at its own offset, so
// serving opens no file. Unnamed files vanish with their last descriptor, also after a crash.
// (sendfile from the page cache of a disk file measured ~35% faster than from a memfd.)
// Immutable after construction; safe for concurrent use.
class ServedBody {
 public:
  explicit ServedBody(std::string bytes, const std::filesystem::path& spool_dir = {});
  ~ServedBody();
  ServedBody(const ServedBody&) = delete;
  ServedBody& operator=(const ServedBody&) = delete;

  const std::string& bytes() const { return bytes_; }
  const std::string& etag() const { return etag_; }
  // The descriptor of the unnamed file holding the bytes (read it with an explicit offset:
  // pread, sendfile with an offset pointer), or -1 when there is none. Valid while this
  // object lives.
  int fd() const { return fd_; }

 private:
  std::string bytes_;
  std::string etag_;
  int fd_ = -1;
};

// The current version of one list, as archived.
struct ServedList {
  ListKind list = ListKind::kWhitelist;
  uint64_t volgnummer = 0;
  std::string tijdstempel;  // as archived (Tijdstempel of the version)
  Time last_modified{};     // the Tijdstempel; HTTP-date precision is seconds
  std::string last_modified_text;
  std::shared_ptr<const ServedBody> signed_body;
  std::shared_ptr<const ServedBody> unsigned_body;  // the strict form (signature removed)
  // The gzip representations of the two forms (Content-Encoding: gzip, each with its own
  // ETag), prepared after the version is published (registry/http/encoding.h): null
  // until ready, so a new version is served plain for a moment first.
  std::shared_ptr<const ServedBody> signed_gzip;
  std::shared_ptr<const ServedBody> unsigned_gzip;
  std::string versions_json;  // GET /lists/{list}/versions
  // The signing certificate this version carries in its KeyInfo (signer::SigningCertificatesOf);
  // unset when unknown. /healthz and /metrics warn when it is near its notAfter (key roll).
  std::optional<Time> certificate_not_after;
  std::string certificate_subject;
};

struct ListStatus {
  bool ok = true;         // the last publication attempt for this list succeeded
  uint64_t failures = 0;  // failed attempts since start-up
};

// A stored record that does not decode (the store's CorruptRecord, named for /healthz and
// /metrics without this layer depending on the store).
struct CorruptRecord {
  std::string table;
  std::string key;
  std::string reason;
};

// The public register's pages (registry/web), rendered once per publication from `view`.
struct RegisterPages {
  struct Page {
    std::string content_type;
    std::shared_ptr<const ServedBody> body;
  };
  // "/", "/lijsten", "/deelnemers/{id}", "/static/register.css", ...
  std::map<std::string, Page, std::less<>> by_path;
  std::shared_ptr<const ServedBody> not_found;  // the HTML 404 page
  // What the pages show: a search (/?q=&role=) renders the overview from it per request.
  std::shared_ptr<const web::RegisterView> view;
};

struct Snapshot {
  std::array<std::shared_ptr<const ServedList>, kListCount> lists;  // by ListKind; null: none yet
  std::string participants_json;                                    // GET /participants
  std::map<std::string, std::string> participant_json;              // GET /participants/{id}
  std::shared_ptr<const RegisterPages> pages;                       // null: none rendered yet
  uint64_t publications_total = 0;   // PublishOnce runs since start-up
  std::optional<Time> last_attempt;  // of a publication
  std::optional<Time> last_success;  // of a publication where every list succeeded
  bool last_ok = true;
  std::array<ListStatus, kListCount> list_status;  // by ListKind
  // Set when the last publication or reload hit a stored record that does not decode: what it
  // said, and every such record found then. The lists served are the last good versions;
  // /healthz is 503 and names them, /metrics has medmij_store_corrupt_record for each.
  std::string store_error;
  std::vector<CorruptRecord> corrupt_records;

  const ServedList* list(ListKind k) const { return lists[static_cast<size_t>(k)].get(); }
};

// A published version read from the archive.
struct ArchivedVersion {
  std::string bytes;
  std::string sha256;
};

// How full the data dir's LMDB map is and what the archive compactor did (/healthz, /metrics).
struct StorageReport {
  uint64_t map_used_bytes = 0;  // the map's high-water mark
  uint64_t map_size_bytes = 0;
  uint64_t versions_recoded = 0;  // archived versions re-encoded as keyframes or deltas
  uint64_t bytes_saved = 0;       // whole minus encoded size of those
  uint64_t compaction_failures = 0;
  std::string compaction_error;  // of the last run, if it failed
};
// A map this full (or fuller) is "nearly full" on /healthz (503): well before writes fail, so an
// operator has time to act.
inline constexpr double kMapNearlyFull = 0.8;

// What the background verifier (the participants' full verifier, run on each new version right
// after its publication) found. /healthz is 503 while the latest check of a list disagreed.
struct VerificationReport {
  bool on = false;
  std::string off_reason;  // when !on
  std::string anchor;      // the trust anchor it verifies against
  struct PerList {
    uint64_t volgnummer = 0;  // last checked; 0: none yet
    bool ok = true;
    std::string reason;  // why the last check disagreed
  };
  std::array<PerList, kListCount> lists{};  // by ListKind
  uint64_t checked_total = 0;
  uint64_t disagreements_total = 0;
};

// What the handlers read. Implementations are safe for concurrent use.
class ContentSource {
 public:
  virtual ~ContentSource() = default;
  // The latest snapshot; never null.
  virtual std::shared_ptr<const Snapshot> Current() const = 0;
  // An archived version in `form` (the archive holds the signed bytes; the strict form is
  // them with the signature removed); nullopt when (list, volgnummer) was never published.
  virtual Result<std::optional<ArchivedVersion>> Archived(ListKind list, uint64_t volgnummer,
                                                          ListForm form) const = 0;
  // ok() while the signing certificate can sign at `now`.
  virtual Status SignerUsable(Time now) const = 0;
  // The notAfter of the configured signing certificate; nullopt when unknown.
  virtual std::optional<Time> SignerNotAfter() const { return std::nullopt; }
  // The latest signed transparency-log checkpoint (a C2SP signed note); null when the service
  // signs none ([transparency] not configured) or has not signed one yet.
  virtual std::shared_ptr<const std::string> LogCheckpoint() const { return nullptr; }
  // The bytes of the C2SP hash tile `tile` of the tree LogCheckpoint() names (tiles::InTree:
  // a full tile within it or a partial tile no wider than that tile has grown in it, so also
  // the partial tiles of every older tree); nullopt for any other tile, an entry bundle, and while
  // there is no checkpoint. kCorruption for a stored hash that is bad.
  virtual Result<std::optional<std::string>> LogTile(const tiles::Tile& /*tile*/) const {
    return std::optional<std::string>();
  }
  // The stored bytes of the journal event that archived (list, volgnummer) (they name the
  // version's sha256); nullopt when it was never archived.
  virtual Result<std::optional<std::string>> VersionEvent(ListKind, uint64_t) const {
    return std::optional<std::string>();
  }
  // The version's C2SP tlog-proof@v1 under the first signed checkpoint that covers it; nullopt
  // until one does, and when the service signs none.
  virtual Result<std::optional<std::string>> VersionProof(ListKind, uint64_t) const {
    return std::optional<std::string>();
  }
  // What the background verifier found; nullopt: none runs here.
  virtual std::optional<VerificationReport> BackgroundVerification() const { return std::nullopt; }
  // The data dir's map usage and the compactor's record, read when asked; nullopt: unknown.
  virtual std::optional<StorageReport> Storage() const { return std::nullopt; }
};

}  // namespace medmij::http
