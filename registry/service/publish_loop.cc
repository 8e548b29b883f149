#include "registry/service/publish_loop.h"

#include <algorithm>
#include <iostream>

#include <nlohmann/json.hpp>

#include "registry/common/sha256.h"
#include "registry/common/text.h"
#include "registry/domain/policy.h"
#include "registry/http/encoding.h"
#include "registry/http/http_util.h"
#include "registry/http/register_pages.h"
#include "registry/ops/history.h"
#include "registry/web/view_builder.h"

namespace medmij::service {

using http::ArchivedVersion;
using http::ListStatus;
using http::ServedBody;
using http::ServedList;
using http::Snapshot;

namespace {

std::string LabelState(const Participant& p) {
  if (p.labels.empty()) return "none";
  return p.labels.back().granted ? "granted" : "withdrawn";
}

// The public view of a participant: who it is, its state, and which of the published lists
// it is on at `at`. Candidates are not shown: they are not (yet) part of the network.
// Also appends the participant's public facts for the web pages to `web_participants`.
Result<nlohmann::json> ParticipantJson(const store::Reader& r, const Participant& p,
                                       const std::map<std::string, DataService>& catalogue,
                                       const ListSet& published, Time at,
                                       std::vector<web::PublicParticipant>& web_participants) {
  nlohmann::json roles = nlohmann::json::array();
  for (Role role : p.roles) roles.push_back(std::string(ToString(role)));
  MEDMIJ_ASSIGN_OR_RETURN(auto nodes, r.NodesOf(p.id));
  MEDMIJ_ASSIGN_OR_RETURN(auto clients, r.OAuthClientsOf(p.id));
  MEDMIJ_ASSIGN_OR_RETURN(auto providers, r.ProvidersOf(p.id));
  auto membership = policy::ExplainLists(p, nodes, clients, providers, catalogue, at);
  nlohmann::json lists = nlohmann::json::array();
  std::vector<ListKind> on_lists;
  for (const auto& m : membership) {
    if (m.on && published.test(static_cast<size_t>(m.list))) {
      lists.push_back(std::string(ToString(m.list)));
      on_lists.push_back(m.list);
    }
  }
  if (auto pub = web::PublicParticipantOf(p, nodes, clients, providers, catalogue,
                                          std::move(on_lists), at)) {
    web_participants.push_back(std::move(*pub));
  }
  return nlohmann::json{{"id", p.id},
                        {"legal_name", p.legal_name},
                        {"roles", std::move(roles)},
                        {"status", std::string(ToString(p.status))},
                        {"label", LabelState(p)},
                        {"good_standing", policy::EvaluateStanding(p, at).good},
                        {"lists", std::move(lists)},
                        {"as_of", FormatTime(at)}};
}

// The public register (GET /participants and /participants/{id}) at `at` into `snap`, and its
// participants' public facts for the web pages into `web_participants`. A participant whose
// records do not decode is left out (and named in `corrupt`); a catalogue that does not decode
// fails the whole register.
Status BuildRegister(const store::Reader& reader, const ListSet& published, Time at, Snapshot& snap,
                     std::vector<store::CorruptRecord>& corrupt,
                     std::vector<web::PublicParticipant>& web_participants) {
  MEDMIJ_ASSIGN_OR_RETURN(const auto catalogue, ops::Catalogue(reader));
  MEDMIJ_ASSIGN_OR_RETURN(const auto participants, reader.AllParticipants(&corrupt));
  Status first_error;
  nlohmann::json all = nlohmann::json::array();
  for (const Participant& p : participants) {
    if (p.status == Lifecycle::kCandidate) continue;
    auto j = ParticipantJson(reader, p, catalogue, published, at, web_participants);
    if (!j.ok()) {
      if (j.status().code() != Status::Code::kCorruption) return j.status();
      if (first_error.ok()) first_error = j.status();
      continue;
    }
    snap.participant_json[p.id] = j->dump();
    all.push_back(std::move(j).value());
  }
  snap.participants_json =
      nlohmann::json{{"as_of", FormatTime(at)}, {"participants", std::move(all)}}.dump();
  return first_error;
}

// The published lists' current versions as the /lijsten page shows them (the digest of a
// form is its strong ETag's, so nothing is hashed again).
std::vector<web::PublishedList> PublishedLists(const Snapshot& snap, const ListSet& published) {
  auto digest = [](const ServedBody& body) {
    const std::string& etag = body.etag();  // "\"<sha256 hex>\""
    return etag.substr(1, etag.size() - 2);
  };
  std::vector<web::PublishedList> out;
  for (ListKind k : kAllLists) {
    const ServedList* l = snap.list(k);
    if (l == nullptr || !published.test(static_cast<size_t>(k))) continue;
    out.push_back({.list = k,
                   .volgnummer = l->volgnummer,
                   .tijdstempel = l->tijdstempel,
                   .signed_size = l->signed_body->bytes().size(),
                   .signed_sha256 = digest(*l->signed_body),
                   .strict_size = l->unsigned_body->bytes().size(),
                   .strict_sha256 = digest(*l->unsigned_body)});
  }
  return out;
}

std::vector<http::CorruptRecord> ForDisplay(const std::vector<store::CorruptRecord>& records) {
  std::vector<http::CorruptRecord> out;
  out.reserve(records.size());
  for (const auto& r : records) out.push_back({r.table, r.key, r.reason});
  return out;
}

}  // namespace

RegistryService::RegistryService(store::Store& store, publisher::Publisher& publisher,
                                 const signer::Signer& signer, PublishLoopOptions options)
    : store_(store),
      publisher_(publisher),
      signer_(signer),
      options_(options),
      clock_(options.clock != nullptr ? *options.clock : ProcessClock()),
      current_(std::make_shared<const Snapshot>()) {
  if (!options_.export_dir.empty()) site_export_.emplace(options_.export_dir);
}

RegistryService::~RegistryService() {
  Stop();
}

std::shared_ptr<const Snapshot> RegistryService::Current() const {
  return current_.load();
}

Result<std::optional<ArchivedVersion>> RegistryService::Archived(ListKind list, uint64_t volgnummer,
                                                                 ListForm form) const {
  MEDMIJ_ASSIGN_OR_RETURN(auto reader, store_.BeginRead());
  MEDMIJ_ASSIGN_OR_RETURN(auto v, reader->GetListVersion(list, volgnummer));
  if (!v) return std::optional<ArchivedVersion>();
  MEDMIJ_ASSIGN_OR_RETURN(auto bytes, reader->GetListBytes(list, volgnummer));
  if (!bytes) return Status::Corruption("archived version without bytes");
  reader.reset();
  if (form == ListForm::kStrict) {
    std::string strict = signer::StripSignature(*bytes);
    std::string sha = Sha256Hex(strict);
    return std::optional<ArchivedVersion>(ArchivedVersion{std::move(strict), std::move(sha)});
  }
  return std::optional<ArchivedVersion>(ArchivedVersion{std::move(*bytes), v->sha256});
}

Status RegistryService::SignerUsable(Time now) const {
  return signer_.CheckUsableAt(now);
}

std::optional<Time> RegistryService::SignerNotAfter() const {
  return signer_.NotAfter();
}

Result<std::shared_ptr<const Snapshot>> RegistryService::Reload(const Snapshot& base, Time at,
                                                                const Status& published) const {
  auto snap = std::make_shared<Snapshot>();
  snap->publications_total = base.publications_total;
  snap->last_attempt = base.last_attempt;
  snap->last_success = base.last_success;
  snap->last_ok = base.last_ok;
  snap->list_status = base.list_status;

  MEDMIJ_ASSIGN_OR_RETURN(auto reader, store_.BeginRead());
  for (ListKind k : kAllLists) {
    size_t i = static_cast<size_t>(k);
    MEDMIJ_ASSIGN_OR_RETURN(auto cur, reader->CurrentListVersion(k));
    if (!cur) continue;
    const ServedList* old = base.list(k);
    MEDMIJ_ASSIGN_OR_RETURN(auto versions, reader->ListVersions(k));
    if (old != nullptr && old->volgnummer == cur->volgnummer) {
      // Same version: keep the prepared bytes, refresh only the index.
      auto copy = std::make_shared<ServedList>(*old);
      snap->lists[i] = std::move(copy);
    } else {
      MEDMIJ_ASSIGN_OR_RETURN(auto bytes, reader->GetListBytes(k, cur->volgnummer));
      if (!bytes)
        return Status::Corruption(std::string(ToString(k)) + ": current version has no bytes");
      auto list = std::make_shared<ServedList>();
      list->list = k;
      list->volgnummer = cur->volgnummer;
      list->tijdstempel = FormatTijdstempel(cur->tijdstempel);
      list->last_modified = cur->tijdstempel;
      list->last_modified_text = http::FormatHttpDate(cur->tijdstempel);
      if (auto carried = signer::SigningCertificatesOf(*bytes); carried.ok()) {
        list->certificate_not_after = carried->not_after;
        list->certificate_subject = carried->subject;
      }
      std::string unsigned_bytes = signer::StripSignature(*bytes);
      list->signed_body = std::make_shared<const ServedBody>(std::move(*bytes), store_.dir());
      list->unsigned_body =
          std::make_shared<const ServedBody>(std::move(unsigned_bytes), store_.dir());
      snap->lists[i] = std::move(list);
    }
    nlohmann::json index = nlohmann::json::array();
    for (const auto& v : versions) {
      index.push_back({{"volgnummer", v.volgnummer},
                       {"tijdstempel", FormatTijdstempel(v.tijdstempel)},
                       {"sha256", v.sha256},
                       {"size", v.size}});
    }
    auto with_index = std::make_shared<ServedList>(*snap->lists[i]);
    with_index->versions_json =
        nlohmann::json{{"list", std::string(ToString(k))}, {"versions", std::move(index)}}.dump();
    snap->lists[i] = std::move(with_index);
  }

  // A record that does not decode fails only what needs it: the lists above are the archive's,
  // the register leaves out whom it cannot show (or stays as it was), and the health report
  // names every such record.
  std::vector<store::CorruptRecord> skipped;
  Status problem = published;
  std::vector<web::PublicParticipant> web_participants;
  Status built = BuildRegister(*reader, options_.lists, at, *snap, skipped, web_participants);
  if (!built.ok()) {
    if (built.code() != Status::Code::kCorruption) return built;
    if (snap->participants_json.empty()) {
      snap->participants_json = base.participants_json;
      snap->participant_json = base.participant_json;
      snap->pages = base.pages;
    }
    if (problem.ok()) problem = built;
  }
  if (!snap->pages) {
    snap->pages = http::PreparePages(web::MakeRegisterView(std::move(web_participants),
                                                           PublishedLists(*snap, options_.lists),
                                                           options_.trust_anchor_sha256));
  }
  if (problem.ok() && !skipped.empty()) {
    problem =
        Status::Corruption(std::to_string(skipped.size()) + " participant record(s) do not decode");
  }
  if (!problem.ok()) {
    snap->store_error = problem.message();
    MEDMIJ_ASSIGN_OR_RETURN(auto corrupt, reader->CorruptRecords());
    snap->corrupt_records = ForDisplay(corrupt);
  }
  return std::shared_ptr<const Snapshot>(std::move(snap));
}

Status RegistryService::LoadFromArchive() {
  MEDMIJ_ASSIGN_OR_RETURN(auto snap, Reload(*Current(), clock_.Now(), Status::Ok()));
  current_.store(std::move(snap));
  return Status::Ok();
}

void RegistryService::Start() {
  thread_ = std::thread([this] { Run(); });
}

void RegistryService::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::shared_ptr<const std::string> RegistryService::LogCheckpoint() const {
  return options_.checkpointer != nullptr ? options_.checkpointer->Latest() : nullptr;
}

Result<std::optional<std::string>> RegistryService::LogTile(const tiles::Tile& tile) const {
  const auto latest =
      options_.checkpointer != nullptr ? options_.checkpointer->LatestSigned() : nullptr;
  if (latest == nullptr || tile.entries || !tiles::InTree(tile, latest->checkpoint.size)) {
    return std::optional<std::string>();
  }
  MEDMIJ_ASSIGN_OR_RETURN(auto reader, store_.BeginRead());
  // The journal never holds fewer events than a signed checkpoint (Checkpointer refuses to
  // start on one), so every tile of its tree is stored.
  MEDMIJ_ASSIGN_OR_RETURN(auto hashes, reader->TileHashes(tile));
  return std::optional<std::string>(tiles::JoinHashes(hashes));
}

Result<std::optional<std::string>> RegistryService::VersionEvent(ListKind list,
                                                                 uint64_t volgnummer) const {
  MEDMIJ_ASSIGN_OR_RETURN(auto reader, store_.BeginRead());
  MEDMIJ_ASSIGN_OR_RETURN(auto event, reader->ArchivingEvent(list, volgnummer));
  if (!event) return std::optional<std::string>();
  return std::optional<std::string>(std::move(event->stored));
}

Result<std::optional<std::string>> RegistryService::VersionProof(ListKind list,
                                                                 uint64_t volgnummer) const {
  if (options_.proofs == nullptr) return std::optional<std::string>();
  return options_.proofs->Read(list, volgnummer);
}

bool RegistryService::SignCheckpoint() {
  if (options_.checkpointer == nullptr) return true;
  auto signed_new = options_.checkpointer->Update();
  if (!signed_new.ok()) {
    std::cerr << "medmij-registry: transparency log: " << signed_new.status().message()
              << std::endl;
    return false;
  }
  const auto latest = options_.checkpointer->LatestSigned();
  if (options_.log_export != nullptr && latest != nullptr) {
    if (Status exported = options_.log_export->Export(*latest); !exported.ok()) {
      std::cerr << "medmij-registry: transparency log: export: "
                << EscapeForDisplay(exported.message()) << std::endl;
      return false;
    }
  }
  return true;
}

Result<uint64_t> RegistryService::JournalLength() const {
  MEDMIJ_ASSIGN_OR_RETURN(auto read, store_.BeginRead());
  return read->JournalLength();
}

std::optional<http::StorageReport> RegistryService::Storage() const {
  auto usage = store_.Usage();
  if (!usage.ok()) return std::nullopt;
  http::StorageReport r;
  r.map_used_bytes = usage->used;
  r.map_size_bytes = usage->size;
  if (options_.compactor != nullptr) {
    const ArchiveCompactor::Stats stats = options_.compactor->stats();
    r.versions_recoded = stats.recoded;
    r.bytes_saved = stats.bytes_saved;
    r.compaction_failures = stats.failures;
    r.compaction_error = stats.last_error;
  }
  return r;
}

std::optional<http::VerificationReport> RegistryService::BackgroundVerification() const {
  if (options_.verifier == nullptr) return std::nullopt;
  return options_.verifier->Report();
}

void RegistryService::SubmitForVerification(const publisher::Report& report, bool all) {
  auto read = store_.BeginRead();
  if (!read.ok()) return;  // the next publication submits its versions
  const auto snap = Current();
  for (const auto& outcome : report.lists) {
    if (!all && !outcome.published) continue;
    const http::ServedList* served = snap->list(outcome.list);
    auto version = (*read)->CurrentListVersion(outcome.list);
    if (served == nullptr || !version.ok() || !*version ||
        (*version)->volgnummer != served->volgnummer) {
      continue;
    }
    options_.verifier->Submit(outcome.list, served->volgnummer, (*version)->sha256,
                              served->signed_body);
  }
}

void RegistryService::Run() {
  uint64_t seen_txn = 0;
  uint64_t seen_length = 0;
  bool first = true;
  std::optional<Time> next_wakeup;
  std::optional<Time> retry_at;
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    Time now = clock_.Now();
    uint64_t txn = store_.LastTxnId();
    bool due = first || (next_wakeup && now >= *next_wakeup) || (retry_at && now >= *retry_at);
    if (!due && txn != seen_txn) {
      // A commit. One that appended no journal event changed no state (the archive compactor
      // re-encoding a version): nothing to publish.
      auto length = JournalLength();
      due = !length.ok() || *length != seen_length;
      if (!due) seen_txn = txn;
    }
    if (due) {
      const bool initial = first;
      first = false;
      lock.unlock();
      // Read the transaction id (and the journal's length) before publishing: a commit made
      // while we publish is seen as a change next time (our own archive commit also moves it,
      // costing one idle pass).
      seen_txn = txn;
      if (auto length = JournalLength(); length.ok()) seen_length = *length;
      bool checkpoint_ok = SignCheckpoint();
      Time at = clock_.Now();
      publisher::Report report = publisher_.PublishOnce(at);
      auto base = std::make_shared<Snapshot>(*Current());
      base->publications_total += 1;
      base->last_attempt = report.at;
      bool all_ok = true;
      Status corruption;  // the first list that failed on a record that does not decode
      for (const auto& outcome : report.lists) {
        ListStatus& st = base->list_status[static_cast<size_t>(outcome.list)];
        st.ok = outcome.status.ok();
        if (outcome.status.code() == Status::Code::kCorruption && corruption.ok()) {
          corruption = outcome.status;
        }
        if (!st.ok) {
          st.failures += 1;
          all_ok = false;
          std::cerr << "medmij-registry: publication of " << ToString(outcome.list)
                    << " failed: " << EscapeForDisplay(outcome.status.message()) << std::endl;
        }
      }
      base->last_ok = all_ok;
      if (all_ok) base->last_success = report.at;
      next_wakeup = report.next_wakeup;
      retry_at = all_ok ? std::nullopt : std::optional<Time>(at + options_.retry_interval);
      auto reloaded = Reload(*base, report.at, corruption);
      if (reloaded.ok()) {
        current_.store(std::move(reloaded).value());
        // The gzip representations of new versions, a moment after the plain ones.
        Status gzip_error;
        if (auto encoded = http::WithGzipRepresentations(*Current(), store_.dir(), &gzip_error)) {
          current_.store(std::move(encoded));
        }
        if (!gzip_error.ok()) {
          std::cerr << "medmij-registry: " << EscapeForDisplay(gzip_error.message()) << std::endl;
        }
        if (site_export_ && Current()->pages) {
          if (Status st = site_export_->Write(*Current()->pages); !st.ok()) {
            std::cerr << "medmij-registry: export of the register's pages failed: "
                      << EscapeForDisplay(st.message()) << std::endl;
            if (!retry_at) retry_at = at + options_.retry_interval;
          }
        }
      } else {
        std::cerr << "medmij-registry: reloading the archive failed: "
                  << EscapeForDisplay(reloaded.status().message()) << std::endl;
        base->last_ok = false;
        current_.store(std::shared_ptr<const Snapshot>(std::move(base)));
        if (!retry_at) retry_at = at + options_.retry_interval;
      }
      if (options_.verifier != nullptr && reloaded.ok()) SubmitForVerification(report, initial);
      if (options_.on_publication) options_.on_publication(*Current());
      if (checkpoint_ok) checkpoint_ok = SignCheckpoint();
      if (!checkpoint_ok && !retry_at) retry_at = at + options_.retry_interval;
      const bool archived = std::any_of(report.lists.begin(), report.lists.end(),
                                        [](const auto& o) { return o.published; });
      if (options_.compactor != nullptr && (archived || initial)) options_.compactor->Wake();
      lock.lock();
      continue;
    }
    // Sleep until the next check, or the next standing change / retry if that comes sooner.
    Time wake = now + options_.check_interval;
    if (next_wakeup && *next_wakeup < wake) wake = *next_wakeup;
    if (retry_at && *retry_at < wake) wake = *retry_at;
    if (!stop_) clock_.WaitUntil(cv_, lock, wake);
  }
}

}  // namespace medmij::service
