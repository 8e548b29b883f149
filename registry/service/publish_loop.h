// The publisher thread and the served cache of medmij-registry.
//
// The thread publishes when the store changed (LMDB's last transaction id moved), when the
// next standing change is due (a certificate or audit statement lapsing), and after a failed
// publication every retry interval. After each publication it reloads what it serves from the
// ARCHIVE (never from what it just built), so a restarted service serves byte-identical
// versions with identical ETags. Its first publication after start-up re-signs every list when
// the configured signing certificate is not the one the lists carry (publisher.h: key roll).
// With a Checkpointer it signs a checkpoint of the journal's tree on every pass that noticed a
// change, before publishing (so a commit is covered within one check interval however long the
// publication takes) and after (covering the publication's own archive event).
#pragma once

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "registry/common/clock.h"
#include "registry/http/served.h"
#include "registry/publisher/publisher.h"
#include "registry/service/archive_compactor.h"
#include "registry/service/background_verifier.h"
#include "registry/service/checkpointer.h"
#include "registry/service/log_export.h"
#include "registry/service/site_export.h"
#include "registry/service/version_proofs.h"
#include "registry/store/store.h"
#include "signer/signer.h"

namespace medmij::service {

struct PublishLoopOptions {
  Millis check_interval{250};
  Millis retry_interval{5000};
  // What the loop reads the time from and waits on; null: the process clock. Must outlive the
  // service.
  const Clock* clock = nullptr;
  // Called on the publisher thread after each publication with the snapshot now served (tests
  // wait on it instead of polling). Must not block or call back into the service.
  std::function<void(const http::Snapshot&)> on_publication;
  // The lists published ([publish] lists): the public register names only these.
  ListSet lists = kEveryList;
  // The SHA-256 fingerprint of [signing] trust_anchor that /lijsten shows
  // (signer::CertificateFingerprintSha256); empty: none configured.
  std::string trust_anchor_sha256;
  // When set, the public register's pages are written there after each publication
  // (site_export.h), beside the lists the publisher exports.
  std::filesystem::path export_dir;
  // Signs the transparency log's checkpoints ([transparency]); null: none. Must outlive the
  // service; only the publisher thread calls its Update().
  Checkpointer* checkpointer = nullptr;
  // Writes each new checkpoint and its tiles into the export dir (with a checkpointer and
  // [publish] export_dir); null: none. Must outlive the service; only the publisher thread
  // calls it.
  LogExport* log_export = nullptr;
  // The list versions' log proofs the checkpointer writes; null: none served. Must outlive the
  // service.
  const VersionProofs* proofs = nullptr;
  // Re-encodes older archived versions after each publication that archived one (and once at
  // start); null: none. Must outlive the service.
  ArchiveCompactor* compactor = nullptr;
  // Checks every new version with the participants' full verifier right after it is served (and
  // the current ones at start); null: none. Must outlive the service.
  BackgroundVerifier* verifier = nullptr;
};

class RegistryService : public http::ContentSource {
 public:
  // `store`, `publisher` and `signer` must outlive the service.
  RegistryService(store::Store& store, publisher::Publisher& publisher,
                  const signer::Signer& signer, PublishLoopOptions options);
  ~RegistryService() override;

  // Loads what the archive holds (before the first publication), so requests arriving during
  // start-up are answered with the last versions.
  Status LoadFromArchive();
  // Starts the publisher thread; its first publication runs at once.
  void Start();
  // Stops and joins the publisher thread (an ongoing publication finishes first).
  void Stop();

  std::shared_ptr<const http::Snapshot> Current() const override;
  Result<std::optional<http::ArchivedVersion>> Archived(ListKind list, uint64_t volgnummer,
                                                        ListForm form) const override;
  Status SignerUsable(Time now) const override;
  std::shared_ptr<const std::string> LogCheckpoint() const override;
  Result<std::optional<std::string>> LogTile(const tiles::Tile& tile) const override;
  Result<std::optional<std::string>> VersionEvent(ListKind list,
                                                  uint64_t volgnummer) const override;
  Result<std::optional<std::string>> VersionProof(ListKind list,
                                                  uint64_t volgnummer) const override;
  std::optional<Time> SignerNotAfter() const override;
  std::optional<http::StorageReport> Storage() const override;
  std::optional<http::VerificationReport> BackgroundVerification() const override;

 private:
  void Run();
  // Hands the served versions of the lists `report` archived (every list when `all`) to the
  // background verifier, with the sha256 the archive recorded for each.
  void SubmitForVerification(const publisher::Report& report, bool all);
  // The journal's length now (a read transaction of its own).
  Result<uint64_t> JournalLength() const;
  // Checkpointer::Update and the log's export, a refusal or failure reported on stderr; false
  // when one failed.
  bool SignCheckpoint();
  // Builds a snapshot of the archive's current versions; keeps `base`'s publication status.
  // When `published` (the publication's first corruption) or the register hit a record that
  // does not decode, the snapshot's store_error says so and corrupt_records names every one.
  Result<std::shared_ptr<const http::Snapshot>> Reload(const http::Snapshot& base, Time at,
                                                       const Status& published) const;

  store::Store& store_;
  publisher::Publisher& publisher_;
  const signer::Signer& signer_;
  PublishLoopOptions options_;
  const Clock& clock_;

  std::optional<SiteExport> site_export_;  // publisher thread only

  std::atomic<std::shared_ptr<const http::Snapshot>> current_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;  // guarded by mu_
  std::thread thread_;
};

}  // namespace medmij::service
