// The publisher: from one consistent snapshot and a publication time, derive the lists it
// publishes (Options::lists), build, validate, sign and archive those whose content changed.
#pragma once

#include <array>
#include <filesystem>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "registry/common/status.h"
#include "registry/common/time.h"
#include "registry/domain/list_form.h"
#include "registry/domain/types.h"
#include "registry/publisher/incremental.h"
#include "registry/store/store.h"
#include "signer/signer.h"

namespace medmij::publisher {

struct Options {
  // When set, every new version is also written there atomically (temp file + rename), for
  // nginx or a CDN: MedMij_*.xml in `default_form`, and signed/MedMij_*.xml in the signed form
  // (registry/domain/list_form.h). Each file's modification time is the version's Tijdstempel.
  std::filesystem::path export_dir;
  // Recorded as the operator of every journal event a publication appends ("medmij-registry" for
  // the service; the CLI's `publish` passes its --operator).
  std::string operator_name = "medmij-registry";
  // The form of the export dir's top-level files (see export_dir).
  ListForm default_form = ListForm::kStrict;
  // The lists to publish (`[publish] lists`); the others are neither derived nor exported (their
  // archived versions, if any, stay in the archive).
  ListSet lists = kEveryList;
  // Derive incrementally (incremental.h): keep the derived entries between publications, apply
  // the journal events committed since, and validate only the changed entries and the head of a
  // list (its uniqueness rules checked in code) before signing it. false: every publication
  // rebuilds from the snapshot and validates whole documents (the comparison the tests and the
  // benchmark make).
  bool incremental = true;
  // Checks each newly signed version before it is archived (signer::SelfCheck: the digest, the
  // signature value and the chain to the participants' anchor, from the final bytes); a version
  // that fails is not archived and is reported like a signing failure. Null: not checked. Must
  // outlive the publisher.
  const signer::SelfCheck* self_check = nullptr;
};

struct ListOutcome {
  ListKind list = ListKind::kWhitelist;
  bool published = false;  // a new version was archived
  // The new version has the current version's entries and only a new signature: the signing
  // certificate (or chain) this publisher signs with differs from the one the current version
  // carries (a key roll).
  bool resigned = false;
  // The content changed but the current version carries this very second as its Tijdstempel:
  // the change is published in the next second (next_wakeup says when), so that Tijdstempel,
  // Last-Modified and If-Modified-Since (all whole seconds) tell every version apart.
  bool deferred = false;
  uint64_t volgnummer = 0;  // current after this publication (0: none yet)
  Status status;            // why it failed, if it did; the last good version stays current
};

struct Report {
  Time at{};
  std::vector<ListOutcome> lists;  // one per list published (Options::lists), in kAllLists order
  // The next instant at which standing changes by itself (a certificate or audit statement
  // lapsing), or a deferred list is due: the service wakes then even if nothing is committed.
  std::optional<Time> next_wakeup;
  // How the entries were brought up to date (IncrementalLists::Update): rebuilt from the
  // snapshot, and why, or the number of journal events applied.
  IncrementalLists::UpdateInfo derivation;
  bool ok() const;
};

// Not safe for concurrent use: one publisher per process, on one thread.
class Publisher {
 public:
  Publisher(store::Store& store, const signer::Signer& signer, const signer::SchemaSet& schemas,
            Options options);

  // One publication at `now` (the entries derived as Options::incremental says); the new versions'
  // Tijdstempel is `now` rounded down to its second. Lists whose content digest equals the current
  // version's get no new version, unless the current version carries other certificates in its
  // KeyInfo than this publisher's signer (Signer::CertificatesSha256): then every such list is
  // re-signed with the same entries and the next Volgnummer (a key roll; ListOutcome::resigned),
  // the one case in which the Volgnummer rises without a change of content. A list whose current
  // version is from this second (or later: a clock stepped back) is deferred, never given a second
  // version in one second. Each changed list is archived, with its journal event, in one write
  // transaction; a list that fails validation or signing is not published and the others are. With
  // an export dir, every list whose current version this Publisher has not yet written there (first
  // call after start, a failed export, a version archived by another process) is written too, so
  // the directory converges on the archive.
  Report PublishOnce(Time now);

 private:
  // Writes `version` of kAllLists[i] (its archived, signed `bytes`) to the export dir unless
  // already there: the default form at the top level, the signed form in signed/, each
  // atomically and with the Tijdstempel as modification time.
  Status ExportCurrent(size_t i, const store::ListVersion& version, const std::string& bytes);
  // ExportCurrent of archived version `volgnummer` of kAllLists[i].
  Status ExportFromArchive(size_t i, uint64_t volgnummer);
  // Whether `version` of kAllLists[i] carries the certificates this publisher signs with; reads
  // its bytes through `reader` unless remembered (carried_). A version whose certificates cannot
  // be read counts as carrying others (re-signing it repairs it).
  bool CarriesOurCertificates(size_t i, const store::Reader& reader,
                              const store::ListVersion& version);

  // The certificates (Signer::CertificatesSha256) the archived version `volgnummer` of each list
  // (kAllLists order) carries, as last read; volgnummer 0: none read yet.
  struct Carried {
    uint64_t volgnummer = 0;
    std::string certificates_sha256;
  };
  std::array<Carried, std::size(kAllLists)> carried_{};

  // Volgnummer of each list (kAllLists order) last written to the export dir; 0: none.
  std::array<uint64_t, std::size(kAllLists)> exported_{};
  // The entries derived last time (Options::incremental).
  IncrementalLists incremental_;
  store::Store& store_;
  const signer::Signer& signer_;
  const signer::SchemaSet& schemas_;
  Options options_;
};

}  // namespace medmij::publisher
